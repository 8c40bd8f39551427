/**
 * The Google Cloud sandbox over raw HTTP (fetch): bearer check, Compute Engine v1 shapes and
 * errors, aggregated lists and paging, operations and wait, requestId deduplication, block
 * accounting (storageBytes), archive snapshots, machine images, instance power and disk swaps,
 * faults and persistence; plus a smoke test through the real @google-cloud/compute client.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { GCP_SEEDED } from '../../src/sandbox/gcp/backend';

const MiB = 1024 * 1024;
const FAST = {
  operationMs: 80,
  diskMs: 80,
  snapshotBaseMs: 150,
  snapshotMsPerGiB: 0,
  snapshotMaxMs: 150,
  instanceMs: 200,
  imageMs: 100,
  machineImageMs: 150,
  deleteMs: 80,
  waitMaxMs: 2000,
};
const DEV = GCP_SEEDED.devProject;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

type AnyJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Reply {
  status: number;
  headers: Headers;
  json: AnyJson;
}

let sandbox: Sandbox;

function url(path: string): string {
  return path.startsWith('http') ? path : `${sandbox.info.gcp.endpoint}/compute/v1/${path.replace(/^\//, '')}`;
}

async function call(method: string, path: string, body?: unknown, token: string | null = sandbox.info.gcp.accessToken): Promise<Reply> {
  const response = await fetch(url(path), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as AnyJson) : {} };
}

const get = (path: string) => call('GET', path);
const post = (path: string, body?: unknown) => call('POST', path, body ?? {});

/** Waits (operations.wait, repeated) until the operation is DONE. */
async function done(op: AnyJson): Promise<AnyJson> {
  let current = op;
  for (let i = 0; i < 20 && current.status !== 'DONE'; i++) {
    const reply = await post(`${current.selfLink as string}/wait`);
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    current = reply.json;
  }
  assert.equal(current.status, 'DONE');
  return current;
}

async function mutate(method: string, path: string, body?: unknown): Promise<AnyJson> {
  const reply = await call(method, path, body);
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  assert.equal(reply.json.kind, 'compute#operation');
  const finished = await done(reply.json);
  assert.equal(finished.error, undefined, JSON.stringify(finished.error));
  return finished;
}

function uuid(): string {
  return crypto.randomUUID();
}

async function control(method: string, path: string, body?: unknown): Promise<AnyJson> {
  const response = await fetch(`${sandbox.info.gcp.endpoint}${path}`, {
    method,
    headers: { 'x-snapkeeper-sandbox-key': sandbox.info.aws.accessKeyId, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as AnyJson;
}

/** A fresh empty zonal disk (10 GB), READY. */
async function newDisk(name: string, zone = 'us-central1-a'): Promise<string> {
  await mutate('POST', `projects/${DEV}/zones/${zone}/disks`, { name, sizeGb: '10', type: `zones/${zone}/diskTypes/pd-balanced` });
  return `projects/${DEV}/zones/${zone}/disks/${name}`;
}

describe('GCP sandbox (Compute Engine v1 REST)', function () {
  this.timeout(20000);

  before(async () => {
    sandbox = await startSandbox({ clouds: { gcp: { timing: FAST } } });
  });

  after(async () => {
    await sandbox.close();
  });

  beforeEach(() => {
    sandbox.clouds.gcp.reset();
    sandbox.setFaults({});
  });

  it('reports info.gcp and answers 401 with Google’s body without the sandbox token', async () => {
    const { gcp } = sandbox.info;
    assert.equal(gcp.apiEndpoint, '127.0.0.1');
    assert.equal(gcp.protocol, 'http');
    assert.equal(gcp.endpoint, `http://127.0.0.1:${gcp.port}`);
    assert.deepEqual(gcp.projects, ['snapkeeper-dev', 'snapkeeper-prod']);
    for (const token of [null, 'ya29.wrong']) {
      const reply = await call('GET', `projects/${DEV}/global/snapshots`, undefined, token);
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error.code, 401);
      assert.equal(reply.json.error.status, 'UNAUTHENTICATED');
      assert.match(reply.json.error.message, /^Request had invalid authentication credentials\./);
      assert.equal(reply.json.error.errors[0].reason, 'authError');
      assert.equal(reply.json.error.errors[0].domain, 'global');
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
    }
  });

  it('lists zones and regions, and 404s unknown projects', async () => {
    const zones = await get(`projects/${DEV}/zones`);
    assert.equal(zones.json.kind, 'compute#zoneList');
    const names = (zones.json.items as AnyJson[]).map((z) => z.name);
    for (const zone of ['us-central1-a', 'us-central1-b', 'us-central1-f', 'europe-west1-b', 'asia-east1-a']) {
      assert.ok(names.includes(zone), zone);
    }
    assert.match(zones.json.items[0].region, /\/compute\/v1\/projects\/snapkeeper-dev\/regions\//);
    const regions = await get(`projects/${DEV}/regions`);
    assert.ok((regions.json.items as AnyJson[]).some((r) => r.name === 'us-central1' && r.zones.length === 4));
    const missing = await get('projects/nobody/zones');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.message, "The resource 'projects/nobody' was not found");
  });

  // Discovery document: maxResults "Acceptable values are `0` to `500`, inclusive. (Default: `500`)".
  it('takes maxResults 0–500 (0: the default page) and refuses anything else with 400 invalid', async () => {
    const all = await get(`projects/${DEV}/global/snapshots`);
    const count = (all.json.items as AnyJson[]).length;
    for (const size of ['0', '500']) {
      const page = await get(`projects/${DEV}/global/snapshots?maxResults=${size}`);
      assert.equal(page.status, 200, size);
      assert.equal((page.json.items as AnyJson[]).length, count, size);
      assert.equal(page.json.nextPageToken, undefined, size);
    }
    for (const size of ['501', '1000', '-1', 'ten', '2.5']) {
      for (const path of [`projects/${DEV}/global/snapshots`, `projects/${DEV}/aggregated/disks`]) {
        const refused = await get(`${path}?maxResults=${size}`);
        assert.equal(refused.status, 400, `${path} maxResults=${size}`);
        assert.equal(refused.json.error.errors[0].reason, 'invalid');
        assert.match(refused.json.error.message, /^Invalid value for field 'maxResults'/);
      }
    }
  });

  it('pages aggregated lists with NO_RESULTS_ON_PAGE warnings for empty scopes', async () => {
    const seen: string[] = [];
    const warned: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const reply = await get(`projects/${DEV}/aggregated/disks?maxResults=3${token ? `&pageToken=${token}` : ''}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.kind, 'compute#diskAggregatedList');
      let onPage = 0;
      for (const [scope, scoped] of Object.entries(reply.json.items as Record<string, AnyJson>)) {
        assert.match(scope, /^(zones|regions)\//);
        if (scoped.warning) {
          assert.deepEqual(scoped.warning, {
            code: 'NO_RESULTS_ON_PAGE',
            message: `There are no results for scope '${scope}' on this page.`,
            data: [{ key: 'scope', value: scope }],
          });
          warned.push(scope);
        } else {
          for (const d of scoped.disks as AnyJson[]) {
            seen.push(d.selfLink as string);
            onPage++;
          }
        }
      }
      assert.ok(onPage <= 3);
      token = reply.json.nextPageToken;
      pages++;
    } while (token && pages < 20);
    const all = [...sandbox.clouds.gcp.state.disks.values()].filter((d) => d.project === DEV).length;
    assert.equal(seen.length, all);
    assert.equal(new Set(seen).size, all);
    assert.ok(pages >= Math.ceil(all / 3));
    assert.ok(warned.includes('zones/asia-east1-a'));
    assert.ok(warned.includes('regions/europe-west1'));
    assert.equal(new Set(warned).size, warned.length, 'each empty scope is reported once');
    const instances = await get(`projects/${DEV}/aggregated/instances`);
    assert.equal(instances.json.items['zones/us-central1-a'].instances[0].name, 'web-1');
    const bad = await get(`projects/${DEV}/aggregated/disks?pageToken=garbage`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.errors[0].reason, 'invalid');
  });

  it('writes int64 fields as strings, RFC 3339 timestamps and absolute selfLinks', async () => {
    const disk = (await get(GCP_SEEDED.chainDisk)).json;
    assert.equal(disk.kind, 'compute#disk');
    assert.equal(disk.sizeGb, '100');
    assert.match(disk.id, /^[1-9]\d{18}$/);
    assert.equal(disk.physicalBlockSizeBytes, '4096');
    assert.match(disk.creationTimestamp, RFC3339);
    assert.equal(disk.selfLink, url(GCP_SEEDED.chainDisk));
    assert.equal(disk.users[0], url(GCP_SEEDED.webInstance));
    assert.deepEqual(disk.resourcePolicies, [url(GCP_SEEDED.resourcePolicy)]);
    assert.match(disk.type, /\/zones\/us-central1-a\/diskTypes\/pd-ssd$/);
    const snap = (await get(GCP_SEEDED.chainSnapshots[0])).json;
    assert.equal(snap.storageBytes, String(200 * MiB));
    assert.equal(snap.diskSizeGb, '100');
    assert.equal(snap.sourceDiskId, disk.id);
    assert.equal(typeof snap.id, 'string');
    const regional = (await get(GCP_SEEDED.regionalDisk)).json;
    assert.equal(regional.replicaZones.length, 2);
    assert.match(regional.region, /\/regions\/us-central1$/);
    const vm = (await get(GCP_SEEDED.webInstance)).json;
    assert.equal(vm.kind, 'compute#instance');
    assert.equal(vm.status, 'RUNNING');
    assert.match(vm.machineType, /\/machineTypes\/e2-medium$/);
    assert.deepEqual(
      vm.disks.map((d: AnyJson) => [d.deviceName, d.boot, d.index, d.type, d.diskSizeGb]),
      [
        ['web-1', true, 0, 'PERSISTENT', '20'],
        ['data', false, 1, 'PERSISTENT', '100'],
      ],
    );
  });

  it('createSnapshot answers a zone operation that wait follows to DONE', async () => {
    sandbox.clouds.gcp.writeMiB(GCP_SEEDED.chainDisk, 5);
    const reply = await post(`${GCP_SEEDED.chainDisk}/createSnapshot`, { name: 'snap-new', labels: { by: 'test' } });
    assert.equal(reply.status, 200);
    const op = reply.json;
    assert.equal(op.kind, 'compute#operation');
    assert.match(op.name, /^operation-\d+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/);
    assert.equal(op.operationType, 'createSnapshot');
    assert.equal(op.targetLink, url(GCP_SEEDED.chainDisk));
    assert.equal(op.zone, url(`projects/${DEV}/zones/us-central1-a`));
    assert.ok(['PENDING', 'RUNNING'].includes(op.status));
    assert.match(op.id, /^\d+$/);
    assert.match(op.insertTime, RFC3339);
    const during = (await get(`projects/${DEV}/global/snapshots/snap-new`)).json;
    assert.ok(['CREATING', 'UPLOADING'].includes(during.status));
    assert.equal(during.storageBytesStatus, 'UPDATING');
    const finished = await done(op);
    assert.equal(finished.progress, 100);
    assert.match(finished.endTime, RFC3339);
    assert.equal(finished.error, undefined);
    const snap = (await get(`projects/${DEV}/global/snapshots/snap-new`)).json;
    assert.equal(snap.status, 'READY');
    assert.equal(snap.storageBytesStatus, 'UP_TO_DATE');
    assert.equal(snap.storageBytes, String(15 * MiB), 'the 10 MiB written since snap-3 and the 5 written now');
    assert.deepEqual(snap.storageLocations, ['us']);
    assert.equal(snap.snapshotType, 'STANDARD');
    assert.deepEqual(snap.labels, { by: 'test' });
    const byId = await get(`projects/${DEV}/zones/us-central1-a/operations/${op.id}`);
    assert.equal(byId.json.name, op.name, 'operations are found by numeric id too (the SDK waits by id)');
    const listed = await get(`projects/${DEV}/zones/us-central1-a/operations`);
    assert.ok((listed.json.items as AnyJson[]).some((o) => o.name === op.name));
  });

  it('reports a failed operation as DONE with an error (HTTP 200)', async () => {
    const clash = await post(`${GCP_SEEDED.chainDisk}/createSnapshot`, { name: 'web-1-data-snap-1' });
    assert.equal(clash.status, 200);
    const failed = await done(clash.json);
    assert.deepEqual(failed.error, {
      errors: [{ code: 'RESOURCE_ALREADY_EXISTS', message: `The resource 'projects/${DEV}/global/snapshots/web-1-data-snap-1' already exists` }],
    });
    assert.equal(failed.httpErrorStatusCode, 409);
    assert.equal(failed.httpErrorMessage, 'CONFLICT');

    sandbox.setFaults({ next: { lroFailure: 1, actions: ['compute.disks.createSnapshot'] } });
    const injected = await post(`${GCP_SEEDED.chainDisk}/createSnapshot`, { name: 'doomed' });
    assert.equal(injected.status, 200);
    assert.equal(injected.json.error, undefined, 'no error before DONE');
    const end = await done(injected.json);
    assert.equal(end.error.errors[0].code, 'INTERNAL_ERROR');
    assert.equal(end.httpErrorStatusCode, 500);
    assert.equal((await get(`projects/${DEV}/global/snapshots/doomed`)).json.status, 'FAILED');
  });

  it('deduplicates mutations by requestId: the same operation, one snapshot', async () => {
    const requestId = uuid();
    const path = `${GCP_SEEDED.chainDisk}/createSnapshot?requestId=${requestId}`;
    const first = await post(path, { name: 'once' });
    const second = await post(path, { name: 'once' });
    const third = await post(path, { name: 'other-name' });
    assert.equal(first.status, 200);
    assert.equal(second.json.name, first.json.name);
    assert.equal(third.json.name, first.json.name);
    assert.equal(first.json.clientOperationId, requestId);
    await done(second.json);
    const again = await post(path, { name: 'once' });
    assert.equal(again.json.name, first.json.name);
    assert.equal(again.json.status, 'DONE', 'a repeat after completion answers the finished operation');
    const onDisk = (await get(`projects/${DEV}/global/snapshots?filter=${encodeURIComponent(`sourceDisk = "${url(GCP_SEEDED.chainDisk)}"`)}`)).json.items as AnyJson[];
    assert.deepEqual(onDisk.map((s) => s.name).sort(), ['once', 'web-1-data-snap-1', 'web-1-data-snap-2', 'web-1-data-snap-3']);
    assert.equal((await get(`projects/${DEV}/global/snapshots/other-name`)).status, 404);

    // A create whose answer was lost (dropAfterCommit) is retried safely with the same id.
    sandbox.setFaults({ next: { dropAfterCommit: 1, actions: ['compute.disks.insert'] } });
    const insertId = uuid();
    const insertPath = `projects/${DEV}/zones/us-central1-a/disks?requestId=${insertId}`;
    await assert.rejects(post(insertPath, { name: 'retried', sizeGb: '10' }));
    const retry = await post(insertPath, { name: 'retried', sizeGb: '10' });
    assert.equal(retry.status, 200, JSON.stringify(retry.json));
    assert.equal(retry.json.operationType, 'insert');
    assert.equal((await get(`projects/${DEV}/zones/us-central1-a/disks/retried`)).status, 200);
    const withoutId = await post(`projects/${DEV}/zones/us-central1-a/disks`, { name: 'retried', sizeGb: '10' });
    assert.equal(withoutId.status, 409);

    const bad = await post(`${GCP_SEEDED.chainDisk}/createSnapshot?requestId=not-a-uuid`, { name: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.errors[0].reason, 'invalid');
  });

  it('storageBytes is the real incremental size; deleting a snapshot moves its blocks to the next', async () => {
    const disk = await newDisk('chain-test');
    sandbox.clouds.gcp.writeMiB(disk, 50);
    await mutate('POST', `${disk}/createSnapshot`, { name: 'chain-a' });
    sandbox.clouds.gcp.writeMiB(disk, 30);
    await mutate('POST', `${disk}/createSnapshot`, { name: 'chain-b' });
    const a = (await get(`projects/${DEV}/global/snapshots/chain-a`)).json;
    const b = (await get(`projects/${DEV}/global/snapshots/chain-b`)).json;
    assert.equal(a.storageBytes, String(50 * MiB));
    assert.equal(b.storageBytes, String(30 * MiB));
    const impact = sandbox.clouds.gcp.deleteImpact(`projects/${DEV}/global/snapshots/chain-a`);
    const facts = await control('GET', `/_sandbox/gcp/snapshots?snapshot=${encodeURIComponent(`projects/${DEV}/global/snapshots/chain-b`)}`);
    assert.equal(facts.parentSnapshot, `projects/${DEV}/global/snapshots/chain-a`);
    assert.equal(impact.moved.length, 1);
    assert.equal(impact.moved[0].snapshotId, `projects/${DEV}/global/snapshots/chain-b`);
    assert.ok(impact.moved[0].bytes >= 20 * MiB && impact.moved[0].bytes <= 50 * MiB);
    assert.equal(impact.moved[0].bytes + impact.freedBytes, 50 * MiB);
    const del = await call('DELETE', `projects/${DEV}/global/snapshots/chain-a`);
    assert.equal(del.status, 200);
    assert.equal(del.json.operationType, 'delete');
    assert.equal(del.json.zone, undefined, 'snapshot operations are global');
    assert.equal((await get(`projects/${DEV}/global/snapshots/chain-a`)).json.status, 'DELETING');
    await done(del.json);
    assert.equal((await get(`projects/${DEV}/global/snapshots/chain-a`)).status, 404);
    const after = (await get(`projects/${DEV}/global/snapshots/chain-b`)).json;
    assert.equal(Number(after.storageBytes), 30 * MiB + impact.moved[0].bytes);
  });

  it('archive snapshots store every block and leave the standard chain alone', async () => {
    const disk = await newDisk('archive-test');
    sandbox.clouds.gcp.writeMiB(disk, 40);
    await mutate('POST', `${disk}/createSnapshot`, { name: 'std-1' });
    sandbox.clouds.gcp.writeMiB(disk, 8);
    await mutate('POST', `${disk}/createSnapshot`, { name: 'arch-1', snapshotType: 'ARCHIVE', storageLocations: ['us-central1'] });
    await mutate('POST', `${disk}/createSnapshot`, { name: 'std-2' });
    const arch = (await get(`projects/${DEV}/global/snapshots/arch-1`)).json;
    assert.equal(arch.snapshotType, 'ARCHIVE');
    assert.deepEqual(arch.storageLocations, ['us-central1']);
    // Full: every non-zero block (the 8 MiB may overwrite a block of the 40).
    assert.equal(arch.storageBytes, arch.downloadBytes);
    assert.equal(Number(arch.storageBytes), sandbox.clouds.gcp.state.blocks.fullBytes(sandbox.clouds.gcp.state.snapshotByRef(`projects/${DEV}/global/snapshots/arch-1`).id));
    assert.ok(Number(arch.storageBytes) > 40 * MiB);
    assert.equal((await get(`projects/${DEV}/global/snapshots/std-2`)).json.storageBytes, String(8 * MiB));
    const seeded = (await get(GCP_SEEDED.archiveSnapshot)).json;
    assert.equal(seeded.snapshotType, 'ARCHIVE');
    const bad = await post(`${disk}/createSnapshot`, { name: 'x', snapshotType: 'COLD' });
    assert.equal(bad.status, 400);
    const badLocation = await post(`${disk}/createSnapshot`, { name: 'x', storageLocations: ['mars'] });
    assert.equal(badLocation.status, 400);
  });

  it('machine images hold every disk of a VM', async () => {
    const seeded = (await get(GCP_SEEDED.machineImage)).json;
    assert.equal(seeded.kind, 'compute#machineImage');
    assert.equal(seeded.status, 'READY');
    assert.equal(seeded.sourceInstance, url(GCP_SEEDED.webInstance));
    const op = await mutate('POST', `projects/${DEV}/global/machineImages`, { name: 'mi-test', sourceInstance: `zones/us-central1-b/instances/db-1` });
    assert.equal(op.zone, undefined);
    const mi = (await get(`projects/${DEV}/global/machineImages/mi-test`)).json;
    assert.equal(mi.status, 'READY');
    assert.equal(mi.instanceProperties.machineType, 'n2-standard-8');
    assert.deepEqual(
      mi.instanceProperties.disks.map((d: AnyJson) => [d.deviceName, d.boot, d.diskSizeGb]),
      [
        ['db-1', true, '50'],
        ['db-data', false, '200'],
      ],
    );
    assert.deepEqual(
      mi.savedDisks.map((d: AnyJson) => [d.sourceDisk, d.storageBytes]),
      [
        [url(`projects/${DEV}/zones/us-central1-b/disks/db-1`), String(300 * MiB)],
        [url(GCP_SEEDED.dbDataDisk), String(120 * MiB)],
      ],
    );
    assert.equal(mi.totalStorageBytes, String(420 * MiB));
    await mutate('DELETE', `projects/${DEV}/global/machineImages/mi-test`);
    assert.equal((await get(`projects/${DEV}/global/machineImages/mi-test`)).status, 404);
  });

  it('refuses to delete an attached disk; swaps a boot disk across stop and start', async () => {
    const refused = await call('DELETE', GCP_SEEDED.webBootDisk);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.errors[0].reason, 'resourceInUseByAnotherResource');
    assert.equal(refused.json.error.message, `The disk resource '${GCP_SEEDED.webBootDisk}' is already being used by '${GCP_SEEDED.webInstance}'`);

    // Restore the boot snapshot to a new disk (size ≥ the snapshot's, else 400).
    const tooSmall = await post(`projects/${DEV}/zones/us-central1-a/disks`, { name: 'web-1-restored', sourceSnapshot: 'global/snapshots/web-1-boot-snap-1', sizeGb: '10' });
    assert.equal(tooSmall.status, 400);
    assert.match(tooSmall.json.error.message, /cannot be smaller than the snapshot size \(20 GB\)/);
    const restoring = await post(`projects/${DEV}/zones/us-central1-a/disks`, { name: 'web-1-restored', sourceSnapshot: url(`projects/${DEV}/global/snapshots/web-1-boot-snap-1`) });
    assert.equal((await get(`projects/${DEV}/zones/us-central1-a/disks/web-1-restored`)).json.status, 'RESTORING');
    await done(restoring.json);
    const restored = (await get(`projects/${DEV}/zones/us-central1-a/disks/web-1-restored`)).json;
    assert.equal(restored.sizeGb, '20');
    assert.match(restored.sourceSnapshot, /\/global\/snapshots\/web-1-boot-snap-1$/);

    const early = await post(`${GCP_SEEDED.webInstance}/attachDisk`, { source: restored.selfLink, boot: true });
    assert.equal(early.status, 400, 'a boot disk is attached only while the instance is stopped');

    const stop = await post(`${GCP_SEEDED.webInstance}/stop`);
    assert.equal(stop.json.operationType, 'stop');
    assert.equal((await get(GCP_SEEDED.webInstance)).json.status, 'STOPPING');
    await done(stop.json);
    assert.equal((await get(GCP_SEEDED.webInstance)).json.status, 'TERMINATED');

    await mutate('POST', `${GCP_SEEDED.webInstance}/detachDisk?deviceName=web-1`);
    await mutate('POST', `${GCP_SEEDED.webInstance}/attachDisk`, { source: restored.selfLink, boot: true, deviceName: 'web-1' });
    const start = await post(`${GCP_SEEDED.webInstance}/start`);
    assert.ok(['PROVISIONING', 'STAGING'].includes((await get(GCP_SEEDED.webInstance)).json.status));
    await done(start.json);
    const vm = (await get(GCP_SEEDED.webInstance)).json;
    assert.equal(vm.status, 'RUNNING');
    assert.equal(vm.disks[0].source, restored.selfLink);
    assert.equal(vm.disks[0].boot, true);
    const old = (await get(GCP_SEEDED.webBootDisk)).json;
    assert.equal(old.users, undefined, 'the old boot disk is kept, detached');
    await mutate('DELETE', GCP_SEEDED.webBootDisk);
  });

  it('answers errors as Compute Engine does', async () => {
    const notFound = await get(`projects/${DEV}/zones/us-central1-a/disks/nope`);
    assert.deepEqual(notFound.json, {
      error: {
        code: 404,
        message: `The resource 'projects/${DEV}/zones/us-central1-a/disks/nope' was not found`,
        errors: [{ message: `The resource 'projects/${DEV}/zones/us-central1-a/disks/nope' was not found`, domain: 'global', reason: 'notFound' }],
      },
    });
    const exists = await post(`projects/${DEV}/zones/us-central1-a/disks`, { name: 'scratch-1', sizeGb: '10' });
    assert.equal(exists.status, 409);
    assert.equal(exists.json.error.errors[0].reason, 'alreadyExists');
    assert.equal(exists.json.error.message, `The resource 'projects/${DEV}/zones/us-central1-a/disks/scratch-1' already exists`);
    const badName = await post(`projects/${DEV}/zones/us-central1-a/disks`, { name: 'Bad_Name', sizeGb: '10' });
    assert.equal(badName.status, 400);
    assert.equal(badName.json.error.errors[0].reason, 'invalid');
    assert.match(badName.json.error.message, /^Invalid value for field 'resource.name': 'Bad_Name'\. Must be a match of regex/);
    const badZone = await get(`projects/${DEV}/zones/mars-1a/disks`);
    assert.equal(badZone.status, 400);
    const badType = await post(`projects/${DEV}/zones/us-central1-a/disks`, { name: 'typed', type: 'zones/us-central1-a/diskTypes/pd-floppy' });
    assert.equal(badType.status, 404);

    sandbox.clouds.gcp.setApiEnabled('snapkeeper-prod', false);
    const disabled = await get('projects/snapkeeper-prod/global/snapshots');
    assert.equal(disabled.status, 403);
    assert.equal(disabled.json.error.errors[0].reason, 'accessNotConfigured');
    assert.equal(disabled.json.error.status, 'PERMISSION_DENIED');
    assert.match(disabled.json.error.message, /^Compute Engine API has not been used in project \d+ before or it is disabled/);
    assert.equal((await get(`projects/${DEV}/global/snapshots`)).status, 200);
  });

  it('injects faults by action and by scope (project, zone)', async () => {
    sandbox.setFaults({ next: { throttle: 1, serverError: 1, actions: ['compute.snapshots.list'] } });
    assert.equal((await get(`projects/${DEV}/global/images`)).status, 200, 'other actions are untouched');
    const throttled = await get(`projects/${DEV}/global/snapshots`);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.json.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(throttled.json.error.errors[0].reason, 'rateLimitExceeded');
    const unavailable = await get(`projects/${DEV}/global/snapshots`);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.json.error.errors[0].reason, 'backendError');
    assert.equal((await get(`projects/${DEV}/global/snapshots`)).status, 200);

    sandbox.setFaults({ expired: true });
    assert.equal((await get(`projects/${DEV}/global/snapshots`)).status, 401);

    sandbox.setFaults({
      regions: {
        'snapkeeper-prod': { code: 'accessNotConfigured', message: '', status: 403 },
        'us-central1-b': { code: 'backendError', message: 'Zone us-central1-b is unavailable.', status: 503 },
      },
    });
    const prod = await get('projects/snapkeeper-prod/zones/us-east1-b/instances');
    assert.equal(prod.status, 403);
    assert.equal(prod.json.error.errors[0].reason, 'accessNotConfigured');
    const zone = await get(`projects/${DEV}/zones/us-central1-b/disks`);
    assert.equal(zone.status, 503);
    assert.equal((await get(`projects/${DEV}/zones/us-central1-a/disks`)).status, 200);
    assert.equal((await get(`projects/${DEV}/aggregated/disks`)).status, 503, 'an aggregated list fails without returnPartialSuccess');
    const partial = await get(`projects/${DEV}/aggregated/disks?returnPartialSuccess=true`);
    assert.equal(partial.status, 200);
    assert.deepEqual(partial.json.unreachables, ['zones/us-central1-b']);
    assert.equal(partial.json.items['zones/us-central1-b'], undefined);
  });

  it('filters, orders and labels', async () => {
    const filtered = await get(`projects/${DEV}/global/snapshots?filter=${encodeURIComponent('labels.app = web')}&orderBy=${encodeURIComponent('creationTimestamp desc')}`);
    assert.deepEqual(
      (filtered.json.items as AnyJson[]).map((s) => s.name),
      ['web-1-data-snap-3', 'web-1-data-snap-2', 'web-1-data-snap-1'],
    );
    const paged = await get(`projects/${DEV}/global/snapshots?maxResults=4`);
    assert.equal(paged.json.items.length, 4);
    const rest = await get(`projects/${DEV}/global/snapshots?maxResults=4&pageToken=${paged.json.nextPageToken as string}`);
    assert.ok(rest.json.items.length > 0);
    const snap = (await get(GCP_SEEDED.chainSnapshots[0])).json;
    const stale = await post(`${GCP_SEEDED.chainSnapshots[0]}/setLabels`, { labels: { a: 'b' }, labelFingerprint: 'AAAAAAAAAAA=' });
    assert.equal(stale.status, 412);
    await mutate('POST', `${GCP_SEEDED.chainSnapshots[0]}/setLabels`, { labels: { app: 'web', tier: 'gold' }, labelFingerprint: snap.labelFingerprint });
    const relabelled = (await get(GCP_SEEDED.chainSnapshots[0])).json;
    assert.deepEqual(relabelled.labels, { app: 'web', tier: 'gold' });
    assert.notEqual(relabelled.labelFingerprint, snap.labelFingerprint);
    const family = (await get(`projects/${DEV}/global/images/family/web-base`)).json;
    assert.equal(family.name, 'web-base-v2');
    assert.equal(family.family, 'web-base');
  });

  it('keeps its state in the state file across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-gcp-'));
    const statePath = join(dir, 'state.json');
    try {
      const first = await startSandbox({ statePath, clouds: { gcp: { timing: FAST } } });
      const base = `${first.info.gcp.endpoint}/compute/v1/`;
      const headers = { authorization: `Bearer ${first.info.gcp.accessToken}`, 'content-type': 'application/json' };
      first.clouds.gcp.writeMiB(GCP_SEEDED.scratchDisk, 7);
      const requestId = uuid();
      const op = (await (await fetch(`${base}${GCP_SEEDED.scratchDisk}/createSnapshot?requestId=${requestId}`, { method: 'POST', headers, body: '{"name":"kept"}' })).json()) as AnyJson;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await first.close();

      const second = await startSandbox({ statePath, clouds: { gcp: { timing: FAST } } });
      try {
        const snap = second.clouds.gcp.state.snapshots.get(`projects/${DEV}/global/snapshots/kept`);
        assert.ok(snap);
        assert.equal(second.clouds.gcp.storedBytes(`projects/${DEV}/global/snapshots/kept`), 23 * MiB, 'the 16 seeded MiB and the 7 written');
        const base2 = `${second.info.gcp.endpoint}/compute/v1/`;
        const repeat = (await (await fetch(`${base2}${GCP_SEEDED.scratchDisk}/createSnapshot?requestId=${requestId}`, { method: 'POST', headers, body: '{"name":"kept"}' })).json()) as AnyJson;
        assert.equal(repeat.name, op.name, 'requestIds survive a restart');
        assert.equal(repeat.status, 'DONE');
        assert.equal(repeat.error, undefined);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('control API: writes, bulk snapshots, project count, reset', async () => {
    const written = await control('POST', '/_sandbox/gcp/writes', { disk: GCP_SEEDED.scratchDisk, mib: 3 });
    assert.equal(written.blocksWritten, 6);
    // A GCP adapter knows only info.gcp: its bearer token opens /_sandbox/gcp/… too (nothing else).
    const viaToken = await fetch(`${sandbox.info.gcp.endpoint}/_sandbox/gcp/writes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.info.gcp.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ disk: url(GCP_SEEDED.scratchDisk), mib: 1 }),
    });
    assert.equal(viaToken.status, 200);
    const elsewhere = await fetch(`${sandbox.info.gcp.endpoint}/_sandbox/faults`, { headers: { authorization: `Bearer ${sandbox.info.gcp.accessToken}` } });
    assert.equal(elsewhere.status, 403);
    const unknownDisk = await fetch(`${sandbox.info.gcp.endpoint}/_sandbox/gcp/writes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.info.gcp.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ disk: 'projects/snapkeeper-dev/zones/us-central1-a/disks/nope', mib: 1 }),
    });
    assert.equal(unknownDisk.status, 404);
    const bulk = await control('POST', '/_sandbox/gcp/bulk-snapshots', { disk: GCP_SEEDED.scratchDisk, count: 5 });
    assert.equal(bulk.snapshots.length, 5);
    const projects = await control('POST', '/_sandbox/gcp/projects', { count: 4, snapshotsEach: 25 });
    assert.deepEqual(projects.projects, ['snapkeeper-dev', 'snapkeeper-prod', 'snapkeeper-bench-3', 'snapkeeper-bench-4']);
    assert.deepEqual(sandbox.info.gcp.projects, projects.projects);
    const bench = await get('projects/snapkeeper-bench-4/global/snapshots?maxResults=10');
    assert.equal(bench.json.items.length, 10);
    assert.ok(bench.json.nextPageToken);
    const summary = await control('GET', '/_sandbox/state-summary');
    assert.equal(summary.gcp.projects.length, 4);
    await control('POST', '/_sandbox/reset', {});
    assert.deepEqual(sandbox.info.gcp.projects, ['snapkeeper-dev', 'snapkeeper-prod']);
  });

  describe('through @google-cloud/compute (REST fallback)', () => {
    // Deep imports, as the adapter will do; the first client parses the 12.7 MB proto JSON.
    const load = createRequire(__filename);
    it('lists snapshots, creates one and waits for it', async function () {
      this.timeout(60000);
      const { SnapshotsClient } = load('@google-cloud/compute/build/src/v1/snapshots_client');
      const { DisksClient } = load('@google-cloud/compute/build/src/v1/disks_client');
      const { ZoneOperationsClient } = load('@google-cloud/compute/build/src/v1/zone_operations_client');
      const { OAuth2Client } = load('google-auth-library');
      const authClient = new OAuth2Client();
      authClient.setCredentials({ access_token: sandbox.info.gcp.accessToken, expiry_date: Date.now() + 3600_000 });
      const { apiEndpoint, port } = sandbox.info.gcp;
      const options = { apiEndpoint, port, protocol: 'http', fallback: true, authClient };
      const started = Date.now();
      const snapshots = new SnapshotsClient(options);
      const constructedMs = Date.now() - started;
      const disks = new DisksClient(options);
      const operations = new ZoneOperationsClient(options);
      console.log(`      (first @google-cloud/compute client constructed in ${constructedMs} ms)`);
      try {
        const [list, , raw] = await snapshots.list({ project: DEV, maxResults: 3 }, { autoPaginate: false });
        assert.equal(list.length, 3);
        assert.ok(raw.nextPageToken);
        const [all] = await snapshots.list({ project: DEV }, { autoPaginate: false });
        const snap1 = all.find((s: AnyJson) => s.name === 'web-1-data-snap-1');
        assert.equal(snap1.storageBytes, String(200 * MiB));
        assert.equal(snap1.storageBytesStatus, 'UP_TO_DATE');
        assert.equal(snap1.status, 'READY');
        assert.deepEqual(snap1.storageLocations, ['us']);
        assert.equal(snap1.diskSizeGb, '100');
        assert.match(snap1.sourceDisk, /\/zones\/us-central1-a\/disks\/web-1-data$/);
        const archive = all.find((s: AnyJson) => s.name === 'web-1-boot-archive');
        assert.equal(archive.snapshotType, 'ARCHIVE');

        const requestId = uuid();
        const request = { project: DEV, zone: 'us-central1-a', disk: 'web-1-data', requestId, snapshotResource: { name: 'sdk-snap', labels: { via: 'sdk' }, storageLocations: ['us-central1'] } };
        const [operation] = await disks.createSnapshot(request);
        const [repeat] = await disks.createSnapshot(request);
        assert.equal(repeat.latestResponse.name, operation.latestResponse.name);
        assert.equal(operation.latestResponse.operationType, 'createSnapshot');
        // The SDK's ExtendedOperation `name` is the numeric id; the sandbox resolves both.
        const [waited] = await operations.wait({ project: DEV, zone: 'us-central1-a', operation: operation.name });
        let finished = waited;
        while (finished.status !== 'DONE') {
          [finished] = await operations.wait({ project: DEV, zone: 'us-central1-a', operation: operation.latestResponse.name });
        }
        assert.ok(!finished.error);
        const [created] = await snapshots.get({ project: DEV, snapshot: 'sdk-snap' });
        assert.equal(created.status, 'READY');
        assert.equal(created.storageBytes, String(10 * MiB));
        assert.deepEqual(created.labels, { via: 'sdk' });
        assert.deepEqual(created.storageLocations, ['us-central1']);

        await assert.rejects(snapshots.get({ project: DEV, snapshot: 'nope' }), (error: AnyJson) => {
          assert.equal(error.code, 5);
          assert.match(error.message, /was not found/);
          return true;
        });
        const scopes: string[] = [];
        for await (const [scope, scoped] of disks.aggregatedListAsync({ project: DEV, maxResults: 4 }, { autoPaginate: false })) {
          if (scoped.warning?.code === 'NO_RESULTS_ON_PAGE') {
            scopes.push(scope);
          }
        }
        assert.ok(scopes.includes('zones/asia-east1-a'));
      } finally {
        await Promise.all([snapshots.close(), disks.close(), operations.close()]);
      }
    });
  });
});
