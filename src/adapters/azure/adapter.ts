/**
 * The Azure adapter: ties the clients, scopes, inventory, plans, actions and operations together
 * behind the CloudAdapter contract.
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import type { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { TokenCredential } from '@azure/core-auth';
import type { AdapterContext, CloudAdapter, Memento, RelatedResources } from '../../model/adapter';
import { CloudError } from '../../model/errors';
import { UndecidablePolls } from '../../model/polls';
import { Limiter } from '../../model/limit';
import type {
  AccountConfig,
  ActionId,
  ActionPlan,
  ActionResult,
  FieldValues,
  InventorySink,
  OperationRecord,
  OperationStatus,
  Resource,
  Scope,
} from '../../model/types';
import type { ChainFacts, ChainLink, SnapshotFacts } from '../../model/chain';
import { executeAction } from './actions';
import { CliCredential, cloudOf, VsCodeCredential } from './auth';
import { ArmClients } from './clients';
import type { AzureCore } from './core';
import { isAbortError, toCloudError, type AuthInfo } from './errors';
import { InventoryCache, listLocation } from './inventory';
import { pollOperation } from './operations';
import { actionsFor, planAction } from './plans';
import { SandboxCredential, sandboxInfo, type SandboxInfo } from './sandbox';
import { listLocations, listSubscriptions } from './scopes';

/** The scope the sandbox's tokens are asked for (what the SDK asks by default). */
const SANDBOX_SCOPE = 'https://management.azure.com/.default';

export class AzureAdapter implements CloudAdapter, AzureCore {
  readonly cloud = 'azure' as const;
  readonly sandbox?: SandboxInfo;
  readonly polls = new UndecidablePolls();
  readonly auth: AuthInfo;
  readonly credential: TokenCredential;
  private readonly clients: ArmClients;
  private readonly cache: InventoryCache;
  /** Set when this is the sandbox account but the sandbox is not running. */
  private readonly unavailable?: CloudError;

  constructor(
    readonly account: AccountConfig,
    private readonly ctx: AdapterContext,
  ) {
    const limiter = new Limiter(Math.max(1, Math.floor(ctx.maxConcurrency) || 1));
    const maxRetries = Math.max(0, Math.floor(ctx.setting<number>('azure.maxRetries', 3)));
    const tenantId = account.settings.tenantId || undefined;
    let endpoint: string;
    let ca: string | undefined;
    if (account.sandbox) {
      this.sandbox = sandboxInfo(ctx.sandbox);
      if (!this.sandbox) {
        this.unavailable = new CloudError('network', 'The sandbox is not running');
      }
      this.auth = { mode: 'sandbox', tenantId: this.sandbox?.tenantId, scope: SANDBOX_SCOPE };
      endpoint = this.sandbox?.endpoint ?? 'https://127.0.0.1:9';
      ca = this.sandbox?.caCert;
      this.credential = this.sandbox
        ? new SandboxCredential(this.sandbox)
        : { getToken: () => Promise.reject(this.unavailable) };
    } else {
      const cloud = cloudOf(ctx);
      endpoint = cloud.arm;
      const mode = account.settings.auth === 'cli' ? 'cli' : 'vscode';
      this.auth = { mode, tenantId, scope: cloud.scope };
      this.credential = mode === 'cli' ? new CliCredential(this.auth) : new VsCodeCredential(ctx, this.auth);
    }
    this.clients = new ArmClients({ credential: this.credential, endpoint, scope: this.auth.scope, ca }, limiter, maxRetries, (l) => ctx.log(l));
    this.cache = new InventoryCache(this);
  }

  // ---- AzureCore ----------------------------------------------------------------------------

  get memento(): Memento | undefined {
    return this.ctx.memento;
  }

  compute(subscriptionId: string): ComputeManagementClient {
    if (this.unavailable) {
      throw this.unavailable;
    }
    return this.clients.computeClient(subscriptionId);
  }

  subscriptions(): SubscriptionClient {
    if (this.unavailable) {
      throw this.unavailable;
    }
    return this.clients.subscriptionClient();
  }

  async resourceGroups(subscriptionId: string): Promise<{ name: string; location: string }[]> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    const groups = await this.call(() => this.clients.list(subscriptionId, `/subscriptions/${encodeURIComponent(subscriptionId)}/resourcegroups?api-version=2021-04-01`));
    return groups
      .map((g) => g as { name?: unknown; location?: unknown })
      .filter((g): g is { name: string; location: string } => typeof g.name === 'string' && g.name !== '' && typeof g.location === 'string')
      .map((g) => ({ name: g.name, location: g.location }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async call<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isAbortError(e) || signal?.aborted) {
        throw e;
      }
      throw this.translate(e);
    }
  }

  translate(e: unknown): CloudError {
    return toCloudError(e, this.auth);
  }

  setting<T>(key: string, fallback: T): T {
    return this.ctx.setting<T>(key, fallback);
  }

  log(line: string): void {
    this.ctx.log(line);
  }

  invalidate(subscriptionId: string): void {
    this.cache.invalidate(subscriptionId);
  }

  // ---- CloudAdapter -------------------------------------------------------------------------

  async listScopes(parent?: Scope): Promise<Scope[]> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    if (!parent) {
      return listSubscriptions(this);
    }
    if (parent.leaf) {
      return [];
    }
    return listLocations(this, parent.id);
  }

  async listInventory(scope: Scope, sink: InventorySink, signal: AbortSignal): Promise<void> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    if (!scope.id.includes('/')) {
      throw new CloudError('invalid', `"${scope.label}" is a subscription; its locations hold the resources`);
    }
    return listLocation(this.cache, scope.id, sink, signal);
  }

  actionsFor(resource: Resource): ActionId[] {
    return actionsFor(resource, this.sandbox !== undefined);
  }

  plan(action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
    return planAction(this, action, target, related);
  }

  execute(action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
    return executeAction(this, action, target, values, related);
  }

  pollOperation(op: OperationRecord): Promise<OperationStatus> {
    return pollOperation(this, op);
  }

  /**
   * Azure reports no stored bytes for a snapshot: `diskSizeGB` is the source disk's size, for a
   * full and an incremental snapshot alike. Each snapshot says so rather than showing a figure.
   */
  chainFacts(links: ChainLink[], _signal: AbortSignal): Promise<ChainFacts> {
    const snapshots: Record<string, SnapshotFacts> = {};
    for (const { snapshot } of links) {
      snapshots[snapshot.id] = {
        unavailable:
          snapshot.incremental === false
            ? `Azure does not report stored bytes: a full snapshot stores a whole copy of the disk's data, and its ${snapshot.sizeGiB} GiB is the source disk's size`
            : `Azure does not report the bytes an incremental snapshot stores: its ${snapshot.sizeGiB} GiB is the source disk's size, not what it stores`,
      };
    }
    return Promise.resolve({
      snapshots,
      source: "Azure Resource Manager reports only each snapshot's source disk size (diskSizeGB), not the bytes it stores",
    });
  }

  dispose(): void {
    this.clients.destroy();
  }
}
