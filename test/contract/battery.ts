// The fault battery's driver: runs many actions through an adapter's real code paths (plan →
// answers → execute → polls until the operation ends, as the tracker does: a poll that throws is
// retried) while the sandbox injects faults, then judges each reported outcome against what the
// sandbox's own state says really happened.
import * as assert from 'node:assert/strict';
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import { errorText } from '../../src/model/errors';
import type { ActionId } from '../../src/model/actions';
import type { FieldValues, OperationStart, Resource } from '../../src/model/types';
import type { FaultConfig } from '../../src/sandbox';
import { answers, recordOf, sleep } from './tracking';

/** What the adapter told the user about one action. */
export type Reported = { kind: 'success' } | { kind: 'failed'; message: string } | { kind: 'none'; message: string };

/** What the sandbox's state says about one action's resource (found by the action's own marker). */
export interface Truth {
  /** Creates: how many resources carry the marker. Deletes: 1 while the target still exists, else 0. */
  count: number;
  /** Creates: the resource reached its ready state. */
  ready: boolean;
}

export interface Tally {
  ops: number;
  ok: number;
  /** Reported failed, and nothing happened: honest (the faults outlasted the retries). */
  trueFailures: number;
  duplicates: number;
  /** No outcome was ever reported (the operation was followed until the deadline). */
  lost: number;
  falseFailures: number;
  falseSuccesses: number;
  /** A few of the wrong ones, for the assertion message. */
  examples: string[];
  /** What the honest failures said (printed: they show which faults outlast the retries). */
  honest: string[];
}

/** Follows one operation like the tracker (thrown polls are retried) until it ends or `deadline`. */
export async function follow(adapter: CloudAdapter, op: OperationStart, deadline: number, pollMs: number): Promise<Reported> {
  const record = recordOf(adapter, op);
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const s = await adapter.pollOperation(record);
      if (s.done) {
        return s.failed ? { kind: 'failed', message: s.message ?? 'failed' } : { kind: 'success' };
      }
    } catch (e) {
      lastError = errorText(e);
    }
    await sleep(pollMs);
  }
  return { kind: 'none', message: `no outcome by the deadline${lastError ? ` (last poll error: ${lastError})` : ''}` };
}

/** plan → answers → execute → follow every operation: what the user is told. */
export async function perform(
  adapter: CloudAdapter,
  action: ActionId,
  target: Resource,
  given: FieldValues,
  related: RelatedResources,
  opts: { deadline: number; pollMs: number },
): Promise<Reported> {
  try {
    const plan = await adapter.plan(action, target, related);
    if (plan.refusal) {
      return { kind: 'failed', message: `refused: ${plan.refusal}` };
    }
    const result = await adapter.execute(action, target, answers(plan, given), related);
    for (const op of result.operations) {
      const outcome = await follow(adapter, op, opts.deadline, opts.pollMs);
      if (outcome.kind !== 'success') {
        return outcome;
      }
    }
    return { kind: 'success' };
  } catch (e) {
    return { kind: 'failed', message: errorText(e) };
  }
}

export function emptyTally(): Tally {
  return { ops: 0, ok: 0, trueFailures: 0, duplicates: 0, lost: 0, falseFailures: 0, falseSuccesses: 0, examples: [], honest: [] };
}

/** Judges one action's reported outcome against the truth, into `tally`. */
export function judge(tally: Tally, kind: 'create' | 'delete', what: string, reported: Reported, truth: Truth): void {
  tally.ops++;
  const wrong = (category: 'duplicates' | 'lost' | 'falseFailures' | 'falseSuccesses', detail: string): void => {
    tally[category]++;
    if (tally.examples.length < 6) {
      tally.examples.push(`${what}: ${category}: ${detail}`);
    }
  };
  if (kind === 'create' && truth.count > 1) {
    wrong('duplicates', `${truth.count} made`);
  }
  const happened = kind === 'create' ? truth.count >= 1 : truth.count === 0;
  switch (reported.kind) {
    case 'none':
      wrong('lost', reported.message);
      return;
    case 'success':
      if (happened && (kind === 'delete' || truth.ready)) {
        tally.ok++;
      } else {
        wrong('falseSuccesses', kind === 'create' ? (happened ? 'reported done while not ready' : 'nothing was made') : 'still exists');
      }
      return;
    case 'failed':
      if (happened) {
        wrong('falseFailures', reported.message);
      } else {
        tally.trueFailures++;
        tally.honest.push(reported.message.slice(0, 120));
      }
      return;
  }
}

/** Runs `count` items through `run` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function line(cloud: string, action: string, t: Tally, ms: number): string {
  return (
    `battery ${cloud} ${action}: ${t.ops} ops in ${(ms / 1000).toFixed(1)} s — ok ${t.ok}, honest failures ${t.trueFailures}, ` +
    `duplicates ${t.duplicates}, lost ${t.lost}, false failures ${t.falseFailures}, false successes ${t.falseSuccesses}` +
    [...new Set(t.honest)].map((m) => `\n      honest failure: ${m}`).join('')
  );
}

// ---- running one action of the battery (battery.test.ts, and a cloud's own actions in <cloud>.contract.test.ts)

/** Operations per action per cloud, and how many run at once. */
export const OPS = 24;
const PARALLEL = 12;
const POLL_MS = 80;
/** Each action's operations must all have an outcome within this (ms). */
const ACTION_DEADLINE_MS = 45_000;

/** ≈ 20 % of the requests fail, seeded so a run is reproducible. */
export function faultMix(seed: number, extra: FaultConfig = {}): FaultConfig {
  return { seed, throttleRate: 0.05, serverErrorRate: 0.04, dropRate: 0.03, dropAfterCommitRate: 0.04, malformedRate: 0.04, ...extra };
}

/** One action of the battery: the targets and answers of its operations, and how to read the truth. */
export interface Case {
  action: ActionId;
  kind: 'create' | 'delete';
  /** The i-th operation: its target, answers and a marker (a unique name or description). */
  op(i: number): { target: Resource; given: FieldValues; marker: string };
  truth(marker: string): Promise<Truth>;
}

/** Runs one case under the fault mix and asserts the four zeros from the sandbox's state. */
export async function battery(cloud: string, control: { setFaults(config: FaultConfig): void }, adapter: CloudAdapter, related: RelatedResources, c: Case, faults: FaultConfig): Promise<Tally> {
  const ops = Array.from({ length: OPS }, (_, i) => ({ i, ...c.op(i) }));
  const outcomes = new Map<number, Awaited<ReturnType<typeof perform>>>();
  const started = Date.now();
  const deadline = started + ACTION_DEADLINE_MS;
  control.setFaults(faults);
  try {
    await pool(ops, PARALLEL, async (o) => {
      outcomes.set(o.i, await perform(adapter, c.action, o.target, o.given, related, { deadline, pollMs: POLL_MS }));
    });
  } finally {
    control.setFaults({});
  }
  const tally = emptyTally();
  for (const o of ops) {
    judge(tally, c.kind, `${c.action} #${o.i} (${o.marker})`, outcomes.get(o.i) ?? { kind: 'none', message: 'not run' }, await c.truth(o.marker));
  }
  console.log(`    ${line(cloud, c.action, tally, Date.now() - started)}`);
  return tally;
}

export function assertClean(t: Tally): void {
  assert.deepEqual(
    { duplicates: t.duplicates, lost: t.lost, falseFailures: t.falseFailures, falseSuccesses: t.falseSuccesses },
    { duplicates: 0, lost: 0, falseFailures: 0, falseSuccesses: 0 },
    t.examples.join('\n'),
  );
  // Honest failures are allowed (e.g. the AWS SDK's retry quota runs dry under this mix), but most must get through.
  assert.ok(t.ok >= t.ops / 3, `only ${t.ok} of ${t.ops} succeeded: the fault mix is too harsh to prove anything`);
}
