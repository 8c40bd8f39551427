/**
 * Signing in: the Azure cloud (public or sovereign) and its ARM endpoint and token scope, and a
 * TokenCredential per sign-in mode — VS Code's own Microsoft sign-in (through ctx.getToken), the
 * Azure CLI's login (AzureCliCredential), or the sandbox's token endpoint. Tokens are secrets:
 * they never reach the log or an error message.
 */
import { AzureCliCredential } from '@azure/identity';
import type { AccessToken as AzureAccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { AccountChoice, AdapterContext } from '../../model/adapter';
import { CloudError, isCloudError } from '../../model/errors';
import { signedOut, type AuthInfo } from './errors';
import { editorSignIn } from './signIn';

export type AzureCloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';

export interface CloudEndpoints {
  /** ARM (resource manager) endpoint. */
  arm: string;
  /** Token scope for ARM (its audience + /.default). */
  scope: string;
  /** Portal, for messages. */
  portal: string;
}

/** Endpoints as `az cloud show` lists them (resourceManager, activeDirectoryResourceId). */
export const CLOUDS: Record<AzureCloudName, CloudEndpoints> = {
  AzureCloud: { arm: 'https://management.azure.com', scope: 'https://management.core.windows.net//.default', portal: 'https://portal.azure.com' },
  AzureChinaCloud: {
    arm: 'https://management.chinacloudapi.cn',
    scope: 'https://management.core.chinacloudapi.cn//.default',
    portal: 'https://portal.azure.cn',
  },
  AzureUSGovernment: {
    arm: 'https://management.usgovcloudapi.net',
    scope: 'https://management.core.usgovcloudapi.net//.default',
    portal: 'https://portal.azure.us',
  },
};

/** The cloud chosen in `snapkeeper.azure.cloud` (unknown values fall back to AzureCloud). */
export function cloudOf(ctx: Pick<AdapterContext, 'setting' | 'log'>): CloudEndpoints {
  const name = ctx.setting<string>('azure.cloud', 'AzureCloud');
  const c = CLOUDS[name as AzureCloudName];
  if (!c) {
    ctx.log(`Azure: unknown snapkeeper.azure.cloud "${String(name)}"; using AzureCloud`);
    return CLOUDS.AzureCloud;
  }
  return c;
}

/** A credential over VS Code's Microsoft sign-in: silent requests only; no session → `expired` with a Sign In action. */
export class VsCodeCredential implements TokenCredential {
  constructor(
    private readonly ctx: Pick<AdapterContext, 'getToken'>,
    private readonly auth: AuthInfo,
  ) {}

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AzureAccessToken | null> {
    void _options;
    if (!this.ctx.getToken) {
      throw signedOut(this.auth, 'VS Code sign-in is not available here');
    }
    const wanted = Array.isArray(scopes) ? scopes : [scopes];
    let t;
    try {
      t = await this.ctx.getToken({ provider: editorSignIn.providerId, scopes: wanted.length ? wanted : [this.auth.scope], tenantId: this.auth.tenantId, silent: true });
    } catch (e) {
      if (isCloudError(e)) {
        throw e.kind === 'expired' && !e.signInProvider ? signedOut(this.auth) : e;
      }
      throw signedOut(this.auth);
    }
    if (!t || typeof t.token !== 'string' || t.token === '') {
      throw signedOut(this.auth);
    }
    return { token: t.token, expiresOnTimestamp: t.expiresOnTimestamp, tokenType: 'Bearer' };
  }
}

/** The Azure CLI's login; failures become `expired` with `az login --tenant …`. */
export class CliCredential implements TokenCredential {
  private readonly inner: AzureCliCredential;

  constructor(private readonly auth: AuthInfo) {
    this.inner = new AzureCliCredential(auth.tenantId ? { tenantId: auth.tenantId } : {});
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AzureAccessToken | null> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/not (been )?installed|not found|ENOENT/i.test(msg)) {
        throw new CloudError('auth', 'The Azure CLI (az) is not installed or not on the PATH', { cause: e, signInCommand: this.auth.tenantId ? `az login --tenant ${this.auth.tenantId}` : 'az login' });
      }
      throw signedOut(this.auth, undefined, { code: e instanceof Error ? e.name : undefined, cause: e });
    }
  }
}

/** A credential with one fixed token (discovery only: listing tenants with the token just obtained). */
class StaticCredential implements TokenCredential {
  constructor(private readonly token: AzureAccessToken) {}
  getToken(): Promise<AzureAccessToken> {
    return Promise.resolve(this.token);
  }
}

export interface TenantInfo {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

/**
 * The account choices this machine offers: one per tenant of VS Code's Microsoft sign-in (asking
 * for the sign-in is the prompt), and one per tenant of the Azure CLI's login.
 * `listTenants` lists the tenants a credential sees (the SubscriptionClient in production).
 */
export async function discoverChoices(
  ctx: Omit<AdapterContext, 'sandbox'>,
  listTenants: (credential: TokenCredential) => Promise<TenantInfo[]>,
  cliCredential: () => TokenCredential = () => new AzureCliCredential(),
): Promise<AccountChoice[]> {
  const cloud = cloudOf(ctx);
  const choices: AccountChoice[] = [];
  const choice = (mode: 'vscode' | 'cli', t: TenantInfo, who?: string): AccountChoice => ({
    label: `Azure: ${t.displayName ?? t.defaultDomain ?? t.tenantId}`,
    description: t.defaultDomain ?? t.tenantId,
    detail: mode === 'vscode' ? `VS Code Microsoft sign-in${who ? ` (${who})` : ''} · directory ${t.tenantId}` : `Azure CLI login (az) · directory ${t.tenantId}`,
    settings: { auth: mode, tenantId: t.tenantId, ...(t.displayName ? { tenantLabel: t.displayName } : {}) },
    chooseScopes: true,
    scopeNoun: 'subscription',
  });

  if (ctx.getToken) {
    try {
      const t = await ctx.getToken({ provider: editorSignIn.providerId, scopes: [cloud.scope], silent: false });
      if (t?.token) {
        const tenants = await listTenants(new StaticCredential({ token: t.token, expiresOnTimestamp: t.expiresOnTimestamp }));
        for (const tenant of tenants) {
          choices.push(choice('vscode', tenant, t.accountLabel));
        }
      }
    } catch (e) {
      ctx.log(`Azure: VS Code sign-in not used (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  try {
    const cli = cliCredential();
    const token = await cli.getToken(cloud.scope);
    if (token) {
      for (const tenant of await listTenants(new StaticCredential(token))) {
        choices.push(choice('cli', tenant));
      }
    }
  } catch (e) {
    ctx.log(`Azure: Azure CLI login not used (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
  }
  return choices;
}
