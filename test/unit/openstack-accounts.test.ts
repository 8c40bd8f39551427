// OpenStack accounts (src/adapters/openstack/{config,accounts}.ts): clouds.yaml with secure.yaml
// merged over it, found in the standard places in order; the OS_* environment; malformed files that
// give no accounts and a log line (never the file's content); discovery that never copies a
// password or secret into settings and asks for a password clouds.yaml leaves out; `connect` for
// the four kinds of account (sandbox, clouds.yaml read again each time, environment, typed with
// the password from SecretStorage); and the check at add time.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAccount, connect, discoverAccounts, manualAccount, sandboxCredentials } from '../../src/adapters/openstack/accounts';
import { cloudsCandidates, credentialsOf, envProfile, parseClouds, readCloudsConfig } from '../../src/adapters/openstack/config';
import type { AdapterContext } from '../../src/model/adapter';
import type { AccountConfig } from '../../src/model/types';
import { assertKind, failure } from './fakes';
import { fakeCloud, json, type Recorded } from './openstack-fake';

const CLOUDS = `clouds:
  prod:
    auth_type: password
    auth:
      auth_url: https://keystone.prod.test:5000
      username: ops
      project_name: backups
      project_domain_name: Default
      user_domain_name: Corp
    region_name: [RegionOne, RegionTwo]
    interface: internal
    cacert: ~/certs/prod-ca.pem
  lab:
    auth:
      auth_url: http://keystone.lab.test/identity/v3
      username: demo
      password: 12345
      project_id: p-lab
    region_name: RegionOne
    verify: false
  app:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://keystone.lab.test:5000/v3
      application_credential_id: ac-1
      application_credential_secret: ac-secret-very-private
  oidc:
    auth_type: v3oidcpassword
    auth:
      auth_url: http://idp.test
`;

const SECURE = `clouds:
  prod:
    auth:
      password: prod-Pa55-secure
`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'snapkeeper-os-'));
}

interface TestCtx extends AdapterContext {
  logged: string[];
}

function context(over: Partial<AdapterContext> & { places?: { env?: NodeJS.ProcessEnv; cwd?: string; home?: string } } = {}): TestCtx & { places?: { env?: NodeJS.ProcessEnv; cwd?: string; home?: string } } {
  const logged: string[] = [];
  return { log: (m) => void logged.push(m), setting: <T>(_k: string, f: T) => f, maxConcurrency: 4, ...over, logged };
}

const account = (settings: Record<string, string>, sandbox = false): AccountConfig => ({ id: 'a1', cloud: 'openstack' as AccountConfig['cloud'], label: 'acct', settings, ...(sandbox ? { sandbox } : {}) });

describe('openstack config: clouds.yaml, secure.yaml, the environment', () => {
  it('parses clouds with secure.yaml merged over them: auth types, regions, interface, cacert, verify', () => {
    const config = parseClouds(CLOUDS, SECURE, '/x/clouds.yaml', '/home/u');
    assert.deepEqual(config.clouds.map((c) => c.name), ['prod', 'lab', 'app']);
    const [prod, lab, app] = config.clouds;
    assert.equal(prod.auth.password, 'prod-Pa55-secure');
    assert.equal(prod.auth.username, 'ops', 'secure.yaml does not drop the keys it does not name');
    assert.deepEqual(prod.regions, ['RegionOne', 'RegionTwo']);
    assert.equal(prod.interface, 'internal');
    assert.equal(prod.cacert, '/home/u/certs/prod-ca.pem');
    assert.equal(lab.auth.password, '12345', 'a number is read as its text');
    assert.equal(lab.verify, false);
    assert.equal(lab.authType, 'password');
    assert.equal(app.authType, 'v3applicationcredential');
    assert.deepEqual(config.skipped.map((s) => s.name), ['oidc']);
    assert.match(config.skipped[0].why, /v3oidcpassword/);
    assert.deepEqual(credentialsOf(prod), {
      authUrl: 'https://keystone.prod.test:5000',
      password: { userName: 'ops', userId: undefined, userDomainName: 'Corp', userDomainId: undefined, password: 'prod-Pa55-secure' },
      project: { name: 'backups', id: undefined, domainName: 'Default', domainId: undefined },
    });
  });

  it('looks in OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/ in that order; the first file found is read', async () => {
    assert.deepEqual(cloudsCandidates({ OS_CLIENT_CONFIG_FILE: '~/my.yaml' }, '/w', '/h').filter((p) => p.endsWith('.yaml')), [
      '/h/my.yaml',
      '/w/clouds.yaml',
      '/h/.config/openstack/clouds.yaml',
      '/etc/openstack/clouds.yaml',
    ]);
    const dir = tempDir();
    try {
      const home = join(dir, 'home');
      const cwd = join(dir, 'cwd');
      mkdirSync(join(home, '.config', 'openstack'), { recursive: true });
      mkdirSync(cwd);
      writeFileSync(join(home, '.config', 'openstack', 'clouds.yaml'), 'clouds:\n  home:\n    auth: {auth_url: "http://h.test", username: u, password: p, project_name: x}\n');
      writeFileSync(join(home, '.config', 'openstack', 'secure.yaml'), 'clouds:\n  home:\n    auth: {password: from-secure}\n');
      const log: string[] = [];
      const fromHome = await readCloudsConfig((m) => void log.push(m), { env: {}, cwd, home });
      assert.deepEqual(fromHome?.clouds.map((c) => [c.name, c.auth.password]), [['home', 'from-secure']]);
      writeFileSync(join(cwd, 'clouds.yaml'), 'clouds:\n  here:\n    auth: {auth_url: "http://w.test", username: u, project_name: x}\n');
      assert.deepEqual((await readCloudsConfig(() => undefined, { env: {}, cwd, home }))?.clouds.map((c) => c.name), ['here']);
      const given = join(dir, 'given.yaml');
      writeFileSync(given, 'clouds:\n  given:\n    auth: {auth_url: "http://g.test", username: u, project_name: x}\n');
      assert.deepEqual((await readCloudsConfig(() => undefined, { env: { OS_CLIENT_CONFIG_FILE: given }, cwd, home }))?.clouds.map((c) => c.name), ['given']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a malformed file gives no clouds and one log line that never quotes it', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'clouds.yaml');
      writeFileSync(file, 'clouds:\n  bad:\n    auth:\n      password: "leaky-Pa55\n      username: [\n');
      const log: string[] = [];
      assert.equal(await readCloudsConfig((m) => void log.push(m), { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: dir, home: dir }), undefined);
      assert.equal(log.length, 1);
      assert.match(log[0], /could not be read as clouds\.yaml/);
      assert.ok(!log[0].includes('leaky'), log[0]);
      writeFileSync(file, 'just: a mapping\n');
      const log2: string[] = [];
      assert.equal(await readCloudsConfig((m) => void log2.push(m), { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: dir, home: dir }), undefined);
      assert.match(log2[0], /no "clouds" mapping/);
      const ctx = context({ places: { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: dir, home: dir } });
      assert.deepEqual(await discoverAccounts(ctx), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the OS_* environment: complete for password or application credential, else nothing', () => {
    const base = { OS_AUTH_URL: 'http://k.test:5000/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'x', OS_USER_DOMAIN_NAME: 'D', OS_PROJECT_DOMAIN_NAME: 'PD', OS_REGION_NAME: 'R2', OS_CACERT: '/ca.pem' };
    const p = envProfile(base, '/h');
    assert.ok(p);
    assert.deepEqual(p.regions, ['R2']);
    assert.equal(p.cacert, '/ca.pem');
    assert.deepEqual(credentialsOf(p).project, { name: 'x', id: undefined, domainName: 'PD', domainId: undefined });
    assert.equal(envProfile({ ...base, OS_PASSWORD: '' }), undefined);
    assert.equal(envProfile({ ...base, OS_AUTH_URL: undefined }), undefined);
    const app = envProfile({ OS_AUTH_URL: 'http://k.test', OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_ID: 'ac', OS_APPLICATION_CREDENTIAL_SECRET: 's' });
    assert.deepEqual(app && credentialsOf(app), { authUrl: 'http://k.test', applicationCredential: { id: 'ac', name: undefined, secret: 's', userName: undefined, userId: undefined, userDomainName: undefined, userDomainId: undefined } });
  });
});

describe('openstack accounts', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir();
    file = join(dir, 'clouds.yaml');
    writeFileSync(file, CLOUDS);
    writeFileSync(join(dir, 'secure.yaml'), SECURE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const places = (env: NodeJS.ProcessEnv = {}) => ({ env: { OS_CLIENT_CONFIG_FILE: file, ...env }, cwd: join(dir, 'nowhere'), home: join(dir, 'nohome') });

  it('discovery: one choice per cloud (OS_CLOUD first) and one for a complete environment; settings hold no secret', async () => {
    const ctx = context({ places: places({ OS_CLOUD: 'lab', OS_AUTH_URL: 'http://k.env.test/v3', OS_USERNAME: 'u', OS_PASSWORD: 'env-Pa55', OS_PROJECT_NAME: 'x' }) });
    const choices = await discoverAccounts(ctx);
    assert.deepEqual(choices.map((c) => c.label), ['lab', 'app', 'prod', 'OS_* environment']);
    assert.deepEqual(choices[0].settings, { cloud: 'lab', configFile: file });
    assert.deepEqual(choices[3].settings, { source: 'environment' });
    const text = JSON.stringify(choices.map((c) => [c.settings, c.description, c.detail])) + ctx.logged.join('\n');
    for (const secret of ['12345', 'prod-Pa55-secure', 'ac-secret-very-private', 'env-Pa55']) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    assert.ok(ctx.logged.some((l) => /"oidc".*not offered/.test(l)));
  });

  it('a cloud whose password is in neither clouds.yaml nor secure.yaml asks for it as a secret', async () => {
    rmSync(join(dir, 'secure.yaml'));
    const choices = await discoverAccounts(context({ places: places() }));
    const prod = choices.find((c) => c.label === 'prod');
    assert.deepEqual(prod?.fields?.map((f) => [f.id, f.secret]), [['password', true]]);
    assert.equal(choices.find((c) => c.label === 'lab')?.fields, undefined);
  });

  it('the typed account asks for the password as a secret, and for an optional region and CA file', () => {
    const fields = manualAccount.fields ?? [];
    assert.deepEqual(fields.filter((f) => f.secret).map((f) => f.id), ['password']);
    assert.deepEqual(fields.filter((f) => f.optional).map((f) => f.id), ['region', 'caFile']);
    assert.ok(new RegExp(`^${fields[0].pattern?.source}$`).test('https://keystone.example.org:5000/v3'));
  });

  /** A connect through a fake Keystone; the token request's body and URL. */
  async function tokenRequestOf(acct: AccountConfig, ctx: AdapterContext): Promise<{ url: string; body: unknown; compute: Recorded | undefined }> {
    const fake = fakeCloud([(r) => (r.url.includes('/servers') ? json(200, { servers: [] }) : undefined)]);
    const api = await connect(acct, ctx, { transport: fake.transport });
    try {
      await api.request('compute', 'GET', '/servers');
    } finally {
      api.dispose();
    }
    return { url: fake.calls[0].url, body: JSON.parse(fake.calls[0].body ?? ''), compute: fake.calls[1] };
  }

  it('connect, clouds.yaml: read again at each connect; the password from secure.yaml; verify: false is logged, not followed', async () => {
    const ctx = context({ places: places() });
    const first = await tokenRequestOf(account({ cloud: 'lab', configFile: file }), ctx);
    assert.equal(first.url, 'http://keystone.lab.test/identity/v3/auth/tokens');
    assert.deepEqual(first.body, {
      auth: { identity: { methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: '12345' } } }, scope: { project: { id: 'p-lab' } } },
    });
    assert.ok(ctx.logged.some((l) => /verify: false: Snapkeeper checks TLS anyway/.test(l)));
    writeFileSync(file, CLOUDS.replace('password: 12345', 'password: changed-in-file'));
    const second = await tokenRequestOf(account({ cloud: 'lab', configFile: file }), ctx);
    assert.match(JSON.stringify(second.body), /changed-in-file/);
    const app = await tokenRequestOf(account({ cloud: 'app', configFile: file }), ctx);
    assert.deepEqual(app.body, { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: 'ac-secret-very-private' } } } });
    writeFileSync(file, 'clouds: {}\n');
    assertKind(await failure(connect(account({ cloud: 'lab', configFile: file }), ctx)), 'auth', /"lab" is not in .*clouds\.yaml any more/);
  });

  it('connect, clouds.yaml without a password: the one in SecretStorage; a missing CA file says so', async () => {
    rmSync(join(dir, 'secure.yaml'));
    writeFileSync(file, CLOUDS.replace('    cacert: ~/certs/prod-ca.pem\n', ''));
    const ctx = context({ places: places(), secret: async (name) => (name === 'password' ? 'typed-Pa55' : undefined) });
    const { body, compute } = await tokenRequestOf(account({ cloud: 'prod', configFile: file }), ctx);
    assert.match(JSON.stringify(body), /"password":"typed-Pa55"/);
    assert.match(compute?.url ?? '', /^http:\/\/nova-internal\.test/, 'interface: internal from clouds.yaml');
    const none = context({ places: places() });
    assertKind(await failure(connect(account({ cloud: 'prod', configFile: file }), none)), 'auth', /has no password/);
    writeFileSync(file, CLOUDS);
    assertKind(await failure(connect(account({ cloud: 'prod', configFile: file }), ctx)), 'invalid', /CA file .*prod-ca\.pem could not be read/);
  });

  it('connect, environment and typed accounts; sandbox accounts from ctx.sandbox', async () => {
    const env = { OS_AUTH_URL: 'http://k.env.test:5000', OS_USERNAME: 'u', OS_PASSWORD: 'env-Pa55', OS_PROJECT_NAME: 'x', OS_USER_DOMAIN_NAME: 'D' };
    const fromEnv = await tokenRequestOf(account({ source: 'environment' }), context({ places: { env, cwd: dir, home: dir } }));
    assert.equal(fromEnv.url, 'http://k.env.test:5000/v3/auth/tokens');
    assertKind(await failure(connect(account({ source: 'environment' }), context({ places: { env: {}, cwd: dir, home: dir } }))), 'auth', /OS_\* environment is incomplete/);

    const typed = account({ authUrl: 'http://k.typed.test:5000/v3', userName: 'ann', userDomain: 'Corp', projectName: 'web', projectDomain: 'Corp', region: 'RegionOne' });
    const t = await tokenRequestOf(typed, context({ secret: async () => 'typed-Pa55' }));
    assert.deepEqual(t.body, {
      auth: { identity: { methods: ['password'], password: { user: { name: 'ann', domain: { name: 'Corp' }, password: 'typed-Pa55' } } }, scope: { project: { name: 'web', domain: { name: 'Corp' } } } },
    });
    assertKind(await failure(connect(typed, context({ secret: async () => undefined }))), 'auth', /not in VS Code's secret storage/);

    const sandbox = { authUrl: 'http://127.0.0.1:5999/v3', regions: ['RegionOne', 'RegionTwo'], projectName: 'demo', projectDomain: 'Default', userName: 'demo', userDomain: 'Default', password: 'sandbox' };
    assert.deepEqual(sandboxCredentials(sandbox)?.regions, ['RegionOne', 'RegionTwo']);
    assert.deepEqual(sandboxCredentials({ endpoint: 'http://x', applicationCredentialId: 'a', applicationCredentialSecret: 's' })?.credentials, { authUrl: 'http://x', applicationCredential: { id: 'a', secret: 's' } });
    assert.equal(sandboxCredentials({ authUrl: 'http://x' }), undefined);
    const s = await tokenRequestOf(account({}, true), context({ sandbox }));
    assert.equal(s.url, 'http://127.0.0.1:5999/v3/auth/tokens');
    assertKind(await failure(connect(account({}, true), context({}))), 'network', /sandbox is not running/);
  });

  it('checkAccount: a token and a compute endpoint in every region the account uses; else says what is missing', async () => {
    const ctx = context({ places: places(), secret: async () => 'pw' });
    const ok = fakeCloud([(r) => (/nova\.test:8774\/$/.test(r.url) ? json(200, { versions: [{ id: 'v2.1', version: '2.96', min_version: '2.1' }] }) : undefined)]);
    await checkAccount(account({ authUrl: 'http://k.test/v3', userName: 'u', projectName: 'p', region: 'RegionOne' }), ctx, { transport: ok.transport });
    const missing = fakeCloud([]);
    assertKind(
      await failure(checkAccount(account({ authUrl: 'http://k.test/v3', userName: 'u', projectName: 'p', region: 'Nowhere' }), ctx, { transport: missing.transport })),
      'invalid',
      /catalog of Nowhere has no compute service/,
    );
    const refused = fakeCloud([(r) => (r.url.endsWith('/auth/tokens') ? json(401, { error: { code: 401, title: 'Unauthorized', message: 'x' } }) : undefined)]);
    assertKind(await failure(checkAccount(account({ authUrl: 'http://k.test/v3', userName: 'u', projectName: 'p' }), ctx, { transport: refused.transport })), 'auth', /refused the password/);
  });
});
