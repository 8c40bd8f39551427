/**
 * The sandbox's cloud-neutral block model: disks are sparse maps of 512 KiB blocks, snapshots
 * are incremental against their lineage parent, and deleting a snapshot hands the blocks a
 * later snapshot still needs over to it. Every cloud's sandbox state builds on this.
 *
 * Terms:
 * - A block's *content id* is a number standing for its 512 KiB of data; an unwritten (zero)
 *   block is simply absent from a map. Writing new data gives a block a fresh content id.
 * - A snapshot's *full map* is the content of every non-zero block as of the snapshot; it is
 *   immutable, so snapshots and disks share map objects until the disk is written again.
 * - A snapshot *owns* (stores) the blocks whose content differs from its parent's full map.
 *   Invariant: every block of a snapshot's full map is owned by the snapshot itself or by the
 *   nearest ancestor whose full map has the same content there.
 */

export const BLOCK_SIZE = 512 * 1024;
export const BLOCKS_PER_MIB = (1024 * 1024) / BLOCK_SIZE;
export const BLOCKS_PER_GIB = 1024 * BLOCKS_PER_MIB;

export type BlockMap = ReadonlyMap<number, number>;

export interface DiskBlocks {
  readonly id: string;
  /** The disk's size in blocks; writes land in [0, sizeBlocks). */
  sizeBlocks: number;
  /** Block index → content id. Shared read-only with a snapshot until the next write. */
  blocks: BlockMap;
  /** The snapshot the next snapshot of this disk is incremental against. */
  lineageParent?: string;
  /** Snapshots of one lineage (a disk, the disks restored from it, …) can be compared. */
  lineageId: string;
  /** How many writes the disk has had; seeds the choice of blocks of the next write. */
  writes: number;
}

export interface SnapshotBlocks {
  readonly id: string;
  /** The disk it was taken of; absent for copies. */
  readonly diskId?: string;
  readonly sizeBlocks: number;
  readonly full: BlockMap;
  /** The lineage parent; changes when the parent is deleted. */
  parent?: string;
  /** The blocks this snapshot stores; grows when a parent is deleted. */
  readonly owned: Set<number>;
  readonly lineageId: string;
  /** Creation order, increasing. */
  readonly seq: number;
}

export interface DeleteImpact {
  snapshotId: string;
  /** Blocks no remaining snapshot needs: their storage is released. */
  freedBlocks: number;
  freedBytes: number;
  /** Blocks handed over to a child snapshot that still needs them. */
  moved: { snapshotId: string; blocks: number; bytes: number }[];
}

/** A deterministic 32-bit PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, for seeding. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** `count` distinct indices in [0, range), chosen by `random`; all of them if count ≥ range. */
export function pickDistinctIndices(count: number, range: number, random: () => number): number[] {
  if (count >= range) {
    return Array.from({ length: range }, (_, i) => i);
  }
  if (count * 2 <= range) {
    const chosen = new Set<number>();
    while (chosen.size < count) {
      chosen.add(Math.floor(random() * range));
    }
    return [...chosen];
  }
  // Dense: a partial Fisher–Yates shuffle.
  const all = Array.from({ length: range }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (range - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

function sortedKeys(map: BlockMap): number[] {
  return [...map.keys()].sort((a, b) => a - b);
}

/** Blocks of `full` whose content differs from `base` (zero blocks are never stored). */
function differingBlocks(full: BlockMap, base: BlockMap | undefined): Set<number> {
  const owned = new Set<number>();
  if (full === base) {
    return owned;
  }
  for (const [index, content] of full) {
    if (base?.get(index) !== content) {
      owned.add(index);
    }
  }
  return owned;
}

export class BlockModelError extends Error {}

/** Serialised form of a BlockStore: full maps are stored once however many share them. */
export interface BlockStoreJson {
  version: 1;
  nextContent: number;
  nextSeq: number;
  nextLineage: number;
  /** Each map as a flat [index, content, index, content, …] array. */
  maps: number[][];
  disks: { id: string; sizeBlocks: number; map: number; lineageParent?: string; lineageId: string; writes: number }[];
  snapshots: {
    id: string;
    diskId?: string;
    sizeBlocks: number;
    map: number;
    parent?: string;
    owned: number[];
    lineageId: string;
    seq: number;
  }[];
}

export class BlockStore {
  private readonly disks = new Map<string, DiskBlocks>();
  private readonly snapshots = new Map<string, SnapshotBlocks>();
  /** Maps currently referenced by a snapshot: a disk holding one must copy it before writing. */
  private readonly frozen = new WeakSet<BlockMap>();
  private nextContent = 1;
  private nextSeq = 1;
  private nextLineage = 1;

  // ---- disks -------------------------------------------------------------------------------

  /** A new disk: empty, or restored from a snapshot (then incremental against it). */
  createDisk(id: string, sizeBlocks: number, fromSnapshotId?: string): DiskBlocks {
    if (this.disks.has(id)) {
      throw new BlockModelError(`disk ${id} already exists`);
    }
    let disk: DiskBlocks;
    if (fromSnapshotId !== undefined) {
      const source = this.requireSnapshot(fromSnapshotId);
      disk = {
        id,
        sizeBlocks: Math.max(sizeBlocks, source.sizeBlocks),
        blocks: source.full,
        lineageParent: source.id,
        lineageId: source.lineageId,
        writes: 0,
      };
    } else {
      disk = { id, sizeBlocks, blocks: new Map(), lineageId: `lineage-${this.nextLineage++}`, writes: 0 };
    }
    this.disks.set(id, disk);
    return disk;
  }

  deleteDisk(id: string): void {
    this.disks.delete(id);
  }

  getDisk(id: string): DiskBlocks | undefined {
    return this.disks.get(id);
  }

  hasDisk(id: string): boolean {
    return this.disks.has(id);
  }

  resizeDisk(id: string, sizeBlocks: number): void {
    const disk = this.requireDisk(id);
    disk.sizeBlocks = Math.max(disk.sizeBlocks, sizeBlocks);
  }

  /**
   * Writes `mib` MiB of new content: 2 blocks per MiB at distinct indices chosen by a PRNG
   * seeded with the disk id and its write count (so the same history gives the same blocks).
   * Returns the number of blocks written (capped at the disk size).
   */
  writeMiB(diskId: string, mib: number): number {
    if (!Number.isInteger(mib) || mib < 0) {
      throw new BlockModelError(`cannot write ${mib} MiB: a whole number of MiB is needed`);
    }
    const disk = this.requireDisk(diskId);
    const random = seededRandom(hashString(`${disk.id}#${disk.writes}`));
    disk.writes++;
    const indices = pickDistinctIndices(mib * BLOCKS_PER_MIB, disk.sizeBlocks, random);
    const blocks = this.writableBlocks(disk);
    for (const index of indices) {
      blocks.set(index, this.nextContent++);
    }
    return indices.length;
  }

  /** Zeroes (trims) up to `mib` MiB of the disk's non-zero blocks, chosen deterministically. */
  trimMiB(diskId: string, mib: number): number {
    const disk = this.requireDisk(diskId);
    const present = sortedKeys(disk.blocks);
    const random = seededRandom(hashString(`${disk.id}#trim#${disk.writes}`));
    disk.writes++;
    const chosen = pickDistinctIndices(Math.min(mib * BLOCKS_PER_MIB, present.length), present.length, random);
    const blocks = this.writableBlocks(disk);
    for (const position of chosen) {
      blocks.delete(present[position]);
    }
    return chosen.length;
  }

  // ---- snapshots ---------------------------------------------------------------------------

  /** Takes a snapshot of a disk, incremental against the disk's lineage parent. */
  snapshot(diskId: string, snapshotId: string): SnapshotBlocks {
    if (this.snapshots.has(snapshotId)) {
      throw new BlockModelError(`snapshot ${snapshotId} already exists`);
    }
    const disk = this.requireDisk(diskId);
    const parent = disk.lineageParent === undefined ? undefined : this.snapshots.get(disk.lineageParent);
    const snap: SnapshotBlocks = {
      id: snapshotId,
      diskId,
      sizeBlocks: disk.sizeBlocks,
      full: disk.blocks,
      parent: parent?.id,
      owned: differingBlocks(disk.blocks, parent?.full),
      lineageId: disk.lineageId,
      seq: this.nextSeq++,
    };
    this.frozen.add(disk.blocks);
    this.snapshots.set(snapshotId, snap);
    disk.lineageParent = snapshotId;
    return snap;
  }

  /** A full, independent copy of a snapshot (e.g. to another region): owns every block. */
  copySnapshot(sourceId: string, copyId: string): SnapshotBlocks {
    if (this.snapshots.has(copyId)) {
      throw new BlockModelError(`snapshot ${copyId} already exists`);
    }
    const source = this.requireSnapshot(sourceId);
    const copy: SnapshotBlocks = {
      id: copyId,
      sizeBlocks: source.sizeBlocks,
      full: source.full,
      owned: new Set(source.full.keys()),
      lineageId: `lineage-${this.nextLineage++}`,
      seq: this.nextSeq++,
    };
    this.snapshots.set(copyId, copy);
    return copy;
  }

  /**
   * A full snapshot of a disk (e.g. a cloud's non-incremental snapshot): it owns every non-zero
   * block, starts a lineage of its own and leaves the disk's lineage parent alone, so the disk's
   * next incremental snapshot is still taken against its previous one.
   */
  fullSnapshot(diskId: string, snapshotId: string): SnapshotBlocks {
    if (this.snapshots.has(snapshotId)) {
      throw new BlockModelError(`snapshot ${snapshotId} already exists`);
    }
    const disk = this.requireDisk(diskId);
    const snap: SnapshotBlocks = {
      id: snapshotId,
      diskId,
      sizeBlocks: disk.sizeBlocks,
      full: disk.blocks,
      owned: new Set(disk.blocks.keys()),
      lineageId: `lineage-${this.nextLineage++}`,
      seq: this.nextSeq++,
    };
    this.frozen.add(disk.blocks);
    this.snapshots.set(snapshotId, snap);
    return snap;
  }

  /**
   * A copy of a snapshot that is incremental against `baseId` (an earlier copy of the same
   * lineage in the copy's own place, e.g. the previous cross-region copy of a snapshot
   * family): it stores only the blocks that differ from the base. Without a base it is full.
   */
  copySnapshotIncremental(sourceId: string, copyId: string, baseId: string | undefined): SnapshotBlocks {
    if (baseId === undefined) {
      return this.copySnapshot(sourceId, copyId);
    }
    if (this.snapshots.has(copyId)) {
      throw new BlockModelError(`snapshot ${copyId} already exists`);
    }
    const source = this.requireSnapshot(sourceId);
    const base = this.requireSnapshot(baseId);
    const copy: SnapshotBlocks = {
      id: copyId,
      sizeBlocks: source.sizeBlocks,
      full: source.full,
      parent: base.id,
      owned: differingBlocks(source.full, base.full),
      lineageId: base.lineageId,
      seq: this.nextSeq++,
    };
    this.snapshots.set(copyId, copy);
    return copy;
  }

  getSnapshot(id: string): SnapshotBlocks | undefined {
    return this.snapshots.get(id);
  }

  hasSnapshot(id: string): boolean {
    return this.snapshots.has(id);
  }

  /** Bytes this snapshot really stores. */
  storedBytes(snapshotId: string): number {
    return this.requireSnapshot(snapshotId).owned.size * BLOCK_SIZE;
  }

  /** Bytes of data (non-zero blocks) on the disk as of the snapshot. */
  fullBytes(snapshotId: string): number {
    return this.requireSnapshot(snapshotId).full.size * BLOCK_SIZE;
  }

  /** The non-zero block indices of a snapshot, ascending. */
  nonZeroBlocks(snapshotId: string): number[] {
    return sortedKeys(this.requireSnapshot(snapshotId).full);
  }

  /** Content id of one block of a snapshot (undefined = zero). */
  blockContent(snapshotId: string, index: number): number | undefined {
    return this.requireSnapshot(snapshotId).full.get(index);
  }

  /** Whether two snapshots belong to the same lineage (and so can be compared). */
  related(firstId: string, secondId: string): boolean {
    return this.requireSnapshot(firstId).lineageId === this.requireSnapshot(secondId).lineageId;
  }

  /** Indices whose content differs between two snapshots (including blocks zeroed in one), ascending. */
  changedBlocks(firstId: string, secondId: string): number[] {
    const first = this.requireSnapshot(firstId).full;
    const second = this.requireSnapshot(secondId).full;
    if (first === second) {
      return [];
    }
    const changed = new Set<number>();
    for (const [index, content] of second) {
      if (first.get(index) !== content) {
        changed.add(index);
      }
    }
    for (const index of first.keys()) {
      if (!second.has(index)) {
        changed.add(index);
      }
    }
    return [...changed].sort((a, b) => a - b);
  }

  /** The lineage of a snapshot, itself first, then its parent, … */
  ancestry(snapshotId: string): string[] {
    const chain: string[] = [];
    let current: SnapshotBlocks | undefined = this.requireSnapshot(snapshotId);
    while (current) {
      chain.push(current.id);
      current = current.parent === undefined ? undefined : this.snapshots.get(current.parent);
    }
    return chain;
  }

  children(snapshotId: string): SnapshotBlocks[] {
    const result: SnapshotBlocks[] = [];
    for (const snap of this.snapshots.values()) {
      if (snap.parent === snapshotId) {
        result.push(snap);
      }
    }
    return result.sort((a, b) => a.seq - b.seq);
  }

  /** What deleting a snapshot would free and hand over, without deleting it. */
  deleteImpact(snapshotId: string): DeleteImpact {
    return this.planDelete(snapshotId).impact;
  }

  /** Deletes a snapshot: blocks children still need move to them, the rest is freed. */
  deleteSnapshot(snapshotId: string): DeleteImpact {
    const snap = this.requireSnapshot(snapshotId);
    const { impact, handover } = this.planDelete(snapshotId);
    for (const [child, blocks] of handover) {
      for (const index of blocks) {
        child.owned.add(index);
      }
    }
    for (const child of this.children(snapshotId)) {
      child.parent = snap.parent;
    }
    for (const disk of this.disks.values()) {
      if (disk.lineageParent === snapshotId) {
        disk.lineageParent = snap.parent;
      }
    }
    this.snapshots.delete(snapshotId);
    return impact;
  }

  // ---- persistence -------------------------------------------------------------------------

  toJSON(): BlockStoreJson {
    const mapIds = new Map<BlockMap, number>();
    const maps: number[][] = [];
    const mapId = (map: BlockMap): number => {
      let id = mapIds.get(map);
      if (id === undefined) {
        id = maps.length;
        mapIds.set(map, id);
        const flat: number[] = [];
        for (const [index, content] of map) {
          flat.push(index, content);
        }
        maps.push(flat);
      }
      return id;
    };
    return {
      version: 1,
      nextContent: this.nextContent,
      nextSeq: this.nextSeq,
      nextLineage: this.nextLineage,
      maps,
      snapshots: [...this.snapshots.values()].map((s) => ({
        id: s.id,
        diskId: s.diskId,
        sizeBlocks: s.sizeBlocks,
        map: mapId(s.full),
        parent: s.parent,
        owned: [...s.owned].sort((a, b) => a - b),
        lineageId: s.lineageId,
        seq: s.seq,
      })),
      disks: [...this.disks.values()].map((d) => ({
        id: d.id,
        sizeBlocks: d.sizeBlocks,
        map: mapId(d.blocks),
        lineageParent: d.lineageParent,
        lineageId: d.lineageId,
        writes: d.writes,
      })),
    };
  }

  static fromJSON(json: BlockStoreJson): BlockStore {
    if (json.version !== 1) {
      throw new BlockModelError(`unsupported block store version ${String(json.version)}`);
    }
    const store = new BlockStore();
    store.nextContent = json.nextContent;
    store.nextSeq = json.nextSeq;
    store.nextLineage = json.nextLineage;
    const maps = json.maps.map((flat) => {
      const map = new Map<number, number>();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        map.set(flat[i], flat[i + 1]);
      }
      return map;
    });
    for (const s of json.snapshots) {
      const full = maps[s.map];
      store.frozen.add(full);
      store.snapshots.set(s.id, {
        id: s.id,
        diskId: s.diskId,
        sizeBlocks: s.sizeBlocks,
        full,
        parent: s.parent,
        owned: new Set(s.owned),
        lineageId: s.lineageId,
        seq: s.seq,
      });
    }
    for (const d of json.disks) {
      store.disks.set(d.id, {
        id: d.id,
        sizeBlocks: d.sizeBlocks,
        blocks: maps[d.map],
        lineageParent: d.lineageParent,
        lineageId: d.lineageId,
        writes: d.writes,
      });
    }
    return store;
  }

  // ---- internals ---------------------------------------------------------------------------

  private planDelete(snapshotId: string): { impact: DeleteImpact; handover: Map<SnapshotBlocks, number[]> } {
    const snap = this.requireSnapshot(snapshotId);
    const children = this.children(snapshotId);
    const handover = new Map<SnapshotBlocks, number[]>();
    let freedBlocks = 0;
    for (const index of snap.owned) {
      const content = snap.full.get(index);
      let needed = false;
      for (const child of children) {
        if (child.full.get(index) === content && !child.owned.has(index)) {
          needed = true;
          const list = handover.get(child) ?? [];
          list.push(index);
          handover.set(child, list);
        }
      }
      if (!needed) {
        freedBlocks++;
      }
    }
    const moved = [...handover].map(([child, blocks]) => ({
      snapshotId: child.id,
      blocks: blocks.length,
      bytes: blocks.length * BLOCK_SIZE,
    }));
    return { impact: { snapshotId, freedBlocks, freedBytes: freedBlocks * BLOCK_SIZE, moved }, handover };
  }

  /** The disk's own map, copied first if a snapshot shares it. */
  private writableBlocks(disk: DiskBlocks): Map<number, number> {
    if (this.frozen.has(disk.blocks)) {
      disk.blocks = new Map(disk.blocks);
    }
    // A map no snapshot references is always one this store created for the disk alone.
    return disk.blocks as Map<number, number>;
  }

  private requireDisk(id: string): DiskBlocks {
    const disk = this.disks.get(id);
    if (!disk) {
      throw new BlockModelError(`no disk ${id}`);
    }
    return disk;
  }

  private requireSnapshot(id: string): SnapshotBlocks {
    const snap = this.snapshots.get(id);
    if (!snap) {
      throw new BlockModelError(`no snapshot ${id}`);
    }
    return snap;
  }
}
