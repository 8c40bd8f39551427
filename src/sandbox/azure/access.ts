/**
 * SAS grants (beginGetAccess / endGetAccess) and what an export URL serves.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GIB } from '../state-kit';
import { invalidParameter, notAllowed } from './errors';
import type { AccessGrant, DiskRecord, OperationRecord, SnapshotRecord } from './records';
import { AzureSnapshots } from './snapshots';

export abstract class AzureAccess extends AzureSnapshots {
  grantAccess(
    record: DiskRecord | SnapshotRecord,
    kind: 'disks' | 'snapshots',
    input: { access?: string; durationInSeconds?: number; fileFormat?: string },
    sasUrl: (grant: AccessGrant) => string,
    fail = false,
  ): OperationRecord {
    const opName = kind === 'disks' ? 'Disks_GrantAccess' : 'Snapshots_GrantAccess';
    if (input.access !== 'Read') {
      throw invalidParameter(
        `The value '${String(input.access)}' of parameter 'access' is not supported by the sandbox: only 'Read' (export) is.`,
        'access',
      );
    }
    const duration = input.durationInSeconds;
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > 5 * 24 * 3600) {
      throw invalidParameter(`The value '${String(duration)}' of parameter 'durationInSeconds' is invalid.`, 'durationInSeconds');
    }
    const format = input.fileFormat === undefined ? 'VHD' : input.fileFormat.toUpperCase();
    if (format !== 'VHD' && format !== 'VHDX') {
      throw invalidParameter(`The value '${String(input.fileFormat)}' of parameter 'fileFormat' is invalid (VHD or VHDX).`, 'fileFormat');
    }
    if (this.now() < record.readyAt) {
      throw notAllowed(`The ${kind === 'disks' ? 'disk' : 'snapshot'} '${record.name}' is still being provisioned.`);
    }
    if (kind === 'snapshots' && this.copyInProgress(record as SnapshotRecord)) {
      throw notAllowed(`The snapshot '${record.name}' is still being copied (completionPercent < 100) and cannot be exported yet.`);
    }
    if (this.activeGrant(record.id)) {
      throw notAllowed(
        `The ${kind === 'disks' ? 'disk' : 'snapshot'} '${record.name}' already has an active SAS URI (diskState ActiveSAS). Call endGetAccess first.`,
      );
    }
    if (kind === 'disks' && (record as DiskRecord).managedBy) {
      const vm = this.vms.get(((record as DiskRecord).managedBy ?? '').toLowerCase());
      if (vm && this.powerState(vm) !== 'deallocated') {
        throw notAllowed(`Disk ${record.name} is attached to a VM that is not deallocated: deallocate VM '${vm.name}' before exporting the disk.`);
      }
    }
    const now = this.now();
    const grant: AccessGrant = {
      id: randomUUID().replace(/-/g, ''),
      resourceId: record.id,
      fileFormat: format,
      grantedAt: now,
      expiresAt: now + duration * 1000,
      sig: randomBytes(24).toString('base64url'),
    };
    const output = { accessSAS: sasUrl(grant) };
    const op = this.operationOn(record, opName, 'POST', { fail, output });
    if (!fail) {
      this.grants.set(grant.id, grant);
    }
    return op;
  }

  revokeAccess(record: DiskRecord | SnapshotRecord, kind: 'disks' | 'snapshots', fail = false): OperationRecord {
    const op = this.operationOn(record, kind === 'disks' ? 'Disks_RevokeAccess' : 'Snapshots_RevokeAccess', 'POST', { fail });
    if (!fail) {
      const now = this.now();
      for (const grant of this.grants.values()) {
        if (grant.resourceId.toLowerCase() === record.id.toLowerCase() && grant.revokedAt === undefined) {
          grant.revokedAt = now;
        }
      }
    }
    return op;
  }

  /** The SAS grant of a blob URL, with what it exports; undefined when unknown. */
  grant(id: string): AccessGrant | undefined {
    return this.grants.get(id);
  }

  /** The block map behind a grant's resource (undefined for an empty disk). */
  exportSource(grant: AccessGrant): { sizeBytes: number; blockContent: (index: number) => number | undefined } | undefined {
    const key = grant.resourceId.toLowerCase();
    const disk = this.disks.get(key);
    const snap = this.snapshots.get(key);
    const record = disk ?? snap;
    if (!record) {
      return undefined;
    }
    const sizeBytes = record.sizeGB * GIB;
    if (disk) {
      const blocks = this.blocks.getDisk(disk.uniqueId)?.blocks;
      return { sizeBytes, blockContent: (i) => blocks?.get(i) };
    }
    const uid = (snap as SnapshotRecord).uniqueId;
    return { sizeBytes, blockContent: (i) => this.blocks.blockContent(uid, i) };
  }
}
