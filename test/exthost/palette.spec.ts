// Actions from the command palette: no tree node, so the extension asks for the region and the
// resource with quick picks (the account first, as the sandbox has an AWS, an Azure and a Google Cloud account),
// offering only resources that support the action.
import assert from 'node:assert/strict';
import { ENTER } from './prompter';
import { AMI_LABEL, nodeAt, prompter, resourceOf, runAction, runCommand, shownSince, trackerIdle, waitFor, world } from './harness';

export function paletteTests(): void {
  describe('Actions from the command palette (quick picks)', function () {
    this.timeout(30_000);

    it('Restore to New Disk: region and snapshot picked, fields answered, the volume is created', async () => {
      const { app: a, sandbox } = await world();
      const before = new Set(a.tracker.list().map((r) => r.id));
      prompter.expect({
        picks: ['Sandbox (AWS)', 'us-east-1', 'web-prod-1-root-3'],
        fields: { zone: ENTER, volumeType: 'gp3', sizeGiB: '16', iops: ENTER, throughputMiBps: ENTER, name: 'exthost-palette-restore' },
      });
      await runAction('restoreToNewDisk');
      const [account, region, resource] = prompter.chosen;
      assert.equal(account.placeholder, 'Which account?');
      assert.deepEqual(account.labels, ['Sandbox (AWS)', 'Sandbox (Azure)', 'Sandbox (Google Cloud)', 'Sandbox (Apache CloudStack)', 'Sandbox (OpenStack)']);
      assert.equal(region.placeholder, 'Which region?');
      assert.ok(region.labels.includes('eu-west-1') && region.labels.includes('us-west-2'), region.labels.join(', '));
      assert.equal(resource.placeholder, 'Which snapshot?');
      assert.ok(resource.labels.includes('web-prod-1-data-3'), resource.labels.join(', '));
      // Only snapshots, and only those that can be restored (not disks, VMs or images).
      for (const notOffered of ['web-prod-1', 'web-prod-1-data', AMI_LABEL]) {
        assert.ok(!resource.labels.includes(notOffered), `${notOffered} offered as a snapshot`);
      }
      const ops = a.tracker.list().filter((r) => !before.has(r.id));
      assert.equal(ops.length, 1);
      const volume = sandbox.clouds.aws.state.volume('us-east-1', ops[0].resourceId);
      const snap = resourceOf(a, await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-root', 'web-prod-1-root-3'));
      assert.equal(volume.snapshotId, snap.id);
      assert.equal(volume.size, 16);
      assert.ok(volume.tags.some((t) => t.key === 'Name' && t.value === 'exthost-palette-restore'));
      await trackerIdle(a);
    });

    it('Create Snapshot: a disk still creating is listed last, saying why, and picking it explains instead of running', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const timing = sandbox.clouds.aws.state.timing;
      const saved = timing.volumeMs;
      timing.volumeMs = 120_000;
      try {
        const made = sandbox.clouds.aws.state.createVolume('us-east-1', {
          availabilityZone: 'us-east-1a',
          size: 1,
          volumeType: 'gp3',
          tagSpecs: [{ resourceType: 'volume', tags: [{ key: 'Name', value: 'exthost-still-creating' }] }],
        });
        const session = a.session(a.accounts.list().find((x) => x.cloud === 'aws' && x.sandbox)?.id ?? '');
        const scope = (await session?.leafScopes())?.find((s) => s.id === 'us-east-1');
        assert.ok(session && scope);
        await session.load(scope, true);

        prompter.expect({ picks: ['Sandbox (AWS)', 'us-east-1', 'exthost-still-creating'] });
        const { mark, result } = await runCommand('createSnapshot');
        assert.notEqual(result, true, 'the action did not run');
        assert.deepEqual(prompter.leftovers(), []);
        const disks = prompter.chosen[2];
        assert.equal(disks.placeholder, 'Which disk?');
        assert.equal(disks.labels.at(-1), 'exthost-still-creating', `listed last: ${disks.labels.join(', ')}`);
        assert.equal(disks.descriptions.at(-1), 'creating — not ready for Create Snapshot');
        assert.ok(disks.labels.includes('web-prod-1-data'), 'the available disks are still offered');
        await waitFor('the explanation', () =>
          shownSince(mark, 'info').find((s) => /exthost-still-creating is creating: not ready for Create Snapshot yet/.test(s.message)),
        );
        assert.deepEqual(a.tracker.list(), [], 'nothing was started');
        assert.equal(sandbox.clouds.aws.state.volumeStatus(sandbox.clouds.aws.state.volume('us-east-1', made.id)), 'creating', 'the sandbox still has it creating');
      } finally {
        timing.volumeMs = saved;
      }
    });

    it('Edit Tags: any kind of resource is offered; the picked VM gets the tags', async () => {
      const { app: a, sandbox } = await world();
      prompter.expect({ picks: ['Sandbox (AWS)', 'us-east-1', 'batch-worker'], fields: { tags: [{ key: 'Name', value: 'batch-worker' }, { key: 'Team', value: 'data' }, { key: 'Reviewed', value: 'yes' }] } });
      await runAction('editTags');
      const resource = prompter.chosen[2];
      assert.equal(resource.placeholder, 'Which resource?');
      for (const kind of ['batch-worker', 'web-prod-1-data', 'web-prod-1-data-1', AMI_LABEL]) {
        assert.ok(resource.labels.includes(kind), `${kind} not offered: ${resource.labels.join(', ')}`);
      }
      const vm = resourceOf(a, await nodeAt(a, 'us-east-1', 'batch-worker'));
      const tags = sandbox.clouds.aws.state.instance('us-east-1', vm.id).tags;
      assert.ok(tags.some((t) => t.key === 'Reviewed' && t.value === 'yes'), JSON.stringify(tags));
    });
  });
}
