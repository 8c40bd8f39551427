/**
 * The OpenStack-specific contract cases, beside the shared suite (suite.ts) every adapter runs:
 * the adapter through its real client (Keystone token, catalog, microversions) against the
 * OpenStack sandbox started by the OpenStack driver (drivers/openstack.ts), the sandbox's own
 * state as the oracle.
 *
 * - OpenStack's cases: a token that expires mid-operation, a catalog without Cinder, a server in
 *   ERROR after a rebuild, an instance snapshot whose image ends `killed`, a Cinder whose highest
 *   microversion is below the revert's 3.40.
 * - The fault battery (battery.ts) for OpenStack's own actions: Create Backup, Create Instance
 *   Snapshot and Roll Back (Rebuild), judged from the sandbox's state.
 * - The live path: the shared cases and the backup and revert cases through a clouds.yaml —
 *   against the cloud SNAPKEEPER_LIVE_OPENSTACK names, or (always) against the sandbox through
 *   the clouds.yaml it writes, so the live plumbing (account from clouds.yaml, names starting with
 *   `snapkeeper-test-`, clean-up, skips for what a cloud lacks) is proven to run, not just skipped.
 */
import * as assert from 'node:assert/strict';
import type { OpenStackAdapter } from '../../src/adapters/openstack/adapter';
import type { RelatedResources } from '../../src/model/adapter';
import type { Backup, Disk, OperationStatus, Resource, RestorePoint, Snapshot, Vm } from '../../src/model/types';
import { OPENSTACK_SEEDED as S, SANDBOX_CLOUD_NAME } from '../../src/sandbox/openstack/backend';
import { assertClean, battery, faultMix, OPS } from './battery';
import { act, lacks, leaf, listScope, marker, skipBecause } from './driver';
import { LIVE_OPENSTACK, LIVE_PREFIX, liveCloudLacks, liveOpenStackTarget, openstackDriver, type OpenStackTarget, rememberLive, startOpenStackSandbox, type OpenStackSandbox } from './drivers/openstack';
import { cases } from './suite';
import { answers, rejects, sleep, track } from './tracking';

const REGION = leaf('RegionOne');

/** Lists a region afresh (nothing cached). */
async function inventoryOf(adapter: OpenStackAdapter, scope = REGION) {
  adapter.invalidate(scope.id);
  return listScope(adapter, scope);
}

const listed = <T extends Resource>(items: readonly Resource[] | undefined, id: string): T => {
  const found = (items ?? []).find((r) => r.id === id);
  assert.ok(found, `${id} is not listed`);
  return found as T;
};

describe('OpenStack adapter: its own cases (sandbox)', function () {
  this.timeout(60_000);
  let t: OpenStackTarget;
  let sandbox: OpenStackSandbox;
  let adapter: OpenStackAdapter;

  before(async () => {
    t = await openstackDriver.sandbox('contract');
    sandbox = t.sandbox as OpenStackSandbox;
    adapter = t.osAdapter();
  });
  after(async () => {
    adapter?.dispose();
    await t?.close();
  });
  afterEach(() => {
    sandbox.control.setMaxMicroversion({ compute: '2.96', volume: '3.71' });
    sandbox.control.removeServices([]);
    sandbox.setFaults({});
  });

  const related = async (scope = REGION): Promise<RelatedResources> => ({ inventory: await inventoryOf(adapter, scope), scopes: t.scopes });

  it('a token that expires mid-operation is renewed: the snapshot is followed to done, and made once', async () => {
    const inv = await inventoryOf(adapter);
    const disk = listed<Disk>(inv.disks, S.detachedVolume);
    const name = marker('os-expiry');
    const plan = await adapter.plan('createSnapshot', disk, await related());
    const result = await adapter.execute('createSnapshot', disk, answers(plan, { name }), await related());
    const tokensBefore = sandbox.control.counts().tokens;
    sandbox.control.expireTokens();
    const seen = await track(adapter, result.operations[0], { pollMs: 40 });
    assert.deepEqual(seen.at(-1)?.failed, undefined, JSON.stringify(seen.at(-1)));
    assert.equal(seen.at(-1)?.done, true);
    // A new token was issued for the polls after the old one ended.
    assert.ok(sandbox.control.counts().tokens > tokensBefore, 'no new token was issued');
    const made = sandbox.control.snapshots().filter((s) => s.name === name);
    assert.deepEqual(made.map((s) => s.status), ['available']);
  });

  it('a catalog without Cinder: the region still lists its servers and instance snapshots, says Cinder is missing, and no volume action claims success', async () => {
    const before = await inventoryOf(adapter);
    const snap = listed<Snapshot>(before.snapshots, S.detachedSnapshot);
    sandbox.control.removeServices(['volumev3', 'block-storage', 'volume']);
    const fresh = t.osAdapter();
    try {
      const from = t.log.length;
      const inv = await inventoryOf(fresh);
      listed<Vm>(inv.vms, S.webServer);
      listed<RestorePoint>(inv.restorePoints, S.webSnapshots[0]);
      assert.deepEqual([inv.snapshots.length, inv.backups?.length ?? 0, inv.disks.filter((d) => d.id === S.detachedVolume).length], [0, 0, 0]);
      assert.ok(t.log.slice(from).some((l) => /catalog of RegionOne has no .*\(Cinder\)/.test(l)), t.log.slice(from).join('\n'));
      // A volume snapshot listed before Cinder left the catalog: deleting it must not be reported done.
      const outcome = await fresh.execute('deleteSnapshot', snap, {}, { inventory: before, scopes: t.scopes }).then(
        (r) => `reported: ${r.message ?? ''}`,
        (e: unknown) => (e instanceof Error ? `refused: ${e.message}` : String(e)),
      );
      assert.match(outcome, /^refused: .*Cinder/, outcome);
      assert.ok(sandbox.control.state.snapshots.has(S.detachedSnapshot));
    } finally {
      fresh.dispose();
    }
  });

  it('a server in ERROR after a rebuild: Roll Back is reported failed with Nova\'s fault, and the server is in ERROR', async () => {
    const inv = await inventoryOf(adapter);
    const point = listed<RestorePoint>(inv.restorePoints, S.webSnapshots[0]);
    sandbox.control.failNextRebuild();
    const plan = await adapter.plan('revertToRestorePoint', point, await related());
    assert.equal(plan.refusal, undefined, plan.refusal);
    const result = await adapter.execute('revertToRestorePoint', point, answers(plan, {}), await related());
    const seen = await track(adapter, result.operations[0], { pollMs: 40 });
    const last = seen.at(-1) as OperationStatus;
    assert.equal(last.done, true);
    assert.equal(last.failed, true, JSON.stringify(last));
    assert.match(last.message ?? '', /ERROR/);
    assert.match(last.message ?? '', /Failed to rebuild instance/);
    assert.equal(sandbox.control.state.servers.get(S.webServer)?.status, 'ERROR');
    // Back to a usable server for the cases after this one.
    sandbox.control.state.servers.get(S.webServer)!.status = 'ACTIVE';
  });

  it('an instance snapshot whose image ends killed: reported failed saying so, and Glance holds it killed', async () => {
    const inv = await inventoryOf(adapter);
    const vm = listed<Vm>(inv.vms, S.webServer);
    const name = marker('os-killed');
    sandbox.control.killNextImage();
    const plan = await adapter.plan('createRestorePoint', vm, await related());
    const result = await adapter.execute('createRestorePoint', vm, answers(plan, { name }), await related());
    const seen = await track(adapter, result.operations[0], { pollMs: 40 });
    const last = seen.at(-1) as OperationStatus;
    assert.equal(last.failed, true, JSON.stringify(last));
    assert.match(last.message ?? '', /killed/);
    assert.deepEqual(sandbox.control.images().filter((i) => i.name === name).map((i) => i.status), ['killed']);
  });

  it("a Cinder whose highest microversion is below 3.40: Revert Volume to Snapshot is refused, saying why, and the volume is untouched", async () => {
    sandbox.control.setMaxMicroversion({ volume: '3.30' });
    const fresh = t.osAdapter();
    try {
      const inv = await inventoryOf(fresh);
      const latest = listed<Snapshot>(inv.snapshots, S.dbDataSnapshots[1]);
      const plan = await fresh.plan('restoreInPlace', latest, { inventory: inv, scopes: t.scopes });
      assert.match(plan.refusal ?? '', /3\.40/);
      assert.match(plan.refusal ?? '', /3\.30/);
      await rejects(fresh.execute('restoreInPlace', latest, {}, { inventory: inv, scopes: t.scopes }), 'invalid', /3\.40/);
      assert.equal(sandbox.control.state.volumes.get(S.dbDataVolume)?.status, 'in-use');
    } finally {
      fresh.dispose();
    }
  });
});

describe('fault battery: OpenStack\'s own actions (≈20 % faults, eventual consistency, judged from the sandbox\'s state)', function () {
  this.timeout(120_000);
  let t: OpenStackTarget;
  let sandbox: OpenStackSandbox;
  let adapter: OpenStackAdapter;
  const mix = (n: number) => faultMix(openstackDriver.battery.seed + 10 + n, openstackDriver.battery.faults);

  before(async () => {
    t = await openstackDriver.sandbox('battery');
    sandbox = t.sandbox as OpenStackSandbox;
    adapter = t.osAdapter();
  });
  after(async () => {
    adapter?.dispose();
    await t?.close();
  });

  const related = async (): Promise<RelatedResources> => ({ inventory: await inventoryOf(adapter), scopes: t.scopes });

  it('createBackup', async () => {
    const rel = await related();
    const disk = listed<Disk>(rel.inventory.disks, S.detachedVolume);
    const tally = await battery('openstack', sandbox, adapter, rel, {
      action: 'createBackup',
      kind: 'create',
      op: (i) => ({ target: disk, given: { name: `battery-backup-${i}` }, marker: `battery-backup-${i}` }),
      truth: async (name) => {
        const made = sandbox.control.backups().filter((b) => b.name === name);
        return { count: made.length, ready: made.some((b) => b.status === 'available') };
      },
    }, mix(1));
    assertClean(tally);
  });

  it('createRestorePoint (Create Instance Snapshot)', async () => {
    const rel = await related();
    const vm = listed<Vm>(rel.inventory.vms, S.webServer);
    const tally = await battery('openstack', sandbox, adapter, rel, {
      action: 'createRestorePoint',
      kind: 'create',
      op: (i) => ({ target: vm, given: { name: `battery-instance-snapshot-${i}` }, marker: `battery-instance-snapshot-${i}` }),
      truth: async (name) => {
        const made = sandbox.control.images().filter((im) => im.name === name);
        return { count: made.length, ready: made.some((im) => im.status === 'active') };
      },
    }, mix(2));
    assertClean(tally);
  });

  it('revertToRestorePoint (Roll Back: rebuild)', async () => {
    // One server per rebuild (Nova rebuilds a server once at a time), each with its own instance
    // snapshot, written to since: a rebuild happened when its root disk holds the snapshot's blocks again.
    const state = sandbox.control.state;
    const servers = Array.from({ length: OPS }, (_, i) =>
      state.createServer({ region: 'RegionOne', name: `battery-rebuild-${i}`, imageId: S.baseImages.ubuntu, flavorId: S.flavors.small, networkId: S.networks.one }),
    );
    state.sweep();
    const images = servers.map((s, i) => {
      sandbox.control.writeMiB(s.id, 4);
      const image = state.createServerImage(s.id, 'RegionOne', `battery-rebuild-point-${i}`, {});
      state.sweep();
      sandbox.control.writeMiB(s.id, 4);
      return image;
    });
    state.sweep();
    // Older than the battery's list lag, so the actions find them listed.
    await sleep((openstackDriver.battery.faults.visibilityLagMs ?? 0) + 100);
    const rel = await related();
    const points = images.map((im) => listed<RestorePoint>(rel.inventory.restorePoints, im.id));
    const byServer = new Map(servers.map((s, i) => [s.id, images[i].id]));
    const tally = await battery('openstack', sandbox, adapter, rel, {
      action: 'revertToRestorePoint',
      kind: 'create',
      op: (i) => ({ target: points[i], given: {}, marker: servers[i].id }),
      truth: async (serverId) => {
        const rebuilt = sandbox.control.diskMatchesImage(serverId, byServer.get(serverId) ?? '');
        return { count: rebuilt ? 1 : 0, ready: rebuilt && state.servers.get(serverId)?.status === 'ACTIVE' };
      },
    }, mix(3));
    assertClean(tally);
  });
});

// ---- the live path ------------------------------------------------------------------------

/**
 * OpenStack's live cases: a backup chain of the run's volume restored and deleted, and a revert of
 * the volume to its latest snapshot — each skipped, with the reason, when the cloud lacks the
 * backup service or the microversion.
 */
function liveCases(start: () => Promise<OpenStackTarget>): void {
  let t: OpenStackTarget;
  let adapter: OpenStackAdapter;
  before(async () => {
    t = await start();
    adapter = t.osAdapter();
  });
  after(async () => {
    adapter?.dispose();
    await t?.close();
  });
  const related = async (scope = t.scope): Promise<RelatedResources> => ({ inventory: await inventoryOf(adapter, scope), scopes: t.scopes });

  it('backs the volume up (full, then incremental on it), restores the incremental to a new volume, and deletes the backups newest first', async function () {
    const missing = await t.lacksBackups();
    if (missing) {
      skipBecause(this, missing);
    }
    const disk = await t.disk();
    const names = [marker('os-backup-full'), marker('os-backup-incr')];
    const ids: string[] = [];
    for (const [i, name] of names.entries()) {
      const rel = await related();
      const acted = await act(t, adapter, 'createBackup', listed<Disk>(rel.inventory.disks, disk.id), { name, mode: i === 0 ? 'full' : 'incremental' }, rel);
      const op = acted.result.operations[0];
      rememberLive(t, { kind: 'backup', id: op.resourceId, scopeId: op.scopeId });
      ids.push(op.resourceId);
    }
    const inv = await inventoryOf(adapter, t.scope);
    const [full, incr] = ids.map((id) => listed<Backup>(inv.backups, id));
    assert.equal(full.incremental, false);
    assert.equal(incr.incremental, true);
    assert.equal(incr.parentId, full.id, 'the incremental names the full backup as its parent');
    const restoredName = marker('os-backup-restored');
    const restored = await act(t, adapter, 'restoreBackupToNewDisk', incr, { name: restoredName }, await related());
    t.made('disk', restored.result.operations[0].resourceId, t.scope.id);
    assert.deepEqual(await t.oracle.disks(restoredName), { count: 1, ready: true });
    // The full backup has a dependent: refused until the incremental is gone.
    const refused = await adapter.plan('deleteBackup', listed<Backup>((await inventoryOf(adapter, t.scope)).backups, full.id), await related());
    assert.match(refused.refusal ?? '', /depend/);
    for (const id of [...ids].reverse()) {
      const rel = await related();
      await act(t, adapter, 'deleteBackup', listed<Backup>(rel.inventory.backups, id), {}, rel);
      assert.equal((await inventoryOf(adapter, t.scope)).backups?.some((b) => b.id === id), false, `backup ${id} is still listed`);
    }
  });

  it('reverts the volume to its latest snapshot (Cinder 3.40)', async function () {
    const missing = await t.lacksVolumeMicroversion('3.40', 'Revert Volume to Snapshot');
    if (missing) {
      skipBecause(this, missing);
    }
    const disk = await t.disk();
    const name = marker('os-revert');
    const rel = await related();
    const made = await act(t, adapter, 'createSnapshot', listed<Disk>(rel.inventory.disks, disk.id), { name }, rel);
    const snapId = made.result.operations[0].resourceId;
    t.made('snapshot', snapId, t.scope.id);
    const after = await related();
    await act(t, adapter, 'restoreInPlace', listed<Snapshot>(after.inventory.snapshots, snapId), {}, after);
    const volume = listed<Disk>((await inventoryOf(adapter, t.scope)).disks, disk.id);
    assert.equal(volume.phase, 'ready');
  });
}

describe(`OpenStack adapter contract: the live path through clouds.yaml, against the sandbox's (cloud ${SANDBOX_CLOUD_NAME})`, function () {
  this.timeout(120_000);
  let sandbox: OpenStackSandbox;
  let seeded: { volumes: string[]; snapshots: string[]; backups: string[]; images: string[] };
  const env = process.env.OS_CLIENT_CONFIG_FILE;

  before(async () => {
    sandbox = await startOpenStackSandbox('contract');
    // As a user runs it: OS_CLIENT_CONFIG_FILE points at the clouds.yaml; the account names a cloud in it.
    process.env.OS_CLIENT_CONFIG_FILE = sandbox.info.cloudsYamlPath;
    const ids = <T extends { id: string }>(xs: T[]) => xs.map((x) => x.id).sort();
    seeded = { volumes: ids(sandbox.control.volumes()), snapshots: ids(sandbox.control.snapshots()), backups: ids(sandbox.control.backups()), images: ids(sandbox.control.images()) };
  });

  const start = () => liveOpenStackTarget(SANDBOX_CLOUD_NAME, undefined, { pollMs: 50, timeoutMs: 20_000 });

  describe('the shared cases', () => {
    cases(openstackDriver, start);
  });

  describe("OpenStack's live cases", () => {
    liveCases(start);
  });

  describe('what the live run lacks is skipped with the reason', () => {
    afterEach(() => {
      sandbox.control.setMaxMicroversion({ volume: '3.71' });
      sandbox.control.removeServices([]);
    });
    const lacking = async <T>(ask: (l: Awaited<ReturnType<typeof liveCloudLacks>>) => Promise<T>): Promise<T> => {
      const l = await liveCloudLacks(SANDBOX_CLOUD_NAME);
      try {
        return await ask(l);
      } finally {
        l.dispose();
      }
    };

    it('a Cinder below 3.40 makes the revert case skip, naming both versions', async () => {
      assert.equal(await lacking((l) => l.volumeMicroversion('3.40', 'Revert Volume to Snapshot')), undefined);
      sandbox.control.setMaxMicroversion({ volume: '3.30' });
      assert.equal(await lacking((l) => l.volumeMicroversion('3.40', 'Revert Volume to Snapshot')), 'Revert Volume to Snapshot needs Cinder microversion 3.40; this cloud offers 3.30');
    });

    it('a catalog without Cinder makes the backup case skip, saying the cloud offers no backups and why', async () => {
      assert.equal(await lacking((l) => l.backups()), undefined);
      sandbox.control.removeServices(['volumev3', 'block-storage', 'volume']);
      assert.match((await lacking((l) => l.backups())) ?? '', /^the cloud offers no Cinder backups here \(The catalog of RegionOne has no .*Cinder/);
    });
  });

  after(async () => {
    try {
      // Everything the live runs made is gone (all of it named snapkeeper-test-…), and nothing else was touched.
      const named = (xs: { name: string }[]) => xs.filter((x) => x.name.startsWith(LIVE_PREFIX)).map((x) => x.name);
      assert.deepEqual([...named(sandbox.control.volumes()), ...named(sandbox.control.snapshots()), ...named(sandbox.control.backups()), ...named(sandbox.control.images())], []);
      const ids = <T extends { id: string }>(xs: T[]) => xs.map((x) => x.id).sort();
      assert.deepEqual(
        { volumes: ids(sandbox.control.volumes()), snapshots: ids(sandbox.control.snapshots()), backups: ids(sandbox.control.backups()), images: ids(sandbox.control.images()) },
        seeded,
      );
    } finally {
      if (env === undefined) {
        delete process.env.OS_CLIENT_CONFIG_FILE;
      } else {
        process.env.OS_CLIENT_CONFIG_FILE = env;
      }
      await sandbox?.close();
    }
  });
});

describe('OpenStack adapter contract: its own live cases', () => {
  const live = openstackDriver.live();
  if (lacks(live)) {
    it('runs the backup and revert cases against a real cloud', function () {
      skipBecause(this, live.lacks);
    });
    return;
  }
  describe(live.title, function () {
    this.timeout(2_400_000);
    liveCases(() => liveOpenStackTarget(process.env[LIVE_OPENSTACK] ?? ''));
  });
});
