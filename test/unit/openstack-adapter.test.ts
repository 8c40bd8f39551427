/**
 * The OpenStack adapter against the OpenStack sandbox (src/sandbox/openstack/), started in
 * process, over real HTTP through the adapter's own client: the mapping onto the model, what is
 * offered and refused (with OpenStack's reasons), confirmations, every action end to end with the
 * sandbox's state as the oracle, lost answers, and the status polls (killed image, ERROR after
 * rebuild, token expiry mid-operation).
 */
import * as assert from 'node:assert/strict';
import { OpenStackAdapter, CHAIN_SOURCE } from '../../src/adapters/openstack/adapter';
import { connect } from '../../src/adapters/openstack/accounts';
import { createAdapter, nouns } from '../../src/adapters/openstack/index';
import { LOCAL_ROOT_DETAIL, localRootId, type OsBackupResource, type OsDiskResource, type OsRestorePointResource, type OsSnapshotResource, type OsVmResource } from '../../src/adapters/openstack/map';
import type { AdapterContext, RelatedResources } from '../../src/model/adapter';
import { buildChain } from '../../src/model/chain';
import { isCloudError } from '../../src/model/errors';
import { INVENTORY_KEY, type AccountConfig, type ActionResult, type FieldValues, type Inventory, type OperationRecord, type OperationStatus, type Resource } from '../../src/model/types';
import type { ActionId } from '../../src/model/actions';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { INSTANT_OS_TIMING, OPENSTACK_SEEDED as S } from '../../src/sandbox/openstack/backend';
import { assertKind, failure } from './fakes';

const R1 = 'RegionOne';
const R2 = 'RegionTwo';

describe('openstack adapter against the sandbox', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  const adapters: OpenStackAdapter[] = [];
  const logs: string[] = [];

  before(async () => {
    sandbox = await startSandbox({ clouds: { openstack: { timing: INSTANT_OS_TIMING } } });
  });

  after(async () => {
    adapters.forEach((a) => a.dispose());
    await sandbox.close();
  });

  beforeEach(() => {
    sandbox.clouds.openstack.reset();
    sandbox.setFaults({});
    logs.length = 0;
  });

  const os = () => sandbox.clouds.openstack;
  const account: AccountConfig = { id: 'os-sb', cloud: 'openstack', label: 'OpenStack sandbox', sandbox: true, settings: {} };
  const ctx = (): AdapterContext => ({ log: (m) => void logs.push(m), setting: <T>(_k: string, f: T) => f, maxConcurrency: 4, sandbox: sandbox.info.openstack });

  function adapter(): OpenStackAdapter {
    const a = new OpenStackAdapter(account, ctx(), () => connect(account, ctx(), { sleep: async () => undefined }));
    adapters.push(a);
    return a;
  }

  async function listed(a: OpenStackAdapter, region = R1): Promise<Required<Inventory>> {
    const inv: Required<Inventory> = { vms: [], disks: [], snapshots: [], images: [], policies: [], restorePoints: [], backups: [] };
    a.invalidate(region);
    await a.listInventory({ id: region, label: region, leaf: true }, { add: (k, items) => void (inv[INVENTORY_KEY[k]] as Resource[]).push(...items) }, new AbortController().signal);
    return inv;
  }

  const related = (inv: Inventory, a: OpenStackAdapter): RelatedResources => ({ inventory: inv, scopes: a.regions });

  const find = <T extends Resource>(items: Resource[], id: string): T => {
    const r = items.find((x) => x.id === id);
    assert.ok(r, `${id} is listed`);
    return r as T;
  };

  const record = (start: ActionResult['operations'][number]): OperationRecord => ({ ...start, id: `op-${Math.random()}`, accountId: account.id, startedAt: Date.now() });

  async function pollToEnd(a: OpenStackAdapter, op: OperationRecord, max = 20): Promise<OperationStatus> {
    for (let i = 0; i < max; i++) {
      const s = await a.pollOperation(op);
      if (s.done) {
        return s;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`not done after ${max} polls`);
  }

  /** Plan, then execute with the plan's defaults overridden by `given`; every operation followed to its end. */
  async function run(a: OpenStackAdapter, action: ActionId, target: Resource, given: FieldValues = {}, region = target.scopeId) {
    const inv = await listed(a, region);
    const plan = await a.plan(action, target, related(inv, a));
    assert.equal(plan.refusal, undefined, plan.refusal);
    const values: FieldValues = {};
    for (const f of plan.fields) {
      if (f.default !== undefined) {
        values[f.id] = f.default;
      }
    }
    const result = await a.execute(action, target, { ...values, ...given }, related(inv, a));
    const ends = [];
    for (const op of result.operations) {
      ends.push(await pollToEnd(a, record(op)));
    }
    return { plan, result, ends, values: { ...values, ...given } };
  }

  async function refusal(a: OpenStackAdapter, action: ActionId, target: Resource): Promise<string> {
    const inv = await listed(a, target.scopeId);
    const plan = await a.plan(action, target, related(inv, a));
    assert.ok(plan.refusal, `${action} on ${target.id} is refused`);
    // execute refuses the same way (the palette and tests call it directly).
    const e = await failure(a.execute(action, target, {}, related(inv, a)));
    assert.ok(isCloudError(e) && e.message === plan.refusal, `execute refuses as the plan: ${e.message}`);
    return plan.refusal;
  }

  describe('mapping', () => {
    it('regions are flat leaf scopes from the catalog; the module says OpenStack\'s words', async () => {
      const a = adapter();
      assert.deepEqual(await a.listScopes(), [
        { id: R1, label: R1, leaf: true },
        { id: R2, label: R2, leaf: true },
      ]);
      assert.deepEqual(await a.listScopes({ id: R1, label: R1, leaf: true }), []);
      assert.deepEqual([nouns.topScope, nouns.leafScope, nouns.disk, nouns.snapshot, nouns.restorePoint, nouns.image], ['region', 'region', 'volume', 'volume snapshot', 'instance snapshot', 'image']);
      assert.ok(nouns.about?.snapshot && nouns.about.restorePoint && nouns.about.backup);
      assert.equal(createAdapter(account, ctx()).cloud, 'openstack');
    });

    it('servers with their status word and flavor; boot from image has a local root disk, boot from volume its root volume as boot disk', async () => {
      const inv = await listed(adapter());
      const web = find<OsVmResource>(inv.vms, S.webServer);
      assert.equal(web.state, 'ACTIVE');
      assert.equal(web.machineType, 'm1.small');
      assert.equal(web.bootDiskId, localRootId(S.webServer));
      const root = find<OsDiskResource>(inv.disks, localRootId(S.webServer));
      assert.equal(root.diskType, LOCAL_ROOT_DETAIL);
      assert.ok(root.details?.some((d) => d.value.startsWith(LOCAL_ROOT_DETAIL)));
      assert.deepEqual(root.attachments, [{ vmId: S.webServer, device: 'root', boot: true }]);
      assert.equal(root.sizeGiB, 20);
      const db = find<OsVmResource>(inv.vms, S.dbServer);
      assert.equal(db.machineType, 'm1.medium');
      assert.equal(db.bootDiskId, S.dbRootVolume);
      assert.deepEqual(db.diskIds, [S.dbRootVolume, S.dbDataVolume]);
      assert.equal(find<OsDiskResource>(inv.disks, S.dbRootVolume).attachments[0].boot, true);
      assert.equal(find<OsDiskResource>(inv.disks, S.dbDataVolume).attachments[0].boot, false);
      assert.ok(!inv.disks.some((d) => d.id === localRootId(S.dbServer)), 'a boot-from-volume server has no local root disk');
      const detached = find<OsDiskResource>(inv.disks, S.detachedVolume);
      assert.deepEqual(detached.attachments, []);
      assert.equal(detached.state, 'available');
      // RegionTwo is listed on its own.
      const two = await listed(adapter(), R2);
      assert.deepEqual(two.vms.map((v) => [v.id, v.state]), [[S.edgeServer, 'SHUTOFF']]);
      assert.ok(two.vms.every((v) => v.scopeId === R2));
    });

    it('instance snapshots are restore points under the server they came from; other images the project owns are images; public images are not listed', async () => {
      const inv = await listed(adapter());
      const points = inv.restorePoints as OsRestorePointResource[];
      assert.deepEqual(points.filter((p) => p.vmId === S.webServer).map((p) => p.id).sort(), [...S.webSnapshots].sort());
      assert.ok(points.every((p) => p.memory === false && p.parentId === undefined));
      assert.deepEqual(inv.images.map((i) => i.id), [S.projectImage]);
      assert.ok(!inv.images.some((i) => i.id === S.baseImages.ubuntu));
    });

    it('backups: full and incremental, parents derived from data_timestamp (as Cinder picks them), dependents and object counts as Cinder reports', async () => {
      const inv = await listed(adapter());
      const chain = S.backupChain.map((id) => find<OsBackupResource>(inv.backups, id));
      assert.deepEqual(chain.map((b) => b.incremental), [false, true, true]);
      assert.deepEqual(chain.map((b) => b.parentId), [undefined, S.backupChain[0], S.backupChain[1]]);
      for (const b of chain) {
        const truth = os().backupFacts(b.id);
        assert.equal(b.parentId ?? null, truth.parentId, `${b.name}: the derived parent is the sandbox's`);
        assert.equal(b.objectCount, Math.ceil(truth.storedBytes / (50 * 1024 * 1024)));
      }
      assert.deepEqual(chain.map((b) => b.hasDependents), [true, true, false]);
      assert.ok(chain[1].details?.some((d) => d.label === 'Parent' && /derived from data_timestamp/.test(d.value)));
      assert.equal(chain[0].diskId, S.dbDataVolume);
    });

    it('volume snapshots: the volume\'s latest is marked; chain facts are unavailable with the reason (Cinder reports no stored bytes)', async () => {
      const a = adapter();
      const inv = await listed(a);
      const [older, latest] = S.dbDataSnapshots.map((id) => find<OsSnapshotResource>(inv.snapshots, id));
      assert.equal(older.os.latest, false);
      assert.equal(latest.os.latest, true);
      assert.equal(latest.diskId, S.dbDataVolume);
      const chain = buildChain([...inv.disks, ...inv.snapshots], S.dbDataVolume);
      assert.ok(chain);
      const facts = await a.chainFacts(chain.snapshots.map((snapshot, i) => ({ snapshot, previous: chain.snapshots[i - 1] })));
      assert.equal(facts.source, CHAIN_SOURCE);
      for (const s of chain.snapshots) {
        assert.match(facts.snapshots[s.id].unavailable ?? '', /reports no stored bytes/);
        assert.equal(facts.snapshots[s.id].storedBytes, undefined);
      }
    });

    it('hostile names pass through as data: control characters and command links, in names, details and confirmations', async () => {
      const hostile = 'x\u0007\u001b[31m [x](command:workbench.action.terminal.new) `rm -rf`';
      const vol = os().state.volumes.get(S.detachedVolume);
      assert.ok(vol);
      vol.name = hostile;
      vol.metadata = { '[k](command:x)': '\u0000v' };
      const a = adapter();
      const inv = await listed(a);
      const d = find<OsDiskResource>(inv.disks, S.detachedVolume);
      assert.equal(d.name, hostile);
      assert.deepEqual(d.tags, [{ key: '[k](command:x)', value: '\u0000v' }]);
      const snap = find<OsSnapshotResource>(inv.snapshots, S.detachedSnapshot);
      assert.equal(snap.os.volumeName, hostile);
      const plan = await a.plan('restoreInPlace', snap, related(inv, a));
      assert.equal(plan.refusal, undefined);
      assert.ok(plan.confirm?.({})?.message.includes(hostile));
    });
  });
});
