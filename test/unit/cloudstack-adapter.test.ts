/**
 * The CloudStack adapter over a scripted CloudStack (cloudstack-fake.ts, CloudStack's real JSON
 * shapes): the mapping onto the model, what is offered and refused (with CloudStack's reasons),
 * confirmations, and how jobs are decoded and followed.
 */
import * as assert from 'node:assert/strict';
import { CHAIN_SOURCE, chainFactsOf, type CloudStackAdapter } from '../../src/adapters/cloudstack/adapter';
import { buildInventory } from '../../src/adapters/cloudstack/inventory';
import { isoTime, scheduleWords, type CsRestorePointResource, type CsSnapshotResource } from '../../src/adapters/cloudstack/map';
import { opStart, type OpData } from '../../src/adapters/cloudstack/operations';
import type { RelatedResources } from '../../src/model/adapter';
import { buildChain } from '../../src/model/chain';
import { CloudError, isCloudError } from '../../src/model/errors';
import { UNDECIDABLE_POLL_LIMIT } from '../../src/model/polls';
import { INVENTORY_KEY, type Disk, type FieldValues, type Inventory, type OperationRecord, type OperationStatus, type Resource, type RestorePoint, type Snapshot, type Vm } from '../../src/model/types';
import { adapterOver, csTime, FakeCloudStack, GIB, seeded, ZONE_A, ZONE_B } from './cloudstack-fake';
import type { CsAsyncJob } from '../../src/adapters/cloudstack/wire';

async function listed(a: CloudStackAdapter, zone = ZONE_A): Promise<Required<Inventory>> {
  const inv: Required<Inventory> = { vms: [], disks: [], snapshots: [], images: [], policies: [], restorePoints: [], backups: [] };
  const key = INVENTORY_KEY;
  await a.listInventory({ id: zone, label: zone, leaf: true }, { add: (k, items) => void (inv[key[k]] as Resource[]).push(...items) }, new AbortController().signal);
  return inv;
}

function related(inv: Inventory, a: CloudStackAdapter): RelatedResources {
  return { inventory: inv, scopes: a.zones };
}

const find = <T extends Resource>(items: Resource[], id: string): T => {
  const r = items.find((x) => x.id === id);
  assert.ok(r, `${id} is listed`);
  return r as T;
};

function record(start: { kind: string; data?: string; resourceId: string; scopeId: string; title: string; refreshScopeIds: string[] }): OperationRecord {
  return { ...start, id: `op-${Math.random()}`, accountId: 'cs-1', startedAt: Date.now() };
}

async function pollToEnd(a: CloudStackAdapter, op: OperationRecord, max = 20): Promise<OperationStatus[]> {
  const seen: OperationStatus[] = [];
  for (let i = 0; i < max; i++) {
    const s = await a.pollOperation(op);
    seen.push(s);
    if (s.done) {
      return seen;
    }
  }
  assert.fail(`not done after ${max} polls: ${JSON.stringify(seen.at(-1))}`);
}

/** Plan, then execute with the plan's defaults overridden by `given`. */
async function run(a: CloudStackAdapter, action: Parameters<CloudStackAdapter['plan']>[0], target: Resource, given: FieldValues, inv: Inventory) {
  const plan = await a.plan(action, target, related(inv, a));
  assert.equal(plan.refusal, undefined, plan.refusal);
  const values: FieldValues = {};
  for (const f of plan.fields) {
    if (f.default !== undefined) {
      values[f.id] = f.default;
    }
  }
  return { plan, result: await a.execute(action, target, { ...values, ...given }, related(inv, a)) };
}

describe('cloudstack adapter: mapping', () => {
  it('zones are flat leaf scopes; every zone is served from one listing of the account', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const zones = await a.listScopes();
    assert.deepEqual(zones.map((z) => [z.label, z.leaf]), [['gva-1', true], ['zrh-1', true]]);
    assert.deepEqual(await a.listScopes(zones[0]), []);
    const before = cs.calls.filter((c) => c === 'listSnapshots').length;
    const [a1, b1] = await Promise.all([listed(a, ZONE_A), listed(a, ZONE_B)]);
    assert.equal(cs.calls.filter((c) => c === 'listSnapshots').length - before, 1, 'one listSnapshots for both zones');
    assert.deepEqual(b1.disks.map((d) => d.id), ['vol-spare']);
    assert.ok(a1.vms.length === 2 && b1.vms.length === 0);
  });

  it('VMs with the state word and service offering; volumes ROOT/DATADISK with offering, size, device; detached volumes', async () => {
    const inv = await listed(adapterOver(seeded()));
    const web = find<Vm>(inv.vms, 'vm-web');
    assert.equal(web.state, 'Running');
    assert.equal(web.machineType, 'Medium Instance');
    assert.deepEqual(web.diskIds, ['vol-web-root', 'vol-web-data'], 'ROOT first');
    assert.equal(web.bootDiskId, 'vol-web-root');
    const root = find<Disk>(inv.disks, 'vol-web-root');
    assert.equal(root.diskType, 'ROOT · Medium');
    assert.equal(root.sizeGiB, 20);
    assert.deepEqual(root.attachments, [{ vmId: 'vm-web', device: 'device 0', boot: true }]);
    const data = find<Disk>(inv.disks, 'vol-web-data');
    assert.equal(data.diskType, 'DATADISK · Custom');
    assert.deepEqual(data.attachments, [{ vmId: 'vm-web', device: 'device 1', boot: false }]);
    const spare = find<Disk>((await listed(adapterOver(seeded()), ZONE_B)).disks, 'vol-spare');
    assert.deepEqual(spare.attachments, [], 'detached');
  });

  it('volume snapshots: states to phases, physicalsize as stored bytes, virtualsize as size, policy-made ones say so, incremental only when CloudStack says', () => {
    const cs = seeded();
    cs.snapshots.push(
      { ...cs.snapshots[0], id: 's-creating', state: 'Creating', created: '2026-12-01T10:01:00+0000' },
      { ...cs.snapshots[0], id: 's-backing', state: 'BackingUp', created: '2026-12-01T10:02:00+0000' },
      { ...cs.snapshots[0], id: 's-error', state: 'Error', created: '2026-12-01T10:03:00+0000' },
      { ...cs.snapshots[0], id: 's-child', parent: 'snap-root-1', parentname: 'snap-root-1', created: '2026-12-01T13:00:00+0000' },
    );
    const inv = buildInventory(cs.vms, cs.volumes, cs.snapshots, [], [], []);
    const phase = (id: string) => find<Snapshot>(inv.snapshots, id).phase;
    assert.deepEqual(['snap-root-1', 's-creating', 's-backing', 's-error'].map(phase), ['ready', 'pending', 'pending', 'error']);
    const s = find<Snapshot>(inv.snapshots, 'snap-root-1');
    assert.equal(s.storedBytes, 3 * GIB);
    assert.equal(s.sizeGiB, 20);
    assert.equal(s.diskId, 'vol-web-root');
    assert.equal(s.incremental, undefined, 'CloudStack did not say');
    assert.equal(find<Snapshot>(inv.snapshots, 's-child').incremental, true);
    assert.equal(s.createdAt, '2026-12-01T10:00:00.000Z');
    const policyMade = find<Snapshot>(inv.snapshots, 'snap-db-1');
    assert.match(policyMade.details?.find((d) => d.label === 'Taken')?.value ?? '', /snapshot policy \(DAILY\)/);
    assert.match(s.details?.find((d) => d.label === 'Taken')?.value ?? '', /MANUAL/);
  });

  it('snapshots whose volume is gone are listed (the tree puts them under other snapshots) and cannot be reverted', async () => {
    const a = adapterOver(seeded());
    const inv = await listed(a);
    const orphan = find<CsSnapshotResource>(inv.snapshots, 'snap-orphan');
    assert.equal(inv.disks.some((d) => d.id === orphan.diskId), false);
    assert.equal(a.actionsFor(orphan).includes('restoreInPlace'), false);
    const plan = await a.plan('restoreInPlace', orphan, related(inv, a));
    assert.match(plan.refusal ?? '', /no longer exists.*Restore to New Volume/);
  });

  it('VM snapshots are restore points: memory from DiskAndMemory, current and parent marked', async () => {
    const inv = await listed(adapterOver(seeded()));
    const withMemory = find<RestorePoint>(inv.restorePoints, 'vms-1');
    const current = find<RestorePoint>(inv.restorePoints, 'vms-2');
    assert.equal(withMemory.memory, true);
    assert.equal(withMemory.name, 'before-upgrade');
    assert.equal(current.memory, false);
    assert.equal(current.current, true);
    assert.equal(current.parentId, 'vms-1');
    assert.equal(current.vmId, 'vm-web');
    // The chain of a volume of that VM shows them beside its snapshots, newest first.
    const chain = buildChain([...inv.vms, ...inv.disks, ...inv.snapshots, ...inv.restorePoints], 'vol-web-root');
    assert.deepEqual(chain?.restorePoints.map((p) => p.id), ['vms-2', 'vms-1']);
  });

  it('templates the account owns are images (one per template, naming its zones); policies are schedules in words', async () => {
    const cs = seeded();
    cs.templates.push({ ...cs.templates[0], zoneid: ZONE_B, zonename: 'zrh-1' });
    const a = adapterOver(cs);
    const inv = await listed(a);
    assert.deepEqual(inv.images.map((i) => i.id), ['tpl-1']);
    assert.equal(inv.images[0].details?.find((d) => d.label === 'Zones')?.value, 'gva-1, zrh-1');
    assert.equal((await listed(a, ZONE_B)).images.length, 0, 'listed once');
    const policy = inv.policies[0];
    assert.equal(policy.id, 'pol-1');
    assert.equal((policy as { schedule?: string }).schedule, 'daily at 03:30 Europe/Zurich');
    assert.equal((policy as { retention?: string }).retention, 'the last 7 snapshots');
    assert.deepEqual(find<Disk>(inv.disks, 'vol-db-root').policyIds, ['pol-1']);
    assert.ok(cs.calls.includes('listTemplates'));
  });

  it('schedules in words for every interval, CloudStack\'s text when it cannot be read', () => {
    assert.equal(scheduleWords({ id: 'p', schedule: '05', intervaltype: 0 }), 'hourly at minute 05');
    assert.equal(scheduleWords({ id: 'p', schedule: '00:22:1', intervaltype: 'WEEKLY' }), 'weekly on Sunday at 22:00');
    assert.equal(scheduleWords({ id: 'p', schedule: '15:01:28', intervaltype: 3, timezone: 'UTC' }), 'monthly on day 28 at 01:15 UTC');
    assert.equal(scheduleWords({ id: 'p', schedule: '99:99', intervaltype: 1 }), undefined);
    assert.equal(isoTime('2026-12-03T15:14:19+0100'), '2026-12-03T14:14:19.000Z');
    assert.equal(isoTime('not a time'), undefined);
  });

  it('snapshots taken within one second keep their order in the chain: by parent links, else by CloudStack\'s listing (newest first)', () => {
    const cs = seeded();
    const t = '2026-12-03T10:00:00+0000';
    const base = { ...cs.snapshots[0], created: t };
    // Listed newest first, as CloudStack does; the ids sort the other way round.
    const listedOrder = [
      { ...base, id: 'a-third', name: 'third' },
      { ...base, id: 'b-second', name: 'second' },
      { ...base, id: 'c-first', name: 'first' },
    ];
    const inv = buildInventory(cs.vms, cs.volumes, listedOrder, [], [], []);
    const chain = buildChain([...inv.disks, ...inv.snapshots], 'vol-web-root');
    assert.deepEqual(chain?.snapshots.map((s) => s.name), ['first', 'second', 'third']);
    // With parent links, those decide whatever the listing order.
    const linked = [
      { ...base, id: 'x', name: 'first' },
      { ...base, id: 'y', name: 'third', parent: 'z' },
      { ...base, id: 'z', name: 'second', parent: 'x' },
    ];
    const inv2 = buildInventory(cs.vms, cs.volumes, linked, [], [], []);
    assert.deepEqual(buildChain([...inv2.disks, ...inv2.snapshots], 'vol-web-root')?.snapshots.map((s) => s.name), ['first', 'second', 'third']);
  });

  it('a snapshot stored in two zones is listed in each; the chain counts it once (the other zone holds its copy)', async () => {
    const cs = seeded();
    cs.snapshots.push({ ...cs.snapshots[0], zoneid: ZONE_B, zonename: 'zrh-1' });
    const a = adapterOver(cs);
    const [inA, inB] = [await listed(a, ZONE_A), await listed(a, ZONE_B)];
    const home = find<CsSnapshotResource>(inA.snapshots, 'snap-root-1');
    const copy = find<CsSnapshotResource>(inB.snapshots, 'snap-root-1');
    assert.equal(home.copiedFromId, undefined);
    assert.equal(copy.copiedFromId, 'snap-root-1');
    assert.equal(copy.copiedFromScopeId, ZONE_A);
    const chain = buildChain([...inA.disks, ...inA.snapshots, ...inB.snapshots], 'vol-web-root');
    assert.deepEqual(chain?.snapshots.map((s) => s.scopeId), [ZONE_A]);
    assert.equal(a.actionsFor(home).includes('copySnapshot'), false, 'stored in every zone already');
  });

  it('hostile names and tags stay data: passed through exactly, in details and confirmations alike', async () => {
    const cs = seeded();
    const hostile = '[x](command:workbench.action.terminal.new) $(alert) <img src=x onerror=alert(1)>';
    cs.volumes[0].name = hostile;
    cs.snapshots[0].volumename = hostile;
    cs.snapshots[0].name = hostile;
    cs.snapshots[0].tags = [{ key: hostile, value: hostile }];
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-root-1');
    assert.equal(s.name, hostile);
    assert.deepEqual(s.tags, [{ key: hostile, value: hostile }]);
    assert.ok(s.details?.some((d) => d.value.startsWith(hostile)));
    const confirm = (await a.plan('deleteSnapshot', s, related(inv, a))).confirm?.({});
    assert.ok(confirm?.message.includes(hostile), 'named exactly as CloudStack has it');
  });

  it('chain facts: physicalsize per snapshot, saying where the figure comes from; a pending one has none yet', () => {
    const cs = seeded();
    cs.snapshots.push({ ...cs.snapshots[0], id: 's-creating', state: 'Creating', physicalsize: undefined });
    const inv = buildInventory(cs.vms, cs.volumes, cs.snapshots, [], [], []);
    const facts = chainFactsOf(inv.snapshots.filter((s) => s.diskId === 'vol-web-root').map((snapshot) => ({ snapshot })));
    assert.equal(facts.source, CHAIN_SOURCE);
    assert.match(facts.source, /physicalsize.*secondary storage.*virtualsize/);
    assert.deepEqual(facts.snapshots['snap-root-1'], { storedBytes: 3 * GIB, note: 'physicalsize on secondary storage, of a 20 GiB volume (virtualsize)' });
    assert.match(facts.snapshots['s-creating'].unavailable ?? '', /Creating/);
  });
});

describe('cloudstack adapter: what is offered, refused and confirmed', () => {
  it('a template from a DATADISK snapshot is not offered, and refused with the reason by plan and execute', async () => {
    const a = adapterOver(seeded());
    const inv = await listed(a);
    const data = find<Snapshot>(inv.snapshots, 'snap-data-1');
    const root = find<Snapshot>(inv.snapshots, 'snap-root-1');
    assert.equal(a.actionsFor(data).includes('createImageFromSnapshot'), false);
    assert.ok(a.actionsFor(root).includes('createImageFromSnapshot'));
    const plan = await a.plan('createImageFromSnapshot', data, related(inv, a));
    assert.match(plan.refusal ?? '', /ROOT volume.*DATADISK volume web-data/);
    await assert.rejects(a.execute('createImageFromSnapshot', data, { name: 't', osType: 'os-ubuntu' }, related(inv, a)), (e: unknown) => isCloudError(e) && e.kind === 'invalid' && /ROOT volume/.test(e.message));
  });

  it('Create Template from Root Volume: only for a stopped VM; a running one is refused, saying to stop it first', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const running = find<Vm>(inv.vms, 'vm-web');
    const stopped = find<Vm>(inv.vms, 'vm-db');
    assert.equal(a.actionsFor(running).includes('createImageFromVm'), false);
    assert.match((await a.plan('createImageFromVm', running, related(inv, a))).refusal ?? '', /stopped.*Running.*Stop it first/);
    const { plan, result } = await run(a, 'createImageFromVm', stopped, { name: 'db-template' }, inv);
    assert.equal(plan.title, 'Create Template from Root Volume');
    assert.equal(plan.fields.find((f) => f.id === 'osType')?.default, 'os-debian', "the VM's OS type first");
    assert.deepEqual(cs.started.at(-1), { command: 'createTemplate', params: { name: 'db-template', displaytext: 'Template made from db-1', ostypeid: 'os-debian', ispublic: false, isfeatured: false, volumeid: 'vol-db-root' } });
    assert.equal(result.operations.length, 1);
  });

  it('Revert Volume to Snapshot: not while the VM runs (refusal says stop it); for a stopped VM, confirmed naming the volume', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const onRunning = find<Snapshot>(inv.snapshots, 'snap-root-1');
    assert.equal(a.actionsFor(onRunning).includes('restoreInPlace'), false);
    assert.match((await a.plan('restoreInPlace', onRunning, related(inv, a))).refusal ?? '', /web-1, which is Running.*Stop the VM first/);
    const onStopped = find<Snapshot>(inv.snapshots, 'snap-db-1');
    assert.ok(a.actionsFor(onStopped).includes('restoreInPlace'), 'db-1 is stopped and has no VM snapshots');
    const withVmSnapshots = buildInventory(cs.vms, cs.volumes, cs.snapshots, [{ id: 'vms-db', virtualmachineid: 'vm-db', state: 'Ready' }], [], []).snapshots.find((x) => x.id === 'snap-db-1');
    assert.ok(withVmSnapshots);
    assert.equal(a.actionsFor(withVmSnapshots).includes('restoreInPlace'), false);
    assert.match((await a.plan('restoreInPlace', withVmSnapshots, related(inv, a))).refusal ?? '', /db-1 has 1 VM snapshot: CloudStack reverts none of its volumes/);
    const plan = await a.plan('restoreInPlace', onStopped, related(inv, a));
    assert.equal(plan.title, 'Revert Volume to Snapshot');
    const c = plan.confirm?.({});
    assert.ok(c);
    assert.match(c.message, /Revert volume ROOT-2 \(vol-db-root\) to snapshot snap-db-1/);
    assert.match(c.detail, /everything written to the volume since is lost/);
    // Not revertable storage: not offered either.
    cs.snapshots[2].revertable = false;
    a.invalidate();
    const inv2 = await listed(a);
    assert.equal(a.actionsFor(find(inv2.snapshots, 'snap-db-1')).includes('restoreInPlace'), false);
  });

  it('copying to other zones needs CloudStack 4.19+: not offered before, refused saying so', async () => {
    const cs = seeded();
    cs.version = '4.18.2.0';
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-root-1');
    assert.equal(a.actionsFor(s).includes('copySnapshot'), false);
    assert.match((await a.plan('copySnapshot', s, related(inv, a))).refusal ?? '', /4\.19 or later \(this cloud reports 4\.18\.2\.0\)/);
    const plan = await a.plan('createSnapshot', find(inv.disks, 'vol-web-root'), related(inv, a));
    assert.equal(plan.fields.some((f) => f.id === 'zones'), false, 'no extra zones on 4.18');
  });

  it('Create Snapshot: name, quiesce where the storage supports it, tags, and on 4.19+ the extra zone; sent as CloudStack\'s parameters', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const data = find<Disk>(inv.disks, 'vol-web-data');
    const plan = await a.plan('createSnapshot', data, related(inv, a));
    assert.deepEqual(plan.fields.map((f) => f.id), ['name', 'quiesce', 'zones', 'tags']);
    assert.equal((await a.plan('createSnapshot', find(inv.disks, 'vol-web-root'), related(inv, a))).fields.some((f) => f.id === 'quiesce'), false);
    await a.execute('createSnapshot', data, { name: 'nightly', quiesce: true, zones: ZONE_B, tags: [{ key: 'team', value: 'a, b = c' }] }, related(inv, a));
    assert.deepEqual(cs.started.at(-1), { command: 'createSnapshot', params: { volumeid: 'vol-web-data', name: 'nightly', quiescevm: true, zoneids: ZONE_B, 'tags[0].key': 'team', 'tags[0].value': 'a, b = c' } });
    await assert.rejects(a.execute('createSnapshot', data, { name: 'x', tags: [{ key: 'k', value: '' }] }, related(inv, a)), /needs a value/);
  });

  it('Restore to New Volume: a larger size needs a custom offering; the attach is a second tracked step, never started twice (also after a reload)', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-data-1');
    const plan = await a.plan('restoreToNewDisk', s, related(inv, a));
    assert.equal(plan.title, 'Restore to New Volume');
    assert.deepEqual(plan.fields.map((f) => f.id), ['name', 'zone', 'diskOffering', 'sizeGiB', 'attach']);
    assert.deepEqual(plan.fields.find((f) => f.id === 'sizeGiB')?.askIf, { field: 'diskOffering', in: ['do-custom'] }, 'the size is asked with an offering of custom size');
    await assert.rejects(a.execute('restoreToNewDisk', s, { name: 'big', zone: ZONE_A, sizeGiB: 60, attach: '' }, related(inv, a)), /custom size: the snapshot's own offering makes 50 GiB/);
    await assert.rejects(a.execute('restoreToNewDisk', s, { name: 'big', zone: ZONE_A, diskOffering: 'do-small', attach: '' }, related(inv, a)), /makes 10 GiB volumes: at least the snapshot's 50 GiB/);
    await assert.rejects(a.execute('restoreToNewDisk', s, { name: 'small', zone: ZONE_A, sizeGiB: 49, attach: '' }, related(inv, a)), /at least/);
    const { result } = await run(a, 'restoreToNewDisk', s, { name: 'big', sizeGiB: 60, diskOffering: 'do-custom', attach: 'vm-db' }, inv);
    assert.deepEqual(cs.started.at(-1), { command: 'createVolume', params: { name: 'big', snapshotid: 'snap-data-1', zoneid: ZONE_A, diskofferingid: 'do-custom', size: 60 } });
    const op = record(result.operations[0]);
    const jobOf = (i: number) => `job-${i}`;
    cs.jobAnswers.set(jobOf(1), [{ jobid: jobOf(1), jobstatus: 0 }, { jobid: jobOf(1), jobstatus: 1, jobresult: { volume: { id: 'vol-new' } } }]);
    cs.volumes.push({ id: 'vol-new', name: 'big', type: 'DATADISK', state: 'Ready', zoneid: ZONE_A, size: 60 * GIB, snapshotid: 'snap-data-1' });
    assert.equal((await a.pollOperation(op)).done, false);
    const attaching = await a.pollOperation(op);
    assert.equal(attaching.done, false);
    assert.match(attaching.message ?? '', /attaching it to VM db-1/);
    assert.deepEqual(cs.started.at(-1), { command: 'attachVolume', params: { id: 'vol-new', virtualmachineid: 'vm-db' } });
    // A reload: a new adapter, the attach job still pending in CloudStack.
    cs.jobs = [{ jobid: 'job-2', cmd: 'org.apache.cloudstack.api.command.user.volume.AttachVolumeCmd', jobstatus: 0, jobinstancetype: 'Volume', jobinstanceid: 'vol-new' }];
    const b = adapterOver(cs);
    const startsBefore = cs.started.length;
    assert.equal((await b.pollOperation(op)).done, false);
    cs.jobAnswers.set('job-2', [{ jobid: 'job-2', jobstatus: 1, jobresult: { volume: { id: 'vol-new', virtualmachineid: 'vm-db' } } }]);
    const end = await b.pollOperation(op);
    assert.deepEqual(end, { done: true, progress: 100, message: 'Volume created and attached to VM db-1' });
    assert.equal(cs.started.length, startsBefore, 'attachVolume was not sent again');
  });

  it('Delete Snapshot is refused while a volume is being created from it (and execute checks again); confirmed otherwise, naming it', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-root-1');
    cs.volumes.push({ id: 'vol-coming', name: 'coming', type: 'DATADISK', state: 'Allocated', zoneid: ZONE_A, snapshotid: 'snap-root-1' });
    cs.jobs = [{ jobid: 'j-9', cmd: 'org.apache.cloudstack.api.command.user.volume.CreateVolumeCmd', jobstatus: 0, jobinstancetype: 'Volume', jobinstanceid: 'vol-coming' }];
    assert.match((await a.plan('deleteSnapshot', s, related(inv, a))).refusal ?? '', /volume coming \(vol-coming\) is being created from it/);
    await assert.rejects(a.execute('deleteSnapshot', s, {}, related(inv, a)), (e: unknown) => isCloudError(e) && e.kind === 'inUse');
    assert.equal(cs.started.length, 0, 'nothing was sent');
    cs.jobs = [];
    const plan = await a.plan('deleteSnapshot', s, related(inv, a));
    const c = plan.confirm?.({});
    assert.equal(c?.deletesSnapshotId, 'snap-root-1');
    assert.match(`${c?.message} ${c?.detail}`, /snap-root-1.*3\.0 GiB on secondary storage.*cannot be undone/s);
  });

  it('Delete Snapshot is refused while a template this adapter started is being made from it', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-root-1');
    await run(a, 'createImageFromSnapshot', s, { name: 'golden-2' }, inv);
    const tplId = cs.madeIds.at(-1) as string;
    // CloudStack's template answer does not name the snapshot it is made from.
    cs.templates.push({ id: tplId, name: 'golden-2', isready: false, zoneid: ZONE_A });
    cs.jobs = [{ jobid: 'j-t', cmd: 'org.apache.cloudstack.api.command.user.template.CreateTemplateCmd', jobstatus: 0, jobinstancetype: 'Template', jobinstanceid: tplId }];
    assert.match((await a.plan('deleteSnapshot', s, related(inv, a))).refusal ?? '', /template golden-2 .* is being created from it/);
  });

  it('VM snapshots: memory only of a running VM (always on KVM, asked elsewhere); quiesce only without memory; CloudStack\'s titles', async () => {
    const cs = seeded();
    cs.vms.push({ ...cs.vms[0], id: 'vm-vmw', name: 'vmw-1', displayname: 'vmw-1', hypervisor: 'VMware' });
    const a = adapterOver(cs);
    const inv = await listed(a);
    const vmware = await a.plan('createRestorePoint', find(inv.vms, 'vm-vmw'), related(inv, a));
    assert.equal(vmware.title, 'Create VM Snapshot');
    assert.deepEqual(vmware.fields.map((f) => f.id), ['name', 'description', 'memory', 'quiesce']);
    assert.deepEqual(vmware.fields.find((f) => f.id === 'quiesce')?.askIf, { field: 'memory', in: [false] });
    await a.execute('createRestorePoint', find(inv.vms, 'vm-vmw'), { name: 'q', memory: false, quiesce: true }, related(inv, a));
    assert.deepEqual(cs.started.at(-1), { command: 'createVMSnapshot', params: { virtualmachineid: 'vm-vmw', name: 'q', snapshotmemory: false, quiescevm: true } });
    // KVM: a running VM's VM snapshot holds its memory; not asked, and a disk-only answer is refused.
    const kvm = await a.plan('createRestorePoint', find(inv.vms, 'vm-web'), related(inv, a));
    assert.deepEqual(kvm.fields.map((f) => f.id), ['name', 'description']);
    assert.match(kvm.fields[0].title, /disks and memory \(KVM/);
    await assert.rejects(a.execute('createRestorePoint', find(inv.vms, 'vm-web'), { name: 'x', memory: false }, related(inv, a)), /KVM takes no disk-only VM snapshot of a running VM/);
    const stopped = await a.plan('createRestorePoint', find(inv.vms, 'vm-db'), related(inv, a));
    assert.deepEqual(stopped.fields.map((f) => f.id), ['name', 'description']);
    await assert.rejects(a.execute('createRestorePoint', find(inv.vms, 'vm-db'), { name: 'x', memory: true }, related(inv, a)), /memory needs the VM running/);
    await a.execute('createRestorePoint', find(inv.vms, 'vm-web'), { name: 'pre', description: 'before' }, related(inv, a));
    assert.deepEqual(cs.started.at(-1), { command: 'createVMSnapshot', params: { virtualmachineid: 'vm-web', name: 'pre', description: 'before', snapshotmemory: true } });
    const p = find<CsRestorePointResource>(inv.restorePoints, 'vms-1');
    assert.deepEqual(a.actionsFor(p), ['revertToRestorePoint', 'snapshotFromRestorePoint', 'deleteRestorePoint']);
    // A running VM reverts only to a VM snapshot with memory (CloudStack's rule): the disk-only one is refused, saying why.
    const diskOnly = find<CsRestorePointResource>(inv.restorePoints, 'vms-2');
    assert.deepEqual(a.actionsFor(diskOnly), ['snapshotFromRestorePoint', 'deleteRestorePoint']);
    assert.match((await a.plan('revertToRestorePoint', diskOnly, related(inv, a))).refusal ?? '', /Running .* disks only: .* Stop the VM first/);
    const titles = await Promise.all((['revertToRestorePoint', 'snapshotFromRestorePoint', 'deleteRestorePoint'] as const).map(async (id) => (await a.plan(id, p, related(inv, a))).title));
    assert.deepEqual(titles, ['Revert VM to VM Snapshot', 'Create Volume Snapshot from VM Snapshot', 'Delete VM Snapshot']);
  });

  it('Revert VM to VM Snapshot: confirmed naming the VM and that every change since is lost; the state after is as CloudStack reports it', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const p = find<RestorePoint>(inv.restorePoints, 'vms-1');
    const { plan, result } = await run(a, 'revertToRestorePoint', p, {}, inv);
    const c = plan.confirm?.({});
    assert.match(c?.message ?? '', /Revert VM web-1 \(vm-web\) to VM snapshot before-upgrade/);
    assert.match(c?.detail ?? '', /every change made to the VM since — its disks and its memory — is lost/);
    assert.deepEqual(cs.started.at(-1), { command: 'revertToVMSnapshot', params: { vmsnapshotid: 'vms-1' } });
    const op = record(result.operations[0]);
    assert.equal(op.revealId, 'vm-web');
    cs.jobAnswers.set('job-1', [{ jobid: 'job-1', jobstatus: 0 }, { jobid: 'job-1', jobstatus: 1, jobresult: { virtualmachine: { id: 'vm-web', displayname: 'web-1', state: 'Running' } } }]);
    const seen = await pollToEnd(a, op);
    assert.deepEqual(seen.at(-1), { done: true, progress: 100, message: 'Reverted. CloudStack reports the VM web-1 Running' });
  });

  it('Create Volume Snapshot from VM Snapshot: picks which volume of the VM', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const { plan } = await run(a, 'snapshotFromRestorePoint', find(inv.restorePoints, 'vms-2'), { volume: 'vol-web-data', name: 'from-vms' }, inv);
    const field = plan.fields.find((f) => f.id === 'volume');
    assert.ok(field?.kind === 'pick');
    assert.deepEqual(field.options.map((o) => o.value), ['vol-web-root', 'vol-web-data']);
    assert.deepEqual(cs.started.at(-1), { command: 'createSnapshotFromVMSnapshot', params: { volumeid: 'vol-web-data', vmsnapshotid: 'vms-2', name: 'from-vms' } });
  });

  it('Edit Tags: a changed value is deleted, then created; CloudStack\'s resource type', async () => {
    const cs = seeded();
    cs.volumes[0].tags = [{ key: 'env', value: 'old' }, { key: 'gone', value: 'x' }, { key: 'same', value: 's' }];
    const a = adapterOver(cs);
    const inv = await listed(a);
    const { result } = await run(a, 'editTags', find(inv.disks, 'vol-web-root'), { tags: [{ key: 'env', value: 'new' }, { key: 'same', value: 's' }] }, inv);
    assert.deepEqual(cs.started, [
      { command: 'deleteTags', params: { resourceids: 'vol-web-root', resourcetype: 'Volume', 'tags[0].key': 'env', 'tags[0].value': 'old', 'tags[1].key': 'gone', 'tags[1].value': 'x' } },
      { command: 'createTags', params: { resourceids: 'vol-web-root', resourcetype: 'Volume', 'tags[0].key': 'env', 'tags[0].value': 'new' } },
    ]);
    assert.equal(result.message, 'Tags of ROOT-1 (vol-web-root) updated (2 tags)');
  });

  it('an action the resource cannot take now is refused by execute too (the resource as CloudStack lists it now)', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const stopped = find<Vm>(inv.vms, 'vm-db');
    cs.vms[1].state = 'Running';
    await assert.rejects(a.execute('createImageFromVm', stopped, { name: 't', osType: 'os-debian' }, related(inv, a)), /Stop it first/);
    await assert.rejects(a.execute('restoreToNewDisk', { ...find<Snapshot>(inv.snapshots, 'snap-root-1'), id: 'ghost' }, { name: 'x' }, related(inv, a)), (e: unknown) => isCloudError(e) && e.kind === 'notFound');
  });
});

describe('cloudstack adapter: jobs', () => {
  const op = (data: OpData) => record(opStart({ title: 't', scopeId: ZONE_A, resourceId: 'snap-x', refreshScopeIds: [ZONE_A] }, data));

  it('a job that fails after 3 polls: failed, with jobresult.errortext as the message (kept as text)', async () => {
    const cs = new FakeCloudStack();
    const text = 'Failed to create snapshot: [x](command:evil) $(alert) storage pool gva-nfs is full';
    cs.jobAnswers.set('j', [{ jobid: 'j', jobstatus: 0 }, { jobid: 'j', jobstatus: 0 }, { jobid: 'j', jobstatus: 0 }, { jobid: 'j', jobstatus: 2, jobresultcode: 530, jobresult: { errorcode: 530, errortext: text } }]);
    const seen = await pollToEnd(adapterOver(cs), op({ command: 'createSnapshot', job: 'j' }));
    assert.equal(seen.length, 4);
    assert.deepEqual(seen.slice(0, 3).map((s) => s.done), [false, false, false]);
    assert.deepEqual(seen[3], { done: true, failed: true, message: text });
  });

  it('a job status Snapkeeper does not know is polled again, a bounded number of times, then undecided', async () => {
    const cs = new FakeCloudStack();
    cs.jobAnswers.set('j', [{ jobid: 'j', jobstatus: 7 as 0 }]);
    const a = adapterOver(cs);
    const o = op({ command: 'createSnapshot', job: 'j' });
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(a.pollOperation(o), (e: unknown) => isCloudError(e) && e.kind === 'malformed');
    }
    const end = await a.pollOperation(o);
    assert.equal(end.undecided, true);
    assert.match(end.message ?? '', /status "7"/);
  });

  it('a poll that fails transiently throws (the tracker retries); it decides nothing', async () => {
    const cs = new FakeCloudStack();
    cs.job = async () => {
      throw new CloudError('network', 'connection reset');
    };
    await assert.rejects(adapterOver(cs).pollOperation(op({ command: 'createSnapshot', job: 'j' })), (e: unknown) => isCloudError(e) && e.kind === 'network');
  });

  it('saved state it cannot read is malformed (counted), never a failure', async () => {
    const a = adapterOver(new FakeCloudStack());
    await assert.rejects(a.pollOperation(record({ kind: 'job', data: '{', resourceId: 'x', scopeId: ZONE_A, title: 't', refreshScopeIds: [] })), (e: unknown) => isCloudError(e) && e.kind === 'malformed');
    await assert.rejects(a.pollOperation(record({ kind: 'job', data: '{"command":"x"}', resourceId: 'x', scopeId: ZONE_A, title: 't', refreshScopeIds: [] })), /names no CloudStack job/);
  });

  it('a create whose answer was lost after CloudStack acted: found by its name, followed without its job, never sent twice', async () => {
    const cs = seeded();
    const a = adapterOver(cs, []);
    const inv = await listed(a);
    const disk = find<Disk>(inv.disks, 'vol-web-root');
    cs.failStart = {
      command: 'createSnapshot',
      error: new CloudError('network', 'socket hang up'),
      after: () => cs.snapshots.push({ id: 'snap-made', name: 'lost', volumeid: 'vol-web-root', zoneid: ZONE_A, state: 'BackingUp', created: csTime(new Date().toISOString()) }),
    };
    const res = await a.execute('createSnapshot', disk, { name: 'lost' }, related(inv, a));
    assert.equal(cs.started.filter((s) => s.command === 'createSnapshot').length, 1);
    const o = record(res.operations[0]);
    assert.equal(o.resourceId, 'snap-made');
    assert.deepEqual(JSON.parse(o.data ?? ''), { command: 'createSnapshot', follow: { kind: 'snapshot', id: 'snap-made' } });
    assert.deepEqual(await a.pollOperation(o), { done: false, message: 'BackingUp' });
    (cs.snapshots.at(-1) as { state: string }).state = 'BackedUp';
    assert.deepEqual(await a.pollOperation(o), { done: true, progress: 100, message: 'BackedUp' });
  });

  it('a restore with an attach whose answer was lost: the volume found is followed, then attached', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-data-1');
    cs.failStart = {
      command: 'createVolume',
      error: new CloudError('malformed', 'cut short'),
      after: () => cs.volumes.push({ id: 'vol-lost', name: 'lost', type: 'DATADISK', state: 'Creating', zoneid: ZONE_A, snapshotid: 'snap-data-1', created: csTime(new Date().toISOString()) }),
    };
    const res = await a.execute('restoreToNewDisk', s, { name: 'lost', zone: ZONE_A, attach: 'vm-db' }, related(inv, a));
    const o = record(res.operations[0]);
    assert.equal((await a.pollOperation(o)).done, false);
    (cs.volumes.at(-1) as { state: string }).state = 'Ready';
    assert.match((await a.pollOperation(o)).message ?? '', /attaching it to VM db-1/);
    assert.deepEqual(cs.started.at(-1), { command: 'attachVolume', params: { id: 'vol-lost', virtualmachineid: 'vm-db' } });
    assert.equal(cs.started.filter((x) => x.command === 'createVolume').length, 1);
  });

  it('…and when nothing was made, the error stands', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    cs.failStart = { command: 'createSnapshot', error: new CloudError('server', 'HTTP 503') };
    await assert.rejects(a.execute('createSnapshot', find(inv.disks, 'vol-web-root'), { name: 'never' }, related(inv, a)), (e: unknown) => isCloudError(e) && e.kind === 'server');
  });

  it('a delete whose answer was lost: reported deleted when the snapshot is gone; a delete of a gone one is done', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const s = find<Snapshot>(inv.snapshots, 'snap-data-1');
    cs.failStart = { command: 'deleteSnapshot', error: new CloudError('network', 'reset'), after: () => (cs.snapshots = cs.snapshots.filter((x) => x.id !== 'snap-data-1')) };
    const res = await a.execute('deleteSnapshot', s, {}, related(inv, a));
    assert.deepEqual(res.operations, []);
    assert.match(res.message ?? '', /Deleted snapshot snap-data-1/);
    const again = await a.execute('deleteSnapshot', s, {}, related(inv, a));
    assert.match(again.message ?? '', /^Deleted snapshot .*already gone/);
  });

  it('a revert whose answer was lost: the job CloudStack started on the VM snapshot is found and followed; none found, the error stands and nothing is sent again', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const p = find<RestorePoint>(inv.restorePoints ?? [], 'vms-1');
    assert.ok(a.actionsFor(p).includes('revertToRestorePoint'));
    const job = (jobid: string, created: string): CsAsyncJob => ({
      jobid,
      jobstatus: 0,
      jobinstanceid: 'vms-1',
      cmd: 'org.apache.cloudstack.api.command.user.vmsnapshot.RevertToVMSnapshotCmd',
      created,
    });
    cs.failStart = { command: 'revertToVMSnapshot', error: new CloudError('network', 'reset'), after: () => cs.jobs.push(job('job-old', '2026-01-01T00:00:00+0000'), job('job-lost', csTime(new Date().toISOString()))) };
    const res = await a.execute('revertToRestorePoint', p, {}, related(inv, a));
    assert.equal(res.operations.length, 1);
    assert.equal(JSON.parse(res.operations[0].data ?? '{}').job, 'job-lost', 'the job started since, not an older one');

    cs.jobs = [];
    cs.failStart = { command: 'revertToVMSnapshot', error: new CloudError('network', 'reset') };
    await assert.rejects(a.execute('revertToRestorePoint', p, {}, related(inv, a)), (e: unknown) => isCloudError(e) && e.kind === 'network');
    assert.equal(cs.started.filter((x) => x.command === 'revertToVMSnapshot').length, 2, 'each revert was sent once');
  });

  it('a VM snapshot delete whose answer was lost is judged like any delete: gone is deleted, Expunging is followed, a gone one is done', async () => {
    const cs = seeded();
    const a = adapterOver(cs);
    const inv = await listed(a);
    const p = find<RestorePoint>(inv.restorePoints ?? [], 'vms-2');
    cs.failStart = { command: 'deleteVMSnapshot', error: new CloudError('network', 'reset'), after: () => (cs.vmSnapshots = cs.vmSnapshots.filter((x) => x.id !== 'vms-2')) };
    const gone = await a.execute('deleteRestorePoint', p, {}, related(inv, a));
    assert.deepEqual(gone.operations, []);
    assert.match(gone.message ?? '', /^Deleted VM snapshot after-upgrade \(vms-2\)$/);
    const again = await a.execute('deleteRestorePoint', p, {}, related(inv, a));
    assert.match(again.message ?? '', /^Deleted VM snapshot .*already gone/);

    const q = find<RestorePoint>(inv.restorePoints ?? [], 'vms-1');
    cs.failStart = { command: 'deleteVMSnapshot', error: new CloudError('network', 'reset'), after: () => cs.vmSnapshots.forEach((x) => x.id === 'vms-1' && (x.state = 'Expunging')) };
    const expunging = await a.execute('deleteRestorePoint', q, {}, related(inv, a));
    assert.equal(expunging.operations.length, 1, 'followed until it is gone, not reported failed');
    assert.equal(expunging.operations[0].resourceId, 'vms-1');
  });
});
