// The CloudStack sandbox: CloudStack's signed API at /client/api, its envelope, lists, paging,
// async jobs on the sandbox clock, incremental volume snapshots from the block model, VM snapshots,
// templates, the control routes, faults, persistence and reset. Requests are signed here by the
// test's own signer (not the sandbox's), and every outcome is checked against the sandbox's state.
import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_KEY, SANDBOX_KEY_HEADER, type Sandbox, startSandbox } from '../../src/sandbox';
import { backend, CLOUDSTACK_SEEDED as S } from '../../src/sandbox/cloudstack/backend';
import { javaUrlEncode, sign } from '../../src/sandbox/cloudstack/signing';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const START = Date.parse('2026-06-01T10:00:00Z');

/** The test's own CloudStack signer: sorted names, RFC 3986 encoding with Java's extras, lower-cased, HMAC-SHA1. */
function signedQuery(params: Record<string, string>, secret: string): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = Object.keys(params)
    .sort()
    .map((k) => `${k}=${encode(params[k])}`)
    .join('&');
  const signature = createHmac('sha1', secret).update(query.toLowerCase()).digest('base64');
  return `${query}&signature=${encodeURIComponent(signature)}`;
}

/** `yyyy-MM-ddTHH:mm:ss+0000`. */
const expiresAt = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, '+0000');

interface Answer {
  status: number;
  body: Record<string, Record<string, unknown>>;
  text: string;
}

describe('CloudStack sandbox', function () {
  this.timeout(20000);
  let clock = START;
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({ now: () => clock });
  });

  after(async () => {
    await sandbox.close();
  });

  beforeEach(() => {
    clock += 60 * 60 * 1000;
    sandbox.setFaults({});
    sandbox.clouds.cloudstack.reset();
  });

  const cs = () => sandbox.clouds.cloudstack;

  async function call(command: string, params: Record<string, string> = {}, opts: { secret?: string; json?: boolean; post?: boolean; apiKey?: string } = {}): Promise<Answer> {
    const info = sandbox.info.cloudstack;
    const all: Record<string, string> = { command, apiKey: opts.apiKey ?? info.apiKey, ...params };
    if (opts.json !== false) {
      all.response = 'json';
    }
    const query = signedQuery(all, opts.secret ?? info.secretKey);
    const response = opts.post
      ? await fetch(info.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query })
      : await fetch(`${info.endpoint}?${query}`);
    const text = await response.text();
    return { status: response.status, text, body: opts.json === false ? {} : (JSON.parse(text) as Answer['body']) };
  }

  /** The `<command>response` member of a successful answer. */
  async function ok(command: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const answer = await call(command, params);
    assert.equal(answer.status, 200, `${command}: ${answer.text}`);
    return answer.body[`${command.toLowerCase()}response`];
  }

  async function refused(command: string, params: Record<string, string>, status: number, text: RegExp): Promise<Record<string, unknown>> {
    const answer = await call(command, params);
    assert.equal(answer.status, status, answer.text);
    const body = answer.body[`${command.toLowerCase()}response`];
    assert.equal(body.errorcode, status);
    assert.deepEqual(body.uuidList, []);
    assert.match(String(body.errortext), text);
    return body;
  }

  async function job(jobId: string): Promise<Record<string, unknown>> {
    return ok('queryAsyncJobResult', { jobid: jobId });
  }

  /** Lets every job end (the clock moves past the longest job). */
  async function settle(jobId: string): Promise<Record<string, unknown>> {
    clock += 60_000;
    const result = await job(jobId);
    assert.equal(result.jobstatus, 1, JSON.stringify(result));
    return result;
  }

  // ---- signature ---------------------------------------------------------------------------

  it('signs as CloudStack documents it (the docs’ worked example) and encodes as java.net.URLEncoder', () => {
    const params = new Map([
      ['apikey', 'plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg'],
      ['command', 'listUsers'],
      ['response', 'json'],
    ]);
    assert.equal(sign(params, 'VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ'), 'TTpdDq/7j/J58XCRHomKoQXEQds=');
    assert.equal(javaUrlEncode('a b*~/é'), 'a+b*%7E%2F%C3%A9');
  });

  it('accepts a signed request (GET and POST form) and refuses a wrong secret, an unknown key or a missing signature with 401', async () => {
    const zones = await ok('listZones');
    assert.equal(zones.count, 2);
    const posted = await call('listZones', { name: 'zrh-1' }, { post: true });
    assert.equal(posted.status, 200);
    assert.equal(posted.body.listzonesresponse.count, 1);
    for (const opts of [{ secret: 'wrong' }, { apiKey: 'someone-else' }]) {
      const answer = await call('listZones', {}, opts);
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, { listzonesresponse: { uuidList: [], errorcode: 401, errortext: 'unable to verify user credentials and/or request signature' } });
    }
    const unsigned = await fetch(`${sandbox.info.cloudstack.endpoint}?command=listZones&response=json&apiKey=${sandbox.info.cloudstack.apiKey}`);
    assert.equal(unsigned.status, 401);
    // An unknown command fails the request check as well (CloudStack answers it before the signature).
    const unknown = await call('listEverything');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.errorresponse.errorcode, 401);
  });

  it('signature version 3: an expired `expires` is 401, and so is a fresh one when the server clock runs ahead', async () => {
    const v3 = (expires: number) => ({ signatureversion: '3', expires: expiresAt(expires) });
    assert.equal((await call('listZones', v3(clock + 5 * 60_000))).status, 200);
    assert.equal((await call('listZones', v3(clock - 1000))).status, 401);
    assert.equal((await call('listZones', { signatureversion: '3' })).status, 401, 'v3 without expires');
    cs().setClockSkew(10 * 60_000);
    const skewed = await call('listZones', v3(clock + 5 * 60_000));
    assert.equal(skewed.status, 401);
    assert.equal(skewed.body.listzonesresponse.errortext, 'unable to verify user credentials and/or request signature');
    cs().setClockSkew(0);
    assert.equal((await call('listZones', v3(clock + 5 * 60_000))).status, 200);
  });

  // ---- envelope, lists, paging ---------------------------------------------------------------

  it('answers XML without response=json, and errors with errorcode, cserrorcode and the HTTP status', async () => {
    const xml = await call('listZones', {}, { json: false });
    assert.equal(xml.status, 200);
    assert.match(xml.text, /^<\?xml version="1.0" encoding="UTF-8"\?><listzonesresponse cloud-stack-version="[\d.]+"><count>2<\/count><zone><id>/);
    const body = await refused('createSnapshot', {}, 431, /^Unable to execute API command createsnapshot due to missing parameter volumeid$/);
    assert.equal(body.cserrorcode, 4350);
    await refused('listVolumes', { id: 'not-a-volume' }, 431, /Invalid parameter id value=not-a-volume/);
  });

  it('an empty list has no list key and no count', async () => {
    assert.deepEqual(await ok('listTags', { resourcetype: 'Template' }), {});
    assert.deepEqual(await ok('listSnapshots', { volumeid: S.detachedVolume }), {});
    assert.deepEqual(await ok('listVMSnapshot', { virtualmachineid: S.appVm }), {});
  });

  it('pages with page/pagesize, counts every match, caps pagesize at default.page.size', async () => {
    const all = (await ok('listSnapshots', { listall: 'true' })) as { count: number; snapshot: { id: string }[] };
    assert.equal(all.count, all.snapshot.length);
    assert.ok(all.count > 4);
    cs().setPageSize(4);
    const first = (await ok('listSnapshots', { page: '1', pagesize: '4' })) as { count: number; snapshot: { id: string }[] };
    const second = (await ok('listSnapshots', { page: '2', pagesize: '4' })) as { count: number; snapshot: { id: string }[] };
    assert.equal(first.count, all.count);
    assert.equal(first.snapshot.length, 4);
    assert.deepEqual([...first.snapshot, ...second.snapshot].map((s) => s.id), all.snapshot.slice(0, 8).map((s) => s.id));
    const defaultPage = (await ok('listSnapshots')) as { snapshot: unknown[] };
    assert.equal(defaultPage.snapshot.length, 4, 'without pagesize a list answers default.page.size');
    assert.deepEqual(await ok('listSnapshots', { page: '99', pagesize: '4' }), { count: all.count });
    await refused('listSnapshots', { pagesize: '5' }, 431, /^Page size can't exceed max allowed page size value: 4$/);
    const unlimited = (await ok('listSnapshots', { pagesize: '-1' })) as { snapshot: unknown[] };
    assert.equal(unlimited.snapshot.length, all.count);
  });

  it('filters lists by id, zoneid, virtualmachineid, volumeid, type and tags', async () => {
    const vms = (await ok('listVirtualMachines', { zoneid: S.zones.gva, listall: 'true' })) as { virtualmachine: { name: string; state: string; nic: unknown[] }[] };
    assert.deepEqual(vms.virtualmachine.map((v) => `${v.name}:${v.state}`).sort(), ['app-1:Stopped', 'db-1:Stopped', 'web-1:Running']);
    assert.equal(vms.virtualmachine[0].nic.length, 1);
    const volumes = (await ok('listVolumes', { virtualmachineid: S.webVm })) as { volume: { type: string; size: number; diskofferingname: string; state: string }[] };
    assert.deepEqual(volumes.volume.map((v) => `${v.type}:${v.size / GIB}:${v.diskofferingname}:${v.state}`).sort(), ['DATADISK:100:Large:Ready', 'ROOT:20:Medium:Ready']);
    const chain = (await ok('listSnapshots', { volumeid: S.webDataVolume })) as { snapshot: { id: string; physicalsize: number; virtualsize: number; volumetype: string; intervaltype: string }[] };
    assert.deepEqual(chain.snapshot.map((s) => s.id), S.chainSnapshots);
    assert.deepEqual(chain.snapshot.map((s) => s.physicalsize / MIB), S.chainStoredMiB);
    assert.ok(chain.snapshot.every((s) => s.virtualsize === 100 * GIB && s.volumetype === 'DATADISK' && s.intervaltype === 'MANUAL'));
    const tagged = (await ok('listSnapshots', { 'tags[0].key': 'owner' })) as { snapshot: { id: string; tags: { value: string }[] }[] };
    assert.deepEqual(tagged.snapshot.map((s) => s.id), [S.chainSnapshots[0]]);
    assert.equal(tagged.snapshot[0].tags[0].value, "ops'; DROP TABLE snapshots; --");
    const detached = (await ok('listVolumes', { id: S.detachedVolume })) as { volume: { name: string; virtualmachineid?: string }[] };
    assert.equal(detached.volume[0].name, S.detachedVolumeName);
    assert.equal(detached.volume[0].virtualmachineid, undefined);
    const orphan = (await ok('listSnapshots', { id: S.orphanSnapshot })) as { snapshot: { volumeid: string }[] };
    assert.equal(cs().state.volumes.has(orphan.snapshot[0].volumeid), false);
    const vmSnaps = (await ok('listVMSnapshot', { virtualmachineid: S.dbVm })) as { vmSnapshot: { id: string; type: string; current: boolean; parent?: string; parentName?: string }[] };
    assert.deepEqual(
      vmSnaps.vmSnapshot.map((s) => [s.id, s.type, s.current, s.parent ?? null]),
      [
        [S.dbMemoryVmSnapshot, 'DiskAndMemory', false, null],
        [S.dbDiskVmSnapshot, 'Disk', true, S.dbMemoryVmSnapshot],
      ],
    );
    const templates = (await ok('listTemplates', { templatefilter: 'self' })) as { template: { id: string }[] };
    assert.deepEqual(templates.template.map((t) => t.id), [S.template]);
  });

  // ---- async jobs ------------------------------------------------------------------------------

  it('a job answers jobstatus 0 while it runs and 1 with its result when the clock has passed its end', async () => {
    const started = await ok('createSnapshot', { volumeid: S.webDataVolume, name: 'lifecycle' });
    assert.deepEqual(Object.keys(started).sort(), ['id', 'jobid']);
    const pending = await job(String(started.jobid));
    assert.equal(pending.jobstatus, 0);
    assert.equal(pending.jobresult, undefined);
    assert.equal(pending.cmd, 'org.apache.cloudstack.api.command.user.snapshot.CreateSnapshotCmd');
    const listed = (await ok('listSnapshots', { id: String(started.id) })) as { snapshot: { state: string }[] };
    assert.equal(listed.snapshot[0].state, 'Creating');
    await refused('deleteSnapshot', { id: String(started.id) }, 431, /^Can't delete snapshotshot \S+ due to it is in Creating Status$/);
    const done = await settle(String(started.jobid));
    assert.equal(done.jobresultcode, 0);
    assert.equal(done.jobresulttype, 'object');
    assert.equal(done.jobinstancetype, 'Snapshot');
    assert.equal(done.jobinstanceid, started.id);
    const snapshot = (done.jobresult as { snapshot: { id: string; state: string; name: string } }).snapshot;
    assert.equal(snapshot.id, started.id);
    assert.equal(snapshot.state, 'BackedUp');
    assert.equal(snapshot.name, 'lifecycle');
    const jobs = (await ok('listAsyncJobs')) as { asyncjobs: { jobid: string }[] };
    assert.ok(jobs.asyncjobs.some((j) => j.jobid === started.jobid));
  });

  it('a job set to fail answers 0 to its first N polls, then 2 with the error text; the snapshot ends in Error', async () => {
    cs().failNextJob(3, 'Failed to backup snapshot: secondary storage is full', 'createSnapshot');
    const started = await ok('createSnapshot', { volumeid: S.webDataVolume });
    clock += 60_000;
    for (let poll = 1; poll <= 3; poll++) {
      assert.equal((await job(String(started.jobid))).jobstatus, 0, `poll ${poll}`);
    }
    const failed = await job(String(started.jobid));
    assert.equal(failed.jobstatus, 2);
    assert.equal(failed.jobresultcode, 530);
    assert.deepEqual(failed.jobresult, { errorcode: 530, errortext: 'Failed to backup snapshot: secondary storage is full' });
    const snap = cs().state.snapshots.get(String(started.id));
    assert.ok(snap);
    assert.equal(cs().state.snapshotState(snap), 'Error');
    assert.equal(cs().snapshotFacts(snap.id).physicalBytes[S.zones.gva], 0);
    // The lroFailure fault: the job fails when it would have ended.
    sandbox.setFaults({ next: { lroFailure: 1, actions: ['createVMSnapshot'] } });
    const vmSnap = await ok('createVMSnapshot', { virtualmachineid: S.webVm, snapshotmemory: 'true' });
    clock += 60_000;
    const lro = await job(String(vmSnap.jobid));
    assert.equal(lro.jobstatus, 2);
    assert.equal(cs().state.vmSnapshotState(cs().state.vmSnapshots.get(String(vmSnap.id))!), 'Error');
  });

  // ---- volume snapshots, block model -------------------------------------------------------------

  it('volume snapshots are incremental on NFS (physicalsize = changed blocks) and full on Ceph RBD', async () => {
    const origin = new URL(sandbox.info.cloudstack.endpoint).origin;
    const writes = await fetch(`${origin}/_sandbox/cloudstack/volumes/${S.webDataVolume}/writes`, {
      method: 'POST',
      headers: { [SANDBOX_KEY_HEADER]: sandbox.info.cloudstack.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ mib: 7 }),
    });
    assert.equal(writes.status, 200);
    assert.deepEqual(await writes.json(), { volumeId: S.webDataVolume, changedBytes: 7 * MIB });
    const nowhere = await fetch(`${origin}/_sandbox/cloudstack/volumes/no-such-volume/writes`, {
      method: 'POST',
      headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ mib: 1 }),
    });
    assert.equal(nowhere.status, 404);
    const started = await ok('createSnapshot', { volumeid: S.webDataVolume });
    const snapshot = ((await settle(String(started.jobid))).jobresult as { snapshot: { physicalsize: number; virtualsize: number; parent: string } }).snapshot;
    // 10 MiB written after the seeded chain, 7 MiB now: only those blocks are stored.
    assert.equal(snapshot.physicalsize, 17 * MIB);
    assert.equal(snapshot.virtualsize, 100 * GIB);
    assert.equal(snapshot.parent, S.chainSnapshots[2]);
    assert.equal(cs().snapshotFacts(String(started.id)).physicalBytes[S.zones.gva], 17 * MIB);

    cs().writeMiB(S.filesDataVolume, 4);
    const rbd = await ok('createSnapshot', { volumeid: S.filesDataVolume });
    const full = ((await settle(String(rbd.jobid))).jobresult as { snapshot: { physicalsize: number; revertable: boolean; parent?: string } }).snapshot;
    assert.equal(full.physicalsize, (100 + 16 + 4) * MIB, 'every block the volume holds');
    assert.equal(full.revertable, false);
    assert.equal(full.parent, undefined);

    // snapshot.delta.max: after that many deltas the next is full again.
    cs().state.deltaMax = 1;
    const again = await ok('createSnapshot', { volumeid: S.webDataVolume });
    await settle(String(again.jobid));
    assert.equal(cs().snapshotFacts(String(again.id)).full, true);
    assert.equal(cs().snapshotFacts(String(again.id)).physicalBytes[S.zones.gva], cs().snapshotFacts(String(again.id)).fullBytes);
  });

  it('deleting a snapshot is refused while a volume is being made from it, then hands its blocks to the next one', async () => {
    const created = await ok('createVolume', { snapshotid: S.appDataSnapshot, zoneid: S.zones.gva, name: 'restored' });
    const body = await refused('deleteSnapshot', { id: S.appDataSnapshot }, 536, /being used by a running createVolume job/);
    assert.equal(body.cserrorcode, 4375);
    const volume = ((await settle(String(created.jobid))).jobresult as { volume: { id: string; state: string; size: number; type: string } }).volume;
    assert.equal(volume.state, 'Ready');
    assert.equal(volume.type, 'DATADISK');
    assert.equal(volume.size, 10 * GIB);
    assert.deepEqual(cs().state.blocks.getDisk(volume.id)?.blocks, cs().state.blocks.getSnapshot(cs().state.snapshots.get(S.appDataSnapshot)!.copies[0].blockId)?.full);

    const second = S.chainSnapshots[1];
    const before = cs().snapshotFacts(S.chainSnapshots[2]).physicalBytes[S.zones.gva];
    const impact = cs().snapshotFacts(second).deleteImpact;
    const deleting = await ok('deleteSnapshot', { id: second });
    assert.deepEqual((await settle(String(deleting.jobid))).jobresult, { success: true });
    assert.equal(cs().state.snapshots.has(second), false);
    const moved = impact?.moved.reduce((sum, m) => sum + m.bytes, 0) ?? 0;
    assert.ok(moved > 0);
    assert.equal(cs().snapshotFacts(S.chainSnapshots[2]).physicalBytes[S.zones.gva], before + moved);
    assert.equal(cs().snapshotFacts(S.chainSnapshots[2]).parentId, S.chainSnapshots[0]);
  });

  it('revertSnapshot needs a stopped VM without VM snapshots on storage that supports it, and restores the data', async () => {
    await refused('revertSnapshot', { id: S.chainSnapshots[2] }, 431, /^The VM the specified disk is attached to is not in the shutdown state\.$/);
    await refused('revertSnapshot', { id: S.filesSnapshots[1] }, 431, /not in the shutdown state/);
    const stopping = await ok('stopVirtualMachine', { id: S.filesVm });
    assert.equal(cs().state.vmState(cs().state.vms.get(S.filesVm)!), 'Stopping');
    await settle(String(stopping.jobid));
    await refused('revertSnapshot', { id: S.filesSnapshots[1] }, 431, /not supported for the primary storage/);
    await refused('revertSnapshot', { id: S.dbDataSnapshot }, 431, /^Unable to revert snapshot for VM, please remove VM snapshots before reverting VM from snapshot$/);
    const snapBlocks = cs().state.blocks.getSnapshot(cs().state.snapshots.get(S.appDataSnapshot)!.copies[0].blockId)!.full;
    assert.notDeepEqual(cs().state.blocks.getDisk(S.appDataVolume)?.blocks, snapBlocks, 'written since the snapshot');
    const started = await ok('revertSnapshot', { id: S.appDataSnapshot });
    await settle(String(started.jobid));
    assert.deepEqual(cs().state.blocks.getDisk(S.appDataVolume)?.blocks, snapBlocks);
  });

  it('createVolume from a snapshot with a custom-size offering takes the size asked, never below the snapshot', async () => {
    await refused('createVolume', { snapshotid: S.appDataSnapshot, diskofferingid: S.diskOfferings.custom, size: '5' }, 431, /cannot be smaller than the snapshot/);
    const made = await ok('createVolume', { snapshotid: S.appDataSnapshot, diskofferingid: S.diskOfferings.custom, size: '12', name: 'bigger' });
    const volume = ((await settle(String(made.jobid))).jobresult as { volume: { size: number; diskofferingname: string } }).volume;
    assert.deepEqual([volume.size, volume.diskofferingname], [12 * GIB, 'Custom']);
  });

  it('copySnapshot adds a zone copy: listed once per zone, and a volume can be made from it there', async () => {
    const started = await ok('copySnapshot', { id: S.appDataSnapshot, destzoneids: S.zones.zrh });
    await settle(String(started.jobid));
    const listed = (await ok('listSnapshots', { id: S.appDataSnapshot })) as { count: number; snapshot: { zoneid: string; physicalsize: number }[] };
    assert.deepEqual(listed.snapshot.map((s) => s.zoneid).sort(), [S.zones.gva, S.zones.zrh].sort());
    assert.equal((await ok('listSnapshots', { id: S.appDataSnapshot, zoneid: S.zones.zrh })).count, 1);
    await refused('copySnapshot', { id: S.appDataSnapshot, destzoneid: S.zones.zrh }, 431, /already exists in zone zrh-1/);
    const volume = await ok('createVolume', { snapshotid: S.appDataSnapshot, zoneid: S.zones.zrh });
    await settle(String(volume.jobid));
    assert.equal(cs().state.volumes.get(String(volume.id))?.zoneId, S.zones.zrh);
  });

  // ---- VM snapshots --------------------------------------------------------------------------------

  it('a VM snapshot with memory needs a running VM; a new one is parented on the current one and becomes current', async () => {
    await refused('createVMSnapshot', { virtualmachineid: S.appVm, snapshotmemory: 'true' }, 431, /^Can not snapshot memory when VM is not in Running state$/);
    await refused('createVMSnapshot', { virtualmachineid: S.webVm }, 431, /^KVM VM does not allow to take a disk-only snapshot when VM is in running state$/);
    await refused('createVMSnapshot', { virtualmachineid: S.webVm, snapshotmemory: 'true', name: 'web-1-pre-upgrade' }, 431, /^Creating VM snapshot failed due to VM snapshot with nameweb-1-pre-upgrade {2}already exists$/);
    const started = await ok('createVMSnapshot', { virtualmachineid: S.webVm, snapshotmemory: 'true', name: 'web-1-second' });
    const result = ((await settle(String(started.jobid))).jobresult as { vmsnapshot: { name: string; displayname: string; type: string; current: boolean; parent: string; parentName: string; state: string } }).vmsnapshot;
    assert.deepEqual([result.type, result.current, result.parent, result.parentName, result.state], ['DiskAndMemory', true, S.webVmSnapshot, 'web-1-pre-upgrade', 'Ready']);
    assert.equal(result.displayname, 'web-1-second');
    assert.match(result.name, /^web-1_VS_\d{14}$/);
    assert.equal(cs().state.vmSnapshots.get(S.webVmSnapshot)?.current, false);
    // Primary storage: VM snapshots add nothing to the volume snapshots' figures.
    assert.equal(cs().snapshotFacts(S.chainSnapshots[2]).physicalBytes[S.zones.gva], S.chainStoredMiB[2] * MIB);
    const disk = await ok('createVMSnapshot', { virtualmachineid: S.appVm });
    const diskOnly = ((await settle(String(disk.jobid))).jobresult as { vmsnapshot: { type: string; parent?: string } }).vmsnapshot;
    assert.equal(diskOnly.type, 'Disk');
    assert.equal(diskOnly.parent, undefined);
  });

  it('revertToVMSnapshot: a running VM to a snapshot with memory stays Running, a stopped one to a disk-only snapshot stays Stopped', async () => {
    cs().writeMiB(S.webRootVolume, 5);
    const running = await ok('revertToVMSnapshot', { vmsnapshotid: S.webVmSnapshot });
    assert.equal(cs().state.vmSnapshotState(cs().state.vmSnapshots.get(S.webVmSnapshot)!), 'Reverting');
    const vm = ((await settle(String(running.jobid))).jobresult as { virtualmachine: { id: string; state: string } }).virtualmachine;
    assert.deepEqual([vm.id, vm.state], [S.webVm, 'Running']);
    const vmSnap = cs().state.vmSnapshots.get(S.webVmSnapshot)!;
    const rootCopy = vmSnap.volumes.find((v) => v.volumeId === S.webRootVolume)!;
    assert.deepEqual(cs().state.blocks.getDisk(S.webRootVolume)?.blocks, cs().state.blocks.getSnapshot(rootCopy.blockId)?.full);

    await refused('revertToVMSnapshot', { vmsnapshotid: S.dbMemoryVmSnapshot }, 431, /^VM Snapshot revert not allowed/);
    const stopped = await ok('revertToVMSnapshot', { vmsnapshotid: S.dbDiskVmSnapshot });
    const db = ((await settle(String(stopped.jobid))).jobresult as { virtualmachine: { state: string } }).virtualmachine;
    assert.equal(db.state, 'Stopped');

    // Deleting the current one makes its parent current.
    const deleting = await ok('deleteVMSnapshot', { vmsnapshotid: S.dbDiskVmSnapshot });
    await settle(String(deleting.jobid));
    assert.equal(cs().state.vmSnapshots.has(S.dbDiskVmSnapshot), false);
    assert.equal(cs().state.vmSnapshots.get(S.dbMemoryVmSnapshot)?.current, true);
  });

  it('createSnapshotFromVMSnapshot makes a full volume snapshot of the volume as the VM snapshot holds it', async () => {
    const started = await ok('createSnapshotFromVMSnapshot', { vmsnapshotid: S.dbDiskVmSnapshot, volumeid: S.dbDataVolume });
    const snapshot = ((await settle(String(started.jobid))).jobresult as { snapshot: { volumeid: string; physicalsize: number; revertable: boolean } }).snapshot;
    assert.equal(snapshot.volumeid, S.dbDataVolume);
    assert.equal(snapshot.physicalsize, (500 + 30) * MIB);
    assert.equal(snapshot.revertable, false);
  });

  // ---- templates ---------------------------------------------------------------------------------------

  it('templates: CloudStack makes one from any BackedUp snapshot (a DATADISK one too), and refuses a running VM’s volume (530)', async () => {
    const body = await refused('createTemplate', { volumeid: S.webRootVolume, name: 'x', ostypeid: S.osTypes.ubuntu }, 530, /^Unable to create private template for volume: web-1-root; volume is attached to a non-stopped VM, please stop the VM first$/);
    assert.equal(body.cserrorcode, 4250);
    await refused('createTemplate', { name: 'x', ostypeid: S.osTypes.ubuntu }, 431, /^Failed to create private template record, neither volume ID nor snapshot ID were specified\.$/);
    // TemplateManagerImpl's DATADISK check is commented out: the API makes the template (Snapkeeper's adapter refuses it itself).
    const fromData = await ok('createTemplate', { snapshotid: S.chainSnapshots[0], name: 'from-data', ostypeid: S.osTypes.ubuntu });
    await settle(String(fromData.jobid));
    assert.equal(cs().templates().find((t) => t.id === fromData.id)?.sourceSnapshotId, S.chainSnapshots[0]);
    const fromSnapshot = await ok('createTemplate', { snapshotid: S.webRootSnapshot, name: 'golden-2', displaytext: 'Golden 2', ostypeid: S.osTypes.ubuntu });
    const template = ((await settle(String(fromSnapshot.jobid))).jobresult as { template: { isready: boolean; ispublic: boolean; isfeatured: boolean; size: number } }).template;
    assert.deepEqual([template.isready, template.ispublic, template.isfeatured, template.size], [true, false, false, 20 * GIB]);
    const fromVolume = await ok('createTemplate', { volumeid: S.appRootVolume, name: 'app-golden', ostypeid: S.osTypes.rocky });
    await settle(String(fromVolume.jobid));
    assert.equal(cs().templates().length, 4);
    const deleting = await ok('deleteTemplate', { id: String(fromVolume.id) });
    await settle(String(deleting.jobid));
    assert.equal(cs().templates().length, 3);
  });

  // ---- tags, policies ----------------------------------------------------------------------------------

  it('createTags / deleteTags are jobs; listTags and the tags filter see the result', async () => {
    const created = await ok('createTags', { resourcetype: 'Snapshot', resourceids: S.appDataSnapshot, 'tags[0].key': 'env', 'tags[0].value': '<b>prod</b>' });
    assert.deepEqual((await settle(String(created.jobid))).jobresult, { success: true });
    const tags = (await ok('listTags', { resourceid: S.appDataSnapshot })) as { tag: { key: string; value: string; resourcetype: string }[] };
    assert.deepEqual(tags.tag.map((t) => [t.key, t.value, t.resourcetype]), [['env', '<b>prod</b>', 'Snapshot']]);
    await refused('createTags', { resourcetype: 'Snapshot', resourceids: 'nope', 'tags[0].key': 'a', 'tags[0].value': 'b' }, 431, /Unable to find resource by id nope/);
    const deleted = await ok('deleteTags', { resourcetype: 'Snapshot', resourceids: S.appDataSnapshot, 'tags[0].key': 'env' });
    await settle(String(deleted.jobid));
    assert.deepEqual(await ok('listTags', { resourceid: S.appDataSnapshot }), {});
  });

  it('snapshot policies are stored with CloudStack’s shapes (they do not run)', async () => {
    const created = (await ok('createSnapshotPolicy', { volumeid: S.appDataVolume, intervaltype: 'WEEKLY', schedule: '00:03:7', timezone: 'UTC', maxsnaps: '4' })) as {
      snapshotpolicy: { id: string; intervaltype: number; schedule: string; maxsnaps: number };
    };
    assert.deepEqual([created.snapshotpolicy.intervaltype, created.snapshotpolicy.schedule, created.snapshotpolicy.maxsnaps], [2, '00:03:7', 4]);
    await refused('createSnapshotPolicy', { volumeid: S.appDataVolume, intervaltype: 'DAILY', schedule: '99:99', timezone: 'UTC', maxsnaps: '4' }, 431, /Invalid schedule/);
    const listed = (await ok('listSnapshotPolicies', { volumeid: S.appDataVolume })) as { count: number };
    assert.equal(listed.count, 1);
    assert.deepEqual(await ok('deleteSnapshotPolicies', { id: created.snapshotpolicy.id }), { success: true });
    assert.deepEqual(await ok('listSnapshotPolicies', { volumeid: S.appDataVolume }), {});
  });

  // ---- faults -------------------------------------------------------------------------------------------

  it('faults: throttling 429, server errors 530, a zone fault, resets before and after acting, a truncated body', async () => {
    sandbox.setFaults({ next: { throttle: 1, serverError: 1 } });
    const throttled = await call('listZones');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.listzonesresponse.cserrorcode, 4545);
    assert.equal((await call('listZones')).status, 530);
    sandbox.setFaults({ regions: { 'zrh-1': { code: 'ResourceUnavailable', message: 'Zone zrh-1 is unavailable', status: 534 } } });
    assert.equal((await call('listVolumes', { zoneid: S.zones.gva })).status, 200);
    const zone = await call('listVolumes', { zoneid: S.zones.zrh });
    assert.equal(zone.status, 534);
    // A reset before acting changes nothing; one after acting leaves the snapshot made, unanswered.
    const before = cs().snapshots().length;
    sandbox.setFaults({ next: { drop: 1, actions: ['createSnapshot'] } });
    await assert.rejects(call('createSnapshot', { volumeid: S.appDataVolume }));
    assert.equal(cs().snapshots().length, before);
    sandbox.setFaults({ next: { dropAfterCommit: 1, actions: ['createSnapshot'] } });
    await assert.rejects(call('createSnapshot', { volumeid: S.appDataVolume, name: 'made-unanswered' }));
    assert.equal(cs().snapshots().filter((s) => s.name === 'made-unanswered').length, 1);
    sandbox.setFaults({ next: { malformed: 1 } });
    const cut = await fetch(`${sandbox.info.cloudstack.endpoint}?${signedQuery({ command: 'listZones', response: 'json', apiKey: sandbox.info.cloudstack.apiKey }, sandbox.info.cloudstack.secretKey)}`);
    const text = await cut.text();
    assert.equal(cut.status, 200);
    assert.throws(() => JSON.parse(text) as unknown);
  });

  // ---- control, persistence, reset, CLI ---------------------------------------------------------------

  it('the control API takes the sandbox key or the CloudStack API key, and refuses others', async () => {
    const origin = new URL(sandbox.info.cloudstack.endpoint).origin;
    const put = (key: string) =>
      fetch(`${origin}/_sandbox/cloudstack/page-size`, { method: 'PUT', headers: { [SANDBOX_KEY_HEADER]: key, 'content-type': 'application/json' }, body: JSON.stringify({ pageSize: 7 }) });
    assert.equal((await put('wrong')).status, 403);
    assert.equal((await put(SANDBOX_KEY)).status, 200);
    assert.equal(cs().state.pageSize, 7);
    const facts = await fetch(`${origin}/_sandbox/cloudstack/snapshots/${S.chainSnapshots[1]}`, { headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY } });
    assert.equal(((await facts.json()) as { physicalBytes: Record<string, number> }).physicalBytes[S.zones.gva], 50 * MIB);
    const failing = await fetch(`${origin}/_sandbox/cloudstack/fail-next-job`, {
      method: 'POST',
      headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ afterPolls: 2, errortext: 'boom' }),
    });
    assert.equal(failing.status, 200);
    assert.deepEqual(cs().state.plannedFailure, { afterPolls: 2, errortext: 'boom' });
    const summary = (await (await fetch(`${origin}/_sandbox/state-summary`, { headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY } })).json()) as { cloudstack: { vms: number; pageSize: number } };
    assert.deepEqual([summary.cloudstack.vms, summary.cloudstack.pageSize], [4, 7]);
  });

  it('the state file keeps snapshots, jobs and settings; reset brings the seeded estate back, or an empty account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-cs-'));
    const statePath = join(dir, 'state.json');
    try {
      const first = await startSandbox({ statePath, now: () => clock, clouds: { cloudstack: { timing: { snapshotBaseMs: 0, snapshotMaxMs: 0, snapshotMsPerGiB: 0 } } } });
      first.clouds.cloudstack.writeMiB(S.webDataVolume, 3);
      const { snapshot, job: started } = first.clouds.cloudstack.state.createSnapshot(S.webDataVolume, { name: 'kept' });
      first.clouds.cloudstack.setClockSkew(1234);
      await first.close();
      const second = await startSandbox({ statePath, now: () => clock });
      try {
        const kept = second.clouds.cloudstack.snapshots().find((s) => s.id === snapshot.id);
        assert.equal(kept?.name, 'kept');
        assert.equal(second.clouds.cloudstack.snapshotFacts(snapshot.id).physicalBytes[S.zones.gva], 13 * MIB);
        assert.equal(second.clouds.cloudstack.jobs().find((j) => j.id === started.id)?.status, 1);
        assert.equal(second.clouds.cloudstack.state.clockSkewMs, 1234);
        second.clouds.cloudstack.reset();
        assert.equal(second.clouds.cloudstack.snapshots().some((s) => s.id === snapshot.id), false);
        assert.equal(second.clouds.cloudstack.state.snapshots.has(S.chainSnapshots[0]), true);
        second.clouds.cloudstack.reset(false);
        assert.deepEqual(second.clouds.cloudstack.counts(), { zones: 2, vms: 0, volumes: 0, snapshots: 0, vmSnapshots: 0, templates: 0, jobs: 0, snapshotPolicies: 0 });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('benchmark estates: zones with bulk snapshots, listed page by page with their count', async () => {
    const origin = new URL(sandbox.info.cloudstack.endpoint).origin;
    const answer = await fetch(`${origin}/_sandbox/cloudstack/zones`, {
      method: 'POST',
      headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ count: 5, snapshotsEach: 1000 }),
    });
    const { zoneIds } = (await answer.json()) as { zoneIds: string[] };
    assert.equal(zoneIds.length, 5);
    assert.equal(((await ok('listZones')) as { count: number }).count, 5);
    const bench = zoneIds[4];
    const first = (await ok('listSnapshots', { zoneid: bench, page: '1', pagesize: '500' })) as { count: number; snapshot: { physicalsize: number; parent?: string }[] };
    assert.equal(first.count, 1000);
    assert.equal(first.snapshot.length, 500);
    assert.equal(first.snapshot[0].physicalsize, 8 * MIB, 'the first stores the volume’s data');
    assert.equal(first.snapshot[1].physicalsize, 0, 'nothing written between bulk snapshots');
    assert.ok(first.snapshot[1].parent);
    const ids = cs().bulkSnapshots(S.detachedVolume, 3);
    assert.equal(ids.length, 3);
    assert.deepEqual(cs().snapshotFacts(ids[2]).parentId, ids[1]);
  });

  it('the command line prints endpoint, API key and secret key', () => {
    const info = sandbox.info.cloudstack;
    assert.deepEqual(backend.cliJson(info), { endpoint: info.endpoint, apiKey: info.apiKey, secretKey: info.secretKey });
    assert.match(info.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/client\/api$/);
    assert.ok(backend.cliText(info).some((line) => line.includes(info.secretKey)));
  });
});
