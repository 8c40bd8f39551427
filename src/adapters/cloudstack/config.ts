/**
 * CloudMonkey's config file (apache/cloudstack-cloudmonkey, config/config.go): `~/.cmk/config`, or
 * the file `cmk -c <path>` names (our `snapkeeper.cloudstack.cmkConfig` setting). An INI file:
 * the core options first — keys before any section (go-ini's DEFAULT section, as cmk writes it),
 * or a `[core]` section as CloudMonkey 5 wrote it — with `profile = <name>` naming the active
 * profile, `timeout` and `verifycert`; then one section per server profile with `url`, `apikey`,
 * `secretkey` (and `username`/`password`/`domain`, which Snapkeeper does not use).
 *
 * Reading never throws: a missing, unreadable, oversized or malformed file gives no profiles and
 * one line in the log (never the file's content, which holds secret keys).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CmkProfile {
  name: string;
  url?: string;
  apiKey?: string;
  secretKey?: string;
  /** Seconds (the profile's own `timeout`, else the core one). */
  timeoutSeconds?: number;
  /** `verifycert = false` (TLS not checked by cmk): Snapkeeper checks TLS anyway, and says so. */
  verifyCert: boolean;
}

export interface CmkConfig {
  path: string;
  /** The profile `profile =` of the core options names, when it names one of the profiles. */
  active?: string;
  profiles: CmkProfile[];
}

/** Sections that hold cmk's core options rather than a server profile. */
const CORE_SECTIONS = new Set(['', 'DEFAULT', 'core']);
const MAX_FILE_BYTES = 1024 * 1024;

/** Where CloudMonkey keeps its config: the setting's path when given (`~` expanded), else `~/.cmk/config`. */
export function cmkConfigPath(setting: string | undefined, home = homedir()): string {
  const given = setting?.trim();
  if (given) {
    return given === '~' ? home : given.startsWith('~/') ? join(home, given.slice(2)) : given;
  }
  return join(home, '.cmk', 'config');
}

/** An INI file's sections (keys before any section under ''), keys lower-cased; throws on a line it cannot read. */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>([['', {}]]);
  let current = sections.get('') as Record<string, string>;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      return;
    }
    const section = /^\[([^\]]*)\]$/.exec(line);
    if (section) {
      const name = section[1].trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      return;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!pair) {
      throw new Error(`line ${i + 1} is neither a [section] nor key = value`);
    }
    current[pair[1].toLowerCase()] = unquote(pair[2]);
  });
  return sections;
}

function unquote(value: string): string {
  const v = value.trim();
  for (const q of ['"""', '"', '`']) {
    if (v.length >= 2 * q.length && v.startsWith(q) && v.endsWith(q)) {
      return v.slice(q.length, -q.length);
    }
  }
  return v;
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) {
    return undefined;
  }
  const v = value.toLowerCase();
  return ['true', 'yes', 'on', '1'].includes(v) ? true : ['false', 'no', 'off', '0'].includes(v) ? false : undefined;
}

function seconds(value: string | undefined): number | undefined {
  const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** CloudMonkey's config from the file's text. Throws when the text is not an INI file. */
export function parseCmkConfig(text: string, path: string): CmkConfig {
  const sections = parseIni(text);
  const core: Record<string, string> = { ...sections.get(''), ...sections.get('DEFAULT'), ...sections.get('core') };
  const profiles: CmkProfile[] = [];
  for (const [name, keys] of sections) {
    if (CORE_SECTIONS.has(name) || name === '') {
      continue;
    }
    profiles.push({
      name,
      url: keys.url || undefined,
      apiKey: keys.apikey || undefined,
      secretKey: keys.secretkey || undefined,
      timeoutSeconds: seconds(keys.timeout) ?? seconds(core.timeout),
      verifyCert: (flag(keys.verifycert) ?? flag(keys.verifysslcert) ?? flag(core.verifycert) ?? flag(core.verifysslcert)) !== false,
    });
  }
  const active = profiles.find((p) => p.name === core.profile)?.name;
  return { path, active, profiles };
}

/** Reads CloudMonkey's config; undefined (and one log line) when it is missing or cannot be read. */
export async function readCmkConfig(path: string, log: (message: string) => void): Promise<CmkConfig | undefined> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_FILE_BYTES) {
      log(`CloudMonkey config ${path} is larger than 1 MiB: not read.`);
      return undefined;
    }
    text = bytes.toString('utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    log(code === 'ENOENT' ? `No CloudMonkey config at ${path}.` : `CloudMonkey config ${path} could not be read (${code ?? 'error'}).`);
    return undefined;
  }
  try {
    return parseCmkConfig(text, path);
  } catch (e) {
    log(`CloudMonkey config ${path} is not a valid INI file (${e instanceof Error ? e.message : 'unreadable'}): no profiles read from it.`);
    return undefined;
  }
}
