/**
 * Scopes: subscriptions at the top (the UI asks which to show and filters them itself), and under
 * each the physical locations the subscription offers (Subscriptions – List Locations). Resource
 * groups are not a level: ARM's list APIs, copies and restores are location-bound, and the
 * resource group shows on each resource instead (idLabel and a detail).
 */
import type { Location, Subscription } from '@azure/arm-resources-subscriptions';
import type { Scope } from '../../model/types';
import type { AzureCore } from './core';
import { leafScopeId, normLocation } from './ids';

async function all<T>(iter: AsyncIterable<T>, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) {
    signal?.throwIfAborted();
    out.push(x);
  }
  return out;
}

export async function listSubscriptions(core: AzureCore): Promise<Scope[]> {
  const subs = await core.call(() => all<Subscription>(core.subscriptions().subscriptions.list()));
  return subs
    .filter((s) => s.subscriptionId && s.state !== 'Disabled' && s.state !== 'Deleted')
    .map((s) => ({
      id: s.subscriptionId as string,
      label: s.displayName || (s.subscriptionId as string),
      description: `${s.subscriptionId}${s.tenantId ? ` · tenant ${s.tenantId}` : ''}${s.state && s.state !== 'Enabled' ? ` · ${s.state}` : ''}`,
      leaf: false,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** True for the locations that hold resources (not logical ones such as "global" or "eastusstg"). */
export function isPhysical(l: Location): boolean {
  if (l.type && l.type !== 'Region') {
    return false;
  }
  const regionType = l.metadata?.regionType;
  return regionType === undefined || regionType === 'Physical';
}

export async function listLocations(core: AzureCore, subscriptionId: string): Promise<Scope[]> {
  const locs = await core.call(() => all<Location>(core.subscriptions().subscriptions.listLocations(subscriptionId)));
  return locs
    .filter((l) => l.name && isPhysical(l))
    .map((l) => ({
      id: leafScopeId(subscriptionId, l.name as string),
      label: l.displayName || (l.name as string),
      description: normLocation(l.name),
      leaf: true,
      parentId: subscriptionId,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
