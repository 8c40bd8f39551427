/**
 * The Apache CloudStack adapter bundle (dist/adapters/cloudstack.js), loaded the first time a
 * CloudStack account is used. CloudStack's own words throughout: zones, volumes, volume
 * snapshots, VM snapshots and templates. The client (client.ts, behind the `CloudStackApi` seam)
 * is connected on first use.
 */
import type { AdapterContext, AdapterModule, CloudAdapter, CloudNouns } from '../../model/adapter';
import { menuTitlesFrom } from '../../model/actions';
import type { AccountConfig } from '../../model/types';
import { accountNoun, checkAccount, connect, discoverAccounts, manualAccount } from './accounts';
import { CloudStackAdapter } from './adapter';
import { TITLES } from './plans';

export { accountNoun, checkAccount, discoverAccounts, manualAccount };

export const cloud = 'cloudstack' as const;

export const nouns: CloudNouns = {
  topScope: 'zone',
  leafScope: 'zone',
  image: 'template',
  disk: 'volume',
  snapshot: 'volume snapshot',
  restorePoint: 'VM snapshot',
  about: {
    snapshot: 'A volume snapshot copies one volume to secondary storage: durable, kept apart from the VM, and it can become a template or a new volume.',
    restorePoint:
      'A VM snapshot captures the whole VM on primary storage, optionally with its memory, for a quick rollback; it cannot become a template or be downloaded.',
  },
};

/** The menus say what the prompts say: the plans' titles, where they differ from the action table's. */
export const menuTitles = menuTitlesFrom(TITLES);

export function createAdapter(account: AccountConfig, ctx: AdapterContext): CloudAdapter {
  return new CloudStackAdapter(account, ctx, () => connect(account, ctx));
}

const _module: AdapterModule = { cloud, nouns, menuTitles, accountNoun, discoverAccounts, manualAccount, checkAccount, createAdapter };
void _module;
