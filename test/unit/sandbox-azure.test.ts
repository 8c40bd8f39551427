/**
 * The Azure sandbox over raw HTTPS (node:https trusting its CA): token endpoint and bearer
 * check, ARM shapes and errors, paging, the three long-running-operation styles, CopyStart,
 * getAccess SAS URLs, VM disk swaps, faults, block accounting and persistence.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { AZURE_SEEDED } from '../../src/sandbox/azure/backend';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const API = 'api-version=2025-01-02';
const FAST = {
  operationMs: 100,
  snapshotBaseMs: 100,
  snapshotMsPerGiB: 0,
  snapshotMaxMs: 100,
  copyBaseMs: 400,
  copyMsPerGiB: 0,
  copyMaxMs: 400,
  vmPowerMs: 150,
  imageMs: 100,
  retryAfterSeconds: 0,
};
const DEV = AZURE_SEEDED.devSubscriptionId;
const RG_WEB = `/subscriptions/${DEV}/resourceGroups/rg-web/providers/Microsoft.Compute`;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let sandbox: Sandbox;

function call(method: string, pathOrUrl: string, body?: unknown, options: { token?: string | null; headers?: Record<string, string>; raw?: string } = {}): Promise<Reply> {
  const url = new URL(pathOrUrl, sandbox.info.azure.endpoint);
  const token = options.token === undefined ? sandbox.info.azure.accessToken : options.token;
  const data = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: sandbox.info.azure.caCert,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(data !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            // not JSON (blob, XML, malformed)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(read: () => Promise<Reply>, done: (r: Reply) => boolean, timeoutMs = 5000): Promise<Reply> {
  const start = Date.now();
  for (;;) {
    const r = await read();
    if (done(r)) {
      return r;
    }
    if (Date.now() - start > timeoutMs) {
      assert.fail(`timed out; last answer ${r.status} ${r.text}`);
    }
    await sleep(40);
  }
}

/** Waits for an LRO answer to finish, in whichever style it came; returns the final reply. */
async function finish(initial: Reply, resourcePath: string): Promise<Reply> {
  const asyncOp = initial.headers['azure-asyncoperation'] as string | undefined;
  const location = initial.headers.location as string | undefined;
  if (asyncOp) {
    const status = await until(() => call('GET', asyncOp), (r) => r.json.status !== 'InProgress');
    return status;
  }
  if (location) {
    return until(() => call('GET', location), (r) => r.status !== 202);
  }
  return until(() => call('GET', `${resourcePath}?${API}`), (r) => !['Creating', 'Updating'].includes(r.json.properties?.provisioningState));
}

function snapshotBody(source: string, extra: Record<string, unknown> = {}, location = 'eastus'): unknown {
  return { location, properties: { incremental: true, creationData: { createOption: 'Copy', sourceResourceId: source }, ...extra } };
}

describe('Azure sandbox (ARM over HTTPS)', function () {
  this.timeout(20000);

  beforeEach(async () => {
    sandbox = await startSandbox({ clouds: { azure: { timing: FAST } } });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  describe('token and authentication', () => {
    it('issues client-credential tokens that ARM accepts', async () => {
      const { tenantId, clientId, clientSecret } = sandbox.info.azure;
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://management.azure.com/.default' });
      const token = await call('POST', `/${tenantId}/oauth2/v2.0/token`, undefined, {
        token: null,
        raw: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(token.status, 200);
      assert.equal(token.json.token_type, 'Bearer');
      assert.equal(token.json.expires_in, 3599);
      assert.equal(token.json.ext_expires_in, 3599);
      const subs = await call('GET', '/subscriptions?api-version=2022-12-01', undefined, { token: token.json.access_token as string });
      assert.equal(subs.status, 200);
      assert.deepEqual(
        subs.json.value.map((s: { displayName: string }) => s.displayName),
        ['Snapkeeper Dev', 'Snapkeeper Prod'],
      );
      assert.equal(subs.json.value[0].id, `/subscriptions/${DEV}`);
      assert.equal(subs.json.value[0].authorizationSource, 'RoleBased');

      form.set('client_secret', 'wrong');
      const bad = await call('POST', `/${tenantId}/oauth2/v2.0/token`, undefined, { token: null, raw: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(bad.status, 401);
      assert.equal(bad.json.error, 'invalid_client');
      assert.match(bad.json.error_description as string, /^AADSTS7000215/);
    });

    it('answers 401 in ARM shape without, with a bad or with an expired token', async () => {
      const missing = await call('GET', `/subscriptions?${API}`, undefined, { token: null });
      assert.equal(missing.status, 401);
      assert.equal(missing.json.error.code, 'AuthenticationFailed');
      assert.match(missing.headers['www-authenticate'] as string, /^Bearer authorization_uri="/);
      const bad = await call('GET', `/subscriptions?${API}`, undefined, { token: 'not.a.token' });
      assert.equal(bad.json.error.code, 'InvalidAuthenticationToken');
      const expired = await call('GET', `/subscriptions?${API}`, undefined, { token: sandbox.clouds.azure.issueToken(0) });
      assert.equal(expired.status, 401);
      assert.equal(expired.json.error.code, 'ExpiredAuthenticationToken');
      assert.match(expired.json.error.message as string, /is earlier than current UTC time/);
    });

    it('requires api-version and answers request ids', async () => {
      const r = await call('GET', '/subscriptions', undefined, { headers: { 'x-ms-client-request-id': 'abc-123' } });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'MissingApiVersionParameter');
      assert.ok(r.headers['x-ms-request-id']);
      assert.ok(r.headers['x-ms-correlation-request-id']);
      assert.equal(r.headers['x-ms-client-request-id'], 'abc-123');
    });
  });

  describe('resources, errors and paging', () => {
    it('lists tenants and locations', async () => {
      const tenants = await call('GET', `/tenants?${API}`);
      assert.equal(tenants.json.value[0].displayName, 'Snapkeeper Sandbox');
      assert.equal(tenants.json.value[0].tenantCategory, 'Home');
      const locations = await call('GET', `/subscriptions/${DEV}/locations?${API}`);
      const eastus = locations.json.value.find((l: { name: string }) => l.name === 'eastus');
      assert.equal(eastus.displayName, 'East US');
      assert.equal(eastus.metadata.regionType, 'Physical');
      assert.ok(locations.json.value.length > 20);
    });

    it('pages lists with an absolute nextLink', async () => {
      sandbox.clouds.azure.setPageSize(3);
      const names: string[] = [];
      let next: string | undefined = `/subscriptions/${DEV}/providers/Microsoft.Compute/snapshots?${API}`;
      let pages = 0;
      while (next) {
        const page: Reply = await call('GET', next);
        assert.equal(page.status, 200);
        names.push(...page.json.value.map((s: { name: string }) => s.name));
        next = page.json.nextLink as string | undefined;
        if (next) {
          assert.ok(next.startsWith(`${sandbox.info.azure.endpoint}/subscriptions/`), next);
          assert.match(next, /api-version=2025-01-02/);
          assert.match(next, /\$skiptoken=/);
        }
        pages++;
      }
      assert.equal(names.length, 8);
      assert.equal(pages, 3);
      assert.equal(new Set(names).size, 8);
    });

    // $top only where the spec declares it (ResourceGroups_List); see page() in src/sandbox/azure/wire.ts.
    it('ignores $top on Compute lists, as ARM ignores a parameter an operation does not take', async () => {
      const all = await call('GET', `/subscriptions/${DEV}/providers/Microsoft.Compute/snapshots?${API}`);
      const topped = await call('GET', `/subscriptions/${DEV}/providers/Microsoft.Compute/snapshots?${API}&$top=2`);
      assert.equal(topped.status, 200);
      assert.equal(topped.json.value.length, all.json.value.length);
      assert.equal(topped.json.nextLink, undefined);
      const odd = await call('GET', `/subscriptions/${DEV}/providers/Microsoft.Compute/disks?${API}&$top=banana&unknownParameter=1`);
      assert.equal(odd.status, 200);
    });

    it('pages resource groups by $top, keeping $top in the nextLink, and refuses a $top outside 1–1000', async () => {
      const all = await call('GET', `/subscriptions/${DEV}/resourcegroups?api-version=2021-04-01`);
      const expected = all.json.value.map((g: { name: string }) => g.name);
      assert.ok(expected.length >= 2);
      const names: string[] = [];
      let next: string | undefined = `/subscriptions/${DEV}/resourcegroups?api-version=2021-04-01&$top=1`;
      while (next) {
        const page: Reply = await call('GET', next);
        assert.equal(page.status, 200);
        assert.equal(page.json.value.length, 1);
        names.push(page.json.value[0].name);
        next = page.json.nextLink as string | undefined;
        if (next) {
          assert.match(next, /\$top=1&/);
        }
      }
      assert.deepEqual(names, expected);
      for (const top of ['0', '1001', '-1', 'ten']) {
        const refused = await call('GET', `/subscriptions/${DEV}/resourcegroups?api-version=2021-04-01&$top=${top}`);
        assert.equal(refused.status, 400, top);
        assert.equal(refused.json.error.code, 'InvalidTopInQueryString');
      }
      assert.equal((await call('GET', `/subscriptions/${DEV}/resourcegroups?api-version=2021-04-01&$top=1000`)).status, 200);
    });

    it('matches ids case-insensitively and echoes the stored casing', async () => {
      const r = await call('GET', `/SUBSCRIPTIONS/${DEV.toUpperCase()}/resourcegroups/RG-WEB/providers/microsoft.compute/DISKS/Web-01-Data?${API}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.id, `${RG_WEB}/disks/web-01-data`);
      assert.equal(r.json.name, 'web-01-data');
      assert.equal(r.json.properties.diskState, 'Attached');
      assert.equal(r.json.properties.encryption.type, 'EncryptionAtRestWithCustomerKey');
      assert.equal(r.json.managedBy, AZURE_SEEDED.runningVmId);
    });

    it('answers ARM errors', async () => {
      const missing = await call('GET', `${RG_WEB}/snapshots/nope?${API}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, 'ResourceNotFound');
      assert.match(missing.json.error.message as string, /^The Resource 'Microsoft.Compute\/snapshots\/nope' under resource group 'rg-web' was not found/);
      const rg = await call('GET', `/subscriptions/${DEV}/resourceGroups/rg-none/providers/Microsoft.Compute/disks/x?${API}`);
      assert.equal(rg.json.error.code, 'ResourceGroupNotFound');
      const sub = await call('GET', `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Compute/disks?${API}`);
      assert.equal(sub.status, 404);
      assert.equal(sub.json.error.code, 'SubscriptionNotFound');
      const name = await call('PUT', `${RG_WEB}/snapshots/bad name!?${API}`, snapshotBody(AZURE_SEEDED.chainDiskId));
      assert.equal(name.status, 400);
      assert.equal(name.json.error.code, 'InvalidResourceName');
      const json = await call('PUT', `${RG_WEB}/snapshots/s1?${API}`, undefined, { raw: '{"location":' });
      assert.equal(json.status, 400);
      assert.equal(json.json.error.code, 'InvalidRequestContent');
      const attached = await call('DELETE', `${RG_WEB}/disks/web-01-data?${API}`);
      assert.equal(attached.status, 409);
      assert.equal(attached.json.error.code, 'OperationNotAllowed');
    });

    it('treats PUT by name as idempotent', async () => {
      const path = `${RG_WEB}/snapshots/nightly`;
      const first = await call('PUT', `${path}?${API}`, snapshotBody(AZURE_SEEDED.chainDiskId));
      await finish(first, path);
      const before = (await call('GET', `${RG_WEB}/snapshots?${API}`)).json.value.length as number;
      const second = await call('PUT', `${path}?${API}`, { ...(snapshotBody(AZURE_SEEDED.chainDiskId) as object), tags: { a: 'b' } });
      assert.ok([200, 201, 202].includes(second.status));
      await finish(second, path);
      const after = await call('GET', `${RG_WEB}/snapshots?${API}`);
      assert.equal(after.json.value.length, before);
      const got = await call('GET', `${path}?${API}`);
      assert.deepEqual(got.json.tags, { a: 'b' });
      const group = await call('PUT', `/subscriptions/${DEV}/resourcegroups/RG-WEB?api-version=2021-04-01`, { location: 'eastus', tags: { env: 'dev' } });
      assert.equal(group.status, 200);
      assert.equal(group.json.name, 'rg-web');
      const created = await call('PUT', `/subscriptions/${DEV}/resourcegroups/rg-new?api-version=2021-04-01`, { location: 'westeurope' });
      assert.equal(created.status, 201);
    });
  });

  describe('long-running operations', () => {
    const styles = ['default', 'azure-async-operation', 'location', 'provisioning-state'] as const;
    for (const style of styles) {
      it(`completes a snapshot create in the ${style} style`, async () => {
        sandbox.clouds.azure.setLroStyle(style);
        const path = `${RG_WEB}/snapshots/lro-${style}`;
        const initial = await call('PUT', `${path}?${API}`, snapshotBody(AZURE_SEEDED.chainDiskId));
        const hasAsync = initial.headers['azure-asyncoperation'] !== undefined;
        const hasLocation = initial.headers.location !== undefined;
        if (style === 'provisioning-state') {
          assert.equal(initial.status, 201);
          assert.equal(initial.json.properties.provisioningState, 'Creating');
          assert.ok(!hasAsync && !hasLocation);
        } else if (style === 'location') {
          assert.equal(initial.status, 202);
          assert.ok(!hasAsync && hasLocation);
          assert.equal(initial.headers['retry-after'], '0');
        } else {
          assert.equal(initial.status, 202);
          assert.ok(hasAsync && hasLocation);
          assert.match(initial.headers['azure-asyncoperation'] as string, /\/providers\/Microsoft\.Compute\/locations\/eastus\/DiskOperations\/[0-9a-f-]+\?/);
        }
        const done = await finish(initial, path);
        if (hasAsync) {
          assert.equal(done.json.status, 'Succeeded');
          assert.ok(done.json.endTime);
        } else {
          assert.equal(done.status, 200);
          assert.equal(done.json.properties.provisioningState, 'Succeeded');
        }
        const got = await call('GET', `${path}?${API}`);
        assert.equal(got.json.properties.provisioningState, 'Succeeded');
        assert.equal(got.json.properties.incrementalSnapshotFamilyId, (await call('GET', `${RG_WEB}/snapshots/web-01-data-snap-1?${API}`)).json.properties.incrementalSnapshotFamilyId);
        // DELETE answers 202 with Location only (default), polled to 204.
        const del = await call('DELETE', `${path}?${API}`);
        assert.equal(del.status, 202);
        const gone = await until(() => call('GET', del.headers.location as string), (r) => r.status !== 202);
        assert.equal(gone.status, 204);
        assert.equal((await call('GET', `${path}?${API}`)).status, 404);
      });

      it(`surfaces an operation failure in the ${style} style`, async () => {
        sandbox.clouds.azure.setLroStyle(style);
        sandbox.setFaults({ next: { lroFailure: 1, actions: ['Disks_CreateOrUpdate'] } });
        const path = `${RG_WEB}/disks/fails-${style}`;
        const initial = await call('PUT', `${path}?${API}`, { location: 'eastus', properties: { diskSizeGB: 8, creationData: { createOption: 'Empty' } } });
        const done = await finish(initial, path);
        if (initial.headers['azure-asyncoperation']) {
          assert.equal(done.json.status, 'Failed');
          assert.equal(done.json.error.code, 'InternalOperationError');
        } else if (initial.headers.location) {
          assert.equal(done.status, 500);
          assert.equal(done.json.error.code, 'InternalOperationError');
        } else {
          assert.equal(done.json.properties.provisioningState, 'Failed');
        }
      });
    }

    it('lets the style be set per operation through the control API', async () => {
      const response = await fetch(`${sandbox.info.aws.endpoint}/_sandbox/azure/lro-style`, {
        method: 'PUT',
        headers: { 'x-snapkeeper-sandbox-key': sandbox.info.aws.accessKeyId, 'content-type': 'application/json' },
        body: JSON.stringify({ style: 'location', operation: 'Disks_Update' }),
      });
      assert.equal(response.status, 200);
      const patch = await call('PATCH', `${RG_WEB}/disks/scratch-disk?${API}`, { tags: { x: '1' } });
      assert.equal(patch.status, 202);
      assert.equal(patch.headers['azure-asyncoperation'], undefined);
      const done = await finish(patch, `${RG_WEB}/disks/scratch-disk`);
      assert.deepEqual(done.json.tags, { x: '1' });
    });

    it('creates images from a snapshot (201, provisioningState) and refuses a VM that is not generalized', async () => {
      const path = `/subscriptions/${DEV}/resourceGroups/rg-images/providers/Microsoft.Compute/images/from-snap`;
      const initial = await call('PUT', `${path}?${API}`, {
        location: 'eastus',
        properties: { storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized', snapshot: { id: `${RG_WEB}/snapshots/web-01-os-snap-1` } } } },
      });
      assert.equal(initial.status, 201);
      assert.equal(initial.json.properties.provisioningState, 'Creating');
      const done = await finish(initial, path);
      assert.equal(done.json.properties.storageProfile.osDisk.snapshot.id, `${RG_WEB}/snapshots/web-01-os-snap-1`);
      const fromVm = await call('PUT', `/subscriptions/${DEV}/resourceGroups/rg-images/providers/Microsoft.Compute/images/from-vm?${API}`, {
        location: 'eastus',
        properties: { sourceVirtualMachine: { id: AZURE_SEEDED.runningVmId } },
      });
      assert.equal(fromVm.status, 409);
      assert.equal(fromVm.json.error.code, 'OperationNotAllowed');
    });
  });

  describe('snapshots, copies and exports', () => {
    it('copies an incremental snapshot to another region over time (CopyStart) and enforces its rules', async () => {
      const [snap1, snap2, snap3] = AZURE_SEEDED.chainSnapshotIds;
      const dr = `/subscriptions/${DEV}/resourceGroups/rg-dr/providers/Microsoft.Compute/snapshots`;
      const copy = (name: string, source: string, incremental = true, location = 'uksouth') =>
        call('PUT', `${dr}/${name}?${API}`, { location, properties: { incremental, creationData: { createOption: 'CopyStart', sourceResourceId: source } } });

      const full = await copy('c-full', `/subscriptions/${DEV}/resourceGroups/rg-data/providers/Microsoft.Compute/snapshots/db-01-os-full`, false);
      assert.equal(full.status, 400);
      assert.match(full.json.error.message as string, /only from an incremental snapshot to an incremental snapshot/);
      const notIncremental = await copy('c-x', snap2, false);
      assert.equal(notIncremental.status, 400);
      const sameRegion = await copy('c-y', snap2, true, 'eastus');
      assert.equal(sameRegion.status, 400);

      const first = await copy('c-2', snap2);
      assert.equal(first.status, 202);
      const busy = await copy('c-3', snap3);
      assert.equal(busy.status, 409);
      assert.match(busy.json.error.message as string, /Only one copy per disk can run at a time/);

      const seen: number[] = [];
      const done = await until(
        () => call('GET', `${dr}/c-2?${API}`),
        (r) => {
          seen.push(r.json.properties.completionPercent as number);
          return r.json.properties.completionPercent === 100;
        },
      );
      assert.equal(done.json.properties.creationData.createOption, 'CopyStart');
      assert.equal(done.json.properties.snapshotAccessState, 'Available');
      assert.ok(seen.some((p) => p > 0 && p < 100), `saw ${seen.join(',')}`);
      // The copy stores only what changed since the family's previous copy in uksouth (snap-1's).
      assert.equal(sandbox.clouds.azure.storedBytes(`${dr}/c-2`), 50 * MiB);
      // Older than one already copied: refused.
      const older = await copy('c-1-again', snap1);
      assert.equal(older.status, 400);
      assert.match(older.json.error.message as string, /order they were created/);
    });

    it('fails a copy whose source is deleted (copyCompletionError)', async () => {
      const dr = `/subscriptions/${DEV}/resourceGroups/rg-dr/providers/Microsoft.Compute/snapshots`;
      const [, snap2] = AZURE_SEEDED.chainSnapshotIds;
      await call('PUT', `${dr}/c-lost?${API}`, { location: 'uksouth', properties: { incremental: true, creationData: { createOption: 'CopyStart', sourceResourceId: snap2 } } });
      const del = await call('DELETE', `${snap2}?${API}`);
      assert.equal(del.status, 202);
      const r = await call('GET', `${dr}/c-lost?${API}`);
      assert.equal(r.json.properties.copyCompletionError.errorCode, 'CopySourceNotFound');
      assert.ok((r.json.properties.completionPercent as number) < 100);
    });

    it('exports through beginGetAccess: a SAS URL that answers HEAD and ranged GET until revoked', async () => {
      const path = `${RG_WEB}/snapshots/web-01-data-snap-1`;
      const grant = await call('POST', `${path}/beginGetAccess?${API}`, { access: 'Read', durationInSeconds: 3600, fileFormat: 'VHD' });
      assert.equal(grant.status, 202);
      const status = await finish(grant, path);
      assert.equal(status.json.status, 'Succeeded');
      const result = await call('GET', grant.headers.location as string);
      const sas = result.json.accessSAS as string;
      assert.equal(status.json.properties.output.accessSAS, sas);
      assert.match(sas, /^https:\/\/127\.0\.0\.1:\d+\/_blob\/[0-9a-f]+\.vhd\?sv=.*&sr=b&.*sp=r&se=.*&sig=/);
      assert.equal((await call('GET', `${path}?${API}`)).json.properties.diskState, 'ActiveSAS');
      const del = await call('DELETE', `${path}?${API}`);
      assert.equal(del.status, 409);
      const again = await call('POST', `${path}/beginGetAccess?${API}`, { access: 'Read', durationInSeconds: 60 });
      assert.equal(again.status, 409);

      const head = await call('HEAD', sas, undefined, { token: null });
      assert.equal(head.status, 200);
      assert.equal(Number(head.headers['content-length']), 128 * GiB + 512);
      const range = await call('GET', sas, undefined, { token: null, headers: { range: 'bytes=0-1048575' } });
      assert.equal(range.status, 206);
      assert.equal(range.headers['content-range'], `bytes 0-1048575/${128 * GiB + 512}`);
      assert.equal(Buffer.byteLength(range.text, 'latin1') > 0, true);
      const footer = await call('GET', sas, undefined, { token: null, headers: { range: `bytes=${128 * GiB}-${128 * GiB + 7}` } });
      assert.equal(footer.text, 'conectix');

      const end = await call('POST', `${path}/endGetAccess?${API}`);
      await finish(end, path);
      const denied = await call('GET', sas, undefined, { token: null, headers: { range: 'bytes=0-15' } });
      assert.equal(denied.status, 403);
      assert.equal(denied.headers['x-ms-error-code'], 'AuthenticationFailed');
      assert.match(denied.text, /<Code>AuthenticationFailed<\/Code>/);
      assert.equal((await call('GET', `${path}?${API}`)).json.properties.diskState, 'Unattached');
    });

    it('accounts incremental snapshots in blocks (50 MiB, then 30 MiB)', async () => {
      const disk = `${RG_WEB}/disks/acct`;
      await finish(await call('PUT', `${disk}?${API}`, { location: 'eastus', properties: { diskSizeGB: 16, creationData: { createOption: 'Empty' } } }), disk);
      sandbox.clouds.azure.writeMiB(disk, 50);
      await finish(await call('PUT', `${RG_WEB}/snapshots/acct-1?${API}`, snapshotBody(disk)), `${RG_WEB}/snapshots/acct-1`);
      sandbox.clouds.azure.writeMiB(disk, 30);
      await finish(await call('PUT', `${RG_WEB}/snapshots/acct-2?${API}`, snapshotBody(disk)), `${RG_WEB}/snapshots/acct-2`);
      const first = `${RG_WEB}/snapshots/acct-1`;
      const second = `${RG_WEB}/snapshots/acct-2`;
      assert.equal(sandbox.clouds.azure.storedBytes(first), 50 * MiB);
      assert.equal(sandbox.clouds.azure.storedBytes(second), 30 * MiB);
      assert.equal(sandbox.clouds.azure.changedBlocks(first, second).length, 60);
      // A full snapshot stores everything; the next incremental one is still against acct-2.
      await finish(await call('PUT', `${RG_WEB}/snapshots/acct-full?${API}`, snapshotBody(disk, { incremental: false })), `${RG_WEB}/snapshots/acct-full`);
      assert.ok(sandbox.clouds.azure.storedBytes(`${RG_WEB}/snapshots/acct-full`) >= 70 * MiB);
      const impact = sandbox.clouds.azure.deleteImpact(first);
      assert.equal(impact.snapshotId, first);
      assert.equal(impact.freedBytes + impact.moved.reduce((n, m) => n + m.bytes, 0), 50 * MiB);
      assert.equal(impact.moved[0]?.snapshotId, second);
      const facts = await fetch(`${sandbox.info.aws.endpoint}/_sandbox/azure/snapshots?id=${encodeURIComponent(second)}`, {
        headers: { 'x-snapkeeper-sandbox-key': sandbox.info.aws.accessKeyId },
      });
      const json = (await facts.json()) as { storedBytes: number; parentSnapshotId: string };
      assert.equal(json.storedBytes, 30 * MiB);
      assert.equal(json.parentSnapshotId, first);
    });
  });

  describe('Simulate Writes on the ARM listener', () => {
    it('POST /_sandbox/azure/writes takes a sandbox bearer token or the control key, and writes the blocks', async () => {
      const body = { diskId: AZURE_SEEDED.unattachedDiskId, mib: 2 };
      const ok = await call('POST', '/_sandbox/azure/writes', body);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.blocksWritten, 4);
      const keyed = await call('POST', '/_sandbox/azure/writes', body, { token: null, headers: { 'x-snapkeeper-sandbox-key': 'AKIASNAPKEEPERSANDBOX' } });
      assert.equal(keyed.status, 200, keyed.text);
      assert.equal((await call('POST', '/_sandbox/azure/writes', body, { token: null })).status, 401);
      assert.equal((await call('POST', '/_sandbox/azure/writes', { diskId: body.diskId.replace(/scratch-disk$/, 'nope'), mib: 1 })).status, 404);
      assert.equal((await call('POST', '/_sandbox/azure/writes', { diskId: body.diskId })).status, 400);
    });

    it('a zonal VM takes only disks of its zone or zone-redundant ones', async () => {
      const vm = sandbox.clouds.azure.state.vms.get(AZURE_SEEDED.runningVmId.toLowerCase());
      assert.ok(vm);
      await finish(await call('POST', `${AZURE_SEEDED.runningVmId}/deallocate?${API}`), `${AZURE_SEEDED.runningVmId}`);
      await until(() => call('GET', `${AZURE_SEEDED.runningVmId}/instanceView?${API}`), (r) => JSON.stringify(r.json).includes('PowerState/deallocated'));
      const lun = vm.dataDisks[0].lun;
      const swap = (diskId: string) =>
        call('PATCH', `${AZURE_SEEDED.runningVmId}?${API}`, { properties: { storageProfile: { dataDisks: [{ lun, createOption: 'Attach', managedDisk: { id: diskId } }] } } });
      // scratch-disk is regional (no zone) Premium_LRS: refused for a VM in zone 1.
      const refused = await swap(AZURE_SEEDED.unattachedDiskId);
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.json.error.message, /same zone/);
      sandbox.clouds.azure.state.disk(AZURE_SEEDED.unattachedDiskId).skuName = 'Premium_ZRS';
      const zrs = await swap(AZURE_SEEDED.unattachedDiskId);
      assert.ok(zrs.status < 300, zrs.text);
    });
  });

  describe('virtual machines', () => {
    it('swaps the OS disk only when the VM is deallocated', async () => {
      const vm = AZURE_SEEDED.runningVmId;
      const newOs = `${RG_WEB}/disks/web-01-os-restored`;
      await finish(
        await call('PUT', `${newOs}?${API}`, {
          location: 'eastus',
          zones: ['1'],
          properties: { creationData: { createOption: 'Copy', sourceResourceId: `${RG_WEB}/snapshots/web-01-os-snap-1` } },
        }),
        newOs,
      );
      const current = await call('GET', `${vm}?${API}`);
      const body = { location: 'eastus', properties: { storageProfile: { osDisk: { ...current.json.properties.storageProfile.osDisk, managedDisk: { id: newOs } } } } };
      const refused = await call('PUT', `${vm}?${API}`, body);
      assert.equal(refused.status, 409);
      assert.equal(refused.json.error.code, 'OperationNotAllowed');

      const dealloc = await call('POST', `${vm}/deallocate?${API}`);
      assert.equal(dealloc.status, 202);
      const view = await call('GET', `${vm}/instanceView?${API}`);
      assert.ok(view.json.statuses.some((s: { code: string }) => s.code === 'PowerState/deallocating'));
      await finish(dealloc, vm);
      const expanded = await call('GET', `${vm}?${API}&$expand=instanceView`);
      assert.deepEqual(
        expanded.json.properties.instanceView.statuses.map((s: { code: string }) => s.code),
        ['ProvisioningState/succeeded', 'PowerState/deallocated'],
      );

      const swap = await call('PUT', `${vm}?${API}`, body);
      assert.equal(swap.status, 200);
      assert.ok(swap.headers['azure-asyncoperation']);
      await finish(swap, vm);
      const after = await call('GET', `${vm}?${API}`);
      assert.equal(after.json.properties.storageProfile.osDisk.managedDisk.id, newOs);
      assert.equal((await call('GET', `${newOs}?${API}`)).json.properties.diskState, 'Reserved');
      assert.equal((await call('GET', `${RG_WEB}/disks/web-01_OsDisk_1?${API}`)).json.properties.diskState, 'Unattached');
      const start = await call('POST', `${vm}/start?${API}`);
      await finish(start, vm);
      assert.equal((await call('GET', `${newOs}?${API}`)).json.properties.diskState, 'Attached');
    });
  });

  describe('faults', () => {
    it('throttles with and without Retry-After, fails regions and truncates bodies', async () => {
      sandbox.setFaults({ next: { throttle: 1, throttleNoRetryAfter: 1, actions: ['Disks_List'] } });
      const list = `/subscriptions/${DEV}/providers/Microsoft.Compute/disks?${API}`;
      const first = await call('GET', list);
      assert.equal(first.status, 429);
      assert.equal(first.json.error.code, 'TooManyRequests');
      assert.equal(first.headers['retry-after'], '1');
      const second = await call('GET', list);
      assert.equal(second.status, 429);
      assert.equal(second.headers['retry-after'], undefined);
      assert.equal((await call('GET', list)).status, 200);

      sandbox.setFaults({ regions: { westeurope: { code: 'ServiceUnavailable', message: 'down', status: 503 } } });
      const eu = await call('GET', `/subscriptions/${DEV}/resourceGroups/rg-data/providers/Microsoft.Compute/disks/db-01-os?${API}`);
      assert.equal(eu.status, 503);
      assert.equal((await call('GET', `${RG_WEB}/disks/scratch-disk?${API}`)).status, 200);
      sandbox.setFaults({ regions: { [AZURE_SEEDED.prodSubscriptionId]: { code: 'Forbidden', message: 'no', status: 403 } } });
      assert.equal((await call('GET', `/subscriptions/${AZURE_SEEDED.prodSubscriptionId}/providers/Microsoft.Compute/disks?${API}`)).status, 403);

      sandbox.setFaults({ next: { malformed: 1, serverError: 1 } });
      const err = await call('GET', list);
      assert.equal(err.status, 500);
      assert.equal(err.json.error.code, 'InternalServerError');
      const cut = await call('GET', list);
      assert.equal(cut.status, 200);
      assert.throws(() => JSON.parse(cut.text) as unknown);
      sandbox.setFaults({ expired: true });
      const expired = await call('GET', list);
      assert.equal(expired.status, 401);
      assert.equal(expired.json.error.code, 'ExpiredAuthenticationToken');
      assert.ok(expired.headers['www-authenticate']);
    });
  });
});

describe('Azure sandbox persistence', function () {
  this.timeout(20000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-azure-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves the Azure state and its certificate beside the state file and reloads both', async () => {
    const statePath = join(dir, 'state.json');
    sandbox = await startSandbox({ statePath, clouds: { azure: { timing: FAST } } });
    const caPath = sandbox.info.azure.caCertPath;
    assert.equal(caPath, `${statePath}.azure-ca.pem`);
    const pem = sandbox.info.azure.caCert;
    const path = `${RG_WEB}/snapshots/kept`;
    sandbox.clouds.azure.writeMiB(AZURE_SEEDED.chainDiskId, 12);
    await finish(await call('PUT', `${path}?${API}`, { ...(snapshotBody(AZURE_SEEDED.chainDiskId) as object), tags: { keep: 'yes' } }), path);
    const stored = sandbox.clouds.azure.storedBytes(path);
    await sandbox.close();
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { aws: unknown; azure: { snapshots: { name: string }[] } };
    assert.ok(saved.aws);
    assert.ok(saved.azure.snapshots.some((s) => s.name === 'kept'));

    sandbox = await startSandbox({ statePath, clouds: { azure: { timing: FAST } } });
    try {
      assert.equal(sandbox.info.azure.caCert, pem);
      const got = await call('GET', `${path}?${API}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.json.tags, { keep: 'yes' });
      assert.equal(sandbox.clouds.azure.storedBytes(path), stored);
      // The seed wrote 10 MiB after the chain's last snapshot, the test 12 more.
      assert.equal(stored, 22 * MiB);
    } finally {
      await sandbox.close();
    }
  });
});
