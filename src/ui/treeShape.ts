/**
 * What the Snapkeeper tree shows under each node, and the words of its groups, from the loaded
 * inventory and the cloud's own nouns. vscode-free (unit tests run it); tree.ts turns it into
 * TreeItems.
 *
 *   scope → VMs, Images, Detached disks, Other snapshots (and backups), Schedules
 *   VM → its disks (boot disk first), Restore points
 *   disk → its snapshots, newest first, then Backups; the schedules that protect it are shown on its line
 */
import type { CloudNouns } from '../model/adapter';
import type { Backup, Disk, Inventory, Policy, Resource, ResourceKind, RestorePoint, Snapshot, Vm } from '../model/types';
import { aboutKind, capitalised, diskNoun, plural, restorePointNoun, snapshotNoun } from './nouns';
import { displayName } from './resourceText';

export { plural } from './nouns';

/** The groups of a leaf scope, a VM's restore points and a disk's backups. */
export type FolderKind = 'images' | 'detached' | 'orphans' | 'schedules' | 'restorePoints' | 'backups';

/**
 * What the group of things whose disk is not in the scope holds: snapshots (always, when it is
 * shown without knowing), backups, or both; its label and tooltip say which.
 */
function orphanKinds(inv: Inventory | undefined): { snapshots: boolean; backups: boolean } {
  if (!inv) {
    return { snapshots: true, backups: false };
  }
  const items = orphansOf(inv);
  const backups = items.some((r) => r.kind === 'backup');
  return { snapshots: !backups || items.some((r) => r.kind === 'snapshot'), backups };
}

/**
 * A group's label, in the cloud's nouns: "Detached volumes", "VM snapshots". `inv`: the scope's
 * listing, for the group whose words depend on what it holds ("Other snapshots and backups").
 */
export function folderLabel(folder: FolderKind, nouns: CloudNouns, inv?: Inventory): string {
  switch (folder) {
    case 'images':
      // The cloud's word where it has its own: "AMIs", "Templates".
      return nouns.image === 'image' ? 'Images' : capitalised(plural(nouns.image));
    case 'detached':
      return `Detached ${plural(diskNoun(nouns))}`;
    case 'orphans': {
      const held = orphanKinds(inv);
      return `Other ${[held.snapshots ? plural(snapshotNoun(nouns)) : undefined, held.backups ? 'backups' : undefined].filter(Boolean).join(' and ')}`;
    }
    case 'schedules':
      return 'Schedules';
    case 'restorePoints':
      return capitalised(plural(restorePointNoun(nouns)));
    case 'backups':
      return 'Backups';
  }
}

export function folderTooltip(folder: FolderKind, nouns: CloudNouns, inv?: Inventory): string {
  const here = `this ${nouns.leafScope}`;
  const disk = diskNoun(nouns);
  const snapshot = snapshotNoun(nouns);
  switch (folder) {
    case 'images':
      return nouns.image === 'image' ? `Images owned by the account in ${here}` : `Images (${plural(nouns.image)}) owned by the account in ${here}`;
    case 'detached':
      return `${capitalised(plural(disk))} not attached to any VM`;
    case 'orphans': {
      const held = orphanKinds(inv);
      const snapshots = `${capitalised(plural(snapshot))} whose ${disk} is not in ${here}: the ${disk} was deleted, or the ${snapshot} was copied from another ${nouns.leafScope}`;
      const backups = `backups whose ${disk} is not in ${here}: the ${disk} was deleted`;
      return held.snapshots && held.backups ? `${snapshots}; and ${backups}` : held.backups ? capitalised(backups) : snapshots;
    }
    case 'schedules':
      return `${capitalised(snapshot)} schedules in ${here}; each ${disk} says which protect it`;
    case 'restorePoints': {
      const about = aboutKind('restorePoint', nouns);
      const what = `${capitalised(plural(restorePointNoun(nouns)))} of this VM: its ${plural(disk)} (and its memory, where marked) as they were at one moment`;
      return about ? `${what}.\n${about}` : what;
    }
    case 'backups': {
      const about = aboutKind('backup', nouns);
      const what = `Backups of this ${disk} on a separate backup store, newest first: a full backup, then incremental ones that store only what changed since their parent`;
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

/** The snapshots and backups whose disk is not listed in the scope, newest first. */
function orphansOf(inv: Inventory): (Snapshot | Backup)[] {
  const diskIds = new Set(inv.disks.map((d) => d.id));
  const gone = (r: Snapshot | Backup) => !r.diskId || !diskIds.has(r.diskId);
  return [...inv.snapshots.filter(gone), ...(inv.backups ?? []).filter(gone)].sort(newestFirst);
}

/** The groups a leaf scope shows after its VMs: Images always, the others when they hold something. */
export function leafFolders(inv: Inventory): FolderKind[] {
  return (['images', 'detached', 'orphans', 'schedules'] as const).filter((f) => f === 'images' || folderItems(inv, f).length > 0);
}

/** What a group holds, in the order shown. `ownerId`: the VM of a Restore points group, the disk of a Backups group. */
export function folderItems(inv: Inventory, folder: FolderKind, ownerId?: string): Resource[] {
  switch (folder) {
    case 'images':
      return [...inv.images].sort(byName);
    case 'detached':
      return inv.disks.filter((d) => d.attachments.length === 0 || !inv.vms.some((v) => d.attachments.some((a) => a.vmId === v.id))).sort(byName);
    case 'orphans':
      return orphansOf(inv);
    case 'schedules':
      return [...(inv.policies ?? [])].sort(byName);
    case 'restorePoints':
      return restorePointsOf(inv, ownerId);
    case 'backups':
      return ownerId === undefined ? [] : diskBackups(inv, ownerId);
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

/** A disk's backups, newest first. */
export function diskBackups(inv: Inventory, diskId: string): Backup[] {
  return (inv.backups ?? []).filter((b) => b.diskId === diskId).sort(newestFirst);
}

/** A disk's children: its snapshots (newest first), then whether it has backups (a group of their own). */
export function diskChildren(inv: Inventory, disk: Disk): { snapshots: Snapshot[]; backups: boolean } {
  return { snapshots: diskSnapshots(inv, disk.id), backups: (inv.backups ?? []).some((b) => b.diskId === disk.id) };
}

export function hasChildren(inv: Inventory, r: Resource): boolean {
  if (r.kind === 'vm') {
    const c = vmChildren(inv, r);
    return c.disks.length > 0 || c.restorePoints;
  }
  return r.kind === 'disk' && (inv.snapshots.some((s) => s.diskId === r.id) || (inv.backups ?? []).some((b) => b.diskId === r.id));
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
  return relatedName(inv.restorePoints ?? [], p.parentId);
}

/** "nightly-3 (backup-7)" for a listed resource with a name (hidden characters shown as escapes), else the id. */
function relatedName(listed: readonly Resource[], id: string | undefined): string | undefined {
  if (!id) {
    return undefined;
  }
  const r = listed.find((x) => x.id === id);
  return r?.name && r.name.trim() ? `${displayName(r)} (${r.id})` : id;
}

/**
 * A backup's parent (the backup it is incremental against) and the snapshot it was made from, by
 * name when listed, as its tooltip shows them.
 */
export function backupRelated(inv: Inventory, b: Backup): { parent?: string; snapshot?: string } {
  const parent = relatedName(inv.backups ?? [], b.parentId);
  const snapshot = relatedName(inv.snapshots, b.snapshotId);
  return { ...(parent ? { parent } : {}), ...(snapshot ? { snapshot } : {}) };
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
