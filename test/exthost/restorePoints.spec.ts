// VM restore points across the UI, in a cloud's own words: the tree's "VM snapshots" group under a
// VM (memory, current and its parent marked, newest first), tooltips that name the kind and say
// what it is for, the palette's account → zone → VM → VM snapshot picks, titles and confirmations
// in the cloud's nouns, and the chain panel's section of its own. No adapter of the AWS sandbox
// lists restore points: they are put into its loaded listing, the account speaks as a cloud whose
// restore points are "VM snapshots" (its nouns), and its adapter offers the four restore-point
// actions (recorded, not run). Every name of the fifty hostile ones is shown as text everywhere.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CloudAdapter } from '../../src/model/adapter';
import type { ActionId } from '../../src/model/actions';
import type { RestorePoint } from '../../src/model/types';
import { markdownText, visible } from '../../src/ui/safeText';
import type { Node } from '../../src/ui/tree';
import { isChainView, type ChainView } from '../../src/webview/protocol';
import { HOSTILE_NAMES } from '../fixtures/hostile-names';
import { twoKindChainWords, twoKindNouns } from '../unit/fakes';
import { child, childrenOf, contextOf, itemOf, labelOf, nodeAt, offerRecordedActions, prompter, reload, resourceOf, runAction, shownSince, tooltipText, waitFor, world } from './harness';
import { assertNoticesPlain, assertPicksPlain, assertProgressTitlesPlain, assertTreeItemPlain, runThroughRealPicks } from './surfaces';

const REGION = 'us-east-1';
const EVIL = 'base\n\u202E[run](command:workbench.action.terminal.new) $(alert)';
const RP_ACTIONS: ActionId[] = ['revertToRestorePoint', 'snapshotFromRestorePoint', 'deleteRestorePoint'];

export function restorePointTests(): void {
  describe('VM restore points in the UI, in the cloud’s words (a listing that has them; hostile names)', function () {
    this.timeout(120_000);
    const calls: { action: ActionId; id: string }[] = [];
    let undo: (() => Promise<void>) | undefined;
    /** The restore points of web-prod-1: base ← before-upgrade (current), base ← side-branch. */
    let vmId = '';
    /** The fifty hostile ones, on batch-worker, by id. */
    const hostile = new Map<string, string>();

    before(async () => {
      const { app: a, accountId } = await world();
      const session = a.session(accountId);
      assert.ok(session);
      const vm = resourceOf(a, await nodeAt(a, REGION, 'web-prod-1'));
      const worker = resourceOf(a, await nodeAt(a, REGION, 'batch-worker'));
      vmId = vm.id;
      const base = { scopeId: vm.scopeId, phase: 'ready' as const, tags: [], state: 'Ready' };
      const points: RestorePoint[] = [
        { ...base, kind: 'restorePoint', id: 'rp-base', name: EVIL, vmId: vm.id, memory: true, createdAt: '2026-11-01T00:00:00Z', description: EVIL },
        { ...base, kind: 'restorePoint', id: 'rp-current', name: 'before-upgrade', vmId: vm.id, memory: false, current: true, parentId: 'rp-base', createdAt: '2026-11-02T00:00:00Z' },
        { ...base, kind: 'restorePoint', id: 'rp-side', name: 'side-branch', vmId: vm.id, memory: false, parentId: 'rp-base', createdAt: '2026-11-03T00:00:00Z' },
      ];
      HOSTILE_NAMES.forEach(({ text }, i) => {
        const id = `rp-h-${String(i).padStart(2, '0')}`;
        hostile.set(id, text);
        points.push({ ...base, kind: 'restorePoint', id, name: text, vmId: worker.id, memory: i % 2 === 0, createdAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), ...(i ? { parentId: `rp-h-${String(i - 1).padStart(2, '0')}` } : {}) });
      });
      const items = session.state(vm.scopeId)?.items;
      assert.ok(items);
      for (const p of points) {
        items.set(p.id, p);
      }
      // The account speaks as a cloud whose restore points are VM snapshots…
      const nouns = a.nouns;
      a.nouns = (id: string) => (id === accountId ? twoKindNouns : nouns.call(a, id));
      // …and its adapter offers the restore-point actions (recorded; nothing runs in the cloud).
      const adapter: CloudAdapter = await session.adapter();
      const restore = offerRecordedActions(adapter, 'restorePoint', RP_ACTIONS, calls);
      undo = async () => {
        restore();
        delete (a as { nouns?: unknown }).nouns;
        await reload(a, accountId, vm.scopeId);
        a.tree.refreshAll();
      };
      a.tree.refreshAll();
    });

    after(async () => {
      await undo?.();
    });

    it('tree: a "VM snapshots" group under the VM, newest first; memory, current and its parent marked; tooltips name the kind and say what it is for', async () => {
      const { app: a } = await world();
      const region = await nodeAt(a, REGION);
      await waitFor('the zone counts in the cloud’s nouns', () => / \d+ volumes · \d+ volume snapshots · 53 VM snapshots/.test(String(itemOf(a, region).description)));
      const vm = await child(a, region, 'web-prod-1');
      assert.deepEqual((await childrenOf(a, vm)).map((n) => labelOf(a, n)), ['web-prod-1-root', 'web-prod-1-data', 'VM snapshots']);
      const group = await child(a, vm, 'VM snapshots');
      assert.equal(itemOf(a, group).description, '3');
      assert.ok(String(itemOf(a, group).tooltip).includes(`at one moment.\n${twoKindNouns.about?.restorePoint}`), String(itemOf(a, group).tooltip));
      const points = await childrenOf(a, group);
      assert.deepEqual(points.map((n) => labelOf(a, n)), ['side-branch', 'before-upgrade', visible(EVIL)]);
      const [side, current, base] = points;
      assert.match(String(itemOf(a, current).description), /^rp-current · current · Ready · /);
      assert.match(String(itemOf(a, base).description), /^rp-base · with memory · Ready · .* · parent of current$/);
      assert.doesNotMatch(String(itemOf(a, side).description), /current|memory/);
      for (const node of points) {
        assert.deepEqual(contextOf(a, node), ['snapkeeper.restorePoint', ...RP_ACTIONS]);
        const tip = itemOf(a, node).tooltip;
        assert.ok(tip instanceof vscode.MarkdownString && !tip.isTrusted && !tip.supportHtml && !tip.supportThemeIcons);
        assert.ok(tip.value.startsWith(`**VM snapshot** ${markdownText(labelOf(a, node))}\n\n*${markdownText(twoKindNouns.about?.restorePoint ?? '')}*\n`), tip.value.slice(0, 300));
        assert.doesNotMatch(tip.value, /\]\(|\$\(|command:|<[a-z!/]/i);
      }
      const text = tooltipText(itemOf(a, current));
      assert.ok(text.includes(`- Taken after: ${visible(EVIL)} (rp-base)\n`), text);
      assert.ok(text.includes('- Current: the VM runs from this point\n'), text);
      assert.ok(tooltipText(itemOf(a, base)).includes('- Current: no: the current one was taken right after this one\n'));
      // A volume snapshot is named as one, with its own sentence: never mistaken for a VM snapshot.
      const snap = await child(a, await child(a, vm, 'web-prod-1-data'), 'web-prod-1-data-1');
      const snapTip = itemOf(a, snap).tooltip as vscode.MarkdownString;
      assert.ok(snapTip.value.startsWith(`**Volume snapshot** web&#45;prod&#45;1&#45;data&#45;1\n\n*${markdownText(twoKindNouns.about?.snapshot ?? '')}*`), snapTip.value.slice(0, 300));
      // Reveal walks back up: VM snapshot → the group → the VM.
      assert.equal(a.tree.getParent(current), group);
      assert.equal(a.tree.getParent(group), vm);
    });

    it('tree: the fifty hostile names are labels and tooltips as text', async () => {
      const { app: a } = await world();
      const group = await child(a, await nodeAt(a, REGION, 'batch-worker'), 'VM snapshots');
      const nodes = (await childrenOf(a, group)).filter((n): n is Extract<Node, { type: 'resource' }> => n.type === 'resource');
      assert.equal(nodes.length, hostile.size);
      // Newest first.
      assert.deepEqual(nodes.map((n) => n.resourceId), [...hostile.keys()].reverse());
      for (const node of nodes) {
        assertTreeItemPlain(a, node, hostile.get(node.resourceId) ?? '');
      }
    });

    it('palette: Delete VM Snapshot picks account → zone → VM → its VM snapshots; the confirmation speaks of VM snapshots, Keep first', async () => {
      const { app: a } = await world();
      calls.length = 0;
      prompter.expect({ picks: ['Sandbox (AWS)', REGION, 'web-prod-1', 'side-branch'], confirms: [true] });
      await runAction('deleteRestorePoint');
      const [, zone, vm, point] = prompter.chosen;
      assert.equal(zone.placeholder, 'Which zone?');
      assert.equal(vm.placeholder, 'Which VM?');
      assert.deepEqual(vm.labels, ['batch-worker', 'web-prod-1']);
      assert.equal(point.placeholder, 'Which VM snapshot?');
      assert.deepEqual(point.labels, ['side-branch', 'before-upgrade', visible(EVIL)]);
      const [asked] = prompter.confirmations;
      assert.deepEqual(
        { message: asked.confirmation.message, button: asked.confirmation.button, keep: asked.confirmation.keep, detail: asked.confirmation.detail },
        { message: 'Delete VM Snapshot: side-branch?', button: 'Delete VM Snapshot', keep: 'Keep VM Snapshot', detail: 'The VM snapshot is deleted. This cannot be undone.' },
      );
      assert.deepEqual(calls, [{ action: 'deleteRestorePoint', id: 'rp-side' }]);
      assert.ok(a.tree.nodeForResource(a.accounts.list().find((x) => x.cloud === 'aws' && x.sandbox)?.id ?? '', vmId));
    });

    it('palette through the real quick picks: each hostile VM snapshot picked; picks, progress titles and notices carry no link, codicon or hidden character', async () => {
      const { app: a } = await world();
      calls.length = 0;
      const mark = Date.now();
      const recorded = await runThroughRealPicks(
        a,
        {
          byLabel: { 'Which account?': 'Sandbox (AWS)', 'Which zone?': REGION, 'Which VM?': 'batch-worker' },
          targetPick: 'Which VM snapshot?',
          targets: hostile.keys(),
        },
        async (id) => assert.equal(await vscode.commands.executeCommand('snapkeeper.snapshotFromRestorePoint'), true, `not run on ${id}`),
      );
      assert.deepEqual(calls.map((c) => c.id), [...hostile.keys()]);
      const pointPicks = recorded.picks.filter((p) => p.placeHolder === 'Which VM snapshot?');
      assert.equal(pointPicks.length, hostile.size);
      assertPicksPlain(recorded.picks);
      // Each VM snapshot says whose it is and what it holds.
      assert.ok(pointPicks[0].items.every((i) => /^VM snapshot of VM batch-worker · (with memory|disks only, no memory)$/.test(i.detail ?? '')), JSON.stringify(pointPicks[0].items[0]));
      const titles = recorded.progress.map((p) => p.title ?? '').filter((t) => t.startsWith('Create Volume Snapshot from VM Snapshot: '));
      assert.ok(titles.length >= hostile.size, `${titles.length} progress titles`);
      assertProgressTitlesPlain(recorded.progress);
      const notices = await waitFor('a notice per VM snapshot', () => {
        const n = shownSince(mark, 'info').filter((s) => s.message.includes('snapshotFromRestorePoint recorded for'));
        return n.length >= hostile.size ? n : undefined;
      });
      assertNoticesPlain(notices.map((n) => n.message));
    });

    it('chain panel: the volume’s chain, and apart from it the VM’s VM snapshots with marks, parents and the cloud’s words; a link reveals one in the tree', async () => {
      const { app: a, accountId } = await world();
      const disk = resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data'));
      const panel = await a.chains.open(accountId, disk.id);
      assert.ok(panel);
      try {
        const view = (await panel.figures()) as ChainView;
        assert.ok(isChainView(JSON.parse(JSON.stringify(view))));
        assert.deepEqual(view.words, twoKindChainWords);
        assert.ok(!view.snapshots.some((s) => s.id.startsWith('rp-')), 'a VM snapshot is a row of the volume’s chain');
        assert.deepEqual(
          view.restorePoints?.map((p) => [p.id, p.memory, !!p.current, !!p.parentOfCurrent, p.parentName ?? null, p.vmName]),
          [
            ['rp-side', false, false, false, EVIL, 'web-prod-1'],
            ['rp-current', false, true, false, EVIL, 'web-prod-1'],
            ['rp-base', true, false, true, null, 'web-prod-1'],
          ],
        );
        assert.equal(view.restorePoints?.[2].description, EVIL);
        // The webview's link to a VM snapshot (here: the parent one) reveals it in the tree.
        panel.receive({ type: 'reveal', resourceId: 'rp-base' });
        await waitFor('rp-base selected in the tree', () => a.view.selection.some((n) => n.type === 'resource' && n.resourceId === 'rp-base'));
        assert.equal(panel.dropped, 0);
      } finally {
        panel.dispose();
      }
    });
  });
}
