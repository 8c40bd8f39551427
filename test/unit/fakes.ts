// Test doubles shared by the unit suites.
import * as assert from 'node:assert/strict';
import { DEFAULT_TRACKER_OPTIONS } from '../../src/core/tracker';
import type { CloudAdapter } from '../../src/model/adapter';
import { isCloudError } from '../../src/model/errors';
import type { AccountConfig } from '../../src/model/types';

export const fakeAccount: AccountConfig = { id: 'acc-1', cloud: 'aws', label: 'test', settings: {} };

/** A scripted adapter: what the test gives overrides a do-nothing default. */
export function fakeAdapter(over: Partial<CloudAdapter>, account: AccountConfig = fakeAccount): CloudAdapter {
  const base: CloudAdapter = {
    cloud: account.cloud,
    account,
    listScopes: async () => [],
    listInventory: async () => undefined,
    actionsFor: () => [],
    plan: async () => ({ fields: [] }),
    execute: async () => ({ operations: [], refreshScopeIds: [] }),
    pollOperation: async () => ({ done: true }),
    dispose: () => undefined,
  };
  return { ...base, ...over };
}

/**
 * Polls an operation more times than the tracker tolerates undecidable answers in a row: every
 * poll must reject with a `malformed` CloudError whose message matches `match`. An adapter never
 * turns such answers into an outcome of its own; core/tracker.ts bounds the row, for every cloud.
 */
export async function assertUndecidable(poll: () => Promise<unknown>, match: RegExp): Promise<void> {
  for (let i = 0; i <= DEFAULT_TRACKER_OPTIONS.giveUpAfter; i++) {
    await assert.rejects(poll(), (e: unknown) => {
      assert.ok(isCloudError(e) && e.kind === 'malformed', `poll ${i + 1}: expected a malformed CloudError, got ${String(e)}`);
      assert.match(e.message, match);
      return true;
    });
  }
}
