/**
 * The Google Cloud sandbox's records, timing and catalogue (plain data: persisted as they are).
 * References between records are relative resource paths (`projects/p/zones/z/disks/d`); the
 * wire turns them into absolute URLs on the request's host.
 */

export type Labels = Record<string, string>;

export interface GcpTiming {
  /** Duration of a plain operation (setLabels, attachDisk, detachDisk, …). */
  operationMs: number;
  /** A new disk stays CREATING (empty) or RESTORING (from a snapshot or image) this long. */
  diskMs: number;
  /** Minimum duration of a snapshot (CREATING for the first 40%, then UPLOADING). */
  snapshotBaseMs: number;
  /** Added per GiB the snapshot stores. */
  snapshotMsPerGiB: number;
  /** Maximum duration of a snapshot. */
  snapshotMaxMs: number;
  /** Time an instance spends STOPPING or STAGING. */
  instanceMs: number;
  /** Time an image stays PENDING. */
  imageMs: number;
  /** Time a machine image stays CREATING/UPLOADING. */
  machineImageMs: number;
  /** Time a resource stays DELETING. */
  deleteMs: number;
  /** Longest time `operations/{op}/wait` blocks before answering a not-yet-DONE operation. */
  waitMaxMs: number;
  /** How long a requestId is remembered (deduplication window). */
  requestIdWindowMs: number;
}

export const DEFAULT_GCP_TIMING: GcpTiming = {
  operationMs: 1000,
  diskMs: 1500,
  snapshotBaseMs: 2000,
  snapshotMsPerGiB: 4000,
  snapshotMaxMs: 8000,
  instanceMs: 3000,
  imageMs: 3000,
  machineImageMs: 4000,
  deleteMs: 800,
  waitMaxMs: 2000,
  requestIdWindowMs: 60 * 60 * 1000,
};

export interface ProjectRecord {
  /** The project id, e.g. snapkeeper-dev. */
  id: string;
  /** The project number (a decimal string). */
  number: string;
  name: string;
  /** Compute Engine API enabled (403 accessNotConfigured otherwise). */
  apiEnabled: boolean;
  createdAt: number;
}

/** What every Compute resource has. */
export interface BaseRecord {
  /** uint64 as a decimal string. */
  id: string;
  name: string;
  project: string;
  labels: Labels;
  createdAt: number;
  /** When provisioning ends. */
  readyAt: number;
  /** Set when the creating operation failed: the resource ends FAILED. */
  failed?: boolean;
  /** Set while a delete runs: the resource is DELETING until then, then gone. */
  deleteAt?: number;
  description?: string;
  seq: number;
}

export interface DiskRecord extends BaseRecord {
  /** Zonal disks: the zone; regional disks: the region (and replicaZones). */
  zone?: string;
  region?: string;
  replicaZones?: string[];
  sizeGb: number;
  /** pd-balanced, pd-ssd, pd-standard, … */
  type: string;
  sourceSnapshot?: string;
  sourceSnapshotId?: string;
  sourceImage?: string;
  sourceImageId?: string;
  resourcePolicies: string[];
  physicalBlockSizeBytes: number;
  /** True when a customer-managed key encrypts it (kmsKeyName). */
  kmsKeyName?: string;
  guestOsFeatures: string[];
  architecture?: string;
  lastAttachAt?: number;
  lastDetachAt?: number;
}

export type SnapshotType = 'STANDARD' | 'ARCHIVE';

export interface SnapshotRecord extends BaseRecord {
  /** Relative path of the source disk (kept after the disk is deleted). */
  sourceDisk?: string;
  sourceDiskId?: string;
  diskSizeGb: number;
  snapshotType: SnapshotType;
  storageLocations: string[];
  /** When the snapshot moves from CREATING to UPLOADING. */
  uploadAt: number;
  autoCreated: boolean;
  chainName?: string;
  guestFlush: boolean;
  sourceSnapshotSchedulePolicy?: string;
  architecture?: string;
  kmsKeyName?: string;
}

export interface AttachedDiskRecord {
  deviceName: string;
  /** Relative path of the disk. */
  source: string;
  boot: boolean;
  index: number;
  mode: 'READ_WRITE' | 'READ_ONLY';
  interface: 'SCSI' | 'NVME';
  autoDelete: boolean;
}

export type InstanceStatus = 'PROVISIONING' | 'STAGING' | 'RUNNING' | 'STOPPING' | 'TERMINATED' | 'SUSPENDED';

export interface InstanceRecord extends BaseRecord {
  zone: string;
  machineType: string;
  /** Where the last transition ends. */
  power: 'RUNNING' | 'TERMINATED';
  transition?: { to: 'RUNNING' | 'TERMINATED'; startAt: number; endAt: number };
  disks: AttachedDiskRecord[];
  cpuPlatform: string;
  lastStartAt?: number;
  lastStopAt?: number;
  networkIp: string;
}

export interface ImageRecord extends BaseRecord {
  family?: string;
  sourceSnapshot?: string;
  sourceSnapshotId?: string;
  sourceDisk?: string;
  sourceDiskId?: string;
  diskSizeGb: number;
  archiveSizeBytes: number;
  storageLocations: string[];
  guestOsFeatures: string[];
  architecture?: string;
  /** The block-model snapshot holding its data. */
  blocksId: string;
}

export interface SavedDiskRecord {
  sourceDisk: string;
  deviceName: string;
  boot: boolean;
  index: number;
  mode: 'READ_WRITE' | 'READ_ONLY';
  interface: 'SCSI' | 'NVME';
  autoDelete: boolean;
  diskSizeGb: number;
  diskType: string;
  /** Block-model snapshot of this disk. */
  blocksId: string;
  architecture: string;
}

export interface MachineImageRecord extends BaseRecord {
  sourceInstance: string;
  machineType: string;
  storageLocations: string[];
  guestFlush: boolean;
  savedDisks: SavedDiskRecord[];
  /** When it moves from CREATING to UPLOADING. */
  uploadAt: number;
}

export type OperationScope = { kind: 'zone'; name: string } | { kind: 'region'; name: string } | { kind: 'global' };

export interface OperationError {
  code: string;
  message: string;
  httpStatus: number;
  httpMessage: string;
}

export interface OperationRecord {
  id: string;
  name: string;
  project: string;
  scope: OperationScope;
  operationType: string;
  targetLink: string;
  targetId: string;
  insertAt: number;
  startAt: number;
  endAt: number;
  user: string;
  error?: OperationError;
  requestId?: string;
  seq: number;
}

export interface ZoneInfo {
  name: string;
  region: string;
  id: string;
}

export interface RegionInfo {
  name: string;
  id: string;
  description: string;
}

/** The zones served (all UP); every project sees all of them. */
export const GCP_ZONES: readonly ZoneInfo[] = [
  { name: 'asia-east1-a', region: 'asia-east1', id: '2220' },
  { name: 'asia-east1-b', region: 'asia-east1', id: '2221' },
  { name: 'europe-west1-b', region: 'europe-west1', id: '2101' },
  { name: 'europe-west1-c', region: 'europe-west1', id: '2102' },
  { name: 'us-central1-a', region: 'us-central1', id: '2000' },
  { name: 'us-central1-b', region: 'us-central1', id: '2001' },
  { name: 'us-central1-c', region: 'us-central1', id: '2002' },
  { name: 'us-central1-f', region: 'us-central1', id: '2004' },
  { name: 'us-east1-b', region: 'us-east1', id: '2231' },
];

export const GCP_REGIONS: readonly RegionInfo[] = [
  { name: 'asia-east1', id: '1220', description: 'asia-east1' },
  { name: 'europe-west1', id: '1100', description: 'europe-west1' },
  { name: 'us-central1', id: '1000', description: 'us-central1' },
  { name: 'us-east1', id: '1230', description: 'us-east1' },
];

/** Multi-region storage locations of snapshots and images. */
export const MULTI_REGIONS: Readonly<Record<string, string[]>> = {
  us: ['us-central1', 'us-east1'],
  eu: ['europe-west1'],
  asia: ['asia-east1'],
};

export const DISK_TYPES = ['pd-standard', 'pd-balanced', 'pd-ssd', 'pd-extreme', 'hyperdisk-balanced'] as const;

export const MACHINE_TYPES: readonly { name: string; guestCpus: number; memoryMb: number; id: string }[] = [
  { name: 'e2-micro', guestCpus: 2, memoryMb: 1024, id: '334001' },
  { name: 'e2-medium', guestCpus: 2, memoryMb: 4096, id: '334003' },
  { name: 'e2-standard-4', guestCpus: 4, memoryMb: 16384, id: '335004' },
  { name: 'n2-standard-8', guestCpus: 8, memoryMb: 32768, id: '901008' },
];

export function zoneInfo(name: string): ZoneInfo | undefined {
  return GCP_ZONES.find((z) => z.name === name);
}

export function regionInfo(name: string): RegionInfo | undefined {
  return GCP_REGIONS.find((r) => r.name === name);
}

/** The region a storage location maps to (a multi-region: its first region). */
export function isStorageLocation(location: string): boolean {
  return location in MULTI_REGIONS || regionInfo(location) !== undefined;
}

/** The default storage location for a zone or region: its multi-region. */
export function defaultStorageLocation(zoneOrRegion: string): string {
  const region = zoneInfo(zoneOrRegion)?.region ?? zoneOrRegion;
  for (const [multi, regions] of Object.entries(MULTI_REGIONS)) {
    if (regions.includes(region)) {
      return multi;
    }
  }
  return region;
}
