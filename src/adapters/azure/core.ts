/**
 * What the adapter's parts (scopes, inventory, plans, actions, operations) share: the clients,
 * error translation, settings, the log, the memento and the per-subscription listing cache.
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import type { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { TokenCredential } from '@azure/core-auth';
import type { Memento } from '../../model/adapter';
import type { CloudError } from '../../model/errors';
import type { UndecidablePolls } from '../../model/polls';
import type { AccountConfig } from '../../model/types';
import type { AuthInfo } from './errors';
import type { SandboxInfo } from './sandbox';

export interface AzureCore {
  readonly account: AccountConfig;
  /** Present only for the sandbox account. */
  readonly sandbox?: SandboxInfo;
  readonly auth: AuthInfo;
  readonly credential: TokenCredential;
  /** The Compute client of a subscription (throws the CloudError when the account cannot connect). */
  compute(subscriptionId: string): ComputeManagementClient;
  subscriptions(): SubscriptionClient;
  /** The resource groups of a subscription (Resource Groups – List), sorted by name. */
  resourceGroups(subscriptionId: string): Promise<{ name: string; location: string }[]>;
  /** Runs an SDK call; rejects with a CloudError (or the AbortError when aborted). */
  call<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  translate(e: unknown): CloudError;
  setting<T>(key: string, fallback: T): T;
  log(line: string): void;
  readonly memento?: Memento;
  /** Operations whose polls keep answering what cannot decide them (bounded). */
  readonly polls: UndecidablePolls;
  /** Forgets the cached listing of a subscription (after an action or an operation's end). */
  invalidate(subscriptionId: string): void;
}

/** Memento key of the remembered expiry of a snapshot's export. */
export function exportKey(snapshotId: string): string {
  return `azure.exportUntil.${snapshotId.toLowerCase()}`;
}
