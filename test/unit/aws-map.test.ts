import * as assert from 'node:assert/strict';
import { rootLineage } from '../../src/adapters/aws/lineage';
import { mapImage, mapInstance, mapSnapshot, mapVolume, parseProgress } from '../../src/adapters/aws/map';
import { actionsFor } from '../../src/adapters/aws/plans';
import { tagDiff, tagsValue } from '../../src/adapters/aws/tags';

describe('aws mapping', () => {
  it('parses snapshot progress', () => {
    assert.equal(parseProgress('45%'), 45);
    assert.equal(parseProgress('100%'), 100);
    assert.equal(parseProgress(''), undefined);
    assert.equal(parseProgress('soon'), undefined);
  });

  it('maps an instance with the root volume first', () => {
    const vm = mapInstance(
      {
        InstanceId: 'i-1',
        State: { Name: 'running' },
        RootDeviceName: '/dev/xvda',
        Tags: [{ Key: 'Name', Value: 'web' }],
        BlockDeviceMappings: [
          { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-data' } },
          { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-root' } },
          { DeviceName: '/dev/sdg', Ebs: { VolumeId: 'vol-data2' } },
        ],
      },
      'us-east-1',
    );
    assert.deepEqual(vm.diskIds, ['vol-root', 'vol-data', 'vol-data2']);
    assert.equal(vm.bootDiskId, 'vol-root');
    assert.equal(vm.name, 'web');
    assert.equal(vm.phase, 'ready');
  });

  it('maps a volume: boot attachment, source snapshot, encryption', () => {
    const d = mapVolume(
      {
        VolumeId: 'vol-root',
        State: 'in-use',
        Size: 8,
        Encrypted: true,
        KmsKeyId: 'arn:aws:kms:us-east-1:1:key/k',
        SnapshotId: 'snap-0',
        Attachments: [{ InstanceId: 'i-1', Device: '/dev/xvda', State: 'attached' }],
      },
      'us-east-1',
      new Map([['i-1', '/dev/xvda']]),
    );
    assert.deepEqual(d.attachments, [{ vmId: 'i-1', device: '/dev/xvda', boot: true }]);
    assert.equal(d.sourceSnapshotId, 'snap-0');
    assert.equal(d.encrypted, true);
    assert.equal(d.kmsKeyId, 'arn:aws:kms:us-east-1:1:key/k');
  });

  it('maps a snapshot: progress, copies, dummy volume id', () => {
    const s = mapSnapshot(
      { SnapshotId: 'snap-2', State: 'pending', Progress: '37%', VolumeId: 'vol-ffffffff', Description: '[Copied snap-1 from us-east-1]', StorageTier: 'standard' },
      'eu-west-1',
    );
    assert.equal(s.progress, 37);
    assert.equal(s.phase, 'pending');
    assert.equal(s.diskId, undefined);
    assert.equal(s.copiedFromId, 'snap-1');
    assert.equal(s.storageTier, 'standard');
  });

  it('maps an image with its root snapshot first', () => {
    const i = mapImage(
      {
        ImageId: 'ami-1',
        Name: 'golden',
        State: 'available',
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: [
          { DeviceName: '/dev/sdf', Ebs: { SnapshotId: 'snap-data' } },
          { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-root' } },
        ],
      },
      'us-east-1',
    );
    assert.deepEqual(i.snapshotIds, ['snap-root', 'snap-data']);
    assert.equal(i.name, 'golden');
  });
});

describe('aws root lineage', () => {
  // i-1's root vol-B was restored from snap-1 of vol-A; vol-A was restored from snap-0 of vol-0.
  const vms = [{ id: 'i-1', bootDiskId: 'vol-B' }];
  const disks = [
    { id: 'vol-B', sourceSnapshotId: 'snap-1' },
    { id: 'vol-A', sourceSnapshotId: 'snap-0' },
    { id: 'vol-other' },
  ];

  it('walks from the current root through source snapshots', () => {
    const links = new Map<string, string | null>([
      ['snap-1', 'vol-A'],
      ['snap-0', 'vol-0'],
    ]);
    const { rootOf, missing } = rootLineage(vms, disks, links);
    assert.deepEqual([...rootOf.keys()].sort(), ['vol-0', 'vol-A', 'vol-B']);
    assert.equal(rootOf.get('vol-other'), undefined);
    assert.equal(missing.size, 0);
  });

  it('reports source snapshots it could not follow', () => {
    const { rootOf, missing } = rootLineage(vms, disks, new Map());
    assert.deepEqual([...rootOf.keys()], ['vol-B']);
    assert.deepEqual([...missing], ['snap-1']);
  });

  it('drives restoreInPlace / createImageFromSnapshot in actionsFor', () => {
    const base = mapSnapshot({ SnapshotId: 'snap-9', State: 'completed', VolumeId: 'vol-A' }, 'us-east-1');
    assert.ok(!actionsFor(base, false).includes('restoreInPlace'));
    assert.ok(!actionsFor(base, false).includes('createImageFromSnapshot'));
    const root = { ...base, awsHints: { rootOfInstanceIds: ['i-1'], rootOfImageIds: [] } };
    assert.ok(actionsFor(root, false).includes('restoreInPlace'));
    assert.ok(actionsFor(root, false).includes('createImageFromSnapshot'));
    const amiRoot = { ...base, awsHints: { rootOfInstanceIds: [], rootOfImageIds: ['ami-1'] } };
    assert.ok(!actionsFor(amiRoot, false).includes('restoreInPlace'));
    assert.ok(actionsFor(amiRoot, false).includes('createImageFromSnapshot'));
    const pending = { ...root, state: 'pending', phase: 'pending' as const };
    assert.deepEqual(actionsFor(pending, false), ['editTags', 'deleteSnapshot']);
  });
});

describe('aws tags', () => {
  it('computes the CreateTags / DeleteTags difference, keeping aws: tags', () => {
    const current = [
      { key: 'Name', value: 'a' },
      { key: 'Team', value: 'web' },
      { key: 'aws:backup:source', value: 'x' },
    ];
    const { set, remove } = tagDiff(current, [
      { key: 'Name', value: 'b' },
      { key: 'New', value: '' },
    ]);
    assert.deepEqual(set, [
      { key: 'Name', value: 'b' },
      { key: 'New', value: '' },
    ]);
    assert.deepEqual(remove, ['Team']);
  });

  it('takes tags exactly as given and checks EC2\'s rules', () => {
    const exact = [{ key: 'Owners', value: 'alice,bob' }, { key: 'cost center', value: ' a=b "c" ' }];
    assert.deepEqual(tagsValue(exact), exact);
    assert.throws(() => tagsValue('Owners=alice,bob'), /list of \{ key, value \}/, 'lossy text is refused, not split');
    assert.throws(() => tagsValue([{ key: 'a', value: 'v'.repeat(257) }]), /longer than 256/);
    assert.throws(() => tagsValue([{ key: 'a', value: '1' }, { key: 'a', value: '2' }]), /twice/);
    assert.throws(() => tagsValue([{ key: 'aws:x', value: '1' }]), /reserved/);
    const hostile = [{ key: 'Name', value: '<img src=x onerror=alert(1)>, "quoted" = ü' }];
    assert.deepEqual(tagsValue(hostile), hostile);
  });
});
