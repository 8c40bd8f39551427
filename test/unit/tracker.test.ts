// The operation tracker and its journal shared by the editor's windows. Windows are simulated the
// way VS Code keeps globalState: the editor's storage holds one blob per extension; each window
// has its own copy, changes a key in its copy and writes the whole copy back; the other windows
// receive the new blob a little later (`lagMs`) and replace their copy with it. Two writes closer
// than the lag therefore revert one another, as they can in VS Code.
import assert from 'node:assert/strict';
import {
  ENTRY_PREFIX,
  LEGACY_KEY,
  OperationTracker,
  readEntry,
  recordProblem,
  SET_ASIDE_KEY,
  type JournalEntry,
  type JournalStore,
  type TrackerHost,
  type TrackerOptions,
  type UnreadableEntry,
} from '../../src/core/tracker';
import type { CloudAdapter } from '../../src/model/adapter';
import { fakeAdapter } from './fakes';
import { CloudError } from '../../src/model/errors';
import { UndecidablePolls } from '../../src/model/polls';
import type { AccountConfig, OperationRecord, OperationStart, OperationStatus } from '../../src/model/types';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The editor's storage: the extension's one blob, copied to each window after `lagMs`. */
class EditorStorage {
  blob: Record<string, unknown> = {};
  readonly windows: WindowState[] = [];
  constructor(readonly lagMs = 0) {}

  window(): WindowState {
    const w = new WindowState(this);
    this.windows.push(w);
    return w;
  }

  write(from: WindowState, blob: Record<string, unknown>): void {
    this.blob = clone(blob);
    for (const w of this.windows.filter((x) => x !== from && !x.dead)) {
      const deliver = () => {
        if (!w.dead) {
          w.copy = clone(blob);
        }
      };
      if (this.lagMs === 0) {
        deliver();
      } else {
        setTimeout(deliver, this.lagMs);
      }
    }
  }

  entry(id: string): JournalEntry | undefined {
    const e = readEntry(this.blob[`${ENTRY_PREFIX}${id}`]);
    return typeof e === 'string' ? undefined : e;
  }
}

/** One window's globalState (a Memento). A dead window (crashed) writes nothing any more. */
class WindowState implements JournalStore {
  copy: Record<string, unknown>;
  dead = false;
  constructor(private readonly storage: EditorStorage) {
    this.copy = clone(storage.blob);
  }
  keys(): string[] {
    return Object.keys(this.copy);
  }
  get(key: string): unknown {
    return this.copy[key];
  }
  async update(key: string, value: unknown): Promise<void> {
    if (this.dead) {
      return;
    }
    if (value === undefined) {
      delete this.copy[key];
    } else {
      this.copy[key] = clone(value);
    }
    this.storage.write(this, this.copy);
  }
}

const account: AccountConfig = { id: 'acc-1', cloud: 'aws', label: 'test', settings: {} };

function adapter(pollOperation: (op: OperationRecord) => Promise<OperationStatus>): CloudAdapter {
  return fakeAdapter({ pollOperation }, account);
}

/** A window's tracker with what it told its host. */
interface Window {
  tracker: OperationTracker;
  store: WindowState;
  finished: string[];
  stopped: string[];
  unreadable: UnreadableEntry[][];
  polls: string[];
}

const fast: TrackerOptions = {
  initialDelayMs: 5,
  backoff: 2,
  maxDelayMs: 20,
  heartbeatMs: 20,
  leaseMs: 80,
  settleMs: 30,
  tombstoneMs: 60_000,
};

/** The windows' adapters bound undecidable polls (model/polls.ts) at this many in a row. */
const UNDECIDABLE = 3;

function openWindow(
  storage: EditorStorage,
  home: string,
  poll: (op: OperationRecord) => Promise<OperationStatus> | OperationStatus,
  opts: Partial<TrackerOptions> & { noAdapter?: boolean } = {},
): Window {
  const store = storage.window();
  const w: Window = { store, finished: [], stopped: [], unreadable: [], polls: [] } as unknown as Window;
  // As every adapter does: its polls go through the bound on undecidable answers.
  const bound = new UndecidablePolls(UNDECIDABLE);
  const host: TrackerHost = {
    adapterFor: async () =>
      opts.noAdapter
        ? undefined
        : adapter((op) =>
            bound.guard(op.id, async () => {
              w.polls.push(op.resourceId);
              return poll(op);
            }),
          ),
    finished: (r, s) => w.finished.push(`${r.resourceId}:${s.failed ? 'failed' : 'done'}`),
    stopped: (r, reason) => w.stopped.push(`${r.resourceId}: ${reason}`),
    unreadable: (entries) => w.unreadable.push(entries),
    changed: () => undefined,
    log: () => undefined,
  };
  w.tracker = new OperationTracker(store, host, { ...fast, ...opts }, { home });
  return w;
}

const start = (resourceId: string, kind = 'snapshot'): OperationStart => ({
  kind,
  title: `Snapshot ${resourceId}`,
  scopeId: 'r1',
  resourceId,
  refreshScopeIds: ['r1'],
});

async function until(what: string, probe: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await tick(5);
  }
}

/** An operation the cloud finishes when `done.has(id)`. */
function cloud(): { done: Set<string>; poll: (op: OperationRecord) => OperationStatus } {
  const done = new Set<string>();
  return { done, poll: (op) => (done.has(op.resourceId) ? { done: true } : { done: false, progress: 10 }) };
}

describe('OperationTracker', () => {
  const windows: Window[] = [];
  const open = (...args: Parameters<typeof openWindow>) => {
    const w = openWindow(...args);
    windows.push(w);
    return w;
  };
  afterEach(() => {
    for (const w of windows.splice(0)) {
      w.tracker.dispose();
    }
  });
  /** Two resumed windows, wA and wB, on one storage (writes reach the other after 15 ms) and one cloud. */
  const twoWindows = () => {
    const storage = new EditorStorage(15);
    const c = cloud();
    const a = open(storage, 'wA', c.poll);
    const b = open(storage, 'wB', c.poll);
    a.tracker.resume();
    b.tracker.resume();
    return { storage, c, a, b };
  };

  it('polls with back-off, reports progress, survives poll errors, and journals until done', async () => {
    const answers: (OperationStatus | Error)[] = [
      { done: false, progress: 10 },
      new CloudError('throttled', 'Rate exceeded'),
      { done: false, progress: 10 },
      { done: false, progress: 70 },
      { done: true },
    ];
    const pollTimes: number[] = [];
    const storage = new EditorStorage();
    const progress: (number | undefined)[] = [];
    const w = open(storage, 'w1', () => {
      pollTimes.push(Date.now());
      const a = answers.shift()!;
      if (a instanceof Error) {
        throw a;
      }
      progress.push(a.progress);
      return a;
    });
    const [op] = await w.tracker.track('acc-1', [start('snap-1')]);
    assert.equal(storage.entry(op.id)?.owner, w.tracker.owner);
    await until('the operation to finish', () => w.finished.length > 0);
    assert.deepEqual(w.finished, ['snap-1:done']);
    assert.deepEqual(w.tracker.list(), []);
    assert.equal(storage.entry(op.id)?.ended?.outcome, 'done', 'the journal keeps a tombstone');
    assert.ok(progress.includes(10) && progress.includes(70));
    // The gap after the error is longer than the first one: it backed off.
    assert.ok(pollTimes[2] - pollTimes[1] >= pollTimes[1] - pollTimes[0]);
  });

  it('two windows: each follows and announces only its own operation, even when their writes revert one another', async () => {
    const { storage, c, a, b } = twoWindows();
    const [opA] = await a.tracker.track('acc-1', [start('snap-a')]);
    // B writes before A's write reached it: B's copy of the blob lacks A's entry, and wins.
    const [opB] = await b.tracker.track('acc-1', [start('snap-b')]);
    assert.equal(storage.entry(opA.id), undefined, 'the simulated race did not happen (A’s entry should be reverted)');
    assert.ok(storage.entry(opB.id));

    // A's heartbeat re-asserts its entry.
    await until('both entries in the storage', () => !!storage.entry(opA.id) && !!storage.entry(opB.id));
    assert.deepEqual(a.tracker.list().map((r) => r.id), [opA.id]);
    assert.deepEqual(b.tracker.list().map((r) => r.id), [opB.id]);
    assert.equal(storage.entry(opA.id)?.owner, a.tracker.owner);
    assert.equal(storage.entry(opB.id)?.owner, b.tracker.owner);

    c.done.add('snap-a').add('snap-b');
    await until('both finished', () => a.finished.length + b.finished.length === 2);
    await tick(fast.leaseMs * 2);
    assert.deepEqual(a.finished, ['snap-a:done']);
    assert.deepEqual(b.finished, ['snap-b:done']);
    assert.ok(!a.polls.includes('snap-b') && !b.polls.includes('snap-a'), 'a window polled the other window’s operation');
    assert.equal(storage.entry(opA.id)?.ended?.outcome, 'done');
    assert.equal(storage.entry(opB.id)?.ended?.outcome, 'done');
  });

  it('a finished operation reverted by a stale copy is ended again, never adopted and announced twice', async () => {
    const { storage, c, a, b } = twoWindows();
    const [op] = await a.tracker.track('acc-1', [start('snap-1')]);
    await until('B sees the entry', () => b.store.get(`${ENTRY_PREFIX}${op.id}`) !== undefined);
    const stale = clone(b.store.copy);
    c.done.add('snap-1');
    await until('A announces', () => a.finished.length === 1);
    // B writes a copy taken before A's tombstone reached it (the entry still live).
    b.store.copy = stale;
    await b.store.update('unrelated', 1);
    assert.equal(storage.entry(op.id)?.ended, undefined, 'the stale copy did not revert the tombstone');
    await until('the tombstone re-asserted', () => storage.entry(op.id)?.ended?.outcome === 'done');
    await tick(fast.leaseMs + fast.settleMs * 2);
    assert.deepEqual(a.finished, ['snap-1:done']);
    assert.deepEqual(b.finished, []);
    assert.deepEqual(b.tracker.list(), []);
  });

  it('the owner crashes: after the lease one other window adopts it and announces it once', async () => {
    const storage = new EditorStorage(5);
    const c = cloud();
    const a = open(storage, 'wA', c.poll);
    a.tracker.resume();
    const [op] = await a.tracker.track('acc-1', [start('snap-1')]);
    await until('A polled', () => a.polls.length > 0);
    // A's extension host dies: nothing it does reaches the storage any more.
    a.store.dead = true;
    a.tracker.dispose();
    c.done.add('snap-1');
    await tick(fast.leaseMs + 10);
    // Two windows find the abandoned entry at the same moment and both claim it.
    const b = open(storage, 'wB', c.poll);
    const d = open(storage, 'wD', c.poll);
    b.tracker.resume();
    d.tracker.resume();
    assert.equal(storage.entry(op.id)?.owner, d.tracker.owner, 'D’s claim is the last write');
    assert.equal(b.store.get(`${ENTRY_PREFIX}${op.id}`) && (b.store.get(`${ENTRY_PREFIX}${op.id}`) as JournalEntry).owner, b.tracker.owner, 'B has not seen D’s claim yet');
    await until('one window announces it', () => b.finished.length + d.finished.length > 0, 3000);
    await tick(fast.leaseMs * 2 + fast.settleMs * 2);
    assert.deepEqual([...a.finished, ...b.finished, ...d.finished], ['snap-1:done'], 'announced exactly once');
    const adopter = b.finished.length ? b : d;
    assert.equal(storage.entry(op.id)?.owner, adopter.tracker.owner);
    assert.equal(storage.entry(op.id)?.ended?.outcome, 'done');
  });

  it('after adopting, a reverted copy still naming the crashed owner does not make the adopter let go', async () => {
    const storage = new EditorStorage();
    const c = cloud();
    const a = open(storage, 'wA', c.poll);
    const [op] = await a.tracker.track('acc-1', [start('snap-1')]);
    const staleCopy = clone(storage.blob);
    a.store.dead = true;
    a.tracker.dispose();
    await tick(fast.leaseMs + 10);
    const b = open(storage, 'wB', c.poll);
    b.tracker.resume();
    await until('B follows it', () => b.tracker.list().length === 1);
    // Another window writes a copy of the blob from before: the entry names A again, with A's old heartbeat.
    const other = storage.window();
    other.copy = staleCopy;
    await other.update('unrelated', 1);
    assert.equal(storage.entry(op.id)?.owner, a.tracker.owner);
    await until('B re-asserts its entry', () => storage.entry(op.id)?.owner === b.tracker.owner);
    assert.deepEqual(b.tracker.list().map((r) => r.id), [op.id], 'B let go of it');
    c.done.add('snap-1');
    await until('B announces it', () => b.finished.length === 1);
    assert.deepEqual(b.finished, ['snap-1:done']);
  });

  it('a window reload: the reloaded window takes its operations back at once; another window leaves them', async () => {
    const storage = new EditorStorage();
    const c = cloud();
    const a = open(storage, 'wA', c.poll, { initialDelayMs: 10_000 });
    const b = open(storage, 'wB', c.poll);
    b.tracker.resume();
    const [op] = await a.tracker.track('acc-1', [start('vol-9', 'volume')]);
    a.tracker.dispose(); // the window reloads: its entries are released
    assert.equal(storage.entry(op.id)?.owner, '');
    const a2 = open(storage, 'wA', c.poll);
    assert.equal(a2.tracker.resume(), 1);
    assert.deepEqual(a2.tracker.list().map((r) => r.id), [op.id]);
    assert.equal(storage.entry(op.id)?.owner, a2.tracker.owner);
    c.done.add('vol-9');
    await until('the reloaded window announces it', () => a2.finished.length === 1);
    await tick(fast.leaseMs + fast.settleMs * 2);
    assert.deepEqual(b.finished, []);
    assert.ok(!b.polls.includes('vol-9'));
  });

  it('moves unreadable journal content aside, reports it once with what was dropped, and resumes the rest', async () => {
    const storage = new EditorStorage();
    const good = { id: 'g1', accountId: 'acc-1', kind: 'snapshot', title: 'Good one', scopeId: 'r1', resourceId: 'snap-g', startedAt: 1, refreshScopeIds: [] };
    storage.blob = {
      [LEGACY_KEY]: [good, { ...good, id: 'b1', title: 'Bad start', startedAt: 'yesterday' }, 3],
      [`${ENTRY_PREFIX}x`]: 'garbage',
      [`${ENTRY_PREFIX}y`]: { record: { ...good, id: 'y', title: 'No resource', resourceId: 5 }, owner: 'o', home: 'h', heartbeatAt: 0 },
    };
    const c = cloud();
    const a = open(storage, 'wA', c.poll, { initialDelayMs: 10_000 });
    assert.equal(a.tracker.resume(), 1, 'the readable record is followed');
    assert.deepEqual(a.tracker.list().map((r) => r.id), ['g1']);
    assert.equal(a.unreadable.length, 1, 'reported in one go');
    await tick(1);
    assert.deepEqual(
      a.unreadable[0].map((u) => `${u.what}: ${u.reason}`).sort(),
      ['"Bad start": startedAt is not a time (string)', '"No resource": its operation: resourceId is not a text (number)', 'entry 3: not a record (number)', `${ENTRY_PREFIX}x: not an entry (string)`].sort(),
    );
    // Kept aside with their values, and gone from where they were.
    const aside = storage.blob[SET_ASIDE_KEY] as { key: string; value: unknown; reason: string }[];
    assert.deepEqual(aside.map((x) => x.key).sort(), [`${ENTRY_PREFIX}x`, `${ENTRY_PREFIX}y`, `${LEGACY_KEY}[1]`, `${LEGACY_KEY}[2]`].sort());
    assert.deepEqual(aside.find((x) => x.key === `${ENTRY_PREFIX}x`)?.value, 'garbage');
    assert.equal(storage.blob[LEGACY_KEY], undefined);
    assert.equal(storage.blob[`${ENTRY_PREFIX}x`], undefined);
    assert.equal(storage.entry('g1')?.owner, a.tracker.owner, 'the old list became per-operation entries');
    // Shown once: a later sweep or another window finds nothing more to report.
    const b = open(storage, 'wB', c.poll);
    b.tracker.resume();
    await tick(fast.heartbeatMs * 3);
    assert.equal(a.unreadable.length, 1);
    assert.deepEqual(b.unreadable, []);
  });

  it('a journal that is not a list is kept aside and reported', async () => {
    const storage = new EditorStorage();
    storage.blob = { [LEGACY_KEY]: { not: 'a list' } };
    const a = open(storage, 'wA', () => ({ done: false }));
    assert.equal(a.tracker.resume(), 0);
    assert.deepEqual(a.unreadable, [[{ key: LEGACY_KEY, what: 'the operations journal', reason: 'it is not a list (object)' }]]);
    await tick(1);
    const aside = storage.blob[SET_ASIDE_KEY] as { value: unknown }[];
    assert.deepEqual(aside[0].value, { not: 'a list' });
    assert.equal(storage.blob[LEGACY_KEY], undefined);
  });

  it('an operation that cannot be polled is given up after a few answers, not polled for ever and not called failed', async () => {
    const storage = new EditorStorage();
    const a = open(storage, 'wA', () => {
      throw new CloudError('invalid', 'Unknown operation kind "teleport"');
    });
    const [op] = await a.tracker.track('acc-1', [start('x-1', 'teleport')]);
    await until('given up', () => a.stopped.length > 0);
    await tick(fast.maxDelayMs * 3);
    assert.equal(a.polls.length, UNDECIDABLE);
    assert.deepEqual(a.stopped, [`x-1: Could not tell how this ended: ${UNDECIDABLE} polls in a row got Unknown operation kind "teleport". Check the resource in the cloud's console.`]);
    assert.deepEqual(a.finished, []);
    assert.deepEqual(a.tracker.list(), []);
    assert.equal(storage.entry(op.id)?.ended?.outcome, 'unfollowable');
  });

  it('the one bound: answers that cannot be read, states not known (malformed) and the adapter failing on the record (TypeError) end the same way, naming what was seen, not called failed', async () => {
    const storage = new EditorStorage();
    const a = open(storage, 'wA', (op) => {
      if (op.resourceId === 'vol-1') {
        throw new CloudError('malformed', 'AWS reported the volume state "migrating", which Snapkeeper does not know');
      }
      return (op as unknown as { data: { missing: { field: string } } }).data.missing.field as never;
    });
    const [vol, snap] = await a.tracker.track('acc-1', [start('vol-1', 'volume'), start('snap-1')]);
    await until('both given up', () => a.stopped.length === 2);
    await tick(fast.maxDelayMs * 3);
    assert.equal(a.polls.length, 2 * UNDECIDABLE, 'each polled exactly the bound, then no more');
    assert.deepEqual(a.stopped.sort(), [
      `snap-1: Could not tell how this ended: ${UNDECIDABLE} polls in a row got Cannot read properties of undefined (reading 'missing'). Check the resource in the cloud's console.`,
      `vol-1: Could not tell how this ended: ${UNDECIDABLE} polls in a row got AWS reported the volume state "migrating", which Snapkeeper does not know. Check the resource in the cloud's console.`,
    ]);
    assert.deepEqual(a.finished, [], 'not announced as failed: polling could not tell how it ended');
    assert.equal(storage.entry(vol.id)?.ended?.outcome, 'unfollowable');
    assert.equal(storage.entry(snap.id)?.ended?.outcome, 'unfollowable');
  });

  it('a decidable answer starts the row again; throttling between undecidable answers neither counts nor breaks the row', async () => {
    const storage = new EditorStorage();
    // u = undecidable (malformed), t = throttled, p = pending (an answer: not done yet).
    const script = ['u', 'u', 'p', 'u', 't', 'u', 't', 't', 'u'];
    let n = 0;
    const a = open(storage, 'wA', () => {
      const step = script[n++] ?? 'u';
      if (step === 'u') {
        throw new CloudError('malformed', 'AWS returned a response that could not be read');
      }
      if (step === 't') {
        throw new CloudError('throttled', 'AWS is throttling requests (RequestLimitExceeded)');
      }
      return { done: false, progress: 10 + n };
    });
    await a.tracker.track('acc-1', [start('snap-1')]);
    await until('given up', () => a.stopped.length > 0);
    await tick(fast.maxDelayMs * 3);
    // Two undecidable, an answer (the row starts again), then three undecidable with throttling
    // between them: the third of the new row (poll 9) ends it.
    assert.equal(a.polls.length, script.length);
    assert.match(a.stopped[0], /^snap-1: Could not tell how this ended: 3 polls in a row got AWS returned a response that could not be read/);
    assert.deepEqual(a.finished, []);
  });

  it('an operation whose account is not configured is given up at once', async () => {
    const storage = new EditorStorage();
    const a = open(storage, 'wA', () => ({ done: true }), { noAdapter: true });
    await a.tracker.track('acc-gone', [start('snap-1')]);
    await until('given up', () => a.stopped.length > 0);
    assert.deepEqual(a.stopped, ['snap-1: its account is not configured in this window']);
    assert.deepEqual(a.finished, []);
  });

  it('transient poll errors never give up', async () => {
    const storage = new EditorStorage();
    let n = 0;
    const a = open(storage, 'wA', () => {
      if (++n < 8) {
        throw new CloudError('network', 'connection reset');
      }
      return { done: true };
    });
    await a.tracker.track('acc-1', [start('snap-1')]);
    await until('done', () => a.finished.length > 0);
    assert.deepEqual(a.stopped, []);
    assert.deepEqual(a.finished, ['snap-1:done']);
  });

  it('dismiss: the window stops following it, and no other window adopts it after the lease', async () => {
    const storage = new EditorStorage();
    const c = cloud();
    const a = open(storage, 'wA', c.poll);
    const b = open(storage, 'wB', c.poll);
    b.tracker.resume();
    const [op, other] = await a.tracker.track('acc-1', [start('snap-1'), start('snap-2')]);
    assert.equal((await a.tracker.dismiss(op.id))?.id, op.id);
    assert.deepEqual(a.tracker.list().map((r) => r.id), [other.id]);
    assert.equal(storage.entry(op.id)?.ended?.outcome, 'dismissed');
    assert.equal(await a.tracker.dismiss('no-such-id'), undefined);
    a.store.dead = true;
    a.tracker.dispose();
    c.done.add('snap-1').add('snap-2');
    await until('B adopts and announces the other one', () => b.finished.length > 0);
    await tick(fast.leaseMs + fast.settleMs * 2);
    assert.deepEqual(b.finished, ['snap-2:done']);
    assert.ok(!b.polls.includes('snap-1'), 'the dismissed operation was polled again');
  });

  it('an operation ended by another window (dismissed there) is dropped by its owner without an announcement', async () => {
    const storage = new EditorStorage();
    const c = cloud();
    const a = open(storage, 'wA', c.poll);
    a.tracker.resume();
    const [op] = await a.tracker.track('acc-1', [start('snap-1')]);
    const other = storage.window();
    const entry = storage.entry(op.id)!;
    await other.update(`${ENTRY_PREFIX}${op.id}`, { ...entry, owner: 'someone', ended: { at: Date.now(), outcome: 'dismissed' } });
    await until('A stops following it', () => a.tracker.list().length === 0);
    c.done.add('snap-1');
    await tick(fast.heartbeatMs * 3);
    assert.deepEqual(a.finished, []);
  });

  it('reads journaled records strictly', () => {
    const good = { id: 'x', accountId: 'a', kind: 'snapshot', title: 't', scopeId: 's', resourceId: 'r', startedAt: 1, refreshScopeIds: [] };
    assert.equal(recordProblem(good), undefined);
    assert.equal(recordProblem({ ...good, startedAt: 'x' }), 'startedAt is not a time (string)');
    assert.equal(recordProblem({ ...good, id: undefined }), 'id is missing');
    assert.equal(recordProblem({ ...good, refreshScopeIds: [1] }), 'refreshScopeIds is not a list of texts');
    assert.equal(recordProblem({ ...good, data: {} }), 'data is not a text (object)');
    assert.equal(recordProblem(null), 'not a record (null)');
    assert.equal(readEntry({ record: good, owner: 'o', home: 'h' }), 'owner, home or heartbeat missing');
  });
});
