import * as vscode from 'vscode';
import { statusText } from '../core/fields';
import type { TrackedOperation } from '../core/tracker';
import { markdownText, pickText, plainText } from './safeText';

/** What the operations list does with the operation picked. */
export interface OperationActions {
  reveal(op: TrackedOperation): Promise<unknown>;
  /** Stops following it (the cloud operation goes on). */
  dismiss(op: TrackedOperation): Promise<unknown>;
}

interface OperationItem extends vscode.QuickPickItem {
  /** The operation (step 1) or the action on it (step 2). */
  opId: string;
  action?: 'reveal' | 'dismiss';
}

/**
 * The status-bar item (how many operations run and how far they are; hidden when none) and the
 * list it opens. The list is live: while it is open it shows the same, current figures as the
 * item (both are redrawn from the tracker on every change), never a copy taken when it opened.
 */
export class OperationStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private running: TrackedOperation[] = [];
  /** The open operations list; read by the extension-host tests. */
  openList?: vscode.QuickPick<OperationItem>;
  /** The operation the open list is asking about (its second step), if any. */
  private chosen?: string;

  constructor() {
    this.item = vscode.window.createStatusBarItem('snapkeeper.operations', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Snapkeeper Operations';
    this.item.command = 'snapkeeper.showOperations';
  }

  update(running: TrackedOperation[]): void {
    this.running = running;
    this.item.text = statusText(running);
    this.redrawList();
    if (running.length === 0) {
      this.item.hide();
      return;
    }
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown('**Snapkeeper operations**\n\n');
    for (const r of running) {
      md.appendMarkdown(`- ${markdownText(`${r.title}${progressText(r)}${r.lastError ? ` (last poll: ${r.lastError})` : ''}`)}\n`);
    }
    this.item.tooltip = md;
    this.item.show();
  }

  /** What the item shows now ('' when hidden); read by the extension-host tests. */
  get text(): string {
    return this.item.text;
  }

  /**
   * Opens the operations list (the item's command): pick an operation, then Reveal in Tree or
   * Dismiss. Returns once the list is shown; it stays live until closed.
   */
  showList(actions: OperationActions): void {
    if (this.running.length === 0) {
      void vscode.window.showInformationMessage('Snapkeeper: no operations are running.');
      return;
    }
    this.openList?.dispose();
    const pick = vscode.window.createQuickPick<OperationItem>();
    this.openList = pick;
    this.chosen = undefined;
    pick.title = 'Snapkeeper Operations';
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.ignoreFocusOut = true;
    pick.onDidAccept(() => void this.accept(pick, actions));
    pick.onDidHide(() => {
      pick.dispose();
      if (this.openList === pick) {
        this.openList = undefined;
      }
    });
    this.redrawList();
    pick.show();
  }

  private async accept(pick: vscode.QuickPick<OperationItem>, actions: OperationActions): Promise<void> {
    const [item] = pick.activeItems;
    const op = item && this.running.find((r) => r.id === item.opId);
    if (!item || !op) {
      return;
    }
    if (!item.action) {
      // Step 2: what to do with it.
      this.chosen = op.id;
      pick.value = '';
      this.redrawList();
      return;
    }
    pick.hide();
    await (item.action === 'reveal' ? actions.reveal(op) : actions.dismiss(op));
  }

  /** Renders the open list again from the current figures (keeping the highlighted row). */
  private redrawList(): void {
    const pick = this.openList;
    if (!pick) {
      return;
    }
    const chosen = this.chosen !== undefined ? this.running.find((r) => r.id === this.chosen) : undefined;
    if (this.chosen !== undefined && !chosen) {
      // It ended (or was dismissed elsewhere) while the list asked about it.
      pick.hide();
      return;
    }
    if (this.running.length === 0) {
      pick.hide();
      return;
    }
    const active = pick.activeItems[0];
    let items: OperationItem[];
    if (chosen) {
      pick.placeholder = plainText(`${chosen.title}${progressText(chosen)}`);
      items = [
        { opId: chosen.id, action: 'reveal', label: 'Reveal in Tree', description: percent(chosen) },
        {
          opId: chosen.id,
          action: 'dismiss',
          label: 'Dismiss',
          description: 'stop following it here',
          detail: 'The operation itself goes on in the cloud; only the tracking, the progress and the notification stop.',
        },
      ];
    } else {
      pick.placeholder = 'Pick an operation to reveal it in the tree or dismiss it';
      items = this.running.map((r) => ({
        opId: r.id,
        label: pickText(r.title),
        description: percent(r),
        detail: pickText(r.lastError ? `Last poll failed: ${r.lastError}` : `${r.resourceId} · ${r.scopeId}`),
      }));
    }
    pick.items = items;
    const keep = active && items.find((i) => i.opId === active.opId && i.action === active.action);
    if (keep) {
      pick.activeItems = [keep];
    }
  }

  dispose(): void {
    this.openList?.dispose();
    this.item.dispose();
  }
}

/** "42%", or undefined when the operation gives no progress. */
function percent(op: TrackedOperation): string | undefined {
  return op.progress !== undefined ? `${op.progress}%` : undefined;
}

/** " — 42%" after a title, or '' when the operation gives no progress. */
function progressText(op: TrackedOperation): string {
  const p = percent(op);
  return p ? ` — ${p}` : '';
}
