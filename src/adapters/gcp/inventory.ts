/**
 * Listing: each project is listed ONCE — aggregated instances and disks (every zone and region in
 * one paged chain each, NO_RESULTS_ON_PAGE scopes skipped), plus the global snapshots, images and
 * machine images — and every zone/region/global scope of the project is served from that one
 * listing. Concurrent listings of a project share the chain; a finished one is reused for a few
 * seconds and forgotten after any action or operation end in the project.
 */
import { sendScope, SharedListings } from '../../model/listings';
import type { InventorySink } from '../../model/types';
import type { Json } from './api';
import type { GcpCore } from './core';
import { splitScope } from './ids';
import { mapDisk, mapImage, mapMachineImage, mapSnapshot, mapVm, type GcpDisk, type GcpImage, type GcpSnapshot, type GcpVm } from './map';

export interface ProjectInventory {
  vms: GcpVm[];
  disks: GcpDisk[];
  snapshots: GcpSnapshot[];
  images: GcpImage[];
}

export const REUSE_MS = 3000;

/** The per-project listings of one adapter. */
export class InventoryCache extends SharedListings<ProjectInventory> {
  constructor(core: GcpCore) {
    super((project, signal) => listProject(core, project, signal), REUSE_MS);
  }
}

export async function listProject(core: GcpCore, project: string, signal: AbortSignal): Promise<ProjectInventory> {
  const pageSize = Math.max(1, Math.min(500, Math.floor(core.setting<number>('gcp.pageSize', 500)) || 500));
  const opts = { signal, project };
  const flat = (r: Record<string, Json[]>): Json[] => Object.values(r).flat();
  const [instances, disks, snapshots, images, machineImages] = await Promise.all([
    core.call((api) => api.aggregatedList('instances', project, { pageSize }, signal), opts).then(flat),
    core.call((api) => api.aggregatedList('disks', project, { pageSize }, signal), opts).then(flat),
    core.call((api) => api.list('snapshots', project, { pageSize }, signal), opts),
    core.call((api) => api.list('images', project, { pageSize }, signal), opts),
    core.call((api) => api.list('machineImages', project, { pageSize }, signal), opts).catch((e: unknown) => {
      if (signal.aborted) {
        throw e;
      }
      core.log(`GCP ${project}: machine images not listed (${core.translate(e, project).display})`);
      return [] as Json[];
    }),
  ]);
  return buildInventory(instances, disks, snapshots, images, machineImages);
}

/** Maps a project's raw collections and adds the cross-resource facts (pure; unit-tested). */
export function buildInventory(instances: Json[], disks: Json[], snapshots: Json[], images: Json[], machineImages: Json[]): ProjectInventory {
  const vms = instances.map(mapVm);
  const vmById = new Map(vms.map((v) => [v.id, v]));
  const mappedDisks = disks.map((d) => mapDisk(d, vmById));
  const snaps = snapshots.map(mapSnapshot);
  const snapScope = new Map(snaps.map((s) => [s.id, s.scopeId]));
  const imgs = [...images.map((i) => mapImage(i, (p) => snapScope.get(p))), ...machineImages.map(mapMachineImage)];
  addSnapshotHints(vms, snaps, imgs);
  return { vms, disks: mappedDisks, snapshots: snaps, images: imgs };
}

export function addSnapshotHints(vms: GcpVm[], snaps: GcpSnapshot[], images: GcpImage[]): void {
  const byDisk = new Map<string, GcpSnapshot[]>();
  for (const s of snaps) {
    if (s.diskId && s.incremental) {
      byDisk.set(s.diskId, [...(byDisk.get(s.diskId) ?? []), s]);
    }
  }
  for (const list of byDisk.values()) {
    list.sort((a, b) => (a.gcp.createdMs ?? 0) - (b.gcp.createdMs ?? 0));
    list.forEach((s, i) => {
      const n = list[i + 1];
      s.gcp.next = n ? { id: n.id, name: n.name ?? n.id, storageBytes: n.gcp.storageBytes } : undefined;
    });
  }
  for (const s of snaps) {
    s.gcp.attachedTo = s.diskId
      ? vms.flatMap((vm) =>
          vm.gcp.disks
            .filter((d) => d.diskId === s.diskId)
            .map((d) => ({ vmId: vm.id, vmName: vm.name ?? vm.id, deviceName: d.deviceName, boot: d.boot, running: vm.gcp.status === 'RUNNING', status: vm.gcp.status })),
        )
      : [];
    s.gcp.images = images.filter((i) => i.snapshotIds.includes(s.id)).map((i) => i.name ?? i.id);
  }
}


export async function listScope(cache: InventoryCache, scopeId: string, sink: InventorySink, signal: AbortSignal): Promise<void> {
  const { project } = splitScope(scopeId);
  const inv = await cache.get(project, signal);
  sendScope(inv, scopeId, sink);
}
