/**
 * Snapshot-chain maths, cloud-neutral and vscode-free: from the loaded inventory of an account,
 * a disk's lineage (its snapshots in time order, the disks, images and copies branching off
 * them, and its backups with their parents), the bytes each snapshot really stores, and what
 * deleting one would free or move.
 *
 * Where the figures come from is the adapter's business (`CloudAdapter.chainFacts`): per
 * snapshot either the blocks it stores itself (exact: EBS direct APIs, the sandbox), or only a
 * byte count (GCP storageBytes: the delete preview is then a bound), or nothing (with why).
 *
 * The delete rule (the same as the sandbox's block model): a snapshot owns the blocks that
 * differ from its predecessor's. Deleting it hands each of its blocks to every child (the next
 * snapshot of the chain, and the first snapshot of a disk restored from it) that still has the
 * same content there — a block the child did not overwrite or zero — and frees the rest. The
 * newest snapshot, with no child, frees everything it owns.
 *
 * Backups (a separate store) keep their own chain: each incremental backup names its parent, and
 * the cloud refuses to delete a backup that others depend on. So the rule for backups is the
 * cloud's: only a backup with no dependents can be deleted, and deleting it frees all it stores
 * (no other backup holds its data). Their figures are what the cloud reports: bytes, or only a
 * count of objects (never turned into bytes).
 */
import type { Backup, Disk, Image, Policy, Resource, RestorePoint, Snapshot } from './types';

/** What an adapter knows about one snapshot's storage. */
export interface SnapshotFacts {
  /** Bytes the snapshot stores itself (with `ownBlocks`: ownBlocks.length × blockSize). */
  storedBytes?: number;
  /** Indices of the blocks it stores itself: those that differ from its predecessor, non-zero. */
  ownBlocks?: number[];
  /** Indices it zeroed (trimmed) against its predecessor: changed, but nothing stored. */
  zeroedBlocks?: number[];
  blockSize?: number;
  /** Why there is no figure (permissions, archived, not completed, not reported by the cloud…). */
  unavailable?: string;
  /** What the figure is, when not obvious (e.g. "storageBytes reported by Compute Engine"). */
  note?: string;
}

/** What `chainFacts` answers. */
export interface ChainFacts {
  /** By snapshot id; a snapshot missing here has no figure (its reason: `unavailable` below). */
  snapshots: Record<string, SnapshotFacts>;
  /** Where the figures come from, one sentence (shown under the chain totals). */
  source: string;
  /** The reason for every snapshot without its own entry. */
  unavailable?: string;
}

/** One snapshot to get facts for, and the snapshot it is incremental against (if any). */
export interface ChainLink {
  snapshot: Snapshot;
  previous?: Snapshot;
}

export type BranchKind = 'disk' | 'image' | 'copy';

export interface Branch {
  kind: BranchKind;
  resource: Disk | Image | Snapshot;
  /** The chain snapshot it branches off. */
  fromSnapshotId: string;
}

export interface Chain {
  /** Stable key: one panel per chain. */
  key: string;
  /** The disk whose lineage this is (absent when it was deleted). */
  disk?: Disk;
  diskId?: string;
  /** The snapshot the disk was restored from, when listed: the first snapshot is incremental against it. */
  origin?: Snapshot;
  /** Snapshots oldest first (incremental members and the disk's full snapshots). */
  snapshots: Snapshot[];
  branches: Branch[];
  /** The links to ask facts for: every chain member, plus the first snapshot of each restored disk. */
  links: ChainLink[];
  /** child snapshot id → the snapshot it is incremental against. */
  parentOf: Map<string, string>;
  /** The schedules that snapshot the disk (attached to it; not members of the chain). */
  policies: Policy[];
  /** Restore points of the disk's VM that hold the disk (VM-level: beside the chain, newest first). */
  restorePoints: RestorePoint[];
  /** The disk's backups, oldest first (their own chain, by `parentId`; beside the snapshots). */
  backups: Backup[];
}

/** Oldest first (ISO-8601 strings compare as text; plain comparison, not locale-aware: it is hot). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byCreated = (a: Resource, b: Resource): number => cmp(a.createdAt ?? '', b.createdAt ?? '') || cmp(a.id, b.id);
const byTime: (a: Snapshot, b: Snapshot) => number = byCreated;

/** Whether a snapshot takes part in an incremental chain (full copies stand alone). */
export function isIncrementalMember(s: Snapshot): boolean {
  return s.incremental !== false && !s.copiedFromId;
}

/** Snapshots of one disk: the same chain id when the cloud gives one, else the same disk id. */
function chainSnapshots(all: Snapshot[], diskId: string | undefined, chainId: string | undefined): Snapshot[] {
  return all.filter((s) => !s.copiedFromId && ((diskId !== undefined && s.diskId === diskId) || (chainId !== undefined && s.chainId === chainId)));
}

/**
 * A backup without a disk id: the backups joined to it by parent links (its whole family), so it
 * is still drawn with its parents and dependents.
 */
function backupFamily(all: Backup[], target: Backup): Backup[] {
  const family = new Set<Backup>([target]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const b of all) {
      if (!family.has(b) && [...family].some((f) => f.parentId === b.id || b.parentId === f.id)) {
        family.add(b);
        grew = true;
      }
    }
  }
  return [...family];
}

/**
 * The lineage of a disk, or of a snapshot's or a backup's disk, from everything loaded for the
 * account. Returns undefined when `resourceId` is none of those.
 */
export function buildChain(resources: Iterable<Resource>, resourceId: string): Chain | undefined {
  const disks = new Map<string, Disk>();
  const snapshots: Snapshot[] = [];
  const images: Image[] = [];
  const policies = new Map<string, Policy>();
  const restorePoints: RestorePoint[] = [];
  const allBackups: Backup[] = [];
  let target: Resource | undefined;
  for (const r of resources) {
    if (r.id === resourceId) {
      target = r;
    }
    if (r.kind === 'disk') {
      disks.set(r.id, r);
    } else if (r.kind === 'snapshot') {
      snapshots.push(r);
    } else if (r.kind === 'image') {
      images.push(r);
    } else if (r.kind === 'policy') {
      policies.set(r.id, r);
    } else if (r.kind === 'restorePoint') {
      restorePoints.push(r);
    } else if (r.kind === 'backup') {
      allBackups.push(r);
    }
  }
  if (!target || (target.kind !== 'disk' && target.kind !== 'snapshot' && target.kind !== 'backup')) {
    return undefined;
  }
  let diskId: string | undefined;
  let chainId: string | undefined;
  let members: Snapshot[];
  let backups: Backup[] | undefined;
  if (target.kind === 'backup') {
    diskId = target.diskId;
    chainId = diskId === undefined ? undefined : snapshots.find((s) => s.diskId === diskId && s.chainId && !s.copiedFromId)?.chainId;
    members = diskId === undefined ? [] : chainSnapshots(snapshots, diskId, chainId);
    backups = diskId === undefined ? backupFamily(allBackups, target) : allBackups.filter((b) => b.diskId === diskId);
  } else if (target.kind === 'disk') {
    diskId = target.id;
    chainId = snapshots.find((s) => s.diskId === diskId && s.chainId && !s.copiedFromId)?.chainId;
    members = chainSnapshots(snapshots, diskId, chainId);
  } else if (target.copiedFromId && !target.diskId) {
    // A copy with no disk of its own: it is its own (one-snapshot) chain.
    members = [target];
    chainId = target.chainId;
  } else {
    diskId = target.diskId;
    chainId = target.chainId;
    members = chainSnapshots(snapshots, diskId, chainId);
    if (!members.includes(target)) {
      members.push(target);
    }
  }
  backups ??= diskId === undefined ? [] : allBackups.filter((b) => b.diskId === diskId);
  members.sort(byTime);
  backups.sort(byCreated);
  const disk = diskId ? disks.get(diskId) : undefined;
  const origin = disk?.sourceSnapshotId ? snapshots.find((s) => s.id === disk.sourceSnapshotId) : undefined;
  const key = diskId ? `disk:${diskId}` : chainId ? `chain:${chainId}` : `${target.kind}:${target.id}`;

  const ids = new Set(members.map((s) => s.id));
  const branches: Branch[] = [];
  for (const d of disks.values()) {
    if (d.sourceSnapshotId && ids.has(d.sourceSnapshotId) && d.id !== diskId) {
      branches.push({ kind: 'disk', resource: d, fromSnapshotId: d.sourceSnapshotId });
    }
  }
  for (const i of images) {
    for (const sid of new Set(i.snapshotIds)) {
      if (ids.has(sid)) {
        branches.push({ kind: 'image', resource: i, fromSnapshotId: sid });
      }
    }
  }
  for (const s of snapshots) {
    if (s.copiedFromId && ids.has(s.copiedFromId) && !ids.has(s.id)) {
      branches.push({ kind: 'copy', resource: s, fromSnapshotId: s.copiedFromId });
    }
  }

  // Incremental links: each member against the previous member; the first against the origin.
  const links: ChainLink[] = [];
  const parentOf = new Map<string, string>();
  let previous: Snapshot | undefined = origin;
  for (const s of members) {
    if (!isIncrementalMember(s)) {
      links.push({ snapshot: s });
      continue;
    }
    links.push({ snapshot: s, previous });
    if (previous) {
      parentOf.set(s.id, previous.id);
    }
    previous = s;
  }
  // Restored disks: their first snapshot is incremental against the chain snapshot they came from,
  // so it keeps blocks of that snapshot alive when it is deleted.
  for (const b of branches) {
    if (b.kind !== 'disk') {
      continue;
    }
    const first = snapshots.filter((s) => s.diskId === b.resource.id && isIncrementalMember(s)).sort(byTime)[0];
    const from = members.find((m) => m.id === b.fromSnapshotId);
    if (first && from) {
      links.push({ snapshot: first, previous: from });
      parentOf.set(first.id, from.id);
    }
  }
  const vmIds = new Set(disk?.attachments.map((a) => a.vmId) ?? []);
  return {
    key,
    disk,
    diskId,
    origin,
    snapshots: members,
    branches,
    links,
    parentOf,
    policies: (disk?.policyIds ?? []).flatMap((id) => policies.get(id) ?? []),
    restorePoints: restorePoints
      .filter((p) => vmIds.has(p.vmId) && (!p.diskIds || (diskId !== undefined && p.diskIds.includes(diskId))))
      .sort((a, b) => -byCreated(a, b)),
    backups,
  };
}

/** Where a snapshot sits among its disk's incremental snapshots (time order). */
export type ChainPosition = 'only' | 'oldest' | 'middle' | 'newest' | 'standalone';

/** `only`, `oldest`, `middle` or `newest` among the incremental members; `standalone` for a full copy or one not in the chain. */
export function chainPosition(chain: Chain, snapshotId: string): ChainPosition {
  const members = chain.snapshots.filter(isIncrementalMember);
  const i = members.findIndex((s) => s.id === snapshotId);
  if (i < 0) {
    return 'standalone';
  }
  if (members.length === 1) {
    return 'only';
  }
  return i === 0 ? 'oldest' : i === members.length - 1 ? 'newest' : 'middle';
}

// --- figures -------------------------------------------------------------------------------------

export interface StoredFigure {
  bytes: number;
  /** Exact block accounting (true), or a figure the cloud reports (false: shown as reported). */
  exact: boolean;
  note?: string;
}

export interface DeleteImpact {
  /** Bytes released (with `bound`: at most this many). */
  freedBytes?: number;
  /** Bytes handed over to each child that still needs them. */
  moved: { snapshotId: string; bytes: number }[];
  /** `exact`: block accounting; `bound`: only stored bytes are known; `unavailable`: nothing known. */
  kind: 'exact' | 'bound' | 'unavailable';
  /** Why there is no figure, or what the bound means. */
  note?: string;
  /** What would refuse or break the delete (an image using it, an open export, a copy in progress). */
  blockers: string[];
  /** What depends on it without blocking (restored disks, finished copies). */
  affected: string[];
}

export interface ChainFigures {
  stored: Map<string, StoredFigure>;
  /** Why a snapshot has no stored figure. */
  missing: Map<string, string>;
  impact: Map<string, DeleteImpact>;
  totals: {
    count: number;
    /** Σ stored bytes of the snapshots with a figure. */
    storedBytes: number;
    /** How many snapshots have a stored figure. */
    storedKnown: number;
    /** Σ disk size of every snapshot: what full copies would take. */
    fullCopyBytes: number;
  };
}

const GIB = 1024 ** 3;

function label(r: Resource): string {
  return r.name && r.name.trim() ? `${r.name} (${r.id})` : r.id;
}

/** The stored figure of a snapshot from its facts (or the snapshot's own `storedBytes`). */
function storedOf(s: Snapshot, f: SnapshotFacts | undefined): StoredFigure | undefined {
  if (f?.ownBlocks && f.blockSize) {
    return { bytes: f.ownBlocks.length * f.blockSize, exact: true, note: f.note };
  }
  if (f?.storedBytes !== undefined) {
    return { bytes: f.storedBytes, exact: false, note: f.note };
  }
  if (s.storedBytes !== undefined) {
    return { bytes: s.storedBytes, exact: false, note: f?.note ?? 'as reported by the cloud' };
  }
  return undefined;
}

/** Sizes, totals and the delete preview of every snapshot of a chain. */
export function chainFigures(
  chain: Chain,
  facts: ChainFacts | undefined,
  pendingReason = 'figures are being fetched',
  /** True while `facts` is what has arrived so far: a snapshot without a figure is still pending. */
  partial = false,
): ChainFigures {
  const factOf = (id: string): SnapshotFacts | undefined => facts?.snapshots[id];
  const why = (s: Snapshot): string => {
    if (s.phase === 'pending') {
      return 'not completed yet';
    }
    return factOf(s.id)?.unavailable ?? facts?.unavailable ?? (facts && !partial ? 'not reported' : pendingReason);
  };
  const stored = new Map<string, StoredFigure>();
  const missing = new Map<string, string>();
  const all = [...chain.snapshots, ...chain.links.map((l) => l.snapshot)];
  for (const s of all) {
    const fig = storedOf(s, factOf(s.id));
    if (fig) {
      stored.set(s.id, fig);
    } else {
      missing.set(s.id, why(s));
    }
  }

  // children: every snapshot incremental against each member.
  const children = new Map<string, Snapshot[]>();
  for (const l of chain.links) {
    const parent = chain.parentOf.get(l.snapshot.id);
    if (parent) {
      children.set(parent, [...(children.get(parent) ?? []), l.snapshot]);
    }
  }
  const impact = new Map<string, DeleteImpact>();
  for (const s of chain.snapshots) {
    impact.set(s.id, deleteImpact(chain, s, children.get(s.id) ?? [], stored, factOf, why));
  }

  let storedBytes = 0;
  let storedKnown = 0;
  let fullCopyBytes = 0;
  for (const s of chain.snapshots) {
    fullCopyBytes += s.sizeGiB * GIB;
    const fig = stored.get(s.id);
    if (fig) {
      storedBytes += fig.bytes;
      storedKnown++;
    }
  }
  return { stored, missing, impact, totals: { count: chain.snapshots.length, storedBytes, storedKnown, fullCopyBytes } };
}

function deleteImpact(
  chain: Chain,
  s: Snapshot,
  kids: Snapshot[],
  stored: Map<string, StoredFigure>,
  factOf: (id: string) => SnapshotFacts | undefined,
  why: (s: Snapshot) => string,
): DeleteImpact {
  const blockers: string[] = [];
  const affected: string[] = [];
  if (s.phase === 'pending') {
    blockers.push('it is still being taken');
  }
  for (const b of chain.branches) {
    if (b.fromSnapshotId !== s.id) {
      continue;
    }
    if (b.kind === 'image') {
      blockers.push(`image ${label(b.resource)} uses it`);
    } else if (b.kind === 'copy') {
      if (b.resource.phase === 'pending') {
        blockers.push(`a copy is being made from it: ${label(b.resource)}`);
      } else {
        affected.push(`copy ${label(b.resource)} is independent and stays`);
      }
    } else {
      affected.push(`disk ${label(b.resource)} was restored from it and keeps working`);
    }
  }
  if (s.export) {
    blockers.push('an export (download URL) is open');
  }
  const base = { blockers, affected };
  const own = factOf(s.id);
  if (own?.ownBlocks && own.blockSize) {
    const blockSize = own.blockSize;
    if (kids.some((k) => k.phase === 'pending')) {
      return { ...base, moved: [], kind: 'unavailable', note: 'a later snapshot is still being taken: the preview is known once it completes' };
    }
    const lacking = kids.find((k) => !factOf(k.id)?.ownBlocks);
    if (lacking) {
      return {
        ...base,
        moved: [],
        freedBytes: own.ownBlocks.length * blockSize,
        kind: 'bound',
        note: `at most this much: the blocks of ${label(lacking)} are not known (${why(lacking)})`,
      };
    }
    const needed = new Set<number>();
    const moved: { snapshotId: string; bytes: number }[] = [];
    for (const k of kids) {
      const kf = factOf(k.id) as SnapshotFacts;
      const changed = new Set([...(kf.ownBlocks ?? []), ...(kf.zeroedBlocks ?? [])]);
      let n = 0;
      for (const b of own.ownBlocks) {
        if (!changed.has(b)) {
          needed.add(b);
          n++;
        }
      }
      if (n > 0) {
        moved.push({ snapshotId: k.id, bytes: n * blockSize });
      }
    }
    return { ...base, moved, freedBytes: (own.ownBlocks.length - needed.size) * blockSize, kind: 'exact' };
  }
  const fig = stored.get(s.id);
  if (fig) {
    if (kids.length === 0) {
      return { ...base, moved: [], freedBytes: fig.bytes, kind: 'exact', note: 'the newest snapshot: everything it stores is released' };
    }
    return {
      ...base,
      moved: [],
      freedBytes: fig.bytes,
      kind: 'bound',
      note: `estimate: at most this much is released; blocks that ${kids.map((k) => k.name || k.id).join(', ')} still ${kids.length === 1 ? 'needs move to it' : 'need move to them'} (the cloud reports only totals per snapshot, not blocks)`,
    };
  }
  return { ...base, moved: [], kind: 'unavailable', note: why(s) };
}

// --- backups -------------------------------------------------------------------------------------

/** One backup of a chain, where it sits among the others. */
export interface BackupRow {
  backup: Backup;
  /**
   * How far it is drawn in: a chain that goes on (a parent's oldest dependent) stays at its
   * parent's level; a second dependent of the same parent starts a branch one level in. Full
   * backups, and those whose parent is not listed, are at 0.
   */
  level: number;
  /** Its parent, when listed. */
  parent?: Backup;
  /** The listed backups incremental against it, oldest first. */
  dependents: Backup[];
}

/** What deleting a backup would do: the cloud's rule (no dependents) and what it frees. */
export interface BackupDeleteImpact {
  /** Why the cloud would refuse it now (backups depending on it, still being made); empty: it can go. */
  blockers: string[];
  /** Everything it stores, freed (no other backup holds its data), in bytes when the cloud says. */
  freedBytes?: number;
  /** …or in objects of the backup store, when that is all the cloud says. */
  freedObjects?: number;
}

export interface BackupFigures {
  /** Every backup once: each family depth first (parents before dependents), oldest first at each step. */
  rows: BackupRow[];
  impact: Map<string, BackupDeleteImpact>;
  totals: {
    count: number;
    /** Σ stored bytes of the backups whose bytes are known, and how many those are. */
    storedBytes: number;
    storedKnown: number;
    /** Σ objects of the backups whose object count (but not bytes) is known, and how many those are. */
    objects: number;
    objectsKnown: number;
    /** Σ disk size of every backup: what full copies would take. */
    fullCopyBytes: number;
  };
}

/** Why a backup has no stored figure. */
export function backupMissing(b: Backup): string {
  return b.phase === 'pending' ? 'not completed yet' : 'not reported by the cloud';
}

/** The rows, delete previews and totals of a disk's backups (`backups` oldest first, as in a Chain). */
export function backupFigures(backups: readonly Backup[]): BackupFigures {
  const byId = new Map(backups.map((b) => [b.id, b]));
  const dependents = new Map<string, Backup[]>();
  for (const b of backups) {
    if (b.parentId !== undefined && b.parentId !== b.id && byId.has(b.parentId)) {
      dependents.set(b.parentId, [...(dependents.get(b.parentId) ?? []), b]);
    }
  }
  const rows: BackupRow[] = [];
  const seen = new Set<string>();
  /** Depth first without recursion (a chain may be thousands long); a cycle in hostile data ends where it closes. */
  const walk = (root: Backup): void => {
    const stack: { backup: Backup; level: number }[] = [{ backup: root, level: 0 }];
    while (stack.length) {
      const { backup, level } = stack.pop() as { backup: Backup; level: number };
      if (seen.has(backup.id)) {
        continue;
      }
      seen.add(backup.id);
      const kids = dependents.get(backup.id) ?? [];
      const parent = backup.parentId === undefined ? undefined : byId.get(backup.parentId);
      rows.push({ backup, level, ...(parent && parent !== backup ? { parent } : {}), dependents: kids });
      // The oldest dependent goes on at this level; later ones branch one in. Pushed newest first.
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push({ backup: kids[i], level: i === 0 ? level : level + 1 });
      }
    }
  };
  for (const b of backups) {
    if (b.parentId === undefined || !byId.has(b.parentId) || b.parentId === b.id) {
      walk(b);
    }
  }
  for (const b of backups) {
    walk(b);
  }

  const impact = new Map<string, BackupDeleteImpact>();
  const totals = { count: backups.length, storedBytes: 0, storedKnown: 0, objects: 0, objectsKnown: 0, fullCopyBytes: 0 };
  for (const b of backups) {
    const blockers: string[] = [];
    if (b.phase === 'pending') {
      blockers.push('it is still being made');
    }
    const kids = dependents.get(b.id) ?? [];
    for (const k of kids) {
      blockers.push(`incremental backup ${label(k)} depends on it`);
    }
    if (b.hasDependents && kids.length === 0) {
      blockers.push('incremental backups depend on it (the cloud says so; they are not listed here)');
    }
    const row: BackupDeleteImpact = { blockers };
    if (b.storedBytes !== undefined) {
      row.freedBytes = b.storedBytes;
      totals.storedBytes += b.storedBytes;
      totals.storedKnown++;
    } else if (b.objectCount !== undefined) {
      row.freedObjects = b.objectCount;
      totals.objects += b.objectCount;
      totals.objectsKnown++;
    }
    totals.fullCopyBytes += b.sizeGiB * GIB;
    impact.set(b.id, row);
  }
  return { rows, impact, totals };
}
