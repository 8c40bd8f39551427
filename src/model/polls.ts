/**
 * The one bound on operations that polling cannot decide. A poll that answers, but with
 * something that cannot decide the operation — a state word the adapter does not know, an answer
 * it cannot read (`malformed`), an operation kind or saved state it cannot read or resume
 * (`invalid`), or the adapter's own code failing on the record (a TypeError on a field of the
 * wrong shape, a SyntaxError parsing its data) — is counted per operation; after
 * UNDECIDABLE_POLL_LIMIT in a row the operation ends `undecided`, naming what was seen, instead
 * of being polled for ever. Polls that got no answer (throttling, 5xx, a dropped connection,
 * expired credentials) are neither counted nor break the row: the tracker retries them with
 * back-off while the cloud recovers, and throttling between two undecidable answers must not keep
 * an operation followed for ever.
 *
 * Why here, in every adapter's poll, and not in the tracker (core/tracker.ts), which used to keep
 * a second count (3 in a row, for `invalid` and code errors only, while this one took 6 `malformed`
 * answers — two limits, two outcomes for one situation): the adapter contract promises that
 * polling an operation ends — every client of an adapter (the tracker, the contract suites, the
 * fault battery, a CLI one day) gets an end without keeping its own count. Some ends can only come
 * from persistence: an Azure Location monitor that keeps answering 5xx with an error body is an
 * LRO that failed, but one such answer is indistinguishable from a passing 5xx. The tracker only
 * reads the outcome (`undecided`: stop following, not announced as a failure).
 */
import { errorText, isCloudError } from './errors';
import type { OperationStatus } from './types';

/** Consecutive undecidable polls after which an operation ends undecided (with back-off: about half a minute). */
export const UNDECIDABLE_POLL_LIMIT = 6;

/** A poll error that answered but cannot decide the operation (see above); the rest got no answer. */
export function isUndecidable(e: unknown): boolean {
  if (isCloudError(e)) {
    return e.kind === 'malformed' || e.kind === 'invalid';
  }
  return e instanceof TypeError || e instanceof SyntaxError || e instanceof RangeError || e instanceof ReferenceError;
}

export class UndecidablePolls {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit = UNDECIDABLE_POLL_LIMIT) {}

  /**
   * Runs one poll of operation `opId`. An undecidable error is counted: below the limit it is
   * rethrown (poll again), at the limit the operation ends undecided. Any answer resets the
   * count; errors without an answer pass through untouched (not counted, not resetting).
   */
  async guard(opId: string, poll: () => Promise<OperationStatus>): Promise<OperationStatus> {
    let status: OperationStatus;
    try {
      status = await poll();
    } catch (e) {
      if (!isUndecidable(e)) {
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
        undecided: true,
        message: `Could not tell how this ended: ${n} polls in a row got ${errorText(e)}. Check the resource in the cloud's console.`,
      };
    }
    this.counts.delete(opId);
    return status;
  }
}
