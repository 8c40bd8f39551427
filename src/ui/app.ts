import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { AccountStore } from '../core/accounts';
import { AccountSecrets, credentialContext } from '../core/credentials';
import { AccountSession } from '../core/session';
import { OperationTracker, type TrackedOperation, type UnreadableEntry } from '../core/tracker';
import type { MenuTitles } from '../model/actions';
import { NEUTRAL_NOUNS, type AdapterContext, type AdapterModule, type CloudAdapter, type CloudNouns, type Memento } from '../model/adapter';
import { errorText } from '../model/errors';
import type { AccountConfig, CloudKind, OperationRecord, OperationStatus } from '../model/types';
import type { Sandbox } from '../sandbox';
import { editorToken } from './auth';
import { CHAIN_VIEW_TYPE, ChainPanels } from './chainPanel';
import { SafeLogChannel } from './log';
import { CLOUD_LABELS, loadAdapterModule, loadSandboxModule } from './loaders';
import { VscodePrompter, type Prompter } from './prompter';
import { message } from './safeText';
import { OperationStatusBar } from './statusBar';
import { nodeId, SnapkeeperTree, type ExpansionMemory, type Node } from './tree';

/** This window's lasting identity in the shared operation journal (workspace storage: kept across reloads). */
const WINDOW_KEY = 'snapkeeper.window';
/** The tree nodes left expanded (workspace storage), by TreeItem id. */
const EXPANDED_KEY = 'snapkeeper.tree.expanded';
/** At most this many expanded node ids are kept (the oldest go first). */
const EXPANDED_MAX = 500;
/** How long an ended operation's notice waits for the tree to be relisted (ms). */
const RELIST_WAIT_MS = 10_000;

/**
 * Everything the extension holds while active: accounts and their sessions, the tree, the
 * operation tracker, the status bar and the in-process sandbox. Commands live in commands.ts.
 */
export class App implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly accounts: AccountStore;
  /** Secrets typed for accounts, in VS Code's SecretStorage only (core/credentials.ts). */
  readonly secrets: AccountSecrets;
  readonly tree: SnapkeeperTree;
  readonly view: vscode.TreeView<Node>;
  readonly tracker: OperationTracker;
  /** Replaced by extension-host tests with scripted answers. */
  prompter: Prompter = new VscodePrompter();
  private readonly sessions = new Map<string, AccountSession>();
  readonly statusBar: OperationStatusBar;
  private sandbox?: Promise<Sandbox>;
  /** The sandbox once started, so dispose can save its state synchronously. */
  private sandboxStarted?: Sandbox;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<{ accountId?: string; scopeId?: string }>();
  /** A scope of an account was (re)listed or is loading, or tracked operations progressed. */
  readonly onDidChange = this.changeEmitter.event;
  /** The snapshot chain panels (one per disk lineage). */
  readonly chains: ChainPanels;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = new SafeLogChannel(vscode.window.createOutputChannel('Snapkeeper', { log: true }));
    this.accounts = new AccountStore(context.globalState);
    this.secrets = new AccountSecrets(context.secrets);
    const expanded = new ExpandedNodes(context.workspaceState);
    this.tree = new SnapkeeperTree(
      {
        accounts: () => this.accounts.list(),
        session: (id) => this.session(id),
        prefetch: () => this.setting('prefetchScopes', true),
        nouns: (id) => this.nouns(id),
        menuTitles: (id) => this.menuTitles(id),
      },
      expanded,
    );
    this.view = vscode.window.createTreeView('snapkeeper.resources', {
      treeDataProvider: this.tree,
      showCollapseAll: true,
    });
    this.statusBar = new OperationStatusBar();
    // The journal is shared with the editor's other windows (globalState); see core/tracker.ts.
    this.tracker = new OperationTracker(
      context.globalState,
      {
        adapterFor: async (accountId) => this.session(accountId)?.adapter(),
        finished: (record, status) => void this.operationFinished(record, status),
        stopped: (record, reason) => this.operationStopped(record, reason),
        unreadable: (entries) => this.journalUnreadable(entries),
        changed: () => {
          const running = this.tracker.list();
          this.statusBar.update(running);
          this.tree.operationsChanged(running);
          this.changeEmitter.fire({});
        },
        log: (m) => this.log.info(m),
      },
      undefined,
      { home: windowHome(context.workspaceState) },
    );
    this.chains = new ChainPanels(this);
    this.disposables.push(
      this.log,
      this.view,
      this.tree,
      this.statusBar,
      this.chains,
      this.changeEmitter,
      this.view.onDidExpandElement((e) => expanded.set(nodeId(e.element), true)),
      this.view.onDidCollapseElement((e) => expanded.set(nodeId(e.element), false)),
      // Chain panels open before a window reload come back (package.json: onWebviewPanel).
      vscode.window.registerWebviewPanelSerializer(CHAIN_VIEW_TYPE, this.chains),
    );
    // Operations that were running before a reload are followed again.
    this.tracker.resume();
  }

  /** The words of an account's cloud ("region", "zone"…), from its adapter module. */
  nouns(accountId: string): CloudNouns {
    return this.adapterModule(accountId)?.nouns ?? NEUTRAL_NOUNS;
  }

  /** What an account's cloud titles some actions in its menus ("Roll Back (Rebuild)"), from its adapter module. */
  menuTitles(accountId: string): MenuTitles {
    return this.adapterModule(accountId)?.menuTitles ?? {};
  }

  private adapterModule(accountId: string): AdapterModule | undefined {
    const account = this.accounts.get(accountId);
    try {
      return account ? loadAdapterModule(account.cloud) : undefined;
    } catch {
      // The bundle failed to load: the account's node shows that error; words and menus stay neutral.
      return undefined;
    }
  }

  setting<T>(key: string, fallback: T): T {
    return vscode.workspace.getConfiguration('snapkeeper').get<T>(key, fallback);
  }

  /** The session of an account (created on first use), or undefined if the account is gone. */
  session(accountId: string): AccountSession | undefined {
    let s = this.sessions.get(accountId);
    if (!s) {
      const account = this.accounts.get(accountId);
      if (!account) {
        return undefined;
      }
      s = new AccountSession(
        account,
        (a) => this.createAdapter(a),
        (scopeId) => {
          this.tree.scopeChanged(accountId, scopeId);
          this.changeEmitter.fire({ accountId, scopeId });
        },
      );
      this.sessions.set(accountId, s);
    }
    return s;
  }

  allSessions(): AccountSession[] {
    return this.accounts
      .list()
      .map((a) => this.session(a.id))
      .filter((s): s is AccountSession => !!s);
  }

  /** Forgets an account's session (removed account, or to rebuild after settings changed). */
  dropSession(accountId: string): void {
    this.sessions.get(accountId)?.dispose();
    this.sessions.delete(accountId);
  }

  private async createAdapter(account: AccountConfig): Promise<CloudAdapter> {
    const mod = loadAdapterModule(account.cloud);
    const ctx: AdapterContext = {
      log: (m) => this.log.info(m),
      setting: (k, f) => this.setting(k, f),
      maxConcurrency: Math.max(1, this.setting('maxConcurrency', 128)),
      sandbox: account.sandbox ? await this.sandboxInfo(account.cloud) : undefined,
      ...credentialContext(mod, editorToken, { secrets: this.secrets, accountId: account.id }),
      memento: this.memento(account.id),
      workspaceFolders: workspaceFolderPaths(),
    };
    this.log.info(`Loaded the ${CLOUD_LABELS[account.cloud]} adapter for "${account.label}".`);
    return mod.createAdapter(account, ctx);
  }

  /** Small values an adapter keeps per account across reloads (export expiry times…). */
  memento(accountId: string): Memento {
    const key = (k: string) => `snapkeeper.adapter.${accountId}.${k}`;
    return {
      get: <T>(k: string) => this.context.globalState.get<T>(key(k)),
      update: async (k, value) => {
        await this.context.globalState.update(key(k), value);
      },
    };
  }

  /** Drops what adapters kept for a removed account. */
  async forgetMemento(accountId: string): Promise<void> {
    const prefix = `snapkeeper.adapter.${accountId}.`;
    for (const k of this.context.globalState.keys().filter((k) => k.startsWith(prefix))) {
      await this.context.globalState.update(k, undefined);
    }
  }

  /** Starts the in-process sandbox on first use; its state lives in the extension's storage. */
  startSandbox(): Promise<Sandbox> {
    if (!this.sandbox) {
      const dir = this.context.globalStorageUri.fsPath;
      mkdirSync(dir, { recursive: true });
      const statePath = join(dir, 'sandbox-state.json');
      const port = this.setting('sandbox.port', 0);
      this.sandbox = (async () => loadSandboxModule().startSandbox({ port, statePath }))();
      this.sandbox.then(
        (sb) => {
          this.sandboxStarted = sb;
          const endpoints = Object.values(sb.info as Record<string, { endpoint: string }>).map((i) => i.endpoint);
          this.log.info(`Sandbox listening on ${[...new Set(endpoints)].join(', ')} (state: ${statePath}).`);
        },
        (e) => {
          this.log.error(`The sandbox did not start: ${errorText(e)}`);
          this.sandbox = undefined;
        },
      );
    }
    return this.sandbox;
  }

  async sandboxInfo(cloud: CloudKind): Promise<unknown> {
    const sb = await this.startSandbox();
    const info = (sb.info as Partial<Record<CloudKind, unknown>>)[cloud];
    if (!info) {
      throw new Error(`The sandbox does not emulate ${CLOUD_LABELS[cloud]} yet.`);
    }
    return info;
  }

  async sandboxClouds(): Promise<CloudKind[]> {
    const sb = await this.startSandbox();
    return (Object.keys(sb.info) as CloudKind[]).filter((c) => c in CLOUD_LABELS);
  }

  /** Ended operations whose notice waits for their scopes to be listed again (read by the tests). */
  announcing = 0;

  /** The operations list (the status-bar item's command): reveal or dismiss one. */
  showOperations(): void {
    this.statusBar.showList({
      reveal: (op) => this.reveal(op.accountId, op.revealId ?? op.resourceId),
      dismiss: (op) => this.dismissOperation(op),
    });
  }

  /** Stops following an operation; the cloud operation itself goes on. */
  async dismissOperation(op: TrackedOperation): Promise<void> {
    const record = await this.tracker.dismiss(op.id);
    if (!record) {
      return;
    }
    // Redraw it as last listed (no tracked progress any more), and list it again.
    this.session(record.accountId)?.refresh(record.refreshScopeIds);
    void vscode.window.showInformationMessage(
      message`Snapkeeper: no longer following ${record.title}. The operation itself goes on in the cloud; refresh the tree to see its state.`,
    );
  }

  /**
   * An operation ended. The affected scopes are listed again first (for a while at most), so the
   * tree shows the final state by the time the notice appears, not the pending state it was
   * last listed with.
   */
  private async operationFinished(record: OperationRecord, status: OperationStatus): Promise<void> {
    const session = this.session(record.accountId);
    // What the operation was about, as last listed (a new snapshot is listed while pending).
    const subject = session?.find(record.revealId ?? record.resourceId);
    if (session) {
      this.announcing++;
      try {
        await this.relist(session, record.refreshScopeIds);
      } finally {
        this.announcing--;
      }
      for (const id of new Set([record.resourceId, record.revealId ?? record.resourceId])) {
        this.tree.resourceChanged(record.accountId, id);
      }
    }
    const reveal = 'Reveal in Tree';
    const showLog = 'Show Log';
    const openChain = 'Open Chain';
    const chainable = !status.failed && (subject?.kind === 'snapshot' || subject?.kind === 'disk' || subject?.kind === 'backup');
    const done = status.failed
      ? vscode.window.showErrorMessage(
          status.message ? message`Snapkeeper: ${record.title} failed: ${status.message}` : message`Snapkeeper: ${record.title} failed.`,
          reveal,
          showLog,
        )
      : vscode.window.showInformationMessage(message`Snapkeeper: ${record.title} completed.`, ...(chainable ? [reveal, openChain] : [reveal]));
    void done.then((choice) => {
      if (choice === reveal) {
        void vscode.commands.executeCommand('snapkeeper.revealResource', record.accountId, record.revealId ?? record.resourceId);
      } else if (choice === openChain) {
        void this.chains.open(record.accountId, record.revealId ?? record.resourceId);
      } else if (choice === showLog) {
        this.log.show();
      }
    });
  }

  /** Lists the given (loaded) scopes again and waits for it, up to RELIST_WAIT_MS. */
  private async relist(session: AccountSession, scopeIds: string[]): Promise<void> {
    const loads = [...new Set(scopeIds)].flatMap((id) => {
      const state = session.state(id);
      return state ? [session.load(state.scope, true)] : [];
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(loads), new Promise((r) => (timer = setTimeout(r, RELIST_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** This window stopped following an operation it cannot poll. */
  private operationStopped(record: OperationRecord, reason: string): void {
    this.session(record.accountId)?.refresh(record.refreshScopeIds);
    void vscode.window
      .showWarningMessage(
        message`Snapkeeper: no longer following ${record.title}: ${reason}. The operation itself may still run in the cloud; refresh the tree to see its state.`,
        'Show Log',
      )
      .then((choice) => choice && this.log.show());
  }

  /** Journal entries could not be read: say which, once (they were moved aside, not deleted). */
  private journalUnreadable(entries: UnreadableEntry[]): void {
    const shown = entries.slice(0, 5).map((e) => `${e.what} (${e.reason})`);
    const more = entries.length > shown.length ? ` and ${entries.length - shown.length} more` : '';
    void vscode.window
      .showWarningMessage(
        message`Snapkeeper: ${entries.length} saved operation${entries.length === 1 ? '' : 's'} could not be read and will not be followed: ${shown.join('; ')}${more}. They were kept aside in the extension's storage; the log has the details.`,
        'Show Log',
      )
      .then((choice) => choice && this.log.show());
  }

  /** Selects a resource in the tree, loading its scope first if needed. */
  async reveal(accountId: string, resourceId: string): Promise<boolean> {
    const session = this.session(accountId);
    if (!session) {
      return false;
    }
    let node = this.tree.nodeForResource(accountId, resourceId);
    if (!node) {
      // Not listed yet (just created): reload the scopes that were loaded and look again.
      const scopes = await session.leafScopes();
      await Promise.all(scopes.filter((s) => session.state(s.id)).map((s) => session.load(s, true)));
      node = this.tree.nodeForResource(accountId, resourceId);
    }
    if (!node) {
      void vscode.window.showWarningMessage(message`Snapkeeper: ${resourceId} is not listed (it may have been deleted).`);
      return false;
    }
    try {
      await this.view.reveal(node, { select: true, focus: true, expand: true });
    } catch (e) {
      // The view may have been redrawing that branch (a scope reloading): try once more.
      this.log.warn(`Reveal of ${resourceId} failed (${errorText(e)}); trying again.`);
      await new Promise((r) => setTimeout(r, 300));
      const again = this.tree.nodeForResource(accountId, resourceId);
      if (!again) {
        return false;
      }
      await this.view.reveal(again, { select: true, focus: true, expand: true });
    }
    return true;
  }

  dispose(): void {
    this.tracker.dispose();
    for (const s of this.sessions.values()) {
      s.dispose();
    }
    this.sessions.clear();
    // Save now: a window reload may not wait for the asynchronous close.
    this.sandboxStarted?.save();
    void this.sandbox?.then(
      (sb) => sb.close(),
      () => undefined,
    );
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

/** This window's lasting identity: made once per workspace, the same after a window reload. */
function windowHome(state: vscode.Memento): string {
  const saved = state.get<unknown>(WINDOW_KEY);
  if (typeof saved === 'string' && saved) {
    return saved;
  }
  const home = randomUUID();
  void state.update(WINDOW_KEY, home);
  return home;
}

/** The tree nodes left expanded, kept in the workspace's storage (newest last, bounded). */
class ExpandedNodes implements ExpansionMemory {
  private readonly ids: Set<string>;

  constructor(private readonly state: vscode.Memento) {
    const saved = state.get<unknown>(EXPANDED_KEY);
    this.ids = new Set(Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string') : []);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  set(id: string, expanded: boolean): void {
    this.ids.delete(id);
    if (expanded) {
      this.ids.add(id);
    }
    void this.state.update(EXPANDED_KEY, [...this.ids].slice(-EXPANDED_MAX));
  }
}

/** The open workspace folders' paths (the adapters' `./`). */
export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}
