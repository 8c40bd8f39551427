/** What the CloudStack adapter's parts (inventory, plans, actions, operations) share of it. */
import type { UndecidablePolls } from '../../model/polls';
import type { Scope } from '../../model/types';
import type { CloudStackApi } from './api';
import type { AccountInventory } from './inventory';
import type { CsSandboxInfo } from './sandbox';

export interface CsCore {
  /** The connected client (connected once, on first use). */
  api(): Promise<CloudStackApi>;
  log(line: string): void;
  readonly polls: UndecidablePolls;
  /** The sandbox's connection details, for a sandbox account only. */
  readonly sandbox?: CsSandboxInfo;
  /** The account's shared listing (reused for a few seconds). */
  inventory(signal?: AbortSignal): Promise<AccountInventory>;
  /** Forgets the shared listing (after an action or an operation end). */
  invalidate(): void;
  /** CloudStack's version as last listed (`4.19.0.0`), when known. */
  readonly version?: string;
  /** The zones as last listed. */
  readonly zones: Scope[];
  /**
   * The job of a multi-step operation's later step, by operation id, while this adapter runs.
   * Not journaled: after a reload the step is found again from the cloud (operations.ts).
   */
  readonly steps: Map<string, string>;
  /**
   * Templates this adapter started from a snapshot: template id → snapshot id (CloudStack's
   * template answers do not name their snapshot), so Delete Snapshot can refuse while one is made.
   */
  readonly templateSources: Map<string, string>;
}
