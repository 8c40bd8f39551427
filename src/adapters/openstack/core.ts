/** What the OpenStack adapter's parts (inventory, plans, actions, operations) share of it. */
import type { UndecidablePolls } from '../../model/polls';
import type { OpenStackApi } from './api';
import type { RegionInventory } from './inventory';
import type { OsSandboxInfo } from './sandbox';

export interface OsCore {
  /** The client of a region (one connection, one token, for every region of the account). */
  api(region: string): Promise<OpenStackApi>;
  log(line: string): void;
  readonly polls: UndecidablePolls;
  /** The sandbox's control origin, for a sandbox account only. */
  readonly sandbox?: OsSandboxInfo;
  /** A region's listing (reused for a few seconds). */
  inventory(region: string, signal?: AbortSignal): Promise<RegionInventory>;
  /** Forgets the listings (after an action or an operation end). */
  invalidate(region?: string): void;
}
