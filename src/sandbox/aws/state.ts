/**
 * The EC2/EBS sandbox state: regions, instances, volumes, snapshots, images and replace-root
 * tasks, on top of the block model. Wire-neutral: the EC2 Query layer (wire.ts) and the EBS
 * direct API layer (ebs.ts) translate requests into these operations.
 *
 * Time-driven states are computed from timestamps when read; nothing runs on a timer. The one
 * time-driven effect (a replace-root task swapping the root volume) is applied by `settle()`,
 * which every operation calls first.
 */
import { BLOCK_SIZE, BLOCKS_PER_GIB, BlockStore, type BlockStoreJson, type DeleteImpact, hashString } from '../blocks';
import { StateKit, transferMs } from '../state-kit';
import { Ec2Error, incorrectState, invalidValue, missingParameter } from './errors';
import { applyFilters, type Filter, type Page, paginate, type Tag } from './query';
import { hasXmlInvalidChars } from './xml';
import { defaultRegions, isEnabled, type OptInStatus, type RegionInfo, regionsCount, regionsNamed } from './regions';

export { Ec2Error } from './errors';
export type { Filter, Page, Tag } from './query';

export const OWNER_ID = '111122223333';

export interface Timing {
  /** Minimum snapshot duration. */
  snapshotBaseMs: number;
  /** Added per GiB of changed (stored) data. */
  snapshotMsPerGiB: number;
  /** Maximum snapshot duration. */
  snapshotMaxMs: number;
  /** Time a new volume stays `creating`. */
  volumeMs: number;
  /** Time an image stays `pending` after its last snapshot completes. */
  imageMs: number;
  /** Duration of a replace-root-volume task. */
  taskMs: number;
}

export const DEFAULT_TIMING: Timing = {
  snapshotBaseMs: 3000,
  snapshotMsPerGiB: 10000,
  snapshotMaxMs: 8000,
  volumeMs: 2000,
  imageMs: 1000,
  taskMs: 4000,
};

export type VolumeType = 'gp3' | 'gp2' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';
export const VOLUME_TYPES: readonly VolumeType[] = ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'];
export type Architecture = 'i386' | 'x86_64' | 'arm64' | 'x86_64_mac' | 'arm64_mac';
const ARCHITECTURES: readonly Architecture[] = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];

export interface Attachment {
  instanceId: string;
  device: string;
  attachTime: number;
  deleteOnTermination: boolean;
}

export interface InstanceRecord {
  id: string;
  region: string;
  zone: string;
  instanceType: string;
  state: 'running' | 'stopped';
  launchTime: number;
  imageId: string;
  rootDeviceName: string;
  architecture: Architecture;
  privateIpAddress: string;
  reservationId: string;
  tags: Tag[];
  seq: number;
}

export interface VolumeRecord {
  id: string;
  region: string;
  zone: string;
  /** GiB. */
  size: number;
  volumeType: VolumeType;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  createTime: number;
  readyAt: number;
  snapshotId?: string;
  attachment?: Attachment;
  tags: Tag[];
  /** Volumes this one descends from (restored or replaced from), nearest first. */
  lineage: string[];
  seq: number;
}

export interface SnapshotRecord {
  id: string;
  region: string;
  volumeId: string;
  /** GiB. */
  volumeSize: number;
  description: string;
  encrypted: boolean;
  kmsKeyId?: string;
  startTime: number;
  completeAt: number;
  tags: Tag[];
  /** The source volume and the volumes it descends from. */
  volumeLineage: string[];
  copiedFrom?: { region: string; snapshotId: string };
  seq: number;
}

export interface ImageMapping {
  deviceName: string;
  snapshotId: string;
  volumeSize: number;
  volumeType: VolumeType;
  deleteOnTermination: boolean;
  encrypted: boolean;
  iops?: number;
  throughput?: number;
}

export interface ImageRecord {
  id: string;
  region: string;
  name: string;
  description?: string;
  architecture: Architecture;
  rootDeviceName: string;
  virtualizationType: string;
  enaSupport: boolean;
  creationDate: number;
  availableAt: number;
  mappings: ImageMapping[];
  sourceInstanceId?: string;
  tags: Tag[];
  seq: number;
}

export interface ReplaceRootTaskRecord {
  id: string;
  region: string;
  instanceId: string;
  snapshotId?: string;
  imageId?: string;
  deleteReplacedRootVolume: boolean;
  startTime: number;
  completeAt: number;
  tags: Tag[];
  /** Set once the swap has been applied. */
  outcome?: 'succeeded' | 'failed';
  newVolumeId?: string;
  clientToken?: string;
  seq: number;
}

export type SnapshotStatus = 'pending' | 'completed' | 'error';
export type VolumeStatus = 'creating' | 'available' | 'in-use';
export type ImageState = 'pending' | 'available';
export type TaskState = 'pending' | 'in-progress' | 'succeeded' | 'failed';

export interface TagSpec {
  resourceType?: string;
  tags: Tag[];
}

export interface DescribeInput {
  ids?: string[];
  owners?: string[];
  filters?: Filter[];
  maxResults?: number;
  nextToken?: string;
}

export interface CreateVolumeInput {
  availabilityZone?: string;
  size?: number;
  snapshotId?: string;
  volumeType?: string;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  tagSpecs?: TagSpec[];
  clientToken?: string;
}

export interface CreateSnapshotsInput {
  instanceId: string;
  excludeBootVolume?: boolean;
  excludeDataVolumeIds?: string[];
  copyTagsFromSource?: string;
  description?: string;
  tagSpecs?: TagSpec[];
}

export interface CreateImageInput {
  instanceId: string;
  name?: string;
  description?: string;
  noReboot?: boolean;
  tagSpecs?: TagSpec[];
}

export interface RegisterImageInput {
  name?: string;
  description?: string;
  rootDeviceName?: string;
  architecture?: string;
  virtualizationType?: string;
  enaSupport?: boolean;
  mappings: {
    deviceName?: string;
    snapshotId?: string;
    volumeSize?: number;
    volumeType?: string;
    deleteOnTermination?: boolean;
    encrypted?: boolean;
    iops?: number;
    throughput?: number;
  }[];
  tagSpecs?: TagSpec[];
}

export interface CopySnapshotInput {
  sourceRegion?: string;
  sourceSnapshotId?: string;
  description?: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  tagSpecs?: TagSpec[];
}

export interface ReplaceRootInput {
  instanceId: string;
  snapshotId?: string;
  imageId?: string;
  deleteReplacedRootVolume?: boolean;
  tagSpecs?: TagSpec[];
  clientToken?: string;
}

export interface RegionCounts {
  region: string;
  optInStatus: OptInStatus;
  instances: number;
  volumes: number;
  snapshots: number;
  images: number;
  replaceRootVolumeTasks: number;
}

export interface AwsStateJson {
  version: 1;
  regions: RegionInfo[];
  nextId: number;
  nextSeq: number;
  instances: InstanceRecord[];
  volumes: VolumeRecord[];
  snapshots: SnapshotRecord[];
  images: ImageRecord[];
  tasks: ReplaceRootTaskRecord[];
  volumeTokens: [string, { volumeId: string; fingerprint: string }][];
  taskTokens: [string, string][];
  blocks: BlockStoreJson;
}

export interface AwsStateOptions {
  timing?: Partial<Timing>;
  /** Region names to use instead of the built-in list. */
  regions?: string[];
  /** The clock; tests may inject one. */
  now?: () => number;
}

/** Snapshots copied by CopySnapshot report this volume id, as on AWS. */
export const COPY_VOLUME_ID = 'vol-ffffffff';

const ID_PATTERNS: Record<string, RegExp> = {
  i: /^i-([0-9a-f]{8}|[0-9a-f]{17,})$/,
  vol: /^vol-([0-9a-f]{8}|[0-9a-f]{17,})$/,
  snap: /^snap-([0-9a-f]{8}|[0-9a-f]{17,})$/,
  ami: /^ami-([0-9a-f]{8}|[0-9a-f]{17,})$/,
};

const SIZE_LIMITS: Record<VolumeType, [number, number]> = {
  gp3: [1, 16384],
  gp2: [1, 16384],
  io1: [4, 16384],
  io2: [4, 65536],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024],
};

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class AwsState extends StateKit {
  readonly ownerId = OWNER_ID;
  readonly timing: Timing;
  blocks = new BlockStore();
  private regionList: RegionInfo[];
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly volumes = new Map<string, VolumeRecord>();
  private readonly snapshots = new Map<string, SnapshotRecord>();
  private readonly images = new Map<string, ImageRecord>();
  private readonly tasks = new Map<string, ReplaceRootTaskRecord>();
  /** `region/token` → the volume CreateVolume made for that ClientToken. */
  private readonly volumeTokens = new Map<string, { volumeId: string; fingerprint: string }>();
  private readonly taskTokens = new Map<string, string>();
  private nextId = 1;
  /**
   * EC2 eventual consistency (a fault, set by the server from the fault config before each
   * request): a resource younger than this (ms) is missing from Describe* answers.
   */
  visibilityLagMs = 0;

  constructor(options: AwsStateOptions = {}) {
    super(options.now);
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.regionList = options.regions ? regionsNamed(options.regions) : defaultRegions();
  }

  // ---- regions -----------------------------------------------------------------------------

  get regions(): readonly RegionInfo[] {
    return this.regionList;
  }

  region(name: string): RegionInfo | undefined {
    return this.regionList.find((r) => r.name === name);
  }

  /** Replaces the region list with `count` enabled regions (resources in dropped regions stay). */
  setRegionCount(count: number): string[] {
    if (!Number.isInteger(count) || count < 1 || count > 200) {
      throw invalidValue(`region count must be between 1 and 200, not ${count}`);
    }
    this.regionList = regionsCount(count);
    this.touch();
    return this.regionList.map((r) => r.name);
  }

  describeRegions(input: { names?: string[]; allRegions?: boolean; filters?: Filter[] }): RegionInfo[] {
    let list: RegionInfo[];
    if (input.names && input.names.length > 0) {
      list = input.names.map((name) => {
        const region = this.region(name);
        if (!region) {
          throw invalidValue(`Invalid region: ${name}`);
        }
        return region;
      });
    } else {
      list = this.regionList.filter((r) => input.allRegions || isEnabled(r));
    }
    const known = ['region-name', 'opt-in-status', 'endpoint'];
    return applyFilters(
      list.map((r) => ({ ...r, tags: [] as Tag[] })),
      input.filters ?? [],
      known,
      (r, name) => {
        switch (name) {
          case 'region-name':
            return [r.name];
          case 'opt-in-status':
            return [r.optInStatus];
          default:
            return [`ec2.${r.name}.amazonaws.com`];
        }
      },
    );
  }

  describeAvailabilityZones(
    regionName: string,
    input: { names?: string[]; zoneIds?: string[]; filters?: Filter[] },
  ): { zoneName: string; zoneId: string; regionName: string; optInStatus: OptInStatus }[] {
    const region = this.requireRegion(regionName);
    let zones = region.zones.map((zoneName, i) => ({
      zoneName,
      zoneId: region.zoneIds[i],
      regionName: region.name,
      optInStatus: 'opt-in-not-required' as OptInStatus,
      tags: [] as Tag[],
    }));
    for (const name of input.names ?? []) {
      if (!region.zones.includes(name)) {
        throw invalidValue(`The zone '${name}' does not exist.`);
      }
    }
    if (input.names && input.names.length > 0) {
      zones = zones.filter((z) => input.names?.includes(z.zoneName));
    }
    if (input.zoneIds && input.zoneIds.length > 0) {
      zones = zones.filter((z) => input.zoneIds?.includes(z.zoneId));
    }
    const known = ['zone-name', 'zone-id', 'region-name', 'state', 'zone-type', 'opt-in-status', 'group-name'];
    return applyFilters(zones, input.filters ?? [], known, (z, name) => {
      switch (name) {
        case 'zone-name':
          return [z.zoneName];
        case 'zone-id':
          return [z.zoneId];
        case 'region-name':
        case 'group-name':
          return [z.regionName];
        case 'state':
          return ['available'];
        case 'zone-type':
          return ['availability-zone'];
        default:
          return [z.optInStatus];
      }
    });
  }

  // ---- computed states ---------------------------------------------------------------------

  snapshotStatus(snap: SnapshotRecord): { status: SnapshotStatus; progress: string } {
    const now = this.now();
    if (now >= snap.completeAt) {
      return { status: 'completed', progress: '100%' };
    }
    const span = Math.max(1, snap.completeAt - snap.startTime);
    const percent = Math.min(99, Math.max(0, Math.floor((99 * (now - snap.startTime)) / span)));
    return { status: 'pending', progress: `${percent}%` };
  }

  volumeStatus(volume: VolumeRecord): VolumeStatus {
    if (this.now() < volume.readyAt) {
      return 'creating';
    }
    return volume.attachment ? 'in-use' : 'available';
  }

  imageState(image: ImageRecord): ImageState {
    return this.now() < image.availableAt ? 'pending' : 'available';
  }

  taskState(task: ReplaceRootTaskRecord): TaskState {
    if (task.outcome) {
      return task.outcome;
    }
    const now = this.now();
    if (now < task.startTime + (task.completeAt - task.startTime) / 4) {
      return 'pending';
    }
    return 'in-progress';
  }

  /** Applies due time-driven effects (replace-root swaps). Every operation calls it first. */
  settle(): void {
    const now = this.now();
    for (const task of this.tasks.values()) {
      if (!task.outcome && now >= task.completeAt) {
        this.at(task.completeAt, () => this.applyReplaceRoot(task));
      }
    }
  }

  // ---- lookups -----------------------------------------------------------------------------

  instance(region: string, id: string): InstanceRecord {
    this.checkId('i', id, 'InvalidInstanceID.Malformed');
    const found = this.instances.get(id);
    if (!found || found.region !== region) {
      throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    }
    return found;
  }

  volume(region: string, id: string): VolumeRecord {
    this.checkId('vol', id, 'InvalidVolumeID.Malformed');
    const found = this.volumes.get(id);
    if (!found || found.region !== region) {
      throw new Ec2Error('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    }
    return found;
  }

  snapshot(region: string, id: string): SnapshotRecord {
    this.checkId('snap', id, 'InvalidSnapshotID.Malformed');
    const found = this.snapshots.get(id);
    if (!found || found.region !== region) {
      throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    }
    return found;
  }

  image(region: string, id: string): ImageRecord {
    this.checkId('ami', id, 'InvalidAMIID.Malformed');
    const found = this.images.get(id);
    if (!found || found.region !== region) {
      throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    }
    return found;
  }

  /** Volumes attached to an instance, root device first, then by device name. */
  attachedVolumes(instance: InstanceRecord): VolumeRecord[] {
    return [...this.volumes.values()]
      .filter((v) => v.attachment?.instanceId === instance.id)
      .sort((a, b) => {
        const ra = a.attachment?.device === instance.rootDeviceName ? 0 : 1;
        const rb = b.attachment?.device === instance.rootDeviceName ? 0 : 1;
        return ra - rb || (a.attachment?.device ?? '').localeCompare(b.attachment?.device ?? '');
      });
  }

  rootVolume(instance: InstanceRecord): VolumeRecord | undefined {
    return this.attachedVolumes(instance).find((v) => v.attachment?.device === instance.rootDeviceName);
  }

  /** Images (of the snapshot's region) whose block device mappings use the snapshot. */
  imagesUsing(snapshotId: string): ImageRecord[] {
    return [...this.images.values()].filter((i) => i.mappings.some((m) => m.snapshotId === snapshotId));
  }

  // ---- describe ----------------------------------------------------------------------------

  describeInstances(region: string, input: DescribeInput): Page<InstanceRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.instances, (id) => this.instance(region, id), (missing) =>
      new Ec2Error(
        'InvalidInstanceID.NotFound',
        missing.length === 1
          ? `The instance ID '${missing[0]}' does not exist`
          : `The instance IDs '${missing.join(', ')}' do not exist`,
      ),
      (i) => i.launchTime,
    );
    const known = [
      'instance-id',
      'instance-state-name',
      'instance-state-code',
      'instance-type',
      'availability-zone',
      'image-id',
      'root-device-name',
      'root-device-type',
      'architecture',
      'reservation-id',
      'owner-id',
      'private-ip-address',
      'block-device-mapping.volume-id',
      'block-device-mapping.device-name',
    ];
    const filtered = applyFilters(base, input.filters ?? [], known, (i, name) => {
      switch (name) {
        case 'instance-id':
          return [i.id];
        case 'instance-state-name':
          return [i.state];
        case 'instance-state-code':
          return [String(instanceStateCode(i.state))];
        case 'instance-type':
          return [i.instanceType];
        case 'availability-zone':
          return [i.zone];
        case 'image-id':
          return [i.imageId];
        case 'root-device-name':
          return [i.rootDeviceName];
        case 'root-device-type':
          return ['ebs'];
        case 'architecture':
          return [i.architecture];
        case 'reservation-id':
          return [i.reservationId];
        case 'owner-id':
          return [OWNER_ID];
        case 'private-ip-address':
          return [i.privateIpAddress];
        case 'block-device-mapping.volume-id':
          return this.attachedVolumes(i).map((v) => v.id);
        default:
          return this.attachedVolumes(i).map((v) => v.attachment?.device ?? '');
      }
    });
    return paginate(filtered, 'DescribeInstances', input.maxResults, input.nextToken);
  }

  describeVolumes(region: string, input: DescribeInput): Page<VolumeRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.volumes, (id) => this.volume(region, id), (missing) =>
      new Ec2Error(
        'InvalidVolume.NotFound',
        missing.length === 1
          ? `The volume '${missing[0]}' does not exist.`
          : `The volumes '${missing.join(', ')}' do not exist.`,
      ),
      (v) => v.createTime,
    );
    const known = [
      'volume-id',
      'status',
      'size',
      'volume-type',
      'availability-zone',
      'snapshot-id',
      'encrypted',
      'create-time',
      'multi-attach-enabled',
      'attachment.instance-id',
      'attachment.device',
      'attachment.status',
      'attachment.attach-time',
      'attachment.delete-on-termination',
    ];
    const filtered = applyFilters(base, input.filters ?? [], known, (v, name) => {
      switch (name) {
        case 'volume-id':
          return [v.id];
        case 'status':
          return [this.volumeStatus(v)];
        case 'size':
          return [String(v.size)];
        case 'volume-type':
          return [v.volumeType];
        case 'availability-zone':
          return [v.zone];
        case 'snapshot-id':
          return [v.snapshotId ?? ''];
        case 'encrypted':
          return [String(v.encrypted)];
        case 'create-time':
          return [iso(v.createTime)];
        case 'multi-attach-enabled':
          return ['false'];
        case 'attachment.instance-id':
          return v.attachment ? [v.attachment.instanceId] : [];
        case 'attachment.device':
          return v.attachment ? [v.attachment.device] : [];
        case 'attachment.status':
          return v.attachment ? ['attached'] : [];
        case 'attachment.attach-time':
          return v.attachment ? [iso(v.attachment.attachTime)] : [];
        default:
          return v.attachment ? [String(v.attachment.deleteOnTermination)] : [];
      }
    });
    return paginate(filtered, 'DescribeVolumes', input.maxResults, input.nextToken);
  }

  describeSnapshots(region: string, input: DescribeInput): Page<SnapshotRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.snapshots, (id) => this.snapshot(region, id), (missing) =>
      new Ec2Error(
        'InvalidSnapshot.NotFound',
        missing.length === 1
          ? `The snapshot '${missing[0]}' does not exist.`
          : `The snapshots '${missing.join(', ')}' do not exist.`,
      ),
      (snap) => snap.startTime,
    );
    const owned = this.ownedBy(input.owners) ? base : [];
    const known = [
      'snapshot-id',
      'volume-id',
      'status',
      'owner-id',
      'owner-alias',
      'description',
      'progress',
      'start-time',
      'volume-size',
      'encrypted',
      'storage-tier',
      'transfer-type',
    ];
    const filtered = applyFilters(owned, input.filters ?? [], known, (s, name) => {
      switch (name) {
        case 'snapshot-id':
          return [s.id];
        case 'volume-id':
          return [s.volumeId];
        case 'status':
          return [this.snapshotStatus(s).status];
        case 'owner-id':
          return [OWNER_ID];
        case 'owner-alias':
          return [];
        case 'description':
          return [s.description];
        case 'progress':
          return [this.snapshotStatus(s).progress];
        case 'start-time':
          return [iso(s.startTime)];
        case 'volume-size':
          return [String(s.volumeSize)];
        case 'encrypted':
          return [String(s.encrypted)];
        case 'storage-tier':
          return ['standard'];
        default:
          return ['standard'];
      }
    });
    return paginate(filtered, 'DescribeSnapshots', input.maxResults, input.nextToken);
  }

  describeImages(region: string, input: DescribeInput): Page<ImageRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.images, (id) => this.image(region, id), (missing) =>
      new Ec2Error(
        'InvalidAMIID.NotFound',
        missing.length === 1
          ? `The image id '[${missing[0]}]' does not exist`
          : `The image ids '[${missing.join(', ')}]' do not exist`,
      ),
      (image) => image.creationDate,
    );
    const owned = this.ownedBy(input.owners) ? base : [];
    const known = [
      'image-id',
      'name',
      'description',
      'state',
      'owner-id',
      'architecture',
      'root-device-name',
      'root-device-type',
      'virtualization-type',
      'is-public',
      'image-type',
      'block-device-mapping.snapshot-id',
      'block-device-mapping.device-name',
      'block-device-mapping.volume-size',
      'block-device-mapping.volume-type',
      'block-device-mapping.encrypted',
    ];
    const filtered = applyFilters(owned, input.filters ?? [], known, (i, name) => {
      switch (name) {
        case 'image-id':
          return [i.id];
        case 'name':
          return [i.name];
        case 'description':
          return i.description === undefined ? [] : [i.description];
        case 'state':
          return [this.imageState(i)];
        case 'owner-id':
          return [OWNER_ID];
        case 'architecture':
          return [i.architecture];
        case 'root-device-name':
          return [i.rootDeviceName];
        case 'root-device-type':
          return ['ebs'];
        case 'virtualization-type':
          return [i.virtualizationType];
        case 'is-public':
          return ['false'];
        case 'image-type':
          return ['machine'];
        case 'block-device-mapping.snapshot-id':
          return i.mappings.map((m) => m.snapshotId);
        case 'block-device-mapping.device-name':
          return i.mappings.map((m) => m.deviceName);
        case 'block-device-mapping.volume-size':
          return i.mappings.map((m) => String(m.volumeSize));
        case 'block-device-mapping.volume-type':
          return i.mappings.map((m) => m.volumeType);
        default:
          return i.mappings.map((m) => String(m.encrypted));
      }
    });
    return paginate(filtered, 'DescribeImages', input.maxResults, input.nextToken);
  }

  describeReplaceRootVolumeTasks(region: string, input: DescribeInput): Page<ReplaceRootTaskRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.tasks, (id) => {
      const task = this.tasks.get(id);
      if (!task || task.region !== region) {
        throw new Ec2Error('InvalidReplaceRootVolumeTaskId.NotFound', `The replace root volume task '${id}' does not exist.`);
      }
      return task;
    }, (missing) =>
      new Ec2Error('InvalidReplaceRootVolumeTaskId.NotFound', `The replace root volume task '${missing[0]}' does not exist.`),
      (task) => task.startTime,
    );
    const filtered = applyFilters(base, input.filters ?? [], ['instance-id'], (t) => [t.instanceId]);
    return paginate(filtered, 'DescribeReplaceRootVolumeTasks', input.maxResults, input.nextToken);
  }

  // ---- snapshots ---------------------------------------------------------------------------

  createSnapshot(region: string, input: { volumeId?: string; description?: string; tagSpecs?: TagSpec[] }): SnapshotRecord {
    this.settle();
    if (!input.volumeId) {
      throw missingParameter('volumeId');
    }
    const volume = this.volume(region, input.volumeId);
    const tags = this.tagsFor(input.tagSpecs, 'snapshot', ['snapshot']);
    this.checkText('description', input.description);
    return this.snapshotVolume(volume, input.description ?? '', tags);
  }

  createSnapshots(region: string, input: CreateSnapshotsInput): SnapshotRecord[] {
    this.settle();
    if (!input.instanceId) {
      throw missingParameter('InstanceSpecification.InstanceId');
    }
    const instance = this.instance(region, input.instanceId);
    if (input.copyTagsFromSource !== undefined && input.copyTagsFromSource !== 'volume') {
      throw invalidValue(`Value (${input.copyTagsFromSource}) for parameter CopyTagsFromSource is invalid.`);
    }
    this.checkText('description', input.description);
    const extraTags = this.tagsFor(input.tagSpecs, 'snapshot', ['snapshot']);
    for (const id of input.excludeDataVolumeIds ?? []) {
      const volume = this.volume(region, id);
      if (volume.attachment?.instanceId !== instance.id) {
        throw invalidValue(`The volume '${id}' is not attached to instance '${instance.id}'.`);
      }
      if (volume.attachment.device === instance.rootDeviceName) {
        throw invalidValue(`The root volume '${id}' cannot be excluded with ExcludeDataVolumeIds; use ExcludeBootVolume.`);
      }
    }
    const volumes = this.attachedVolumes(instance).filter((v) => {
      const isRoot = v.attachment?.device === instance.rootDeviceName;
      if (isRoot && input.excludeBootVolume) {
        return false;
      }
      return !(input.excludeDataVolumeIds ?? []).includes(v.id);
    });
    if (volumes.length === 0) {
      throw invalidValue(`The instance '${instance.id}' has no volumes left to snapshot.`);
    }
    for (const volume of volumes) {
      this.requireUsable(volume);
    }
    return volumes.map((volume) => {
      const tags = input.copyTagsFromSource === 'volume' ? mergeTags(volume.tags, extraTags) : extraTags;
      return this.snapshotVolume(volume, input.description ?? '', tags);
    });
  }

  copySnapshot(destinationRegion: string, input: CopySnapshotInput): SnapshotRecord {
    this.settle();
    if (!input.sourceRegion) {
      throw missingParameter('SourceRegion');
    }
    if (!input.sourceSnapshotId) {
      throw missingParameter('SourceSnapshotId');
    }
    if (!this.region(input.sourceRegion)) {
      throw invalidValue(`Invalid value '${input.sourceRegion}' for SourceRegion.`);
    }
    const source = this.snapshot(input.sourceRegion, input.sourceSnapshotId);
    if (this.snapshotStatus(source).status !== 'completed') {
      throw incorrectState(`Snapshot is in invalid state - ${this.snapshotStatus(source).status}`);
    }
    this.checkText('description', input.description);
    const tags = this.tagsFor(input.tagSpecs, 'snapshot', ['snapshot']);
    const encrypted = source.encrypted || input.encrypted === true;
    this.checkKmsDependency(input.kmsKeyId, encrypted);
    const kmsKeyId = encrypted
      ? (input.kmsKeyId ??
        (input.sourceRegion === destinationRegion ? source.kmsKeyId : undefined) ??
        defaultKmsKey(destinationRegion))
      : undefined;
    const id = this.newId('snap');
    const copy = this.blocks.copySnapshot(source.id, id);
    const now = this.now();
    const record: SnapshotRecord = {
      id,
      region: destinationRegion,
      volumeId: COPY_VOLUME_ID,
      volumeSize: source.volumeSize,
      description: input.description ?? `[Copied ${source.id} from ${input.sourceRegion}]`,
      encrypted,
      kmsKeyId,
      startTime: now,
      completeAt: now + this.snapshotDuration(copy.owned.size * BLOCK_SIZE),
      tags,
      volumeLineage: [],
      copiedFrom: { region: input.sourceRegion, snapshotId: source.id },
      seq: this.seq(),
    };
    this.snapshots.set(id, record);
    this.touch();
    return record;
  }

  deleteSnapshot(region: string, snapshotId: string | undefined): DeleteImpact {
    this.settle();
    if (!snapshotId) {
      throw missingParameter('snapshotId');
    }
    const snap = this.snapshot(region, snapshotId);
    const users = this.imagesUsing(snap.id);
    if (users.length > 0) {
      throw new Ec2Error('InvalidSnapshot.InUse', `The snapshot ${snap.id} is currently in use by ${users[0].id}`);
    }
    const impact = this.blocks.deleteSnapshot(snap.id);
    this.snapshots.delete(snap.id);
    this.touch();
    return impact;
  }

  /** What deleting a snapshot would free or hand to its children. */
  deleteImpact(region: string, snapshotId: string): DeleteImpact {
    return this.blocks.deleteImpact(this.snapshot(region, snapshotId).id);
  }

  storedBytes(region: string, snapshotId: string): number {
    return this.blocks.storedBytes(this.snapshot(region, snapshotId).id);
  }

  /** Adds `count` completed snapshots of a volume at once (for paging tests and benchmarks). */
  bulkSnapshots(region: string, volumeId: string, count: number): string[] {
    if (!Number.isInteger(count) || count < 1 || count > 100000) {
      throw invalidValue(`count must be between 1 and 100000, not ${count}`);
    }
    const volume = this.volume(region, volumeId);
    const now = this.now();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.newId('snap');
      this.blocks.snapshot(volume.id, id);
      this.snapshots.set(id, {
        id,
        region,
        volumeId: volume.id,
        volumeSize: volume.size,
        description: `Bulk snapshot ${i + 1} of ${count}`,
        encrypted: volume.encrypted,
        kmsKeyId: volume.kmsKeyId,
        startTime: now,
        completeAt: now,
        tags: [],
        volumeLineage: [volume.id, ...volume.lineage],
        seq: this.seq(),
      });
      ids.push(id);
    }
    this.touch();
    return ids;
  }

  // ---- volumes -----------------------------------------------------------------------------

  createVolume(region: string, input: CreateVolumeInput): VolumeRecord {
    this.settle();
    const tokenKey = input.clientToken ? `${region}/${input.clientToken}` : undefined;
    const fingerprint = JSON.stringify([
      input.availabilityZone,
      input.size,
      input.snapshotId,
      input.volumeType,
      input.iops,
      input.throughput,
      input.encrypted,
      input.kmsKeyId,
    ]);
    if (tokenKey) {
      const previous = this.volumeTokens.get(tokenKey);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw new Ec2Error(
            'IdempotentParameterMismatch',
            `The client token '${input.clientToken}' was already used with different parameters.`,
          );
        }
        const existing = this.volumes.get(previous.volumeId);
        if (existing) {
          return existing;
        }
      }
    }
    if (!input.availabilityZone) {
      throw missingParameter('AvailabilityZone');
    }
    const regionInfo = this.requireRegion(region);
    if (!regionInfo.zones.includes(input.availabilityZone)) {
      throw invalidValue(`Invalid availability zone: [${input.availabilityZone}]`);
    }
    const snap = input.snapshotId ? this.snapshot(region, input.snapshotId) : undefined;
    if (snap && this.snapshotStatus(snap).status !== 'completed') {
      throw incorrectState(`Snapshot is in invalid state - ${this.snapshotStatus(snap).status}`);
    }
    if (input.size === undefined && !snap) {
      throw missingParameter('size/snapshotId');
    }
    const volumeType = this.volumeType(input.volumeType ?? 'gp2');
    const size = input.size ?? snap?.volumeSize ?? 1;
    if (snap && size < snap.volumeSize) {
      throw invalidValue(
        `Volume of size ${size}GB is smaller than snapshot '${snap.id}', expect size >= ${snap.volumeSize}GB`,
      );
    }
    this.checkSize(volumeType, size);
    const { iops, throughput } = this.performance(volumeType, size, input.iops, input.throughput);
    const encrypted = snap?.encrypted === true || input.encrypted === true;
    if (snap?.encrypted && input.encrypted === false) {
      throw new Ec2Error('InvalidParameterCombination', 'Volumes created from encrypted snapshots are always encrypted.');
    }
    this.checkKmsDependency(input.kmsKeyId, encrypted);
    const kmsKeyId = encrypted ? (input.kmsKeyId ?? snap?.kmsKeyId ?? defaultKmsKey(region)) : undefined;
    const tags = this.tagsFor(input.tagSpecs, 'volume', ['volume']);
    const id = this.newId('vol');
    this.blocks.createDisk(id, size * BLOCKS_PER_GIB, snap?.id);
    const now = this.now();
    const volume: VolumeRecord = {
      id,
      region,
      zone: input.availabilityZone,
      size,
      volumeType,
      iops,
      throughput,
      encrypted,
      kmsKeyId,
      createTime: now,
      readyAt: now + this.timing.volumeMs,
      snapshotId: snap?.id,
      tags,
      lineage: snap ? unique([snap.volumeId, ...snap.volumeLineage]).filter((v) => v !== COPY_VOLUME_ID) : [],
      seq: this.seq(),
    };
    this.volumes.set(id, volume);
    if (tokenKey) {
      this.volumeTokens.set(tokenKey, { volumeId: id, fingerprint });
    }
    this.touch();
    return volume;
  }

  deleteVolume(region: string, volumeId: string | undefined): void {
    this.settle();
    if (!volumeId) {
      throw missingParameter('volumeId');
    }
    const volume = this.volume(region, volumeId);
    if (volume.attachment) {
      throw new Ec2Error('VolumeInUse', `Volume ${volume.id} is currently attached to ${volume.attachment.instanceId}`);
    }
    this.volumes.delete(volume.id);
    this.blocks.deleteDisk(volume.id);
    this.touch();
  }

  /** Writes `mib` MiB of new data to a volume (the sandbox's "Simulate Writes"). */
  writeMiB(region: string, volumeId: string, mib: number): number {
    if (!Number.isInteger(mib) || mib < 1 || mib > 1024 * 1024) {
      throw invalidValue(`mib must be a whole number between 1 and 1048576, not ${mib}`);
    }
    const volume = this.volume(region, volumeId);
    const written = this.blocks.writeMiB(volume.id, mib);
    this.touch();
    return written;
  }

  // ---- images ------------------------------------------------------------------------------

  createImage(region: string, input: CreateImageInput): ImageRecord {
    this.settle();
    if (!input.instanceId) {
      throw missingParameter('InstanceId');
    }
    const instance = this.instance(region, input.instanceId);
    const name = this.checkImageName(region, input.name);
    this.checkText('description', input.description);
    const imageTags = this.tagsFor(input.tagSpecs, 'image', ['image', 'snapshot']);
    const snapshotTags = this.tagsFor(input.tagSpecs, 'snapshot', ['image', 'snapshot'], false);
    const volumes = this.attachedVolumes(instance);
    for (const volume of volumes) {
      this.requireUsable(volume);
    }
    const imageId = this.newId('ami');
    const mappings = volumes.map((volume): ImageMapping => {
      const snap = this.snapshotVolume(
        volume,
        `Created by CreateImage(${instance.id}) for ${imageId}`,
        snapshotTags.map((t) => ({ ...t })),
      );
      return {
        deviceName: volume.attachment?.device ?? '',
        snapshotId: snap.id,
        volumeSize: volume.size,
        volumeType: volume.volumeType,
        deleteOnTermination: volume.attachment?.deleteOnTermination ?? true,
        encrypted: volume.encrypted,
        iops: volume.iops,
        throughput: volume.throughput,
      };
    });
    return this.addImage({
      id: imageId,
      region,
      name,
      description: input.description,
      architecture: instance.architecture,
      rootDeviceName: instance.rootDeviceName,
      virtualizationType: 'hvm',
      enaSupport: true,
      mappings,
      sourceInstanceId: instance.id,
      tags: imageTags,
    });
  }

  registerImage(region: string, input: RegisterImageInput): ImageRecord {
    this.settle();
    const name = this.checkImageName(region, input.name);
    this.checkText('description', input.description);
    const architecture = (input.architecture ?? 'x86_64') as Architecture;
    if (!ARCHITECTURES.includes(architecture)) {
      throw invalidValue(`Value (${input.architecture}) for parameter architecture is invalid.`);
    }
    const rootDeviceName = input.rootDeviceName ?? '/dev/xvda';
    const mappings = input.mappings.map((m, index): ImageMapping => {
      if (!m.deviceName) {
        throw missingParameter(`BlockDeviceMapping.${index + 1}.DeviceName`);
      }
      if (!m.snapshotId) {
        throw invalidValue(`The block device mapping for ${m.deviceName} needs Ebs.SnapshotId in the sandbox.`);
      }
      const snap = this.snapshot(region, m.snapshotId);
      const volumeType = this.volumeType(m.volumeType ?? 'gp2');
      const volumeSize = m.volumeSize ?? snap.volumeSize;
      if (volumeSize < snap.volumeSize) {
        throw invalidValue(
          `Volume of size ${volumeSize}GB is smaller than snapshot '${snap.id}', expect size >= ${snap.volumeSize}GB`,
        );
      }
      return {
        deviceName: m.deviceName,
        snapshotId: snap.id,
        volumeSize,
        volumeType,
        deleteOnTermination: m.deleteOnTermination ?? true,
        encrypted: snap.encrypted,
        iops: m.iops,
        throughput: m.throughput,
      };
    });
    if (!mappings.some((m) => m.deviceName === rootDeviceName)) {
      throw invalidValue(`The root device name ${rootDeviceName} has no block device mapping with a snapshot.`);
    }
    return this.addImage({
      id: this.newId('ami'),
      region,
      name,
      description: input.description,
      architecture,
      rootDeviceName,
      virtualizationType: input.virtualizationType ?? 'hvm',
      enaSupport: input.enaSupport ?? false,
      mappings,
      tags: this.tagsFor(input.tagSpecs, 'image', ['image']),
    });
  }

  deregisterImage(
    region: string,
    imageId: string | undefined,
    deleteAssociatedSnapshots = false,
  ): { snapshotId: string; returnCode: string }[] {
    this.settle();
    if (!imageId) {
      throw missingParameter('imageId');
    }
    const image = this.image(region, imageId);
    this.images.delete(image.id);
    const results: { snapshotId: string; returnCode: string }[] = [];
    if (deleteAssociatedSnapshots) {
      for (const mapping of image.mappings) {
        const snap = this.snapshots.get(mapping.snapshotId);
        if (!snap || this.imagesUsing(snap.id).length > 0) {
          results.push({ snapshotId: mapping.snapshotId, returnCode: 'skipped' });
          continue;
        }
        this.blocks.deleteSnapshot(snap.id);
        this.snapshots.delete(snap.id);
        results.push({ snapshotId: snap.id, returnCode: 'success' });
      }
    }
    this.touch();
    return results;
  }

  // ---- replace root volume -----------------------------------------------------------------

  createReplaceRootVolumeTask(region: string, input: ReplaceRootInput): ReplaceRootTaskRecord {
    this.settle();
    if (!input.instanceId) {
      throw missingParameter('InstanceId');
    }
    const tokenKey = input.clientToken ? `${region}/${input.clientToken}` : undefined;
    const previous = tokenKey ? this.taskTokens.get(tokenKey) : undefined;
    if (previous && this.tasks.has(previous)) {
      return this.tasks.get(previous) as ReplaceRootTaskRecord;
    }
    const instance = this.instance(region, input.instanceId);
    if (instance.state !== 'running') {
      throw incorrectState(`The instance '${instance.id}' is not in the 'running' state.`);
    }
    const root = this.rootVolume(instance);
    if (!root) {
      throw incorrectState(`The instance '${instance.id}' has no root volume attached.`);
    }
    const busy = [...this.tasks.values()].find((t) => t.instanceId === instance.id && !t.outcome);
    if (busy) {
      throw incorrectState(`A replace root volume task (${busy.id}) is already in progress for instance '${instance.id}'.`);
    }
    if (input.snapshotId && input.imageId) {
      throw new Ec2Error('InvalidParameterCombination', 'Specify either SnapshotId or ImageId, not both.');
    }
    if (input.snapshotId) {
      const snap = this.snapshot(region, input.snapshotId);
      if (snap.volumeId !== root.id && !root.lineage.includes(snap.volumeId)) {
        throw invalidValue(
          `The snapshot '${snap.id}' does not belong to the lineage of the root volume '${root.id}' of instance '${instance.id}'.`,
        );
      }
      if (this.snapshotStatus(snap).status !== 'completed') {
        throw incorrectState(`Snapshot is in invalid state - ${this.snapshotStatus(snap).status}`);
      }
    } else {
      // From an AMI, or back to the launch state (the instance's own AMI).
      const imageId = input.imageId ?? instance.imageId;
      const image = this.images.get(imageId);
      if (!image || image.region !== region) {
        if (input.imageId) {
          this.image(region, input.imageId);
        }
        throw invalidValue(
          `The launch state of instance '${instance.id}' cannot be restored: its AMI ${imageId} is not available.`,
        );
      }
      if (this.imageState(image) !== 'available') {
        throw incorrectState(`The image '${image.id}' is not in the 'available' state.`);
      }
    }
    const tags = this.tagsFor(input.tagSpecs, 'replace-root-volume-task', ['replace-root-volume-task']);
    const now = this.now();
    const task: ReplaceRootTaskRecord = {
      id: this.newId('replacevol'),
      region,
      instanceId: instance.id,
      snapshotId: input.snapshotId,
      imageId: input.snapshotId ? undefined : (input.imageId ?? instance.imageId),
      deleteReplacedRootVolume: input.deleteReplacedRootVolume ?? false,
      startTime: now,
      completeAt: now + this.timing.taskMs,
      tags,
      clientToken: input.clientToken,
      seq: this.seq(),
    };
    this.tasks.set(task.id, task);
    if (tokenKey) {
      this.taskTokens.set(tokenKey, task.id);
    }
    this.touch();
    return task;
  }

  // ---- tags --------------------------------------------------------------------------------

  createTags(region: string, resourceIds: string[], tags: Tag[]): void {
    this.settle();
    if (resourceIds.length === 0) {
      throw missingParameter('ResourceId');
    }
    if (tags.length === 0) {
      throw missingParameter('Tag');
    }
    this.checkTags(tags);
    const targets = resourceIds.map((id) => this.taggable(region, id));
    for (const target of targets) {
      const merged = mergeTags(target.tags, tags);
      if (merged.length > 50) {
        throw new Ec2Error('TagLimitExceeded', `The maximum number of tags for resource ${resourceIds[0]} has been reached.`);
      }
    }
    for (const target of targets) {
      target.tags = mergeTags(target.tags, tags);
    }
    this.touch();
  }

  deleteTags(region: string, resourceIds: string[], tags: { key: string; value?: string }[]): void {
    this.settle();
    if (resourceIds.length === 0) {
      throw missingParameter('ResourceId');
    }
    const targets = resourceIds.map((id) => this.taggable(region, id));
    for (const target of targets) {
      target.tags =
        tags.length === 0
          ? []
          : target.tags.filter((t) => !tags.some((d) => d.key === t.key && (d.value === undefined || d.value === t.value)));
    }
    this.touch();
  }

  // ---- summary and persistence -------------------------------------------------------------

  counts(): RegionCounts[] {
    return this.regionList.map((r) => ({
      region: r.name,
      optInStatus: r.optInStatus,
      instances: countIn(this.instances, r.name),
      volumes: countIn(this.volumes, r.name),
      snapshots: countIn(this.snapshots, r.name),
      images: countIn(this.images, r.name),
      replaceRootVolumeTasks: countIn(this.tasks, r.name),
    }));
  }

  toJSON(): AwsStateJson {
    return {
      version: 1,
      regions: this.regionList,
      nextId: this.nextId,
      nextSeq: this.nextSeq,
      instances: [...this.instances.values()],
      volumes: [...this.volumes.values()],
      snapshots: [...this.snapshots.values()],
      images: [...this.images.values()],
      tasks: [...this.tasks.values()],
      volumeTokens: [...this.volumeTokens],
      taskTokens: [...this.taskTokens],
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: AwsStateJson, options: AwsStateOptions = {}): AwsState {
    if (json.version !== 1) {
      throw new Error(`unsupported sandbox state version ${String(json.version)}`);
    }
    const state = new AwsState(options);
    if (!options.regions) {
      state.regionList = json.regions;
    }
    state.nextId = json.nextId;
    state.nextSeq = json.nextSeq;
    state.blocks = BlockStore.fromJSON(json.blocks);
    for (const r of json.instances) {state.instances.set(r.id, r);}
    for (const r of json.volumes) {state.volumes.set(r.id, r);}
    for (const r of json.snapshots) {state.snapshots.set(r.id, r);}
    for (const r of json.images) {state.images.set(r.id, r);}
    for (const r of json.tasks) {state.tasks.set(r.id, r);}
    for (const [k, v] of json.volumeTokens) {state.volumeTokens.set(k, v);}
    for (const [k, v] of json.taskTokens) {state.taskTokens.set(k, v);}
    return state;
  }

  // ---- seeding helpers (used by seed.ts) ---------------------------------------------------

  /** Adds an instance with volumes newly created and attached (root first). */
  addInstance(spec: {
    region: string;
    zone: string;
    instanceType: string;
    state: 'running' | 'stopped';
    imageId: string;
    architecture?: Architecture;
    name: string;
    tags?: Tag[];
    volumes: { device: string; size: number; volumeType: VolumeType; iops?: number; encrypted?: boolean; kmsKeyId?: string; name: string }[];
  }): { instance: InstanceRecord; volumes: VolumeRecord[] } {
    const now = this.now();
    const id = this.newId('i');
    const instance: InstanceRecord = {
      id,
      region: spec.region,
      zone: spec.zone,
      instanceType: spec.instanceType,
      state: spec.state,
      launchTime: now,
      imageId: spec.imageId,
      rootDeviceName: spec.volumes[0].device,
      architecture: spec.architecture ?? 'x86_64',
      privateIpAddress: `172.31.${(hashString(id) >>> 8) & 0xff}.${(hashString(id) & 0xfe) + 1}`,
      reservationId: this.newId('r'),
      tags: [{ key: 'Name', value: spec.name }, ...(spec.tags ?? [])],
      seq: this.seq(),
    };
    this.instances.set(id, instance);
    const volumes = spec.volumes.map((v, index) => {
      const volume = this.createVolume(spec.region, {
        availabilityZone: spec.zone,
        size: v.size,
        volumeType: v.volumeType,
        iops: v.iops,
        encrypted: v.encrypted,
        kmsKeyId: v.kmsKeyId,
        tagSpecs: [{ resourceType: 'volume', tags: [{ key: 'Name', value: v.name }, ...(spec.tags ?? [])] }],
      });
      volume.readyAt = now;
      volume.attachment = { instanceId: id, device: v.device, attachTime: now, deleteOnTermination: index === 0 };
      return volume;
    });
    this.touch();
    return { instance, volumes };
  }

  /** Sets a time-based record's completion (seeding histories). */
  finishSnapshotAt(snapshotId: string, time: number): void {
    const snap = this.snapshots.get(snapshotId);
    if (snap) {
      snap.completeAt = time;
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  private snapshotVolume(volume: VolumeRecord, description: string, tags: Tag[]): SnapshotRecord {
    this.requireUsable(volume);
    const id = this.newId('snap');
    const blocks = this.blocks.snapshot(volume.id, id);
    const now = this.now();
    const record: SnapshotRecord = {
      id,
      region: volume.region,
      volumeId: volume.id,
      volumeSize: volume.size,
      description,
      encrypted: volume.encrypted,
      kmsKeyId: volume.kmsKeyId,
      startTime: now,
      completeAt: now + this.snapshotDuration(blocks.owned.size * BLOCK_SIZE),
      tags,
      volumeLineage: [volume.id, ...volume.lineage],
      seq: this.seq(),
    };
    this.snapshots.set(id, record);
    this.touch();
    return record;
  }

  private snapshotDuration(changedBytes: number): number {
    const { snapshotBaseMs, snapshotMsPerGiB, snapshotMaxMs } = this.timing;
    return Math.round(transferMs(changedBytes, { baseMs: snapshotBaseMs, msPerGiB: snapshotMsPerGiB, maxMs: snapshotMaxMs }));
  }

  private addImage(spec: Omit<ImageRecord, 'creationDate' | 'availableAt' | 'seq'>): ImageRecord {
    const now = this.now();
    let lastSnapshot = now;
    for (const m of spec.mappings) {
      const snap = this.snapshots.get(m.snapshotId);
      if (snap) {
        lastSnapshot = Math.max(lastSnapshot, snap.completeAt);
      }
    }
    const image: ImageRecord = {
      ...spec,
      creationDate: now,
      availableAt: lastSnapshot + this.timing.imageMs,
      seq: this.seq(),
    };
    this.images.set(image.id, image);
    this.touch();
    return image;
  }

  private applyReplaceRoot(task: ReplaceRootTaskRecord): void {
    const instance = this.instances.get(task.instanceId);
    const root = instance ? this.rootVolume(instance) : undefined;
    const image = task.imageId ? this.images.get(task.imageId) : undefined;
    const snapshotId = task.snapshotId ?? image?.mappings.find((m) => m.deviceName === image.rootDeviceName)?.snapshotId;
    const snap = snapshotId ? this.snapshots.get(snapshotId) : undefined;
    if (!instance || !root || !snap || !root.attachment) {
      task.outcome = 'failed';
      this.touch();
      return;
    }
    const now = this.now();
    const id = this.newId('vol');
    const size = Math.max(snap.volumeSize, root.size);
    this.blocks.createDisk(id, size * BLOCKS_PER_GIB, snap.id);
    const replacement: VolumeRecord = {
      id,
      region: root.region,
      zone: root.zone,
      size,
      volumeType: root.volumeType,
      iops: root.iops,
      throughput: root.throughput,
      encrypted: root.encrypted || snap.encrypted,
      kmsKeyId: root.kmsKeyId ?? snap.kmsKeyId,
      createTime: now,
      readyAt: now,
      snapshotId: snap.id,
      attachment: { ...root.attachment, attachTime: now },
      tags: root.tags.map((t) => ({ ...t })),
      lineage: unique([...snap.volumeLineage, root.id, ...root.lineage]).filter(
        (v) => v !== id && v !== COPY_VOLUME_ID,
      ),
      seq: this.seq(),
    };
    this.volumes.set(id, replacement);
    root.attachment = undefined;
    if (task.deleteReplacedRootVolume) {
      this.volumes.delete(root.id);
      this.blocks.deleteDisk(root.id);
    }
    task.newVolumeId = id;
    task.outcome = 'succeeded';
    this.touch();
  }

  /**
   * The records a Describe* answers: those named by `ids` (any missing: `notFound`), or all of
   * the region. A record younger than `visibilityLagMs` (its `bornAt`) counts as missing.
   */
  private byIds<T extends { region: string }>(
    region: string,
    ids: string[] | undefined,
    all: Map<string, T>,
    lookup: (id: string) => T,
    notFound: (missing: string[]) => Ec2Error,
    bornAt: (record: T) => number,
  ): T[] {
    const visible = (record: T): boolean => this.visibilityLagMs <= 0 || this.now() >= bornAt(record) + this.visibilityLagMs;
    if (!ids || ids.length === 0) {
      return [...all.values()].filter((r) => r.region === region && visible(r));
    }
    const found: T[] = [];
    const missing: string[] = [];
    for (const id of unique(ids)) {
      try {
        const record = lookup(id);
        if (visible(record)) {
          found.push(record);
        } else {
          missing.push(id);
        }
      } catch (error) {
        if (error instanceof Ec2Error && error.code.endsWith('.NotFound')) {
          missing.push(id);
        } else {
          throw error;
        }
      }
    }
    if (missing.length > 0) {
      throw notFound(missing);
    }
    return found;
  }

  private ownedBy(owners: string[] | undefined): boolean {
    return !owners || owners.length === 0 || owners.some((o) => o === 'self' || o === OWNER_ID);
  }

  private taggable(region: string, id: string): { tags: Tag[] } {
    if (id.startsWith('i-')) {return this.instance(region, id);}
    if (id.startsWith('vol-')) {return this.volume(region, id);}
    if (id.startsWith('snap-')) {return this.snapshot(region, id);}
    if (id.startsWith('ami-')) {return this.image(region, id);}
    if (id.startsWith('replacevol-')) {
      const task = this.tasks.get(id);
      if (task && task.region === region) {
        return task;
      }
      throw new Ec2Error('InvalidReplaceRootVolumeTaskId.NotFound', `The replace root volume task '${id}' does not exist.`);
    }
    throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
  }

  private tagsFor(specs: TagSpec[] | undefined, resourceType: string, allowed: string[], primary = true): Tag[] {
    const tags: Tag[] = [];
    for (const spec of specs ?? []) {
      const type = spec.resourceType ?? (primary ? resourceType : undefined);
      if (type !== undefined && !allowed.includes(type)) {
        throw invalidValue(`'${type}' is not a valid taggable resource type for this operation.`);
      }
      if (type === resourceType) {
        this.checkTags(spec.tags);
        tags.push(...spec.tags.map((t) => ({ ...t })));
      }
    }
    return mergeTags([], tags);
  }

  private checkTags(tags: readonly Tag[]): void {
    for (const tag of tags) {
      if (!tag.key) {
        throw invalidValue('Tag keys must not be empty.');
      }
      if (tag.key.length > 128) {
        throw invalidValue(`Tag key exceeds the maximum length of 128 characters: ${tag.key.slice(0, 20)}…`);
      }
      if (tag.value.length > 256) {
        throw invalidValue(`Tag value exceeds the maximum length of 256 characters for key ${tag.key.slice(0, 20)}`);
      }
      if (tag.key.toLowerCase().startsWith('aws:')) {
        throw invalidValue(`Tag keys starting with 'aws:' are reserved for internal use`);
      }
      this.checkText('tag key', tag.key);
      this.checkText('tag value', tag.value);
    }
    if (tags.length > 50) {
      throw new Ec2Error('TagLimitExceeded', 'The maximum number of tags for the resource has been reached.');
    }
  }

  private checkText(what: string, text: string | undefined): void {
    if (text !== undefined && hasXmlInvalidChars(text)) {
      throw invalidValue(`The ${what} contains characters that are not allowed.`);
    }
  }

  private checkImageName(region: string, name: string | undefined): string {
    if (!name) {
      throw missingParameter('name');
    }
    if (name.length < 3 || name.length > 128 || !/^[A-Za-z0-9()[\] ./\-'@_]+$/.test(name)) {
      throw new Ec2Error(
        'InvalidAMIName.Malformed',
        `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
      );
    }
    const clash = [...this.images.values()].find((i) => i.region === region && i.name === name);
    if (clash) {
      throw new Ec2Error('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${clash.id}`);
    }
    return name;
  }

  private checkKmsDependency(kmsKeyId: string | undefined, encrypted: boolean): void {
    if (kmsKeyId !== undefined && !encrypted) {
      throw new Ec2Error('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
    }
  }

  private volumeType(value: string): VolumeType {
    const type = VOLUME_TYPES.find((t) => t === value);
    if (!type) {
      throw invalidValue(`Value (${value}) for parameter volumeType is invalid. Valid values: ${VOLUME_TYPES.join(', ')}`);
    }
    return type;
  }

  private checkSize(type: VolumeType, size: number): void {
    const [min, max] = SIZE_LIMITS[type];
    if (!Number.isInteger(size) || size < min) {
      throw invalidValue(`Volume of ${size}GiB is too small; minimum is ${min}GiB.`);
    }
    if (size > max) {
      throw invalidValue(`Volume of ${size}GiB is too large for volume type ${type}; maximum is ${max}GiB.`);
    }
  }

  private performance(
    type: VolumeType,
    size: number,
    iops: number | undefined,
    throughput: number | undefined,
  ): { iops?: number; throughput?: number } {
    if (throughput !== undefined && type !== 'gp3') {
      throw new Ec2Error('InvalidParameterCombination', `The parameter throughput is not supported for ${type} volumes.`);
    }
    switch (type) {
      case 'gp3': {
        const chosenIops = iops ?? 3000;
        const chosenThroughput = throughput ?? 125;
        if (chosenIops < 3000 || chosenIops > 16000) {
          throw invalidValue(`The iops value ${chosenIops} is out of range for gp3 volumes (3000-16000).`);
        }
        if (chosenThroughput < 125 || chosenThroughput > 1000) {
          throw invalidValue(`The throughput value ${chosenThroughput} is out of range for gp3 volumes (125-1000).`);
        }
        return { iops: chosenIops, throughput: chosenThroughput };
      }
      case 'io1':
      case 'io2': {
        if (iops === undefined) {
          throw missingParameter('iops');
        }
        const ratio = type === 'io1' ? 50 : 500;
        const max = type === 'io1' ? 64000 : 256000;
        if (iops < 100 || iops > max) {
          throw invalidValue(`The iops value ${iops} is out of range for ${type} volumes (100-${max}).`);
        }
        if (iops > size * ratio) {
          throw invalidValue(`Iops to volume size ratio of ${(iops / size).toFixed(1)} is too high; maximum is ${ratio}.`);
        }
        return { iops };
      }
      case 'gp2':
        if (iops !== undefined) {
          throw new Ec2Error('InvalidParameterCombination', 'The parameter iops is not supported for gp2 volumes.');
        }
        return { iops: Math.min(16000, Math.max(100, size * 3)) };
      default:
        if (iops !== undefined) {
          throw new Ec2Error('InvalidParameterCombination', `The parameter iops is not supported for ${type} volumes.`);
        }
        return {};
    }
  }

  private requireUsable(volume: VolumeRecord): void {
    if (this.volumeStatus(volume) === 'creating') {
      throw incorrectState(`The volume '${volume.id}' is not in the 'available' or 'in-use' state.`);
    }
  }

  private requireRegion(name: string): RegionInfo {
    const region = this.region(name);
    if (!region) {
      throw invalidValue(`Invalid region: ${name}`);
    }
    return region;
  }

  private checkId(prefix: string, id: string, code: string): void {
    if (!ID_PATTERNS[prefix].test(id)) {
      throw new Ec2Error(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
    }
  }

  private newId(prefix: string): string {
    const n = this.nextId++;
    return `${prefix}-0a1b2c3d4e5f${(0x60000 + n).toString(16)}`;
  }

}

export function instanceStateCode(state: InstanceRecord['state']): number {
  return state === 'running' ? 16 : 80;
}

/** The region's default EBS key (an AWS-managed key ARN, made up deterministically). */
export function defaultKmsKey(region: string): string {
  const h = (s: string) => hashString(`${region}/${s}`).toString(16).padStart(8, '0');
  const hex = h('a') + h('b') + h('c') + h('d');
  return `arn:aws:kms:${region}:${OWNER_ID}:key/${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Tags with later ones replacing earlier ones of the same key, order of first appearance kept. */
export function mergeTags(base: readonly Tag[], extra: readonly Tag[]): Tag[] {
  const result = base.map((t) => ({ ...t }));
  for (const tag of extra) {
    const existing = result.find((t) => t.key === tag.key);
    if (existing) {
      existing.value = tag.value;
    } else {
      result.push({ ...tag });
    }
  }
  return result;
}

function countIn(map: Map<string, { region: string }>, region: string): number {
  let n = 0;
  for (const item of map.values()) {
    if (item.region === region) {
      n++;
    }
  }
  return n;
}

export { iso as isoTime };
