/**
 * Images (from a snapshot or a disk, families) and machine images (every disk of an instance).
 */
import { alreadyExists, badRequest, checkName, inUse, invalid, notFound, notReady, required } from './errors';
import { defaultStorageLocation, type ImageRecord, isStorageLocation, type MachineImageRecord, type OperationRecord } from './records';
import { relativePath, type ImageInput, type MachineImageInput, str, diskPathOf, snapshotPathOf, instancePathOf } from './refs';
import { GcpDisks } from './disks';

export abstract class GcpImages extends GcpDisks {
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
}
