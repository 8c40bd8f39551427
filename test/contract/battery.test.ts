/**
 * The fault battery: per cloud, create snapshot, restore to a new disk, copy (where the cloud has
 * it) and delete run through the adapters' real code paths (plan → execute → polls, as the
 * tracker follows them) against the sandbox on 127.0.0.1 while about a fifth of the requests
 * fail — throttling, 5xx, connections reset before and after the server acted, 200 answers with
 * a truncated body, on the actions and on their status polls alike — and, on AWS, new resources
 * stay invisible to Describe* for 1.5 s (EC2's eventual consistency). Each reported outcome is
 * then judged from the sandbox's OWN state: no duplicates, nothing lost, no false failure, no
 * false success. Honest failures (nothing happened and the user was told so) are allowed and
 * counted. The fault sequence is seeded; the counts are printed.
 */
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import type { Disk, Snapshot } from '../../src/model/types';
import { assertClean, battery, faultMix, OPS } from './battery';
import { byId, lacks, listScope, skipBecause, type CloudDriver, type SandboxControl, type Target } from './driver';
import { DRIVERS } from './drivers';

/** The battery of one cloud, through its driver (the same one the contract suite uses). */
function cloudBattery(driver: CloudDriver): void {
  describe(driver.battery.title, function () {
    let target: Target;
    let control: SandboxControl;
    let adapter: CloudAdapter;
    let related: RelatedResources;
    let disk: Disk;
    let source: Snapshot;
    const mix = (n: number) => faultMix(driver.battery.seed + n, driver.battery.faults);

    before(async () => {
      target = await driver.sandbox('battery');
      control = target.control as SandboxControl;
      adapter = target.adapter();
      disk = await target.disk();
      source = await target.snapshot();
      related = { inventory: await listScope(adapter, target.scope), scopes: target.scopes };
    });
    after(async () => {
      adapter?.dispose();
      await target?.close();
    });

    it('createSnapshot', async () => {
      const t = await battery(driver.cloud, control, adapter, related, {
        action: 'createSnapshot',
        kind: 'create',
        op: (i) => ({ target: disk, given: driver.snapshotAnswers(`battery-create-${i}`), marker: `battery-create-${i}` }),
        truth: (marker) => target.oracle.snapshots(marker),
      }, mix(1));
      assertClean(t);
    });

    it('restoreToNewDisk', async () => {
      const t = await battery(driver.cloud, control, adapter, related, {
        action: 'restoreToNewDisk',
        kind: 'create',
        op: (i) => ({ target: source, given: driver.restoreAnswers(`battery-restore-${i}`, source), marker: `battery-restore-${i}` }),
        truth: (marker) => target.oracle.disks(marker),
      }, mix(2));
      assertClean(t);
    });

    it('copySnapshot', async function () {
      const copy = driver.copy(target, 'battery');
      if (lacks(copy)) {
        skipBecause(this, copy.lacks);
      }
      const t = await battery(driver.cloud, control, adapter, related, {
        action: 'copySnapshot',
        kind: 'create',
        op: (i) => ({ target: source, given: copy.answers(`battery-copy-${i}`), marker: `battery-copy-${i}` }),
        truth: (marker) => target.oracle.snapshots(marker),
      }, mix(3));
      assertClean(t);
    });

    it('deleteSnapshot', async () => {
      const ids = control.bulkSnapshots(disk, OPS);
      const inv = await listScope(adapter, target.scope);
      const rel: RelatedResources = { ...related, inventory: inv };
      const t = await battery(driver.cloud, control, adapter, rel, {
        action: 'deleteSnapshot',
        kind: 'delete',
        op: (i) => ({ target: byId(inv.snapshots, ids[i]) as Snapshot, given: {}, marker: ids[i] }),
        truth: async (id) => ({ count: (await target.oracle.exists('snapshot', id)) ? 1 : 0, ready: true }),
      }, mix(4));
      assertClean(t);
    });
  });
}

describe('fault battery (≈20 % faults, each cloud through its contract driver)', function () {
  this.timeout(90_000);
  for (const driver of DRIVERS) {
    cloudBattery(driver);
  }
});
