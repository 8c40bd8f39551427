// The operation journal across a deactivation: an operation is started, the extension's
// subscriptions (the App, its commands, tree view, status bar, sandbox) are disposed as VS Code
// does on deactivation, then the bundle's activate() runs again on the same ExtensionContext; the
// new App must pick the operation up from the journal and finish it. Runs last: it replaces the
// App every other suite used.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SnapkeeperApi } from '../../src/extension';
import { ENTRY_PREFIX, SET_ASIDE_KEY, type JournalEntry } from '../../src/core/tracker';
import { nodeId } from '../../src/ui/tree';
import {
  accountNode,
  childrenOf,
  extension,
  itemOf,
  labelOf,
  nodeAt,
  prompter,
  runAction,
  shownSince,
  sleep,
  trackerIdle,
  useApp,
  waitFor,
  withSnapshotsTaking,
  world,
} from './harness';


export function journalTests(): void {
  describe('Journal: operations survive deactivate + activate', function () {
    this.timeout(45_000);

    it('a snapshot started before deactivation is resumed and finished by the re-activated extension', async () => {
      const { app: oldApp, sandbox: oldSandbox } = await world();
      await trackerIdle(oldApp);
      const context = oldApp.context;
      const disk = await nodeAt(oldApp, 'us-east-1', 'batch-worker', 'batch-worker-root');

      prompter.expect({ fields: { description: 'exthost: journal', tags: [] } });
      // A snapshot long enough to still run when the extension is deactivated (the sandbox state,
      // saved with the snapshot's completion time, goes to the next activation's sandbox).
      const mark = await withSnapshotsTaking(oldSandbox.clouds.aws.state.timing, 12_000, () => runAction('createSnapshot', disk));
      const [op] = oldApp.tracker.list();
      assert.ok(op, 'no operation tracked');
      const entryKey = `${ENTRY_PREFIX}${op.id}`;
      const entry = context.globalState.get<JournalEntry>(entryKey);
      assert.equal(entry?.record.id, op.id, `the journal does not hold the operation: ${JSON.stringify(entry)}`);
      assert.equal(entry?.owner, oldApp.tracker.owner, 'the entry does not name this window as its owner');

      // The tree nodes left expanded come back expanded after the re-activation.
      const expandedIds = [await accountNode(oldApp), disk].map(nodeId);
      let saved: string[] = [];
      await waitFor(
        'the expanded nodes to be remembered',
        async () => {
          saved = context.workspaceState.get<string[]>('snapkeeper.tree.expanded') ?? [];
          if (expandedIds.every((id) => saved.includes(id))) {
            return true;
          }
          // Shown and revealed (again, if the view was not ready for it the first time).
          await vscode.commands.executeCommand('snapkeeper.resources.focus');
          await oldApp.view.reveal(disk, { expand: true, focus: true });
          return false;
        },
        15_000,
        500,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; remembered: ${JSON.stringify(saved)}; expected: ${JSON.stringify(expandedIds)}`);
      });


      // Deactivate: dispose everything activate() registered, as VS Code does.
      const subscriptions = context.subscriptions.splice(0);
      assert.ok(subscriptions.length > 20, `only ${subscriptions.length} subscriptions`);
      for (const d of subscriptions) {
        d.dispose();
      }
      assert.deepEqual(oldApp.tracker.list(), [], 'the disposed tracker still follows operations');
      const commands = await vscode.commands.getCommands(true);
      assert.ok(!commands.includes('snapkeeper.createSnapshot'), 'commands are still registered after the dispose');
      const released = context.globalState.get<JournalEntry>(entryKey);
      assert.equal(released?.record.id, op.id, 'disposing dropped the operation from the journal');
      assert.equal(released?.owner, '', 'disposing did not release the operation for the next activation');
      // Junk in the shared journal (another version, a damaged store): kept aside and reported.
      await context.globalState.update(`${ENTRY_PREFIX}junk-1`, { record: { id: 'junk-1', title: 'Half an entry' }, owner: 'x' });
      // VS Code echoes each storage write back to this extension host, and an echo of an earlier
      // write can briefly stand in for a later one: let the echoes arrive before re-activating
      // on the same context (a real reload starts a new extension host on the stored state).
      await sleep(1_000);
      await waitFor('the storage to settle', () => {
        const saved = context.workspaceState.get<string[]>('snapkeeper.tree.expanded') ?? [];
        return (
          context.globalState.get<JournalEntry>(entryKey)?.owner === '' &&
          context.globalState.get(`${ENTRY_PREFIX}junk-1`) !== undefined &&
          expandedIds.every((id) => saved.includes(id))
        );
      });
      const beforeActivate = Date.now();

      // Activate again from the extension's own bundle, on the same context.
      const mainFile = join(extension().extensionPath, 'dist', 'extension.js');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const main = require(mainFile) as { activate(ctx: vscode.ExtensionContext): SnapkeeperApi };
      const api = main.activate(context);
      assert.ok(api && api.app, 'activate() returned no { app }');
      assert.notEqual(api.app, oldApp);
      useApp(api.app);
      const newApp = api.app;

      const resumed = newApp.tracker.list();
      assert.deepEqual(
        resumed.map((r) => r.id),
        [op.id],
        'the new App does not follow the journaled operation',
      );
      assert.match(newApp.statusBar.text, /Snapkeeper: 1 running/);
      assert.equal(context.globalState.get<JournalEntry>(entryKey)?.owner, newApp.tracker.owner, 'the new activation did not take it back');

      // The junk entry: moved aside (with its value), reported once, naming what was dropped.
      const warnings = await waitFor('the unreadable-journal warning', () => {
        const w = shownSince(beforeActivate, 'warning').filter((s) => /could not be read/.test(s.message));
        return w.length ? w : undefined;
      });
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0].message, /1 saved operation could not be read .*"Half an entry" \(its operation: accountId is missing\)/);
      await waitFor('the junk entry to leave the journal', () => context.globalState.get(`${ENTRY_PREFIX}junk-1`) === undefined);
      const aside = context.globalState.get<{ key: string; value: unknown }[]>(SET_ASIDE_KEY) ?? [];
      assert.ok(aside.some((x) => x.key === `${ENTRY_PREFIX}junk-1` && JSON.stringify(x.value).includes('Half an entry')), JSON.stringify(aside));

      // The tree of the new App draws the remembered nodes expanded.
      const account = await accountNode(newApp);
      assert.equal(itemOf(newApp, account).collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'the account node is not expanded again');
      const diskAgain = await nodeAt(newApp, 'us-east-1', 'batch-worker', 'batch-worker-root');
      assert.equal(itemOf(newApp, diskAgain).collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'the disk node is not expanded again');
      const again = new Set(await vscode.commands.getCommands(true));
      assert.ok(again.has('snapkeeper.createSnapshot') && again.has('snapkeeper.retry'), 'commands not registered again');

      await trackerIdle(newApp, 30_000);
      assert.equal(newApp.statusBar.text, '');
      const infos = shownSince(mark, 'info').map((s) => s.message);
      assert.ok(infos.includes(`Snapkeeper: ${op.title} completed.`), `no completion after resuming: ${JSON.stringify(shownSince(mark))}`);
      // (A stale copy of the storage may revert the end for a moment; the owner writes it again.)
      await waitFor('the journal to record the end', () => context.globalState.get<JournalEntry>(entryKey)?.ended?.outcome === 'done');

      // The new App's sandbox (started from the saved state) has the completed snapshot, and the
      // tree of the new App lists it under the disk.
      const sandbox = await newApp.startSandbox();
      const record = sandbox.clouds.aws.state.snapshot('us-east-1', op.resourceId);
      assert.equal(sandbox.clouds.aws.state.snapshotStatus(record).status, 'completed');
      assert.ok(labelOf(newApp, await accountNode(newApp)) === 'Sandbox (AWS)');
      const newDisk = await nodeAt(newApp, 'us-east-1', 'batch-worker', 'batch-worker-root');
      await waitFor('the resumed snapshot under batch-worker-root', async () =>
        (await childrenOf(newApp, newDisk)).some((n) => n.type === 'resource' && n.resourceId === op.resourceId),
      );
    });
  });
}
