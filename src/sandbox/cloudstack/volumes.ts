/**
 * Volumes, volume snapshots and templates of the CloudStack sandbox state (wire-neutral).
 *
 * Volume snapshots model KVM with `kvm.incremental.snapshot` on file-based primary storage (NFS):
 * each snapshot stores on secondary storage only the blocks changed since the previous one, and
 * every `snapshot.delta.max`-th is full again. On a zone whose primary storage is Ceph RBD every
 * snapshot is a full copy (KVM's incremental mode needs file-based storage there).
 */
import { BLOCK_SIZE } from '../blocks';
import { GIB, transferMs } from '../state-kit';
import { badId, CS_ERROR_CODE, CsError, internal, inUse, invalid } from './errors';
import type { JobRecord, SnapshotRecord, TemplateRecord, VolumeRecord } from './records';
import { CsStore } from './store';

const CMD = 'org.apache.cloudstack.api.command.user';

/** `yyyyMMddHHmmss`, the time stamp CloudStack puts in generated names. */
export function nameStamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The volume snapshot a block-model snapshot id (`snap/<snapshot id>/<zone id>`) belongs to. */
export function snapshotIdOfBlock(blockId: string): string {
  return blockId.split('/')[1] ?? '';
}

export interface CreateSnapshotInput {
  /** A given id (the seed's stable ids); a new UUID otherwise. */
  id?: string;
  name?: string;
  quiescevm?: boolean;
  /** Further zones to copy the snapshot to (4.19+). */
  zoneIds?: string[];
  /** Set for a scheduled snapshot (the schedules issue); MANUAL otherwise. */
  intervalType?: SnapshotRecord['intervalType'];
}

export interface CreateVolumeInput {
  name?: string;
  zoneId?: string;
  diskOfferingId?: string;
  snapshotId?: string;
  sizeGb?: number;
  vmId?: string;
}

export interface CreateTemplateInput {
  name: string;
  displaytext?: string;
  osTypeId: string;
  snapshotId?: string;
  volumeId?: string;
  ispublic?: boolean;
  isfeatured?: boolean;
}

export abstract class CsVolumes extends CsStore {
  // ---- volumes ------------------------------------------------------------------------------

  /** Adds a volume (with its blocks; seeding and createVolume). */
  addVolume(volume: Omit<VolumeRecord, 'createdAt' | 'deltasSinceFull'> & { createdAt?: number }, fromBlockId?: string): VolumeRecord {
    const record: VolumeRecord = { ...volume, createdAt: volume.createdAt ?? this.now(), deltasSinceFull: 0 };
    this.volumes.set(record.id, record);
    this.blocks.createDisk(record.id, Math.ceil(record.sizeBytes / BLOCK_SIZE), fromBlockId);
    this.touch();
    return record;
  }

  /** Writes `mib` MiB of new data to a volume; returns the bytes changed. */
  writeMiB(volumeId: string, mib: number): number {
    const volume = this.lookup(this.volumes, volumeId, 'writes', 'volumeid');
    const blocks = this.blocks.writeMiB(volume.id, mib);
    this.touch();
    return blocks * BLOCK_SIZE;
  }

  storageOf(zoneId: string): 'NetworkFilesystem' | 'RBD' {
    return this.zones.find((z) => z.id === zoneId)?.storageType ?? 'NetworkFilesystem';
  }

  // ---- volume snapshots ---------------------------------------------------------------------

  snapshotState(snap: SnapshotRecord): 'Creating' | 'BackingUp' | 'BackedUp' | 'Error' {
    if (snap.failed) {
      return 'Error';
    }
    const job = snap.jobId === undefined ? undefined : this.jobs.get(snap.jobId);
    if (job?.status === 0) {
      const span = Math.max(1, job.endAt - job.createdAt);
      return this.now() - job.createdAt < span * 0.4 ? 'Creating' : 'BackingUp';
    }
    return 'BackedUp';
  }

  /** Bytes the snapshot's copy in a zone really stores on secondary storage (`physicalsize`). */
  physicalBytes(snap: SnapshotRecord, zoneId = snap.copies[0]?.zoneId): number {
    const copy = snap.copies.find((c) => c.zoneId === zoneId) ?? snap.copies[0];
    return copy && this.blocks.hasSnapshot(copy.blockId) ? this.blocks.storedBytes(copy.blockId) : 0;
  }

  /** Whether the volume's storage lets it be reverted to this snapshot (`revertable`). */
  revertable(snap: SnapshotRecord): boolean {
    const volume = this.volumes.get(snap.volumeId);
    return volume !== undefined && this.storageOf(volume.zoneId) === 'NetworkFilesystem' && snap.fromVmSnapshotId === undefined;
  }

  private vmNameOf(volume: VolumeRecord): string | undefined {
    return volume.vmId === undefined ? undefined : this.vms.get(volume.vmId)?.name;
  }

  /** Refuses a volume snapshot while another one of the volume's VM (or a VM snapshot of it) runs. */
  private checkNoActiveTasks(volume: VolumeRecord): void {
    const vmId = volume.vmId;
    const vmVolumes = new Set(vmId === undefined ? [volume.id] : this.volumesOf(vmId).map((v) => v.id));
    if (this.runningJob((j) => j.command === 'createSnapshot' && vmVolumes.has(j.params.volumeId))) {
      throw invalid('There is other active snapshot tasks on the instance to which the volume is attached, please try again later');
    }
    if (vmId !== undefined && this.runningJob((j) => j.params.vmId === vmId && /VMSnapshot$/i.test(j.command))) {
      throw invalid('There is other active vm snapshot tasks on the instance to which the volume is attached, please try again later');
    }
  }

  /** createSnapshot: the snapshot is taken at once (point in time) and backed up by its job. */
  createSnapshot(volumeId: string, input: CreateSnapshotInput, failAtEnd = false): { job: JobRecord; snapshot: SnapshotRecord } {
    const volume = this.lookup(this.volumes, volumeId, 'createSnapshot', 'volumeid');
    if (this.volumeState(volume) !== 'Ready') {
      throw invalid(`VolumeId: ${volume.id} is not in Ready state but ${this.volumeState(volume)}. Cannot take snapshot.`);
    }
    const vm = volume.vmId === undefined ? undefined : this.vms.get(volume.vmId);
    if (input.quiescevm && (!vm || this.vmState(vm) !== 'Running')) {
      throw invalid('Quiesce VM is supported only for volumes attached to a running VM');
    }
    this.checkNoActiveTasks(volume);
    const extraZones = [...new Set(input.zoneIds ?? [])].filter((z) => z !== volume.zoneId);
    for (const zoneId of extraZones) {
      this.zone(zoneId, 'createSnapshot', 'zoneids');
    }
    const id = input.id ?? this.newId();
    const now = this.now();
    const name = input.name || `${this.vmNameOf(volume) ?? 'detached'}_${volume.name}_${nameStamp(now)}`;
    const blockId = `snap/${id}/${volume.zoneId}`;
    const disk = this.blocks.getDisk(volume.id);
    const incremental = this.storageOf(volume.zoneId) === 'NetworkFilesystem' && volume.deltasSinceFull < this.deltaMax && disk?.lineageParent !== undefined;
    if (disk && !incremental) {
      disk.lineageParent = undefined;
    }
    const blocks = this.blocks.snapshot(volume.id, blockId);
    volume.deltasSinceFull = incremental ? volume.deltasSinceFull + 1 : 0;
    const parent = blocks.parent === undefined ? undefined : this.snapshots.get(snapshotIdOfBlock(blocks.parent));
    const snapshot: SnapshotRecord = {
      id,
      name,
      volumeId: volume.id,
      volumeName: volume.name,
      volumeType: volume.type,
      virtualBytes: volume.sizeBytes,
      osTypeId: vm?.osTypeId ?? '',
      intervalType: input.intervalType ?? 'MANUAL',
      createdAt: now,
      copies: [{ zoneId: volume.zoneId, blockId }],
      full: !incremental,
      parentId: parent?.id,
      quiesced: input.quiescevm === true,
    };
    this.snapshots.set(id, snapshot);
    const stored = blocks.owned.size * BLOCK_SIZE;
    const copyMs = extraZones.length > 0 ? this.timing.copyMs : 0;
    const job = this.startJob('createSnapshot', `${CMD}.snapshot.CreateSnapshotCmd`, this.snapshotMs(stored) + copyMs, {
      instanceType: 'Snapshot',
      instanceId: id,
      params: { snapshotId: id, volumeId: volume.id, zoneIds: extraZones.join(',') },
      failAtEnd,
    });
    snapshot.jobId = job.id;
    this.touch();
    return { job, snapshot };
  }

  /** Adds `count` BackedUp snapshots of a volume at once (benchmarks); returns their ids. */
  bulkSnapshots(volumeId: string, count: number): string[] {
    const volume = this.lookup(this.volumes, volumeId, 'bulkSnapshots', 'volumeid');
    if (!Number.isInteger(count) || count < 0 || count > 100000) {
      throw new TypeError('count must be a whole number between 0 and 100000');
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.newId();
      const blockId = `snap/${id}/${volume.zoneId}`;
      const blocks = this.blocks.snapshot(volume.id, blockId);
      const snapshot: SnapshotRecord = {
        id,
        name: `${volume.name}-bulk-${this.seq()}`,
        volumeId: volume.id,
        volumeName: volume.name,
        volumeType: volume.type,
        virtualBytes: volume.sizeBytes,
        osTypeId: '',
        intervalType: 'MANUAL',
        createdAt: this.now(),
        copies: [{ zoneId: volume.zoneId, blockId }],
        full: blocks.parent === undefined,
        parentId: blocks.parent === undefined ? undefined : snapshotIdOfBlock(blocks.parent),
        quiesced: false,
      };
      this.snapshots.set(id, snapshot);
      ids.push(id);
    }
    this.touch();
    return ids;
  }

  snapshotMs(storedBytes: number): number {
    return transferMs(storedBytes, { baseMs: this.timing.snapshotBaseMs, msPerGiB: this.timing.snapshotMsPerGiB, maxMs: this.timing.snapshotMaxMs });
  }

  private backedUp(snap: SnapshotRecord, command: string): void {
    const state = this.snapshotState(snap);
    if (state !== 'BackedUp') {
      throw invalid(`Snapshot ${snap.id} is not in BackedUp state but ${state}; ${command} is not possible yet.`);
    }
  }

  /** The jobs that read a snapshot (createVolume, createTemplate) and still run. */
  private usersOf(snapshotId: string): JobRecord | undefined {
    return this.runningJob((j) => (j.command === 'createVolume' || j.command === 'createTemplate') && j.params.snapshotId === snapshotId);
  }

  deleteSnapshot(snapshotId: string, zoneId: string | undefined, failAtEnd = false): JobRecord {
    const snap = this.lookup(this.snapshots, snapshotId, 'deleteSnapshot', 'id');
    const state = this.snapshotState(snap);
    if (state === 'Creating' || state === 'BackingUp') {
      // Sic: CloudStack's own words (SnapshotStrategy.deleteSnapshot).
      throw invalid(`Can't delete snapshotshot ${snap.id} due to it is in ${state} Status`);
    }
    const user = this.usersOf(snap.id);
    if (user) {
      throw inUse(`Snapshot ${snap.id} is being used by a running ${user.command} job (${user.id}); it cannot be deleted until that job ends.`);
    }
    if (zoneId !== undefined) {
      this.zone(zoneId, 'deleteSnapshot');
      if (!snap.copies.some((c) => c.zoneId === zoneId)) {
        throw invalid(`Snapshot ${snap.id} is not available in zone ${zoneId}`);
      }
    }
    return this.startJob('deleteSnapshot', `${CMD}.snapshot.DeleteSnapshotCmd`, this.timing.jobMs, {
      instanceType: 'Snapshot',
      instanceId: snap.id,
      params: { snapshotId: snap.id, zoneId: zoneId ?? '' },
      failAtEnd,
    });
  }

  /** Removes a snapshot (or its copy in one zone): the blocks a later snapshot still needs pass to it. */
  protected removeSnapshot(snapshotId: string, zoneId?: string): void {
    const snap = this.snapshots.get(snapshotId);
    if (!snap) {
      return;
    }
    const dropped = snap.copies.filter((c) => zoneId === undefined || c.zoneId === zoneId);
    for (const copy of dropped) {
      if (this.blocks.hasSnapshot(copy.blockId)) {
        this.blocks.deleteSnapshot(copy.blockId);
      }
    }
    snap.copies = snap.copies.filter((c) => !dropped.includes(c));
    if (snap.copies.length === 0) {
      for (const child of this.snapshots.values()) {
        if (child.parentId === snap.id) {
          child.parentId = snap.parentId;
        }
      }
      this.snapshots.delete(snap.id);
      this.dropTags('Snapshot', snap.id);
    }
    this.touch();
  }

  revertSnapshot(snapshotId: string, failAtEnd = false): JobRecord {
    const snap = this.lookup(this.snapshots, snapshotId, 'revertSnapshot', 'id');
    this.backedUp(snap, 'revert');
    const volume = this.volumes.get(snap.volumeId);
    if (!volume) {
      throw invalid(`Unable to revert snapshot ${snap.id}: its volume ${snap.volumeId} does not exist any more.`);
    }
    if (this.volumeState(volume) !== 'Ready') {
      throw invalid('The volume is not in Ready state.');
    }
    // CloudStack's SnapshotManagerImpl.revertSnapshot: the VM stopped, and without VM snapshots.
    const vm = volume.vmId === undefined ? undefined : this.vms.get(volume.vmId);
    if (vm && this.vmState(vm) !== 'Stopped') {
      throw invalid('The VM the specified disk is attached to is not in the shutdown state.');
    }
    if (vm && [...this.vmSnapshots.values()].some((s) => s.vmId === vm.id)) {
      throw invalid('Unable to revert snapshot for VM, please remove VM snapshots before reverting VM from snapshot');
    }
    // Then the storage's snapshot strategy: none reverts on the sandbox's Ceph RBD zone.
    if (!this.revertable(snap)) {
      throw invalid(`Revert snapshot is not supported for the primary storage of volume ${volume.name} (${this.storageOf(volume.zoneId)}).`);
    }
    return this.startJob('revertSnapshot', `${CMD}.snapshot.RevertSnapshotCmd`, this.timing.volumeMs, {
      instanceType: 'Snapshot',
      instanceId: snap.id,
      params: { snapshotId: snap.id, volumeId: volume.id },
      failAtEnd,
    });
  }

  /** Gives a volume the content of a block-model snapshot, keeping its volume-snapshot chain. */
  protected restoreBlocks(volumeId: string, blockId: string): void {
    const disk = this.blocks.getDisk(volumeId);
    const chainParent = disk?.lineageParent;
    const size = disk?.sizeBlocks ?? 0;
    this.blocks.deleteDisk(volumeId);
    const restored = this.blocks.createDisk(volumeId, size, blockId);
    restored.lineageParent = chainParent;
  }

  copySnapshot(snapshotId: string, destZoneIds: string[], failAtEnd = false): JobRecord {
    const snap = this.lookup(this.snapshots, snapshotId, 'copySnapshot', 'id');
    this.backedUp(snap, 'copy');
    if (destZoneIds.length === 0) {
      throw invalid('Please specify valid destination zone(s).');
    }
    for (const zoneId of destZoneIds) {
      this.zone(zoneId, 'copySnapshot', 'destzoneids');
      if (snap.copies.some((c) => c.zoneId === zoneId)) {
        throw invalid(`Snapshot ${snap.id} already exists in zone ${this.zoneName(zoneId)}.`);
      }
    }
    return this.startJob('copySnapshot', `${CMD}.snapshot.CopySnapshotCmd`, this.timing.copyMs, {
      instanceType: 'Snapshot',
      instanceId: snap.id,
      params: { snapshotId: snap.id, zoneIds: [...new Set(destZoneIds)].join(',') },
      failAtEnd,
    });
  }

  /** Adds the snapshot's copies in `zoneIds` (each a full copy on that zone's secondary storage). */
  protected addCopies(snap: SnapshotRecord, zoneIds: string[]): void {
    const source = snap.copies[0];
    for (const zoneId of zoneIds) {
      if (!source || snap.copies.some((c) => c.zoneId === zoneId)) {
        continue;
      }
      const blockId = `snap/${snap.id}/${zoneId}`;
      this.blocks.copySnapshot(source.blockId, blockId);
      snap.copies.push({ zoneId, blockId });
    }
    this.touch();
  }

  // ---- createVolume, attach, detach ---------------------------------------------------------

  createVolume(input: CreateVolumeInput, failAtEnd = false): { job: JobRecord; volume: VolumeRecord } {
    const command = 'createVolume';
    const snap = input.snapshotId === undefined ? undefined : this.lookup(this.snapshots, input.snapshotId, command, 'snapshotid');
    const offering = input.diskOfferingId === undefined ? undefined : this.diskOffering(input.diskOfferingId, command);
    if (!snap && !offering) {
      throw invalid('Either disk Offering Id or snapshot Id must be passed whilst creating volume');
    }
    const vm = input.vmId === undefined ? undefined : this.lookup(this.vms, input.vmId, command, 'virtualmachineid');
    let zoneId = input.zoneId ?? snap?.copies[0]?.zoneId ?? vm?.zoneId;
    if (zoneId === undefined) {
      throw invalid('Please specify a valid zone.');
    }
    zoneId = this.zone(zoneId, command).id;
    let fromBlock: string | undefined;
    let sizeBytes: number;
    if (snap) {
      this.backedUp(snap, 'createVolume');
      const copy = snap.copies.find((c) => c.zoneId === zoneId);
      if (!copy) {
        throw invalid(`Snapshot ${snap.id} is not available in zone ${this.zoneName(zoneId)}; copy it there first (copySnapshot).`);
      }
      fromBlock = copy.blockId;
      // A custom-size offering takes `size` (the volume grows past the snapshot); a fixed one its own size.
      const asked = offering?.iscustomized && input.sizeGb !== undefined ? input.sizeGb * GIB : (offering?.disksizeGb ?? 0) * GIB;
      if (asked > 0 && asked < snap.virtualBytes) {
        throw invalid(`Volume size ${asked / GIB} GB cannot be smaller than the snapshot's size of ${snap.virtualBytes / GIB} GB.`);
      }
      sizeBytes = Math.max(snap.virtualBytes, asked);
    } else {
      const gb = offering?.iscustomized ? input.sizeGb : offering?.disksizeGb;
      if (gb === undefined || gb <= 0) {
        throw invalid('This disk offering requires a custom size specified');
      }
      sizeBytes = gb * GIB;
    }
    if (vm && vm.zoneId !== zoneId) {
      throw invalid('Please specify a VM that is in the same zone as the volume.');
    }
    const sourceVolume = snap === undefined ? undefined : this.volumes.get(snap.volumeId);
    const id = this.newId();
    const volume = this.addVolume(
      {
        id,
        name: input.name || `${snap ? snap.name : 'volume'}-${id.slice(0, 8)}`,
        zoneId,
        type: 'DATADISK',
        diskOfferingId: offering?.id ?? sourceVolume?.diskOfferingId,
        sizeBytes,
        sourceSnapshotId: snap?.id,
        allocated: snap === undefined && vm === undefined ? true : undefined,
      },
      fromBlock,
    );
    const job = this.startJob(command, `${CMD}.volume.CreateVolumeCmd`, this.timing.volumeMs, {
      instanceType: 'Volume',
      instanceId: id,
      params: { volumeId: id, snapshotId: snap?.id ?? '', vmId: vm?.id ?? '' },
      failAtEnd,
    });
    volume.jobId = job.id;
    return { job, volume };
  }

  /** The next free device id of a VM (0 is the root volume). */
  protected nextDevice(vmId: string): number {
    const used = new Set(this.volumesOf(vmId).map((v) => v.deviceId));
    let device = 1;
    while (used.has(device) || device === 3) {
      device++;
    }
    return device;
  }

  attachVolume(volumeId: string, vmId: string, deviceId: number | undefined, failAtEnd = false): JobRecord {
    const volume = this.lookup(this.volumes, volumeId, 'attachVolume', 'id');
    const vm = this.lookup(this.vms, vmId, 'attachVolume', 'virtualmachineid');
    if (volume.vmId !== undefined) {
      throw invalid(`Volume ${volume.name} is already attached to a VM; please specify a volume that is not attached to any VM.`);
    }
    if (volume.type !== 'DATADISK') {
      throw invalid('Please specify a volume with the valid type: DATADISK');
    }
    if (vm.zoneId !== volume.zoneId) {
      throw invalid('Please specify a VM that is in the same zone as the volume.');
    }
    if (this.volumeState(volume) === 'Creating') {
      throw invalid(`Volume ${volume.name} is still being created; please try again later.`);
    }
    if (deviceId !== undefined && this.volumesOf(vm.id).some((v) => v.deviceId === deviceId)) {
      throw invalid(`Device id ${deviceId} is used in VM ${vm.name}`);
    }
    return this.startJob('attachVolume', `${CMD}.volume.AttachVolumeCmd`, this.timing.jobMs, {
      instanceType: 'Volume',
      instanceId: volume.id,
      params: { volumeId: volume.id, vmId: vm.id, deviceId: deviceId === undefined ? '' : String(deviceId) },
      failAtEnd,
    });
  }

  detachVolume(volumeId: string, failAtEnd = false): JobRecord {
    const volume = this.lookup(this.volumes, volumeId, 'detachVolume', 'id');
    if (volume.vmId === undefined) {
      throw invalid('Please specify a volume that is attached to a VM.');
    }
    const vm = this.vms.get(volume.vmId);
    if (volume.type === 'ROOT' && vm && this.vmState(vm) !== 'Stopped') {
      throw invalid('Please specify a VM that is stopped to detach its ROOT volume.');
    }
    return this.startJob('detachVolume', `${CMD}.volume.DetachVolumeCmd`, this.timing.jobMs, {
      instanceType: 'Volume',
      instanceId: volume.id,
      params: { volumeId: volume.id },
      failAtEnd,
    });
  }

  // ---- templates ------------------------------------------------------------------------------

  /**
   * createTemplate as TemplateManagerImpl.createPrivateTemplateRecord checks it: exactly one of
   * snapshotid / volumeid; a snapshot BackedUp; a volume not attached to a running VM. CloudStack
   * does not check the volume type (its check of DATADISK snapshots is commented out): a template
   * of a data volume is made, and does not boot. Snapkeeper's adapter refuses it before asking.
   */
  createTemplate(input: CreateTemplateInput, failAtEnd = false): { job: JobRecord; template: TemplateRecord } {
    const command = 'createTemplate';
    if (!this.osType(input.osTypeId)) {
      throw badId(command, 'ostypeid', input.osTypeId);
    }
    if (input.snapshotId === undefined && input.volumeId === undefined) {
      throw invalid('Failed to create private template record, neither volume ID nor snapshot ID were specified.');
    }
    if (input.snapshotId !== undefined && input.volumeId !== undefined) {
      throw invalid(`Failed to create private template record, please specify only one of volume ID (${input.volumeId}) and snapshot ID (${input.snapshotId})`);
    }
    let zoneId: string;
    let sizeBytes: number;
    if (input.snapshotId !== undefined) {
      const snap = this.lookup(this.snapshots, input.snapshotId, command, 'snapshotid');
      if (this.snapshotState(snap) !== 'BackedUp') {
        throw invalid(`Snapshot id=${snap.id} is not in BackedUp state yet and can't be used for template creation`);
      }
      zoneId = snap.copies[0]?.zoneId ?? '';
      sizeBytes = snap.virtualBytes;
    } else {
      const volume = this.lookup(this.volumes, input.volumeId ?? '', command, 'volumeid');
      const vm = volume.vmId === undefined ? undefined : this.vms.get(volume.vmId);
      if (vm && this.vmState(vm) !== 'Stopped') {
        throw internal(`Unable to create private template for volume: ${volume.name}; volume is attached to a non-stopped VM, please stop the VM first`);
      }
      zoneId = volume.zoneId;
      sizeBytes = volume.sizeBytes;
    }
    const id = this.newId();
    const template: TemplateRecord = {
      id,
      name: input.name,
      displaytext: input.displaytext || input.name,
      zoneId,
      osTypeId: input.osTypeId,
      ispublic: input.ispublic === true,
      isfeatured: input.isfeatured === true,
      sizeBytes,
      createdAt: this.now(),
      sourceSnapshotId: input.snapshotId,
      sourceVolumeId: input.volumeId,
      self: true,
    };
    this.templates.set(id, template);
    const job = this.startJob(command, `${CMD}.template.CreateTemplateCmd`, this.timing.templateMs, {
      instanceType: 'Template',
      instanceId: id,
      params: { templateId: id, snapshotId: input.snapshotId ?? '', volumeId: input.volumeId ?? '' },
      failAtEnd,
    });
    template.jobId = job.id;
    this.touch();
    return { job, template };
  }

  templateReady(template: TemplateRecord): boolean {
    return !template.failed && !this.pending(template.jobId);
  }

  deleteTemplate(templateId: string, failAtEnd = false): JobRecord {
    const template = this.lookup(this.templates, templateId, 'deleteTemplate', 'id');
    if (!template.self) {
      throw new CsError(531, `Account does not have permission to delete template ${template.name}: it is not owned by the account.`, CS_ERROR_CODE.PermissionDeniedException);
    }
    if (this.pending(template.jobId)) {
      throw invalid(`Template ${template.name} is still being created; please try again later.`);
    }
    return this.startJob('deleteTemplate', `${CMD}.template.DeleteTemplateCmd`, this.timing.jobMs, {
      instanceType: 'Template',
      instanceId: template.id,
      params: { templateId: template.id },
      failAtEnd,
    });
  }
}
