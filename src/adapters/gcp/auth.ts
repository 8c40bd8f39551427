/**
 * Account discovery on the main thread, without the SDK: Application Default Credentials are a
 * file (GOOGLE_APPLICATION_CREDENTIALS, or gcloud's application_default_credentials.json written
 * by `gcloud auth application-default login`). Read it only to say who is signed in (a service
 * account's client_email, or gcloud's active account) — never to keep a secret.
 */
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AccountChoice } from '../../model/adapter';

export function gcloudConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLOUDSDK_CONFIG) {
    return env.CLOUDSDK_CONFIG;
  }
  if (process.platform === 'win32' && env.APPDATA) {
    return join(env.APPDATA, 'gcloud');
  }
  return join(homedir(), '.config', 'gcloud');
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** gcloud's active account (`[core] account` of the active configuration). */
export function gcloudAccount(dir: string): { account?: string; project?: string } {
  try {
    const active = existsSync(join(dir, 'active_config')) ? readFileSync(join(dir, 'active_config'), 'utf8').trim() || 'default' : 'default';
    const ini = readFileSync(join(dir, 'configurations', `config_${active.replace(/[^\w.-]/g, '')}`), 'utf8');
    let section = '';
    const out: { account?: string; project?: string } = {};
    for (const raw of ini.split(/\r?\n/)) {
      const line = raw.trim();
      const s = /^\[(.+)\]$/.exec(line);
      if (s) {
        section = s[1];
        continue;
      }
      const kv = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
      if (kv && section === 'core') {
        if (kv[1] === 'account') {
          out.account = kv[2];
        } else if (kv[1] === 'project') {
          out.project = kv[2];
        }
      }
    }
    return out;
  } catch {
    return {};
  }
}

/** The ADC choice, or [] when this machine has no Application Default Credentials. */
export function discoverAdc(env: NodeJS.ProcessEnv = process.env): AccountChoice[] {
  const dir = gcloudConfigDir(env);
  const file = env.GOOGLE_APPLICATION_CREDENTIALS || join(dir, 'application_default_credentials.json');
  const json = existsSync(file) ? readJson(file) : undefined;
  if (!json) {
    return [];
  }
  const type = typeof json.type === 'string' ? json.type : 'unknown';
  const gcloud = gcloudAccount(dir);
  const who =
    typeof json.client_email === 'string'
      ? json.client_email
      : type === 'authorized_user'
        ? gcloud.account ?? 'your gcloud user'
        : type === 'external_account'
          ? 'workload identity federation'
          : type === 'impersonated_service_account' && typeof json.service_account_impersonation_url === 'string'
            ? /serviceAccounts\/([^:]+)/.exec(json.service_account_impersonation_url)?.[1] ?? 'an impersonated service account'
            : type;
  const quota = typeof json.quota_project_id === 'string' ? json.quota_project_id : undefined;
  const settings: Record<string, string> = { auth: 'adc' };
  if (quota) {
    settings.project = quota;
  }
  return [
    {
      label: 'Google Cloud (Application Default Credentials)',
      description: who,
      detail: `${env.GOOGLE_APPLICATION_CREDENTIALS ? 'GOOGLE_APPLICATION_CREDENTIALS' : 'gcloud auth application-default login'}: ${file}${quota ? ` · quota project ${quota}` : ''}`,
      settings,
      chooseScopes: true,
      scopeNoun: 'project',
    },
  ];
}
