import assert from 'node:assert/strict';
import { deleteWording } from '../../src/adapters/gcp/plans';
import type { GcpSnapshot } from '../../src/adapters/gcp/map';
import { deleteLoss, lossText } from '../../src/core/deleteLoss';
import type { RelatedResources } from '../../src/model/adapter';
import { buildChain, chainPosition, type ChainFacts, type ChainLink } from '../../src/model/chain';
import type { Snapshot } from '../../src/model/types';
import { formatDate } from '../../src/model/units';

const MIB = 1024 * 1024;
const BLOCK = 512 * 1024;

function snap(id: string, name: string, day: number, extra: Partial<Snapshot> = {}): Snapshot {
  return { kind: 'snapshot', id, name, scopeId: 'r', state: 'completed', phase: 'ready', tags: [], diskId: 'vol-1', sizeGiB: 8, encrypted: false, createdAt: `2026-01-0${day}T10:00:00.000Z`, ...extra };
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('what deleting a snapshot loses', () => {
  const a = snap('snap-a', 'nightly-1', 1);
  const b = snap('snap-b', 'nightly-2', 2);
  const c = snap('snap-c', 'nightly-3', 3);

  it('exact: frees the blocks no child needs and names the child that takes the rest (from chainFacts of only the links that matter)', async () => {
    // a owns blocks 0–999 (500 MiB); b overwrote blocks 0–1 (1 MiB): deleting a frees 1 MiB, moves 499 MiB to b.
    const asked: string[][] = [];
    const adapter = {
      chainFacts: (links: ChainLink[]): Promise<ChainFacts> => {
        asked.push(links.map((l) => l.snapshot.id));
        return Promise.resolve({
          source: 'blocks',
          snapshots: {
            'snap-a': { ownBlocks: range(0, 1000), blockSize: BLOCK },
            'snap-b': { ownBlocks: range(0, 2), blockSize: BLOCK },
            'snap-c': { ownBlocks: range(5000, 4), blockSize: BLOCK },
          },
        });
      },
    };
    const text = await deleteLoss([a, b, c], adapter, 'snap-a', new AbortController().signal);
    assert.equal(text, 'Frees 1.0 MiB · moves 499 MiB to nightly-2.');
    assert.deepEqual(asked, [['snap-a', 'snap-b']], 'only the snapshot and its child are asked about');
    const newest = await deleteLoss([a, b, c], adapter, 'snap-c', new AbortController().signal);
    assert.equal(newest, 'Frees 2.0 MiB (no later snapshot needs its blocks).');
  });

  it('bound: only stored totals known, it says "at most" and why', async () => {
    const text = await deleteLoss([{ ...a, storedBytes: 500 * MIB }, { ...b, storedBytes: MIB }], {}, 'snap-a', new AbortController().signal);
    assert.match(text, /^Frees at most 500 MiB \(estimate: at most this much is released; blocks that nightly-2 still needs move to it/);
  });

  it('unknown: says so honestly, with the reason', async () => {
    assert.equal(await deleteLoss([a, b], {}, 'snap-a', new AbortController().signal), 'How much deleting it frees is not known: this cloud does not report what a snapshot stores.');
    const failing = { chainFacts: () => Promise.reject(new Error('AccessDenied')) };
    assert.match(await deleteLoss([a, b], failing, 'snap-a', new AbortController().signal), /not known: its figures could not be read \(AccessDenied\)/);
    assert.match(lossText(undefined, (id) => id), /^How much deleting it frees is not known\.$/);
  });

  it('chainPosition: only, oldest, middle, newest; a full copy stands alone', () => {
    const chain = buildChain([a, b, c], 'snap-a');
    assert.ok(chain);
    assert.deepEqual(['snap-a', 'snap-b', 'snap-c'].map((id) => chainPosition(chain, id)), ['oldest', 'middle', 'newest']);
    const one = buildChain([a], 'snap-a');
    assert.ok(one);
    assert.equal(chainPosition(one, 'snap-a'), 'only');
    const full = buildChain([a, { ...b, incremental: false }], 'snap-b');
    assert.ok(full);
    assert.equal(chainPosition(full, 'snap-b'), 'standalone');
  });

  it('Google Cloud wording is true for the oldest, middle, newest and only snapshot', () => {
    const g = (s: Snapshot, next?: Snapshot): GcpSnapshot => ({ ...s, incremental: true, gcp: { next: next ? { id: next.id, name: next.name as string } : undefined } }) as unknown as GcpSnapshot;
    const all = [g(a, b), g(b, c), g(c)];
    const rel = (snapshots: Snapshot[]): RelatedResources => ({ inventory: { vms: [], disks: [], snapshots, images: [] }, scopes: [] });
    const oldest = deleteWording(all[0], rel(all));
    assert.match(oldest, /^It is the oldest snapshot of the disk\. Google moves the data the next snapshot nightly-2 still needs into it/);
    assert.doesNotMatch(oldest, /middle/);
    assert.match(deleteWording(all[1], rel(all)), /^It is in the middle of the disk's chain\. .*the rest moves to nightly-3/);
    assert.match(deleteWording(all[2], rel(all)), /^It is the newest snapshot of the disk: no later snapshot depends on it/);
    assert.match(deleteWording(g(a), rel([g(a)])), /^It is the only snapshot of the disk/);
  });

  it('dates in the user locale, not ISO', () => {
    assert.equal(formatDate('2026-01-02T15:04:05Z', 'en-GB').includes('2026'), true);
    assert.notEqual(formatDate('2026-01-02T15:04:05Z', 'en-GB'), '2026-01-02T15:04:05Z');
    assert.notEqual(formatDate('2026-01-02T15:04:05Z', 'de-DE'), formatDate('2026-01-02T15:04:05Z', 'en-US'));
    assert.equal(formatDate('not a date', 'en-GB'), 'not a date');
  });
});
