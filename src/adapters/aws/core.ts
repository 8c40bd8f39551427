/**
 * What the adapter's parts (inventory, plans, actions, operations) share: sending EC2 commands
 * with translated errors, settings, the log, and the caches the adapter keeps per region.
 */
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-ec2';
import type { AccountConfig } from '../../model/types';
import type { CloudError } from '../../model/errors';
import type { UndecidablePolls } from '../../model/polls';
import type { Ec2Command, SendOptions } from './clients';
import type { SandboxInfo } from './sandbox';

export interface AwsCore {
  readonly account: AccountConfig;
  /** Present only for the sandbox account. */
  readonly sandbox?: SandboxInfo;
  /** Sends a command; rejects with a CloudError (or the AbortError when `signal` fired). */
  send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    region: string,
    command: Ec2Command<I, O>,
    opts?: SendOptions,
  ): Promise<O>;
  /**
   * Translates anything thrown into a CloudError. `attempts` overrides the count the SDK reports
   * (for the adapter's own retries of creates).
   */
  translate(e: unknown, attempts?: number): Promise<CloudError>;
  setting<T>(key: string, fallback: T): T;
  log(line: string): void;
  /** snapshot id → the volume it was taken from (`null`: unknown / none), per region. */
  snapshotVolumes(region: string): Map<string, string | null>;
  /** Milliseconds to wait before the n-th retry (1-based) of a create. */
  retryDelay(attempt: number): number;
  /** Operations whose polls keep answering what cannot decide them (bounded). */
  readonly polls: UndecidablePolls;
}
