/**
 * Helpers over the inventory the UI passes to plan/execute (RelatedResources), and the root
 * lineage computed from it.
 */
import type { RelatedResources } from '../../model/adapter';
import type { Disk, Image, Resource, Snapshot, Vm } from '../../model/types';
import type { AwsCore } from './core';
import { resolveMissingLinks } from './inventory';
import { rootLineage } from './lineage';

export function vmsOf(related: RelatedResources): Vm[] {
  return related.inventory.vms.filter((r): r is Vm => r.kind === 'vm');
}

export function disksOf(related: RelatedResources): Disk[] {
  return related.inventory.disks.filter((r): r is Disk => r.kind === 'disk');
}

export function snapshotsOf(related: RelatedResources): Snapshot[] {
  return related.inventory.snapshots.filter((r): r is Snapshot => r.kind === 'snapshot');
}

export function imagesOf(related: RelatedResources): Image[] {
  return related.inventory.images.filter((r): r is Image => r.kind === 'image');
}

export function findById<T extends Resource>(list: readonly T[], id: string | undefined): T | undefined {
  return id === undefined ? undefined : list.find((r) => r.id === id);
}

/**
 * The instances whose current root volume is the snapshot's volume or descends from it, from
 * the related inventory (plus the adapter's cache of snapshot → volume, and lookups of the
 * source snapshots it lacks).
 */
export async function rootInstancesOf(core: AwsCore, snapshot: Snapshot, related: RelatedResources): Promise<Vm[]> {
  if (!snapshot.diskId) {
    return [];
  }
  const region = snapshot.scopeId;
  const vms = vmsOf(related).filter((v) => v.scopeId === region);
  const disks = disksOf(related).filter((d) => d.scopeId === region);
  const links = core.snapshotVolumes(region);
  for (const s of snapshotsOf(related)) {
    if (s.scopeId === region && !links.has(s.id)) {
      links.set(s.id, s.diskId ?? null);
    }
  }
  await resolveMissingLinks(core, region, vms, disks, links);
  const ids = rootLineage(vms, disks, links).rootOf.get(snapshot.diskId) ?? [];
  return vms.filter((v) => ids.includes(v.id));
}
