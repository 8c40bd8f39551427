/**
 * What every cloud's sandbox state keeps the same way: the clock (injectable, and settable while
 * a seeded history is written), the revision the state file is saved by, the creation sequence
 * that orders listings, and how long a transfer of so many bytes takes.
 */

export const GIB = 1024 * 1024 * 1024;

/** Base of each cloud's state class. */
export class StateKit {
  /** Bumped by every change: the sandbox saves its state file when any cloud's revision moved. */
  revision = 0;
  /** The next creation sequence number (kept in the state file as `nextSeq`). */
  protected nextSeq = 1;
  private readonly clock: () => number;
  /** While seeding: the time operations happen at. */
  private clockOverride: number | undefined;

  constructor(now?: () => number) {
    this.clock = now ?? Date.now;
  }

  now(): number {
    return this.clockOverride ?? this.clock();
  }

  /** Runs `action` as if the clock read `time` (used to seed a history). */
  at<T>(time: number, action: () => T): T {
    const previous = this.clockOverride;
    this.clockOverride = time;
    try {
      return action();
    } finally {
      this.clockOverride = previous;
    }
  }

  /** Records a change. */
  touch(): void {
    this.revision++;
  }

  /** The next creation sequence number. */
  seq(): number {
    return this.nextSeq++;
  }
}

/** The timing of a transfer: a base, a rate per GiB, and a ceiling that never undercuts the base. */
export interface TransferTiming {
  baseMs: number;
  msPerGiB: number;
  maxMs: number;
}

/** `clamp(baseMs + GiB × msPerGiB, baseMs, maxMs)`: how long moving `bytes` takes (ms). */
export function transferMs(bytes: number, timing: TransferTiming): number {
  const raw = timing.baseMs + (bytes / GIB) * timing.msPerGiB;
  return Math.min(Math.max(raw, timing.baseMs), Math.max(timing.maxMs, timing.baseMs));
}
