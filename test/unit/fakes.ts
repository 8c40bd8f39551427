// Test doubles shared by the unit suites (the nouns also by the extension-host specs).
import assert from 'node:assert/strict';
import type { CloudAdapter, CloudNouns } from '../../src/model/adapter';
import { isCloudError, type CloudError, type ErrorKind } from '../../src/model/errors';
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

/** A cloud's words unlike any real cloud's, so a test sees where the UI takes them from. */
export const fakeNouns: CloudNouns = { topScope: 'site', leafScope: 'zone', image: 'template' };

/**
 * The words of a cloud with both disk snapshots and VM-wide restore points that its users mix up
 * (as CloudStack's volume snapshots and VM snapshots), with its sentences on what each is for.
 * Shorter than CloudStack's own sentences, so a test sees they come from the nouns it was given.
 */
export const twoKindNouns: CloudNouns = {
  topScope: 'zone',
  leafScope: 'zone',
  image: 'template',
  disk: 'volume',
  snapshot: 'volume snapshot',
  restorePoint: 'VM snapshot',
  about: {
    snapshot: 'A volume snapshot copies one volume to secondary storage: durable, and it can become a template or a new volume.',
    restorePoint: 'A VM snapshot captures the whole VM on primary storage, optionally with its memory, for a quick rollback; it cannot become a template.',
  },
};

/** The words the chain panel is sent for a cloud speaking `twoKindNouns`. */
export const twoKindChainWords = {
  disk: 'volume',
  snapshot: 'volume snapshot',
  restorePoint: 'VM snapshot',
  aboutSnapshot: twoKindNouns.about?.snapshot,
  aboutRestorePoint: twoKindNouns.about?.restorePoint,
};

/** The CloudError `p` fails with; the test fails when `p` succeeds or fails with anything else. */
export async function failure(p: Promise<unknown>): Promise<CloudError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isCloudError(e), `not a CloudError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

/** `e` is of `kind`, its message matching `message` when given. */
export function assertKind(e: CloudError, kind: ErrorKind, message?: RegExp): void {
  assert.equal(e.kind, kind, `expected ${kind}, got ${e.kind}: ${e.message}`);
  if (message) {
    assert.match(e.message, message);
  }
}
