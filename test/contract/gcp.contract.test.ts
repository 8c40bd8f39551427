/**
 * The Google Cloud-specific contract cases, beside the shared suite (suite.ts) every adapter
 * runs: through the real @google-cloud/compute (in the worker thread, as the extension runs it; a
 * few cases in-process through DirectApi) against the sandbox started by the Google Cloud driver
 * (drivers/gcp.ts). Actions are driven as the extension drives them: actionsFor → plan → answers
 * (field defaults unless given) → confirm → execute → pollOperation in a loop. The live runs
 * (SNAPKEEPER_LIVE_GCP) are the shared suite's.
 */
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../src/adapters/gcp';
import type { GcpAdapter } from '../../src/adapters/gcp/adapter';
import { DirectApi } from '../../src/adapters/gcp/sdk';
import type { WorkerApi } from '../../src/adapters/gcp/workerApi';
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import type { ActionId } from '../../src/model/actions';
import type { ActionResult, Disk, FieldValues, Image, Inventory, OperationStatus, Resource, Scope, Snapshot, Vm } from '../../src/model/types';
import { GCP_SEEDED } from '../../src/sandbox/gcp/backend';
import { listScope as list } from './driver';
import { gcpContext, startGcpSandbox, type GcpSandbox } from './drivers/gcp';
import { rejects, sleep, track } from './tracking';

const MiB = 1024 * 1024;
const DEV = GCP_SEEDED.devProject;
const PROD = GCP_SEEDED.prodProject;
const ACCOUNT = { id: 'gcp-sandbox', cloud: 'gcp' as const, label: 'Sandbox (Google Cloud)', sandbox: true, settings: {} };

function related(inv: Inventory, scopes: Scope[] = []): RelatedResources {
  return { inventory: inv, scopes };
}




const find = <T extends Resource>(items: Resource[], name: string): T => {
  const r = items.find((x) => x.name === name);
  assert.ok(r, `${name} not listed (have ${items.map((x) => x.name).join(', ')})`);
  return r as T;
};

/** plan → defaults + answers → confirm → execute; returns the result and the confirmation. */
async function run(adapter: CloudAdapter, action: ActionId, target: Resource, inv: Inventory, answers: FieldValues = {}, scopes: Scope[] = []): Promise<{ result: ActionResult; confirm?: { message: string; detail: string } }> {
  assert.ok(adapter.actionsFor(target).includes(action), `${action} not offered for ${target.name}: ${adapter.actionsFor(target).join(', ')}`);
  const plan = await adapter.plan(action, target, related(inv, scopes));
  assert.equal(plan.refusal, undefined, plan.refusal);
  const values: FieldValues = {};
  for (const f of plan.fields) {
    if (f.default !== undefined) {
      values[f.id] = f.default;
    }
  }
  Object.assign(values, answers);
  const confirm = plan.confirm?.(values);
  const result = await adapter.execute(action, target, values, related(inv, scopes));
  return { result, confirm };
}

async function runTracked(adapter: CloudAdapter, action: ActionId, target: Resource, inv: Inventory, answers: FieldValues = {}, scopes: Scope[] = []): Promise<OperationStatus[]> {
  const { result } = await run(adapter, action, target, inv, answers, scopes);
  assert.equal(result.operations.length, 1, JSON.stringify(result));
  const seen = await track(adapter, result.operations[0]);
  const last = seen.at(-1) as OperationStatus;
  assert.ok(!last.failed, `${action} failed: ${last.message}`);
  return seen;
}

const uniq = (p: string): string => `${p}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

describe('Google Cloud adapter: Google Cloud-specific cases (sandbox)', function () {
  this.timeout(30_000);
  let sb: GcpSandbox;
  let adapter: GcpAdapter;
  const log: string[] = [];
  const adapters: CloudAdapter[] = [];
  const make = (opts: { direct?: boolean; settings?: Record<string, unknown> } = {}): GcpAdapter => {
    const a = createAdapter(ACCOUNT, gcpContext(sb.info, log, opts.settings), opts.direct ? { api: (c) => new DirectApi(c) } : {}) as GcpAdapter;
    adapters.push(a);
    return a;
  };

  before(async () => {
    sb = await startGcpSandbox('contract');
    adapter = make();
  });
  after(async () => {
    for (const a of adapters) {
      a.dispose();
    }
    await sb.close();
  });
  beforeEach(() => {
    sb.setFaults({});
  });

  it('lists projects (not leaves), then zones, regions and the global scope (leaves)', async () => {
    const projects = await adapter.listScopes();
    assert.deepEqual(projects.map((p) => p.id).sort(), [DEV, PROD]);
    assert.ok(projects.every((p) => !p.leaf));
    assert.equal(projects.find((p) => p.id === DEV)?.label, 'Snapkeeper Dev');
    const places = await adapter.listScopes(projects.find((p) => p.id === DEV));
    const ids = places.map((p) => p.id);
    for (const id of [`${DEV}/us-central1-a`, `${DEV}/us-central1`, `${DEV}/europe-west1-b`, `${DEV}/global`]) {
      assert.ok(ids.includes(id), `${id} missing`);
    }
    assert.ok(places.every((p) => p.leaf && p.parentId === DEV));
    assert.equal(places.find((p) => p.id === `${DEV}/global`)?.label, 'Global (snapshots and images)');
    // Codes come with the place's name, shown beside them in the tree.
    assert.equal(places.find((p) => p.id === `${DEV}/us-central1-a`)?.name, 'Council Bluffs, Iowa');
    assert.equal(places.find((p) => p.id === `${DEV}/europe-west1`)?.name, 'St. Ghislain, Belgium');
  });

  it('lists a zone: VM (boot disk first), disks with schedule and encryption, the chain with real stored bytes, images and the machine image', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const vm = find<Vm>(inv.vms, 'web-1');
    assert.equal(vm.id, GCP_SEEDED.webInstance);
    assert.equal(vm.machineType, 'e2-medium');
    assert.equal(vm.state, 'running');
    assert.equal(vm.phase, 'ready');
    assert.deepEqual(vm.diskIds, [GCP_SEEDED.webBootDisk, GCP_SEEDED.chainDisk]);
    assert.equal(vm.idLabel, 'us-central1-a');
    const data = find<Disk>(inv.disks, 'web-1-data');
    assert.equal(data.sizeGiB, 100);
    assert.equal(data.diskType, 'pd-ssd');
    assert.equal(data.encrypted, true);
    assert.deepEqual(data.attachments, [{ vmId: vm.id, device: 'data', boot: false }]);
    assert.ok(data.details?.some((d) => d.label === 'Snapshot schedule' && d.value === 'daily-backup'));
    assert.ok(data.details?.some((d) => d.label === 'Encryption key' && d.value === 'Google-managed'));
    for (const path of GCP_SEEDED.chainSnapshots) {
      const s = inv.snapshots.find((x) => x.id === path) as Snapshot;
      assert.ok(s, path);
      assert.equal(s.storedBytes, sb.control.storedBytes(path));
      assert.equal(s.diskId, GCP_SEEDED.chainDisk);
      assert.equal(s.storageTier, 'standard');
    }
    assert.deepEqual(GCP_SEEDED.chainSnapshots.map((p) => (inv.snapshots.find((x) => x.id === p) as Snapshot).storedBytes), [200 * MiB, 50 * MiB, 20 * MiB]);
    assert.equal((inv.snapshots.find((s) => s.id === GCP_SEEDED.archiveSnapshot) as Snapshot).storageTier, 'archive');
    // The snapshot of a deleted disk stays under the zone its sourceDisk names.
    assert.ok(inv.snapshots.some((s) => s.name === 'old-app-snap'));
    const mi = find<Image>(inv.images, 'web-1-machine-image');
    assert.deepEqual(mi.snapshotIds, []);
    const text = mi.details?.map((d) => `${d.label}: ${d.value}`).join('\n') ?? '';
    assert.match(text, /Machine type: e2-medium/);
    assert.match(text, /web-1, 20 GiB, \d+ MiB stored/);
    assert.match(text, /web-1-data, 100 GiB/);
    const img = find<Image>(inv.images, 'web-base-v1');
    assert.deepEqual(img.snapshotIds, [`projects/${DEV}/global/snapshots/web-1-boot-snap-1`]);
  });

  it('regional disks (replica zones), CMEK disks and the other project', async () => {
    const region = await list(adapter, `${DEV}/us-central1`);
    const shared = find<Disk>(region.disks, 'shared-data');
    assert.equal(shared.id, GCP_SEEDED.regionalDisk);
    assert.ok(shared.details?.some((d) => d.label === 'Replica zones' && d.value === 'us-central1-a, us-central1-f'));
    assert.ok(region.snapshots.some((s) => s.name === 'shared-data-snap-1'));
    const b = await list(adapter, `${DEV}/us-central1-b`);
    const cmek = find<Disk>(b.disks, 'db-1-data');
    assert.match(cmek.kmsKeyId ?? '', /cryptoKeys\/db-disks/);
    assert.equal(find<Vm>(b.vms, 'db-1').state, 'terminated');
    const prod = await list(adapter, `${PROD}/us-east1-b`);
    assert.ok(prod.vms.some((v) => v.name === 'app-prod-1'));
    const empty = await list(adapter, `${DEV}/asia-east1-c`);
    assert.equal(empty.vms.length + empty.disks.length + empty.snapshots.length + empty.images.length, 0);
  });

  it('pages: one item per page (aggregated lists with NO_RESULTS_ON_PAGE) lists the same inventory (in-process SDK)', async () => {
    const direct = make({ direct: true, settings: { 'gcp.pageSize': 1 } });
    const normal = await list(adapter, `${DEV}/us-central1-a`);
    sb.control.setPageSize(1);
    try {
      const paged = await list(direct, `${DEV}/us-central1-a`);
      for (const k of ['vms', 'disks', 'snapshots', 'images'] as const) {
        assert.deepEqual(paged[k].map((r) => r.id).sort(), normal[k].map((r) => r.id).sort(), k);
      }
    } finally {
      sb.control.setPageSize(500);
    }
  });

  it('createSnapshot (STANDARD) after Simulate Writes: tracked to READY, stored bytes are the sandbox block accounting, labels and location kept', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const disk = find<Disk>(inv.disks, 'scratch-1');
    await runTracked(adapter, 'simulateWrites', disk, inv, { mib: 8 }).catch(() => undefined);
    const name = uniq('scratch');
    const plan = await adapter.plan('createSnapshot', disk, related(inv));
    assert.ok(!plan.fields.some((f) => f.id === 'guestFlush'), 'guest flush is offered only for a running Windows VM');
    const loc = plan.fields.find((f) => f.id === 'storageLocation');
    assert.ok(loc && loc.kind === 'pick' && loc.options.map((o) => o.value).join() === 'us,us-central1');
    await runTracked(adapter, 'createSnapshot', disk, inv, { name, tags: [{ key: 'purpose', value: 'scratch' }, { key: 'team', value: 'ops' }], storageLocation: 'us-central1' });
    const after = await list(adapter, `${DEV}/us-central1-a`);
    const snap = find<Snapshot>(after.snapshots, name);
    assert.equal(snap.phase, 'ready');
    assert.equal(snap.storedBytes, sb.control.storedBytes(snap.id));
    assert.ok(snap.details?.some((d) => d.label === 'Storage location' && d.value === 'us-central1'));
    assert.deepEqual(snap.tags.map((t) => `${t.key}=${t.value}`).sort(), ['purpose=scratch', 'team=ops']);
    // The next one stores exactly the MiB written in between.
    await run(adapter, 'simulateWrites', find<Disk>(after.disks, 'scratch-1'), after, { mib: 4 });
    const name2 = uniq('scratch');
    await runTracked(adapter, 'createSnapshot', find<Disk>(after.disks, 'scratch-1'), after, { name: name2 });
    const again = await list(adapter, `${DEV}/us-central1-a`);
    assert.equal(find<Snapshot>(again.snapshots, name2).storedBytes, 4 * MiB);
  });

  it('createSnapshot ARCHIVE; guest flush offered for the running Windows VM and refused (explained) elsewhere', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const name = uniq('arch');
    await runTracked(adapter, 'createSnapshot', find<Disk>(inv.disks, 'web-1'), inv, { name, snapshotType: 'ARCHIVE' });
    const s = find<Snapshot>((await list(adapter, `${DEV}/us-central1-a`)).snapshots, name);
    assert.equal(s.storageTier, 'archive');
    assert.equal(s.incremental, false);
    const win = await list(adapter, `${DEV}/us-central1-f`);
    const plan = await adapter.plan('createSnapshot', find<Disk>(win.disks, 'win-1'), related(win));
    assert.ok(plan.fields.some((f) => f.id === 'guestFlush'));
    await runTracked(adapter, 'createSnapshot', find<Disk>(win.disks, 'win-1'), win, { name: uniq('win'), guestFlush: true });
    await rejects(adapter.execute('createSnapshot', find<Disk>(inv.disks, 'web-1-data'), { name: uniq('x'), guestFlush: true }, related(inv)), 'invalid', /Windows/);
  });

  it('an operation DONE with an error is reported failed, never as success', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    sb.setFaults({ next: { lroFailure: 1, actions: ['compute.disks.createSnapshot'] } });
    const { result } = await run(adapter, 'createSnapshot', find<Disk>(inv.disks, 'scratch-1'), inv, { name: uniq('fail') });
    const seen = await track(adapter, result.operations[0]);
    const last = seen.at(-1) as OperationStatus;
    assert.equal(last.done, true);
    assert.equal(last.failed, true);
    assert.match(last.message ?? '', /INTERNAL_ERROR|internal/i);
  });

  it('a name already taken: the operation ends DONE with an error → failed, naming the reason', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const { result } = await run(adapter, 'createSnapshot', find<Disk>(inv.disks, 'scratch-1'), inv, { name: 'web-1-data-snap-1' });
    const last = (await track(adapter, result.operations[0])).at(-1) as OperationStatus;
    assert.equal(last.failed, true);
    assert.match(last.message ?? '', /already exists/);
  });

  it('requestId: a truncated 200 answer to a create, a restore and a delete is retried with the same id → each done once, reported done', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const disk = find<Disk>(inv.disks, 'scratch-1');
    const before = sb.control.counts().find((c) => c.project === DEV)?.snapshots ?? 0;
    const name = uniq('cut');
    sb.setFaults({ next: { malformed: 1, actions: ['compute.disks.createSnapshot'] } });
    await runTracked(adapter, 'createSnapshot', disk, inv, { name });
    assert.equal(sb.control.counts().find((c) => c.project === DEV)?.snapshots, before + 1, 'one snapshot');

    const snap = find<Snapshot>((await list(adapter, `${DEV}/us-central1-a`)).snapshots, 'web-1-data-snap-3');
    const disksBefore = sb.control.counts().find((c) => c.project === DEV)?.disks ?? 0;
    sb.setFaults({ next: { malformed: 1, actions: ['compute.disks.insert'] } });
    await runTracked(adapter, 'restoreToNewDisk', snap, inv, { name: uniq('cut-disk'), zone: 'us-central1-a' });
    assert.equal(sb.control.counts().find((c) => c.project === DEV)?.disks, disksBefore + 1, 'one disk');

    const made = find<Snapshot>((await list(adapter, `${DEV}/us-central1-a`)).snapshots, name);
    sb.setFaults({ next: { malformed: 1, actions: ['compute.snapshots.delete'] } });
    await runTracked(adapter, 'deleteSnapshot', made, inv);
    assert.equal([...sb.control.state.snapshots.values()].some((x) => x.name === name && x.deleteAt === undefined), false, 'deleted');
  });

  it('restoreToNewDisk: size below the snapshot refused; zone and type applied', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const scopes = await adapter.listScopes({ id: DEV, label: DEV, leaf: false });
    const snap = find<Snapshot>(inv.snapshots, 'web-1-data-snap-3');
    await rejects(adapter.execute('restoreToNewDisk', snap, { name: uniq('small'), zone: 'us-central1-b', diskType: 'pd-ssd', sizeGiB: 10 }, related(inv, scopes)), 'invalid', /at least/);
    const plan = await adapter.plan('restoreToNewDisk', snap, related(inv, scopes));
    const zone = plan.fields.find((f) => f.id === 'zone');
    assert.ok(zone?.kind === 'pick' && zone.options[0].value.startsWith('us-central1-'));
    const name = uniq('restored');
    await runTracked(adapter, 'restoreToNewDisk', snap, inv, { name, zone: 'us-central1-b', diskType: 'pd-standard', sizeGiB: 120 }, scopes);
    const b = await list(adapter, `${DEV}/us-central1-b`);
    const d = find<Disk>(b.disks, name);
    assert.equal(d.sizeGiB, 120);
    assert.equal(d.diskType, 'pd-standard');
    assert.equal(d.sourceSnapshotId, snap.id);
  });

  it('restoreInPlace, data disk of a running VM: stop, new disk, detach, attach same device, start — across a reload; old disk kept', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const snap = find<Snapshot>(inv.snapshots, 'web-1-data-snap-2');
    const { result, confirm } = await run(adapter, 'restoreInPlace', snap, inv);
    assert.match(confirm?.message ?? '', /web-1/);
    assert.match(confirm?.detail ?? '', /STOPPED/);
    assert.match(confirm?.detail ?? '', /web-1-data is kept/);
    const seen = await track(adapter, result.operations[0], { reload: { after: 2, make: () => make() } });
    const last = seen.at(-1) as OperationStatus;
    assert.ok(!last.failed, last.message);
    const after = await list(adapter, `${DEV}/us-central1-a`);
    const vm = find<Vm>(after.vms, 'web-1');
    assert.equal(vm.state, 'running');
    const newDisk = after.disks.find((d) => d.id === vm.diskIds[1]) as Disk;
    assert.notEqual(newDisk.id, GCP_SEEDED.chainDisk);
    assert.equal(newDisk.sourceSnapshotId, snap.id);
    assert.deepEqual(newDisk.attachments, [{ vmId: vm.id, device: 'data', boot: false }]);
    const old = find<Disk>(after.disks, 'web-1-data');
    assert.deepEqual(old.attachments, []);
  });

  it('restoreInPlace of the boot disk of a stopped VM: swapped as boot, left stopped', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-b`);
    const bootDisk = `projects/${DEV}/zones/us-central1-b/disks/db-1`;
    const name = uniq('db-boot');
    await runTracked(adapter, 'createSnapshot', find<Disk>(inv.disks, 'db-1'), inv, { name });
    const inv2 = await list(adapter, `${DEV}/us-central1-b`);
    const snap = find<Snapshot>(inv2.snapshots, name);
    await runTracked(adapter, 'restoreInPlace', snap, inv2);
    const after = await list(adapter, `${DEV}/us-central1-b`);
    const vm = find<Vm>(after.vms, 'db-1');
    assert.equal(vm.state, 'terminated');
    assert.notEqual(vm.bootDiskId, bootDisk);
    assert.equal((after.disks.find((d) => d.id === vm.bootDiskId) as Disk).sourceSnapshotId, snap.id);
  });

  it('createImageFromSnapshot with a family; createImageFromVm as a machine image that says what it contains; deleteImage of both', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const name = uniq('img');
    await runTracked(adapter, 'createImageFromSnapshot', find<Snapshot>(inv.snapshots, 'web-1-boot-snap-1'), inv, { name, family: 'web-base' });
    const mname = uniq('mi');
    const plan = await adapter.plan('createImageFromVm', find<Vm>(inv.vms, 'web-1'), related(inv));
    assert.equal(plan.title, 'Create Machine Image');
    await runTracked(adapter, 'createImageFromVm', find<Vm>(inv.vms, 'web-1'), inv, { name: mname });
    const after = await list(adapter, `${DEV}/us-central1-a`);
    const img = find<Image>(after.images, name);
    assert.ok(img.details?.some((d) => d.label === 'Family' && d.value === 'web-base'));
    const mi = find<Image>(after.images, mname);
    assert.match(mi.details?.map((d) => d.value).join('\n') ?? '', /e2-medium[\s\S]*web-1, 20 GiB/);
    for (const target of [img, mi]) {
      const { result, confirm } = await run(adapter, 'deleteImage', target, after);
      assert.match(confirm?.message ?? '', new RegExp(target.name as string));
      await track(adapter, result.operations[0]);
    }
    const gone = await list(adapter, `${DEV}/us-central1-a`);
    assert.ok(!gone.images.some((i) => i.name === name || i.name === mname));
  });

  it('createImageFromDisk: a disk of a running VM needs forceCreate (asked, default no); an unattached disk is imaged directly', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    // Whichever disk the running web-1 uses now (earlier cases swap its data disk).
    const web1 = find<Vm>(inv.vms, 'web-1');
    assert.equal(web1.state, 'running');
    const data = inv.disks.find((d) => d.attachments.some((x) => x.vmId === web1.id));
    assert.ok(data, 'web-1 has no disk');
    const plan = await adapter.plan('createImageFromDisk', data, related(inv));
    const force = plan.fields.find((f) => f.id === 'forceCreate');
    assert.ok(force && force.kind === 'boolean' && force.default === false, 'forceCreate not asked for the running VM');
    assert.match(force.title, /running VM web-1/);
    await rejects(adapter.execute('createImageFromDisk', data, { name: uniq('img'), family: '', tags: [], forceCreate: false }, related(inv)), 'invalid', /Stop the VM/);
    const forced = uniq('img-force');
    await runTracked(adapter, 'createImageFromDisk', data, inv, { name: forced, forceCreate: true });
    const imaged = sb.control.state.images.get(`${DEV}/${forced}`) ?? [...sb.control.state.images.values()].find((i) => i.name === forced);
    assert.ok(imaged, 'the forced image is not in the sandbox');
    const scratch = [...(await list(adapter, `${DEV}/us-central1-a`)).disks, ...(await list(adapter, `${DEV}/us-central1-b`)).disks].find((d) => d.attachments.length === 0);
    assert.ok(scratch, 'no unattached disk seeded');
    const scratchPlan = await adapter.plan('createImageFromDisk', scratch, related(inv));
    assert.ok(!scratchPlan.fields.some((f) => f.id === 'forceCreate'), 'forceCreate asked for an unattached disk');
  });

  it('deleteSnapshot in the middle of a chain: the confirmation names the next snapshot; its stored bytes grow by what the sandbox moved', async () => {
    const inv = await list(adapter, `${DEV}/europe-west1-b`);
    const disk = find<Disk>(inv.disks, 'eu-app-1');
    const [a, b] = [uniq('c1'), uniq('c2')];
    await run(adapter, 'simulateWrites', disk, inv, { mib: 12 });
    await runTracked(adapter, 'createSnapshot', disk, inv, { name: a });
    await run(adapter, 'simulateWrites', disk, inv, { mib: 6 });
    await runTracked(adapter, 'createSnapshot', disk, inv, { name: b });
    const chain = await list(adapter, `${DEV}/europe-west1-b`);
    const first = find<Snapshot>(chain.snapshots, a);
    const impact = sb.control.deleteImpact(first.id);
    const nextBefore = find<Snapshot>(chain.snapshots, b).storedBytes ?? 0;
    const { result, confirm } = await run(adapter, 'deleteSnapshot', first, chain);
    assert.match(confirm?.detail ?? '', new RegExp(`moves to ${b}`));
    await track(adapter, result.operations[0]);
    const after = await list(adapter, `${DEV}/europe-west1-b`);
    assert.ok(!after.snapshots.some((s) => s.name === a));
    const moved = impact.moved.reduce((n, m) => n + m.bytes, 0);
    assert.ok(moved > 0);
    assert.equal(find<Snapshot>(after.snapshots, b).storedBytes, nextBefore + moved);
  });

  it('editTags (labels with the fingerprint) on a VM, a disk, a snapshot and an image; labels breaking GCP rules refused', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    for (const target of [find(inv.vms, 'web-1'), find(inv.disks, 'scratch-1'), find(inv.snapshots, 'web-1-boot-snap-1'), find(inv.images, 'web-base-v1')]) {
      const { result } = await run(adapter, 'editTags', target, inv, { tags: [{ key: 'owner', value: 'ops' }, { key: 'tier', value: 'gold' }] });
      for (const op of result.operations) {
        await track(adapter, op);
      }
    }
    const after = await list(adapter, `${DEV}/us-central1-a`);
    for (const n of ['web-1', 'scratch-1', 'web-1-boot-snap-1', 'web-base-v1']) {
      const r = [...after.vms, ...after.disks, ...after.snapshots, ...after.images].find((x) => x.name === n) as Resource;
      assert.deepEqual(r.tags.map((t) => `${t.key}=${t.value}`).sort(), ['owner=ops', 'tier=gold'], n);
    }
    const disk = find(after.disks, 'scratch-1');
    await rejects(adapter.execute('editTags', disk, { tags: [{ key: 'Owner', value: 'x' }] }, related(after)), 'invalid', /Label key/);
    await rejects(adapter.execute('editTags', disk, { tags: [{ key: 'k', value: 'v'.repeat(64) }] }, related(after)), 'invalid', /at most 63/);
    await rejects(adapter.execute('editTags', disk, { tags: [{ key: 'k', value: '<script>' }] }, related(after)), 'invalid');
  });

  it('a project whose Compute Engine API is off → auth error naming the API and the link to enable it', async () => {
    sb.control.setApiEnabled(PROD, false);
    try {
      const fresh = make();
      const e = await rejects(list(fresh, `${PROD}/us-east1-b`), 'auth', /Compute Engine API is not enabled for project snapkeeper-prod/);
      assert.match(e.message, /https:\/\/console\.\S+compute\.googleapis\.com/);
    } finally {
      sb.control.setApiEnabled(PROD, true);
    }
  });

  // (An aborted listing and unknown snapshot ids: the shared suite.)
  it('hostile names are refused; an operation Compute Engine no longer keeps → malformed, saying so', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    await rejects(adapter.execute('createSnapshot', find<Disk>(inv.disks, 'scratch-1'), { name: '../../etc; rm -rf' }, related(inv)), 'invalid', /lower-case/);
    await rejects(adapter.pollOperation({ kind: 'op', title: 't', scopeId: `${DEV}/global`, resourceId: 'x', refreshScopeIds: [], id: 'i', accountId: 'a', startedAt: 0, data: JSON.stringify({ op: { project: DEV, operation: 'operation-nope' } }) }), 'malformed', /no longer keeps the operation operation-nope/);
  });

  it('the worker dying: calls in flight reject with a clear error, the next call starts a new worker', async () => {
    const fresh = make();
    await fresh.listScopes();
    const api = fresh.api as WorkerApi;
    assert.equal(api.spawned, 1);
    sb.setFaults({ latencyMs: 500 });
    const p = list(fresh, `${DEV}/us-central1-a`);
    await sleep(100);
    await api.kill();
    await rejects(p, 'unknown', /worker stopped/);
    sb.setFaults({});
    const inv = await list(fresh, `${DEV}/us-central1-a`);
    assert.ok(inv.vms.length > 0);
    assert.equal(api.spawned, 2);
  });

  it('copySnapshot and exportSnapshot are not offered (GCP snapshots are global), and refused with the reason', async () => {
    const inv = await list(adapter, `${DEV}/us-central1-a`);
    const snap = find<Snapshot>(inv.snapshots, 'web-1-data-snap-3');
    assert.ok(!adapter.actionsFor(snap).includes('copySnapshot'));
    assert.ok(!adapter.actionsFor(snap).includes('exportSnapshot'));
    const plan = await adapter.plan('copySnapshot', snap, related(inv));
    assert.match(plan.refusal ?? '', /global/);
  });
});
