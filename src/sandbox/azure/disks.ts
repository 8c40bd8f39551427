/**
 * Managed disks: create (empty or a copy), update, delete, write.
 */
import { randomUUID } from 'node:crypto';
import { BLOCKS_PER_GIB } from '../blocks';
import { ArmError, badRequest, injectedFailure, invalidParameter, notAllowed } from './errors';
import { findLocation } from './locations';
import type { DiskRecord, OperationRecord, SnapshotRecord } from './records';
import { parseId, type DiskInput, type Change } from './refs';
import { AzureStore } from './store';

export abstract class AzureDisks extends AzureStore {
  putDisk(subscriptionId: string, resourceGroup: string, name: string, input: DiskInput, fail = false): Change<DiskRecord> {
    const place = this.placeOf(this.disks, 'disks', subscriptionId, resourceGroup, name);
    const { id, existing } = place;
    if (existing) {
      return this.updateDisk(existing, input, fail, 'Disks_CreateOrUpdate', 'PUT');
    }
    const loc = this.location(input.location, 'disks');
    const creation = input.creationData ?? {};
    const createOption = creation.createOption ?? '';
    const uniqueId = randomUUID();
    let sizeGB = input.sizeGB;
    let osType = input.osType;
    let hyperVGeneration = input.hyperVGeneration;
    let source: { id: string; uniqueId: string } | undefined;
    let fromSnapshot: SnapshotRecord | undefined;
    let fromDisk: DiskRecord | undefined;
    if (/^empty$/i.test(createOption)) {
      if (sizeGB === undefined) {
        throw invalidParameter("Required parameter 'diskSizeGB' is missing (null).", 'diskSizeGB');
      }
    } else if (/^copy$/i.test(createOption)) {
      const sourceId = creation.sourceResourceId;
      if (!sourceId) {
        throw invalidParameter("Required parameter 'creationData.sourceResourceId' is missing (null).", 'creationData.sourceResourceId');
      }
      const parsed = parseId(sourceId);
      if (parsed?.type.toLowerCase() === 'snapshots') {
        fromSnapshot = this.snapshot(sourceId);
        if (this.copyInProgress(fromSnapshot)) {
          throw notAllowed(`The snapshot '${fromSnapshot.name}' is still being copied (completionPercent < 100); a disk cannot be created from it yet.`);
        }
      } else if (parsed?.type.toLowerCase() === 'disks') {
        fromDisk = this.disk(sourceId);
      } else {
        throw invalidParameter(`'${sourceId}' is neither a disk nor a snapshot.`, 'creationData.sourceResourceId');
      }
      const src = (fromSnapshot ?? fromDisk) as SnapshotRecord | DiskRecord;
      if (src.location !== loc.name) {
        throw badRequest(
          `The source resource '${src.id}' is in location '${src.location}', but the disk is being created in '${loc.name}'. ` +
            'A disk must be created in the location of its source.',
          'creationData.sourceResourceId',
        );
      }
      if (sizeGB !== undefined && sizeGB < src.sizeGB) {
        throw badRequest(
          `The specified disk size ${sizeGB} GB is smaller than the size of the corresponding source ${src.sizeGB} GB.`,
          'diskSizeGB',
        );
      }
      sizeGB = sizeGB ?? src.sizeGB;
      osType = osType ?? src.osType;
      hyperVGeneration = hyperVGeneration ?? src.hyperVGeneration;
      source = { id: src.id, uniqueId: src.uniqueId };
    } else {
      throw invalidParameter(
        `The value '${createOption}' of parameter 'creationData.createOption' is not supported by the sandbox (Empty or Copy).`,
        'creationData.createOption',
      );
    }
    if (!Number.isInteger(sizeGB) || (sizeGB as number) < 1 || (sizeGB as number) > 65536) {
      throw invalidParameter(`The value '${String(sizeGB)}' of parameter 'diskSizeGB' is out of range (1–65536).`, 'diskSizeGB');
    }
    const encryption = this.encryption(input.encryption, loc.name);
    const now = this.now();
    const duration = this.timing.operationMs;
    const record: DiskRecord = {
      ...this.newRecord(place, loc.name, input.tags, now),
      readyAt: now + duration,
      seq: this.seq(),
      uniqueId,
      sizeGB: sizeGB as number,
      skuName: this.diskSku(input.skuName ?? 'Standard_LRS'),
      zones: input.zones && input.zones.length > 0 ? [...input.zones] : undefined,
      osType,
      hyperVGeneration: hyperVGeneration ?? (osType ? 'V1' : undefined),
      encryption,
      creationData: source
        ? { createOption: 'Copy', sourceResourceId: source.id, sourceUniqueId: source.uniqueId }
        : { createOption: 'Empty' },
      familyId: randomUUID(),
      timeCreatedAt: now,
      failed: fail ? injectedFailure() : undefined,
    };
    this.createDiskBlocks(record, fromSnapshot, fromDisk);
    this.disks.set(id.toLowerCase(), record);
    const operation = this.operationOn(record, 'Disks_CreateOrUpdate', 'PUT', { durationMs: duration, fail });
    return { record, created: true, operation };
  }

  /** PATCH (or PUT of an existing disk): tags, sku, a larger size. */
  updateDisk(disk: DiskRecord, input: DiskInput, fail: boolean, name: string, method: string): Change<DiskRecord> {
    const option = input.creationData?.createOption;
    if (option !== undefined && option.toLowerCase() !== disk.creationData.createOption.toLowerCase()) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'creationData.createOption' is not allowed.", 'creationData.createOption');
    }
    if (input.location !== undefined && findLocation(input.location)?.name !== disk.location) {
      throw new ArmError(409, 'InvalidResourceLocation', `The resource '${disk.name}' already exists in location '${disk.location}'. A resource with the same name cannot be created in location '${input.location}'.`);
    }
    if (input.sizeGB !== undefined && input.sizeGB < disk.sizeGB) {
      throw badRequest(`Disk size can only be increased: the disk '${disk.name}' is ${disk.sizeGB} GB.`, 'diskSizeGB');
    }
    const operation = this.operationOn(disk, name, method, { fail });
    if (!fail) {
      if (input.tags) {
        disk.tags = { ...input.tags };
      }
      if (input.skuName) {
        disk.skuName = this.diskSku(input.skuName);
      }
      if (input.sizeGB !== undefined && input.sizeGB > disk.sizeGB) {
        disk.sizeGB = input.sizeGB;
        this.blocks.resizeDisk(disk.uniqueId, disk.sizeGB * BLOCKS_PER_GIB);
      }
      if (input.encryption) {
        disk.encryption = this.encryption(input.encryption, disk.location);
      }
      disk.updating = true;
      disk.readyAt = operation.endAt;
    }
    return { record: disk, created: false, operation };
  }

  deleteDisk(disk: DiskRecord, fail = false): OperationRecord {
    if (disk.managedBy) {
      throw notAllowed(`Disk ${disk.name} is attached to VM ${disk.managedBy}.`);
    }
    if (this.activeGrant(disk.id)) {
      throw notAllowed(`Disk ${disk.name} has an active SAS URI (diskState ActiveSAS). Call endGetAccess before deleting it.`);
    }
    const op = this.operationOn(disk, 'Disks_Delete', 'DELETE', { fail });
    if (!fail) {
      this.disks.delete(disk.id.toLowerCase());
      this.blocks.deleteDisk(disk.uniqueId);
    }
    return op;
  }

  writeMiB(diskId: string, mib: number): number {
    const disk = this.disk(diskId);
    const written = this.blocks.writeMiB(disk.uniqueId, mib);
    this.touch();
    return written;
  }
}
