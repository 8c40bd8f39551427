import type { CloudAdapter, RelatedResources } from '../model/adapter';
import { isCloudError } from '../model/errors';
import type { AccountConfig, Inventory, Resource, ResourceKind, Scope } from '../model/types';

export type ScopeStatus = 'idle' | 'loading' | 'loaded' | 'error';

/** The loaded state of one leaf scope (one place the cloud lists resources in). */
export interface ScopeState {
  readonly scope: Scope;
  status: ScopeStatus;
  error?: unknown;
  /** What the tree shows: the last complete listing, or the pages of the first one so far. */
  items: Map<string, Resource>;
  /** Resource kinds whose listing has not finished yet. */
  pending: Set<ResourceKind>;
  /** When the last complete listing finished (ms since epoch). */
  loadedAt?: number;
}

/** The kinds every adapter lists (schedules and VM restore points only where the cloud has them). */
const KINDS: ResourceKind[] = ['vm', 'disk', 'snapshot', 'image'];

/** The ids in an account's `settings.scopes`, or undefined when it shows every top-level scope. */
export function chosenScopeIds(account: AccountConfig): Set<string> | undefined {
  const ids = (account.settings.scopes ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return ids.length ? new Set(ids) : undefined;
}

/**
 * One account's live view of its cloud: the adapter (loaded lazily), the scopes, and each leaf
 * scope's inventory, filled page by page. vscode-free: the tree and the benchmark both use it.
 */
export class AccountSession {
  private adapterPromise?: Promise<CloudAdapter>;
  private scopeCache = new Map<string, Promise<Scope[]>>();
  private readonly resolvedScopes = new Map<string, Scope[]>();
  private readonly states = new Map<string, ScopeState>();
  private readonly loads = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private disposed = false;
  /** The adapter once loaded (synchronous access for tree items). */
  loadedAdapter?: CloudAdapter;

  constructor(
    readonly account: AccountConfig,
    private readonly loadAdapter: (account: AccountConfig) => Promise<CloudAdapter>,
    /** Called when a scope's state changed (`undefined`: the scope list itself). */
    private readonly onChange: (scopeId: string | undefined) => void,
  ) {}

  adapter(): Promise<CloudAdapter> {
    if (!this.adapterPromise) {
      this.adapterPromise = this.loadAdapter(this.account).then((a) => (this.loadedAdapter = a));
      // A failed load (e.g. a broken bundle) is retried on the next call.
      this.adapterPromise.catch(() => (this.adapterPromise = undefined));
    }
    return this.adapterPromise;
  }

  /** Child scopes of `parent` (top level when undefined), cached until `refreshScopes`. */
  scopes(parent?: Scope): Promise<Scope[]> {
    const key = parent?.id ?? '';
    let p = this.scopeCache.get(key);
    if (!p) {
      p = this.adapter()
        .then((a) => a.listScopes(parent))
        .then((scopes) => (parent ? scopes : this.chosenTopScopes(scopes)));
      this.scopeCache.set(key, p);
      p.then((scopes) => this.resolvedScopes.set(key, scopes), () => undefined);
      p.catch(() => this.scopeCache.delete(key));
    }
    return p;
  }

  /**
   * The top-level scopes the user chose to show (`settings.scopes`, comma-separated ids), or all
   * of them when no choice was made. A chosen id that no longer exists is simply not shown.
   */
  private chosenTopScopes(scopes: Scope[]): Scope[] {
    const chosen = chosenScopeIds(this.account);
    return chosen ? scopes.filter((s) => chosen.has(s.id)) : scopes;
  }

  /** Every top-level scope, whatever the user chose to show (for the "choose" question). */
  async allTopScopes(): Promise<Scope[]> {
    return (await this.adapter()).listScopes();
  }

  /** The child scopes of `parent` if they were listed already (no request). */
  cachedScopes(parent?: Scope): Scope[] | undefined {
    return this.resolvedScopes.get(parent?.id ?? '');
  }

  /** All leaf scopes, walking nested scopes. */
  async leafScopes(): Promise<Scope[]> {
    const out: Scope[] = [];
    const walk = async (parent?: Scope): Promise<void> => {
      for (const s of await this.scopes(parent)) {
        if (s.leaf) {
          out.push(s);
        } else {
          await walk(s);
        }
      }
    };
    await walk();
    return out;
  }

  refreshScopes(): void {
    this.scopeCache.clear();
    this.onChange(undefined);
  }

  state(scopeId: string): ScopeState | undefined {
    return this.states.get(scopeId);
  }

  /**
   * Starts listing a leaf scope unless it is loading already (or loaded, unless `force`).
   * Resolves when that listing ends; never rejects (errors land in the state).
   */
  load(scope: Scope, force = false): Promise<void> {
    const running = this.loads.get(scope.id);
    if (running && !force) {
      return running.done;
    }
    const existing = this.states.get(scope.id);
    if (existing && existing.status === 'loaded' && !force) {
      return Promise.resolve();
    }
    running?.abort.abort();
    const state: ScopeState = existing ?? { scope, status: 'idle', items: new Map(), pending: new Set() };
    this.states.set(scope.id, state);
    const firstLoad = state.loadedAt === undefined;
    // A refresh keeps showing the last complete listing until the new one is whole.
    const target = firstLoad ? state.items : new Map<string, Resource>();
    if (firstLoad) {
      target.clear();
    }
    state.status = 'loading';
    state.error = undefined;
    state.pending = new Set(KINDS);
    const abort = new AbortController();
    this.onChange(scope.id);

    const done = (async () => {
      try {
        const adapter = await this.adapter();
        await adapter.listInventory(
          scope,
          {
            add: (kind, items, last) => {
              if (abort.signal.aborted) {
                return;
              }
              for (const item of items) {
                target.set(item.id, item);
              }
              if (last) {
                state.pending.delete(kind);
              }
              if (firstLoad) {
                this.onChange(scope.id);
              }
            },
          },
          abort.signal,
        );
        if (abort.signal.aborted) {
          return;
        }
        state.items = target;
        state.status = 'loaded';
        state.pending.clear();
        state.loadedAt = Date.now();
      } catch (e) {
        if (abort.signal.aborted) {
          return;
        }
        state.status = 'error';
        state.error = e;
      } finally {
        if (this.loads.get(scope.id)?.abort === abort) {
          this.loads.delete(scope.id);
        }
      }
      if (!this.disposed) {
        this.onChange(scope.id);
      }
    })();
    this.loads.set(scope.id, { abort, done });
    return done;
  }

  /** Reloads the given leaf scopes (after an operation) if they were ever loaded. */
  refresh(scopeIds: string[]): void {
    for (const id of new Set(scopeIds)) {
      const s = this.states.get(id);
      if (s) {
        void this.load(s.scope, true);
      }
    }
  }

  /** The loaded inventory of a scope, by kind. */
  inventory(scopeId: string): Inventory {
    const inv: Inventory = { vms: [], disks: [], snapshots: [], images: [], policies: [], restorePoints: [], backups: [] };
    for (const r of this.states.get(scopeId)?.items.values() ?? []) {
      switch (r.kind) {
        case 'vm':
          inv.vms.push(r);
          break;
        case 'disk':
          inv.disks.push(r);
          break;
        case 'snapshot':
          inv.snapshots.push(r);
          break;
        case 'image':
          inv.images.push(r);
          break;
        case 'policy':
          inv.policies?.push(r);
          break;
        case 'restorePoint':
          inv.restorePoints?.push(r);
          break;
        case 'backup':
          inv.backups?.push(r);
          break;
      }
    }
    return inv;
  }

  /** Every loaded resource, across the account's scopes. */
  *resources(): Iterable<Resource> {
    for (const s of this.states.values()) {
      yield* s.items.values();
    }
  }

  /** Finds a loaded resource by id in any scope. */
  find(resourceId: string): Resource | undefined {
    for (const s of this.states.values()) {
      const r = s.items.get(resourceId);
      if (r) {
        return r;
      }
    }
    return undefined;
  }

  /** What an action on a resource of `scopeId` may want to know without another call. */
  async related(scopeId: string): Promise<RelatedResources> {
    return { inventory: this.inventory(scopeId), scopes: await this.leafScopes() };
  }

  /** True when the last failure of the scope list or a scope was an expired/invalid credential. */
  static isSignInError(e: unknown): boolean {
    return isCloudError(e) && (e.kind === 'expired' || e.kind === 'auth');
  }

  dispose(): void {
    this.disposed = true;
    for (const l of this.loads.values()) {
      l.abort.abort();
    }
    this.loads.clear();
    void this.adapterPromise?.then(
      (a) => a.dispose(),
      () => undefined,
    );
  }
}
