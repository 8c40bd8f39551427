/**
 * Restore in place: deallocate the VM (when running), create a disk from the snapshot, swap it
 * into the VM's storage profile (OS disk, or the data disk at the same LUN), start the VM again
 * if it was running. One tracked operation: `data` holds the plan, and each poll reads the VM and
 * the new disk and takes the next step, so it survives a window reload and never repeats a step
 * that is done. The old disk is kept, detached.
 */
import type { Disk as ArmDisk, VirtualMachine } from '@azure/arm-compute';
import { CloudError, isCloudError } from '../../model/errors';
import type { OperationRecord, OperationStatus } from '../../model/types';
import type { AzureCore } from './core';
import { sameId } from './ids';
import { powerState, provisioningPhase } from './map';

export interface RestoreData {
  sub: string;
  rg: string;
  vmName: string;
  /** 'os' or the data disk's LUN. */
  slot: 'os' | number;
  oldDiskId: string;
  newDiskName: string;
  newDiskId: string;
  /** The new disk's body (PUT again, idempotently, if it is missing). */
  disk: ArmDisk;
  wasRunning: boolean;
}

async function getDisk(core: AzureCore, d: RestoreData): Promise<ArmDisk | undefined> {
  try {
    return await core.call(() => core.compute(d.sub).disks.get(d.rg, d.newDiskName));
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return undefined;
    }
    throw e;
  }
}

/** Fires an LRO without waiting for it (its effect is read back at the next poll). */
async function fire(core: AzureCore, poller: { submitted(): Promise<void> }): Promise<void> {
  await core.call(() => poller.submitted());
}

export function slotDiskId(vm: VirtualMachine, slot: 'os' | number): string | undefined {
  if (slot === 'os') {
    return vm.storageProfile?.osDisk?.managedDisk?.id;
  }
  return vm.storageProfile?.dataDisks?.find((x) => x.lun === slot)?.managedDisk?.id;
}

/** The storage profile with the new disk in the slot. */
export function swappedProfile(vm: VirtualMachine, d: RestoreData): NonNullable<VirtualMachine['storageProfile']> {
  const sp = vm.storageProfile ?? {};
  if (d.slot === 'os') {
    if (!sp.osDisk) {
      throw new CloudError('invalid', `VM ${d.vmName} has no OS disk in its storage profile`);
    }
    return { osDisk: { ...sp.osDisk, name: d.newDiskName, managedDisk: { ...sp.osDisk.managedDisk, id: d.newDiskId } } };
  }
  const lun = d.slot;
  const dataDisks = (sp.dataDisks ?? []).map((x) =>
    x.lun === lun ? { ...x, name: d.newDiskName, createOption: 'Attach', managedDisk: { ...x.managedDisk, id: d.newDiskId } } : x,
  );
  return { dataDisks };
}

/** Power states the restore steps know how to go on from. */
const POWER_STATES = new Set(['running', 'starting', 'stopping', 'stopped', 'deallocating', 'deallocated']);

export async function pollRestoreInPlace(core: AzureCore, op: OperationRecord, d: RestoreData): Promise<OperationStatus> {
  const client = core.compute(d.sub);
  let vm: VirtualMachine;
  try {
    vm = await core.call(() => client.virtualMachines.get(d.rg, d.vmName, { expand: 'instanceView' }));
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return { done: true, failed: true, message: `VM ${d.vmName} no longer exists` };
    }
    throw e;
  }
  const power = powerState(vm.instanceView);
  if (power !== undefined && !POWER_STATES.has(power)) {
    // A word this restore does not know: bounded by `core.polls`, then reported.
    throw new CloudError('malformed', `Azure reported the power state "${power}" for VM ${d.vmName}, which this restore does not handle`);
  }
  const vmBusy = provisioningPhase(vm.provisioningState) === 'pending';
  const swapped = sameId(slotDiskId(vm, d.slot), d.newDiskId);

  if (swapped) {
    if (!d.wasRunning) {
      return vmBusy ? { done: false, progress: 90, message: 'Updating the VM' } : { done: true, progress: 100, message: `Disk swapped; ${d.vmName} stays ${power ?? 'stopped'}` };
    }
    if (power === 'running') {
      return { done: true, progress: 100, message: `Disk swapped; ${d.vmName} is running again (old disk kept, detached)` };
    }
    if (!vmBusy && power !== 'starting') {
      await fire(core, client.virtualMachines.start(d.rg, d.vmName));
    }
    return { done: false, progress: 90, message: `Starting ${d.vmName}` };
  }

  // Not swapped yet: the VM must be deallocated and the new disk ready.
  if (!sameId(slotDiskId(vm, d.slot), d.oldDiskId)) {
    return { done: true, failed: true, message: `The ${d.slot === 'os' ? 'OS disk' : `data disk at LUN ${d.slot}`} of ${d.vmName} changed meanwhile; nothing was swapped` };
  }
  const disk = await getDisk(core, d);
  if (!disk) {
    await fire(core, client.disks.createOrUpdate(d.rg, d.newDiskName, d.disk));
    return { done: false, progress: 30, message: 'Creating the disk from the snapshot' };
  }
  const diskPhase = provisioningPhase(disk.provisioningState);
  if (diskPhase === 'error') {
    const why = `The new disk ${d.newDiskName} failed (${disk.provisioningState}); ${d.vmName} keeps its disk`;
    // A VM this restore deallocated is started again before the operation ends.
    if (!d.wasRunning || power === 'running') {
      return { done: true, failed: true, message: d.wasRunning ? `${why} and is running` : why };
    }
    if (!vmBusy && (power === 'deallocated' || power === 'stopped')) {
      await fire(core, client.virtualMachines.start(d.rg, d.vmName));
    }
    return { done: false, progress: 90, message: `${why}; starting ${d.vmName} again` };
  }
  if (power !== 'deallocated') {
    if (!vmBusy && (power === 'running' || power === 'stopped' || power === undefined)) {
      await fire(core, client.virtualMachines.deallocate(d.rg, d.vmName));
    }
    return { done: false, progress: 20, message: `Deallocating ${d.vmName}` };
  }
  if (diskPhase !== 'ready') {
    return { done: false, progress: 40, message: 'Creating the disk from the snapshot' };
  }
  if (vmBusy) {
    return { done: false, progress: 60, message: 'Updating the VM' };
  }
  await fire(core, client.virtualMachines.update(d.rg, d.vmName, { storageProfile: swappedProfile(vm, d) }));
  void op;
  return { done: false, progress: 70, message: 'Swapping the disk' };
}
