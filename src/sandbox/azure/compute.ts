/**
 * Virtual machines and managed images of the Azure sandbox (ComputeRP): power transitions over
 * time, OS/data disk swaps (only when deallocated), generalize, images from a generalized VM or
 * from a snapshot / disk. Wire-neutral, like state.ts.
 */
import { randomUUID } from 'node:crypto';
import { ArmError, badRequest, injectedFailure, invalidParameter, notAllowed } from './errors';
import {
  type AzureState,
  type Change,
  type DiskRecord,
  type ImageDisk,
  type ImageRecord,
  type OperationRecord,
  type OsType,
  parseId,
  type Tags,
  type VmDataDisk,
  type VmRecord,
} from './state';

export interface VmInput {
  location?: string;
  tags?: Tags;
  vmSize?: string;
  zones?: string[];
  osDisk?: { managedDiskId?: string; osType?: string; createOption?: string; name?: string };
  dataDisks?: { lun: number; managedDiskId?: string; createOption?: string; caching?: string; name?: string }[];
}

export interface ImageInput {
  location?: string;
  tags?: Tags;
  sourceVirtualMachineId?: string;
  osDisk?: { osType?: string; osState?: string; snapshotId?: string; managedDiskId?: string; blobUri?: string; diskSizeGB?: number; storageAccountType?: string };
  dataDisks?: { lun: number; snapshotId?: string; managedDiskId?: string; diskSizeGB?: number }[];
  zoneResilient?: boolean;
  hyperVGeneration?: string;
}

function osTypeOf(value: string | undefined, target: string): OsType {
  if (value === undefined) {
    throw invalidParameter(`Required parameter '${target}' is missing (null).`, target);
  }
  const match = (['Windows', 'Linux'] as const).find((o) => o.toLowerCase() === value.toLowerCase());
  if (!match) {
    throw invalidParameter(`The value '${value}' of parameter '${target}' is invalid (Windows or Linux).`, target);
  }
  return match;
}

// ---- virtual machines ------------------------------------------------------------------------

/** The disk a VM is to use: it must exist, be in the VM's location and not be attached elsewhere. */
function usableDisk(state: AzureState, vm: { id: string; location: string; zones?: string[] }, diskId: string, target: string): DiskRecord {
  const disk = state.byId(state.disks, diskId, 'disks', target);
  if (disk.location !== vm.location) {
    throw badRequest(`Disk '${disk.name}' is in '${disk.location}', but the VM is in '${vm.location}'.`, target);
  }
  // As in Azure: a zonal VM takes disks of its zone or zone-redundant (ZRS) disks; a regional VM no zonal disk.
  const vmZone = vm.zones?.[0];
  const diskZone = disk.zones?.[0];
  if (vmZone !== diskZone && !(vmZone !== undefined && diskZone === undefined && /_ZRS$/i.test(disk.skuName))) {
    throw badRequest(
      `Disk '${disk.name}' cannot be attached to the VM because it is not in the same zone as the VM. VM zone: '${vmZone ?? ''}'. Disk zone: '${diskZone ?? ''}'.`,
      target,
    );
  }
  if (disk.managedBy && disk.managedBy.toLowerCase() !== vm.id.toLowerCase()) {
    throw new ArmError(409, 'OperationNotAllowed', `Disk '${disk.name}' is already attached to VM '${disk.managedBy}'.`, target);
  }
  if (state.activeGrant(disk.id)) {
    throw notAllowed(`Disk '${disk.name}' has an active SAS URI (diskState ActiveSAS) and cannot be attached.`);
  }
  return disk;
}

/** Creates a VM (OS disk attached, createOption Attach) or updates one (tags, size, disk swaps). */
export function putVm(state: AzureState, subscriptionId: string, resourceGroup: string, name: string, input: VmInput, method: 'PUT' | 'PATCH', fail = false): Change<VmRecord> {
  const place = state.placeOf(state.vms, 'virtualMachines', subscriptionId, resourceGroup, name);
  const { id, existing } = place;
  const opName = method === 'PUT' ? 'VirtualMachines_CreateOrUpdate' : 'VirtualMachines_Update';
  if (existing) {
    return updateVm(state, existing, input, opName, method, fail);
  }
  if (method === 'PATCH') {
    throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/virtualMachines/${name}' under resource group '${resourceGroup}' was not found.`);
  }
  const loc = state.location(input.location, 'virtualMachines');
  const osDisk = input.osDisk;
  if (!osDisk?.managedDiskId || (osDisk.createOption ?? '').toLowerCase() !== 'attach') {
    throw invalidParameter(
      "The sandbox creates VMs from an existing OS disk only: set storageProfile.osDisk.createOption to 'Attach' and osDisk.managedDisk.id.",
      'storageProfile.osDisk',
    );
  }
  const stub = { id, location: loc.name, zones: input.zones };
  const os = usableDisk(state, stub, osDisk.managedDiskId, 'storageProfile.osDisk.managedDisk.id');
  const osType = osTypeOf(osDisk.osType ?? os.osType, 'storageProfile.osDisk.osType');
  const dataDisks = (input.dataDisks ?? []).map((d) => dataDiskOf(state, stub, d));
  const now = state.now();
  const record: VmRecord = {
    ...state.newRecord(place, loc.name, input.tags, now),
    readyAt: now + state.timing.operationMs,
    seq: state.seq(),
    vmId: randomUUID(),
    vmSize: input.vmSize ?? 'Standard_D2s_v5',
    zones: input.zones && input.zones.length > 0 ? [...input.zones] : undefined,
    osDiskId: os.id,
    osDiskName: os.name,
    osType,
    osDiskCreateOption: 'Attach',
    dataDisks: dataDisks.map((d) => d.entry),
    power: 'running',
    transition: { from: 'deallocated', to: 'running', startAt: now, endAt: now + state.timing.vmPowerMs },
    generalized: false,
    computerName: name.slice(0, 15),
    failed: fail ? injectedFailure() : undefined,
  };
  os.managedBy = id;
  for (const d of dataDisks) {
    d.disk.managedBy = id;
  }
  state.vms.set(id.toLowerCase(), record);
  const operation = state.operationOn(record, opName, method, { fail, provider: 'compute' });
  return { record, created: true, operation };
}

function dataDiskOf(
  state: AzureState,
  vm: { id: string; location: string },
  d: { lun: number; managedDiskId?: string; createOption?: string; caching?: string; name?: string },
): { entry: VmDataDisk; disk: DiskRecord } {
  if (!Number.isInteger(d.lun) || d.lun < 0 || d.lun > 63) {
    throw invalidParameter(`The value '${String(d.lun)}' of parameter 'lun' is invalid.`, 'storageProfile.dataDisks.lun');
  }
  if (!d.managedDiskId) {
    throw invalidParameter('The sandbox attaches existing data disks only: set dataDisks[].managedDisk.id.', 'storageProfile.dataDisks.managedDisk.id');
  }
  const disk = usableDisk(state, vm, d.managedDiskId, 'storageProfile.dataDisks.managedDisk.id');
  return { entry: { lun: d.lun, name: disk.name, diskId: disk.id, caching: d.caching ?? 'ReadOnly', createOption: 'Attach' }, disk };
}

function updateVm(state: AzureState, vm: VmRecord, input: VmInput, opName: string, method: string, fail: boolean): Change<VmRecord> {
  if (input.location !== undefined && input.location.replace(/\s+/g, '').toLowerCase() !== vm.location) {
    throw new ArmError(409, 'InvalidResourceLocation', `The resource '${vm.name}' already exists in location '${vm.location}'.`);
  }
  // Disk changes: the OS disk by id, data disks by lun.
  const swaps: { lun?: number; from?: string; to?: DiskRecord }[] = [];
  const osId = input.osDisk?.managedDiskId;
  if (osId !== undefined && osId.toLowerCase() !== vm.osDiskId.toLowerCase()) {
    const disk = usableDisk(state, vm, osId, 'storageProfile.osDisk.managedDisk.id');
    if (!disk.osType) {
      throw badRequest(`Disk '${disk.name}' has no osType and cannot be an OS disk.`, 'storageProfile.osDisk.managedDisk.id');
    }
    if (disk.osType !== vm.osType) {
      throw badRequest(`The OS type of disk '${disk.name}' (${disk.osType}) differs from the VM's (${vm.osType}).`, 'storageProfile.osDisk.osType');
    }
    swaps.push({ from: vm.osDiskId, to: disk });
  }
  let nextData = vm.dataDisks;
  if (input.dataDisks !== undefined) {
    const wanted = input.dataDisks;
    const luns = new Set<number>();
    for (const d of wanted) {
      if (luns.has(d.lun)) {
        throw invalidParameter(`Two data disks use lun ${d.lun}.`, 'storageProfile.dataDisks.lun');
      }
      luns.add(d.lun);
    }
    nextData = wanted.map((d) => {
      const current = vm.dataDisks.find((x) => x.lun === d.lun);
      if (current && (!d.managedDiskId || d.managedDiskId.toLowerCase() === current.diskId.toLowerCase())) {
        return { ...current, caching: d.caching ?? current.caching };
      }
      const { entry, disk } = dataDiskOf(state, vm, d);
      swaps.push({ lun: d.lun, from: current?.diskId, to: disk });
      return entry;
    });
    for (const current of vm.dataDisks) {
      if (!luns.has(current.lun)) {
        swaps.push({ lun: current.lun, from: current.diskId });
      }
    }
  }
  if (swaps.length > 0 && state.powerState(vm) !== 'deallocated') {
    throw new ArmError(
      409,
      'OperationNotAllowed',
      `Changing the OS disk or the data disks of VM '${vm.name}' is allowed only when the VM is deallocated ` +
        `(its power state is '${state.powerState(vm)}'). Deallocate the VM and try again.`,
    );
  }
  const operation = state.operationOn(vm, opName, method, { fail, provider: 'compute' });
  if (fail) {
    return { record: vm, created: false, operation };
  }
  for (const swap of swaps) {
    if (swap.from) {
      const old = state.disks.get(swap.from.toLowerCase());
      if (old) {
        old.managedBy = undefined;
      }
    }
    if (swap.to) {
      swap.to.managedBy = vm.id;
      if (swap.lun === undefined) {
        vm.osDiskId = swap.to.id;
        vm.osDiskName = swap.to.name;
        vm.osDiskCreateOption = 'Attach';
        vm.generalized = false;
      }
    }
  }
  vm.dataDisks = nextData;
  if (input.tags) {
    vm.tags = { ...input.tags };
  }
  if (input.vmSize) {
    vm.vmSize = input.vmSize;
  }
  vm.updating = true;
  vm.readyAt = operation.endAt;
  return { record: vm, created: false, operation };
}

export type PowerAction = 'deallocate' | 'start' | 'powerOff';

const POWER_OPS: Record<PowerAction, string> = {
  deallocate: 'VirtualMachines_Deallocate',
  start: 'VirtualMachines_Start',
  powerOff: 'VirtualMachines_PowerOff',
};

/** Starts a power transition; PowerState walks through deallocating/starting/stopping. */
export function powerAction(state: AzureState, vm: VmRecord, action: PowerAction, fail = false): OperationRecord {
  const current = state.powerState(vm);
  if (current === 'deallocating' || current === 'starting' || current === 'stopping') {
    throw new ArmError(
      409,
      'OperationNotAllowed',
      `Operation '${action}' is not allowed on VM '${vm.name}' since the VM is ${current}. Wait for the operation in progress to complete.`,
    );
  }
  if (action === 'start' && vm.generalized) {
    throw new ArmError(409, 'OperationNotAllowed', `Operation 'start' is not allowed on VM '${vm.name}' since the VM is generalized.`);
  }
  if (action === 'powerOff' && current === 'deallocated') {
    throw new ArmError(409, 'OperationNotAllowed', `Operation 'powerOff' is not allowed on VM '${vm.name}' since the VM is deallocated.`);
  }
  const to = action === 'start' ? 'running' : action === 'deallocate' ? 'deallocated' : 'stopped';
  const changes = vm.power !== to;
  const duration = changes ? state.timing.vmPowerMs : 0;
  const op = state.operationOn(vm, POWER_OPS[action], 'POST', { durationMs: duration, fail, provider: 'compute' });
  if (!fail && changes) {
    const now = state.now();
    vm.transition = { from: vm.power, to, startAt: now, endAt: now + duration };
    vm.power = to;
  }
  return op;
}

/** POST generalize: synchronous (200), only for a stopped or deallocated VM. */
export function generalize(state: AzureState, vm: VmRecord): void {
  const current = state.powerState(vm);
  if (current !== 'stopped' && current !== 'deallocated') {
    throw new ArmError(
      409,
      'OperationNotAllowed',
      `Operation 'generalize' is not allowed on VM '${vm.name}' since the VM is ${current}. Stop or deallocate the VM first.`,
    );
  }
  vm.generalized = true;
  state.touch();
}

// ---- images ----------------------------------------------------------------------------------

export function putImage(state: AzureState, subscriptionId: string, resourceGroup: string, name: string, input: ImageInput, fail = false): Change<ImageRecord> {
  const place = state.placeOf(state.images, 'images', subscriptionId, resourceGroup, name);
  const { id, existing } = place;
  if (existing) {
    const sourceVm = input.sourceVirtualMachineId;
    if (sourceVm !== undefined && sourceVm.toLowerCase() !== (existing.sourceVmId ?? '').toLowerCase()) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'sourceVirtualMachine' is not allowed.", 'sourceVirtualMachine');
    }
    if (input.tags) {
      existing.tags = { ...input.tags };
    }
    state.touch();
    return { record: existing, created: false, operation: state.instantOperation('Images_CreateOrUpdate', existing, 'PUT') };
  }
  const loc = state.location(input.location, 'images');
  const now = state.now();
  let fields: Pick<ImageRecord, 'sourceVmId' | 'osType' | 'osState' | 'osDisk' | 'dataDisks' | 'hyperVGeneration'>;
  if (input.sourceVirtualMachineId) {
    const parsed = parseId(input.sourceVirtualMachineId);
    if (!parsed || parsed.type.toLowerCase() !== 'virtualmachines') {
      throw invalidParameter(`'${input.sourceVirtualMachineId}' is not a virtual machine id.`, 'sourceVirtualMachine.id');
    }
    const vm = state.find(state.vms, 'virtualMachines', parsed.subscriptionId, parsed.resourceGroup, parsed.name);
    if (vm.location !== loc.name) {
      throw badRequest(`The source VM '${vm.name}' is in '${vm.location}'; the image must be created in the same location.`, 'location');
    }
    if (!vm.generalized) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `The operation 'Create Image' is not allowed on VM '${vm.name}' since the VM is not generalized. ` +
          'Generalize the VM (POST .../generalize) before capturing it.',
      );
    }
    const osDisk = state.disks.get(vm.osDiskId.toLowerCase());
    fields = {
      sourceVmId: vm.id,
      osType: vm.osType,
      osState: 'Generalized',
      osDisk: { managedDiskId: vm.osDiskId, sizeGB: osDisk?.sizeGB ?? 30, storageAccountType: osDisk?.skuName ?? 'Standard_LRS' },
      dataDisks: vm.dataDisks.map((d) => {
        const disk = state.disks.get(d.diskId.toLowerCase());
        return { lun: d.lun, managedDiskId: d.diskId, sizeGB: disk?.sizeGB ?? 0, storageAccountType: disk?.skuName ?? 'Standard_LRS' };
      }),
      hyperVGeneration: osDisk?.hyperVGeneration ?? 'V1',
    };
  } else if (input.osDisk) {
    const os = input.osDisk;
    const osType = osTypeOf(os.osType, 'storageProfile.osDisk.osType');
    const osState = (['Generalized', 'Specialized'] as const).find((s) => s.toLowerCase() === (os.osState ?? '').toLowerCase());
    if (!osState) {
      throw invalidParameter(`The value '${String(os.osState)}' of parameter 'storageProfile.osDisk.osState' is invalid.`, 'storageProfile.osDisk.osState');
    }
    const source = imageDisk(state, loc.name, os, 'storageProfile.osDisk');
    fields = {
      osType,
      osState,
      osDisk: source.disk,
      dataDisks: (input.dataDisks ?? []).map((d) => ({ ...imageDisk(state, loc.name, d, 'storageProfile.dataDisks').disk, lun: d.lun })),
      hyperVGeneration: source.hyperVGeneration ?? 'V1',
    };
  } else {
    throw invalidParameter('Either sourceVirtualMachine or storageProfile.osDisk must be specified.', 'storageProfile');
  }
  const gen = input.hyperVGeneration;
  const record: ImageRecord = {
    ...state.newRecord(place, loc.name, input.tags, now),
    readyAt: now + state.timing.imageMs,
    seq: state.seq(),
    ...fields,
    hyperVGeneration: gen === 'V1' || gen === 'V2' ? gen : fields.hyperVGeneration,
    zoneResilient: input.zoneResilient ?? false,
    failed: fail ? injectedFailure() : undefined,
  };
  state.images.set(id.toLowerCase(), record);
  const operation = state.operationOn(record, 'Images_CreateOrUpdate', 'PUT', { durationMs: state.timing.imageMs, fail, provider: 'compute' });
  return { record, created: true, operation };
}

function imageDisk(
  state: AzureState,
  location: string,
  input: { snapshotId?: string; managedDiskId?: string; blobUri?: string; diskSizeGB?: number; storageAccountType?: string },
  target: string,
): { disk: ImageDisk; hyperVGeneration?: 'V1' | 'V2' } {
  const source = input.snapshotId
    ? state.byId(state.snapshots, input.snapshotId, 'snapshots', `${target}.snapshot.id`)
    : input.managedDiskId
      ? state.byId(state.disks, input.managedDiskId, 'disks', `${target}.managedDisk.id`)
      : undefined;
  if (!source && !input.blobUri) {
    throw invalidParameter(`One of snapshot, managedDisk or blobUri must be specified for ${target}.`, target);
  }
  if (source && source.location !== location) {
    throw badRequest(`The source '${source.name}' is in '${source.location}'; the image must be created in the same location.`, target);
  }
  if (source && 'copy' in source && source.copy && state.copyInProgress(source)) {
    throw notAllowed(`The snapshot '${source.name}' is still being copied (completionPercent < 100).`);
  }
  return {
    disk: {
      snapshotId: input.snapshotId ? source?.id : undefined,
      managedDiskId: input.managedDiskId ? source?.id : undefined,
      blobUri: input.blobUri,
      sizeGB: input.diskSizeGB ?? source?.sizeGB ?? 30,
      storageAccountType: input.storageAccountType ?? 'Standard_LRS',
    },
    hyperVGeneration: source?.hyperVGeneration,
  };
}

export function deleteImage(state: AzureState, image: ImageRecord, fail = false): OperationRecord {
  const op = state.operationOn(image, 'Images_Delete', 'DELETE', { fail, provider: 'compute' });
  if (!fail) {
    state.images.delete(image.id.toLowerCase());
  }
  return op;
}
