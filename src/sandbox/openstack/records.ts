/**
 * The OpenStack sandbox's records and timing (plain data: persisted as they are). A record keeps
 * its settled `status`; a status that moves on by itself (creating → available, saving → active,
 * REBUILD → ACTIVE …) is a `pending` step the state applies once the sandbox clock passes `at`.
 */
import { createHash } from 'node:crypto';

export interface OsTiming {
  /** A Cinder volume stays `creating` (or `restoring-backup`, `reverting`) this long. */
  volumeMs: number;
  /** A Cinder snapshot stays `creating` this long. */
  snapshotMs: number;
  /** A backup stays `creating` this long, plus `backupMsPerGiB` per GiB it stores. */
  backupMs: number;
  backupMsPerGiB: number;
  /** A Glance image of a server stays `queued` then `saving` this long. */
  imageMs: number;
  /** A server stays in REBUILD / BUILD / powering on or off this long. */
  serverMs: number;
}

export const DEFAULT_OS_TIMING: OsTiming = { volumeMs: 2000, snapshotMs: 2500, backupMs: 3000, backupMsPerGiB: 4000, imageMs: 4000, serverMs: 3000 };

/** Every timing at 0: every transition ends at once (tests that do not walk the clock). */
export const INSTANT_OS_TIMING: OsTiming = { volumeMs: 0, snapshotMs: 0, backupMs: 0, backupMsPerGiB: 0, imageMs: 0, serverMs: 0 };

/** A stable UUID from a text (seeded ids are the same in every run). */
export function uuidFrom(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A status step the state applies when the clock reaches `at`. */
export interface Pending<S extends string> {
  status: S;
  at: number;
}

export interface DomainRecord {
  id: string;
  name: string;
}

export interface ProjectRecord {
  id: string;
  name: string;
  domain: DomainRecord;
}

export interface UserRecord {
  id: string;
  name: string;
  domain: DomainRecord;
  password: string;
  roles: { id: string; name: string }[];
}

export interface AppCredentialRecord {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
}

export interface TokenRecord {
  id: string;
  userId: string;
  projectId: string;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  appCredentialId?: string;
}

export interface FlavorRecord {
  id: string;
  name: string;
  vcpus: number;
  ramMiB: number;
  diskGiB: number;
}

export interface NetworkRecord {
  id: string;
  name: string;
  region: string;
  cidr: string;
}

export interface KeypairRecord {
  name: string;
  region: string;
  publicKey: string;
  fingerprint: string;
  createdAt: number;
}

export type ServerStatus = 'ACTIVE' | 'SHUTOFF' | 'ERROR' | 'BUILD' | 'REBUILD';

export interface ServerRecord {
  id: string;
  name: string;
  region: string;
  az: string;
  status: ServerStatus;
  pending?: Pending<ServerStatus>;
  /** Nova's task_state while something runs (`image_snapshot`, `rebuilding`, `powering-off` …). */
  task?: string;
  /** Why it went to ERROR (Nova's `fault`, shown while the server is in ERROR). */
  fault?: { code: number; message: string; at: number };
  flavorId: string;
  /** The image booted from; empty for a boot-from-volume server. */
  imageId: string;
  /** Block-model disk of a local root disk (boot from image). */
  rootDisk?: string;
  /** The root volume of a boot-from-volume server. */
  rootVolumeId?: string;
  keyName?: string;
  networkId: string;
  address: string;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export type VolumeStatus = 'creating' | 'available' | 'in-use' | 'error' | 'restoring-backup' | 'reverting' | 'backing-up' | 'uploading' | 'deleting';

export interface VolumeRecord {
  id: string;
  name: string;
  description: string;
  region: string;
  az: string;
  sizeGiB: number;
  status: VolumeStatus;
  pending?: Pending<VolumeStatus>;
  volumeType: string;
  bootable: boolean;
  attachment?: { serverId: string; device: string; attachedAt: number };
  sourceSnapshotId?: string;
  sourceImageId?: string;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export type SnapshotStatus = 'creating' | 'available' | 'error' | 'deleting' | 'restoring';

export interface SnapshotRecord {
  id: string;
  name: string;
  description: string;
  region: string;
  volumeId: string;
  sizeGiB: number;
  status: SnapshotStatus;
  pending?: Pending<SnapshotStatus>;
  /** Its block-model snapshot (incremental against the volume's previous snapshot). */
  blockId: string;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export type BackupStatus = 'creating' | 'available' | 'restoring' | 'error' | 'deleting';

export interface BackupRecord {
  id: string;
  name: string;
  description: string;
  region: string;
  az: string;
  volumeId: string;
  /** The volume's size (GiB), as Cinder reports a backup's `size`. */
  sizeGiB: number;
  status: BackupStatus;
  pending?: Pending<BackupStatus>;
  incremental: boolean;
  parentId?: string;
  /** Its block-model snapshot on the backup backend: full, or only the blocks changed since its parent. */
  blockId: string;
  /** A snapshot it was taken from, if any. */
  snapshotId?: string;
  /** When the data it holds was on the volume: the snapshot's creation, else its own (absent in older state files). */
  dataTimestamp?: number;
  /** The volume a restore is writing (status `restoring` while it runs). */
  restoringVolumeId?: string;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export type ImageStatus = 'queued' | 'saving' | 'active' | 'killed' | 'deleted' | 'deactivated';

export interface ImageRecord {
  id: string;
  name: string;
  region: string;
  owner: string;
  visibility: 'public' | 'private' | 'shared' | 'community';
  status: ImageStatus;
  /** Steps still to come (queued → saving → active, or → killed). */
  steps: Pending<ImageStatus>[];
  diskFormat: string;
  containerFormat: string;
  /** Bytes of the image's data (0 for a boot-from-volume snapshot: its data is in Cinder snapshots). */
  sizeBytes: number;
  minDisk: number;
  minRam: number;
  /** Its block-model snapshot (a full copy of a disk), absent for a block_device_mapping image. */
  blockId?: string;
  /** Set for an instance snapshot (Nova createImage). */
  instanceUuid?: string;
  /** Boot-from-volume instance snapshot: the Cinder snapshots standing for the server's volumes. */
  blockDeviceMapping?: { snapshotId: string; volumeSize: number; bootIndex: number; deviceName: string }[];
  tags: string[];
  /** Other properties (Glance's additional properties, strings). */
  properties: Record<string, string>;
  protected: boolean;
  createdAt: number;
  updatedAt: number;
}
