/** The `/_sandbox/gcp/…` control endpoints and the GCP part of the state summary. */
import { field } from '../backend';
import { benchmarkProjects } from './seed';
import { diskPathOf, type GcpState, snapshotPathOf } from './state';

/** Counts per project and the page size. */
export function gcpSummary(gcp: GcpState) {
  return { projects: gcp.counts(), pageSize: gcp.pageSize };
}

/** What the block model says about one snapshot (path, URL or numeric id). */
export function gcpSnapshotFacts(gcp: GcpState, ref: string) {
  const snap = gcp.snapshotByRef(ref);
  const blocks = gcp.blocks.getSnapshot(snap.id);
  const parent = blocks?.parent === undefined ? undefined : [...gcp.snapshots.values()].find((s) => s.id === blocks.parent);
  return {
    snapshot: snapshotPathOf(snap),
    id: snap.id,
    sourceDisk: snap.sourceDisk ?? null,
    snapshotType: snap.snapshotType,
    storedBytes: gcp.blocks.storedBytes(snap.id),
    fullBytes: gcp.blocks.fullBytes(snap.id),
    parentSnapshot: parent ? snapshotPathOf(parent) : null,
    deleteImpact: gcp.deleteImpact(snap.id),
  };
}

/** Handles /_sandbox/gcp/… (undefined when no endpoint matches); `changed` marks the state dirty and passes its value through. */
export function gcpControlRoute(gcp: GcpState, method: string, url: URL, input: unknown, changed: <T>(value: T) => T): unknown {
  const path = url.pathname;
  const record = (input ?? {}) as Record<string, unknown>;
  gcp.sweep();
  if (method === 'POST' && path === '/_sandbox/gcp/writes') {
    return changed({ blocksWritten: gcp.writeMiB(field(input, 'disk', 'string'), field(input, 'mib', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/gcp/bulk-snapshots') {
    return changed({ snapshots: gcp.bulkSnapshots(field(input, 'disk', 'string'), field(input, 'count', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/gcp/projects') {
    const each = record.snapshotsEach;
    return changed({ projects: benchmarkProjects(gcp, field(input, 'count', 'number'), typeof each === 'number' ? each : 0) });
  }
  if (method === 'PUT' && path === '/_sandbox/gcp/api-enabled') {
    const project = gcp.project(field(input, 'project', 'string'));
    project.apiEnabled = field(input, 'enabled', 'boolean');
    gcp.touch();
    return changed({ project: project.id, apiEnabled: project.apiEnabled });
  }
  if (method === 'PUT' && path === '/_sandbox/gcp/page-size') {
    const size = field(input, 'pageSize', 'number');
    if (!Number.isInteger(size) || size < 1 || size > 500) {
      throw new TypeError('pageSize must be a whole number between 1 and 500');
    }
    gcp.pageSize = size;
    gcp.touch();
    return changed({ pageSize: size });
  }
  if (method === 'GET' && path === '/_sandbox/gcp/snapshots') {
    return gcpSnapshotFacts(gcp, url.searchParams.get('snapshot') ?? '');
  }
  if (method === 'GET' && path === '/_sandbox/gcp/disks') {
    const disk = gcp.diskByRef(url.searchParams.get('disk') ?? '');
    const blocks = gcp.blocks.getDisk(disk.id);
    return { disk: diskPathOf(disk), id: disk.id, writtenBytes: (blocks?.blocks.size ?? 0) * 512 * 1024, users: gcp.users(diskPathOf(disk)) };
  }
  return undefined;
}
