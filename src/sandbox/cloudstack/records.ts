/**
 * The CloudStack sandbox's records and timing (plain data: persisted as they are). References
 * between records are CloudStack UUIDs; names of zones, offerings and VMs are looked up when a
 * record is shown, as CloudStack's response views join them.
 */
import { createHash } from 'node:crypto';

export type TagMap = Record<string, string>;

export interface CsTiming {
  /** Duration of a plain async job (tags, attach/detach, deletes, snapshot policy-less work). */
  jobMs: number;
  /** Minimum duration of a volume snapshot (Creating for the first 40 %, then BackingUp). */
  snapshotBaseMs: number;
  /** Added per GiB the snapshot stores on secondary storage. */
  snapshotMsPerGiB: number;
  /** Maximum duration of a volume snapshot. */
  snapshotMaxMs: number;
  /** A volume created from a snapshot stays Creating this long. */
  volumeMs: number;
  /** A template stays not-ready this long. */
  templateMs: number;
  /** A VM snapshot stays Creating (or a revert Reverting) this long. */
  vmSnapshotMs: number;
  /** A VM stays Starting / Stopping this long. */
  vmMs: number;
  /** A snapshot copy to another zone takes this long. */
  copyMs: number;
}

export const DEFAULT_CS_TIMING: CsTiming = {
  jobMs: 1000,
  snapshotBaseMs: 2000,
  snapshotMsPerGiB: 4000,
  snapshotMaxMs: 8000,
  volumeMs: 1500,
  templateMs: 3000,
  vmSnapshotMs: 2500,
  vmMs: 2000,
  copyMs: 3000,
};

/** Every timing at 0: every job ends at once (tests that do not walk the clock). */
export const INSTANT_CS_TIMING: CsTiming = {
  jobMs: 0,
  snapshotBaseMs: 0,
  snapshotMsPerGiB: 0,
  snapshotMaxMs: 0,
  volumeMs: 0,
  templateMs: 0,
  vmSnapshotMs: 0,
  vmMs: 0,
  copyMs: 0,
};

/** CloudStack's `default.page.size`: the largest `pagesize`, and the page a list answers without one. */
export const DEFAULT_PAGE_SIZE = 500;

/** KVM incremental snapshots (`kvm.incremental.snapshot`): after this many deltas the next snapshot is full again (`snapshot.delta.max`). */
export const DEFAULT_DELTA_MAX = 16;

/** A stable UUID from a text (seeded ids are the same in every run). */
export function uuidFrom(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ZoneRecord {
  id: string;
  name: string;
  description: string;
  /** The primary storage of the zone: `NetworkFilesystem` (file-based: incremental snapshots, revert) or `RBD` (Ceph). */
  storageType: 'NetworkFilesystem' | 'RBD';
  storageName: string;
}

export interface DiskOfferingRecord {
  id: string;
  name: string;
  displaytext: string;
  /** GB; 0 for a custom-size offering. */
  disksizeGb: number;
  iscustomized: boolean;
}

export interface ServiceOfferingRecord {
  id: string;
  name: string;
  displaytext: string;
  cpunumber: number;
  cpuspeed: number;
  /** MiB. */
  memory: number;
}

export interface OsTypeRecord {
  id: string;
  description: string;
  oscategoryid: string;
}

export type VmState = 'Running' | 'Stopped' | 'Starting' | 'Stopping';

export interface VmRecord {
  id: string;
  name: string;
  displayname: string;
  zoneId: string;
  /** The settled state; `transition` says what it is moving to. */
  state: 'Running' | 'Stopped';
  transition?: { to: 'Running' | 'Stopped'; endAt: number };
  serviceOfferingId: string;
  templateId: string;
  osTypeId: string;
  ipaddress: string;
  createdAt: number;
}

export type VolumeType = 'ROOT' | 'DATADISK';

export interface VolumeRecord {
  id: string;
  name: string;
  zoneId: string;
  type: VolumeType;
  vmId?: string;
  deviceId?: number;
  diskOfferingId?: string;
  sizeBytes: number;
  /** The job creating it (Creating while it runs), if any. */
  jobId?: string;
  /** Created without data and never attached: Allocated (CloudStack creates it on primary storage at its first attach). */
  allocated?: boolean;
  createdAt: number;
  /** Volume snapshots taken since the last full one (KVM incremental chain). */
  deltasSinceFull: number;
  /** The snapshot this volume was made from, if any. */
  sourceSnapshotId?: string;
}

export type SnapshotState = 'Creating' | 'BackingUp' | 'BackedUp' | 'Error';

/** One copy of a volume snapshot on a zone's secondary storage. */
export interface SnapshotCopy {
  zoneId: string;
  /** The block-model snapshot holding this copy's data. */
  blockId: string;
}

export interface SnapshotRecord {
  id: string;
  name: string;
  volumeId: string;
  /** Kept from the volume (the volume may be gone). */
  volumeName: string;
  volumeType: VolumeType;
  /** The volume's size when taken (bytes): `virtualsize`. */
  virtualBytes: number;
  osTypeId: string;
  /** MANUAL, or the policy's interval (HOURLY, DAILY, WEEKLY, MONTHLY) for a scheduled one. */
  intervalType: 'MANUAL' | 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY';
  createdAt: number;
  /** The origin zone first, then the zones it was copied to. */
  copies: SnapshotCopy[];
  /** The job creating it (Creating, then BackingUp while it runs). */
  jobId?: string;
  /** Set when its job failed. */
  failed?: boolean;
  /** Full (owns every block) rather than a delta of the previous snapshot. */
  full: boolean;
  /** The snapshot this delta builds on (KVM incremental chain); absent for a full one. */
  parentId?: string;
  /** Taken with `quiescevm=true`. */
  quiesced: boolean;
  /** Made from a VM snapshot (createSnapshotFromVMSnapshot). */
  fromVmSnapshotId?: string;
}

export type VmSnapshotType = 'Disk' | 'DiskAndMemory';

export interface VmSnapshotRecord {
  id: string;
  name: string;
  displayname: string;
  description: string;
  vmId: string;
  zoneId: string;
  type: VmSnapshotType;
  current: boolean;
  parentId?: string;
  createdAt: number;
  /** The job creating it (Creating while it runs); Error when it failed. */
  jobId?: string;
  failed?: boolean;
  /** Each volume of the VM as of the snapshot (a full block-model copy on primary storage). */
  volumes: { volumeId: string; blockId: string }[];
  /** Bytes of memory saved (DiskAndMemory only). */
  memoryBytes: number;
  quiesced: boolean;
}

export interface TemplateRecord {
  id: string;
  name: string;
  displaytext: string;
  zoneId: string;
  osTypeId: string;
  ispublic: boolean;
  isfeatured: boolean;
  sizeBytes: number;
  createdAt: number;
  /** The job creating it (not ready while it runs). */
  jobId?: string;
  failed?: boolean;
  sourceSnapshotId?: string;
  sourceVolumeId?: string;
  /** Owned by the account (`templatefilter=self`); the others are featured system templates. */
  self: boolean;
}

export const RESOURCE_TYPES = ['Volume', 'Snapshot', 'UserVm', 'Template', 'VMSnapshot'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface TagRecord {
  resourceType: ResourceType;
  resourceId: string;
  key: string;
  value: string;
}

export interface SnapshotPolicyRecord {
  id: string;
  volumeId: string;
  intervalType: 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY';
  /** As given: `MM` (hourly), `MM:HH` (daily), `MM:HH:D` (weekly, D 1–7), `MM:HH:DD` (monthly). */
  schedule: string;
  timezone: string;
  maxsnaps: number;
  zoneIds: string[];
  tags: TagMap;
  fordisplay: boolean;
}

/** What a finished job answers: the record it made or changed (a copy as of the end), or `success`. */
export interface JobResult {
  /** The `jobresult` member: `snapshot`, `volume`, `template`, `vmsnapshot`, `virtualmachine`; absent for `{success: true}`. */
  key?: 'snapshot' | 'volume' | 'template' | 'vmsnapshot' | 'virtualmachine';
  id?: string;
  /** The record as the job left it (shown if the resource is gone since). */
  record?: unknown;
}

export interface JobRecord {
  id: string;
  /** The API command, e.g. createSnapshot. */
  command: string;
  /** CloudStack's command class (`cmd` of queryAsyncJobResult). */
  cmdClass: string;
  createdAt: number;
  /** When the job ends (unless it is set to fail after a number of polls). */
  endAt: number;
  /** 0 pending, 1 succeeded, 2 failed. */
  status: 0 | 1 | 2;
  completedAt?: number;
  /** `jobinstancetype` / `jobinstanceid`. */
  instanceType?: 'Snapshot' | 'Volume' | 'Template' | 'VirtualMachine' | 'VMSnapshot';
  instanceId?: string;
  /** What the job does when it ends, with its inputs. */
  params: Record<string, string>;
  result?: JobResult;
  error?: { code: number; text: string };
  /** queryAsyncJobResult polls so far. */
  polls: number;
  /** Set by the control: the job answers pending to this many polls, then fails with `failText`. */
  failAfterPolls?: number;
  failText?: string;
  /** The `lroFailure` fault: the job fails when it would have ended. */
  failAtEnd?: boolean;
}
