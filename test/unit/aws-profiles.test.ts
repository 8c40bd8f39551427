import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverAccounts } from '../../src/adapters/aws';
import { readProfile } from '../../src/adapters/aws/profiles';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

const CONFIG = `
[default]
region = eu-west-1

[profile dev-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-west-2

[profile legacy-sso]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly
region = ap-southeast-2

[profile assume]
role_arn = arn:aws:iam::777788889999:role/Backup
source_profile = default
region = us-east-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[services local]
ec2 =
  endpoint_url = http://127.0.0.1:1
`;

const CREDENTIALS = `
[default]
aws_access_key_id = ${KEY_ID}
aws_secret_access_key = ${SECRET}

[keys-only]
aws_access_key_id = ${KEY_ID}
aws_secret_access_key = ${SECRET}
aws_session_token = ${SESSION}
`;

describe('aws profiles (discoverAccounts)', () => {
  let dir: string;
  const saved = { config: process.env.AWS_CONFIG_FILE, creds: process.env.AWS_SHARED_CREDENTIALS_FILE };
  const log: string[] = [];
  const ctx = { log: (m: string) => log.push(m), setting: <T>(_k: string, f: T) => f, maxConcurrency: 4 };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-aws-'));
    writeFileSync(join(dir, 'config'), CONFIG);
    writeFileSync(join(dir, 'credentials'), CREDENTIALS);
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  });

  after(() => {
    for (const [k, v] of [
      ['AWS_CONFIG_FILE', saved.config],
      ['AWS_SHARED_CREDENTIALS_FILE', saved.creds],
    ] as const) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every profile of both files once, default first, and no sso-session/services sections', async () => {
    const choices = await discoverAccounts(ctx);
    assert.deepEqual(
      choices.map((c) => c.label),
      ['default', 'assume', 'dev-sso', 'keys-only', 'legacy-sso'],
    );
    for (const c of choices) {
      assert.deepEqual(c.settings, { profile: c.label });
    }
  });

  it('marks SSO profiles (sso_session and legacy sso_start_url) with their region', async () => {
    const choices = await discoverAccounts(ctx);
    const dev = choices.find((c) => c.label === 'dev-sso');
    const legacy = choices.find((c) => c.label === 'legacy-sso');
    assert.ok(dev && legacy);
    assert.match(dev.description ?? '', /SSO/);
    assert.match(dev.description ?? '', /us-west-2/);
    assert.match(dev.detail ?? '', /111122223333/);
    assert.match(legacy.description ?? '', /SSO/);
    assert.match(legacy.description ?? '', /ap-southeast-2/);
    const def = choices.find((c) => c.label === 'default');
    assert.doesNotMatch(def?.description ?? '', /SSO/);
    assert.match(def?.description ?? '', /eu-west-1/);
  });

  it('includes a credentials-only profile (no region → us-east-1 noted)', async () => {
    const keys = (await discoverAccounts(ctx)).find((c) => c.label === 'keys-only');
    assert.ok(keys);
    assert.doesNotMatch(keys.description ?? '', /SSO/);
    assert.match(keys.description ?? '', /no region/);
    assert.match(keys.detail ?? '', /credentials file/);
  });

  it('never returns a secret, key id or session token', async () => {
    const text = JSON.stringify(await discoverAccounts(ctx));
    for (const secret of [SECRET, SESSION, KEY_ID]) {
      assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 4)}…`);
    }
    const info = JSON.stringify(await readProfile('keys-only'));
    for (const secret of [SECRET, SESSION, KEY_ID]) {
      assert.ok(!info.includes(secret));
    }
  });

  it('re-reads the files (a profile added later shows up) and returns [] for missing files', async () => {
    writeFileSync(join(dir, 'credentials'), `${CREDENTIALS}\n[added-later]\naws_access_key_id = x\naws_secret_access_key = y\n`);
    assert.ok((await discoverAccounts(ctx)).some((c) => c.label === 'added-later'));
    process.env.AWS_CONFIG_FILE = join(dir, 'nope-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'nope-credentials');
    try {
      assert.deepEqual(await discoverAccounts(ctx), []);
    } finally {
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    }
  });

  it('readProfile knows which profiles are SSO (for the expired-credentials fix)', async () => {
    assert.equal((await readProfile('dev-sso'))?.sso, true);
    assert.equal((await readProfile('legacy-sso'))?.sso, true);
    assert.equal((await readProfile('assume'))?.sso, false);
    assert.equal((await readProfile('assume'))?.region, 'us-east-2');
    assert.equal(await readProfile('missing'), undefined);
  });
});
