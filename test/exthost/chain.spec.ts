// The snapshot chain panel inside VS Code: opened from the tree's disk node, one panel per disk,
// the figures the extension sends the webview equal the sandbox's exact block accounting,
// malformed webview messages are dropped, the panel follows new snapshots, and its actions run
// the tree's own commands (same confirmations).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ChainPanel } from '../../src/ui/chainPanel';
import type { ChainView } from '../../src/webview/protocol';
import { nodeAt, notificationAnswers, prompter, resourceOf, runAction, shownSince, trackerIdle, waitFor, world } from './harness';

const REGION = 'us-east-1';

function panelFor(panels: Map<string, ChainPanel>, diskId: string): ChainPanel | undefined {
  return [...panels.values()].find((p) => p.current.diskId === diskId);
}

export function chainTests(): void {
  describe('Snapshot chain panel', function () {
    this.timeout(60_000);

    after(() => {
      for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
        if (tab.input instanceof vscode.TabInputWebview) {
          void vscode.window.tabGroups.close(tab);
        }
      }
    });

    it('Open Snapshot Chain on web-prod-1-data: the figures sent are the sandbox’s exact accounting', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const diskNode = await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data');
      const disk = resourceOf(a, diskNode);
      const ok = await vscode.commands.executeCommand('snapkeeper.openChain', diskNode);
      assert.equal(ok, true);
      const panel = await waitFor('the chain panel', () => panelFor(a.chains.panels, disk.id));
      assert.equal(panel.panel.viewType, 'snapkeeper.chain');
      assert.equal(panel.panel.title, 'Chain: web-prod-1-data');
      const view = (await panel.figures()) as ChainView;
      assert.ok(view && !view.loading, 'figures fetched');
      const seeded = ['web-prod-1-data-1', 'web-prod-1-data-2', 'web-prod-1-data-3', 'web-prod-1-data-4'];
      assert.deepEqual(view.snapshots.slice(0, 4).map((s) => s.name), seeded);
      assert.match(view.source, /ListChangedBlocks/);
      for (const s of view.snapshots.filter((x) => x.phase === 'ready')) {
        assert.equal(s.stored, sandbox.clouds.aws.storedBytes(REGION, s.id), `stored bytes of ${s.name}`);
        if (s.impact.kind === 'exact') {
          const want = sandbox.clouds.aws.deleteImpact(REGION, s.id);
          assert.equal(s.impact.freedBytes, want.freedBytes, `freed by ${s.name}`);
          assert.deepEqual(
            s.impact.moved.map((m) => `${m.snapshotId}=${m.bytes}`).sort(),
            want.moved.map((m) => `${m.snapshotId}=${m.bytes}`).sort(),
            `moved by ${s.name}`,
          );
        }
      }
      assert.equal(view.snapshots[0].stored, 500 * 1024 * 1024);
      assert.ok(view.branches.some((b) => b.kind === 'disk' && b.name === 'web-data-restore-test'), JSON.stringify(view.branches));
      assert.equal(view.totals.count, view.snapshots.length);
      assert.equal(view.totals.fullCopyBytes, view.snapshots.length * 100 * 1024 ** 3);
    });

    it('opening it again (from a snapshot) reveals the same panel, selecting that snapshot', async () => {
      const { app: a } = await world();
      const before = a.chains.panels.size;
      const snapNode = await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data', 'web-prod-1-data-3');
      await vscode.commands.executeCommand('snapkeeper.openChain', snapNode);
      assert.equal(a.chains.panels.size, before);
      const panel = panelFor(a.chains.panels, resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data')).id);
      assert.ok(panel);
      assert.equal(panel.lastView?.selectedId ?? resourceOf(a, snapNode).id, resourceOf(a, snapNode).id);
    });

    it('from the palette: account → region → disk or snapshot quick picks', async () => {
      const { app: a } = await world();
      const before = a.chains.panels.size;
      prompter.expect({ picks: ['Sandbox (AWS)', REGION, 'web-prod-1-root'] });
      const ok = await vscode.commands.executeCommand('snapkeeper.openChain');
      assert.equal(ok, true);
      assert.deepEqual(prompter.leftovers(), []);
      const resource = prompter.chosen[2];
      assert.equal(resource.placeholder, 'Which disk, snapshot or backup?');
      assert.ok(resource.labels.includes('web-prod-1-data') && resource.labels.includes('web-prod-1-data-2'), resource.labels.join(', '));
      assert.ok(!resource.labels.includes('web-prod-1'), 'a VM is offered');
      assert.equal(a.chains.panels.size, before + 1);
      const root = panelFor(a.chains.panels, resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-root')).id);
      assert.ok(root);
      const view = (await root.figures()) as ChainView;
      // The AMI made from the root's first snapshot is a branch, and blocks deleting that snapshot.
      assert.ok(view.branches.some((b) => b.kind === 'image'), JSON.stringify(view.branches));
      assert.ok(view.snapshots[0].impact.blockers.some((b) => /^image .* uses it$/.test(b)), JSON.stringify(view.snapshots[0].impact));
      root.dispose();
    });

    it('malformed messages from the webview are dropped and logged, nothing runs', async () => {
      const { app: a } = await world();
      const panel = [...a.chains.panels.values()][0];
      assert.ok(panel);
      const dropped = panel.dropped;
      const ran: string[] = [];
      const spy = vscode.commands.registerCommand('snapkeeperTest.spy', () => ran.push('spy'));
      try {
        for (const m of [
          { type: 'action', action: 'snapkeeperTest.spy', resourceId: 'x' },
          { type: 'action', action: 'deleteSnapshot' },
          { type: 'reveal', resourceId: 42 },
          'ready',
          null,
          { type: 'ready', html: '<script>' },
        ]) {
          panel.receive(m);
        }
      } finally {
        spy.dispose();
      }
      assert.equal(panel.dropped, dropped + 6);
      assert.deepEqual(ran, []);
    });

    it('follows new snapshots live: a snapshot taken after writing 12 MiB shows 12 MiB', async () => {
      const { app: a, sandbox, accountId } = await world();
      const disk = resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data'));
      const panel = panelFor(a.chains.panels, disk.id);
      assert.ok(panel);
      sandbox.clouds.aws.writeMiB(REGION, disk.id, 12);
      const [id] = sandbox.clouds.aws.bulkSnapshots(REGION, disk.id, 1);
      a.session(accountId)?.refresh([REGION]);
      const row = await waitFor('the new snapshot with its figure', async () => {
        await panel.figures();
        return panel.lastView?.snapshots.find((s) => s.id === id && s.stored !== undefined);
      });
      assert.equal(row.stored, 12 * 1024 * 1024);
      assert.equal(row.stored, sandbox.clouds.aws.storedBytes(REGION, id));
      assert.equal(row.impact.kind, 'exact');
      assert.equal(row.impact.freedBytes, sandbox.clouds.aws.deleteImpact(REGION, id).freedBytes);
    });

    it('Delete from the panel runs the tree’s command: the same confirmation, then the chain updates', async () => {
      const { app: a, sandbox } = await world();
      const disk = resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data'));
      const panel = panelFor(a.chains.panels, disk.id);
      assert.ok(panel?.lastView);
      const newest = panel.lastView.snapshots[panel.lastView.snapshots.length - 1];
      assert.ok(newest.actions.includes('deleteSnapshot'));
      prompter.expect({ confirms: [true] });
      panel.receive({ type: 'action', action: 'deleteSnapshot', resourceId: newest.id });
      await waitFor('the confirmation', () => prompter.confirmations.length === 1);
      assert.match(prompter.confirmations[0].confirmation.button, /Delete Snapshot/);
      await waitFor('the snapshot gone from the panel', async () => {
        await panel.figures();
        return !panel.lastView?.snapshots.some((s) => s.id === newest.id);
      });
      assert.throws(() => sandbox.clouds.aws.storedBytes(REGION, newest.id));
    });

    it('Google Cloud: Google’s stored bytes per snapshot; the newest one’s delete preview exact, older ones bounded', async () => {
      const { app: a, gcpAccountId, sandbox } = await world();
      const session = a.session(gcpAccountId);
      assert.ok(session);
      await Promise.all((await session.leafScopes()).map((s) => session.load(s)));
      const disk = [...session.resources()].find((r) => r.kind === 'disk' && r.name === 'web-1-data' && r.attachments.length > 0);
      assert.ok(disk, 'web-1-data listed');
      const panel = await a.chains.open(gcpAccountId, disk.id);
      assert.ok(panel);
      const view = (await panel.figures()) as ChainView;
      const ready = view.snapshots.filter((x) => x.phase === 'ready');
      assert.ok(ready.length >= 3, `only ${ready.length} snapshots`);
      assert.match(view.source, /stored bytes the cloud reports/);
      for (const s of ready) {
        assert.equal(s.stored, sandbox.clouds.gcp.storedBytes(s.id), `stored bytes of ${s.name}`);
      }
      const newest = ready[ready.length - 1];
      assert.equal(newest.impact.kind, 'exact');
      assert.equal(newest.impact.freedBytes, sandbox.clouds.gcp.deleteImpact(newest.id).freedBytes);
      for (const s of ready.slice(0, -1)) {
        assert.equal(s.impact.kind, 'bound', `${s.name}: ${s.impact.note}`);
        const truth = sandbox.clouds.gcp.deleteImpact(s.id).freedBytes;
        assert.ok((s.impact.freedBytes ?? -1) >= truth, `${s.name}: the bound ${s.impact.freedBytes} is below what the sandbox frees (${truth})`);
      }
      panel.dispose();
    });

    it('a completed snapshot’s notification offers Open Chain, which opens its disk’s chain', async () => {
      const { app: a } = await world();
      await trackerIdle(a);
      for (const p of [...a.chains.panels.values()]) {
        p.dispose();
      }
      const diskNode = await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data');
      const disk = resourceOf(a, diskNode);
      notificationAnswers.push({ match: /Snapshot of web-prod-1-data .*completed/, press: 'Open Chain' });
      prompter.expect({ fields: { description: 'exthost: open chain from the notice', tags: [] } });
      const mark = await runAction('createSnapshot', diskNode);
      await trackerIdle(a);
      const notice = await waitFor('the completion notice', () => shownSince(mark, 'info').find((s) => /completed/.test(s.message)));
      assert.deepEqual(notice.items, ['Reveal in Tree', 'Open Chain']);
      assert.equal(notice.pressed, 'Open Chain');
      const panel = await waitFor('the chain panel opened from the notice', () => panelFor(a.chains.panels, disk.id));
      assert.equal(panel.panel.title, 'Chain: web-prod-1-data');
      panel.dispose();
    });

    it('Azure: every figure says why it is missing (Azure reports no stored bytes)', async () => {
      const { app: a, azureAccountId } = await world();
      const session = a.session(azureAccountId);
      assert.ok(session);
      await Promise.all((await session.leafScopes()).map((s) => session.load(s)));
      const disk = [...session.resources()].find((r) => r.kind === 'disk' && r.name === 'web-01-data');
      assert.ok(disk, 'web-01-data listed');
      const panel = await a.chains.open(azureAccountId, disk.id);
      assert.ok(panel);
      const view = (await panel.figures()) as ChainView;
      assert.ok(view.snapshots.length >= 3);
      for (const s of view.snapshots) {
        assert.equal(s.stored, undefined);
        assert.match(s.storedMissing ?? '', /Azure does not report/);
        assert.equal(s.impact.kind, 'unavailable');
      }
      panel.dispose();
      assert.ok(![...a.chains.panels.values()].includes(panel), 'a disposed panel is forgotten');
    });
  });
}
