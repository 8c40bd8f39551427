/**
 * Which actions a resource offers (`actionsFor`) and what each asks before it runs (`plan`):
 * fields, refusals (e.g. the AMIs that use a snapshot) and confirmations naming what is lost.
 */
import { DescribeAvailabilityZonesCommand, DescribeImagesCommand, type Image as Ec2Image } from '@aws-sdk/client-ec2';
import type { RelatedResources } from '../../model/adapter';
import { appliesTo, type ActionId } from '../../model/actions';
import type {
  ActionPlan,
  Disk,
  Field,
  FieldValues,
  Image,
  PickOption,
  Resource,
  Snapshot,
  Tag,
  Vm,
} from '../../model/types';
import { dateText } from '../../model/units';
import type { AwsCore } from './core';
import { label, type AwsSnapshot } from './map';
import { disksOf, findById, imagesOf, rootInstancesOf } from './related';
import { AWS_TAG_RULES, isAwsManaged } from './tags';

/** AMI names: 3–128 characters of letters, digits and ( ) [ ] . - / _ ' @ and space (EC2's rule). */
export const AMI_NAME_PATTERN = { source: "[a-zA-Z0-9()\\[\\]./\\-_'@ ]{3,128}", message: "3–128 letters, digits, spaces and ( ) [ ] . - / _ ' @" };
const DESCRIPTION_PATTERN = { source: '[^\\u0000-\\u001f]{0,255}', message: 'At most 255 characters, on one line' };
const KMS_KEY_PATTERN = {
  source:
    '(alias/[a-zA-Z0-9/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/[a-zA-Z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})',
  message: 'A KMS key id, alias/NAME, or a key or alias ARN',
};
const DEVICE_PATTERN = { source: '/dev/(sd[a-z][0-9]*|xvd[a-z][0-9]*|nvme[0-9]+n[0-9]+)', message: 'A device name such as /dev/xvda or /dev/sda1' };

export const VOLUME_TYPES: PickOption[] = [
  { value: 'gp3', label: 'gp3', description: 'General Purpose SSD (3,000 IOPS, 125 MiB/s baseline)' },
  { value: 'gp2', label: 'gp2', description: 'General Purpose SSD, previous generation (IOPS scale with size)' },
  { value: 'io1', label: 'io1', description: 'Provisioned IOPS SSD (up to 50 IOPS/GiB)' },
  { value: 'io2', label: 'io2', description: 'Provisioned IOPS SSD, higher durability (up to 500 IOPS/GiB)' },
  { value: 'st1', label: 'st1', description: 'Throughput Optimized HDD (at least 125 GiB, not bootable)' },
  { value: 'sc1', label: 'sc1', description: 'Cold HDD (at least 125 GiB, not bootable)' },
  { value: 'standard', label: 'standard', description: 'Magnetic, previous generation (up to 1,024 GiB)' },
];

/** The actions `r` supports now. Snapshot actions that need the root lineage read the listing's hints. */
export function actionsFor(r: Resource, sandbox: boolean): ActionId[] {
  switch (r.kind) {
    case 'disk': {
      const out: ActionId[] = [];
      if (r.state === 'available' || r.state === 'in-use') {
        out.push('createSnapshot');
      }
      out.push('editTags');
      if (sandbox) {
        out.push('simulateWrites');
      }
      return out;
    }
    case 'vm':
      return r.phase === 'deleting' ? ['editTags'] : ['snapshotVm', 'createImageFromVm', 'editTags'];
    case 'snapshot': {
      if (r.state !== 'completed') {
        return ['editTags', 'deleteSnapshot'];
      }
      const hints = (r as AwsSnapshot).awsHints;
      const out: ActionId[] = ['restoreToNewDisk', 'copySnapshot'];
      if (hints && (hints.rootOfInstanceIds.length > 0 || hints.rootOfImageIds.length > 0)) {
        out.push('createImageFromSnapshot');
      }
      if (hints && hints.rootOfInstanceIds.length > 0) {
        out.push('restoreInPlace');
      }
      out.push('editTags', 'deleteSnapshot');
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
  return { id: 'tags', kind: 'tags', title, prompt: 'Add, change or remove tags one at a time (optional)', default: def, rules: AWS_TAG_RULES };
}

function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A valid AMI name made from untrusted text. */
function amiName(base: string | undefined, fallback: string, suffix: string): string {
  const clean = (base ?? '').replace(/[^a-zA-Z0-9()[\]./\-_'@ ]/g, '-').replace(/-{2,}/g, '-').trim();
  const head = (clean.length >= 1 ? clean : fallback).slice(0, 128 - suffix.length - 1);
  return `${head}-${suffix}`;
}

/** The AMIs (owned by this account) whose block devices use `snapshotId`. */
export async function imagesUsingSnapshot(core: AwsCore, region: string, snapshotId: string): Promise<Ec2Image[]> {
  const out = await core.send(
    region,
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'block-device-mapping.snapshot-id', Values: [snapshotId] }] }),
  );
  // Checked here too, so an endpoint that ignores the filter cannot cause a wrong refusal.
  return (out.Images ?? []).filter((i) => (i.BlockDeviceMappings ?? []).some((m) => m.Ebs?.SnapshotId === snapshotId));
}

function imageNames(images: readonly Ec2Image[]): string {
  return images.map((i) => (i.Name ? `${i.ImageId} (${i.Name})` : `${i.ImageId}`)).join(', ');
}

/** Refusal text for a snapshot that AMIs use. */
export function inUseByImagesMessage(snapshot: { id: string; name?: string }, images: readonly Ec2Image[]): string {
  const ids = images.map((i) => i.ImageId).join(', ');
  // The AMI comes first: a collapsed notification shows only the start of the message.
  return `AMI ${imageNames(images)} uses snapshot ${label(snapshot)}. Deregister ${ids} first, then delete the snapshot.`;
}

/** What `action` asks before it runs on `target`. */
/** EC2's own names for the actions, shown in the prompts' titles. */
const AWS_TITLES: Partial<Record<ActionId, string>> = {
  snapshotVm: 'Create Snapshots (multi-volume set)',
  createImageFromVm: 'Create Image (AMI)',
  restoreInPlace: 'Replace Root Volume',
  createImageFromSnapshot: 'Register Image',
  copySnapshot: 'Copy Snapshot',
};

export async function planAction(
  core: AwsCore,
  action: ActionId,
  target: Resource,
  related: RelatedResources,
): Promise<ActionPlan> {
  const plan = await planFor(core, action, target, related);
  return AWS_TITLES[action] ? { title: AWS_TITLES[action], ...plan } : plan;
}

/**
 * Whether `action` may go ahead on `target`: it is offered by actionsFor, or it is one of the two
 * snapshot actions whose root-lineage hint may be stale, which plan/execute decide again from the
 * inventory they are given.
 */
export function mayRun(action: ActionId, target: Resource, sandbox: boolean): boolean {
  return (
    actionsFor(target, sandbox).includes(action) ||
    (target.kind === 'snapshot' && (action === 'restoreInPlace' || action === 'createImageFromSnapshot'))
  );
}

async function planFor(core: AwsCore, action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
  if (!appliesTo(action, target.kind)) {
    return refuse(`${action} does not apply to a ${target.kind}`);
  }
  if (!mayRun(action, target, core.sandbox !== undefined)) {
    return refuse(`${action} is not available for ${label(target)} in state ${target.state}`);
  }
  switch (action) {
    case 'createSnapshot':
      return planCreateSnapshot(target as Disk);
    case 'snapshotVm':
      return planSnapshotVm(target as Vm, related);
    case 'createImageFromVm':
      return planImageFromVm(target as Vm);
    case 'restoreToNewDisk':
      return planRestoreToNewDisk(core, target as Snapshot, related);
    case 'restoreInPlace':
      return planRestoreInPlace(core, target as Snapshot, related);
    case 'createImageFromSnapshot':
      return planImageFromSnapshot(core, target as Snapshot, related);
    case 'copySnapshot':
      return planCopySnapshot(target as Snapshot, related);
    case 'editTags':
      return {
        fields: [tagsField(`Tags of ${label(target)} (tags starting with "aws:" are managed by AWS and kept)`, target.tags.filter((t) => !isAwsManaged(t)))],
      };
    case 'deleteSnapshot':
      return planDeleteSnapshot(core, target as Snapshot, related);
    case 'deleteImage':
      return planDeleteImage(target as Image);
    case 'exportSnapshot':
    case 'revokeExport':
      return refuse(`${action} is not available for AWS snapshots`);
    case 'createImageFromDisk':
      return refuse('An AMI is made from an instance or a snapshot: snapshot the volume, then use Create Image from Snapshot.');
    case 'createRestorePoint':
    case 'revertToRestorePoint':
    case 'snapshotFromRestorePoint':
    case 'deleteRestorePoint':
      return refuse('EC2 has no VM restore points: snapshot the instance\'s volumes (Snapshot All Disks) or create an AMI.');
    case 'launchCopy':
    case 'createBackup':
    case 'restoreBackupToNewDisk':
    case 'restoreBackupInPlace':
    case 'deleteBackup':
    case 'protectWithSchedule':
    case 'changeSchedule':
    case 'detachSchedule':
    case 'deleteSchedule':
      return refuse('EBS snapshots are the backups of a volume on AWS: use Create Snapshot, and Restore to New Disk from it.');
    case 'simulateWrites':
      return {
        fields: [
          {
            id: 'mib',
            kind: 'number',
            title: `MiB of ${label(target)} to overwrite in the sandbox (the next snapshot stores these blocks)`,
            default: 64,
            min: 1,
            max: 1024,
            integer: true,
          },
        ],
      };
  }
}

function planCreateSnapshot(disk: Disk): ActionPlan {
  return {
    fields: [
      {
        id: 'description',
        kind: 'text',
        title: `Description of the snapshot of ${label(disk)}`,
        default: `Snapkeeper snapshot of ${disk.name ?? disk.id}`.slice(0, 255),
        optional: true,
        pattern: DESCRIPTION_PATTERN,
      },
      tagsField('Tags for the snapshot'),
    ],
  };
}

function planSnapshotVm(vm: Vm, related: RelatedResources): ActionPlan {
  const disks = disksOf(related);
  const n = vm.diskIds.length;
  const dataCount = vm.diskIds.filter((id) => id !== vm.bootDiskId).length;
  const names = vm.diskIds.map((id) => label(findById(disks, id) ?? { id })).join(', ');
  const fields: Field[] = [
    {
      id: 'description',
      kind: 'text',
      title: `Description of the crash-consistent snapshot set of ${label(vm)} (CreateSnapshots: ${n} volume${n === 1 ? '' : 's'} captured at the same instant${names ? `: ${names}` : ''})`,
      default: `Snapkeeper snapshot of ${vm.name ?? vm.id}`.slice(0, 255),
      optional: true,
      pattern: DESCRIPTION_PATTERN,
    },
  ];
  if (vm.bootDiskId && dataCount > 0) {
    fields.push({
      id: 'excludeBoot',
      kind: 'boolean',
      title: 'Exclude the boot volume from the multi-volume snapshot set?',
      yes: `Exclude the boot volume (snapshot the ${dataCount} data volume${dataCount === 1 ? '' : 's'} only)`,
      no: `Include the boot volume (all ${n} volumes)`,
      default: false,
    });
  }
  fields.push(tagsField('Tags for each snapshot of the set'));
  return { fields };
}

function planImageFromVm(vm: Vm): ActionPlan {
  return {
    fields: [
      { id: 'name', kind: 'text', title: `Name of the AMI made from ${label(vm)}`, default: amiName(vm.name, vm.id, stamp()), pattern: AMI_NAME_PATTERN },
      { id: 'description', kind: 'text', title: 'Description of the AMI', optional: true, default: `Snapkeeper image of ${vm.name ?? vm.id}`.slice(0, 255), pattern: DESCRIPTION_PATTERN },
      {
        id: 'noReboot',
        kind: 'boolean',
        title: 'Reboot the instance so the image is consistent?',
        yes: 'No reboot (the image may capture file systems mid-write)',
        no: 'Reboot for a consistent image (the instance restarts)',
        default: false,
      },
    ],
    confirm: (values: FieldValues) => {
      if (values.noReboot === true || vm.state !== 'running') {
        return undefined;
      }
      return {
        message: `Instance ${label(vm)} WILL reboot`,
        detail: `Creating the AMI "${String(values.name ?? '')}" shuts down and restarts ${label(vm)} so its file systems are consistent. Anything running on it is interrupted. Choose "No reboot" to avoid this.`,
        button: 'Reboot and Create Image',
        keep: 'Go Back',
      };
    },
  };
}

async function planRestoreToNewDisk(core: AwsCore, snap: Snapshot, related: RelatedResources): Promise<ActionPlan> {
  const region = snap.scopeId;
  const out = await core.send(region, new DescribeAvailabilityZonesCommand({}));
  const zones = (out.AvailabilityZones ?? []).filter(
    (z) => z.ZoneName && (z.ZoneType === undefined || z.ZoneType === 'availability-zone') && (z.State === undefined || z.State === 'available'),
  );
  if (zones.length === 0) {
    return refuse(`No availability zone is available in ${region}`);
  }
  const source = findById(disksOf(related), snap.diskId);
  const defZone = zones.find((z) => z.ZoneName === source?.zone)?.ZoneName ?? zones[0].ZoneName;
  const min = Math.max(1, snap.sizeGiB);
  return {
    fields: [
      {
        id: 'zone',
        kind: 'pick',
        title: `Availability zone of the new volume (it can attach only to instances in that zone)`,
        options: zones.map((z) => ({
          value: z.ZoneName as string,
          label: z.ZoneName as string,
          description: z.ZoneName === source?.zone ? 'zone of the source volume' : z.ZoneId,
        })),
        default: defZone,
      },
      { id: 'volumeType', kind: 'pick', title: 'Volume type', options: VOLUME_TYPES, default: source?.diskType && VOLUME_TYPES.some((t) => t.value === source.diskType) ? source.diskType : 'gp3' },
      {
        id: 'sizeGiB',
        kind: 'number',
        title: `Size in GiB (at least the snapshot's ${snap.sizeGiB} GiB)`,
        default: min,
        min,
        max: 65536,
        integer: true,
      },
      ...performanceFields(source, min),
      { id: 'name', kind: 'text', title: 'Name of the new volume (Name tag)', optional: true, default: snap.name ? `${snap.name}-restored` : '' },
    ],
  };
}

/**
 * EBS's provisioned performance per volume type (the ranges CreateVolume accepts): IOPS for gp3,
 * io1 and io2 (at most `perGiB` × the size), throughput for gp3 only.
 */
export const PERFORMANCE: Record<'gp3' | 'io1' | 'io2', { iops: { min: number; max: number; perGiB: number; default: number }; throughput?: { min: number; max: number; default: number } }> = {
  gp3: { iops: { min: 3000, max: 16000, perGiB: 500, default: 3000 }, throughput: { min: 125, max: 1000, default: 125 } },
  io1: { iops: { min: 100, max: 64000, perGiB: 50, default: 3000 } },
  io2: { iops: { min: 100, max: 256000, perGiB: 500, default: 3000 } },
};

/** Why `iops` does not fit a `type` volume of `sizeGiB`, or undefined. */
export function iopsProblem(type: keyof typeof PERFORMANCE, iops: number, sizeGiB: number): string | undefined {
  const limit = iopsLimit(type, sizeGiB);
  if (iops > limit) {
    return `A ${sizeGiB} GiB ${type} volume takes at most ${limit} IOPS (${PERFORMANCE[type].iops.perGiB} per GiB): enlarge it or ask for fewer`;
  }
  return undefined;
}

/** The most IOPS a `type` volume of `sizeGiB` takes (gp3 always has its 3,000 baseline). */
function iopsLimit(type: keyof typeof PERFORMANCE, sizeGiB: number): number {
  const r = PERFORMANCE[type].iops;
  return Math.min(r.max, type === 'gp3' ? Math.max(r.default, r.perGiB * sizeGiB) : r.perGiB * sizeGiB);
}

/**
 * IOPS (gp3, io1, io2) and throughput (gp3) of the new volume, each asked only for the volume
 * types that take it, with that type's range and default (the source volume's own figures when
 * it is of that type).
 */
function performanceFields(source: Disk | undefined, minGiB: number): Field[] {
  const out: Field[] = [];
  for (const type of ['gp3', 'io1', 'io2'] as const) {
    const p = PERFORMANCE[type];
    const same = source?.diskType === type;
    const fits = (n: number): boolean => n >= p.iops.min && n <= iopsLimit(type, minGiB);
    const iops = same && source?.iops !== undefined && fits(source.iops) ? source.iops : Math.max(p.iops.min, Math.min(p.iops.default, iopsLimit(type, minGiB)));
    out.push({
      id: 'iops',
      kind: 'number',
      askIf: { field: 'volumeType', in: [type] },
      title: `Provisioned IOPS of the ${type} volume: ${p.iops.min.toLocaleString('en-US')}–${p.iops.max.toLocaleString('en-US')}, at most ${p.iops.perGiB} per GiB${type === 'gp3' ? ' (3,000 are included)' : ''}${same && source?.iops !== undefined ? `; the source volume has ${source.iops}` : ''}`,
      default: iops,
      min: p.iops.min,
      max: p.iops.max,
      integer: true,
      check: (n, earlier) => iopsProblem(type, n, Number(earlier.sizeGiB)),
    });
    if (p.throughput) {
      const t = p.throughput;
      const tp = same && source?.throughputMiBps !== undefined && source.throughputMiBps >= t.min && source.throughputMiBps <= t.max ? source.throughputMiBps : t.default;
      out.push({
        id: 'throughputMiBps',
        kind: 'number',
        askIf: { field: 'volumeType', in: [type] },
        title: `Throughput of the ${type} volume in MiB/s: ${t.min}–${t.max.toLocaleString('en-US')} (${t.default} included)`,
        default: tp,
        min: t.min,
        max: t.max,
        integer: true,
      });
    }
  }
  return out;
}

async function planRestoreInPlace(core: AwsCore, snap: Snapshot, related: RelatedResources): Promise<ActionPlan> {
  if (snap.state !== 'completed') {
    return refuse(`Snapshot ${label(snap)} is ${snap.state}; only a completed snapshot can replace a root volume`);
  }
  const vms = await rootInstancesOf(core, snap, related);
  if (vms.length === 0) {
    return refuse(
      `Snapshot ${label(snap)} is not from the root volume lineage of any instance in ${snap.scopeId}: ` +
        `Replace Root Volume only restores an instance's root volume from a snapshot of that root volume (or of a volume it was restored from).`,
    );
  }
  const disks = disksOf(related);
  const rootLabel = (vm: Vm): string => label(findById(disks, vm.bootDiskId) ?? { id: vm.bootDiskId ?? 'unknown' });
  const fields: Field[] = [];
  if (vms.length > 1) {
    fields.push({
      id: 'instanceId',
      kind: 'pick',
      title: 'Instance whose root volume to replace',
      options: vms.map((v) => ({ value: v.id, label: label(v), description: `root volume ${rootLabel(v)}` })),
      default: vms[0].id,
    });
  }
  return {
    fields,
    confirm: (values: FieldValues, formats) => {
      const vm = vms.find((v) => v.id === values.instanceId) ?? vms[0];
      return {
        message: `Replace the root volume of instance ${label(vm)} with snapshot ${label(snap)}?`,
        detail:
          `The current root volume ${rootLabel(vm)} is replaced by a new volume restored from snapshot ${label(snap)}` +
          `${snap.createdAt ? ` (taken ${dateText(snap.createdAt, formats)})` : ''}. The instance will restart. ` +
          `The current root volume is kept detached (not deleted); anything written to it since the snapshot is not on the new root.`,
        button: 'Replace Root Volume',
        keep: 'Keep the Current Root Volume',
      };
    },
  };
}

/** The root device name of the instance or AMI the snapshot is the root of, when known. */
function rootDeviceFor(snap: AwsSnapshot, related: RelatedResources): string | undefined {
  const image = imagesOf(related).find((i) => i.snapshotIds[0] === snap.id && i.rootDevice);
  if (image?.rootDevice) {
    return image.rootDevice;
  }
  const disk = findById(disksOf(related), snap.diskId);
  return disk?.attachments.find((a) => a.boot)?.device;
}

async function planImageFromSnapshot(core: AwsCore, snap: AwsSnapshot, related: RelatedResources): Promise<ActionPlan> {
  if (snap.state !== 'completed') {
    return refuse(`Snapshot ${label(snap)} is ${snap.state}; only a completed snapshot can be registered as an AMI`);
  }
  const images = imagesOf(related).filter((i) => i.snapshotIds[0] === snap.id);
  const isRoot = images.length > 0 || (snap.awsHints?.rootOfInstanceIds.length ?? 0) > 0 || (await rootInstancesOf(core, snap, related)).length > 0;
  if (!isRoot) {
    return refuse(`Snapshot ${label(snap)} is not of a boot (root) volume, so an AMI made from it would not boot`);
  }
  const arch = images.find((i) => i.architecture === 'x86_64' || i.architecture === 'arm64')?.architecture ?? 'x86_64';
  return {
    fields: [
      { id: 'name', kind: 'text', title: `Name of the AMI registered from ${label(snap)}`, default: amiName(snap.name, snap.id, stamp()), pattern: AMI_NAME_PATTERN },
      { id: 'description', kind: 'text', title: 'Description of the AMI', optional: true, default: `Snapkeeper image from ${snap.id}`, pattern: DESCRIPTION_PATTERN },
      {
        id: 'architecture',
        kind: 'pick',
        title: 'Architecture of the operating system on the snapshot',
        options: [
          { value: 'x86_64', label: 'x86_64', description: 'Intel / AMD 64-bit' },
          { value: 'arm64', label: 'arm64', description: 'AWS Graviton (64-bit ARM)' },
        ],
        default: arch,
      },
      { id: 'rootDevice', kind: 'text', title: 'Root device name', default: rootDeviceFor(snap, related) ?? '/dev/xvda', pattern: DEVICE_PATTERN },
    ],
  };
}

function planCopySnapshot(snap: Snapshot, related: RelatedResources): ActionPlan {
  const scopes = related.scopes.filter((s) => s.leaf);
  const regions = scopes.length ? scopes : [{ id: snap.scopeId, label: snap.scopeId, leaf: true }];
  const def = regions.find((s) => s.id !== snap.scopeId)?.id ?? snap.scopeId;
  const fields: Field[] = [
    {
      id: 'destination',
      kind: 'pick',
      title: `Region to copy ${label(snap)} to`,
      options: regions.map((s) => ({ value: s.id, label: s.label, description: s.id === snap.scopeId ? 'same region (e.g. to encrypt a copy)' : s.description })),
      default: def,
    },
    {
      id: 'description',
      kind: 'text',
      title: 'Description of the copy',
      optional: true,
      default: `[Copied ${snap.id} from ${snap.scopeId}]${snap.description ? ` ${snap.description}` : ''}`.slice(0, 255),
      pattern: DESCRIPTION_PATTERN,
    },
    snap.encrypted
      ? {
          id: 'encrypted',
          kind: 'boolean',
          title: 'The source snapshot is encrypted, so its copy is encrypted too',
          yes: 'Encrypted (required: the source is encrypted)',
          no: 'Encrypted anyway (a copy of an encrypted snapshot cannot be unencrypted)',
          default: true,
        }
      : {
          id: 'encrypted',
          kind: 'boolean',
          title: 'Encrypt the copy?',
          yes: 'Encrypted (with the KMS key below, or the default EBS key of the destination region)',
          no: 'Not encrypted (like the source)',
          default: false,
        },
    {
      id: 'kmsKeyId',
      kind: 'text',
      // Asked only for an encrypted copy: a key means nothing for a copy that is not encrypted.
      askIf: { field: 'encrypted', in: [true] },
      title: 'KMS key for the encrypted copy, in the destination region (empty: the default EBS key)',
      placeholder: 'alias/my-key or arn:aws:kms:…',
      optional: true,
      default: '',
      pattern: { source: `(${KMS_KEY_PATTERN.source})?`, message: KMS_KEY_PATTERN.message },
    },
  ];
  return { fields };
}

async function planDeleteSnapshot(core: AwsCore, snap: Snapshot, related: RelatedResources): Promise<ActionPlan> {
  const images = await imagesUsingSnapshot(core, snap.scopeId, snap.id);
  if (images.length > 0) {
    return refuse(inUseByImagesMessage(snap, images));
  }
  const disk = findById(disksOf(related), snap.diskId);
  const of = snap.diskId ? `of volume ${label(disk ?? { id: snap.diskId })}` : 'with no source volume';
  return {
    fields: [],
    confirm: (_values, formats) => ({
      message: `Delete snapshot ${label(snap)}?`,
      detail:
        `Snapshot ${of}, ${snap.sizeGiB} GiB${snap.createdAt ? `, created ${dateText(snap.createdAt, formats)}` : ''}. ` +
        `This cannot be undone. Blocks a later snapshot still needs move to it; the rest is freed.`,
      button: 'Delete Snapshot',
      keep: 'Keep Snapshot',
      deletesSnapshotId: snap.id,
    }),
  };
}

function planDeleteImage(image: Image): ActionPlan {
  const n = image.snapshotIds.length;
  const fields: Field[] = [];
  if (n > 0) {
    fields.push({
      id: 'deleteSnapshots',
      kind: 'boolean',
      title: `What to do with the AMI's snapshot${n === 1 ? '' : 's'} (${image.snapshotIds.join(', ')})`,
      yes: `Also delete its ${n} snapshot${n === 1 ? '' : 's'}`,
      no: `Keep its snapshot${n === 1 ? '' : 's'}`,
      default: false,
    });
  }
  return {
    fields,
    confirm: (values: FieldValues) => {
      const snaps = image.snapshotIds.join(', ');
      const fate =
        n === 0
          ? 'It has no EBS snapshots.'
          : values.deleteSnapshots === true
            ? `Its snapshot${n === 1 ? '' : 's'} ${snaps} will be deleted too. This cannot be undone.`
            : `Its snapshot${n === 1 ? '' : 's'} ${snaps} ${n === 1 ? 'is' : 'are'} kept.`;
      return {
        message: `Deregister AMI ${label(image)}?`,
        detail: `Instances can no longer be launched from ${image.id}; running instances are not affected. ${fate}`,
        button: values.deleteSnapshots === true ? 'Deregister AMI and Delete Snapshots' : 'Deregister AMI',
        keep: 'Keep AMI',
      };
    },
  };
}

