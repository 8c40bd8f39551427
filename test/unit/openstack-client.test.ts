// The OpenStack client (src/adapters/openstack/{client,auth,catalog,errors}.ts) through an injected
// transport: Keystone tokens (issued, renewed before expiry, renewed once on a 401 — and a request
// that may have acted never sent twice), the catalog (region, interface, aliases, a missing service),
// version documents and microversions, paging by links and Glance's `next`, each service's error
// bodies, Retry-After, truncated bodies, abort, the bound on requests in flight, secrets kept out
// of logs and messages, and TLS with an explicit CA file (a real https server).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { OpenStackApi } from '../../src/adapters/openstack/api';
import { authBody, parseToken, tokensUrl, type Credentials } from '../../src/adapters/openstack/auth';
import { endpointOf, serviceUrls, versionsOf, type CatalogEntry } from '../../src/adapters/openstack/catalog';
import { createClient, type HttpResponse, type OpenStackClientOptions } from '../../src/adapters/openstack/client';
import { answerError, faultOf, redact } from '../../src/adapters/openstack/errors';
import { isCloudError, type ErrorKind } from '../../src/model/errors';
import { assertKind, failure } from './fakes';
import { catalog, fakeCloud, json, PASSWORD, PROJECT, serviceCalls, type FakeCloud, type Route } from './openstack-fake';

const AUTH_URL = 'http://keystone.test:5000/v3';
const CREDENTIALS: Credentials = {
  authUrl: AUTH_URL,
  password: { userName: 'demo', userDomainName: 'Default', password: PASSWORD },
  project: { name: 'demo', domainName: 'Default' },
};

interface Harness {
  fake: FakeCloud;
  api: OpenStackApi;
  logs: string[];
  sleeps: number[];
  clock: { now: number };
}

function harness(routes: Route[], over: Partial<OpenStackClientOptions> = {}): Harness {
  const clock = { now: Date.parse('2026-12-03T16:00:00Z') };
  const fake = fakeCloud(routes, () => clock.now);
  const logs: string[] = [];
  const sleeps: number[] = [];
  const api = createClient({
    credentials: CREDENTIALS,
    transport: fake.transport,
    now: () => clock.now,
    log: (m) => void logs.push(m),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...over,
  });
  return { fake, api, logs, sleeps, clock };
}

const on =
  (method: string, pattern: RegExp, answer: (url: string) => HttpResponse | Error | undefined): Route =>
  (req) => {
    if (req.method !== method || !pattern.test(req.url)) {
      return undefined;
    }
    const a = answer(req.url);
    if (a instanceof Error) {
      throw a;
    }
    return a;
  };

const netError = (code: string, sent: boolean) => Object.assign(new Error(code), { code, sent });

/** Nova's and Cinder's version documents, as their roots answer them (Cinder with HTTP 300). */
const NOVA_VERSIONS = json(200, { versions: [{ id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '' }, { id: 'v2.1', status: 'CURRENT', version: '2.96', min_version: '2.1' }] });
const CINDER_VERSIONS = json(300, { versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.27', min_version: '3.0' }] });

describe('openstack auth: Keystone v3 tokens', () => {
  it('password auth: user and project by name and domain; the token of X-Subject-Token goes in X-Auth-Token', async () => {
    const h = harness([on('GET', /nova\.test:8774\/v2\.1\/servers$/, () => json(200, { servers: [] }))]);
    await h.api.request('compute', 'GET', '/servers');
    const [auth, call] = h.fake.calls;
    assert.equal(auth.url, 'http://keystone.test:5000/v3/auth/tokens');
    assert.deepEqual(JSON.parse(auth.body ?? ''), {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: PASSWORD } } },
        scope: { project: { name: 'demo', domain: { name: 'Default' } } },
      },
    });
    assert.equal(call.headers['x-auth-token'], 'tok-1');
    assert.deepEqual(await h.api.project(), { id: PROJECT, name: 'demo' });
    assert.equal(h.api.region, 'RegionOne');
  });

  it('application credentials: by id and secret, or by name, secret and user; no scope', () => {
    assert.deepEqual(authBody({ authUrl: AUTH_URL, applicationCredential: { id: 'ac1', secret: 's3' } }), {
      auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac1', secret: 's3' } } },
    });
    assert.deepEqual(authBody({ authUrl: AUTH_URL, applicationCredential: { name: 'backup', secret: 's3', userName: 'demo', userDomainId: 'default' } }), {
      auth: { identity: { methods: ['application_credential'], application_credential: { name: 'backup', secret: 's3', user: { name: 'demo', domain: { id: 'default' } } } } },
    });
    assert.throws(() => authBody({ authUrl: AUTH_URL, applicationCredential: { name: 'backup', secret: 's3' } }), /its name and its user/);
    assert.throws(() => authBody({ authUrl: AUTH_URL, password: { userName: 'u', password: 'p' } }), /needs a project/);
  });

  it('the auth URL is completed to /v3/auth/tokens whatever form it takes', () => {
    assert.equal(tokensUrl('https://k.test:5000'), 'https://k.test:5000/v3/auth/tokens');
    assert.equal(tokensUrl('https://k.test/identity/v3/'), 'https://k.test/identity/v3/auth/tokens');
    assert.equal(tokensUrl('https://k.test:5000/v2.0'), 'https://k.test:5000/v3/auth/tokens');
  });

  it("parses the API reference's project-scoped token answer", () => {
    // Typed in after the example response of "Password authentication with scoped authorization"
    // in the OpenStack Identity API v3 reference (docs.openstack.org/api-ref/identity/v3,
    // POST /v3/auth/tokens), shortened to one service.
    const body = `{"token": {"methods": ["password"], "roles": [{"id": "51cc68287d524c759f47c811e6463340", "name": "admin"}],
      "expires_at": "2015-11-09T01:42:57.527363Z", "project": {"domain": {"id": "default", "name": "Default"},
      "id": "a6944d763bf64ee6a275f1263fae0352", "name": "admin"}, "catalog": [{"endpoints": [
      {"region_id": "RegionOne", "url": "http://example.com/compute/v2/a6944d763bf64ee6a275f1263fae0352", "region": "RegionOne", "interface": "public", "id": "2dce7429526e44808235fe918063a914"},
      {"region_id": "RegionOne", "url": "http://example.com/compute/v2/a6944d763bf64ee6a275f1263fae0352", "region": "RegionOne", "interface": "internal", "id": "a4f1fc8c5f7a4a3b8b9d19c5b8e4a5c1"}],
      "type": "compute", "id": "1c45ae9b7f5c4a0d8cb1e4f23b68d7e9", "name": "nova"}], "extras": {},
      "user": {"domain": {"id": "default", "name": "Default"}, "id": "ee4dfb6e5540447cb3741905149d9b6e", "name": "admin", "password_expires_at": "2016-11-06T15:32:17.000000"},
      "audit_ids": ["3T2dc1CGQxyJsHdDu1xkcw"], "issued_at": "2015-11-09T00:42:57.527404Z"}}`;
    const token = parseToken({ 'x-subject-token': 'gAAAAABWQDWh' }, body, AUTH_URL);
    assert.equal(token.value, 'gAAAAABWQDWh');
    assert.equal(token.expiresAt, Date.parse('2015-11-09T01:42:57.527Z'));
    assert.deepEqual(token.project, { id: 'a6944d763bf64ee6a275f1263fae0352', name: 'admin' });
    const url = endpointOf(token.catalog, 'compute', 'RegionOne');
    // The legacy v2 URL with its project id becomes v2.1, the project id kept.
    assert.deepEqual(serviceUrls(url, 'compute', token.project.id), {
      base: 'http://example.com/compute/v2.1/a6944d763bf64ee6a275f1263fae0352',
      root: 'http://example.com/compute',
      versioned: 'http://example.com/compute/v2.1/',
    });
    assertKind(failureSync(() => parseToken({}, body, AUTH_URL)), 'malformed', /X-Subject-Token/);
    assertKind(failureSync(() => parseToken({ 'x-subject-token': 't' }, body.slice(0, 80), AUTH_URL)), 'malformed', /not JSON/);
  });

  it('renews the token before it expires (a margin), not before', async () => {
    const h = harness([on('GET', /\/servers$/, () => json(200, { servers: [] }))]);
    await h.api.request('compute', 'GET', '/servers');
    h.clock.now += 50 * 60_000; // 10 minutes left: still used
    await h.api.request('compute', 'GET', '/servers');
    assert.equal(h.fake.issued, 1);
    h.clock.now += 6 * 60_000; // 4 minutes left: renewed first
    await h.api.request('compute', 'GET', '/servers');
    assert.equal(h.fake.issued, 2);
    assert.deepEqual(
      serviceCalls(h.fake).map((c) => c.headers['x-auth-token']),
      ['tok-1', 'tok-1', 'tok-2'],
    );
  });

  it('concurrent requests share one token request', async () => {
    const h = harness([on('GET', /\/servers$/, () => json(200, { servers: [] }))]);
    await Promise.all([1, 2, 3].map(() => h.api.request('compute', 'GET', '/servers')));
    assert.equal(h.fake.issued, 1);
  });

  it('a read refused with 401 mid-operation: the token is renewed once and the read sent again', async () => {
    const h = harness([
      (req) => (req.headers['x-auth-token'] === 'tok-1' && req.url.includes('/servers') ? json(401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }) : undefined),
      on('GET', /\/servers$/, () => json(200, { servers: [{ id: 's1' }] })),
    ]);
    const { body } = await h.api.request<{ servers: unknown[] }>('compute', 'GET', '/servers');
    assert.deepEqual(body.servers, [{ id: 's1' }]);
    assert.deepEqual(serviceCalls(h.fake).map((c) => c.headers['x-auth-token']), ['tok-1', 'tok-2']);
  });

  it('a token refused again after renewal: expired, and no third try', async () => {
    const h = harness([on('GET', /\/servers$/, () => json(401, { error: { code: 401, title: 'Unauthorized', message: 'requires authentication' } }))]);
    assertKind(await failure(h.api.request('compute', 'GET', '/servers')), 'expired', /refused the token/);
    assert.equal(serviceCalls(h.fake).length, 2);
    assert.equal(h.fake.issued, 2);
  });

  it("a POST refused by Keystone's auth middleware (WWW-Authenticate: Keystone) is sent once more with a new token: it did not act", async () => {
    let creates = 0;
    const h = harness([
      on('POST', /\/servers\/s1\/action$/, () => json(401, { error: { code: 401, title: 'Unauthorized', message: 'x' } }, { 'www-authenticate': "Keystone uri='http://keystone.test:5000'" })),
    ]);
    const acting = harness([
      (req) => {
        if (req.method !== 'POST' || !req.url.endsWith('/action')) {
          return undefined;
        }
        creates++;
        return req.headers['x-auth-token'] === 'tok-1'
          ? json(401, { error: { code: 401, title: 'Unauthorized', message: 'x' } }, { 'www-authenticate': "Keystone uri='http://keystone.test:5000'" })
          : { status: 202, headers: { location: 'http://glance.test:9292/v2/images/i1' }, body: '' };
      },
    ]);
    const answer = await acting.api.request('compute', 'POST', '/servers/s1/action', { body: { createImage: { name: 'snap' } } });
    assert.equal(answer.status, 202);
    assert.equal(creates, 2);
    // Refused twice: expired after the one renewal.
    assertKind(await failure(h.api.request('compute', 'POST', '/servers/s1/action', { body: {} })), 'expired');
    assert.equal(serviceCalls(h.fake).length, 2);
  });

  it('a POST answered 401 without the middleware header is not sent again (it may have acted): expired', async () => {
    const h = harness([on('POST', /\/action$/, () => json(401, { message: 'Unauthorized' }))]);
    assertKind(await failure(h.api.request('compute', 'POST', '/servers/s1/action', { body: { reboot: { type: 'SOFT' } } })), 'expired');
    assert.equal(serviceCalls(h.fake).length, 1);
    assert.ok(h.logs.some((l) => /not repeated: it may have acted/.test(l)));
  });

  it('a POST whose connection dropped after it was sent, or that got a 5xx, is not sent again', async () => {
    const reset = harness([on('POST', /\/action$/, () => netError('ECONNRESET', true))]);
    assertKind(await failure(reset.api.request('compute', 'POST', '/servers/s1/action', { body: {} })), 'network');
    assert.equal(serviceCalls(reset.fake).length, 1);
    const failed = harness([on('POST', /\/action$/, () => json(500, { computeFault: { code: 500, message: 'Unexpected API Error.' } }))]);
    assertKind(await failure(failed.api.request('compute', 'POST', '/servers/s1/action', { body: {} })), 'server', /Unexpected API Error/);
    assert.equal(serviceCalls(failed.fake).length, 1);
  });

  it('a POST that never left (connection refused) is sent again', async () => {
    let n = 0;
    const h = harness([on('POST', /\/action$/, () => (++n === 1 ? netError('ECONNREFUSED', false) : { status: 202, headers: {}, body: '' }))]);
    assert.equal((await h.api.request('compute', 'POST', '/servers/s1/action', { body: {} })).status, 202);
    assert.equal(n, 2);
  });

  it('Keystone errors say what is wrong: the password, the project, the URL, the CA', async () => {
    const wrong = harness([on('POST', /auth\/tokens$/, () => json(401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }))]);
    const e = await failure(wrong.api.request('compute', 'GET', '/servers'));
    assertKind(e, 'auth', /refused the password of the user demo in the project demo.*user_domain_name/);
    assert.ok(!e.message.includes(PASSWORD));
    const project = harness([on('POST', /auth\/tokens$/, () => json(401, { error: { code: 401, title: 'Unauthorized', message: 'Could not find project: demo.' } }))]);
    assertKind(await failure(project.api.request('compute', 'GET', '/servers')), 'auth', /refused to scope the token to the project demo/);
    const missing = harness([on('POST', /auth\/tokens$/, () => json(404, { error: { code: 404, title: 'Not Found', message: 'Could not find project: demo.' } }))]);
    assertKind(await failure(missing.api.request('compute', 'GET', '/servers')), 'auth', /found no project demo/);
    const notKeystone = harness([on('POST', /auth\/tokens$/, () => ({ status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' }))]);
    assertKind(await failure(notKeystone.api.request('compute', 'GET', '/servers')), 'invalid', /is not Keystone v3.*check the auth URL/);
    const down = harness([on('POST', /auth\/tokens$/, () => netError('ECONNREFUSED', false))], { maxAttempts: 2 });
    assertKind(await failure(down.api.request('compute', 'GET', '/servers')), 'network', /Nothing answers at http:\/\/keystone\.test:5000\/v3\/auth\/tokens \(Keystone/);
    const tls = harness([on('POST', /auth\/tokens$/, () => netError('SELF_SIGNED_CERT_IN_CHAIN', false))], { maxAttempts: 1 });
    assertKind(await failure(tls.api.request('compute', 'GET', '/servers')), 'network', /set cacert in its clouds\.yaml entry \(or snapkeeper\.openstack\.caFile/);
  });
});

function failureSync(f: () => unknown): import('../../src/model/errors').CloudError {
  try {
    f();
  } catch (e) {
    assert.ok(isCloudError(e), `not a CloudError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('openstack catalog', () => {
  const cat = catalog() as CatalogEntry[];

  it('picks the endpoint by service type (with aliases), region and interface', () => {
    assert.equal(endpointOf(cat, 'compute', 'RegionOne'), 'http://nova.test:8774/v2.1');
    assert.equal(endpointOf(cat, 'compute', 'RegionOne', 'internal'), 'http://nova-internal.test:8774/v2.1');
    assert.equal(endpointOf(cat, 'volumev3', 'RegionOne'), `http://cinder.test:8776/v3/${PROJECT}`, 'block-storage');
    assert.equal(endpointOf(cat, 'volumev3', 'RegionTwo'), 'https://two.test/volume/v3', 'volumev3');
    const old: CatalogEntry[] = [{ type: 'volume', endpoints: [{ interface: 'public', region_id: 'R', url: 'http://c.test:8776/v2/p1' }] }];
    assert.equal(endpointOf(old, 'volumev3', 'R'), 'http://c.test:8776/v2/p1', 'volume');
    assert.equal(serviceUrls('http://c.test:8776/v2/p1', 'volumev3', 'p1').base, 'http://c.test:8776/v3/p1');
  });

  it('a missing service is named with its region and what is lost; a missing interface says so', () => {
    const e = failureSync(() => endpointOf(cat, 'volumev3', 'RegionThree'));
    assertKind(e, 'invalid', /^The catalog of RegionThree has no block-storage service \(Cinder\): backups and volume snapshots are not available\.$/);
    assert.equal(e.code, 'NoService');
    assertKind(failureSync(() => endpointOf(cat, 'compute', 'RegionTwo', 'internal')), 'invalid', /no internal compute endpoint.*Set interface/);
  });

  it('version suffixes are replaced with the version the client speaks, a path prefix and a project id kept', () => {
    assert.deepEqual(serviceUrls('http://glance.test:9292', 'image', PROJECT), { base: 'http://glance.test:9292/v2', root: 'http://glance.test:9292', versioned: 'http://glance.test:9292/v2/' });
    assert.equal(serviceUrls('https://two.test/volume/v3', 'volumev3', PROJECT).base, `https://two.test/volume/v3/${PROJECT}`);
    assert.equal(serviceUrls('https://two.test/image/v2/', 'image', PROJECT).base, 'https://two.test/image/v2');
    assert.equal(serviceUrls('http://neutron.test:9696/', 'network', PROJECT).base, 'http://neutron.test:9696/v2.0');
    assert.equal(serviceUrls('https://two.test/compute/v2.1', 'compute', PROJECT).root, 'https://two.test/compute');
  });

  it('requests of another region go to its endpoints, with the same token', async () => {
    const h = harness([on('GET', /two\.test\/compute\/v2\.1\/servers$/, () => json(200, { servers: [] }))]);
    const two = h.api.inRegion('RegionTwo');
    await two.request('compute', 'GET', '/servers');
    assert.equal(two.region, 'RegionTwo');
    assert.deepEqual(await h.api.regions(), ['RegionOne', 'RegionTwo', 'RegionThree']);
    assertKind(await failure(h.api.inRegion('RegionThree').request('volumev3', 'GET', '/volumes')), 'invalid', /RegionThree has no block-storage/);
    assert.equal(h.fake.issued, 1);
  });

  it('the interface of clouds.yaml is used', async () => {
    const h = harness([on('GET', /nova-internal\.test/, () => json(200, { servers: [] }))], { interface: 'internal' });
    await h.api.request('compute', 'GET', '/servers');
    assert.match(serviceCalls(h.fake)[0].url, /^http:\/\/nova-internal\.test:8774\/v2\.1\/servers$/);
  });
});

describe('openstack versions and microversions', () => {
  it("reads the largest microversion from the root's version document (Cinder answers 300)", async () => {
    const h = harness([on('GET', /nova\.test:8774\/$/, () => NOVA_VERSIONS), on('GET', /cinder\.test:8776\/$/, () => CINDER_VERSIONS)]);
    assert.equal(await h.api.maxMicroversion('compute'), '2.96');
    assert.equal(await h.api.maxMicroversion('volumev3'), '3.27');
    assert.equal(await h.api.maxMicroversion('compute'), '2.96');
    assert.equal(serviceCalls(h.fake).length, 2, 'a version document is read once');
  });

  it("falls back to the versioned URL's document when the root has none", async () => {
    const h = harness([on('GET', /two\.test\/volume\/v3\/$/, () => json(200, { version: { id: 'v3.0', status: 'CURRENT', version: '3.71', min_version: '3.0' } }))]);
    assert.equal(await h.api.inRegion('RegionTwo').maxMicroversion('volumev3'), '3.71');
    assert.equal(versionsOf({ versions: { values: [{ id: 'v2.1', version: '2.60' }] } }, 'compute')?.max, '2.60');
  });

  it('refuses a microversion above the cloud’s maximum before sending anything, naming both', async () => {
    const h = harness([on('GET', /cinder\.test:8776\/$/, () => CINDER_VERSIONS), on('POST', /\/action$/, () => ({ status: 202, headers: {}, body: '' }))]);
    const e = await failure(h.api.request('volumev3', 'POST', '/volumes/v1/action', { body: { revert: { snapshot_id: 's' } }, microversion: '3.40', purpose: 'revert' }));
    assertKind(e, 'invalid', /^Needs Cinder microversion 3\.40 for revert; this cloud offers up to 3\.27\.$/);
    assert.equal(e.code, 'MicroversionUnsupported');
    assert.ok(!serviceCalls(h.fake).some((c) => c.method === 'POST'));
  });

  it('sends the microversion headers: both for Nova, the new one for Cinder', async () => {
    const h = harness([
      on('GET', /nova\.test:8774\/$/, () => NOVA_VERSIONS),
      on('GET', /cinder\.test:8776\/$/, () => CINDER_VERSIONS),
      on('GET', /servers\/detail/, () => json(200, { servers: [] })),
      on('GET', /snapshots$/, () => json(200, { snapshots: [] })),
    ]);
    await h.api.request('compute', 'GET', '/servers/detail', { microversion: '2.45' });
    await h.api.request('volumev3', 'GET', '/snapshots', { microversion: '3.27' });
    const [nova, cinder] = serviceCalls(h.fake).filter((c) => !c.url.endsWith('/'));
    assert.equal(nova.headers['openstack-api-version'], 'compute 2.45');
    assert.equal(nova.headers['x-openstack-nova-api-version'], '2.45');
    assert.equal(cinder.headers['openstack-api-version'], 'volume 3.27');
    assert.equal(cinder.headers['x-openstack-nova-api-version'], undefined);
    assert.equal(cinder.url, `http://cinder.test:8776/v3/${PROJECT}/snapshots`);
  });
});

describe('openstack paging', () => {
  it("follows Nova's servers_links (only their query: the link's host may be an internal one)", async () => {
    const h = harness(
      [
        on('GET', /\/servers\/detail/, (url) => {
          const marker = new URL(url).searchParams.get('marker');
          return marker === null
            ? json(200, { servers: [{ id: 'a' }, { id: 'b' }], servers_links: [{ rel: 'next', href: 'http://nova-internal.example:8774/v2.1/servers/detail?limit=2&marker=b' }] })
            : marker === 'b'
              ? json(200, { servers: [{ id: 'c' }] })
              : undefined;
        }),
      ],
      { pageSize: 2 },
    );
    const pages: unknown[][] = [];
    const all = await h.api.list<{ id: string }>('compute', '/servers/detail', 'servers', { all_tenants: undefined }, undefined, (p) => void pages.push(p));
    assert.deepEqual(all.map((s) => s.id), ['a', 'b', 'c']);
    assert.equal(pages.length, 2);
    assert.deepEqual(serviceCalls(h.fake).map((c) => c.url), ['http://nova.test:8774/v2.1/servers/detail?limit=2', 'http://nova.test:8774/v2.1/servers/detail?limit=2&marker=b']);
  });

  it("follows Glance's next", async () => {
    const h = harness([
      on('GET', /glance\.test:9292\/v2\/images/, (url) =>
        new URL(url).searchParams.get('marker') === 'i2'
          ? json(200, { images: [{ id: 'i3' }], first: '/v2/images' })
          : json(200, { images: [{ id: 'i1' }, { id: 'i2' }], first: '/v2/images', next: '/v2/images?marker=i2&owner=p' }),
      ),
    ]);
    const all = await h.api.list<{ id: string }>('image', '/images', 'images', { owner: 'p' });
    assert.deepEqual(all.map((i) => i.id), ['i1', 'i2', 'i3']);
    assert.equal(new URL(serviceCalls(h.fake)[1].url).searchParams.get('owner'), 'p');
  });

  it('a next link that repeats a marker ends as malformed; a list key that is not a list is malformed', async () => {
    const h = harness([on('GET', /\/volumes\/detail/, () => json(200, { volumes: [{ id: 'v' }], volumes_links: [{ rel: 'next', href: '/v3/p/volumes/detail?marker=v' }] }))]);
    assertKind(await failure(h.api.list('volumev3', '/volumes/detail', 'volumes')), 'malformed', /repeats the marker v/);
    const bad = harness([on('GET', /\/snapshots/, () => json(200, { snapshots: { id: 'x' } }))]);
    assertKind(await failure(bad.api.list('volumev3', '/snapshots', 'snapshots')), 'malformed', /is not a list/);
  });
});

describe('openstack errors: each service’s bodies', () => {
  const cases: { name: string; status: number; body: string; kind: ErrorKind; message: RegExp; headers?: Record<string, string> }[] = [
    { name: 'Nova itemNotFound', status: 404, body: '{"itemNotFound": {"code": 404, "message": "Instance abc could not be found."}}', kind: 'notFound', message: /^Instance abc could not be found\.$/ },
    { name: 'Nova badRequest', status: 400, body: '{"badRequest": {"code": 400, "message": "Invalid input for field/attribute name."}}', kind: 'invalid', message: /Invalid input/ },
    { name: 'Nova conflictingRequest (a state)', status: 409, body: `{"conflictingRequest": {"code": 409, "message": "Cannot 'createImage' instance abc while it is in task_state image_snapshot"}}`, kind: 'invalid', message: /task_state/ },
    { name: 'Cinder conflict (in use)', status: 409, body: '{"conflictingRequest": {"code": 409, "message": "Invalid volume: Volume status must be available, but current status is: in-use."}}', kind: 'inUse', message: /in-use/ },
    { name: 'Cinder backup with dependents', status: 400, body: '{"badRequest": {"code": 400, "message": "Invalid backup: Incremental backups exist for this backup."}}', kind: 'invalid', message: /Incremental backups exist/ },
    { name: 'Nova forbidden (policy)', status: 403, body: '{"forbidden": {"code": 403, "message": "Policy doesn\'t allow os_compute_api:servers:create_image to be performed."}}', kind: 'auth', message: /not allowed by the cloud's policy.*Policy doesn't allow/ },
    { name: 'Nova forbidden (quota)', status: 403, body: '{"forbidden": {"code": 403, "message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"}}', kind: 'invalid', message: /Quota exceeded/ },
    { name: 'overLimit with Retry-After', status: 413, body: '{"overLimit": {"code": 413, "message": "This request was rate-limited.", "retryAfter": "7"}}', kind: 'throttled', message: /retry after 7 s/, headers: { 'retry-after': '7' } },
    { name: 'Cinder overLimit (quota)', status: 413, body: '{"overLimit": {"code": 413, "message": "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota."}}', kind: 'invalid', message: /quota/ },
    { name: 'Keystone error', status: 403, body: '{"error": {"code": 403, "title": "Forbidden", "message": "You are not authorized to perform the requested action."}}', kind: 'auth', message: /not authorized/ },
    { name: 'Neutron', status: 404, body: '{"NeutronError": {"type": "NetworkNotFound", "message": "Network n1 could not be found.", "detail": ""}}', kind: 'notFound', message: /^Network n1 could not be found\.$/ },
    { name: 'webob JSON', status: 400, body: '{"message": "The server could not comply with the request since it is either malformed or otherwise incorrect.", "code": "400 Bad Request", "title": "Bad Request"}', kind: 'invalid', message: /could not comply/ },
    { name: 'Glance plain text', status: 404, body: '404 Not Found\n\nNo image found with ID 5b8c9d2e.\n\n   ', kind: 'notFound', message: /^No image found with ID 5b8c9d2e\.$/ },
    { name: 'Glance HTML', status: 409, body: '<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n <body>\n  <h1>409 Conflict</h1>\n  Image 5b8c is in use by a volume.<br /><br />\n\n </body>\n</html>', kind: 'inUse', message: /Image 5b8c is in use by a volume\./ },
    { name: 'a proxy 502 page', status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', kind: 'server', message: /HTTP 502/ },
    { name: '429', status: 429, body: '', kind: 'throttled', message: /limiting requests/ },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.kind}`, () => {
      const e = answerError(c.status, c.body, c.headers ?? {}, { service: 'Nova', url: 'http://nova.test:8774/v2.1', what: 'GET /x' });
      assertKind(e, c.kind, c.message);
    });
  }

  it("the service's message is untrusted: one line, no control characters, bounded", () => {
    const { message } = faultOf(JSON.stringify({ badRequest: { code: 400, message: `bad\u0007\u001b[31m name\n${'x'.repeat(2000)}` } }));
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u001f]/.test(message), message);
    assert.ok(message.length <= 300);
    assert.match(message, /^bad \[31m name x+…$/);
  });
});

describe('openstack retries, bodies, abort, secrets', () => {
  it('a throttled read waits as long as Retry-After asks, then succeeds', async () => {
    let n = 0;
    const h = harness([on('GET', /\/volumes$/, () => (++n === 1 ? json(429, { message: 'slow down' }, { 'retry-after': '12' }) : json(200, { volumes: [] })))]);
    await h.api.request('volumev3', 'GET', '/volumes');
    assert.equal(n, 2);
    assert.ok(h.sleeps[0] >= 12_000, `waited ${h.sleeps[0]} ms`);
  });

  it('a read is retried after a 503, a 500 and a reset; persisting throttling ends throttled after maxAttempts', async () => {
    const replies: (HttpResponse | Error)[] = [json(503, { message: 'down' }), json(500, { computeFault: { message: 'x' } }), netError('ECONNRESET', true), json(200, { servers: [] })];
    const h = harness([on('GET', /\/servers$/, () => replies.shift() ?? json(200, {}))]);
    await h.api.request('compute', 'GET', '/servers');
    assert.equal(serviceCalls(h.fake).length, 4);
    const slow = harness([on('GET', /\/servers$/, () => json(429, {}))], { maxAttempts: 3 });
    assertKind(await failure(slow.api.request('compute', 'GET', '/servers')), 'throttled');
    assert.equal(serviceCalls(slow.fake).length, 3);
  });

  it("a POST refused by a rate limit (429) is sent again: it did not act", async () => {
    let n = 0;
    const h = harness([on('POST', /\/snapshots$/, () => (++n === 1 ? json(429, {}, { 'retry-after': '1' }) : json(202, { snapshot: { id: 's1' } })))]);
    assert.deepEqual((await h.api.request('volumev3', 'POST', '/snapshots', { body: { snapshot: { volume_id: 'v' } } })).body, { snapshot: { id: 's1' } });
    assert.equal(n, 2);
  });

  it('a truncated or garbled JSON body is malformed: a read is sent again first, a write is not', async () => {
    const cut = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"server": {"id": "s1", "na' };
    const h = harness([on('GET', /\/servers\/s1$/, () => cut)]);
    assertKind(await failure(h.api.request('compute', 'GET', '/servers/s1')), 'malformed', /not JSON \(cut short\?\)/);
    assert.equal(serviceCalls(h.fake).length, 4, 'read again, up to the 4 attempts of a read');
    let n = 0;
    const once = harness([on('GET', /\/servers\/s1$/, () => (++n === 1 ? cut : json(200, { server: { id: 's1' } })))]);
    assert.deepEqual((await once.api.request('compute', 'GET', '/servers/s1')).body, { server: { id: 's1' } });
    const post = harness([on('POST', /\/snapshots$/, () => ({ ...cut, status: 202 }))]);
    assertKind(await failure(post.api.request('volumev3', 'POST', '/snapshots', { body: {} })), 'malformed');
    assert.equal(serviceCalls(post.fake).length, 1, 'a write is never sent twice');
  });

  it('an empty 202/204 answer has no body', async () => {
    const h = harness([on('DELETE', /\/snapshots\/s1$/, () => ({ status: 202, headers: {}, body: '' }))]);
    assert.deepEqual(await h.api.request('volumev3', 'DELETE', '/snapshots/s1'), { status: 202, headers: {}, body: undefined });
  });

  it('abort: a request in flight rejects with the abort, and is not retried', async () => {
    const abort = new AbortController();
    const h = harness([
      (req) =>
        req.url.includes('/servers')
          ? new Promise<HttpResponse>((_resolve, reject) => {
              abort.abort();
              reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
            })
          : undefined,
    ]);
    await assert.rejects(h.api.request('compute', 'GET', '/servers', { signal: abort.signal }), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(serviceCalls(h.fake).length, 1);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const h = harness(
      [
        async (req) => {
          if (!req.url.includes('/servers')) {
            return undefined;
          }
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          return json(200, { servers: [] });
        },
      ],
      { maxConcurrency: 2 },
    );
    await Promise.all(Array.from({ length: 6 }, () => h.api.request('compute', 'GET', '/servers')));
    assert.equal(most, 2);
  });

  it('never logs or shows a token, the password or a secret', async () => {
    const h = harness([on('GET', /\/servers$/, () => json(401, { error: { code: 401, title: 'Unauthorized', message: 'x' } }))]);
    const e = await failure(h.api.request('compute', 'GET', '/servers'));
    const seen = [...h.logs, e.message, e.display].join('\n');
    assert.ok(h.logs.length > 0);
    for (const secret of [PASSWORD, 'tok-1', 'tok-2']) {
      assert.ok(!seen.includes(secret), `${secret} leaked: ${seen}`);
    }
    assert.equal(redact('X-Auth-Token: gAAAAAB123 and {"password": "p\\"w", "secret": "s"}'), 'X-Auth-Token: *** and {"password": "***", "secret": "***"}');
  });

  it('a closed client refuses further requests', async () => {
    const h = harness([]);
    h.api.dispose();
    assertKind(await failure(h.api.request('compute', 'GET', '/servers')), 'unknown', /closed/);
  });
});

describe('openstack client: TLS with an explicit CA file (a real https server)', () => {
  const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cloudstack-tls');
  let server: Server;
  let base: string;
  const received: string[] = [];

  before(async () => {
    server = createServer({ key: readFileSync(join(dir, 'server-key.pem')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
      received.push(`${req.method} ${req.url}`);
      if (req.url === '/identity/v3/auth/tokens') {
        const ep = (type: string, path: string) => ({ type, endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${base}${path}` }] });
        res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': 'tls-token' });
        res.end(JSON.stringify({ token: { expires_at: '2999-01-01T00:00:00Z', project: { id: 'p1', name: 'demo' }, catalog: [ep('compute', '/compute/v2.1')] } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ servers: [{ id: 's1', token: req.headers['x-auth-token'] }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('without the CA: refused, naming cacert; with it: Keystone and Nova answer', async () => {
    const credentials = { ...CREDENTIALS, authUrl: `${base}/identity` };
    const without = createClient({ credentials, maxAttempts: 1 });
    try {
      assertKind(await failure(without.request('compute', 'GET', '/servers')), 'network', /not signed by a certificate authority this computer trusts.*cacert/);
    } finally {
      without.dispose();
    }
    assert.deepEqual(received, [], 'a request reached the server over an untrusted connection');
    const trusting = createClient({ credentials, ca: readFileSync(join(dir, 'ca.pem'), 'utf8') });
    try {
      assert.deepEqual(await trusting.list('compute', '/servers', 'servers'), [{ id: 's1', token: 'tls-token' }]);
    } finally {
      trusting.dispose();
    }
    assert.deepEqual(received, ['POST /identity/v3/auth/tokens', 'GET /compute/v2.1/servers?limit=500']);
  });
});
