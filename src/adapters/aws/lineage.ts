/**
 * Root-volume lineage: which volumes are an instance's current root volume or one of its
 * ancestors. A volume restored from a snapshot (CreateVolume, or the new root made by a Replace
 * Root Volume task) records that snapshot as its `SnapshotId`, and the snapshot records the
 * volume it was taken from, so walking volume → source snapshot → its volume → … from each
 * instance's current root gives the root's lineage. A snapshot of any volume on that walk can
 * restore the instance's root in place, and is a bootable (root) snapshot.
 */

export interface LineageVm {
  id: string;
  bootDiskId?: string;
}

export interface LineageDisk {
  id: string;
  sourceSnapshotId?: string;
}

/** Longest walk followed; lineages are short in practice, this guards against cycles in bad data. */
const MAX_DEPTH = 64;

export interface Lineage {
  /** volume id → ids of the instances whose current root is that volume or descends from it. */
  rootOf: Map<string, string[]>;
  /** Source snapshots met on a walk whose volume is not known (to be looked up). */
  missing: Set<string>;
}

/**
 * Walks every instance's root lineage. `snapshotVolume` maps a snapshot id to the volume it was
 * taken from (`null` when known not to exist or to have no volume).
 */
export function rootLineage(
  vms: readonly LineageVm[],
  disks: readonly LineageDisk[],
  snapshotVolume: ReadonlyMap<string, string | null>,
): Lineage {
  const source = new Map<string, string | undefined>();
  for (const d of disks) {
    source.set(d.id, d.sourceSnapshotId);
  }
  const rootOf = new Map<string, string[]>();
  const missing = new Set<string>();
  for (const vm of vms) {
    const seen = new Set<string>();
    let volume = vm.bootDiskId;
    while (volume && !seen.has(volume) && seen.size < MAX_DEPTH) {
      seen.add(volume);
      const list = rootOf.get(volume) ?? [];
      if (!list.includes(vm.id)) {
        list.push(vm.id);
      }
      rootOf.set(volume, list);
      const snap = source.get(volume);
      if (!snap) {
        break;
      }
      const parent = snapshotVolume.get(snap);
      if (parent === undefined) {
        missing.add(snap);
        break;
      }
      volume = parent ?? undefined;
    }
  }
  return { rootOf, missing };
}
