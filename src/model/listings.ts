/**
 * Listings shared by key (an Azure subscription, a Google Cloud project): clouds whose list APIs
 * cover a whole subscription or project serve every location/zone below it from one listing.
 * Callers listing the same key at the same time share one run; a finished run is reused for
 * `reuseMs` (the tree lists every location at once) and forgotten on `invalidate` (after an action
 * or an operation end). Each caller's AbortSignal rejects only its own wait; the run itself is
 * aborted when its last waiter gave up before the end.
 */
import type { InventorySink, Resource } from './types';

interface Entry<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  finishedAt?: number;
}

export class SharedListings<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly run: (key: string, signal: AbortSignal) => Promise<T>,
    private readonly reuseMs = 3000,
  ) {}

  invalidate(key: string): void {
    this.entries.delete(key);
  }

  /** The listing of `key` (shared / reused); rejects with the caller's abort reason. */
  async get(key: string, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    let e = this.entries.get(key);
    if (e && e.finishedAt !== undefined && Date.now() - e.finishedAt > this.reuseMs) {
      this.entries.delete(key);
      e = undefined;
    }
    if (!e) {
      const controller = new AbortController();
      const entry: Entry<T> = { controller, waiters: 0, promise: this.run(key, controller.signal) };
      entry.promise.then(
        () => {
          entry.finishedAt = Date.now();
        },
        () => {
          if (this.entries.get(key) === entry) {
            this.entries.delete(key);
          }
        },
      );
      this.entries.set(key, entry);
      e = entry;
    }
    const entry = e;
    entry.waiters++;
    try {
      return await new Promise<T>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
        signal.addEventListener('abort', onAbort, { once: true });
        entry.promise.then(
          (v) => {
            signal.removeEventListener('abort', onAbort);
            resolve(v);
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(err);
          },
        );
      });
    } finally {
      entry.waiters--;
      // The last waiter gone before the end: stop the requests.
      if (entry.waiters === 0 && entry.finishedAt === undefined && signal.aborted) {
        entry.controller.abort(signal.reason);
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
        }
      }
    }
  }
}

/** What a subscription/project-wide listing holds (schedules and VM restore points where the cloud has them). */
export interface WideInventory {
  vms: Resource[];
  disks: Resource[];
  snapshots: Resource[];
  images: Resource[];
  policies?: Resource[];
  restorePoints?: Resource[];
  backups?: Resource[];
}

type Listed = Required<WideInventory>;

const grouped = new WeakMap<WideInventory, Map<string, Listed>>();

/** A wide listing's resources grouped by leaf scope, computed once per listing (every leaf asks). */
function byScope(inv: WideInventory): Map<string, Listed> {
  let map = grouped.get(inv);
  if (!map) {
    const m = new Map<string, Listed>();
    const at = (scopeId: string): Listed => {
      let g = m.get(scopeId);
      if (!g) {
        g = { vms: [], disks: [], snapshots: [], images: [], policies: [], restorePoints: [], backups: [] };
        m.set(scopeId, g);
      }
      return g;
    };
    inv.vms.forEach((r) => at(r.scopeId).vms.push(r));
    inv.disks.forEach((r) => at(r.scopeId).disks.push(r));
    inv.snapshots.forEach((r) => at(r.scopeId).snapshots.push(r));
    inv.images.forEach((r) => at(r.scopeId).images.push(r));
    inv.policies?.forEach((r) => at(r.scopeId).policies.push(r));
    inv.restorePoints?.forEach((r) => at(r.scopeId).restorePoints.push(r));
    inv.backups?.forEach((r) => at(r.scopeId).backups.push(r));
    map = m;
    grouped.set(inv, map);
  }
  return map;
}

/**
 * Sends one leaf scope's part of a wide listing to `sink` (one complete add per kind; schedules
 * and restore points only when the listing has them).
 */
export function sendScope(inv: WideInventory, scopeId: string, sink: InventorySink): void {
  const here = byScope(inv).get(scopeId);
  sink.add('vm', here?.vms ?? [], true);
  sink.add('disk', here?.disks ?? [], true);
  sink.add('snapshot', here?.snapshots ?? [], true);
  sink.add('image', here?.images ?? [], true);
  if (inv.policies) {
    sink.add('policy', here?.policies ?? [], true);
  }
  if (inv.restorePoints) {
    sink.add('restorePoint', here?.restorePoints ?? [], true);
  }
  if (inv.backups) {
    sink.add('backup', here?.backups ?? [], true);
  }
}
