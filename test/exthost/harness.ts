// Shared helpers of the extension-host suite: the activated extension and its App, the scripted
// prompter, the in-process sandbox, the tree walked through the real TreeDataProvider, a spy on
// the notifications the extension shows, and polling with a deadline.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { SnapkeeperApi } from '../../src/extension';
import { actionOfWord } from '../../src/model/actions';
import type { ActionId } from '../../src/model/actions';
import type { CloudAdapter } from '../../src/model/adapter';
import type { CloudKind, Resource, ResourceKind } from '../../src/model/types';
import type { Sandbox } from '../../src/sandbox';
import type { Timing } from '../../src/sandbox/aws/state';
import type { App } from '../../src/ui/app';
import type { Node } from '../../src/ui/tree';
import { ScriptedPrompter } from './prompter';

export const EXTENSION_ID = 'snapkeeper.snapkeeper';

/**
 * The tree label of the seeded AMI web-base-2025-01 (the one web-prod-1-root-1 belongs to): the
 * tree labels images by their Name tag, which is "web-base".
 */
export const AMI_LABEL = 'web-base-2025-01';

/** The App under test: the one activate() returned, or the one a re-activation made. */
let currentApp: App | undefined;

export const prompter = new ScriptedPrompter();

export function extension(): vscode.Extension<SnapkeeperApi> {
  const ext = vscode.extensions.getExtension<SnapkeeperApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

/** Activates the extension (once) and returns the App, with the scripted prompter injected. */
export async function app(): Promise<App> {
  if (!currentApp) {
    const api = await extension().activate();
    assert.ok(api && api.app, 'activate() returned no { app }');
    currentApp = api.app;
  }
  currentApp.prompter = prompter;
  return currentApp;
}

/** After a re-activation: the App the tests use from now on. */
export function useApp(next: App): void {
  currentApp = next;
  next.prompter = prompter;
}

export interface World {
  app: App;
  sandbox: Sandbox;
  /** The AWS sandbox account (most suites work on it). */
  accountId: string;
  /** The Azure sandbox account. */
  azureAccountId: string;
  /** The Google Cloud sandbox account. */
  gcpAccountId: string;
  /** The Apache CloudStack sandbox account. */
  cloudstackAccountId: string;
  /** The OpenStack sandbox account. */
  openstackAccountId: string;
}

/**
 * The extension active, the sandbox account added through "Try the Sandbox" (once) and the
 * in-process sandbox running. Every describe block starts from here.
 */
export async function world(): Promise<World> {
  const a = await app();
  if (!a.accounts.list().some((x) => x.sandbox)) {
    await vscode.commands.executeCommand('snapkeeper.addSandbox');
  }
  const account = a.accounts.list().find((x) => x.sandbox && x.cloud === 'aws');
  const azure = a.accounts.list().find((x) => x.sandbox && x.cloud === 'azure');
  const gcp = a.accounts.list().find((x) => x.sandbox && x.cloud === 'gcp');
  const cloudstack = a.accounts.list().find((x) => x.sandbox && x.cloud === 'cloudstack');
  const openstack = a.accounts.list().find((x) => x.sandbox && x.cloud === 'openstack');
  assert.ok(account && azure && gcp && cloudstack && openstack, 'no AWS, Azure, Google Cloud, CloudStack and OpenStack sandbox accounts after snapkeeper.addSandbox');
  const sandbox = await a.startSandbox();
  return {
    app: a,
    sandbox,
    accountId: account.id,
    azureAccountId: azure.id,
    gcpAccountId: gcp.id,
    cloudstackAccountId: cloudstack.id,
    openstackAccountId: openstack.id,
  };
}

// --- waiting ------------------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy; fails naming `what` (and the last value). */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) {
        return v as NonNullable<T>;
      }
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describeValue(last)})`);
    }
    await sleep(intervalMs);
  }
}

function describeValue(v: unknown): string {
  try {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch {
    return String(v);
  }
}

/**
 * Waits until the tracker follows no operation, the status bar is empty again and every ended
 * operation has been announced (the tracker drops a finished operation, then saves its journal,
 * then redraws the status bar; the notice follows once the affected scopes are listed again).
 */
export async function trackerIdle(a: App, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    'every tracked operation to finish',
    () => a.tracker.list().length === 0 && a.statusBar.text === '' && a.announcing === 0,
    timeoutMs,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; still running: ${a.tracker.list().map((r) => `${r.title} ${r.progress ?? '?'}%${r.lastError ? ` (last poll: ${r.lastError})` : ''}`).join('; ')}`);
  });
}

// --- the tree -----------------------------------------------------------------------------------

export function itemOf(a: App, node: Node): vscode.TreeItem {
  return a.tree.getTreeItem(node) as vscode.TreeItem;
}

export function labelOf(a: App, node: Node): string {
  const l = itemOf(a, node).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

/**
 * A tree item's tooltip as a reader sees it: the Markdown's character references (the escaping
 * layer writes every punctuation character of a name as one) and no-break spaces decoded.
 */
export function tooltipText(item: vscode.TreeItem): string {
  const t = item.tooltip;
  const md = typeof t === 'string' ? t : (t?.value ?? '');
  return md.replace(/&nbsp;/g, ' ').replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
}

/**
 * A tree item's contextValue as words: its kind, then the actions it offers. A cloud's variant
 * of an action (`revertToRestorePoint.rollBackRebuild`, its own menu title) is read as the
 * action; `menuOf` shows which title the menu gives it.
 */
export function contextOf(a: App, node: Node): string[] {
  return (itemOf(a, node).contextValue ?? '')
    .split(' ')
    .filter(Boolean)
    .map((word, i) => (i === 0 ? word : (actionOfWord(word) ?? word)));
}

/** One entry of package.json's tree context menu. */
export interface MenuItem {
  command: string;
  title: string;
  group?: string;
}

/**
 * The context-menu entries VS Code shows for a tree item with this contextValue (inline buttons
 * aside): package.json's `viewItem =~ /…/` clauses evaluated as VS Code evaluates them, each
 * with its command's title.
 */
export function menuOf(contextValue: string): MenuItem[] {
  const contributes = extension().packageJSON.contributes as {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
  };
  const titles = new Map(contributes.commands.map((c) => [c.command, c.title]));
  const out: MenuItem[] = [];
  for (const m of contributes.menus['view/item/context'] ?? []) {
    if (!m.when || m.group === 'inline') {
      continue;
    }
    assert.match(m.when, /view == snapkeeper\.resources/, `menu of ${m.command} is not scoped to the view`);
    const re = /viewItem =~ \/(.*)\/$/.exec(m.when);
    assert.ok(re, `menu of ${m.command} has no viewItem regex: ${m.when}`);
    if (new RegExp(re[1]).test(contextValue)) {
      out.push({ command: m.command, title: titles.get(m.command) ?? '(no title)', group: m.group });
    }
  }
  return out;
}

/** The titles of the context menu VS Code shows for this tree item ("Roll Back (Rebuild)…"). */
export function menuTitlesOf(a: App, node: Node): string[] {
  return menuOf(itemOf(a, node).contextValue ?? '').map((m) => m.title);
}

export async function childrenOf(a: App, node?: Node): Promise<Node[]> {
  return (await a.tree.getChildren(node)) ?? [];
}

/** A sandbox account's node among the tree's roots (the AWS one unless told). */
export async function accountNode(a: App, cloud: CloudKind = 'aws'): Promise<Node> {
  return waitFor(`the ${cloud} sandbox account in the tree`, async () =>
    (await childrenOf(a)).find((n) => {
      const account = n.type === 'account' ? a.accounts.get(n.accountId) : undefined;
      return account?.sandbox && account.cloud === cloud;
    }),
  );
}

/** The child of `parent` labelled `label`, waiting while the scope loads. */
export async function child(a: App, parent: Node, label: string, timeoutMs = 15_000): Promise<Node> {
  let seen: string[] = [];
  return waitFor(
    `"${label}" under "${labelOf(a, parent)}"`,
    async () => {
      const kids = await childrenOf(a, parent);
      seen = kids.map((k) => labelOf(a, k));
      return kids.find((k) => labelOf(a, k) === label);
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; children: [${seen.join(', ')}]`);
  });
}

/** Walks the tree from the AWS sandbox account: nodeAt(app, 'us-east-1', 'web-prod-1', 'web-prod-1-data'). */
export async function nodeAt(a: App, ...path: string[]): Promise<Node> {
  return nodeFrom(a, 'aws', ...path);
}

/** Walks the tree from a sandbox account: nodeFrom(app, 'azure', 'Snapkeeper Dev', 'East US', 'vm-1'). */
export async function nodeFrom(a: App, cloud: CloudKind, ...path: string[]): Promise<Node> {
  return walk(a, await accountNode(a, cloud), path);
}

/** Walks the tree down from `from` by labels, waiting up to `timeoutMs` for each scope to load. */
export async function walk(a: App, from: Node, path: readonly string[], timeoutMs = 15_000): Promise<Node> {
  let node = from;
  for (const label of path) {
    node = await child(a, node, label, timeoutMs);
  }
  return node;
}

/** A tree item's description (the grey text beside its label), '' when it has none. */
export function descriptionOf(a: App, node: Node): string {
  return String(itemOf(a, node).description ?? '');
}

/** The model resource behind a resource node (as the commands see it). */
export function resourceOf(a: App, node: Node): Resource {
  assert.equal(node.type, 'resource', `not a resource node: ${JSON.stringify(node)}`);
  const n = node as Extract<Node, { type: 'resource' }>;
  const r = a.session(n.accountId)?.state(n.scope.id)?.items.get(n.resourceId);
  assert.ok(r, `${n.resourceId} is not in the loaded inventory of ${n.scope.id}`);
  return r;
}

/** Reloads a region's inventory (as the refresh button does) and waits for the listing. */
export async function reload(a: App, accountId: string, region: string): Promise<void> {
  const session = a.session(accountId);
  assert.ok(session);
  const scope = (await session.leafScopes()).find((s) => s.id === region);
  assert.ok(scope, `no scope ${region}`);
  await session.load(scope, true);
}

// --- notifications --------------------------------------------------------------------------------

export interface Shown {
  level: 'info' | 'warning' | 'error';
  message: string;
  at: number;
  /** The buttons offered. */
  items: string[];
  /** The button a scripted answer pressed. */
  pressed?: string;
}

/** Scripted clicks on notification buttons: the first notification matching `match` gets `press`. */
export const notificationAnswers: { match: RegExp; press: string }[] = [];

/** Every notification shown since the spy was installed (the extension's and ours). */
export const shown: Shown[] = [];
/** Called synchronously as each notification is shown (to look at the UI at that very moment). */
export const onShown: ((s: Shown) => void)[] = [];
let spyInstalled = false;

/**
 * Wraps vscode.window.show{Information,Warning,Error}Message so the tests can read what the
 * extension told the user (the extension gets the same `vscode` API object as this bundle, which
 * lies inside the extension folder). Calls go through to VS Code unchanged.
 */
export function installNotificationSpy(): void {
  if (spyInstalled) {
    return;
  }
  const w = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrap = (name: string, level: Shown['level']) => {
    const original = w[name];
    const spy = function (this: unknown, ...args: unknown[]) {
      const message = String(args[0]);
      const items = args.slice(1).filter((a): a is string => typeof a === 'string');
      const entry: Shown = { level, message, at: Date.now(), items };
      shown.push(entry);
      for (const hook of onShown) {
        hook(entry);
      }
      const i = notificationAnswers.findIndex((a) => a.match.test(message));
      if (i >= 0 && !args.some((a) => typeof a === 'object' && a !== null && (a as { modal?: boolean }).modal)) {
        const [answer] = notificationAnswers.splice(i, 1);
        entry.pressed = answer.press;
        void original.apply(vscode.window, [message]);
        return Promise.resolve(items.includes(answer.press) ? answer.press : undefined);
      }
      return original.apply(vscode.window, args);
    };
    w[name] = spy;
    assert.equal(w[name], spy, `vscode.window.${name} could not be wrapped`);
  };
  wrap('showInformationMessage', 'info');
  wrap('showWarningMessage', 'warning');
  wrap('showErrorMessage', 'error');
  spyInstalled = true;
}

/** Notifications shown after `mark` (a Date.now() value). */
export function shownSince(mark: number, level?: Shown['level']): Shown[] {
  return shown.filter((s) => s.at >= mark && (!level || s.level === level));
}

/** A one-line account of what the prompter saw and what was shown, for assertion messages. */
export function context(mark: number): string {
  return `prompter problems: ${JSON.stringify(prompter.leftovers())}; shown: ${JSON.stringify(shownSince(mark).map((s) => `${s.level}: ${s.message}`))}`;
}

/**
 * Runs `snapkeeper.<action>` on a node (or from the palette without one) and asserts it ran to
 * the end (the command resolves true), with every scripted answer used.
 */
export async function runCommand(action: string, node?: Node): Promise<{ mark: number; result: unknown }> {
  const mark = Date.now();
  const result = await vscode.commands.executeCommand(`snapkeeper.${action}`, ...(node ? [node] : []));
  return { mark, result };
}

export async function runAction(action: string, node?: Node): Promise<number> {
  const { mark, result } = await runCommand(action, node);
  assert.equal(result, true, `snapkeeper.${action} did not complete (${String(result)}); ${context(mark)}`);
  assert.deepEqual(prompter.leftovers(), [], `snapkeeper.${action}: the scripted answers did not match the questions`);
  return mark;
}

// --- the log -------------------------------------------------------------------------------------

/**
 * The Snapkeeper output channel's file: in the extension's own log folder (`context.logUri`), or
 * under `output_logging_*` beside it.
 */
export function readLog(extensionLogDir: string): string {
  const hostDir = dirname(extensionLogDir);
  let text = '';
  try {
    text += readFileSync(join(extensionLogDir, 'Snapkeeper.log'), 'utf8');
  } catch {
    // Older layouts keep output channels under output_logging_*.
  }
  for (const entry of readdirSync(hostDir)) {
    if (!entry.startsWith('output_logging_')) {
      continue;
    }
    for (const f of readdirSync(join(hostDir, entry))) {
      if (f.endsWith('Snapkeeper.log')) {
        text += readFileSync(join(hostDir, entry, f), 'utf8');
      }
    }
  }
  return text;
}

// --- quick picks ----------------------------------------------------------------------------------

/**
 * Accepts the item labelled `label` of an open QuickPick the way Enter on it does: the item is
 * made the active one, then the workbench's own accept command runs.
 */
export async function acceptInPick<T extends vscode.QuickPickItem>(pick: vscode.QuickPick<T>, label: string): Promise<void> {
  const item = pick.items.find((i) => i.label === label);
  assert.ok(item, `no "${label}" in the list: ${pick.items.map((i) => i.label).join(', ')}`);
  pick.activeItems = [item];
  // The extension host sends QuickPick changes to the workbench on a 0 ms timer: let it go first.
  await sleep(100);
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/** Runs `body` with the AWS sandbox's snapshots taking `ms` each (long enough to watch them run). */
export async function withSnapshotsTaking<T>(timing: Timing, ms: number, body: () => Promise<T>): Promise<T> {
  const saved = { ...timing };
  Object.assign(timing, { snapshotBaseMs: ms, snapshotMaxMs: ms });
  try {
    return await body();
  } finally {
    Object.assign(timing, saved);
  }
}

/**
 * Makes `adapter` offer `actions` on every resource of `kind`, asking nothing and recording each
 * run in `calls` instead of touching the cloud (the UI's side of actions a sandbox cloud lacks).
 * Other actions go to the adapter as before. Returns what puts the adapter back.
 */
export function offerRecordedActions(
  adapter: CloudAdapter,
  kind: ResourceKind,
  actions: readonly ActionId[],
  calls: { action: ActionId; id: string }[],
): () => void {
  const saved = { actionsFor: adapter.actionsFor, plan: adapter.plan, execute: adapter.execute };
  const patched = adapter as { -readonly [K in keyof CloudAdapter]: CloudAdapter[K] };
  const recorded = (action: ActionId): boolean => actions.includes(action);
  patched.actionsFor = (r: Resource) => (r.kind === kind ? [...actions] : saved.actionsFor.call(adapter, r));
  patched.plan = async (action, target, related) => (recorded(action) ? { fields: [] } : saved.plan.call(adapter, action, target, related));
  patched.execute = async (action, target, values, related) => {
    if (!recorded(action)) {
      return saved.execute.call(adapter, action, target, values, related);
    }
    calls.push({ action, id: target.id });
    return { operations: [], refreshScopeIds: [], message: `${action} recorded for ${target.name ?? target.id}` };
  };
  return () => {
    Object.assign(patched, saved);
  };
}
