import * as vscode from 'vscode';
import type { CloudNouns } from '../model/adapter';
import type { Resource } from '../model/types';
import { aboutKind, kindLabel } from './nouns';
import { displayName, tooltipRows, type RelatedContext } from './resourceText';
import { markdownText } from './safeText';

/**
 * The tooltip: every fact a user checks. Its heading names the kind in the cloud's own words
 * ("Volume snapshot", "VM snapshot"), followed by the cloud's sentence on what that kind is for
 * where it gives one, so the two kinds of backup are never mistaken for each other. Names, tags
 * and descriptions (untrusted) go through `markdownText`: shown as they are, never Markdown, HTML,
 * links or autolinks, wrapping between words (MarkdownString.appendText would make every space a
 * no-break space).
 */
export function tooltip(r: Resource, nouns: CloudNouns, extra: [string, string][] = [], related: RelatedContext = {}): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.supportThemeIcons = false;
  md.appendMarkdown(`**${markdownText(kindLabel(r.kind, nouns))}** ${markdownText(displayName(r))}`);
  const about = aboutKind(r.kind, nouns);
  if (about) {
    md.appendMarkdown(`\n\n*${markdownText(about)}*`);
  }
  md.appendMarkdown('\n\n');
  for (const [k, v] of tooltipRows(r, extra, related)) {
    md.appendMarkdown(`- ${markdownText(k)}: ${markdownText(v)}\n`);
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
    case 'policy':
      return new vscode.ThemeIcon('calendar', r.enabled === false ? new vscode.ThemeColor('disabledForeground') : error);
    case 'restorePoint':
      return new vscode.ThemeIcon('milestone', error);
    case 'backup':
      return new vscode.ThemeIcon('archive', error);
  }
}
