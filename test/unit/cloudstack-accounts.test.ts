// CloudStack accounts (src/adapters/cloudstack/{config,accounts}.ts): CloudMonkey's config file
// parsed as cmk writes it (core keys first, one section per profile) and as CloudMonkey 5 did
// (`[core]`), discovery that offers each usable profile without ever copying its keys, a missing or
// malformed file that gives no accounts and a log line instead of an error, `connect` for the three
// kinds of account (sandbox, CloudMonkey profile read again each time, typed keys with the secret
// from SecretStorage), CA files, and the check at add time that says what is wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAccount, connect, discoverAccounts, manualAccount, sandboxCredentials } from '../../src/adapters/cloudstack/accounts';
import type { HttpRequest, HttpResponse } from '../../src/adapters/cloudstack/client';
import { cmkConfigPath, parseCmkConfig } from '../../src/adapters/cloudstack/config';
import { signatureOf } from '../../src/adapters/cloudstack/signing';
import type { AdapterContext } from '../../src/model/adapter';
import type { AccountConfig } from '../../src/model/types';
import { assertKind, failure } from './fakes';

/** cmk 6 writes the core options as keys before any section (go-ini's DEFAULT section). */
const CMK6 = `prompt = 🐵
asyncblock = true
timeout = 1800
output = json
verifycert = true
profile = prod
autocomplete = true
postrequest = true

[localcloud]
url = http://localhost:8080/client/api
username = admin
password = password
domain = /
apikey =
secretkey =

[prod]
url = https://cloud.example.org/client/api
username = ops
password = pw-not-used
domain = /
apikey = AK-prod-0001
secretkey = SK-prod-secret-0001

; a comment
[lab]
url = "http://10.0.0.5:8080/client/api"
apikey = AK-lab-0002
secretkey = SK-lab-secret#0002
timeout = 30
`;

/** CloudMonkey 5 kept them in a [core] section. */
const CMK5 = `[core]
profile = old
[old]
url = http://old.example.net:8080/client/api
apikey = AK-old
secretkey = SK-old-secret
verifysslcert = false
`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'snapkeeper-cs-'));
}

interface TestCtx extends AdapterContext {
  logged: string[];
  settings: Record<string, unknown>;
}

function context(over: Partial<AdapterContext> & { settings?: Record<string, unknown> } = {}): TestCtx {
  const logged: string[] = [];
  const settings = over.settings ?? {};
  return {
    log: (m) => void logged.push(m),
    setting: <T>(k: string, f: T) => (k in settings ? (settings[k] as T) : f),
    maxConcurrency: 4,
    ...over,
    logged,
    settings,
  };
}

function account(settings: Record<string, string>, sandbox = false): AccountConfig {
  return { id: 'acc-1', cloud: 'cloudstack', label: 'test account', settings, ...(sandbox ? { sandbox: true } : {}) };
}

/** A fake endpoint: checks the signature against `secret`, records (url, command), answers by command. */
function fakeEndpoint(secret: string, answers: Record<string, HttpResponse> = {}) {
  const seen: { url: string; command: string; apiKey: string }[] = [];
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    const url = new URL(req.url);
    const params = Object.fromEntries(url.searchParams);
    const { signature, ...signed } = params;
    seen.push({ url: `${url.origin}${url.pathname}`, command: params.command, apiKey: params.apiKey });
    if (signature !== signatureOf(signed, secret)) {
      return { status: 401, headers: { date: new Date().toUTCString() }, body: JSON.stringify({ [`${params.command.toLowerCase()}response`]: { errorcode: 401, errortext: 'unable to verify user credentials and/or request signature' } }) };
    }
    const answer = answers[params.command];
    return answer ?? { status: 200, headers: {}, body: JSON.stringify({ [`${params.command.toLowerCase()}response`]: {} }) };
  };
  return { seen, transport };
}

describe('cloudstack config: CloudMonkey profiles', () => {
  it("parses cmk's file: core keys first, profiles as sections, quotes, and # inside values", () => {
    const config = parseCmkConfig(CMK6, '/home/u/.cmk/config');
    assert.equal(config.active, 'prod');
    assert.deepEqual(
      config.profiles.map((p) => [p.name, p.url, p.apiKey, p.secretKey, p.timeoutSeconds, p.verifyCert]),
      [
        ['localcloud', 'http://localhost:8080/client/api', undefined, undefined, 1800, true],
        ['prod', 'https://cloud.example.org/client/api', 'AK-prod-0001', 'SK-prod-secret-0001', 1800, true],
        ['lab', 'http://10.0.0.5:8080/client/api', 'AK-lab-0002', 'SK-lab-secret#0002', 30, true],
      ],
    );
  });

  it("parses CloudMonkey 5's [core] section and verifysslcert", () => {
    const config = parseCmkConfig(CMK5, 'x');
    assert.equal(config.active, 'old');
    assert.deepEqual(config.profiles.map((p) => [p.name, p.apiKey, p.verifyCert]), [['old', 'AK-old', false]]);
  });

  it('refuses a file that is not INI', () => {
    assert.throws(() => parseCmkConfig('[prod]\nurl = x\nthis line is neither\n', 'x'), /line 3/);
  });

  it('finds the file at ~/.cmk/config, or where the setting says (as cmk -c)', () => {
    assert.equal(cmkConfigPath('', '/home/u'), join('/home/u', '.cmk', 'config'));
    assert.equal(cmkConfigPath('~/other/cmk.ini', '/home/u'), join('/home/u', 'other/cmk.ini'));
    assert.equal(cmkConfigPath('/etc/cmk.conf', '/home/u'), '/etc/cmk.conf');
  });
});

describe('cloudstack accounts: discovery', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('offers each profile with keys (the active one first), by name and endpoint; never a key', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, CMK6);
    const ctx = context({ settings: { 'cloudstack.cmkConfig': path } });
    const choices = await discoverAccounts(ctx);
    assert.deepEqual(
      choices.map((c) => [c.label, c.description, c.settings, c.accountLabel?.(c.settings)]),
      [
        ['prod', 'cloud.example.org · active profile', { profile: 'prod' }, 'prod (cloud.example.org)'],
        ['lab', '10.0.0.5:8080', { profile: 'lab' }, 'lab (10.0.0.5:8080)'],
      ],
    );
    const text = JSON.stringify(choices) + ctx.logged.join('\n');
    for (const secret of ['AK-prod-0001', 'SK-prod-secret-0001', 'AK-lab-0002', 'SK-lab-secret#0002', 'pw-not-used']) {
      assert.ok(!text.includes(secret), `${secret} is in the choices or the log`);
    }
    assert.ok(ctx.logged.some((l) => /"localcloud" has no url, apikey and secretkey/.test(l)), ctx.logged.join('\n'));
  });

  it('a missing or malformed file: no accounts, a log line, no error (and not the content)', async () => {
    const missing = context({ settings: { 'cloudstack.cmkConfig': join(dir, 'nope') } });
    assert.deepEqual(await discoverAccounts(missing), []);
    assert.match(missing.logged.join('\n'), /No CloudMonkey config at/);

    const path = join(dir, 'config');
    writeFileSync(path, '[prod]\napikey = AK-leak\nsecretkey SK-leak-in-a-bad-line\n');
    const bad = context({ settings: { 'cloudstack.cmkConfig': path } });
    assert.deepEqual(await discoverAccounts(bad), []);
    assert.match(bad.logged.join('\n'), /is not a valid INI file \(line 3 is neither/);
    assert.ok(!bad.logged.join('\n').includes('SK-leak'), 'the file content reached the log');
  });
});

describe('cloudstack accounts: connect', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a sandbox account uses the running sandbox endpoint and keys', async () => {
    const fake = fakeEndpoint('sandbox-secret');
    const ctx = context({ sandbox: { endpoint: 'http://127.0.0.1:4567/client/api', apiKey: 'sandbox-key', secretKey: 'sandbox-secret' } });
    const api = await connect(account({}, true), ctx, { transport: fake.transport });
    assert.deepEqual(await api.list('listZones', 'zone'), []);
    assert.deepEqual(fake.seen, [{ url: 'http://127.0.0.1:4567/client/api', command: 'listZones', apiKey: 'sandbox-key' }]);
    assertKind(await failure(connect(account({}, true), context(), { transport: fake.transport })), 'network', /sandbox is not running/);
    assert.equal(sandboxCredentials({ endpoint: 'x', apiKey: 1 }), undefined);
  });

  it('a profile account reads the CloudMonkey profile again at each connect (its keys are never in settings)', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, CMK6);
    const ctx = context({ settings: { 'cloudstack.cmkConfig': path } });
    const first = fakeEndpoint('SK-lab-secret#0002');
    await (await connect(account({ profile: 'lab' }), ctx, { transport: first.transport })).call('listZones');
    assert.deepEqual(first.seen, [{ url: 'http://10.0.0.5:8080/client/api', command: 'listZones', apiKey: 'AK-lab-0002' }]);

    // The user regenerated the keys with cmk: the next connect signs with the new ones.
    writeFileSync(path, CMK6.replace('AK-lab-0002', 'AK-lab-0003').replace('SK-lab-secret#0002', 'SK-lab-new'));
    const second = fakeEndpoint('SK-lab-new');
    await (await connect(account({ profile: 'lab' }), ctx, { transport: second.transport })).call('listZones');
    assert.equal(second.seen[0].apiKey, 'AK-lab-0003');

    assertKind(await failure(connect(account({ profile: 'gone' }), ctx)), 'auth', /profile "gone" is not in .*add the account again/);
    assertKind(await failure(connect(account({ profile: 'localcloud' }), ctx)), 'auth', /has no url, apikey and secretkey/);
  });

  it('a typed account: endpoint and API key from settings, the secret key from SecretStorage; none stored → add it again', async () => {
    const fake = fakeEndpoint('typed-secret');
    const settings = { endpoint: 'http://cs.example.net:8080/client/api', apiKey: 'typed-key' };
    const ctx = context({ secret: async (name) => (name === 'secretKey' ? 'typed-secret' : undefined) });
    await (await connect(account(settings), ctx, { transport: fake.transport })).call('listZones');
    assert.deepEqual(fake.seen, [{ url: 'http://cs.example.net:8080/client/api', command: 'listZones', apiKey: 'typed-key' }]);

    const e = await failure(connect(account(settings), context({ secret: async () => undefined })));
    assertKind(e, 'auth', /secret key of "test account" is not in VS Code's secret storage .*add the account again/);
  });

  it("a CA file (the account's, else the setting) must be a readable PEM file, for https endpoints only", async () => {
    const ctx = context({ secret: async () => 'typed-secret' });
    const https = { endpoint: 'https://cs.example.net/client/api', apiKey: 'k' };
    assertKind(await failure(connect(account({ ...https, caFile: join(dir, 'missing.pem') }), ctx)), 'invalid', /CA file .*missing\.pem could not be read \(ENOENT\)/);
    writeFileSync(join(dir, 'not.pem'), 'hello');
    assertKind(await failure(connect(account({ ...https, caFile: join(dir, 'not.pem') }), ctx)), 'invalid', /holds no PEM certificate/);
    const viaSetting = context({ secret: async () => 'typed-secret', settings: { 'cloudstack.caFile': join(dir, 'missing.pem') } });
    assertKind(await failure(connect(account(https), viaSetting)), 'invalid', /could not be read/);
    // An http endpoint has no certificate: the setting is not read.
    const fake = fakeEndpoint('typed-secret');
    await (await connect(account({ endpoint: 'http://cs.example.net/client/api', apiKey: 'k' }), viaSetting, { transport: fake.transport })).call('listZones');
    assert.equal(fake.seen.length, 1);
  });
});

describe('cloudstack accounts: the check at add time', () => {
  const settings = { endpoint: 'http://cs.example.net:8080/client/api', apiKey: 'typed-key' };

  it('calls listCapabilities, then listZones, with the stored secret', async () => {
    const fake = fakeEndpoint('right-secret');
    await checkAccount(account(settings), context({ secret: async () => 'right-secret' }), { transport: fake.transport });
    assert.deepEqual(
      fake.seen.map((s) => s.command),
      ['listCapabilities', 'listZones'],
    );
  });

  it('wrong keys: says the keys are wrong', async () => {
    const fake = fakeEndpoint('right-secret');
    const e = await failure(checkAccount(account(settings), context({ secret: async () => 'wrong-secret' }), { transport: fake.transport }));
    assertKind(e, 'auth', /refused the API key and signature \(HTTP 401\): check the API key and secret key/);
    assert.equal(fake.seen.length, 1);
  });

  it("a clock far behind the server's: says the clock is wrong", async () => {
    const now = Date.parse('2026-12-03T15:00:00Z');
    const transport = async (): Promise<HttpResponse> => ({
      status: 401,
      headers: { date: new Date(now + 3 * 3600_000).toUTCString() },
      body: JSON.stringify({ listcapabilitiesresponse: { errorcode: 401, errortext: 'unable to verify user credentials and/or request signature' } }),
    });
    const e = await failure(checkAccount(account(settings), context({ secret: async () => 's' }), { transport, now: () => now }));
    assertKind(e, 'unknown', /clock is 180 minutes behind the server's/);
  });

  it('nothing at the endpoint: says to check the endpoint', async () => {
    const transport = async (): Promise<HttpResponse> => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', sent: false });
    };
    const e = await failure(checkAccount(account(settings), context({ secret: async () => 's' }), { transport, sleep: async () => undefined }));
    assertKind(e, 'network', /Nothing answers at http:\/\/cs\.example\.net:8080\/client\/api .*check the endpoint URL/);
  });

  it('the typed account asks endpoint, API key, secret key (a secret) and an optional CA file', () => {
    assert.deepEqual(
      manualAccount.fields?.map((f) => [f.id, f.secret === true, f.optional === true]),
      [
        ['endpoint', false, false],
        ['apiKey', false, false],
        ['secretKey', true, false],
        ['caFile', false, true],
      ],
    );
    const pattern = new RegExp(`^(?:${manualAccount.fields?.[0].pattern?.source})$`);
    assert.ok(pattern.test('https://cloud.example.org/client/api'));
    assert.ok(pattern.test('http://10.0.0.5:8080/client/api'));
    assert.ok(!pattern.test('cloud.example.org/client/api'));
    assert.ok(!pattern.test('https://x/client/api?command=listZones'));
    assert.equal(manualAccount.accountLabel?.({ endpoint: 'https://cloud.example.org/client/api' }), 'CloudStack cloud.example.org');
  });
});
