/**
 * What the tree and the quick picks say about a resource: its name, its one-line description and
 * its tooltip's facts. vscode-free (unit tests run it); untrusted text keeps its hidden characters
 * visible here, and each surface passes it through its own function of safeText.ts.
 */
import type { Backup, Disk, Image, Policy, Resource, RestorePoint, Snapshot, Vm } from '../model/types';
import { formatBytes } from '../model/units';
import { visible } from './safeText';

/** "2026-11-20 14:03" in the local time zone, or the raw text when it is not a date. */
export function formatDate(iso: string | undefined): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * The label a user recognises: the name when there is one, else the id. Untrusted text, with its
 * hidden characters (newlines, bidi marks…) shown as escapes; surfaces that interpret text still
 * pass it through their own function of the escaping layer (safeText.ts).
 */
export function displayName(r: Resource): string {
  return visible(r.name && r.name.trim() ? r.name : r.id);
}

/** The short line beside a tree item (hidden characters shown as escapes). */
export function describe(r: Resource, now = Date.now()): string {
  return visible(descriptionOf(r, now));
}

function descriptionOf(r: Resource, now: number): string {
  // A named resource shows its id (or the shorter stand-in the adapter gives as `idLabel`).
  const id = r.name ? (r.idLabel ?? r.id) : undefined;
  switch (r.kind) {
    case 'vm':
      return [id, r.state, r.machineType].filter(Boolean).join(' · ');
    case 'disk': {
      const boot = r.attachments.some((a) => a.boot) ? 'boot' : undefined;
      return [id, `${r.sizeGiB} GiB`, r.diskType, boot, r.phase !== 'ready' ? r.state : undefined]
        .filter(Boolean)
        .join(' · ');
    }
    case 'snapshot': {
      const state = r.phase === 'pending' ? `${r.state} ${r.progress ?? 0}%` : r.state;
      return [id, state, formatDate(r.createdAt), r.export ? exportText(r.export, now) : undefined].filter(Boolean).join(' · ');
    }
    case 'image':
      return [id, r.state].filter(Boolean).join(' · ');
    case 'policy':
      return [id, r.schedule, r.enabled === false ? 'disabled' : undefined].filter(Boolean).join(' · ');
    case 'restorePoint':
      return [id, r.current ? 'current' : undefined, r.memory ? 'with memory' : undefined, r.state, formatDate(r.createdAt)].filter(Boolean).join(' · ');
    case 'backup': {
      const state = r.phase === 'pending' ? `${r.state} ${r.progress ?? 0}%` : r.state;
      return [id, r.incremental ? 'incremental' : 'full', state, formatDate(r.createdAt)].filter(Boolean).join(' · ');
    }
  }
}

/** "export open · 42 min left" (or without the time when the expiry is unknown). */
export function exportText(e: { until?: string }, now = Date.now()): string {
  const until = e.until ? Date.parse(e.until) : Number.NaN;
  if (Number.isNaN(until)) {
    return 'export open';
  }
  const minutes = Math.max(0, Math.round((until - now) / 60_000));
  const left = minutes >= 120 ? `${Math.round(minutes / 60)} h left` : `${minutes} min left`;
  return `export open · ${left}`;
}

/**
 * What the tree knows of a restore point or a backup from what is listed beside it (treeShape.ts
 * works it out).
 */
export interface RelatedContext {
  /**
   * The restore point it was taken after, or the backup it is incremental against, by name when
   * listed ("before-upgrade (vmsnap-1)").
   */
  parent?: string;
  /** A restore point: it is the VM's current point, or the current one was taken right after it. */
  mark?: 'current' | 'parent of current';
  /** A backup: the snapshot it was made from, by name when listed. */
  snapshot?: string;
}

/**
 * The tooltip's facts, in order (empty values left out); `extra` rows come last. Untrusted text as
 * is. `related`: what the resources listed beside it say about this one (a restore point's VM's
 * other points, a backup's parent and snapshot).
 */
export function tooltipRows(r: Resource, extra: [string, string][] = [], related: RelatedContext = {}): [string, string][] {
  const rows: [string, string | undefined][] = [['ID', r.id]];
  rows.push(['State', (r.kind === 'snapshot' || r.kind === 'backup') && r.phase === 'pending' ? `${r.state} (${r.progress ?? 0}%)` : r.state]);
  switch (r.kind) {
    case 'vm':
      rows.push(...vmRows(r));
      break;
    case 'disk':
      rows.push(...diskRows(r));
      break;
    case 'snapshot':
      rows.push(...snapshotRows(r));
      break;
    case 'image':
      rows.push(...imageRows(r));
      break;
    case 'policy':
      rows.push(...policyRows(r));
      break;
    case 'restorePoint':
      rows.push(...restorePointRows(r, related));
      break;
    case 'backup':
      rows.push(...backupRows(r, related));
      break;
  }
  rows.push(['Zone', r.zone], ['Created', formatDate(r.createdAt) || undefined]);
  rows.push(...(r.details ?? []).map((d): [string, string] => [d.label, d.value]), ...extra);
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

function vmRows(v: Vm): [string, string | undefined][] {
  return [
    ['Machine type', v.machineType],
    ['Platform', v.platform],
    ['Boot disk', v.bootDiskId],
    ['Disks', v.diskIds.join(', ')],
  ];
}

function diskRows(d: Disk): [string, string | undefined][] {
  return [
    ['Size', `${d.sizeGiB} GiB`],
    ['Type', d.diskType],
    ['IOPS', d.iops?.toString()],
    ['Throughput', d.throughputMiBps !== undefined ? `${d.throughputMiBps} MiB/s` : undefined],
    ['Encryption', d.encrypted ? 'encrypted' : 'not encrypted'],
    ['Encryption key', d.kmsKeyId],
    [
      'Attached to',
      d.attachments.map((a) => `${a.vmId}${a.device ? ` (${a.device}${a.boot ? ', boot' : ''})` : ''}`).join(', ') ||
        'not attached',
    ],
    ['Restored from', d.sourceSnapshotId],
  ];
}

function snapshotRows(s: Snapshot): [string, string | undefined][] {
  return [
    ['Disk size', `${s.sizeGiB} GiB`],
    ['Stored', s.storedBytes !== undefined ? formatBytes(s.storedBytes) : undefined],
    ['Source disk', s.diskId],
    ['Copied from', s.copiedFromId && `${s.copiedFromId}${s.copiedFromScopeId ? ` (${s.copiedFromScopeId})` : ''}`],
    ['Kind', s.incremental === undefined ? undefined : s.incremental ? 'incremental' : 'full'],
    ['Export', s.export ? `${exportText(s.export)}${s.export.until ? ` (until ${formatDate(s.export.until)})` : ''}` : undefined],
    ['Description', s.description],
    ['Encryption', s.encrypted ? 'encrypted' : 'not encrypted'],
    ['Encryption key', s.kmsKeyId],
    ['Storage tier', s.storageTier],
  ];
}

function imageRows(i: Image): [string, string | undefined][] {
  return [
    ['Description', i.description],
    ['Architecture', i.architecture],
    ['Root device', i.rootDevice],
    ['Snapshots', i.snapshotIds.join(', ')],
    ['Public', i.public === undefined ? undefined : i.public ? 'yes' : 'no'],
  ];
}

function policyRows(p: Policy): [string, string | undefined][] {
  return [
    ['Schedule', p.schedule],
    ['Keeps', p.retention],
    ['Enabled', p.enabled === undefined ? undefined : p.enabled ? 'yes' : 'no'],
    ['Description', p.description],
  ];
}

function restorePointRows(p: RestorePoint, context: RelatedContext): [string, string | undefined][] {
  const current = p.current
    ? 'the VM runs from this point'
    : context.mark === 'parent of current'
      ? 'no: the current one was taken right after this one'
      : undefined;
  return [
    ['VM', p.vmId],
    ['Memory', p.memory ? 'included (restoring resumes the running VM)' : 'not included (disks only)'],
    ['Current', current],
    ['Taken after', context.parent ?? p.parentId],
    ['Disks', p.diskIds?.join(', ')],
    ['Description', p.description],
  ];
}

/** What a backup stores, as the cloud reports it: bytes, else objects of the backup store. */
export function backupStored(b: Backup): string | undefined {
  if (b.storedBytes !== undefined) {
    return formatBytes(b.storedBytes);
  }
  return b.objectCount !== undefined ? `${b.objectCount} object${b.objectCount === 1 ? '' : 's'} of the backup store` : undefined;
}

function backupRows(b: Backup, context: RelatedContext): [string, string | undefined][] {
  return [
    ['Kind', b.incremental ? 'incremental (stores what changed since its parent)' : 'full'],
    ['Incremental after', b.parentId && (context.parent ?? b.parentId)],
    ['Disk size', `${b.sizeGiB} GiB`],
    ['Stored', backupStored(b)],
    ['Source disk', b.diskId],
    ['From snapshot', b.snapshotId && (context.snapshot ?? b.snapshotId)],
    [
      'Dependents',
      b.hasDependents === undefined
        ? undefined
        : b.hasDependents
          ? 'incremental backups depend on it: it cannot be deleted before them'
          : 'none: it can be deleted',
    ],
    ['Description', b.description],
  ];
}
