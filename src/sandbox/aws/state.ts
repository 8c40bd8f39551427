/**
 * The EC2/EBS sandbox state: regions, instances, volumes, snapshots, images and replace-root
 * tasks, on top of the block model. Wire-neutral: the EC2 Query layer (wire.ts) and the EBS
 * direct API layer (ebs.ts) translate requests into these operations.
 *
 * Time-driven states are computed from timestamps when read; nothing runs on a timer. The one
 * time-driven effect (a replace-root task swapping the root volume) is applied by `settle()`,
 * which every operation calls first.
 *
 * Split by resource, each layer extending the one before: records.ts (the shapes), store.ts
 * (records, regions, computed states, lookups, shared checks), describe.ts (Describe*),
 * volumes.ts (volumes and snapshots), images.ts (images, replace-root tasks, tags); this file
 * adds counts, persistence and the seeding helpers.
 */
import { BlockStore, hashString } from '../blocks';
import type { Tag } from './query';
import type { Architecture, AwsStateJson, AwsStateOptions, InstanceRecord, RegionCounts, VolumeRecord, VolumeType } from './records';
import { AwsImages } from './images';

export * from './records';
export { Ec2Error } from './errors';
export type { Filter, Page, Tag } from './query';

export class AwsState extends AwsImages {
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
