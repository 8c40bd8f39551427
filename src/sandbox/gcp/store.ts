/**
 * The Google Cloud sandbox state's store: the records by path, projects and zones, lookups by
 * path, URL or id, computed statuses, `sweep()`, operations and requestId deduplication, labels.
 * The operations are layered on top by resource: disks.ts (disks and snapshots), images.ts
 * (images, machine images), instances.ts; state.ts adds counts and persistence.
 */
import { randomBytes } from 'node:crypto';
import { BlockStore } from '../blocks';
import { StateKit } from '../state-kit';
import { checkLabels, GcpError, invalid, notFound } from './errors';
import {
  type BaseRecord,
  DEFAULT_GCP_TIMING,
  DISK_TYPES,
  type DiskRecord,
  type GcpTiming,
  type ImageRecord,
  type InstanceRecord,
  type MachineImageRecord,
  type OperationError,
  type OperationRecord,
  type OperationScope,
  type ProjectRecord,
  regionInfo,
  type SnapshotRecord,
  zoneInfo,
} from './records';
import {
  SANDBOX_GCP_USER,
  MAX_OPERATIONS,
  type GcpStateOptions,
  numericId,
  relativePath,
  lastSegment,
  type Location,
  str,
  labelFingerprint,
  sameScope,
} from './refs';

export abstract class GcpStore extends StateKit {
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

  protected find<T extends BaseRecord>(map: Map<string, T>, path: string): T {
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

  protected failure(fail: boolean): OperationError | undefined {
    return fail
      ? {
          code: 'INTERNAL_ERROR',
          message: `Internal error. Please try again or contact Google Support. (Code: '${randomBytes(8).toString('hex')}') — the sandbox failed this operation on purpose (fault injection).`,
          httpStatus: 500,
          httpMessage: 'INTERNAL SERVER ERROR',
        }
      : undefined;
  }

  protected base(project: string, name: string, labels: unknown, description: unknown, seedText?: string): BaseRecord {
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

  diskScope(disk: DiskRecord): OperationScope {
    return disk.zone !== undefined ? { kind: 'zone', name: disk.zone } : { kind: 'region', name: disk.region as string };
  }

  protected diskType(project: string, where: Location, value: unknown): string {
    const text = str(value, 'resource.type') ?? 'pd-standard';
    const type = lastSegment(text);
    if (!(DISK_TYPES as readonly string[]).includes(type)) {
      const scope = where.zone !== undefined ? `zones/${where.zone}` : `regions/${where.region}`;
      throw notFound(`projects/${project}/${scope}/diskTypes/${type}`);
    }
    return type;
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

  protected mapOf(kind: 'disks' | 'snapshots' | 'images' | 'instances' | 'machineImages'): Map<string, BaseRecord> {
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
}
