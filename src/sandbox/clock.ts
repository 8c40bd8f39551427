/**
 * The sandbox's clock: the real clock (or a test's) plus an offset that only moves forward. The
 * "advance the clock" control moves it, so a policy the clouds run on their own (a lifecycle
 * policy, a snapshot schedule, a backup policy) can be watched taking its snapshots and its
 * retention deleting the oldest, days of schedule in a moment. The offset is kept in the state
 * file: the sandbox's time never goes back when it is restarted.
 */

export class SandboxClock {
  private offset: number;

  constructor(
    private readonly base: () => number = Date.now,
    offsetMs = 0,
  ) {
    this.offset = Number.isFinite(offsetMs) && offsetMs > 0 ? offsetMs : 0;
  }

  /** ms since the epoch, as the sandbox's clouds see it. */
  readonly now = (): number => this.base() + this.offset;

  /** How far the sandbox's time is ahead of the real (or test) clock, in ms. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the sandbox's time forward by `ms` (> 0, at most a year at once). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_ADVANCE_MS) {
      throw new TypeError(`The clock moves forward only, by more than 0 ms and at most ${MAX_ADVANCE_MS} ms (366 days) at once.`);
    }
    this.offset += ms;
  }
}

export const MAX_ADVANCE_MS = 366 * 24 * 3600 * 1000;

/** How far a control request asks to move the clock: `{ ms }`, `{ minutes }`, `{ hours }` or `{ days }` (one of them). */
export function advanceOf(input: unknown): number {
  const body = (input ?? {}) as Record<string, unknown>;
  const units: [string, number][] = [
    ['ms', 1],
    ['minutes', 60_000],
    ['hours', 3_600_000],
    ['days', 86_400_000],
  ];
  const given = units.filter(([name]) => body[name] !== undefined);
  if (given.length !== 1) {
    throw new TypeError('Give exactly one of "ms", "minutes", "hours" or "days" (a number > 0).');
  }
  const [name, factor] = given[0];
  const value = body[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a number > 0`);
  }
  return Math.round(value * factor);
}
