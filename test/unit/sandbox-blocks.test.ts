import assert from 'node:assert/strict';
import { BLOCK_SIZE, BlockStore, pickDistinctIndices, seededRandom } from '../../src/sandbox/blocks';

const MiB = 1024 * 1024;
const GiB_BLOCKS = 2048;

/**
 * The model's invariant: every non-zero block of a snapshot is stored by the snapshot itself or
 * by the nearest ancestor holding the same content — i.e. the chain can rebuild the snapshot.
 */
function assertRestorable(store: BlockStore, snapshotId: string): void {
  const chain = store.ancestry(snapshotId).map((id) => store.getSnapshot(id));
  const target = chain[0];
  assert.ok(target);
  for (const [index, content] of target.full) {
    const owner = chain.find((s) => s?.owned.has(index) && s.full.get(index) === content);
    assert.ok(owner, `block ${index} of ${snapshotId} is stored by no snapshot of its chain`);
  }
}

function totalStored(store: BlockStore, ids: string[]): number {
  return ids.filter((id) => store.hasSnapshot(id)).reduce((n, id) => n + store.storedBytes(id), 0);
}

describe('sandbox block model', () => {
  it('stores exactly the written MiB in each incremental snapshot', () => {
    const store = new BlockStore();
    store.createDisk('d1', 8 * GiB_BLOCKS);
    assert.equal(store.writeMiB('d1', 50), 100);
    const s1 = store.snapshot('d1', 's1');
    assert.equal(store.storedBytes('s1'), 50 * MiB);
    assert.equal(s1.parent, undefined);

    assert.equal(store.writeMiB('d1', 30), 60);
    const s2 = store.snapshot('d1', 's2');
    assert.equal(store.storedBytes('s2'), 30 * MiB);
    assert.equal(s2.parent, 's1');
    assert.equal(store.changedBlocks('s1', 's2').length, 60);

    // No writes: the next snapshot stores nothing and nothing changed.
    store.snapshot('d1', 's3');
    assert.equal(store.storedBytes('s3'), 0);
    assert.deepEqual(store.changedBlocks('s2', 's3'), []);
    assert.equal(BLOCK_SIZE, 512 * 1024);
  });

  it('chooses the written blocks deterministically', () => {
    const run = () => {
      const store = new BlockStore();
      store.createDisk('vol-a', 4 * GiB_BLOCKS);
      store.writeMiB('vol-a', 20);
      store.writeMiB('vol-a', 7);
      store.snapshot('vol-a', 'snap');
      return store.nonZeroBlocks('snap');
    };
    const first = run();
    assert.deepEqual(run(), first);
    assert.ok(first.length >= 40 && first.length <= 54);
    // Indices are distinct and inside the disk.
    const picked = pickDistinctIndices(500, 1000, seededRandom(7));
    assert.equal(new Set(picked).size, 500);
    assert.ok(picked.every((i) => i >= 0 && i < 1000));
    assert.equal(pickDistinctIndices(20, 10, seededRandom(1)).length, 10);
  });

  it('caps a write at the disk size', () => {
    const store = new BlockStore();
    store.createDisk('tiny', 10);
    assert.equal(store.writeMiB('tiny', 50), 10);
    store.snapshot('tiny', 's');
    assert.equal(store.storedBytes('s'), 10 * BLOCK_SIZE);
  });

  it('hands blocks of a deleted middle snapshot to the next one and frees the rest', () => {
    const store = new BlockStore();
    // A 100 MiB disk, so that the writes overlap a little.
    store.createDisk('d', 200);
    store.writeMiB('d', 50);
    store.snapshot('d', 's1');
    store.writeMiB('d', 30);
    store.snapshot('d', 's2');
    store.writeMiB('d', 20);
    store.snapshot('d', 's3');
    const all = ['s1', 's2', 's3'];

    // Oracle: s2's blocks that the third write did not overwrite are still needed by s3.
    const secondWrite = new Set(store.changedBlocks('s1', 's2'));
    const thirdWrite = new Set(store.changedBlocks('s2', 's3'));
    const overwritten = [...secondWrite].filter((i) => thirdWrite.has(i)).length;
    const expectedMoved = (60 - overwritten) * BLOCK_SIZE;
    const expectedFreed = overwritten * BLOCK_SIZE;
    // The seeded choice of blocks makes these figures fixed.
    assert.equal(overwritten, 14);
    assert.equal(expectedMoved, 46 * BLOCK_SIZE);
    assert.equal(expectedFreed, 7 * MiB);

    const impact = store.deleteImpact('s2');
    assert.equal(impact.freedBytes, expectedFreed);
    assert.deepEqual(impact.moved, [{ snapshotId: 's3', blocks: 60 - overwritten, bytes: expectedMoved }]);

    const before = totalStored(store, all);
    const storedS3 = store.storedBytes('s3');
    const changedS1S3 = store.changedBlocks('s1', 's3');
    assert.deepEqual(store.deleteSnapshot('s2'), impact);
    assert.equal(store.hasSnapshot('s2'), false);
    assert.equal(store.getSnapshot('s3')?.parent, 's1');
    assert.equal(store.storedBytes('s3'), storedS3 + expectedMoved);
    assert.equal(store.storedBytes('s1'), 50 * MiB);
    assert.equal(totalStored(store, all), before - expectedFreed);
    assert.deepEqual(store.changedBlocks('s1', 's3'), changedS1S3);
    assertRestorable(store, 's3');

    // The disk's next snapshot is incremental against s3 as before.
    store.writeMiB('d', 1);
    store.snapshot('d', 's4');
    assert.equal(store.storedBytes('s4'), 1 * MiB);
  });

  it('frees everything a deleted snapshot owned when the next one overwrote it all', () => {
    const store = new BlockStore();
    store.createDisk('d', 100); // 50 MiB of blocks
    store.writeMiB('d', 50); // every block
    store.snapshot('d', 'a');
    store.writeMiB('d', 30);
    store.snapshot('d', 'b');
    store.writeMiB('d', 50); // every block again
    store.snapshot('d', 'c');
    const impact = store.deleteSnapshot('b');
    assert.equal(impact.freedBytes, 30 * MiB);
    assert.deepEqual(impact.moved, []);
    assert.equal(store.storedBytes('c'), 50 * MiB);
  });

  it('frees a last snapshot entirely and keeps the disk incremental against its parent', () => {
    const store = new BlockStore();
    store.createDisk('d', GiB_BLOCKS);
    store.writeMiB('d', 10);
    store.snapshot('d', 'a');
    store.writeMiB('d', 4);
    store.snapshot('d', 'b');
    assert.deepEqual(store.deleteSnapshot('b'), { snapshotId: 'b', freedBlocks: 8, freedBytes: 4 * MiB, moved: [] });
    // The disk still holds the 4 MiB b had: the next snapshot, against a, stores them again.
    store.snapshot('d', 'c');
    assert.equal(store.getSnapshot('c')?.parent, 'a');
    assert.equal(store.storedBytes('c'), 4 * MiB);
  });

  it('makes the first snapshot of a restored disk incremental against its source', () => {
    const store = new BlockStore();
    store.createDisk('src', 8 * GiB_BLOCKS);
    store.writeMiB('src', 100);
    store.snapshot('src', 'base');
    const restored = store.createDisk('copy', 8 * GiB_BLOCKS, 'base');
    assert.equal(restored.lineageParent, 'base');
    assert.deepEqual(store.getDisk('copy')?.blocks, store.getSnapshot('base')?.full);

    store.writeMiB('copy', 5);
    const first = store.snapshot('copy', 'copy-1');
    assert.equal(first.parent, 'base');
    assert.equal(store.storedBytes('copy-1'), 5 * MiB);
    assert.ok(store.related('base', 'copy-1'));
    assert.equal(store.changedBlocks('base', 'copy-1').length, 10);
    assertRestorable(store, 'copy-1');

    // Writing the restored disk never alters the source snapshot.
    assert.equal(store.nonZeroBlocks('base').length, 200);
    assert.equal(store.storedBytes('base'), 100 * MiB);
  });

  it('gives each child of a deleted snapshot the blocks it needs', () => {
    const store = new BlockStore();
    store.createDisk('d', 4 * GiB_BLOCKS);
    store.writeMiB('d', 20);
    store.snapshot('d', 'root');
    store.writeMiB('d', 10);
    store.snapshot('d', 'mid');
    // Two children of "mid": the disk's next snapshot and a restored disk's first one.
    store.writeMiB('d', 3);
    store.snapshot('d', 'next');
    store.createDisk('r', 4 * GiB_BLOCKS, 'mid');
    store.writeMiB('r', 2);
    store.snapshot('r', 'r1');
    const impact = store.deleteSnapshot('mid');
    const moved = new Map(impact.moved.map((m) => [m.snapshotId, m.bytes]));
    assert.ok((moved.get('next') ?? 0) > 0);
    assert.ok((moved.get('r1') ?? 0) > 0);
    assert.equal(store.getSnapshot('next')?.parent, 'root');
    assert.equal(store.getSnapshot('r1')?.parent, 'root');
    assertRestorable(store, 'next');
    assertRestorable(store, 'r1');
  });

  it('counts zeroed blocks as changed but never stores them', () => {
    const store = new BlockStore();
    store.createDisk('d', GiB_BLOCKS);
    store.writeMiB('d', 10);
    store.snapshot('d', 'a');
    assert.equal(store.trimMiB('d', 2), 4);
    store.snapshot('d', 'b');
    assert.equal(store.storedBytes('b'), 0);
    assert.equal(store.changedBlocks('a', 'b').length, 4);
    assert.equal(store.nonZeroBlocks('b').length, 16);
  });

  it('copies a snapshot in full, unrelated to its source', () => {
    const store = new BlockStore();
    store.createDisk('d', GiB_BLOCKS);
    store.writeMiB('d', 8);
    store.snapshot('d', 'a');
    store.writeMiB('d', 2);
    store.snapshot('d', 'b');
    store.copySnapshot('b', 'b-copy');
    assert.equal(store.storedBytes('b-copy'), store.fullBytes('b'));
    assert.equal(store.related('b', 'b-copy'), false);
    assert.deepEqual(store.nonZeroBlocks('b-copy'), store.nonZeroBlocks('b'));
  });

  it('survives a JSON round trip, sharing and copy-on-write included', () => {
    const store = new BlockStore();
    store.createDisk('d', GiB_BLOCKS);
    store.writeMiB('d', 6);
    store.snapshot('d', 'a');
    store.snapshot('d', 'a2');
    store.writeMiB('d', 3);
    store.snapshot('d', 'b');
    const json = store.toJSON();
    // a and a2 share one map.
    assert.equal(json.snapshots.find((s) => s.id === 'a')?.map, json.snapshots.find((s) => s.id === 'a2')?.map);
    const reloaded = BlockStore.fromJSON(JSON.parse(JSON.stringify(json)));
    for (const id of ['a', 'a2', 'b']) {
      assert.equal(reloaded.storedBytes(id), store.storedBytes(id));
      assert.deepEqual(reloaded.nonZeroBlocks(id), store.nonZeroBlocks(id));
    }
    const frozen = reloaded.nonZeroBlocks('b');
    reloaded.writeMiB('d', 1);
    assert.deepEqual(reloaded.nonZeroBlocks('b'), frozen);
    reloaded.snapshot('d', 'c');
    assert.equal(reloaded.storedBytes('c'), 1 * MiB);
    assert.equal(reloaded.getSnapshot('c')?.parent, 'b');
  });
});
