/**
 * The one contract suite every adapter runs (contract.test.ts calls it once per cloud driver):
 * against the sandbox, and against a real account when the cloud's live variable is set. Each
 * case drives the adapter as the extension does (offered → plan → answers → execute → polls to
 * the end) and judges the result from the cloud's own state (the driver's oracle), not from what
 * the adapter says. A capability the cloud lacks is skipped with the reason in the test's title.
 * Cloud-specific cases live beside it in <cloud>.contract.test.ts.
 */
import * as assert from 'node:assert/strict';
import type { CloudAdapter, RelatedResources } from '../../src/model/adapter';
import { isCloudError } from '../../src/model/errors';
import type { Disk, Image, Scope, Snapshot, Tag } from '../../src/model/types';
import type { FaultConfig } from '../../src/sandbox';
import { act, byId, type Acted, lacks, leaf, marker, skipBecause, type CloudDriver, type Target } from './driver';
import { scheduleCases } from './schedules';
import { answers, rejects } from './tracking';

/** Keys the clouds or the adapters keep for themselves. */
const own = (tags: Tag[]): Tag[] => tags.filter((t) => !t.key.startsWith('aws:') && !t.key.startsWith('snapkeeper:'));
const sorted = (tags: Tag[]): Tag[] => [...tags].sort((a, b) => a.key.localeCompare(b.key));
const lower = (ids: string[]): string[] => ids.map((i) => i.toLowerCase()).sort();
const sameId = (a: string | undefined, b: string | undefined): boolean => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Values with the characters a naive `k=v,k=v` encoding would break on. */
const AWKWARD: Tag[] = [
  { key: 'owners', value: 'alice,bob' },
  { key: 'expr', value: 'a=b' },
  { key: 'note', value: 'two words, k = v' },
];

export function contractSuite(driver: CloudDriver): void {
  describe(`${driver.name} adapter contract (sandbox)`, function () {
    this.timeout(60_000);
    cases(driver, () => driver.sandbox('contract'));
  });
  const live = driver.live();
  if (lacks(live)) {
    describe(`${driver.name} adapter contract (live)`, () => {
      it('runs the shared cases against a real account', function () {
        skipBecause(this, live.lacks);
      });
    });
  } else {
    describe(`${driver.name} adapter contract (${live.title})`, function () {
      this.timeout(2_400_000);
      cases(driver, live.start);
    });
  }
}

/** The shared cases against one target (a cloud's own test file may run them against another, e.g. the live path through the sandbox). */
export function cases(driver: CloudDriver, start: () => Promise<Target>): void {
  let t: Target;
  let adapter: CloudAdapter;

  before(async () => {
    t = await start();
    adapter = t.adapter();
  });
  after(async () => {
    adapter?.dispose();
    await t?.close();
  });

  const related = async (scope: Scope): Promise<RelatedResources> => ({ inventory: await driver.probe(adapter, scope), scopes: t.scopes });
  /** A fresh listing of the scope (nothing cached) and the resource in it. */
  const listed = async <T extends Disk | Snapshot | Image>(kind: 'disks' | 'snapshots' | 'images', scopeId: string, id: string): Promise<T | undefined> =>
    byId((await driver.probe(adapter, leaf(scopeId)))[kind] as T[], id);

  /** Makes a snapshot of the suite's disk, followed to its end. */
  async function snapshotOf(disk: Disk, name: string, tags: Tag[] = [], a = adapter): Promise<{ id: string; acted: Acted }> {
    const acted = await act(t, a, 'createSnapshot', disk, driver.snapshotAnswers(name, tags), await related(leaf(disk.scopeId)));
    assert.equal(acted.result.operations.length, 1, JSON.stringify(acted.result));
    const op = acted.result.operations[0];
    t.made('snapshot', op.resourceId, op.scopeId);
    return { id: op.resourceId, acted };
  }

  // ---- the estate --------------------------------------------------------------------------

  it('lists the estate: the scope the suite works in is a leaf reached from the top, and every snapshot the cloud holds there is listed once', async () => {
    const top = await adapter.listScopes();
    assert.ok(top.length >= 1, 'no top-level scope');
    let scope = top.find((s) => s.id === t.scope.id);
    for (const parent of top.filter((s) => !s.leaf)) {
      scope ??= (await adapter.listScopes(parent)).find((s) => s.id === t.scope.id);
    }
    assert.ok(scope, `${t.scope.id} is not reached from the top-level scopes (${top.map((s) => s.id).join(', ')})`);
    assert.equal(scope.leaf, true);
    const inv = await driver.probe(adapter, t.scope);
    const disk = await t.disk();
    assert.ok(byId(inv.disks, disk.id), `the disk ${disk.id} is listed`);
    for (const kind of ['vms', 'disks', 'snapshots', 'images'] as const) {
      const ids = inv[kind].map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, `${kind}: an id is listed twice`);
    }
    const truth = await t.oracle.snapshotIds(t.scope);
    const ids = lower(inv.snapshots.map((s) => s.id));
    if (truth.complete) {
      assert.deepEqual(ids, lower(truth.ids), 'the listing is not what the cloud holds');
    } else {
      for (const id of lower(truth.ids)) {
        assert.ok(ids.includes(id), `${id} is not listed`);
      }
    }
  });

  // ---- snapshot, restore, image, copy --------------------------------------------------------

  it('snapshots a disk and tracks it to done (progress never goes back); the cloud holds exactly one, ready, with its tags', async () => {
    const disk = await t.disk();
    const name = marker('ct-snap');
    const { id, acted } = await snapshotOf(disk, name, [{ key: 'suite', value: 'contract' }]);
    const op = acted.result.operations[0];
    assert.ok(op.refreshScopeIds.includes(disk.scopeId), `${disk.scopeId} is refreshed when it ends`);
    const seen = acted.statuses[0];
    assert.equal(seen.at(-1)?.done, true);
    const progress = seen.map((s) => s.progress).filter((p): p is number => p !== undefined);
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i] >= progress[i - 1], `progress went down: ${progress.join(',')}`);
    }
    assert.deepEqual(await t.oracle.snapshots(name), { count: 1, ready: true });
    assert.equal((await t.oracle.tags('snapshot', id)).find((x) => x.key === 'suite')?.value, 'contract');
    const made = await listed<Snapshot>('snapshots', disk.scopeId, id);
    assert.ok(made, 'the new snapshot is listed beside its disk');
    assert.ok(sameId(made.diskId, disk.id), `it names its disk: ${made.diskId}`);
    assert.equal(made.phase, 'ready');
    assert.equal(made.tags.find((x) => x.key === 'suite')?.value, 'contract');
    assert.equal(op.scopeId, disk.scopeId, 'followed where the disk is');
    driver.checks?.snapshotMade?.(made, seen, op, t.live);
  });

  it('restores a snapshot to a new disk: smaller than the snapshot is refused; the disk comes from it, as large as asked', async () => {
    const snap = await t.snapshot();
    const rel = await related(leaf(snap.scopeId));
    const plan = await adapter.plan('restoreToNewDisk', snap, rel);
    const size = plan.fields.find((f) => f.id === 'sizeGiB');
    assert.ok(size && size.kind === 'number');
    assert.equal(size.min, snap.sizeGiB, 'the smallest size offered is the snapshot\'s');
    if (snap.sizeGiB > 1) {
      const small = marker('ct-small');
      const from = t.log.length;
      await rejects(adapter.execute('restoreToNewDisk', snap, answers(plan, { ...driver.restoreAnswers(small, snap), sizeGiB: snap.sizeGiB - 1 }), rel), 'invalid', /at least|size/i);
      assert.equal((await t.oracle.disks(small)).count, 0, 'no disk was made');
      driver.checks?.restoreTooSmall?.(t.log.slice(from));
    }
    const name = marker('ct-disk');
    const acted = await act(t, adapter, 'restoreToNewDisk', snap, { ...driver.restoreAnswers(name, snap), sizeGiB: snap.sizeGiB + 1 }, rel);
    const op = acted.result.operations[0];
    t.made('disk', op.resourceId, op.scopeId);
    assert.deepEqual(await t.oracle.disks(name), { count: 1, ready: true });
    const disk = await listed<Disk>('disks', op.scopeId, op.resourceId);
    assert.ok(disk, 'the new disk is listed');
    assert.ok(sameId(disk.sourceSnapshotId, snap.id), `it names its snapshot: ${disk.sourceSnapshotId}`);
    assert.equal(disk.sizeGiB, snap.sizeGiB + 1);
    assert.equal(disk.name, name);
    driver.checks?.restored?.(disk, acted.plan, op);
  });

  it('makes an image, then deletes it', async function () {
    const how = await driver.image(t, adapter);
    if (lacks(how)) {
      skipBecause(this, how.lacks);
    }
    const rel = await related(how.scope);
    const name = marker('ct-image');
    const acted = await act(t, adapter, how.action, how.source, how.answers(name), rel);
    const op = acted.result.operations[0];
    t.made('image', op.resourceId, op.scopeId);
    assert.deepEqual(await t.oracle.images(name), { count: 1, ready: true });
    const image = await listed<Image>('images', how.scope.id, op.resourceId);
    assert.ok(image, 'the image is listed');
    assert.equal(image.name, name);
    driver.checks?.imageMade?.(image, acted.plan, how.source);
    await act(t, adapter, 'deleteImage', image, {}, await related(how.scope));
    assert.equal((await t.oracle.images(name)).count, 0, 'the image is still there');
    assert.equal(await listed<Image>('images', how.scope.id, op.resourceId), undefined, 'the image is still listed');
  });

  it('copies a snapshot to another place, followed to done; the cloud holds the copy there', async function () {
    const snap = await t.snapshot();
    const rel = await related(leaf(snap.scopeId));
    const copy = driver.copy(t, 'contract');
    if (lacks(copy)) {
      // Not offered, and refused if asked for anyway — then skipped, saying why.
      assert.ok(!adapter.actionsFor(snap).includes('copySnapshot'), 'copySnapshot is offered');
      assert.ok((await adapter.plan('copySnapshot', snap, rel)).refusal, 'copySnapshot is not refused');
      skipBecause(this, copy.lacks);
    }
    const name = marker('ct-copy');
    const acted = await act(t, adapter, 'copySnapshot', snap, copy.answers(name), rel);
    const op = acted.result.operations[0];
    t.made('snapshot', op.resourceId, op.scopeId);
    assert.equal(op.scopeId, copy.destination);
    assert.deepEqual([...op.refreshScopeIds].sort(), [snap.scopeId, copy.destination].sort());
    assert.deepEqual(await t.oracle.snapshots(name), { count: 1, ready: true });
    const made = await listed<Snapshot>('snapshots', copy.destination, op.resourceId);
    assert.ok(made, 'the copy is listed in the destination');
    assert.equal(made.phase, 'ready');
    driver.checks?.copied?.(made, acted.plan, snap);
  });

  // ---- tags --------------------------------------------------------------------------------

  it('edits tags: add, change and remove, read back from the cloud; values with commas, = and spaces are kept exactly or refused by its rules', async () => {
    const disk = await t.disk();
    const scope = leaf(disk.scopeId);
    const current = async (): Promise<Disk> => (await listed<Disk>('disks', disk.scopeId, disk.id)) as Disk;
    const tagsField = async (target: Disk) => {
      const plan = await adapter.plan('editTags', target, await related(scope));
      const field = plan.fields.find((f) => f.kind === 'tags');
      assert.ok(field && field.kind === 'tags', 'editTags asks for tags');
      return field.default ?? [];
    };
    const before = await current();
    const kept = own(await tagsField(before));

    await act(t, adapter, 'editTags', before, { tags: [...kept, { key: 'ct-temp', value: 'one' }, { key: 'ct-keep', value: 'k' }] }, await related(scope));
    const added = await current();
    assert.deepEqual(sorted(own(await t.oracle.tags('disk', disk.id))), sorted([...kept, { key: 'ct-temp', value: 'one' }, { key: 'ct-keep', value: 'k' }]));
    assert.deepEqual((await tagsField(added)).find((x) => x.key === 'ct-temp'), { key: 'ct-temp', value: 'one' }, 'the editor starts from the tags read back');

    const next = [...kept, { key: 'ct-keep', value: 'changed' }];
    const changed = await act(t, adapter, 'editTags', added, { tags: next }, await related(scope));
    driver.checks?.tagsChanged?.(changed.result.message ?? '');
    assert.deepEqual(sorted(own(await t.oracle.tags('disk', disk.id))), sorted(next), 'ct-temp removed, ct-keep changed, the others untouched');
    const now = await current();
    assert.equal(now.tags.find((x) => x.key === 'ct-temp'), undefined);
    assert.equal(now.tags.find((x) => x.key === 'ct-keep')?.value, 'changed');
    assert.equal(now.name, disk.name, 'the name is untouched');

    const awkward = [...next, ...AWKWARD];
    if (driver.awkwardTags === 'kept') {
      await act(t, adapter, 'editTags', now, { tags: awkward }, await related(scope));
      assert.deepEqual(sorted(own(await t.oracle.tags('disk', disk.id))), sorted(awkward), 'the cloud holds them exactly');
      assert.deepEqual(sorted(own((await current()).tags)), sorted(awkward), 'listed exactly');
    } else {
      await rejects(adapter.execute('editTags', now, { tags: awkward }, await related(scope)), 'invalid', driver.awkwardTags.refused);
      assert.deepEqual(sorted(own(await t.oracle.tags('disk', disk.id))), sorted(next), 'nothing was rewritten to fit');
    }
  });

  // ---- delete ------------------------------------------------------------------------------

  it('deletes a snapshot after a confirmation naming it and that it cannot be undone; the cloud no longer holds it', async () => {
    const disk = await t.disk();
    const name = marker('ct-del');
    const { id } = await snapshotOf(disk, name);
    const rel = await related(leaf(disk.scopeId));
    const snap = byId(rel.inventory.snapshots, id) as Snapshot;
    assert.ok(snap, 'the snapshot is listed');
    const plan = await adapter.plan('deleteSnapshot', snap, rel);
    assert.equal(plan.refusal, undefined, plan.refusal);
    const confirm = plan.confirm?.(answers(plan, {}));
    assert.ok(confirm, 'a delete asks first');
    const text = `${confirm.message}\n${confirm.detail}`;
    assert.ok(text.includes(snap.name ?? snap.id), `the confirmation does not name the snapshot: ${text}`);
    assert.match(text, /cannot be undone/);
    driver.checks?.deleteConfirm?.(text, snap, disk);
    const deleted = await act(t, adapter, 'deleteSnapshot', snap, {}, rel);
    driver.checks?.deleted?.(deleted.result, disk);
    assert.equal(await t.oracle.exists('snapshot', id), false, 'the cloud still holds it');
    assert.equal((await t.oracle.snapshots(name)).count, 0);
    assert.equal(await listed<Snapshot>('snapshots', disk.scopeId, id), undefined, 'still listed');
  });

  it('refuses to delete a snapshot something depends on, naming it, and leaves the snapshot in place', async function () {
    const dep = await driver.dependency(t, adapter);
    if (lacks(dep)) {
      skipBecause(this, dep.lacks);
    }
    try {
      const rel = await related(leaf(dep.snapshot.scopeId));
      const from = t.log.length;
      const plan = await adapter.plan('deleteSnapshot', dep.snapshot, rel);
      assert.match(plan.refusal ?? '', dep.refusal);
      // Even if the UI ignored the refusal, execute checks again.
      await rejects(adapter.execute('deleteSnapshot', dep.snapshot, {}, rel), 'inUse');
      assert.equal(await t.oracle.exists('snapshot', dep.snapshot.id), true, 'the snapshot is gone');
      driver.checks?.deleteRefused?.(t.log.slice(from));
    } finally {
      await dep.release();
    }
  });

  // ---- unknown ids and abort (need no fault injection: live too) --------------------------

  it('unknown ids: a restore or a tag edit → notFound; a delete finds it gone (done) or notFound, as the cloud says', async () => {
    const real = await t.snapshot();
    const ghost = driver.unknown.ghost(real);
    const rel = await related(leaf(real.scopeId));
    await rejects(adapter.execute('restoreToNewDisk', ghost, answers(await adapter.plan('restoreToNewDisk', real, rel), driver.restoreAnswers(marker('ct-ghost'), real)), rel), 'notFound');
    await rejects(adapter.execute('editTags', ghost, { tags: [{ key: 'a', value: 'b' }] }, rel), 'notFound');
    const from = t.log.length;
    if (driver.unknown.delete === 'deleted') {
      const res = await adapter.execute('deleteSnapshot', ghost, {}, rel);
      assert.deepEqual(res.operations, []);
      // "Deleted snapshot …", or in the cloud's own noun ("Deleted volume snapshot …").
      assert.match(res.message ?? '', /^Deleted (\w+ )?snapshot/);
      driver.checks?.unknownDeleted?.(res.message ?? '', t.log.slice(from));
    } else {
      await rejects(adapter.execute('deleteSnapshot', ghost, {}, rel), 'notFound');
    }
  });

  it('an aborted signal: the listing rejects with AbortError, not a cloud error', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await assert.rejects(driver.probe(adapter, t.scope, ctrl.signal), (e: unknown) => !isCloudError(e) && e instanceof Error && e.name === 'AbortError');
  });

  // ---- faults (the sandbox's fault injection) ------------------------------------------------

  scheduleCases(driver, () => t, () => adapter);

  describe('faults', () => {
    let faulty: CloudAdapter;
    before(function () {
      if (!t.control) {
        return;
      }
      faulty = t.adapter(driver.faults.settings);
    });
    afterEach(() => t.control?.setFaults({}));
    after(() => faulty?.dispose());

    /** The sandbox's fault injection, or a skip saying why not. */
    const inject = (ctx: Mocha.Context): { set(config: FaultConfig): void } => {
      const control = t.control;
      if (!control) {
        skipBecause(ctx, 'fault injection needs the sandbox');
      }
      return { set: (config) => control.setFaults(config) };
    };
    const probe = () => driver.probe(faulty, t.scope);
    const list = driver.faults.list;

    it('throttled once with a retry hint: waited for, retried, and the listing succeeds', async function () {
      const faults = inject(this);
      if (driver.faults.retryHint !== true) {
        skipBecause(this, driver.faults.retryHint.lacks);
      }
      faults.set({ next: { throttle: 1, actions: [list] } });
      assert.ok((await probe()).snapshots.length > 0);
    });

    it('throttled twice without a retry hint: backed off and retried, or surfaced as throttled at once (as the cloud\'s client does)', async function () {
      inject(this).set({ next: { throttleNoRetryAfter: 2, actions: [list] } });
      if (driver.faults.throttleNoHint === 'retried') {
        assert.ok((await probe()).snapshots.length > 0);
      } else {
        await rejects(probe(), 'throttled');
      }
    });

    it('throttled persistently: throttled, after bounded retries', async function () {
      inject(this).set({ throttleRate: 1, actions: [list] });
      const from = t.log.length;
      const e = await rejects(probe(), 'throttled');
      driver.checks?.throttled?.(e, t.log.slice(from));
    });

    it('a persistent 5xx: server', async function () {
      inject(this).set({ serverErrorRate: 1, actions: [list] });
      const e = await rejects(probe(), 'server');
      driver.checks?.server?.(e);
    });

    it('a connection reset after the server made the snapshot: exactly one is made, reported done', async function () {
      const faults = inject(this);
      const disk = await t.disk();
      const name = marker('ct-reset');
      const from = t.log.length;
      const rel = await related(leaf(disk.scopeId));
      faults.set({ next: { dropAfterCommit: 1, actions: [driver.faults.createSnapshot] } });
      const acted = await act(t, faulty, 'createSnapshot', disk, driver.snapshotAnswers(name), rel);
      assert.deepEqual(await t.oracle.snapshots(name), { count: 1, ready: true });
      const made = await listed<Snapshot>('snapshots', disk.scopeId, acted.result.operations[0].resourceId);
      assert.ok(made, 'the snapshot is listed');
      driver.checks?.resetCreate?.(t.log.slice(from), made);
    });

    it('a connection reset after the server deleted the snapshot: reported deleted, and it is gone', async function () {
      const faults = inject(this);
      const disk = await t.disk();
      const name = marker('ct-reset-del');
      const { id } = await snapshotOf(disk, name, [], faulty);
      const rel = await related(leaf(disk.scopeId));
      faults.set({ next: { dropAfterCommit: 1, actions: [driver.faults.deleteSnapshot] } });
      const acted = await act(t, faulty, 'deleteSnapshot', byId(rel.inventory.snapshots, id) as Snapshot, {}, rel);
      assert.equal(await t.oracle.exists('snapshot', id), false, 'the cloud still holds it');
      driver.checks?.resetDelete?.(acted.result.message ?? '');
    });

    it('expired credentials: expired, saying how to sign in again', async function () {
      const faults = inject(this);
      const expired = driver.faults.expired;
      if (lacks(expired)) {
        skipBecause(this, expired.lacks);
      }
      faults.set({ expired: true });
      const e = await rejects(probe(), 'expired');
      assert.match(e.message, expired);
      driver.checks?.expired?.(e);
    });

    it('a malformed answer: malformed', async function () {
      inject(this).set({ malformedRate: 1, actions: [list] });
      const e = await rejects(probe(), 'malformed');
      driver.checks?.malformed?.(e);
    });

    it('an abort during a slow listing stops it at once, with AbortError', async function () {
      inject(this).set({ latencyMs: 2_000 });
      const ctrl = new AbortController();
      const started = Date.now();
      setTimeout(() => ctrl.abort(), 50);
      await assert.rejects(driver.probe(faulty, t.scope, ctrl.signal), (e: unknown) => !isCloudError(e) && e instanceof Error && e.name === 'AbortError');
      assert.ok(Date.now() - started < 1_500, 'it waited for the answers');
    });
  });
}

