/**
 * Several listings that stand or fall together under a caller's AbortSignal: they run on an
 * inner signal that follows the caller's, the first failure stops the others, and when the
 * caller aborted, its reason wins over the errors that the abort caused.
 */
export interface LinkedAbort {
  /** What the listings run on. */
  readonly signal: AbortSignal;
  /** Awaits them all (as Promise.all); stops the rest at the first failure. Call once. */
  all<T extends readonly unknown[] | []>(values: T): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }>;
}

export function linkedAbort(outer: AbortSignal): LinkedAbort {
  const inner = new AbortController();
  const onAbort = (): void => inner.abort(outer.reason);
  outer.addEventListener('abort', onAbort, { once: true });
  if (outer.aborted) {
    inner.abort(outer.reason);
  }
  return {
    signal: inner.signal,
    async all(values) {
      try {
        return await Promise.all(values);
      } catch (e) {
        inner.abort(e);
        if (outer.aborted) {
          throw outer.reason ?? e;
        }
        throw e;
      } finally {
        outer.removeEventListener('abort', onAbort);
      }
    },
  };
}
