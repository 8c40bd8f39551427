/**
 * The Azure adapter contract suite, through the real @azure/arm-compute against the sandbox
 * started in-process (its `info.azure` connection and `azure` control object). Skipped, with a
 * message, while the sandbox has no Azure part. A live suite runs when
 * SNAPKEEPER_LIVE_AZURE_SUBSCRIPTION is set (read-only listing, plus one snapshot create/delete
 * in SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP).
 */
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../src/adapters/azure';
import type { AdapterContext, CloudAdapter, Memento } from '../../src/model/adapter';
import { isCloudError, type ErrorKind } from '../../src/model/errors';
import type { ActionId, Disk, FieldValues, Inventory, OperationStart, OperationStatus, Resource, ResourceKind, Scope, Snapshot } from '../../src/model/types';
import { startSandbox, type Sandbox } from '../../src/sandbox';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function memento(): Memento {
  const m = new Map<string, unknown>();
  return { get: <T>(k: string) => m.get(k) as T | undefined, update: async (k, v) => void (v === undefined ? m.delete(k) : m.set(k, v)) };
}

function ctxFor(sandbox: unknown, log: string[], settings: Record<string, unknown> = {}): AdapterContext {
  return {
    log: (l) => log.push(l),
    setting: <T>(k: string, f: T) => (k in settings ? (settings[k] as T) : f),
    sandbox,
    maxConcurrency: 16,
    memento: memento(),
  };
}

async function list(adapter: CloudAdapter, scope: Scope): Promise<Inventory> {
  const inv: Inventory = { vms: [], disks: [], snapshots: [], images: [] };
  const key = { vm: 'vms', disk: 'disks', snapshot: 'snapshots', image: 'images' } as const;
  await adapter.listInventory(scope, { add: (kind: ResourceKind, items: Resource[]) => void (inv[key[kind]] as Resource[]).push(...items) }, new AbortController().signal);
  return inv;
}

async function track(adapter: CloudAdapter, op: OperationStart, timeoutMs = 30_000): Promise<OperationStatus[]> {
  const record = { ...op, id: `op-${Math.random()}`, accountId: adapter.account.id, startedAt: Date.now() };
  const seen: OperationStatus[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await adapter.pollOperation(record);
    seen.push(s);
    if (s.done) {
      return seen;
    }
    assert.ok(Date.now() < deadline, `operation ${op.title} did not finish`);
    await sleep(100);
  }
}

async function rejects(p: Promise<unknown>, kind: ErrorKind): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isCloudError(e), `expected a CloudError, got ${String(e)}`);
    assert.equal(e.kind, kind, `expected ${kind}, got ${e.kind}: ${e.message}`);
    return;
  }
  assert.fail(`expected a CloudError of kind ${kind}`);
}

describe('azure adapter contract (sandbox)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox | undefined;
  let info: unknown;
  let adapter: CloudAdapter;
  const log: string[] = [];

  before(async function () {
    sandbox = await startSandbox({ timing: { snapshotMs: 300 } as never });
    info = (sandbox.info as unknown as { azure?: unknown }).azure;
    if (!info) {
      await sandbox.close();
      sandbox = undefined;
      this.skip();
    }
    adapter = createAdapter({ id: 'acct-azure', cloud: 'azure', label: 'Azure sandbox', sandbox: true, settings: {} }, ctxFor(info, log));
  });

  after(async () => {
    adapter?.dispose();
    await sandbox?.close();
  });

  async function firstLocationWithDisks(): Promise<{ scope: Scope; inv: Inventory; scopes: Scope[] }> {
    const subs = await adapter.listScopes();
    for (const sub of subs) {
      const locs = await adapter.listScopes(sub);
      for (const scope of locs) {
        const inv = await list(adapter, scope);
        if (inv.disks.some((d) => d.phase === 'ready')) {
          return { scope, inv, scopes: locs };
        }
      }
    }
    throw new Error('no location with disks');
  }

  async function run(action: ActionId, target: Resource, values: FieldValues, inv: Inventory, scopes: Scope[]) {
    assert.ok(adapter.actionsFor(target).includes(action), `${action} not offered for ${target.id}`);
    const plan = await adapter.plan(action, target, { inventory: inv, scopes });
    assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
    return adapter.execute(action, target, values, { inventory: inv, scopes });
  }

  it('lists subscriptions (not leaves) and their physical locations (leaves)', async () => {
    const subs = await adapter.listScopes();
    assert.ok(subs.length >= 1);
    assert.ok(subs.every((s) => !s.leaf));
    const locs = await adapter.listScopes(subs[0]);
    assert.ok(locs.length >= 1);
    assert.ok(locs.every((l) => l.leaf && l.id.startsWith(`${subs[0].id}/`) && l.parentId === subs[0].id));
  });

  it('lists a location: VMs, disks, snapshots, images, with the resource group as idLabel', async () => {
    const { inv } = await firstLocationWithDisks();
    assert.ok(inv.disks.length > 0);
    for (const r of [...inv.vms, ...inv.disks, ...inv.snapshots]) {
      assert.ok(r.idLabel, `${r.id} has no idLabel`);
    }
  });

  it('creates an incremental snapshot and tracks it to completion', async () => {
    const { scope, inv, scopes } = await firstLocationWithDisks();
    const disk = inv.disks.find((d) => d.phase === 'ready') as Disk;
    const res = await run('createSnapshot', disk, { name: `contract-${Date.now().toString(36)}`, incremental: true, sku: 'Standard_LRS', encryption: 'source', tags: [{ key: 'env', value: 'test' }] }, inv, scopes);
    assert.equal(res.operations.length, 1);
    const seen = await track(adapter, res.operations[0]);
    assert.equal(seen.at(-1)?.failed, undefined, seen.at(-1)?.message);
    const after = await list(adapter, scope);
    const s = after.snapshots.find((x) => x.id.toLowerCase() === res.operations[0].resourceId.toLowerCase()) as Snapshot;
    assert.ok(s, 'the new snapshot is listed');
    assert.equal(s.incremental, true);
    assert.equal(s.diskId?.toLowerCase(), disk.id.toLowerCase());
  });

  it('refuses a create whose name is taken', async () => {
    const { inv, scopes } = await firstLocationWithDisks();
    const disk = inv.disks.find((d) => d.phase === 'ready') as Disk;
    const taken = inv.snapshots[0];
    if (!taken || taken.id.split('/')[4] !== disk.id.split('/')[4]) {
      return;
    }
    await rejects(run('createSnapshot', disk, { name: taken.name ?? '', incremental: true }, inv, scopes), 'invalid');
  });

  it('an unknown snapshot → notFound on delete', async () => {
    const { inv } = await firstLocationWithDisks();
    const s = inv.snapshots.find((x) => x.phase === 'ready');
    if (!s) {
      return;
    }
    const ghost = { ...s, id: s.id.replace(/[^/]+$/, 'no-such-snapshot'), name: 'no-such-snapshot' };
    await rejects(adapter.execute('deleteSnapshot', ghost, {}, { inventory: inv, scopes: [] }), 'notFound');
  });
});

const LIVE_SUB = process.env.SNAPKEEPER_LIVE_AZURE_SUBSCRIPTION;
if (!LIVE_SUB) {
  describe('azure adapter contract (live Azure)', () => {
    it.skip('live Azure suite skipped: set SNAPKEEPER_LIVE_AZURE_SUBSCRIPTION (Azure CLI login) and SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP', () => undefined);
  });
} else {
  describe(`azure adapter contract (live Azure, subscription ${LIVE_SUB})`, function () {
    this.timeout(900_000);
    const log: string[] = [];
    const adapter = createAdapter(
      { id: 'acct-live-azure', cloud: 'azure', label: 'live', settings: { auth: 'cli', tenantId: process.env.SNAPKEEPER_LIVE_AZURE_TENANT ?? '' } },
      ctxFor(undefined, log),
    );
    after(() => adapter.dispose());

    it('lists the subscription, its locations and inventory (read-only)', async () => {
      const subs = await adapter.listScopes();
      const sub = subs.find((s) => s.id === LIVE_SUB);
      assert.ok(sub, `subscription ${LIVE_SUB} not visible`);
      const locs = await adapter.listScopes(sub);
      assert.ok(locs.length > 0);
      await list(adapter, locs[0]);
    });

    it('creates and deletes one snapshot in the named resource group', async function () {
      const rg = process.env.SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP;
      if (!rg) {
        this.skip();
      }
      const sub = (await adapter.listScopes()).find((s) => s.id === LIVE_SUB) as Scope;
      for (const scope of await adapter.listScopes(sub)) {
        const inv = await list(adapter, scope);
        const disk = inv.disks.find((d) => d.id.split('/')[4]?.toLowerCase() === rg?.toLowerCase() && d.phase === 'ready');
        if (!disk) {
          continue;
        }
        const res = await adapter.execute('createSnapshot', disk, { name: `snapkeeper-live-${Date.now().toString(36)}`, incremental: true }, { inventory: inv, scopes: [] });
        const seen = await track(adapter, res.operations[0], 600_000);
        assert.equal(seen.at(-1)?.failed, undefined);
        const after = await list(adapter, scope);
        const snap = after.snapshots.find((s) => s.id.toLowerCase() === res.operations[0].resourceId.toLowerCase()) as Snapshot;
        const del = await adapter.execute('deleteSnapshot', snap, {}, { inventory: after, scopes: [] });
        for (const o of del.operations) {
          await track(adapter, o, 600_000);
        }
        return;
      }
      this.skip();
    });
  });
}
