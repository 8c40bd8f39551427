import * as vscode from 'vscode';
import { AccountSession, type ScopeState } from '../core/session';
import { contextValue, type ActionId, type MenuTitles } from '../model/actions';
import { errorText, isCloudError } from '../model/errors';
import type { CloudNouns } from '../model/adapter';
import type { AccountConfig, Resource, ResourceKind, Scope } from '../model/types';
import { iconFor, tooltip } from './format';
import { CLOUD_LABELS } from './loaders';
import { describe, displayName } from './resourceText';
import { markdownText } from './safeText';
import {
  backupRelated,
  byName,
  countsText,
  diskChildren,
  emptyScopesText,
  folderItems,
  folderLabel,
  folderTooltip,
  hasChildren,
  leafFolders,
  noScopesText,
  policiesOf,
  protectionText,
  protectsText,
  restorePointMark,
  restorePointParent,
  vmChildren,
  type FolderKind,
} from './treeShape';

export type { FolderKind } from './treeShape';
export { countsText } from './treeShape';

/** Elements of the Snapkeeper tree. Plain data; the provider turns them into TreeItems. */
export type Node =
  | { type: 'account'; accountId: string }
  | { type: 'scope'; accountId: string; scope: Scope }
  /** The leaf scopes that turned out to hold nothing, grouped at the end. */
  | { type: 'emptyScopes'; accountId: string; parent?: Scope }
  /** A group of a leaf scope, or of a resource (`ownerId`: a VM's Restore points, a disk's Backups). */
  | { type: 'folder'; accountId: string; scope: Scope; folder: FolderKind; ownerId?: string }
  | { type: 'resource'; accountId: string; scope: Scope; kind: ResourceKind; resourceId: string }
  | { type: 'error'; accountId: string; scope?: Scope; error: unknown }
  | { type: 'info'; accountId: string; key: string; label: string; icon: string };

/** Where the tree finds accounts and their sessions. */
export interface SessionSource {
  accounts(): AccountConfig[];
  session(accountId: string): AccountSession | undefined;
  prefetch(): boolean;
  /** The account's cloud's own words ("region", "zone"…) for the tree's groups. */
  nouns(accountId: string): CloudNouns;
  /** What the account's cloud titles some actions in its menus: their items carry those variants' words. */
  menuTitles(accountId: string): MenuTitles;
}

/** Which nodes (by TreeItem id) the user left expanded, kept across window reloads. */
export interface ExpansionMemory {
  has(id: string): boolean;
}

const FOLDER_ICON: Record<FolderKind, string> = {
  images: 'file-media',
  detached: 'database',
  orphans: 'archive',
  schedules: 'calendar',
  restorePoints: 'milestone',
  backups: 'archive',
};

/** The TreeItem id of a node: stable across repaints and reloads (expansion is kept by it). */
export function nodeId(node: Node): string {
  switch (node.type) {
    case 'account':
      return `a:${node.accountId}`;
    case 'scope':
      return `s:${node.accountId}:${node.scope.id}`;
    case 'emptyScopes':
      return `x:${node.accountId}:${node.parent?.id ?? ''}`;
    case 'folder':
      return folderKey(node.accountId, node.scope, node.folder, node.ownerId);
    case 'resource':
      return `r:${node.accountId}:${node.resourceId}`;
    case 'error':
      return `e:${node.accountId}:${node.scope?.id ?? ''}`;
    case 'info':
      return `i:${node.accountId}:${node.key}`;
  }
}

function folderKey(accountId: string, scope: Scope, folder: FolderKind, ownerId: string | undefined): string {
  return `f:${accountId}:${scope.id}:${folder}${ownerId === undefined ? '' : `:${ownerId}`}`;
}

/**
 * The Snapkeeper tree: account → scope → VM → disk → snapshot, plus per-scope folders for images,
 * detached disks, snapshots and backups whose disk is gone and schedules, each VM's restore
 * points and each disk's backups (what goes where: treeShape.ts). It reads only the model.
 */
export class SnapkeeperTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Nodes handed out, by key, so refresh events and reveal use the same objects. */
  private readonly nodes = new Map<string, Node>();
  private readonly pendingRefresh = new Map<string, NodeJS.Timeout>();
  /** Whether each scope was last drawn as empty (`accountId:scopeId`). */
  private readonly shownEmpty = new Map<string, boolean>();
  /**
   * The tracker's live progress of resources being created (accountId and resourceId → %): a
   * pending resource shows it rather than the figure of its last listing.
   */
  private tracked = new Map<string, number>();

  constructor(
    private readonly source: SessionSource,
    private readonly expansion: ExpansionMemory = { has: () => false },
  ) {}

  dispose(): void {
    for (const t of this.pendingRefresh.values()) {
      clearTimeout(t);
    }
    this.emitter.dispose();
  }

  /** Repaints everything (accounts added/removed). */
  refreshAll(): void {
    this.nodes.clear();
    this.emitter.fire(undefined);
  }

  /**
   * Repaints an account's scope node (or the account when `scopeId` is undefined), coalescing
   * bursts (one page after another) into one redraw per 150 ms.
   */
  scopeChanged(accountId: string, scopeId: string | undefined): void {
    if (scopeId !== undefined) {
      // A scope moves between the top level and the group of empty scopes only when its emptiness changes:
      // only then redraw the account (redrawing it at every page would disturb a reveal).
      const session = this.source.session(accountId);
      const scope = session?.state(scopeId)?.scope;
      const key = `${accountId}:${scopeId}`;
      const empty = scope ? this.isEmpty(session, scope) : false;
      if ((this.shownEmpty.get(key) ?? false) !== empty) {
        this.shownEmpty.set(key, empty);
        this.scopeChanged(accountId, undefined);
      }
    }
    const key = scopeId === undefined ? `a:${accountId}` : `s:${accountId}:${scopeId}`;
    if (this.pendingRefresh.has(key)) {
      return;
    }
    this.pendingRefresh.set(
      key,
      setTimeout(() => {
        this.pendingRefresh.delete(key);
        const node = this.nodes.get(key);
        this.emitter.fire(node ?? undefined);
      }, 150),
    );
  }

  /**
   * The tracked operations changed: pending resources show the tracker's progress, and a resource
   * whose operation ended is redrawn at once (with its new listing, or as last listed).
   */
  operationsChanged(running: { accountId: string; resourceId: string; progress?: number }[]): void {
    const next = new Map<string, number>();
    for (const r of running) {
      if (r.progress !== undefined) {
        next.set(`${r.accountId}\0${r.resourceId}`, r.progress);
      }
    }
    const changed = [...new Set([...next.keys(), ...this.tracked.keys()])].filter((k) => next.get(k) !== this.tracked.get(k));
    this.tracked = next;
    for (const k of changed) {
      const [accountId, resourceId] = k.split('\0');
      this.resourceChanged(accountId, resourceId);
    }
  }

  /** Repaints a resource's node now (when it was drawn). */
  resourceChanged(accountId: string, resourceId: string): void {
    const node = this.nodes.get(`r:${accountId}:${resourceId}`);
    if (node) {
      this.emitter.fire(node);
    }
  }

  // --- node factories (cached by key) ---------------------------------------------------------

  private intern<T extends Node>(key: string, make: () => T): T {
    let n = this.nodes.get(key) as T | undefined;
    if (!n) {
      n = make();
      this.nodes.set(key, n);
    } else if (n.type === 'scope' || n.type === 'folder' || n.type === 'resource') {
      // Keep the identity, refresh the data it carries.
      Object.assign(n, make());
    }
    return n;
  }

  accountNode(accountId: string): Node {
    return this.intern(`a:${accountId}`, () => ({ type: 'account', accountId }));
  }

  scopeNode(accountId: string, scope: Scope): Node {
    return this.intern(`s:${accountId}:${scope.id}`, () => ({ type: 'scope', accountId, scope }));
  }

  folderNode(accountId: string, scope: Scope, folder: FolderKind, ownerId?: string): Node {
    return this.intern(folderKey(accountId, scope, folder, ownerId), () => ({ type: 'folder', accountId, scope, folder, ...(ownerId === undefined ? {} : { ownerId }) }));
  }

  resourceNode(accountId: string, scope: Scope, r: Resource): Node {
    return this.intern(`r:${accountId}:${r.id}`, () => ({
      type: 'resource',
      accountId,
      scope,
      kind: r.kind,
      resourceId: r.id,
    }));
  }

  // --- TreeDataProvider -----------------------------------------------------------------------

  getTreeItem(node: Node): vscode.TreeItem {
    const item = this.itemFor(node);
    item.id = nodeId(node);
    // What the user left expanded comes back expanded (after a window reload too).
    if (item.collapsibleState === vscode.TreeItemCollapsibleState.Collapsed && this.expansion.has(item.id)) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    }
    return item;
  }

  private itemFor(node: Node): vscode.TreeItem {
    switch (node.type) {
      case 'account':
        return this.accountItem(node.accountId);
      case 'scope':
        return this.scopeItem(node.accountId, node.scope);
      case 'folder': {
        const count = this.folderItems(node.accountId, node.scope, node.folder, node.ownerId).length;
        const inv = this.source.session(node.accountId)?.inventory(node.scope.id);
        const nouns = this.source.nouns(node.accountId);
        const item = new vscode.TreeItem(
          folderLabel(node.folder, nouns, inv),
          count > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = String(count);
        item.tooltip = folderTooltip(node.folder, nouns, inv);
        item.iconPath = new vscode.ThemeIcon(FOLDER_ICON[node.folder]);
        item.contextValue = `snapkeeper.folder`;
        return item;
      }
      case 'resource':
        return this.resourceItem(node);
      case 'error':
        return this.errorItem(node);
      case 'emptyScopes': {
        const n = this.emptyScopes(node.accountId, node.parent).length;
        const text = emptyScopesText(this.source.nouns(node.accountId));
        const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = String(n);
        item.tooltip = text.tooltip;
        item.iconPath = new vscode.ThemeIcon('circle-slash');
        item.contextValue = 'snapkeeper.emptyScopes';
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'snapkeeper.info';
        return item;
      }
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      return this.source.accounts().map((a) => this.accountNode(a.id));
    }
    const session = this.source.session(node.accountId);
    if (!session) {
      return [];
    }
    switch (node.type) {
      case 'account':
        return this.scopeChildren(session, undefined);
      case 'emptyScopes':
        return this.emptyScopes(node.accountId, node.parent).map((s) => this.scopeNode(node.accountId, s));
      case 'scope':
        return node.scope.leaf ? this.leafChildren(session, node.scope) : this.scopeChildren(session, node.scope);
      case 'folder':
        return this.folderItems(node.accountId, node.scope, node.folder, node.ownerId).map((r) =>
          this.resourceNode(node.accountId, node.scope, r),
        );
      case 'resource':
        return this.resourceChildren(session, node);
      default:
        return [];
    }
  }

  getParent(node: Node): Node | undefined {
    const session = this.source.session(node.accountId);
    switch (node.type) {
      case 'account':
        return undefined;
      case 'scope': {
        const parent = node.scope.parentId
          ? this.nodes.get(`s:${node.accountId}:${node.scope.parentId}`)
          : this.accountNode(node.accountId);
        if (!this.isEmpty(session, node.scope)) {
          return parent;
        }
        return this.intern(`x:${node.accountId}:${node.scope.parentId ?? ''}`, () => ({
          type: 'emptyScopes',
          accountId: node.accountId,
          parent: parent?.type === 'scope' ? parent.scope : undefined,
        }));
      }
      case 'folder':
        return node.ownerId === undefined ? this.scopeNode(node.accountId, node.scope) : this.ownerNode(node.accountId, node.scope, node.ownerId);
      case 'emptyScopes':
        return node.parent ? this.nodes.get(`s:${node.accountId}:${node.parent.id}`) : this.accountNode(node.accountId);
      case 'error':
      case 'info':
        return undefined;
      case 'resource': {
        const r = session?.state(node.scope.id)?.items.get(node.resourceId);
        if (!session || !r) {
          return this.scopeNode(node.accountId, node.scope);
        }
        return this.parentOf(session, node.scope, r);
      }
    }
  }

  /** The node to reveal for a resource id (loading nothing: the scope must be loaded). */
  nodeForResource(accountId: string, resourceId: string): Node | undefined {
    const session = this.source.session(accountId);
    const r = session?.find(resourceId);
    if (!session || !r) {
      return undefined;
    }
    const scope = session.state(r.scopeId)?.scope;
    return scope ? this.resourceNode(accountId, scope, r) : undefined;
  }

  // --- children -------------------------------------------------------------------------------

  private async scopeChildren(session: AccountSession, parent: Scope | undefined): Promise<Node[]> {
    const id = session.account.id;
    try {
      const scopes = await session.scopes(parent);
      if (this.source.prefetch()) {
        // Fetch every leaf scope now, in parallel (the adapter bounds requests): counts fill in
        // as each answers and expanding one is instant. Only scopes never listed: this runs on
        // every redraw of the account, and each scope change repaints it, so reloading a scope
        // whose listing failed here would retry it in a tight loop (Retry/Refresh do that).
        for (const s of scopes) {
          if (s.leaf && !session.state(s.id)) {
            void session.load(s);
          }
        }
      }
      if (scopes.length === 0) {
        return [{ type: 'info', accountId: id, key: `empty:${parent?.id ?? ''}`, label: noScopesText(this.source.nouns(id), parent !== undefined), icon: 'info' }];
      }
      const empty = scopes.filter((s) => this.isEmpty(session, s));
      if (empty.length === 0 || empty.length === scopes.length) {
        return scopes.map((s) => this.scopeNode(id, s));
      }
      return [
        ...scopes.filter((s) => !empty.includes(s)).map((s) => this.scopeNode(id, s)),
        this.intern(`x:${id}:${parent?.id ?? ''}`, () => ({ type: 'emptyScopes', accountId: id, parent })),
      ];
    } catch (e) {
      return [{ type: 'error', accountId: id, scope: parent, error: e }];
    }
  }

  /**
   * A leaf scope whose last complete listing had nothing in it. A refresh keeps it so while it
   * reloads, so "Refresh" does not move two dozen scopes out of the empty ones' group and back.
   */
  private isEmpty(session: AccountSession | undefined, scope: Scope): boolean {
    const state = session?.state(scope.id);
    return scope.leaf && state?.loadedAt !== undefined && state.status !== 'error' && state.items.size === 0;
  }

  /** The empty scopes among the children of `parent` (cached scope list; [] until it is known). */
  private emptyScopes(accountId: string, parent: Scope | undefined): Scope[] {
    const session = this.source.session(accountId);
    const scopes = session?.cachedScopes(parent) ?? [];
    return scopes.filter((s) => this.isEmpty(session, s));
  }

  private leafChildren(session: AccountSession, scope: Scope): Node[] {
    const id = session.account.id;
    const state = session.state(scope.id);
    if (!state || state.status === 'idle') {
      void session.load(scope);
      return [{ type: 'info', accountId: id, key: `loading:${scope.id}`, label: 'Loading…', icon: 'loading~spin' }];
    }
    const out: Node[] = [];
    if (state.status === 'error') {
      out.push({ type: 'error', accountId: id, scope, error: state.error });
    }
    const inv = session.inventory(scope.id);
    for (const vm of [...inv.vms].sort(byName)) {
      out.push(this.resourceNode(id, scope, vm));
    }
    for (const folder of leafFolders(inv)) {
      out.push(this.folderNode(id, scope, folder));
    }
    if (state.status === 'loading') {
      out.push({ type: 'info', accountId: id, key: `more:${scope.id}`, label: 'Loading…', icon: 'loading~spin' });
    }
    return out;
  }

  private folderItems(accountId: string, scope: Scope, folder: FolderKind, ownerId?: string): Resource[] {
    const session = this.source.session(accountId);
    return session ? folderItems(session.inventory(scope.id), folder, ownerId) : [];
  }

  private resourceChildren(session: AccountSession, node: Extract<Node, { type: 'resource' }>): Node[] {
    const inv = session.inventory(node.scope.id);
    const id = session.account.id;
    switch (node.kind) {
      case 'vm': {
        const vm = inv.vms.find((v) => v.id === node.resourceId);
        if (!vm) {
          return [];
        }
        const children = vmChildren(inv, vm);
        const disks = children.disks.map((d) => this.resourceNode(id, node.scope, d));
        return children.restorePoints ? [...disks, this.folderNode(id, node.scope, 'restorePoints', vm.id)] : disks;
      }
      case 'disk': {
        const disk = inv.disks.find((d) => d.id === node.resourceId);
        if (!disk) {
          return [];
        }
        const children = diskChildren(inv, disk);
        const snapshots = children.snapshots.map((s) => this.resourceNode(id, node.scope, s));
        return children.backups ? [...snapshots, this.folderNode(id, node.scope, 'backups', disk.id)] : snapshots;
      }
      default:
        return [];
    }
  }

  /** The node of the resource a group belongs to (a VM, for its Restore points; a disk, for its Backups). */
  private ownerNode(accountId: string, scope: Scope, ownerId: string): Node {
    const r = this.source.session(accountId)?.state(scope.id)?.items.get(ownerId);
    return r ? this.resourceNode(accountId, scope, r) : this.scopeNode(accountId, scope);
  }

  private parentOf(session: AccountSession, scope: Scope, r: Resource): Node {
    const id = session.account.id;
    const inv = session.inventory(scope.id);
    switch (r.kind) {
      case 'vm':
        return this.scopeNode(id, scope);
      case 'image':
        return this.folderNode(id, scope, 'images');
      case 'disk': {
        const vm = inv.vms.find((v) => r.attachments.some((a) => a.vmId === v.id));
        return vm ? this.resourceNode(id, scope, vm) : this.folderNode(id, scope, 'detached');
      }
      case 'snapshot': {
        const disk = inv.disks.find((d) => d.id === r.diskId);
        return disk ? this.resourceNode(id, scope, disk) : this.folderNode(id, scope, 'orphans');
      }
      case 'policy':
        return this.folderNode(id, scope, 'schedules');
      case 'restorePoint':
        return this.folderNode(id, scope, 'restorePoints', r.vmId);
      case 'backup': {
        const disk = inv.disks.find((d) => d.id === r.diskId);
        return disk ? this.folderNode(id, scope, 'backups', disk.id) : this.folderNode(id, scope, 'orphans');
      }
    }
  }

  // --- items ----------------------------------------------------------------------------------

  private accountItem(accountId: string): vscode.TreeItem {
    const account = this.source.accounts().find((a) => a.id === accountId);
    const item = new vscode.TreeItem(account?.label ?? accountId, vscode.TreeItemCollapsibleState.Collapsed);
    item.iconPath = new vscode.ThemeIcon(account?.sandbox ? 'beaker' : 'cloud');
    item.description = account ? `${CLOUD_LABELS[account.cloud]}${account.sandbox ? ' · sandbox' : ''}` : undefined;
    item.tooltip = account
      ? account.sandbox
        ? `${account.label}: the built-in sandbox, a local emulation of ${CLOUD_LABELS[account.cloud]} on 127.0.0.1 (no credentials needed)`
        : `${account.label} (${CLOUD_LABELS[account.cloud]})${Object.entries(account.settings)
            .map(([k, v]) => `\n${k}: ${v}`)
            .join('')}`
      : undefined;
    item.contextValue = `snapkeeper.account${account?.sandbox ? ' sandbox' : ''}`;
    return item;
  }

  private scopeItem(accountId: string, scope: Scope): vscode.TreeItem {
    const session = this.source.session(accountId);
    const state = session?.state(scope.id);
    // A leaf scope that turned out empty has nothing to expand.
    const empty = this.isEmpty(session, scope);
    const item = new vscode.TreeItem(
      scope.label,
      empty ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.iconPath = new vscode.ThemeIcon(
      state?.status === 'error' ? 'warning' : state?.status === 'loading' ? 'loading~spin' : 'globe',
    );
    item.description = scopeDescription(scope, state, this.source.nouns(accountId));
    item.tooltip = [scope.description ?? scope.label, state?.status === 'error' ? errorText(state.error) : undefined]
      .filter(Boolean)
      .join('\n');
    item.contextValue = `snapkeeper.scope${scope.leaf ? ' leaf' : ''}`;
    return item;
  }

  private resourceItem(node: Extract<Node, { type: 'resource' }>): vscode.TreeItem {
    const session = this.source.session(node.accountId);
    const r = session?.state(node.scope.id)?.items.get(node.resourceId);
    if (!session || !r) {
      const gone = new vscode.TreeItem(node.resourceId, vscode.TreeItemCollapsibleState.None);
      gone.description = 'no longer listed';
      return gone;
    }
    const inv = session.inventory(node.scope.id);
    const item = new vscode.TreeItem(
      displayName(r),
      hasChildren(inv, r) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    // While an operation creates it, the tracker's progress is fresher than the listing's.
    const progress = (r.kind === 'snapshot' || r.kind === 'backup') && r.phase === 'pending' ? this.tracked.get(`${node.accountId}\0${r.id}`) : undefined;
    const line = describe((r.kind === 'snapshot' || r.kind === 'backup') && progress !== undefined ? { ...r, progress } : r);
    // A disk says which schedules protect it; a schedule how many disks it protects; a restore
    // point whether the current one was taken right after it ("current" is on its own line).
    const policies = r.kind === 'disk' ? policiesOf(inv, r) : [];
    const mark = r.kind === 'restorePoint' ? restorePointMark(inv, r) : undefined;
    const extra =
      r.kind === 'disk' ? protectionText(policies) : r.kind === 'policy' ? protectsText(inv, r) : mark === 'parent of current' ? mark : undefined;
    item.description = [line, extra].filter(Boolean).join(' · ');
    item.tooltip = tooltip(
      r,
      this.source.nouns(node.accountId),
      policies.length ? [['Protected by', policies.map((p) => ('name' in p && p.name ? `${p.name} (${p.id})` : p.id)).join(', ')]] : [],
      r.kind === 'restorePoint' ? { mark, parent: restorePointParent(inv, r) } : r.kind === 'backup' ? backupRelated(inv, r) : {},
    );
    item.iconPath = iconFor(r);
    item.contextValue = contextValue(r.kind, this.actionsOf(session, r), this.source.menuTitles(node.accountId));
    return item;
  }

  private actionsOf(session: AccountSession, r: Resource): ActionId[] {
    // The adapter is loaded by the time resources are listed; actionsFor is synchronous.
    return session.loadedAdapter?.actionsFor(r) ?? [];
  }

  private errorItem(node: Extract<Node, { type: 'error' }>): vscode.TreeItem {
    const e = node.error;
    const signIn = isCloudError(e) && e.signInCommand;
    const canSignIn = isCloudError(e) && (!!e.signInCommand || !!e.signInProvider);
    const expired = isCloudError(e) && (e.kind === 'expired' || e.kind === 'auth');
    const label = expired ? `Sign in needed: ${errorText(e)}` : errorText(e);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon(expired ? 'key' : 'error', new vscode.ThemeColor('errorForeground'));
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown(markdownText(errorText(e)));
    if (signIn) {
      md.appendMarkdown(`\n\nSign in with: ${markdownText(signIn)}`);
    } else if (canSignIn) {
      md.appendMarkdown('\n\nSign in with VS Code (Accounts menu, or Sign In here).');
    }
    item.tooltip = md;
    item.contextValue = `snapkeeper.error retry${canSignIn ? ' signIn' : ''}`;
    return item;
  }
}

/** The place's name (when its label is a code), then what is known: its description, counts, or the failure. */
function scopeDescription(scope: Scope, state: ScopeState | undefined, nouns: CloudNouns): string | undefined {
  return [scope.name, scopeStatus(scope, state, nouns)].filter(Boolean).join(' · ') || undefined;
}

/** What is known of a scope: its description until listed, then its counts, or the failure. */
function scopeStatus(scope: Scope, state: ScopeState | undefined, nouns: CloudNouns): string | undefined {
  if (!state || state.status === 'idle') {
    return scope.description !== scope.name ? scope.description : undefined;
  }
  if (state.status === 'error') {
    return 'failed to load';
  }
  const counts = countsText(state, nouns);
  return state.status === 'loading' ? `loading… ${counts}`.trim() : counts || 'empty';
}
