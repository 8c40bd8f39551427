/** The GCP adapter's polls: what decides an operation, and what is polled again (bounded). */
import * as assert from 'node:assert/strict';
import type { GcpApi, Json } from '../../src/adapters/gcp/api';
import type { GcpCore } from '../../src/adapters/gcp/core';
import { isRetryable, toCloudError } from '../../src/adapters/gcp/errors';
import { madeSince, mutateOrFind, opStart, pollOperation, type OpData } from '../../src/adapters/gcp/operations';
import { CloudError, isCloudError } from '../../src/model/errors';
import { UNDECIDABLE_POLL_LIMIT, UndecidablePolls } from '../../src/model/polls';
import type { OperationRecord } from '../../src/model/types';

const notFound = (): CloudError => new CloudError('notFound', "The resource 'x' was not found");

/** A core whose API answers as scripted (no retries: one call each, errors as CloudErrors). */
function fakeCore(api: { getOperation: () => Json; get?: () => Json; mutate?: () => Json }): GcpCore {
  const impl = {
    getOperation: async () => api.getOperation(),
    get: async () => (api.get ?? (() => ({})))(),
    mutate: async () => (api.mutate ?? (() => ({})))(),
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

  it('a create whose retries ran out but which was made is followed by its resource, not called failed', async () => {
    let status = 'CREATING';
    const core = fakeCore({
      getOperation: () => assert.fail('there is no operation to ask'),
      mutate: () => {
        throw new CloudError('throttled', 'Google Cloud is rate-limiting requests');
      },
      get: () => ({ name: 's', status, creationTimestamp: new Date().toISOString() }),
    });
    const since = Date.now();
    const create = { method: 'createSnapshot' as const, disk: { project: 'p', zone: 'z', name: 'd' }, snapshot: { name: 's' }, requestId: 'r' };
    const op = await mutateOrFind(core, create, 'p', () => madeSince(core, 'snapshot', SNAP.ref, since));
    assert.equal(op, undefined);
    const start = opStart({ title: 't', scopeId: 'p/global', resourceId: 'projects/p/global/snapshots/s', refreshScopeIds: [] }, op, 'p', { then: SNAP });
    const rec: OperationRecord = { ...start, id: 'x', accountId: 'g', startedAt: Date.now() };
    assert.deepEqual(await pollOperation(core, rec), { done: false, progress: 99, message: 'CREATING' });
    status = 'READY';
    assert.deepEqual(await pollOperation(core, rec), { done: true, progress: 100, message: 'READY' });
  });

  it('…while a failure after which nothing was made stands', async () => {
    const core = fakeCore({
      getOperation: () => ({}),
      mutate: () => {
        throw new CloudError('network', 'Could not reach Google Cloud (ECONNRESET)');
      },
      get: () => {
        throw notFound();
      },
    });
    await assert.rejects(
      mutateOrFind(core, { method: 'createSnapshot', disk: { project: 'p', zone: 'z', name: 'd' }, snapshot: { name: 's' }, requestId: 'r' }, 'p', () => madeSince(core, 'snapshot', SNAP.ref, Date.now())),
      (e: unknown) => isCloudError(e) && e.kind === 'network',
    );
  });

  it('restore in place: an instance status the steps cannot go on from (SUSPENDED) ends, bounded, naming it', async () => {
    const core = fakeCore({ getOperation: () => ({}), get: () => ({ name: 'vm', status: 'SUSPENDED', disks: [] }) });
    const data = {
      instance: { project: 'p', zone: 'z', name: 'vm' },
      deviceName: 'data',
      boot: false,
      oldDiskId: 'projects/p/zones/z/disks/old',
      newDisk: { project: 'p', zone: 'z', name: 'new' },
      newDiskId: 'projects/p/zones/z/disks/new',
      body: {},
      wasRunning: true,
      ids: { insert: 'a', stop: 'b', detach: 'c', attach: 'd', start: 'e', reattach: 'f' },
    };
    const op: OperationRecord = { ...record({ op: OP }), kind: 'restoreInPlace', data: JSON.stringify(data) };
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op), (e: unknown) => isCloudError(e) && e.kind === 'malformed');
    }
    assert.match((await pollOperation(core, op)).message ?? '', /status "SUSPENDED" for VM vm/);
  });
});
