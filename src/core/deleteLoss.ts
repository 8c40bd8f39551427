/**
 * What deleting a snapshot loses, in words, for the confirmation (vscode-free): the chain
 * maths of model/chain.ts over the facts the adapter's `chainFacts` gives (the figures the
 * chain panel shows), asked only for the snapshot and the snapshots incremental against it.
 * Exact where the cloud lets us know the blocks, an upper bound where it reports only totals,
 * and said plainly when nothing is known.
 */
import type { CloudAdapter } from '../model/adapter';
import { buildChain, chainFigures, type Chain, type ChainLink, type DeleteImpact } from '../model/chain';
import type { Resource } from '../model/types';
import { formatBytes } from '../model/units';
import { resourceName } from './chainView';

/** The links whose facts decide what deleting `snapshotId` frees: its own and its children's. */
export function impactLinks(chain: Chain, snapshotId: string): ChainLink[] {
  return chain.links.filter((l) => l.snapshot.id === snapshotId || chain.parentOf.get(l.snapshot.id) === snapshotId);
}

/** "Frees 1.0 MiB · moves 499 MiB to nightly-2." — or the bound, or why nothing is known. */
export function lossText(impact: DeleteImpact | undefined, nameOf: (id: string) => string): string {
  if (!impact || impact.kind === 'unavailable') {
    return `How much deleting it frees is not known${impact?.note ? `: ${impact.note}` : ''}.`;
  }
  const moved = impact.moved.map((m) => ` · moves ${formatBytes(m.bytes)} to ${nameOf(m.snapshotId)}`).join('');
  const freed = `${impact.kind === 'bound' ? 'Frees at most' : 'Frees'} ${formatBytes(impact.freedBytes ?? 0)}${moved}`;
  const why = impact.note ?? (impact.moved.length === 0 ? 'no later snapshot needs its blocks' : undefined);
  const affected = impact.affected.map((a) => ` ${a[0].toUpperCase()}${a.slice(1)}.`).join('');
  return `${freed}${why ? ` (${why})` : ''}.${affected}`;
}

/**
 * What deleting `snapshotId` loses, from the resources listed for the account and the adapter's
 * facts. Never throws: a failure to learn the figures is reported as not known.
 */
export async function deleteLoss(resources: Iterable<Resource>, adapter: Pick<CloudAdapter, 'chainFacts'>, snapshotId: string, signal: AbortSignal): Promise<string> {
  const chain = buildChain(resources, snapshotId);
  if (!chain) {
    return lossText(undefined, (id) => id);
  }
  const names = new Map<string, string>();
  for (const l of chain.links) {
    names.set(l.snapshot.id, resourceName(l.snapshot));
  }
  const nameOf = (id: string): string => names.get(id) ?? id;
  let facts;
  try {
    facts = adapter.chainFacts ? await adapter.chainFacts(impactLinks(chain, snapshotId), signal) : undefined;
  } catch (e) {
    return lossText({ kind: 'unavailable', moved: [], blockers: [], affected: [], note: `its figures could not be read (${e instanceof Error ? e.message : String(e)})` }, nameOf);
  }
  const reason = signal.aborted ? 'the figures took too long to arrive' : 'this cloud does not report what a snapshot stores';
  return lossText(chainFigures(chain, facts, reason).impact.get(snapshotId), nameOf);
}
