// Test doubles shared by the unit suites.
import type { CloudAdapter } from '../../src/model/adapter';
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
