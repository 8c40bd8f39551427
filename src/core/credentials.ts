/**
 * Credentials in the adapter contract. An adapter module declares how its accounts are found
 * (`discoverAccounts`), what a user types for one (`AccountChoice.fields`, `manualAccount`) and
 * whether it signs in through the editor (`editorSignIn`); this file does the rest the same way
 * for every cloud:
 * - the "Add Account" flow: pick a discovered or typed account, answer its fields, save it;
 * - typed secrets go to VS Code's SecretStorage only, keyed by the account: never to settings,
 *   the saved account list or the operation journal (the extension's global state), or the log;
 *   they are removed with the account;
 * - the adapter's context reads them (`ctx.secret`) and asks the declared sign-in (`ctx.getToken`).
 * vscode-free: SecretStorage, the prompts and the editor's sign-in are passed in.
 */
import type { AccessToken, AccountChoice, AdapterContext, AdapterModule, EditorSignIn, TokenRequest } from '../model/adapter';
import { CLOUD_LABELS } from '../model/clouds';
import { CloudError, errorText } from '../model/errors';
import type { AccountConfig, CloudKind, Confirmation, Field, FieldValues } from '../model/types';
import type { AccountStore } from './accounts';

/** VS Code's SecretStorage, as far as Snapkeeper uses it. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** `snapkeeper.account.<id>.secrets`: the names of the account's secrets (a JSON list; names are not secret). */
const indexKey = (accountId: string) => `snapkeeper.account.${accountId}.secrets`;
/** `snapkeeper.account.<id>.secret.<name>`: one secret's value. */
const valueKey = (accountId: string, name: string) => `snapkeeper.account.${accountId}.secret.${name}`;

/** The secrets users typed for their accounts, in SecretStorage, per account. */
export class AccountSecrets {
  constructor(private readonly store: SecretStore) {}

  /** Keeps `secrets` for the account, replacing whatever it held before. */
  async set(accountId: string, secrets: Record<string, string>): Promise<void> {
    await this.forget(accountId);
    const names = Object.keys(secrets);
    if (names.length === 0) {
      return;
    }
    // The index first: a secret stored is always one `forget` finds.
    await this.store.store(indexKey(accountId), JSON.stringify(names));
    for (const name of names) {
      await this.store.store(valueKey(accountId, name), secrets[name]);
    }
  }

  get(accountId: string, name: string): PromiseLike<string | undefined> {
    return this.store.get(valueKey(accountId, name));
  }

  /** Every secret kept for the account, by name (to put them back with `set`). */
  async all(accountId: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of namesOf(await this.store.get(indexKey(accountId)))) {
      const value = await this.store.get(valueKey(accountId, name));
      if (value !== undefined) {
        out[name] = value;
      }
    }
    return out;
  }

  /** Removes every secret of the account. */
  async forget(accountId: string): Promise<void> {
    for (const name of namesOf(await this.store.get(indexKey(accountId)))) {
      await this.store.delete(valueKey(accountId, name));
    }
    await this.store.delete(indexKey(accountId));
  }
}

function namesOf(index: string | undefined): string[] {
  try {
    const names: unknown = index ? JSON.parse(index) : [];
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** What the "Add Account" flow asks through (ui/prompter.ts's Prompter is one). */
export interface AccountPrompts {
  choose<T>(title: string, placeholder: string, choices: { label: string; description?: string; detail?: string; value: T }[]): Promise<T | undefined>;
  ask(title: string, fields: Field[]): Promise<FieldValues | undefined>;
  /** A modal question; true only when its button was pressed. */
  confirm(c: Confirmation): Promise<boolean>;
}

/** Tests a saved account's credentials (the module's `checkAccount`, with the account's context). */
export type AccountCheck = (account: AccountConfig) => PromiseLike<void>;

/** Where accounts and their secrets are kept, and the log (ui/app.ts's App is one). */
export interface AccountKeeping {
  accounts: AccountStore;
  secrets: AccountSecrets;
  log: { info(message: string): void };
}

export interface AddedAccount {
  account: AccountConfig;
  /** The choice it was made from (whether to ask which scopes to show…). */
  choice: AccountChoice;
}

/**
 * "Add <cloud> Account", once the module's discovery has answered: the user picks a discovered
 * account or the module's typed one (asked directly when nothing was discovered), answers its
 * fields, and the account is saved with the non-secret answers in its settings and the secret
 * ones in SecretStorage. With `check` (the module's `checkAccount`), the saved account is tested
 * at once: when the test fails, the user reads why and saves it anyway, or cancels — then nothing
 * stays (an account that was already there gets its previous secrets back). 'none' when there is
 * nothing to offer; undefined when cancelled.
 */
export async function addAccountFrom(
  keep: AccountKeeping,
  prompts: AccountPrompts,
  cloud: CloudKind,
  mod: Pick<AdapterModule, 'accountNoun' | 'manualAccount'>,
  discovered: AccountChoice[],
  check?: AccountCheck,
): Promise<AddedAccount | 'none' | undefined> {
  const title = `Add ${CLOUD_LABELS[cloud]} Account`;
  const offered = mod.manualAccount ? [...discovered, mod.manualAccount] : discovered;
  if (offered.length === 0) {
    return 'none';
  }
  const choice =
    discovered.length === 0
      ? offered[0]
      : await prompts.choose(
          title,
          `Pick a ${mod.accountNoun}`,
          offered.map((c) => ({ label: c.label, description: c.description, detail: c.detail, value: c })),
        );
  if (!choice) {
    return undefined;
  }
  const answers = choice.fields?.length ? await prompts.ask(title, choice.fields) : {};
  if (!answers) {
    return undefined;
  }
  const typed = splitAnswers(choice, answers);
  const settings = { ...choice.settings, ...typed.settings };
  const label = choice.accountLabel?.(settings) ?? choice.label;
  const before = new Set(keep.accounts.list().map((a) => a.id));
  const account = await keep.accounts.add({ cloud, label, settings });
  const existed = before.has(account.id);
  const previousSecrets = existed && typed.secretFields ? await keep.secrets.all(account.id) : {};
  if (typed.secretFields) {
    try {
      await keep.secrets.set(account.id, typed.secrets);
    } catch (e) {
      // No account without the secrets it was added with (an account that was already there stays).
      if (!existed) {
        await keep.accounts.remove(account.id);
      }
      throw e;
    }
  }
  if (check && !(await passesCheck(prompts, check, account, title))) {
    if (existed) {
      if (typed.secretFields) {
        await keep.secrets.set(account.id, previousSecrets);
      }
    } else {
      await keep.accounts.remove(account.id);
      await keep.secrets.forget(account.id);
    }
    keep.log.info(`Not added: ${CLOUD_LABELS[cloud]} account "${account.label}" (its check failed and the user cancelled).`);
    return undefined;
  }
  const kept = Object.keys(typed.secrets).length;
  keep.log.info(`Added ${CLOUD_LABELS[cloud]} account "${account.label}"${kept ? ` (${kept} secret(s) kept in VS Code's secret storage)` : ''}.`);
  return { account, choice };
}

/** Runs the account's check; on failure asks whether to save it anyway. True to keep the account. */
async function passesCheck(prompts: AccountPrompts, check: AccountCheck, account: AccountConfig, title: string): Promise<boolean> {
  try {
    await check(account);
    return true;
  } catch (e) {
    return prompts.confirm({
      message: `${title}: "${account.label}" did not answer as it should.`,
      detail: `${errorText(e)}\n\nSave the account anyway (and fix this later), or cancel and add it again?`,
      button: 'Save Anyway',
      keep: "Don't Save",
    });
  }
}

/** The answers to a choice's fields: non-secret ones for the settings, secret ones for SecretStorage. */
function splitAnswers(choice: AccountChoice, answers: FieldValues): { settings: Record<string, string>; secrets: Record<string, string>; secretFields: boolean } {
  const settings: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const field of choice.fields ?? []) {
    const value = answers[field.id];
    if (typeof value !== 'string' || value === '') {
      continue;
    }
    (field.secret ? secrets : settings)[field.id] = value;
  }
  return { settings, secrets, secretFields: (choice.fields ?? []).some((f) => f.secret) };
}

/** Removes a saved account and every secret typed for it. */
export async function removeAccount(keep: AccountKeeping, accountId: string): Promise<void> {
  const label = keep.accounts.get(accountId)?.label ?? accountId;
  await keep.accounts.remove(accountId);
  await keep.secrets.forget(accountId);
  keep.log.info(`Removed account "${label}" and any secrets kept for it.`);
}

/** Asks the editor's own sign-in (a VS Code authentication provider) for a token (ui/auth.ts). */
export type EditorToken = (signIn: EditorSignIn, request: TokenRequest) => Promise<AccessToken>;

/**
 * The credential part of an adapter's context: `getToken` when the module declares an editor
 * sign-in (and only for that provider), and `secret` for a saved account's typed secrets.
 */
export function credentialContext(
  mod: Pick<AdapterModule, 'cloud' | 'editorSignIn'>,
  editorToken: EditorToken | undefined,
  saved?: { secrets: AccountSecrets; accountId: string },
): Pick<AdapterContext, 'getToken' | 'secret'> {
  const ctx: Pick<AdapterContext, 'getToken' | 'secret'> = {};
  const signIn = mod.editorSignIn;
  if (signIn && editorToken) {
    ctx.getToken = async (request) => {
      if (request.provider !== signIn.providerId) {
        throw new CloudError(
          'auth',
          `The ${CLOUD_LABELS[mod.cloud]} adapter asked for the "${request.provider}" sign-in, which its module does not declare.`,
        );
      }
      return editorToken(signIn, request);
    };
  }
  if (saved) {
    ctx.secret = async (name) => saved.secrets.get(saved.accountId, name);
  }
  return ctx;
}
