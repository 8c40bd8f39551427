import * as vscode from 'vscode';
import type { AccountSession } from '../core/session';
import { addAccountFrom, credentialContext, removeAccount as forgetAccount } from '../core/credentials';
import { deleteLoss } from '../core/deleteLoss';
import { chosenScopeIds } from '../core/session';
import { type CloudError, errorText, isCloudError } from '../model/errors';
import { ADAPTER_CLOUDS, addAccountCommand } from '../model/clouds';
import { formatDate } from '../model/units';
import { actionCommand, actionOfWord, actionSpec, ALL_ACTIONS, appliesTo, confirmationFor, type ActionId } from '../model/actions';
import type { CloudNouns } from '../model/adapter';
import type { CloudKind, Resource, RestorePoint, Scope, Vm } from '../model/types';
import { workspaceFolderPaths, type App } from './app';
import { editorToken, signInWithProvider } from './auth';
import { diskNoun, inNouns, kindNoun, restorePointNoun, snapshotNoun } from './nouns';
import { describe, displayName } from './resourceText';
import { availableClouds, CLOUD_LABELS, loadAdapterModule, loadedEditorSignIn } from './loaders';
import { message, progress, status } from './safeText';
import { countsText, type Node } from './tree';
import { newestFirst, scopeQuestion } from './treeShape';

/** How long a delete confirmation waits for the figures of what it frees before saying they are not known. */
const LOSS_WAIT_MS = 20_000;

interface Target {
  session: AccountSession;
  scope: Scope;
  resource: Resource;
}

/** Registers every command; each is disposed with the extension. */
export function registerCommands(app: App): vscode.Disposable[] {
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        app.log.error(`${id}: ${errorText(e)}`);
        void showError(app, message`Snapkeeper: ${errorText(e)}`, e);
        return undefined;
      }
    });

  const disposables = [
    reg('snapkeeper.addAccount', (cloud?: CloudKind) => addAccount(app, typeof cloud === 'string' ? cloud : undefined)),
    // "Add <cloud> Account…", one per cloud of the registry with an adapter (package.json lists them too).
    ...ADAPTER_CLOUDS.map((cloud) => reg(addAccountCommand(cloud), () => addAccount(app, cloud))),
    reg('snapkeeper.chooseScopes', (node?: Node) => chooseScopesCommand(app, node)),
    reg('snapkeeper.addSandbox', () => addSandbox(app)),
    reg('snapkeeper.removeAccount', (node?: Node) => removeAccount(app, node)),
    reg('snapkeeper.refresh', () => refreshAll(app)),
    reg('snapkeeper.refreshNode', (node?: Node) => refreshNode(app, node)),
    reg('snapkeeper.retry', (node?: Node) => refreshNode(app, node)),
    reg('snapkeeper.signIn', (node?: Node) => signIn(app, node)),
    reg('snapkeeper.showOperations', () => app.showOperations()),
    reg('snapkeeper.showLog', () => app.log.show()),
    reg('snapkeeper.revealResource', (accountId: string, resourceId: string) => app.reveal(accountId, resourceId)),
    ...ALL_ACTIONS.map((action) => reg(actionCommand(action), (node?: Node) => runAction(app, action, node))),
    // A cloud's own title for an action in the tree's menus: the same action under another command.
    ...menuVariantCommands(app).map(({ command, action }) => reg(command, (node?: Node) => runAction(app, action, node))),
    reg('snapkeeper.openChain', (node?: Node | string, resourceId?: string) => openChain(app, node, resourceId)),
  ];
  return disposables;
}

/**
 * The menu variants of actions that package.json declares (`snapkeeper.<action>.<word>`, one per
 * title an adapter module's `menuTitles` gives; test/unit/manifest-actions checks the list), each
 * with the action it runs. Read from the manifest, so no adapter bundle is loaded to register them.
 */
function menuVariantCommands(app: App): { command: string; action: ActionId }[] {
  const manifest = app.context.extension.packageJSON as { contributes?: { commands?: { command?: unknown }[] } };
  const out: { command: string; action: ActionId }[] = [];
  for (const { command } of manifest.contributes?.commands ?? []) {
    const word = typeof command === 'string' && command.startsWith('snapkeeper.') ? command.slice('snapkeeper.'.length) : '';
    const action = word.includes('.') ? actionOfWord(word) : undefined;
    if (action) {
      out.push({ command: `snapkeeper.${word}`, action });
    }
  }
  return out;
}

async function showError(app: App, text: string, e: unknown): Promise<void> {
  const canSignIn = isCloudError(e) && (!!e.signInCommand || !!e.signInProvider);
  const actions = canSignIn ? ['Sign In', 'Show Log'] : ['Show Log'];
  const choice = await vscode.window.showErrorMessage(text, ...actions);
  if (choice === 'Show Log') {
    app.log.show();
  } else if (choice === 'Sign In' && isCloudError(e)) {
    await signInFor(app, e, undefined);
  }
}

/** Signs in the way the error asks (a terminal command, or the editor's own provider), then retries. */
async function signInFor(app: App, e: CloudError, accountId: string | undefined): Promise<void> {
  // The provider is the one the adapter module that raised the error declared (it is loaded).
  const signIn = e.signInProvider && loadedEditorSignIn(e.signInProvider.provider);
  if (e.signInProvider && signIn) {
    if (await signInWithProvider(signIn, e.signInProvider)) {
      // From a notification we do not know which account failed: list them all again.
      for (const s of app.allSessions().filter((x) => !accountId || x.account.id === accountId)) {
        refreshSession(app, s);
      }
    }
  } else if (e.signInCommand) {
    runInTerminal(e.signInCommand);
  }
}

function runInTerminal(commandLine: string): void {
  const terminal = vscode.window.createTerminal({ name: 'Snapkeeper: Sign In' });
  terminal.show();
  terminal.sendText(commandLine);
}

// --- accounts ---------------------------------------------------------------------------------

async function addAccount(app: App, cloud: CloudKind | undefined): Promise<void> {
  if (!cloud) {
    cloud = await app.prompter.choose(
      'Add Account',
      'Which cloud?',
      availableClouds().map((c) => ({ label: CLOUD_LABELS[c], value: c })),
    );
    if (!cloud) {
      return;
    }
  }
  const mod = loadAdapterModule(cloud);
  const discovered = await mod.discoverAccounts({
    log: (m) => app.log.info(m),
    setting: (k, f) => app.setting(k, f),
    maxConcurrency: 4,
    workspaceFolders: workspaceFolderPaths(),
    ...credentialContext(mod, editorToken),
  });
  // Pick one, answer its questions; typed secrets go to SecretStorage (core/credentials.ts). A
  // module that can test an account's credentials does so before the account is shown.
  const check = mod.checkAccount?.bind(mod);
  const added = await addAccountFrom(
    app,
    app.prompter,
    cloud,
    mod,
    discovered,
    check &&
      ((account) =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: status`Checking ${account.label}…` }, () =>
          check(account, {
            log: (m) => app.log.info(m),
            setting: (k, f) => app.setting(k, f),
            maxConcurrency: 4,
            workspaceFolders: workspaceFolderPaths(),
            ...credentialContext(mod, editorToken, { secrets: app.secrets, accountId: account.id }),
          }),
        )),
  );
  if (added === 'none') {
    const sandbox = 'Try the Sandbox';
    const answer = await vscode.window.showWarningMessage(
      `No ${CLOUD_LABELS[cloud]} accounts were found on this machine. Configure one with the ${CLOUD_LABELS[cloud]} CLI, or try the built-in sandbox.`,
      sandbox,
    );
    if (answer === sandbox) {
      await addSandbox(app);
    }
    return;
  }
  if (!added) {
    return;
  }
  const { account, choice } = added;
  app.tree.refreshAll();
  if (choice.chooseScopes) {
    await chooseScopes(app, account.id, choice.scopeNoun ?? 'scope');
  }
}

/** "Choose … to Show" on an account: which of its top-level scopes its tree lists. */
async function chooseScopesCommand(app: App, node: Node | undefined): Promise<void> {
  const accountId =
    node?.accountId ??
    (await app.prompter.choose(
      'Choose What to Show',
      'Which account?',
      app.accounts.list().map((a) => ({ label: a.label, description: CLOUD_LABELS[a.cloud], value: a.id })),
    ));
  if (accountId) {
    const cloud = app.accounts.get(accountId)?.cloud;
    await chooseScopes(app, accountId, cloud ? loadAdapterModule(cloud).nouns.topScope : 'scope');
  }
}

async function chooseScopes(app: App, accountId: string, noun: string): Promise<void> {
  const session = app.session(accountId);
  if (!session) {
    return;
  }
  const all = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: status`Listing the ${noun}s of ${session.account.label}…` },
    () => session.allTopScopes(),
  );
  if (all.length === 0) {
    void vscode.window.showWarningMessage(message`Snapkeeper: "${session.account.label}" has no ${noun}s that this sign-in can see.`);
    return;
  }
  const shown = chosenScopeIds(session.account);
  const picked = await app.prompter.chooseMany(
    `${session.account.label}: ${noun}s to show`,
    `Tick the ${noun}s to show (none ticked shows them all)`,
    all.map((s) => ({ label: s.label, description: s.description, value: s.id, picked: !shown || shown.has(s.id) })),
  );
  if (!picked) {
    return;
  }
  const settings = { ...session.account.settings };
  if (picked.length === 0 || picked.length === all.length) {
    delete settings.scopes;
  } else {
    settings.scopes = picked.join(',');
  }
  await app.accounts.updateSettings(accountId, settings);
  app.dropSession(accountId);
  app.tree.refreshAll();
  app.log.info(`"${session.account.label}" shows ${settings.scopes ? `${picked.length} of ${all.length}` : 'all'} ${noun}s.`);
}

export async function addSandbox(app: App, quiet = false): Promise<void> {
  const clouds = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Starting the Snapkeeper sandbox…' },
    () => app.sandboxClouds(),
  );
  const have = new Set(app.accounts.list().filter((a) => a.sandbox).map((a) => a.cloud));
  const missing = clouds.filter((c) => availableClouds().includes(c) && !have.has(c));
  if (missing.length === 0) {
    if (!quiet) {
      void vscode.window.showInformationMessage('Snapkeeper: the sandbox account is already in the Snapkeeper view.');
    }
    return;
  }
  for (const cloud of missing) {
    await app.accounts.add({ cloud, label: `Sandbox (${CLOUD_LABELS[cloud]})`, sandbox: true, settings: {} });
  }
  app.tree.refreshAll();
  app.log.info(`Sandbox accounts added: ${missing.map((c) => CLOUD_LABELS[c]).join(', ')}.`);
}

async function removeAccount(app: App, node: Node | undefined): Promise<void> {
  const accountId =
    node?.accountId ??
    (await app.prompter.choose(
      'Remove Account',
      'Which account?',
      app.accounts.list().map((a) => ({ label: a.label, description: CLOUD_LABELS[a.cloud], value: a.id })),
    ));
  const account = accountId ? app.accounts.get(accountId) : undefined;
  if (!account) {
    return;
  }
  const running = app.tracker.list().filter((r) => r.accountId === account.id).length;
  const ok = await app.prompter.confirm({
    message: `Remove "${account.label}" from Snapkeeper?`,
    detail:
      'Nothing in the cloud is deleted; the account is only removed from this sidebar.' +
      (running ? ` ${running} running operation(s) will no longer be followed here.` : ''),
    button: 'Remove Account',
  });
  if (!ok) {
    return;
  }
  await app.tracker.forgetAccount(account.id);
  app.dropSession(account.id);
  // The account and every secret typed for it.
  await forgetAccount(app, account.id);
  await app.forgetMemento(account.id);
  app.tree.refreshAll();
}

function refreshAll(app: App): void {
  for (const s of app.allSessions()) {
    // An account never expanded has nothing listed to refresh: its adapter bundle stays unloaded
    // until it is expanded (the tree's repaint below retries an account whose adapter failed).
    if (s.loadedAdapter) {
      refreshSession(app, s);
    }
  }
  app.tree.refreshAll();
}

function refreshSession(app: App, s: AccountSession): void {
  s.refreshScopes();
  void s.leafScopes().then(
    (scopes) => s.refresh(scopes.map((x) => x.id)),
    () => undefined,
  );
  app.tree.refreshAll();
}

function refreshNode(app: App, node: Node | undefined): void {
  if (!node) {
    refreshAll(app);
    return;
  }
  const session = app.session(node.accountId);
  if (!session) {
    return;
  }
  const scope = node.type === 'scope' || node.type === 'folder' || node.type === 'resource' ? node.scope : node.type === 'error' ? node.scope : undefined;
  if (scope?.leaf) {
    void session.load(scope, true);
  } else {
    session.refreshScopes();
    app.tree.refreshAll();
  }
}

async function signIn(app: App, node: Node | undefined): Promise<void> {
  if (node?.type === 'error' && isCloudError(node.error) && (node.error.signInCommand || node.error.signInProvider)) {
    await signInFor(app, node.error, node.accountId);
    return;
  }
  void vscode.window.showInformationMessage('Snapkeeper: sign in with your cloud CLI, then use Retry on the account.');
}

// --- actions ----------------------------------------------------------------------------------

/** Runs an action on a tree item, or on a target picked step by step from the palette. */
export async function runAction(app: App, action: ActionId, node?: Node): Promise<boolean> {
  const target = node?.type === 'resource' ? fromNode(app, node) : await pickTarget(app, action);
  if (!target) {
    return false;
  }
  const { session, scope, resource } = target;
  // The table's title in the cloud's nouns ("Delete Restore Point" → "Delete VM Snapshot").
  const nouns = app.nouns(session.account.id);
  const title = inNouns(actionSpec(action).title, nouns);
  const adapter = await session.adapter();
  if (!adapter.actionsFor(resource).includes(action)) {
    void vscode.window.showWarningMessage(message`Snapkeeper: ${title} is not available for ${displayName(resource)} (${resource.state}).`);
    return false;
  }
  const related = await session.related(scope.id);
  const plan = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: status`${title}: checking ${displayName(resource)}…` },
    () => adapter.plan(action, resource, related),
  );
  if (plan.refusal) {
    app.log.warn(`${title} refused for ${resource.id}: ${plan.refusal}`);
    void vscode.window.showErrorMessage(message`Snapkeeper: ${plan.refusal}`);
    return false;
  }
  const values = await app.prompter.ask(`${plan.title ?? title}: ${displayName(resource)}`, plan.fields);
  if (!values) {
    return false;
  }
  // A destructive action always asks, its Keep button first (the table says which are).
  let confirmation = confirmationFor(
    action,
    plan.confirm?.(values, { date: (iso) => formatDate(iso, vscode.env.language) }),
    displayName(resource),
    (text) => inNouns(text, nouns),
  );
  if (confirmation?.deletesSnapshotId) {
    // Say exactly what is lost: the chain maths over the figures the chain panel shows.
    const id = confirmation.deletesSnapshotId;
    const loss = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `${title}: working out what deleting ${displayName(resource)} frees…` },
      () => deleteLoss(session.resources(), adapter, id, AbortSignal.timeout(LOSS_WAIT_MS)),
    );
    confirmation = { ...confirmation, detail: `${loss}\n\n${confirmation.detail}` };
  }
  if (confirmation && !(await app.prompter.confirm(confirmation))) {
    return false;
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: progress`${plan.title ?? title}: ${displayName(resource)}…` },
    () => adapter.execute(action, resource, values, related),
  );
  // Never log result.clipboard: it may be a secret (an export URL with its signature).
  app.log.info(`${title} on ${resource.id}: ${result.operations.length} operation(s) started. ${result.message ?? ''}`);
  if (result.clipboard) {
    await vscode.env.clipboard.writeText(result.clipboard.text);
  }
  if (result.operations.length > 0) {
    await app.tracker.track(session.account.id, result.operations);
  }
  session.refresh([...result.refreshScopeIds, ...result.operations.flatMap((o) => o.refreshScopeIds)]);
  if (result.message || result.clipboard) {
    const copied = result.clipboard ? ` ${result.clipboard.label} copied to the clipboard.` : '';
    void vscode.window.showInformationMessage(message`Snapkeeper: ${[result.message, copied.trim()].filter(Boolean).join(' ')}`);
  }
  return true;
}

function fromNode(app: App, node: Extract<Node, { type: 'resource' }>): Target | undefined {
  const session = app.session(node.accountId);
  const resource = session?.state(node.scope.id)?.items.get(node.resourceId);
  if (!session || !resource) {
    void vscode.window.showWarningMessage(message`Snapkeeper: ${node.resourceId} is no longer listed; refresh the tree.`);
    return undefined;
  }
  return { session, scope: node.scope, resource };
}

/**
 * "Open Snapshot Chain" on a disk, snapshot or backup node, on `(accountId, resourceId)` (notifications,
 * tests), or from the palette through the usual account → scope → disk/snapshot/backup quick picks.
 */
async function openChain(app: App, node: Node | string | undefined, resourceId: string | undefined): Promise<boolean> {
  let accountId: string | undefined;
  let id: string | undefined;
  if (typeof node === 'string' && typeof resourceId === 'string') {
    accountId = node;
    id = resourceId;
  } else if (typeof node === 'object' && node?.type === 'resource' && (node.kind === 'disk' || node.kind === 'snapshot' || node.kind === 'backup')) {
    accountId = node.accountId;
    id = node.resourceId;
  } else {
    const target = await pickTarget(app, 'createSnapshot', {
      title: 'Open Snapshot Chain',
      noun: (nouns) => `${diskNoun(nouns)}, ${snapshotNoun(nouns)} or backup`,
      accept: (r) => r.kind === 'disk' || r.kind === 'snapshot' || r.kind === 'backup',
    });
    accountId = target?.session.account.id;
    id = target?.resource.id;
  }
  if (!accountId || !id) {
    return false;
  }
  return (await app.chains.open(accountId, id)) !== undefined;
}

/**
 * Account → scope → resource quick picks, offering only resources the action applies to. A
 * restore point is picked through its VM (account → scope → VM → its restore points) when more
 * than one VM has some to offer.
 */
async function pickTarget(
  app: App,
  action: ActionId,
  custom?: { title: string; noun: (nouns: CloudNouns) => string; accept: (r: Resource) => boolean },
): Promise<Target | undefined> {
  let title = custom?.title ?? actionSpec(action).title;
  const accounts = app.accounts.list();
  if (accounts.length === 0) {
    const add = 'Add Account';
    const sandbox = 'Try the Sandbox';
    const answer = await vscode.window.showWarningMessage('Snapkeeper: add an account first.', add, sandbox);
    if (answer === add) {
      await vscode.commands.executeCommand('snapkeeper.addAccount');
    } else if (answer === sandbox) {
      await vscode.commands.executeCommand('snapkeeper.addSandbox');
    }
    return undefined;
  }
  const accountId =
    accounts.length === 1
      ? accounts[0].id
      : await app.prompter.choose(
          title,
          'Which account?',
          accounts.map((a) => ({ label: a.label, description: CLOUD_LABELS[a.cloud], value: a.id })),
        );
  const session = accountId ? app.session(accountId) : undefined;
  if (!session) {
    return undefined;
  }
  const nouns = app.nouns(session.account.id);
  title = custom ? title : inNouns(title, nouns);
  // Scopes with resources first (as far as already listed), empty ones last.
  const rank = (s: Scope) => {
    const st = session.state(s.id);
    return !st || st.status !== 'loaded' ? 1 : st.items.size > 0 ? 0 : 2;
  };
  const scopes = [...(await session.leafScopes())].sort((a, b) => rank(a) - rank(b));
  const parents = new Map((session.cachedScopes() ?? []).map((p) => [p.id, p.label]));
  const scope =
    scopes.length === 1
      ? scopes[0]
      : await app.prompter.choose(
          title,
          scopeQuestion(app.nouns(session.account.id)),
          scopes.map((s) => {
            const st = session.state(s.id);
            const counts = st?.status === 'loaded' ? countsText(st, nouns) || 'empty' : undefined;
            // Nested scopes name their parent: the same location exists once per parent scope.
            const parent = s.parentId ? parents.get(s.parentId) : undefined;
            return { label: s.label, description: [parent, s.description, counts].filter(Boolean).join(' · '), value: s };
          }),
        );
  if (!scope) {
    return undefined;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: status`Listing ${scope.label}…` },
    () => session.load(scope),
  );
  const state = session.state(scope.id);
  if (state?.status === 'error') {
    throw state.error;
  }
  const adapter = await session.adapter();
  const targets = actionSpec(action).targets;
  const items = [...(state?.items.values() ?? [])];
  let candidates = items.filter((r) =>
    custom ? custom.accept(r) : appliesTo(action, r.kind) && adapter.actionsFor(r).includes(action),
  );
  // Resources of the kind still being made (a disk still creating) are listed last, saying why the
  // action does not apply yet, rather than left out in silence.
  const notReady = custom || targets.length !== 1 ? [] : items.filter((r) => r.kind === targets[0] && r.phase === 'pending' && !candidates.includes(r));
  if (candidates.length === 0 && notReady.length === 0) {
    void vscode.window.showInformationMessage(message`Snapkeeper: nothing in ${scope.label} supports ${title}.`);
    return undefined;
  }
  // Newest first, as in the tree; a snapshot names its disk, a restore point its VM.
  candidates.sort(newestFirst);
  notReady.sort(newestFirst);
  const nameOf = (id: string | undefined) => {
    const d = id ? state?.items.get(id) : undefined;
    return d ? displayName(d) : id;
  };
  const points = candidates.filter((r): r is RestorePoint => r.kind === 'restorePoint');
  if (points.length === candidates.length && new Set(points.map((p) => p.vmId)).size > 1) {
    const vm = await pickVm(app, title, points, (id) => state?.items.get(id));
    if (vm === undefined) {
      return undefined;
    }
    candidates = points.filter((p) => p.vmId === vm);
  }
  const resource = await app.prompter.choose(
    title,
    `Which ${custom ? custom.noun(nouns) : targets.length === 1 ? kindNoun(targets[0], nouns) : 'resource'}?`,
    [
      ...candidates.map((r) => ({
        label: displayName(r),
        description: describe(r),
        detail: pickDetail(r, nouns, nameOf),
        value: r,
      })),
      ...notReady.map((r) => ({ label: displayName(r), description: `${r.state} — not ready for ${title}`, value: r })),
    ],
  );
  if (resource && notReady.includes(resource)) {
    void vscode.window.showInformationMessage(
      message`Snapkeeper: ${displayName(resource)} is ${resource.state}: not ready for ${title} yet. Refresh and try again once it is available.`,
    );
    return undefined;
  }
  return resource ? { session, scope, resource } : undefined;
}

/**
 * The quick pick's second line: a snapshot names its disk, a backup its disk and (incremental)
 * its parent, a restore point its VM and what it holds.
 */
function pickDetail(r: Resource, nouns: CloudNouns, nameOf: (id: string | undefined) => string | undefined): string | undefined {
  if (r.kind === 'snapshot') {
    return `of ${diskNoun(nouns)} ${nameOf(r.diskId) ?? 'unknown'} · ${r.sizeGiB} GiB`;
  }
  if (r.kind === 'backup') {
    const kind = r.incremental ? `incremental backup${r.parentId ? ` after ${nameOf(r.parentId) ?? r.parentId}` : ''}` : 'full backup';
    return `${kind} of ${diskNoun(nouns)} ${nameOf(r.diskId) ?? 'unknown'} · ${r.sizeGiB} GiB`;
  }
  if (r.kind === 'restorePoint') {
    return `${restorePointNoun(nouns)} of VM ${nameOf(r.vmId) ?? r.vmId} · ${r.memory ? 'with memory' : 'disks only, no memory'}`;
  }
  return undefined;
}

/** "Which VM?" among the VMs that have restore points to offer; the VM's id, or undefined when cancelled. */
async function pickVm(
  app: App,
  title: string,
  points: RestorePoint[],
  find: (id: string) => Resource | undefined,
): Promise<string | undefined> {
  const byVm = new Map<string, number>();
  for (const p of points) {
    byVm.set(p.vmId, (byVm.get(p.vmId) ?? 0) + 1);
  }
  const vms = [...byVm.keys()].map((id) => ({ id, vm: find(id) as Vm | undefined }));
  vms.sort((a, b) => (a.vm ? displayName(a.vm) : a.id).localeCompare(b.vm ? displayName(b.vm) : b.id));
  return app.prompter.choose(
    title,
    'Which VM?',
    vms.map(({ id, vm }) => ({
      label: vm ? displayName(vm) : id,
      description: [vm?.name ? id : undefined, vm?.state, `${byVm.get(id)} to choose from`].filter(Boolean).join(' · '),
      value: id,
    })),
  );
}
