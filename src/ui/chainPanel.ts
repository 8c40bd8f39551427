/**
 * The snapshot chain panel: one WebviewPanel per disk lineage. The extension builds the chain
 * from the loaded inventory (model/chain.ts), asks the adapter what each snapshot stores
 * (`chainFacts`), and sends the webview plain, validated data; the webview sends back typed
 * requests (select, reveal, run an action), validated here too. Actions run the tree's own
 * commands on the tree's own nodes, so they ask the same questions and confirmations.
 */
import * as vscode from 'vscode';
import { chainView, resourceName, viewFigures } from '../core/chainView';
import type { AccountSession } from '../core/session';
import type { OperationTracker } from '../core/tracker';
import type { CloudNouns } from '../model/adapter';
import type { Resource } from '../model/types';
import { appliesTo } from '../model/actions';
import { buildChain, type Chain, type ChainFacts, type ChainFigures } from '../model/chain';
import { errorText } from '../model/errors';
import {
  describeMessage,
  encodeToWebview,
  parseFromWebview,
  readPanelState,
  type ChainView,
  type FromWebview,
  type ToWebview,
} from '../webview/protocol';
import { message } from './safeText';
import type { SnapkeeperTree } from './tree';

/** The chain panels' view type (package.json activates on `onWebviewPanel:` it to restore them). */
export const CHAIN_VIEW_TYPE = 'snapkeeper.chain';
/** Coalesces bursts of scope changes (page after page) into one redraw. */
const REDRAW_MS = 200;

/**
 * What the chain panels need from the extension (ui/app.ts's App is one): the accounts' sessions,
 * the log, where the extension's files are, when listings change, the tree's nodes and the
 * running operations. An interface, so this file does not import the app that creates it.
 */
export interface ChainHost {
  readonly log: vscode.LogOutputChannel;
  readonly context: { readonly extensionUri: vscode.Uri };
  /** A scope of an account was (re)listed or is loading, or tracked operations progressed. */
  readonly onDidChange: vscode.Event<{ accountId?: string; scopeId?: string }>;
  readonly tree: Pick<SnapkeeperTree, 'nodeForResource'>;
  readonly tracker: Pick<OperationTracker, 'list'>;
  session(accountId: string): AccountSession | undefined;
  /** The account's cloud's words for disks, snapshots and restore points. */
  nouns(accountId: string): CloudNouns;
}

/**
 * The open chain panels, and their serializer: after a window reload VS Code hands each panel
 * that was open back to `deserializeWebviewPanel` with the state its webview saved.
 */
export class ChainPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<unknown> {
  /** Open panels by `accountId|chain key`. */
  readonly panels = new Map<string, ChainPanel>();

  constructor(private readonly app: ChainHost) {}

  /** Opens (or reveals) the chain panel of a disk, snapshot or backup (a snapshot or backup selected). */
  async open(accountId: string, resourceId: string): Promise<ChainPanel | undefined> {
    const found = await this.find(accountId, resourceId);
    if (typeof found === 'string') {
      void vscode.window.showWarningMessage(message`Snapkeeper: ${found}; refresh the tree.`);
      return undefined;
    }
    return this.show(found, found.resource.kind === 'snapshot' || found.resource.kind === 'backup' ? found.resource.id : undefined);
  }

  /**
   * Restores a panel after a window reload (VS Code calls this with the state the webview saved).
   * The state is checked first: a state that cannot be read, an account that is gone or a disk
   * no longer listed leave the panel open with a message saying so.
   */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = readPanelState(state);
    if (typeof saved === 'string') {
      this.notRestored(panel, `${saved}.`);
      return;
    }
    const found = await this.find(saved.accountId, saved.anchorId);
    if (typeof found === 'string') {
      this.notRestored(panel, `${found}.`);
      return;
    }
    this.show(found, saved.selectedId, panel);
  }

  private async find(accountId: string, resourceId: string): Promise<{ session: AccountSession; resource: Resource; chain: Chain } | string> {
    const session = this.app.session(accountId);
    if (!session) {
      return 'its account is no longer configured';
    }
    let resource = session.find(resourceId);
    if (!resource) {
      await loadAll(session);
      resource = session.find(resourceId);
    }
    const chain = buildChain(session.resources(), resourceId);
    if (!resource || !chain) {
      return `${resourceId} is not a listed disk, snapshot or backup`;
    }
    return { session, resource, chain };
  }

  private show(found: { session: AccountSession; resource: Resource; chain: Chain }, selectedId: string | undefined, restored?: vscode.WebviewPanel): ChainPanel {
    const { session, resource, chain } = found;
    const key = `${session.account.id}|${chain.key}`;
    const existing = this.panels.get(key);
    if (existing) {
      restored?.dispose();
      existing.reveal(selectedId);
      return existing;
    }
    const panel = new ChainPanel(this.app, session, resource.id, chain, selectedId, () => this.panels.delete(key), restored);
    this.panels.set(key, panel);
    // Branches and copies may live in other scopes: list them too (no-op when listed).
    void loadAll(session);
    return panel;
  }

  /** A restored panel whose chain cannot be shown: it says why (no script runs in it). */
  private notRestored(panel: vscode.WebviewPanel, reason: string): void {
    this.app.log.warn(`Snapshot chain: a panel could not be restored after the reload: ${reason}`);
    panel.title = 'Snapshot chain (not restored)';
    panel.webview.options = { enableScripts: false, enableCommandUris: false, localResourceRoots: [] };
    panel.webview.html = notRestoredHtml(`This snapshot chain could not be restored after the window reload: ${reason} Open it again from the tree (right-click a disk, a snapshot or a backup → Open Snapshot Chain).`);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) {
      p.dispose();
    }
    this.panels.clear();
  }
}

async function loadAll(session: AccountSession): Promise<void> {
  try {
    const scopes = await session.leafScopes();
    await Promise.all(scopes.map((s) => session.load(s)));
  } catch {
    // A failed scope shows in the tree; the chain shows what is listed.
  }
}

export class ChainPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  /** The last view sent (or to send once the webview is ready); read by the extension-host tests. */
  lastView?: ChainView;
  /** Messages from the webview that failed validation (logged and dropped). */
  dropped = 0;
  /** The webview's own report of its first paint. */
  painted?: { ms: number; rows: number };
  private chain: Chain;
  private facts?: ChainFacts;
  private factsKey = '';
  /** The figures of the last view, kept while neither the links nor the facts change (progress ticks). */
  private memo?: { key: string; facts?: ChainFacts; loading: boolean; figures: ChainFigures };
  private factsRun?: AbortController;
  private factsDone: Promise<void> = Promise.resolve();
  private ready = false;
  private selectedId?: string;
  private timer?: NodeJS.Timeout;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly app: ChainHost,
    private readonly session: AccountSession,
    /** The disk, snapshot or backup the panel was opened on (its chain is found again from it). */
    private readonly anchorId: string,
    chain: Chain,
    selectedId: string | undefined,
    private readonly onDispose: () => void,
    /** A panel VS Code restored after a reload (else a new one is made). */
    restored?: vscode.WebviewPanel,
  ) {
    this.chain = chain;
    this.selectedId = selectedId;
    const root = vscode.Uri.joinPath(app.context.extensionUri, 'dist', 'webview');
    const options = { enableScripts: true, enableCommandUris: false, enableForms: false, localResourceRoots: [root] };
    if (restored) {
      this.panel = restored;
      this.panel.webview.options = options;
      this.panel.title = this.title();
    } else {
      this.panel = vscode.window.createWebviewPanel(
        CHAIN_VIEW_TYPE,
        this.title(),
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        { ...options, retainContextWhenHidden: false },
      );
    }
    this.panel.iconPath = vscode.Uri.joinPath(app.context.extensionUri, 'media', 'snapkeeper.svg');
    this.panel.webview.html = html(this.panel.webview, root);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) {
          this.schedule();
        }
      }),
      app.onDidChange((e) => {
        if (!e.accountId || e.accountId === session.account.id) {
          this.schedule();
        }
      }),
    );
    this.update();
  }

  /** The chain currently drawn. */
  get current(): Chain {
    return this.chain;
  }

  /** Resolves once the figures of the current chain have been fetched and sent. */
  async figures(): Promise<ChainView | undefined> {
    let done: Promise<void>;
    do {
      done = this.factsDone;
      await done;
    } while (done !== this.factsDone);
    return this.lastView;
  }

  reveal(selectedId?: string): void {
    this.panel.reveal(undefined, false);
    if (selectedId) {
      this.selectedId = selectedId;
      this.post({ type: 'select', snapshotId: selectedId });
    }
  }

  /** Handles one message from the webview: validated first, dropped (and logged) when malformed. */
  receive(raw: unknown): void {
    const m = parseFromWebview(raw);
    if (!m) {
      this.dropped++;
      this.app.log.warn(`Snapshot chain: dropped a malformed message from the webview ${describeMessage(raw)}`);
      return;
    }
    void this.handle(m).catch((e: unknown) => this.app.log.error(`Snapshot chain: ${errorText(e)}`));
  }

  private async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.lastView) {
          this.post({ type: 'chain', view: { ...this.lastView, selectedId: this.selectedId ?? this.lastView.selectedId } });
        }
        return;
      case 'select':
        this.selectedId = m.snapshotId;
        return;
      case 'painted':
        this.painted = { ms: m.ms, rows: m.rows };
        this.app.log.info(`Snapshot chain: ${m.rows} snapshot(s) drawn, first paint in ${m.ms.toFixed(0)} ms.`);
        return;
      case 'refresh':
        this.factsKey = '';
        this.session.refresh((await this.session.leafScopes()).map((s) => s.id));
        this.update();
        return;
      case 'reveal':
        if (!this.knows(m.resourceId)) {
          this.app.log.warn(`Snapshot chain: reveal of ${m.resourceId}, which is not in this chain, ignored.`);
          return;
        }
        await vscode.commands.executeCommand('snapkeeper.revealResource', this.session.account.id, m.resourceId);
        return;
      case 'action': {
        const row = this.chain.snapshots.find((s) => s.id === m.resourceId) ?? this.chain.backups.find((b) => b.id === m.resourceId);
        if (!row) {
          this.app.log.warn(`Snapshot chain: ${m.action} on ${m.resourceId}, which is not in this chain, ignored.`);
          return;
        }
        if (!appliesTo(m.action, row.kind)) {
          this.app.log.warn(`Snapshot chain: ${m.action} does not apply to ${row.kind} ${m.resourceId}, ignored.`);
          return;
        }
        // The tree's own node and command: the same questions, refusals and confirmations.
        const node = this.app.tree.nodeForResource(this.session.account.id, m.resourceId);
        if (!node) {
          void vscode.window.showWarningMessage(message`Snapkeeper: ${m.resourceId} is no longer listed; refresh the tree.`);
          return;
        }
        await vscode.commands.executeCommand(`snapkeeper.${m.action}`, node);
        return;
      }
    }
  }

  /** Whether the panel shows `id` (a link to it may reveal it in the tree). */
  private knows(id: string): boolean {
    return (
      this.chain.diskId === id ||
      this.chain.origin?.id === id ||
      this.chain.snapshots.some((s) => s.id === id) ||
      this.chain.branches.some((b) => b.resource.id === id) ||
      this.chain.policies.some((p) => p.id === id) ||
      this.chain.restorePoints.some((p) => p.id === id || p.parentId === id) ||
      this.chain.backups.some((b) => b.id === id || b.parentId === id || b.snapshotId === id)
    );
  }

  private schedule(): void {
    if (this.timer || this.disposed) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, REDRAW_MS);
  }

  /** Rebuilds the chain from the inventory, sends it, and fetches figures when the links changed. */
  private update(): void {
    if (this.disposed) {
      return;
    }
    const chain = buildChain(this.session.resources(), this.anchorId) ?? this.rebuildFromSnapshots();
    if (chain) {
      this.chain = chain;
    }
    this.panel.title = this.title();
    const key = this.chain.links.map((l) => `${l.previous?.id ?? ''}>${l.snapshot.id}:${l.snapshot.phase}:${l.snapshot.storageTier ?? ''}`).join(',');
    if (key !== this.factsKey) {
      this.factsKey = key;
      this.fetchFacts();
    }
    this.send();
  }

  /** The anchor was deleted (a snapshot or backup): keep the chain of its disk, from what is still listed. */
  private rebuildFromSnapshots(): Chain | undefined {
    const anchor = this.chain.diskId ?? [...this.chain.snapshots, ...this.chain.backups].find((s) => this.session.find(s.id))?.id;
    return anchor ? buildChain(this.session.resources(), anchor) : undefined;
  }

  private fetchFacts(): void {
    this.factsRun?.abort();
    const run = new AbortController();
    this.factsRun = run;
    const links = this.chain.links;
    this.factsDone = (async () => {
      const adapter = await this.session.adapter();
      if (!adapter.chainFacts) {
        this.facts = undefined;
        return;
      }
      try {
        // Long chains fill in as the answers arrive (newest snapshots first).
        const facts = await adapter.chainFacts(links, run.signal, (partial) => {
          if (!run.signal.aborted && this.factsRun === run) {
            this.facts = partial;
            this.send();
          }
        });
        if (!run.signal.aborted) {
          this.facts = facts;
        }
      } catch (e) {
        if (!run.signal.aborted) {
          this.app.log.error(`Snapshot chain: figures failed: ${errorText(e)}`);
          this.facts = { snapshots: {}, source: 'Figures could not be fetched', unavailable: errorText(e) };
        }
      }
    })().finally(() => {
      if (this.factsRun === run) {
        this.factsRun = undefined;
        this.send();
      }
    });
  }

  private send(): void {
    if (this.disposed) {
      return;
    }
    const adapter = this.session.loadedAdapter;
    const progress = new Map<string, number>();
    for (const r of this.app.tracker.list()) {
      if (r.accountId === this.session.account.id && r.progress !== undefined) {
        progress.set(r.resourceId, r.progress);
      }
    }
    const labels = new Map<string, string>();
    for (const s of this.session.cachedScopes() ?? []) {
      labels.set(s.id, s.label);
    }
    const loading = this.factsRun !== undefined;
    const key = `${this.factsKey}|${this.chain.snapshots.map((s) => `${s.id}:${s.phase}:${s.export ? 'x' : ''}:${s.name ?? ''}`).join(',')}|${this.chain.branches.map((b) => `${b.resource.id}:${b.resource.phase}:${b.resource.name ?? ''}`).join(',')}`;
    if (!this.memo || this.memo.key !== key || this.memo.facts !== this.facts || this.memo.loading !== loading) {
      this.memo = { key, facts: this.facts, loading, figures: viewFigures(this.chain, this.facts, loading) };
    }
    const view = chainView(this.chain, this.facts, {
      accountLabel: this.session.account.label,
      scopeLabel: (id) => this.session.state(id)?.scope.label ?? labels.get(id) ?? id,
      actionsFor: (r) => adapter?.actionsFor(r) ?? [],
      selectedId: this.selectedId,
      loading,
      progress,
      nouns: this.app.nouns(this.session.account.id),
      nameOf: (id) => {
        const r = this.session.find(id);
        return r ? resourceName(r) : undefined;
      },
    }, this.memo.figures);
    view.restore = { accountId: this.session.account.id, anchorId: this.anchorId };
    this.lastView = view;
    if (this.ready) {
      this.post({ type: 'chain', view });
    }
  }

  private post(m: ToWebview): void {
    if (this.ready && !this.disposed) {
      void this.panel.webview.postMessage(encodeToWebview(m));
    }
  }

  private title(): string {
    const d = this.chain.disk;
    const name = d ? (d.name && d.name.trim() ? d.name : d.id) : (this.chain.diskId ?? this.chain.snapshots[0]?.id ?? this.chain.backups[0]?.id ?? 'snapshots');
    return `Chain: ${name}`;
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    clearTimeout(this.timer);
    this.factsRun?.abort();
    this.onDispose();
    for (const d of this.disposables) {
      d.dispose();
    }
    this.panel.dispose();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A static page (no script) with one message. */
function notRestoredHtml(message: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Snapshot Chain</title>
</head>
<body style="font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 1em">
<p role="alert">${escapeHtml(message)}</p>
</body>
</html>`;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  for (const b of bytes) {
    out += chars[b % chars.length];
  }
  return out;
}

/** The page: strict CSP with a nonce, the bundled script and style from dist/webview only. */
export function html(webview: vscode.Webview, root: vscode.Uri): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'chain.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'chain.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource} 'nonce-${n}'`,
    `img-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${n}" href="${style.toString()}">
<title>Snapshot Chain</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading the snapshot chain…</p></main>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}
