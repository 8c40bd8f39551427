/**
 * Running the actions. Every create carries a `requestId` (a UUID made here, before the first
 * attempt, and kept by the retries), so a retried create can never make two resources. The
 * operation each answers is handed to the tracker (operations.ts).
 */
import { bool, num, pick, requiredText, text } from '../../model/answers';
import type { RelatedResources } from '../../model/adapter';
import { CloudError, isCloudError } from '../../model/errors';
import type { ActionId } from '../../model/actions';
import type { ActionResult, FieldValues, OperationStart, Resource } from '../../model/types';
import type { GetKind, Json, ResourceRef } from './api';
import type { GcpCore } from './core';
import { leafId, mustParse, parsePath, regionOfZone, scopeOfPlace, splitScope, GLOBAL } from './ids';
import { label, type GcpDisk, type GcpImage, type GcpSnapshot, type GcpVm } from './map';
import { checkName, tagsValue, toLabels, validName, stamp } from './names';
import { goneOrGoing, madeSince, mutateOrFind, newRequestId, opStart } from './operations';
import { mutate } from './requests';
import { actionsFor, DISK_TYPES, guestFlushRefusal, refusalFor, storageLocations } from './plans';
import type { RestoreData } from './restore';
import { simulateWrites } from './sandbox';






function refOf(r: Resource, what: string): ResourceRef & { collection: string } {
  return mustParse(r.id, what);
}

const KIND_OF: Record<string, GetKind> = { instances: 'instance', disks: 'disk', snapshots: 'snapshot', images: 'image', machineImages: 'machineImage' };

export async function executeAction(core: GcpCore, action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  if (!actionsFor(target, core.sandbox !== undefined).includes(action)) {
    throw new CloudError('invalid', refusalFor(action, target));
  }
  switch (action) {
    case 'createSnapshot':
      return createSnapshot(core, target as GcpDisk, values, related);
    case 'createImageFromVm':
      return createMachineImage(core, target as GcpVm, values);
    case 'restoreToNewDisk':
      return restoreToNewDisk(core, target as GcpSnapshot, values);
    case 'restoreInPlace':
      return restoreInPlace(core, target as GcpSnapshot, related);
    case 'createImageFromSnapshot':
      return createImageFromSnapshot(core, target as GcpSnapshot, values);
    case 'createImageFromDisk':
      return createImageFromDisk(core, target as GcpDisk, values);
    case 'editTags':
      return editTags(core, target, values);
    case 'deleteSnapshot':
    case 'deleteImage':
      return deleteResource(core, target);
    case 'simulateWrites': {
      if (!core.sandbox) {
        throw new CloudError('invalid', refusalFor('simulateWrites', target));
      }
      const mib = num(values, 'mib') ?? 64;
      if (!Number.isInteger(mib) || mib < 1 || mib > 1024) {
        throw new CloudError('invalid', 'MiB must be a whole number from 1 to 1024');
      }
      await simulateWrites(core.sandbox, target.id, mib);
      return { operations: [], message: `Wrote ${mib} MiB to ${label(target)} (sandbox)`, refreshScopeIds: [target.scopeId] };
    }
    default:
      throw new CloudError('invalid', refusalFor(action, target));
  }
}

async function createSnapshot(core: GcpCore, disk: GcpDisk, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  const ref = refOf(disk, 'disk');
  const name = checkName(requiredText(values, 'name'), 'Snapshot');
  const snapshotType = pick(values, 'snapshotType', ['STANDARD', 'ARCHIVE'], 'STANDARD');
  const locations = storageLocations(disk).map((l) => l.value);
  const location = locations.length ? pick(values, 'storageLocation', locations, locations[0]) : undefined;
  const labels = toLabels(tagsValue(values.tags));
  const guestFlush = bool(values, 'guestFlush');
  if (guestFlush) {
    const why = guestFlushRefusal(disk, related);
    if (why) {
      throw new CloudError('invalid', why);
    }
  }
  const body: Json = { name, snapshotType, labels, ...(location ? { storageLocations: [location] } : {}) };
  const snapRef: ResourceRef = { project: ref.project, name };
  const since = Date.now();
  const op = await mutateOrFind(core, { method: 'createSnapshot', disk: ref, snapshot: body, guestFlush, requestId: newRequestId() }, ref.project, () => madeSince(core, 'snapshot', snapRef, since));
  const snapId = `projects/${ref.project}/global/snapshots/${name}`;
  return {
    operations: [opStart({ title: `${snapshotType === 'ARCHIVE' ? 'Archive snapshot' : 'Snapshot'} ${name} of ${label(disk)}`, scopeId: disk.scopeId, resourceId: snapId, refreshScopeIds: [disk.scopeId] }, op, ref.project, { then: { kind: 'snapshot', ref: snapRef } })],
    refreshScopeIds: [disk.scopeId],
  };
}

async function createMachineImage(core: GcpCore, vm: GcpVm, values: FieldValues): Promise<ActionResult> {
  const ref = refOf(vm, 'VM');
  const name = checkName(requiredText(values, 'name'), 'Machine image');
  const region = ref.zone ? regionOfZone(ref.zone) : undefined;
  const location = text(values, 'storageLocation');
  const labels = toLabels(tagsValue(values.tags));
  const body: Json = { name, sourceInstance: vm.id, labels, ...(location ? { storageLocations: [location] } : {}) };
  if (location && region && location !== region && !/^(us|eu|asia)$/.test(location)) {
    throw new CloudError('invalid', `Storage location "${location.slice(0, 40)}": the VM's multi-region or its region ${region}`);
  }
  const since = Date.now();
  const op = await mutateOrFind(core, { method: 'insertMachineImage', project: ref.project, machineImage: body, requestId: newRequestId() }, ref.project, () =>
    madeSince(core, 'machineImage', { project: ref.project, name }, since),
  );
  return {
    operations: [opStart({ title: `Machine image ${name} of ${label(vm)}`, scopeId: vm.scopeId, resourceId: `projects/${ref.project}/global/machineImages/${name}`, refreshScopeIds: [vm.scopeId] }, op, ref.project, { then: { kind: 'machineImage', ref: { project: ref.project, name } } })],
    refreshScopeIds: [vm.scopeId],
  };
}

async function restoreToNewDisk(core: GcpCore, snap: GcpSnapshot, values: FieldValues): Promise<ActionResult> {
  const { project } = splitScope(snap.scopeId);
  const name = checkName(requiredText(values, 'name'), 'Disk');
  const zone = requiredText(values, 'zone');
  if (!/^[a-z]+-[a-z]+\d+-[a-z]$/.test(zone)) {
    throw new CloudError('invalid', `"${zone.slice(0, 40)}" is not a zone`);
  }
  const diskType = pick(values, 'diskType', DISK_TYPES.map((t) => t.value), 'pd-balanced');
  const size = num(values, 'sizeGiB') ?? snap.sizeGiB;
  if (!Number.isInteger(size) || size < Math.max(1, snap.sizeGiB) || size > 65536) {
    throw new CloudError('invalid', `The size must be a whole number of GiB, at least the snapshot's ${snap.sizeGiB} GiB`);
  }
  const body: Json = { name, sizeGb: String(size), type: `projects/${project}/zones/${zone}/diskTypes/${diskType}`, sourceSnapshot: snap.id };
  const since = Date.now();
  const op = await mutateOrFind(core, { method: 'insertDisk', place: { project, zone }, disk: body, requestId: newRequestId() }, project, () =>
    madeSince(core, 'disk', { project, zone, name }, since),
  );
  const scopeId = leafId(project, zone);
  return {
    operations: [opStart({ title: `Disk ${name} from snapshot ${label(snap)}`, scopeId, resourceId: `projects/${project}/zones/${zone}/disks/${name}`, refreshScopeIds: [scopeId, snap.scopeId] }, op, project, { then: { kind: 'disk', ref: { project, zone, name } } })],
    refreshScopeIds: [scopeId],
  };
}

async function restoreInPlace(core: GcpCore, snap: GcpSnapshot, related: RelatedResources): Promise<ActionResult> {
  const t = snap.gcp?.attachedTo?.[0];
  if (!t || !snap.diskId) {
    throw new CloudError('invalid', refusalFor('restoreInPlace', snap));
  }
  const vmRef = mustParse(t.vmId, 'VM');
  const old = mustParse(snap.diskId, 'disk');
  const oldDisk = related.inventory.disks.find((d) => d.id === snap.diskId) as GcpDisk | undefined;
  const place = old.region ? { project: old.project, region: old.region } : { project: old.project, zone: old.zone };
  const newName = validName(old.name, `restored-${stamp()}`, 'disk');
  const typeName = oldDisk?.diskType ?? 'pd-balanced';
  const where = old.region ? `regions/${old.region}` : `zones/${old.zone}`;
  const body: Json = {
    name: newName,
    sizeGb: String(Math.max(snap.sizeGiB, oldDisk?.sizeGiB ?? 0)),
    type: `projects/${old.project}/${where}/diskTypes/${typeName}`,
    sourceSnapshot: snap.id,
    ...(old.region && oldDisk?.gcp.replicaZones.length ? { replicaZones: oldDisk.gcp.replicaZones.map((z) => `projects/${old.project}/zones/${z}`) } : {}),
    labels: Object.fromEntries((oldDisk?.tags ?? []).map((x) => [x.key, x.value])),
  };
  const data: RestoreData = {
    instance: { project: vmRef.project, zone: vmRef.zone, name: vmRef.name },
    deviceName: t.deviceName ?? old.name,
    boot: t.boot,
    oldDiskId: snap.diskId,
    newDisk: { ...place, name: newName },
    newDiskId: `projects/${old.project}/${where}/disks/${newName}`,
    body,
    wasRunning: t.running,
    ids: { insert: newRequestId(), stop: newRequestId(), detach: newRequestId(), attach: newRequestId(), start: newRequestId(), reattach: newRequestId() },
  };
  // Both start now; the polls wait for each other's effects.
  await mutate(core, { method: 'insertDisk', place, disk: body, requestId: data.ids.insert }, old.project);
  if (t.running) {
    await mutate(core, { method: 'stopInstance', instance: data.instance, requestId: data.ids.stop }, old.project);
  }
  const scopes = [...new Set([snap.scopeId, scopeOfPlace(place), leafId(vmRef.project, vmRef.zone ?? GLOBAL)])];
  const start: OperationStart = {
    kind: 'restoreInPlace',
    title: `Restore ${t.boot ? 'boot disk' : `disk ${data.deviceName}`} of ${t.vmName} from ${label(snap)}`,
    scopeId: snap.scopeId,
    resourceId: t.vmId,
    revealId: t.vmId,
    refreshScopeIds: scopes,
    data: JSON.stringify(data),
  };
  return { operations: [start], refreshScopeIds: scopes };
}

async function createImageFromSnapshot(core: GcpCore, snap: GcpSnapshot, values: FieldValues): Promise<ActionResult> {
  return insertImage(core, snap, { sourceSnapshot: snap.id }, values, `from ${label(snap)}`);
}

async function createImageFromDisk(core: GcpCore, disk: GcpDisk, values: FieldValues): Promise<ActionResult> {
  if (values.forceCreate === false) {
    throw new CloudError('invalid', `Stop the VM using ${label(disk)} first, or answer yes to image it while it runs.`);
  }
  return insertImage(core, disk, { sourceDisk: disk.id }, values, `of disk ${label(disk)}`, values.forceCreate === true);
}

/** images.insert from a snapshot or a disk, with the name, optional family and labels answered. */
async function insertImage(core: GcpCore, from: Resource, source: Json, values: FieldValues, what: string, forceCreate = false): Promise<ActionResult> {
  const { project } = splitScope(from.scopeId);
  const name = checkName(requiredText(values, 'name'), 'Image');
  const family = text(values, 'family');
  if (family) {
    checkName(family, 'Image family');
  }
  const labels = toLabels(tagsValue(values.tags));
  const body: Json = { name, ...source, labels, ...(family ? { family } : {}) };
  const since = Date.now();
  const op = await mutateOrFind(core, { method: 'insertImage', project, image: body, ...(forceCreate ? { forceCreate } : {}), requestId: newRequestId() }, project, () =>
    madeSince(core, 'image', { project, name }, since),
  );
  return {
    operations: [opStart({ title: `Image ${name} ${what}`, scopeId: from.scopeId, resourceId: `projects/${project}/global/images/${name}`, refreshScopeIds: [from.scopeId, leafId(project, GLOBAL)] }, op, project, { then: { kind: 'image', ref: { project, name } } })],
    refreshScopeIds: [from.scopeId],
  };
}

async function editTags(core: GcpCore, target: Resource, values: FieldValues): Promise<ActionResult> {
  const ref = refOf(target, target.kind);
  const kind = KIND_OF[ref.collection];
  if (!kind) {
    throw new CloudError('invalid', `Labels of a ${ref.collection} cannot be edited here`);
  }
  const labels = toLabels(tagsValue(values.tags));
  // The fingerprint guards against a concurrent change: read it fresh.
  const current = await core.call((api) => api.get(kind, ref), { project: ref.project });
  const fingerprint = typeof current.labelFingerprint === 'string' ? current.labelFingerprint : undefined;
  const op = await mutate(core, { method: 'setLabels', kind, ref, labels, labelFingerprint: fingerprint, requestId: newRequestId() }, ref.project);
  const n = Object.keys(labels).length;
  const message = `Labels of ${label(target)} updated (${n} label${n === 1 ? '' : 's'})`;
  if (op.status === 'DONE') {
    return { operations: [], message, refreshScopeIds: [target.scopeId] };
  }
  return { operations: [opStart({ title: `Labels of ${label(target)}`, scopeId: target.scopeId, resourceId: target.id, refreshScopeIds: [target.scopeId] }, op, ref.project)], message, refreshScopeIds: [target.scopeId] };
}

async function deleteResource(core: GcpCore, target: Resource): Promise<ActionResult> {
  const ref = refOf(target, target.kind);
  const method = ref.collection === 'snapshots' ? 'deleteSnapshot' : ref.collection === 'machineImages' ? 'deleteMachineImage' : ref.collection === 'images' ? 'deleteImage' : undefined;
  if (!method || (target.kind === 'image') !== (method !== 'deleteSnapshot')) {
    throw new CloudError('invalid', `${label(target)} is not a snapshot or an image`);
  }
  const what = method === 'deleteSnapshot' ? 'snapshot' : (target as GcpImage).gcp?.machineImage || method === 'deleteMachineImage' ? 'machine image' : 'image';
  const place: ResourceRef = { project: ref.project, name: ref.name };
  const kind: GetKind = method === 'deleteSnapshot' ? 'snapshot' : method === 'deleteMachineImage' ? 'machineImage' : 'image';
  let op: Json | undefined;
  try {
    op = await mutateOrFind(core, { method, ref: place, requestId: newRequestId() }, ref.project, () => goneOrGoing(core, kind, place));
  } catch (e) {
    // Gone is what was asked (e.g. an earlier delete whose answer was lost, past the requestId window).
    if (isCloudError(e) && e.kind === 'notFound') {
      core.log(`GCP ${method} ${ref.name}: already gone (${e.display})`);
      return { operations: [], message: `Deleted ${what} ${label(target)}`, refreshScopeIds: [target.scopeId] };
    }
    throw e;
  }
  return {
    operations: [opStart({ title: `Delete ${what} ${label(target)}`, scopeId: target.scopeId, resourceId: target.id, refreshScopeIds: [target.scopeId] }, op, ref.project, { deletes: { kind, ref: place } })],
    message: `Deleting ${what} ${label(target)}`,
    refreshScopeIds: [target.scopeId],
  };
}

/** For unit tests: the leaf scope a disk path lives in. */
export function scopeOfPath(path: string): string | undefined {
  const p = parsePath(path);
  return p ? scopeOfPlace(p) : undefined;
}
