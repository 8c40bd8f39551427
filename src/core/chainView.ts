/**
 * Turns a chain and its figures into the plain data the chain webview renders (vscode-free, so the
 * benchmark and unit tests build the same message the extension sends).
 */
import { chainFigures, type Chain, type ChainFacts, type ChainFigures } from '../model/chain';
import type { ActionId } from '../model/actions';
import type { CloudNouns } from '../model/adapter';
import type { Resource, Snapshot } from '../model/types';
import { PANEL_ACTIONS, type ChainView, type PanelAction, type ViewBranch, type ViewRestorePoint, type ViewSnapshot, type ViewWords } from '../webview/protocol';

export interface ViewContext {
  accountLabel: string;
  /** A scope id → its label. */
  scopeLabel(scopeId: string): string;
  /** What the adapter lets the user do with a snapshot now (the tree's own list). */
  actionsFor(r: Resource): ActionId[];
  /** The snapshot to select first. */
  selectedId?: string;
  /** Figures are still being fetched. */
  loading: boolean;
  /** Progress (0–100) of tracked operations by resource id, laid over the listed state. */
  progress?: ReadonlyMap<string, number>;
  /** The cloud's words for disks, snapshots and restore points (absent: the neutral ones). */
  nouns?: CloudNouns;
  /** The name of a listed resource outside the chain (a restore point's VM, its parent), by id. */
  nameOf?(id: string): string | undefined;
}

/** The panel's words from the cloud's nouns. */
export function viewWords(nouns: CloudNouns): ViewWords {
  const words: ViewWords = { disk: nouns.disk ?? 'disk', snapshot: nouns.snapshot ?? 'snapshot', restorePoint: nouns.restorePoint ?? 'restore point' };
  if (nouns.about?.snapshot) {
    words.aboutSnapshot = nouns.about.snapshot;
  }
  if (nouns.about?.restorePoint) {
    words.aboutRestorePoint = nouns.about.restorePoint;
  }
  return words;
}

/** The name a user recognises: the name when there is one, else the id (as the tree shows it). */
export function resourceName(r: Resource): string {
  return r.name && r.name.trim() ? r.name : r.id;
}

/** The figures' source line when there are none (no adapter method, or not fetched yet). */
export const NO_FACTS_SOURCE = 'Stored bytes are not available for this cloud: its adapter does not report what a snapshot stores';

/** The figures chainView shows (pass them back to chainView to skip recomputing them). */
export function viewFigures(chain: Chain, facts: ChainFacts | undefined, loading: boolean): ChainFigures {
  return chainFigures(chain, facts, loading ? 'figures are being fetched' : NO_FACTS_SOURCE, loading && facts !== undefined);
}

export function chainView(chain: Chain, facts: ChainFacts | undefined, ctx: ViewContext, figures?: ChainFigures): ChainView {
  const fig = figures ?? viewFigures(chain, facts, ctx.loading);
  const names = new Map<string, string>();
  for (const l of chain.links) {
    names.set(l.snapshot.id, resourceName(l.snapshot));
  }
  for (const s of chain.snapshots) {
    names.set(s.id, resourceName(s));
  }
  const snapshots: ViewSnapshot[] = chain.snapshots.map((s: Snapshot) => {
    const stored = fig.stored.get(s.id);
    const impact = fig.impact.get(s.id);
    const progress = ctx.progress?.get(s.id) ?? s.progress;
    const row: ViewSnapshot = {
      id: s.id,
      name: resourceName(s),
      state: s.state,
      phase: s.phase,
      encrypted: s.encrypted,
      sizeGiB: s.sizeGiB,
      tags: s.tags.filter((t) => !t.key.startsWith('snapkeeper:')).map((t) => ({ key: t.key, value: t.value })),
      impact: {
        kind: impact?.kind ?? 'unavailable',
        freedBytes: impact?.freedBytes,
        moved: (impact?.moved ?? []).map((m) => ({ snapshotId: m.snapshotId, name: names.get(m.snapshotId) ?? m.snapshotId, bytes: m.bytes })),
        note: impact?.note,
        blockers: impact?.blockers ?? [],
        affected: impact?.affected ?? [],
      },
      actions: ctx.actionsFor(s).filter((a): a is PanelAction => (PANEL_ACTIONS as readonly string[]).includes(a)),
    };
    if (s.phase === 'pending' && progress !== undefined) {
      row.progress = progress;
    }
    if (s.createdAt) {
      row.createdAt = s.createdAt;
    }
    if (s.storageTier) {
      row.tier = s.storageTier;
    }
    if (s.kmsKeyId) {
      row.kmsKeyId = s.kmsKeyId;
    }
    if (s.incremental !== undefined) {
      row.incremental = s.incremental;
    }
    if (s.description) {
      row.description = s.description;
    }
    if (stored) {
      row.stored = stored.bytes;
      row.storedExact = stored.exact;
      if (stored.note) {
        row.storedNote = stored.note;
      }
    } else {
      row.storedMissing = fig.missing.get(s.id) ?? 'not reported';
    }
    return row;
  });
  const branches: ViewBranch[] = chain.branches.map((b) => ({
    kind: b.kind,
    id: b.resource.id,
    name: resourceName(b.resource),
    fromSnapshotId: b.fromSnapshotId,
    scope: ctx.scopeLabel(b.resource.scopeId),
    state: b.resource.state,
  }));
  const scopeId = chain.disk?.scopeId ?? chain.snapshots[0]?.scopeId ?? '';
  const view: ChainView = {
    title: chain.disk ? resourceName(chain.disk) : chain.diskId ?? chain.snapshots[0]?.id ?? 'Snapshot chain',
    accountLabel: ctx.accountLabel,
    scope: ctx.scopeLabel(scopeId),
    snapshots,
    branches,
    totals: fig.totals,
    source:
      facts?.source ??
      (ctx.loading
        ? 'Fetching what each snapshot stores…'
        : chain.snapshots.some((s) => s.storedBytes !== undefined)
          ? 'the stored bytes the cloud reports for each snapshot (no block lists: a delete preview in the middle of the chain is an estimate)'
          : NO_FACTS_SOURCE),
    loading: ctx.loading,
  };
  if (chain.diskId) {
    view.diskId = chain.diskId;
  }
  if (chain.disk) {
    view.diskName = resourceName(chain.disk);
    view.diskState = chain.disk.state;
    view.diskSizeGiB = chain.disk.sizeGiB;
  } else if (chain.diskId) {
    view.diskState = 'deleted or not listed';
  }
  if (chain.origin) {
    view.origin = { id: chain.origin.id, name: resourceName(chain.origin) };
  }
  if (chain.policies.length) {
    view.schedules = chain.policies.map((p) => ({
      id: p.id,
      name: resourceName(p),
      ...(p.schedule ? { schedule: p.schedule } : {}),
      ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
    }));
  }
  if (chain.restorePoints.length) {
    const points = new Map(chain.restorePoints.map((p) => [p.id, p]));
    const parentsOfCurrent = new Set(chain.restorePoints.filter((p) => p.current && p.parentId).map((p) => p.parentId));
    view.restorePoints = chain.restorePoints.map((p) => {
      const row: ViewRestorePoint = { id: p.id, name: resourceName(p), state: p.state, memory: p.memory };
      if (p.createdAt) {
        row.createdAt = p.createdAt;
      }
      if (p.current) {
        row.current = true;
      } else if (parentsOfCurrent.has(p.id)) {
        row.parentOfCurrent = true;
      }
      if (p.parentId) {
        const parent = points.get(p.parentId);
        row.parentId = p.parentId;
        row.parentName = parent ? resourceName(parent) : (ctx.nameOf?.(p.parentId) ?? p.parentId);
      }
      const vmName = ctx.nameOf?.(p.vmId);
      if (vmName) {
        row.vmName = vmName;
      }
      if (p.description) {
        row.description = p.description;
      }
      return row;
    });
  }
  if (ctx.nouns) {
    view.words = viewWords(ctx.nouns);
  }
  if (ctx.selectedId && chain.snapshots.some((s) => s.id === ctx.selectedId)) {
    view.selectedId = ctx.selectedId;
  }
  return view;
}
