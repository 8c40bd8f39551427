/** The Azure adapter's polls: states it does not know and data it cannot read end, bounded. */
import * as assert from 'node:assert/strict';
import type { ComputeManagementClient } from '@azure/arm-compute';
import type { AzureCore } from '../../src/adapters/azure/core';
import { pollOperation } from '../../src/adapters/azure/operations';
import { CloudError, isCloudError } from '../../src/model/errors';
import { UNDECIDABLE_POLL_LIMIT, UndecidablePolls } from '../../src/model/polls';
import type { OperationRecord } from '../../src/model/types';

const SUB = '00000000-0000-0000-0000-000000000001';
const SNAP_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1`;

/** A core whose snapshots.get (and virtualMachines.get) answer `get()`; everything else unused. */
function fakeCore(get: () => unknown): AzureCore {
  const client = { snapshots: { get: async () => get() }, virtualMachines: { get: async () => get() } } as unknown as ComputeManagementClient;
  return {
    account: { id: 'a', cloud: 'azure', label: 'test', settings: {} },
    compute: () => client,
    call: async <T>(fn: () => Promise<T>) => fn(),
    translate: (e: unknown) => (e instanceof CloudError ? e : new CloudError('unknown', String(e))),
    setting: <T>(_k: string, f: T) => f,
    log: () => undefined,
    invalidate: () => undefined,
    polls: new UndecidablePolls(),
  } as unknown as AzureCore;
}

function record(data: string): OperationRecord {
  return { id: `op-${Math.random()}`, accountId: 'a', kind: 'lro', title: 'Snapshot s1', scopeId: `${SUB}/eastus`, resourceId: SNAP_ID, refreshScopeIds: [], startedAt: Date.now(), data };
}

async function boundedFailure(core: AzureCore, op: OperationRecord): Promise<string> {
  for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
    await assert.rejects(pollOperation(core, op), (e: unknown) => isCloudError(e) && e.kind === 'malformed');
  }
  const last = await pollOperation(core, op);
  assert.deepEqual({ done: last.done, failed: last.failed }, { done: true, failed: true });
  return last.message ?? '';
}

describe('azure polls', () => {
  const follow = JSON.stringify({ sub: SUB, then: 'resource' });

  it('known provisioning states decide or keep polling', async () => {
    let state = 'Creating';
    const core = fakeCore(() => ({ provisioningState: state }));
    assert.deepEqual(await pollOperation(core, record(follow)), { done: false, message: 'Creating' });
    state = 'Succeeded';
    assert.deepEqual(await pollOperation(core, record(follow)), { done: true, progress: 100, message: 'Succeeded' });
    state = 'Failed';
    assert.equal((await pollOperation(core, record(follow))).failed, true);
  });

  it('an unknown provisioningState ends, after bounded polls, with a failure naming it', async () => {
    const core = fakeCore(() => ({ provisioningState: 'Quiescing' }));
    assert.match(await boundedFailure(core, record(follow)), /provisioningState "Quiescing"/);
  });

  it('a journal entry whose data cannot be read, or of an unknown kind, ends instead of being polled for ever', async () => {
    const core = fakeCore(() => ({}));
    assert.match(await boundedFailure(core, record('{broken')), /saved state of "Snapshot s1" could not be read/);
    assert.match(await boundedFailure(core, { ...record(follow), kind: 'teleport' }), /Unknown Azure operation kind "teleport"/);
  });

  it('restore in place: a power state the steps do not know ends, bounded, naming it', async () => {
    const core = fakeCore(() => ({ provisioningState: 'Succeeded', instanceView: { statuses: [{ code: 'PowerState/hibernated' }] }, storageProfile: {} }));
    const data = { sub: SUB, rg: 'rg', vmName: 'vm1', slot: 'os', oldDiskId: 'old', newDiskId: 'new', newDiskName: 'new', disk: {}, wasRunning: true };
    assert.match(await boundedFailure(core, { ...record(JSON.stringify(data)), kind: 'restoreInPlace' }), /power state "hibernated" for VM vm1/);
  });
});
