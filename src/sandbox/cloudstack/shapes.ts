/**
 * CloudStack's response objects, from the state's records: field names as the API's response
 * classes serialize them (all lower-case), dates as `yyyy-MM-dd'T'HH:mm:ssZ` (`+0000`), sizes in
 * bytes, absent fields left out (CloudStack's serializer drops nulls).
 */
import type { CsState, JobRecord, SnapshotRecord, TemplateRecord, VmRecord, VmSnapshotRecord, VolumeRecord, ZoneRecord, ResourceType, TagRecord } from './state';

export const CLOUDSTACK_VERSION = '4.21.0.0';
export const ACCOUNT = { account: 'snapkeeper', domain: 'ROOT', domainid: '5a2a1f1e-0a7c-11ef-9b07-52540012a001', userid: '5a2a3b22-0a7c-11ef-9b07-52540012a001', accountid: '5a2a2c72-0a7c-11ef-9b07-52540012a001' };
const HYPERVISOR = 'KVM';

/** `2026-01-02T03:04:05+0000`. */
export function csDate(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

const owner = () => ({ account: ACCOUNT.account, domainid: ACCOUNT.domainid, domain: ACCOUNT.domain });

export function tagShapes(state: CsState, resourceType: ResourceType, resourceId: string) {
  return state.tagsOf(resourceType, resourceId).map((t) => tagShape(t));
}

export function tagShape(t: TagRecord) {
  return { key: t.key, value: t.value, resourcetype: t.resourceType, resourceid: t.resourceId, ...owner() };
}

export function zoneShape(zone: ZoneRecord) {
  return {
    id: zone.id,
    name: zone.name,
    description: zone.description,
    networktype: 'Advanced',
    securitygroupsenabled: false,
    allocationstate: 'Enabled',
    zonetoken: zone.id.slice(0, 8),
    dhcpprovider: 'VirtualRouter',
    localstorageenabled: false,
    type: 'Core',
    tags: [],
  };
}

export function vmShape(state: CsState, vm: VmRecord) {
  const offering = state.serviceOffering(vm.serviceOfferingId);
  const template = state.templates.get(vm.templateId);
  return {
    id: vm.id,
    name: vm.name,
    displayname: vm.displayname,
    ...owner(),
    created: csDate(vm.createdAt),
    state: state.vmState(vm),
    haenable: false,
    zoneid: vm.zoneId,
    zonename: state.zoneName(vm.zoneId),
    templateid: vm.templateId,
    templatename: template?.name ?? '',
    serviceofferingid: vm.serviceOfferingId,
    serviceofferingname: offering?.name ?? '',
    cpunumber: offering?.cpunumber ?? 1,
    cpuspeed: offering?.cpuspeed ?? 1000,
    memory: offering?.memory ?? 1024,
    guestosid: vm.osTypeId,
    ostypeid: vm.osTypeId,
    osdisplayname: state.osType(vm.osTypeId)?.description ?? '',
    rootdeviceid: 0,
    rootdevicetype: 'ROOT',
    hypervisor: HYPERVISOR,
    nic: [{ id: `${vm.id.slice(0, 24)}000000000001`, ipaddress: vm.ipaddress, isdefault: true, type: 'Isolated', traffictype: 'Guest' }],
    tags: tagShapes(state, 'UserVm', vm.id),
  };
}

export function volumeShape(state: CsState, volume: VolumeRecord) {
  const vm = volume.vmId === undefined ? undefined : state.vms.get(volume.vmId);
  const offering = volume.diskOfferingId === undefined ? undefined : state.diskOfferings.find((o) => o.id === volume.diskOfferingId);
  const zone = state.zones.find((z) => z.id === volume.zoneId);
  return {
    id: volume.id,
    name: volume.name,
    zoneid: volume.zoneId,
    zonename: zone?.name ?? '',
    type: volume.type,
    ...(volume.deviceId === undefined ? {} : { deviceid: volume.deviceId }),
    ...(vm ? { virtualmachineid: vm.id, vmname: vm.name, vmdisplayname: vm.displayname, vmstate: state.vmState(vm) } : {}),
    provisioningtype: 'thin',
    size: volume.sizeBytes,
    created: csDate(volume.createdAt),
    state: state.volumeState(volume),
    ...owner(),
    storagetype: 'shared',
    hypervisor: HYPERVISOR,
    ...(offering ? { diskofferingid: offering.id, diskofferingname: offering.name, diskofferingdisplaytext: offering.displaytext } : {}),
    ...(volume.sourceSnapshotId === undefined ? {} : { snapshotid: volume.sourceSnapshotId }),
    ...(state.volumeState(volume) === 'Allocated' || !zone ? {} : { storage: zone.storageName }),
    destroyed: false,
    isextractable: true,
    tags: tagShapes(state, 'Volume', volume.id),
  };
}

/** One entry of listSnapshots: the snapshot as stored in one zone. */
export function snapshotShape(state: CsState, snap: SnapshotRecord, zoneId = snap.copies[0]?.zoneId ?? '') {
  const parent = snap.parentId === undefined ? undefined : state.snapshots.get(snap.parentId);
  const volume = state.volumes.get(snap.volumeId);
  return {
    id: snap.id,
    ...owner(),
    snapshottype: snap.intervalType === 'MANUAL' ? 'MANUAL' : 'RECURRING',
    volumeid: snap.volumeId,
    volumename: snap.volumeName,
    volumetype: snap.volumeType,
    ...(volume ? { volumestate: state.volumeState(volume) } : {}),
    created: csDate(snap.createdAt),
    name: snap.name,
    intervaltype: snap.intervalType,
    state: state.snapshotState(snap),
    physicalsize: state.physicalBytes(snap, zoneId),
    virtualsize: snap.virtualBytes,
    zoneid: zoneId,
    zonename: state.zoneName(zoneId),
    locationtype: 'SECONDARY',
    ...(snap.osTypeId ? { ostypeid: snap.osTypeId, osdisplayname: state.osType(snap.osTypeId)?.description ?? '' } : {}),
    revertable: state.revertable(snap),
    ...(parent ? { parent: parent.id, parentname: parent.name } : {}),
    hypervisor: HYPERVISOR,
    tags: tagShapes(state, 'Snapshot', snap.id),
  };
}

export function vmSnapshotShape(state: CsState, snap: VmSnapshotRecord) {
  const vm = state.vms.get(snap.vmId);
  const parent = snap.parentId === undefined ? undefined : state.vmSnapshots.get(snap.parentId);
  return {
    id: snap.id,
    name: snap.name,
    state: state.vmSnapshotState(snap),
    description: snap.description,
    displayname: snap.displayname,
    zoneid: snap.zoneId,
    virtualmachineid: snap.vmId,
    virtualmachinename: vm?.name ?? '',
    ...(parent ? { parent: parent.id, parentName: parent.displayname } : {}),
    current: snap.current,
    type: snap.type,
    created: csDate(snap.createdAt),
    hypervisor: HYPERVISOR,
    ...owner(),
    tags: tagShapes(state, 'VMSnapshot', snap.id),
  };
}

export function templateShape(state: CsState, template: TemplateRecord) {
  const ready = state.templateReady(template);
  return {
    id: template.id,
    name: template.name,
    displaytext: template.displaytext,
    ispublic: template.ispublic,
    created: csDate(template.createdAt),
    isready: ready,
    ...(template.failed ? { status: 'Failed' } : ready ? { status: 'Download Complete' } : {}),
    passwordenabled: false,
    format: 'QCOW2',
    isfeatured: template.isfeatured,
    crossZones: false,
    ostypeid: template.osTypeId,
    ostypename: state.osType(template.osTypeId)?.description ?? '',
    ...owner(),
    zoneid: template.zoneId,
    zonename: state.zoneName(template.zoneId),
    ...(ready ? { size: template.sizeBytes } : {}),
    templatetype: template.self ? 'USER' : 'BUILTIN',
    hypervisor: HYPERVISOR,
    isextractable: template.self,
    tags: tagShapes(state, 'Template', template.id),
  };
}

/** The `jobresult` of a finished job: the object it made or changed, `{success: true}`, or the error. */
export function jobResultShape(state: CsState, job: JobRecord): unknown {
  if (job.status === 2) {
    return { errorcode: job.error?.code ?? 530, errortext: job.error?.text ?? '' };
  }
  const result = job.result;
  if (!result?.key || result.id === undefined) {
    return { success: true };
  }
  const live = (map: ReadonlyMap<string, unknown>) => map.get(result.id ?? '') ?? result.record;
  switch (result.key) {
    case 'snapshot': {
      const snap = live(state.snapshots) as SnapshotRecord | undefined;
      return snap ? { snapshot: snapshotShape(state, snap) } : { success: true };
    }
    case 'volume': {
      const volume = live(state.volumes) as VolumeRecord | undefined;
      return volume ? { volume: volumeShape(state, volume) } : { success: true };
    }
    case 'template': {
      const template = live(state.templates) as TemplateRecord | undefined;
      return template ? { template: templateShape(state, template) } : { success: true };
    }
    case 'vmsnapshot': {
      const snap = live(state.vmSnapshots) as VmSnapshotRecord | undefined;
      return snap ? { vmsnapshot: vmSnapshotShape(state, snap) } : { success: true };
    }
    case 'virtualmachine': {
      const vm = live(state.vms) as VmRecord | undefined;
      return vm ? { virtualmachine: vmShape(state, vm) } : { success: true };
    }
    default:
      return { success: true };
  }
}

/** An async job as queryAsyncJobResult / listAsyncJobs show it. */
export function jobShape(state: CsState, job: JobRecord, withResult: boolean) {
  return {
    accountid: ACCOUNT.accountid,
    userid: ACCOUNT.userid,
    cmd: job.cmdClass,
    jobstatus: job.status,
    jobprocstatus: 0,
    jobresultcode: job.status === 2 ? (job.error?.code ?? 530) : 0,
    ...(job.status === 0 ? {} : { jobresulttype: 'object' }),
    ...(withResult && job.status !== 0 ? { jobresult: jobResultShape(state, job) } : {}),
    ...(job.instanceType ? { jobinstancetype: job.instanceType } : {}),
    ...(job.instanceId ? { jobinstanceid: job.instanceId } : {}),
    created: csDate(job.createdAt),
    ...(job.completedAt === undefined ? {} : { completed: csDate(job.completedAt) }),
    jobid: job.id,
  };
}
