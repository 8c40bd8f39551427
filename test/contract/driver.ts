/**
 * What the shared contract suite (suite.ts) and the fault battery (battery.test.ts) ask of a
 * cloud: one driver per cloud (drivers/<cloud>.ts) that starts the cloud's sandbox — in one
 * place — or connects to a real account (its live variable), makes adapters, names the fixtures
 * (a disk to snapshot, a completed snapshot to restore…), the answers each action takes, and the
 * oracle: what the cloud itself holds (the sandbox's own state; live, a fresh adapter's listing).
 * A capability the cloud lacks is a `{ lacks: reason }`, which the suite turns into a skip that
 * says why.
 */
import * as assert from 'node:assert/strict';
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import type { CloudError } from '../../src/model/errors';
import type { ActionId } from '../../src/model/actions';
import type { ActionPlan, ActionResult, CloudKind, Disk, FieldValues, Image, Inventory, OperationStart, OperationStatus, Policy, Resource, ResourceKind, Scope, Snapshot, Tag } from '../../src/model/types';
import { INVENTORY_KEY } from '../../src/model/types';
import { startSandbox, type FaultConfig, type SandboxCloudOptions, type SandboxClouds } from '../../src/sandbox';
import type { Truth } from './battery';
import { answers, track } from './tracking';

export type Settings = Record<string, unknown>;

/** A capability the cloud (or this target) does not have, and why. */
export interface Lacks {
  lacks: string;
}

export function lacks<T extends object>(x: T | Lacks): x is Lacks {
  return 'lacks' in x;
}

/** What the cloud itself holds, independently of the adapter under test. */
export interface Oracle {
  /** Snapshots carrying the marker (see CloudDriver.snapshotAnswers) that exist; ready = one is usable. */
  snapshots(marker: string): Promise<Truth>;
  /** Disks named `marker`. */
  disks(marker: string): Promise<Truth>;
  /** Images named `marker`. */
  images(marker: string): Promise<Truth>;
  /** Whether the resource still exists. */
  exists(kind: ContractKind, id: string): Promise<boolean>;
  /** The resource's tags as the cloud holds them (the adapter's own bookkeeping tags left out). */
  tags(kind: ContractKind, id: string): Promise<Tag[]>;
  /** Snapshot ids of the scope; `complete` when that is all of them (the sandbox), not just the suite's. */
  snapshotIds(scope: Scope): Promise<{ ids: string[]; complete: boolean }>;
}

/** What only the sandbox can do (absent on a live target). */
export interface SandboxControl {
  /** Replaces the fault injection ({} for none). */
  setFaults(config: FaultConfig): void;
  /** Adds `count` completed snapshots of a disk at once; returns their ids as the adapter lists them. */
  bulkSnapshots(disk: Disk, count: number): string[];
  /** Moves the sandbox's clock forward (its clouds' scheduled policies run meanwhile). */
  advanceClock(ms: number): void;
  /** The sandbox's time (ms since the epoch). */
  now(): number;
}

/** A snapshot schedule as the cloud holds it (the oracle's view, independent of the adapter). */
export interface HeldPolicy {
  id: string;
  name?: string;
  /** The disks it covers now (attached, or selected by their tags). */
  diskIds: string[];
}

/**
 * The cloud's snapshot schedules, for the schedule cases (schedules.ts). Every answer is the
 * cloud's own fields, so the cases stay the same for every cloud.
 */
export interface ScheduleDriver {
  /**
   * Answers for protectWithSchedule on `disk` that create a new policy named `name`, running
   * every `periodMs` and keeping the newest `keep` snapshots (or, on a cloud whose retention is by
   * age, each for `keep` periods).
   */
  create(name: string, keep: number, disk: Disk): FieldValues;
  /** How long between two runs of a policy `create` makes (ms). */
  readonly periodMs: number;
  /** How many of its snapshots of one disk the policy keeps after `runs` runs (its retention applied). */
  kept(runs: number, keep: number): number;
  /** Whether its snapshots carry the date retention deletes them (`Snapshot.deleteAfter`). */
  readonly deleteAfter: boolean;
  /** Answers for protectWithSchedule that put a disk under an existing policy. */
  attach(policy: Policy, disk: Disk): FieldValues;
  /** Answers for changeSchedule that make the policy keep `keep`. */
  change(policy: Policy, keep: number): FieldValues;
  /** Answers for protectWithSchedule that the cloud refuses, and its message (the cloud's own words). */
  readonly invalid: { answers(name: string, disk: Disk): FieldValues; message: RegExp };
  /** A second disk in the suite's scope, the suite's to put under a policy and to delete. */
  spareDisk(target: Target, adapter: CloudAdapter): Promise<Disk>;
  /** Deletes a disk the way the cloud's own console would (the adapter has no delete-disk action). */
  deleteDisk(target: Target, disk: Disk): Promise<void>;
  /** The policies the cloud holds in the suite's scope (the oracle). */
  held(target: Target): Promise<HeldPolicy[]>;
}

/** One account the suite runs against: the sandbox, or a real account. */
export interface Target {
  readonly live: boolean;
  /** Every log line of every adapter made by `adapter()`. */
  readonly log: string[];
  /** A fresh adapter (the caller disposes it). */
  adapter(settings?: Settings): CloudAdapter;
  /** The leaf scope the suite works in. */
  readonly scope: Scope;
  /** Leaf scopes a plan may offer (copy destinations, zones). */
  readonly scopes: Scope[];
  /** A disk the suite may snapshot, tag and restore (seeded in the sandbox, made live). */
  disk(): Promise<Disk>;
  /** A completed snapshot of that disk. */
  snapshot(): Promise<Snapshot>;
  readonly oracle: Oracle;
  readonly control?: SandboxControl;
  /** Remembers something the suite made, for the live clean-up. */
  made(kind: ContractKind, id: string, scopeId: string): void;
  /** Poll interval and the longest wait for one operation. */
  readonly pollMs: number;
  readonly timeoutMs: number;
  close(): Promise<void>;
}

/** How a snapshot is made impossible to delete, and what the refusal says. */
export interface Dependency {
  /** The snapshot something now depends on. */
  snapshot: Snapshot;
  /** What depends on it, as the refusal names it. */
  refusal: RegExp;
  /** Removes the dependency again. */
  release(): Promise<void>;
}

export interface CloudDriver<T extends Target = Target> {
  readonly cloud: CloudKind;
  /** The cloud's name in titles ("AWS"). */
  readonly name: string;
  /** Starts the cloud's sandbox: 'contract' timing (quick) or 'battery' timing (operations last long enough to be polled under faults). */
  sandbox(profile: 'contract' | 'battery'): Promise<T>;
  /** The live target when its variable is set, else why it does not run. */
  live(): { title: string; start(): Promise<T> } | Lacks;

  /** A fresh listing of a scope: no cached answer (the fault cases depend on the request being sent). */
  probe(adapter: CloudAdapter, scope: Scope, signal?: AbortSignal): Promise<Inventory>;

  /** Answers for createSnapshot that mark the snapshot with `marker` (a description or its name). */
  snapshotAnswers(marker: string, tags?: Tag[]): FieldValues;
  /** Answers for restoreToNewDisk that name the disk `marker` (zone: the snapshot's own). */
  restoreAnswers(marker: string, snapshot: Snapshot): FieldValues;
  /**
   * Copying a snapshot: its destination and answers. The battery's copies run many at once (some
   * clouds copy one disk's snapshots to another region one at a time: those copy within the region).
   */
  copy(target: Target, purpose: 'contract' | 'battery'): { destination: string; answers(marker: string): FieldValues } | Lacks;
  /** Making an image named `marker`: from which resource, by which action. */
  image(target: Target, adapter: CloudAdapter): Promise<{ action: ActionId; source: Resource; scope: Scope; answers(marker: string): FieldValues } | Lacks>;
  /** Something that depends on a snapshot, which its delete must refuse. */
  dependency(target: Target, adapter: CloudAdapter): Promise<Dependency | Lacks>;
  /** Tag values with commas, `=` and spaces: kept exactly, or refused by the cloud's rules (saying why). */
  readonly awkwardTags: 'kept' | { refused: RegExp };

  /** The fault cases' expectations (sandbox only). */
  readonly faults: {
    /** Fault-injection action names: the probe listing's, the create's and the delete's. */
    list: string;
    createSnapshot: string;
    deleteSnapshot: string;
    /** Settings of the adapter the fault cases use (short retries). */
    settings: Settings;
    /** Whether the cloud's throttling answer carries a retry hint (Retry-After). */
    retryHint: true | Lacks;
    /** A single throttling answer without a hint: retried by the client, or surfaced at once. */
    throttleNoHint: 'retried' | 'surfaced';
    /** What the expired-credentials message must say (how to sign in again), or why the cloud has no expiring credentials. */
    expired: RegExp | Lacks;
  };
  /** The cloud's own snapshot schedules, or why it has none. */
  readonly schedules?: ScheduleDriver | Lacks;
  /** The fault battery's extra faults for this cloud (EC2's eventual consistency), and the seed of its fault sequence. */
  readonly battery: { title: string; faults: FaultConfig; seed: number };
  /** A snapshot that does not exist (same shape as `real`), and what deleting it ends in. */
  readonly unknown: { ghost(real: Snapshot): Snapshot; delete: 'deleted' | 'notFound' };
  /** What this cloud says beyond the shared cases (its messages, its log), checked within them. */
  readonly checks?: {
    snapshotMade?(made: Snapshot, seen: OperationStatus[], op: OperationStart, live: boolean): void;
    /** A restored disk, the plan it was restored through (its defaults) and the operation followed. */
    restored?(disk: Disk, plan: ActionPlan, op: OperationStart): void;
    /** The log lines of a restore refused for its size. */
    restoreTooSmall?(log: string[]): void;
    imageMade?(image: Image, plan: ActionPlan, source: Resource): void;
    copied?(copy: Snapshot, plan: ActionPlan, source: Snapshot): void;
    /** The message of a tag edit that set one tag and removed one. */
    tagsChanged?(message: string): void;
    /** A delete's confirmation text, the snapshot and the disk it was taken from. */
    deleteConfirm?(text: string, snapshot: Snapshot, disk: Disk): void;
    deleted?(result: ActionResult, disk: Disk): void;
    deleteRefused?(log: string[]): void;
    unknownDeleted?(message: string, log: string[]): void;
    throttled?(e: CloudError, log: string[]): void;
    server?(e: CloudError): void;
    /** After a create whose answer was lost: the log, and the snapshot as listed. */
    resetCreate?(log: string[], made: Snapshot): void;
    resetDelete?(message: string): void;
    expired?(e: CloudError): void;
    malformed?(e: CloudError): void;
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers the suite, the battery and the cloud files share
// ---------------------------------------------------------------------------------------------

/** One cloud's part of a running sandbox: the only handle that cloud's tests hold on it. */
export interface CloudSandbox<K extends keyof SandboxClouds> {
  info: SandboxClouds[K]['info'];
  control: SandboxClouds[K]['control'];
  setFaults(config: FaultConfig): void;
  /** The sandbox's time: what its adapters' contexts give as `now` (AdapterContext.now). */
  now(): number;
  advanceClock(ms: number): void;
  close(): Promise<void>;
}

/** Starts a sandbox serving `kind` with `options` (each driver's one call of startSandbox). */
export async function startCloudSandbox<K extends keyof SandboxClouds>(kind: K, options: SandboxClouds[K]['options']): Promise<CloudSandbox<K>> {
  const sb = await startSandbox({ clouds: { [kind]: options } as SandboxCloudOptions });
  return {
    info: sb.info[kind],
    control: sb.clouds[kind],
    setFaults: (c) => sb.setFaults(c),
    now: () => sb.now(),
    advanceClock: (ms) => void sb.advanceClock(ms),
    close: () => sb.close(),
  };
}

/** What a sandbox target is made of; `sandboxTarget` adds what every cloud's has alike. */
export interface SandboxTargetParts {
  /** The cloud's sandbox (closed with the target). */
  sandbox: { setFaults(config: FaultConfig): void; now(): number; advanceClock(ms: number): void; close(): Promise<void> };
  log: string[];
  adapter(settings?: Settings): CloudAdapter;
  scope: Scope;
  scopes: Scope[];
  disk(): Promise<Disk>;
  snapshot(): Promise<Snapshot>;
  oracle: Oracle;
  /** The sandbox control's bulk snapshots of a disk as the adapter lists it. */
  bulkSnapshots(disk: Disk, count: number): string[];
  pollMs: number;
  timeoutMs: number;
  /** Releases what the target holds besides the sandbox (its lister adapter…), before the sandbox closes. */
  release(): void;
}

/** A sandbox target: nothing to clean up (the sandbox goes), its control, and the cloud's own members `extra`. */
export function sandboxTarget<X extends object>(parts: SandboxTargetParts, extra: X): Target & X {
  const { sandbox, bulkSnapshots, release, ...rest } = parts;
  return {
    ...rest,
    live: false,
    control: { setFaults: (c) => sandbox.setFaults(c), bulkSnapshots, advanceClock: (ms) => sandbox.advanceClock(ms), now: () => sandbox.now() },
    made: () => undefined,
    close: async () => {
      release();
      await sandbox.close();
    },
    ...extra,
  };
}

/** What a live target is made of; `liveTarget` adds what every cloud's has alike. */
export interface LiveTargetParts {
  log: string[];
  adapter(settings?: Settings): CloudAdapter;
  scope: Scope;
  scopes: Scope[];
  /** Makes the disk and its completed snapshot (called once, on first use). */
  fixture(): Promise<{ disk: Disk; snapshot: Snapshot }>;
  oracle: Oracle;
  made: Target['made'];
  /** Deletes what the run made. */
  close(): Promise<void>;
}

/** A live target: its fixture made once when first asked for, and a live account's poll interval and patience. */
export function liveTarget<X extends object>(parts: LiveTargetParts, extra: X): Target & X {
  const { fixture, ...rest } = parts;
  let made: Promise<{ disk: Disk; snapshot: Snapshot }> | undefined;
  return {
    ...rest,
    live: true,
    disk: async () => (await (made ??= fixture())).disk,
    snapshot: async () => (await (made ??= fixture())).snapshot,
    pollMs: 5000,
    timeoutMs: 1_800_000,
    ...extra,
  };
}

/**
 * Deletes what a live run made, newest first (images and copies before the snapshots and the disk
 * they came from); a failure is warned about and the rest still deleted.
 */
export async function deleteNewestFirst<R extends { id: string }>(created: readonly R[], remove: (r: R) => Promise<void>, where: (r: R) => string = () => ''): Promise<void> {
  for (const r of [...created].reverse()) {
    try {
      await remove(r);
    } catch (e) {
      console.warn(`live clean-up: could not delete ${r.id}${where(r)}: ${String(e)}`);
    }
  }
}

export function emptyInventory(): Inventory {
  return { vms: [], disks: [], snapshots: [], images: [], policies: [], restorePoints: [], backups: [] };
}

/** The kinds the contract makes and checks (restore points and backups have no shared case yet). */
export type ContractKind = 'vm' | 'disk' | 'snapshot' | 'image';

/** Lists one leaf scope into an Inventory. */
export async function listScope(adapter: CloudAdapter, scope: Scope | string, signal = new AbortController().signal): Promise<Inventory> {
  const s = typeof scope === 'string' ? { id: scope, label: scope, leaf: true } : scope;
  const inv = emptyInventory();
  const key = INVENTORY_KEY;
  await adapter.listInventory(s, { add: (kind: ResourceKind, items: Resource[]) => void (inv[key[kind]] as Resource[]).push(...items) }, signal);
  return inv;
}

export function leaf(id: string): Scope {
  return { id, label: id, leaf: true };
}

const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The resource with this id (ids compared case-insensitively: ARM ids are). */
export function byId<T extends Resource>(items: T[], id: string): T | undefined {
  return items.find((r) => sameId(r.id, id));
}

export function allOf(inv: Inventory): Resource[] {
  return [...inv.vms, ...inv.disks, ...inv.snapshots, ...inv.images];
}

/** A truth from listed resources: how many carry the marker, and whether one is ready. */
export function truthOf(items: Resource[], marked: (r: Resource) => boolean): Truth {
  const found = items.filter(marked);
  return { count: found.length, ready: found.some((r) => r.phase === 'ready') };
}

/**
 * A live account's oracle: what a fresh adapter lists (a separate instance, nothing cached) in
 * the scopes the suite works in. `markerOf` reads a snapshot's marker (its name, or on AWS its
 * description).
 */
export function listingOracle(fresh: () => CloudAdapter, scopes: () => Scope[], markerOf: (s: Snapshot) => string | undefined): Oracle {
  const everything = async (): Promise<Resource[]> => {
    const a = fresh();
    try {
      return (await Promise.all(scopes().map((s) => listScope(a, s)))).flatMap(allOf);
    } finally {
      a.dispose();
    }
  };
  const find = async (kind: ContractKind, id: string) => (await everything()).find((r) => r.kind === kind && sameId(r.id, id));
  return {
    snapshots: async (marker) => truthOf(await everything(), (r) => r.kind === 'snapshot' && markerOf(r) === marker),
    disks: async (marker) => truthOf(await everything(), (r) => r.kind === 'disk' && r.name === marker),
    images: async (marker) => truthOf(await everything(), (r) => r.kind === 'image' && r.name === marker),
    exists: async (kind, id) => (await find(kind, id)) !== undefined,
    tags: async (kind, id) => (await find(kind, id))?.tags ?? [],
    snapshotIds: async (scope) => {
      const a = fresh();
      try {
        return { ids: (await listScope(a, scope)).snapshots.map((s) => s.id), complete: false };
      } finally {
        a.dispose();
      }
    },
  };
}

export interface Acted {
  result: ActionResult;
  plan: ActionPlan;
  /** Every status seen, per operation. */
  statuses: OperationStatus[][];
}

/**
 * What the extension does with an action: offered? → plan (no refusal) → answers (field defaults,
 * then `given`) → execute → follow every operation to its end (not failed).
 */
export async function act(target: Target, adapter: CloudAdapter, action: ActionId, resource: Resource, given: FieldValues, related: RelatedResources): Promise<Acted> {
  assert.ok(adapter.actionsFor(resource).includes(action), `${action} is not offered for ${resource.id} (${adapter.actionsFor(resource).join(', ')})`);
  const plan = await adapter.plan(action, resource, related);
  assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
  const result = await adapter.execute(action, resource, answers(plan, given), related);
  const statuses: OperationStatus[][] = [];
  for (const op of result.operations) {
    const seen = await track(adapter, op, { timeoutMs: target.timeoutMs, pollMs: target.pollMs });
    const last = seen.at(-1) as OperationStatus;
    assert.equal(last.failed, undefined, `${op.title} failed: ${last.message}`);
    statuses.push(seen);
  }
  return { result, plan, statuses };
}

/**
 * A marker unique to this run, valid as a name in every cloud (lower-case letters, digits,
 * dashes), starting with `snapkeeper-test-` so a live run's resources are known as the suite's.
 */
export function marker(prefix: string): string {
  return `snapkeeper-test-${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** Skips the running test, saying why in its title (the reporter shows it beside the test). */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  if (ctx.test) {
    ctx.test.title = `${ctx.test.title} — skipped: ${reason}`;
  }
  ctx.skip();
}
