/**
 * Volumes and snapshots: create, copy, delete, write (the block model's incremental snapshots).
 */
import { BLOCK_SIZE, BLOCKS_PER_GIB, type DeleteImpact } from '../blocks';
import { Ec2Error, incorrectState, invalidValue, missingParameter } from './errors';
import {
  COPY_VOLUME_ID,
  type CopySnapshotInput,
  type CreateSnapshotsInput,
  type CreateVolumeInput,
  defaultKmsKey,
  mergeTags,
  type SnapshotRecord,
  type TagSpec,
  unique,
  type VolumeRecord,
} from './records';
import { AwsDescribe } from './describe';

export abstract class AwsVolumes extends AwsDescribe {
  createSnapshot(region: string, input: { volumeId?: string; description?: string; tagSpecs?: TagSpec[] }): SnapshotRecord {
    this.settle();
    if (!input.volumeId) {
      throw missingParameter('volumeId');
    }
    const volume = this.volume(region, input.volumeId);
    const tags = this.tagsFor(input.tagSpecs, 'snapshot', ['snapshot']);
    this.checkText('description', input.description);
    return this.snapshotVolume(volume, input.description ?? '', tags);
  }

  createSnapshots(region: string, input: CreateSnapshotsInput): SnapshotRecord[] {
    this.settle();
    if (!input.instanceId) {
      throw missingParameter('InstanceSpecification.InstanceId');
    }
    const instance = this.instance(region, input.instanceId);
    if (input.copyTagsFromSource !== undefined && input.copyTagsFromSource !== 'volume') {
      throw invalidValue(`Value (${input.copyTagsFromSource}) for parameter CopyTagsFromSource is invalid.`);
    }
    this.checkText('description', input.description);
    const extraTags = this.tagsFor(input.tagSpecs, 'snapshot', ['snapshot']);
    for (const id of input.excludeDataVolumeIds ?? []) {
      const volume = this.volume(region, id);
      if (volume.attachment?.instanceId !== instance.id) {
        throw invalidValue(`The volume '${id}' is not attached to instance '${instance.id}'.`);
      }
      if (volume.attachment.device === instance.rootDeviceName) {
        throw invalidValue(`The root volume '${id}' cannot be excluded with ExcludeDataVolumeIds; use ExcludeBootVolume.`);
      }
    }
    const volumes = this.attachedVolumes(instance).filter((v) => {
      const isRoot = v.attachment?.device === instance.rootDeviceName;
      if (isRoot && input.excludeBootVolume) {
        return false;
      }
      return !(input.excludeDataVolumeIds ?? []).includes(v.id);
    });
    if (volumes.length === 0) {
      throw invalidValue(`The instance '${instance.id}' has no volumes left to snapshot.`);
    }
    for (const volume of volumes) {
      this.requireUsable(volume);
    }
    return volumes.map((volume) => {
      const tags = input.copyTagsFromSource === 'volume' ? mergeTags(volume.tags, extraTags) : extraTags;
      return this.snapshotVolume(volume, input.description ?? '', tags);
    });
  }

  copySnapshot(destinationRegion: string, input: CopySnapshotInput): SnapshotRecord {
    this.settle();
    if (!input.sourceRegion) {
      throw missingParameter('SourceRegion');
    }
    if (!input.sourceSnapshotId) {
      throw missingParameter('SourceSnapshotId');
    }
    if (!this.region(input.sourceRegion)) {
      throw invalidValue(`Invalid value '${input.sourceRegion}' for SourceRegion.`);
    }
    const source = this.snapshot(input.sourceRegion, input.sourceSnapshotId);
    if (this.snapshotStatus(source).status !== 'completed') {
      throw incorrectState(`Snapshot is in invalid state - ${this.snapshotStatus(source).status}`);
    }
    this.checkText('description', input.description);
    const tags = this.tagsFor(input.tagSpecs, 'snapshot', ['snapshot']);
    const encrypted = source.encrypted || input.encrypted === true;
    this.checkKmsDependency(input.kmsKeyId, encrypted);
    const kmsKeyId = encrypted
      ? (input.kmsKeyId ??
        (input.sourceRegion === destinationRegion ? source.kmsKeyId : undefined) ??
        defaultKmsKey(destinationRegion))
      : undefined;
    const id = this.newId('snap');
    const copy = this.blocks.copySnapshot(source.id, id);
    const now = this.now();
    const record: SnapshotRecord = {
      id,
      region: destinationRegion,
      volumeId: COPY_VOLUME_ID,
      volumeSize: source.volumeSize,
      description: input.description ?? `[Copied ${source.id} from ${input.sourceRegion}]`,
      encrypted,
      kmsKeyId,
      startTime: now,
      completeAt: now + this.snapshotDuration(copy.owned.size * BLOCK_SIZE),
      tags,
      volumeLineage: [],
      copiedFrom: { region: input.sourceRegion, snapshotId: source.id },
      seq: this.seq(),
    };
    this.snapshots.set(id, record);
    this.touch();
    return record;
  }

  deleteSnapshot(region: string, snapshotId: string | undefined): DeleteImpact {
    this.settle();
    if (!snapshotId) {
      throw missingParameter('snapshotId');
    }
    const snap = this.snapshot(region, snapshotId);
    const users = this.imagesUsing(snap.id);
    if (users.length > 0) {
      throw new Ec2Error('InvalidSnapshot.InUse', `The snapshot ${snap.id} is currently in use by ${users[0].id}`);
    }
    const impact = this.blocks.deleteSnapshot(snap.id);
    this.snapshots.delete(snap.id);
    this.touch();
    return impact;
  }

  /** What deleting a snapshot would free or hand to its children. */
  deleteImpact(region: string, snapshotId: string): DeleteImpact {
    return this.blocks.deleteImpact(this.snapshot(region, snapshotId).id);
  }

  storedBytes(region: string, snapshotId: string): number {
    return this.blocks.storedBytes(this.snapshot(region, snapshotId).id);
  }

  /** Adds `count` completed snapshots of a volume at once (for paging tests and benchmarks). */
  bulkSnapshots(region: string, volumeId: string, count: number): string[] {
    if (!Number.isInteger(count) || count < 1 || count > 100000) {
      throw invalidValue(`count must be between 1 and 100000, not ${count}`);
    }
    const volume = this.volume(region, volumeId);
    const now = this.now();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.newId('snap');
      this.blocks.snapshot(volume.id, id);
      this.snapshots.set(id, {
        id,
        region,
        volumeId: volume.id,
        volumeSize: volume.size,
        description: `Bulk snapshot ${i + 1} of ${count}`,
        encrypted: volume.encrypted,
        kmsKeyId: volume.kmsKeyId,
        startTime: now,
        completeAt: now,
        tags: [],
        volumeLineage: [volume.id, ...volume.lineage],
        seq: this.seq(),
      });
      ids.push(id);
    }
    this.touch();
    return ids;
  }

  createVolume(region: string, input: CreateVolumeInput): VolumeRecord {
    this.settle();
    const tokenKey = input.clientToken ? `${region}/${input.clientToken}` : undefined;
    const fingerprint = JSON.stringify([
      input.availabilityZone,
      input.size,
      input.snapshotId,
      input.volumeType,
      input.iops,
      input.throughput,
      input.encrypted,
      input.kmsKeyId,
    ]);
    if (tokenKey) {
      const previous = this.volumeTokens.get(tokenKey);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw new Ec2Error(
            'IdempotentParameterMismatch',
            `The client token '${input.clientToken}' was already used with different parameters.`,
          );
        }
        const existing = this.volumes.get(previous.volumeId);
        if (existing) {
          return existing;
        }
      }
    }
    if (!input.availabilityZone) {
      throw missingParameter('AvailabilityZone');
    }
    const regionInfo = this.requireRegion(region);
    if (!regionInfo.zones.includes(input.availabilityZone)) {
      throw invalidValue(`Invalid availability zone: [${input.availabilityZone}]`);
    }
    const snap = input.snapshotId ? this.snapshot(region, input.snapshotId) : undefined;
    if (snap && this.snapshotStatus(snap).status !== 'completed') {
      throw incorrectState(`Snapshot is in invalid state - ${this.snapshotStatus(snap).status}`);
    }
    if (input.size === undefined && !snap) {
      throw missingParameter('size/snapshotId');
    }
    const volumeType = this.volumeType(input.volumeType ?? 'gp2');
    const size = input.size ?? snap?.volumeSize ?? 1;
    if (snap && size < snap.volumeSize) {
      throw invalidValue(
        `Volume of size ${size}GB is smaller than snapshot '${snap.id}', expect size >= ${snap.volumeSize}GB`,
      );
    }
    this.checkSize(volumeType, size);
    const { iops, throughput } = this.performance(volumeType, size, input.iops, input.throughput);
    const encrypted = snap?.encrypted === true || input.encrypted === true;
    if (snap?.encrypted && input.encrypted === false) {
      throw new Ec2Error('InvalidParameterCombination', 'Volumes created from encrypted snapshots are always encrypted.');
    }
    this.checkKmsDependency(input.kmsKeyId, encrypted);
    const kmsKeyId = encrypted ? (input.kmsKeyId ?? snap?.kmsKeyId ?? defaultKmsKey(region)) : undefined;
    const tags = this.tagsFor(input.tagSpecs, 'volume', ['volume']);
    const id = this.newId('vol');
    this.blocks.createDisk(id, size * BLOCKS_PER_GIB, snap?.id);
    const now = this.now();
    const volume: VolumeRecord = {
      id,
      region,
      zone: input.availabilityZone,
      size,
      volumeType,
      iops,
      throughput,
      encrypted,
      kmsKeyId,
      createTime: now,
      readyAt: now + this.timing.volumeMs,
      snapshotId: snap?.id,
      tags,
      lineage: snap ? unique([snap.volumeId, ...snap.volumeLineage]).filter((v) => v !== COPY_VOLUME_ID) : [],
      seq: this.seq(),
    };
    this.volumes.set(id, volume);
    if (tokenKey) {
      this.volumeTokens.set(tokenKey, { volumeId: id, fingerprint });
    }
    this.touch();
    return volume;
  }

  deleteVolume(region: string, volumeId: string | undefined): void {
    this.settle();
    if (!volumeId) {
      throw missingParameter('volumeId');
    }
    const volume = this.volume(region, volumeId);
    if (volume.attachment) {
      throw new Ec2Error('VolumeInUse', `Volume ${volume.id} is currently attached to ${volume.attachment.instanceId}`);
    }
    this.volumes.delete(volume.id);
    this.blocks.deleteDisk(volume.id);
    this.touch();
  }

  /** Writes `mib` MiB of new data to a volume (the sandbox's "Simulate Writes"). */
  writeMiB(region: string, volumeId: string, mib: number): number {
    if (!Number.isInteger(mib) || mib < 1 || mib > 1024 * 1024) {
      throw invalidValue(`mib must be a whole number between 1 and 1048576, not ${mib}`);
    }
    const volume = this.volume(region, volumeId);
    const written = this.blocks.writeMiB(volume.id, mib);
    this.touch();
    return written;
  }
}
