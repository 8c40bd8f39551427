/**
 * AWS profiles from the shared config and credentials files (~/.aws/config, ~/.aws/credentials,
 * or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). Only non-secret keys are ever read: the
 * profile's name, region, SSO settings and role; never an access key or session token.
 */
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { AccountChoice } from '../../model/adapter';

/** The non-secret facts about one profile. */
export interface ProfileInfo {
  name: string;
  region?: string;
  sso: boolean;
  ssoAccountId?: string;
  ssoRoleName?: string;
  roleArn?: string;
  /**
   * The EC2 endpoint the profile configures (`endpoint_url`, or `ec2 = endpoint_url` in its
   * `services` section), unless `ignore_configured_endpoint_urls` is set. Not a secret.
   */
  ec2EndpointUrl?: string;
  /** Where the profile is defined. */
  inConfig: boolean;
  inCredentials: boolean;
}

type Section = Record<string, string | undefined>;

/** Config-file sections that are not profiles (kept under a "type.name" key by the loader). */
const NON_PROFILE_PREFIXES = ['sso-session.', 'services.'];

function isProfileKey(key: string): boolean {
  return !NON_PROFILE_PREFIXES.some((p) => key.startsWith(p));
}

/** Reads every profile of the shared files, in a stable order (default first, then by name). */
export async function readProfiles(): Promise<ProfileInfo[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const names = new Set<string>();
  for (const key of Object.keys(configFile)) {
    if (isProfileKey(key)) {
      names.add(key);
    }
  }
  for (const key of Object.keys(credentialsFile)) {
    names.add(key);
  }
  const out: ProfileInfo[] = [];
  for (const name of names) {
    const config: Section = configFile[name] ?? {};
    const creds: Section = credentialsFile[name] ?? {};
    const sso = Boolean(config.sso_session || config.sso_start_url);
    const services: Section = (config.services && configFile[`services.${config.services}`]) || {};
    const ignoreEndpoints = (config.ignore_configured_endpoint_urls ?? '').toLowerCase() === 'true';
    const ec2EndpointUrl = ignoreEndpoints ? undefined : services['ec2.endpoint_url'] || config.endpoint_url || undefined;
    out.push({
      name,
      region: config.region || creds.region || undefined,
      sso,
      ssoAccountId: config.sso_account_id || undefined,
      ssoRoleName: config.sso_role_name || undefined,
      roleArn: config.role_arn || creds.role_arn || undefined,
      ec2EndpointUrl,
      inConfig: name in configFile,
      inCredentials: name in credentialsFile,
    });
  }
  out.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
  return out;
}

/** One profile, or undefined when the files do not define it. */
export async function readProfile(name: string): Promise<ProfileInfo | undefined> {
  return (await readProfiles()).find((p) => p.name === name);
}

/** The "Add Account" choices: one per profile, with `settings.profile`. */
export async function discoverProfiles(): Promise<AccountChoice[]> {
  const profiles = await readProfiles();
  return profiles.map((p) => {
    const kind = p.sso ? 'SSO' : p.roleArn ? 'assume role' : p.inCredentials ? 'access keys' : 'config';
    const details: string[] = [];
    if (p.sso && p.ssoAccountId) {
      details.push(`account ${p.ssoAccountId}${p.ssoRoleName ? `, role ${p.ssoRoleName}` : ''}`);
    }
    if (p.roleArn) {
      details.push(`role ${p.roleArn}`);
    }
    details.push(p.inConfig && p.inCredentials ? 'config + credentials files' : p.inConfig ? 'config file' : 'credentials file');
    return {
      label: p.name,
      description: `${kind} · ${p.region ?? 'no region (us-east-1)'}`,
      detail: details.join(' · '),
      settings: { profile: p.name },
    };
  });
}
