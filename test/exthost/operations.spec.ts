// The operation tracker seen through the UI: the status-bar item while a snapshot runs, the
// completion notification, and the tree refreshing to show the new snapshot under its disk.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ENTRY_PREFIX, type JournalEntry, type TrackedOperation } from '../../src/core/tracker';
import type { Sandbox } from '../../src/sandbox';
import type { App } from '../../src/ui/app';
import type { Node } from '../../src/ui/tree';
import {
  acceptInPick,
  childrenOf,
  itemOf,
  nodeAt,
  onShown,
  prompter,
  runAction,
  type Shown,
  shownSince,
  sleep,
  trackerIdle,
  waitFor,
  withSnapshotsTaking,
  world,
} from './harness';

const RUNNER = ['us-west-2', 'build-runner', 'build-runner-root'] as const;

/** The node of resource `id` among `parent`'s children (once the tree lists it). */
async function childNode(a: App, parent: Node, id: string): Promise<Node | undefined> {
  return (await childrenOf(a, parent)).find((n) => n.type === 'resource' && n.resourceId === id);
}

/**
 * Starts Create Snapshot (description `description`, no tags) on build-runner-root with the
 * sandbox's snapshots taking `ms`, and runs `body` while the tracker follows it.
 */
async function whileSnapshotRuns(
  ms: number,
  description: string,
  body: (run: { a: App; sandbox: Sandbox; disk: Node; op: TrackedOperation; mark: number }) => Promise<void>,
): Promise<void> {
  const { app: a, sandbox } = await world();
  await trackerIdle(a);
  await withSnapshotsTaking(sandbox.clouds.aws.state.timing, ms, async () => {
    const disk = await nodeAt(a, ...RUNNER);
    prompter.expect({ fields: { description, tags: [] } });
    const mark = await runAction('createSnapshot', disk);
    const [op] = a.tracker.list();
    assert.ok(op, 'no operation tracked');
    await body({ a, sandbox, disk, op, mark });
  });
}

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
      const record = sandbox.clouds.aws.state.snapshot('us-east-1', op.resourceId);
      assert.equal(record.description, 'exthost: status bar check');
      assert.ok(record.tags.some((t) => t.key === 'Purpose' && t.value === 'exthost'), JSON.stringify(record.tags));

      // The new snapshot shows under its disk while still pending.
      await waitFor('the pending snapshot under web-prod-1-data', () => childNode(a, disk, op.resourceId));

      // "Show Running Operations" (the status-bar item's command) lists it; picking it, then
      // Reveal in Tree, reveals the pending snapshot in the real tree view.
      await vscode.commands.executeCommand('snapkeeper.showOperations');
      const list = await waitFor('the operations list', () => a.statusBar.openList);
      assert.deepEqual(list.items.map((i) => i.label), [op.title]);
      await acceptInPick(list, op.title);
      await waitFor('the list to ask what to do', () => list.items.some((i) => i.label === 'Reveal in Tree'));
      assert.deepEqual(list.items.map((i) => i.label), ['Reveal in Tree', 'Dismiss']);
      await acceptInPick(list, 'Reveal in Tree');
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
      // Cleared once the journal is saved; announced once its region is listed again.
      await waitFor('the status bar to clear and the completion to be announced', () => a.statusBar.text === '' && a.announcing === 0, 15_000);

      const done = shownSince(mark, 'info').map((s) => s.message);
      assert.ok(done.includes(`Snapkeeper: ${op.title} completed.`), `no completion notification: ${JSON.stringify(done)}`);
      assert.deepEqual(shownSince(mark, 'error'), [], 'an error was shown');
      assert.equal(sandbox.clouds.aws.state.snapshotStatus(record).status, 'completed');

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

    it('while a snapshot runs, the open operations list, the status bar and the tree show the same current percentage; at the completion notice the tree already says completed', async function () {
      this.timeout(60_000);
      await whileSnapshotRuns(12_000, 'exthost: live progress', async ({ a, disk, op }) => {
        const snapNode: Node = await waitFor('the pending snapshot under build-runner-root', () => childNode(a, disk, op.resourceId));
        // What the tree says at the very moment the completion notice is shown.
        let atNotice: string | undefined;
        const hook = (s: Shown) => {
          if (s.message === `Snapkeeper: ${op.title} completed.`) {
            atNotice = String(itemOf(a, snapNode).description);
          }
        };
        onShown.push(hook);
        try {
          await vscode.commands.executeCommand('snapkeeper.showOperations');
          const list = await waitFor('the operations list', () => a.statusBar.openList);
          const seen = new Set<number>();
          const mismatches: string[] = [];
          await waitFor(
            'the percentage to move three times while the list is open',
            () => {
              const p = a.tracker.list()[0]?.progress;
              if (p === undefined) {
                return false;
              }
              const shown = {
                status: /· (\d+)%$/.exec(a.statusBar.text)?.[1],
                list: list.items[0]?.description,
                tree: /pending (\d+)%/.exec(String(itemOf(a, snapNode).description))?.[1],
              };
              if (shown.status !== String(p) || shown.list !== `${p}%` || shown.tree !== String(p)) {
                mismatches.push(`tracker ${p}%: ${JSON.stringify(shown)}`);
              }
              seen.add(p);
              return seen.size >= 3;
            },
            20_000,
            50,
          );
          assert.deepEqual(mismatches, [], 'a surface showed another percentage than the tracker');
          list.hide();
          await trackerIdle(a);
          const notice = await waitFor('the completion notice', () => atNotice);
          assert.match(notice, /(^| · )completed · /, `the tree at the completion notice: "${notice}"`);
          assert.doesNotMatch(notice, /pending/);
        } finally {
          onShown.splice(onShown.indexOf(hook), 1);
        }
      });
    });

    it('Dismiss in the operations list stops following a running snapshot; the snapshot goes on in the cloud and is never announced', async function () {
      this.timeout(60_000);
      await whileSnapshotRuns(8_000, 'exthost: dismissed', async ({ a, sandbox, op, mark }) => {

        await vscode.commands.executeCommand('snapkeeper.showOperations');
        const list = await waitFor('the operations list', () => a.statusBar.openList);
        await acceptInPick(list, op.title);
        await waitFor('the list to ask what to do', () => list.items.some((i) => i.label === 'Dismiss'));
        assert.match(String(list.items.find((i) => i.label === 'Dismiss')?.detail), /goes on in the cloud/);
        await acceptInPick(list, 'Dismiss');

        await waitFor('the operation to be dismissed', () => a.tracker.list().length === 0 && a.statusBar.text === '');
        const entry = a.context.globalState.get<JournalEntry>(`${ENTRY_PREFIX}${op.id}`);
        assert.equal(entry?.ended?.outcome, 'dismissed', `journal entry: ${JSON.stringify(entry)}`);
        await waitFor('the dismiss note', () =>
          shownSince(mark, 'info').find((s) => s.message.includes(`no longer following ${op.title}`) && /goes on in the cloud/.test(s.message)),
        );

        // The cloud operation itself goes on (the sandbox is the oracle)…
        const record = sandbox.clouds.aws.state.snapshot('us-west-2', op.resourceId);
        await waitFor('the sandbox to complete the snapshot', () => sandbox.clouds.aws.state.snapshotStatus(record).status === 'completed', 20_000);
        // …and nothing announces it: give a wrongly kept poll (every 1.5 s at first) the time to run.
        await sleep(4_000);
        assert.deepEqual(
          shownSince(mark).filter((s) => s.message.includes(op.title) && !s.message.includes('no longer following')),
          [],
          'the dismissed operation was announced',
        );
      });
    });
  });
}
