/**
 * The CloudStack adapter: zones, the account's shared listing, plans, actions, job polls and
 * chain facts, over the `CloudStackApi` seam (api.ts) — it never signs or sends a request itself.
 * The client is connected once, on first use (createAdapter stays synchronous).
 */
import type { AdapterContext, CloudAdapter, RelatedResources } from '../../model/adapter';
import type { ChainFacts, ChainLink, SnapshotFacts } from '../../model/chain';
import { LazyClient } from '../lazyClient';
import { sendScope } from '../../model/listings';
import { UndecidablePolls } from '../../model/polls';
import type { ActionId } from '../../model/actions';
import type { AccountConfig, ActionPlan, ActionResult, FieldValues, InventorySink, OperationRecord, OperationStatus, Resource, Scope } from '../../model/types';
import type { CloudStackApi } from './api';
import { executeAction } from './actions';
import type { CsCore } from './core';
import { ACCOUNT, InventoryCache, listZones, type AccountInventory } from './inventory';
import { pollOperation } from './operations';
import { actionsFor, planAction, type OfferContext } from './plans';
import { sandboxInfo, type CsSandboxInfo } from './sandbox';

/** Where the chain panel's figures come from. */
export const CHAIN_SOURCE =
  "CloudStack's physicalsize of each volume snapshot: the bytes it really holds on secondary storage (against its virtualsize, the volume's size)";

export class CloudStackAdapter implements CloudAdapter, CsCore {
  readonly cloud = 'cloudstack' as const;
  readonly polls = new UndecidablePolls();
  readonly steps = new Map<string, string>();
  readonly templateSources = new Map<string, string>();
  readonly sandbox?: CsSandboxInfo;
  version?: string;
  zones: Scope[] = [];
  private readonly client: LazyClient<CloudStackApi>;
  private readonly cache: InventoryCache;

  constructor(
    readonly account: AccountConfig,
    private readonly ctx: AdapterContext,
    connect: () => Promise<CloudStackApi>,
  ) {
    if (account.sandbox) {
      this.sandbox = sandboxInfo(ctx.sandbox);
    }
    this.client = new LazyClient(connect, 'This CloudStack account was closed', account.sandbox === true && !this.sandbox);
    this.cache = new InventoryCache({ api: () => this.api(), log: (l) => this.log(l), policyConcurrency: Math.max(1, Math.floor(ctx.maxConcurrency) || 1) });
  }

  // ---- CsCore --------------------------------------------------------------------------------

  /** The client, connected on first use; a failed connection is tried again next time. */
  api(): Promise<CloudStackApi> {
    return this.client.get();
  }

  log(line: string): void {
    this.ctx.log(line);
  }

  async inventory(signal: AbortSignal = new AbortController().signal): Promise<AccountInventory> {
    const inv = await this.cache.get(ACCOUNT, signal);
    this.version = inv.version ?? this.version;
    if (inv.zones.length) {
      this.zones = inv.zones;
    }
    return inv;
  }

  invalidate(): void {
    this.cache.invalidate(ACCOUNT);
  }

  private offer(): OfferContext {
    return { sandbox: this.sandbox !== undefined, version: this.version, zones: this.zones };
  }

  // ---- CloudAdapter ------------------------------------------------------------------------

  async listScopes(parent?: Scope): Promise<Scope[]> {
    if (parent) {
      return [];
    }
    this.zones = await listZones(await this.api());
    return this.zones;
  }

  async listInventory(scope: Scope, sink: InventorySink, signal: AbortSignal): Promise<void> {
    sendScope(await this.inventory(signal), scope.id, sink);
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
      this.invalidate();
    }
  }

  pollOperation(op: OperationRecord): Promise<OperationStatus> {
    return pollOperation(this, op);
  }

  /** Per snapshot: CloudStack's physicalsize (what secondary storage holds), as listed. */
  async chainFacts(links: ChainLink[]): Promise<ChainFacts> {
    return chainFactsOf(links);
  }

  dispose(): void {
    this.client.dispose();
  }
}

/** What each snapshot stores, from its listed physicalsize (pure; unit-tested). */
export function chainFactsOf(links: ChainLink[]): ChainFacts {
  const snapshots: Record<string, SnapshotFacts> = {};
  for (const { snapshot: s } of links) {
    if (s.phase === 'pending') {
      snapshots[s.id] = { unavailable: `CloudStack reports it ${s.state}: its physicalsize is known once it is BackedUp` };
    } else if (s.storedBytes === undefined) {
      snapshots[s.id] = { unavailable: 'CloudStack reported no physicalsize for it' };
    } else {
      snapshots[s.id] = { storedBytes: s.storedBytes, note: `physicalsize on secondary storage, of a ${s.sizeGiB} GiB volume (virtualsize)` };
    }
  }
  return { snapshots, source: CHAIN_SOURCE };
}
