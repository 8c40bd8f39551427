// Azure deletes whose target is already gone: done, as AWS and Google Cloud report them — the
// snapshot read first (for its export) saying 404, or the DELETE itself answering 404 (the retry
// after a reset, once the first DELETE had acted). A subscription the credentials cannot see is
// not "gone". The Compute client is scripted; what it was sent is the oracle.
import * as assert from 'node:assert/strict';
import type { ComputeManagementClient } from '@azure/arm-compute';
import { executeAction } from '../../src/adapters/azure/actions';
import { exportKey, type AzureCore } from '../../src/adapters/azure/core';
import type { AzureImage, AzureSnapshot } from '../../src/adapters/azure/map';
import type { RelatedResources } from '../../src/model/adapter';
import { CloudError, isCloudError } from '../../src/model/errors';

const SUB = '00000000-0000-0000-0000-000000000001';
const SNAP_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1`;
const IMAGE_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/img1`;
const facts = { subscriptionId: SUB, resourceGroup: 'rg', location: 'eastus' };
const related: RelatedResources = { inventory: { vms: [], disks: [], snapshots: [], images: [] }, scopes: [] };

const snapshot = (): AzureSnapshot =>
  ({ kind: 'snapshot', id: SNAP_ID, name: 's1', scopeId: `${SUB}/eastus`, state: 'Succeeded', phase: 'ready', tags: [], sizeGiB: 1, encrypted: false, az: facts }) as unknown as AzureSnapshot;
const image = (): AzureImage =>
  ({ kind: 'image', id: IMAGE_ID, name: 'img1', scopeId: `${SUB}/eastus`, state: 'Succeeded', phase: 'ready', tags: [], snapshotIds: [], az: facts }) as unknown as AzureImage;

const notFound = (code: string): CloudError => new CloudError('notFound', `${code}: not there`, { code });

/** An LRO poller whose first request is `submit` and which ends with that first answer. */
function poller(submit: () => Promise<void>) {
  return { submitted: submit, isDone: true, operationState: { status: 'succeeded' }, serialize: async () => '{}', poll: async () => undefined };
}

interface Script {
  /** snapshots.get / images.get: the resource, or throws. */
  get: () => object;
  /** What the first request of each DELETE does (resolves: accepted). */
  del: () => Promise<void>;
}

function fakeCore(script: Script): AzureCore & { sent: string[]; lines: string[]; forgotten: string[] } {
  const sent: string[] = [];
  const lines: string[] = [];
  const forgotten: string[] = [];
  const resource = (kind: string) => ({
    get: async (rg: string, name: string) => {
      sent.push(`GET ${kind} ${rg}/${name}`);
      return script.get();
    },
    delete: (rg: string, name: string) =>
      poller(async () => {
        sent.push(`DELETE ${kind} ${rg}/${name}`);
        await script.del();
      }),
  });
  const client = { snapshots: resource('snapshot'), images: resource('image') } as unknown as ComputeManagementClient;
  const core = {
    account: { id: 'a', cloud: 'azure', label: 'test', settings: {} },
    compute: () => client,
    call: async <T>(fn: () => Promise<T>) => fn(),
    translate: (e: unknown) => (e instanceof CloudError ? e : new CloudError('unknown', String(e))),
    setting: <T>(_k: string, f: T) => f,
    log: (l: string) => lines.push(l),
    invalidate: () => undefined,
    memento: {
      get: () => undefined,
      update: async (key: string, value: unknown) => {
        if (value === undefined) {
          forgotten.push(key);
        }
      },
    },
    sent,
    lines,
    forgotten,
  };
  return core as unknown as AzureCore & { sent: string[]; lines: string[]; forgotten: string[] };
}

describe('azure deletes of what is already gone', () => {
  it('a snapshot the read finds gone (ResourceNotFound): done, nothing sent, saying it was already gone; its remembered export forgotten', async () => {
    const core = fakeCore({
      get: () => {
        throw notFound('ResourceNotFound');
      },
      del: async () => assert.fail('no DELETE for what is not there'),
    });
    const result = await executeAction(core, 'deleteSnapshot', snapshot(), {}, related);
    assert.deepEqual(result.operations, []);
    assert.equal(result.message, 'Deleted snapshot s1 (rg) (it was already gone)');
    assert.deepEqual(result.refreshScopeIds, [`${SUB}/eastus`]);
    assert.deepEqual(core.sent, ['GET snapshot rg/s1']);
    assert.deepEqual(core.forgotten, [exportKey(SNAP_ID)]);
  });

  it('…and so when its resource group is gone (ResourceGroupNotFound)', async () => {
    const core = fakeCore({
      get: () => {
        throw notFound('ResourceGroupNotFound');
      },
      del: async () => assert.fail('no DELETE for what is not there'),
    });
    const result = await executeAction(core, 'deleteSnapshot', snapshot(), {}, related);
    assert.match(result.message ?? '', /^Deleted snapshot s1 \(rg\) \(it was already gone\)$/);
  });

  it('a subscription these credentials cannot see says nothing about the snapshot: the delete fails', async () => {
    const core = fakeCore({
      get: () => {
        throw notFound('SubscriptionNotFound');
      },
      del: async () => assert.fail('no DELETE'),
    });
    await assert.rejects(executeAction(core, 'deleteSnapshot', snapshot(), {}, related), (e: unknown) => isCloudError(e) && e.code === 'SubscriptionNotFound');
  });

  it('a snapshot that is there: one DELETE, done with its answer', async () => {
    const core = fakeCore({ get: () => ({ id: SNAP_ID, diskState: 'Unattached' }), del: async () => undefined });
    const result = await executeAction(core, 'deleteSnapshot', snapshot(), {}, related);
    assert.equal(result.message, 'Deleted snapshot s1 (rg)');
    assert.deepEqual(core.sent, ['GET snapshot rg/s1', 'DELETE snapshot rg/s1']);
  });

  it('a DELETE answered 404 (retried after a reset, once the first had acted): done, not an error', async () => {
    const core = fakeCore({
      get: () => ({ id: SNAP_ID, diskState: 'Unattached' }),
      del: async () => {
        throw notFound('ResourceNotFound');
      },
    });
    const result = await executeAction(core, 'deleteSnapshot', snapshot(), {}, related);
    assert.deepEqual(result.operations, []);
    assert.equal(result.message, 'Deleted snapshot s1 (rg)');
    assert.deepEqual(core.sent, ['GET snapshot rg/s1', 'DELETE snapshot rg/s1']);
    assert.ok(core.lines.some((l) => /already gone/.test(l)), core.lines.join('\n'));
  });

  it('an image whose DELETE answers 404: done; one answering SubscriptionNotFound: the failure stands', async () => {
    const gone = fakeCore({
      get: () => assert.fail('an image delete does not read first'),
      del: async () => {
        throw notFound('ResourceNotFound');
      },
    });
    assert.equal((await executeAction(gone, 'deleteImage', image(), {}, related)).message, 'Deleted image img1 (rg)');
    const unseen = fakeCore({
      get: () => assert.fail('an image delete does not read first'),
      del: async () => {
        throw notFound('SubscriptionNotFound');
      },
    });
    await assert.rejects(executeAction(unseen, 'deleteImage', image(), {}, related), (e: unknown) => isCloudError(e) && e.code === 'SubscriptionNotFound');
  });
});
