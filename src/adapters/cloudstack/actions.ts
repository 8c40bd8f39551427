/**
 * Running the actions. Each checks again, on the resource as CloudStack lists it now, what
 * `actionsFor` offered (a VM started since the menu opened, a snapshot deleted…), then starts
 * CloudStack's async command and hands its job to the tracker (operations.ts).
 *
 * CloudStack has no idempotency key: a command is never sent twice. When its answer is lost
 * after the server may have acted (a dropped connection, a 5xx, a truncated body), the resource
 * is looked up before anything is called failed — a create by its name made since (then followed
 * without its job), a delete by the resource being gone or by its delete job in listAsyncJobs.
 */
import { bool, num, pick, requiredText, text } from '../../model/answers';
import type { RelatedResources } from '../../model/adapter';
import { CloudError, errorText, isCloudError } from '../../model/errors';
import type { ActionId } from '../../model/actions';
import { persistently } from '../persistently';
import type { ActionResult, FieldValues, Resource } from '../../model/types';
import type { CloudStackApi, JobResult, Params } from './api';
import type { CsCore } from './core';
import { buildInventory } from './inventory';
import { isoTime, label, type CsDiskResource, type CsImageResource, type CsRestorePointResource, type CsSnapshotResource, type CsVmResource } from './map';
import { findOne, jobOutcome, opStart, type Followed, type OpData } from './operations';
import { actionsFor, copyAvailable, deleteBlockers, refusalFor, storedIn, vmSnapshotMemory, type OfferContext } from './plans';
import { simulateWrites } from './sandbox';
import { RESOURCE_TYPE, tagChanges, tagParams, tagsValue } from './tags';
import type { CsAsyncJob, CsDiskOffering, CsSnapshot, CsTemplate, CsVm, CsVmSnapshot, CsVolume } from './wire';

export async function executeAction(core: CsCore, action: ActionId, given: Resource, values: FieldValues, related: RelatedResources, ctx: OfferContext): Promise<ActionResult> {
  const api = await core.api();
  // The resource as CloudStack lists it now (notFound when it is gone).
  const deleted = DELETED_NOUN[action];
  const target = deleted ? await lookup(api, given).catch(goneIsUndefined) : await lookup(api, given);
  if (!target) {
    return { operations: [], message: `Deleted ${deleted ?? 'resource'} ${label(given)} (it was already gone)`, refreshScopeIds: [given.scopeId] };
  }
  if (!actionsFor(target, ctx).includes(action)) {
    throw new CloudError('invalid', refusalFor(action, target, ctx));
  }
  switch (action) {
    case 'createSnapshot':
      return createSnapshot(core, api, target as CsDiskResource, values, ctx);
    case 'restoreToNewDisk':
      return restoreToNewVolume(core, api, target as CsSnapshotResource, values, related);
    case 'restoreInPlace':
      return job(api, 'revertSnapshot', { id: target.id }, target, `Revert volume ${(target as CsSnapshotResource).cs.volumeName ?? (target as CsSnapshotResource).diskId} to snapshot ${label(target)}`, [target.scopeId]);
    case 'createImageFromSnapshot':
      return createTemplate(core, api, target, { snapshotid: target.id }, values);
    case 'createImageFromVm':
      return createTemplate(core, api, target, { volumeid: (target as CsVmResource).bootDiskId }, values);
    case 'copySnapshot':
      return copySnapshot(api, target as CsSnapshotResource, values, ctx);
    case 'editTags':
      return editTags(core, api, target, values);
    case 'deleteSnapshot':
      return deleteSnapshot(core, api, target as CsSnapshotResource, related);
    case 'deleteImage':
      return deleteTemplate(core, api, target as CsImageResource);
    case 'createRestorePoint':
      return createVmSnapshot(core, api, target as CsVmResource, values);
    case 'revertToRestorePoint': {
      const p = target as CsRestorePointResource;
      return job(api, 'revertToVMSnapshot', { vmsnapshotid: p.id }, target, `Revert VM ${p.cs.vmName ?? p.vmId} to VM snapshot ${label(p)}`, [p.scopeId], { reportVm: true }, p.vmId);
    }
    case 'snapshotFromRestorePoint':
      return snapshotFromVmSnapshot(core, api, target as CsRestorePointResource, values, related);
    case 'deleteRestorePoint':
      return deleteWith(core, api, 'deleteVMSnapshot', { vmsnapshotid: target.id }, target, 'vmSnapshot', `VM snapshot ${label(target)}`);
    case 'simulateWrites': {
      if (!core.sandbox) {
        throw new CloudError('invalid', refusalFor('simulateWrites', target, ctx));
      }
      const mib = num(values, 'mib') ?? 64;
      if (!Number.isInteger(mib) || mib < 1 || mib > 1024) {
        throw new CloudError('invalid', 'MiB must be a whole number from 1 to 1024');
      }
      await simulateWrites(core.sandbox, target.id, mib);
      return { operations: [], message: `Wrote ${mib} MiB to volume ${label(target)} (sandbox)`, refreshScopeIds: [target.scopeId] };
    }
    default:
      throw new CloudError('invalid', refusalFor(action, target, ctx));
  }
}

/** The deletes, and what each deletes: one that finds its target gone already is done. */
const DELETED_NOUN: Partial<Record<ActionId, string>> = { deleteSnapshot: 'snapshot', deleteImage: 'template', deleteRestorePoint: 'VM snapshot' };

const goneIsUndefined = (e: unknown): undefined => {
  if (isCloudError(e) && e.kind === 'notFound') {
    return undefined;
  }
  throw e;
};

/** The resource as CloudStack lists it now, with the facts `actionsFor` needs; notFound when gone. */
export async function lookup(api: CloudStackApi, r: Resource): Promise<Resource> {
  /** The listed objects with this id (none when CloudStack answers that it does not exist). */
  const one = async <T extends { id: string }>(command: string, key: string, idParam: string, id: string, params: Params = {}): Promise<T[]> => {
    const list = await api.list<T>(command, key, { ...params, [idParam]: id }).catch(goneIsUndefined);
    return (list ?? []).filter((x) => x.id === id);
  };
  const vmsOf = (id: string | undefined): Promise<CsVm[]> => (id ? one<CsVm>('listVirtualMachines', 'virtualmachine', 'id', id) : Promise.resolve([]));
  let found: Resource | undefined;
  switch (r.kind) {
    case 'vm': {
      const vms = await vmsOf(r.id);
      const volumes = vms.length ? await api.list<CsVolume>('listVolumes', 'volume', { virtualmachineid: r.id }) : [];
      found = buildInventory(vms, volumes, [], [], [], []).vms[0];
      break;
    }
    case 'disk': {
      const volumes = await one<CsVolume>('listVolumes', 'volume', 'id', r.id);
      found = buildInventory(await vmsOf(volumes[0]?.virtualmachineid), volumes, [], [], [], []).disks[0];
      break;
    }
    case 'snapshot': {
      const snaps = await one<CsSnapshot>('listSnapshots', 'snapshot', 'id', r.id);
      const volumes = snaps[0]?.volumeid ? await one<CsVolume>('listVolumes', 'volume', 'id', snaps[0].volumeid) : [];
      // The VM's state and VM snapshots decide whether its volume can be reverted.
      const vmId = volumes[0]?.virtualmachineid;
      const points = vmId ? await api.list<CsVmSnapshot>('listVMSnapshot', 'vmSnapshot', { virtualmachineid: vmId }) : [];
      const entries = buildInventory(await vmsOf(vmId), volumes, snaps, points, [], []).snapshots;
      // Its entry in the zone asked about (CloudStack lists a snapshot once per zone it is stored in).
      found = entries.find((s) => s.scopeId === r.scopeId) ?? entries.find((s) => !s.copiedFromId);
      break;
    }
    case 'image':
      found = buildInventory([], [], [], [], await one<CsTemplate>('listTemplates', 'template', 'id', r.id, { templatefilter: 'self' }), []).images[0];
      break;
    case 'restorePoint': {
      const points = await one<CsVmSnapshot>('listVMSnapshot', 'vmSnapshot', 'vmsnapshotid', r.id);
      found = buildInventory(await vmsOf(points[0]?.virtualmachineid), [], [], points, [], []).restorePoints[0];
      break;
    }
    default:
      throw new CloudError('invalid', `CloudStack has no ${r.kind} actions`);
  }
  if (!found) {
    throw new CloudError('notFound', `CloudStack no longer lists ${label(r)}`);
  }
  return found;
}

/** Whether an error may come after the server acted (its answer lost): then the resource is looked up. */
const mayHaveActed = (e: unknown): boolean => isCloudError(e) && (e.kind === 'network' || e.kind === 'server' || e.kind === 'malformed');

/**
 * Starts an async command. When its answer is lost after the server may have acted, `find`
 * looks for its effect: the id of what it made (then followed without its job), or undefined
 * (the original error is thrown).
 */
async function startOrFind(core: CsCore, api: CloudStackApi, command: string, params: Params, find: () => Promise<string | undefined>): Promise<{ jobid?: string; id?: string }> {
  try {
    return await api.start(command, params);
  } catch (e) {
    if (!mayHaveActed(e)) {
      throw e;
    }
    let id: string | undefined;
    try {
      id = await persistently(find);
    } catch (lookup) {
      core.log(`CloudStack ${command}: its answer was lost (${errorText(e)}), and looking for what it made failed too (${errorText(lookup)})`);
      throw e;
    }
    if (!id) {
      core.log(`CloudStack ${command}: its answer was lost (${errorText(e)}); nothing was made`);
      throw e;
    }
    core.log(`CloudStack ${command}: its answer was lost (${isCloudError(e) ? e.display : String(e)}), but ${id} was made; following it`);
    return { id };
  }
}

/** Whether CloudStack's `created` time is at or after `since` (ms; a minute of clock skew allowed). */
const madeAfter = (created: string | undefined, since: number): boolean => Date.parse(isoTime(created) ?? '') >= since - 60_000;

/** Something made since `since` whose name is `name`. */
const madeSince = (items: { name?: string; displayname?: string; created?: string; id: string }[], name: string, since: number): string | undefined =>
  items.find((x) => (x.name === name || x.displayname === name) && madeAfter(x.created, since))?.id;

/**
 * The job of `command` on `instanceId` that CloudStack started since `since` (its answer lost):
 * running or just finished; a failed or older one is not it.
 */
async function jobStartedSince(api: CloudStackApi, command: string, instanceId: string, since: number): Promise<CsAsyncJob | undefined> {
  const named = new RegExp(`^${command}`, 'i');
  const jobs = await persistently(() => api.list<CsAsyncJob>('listAsyncJobs', 'asyncjobs', {}));
  return jobs.find((j) => j.jobstatus !== 2 && j.jobinstanceid === instanceId && named.test((j.cmd ?? '').split('.').at(-1) ?? '') && madeAfter(j.created, since));
}

/**
 * One async command on `target`, tracked by its job (followed in `scopes[0]`, the target's zone
 * unless said). When its answer is lost after CloudStack may have acted, the job it started on
 * the target is looked for and followed; none found: the error stands (it is never sent again).
 */
async function job(api: CloudStackApi, command: string, params: Params, target: Resource, title: string, scopes: string[], extra: Partial<OpData> = {}, revealId?: string): Promise<ActionResult> {
  const since = Date.now();
  let jobid: string;
  try {
    jobid = (await api.start(command, params)).jobid;
  } catch (e) {
    if (!mayHaveActed(e)) {
      throw e;
    }
    const found = await jobStartedSince(api, command, target.id, since).catch(() => undefined);
    if (!found) {
      throw e;
    }
    jobid = found.jobid;
  }
  return {
    operations: [opStart({ title, scopeId: scopes[0] ?? target.scopeId, resourceId: target.id, revealId: revealId ?? target.id, refreshScopeIds: scopes }, { command, job: jobid, ...extra })],
    refreshScopeIds: scopes,
  };
}

/** The operation of a create: its job, or (answer lost) the resource it made. */
function created(command: string, started: { jobid?: string; id?: string }, kind: Followed, start: { title: string; scopeId: string; fallbackId: string; scopes: string[] }, extra: Partial<OpData> = {}): ActionResult {
  const data: OpData = started.jobid ? { command, job: started.jobid, ...extra } : { command, follow: { kind, id: started.id as string }, ...extra };
  return {
    operations: [opStart({ title: start.title, scopeId: start.scopeId, resourceId: started.id ?? start.fallbackId, refreshScopeIds: start.scopes }, data)],
    refreshScopeIds: start.scopes,
  };
}

/** The zones a zones answer names: none (''), one, or every other zone ('*'). */
function zonesAnswer(values: FieldValues, here: string[], ctx: OfferContext, required: boolean): string[] {
  const others = ctx.zones.filter((z) => !here.includes(z.id)).map((z) => z.id);
  const v = pick(values, 'zones', ['', '*', ...others], required ? (others[0] ?? '') : '');
  if (required && v === '') {
    throw new CloudError('invalid', 'Pick a zone to copy the snapshot to');
  }
  return v === '*' ? others : v ? [v] : [];
}

async function createSnapshot(core: CsCore, api: CloudStackApi, disk: CsDiskResource, values: FieldValues, ctx: OfferContext): Promise<ActionResult> {
  const name = requiredText(values, 'name');
  const tags = tagsValue(values.tags);
  const quiesce = bool(values, 'quiesce');
  if (quiesce && !disk.cs.quiesce) {
    throw new CloudError('invalid', `The storage of volume ${label(disk)} does not support quiescing the VM for a snapshot`);
  }
  const zones = copyAvailable(ctx) ? zonesAnswer(values, [disk.scopeId], ctx, false) : [];
  const params: Params = { volumeid: disk.id, name, ...(quiesce ? { quiescevm: true } : {}), ...(zones.length ? { zoneids: zones.join(',') } : {}), ...tagParams(tags) };
  const since = Date.now();
  const started = await startOrFind(core, api, 'createSnapshot', params, async () => madeSince(await api.list<CsSnapshot>('listSnapshots', 'snapshot', { volumeid: disk.id }), name, since));
  const scopes = [disk.scopeId, ...zones];
  return created('createSnapshot', started, 'snapshot', { title: `Snapshot ${name} of volume ${label(disk)}`, scopeId: disk.scopeId, fallbackId: disk.id, scopes });
}

async function restoreToNewVolume(core: CsCore, api: CloudStackApi, snap: CsSnapshotResource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  const name = requiredText(values, 'name');
  const zone = pick(values, 'zone', storedIn(snap), snap.scopeId);
  const min = Math.max(1, Math.ceil(snap.sizeGiB));
  const size = num(values, 'sizeGiB') ?? min;
  if (!Number.isInteger(size) || size < min || size > 65536) {
    throw new CloudError('invalid', `The size must be a whole number of GiB, at least the snapshot's ${snap.sizeGiB} GiB`);
  }
  const offering = text(values, 'diskOffering');
  // CloudStack sizes the volume by its disk offering: a size is sent only with one of custom size.
  const chosen = offering ? (await api.list<CsDiskOffering>('listDiskOfferings', 'diskoffering', { id: offering })).find((o) => o.id === offering) : undefined;
  if (offering && !chosen) {
    throw new CloudError('notFound', `CloudStack lists no disk offering ${offering.slice(0, 60)}`);
  }
  const fixed = chosen?.iscustomized ? undefined : (chosen?.disksize ?? snap.sizeGiB);
  if (fixed !== undefined && fixed < snap.sizeGiB) {
    throw new CloudError('invalid', `Disk offering ${chosen?.name ?? offering} makes ${fixed} GiB volumes: at least the snapshot's ${snap.sizeGiB} GiB is needed`);
  }
  if (fixed !== undefined && values.sizeGiB !== undefined && size > min && size !== fixed) {
    throw new CloudError('invalid', `A ${size} GiB volume needs a disk offering of custom size: ${chosen ? `${chosen.name ?? chosen.id} makes ${fixed} GiB volumes` : `the snapshot's own offering makes ${snap.sizeGiB} GiB`}.`);
  }
  const attachTo = text(values, 'attach');
  const vm = attachTo ? (related.inventory.vms.find((v) => v.id === attachTo && v.scopeId === zone) as CsVmResource | undefined) : undefined;
  if (attachTo && !vm) {
    throw new CloudError('invalid', `VM ${attachTo.slice(0, 60)} is not a VM of the snapshot's zone`);
  }
  const params: Params = { name, snapshotid: snap.id, zoneid: zone, ...(offering ? { diskofferingid: offering } : {}), ...(chosen?.iscustomized ? { size } : {}) };
  const since = Date.now();
  const started = await startOrFind(core, api, 'createVolume', params, async () =>
    madeSince((await api.list<CsVolume>('listVolumes', 'volume', { zoneid: zone, name })).filter((v) => v.snapshotid === snap.id), name, since),
  );
  const attach = vm ? { attach: { vmId: vm.id, vmName: vm.name ?? vm.id } } : {};
  return created('createVolume', started, 'volume', { title: `Volume ${name} from snapshot ${label(snap)}${vm ? `, attached to VM ${vm.name ?? vm.id}` : ''}`, scopeId: zone, fallbackId: snap.id, scopes: [zone] }, attach);
}

async function createTemplate(core: CsCore, api: CloudStackApi, from: Resource, source: Params, values: FieldValues): Promise<ActionResult> {
  const name = requiredText(values, 'name');
  const displaytext = text(values, 'displayText') ?? name;
  const ostypeid = requiredText(values, 'osType');
  // Public and featured stay off: a template made here is the account's own.
  const params: Params = { name, displaytext, ostypeid, ispublic: false, isfeatured: false, ...source };
  const since = Date.now();
  const started = await startOrFind(core, api, 'createTemplate', params, async () => madeSince(await api.list<CsTemplate>('listTemplates', 'template', { templatefilter: 'self', name }), name, since));
  if (started.id && typeof source.snapshotid === 'string') {
    core.templateSources.set(started.id, source.snapshotid);
  }
  return created('createTemplate', started, 'template', { title: `Template ${name} from ${from.kind === 'vm' ? `the root volume of VM ${label(from)}` : `snapshot ${label(from)}`}`, scopeId: from.scopeId, fallbackId: from.id, scopes: [from.scopeId] });
}

async function copySnapshot(api: CloudStackApi, snap: CsSnapshotResource, values: FieldValues, ctx: OfferContext): Promise<ActionResult> {
  const zones = zonesAnswer(values, storedIn(snap), ctx, true);
  const names = zones.map((z) => ctx.zones.find((s) => s.id === z)?.label ?? z).join(', ');
  // Followed where the copy goes (the first zone when several).
  return job(api, 'copySnapshot', { id: snap.id, sourcezoneid: snap.scopeId, destzoneids: zones.join(',') }, snap, `Copy snapshot ${label(snap)} to ${names}`, [...zones, snap.scopeId]);
}

/** Waits for a short job inline (tag changes take CloudStack milliseconds); throws with its error text when it fails. */
async function waitJob(api: CloudStackApi, jobid: string, command: string): Promise<JobResult> {
  let delay = 100;
  for (let i = 0; i < 40; i++) {
    const r = await api.job(jobid);
    const out = jobOutcome(r);
    if (out.failed) {
      throw new CloudError('invalid', out.message ?? `${command} failed`);
    }
    if (out.done) {
      return r;
    }
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(2000, delay * 2);
  }
  throw new CloudError('server', `CloudStack's ${command} job ${jobid} is still running; check the tags again later`);
}

async function editTags(core: CsCore, api: CloudStackApi, target: Resource, values: FieldValues): Promise<ActionResult> {
  const resourcetype = RESOURCE_TYPE[target.kind];
  if (!resourcetype) {
    throw new CloudError('invalid', `Tags of a ${target.kind} cannot be edited here`);
  }
  const wanted = tagsValue(values.tags);
  const { create, remove } = tagChanges(target.tags, wanted);
  const n = wanted.length;
  const message = `Tags of ${label(target)} updated (${n} tag${n === 1 ? '' : 's'})`;
  if (remove.length) {
    // Before the creates: a changed value is the old tag deleted, then the new one created.
    await waitJob(api, (await api.start('deleteTags', { resourceids: target.id, resourcetype, ...tagParams(remove) })).jobid, 'deleteTags');
  }
  if (!create.length) {
    core.invalidate();
    return { operations: [], message, refreshScopeIds: [target.scopeId] };
  }
  const result = await job(api, 'createTags', { resourceids: target.id, resourcetype, ...tagParams(create) }, target, `Tags of ${label(target)}`, [target.scopeId]);
  return { ...result, message };
}

async function deleteSnapshot(core: CsCore, api: CloudStackApi, snap: CsSnapshotResource, related: RelatedResources): Promise<ActionResult> {
  const blockers = await deleteBlockers(core, snap, related);
  if (blockers.length) {
    core.log(`CloudStack deleteSnapshot ${snap.id}: refused (${blockers.join('; ')})`);
    throw new CloudError('inUse', `Snapshot ${label(snap)} cannot be deleted now: ${blockers.join('; ')}. Wait until it finishes.`);
  }
  // Stored in several zones: only this zone's copy goes (CloudStack's zoneid); the others stay.
  const params: Params = snap.cs.zoneIds.length > 1 ? { id: snap.id, zoneid: snap.scopeId } : { id: snap.id };
  return deleteWith(core, api, 'deleteSnapshot', params, snap, 'snapshot', `snapshot ${label(snap)}${snap.cs.zoneIds.length > 1 ? ` in zone ${snap.cs.zoneName ?? snap.scopeId}` : ''}`);
}

async function deleteTemplate(core: CsCore, api: CloudStackApi, t: CsImageResource): Promise<ActionResult> {
  // No zone: CloudStack deletes the template from every zone it is in.
  return deleteWith(core, api, 'deleteTemplate', { id: t.id }, t, 'template', `template ${label(t)}`);
}

/** The states CloudStack lists a resource in while it deletes it (a VM snapshot: Expunging). */
const DELETING_STATES = ['Destroying', 'Destroyed', 'Expunging'];

/** A delete: gone already is done; an answer lost after the server may have acted is judged by the resource. */
async function deleteWith(core: CsCore, api: CloudStackApi, command: string, params: Params, target: Resource, kind: Followed, what: string): Promise<ActionResult> {
  const scopes = [target.scopeId];
  const since = Date.now();
  try {
    const started = await api.start(command, params);
    return {
      operations: [opStart({ title: `Delete ${what}`, scopeId: target.scopeId, resourceId: target.id, refreshScopeIds: scopes }, { command, job: started.jobid })],
      message: `Deleting ${what}`,
      refreshScopeIds: scopes,
    };
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      core.log(`CloudStack ${command} ${target.id}: already gone (${e.display})`);
      return { operations: [], message: `Deleted ${what} (it was already gone)`, refreshScopeIds: scopes };
    }
    if (!mayHaveActed(e)) {
      throw e;
    }
    let now: Record<string, unknown> | undefined;
    try {
      now = await persistently(() => findOne(api, kind, target.id));
    } catch {
      throw e;
    }
    if (!now) {
      core.log(`CloudStack ${command} ${target.id}: its answer was lost (${isCloudError(e) ? e.display : String(e)}); it is gone`);
      return { operations: [], message: `Deleted ${what}`, refreshScopeIds: scopes };
    }
    let pending: CsAsyncJob | undefined;
    try {
      pending = await jobStartedSince(api, command, target.id, since);
    } catch {
      throw e;
    }
    if (!pending && !DELETING_STATES.includes(String(now.state))) {
      throw e;
    }
    core.log(`CloudStack ${command} ${target.id}: its answer was lost (${isCloudError(e) ? e.display : String(e)}); CloudStack is deleting it${pending ? ` (job ${pending.jobid})` : ''}`);
    const data: OpData = pending ? { command, job: pending.jobid } : { command, gone: { kind, id: target.id } };
    return { operations: [opStart({ title: `Delete ${what}`, scopeId: target.scopeId, resourceId: target.id, refreshScopeIds: scopes }, data)], message: `Deleting ${what}`, refreshScopeIds: scopes };
  }
}

async function createVmSnapshot(core: CsCore, api: CloudStackApi, vm: CsVmResource, values: FieldValues): Promise<ActionResult> {
  const name = requiredText(values, 'name');
  const description = text(values, 'description');
  const rule = vmSnapshotMemory(vm);
  const memory = rule === 'always' || (rule === 'ask' && bool(values, 'memory'));
  if (bool(values, 'memory') && rule === 'never') {
    throw new CloudError('invalid', `A VM snapshot with memory needs the VM running: ${label(vm)} is ${vm.state}`);
  }
  if (values.memory === false && rule === 'always') {
    throw new CloudError('invalid', `KVM takes no disk-only VM snapshot of a running VM: ${label(vm)} is Running. Stop it for a VM snapshot of its disks only.`);
  }
  const quiesce = rule === 'ask' && !memory && bool(values, 'quiesce');
  const params: Params = { virtualmachineid: vm.id, name, ...(description ? { description } : {}), snapshotmemory: memory, ...(quiesce ? { quiescevm: true } : {}) };
  const since = Date.now();
  const started = await startOrFind(core, api, 'createVMSnapshot', params, async () => madeSince(await api.list<CsVmSnapshot>('listVMSnapshot', 'vmSnapshot', { virtualmachineid: vm.id }), name, since));
  return created('createVMSnapshot', started, 'vmSnapshot', { title: `VM snapshot ${name} of ${label(vm)}${memory ? ' (with memory)' : ''}`, scopeId: vm.scopeId, fallbackId: vm.id, scopes: [vm.scopeId] });
}

async function snapshotFromVmSnapshot(core: CsCore, api: CloudStackApi, p: CsRestorePointResource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  const volumes = related.inventory.disks.filter((d) => (d as CsDiskResource).attachments.some((a) => a.vmId === p.vmId)).map((d) => d.id);
  const volumeid = pick(values, 'volume', volumes, volumes[0] ?? '');
  const name = requiredText(values, 'name');
  const since = Date.now();
  const started = await startOrFind(core, api, 'createSnapshotFromVMSnapshot', { volumeid, vmsnapshotid: p.id, name }, async () => madeSince(await api.list<CsSnapshot>('listSnapshots', 'snapshot', { volumeid }), name, since));
  return created('createSnapshotFromVMSnapshot', started, 'snapshot', { title: `Volume snapshot ${name} from VM snapshot ${label(p)}`, scopeId: p.scopeId, fallbackId: volumeid, scopes: [p.scopeId] });
}

