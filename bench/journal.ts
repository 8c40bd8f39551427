/**
 * The journal heartbeat (core/tracker.ts): every `heartbeatMs` (10 s) each window sweeps the
 * shared journal — renews its running entries, re-asserts its tombstones, looks at every other
 * entry for an abandoned lease — and writes one globalState key per running entry. VS Code keeps
 * an extension's globalState as one blob, so each write serializes the whole blob. Figures: one
 * sweep's CPU time, the writes and bytes it causes, and what that adds up to per hour, for
 * journals of growing size. Plain Node: an in-memory store stands in for globalState.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_TRACKER_OPTIONS, ENTRY_PREFIX, OperationTracker, type JournalStore } from '../src/core/tracker';
import type { OperationStart } from '../src/model/types';
import { Memento } from './fake-vscode';
import { median } from './stats';

/** globalState as VS Code keeps it: one blob; counts the writes and the bytes each serializes. */
class BlobStore extends Memento implements JournalStore {
  writes = 0;
  bytes = 0;
  override async update(key: string, value: unknown): Promise<void> {
    await super.update(key, value);
    this.writes++;
    this.bytes += JSON.stringify(Object.fromEntries(this.values)).length;
  }
}

const start = (i: number): OperationStart => ({
  kind: 'snapshot',
  title: `Snapshot of vol-${String(i).padStart(17, '0')} (data disk of web-${i})`,
  scopeId: 'us-east-1',
  resourceId: `snap-${String(i).padStart(17, '0')}`,
  refreshScopeIds: ['us-east-1'],
});

/** One window following `running` operations, beside `others` entries (another window's live ones and tombstones). */
async function heartbeat(running: number, others: number): Promise<{ cpuMs: number; writes: number; bytes: number; blob: number }> {
  const store = new BlobStore();
  const now = Date.now();
  for (let i = 0; i < others; i++) {
    const record = { ...start(100_000 + i), id: `other-${i}`, accountId: 'acc-1', startedAt: now };
    // Half live in another window, half ended (tombstones kept a day).
    const ended = i % 2 === 0 ? { ended: { at: now, outcome: 'done' } } : {};
    await store.update(`${ENTRY_PREFIX}${record.id}`, { record, owner: 'window-b', home: 'home-b', heartbeatAt: now, ...ended });
  }
  // No polls and no timed heartbeat during the measurement: sweeps are run by hand (resume()).
  const options = { ...DEFAULT_TRACKER_OPTIONS, initialDelayMs: 3600_000, heartbeatMs: 3600_000 };
  const tracker = new OperationTracker(
    store,
    {
      adapterFor: async () => undefined,
      finished: () => undefined,
      stopped: () => undefined,
      unreadable: () => undefined,
      changed: () => undefined,
      log: () => undefined,
    },
    options,
    { owner: 'window-a', home: 'home-a' },
  );
  try {
    await tracker.track('acc-1', Array.from({ length: running }, (_, i) => start(i)));
    const cpu: number[] = [];
    let writes = 0;
    let bytes = 0;
    const sweeps = 15;
    for (let i = 0; i < sweeps; i++) {
      const w0 = store.writes;
      const b0 = store.bytes;
      const t = performance.now();
      tracker.resume(); // one sweep, as the heartbeat runs it
      await new Promise((r) => setImmediate(r)); // the writes it started
      cpu.push(performance.now() - t);
      writes += store.writes - w0;
      bytes += store.bytes - b0;
    }
    return { cpuMs: median(cpu), writes: writes / sweeps, bytes: bytes / sweeps, blob: JSON.stringify(Object.fromEntries(store.keys().map((k) => [k, store.get(k)]))).length };
  } finally {
    tracker.dispose();
  }
}

export async function journalFigures(): Promise<void> {
  const perHour = 3600_000 / DEFAULT_TRACKER_OPTIONS.heartbeatMs;
  console.log(`journal heartbeat (every ${DEFAULT_TRACKER_OPTIONS.heartbeatMs / 1000} s, lease ${DEFAULT_TRACKER_OPTIONS.leaseMs / 1000} s): one sweep, median of 15; CPU includes serializing the whole globalState blob per write, as VS Code does`);
  for (const [running, others] of [
    [1, 0],
    [5, 50],
    [20, 500],
    [50, 2000],
  ] as const) {
    const f = await heartbeat(running, others);
    const cpuPerHour = f.cpuMs * perHour;
    console.log(
      `  ${running} running here + ${others} other entries (blob ${(f.blob / 1024).toFixed(1)} KiB): ${f.cpuMs.toFixed(2)} ms CPU, ${f.writes.toFixed(0)} writes serializing ${(f.bytes / 1024).toFixed(1)} KiB per sweep` +
        ` — per hour ${cpuPerHour.toFixed(0)} ms CPU (${((100 * cpuPerHour) / 3600_000).toFixed(4)} % of one core) and ${((f.bytes * perHour) / 1024 / 1024).toFixed(1)} MiB serialized`,
    );
  }
}
