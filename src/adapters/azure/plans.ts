/**
 * Which actions a resource offers (`actionsFor`) and what each asks before it runs (`plan`):
 * fields, refusals that explain Azure's rules, and confirmations naming what is lost or replaced.
 */
import type { DiskEncryptionSet } from '@azure/arm-compute';
import type { RelatedResources } from '../../model/adapter';
import { appliesTo, type ActionId } from '../../model/actions';
import type { ActionPlan, Field, FieldValues, PickOption, Resource, Scope, Tag } from '../../model/types';
import { dateText, formatDate } from '../../model/units';
import type { AzureCore } from './core';
import { normLocation, sameId, splitScopeId } from './ids';
import { label, nameOfId, type AzureDisk, type AzureImage, type AzureResource, type AzureSnapshot, type AzureVm } from './map';
import { AZURE_TAG_RULES, isInternalTag, NAME_PATTERN, stamp, validName } from './names';

export const DISK_SKUS: PickOption[] = [
  { value: 'Premium_LRS', label: 'Premium_LRS', description: 'Premium SSD, locally redundant' },
  { value: 'Premium_ZRS', label: 'Premium_ZRS', description: 'Premium SSD, zone-redundant (no zone)' },
  { value: 'StandardSSD_LRS', label: 'StandardSSD_LRS', description: 'Standard SSD, locally redundant' },
  { value: 'StandardSSD_ZRS', label: 'StandardSSD_ZRS', description: 'Standard SSD, zone-redundant (no zone)' },
  { value: 'Standard_LRS', label: 'Standard_LRS', description: 'Standard HDD, locally redundant' },
];

export const SNAPSHOT_SKUS: PickOption[] = [
  { value: 'Standard_LRS', label: 'Standard_LRS', description: 'Locally redundant storage' },
  { value: 'Standard_ZRS', label: 'Standard_ZRS', description: 'Zone-redundant storage (where the region has zones)' },
];

export const EXPORT_DURATIONS: PickOption[] = [
  { value: '3600', label: '1 hour' },
  { value: '28800', label: '8 hours' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
];

/** The actions `r` supports now. */
export function actionsFor(r: Resource, sandbox: boolean): ActionId[] {
  const az = r as AzureResource;
  switch (r.kind) {
    case 'disk': {
      const out: ActionId[] = [];
      if (r.phase === 'ready') {
        out.push('createSnapshot');
        // A managed image is made from an OS disk (its OS type is known).
        if ((az as AzureDisk).az?.osType) {
          out.push('createImageFromDisk');
        }
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
      const s = az as AzureSnapshot;
      if (r.phase !== 'ready') {
        return ['editTags', 'deleteSnapshot'];
      }
      const out: ActionId[] = ['restoreToNewDisk'];
      if ((s.az?.attachedTo?.length ?? 0) > 0) {
        out.push('restoreInPlace');
      }
      if (s.az?.osType) {
        out.push('createImageFromSnapshot');
      }
      out.push('copySnapshot');
      out.push(r.export ? 'revokeExport' : 'exportSnapshot');
      out.push('editTags', 'deleteSnapshot');
      return out;
    }
    case 'image':
      return (az as AzureImage).az?.gallery ? [] : ['deleteImage', 'editTags'];
    default:
      // Schedules and VM restore points: this adapter lists none yet.
      return [];
  }
}

function refuse(refusal: string): ActionPlan {
  return { refusal, fields: [] };
}

function tagsField(title: string, def: Tag[] = []): Field {
  return { id: 'tags', kind: 'tags', title, prompt: 'Add, change or remove tags one at a time (optional)', default: def, rules: AZURE_TAG_RULES };
}

function nameField(title: string, def: string): Field {
  return { id: 'name', kind: 'text', title, default: def, pattern: NAME_PATTERN };
}

function facts<T extends AzureResource>(r: Resource): T['az'] {
  const az = (r as T).az;
  if (!az) {
    // A resource not listed by this adapter: derive what we can from its id and scope.
    const { subscriptionId, location } = splitScopeId(r.scopeId);
    return { subscriptionId, resourceGroup: r.id.split('/')[4] ?? '', location: location ?? '', dataDiskLuns: {} } as unknown as T['az'];
  }
  return az;
}

/** The disk encryption sets of a location, for the encryption pick. */
export async function encryptionSets(core: AzureCore, subscriptionId: string, location: string): Promise<DiskEncryptionSet[]> {
  try {
    const out: DiskEncryptionSet[] = [];
    await core.call(async () => {
      for await (const d of core.compute(subscriptionId).diskEncryptionSets.list()) {
        if (normLocation(d.location) === normLocation(location)) {
          out.push(d);
        }
      }
    });
    return out;
  } catch (e) {
    core.log(`Azure ${subscriptionId}: disk encryption sets not listed (${core.translate(e).display})`);
    return [];
  }
}

/** The encryption pick: as the source, platform key, or each disk encryption set there. */
function encryptionField(title: string, sourceDes: string | undefined, sets: DiskEncryptionSet[], sourceLabel: string): Field {
  const options: PickOption[] = [
    { value: 'source', label: `Same as the ${sourceLabel}`, description: sourceDes ? `disk encryption set ${nameOfId(sourceDes)}` : 'platform-managed key' },
    { value: 'platform', label: 'Platform-managed key', description: 'Microsoft-managed keys (EncryptionAtRestWithPlatformKey)' },
    ...sets
      .filter((d) => d.id)
      .map((d) => ({ value: d.id as string, label: `Disk encryption set ${d.name ?? nameOfId(d.id)}`, description: d.encryptionType ?? 'customer-managed key' })),
  ];
  return { id: 'encryption', kind: 'pick', title, options, default: 'source' };
}

const TITLES: Partial<Record<ActionId, string>> = {
  createSnapshot: 'Create Snapshot (managed disk snapshot)',
  createImageFromVm: 'Capture Image (managed image)',
  restoreToNewDisk: 'Create Disk from Snapshot',
  restoreInPlace: 'Swap Disk (restore in place)',
  createImageFromSnapshot: 'Create Image from Snapshot (managed image)',
  copySnapshot: 'Copy Snapshot',
  exportSnapshot: 'Export (Grant Access / SAS)',
  revokeExport: 'Revoke Access',
};

export async function planAction(core: AzureCore, action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
  const plan = await planFor(core, action, target, related);
  return TITLES[action] ? { title: TITLES[action], ...plan } : plan;
}

async function planFor(core: AzureCore, action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
  if (!appliesTo(action, target.kind)) {
    return refuse(`${action} does not apply to a ${target.kind}`);
  }
  if (!actionsFor(target, core.sandbox !== undefined).includes(action)) {
    return refuse(refusalFor(action, target));
  }
  switch (action) {
    case 'createSnapshot':
      return planCreateSnapshot(core, target as AzureDisk, related);
    case 'createImageFromVm':
      return planImageFromVm(target as AzureVm);
    case 'restoreToNewDisk':
      return planRestoreToNewDisk(core, target as AzureSnapshot, related);
    case 'restoreInPlace':
      return planRestoreInPlace(target as AzureSnapshot, related);
    case 'createImageFromSnapshot':
      return planImageFromSnapshot(target as AzureSnapshot, related);
    case 'createImageFromDisk':
      return planImageFromDisk(target as AzureDisk, related);
    case 'copySnapshot':
      return planCopy(target as AzureSnapshot, related);
    case 'exportSnapshot':
      return planExport(target as AzureSnapshot);
    case 'revokeExport':
      return {
        fields: [],
        confirm: () => ({
          message: `Revoke the export of snapshot ${label(target)}?`,
          detail: `The export URL (SAS) of ${label(target)} stops working at once; downloads in progress fail. The snapshot itself is not changed.`,
          button: 'Revoke Access',
          keep: 'Keep the Export Open',
        }),
      };
    case 'editTags':
      return { fields: [tagsField(`Tags of ${label(target)}`, target.tags.filter((t) => !isInternalTag(t.key)))] };
    case 'deleteSnapshot':
      return planDeleteSnapshot(target as AzureSnapshot, related);
    case 'deleteImage':
      return {
        fields: [],
        confirm: () => ({
          message: `Delete managed image ${label(target)}?`,
          detail: `VMs can no longer be created from ${target.name ?? target.id}; VMs already created from it are not affected. Snapshots it was made from are kept. This cannot be undone.`,
          button: 'Delete Image',
          keep: 'Keep Image',
        }),
      };
    case 'simulateWrites':
      return {
        fields: [
          { id: 'mib', kind: 'number', title: `MiB of ${label(target)} to overwrite in the sandbox (the next incremental snapshot stores these blocks)`, default: 64, min: 1, max: 1024, integer: true },
        ],
      };
    default:
      return refuse(`${action} is not supported for Azure`);
  }
}

/** Why an action is not offered, in Azure's terms. */
export function refusalFor(action: ActionId, target: Resource): string {
  const s = target as AzureSnapshot;
  if (target.kind === 'image' && (target as AzureImage).az?.gallery) {
    return `${label(target)} is an Azure Compute Gallery image version; Snapkeeper lists gallery versions but does not change them. Use the Azure portal or az sig image-version.`;
  }
  if (target.kind === 'snapshot' && target.phase !== 'ready') {
    return `Snapshot ${label(target)} is ${target.state}; wait until it has finished`;
  }
  switch (action) {
    case 'restoreInPlace':
      return `The disk snapshot ${label(target)} was taken from is not attached to a VM here, so there is nothing to swap. Use Restore to New Disk and attach the disk yourself.`;
    case 'createImageFromSnapshot':
      return `Snapshot ${label(target)} is not of an OS disk (it has no OS type), so an image made from it would not boot.`;
    case 'exportSnapshot':
      return `Snapshot ${label(target)} already has an open export${s.export?.until ? ` (until ${formatDate(s.export.until)})` : ''}; revoke it first for a new URL.`;
    case 'revokeExport':
      return `Snapshot ${label(target)} has no open export.`;
    case 'simulateWrites':
      return 'Simulated writes exist only in the sandbox.';
    default:
      return `${action} is not available for ${label(target)} in state ${target.state}`;
  }
}

async function planCreateSnapshot(core: AzureCore, disk: AzureDisk, related: RelatedResources): Promise<ActionPlan> {
  const az = facts<AzureDisk>(disk);
  const sets = await encryptionSets(core, az.subscriptionId, az.location);
  // Azure stores a disk's first incremental snapshot in full; say which case this is.
  const first = !related.inventory.snapshots.some((s) => (s as AzureSnapshot).incremental && s.kind === 'snapshot' && sameId(s.diskId, disk.id));
  return {
    fields: [
      nameField(`Name of the snapshot of ${disk.name ?? nameOfId(disk.id)} (created in resource group ${az.resourceGroup})`, validName(disk.name, stamp(), 'disk')),
      {
        id: 'incremental',
        kind: 'boolean',
        title: first
          ? `Incremental or full snapshot? This is the first incremental snapshot of ${disk.name ?? 'the disk'}: it holds a full copy; later ones store only the changed blocks`
          : 'Incremental or full snapshot?',
        yes: 'Incremental: the first incremental snapshot of a disk holds a full copy, later ones only the blocks changed since the previous one (cheaper; needed for cross-region copies)',
        no: 'Full: an independent full copy of the disk',
        default: true,
      },
      { id: 'sku', kind: 'pick', title: 'Snapshot storage', options: SNAPSHOT_SKUS, default: 'Standard_LRS' },
      encryptionField('Encryption of the snapshot', az.diskEncryptionSetId, sets, 'disk'),
      tagsField('Tags for the snapshot'),
    ],
  };
}

function planImageFromVm(vm: AzureVm): ActionPlan {
  const az = facts<AzureVm>(vm);
  if (!az.generalized) {
    return refuse(
      `VM ${label(vm)} is not generalized. A managed image can only be captured from a generalized VM: ` +
        `run sysprep (Windows) or waagent -deprovision+user (Linux) inside it, deallocate it, then mark it generalized (az vm generalize). ` +
        `To keep a specialized VM's state, snapshot its disks instead.`,
    );
  }
  if (az.power !== 'deallocated') {
    return refuse(`VM ${label(vm)} is ${vm.state}; deallocate it (az vm deallocate) before capturing an image.`);
  }
  return {
    fields: [nameField(`Name of the managed image of ${vm.name ?? nameOfId(vm.id)} (created in resource group ${az.resourceGroup})`, validName(vm.name, `image-${stamp()}`, 'vm')), tagsField('Tags for the image')],
  };
}

async function planRestoreToNewDisk(core: AzureCore, snap: AzureSnapshot, related: RelatedResources): Promise<ActionPlan> {
  const az = facts<AzureSnapshot>(snap);
  const source = related.inventory.disks.find((d) => sameId(d.id, snap.diskId)) as AzureDisk | undefined;
  const sets = await encryptionSets(core, az.subscriptionId, az.location);
  const min = Math.max(1, snap.sizeGiB);
  return {
    fields: [
      await resourceGroupField(core, az.subscriptionId, az.resourceGroup, az.location),
      nameField(`Name of the new disk (in ${az.location})`, validName(snap.name, 'restored', 'disk')),
      { id: 'sku', kind: 'pick', title: 'Disk type (SKU)', options: DISK_SKUS, default: source?.diskType && DISK_SKUS.some((s) => s.value === source.diskType) ? source.diskType : 'Premium_LRS' },
      { id: 'sizeGiB', kind: 'number', title: `Size in GiB (at least the snapshot's ${snap.sizeGiB} GiB)`, default: min, min, max: 65536, integer: true },
      {
        id: 'zone',
        kind: 'pick',
        title: 'Availability zone (a zonal disk attaches only to VMs in that zone)',
        options: [
          { value: 'none', label: 'No zone', description: 'regional disk' },
          { value: '1', label: 'Zone 1' },
          { value: '2', label: 'Zone 2' },
          { value: '3', label: 'Zone 3' },
        ],
        default: source?.zone && ['1', '2', '3'].includes(source.zone) ? source.zone : 'none',
      },
      encryptionField('Encryption of the new disk', az.diskEncryptionSetId, sets, 'snapshot'),
    ],
  };
}

/**
 * The resource group a new disk goes to: the subscription's groups (any group can hold a disk of
 * any location), the snapshot's own first and the default. When they cannot be listed, only the
 * snapshot's group is offered, and the question says why.
 */
async function resourceGroupField(core: AzureCore, subscriptionId: string, own: string, location: string): Promise<Field> {
  let groups: { name: string; location: string }[] = [];
  let why = '';
  try {
    groups = await core.resourceGroups(subscriptionId);
  } catch (e) {
    why = ` (the other resource groups could not be listed: ${core.translate(e).display})`;
    core.log(`Azure ${subscriptionId}: resource groups not listed (${core.translate(e).display})`);
  }
  const others = groups.filter((g) => g.name.toLowerCase() !== own.toLowerCase());
  return {
    id: 'resourceGroup',
    kind: 'pick',
    title: `Resource group of the new disk${why}`,
    options: [
      { value: own, label: own, description: "the snapshot's resource group" },
      ...others.map((g) => ({ value: g.name, label: g.name, description: normLocation(g.location) === normLocation(location) ? g.location : `${g.location} (the disk itself is in ${location})` })),
    ],
    default: own,
  };
}

function planRestoreInPlace(snap: AzureSnapshot, related: RelatedResources): ActionPlan {
  const targets = facts<AzureSnapshot>(snap).attachedTo ?? [];
  if (targets.length === 0) {
    return refuse(refusalFor('restoreInPlace', snap));
  }
  const disk = related.inventory.disks.find((d) => sameId(d.id, snap.diskId));
  const diskLabel = disk ? label(disk) : nameOfId(snap.diskId) ?? 'the disk';
  const fields: Field[] = [];
  if (targets.length > 1) {
    fields.push({
      id: 'vmId',
      kind: 'pick',
      title: 'VM whose disk to replace',
      options: targets.map((t) => ({ value: t.vmId, label: t.vmName, description: t.boot ? 'OS disk' : `data disk, LUN ${t.lun}` })),
      default: targets[0].vmId,
    });
  }
  return {
    fields,
    confirm: (values: FieldValues, formats) => {
      const t = targets.find((x) => x.vmId === values.vmId) ?? targets[0];
      const role = t.boot ? 'OS disk' : `data disk at LUN ${t.lun}`;
      return {
        message: `Replace the ${role} of VM ${t.vmName} with a disk restored from snapshot ${label(snap)}?`,
        detail:
          `${t.running ? `VM ${t.vmName} is running: it will be DEALLOCATED (stopped, its temporary disk is lost), ` : `VM ${t.vmName} is not running; `}` +
          `a new disk is created from snapshot ${label(snap)}${snap.createdAt ? ` (taken ${dateText(snap.createdAt, formats)})` : ''} and swapped in as its ${role}` +
          `${t.running ? ', then the VM is started again' : ''}. The current disk ${diskLabel} is kept, detached (not deleted); anything written to it since the snapshot is not on the new disk.`,
        button: t.running ? 'Deallocate, Swap Disk and Start' : 'Swap Disk',
        keep: 'Keep the Current Disk',
      };
    },
  };
}

/**
 * Generalized or specialized: what the OS on the image's source is. The default is what the VM
 * that uses the source says it is: a VM that was not generalized (sysprep / waagent
 * -deprovision, then az vm generalize) holds a specialized OS, and an image marked Generalized
 * from it would fail to provision. With no VM to ask, Specialized is the safe default (a copy
 * of one machine boots as that machine), and the question says why.
 */
function osStateField(of: string, vm: AzureVm | undefined): Field {
  const generalized = vm?.az?.generalized === true;
  const why = vm
    ? generalized
      ? `${label(vm)} is generalized, so its OS is Generalized`
      : `${label(vm)} is not generalized, so its OS is Specialized: an image marked Generalized from it would fail to provision`
    : `no VM uses it, so its state is not known; Specialized is the safe choice unless you generalized the OS yourself`;
  return {
    id: 'osState',
    kind: 'pick',
    title: `State of the operating system on the ${of} (${why})`,
    options: [
      { value: 'Generalized', label: 'Generalized', description: 'deprovisioned (sysprep / waagent -deprovision): VMs get new identities' },
      { value: 'Specialized', label: 'Specialized', description: 'a copy of one machine (same hostname, users…)' },
    ],
    default: generalized ? 'Generalized' : 'Specialized',
  };
}

/** The VM (listed here) that uses one of `diskIds`, running ones first. */
function vmUsing(related: RelatedResources, diskIds: (string | undefined)[]): AzureVm | undefined {
  const vms = (related.inventory.vms as AzureVm[]).filter((v) => diskIds.some((id) => id && v.diskIds.some((d) => sameId(d, id))));
  return vms.find((v) => v.az?.power === 'running') ?? vms[0];
}

/** A managed image of an OS disk; a running VM using it is named, and imaging it must be confirmed. */
function planImageFromDisk(disk: AzureDisk, related: RelatedResources): ActionPlan {
  const az = facts<AzureDisk>(disk);
  const running = (related.inventory.vms as AzureVm[]).find(
    (v) => disk.attachments.some((a) => sameId(a.vmId, v.id)) && (v.az?.power === 'running' || v.az?.power === 'starting'),
  );
  return {
    fields: [
      nameField(`Name of the managed image (${az.osType ?? 'OS'}) made from ${disk.name ?? nameOfId(disk.id)} (created in resource group ${az.resourceGroup})`, validName(disk.name, 'image', 'disk')),
      osStateField('disk', vmUsing(related, [disk.id]) ?? running),
      tagsField('Tags for the image'),
    ],
    confirm: running
      ? () => ({
          message: `Image ${label(disk)} while ${label(running)} is running?`,
          detail: `The image is taken from the disk as it is now, like pulling the plug: writes in flight are not in it. Deallocate ${label(running)} first for a clean image.`,
          button: 'Create Image Anyway',
        })
      : undefined,
  };
}

function planImageFromSnapshot(snap: AzureSnapshot, related: RelatedResources): ActionPlan {
  const az = facts<AzureSnapshot>(snap);
  if (!az.osType) {
    return refuse(refusalFor('createImageFromSnapshot', snap));
  }
  return {
    fields: [
      nameField(`Name of the managed image (${az.osType}) from ${label(snap)}`, validName(snap.name, 'image', 'snapshot')),
      osStateField('snapshot', vmUsing(related, [snap.diskId])),
      tagsField('Tags for the image'),
    ],
  };
}

/** The leaf scopes (locations) of the snapshot's subscription. */
function locationsOf(snap: AzureSnapshot, scopes: Scope[]): Scope[] {
  const sub = splitScopeId(snap.scopeId).subscriptionId;
  const mine = scopes.filter((s) => s.leaf && splitScopeId(s.id).subscriptionId === sub);
  return mine.length ? mine : [{ id: snap.scopeId, label: splitScopeId(snap.scopeId).location ?? snap.scopeId, leaf: true }];
}

function planCopy(snap: AzureSnapshot, related: RelatedResources): ActionPlan {
  const az = facts<AzureSnapshot>(snap);
  const locations = locationsOf(snap, related.scopes);
  const busy = az.copiesInProgress ?? [];
  return {
    fields: [
      {
        id: 'destination',
        kind: 'pick',
        title: `Location to copy ${label(snap)} to`,
        options: locations.map((s) => ({
          value: s.id,
          label: s.label,
          description:
            s.id === snap.scopeId
              ? 'same location: a full, independent copy (createOption Copy)'
              : snap.incremental
                ? busy.length
                  ? `refused now: copy ${busy[0].name} of this disk is in progress`
                  : 'incremental copy to another region (CopyStart)'
                : 'refused: only incremental snapshots can be copied to another region',
        })),
        default: snap.scopeId,
      },
      nameField(`Name of the copy (in resource group ${az.resourceGroup})`, validName(snap.name, 'copy', 'snapshot')),
    ],
  };
}

function planExport(snap: AzureSnapshot): ActionPlan {
  return {
    fields: [
      { id: 'duration', kind: 'pick', title: `How long the export URL of ${label(snap)} stays valid`, options: EXPORT_DURATIONS, default: '3600' },
      {
        id: 'format',
        kind: 'pick',
        title: 'File format',
        options: [
          { value: 'VHD', label: 'VHD', description: 'fixed-size VHD (what Azure stores)' },
          { value: 'VHDX', label: 'VHDX', description: 'Hyper-V VHDX' },
        ],
        default: 'VHD',
      },
    ],
    confirm: (values) => ({
      message: `Create a download URL for snapshot ${label(snap)}?`,
      detail: `Anyone holding the URL can read the whole disk image for ${EXPORT_DURATIONS.find((d) => d.value === String(values.duration))?.label ?? 'the chosen time'}. It is copied to the clipboard (never logged). Revoke it when the download is done.`,
      button: 'Grant Access',
    }),
  };
}

/** Why a snapshot cannot be deleted now, or undefined. */
export function deleteBlocker(snap: AzureSnapshot): string | undefined {
  if (snap.export) {
    return `Snapshot ${label(snap)} has an open export (SAS URL${snap.export.until ? ` until ${formatDate(snap.export.until)}` : ''}). Revoke Access first, then delete it.`;
  }
  const copies = facts<AzureSnapshot>(snap).copyFromInProgress ?? [];
  if (copies.length) {
    return `Copy ${copies.join(', ')} is still being made from snapshot ${label(snap)}; wait until it has finished, then delete the snapshot.`;
  }
  return undefined;
}

function planDeleteSnapshot(snap: AzureSnapshot, related: RelatedResources): ActionPlan {
  const blocker = deleteBlocker(snap);
  if (blocker) {
    return refuse(blocker);
  }
  const disk = related.inventory.disks.find((d) => sameId(d.id, snap.diskId));
  const of = snap.diskId ? `of disk ${disk ? label(disk) : nameOfId(snap.diskId)}` : snap.copiedFromId ? `copied from ${nameOfId(snap.copiedFromId)}` : 'with no source disk';
  return {
    fields: [],
    confirm: (_values, formats) => ({
      message: `Delete snapshot ${label(snap)}?`,
      keep: 'Keep Snapshot',
      deletesSnapshotId: snap.id,
      detail:
        `${snap.incremental ? 'Incremental' : 'Full'} snapshot ${of}, ${snap.sizeGiB} GiB${snap.createdAt ? `, created ${dateText(snap.createdAt, formats)}` : ''}. ` +
        `This cannot be undone. Disks already restored from it are not affected${snap.incremental ? '; the other snapshots of the disk stay usable (Azure keeps the blocks they need)' : ''}.`,
      button: 'Delete Snapshot',
    }),
  };
}
