/**
 * Which actions a resource offers now (`actionsFor`), what each asks (`plan`), and the refusals
 * that explain CloudStack's rules. Titles are CloudStack's own words ("Revert Volume to
 * Snapshot", "Create VM Snapshot"…). Confirmations name what is lost. Volume snapshots and VM
 * snapshots are never mixed up: each question says which one it makes and what it is for.
 */
import type { RelatedResources } from '../../model/adapter';
import { appliesTo, type ActionId } from '../../model/actions';
import { dateText, formatBytes } from '../../model/units';
import type { ActionPlan, Field, PickOption, Resource, Scope, Tag } from '../../model/types';
import type { CsCore } from './core';
import { label, type CsDiskResource, type CsImageResource, type CsRestorePointResource, type CsSnapshotResource, type CsVmResource } from './map';
import { CS_TAG_RULES } from './tags';
import type { CsAsyncJob, CsDiskOffering, CsOsType, CsTemplate, CsVolume } from './wire';

/** What `actionsFor` needs besides the resource. */
export interface OfferContext {
  sandbox: boolean;
  /** CloudStack's version as listed (`4.19.0.0`). */
  version?: string;
  /** The account's zones. */
  zones: Scope[];
}

/** The titles of this cloud's prompts, and of its tree menus where they differ from the action table's (index.ts `menuTitles`). */
export const TITLES: Partial<Record<ActionId, string>> = {
  createSnapshot: 'Create Snapshot',
  restoreToNewDisk: 'Restore to New Volume',
  restoreInPlace: 'Revert Volume to Snapshot',
  createImageFromSnapshot: 'Create Template from Snapshot',
  createImageFromVm: 'Create Template from Root Volume',
  copySnapshot: 'Copy Snapshot',
  editTags: 'Edit Tags',
  deleteSnapshot: 'Delete Snapshot',
  deleteImage: 'Delete Template',
  createRestorePoint: 'Create VM Snapshot',
  revertToRestorePoint: 'Revert VM to VM Snapshot',
  snapshotFromRestorePoint: 'Create Volume Snapshot from VM Snapshot',
  deleteRestorePoint: 'Delete VM Snapshot',
  simulateWrites: 'Simulate Writes',
};

/** True when `version` (`4.19.0.0`) is at least major.minor. */
export function atLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/** Copying snapshots between zones (copySnapshot, createSnapshot's zoneids) came with CloudStack 4.19. */
export const copyAvailable = (ctx: OfferContext): boolean => atLeast(ctx.version, 4, 19) && ctx.zones.length > 1;

const VM_SNAPSHOT_STATES = ['Running', 'Stopped'];

export function actionsFor(r: Resource, ctx: OfferContext): ActionId[] {
  switch (r.kind) {
    case 'vm': {
      const vm = r as CsVmResource;
      if (r.phase === 'deleting') {
        return [];
      }
      const out: ActionId[] = [];
      if (VM_SNAPSHOT_STATES.includes(vm.state)) {
        out.push('createRestorePoint');
      }
      if (vm.state === 'Stopped' && vm.bootDiskId) {
        out.push('createImageFromVm');
      }
      out.push('editTags');
      return out;
    }
    case 'disk': {
      const out: ActionId[] = [];
      if (r.state === 'Ready') {
        out.push('createSnapshot');
      }
      if (r.phase !== 'deleting') {
        out.push('editTags');
      }
      if (ctx.sandbox && r.state === 'Ready') {
        out.push('simulateWrites');
      }
      return out;
    }
    case 'snapshot': {
      const s = r as CsSnapshotResource;
      if (r.phase === 'error') {
        return ['editTags', 'deleteSnapshot'];
      }
      if (r.phase !== 'ready') {
        return r.phase === 'pending' ? ['editTags'] : [];
      }
      const out: ActionId[] = ['restoreToNewDisk'];
      if (revertRefusal(s) === undefined) {
        out.push('restoreInPlace');
      }
      if (s.cs?.volumeType === 'ROOT') {
        out.push('createImageFromSnapshot');
      }
      if (copyAvailable(ctx) && ctx.zones.some((z) => !storedIn(s).includes(z.id))) {
        out.push('copySnapshot');
      }
      out.push('editTags', 'deleteSnapshot');
      return out;
    }
    case 'image':
      return r.phase === 'deleting' ? [] : ['editTags', 'deleteImage'];
    case 'restorePoint': {
      const p = r as CsRestorePointResource;
      if (r.phase === 'error') {
        return ['deleteRestorePoint'];
      }
      if (r.phase !== 'ready') {
        return [];
      }
      const out: ActionId[] = [];
      if (vmRevertRefusal(p) === undefined) {
        out.push('revertToRestorePoint');
      }
      out.push('snapshotFromRestorePoint', 'deleteRestorePoint');
      return out;
    }
    default:
      return [];
  }
}

/**
 * Why Revert VM to VM Snapshot cannot run now, or undefined. CloudStack reverts a running VM
 * only to a VM snapshot with memory and a stopped VM only to one of disks only: a revert never
 * changes whether the VM runs.
 */
export function vmRevertRefusal(p: CsRestorePointResource): string | undefined {
  const vm = `VM ${p.cs?.vmName ?? p.vmId}`;
  const state = p.cs?.vmState;
  if (state === 'Running' && !p.memory) {
    return `${vm} is Running and VM snapshot ${label(p)} holds its disks only: CloudStack reverts a running VM only to a VM snapshot with memory. Stop the VM first.`;
  }
  if (state === 'Stopped' && p.memory) {
    return `${vm} is Stopped and VM snapshot ${label(p)} holds its memory too: CloudStack reverts a stopped VM only to a VM snapshot of disks only. Start the VM first.`;
  }
  return state === 'Running' || state === 'Stopped' ? undefined : `CloudStack reverts a VM that is Running or Stopped: ${vm} is ${state ?? 'not listed'}.`;
}

/** Why Revert Volume to Snapshot cannot run now, or undefined. */
export function revertRefusal(s: CsSnapshotResource): string | undefined {
  const volume = s.cs?.volumeName ? `${s.cs.volumeName} (${s.diskId})` : (s.diskId ?? 'its volume');
  if (!s.cs?.volumeListed) {
    return `The volume ${volume} that snapshot ${label(s)} was taken from no longer exists: there is nothing to revert. Use Restore to New Volume instead.`;
  }
  if (!s.cs.revertable) {
    return `The primary storage of volume ${volume} cannot revert it to snapshot ${label(s)} (CloudStack reports it not revertable). Use Restore to New Volume instead.`;
  }
  if (s.cs.vmId && s.cs.vmState !== 'Stopped') {
    return `Volume ${volume} is attached to VM ${s.cs.vmName ?? s.cs.vmId}, which is ${s.cs.vmState ?? 'not stopped'}: CloudStack reverts a volume only while its VM is stopped. Stop the VM first.`;
  }
  if (s.cs.vmId && s.cs.vmSnapshots) {
    const n = s.cs.vmSnapshots;
    return `VM ${s.cs.vmName ?? s.cs.vmId} has ${n} VM snapshot${n === 1 ? '' : 's'}: CloudStack reverts none of its volumes while it has any. Delete its VM snapshots first, or use Restore to New Volume.`;
  }
  return undefined;
}

export function refusalFor(action: ActionId, target: Resource, ctx: OfferContext): string {
  if (target.kind === 'snapshot' && target.phase !== 'ready' && action !== 'deleteSnapshot' && action !== 'editTags') {
    return `Snapshot ${label(target)} is ${target.state}; wait until it is BackedUp.`;
  }
  switch (action) {
    case 'createSnapshot':
      return `Volume ${label(target)} is ${target.state}: CloudStack snapshots a volume once it is Ready (on primary storage).`;
    case 'restoreInPlace':
      return revertRefusal(target as CsSnapshotResource) ?? `Revert Volume to Snapshot is not available for ${label(target)} now.`;
    case 'createImageFromSnapshot': {
      const s = target as CsSnapshotResource;
      const volume = [s.cs?.volumeType ?? 'unknown', 'volume', s.cs?.volumeName ?? s.diskId].filter(Boolean).join(' ');
      return `Create Template from Snapshot needs a snapshot of a ROOT volume: ${label(s)} is a snapshot of the ${volume}, which holds no operating system to boot a template from. Use Restore to New Volume to get its data back.`;
    }
    case 'createImageFromVm':
      return `Create Template from Root Volume needs the VM stopped: ${label(target)} is ${target.state}. Stop it first, then create the template.`;
    case 'createImageFromDisk':
      return 'CloudStack makes templates from a stopped VM\'s root volume (Create Template from Root Volume, on the VM) or from a ROOT volume snapshot (Create Template from Snapshot).';
    case 'copySnapshot':
      return !atLeast(ctx.version, 4, 19)
        ? `Copying a snapshot to other zones needs CloudStack 4.19 or later${ctx.version ? ` (this cloud reports ${ctx.version})` : ' (this cloud did not report its version)'}.`
        : 'This account has only one zone: there is no other zone to copy the snapshot to.';
    case 'snapshotVm':
      return 'CloudStack snapshots one volume at a time (Create Snapshot, on each volume); for the whole VM at once take a VM snapshot (Create VM Snapshot).';
    case 'exportSnapshot':
    case 'revokeExport':
      return 'CloudStack gives no download URL for a volume snapshot: create a template from it (root volumes) or a volume, and download that (extractTemplate, extractVolume).';
    case 'createRestorePoint':
      return `A VM snapshot needs the VM Running or Stopped: ${label(target)} is ${target.state}.`;
    case 'revertToRestorePoint':
      return target.phase !== 'ready'
        ? `VM snapshot ${label(target)} is ${target.state}; CloudStack reverts to a VM snapshot once it is Ready.`
        : (vmRevertRefusal(target as CsRestorePointResource) ?? `Revert VM to VM Snapshot is not available for ${label(target)} now.`);
    case 'snapshotFromRestorePoint':
    case 'deleteRestorePoint':
      return `VM snapshot ${label(target)} is ${target.state}; wait until it is Ready.`;
    case 'simulateWrites':
      return 'Simulated writes exist only in the sandbox.';
    default:
      return `${TITLES[action] ?? action} is not available for ${label(target)} (${target.state}).`;
  }
}

function refuse(refusal: string): ActionPlan {
  return { refusal, fields: [] };
}

/** A name CloudStack accepts: 1–255 characters, no control characters. */
const NAME_PATTERN = { source: '[^\\u0000-\\u001f\\u007f]{1,255}', message: 'A name of 1 to 255 characters, without control characters' };

export function stamp(now = new Date()): string {
  return now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

function nameField(title: string, def: string): Field {
  return { id: 'name', kind: 'text', title, default: def.slice(0, 255), pattern: NAME_PATTERN };
}

function tagsField(title: string, def: Tag[] = []): Field {
  return { id: 'tags', kind: 'tags', title, prompt: 'Tags, one at a time: a key and a value, both required (optional)', default: def, rules: CS_TAG_RULES };
}

const base = (r: Resource): string => (r.name ?? r.id).slice(0, 200);

export async function planAction(core: CsCore, action: ActionId, target: Resource, related: RelatedResources, ctx: OfferContext): Promise<ActionPlan> {
  const plan = await planFor(core, action, target, related, ctx);
  return TITLES[action] ? { title: TITLES[action], ...plan } : plan;
}

async function planFor(core: CsCore, action: ActionId, target: Resource, related: RelatedResources, ctx: OfferContext): Promise<ActionPlan> {
  if (!appliesTo(action, target.kind)) {
    return refuse(`${TITLES[action] ?? action} does not apply to a ${target.kind}`);
  }
  if (!actionsFor(target, ctx).includes(action)) {
    return refuse(refusalFor(action, target, ctx));
  }
  switch (action) {
    case 'createSnapshot':
      return planCreateSnapshot(target as CsDiskResource, ctx);
    case 'restoreToNewDisk':
      return planRestore(core, target as CsSnapshotResource, related);
    case 'restoreInPlace':
      return planRevertVolume(target as CsSnapshotResource);
    case 'createImageFromSnapshot':
      return { fields: await templateFields(core, target, (target as CsSnapshotResource).cs?.ostypeid) };
    case 'createImageFromVm': {
      const vm = target as CsVmResource;
      return { fields: await templateFields(core, vm, vm.cs?.ostypeid) };
    }
    case 'copySnapshot':
      return { fields: [zonesField('Copy the snapshot to which zone?', storedIn(target as CsSnapshotResource), ctx.zones, false)] };
    case 'editTags':
      return { fields: [tagsField(`Tags of ${label(target)}`, target.tags)] };
    case 'deleteSnapshot':
      return planDeleteSnapshot(core, target as CsSnapshotResource, related);
    case 'deleteImage':
      return planDeleteTemplate(target as CsImageResource, ctx);
    case 'createRestorePoint':
      return planCreateVmSnapshot(target as CsVmResource);
    case 'revertToRestorePoint':
      return planRevertVm(target as CsRestorePointResource);
    case 'snapshotFromRestorePoint':
      return planSnapshotFromVmSnapshot(target as CsRestorePointResource, related);
    case 'deleteRestorePoint':
      return planDeleteVmSnapshot(target as CsRestorePointResource);
    case 'simulateWrites':
      return { fields: [{ id: 'mib', kind: 'number', title: `MiB of volume ${label(target)} to overwrite in the sandbox (the next snapshot stores these blocks)`, default: 64, min: 1, max: 1024, integer: true }] };
    default:
      return refuse(refusalFor(action, target, ctx));
  }
}

/** The zones a snapshot is stored in (its own, and those CloudStack 4.19+ copied it to). */
export function storedIn(s: CsSnapshotResource): string[] {
  return s.cs?.zoneIds?.length ? s.cs.zoneIds : [s.scopeId];
}

/** The zones not in `here` as a pick: one of them, or every one (`*`); with `none`, also "no other zone" (''). */
export function zonesField(title: string, here: string[], zones: Scope[], none: boolean): Field {
  const others = zones.filter((z) => !here.includes(z.id));
  const options: PickOption[] = [
    ...(none ? [{ value: '', label: 'No other zone', description: 'the snapshot stays in its own zone only' }] : []),
    ...others.map((z) => ({ value: z.id, label: z.label, description: z.name })),
    ...(others.length > 1 ? [{ value: '*', label: `Every other zone (${others.length})`, description: others.map((z) => z.label).join(', ') }] : []),
  ];
  return { id: 'zones', kind: 'pick', title, options, default: options[0]?.value };
}

function planCreateSnapshot(disk: CsDiskResource, ctx: OfferContext): ActionPlan {
  const fields: Field[] = [
    nameField(`Name of the volume snapshot of ${label(disk)} (one volume, copied to secondary storage)`, `${base(disk)}-${stamp()}`),
  ];
  if (disk.cs?.quiesce) {
    fields.push({
      id: 'quiesce',
      kind: 'boolean',
      title: 'Quiesce the VM for a consistent snapshot? (its storage supports it)',
      yes: 'Yes: quiesce the VM while the snapshot is taken',
      no: 'No: crash-consistent',
      default: false,
    });
  }
  if (copyAvailable(ctx)) {
    fields.push(zonesField('Also keep the snapshot in another zone? (CloudStack 4.19+)', [disk.scopeId], ctx.zones, true));
  }
  fields.push(tagsField('Tags for the snapshot', disk.tags));
  return { fields };
}

async function planRestore(core: CsCore, snap: CsSnapshotResource, related: RelatedResources): Promise<ActionPlan> {
  const api = await core.api();
  const offerings = await api.list<CsDiskOffering>('listDiskOfferings', 'diskoffering', {});
  const source = related.inventory.disks.find((d) => d.id === snap.diskId) as CsDiskResource | undefined;
  const min = Math.max(1, Math.ceil(snap.sizeGiB));
  // CloudStack sizes a volume made from a snapshot by its disk offering: the snapshot's own size, an
  // offering's fixed size (at least the snapshot's), or the size asked with an offering of custom size.
  const usable = offerings.filter((o) => o.iscustomized === true || (typeof o.disksize === 'number' && o.disksize >= snap.sizeGiB));
  const offeringOptions: PickOption[] = [
    { value: '', label: "The snapshot's own disk offering", description: `${snap.sizeGiB} GiB${source?.cs?.offeringName ? `, ${source.cs.offeringName} as volume ${label(source)}` : ''}` },
    ...usable.map((o) => ({ value: o.id, label: o.name ?? o.id, description: o.iscustomized ? 'custom size' : `${o.disksize} GiB`, detail: o.displaytext })),
  ];
  const custom = usable.filter((o) => o.iscustomized === true).map((o) => o.id);
  const zones = storedIn(snap).map((id) => ({ value: id, label: related.scopes.find((s) => s.id === id)?.label ?? (id === snap.scopeId ? snap.zone : undefined) ?? id, description: id === snap.scopeId ? 'this zone' : 'a copy of the snapshot is stored there' }));
  const vms = (related.inventory.vms as CsVmResource[]).filter((v) => v.scopeId === snap.scopeId && VM_SNAPSHOT_STATES.includes(v.state));
  return {
    fields: [
      nameField(`Name of the new volume made from snapshot ${label(snap)}`, `${base(snap)}-restored`),
      { id: 'zone', kind: 'pick', title: 'Zone of the new volume (a zone where the snapshot is stored)', options: zones, default: snap.scopeId },
      { id: 'diskOffering', kind: 'pick', title: 'Disk offering of the new volume (it sets the size; pick one of custom size to choose it)', options: offeringOptions, default: '' },
      { id: 'sizeGiB', kind: 'number', title: `Size in GiB (at least the snapshot's ${snap.sizeGiB} GiB)`, default: min, min, max: 65536, integer: true, askIf: { field: 'diskOffering', in: custom } },
      {
        id: 'attach',
        kind: 'pick',
        title: `Attach the new volume to a VM of zone ${snap.zone ?? snap.scopeId}?`,
        options: [{ value: '', label: "Don't attach", description: 'the volume is listed under detached volumes' }, ...vms.map((v) => ({ value: v.id, label: v.name ?? v.id, description: `${v.state} · ${v.id}` }))],
        default: '',
      },
    ],
  };
}

function planRevertVolume(snap: CsSnapshotResource): ActionPlan {
  const volume = snap.cs?.volumeName ? `${snap.cs.volumeName} (${snap.diskId})` : (snap.diskId ?? 'its volume');
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Revert volume ${volume} to snapshot ${label(snap)}?`,
      detail:
        `Volume ${volume}${snap.cs?.vmId ? ` of VM ${snap.cs.vmName ?? snap.cs.vmId} (${snap.cs.vmState ?? 'state unknown'})` : ' (not attached)'} goes back to its content at snapshot ${label(snap)}` +
        `${snap.createdAt ? `, taken ${dateText(snap.createdAt, formats)}` : ''}: everything written to the volume since is lost. ` +
        'CloudStack reverts it in place on its primary storage; the snapshot is kept.',
      button: 'Revert Volume',
      keep: 'Keep the Volume as It Is',
    }),
  };
}

async function templateFields(core: CsCore, from: Resource, ostypeid: string | undefined): Promise<Field[]> {
  const api = await core.api();
  const types = await api.list<CsOsType>('listOsTypes', 'ostype', {});
  const options = types.map((t) => ({ value: t.id, label: t.description ?? t.id })).sort((a, b) => a.label.localeCompare(b.label));
  return [
    nameField(`Name of the template made from ${label(from)}`, `${base(from)}-template`),
    { id: 'displayText', kind: 'text', title: 'Description of the template', default: `Template made from ${base(from)}`.slice(0, 255), pattern: NAME_PATTERN },
    { id: 'osType', kind: 'pick', title: 'OS type of the template', options, default: ostypeid && options.some((o) => o.value === ostypeid) ? ostypeid : options[0]?.value },
  ];
}

/** Why a snapshot cannot be deleted now (something is being made from it, a job works on it), or undefined. */
export async function deleteBlockers(core: CsCore, snap: Resource, related?: RelatedResources): Promise<string[]> {
  const api = await core.api();
  const jobs = (await api.list<CsAsyncJob>('listAsyncJobs', 'asyncjobs', {})).filter((j) => j.jobstatus === 0);
  const out: string[] = [];
  for (const j of jobs) {
    const cmd = (j.cmd ?? '').split('.').at(-1) ?? '';
    if (j.jobinstanceid === snap.id) {
      out.push(`a CloudStack job is working on it (${cmd.replace(/Cmd.*$/, '') || 'job'} ${j.jobid})`);
    } else if (j.jobinstanceid && /^CreateVolume/i.test(cmd)) {
      const v = (await api.list<CsVolume>('listVolumes', 'volume', { id: j.jobinstanceid })).find((x) => x.id === j.jobinstanceid);
      if (v?.snapshotid === snap.id) {
        out.push(`volume ${v.name ? `${v.name} (${v.id})` : v.id} is being created from it`);
      }
    } else if (j.jobinstanceid && /^CreateTemplate/i.test(cmd)) {
      const t = (await api.list<CsTemplate>('listTemplates', 'template', { templatefilter: 'self', id: j.jobinstanceid })).find((x) => x.id === j.jobinstanceid);
      if (t && (t.snapshotid ?? core.templateSources.get(t.id)) === snap.id) {
        out.push(`template ${t.name ? `${t.name} (${t.id})` : t.id} is being created from it`);
      }
    }
  }
  for (const d of related?.inventory.disks ?? []) {
    const line = `volume ${label(d)} is being created from it`;
    if ((d as CsDiskResource).sourceSnapshotId === snap.id && d.phase === 'pending' && !out.includes(line)) {
      out.push(line);
    }
  }
  return out;
}

async function planDeleteSnapshot(core: CsCore, snap: CsSnapshotResource, related: RelatedResources): Promise<ActionPlan> {
  const blockers = await deleteBlockers(core, snap, related);
  if (blockers.length) {
    return refuse(`Snapshot ${label(snap)} cannot be deleted now: ${blockers.join('; ')}. Wait until it finishes.`);
  }
  const volume = snap.cs?.volumeName ? `${snap.cs.volumeName}${snap.cs.volumeType ? ` (${snap.cs.volumeType})` : ''}` : (snap.diskId ?? 'a volume');
  const stored = snap.storedBytes !== undefined ? `, ${formatBytes(snap.storedBytes)} on secondary storage` : '';
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Delete volume snapshot ${label(snap)}?`,
      detail:
        `Volume snapshot of ${volume}, ${snap.sizeGiB} GiB volume${stored}${snap.createdAt ? `, taken ${dateText(snap.createdAt, formats)}` : ''}. ` +
        `${elsewhere(snap)}Volumes and templates already made from it are not affected. This cannot be undone.`,
      button: 'Delete Snapshot',
      keep: 'Keep Snapshot',
      deletesSnapshotId: snap.id,
    }),
  };
}

/** For a snapshot stored in several zones: only this zone's copy is deleted. */
function elsewhere(snap: CsSnapshotResource): string {
  const n = (snap.cs?.zoneIds.length ?? 1) - 1;
  return n > 0 ? `Only its copy in zone ${snap.cs.zoneName ?? snap.scopeId} is deleted; the copies in ${n} other zone${n === 1 ? '' : 's'} stay. ` : '';
}

function planDeleteTemplate(t: CsImageResource, ctx: OfferContext): ActionPlan {
  const zones = (t.cs?.zoneIds ?? []).map((z) => ctx.zones.find((s) => s.id === z)?.label ?? z);
  return {
    fields: [],
    confirm: () => ({
      message: `Delete template ${label(t)}?`,
      detail: `VMs can no longer be deployed from ${label(t)}; VMs already deployed from it keep running. It is deleted from ${zones.length > 1 ? `every zone it is in (${zones.join(', ')})` : zones.length ? `zone ${zones[0]}` : 'its zones'}. This cannot be undone.`,
      button: 'Delete Template',
      keep: 'Keep Template',
    }),
  };
}

/**
 * What a VM snapshot of `vm` holds, by CloudStack's rules: memory only of a running VM; on KVM a
 * running VM's VM snapshot always holds its memory (KVM takes no disk-only VM snapshot of a
 * running VM), elsewhere it is the user's choice.
 */
export function vmSnapshotMemory(vm: CsVmResource): 'never' | 'always' | 'ask' {
  if (vm.state !== 'Running') {
    return 'never';
  }
  return vm.cs?.hypervisor === 'KVM' ? 'always' : 'ask';
}

function planCreateVmSnapshot(vm: CsVmResource): ActionPlan {
  const memory = vmSnapshotMemory(vm);
  const what = { never: 'its disks (the VM is stopped)', always: 'its disks and memory (KVM keeps the memory of a running VM)', ask: 'its disks, and its memory if you choose' }[memory];
  const fields: Field[] = [
    nameField(`Name of the VM snapshot of ${label(vm)}: ${what}, on primary storage, for quick rollback (it cannot become a template)`, `${base(vm)}-${stamp()}`),
    { id: 'description', kind: 'text', title: 'Description (optional)', optional: true, default: '', pattern: { source: `(?:${NAME_PATTERN.source})?`, message: NAME_PATTERN.message } },
  ];
  if (memory === 'ask') {
    fields.push(
      { id: 'memory', kind: 'boolean', title: "Include the VM's memory?", yes: 'Yes: disks and memory (a revert resumes the VM running)', no: 'No: disks only', default: false },
      {
        id: 'quiesce',
        kind: 'boolean',
        title: 'Quiesce the VM (flush its file systems through the guest tools) while the disks are captured?',
        yes: 'Yes: quiesce',
        no: 'No',
        default: false,
        askIf: { field: 'memory', in: [false] },
      },
    );
  }
  return { fields };
}

function planRevertVm(p: CsRestorePointResource): ActionPlan {
  const vm = p.cs?.vmName ? `${p.cs.vmName} (${p.vmId})` : p.vmId;
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Revert VM ${vm} to VM snapshot ${label(p)}?`,
      detail:
        `VM ${vm} (${p.cs?.vmState ?? 'state unknown'}) goes back to VM snapshot ${label(p)}${p.createdAt ? `, taken ${dateText(p.createdAt, formats)}` : ''}: ` +
        `every change made to the VM since — its disks${p.memory ? ' and its memory' : ''} — is lost. ` +
        `${p.memory ? 'The snapshot holds memory: the VM goes on running from that moment.' : 'The snapshot holds disks only: the VM stays stopped.'} The VM snapshot is kept.`,
      button: 'Revert VM',
      keep: 'Keep the VM as It Is',
    }),
  };
}

function planSnapshotFromVmSnapshot(p: CsRestorePointResource, related: RelatedResources): ActionPlan {
  const volumes = (related.inventory.disks as CsDiskResource[]).filter((d) => d.attachments.some((a) => a.vmId === p.vmId) && (!p.diskIds || p.diskIds.includes(d.id)));
  if (!volumes.length) {
    return refuse(`No volume of VM ${p.cs?.vmName ?? p.vmId} is listed in this zone, so there is no volume to take from VM snapshot ${label(p)}.`);
  }
  volumes.sort((a, b) => Number(b.cs?.type === 'ROOT') - Number(a.cs?.type === 'ROOT'));
  return {
    fields: [
      {
        id: 'volume',
        kind: 'pick',
        title: `Which volume of VM ${p.cs?.vmName ?? p.vmId} to copy out of the VM snapshot, as a volume snapshot on secondary storage?`,
        options: volumes.map((d) => ({ value: d.id, label: d.name ?? d.id, description: `${d.diskType ?? ''} · ${d.sizeGiB} GiB`.replace(/^ · /, '') })),
        default: volumes[0].id,
      },
      nameField('Name of the volume snapshot', `${base(p)}-volume`),
    ],
  };
}

function planDeleteVmSnapshot(p: CsRestorePointResource): ActionPlan {
  const vm = p.cs?.vmName ? `${p.cs.vmName} (${p.vmId})` : p.vmId;
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Delete VM snapshot ${label(p)} of VM ${vm}?`,
      detail:
        `VM ${vm} can no longer be reverted to ${label(p)}${p.createdAt ? ` (taken ${dateText(p.createdAt, formats)})` : ''}${p.memory ? ', with its memory' : ''}. ` +
        `${p.current ? 'It is the VM snapshot the VM currently runs from; the VM itself is not changed. ' : ''}` +
        'Volume snapshots made from it stay. This cannot be undone.',
      button: 'Delete VM Snapshot',
      keep: 'Keep VM Snapshot',
    }),
  };
}
