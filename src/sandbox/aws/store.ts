/**
 * The EC2/EBS sandbox state's store: the records by kind, regions and zones, computed
 * (time-driven) states, lookups, and the checks and builders the operations share. The operations
 * are layered on top by resource: describe.ts, volumes.ts (volumes and snapshots), images.ts
 * (images, replace-root tasks, tags), and state.ts (persistence, counts, seeding).
 */
import { BLOCK_SIZE, BlockStore } from '../blocks';
import { StateKit, transferMs } from '../state-kit';
import { Ec2Error, incorrectState, invalidValue, missingParameter } from './errors';
import { applyFilters, type Filter, type Tag } from './query';
import { hasXmlInvalidChars } from './xml';
import { defaultRegions, isEnabled, type OptInStatus, type RegionInfo, regionsCount, regionsNamed } from './regions';
import {
  type AwsStateOptions,
  DEFAULT_TIMING,
  ID_PATTERNS,
  type ImageRecord,
  type ImageState,
  type InstanceRecord,
  mergeTags,
  OWNER_ID,
  type ReplaceRootTaskRecord,
  SIZE_LIMITS,
  type SnapshotRecord,
  type SnapshotStatus,
  type TagSpec,
  type TaskState,
  type Timing,
  unique,
  VOLUME_TYPES,
  type VolumeRecord,
  type VolumeStatus,
  type VolumeType,
} from './records';

export abstract class AwsStore extends StateKit {
  readonly ownerId = OWNER_ID;
  readonly timing: Timing;
  blocks = new BlockStore();
  protected regionList: RegionInfo[];
  protected readonly instances = new Map<string, InstanceRecord>();
  protected readonly volumes = new Map<string, VolumeRecord>();
  protected readonly snapshots = new Map<string, SnapshotRecord>();
  protected readonly images = new Map<string, ImageRecord>();
  protected readonly tasks = new Map<string, ReplaceRootTaskRecord>();
  /** `region/token` → the volume CreateVolume made for that ClientToken. */
  protected readonly volumeTokens = new Map<string, { volumeId: string; fingerprint: string }>();
  protected readonly taskTokens = new Map<string, string>();
  protected nextId = 1;
  /**
   * EC2 eventual consistency (a fault, set by the server from the fault config before each
   * request): a resource younger than this (ms) is missing from Describe* answers.
   */
  visibilityLagMs = 0;

  /** Swaps the root volume of a due replace-root task (images.ts). */
  protected abstract applyReplaceRoot(task: ReplaceRootTaskRecord): void;

  constructor(options: AwsStateOptions = {}) {
    super(options.now);
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.regionList = options.regions ? regionsNamed(options.regions) : defaultRegions();
  }

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

  protected snapshotVolume(volume: VolumeRecord, description: string, tags: Tag[]): SnapshotRecord {
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

  protected snapshotDuration(changedBytes: number): number {
    const { snapshotBaseMs, snapshotMsPerGiB, snapshotMaxMs } = this.timing;
    return Math.round(transferMs(changedBytes, { baseMs: snapshotBaseMs, msPerGiB: snapshotMsPerGiB, maxMs: snapshotMaxMs }));
  }

  protected addImage(spec: Omit<ImageRecord, 'creationDate' | 'availableAt' | 'seq'>): ImageRecord {
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

  /**
   * The records a Describe* answers: those named by `ids` (any missing: `notFound`), or all of
   * the region. A record younger than `visibilityLagMs` (its `bornAt`) counts as missing.
   */
  protected byIds<T extends { region: string }>(
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

  protected ownedBy(owners: string[] | undefined): boolean {
    return !owners || owners.length === 0 || owners.some((o) => o === 'self' || o === OWNER_ID);
  }

  protected taggable(region: string, id: string): { tags: Tag[] } {
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

  protected tagsFor(specs: TagSpec[] | undefined, resourceType: string, allowed: string[], primary = true): Tag[] {
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

  protected checkTags(tags: readonly Tag[]): void {
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

  protected checkText(what: string, text: string | undefined): void {
    if (text !== undefined && hasXmlInvalidChars(text)) {
      throw invalidValue(`The ${what} contains characters that are not allowed.`);
    }
  }

  protected checkImageName(region: string, name: string | undefined): string {
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

  protected checkKmsDependency(kmsKeyId: string | undefined, encrypted: boolean): void {
    if (kmsKeyId !== undefined && !encrypted) {
      throw new Ec2Error('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
    }
  }

  protected volumeType(value: string): VolumeType {
    const type = VOLUME_TYPES.find((t) => t === value);
    if (!type) {
      throw invalidValue(`Value (${value}) for parameter volumeType is invalid. Valid values: ${VOLUME_TYPES.join(', ')}`);
    }
    return type;
  }

  protected checkSize(type: VolumeType, size: number): void {
    const [min, max] = SIZE_LIMITS[type];
    if (!Number.isInteger(size) || size < min) {
      throw invalidValue(`Volume of ${size}GiB is too small; minimum is ${min}GiB.`);
    }
    if (size > max) {
      throw invalidValue(`Volume of ${size}GiB is too large for volume type ${type}; maximum is ${max}GiB.`);
    }
  }

  protected performance(
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

  protected requireUsable(volume: VolumeRecord): void {
    if (this.volumeStatus(volume) === 'creating') {
      throw incorrectState(`The volume '${volume.id}' is not in the 'available' or 'in-use' state.`);
    }
  }

  protected requireRegion(name: string): RegionInfo {
    const region = this.region(name);
    if (!region) {
      throw invalidValue(`Invalid region: ${name}`);
    }
    return region;
  }

  protected checkId(prefix: string, id: string, code: string): void {
    if (!ID_PATTERNS[prefix].test(id)) {
      throw new Ec2Error(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
    }
  }

  protected newId(prefix: string): string {
    const n = this.nextId++;
    return `${prefix}-0a1b2c3d4e5f${(0x60000 + n).toString(16)}`;
  }
}
