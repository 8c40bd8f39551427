/**
 * Listing: every collection is listed ONCE per subscription (virtualMachines.listAll — twice:
 * the model and `statusOnly=true` for the power states, instead of an instance view per VM —,
 * disks.list, snapshots.list, images.list, galleries → images → versions) and each location of
 * the subscription is served by filtering. Concurrent listings of one subscription share the
 * request chain; a finished listing is reused for a few seconds (all locations of a subscription
 * load together) and forgotten after any action or operation end in that subscription.
 */
import { linkedAbort } from '../../model/abort';
import type {
  Disk as ArmDisk,
  Gallery,
  GalleryImage,
  GalleryImageVersion,
  Image as ArmImage,
  Snapshot as ArmSnapshot,
  VirtualMachine,
} from '@azure/arm-compute';
import { sendScope, SharedListings } from '../../model/listings';
import type { InventorySink } from '../../model/types';
import { requestSignal } from './clients';
import { exportKey, type AzureCore } from './core';
import { IdIndex, idKey, normLocation, splitScopeId } from './ids';
import {
  attachmentsFromVms,
  isCopying,
  mapDisk,
  mapGalleryVersion,
  mapImage,
  mapSnapshot,
  mapVm,
  type AzureDisk,
  type AzureImage,
  type AzureSnapshot,
  type AzureVm,
} from './map';

export interface SubscriptionInventory {
  vms: AzureVm[];
  disks: AzureDisk[];
  snapshots: AzureSnapshot[];
  images: AzureImage[];
}

/** How long a finished listing serves further locations of its subscription. */
export const REUSE_MS = 3000;

async function collect<T>(iter: AsyncIterable<T>, signal: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) {
    out.push(x);
    signal.throwIfAborted();
  }
  return out;
}

/** The per-subscription listings of one adapter. */
export class InventoryCache extends SharedListings<SubscriptionInventory> {
  constructor(core: AzureCore) {
    super((subscriptionId, signal) => requestSignal.run(signal, () => listSubscription(core, subscriptionId, signal)), REUSE_MS);
  }
}

/** Lists one location of a subscription into `sink` (one add per kind, `done` true). */
export async function listLocation(cache: InventoryCache, scopeId: string, sink: InventorySink, signal: AbortSignal): Promise<void> {
  const { subscriptionId, location } = splitScopeId(scopeId);
  const inv = await cache.get(subscriptionId, signal);
  sendScope(inv, `${subscriptionId}/${normLocation(location)}`, sink);
}


async function listGalleryVersions(core: AzureCore, subscriptionId: string, signal: AbortSignal): Promise<{ version: GalleryImageVersion; osType?: string }[]> {
  const client = core.compute(subscriptionId);
  const galleries = await core.call(() => collect<Gallery>(client.galleries.list({ abortSignal: signal }), signal), signal);
  const out: { version: GalleryImageVersion; osType?: string }[] = [];
  await Promise.all(
    galleries.map(async (g) => {
      const rg = g.id?.split('/')[4];
      if (!rg || !g.name) {
        return;
      }
      const images = await core.call(() => collect<GalleryImage>(client.galleryImages.listByGallery(rg, g.name as string, { abortSignal: signal }), signal), signal);
      await Promise.all(
        images.map(async (img) => {
          const versions = await core.call(
            () => collect<GalleryImageVersion>(client.galleryImageVersions.listByGalleryImage(rg, g.name as string, img.name as string, { abortSignal: signal }), signal),
            signal,
          );
          out.push(...versions.map((version) => ({ version, osType: img.osType })));
        }),
      );
    }),
  );
  return out;
}

export async function listSubscription(core: AzureCore, subscriptionId: string, signal: AbortSignal): Promise<SubscriptionInventory> {
  const client = core.compute(subscriptionId);
  const opts = { abortSignal: signal };
  // One failed listing stops the others.
  const group = linkedAbort(signal);
  const sig = group.signal;
  const list = <T>(fn: () => AsyncIterable<T>): Promise<T[]> => core.call(() => collect(fn(), sig), sig);
  const vmsP = list<VirtualMachine>(() => client.virtualMachines.listAll(opts));
  const statusP = list<VirtualMachine>(() => client.virtualMachines.listAll({ ...opts, statusOnly: 'true' })).catch((e: unknown) => {
    if (sig.aborted) {
      throw e;
    }
    core.log(`Azure ${subscriptionId}: power states not listed (${core.translate(e).display})`);
    return [] as VirtualMachine[];
  });
  const disksP = list<ArmDisk>(() => client.disks.list(opts));
  const snapsP = list<ArmSnapshot>(() => client.snapshots.list(opts));
  const imagesP = list<ArmImage>(() => client.images.list(opts));
  const galleryP = listGalleryVersions(core, subscriptionId, sig).catch((e: unknown) => {
    if (sig.aborted) {
      throw e;
    }
    core.log(`Azure ${subscriptionId}: gallery image versions not listed (${core.translate(e).display})`);
    return [];
  });
  const [armVms, statuses, armDisks, armSnaps, armImages, versions] = await group.all([vmsP, statusP, disksP, snapsP, imagesP, galleryP]);
  return buildInventory(armVms, statuses, armDisks, armSnaps, armImages, versions, (id) => core.memento?.get<string>(exportKey(id)));
}

/** Maps a subscription's raw collections (pure; exported for unit tests). */
export function buildInventory(
  armVms: VirtualMachine[],
  statuses: VirtualMachine[],
  armDisks: ArmDisk[],
  armSnaps: ArmSnapshot[],
  armImages: ArmImage[],
  versions: { version: GalleryImageVersion; osType?: string }[],
  exportUntil: (snapshotId: string) => string | undefined = () => undefined,
): SubscriptionInventory {
  const ids = new IdIndex();
  for (const x of [...armVms, ...armDisks, ...armSnaps, ...armImages]) {
    ids.add(x.id);
  }
  const statusById = new Map(statuses.filter((s) => s.id).map((s) => [idKey(s.id as string), s.instanceView]));
  const vms = armVms.map((v) => mapVm(v, statusById.get(idKey(v.id ?? '')), ids));
  const fromVms = attachmentsFromVms(vms);
  const disks = armDisks.map((d) => mapDisk(d, ids, fromVms));
  const snapLocation = new Map(armSnaps.filter((s) => s.id).map((s) => [idKey(s.id as string), normLocation(s.location)]));
  const snapshots = armSnaps.map((s) => {
    const until = s.id ? exportUntil(s.id) : undefined;
    const valid = until && Date.parse(until) > Date.now() ? until : undefined;
    return mapSnapshot(s, ids, (id) => snapLocation.get(idKey(id)), valid);
  });
  addSnapshotHints(vms, snapshots);
  const images = [...armImages.map((i) => mapImage(i, ids)), ...versions.map((v) => mapGalleryVersion(v.version, ids, v.osType))];
  return { vms, disks, snapshots, images };
}

/** The facts snapshot actions need from the rest of the subscription (copies, attachments). */
export function addSnapshotHints(vms: readonly AzureVm[], snapshots: AzureSnapshot[]): void {
  const byId = new Map(snapshots.map((s) => [idKey(s.id), s]));
  const copying = snapshots.filter((s) => isCopying(s.az) && s.copiedFromId);
  const vmByDisk = new Map<string, { vm: AzureVm; boot: boolean; lun?: number }[]>();
  for (const vm of vms) {
    const add = (diskId: string, boot: boolean, lun?: number): void => {
      const k = idKey(diskId);
      vmByDisk.set(k, [...(vmByDisk.get(k) ?? []), { vm, boot, lun }]);
    };
    if (vm.az.osDiskId) {
      add(vm.az.osDiskId, true);
    }
    for (const [d, lun] of Object.entries(vm.az.dataDiskLuns)) {
      add(d, false, lun);
    }
  }
  for (const s of snapshots) {
    const sameFamily = (other: AzureSnapshot | undefined): boolean =>
      other !== undefined && ((s.chainId !== undefined && other.chainId === s.chainId) || (s.diskId !== undefined && other.diskId !== undefined && idKey(other.diskId) === idKey(s.diskId)));
    s.az.copiesInProgress = copying
      .filter((c) => c.id !== s.id && sameFamily(byId.get(idKey(c.copiedFromId as string))))
      .map((c) => ({ id: c.id, name: c.name ?? c.id }));
    s.az.copyFromInProgress = copying.filter((c) => idKey(c.copiedFromId as string) === idKey(s.id)).map((c) => c.name ?? c.id);
    s.az.attachedTo = s.diskId
      ? (vmByDisk.get(idKey(s.diskId)) ?? []).map(({ vm, boot, lun }) => ({
          vmId: vm.id,
          vmName: vm.name ?? vm.id,
          boot,
          lun,
          running: vm.az.power === 'running' || vm.az.power === 'starting',
        }))
      : [];
  }
}
