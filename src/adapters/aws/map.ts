/**
 * Mapping of EC2 objects (instances, volumes, snapshots, AMIs) onto the provider-neutral model.
 * Pure functions: no SDK calls.
 */
import type {
  Image as Ec2Image,
  Instance as Ec2Instance,
  Snapshot as Ec2Snapshot,
  Tag as Ec2Tag,
  Volume as Ec2Volume,
} from '@aws-sdk/client-ec2';
import type { Disk, Image, Phase, Snapshot, Tag, Vm } from '../../model/types';

/**
 * Facts about a snapshot that need the rest of the region's inventory, computed during
 * `listInventory` and read by `actionsFor` (which sees only the resource).
 */
export interface SnapshotHints {
  /** Instances whose current root volume is, or descends from, the snapshot's volume. */
  rootOfInstanceIds: string[];
  /** AMIs that use this snapshot as their root device. */
  rootOfImageIds: string[];
}

/** A model snapshot with the AWS adapter's hints (extra data the rest of the extension ignores). */
export type AwsSnapshot = Snapshot & { awsHints?: SnapshotHints };

/** The volume id AWS reports for snapshots that have no source volume (copies, AMI imports). */
const DUMMY_VOLUME = 'vol-ffffffff';

/** The snapshot's source volume, or null for copies and imports (AWS's dummy volume id). */
export function sourceVolumeOf(s: Ec2Snapshot): string | null {
  return s.VolumeId && s.VolumeId !== DUMMY_VOLUME ? s.VolumeId : null;
}

export function mapTags(tags: Ec2Tag[] | undefined): Tag[] {
  return (tags ?? []).filter((t) => t.Key !== undefined).map((t) => ({ key: t.Key as string, value: t.Value ?? '' }));
}

export function nameTag(tags: Ec2Tag[] | undefined): string | undefined {
  const v = tags?.find((t) => t.Key === 'Name')?.Value;
  return v === undefined || v === '' ? undefined : v;
}

function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) {
    return undefined;
  }
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "45%" → 45; undefined for anything else. */
export function parseProgress(p: string | undefined): number | undefined {
  if (!p) {
    return undefined;
  }
  const m = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(p);
  if (!m) {
    return undefined;
  }
  return Math.max(0, Math.min(100, Math.round(Number(m[1]))));
}

function instancePhase(state: string): Phase {
  switch (state) {
    case 'running':
    case 'stopped':
      return 'ready';
    case 'shutting-down':
    case 'terminated':
      return 'deleting';
    default:
      return 'pending'; // pending, stopping
  }
}

function volumePhase(state: string): Phase {
  switch (state) {
    case 'available':
    case 'in-use':
      return 'ready';
    case 'deleting':
    case 'deleted':
      return 'deleting';
    case 'error':
      return 'error';
    default:
      return 'pending';
  }
}

export function snapshotPhase(state: string): Phase {
  switch (state) {
    case 'completed':
      return 'ready';
    case 'error':
      return 'error';
    default:
      return 'pending'; // pending, recoverable, recovering
  }
}

function imagePhase(state: string): Phase {
  switch (state) {
    case 'available':
      return 'ready';
    case 'failed':
    case 'error':
    case 'invalid':
      return 'error';
    case 'deregistered':
      return 'deleting';
    default:
      return 'pending'; // pending, transient, disabled
  }
}

export function mapInstance(i: Ec2Instance, region: string): Vm {
  const state = i.State?.Name ?? 'unknown';
  const volumes: { id: string; device?: string }[] = [];
  for (const m of i.BlockDeviceMappings ?? []) {
    if (m.Ebs?.VolumeId) {
      volumes.push({ id: m.Ebs.VolumeId, device: m.DeviceName });
    }
  }
  const root = volumes.find((v) => v.device !== undefined && v.device === i.RootDeviceName);
  const diskIds = root ? [root.id, ...volumes.filter((v) => v !== root).map((v) => v.id)] : volumes.map((v) => v.id);
  return {
    kind: 'vm',
    id: i.InstanceId ?? '',
    name: nameTag(i.Tags),
    scopeId: region,
    state,
    phase: instancePhase(state),
    tags: mapTags(i.Tags),
    createdAt: iso(i.LaunchTime),
    zone: i.Placement?.AvailabilityZone,
    machineType: i.InstanceType,
    diskIds,
    bootDiskId: root?.id,
    platform: i.PlatformDetails ?? i.Platform,
  };
}

/**
 * Maps a volume. `rootDevices` gives each known instance's root device name, so an attachment
 * at that device is marked as the boot disk.
 */
export function mapVolume(v: Ec2Volume, region: string, rootDevices: ReadonlyMap<string, string>): Disk {
  const state = v.State ?? 'unknown';
  return {
    kind: 'disk',
    id: v.VolumeId ?? '',
    name: nameTag(v.Tags),
    scopeId: region,
    state,
    phase: volumePhase(state),
    tags: mapTags(v.Tags),
    createdAt: iso(v.CreateTime),
    zone: v.AvailabilityZone,
    sizeGiB: v.Size ?? 0,
    diskType: v.VolumeType,
    encrypted: v.Encrypted ?? false,
    kmsKeyId: v.KmsKeyId,
    iops: v.Iops,
    throughputMiBps: v.Throughput,
    attachments: (v.Attachments ?? [])
      .filter((a) => a.InstanceId && a.State !== 'detached')
      .map((a) => ({
        vmId: a.InstanceId as string,
        device: a.Device,
        boot: a.Device !== undefined && rootDevices.get(a.InstanceId as string) === a.Device,
      })),
    sourceSnapshotId: v.SnapshotId ? v.SnapshotId : undefined,
  };
}

/** "[Copied snap-0abc from us-east-1]", the default description of a copy. */
const COPIED_RE = /\[Copied (snap-[0-9a-zA-Z]+) from ([a-z0-9-]+)\]/;

/** The tag the adapter puts on copies: `snap-…` of the source (its region in the value after "@"). */
export const COPIED_FROM_TAG = 'snapkeeper:copied-from';

export function mapSnapshot(s: Ec2Snapshot, region: string): AwsSnapshot {
  const state = s.State ?? 'unknown';
  const [copiedTag, copiedTagRegion] = s.Tags?.find((t) => t.Key === COPIED_FROM_TAG)?.Value?.split('@') ?? [];
  const copiedDesc = COPIED_RE.exec(s.Description ?? '');
  const copiedFromId = copiedTag || copiedDesc?.[1];
  const copiedFromScopeId = copiedTag ? copiedTagRegion || undefined : copiedDesc?.[2];
  const progress = parseProgress(s.Progress);
  return {
    kind: 'snapshot',
    id: s.SnapshotId ?? '',
    name: nameTag(s.Tags),
    scopeId: region,
    state,
    phase: snapshotPhase(state),
    tags: mapTags(s.Tags),
    createdAt: iso(s.StartTime),
    diskId: sourceVolumeOf(s) ?? undefined,
    sizeGiB: s.VolumeSize ?? 0,
    progress: state === 'completed' ? 100 : progress,
    description: s.Description || undefined,
    encrypted: s.Encrypted ?? false,
    kmsKeyId: s.KmsKeyId,
    storageTier: s.StorageTier,
    copiedFromId,
    copiedFromScopeId,
  };
}

/** The snapshot behind an AMI's root device, if its root is an EBS snapshot. */
export function rootSnapshotOf(i: Ec2Image): string | undefined {
  return i.BlockDeviceMappings?.find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.SnapshotId;
}

export function mapImage(i: Ec2Image, region: string): Image {
  const state = i.State ?? 'unknown';
  const root = rootSnapshotOf(i);
  const others = (i.BlockDeviceMappings ?? [])
    .map((m) => m.Ebs?.SnapshotId)
    .filter((id): id is string => Boolean(id) && id !== root);
  return {
    kind: 'image',
    id: i.ImageId ?? '',
    // The AMI name is what EC2 users know an image by; a Name tag, if any, stays in the tags.
    name: i.Name ?? nameTag(i.Tags),
    scopeId: region,
    state,
    phase: imagePhase(state),
    tags: mapTags(i.Tags),
    createdAt: iso(i.CreationDate),
    description: i.Description || undefined,
    snapshotIds: root ? [root, ...others] : others,
    architecture: i.Architecture,
    rootDevice: i.RootDeviceName,
    public: i.Public,
  };
}

/** `Name (id)` or just the id, for titles and messages. */
export function label(r: { id: string; name?: string }): string {
  return r.name ? `${r.name} (${r.id})` : r.id;
}
