/**
 * Snapshots: full and incremental (block accounting), CopyStart across locations, update, delete, bulk.
 */
import { randomUUID } from 'node:crypto';
import { BLOCK_SIZE, type DeleteImpact } from '../blocks';
import { transferMs } from '../state-kit';
import { ArmError, badRequest, injectedFailure, invalidParameter, notAllowed } from './errors';
import type { LocationInfo } from './locations';
import type { DiskRecord, OperationRecord, SnapshotRecord } from './records';
import { parseId, computeId, type SnapshotInput, type Change } from './refs';
import { AzureDisks } from './disks';

export abstract class AzureSnapshots extends AzureDisks {
  putSnapshot(subscriptionId: string, resourceGroup: string, name: string, input: SnapshotInput, fail = false): Change<SnapshotRecord> {
    const place = this.placeOf(this.snapshots, 'snapshots', subscriptionId, resourceGroup, name);
    const { id, existing } = place;
    if (existing) {
      return this.updateSnapshot(existing, input, fail, 'Snapshots_CreateOrUpdate', 'PUT');
    }
    const loc = this.location(input.location, 'snapshots');
    const creation = input.creationData ?? {};
    const createOption = (creation.createOption ?? '').toLowerCase();
    const sourceId = creation.sourceResourceId;
    if (createOption !== 'copy' && createOption !== 'copystart') {
      throw invalidParameter(
        `The value '${creation.createOption ?? ''}' of parameter 'creationData.createOption' is not supported by the sandbox for snapshots (Copy or CopyStart).`,
        'creationData.createOption',
      );
    }
    if (!sourceId) {
      throw invalidParameter("Required parameter 'creationData.sourceResourceId' is missing (null).", 'creationData.sourceResourceId');
    }
    const incremental = input.incremental === true;
    const parsed = parseId(sourceId);
    const sourceType = parsed?.type.toLowerCase();
    if (sourceType !== 'disks' && sourceType !== 'snapshots') {
      throw invalidParameter(`'${sourceId}' is neither a disk nor a snapshot.`, 'creationData.sourceResourceId');
    }
    const now = this.now();
    const uniqueId = randomUUID();
    const base = {
      ...this.newRecord(place, loc.name, input.tags, now),
      seq: 0,
      uniqueId,
      incremental,
      skuName: this.snapshotSku(input.skuName ?? (incremental ? 'Standard_LRS' : 'Standard_LRS')),
      failed: fail ? injectedFailure() : undefined,
    };
    // What a snapshot copied within the location (createOption Copy) takes from its source.
    const copyOf = (source: DiskRecord | SnapshotRecord): Pick<SnapshotRecord, 'sizeGB' | 'osType' | 'hyperVGeneration' | 'encryption' | 'creationData'> => ({
      sizeGB: source.sizeGB,
      osType: source.osType,
      hyperVGeneration: source.hyperVGeneration,
      encryption: input.encryption ? this.encryption(input.encryption, loc.name) : { ...source.encryption },
      creationData: { createOption: 'Copy', sourceResourceId: source.id, sourceUniqueId: source.uniqueId },
    });
    let record: SnapshotRecord;
    let duration: number;
    if (sourceType === 'disks') {
      if (createOption === 'copystart') {
        throw badRequest("createOption 'CopyStart' copies a snapshot to another region; its source must be a snapshot, not a disk.", 'creationData.createOption');
      }
      const disk = this.disk(sourceId);
      if (disk.location !== loc.name) {
        throw badRequest(
          `The snapshot must be created in the location of its source disk '${disk.name}' ('${disk.location}'), not '${loc.name}'.`,
          'location',
        );
      }
      const blocks = incremental ? this.blocks.snapshot(disk.uniqueId, uniqueId) : this.blocks.fullSnapshot(disk.uniqueId, uniqueId);
      duration = this.snapshotDuration(blocks.owned.size * BLOCK_SIZE);
      record = {
        ...base,
        readyAt: now + duration,
        familyId: incremental ? disk.familyId : undefined,
        ...copyOf(disk),
        sourceDiskId: disk.id,
      };
    } else {
      const source = this.snapshot(sourceId);
      if (createOption === 'copy') {
        if (source.location !== loc.name) {
          throw badRequest(
            `The source snapshot '${source.name}' is in '${source.location}'. To copy a snapshot to another region ('${loc.name}') use createOption 'CopyStart'.`,
            'creationData.createOption',
          );
        }
        if (incremental) {
          throw badRequest(
            `A snapshot copied from a snapshot within a region is a full snapshot: set 'incremental' to false (or use createOption 'CopyStart' to copy an incremental snapshot to another region).`,
            'incremental',
          );
        }
        if (this.copyInProgress(source)) {
          throw notAllowed(`The snapshot '${source.name}' is still being copied (completionPercent < 100).`);
        }
        const blocks = this.blocks.copySnapshot(source.uniqueId, uniqueId);
        duration = this.snapshotDuration(blocks.owned.size * BLOCK_SIZE);
        record = {
          ...base,
          readyAt: now + duration,
          ...copyOf(source),
          sourceDiskId: source.sourceDiskId,
        };
      } else {
        record = this.copyStart(base, source, loc, incremental, input);
        duration = record.readyAt - now;
      }
    }
    record.seq = this.seq();
    this.snapshots.set(id.toLowerCase(), record);
    const operation = this.operationOn(record, 'Snapshots_CreateOrUpdate', 'PUT', { durationMs: duration, fail });
    return { record, created: true, operation };
  }

  /** The rules and block accounting of a cross-region copy (createOption CopyStart). */
  protected copyStart(
    base: Omit<SnapshotRecord, 'readyAt' | 'sizeGB' | 'encryption' | 'creationData'>,
    source: SnapshotRecord,
    loc: LocationInfo,
    incremental: boolean,
    input: SnapshotInput,
  ): SnapshotRecord {
    if (source.location === loc.name) {
      throw badRequest(
        `createOption 'CopyStart' copies a snapshot to another region, but the source snapshot '${source.name}' is already in '${loc.name}'. Use createOption 'Copy' within a region.`,
        'creationData.createOption',
      );
    }
    if (!source.incremental || !incremental) {
      throw badRequest(
        'Copying a snapshot to another region (createOption CopyStart) is supported only from an incremental snapshot to an incremental snapshot: ' +
          `the source '${source.name}' is ${source.incremental ? 'incremental' : 'a full snapshot'} and 'incremental' is ${String(incremental)}.`,
        'incremental',
      );
    }
    if (this.copyInProgress(source) || this.now() < source.readyAt) {
      throw notAllowed(`The source snapshot '${source.name}' is not ready yet (provisioning or being copied); try again when it has completed.`);
    }
    const family = source.familyId;
    const running = [...this.snapshots.values()].find((s) => s.familyId === family && s.copy && this.copyInProgress(s));
    if (running) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Another cross-region copy of a snapshot of the incremental snapshot family '${String(family)}' is in progress ('${running.id}', ` +
          `${String(this.completionPercent(running))}% complete). Only one copy per disk can run at a time: wait for it to reach 100% and try again.`,
      );
    }
    const copies = [...this.snapshots.values()].filter(
      (s) => s.familyId === family && s.copy && !s.copy.error && s.location === loc.name,
    );
    const sourceBlockSeq = this.blocks.getSnapshot(source.uniqueId)?.seq ?? 0;
    // Copies of a family must reach a region in creation order: the base is the latest copy there.
    let baseCopy: SnapshotRecord | undefined;
    let baseSeq = -1;
    for (const c of copies) {
      const seq = c.copySourceSeq ?? 0;
      if (seq > sourceBlockSeq) {
        throw badRequest(
          `Snapshots of an incremental family must be copied to a region in the order they were created: the newer snapshot ` +
            `copied as '${c.id}' has already been copied to '${loc.name}'.`,
          'creationData.sourceResourceId',
        );
      }
      if (seq > baseSeq) {
        baseSeq = seq;
        baseCopy = c;
      }
    }
    const blocks = this.blocks.copySnapshotIncremental(source.uniqueId, base.uniqueId, baseCopy?.uniqueId);
    const now = this.now();
    const bytes = blocks.owned.size * BLOCK_SIZE;
    const t = this.timing;
    const copyMs = transferMs(bytes, { baseMs: t.copyBaseMs, msPerGiB: t.copyMsPerGiB, maxMs: t.copyMaxMs });
    return {
      ...base,
      readyAt: now + t.operationMs,
      familyId: family,
      sizeGB: source.sizeGB,
      osType: source.osType,
      hyperVGeneration: source.hyperVGeneration,
      encryption: input.encryption ? this.encryption(input.encryption, loc.name) : { type: 'EncryptionAtRestWithPlatformKey' },
      creationData: { createOption: 'CopyStart', sourceResourceId: source.id, sourceUniqueId: source.uniqueId },
      sourceDiskId: source.sourceDiskId,
      copy: { sourceId: source.id, doneAt: now + t.operationMs + copyMs },
      copySourceSeq: sourceBlockSeq,
    };
  }

  updateSnapshot(snap: SnapshotRecord, input: SnapshotInput, fail: boolean, name: string, method: string): Change<SnapshotRecord> {
    const source = input.creationData?.sourceResourceId;
    if (source !== undefined && source.toLowerCase() !== (snap.creationData.sourceResourceId ?? '').toLowerCase()) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'creationData.sourceResourceId' is not allowed.", 'creationData.sourceResourceId');
    }
    if (input.incremental !== undefined && input.incremental !== snap.incremental) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'incremental' is not allowed.", 'incremental');
    }
    const operation = this.operationOn(snap, name, method, { fail });
    if (!fail) {
      if (input.tags) {
        snap.tags = { ...input.tags };
      }
      if (input.skuName) {
        snap.skuName = this.snapshotSku(input.skuName);
      }
      if (this.now() >= snap.readyAt) {
        snap.updating = true;
        snap.readyAt = operation.endAt;
      }
    }
    return { record: snap, created: false, operation };
  }

  deleteSnapshot(snap: SnapshotRecord, fail = false): OperationRecord {
    if (this.activeGrant(snap.id)) {
      throw notAllowed(`Snapshot ${snap.name} has an active SAS URI (diskState ActiveSAS). Call endGetAccess before deleting it.`);
    }
    const op = this.operationOn(snap, 'Snapshots_Delete', 'DELETE', { fail });
    if (!fail) {
      const now = this.now();
      for (const other of this.snapshots.values()) {
        if (other.copy && other.copy.sourceId.toLowerCase() === snap.id.toLowerCase() && this.copyInProgress(other)) {
          other.copy.error = {
            errorCode: 'CopySourceNotFound',
            errorMessage: `The source snapshot '${snap.id}' was deleted before the copy completed.`,
          };
          other.copy.failedAt = now;
        }
      }
      this.snapshots.delete(snap.id.toLowerCase());
      this.blocks.deleteSnapshot(snap.uniqueId);
    }
    return op;
  }

  storedBytes(snapshotId: string): number {
    return this.blocks.storedBytes(this.snapshot(snapshotId).uniqueId);
  }

  deleteImpact(snapshotId: string): DeleteImpact {
    const snap = this.snapshot(snapshotId);
    const impact = this.blocks.deleteImpact(snap.uniqueId);
    // Report ARM ids rather than the block model's unique ids.
    const byUnique = new Map([...this.snapshots.values()].map((s) => [s.uniqueId, s.id]));
    return {
      ...impact,
      snapshotId: snap.id,
      moved: impact.moved.map((m) => ({ ...m, snapshotId: byUnique.get(m.snapshotId) ?? m.snapshotId })),
    };
  }

  changedBlocks(firstSnapshotId: string, secondSnapshotId: string): number[] {
    return this.blocks.changedBlocks(this.snapshot(firstSnapshotId).uniqueId, this.snapshot(secondSnapshotId).uniqueId);
  }

  /** `count` completed incremental snapshots of a disk at once (benchmarks); returns their ids. */
  bulkSnapshots(diskId: string, count: number): string[] {
    if (!Number.isInteger(count) || count < 0 || count > 100000) {
      throw new TypeError('count must be a whole number between 0 and 100000');
    }
    const disk = this.disk(diskId);
    const ids: string[] = [];
    const now = this.now();
    for (let i = 0; i < count; i++) {
      const seq = this.seq();
      const name = `${disk.name}-bulk-${seq}`;
      const id = computeId(disk.subscriptionId, disk.resourceGroup, 'snapshots', name);
      const uniqueId = randomUUID();
      this.blocks.snapshot(disk.uniqueId, uniqueId);
      this.snapshots.set(id.toLowerCase(), {
        id,
        name,
        subscriptionId: disk.subscriptionId,
        resourceGroup: disk.resourceGroup,
        location: disk.location,
        tags: { bulk: 'true' },
        createdAt: now,
        readyAt: now,
        seq,
        uniqueId,
        incremental: true,
        familyId: disk.familyId,
        sizeGB: disk.sizeGB,
        skuName: 'Standard_LRS',
        osType: disk.osType,
        hyperVGeneration: disk.hyperVGeneration,
        encryption: { ...disk.encryption },
        creationData: { createOption: 'Copy', sourceResourceId: disk.id, sourceUniqueId: disk.uniqueId },
        sourceDiskId: disk.id,
      });
      ids.push(id);
    }
    this.touch();
    return ids;
  }
}
