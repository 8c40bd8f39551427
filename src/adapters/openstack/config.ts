/**
 * Where OpenStack's tools keep their accounts, read as openstacksdk and the `openstack` CLI read
 * them: `clouds.yaml` (the first found of `OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`,
 * `~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`; `.yml` too) with `secure.yaml`
 * (the first of `OS_CLIENT_SECURE_FILE`, beside that clouds.yaml, then the same places) merged
 * over it, key by key; and the `OS_*` environment of an openrc file.
 *
 * A cloud entry: `auth_type` (`password`, `v3password`, `v3applicationcredential`; others are not
 * offered), `auth` (auth_url, username / user_id, password, project_name / project_id,
 * project_domain_name / _id, user_domain_name / _id, domain_name / _id for both,
 * application_credential_id / _name / _secret), `region_name` (a string or a list), `regions`,
 * `interface`, `cacert`, `verify`.
 *
 * Reading never throws: a missing, unreadable, oversized or malformed file gives no clouds and
 * one line in the log (never the file's content, which holds passwords).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { CloudError, untrusted } from '../../model/errors';
import type { Credentials } from './auth';
import { interfaceOf, type Interface } from './catalog';

export type AuthType = 'password' | 'v3applicationcredential';

export interface CloudProfile {
  /** The cloud's name in clouds.yaml (`environment` for the OS_* variables). */
  name: string;
  /** `password` (also for `v3password`) or `v3applicationcredential`. */
  authType: AuthType;
  /** The `auth` keys, as strings. */
  auth: Record<string, string>;
  /** `region_name` (string or list) and `regions`; empty: the catalog's. */
  regions: string[];
  interface?: Interface;
  /** A CA file's path (`~` expanded). */
  cacert?: string;
  /** False when the entry says `verify: false` (Snapkeeper checks TLS anyway, and says so). */
  verify: boolean;
}

export interface CloudsConfig {
  /** The clouds.yaml read. */
  path: string;
  /** The secure.yaml merged over it, when there was one. */
  securePath?: string;
  clouds: CloudProfile[];
  /** Entries not offered, with why (an unsupported auth_type…). */
  skipped: { name: string; why: string }[];
}

const MAX_FILE_BYTES = 1024 * 1024;
/** `./` is the workspace folder (`cwd`); '' when there is none (then `./` is not looked in). */
const DIRS = (cwd: string, home: string) => [...(cwd ? [cwd] : []), join(home, '.config', 'openstack'), '/etc/openstack'];

function expand(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** The clouds.yaml files to try, in order. */
export function cloudsCandidates(env: NodeJS.ProcessEnv, cwd: string, home: string): string[] {
  const given = env.OS_CLIENT_CONFIG_FILE?.trim();
  return [...(given ? [expand(given, home)] : []), ...DIRS(cwd, home).flatMap((d) => [join(d, 'clouds.yaml'), join(d, 'clouds.yml')])];
}

/** The secure.yaml files to try for a clouds.yaml at `cloudsPath`, in order. */
export function secureCandidates(env: NodeJS.ProcessEnv, cwd: string, home: string, cloudsPath: string): string[] {
  const given = env.OS_CLIENT_SECURE_FILE?.trim();
  const dirs = [dirname(cloudsPath), ...DIRS(cwd, home)].filter((d, i, all) => all.indexOf(d) === i);
  return [...(given ? [expand(given, home)] : []), ...dirs.flatMap((d) => [join(d, 'secure.yaml'), join(d, 'secure.yml')])];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `secure` merged over `base`, mapping by mapping (secure.yaml's values win). */
function merge(base: unknown, secure: unknown): unknown {
  if (!isObject(base) || !isObject(secure)) {
    return secure === undefined ? base : secure;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(secure)) {
    out[k] = merge(base[k], v);
  }
  return out;
}

function scalar(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
}

const AUTH_TYPES: Record<string, AuthType> = { password: 'password', v3password: 'password', v3applicationcredential: 'v3applicationcredential' };

/** One cloud entry → a profile, or why it is not offered. */
function profileOf(name: string, entry: unknown, home: string): CloudProfile | string {
  if (!isObject(entry)) {
    return 'it is not a mapping';
  }
  const auth: Record<string, string> = {};
  if (isObject(entry.auth)) {
    for (const [k, v] of Object.entries(entry.auth)) {
      const s = scalar(v);
      if (s !== undefined) {
        auth[k] = s;
      }
    }
  }
  const given = scalar(entry.auth_type)?.toLowerCase();
  const authType = given ? AUTH_TYPES[given] : auth.application_credential_secret ? 'v3applicationcredential' : 'password';
  if (!authType) {
    return `its auth_type "${untrusted(given, 40)}" is not one Snapkeeper signs in with (password, v3password, v3applicationcredential)`;
  }
  if (!auth.auth_url) {
    return 'it has no auth.auth_url';
  }
  const regionList = [entry.region_name, entry.regions].flatMap((r) => (Array.isArray(r) ? r : r === undefined ? [] : [r]));
  const regions = regionList.map((r) => (isObject(r) ? scalar(r.name) : scalar(r))).filter((r): r is string => Boolean(r));
  const cacert = scalar(entry.cacert);
  return {
    name,
    authType,
    auth,
    regions: regions.filter((r, i) => regions.indexOf(r) === i),
    interface: interfaceOf(scalar(entry.interface)),
    ...(cacert ? { cacert: expand(cacert, home) } : {}),
    verify: entry.verify !== false && scalar(entry.verify)?.toLowerCase() !== 'false',
  };
}

/** The clouds of clouds.yaml's text with secure.yaml's merged over it. Throws when a text is not YAML or has no `clouds` mapping. */
export function parseClouds(text: string, secureText: string | undefined, path: string, home = homedir()): CloudsConfig {
  const doc = load(text);
  const secure = secureText === undefined ? undefined : load(secureText);
  if (!isObject(doc) || !isObject(doc.clouds)) {
    throw new Error('it has no "clouds" mapping');
  }
  if (secure !== undefined && secure !== null && !isObject(secure)) {
    throw new Error('its secure.yaml is not a mapping');
  }
  const clouds = merge(doc.clouds, isObject(secure) ? secure.clouds : undefined) as Record<string, unknown>;
  const config: CloudsConfig = { path, clouds: [], skipped: [] };
  for (const [name, entry] of Object.entries(clouds)) {
    const p = profileOf(name, entry, home);
    if (typeof p === 'string') {
      config.skipped.push({ name, why: p });
    } else {
      config.clouds.push(p);
    }
  }
  return config;
}

/** A small file's text; undefined when absent; throws with a message (never the content) otherwise. */
async function readSmall(path: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return undefined;
    }
    throw new Error(`it could not be read (${code ?? 'error'})`, { cause: e });
  }
  if (bytes.length > MAX_FILE_BYTES) {
    throw new Error('it is larger than 1 MiB');
  }
  return bytes.toString('utf8');
}

export interface Places {
  env?: NodeJS.ProcessEnv;
  /** What `./` is: the open workspace folder ('' for none); process.cwd() when absent (tests, CLI). */
  cwd?: string;
  home?: string;
}

/**
 * The clouds of the first clouds.yaml found (or of `path` when given: the file an account was
 * added from), with its secure.yaml; undefined (and one log line) when there is none or it
 * cannot be read.
 */
export async function readCloudsConfig(log: (message: string) => void, places: Places = {}, path?: string): Promise<CloudsConfig | undefined> {
  const env = places.env ?? process.env;
  const cwd = places.cwd ?? process.cwd();
  const home = places.home ?? homedir();
  let found: { path: string; text: string } | undefined;
  for (const candidate of path ? [path] : cloudsCandidates(env, cwd, home)) {
    try {
      const text = await readSmall(candidate);
      if (text !== undefined) {
        found = { path: candidate, text };
        break;
      }
    } catch (e) {
      log(`OpenStack: ${candidate} ${(e as Error).message}: no clouds read from it.`);
      return undefined;
    }
  }
  if (!found) {
    log(path ? `OpenStack: no clouds.yaml at ${path}.` : 'OpenStack: no clouds.yaml found (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/).');
    return undefined;
  }
  let secure: { path: string; text: string } | undefined;
  for (const candidate of secureCandidates(env, cwd, home, found.path)) {
    try {
      const text = await readSmall(candidate);
      if (text !== undefined) {
        secure = { path: candidate, text };
        break;
      }
    } catch (e) {
      log(`OpenStack: ${candidate} ${(e as Error).message}: not merged.`);
      break;
    }
  }
  try {
    const config = parseClouds(found.text, secure?.text, found.path, home);
    for (const s of config.skipped) {
      log(`OpenStack: the cloud "${untrusted(s.name, 80)}" of ${found.path} is not offered: ${s.why}.`);
    }
    return secure ? { ...config, securePath: secure.path } : config;
  } catch (e) {
    // js-yaml's messages quote the offending line, which may hold a password: only its position is logged.
    const mark = (e as { mark?: { line?: number } }).mark;
    const why = mark ? (mark.line !== undefined ? `a YAML error at line ${mark.line + 1}` : 'not YAML') : e instanceof Error ? e.message : 'not YAML';
    log(`OpenStack: ${found.path}${secure ? ` (with ${secure.path})` : ''} could not be read as clouds.yaml (${why}): no clouds read from it.`);
    return undefined;
  }
}

/** The OS_* variables of an openrc file → a profile named `environment`, or undefined when they are incomplete. */
export function envProfile(env: NodeJS.ProcessEnv, home = homedir()): CloudProfile | undefined {
  const v = (name: string) => env[`OS_${name}`]?.trim() || undefined;
  const authUrl = v('AUTH_URL');
  if (!authUrl) {
    return undefined;
  }
  const pairs: [string, string | undefined][] = [
    ['auth_url', authUrl],
    ['username', v('USERNAME')],
    ['user_id', v('USER_ID')],
    ['password', v('PASSWORD')],
    ['project_name', v('PROJECT_NAME') ?? v('TENANT_NAME')],
    ['project_id', v('PROJECT_ID') ?? v('TENANT_ID')],
    ['project_domain_name', v('PROJECT_DOMAIN_NAME')],
    ['project_domain_id', v('PROJECT_DOMAIN_ID')],
    ['user_domain_name', v('USER_DOMAIN_NAME')],
    ['user_domain_id', v('USER_DOMAIN_ID')],
    ['application_credential_id', v('APPLICATION_CREDENTIAL_ID')],
    ['application_credential_name', v('APPLICATION_CREDENTIAL_NAME')],
    ['application_credential_secret', v('APPLICATION_CREDENTIAL_SECRET')],
  ];
  const auth = Object.fromEntries(pairs.filter((p): p is [string, string] => p[1] !== undefined));
  const profile = profileOf('environment', { auth, auth_type: v('AUTH_TYPE'), region_name: v('REGION_NAME'), interface: v('INTERFACE'), cacert: v('CACERT') }, home);
  if (typeof profile === 'string') {
    return undefined;
  }
  try {
    credentialsOf(profile);
    return profile;
  } catch {
    return undefined;
  }
}

/** True when the profile's password must be asked for (password auth, and no password in clouds.yaml or secure.yaml). */
export function needsPassword(profile: CloudProfile): boolean {
  return profile.authType === 'password' && !profile.auth.password;
}

/**
 * A profile's credentials for Keystone; `password` when the file has none (the one the user
 * typed). Throws `auth` naming what is missing.
 */
export function credentialsOf(profile: CloudProfile, password?: string): Credentials {
  const a = profile.auth;
  const userDomainName = a.user_domain_name ?? a.domain_name;
  const userDomainId = a.user_domain_id ?? a.domain_id;
  const missing = (what: string) => new CloudError('auth', `The cloud "${untrusted(profile.name, 80)}" has no ${what}: add it to its clouds.yaml (or secure.yaml) entry.`);
  if (profile.authType === 'v3applicationcredential') {
    const secret = a.application_credential_secret;
    if (!secret) {
      throw missing('application_credential_secret');
    }
    if (!a.application_credential_id && !(a.application_credential_name && (a.username || a.user_id))) {
      throw missing('application_credential_id (or application_credential_name and username)');
    }
    return {
      authUrl: a.auth_url,
      applicationCredential: { id: a.application_credential_id, name: a.application_credential_name, secret, userName: a.username, userId: a.user_id, userDomainName, userDomainId },
    };
  }
  const pw = a.password ?? password;
  if (!pw) {
    throw missing('password');
  }
  if (!a.username && !a.user_id) {
    throw missing('username (or user_id)');
  }
  const projectName = a.project_name ?? a.tenant_name;
  const projectId = a.project_id ?? a.tenant_id;
  if (!projectName && !projectId) {
    throw missing('project_name (or project_id)');
  }
  return {
    authUrl: a.auth_url,
    password: { userName: a.username, userId: a.user_id, userDomainName, userDomainId, password: pw },
    project: { name: projectName, id: projectId, domainName: a.project_domain_name ?? a.domain_name, domainId: a.project_domain_id ?? a.domain_id },
  };
}
