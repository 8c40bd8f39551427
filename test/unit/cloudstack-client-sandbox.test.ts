// The CloudStack client against the CloudStack sandbox: two implementations written apart (the
// client's signing and the sandbox's check of it, each from ApiServer.verifyRequest) agree, over
// real HTTP. Zones and paged lists as the sandbox's state has them, a wrong secret refused as
// wrong keys, a signature past its expiry refused and diagnosed as this computer's clock, an async
// snapshot with a name full of reserved and non-ASCII characters that the sandbox stores exactly,
// and a job that fails after polls with its errortext as the message.
import assert from 'node:assert/strict';
import { createClient, type CloudStackClientOptions } from '../../src/adapters/cloudstack/client';
import { jobFailureMessage } from '../../src/adapters/cloudstack/errors';
import type { CloudStackApi, JobResult } from '../../src/adapters/cloudstack/api';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { CLOUDSTACK_SEEDED as S, INSTANT_CS_TIMING } from '../../src/sandbox/cloudstack/backend';
import { failure } from './fakes';

const START = Date.parse('2026-06-01T10:00:00Z');

describe('cloudstack client against the sandbox', function () {
  this.timeout(20_000);
  let clock = START;
  let sandbox: Sandbox;
  const clients: CloudStackApi[] = [];

  before(async () => {
    sandbox = await startSandbox({ now: () => clock, clouds: { cloudstack: { timing: INSTANT_CS_TIMING } } });
  });

  after(async () => {
    for (const c of clients) {
      c.dispose();
    }
    await sandbox.close();
  });

  beforeEach(() => {
    clock += 3600_000;
    sandbox.clouds.cloudstack.reset();
  });

  const cs = () => sandbox.clouds.cloudstack;

  function client(over: Partial<CloudStackClientOptions> = {}): CloudStackApi {
    const info = sandbox.info.cloudstack;
    const c = createClient({ endpoint: info.endpoint, apiKey: info.apiKey, secretKey: info.secretKey, now: () => clock, sleep: async () => undefined, ...over });
    clients.push(c);
    return c;
  }

  it('lists the zones, and pages through volumes as the sandbox holds them', async () => {
    const zones = await client().list<{ id: string; name: string }>('listZones', 'zone');
    assert.deepEqual(zones.map((z) => z.name).sort(), [S.zoneNames.gva, S.zoneNames.zrh].sort());
    const all = await client().list<{ id: string }>('listVolumes', 'volume');
    const paged = await client({ pageSize: 2 }).list<{ id: string }>('listVolumes', 'volume');
    assert.ok(all.length > 2, `${all.length} volumes`);
    assert.deepEqual(paged.map((v) => v.id).sort(), all.map((v) => v.id).sort());
    const held = new Set(cs().volumes().map((v) => v.id));
    assert.ok(all.every((v) => held.has(v.id)));
    assert.ok(all.some((v) => v.id === S.webRootVolume));
    // A server whose default.page.size is 3 refuses 500: the client pages by 3 and gets them all.
    cs().setPageSize(3);
    try {
      const small = await client().list<{ id: string }>('listVolumes', 'volume');
      assert.deepEqual(small.map((v) => v.id).sort(), all.map((v) => v.id).sort());
    } finally {
      cs().setPageSize(500);
    }
  });

  it('a wrong secret key is refused: the keys are wrong', async () => {
    const e = await failure(client({ secretKey: `${sandbox.info.cloudstack.secretKey}x` }).call('listZones'));
    assert.equal(e.kind, 'auth', e.message);
    assert.match(e.message, /refused the API key and signature \(HTTP 401\): check the API key and secret key/);
  });

  it("a signature past its expiry (this computer's clock 30 minutes behind) is refused, and said to be the clock", async () => {
    const e = await failure(client({ now: () => clock - 30 * 60_000 }).call('listZones'));
    assert.equal(e.kind, 'unknown', e.message);
    assert.equal(e.code, 'ClockSkew');
    assert.match(e.message, /this computer's clock is 30 minutes behind the server's/);
    // The same keys with the right clock are fine.
    assert.ok(Array.isArray(await client().list('listZones', 'zone')));
  });

  it('an async snapshot, its name with reserved and non-ASCII characters, polled to done; the sandbox stores the name exactly', async () => {
    const name = "nightly ~ 'a+b' (c*d) & e=f/g? Ünïcødé 名前 🐱";
    const api = client();
    const started = await api.start('createSnapshot', { volumeid: S.webDataVolume, name });
    assert.ok(started.id, 'the snapshot id comes with the job id');
    let result: JobResult | undefined;
    for (let i = 0; i < 20 && (!result || result.jobstatus === 0); i++) {
      clock += 60_000;
      result = await api.job(started.jobid);
    }
    assert.equal(result?.jobstatus, 1, JSON.stringify(result));
    const stored = cs().snapshots().find((s) => s.id === started.id);
    assert.equal(stored?.name, name);
    assert.equal(stored?.volumeId, S.webDataVolume);
  });

  it("a job that fails after polls: jobstatus 0, then 2 with CloudStack's errortext as the message", async () => {
    cs().failNextJob(2, 'Failed to create snapshot: primary storage\n is full', 'createSnapshot');
    const api = client();
    const started = await api.start('createSnapshot', { volumeid: S.webDataVolume, name: 'doomed' });
    const statuses: number[] = [];
    let result: JobResult | undefined;
    for (let i = 0; i < 10 && (!result || result.jobstatus === 0); i++) {
      result = await api.job(started.jobid);
      statuses.push(result.jobstatus);
    }
    assert.deepEqual(statuses, [0, 0, 2]);
    assert.ok(result);
    assert.equal(jobFailureMessage(result), 'Failed to create snapshot: primary storage is full');
  });
});
