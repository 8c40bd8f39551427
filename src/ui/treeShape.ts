/**
 * What the Snapkeeper tree shows under each node, and the words of its groups, from the loaded
 * inventory and the cloud's own nouns. vscode-free (unit tests run it); tree.ts turns it into
 * TreeItems.
 *
 *   scope → VMs, Images, Detached disks, Other snapshots, Schedules
 *   VM → its disks (boot disk first), Restore points
 *   disk → its snapshots, newest first; the schedules that protect it are shown on its line
 */
import type { CloudNouns } from '../model/adapter';
import type { Disk, Inventory, Policy, Resource, ResourceKind, RestorePoint, Snapshot, Vm } from '../model/types';
import { aboutKind, capitalised, diskNoun, plural, restorePointNoun, snapshotNoun } from './nouns';
import { displayName } from './resourceText';

export { plural } from './nouns';

/** The groups of a leaf scope, and a VM's restore points. */
export type FolderKind = 'images' | 'detached' | 'orphans' | 'schedules' | 'restorePoints';

/** A group's label, in the cloud's nouns: "Detached volumes", "VM snapshots". */
export function folderLabel(folder: FolderKind, nouns: CloudNouns): string {
  switch (folder) {
    case 'images':
      // The cloud's word where it has its own: "AMIs", "Templates".
      return nouns.image === 'image' ? 'Images' : capitalised(plural(nouns.image));
    case 'detached':
      return `Detached ${plural(diskNoun(nouns))}`;
    case 'orphans':
      return `Other ${plural(snapshotNoun(nouns))}`;
    case 'schedules':
      return 'Schedules';
    case 'restorePoints':
      return capitalised(plural(restorePointNoun(nouns)));
  }
}

export function folderTooltip(folder: FolderKind, nouns: CloudNouns): string {
  const here = `this ${nouns.leafScope}`;
  const disk = diskNoun(nouns);
  const snapshot = snapshotNoun(nouns);
  switch (folder) {
    case 'images':
      return nouns.image === 'image' ? `Images owned by the account in ${here}` : `Images (${plural(nouns.image)}) owned by the account in ${here}`;
    case 'detached':
      return `${capitalised(plural(disk))} not attached to any VM`;
    case 'orphans':
      return `${capitalised(plural(snapshot))} whose ${disk} is not in ${here}: the ${disk} was deleted, or the ${snapshot} was copied from another ${nouns.leafScope}`;
    case 'schedules':
      return `${capitalised(snapshot)} schedules in ${here}; each ${disk} says which protect it`;
    case 'restorePoints': {
      const about = aboutKind('restorePoint', nouns);
      const what = `${capitalised(plural(restorePointNoun(nouns)))} of this VM: its ${plural(disk)} (and its memory, where marked) as they were at one moment`;
      return about ? `${what}.\n${about}` : what;
    }
  }
}

/** The group of leaf scopes where nothing was listed. */
export function emptyScopesText(nouns: CloudNouns): { label: string; tooltip: string } {
  return {
    label: `Empty ${plural(nouns.leafScope)}`,
    tooltip: `${capitalised(plural(nouns.leafScope))} where nothing was listed: no VMs, ${plural(diskNoun(nouns))}, ${plural(snapshotNoun(nouns))} or images`,
  };
}

/** Shown when an account (or a top-level scope) has no scopes at all. */
export function noScopesText(nouns: CloudNouns, nested: boolean): string {
  return `No ${plural(nested ? nouns.leafScope : nouns.topScope)} available`;
}

/** The placeholder of the palette's scope question. */
export function scopeQuestion(nouns: CloudNouns): string {
  return `Which ${nouns.leafScope}?`;
}

export function byName(a: Resource, b: Resource): number {
  return displayName(a).localeCompare(displayName(b));
}

export function newestFirst(a: Resource, b: Resource): number {
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '');
}

/** The groups a leaf scope shows after its VMs: Images always, the others when they hold something. */
export function leafFolders(inv: Inventory): FolderKind[] {
  return (['images', 'detached', 'orphans', 'schedules'] as const).filter((f) => f === 'images' || folderItems(inv, f).length > 0);
}

/** What a group holds, in the order shown. `ownerId`: the VM of a Restore points group. */
export function folderItems(inv: Inventory, folder: FolderKind, ownerId?: string): Resource[] {
  switch (folder) {
    case 'images':
      return [...inv.images].sort(byName);
    case 'detached':
      return inv.disks.filter((d) => d.attachments.length === 0 || !inv.vms.some((v) => d.attachments.some((a) => a.vmId === v.id))).sort(byName);
    case 'orphans': {
      const diskIds = new Set(inv.disks.map((d) => d.id));
      return inv.snapshots.filter((s) => !s.diskId || !diskIds.has(s.diskId)).sort(newestFirst);
    }
    case 'schedules':
      return [...(inv.policies ?? [])].sort(byName);
    case 'restorePoints':
      return restorePointsOf(inv, ownerId);
  }
}

function restorePointsOf(inv: Inventory, vmId: string | undefined): RestorePoint[] {
  return (inv.restorePoints ?? []).filter((p) => p.vmId === vmId).sort(newestFirst);
}

/** A VM's children: its attached disks (in the VM's own order, boot disk first), then whether it has restore points. */
export function vmChildren(inv: Inventory, vm: Vm): { disks: Disk[]; restorePoints: boolean } {
  const order = (d: Disk) => {
    const i = vm.diskIds.indexOf(d.id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const disks = inv.disks.filter((d) => d.attachments.some((a) => a.vmId === vm.id)).sort((a, b) => order(a) - order(b));
  return { disks, restorePoints: restorePointsOf(inv, vm.id).length > 0 };
}

/** A disk's snapshots, newest first. */
export function diskSnapshots(inv: Inventory, diskId: string): Snapshot[] {
  return inv.snapshots.filter((s) => s.diskId === diskId).sort(newestFirst);
}

export function hasChildren(inv: Inventory, r: Resource): boolean {
  if (r.kind === 'vm') {
    const c = vmChildren(inv, r);
    return c.disks.length > 0 || c.restorePoints;
  }
  return r.kind === 'disk' && inv.snapshots.some((s) => s.diskId === r.id);
}

/** The schedules listed that protect a disk (ids the listing does not hold are shown as ids). */
export function policiesOf(inv: Inventory, disk: Disk): (Policy | { id: string })[] {
  return (disk.policyIds ?? []).map((id) => inv.policies?.find((p) => p.id === id) ?? { id });
}

/**
 * "protected by nightly, weekly" on a disk's line (names with their hidden characters shown as
 * escapes); undefined when no schedule protects it.
 */
export function protectionText(policies: (Policy | { id: string })[]): string | undefined {
  if (!policies.length) {
    return undefined;
  }
  return `protected by ${policies.map((p) => ('kind' in p ? displayName(p) : p.id)).join(', ')}`;
}

/** "protects 3 disks" on a schedule's line. */
export function protectsText(inv: Inventory, policy: Policy): string {
  const n = inv.disks.filter((d) => d.policyIds?.includes(policy.id)).length;
  return `protects ${n} disk${n === 1 ? '' : 's'}`;
}

/**
 * What a restore point is to the VM's current one: the VM runs from it (`current`), or the current
 * one was taken right after it (`parent of current`: reverting to it drops the current one's
 * changes too); undefined otherwise. The line and the tooltip both say it.
 */
export function restorePointMark(inv: Inventory, p: RestorePoint): 'current' | 'parent of current' | undefined {
  if (p.current) {
    return 'current';
  }
  return restorePointsOf(inv, p.vmId).some((x) => x.current && x.parentId === p.id) ? 'parent of current' : undefined;
}

/**
 * The restore point a point was taken after, by name when it is listed ("before-upgrade
 * (vmsnap-1)"; hidden characters shown as escapes), else its id; undefined when it has none.
 */
export function restorePointParent(inv: Inventory, p: RestorePoint): string | undefined {
  if (!p.parentId) {
    return undefined;
  }
  const parent = (inv.restorePoints ?? []).find((x) => x.id === p.parentId);
  return parent?.name && parent.name.trim() ? `${displayName(parent)} (${parent.id})` : p.parentId;
}

/**
 * `2 VMs · 5 disks · 12 snapshots · 1 image` in the cloud's nouns (`5 volumes · 12 volume
 * snapshots · 2 VM snapshots · 1 template`, `1 AMI`), leaving out kinds with none.
 */
export function countsText(state: { items: { values(): Iterable<Resource> } }, nouns: CloudNouns): string {
  const n: Record<ResourceKind, number> = { vm: 0, disk: 0, snapshot: 0, image: 0, policy: 0, restorePoint: 0, backup: 0 };
  for (const r of state.items.values()) {
    n[r.kind]++;
  }
  const part = (count: number, one: string) => (count ? `${count} ${count === 1 ? one : plural(one)}` : '');
  return [
    part(n.vm, 'VM'),
    part(n.disk, diskNoun(nouns)),
    part(n.snapshot, snapshotNoun(nouns)),
    part(n.restorePoint, restorePointNoun(nouns)),
    part(n.backup, 'backup'),
    part(n.image, nouns.image),
  ]
    .filter(Boolean)
    .join(' · ');
}
