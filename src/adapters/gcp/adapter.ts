/**
 * The GCP adapter (main thread): scopes, inventory, plans, actions and operations over a plain
 * JSON GcpApi. By default that API is a worker thread hosting the SDK (workerApi.ts): loading
 * `@google-cloud/compute` costs about a second of CPU that must never stall the extension host.
 */
import type { AdapterContext, CloudAdapter, RelatedResources } from '../../model/adapter';
import { CloudError, isCloudError } from '../../model/errors';
import { UndecidablePolls } from '../../model/polls';
import { Limiter } from '../../model/limit';
import type { AccountConfig, ActionId, ActionPlan, ActionResult, FieldValues, InventorySink, OperationRecord, OperationStatus, Resource, Scope } from '../../model/types';
import { executeAction } from './actions';
import type { GcpApi, GcpConnection } from './api';
import type { CallOptions, GcpCore } from './core';
import { isAbortError, isRetryable, toCloudError, type AuthInfo } from './errors';
import { InventoryCache, listScope } from './inventory';
import { pollOperation } from './operations';
import { actionsFor, planAction } from './plans';
import { sandboxInfo, type GcpSandboxInfo } from './sandbox';
import { listPlaces, listProjects } from './scopes';
import { WorkerApi } from './workerApi';

export interface GcpAdapterOptions {
  /** The API to use instead of the worker (tests, the benchmark: an in-process DirectApi). */
  api?: (conn: GcpConnection) => GcpApi;
  /** The worker bundle's path (tests). */
  workerPath?: string;
}

export class GcpAdapter implements CloudAdapter, GcpCore {
  readonly cloud = 'gcp' as const;
  readonly sandbox?: GcpSandboxInfo;
  readonly polls = new UndecidablePolls();
  readonly conn?: GcpConnection;
  private readonly auth: AuthInfo;
  private apiInstance?: GcpApi;
  private readonly limiter: Limiter;
  private readonly cache: InventoryCache;
  private readonly unavailable?: CloudError;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;

  constructor(
    readonly account: AccountConfig,
    private readonly ctx: AdapterContext,
    private readonly options: GcpAdapterOptions = {},
  ) {
    this.limiter = new Limiter(Math.max(1, Math.floor(ctx.maxConcurrency) || 1));
    this.maxRetries = Math.max(0, Math.floor(ctx.setting<number>('gcp.maxRetries', 3)));
    this.retryBaseMs = Math.max(0, ctx.setting<number>('gcp.retryBaseMs', 500));
    if (account.sandbox) {
      this.auth = { mode: 'sandbox' };
      this.sandbox = sandboxInfo(ctx.sandbox);
      if (this.sandbox) {
        const s = this.sandbox;
        this.conn = { mode: 'sandbox', endpoint: s.endpoint, apiEndpoint: s.apiEndpoint, port: s.port, protocol: 'http', accessToken: s.accessToken };
      } else {
        this.unavailable = new CloudError('network', 'The sandbox is not running');
      }
    } else {
      this.auth = { mode: 'adc' };
      this.conn = { mode: 'adc', ...(account.settings.project ? { quotaProject: account.settings.project } : {}), ...(account.settings.keyFile ? { keyFile: account.settings.keyFile } : {}) };
    }
    this.cache = new InventoryCache(this);
  }

  /** The API (created on first use; the worker spawns on its first call). */
  get api(): GcpApi {
    if (this.unavailable || !this.conn) {
      throw this.unavailable ?? new CloudError('invalid', 'This account has no connection settings');
    }
    this.apiInstance ??= this.options.api ? this.options.api(this.conn) : new WorkerApi(this.conn, this.options.workerPath, (l) => this.ctx.log(l));
    return this.apiInstance;
  }

  // ---- GcpCore ------------------------------------------------------------------------------

  async call<T>(fn: (api: GcpApi) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const api = this.api;
    for (let attempt = 0; ; attempt++) {
      opts.signal?.throwIfAborted();
      try {
        return await this.limiter.run(() => fn(api));
      } catch (e) {
        if (opts.signal?.aborted || isAbortError(e)) {
          throw opts.signal?.reason ?? e;
        }
        const err = this.translate(e, opts.project);
        if (attempt >= this.maxRetries || !isRetryable(err)) {
          throw err;
        }
        const delay = this.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
        this.ctx.log(`GCP: ${err.kind} (${err.display}); retry ${attempt + 1} of ${this.maxRetries} in ${Math.round(delay)} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  translate(e: unknown, project?: string): CloudError {
    return isCloudError(e) ? e : toCloudError(e, this.auth, project);
  }

  setting<T>(key: string, fallback: T): T {
    return this.ctx.setting<T>(key, fallback);
  }

  log(line: string): void {
    this.ctx.log(line);
  }

  invalidate(project: string): void {
    this.cache.invalidate(project);
  }

  // ---- CloudAdapter -------------------------------------------------------------------------

  async listScopes(parent?: Scope): Promise<Scope[]> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    if (!parent) {
      return listProjects(this);
    }
    if (parent.leaf) {
      return [];
    }
    return listPlaces(this, parent.id);
  }

  async listInventory(scope: Scope, sink: InventorySink, signal: AbortSignal): Promise<void> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    if (!scope.id.includes('/')) {
      throw new CloudError('invalid', `"${scope.label}" is a project; its zones and regions hold the resources`);
    }
    return listScope(this.cache, scope.id, sink, signal);
  }

  actionsFor(resource: Resource): ActionId[] {
    return actionsFor(resource, this.sandbox !== undefined);
  }

  plan(action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
    return planAction(this, action, target, related);
  }

  async execute(action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
    const result = await executeAction(this, action, target, values, related);
    for (const s of [target.scopeId, ...result.refreshScopeIds]) {
      this.invalidate(s.split('/')[0]);
    }
    return result;
  }

  pollOperation(op: OperationRecord): Promise<OperationStatus> {
    if (this.unavailable) {
      return Promise.reject(this.unavailable);
    }
    return pollOperation(this, op);
  }

  dispose(): void {
    this.apiInstance?.dispose();
    this.apiInstance = undefined;
  }
}
