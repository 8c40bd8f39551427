/** The Azure sandbox's records and timing (plain data: persisted as they are). */
import type { ArmErrorBody } from './errors';

export type Tags = Record<string, string>;

export interface AzureTiming {
  /** Duration of a plain long-running operation (disk create/update/delete, getAccess, …). */
  operationMs: number;
  /** Minimum duration of a snapshot create. */
  snapshotBaseMs: number;
  /** Added per GiB the snapshot stores. */
  snapshotMsPerGiB: number;
  /** Maximum duration of a snapshot create. */
  snapshotMaxMs: number;
  /** Minimum duration of a cross-region copy (CopyStart) after the snapshot resource exists. */
  copyBaseMs: number;
  /** Added per GiB the copy transfers. */
  copyMsPerGiB: number;
  /** Maximum duration of a cross-region copy. */
  copyMaxMs: number;
  /** Time a VM spends deallocating / starting / stopping. */
  vmPowerMs: number;
  /** Time an image stays Creating. */
  imageMs: number;
  /** The Retry-After (seconds) of long-running answers; 0 makes the SDK poll at once. */
  retryAfterSeconds: number;
  /** Lifetime of tokens from the token endpoint. */
  tokenLifetimeSeconds: number;
}

export const DEFAULT_AZURE_TIMING: AzureTiming = {
  operationMs: 1500,
  snapshotBaseMs: 2000,
  snapshotMsPerGiB: 4000,
  snapshotMaxMs: 6000,
  copyBaseMs: 4000,
  copyMsPerGiB: 20000,
  copyMaxMs: 20000,
  vmPowerMs: 3000,
  imageMs: 2000,
  retryAfterSeconds: 1,
  tokenLifetimeSeconds: 3599,
};

export interface TenantRecord {
  id: string;
  displayName: string;
  defaultDomain: string;
}

export interface SubscriptionRecord {
  id: string;
  displayName: string;
  state: 'Enabled' | 'Disabled' | 'Warned';
}

export interface ResourceGroupRecord {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Tags;
}

/** What every Compute resource has. */
export interface BaseRecord {
  /** The full ARM id, in the casing it was created with. */
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Tags;
  createdAt: number;
  /** When provisioning ends (Creating/Updating until then). */
  readyAt: number;
  /** Set when the provisioning ended Failed. */
  failed?: ArmErrorBody;
  /** True while the last change was an update (Updating rather than Creating). */
  updating?: boolean;
  seq: number;
}

export interface Encryption {
  type: 'EncryptionAtRestWithPlatformKey' | 'EncryptionAtRestWithCustomerKey' | 'EncryptionAtRestWithPlatformAndCustomerKeys';
  diskEncryptionSetId?: string;
}

export interface CreationData {
  createOption: string;
  sourceResourceId?: string;
  sourceUniqueId?: string;
  imageReference?: { id: string };
}

export type OsType = 'Windows' | 'Linux';
export type HyperVGeneration = 'V1' | 'V2';

export interface DiskRecord extends BaseRecord {
  uniqueId: string;
  sizeGB: number;
  skuName: string;
  zones?: string[];
  osType?: OsType;
  hyperVGeneration?: HyperVGeneration;
  encryption: Encryption;
  creationData: CreationData;
  /** The VM it is attached to. */
  managedBy?: string;
  /** incrementalSnapshotFamilyId of its incremental snapshots. */
  familyId: string;
  timeCreatedAt: number;
}

export interface CopyProgress {
  /** The source snapshot (another location). */
  sourceId: string;
  doneAt: number;
  /** Set when the copy failed (its source went away). */
  error?: { errorCode: string; errorMessage: string };
  failedAt?: number;
}

export interface SnapshotRecord extends BaseRecord {
  uniqueId: string;
  incremental: boolean;
  familyId?: string;
  sizeGB: number;
  skuName: string;
  osType?: OsType;
  hyperVGeneration?: HyperVGeneration;
  encryption: Encryption;
  creationData: CreationData;
  /** The disk whose data it holds (directly or through copies), for the block model. */
  sourceDiskId?: string;
  copy?: CopyProgress;
  /** For a CopyStart copy: the block-model sequence of its source (copies go in creation order). */
  copySourceSeq?: number;
}

export interface VmDataDisk {
  lun: number;
  name: string;
  diskId: string;
  caching: string;
  createOption: string;
}

export type PowerState = 'running' | 'stopped' | 'deallocated' | 'deallocating' | 'starting' | 'stopping';

export interface VmRecord extends BaseRecord {
  vmId: string;
  vmSize: string;
  zones?: string[];
  osDiskId: string;
  osDiskName: string;
  osType: OsType;
  osDiskCreateOption: string;
  dataDisks: VmDataDisk[];
  /** The power state the last transition ends in. */
  power: 'running' | 'stopped' | 'deallocated';
  /** The transition in progress (or last done). */
  transition?: { from: 'running' | 'stopped' | 'deallocated'; to: 'running' | 'stopped' | 'deallocated'; startAt: number; endAt: number };
  generalized: boolean;
  computerName: string;
  imageReference?: { publisher: string; offer: string; sku: string; version: string };
}

export interface ImageDisk {
  lun?: number;
  snapshotId?: string;
  managedDiskId?: string;
  blobUri?: string;
  sizeGB: number;
  storageAccountType: string;
}

export interface ImageRecord extends BaseRecord {
  sourceVmId?: string;
  osType: OsType;
  osState: 'Generalized' | 'Specialized';
  osDisk: ImageDisk;
  dataDisks: ImageDisk[];
  zoneResilient: boolean;
  hyperVGeneration: HyperVGeneration;
}

export interface GalleryRecord extends BaseRecord {
  description?: string;
  uniqueName: string;
}

export interface GalleryImageRecord extends BaseRecord {
  galleryName: string;
  osType: OsType;
  osState: 'Generalized' | 'Specialized';
  hyperVGeneration: HyperVGeneration;
  identifier: { publisher: string; offer: string; sku: string };
}

export interface GalleryImageVersionRecord extends BaseRecord {
  galleryName: string;
  imageName: string;
  sourceId: string;
  sizeGB: number;
  targetRegions: { name: string; regionalReplicaCount: number; storageAccountType: string }[];
}

export interface DiskEncryptionSetRecord extends BaseRecord {
  encryptionType: Encryption['type'];
  keyUrl: string;
  vaultId: string;
  principalId: string;
}

/** A SAS granted by beginGetAccess. */
export interface AccessGrant {
  /** The id in the SAS URL. */
  id: string;
  resourceId: string;
  fileFormat: 'VHD' | 'VHDX';
  grantedAt: number;
  expiresAt: number;
  revokedAt?: number;
  /** The signature the URL carries. */
  sig: string;
}

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

/** A long-running operation, as the operation status and monitor endpoints report it. */
export interface OperationRecord {
  id: string;
  /** The operationId, e.g. Snapshots_CreateOrUpdate. */
  name: string;
  subscriptionId: string;
  location: string;
  /** DiskRP operations live under DiskOperations, the others under operations. */
  provider: 'disk' | 'compute';
  method: string;
  resourceId?: string;
  startAt: number;
  endAt: number;
  error?: ArmErrorBody & { status: number };
  /** The final result of a POST (getAccess: {accessSAS}). */
  output?: unknown;
}
