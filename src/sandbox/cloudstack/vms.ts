/**
 * VMs and VM snapshots of the CloudStack sandbox state (wire-neutral), on top of the volumes layer.
 *
 * VM snapshots live on primary storage: each holds a full block-model copy of every volume of
 * the VM (not counted with the volume snapshots on secondary storage) and, of a running VM taken
 * with `snapshotmemory=true`, its memory. `current`/`parent` follow CloudStack: a new VM snapshot's
 * parent is the VM's current one and it becomes current (when its job ends, state.ts); a revert
 * makes the target current; a delete re-parents the children and, for the current one, makes its
 * parent current.
 */
import { internal, invalid } from './errors';
import type { JobRecord, SnapshotRecord, VmRecord, VmSnapshotRecord } from './records';
import { CsVolumes, nameStamp } from './volumes';

const CMD = 'org.apache.cloudstack.api.command.user';
const MIB = 1024 * 1024;

export interface CreateVmSnapshotInput {
  name?: string;
  description?: string;
  snapshotmemory?: boolean;
  quiescevm?: boolean;
}

export abstract class CsVms extends CsVolumes {
  /** `vmsnapshot.max`: VM snapshots a VM may have. */
  vmSnapshotMax = 10;

  // ---- VMs ------------------------------------------------------------------------------------

  addVm(vm: Omit<VmRecord, 'createdAt'> & { createdAt?: number }): VmRecord {
    const record: VmRecord = { ...vm, createdAt: vm.createdAt ?? this.now() };
    this.vms.set(record.id, record);
    this.touch();
    return record;
  }

  private checkNoVmTasks(vm: VmRecord): void {
    if (this.runningJob((j) => j.params.vmId === vm.id && /VMSnapshot$/i.test(j.command))) {
      throw invalid('There is other active vm snapshot tasks on the instance, please try again later');
    }
    const volumeIds = new Set(this.volumesOf(vm.id).map((v) => v.id));
    if (this.runningJob((j) => j.command === 'createSnapshot' && volumeIds.has(j.params.volumeId))) {
      throw internal('There is other active volume snapshot tasks on the instance to which the volume is attached, please try again later');
    }
  }

  /** startVirtualMachine / stopVirtualMachine. */
  powerVm(vmId: string, to: 'Running' | 'Stopped', failAtEnd = false): JobRecord {
    const command = to === 'Running' ? 'startVirtualMachine' : 'stopVirtualMachine';
    const vm = this.lookup(this.vms, vmId, command, 'id');
    const state = this.vmState(vm);
    if (state === 'Starting' || state === 'Stopping') {
      throw invalid(`VM ${vm.name} is ${state}; please try again later.`);
    }
    if (state === to) {
      throw invalid(to === 'Running' ? `VM ${vm.name} is already running` : `VM ${vm.name} is already stopped`);
    }
    const job = this.startJob(command, `${CMD}.vm.${to === 'Running' ? 'StartVMCmd' : 'StopVMCmd'}`, this.timing.vmMs, {
      instanceType: 'VirtualMachine',
      instanceId: vm.id,
      params: { vmId: vm.id, to },
      failAtEnd,
    });
    vm.transition = { to, endAt: job.endAt };
    return job;
  }

  // ---- VM snapshots ---------------------------------------------------------------------------

  vmSnapshotState(snap: VmSnapshotRecord): 'Allocated' | 'Creating' | 'Ready' | 'Reverting' | 'Expunging' | 'Error' {
    if (snap.failed) {
      return 'Error';
    }
    if (this.pending(snap.jobId)) {
      return 'Creating';
    }
    if (this.runningJob((j) => j.command === 'revertToVMSnapshot' && j.params.vmSnapshotId === snap.id)) {
      return 'Reverting';
    }
    if (this.runningJob((j) => j.command === 'deleteVMSnapshot' && j.params.vmSnapshotId === snap.id)) {
      return 'Expunging';
    }
    return 'Ready';
  }

  /** Bytes a VM snapshot holds on primary storage (its volumes' data and its memory). */
  vmSnapshotBytes(snap: VmSnapshotRecord): number {
    return snap.volumes.reduce((sum, v) => sum + (this.blocks.hasSnapshot(v.blockId) ? this.blocks.fullBytes(v.blockId) : 0), 0) + snap.memoryBytes;
  }

  createVmSnapshot(vmId: string, input: CreateVmSnapshotInput, failAtEnd = false): { job: JobRecord; vmSnapshot: VmSnapshotRecord } {
    const command = 'createVMSnapshot';
    const vm = this.lookup(this.vms, vmId, command, 'virtualmachineid');
    // VMSnapshotManagerImpl.allocVMSnapshot's checks, in its order. The name given is the display
    // name; the snapshot's own name is always `<vm>_VS_<yyyyMMddHHmmss>` (CloudStack uses the VM's
    // instance name there).
    const now = this.now();
    const name = `${vm.name}_VS_${nameStamp(now)}`;
    const displayname = input.name || name;
    if ([...this.vmSnapshots.values()].some((s) => s.vmId === vm.id && s.displayname === displayname)) {
      throw invalid(`Creating VM snapshot failed due to VM snapshot with name${displayname}  already exists`);
    }
    const state = this.vmState(vm);
    if (state !== 'Running' && state !== 'Stopped') {
      throw invalid(`Creating vm snapshot failed due to VM:${vm.id} is not in the running or Stopped state`);
    }
    if (input.snapshotmemory && state !== 'Running') {
      throw invalid('Can not snapshot memory when VM is not in Running state');
    }
    if (state === 'Running' && !input.snapshotmemory) {
      throw invalid('KVM VM does not allow to take a disk-only snapshot when VM is in running state');
    }
    if ([...this.vmSnapshots.values()].filter((s) => s.vmId === vm.id).length >= this.vmSnapshotMax) {
      throw internal(`Creating vm snapshot failed due to a VM can just have : ${this.vmSnapshotMax} VM snapshots. Please delete old ones`);
    }
    this.checkNoVmTasks(vm);
    const id = this.newId();
    const parent = [...this.vmSnapshots.values()].find((s) => s.vmId === vm.id && s.current);
    const volumes = this.volumesOf(vm.id).map((volume) => {
      const blockId = `vmsnap/${id}/${volume.id}`;
      this.blocks.fullSnapshot(volume.id, blockId);
      return { volumeId: volume.id, blockId };
    });
    const memory = input.snapshotmemory ? (this.serviceOffering(vm.serviceOfferingId)?.memory ?? 0) * MIB : 0;
    const vmSnapshot: VmSnapshotRecord = {
      id,
      name,
      displayname,
      description: input.description ?? '',
      vmId: vm.id,
      zoneId: vm.zoneId,
      type: input.snapshotmemory ? 'DiskAndMemory' : 'Disk',
      current: false,
      parentId: parent?.id,
      createdAt: now,
      volumes,
      memoryBytes: memory,
      quiesced: input.quiescevm === true,
    };
    this.vmSnapshots.set(id, vmSnapshot);
    const job = this.startJob(command, `${CMD}.vmsnapshot.CreateVMSnapshotCmd`, this.timing.vmSnapshotMs, {
      instanceType: 'VMSnapshot',
      instanceId: id,
      params: { vmSnapshotId: id, vmId: vm.id },
      failAtEnd,
    });
    vmSnapshot.jobId = job.id;
    this.touch();
    return { job, vmSnapshot };
  }

  revertToVmSnapshot(vmSnapshotId: string, failAtEnd = false): JobRecord {
    const command = 'revertToVMSnapshot';
    const snap = this.lookup(this.vmSnapshots, vmSnapshotId, command, 'vmsnapshotid');
    const vm = this.vms.get(snap.vmId);
    if (!vm) {
      throw invalid(`Revert vm to snapshot: ${snap.id} failed due to vm: ${snap.vmId} is not found`);
    }
    this.checkNoVmTasks(vm);
    const state = this.vmState(vm);
    if (state !== 'Running' && state !== 'Stopped') {
      throw invalid('VM Snapshot reverting failed due to vm is not in the state of Running or Stopped.');
    }
    if ((state === 'Running' && snap.type === 'Disk') || (state === 'Stopped' && snap.type === 'DiskAndMemory')) {
      throw invalid(
        'VM Snapshot revert not allowed. This will result in VM state change. You can revert running VM to disk and memory type snapshot and stopped VM to disk type snapshot',
      );
    }
    if (this.vmSnapshotState(snap) !== 'Ready') {
      throw invalid('VM Snapshot reverting failed due to vm snapshot is not in the state of Created.');
    }
    return this.startJob(command, `${CMD}.vmsnapshot.RevertToVMSnapshotCmd`, this.timing.vmSnapshotMs, {
      instanceType: 'VMSnapshot',
      instanceId: snap.id,
      params: { vmSnapshotId: snap.id, vmId: vm.id },
      failAtEnd,
    });
  }

  deleteVmSnapshot(vmSnapshotId: string, failAtEnd = false): JobRecord {
    const command = 'deleteVMSnapshot';
    const snap = this.lookup(this.vmSnapshots, vmSnapshotId, command, 'vmsnapshotid');
    const vm = this.vms.get(snap.vmId);
    if (vm) {
      this.checkNoVmTasks(vm);
    }
    const state = this.vmSnapshotState(snap);
    if (state !== 'Ready' && state !== 'Error') {
      throw invalid(`Can't delete the vm snapshot ${snap.name} due to it is not in Created or Error, or Expunging State`);
    }
    return this.startJob(command, `${CMD}.vmsnapshot.DeleteVMSnapshotCmd`, this.timing.jobMs, {
      instanceType: 'VMSnapshot',
      instanceId: snap.id,
      params: { vmSnapshotId: snap.id, vmId: snap.vmId },
      failAtEnd,
    });
  }

  protected removeVmSnapshot(snap: VmSnapshotRecord): void {
    for (const child of this.vmSnapshots.values()) {
      if (child.parentId === snap.id) {
        child.parentId = snap.parentId;
      }
    }
    if (snap.current && snap.parentId !== undefined) {
      const parent = this.vmSnapshots.get(snap.parentId);
      if (parent) {
        parent.current = true;
      }
    }
    for (const volume of snap.volumes) {
      if (this.blocks.hasSnapshot(volume.blockId)) {
        this.blocks.deleteSnapshot(volume.blockId);
      }
    }
    this.vmSnapshots.delete(snap.id);
    this.dropTags('VMSnapshot', snap.id);
  }

  createSnapshotFromVmSnapshot(vmSnapshotId: string, volumeId: string, name: string | undefined, failAtEnd = false): { job: JobRecord; snapshot: SnapshotRecord } {
    const command = 'createSnapshotFromVMSnapshot';
    const vmSnap = this.lookup(this.vmSnapshots, vmSnapshotId, command, 'vmsnapshotid');
    const volume = this.lookup(this.volumes, volumeId, command, 'volumeid');
    const copy = vmSnap.volumes.find((v) => v.volumeId === volume.id);
    if (!copy) {
      throw invalid(`Volume ${volume.name} is not part of VM snapshot ${vmSnap.name}`);
    }
    if (this.vmSnapshotState(vmSnap) !== 'Ready') {
      throw invalid(`VM snapshot ${vmSnap.name} is not in Ready state`);
    }
    const id = this.newId();
    const blockId = `snap/${id}/${volume.zoneId}`;
    const blocks = this.blocks.copySnapshot(copy.blockId, blockId);
    const vm = this.vms.get(vmSnap.vmId);
    const snapshot: SnapshotRecord = {
      id,
      name: name || `${vmSnap.name}_${volume.name}_${nameStamp(this.now())}`,
      volumeId: volume.id,
      volumeName: volume.name,
      volumeType: volume.type,
      virtualBytes: volume.sizeBytes,
      osTypeId: vm?.osTypeId ?? '',
      intervalType: 'MANUAL',
      createdAt: this.now(),
      copies: [{ zoneId: volume.zoneId, blockId }],
      full: true,
      quiesced: false,
      fromVmSnapshotId: vmSnap.id,
    };
    this.snapshots.set(id, snapshot);
    const job = this.startJob(command, `${CMD}.snapshot.CreateSnapshotFromVMSnapshotCmd`, this.snapshotMs(blocks.owned.size * 512 * 1024), {
      instanceType: 'Snapshot',
      instanceId: id,
      params: { snapshotId: id, volumeId: volume.id, vmSnapshotId: vmSnap.id },
      failAtEnd,
    });
    snapshot.jobId = job.id;
    this.touch();
    return { job, snapshot };
  }
}
