import { randomUUID } from 'node:crypto';
import type { CloudAdapter } from '../model/adapter';
import { errorText, isCloudError } from '../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../model/types';

/*
 * The operation journal, shared by every window of the editor.
 *
 * Every window of VS Code sees the same `globalState`, and each window's extension host runs its
 * own tracker. The journal used to be one list that each window rewrote whole: the last writer
 * won, so one window's running operation vanished, and a window could announce an operation
 * another window had started. The design now:
 *
 * - One key per operation (`snapkeeper.operation.<id>`), and an owner per entry: the window
 *   (one activation of the extension) that follows it. Only the owner polls, updates, ends and
 *   announces an operation, so a window never writes another window's operations and an
 *   operation is announced once, by one window. Merging whole lists instead would still let two
 *   windows poll and announce the same operation.
 * - A lease: the owner renews a heartbeat on its entries every `heartbeatMs`. An entry whose
 *   heartbeat is older than `leaseMs` belongs to a window that is gone (closed, crashed, killed):
 *   another window adopts it. (Heartbeats are wall-clock times of the windows' extension hosts:
 *   hosts whose clocks disagree by more than the lease would hand entries on too early.) Adopting is a claim (write our name), a pause (`settleMs`) and a
 *   re-read: of two windows claiming at once only the one still named goes on.
 * - A reload: on dispose the owner releases its entries (owner ''), naming its `home` (a key kept
 *   in the workspace's own storage, the same after a reload). The reloaded window takes its
 *   released entries back at once; other windows leave them for a lease first, so a reload does
 *   not move the window's operations elsewhere. If the release never reached the storage, the
 *   lease still hands them on.
 * - VS Code stores an extension's globalState as one blob per extension and copies it between
 *   windows: two writes a few milliseconds apart can still revert one another. So the owner's
 *   heartbeat re-asserts what it knows (its running entries, and the ends it wrote), healing a
 *   reverted write within one heartbeat; and an operation's end is a tombstone (`ended`) kept for
 *   `tombstoneMs` rather than a deletion, so a reverted copy cannot bring a finished operation
 *   back for another window to adopt and announce a second time.
 * - What cannot be read (an entry of the wrong shape, the old list format's junk, or a list
 *   that is not a list) is never dropped in silence: it is moved aside, under
 *   `snapkeeper.journal.unreadable`, logged, and reported to the user once.
 * - An operation that polling cannot decide is not polled for ever, and not called failed: the
 *   cloud operation may well go on. When its account is not configured in this window, the window
 *   stops following it at once. When its polls keep answering what cannot decide it (a kind or
 *   saved state the adapter cannot read, a state word it does not know, an unreadable answer),
 *   the adapter ends it `undecided` after a bounded row (model/polls.ts, the one bound, which
 *   says why it lives in the adapters' polls), and the window stops following it, saying what
 *   was seen. The tracker keeps no count of its own: a poll that throws is retried with back-off.
 */

/**
 * The storage shared by every window (VS Code's `globalState`, a Memento): a key-value store whose
 * writes other windows see after a short delay.
 */
export interface JournalStore {
  keys(): readonly string[];
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Prefix of each operation's key. */
export const ENTRY_PREFIX = 'snapkeeper.operation.';
/** The list format of earlier versions (read once, then moved to per-operation keys). */
export const LEGACY_KEY = 'snapkeeper.operations';
/** What could not be read, kept aside (newest last) instead of destroyed. */
export const SET_ASIDE_KEY = 'snapkeeper.journal.unreadable';
/** How many unreadable entries are kept aside at most. */
const SET_ASIDE_MAX = 50;

export type EndOutcome = 'done' | 'failed' | 'dismissed' | 'unfollowable';

/** One operation in the shared journal. */
export interface JournalEntry {
  record: OperationRecord;
  /** The window (one activation) that follows it; '' once that window released it. */
  owner: string;
  /** The window's lasting identity (the same after a reload of that window). */
  home: string;
  /** When the owner last renewed its lease (ms since the epoch). */
  heartbeatAt: number;
  /** Set once the operation is over for the journal: a tombstone. */
  ended?: { at: number; outcome: EndOutcome };
}

/** An entry that could not be read, as reported to the user and kept aside. */
export interface UnreadableEntry {
  key: string;
  /** What it seemed to be (the title when there is one). */
  what: string;
  reason: string;
}

/** What the tracker needs from its surroundings; vscode-free so it runs in plain Node tests. */
export interface TrackerHost {
  /** The adapter of an account, or undefined when the account is not configured here. */
  adapterFor(accountId: string): Promise<CloudAdapter | undefined>;
  /** An operation this window followed finished (done or failed). Called once per operation. */
  finished(record: OperationRecord, status: OperationStatus): void;
  /** This window stopped following an operation it cannot poll (the cloud operation may go on). */
  stopped(record: OperationRecord, reason: string): void;
  /** Journal entries could not be read; they were moved aside. */
  unreadable(entries: UnreadableEntry[]): void;
  /** Anything changed (started, progressed, finished): redraw the status bar. */
  changed(): void;
  log(message: string): void;
}

export interface TrackerOptions {
  /** First poll after this long (ms). */
  initialDelayMs: number;
  /** Polls back off by this factor… */
  backoff: number;
  /** …up to this delay (ms). */
  maxDelayMs: number;
  /** The owner renews its entries this often (ms). */
  heartbeatMs: number;
  /** An entry not renewed for this long (ms) belongs to a window that is gone. */
  leaseMs: number;
  /** After claiming an abandoned entry, wait this long (ms) before checking the claim held. */
  settleMs: number;
  /** Tombstones are kept this long (ms). */
  tombstoneMs: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  initialDelayMs: 1500,
  backoff: 1.5,
  maxDelayMs: 20_000,
  heartbeatMs: 10_000,
  leaseMs: 35_000,
  settleMs: 2_000,
  tombstoneMs: 24 * 3600_000,
};

/** Who this tracker is among the windows. */
export interface TrackerIdentity {
  /** This activation (a fresh id by default). */
  owner: string;
  /** The window's lasting identity: the same after a reload of that window. */
  home: string;
}

interface Running {
  record: OperationRecord;
  delay: number;
  timer?: NodeJS.Timeout;
  lastError?: string;
  polls: number;
}

/** A tracked operation as the UI sees it. */
export type TrackedOperation = OperationRecord & { lastError?: string };

/**
 * The one place long operations are followed: it polls each through its adapter with back-off,
 * keeps its entries of the shared journal, and tells the host when one progresses or ends. A poll
 * that throws (throttling, network, expired credentials) never drops the operation: it is
 * retried at the back-off delay and the error is shown as the operation's last error.
 */
export class OperationTracker {
  private readonly running = new Map<string, Running>();
  /** Tombstones this window wrote and still re-asserts. */
  private readonly ends = new Map<string, JournalEntry>();
  /** When this window last renewed each entry it writes (by operation id). */
  private readonly beats = new Map<string, number>();
  /** Entries claimed and waiting for `settleMs` before they are followed. */
  private readonly claims = new Map<string, NodeJS.Timeout>();
  private readonly identity: TrackerIdentity;
  private heartbeat?: NodeJS.Timeout;
  private disposed = false;

  constructor(
    private readonly store: JournalStore,
    private readonly host: TrackerHost,
    private readonly options: TrackerOptions = DEFAULT_TRACKER_OPTIONS,
    identity: Partial<TrackerIdentity> = {},
  ) {
    const owner = identity.owner ?? randomUUID();
    this.identity = { owner, home: identity.home ?? owner };
  }

  /** This tracker's window identity (for logs and tests). */
  get owner(): string {
    return this.identity.owner;
  }

  /**
   * Reads the journal: takes back what this window released before a reload, adopts what gone
   * windows left, moves unreadable entries aside, and starts the heartbeat. Returns how many
   * operations it follows at once (adoptions of other windows' entries follow after `settleMs`).
   */
  resume(): number {
    const before = this.running.size;
    this.sweep();
    const n = this.running.size - before;
    if (n > 0) {
      this.host.log(`Resumed ${n} operation(s) from the journal.`);
      this.host.changed();
    }
    this.startHeartbeat();
    return n;
  }

  /** Starts following operations an action returned. */
  async track(accountId: string, starts: OperationStart[]): Promise<OperationRecord[]> {
    const records = starts.map((s) => ({ ...s, id: randomUUID(), accountId, startedAt: Date.now() }));
    for (const record of records) {
      this.follow({ record, delay: this.options.initialDelayMs, polls: 0 }, this.options.initialDelayMs);
      this.host.log(`Tracking: ${record.title} (${record.kind} ${record.resourceId} in ${record.scopeId})`);
    }
    await Promise.all(records.map((r) => this.write(r)));
    this.startHeartbeat();
    this.host.changed();
    return records;
  }

  /** Operations this window follows, oldest first. */
  list(): TrackedOperation[] {
    return [...this.running.values()].map((r) => ({ ...r.record, lastError: r.lastError }));
  }

  /**
   * Stops following an operation (the user dismissed it). The cloud operation itself goes on;
   * no window follows or announces it any more. Returns the record, or undefined if unknown.
   */
  async dismiss(id: string): Promise<OperationRecord | undefined> {
    const r = this.running.get(id);
    if (!r) {
      return undefined;
    }
    this.unfollow(r);
    this.host.log(`Dismissed: ${r.record.title} (no longer followed; the operation itself goes on in the cloud).`);
    await this.end(r.record, 'dismissed');
    this.host.changed();
    return r.record;
  }

  /** Stops following the operations of an account (it was removed). They stay in the cloud. */
  async forgetAccount(accountId: string): Promise<void> {
    const gone = [...this.running.values()].filter((r) => r.record.accountId === accountId);
    for (const r of gone) {
      this.unfollow(r);
    }
    await Promise.all(gone.map((r) => this.end(r.record, 'dismissed')));
    this.host.changed();
  }

  /**
   * Stops everything. The journal keeps the running operations, released for this window's next
   * activation (a reload) to take back at once.
   */
  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    clearTimeout(this.heartbeat);
    for (const t of this.claims.values()) {
      clearTimeout(t);
    }
    this.claims.clear();
    const released = [...this.running.values()];
    for (const r of released) {
      clearTimeout(r.timer);
    }
    this.running.clear();
    for (const r of released) {
      this.put(r.record.id, { record: r.record, owner: '', home: this.identity.home, heartbeatAt: Date.now() }).catch(
        (e: unknown) => this.host.log(`Could not release ${r.record.title} in the journal: ${errorText(e)}`),
      );
    }
  }

  // --- the shared journal -------------------------------------------------------------------------

  private startHeartbeat(): void {
    if (this.heartbeat || this.disposed) {
      return;
    }
    const beat = () => {
      this.heartbeat = undefined;
      if (this.disposed) {
        return;
      }
      this.sweep();
      this.heartbeat = setTimeout(beat, this.jittered());
    };
    this.heartbeat = setTimeout(beat, this.jittered());
  }

  /** The heartbeat period ±20 %, so windows that claimed at the same moment do not meet again. */
  private jittered(): number {
    return this.options.heartbeatMs * (0.8 + 0.4 * Math.random());
  }

  /**
   * One pass over the shared journal: renew (and re-assert) this window's entries, yield those
   * another window took or ended, re-assert this window's tombstones, adopt abandoned entries,
   * prune old tombstones and move unreadable entries aside.
   */
  private sweep(): void {
    const now = Date.now();
    const unreadable: UnreadableEntry[] = [];
    this.migrateLegacy(unreadable);
    let changed = false;

    // Ours: renew, or yield when another window ended or took it.
    for (const r of [...this.running.values()]) {
      const stored = this.storedEntry(r.record.id);
      if (stored && stored.record.id === r.record.id) {
        if (stored.ended) {
          this.unfollow(r);
          changed = true;
          this.host.log(`${r.record.title}: ${stored.ended.outcome} in another window; no longer followed here.`);
          continue;
        }
        if (this.takenOver(stored)) {
          this.unfollow(r);
          changed = true;
          this.host.log(`${r.record.title}: followed by another window now; no longer followed here.`);
          continue;
        }
      }
      void this.write(r.record);
    }

    // Our tombstones: re-assert one a stale copy reverted; forget them after tombstoneMs.
    for (const [id, tomb] of [...this.ends]) {
      const expired = now - (tomb.ended?.at ?? 0) > this.options.tombstoneMs;
      if (expired) {
        this.ends.delete(id);
        continue;
      }
      if (!this.storedEntry(id)?.ended) {
        void this.put(id, tomb);
      }
    }

    // Everyone's entries: adopt what gone windows left, prune old tombstones, set junk aside.
    for (const key of this.store.keys()) {
      if (!key.startsWith(ENTRY_PREFIX)) {
        continue;
      }
      const id = key.slice(ENTRY_PREFIX.length);
      const raw = this.store.get(key);
      const entry = readEntry(raw);
      if (entry === undefined) {
        continue;
      }
      if (typeof entry === 'string') {
        unreadable.push({ key, what: describeRaw(raw, key), reason: entry });
        void this.setAside(key, raw, entry);
        continue;
      }
      if (entry.ended) {
        if (now - entry.ended.at > this.options.tombstoneMs && !this.ends.has(id)) {
          void this.store.update(key, undefined);
        }
        continue;
      }
      if (this.running.has(id) || this.claims.has(id) || this.ends.has(id)) {
        continue;
      }
      const ours = entry.owner === '' && entry.home === this.identity.home;
      const abandoned = now - entry.heartbeatAt > this.options.leaseMs;
      if (ours) {
        // Released by this window before a reload: take it back at once.
        this.adopt(entry.record);
        changed = true;
      } else if (abandoned) {
        this.claim(entry);
      }
    }
    if (unreadable.length > 0) {
      this.host.log(
        `Moved ${unreadable.length} unreadable journal entr${unreadable.length === 1 ? 'y' : 'ies'} aside (${SET_ASIDE_KEY}): ${unreadable
          .map((u) => `${u.what}: ${u.reason}`)
          .join('; ')}`,
      );
      this.host.unreadable(unreadable);
    }
    if (changed) {
      this.host.changed();
    }
  }

  /** The list of earlier versions: its readable records become entries of this window. */
  private migrateLegacy(unreadable: UnreadableEntry[]): void {
    const raw = this.store.get(LEGACY_KEY);
    if (raw === undefined) {
      return;
    }
    if (!Array.isArray(raw)) {
      unreadable.push({ key: LEGACY_KEY, what: 'the operations journal', reason: `it is not a list (${typeName(raw)})` });
      void this.setAside(LEGACY_KEY, raw, 'not a list');
      return;
    }
    raw.forEach((item, i) => {
      const problem = recordProblem(item);
      if (problem) {
        unreadable.push({ key: `${LEGACY_KEY}[${i}]`, what: describeRaw(item, `entry ${i + 1}`), reason: problem });
        void this.appendAside(`${LEGACY_KEY}[${i}]`, item, problem);
      } else if (!this.running.has((item as OperationRecord).id)) {
        this.adopt(item as OperationRecord);
      }
    });
    void this.store.update(LEGACY_KEY, undefined);
  }

  /** Claims an abandoned entry, and follows it if the claim still holds after `settleMs`. */
  private claim(entry: JournalEntry): void {
    const id = entry.record.id;
    const claimedAt = Date.now();
    void this.write(entry.record, claimedAt);
    this.host.log(`Claiming ${entry.record.title}: the window that followed it is gone.`);
    this.claims.set(
      id,
      setTimeout(() => {
        this.claims.delete(id);
        if (this.disposed) {
          return;
        }
        const now = this.storedEntry(id);
        if (now && !now.ended && now.owner === this.identity.owner) {
          this.adopt(now.record);
          this.host.changed();
        } else {
          this.beats.delete(id);
          this.host.log(`${entry.record.title}: another window follows it.`);
        }
      }, this.options.settleMs),
    );
  }

  private adopt(record: OperationRecord): void {
    this.follow({ record, delay: this.options.initialDelayMs, polls: 0 }, 0);
    void this.write(record);
    this.startHeartbeat();
  }

  /** The stored entry of an operation; undefined when the key is empty or unreadable. */
  private storedEntry(id: string): JournalEntry | undefined {
    const stored = readEntry(this.store.get(entryKey(id)));
    return typeof stored === 'string' ? undefined : stored;
  }

  /** Writes this window's live entry for a record (renewing the lease). */
  private write(record: OperationRecord, at = Date.now()): Promise<void> {
    this.beats.set(record.id, at);
    return this.put(record.id, { record, owner: this.identity.owner, home: this.identity.home, heartbeatAt: at });
  }

  private async put(id: string, entry: JournalEntry): Promise<void> {
    await this.store.update(entryKey(id), entry);
  }

  /** Ends an operation for the journal: a tombstone, re-asserted by this window until it expires. */
  private async end(record: OperationRecord, outcome: EndOutcome): Promise<void> {
    const now = Date.now();
    const tomb: JournalEntry = { record, owner: this.identity.owner, home: this.identity.home, heartbeatAt: now, ended: { at: now, outcome } };
    this.ends.set(record.id, tomb);
    try {
      await this.put(record.id, tomb);
    } catch (e) {
      // The heartbeat writes it again.
      this.host.log(`Could not update the operations journal: ${errorText(e)}`);
    }
  }

  private async setAside(key: string, raw: unknown, reason: string): Promise<void> {
    await this.appendAside(key, raw, reason);
    await this.store.update(key, undefined);
  }

  private async appendAside(key: string, raw: unknown, reason: string): Promise<void> {
    const previous = this.store.get(SET_ASIDE_KEY);
    const list = Array.isArray(previous) ? previous : previous === undefined ? [] : [{ key: SET_ASIDE_KEY, value: previous, reason: 'not a list' }];
    list.push({ key, value: raw, reason, at: new Date().toISOString() });
    await this.store.update(SET_ASIDE_KEY, list.slice(-SET_ASIDE_MAX));
  }

  // --- polling ----------------------------------------------------------------------------------

  private follow(r: Running, delay: number): void {
    this.running.set(r.record.id, r);
    r.timer = setTimeout(() => void this.poll(r), delay);
  }

  private unfollow(r: Running): void {
    clearTimeout(r.timer);
    this.running.delete(r.record.id);
    this.beats.delete(r.record.id);
  }

  /** Still ours to act on: followed here, and no other window ended or took it meanwhile. */
  private stillOurs(r: Running): boolean {
    if (this.disposed || this.running.get(r.record.id) !== r) {
      return false;
    }
    const stored = this.storedEntry(r.record.id);
    if (!stored) {
      // Unreadable or missing (a reverted copy): ours to write again.
      return true;
    }
    return !stored.ended && !this.takenOver(stored);
  }

  /**
   * Another window took the entry over: it names another owner, renewed after this window last
   * renewed it. (A reverted copy naming the window that followed it before carries an older
   * heartbeat: this window writes its own entry again instead.)
   */
  private takenOver(stored: JournalEntry): boolean {
    return stored.owner !== this.identity.owner && stored.owner !== '' && stored.heartbeatAt > (this.beats.get(stored.record.id) ?? 0);
  }

  private async poll(r: Running): Promise<void> {
    if (this.disposed || this.running.get(r.record.id) !== r) {
      return;
    }
    r.polls++;
    let status: OperationStatus;
    try {
      const adapter = await this.host.adapterFor(r.record.accountId);
      if (!adapter) {
        this.giveUp(r, 'its account is not configured in this window');
        return;
      }
      status = await adapter.pollOperation(r.record);
      r.lastError = undefined;
    } catch (e) {
      // Retried, whatever it was: the adapter bounds polls that answer but cannot decide
      // (model/polls.ts) by ending the operation `undecided`.
      r.lastError = errorText(e);
      const kind = isCloudError(e) ? e.kind : 'unknown';
      this.host.log(`Poll of ${r.record.title} failed (${kind}): ${r.lastError}; retrying.`);
      r.delay = Math.min(this.options.maxDelayMs, r.delay * this.options.backoff);
      this.host.changed();
      this.reschedule(r);
      return;
    }
    if (!this.stillOurs(r)) {
      // Dismissed or ended in another window, or taken over by one, while the poll was in flight:
      // not ours to write or announce.
      this.unfollow(r);
      this.host.log(`${r.record.title}: ended or followed elsewhere; no longer followed here.`);
      this.host.changed();
      return;
    }
    if (status.done && status.undecided) {
      this.giveUp(r, status.message ?? 'polling could not tell how it ended');
      return;
    }
    if (status.done) {
      this.unfollow(r);
      await this.end(r.record, status.failed ? 'failed' : 'done');
      if (this.disposed) {
        return;
      }
      this.host.log(`${status.failed ? 'Failed' : 'Done'}: ${r.record.title}${status.message ? ` — ${status.message}` : ''}`);
      this.host.finished(r.record, status);
      this.host.changed();
      return;
    }
    const progressed = status.progress !== undefined && status.progress !== r.record.progress;
    if (progressed) {
      r.record = { ...r.record, progress: status.progress };
      this.write(r.record).catch((e: unknown) => this.host.log(`Could not update the operations journal: ${errorText(e)}`));
      this.host.changed();
    }
    // Back off while nothing moves; while progress moves hold the pace so the bar stays live.
    if (!progressed) {
      r.delay = Math.min(this.options.maxDelayMs, r.delay * this.options.backoff);
    }
    this.reschedule(r);
  }

  /** Stops following an operation that cannot be polled; not a failure: the cloud may go on. */
  private giveUp(r: Running, reason: string): void {
    this.unfollow(r);
    this.host.log(`No longer following ${r.record.title}: ${reason}. The operation itself may still run in the cloud.`);
    void this.end(r.record, 'unfollowable');
    this.host.stopped(r.record, reason);
    this.host.changed();
  }

  private reschedule(r: Running): void {
    if (!this.disposed && this.running.get(r.record.id) === r) {
      r.timer = setTimeout(() => void this.poll(r), r.delay);
    }
  }
}

function entryKey(id: string): string {
  return `${ENTRY_PREFIX}${id}`;
}

/** What is wrong with a journaled record, or undefined when it is well formed. */
export function recordProblem(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    return `not a record (${typeName(r)})`;
  }
  const o = r as Record<string, unknown>;
  for (const k of ['id', 'accountId', 'kind', 'title', 'scopeId', 'resourceId'] as const) {
    if (typeof o[k] !== 'string' || o[k] === '') {
      return `${k} is ${o[k] === undefined ? 'missing' : `not a text (${typeName(o[k])})`}`;
    }
  }
  if (typeof o.startedAt !== 'number' || !Number.isFinite(o.startedAt)) {
    return `startedAt is not a time (${typeName(o.startedAt)})`;
  }
  if (!Array.isArray(o.refreshScopeIds) || o.refreshScopeIds.some((s) => typeof s !== 'string')) {
    return 'refreshScopeIds is not a list of texts';
  }
  for (const k of ['revealId', 'data'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') {
      return `${k} is not a text (${typeName(o[k])})`;
    }
  }
  if (o.progress !== undefined && (typeof o.progress !== 'number' || !Number.isFinite(o.progress))) {
    return `progress is not a number (${typeName(o.progress)})`;
  }
  return undefined;
}

/** A journal entry read back, or what is wrong with it (undefined when the key holds nothing). */
export function readEntry(raw: unknown): JournalEntry | string | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `not an entry (${typeName(raw)})`;
  }
  const o = raw as Record<string, unknown>;
  const problem = recordProblem(o.record);
  if (problem) {
    return `its operation: ${problem}`;
  }
  if (typeof o.owner !== 'string' || typeof o.home !== 'string' || typeof o.heartbeatAt !== 'number') {
    return 'owner, home or heartbeat missing';
  }
  if (o.ended !== undefined) {
    const e = o.ended as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e.at !== 'number' || typeof e.outcome !== 'string') {
      return 'its end is unreadable';
    }
  }
  return raw as JournalEntry;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
}

/** A short name for something unreadable: its title when it has one. */
function describeRaw(raw: unknown, fallback: string): string {
  const o = raw as { title?: unknown; record?: { title?: unknown } } | null;
  const title = typeof o === 'object' && o !== null ? (typeof o.title === 'string' ? o.title : typeof o.record?.title === 'string' ? o.record.title : undefined) : undefined;
  return title ? `"${title.length > 80 ? `${title.slice(0, 80)}…` : title}"` : fallback;
}
