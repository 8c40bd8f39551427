/**
 * Restore in place: stop the VM (when running), create a disk from the snapshot, detach the old
 * disk, attach the new one with the same device name (as the boot disk when it was), start the
 * VM again if it was running. One tracked operation: `data` holds the plan and one requestId per
 * step; each poll reads the VM and the new disk and takes the next step, so it survives a window
 * reload and a step is never made twice (a repeated requestId is answered with the first
 * operation). The old disk is kept, detached.
 */
import { CloudError } from '../../model/errors';
import type { OperationStatus } from '../../model/types';
import type { Json, ResourceRef } from './api';
import type { GcpCore } from './core';
import { pathOf } from './ids';
import { getOrUndefined, mutate } from './operations';

export interface RestoreData {
  instance: ResourceRef;
  deviceName: string;
  boot: boolean;
  oldDiskId: string;
  newDisk: ResourceRef;
  newDiskId: string;
  /** The new disk's body (inserted again, with the same requestId, if it is missing). */
  body: Json;
  wasRunning: boolean;
  ids: { insert: string; stop: string; detach: string; attach: string; start: string; reattach: string };
}

/** Instance statuses the restore steps know how to go on from. */
const INSTANCE_STATUSES = new Set(['PROVISIONING', 'STAGING', 'RUNNING', 'STOPPING', 'TERMINATED', 'REPAIRING']);

export async function pollRestoreInPlace(core: GcpCore, d: RestoreData): Promise<OperationStatus> {
  const project = d.instance.project;
  const vmName = d.instance.name;
  const vm = await getOrUndefined(core, 'instance', d.instance);
  if (!vm) {
    return { done: true, failed: true, message: `VM ${vmName} no longer exists` };
  }
  const status = String(vm.status ?? '');
  if (!INSTANCE_STATUSES.has(status)) {
    // SUSPENDED, or a word this restore does not know: bounded by `core.polls`, then reported.
    throw new CloudError('malformed', `Google Cloud reported the status "${status}" for VM ${vmName}, which this restore does not handle`);
  }
  const slot = ((vm.disks as Json[] | undefined) ?? []).find((x) => x.deviceName === d.deviceName);
  const current = pathOf(slot?.source);
  const role = d.boot ? 'boot disk' : `disk ${d.deviceName}`;
  const start = async (id: string): Promise<void> => void (await mutate(core, { method: 'startInstance', instance: d.instance, requestId: id }, project));

  if (current === d.newDiskId) {
    if (!d.wasRunning) {
      return { done: true, progress: 100, message: `Disk swapped; ${vmName} stays stopped (old disk kept, detached)` };
    }
    if (status === 'RUNNING') {
      return { done: true, progress: 100, message: `Disk swapped; ${vmName} is running again (old disk kept, detached)` };
    }
    if (status === 'TERMINATED') {
      await start(d.ids.start);
    }
    return { done: false, progress: 90, message: `Starting ${vmName}` };
  }
  if (current !== undefined && current !== d.oldDiskId) {
    return { done: true, failed: true, message: `The ${role} of ${vmName} changed meanwhile; nothing was swapped` };
  }

  const disk = await getOrUndefined(core, 'disk', d.newDisk);
  if (!disk) {
    await mutate(core, { method: 'insertDisk', place: d.newDisk, disk: d.body, requestId: d.ids.insert }, project);
    return { done: false, progress: 20, message: 'Creating the disk from the snapshot' };
  }
  const diskStatus = String(disk.status ?? '');
  if (diskStatus === 'FAILED') {
    const why = `The new disk ${d.newDisk.name} failed; ${vmName} keeps its ${role}`;
    if (current === undefined) {
      if (status === 'TERMINATED') {
        await mutate(core, { method: 'attachDisk', instance: d.instance, attachedDisk: { source: d.oldDiskId, deviceName: d.deviceName, boot: d.boot, mode: 'READ_WRITE', type: 'PERSISTENT' }, requestId: d.ids.reattach }, project);
      }
      return { done: false, progress: 90, message: `${why}; attaching it again` };
    }
    if (!d.wasRunning || status === 'RUNNING') {
      return { done: true, failed: true, message: d.wasRunning ? `${why} and is running` : why };
    }
    if (status === 'TERMINATED') {
      await start(d.ids.start);
    }
    return { done: false, progress: 90, message: `${why}; starting ${vmName} again` };
  }
  if (status !== 'TERMINATED') {
    if (status === 'RUNNING') {
      await mutate(core, { method: 'stopInstance', instance: d.instance, requestId: d.ids.stop }, project);
    }
    return { done: false, progress: 30, message: `Stopping ${vmName}` };
  }
  if (diskStatus !== 'READY') {
    return { done: false, progress: 40, message: 'Creating the disk from the snapshot' };
  }
  if (current === d.oldDiskId) {
    await mutate(core, { method: 'detachDisk', instance: d.instance, deviceName: d.deviceName, requestId: d.ids.detach }, project);
    return { done: false, progress: 60, message: `Detaching the old ${role}` };
  }
  await mutate(
    core,
    { method: 'attachDisk', instance: d.instance, attachedDisk: { source: d.newDiskId, deviceName: d.deviceName, boot: d.boot, mode: 'READ_WRITE', type: 'PERSISTENT' }, requestId: d.ids.attach },
    project,
  );
  return { done: false, progress: 75, message: `Attaching the new ${role}` };
}
