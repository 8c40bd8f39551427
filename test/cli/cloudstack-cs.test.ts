/**
 * The Python CloudStack client `cs` (Debian packages `cs` / `python3-cs`, command /usr/bin/cloudstack)
 * against the sandbox's CloudStack API: its own signing (signature version 3 with `expires`), its
 * paging (`page`/`pagesize` until `count`), its async-job polling. Every answer is checked against
 * the sandbox's own state (read in-process).
 */
import assert from 'node:assert/strict';
import { CLOUDSTACK_SEEDED } from '../../src/sandbox/cloudstack/backend';
import { type ClientResult, clientAt, clientSuite, jsonOf, sorted } from './client';

const CS = clientAt(process.env.SNAPKEEPER_CLOUDSTACK_CS ?? '/usr/bin/cloudstack', 'Debian package cs: apt-get install cs');
/** Long enough that `cs` polls queryAsyncJobResult more than once before the job ends. */
const TIMING = { jobMs: 600, snapshotBaseMs: 1500, snapshotMsPerGiB: 0, snapshotMaxMs: 1500, volumeMs: 600, copyMs: 600 };

describe('cs (Debian python3-cs) against the sandbox', function () {
  this.timeout(90_000);
  const w = clientSuite(CS, 'the cs workflow', {
    tmpPrefix: 'snapkeeper-cs-',
    sandbox: { clouds: { cloudstack: { timing: TIMING } } },
    env: (sandbox, home) => ({
      HOME: home,
      CLOUDSTACK_ENDPOINT: sandbox.info.cloudstack.endpoint,
      CLOUDSTACK_KEY: sandbox.info.cloudstack.apiKey,
      CLOUDSTACK_SECRET: sandbox.info.cloudstack.secretKey,
      CLOUDSTACK_POLL_INTERVAL: '0.2',
    }),
  });

  async function cs<T>(...args: string[]): Promise<T> {
    return jsonOf<T>(await w.run(['--quiet', ...args]), `cs ${args[0] ?? ''}`);
  }

  const cloudstack = () => w.sandbox.clouds.cloudstack;

  it('lists the zones, signed with signature version 3', async () => {
    const out = await cs<{ count: number; zone: { id: string; name: string }[] }>('listZones');
    assert.equal(out.count, 2);
    assert.deepEqual(sorted(out.zone.map((z) => z.id)), sorted(cloudstack().state.zones.map((z) => z.id)));
  });

  it('follows every page of a small page size (cs pages until count)', async () => {
    cloudstack().setPageSize(3);
    try {
      // With fetch_list, cs answers the concatenated pages (a plain array).
      const out = await cs<{ id: string; zoneid: string }[]>('listSnapshots', 'fetch_list=true', 'pagesize=3');
      const expected = cloudstack()
        .snapshots()
        .flatMap((s) => s.copies.map((c) => `${s.id}@${c.zoneId}`));
      assert.ok(expected.length > 3, 'more than one page');
      assert.deepEqual(sorted(out.map((s) => `${s.id}@${s.zoneid}`)), sorted(expected));
    } finally {
      cloudstack().setPageSize(500);
    }
  });

  it('creates a snapshot, waits for its job, and lists it with its physical size', async () => {
    const volumeId = CLOUDSTACK_SEEDED.webDataVolume;
    const result = await cs<{ snapshot: { id: string; state: string; physicalsize: number; volumeid: string } }>(
      'createSnapshot',
      `volumeid=${volumeId}`,
      'name=cs cli snapshot',
    );
    assert.equal(result.snapshot.state, 'BackedUp');
    assert.equal(result.snapshot.volumeid, volumeId);
    const job = cloudstack()
      .jobs()
      .find((j) => j.instanceId === result.snapshot.id);
    assert.ok(job && job.polls > 1, `cs polled the job more than once (polls: ${String(job?.polls)})`);
    const facts = cloudstack().snapshotFacts(result.snapshot.id);
    // Incremental against web-1-data-snap-3: the 10 MiB written since.
    assert.equal(result.snapshot.physicalsize, 10 * 1024 * 1024);
    assert.equal(facts.physicalBytes[CLOUDSTACK_SEEDED.zones.gva], result.snapshot.physicalsize);
    const listed = await cs<{ count: number; snapshot: { id: string; name: string }[] }>('listSnapshots', `id=${result.snapshot.id}`);
    assert.equal(listed.count, 1);
    assert.equal(listed.snapshot[0].name, 'cs cli snapshot');
  });

  it('posts a form (cs --post) and gets CloudStack’s error for a template of a running VM’s volume', async () => {
    const out: ClientResult = await w.run([
      '--quiet',
      '--post',
      'createTemplate',
      `volumeid=${CLOUDSTACK_SEEDED.webRootVolume}`,
      'name=from-running',
      `ostypeid=${CLOUDSTACK_SEEDED.osTypes.ubuntu}`,
    ]);
    assert.notEqual(out.code, 0);
    const answer = JSON.parse(out.stdout) as { createtemplateresponse: { errorcode: number; errortext: string } };
    assert.equal(answer.createtemplateresponse.errorcode, 530);
    assert.match(answer.createtemplateresponse.errortext, /attached to a non-stopped VM, please stop the VM first/);
    assert.equal(cloudstack().templates().length, 1, 'no template was made');
  });

  it('a wrong secret is refused with 401', async () => {
    const out = await runWith({ CLOUDSTACK_SECRET: 'not-the-secret' }, ['listZones']);
    assert.notEqual(out.code, 0);
    assert.match(`${out.stdout}${out.stderr}`, /401/);
  });

  function runWith(env: Record<string, string>, args: string[]): Promise<ClientResult> {
    const saved = { ...w.env };
    Object.assign(w.env, env);
    return w.run(['--quiet', ...args]).finally(() => {
      Object.keys(w.env).forEach((k) => delete w.env[k]);
      Object.assign(w.env, saved);
    });
  }
});
