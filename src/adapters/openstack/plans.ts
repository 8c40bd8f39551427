/**
 * Which actions a resource offers now (`actionsFor`), what each asks (`plan`), and the refusals
 * that explain OpenStack's rules. Titles are OpenStack's own words ("Create Instance Snapshot",
 * "Revert Volume to Snapshot"…). Confirmations name what is lost and what stays. The three kinds
 * of copies are never mixed up: a volume snapshot (Cinder, one volume), an instance snapshot (a
 * Glance image of a server) and a backup (Cinder, on the backup store).
 */
import type { RelatedResources } from '../../model/adapter';
import { appliesTo, type ActionId } from '../../model/actions';
import { dateText, formatBytes } from '../../model/units';
import type { ErrorKind } from '../../model/errors';
import type { ActionPlan, Field, PickOption, Resource, Tag } from '../../model/types';
import { compareMicroversions } from './catalog';
import type { OsCore } from './core';
import type { RegionInventory } from './inventory';
import { label, LOCAL_ROOT_DETAIL, type OsBackupResource, type OsDiskResource, type OsImageResource, type OsRestorePointResource, type OsSnapshotResource, type OsVmResource } from './map';
import { tagRules } from './tags';
import type { OsAvailabilityZone, OsFlavor, OsKeypair, OsNetwork, OsVolumeType } from './wire';

/** What `actionsFor` needs besides the resource. */
export interface OfferContext {
  sandbox: boolean;
}

/** The Cinder microversion of revert to snapshot. */
export const REVERT_MICROVERSION = '3.40';
/** The Cinder microversion of a backup's metadata. */
export const BACKUP_METADATA_MICROVERSION = '3.43';

/** The titles of this cloud's prompts, and of its tree menus where they differ from the action table's (index.ts `menuTitles`). */
export const TITLES: Partial<Record<ActionId, string>> = {
  createSnapshot: 'Create Volume Snapshot',
  restoreToNewDisk: 'Restore to New Volume',
  restoreInPlace: 'Revert Volume to Snapshot',
  createImageFromDisk: 'Create Image from Volume',
  copySnapshot: 'Copy Snapshot',
  editTags: 'Edit Metadata',
  deleteSnapshot: 'Delete Volume Snapshot',
  deleteImage: 'Delete Image',
  createRestorePoint: 'Create Instance Snapshot',
  revertToRestorePoint: 'Roll Back (Rebuild)',
  launchCopy: 'Launch Copy',
  deleteRestorePoint: 'Delete Instance Snapshot',
  createBackup: 'Create Backup',
  restoreBackupToNewDisk: 'Restore Backup to New Volume',
  restoreBackupInPlace: 'Restore Backup onto Its Volume',
  deleteBackup: 'Delete Backup',
  simulateWrites: 'Simulate Writes',
};

/** Nova takes an instance snapshot of a server in these states (nova/compute/api.py snapshot). */
const SNAPSHOT_STATES = ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'];
/** Cinder snapshots and backs up a volume that is available or in-use. */
const USABLE_VOLUME = ['available', 'in-use'];

const vmStatus = (vm: OsVmResource): string => vm.state.split(' ')[0];

export function actionsFor(r: Resource, ctx: OfferContext): ActionId[] {
  switch (r.kind) {
    case 'vm': {
      const vm = r as OsVmResource;
      if (r.phase === 'deleting') {
        return [];
      }
      const out: ActionId[] = [];
      if (r.phase === 'ready' && SNAPSHOT_STATES.includes(vmStatus(vm))) {
        out.push('createRestorePoint');
      }
      out.push('editTags');
      return out;
    }
    case 'disk': {
      const d = r as OsDiskResource;
      if (d.os?.local) {
        // The local root disk: only Nova can copy it (an instance snapshot, on the server).
        return ctx.sandbox && r.phase === 'ready' ? ['simulateWrites'] : [];
      }
      if (r.phase === 'deleting') {
        return [];
      }
      const out: ActionId[] = [];
      if (USABLE_VOLUME.includes(r.state)) {
        out.push('createSnapshot', 'createBackup');
      }
      if (r.state === 'available') {
        out.push('createImageFromDisk');
      }
      out.push('editTags');
      if (ctx.sandbox && USABLE_VOLUME.includes(r.state)) {
        out.push('simulateWrites');
      }
      return out;
    }
    case 'snapshot': {
      const s = r as OsSnapshotResource;
      if (r.phase === 'error') {
        return ['editTags', 'deleteSnapshot'];
      }
      if (r.phase !== 'ready') {
        return r.phase === 'pending' ? ['editTags'] : [];
      }
      const out: ActionId[] = ['restoreToNewDisk'];
      if (s.os?.latest && s.os.volumeListed) {
        out.push('restoreInPlace');
      }
      out.push('editTags', 'deleteSnapshot');
      return out;
    }
    case 'backup': {
      const b = r as OsBackupResource;
      if (r.phase === 'error') {
        return ['editTags', 'deleteBackup'];
      }
      if (r.phase !== 'ready') {
        return r.phase === 'pending' ? ['editTags'] : [];
      }
      const out: ActionId[] = ['restoreBackupToNewDisk'];
      if (b.os?.volumeListed) {
        out.push('restoreBackupInPlace');
      }
      out.push('editTags', 'deleteBackup');
      return out;
    }
    case 'image':
      return r.phase === 'ready' || r.phase === 'error' ? ['editTags', 'deleteImage'] : [];
    case 'restorePoint': {
      const p = r as OsRestorePointResource;
      if (r.phase === 'error') {
        return ['deleteRestorePoint'];
      }
      if (r.phase !== 'ready') {
        return [];
      }
      const out: ActionId[] = [];
      if (rollBackRefusal(p) === undefined) {
        out.push('revertToRestorePoint');
      }
      out.push('launchCopy', 'deleteRestorePoint');
      return out;
    }
    default:
      return [];
  }
}

/** Why Roll Back (Rebuild) cannot run from this instance snapshot, or undefined. */
export function rollBackRefusal(p: OsRestorePointResource): string | undefined {
  const server = p.os?.serverName ? `${p.os.serverName} (${p.vmId})` : p.vmId;
  if (!p.os?.serverListed) {
    return `Server ${server} that instance snapshot ${label(p)} was taken of is not listed any more (deleted?): there is nothing to roll back. Use Launch Copy to boot a new server from it.`;
  }
  if (p.os.mapsVolumes) {
    return (
      `Server ${server} boots from a volume: instance snapshot ${label(p)} holds no disk data of its own, only Cinder snapshots of its volumes, and Nova cannot rebuild a volume-backed server from it. ` +
      'Revert the root volume to its snapshot (Revert Volume to Snapshot, on the latest one), or use Launch Copy.'
    );
  }
  return undefined;
}

export function refusalFor(action: ActionId, target: Resource, ctx: OfferContext): string {
  const d = target as OsDiskResource;
  if (target.kind === 'disk' && d.os?.local && action !== 'simulateWrites') {
    return (
      `${label(target)} is the ${LOCAL_ROOT_DETAIL} of server ${d.os.serverName ?? d.os.serverId}: it lives on the compute host, not in Cinder, so Cinder cannot snapshot, back up or image it. ` +
      'Take an instance snapshot of the server instead (Create Instance Snapshot).'
    );
  }
  switch (action) {
    case 'copySnapshot':
      return 'OpenStack has no copy of a volume snapshot to another region: it is not native (Cinder keeps a snapshot on its volume\'s backend). Snapkeeper does not fake one; back the volume up, or create an image from it and copy that with your tools.';
    case 'createSnapshot':
    case 'createBackup':
      return `Volume ${label(target)} is ${target.state}: Cinder snapshots and backs up a volume that is available or in-use.`;
    case 'createImageFromDisk':
      return target.kind === 'disk'
        ? `Volume ${label(target)} is ${target.state}: Create Image from Volume needs it available (detached). Cinder uploads an attached volume only with force, which most clouds disable (enable_force_upload); detach it first.`
        : 'Create Image from Volume runs on a volume.';
    case 'restoreInPlace': {
      const s = target as OsSnapshotResource;
      if (s.phase !== 'ready') {
        return `Volume snapshot ${label(s)} is ${s.state}; wait until it is available.`;
      }
      if (!s.os?.volumeListed) {
        return `The volume ${s.diskId ?? ''} that volume snapshot ${label(s)} was taken from no longer exists: there is nothing to revert. Use Restore to New Volume instead.`;
      }
      return `Only the latest snapshot of a volume can be reverted to (Cinder's rule): ${label(s)} is an older snapshot of volume ${s.os.volumeName ?? s.diskId}. Use Restore to New Volume to get its data back.`;
    }
    case 'restoreBackupInPlace':
      return `The volume ${(target as OsBackupResource).diskId ?? ''} that backup ${label(target)} was taken of no longer exists: restore it to a new volume instead.`;
    case 'revertToRestorePoint':
      return target.phase !== 'ready' ? `Instance snapshot ${label(target)} is ${target.state}; wait until it is active.` : (rollBackRefusal(target as OsRestorePointResource) ?? `Roll Back is not available for ${label(target)} now.`);
    case 'createRestorePoint':
      return `Nova takes an instance snapshot of a server that is ${SNAPSHOT_STATES.join(', ')} and not busy: ${label(target)} is ${target.state}.`;
    case 'createImageFromSnapshot':
      return 'Cinder makes no image from a volume snapshot directly: restore it to a new volume, then Create Image from Volume on that volume.';
    case 'createImageFromVm':
      return 'On OpenStack an image of a server is an instance snapshot: use Create Instance Snapshot.';
    case 'snapshotVm':
      return 'Use Create Instance Snapshot on the server (Nova snapshots its root disk, and every volume of a boot-from-volume server), or Create Volume Snapshot on each volume.';
    case 'snapshotFromRestorePoint':
      return 'An instance snapshot is a Glance image: Launch Copy boots a server from it; a boot-from-volume server\'s instance snapshot already holds Cinder snapshots of its volumes (listed under each volume).';
    case 'exportSnapshot':
    case 'revokeExport':
      return 'Cinder gives no download URL for a volume snapshot: restore it to a volume, create an image from that, and download the image with Glance.';
    case 'simulateWrites':
      return ctx.sandbox ? `${label(target)} is ${target.state}: wait until it is ready.` : 'Simulated writes exist only in the sandbox.';
    default:
      return `${TITLES[action] ?? action} is not available for ${label(target)} (${target.state}).`;
  }
}

/** The kind of error a refusal is when execute meets it: `inUse` when something uses the target. */
const REFUSAL_KINDS = new WeakMap<ActionPlan, ErrorKind>();

function refuse(refusal: string, kind: ErrorKind = 'invalid'): ActionPlan {
  const plan: ActionPlan = { refusal, fields: [] };
  REFUSAL_KINDS.set(plan, kind);
  return plan;
}

/** What execute throws for a refused plan: `inUse` (dependents, an attached volume) or `invalid`. */
export function refusalKind(plan: ActionPlan): ErrorKind {
  return REFUSAL_KINDS.get(plan) ?? 'invalid';
}

/** A name OpenStack accepts: 1–255 characters, no control characters. */
export const NAME_PATTERN = { source: '[^\\u0000-\\u001f\\u007f]{1,255}', message: 'A name of 1 to 255 characters, without control characters' };

export function stamp(now = new Date()): string {
  return now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

function nameField(title: string, def: string): Field {
  return { id: 'name', kind: 'text', title, default: def.slice(0, 255), pattern: NAME_PATTERN };
}

function tagsField(kind: Resource['kind'], title: string, def: Tag[] = []): Field {
  return { id: 'tags', kind: 'tags', title, prompt: 'Metadata, one item at a time: a key and a value (optional)', default: def, rules: tagRules(kind) };
}

const base = (r: Resource): string => (r.name ?? r.id).slice(0, 200);

export async function planAction(core: OsCore, action: ActionId, target: Resource, related: RelatedResources, ctx: OfferContext): Promise<ActionPlan> {
  const plan = await planFor(core, action, target, related, ctx);
  if (!TITLES[action]) {
    return plan;
  }
  const titled = { title: TITLES[action], ...plan };
  REFUSAL_KINDS.set(titled, refusalKind(plan));
  return titled;
}

async function planFor(core: OsCore, action: ActionId, target: Resource, related: RelatedResources, ctx: OfferContext): Promise<ActionPlan> {
  if (!appliesTo(action, target.kind)) {
    return refuse(`${TITLES[action] ?? action} does not apply to a ${target.kind}`);
  }
  if (!actionsFor(target, ctx).includes(action)) {
    return refuse(refusalFor(action, target, ctx));
  }
  switch (action) {
    case 'createSnapshot':
      return planCreateSnapshot(target as OsDiskResource);
    case 'restoreToNewDisk':
      return planRestoreToNewVolume(core, target as OsSnapshotResource);
    case 'restoreInPlace':
      return planRevertVolume(core, target as OsSnapshotResource);
    case 'createImageFromDisk':
      return {
        fields: [
          nameField(`Name of the Glance image made from volume ${label(target)}`, `${base(target)}-image`),
          {
            id: 'diskFormat',
            kind: 'pick',
            title: 'Disk format of the image',
            options: [
              { value: 'raw', label: 'raw', description: 'as the volume is (largest, fastest to boot)' },
              { value: 'qcow2', label: 'qcow2', description: 'compressed copy-on-write' },
            ],
            default: 'raw',
          },
        ],
      };
    case 'editTags':
      return { fields: [tagsField(target.kind, `Metadata of ${label(target)}${target.kind === 'image' ? " (the image's properties)" : ''}`, target.tags)] };
    case 'deleteSnapshot':
      return planDeleteSnapshot(core, target as OsSnapshotResource);
    case 'deleteImage':
      return planDeleteImage(target as OsImageResource);
    case 'createRestorePoint':
      return planCreateInstanceSnapshot(target as OsVmResource);
    case 'revertToRestorePoint':
      return planRollBack(target as OsRestorePointResource, related);
    case 'launchCopy':
      return planLaunchCopy(core, target as OsRestorePointResource);
    case 'deleteRestorePoint':
      return planDeleteInstanceSnapshot(target as OsRestorePointResource);
    case 'createBackup':
      return planCreateBackup(target as OsDiskResource);
    case 'restoreBackupToNewDisk':
      return { fields: [nameField(`Name of the new volume restored from backup ${label(target)}`, `${base(target)}-restored`)] };
    case 'restoreBackupInPlace':
      return planRestoreBackupInPlace(core, target as OsBackupResource);
    case 'deleteBackup':
      return planDeleteBackup(core, target as OsBackupResource);
    case 'simulateWrites':
      return { fields: [{ id: 'mib', kind: 'number', title: `MiB of ${label(target)} to overwrite in the sandbox (the next snapshot or backup stores these blocks)`, default: 64, min: 1, max: 1024, integer: true }] };
    default:
      return refuse(refusalFor(action, target, ctx));
  }
}

/** The force question of an in-use volume, asked only then. */
function forceField(d: OsDiskResource, what: string): Field[] {
  if (d.state !== 'in-use') {
    return [];
  }
  const server = d.os?.serverName ? `${d.os.serverName} (${d.os.serverId})` : (d.os?.serverId ?? 'a server');
  return [
    {
      id: 'force',
      kind: 'boolean',
      title: `Volume ${label(d)} is in use by server ${server}: Cinder takes ${what} of an attached volume only when forced, and it is crash-consistent (what the guest has not flushed is not in it). Go ahead?`,
      yes: `Yes: force ${what} of the attached volume`,
      no: 'No: do not take it',
      default: false,
    },
  ];
}

function planCreateSnapshot(d: OsDiskResource): ActionPlan {
  return {
    fields: [
      nameField(`Name of the volume snapshot of ${label(d)} (Cinder, one volume, kept on the volume's backend)`, `${base(d)}-${stamp()}`),
      ...forceField(d, 'a snapshot'),
      tagsField('snapshot', 'Metadata for the snapshot'),
    ],
  };
}

async function planRestoreToNewVolume(core: OsCore, s: OsSnapshotResource): Promise<ActionPlan> {
  const api = await core.api(s.scopeId);
  const [types, zones] = await Promise.all([
    api.request<{ volume_types?: OsVolumeType[] }>('volumev3', 'GET', '/types').then((a) => a.body?.volume_types ?? []),
    api.request<{ availabilityZoneInfo?: OsAvailabilityZone[] }>('volumev3', 'GET', '/os-availability-zone').then((a) => a.body?.availabilityZoneInfo ?? []),
  ]);
  const min = Math.max(1, Math.ceil(s.sizeGiB));
  const typeOptions: PickOption[] = [
    { value: '', label: "The source volume's type", description: 'Cinder keeps the snapshot volume\'s type' },
    ...types.filter((t) => typeof t.name === 'string').map((t) => ({ value: t.name as string, label: t.name as string, description: t.description ?? undefined })),
  ];
  const zoneOptions: PickOption[] = [
    { value: '', label: "The source volume's availability zone", description: 'Cinder makes it beside the snapshot' },
    ...zones.filter((z) => typeof z.zoneName === 'string' && z.zoneState?.available !== false).map((z) => ({ value: z.zoneName as string, label: z.zoneName as string })),
  ];
  return {
    fields: [
      nameField(`Name of the new volume made from volume snapshot ${label(s)}`, `${base(s)}-restored`),
      { id: 'sizeGiB', kind: 'number', title: `Size in GiB (at least the snapshot's ${s.sizeGiB} GiB)`, default: min, min, max: 65536, integer: true },
      { id: 'volumeType', kind: 'pick', title: 'Volume type of the new volume', options: typeOptions, default: '' },
      { id: 'zone', kind: 'pick', title: 'Availability zone of the new volume', options: zoneOptions, default: '' },
    ],
  };
}

/** The refusal of what revert needs and the cloud or the volume lacks: microversion 3.40, the volume available (detached), its size the snapshot's. */
async function revertRefusal(core: OsCore, s: OsSnapshotResource): Promise<ActionPlan | undefined> {
  const api = await core.api(s.scopeId);
  const max = await api.maxMicroversion('volumev3');
  if (max === undefined || compareMicroversions(REVERT_MICROVERSION, max) > 0) {
    return refuse(`Revert Volume to Snapshot needs Cinder microversion ${REVERT_MICROVERSION}; this cloud's Cinder offers ${max ? `up to ${max}` : 'no microversions'}. Use Restore to New Volume instead.`);
  }
  const volume = s.os?.volumeName ? `${s.os.volumeName} (${s.diskId})` : s.diskId;
  if (s.os?.volumeStatus !== 'available') {
    return refuse(
      `Volume ${volume} is ${s.os?.volumeStatus ?? 'not listed'}: Cinder reverts a volume that is available, so detach it from its server first.`,
      s.os?.volumeStatus === 'in-use' ? 'inUse' : 'invalid',
    );
  }
  if (s.os.volumeSize !== undefined && s.os.volumeSize !== s.sizeGiB) {
    return refuse(`Volume ${volume} is ${s.os.volumeSize} GiB and the snapshot ${s.sizeGiB} GiB: Cinder reverts only a volume of the snapshot's size (it was extended since). Use Restore to New Volume instead.`);
  }
  return undefined;
}

async function planRevertVolume(core: OsCore, s: OsSnapshotResource): Promise<ActionPlan> {
  const refused = await revertRefusal(core, s);
  if (refused) {
    return refused;
  }
  const volume = s.os?.volumeName ? `${s.os.volumeName} (${s.diskId})` : (s.diskId ?? 'its volume');
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Revert volume ${volume} to volume snapshot ${label(s)}?`,
      detail:
        `Volume ${volume} goes back to its content at snapshot ${label(s)}${s.createdAt ? `, taken ${dateText(s.createdAt, formats)}` : ''}: everything written to the volume since is lost. ` +
        'Cinder reverts it in place (the latest snapshot only); the snapshot is kept.',
      button: 'Revert Volume',
      keep: 'Keep the Volume as It Is',
    }),
  };
}

/** What depends on a volume snapshot: volumes made from it, backups made from it, instance snapshots mapping it. */
export function snapshotDependents(inv: RegionInventory, snapshotId: string): string[] {
  return [
    ...inv.disks.filter((d) => d.sourceSnapshotId === snapshotId).map((d) => `volume ${label(d)} (restored from it)`),
    ...inv.backups.filter((b) => b.snapshotId === snapshotId).map((b) => `backup ${label(b)} (made from it)`),
    ...inv.restorePoints.filter((p) => p.os.snapshotIds.includes(snapshotId)).map((p) => `instance snapshot ${label(p)} (maps it)`),
    ...inv.images.filter((i) => i.snapshotIds.includes(snapshotId)).map((i) => `image ${label(i)} (maps it)`),
  ];
}

async function planDeleteSnapshot(core: OsCore, s: OsSnapshotResource): Promise<ActionPlan> {
  const dependents = snapshotDependents(await core.inventory(s.scopeId), s.id);
  if (dependents.length) {
    return refuse(`Volume snapshot ${label(s)} cannot be deleted while these depend on it: ${dependents.join('; ')}. Delete them first.`, 'inUse');
  }
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Delete volume snapshot ${label(s)}?`,
      detail: `Volume snapshot of ${s.os?.volumeName ?? s.diskId ?? 'a volume'}, ${s.sizeGiB} GiB${s.createdAt ? `, taken ${dateText(s.createdAt, formats)}` : ''}. This cannot be undone.`,
      button: 'Delete Snapshot',
      keep: 'Keep Snapshot',
      deletesSnapshotId: s.id,
    }),
  };
}

/** Glance refuses to delete a protected image. */
const protectedRefusal = (i: Resource): ActionPlan => refuse(`Image ${label(i)} is protected: Glance refuses to delete it until its owner clears "protected".`);

function planDeleteImage(i: OsImageResource): ActionPlan {
  if (i.os?.protected) {
    return protectedRefusal(i);
  }
  return {
    fields: [],
    confirm: () => ({
      message: `Delete image ${label(i)}?`,
      detail: `No new server or volume can be made from ${label(i)}; servers already booted from it keep running. This cannot be undone.`,
      button: 'Delete Image',
      keep: 'Keep Image',
    }),
  };
}

function planCreateInstanceSnapshot(vm: OsVmResource): ActionPlan {
  const what = vm.os?.bootFromVolume
    ? 'it boots from a volume: Nova takes a Cinder snapshot of each of its volumes and a Glance image mapping them'
    : "a Glance image of its root disk (attached volumes are not in it)";
  return {
    fields: [
      nameField(`Name of the instance snapshot of ${label(vm)}: ${what}`, `${base(vm)}-${stamp()}`),
      tagsField('image', 'Metadata for the image (Glance properties)'),
    ],
  };
}

function planRollBack(p: OsRestorePointResource, related: RelatedResources): ActionPlan {
  const server = p.os?.serverName ? `${p.os.serverName} (${p.vmId})` : p.vmId;
  const volumes = related.inventory.disks.filter((d) => (d as OsDiskResource).os && !(d as OsDiskResource).os.local && (d as OsDiskResource).attachments.some((a) => a.vmId === p.vmId));
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Roll back server ${server} to instance snapshot ${label(p)}?`,
      detail:
        `Nova rebuilds server ${server} (${p.os?.serverStatus ?? 'state unknown'}) from instance snapshot ${label(p)}${p.createdAt ? `, taken ${dateText(p.createdAt, formats)}` : ''}: ` +
        'everything written to its root disk since is lost, and the server restarts. ' +
        `What stays: ${volumes.length ? `its attached volumes (${volumes.map((d) => label(d)).join(', ')}), untouched` : 'its attached volumes (it has none now)'}, its id, addresses and flavor. The instance snapshot is kept.`,
      button: 'Roll Back',
      keep: 'Keep the Server as It Is',
    }),
  };
}

async function planLaunchCopy(core: OsCore, p: OsRestorePointResource): Promise<ActionPlan> {
  const api = await core.api(p.scopeId);
  const [flavors, networks, keypairs] = await Promise.all([
    api.list<OsFlavor>('compute', '/flavors/detail', 'flavors'),
    api.list<OsNetwork>('network', '/networks', 'networks'),
    api.request<{ keypairs?: OsKeypair[] }>('compute', 'GET', '/os-keypairs').then((a) => a.body?.keypairs ?? []),
  ]);
  const minDisk = p.os?.minDiskGiB ?? 0;
  // A boot-from-volume snapshot makes volumes: the flavor's disk does not matter then.
  const fit = flavors.filter((f) => p.os?.mapsVolumes || (f.disk ?? 0) === 0 || (f.disk ?? 0) >= minDisk);
  if (!fit.length) {
    return refuse(`No flavor of this project has a disk of at least ${minDisk} GiB, the instance snapshot's minimum: a server cannot boot from it.`);
  }
  const nets = networks.filter((n) => n.status === undefined || n.status === 'ACTIVE');
  if (!nets.length) {
    return refuse('This project has no network in this region: Nova needs one to boot a server.');
  }
  const keys = keypairs.map((k) => k.keypair?.name).filter((n): n is string => typeof n === 'string' && n !== '');
  return {
    fields: [
      nameField(`Name of the new server booted from instance snapshot ${label(p)} (server ${p.os?.serverName ?? p.vmId} is left as it is)`, `${base(p)}-copy`),
      {
        id: 'flavor',
        kind: 'pick',
        title: 'Flavor of the new server',
        options: fit.map((f) => ({ value: f.id, label: f.name ?? f.id, description: [f.vcpus !== undefined ? `${f.vcpus} vCPU` : '', f.ram !== undefined ? `${f.ram} MiB` : '', f.disk !== undefined ? `${f.disk} GiB disk` : ''].filter(Boolean).join(' · ') })),
        default: fit[0].id,
      },
      { id: 'network', kind: 'pick', title: 'Network of the new server', options: nets.map((n) => ({ value: n.id, label: n.name || n.id, description: n.id })), default: nets[0].id },
      {
        id: 'keyName',
        kind: 'pick',
        title: 'Key pair for the new server',
        options: [{ value: '', label: 'No key pair', description: 'sign in another way (the image\'s own users)' }, ...keys.map((k) => ({ value: k, label: k }))],
        default: keys[0] ?? '',
      },
    ],
  };
}

function planDeleteInstanceSnapshot(p: OsRestorePointResource): ActionPlan {
  if (p.os?.protected) {
    return protectedRefusal(p);
  }
  const server = p.os?.serverName ? `${p.os.serverName} (${p.vmId})` : p.vmId;
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Delete instance snapshot ${label(p)} of server ${server}?`,
      detail:
        `The Glance image ${label(p)}${p.createdAt ? ` (taken ${dateText(p.createdAt, formats)})` : ''} is deleted: server ${server} can no longer be rolled back to it, and no copy can be launched from it. ` +
        `${p.os?.snapshotIds.length ? `The Cinder snapshots it maps (${p.os.snapshotIds.join(', ')}) stay: delete them apart. ` : ''}This cannot be undone.`,
      button: 'Delete Instance Snapshot',
      keep: 'Keep Instance Snapshot',
    }),
  };
}

function planCreateBackup(d: OsDiskResource): ActionPlan {
  const parent = d.os?.incrementalParentId;
  const parentName = parent ? (d.os.incrementalParentName ? `${d.os.incrementalParentName} (${parent})` : parent) : undefined;
  const fields: Field[] = [nameField(`Name of the backup of volume ${label(d)} (Cinder, on the backup store, apart from the volume)`, `${base(d)}-backup-${stamp()}`)];
  if (parentName) {
    fields.push({
      id: 'mode',
      kind: 'pick',
      title: 'Full or incremental backup?',
      options: [
        { value: 'incremental', label: 'Incremental', description: `only what changed since backup ${parentName}, which it is based on` },
        { value: 'full', label: 'Full', description: 'the whole volume, on its own' },
      ],
      default: 'incremental',
    });
  }
  fields.push(...forceField(d, 'a backup'));
  return { fields };
}

async function planRestoreBackupInPlace(core: OsCore, b: OsBackupResource): Promise<ActionPlan> {
  const inv = await core.inventory(b.scopeId);
  const volume = inv.disks.find((d) => d.id === b.diskId);
  const name = volume ? label(volume) : (b.diskId ?? 'its volume');
  if (!volume) {
    return refuse(refusalFor('restoreBackupInPlace', b, { sandbox: false }));
  }
  if (volume.state !== 'available') {
    const server = volume.os.serverName ?? volume.os.serverId;
    return refuse(
      `Volume ${name} is ${volume.state}${server ? ` (attached to server ${server})` : ''}: Cinder restores a backup only onto an available volume. ${server ? 'Detach it from the server first, or restore' : 'Wait, or restore'} to a new volume instead.`,
      server ? 'inUse' : 'invalid',
    );
  }
  if (volume.sizeGiB < b.sizeGiB) {
    return refuse(`Volume ${name} is ${volume.sizeGiB} GiB, smaller than the backup's ${b.sizeGiB} GiB: Cinder cannot restore onto it. Restore to a new volume instead.`);
  }
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Restore backup ${label(b)} onto volume ${name}?`,
      detail:
        `Volume ${name} is overwritten with the backup's contents${b.createdAt ? ` (as of ${dateText(b.os?.dataTimestamp ?? b.createdAt, formats)})` : ''}: everything on it now — all that was written since the backup — is lost. ` +
        'Its snapshots and the backup itself are kept.',
      button: 'Restore Backup',
      keep: 'Keep the Volume as It Is',
    }),
  };
}

/**
 * What deleting a backup frees, as far as Cinder says: its object count (chunks of the backup
 * store's object size, a deployment setting Cinder does not report), never a byte figure it
 * does not give.
 */
function storedText(b: OsBackupResource): string {
  if (b.storedBytes !== undefined) {
    return ` Deleting it frees the ${formatBytes(b.storedBytes)} it stores.`;
  }
  if (b.objectCount !== undefined) {
    return ` Deleting it frees the ${b.objectCount} ${b.objectCount === 1 ? 'object' : 'objects'} it stores on the backup store (Cinder reports objects, not bytes).`;
  }
  return ' Cinder does not report what it stores.';
}

async function planDeleteBackup(core: OsCore, b: OsBackupResource): Promise<ActionPlan> {
  if (b.hasDependents) {
    const inv = await core.inventory(b.scopeId);
    const dependents = inv.backups.filter((x) => x.parentId === b.id).map((x) => label(x));
    return refuse(
      `Backup ${label(b)} cannot be deleted: incremental backups depend on it (Cinder's has_dependent_backups)${dependents.length ? `: ${dependents.join(', ')}` : ''}. Delete them first, newest first.`,
      'inUse',
    );
  }
  return {
    fields: [],
    confirm: (_v, formats) => ({
      message: `Delete backup ${label(b)}?`,
      detail: `${b.incremental ? 'Incremental' : 'Full'} backup of volume ${b.os?.volumeName ?? b.diskId ?? ''}, ${b.sizeGiB} GiB${b.createdAt ? `, taken ${dateText(b.createdAt, formats)}` : ''}.${storedText(b)} The volume can no longer be restored to this point. This cannot be undone.`,
      button: 'Delete Backup',
      keep: 'Keep Backup',
    }),
  };
}
