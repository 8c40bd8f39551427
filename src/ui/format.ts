import * as vscode from 'vscode';
import type { Disk, Image, Resource, Snapshot, Vm } from '../model/types';
import { formatBytes } from '../model/units';
import { markdownText, visible } from './safeText';

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
  // A named resource shows its id (or the cloud's shorter stand-in, e.g. the group a resource belongs to).
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
 * The tooltip: every fact a user checks. Names, tags and descriptions (untrusted) go through
 * `markdownText`: shown as they are, never Markdown, HTML, links or autolinks, wrapping between
 * words (MarkdownString.appendText would make every space a no-break space).
 */
export function tooltip(r: Resource, extra: [string, string][] = []): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.supportThemeIcons = false;
  const kindLabel = { vm: 'VM', disk: 'Disk', snapshot: 'Snapshot', image: 'Image' }[r.kind];
  md.appendMarkdown(`**${kindLabel}** ${markdownText(displayName(r))}`);
  md.appendMarkdown('\n\n');
  const rows: [string, string | undefined][] = [['ID', r.id]];
  rows.push(['State', r.kind === 'snapshot' && r.phase === 'pending' ? `${r.state} (${r.progress ?? 0}%)` : r.state]);
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
  }
  rows.push(['Zone', r.zone], ['Created', formatDate(r.createdAt) || undefined]);
  rows.push(...(r.details ?? []).map((d): [string, string] => [d.label, d.value]), ...extra);
  for (const [k, v] of rows) {
    if (v !== undefined && v !== '') {
      md.appendMarkdown(`- ${markdownText(k)}: ${markdownText(v)}\n`);
    }
  }
  // snapkeeper:* tags are Snapkeeper's own bookkeeping (retry tokens, copy sources).
  const tags = r.tags.filter((t) => !t.key.startsWith('snapkeeper:'));
  if (tags.length > 0) {
    md.appendMarkdown('\n**Tags**\n\n');
    for (const t of tags) {
      md.appendMarkdown(`- ${markdownText(`${t.key} = ${t.value}`)}\n`);
    }
  }
  return md;
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

/** Codicon for a resource, spinning while pending. */
export function iconFor(r: Resource): vscode.ThemeIcon {
  if (r.phase === 'pending' || r.phase === 'deleting') {
    return new vscode.ThemeIcon('loading~spin');
  }
  const error = r.phase === 'error' ? new vscode.ThemeColor('errorForeground') : undefined;
  switch (r.kind) {
    case 'vm':
      return new vscode.ThemeIcon(
        'vm',
        r.state === 'running' ? new vscode.ThemeColor('testing.iconPassed') : new vscode.ThemeColor('disabledForeground'),
      );
    case 'disk':
      return new vscode.ThemeIcon('database', error);
    case 'snapshot':
      return new vscode.ThemeIcon('history', error);
    case 'image':
      return new vscode.ThemeIcon('file-media', error);
  }
}
