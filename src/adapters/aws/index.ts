/**
 * The AWS adapter bundle (dist/adapters/aws.js), loaded lazily the first time an AWS account is
 * expanded. Talks to EC2 only through the AWS SDK; no `vscode` import anywhere in this folder.
 */
import type { AccountChoice, AdapterContext, AdapterModule, CloudAdapter, CloudNouns } from '../../model/adapter';
import type { AccountConfig } from '../../model/types';
import { AwsAdapter } from './adapter';
import { discoverProfiles } from './profiles';

export const cloud = 'aws' as const;
export const nouns: CloudNouns = { topScope: 'region', leafScope: 'region', image: 'AMI' };
export const accountNoun = 'profile';

/** One choice per profile in ~/.aws/config and ~/.aws/credentials (SSO profiles included). */
export function discoverAccounts(ctx: Omit<AdapterContext, 'sandbox'>): Promise<AccountChoice[]> {
  return discoverProfiles().catch((e: unknown) => {
    ctx.log(`AWS: could not read the shared config files (${e instanceof Error ? e.message : String(e)})`);
    return [];
  });
}

export function createAdapter(account: AccountConfig, ctx: AdapterContext): CloudAdapter {
  return new AwsAdapter(account, ctx);
}

// Checks at compile time that this module satisfies the contract.
const _module: AdapterModule = { cloud, nouns, accountNoun, discoverAccounts, createAdapter };
void _module;
