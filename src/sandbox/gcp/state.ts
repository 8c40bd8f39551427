/**
 * The Google Cloud sandbox state: projects, instances, disks (zonal and regional), snapshots,
 * images, machine images and operations, on top of the cloud-neutral block model. Wire-neutral:
 * wire.ts turns Compute Engine v1 REST requests into these operations and records into JSON.
 *
 * Time-driven states (statuses, operation progress, DELETING) are computed from timestamps when
 * read; `sweep()` (run before every request) removes what finished deleting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BLOCK_SIZE, BLOCKS_PER_GIB, BlockStore, type BlockStoreJson, type DeleteImpact } from '../blocks';
import { StateKit, transferMs } from '../state-kit';
import { alreadyExists, badRequest, checkLabels, checkName, GcpError, inUse, invalid, notFound, notReady, required } from './errors';
import {
  type AttachedDiskRecord,
  type BaseRecord,
  DEFAULT_GCP_TIMING,
  defaultStorageLocation,
  DISK_TYPES,
  type DiskRecord,
  type GcpTiming,
  GCP_ZONES,
  type ImageRecord,
  type InstanceRecord,
  isStorageLocation,
  type Labels,
  MACHINE_TYPES,
  type MachineImageRecord,
  type OperationError,
  type OperationRecord,
  type OperationScope,
  type ProjectRecord,
  regionInfo,
  type SnapshotRecord,
  type SnapshotType,
  zoneInfo,
} from './records';

export * from './records';

export const DEV_PROJECT = 'snapkeeper-dev';
export const PROD_PROJECT = 'snapkeeper-prod';
export const SANDBOX_GCP_USER = 'sandbox-user@snapkeeper.example';

const MAX_OPERATIONS = 20000;

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

function str(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalid(`Invalid value for field '${field}': '${JSON.stringify(value)}'.`);
  }
  return value;
}

/** int64 fields arrive as strings (or numbers from hand-written JSON). */
function int64(value: unknown, field: string): number | undefined {
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

export class GcpState extends StateKit {
  readonly timing: GcpTiming;
  readonly blocks: BlockStore;
  projects: ProjectRecord[] = [];
  /** By relative path. Zonal and regional disks. */
  readonly disks = new Map<string, DiskRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly images = new Map<string, ImageRecord>();
  readonly machineImages = new Map<string, MachineImageRecord>();
  /** By name (operation names are unique). */
  readonly operations = new Map<string, OperationRecord>();
  /** Snapshot schedule policies (referenced by disks; not served). */
  readonly resourcePolicies = new Map<string, { path: string; id: string; description: string; createdAt: number }>();
  /** `project/requestId` → the operation it made. */
  readonly requestIds = new Map<string, { op: string; at: number }>();
  pageSize: number;

  constructor(options: GcpStateOptions = {}, blocks?: BlockStore) {
    super(options.now);
    this.timing = { ...DEFAULT_GCP_TIMING, ...options.timing };
    this.blocks = blocks ?? new BlockStore();
    this.pageSize = options.pageSize ?? 500;
  }

  // ---- projects, zones ------------------------------------------------------------------------

  project(id: string): ProjectRecord {
    const project = this.projects.find((p) => p.id === id || p.number === id);
    if (!project) {
      throw notFound(`projects/${id}`);
    }
    return project;
  }

  addProject(id: string, name = id): ProjectRecord {
    const existing = this.projects.find((p) => p.id === id);
    if (existing) {
      return existing;
    }
    const record: ProjectRecord = { id, number: String(100000000000 + (parseInt(numericId(`project/${id}`).slice(-9), 10) % 900000000000)), name, apiEnabled: true, createdAt: this.now() };
    this.projects.push(record);
    this.touch();
    return record;
  }

  checkZone(zone: string): void {
    if (!zoneInfo(zone)) {
      throw invalid(`Invalid value for field 'zone': '${zone}'. Unknown zone.`);
    }
  }

  checkRegion(region: string): void {
    if (!regionInfo(region)) {
      throw invalid(`Invalid value for field 'region': '${region}'. Unknown region.`);
    }
  }

  // ---- lookups ---------------------------------------------------------------------------------

  private find<T extends BaseRecord>(map: Map<string, T>, path: string): T {
    const record = map.get(path);
    if (!record) {
      throw notFound(path);
    }
    return record;
  }

  /**
   * Compute accepts a resource's numeric id in place of its name: the path under its name then
   * (unchanged when it names nothing, so the lookup answers 404 with it).
   */
  canonical(kind: 'disks' | 'snapshots' | 'images' | 'instances' | 'machineImages', path: string): string {
    const map = this.mapOf(kind);
    const name = lastSegment(path);
    if (map.has(path) || !/^[1-9][0-9]{0,19}$/.test(name)) {
      return path;
    }
    const prefix = path.slice(0, path.length - name.length);
    for (const [key, record] of map) {
      if (record.id === name && key.startsWith(prefix)) {
        return key;
      }
    }
    return path;
  }

  disk(path: string): DiskRecord {
    return this.find(this.disks, path);
  }

  snapshot(path: string): SnapshotRecord {
    return this.find(this.snapshots, path);
  }

  instance(path: string): InstanceRecord {
    return this.find(this.instances, path);
  }

  image(path: string): ImageRecord {
    return this.find(this.images, path);
  }

  machineImage(path: string): MachineImageRecord {
    return this.find(this.machineImages, path);
  }

  /** A disk by path, URL or numeric id (control API). */
  diskByRef(ref: string): DiskRecord {
    const byPath = this.disks.get(relativePath('', ref));
    if (byPath) {
      return byPath;
    }
    for (const disk of this.disks.values()) {
      if (disk.id === ref) {
        return disk;
      }
    }
    throw notFound(ref);
  }

  /** A snapshot by path, URL or numeric id (control API). */
  snapshotByRef(ref: string): SnapshotRecord {
    const byPath = this.snapshots.get(relativePath('', ref));
    if (byPath) {
      return byPath;
    }
    for (const snap of this.snapshots.values()) {
      if (snap.id === ref) {
        return snap;
      }
    }
    throw notFound(ref);
  }

  /** Records of a project (optionally in one zone or region), by name. */
  list<T extends BaseRecord & { zone?: string; region?: string }>(map: Map<string, T>, project: string, where?: Location): T[] {
    const result: T[] = [];
    for (const record of map.values()) {
      if (record.project !== project) {
        continue;
      }
      if (where?.zone !== undefined && record.zone !== where.zone) {
        continue;
      }
      if (where?.region !== undefined && (record.region !== where.region || record.zone !== undefined)) {
        continue;
      }
      result.push(record);
    }
    return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- computed states -------------------------------------------------------------------------

  diskStatus(disk: DiskRecord): string {
    if (disk.deleteAt !== undefined) {
      return 'DELETING';
    }
    if (this.now() < disk.readyAt) {
      return disk.sourceSnapshot || disk.sourceImage ? 'RESTORING' : 'CREATING';
    }
    return disk.failed ? 'FAILED' : 'READY';
  }

  snapshotStatus(snap: SnapshotRecord): string {
    if (snap.deleteAt !== undefined) {
      return 'DELETING';
    }
    const now = this.now();
    if (now < snap.uploadAt) {
      return 'CREATING';
    }
    if (now < snap.readyAt) {
      return 'UPLOADING';
    }
    return snap.failed ? 'FAILED' : 'READY';
  }

  imageStatus(image: ImageRecord): string {
    if (image.deleteAt !== undefined) {
      return 'DELETING';
    }
    if (this.now() < image.readyAt) {
      return 'PENDING';
    }
    return image.failed ? 'FAILED' : 'READY';
  }

  machineImageStatus(mi: MachineImageRecord): string {
    if (mi.deleteAt !== undefined) {
      return 'DELETING';
    }
    const now = this.now();
    if (now < mi.uploadAt) {
      return 'CREATING';
    }
    if (now < mi.readyAt) {
      return 'UPLOADING';
    }
    return mi.failed ? 'INVALID' : 'READY';
  }

  instanceStatus(vm: InstanceRecord): string {
    if (vm.deleteAt !== undefined) {
      return 'STOPPING';
    }
    const t = vm.transition;
    if (t && this.now() < t.endAt) {
      if (t.to === 'TERMINATED') {
        return 'STOPPING';
      }
      return this.now() < t.startAt + (t.endAt - t.startAt) / 3 ? 'PROVISIONING' : 'STAGING';
    }
    return vm.power;
  }

  /** Instances a disk is attached to (relative paths). */
  users(diskPathValue: string): string[] {
    const result: string[] = [];
    for (const [path, vm] of this.instances) {
      if (vm.disks.some((d) => d.source === diskPathValue)) {
        result.push(path);
      }
    }
    return result;
  }

  operationStatus(op: OperationRecord): 'PENDING' | 'RUNNING' | 'DONE' {
    const now = this.now();
    return now < op.startAt ? 'PENDING' : now < op.endAt ? 'RUNNING' : 'DONE';
  }

  operationProgress(op: OperationRecord): number {
    const now = this.now();
    if (now >= op.endAt) {
      return 100;
    }
    if (now < op.startAt) {
      return 0;
    }
    return Math.min(99, Math.floor(((now - op.startAt) / Math.max(1, op.endAt - op.startAt)) * 100));
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Removes what finished deleting (the block model hands blocks over then). */
  sweep(): void {
    const now = this.now();
    let changed = false;
    for (const [path, snap] of this.snapshots) {
      if (snap.deleteAt !== undefined && snap.deleteAt <= now) {
        if (this.blocks.hasSnapshot(snap.id)) {
          this.blocks.deleteSnapshot(snap.id);
        }
        this.snapshots.delete(path);
        changed = true;
      }
    }
    for (const [path, disk] of this.disks) {
      if (disk.deleteAt !== undefined && disk.deleteAt <= now) {
        this.blocks.deleteDisk(disk.id);
        this.disks.delete(path);
        changed = true;
      }
    }
    for (const [path, image] of this.images) {
      if (image.deleteAt !== undefined && image.deleteAt <= now) {
        if (this.blocks.hasSnapshot(image.blocksId)) {
          this.blocks.deleteSnapshot(image.blocksId);
        }
        this.images.delete(path);
        changed = true;
      }
    }
    for (const [path, mi] of this.machineImages) {
      if (mi.deleteAt !== undefined && mi.deleteAt <= now) {
        for (const saved of mi.savedDisks) {
          if (this.blocks.hasSnapshot(saved.blocksId)) {
            this.blocks.deleteSnapshot(saved.blocksId);
          }
        }
        this.machineImages.delete(path);
        changed = true;
      }
    }
    for (const vm of this.instances.values()) {
      if (vm.transition && vm.transition.endAt <= now) {
        vm.power = vm.transition.to;
        if (vm.transition.to === 'RUNNING') {
          vm.lastStartAt = vm.transition.endAt;
        } else {
          vm.lastStopAt = vm.transition.endAt;
        }
        vm.transition = undefined;
        changed = true;
      }
    }
    for (const [key, entry] of this.requestIds) {
      if (entry.at + this.timing.requestIdWindowMs <= now) {
        this.requestIds.delete(key);
      }
    }
    if (changed) {
      this.touch();
    }
  }

  // ---- operations ------------------------------------------------------------------------------

  startOperation(spec: {
    project: string;
    scope: OperationScope;
    operationType: string;
    targetLink: string;
    targetId: string;
    durationMs: number;
    error?: OperationError;
  }): OperationRecord {
    const now = this.now();
    const hex = (n: number) => randomBytes(n).toString('hex');
    const op: OperationRecord = {
      id: numericId(),
      name: `operation-${now}-${hex(7).slice(0, 13)}-${hex(4)}-${hex(4)}`,
      project: spec.project,
      scope: spec.scope,
      operationType: spec.operationType,
      targetLink: spec.targetLink,
      targetId: spec.targetId,
      insertAt: now,
      // PENDING for the first tenth of a long operation (at most 200 ms), then RUNNING.
      startAt: now + Math.min(200, Math.max(0, spec.durationMs) * 0.1),
      endAt: now + Math.max(0, spec.durationMs),
      user: SANDBOX_GCP_USER,
      error: spec.error,
      seq: this.seq(),
    };
    this.operations.set(op.name, op);
    if (this.operations.size > MAX_OPERATIONS) {
      const oldest = this.operations.keys().next().value;
      if (oldest !== undefined) {
        this.operations.delete(oldest);
      }
    }
    this.touch();
    return op;
  }

  /** An operation by scope and name (404 when it is not in that scope). */
  operation(project: string, scope: OperationScope, name: string): OperationRecord {
    let op = this.operations.get(name);
    if (!op && /^[0-9]+$/.test(name)) {
      // The SDK's ExtendedOperation names an operation by its numeric id.
      op = [...this.operations.values()].find((o) => o.id === name);
    }
    const scopePath = scope.kind === 'global' ? 'global' : `${scope.kind}s/${scope.name}`;
    if (!op || op.project !== project || !sameScope(op.scope, scope)) {
      throw notFound(`projects/${project}/${scopePath}/operations/${name}`);
    }
    return op;
  }

  /**
   * Runs a mutation once per requestId: a repeat within the window answers the operation the
   * first one made (whatever the body says) and changes nothing. Failures are not remembered.
   */
  idempotent(project: string, requestId: string | undefined, run: () => OperationRecord): OperationRecord {
    if (requestId !== undefined) {
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(requestId) || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(requestId)) {
        throw invalid(`Invalid value for field 'requestId': '${requestId}'. The request id must be a valid UUID with the exception that zero UUID is not supported (00000000-0000-0000-0000-000000000000).`);
      }
      const seen = this.requestIds.get(`${project}/${requestId.toLowerCase()}`);
      if (seen && seen.at + this.timing.requestIdWindowMs > this.now()) {
        const op = this.operations.get(seen.op);
        if (op) {
          return op;
        }
      }
    }
    const op = run();
    if (requestId !== undefined) {
      op.requestId = requestId;
      this.requestIds.set(`${project}/${requestId.toLowerCase()}`, { op: op.name, at: this.now() });
    }
    this.touch();
    return op;
  }

  private failure(fail: boolean): OperationError | undefined {
    return fail
      ? {
          code: 'INTERNAL_ERROR',
          message: `Internal error. Please try again or contact Google Support. (Code: '${randomBytes(8).toString('hex')}') — the sandbox failed this operation on purpose (fault injection).`,
          httpStatus: 500,
          httpMessage: 'INTERNAL SERVER ERROR',
        }
      : undefined;
  }

  private base(project: string, name: string, labels: unknown, description: unknown, seedText?: string): BaseRecord {
    const now = this.now();
    return {
      id: numericId(seedText),
      name,
      project,
      labels: checkLabels(labels),
      createdAt: now,
      readyAt: now,
      description: str(description, 'resource.description'),
      seq: this.seq(),
    };
  }

  // ---- disks -----------------------------------------------------------------------------------

  diskScope(disk: DiskRecord): OperationScope {
    return disk.zone !== undefined ? { kind: 'zone', name: disk.zone } : { kind: 'region', name: disk.region as string };
  }

  private diskType(project: string, where: Location, value: unknown): string {
    const text = str(value, 'resource.type') ?? 'pd-standard';
    const type = lastSegment(text);
    if (!(DISK_TYPES as readonly string[]).includes(type)) {
      const scope = where.zone !== undefined ? `zones/${where.zone}` : `regions/${where.region}`;
      throw notFound(`projects/${project}/${scope}/diskTypes/${type}`);
    }
    return type;
  }

  insertDisk(project: string, where: Location, input: DiskInput, options: { sourceImage?: string; fail?: boolean; seedText?: string } = {}): OperationRecord {
    this.project(project);
    if (where.zone !== undefined) {
      this.checkZone(where.zone);
    } else {
      this.checkRegion(where.region);
    }
    const name = checkName(input.name);
    const path = diskPath(project, where, name);
    if (this.disks.has(path)) {
      throw alreadyExists(path);
    }
    const type = this.diskType(project, where, input.type);
    let sizeGb = int64(input.sizeGb, 'resource.sizeGb');
    let source: { blocksId: string; path: string; id: string; sizeGb: number; kind: 'snapshot' | 'image'; guestOsFeatures: string[]; architecture?: string } | undefined;
    const snapshotRef = str(input.sourceSnapshot, 'resource.sourceSnapshot');
    const imageRef = str(input.sourceImage, 'resource.sourceImage') ?? options.sourceImage;
    if (snapshotRef && imageRef) {
      throw badRequest('Only one of sourceSnapshot, sourceImage may be specified.');
    }
    if (snapshotRef) {
      const snap = this.snapshot(relativePath(project, snapshotRef, (n) => `projects/${project}/global/snapshots/${n}`));
      if (this.snapshotStatus(snap) !== 'READY') {
        throw notReady(snapshotPathOf(snap));
      }
      source = { blocksId: snap.id, path: snapshotPathOf(snap), id: snap.id, sizeGb: snap.diskSizeGb, kind: 'snapshot', guestOsFeatures: [], architecture: snap.architecture };
    } else if (imageRef) {
      const image = this.image(relativePath(project, imageRef, (n) => `projects/${project}/global/images/${n}`));
      if (this.imageStatus(image) !== 'READY') {
        throw notReady(imagePathOf(image));
      }
      source = { blocksId: image.blocksId, path: imagePathOf(image), id: image.id, sizeGb: image.diskSizeGb, kind: 'image', guestOsFeatures: image.guestOsFeatures, architecture: image.architecture };
    }
    if (source && sizeGb !== undefined && sizeGb < source.sizeGb) {
      throw invalid(`Requested disk size cannot be smaller than the ${source.kind} size (${source.sizeGb} GB).`);
    }
    sizeGb = sizeGb ?? source?.sizeGb ?? 500;
    if (sizeGb < 1 || sizeGb > 65536) {
      throw invalid(`Invalid value for field 'resource.sizeGb': '${sizeGb}'. Disk size must be between 1 and 65536 GB.`);
    }
    let replicaZones: string[] | undefined;
    if (where.region !== undefined) {
      const zones = Array.isArray(input.replicaZones) ? input.replicaZones.map((z) => lastSegment(String(z))) : [];
      if (zones.length !== 2 || zones[0] === zones[1] || zones.some((z) => zoneInfo(z)?.region !== where.region)) {
        throw invalid(`Invalid value for field 'resource.replicaZones': '${zones.join(',')}'. Regional disks need exactly two distinct replica zones in region '${where.region}'.`);
      }
      replicaZones = zones;
      if (sizeGb < 10) {
        throw invalid(`Invalid value for field 'resource.sizeGb': '${sizeGb}'. Regional disks must be at least 10 GB.`);
      }
    }
    const policies: string[] = [];
    for (const ref of Array.isArray(input.resourcePolicies) ? input.resourcePolicies : []) {
      const policyPath = relativePath(project, String(ref));
      if (!this.resourcePolicies.has(policyPath)) {
        throw notFound(policyPath);
      }
      policies.push(policyPath);
    }
    const blockSize = int64(input.physicalBlockSizeBytes, 'resource.physicalBlockSizeBytes') ?? 4096;
    if (blockSize !== 4096 && blockSize !== 16384) {
      throw invalid(`Invalid value for field 'resource.physicalBlockSizeBytes': '${blockSize}'. Must be 4096 or 16384.`);
    }
    const features = Array.isArray(input.guestOsFeatures)
      ? input.guestOsFeatures.map((f) => String((f as { type?: unknown })?.type ?? f))
      : source?.guestOsFeatures ?? [];
    const base = this.base(project, name, input.labels, input.description, options.seedText);
    const record: DiskRecord = {
      ...base,
      ...(where.zone !== undefined ? { zone: where.zone } : { region: where.region, replicaZones }),
      readyAt: base.createdAt + this.timing.diskMs,
      failed: options.fail ? true : undefined,
      sizeGb,
      type,
      resourcePolicies: policies,
      physicalBlockSizeBytes: blockSize,
      kmsKeyName: str(input.diskEncryptionKey?.kmsKeyName, 'resource.diskEncryptionKey.kmsKeyName'),
      guestOsFeatures: features,
      architecture: source?.architecture ?? 'X86_64',
    };
    if (source?.kind === 'snapshot') {
      record.sourceSnapshot = source.path;
      record.sourceSnapshotId = source.id;
    } else if (source?.kind === 'image') {
      record.sourceImage = source.path;
      record.sourceImageId = source.id;
    }
    const blocks = this.blocks.createDisk(record.id, sizeGb * BLOCKS_PER_GIB, source?.blocksId);
    // A disk's first snapshot is full in Compute Engine, whatever it was restored from.
    blocks.lineageParent = undefined;
    blocks.lineageId = `gcp-disk-${record.id}`;
    this.disks.set(path, record);
    return this.startOperation({
      project,
      scope: this.diskScope(record),
      operationType: 'insert',
      targetLink: path,
      targetId: record.id,
      durationMs: this.timing.diskMs,
      error: this.failure(options.fail ?? false),
    });
  }

  deleteDisk(path: string): OperationRecord {
    const disk = this.disk(path);
    const users = this.users(path);
    if (users.length > 0) {
      throw inUse(path, users[0]);
    }
    if (disk.deleteAt === undefined) {
      const status = this.diskStatus(disk);
      if (status === 'CREATING' || status === 'RESTORING') {
        throw notReady(path);
      }
      disk.deleteAt = this.now() + this.timing.deleteMs;
    }
    return this.startOperation({
      project: disk.project,
      scope: this.diskScope(disk),
      operationType: 'delete',
      targetLink: path,
      targetId: disk.id,
      durationMs: disk.deleteAt - this.now(),
    });
  }

  setLabels(kind: 'disks' | 'snapshots' | 'images' | 'instances' | 'machineImages', path: string, input: { labels?: unknown; labelFingerprint?: unknown }): OperationRecord {
    const map = this.mapOf(kind);
    const record = this.find(map, path);
    const labels = checkLabels(input.labels, 'labels');
    const fingerprint = str(input.labelFingerprint, 'labelFingerprint');
    if (fingerprint !== undefined && fingerprint !== labelFingerprint(record.labels)) {
      throw new GcpError(412, 'conditionNotMet', 'Labels fingerprint either invalid or resource labels have changed', { location: 'If-Match', locationType: 'header' });
    }
    record.labels = labels;
    const scope: OperationScope =
      'zone' in record && typeof record.zone === 'string'
        ? { kind: 'zone', name: record.zone }
        : 'region' in record && typeof record.region === 'string'
          ? { kind: 'region', name: record.region }
          : { kind: 'global' };
    return this.startOperation({ project: record.project, scope, operationType: 'setLabels', targetLink: path, targetId: record.id, durationMs: this.timing.operationMs / 2 });
  }

  private mapOf(kind: 'disks' | 'snapshots' | 'images' | 'instances' | 'machineImages'): Map<string, BaseRecord> {
    switch (kind) {
      case 'disks':
        return this.disks;
      case 'snapshots':
        return this.snapshots;
      case 'images':
        return this.images;
      case 'instances':
        return this.instances;
      default:
        return this.machineImages;
    }
  }

  /** Writes N MiB of new data to a disk; returns the blocks written. */
  writeMiB(diskRef: string, mib: number): number {
    const disk = this.diskByRef(diskRef);
    const written = this.blocks.writeMiB(disk.id, mib);
    this.touch();
    return written;
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** disks.createSnapshot / regionDisks.createSnapshot / snapshots.insert with sourceDisk. */
  createSnapshot(
    project: string,
    diskPathValue: string,
    input: SnapshotInput,
    options: { guestFlush?: boolean; fail?: boolean; viaInsert?: boolean; seedText?: string; completed?: boolean } = {},
  ): OperationRecord {
    this.project(project);
    const name = checkName(input.name);
    const disk = this.disk(diskPathValue);
    const status = this.diskStatus(disk);
    if (status !== 'READY') {
      throw notReady(diskPathValue);
    }
    const path = `projects/${project}/global/snapshots/${name}`;
    const scope: OperationScope = options.viaInsert ? { kind: 'global' } : this.diskScope(disk);
    const snapshotType = (str(input.snapshotType, 'resource.snapshotType') ?? 'STANDARD') as SnapshotType;
    if (snapshotType !== 'STANDARD' && snapshotType !== 'ARCHIVE') {
      throw invalid(`Invalid value for field 'resource.snapshotType': '${snapshotType}'. Must be STANDARD or ARCHIVE.`);
    }
    let locations = [defaultStorageLocation(disk.zone ?? (disk.region as string))];
    if (input.storageLocations !== undefined && input.storageLocations !== null) {
      if (!Array.isArray(input.storageLocations) || input.storageLocations.length > 1) {
        throw invalid("Invalid value for field 'resource.storageLocations': at most one storage location may be given.");
      }
      if (input.storageLocations.length === 1) {
        const location = String(input.storageLocations[0]);
        if (!isStorageLocation(location)) {
          throw invalid(`Invalid value for field 'resource.storageLocations[0]': '${location}'. Unknown storage location.`);
        }
        locations = [location];
      }
    }
    if (options.guestFlush) {
      const running = this.users(diskPathValue)
        .map((p) => this.instances.get(p))
        .find((vm) => vm && this.instanceStatus(vm) === 'RUNNING');
      const boot = running?.disks.find((d) => d.boot);
      const windows = boot ? this.disks.get(boot.source)?.guestOsFeatures.includes('WINDOWS') : false;
      if (!running || !windows) {
        throw badRequest(
          `Guest flush is not supported for disk '${diskPathValue}': it needs a running instance whose guest environment supports application-consistent snapshots (VSS on Windows).`,
        );
      }
    }
    const labels = checkLabels(input.labels);
    const chainName = str(input.chainName, 'resource.chainName');
    const description = str(input.description, 'resource.description');
    if (this.snapshots.has(path)) {
      if (options.viaInsert) {
        throw alreadyExists(path);
      }
      // disks.createSnapshot reports a name clash in the operation, not in the answer.
      return this.startOperation({
        project,
        scope,
        operationType: 'createSnapshot',
        targetLink: diskPathValue,
        targetId: disk.id,
        durationMs: this.timing.operationMs / 2,
        error: { code: 'RESOURCE_ALREADY_EXISTS', message: `The resource '${path}' already exists`, httpStatus: 409, httpMessage: 'CONFLICT' },
      });
    }
    const base = this.base(project, name, labels, description, options.seedText);
    const blocks = snapshotType === 'ARCHIVE' ? this.blocks.fullSnapshot(disk.id, base.id) : this.blocks.snapshot(disk.id, base.id);

    const t = this.timing;
    const duration = options.completed ? 0 : transferMs(blocks.owned.size * BLOCK_SIZE, { baseMs: t.snapshotBaseMs, msPerGiB: t.snapshotMsPerGiB, maxMs: t.snapshotMaxMs });
    const now = base.createdAt;
    const policy = disk.resourcePolicies[0];
    const record: SnapshotRecord = {
      ...base,
      labels,
      readyAt: now + duration,
      uploadAt: now + duration * 0.4,
      failed: options.fail ? true : undefined,
      sourceDisk: diskPathValue,
      sourceDiskId: disk.id,
      diskSizeGb: disk.sizeGb,
      snapshotType,
      storageLocations: locations,
      autoCreated: false,
      chainName,
      guestFlush: options.guestFlush ?? false,
      architecture: disk.architecture,
      kmsKeyName: disk.kmsKeyName,
    };
    if (options.seedText?.includes('#scheduled') && policy) {
      record.autoCreated = true;
      record.sourceSnapshotSchedulePolicy = policy;
    }
    this.snapshots.set(path, record);
    return this.startOperation({
      project,
      scope,
      operationType: options.viaInsert ? 'insert' : 'createSnapshot',
      targetLink: options.viaInsert ? path : diskPathValue,
      targetId: options.viaInsert ? record.id : disk.id,
      durationMs: duration,
      error: this.failure(options.fail ?? false),
    });
  }

  deleteSnapshot(path: string): OperationRecord {
    const snap = this.snapshot(path);
    if (snap.deleteAt === undefined) {
      const status = this.snapshotStatus(snap);
      if (status === 'CREATING' || status === 'UPLOADING') {
        throw notReady(path);
      }
      snap.deleteAt = this.now() + this.timing.deleteMs;
    }
    return this.startOperation({ project: snap.project, scope: { kind: 'global' }, operationType: 'delete', targetLink: path, targetId: snap.id, durationMs: snap.deleteAt - this.now() });
  }

  /** `count` READY snapshots of a disk at once (benchmarks); returns their paths. */
  bulkSnapshots(diskRef: string, count: number): string[] {
    if (!Number.isInteger(count) || count < 0 || count > 100000) {
      throw new TypeError('count must be a whole number between 0 and 100000');
    }
    const disk = this.diskByRef(diskRef);
    const paths: string[] = [];
    let n = 0;
    while (paths.length < count) {
      n++;
      const name = `${disk.name}-bulk-${n}`.slice(-63).replace(/^[^a-z]+/, 's');
      const path = `projects/${disk.project}/global/snapshots/${name}`;
      if (this.snapshots.has(path)) {
        continue;
      }
      this.createSnapshot(disk.project, diskPathOf(disk), { name }, { completed: true });
      paths.push(path);
    }
    this.touch();
    return paths;
  }

  storedBytes(snapshotRef: string): number {
    return this.blocks.storedBytes(this.snapshotByRef(snapshotRef).id);
  }

  deleteImpact(snapshotRef: string): DeleteImpact {
    const snap = this.snapshotByRef(snapshotRef);
    const impact = this.blocks.deleteImpact(snap.id);
    const pathById = new Map([...this.snapshots].map(([p, s]) => [s.id, p]));
    return { ...impact, snapshotId: snapshotPathOf(snap), moved: impact.moved.map((m) => ({ ...m, snapshotId: pathById.get(m.snapshotId) ?? m.snapshotId })) };
  }

  changedBlocks(firstRef: string, secondRef: string): number[] {
    return this.blocks.changedBlocks(this.snapshotByRef(firstRef).id, this.snapshotByRef(secondRef).id);
  }

  // ---- images ----------------------------------------------------------------------------------

  insertImage(project: string, input: ImageInput, options: { forceCreate?: boolean; fail?: boolean; seedText?: string } = {}): OperationRecord {
    this.project(project);
    const name = checkName(input.name);
    const path = `projects/${project}/global/images/${name}`;
    if (this.images.has(path)) {
      throw alreadyExists(path);
    }
    const family = str(input.family, 'resource.family');
    if (family !== undefined) {
      checkName(family, 'resource.family');
    }
    const snapshotRef = str(input.sourceSnapshot, 'resource.sourceSnapshot');
    const diskRef = str(input.sourceDisk, 'resource.sourceDisk');
    if (!snapshotRef === !diskRef) {
      throw badRequest(snapshotRef ? 'Only one of sourceSnapshot, sourceDisk may be specified.' : "Required field 'sourceDisk' or 'sourceSnapshot' not specified");
    }
    const base = this.base(project, name, input.labels, input.description, options.seedText);
    let record: ImageRecord;
    const blocksId = `image-${base.id}`;
    if (snapshotRef) {
      const snap = this.snapshot(relativePath(project, snapshotRef, (n) => `projects/${project}/global/snapshots/${n}`));
      if (this.snapshotStatus(snap) !== 'READY') {
        throw notReady(snapshotPathOf(snap));
      }
      this.blocks.copySnapshot(snap.id, blocksId);
      const sourceDisk = snap.sourceDisk ? this.disks.get(snap.sourceDisk) : undefined;
      record = {
        ...base,
        sourceSnapshot: snapshotPathOf(snap),
        sourceSnapshotId: snap.id,
        diskSizeGb: snap.diskSizeGb,
        archiveSizeBytes: this.blocks.fullBytes(snap.id),
        storageLocations: [...snap.storageLocations],
        guestOsFeatures: sourceDisk?.guestOsFeatures ?? [],
        architecture: snap.architecture,
        blocksId,
      };
    } else {
      const disk = this.disk(relativePath(project, diskRef as string, (n) => n));
      if (this.diskStatus(disk) !== 'READY') {
        throw notReady(diskPathOf(disk));
      }
      const running = this.users(diskPathOf(disk)).find((p) => {
        const vm = this.instances.get(p);
        return vm !== undefined && this.instanceStatus(vm) !== 'TERMINATED';
      });
      if (running && !options.forceCreate) {
        throw inUse(diskPathOf(disk), running);
      }
      this.blocks.fullSnapshot(disk.id, blocksId);
      record = {
        ...base,
        sourceDisk: diskPathOf(disk),
        sourceDiskId: disk.id,
        diskSizeGb: disk.sizeGb,
        archiveSizeBytes: this.blocks.fullBytes(blocksId),
        storageLocations: [defaultStorageLocation(disk.zone ?? (disk.region as string))],
        guestOsFeatures: [...disk.guestOsFeatures],
        architecture: disk.architecture,
        blocksId,
      };
    }
    if (Array.isArray(input.storageLocations) && input.storageLocations.length > 0) {
      const location = String(input.storageLocations[0]);
      if (!isStorageLocation(location)) {
        throw invalid(`Invalid value for field 'resource.storageLocations[0]': '${location}'. Unknown storage location.`);
      }
      record.storageLocations = [location];
    }
    record.family = family;
    record.readyAt = base.createdAt + this.timing.imageMs;
    record.failed = options.fail ? true : undefined;
    this.images.set(path, record);
    return this.startOperation({ project, scope: { kind: 'global' }, operationType: 'insert', targetLink: path, targetId: record.id, durationMs: this.timing.imageMs, error: this.failure(options.fail ?? false) });
  }

  imageFromFamily(project: string, family: string): ImageRecord {
    const candidates = this.list(this.images, project).filter((i) => i.family === family && this.imageStatus(i) === 'READY');
    const newest = candidates.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq)[0];
    if (!newest) {
      throw notFound(`projects/${project}/global/images/family/${family}`);
    }
    return newest;
  }

  deleteImage(path: string): OperationRecord {
    const image = this.image(path);
    if (image.deleteAt === undefined) {
      image.deleteAt = this.now() + this.timing.deleteMs;
    }
    return this.startOperation({ project: image.project, scope: { kind: 'global' }, operationType: 'delete', targetLink: path, targetId: image.id, durationMs: image.deleteAt - this.now() });
  }

  // ---- machine images --------------------------------------------------------------------------

  insertMachineImage(project: string, input: MachineImageInput, options: { fail?: boolean; seedText?: string } = {}): OperationRecord {
    this.project(project);
    const name = checkName(input.name);
    const path = `projects/${project}/global/machineImages/${name}`;
    if (this.machineImages.has(path)) {
      throw alreadyExists(path);
    }
    const sourceRef = str(input.sourceInstance, 'resource.sourceInstance');
    if (!sourceRef) {
      throw required('resource.sourceInstance');
    }
    const vm = this.instance(relativePath(project, sourceRef));
    const base = this.base(project, name, input.labels, input.description, options.seedText);
    let locations = [defaultStorageLocation(vm.zone)];
    if (Array.isArray(input.storageLocations) && input.storageLocations.length > 0) {
      const location = String(input.storageLocations[0]);
      if (!isStorageLocation(location)) {
        throw invalid(`Invalid value for field 'resource.storageLocations[0]': '${location}'. Unknown storage location.`);
      }
      locations = [location];
    }
    const savedDisks = vm.disks.map((attached, i) => {
      const disk = this.disk(attached.source);
      const blocksId = `machine-image-${base.id}-${i}`;
      this.blocks.fullSnapshot(disk.id, blocksId);
      return {
        sourceDisk: attached.source,
        deviceName: attached.deviceName,
        boot: attached.boot,
        index: attached.index,
        mode: attached.mode,
        interface: attached.interface,
        autoDelete: attached.autoDelete,
        diskSizeGb: disk.sizeGb,
        diskType: disk.type,
        blocksId,
        architecture: disk.architecture ?? 'X86_64',
      };
    });
    const duration = this.timing.machineImageMs;
    const record: MachineImageRecord = {
      ...base,
      readyAt: base.createdAt + duration,
      uploadAt: base.createdAt + duration * 0.4,
      failed: options.fail ? true : undefined,
      sourceInstance: instancePathOf(vm),
      machineType: vm.machineType,
      storageLocations: locations,
      guestFlush: input.guestFlush === true,
      savedDisks,
    };
    this.machineImages.set(path, record);
    return this.startOperation({ project, scope: { kind: 'global' }, operationType: 'insert', targetLink: path, targetId: record.id, durationMs: duration, error: this.failure(options.fail ?? false) });
  }

  deleteMachineImage(path: string): OperationRecord {
    const mi = this.machineImage(path);
    if (mi.deleteAt === undefined) {
      mi.deleteAt = this.now() + this.timing.deleteMs;
    }
    return this.startOperation({ project: mi.project, scope: { kind: 'global' }, operationType: 'delete', targetLink: path, targetId: mi.id, durationMs: mi.deleteAt - this.now() });
  }

  machineImageStoredBytes(mi: MachineImageRecord): number {
    return mi.savedDisks.reduce((sum, d) => sum + (this.blocks.hasSnapshot(d.blocksId) ? this.blocks.storedBytes(d.blocksId) : 0), 0);
  }

  // ---- instances -------------------------------------------------------------------------------

  addInstance(
    project: string,
    zone: string,
    name: string,
    spec: { machineType: string; running: boolean; disks: { disk: string; deviceName?: string; boot?: boolean }[]; labels?: Labels; seedText?: string },
  ): InstanceRecord {
    this.checkZone(zone);
    const path = `projects/${project}/zones/${zone}/instances/${name}`;
    if (this.instances.has(path)) {
      throw alreadyExists(path);
    }
    if (!MACHINE_TYPES.some((m) => m.name === spec.machineType)) {
      throw notFound(`projects/${project}/zones/${zone}/machineTypes/${spec.machineType}`);
    }
    const base = this.base(project, checkName(name), spec.labels, undefined, spec.seedText);
    const record: InstanceRecord = {
      ...base,
      zone,
      machineType: spec.machineType,
      power: spec.running ? 'RUNNING' : 'TERMINATED',
      disks: [],
      cpuPlatform: 'Intel Broadwell',
      lastStartAt: base.createdAt,
      lastStopAt: spec.running ? undefined : base.createdAt,
      networkIp: `10.128.0.${2 + this.instances.size}`,
    };
    this.instances.set(path, record);
    spec.disks.forEach((d, i) => {
      const attached: AttachedDiskRecord = {
        deviceName: d.deviceName ?? lastSegment(d.disk),
        source: d.disk,
        boot: d.boot ?? i === 0,
        index: i,
        mode: 'READ_WRITE',
        interface: 'SCSI',
        autoDelete: d.boot ?? i === 0,
      };
      this.disk(d.disk);
      record.disks.push(attached);
    });
    this.touch();
    return record;
  }

  private instanceOp(vm: InstanceRecord, operationType: string, durationMs: number, error?: OperationError): OperationRecord {
    return this.startOperation({
      project: vm.project,
      scope: { kind: 'zone', name: vm.zone },
      operationType,
      targetLink: instancePathOf(vm),
      targetId: vm.id,
      durationMs,
      error,
    });
  }

  stopInstance(path: string, fail = false): OperationRecord {
    const vm = this.instance(path);
    const status = this.instanceStatus(vm);
    if (status === 'TERMINATED' || status === 'STOPPING') {
      return this.instanceOp(vm, 'stop', status === 'STOPPING' ? (vm.transition?.endAt ?? this.now()) - this.now() : 0);
    }
    const now = this.now();
    if (fail) {
      return this.instanceOp(vm, 'stop', this.timing.operationMs, this.failure(true));
    }
    vm.transition = { to: 'TERMINATED', startAt: now, endAt: now + this.timing.instanceMs };
    vm.power = 'RUNNING';
    return this.instanceOp(vm, 'stop', this.timing.instanceMs);
  }

  startInstance(path: string, fail = false): OperationRecord {
    const vm = this.instance(path);
    const status = this.instanceStatus(vm);
    if (status === 'RUNNING' || status === 'STAGING' || status === 'PROVISIONING') {
      return this.instanceOp(vm, 'start', status === 'RUNNING' ? 0 : (vm.transition?.endAt ?? this.now()) - this.now());
    }
    if (status === 'STOPPING') {
      throw notReady(path);
    }
    if (!vm.disks.some((d) => d.boot)) {
      throw badRequest(`Invalid resource usage: 'Instance '${vm.name}' does not have a boot disk.'.`);
    }
    if (fail) {
      return this.instanceOp(vm, 'start', this.timing.operationMs, this.failure(true));
    }
    const now = this.now();
    vm.transition = { to: 'RUNNING', startAt: now, endAt: now + this.timing.instanceMs };
    vm.power = 'TERMINATED';
    return this.instanceOp(vm, 'start', this.timing.instanceMs);
  }

  attachDisk(path: string, input: AttachInput, fail = false): OperationRecord {
    const vm = this.instance(path);
    const sourceRef = str(input.source, 'resource.source');
    if (!sourceRef) {
      throw required('resource.source');
    }
    const sourcePath = relativePath(vm.project, sourceRef);
    const disk = this.disk(sourcePath);
    if (disk.zone !== undefined ? disk.zone !== vm.zone : !disk.replicaZones?.includes(vm.zone)) {
      throw invalid(`Invalid value for field 'resource.source': '${sourceRef}'. The disk must be in zone '${vm.zone}' (or replicated to it).`);
    }
    if (this.diskStatus(disk) !== 'READY') {
      throw notReady(sourcePath);
    }
    const mode = (str(input.mode, 'resource.mode') ?? 'READ_WRITE') as AttachedDiskRecord['mode'];
    if (mode !== 'READ_WRITE' && mode !== 'READ_ONLY') {
      throw invalid(`Invalid value for field 'resource.mode': '${mode}'.`);
    }
    const users = this.users(sourcePath);
    if (users.includes(path)) {
      throw invalid(`Invalid value for field 'resource.source': '${sourceRef}'. The disk is already attached to this instance.`);
    }
    if (users.length > 0 && mode === 'READ_WRITE') {
      throw inUse(sourcePath, users[0]);
    }
    const boot = input.boot === true;
    const status = this.instanceStatus(vm);
    if (boot) {
      if (status !== 'TERMINATED') {
        throw badRequest(`Invalid resource usage: 'A boot disk can only be attached to instance '${vm.name}' while it is stopped (status ${status}).'.`);
      }
      if (vm.disks.some((d) => d.boot)) {
        throw badRequest(`Invalid resource usage: 'Instance '${vm.name}' already has a boot disk.'.`);
      }
    }
    const deviceName = str(input.deviceName, 'resource.deviceName') ?? disk.name;
    if (vm.disks.some((d) => d.deviceName === deviceName)) {
      throw invalid(`Invalid value for field 'resource.deviceName': '${deviceName}'. The device name is already in use on instance '${vm.name}'.`);
    }
    const iface = (str(input.interface, 'resource.interface') ?? 'SCSI') as AttachedDiskRecord['interface'];
    if (fail) {
      return this.instanceOp(vm, 'attachDisk', this.timing.operationMs, this.failure(true));
    }
    const used = new Set(vm.disks.map((d) => d.index));
    let index = boot ? 0 : 1;
    while (used.has(index)) {
      index++;
    }
    vm.disks.push({ deviceName, source: sourcePath, boot, index, mode, interface: iface, autoDelete: input.autoDelete === true });
    vm.disks.sort((a, b) => a.index - b.index);
    disk.lastAttachAt = this.now();
    return this.instanceOp(vm, 'attachDisk', this.timing.operationMs);
  }

  detachDisk(path: string, deviceName: string | undefined, fail = false): OperationRecord {
    const vm = this.instance(path);
    if (!deviceName) {
      throw required('deviceName');
    }
    const attached = vm.disks.find((d) => d.deviceName === deviceName);
    if (!attached) {
      throw invalid(`Invalid value for field 'deviceName': '${deviceName}'. No attached disk found with device name '${deviceName}'`);
    }
    const status = this.instanceStatus(vm);
    if (attached.boot && status !== 'TERMINATED') {
      throw badRequest(`Invalid resource usage: 'The boot disk of instance '${vm.name}' can only be detached while it is stopped (status ${status}).'.`);
    }
    if (fail) {
      return this.instanceOp(vm, 'detachDisk', this.timing.operationMs, this.failure(true));
    }
    vm.disks = vm.disks.filter((d) => d !== attached);
    const disk = this.disks.get(attached.source);
    if (disk) {
      disk.lastDetachAt = this.now();
    }
    return this.instanceOp(vm, 'detachDisk', this.timing.operationMs);
  }

  // ---- counts, persistence ---------------------------------------------------------------------

  counts(): GcpCounts[] {
    return this.projects.map((p) => ({
      project: p.id,
      instances: this.list(this.instances, p.id).length,
      disks: this.list(this.disks, p.id).length,
      snapshots: this.list(this.snapshots, p.id).length,
      images: this.list(this.images, p.id).length,
      machineImages: this.list(this.machineImages, p.id).length,
    }));
  }

  /** Keeps the first `count` projects, removing the records of the others. */
  trimProjects(count: number): void {
    const dropped = new Set(this.projects.slice(count).map((p) => p.id));
    this.projects = this.projects.slice(0, count);
    if (dropped.size === 0) {
      return;
    }
    for (const map of [this.instances, this.disks, this.snapshots, this.images, this.machineImages] as Map<string, BaseRecord>[]) {
      for (const [key, record] of map) {
        if (dropped.has(record.project)) {
          if (map === (this.snapshots as Map<string, BaseRecord>) && this.blocks.hasSnapshot(record.id)) {
            this.blocks.deleteSnapshot(record.id);
          }
          if (map === (this.disks as Map<string, BaseRecord>)) {
            this.blocks.deleteDisk(record.id);
          }
          map.delete(key);
        }
      }
    }
    this.touch();
  }

  toJSON(): GcpStateJson {
    return {
      version: 1,
      projects: this.projects,
      disks: [...this.disks.values()],
      snapshots: [...this.snapshots.values()],
      instances: [...this.instances.values()],
      images: [...this.images.values()],
      machineImages: [...this.machineImages.values()],
      operations: [...this.operations.values()],
      resourcePolicies: [...this.resourcePolicies.values()],
      requestIds: [...this.requestIds],
      pageSize: this.pageSize,
      nextSeq: this.nextSeq,
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: GcpStateJson, options: GcpStateOptions = {}): GcpState {
    if (json.version !== 1) {
      throw new Error(`unsupported GCP state version ${String(json.version)}`);
    }
    const state = new GcpState({ ...options, pageSize: options.pageSize ?? json.pageSize }, BlockStore.fromJSON(json.blocks));
    state.projects = json.projects;
    for (const d of json.disks) {
      state.disks.set(diskPathOf(d), d);
    }
    for (const s of json.snapshots) {
      state.snapshots.set(snapshotPathOf(s), s);
    }
    for (const vm of json.instances) {
      state.instances.set(instancePathOf(vm), vm);
    }
    for (const i of json.images) {
      state.images.set(imagePathOf(i), i);
    }
    for (const m of json.machineImages) {
      state.machineImages.set(`projects/${m.project}/global/machineImages/${m.name}`, m);
    }
    for (const op of json.operations) {
      state.operations.set(op.name, op);
    }
    for (const p of json.resourcePolicies) {
      state.resourcePolicies.set(p.path, p);
    }
    for (const [key, value] of json.requestIds) {
      state.requestIds.set(key, value);
    }
    state.nextSeq = json.nextSeq;
    return state;
  }
}

function sameScope(a: OperationScope, b: OperationScope): boolean {
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
