/**
 * A bound on concurrent async work (a counting semaphore). Twenty lines here beat an ESM-only
 * dependency that the CommonJS test bundles could not `require` on every Node we support.
 */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) {
      throw new RangeError(`Limiter needs max >= 1, got ${max}`);
    }
  }

  /** Runs `task` once fewer than `max` tasks are running. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      // The finishing task hands its slot straight to us, so `active` never overshoots.
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) {
        next();
      } else {
        this.active--;
      }
    }
  }

  get running(): number {
    return this.active;
  }
}
