/**
 * The OpenStack adapter bundle (dist/adapters/openstack.js), loaded the first time an OpenStack
 * account is used. OpenStack's own words throughout: regions, servers, volumes, volume snapshots,
 * instance snapshots, backups and images. The client (client.ts, behind the `OpenStackApi` seam)
 * is connected on first use.
 */
import type { AdapterContext, AdapterModule, CloudAdapter, CloudNouns } from '../../model/adapter';
import { menuTitlesFrom } from '../../model/actions';
import type { AccountConfig } from '../../model/types';
import { accountNoun, checkAccount, connect, discoverAccounts, manualAccount } from './accounts';
import { OpenStackAdapter } from './adapter';
import { TITLES } from './plans';

export { accountNoun, checkAccount, discoverAccounts, manualAccount };

export const cloud = 'openstack' as const;

export const nouns: CloudNouns = {
  topScope: 'region',
  leafScope: 'region',
  image: 'image',
  disk: 'volume',
  snapshot: 'volume snapshot',
  restorePoint: 'instance snapshot',
  about: {
    snapshot:
      "A volume snapshot (Cinder) copies one volume on the volume's own backend: it can become a new volume or, through a volume, an image, and the volume can be reverted to its latest snapshot only.",
    restorePoint:
      "An instance snapshot (Nova) is a Glance image of a server's root disk — for a server booted from a volume, Cinder snapshots of its volumes plus an image mapping them: roll the server back by rebuilding it from it, or launch a copy.",
    backup:
      'A backup (Cinder) copies one volume to a separate backup store: durable, full or incremental against its parent, and restorable to a new volume or onto its own.',
  },
  noScheduler:
    "OpenStack's core services (Nova, Cinder, Glance) have no snapshot or backup scheduler: schedules are n/a here. Run `openstack volume snapshot create` or `openstack volume backup create` from cron, or a service your cloud offers for it.",
};

/** The menus say what the prompts say: the plans' titles, where they differ from the action table's. */
export const menuTitles = menuTitlesFrom(TITLES);

export function createAdapter(account: AccountConfig, ctx: AdapterContext): CloudAdapter {
  return new OpenStackAdapter(account, ctx, () => connect(account, ctx));
}

const _module: AdapterModule = { cloud, nouns, menuTitles, accountNoun, discoverAccounts, manualAccount, checkAccount, createAdapter };
void _module;
