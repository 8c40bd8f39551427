import { randomUUID } from 'node:crypto';
import { isCloudKind } from '../model/clouds';
import type { AccountConfig } from '../model/types';

/** Where the account list is kept (the extension's global state; never settings: no secrets there anyway). */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const KEY = 'snapkeeper.accounts';

/**
 * The saved accounts. Validates what it reads back (a cloud of the registry, string settings), so
 * a damaged store loses only bad entries. Secrets typed for an account are not here: they live
 * in SecretStorage (core/credentials.ts).
 */
export class AccountStore {
  constructor(private readonly store: KeyValueStore) {}

  list(): AccountConfig[] {
    const raw = this.store.get<unknown>(KEY);
    if (!Array.isArray(raw)) {
      return [];
    }
    return raw.filter(isAccountConfig);
  }

  get(id: string): AccountConfig | undefined {
    return this.list().find((a) => a.id === id);
  }

  /** Adds an account unless one of the same cloud with the same settings exists; returns the stored one. */
  async add(account: Omit<AccountConfig, 'id'>): Promise<AccountConfig> {
    const accounts = this.list();
    const same = accounts.find(
      (a) =>
        a.cloud === account.cloud &&
        !!a.sandbox === !!account.sandbox &&
        JSON.stringify(sorted(a.settings)) === JSON.stringify(sorted(account.settings)),
    );
    if (same) {
      return same;
    }
    const stored: AccountConfig = { ...account, id: randomUUID() };
    await this.store.update(KEY, [...accounts, stored]);
    return stored;
  }

  /** Replaces an account's settings (e.g. the top-level scopes it shows); returns the updated account. */
  async updateSettings(id: string, settings: Record<string, string>): Promise<AccountConfig | undefined> {
    const accounts = this.list();
    const index = accounts.findIndex((a) => a.id === id);
    if (index < 0) {
      return undefined;
    }
    const updated: AccountConfig = { ...accounts[index], settings: { ...settings } };
    accounts[index] = updated;
    await this.store.update(KEY, accounts);
    return updated;
  }

  async remove(id: string): Promise<void> {
    await this.store.update(
      KEY,
      this.list().filter((a) => a.id !== id),
    );
  }
}

/** The settings that identify an account (not the display choice of which scopes to show). */
function sorted(o: Record<string, string>): [string, string][] {
  return Object.entries(o)
    .filter(([k]) => k !== 'scopes')
    .sort(([a], [b]) => a.localeCompare(b));
}

function isAccountConfig(x: unknown): x is AccountConfig {
  if (typeof x !== 'object' || x === null) {
    return false;
  }
  const a = x as Record<string, unknown>;
  return (
    typeof a.id === 'string' &&
    typeof a.label === 'string' &&
    isCloudKind(a.cloud) &&
    typeof a.settings === 'object' &&
    a.settings !== null &&
    Object.values(a.settings).every((v) => typeof v === 'string')
  );
}
