/**
 * Which actions a resource offers (`actionsFor`) and what each asks (`plan`): fields, refusals
 * that explain Google Cloud's rules, confirmations naming what is lost, freed or replaced.
 * No copySnapshot (GCP snapshots are global: every region can restore them) and no export.
 */
import type { RelatedResources } from '../../model/adapter';
import { buildChain, chainPosition } from '../../model/chain';
import { dateText } from '../../model/units';
import { appliesTo, type ActionId } from '../../model/actions';
import type { ActionPlan, Field, PickOption, Resource, Tag } from '../../model/types';
import type { GcpCore } from './core';
import { multiRegionOf, parsePath, regionOfZone, splitScope } from './ids';
import { label, type GcpDisk, type GcpImage, type GcpResource, type GcpSnapshot, type GcpVm } from './map';
import { GCP_LABEL_RULES, NAME_PATTERN, stamp, validName } from './names';

export const DISK_TYPES: PickOption[] = [
  { value: 'pd-balanced', label: 'pd-balanced', description: 'Balanced persistent disk (SSD)' },
  { value: 'pd-ssd', label: 'pd-ssd', description: 'SSD persistent disk' },
  { value: 'pd-standard', label: 'pd-standard', description: 'Standard persistent disk (HDD)' },
];

export const SNAPSHOT_TYPES: PickOption[] = [
  { value: 'STANDARD', label: 'Standard', description: 'incremental; for backups you may restore any time' },
  {
    value: 'ARCHIVE',
    label: 'Archive',
    description: 'cheaper storage for long-term retention: billed for at least 90 days, slower and dearer to restore',
  },
];

export function actionsFor(r: Resource, sandbox: boolean): ActionId[] {
  const g = r as GcpResource;
  switch (r.kind) {
    case 'disk': {
      const out: ActionId[] = [];
      if (r.phase === 'ready') {
        out.push('createSnapshot', 'createImageFromDisk');
      }
      out.push('editTags');
      if (sandbox) {
        out.push('simulateWrites');
      }
      return out;
    }
    case 'vm':
      return r.phase === 'deleting' ? ['editTags'] : ['createImageFromVm', 'editTags'];
    case 'snapshot': {
      if (r.phase !== 'ready') {
        return ['editTags', 'deleteSnapshot'];
      }
      const out: ActionId[] = ['restoreToNewDisk'];
      if (((g as GcpSnapshot).gcp?.attachedTo?.length ?? 0) > 0) {
        out.push('restoreInPlace');
      }
      out.push('createImageFromSnapshot', 'editTags', 'deleteSnapshot');
      return out;
    }
    case 'image':
      return ['deleteImage', 'editTags'];
    default:
      // Schedules and VM restore points: this adapter lists none yet.
      return [];
  }
}

function refuse(refusal: string): ActionPlan {
  return { refusal, fields: [] };
}

function tagsField(title: string, def: Tag[] = []): Field {
  return {
    id: 'tags',
    kind: 'tags',
    title,
    prompt: 'Labels, one at a time: lower-case letters, digits, _ and -, at most 63 characters (optional)',
    default: def,
    rules: GCP_LABEL_RULES,
  };
}

function nameField(title: string, def: string): Field {
  return { id: 'name', kind: 'text', title, default: def, pattern: NAME_PATTERN };
}

const TITLES: Partial<Record<ActionId, string>> = {
  createSnapshot: 'Create Snapshot (disks.createSnapshot)',
  createImageFromVm: 'Create Machine Image',
  restoreToNewDisk: 'Create Disk from Snapshot',
  restoreInPlace: 'Swap Disk (restore in place)',
  createImageFromSnapshot: 'Create Image from Snapshot',
  createImageFromDisk: 'Create Image from Disk',
  editTags: 'Edit Labels',
};

export async function planAction(core: GcpCore, action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
  const plan = planFor(core, action, target, related);
  return TITLES[action] ? { title: TITLES[action], ...plan } : plan;
}

export function refusalFor(action: ActionId, target: Resource): string {
  if (target.kind === 'snapshot' && target.phase !== 'ready') {
    return `Snapshot ${label(target)} is ${target.state}; wait until it is READY`;
  }
  switch (action) {
    case 'copySnapshot':
      return 'Google Cloud snapshots are global: any zone or region of the project can restore them, so there is nothing to copy.';
    case 'exportSnapshot':
    case 'revokeExport':
      return 'Google Cloud snapshots have no download URL; create an image and export it to Cloud Storage (gcloud compute images export) instead.';
    case 'restoreInPlace':
      return `The disk snapshot ${label(target)} was taken from is not attached to a VM, so there is nothing to swap. Use Create Disk from Snapshot and attach the disk yourself.`;
    case 'snapshotVm':
      return 'Snapshot each disk of the VM, or create a machine image (configuration and every disk at once).';
    case 'simulateWrites':
      return 'Simulated writes exist only in the sandbox.';
    case 'createSnapshot':
      return `Disk ${label(target)} is ${target.state}; wait until it is READY`;
    default:
      return `${action} is not available for ${label(target)} (${target.state})`;
  }
}

function planFor(core: GcpCore, action: ActionId, target: Resource, related: RelatedResources): ActionPlan {
  if (!appliesTo(action, target.kind)) {
    return refuse(`${action} does not apply to a ${target.kind}`);
  }
  if (!actionsFor(target, core.sandbox !== undefined).includes(action)) {
    return refuse(refusalFor(action, target));
  }
  switch (action) {
    case 'createSnapshot':
      return planCreateSnapshot(target as GcpDisk, related);
    case 'createImageFromVm':
      return planMachineImage(target as GcpVm, related);
    case 'restoreToNewDisk':
      return planRestoreToNewDisk(target as GcpSnapshot, related);
    case 'restoreInPlace':
      return planRestoreInPlace(target as GcpSnapshot, related);
    case 'createImageFromDisk':
      return planImageFromDisk(target as GcpDisk, related);
    case 'createImageFromSnapshot':
      return {
        fields: imageFields(target),
      };
    case 'editTags':
      return { fields: [tagsField(`Labels of ${label(target)}`, target.tags)] };
    case 'deleteSnapshot':
      return planDeleteSnapshot(target as GcpSnapshot, related);
    case 'deleteImage': {
      const mi = (target as GcpImage).gcp?.machineImage;
      return {
        fields: [],
        confirm: () => ({
          message: `Delete ${mi ? 'machine image' : 'image'} ${label(target)}?`,
          detail: mi
            ? `The saved configuration and the copies of every disk in ${label(target)} are deleted; VMs already created from it are not affected. This cannot be undone.`
            : `Disks and VMs can no longer be created from ${label(target)}; those already created are not affected. The snapshot or disk it was made from is kept. This cannot be undone.`,
          button: mi ? 'Delete Machine Image' : 'Delete Image',
          keep: mi ? 'Keep Machine Image' : 'Keep Image',
        }),
      };
    }
    case 'simulateWrites':
      return { fields: [{ id: 'mib', kind: 'number', title: `MiB of ${label(target)} to overwrite in the sandbox (the next snapshot stores these blocks)`, default: 64, min: 1, max: 1024, integer: true }] };
    default:
      return refuse(refusalFor(action, target));
  }
}

/** The storage locations offered for a snapshot of a disk: its multi-region, its region. */
export function storageLocations(disk: GcpDisk): PickOption[] {
  const region = disk.gcp?.region ?? (disk.gcp?.zone ? regionOfZone(disk.gcp.zone) : undefined);
  const multi = region ? multiRegionOf(region) : undefined;
  const out: PickOption[] = [];
  if (multi) {
    out.push({ value: multi, label: `${multi} (multi-region)`, description: 'the default: stored in several regions of the continent' });
  }
  if (region) {
    out.push({ value: region, label: `${region} (region)`, description: "the disk's own region: cheaper network egress, one region" });
  }
  return out;
}

/** Name, optional family and labels of an image made from `source`. */
function imageFields(source: Resource): Field[] {
  return [
    nameField(`Name of the image made from ${label(source)}`, validName(source.name, 'image', 'image')),
    { id: 'family', kind: 'text', title: 'Image family (optional: the newest image of a family is what "family" references get)', optional: true, default: '', pattern: { source: `(?:${NAME_PATTERN.source})?`, message: NAME_PATTERN.message } },
    tagsField('Labels for the image'),
  ];
}

/** The running VM that uses `disk`, if any (listed in the same scope). */
function runningUser(disk: GcpDisk, related: RelatedResources): GcpVm | undefined {
  const users = disk.gcp?.users ?? disk.attachments.map((a) => a.vmId);
  return (related.inventory.vms as GcpVm[]).find((v) => users.includes(v.id) && v.gcp?.status === 'RUNNING');
}

/** An image of a disk; a disk in use by a running VM needs forceCreate (a crash-consistent image). */
function planImageFromDisk(disk: GcpDisk, related: RelatedResources): ActionPlan {
  const running = runningUser(disk, related);
  const fields = imageFields(disk);
  if (running) {
    fields.push({
      id: 'forceCreate',
      kind: 'boolean',
      title: `${label(disk)} is in use by the running VM ${label(running)}. Image it anyway?`,
      yes: 'Yes: a crash-consistent image of the disk as it is now (Google: forceCreate)',
      no: 'No: stop the VM first, then make the image',
      default: false,
    });
  }
  return { fields };
}

function planCreateSnapshot(disk: GcpDisk, related: RelatedResources): ActionPlan {
  const locations = storageLocations(disk);
  const running = runningUser(disk, related);
  const fields: Field[] = [
    nameField(`Name of the snapshot of ${label(disk)}`, validName(disk.name, stamp(), 'disk')),
    { id: 'snapshotType', kind: 'pick', title: 'Snapshot type', options: SNAPSHOT_TYPES, default: 'STANDARD' },
  ];
  if (locations.length) {
    fields.push({ id: 'storageLocation', kind: 'pick', title: 'Where the snapshot is stored', options: locations, default: locations[0].value });
  }
  if (running && running.gcp.windows) {
    fields.push({
      id: 'guestFlush',
      kind: 'boolean',
      title: `Guest flush: ask Windows on ${label(running)} to flush (VSS) for an application-consistent snapshot?`,
      yes: 'Yes: application-consistent (VSS), takes a little longer',
      no: 'No: crash-consistent',
      default: false,
    });
  }
  fields.push(tagsField('Labels for the snapshot', disk.tags));
  return { fields };
}

/** Why guest flush is not offered for a disk (shown when the answer asks for it anyway). */
export function guestFlushRefusal(disk: GcpDisk, related: RelatedResources): string | undefined {
  const vms = related.inventory.vms.filter((v) => (disk.gcp?.users ?? []).includes(v.id)) as GcpVm[];
  const running = vms.find((v) => v.gcp?.status === 'RUNNING');
  if (!running) {
    return `Guest flush needs the disk's VM to be running; ${label(disk)} is ${vms.length ? `attached to ${vms.map((v) => `${label(v)} (${v.state})`).join(', ')}` : 'not attached to a VM'}.`;
  }
  if (!running.gcp.windows) {
    return `Guest flush (VSS) is supported on Windows VMs; ${label(running)} has no WINDOWS guest OS feature.`;
  }
  return undefined;
}

function planMachineImage(vm: GcpVm, related: RelatedResources): ActionPlan {
  const disks = related.inventory.disks.filter((d) => vm.diskIds.includes(d.id));
  const region = vm.zone ? regionOfZone(vm.zone) : undefined;
  const multi = region ? multiRegionOf(region) : undefined;
  const locations: PickOption[] = [...(multi ? [{ value: multi, label: `${multi} (multi-region)` }] : []), ...(region ? [{ value: region, label: `${region} (region)` }] : [])];
  const fields: Field[] = [nameField(`Name of the machine image of ${label(vm)} (its configuration and all ${vm.diskIds.length} disk${vm.diskIds.length === 1 ? '' : 's'}${disks.length ? `: ${disks.map((d) => label(d)).join(', ')}` : ''})`, validName(vm.name, stamp(), 'vm'))];
  if (locations.length) {
    fields.push({ id: 'storageLocation', kind: 'pick', title: 'Where the machine image is stored', options: locations, default: locations[0].value });
  }
  fields.push(tagsField('Labels for the machine image'));
  return { fields };
}

function planRestoreToNewDisk(snap: GcpSnapshot, related: RelatedResources): ActionPlan {
  const { project } = splitScope(snap.scopeId);
  const src = parsePath(snap.diskId);
  const region = src?.zone ? regionOfZone(src.zone) : src?.region;
  const zones = related.scopes.filter((s) => s.leaf && splitScope(s.id).project === project && /-[a-z]$/.test(splitScope(s.id).where ?? ''));
  const zoneNames = zones.map((s) => splitScope(s.id).where as string);
  const local = region ? zoneNames.filter((z) => regionOfZone(z) === region) : [];
  const others = zoneNames.filter((z) => !local.includes(z));
  const options: PickOption[] = [
    ...local.map((z) => ({ value: z, label: z, description: `in the snapshot's region ${region}` })),
    ...others.map((z) => ({ value: z, label: z })),
  ];
  if (!options.length && src?.zone) {
    options.push({ value: src.zone, label: src.zone });
  }
  const source = related.inventory.disks.find((d) => d.id === snap.diskId) as GcpDisk | undefined;
  const min = Math.max(1, snap.sizeGiB);
  return {
    fields: [
      nameField(`Name of the new disk (project ${project})`, validName(snap.name, 'restored', 'disk')),
      { id: 'zone', kind: 'pick', title: 'Zone of the new disk (a disk attaches only to VMs in its zone)', options, default: src?.zone && options.some((o) => o.value === src.zone) ? src.zone : options[0]?.value },
      { id: 'diskType', kind: 'pick', title: 'Disk type', options: DISK_TYPES, default: source?.diskType && DISK_TYPES.some((t) => t.value === source.diskType) ? source.diskType : 'pd-balanced' },
      { id: 'sizeGiB', kind: 'number', title: `Size in GiB (at least the snapshot's ${snap.sizeGiB} GiB)`, default: min, min, max: 65536, integer: true },
    ],
  };
}

function planRestoreInPlace(snap: GcpSnapshot, related: RelatedResources): ActionPlan {
  const targets = snap.gcp?.attachedTo ?? [];
  if (!targets.length) {
    return refuse(refusalFor('restoreInPlace', snap));
  }
  const disk = related.inventory.disks.find((d) => d.id === snap.diskId);
  const diskLabel = disk ? label(disk) : (parsePath(snap.diskId)?.name ?? 'the disk');
  const t = targets[0];
  const role = t.boot ? 'boot disk' : `disk ${t.deviceName ?? ''}`.trim();
  return {
    fields: [],
    confirm: (_values, formats) => ({
      message: `Replace the ${role} of VM ${t.vmName} with a disk restored from snapshot ${label(snap)}?`,
      detail:
        `${t.running ? `VM ${t.vmName} is running: it will be STOPPED, ` : `VM ${t.vmName} is ${t.status.toLowerCase()}; `}` +
        `a new disk is created from snapshot ${label(snap)}${snap.createdAt ? ` (taken ${dateText(snap.createdAt, formats)})` : ''}, the current disk ${diskLabel} is detached and the new one attached as device ${t.deviceName ?? ''}${t.boot ? ' (boot)' : ''}` +
        `${t.running ? ', then the VM is started again' : ''}. ${diskLabel} is kept, detached (not deleted); anything written to it since the snapshot is not on the new disk.`,
      button: t.running ? 'Stop, Swap Disk and Start' : 'Swap Disk',
      keep: 'Keep the Current Disk',
    }),
  };
}

/**
 * What Google does when `snap` is deleted, in words true to where it sits in the disk's chain:
 * the only or newest snapshot releases what it stores; the oldest or one in the middle hands
 * the data the next snapshot still needs to that snapshot. The byte figures come from the chain
 * maths the UI adds (deletesSnapshotId).
 */
export function deleteWording(snap: GcpSnapshot, related: RelatedResources): string {
  if (!snap.incremental) {
    return `This ${snap.storageTier ?? ''} snapshot holds a full copy of the disk: what it stores is released.`.replace('  ', ' ');
  }
  const chain = buildChain(related.inventory.snapshots, snap.id);
  const position = chain ? chainPosition(chain, snap.id) : 'standalone';
  const next = snap.gcp?.next;
  const handOver = next
    ? `Google moves the data the next snapshot ${next.name} still needs into it, so only what ${next.name} does not need is released — the rest moves to ${next.name}.`
    : 'Google moves the data the next snapshot still needs into it, so only the rest is released.';
  switch (position) {
    case 'only':
      return 'It is the only snapshot of the disk: no other snapshot depends on it, so what it stores is released.';
    case 'newest':
      return 'It is the newest snapshot of the disk: no later snapshot depends on it, so what it stores is released. The older snapshots stay complete.';
    case 'oldest':
      return `It is the oldest snapshot of the disk. ${handOver} The later snapshots stay complete.`;
    case 'middle':
      return `It is in the middle of the disk's chain. ${handOver} The other snapshots stay complete.`;
    case 'standalone':
      return next ? `${handOver} The other snapshots stay complete.` : 'No later snapshot of its disk is listed, so what it stores is released.';
  }
}

function planDeleteSnapshot(snap: GcpSnapshot, related: RelatedResources): ActionPlan {
  const disk = related.inventory.disks.find((d) => d.id === snap.diskId);
  const of = snap.diskId ? `of disk ${disk ? label(disk) : (parsePath(snap.diskId)?.name ?? snap.diskId)}` : 'with no source disk';
  const impact = deleteWording(snap, related);
  const images = snap.gcp?.images ?? [];
  return {
    fields: [],
    confirm: (_values, formats) => ({
      message: `Delete snapshot ${label(snap)}?`,
      detail:
        `Snapshot ${of}, ${snap.sizeGiB} GiB${snap.createdAt ? `, created ${dateText(snap.createdAt, formats)}` : ''}. ${impact} ` +
        `${images.length ? `Image${images.length === 1 ? '' : 's'} ${images.join(', ')} made from it ${images.length === 1 ? 'is an independent copy and stays' : 'are independent copies and stay'}. ` : ''}` +
        'Disks already restored from it are not affected. This cannot be undone.',
      button: 'Delete Snapshot',
      keep: 'Keep Snapshot',
      deletesSnapshotId: snap.id,
    }),
  };
}
