// What the contract suites share: the answers the UI sends for a plan, following an operation the
// way the extension's tracker does (from its journaled JSON, optionally across a "window reload"
// that swaps in a new adapter), and expecting a CloudError of a kind.
import * as assert from 'node:assert/strict';
import type { CloudAdapter } from '../../src/model/adapter';
import type { CloudError, ErrorKind } from '../../src/model/errors';
import type { ActionPlan, FieldValues, OperationRecord, OperationStart, OperationStatus } from '../../src/model/types';
import { assertKind, failure } from '../unit/fakes';

/** The answers the UI would send: each field's default (tags: none), then `given`. */
export function answers(plan: ActionPlan, given: FieldValues): FieldValues {
  const out: FieldValues = {};
  for (const f of plan.fields) {
    if (f.kind === 'tags') {
      out[f.id] = [];
    } else if (f.default !== undefined) {
      out[f.id] = f.default;
    }
  }
  return { ...out, ...given };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function recordOf(adapter: CloudAdapter, op: OperationStart): OperationRecord {
  // Journaled as JSON: what a reloaded window reads back.
  return JSON.parse(JSON.stringify({ ...op, id: `op-${Math.random()}`, accountId: adapter.account.id, startedAt: Date.now() })) as OperationRecord;
}

/**
 * Polls like the tracker until done — a poll that throws (throttled, unreadable…) is retried, as
 * the tracker does — and returns every status seen; `reload` swaps in a new adapter instance
 * after that many answered polls.
 */
export async function track(
  adapter: CloudAdapter,
  op: OperationStart,
  opts: { timeoutMs?: number; pollMs?: number; reload?: { after: number; make: () => CloudAdapter } } = {},
): Promise<OperationStatus[]> {
  const record = recordOf(adapter, op);
  const seen: OperationStatus[] = [];
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const pollMs = opts.pollMs ?? 60;
  let current = adapter;
  let lastError: unknown;
  for (;;) {
    if (opts.reload && seen.length === opts.reload.after && current === adapter) {
      current = opts.reload.make();
    }
    let s: OperationStatus;
    try {
      s = await current.pollOperation(record);
    } catch (e) {
      lastError = e;
      assert.ok(Date.now() < deadline, `operation ${op.title} did not finish; last poll failed: ${String(lastError)}`);
      await sleep(pollMs);
      continue;
    }
    seen.push(s);
    if (s.done) {
      if (current !== adapter) {
        current.dispose();
      }
      return seen;
    }
    assert.ok(Date.now() < deadline, `operation ${op.title} did not finish: ${JSON.stringify(seen.slice(-3))}`);
    await sleep(pollMs);
  }
}

/** The CloudError of `kind` (its message matching `message` when given) that `p` fails with. */
export async function rejects(p: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<CloudError> {
  const e = await failure(p);
  assertKind(e, kind, message);
  return e;
}
