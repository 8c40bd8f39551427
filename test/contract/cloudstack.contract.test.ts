/**
 * The Apache CloudStack-specific contract cases, beside the shared suite (suite.ts) every adapter
 * runs: the adapter through its real client, signed, against the CloudStack sandbox started by
 * the CloudStack driver (drivers/cloudstack.ts). The sandbox's own state is the oracle. Actions
 * are driven as the extension drives them: actionsFor → plan → answers (field defaults unless
 * given) → confirm → execute → pollOperation in a loop.
 */
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../src/adapters/cloudstack';
import type { CloudStackAdapter } from '../../src/adapters/cloudstack/adapter';
import type { RelatedResources } from '../../src/model/adapter';
import type { ActionId } from '../../src/model/actions';
import { buildChain, chainFigures } from '../../src/model/chain';
import type { ActionResult, Disk, FieldValues, Image, Inventory, OperationStatus, Resource, RestorePoint, Snapshot, Vm } from '../../src/model/types';
import { CLOUDSTACK_SEEDED as S } from '../../src/sandbox/cloudstack/backend';
import { leaf, listScope } from './driver';
import { cloudStackContext, CS_TIMING, startCloudStackSandbox, type CloudStackSandbox } from './drivers/cloudstack';
import { answers, rejects, track } from './tracking';

const MiB = 1024 * 1024;
const ACCOUNT = { id: 'cloudstack-sandbox', cloud: 'cloudstack' as const, label: 'Sandbox (Apache CloudStack)', sandbox: true, settings: {} };
const GVA = leaf(S.zones.gva);

describe('Apache CloudStack adapter: its own cases (sandbox)', function () {
  this.timeout(30_000);
  let sandbox: CloudStackSandbox;
  let adapter: CloudStackAdapter;
  const log: string[] = [];
  const make = (info: unknown = sandbox.info): CloudStackAdapter => createAdapter(ACCOUNT, cloudStackContext(info, log)) as CloudStackAdapter;

  before(async () => {
    sandbox = await startCloudStackSandbox('contract');
    adapter = make();
    await adapter.listScopes();
  });
  after(async () => {
    adapter?.dispose();
    await sandbox?.close();
  });

  async function inventory(zone = GVA): Promise<Inventory> {
    adapter.invalidate();
    return listScope(adapter, zone);
  }
  const related = (inv: Inventory): RelatedResources => ({ inventory: inv, scopes: adapter.zones });
  const byId = <T extends Resource>(items: Resource[], id: string): T => {
    const r = items.find((x) => x.id === id);
    assert.ok(r, `${id} is not listed`);
    return r as T;
  };

  /** plan → answers → confirm → execute, then every operation followed to its end. */
  async function act(action: ActionId, target: Resource, given: FieldValues = {}): Promise<{ result: ActionResult; statuses: OperationStatus[][]; confirm?: string }> {
    assert.ok(adapter.actionsFor(target).includes(action), `${action} not offered for ${target.name}: ${adapter.actionsFor(target).join(', ')}`);
    const inv = await inventory(leaf(target.scopeId));
    const plan = await adapter.plan(action, target, related(inv));
    assert.equal(plan.refusal, undefined, plan.refusal);
    const values = answers(plan, given);
    const c = plan.confirm?.(values);
    const result = await adapter.execute(action, target, values, related(inv));
    const statuses: OperationStatus[][] = [];
    for (const op of result.operations) {
      statuses.push(await track(adapter, op, { pollMs: 30 }));
    }
    return { result, statuses, confirm: c ? `${c.message}\n${c.detail}` : undefined };
  }

  it('a job that fails after 3 polls: reported failed with jobresult.errortext as the message, nothing made', async () => {
    const inv = await inventory();
    const disk = byId<Disk>(inv.disks, S.appDataVolume);
    const errortext = 'Failed to create snapshot due to an internal error: [Open](command:workbench.action.terminal.new) $(alert) <b>secondary storage full</b>';
    sandbox.control.failNextJob(3, errortext, 'createSnapshot');
    const plan = await adapter.plan('createSnapshot', disk, related(inv));
    const result = await adapter.execute('createSnapshot', disk, answers(plan, { name: 'ct-doomed', zones: '' }), related(inv));
    const seen = await track(adapter, result.operations[0], { pollMs: 30 });
    assert.deepEqual(seen.slice(0, 3).map((s) => s.done), [false, false, false]);
    assert.deepEqual(seen.at(-1), { done: true, failed: true, message: errortext });
    assert.equal(sandbox.control.snapshots().filter((s) => s.name === 'ct-doomed' && sandbox.control.state.snapshotState(s) === 'BackedUp').length, 0);
  });

  it('a signature refused for a wrong clock: a clear message naming the clock, not the keys', async () => {
    sandbox.control.setClockSkew(2 * 60 * 60 * 1000);
    try {
      const e = await rejects(make().listScopes(), 'unknown', /clock is 120 minutes behind the server's.*Correct the clock/);
      assert.equal(e.code, 'ClockSkew');
    } finally {
      sandbox.control.setClockSkew(0);
    }
  });

  it('wrong keys: an auth error that says to check the API key and secret key (CloudStack keys do not expire)', async () => {
    const wrong = { ...(sandbox.info as object), secretKey: 'not-the-secret' };
    await rejects(make(wrong).listScopes(), 'auth', /check the API key and secret key/);
  });

  it('the tree\'s facts: ROOT/DATADISK with offering and size, detached volumes, orphans, VM snapshots with memory/current/parent, the account\'s templates, policies', async () => {
    const inv = await inventory();
    const root = byId<Disk>(inv.disks, S.webRootVolume);
    assert.equal(root.diskType, 'ROOT · Medium');
    assert.equal(root.sizeGiB, 20);
    assert.deepEqual(root.attachments, [{ vmId: S.webVm, device: 'device 0', boot: true }]);
    const detached = byId<Disk>(inv.disks, S.detachedVolume);
    assert.equal(detached.name, S.detachedVolumeName, 'the hostile name exactly, as data');
    assert.deepEqual(detached.attachments, []);
    const orphan = byId<Snapshot>(inv.snapshots, S.orphanSnapshot);
    assert.equal(inv.disks.some((d) => d.id === orphan.diskId), false);
    const cold = byId<RestorePoint>(inv.restorePoints ?? [], S.dbDiskVmSnapshot);
    assert.deepEqual([cold.memory, cold.current, cold.parentId], [false, true, S.dbMemoryVmSnapshot]);
    assert.equal(byId<RestorePoint>(inv.restorePoints ?? [], S.dbMemoryVmSnapshot).memory, true);
    assert.deepEqual(inv.images.map((i) => i.id), [S.template], 'only the account\'s own template');
    const policy = byId(inv.policies ?? [], S.dbPolicy) as { schedule?: string; retention?: string };
    assert.equal(policy.schedule, 'daily at 02:30 Europe/Zurich');
    assert.equal(policy.retention, 'the last 7 snapshots');
    assert.match(byId<Snapshot>(inv.snapshots, S.dbDataSnapshot).details?.find((d) => d.label === 'Taken')?.value ?? '', /snapshot policy \(DAILY\)/);
  });

  it('a VM snapshot revert on a running VM: confirmed naming the VM and what is lost; the state afterwards is CloudStack\'s', async () => {
    const inv = await inventory();
    const point = byId<RestorePoint>(inv.restorePoints ?? [], S.webVmSnapshot);
    assert.equal(point.memory, true);
    assert.equal(byId<Vm>(inv.vms, S.webVm).state, 'Running');
    const { confirm, statuses } = await act('revertToRestorePoint', point);
    assert.match(confirm ?? '', /Revert VM web-1 .* to VM snapshot web-1-pre-upgrade/);
    assert.match(confirm ?? '', /every change made to the VM since — its disks and its memory — is lost/);
    const vm = sandbox.control.state.vms.get(S.webVm);
    assert.ok(vm);
    const state = sandbox.control.state.vmState(vm);
    assert.equal(statuses[0].at(-1)?.message, `Reverted. CloudStack reports the VM web-1 ${state}`);
    assert.equal(byId<Vm>((await inventory()).vms, S.webVm).state, state);
  });

  it('…and a VM reverts only to a VM snapshot that keeps it as it is: a stopped VM not to one with memory (refused, saying to start it)', async () => {
    const inv = await inventory();
    assert.equal(byId<Vm>(inv.vms, S.dbVm).state, 'Stopped');
    const withMemory = byId<RestorePoint>(inv.restorePoints ?? [], S.dbMemoryVmSnapshot);
    const diskOnly = byId<RestorePoint>(inv.restorePoints ?? [], S.dbDiskVmSnapshot);
    assert.equal(adapter.actionsFor(withMemory).includes('revertToRestorePoint'), false);
    assert.match((await adapter.plan('revertToRestorePoint', withMemory, related(inv))).refusal ?? '', /Stopped.*holds its memory too.*Start the VM first/);
    const { statuses } = await act('revertToRestorePoint', diskOnly);
    assert.equal(statuses[0].at(-1)?.message, 'Reverted. CloudStack reports the VM db-1 Stopped');
  });

  it('Create VM Snapshot of a running KVM VM keeps its memory (KVM takes no disk-only one), of a stopped VM its disks', async () => {
    const inv = await inventory();
    const running = await act('createRestorePoint', byId<Vm>(inv.vms, S.webVm), { name: 'ct-running' });
    const stopped = await act('createRestorePoint', byId<Vm>(inv.vms, S.dbVm), { name: 'ct-stopped' });
    const typeOf = (id: string) => sandbox.control.vmSnapshots().find((v) => v.id === id)?.type;
    assert.equal(typeOf(running.result.operations[0].resourceId), 'DiskAndMemory');
    assert.equal(typeOf(stopped.result.operations[0].resourceId), 'Disk');
    const listed = (await inventory()).restorePoints ?? [];
    assert.equal(byId<RestorePoint>(listed, running.result.operations[0].resourceId).memory, true);
    assert.equal(byId<RestorePoint>(listed, stopped.result.operations[0].resourceId).memory, false);
  });

  it('a template from a DATADISK snapshot: not offered, refused with the reason by plan and execute; nothing made', async () => {
    const inv = await inventory();
    const data = byId<Snapshot>(inv.snapshots, S.chainSnapshots[0]);
    const before = sandbox.control.templates().length;
    assert.equal(adapter.actionsFor(data).includes('createImageFromSnapshot'), false);
    const plan = await adapter.plan('createImageFromSnapshot', data, related(inv));
    assert.match(plan.refusal ?? '', /needs a snapshot of a ROOT volume: .* DATADISK volume web-1-data/);
    await rejects(adapter.execute('createImageFromSnapshot', data, { name: 'ct-tpl', osType: S.osTypes.ubuntu }, related(inv)), 'invalid', /ROOT volume/);
    assert.equal(sandbox.control.templates().length, before);
  });

  it('a list with no list key (nothing to list) is an empty list, not an error', async () => {
    const inv = await inventory();
    // app-1 has no VM snapshots: CloudStack answers listVMSnapshot with `{}`.
    assert.equal((inv.restorePoints ?? []).filter((p) => p.vmId === S.appVm).length, 0);
    const api = await adapter.api();
    assert.deepEqual(await api.list('listVMSnapshot', 'vmSnapshot', { virtualmachineid: S.appVm }), []);
  });

  it('the chain: in the order taken, each snapshot\'s physicalsize as the sandbox\'s blocks say, against virtualsize, with where the figures come from', async () => {
    const inv = await inventory();
    const chain = buildChain([...inv.vms, ...inv.disks, ...inv.snapshots, ...(inv.restorePoints ?? [])], S.webDataVolume);
    assert.ok(chain);
    assert.deepEqual(chain.snapshots.map((s) => s.id), S.chainSnapshots);
    const facts = await adapter.chainFacts(chain.links);
    assert.match(facts.source, /physicalsize.*secondary storage/);
    for (const id of S.chainSnapshots) {
      const truth = sandbox.control.snapshotFacts(id);
      assert.equal(facts.snapshots[id].storedBytes, truth.physicalBytes[S.zones.gva], id);
    }
    assert.deepEqual(S.chainSnapshots.map((id) => Math.round((facts.snapshots[id].storedBytes ?? 0) / MiB)), S.chainStoredMiB);
    const figures = chainFigures(chain, facts);
    assert.equal(figures.totals.fullCopyBytes, 3 * 100 * 1024 * MiB, 'virtualsize: 100 GiB each');
    // web-1's VM snapshot is beside the chain as a restore point.
    assert.deepEqual(chain.restorePoints.map((p) => p.id).includes(S.webVmSnapshot), true);
  });

  it('Simulate Writes (sandbox): the next snapshot stores exactly what was written', async () => {
    const inv = await inventory();
    const disk = byId<Disk>(inv.disks, S.appDataVolume);
    await act('simulateWrites', disk, { mib: 3 });
    const made = await act('createSnapshot', byId<Disk>((await inventory()).disks, S.appDataVolume), { name: 'ct-after-writes', zones: '' });
    const snap = byId<Snapshot>((await inventory()).snapshots, made.result.operations[0].resourceId);
    // 8 MiB were written after the seeded snapshot, 3 more now.
    assert.equal(snap.storedBytes, sandbox.control.snapshotFacts(snap.id).physicalBytes[S.zones.gva]);
    assert.equal(snap.storedBytes, 11 * MiB);
  });

  it('Restore to New Volume with an attach: the volume is made, then attached to the VM (a second step of the same operation)', async () => {
    const inv = await inventory();
    const snap = byId<Snapshot>(inv.snapshots, S.appDataSnapshot);
    const { statuses, result } = await act('restoreToNewDisk', snap, { name: 'ct-attached', attach: S.appVm });
    assert.equal(result.operations.length, 1);
    assert.match(statuses[0].at(-1)?.message ?? '', /attached to VM app-1/);
    const volume = sandbox.control.volumes().find((v) => v.name === 'ct-attached');
    assert.equal(volume?.vmId, S.appVm);
    assert.equal(volume?.sourceSnapshotId, S.appDataSnapshot);
  });

  it('Revert Volume to Snapshot: not of a VM with VM snapshots (refused, saying why); on a stopped VM\'s volume: confirmed naming the volume, and CloudStack reverts it', async () => {
    const db = await inventory();
    const nightly = byId<Snapshot>(db.snapshots, S.dbDataSnapshot);
    assert.equal(adapter.actionsFor(nightly).includes('restoreInPlace'), false);
    assert.match((await adapter.plan('restoreInPlace', nightly, related(db))).refusal ?? '', /db-1 has \d+ VM snapshots: CloudStack reverts none of its volumes/);
    const inv = await inventory();
    const snap = byId<Snapshot>(inv.snapshots, S.appDataSnapshot);
    const { confirm, statuses } = await act('restoreInPlace', snap);
    assert.match(confirm ?? '', /Revert volume app-1-data \(.*\) to snapshot app-1-data-snap-1/);
    assert.equal(statuses[0].at(-1)?.failed, undefined);
    assert.equal(sandbox.control.jobs().filter((j) => j.command === 'revertSnapshot' && j.status === 1).length, 1);
  });

  it('Create VM Snapshot with memory of a running VM, then a volume snapshot from it, then Delete VM Snapshot', async () => {
    const files = sandbox.control.state.vms.get(S.filesVm);
    assert.ok(files);
    const zrh = leaf(S.zones.zrh);
    const vm = byId<Vm>((await inventory(zrh)).vms, S.filesVm);
    const made = await act('createRestorePoint', vm, { name: 'ct-with-memory' });
    const id = made.result.operations[0].resourceId;
    assert.equal(sandbox.control.vmSnapshots().find((v) => v.id === id)?.type, 'DiskAndMemory');
    const point = byId<RestorePoint>((await inventory(zrh)).restorePoints ?? [], id);
    assert.equal(point.memory, true);
    const fromIt = await act('snapshotFromRestorePoint', point, { volume: S.filesDataVolume, name: 'ct-from-vm-snapshot' });
    assert.equal(sandbox.control.snapshots().filter((s) => s.name === 'ct-from-vm-snapshot').length, 1);
    assert.equal(fromIt.statuses[0].at(-1)?.failed, undefined);
    const del = await act('deleteRestorePoint', byId<RestorePoint>((await inventory(zrh)).restorePoints ?? [], id));
    assert.match(del.confirm ?? '', /Delete VM snapshot ct-with-memory .* of VM files-1.*cannot be undone/s);
    assert.equal(sandbox.control.vmSnapshots().some((v) => v.id === id), false);
  });

  it('a Create Template from Root Volume of a stopped VM; a running one is refused, saying to stop it first', async () => {
    const inv = await inventory();
    assert.match((await adapter.plan('createImageFromVm', byId(inv.vms, S.webVm), related(inv))).refusal ?? '', /Stop it first/);
    const { result } = await act('createImageFromVm', byId<Vm>(inv.vms, S.appVm), { name: 'ct-app-template' });
    const tpl = sandbox.control.templates().find((t) => t.name === 'ct-app-template');
    assert.ok(tpl && sandbox.control.state.templateReady(tpl));
    const image = byId<Image>((await inventory()).images, result.operations[0].resourceId);
    assert.equal(image.public, false);
    await act('deleteImage', image);
    assert.equal(sandbox.control.templates().some((t) => t.name === 'ct-app-template'), false);
  });

  it('operations survive a window reload: a new adapter picks up the journaled job', async () => {
    sandbox.control.setTiming({ snapshotBaseMs: 600, snapshotMaxMs: 600 });
    try {
      const inv = await inventory();
      const disk = byId<Disk>(inv.disks, S.detachedVolume);
      const plan = await adapter.plan('createSnapshot', disk, related(inv));
      const result = await adapter.execute('createSnapshot', disk, answers(plan, { name: 'ct-reload', zones: '' }), related(inv));
      const seen = await track(adapter, result.operations[0], { pollMs: 30, reload: { after: 1, make: () => make() } });
      assert.equal(seen.at(-1)?.failed, undefined);
      assert.equal(sandbox.control.snapshots().filter((s) => s.name === 'ct-reload' && sandbox.control.state.snapshotState(s) === 'BackedUp').length, 1);
    } finally {
      sandbox.control.setTiming(CS_TIMING.contract);
    }
  });
});
