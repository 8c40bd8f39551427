/**
 * Turns a chain and its figures into the plain data the chain webview renders (vscode-free, so the
 * benchmark and unit tests build the same message the extension sends).
 */
import { backupFigures, backupMissing, chainFigures, type Chain, type ChainFacts, type ChainFigures } from '../model/chain';
import { appliesTo, type ActionId } from '../model/actions';
import type { CloudNouns } from '../model/adapter';
import type { Resource, ResourceKind, Snapshot } from '../model/types';
import {
  PANEL_ACTIONS,
  type ChainView,
  type PanelAction,
  type ViewBackup,
  type ViewBackupTotals,
  type ViewBranch,
  type ViewRestorePoint,
  type ViewSnapshot,
  type ViewWords,
} from '../webview/protocol';

export interface ViewContext {
  accountLabel: string;
  /** A scope id → its label. */
  scopeLabel(scopeId: string): string;
  /** What the adapter lets the user do with a snapshot or a backup now (the tree's own list). */
  actionsFor(r: Resource): ActionId[];
  /** The snapshot or backup to select first. */
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
  if (nouns.about?.backup) {
    words.aboutBackup = nouns.about.backup;
  }
  return words;
}

/** The tags a user set (snapkeeper:* tags are Snapkeeper's own bookkeeping). */
function userTags(r: Resource): { key: string; value: string }[] {
  return r.tags.filter((t) => !t.key.startsWith('snapkeeper:')).map((t) => ({ key: t.key, value: t.value }));
}

/** The panel's buttons for a row of this kind, of what the adapter offers on it now. */
function panelActions(ctx: ViewContext, r: Resource, kind: ResourceKind): PanelAction[] {
  return ctx.actionsFor(r).filter((a): a is PanelAction => (PANEL_ACTIONS as readonly string[]).includes(a) && appliesTo(a as PanelAction, kind));
}

/** The disk's backups as the panel draws them: parents before dependents, each with its figure and delete rule. */
function backupRows(chain: Chain, ctx: ViewContext): { backups: ViewBackup[]; backupTotals: ViewBackupTotals } {
  const fig = backupFigures(chain.backups);
  const snapshots = new Map(chain.snapshots.map((s) => [s.id, s]));
  const backups = fig.rows.map(({ backup: b, level, parent }): ViewBackup => {
    const impact = fig.impact.get(b.id);
    const progress = ctx.progress?.get(b.id) ?? b.progress;
    const row: ViewBackup = {
      id: b.id,
      name: resourceName(b),
      state: b.state,
      phase: b.phase,
      sizeGiB: b.sizeGiB,
      incremental: b.incremental,
      level,
      tags: userTags(b),
      impact: { blockers: impact?.blockers ?? [] },
      actions: panelActions(ctx, b, 'backup'),
    };
    if (b.phase === 'pending' && progress !== undefined) {
      row.progress = progress;
    }
    if (b.createdAt) {
      row.createdAt = b.createdAt;
    }
    if (b.parentId) {
      row.parentId = b.parentId;
      row.parentName = parent ? resourceName(parent) : (ctx.nameOf?.(b.parentId) ?? b.parentId);
    }
    if (b.snapshotId) {
      const s = snapshots.get(b.snapshotId);
      row.snapshotId = b.snapshotId;
      row.snapshotName = s ? resourceName(s) : (ctx.nameOf?.(b.snapshotId) ?? b.snapshotId);
    }
    if (b.description) {
      row.description = b.description;
    }
    if (b.storedBytes !== undefined) {
      row.stored = b.storedBytes;
    } else if (b.objectCount !== undefined) {
      row.storedObjects = b.objectCount;
    } else {
      row.storedMissing = backupMissing(b);
    }
    if (impact?.freedBytes !== undefined) {
      row.impact.freedBytes = impact.freedBytes;
    } else if (impact?.freedObjects !== undefined) {
      row.impact.freedObjects = impact.freedObjects;
    }
    return row;
  });
  return { backups, backupTotals: fig.totals };
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
      tags: userTags(s),
      impact: {
        kind: impact?.kind ?? 'unavailable',
        freedBytes: impact?.freedBytes,
        moved: (impact?.moved ?? []).map((m) => ({ snapshotId: m.snapshotId, name: names.get(m.snapshotId) ?? m.snapshotId, bytes: m.bytes })),
        note: impact?.note,
        blockers: impact?.blockers ?? [],
        affected: impact?.affected ?? [],
      },
      actions: panelActions(ctx, s, 'snapshot'),
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
  const scopeId = chain.disk?.scopeId ?? chain.snapshots[0]?.scopeId ?? chain.backups[0]?.scopeId ?? '';
  const view: ChainView = {
    title: chain.disk ? resourceName(chain.disk) : (chain.diskId ?? chain.snapshots[0]?.id ?? chain.backups[0]?.id ?? 'Snapshot chain'),
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
  if (chain.backups.length) {
    Object.assign(view, backupRows(chain, ctx));
  }
  if (ctx.nouns) {
    view.words = viewWords(ctx.nouns);
  }
  if (ctx.selectedId && (chain.snapshots.some((s) => s.id === ctx.selectedId) || chain.backups.some((b) => b.id === ctx.selectedId))) {
    view.selectedId = ctx.selectedId;
  }
  return view;
}
