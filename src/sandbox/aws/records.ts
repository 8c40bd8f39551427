/**
 * The EC2/EBS sandbox's records, inputs and timing (the shapes the state keeps and saves), and
 * the small helpers every part of the state uses.
 */
import { type BlockStoreJson, hashString } from '../blocks';
import type { Filter, Tag } from './query';
import type { OptInStatus, RegionInfo } from './regions';


export const OWNER_ID = '111122223333';

export interface Timing {
  /** Minimum snapshot duration. */
  snapshotBaseMs: number;
  /** Added per GiB of changed (stored) data. */
  snapshotMsPerGiB: number;
  /** Maximum snapshot duration. */
  snapshotMaxMs: number;
  /** Time a new volume stays `creating`. */
  volumeMs: number;
  /** Time an image stays `pending` after its last snapshot completes. */
  imageMs: number;
  /** Duration of a replace-root-volume task. */
  taskMs: number;
}

export const DEFAULT_TIMING: Timing = {
  snapshotBaseMs: 3000,
  snapshotMsPerGiB: 10000,
  snapshotMaxMs: 8000,
  volumeMs: 2000,
  imageMs: 1000,
  taskMs: 4000,
};

export type VolumeType = 'gp3' | 'gp2' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';
export const VOLUME_TYPES: readonly VolumeType[] = ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'];
export type Architecture = 'i386' | 'x86_64' | 'arm64' | 'x86_64_mac' | 'arm64_mac';
export const ARCHITECTURES: readonly Architecture[] = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];

export interface Attachment {
  instanceId: string;
  device: string;
  attachTime: number;
  deleteOnTermination: boolean;
}

export interface InstanceRecord {
  id: string;
  region: string;
  zone: string;
  instanceType: string;
  state: 'running' | 'stopped';
  launchTime: number;
  imageId: string;
  rootDeviceName: string;
  architecture: Architecture;
  privateIpAddress: string;
  reservationId: string;
  tags: Tag[];
  seq: number;
}

export interface VolumeRecord {
  id: string;
  region: string;
  zone: string;
  /** GiB. */
  size: number;
  volumeType: VolumeType;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  createTime: number;
  readyAt: number;
  snapshotId?: string;
  attachment?: Attachment;
  tags: Tag[];
  /** Volumes this one descends from (restored or replaced from), nearest first. */
  lineage: string[];
  seq: number;
}

export interface SnapshotRecord {
  id: string;
  region: string;
  volumeId: string;
  /** GiB. */
  volumeSize: number;
  description: string;
  encrypted: boolean;
  kmsKeyId?: string;
  startTime: number;
  completeAt: number;
  tags: Tag[];
  /** The source volume and the volumes it descends from. */
  volumeLineage: string[];
  copiedFrom?: { region: string; snapshotId: string };
  seq: number;
}

export interface ImageMapping {
  deviceName: string;
  snapshotId: string;
  volumeSize: number;
  volumeType: VolumeType;
  deleteOnTermination: boolean;
  encrypted: boolean;
  iops?: number;
  throughput?: number;
}

export interface ImageRecord {
  id: string;
  region: string;
  name: string;
  description?: string;
  architecture: Architecture;
  rootDeviceName: string;
  virtualizationType: string;
  enaSupport: boolean;
  creationDate: number;
  availableAt: number;
  mappings: ImageMapping[];
  sourceInstanceId?: string;
  tags: Tag[];
  seq: number;
}

export interface ReplaceRootTaskRecord {
  id: string;
  region: string;
  instanceId: string;
  snapshotId?: string;
  imageId?: string;
  deleteReplacedRootVolume: boolean;
  startTime: number;
  completeAt: number;
  tags: Tag[];
  /** Set once the swap has been applied. */
  outcome?: 'succeeded' | 'failed';
  newVolumeId?: string;
  clientToken?: string;
  seq: number;
}

export type SnapshotStatus = 'pending' | 'completed' | 'error';
export type VolumeStatus = 'creating' | 'available' | 'in-use';
export type ImageState = 'pending' | 'available';
export type TaskState = 'pending' | 'in-progress' | 'succeeded' | 'failed';

export interface TagSpec {
  resourceType?: string;
  tags: Tag[];
}

export interface DescribeInput {
  ids?: string[];
  owners?: string[];
  filters?: Filter[];
  maxResults?: number;
  nextToken?: string;
}

export interface CreateVolumeInput {
  availabilityZone?: string;
  size?: number;
  snapshotId?: string;
  volumeType?: string;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  tagSpecs?: TagSpec[];
  clientToken?: string;
}

export interface CreateSnapshotsInput {
  instanceId: string;
  excludeBootVolume?: boolean;
  excludeDataVolumeIds?: string[];
  copyTagsFromSource?: string;
  description?: string;
  tagSpecs?: TagSpec[];
}

export interface CreateImageInput {
  instanceId: string;
  name?: string;
  description?: string;
  noReboot?: boolean;
  tagSpecs?: TagSpec[];
}

export interface RegisterImageInput {
  name?: string;
  description?: string;
  rootDeviceName?: string;
  architecture?: string;
  virtualizationType?: string;
  enaSupport?: boolean;
  mappings: {
    deviceName?: string;
    snapshotId?: string;
    volumeSize?: number;
    volumeType?: string;
    deleteOnTermination?: boolean;
    encrypted?: boolean;
    iops?: number;
    throughput?: number;
  }[];
  tagSpecs?: TagSpec[];
}

export interface CopySnapshotInput {
  sourceRegion?: string;
  sourceSnapshotId?: string;
  description?: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  tagSpecs?: TagSpec[];
}

export interface ReplaceRootInput {
  instanceId: string;
  snapshotId?: string;
  imageId?: string;
  deleteReplacedRootVolume?: boolean;
  tagSpecs?: TagSpec[];
  clientToken?: string;
}

export interface RegionCounts {
  region: string;
  optInStatus: OptInStatus;
  instances: number;
  volumes: number;
  snapshots: number;
  images: number;
  replaceRootVolumeTasks: number;
}

export interface AwsStateJson {
  version: 1;
  regions: RegionInfo[];
  nextId: number;
  nextSeq: number;
  instances: InstanceRecord[];
  volumes: VolumeRecord[];
  snapshots: SnapshotRecord[];
  images: ImageRecord[];
  tasks: ReplaceRootTaskRecord[];
  volumeTokens: [string, { volumeId: string; fingerprint: string }][];
  taskTokens: [string, string][];
  blocks: BlockStoreJson;
}

export interface AwsStateOptions {
  timing?: Partial<Timing>;
  /** Region names to use instead of the built-in list. */
  regions?: string[];
  /** The clock; tests may inject one. */
  now?: () => number;
}

/** Snapshots copied by CopySnapshot report this volume id, as on AWS. */
export const COPY_VOLUME_ID = 'vol-ffffffff';

export const ID_PATTERNS: Record<string, RegExp> = {
  i: /^i-([0-9a-f]{8}|[0-9a-f]{17,})$/,
  vol: /^vol-([0-9a-f]{8}|[0-9a-f]{17,})$/,
  snap: /^snap-([0-9a-f]{8}|[0-9a-f]{17,})$/,
  ami: /^ami-([0-9a-f]{8}|[0-9a-f]{17,})$/,
};

export const SIZE_LIMITS: Record<VolumeType, [number, number]> = {
  gp3: [1, 16384],
  gp2: [1, 16384],
  io1: [4, 16384],
  io2: [4, 65536],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024],
};

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function instanceStateCode(state: InstanceRecord['state']): number {
  return state === 'running' ? 16 : 80;
}

/** The region's default EBS key (an AWS-managed key ARN, made up deterministically). */
export function defaultKmsKey(region: string): string {
  const h = (s: string) => hashString(`${region}/${s}`).toString(16).padStart(8, '0');
  const hex = h('a') + h('b') + h('c') + h('d');
  return `arn:aws:kms:${region}:${OWNER_ID}:key/${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Tags with later ones replacing earlier ones of the same key, order of first appearance kept. */
export function mergeTags(base: readonly Tag[], extra: readonly Tag[]): Tag[] {
  const result = base.map((t) => ({ ...t }));
  for (const tag of extra) {
    const existing = result.find((t) => t.key === tag.key);
    if (existing) {
      existing.value = tag.value;
    } else {
      result.push({ ...tag });
    }
  }
  return result;
}

export { iso as isoTime };
