import { randomUUID } from 'node:crypto';
import type { CloudAdapter } from '../model/adapter';
import { errorText, isCloudError } from '../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../model/types';

/** Where running operations are kept so they survive a window reload. */
export interface Journal {
  load(): OperationRecord[];
  save(records: OperationRecord[]): Promise<void>;
}

/** What the tracker needs from its surroundings; vscode-free so it runs in plain Node tests. */
export interface TrackerHost {
  /** The adapter of an account, or undefined when the account was removed. */
  adapterFor(accountId: string): Promise<CloudAdapter | undefined>;
  /** An operation finished (done or failed). */
  finished(record: OperationRecord, status: OperationStatus): void;
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
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = { initialDelayMs: 1500, backoff: 1.5, maxDelayMs: 20_000 };

interface Running {
  record: OperationRecord;
  delay: number;
  timer?: NodeJS.Timeout;
  lastError?: string;
  polls: number;
}

/**
 * The one place long operations are followed: it polls each through its adapter with back-off,
 * keeps a journal of the running ones, and tells the host when one progresses or ends. A poll
 * that throws (throttling, network, expired credentials) never drops the operation: it is
 * retried at the back-off delay and the error is shown as the operation's last error.
 */
export class OperationTracker {
  private readonly running = new Map<string, Running>();
  private disposed = false;

  constructor(
    private readonly journal: Journal,
    private readonly host: TrackerHost,
    private readonly options: TrackerOptions = DEFAULT_TRACKER_OPTIONS,
  ) {}

  /** Picks up what the journal says was running (after a reload). Returns how many. */
  resume(): number {
    let n = 0;
    for (const record of this.journal.load()) {
      if (!this.running.has(record.id)) {
        this.schedule({ record, delay: this.options.initialDelayMs, polls: 0 }, 0);
        n++;
      }
    }
    if (n > 0) {
      this.host.log(`Resumed ${n} operation(s) from the journal.`);
      this.host.changed();
    }
    return n;
  }

  /** Starts following operations an action returned. */
  async track(accountId: string, starts: OperationStart[]): Promise<OperationRecord[]> {
    const records = starts.map((s) => ({ ...s, id: randomUUID(), accountId, startedAt: Date.now() }));
    for (const record of records) {
      this.schedule({ record, delay: this.options.initialDelayMs, polls: 0 }, this.options.initialDelayMs);
      this.host.log(`Tracking: ${record.title} (${record.kind} ${record.resourceId} in ${record.scopeId})`);
    }
    await this.persist();
    this.host.changed();
    return records;
  }

  /** Operations still running, oldest first. */
  list(): (OperationRecord & { lastError?: string })[] {
    return [...this.running.values()].map((r) => ({ ...r.record, lastError: r.lastError }));
  }

  /** Stops following the operations of an account (it was removed). They stay in the cloud. */
  async forgetAccount(accountId: string): Promise<void> {
    for (const [id, r] of this.running) {
      if (r.record.accountId === accountId) {
        clearTimeout(r.timer);
        this.running.delete(id);
      }
    }
    await this.persist();
    this.host.changed();
  }

  dispose(): void {
    this.disposed = true;
    for (const r of this.running.values()) {
      clearTimeout(r.timer);
    }
    // The journal keeps them: the next activation resumes.
    this.running.clear();
  }

  private schedule(r: Running, delay: number): void {
    this.running.set(r.record.id, r);
    r.timer = setTimeout(() => void this.poll(r), delay);
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
        // The account is gone: nothing can follow it any more.
        status = { done: true, failed: true, message: 'The account was removed.' };
      } else {
        status = await adapter.pollOperation(r.record);
      }
      r.lastError = undefined;
    } catch (e) {
      r.lastError = errorText(e);
      const kind = isCloudError(e) ? e.kind : 'unknown';
      this.host.log(`Poll of ${r.record.title} failed (${kind}): ${r.lastError}; retrying.`);
      r.delay = Math.min(this.options.maxDelayMs, r.delay * this.options.backoff);
      this.host.changed();
      this.reschedule(r);
      return;
    }
    if (status.done) {
      this.running.delete(r.record.id);
      try {
        await this.persist();
      } catch (e) {
        // The operation is over either way: still announce it; the next save corrects the journal.
        this.host.log(`Could not update the operations journal: ${errorText(e)}`);
      }
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
      this.persist().catch((e: unknown) => this.host.log(`Could not update the operations journal: ${errorText(e)}`));
      this.host.changed();
    }
    // Back off while nothing moves; while progress moves hold the pace so the bar stays live.
    if (!progressed) {
      r.delay = Math.min(this.options.maxDelayMs, r.delay * this.options.backoff);
    }
    this.reschedule(r);
  }

  private reschedule(r: Running): void {
    if (!this.disposed && this.running.get(r.record.id) === r) {
      r.timer = setTimeout(() => void this.poll(r), r.delay);
    }
  }

  private persist(): Promise<void> {
    return this.journal.save([...this.running.values()].map((r) => r.record));
  }
}

/** Journal entries read back from storage, keeping only well-formed ones. */
export function validRecords(raw: unknown): OperationRecord[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  return raw.filter(
    (r): r is OperationRecord =>
      typeof r === 'object' &&
      r !== null &&
      typeof r.id === 'string' &&
      typeof r.accountId === 'string' &&
      typeof r.kind === 'string' &&
      typeof r.title === 'string' &&
      typeof r.scopeId === 'string' &&
      typeof r.resourceId === 'string' &&
      typeof r.startedAt === 'number' &&
      Array.isArray(r.refreshScopeIds),
  );
}
