import * as vscode from 'vscode';
import { statusText } from '../core/fields';
import type { OperationRecord } from '../model/types';
import { markdownText } from './safeText';

/** The status-bar item: how many operations run and how far they are; hidden when none. */
export class OperationStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('snapkeeper.operations', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Snapkeeper Operations';
    this.item.command = 'snapkeeper.showOperations';
  }

  update(running: (OperationRecord & { lastError?: string })[]): void {
    this.item.text = statusText(running);
    if (running.length === 0) {
      this.item.hide();
      return;
    }
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown('**Snapkeeper operations**\n\n');
    for (const r of running) {
      md.appendMarkdown(`- ${markdownText(`${r.title}${r.progress !== undefined ? ` — ${r.progress}%` : ''}${r.lastError ? ` (last poll: ${r.lastError})` : ''}`)}\n`);
    }
    this.item.tooltip = md;
    this.item.show();
  }

  /** What the item shows now ('' when hidden); read by the extension-host tests. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
