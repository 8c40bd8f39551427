/** The GCP adapter's polls: what decides an operation, and what is polled again (bounded). */
import * as assert from 'node:assert/strict';
import type { GcpApi, Json } from '../../src/adapters/gcp/api';
import type { GcpCore } from '../../src/adapters/gcp/core';
import { isRetryable, toCloudError } from '../../src/adapters/gcp/errors';
import { pollOperation, type OpData } from '../../src/adapters/gcp/operations';
import { CloudError, isCloudError } from '../../src/model/errors';
import { UNDECIDABLE_POLL_LIMIT, UndecidablePolls } from '../../src/model/polls';
import type { OperationRecord } from '../../src/model/types';

const notFound = (): CloudError => new CloudError('notFound', "The resource 'x' was not found");

/** A core whose API answers `getOperation` and `get` as scripted (no retries: one call each). */
function fakeCore(api: { getOperation: () => Json; get?: () => Json }): GcpCore {
  const impl = {
    getOperation: async () => api.getOperation(),
    get: async () => (api.get ?? (() => ({})))(),
  } as unknown as GcpApi;
  return {
    account: { id: 'g', cloud: 'gcp', label: 'test', settings: {} },
    call: async <T>(fn: (a: GcpApi) => Promise<T>) => fn(impl),
    translate: (e: unknown) => toCloudError(e, { mode: 'sandbox' }),
    setting: <T>(_k: string, f: T) => f,
    log: () => undefined,
    invalidate: () => undefined,
    polls: new UndecidablePolls(),
  };
}

function record(data: OpData): OperationRecord {
  return { id: `op-${Math.random()}`, accountId: 'g', kind: 'op', title: 't', scopeId: 'p/global', resourceId: 'projects/p/global/snapshots/s', refreshScopeIds: [], startedAt: Date.now(), data: JSON.stringify(data) };
}

const OP = { project: 'p', operation: 'operation-1' };
const SNAP = { kind: 'snapshot' as const, ref: { project: 'p', name: 's' } };

describe('gcp polls', () => {
  it('a 200 whose body was cut short is retried (the requestId makes a repeated mutation safe)', () => {
    assert.equal(isRetryable(new CloudError('malformed', 'Google Cloud returned a response that could not be read')), true);
    assert.equal(isRetryable(new CloudError('invalid', 'bad')), false);
  });

  it('a delete whose operation Google no longer keeps: done when the resource is gone', async () => {
    const core = fakeCore({
      getOperation: () => {
        throw notFound();
      },
      get: () => {
        throw notFound();
      },
    });
    assert.deepEqual(await pollOperation(core, record({ op: OP, deletes: SNAP })), { done: true, progress: 100, message: 'Deleted' });
  });

  it('…and, while the resource is still there, polled again a bounded number of times, then a failure saying so', async () => {
    const core = fakeCore({
      getOperation: () => {
        throw notFound();
      },
      get: () => ({ name: 's', status: 'READY' }),
    });
    const op = record({ op: OP, deletes: SNAP });
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op), (e: unknown) => isCloudError(e) && e.kind === 'malformed');
    }
    const last = await pollOperation(core, op);
    assert.equal(last.failed, true);
    assert.match(last.message ?? '', /s still exists \(READY\)/);
  });

  it('an unknown operation status ends, after bounded polls, with a failure naming it', async () => {
    const core = fakeCore({ getOperation: () => ({ name: 'operation-1', status: 'SUSPENDED' }) });
    const op = record({ op: OP });
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op));
    }
    const last = await pollOperation(core, op);
    assert.deepEqual({ done: last.done, failed: last.failed }, { done: true, failed: true });
    assert.match(last.message ?? '', /operation status "SUSPENDED"/);
  });

  it('an unknown resource status after DONE is bounded too; a known one keeps polling', async () => {
    let status = 'CREATING';
    const core = fakeCore({ getOperation: () => ({ name: 'operation-1', status: 'DONE' }), get: () => ({ name: 's', status }) });
    const op = record({ op: OP, then: SNAP });
    assert.deepEqual(await pollOperation(core, op), { done: false, progress: 99, message: 'CREATING' });
    status = 'HIBERNATING';
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op));
    }
    assert.match((await pollOperation(core, op)).message ?? '', /snapshot status "HIBERNATING"/);
  });

  it('a journal entry whose data cannot be read ends after bounded polls instead of for ever', async () => {
    const core = fakeCore({ getOperation: () => ({}) });
    const op = { ...record({ op: OP }), data: '{not json' };
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op));
    }
    assert.match((await pollOperation(core, op)).message ?? '', /saved state of "t" could not be read/);
  });
});
