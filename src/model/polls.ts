/**
 * Bounds a tracked operation whose polls keep answering what cannot decide it — a state word the
 * adapter does not know, or an answer it cannot read (both thrown by adapters as a `malformed`
 * CloudError) — so it ends with a failure naming what was seen instead of being polled for ever.
 * Transient failures (throttling, 5xx, a dropped connection) are not counted: they pass through
 * and the tracker retries them with back-off while the cloud recovers.
 */
import { isCloudError } from './errors';
import type { OperationStatus } from './types';

/** Consecutive undecidable polls after which an operation is given up (with back-off: minutes). */
export const UNDECIDABLE_POLL_LIMIT = 6;

export class UndecidablePolls {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit = UNDECIDABLE_POLL_LIMIT) {}

  /**
   * Runs one poll of operation `opId`. A `malformed` error is counted: below the limit it is
   * rethrown (poll again), at the limit it becomes the operation's failure. Any answer resets the
   * count; other errors pass through untouched.
   */
  async guard(opId: string, poll: () => Promise<OperationStatus>): Promise<OperationStatus> {
    let status: OperationStatus;
    try {
      status = await poll();
    } catch (e) {
      if (!isCloudError(e) || e.kind !== 'malformed') {
        throw e;
      }
      const n = (this.counts.get(opId) ?? 0) + 1;
      if (n < this.limit) {
        this.counts.set(opId, n);
        throw e;
      }
      this.counts.delete(opId);
      return {
        done: true,
        failed: true,
        message: `Could not tell how this ended: ${n} polls in a row got ${e.display}. Check the resource in the cloud's console.`,
      };
    }
    this.counts.delete(opId);
    return status;
  }
}
