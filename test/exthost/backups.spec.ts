// Backups across the UI in the real VS Code: the "Backups" group under a disk (newest first, full or
// incremental, the parent named), the scope's group for backups whose disk is gone, reveal, the
// palette's quick picks, and the chain panel's backup section and its buttons. No adapter of the
// AWS sandbox lists backups (the OpenStack adapter will): they are put into its loaded listing,
// the account speaks with a sentence on what backups are for, and its adapter offers the backup
// actions (recorded, not run). Fifty hostile names are shown as text everywhere.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ActionId } from '../../src/model/actions';
import type { CloudAdapter, CloudNouns } from '../../src/model/adapter';
import type { Backup, Resource } from '../../src/model/types';
import { markdownText, visible } from '../../src/ui/safeText';
import type { Node } from '../../src/ui/tree';
import { isChainView, type ChainView } from '../../src/webview/protocol';
import { HOSTILE_NAMES } from '../fixtures/hostile-names';
import { child, childrenOf, contextOf, itemOf, labelOf, nodeAt, offerRecordedActions, prompter, reload, resourceOf, shownSince, tooltipText, waitFor, world } from './harness';
import { assertNoticesPlain, assertPicksPlain, assertProgressTitlesPlain, assertTreeItemPlain, runThroughRealPicks } from './surfaces';

const REGION = 'us-east-1';
const EVIL = 'full\n\u202E[run](command:workbench.action.terminal.new) $(alert)';
const ABOUT = 'A backup is a durable copy of one disk on a separate backup store, full or incremental against its parent.';
const BACKUP_ACTIONS: ActionId[] = ['restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup'];
const GiB = 1024 ** 3;

export function backupTests(): void {
  describe('Backups in the UI (a listing that has them; hostile names)', function () {
    this.timeout(120_000);
    const calls: { action: ActionId; id: string }[] = [];
    let undo: (() => Promise<void>) | undefined;
    let diskId = '';
    /** The fifty hostile backups (a chain on web-prod-1-root), by id. */
    const hostile = new Map<string, string>();

    before(async () => {
      const { app: a, accountId } = await world();
      const session = a.session(accountId);
      assert.ok(session);
      const disk = resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data'));
      const root = resourceOf(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-root'));
      diskId = disk.id;
      const base = { scopeId: disk.scopeId, phase: 'ready' as const, tags: [], state: 'available', sizeGiB: 8 };
      // web-prod-1-data: a full backup, an incremental line, and a branch on bk-inc-1.
      const backups: Backup[] = [
        { ...base, kind: 'backup', id: 'bk-full', name: EVIL, diskId, incremental: false, hasDependents: true, storedBytes: 3 * GiB, createdAt: '2026-11-01T00:00:00Z', description: EVIL },
        { ...base, kind: 'backup', id: 'bk-inc-1', name: 'inc-1', diskId, incremental: true, parentId: 'bk-full', hasDependents: true, storedBytes: GiB, createdAt: '2026-11-02T00:00:00Z' },
        { ...base, kind: 'backup', id: 'bk-inc-2', name: 'inc-2', diskId, incremental: true, parentId: 'bk-inc-1', storedBytes: GiB / 2, createdAt: '2026-11-03T00:00:00Z' },
        { ...base, kind: 'backup', id: 'bk-inc-2b', name: 'inc-2b', diskId, incremental: true, parentId: 'bk-inc-1', objectCount: 12, createdAt: '2026-11-04T00:00:00Z' },
        // A backup whose volume was deleted.
        { ...base, kind: 'backup', id: 'bk-orphan', name: 'old-volume-full', diskId: 'vol-0deleted0000000', incremental: false, createdAt: '2026-10-01T00:00:00Z' },
      ];
      HOSTILE_NAMES.forEach(({ text }, i) => {
        const id = `bk-h-${String(i).padStart(2, '0')}`;
        hostile.set(id, text);
        backups.push({
          ...base,
          kind: 'backup',
          id,
          name: text,
          diskId: root.id,
          incremental: i > 0,
          createdAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
          ...(i ? { parentId: `bk-h-${String(i - 1).padStart(2, '0')}` } : {}),
        });
      });
      const items = session.state(disk.scopeId)?.items;
      assert.ok(items);
      for (const b of backups) {
        items.set(b.id, b);
      }
      // The account says what backups are for…
      const nouns = a.nouns;
      a.nouns = (id: string): CloudNouns => {
        const own = nouns.call(a, id);
        return id === accountId ? { ...own, about: { ...own.about, backup: ABOUT } } : own;
      };
      // …and its adapter offers the backup actions (recorded; nothing runs in the cloud).
      const adapter: CloudAdapter = await session.adapter();
      const restore = offerRecordedActions(adapter, 'backup', BACKUP_ACTIONS, calls);
      undo = async () => {
        restore();
        delete (a as { nouns?: unknown }).nouns;
        for (const p of [...a.chains.panels.values()]) {
          p.dispose();
        }
        await reload(a, accountId, disk.scopeId);
        a.tree.refreshAll();
      };
      a.tree.refreshAll();
    });

    after(async () => {
      await undo?.();
    });

    it('tree: a Backups group under the disk, after its snapshots, newest first; each full or incremental, its tooltip naming its parent and what it stores', async () => {
      const { app: a } = await world();
      const region = await nodeAt(a, REGION);
      await waitFor('the region counts with backups', () => / · 55 backups/.test(String(itemOf(a, region).description)));
      const disk = await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data');
      const kids = await childrenOf(a, disk);
      const shown = kids.map((n) => `${n.type === 'resource' ? n.kind : n.type}:${labelOf(a, n)}`);
      // Its snapshots first (as before), the group last.
      assert.equal(shown[shown.length - 1], 'folder:Backups', shown.join(', '));
      assert.ok(shown.length > 1 && shown.slice(0, -1).every((k) => k.startsWith('snapshot:')), shown.join(', '));
      const group = await child(a, disk, 'Backups');
      assert.equal(itemOf(a, group).description, '4');
      assert.ok(String(itemOf(a, group).tooltip).endsWith(`what changed since their parent.\n${ABOUT}`), String(itemOf(a, group).tooltip));
      const nodes = await childrenOf(a, group);
      assert.deepEqual(nodes.map((n) => labelOf(a, n)), ['inc-2b', 'inc-2', 'inc-1', visible(EVIL)]);
      const [inc2b, inc2, inc1, full] = nodes;
      assert.match(String(itemOf(a, inc2).description), /^bk-inc-2 · incremental · available · /);
      assert.match(String(itemOf(a, full).description), /^bk-full · full · available · /);
      for (const node of nodes) {
        assert.deepEqual(contextOf(a, node), ['snapkeeper.backup', ...BACKUP_ACTIONS]);
        const tip = itemOf(a, node).tooltip;
        assert.ok(tip instanceof vscode.MarkdownString && !tip.isTrusted && !tip.supportHtml && !tip.supportThemeIcons);
        assert.ok(tip.value.startsWith(`**Backup** ${markdownText(labelOf(a, node))}\n\n*${markdownText(ABOUT)}*\n`), tip.value.slice(0, 300));
        assert.doesNotMatch(tip.value, /\]\(|\$\(|command:|<[a-z!/]/i);
      }
      const text = tooltipText(itemOf(a, inc1));
      assert.ok(text.includes(`- Incremental after: ${visible(EVIL)} (bk-full)\n`), text);
      assert.ok(text.includes('- Stored: 1.0 GiB\n'), text);
      assert.ok(text.includes('- Dependents: incremental backups depend on it: it cannot be deleted before them\n'), text);
      assert.ok(tooltipText(itemOf(a, inc2b)).includes('- Stored: 12 objects of the backup store\n'));
      assert.ok(tooltipText(itemOf(a, full)).includes(`- Description: ${visible(EVIL)}\n`));
      // Reveal walks back up: backup → the disk's Backups group → the disk.
      assert.equal(a.tree.getParent(inc2), group);
      assert.equal(a.tree.getParent(group), disk);
    });

    it('tree: a backup whose disk is gone is in the region’s group of things whose disk is not here; reveal finds both kinds', async () => {
      const { app: a, accountId } = await world();
      const inv = a.session(accountId)?.inventory(REGION);
      assert.ok(inv);
      const disks = new Set(inv.disks.map((d) => d.id));
      const orphanSnapshots = inv.snapshots.some((s) => !s.diskId || !disks.has(s.diskId));
      const label = orphanSnapshots ? 'Other snapshots and backups' : 'Other backups';
      const group = await nodeAt(a, REGION, label);
      const ids = (await childrenOf(a, group)).map((n) => (n.type === 'resource' ? n.resourceId : ''));
      assert.ok(ids.includes('bk-orphan'), ids.join(', '));
      assert.equal(ids.filter((id) => id.startsWith('bk-')).length, 1);
      for (const id of ['bk-orphan', 'bk-inc-2']) {
        assert.equal(await vscode.commands.executeCommand('snapkeeper.revealResource', accountId, id), true);
        await waitFor(`${id} selected in the tree`, () => a.view.selection.some((n) => n.type === 'resource' && n.resourceId === id));
      }
    });

    it('tree: the fifty hostile names are labels, lines and tooltips as text', async () => {
      const { app: a } = await world();
      const group = await child(a, await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-root'), 'Backups');
      const nodes = (await childrenOf(a, group)).filter((n): n is Extract<Node, { type: 'resource' }> => n.type === 'resource');
      assert.deepEqual(nodes.map((n) => n.resourceId), [...hostile.keys()].reverse());
      // The name and the parent's (another hostile name) as text.
      for (const node of nodes) {
        assertTreeItemPlain(a, node, hostile.get(node.resourceId) ?? '');
      }
    });

    it('palette through the real quick picks: each hostile backup picked; picks, progress titles and notices carry no link, codicon or hidden character', async () => {
      const { app: a } = await world();
      calls.length = 0;
      const mark = Date.now();
      const recorded = await runThroughRealPicks(
        a,
        { byLabel: { 'Which account?': 'Sandbox (AWS)', 'Which region?': REGION }, targetPick: 'Which backup?', targets: hostile.keys() },
        async (id) => assert.equal(await vscode.commands.executeCommand('snapkeeper.restoreBackupToNewDisk'), true, `not run on ${id}`),
      );
      assert.deepEqual(calls.map((c) => c.id), [...hostile.keys()]);
      const picks = recorded.picks.filter((p) => p.placeHolder === 'Which backup?');
      assert.equal(picks.length, hostile.size);
      assertPicksPlain(recorded.picks);
      // Each backup says which kind it is, its parent and its disk.
      const details = new Map(picks[0].items.map((i) => [(i as { value?: Resource }).value?.id, i.detail ?? '']));
      // A hostile parent name is shown as text (hidden characters as escapes, its codicon escaped).
      assert.ok((details.get('bk-inc-1') ?? '').startsWith('incremental backup after full\\n\\u202E[run](command:workbench.action.terminal.new) \\$(alert) of disk web-prod-1-data'), details.get('bk-inc-1'));
      assert.match(details.get('bk-inc-2') ?? '', /^incremental backup after inc-1 of disk web-prod-1-data · 8 GiB$/);
      assert.match(details.get('bk-full') ?? '', /^full backup of disk web-prod-1-data · 8 GiB$/);
      assertProgressTitlesPlain(recorded.progress);
      const notices = await waitFor('a notice per backup', () => {
        const n = shownSince(mark, 'info').filter((s) => s.message.includes('restoreBackupToNewDisk recorded for'));
        return n.length >= hostile.size ? n : undefined;
      });
      assertNoticesPlain(notices.map((n) => n.message));
    });

    it('chain panel: opened from a backup, the disk’s backups beside its snapshots with levels, parents, figures and the delete rule; its buttons run the tree’s commands', async () => {
      const { app: a } = await world();
      const group = await nodeAt(a, REGION, 'web-prod-1', 'web-prod-1-data', 'Backups');
      const inc2 = await child(a, group, 'inc-2');
      assert.equal(await vscode.commands.executeCommand('snapkeeper.openChain', inc2), true);
      const panel = await waitFor('the chain panel of web-prod-1-data', () => [...a.chains.panels.values()].find((p) => p.current.diskId === diskId));
      const view = (await panel.figures()) as ChainView;
      assert.ok(isChainView(JSON.parse(JSON.stringify(view))));
      assert.equal(view.selectedId, 'bk-inc-2');
      assert.ok(view.snapshots.length > 0, 'the snapshots are still drawn');
      assert.equal(view.words?.aboutBackup, ABOUT);
      assert.deepEqual(
        view.backups?.map((b) => [b.id, b.level, b.incremental, b.parentName ?? null, b.stored ?? null, b.storedObjects ?? null]),
        [
          ['bk-full', 0, false, null, 3 * GiB, null],
          ['bk-inc-1', 0, true, EVIL, GiB, null],
          ['bk-inc-2', 0, true, 'inc-1', GiB / 2, null],
          ['bk-inc-2b', 1, true, 'inc-1', null, 12],
        ],
      );
      const rows = new Map(view.backups?.map((b) => [b.id, b]));
      assert.deepEqual(rows.get('bk-inc-1')?.impact.blockers, ['incremental backup inc-2 (bk-inc-2) depends on it', 'incremental backup inc-2b (bk-inc-2b) depends on it']);
      assert.deepEqual(rows.get('bk-inc-2')?.impact, { blockers: [], freedBytes: GiB / 2 });
      assert.deepEqual(rows.get('bk-inc-2')?.actions, BACKUP_ACTIONS);
      assert.deepEqual(view.backupTotals, { count: 4, storedBytes: 4.5 * GiB, storedKnown: 3, objects: 12, objectsKnown: 1, fullCopyBytes: 32 * GiB });

      // A button: the tree's own command on the tree's own node (Delete asks first, Keep named).
      calls.length = 0;
      prompter.expect({ confirms: [true] });
      panel.receive({ type: 'action', action: 'deleteBackup', resourceId: 'bk-inc-2' });
      await waitFor('the recorded delete', () => calls.length === 1);
      assert.deepEqual(calls, [{ action: 'deleteBackup', id: 'bk-inc-2' }]);
      const [asked] = prompter.confirmations;
      assert.deepEqual([asked.confirmation.button, asked.confirmation.keep], ['Delete Backup', 'Keep Backup']);
      // A snapshot's action sent with a backup's id is not run.
      prompter.expect();
      panel.receive({ type: 'action', action: 'deleteSnapshot', resourceId: 'bk-inc-2' });
      panel.receive({ type: 'action', action: 'restoreBackupToNewDisk', resourceId: 'bk-h-00' });
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(calls, [{ action: 'deleteBackup', id: 'bk-inc-2' }], 'an action on something not in this chain, or of the wrong kind, ran');
      // Its parent link reveals the parent in the tree.
      panel.receive({ type: 'reveal', resourceId: 'bk-full' });
      await waitFor('bk-full selected in the tree', () => a.view.selection.some((n) => n.type === 'resource' && n.resourceId === 'bk-full'));
      assert.equal(panel.dropped, 0);
      panel.dispose();
    });
  });
}
