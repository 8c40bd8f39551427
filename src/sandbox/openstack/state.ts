/**
 * What Nova, Cinder and Glance do in the OpenStack sandbox (wire-neutral), on the block model:
 * - a local root disk (boot from image) is a block-model disk; an image of it (Nova createImage,
 *   Cinder os-volume_upload_image) is a full copy; rebuild gives the root disk the image's blocks;
 * - a Cinder volume is a disk; its snapshots are incremental against the previous one;
 * - a Cinder backup is on its own backend: a full backup stores every block, an incremental one
 *   only the blocks changed since its parent backup; a restore writes the backup's blocks.
 * The refusals are Cinder's, Nova's and Glance's own checks, in their words.
 */
import { BLOCK_SIZE, BlockStore, type BlockStoreJson } from '../blocks';
import { GIB, transferMs } from '../state-kit';
import { badRequest, conflict, forbidden, OsError } from './errors';
import type { AppCredentialRecord, BackupRecord, FlavorRecord, ImageRecord, KeypairRecord, NetworkRecord, ProjectRecord, ServerRecord, SnapshotRecord, TokenRecord, UserRecord, VolumeRecord } from './records';
import { type OsStateOptions, OsStore } from './store';

export * from './records';
export type { AuthRequest, OsStateOptions } from './store';
export { CATALOG_SERVICES, MAX_MICROVERSION, MIN_MICROVERSION } from './store';

/** Cinder's refusal to delete a volume (cinder/volume/api.py). */
const VOLUME_DELETE_REFUSED =
  'Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.';

/** Chunk size of the chunked backup drivers (`backup_swift_object_size`, 50 MiB). */
const BACKUP_OBJECT_BYTES = 50 * 1024 * 1024;

export interface OsCounts {
  regions: number;
  servers: number;
  volumes: number;
  snapshots: number;
  backups: number;
  images: number;
  tokens: number;
}

export interface OsStateJson {
  version: 1;
  regions: string[];
  projects: ProjectRecord[];
  users: UserRecord[];
  appCredentials: AppCredentialRecord[];
  flavors: FlavorRecord[];
  networks: NetworkRecord[];
  keypairs: KeypairRecord[];
  tokens: TokenRecord[];
  servers: ServerRecord[];
  volumes: VolumeRecord[];
  snapshots: SnapshotRecord[];
  backups: BackupRecord[];
  images: ImageRecord[];
  tokenLifetimeMs: number;
  removedServices: string[];
  maxMicroversion: { compute: string; volume: string };
  killNextImage: boolean;
  failNextRebuild: boolean;
  /** Absent in state files written before it existed. */
  regionLatencyMs?: Record<string, number>;
  nextSeq: number;
  blocks: BlockStoreJson;
}

export interface CreateVolumeInput {
  /** A given id (the seed's stable ids); a new UUID otherwise. */
  id?: string;
  region: string;
  name?: string;
  description?: string;
  sizeGiB?: number;
  snapshotId?: string;
  imageId?: string;
  volumeType?: string;
  az?: string;
  metadata?: Record<string, string>;
}

export interface CreateServerInput {
  /** A given id (the seed's stable ids); a new UUID otherwise. */
  id?: string;
  region: string;
  name: string;
  imageId: string;
  flavorId: string;
  networkId?: string;
  keyName?: string;
  az?: string;
  metadata?: Record<string, string>;
}

export class OsState extends OsStore {
  // ---- volumes ------------------------------------------------------------------------------

  /** Adds a volume with its blocks (empty, or from a block-model snapshot). */
  addVolume(input: Omit<VolumeRecord, 'createdAt' | 'updatedAt'>, fromBlockId?: string): VolumeRecord {
    const now = this.now();
    const volume: VolumeRecord = { ...input, createdAt: now, updatedAt: now };
    this.volumes.set(volume.id, volume);
    this.blocks.createDisk(volume.id, volume.sizeGiB * (GIB / BLOCK_SIZE), fromBlockId);
    this.touch();
    return volume;
  }

  /** Writes `mib` MiB of new data to a volume or a server's local root disk; returns the bytes changed. */
  writeMiB(diskId: string, mib: number): number {
    const server = this.servers.get(diskId);
    const disk = server?.rootDisk ?? server?.rootVolumeId ?? diskId;
    if (!this.blocks.hasDisk(disk)) {
      throw new OsError(404, `No volume or server ${diskId}.`);
    }
    const changed = this.blocks.writeMiB(disk, mib) * BLOCK_SIZE;
    this.touch();
    return changed;
  }

  createVolume(input: CreateVolumeInput): VolumeRecord {
    const snap = input.snapshotId === undefined ? undefined : this.snapshot(input.snapshotId, input.region);
    const image = input.imageId === undefined ? undefined : this.image(input.imageId, input.region);
    if (snap && snap.status !== 'available') {
      throw badRequest(`Invalid snapshot: Originating snapshot status must be one of 'available' values`);
    }
    if (image && (image.status !== 'active' || image.blockId === undefined)) {
      throw badRequest(`Invalid image identifier or unable to access requested image.`);
    }
    const size = input.sizeGiB ?? snap?.sizeGiB ?? (image ? Math.max(1, image.minDisk) : undefined);
    if (size === undefined || !Number.isInteger(size) || size < 1) {
      throw badRequest(`Invalid input received: "size" (${String(input.sizeGiB)}) must be an integer greater than 0.`);
    }
    if (snap && size < snap.sizeGiB) {
      throw badRequest(`Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${snap.sizeGiB}GB. They must be >= original snapshot size.`);
    }
    if (image && size * GIB < image.sizeBytes) {
      throw badRequest(`Invalid input received: Size of specified image ${Math.ceil(image.sizeBytes / GIB)}GB is larger than volume size ${size}GB.`);
    }
    const source = snap ? this.volumes.get(snap.volumeId) : undefined;
    return this.addVolume(
      {
        id: input.id ?? this.newId(),
        name: input.name ?? '',
        description: input.description ?? '',
        region: input.region,
        az: input.az ?? source?.az ?? 'nova',
        sizeGiB: size,
        status: 'creating',
        pending: { status: 'available', at: this.now() + this.timing.volumeMs },
        volumeType: input.volumeType ?? source?.volumeType ?? '__DEFAULT__',
        bootable: image !== undefined || (source?.bootable ?? false),
        sourceSnapshotId: snap?.id,
        sourceImageId: image?.id,
        metadata: input.metadata ?? {},
      },
      snap?.blockId ?? image?.blockId,
    );
  }

  deleteVolume(id: string, region: string): void {
    const volume = this.volume(id, region);
    const hasSnapshots = [...this.snapshots.values()].some((s) => s.volumeId === id);
    if (!['available', 'error'].includes(volume.status) || volume.attachment || hasSnapshots) {
      throw badRequest(`Invalid volume: ${VOLUME_DELETE_REFUSED}`);
    }
    this.volumes.delete(id);
    this.blocks.deleteDisk(id);
    this.touch();
  }

  setBootable(id: string, region: string, bootable: boolean): void {
    this.volume(id, region).bootable = bootable;
    this.touch();
  }

  // ---- Cinder snapshots ---------------------------------------------------------------------

  createSnapshot(input: { region: string; volumeId: string; name?: string; description?: string; force?: boolean; metadata?: Record<string, string>; microversion: number }): SnapshotRecord {
    const volume = this.volume(input.volumeId, input.region);
    // cinder/volume/api.py _create_snapshot: before 3.66 an in-use volume needs `force`.
    const inUseAllowed = input.force === true || input.microversion >= 66;
    if (volume.status !== 'available' && !(volume.status === 'in-use' && inUseAllowed)) {
      throw badRequest(`Invalid volume: Volume ${volume.id} status must be available, but current status is: ${volume.status}.`);
    }
    const id = this.newId();
    const blockId = `snap/${id}`;
    this.blocks.snapshot(volume.id, blockId);
    const now = this.now();
    const snap: SnapshotRecord = {
      id,
      name: input.name ?? '',
      description: input.description ?? '',
      region: input.region,
      volumeId: volume.id,
      sizeGiB: volume.sizeGiB,
      status: 'creating',
      pending: { status: 'available', at: now + this.timing.snapshotMs },
      blockId,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    this.snapshots.set(id, snap);
    this.touch();
    return snap;
  }

  deleteSnapshot(id: string, region: string): void {
    const snap = this.snapshot(id, region);
    if (snap.status !== 'available' && snap.status !== 'error') {
      throw badRequest('Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.');
    }
    if ([...this.volumes.values()].some((v) => v.sourceSnapshotId === id && v.status === 'creating')) {
      throw badRequest(`Invalid snapshot: Snapshot ${id} is in use by a volume being created.`);
    }
    if (this.blocks.hasSnapshot(snap.blockId)) {
      this.blocks.deleteSnapshot(snap.blockId);
    }
    this.snapshots.delete(id);
    this.touch();
  }

  /** The volume's latest snapshot (Cinder's `Snapshot.get_latest_for_volume`). */
  latestSnapshot(volumeId: string): SnapshotRecord | undefined {
    let latest: SnapshotRecord | undefined;
    for (const snap of this.snapshots.values()) {
      if (snap.volumeId === volumeId && (!latest || snap.createdAt >= latest.createdAt)) {
        latest = snap;
      }
    }
    return latest;
  }

  /** Cinder's revert (3.40): only to the volume's latest snapshot, the volume available and of the snapshot's size. */
  revert(volumeId: string, snapshotId: string, region: string): void {
    const volume = this.volume(volumeId, region);
    const snap = this.snapshot(snapshotId, region);
    const latest = this.latestSnapshot(volume.id);
    if (snap.volumeId !== volume.id || latest?.id !== snap.id) {
      throw badRequest(`Specified snapshot ${snap.id} is not the latest one of volume ${volume.id}.`);
    }
    if (volume.sizeGiB !== snap.sizeGiB) {
      throw badRequest(`Can't revert volume ${volume.id} to its latest snapshot ${snap.id}. The volume size must be equal to the snapshot size.`);
    }
    if (volume.status !== 'available' || snap.status !== 'available') {
      throw badRequest(`Invalid volume: Volume ${volume.id} status must be available, but current status is: ${volume.status}.`);
    }
    this.restoreDisk(volume.id, snap.blockId);
    const at = this.now() + this.timing.volumeMs;
    volume.status = 'reverting';
    volume.pending = { status: 'available', at };
    snap.status = 'restoring';
    snap.pending = { status: 'available', at };
    this.touch();
  }

  /** Gives a disk the blocks of a block-model snapshot, keeping its snapshot chain. */
  private restoreDisk(diskId: string, blockId: string): void {
    const disk = this.blocks.getDisk(diskId);
    const chainParent = disk?.lineageParent;
    const size = disk?.sizeBlocks ?? 0;
    this.blocks.deleteDisk(diskId);
    const restored = this.blocks.createDisk(diskId, size, blockId);
    restored.lineageParent = chainParent;
  }

  // ---- Cinder backups -----------------------------------------------------------------------

  createBackup(input: { region: string; volumeId: string; name?: string; description?: string; incremental?: boolean; force?: boolean; snapshotId?: string; metadata?: Record<string, string> }): BackupRecord {
    const volume = this.volume(input.volumeId, input.region);
    const snap = input.snapshotId === undefined ? undefined : this.snapshot(input.snapshotId, input.region);
    if (volume.status !== 'available' && volume.status !== 'in-use') {
      throw badRequest(`Invalid volume: Volume to be backed up must be available or in-use, but the current status is "${volume.status}".`);
    }
    if (volume.status === 'in-use' && !input.force && !snap) {
      throw badRequest('Invalid volume: Backing up an in-use volume must use the force flag.');
    }
    const now = this.now();
    // The time of the data it holds: the snapshot's, else now (Cinder's data_timestamp).
    const dataTimestamp = snap?.createdAt ?? now;
    const previous = input.incremental ? this.incrementalParent(volume.id, snap?.createdAt) : undefined;
    if (input.incremental && !previous) {
      throw badRequest('Invalid backup: No backups available to do an incremental backup.');
    }
    const id = this.newId();
    const blockId = `backup/${id}`;
    const source = snap?.blockId;
    if (input.incremental && previous) {
      // The changed blocks since the parent: a point-in-time copy, then only what differs from the parent.
      const scratch = `backup-scratch/${id}`;
      const from = source ?? this.blocks.fullSnapshot(volume.id, scratch).id;
      this.blocks.copySnapshotIncremental(from, blockId, previous.blockId);
      if (source === undefined) {
        this.blocks.deleteSnapshot(scratch);
      }
    } else if (source !== undefined) {
      this.blocks.copySnapshot(source, blockId);
    } else {
      this.blocks.fullSnapshot(volume.id, blockId);
    }
    const stored = this.blocks.storedBytes(blockId);
    const at = now + transferMs(stored, { baseMs: this.timing.backupMs, msPerGiB: this.timing.backupMsPerGiB, maxMs: this.timing.backupMs * 4 });
    const backup: BackupRecord = {
      id,
      name: input.name ?? '',
      description: input.description ?? '',
      region: input.region,
      az: volume.az,
      volumeId: volume.id,
      sizeGiB: volume.sizeGiB,
      status: 'creating',
      pending: { status: 'available', at },
      incremental: input.incremental === true,
      parentId: previous?.id,
      blockId,
      dataTimestamp,
      snapshotId: snap?.id,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    this.backups.set(id, backup);
    const before = volume.status;
    volume.status = 'backing-up';
    volume.pending = { status: before, at };
    this.touch();
    return backup;
  }

  /**
   * The parent Cinder gives a new incremental backup of a volume (cinder/backup/api.py): of its
   * available backups, the one with the latest data_timestamp — for a backup of a snapshot, the
   * latest whose data is older than the snapshot.
   */
  incrementalParent(volumeId: string, snapshotCreatedAt?: number): BackupRecord | undefined {
    let parent: BackupRecord | undefined;
    for (const backup of this.backups.values()) {
      const at = dataTimestampOf(backup);
      if (backup.volumeId !== volumeId || backup.status !== 'available' || (snapshotCreatedAt !== undefined && at >= snapshotCreatedAt)) {
        continue;
      }
      if (!parent || at > dataTimestampOf(parent)) {
        parent = backup;
      }
    }
    return parent;
  }

  /** Bytes the backup really stores (full: every non-zero block; incremental: the changed ones). */
  backupStoredBytes(backup: BackupRecord): number {
    return this.blocks.hasSnapshot(backup.blockId) ? this.blocks.storedBytes(backup.blockId) : 0;
  }

  /** The chunked driver's objects: one per 50 MiB stored. */
  backupObjectCount(backup: BackupRecord): number {
    return Math.ceil(this.backupStoredBytes(backup) / BACKUP_OBJECT_BYTES);
  }

  hasDependentBackups(id: string): boolean {
    return [...this.backups.values()].some((b) => b.parentId === id);
  }

  deleteBackup(id: string, region: string): void {
    const backup = this.backup(id, region);
    if (backup.status !== 'available' && backup.status !== 'error') {
      throw badRequest('Invalid backup: Backup status must be available or error');
    }
    if (this.hasDependentBackups(id)) {
      throw badRequest('Invalid backup: Incremental backups exist for this backup.');
    }
    if (this.blocks.hasSnapshot(backup.blockId)) {
      this.blocks.deleteSnapshot(backup.blockId);
    }
    this.backups.delete(id);
    this.touch();
  }

  /** Restores a backup to a new volume, or over an existing available one of at least its size. */
  restoreBackup(id: string, region: string, volumeId?: string, name?: string): VolumeRecord {
    const backup = this.backup(id, region);
    if (backup.status !== 'available') {
      throw badRequest('Invalid backup: Backup status must be available');
    }
    const at = this.now() + this.timing.volumeMs;
    let volume: VolumeRecord;
    if (volumeId === undefined) {
      volume = this.addVolume(
        {
          id: this.newId(),
          name: name ?? `restore_backup_${backup.id}`,
          description: `auto-created_from_restore_from_backup`,
          region,
          az: backup.az,
          sizeGiB: backup.sizeGiB,
          status: 'restoring-backup',
          pending: { status: 'available', at },
          volumeType: '__DEFAULT__',
          bootable: false,
          metadata: {},
        },
        backup.blockId,
      );
    } else {
      volume = this.volume(volumeId, region);
      if (volume.status !== 'available') {
        throw badRequest('Invalid volume: Volume to be restored to must be available');
      }
      if (volume.sizeGiB < backup.sizeGiB) {
        throw badRequest(`Invalid volume: volume size ${volume.sizeGiB} is too small to restore backup of size ${backup.sizeGiB}.`);
      }
      this.restoreDisk(volume.id, backup.blockId);
      volume.status = 'restoring-backup';
      volume.pending = { status: 'available', at };
    }
    backup.status = 'restoring';
    backup.pending = { status: 'available', at };
    backup.restoringVolumeId = volume.id;
    this.touch();
    return volume;
  }

  // ---- Glance images ------------------------------------------------------------------------

  /** A new image: queued, saving, then active (or killed under the control). */
  addImage(input: Omit<ImageRecord, 'status' | 'steps' | 'createdAt' | 'updatedAt'>, settled = false): ImageRecord {
    const now = this.now();
    const killed = !settled && this.killNextImage;
    this.killNextImage = false;
    const image: ImageRecord = {
      ...input,
      status: settled ? 'active' : 'queued',
      steps: settled
        ? []
        : [
            { status: 'saving', at: now + this.timing.imageMs / 4 },
            { status: killed ? 'killed' : 'active', at: now + this.timing.imageMs },
          ],
      createdAt: now,
      updatedAt: now,
    };
    this.images.set(image.id, image);
    this.touch();
    return image;
  }

  deleteImage(id: string, region: string): void {
    const image = this.image(id, region);
    if (image.protected) {
      throw forbidden(`Image ${id} is protected and cannot be deleted.`);
    }
    if (image.blockId !== undefined && this.blocks.hasSnapshot(image.blockId)) {
      this.blocks.deleteSnapshot(image.blockId);
    }
    this.images.delete(id);
    this.touch();
  }

  /** Cinder os-volume_upload_image: a Glance image of the volume (the volume `uploading` meanwhile). */
  uploadVolumeImage(volumeId: string, region: string, imageName: string, diskFormat = 'raw', containerFormat = 'bare', force = false): ImageRecord {
    const volume = this.volume(volumeId, region);
    if (volume.status !== 'available' && !(volume.status === 'in-use' && force)) {
      throw badRequest(`Invalid volume: Volume ${volume.id} status must be available or in-use, but current status is: ${volume.status}.`);
    }
    const id = this.newId();
    const blockId = `image/${id}`;
    this.blocks.copySnapshot(this.blocks.fullSnapshot(volume.id, `${blockId}#source`).id, blockId);
    this.blocks.deleteSnapshot(`${blockId}#source`);
    const project = this.projects[0];
    const image = this.addImage({
      id,
      name: imageName,
      region,
      owner: project.id,
      visibility: 'private',
      diskFormat,
      containerFormat,
      sizeBytes: this.blocks.fullBytes(blockId),
      minDisk: volume.sizeGiB,
      minRam: 0,
      blockId,
      tags: [],
      properties: {},
      protected: false,
    });
    const before = volume.status;
    volume.status = 'uploading';
    volume.pending = { status: before, at: this.now() + this.timing.imageMs };
    return image;
  }

  // ---- Nova servers -------------------------------------------------------------------------

  /** The volumes attached to a server, its root volume first. */
  attachedVolumes(serverId: string): VolumeRecord[] {
    const server = this.servers.get(serverId);
    return [...this.volumes.values()]
      .filter((v) => v.attachment?.serverId === serverId)
      .sort((a, b) => (a.id === server?.rootVolumeId ? -1 : b.id === server?.rootVolumeId ? 1 : (a.attachment?.device ?? '').localeCompare(b.attachment?.device ?? '')));
  }

  /** Nova's 409 for an action the server's state does not allow. */
  private checkState(server: ServerRecord, action: string, allowed: string[]): void {
    if (server.task !== undefined) {
      throw conflict(`Cannot '${action}' instance ${server.id} while it is in task_state ${server.task}`);
    }
    if (!allowed.includes(server.status)) {
      throw conflict(`Cannot '${action}' instance ${server.id} while it is in vm_state ${vmState(server.status)}`);
    }
  }

  /** Nova createImage: a Glance image of the local root disk, or for a boot-from-volume server Cinder snapshots of its volumes and an image that maps them. */
  createServerImage(serverId: string, region: string, name: string, metadata: Record<string, string>): ImageRecord {
    const server = this.server(serverId, region);
    this.checkState(server, 'createImage', ['ACTIVE', 'SHUTOFF']);
    const project = this.projects[0];
    const id = this.newId();
    const common = { id, name, region, owner: project.id, visibility: 'private' as const, tags: [], protected: false, instanceUuid: server.id, minRam: 0 };
    let image: ImageRecord;
    if (server.rootDisk !== undefined) {
      const base = this.images.get(server.imageId);
      const blockId = `image/${id}`;
      this.blocks.fullSnapshot(server.rootDisk, blockId);
      image = this.addImage({
        ...common,
        diskFormat: base?.diskFormat ?? 'qcow2',
        containerFormat: 'bare',
        sizeBytes: this.blocks.fullBytes(blockId),
        minDisk: this.flavors.find((f) => f.id === server.flavorId)?.diskGiB ?? 0,
        blockId,
        properties: { ...metadata, image_type: 'snapshot', base_image_ref: server.imageId, instance_uuid: server.id, owner_project_name: project.name },
      });
    } else {
      const mapping = this.attachedVolumes(server.id).map((volume, index) => {
        const snap = this.createSnapshot({ region, volumeId: volume.id, name: `snapshot for ${name}`, force: true, microversion: 0 });
        return { snapshotId: snap.id, volumeSize: volume.sizeGiB, bootIndex: index === 0 ? 0 : -1, deviceName: volume.attachment?.device ?? '' };
      });
      image = this.addImage({
        ...common,
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        sizeBytes: 0,
        minDisk: mapping[0]?.volumeSize ?? 0,
        blockDeviceMapping: mapping,
        properties: { ...metadata, image_type: 'snapshot', instance_uuid: server.id, root_device_name: '/dev/vda', bdm_v2: 'True', owner_project_name: project.name },
      });
    }
    server.task = 'image_snapshot';
    this.touch();
    return image;
  }

  /** Nova rebuild: the root disk gets the image's blocks; REBUILD, then ACTIVE (or ERROR under the control). */
  rebuild(serverId: string, region: string, imageId: string, name?: string, microversion = 1): ServerRecord {
    const server = this.server(serverId, region);
    this.checkState(server, 'rebuild', ['ACTIVE', 'SHUTOFF', 'ERROR']);
    const image = this.image(imageId, region, true);
    if (image.status !== 'active') {
      throw badRequest(`Image ${image.id} is not active.`);
    }
    if (server.rootDisk === undefined) {
      // Before 2.93 Nova refuses a new image for a volume-backed server (a boot-from-volume server has none of its own).
      if (microversion < 93) {
        throw badRequest('Unable to rebuild with a different image for a volume-backed server.');
      }
      if (image.blockId === undefined) {
        throw badRequest(`Image ${image.id} has no data of its own to rebuild a volume from.`);
      }
    } else if (image.blockId === undefined) {
      throw badRequest(`Image ${image.id} maps volumes (block_device_mapping) and cannot rebuild a local root disk.`);
    }
    const disk = server.rootDisk ?? server.rootVolumeId;
    if (disk !== undefined && image.blockId !== undefined) {
      this.restoreDisk(disk, image.blockId);
    }
    const failed = this.failNextRebuild;
    this.failNextRebuild = false;
    server.imageId = server.rootDisk === undefined ? '' : image.id;
    if (name !== undefined) {
      server.name = name;
    }
    server.fault = failed ? { code: 500, message: `Failed to rebuild instance ${server.id} from image ${image.id}: the root disk could not be written.`, at: this.now() + this.timing.serverMs } : undefined;
    server.status = 'REBUILD';
    server.task = 'rebuilding';
    server.pending = { status: failed ? 'ERROR' : 'ACTIVE', at: this.now() + this.timing.serverMs };
    server.updatedAt = this.now();
    this.touch();
    return server;
  }

  power(serverId: string, region: string, to: 'ACTIVE' | 'SHUTOFF'): void {
    const server = this.server(serverId, region);
    if (to === 'ACTIVE') {
      this.checkState(server, 'start', ['SHUTOFF']);
      server.task = 'powering-on';
    } else {
      this.checkState(server, 'stop', ['ACTIVE', 'ERROR']);
      server.task = 'powering-off';
    }
    server.pending = { status: to, at: this.now() + this.timing.serverMs };
    this.touch();
  }

  /** Boots a server from an image: a local root disk with the image's blocks, or volumes from a boot-from-volume snapshot's Cinder snapshots. */
  createServer(input: CreateServerInput): ServerRecord {
    const image = this.image(input.imageId, input.region, true);
    if (image.status !== 'active') {
      throw badRequest(`Image ${image.id} is not active.`);
    }
    const flavor = this.flavor(input.flavorId);
    const network = input.networkId === undefined ? this.networks.find((n) => n.region === input.region) : this.networks.find((n) => n.id === input.networkId && n.region === input.region);
    if (!network) {
      throw badRequest(`Network ${input.networkId ?? ''} could not be found.`);
    }
    if (input.keyName !== undefined && !this.keypairs.some((k) => k.name === input.keyName && k.region === input.region)) {
      throw badRequest(`Invalid key_name provided.`);
    }
    if (image.blockId !== undefined && flavor.diskGiB * GIB < image.sizeBytes) {
      throw badRequest(`Flavor's disk is too small for requested image. Flavor disk is ${flavor.diskGiB * GIB} bytes, image is ${image.sizeBytes} bytes.`);
    }
    const id = input.id ?? this.newId();
    const now = this.now();
    const server: ServerRecord = {
      id,
      name: input.name,
      region: input.region,
      az: input.az ?? 'nova',
      status: 'BUILD',
      pending: { status: 'ACTIVE', at: now + this.timing.serverMs },
      task: 'spawning',
      flavorId: flavor.id,
      imageId: image.blockId === undefined ? '' : image.id,
      keyName: input.keyName,
      networkId: network.id,
      address: `${network.cidr.split('.').slice(0, 3).join('.')}.${10 + (this.servers.size % 200)}`,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    this.servers.set(id, server);
    if (image.blockId !== undefined) {
      server.rootDisk = `server/${id}/root`;
      this.blocks.createDisk(server.rootDisk, flavor.diskGiB * (GIB / BLOCK_SIZE), image.blockId);
    } else {
      for (const [index, entry] of (image.blockDeviceMapping ?? []).entries()) {
        const volume = this.createVolume({ region: input.region, snapshotId: entry.snapshotId, sizeGiB: entry.volumeSize, az: server.az });
        volume.status = 'in-use';
        volume.pending = undefined;
        volume.attachment = { serverId: id, device: entry.deviceName || `/dev/vd${String.fromCharCode(97 + index)}`, attachedAt: now };
        if (entry.bootIndex === 0) {
          server.rootVolumeId = volume.id;
          volume.bootable = true;
        }
      }
    }
    this.touch();
    return server;
  }

  // ---- counts and persistence ---------------------------------------------------------------

  counts(): OsCounts {
    return {
      regions: this.regions.length,
      servers: this.servers.size,
      volumes: this.volumes.size,
      snapshots: this.snapshots.size,
      backups: this.backups.size,
      images: this.images.size,
      tokens: this.tokens.size,
    };
  }

  toJSON(): OsStateJson {
    return {
      version: 1,
      regions: this.regions,
      projects: this.projects,
      users: this.users,
      appCredentials: this.appCredentials,
      flavors: this.flavors,
      networks: this.networks,
      keypairs: this.keypairs,
      tokens: [...this.tokens.values()],
      servers: [...this.servers.values()],
      volumes: [...this.volumes.values()],
      snapshots: [...this.snapshots.values()],
      backups: [...this.backups.values()],
      images: [...this.images.values()],
      tokenLifetimeMs: this.tokenLifetimeMs,
      removedServices: this.removedServices,
      maxMicroversion: this.maxMicroversion,
      killNextImage: this.killNextImage,
      failNextRebuild: this.failNextRebuild,
      regionLatencyMs: this.regionLatencyMs,
      nextSeq: this.nextSeq,
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: OsStateJson, options: OsStateOptions = {}): OsState {
    if (json.version !== 1) {
      throw new Error(`unsupported OpenStack state version ${String(json.version)}`);
    }
    const state = new OsState(options, BlockStore.fromJSON(json.blocks));
    state.regions = json.regions;
    state.projects = json.projects;
    state.users = json.users;
    state.appCredentials = json.appCredentials;
    state.flavors = json.flavors;
    state.networks = json.networks;
    state.keypairs = json.keypairs;
    const fill = <T extends { id: string }>(map: Map<string, T>, records: T[]) => records.forEach((r) => map.set(r.id, r));
    fill(state.tokens, json.tokens);
    fill(state.servers, json.servers);
    fill(state.volumes, json.volumes);
    fill(state.snapshots, json.snapshots);
    fill(state.backups, json.backups);
    fill(state.images, json.images);
    state.tokenLifetimeMs = json.tokenLifetimeMs;
    state.removedServices = json.removedServices;
    state.maxMicroversion = json.maxMicroversion;
    state.killNextImage = json.killNextImage;
    state.failNextRebuild = json.failNextRebuild;
    state.regionLatencyMs = json.regionLatencyMs ?? {};
    state.nextSeq = json.nextSeq;
    return state;
  }
}

/** A backup's data_timestamp (state files from before it was kept: its creation). */
export function dataTimestampOf(backup: BackupRecord): number {
  return backup.dataTimestamp ?? backup.createdAt;
}

/** Nova's vm_state for a status. */
export function vmState(status: ServerRecord['status']): string {
  switch (status) {
    case 'SHUTOFF':
      return 'stopped';
    case 'ERROR':
      return 'error';
    case 'BUILD':
      return 'building';
    default:
      return 'active';
  }
}
