/** The `/_sandbox/cloudstack/…` control endpoints, the CloudStack part of the state summary, and the snapshot facts tests read. */
import { field } from '../backend';
import type { DeleteImpact } from '../blocks';
import { invalid } from './errors';
import { benchmarkZones } from './seed';
import type { CsState } from './state';

/** Counts, page size, clock skew and the planned job failure. */
export function csSummary(cs: CsState) {
  return { ...cs.counts(), pageSize: cs.pageSize, clockSkewMs: cs.clockSkewMs, plannedFailure: cs.plannedFailure ?? null };
}

export interface CsSnapshotFacts {
  id: string;
  volumeId: string;
  /** Zone → bytes its copy stores (`physicalsize`). */
  physicalBytes: Record<string, number>;
  virtualBytes: number;
  /** Bytes of data on the volume as of the snapshot. */
  fullBytes: number;
  full: boolean;
  parentId: string | null;
  /** What deleting the origin copy would free and hand over (block-model ids). */
  deleteImpact: DeleteImpact | null;
}

/** What the block model says about one volume snapshot. */
export function csSnapshotFacts(cs: CsState, snapshotId: string): CsSnapshotFacts {
  const snap = cs.lookup(cs.snapshots, snapshotId, 'snapshotFacts', 'id');
  const origin = snap.copies[0];
  const live = origin !== undefined && cs.blocks.hasSnapshot(origin.blockId);
  return {
    id: snap.id,
    volumeId: snap.volumeId,
    physicalBytes: Object.fromEntries(snap.copies.map((c) => [c.zoneId, cs.physicalBytes(snap, c.zoneId)])),
    virtualBytes: snap.virtualBytes,
    fullBytes: live ? cs.blocks.fullBytes(origin.blockId) : 0,
    full: snap.full,
    parentId: snap.parentId ?? null,
    deleteImpact: live ? cs.blocks.deleteImpact(origin.blockId) : null,
  };
}

/** Sets `default.page.size` (1–5000). */
export function setPageSize(cs: CsState, size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 5000) {
    throw new TypeError('pageSize must be a whole number between 1 and 5000');
  }
  cs.pageSize = size;
  cs.touch();
  return size;
}

/** Moves the server's clock by `ms` (positive: ahead) for judging a signature's `expires`. */
export function setClockSkew(cs: CsState, ms: number): number {
  if (!Number.isFinite(ms)) {
    throw new TypeError('clockSkewMs must be a number');
  }
  cs.clockSkewMs = Math.round(ms);
  cs.touch();
  return cs.clockSkewMs;
}

/** The next async job (of `command`, if given) answers pending to `afterPolls` polls of queryAsyncJobResult, then fails with `errortext`. */
export function failNextJob(cs: CsState, afterPolls: number, errortext: string, command?: string): void {
  if (!Number.isInteger(afterPolls) || afterPolls < 0) {
    throw new TypeError('afterPolls must be a whole number ≥ 0');
  }
  cs.plannedFailure = command === undefined ? { afterPolls, errortext } : { afterPolls, errortext, command };
  cs.touch();
}

/** Handles /_sandbox/cloudstack/… (undefined when no endpoint matches). */
export function csControlRoute(cs: CsState, method: string, url: URL, input: unknown, changed: <T>(value: T) => T): unknown {
  const path = url.pathname;
  cs.sweep();
  const writes = /^\/_sandbox\/cloudstack\/volumes\/([^/]+)\/writes$/.exec(path);
  if (method === 'POST' && writes) {
    const volumeId = decodeURIComponent(writes[1]);
    const mib = field(input, 'mib', 'number');
    if (!Number.isInteger(mib) || mib < 0 || mib > 1024 * 1024) {
      throw invalid('mib must be a whole number of MiB');
    }
    return changed({ volumeId, changedBytes: cs.writeMiB(volumeId, mib) });
  }
  const snapshot = /^\/_sandbox\/cloudstack\/snapshots\/([^/]+)$/.exec(path);
  if (method === 'GET' && snapshot) {
    return csSnapshotFacts(cs, decodeURIComponent(snapshot[1]));
  }
  if (method === 'POST' && path === '/_sandbox/cloudstack/bulk-snapshots') {
    return changed({ snapshotIds: cs.bulkSnapshots(field(input, 'volumeId', 'string'), field(input, 'count', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/cloudstack/zones') {
    const each = (input as Record<string, unknown> | null)?.snapshotsEach;
    return changed({ zoneIds: benchmarkZones(cs, field(input, 'count', 'number'), typeof each === 'number' ? each : 0) });
  }
  if (method === 'PUT' && path === '/_sandbox/cloudstack/page-size') {
    return changed({ pageSize: setPageSize(cs, field(input, 'pageSize', 'number')) });
  }
  if (method === 'PUT' && path === '/_sandbox/cloudstack/clock-skew') {
    return changed({ clockSkewMs: setClockSkew(cs, field(input, 'clockSkewMs', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/cloudstack/fail-next-job') {
    const command = (input as Record<string, unknown> | null)?.command;
    failNextJob(cs, field(input, 'afterPolls', 'number'), field(input, 'errortext', 'string'), typeof command === 'string' ? command : undefined);
    return changed({ plannedFailure: cs.plannedFailure });
  }
  return undefined;
}
