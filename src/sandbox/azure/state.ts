/**
 * The Azure sandbox state: tenant, subscriptions, resource groups and the Microsoft.Compute
 * resources (disks, snapshots, VMs, images, galleries, disk encryption sets), long-running
 * operations and SAS grants, on top of the cloud-neutral block model. Wire-neutral: wire.ts
 * turns ARM requests into these operations and records into ARM's JSON.
 *
 * Time-driven states (provisioningState, completionPercent, PowerState, operation status) are
 * computed from timestamps when read; nothing runs on a timer.
 *
 * Split by resource, each layer extending the one before: refs.ts (ids, inputs, settings),
 * store.ts (records, lookups, states, operations), disks.ts, snapshots.ts, access.ts (SAS); this
 * file adds counts and persistence.
 */
import { BlockStore } from '../blocks';
import type { BaseRecord } from './records';
import type { AzureStateJson, AzureStateOptions, AzureCounts } from './refs';
import { AzureAccess } from './access';

export * from './records';
export * from './refs';

export class AzureState extends AzureAccess {
  counts(): AzureCounts[] {
    return this.subscriptions.map((sub) => {
      const n = (map: Map<string, BaseRecord>) => [...map.values()].filter((r) => r.subscriptionId === sub.id).length;
      return {
        subscriptionId: sub.id,
        displayName: sub.displayName,
        resourceGroups: this.groupsOf(sub.id).length,
        disks: n(this.disks),
        snapshots: n(this.snapshots),
        virtualMachines: n(this.vms),
        images: n(this.images),
      };
    });
  }

  toJSON(): AzureStateJson {
    return {
      version: 1,
      tenant: this.tenant,
      subscriptions: this.subscriptions,
      resourceGroups: [...this.resourceGroups.values()],
      disks: [...this.disks.values()],
      snapshots: [...this.snapshots.values()],
      vms: [...this.vms.values()],
      images: [...this.images.values()],
      galleries: [...this.galleries.values()],
      galleryImages: [...this.galleryImages.values()],
      galleryImageVersions: [...this.galleryImageVersions.values()],
      diskEncryptionSets: [...this.diskEncryptionSets.values()],
      operations: [...this.operations.values()],
      grants: [...this.grants.values()],
      settings: this.settings,
      nextSeq: this.nextSeq,
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: AzureStateJson, options: AzureStateOptions = {}): AzureState {
    if (json.version !== 1) {
      throw new Error(`unsupported Azure state version ${String(json.version)}`);
    }
    const state = new AzureState(options, BlockStore.fromJSON(json.blocks));
    state.tenant = json.tenant;
    state.subscriptions = json.subscriptions;
    const byId = <T extends { id: string }>(map: Map<string, T>, items: T[]) => {
      for (const item of items) {
        map.set(item.id.toLowerCase(), item);
      }
    };
    for (const rg of json.resourceGroups) {
      state.resourceGroups.set(`${rg.subscriptionId}/${rg.name}`.toLowerCase(), rg);
    }
    byId(state.disks, json.disks);
    byId(state.snapshots, json.snapshots);
    byId(state.vms, json.vms);
    byId(state.images, json.images);
    byId(state.galleries, json.galleries);
    byId(state.galleryImages, json.galleryImages);
    byId(state.galleryImageVersions, json.galleryImageVersions);
    byId(state.diskEncryptionSets, json.diskEncryptionSets);
    for (const op of json.operations) {
      state.operations.set(op.id, op);
    }
    for (const grant of json.grants) {
      state.grants.set(grant.id, grant);
    }
    state.settings = json.settings;
    state.nextSeq = json.nextSeq;
    return state;
  }
}
