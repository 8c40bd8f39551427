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
import * as assert from 'node:assert/strict';
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import type { ActionId } from '../../src/model/actions';
import type { Disk, FieldValues, Resource, Snapshot } from '../../src/model/types';
import type { FaultConfig } from '../../src/sandbox';
import { emptyTally, judge, line, perform, pool, type Tally, type Truth } from './battery';
import { byId, lacks, listScope, skipBecause, type CloudDriver, type SandboxControl, type Target } from './driver';
import { DRIVERS } from './drivers';

/** Operations per action per cloud, and how many run at once. */
const OPS = 24;
const PARALLEL = 12;
const POLL_MS = 80;
/** Each action's operations must all have an outcome within this (ms). */
const ACTION_DEADLINE_MS = 45_000;

/** ≈ 20 % of the requests fail, seeded so a run is reproducible. */
function faultMix(seed: number, extra: FaultConfig = {}): FaultConfig {
  return { seed, throttleRate: 0.05, serverErrorRate: 0.04, dropRate: 0.03, dropAfterCommitRate: 0.04, malformedRate: 0.04, ...extra };
}

/** One action of the battery: the targets and answers of its operations, and how to read the truth. */
interface Case {
  action: ActionId;
  kind: 'create' | 'delete';
  /** The i-th operation: its target, answers and a marker (a unique name or description). */
  op(i: number): { target: Resource; given: FieldValues; marker: string };
  truth(marker: string): Promise<Truth>;
}

/** Runs one case under the fault mix and asserts the four zeros from the sandbox's state. */
async function battery(cloud: string, control: SandboxControl, adapter: CloudAdapter, related: RelatedResources, c: Case, faults: FaultConfig): Promise<Tally> {
  const ops = Array.from({ length: OPS }, (_, i) => ({ i, ...c.op(i) }));
  const outcomes = new Map<number, Awaited<ReturnType<typeof perform>>>();
  const started = Date.now();
  const deadline = started + ACTION_DEADLINE_MS;
  control.setFaults(faults);
  try {
    await pool(ops, PARALLEL, async (o) => {
      outcomes.set(o.i, await perform(adapter, c.action, o.target, o.given, related, { deadline, pollMs: POLL_MS }));
    });
  } finally {
    control.setFaults({});
  }
  const tally = emptyTally();
  for (const o of ops) {
    judge(tally, c.kind, `${c.action} #${o.i} (${o.marker})`, outcomes.get(o.i) ?? { kind: 'none', message: 'not run' }, await c.truth(o.marker));
  }
  console.log(`    ${line(cloud, c.action, tally, Date.now() - started)}`);
  return tally;
}

function assertClean(t: Tally): void {
  assert.deepEqual(
    { duplicates: t.duplicates, lost: t.lost, falseFailures: t.falseFailures, falseSuccesses: t.falseSuccesses },
    { duplicates: 0, lost: 0, falseFailures: 0, falseSuccesses: 0 },
    t.examples.join('\n'),
  );
  // Honest failures are allowed (e.g. the AWS SDK's retry quota runs dry under this mix), but most must get through.
  assert.ok(t.ok >= t.ops / 3, `only ${t.ok} of ${t.ops} succeeded: the fault mix is too harsh to prove anything`);
}

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
