/**
 * The Azure-specific contract cases, beside the shared suite (suite.ts) every adapter runs:
 * through the real @azure/arm-compute against the sandbox (started by the Azure driver,
 * drivers/azure.ts; its state reset before each case). Every action is driven as the extension
 * drives it: actionsFor → plan → answers (field defaults unless given) → confirm (checked for
 * naming what is lost) → execute → pollOperation in a loop, as the tracker does; the sandbox's
 * state is checked afterwards. The live runs (SNAPKEEPER_LIVE_AZURE) are the shared suite's.
 */
import * as assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { createAdapter } from '../../src/adapters/azure';
import type { CloudAdapter, Memento, RelatedResources } from '../../src/model/adapter';
import type { ActionId } from '../../src/model/actions';
import type { ActionPlan, ActionResult, Disk, FieldValues, Image, Inventory, OperationStatus, Resource, Scope, Snapshot, Vm } from '../../src/model/types';
import { AZURE_SEEDED } from '../../src/sandbox/azure/backend';
import { listScope as list } from './driver';
import { azureContext, memento, startAzureSandbox, type AzureSandbox } from './drivers/azure';
import { answers, rejects, track } from './tracking';

const MiB = 1024 * 1024;





const same = (a: string | undefined, b: string | undefined): boolean => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
const nameOf = (id: string): string => id.split('/').at(-1) ?? id;
const uniq = (p: string): string => `${p}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** A HEAD/GET of a URL over https trusting the sandbox CA. */
function fetchUrl(url: string, ca: string, method = 'HEAD', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const DEV = AZURE_SEEDED.devSubscriptionId;
const RG_WEB = `/subscriptions/${DEV}/resourceGroups/rg-web/providers/Microsoft.Compute`;
const SNAP = (rg: string, name: string): string => `/subscriptions/${DEV}/resourceGroups/${rg}/providers/Microsoft.Compute/snapshots/${name}`;
const OS_SNAP = `${RG_WEB}/snapshots/web-01-os-snap-1`;
const [CHAIN_1, CHAIN_2, CHAIN_3] = AZURE_SEEDED.chainSnapshotIds;
const IMAGE_ID = `/subscriptions/${DEV}/resourceGroups/rg-images/providers/Microsoft.Compute/images/build-template-image`;

describe('Azure adapter: Azure-specific cases (sandbox)', function () {
  this.timeout(30_000);
  let sandbox: AzureSandbox | undefined;
  let info: AzureSandbox['info'];
  let adapter: CloudAdapter;
  let mem: Memento;
  let log: string[] = [];
  let scopes: Scope[] = [];
  const account = { id: 'acct-azure', cloud: 'azure' as const, label: 'Azure sandbox', sandbox: true, settings: {} };
  const settings = { 'azure.lroIntervalMs': 50 };
  const fresh = (extra: Record<string, unknown> = {}): CloudAdapter => createAdapter(account, azureContext(info, log, { ...settings, ...extra }, mem));

  before(async function () {
    sandbox = await startAzureSandbox('contract');
    info = sandbox.info;
  });

  beforeEach(async () => {
    sandbox?.control.reset();
    sandbox?.setFaults({});
    log = [];
    mem = memento();
    adapter = fresh();
    if (scopes.length === 0) {
      const subs = await adapter.listScopes();
      const dev = subs.find((s) => s.id === DEV);
      assert.ok(dev, 'the Dev subscription is listed');
      scopes = await adapter.listScopes(dev);
    }
  });

  afterEach(() => adapter?.dispose());

  after(async () => {
    await sandbox?.close();
  });

  const az = () => (sandbox as AzureSandbox).control;
  const scopeOf = (location: string): Scope => {
    const s = scopes.find((x) => x.id === `${DEV}/${location}`);
    assert.ok(s, `location ${location} is listed`);
    return s;
  };

  async function load(location: string, a = adapter): Promise<{ scope: Scope; inv: Inventory; related: RelatedResources }> {
    const scope = scopeOf(location);
    const inv = await list(a, scope);
    return { scope, inv, related: { inventory: inv, scopes } };
  }

  function find<T extends Resource>(inv: Inventory, id: string): T {
    const all: Resource[] = [...inv.vms, ...inv.disks, ...inv.snapshots, ...inv.images];
    const r = all.find((x) => same(x.id, id));
    assert.ok(r, `${id} is listed`);
    return r as T;
  }

  async function planOf(action: ActionId, target: Resource, related: RelatedResources, a = adapter): Promise<ActionPlan> {
    assert.ok(a.actionsFor(target).includes(action), `${action} is not offered for ${target.id} (${a.actionsFor(target).join(', ')})`);
    return a.plan(action, target, related);
  }

  interface Acted {
    res: ActionResult;
    statuses: OperationStatus[][];
    plan: ActionPlan;
  }

  /** plan → answers → confirm (must name `confirm`) → execute → poll every operation to its end. */
  async function act(
    action: ActionId,
    target: Resource,
    related: RelatedResources,
    given: FieldValues = {},
    opts: { confirm?: RegExp[]; reload?: { after: number }; a?: CloudAdapter; failed?: boolean } = {},
  ): Promise<Acted> {
    const a = opts.a ?? adapter;
    const plan = await planOf(action, target, related, a);
    assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
    const values = answers(plan, given);
    const confirmation = plan.confirm?.(values);
    if (opts.confirm) {
      assert.ok(confirmation, `${action} asks for no confirmation`);
      const text = `${confirmation.message}\n${confirmation.detail}`;
      for (const re of opts.confirm) {
        assert.match(text, re);
      }
    }
    const res = await a.execute(action, target, values, related);
    const statuses: OperationStatus[][] = [];
    for (const op of res.operations) {
      const seen = await track(a, op, opts.reload ? { reload: { after: opts.reload.after, make: () => fresh() } } : {});
      const last = seen.at(-1) as OperationStatus;
      if (opts.failed) {
        assert.equal(last.failed, true, `${op.title} should have failed: ${JSON.stringify(last)}`);
      } else {
        assert.equal(last.failed, undefined, `${op.title} failed: ${last.message}`);
      }
      statuses.push(seen);
    }
    return { res, statuses, plan };
  }

  // ---- scopes and listing ---------------------------------------------------------------------

  it('lists subscriptions (not leaves) and their physical locations (leaves)', async () => {
    const subs = await adapter.listScopes();
    assert.ok(subs.length >= 2);
    assert.ok(subs.every((s) => !s.leaf));
    const locs = await adapter.listScopes(subs[0]);
    assert.ok(locs.length >= 1);
    assert.ok(locs.every((l) => l.leaf && l.id.startsWith(`${subs[0].id}/`) && l.parentId === subs[0].id));
  });

  it('lists a location: VMs, disks, snapshots, images, with the resource group as idLabel', async () => {
    const { inv } = await load('eastus');
    assert.ok(inv.vms.length > 0 && inv.disks.length > 0 && inv.snapshots.length > 0 && inv.images.length > 0);
    for (const r of [...inv.vms, ...inv.disks, ...inv.snapshots]) {
      assert.ok(r.idLabel, `${r.id} has no idLabel`);
    }
  });

  it('follows nextLink pages: one item per page lists the same location', async () => {
    const whole = await load('eastus');
    az().setPageSize(1);
    const paged = await load('eastus', fresh());
    for (const k of ['vms', 'disks', 'snapshots', 'images'] as const) {
      assert.deepEqual(paged.inv[k].map((r) => r.id).sort(), whole.inv[k].map((r) => r.id).sort(), k);
    }
  });

  // ---- createSnapshot -------------------------------------------------------------------------

  it('createSnapshot incremental: chainId is the disk family, stored bytes are the blocks written since the previous one, tags kept', async () => {
    const { scope, related } = await load('eastus');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.chainDiskId);
    const family = az().state.disk(AZURE_SEEDED.chainDiskId).familyId;
    const first = uniq('inc-a');
    const a = await act('createSnapshot', disk, related, { name: first, incremental: true, tags: [{ key: 'env', value: 'test' }] });
    assert.equal(a.res.operations.length, 1);
    const blocks = az().writeMiB(AZURE_SEEDED.chainDiskId, 6);
    assert.equal(blocks, 12);
    const again = await load('eastus');
    const second = uniq('inc-b');
    const b = await act('createSnapshot', find<Disk>(again.inv, AZURE_SEEDED.chainDiskId), again.related, { name: second, incremental: true });
    const bId = b.res.operations[0].resourceId;
    assert.equal(az().storedBytes(bId), 6 * MiB, 'the second snapshot stores exactly the 6 MiB written since the first');
    const after = await list(adapter, scope);
    const listedA = find<Snapshot>(after, a.res.operations[0].resourceId);
    const listedB = find<Snapshot>(after, bId);
    const seeded = find<Snapshot>(after, CHAIN_3);
    for (const s of [listedA, listedB]) {
      assert.equal(s.incremental, true);
      assert.equal(s.chainId, family, 'chainId = incrementalSnapshotFamilyId of the disk');
      assert.equal(s.phase, 'ready');
      assert.ok(same(s.diskId, disk.id));
    }
    assert.equal(seeded.chainId, family);
    assert.deepEqual(
      listedA.tags.filter((t) => !t.key.startsWith('snapkeeper:')),
      [{ key: 'env', value: 'test' }],
    );
    assert.equal(az().state.snapshot(listedA.id).tags.env, 'test');
  });

  it("createSnapshot says when it is the disk's first incremental snapshot (held in full)", async () => {
    const { related } = await load('eastus');
    const title = async (name: string): Promise<string> => {
      const disk = related.inventory.disks.find((d) => d.name === name);
      assert.ok(disk, `${name} listed`);
      const plan = await planOf('createSnapshot', disk, related);
      const field = plan.fields.find((f) => f.id === 'incremental');
      assert.ok(field);
      return field.title;
    };
    assert.match(await title('scratch-disk'), /first incremental snapshot of scratch-disk: it holds a full copy/);
    assert.doesNotMatch(await title('web-01-data'), /first incremental snapshot of web-01-data/);
  });

  it('createSnapshot full, encrypted with a chosen disk encryption set', async () => {
    const { related } = await load('eastus');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.unattachedDiskId);
    const plan = await planOf('createSnapshot', disk, related);
    const enc = plan.fields.find((f) => f.id === 'encryption');
    assert.ok(enc && enc.kind === 'pick' && enc.options.some((o) => same(o.value, AZURE_SEEDED.diskEncryptionSetId)), 'the DES is offered');
    const name = uniq('full');
    const r = await act('createSnapshot', disk, related, { name, incremental: false, encryption: AZURE_SEEDED.diskEncryptionSetId, sku: 'Standard_ZRS' });
    const rec = az().state.snapshot(r.res.operations[0].resourceId);
    assert.equal(rec.incremental, false);
    assert.ok(same(rec.encryption.diskEncryptionSetId, AZURE_SEEDED.diskEncryptionSetId));
    assert.equal(rec.encryption.type, 'EncryptionAtRestWithCustomerKey');
    assert.equal(rec.skuName, 'Standard_ZRS');
    const listed = find<Snapshot>((await load('eastus')).inv, rec.id);
    assert.equal(listed.incremental, false);
    assert.equal(listed.encrypted, true);
    assert.ok(same(listed.kmsKeyId, AZURE_SEEDED.diskEncryptionSetId));
  });

  it('refuses a create whose name is taken', async () => {
    const { related } = await load('eastus');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.chainDiskId);
    await rejects(adapter.execute('createSnapshot', disk, { name: nameOf(CHAIN_1), incremental: true }, related), 'invalid', /already exists/);
  });

  // ---- restore --------------------------------------------------------------------------------

  it('restoreToNewDisk: size below the snapshot refused; zone and SKU applied', async () => {
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_3);
    const plan = await planOf('restoreToNewDisk', snap, related);
    const size = plan.fields.find((f) => f.id === 'sizeGiB');
    assert.ok(size && size.kind === 'number' && size.min === snap.sizeGiB);
    await rejects(adapter.execute('restoreToNewDisk', snap, answers(plan, { name: uniq('small'), sizeGiB: snap.sizeGiB - 1 }), related), 'invalid', /at least/);
    const name = uniq('restored');
    const r = await act('restoreToNewDisk', snap, related, { name, sizeGiB: snap.sizeGiB + 1, zone: '2', sku: 'StandardSSD_LRS' });
    const disk = az().state.disk(r.res.operations[0].resourceId);
    assert.equal(disk.sizeGB, snap.sizeGiB + 1);
    assert.deepEqual(disk.zones, ['2']);
    assert.equal(disk.skuName, 'StandardSSD_LRS');
    assert.ok(same(disk.creationData.sourceResourceId, CHAIN_3));
    const listed = find<Disk>((await load('eastus')).inv, disk.id);
    assert.equal(listed.zone, '2');
    assert.ok(same(listed.sourceSnapshotId, CHAIN_3));
  });

  it('restoreToNewDisk: the resource groups of the subscription are offered (the snapshot\'s first and default); the disk lands in the one chosen', async () => {
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_3);
    const plan = await planOf('restoreToNewDisk', snap, related);
    const rg = plan.fields.find((f) => f.id === 'resourceGroup');
    assert.ok(rg?.kind === 'pick');
    assert.equal(rg.default, 'rg-web', "the snapshot's own resource group is the default");
    assert.equal(rg.options[0].value, 'rg-web');
    const offered = rg.options.map((o) => o.value);
    for (const g of ['rg-data', 'rg-images', 'rg-security']) {
      assert.ok(offered.includes(g), `${g} not offered: ${offered.join(', ')}`);
    }
    const name = uniq('in-rg-data');
    const r = await act('restoreToNewDisk', snap, related, { name, resourceGroup: 'rg-data' });
    const disk = az().state.disk(r.res.operations[0].resourceId);
    assert.equal(disk.resourceGroup, 'rg-data', 'the disk is not in the resource group chosen');
    assert.match(r.res.operations[0].resourceId, /\/resourceGroups\/rg-data\/providers\/Microsoft\.Compute\/disks\//i);
    assert.ok(same(disk.creationData.sourceResourceId, CHAIN_3));
  });

  it('restoreInPlace, OS disk of a running VM: deallocate, swap, keep the old disk, start again — across a reload', async () => {
    const { related } = await load('eastus');
    const vmBefore = az().state.vms.get([...az().state.vms.keys()].find((k) => same(k, AZURE_SEEDED.runningVmId)) as string);
    assert.ok(vmBefore);
    const oldOs = vmBefore.osDiskId;
    const snap = find<Snapshot>(related.inventory as Inventory, OS_SNAP);
    const r = await act('restoreInPlace', snap, related, {}, { confirm: [/web-01/, /DEALLOCATED/, /OS disk/, /web-01_OsDisk_1/, /kept/], reload: { after: 2 } });
    assert.equal(r.res.operations.length, 1);
    const vm = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.runningVmId));
    assert.ok(vm);
    assert.ok(!same(vm.osDiskId, oldOs), 'the OS disk was swapped');
    assert.ok(same(az().state.disk(vm.osDiskId).creationData.sourceResourceId, OS_SNAP));
    assert.equal(az().state.powerState(vm), 'running');
    assert.equal(az().state.diskState(az().state.disk(oldOs)), 'Unattached', 'the old disk is kept, detached');
    assert.ok(r.statuses[0].some((s) => !s.done && (s.progress ?? 0) > 0), 'progress is reported');
    assert.ok(r.statuses[0].some((s) => /Deallocating/.test(s.message ?? '')), 'the VM is deallocated first');
  });

  it('restoreInPlace, data disk of a running VM: same LUN, old disk kept Unattached, running again', async () => {
    const { related } = await load('eastus');
    const before = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.runningVmId));
    assert.ok(before);
    const slot = before.dataDisks.find((d) => same(d.diskId, AZURE_SEEDED.chainDiskId));
    assert.ok(slot);
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_3);
    await act('restoreInPlace', snap, related, {}, { confirm: [/data disk at LUN/, /web-01-data/] , reload: { after: 3 } });
    const vm = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.runningVmId));
    assert.ok(vm);
    const now = vm.dataDisks.find((d) => d.lun === slot.lun);
    assert.ok(now && !same(now.diskId, AZURE_SEEDED.chainDiskId), 'the disk at the same LUN was swapped');
    assert.ok(same(az().state.disk(now.diskId).creationData.sourceResourceId, CHAIN_3));
    assert.equal(az().state.diskState(az().state.disk(AZURE_SEEDED.chainDiskId)), 'Unattached');
    assert.equal(az().state.powerState(vm), 'running');
    assert.ok(same(az().state.disk(now.diskId).encryption.diskEncryptionSetId, AZURE_SEEDED.diskEncryptionSetId), 'the new disk keeps the old one\'s encryption set');
  });

  it('restoreInPlace, deallocated VM: swapped and left deallocated', async () => {
    const { related } = await load('westeurope');
    const snap = find<Snapshot>(related.inventory as Inventory, SNAP('rg-data', 'db-01-data-snap-1'));
    const before = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.deallocatedVmId));
    assert.ok(before);
    const oldIds = before.dataDisks.map((d) => d.diskId);
    await act('restoreInPlace', snap, related, {}, { confirm: [/db-01/, /not running/] });
    const vm = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.deallocatedVmId));
    assert.ok(vm);
    assert.ok(vm.dataDisks.some((d) => !oldIds.some((o) => same(o, d.diskId))), 'a data disk was swapped');
    assert.equal(az().state.powerState(vm), 'deallocated');
  });

  it('restoreInPlace of a zone-redundant (ZRS) data disk of a zonal VM: the new disk is ZRS without a zone', async () => {
    const disk = az().state.disk(AZURE_SEEDED.chainDiskId);
    disk.skuName = 'Premium_ZRS';
    disk.zones = undefined;
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_3);
    await act('restoreInPlace', snap, related);
    const vm = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.runningVmId));
    assert.ok(vm);
    const swapped = vm.dataDisks.map((d) => az().state.disk(d.diskId)).find((d) => same(d.creationData.sourceResourceId, CHAIN_3));
    assert.ok(swapped, 'swapped in');
    assert.equal(swapped.skuName, 'Premium_ZRS');
    assert.equal(swapped.zones, undefined);
    assert.equal(az().state.powerState(vm), 'running');
  });

  it('restoreInPlace whose new disk fails: the running VM keeps its disk and is started again', async () => {
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_3);
    sandbox?.setFaults({ next: { lroFailure: 1, actions: ['Disks_CreateOrUpdate'] } });
    const r = await act('restoreInPlace', snap, related, {}, { failed: true });
    assert.match(r.statuses[0].at(-1)?.message ?? '', /failed.*keeps its disk/);
    const vm = [...az().state.vms.values()].find((v) => same(v.id, AZURE_SEEDED.runningVmId));
    assert.ok(vm);
    assert.ok(vm.dataDisks.some((d) => same(d.diskId, AZURE_SEEDED.chainDiskId)), 'the old disk is still attached');
    assert.equal(az().state.powerState(vm), 'running', 'running again');
  });

  // ---- images ---------------------------------------------------------------------------------

  it('createImageFromVm: refused for a non-generalized VM (explained); works for the generalized build-template', async () => {
    const { related } = await load('eastus');
    const web = find<Vm>(related.inventory as Inventory, AZURE_SEEDED.runningVmId);
    const refused = await planOf('createImageFromVm', web, related);
    assert.match(refused.refusal ?? '', /not generalized/);
    assert.match(refused.refusal ?? '', /sysprep|deprovision/);
    const tpl = find<Vm>(related.inventory as Inventory, AZURE_SEEDED.generalizedVmId);
    const name = uniq('img');
    const r = await act('createImageFromVm', tpl, related, { name, tags: [{ key: 'built', value: 'yes' }] });
    const image = [...az().state.images.values()].find((i) => same(i.id, r.res.operations[0].resourceId));
    assert.ok(image);
    assert.ok(same(image.sourceVmId, AZURE_SEEDED.generalizedVmId));
    assert.equal(image.tags.built, 'yes');
  });

  it('createImageFromSnapshot: OS snapshots only', async () => {
    const { related } = await load('eastus');
    const data = find<Snapshot>(related.inventory as Inventory, CHAIN_1);
    assert.ok(!adapter.actionsFor(data).includes('createImageFromSnapshot'));
    assert.match((await adapter.plan('createImageFromSnapshot', data, related)).refusal ?? '', /not of an OS disk/);
    const os = find<Snapshot>(related.inventory as Inventory, OS_SNAP);
    const r = await act('createImageFromSnapshot', os, related, { name: uniq('osimg'), osState: 'Specialized' });
    const image = [...az().state.images.values()].find((i) => same(i.id, r.res.operations[0].resourceId));
    assert.ok(image);
    assert.ok(same(image.osDisk.snapshotId, OS_SNAP));
    assert.equal(image.osState, 'Specialized');
  });

  it('createImageFromDisk: OS disks only; a running VM’s disk asks to confirm naming the VM; a deallocated VM’s disk is imaged directly', async () => {
    const { related } = await load('eastus');
    const disks = related.inventory.disks as Disk[];
    const data = disks.find((d) => d.name === 'web-01-data');
    assert.ok(data && !adapter.actionsFor(data).includes('createImageFromDisk'), 'offered for a data disk');
    const runningOs = disks.find((d) => d.name === 'web-01_OsDisk_1');
    assert.ok(runningOs);
    const plan = await planOf('createImageFromDisk', runningOs, related);
    // web-01 runs and was never generalized: its disk holds a specialized OS, and says so.
    const osState = plan.fields.find((f) => f.id === 'osState');
    assert.ok(osState?.kind === 'pick');
    assert.equal(osState.default, 'Specialized', 'a VM that is not generalized holds a specialized OS');
    assert.match(osState.title, /web-01.* is not generalized, so its OS is Specialized: an image marked Generalized from it would fail to provision/);
    const c = plan.confirm?.({ name: 'x', osState: 'Specialized', tags: [] });
    assert.ok(c, 'no confirmation for the disk of a running VM');
    assert.match(`${c.message} ${c.detail}`, /web-01 .*running|running.*web-01/);
    const idleOs = disks.find((d) => d.name === 'build-template-os');
    assert.ok(idleOs);
    const generalized = (await planOf('createImageFromDisk', idleOs, related)).fields.find((f) => f.id === 'osState');
    assert.ok(generalized?.kind === 'pick');
    assert.equal(generalized.default, 'Generalized', 'the disk of the generalized build-template VM');
    assert.match(generalized.title, /build-template.* is generalized/);
    const r = await act('createImageFromDisk', idleOs, related, { name: uniq('diskimg'), osState: 'Generalized' });
    const image = [...az().state.images.values()].find((i) => same(i.id, r.res.operations[0].resourceId));
    assert.ok(image, 'no image in the sandbox');
    assert.ok(same(image.osDisk.managedDiskId, idleOs.id), 'the image is not made from the disk');
    assert.equal(r.plan.confirm, undefined, 'a deallocated VM needs no confirmation');
  });

  // ---- copy -----------------------------------------------------------------------------------

  it('copySnapshot in the same location: a full, independent copy', async () => {
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_2);
    const r = await act('copySnapshot', snap, related, { destination: `${DEV}/eastus`, name: uniq('copy') });
    const rec = az().state.snapshot(r.res.operations[0].resourceId);
    assert.equal(rec.incremental, false);
    assert.equal(rec.creationData.createOption, 'Copy');
    assert.equal(rec.location, 'eastus');
  });

  it('copySnapshot to another location: CopyStart tracked with progress to 100; a second copy of the family refused naming it; a full snapshot refused', async () => {
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_3);
    const name = uniq('dr');
    const plan = await planOf('copySnapshot', snap, related);
    const res = await adapter.execute('copySnapshot', snap, answers(plan, { destination: `${DEV}/westeurope`, name }), related);
    assert.equal(res.operations[0].scopeId, `${DEV}/westeurope`);
    // While it copies, another cross-region copy of the same disk family is refused, naming it.
    const busy = await load('eastus');
    const other = find<Snapshot>(busy.inv, CHAIN_2);
    await rejects(adapter.execute('copySnapshot', other, { destination: `${DEV}/northeurope`, name: uniq('dr2') }, busy.related), 'invalid', new RegExp(`one cross-region copy per disk.*${name}`));
    // …and its source cannot be deleted until the copy is done.
    const source = find<Snapshot>(busy.inv, CHAIN_3);
    assert.match((await adapter.plan('deleteSnapshot', source, busy.related)).refusal ?? '', new RegExp(`${name}.*still being made`));
    const seen = await track(adapter, res.operations[0]);
    const last = seen.at(-1) as OperationStatus;
    assert.equal(last.failed, undefined, last.message);
    assert.equal(last.progress, 100);
    const progress = seen.map((s) => s.progress).filter((p): p is number => p !== undefined);
    assert.ok(progress.some((p) => p > 0 && p < 100), `progress between 0 and 100 was reported: ${progress.join(',')}`);
    assert.deepEqual(progress, [...progress].sort((x, y) => x - y), 'progress never goes back');
    const rec = az().state.snapshot(res.operations[0].resourceId);
    assert.equal(rec.incremental, true);
    assert.equal(rec.creationData.createOption, 'CopyStart');
    assert.equal(rec.location, 'westeurope');
    assert.equal(az().state.completionPercent(rec), 100);
    // A full snapshot cannot go to another region.
    const we = await load('westeurope');
    const full = find<Snapshot>(we.inv, SNAP('rg-data', 'db-01-os-full'));
    assert.equal(full.incremental, false);
    await rejects(adapter.execute('copySnapshot', full, { destination: `${DEV}/eastus`, name: uniq('nope') }, we.related), 'invalid', /only from incremental snapshots/);
  });

  // ---- export ---------------------------------------------------------------------------------

  it('exportSnapshot: a SAS URL that answers, shown on the snapshot, blocking delete; revokeExport ends it; the SAS is never logged', async () => {
    const { related } = await load('eastus');
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_1);
    const r = await act('exportSnapshot', snap, related, { duration: '3600', format: 'VHD' }, { confirm: [/Anyone holding the URL/] });
    const url = r.res.clipboard?.text ?? '';
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/_blob\/.*[?&]sig=/);
    const sig = new URL(url).searchParams.get('sig') ?? '';
    assert.ok(sig.length > 8);
    assert.ok(!(r.res.message ?? '').includes(sig));
    const head = await fetchUrl(url, info.caCert);
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), snap.sizeGiB * 1024 * MiB + 512);
    const part = await fetchUrl(url, info.caCert, 'GET', { range: 'bytes=0-4095' });
    assert.equal(part.status, 206);
    assert.equal(part.bytes, 4096);

    const open = await load('eastus');
    const listed = find<Snapshot>(open.inv, CHAIN_1);
    assert.ok(listed.export, 'the open export is visible');
    assert.ok(listed.export.until && Date.parse(listed.export.until) > Date.now() + 50 * 60_000);
    assert.ok(adapter.actionsFor(listed).includes('revokeExport'));
    assert.ok(!adapter.actionsFor(listed).includes('exportSnapshot'));
    assert.match((await adapter.plan('deleteSnapshot', listed, open.related)).refusal ?? '', /open export/);
    // Even from a stale listing (before the export), the delete is refused by the cloud's state.
    const stale = await rejects(adapter.execute('deleteSnapshot', snap, {}, related), 'inUse', /export/);
    // A second grant from the stale listing: ARM's 409, without the SAS.
    const second = await rejects(adapter.execute('exportSnapshot', snap, { duration: '3600', format: 'VHD' }, related), 'inUse');

    await act('revokeExport', listed, open.related, {}, { confirm: [/stops working/] });
    assert.equal((await fetchUrl(url, info.caCert)).status, 403);
    const closed = find<Snapshot>((await load('eastus')).inv, CHAIN_1);
    assert.equal(closed.export, undefined);
    assert.ok(adapter.actionsFor(closed).includes('exportSnapshot'));
    for (const text of [...log, stale.message, second.message, String(stale.display), String(second.display)]) {
      assert.ok(!text.includes(sig) && !text.includes(url), `the SAS leaked into: ${text}`);
    }
  });

  // ---- delete, tags, writes -------------------------------------------------------------------

  it('a delete whose operation status ARM no longer keeps is judged by the resource (gone: done), never polled for ever', async () => {
    const { related } = await load('eastus');
    const name = uniq('expire');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.chainDiskId);
    await act('createSnapshot', disk, related, { name, incremental: true });
    const listed = (await load('eastus')).inv.snapshots.find((x) => x.name === name);
    assert.ok(listed);
    const res = await adapter.execute('deleteSnapshot', listed, {}, (await load('eastus')).related);
    assert.equal(res.operations.length, 1);
    // ARM forgets operation statuses after a while: the status URL now answers 404.
    az().state.operations.clear();
    const seen = await track(adapter, res.operations[0]);
    const last = seen.at(-1) as OperationStatus;
    assert.equal(last.failed, undefined, JSON.stringify(last));
    assert.equal(last.done, true);
    assert.ok(!(await load('eastus')).inv.snapshots.some((x) => x.name === name), 'the snapshot is still listed');
  });

  it('deleteSnapshot in the middle of a chain: the next snapshot takes over the blocks the sandbox said', async () => {
    const { related } = await load('eastus');
    const impact = az().deleteImpact(CHAIN_2);
    const moved = impact.moved.find((m) => same(m.snapshotId, CHAIN_3));
    assert.ok(moved && moved.bytes > 0, 'the sandbox hands blocks to snap-3');
    const before3 = az().storedBytes(CHAIN_3);
    const snap = find<Snapshot>(related.inventory as Inventory, CHAIN_2);
    await act('deleteSnapshot', snap, related, {}, { confirm: [/web-01-data-snap-2/, /cannot be undone/] });
    assert.ok(![...az().state.snapshots.values()].some((s) => same(s.id, CHAIN_2)));
    assert.equal(az().storedBytes(CHAIN_3), before3 + moved.bytes);
    const after = await load('eastus');
    assert.ok(!after.inv.snapshots.some((s) => same(s.id, CHAIN_2)));
  });

  it('deleteImage', async () => {
    const { related } = await load('eastus');
    const image = find<Image>(related.inventory as Inventory, IMAGE_ID);
    await act('deleteImage', image, related, {}, { confirm: [/build-template-image/, /cannot be undone/] });
    assert.ok(![...az().state.images.values()].some((i) => same(i.id, IMAGE_ID)));
  });

  it('editTags on a VM, a disk, a snapshot and an image; hostile values round-trip as plain data', async () => {
    const { related } = await load('eastus');
    const hostile = [
      { key: 'owner', value: '<img src=x onerror=alert(1)>' },
      { key: 'note', value: '[click me](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%22%7D) **bold** $(alert)' },
    ];
    const ids = [AZURE_SEEDED.runningVmId, AZURE_SEEDED.unattachedDiskId, CHAIN_1, IMAGE_ID];
    for (const id of ids) {
      const target = find<Resource>(related.inventory as Inventory, id);
      await act('editTags', target, related, { tags: hostile });
    }
    const after = await load('eastus');
    for (const id of ids) {
      const r = find<Resource>(after.inv, id);
      assert.deepEqual(
        r.tags.filter((t) => !t.key.startsWith('snapkeeper:')).sort((a, b) => a.key.localeCompare(b.key)),
        [...hostile].sort((a, b) => a.key.localeCompare(b.key)),
        `tags of ${id}`,
      );
    }
    assert.equal(az().state.snapshot(CHAIN_1).tags.owner, hostile[0].value);
  });

  it('simulateWrites (sandbox control route) changes exactly N MiB: the next snapshot stores them', async () => {
    const first = await load('eastus');
    await act('createSnapshot', find<Disk>(first.inv, AZURE_SEEDED.chainDiskId), first.related, { name: uniq('base') });
    const again = await load('eastus');
    const disk = find<Disk>(again.inv, AZURE_SEEDED.chainDiskId);
    const r = await act('simulateWrites', disk, again.related, { mib: 3 });
    assert.match(r.res.message ?? '', /3 MiB/);
    const third = await load('eastus');
    const s = await act('createSnapshot', find<Disk>(third.inv, AZURE_SEEDED.chainDiskId), third.related, { name: uniq('delta') });
    assert.equal(az().storedBytes(s.res.operations[0].resourceId), 3 * MiB);
  });

  // ---- long-running operations ----------------------------------------------------------------

  for (const style of ['azure-async-operation', 'location', 'provisioning-state'] as const) {
    it(`LRO style ${style}: create, tags, export/revoke and delete to completion; lroFailure ends {done, failed, message}`, async () => {
      az().setLroStyle(style);
      const { related } = await load('eastus');
      const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.unattachedDiskId);
      const made = await act('createSnapshot', disk, related, { name: uniq(`lro-${style}`), incremental: false });
      const id = made.res.operations[0].resourceId;
      assert.equal(az().state.provisioningState(az().state.snapshot(id)), 'Succeeded');
      let listed = await load('eastus');
      await act('editTags', find<Snapshot>(listed.inv, id), listed.related, { tags: [{ key: 'style', value: style }] });
      assert.equal(az().state.snapshot(id).tags.style, style);
      listed = await load('eastus');
      const exported = await act('exportSnapshot', find<Snapshot>(listed.inv, id), listed.related);
      const url = exported.res.clipboard?.text ?? '';
      assert.equal((await fetchUrl(url, info.caCert)).status, 200);
      listed = await load('eastus');
      await act('revokeExport', find<Snapshot>(listed.inv, id), listed.related);
      assert.equal((await fetchUrl(url, info.caCert)).status, 403);
      listed = await load('eastus');
      await act('deleteSnapshot', find<Snapshot>(listed.inv, id), listed.related);
      assert.ok(![...az().state.snapshots.values()].some((s) => same(s.id, id)), 'deleted');

      // A failed operation's monitor may answer 5xx (Location style): no SDK retries, to stay fast.
      const once = fresh({ 'azure.maxRetries': 0 });
      try {
        sandbox?.setFaults({ next: { lroFailure: 1, actions: ['Snapshots_CreateOrUpdate'] } });
        const failed = await act('createSnapshot', disk, related, { name: uniq(`lrofail-${style}`), incremental: false }, { failed: true, a: once });
        const last = failed.statuses[0].at(-1) as OperationStatus;
        assert.equal(last.done, true);
        assert.ok(last.message && last.message.length > 0, 'the failure says why');

        const victim = await load('eastus', once);
        sandbox?.setFaults({ next: { lroFailure: 1, actions: ['Snapshots_Delete'] } });
        const del = await act('deleteSnapshot', find<Snapshot>(victim.inv, CHAIN_1), victim.related, {}, { failed: true, a: once });
        assert.equal(del.res.operations.length, 1, 'the failing delete is tracked');
        assert.ok(del.statuses[0].at(-1)?.message);
        assert.ok([...az().state.snapshots.values()].some((s) => same(s.id, CHAIN_1)), 'the snapshot is still there');
      } finally {
        once.dispose();
      }
    });
  }

  // ---- faults ---------------------------------------------------------------------------------

  // (One reset after the create was committed, retried by the SDK: the shared suite.)
  it('a connection dropped after the create was committed, without SDK retries: the adapter adopts what its own PUT made — exactly one snapshot', async () => {
    const { related } = await load('eastus');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.unattachedDiskId);
    const once = fresh({ 'azure.maxRetries': 0 });
    const other = uniq('dropped-once');
    try {
      sandbox?.setFaults({ next: { dropAfterCommit: 1, actions: ['Snapshots_CreateOrUpdate'] } });
      const r = await act('createSnapshot', disk, related, { name: other, incremental: false }, { a: once });
      assert.equal(r.res.operations.length, 1);
      assert.ok(log.some((l) => l.includes(`${other} was created before the failure`)), 'adopted');
    } finally {
      once.dispose();
    }
    const made = [...az().state.snapshots.values()].filter((s) => s.name === other);
    assert.equal(made.length, 1, `exactly one ${other}`);
    assert.equal(az().state.provisioningState(made[0]), 'Succeeded');
  });

  it('a failed or unreadable status poll never decides: creates and deletes are reported as they really ended', async () => {
    const { related } = await load('eastus');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.unattachedDiskId);
    // Without the SDK's own retries a 500 or a reset reaches the poller (as after them, when they run out).
    const once = fresh({ 'azure.maxRetries': 0 });
    try {
      for (const fault of ['malformed', 'serverError', 'drop', 'throttleNoRetryAfter'] as const) {
        const name = uniq(`poll-${fault}`);
        sandbox?.setFaults({ next: { [fault]: 2, actions: ['AsyncOperation_Get', 'AsyncOperation_Monitor'] } });
        const made = await act('createSnapshot', disk, related, { name, incremental: false }, { a: once });
        assert.equal(made.statuses[0].at(-1)?.message, 'Succeeded', `${fault}: ${JSON.stringify(made.statuses[0].at(-1))}`);
        const snap = [...az().state.snapshots.values()].filter((x) => x.name === name);
        assert.equal(snap.length, 1);
        assert.equal(az().state.provisioningState(snap[0]), 'Succeeded');

        const listed = await load('eastus', once);
        sandbox?.setFaults({ next: { [fault]: 2, actions: ['AsyncOperation_Get', 'AsyncOperation_Monitor'] } });
        const del = await act('deleteSnapshot', find<Snapshot>(listed.inv, snap[0].id), listed.related, {}, { a: once });
        assert.equal(del.statuses[0].at(-1)?.failed, undefined, `${fault}: ${JSON.stringify(del.statuses[0].at(-1))}`);
        assert.ok(!az().state.snapshots.has(snap[0].id.toLowerCase()), 'deleted');
      }
    } finally {
      once.dispose();
    }
  });

  it('a truncated answer to the create PUT or the DELETE: followed up (adopted, or sent again by name), never reported failed', async () => {
    const { related } = await load('eastus');
    const disk = find<Disk>(related.inventory as Inventory, AZURE_SEEDED.unattachedDiskId);
    const name = uniq('cut');
    sandbox?.setFaults({ next: { malformed: 1, actions: ['Snapshots_CreateOrUpdate'] } });
    await act('createSnapshot', disk, related, { name, incremental: false });
    const made = [...az().state.snapshots.values()].filter((s) => s.name === name);
    assert.equal(made.length, 1);
    assert.equal(az().state.provisioningState(made[0]), 'Succeeded');

    const listed = await load('eastus');
    sandbox?.setFaults({ next: { malformed: 1, actions: ['Snapshots_Delete'] } });
    const del = await act('deleteSnapshot', find<Snapshot>(listed.inv, made[0].id), listed.related);
    assert.match(del.res.message ?? '', /^Delet/);
    assert.ok(!az().state.snapshots.has(made[0].id.toLowerCase()), 'deleted');
    assert.ok(log.some((l) => /the delete's answer was lost/.test(l)), log.join('\n'));
  });

  // (Unknown snapshot ids: the shared suite.)
  it('editTags of an unknown disk → notFound', async () => {
    const { inv, related } = await load('eastus');
    const d = find<Disk>(inv, AZURE_SEEDED.unattachedDiskId);
    const ghostDisk = { ...d, id: d.id.replace(/[^/]+$/, 'no-such-disk'), name: 'no-such-disk' };
    await rejects(adapter.execute('editTags', ghostDisk, { tags: [] }, related), 'notFound');
  });
});
