/**
 * The schedule cases of the contract suite: a snapshot schedule the cloud itself runs (a
 * lifecycle policy, a snapshot schedule resource policy, a disk backup policy, a snapshot
 * policy), made, attached, run, changed, detached and deleted through the adapter, judged from
 * what the cloud holds (the driver's `held`) and what its clock made it do (the sandbox's clock,
 * advanced). A cloud without a native scheduler skips them, saying so.
 */
import * as assert from 'node:assert/strict';
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import { isCloudError } from '../../src/model/errors';
import type { Disk, Policy, Scope, Snapshot } from '../../src/model/types';
import { act, byId, lacks, leaf, marker, skipBecause, type CloudDriver, type ScheduleDriver, type Target } from './driver';
import { answers } from './tracking';

const sameId = (a: string | undefined, b: string | undefined): boolean => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

export function scheduleCases(driver: CloudDriver, target: () => Target, adapter: () => CloudAdapter): void {
  describe('schedules', () => {
    let s: ScheduleDriver;
    /** The policy the first case makes, and the disks the later ones put under it. */
    let policy: Policy | undefined;
    let spare: Disk | undefined;

    beforeEach(function () {
      const given = driver.schedules;
      if (!given || lacks(given)) {
        skipBecause(this, given ? given.lacks : `${driver.name}: no schedule driver`);
      }
      s = given;
    });

    const related = async (scope: Scope): Promise<RelatedResources> => ({ inventory: await driver.probe(adapter(), scope), scopes: target().scopes });
    const listing = (scopeId: string) => driver.probe(adapter(), leaf(scopeId));
    /** The snapshots of `disk` the listing marks as taken by `p`, oldest first. */
    const byPolicy = async (p: Policy, disk: Disk): Promise<Snapshot[]> =>
      (await listing(disk.scopeId)).snapshots
        .filter((x) => sameId(x.diskId, disk.id) && x.byPolicy !== undefined && (x.byPolicy.id === undefined || sameId(x.byPolicy.id, p.id)))
        .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    const sandboxOnly = (ctx: Mocha.Context): NonNullable<Target['control']> => {
      const control = target().control;
      if (!control) {
        skipBecause(ctx, "moving the clock needs the sandbox: a real cloud's schedule runs on its own time");
      }
      return control;
    };

    it('protects a disk with a new schedule: the cloud holds it and covers the disk; the listing shows it with its next run', async () => {
      const t = target();
      const disk = await t.disk();
      const name = marker('ct-sched');
      await act(t, adapter(), 'protectWithSchedule', disk, s.create(name, 2, disk), await related(leaf(disk.scopeId)));
      const held = (await s.held(t)).find((p) => p.name === name);
      assert.ok(held, `the cloud holds no policy named ${name}`);
      assert.ok(held.diskIds.some((id) => sameId(id, disk.id)), `it does not cover ${disk.id}: ${held.diskIds.join(', ')}`);
      const inv = await listing(disk.scopeId);
      const listed = byId(inv.policies ?? [], held.id);
      assert.ok(listed, 'the policy is listed in its scope');
      assert.equal(listed.name, name);
      assert.ok(listed.schedule && listed.retention, `schedule and retention in words: ${listed.schedule} / ${listed.retention}`);
      const now = t.control?.now() ?? Date.now();
      assert.ok(listed.nextRunAt, 'its next run is given');
      const next = Date.parse(listed.nextRunAt);
      assert.ok(next > now && next <= now + s.periodMs, `next run ${listed.nextRunAt} is within one period of now (${new Date(now).toISOString()})`);
      const covered = byId(inv.disks, disk.id);
      assert.ok(covered?.policyIds?.some((id) => sameId(id, held.id)), `the disk names the policy: ${covered?.policyIds?.join(', ')}`);
      policy = listed;
    });

    it('runs on the cloud\'s clock: a snapshot at each run, at the time the listing predicted, marked as the policy\'s; retention deletes the oldest', async function () {
      const control = sandboxOnly(this);
      assert.ok(policy, 'the first schedule case made no policy');
      const disk = await target().disk();
      const predicted = policy.nextRunAt as string;
      const runs = 4;
      control.advanceClock(Date.parse(predicted) - control.now() + (runs - 1) * s.periodMs + 60_000);
      const taken = await byPolicy(policy, disk);
      assert.equal(taken.length, s.kept(runs, 2), `after ${runs} runs keeping 2: ${taken.map((x) => x.createdAt).join(', ')}`);
      for (const snap of taken) {
        assert.equal(snap.phase, 'ready', `${snap.id} is ${snap.state}`);
        if (s.deleteAfter) {
          assert.ok(snap.deleteAfter && Date.parse(snap.deleteAfter) > Date.parse(String(snap.createdAt)), `${snap.id} says when retention deletes it: ${snap.deleteAfter}`);
        }
      }
      // The newest is the last run's: runs - 1 periods after the predicted first run.
      const last = Date.parse(predicted) + (runs - 1) * s.periodMs;
      assert.equal(Date.parse(String(taken.at(-1)?.createdAt)), last, `the last run's snapshot is dated ${new Date(last).toISOString()}`);
      const again = byId((await listing(disk.scopeId)).policies ?? [], policy.id);
      assert.ok(again?.nextRunAt && Date.parse(again.nextRunAt) === last + s.periodMs, `next run moves on: ${again?.nextRunAt}`);
    });

    it('refuses a schedule the cloud does not take, with its message, and makes nothing', async () => {
      const t = target();
      const disk = await t.disk();
      const name = marker('ct-bad');
      const rel = await related(leaf(disk.scopeId));
      const plan = await adapter().plan('protectWithSchedule', disk, rel);
      assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
      let message = '';
      try {
        await adapter().execute('protectWithSchedule', disk, answers(plan, s.invalid.answers(name, disk)), rel);
        assert.fail('an invalid schedule was accepted');
      } catch (e) {
        assert.ok(isCloudError(e), `not a CloudError: ${String(e)}`);
        message = e.message;
      }
      assert.match(message, s.invalid.message);
      assert.equal((await s.held(t)).filter((p) => p.name === name).length, 0, 'a policy was made anyway');
    });

    it('puts another disk under the existing policy, changes what it keeps, then detaches it: no new snapshots of that disk, those taken stay', async function () {
      const t = target();
      assert.ok(policy, 'the first schedule case made no policy');
      spare = await s.spareDisk(t, adapter());
      await act(t, adapter(), 'protectWithSchedule', spare, s.attach(policy, spare), await related(leaf(spare.scopeId)));
      let held = (await s.held(t)).find((p) => sameId(p.id, policy?.id));
      assert.ok(held?.diskIds.some((id) => sameId(id, spare?.id)), `${spare.id} is not covered: ${held?.diskIds.join(', ')}`);
      const listedPolicy = byId((await listing(spare.scopeId)).policies ?? [], policy.id) as Policy;
      await act(t, adapter(), 'changeSchedule', listedPolicy, s.change(listedPolicy, 3), await related(leaf(spare.scopeId)));
      const changed = byId((await listing(spare.scopeId)).policies ?? [], policy.id);
      assert.ok(changed?.keeps?.count === 3 || changed?.keeps?.days !== undefined, `it keeps 3 now: ${JSON.stringify(changed?.keeps)}`);
      assert.notEqual(changed?.retention, policy.retention, 'the retention in words changed');
      policy = changed ?? policy;
      const control = t.control;
      if (!control) {
        return;
      }
      control.advanceClock(s.periodMs);
      const before = await byPolicy(policy, spare);
      assert.ok(before.length >= 1, 'the policy took no snapshot of the second disk');
      const listedSpare = byId((await listing(spare.scopeId)).disks, spare.id) as Disk;
      const plan = await adapter().plan('detachSchedule', listedSpare, await related(leaf(spare.scopeId)));
      assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
      await act(t, adapter(), 'detachSchedule', listedSpare, {}, await related(leaf(spare.scopeId)));
      held = (await s.held(t)).find((p) => sameId(p.id, policy?.id));
      assert.ok(held, 'detaching deleted the policy');
      assert.ok(!held.diskIds.some((id) => sameId(id, spare?.id)), `${spare.id} is still covered`);
      control.advanceClock(3 * s.periodMs);
      const after = (await listing(spare.scopeId)).snapshots.filter((x) => sameId(x.diskId, spare?.id) && x.byPolicy);
      assert.deepEqual(after.map((x) => x.id).sort(), before.map((x) => x.id).sort(), 'new snapshots of the detached disk, or old ones gone');
    });

    it('deletes a policy after a confirmation naming every disk it covers; the cloud no longer holds it; its snapshots stay', async () => {
      const t = target();
      assert.ok(policy, 'the first schedule case made no policy');
      const disk = await t.disk();
      if (spare) {
        await act(t, adapter(), 'protectWithSchedule', spare, s.attach(policy, spare), await related(leaf(spare.scopeId)));
      }
      const rel = await related(leaf(disk.scopeId));
      const listed = byId(rel.inventory.policies ?? [], policy.id) as Policy;
      const taken = (await byPolicy(listed, disk)).map((x) => x.id);
      const plan = await adapter().plan('deleteSchedule', listed, rel);
      assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
      const confirmation = plan.confirm?.(answers(plan, {}));
      assert.ok(confirmation, 'no confirmation');
      const text = `${confirmation.message}\n${confirmation.detail}`;
      for (const d of [disk, ...(spare ? [spare] : [])]) {
        assert.ok(text.includes(d.name ?? d.id) || text.includes(d.id), `the confirmation does not name ${d.id}: ${text}`);
      }
      await act(t, adapter(), 'deleteSchedule', listed, {}, rel);
      assert.equal((await s.held(t)).find((p) => sameId(p.id, listed.id)), undefined, 'the cloud still holds the policy');
      const inv = await listing(disk.scopeId);
      assert.equal(byId(inv.policies ?? [], listed.id), undefined, 'the policy is still listed');
      assert.ok(!byId(inv.disks, disk.id)?.policyIds?.some((id) => sameId(id, listed.id)), 'the disk still names the policy');
      const ids = inv.snapshots.map((x) => x.id.toLowerCase());
      for (const id of taken) {
        assert.ok(ids.includes(id.toLowerCase()), `${id}, taken by the policy, is gone`);
      }
    });

    it('a policy covering a disk that is deleted: the listing still works and the policy covers no disk that is gone', async () => {
      const t = target();
      const disk = spare ?? (await s.spareDisk(t, adapter()));
      const name = marker('ct-gone');
      await act(t, adapter(), 'protectWithSchedule', disk, s.create(name, 2, disk), await related(leaf(disk.scopeId)));
      const held = (await s.held(t)).find((p) => p.name === name);
      assert.ok(held, 'no policy made');
      await s.deleteDisk(t, disk);
      const inv = await listing(disk.scopeId);
      assert.equal(byId(inv.disks, disk.id), undefined, 'the deleted disk is still listed');
      const after = (await s.held(t)).find((p) => sameId(p.id, held.id));
      if (after) {
        assert.ok(!after.diskIds.some((id) => sameId(id, disk.id)), 'the cloud still says the policy covers the deleted disk');
        const listed = byId(inv.policies ?? [], held.id);
        assert.ok(listed, 'a policy the cloud still holds is not listed');
        assert.ok(!inv.disks.some((d) => d.policyIds?.some((id) => sameId(id, held.id))), 'a listed disk claims the policy');
        // The schedule cases leave no policy behind (on a real account too).
        await act(t, adapter(), 'deleteSchedule', listed, {}, await related(leaf(disk.scopeId)));
      }
      spare = undefined;
    });
  });
}
