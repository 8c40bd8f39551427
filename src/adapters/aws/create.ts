/**
 * Retrying creates that have no ClientToken in the EC2 API (CreateSnapshot, CreateSnapshots,
 * CopySnapshot, CreateImage, RegisterImage) without ever making a duplicate.
 *
 * Each create carries a tag `snapkeeper:client-token=<uuid>` through its TagSpecification, so the
 * resource is tagged atomically with its creation. The request is sent once by a client with
 * maxAttempts 1. After an ambiguous failure (connection dropped, 5xx, throttling, unreadable
 * answer) the adapter waits, then looks for a resource carrying that token
 * (DescribeSnapshots/DescribeImages with `tag:snapkeeper:client-token`) and adopts it; only
 * when none exists does it send the create again.
 *
 * EC2 is eventually consistent: a resource made a moment ago may not show in Describe* yet. So
 * "none exists" is concluded only after looking for `aws.consistencyWindowMs` (throttling
 * excepted: EC2 refuses a throttled request before acting on it). A lookup that fails is tried
 * again; when lookups keep failing the create is not sent again — without proof that nothing was
 * made, a second create could be a duplicate — and the create's own error is reported.
 */
import { randomUUID } from 'node:crypto';
import type { CloudError } from '../../model/errors';
import type { Tag } from '../../model/types';
import type { AwsCore } from './core';
import { isAmbiguous, withAttempts } from './errors';

export const CLIENT_TOKEN_TAG = 'snapkeeper:client-token';

export function newClientToken(): { token: string; tag: Tag } {
  const token = randomUUID();
  return { token, tag: { key: CLIENT_TOKEN_TAG, value: token } };
}

/** The DescribeX filter that finds resources created with `token`. */
export function tokenFilter(token: string): { Name: string; Values: string[] } {
  return { Name: `tag:${CLIENT_TOKEN_TAG}`, Values: [token] };
}

export interface TokenCreate<T> {
  /** For the log: e.g. `CreateSnapshot vol-0a1`. */
  what: string;
  /** Sends the create once (with the token tag); resolves with what it made. */
  create: () => Promise<T>;
  /** Finds what a create with this token made, or undefined when nothing carries it. */
  adopt: () => Promise<T | undefined>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long after an ambiguous create a lookup keeps looking before it concludes nothing was made (ms). */
export const DEFAULT_CONSISTENCY_WINDOW_MS = 5_000;
/** Failed lookups in a row (each retried) after which, once the window is over, nothing can be proved. */
const LOOKUP_TRIES = 3;

type Lookup<T> = { found: T } | { none: true } | { unknown: CloudError };

/**
 * Looks for what a create with the token made, until found or `windowMs` has passed. A lookup
 * that fails is tried again; it is given up only after LOOKUP_TRIES failures in a row once the
 * window is over (then nothing can be concluded).
 */
async function lookFor<T>(core: AwsCore, op: TokenCreate<T>, windowMs: number): Promise<Lookup<T>> {
  const deadline = Date.now() + windowMs;
  const step = Math.max(100, Math.min(1000, core.retryDelay(1) / 2));
  let failures = 0;
  for (;;) {
    try {
      const found = await op.adopt();
      if (found !== undefined) {
        return { found };
      }
      failures = 0;
      if (Date.now() >= deadline) {
        return { none: true };
      }
    } catch (e) {
      const lookup = await core.translate(e);
      if (++failures >= LOOKUP_TRIES && Date.now() >= deadline) {
        return { unknown: lookup };
      }
      core.log(`AWS ${op.what}: looking for an earlier attempt failed (${lookup.display}); looking again`);
    }
    await sleep(step);
  }
}

/** Runs `op` with at most `aws.maxAttempts` creates, adopting an earlier attempt's result. */
export async function createWithToken<T>(core: AwsCore, op: TokenCreate<T>): Promise<T> {
  const max = Math.max(1, Math.floor(core.setting<number>('aws.maxAttempts', 3)));
  const window = Math.max(0, core.setting<number>('aws.consistencyWindowMs', DEFAULT_CONSISTENCY_WINDOW_MS));
  let last: CloudError | undefined;
  // attempt max + 1 only looks for the result of the last create; it never sends another.
  for (let attempt = 1; attempt <= max + 1; attempt++) {
    if (last) {
      await sleep(core.retryDelay(attempt - 1));
      const seen = await lookFor(core, op, last.kind === 'throttled' ? 0 : window);
      if ('found' in seen) {
        core.log(`AWS ${op.what}: adopted the result of an earlier attempt`);
        return seen.found;
      }
      if ('unknown' in seen) {
        core.log(`AWS ${op.what}: could not check for an earlier attempt (${seen.unknown.display}); not retrying`);
        throw last;
      }
      if (attempt > max) {
        break;
      }
    }
    try {
      return await op.create();
    } catch (e) {
      const err = withAttempts(await core.translate(e), attempt);
      if (!isAmbiguous(err)) {
        throw err;
      }
      core.log(`AWS ${op.what}: attempt ${attempt} failed (${err.display})`);
      last = err;
    }
  }
  throw last as CloudError;
}

/**
 * Sends a request that is safe to repeat — a create carrying its own idempotency token in the API
 * (CreateReplaceRootVolumeTask's `ClientToken`: EC2 answers a repeat with what the first one
 * made), or a delete (a repeat finds the resource gone, which the caller takes as success) —
 * again after an ambiguous failure the SDK's own retries did not cover (an answer that could not
 * be read, a reset), up to `aws.maxAttempts` times.
 */
export async function sendRepeatable<T>(core: AwsCore, what: string, send: () => Promise<T>): Promise<T> {
  const max = Math.max(1, Math.floor(core.setting<number>('aws.maxAttempts', 3)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const err = await core.translate(e);
      if (!isAmbiguous(err) || attempt >= max) {
        throw err;
      }
      core.log(`AWS ${what}: attempt ${attempt} failed (${err.display}); sending it again`);
      await sleep(core.retryDelay(attempt));
    }
  }
}
