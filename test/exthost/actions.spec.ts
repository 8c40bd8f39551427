// Every action command run against the sandbox on a tree node, its questions answered by the
// scripted prompter (fields, picks, confirmations — declined once where there is one), checked
// against what the sandbox cloud then holds and what the tree shows.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OperationRecord } from '../../src/model/types';
import { formatBytes, formatDate } from '../../src/model/units';
import type { Node } from '../../src/ui/tree';
import { ENTER } from './prompter';
import {
  AMI_LABEL,
  child,
  childrenOf,
  contextOf,
  itemOf,
  labelOf,
  nodeAt,
  prompter,
  resourceOf,
  runAction,
  runCommand,
  shownSince,
  trackerIdle,
  waitFor,
  world,
} from './harness';

/** Operations the tests of this suite started, checked for completion at the end. */
const started: OperationRecord[] = [];

/** The operations the tracker took on since `before` (ids not in it). */
function newOps(before: OperationRecord[], now: OperationRecord[]): OperationRecord[] {
  const seen = new Set(before.map((r) => r.id));
  return now.filter((r) => !seen.has(r.id));
}

/** The fields actually asked (answered), in order: a field whose askIf is not met is not among them. */
function fieldIds(): string[] {
  return prompter.asked.flatMap((q) => Object.keys(q.values ?? {}));
}

export function actionTests(): void {
  describe('Actions on tree nodes (sandbox, scripted answers)', function () {
    this.timeout(30_000);
    let suiteMark = 0;

    before(async () => {
      const { app: a } = await world();
      await trackerIdle(a);
      suiteMark = Date.now();
    });

    it('Simulate Writes on web-prod-1-data writes the MiB answered into the sandbox disk', async () => {
      const { app: a, sandbox } = await world();
      const disk = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-data');
      const volumeId = resourceOf(a, disk).id;
      const writesBefore = sandbox.clouds.aws.state.blocks.getDisk(volumeId)?.writes ?? 0;
      prompter.expect({ fields: { mib: '48' } });
      const mark = await runAction('simulateWrites', disk);
      assert.deepEqual(fieldIds(), ['mib']);
      assert.equal(prompter.asked[0].fields[0].kind, 'number');
      assert.equal(sandbox.clouds.aws.state.blocks.getDisk(volumeId)?.writes, writesBefore + 1, 'the sandbox disk saw no write');
      assert.ok(shownSince(mark, 'info').some((s) => /Wrote 48 MiB to web-prod-1-data/.test(s.message)), 'no "Wrote 48 MiB" message');
      assert.equal(a.tracker.list().length, 0, 'Simulate Writes started an operation');
    });

    it('Snapshot All Disks on db-primary, boot volume excluded: one snapshot of the encrypted data volume', async () => {
      const { app: a, sandbox } = await world();
      const vm = await nodeAt(a, 'us-west-2', 'db-primary');
      const dataVolume = resourceOf(a, await child(a, vm, 'db-primary-data')).id;
      const before = a.tracker.list();
      prompter.expect({ fields: { description: 'exthost: crash-consistent set', excludeBoot: true, tags: [{ key: 'Purpose', value: 'exthost' }] } });
      await runAction('snapshotVm', vm);
      assert.deepEqual(fieldIds(), ['description', 'excludeBoot', 'tags']);
      assert.match(prompter.asked[0].title, /^Create Snapshots \(multi-volume set\): db-primary/);
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1, `expected one snapshot (data volume only), got ${ops.length}`);
      const snap = sandbox.clouds.aws.state.snapshot('us-west-2', ops[0].resourceId);
      assert.equal(snap.volumeId, dataVolume);
      assert.equal(snap.encrypted, true);
      assert.equal(snap.description, 'exthost: crash-consistent set');
      started.push(...ops);
    });

    it('Create Image on running web-prod-1: the reboot confirmation is declined (nothing made), then accepted', async () => {
      const { app: a, sandbox } = await world();
      const vm = await nodeAt(a, 'us-east-1', 'web-prod-1');
      const before = a.tracker.list();
      const imagesNamed = (name: string) => sandbox.clouds.aws.state.describeImages('us-east-1', { owners: ['self'] }).items.filter((i) => i.name === name);
      const answers = { name: 'exthost-web-image', description: ENTER, noReboot: false } as const;

      prompter.expect({ fields: answers, confirms: [false] });
      const { result } = await runCommand('createImageFromVm', vm);
      assert.equal(result, false, 'declining the confirmation did not stop the action');
      assert.deepEqual(prompter.leftovers(), []);
      const [c] = prompter.confirmations;
      assert.match(c.confirmation.message, /web-prod-1 .*WILL reboot/);
      assert.equal(c.confirmation.button, 'Reboot and Create Image');
      assert.match(c.confirmation.detail, /exthost-web-image/);
      assert.equal(imagesNamed('exthost-web-image').length, 0, 'an image was made although the confirmation was declined');
      assert.equal(newOps(before, a.tracker.list()).length, 0);

      prompter.expect({ fields: answers, confirms: [true] });
      await runAction('createImageFromVm', vm);
      assert.deepEqual(fieldIds(), ['name', 'description', 'noReboot']);
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1);
      assert.equal(ops[0].kind, 'image');
      const [image] = imagesNamed('exthost-web-image');
      assert.ok(image, 'no AMI exthost-web-image in the sandbox');
      assert.equal(image.id, ops[0].resourceId);
      assert.equal(image.description, 'Snapkeeper image of web-prod-1', 'the proposed description (Enter) was not used');
      assert.equal(image.mappings.length, 2, 'the AMI does not cover both volumes');
      started.push(...ops);
    });

    it('Restore to New Disk from web-prod-1-data-2: a volume with the zone, type, size, IOPS and name answered', async () => {
      const { app: a, sandbox } = await world();
      const snapNode = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-data', 'web-prod-1-data-2');
      const snap = resourceOf(a, snapNode);
      const before = a.tracker.list();
      prompter.expect({ fields: { zone: ENTER, volumeType: 'io2', sizeGiB: '120', iops: '6000', name: 'exthost-restored-data' } });
      await runAction('restoreToNewDisk', snapNode);
      assert.deepEqual(prompter.leftovers(), []);
      assert.deepEqual(fieldIds(), ['zone', 'volumeType', 'sizeGiB', 'iops', 'name'], 'io2 asks for IOPS (and not throughput)');
      const zoneField = prompter.asked[0].fields[0];
      assert.equal(zoneField.kind, 'pick');
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1);
      assert.equal(ops[0].kind, 'volume');
      const volume = sandbox.clouds.aws.state.volume('us-east-1', ops[0].resourceId);
      assert.equal(volume.snapshotId, snap.id);
      assert.equal(volume.volumeType, 'io2');
      assert.equal(volume.size, 120);
      assert.equal(volume.iops, 6000, 'the volume has the IOPS answered');
      assert.equal(volume.zone, zoneField.kind === 'pick' ? zoneField.default : undefined, 'the proposed zone (Enter) was not used');
      assert.ok(volume.tags.some((t) => t.key === 'Name' && t.value === 'exthost-restored-data'));
      started.push(...ops);
    });

    it('Restore in Place from db-primary-root-2: confirmed Replace Root Volume task on db-primary', async () => {
      const { app: a, sandbox } = await world();
      const snapNode = await nodeAt(a, 'us-west-2', 'db-primary', 'db-primary-root', 'db-primary-root-2');
      assert.ok(contextOf(a, snapNode).includes('restoreInPlace'));
      const vm = resourceOf(a, await nodeAt(a, 'us-west-2', 'db-primary'));
      const before = a.tracker.list();
      prompter.expect({ confirms: [true] });
      await runAction('restoreInPlace', snapNode);
      assert.deepEqual(fieldIds(), [], 'one candidate instance: no fields to ask');
      const [c] = prompter.confirmations;
      assert.match(c.confirmation.message, /^Replace the root volume of instance db-primary .* with snapshot db-primary-root-2/);
      assert.equal(c.confirmation.button, 'Replace Root Volume');
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1);
      assert.equal(ops[0].kind, 'replaceRoot');
      assert.equal(ops[0].revealId, vm.id);
      const tasks = sandbox.clouds.aws.state.describeReplaceRootVolumeTasks('us-west-2', { ids: [ops[0].resourceId] }).items;
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0].instanceId, vm.id);
      assert.equal(tasks[0].snapshotId, resourceOf(a, snapNode).id);
      started.push(...ops);
    });

    it('Create Image from Snapshot web-prod-1-root-2: an AMI registered on that snapshot', async () => {
      const { app: a, sandbox } = await world();
      const snapNode = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-root', 'web-prod-1-root-2');
      const snap = resourceOf(a, snapNode);
      const before = a.tracker.list();
      prompter.expect({ fields: { name: 'exthost-image-from-root-2', description: 'exthost: registered', architecture: 'x86_64', rootDevice: ENTER } });
      await runAction('createImageFromSnapshot', snapNode);
      assert.deepEqual(fieldIds(), ['name', 'description', 'architecture', 'rootDevice']);
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1);
      const image = sandbox.clouds.aws.state.image('us-east-1', ops[0].resourceId);
      assert.equal(image.name, 'exthost-image-from-root-2');
      assert.equal(image.rootDeviceName, '/dev/xvda');
      assert.deepEqual(image.mappings.map((m) => m.snapshotId), [snap.id]);
      started.push(...ops);
    });

    it('Copy Snapshot web-prod-1-data-2 "Not encrypted": no KMS key is asked, the copy is not encrypted', async () => {
      const { app: a, sandbox } = await world();
      const snapNode = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-data', 'web-prod-1-data-2');
      const before = a.tracker.list();
      prompter.expect({ fields: { destination: 'us-west-2', description: ENTER, encrypted: false } });
      await runAction('copySnapshot', snapNode);
      assert.deepEqual(prompter.leftovers(), []);
      assert.deepEqual(fieldIds(), ['destination', 'description', 'encrypted'], 'a KMS key was asked for an unencrypted copy');
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1);
      assert.equal(sandbox.clouds.aws.state.snapshot('us-west-2', ops[0].resourceId).encrypted, false);
      started.push(...ops);
    });

    it('Copy Snapshot web-prod-1-data-1 to us-west-2, encrypted: the copy lands in us-west-2', async () => {
      const { app: a, sandbox } = await world();
      const snapNode = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-data', 'web-prod-1-data-1');
      const snap = resourceOf(a, snapNode);
      const before = a.tracker.list();
      prompter.expect({ fields: { destination: 'us-west-2', description: ENTER, encrypted: true, kmsKeyId: '' } });
      await runAction('copySnapshot', snapNode);
      assert.deepEqual(fieldIds(), ['destination', 'description', 'encrypted', 'kmsKeyId']);
      const ops = newOps(before, a.tracker.list());
      assert.equal(ops.length, 1);
      assert.equal(ops[0].scopeId, 'us-west-2');
      const copy = sandbox.clouds.aws.state.snapshot('us-west-2', ops[0].resourceId);
      assert.deepEqual(copy.copiedFrom, { region: 'us-east-1', snapshotId: snap.id });
      assert.equal(copy.encrypted, true);
      assert.match(copy.description, new RegExp(`^\\[Copied ${snap.id} from us-east-1\\]`));
      started.push(...ops);
    });

    it('Edit Tags on web-prod-1: set, changed and removed tags reach the cloud and the tree, values with commas, =, spaces and quotes intact', async () => {
      const { app: a, sandbox, accountId } = await world();
      const vmNode = await nodeAt(a, 'us-east-1', 'web-prod-1');
      const vm = resourceOf(a, vmNode);
      const tricky = [
        { key: 'Owners', value: 'alice,bob' },
        { key: 'cost center', value: ' a=b, "c" ' },
      ];
      prompter.expect({ fields: { tags: [{ key: 'Name', value: 'web-prod-1' }, { key: 'Environment', value: 'staging' }, { key: 'Owner', value: 'exthost' }, ...tricky] } });
      const mark = await runAction('editTags', vmNode);
      const field = prompter.asked[0].fields[0];
      assert.ok(field.kind === 'tags', `a tags field: ${JSON.stringify(field)}`);
      const proposed = new Map((field.default ?? []).map((t) => [t.key, t.value]));
      assert.equal(proposed.get('Environment'), 'production', `proposed tags: ${JSON.stringify(field.default)}`);
      assert.equal(proposed.get('Team'), 'web');
      const tags = Object.fromEntries(sandbox.clouds.aws.state.instance('us-east-1', vm.id).tags.map((t) => [t.key, t.value]));
      assert.equal(tags.Environment, 'staging');
      assert.equal(tags.Owner, 'exthost');
      assert.equal(tags.Owners, 'alice,bob', 'a value with a comma is one tag, unchanged');
      assert.equal(tags['cost center'], ' a=b, "c" ', 'a key with a space and a value with =, spaces and quotes are unchanged');
      assert.equal(tags.Team, undefined, 'Team was not removed');
      assert.ok(shownSince(mark, 'info').some((s) => /Tags of web-prod-1 .* updated \(4 set, 1 removed\)/.test(s.message)), JSON.stringify(shownSince(mark)));
      // The tree reloads the region and shows the new tags.
      await waitFor('the new tags in the tree', () => {
        const r = a.session(accountId)?.find(vm.id);
        return r?.tags.some((t) => t.key === 'Owner' && t.value === 'exthost');
      });
      // Editing again proposes the very same tags (nothing split, trimmed or merged).
      prompter.expect({ fields: { tags: ENTER } });
      await runAction('editTags', await nodeAt(a, 'us-east-1', 'web-prod-1'));
      const again = prompter.asked[0].fields[0];
      assert.ok(again.kind === 'tags');
      for (const t of tricky) {
        assert.deepEqual((again.default ?? []).find((x) => x.key === t.key), t, `proposed again: ${JSON.stringify(again.default)}`);
      }
      assert.deepEqual(prompter.leftovers(), []);
    });

    it('Delete Snapshot on the AMI web-base-2025-01 uses: refused, naming the AMI; nothing asked or deleted', async () => {
      const { app: a, sandbox } = await world();
      const snapNode = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-root', 'web-prod-1-root-1');
      const snap = resourceOf(a, snapNode);
      assert.ok(contextOf(a, snapNode).includes('deleteSnapshot'), 'the menu offers Delete Snapshot');
      const ami = resourceOf(a, await nodeAt(a, 'us-east-1', 'AMIs', AMI_LABEL));
      assert.equal(sandbox.clouds.aws.state.image('us-east-1', ami.id).name, 'web-base-2025-01');
      const before = a.tracker.list();
      prompter.expect({});
      const { mark, result } = await runCommand('deleteSnapshot', snapNode);
      assert.equal(result, false);
      assert.deepEqual(prompter.interactions, [], 'a refused action asked questions');
      const errors = shownSince(mark, 'error').map((s) => s.message);
      assert.equal(errors.length, 1, `errors shown: ${JSON.stringify(errors)}`);
      assert.ok(errors[0].includes('web-base-2025-01') && errors[0].includes(ami.id), `the refusal does not name the AMI: ${errors[0]}`);
      assert.match(errors[0], /deregister/i, 'the refusal does not say what to do');
      assert.ok(errors[0].includes(snap.id), `the refusal does not name the snapshot: ${errors[0]}`);
      assert.equal(sandbox.clouds.aws.state.snapshot('us-east-1', snap.id).id, snap.id, 'the snapshot is gone');
      assert.deepEqual(newOps(before, a.tracker.list()), []);
    });

    it('Delete Snapshot batch-worker-scratch-1: declined once (kept; the confirmation says in bytes what is lost), then confirmed (gone from cloud and tree)', async () => {
      const { app: a, sandbox, accountId } = await world();
      const disk = await nodeAt(a, 'us-east-1', 'batch-worker', 'batch-worker-scratch');
      const snapNode = await child(a, disk, 'batch-worker-scratch-1');
      const snap = resourceOf(a, snapNode);

      prompter.expect({ confirms: [false] });
      const { result } = await runCommand('deleteSnapshot', snapNode);
      assert.equal(result, false);
      assert.match(prompter.confirmations[0].confirmation.message, /^Delete snapshot batch-worker-scratch-1 \(snap-[0-9a-f]+\)\?$/);
      assert.equal(prompter.confirmations[0].confirmation.button, 'Delete Snapshot');
      // What is lost, in bytes: the sandbox's own block accounting, as the chain panel shows it.
      const truth = sandbox.clouds.aws.deleteImpact('us-east-1', snap.id);
      assert.ok(truth.moved.length > 0, 'batch-worker-scratch-2 needs some of its blocks');
      const names = new Map([...a.session(accountId)!.resources()].map((r) => [r.id, r.name ?? r.id]));
      const expected = `Frees ${formatBytes(truth.freedBytes)}${truth.moved.map((m) => ` · moves ${formatBytes(m.bytes)} to ${names.get(m.snapshotId)}`).join('')}.`;
      const detail = prompter.confirmations[0].confirmation.detail;
      assert.ok(detail.startsWith(expected), `expected "${expected}" first in: ${detail}`);
      assert.equal(prompter.confirmations[0].confirmation.keep, 'Keep Snapshot', 'the button Enter presses keeps the snapshot');
      assert.ok(snap.createdAt && !detail.includes(snap.createdAt), `a raw ISO date in: ${detail}`);
      assert.ok(detail.includes(formatDate(snap.createdAt, vscode.env.language)), `no date in the user's locale in: ${detail}`);
      assert.equal(sandbox.clouds.aws.state.snapshot('us-east-1', snap.id).id, snap.id);

      prompter.expect({ confirms: [true] });
      const mark = await runAction('deleteSnapshot', snapNode);
      assert.throws(() => sandbox.clouds.aws.state.snapshot('us-east-1', snap.id), /does not exist/);
      assert.ok(shownSince(mark, 'info').some((s) => /Deleted snapshot batch-worker-scratch-1/.test(s.message)));
      await waitFor('batch-worker-scratch-1 to leave the tree', async () => !(await childrenOf(a, disk)).some((n) => labelOf(a, n) === 'batch-worker-scratch-1'));
      // Its child in the chain is still there.
      await child(a, disk, 'batch-worker-scratch-2');
    });

    it('Delete Image analytics-golden-2025-02 with its snapshots: confirmed, all gone', async () => {
      const { app: a, sandbox } = await world();
      const images = await nodeAt(a, 'eu-west-1', 'AMIs');
      // Labelled by its AMI name (its Name tag stays among the tags).
      const imageNode = await child(a, images, 'analytics-golden-2025-02');
      const image = resourceOf(a, imageNode);
      assert.equal(image.kind, 'image');
      assert.equal(sandbox.clouds.aws.state.image('eu-west-1', image.id).name, 'analytics-golden-2025-02');
      const snapshotIds = image.kind === 'image' ? image.snapshotIds : [];
      assert.equal(snapshotIds.length, 2);
      prompter.expect({ fields: { deleteSnapshots: true }, confirms: [true] });
      await runAction('deleteImage', imageNode);
      const [c] = prompter.confirmations;
      assert.equal(c.confirmation.button, 'Deregister AMI and Delete Snapshots');
      assert.match(c.confirmation.detail, /will be deleted too/);
      assert.throws(() => sandbox.clouds.aws.state.image('eu-west-1', image.id), /does not exist/);
      for (const id of snapshotIds) {
        assert.throws(() => sandbox.clouds.aws.state.snapshot('eu-west-1', id), /does not exist/, `snapshot ${id} of the AMI survived`);
      }
      await waitFor('the AMI to leave the Images folder', async () => !(await childrenOf(a, images)).some((n) => n.type === 'resource' && n.resourceId === image.id));
    });

    it('every operation started above completes, is announced, and shows in the tree', async function () {
      this.timeout(60_000);
      const { app: a, sandbox } = await world();
      assert.ok(started.length >= 6, `only ${started.length} operations were started`);
      await trackerIdle(a, 45_000);
      assert.equal(a.statusBar.text, '');
      const infos = shownSince(suiteMark, 'info').map((s) => s.message);
      for (const op of started) {
        assert.ok(infos.includes(`Snapkeeper: ${op.title} completed.`), `no completion for "${op.title}"; infos: ${JSON.stringify(infos)}`);
      }
      const errors = shownSince(suiteMark, 'error').filter((s) => !/web-base-2025-01/.test(s.message));
      assert.deepEqual(errors, [], 'unexpected error notifications');

      // The restored volume: available, in Detached disks.
      const detached = await nodeAt(a, 'us-east-1', 'Detached disks');
      const restored = await child(a, detached, 'exthost-restored-data');
      await waitFor('the restored volume to show available', () => /120 GiB · io2$/.test(String(itemOf(a, restored).description)));
      // The AMIs: available, in Images.
      const images = await nodeAt(a, 'us-east-1', 'AMIs');
      for (const name of ['exthost-web-image', 'exthost-image-from-root-2']) {
        const n = await child(a, images, name);
        await waitFor(`${name} to show available`, () => / · available$/.test(String(itemOf(a, n).description)));
      }
      // The copy: in us-west-2's "Other snapshots" (its disk is in another region).
      const copy = started.find((o) => o.scopeId === 'us-west-2' && o.title.startsWith('Copy of'));
      assert.ok(copy);
      const others = await nodeAt(a, 'us-west-2', 'Other snapshots');
      await waitFor('the copy in us-west-2 / Other snapshots', async () =>
        (await childrenOf(a, others)).some((n: Node) => n.type === 'resource' && n.resourceId === copy.resourceId),
      );
      // db-primary's root volume was replaced by one restored from db-primary-root-2.
      const task = started.find((o) => o.kind === 'replaceRoot');
      assert.ok(task);
      const [done] = sandbox.clouds.aws.state.describeReplaceRootVolumeTasks('us-west-2', { ids: [task.resourceId] }).items;
      assert.equal(done.outcome, 'succeeded');
      const vm = await nodeAt(a, 'us-west-2', 'db-primary');
      await waitFor('db-primary to boot from the new root volume', async () => {
        const first = (await childrenOf(a, vm))[0];
        return first?.type === 'resource' && first.resourceId === done.newVolumeId;
      });
    });
  });
}
