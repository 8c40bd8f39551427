/**
 * Retrying creates that have no ClientToken in the EC2 API (CreateSnapshot, CreateSnapshots,
 * CopySnapshot, CreateImage, RegisterImage) without ever making a duplicate.
 *
 * Each create carries a tag `snapkeeper:client-token=<uuid>` through its TagSpecification, so the
 * resource is tagged atomically with its creation. The request is sent once by a client with
 * maxAttempts 1. After an ambiguous failure (connection dropped, 5xx, throttling, unreadable
 * answer) the adapter waits, then looks for a resource carrying that token
 * (DescribeSnapshots/DescribeImages with `tag:snapkeeper:client-token`) and adopts it; only
 * when none exists does it send the create again. A failed lookup stops the retries: without
 * proof that nothing was made, a second create could be a duplicate.
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

/** Runs `op` with at most `aws.maxAttempts` creates, adopting an earlier attempt's result. */
export async function createWithToken<T>(core: AwsCore, op: TokenCreate<T>): Promise<T> {
  const max = Math.max(1, Math.floor(core.setting<number>('aws.maxAttempts', 3)));
  let last: CloudError | undefined;
  // attempt max + 1 only looks for the result of the last create; it never sends another.
  for (let attempt = 1; attempt <= max + 1; attempt++) {
    if (last) {
      await sleep(core.retryDelay(attempt - 1));
      let found: T | undefined;
      try {
        found = await op.adopt();
      } catch (e) {
        const lookup = await core.translate(e);
        core.log(`AWS ${op.what}: could not check for an earlier attempt (${lookup.display}); not retrying`);
        throw last;
      }
      if (found !== undefined) {
        core.log(`AWS ${op.what}: adopted the result of an earlier attempt`);
        return found;
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
