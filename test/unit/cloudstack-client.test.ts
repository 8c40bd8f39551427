// The CloudStack client (src/adapters/cloudstack/client.ts) through an injected transport: a fake
// CloudStack that checks every request's signature and answers from a script. Paging, async job
// starts and polls, the mapping of CloudStack's answers to CloudError, which failures are retried
// (a throttled or failed read, a start that certainly never left) and which never are (a start
// whose connection dropped after it was sent), truncated bodies, abort, the bound on requests in
// flight, keys kept out of logs and messages, and TLS with an explicit CA file (a real https server).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createClient, type CloudStackClientOptions, type HttpRequest, type HttpResponse } from '../../src/adapters/cloudstack/client';
import { jobError, jobFailureMessage } from '../../src/adapters/cloudstack/errors';
import { signatureOf } from '../../src/adapters/cloudstack/signing';
import { isCloudError, type ErrorKind } from '../../src/model/errors';
import { assertKind, failure } from './fakes';

const ENDPOINT = 'http://cloud.example.test:8080/client/api';
const API_KEY = 'AK-visible-but-never-logged-0123';
const SECRET_KEY = 'SK-very-secret-4567';
const NOW = Date.parse('2026-12-03T15:20:00Z');

interface Seen {
  method: string;
  command: string;
  params: Record<string, string>;
}

type Reply = HttpResponse | Error | ((req: HttpRequest) => Promise<HttpResponse>);

/** A fake CloudStack: verifies each request's signature, records it, and answers the next scripted reply. */
class FakeCloud {
  readonly seen: Seen[] = [];
  readonly logs: string[] = [];
  readonly sleeps: number[] = [];
  private readonly replies: Reply[] = [];
  inFlight = 0;
  maxInFlight = 0;

  reply(...replies: Reply[]): this {
    this.replies.push(...replies);
    return this;
  }

  readonly transport = async (req: HttpRequest): Promise<HttpResponse> => {
    const text = req.method === 'POST' ? (req.body ?? '') : new URL(req.url).search.slice(1);
    const params = Object.fromEntries(new URLSearchParams(text));
    const { signature, ...signed } = params;
    assert.equal(signature, signatureOf(signed, SECRET_KEY), 'a request was not signed with the secret key');
    assert.equal(params.apiKey, API_KEY);
    assert.equal(params.signatureversion, '3');
    this.seen.push({ method: req.method, command: params.command, params });
    const next = this.replies.shift();
    assert.ok(next, `no reply scripted for ${params.command}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (next instanceof Error) {
        throw next;
      }
      return typeof next === 'function' ? await next(req) : next;
    } finally {
      this.inFlight--;
    }
  };

  client(over: Partial<CloudStackClientOptions> = {}) {
    return createClient({
      endpoint: ENDPOINT,
      apiKey: API_KEY,
      secretKey: SECRET_KEY,
      transport: this.transport,
      now: () => NOW,
      sleep: async (ms) => void this.sleeps.push(ms),
      random: () => 0.5,
      log: (m) => void this.logs.push(m),
      ...over,
    });
  }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json;charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** CloudStack's error answer for `command`. */
function csError(command: string, errorcode: number, errortext: string, headers: Record<string, string> = {}): HttpResponse {
  return json({ [`${command.toLowerCase()}response`]: { uuidList: [], errorcode, cserrorcode: 4350, errortext } }, errorcode, headers);
}

function netError(code: string, sent: boolean): Error {
  return Object.assign(new Error(`${code} (simulated)`), { code, sent });
}

function volumes(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({ id: `vol-${from + i}`, name: `v${from + i}` }));
}

describe('cloudstack client: paging', () => {
  it('pages with page/pagesize until count items are in, listall=true where the command takes it', async () => {
    const cloud = new FakeCloud().reply(
      json({ listvolumesresponse: { count: 1234, volume: volumes(0, 500) } }),
      json({ listvolumesresponse: { count: 1234, volume: volumes(500, 500) } }),
      json({ listvolumesresponse: { count: 1234, volume: volumes(1000, 234) } }),
    );
    const pages: number[] = [];
    const items = await cloud.client().list<{ id: string }>('listVolumes', 'volume', { zoneid: 'z1' }, undefined, (p) => pages.push(p.length));
    assert.equal(items.length, 1234);
    assert.equal(items[1233].id, 'vol-1233');
    assert.deepEqual(pages, [500, 500, 234]);
    assert.deepEqual(
      cloud.seen.map((s) => [s.command, s.params.page, s.params.pagesize, s.params.listall, s.params.zoneid]),
      [
        ['listVolumes', '1', '500', 'true', 'z1'],
        ['listVolumes', '2', '500', 'true', 'z1'],
        ['listVolumes', '3', '500', 'true', 'z1'],
      ],
    );
  });

  it("after the first page, the rest (as many as its count says) are asked at once, within the client's bound, and handed on in page order", async () => {
    const slow = (body: unknown) => async () => {
      await new Promise((r) => setTimeout(r, 5));
      return json(body);
    };
    const count = 5 * 3 + 1;
    const cloud = new FakeCloud().reply(
      json({ listsnapshotsresponse: { count, snapshot: volumes(0, 3) } }),
      ...[1, 2, 3, 4].map((p) => slow({ listsnapshotsresponse: { count, snapshot: volumes(p * 3, 3) } })),
      slow({ listsnapshotsresponse: { count, snapshot: volumes(15, 1) } }),
    );
    const firstIds: string[] = [];
    const items = await cloud.client({ pageSize: 3, maxConcurrency: 3 }).list<{ id: string }>('listSnapshots', 'snapshot', {}, undefined, (p) => firstIds.push(p[0].id));
    assert.deepEqual(items.map((i) => i.id), volumes(0, count).map((v) => v.id));
    assert.deepEqual(firstIds, ['vol-0', 'vol-3', 'vol-6', 'vol-9', 'vol-12', 'vol-15']);
    assert.deepEqual(cloud.seen.map((s) => s.params.page), ['1', '2', '3', '4', '5', '6']);
    assert.equal(cloud.maxInFlight, 3, 'pages 2–6 were asked together, three at a time');
  });

  it('a full last page with a count grown meanwhile is read on, page by page', async () => {
    const cloud = new FakeCloud().reply(
      json({ listsnapshotsresponse: { count: 4, snapshot: volumes(0, 2) } }),
      json({ listsnapshotsresponse: { count: 5, snapshot: volumes(2, 2) } }),
      json({ listsnapshotsresponse: { count: 5, snapshot: volumes(4, 1) } }),
    );
    const items = await cloud.client({ pageSize: 2 }).list<{ id: string }>('listSnapshots', 'snapshot');
    assert.equal(items.length, 5);
    assert.deepEqual(cloud.seen.map((s) => s.params.page), ['1', '2', '3']);
  });

  it('stops when count is reached even on a full page, and on a short page without count', async () => {
    const cloud = new FakeCloud().reply(
      json({ listsnapshotsresponse: { count: 4, snapshot: volumes(0, 2) } }),
      json({ listsnapshotsresponse: { count: 4, snapshot: volumes(2, 2) } }),
      json({ listzonesresponse: { zone: volumes(0, 1) } }),
    );
    const client = cloud.client({ pageSize: 2 });
    assert.equal((await client.list('listSnapshots', 'snapshot')).length, 4);
    assert.equal(cloud.seen.length, 2);
    assert.equal((await client.list('listZones', 'zone')).length, 1);
    assert.equal(cloud.seen.length, 3);
    assert.equal(cloud.seen[2].params.listall, undefined, 'listZones takes no listall');
    assert.equal(cloud.seen[2].params.pagesize, '2');
  });

  it("pages with the server's largest page size when it refuses ours", async () => {
    const cloud = new FakeCloud().reply(
      csError('listVolumes', 431, "Page size can't exceed max allowed page size value: 2"),
      json({ listvolumesresponse: { count: 3, volume: volumes(0, 2) } }),
      json({ listvolumesresponse: { count: 3, volume: volumes(2, 1) } }),
    );
    const client = cloud.client();
    assert.equal((await client.list('listVolumes', 'volume')).length, 3);
    assert.deepEqual(
      cloud.seen.map((s) => [s.params.page, s.params.pagesize]),
      [
        ['1', '500'],
        ['1', '2'],
        ['2', '2'],
      ],
    );
    // Another 431 is the caller's problem, not a page size to adopt.
    const other = new FakeCloud().reply(csError('listVolumes', 431, 'Unable to execute API command listvolumes due to invalid value'));
    assert.equal((await failure(other.client().list('listVolumes', 'volume'))).kind, 'invalid');
    assert.equal(other.seen.length, 1);
  });

  it('an answer without the list key is an empty list; a list key that is not a list is malformed', async () => {
    const cloud = new FakeCloud().reply(json({ listvmsnapshotresponse: {} }), json({ listvmsnapshotresponse: { count: 1, vmSnapshot: { id: 'x' } } }));
    const client = cloud.client();
    assert.deepEqual(await client.list('listVMSnapshot', 'vmSnapshot'), []);
    assert.equal(cloud.seen.length, 1);
    assertKind(await failure(client.list('listVMSnapshot', 'vmSnapshot')), 'malformed');
  });
});

describe('cloudstack client: async jobs', () => {
  it('start returns the job id and the id of what it acts on; a start without a job id is malformed', async () => {
    const cloud = new FakeCloud().reply(json({ createsnapshotresponse: { id: 'snap-1', jobid: 'job-1' } }), json({ createsnapshotresponse: { id: 'snap-2' } }));
    const client = cloud.client();
    assert.deepEqual(await client.start('createSnapshot', { volumeid: 'vol-1' }), { jobid: 'job-1', id: 'snap-1' });
    assert.equal(cloud.seen[0].params.volumeid, 'vol-1');
    assertKind(await failure(client.start('createSnapshot', { volumeid: 'vol-1' })), 'malformed', /no job id/);
  });

  it('job polls queryAsyncJobResult and decodes pending, done and failed; an unknown status is malformed', async () => {
    const cloud = new FakeCloud().reply(
      json({ queryasyncjobresultresponse: { jobid: 'job-1', jobstatus: 0, jobprocstatus: 0, cmd: 'org.apache.cloudstack.api.command.user.snapshot.CreateSnapshotCmd' } }),
      json({ queryasyncjobresultresponse: { jobid: 'job-1', jobstatus: 1, jobresultcode: 0, jobresult: { snapshot: { id: 'snap-1', state: 'BackedUp' } } } }),
      json({ queryasyncjobresultresponse: { jobid: 'job-2', jobstatus: 2, jobresultcode: 530, jobresult: { errorcode: 536, errortext: 'Volume\u0007 is in use by\n a template being created' } } }),
      json({ queryasyncjobresultresponse: { jobid: 'job-3', jobstatus: 7 } }),
    );
    const client = cloud.client();
    assert.equal((await client.job('job-1')).jobstatus, 0);
    const done = await client.job('job-1');
    assert.equal(done.jobstatus, 1);
    assert.deepEqual(done.jobresult, { snapshot: { id: 'snap-1', state: 'BackedUp' } });
    const failed = await client.job('job-2');
    assert.equal(failed.jobstatus, 2);
    // The job's errortext is the operation's message (control characters gone), its code the kind.
    assert.equal(jobFailureMessage(failed), 'Volume is in use by a template being created');
    assertKind(jobError(failed), 'inUse');
    assert.deepEqual(
      cloud.seen.map((s) => [s.command, s.params.jobid]),
      [
        ['queryAsyncJobResult', 'job-1'],
        ['queryAsyncJobResult', 'job-1'],
        ['queryAsyncJobResult', 'job-2'],
      ],
    );
    assertKind(await failure(client.job('job-3')), 'malformed');
  });

  it("a failed job's message is bounded and falls back to its code", () => {
    const long = jobFailureMessage({ jobid: 'j', jobstatus: 2, jobresult: { errorcode: 530, errortext: 'x'.repeat(5000) } });
    assert.ok(long.length <= 300);
    assert.equal(jobFailureMessage({ jobid: 'j9', jobstatus: 2, jobresult: { errorcode: 530 } }), 'The CloudStack job j9 failed (error 530).');
  });
});

describe('cloudstack client: errors', () => {
  const cases: { name: string; reply: HttpResponse; kind: ErrorKind; message: RegExp; code?: string }[] = [
    {
      name: '401: the keys',
      reply: csError('listZones', 401, 'unable to verify user credentials and/or request signature', { date: new Date(NOW).toUTCString() }),
      kind: 'auth',
      message: /cloud\.example\.test:8080 refused the API key and signature \(HTTP 401\): check the API key and secret key/,
      code: '401',
    },
    {
      name: '401 from a server whose clock is 25 minutes ahead: our clock is behind',
      reply: csError('listZones', 401, 'unable to verify user credentials and/or request signature', { date: new Date(NOW + 25 * 60_000).toUTCString() }),
      kind: 'unknown',
      message: /refused the request's signature as expired: this computer's clock is 25 minutes behind the server's\. Correct the clock/,
      code: 'ClockSkew',
    },
    {
      name: '401 from a server whose clock is 20 minutes behind ours',
      reply: csError('listZones', 401, 'unable to verify user credentials and/or request signature', { date: new Date(NOW - 20 * 60_000).toUTCString() }),
      kind: 'unknown',
      message: /this computer's clock is 20 minutes ahead of the server's/,
      code: 'ClockSkew',
    },
    { name: '411: two-factor', reply: csError('listZones', 411, 'Two factor authentication required'), kind: 'auth', message: /two-factor/ },
    { name: '431: bad parameter, with its text', reply: csError('listZones', 431, 'Unable to execute API command listzones due to invalid value. Invalid parameter page value=x'), kind: 'invalid', message: /Invalid parameter page value=x/, code: '431' },
    { name: '431: an id that names nothing', reply: csError('listZones', 431, 'Unable to find volume with specified id'), kind: 'notFound', message: /Unable to find volume/ },
    { name: '432: a command this server does not offer', reply: csError('listZones', 432, "The given command 'listZones' either does not exist, is not available for user."), kind: 'invalid', message: /does not offer listZones to this account/ },
    { name: '432: an entity that does not exist', reply: csError('listZones', 432, 'Snapshot with id 12 does not exist'), kind: 'notFound', message: /does not exist/ },
    { name: '531: permission denied', reply: csError('listZones', 531, 'Account admin does not have permission to operate on volume'), kind: 'auth', message: /refused listZones to this account: Account admin/ },
    { name: '532: a resource limit', reply: csError('listZones', 532, 'Maximum number of resources of type snapshot exceeded'), kind: 'invalid', message: /Maximum number/ },
    { name: '533: insufficient capacity', reply: csError('listZones', 533, 'No capacity'), kind: 'server', message: /insufficient capacity/ },
    { name: '536: in use', reply: csError('listZones', 536, 'Volume is in use'), kind: 'inUse', message: /in use/ },
    { name: '537: a rule conflict', reply: csError('listZones', 537, 'conflict'), kind: 'invalid', message: /conflict/ },
    { name: 'HTTP 404 page: the endpoint URL', reply: { status: 404, headers: { 'content-type': 'text/html' }, body: '<html>Not Found</html>' }, kind: 'invalid', message: /answered HTTP 404: check the endpoint URL/ },
    { name: 'a web page with 200: the endpoint URL', reply: { status: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>CloudStack</title>' }, kind: 'malformed', message: /a web page, not CloudStack's API: check the endpoint URL/ },
    { name: 'a truncated body', reply: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"listzonesresponse":{"count":2,"zone":[{"id":"z1","na' }, kind: 'malformed', message: /not JSON \(cut short\?\)/ },
    { name: 'JSON without the response object', reply: json({ something: 1 }), kind: 'malformed', message: /no "listzonesresponse"/ },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.kind}`, async () => {
      // Answers that cannot change are not retried (one request), even for a read.
      const cloud = new FakeCloud().reply(c.reply);
      const e = await failure(cloud.client().call('listZones'));
      assertKind(e, c.kind, c.message);
      if (c.code) {
        assert.equal(e.code, c.code);
      }
      assert.equal(cloud.seen.length, 1);
    });
  }

  it('errortext is untrusted: one line, no control characters, bounded', async () => {
    const cloud = new FakeCloud().reply(csError('listZones', 431, `bad\u001b[31m value\r\n${'y'.repeat(2000)}`));
    const e = await failure(cloud.client().call('listZones'));
    assert.ok(![...e.message].some((c) => c.charCodeAt(0) < 0x20), JSON.stringify(e.message));
    assert.ok(e.message.length <= 300, `${e.message.length}`);
  });

  const network: { code: string; message: RegExp }[] = [
    { code: 'ECONNREFUSED', message: /Nothing answers at http:\/\/cloud\.example\.test:8080\/client\/api \(connection refused\): check the endpoint URL/ },
    { code: 'ENOTFOUND', message: /The host cloud\.example\.test:8080 of the endpoint .* could not be found \(DNS\)/ },
    { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: /not signed by a certificate authority this computer trusts.*set snapkeeper\.cloudstack\.caFile/ },
    { code: 'CERT_HAS_EXPIRED', message: /certificate of cloud\.example\.test:8080 is expired/ },
  ];
  for (const n of network) {
    it(`${n.code} → network, saying what to check`, async () => {
      const cloud = new FakeCloud().reply(netError(n.code, false), netError(n.code, false), netError(n.code, false), netError(n.code, false));
      const e = await failure(cloud.client().call('listZones'));
      assertKind(e, 'network', n.message);
    });
  }
});

describe('cloudstack client: retries', () => {
  it('a throttled read is retried after the wait the rate limit asks for, signed again each time', async () => {
    const limit = csError('listZones', 429, 'The given user has reached his/her account api limit, please retry after [2500] ms.');
    const cloud = new FakeCloud().reply(limit, limit, json({ listzonesresponse: { count: 1, zone: [{ id: 'z1' }] } }));
    assert.deepEqual(await cloud.client().list('listZones', 'zone'), [{ id: 'z1' }]);
    assert.equal(cloud.seen.length, 3);
    assert.equal(cloud.sleeps.length, 2);
    assert.ok(cloud.sleeps.every((ms) => ms >= 2500), cloud.sleeps.join(','));
  });

  it('throttling that persists ends throttled after maxAttempts', async () => {
    const limit = csError('listZones', 429, 'too many requests');
    const cloud = new FakeCloud().reply(limit, limit, limit);
    assertKind(await failure(cloud.client({ maxAttempts: 3 }).call('listZones')), 'throttled');
    assert.equal(cloud.seen.length, 3);
  });

  it('a read is retried after a 5xx and after a reset', async () => {
    const cloud = new FakeCloud().reply(
      { status: 503, headers: { 'content-type': 'text/html' }, body: '<html>503 Service Unavailable</html>' },
      netError('ECONNRESET', true),
      csError('listVolumes', 530, 'Internal error executing command'),
      json({ listvolumesresponse: {} }),
    );
    assert.deepEqual(await cloud.client().list('listVolumes', 'volume'), []);
    assert.equal(cloud.seen.length, 4);
    assert.deepEqual(cloud.sleeps, [225, 450, 900], 'exponential back-off with jitter (random 0.5)');
  });

  it('a start whose connection dropped after it was sent is not repeated: it may have run', async () => {
    const cloud = new FakeCloud().reply(netError('ECONNRESET', true));
    assertKind(await failure(cloud.client().start('createSnapshot', { volumeid: 'vol-1' })), 'network');
    assert.equal(cloud.seen.length, 1);
  });

  it('a start that never left (connection refused), or that was throttled, is sent again', async () => {
    const cloud = new FakeCloud().reply(
      netError('ECONNREFUSED', false),
      csError('createSnapshot', 429, 'The given user has reached his/her account api limit, please retry after [10] ms.'),
      json({ createsnapshotresponse: { id: 'snap-1', jobid: 'job-1' } }),
    );
    assert.deepEqual(await cloud.client().start('createSnapshot', { volumeid: 'vol-1' }), { jobid: 'job-1', id: 'snap-1' });
    assert.equal(cloud.seen.length, 3);
  });

  it('a command that changes something is not repeated after a 5xx', async () => {
    const cloud = new FakeCloud().reply(csError('deleteSnapshot', 530, 'Internal error'));
    assertKind(await failure(cloud.client().call('deleteSnapshot', { id: 's1' })), 'server');
    assert.equal(cloud.seen.length, 1);
  });

  it('a GET refused with 405 is sent again as a POST form (UTF-8)', async () => {
    const seenRequests: HttpRequest[] = [];
    const cloud = new FakeCloud().reply(
      csError('createTags', 405, 'Method not allowed'),
      async (req) => {
        seenRequests.push(req);
        return json({ createtagsresponse: { jobid: 'job-7' } });
      },
    );
    assert.deepEqual(await cloud.client().start('createTags', { 'tags[0].key': 'note', 'tags[0].value': 'Ünï ~' }), { jobid: 'job-7' });
    assert.deepEqual(
      cloud.seen.map((s) => s.method),
      ['GET', 'POST'],
    );
    assert.equal(seenRequests[0].url, ENDPOINT);
    assert.equal(seenRequests[0].headers['content-type'], 'application/x-www-form-urlencoded; charset=UTF-8');
    assert.equal(cloud.seen[1].params['tags[0].value'], 'Ünï ~');
  });

  it('after a 405, the next commands that change things go as POSTs at once; reads stay GETs', async () => {
    const cloud = new FakeCloud().reply(
      csError('createTags', 405, 'Method not allowed'),
      json({ createtagsresponse: { jobid: 'job-1' } }),
      json({ deletetagsresponse: { jobid: 'job-2' } }),
      json({ listtagsresponse: {} }),
    );
    const client = cloud.client();
    await client.start('createTags', { resourceids: 'a' });
    await client.start('deleteTags', { resourceids: 'a' });
    await client.list('listTags', 'tag');
    assert.deepEqual(
      cloud.seen.map((s) => `${s.method} ${s.command}`),
      ['GET createTags', 'POST createTags', 'POST deleteTags', 'GET listTags'],
    );
  });

  it('a long query goes as a POST', async () => {
    const cloud = new FakeCloud().reply(json({ updatevolumeresponse: { volume: { id: 'v' } } }));
    await cloud.client().call('updateVolume', { id: 'v', name: 'n'.repeat(3000) });
    assert.equal(cloud.seen[0].method, 'POST');
  });
});

describe('cloudstack client: abort, concurrency, clock, secrets', () => {
  it('abort: a request in flight rejects with the abort, and is not retried', async () => {
    const abort = new AbortController();
    const cloud = new FakeCloud().reply(
      (req) =>
        new Promise<HttpResponse>((_resolve, reject) => {
          req.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
          abort.abort();
        }),
    );
    await assert.rejects(cloud.client().list('listVolumes', 'volume', {}, abort.signal), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(cloud.seen.length, 1);
  });

  it('abort before a retry: no further request', async () => {
    const abort = new AbortController();
    const cloud = new FakeCloud().reply(netError('ECONNRESET', true));
    const client = cloud.client({
      sleep: async () => {
        abort.abort();
        throw abort.signal.reason;
      },
    });
    await assert.rejects(client.call('listZones', {}, abort.signal), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(cloud.seen.length, 1);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    const cloud = new FakeCloud();
    for (let i = 0; i < 6; i++) {
      cloud.reply(async () => {
        await new Promise((r) => setTimeout(r, 5));
        return json({ listzonesresponse: {} });
      });
    }
    const client = cloud.client({ maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => client.list('listZones', 'zone')));
    assert.equal(cloud.seen.length, 6);
    assert.equal(cloud.maxInFlight, 2);
  });

  it('signs with expires ten minutes after the injected clock', async () => {
    const cloud = new FakeCloud().reply(json({ listzonesresponse: {} }));
    await cloud.client().call('listZones');
    assert.equal(cloud.seen[0].params.expires, '2026-12-03T15:30:00+0000');
  });

  it('never logs or shows the API key, the secret key or a signature', async () => {
    const cloud = new FakeCloud().reply(
      netError('ECONNRESET', true),
      Object.assign(new Error(`request to ${ENDPOINT}?apiKey=${API_KEY}&signature=abc%2Bdef failed`), { code: undefined, sent: true }),
      csError('listZones', 401, `bad key ${API_KEY}`),
    );
    const e = await failure(cloud.client().call('listZones'));
    const signatures = cloud.seen.map((s) => s.params.signature);
    const text = [...cloud.logs, e.message].join('\n');
    assert.ok(cloud.logs.length >= 2, 'the retries were logged');
    for (const secret of [API_KEY, SECRET_KEY, encodeURIComponent(SECRET_KEY), ...signatures, 'abc%2Bdef']) {
      assert.ok(!text.includes(secret), `"${secret}" was logged or shown:\n${text}`);
    }
  });

  it('a closed client refuses further calls', async () => {
    const client = new FakeCloud().client();
    client.dispose();
    assertKind(await failure(client.call('listZones')), 'unknown', /closed/);
  });

  it('refuses an endpoint that is not an http(s) URL without a query', () => {
    for (const endpoint of ['cloud.example.org/client/api', 'ftp://x/client/api', 'https://x/client/api?command=listZones']) {
      assert.throws(() => createClient({ endpoint, apiKey: 'a', secretKey: 's' }), (e: unknown) => isCloudError(e) && e.kind === 'invalid', endpoint);
    }
  });
});

describe('cloudstack client: TLS with an explicit CA file (a real https server)', () => {
  const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cloudstack-tls');
  let server: Server;
  let endpoint: string;
  const received: string[] = [];

  before(async () => {
    server = createServer({ key: readFileSync(join(dir, 'server-key.pem')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
      const params = new URL(req.url ?? '/', 'https://x').searchParams;
      received.push(params.get('command') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ listzonesresponse: { count: 1, zone: [{ id: 'z1', name: 'Zone One' }] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/client/api`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('without the CA: refused, naming the CA-file setting; with it: the endpoint answers', async () => {
    const without = createClient({ endpoint, apiKey: API_KEY, secretKey: SECRET_KEY, maxAttempts: 1 });
    try {
      assertKind(await failure(without.list('listZones', 'zone')), 'network', /not signed by a certificate authority this computer trusts.*snapkeeper\.cloudstack\.caFile/);
    } finally {
      without.dispose();
    }
    assert.deepEqual(received, [], 'a request reached the server over an untrusted connection');
    const trusting = createClient({ endpoint, apiKey: API_KEY, secretKey: SECRET_KEY, ca: readFileSync(join(dir, 'ca.pem'), 'utf8') });
    try {
      assert.deepEqual(await trusting.list('listZones', 'zone'), [{ id: 'z1', name: 'Zone One' }]);
    } finally {
      trusting.dispose();
    }
    assert.deepEqual(received, ['listZones']);
  });
});
