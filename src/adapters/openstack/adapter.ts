/**
 * The OpenStack adapter: regions, each region's listing, plans, actions, status polls and chain
 * facts, over the `OpenStackApi` seam (api.ts) — it never sends a request itself. The client is
 * connected once, on first use (createAdapter stays synchronous); every region's client shares its
 * token.
 */
import type { AdapterContext, CloudAdapter, RelatedResources } from '../../model/adapter';
import type { ChainFacts, ChainLink, SnapshotFacts } from '../../model/chain';
import { LazyClient } from '../lazyClient';
import { sendScope } from '../../model/listings';
import { UndecidablePolls } from '../../model/polls';
import type { ActionId } from '../../model/actions';
import type { AccountConfig, ActionPlan, ActionResult, FieldValues, InventorySink, OperationRecord, OperationStatus, Resource, Scope } from '../../model/types';
import type { OpenStackApi } from './api';
import { executeAction } from './actions';
import type { OsCore } from './core';
import { InventoryCache, listRegions, type RegionInventory } from './inventory';
import { pollOperation } from './operations';
import { actionsFor, planAction, type OfferContext } from './plans';
import { sandboxInfo, type OsSandboxInfo } from './sandbox';

/** Where the chain panel's figures come from (Cinder reports none for snapshots). */
export const CHAIN_SOURCE =
  "Cinder's API reports no stored bytes for a volume snapshot (it stays on the volume's backend, whose copy-on-write use it does not expose); backups report their object_count";

export class OpenStackAdapter implements CloudAdapter, OsCore {
  readonly cloud = 'openstack' as const;
  readonly polls = new UndecidablePolls();
  readonly sandbox?: OsSandboxInfo;
  regions: Scope[] = [];
  private readonly client: LazyClient<OpenStackApi>;
  private readonly clients = new Map<string, OpenStackApi>();
  private readonly cache: InventoryCache;

  constructor(
    readonly account: AccountConfig,
    private readonly ctx: AdapterContext,
    connect: () => Promise<OpenStackApi>,
  ) {
    if (account.sandbox) {
      this.sandbox = sandboxInfo(ctx.sandbox);
    }
    this.client = new LazyClient(connect, 'This OpenStack account was closed', account.sandbox === true && !this.sandbox);
    this.cache = new InventoryCache({ api: (region) => this.api(region), log: (l) => this.log(l) });
  }

  // ---- OsCore --------------------------------------------------------------------------------

  /** The client of a region, connected on first use; a failed connection is tried again next time. */
  async api(region: string): Promise<OpenStackApi> {
    const root = await this.client.get();
    let c = this.clients.get(region);
    if (!c) {
      c = root.inRegion(region);
      this.clients.set(region, c);
    }
    return c;
  }

  log(line: string): void {
    this.ctx.log(line);
  }

  inventory(region: string, signal: AbortSignal = new AbortController().signal): Promise<RegionInventory> {
    return this.cache.get(region, signal);
  }

  invalidate(region?: string): void {
    for (const r of region ? [region] : this.regions.map((s) => s.id)) {
      this.cache.invalidate(r);
    }
  }

  private offer(): OfferContext {
    return { sandbox: this.sandbox !== undefined };
  }

  // ---- CloudAdapter ------------------------------------------------------------------------

  async listScopes(parent?: Scope): Promise<Scope[]> {
    if (parent) {
      return [];
    }
    this.regions = await listRegions(await this.client.get());
    return this.regions;
  }

  async listInventory(scope: Scope, sink: InventorySink, signal: AbortSignal): Promise<void> {
    const inv = await this.inventory(scope.id, signal);
    sendScope(inv, scope.id, sink);
  }

  actionsFor(resource: Resource): ActionId[] {
    return actionsFor(resource, this.offer());
  }

  plan(action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
    return planAction(this, action, target, related, this.offer());
  }

  async execute(action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
    try {
      return await executeAction(this, action, target, values, related, this.offer());
    } finally {
      this.invalidate(target.scopeId);
    }
  }

  pollOperation(op: OperationRecord): Promise<OperationStatus> {
    return pollOperation(this, op);
  }

  /** Cinder says nothing of what a snapshot stores: each is `unavailable`, with the reason. */
  async chainFacts(links: ChainLink[]): Promise<ChainFacts> {
    return chainFactsOf(links);
  }

  dispose(): void {
    this.client.dispose();
    this.clients.clear();
  }
}

/** Per snapshot: why there is no figure (pure; unit-tested). */
export function chainFactsOf(links: ChainLink[]): ChainFacts {
  const snapshots: Record<string, SnapshotFacts> = {};
  for (const { snapshot: s } of links) {
    snapshots[s.id] =
      s.phase === 'pending'
        ? { unavailable: `Cinder reports it ${s.state}; and even once available its API reports no stored bytes` }
        : { unavailable: "Cinder's API reports no stored bytes for a volume snapshot: what it holds depends on the volume's backend (copy-on-write), which Cinder does not expose" };
  }
  return { snapshots, source: CHAIN_SOURCE };
}
