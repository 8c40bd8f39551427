/**
 * The OpenStack adapter against the OpenStack sandbox (src/sandbox/openstack/), started in
 * process, over real HTTP through the adapter's own client: the mapping onto the model, what is
 * offered and refused (with OpenStack's reasons), confirmations, every action end to end with the
 * sandbox's state as the oracle, lost answers, and the status polls (killed image, ERROR after
 * rebuild, token expiry mid-operation).
 */
import * as assert from 'node:assert/strict';
import { OpenStackAdapter, CHAIN_SOURCE } from '../../src/adapters/openstack/adapter';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAccount, connect, discoverAccounts } from '../../src/adapters/openstack/accounts';
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
      assert.equal(root.local, true, 'the local root disk is marked local (not counted among the volumes)');
      assert.ok(root.details?.some((d) => d.value.startsWith(LOCAL_ROOT_DETAIL)));
      assert.deepEqual(root.attachments, [{ vmId: S.webServer, device: 'root', boot: true }]);
      assert.equal(root.sizeGiB, 20);
      const db = find<OsVmResource>(inv.vms, S.dbServer);
      assert.equal(db.machineType, 'm1.medium');
      assert.equal(db.bootDiskId, S.dbRootVolume);
      assert.deepEqual(db.diskIds, [S.dbRootVolume, S.dbDataVolume]);
      assert.equal(find<OsDiskResource>(inv.disks, S.dbRootVolume).attachments[0].boot, true);
      assert.equal(find<OsDiskResource>(inv.disks, S.dbRootVolume).local, undefined, 'a Cinder volume is not local');
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

  describe('actions end to end', () => {
    it('what is offered: Cinder actions on volumes, none on a local root disk (refused saying why), Nova ones on servers, copy never', async () => {
      const a = adapter();
      const inv = await listed(a);
      const root = find<OsDiskResource>(inv.disks, localRootId(S.webServer));
      assert.deepEqual(a.actionsFor(root), ['simulateWrites']);
      assert.match(await refusal(a, 'createSnapshot', root), /local \(ephemeral\) root disk.*Create Instance Snapshot/s);
      assert.deepEqual(a.actionsFor(find(inv.disks, S.dbDataVolume)), ['createSnapshot', 'createBackup', 'editTags', 'simulateWrites']);
      assert.deepEqual(a.actionsFor(find(inv.disks, S.detachedVolume)), ['createSnapshot', 'createBackup', 'createImageFromDisk', 'editTags', 'simulateWrites']);
      assert.deepEqual(a.actionsFor(find(inv.vms, S.webServer)), ['createRestorePoint', 'editTags']);
      const snap = find<OsSnapshotResource>(inv.snapshots, S.dbDataSnapshots[1]);
      assert.ok(!a.actionsFor(snap).includes('copySnapshot'));
      assert.match(await refusal(a, 'copySnapshot', snap), /not native/);
    });

    it('Create Volume Snapshot: force asked only for an in-use volume and sent only when confirmed; the snapshot is made and followed to available', async () => {
      const a = adapter();
      const inv = await listed(a);
      const data = find<OsDiskResource>(inv.disks, S.dbDataVolume);
      const detached = find<OsDiskResource>(inv.disks, S.detachedVolume);
      const plan = await a.plan('createSnapshot', detached, related(inv, a));
      assert.equal(plan.title, 'Create Volume Snapshot');
      assert.ok(!plan.fields.some((f) => f.id === 'force'), 'no force question for an available volume');
      const inUse = await a.plan('createSnapshot', data, related(inv, a));
      assert.match(inUse.fields.find((f) => f.id === 'force')?.title ?? '', /in use by server db-1/);
      const before = os().snapshots().length;
      const declined = await failure(a.execute('createSnapshot', data, { name: 'no', force: false }, related(inv, a)));
      assertKind(declined, 'invalid', /in use/);
      assert.equal(os().snapshots().length, before, 'nothing sent without the confirmation');
      const { ends } = await run(a, 'createSnapshot', data, { name: 'snap-forced', force: true, tags: [{ key: 'why', value: 'test' }] });
      assert.deepEqual(ends.map((e) => [e.done, e.failed]), [[true, undefined]]);
      const made = os().snapshots().find((x) => x.name === 'snap-forced');
      assert.ok(made && made.volumeId === S.dbDataVolume && made.status === 'available');
      assert.deepEqual(made.metadata, { why: 'test' });
    });

    it('Restore to New Volume: size at least the snapshot, volume type and zone picked from the project; the volume is made from it', async () => {
      const a = adapter();
      const inv = await listed(a);
      const snap = find<OsSnapshotResource>(inv.snapshots, S.dbDataSnapshots[0]);
      const { plan, ends } = await run(a, 'restoreToNewDisk', snap, { name: 'restored-1', sizeGiB: 60, volumeType: 'ssd', zone: 'nova' });
      const size = plan.fields.find((f) => f.id === 'sizeGiB');
      assert.ok(size?.kind === 'number' && size.min === 50);
      const types = plan.fields.find((f) => f.id === 'volumeType');
      assert.ok(types?.kind === 'pick' && types.options.some((o) => o.value === 'ssd'));
      assert.equal(ends[0].failed, undefined);
      const v = os().volumes().find((x) => x.name === 'restored-1');
      assert.ok(v && v.sourceSnapshotId === snap.id && v.sizeGiB === 60 && v.volumeType === 'ssd' && v.status === 'available');
      const small = await failure(a.execute('restoreToNewDisk', snap, { name: 'small', sizeGiB: 10 }, related(inv, a)));
      assertKind(small, 'invalid', /at least the snapshot's 50 GiB/);
    });

    it('Revert Volume to Snapshot: offered on the latest only (an older one is refused saying so), needs the volume detached and Cinder 3.40, reverts the blocks', async () => {
      const a = adapter();
      let inv = await listed(a);
      const older = find<OsSnapshotResource>(inv.snapshots, S.dbDataSnapshots[0]);
      const latest = find<OsSnapshotResource>(inv.snapshots, S.dbDataSnapshots[1]);
      assert.ok(!a.actionsFor(older).includes('restoreInPlace') && a.actionsFor(latest).includes('restoreInPlace'));
      assert.match(await refusal(a, 'restoreInPlace', older), /Only the latest snapshot of a volume can be reverted/);
      assert.match(await refusal(a, 'restoreInPlace', latest), /in-use: Cinder reverts a volume that is available, so detach it/);
      // The detached volume: reverted to its only snapshot.
      inv = await listed(a);
      const scratch = find<OsSnapshotResource>(inv.snapshots, S.detachedSnapshot);
      const blocksAtSnapshot = os().state.snapshots.get(S.detachedSnapshot)?.blockId as string;
      os().writeMiB(S.detachedVolume, 8);
      const { plan, ends } = await run(a, 'restoreInPlace', scratch);
      assert.equal(plan.title, 'Revert Volume to Snapshot');
      assert.match(plan.confirm?.({})?.detail ?? '', /everything written to the volume since is lost/);
      assert.deepEqual(ends.map((e) => e.failed), [undefined]);
      const disk = os().state.blocks.getDisk(S.detachedVolume);
      const image = os().state.blocks.getSnapshot(blocksAtSnapshot);
      assert.ok(disk && image);
      assert.ok([...image.full].every(([i, c]) => disk.blocks.get(i) === c) && disk.blocks.size === image.full.size, 'the volume holds the snapshot\'s blocks again');
    });

    it('a Cinder below microversion 3.40 refuses the revert with a clear message', async () => {
      os().setMaxMicroversion({ volume: '3.30' });
      const a = adapter();
      const inv = await listed(a);
      assert.match(await refusal(a, 'restoreInPlace', find(inv.snapshots, S.detachedSnapshot)), /needs Cinder microversion 3\.40; this cloud's Cinder offers up to 3\.30/);
    });

    it('Create Image from Volume (os-volume_upload_image) is tracked until the Glance image is active; one that ends killed is failed, saying so', async () => {
      const a = adapter();
      const inv = await listed(a);
      const vol = find<OsDiskResource>(inv.disks, S.detachedVolume);
      const { ends } = await run(a, 'createImageFromDisk', vol, { name: 'from-scratch' });
      assert.equal(ends[0].failed, undefined);
      assert.equal(os().images().find((i) => i.name === 'from-scratch')?.status, 'active');
      os().killNextImage();
      const killed = await run(a, 'createImageFromDisk', vol, { name: 'doomed' });
      assert.equal(killed.ends[0].failed, true);
      assert.match(killed.ends[0].message ?? '', /Glance image doomed ended killed/);
      assert.equal(os().images().find((i) => i.name === 'doomed')?.status, 'killed');
    });

    it('Delete Volume Snapshot is refused while a volume restored from it or an instance snapshot mapping it depends on it, naming them; deleted otherwise', async () => {
      const a = adapter();
      let inv = await listed(a);
      const snap = find<OsSnapshotResource>(inv.snapshots, S.dbDataSnapshots[0]);
      await run(a, 'restoreToNewDisk', snap, { name: 'depends-on-it' });
      inv = await listed(a);
      assert.match(await refusal(a, 'deleteSnapshot', snap), /volume depends-on-it \([^)]+\) \(restored from it\)/);
      // A backup made from the latest snapshot of db-1-data depends on it too.
      const latest = find<OsSnapshotResource>(inv.snapshots, S.dbDataSnapshots[1]);
      const fromSnap = os().state.createBackup({ region: R1, volumeId: S.dbDataVolume, name: 'of-latest', snapshotId: latest.id });
      assert.match(await refusal(a, 'deleteSnapshot', latest), new RegExp(`backup of-latest \\(${fromSnap.id}\\) \\(made from it\\)`));
      const other = find<OsSnapshotResource>(inv.snapshots, S.detachedSnapshot);
      // The seeded golden image was uploaded from the volume, not its snapshot: nothing depends on scratch-1.
      const { plan } = await run(a, 'deleteSnapshot', other);
      assert.match(plan.confirm?.({})?.message ?? '', /Delete volume snapshot/);
      assert.ok(!os().snapshots().some((x) => x.id === S.detachedSnapshot));
      // Deleting it again: it is already gone.
      const again = await a.execute('deleteSnapshot', other, {}, related(inv, a));
      assert.match(again.message ?? '', /already gone/);
    });

    it('Create Instance Snapshot: name and metadata, tracked until the image is active; boot from volume makes Cinder snapshots shown after refresh, under the right server', async () => {
      const a = adapter();
      let inv = await listed(a);
      const web = find<OsVmResource>(inv.vms, S.webServer);
      const { plan, ends } = await run(a, 'createRestorePoint', web, { name: 'web-now', tags: [{ key: 'reason', value: 'before patch' }] });
      assert.equal(plan.title, 'Create Instance Snapshot');
      assert.equal(ends[0].failed, undefined);
      const img = os().images().find((i) => i.name === 'web-now');
      assert.ok(img && img.instanceUuid === S.webServer && img.status === 'active' && img.properties.reason === 'before patch');
      const before = os().snapshots().length;
      await run(a, 'createRestorePoint', find(inv.vms, S.dbServer), { name: 'db-now' });
      assert.equal(os().snapshots().length, before + 2, 'a Cinder snapshot of each of the 2 volumes');
      inv = await listed(a);
      const point = (inv.restorePoints as OsRestorePointResource[]).find((p) => p.name === 'db-now');
      assert.ok(point && point.vmId === S.dbServer && point.os.mapsVolumes && point.os.snapshotIds.length === 2);
      assert.ok(point.os.snapshotIds.every((id) => inv.snapshots.some((x) => x.id === id)), 'its volume snapshots are listed');
      assert.equal((inv.restorePoints as OsRestorePointResource[]).find((p) => p.name === 'web-now')?.vmId, S.webServer);
      // A boot-from-volume instance snapshot cannot roll the server back: refused saying why.
      assert.match(await refusal(a, 'revertToRestorePoint', point), /boots from a volume/);
    });

    it('Roll Back (Rebuild): the confirmation names the server, what is lost and what stays; tracked REBUILD → ACTIVE, the root disk holds the image again', async () => {
      const a = adapter();
      const inv = await listed(a);
      const point = find<OsRestorePointResource>(inv.restorePoints, S.webSnapshots[0]);
      os().writeMiB(S.webServer, 16);
      assert.ok(!os().diskMatchesImage(S.webServer, point.id));
      const { plan, ends } = await run(a, 'revertToRestorePoint', point);
      assert.equal(plan.title, 'Roll Back (Rebuild)');
      const c = plan.confirm?.({});
      assert.ok(c);
      assert.match(c.message, /Roll back server web-1/);
      assert.match(c.detail, /everything written to its root disk since is lost/);
      assert.match(c.detail, /What stays: its attached volumes/);
      assert.deepEqual(ends.map((e) => [e.failed, e.message]), [[undefined, 'ACTIVE']]);
      assert.ok(os().diskMatchesImage(S.webServer, point.id));
    });

    it('a server that ends in ERROR after the rebuild is reported failed with Nova\'s fault', async () => {
      const a = adapter();
      const inv = await listed(a);
      os().failNextRebuild();
      const { ends } = await run(a, 'revertToRestorePoint', find(inv.restorePoints, S.webSnapshots[1]));
      assert.equal(ends[0].failed, true);
      assert.match(ends[0].message ?? '', /Nova reports server web-1 ERROR/);
      assert.equal(os().servers().find((x) => x.id === S.webServer)?.status, 'ERROR');
    });

    it('Launch Copy: flavor, network and key pair listed from the project; a new server boots from the instance snapshot', async () => {
      const a = adapter();
      const inv = await listed(a);
      const point = find<OsRestorePointResource>(inv.restorePoints, S.webSnapshots[1]);
      const { plan, ends } = await run(a, 'launchCopy', point, { name: 'web-copy', flavor: S.flavors.medium });
      const pickOf = (id: string) => plan.fields.find((f) => f.id === id);
      const flavor = pickOf('flavor');
      const network = pickOf('network');
      const key = pickOf('keyName');
      assert.ok(flavor?.kind === 'pick' && flavor.options.map((o) => o.label).sort().join() === 'm1.medium,m1.small');
      assert.ok(network?.kind === 'pick' && network.options.map((o) => o.value).join() === S.networks.one);
      assert.ok(key?.kind === 'pick' && key.options.some((o) => o.value === S.keypair));
      assert.equal(ends[0].failed, undefined);
      const copy = os().servers().find((x) => x.name === 'web-copy');
      assert.ok(copy && copy.flavorId === S.flavors.medium && copy.networkId === S.networks.one && copy.keyName === S.keypair && copy.status === 'ACTIVE');
      assert.ok(os().diskMatchesImage(copy.id, point.id), 'its root disk is the instance snapshot');
      assert.equal(os().servers().find((x) => x.id === S.webServer)?.status, 'ACTIVE', 'the source server is left as it is');
    });

    it('Delete Instance Snapshot and Delete Image delete the Glance image (confirmed); a protected image is refused', async () => {
      const a = adapter();
      const inv = await listed(a);
      const { plan } = await run(a, 'deleteRestorePoint', find(inv.restorePoints, S.webSnapshots[0]));
      assert.match(plan.confirm?.({})?.detail ?? '', /can no longer be rolled back to it/);
      assert.ok(!os().images().some((i) => i.id === S.webSnapshots[0]));
      await run(a, 'deleteImage', find(inv.images, S.projectImage));
      assert.ok(!os().images().some((i) => i.id === S.projectImage));
      const golden = os().state.images.get(S.webSnapshots[1]);
      assert.ok(golden);
      golden.protected = true;
      const now = await listed(a);
      assert.match(await refusal(a, 'deleteRestorePoint', find(now.restorePoints, S.webSnapshots[1])), /protected/);
    });

    it('Create Backup: incremental offered only with an available backup, naming the parent it is based on; force only confirmed; full when no backup', async () => {
      const a = adapter();
      let inv = await listed(a);
      const data = find<OsDiskResource>(inv.disks, S.dbDataVolume);
      const plan = await a.plan('createBackup', data, related(inv, a));
      const mode = plan.fields.find((f) => f.id === 'mode');
      assert.ok(mode?.kind === 'pick' && mode.default === 'incremental');
      assert.match(mode.options[0].description ?? '', new RegExp(`based on|since backup db-1-data-incr-2 \\(${S.backupChain[2]}\\)`));
      assert.ok(plan.fields.some((f) => f.id === 'force'));
      os().writeMiB(S.dbDataVolume, 4);
      const { ends } = await run(a, 'createBackup', data, { name: 'incr-3', force: true });
      assert.equal(ends[0].failed, undefined);
      const made = os().backups().find((b) => b.name === 'incr-3');
      assert.ok(made && made.incremental && made.parentId === S.backupChain[2] && made.status === 'available');
      inv = await listed(a);
      assert.equal(find<OsBackupResource>(inv.backups, made.id).parentId, S.backupChain[2], 'the listed (derived) parent is the one Cinder chose');
      // The detached volume has no backup: no incremental question, and a full backup is made.
      const scratch = find<OsDiskResource>(inv.disks, S.detachedVolume);
      const p2 = await a.plan('createBackup', scratch, related(inv, a));
      assert.ok(!p2.fields.some((f) => f.id === 'mode' || f.id === 'force'));
      await run(a, 'createBackup', scratch, { name: 'scratch-full' });
      assert.equal(os().backups().find((b) => b.name === 'scratch-full')?.incremental, false);
    });

    it('the derived parents follow Cinder\'s rule when a backup is made from an older snapshot (the sandbox picks them the same way)', async () => {
      const st = os().state;
      // A snapshot taken now, then a full backup of the volume, then an incremental backup of the snapshot:
      // Cinder bases the latter on the newest backup whose data is older than the snapshot.
      const snap = st.createSnapshot({ region: R1, volumeId: S.dbDataVolume, name: 'mid', force: true, microversion: 0 });
      const later = (ms: number, action: () => void) => {
        st.at(st.now() + ms, action);
        st.at(st.now() + ms + 3_600_000, () => st.sweep());
      };
      later(0, () => st.sweep());
      later(60_000, () => void st.createBackup({ region: R1, volumeId: S.dbDataVolume, name: 'later-full', force: true }));
      later(120_000, () => void st.createBackup({ region: R1, volumeId: S.dbDataVolume, name: 'of-snapshot', incremental: true, snapshotId: snap.id }));
      const ofSnap = os().backups().find((b) => b.name === 'of-snapshot');
      assert.ok(ofSnap);
      assert.equal(ofSnap.parentId, S.backupChain[2], 'Cinder skips the later full backup (its data is newer than the snapshot)');
      const inv = await listed(adapter());
      assert.equal(find<OsBackupResource>(inv.backups, ofSnap.id).parentId, S.backupChain[2]);
    });

    it('Restore Backup to New Volume (restoring-backup → available) holds the backup\'s data; onto its own volume only when available, confirmed naming it', async () => {
      const a = adapter();
      let inv = await listed(a);
      const full = find<OsBackupResource>(inv.backups, S.backupChain[0]);
      const { ends } = await run(a, 'restoreBackupToNewDisk', full, { name: 'from-backup' });
      assert.equal(ends[0].failed, undefined);
      const v = os().volumes().find((x) => x.name === 'from-backup');
      assert.ok(v && v.status === 'available' && v.sizeGiB === 50);
      assert.match(await refusal(a, 'restoreBackupInPlace', full), /in-use \(attached to server db-1\).*Detach it/s);
      // A backup of the detached volume, restored onto it.
      inv = await listed(a);
      await run(a, 'createBackup', find(inv.disks, S.detachedVolume), { name: 'scratch-b' });
      const backupId = os().backups().find((b) => b.name === 'scratch-b')?.id as string;
      const blocksAtBackup = os().state.backups.get(backupId)?.blockId as string;
      os().writeMiB(S.detachedVolume, 8);
      inv = await listed(a);
      const { plan, ends: restored } = await run(a, 'restoreBackupInPlace', find(inv.backups, backupId));
      const c = plan.confirm?.({});
      assert.match(c?.message ?? '', /onto volume scratch/);
      assert.match(c?.detail ?? '', /everything on it now .* is lost/);
      assert.equal(restored[0].failed, undefined);
      const disk = os().state.blocks.getDisk(S.detachedVolume);
      const backupBlocks = os().state.blocks.getSnapshot(blocksAtBackup);
      assert.ok(disk && backupBlocks && [...backupBlocks.full].every(([i, b]) => disk.blocks.get(i) === b));
    });

    it('Delete Backup is refused while incremental backups depend on it, naming them; the newest is deleted and followed until gone', async () => {
      const a = adapter();
      const inv = await listed(a);
      assert.match(await refusal(a, 'deleteBackup', find(inv.backups, S.backupChain[1])), new RegExp(`depend on it.*db-1-data-incr-2 \\(${S.backupChain[2]}\\)`));
      const newest = find<OsBackupResource>(inv.backups, S.backupChain[2]);
      const stored = os().backups().find((b) => b.id === S.backupChain[2]);
      assert.ok(stored && newest.objectCount === os().state.backupObjectCount(stored) && newest.objectCount > 0);
      const { plan, ends } = await run(a, 'deleteBackup', newest);
      // What it frees, in Cinder's own measure (objects), never an invented byte figure.
      const objects = `${newest.objectCount} object${newest.objectCount === 1 ? '' : 's'}`;
      assert.match(plan.confirm?.({})?.detail ?? '', new RegExp(`frees the ${objects} it stores on the backup store \\(Cinder reports objects, not bytes\\)`));
      assert.deepEqual(ends.map((e) => e.message), ['Deleted']);
      assert.ok(!os().backups().some((b) => b.id === S.backupChain[2]));
    });

    it('Edit Metadata: servers, volumes, snapshots, backups (3.43) and image properties, kept exactly; Nova\'s key rule and Glance\'s managed properties refused', async () => {
      const a = adapter();
      const inv = await listed(a);
      const odd = [{ key: 'a:b', value: '[x](command:evil) \u0007' }];
      await run(a, 'editTags', find(inv.vms, S.webServer), { tags: odd });
      assert.deepEqual(os().servers().find((x) => x.id === S.webServer)?.metadata, { 'a:b': '[x](command:evil) \u0007' });
      await run(a, 'editTags', find(inv.disks, S.dbDataVolume), { tags: [{ key: 'k/é', value: 'v' }] });
      assert.deepEqual(os().volumes().find((x) => x.id === S.dbDataVolume)?.metadata, { 'k/é': 'v' });
      await run(a, 'editTags', find(inv.snapshots, S.detachedSnapshot), { tags: [{ key: 's', value: '1' }] });
      assert.deepEqual(os().snapshots().find((x) => x.id === S.detachedSnapshot)?.metadata, { s: '1' });
      await run(a, 'editTags', find(inv.backups, S.backupChain[0]), { tags: [{ key: 'b', value: '2' }] });
      assert.deepEqual(os().backups().find((x) => x.id === S.backupChain[0])?.metadata, { b: '2' });
      const golden = find(inv.images, S.projectImage);
      await run(a, 'editTags', golden, { tags: [{ key: 'os~/distro', value: 'x' }] });
      const props = os().images().find((i) => i.id === S.projectImage)?.properties;
      assert.equal(props?.['os~/distro'], 'x');
      assertKind(await failure(a.execute('editTags', find(inv.vms, S.webServer), { tags: [{ key: 'bad/key', value: '' }] }, related(inv, a))), 'invalid', /Nova takes metadata keys/);
      assertKind(await failure(a.execute('editTags', golden, { tags: [{ key: 'image_type', value: 'x' }] }, related(inv, a))), 'invalid', /manages itself/);
    });

    it('Simulate Writes (sandbox): on a volume and on a local root disk', async () => {
      const a = adapter();
      const inv = await listed(a);
      const r1 = await run(a, 'simulateWrites', find(inv.disks, S.detachedVolume), { mib: 2 });
      assert.match(r1.result.message ?? '', /Wrote 2 MiB/);
      const root = find(inv.disks, localRootId(S.webServer));
      const point = S.webSnapshots[1];
      os().writeMiB(S.webServer, 0);
      await run(a, 'simulateWrites', root, { mib: 1 });
      assert.ok(!os().diskMatchesImage(S.webServer, point));
    });
  });

  describe('lost answers, polls and the connection', () => {
    it('a create whose answer was lost after the cloud acted is found by its name and followed, never sent twice', async () => {
      const a = adapter();
      const inv = await listed(a);
      const cases: [ActionId, Resource, FieldValues, string, (name: string) => number][] = [
        ['createSnapshot', find(inv.disks, S.detachedVolume), { name: 'lost-snap' }, 'volume.createSnapshot', (name) => os().snapshots().filter((x) => x.name === name).length],
        ['createBackup', find(inv.disks, S.detachedVolume), { name: 'lost-backup' }, 'volume.createBackup', (name) => os().backups().filter((x) => x.name === name).length],
        ['createRestorePoint', find(inv.vms, S.webServer), { name: 'lost-image' }, 'compute.serverAction', (name) => os().images().filter((x) => x.name === name).length],
        ['launchCopy', find(inv.restorePoints, S.webSnapshots[1]), { name: 'lost-copy' }, 'compute.createServer', (name) => os().servers().filter((x) => x.name === name).length],
        ['restoreBackupToNewDisk', find(inv.backups, S.backupChain[0]), { name: 'lost-restore' }, 'volume.restoreBackup', (name) => os().volumes().filter((x) => x.name === name).length],
        ['restoreToNewDisk', find(inv.snapshots, S.detachedSnapshot), { name: 'lost-volume' }, 'volume.createVolume', (name) => os().volumes().filter((x) => x.name === name).length],
        ['createImageFromDisk', find(inv.disks, S.detachedVolume), { name: 'lost-upload' }, 'volume.volumeAction', (name) => os().images().filter((x) => x.name === name).length],
      ];
      for (const [action, target, given, route, count] of cases) {
        for (const fault of ['dropAfterCommit', 'malformed'] as const) {
          sandbox.setFaults({ next: { [fault]: 1, actions: [route] } });
          const name = `${given.name as string}-${fault}`;
          const { ends } = await run(a, action, target, { ...given, name });
          assert.equal(ends[0]?.failed, undefined, `${action} after ${fault}`);
          assert.equal(count(name), 1, `${action} after ${fault}: one made, found and followed`);
        }
      }
      assert.ok(logs.some((l) => /its answer was lost .* but .* was made; following it/.test(l)));
    });

    it('a create refused before it acted is not looked for; a lost one that made nothing keeps its error', async () => {
      const a = adapter();
      const inv = await listed(a);
      sandbox.setFaults({ next: { drop: 1, actions: ['volume.createSnapshot'] } });
      // A connection dropped before the request was handled: nothing was made, the error stands.
      const e = await failure(a.execute('createSnapshot', find(inv.disks, S.detachedVolume), { name: 'never' }, related(inv, a)));
      assert.ok(isCloudError(e) && e.kind === 'network', e.message);
      assert.ok(!os().snapshots().some((x) => x.name === 'never'));
    });

    it('a rollback whose answer was lost is followed when the server shows the rebuild; a delete whose answer was lost is judged by the resource', async () => {
      const a = adapter();
      const inv = await listed(a);
      sandbox.setFaults({ next: { dropAfterCommit: 1, actions: ['compute.serverAction'] } });
      const { ends } = await run(a, 'revertToRestorePoint', find(inv.restorePoints, S.webSnapshots[0]));
      assert.equal(ends[0].failed, undefined);
      assert.ok(os().diskMatchesImage(S.webServer, S.webSnapshots[0]));
      sandbox.setFaults({ next: { dropAfterCommit: 1, actions: ['image.deleteImage'] } });
      await run(a, 'deleteImage', find(inv.images, S.projectImage));
      assert.ok(!os().images().some((i) => i.id === S.projectImage));
    });

    it('a token expired mid-operation is renewed by the client and the poll goes on', async () => {
      const a = adapter();
      const inv = await listed(a);
      os().setTiming({ imageMs: 60_000 });
      const { result } = await (async () => {
        const plan = await a.plan('createRestorePoint', find(inv.vms, S.webServer), related(inv, a));
        assert.equal(plan.refusal, undefined);
        return { result: await a.execute('createRestorePoint', find(inv.vms, S.webServer), { name: 'across-expiry' }, related(inv, a)) };
      })();
      const op = record(result.operations[0]);
      assert.equal((await a.pollOperation(op)).done, false);
      os().expireTokens();
      // The image's remaining steps are due now.
      for (const step of os().state.images.get(op.resourceId)?.steps ?? []) {
        step.at = 0;
      }
      logs.length = 0;
      const end = await pollToEnd(a, op);
      assert.equal(end.failed, undefined);
      assert.equal(end.message, 'active');
      assert.ok(logs.some((l) => /the token was refused \(401\); renewing it/.test(l)), logs.join('\n'));
    });

    it('polls survive a window reload: a new adapter follows the journaled operation from its data alone', async () => {
      const a = adapter();
      const inv = await listed(a);
      os().setTiming({ backupMs: 60_000 });
      const result = await a.execute('createBackup', find(inv.disks, S.detachedVolume), { name: 'across-reload' }, related(inv, a));
      const journaled = JSON.parse(JSON.stringify(record(result.operations[0]))) as OperationRecord;
      a.dispose();
      // The backup (and the volume it reads) end now.
      for (const r of [os().state.backups.get(journaled.resourceId), os().state.volumes.get(S.detachedVolume)]) {
        if (r?.pending) {
          r.pending.at = 0;
        }
      }
      const b = adapter();
      const end = await pollToEnd(b, journaled);
      assert.deepEqual([end.done, end.failed, end.message], [true, undefined, 'available']);
      const bad = await failure(b.pollOperation({ ...journaled, id: 'x', data: '{"watch":"nothing"}' }));
      assert.ok(isCloudError(bad) && bad.kind === 'malformed');
    });

    it('a lost create whose result the lists show only a moment later (eventual consistency) is still found, not reported failed', async () => {
      const a = adapter();
      const inv = await listed(a);
      sandbox.setFaults({ visibilityLagMs: 1200, next: { dropAfterCommit: 1, actions: ['compute.serverAction'] } });
      const { ends } = await run(a, 'createRestorePoint', find(inv.vms, S.webServer), { name: 'lagging' });
      assert.equal(ends[0].failed, undefined);
      assert.equal(os().images().filter((i) => i.name === 'lagging').length, 1);
    });

    it('a catalog without Cinder: servers and images are still listed (said in the log); Cinder actions fail naming the missing service', async () => {
      const before = await listed(adapter());
      os().removeServices(['volumev3', 'block-storage', 'volume']);
      const a = adapter();
      const gone = await failure(a.execute('deleteSnapshot', find(before.snapshots, S.detachedSnapshot), {}, related(before, a)));
      assertKind(gone, 'invalid', /has no block-storage service \(Cinder\)/);
      assert.ok(os().snapshots().some((x) => x.id === S.detachedSnapshot), 'never reported deleted');
      const inv = await listed(a);
      assert.ok(inv.vms.length > 0 && inv.restorePoints.length > 0);
      assert.ok(inv.disks.every((d) => (d as OsDiskResource).os.local), 'only local root disks');
      assert.ok(logs.some((l) => /has no block-storage service \(Cinder\)/.test(l)), logs.join('\n'));
    });
  });

  describe('accounts', () => {
    const typed = (settings: Record<string, string>): AccountConfig => ({ id: 'typed', cloud: 'openstack', label: 'typed', settings });
    const typedCtx = (password: string): AdapterContext => ({ ...ctx(), sandbox: undefined, secret: async (name) => (name === 'password' ? password : undefined) });
    const info = () => sandbox.info.openstack;
    const settings = () => ({ authUrl: info().authUrl, userName: info().userName, userDomain: info().userDomain, projectName: info().projectName, projectDomain: info().projectDomain });

    it('checkAccount: passes with a token and Nova, Cinder and Glance in every region; says a wrong password, an unreachable Keystone, a catalog without Cinder', async () => {
      await checkAccount(typed(settings()), typedCtx(info().password), { sleep: async () => undefined });
      assertKind(await failure(checkAccount(typed(settings()), typedCtx('wrong'), { sleep: async () => undefined })), 'auth', /refused the password/);
      assertKind(await failure(checkAccount(typed({ ...settings(), authUrl: 'http://127.0.0.1:1/identity/v3' }), typedCtx('x'), { sleep: async () => undefined })), 'network');
      os().removeServices(['volumev3', 'block-storage', 'volume']);
      assertKind(await failure(checkAccount(typed(settings()), typedCtx(info().password), { sleep: async () => undefined })), 'invalid', /has no block-storage service \(Cinder\)/);
      os().removeServices(['image']);
      assertKind(await failure(checkAccount(typed(settings()), typedCtx(info().password), { sleep: async () => undefined })), 'invalid', /no image service \(Glance\)/);
    });

    it('./clouds.yaml is read in the open workspace folder, not the process directory; without a workspace ./ is not looked in', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-ws-'));
      try {
        copyFileSync(info().cloudsYamlPath, join(dir, 'clouds.yaml'));
        const base = { log: () => undefined, setting: <T>(_k: string, f: T) => f, maxConcurrency: 1 };
        const saved = { ...process.env };
        delete process.env.OS_CLIENT_CONFIG_FILE;
        delete process.env.OS_CLOUD;
        try {
          const inWorkspace = await discoverAccounts({ ...base, workspaceFolders: [dir] });
          const found = inWorkspace.find((c) => c.label === 'snapkeeper-sandbox');
          assert.equal(found?.settings.configFile, join(dir, 'clouds.yaml'));
          const none = await discoverAccounts({ ...base, workspaceFolders: [] });
          assert.ok(!none.some((c) => c.settings.configFile === join(dir, 'clouds.yaml')));
        } finally {
          process.env = saved;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('Create Instance Snapshot on a Nova below 2.45 finds the image from the Location header', async () => {
      os().setMaxMicroversion({ compute: '2.40' });
      const a = adapter();
      const inv = await listed(a);
      assert.equal(find<OsVmResource>(inv.vms, S.webServer).machineType, 'm1.small', 'the flavor name from the flavor list before 2.47');
      const { result, ends } = await run(a, 'createRestorePoint', find(inv.vms, S.webServer), { name: 'old-nova' });
      const img = os().images().find((i) => i.name === 'old-nova');
      assert.ok(img && result.operations[0].resourceId === img.id);
      assert.equal(ends[0].failed, undefined);
    });
  });
});
