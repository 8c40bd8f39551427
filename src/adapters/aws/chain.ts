/**
 * What each EBS snapshot of a chain really stores, through the EBS direct APIs: the first
 * snapshot's blocks with ListSnapshotBlocks, each later one's with ListChangedBlocks against its
 * predecessor (blocks with a SecondBlockToken are stored by the later snapshot; those without
 * were zeroed). Paged, a few pairs at a time (under the adapter's limiter), cached per pair:
 * completed snapshots never change.
 */
import { ListChangedBlocksCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import type { ChainFacts, ChainLink, SnapshotFacts } from '../../model/chain';
import type { Snapshot } from '../../model/types';
import type { Ec2Pool } from './clients';

/** Pairs compared at once (each is a chain of pages). */
const PAIRS_AT_ONCE = 6;
const PAGE = 10_000;
/** How often partial figures are reported while a long chain is fetched. */
const PROGRESS_MS = 500;

export const EBS_SOURCE =
  'EBS direct APIs: ListChangedBlocks between neighbouring snapshots (ListSnapshotBlocks for the first) × the block size';

interface PairBlocks {
  own: number[];
  zeroed: number[];
  blockSize: number;
}

export class EbsChainFacts {
  private readonly cache = new Map<string, Promise<PairBlocks>>();

  constructor(
    private readonly pool: () => Promise<Ec2Pool>,
    private readonly log: (line: string) => void,
  ) {}

  async facts(links: ChainLink[], signal: AbortSignal, progress?: (partial: ChainFacts) => void): Promise<ChainFacts> {
    const out: Record<string, SnapshotFacts> = {};
    // Newest first: the snapshots a user acts on are usually the recent ones.
    const queue = [...links].reverse();
    let lastReport = Date.now();
    const worker = async (): Promise<void> => {
      for (let link = queue.shift(); link && !signal.aborted; link = queue.shift()) {
        out[link.snapshot.id] = await this.one(link, signal);
        if (progress && queue.length > 0 && Date.now() - lastReport >= PROGRESS_MS) {
          lastReport = Date.now();
          progress({ snapshots: { ...out }, source: EBS_SOURCE });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PAIRS_AT_ONCE, links.length) }, worker));
    return { snapshots: out, source: EBS_SOURCE };
  }

  private async one({ snapshot, previous }: ChainLink, signal: AbortSignal): Promise<SnapshotFacts> {
    const blocked = unreadable(snapshot);
    if (blocked) {
      return { unavailable: blocked };
    }
    if (previous) {
      const prevBlocked = unreadable(previous);
      if (prevBlocked || previous.scopeId !== snapshot.scopeId) {
        return {
          unavailable: `its predecessor ${previous.id} cannot be compared with it (${prevBlocked ?? 'in another region'})`,
        };
      }
    }
    const key = `${snapshot.scopeId}:${previous?.id ?? '-'}>${snapshot.id}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetch(snapshot, previous, signal);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    try {
      const r = await p;
      return {
        ownBlocks: r.own,
        zeroedBlocks: r.zeroed,
        blockSize: r.blockSize,
        note: previous ? `blocks changed since ${previous.id}` : 'every block of the first snapshot',
      };
    } catch (e) {
      if (signal.aborted) {
        return { unavailable: 'cancelled' };
      }
      const reason = ebsErrorText(e);
      this.log(`EBS direct APIs: no figure for ${snapshot.id}: ${reason}`);
      return { unavailable: reason };
    }
  }

  private async fetch(snapshot: Snapshot, previous: Snapshot | undefined, signal: AbortSignal): Promise<PairBlocks> {
    const pool = await this.pool();
    const region = snapshot.scopeId;
    const own: number[] = [];
    const zeroed: number[] = [];
    let blockSize = 0;
    let token: string | undefined;
    do {
      if (previous) {
        const page = await pool.sendEbs(region, (c) =>
          c.send(
            new ListChangedBlocksCommand({ FirstSnapshotId: previous.id, SecondSnapshotId: snapshot.id, MaxResults: PAGE, NextToken: token }),
            { abortSignal: signal },
          ),
        );
        for (const b of page.ChangedBlocks ?? []) {
          if (b.BlockIndex !== undefined) {
            (b.SecondBlockToken ? own : zeroed).push(b.BlockIndex);
          }
        }
        blockSize = page.BlockSize ?? blockSize;
        token = page.NextToken;
      } else {
        const page = await pool.sendEbs(region, (c) =>
          c.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshot.id, MaxResults: PAGE, NextToken: token }), { abortSignal: signal }),
        );
        for (const b of page.Blocks ?? []) {
          if (b.BlockIndex !== undefined) {
            own.push(b.BlockIndex);
          }
        }
        blockSize = page.BlockSize ?? blockSize;
        token = page.NextToken;
      }
    } while (token && !signal.aborted);
    if (!blockSize) {
      blockSize = 512 * 1024; // the EBS direct APIs' only block size
    }
    return { own, zeroed, blockSize };
  }
}

/** Why the EBS direct APIs cannot read a snapshot, or undefined when they can. */
function unreadable(s: Snapshot): string | undefined {
  if (s.phase === 'pending') {
    return 'not completed yet';
  }
  if (s.phase !== 'ready') {
    return `state ${s.state}`;
  }
  if (s.storageTier && s.storageTier.toLowerCase() === 'archive') {
    return 'archived: the EBS direct APIs cannot read snapshots in the archive tier (restore it to the standard tier to see its blocks)';
  }
  return undefined;
}

/** A short reason from an EBS direct APIs error (never a credential). */
export function ebsErrorText(e: unknown): string {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: string; message?: string; Reason?: string };
  const name = err.name ?? 'Error';
  const message = (err.message ?? String(e)).split('\n')[0];
  switch (name) {
    case 'AccessDeniedException':
      return `access denied to the EBS direct APIs (ebs:ListChangedBlocks, ebs:ListSnapshotBlocks): ${message}`;
    case 'ResourceNotFoundException':
      return `the EBS direct APIs do not find it: ${message}`;
    case 'RequestThrottledException':
      return `the EBS direct APIs kept throttling: ${message}`;
    case 'ValidationException':
      return `the EBS direct APIs refused: ${message}${err.Reason ? ` (${err.Reason})` : ''}`;
    default:
      return `${name}: ${message}`;
  }
}
