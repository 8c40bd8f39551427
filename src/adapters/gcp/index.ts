/**
 * The GCP adapter bundle (dist/adapters/gcp.js), loaded on the extension host's thread the first
 * time a Google account is expanded. It holds NO SDK code: `@google-cloud/compute` runs in the
 * worker bundle (dist/adapters/gcp-worker.js, worker.ts), spawned on the first API call.
 */
import type { AccountChoice, AdapterContext, AdapterModule, CloudAdapter, CloudNouns } from '../../model/adapter';
import type { AccountConfig } from '../../model/types';
import { GcpAdapter, type GcpAdapterOptions } from './adapter';
import { discoverAdc } from './auth';

export const cloud = 'gcp' as const;
// Zones, regions and Global are listed side by side; "region" is the word the UI has always used for them.
export const nouns: CloudNouns = { topScope: 'project', leafScope: 'region', image: 'image' };
export const accountNoun = 'credential';

export async function discoverAccounts(ctx: Omit<AdapterContext, 'sandbox'>): Promise<AccountChoice[]> {
  try {
    return discoverAdc();
  } catch (e) {
    ctx.log(`GCP: account discovery failed (${e instanceof Error ? e.message : String(e)})`);
    return [];
  }
}

export function createAdapter(account: AccountConfig, ctx: AdapterContext, options?: GcpAdapterOptions): CloudAdapter {
  return new GcpAdapter(account, ctx, options);
}

const _module: AdapterModule = { cloud, nouns, accountNoun, discoverAccounts, createAdapter };
void _module;
