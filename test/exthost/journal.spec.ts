// The operation journal across a deactivation: an operation is started, the extension's
// subscriptions (the App, its commands, tree view, status bar, sandbox) are disposed as VS Code
// does on deactivation, then the bundle's activate() runs again on the same ExtensionContext; the
// new App must pick the operation up from the journal and finish it. Runs last: it replaces the
// App every other suite used.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SnapkeeperApi } from '../../src/extension';
import type { OperationRecord } from '../../src/model/types';
import {
  accountNode,
  childrenOf,
  extension,
  labelOf,
  nodeAt,
  prompter,
  runAction,
  shownSince,
  trackerIdle,
  useApp,
  waitFor,
  world,
} from './harness';

const JOURNAL_KEY = 'snapkeeper.operations';

export function journalTests(): void {
  describe('Journal: operations survive deactivate + activate', function () {
    this.timeout(45_000);

    it('a snapshot started before deactivation is resumed and finished by the re-activated extension', async () => {
      const { app: oldApp } = await world();
      await trackerIdle(oldApp);
      const context = oldApp.context;
      const disk = await nodeAt(oldApp, 'us-east-1', 'batch-worker', 'batch-worker-root');

      prompter.expect({ fields: { description: 'exthost: journal', tags: [] } });
      const mark = await runAction('createSnapshot', disk);
      const [op] = oldApp.tracker.list();
      assert.ok(op, 'no operation tracked');
      const journal = context.globalState.get<OperationRecord[]>(JOURNAL_KEY) ?? [];
      assert.ok(journal.some((r) => r.id === op.id), `the journal does not hold the operation: ${JSON.stringify(journal)}`);

      // Deactivate: dispose everything activate() registered, as VS Code does.
      const subscriptions = context.subscriptions.splice(0);
      assert.ok(subscriptions.length > 20, `only ${subscriptions.length} subscriptions`);
      for (const d of subscriptions) {
        d.dispose();
      }
      assert.deepEqual(oldApp.tracker.list(), [], 'the disposed tracker still follows operations');
      const commands = await vscode.commands.getCommands(true);
      assert.ok(!commands.includes('snapkeeper.createSnapshot'), 'commands are still registered after the dispose');
      assert.ok(
        (context.globalState.get<OperationRecord[]>(JOURNAL_KEY) ?? []).some((r) => r.id === op.id),
        'disposing dropped the operation from the journal',
      );

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
      const again = new Set(await vscode.commands.getCommands(true));
      assert.ok(again.has('snapkeeper.createSnapshot') && again.has('snapkeeper.retry'), 'commands not registered again');

      await trackerIdle(newApp, 30_000);
      assert.equal(newApp.statusBar.text, '');
      const infos = shownSince(mark, 'info').map((s) => s.message);
      assert.ok(infos.includes(`Snapkeeper: ${op.title} completed.`), `no completion after resuming: ${JSON.stringify(shownSince(mark))}`);
      assert.deepEqual(context.globalState.get<OperationRecord[]>(JOURNAL_KEY) ?? [], [], 'the journal still holds finished operations');

      // The new App's sandbox (started from the saved state) has the completed snapshot, and the
      // tree of the new App lists it under the disk.
      const sandbox = await newApp.startSandbox();
      const record = sandbox.aws.state.snapshot('us-east-1', op.resourceId);
      assert.equal(sandbox.aws.state.snapshotStatus(record).status, 'completed');
      assert.ok(labelOf(newApp, await accountNode(newApp)) === 'Sandbox (AWS)');
      const newDisk = await nodeAt(newApp, 'us-east-1', 'batch-worker', 'batch-worker-root');
      await waitFor('the resumed snapshot under batch-worker-root', async () =>
        (await childrenOf(newApp, newDisk)).some((n) => n.type === 'resource' && n.resourceId === op.resourceId),
      );
    });
  });
}
