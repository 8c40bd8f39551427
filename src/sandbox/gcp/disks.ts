/**
 * Disks (zonal and regional) and snapshots: insert, delete, write, snapshot (incremental on the block model).
 */
import { BLOCK_SIZE, BLOCKS_PER_GIB, type DeleteImpact } from '../blocks';
import { transferMs } from '../state-kit';
import { alreadyExists, badRequest, checkLabels, checkName, inUse, invalid, notFound, notReady } from './errors';
import {
  defaultStorageLocation,
  type DiskRecord,
  isStorageLocation,
  type OperationRecord,
  type OperationScope,
  type SnapshotRecord,
  type SnapshotType,
  zoneInfo,
} from './records';
import {
  relativePath,
  lastSegment,
  type Location,
  diskPath,
  type DiskInput,
  type SnapshotInput,
  str,
  int64,
  diskPathOf,
  snapshotPathOf,
  imagePathOf,
} from './refs';
import { GcpStore } from './store';

export abstract class GcpDisks extends GcpStore {
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

  /** Writes N MiB of new data to a disk; returns the blocks written. */
  writeMiB(diskRef: string, mib: number): number {
    const disk = this.diskByRef(diskRef);
    const written = this.blocks.writeMiB(disk.id, mib);
    this.touch();
    return written;
  }

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
}
