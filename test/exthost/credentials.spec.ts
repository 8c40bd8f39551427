// Credentials in the adapter contract, inside the real extension host: an account whose module asks
// for an endpoint, an API key and a secret key (as CloudStack's will) is added through the shared
// flow; the secret lands in VS Code's real SecretStorage and nowhere else (not the account's
// settings, not the extension's global or workspace state — where the saved accounts and the
// operation journal live — not the log), reaches the adapter's context, and goes with the account.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { addAccountFrom, credentialContext, removeAccount } from '../../src/core/credentials';
import type { AdapterModule, TextField } from '../../src/model/adapter';
import { app, prompter, readLog, waitFor } from './harness';

const SECRET = 'sk-exthost-7f3a9c1e-do-not-write-anywhere';

const fields: TextField[] = [
  { id: 'endpoint', kind: 'text', title: 'API endpoint', pattern: { source: 'https://[^\\s/]+(/\\S*)?', message: 'An https:// URL' } },
  { id: 'apiKey', kind: 'text', title: 'API key' },
  { id: 'secretKey', kind: 'text', title: 'Secret key', secret: true },
];

/** The credential declarations of a module whose users type their keys. */
const typedModule: Pick<AdapterModule, 'cloud' | 'accountNoun' | 'manualAccount'> = {
  cloud: 'cloudstack',
  accountNoun: 'endpoint',
  manualAccount: {
    label: 'Enter an API endpoint and keys…',
    settings: {},
    fields,
    accountLabel: (s) => `Typed keys ${new URL(s.endpoint).host}`,
  },
};

/** Every value the extension keeps in its mementos, as text. */
function mementoText(m: vscode.Memento): string {
  return m
    .keys()
    .map((k) => `${k}=${JSON.stringify(m.get(k))}`)
    .join('\n');
}

export function credentialTests(): void {
  describe('Credentials typed by the user (real SecretStorage)', function () {
    this.timeout(60_000);

    it('a typed secret goes to SecretStorage only, reaches the adapter, and is removed with the account', async () => {
      const a = await app();
      prompter.expect({ fields: { endpoint: 'https://cloud.example.test/client/api', apiKey: 'visible-api-key', secretKey: SECRET } });
      const added = await addAccountFrom(a, prompter, typedModule.cloud, typedModule, []);
      assert.deepEqual(prompter.leftovers(), []);
      assert.ok(added && added !== 'none', 'the account was added');
      const id = added.account.id;
      try {
        // Asked as a secret (the real prompter masks it), with the other fields in the same form.
        assert.deepEqual(
          prompter.asked[0].fields.map((f) => [f.id, f.kind === 'text' && f.secret === true]),
          [['endpoint', false], ['apiKey', false], ['secretKey', true]],
        );
        // Saved: the non-secret answers in the account's settings, the secret not.
        const saved = a.accounts.get(id);
        assert.equal(saved?.label, 'Typed keys cloud.example.test');
        assert.deepEqual(saved?.settings, { endpoint: 'https://cloud.example.test/client/api', apiKey: 'visible-api-key' });

        // In VS Code's own SecretStorage, under the account.
        assert.equal(await a.context.secrets.get(`snapkeeper.account.${id}.secret.secretKey`), SECRET);
        // Nowhere else the extension writes: global state (accounts, journal), workspace state, settings, log.
        assert.ok(!mementoText(a.context.globalState).includes(SECRET), 'the secret is in globalState');
        assert.ok(!mementoText(a.context.workspaceState).includes(SECRET), 'the secret is in workspaceState');
        assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('snapkeeper')).includes(SECRET), 'the secret is in the settings');
        const log = await waitFor('the log to say the account was added', () => {
          const text = readLog(a.context.logUri.fsPath);
          return text.includes('Typed keys cloud.example.test') ? text : undefined;
        });
        assert.match(log, /1 secret\(s\) kept in VS Code's secret storage/);
        assert.ok(!log.includes(SECRET), 'the secret was written to the log');

        // The adapter of that account reads it through its context; another account's context does not.
        assert.equal(await credentialContext(typedModule, undefined, { secrets: a.secrets, accountId: id }).secret?.('secretKey'), SECRET);
        assert.equal(await credentialContext(typedModule, undefined, { secrets: a.secrets, accountId: 'another-account' }).secret?.('secretKey'), undefined);
      } finally {
        await removeAccount(a, id);
      }
      assert.equal(a.accounts.get(id), undefined, 'the account is gone');
      assert.equal(await a.context.secrets.get(`snapkeeper.account.${id}.secret.secretKey`), undefined, 'its secret is gone from SecretStorage');
      assert.equal(await a.context.secrets.get(`snapkeeper.account.${id}.secrets`), undefined, 'its secrets index is gone');
    });

    it("a check that fails at add time, then Don't Save: nothing stays in SecretStorage or the account list", async () => {
      const a = await app();
      const before = a.accounts.list().map((x) => x.id);
      const checked: { id: string; secret: string | undefined }[] = [];
      prompter.expect({ fields: { endpoint: 'https://refused.example.test/client/api', apiKey: 'visible-api-key', secretKey: SECRET }, confirms: [false] });
      const added = await addAccountFrom(a, prompter, typedModule.cloud, typedModule, [], async (account) => {
        // The check reads the secret already stored, as the adapter's check does through its context.
        checked.push({ id: account.id, secret: await credentialContext(typedModule, undefined, { secrets: a.secrets, accountId: account.id }).secret?.('secretKey') });
        throw new Error('the endpoint refused the API key and signature (HTTP 401)');
      });
      assert.deepEqual(prompter.leftovers(), []);
      assert.equal(added, undefined);
      assert.deepEqual(checked.map((c) => c.secret), [SECRET]);
      assert.equal(prompter.confirmations.length, 1);
      assert.equal(prompter.confirmations[0].confirmation.button, 'Save Anyway');
      assert.match(prompter.confirmations[0].confirmation.detail, /refused the API key and signature/);
      assert.deepEqual(a.accounts.list().map((x) => x.id), before, 'an account was kept');
      assert.equal(await a.context.secrets.get(`snapkeeper.account.${checked[0].id}.secret.secretKey`), undefined, 'its secret stayed in SecretStorage');
      assert.equal(await a.context.secrets.get(`snapkeeper.account.${checked[0].id}.secrets`), undefined, 'its secrets index stayed');
      assert.ok(!mementoText(a.context.globalState).includes(SECRET), 'the secret is in globalState');
    });
  });
}
