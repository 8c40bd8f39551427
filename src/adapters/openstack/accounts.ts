/**
 * OpenStack accounts: where their credentials come from, and the client of one account.
 * - sandbox: the running sandbox's Keystone and user (`ctx.sandbox`, see `sandboxCredentials`);
 * - cloud: a clouds.yaml entry (config.ts), read again at each connect, so the password and
 *   secrets in clouds.yaml / secure.yaml are never copied into Snapkeeper's settings. A cloud whose
 *   password is in neither file asks for it once: it is kept in SecretStorage (`ctx.secret('password')`);
 * - environment: the `OS_*` variables of an openrc file, read again at each connect;
 * - typed: auth URL, user, project and their domains in the account's settings, the password in
 *   SecretStorage, and optionally a region and a CA file.
 * A CA file (the account's or clouds.yaml's `cacert`, else `snapkeeper.openstack.caFile`) is trusted for that cloud only.
 */
import { readCaFile } from '../http';
import type { AccountChoice, AdapterContext } from '../../model/adapter';
import { CloudError, hostOf, untrusted } from '../../model/errors';
import type { AccountConfig } from '../../model/types';
import type { OpenStackApi } from './api';
import type { Credentials } from './auth';
import type { Interface } from './catalog';
import { createClient, type OpenStackClientOptions } from './client';
import { credentialsOf, envProfile, needsPassword, readCloudsConfig, type CloudProfile, type Places } from './config';

/** What one "Add Account" choice is. */
export const accountNoun = 'cloud';

/** The settings this module reads (package.json declares them under `snapkeeper.` once OpenStack is in the registry). */
const SETTING_CA_FILE = 'openstack.caFile';
const SETTING_PAGE_SIZE = 'openstack.pageSize';

/** Where config.ts looks (tests give their own environment and directories). */
export interface AccountPlaces {
  places?: Places;
}

/**
 * Where to look: the test's places, else `./` is the open workspace folder (VS Code's process
 * directory is not the user's project), and no `./` without one.
 */
function placesOf(ctx: Pick<AdapterContext, 'workspaceFolders'> & AccountPlaces): Places {
  return ctx.places ?? { cwd: ctx.workspaceFolders?.[0] ?? '' };
}

const PASSWORD_FIELD = { id: 'password', kind: 'text', title: 'Password', prompt: "The user's password: kept in VS Code's secret storage", secret: true } as const;

function authHost(profile: CloudProfile): string {
  return hostOf(profile.auth.auth_url);
}

/**
 * One choice per usable clouds.yaml cloud (OS_CLOUD's first), and one for a complete `OS_*`
 * environment. Settings hold the cloud's name and the file's path, never a password or secret.
 */
export async function discoverAccounts(ctx: Omit<AdapterContext, 'sandbox'> & AccountPlaces): Promise<AccountChoice[]> {
  const places = placesOf(ctx);
  const env = places.env ?? process.env;
  const config = await readCloudsConfig(ctx.log, places);
  const choices: AccountChoice[] = [];
  const active = env.OS_CLOUD?.trim();
  const clouds = [...(config?.clouds ?? [])].sort((a, b) => (a.name === active ? -1 : b.name === active ? 1 : a.name.localeCompare(b.name)));
  for (const cloud of clouds) {
    const project = cloud.auth.project_name ?? cloud.auth.project_id ?? '';
    choices.push({
      label: cloud.name,
      description: `${authHost(cloud)}${project ? ` · ${project}` : ''}${cloud.name === active ? ' · OS_CLOUD' : ''}`,
      detail: `${cloud.auth.auth_url} · from ${config?.path}`,
      settings: { cloud: cloud.name, configFile: config?.path ?? '' },
      ...(needsPassword(cloud) ? { fields: [PASSWORD_FIELD] } : {}),
      accountLabel: () => `${cloud.name} (${authHost(cloud)})`,
    });
  }
  const fromEnv = envProfile(env, places.home);
  if (fromEnv) {
    choices.push({
      label: 'OS_* environment',
      description: `${authHost(fromEnv)} · ${fromEnv.auth.project_name ?? fromEnv.auth.project_id ?? fromEnv.auth.application_credential_id ?? ''}`,
      detail: `${fromEnv.auth.auth_url} · from the environment (an openrc file sourced before starting VS Code)`,
      settings: { source: 'environment' },
      accountLabel: () => `OpenStack ${authHost(fromEnv)}`,
    });
  }
  return choices;
}

/** The account typed in by hand: Keystone's URL, user, project, their domains, the password (SecretStorage), a region and a CA file. */
export const manualAccount: AccountChoice = {
  label: 'Enter a Keystone URL, user and project…',
  detail: 'The auth URL (Keystone v3), the user and project with their domains, and the password',
  settings: {},
  fields: [
    {
      id: 'authUrl',
      kind: 'text',
      title: 'Auth URL',
      prompt: "Keystone's URL (the auth_url of clouds.yaml, OS_AUTH_URL of an openrc file)",
      placeholder: 'https://keystone.example.org:5000/v3',
      pattern: { source: 'https?://[^\\s/?#]+(/[^\\s?#]*)?', message: 'An http:// or https:// URL without a query, e.g. https://keystone.example.org:5000/v3' },
    },
    { id: 'userName', kind: 'text', title: 'User name', prompt: 'The OpenStack user' },
    { id: 'userDomain', kind: 'text', title: "User's domain", prompt: "The user's domain name", default: 'Default' },
    { id: 'projectName', kind: 'text', title: 'Project', prompt: 'The project (tenant) name' },
    { id: 'projectDomain', kind: 'text', title: "Project's domain", prompt: "The project's domain name", default: 'Default' },
    PASSWORD_FIELD,
    { id: 'region', kind: 'text', title: 'Region (optional)', prompt: "The region to use; leave empty for every region of the catalog", optional: true },
    {
      id: 'caFile',
      kind: 'text',
      title: 'CA file (optional)',
      prompt: "Path of a PEM file with the CA of a self-signed cloud's certificate; leave empty otherwise",
      optional: true,
    },
  ],
  accountLabel: (settings) => `${settings.projectName ?? 'OpenStack'} (${hostOf(settings.authUrl ?? '')})`,
};

/** What connecting needs: the credentials and where to find the services. */
export interface Connection {
  credentials: Credentials;
  regions: string[];
  interface?: Interface;
  caFile?: string;
}

/**
 * The sandbox's connection details, validated (`ctx.sandbox` is typed unknown by the contract):
 * `{ authUrl (or endpoint), regions?, projectName, projectDomain?, userName, userDomain?, password }`
 * or an application credential `{ applicationCredentialId, applicationCredentialSecret }`.
 */
export function sandboxCredentials(raw: unknown): Connection | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const s = (k: string) => (typeof r[k] === 'string' && r[k] !== '' ? (r[k] as string) : undefined);
  const authUrl = s('authUrl') ?? s('endpoint');
  if (!authUrl) {
    return undefined;
  }
  const regions = Array.isArray(r.regions) ? r.regions.filter((x): x is string => typeof x === 'string') : [];
  const appId = s('applicationCredentialId');
  const appSecret = s('applicationCredentialSecret');
  const password = s('password');
  const userName = s('userName');
  const projectName = s('projectName');
  if (password && userName && projectName) {
    return {
      credentials: {
        authUrl,
        password: { userName, userDomainName: s('userDomain') ?? 'Default', password },
        project: { name: projectName, domainName: s('projectDomain') ?? 'Default' },
      },
      regions,
    };
  }
  if (appId && appSecret) {
    return { credentials: { authUrl, applicationCredential: { id: appId, secret: appSecret } }, regions };
  }
  return undefined;
}

function fromProfile(profile: CloudProfile, password?: string): Connection {
  return { credentials: credentialsOf(profile, password), regions: profile.regions, interface: profile.interface, caFile: profile.cacert };
}

async function connectionOf(account: AccountConfig, ctx: Pick<AdapterContext, 'log' | 'setting' | 'sandbox' | 'secret' | 'workspaceFolders'> & AccountPlaces): Promise<Connection> {
  if (account.sandbox) {
    const sandbox = sandboxCredentials(ctx.sandbox);
    if (!sandbox) {
      throw new CloudError('network', 'The OpenStack sandbox is not running: start it (Snapkeeper: Start Sandbox), then Retry.');
    }
    return sandbox;
  }
  const { cloud, configFile, source } = account.settings;
  if (cloud) {
    const config = await readCloudsConfig(ctx.log, placesOf(ctx), configFile || undefined);
    const profile = config?.clouds.find((c) => c.name === cloud);
    if (!profile) {
      throw new CloudError('auth', `The cloud "${untrusted(cloud, 80)}" is not in ${configFile || 'clouds.yaml'} any more (or the file cannot be read: see the log): fix the file, or add the account again.`);
    }
    if (!profile.verify) {
      ctx.log(`OpenStack cloud "${untrusted(cloud, 80)}" sets verify: false: Snapkeeper checks TLS anyway (trust a self-signed cloud's CA with cacert in clouds.yaml, or snapkeeper.openstack.caFile).`);
    }
    return fromProfile(profile, needsPassword(profile) ? await ctx.secret?.('password') : undefined);
  }
  if (source === 'environment') {
    const places = placesOf(ctx);
    const profile = envProfile(places.env ?? process.env, places.home);
    if (!profile) {
      throw new CloudError('auth', 'The OS_* environment is incomplete now (OS_AUTH_URL, the user or application credential, the password or secret, the project): source the openrc file before starting VS Code, or add the account from clouds.yaml.');
    }
    return fromProfile(profile);
  }
  const { authUrl, userName, userDomain, projectName, projectDomain, region, caFile } = account.settings;
  if (!authUrl || !userName || !projectName) {
    throw new CloudError('auth', `The account "${untrusted(account.label, 80)}" has no auth URL, user or project in its settings: add the account again.`);
  }
  const password = await ctx.secret?.('password');
  if (!password) {
    throw new CloudError('auth', `The password of "${untrusted(account.label, 80)}" is not in VS Code's secret storage (removed, or another machine): add the account again.`);
  }
  return {
    credentials: {
      authUrl,
      password: { userName, userDomainName: userDomain || 'Default', password },
      project: { name: projectName, domainName: projectDomain || 'Default' },
    },
    regions: region ? [region] : [],
    caFile: caFile || undefined,
  };
}

/** The PEM text of the CA file (the account's or clouds.yaml's, else the setting's) for an https Keystone, or undefined. */
async function caOf(connection: Connection, ctx: Pick<AdapterContext, 'setting'>): Promise<string | undefined> {
  const path = connection.caFile || ctx.setting<string>(SETTING_CA_FILE, '').trim();
  if (!path) {
    return undefined;
  }
  return readCaFile(path, `cacert in clouds.yaml, the account's CA file or snapkeeper.${SETTING_CA_FILE}`);
}

/** Options of tests: the client's clock and transport. */
export type ClientOverrides = Pick<OpenStackClientOptions, 'transport' | 'now' | 'sleep'>;

/** The client of an account (its first region; `inRegion` for the others), its credentials resolved. */
export async function connect(account: AccountConfig, ctx: AdapterContext & AccountPlaces, overrides: ClientOverrides = {}): Promise<OpenStackApi> {
  const connection = await connectionOf(account, ctx);
  return createClient({
    credentials: connection.credentials,
    regions: connection.regions,
    region: connection.regions[0],
    interface: connection.interface,
    ca: await caOf(connection, ctx),
    pageSize: ctx.setting<number>(SETTING_PAGE_SIZE, 500),
    maxConcurrency: Math.min(16, ctx.maxConcurrency),
    log: ctx.log,
    ...overrides,
  });
}

/**
 * Tests an account when it is added: gets a token (the password, the project, Keystone's URL, the
 * CA) and reads the catalog: each region the account uses must exist in it and offer Nova, Cinder
 * and Glance.
 * Throws a CloudError whose message says what is wrong.
 */
export async function checkAccount(account: AccountConfig, ctx: AdapterContext & AccountPlaces, overrides: ClientOverrides = {}): Promise<void> {
  const api = await connect(account, ctx, { ...overrides, sleep: overrides.sleep ?? quickSleep });
  try {
    const regions = await api.regions();
    if (regions.length === 0) {
      throw new CloudError('invalid', 'The service catalog of this project names no region: the project has no endpoints (ask the cloud\'s administrator).');
    }
    for (const region of regions) {
      // Each throws NoService, naming the region and what is lost, when the catalog lacks Nova,
      // Cinder or Glance there (or has no such region); Nova's and Cinder's version documents are read.
      const here = api.inRegion(region);
      for (const service of ['compute', 'volumev3', 'image'] as const) {
        await here.maxMicroversion(service);
      }
    }
  } finally {
    api.dispose();
  }
}

/** At add time a wrong URL should not take the full back-off to say so: short waits. */
function quickSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 500)));
}
