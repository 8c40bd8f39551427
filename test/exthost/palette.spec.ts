// Actions from the command palette: no tree node, so the extension asks for the region and the
// resource with quick picks (the account first, as the sandbox has an AWS, an Azure and a Google Cloud account),
// offering only resources that support the action.
import assert from 'node:assert/strict';
import { ENTER } from './prompter';
import { AMI_LABEL, nodeAt, prompter, resourceOf, runAction, trackerIdle, world } from './harness';

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
      assert.deepEqual(account.labels, ['Sandbox (AWS)', 'Sandbox (Azure)', 'Sandbox (Google Cloud)']);
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
