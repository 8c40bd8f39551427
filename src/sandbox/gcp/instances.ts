/**
 * Instances: stop, start, attachDisk, detachDisk (power transitions from timestamps).
 */
import { alreadyExists, badRequest, checkName, inUse, invalid, notFound, notReady, required } from './errors';
import {
  type AttachedDiskRecord,
  type InstanceRecord,
  type Labels,
  MACHINE_TYPES,
  type OperationError,
  type OperationRecord,
} from './records';
import { relativePath, lastSegment, type AttachInput, str, instancePathOf } from './refs';
import { GcpImages } from './images';

export abstract class GcpInstances extends GcpImages {
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

  protected instanceOp(vm: InstanceRecord, operationType: string, durationMs: number, error?: OperationError): OperationRecord {
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
}
