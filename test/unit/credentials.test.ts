// Credentials in the adapter contract (core/credentials.ts), with a fake adapter module that
// declares typed secret fields: the secrets go to SecretStorage only (never to the saved account
// list, i.e. the global state that also holds the journal, nor to the log), are handed to the
// adapter through its context, and are removed with the account. The editor's own sign-in is a
// declaration of the module too: its context asks that provider and no other.
import assert from 'node:assert/strict';
import { AccountStore, type KeyValueStore } from '../../src/core/accounts';
import {
  AccountSecrets,
  addAccountFrom,
  credentialContext,
  removeAccount,
  type AccountPrompts,
  type EditorToken,
  type SecretStore,
} from '../../src/core/credentials';
import type { AccountChoice, AdapterContext, AdapterModule, EditorSignIn, TextField } from '../../src/model/adapter';
import { CloudError, isCloudError } from '../../src/model/errors';
import type { AccountConfig, Confirmation, Field, FieldValues } from '../../src/model/types';
import { fakeAdapter } from './fakes';

const SECRET = 'sk-Zq8v3Xw1-very-secret';
const OTHER_SECRET = 'sk-second-secret-9f2';

/** VS Code's SecretStorage, in memory. `failStores` makes `store` reject (a locked keychain). */
class FakeSecretStorage implements SecretStore {
  readonly data = new Map<string, string>();
  failStores = false;
  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    if (this.failStores) {
      throw new Error('the keychain is locked');
    }
    this.data.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}

/** The extension's global state (saved accounts, the operation journal), kept as JSON like VS Code does. */
class GlobalState implements KeyValueStore {
  readonly data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }
  text(): string {
    return [...this.data.values()].join('\n');
  }
}

/** Answers the flow's questions from a script and records what it was asked. */
class ScriptedPrompts implements AccountPrompts {
  readonly asked: { title: string; fields: Field[] }[] = [];
  readonly offered: string[][] = [];
  readonly confirmations: Confirmation[] = [];
  constructor(
    private readonly pick: string | undefined,
    private readonly answers: FieldValues | undefined,
    /** The answers to confirmations, in order (true presses the button). */
    private readonly confirms: boolean[] = [],
  ) {}
  async confirm(c: Confirmation): Promise<boolean> {
    this.confirmations.push(c);
    const answer = this.confirms.shift();
    assert.ok(answer !== undefined, `unexpected confirmation: ${c.message}`);
    return answer;
  }
  async choose<T>(_title: string, _placeholder: string, choices: { label: string; value: T }[]): Promise<T | undefined> {
    this.offered.push(choices.map((c) => c.label));
    return choices.find((c) => c.label === this.pick)?.value;
  }
  async ask(title: string, fields: Field[]): Promise<FieldValues | undefined> {
    this.asked.push({ title, fields });
    return this.answers;
  }
}

const endpoint: TextField = {
  id: 'endpoint',
  kind: 'text',
  title: 'API endpoint',
  pattern: { source: 'https://[^\\s/]+(/\\S*)?', message: 'An https:// URL' },
};
const apiKey: TextField = { id: 'apiKey', kind: 'text', title: 'API key' };
const secretKey: TextField = { id: 'secretKey', kind: 'text', title: 'Secret key', secret: true };

/** A module of a cloud whose users type an endpoint and keys (as CloudStack's will). */
function typedModule(over: Partial<AdapterModule> = {}): AdapterModule & { contexts: AdapterContext[] } {
  const contexts: AdapterContext[] = [];
  return {
    cloud: 'cloudstack',
    nouns: { topScope: 'zone', leafScope: 'zone', image: 'template' },
    accountNoun: 'endpoint',
    discoverAccounts: async () => [],
    manualAccount: {
      label: 'Enter an API endpoint and keys…',
      settings: {},
      fields: [endpoint, apiKey, secretKey],
      accountLabel: (s) => `CloudStack ${new URL(s.endpoint).host}`,
    },
    createAdapter: (account: AccountConfig, ctx: AdapterContext) => {
      contexts.push(ctx);
      return fakeAdapter({}, account);
    },
    contexts,
    ...over,
  };
}

function world(prompts: ScriptedPrompts) {
  const globalState = new GlobalState();
  const storage = new FakeSecretStorage();
  const logged: string[] = [];
  const keep = {
    accounts: new AccountStore(globalState),
    secrets: new AccountSecrets(storage),
    log: { info: (m: string) => void logged.push(m) },
  };
  return { keep, prompts, globalState, storage, logged };
}

const typedAnswers: FieldValues = { endpoint: 'https://cloud.example.org/client/api', apiKey: 'ak-public-123', secretKey: SECRET };

describe('credentials: typed secret fields', () => {
  it('asks the declared fields; the secret goes to SecretStorage only, never to the account list or the log', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers));
    const mod = typedModule();
    const added = await addAccountFrom(w.keep, w.prompts, 'cloudstack', mod, []);
    assert.ok(added && added !== 'none');
    // Nothing was discovered: the typed entry is asked directly, with its fields as declared.
    assert.deepEqual(w.prompts.offered, []);
    assert.equal(w.prompts.asked.length, 1);
    assert.equal(w.prompts.asked[0].title, 'Add Apache CloudStack Account');
    assert.deepEqual(
      w.prompts.asked[0].fields.map((f) => [f.id, f.kind === 'text' && f.secret === true]),
      [
        ['endpoint', false],
        ['apiKey', false],
        ['secretKey', true],
      ],
    );

    const { account } = added;
    assert.equal(account.label, 'CloudStack cloud.example.org');
    assert.deepEqual(account.settings, { endpoint: 'https://cloud.example.org/client/api', apiKey: 'ak-public-123' });
    assert.deepEqual(w.keep.accounts.list(), [account]);
    assert.ok(!w.globalState.text().includes(SECRET), 'the secret reached the global state');
    assert.ok(w.logged.length > 0 && w.logged.every((l) => !l.includes(SECRET)), w.logged.join('\n'));
    assert.deepEqual([...w.storage.data.entries()].filter(([, v]) => v === SECRET).map(([k]) => k), [
      `snapkeeper.account.${account.id}.secret.secretKey`,
    ]);
  });

  it('hands the secret to the adapter through its context (for that account only)', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers));
    const mod = typedModule();
    const added = await addAccountFrom(w.keep, w.prompts, 'cloudstack', mod, []);
    assert.ok(added && added !== 'none');
    const ctx = { log: () => undefined, setting: <T>(_k: string, f: T) => f, maxConcurrency: 4 };
    mod.createAdapter(added.account, { ...ctx, ...credentialContext(mod, undefined, { secrets: w.keep.secrets, accountId: added.account.id }) });
    const given = mod.contexts[0];
    assert.ok(given.secret, 'no secret reader in the adapter context');
    assert.equal(await given.secret('secretKey'), SECRET);
    assert.equal(await given.secret('apiKey'), undefined, 'a non-secret answer is a setting, not a secret');
    const other = credentialContext(mod, undefined, { secrets: w.keep.secrets, accountId: 'another-account' });
    assert.equal(await other.secret?.('secretKey'), undefined);
    // Discovery runs before any account exists: no secret reader there.
    assert.equal(credentialContext(mod, undefined).secret, undefined);
  });

  it('removes the secrets with the account', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers));
    const added = await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), []);
    assert.ok(added && added !== 'none');
    assert.ok(w.storage.data.size > 0);
    await removeAccount(w.keep, added.account.id);
    assert.deepEqual(w.keep.accounts.list(), []);
    assert.deepEqual([...w.storage.data.keys()], []);
    assert.equal(await w.keep.secrets.get(added.account.id, 'secretKey'), undefined);
    assert.ok(w.logged.every((l) => !l.includes(SECRET)));
  });

  it('a discovered account may ask for a secret its config file leaves out; entering it again replaces it', async () => {
    const discovered: AccountChoice[] = [
      { label: 'prod (clouds.yaml)', settings: { cloud: 'prod' }, fields: [{ id: 'password', kind: 'text', title: 'Password', secret: true }] },
      { label: 'dev (clouds.yaml)', settings: { cloud: 'dev' } },
    ];
    const mod = typedModule({ cloud: 'openstack' });
    const w = world(new ScriptedPrompts('prod (clouds.yaml)', { password: SECRET }));
    const added = await addAccountFrom(w.keep, w.prompts, 'openstack', mod, discovered);
    assert.ok(added && added !== 'none');
    // Discovered accounts first, the typed entry last.
    assert.deepEqual(w.prompts.offered, [['prod (clouds.yaml)', 'dev (clouds.yaml)', 'Enter an API endpoint and keys…']]);
    assert.deepEqual(added.account.settings, { cloud: 'prod' });
    assert.equal(added.account.label, 'prod (clouds.yaml)');
    assert.equal(await w.keep.secrets.get(added.account.id, 'password'), SECRET);

    const again = await addAccountFrom(w.keep, new ScriptedPrompts('prod (clouds.yaml)', { password: OTHER_SECRET }), 'openstack', mod, discovered);
    assert.ok(again && again !== 'none');
    assert.equal(again.account.id, added.account.id, 'the same account, not a second one');
    assert.equal(await w.keep.secrets.get(added.account.id, 'password'), OTHER_SECRET);
    assert.ok(![...w.storage.data.values()].includes(SECRET), 'the replaced secret is still stored');
    assert.ok(!w.globalState.text().includes(OTHER_SECRET));
  });

  it('cancelled: nothing is saved anywhere; nothing to offer: says so', async () => {
    const w = world(new ScriptedPrompts(undefined, undefined));
    assert.equal(await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), []), undefined);
    assert.deepEqual(w.keep.accounts.list(), []);
    assert.equal(w.storage.data.size, 0);
    assert.equal(await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule({ manualAccount: undefined }), []), 'none');
  });

  it('a secret SecretStorage refuses leaves no account behind', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers));
    w.storage.failStores = true;
    await assert.rejects(addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), []), /keychain is locked/);
    assert.deepEqual(w.keep.accounts.list(), []);
  });
});

describe('credentials: the account is checked when it is added', () => {
  const refused = () => new CloudError('auth', 'CloudStack at cloud.example.org refused the API key and signature (HTTP 401): check the API key and secret key.');

  /** A check that records the secret it could read through the account's context, then passes or throws. */
  function checker(w: ReturnType<typeof world>, outcome: () => void) {
    const seen: { label: string; secret: string | undefined; listed: boolean }[] = [];
    const check = async (account: AccountConfig) => {
      seen.push({
        label: account.label,
        secret: await w.keep.secrets.get(account.id, 'secretKey'),
        listed: w.keep.accounts.list().some((a) => a.id === account.id),
      });
      outcome();
    };
    return { seen, check };
  }

  it('a passing check: the account is saved, checked with its secret already stored, no question asked', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers));
    const { seen, check } = checker(w, () => undefined);
    const added = await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), [], check);
    assert.ok(added && added !== 'none');
    assert.deepEqual(seen, [{ label: 'CloudStack cloud.example.org', secret: SECRET, listed: true }]);
    assert.deepEqual(w.prompts.confirmations, []);
    assert.deepEqual(w.keep.accounts.list(), [added.account]);
  });

  it('a failing check, then Cancel: nothing is saved, the secret is removed, the reason was shown', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers, [false]));
    const { seen, check } = checker(w, () => {
      throw refused();
    });
    assert.equal(await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), [], check), undefined);
    assert.equal(seen.length, 1);
    assert.equal(w.prompts.confirmations.length, 1);
    const asked = w.prompts.confirmations[0];
    assert.equal(asked.button, 'Save Anyway');
    assert.match(asked.detail, /refused the API key and signature \(HTTP 401\): check the API key and secret key/);
    assert.deepEqual(w.keep.accounts.list(), []);
    assert.equal(w.storage.data.size, 0, 'a secret stayed in SecretStorage');
    assert.ok(w.logged.every((l) => !l.includes(SECRET)));
  });

  it('a failing check, then Save Anyway: the account and its secret are kept', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers, [true]));
    const { check } = checker(w, () => {
      throw refused();
    });
    const added = await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), [], check);
    assert.ok(added && added !== 'none');
    assert.deepEqual(w.keep.accounts.list(), [added.account]);
    assert.equal(await w.keep.secrets.get(added.account.id, 'secretKey'), SECRET);
  });

  it('adding an existing account again with a secret that fails, then Cancel: the account keeps its previous secret', async () => {
    const w = world(new ScriptedPrompts(undefined, typedAnswers));
    const first = await addAccountFrom(w.keep, w.prompts, 'cloudstack', typedModule(), []);
    assert.ok(first && first !== 'none');
    const again = new ScriptedPrompts(undefined, { ...typedAnswers, secretKey: OTHER_SECRET }, [false]);
    const { seen, check } = checker(w, () => {
      throw refused();
    });
    assert.equal(await addAccountFrom(w.keep, again, 'cloudstack', typedModule(), [], check), undefined);
    assert.equal(seen[0].secret, OTHER_SECRET, 'the check ran with the new secret');
    assert.deepEqual(w.keep.accounts.list(), [first.account]);
    assert.equal(await w.keep.secrets.get(first.account.id, 'secretKey'), SECRET);
    assert.ok(![...w.storage.data.values()].includes(OTHER_SECRET));
  });
});

describe("credentials: the editor's own sign-in, declared by the module", () => {
  const signIn: EditorSignIn = {
    providerId: 'example-idp',
    providerLabel: 'Example',
    scopes: (r) => [...r.scopes, ...(r.tenantId ? [`TENANT:${r.tenantId}`] : [])],
    otherwise: 'Use the command line login instead.',
    signedOut: 'Sign in to Example in VS Code.',
  };

  it('getToken asks the declared provider, with the declaration; another provider is refused', async () => {
    const calls: { signIn: EditorSignIn; provider: string }[] = [];
    const editorToken: EditorToken = async (s, request) => {
      calls.push({ signIn: s, provider: request.provider });
      return { token: 'tok', expiresOnTimestamp: 1 };
    };
    const ctx = credentialContext(typedModule({ editorSignIn: signIn }), editorToken);
    assert.ok(ctx.getToken);
    assert.equal((await ctx.getToken({ provider: 'example-idp', scopes: ['api'], silent: true })).token, 'tok');
    assert.deepEqual(calls, [{ signIn, provider: 'example-idp' }]);
    await assert.rejects(ctx.getToken({ provider: 'someone-else', scopes: ['api'] }), (e: unknown) => isCloudError(e) && e.kind === 'auth' && /does not declare/.test(e.message));
    assert.equal(calls.length, 1);
  });

  it('a module without an editor sign-in gets no getToken', () => {
    assert.equal(credentialContext(typedModule(), async () => ({ token: 'x', expiresOnTimestamp: 1 })).getToken, undefined);
  });
});
