/**
 * The Google Cloud sandbox state's vocabulary: the seeded projects, the state file's shape,
 * numeric ids, relative paths and scopes of resources, the request inputs the operations take and
 * how their fields are read.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BlockStoreJson } from '../blocks';
import { invalid } from './errors';
import {
  type DiskRecord,
  type GcpTiming,
  GCP_ZONES,
  type ImageRecord,
  type InstanceRecord,
  type Labels,
  type MachineImageRecord,
  type OperationRecord,
  type OperationScope,
  type ProjectRecord,
  type SnapshotRecord,
} from './records';

export const DEV_PROJECT = 'snapkeeper-dev';
export const PROD_PROJECT = 'snapkeeper-prod';
export const SANDBOX_GCP_USER = 'sandbox-user@snapkeeper.example';

export const MAX_OPERATIONS = 20000;

export interface GcpStateJson {
  version: 1;
  projects: ProjectRecord[];
  disks: DiskRecord[];
  snapshots: SnapshotRecord[];
  instances: InstanceRecord[];
  images: ImageRecord[];
  machineImages: MachineImageRecord[];
  operations: OperationRecord[];
  resourcePolicies: { path: string; id: string; description: string; createdAt: number }[];
  requestIds: [string, { op: string; at: number }][];
  pageSize: number;
  nextSeq: number;
  blocks: BlockStoreJson;
}

export interface GcpStateOptions {
  timing?: Partial<GcpTiming>;
  now?: () => number;
  /** Largest page of a list (maxResults above it is capped); default 500 as Compute Engine. */
  pageSize?: number;
}

export interface GcpCounts {
  project: string;
  instances: number;
  disks: number;
  snapshots: number;
  images: number;
  machineImages: number;
}

/** A uint64 id: derived from a text (seeded estates stay the same) or random. */
export function numericId(text?: string): string {
  const bytes = text === undefined ? randomBytes(8) : createHash('sha1').update(text).digest().subarray(0, 8);
  const value = bytes.readBigUInt64BE() % 8_000_000_000_000_000_000n;
  return String(value + 1_000_000_000_000_000_000n);
}

/** A resource reference (absolute URL, `projects/…`, `zones/…`/`regions/…`/`global/…`, or a bare name) as a relative path. */
export function relativePath(project: string, ref: string, collection?: (name: string) => string): string {
  const text = ref.trim();
  const at = text.indexOf('projects/');
  if (at >= 0 && (at === 0 || text[at - 1] === '/')) {
    return text.slice(at).replace(/\/+$/, '');
  }
  if (/^(zones|regions|global)\//.test(text)) {
    return `projects/${project}/${text}`;
  }
  return collection ? collection(text) : text;
}

/** The last path segment. */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export type Location = { zone: string; region?: undefined } | { region: string; zone?: undefined };

export function diskPath(project: string, where: Location, name: string): string {
  return where.zone !== undefined ? `projects/${project}/zones/${where.zone}/disks/${name}` : `projects/${project}/regions/${where.region}/disks/${name}`;
}

export interface DiskInput {
  name?: unknown;
  sizeGb?: unknown;
  type?: unknown;
  sourceSnapshot?: unknown;
  sourceImage?: unknown;
  labels?: unknown;
  description?: unknown;
  replicaZones?: unknown;
  resourcePolicies?: unknown;
  physicalBlockSizeBytes?: unknown;
  diskEncryptionKey?: { kmsKeyName?: unknown } | null;
  guestOsFeatures?: unknown;
}

export interface SnapshotInput {
  name?: unknown;
  description?: unknown;
  labels?: unknown;
  storageLocations?: unknown;
  snapshotType?: unknown;
  sourceDisk?: unknown;
  chainName?: unknown;
}

export interface ImageInput {
  name?: unknown;
  description?: unknown;
  family?: unknown;
  labels?: unknown;
  sourceSnapshot?: unknown;
  sourceDisk?: unknown;
  storageLocations?: unknown;
}

export interface MachineImageInput {
  name?: unknown;
  description?: unknown;
  sourceInstance?: unknown;
  storageLocations?: unknown;
  guestFlush?: unknown;
  labels?: unknown;
}

export interface AttachInput {
  source?: unknown;
  deviceName?: unknown;
  boot?: unknown;
  mode?: unknown;
  interface?: unknown;
  autoDelete?: unknown;
}

export function str(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalid(`Invalid value for field '${field}': '${JSON.stringify(value)}'.`);
  }
  return value;
}

/** int64 fields arrive as strings (or numbers from hand-written JSON). */
export function int64(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isSafeInteger(n)) {
    throw invalid(`Invalid value for field '${field}': '${String(value)}'. Must be an integer.`);
  }
  return n;
}

export function labelFingerprint(labels: Labels): string {
  const text = JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
  return createHash('sha256').update(text).digest().subarray(0, 8).toString('base64');
}


export function sameScope(a: OperationScope, b: OperationScope): boolean {
  return a.kind === b.kind && (a.kind === 'global' || (b.kind !== 'global' && a.name === b.name));
}

export function diskPathOf(disk: DiskRecord): string {
  return diskPath(disk.project, disk.zone !== undefined ? { zone: disk.zone } : { region: disk.region as string }, disk.name);
}

export function snapshotPathOf(snap: SnapshotRecord): string {
  return `projects/${snap.project}/global/snapshots/${snap.name}`;
}

export function imagePathOf(image: ImageRecord): string {
  return `projects/${image.project}/global/images/${image.name}`;
}

export function instancePathOf(vm: InstanceRecord): string {
  return `projects/${vm.project}/zones/${vm.zone}/instances/${vm.name}`;
}

export function machineImagePathOf(mi: MachineImageRecord): string {
  return `projects/${mi.project}/global/machineImages/${mi.name}`;
}

/** Zones of a project (all of them), as relative scope keys. */
export function zoneScopes(): string[] {
  return GCP_ZONES.map((z) => z.name);
}
