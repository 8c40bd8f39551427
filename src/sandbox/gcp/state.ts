/**
 * The Google Cloud sandbox state: projects, instances, disks (zonal and regional), snapshots,
 * images, machine images and operations, on top of the cloud-neutral block model. Wire-neutral:
 * wire.ts turns Compute Engine v1 REST requests into these operations and records into JSON.
 *
 * Time-driven states (statuses, operation progress, DELETING) are computed from timestamps when
 * read; `sweep()` (run before every request) removes what finished deleting.
 *
 * Split by resource, each layer extending the one before: refs.ts (paths, ids, inputs),
 * store.ts (records, lookups, statuses, operations), disks.ts (disks, snapshots), images.ts
 * (images, machine images), instances.ts; this file adds counts and persistence.
 */
import { BlockStore } from '../blocks';
import type { BaseRecord } from './records';
import { type GcpStateJson, type GcpStateOptions, type GcpCounts, diskPathOf, snapshotPathOf, imagePathOf, instancePathOf } from './refs';
import { GcpInstances } from './instances';

export * from './records';
export * from './refs';

export class GcpState extends GcpInstances {
  counts(): GcpCounts[] {
    return this.projects.map((p) => ({
      project: p.id,
      instances: this.list(this.instances, p.id).length,
      disks: this.list(this.disks, p.id).length,
      snapshots: this.list(this.snapshots, p.id).length,
      images: this.list(this.images, p.id).length,
      machineImages: this.list(this.machineImages, p.id).length,
    }));
  }

  /** Keeps the first `count` projects, removing the records of the others. */
  trimProjects(count: number): void {
    const dropped = new Set(this.projects.slice(count).map((p) => p.id));
    this.projects = this.projects.slice(0, count);
    if (dropped.size === 0) {
      return;
    }
    for (const map of [this.instances, this.disks, this.snapshots, this.images, this.machineImages] as Map<string, BaseRecord>[]) {
      for (const [key, record] of map) {
        if (dropped.has(record.project)) {
          if (map === (this.snapshots as Map<string, BaseRecord>) && this.blocks.hasSnapshot(record.id)) {
            this.blocks.deleteSnapshot(record.id);
          }
          if (map === (this.disks as Map<string, BaseRecord>)) {
            this.blocks.deleteDisk(record.id);
          }
          map.delete(key);
        }
      }
    }
    this.touch();
  }

  toJSON(): GcpStateJson {
    return {
      version: 1,
      projects: this.projects,
      disks: [...this.disks.values()],
      snapshots: [...this.snapshots.values()],
      instances: [...this.instances.values()],
      images: [...this.images.values()],
      machineImages: [...this.machineImages.values()],
      operations: [...this.operations.values()],
      resourcePolicies: [...this.resourcePolicies.values()],
      requestIds: [...this.requestIds],
      pageSize: this.pageSize,
      nextSeq: this.nextSeq,
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: GcpStateJson, options: GcpStateOptions = {}): GcpState {
    if (json.version !== 1) {
      throw new Error(`unsupported GCP state version ${String(json.version)}`);
    }
    const state = new GcpState({ ...options, pageSize: options.pageSize ?? json.pageSize }, BlockStore.fromJSON(json.blocks));
    state.projects = json.projects;
    for (const d of json.disks) {
      state.disks.set(diskPathOf(d), d);
    }
    for (const s of json.snapshots) {
      state.snapshots.set(snapshotPathOf(s), s);
    }
    for (const vm of json.instances) {
      state.instances.set(instancePathOf(vm), vm);
    }
    for (const i of json.images) {
      state.images.set(imagePathOf(i), i);
    }
    for (const m of json.machineImages) {
      state.machineImages.set(`projects/${m.project}/global/machineImages/${m.name}`, m);
    }
    for (const op of json.operations) {
      state.operations.set(op.name, op);
    }
    for (const p of json.resourcePolicies) {
      state.resourcePolicies.set(p.path, p);
    }
    for (const [key, value] of json.requestIds) {
      state.requestIds.set(key, value);
    }
    state.nextSeq = json.nextSeq;
    return state;
  }
}
