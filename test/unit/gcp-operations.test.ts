/** The GCP adapter's polls: what decides an operation, and what cannot (polled again; the tracker bounds the row). */
import * as assert from 'node:assert/strict';
import type { GcpApi, Json } from '../../src/adapters/gcp/api';
import type { GcpCore } from '../../src/adapters/gcp/core';
import { isRetryable, toCloudError } from '../../src/adapters/gcp/errors';
import { madeSince, mutateOrFind, opStart, pollOperation, type OpData } from '../../src/adapters/gcp/operations';
import { CloudError, isCloudError } from '../../src/model/errors';
import { assertUndecidable } from './fakes';
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

  it('…and, while the resource is still there, undecidable: every poll says it still exists', async () => {
    const core = fakeCore({
      getOperation: () => {
        throw notFound();
      },
      get: () => ({ name: 's', status: 'READY' }),
    });
    const op = record({ op: OP, deletes: SNAP });
    await assertUndecidable(() => pollOperation(core, op), /s still exists \(READY\)/);
  });

  it('an unknown operation status is undecidable, every poll naming it', async () => {
    const core = fakeCore({ getOperation: () => ({ name: 'operation-1', status: 'SUSPENDED' }) });
    const op = record({ op: OP });
    await assertUndecidable(() => pollOperation(core, op), /operation status "SUSPENDED"/);
  });

  it('an unknown resource status after DONE is undecidable too; a known one keeps polling', async () => {
    let status = 'CREATING';
    const core = fakeCore({ getOperation: () => ({ name: 'operation-1', status: 'DONE' }), get: () => ({ name: 's', status }) });
    const op = record({ op: OP, then: SNAP });
    assert.deepEqual(await pollOperation(core, op), { done: false, progress: 99, message: 'CREATING' });
    status = 'HIBERNATING';
    await assertUndecidable(() => pollOperation(core, op), /snapshot status "HIBERNATING"/);
  });

  it('a journal entry whose data cannot be read is undecidable, every poll saying so', async () => {
    const core = fakeCore({ getOperation: () => ({}) });
    const op = { ...record({ op: OP }), data: '{not json' };
    await assertUndecidable(() => pollOperation(core, op), /saved state of "t" could not be read/);
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

  it('restore in place: an instance status the steps cannot go on from (SUSPENDED) is undecidable, every poll naming it', async () => {
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
    await assertUndecidable(() => pollOperation(core, op), /status "SUSPENDED" for VM vm/);
  });
});
