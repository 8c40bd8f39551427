/**
 * The Azure adapter bundle (dist/adapters/azure.js), loaded lazily the first time an Azure
 * account is expanded. Talks to ARM only through @azure/arm-compute and
 * @azure/arm-resources-subscriptions; no `vscode` import anywhere in this folder.
 */
import type { TokenCredential } from '@azure/core-auth';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { AccountChoice, AdapterContext, AdapterModule, CloudAdapter, CloudNouns } from '../../model/adapter';
import type { AccountConfig } from '../../model/types';
import { AzureAdapter } from './adapter';
import { cloudOf, discoverChoices, type TenantInfo } from './auth';
import { editorSignIn } from './signIn';

export const cloud = 'azure' as const;
// Azure's portal calls a location a region (the API's word is `location`).
export const nouns: CloudNouns = { topScope: 'subscription', leafScope: 'region', image: 'image' };
export const accountNoun = 'sign-in';
/** Accounts may sign in through VS Code's own Microsoft sign-in (signIn.ts); others through the Azure CLI. */
export { editorSignIn };

/** One choice per tenant of VS Code's Microsoft sign-in and of the Azure CLI's login; [] when neither works. */
export function discoverAccounts(ctx: Omit<AdapterContext, 'sandbox'>): Promise<AccountChoice[]> {
  const endpoints = cloudOf(ctx);
  const listTenants = async (credential: TokenCredential): Promise<TenantInfo[]> => {
    const client = new SubscriptionClient(credential, { endpoint: endpoints.arm, credentials: { scopes: [endpoints.scope] } });
    const out: TenantInfo[] = [];
    for await (const t of client.tenants.list()) {
      if (t.tenantId) {
        out.push({ tenantId: t.tenantId, displayName: t.displayName, defaultDomain: t.defaultDomain });
      }
    }
    return out;
  };
  return discoverChoices(ctx, listTenants).catch((e: unknown) => {
    ctx.log(`Azure: account discovery failed (${e instanceof Error ? e.message : String(e)})`);
    return [];
  });
}

export function createAdapter(account: AccountConfig, ctx: AdapterContext): CloudAdapter {
  return new AzureAdapter(account, ctx);
}

// Checks at compile time that this module satisfies the contract.
const _module: AdapterModule = { cloud, nouns, accountNoun, discoverAccounts, editorSignIn, createAdapter };
void _module;
