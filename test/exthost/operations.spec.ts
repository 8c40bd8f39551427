// The operation tracker seen through the UI: the status-bar item while a snapshot runs, the
// completion notification, and the tree refreshing to show the new snapshot under its disk.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { childrenOf, itemOf, nodeAt, prompter, runAction, shownSince, trackerIdle, waitFor, world } from './harness';

export function operationTests(): void {
  describe('Operations: status bar, completion, tree refresh', () => {
    it('Create Snapshot on web-prod-1-data shows "1 running" in the status bar, then clears, notifies and lists the snapshot', async function () {
      this.timeout(45_000);
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      assert.equal(a.statusBar.text, '', 'the status bar shows something before any operation');
      const disk = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-data');

      prompter.expect({ fields: { description: 'exthost: status bar check', tags: [{ key: 'Purpose', value: 'exthost' }, { key: 'Step', value: 'status-bar' }] } });
      const mark = await runAction('createSnapshot', disk);
      assert.deepEqual(
        prompter.asked.flatMap((q) => q.fields.map((f) => f.id)),
        ['description', 'tags'],
        'Create Snapshot asks a description and tags',
      );

      const running = a.tracker.list();
      assert.equal(running.length, 1, 'the tracker follows one operation');
      const op = running[0];
      assert.equal(op.kind, 'snapshot');
      assert.match(op.title, /^Snapshot of web-prod-1-data/);
      assert.match(a.statusBar.text, /Snapkeeper: 1 running/, `status bar: "${a.statusBar.text}"`);

      // What the cloud got: the description and tags answered.
      const record = sandbox.aws.state.snapshot('us-east-1', op.resourceId);
      assert.equal(record.description, 'exthost: status bar check');
      assert.ok(record.tags.some((t) => t.key === 'Purpose' && t.value === 'exthost'), JSON.stringify(record.tags));

      // The new snapshot shows under its disk while still pending.
      await waitFor('the pending snapshot under web-prod-1-data', async () =>
        (await childrenOf(a, disk)).find((n) => n.type === 'resource' && n.resourceId === op.resourceId),
      );

      // "Show Running Operations" (the status-bar item's command) lists it; picking it reveals
      // the pending snapshot in the real tree view.
      prompter.expect({ picks: [op.title] });
      await vscode.commands.executeCommand('snapkeeper.showOperations');
      assert.deepEqual(prompter.leftovers(), []);
      assert.deepEqual(prompter.chosen[0]?.labels, [op.title]);
      await waitFor('the running snapshot to be selected in the view', () =>
        a.view.selection.some((n) => n.type === 'resource' && n.resourceId === op.resourceId),
      );

      // While it runs the item keeps saying 1 running (with progress once polled); then it clears.
      const texts = new Set<string>();
      await waitFor(
        'the snapshot operation to finish',
        () => {
          texts.add(a.statusBar.text);
          return a.tracker.list().length === 0;
        },
        30_000,
        50,
      );
      const during = [...texts].filter((t) => t !== '');
      assert.ok(during.length > 0 && during.every((t) => /Snapkeeper: 1 running( · \d+%)?$/.test(t)), `status texts seen: ${JSON.stringify([...texts])}`);
      // Cleared once the journal is saved and the completion announced.
      await waitFor('the status bar to clear', () => a.statusBar.text === '', 5_000);

      const done = shownSince(mark, 'info').map((s) => s.message);
      assert.ok(done.includes(`Snapkeeper: ${op.title} completed.`), `no completion notification: ${JSON.stringify(done)}`);
      assert.deepEqual(shownSince(mark, 'error'), [], 'an error was shown');
      assert.equal(sandbox.aws.state.snapshotStatus(record).status, 'completed');

      // The tree refreshed after completion: the snapshot is listed completed under the disk.
      const node = await waitFor('the completed snapshot under web-prod-1-data', async () =>
        (await childrenOf(a, disk)).find(
          (n) => n.type === 'resource' && n.resourceId === op.resourceId && /(^| · )completed · /.test(String(itemOf(a, n).description)),
        ),
      );
      assert.ok(String(itemOf(a, node).contextValue).includes('restoreToNewDisk'), 'a completed snapshot offers Restore');

      // "Reveal in Tree" (the completion notification's button) selects it in the view.
      await vscode.commands.executeCommand('snapkeeper.resources.focus');
      const revealed = await vscode.commands.executeCommand('snapkeeper.revealResource', op.accountId, op.resourceId);
      assert.equal(revealed, true);
      await waitFor('the snapshot to be selected in the view', () => a.view.selection.length === 1 && a.view.selection[0] === node, 5_000);

      // With nothing running, "Show Running Operations" says so.
      const idle = Date.now();
      await vscode.commands.executeCommand('snapkeeper.showOperations');
      assert.ok(shownSince(idle, 'info').some((s) => /no operations are running/.test(s.message)));
    });
  });
}
