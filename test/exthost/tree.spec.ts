// "Try the Sandbox" and the tree the real TreeDataProvider returns for the seeded sandbox estate,
// including the contextValues that decide which context-menu items VS Code shows.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { actionOfWord, type ActionId } from '../../src/model/actions';
import type { App } from '../../src/ui/app';
import type { Node } from '../../src/ui/tree';
import {
  AMI_LABEL,
  accountNode,
  app,
  child,
  childrenOf,
  contextOf,
  itemOf,
  labelOf,
  menuOf,
  nodeAt,
  reload,
  resourceOf,
  shownSince,
  tooltipText,
  waitFor,
  world,
} from './harness';

/**
 * The actions whose view/item/context menu entry VS Code would show for a tree item with this
 * contextValue (a cloud's variant of an action counts as the action).
 */
function menuActions(contextValue: string): ActionId[] {
  const actions = menuOf(contextValue).map((m) => actionOfWord(m.command.replace(/^snapkeeper\./, '')));
  return [...new Set(actions.filter((id): id is ActionId => id !== undefined))].sort();
}

async function descendants(a: App, node: Node, depth: number): Promise<Node[]> {
  if (depth === 0) {
    return [];
  }
  const out: Node[] = [];
  for (const c of await childrenOf(a, node)) {
    out.push(c, ...(await descendants(a, c, depth - 1)));
  }
  return out;
}

export function treeTests(): void {
  describe('Tree: the sandbox estate', () => {
    it('"Try the Sandbox" adds one sandbox account per emulated cloud (AWS, Azure, Google Cloud, Apache CloudStack, OpenStack); a second run adds none', async () => {
      const a = await app();
      if (!a.accounts.list().some((x) => x.sandbox)) {
        await vscode.commands.executeCommand('snapkeeper.addSandbox');
      }
      const sandboxes = a.accounts.list().filter((x) => x.sandbox);
      assert.deepEqual(
        sandboxes.map((x) => `${x.cloud}:${x.label}`),
        ['aws:Sandbox (AWS)', 'azure:Sandbox (Azure)', 'gcp:Sandbox (Google Cloud)', 'cloudstack:Sandbox (Apache CloudStack)', 'openstack:Sandbox (OpenStack)'],
      );
      for (const [cloud, label, description] of [
        ['aws', 'Sandbox (AWS)', 'AWS · sandbox'],
        ['azure', 'Sandbox (Azure)', 'Azure · sandbox'],
        ['gcp', 'Sandbox (Google Cloud)', 'Google Cloud · sandbox'],
        ['cloudstack', 'Sandbox (Apache CloudStack)', 'Apache CloudStack · sandbox'],
        ['openstack', 'Sandbox (OpenStack)', 'OpenStack · sandbox'],
      ] as const) {
        const node = await accountNode(a, cloud);
        const item = itemOf(a, node);
        assert.equal(labelOf(a, node), label);
        assert.equal(item.contextValue, 'snapkeeper.account sandbox');
        assert.equal(item.description, description);
        assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      }

      const mark = Date.now();
      await vscode.commands.executeCommand('snapkeeper.addSandbox');
      assert.equal(a.accounts.list().filter((x) => x.sandbox).length, 5, 'a second "Try the Sandbox" added another account');
      assert.ok(
        shownSince(mark, 'info').some((s) => /already in the Snapkeeper view/.test(s.message)),
        'no "already there" message on the second "Try the Sandbox"',
      );
    });

    it('the account lists the enabled regions; once listed, the empty ones move under "Empty regions"', async () => {
      const { app: a, accountId } = await world();
      const session = a.session(accountId)!;
      const leaves = (await session.leafScopes()).map((s) => s.id);
      assert.ok(leaves.length > 3, `only ${leaves.length} regions`);
      const account = await accountNode(a);
      // Every enabled region is there (at the top or, if already listed empty, in the group).
      const top = await childrenOf(a, account);
      const shown: string[] = [];
      for (const n of top) {
        if (n.type === 'scope') {
          assert.equal(itemOf(a, n).contextValue, 'snapkeeper.scope leaf');
          shown.push(labelOf(a, n));
        } else {
          assert.equal(n.type, 'emptyScopes', `unexpected node under the account: ${labelOf(a, n)}`);
          shown.push(...(await childrenOf(a, n)).map((c) => labelOf(a, c)));
        }
      }
      assert.deepEqual([...shown].sort(), [...leaves].sort(), 'the tree does not show every enabled region');

      // Prefetch lists every region; then the seeded three stay on top, with counts, sorted, and
      // the rest (empty) are grouped last.
      await waitFor('every region to be listed', () => leaves.every((r) => session.state(r)?.status === 'loaded'), 20_000);
      const after = await waitFor('"Empty regions" under the account', async () => {
        const kids = await childrenOf(a, account);
        return kids.at(-1)?.type === 'emptyScopes' ? kids : undefined;
      });
      const regions = after.slice(0, -1).map((n) => labelOf(a, n));
      assert.deepEqual(regions, ['eu-west-1', 'us-east-1', 'us-west-2']);
      const group = after.at(-1) as Node;
      const groupItem = itemOf(a, group);
      assert.equal(labelOf(a, group), 'Empty regions');
      assert.equal(groupItem.contextValue, 'snapkeeper.emptyScopes');
      const empty = (await childrenOf(a, group)).map((n) => labelOf(a, n));
      assert.equal(groupItem.description, String(empty.length));
      assert.deepEqual([...empty, ...regions].sort(), [...leaves].sort());
      for (const n of await childrenOf(a, group)) {
        assert.equal(itemOf(a, n).collapsibleState, vscode.TreeItemCollapsibleState.None, `${labelOf(a, n)} is expandable`);
        assert.equal(a.tree.getParent(n), group, 'getParent of an empty region is not the group');
      }
      const east = after.find((s) => labelOf(a, s) === 'us-east-1') as Node;
      assert.match(String(itemOf(a, east).description), /^US East \(N\. Virginia\) · 2 VMs · \d+ disks · \d+ snapshots · \d+ AMIs?$/, 'the region\'s name beside its code, then the counts');
    });

    it('us-east-1 → web-prod-1 → its root and data disks → their snapshot chains, newest first', async () => {
      const { app: a } = await world();
      const region = await nodeAt(a, 'us-east-1');
      const top = (await childrenOf(a, region)).map((n) => labelOf(a, n));
      for (const want of ['web-prod-1', 'batch-worker', 'AMIs', 'Detached disks']) {
        assert.ok(top.includes(want), `"${want}" missing under us-east-1: [${top.join(', ')}]`);
      }
      const vm = await child(a, region, 'web-prod-1');
      const vmItem = itemOf(a, vm);
      assert.match(String(vmItem.description), /running · t3\.medium/);
      const disks = (await childrenOf(a, vm)).map((n) => labelOf(a, n));
      assert.deepEqual(disks, ['web-prod-1-root', 'web-prod-1-data'], 'boot disk first, then the data disk');
      const root = await child(a, vm, 'web-prod-1-root');
      assert.match(String(itemOf(a, root).description), /8 GiB · gp3 · boot/);
      const rootSnaps = (await childrenOf(a, root)).map((n) => labelOf(a, n)).filter((l) => l.startsWith('web-prod-1-root-'));
      assert.deepEqual(rootSnaps, ['web-prod-1-root-3', 'web-prod-1-root-2', 'web-prod-1-root-1']);
      const data = await child(a, vm, 'web-prod-1-data');
      const dataSnaps = (await childrenOf(a, data)).map((n) => labelOf(a, n)).filter((l) => /^web-prod-1-data-\d$/.test(l));
      assert.deepEqual(dataSnaps, ['web-prod-1-data-4', 'web-prod-1-data-3', 'web-prod-1-data-2', 'web-prod-1-data-1']);
      const snap = await child(a, data, 'web-prod-1-data-1');
      const snapItem = itemOf(a, snap);
      assert.equal(snapItem.collapsibleState, vscode.TreeItemCollapsibleState.None);
      assert.match(String(snapItem.description), /^snap-[0-9a-f]+ · completed · /);
      assert.ok(tooltipText(snapItem).includes(resourceOf(a, snap).id), 'the snapshot tooltip does not show its id');
      // getParent walks back up (used by reveal).
      assert.equal(a.tree.getParent(snap), data);
      assert.equal(a.tree.getParent(data), vm);
    });

    it('the Images folder holds web-base-2025-01 and Detached disks holds the restored test volume', async () => {
      const { app: a, sandbox } = await world();
      const images = await nodeAt(a, 'us-east-1', 'AMIs');
      assert.equal(itemOf(a, images).contextValue, 'snapkeeper.folder');
      // Labelled by its Name tag ("web-base"); the AMI name is web-base-2025-01.
      const ami = await child(a, images, AMI_LABEL);
      const r = resourceOf(a, ami);
      assert.equal(r.kind, 'image');
      assert.equal(sandbox.clouds.aws.state.image('us-east-1', r.id).name, 'web-base-2025-01');
      assert.match(String(itemOf(a, ami).description), /^ami-[0-9a-f]+ · available$/);
      const detached = await nodeAt(a, 'us-east-1', 'Detached disks');
      await child(a, detached, 'web-data-restore-test');
    });

    it('contextValues carry exactly the supported actions, so the menus show only those', async () => {
      const { app: a, accountId } = await world();
      const region = await nodeAt(a, 'us-east-1');
      const adapter = await a.session(accountId)!.adapter();
      const nodes = (await descendants(a, region, 4)).filter((n) => n.type === 'resource');
      assert.ok(nodes.length >= 15, `only ${nodes.length} resources under us-east-1`);
      for (const n of nodes) {
        const r = resourceOf(a, n);
        const cv = itemOf(a, n).contextValue ?? '';
        assert.ok(cv.startsWith(`snapkeeper.${r.kind}`), `${r.id}: contextValue "${cv}"`);
        assert.deepEqual(menuActions(cv), [...adapter.actionsFor(r)].sort(), `menus of ${labelOf(a, n)} (${cv})`);
      }
      const ctx = async (...path: string[]) => contextOf(a, await nodeAt(a, 'us-east-1', ...path));
      // A data-volume snapshot: restore to a new disk and copy, but no Replace Root Volume or AMI.
      const dataSnap = await ctx('web-prod-1', 'web-prod-1-data', 'web-prod-1-data-2');
      assert.ok(dataSnap.includes('restoreToNewDisk') && dataSnap.includes('copySnapshot') && dataSnap.includes('deleteSnapshot'));
      assert.ok(!dataSnap.includes('restoreInPlace'), 'a data-volume snapshot offers Restore in Place');
      assert.ok(!dataSnap.includes('createImageFromSnapshot'), 'a data-volume snapshot offers Create Image');
      // A root-volume snapshot of a running instance: both.
      const rootSnap = await ctx('web-prod-1', 'web-prod-1-root', 'web-prod-1-root-2');
      assert.ok(rootSnap.includes('restoreInPlace') && rootSnap.includes('createImageFromSnapshot'), rootSnap.join(' '));
      // The AMI's snapshot offers Delete (the plan refuses it: see the actions suite).
      assert.ok((await ctx('web-prod-1', 'web-prod-1-root', 'web-prod-1-root-1')).includes('deleteSnapshot'));
      // Disks: snapshot, tags and the sandbox's Simulate Writes.
      assert.deepEqual(await ctx('web-prod-1', 'web-prod-1-data'), ['snapkeeper.disk', 'createSnapshot', 'editTags', 'simulateWrites']);
      assert.deepEqual(await ctx('web-prod-1'), ['snapkeeper.vm', 'snapshotVm', 'createImageFromVm', 'editTags']);
      assert.deepEqual(await ctx('AMIs', AMI_LABEL), ['snapkeeper.image', 'deleteImage', 'editTags']);
    });

    it('a schedule on a disk and a VM restore point (as a cloud that lists them would): Schedules, "protected by", Restore points; names as text', async () => {
      // No adapter lists them yet: put them in the loaded listing of us-east-1, then list it again.
      const { app: a, accountId } = await world();
      const vmNode = await nodeAt(a, 'us-east-1', 'web-prod-1');
      const vm = resourceOf(a, vmNode);
      const data = resourceOf(a, await child(a, vmNode, 'web-prod-1-data'));
      assert.equal(data.kind, 'disk');
      const items = a.session(accountId)!.state(vm.scopeId)!.items;
      const base = { scopeId: vm.scopeId, phase: 'ready' as const, tags: [] };
      const evil = 'nightly\n[run](command:workbench.action.terminal.new) $(alert)';
      items.set('pol-1', { ...base, kind: 'policy', id: 'pol-1', name: evil, state: 'ENABLED', schedule: 'daily 03:00 UTC' });
      items.set('rp-1', { ...base, kind: 'restorePoint', id: 'rp-1', name: 'before-upgrade', state: 'Ready', vmId: vm.id, memory: true, createdAt: '2026-11-01T00:00:00Z' });
      items.set(data.id, { ...data, policyIds: ['pol-1'] });
      try {
        a.tree.refreshAll();
        const region = await nodeAt(a, 'us-east-1');
        const schedules = await child(a, region, 'Schedules');
        const policy = await child(a, schedules, 'nightly\\n[run](command:workbench.action.terminal.new) $(alert)');
        assert.match(String(itemOf(a, policy).description), /^pol-1 · daily 03:00 UTC · protects 1 disk$/);
        const tip = itemOf(a, policy).tooltip;
        assert.ok(tip instanceof vscode.MarkdownString && !tip.isTrusted && !tip.supportThemeIcons);
        assert.doesNotMatch(tip.value, /\]\(|\$\(|command:/, 'the schedule name became Markdown');
        const vmAgain = await child(a, region, 'web-prod-1');
        const disk = await child(a, vmAgain, 'web-prod-1-data');
        assert.match(String(itemOf(a, disk).description), / · protected by nightly\\n\[run\]\(command:workbench\.action\.terminal\.new\) \$\(alert\)$/);
        const groups = (await childrenOf(a, vmAgain)).map((n) => labelOf(a, n));
        assert.deepEqual(groups, ['web-prod-1-root', 'web-prod-1-data', 'Restore points']);
        const points = await child(a, vmAgain, 'Restore points');
        const point = await child(a, points, 'before-upgrade');
        assert.match(String(itemOf(a, point).description), /^rp-1 · with memory · Ready · /);
        assert.equal(itemOf(a, point).contextValue, 'snapkeeper.restorePoint');
        // Reveal walks back up: restore point → its VM's group → the VM.
        assert.equal(a.tree.getParent(point), points);
        assert.equal(a.tree.getParent(points), vmAgain);
        assert.equal(a.tree.getParent(policy), schedules);
      } finally {
        await reload(a, accountId, vm.scopeId);
        a.tree.refreshAll();
      }
    });
  });
}
