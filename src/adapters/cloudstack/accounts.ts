/**
 * CloudStack accounts: where their keys come from, and the client of one account.
 * - sandbox: the running sandbox's endpoint and keys (`ctx.sandbox`: `{ endpoint, apiKey, secretKey }`);
 * - profile: a CloudMonkey profile (config.ts), read again at each connect: its keys are never
 *   copied into Snapkeeper's settings;
 * - typed: an endpoint and API key in the account's settings, the secret key in VS Code's
 *   SecretStorage (`ctx.secret('secretKey')`), and optionally a CA file.
 * A CA file (the account's, else `snapkeeper.cloudstack.caFile`) is trusted for that endpoint only.
 */
import { readCaFile } from '../http';
import type { AccountChoice, AdapterContext } from '../../model/adapter';
import { CloudError, hostOf, untrusted } from '../../model/errors';
import type { AccountConfig } from '../../model/types';
import type { CloudStackApi } from './api';
import { createClient, type CloudStackClientOptions } from './client';
import { cmkConfigPath, readCmkConfig, type CmkConfig } from './config';

/** What one "Add Account" choice is. */
export const accountNoun = 'CloudMonkey profile';

/** The settings this module reads (package.json declares them under `snapkeeper.`). */
const SETTING_CA_FILE = 'cloudstack.caFile';
const SETTING_PAGE_SIZE = 'cloudstack.pageSize';
const SETTING_CMK_CONFIG = 'cloudstack.cmkConfig';

type Ctx = Pick<AdapterContext, 'log' | 'setting'>;

async function cmkConfig(ctx: Ctx): Promise<CmkConfig | undefined> {
  return readCmkConfig(cmkConfigPath(ctx.setting<string>(SETTING_CMK_CONFIG, '')), ctx.log);
}

/** One choice per CloudMonkey profile that has an endpoint and API keys (the active one first). */
export async function discoverAccounts(ctx: Omit<AdapterContext, 'sandbox'>): Promise<AccountChoice[]> {
  const config = await cmkConfig(ctx);
  if (!config) {
    return [];
  }
  const usable = config.profiles.filter((p) => {
    const ok = Boolean(p.url && p.apiKey && p.secretKey);
    if (!ok) {
      ctx.log(`CloudMonkey profile "${untrusted(p.name, 80)}" has no url, apikey and secretkey: not offered (Snapkeeper signs with API keys).`);
    }
    return ok;
  });
  usable.sort((a, b) => (a.name === config.active ? -1 : b.name === config.active ? 1 : a.name.localeCompare(b.name)));
  return usable.map((p) => ({
    label: p.name,
    description: `${hostOf(p.url ?? '')}${p.name === config.active ? ' · active profile' : ''}`,
    detail: `${p.url} · from ${config.path}`,
    settings: { profile: p.name },
    accountLabel: () => `${p.name} (${hostOf(p.url ?? '')})`,
  }));
}

/** The account typed in by hand: endpoint, API key, secret key (SecretStorage) and an optional CA file. */
export const manualAccount: AccountChoice = {
  label: 'Enter an API endpoint and keys…',
  detail: 'The API URL (…/client/api), the API key and secret key of a CloudStack user',
  settings: {},
  fields: [
    {
      id: 'endpoint',
      kind: 'text',
      title: 'API endpoint',
      prompt: "CloudStack's API URL",
      placeholder: 'https://cloud.example.org/client/api',
      pattern: { source: 'https?://[^\\s/?#]+(/[^\\s?#]*)?', message: 'An http:// or https:// URL without a query, e.g. https://cloud.example.org/client/api' },
    },
    { id: 'apiKey', kind: 'text', title: 'API key', prompt: "The user's API key (Accounts → user → Keys)" },
    { id: 'secretKey', kind: 'text', title: 'Secret key', prompt: "The user's secret key: kept in VS Code's secret storage", secret: true },
    {
      id: 'caFile',
      kind: 'text',
      title: 'CA file (optional)',
      prompt: "Path of a PEM file with the CA of a self-signed endpoint's certificate; leave empty otherwise",
      optional: true,
    },
  ],
  accountLabel: (settings) => `CloudStack ${hostOf(settings.endpoint ?? '')}`,
};

interface Credentials {
  endpoint: string;
  apiKey: string;
  secretKey: string;
  caFile?: string;
  timeoutSeconds?: number;
}

/** The sandbox's connection details, validated (`ctx.sandbox` is typed unknown by the contract). */
export function sandboxCredentials(raw: unknown): Credentials | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const { endpoint, apiKey, secretKey } = raw as Record<string, unknown>;
  return typeof endpoint === 'string' && typeof apiKey === 'string' && typeof secretKey === 'string' ? { endpoint, apiKey, secretKey } : undefined;
}

async function credentialsOf(account: AccountConfig, ctx: Pick<AdapterContext, 'log' | 'setting' | 'sandbox' | 'secret'>): Promise<Credentials> {
  if (account.sandbox) {
    const sandbox = sandboxCredentials(ctx.sandbox);
    if (!sandbox) {
      throw new CloudError('network', 'The CloudStack sandbox is not running: start it (Snapkeeper: Start Sandbox), then Retry.');
    }
    return sandbox;
  }
  const profile = account.settings.profile;
  if (profile) {
    const config = await cmkConfig(ctx);
    const found = config?.profiles.find((p) => p.name === profile);
    if (!found?.url || !found.apiKey || !found.secretKey) {
      throw new CloudError(
        'auth',
        `The CloudMonkey profile "${untrusted(profile, 80)}" ${found ? 'has no url, apikey and secretkey' : 'is not'} in ${config?.path ?? cmkConfigPath(ctx.setting<string>(SETTING_CMK_CONFIG, ''))}: fix it with cmk, or add the account again.`,
      );
    }
    if (!found.verifyCert) {
      ctx.log(`CloudMonkey profile "${untrusted(profile, 80)}" sets verifycert = false: Snapkeeper checks TLS anyway (trust a self-signed endpoint's CA with snapkeeper.cloudstack.caFile).`);
    }
    return { endpoint: found.url, apiKey: found.apiKey, secretKey: found.secretKey, timeoutSeconds: found.timeoutSeconds };
  }
  const { endpoint, apiKey, caFile } = account.settings;
  if (!endpoint || !apiKey) {
    throw new CloudError('auth', `The account "${untrusted(account.label, 80)}" has no endpoint or API key in its settings: add the account again.`);
  }
  const secretKey = await ctx.secret?.('secretKey');
  if (!secretKey) {
    throw new CloudError('auth', `The secret key of "${untrusted(account.label, 80)}" is not in VS Code's secret storage (removed, or another machine): add the account again.`);
  }
  return { endpoint, apiKey, secretKey, caFile: caFile || undefined };
}

/** The PEM text of the account's CA file (else the setting's) for an https endpoint, or undefined when none is set. */
async function caOf(credentials: Credentials, ctx: Pick<AdapterContext, 'setting'>): Promise<string | undefined> {
  const path = credentials.caFile || ctx.setting<string>(SETTING_CA_FILE, '').trim();
  if (!path || !/^https:/i.test(credentials.endpoint)) {
    return undefined;
  }
  return readCaFile(path, `the account's CA file or snapkeeper.${SETTING_CA_FILE}`);
}

/** Options of tests: the client's clock and transport. */
export type ClientOverrides = Pick<CloudStackClientOptions, 'transport' | 'now' | 'sleep'>;

/** The client of an account, its keys resolved (sandbox, CloudMonkey profile or typed). */
export async function connect(account: AccountConfig, ctx: AdapterContext, overrides: ClientOverrides = {}): Promise<CloudStackApi> {
  const credentials = await credentialsOf(account, ctx);
  return createClient({
    endpoint: credentials.endpoint,
    apiKey: credentials.apiKey,
    secretKey: credentials.secretKey,
    ca: await caOf(credentials, ctx),
    pageSize: ctx.setting<number>(SETTING_PAGE_SIZE, 500),
    maxConcurrency: Math.min(16, ctx.maxConcurrency),
    timeoutMs: credentials.timeoutSeconds !== undefined ? Math.min(300, credentials.timeoutSeconds) * 1000 : undefined,
    log: ctx.log,
    ...overrides,
  });
}

/**
 * Tests an account's keys at once, when it is added: `listCapabilities` (any user may call it),
 * then `listZones`. Throws a CloudError whose message says what is wrong: the endpoint (nothing
 * answers, not CloudStack's API), the keys (401), the clock (a signature refused as expired) or the
 * CA (TLS).
 */
export async function checkAccount(account: AccountConfig, ctx: AdapterContext, overrides: ClientOverrides = {}): Promise<void> {
  const api = await connect(account, ctx, { ...overrides, sleep: overrides.sleep ?? quickSleep });
  try {
    await api.call('listCapabilities');
    await api.list('listZones', 'zone', { available: true });
  } finally {
    api.dispose();
  }
}

/** At add time a wrong endpoint should not take the full back-off to say so: short waits. */
function quickSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 500)));
}
