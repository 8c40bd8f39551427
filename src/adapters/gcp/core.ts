/** What the adapter's parts (scopes, inventory, plans, actions, operations) share. */
import type { CloudError } from '../../model/errors';
import type { UndecidablePolls } from '../../model/polls';
import type { AccountConfig } from '../../model/types';
import type { GcpApi } from './api';
import type { GcpSandboxInfo } from './sandbox';

export interface CallOptions {
  signal?: AbortSignal;
  /** Named in messages (the API-disabled link). */
  project?: string;
}

export interface GcpCore {
  readonly account: AccountConfig;
  readonly sandbox?: GcpSandboxInfo;
  /**
   * Runs one API call: bounded by the Limiter, 429/503/connection failures retried a bounded
   * number of times with back-off (mutations keep their requestId, so a retry is safe), errors
   * translated to CloudError (an abort passes through).
   */
  call<T>(fn: (api: GcpApi) => Promise<T>, opts?: CallOptions): Promise<T>;
  translate(e: unknown, project?: string): CloudError;
  setting<T>(key: string, fallback: T): T;
  log(line: string): void;
  /** Operations whose polls keep answering what cannot decide them (bounded). */
  readonly polls: UndecidablePolls;
  /** Forgets the cached listing of a project (after an action or an operation's end). */
  invalidate(project: string): void;
}
