// The Apache CloudStack sandbox account inside the real extension host, through the real adapter
// and client over CloudStack's signed API: the adapter bundle loaded only once the account is
// expanded; zone → VM (state) → volumes → volume snapshots, and the VM's VM snapshots as their own
// group (memory, current and its parent marked), each kind named as itself; Create Snapshot and
// Create VM Snapshot followed through queryAsyncJobResult to the end, the sandbox's own records
// being the oracle; the chain panel of a volume with CloudStack's physicalsize figures and its VM's
// VM snapshots in a section of their own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CLOUDSTACK_SEEDED } from '../../src/sandbox/cloudstack/backend';
import type { Node } from '../../src/ui/tree';
import type { ChainView } from '../../src/webview/protocol';
import { ENTER } from './prompter';
import {
  accountNode,
  child,
  childrenOf,
  contextOf,
  descriptionOf,
  menuTitlesOf,
  extension,
  itemOf,
  labelOf,
  prompter,
  resourceOf,
  runAction,
  shownSince,
  tooltipText,
  trackerIdle,
  waitFor,
  walk,
  world,
} from './harness';

const S = CLOUDSTACK_SEEDED;
const ZONE = 'gva-1';
const MiB = 1024 * 1024;

type TheApp = Awaited<ReturnType<typeof world>>['app'];

/** Walks the CloudStack sandbox account's tree by labels. */
async function csNode(a: TheApp, ...labels: string[]): Promise<Node> {
  return walk(a, await accountNode(a, 'cloudstack'), labels, 20_000);
}

export function cloudstackTests(): void {
  describe('Apache CloudStack sandbox account (signed API, volume snapshots and VM snapshots)', function () {
    this.timeout(60_000);

    it('its adapter bundle is loaded only when the account is expanded, then lists the zones with counts in CloudStack’s words', async () => {
      const { app: a, cloudstackAccountId } = await world();
      const bundle = join(extension().extensionPath, 'dist', 'adapters', 'cloudstack.js');
      assert.equal(require.cache[bundle], undefined, 'dist/adapters/cloudstack.js was loaded before a CloudStack account was expanded');
      assert.equal(a.session(cloudstackAccountId)?.loadedAdapter, undefined);
      const account = await accountNode(a, 'cloudstack');
      assert.equal(labelOf(a, account), 'Sandbox (Apache CloudStack)');
      const zones = await waitFor('the zones', async () => {
        const kids = (await childrenOf(a, account)).map((n) => labelOf(a, n));
        return kids.includes(ZONE) ? kids : undefined;
      }, 30_000);
      assert.ok(zones.includes('zrh-1'), zones.join(', '));
      assert.ok(require.cache[bundle], 'the CloudStack bundle is not loaded after expanding the account');
      const zone = await csNode(a, ZONE);
      // Counts in CloudStack's nouns: volumes, volume snapshots and VM snapshots counted apart.
      await waitFor(`${ZONE}'s counts`, () => /^\d+ VMs · \d+ volumes · \d+ volume snapshots · \d+ VM snapshots · \d+ templates?$/.test(descriptionOf(a, zone)), 30_000);
    });

    it('zone → VM (state) → volumes → volume snapshots; the VM snapshots as their own group, memory, current and its parent marked', async () => {
      const { app: a } = await world();
      const web = await csNode(a, ZONE, 'web-1');
      assert.match(descriptionOf(a, web), /Running/);
      assert.deepEqual((await childrenOf(a, web)).map((n) => labelOf(a, n)), ['web-1-root', 'web-1-data', 'VM snapshots']);
      const data = await child(a, web, 'web-1-data');
      const snaps = (await childrenOf(a, data)).map((n) => labelOf(a, n));
      assert.deepEqual(snaps.slice(-3), ['web-1-data-snap-3', 'web-1-data-snap-2', 'web-1-data-snap-1'], `newest first: ${snaps.join(', ')}`);
      // A volume snapshot says it is one, and what it is for.
      const snap = await child(a, data, 'web-1-data-snap-2');
      const snapTip = tooltipText(itemOf(a, snap));
      assert.ok(snapTip.startsWith('**Volume snapshot** web-1-data-snap-2\n\n*A volume snapshot copies one volume to secondary storage'), snapTip.slice(0, 300));
      assert.ok(contextOf(a, snap).includes('restoreToNewDisk'), contextOf(a, snap).join(' '));

      const group = await child(a, web, 'VM snapshots');
      const [point] = await childrenOf(a, group);
      assert.equal(labelOf(a, point), 'web-1-pre-upgrade');
      assert.match(descriptionOf(a, point), /· current · with memory · /);
      const tip = tooltipText(itemOf(a, point));
      assert.ok(tip.startsWith('**VM snapshot** web-1-pre-upgrade\n\n*A VM snapshot captures the whole VM on primary storage'), tip.slice(0, 300));
      assert.match(tip, /- Memory: included/);
      for (const action of ['revertToRestorePoint', 'deleteRestorePoint']) {
        assert.ok(contextOf(a, point).includes(action), `${action} not offered: ${contextOf(a, point).join(' ')}`);
      }
      // The menus say what CloudStack says (the module's menuTitles), not the neutral titles.
      const pointMenu = menuTitlesOf(a, point);
      for (const title of ['Revert VM to VM Snapshot…', 'Delete VM Snapshot…']) {
        assert.ok(pointMenu.includes(title), `"${title}" not in the menu: ${pointMenu.join(', ')}`);
      }
      for (const neutral of ['Revert VM to Restore Point…', 'Delete Restore Point…']) {
        assert.ok(!pointMenu.includes(neutral), `"${neutral}" in the menu: ${pointMenu.join(', ')}`);
      }

      // db-1: the current VM snapshot (disks only) was taken right after the one with memory.
      const db = await csNode(a, ZONE, 'db-1', 'VM snapshots');
      const points = await childrenOf(a, db);
      assert.deepEqual(points.map((n) => labelOf(a, n)), ['db-1-cold', 'db-1-before-maintenance']);
      assert.match(descriptionOf(a, points[0]), /· current · /);
      assert.doesNotMatch(descriptionOf(a, points[0]), /with memory/);
      assert.match(descriptionOf(a, points[1]), /· with memory · .*· parent of current$/);
      assert.ok(tooltipText(itemOf(a, points[0])).includes('- Taken after: db-1-before-maintenance ('), tooltipText(itemOf(a, points[0])));
    });

    it('Create Snapshot of web-1-data: followed through queryAsyncJobResult to done; the sandbox holds it BackedUp with the blocks written since', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const cs = sandbox.clouds.cloudstack;
      const data = await csNode(a, ZONE, 'web-1', 'web-1-data');
      cs.writeMiB(S.webDataVolume, 6);
      const name = `exthost-cs-snap-${Date.now()}`;
      const before = new Set(a.tracker.list().map((r) => r.id));
      prompter.expect({ fields: { name, zones: ENTER, tags: [{ key: 'purpose', value: 'exthost' }] } });
      const mark = await runAction('createSnapshot', data);
      assert.match(prompter.asked[0].title, /^Create Snapshot: web-1-data$/);
      const ops = a.tracker.list().filter((r) => !before.has(r.id));
      assert.equal(ops.length, 1, `one operation expected; shown: ${JSON.stringify(shownSince(mark))}`);
      await trackerIdle(a, 45_000);
      assert.ok(shownSince(mark, 'info').some((s) => s.message.includes(name) && /completed/.test(s.message)), `no completion notice: ${JSON.stringify(shownSince(mark))}`);
      const made = cs.snapshots().find((s) => s.name === name);
      assert.ok(made, 'the sandbox has no such volume snapshot');
      assert.equal(cs.state.snapshotState(made), 'BackedUp');
      assert.equal(made.volumeId, S.webDataVolume);
      // The 6 MiB written here and the 10 MiB the seed wrote after web-1-data-snap-3.
      assert.equal(cs.snapshotFacts(made.id).physicalBytes[S.zones.gva], 16 * MiB);
      const listed = await waitFor('the new snapshot listed, BackedUp', async () => {
        const node = await child(a, await csNode(a, ZONE, 'web-1', 'web-1-data'), name, 20_000);
        const r = resourceOf(a, node);
        return r.phase === 'ready' ? r : undefined;
      }, 30_000);
      assert.equal(listed.id, made.id);
      assert.ok(listed.tags.some((t) => t.key === 'purpose' && t.value === 'exthost'));
    });

    it('Create VM Snapshot of web-1 (running on KVM: with its memory): followed to done; the sandbox has it Ready with memory, and it is now the current one', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const cs = sandbox.clouds.cloudstack;
      const vm = await csNode(a, ZONE, 'web-1');
      const name = `exthost-cs-vmsnap-${Date.now()}`;
      // KVM keeps a running VM's memory in its VM snapshots: the plan does not ask.
      prompter.expect({ fields: { name, description: 'before the exthost change' } });
      const mark = await runAction('createRestorePoint', vm);
      assert.match(prompter.asked[0].title, /^Create VM Snapshot: web-1$/);
      await trackerIdle(a, 45_000);
      assert.ok(shownSince(mark, 'info').some((s) => /completed/.test(s.message)), `no completion notice: ${JSON.stringify(shownSince(mark))}`);
      // CloudStack names a VM snapshot <vm>_VS_<time> itself; the name asked for is its display name.
      const made = cs.vmSnapshots().find((s) => s.displayname === name);
      assert.ok(made, 'the sandbox has no such VM snapshot');
      assert.equal(cs.state.vmSnapshotState(made), 'Ready');
      assert.equal(made.type, 'DiskAndMemory');
      assert.equal(made.current, true);
      assert.equal(made.parentId, S.webVmSnapshot);
      assert.equal(cs.vmSnapshots().find((s) => s.id === S.webVmSnapshot)?.current, false);
      // The tree: the new one first and current with memory; the one before marked as its parent.
      const points = await waitFor('the new VM snapshot listed as the current one', async () => {
        const group = await csNode(a, ZONE, 'web-1', 'VM snapshots');
        const kids = await childrenOf(a, group);
        return labelOf(a, kids[0]) === name && /· current · with memory · Ready/.test(descriptionOf(a, kids[0])) ? kids : undefined;
      }, 30_000);
      assert.equal(labelOf(a, points[1]), 'web-1-pre-upgrade');
      assert.match(descriptionOf(a, points[1]), /· parent of current$/);
    });

    it('the chain panel of web-1-data: CloudStack’s physicalsize per volume snapshot, and web-1’s VM snapshots in a section of their own', async () => {
      const { app: a, sandbox, cloudstackAccountId } = await world();
      const cs = sandbox.clouds.cloudstack;
      const panel = await a.chains.open(cloudstackAccountId, S.webDataVolume);
      assert.ok(panel);
      try {
        const view = (await panel.figures()) as ChainView;
        assert.match(view.source, /physicalsize/);
        assert.equal(view.words?.snapshot, 'volume snapshot');
        assert.equal(view.words?.restorePoint, 'VM snapshot');
        const seeded = view.snapshots.filter((s) => (S.chainSnapshots as readonly string[]).includes(s.id));
        assert.equal(seeded.length, 3);
        for (const s of seeded) {
          assert.equal(s.stored, cs.snapshotFacts(s.id).physicalBytes[S.zones.gva], `physicalsize of ${s.name}`);
        }
        assert.deepEqual(seeded.map((s) => (s.stored ?? 0) / MiB), [...S.chainStoredMiB]);
        // VM snapshots are never rows of the volume's chain…
        const vmSnapshotIds = new Set(cs.vmSnapshots().map((p) => p.id));
        assert.ok(!view.snapshots.some((s) => vmSnapshotIds.has(s.id)));
        // …but the VM's, in their own section, newest first, the current one marked, parents named.
        const points = view.restorePoints ?? [];
        assert.ok(points.length >= 1);
        const seededPoint = points.find((p) => p.id === S.webVmSnapshot);
        assert.ok(seededPoint, JSON.stringify(points));
        assert.equal(seededPoint.memory, true);
        assert.equal(seededPoint.vmName, 'web-1');
        assert.ok(points.every((p) => vmSnapshotIds.has(p.id)));
        assert.equal(points.filter((p) => p.current).length, 1);
      } finally {
        panel.dispose();
      }
    });
  });
}
