/**
 * The official AWS CLI (Debian package `awscli`, /usr/bin/aws) against the sandbox, through a
 * whole snapshot workflow. Every answer the CLI prints is checked against the sandbox's own state
 * (read in-process), never against another answer of the sandbox.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientResult, clientAt, clientSuite, jsonOf, sorted } from './client';

const AWS = clientAt(
  process.env.SNAPKEEPER_AWS_CLI ?? '/usr/bin/aws',
  'Debian package awscli; scripts/cli-tests.mjs installs it with apt-get when run as root',
);
const REGION = 'us-east-1';
const COPY_REGION = 'eu-west-1';
/** Long enough that the CLI's waiter sees the snapshot pending before it completes. */
const TIMING = { snapshotBaseMs: 4000, snapshotMsPerGiB: 0, snapshotMaxMs: 4000, volumeMs: 300, imageMs: 300, taskMs: 300 };
/** Values a naive client or emulator would split or mangle. */
const OWNERS = 'alice,bob=leads & co';

interface Tag {
  Key: string;
  Value: string;
}

describe('AWS CLI (Debian awscli) against the sandbox', function () {
  this.timeout(90_000);
  const w = clientSuite(AWS, 'the AWS CLI workflow', {
    tmpPrefix: 'snapkeeper-awscli-',
    sandbox: { clouds: { aws: { timing: TIMING } } },
    env: (sandbox, home) => {
      writeFileSync(join(home, 'config'), '');
      writeFileSync(join(home, 'credentials'), '');
      const { accessKeyId, secretAccessKey } = sandbox.info.aws;
      return {
        HOME: home,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      };
    },
    // More volumes and snapshots than one small page, so paging really pages.
    prepare: (sandbox) => {
      for (let i = 0; i < 6; i++) {
        sandbox.clouds.aws.state.createVolume(REGION, { availabilityZone: `${REGION}a`, size: 1 });
      }
      sandbox.clouds.aws.bulkSnapshots(REGION, volumesIn(REGION)[0], 12);
    },
  });

  function aws(...args: string[]): Promise<ClientResult> {
    const region = args.includes('--region') ? [] : ['--region', REGION];
    return w.run([...args, ...region, '--endpoint-url', w.sandbox.info.aws.endpoint, '--output', 'json']);
  }

  async function awsJson<T>(...args: string[]): Promise<T> {
    return jsonOf<T>(await aws(...args), `aws ${args.slice(0, 2).join(' ')}`);
  }

  // ---- the oracle: the sandbox's own records ------------------------------------------------

  const records = () => w.sandbox.clouds.aws.state.toJSON();
  function volumesIn(region: string): string[] {
    return records().volumes.filter((v) => v.region === region).map((v) => v.id);
  }
  function snapshotsIn(region: string): string[] {
    return records().snapshots.filter((s) => s.region === region).map((s) => s.id);
  }
  function snapshotRecord(id: string) {
    return records().snapshots.find((s) => s.id === id);
  }

  /** Fails with the CLI's message unless it printed the given EC2 error code. */
  function assertEc2Error(result: ClientResult, code: string): void {
    assert.notEqual(result.code, 0, `expected ${code}, the CLI succeeded: ${result.stdout.slice(0, 300)}`);
    assert.match(result.stderr, new RegExp(`\\(${code.replace(/\./g, '\\.')}\\)`), result.stderr);
  }

  // ---- listing ------------------------------------------------------------------------------

  it('describe-regions lists exactly the enabled regions', async () => {
    const out = await awsJson<{ Regions: { RegionName: string }[] }>('ec2', 'describe-regions');
    const enabled = records().regions.filter((r) => r.optInStatus !== 'not-opted-in').map((r) => r.name);
    assert.deepEqual(sorted(out.Regions.map((r) => r.RegionName)), sorted(enabled));
  });

  it('describe-volumes with the CLI\'s own page size (MaxResults=1000) lists every volume', async () => {
    const out = await awsJson<{ Volumes: { VolumeId: string }[] }>('ec2', 'describe-volumes');
    assert.deepEqual(sorted(out.Volumes.map((v) => v.VolumeId)), sorted(volumesIn(REGION)));
  });

  it('describe-volumes --page-size 5 follows every page; --page-size 3 is refused as EC2 does', async () => {
    const out = await awsJson<{ Volumes: { VolumeId: string }[] }>('ec2', 'describe-volumes', '--page-size', '5');
    const ids = out.Volumes.map((v) => v.VolumeId);
    assert.ok(ids.length > 5, 'more than one page');
    assert.equal(new Set(ids).size, ids.length, 'each volume once');
    assert.deepEqual(sorted(ids), sorted(volumesIn(REGION)));
    assertEc2Error(await aws('ec2', 'describe-volumes', '--page-size', '3'), 'InvalidParameterValue');
  });

  it('describe-snapshots --max-items/--starting-token resumes where the last page ended', async () => {
    const first = await awsJson<{ Snapshots: { SnapshotId: string }[]; NextToken?: string }>(
      'ec2', 'describe-snapshots', '--owner-ids', 'self', '--page-size', '5', '--max-items', '7',
    );
    assert.equal(first.Snapshots.length, 7);
    assert.ok(first.NextToken, 'the CLI hands out a token to resume');
    const rest = await awsJson<{ Snapshots: { SnapshotId: string }[]; NextToken?: string }>(
      'ec2', 'describe-snapshots', '--owner-ids', 'self', '--page-size', '5', '--starting-token', first.NextToken,
    );
    assert.equal(rest.NextToken, undefined);
    const ids = [...first.Snapshots, ...rest.Snapshots].map((s) => s.SnapshotId);
    assert.equal(new Set(ids).size, ids.length, 'no snapshot twice across the resume');
    assert.deepEqual(sorted(ids), sorted(snapshotsIn(REGION)));
    const all = await awsJson<{ Snapshots: { SnapshotId: string }[] }>('ec2', 'describe-snapshots', '--owner-ids', 'self');
    assert.deepEqual(sorted(all.Snapshots.map((s) => s.SnapshotId)), sorted(snapshotsIn(REGION)));
  });

  it('describe-snapshots of an id that does not exist fails with InvalidSnapshot.NotFound', async () => {
    assertEc2Error(await aws('ec2', 'describe-snapshots', '--snapshot-ids', 'snap-0123456789abcdef0'), 'InvalidSnapshot.NotFound');
  });

  // ---- the snapshot workflow ---------------------------------------------------------------

  let volumeId: string;
  let snapshotId: string;
  let restoredId: string;
  let copyId: string;
  let imageId: string;

  it('create-snapshot records the snapshot with its description and tags', async () => {
    volumeId = volumesIn(REGION)[0];
    const out = await awsJson<{ SnapshotId: string; State: string; VolumeId: string; Tags?: Tag[] }>(
      'ec2', 'create-snapshot', '--volume-id', volumeId, '--description', 'cli: nightly',
      '--tag-specifications', `ResourceType=snapshot,Tags=[{Key=Owners,Value="${OWNERS}"}]`,
    );
    snapshotId = out.SnapshotId;
    const record = snapshotRecord(snapshotId);
    assert.ok(record, 'the sandbox holds the snapshot the CLI reported');
    assert.equal(record.volumeId, volumeId);
    assert.equal(out.VolumeId, volumeId);
    assert.equal(record.description, 'cli: nightly');
    assert.deepEqual(record.tags, [{ key: 'Owners', value: OWNERS }]);
    assert.equal(out.State, 'pending');
  });

  it('wait snapshot-completed returns once the sandbox has completed it', async () => {
    const result = await aws('ec2', 'wait', 'snapshot-completed', '--snapshot-ids', snapshotId);
    assert.equal(result.code, 0, result.stderr);
    const record = snapshotRecord(snapshotId);
    assert.ok(record);
    assert.equal(w.sandbox.clouds.aws.state.snapshotStatus(record).status, 'completed');
  });

  it('create-tags adds a tag a filter then finds', async () => {
    const result = await aws('ec2', 'create-tags', '--resources', snapshotId, '--tags', 'Key=Name,Value=cli snap 1');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(snapshotRecord(snapshotId)?.tags, [
      { key: 'Owners', value: OWNERS },
      { key: 'Name', value: 'cli snap 1' },
    ]);
    const found = await awsJson<{ Snapshots: { SnapshotId: string; Tags: Tag[] }[] }>(
      'ec2', 'describe-snapshots', '--filters', 'Name=tag:Name,Values=cli snap 1',
    );
    assert.deepEqual(found.Snapshots.map((s) => s.SnapshotId), [snapshotId]);
    assert.deepEqual(
      found.Snapshots[0].Tags.find((t) => t.Key === 'Owners'),
      { Key: 'Owners', Value: OWNERS },
      'the tag value comes back whole',
    );
  });

  it('create-volume restores the snapshot into another zone', async () => {
    const out = await awsJson<{ VolumeId: string; SnapshotId: string; AvailabilityZone: string; Size: number }>(
      'ec2', 'create-volume', '--snapshot-id', snapshotId, '--availability-zone', `${REGION}b`, '--volume-type', 'gp3',
    );
    restoredId = out.VolumeId;
    const record = records().volumes.find((v) => v.id === restoredId);
    assert.ok(record, 'the sandbox holds the volume the CLI reported');
    assert.equal(record.snapshotId, snapshotId);
    assert.equal(record.zone, `${REGION}b`);
    assert.equal(record.volumeType, 'gp3');
    assert.equal(record.size, snapshotRecord(snapshotId)?.volumeSize);
    assert.equal(out.Size, record.size);
  });

  it('copy-snapshot copies it into another region', async () => {
    const out = await awsJson<{ SnapshotId: string }>(
      'ec2', 'copy-snapshot', '--source-region', REGION, '--source-snapshot-id', snapshotId,
      '--description', 'cli copy', '--region', COPY_REGION,
    );
    copyId = out.SnapshotId;
    const record = snapshotRecord(copyId);
    assert.ok(record, 'the sandbox holds the copy the CLI reported');
    assert.equal(record.region, COPY_REGION);
    assert.deepEqual(record.copiedFrom, { region: REGION, snapshotId });
    assert.equal(record.description, 'cli copy');
  });

  it('describe-images lists the account\'s images; register-image makes one from the snapshot', async () => {
    const before = await awsJson<{ Images: { ImageId: string }[] }>('ec2', 'describe-images', '--owners', 'self');
    const inRegion = () => records().images.filter((i) => i.region === REGION).map((i) => i.id);
    assert.deepEqual(sorted(before.Images.map((i) => i.ImageId)), sorted(inRegion()));
    const out = await awsJson<{ ImageId: string }>(
      'ec2', 'register-image', '--name', 'cli-image', '--root-device-name', '/dev/xvda', '--architecture', 'x86_64',
      '--virtualization-type', 'hvm', '--ena-support',
      '--block-device-mappings', `DeviceName=/dev/xvda,Ebs={SnapshotId=${snapshotId},VolumeType=gp3}`,
    );
    imageId = out.ImageId;
    const record = records().images.find((i) => i.id === imageId);
    assert.ok(record, 'the sandbox holds the image the CLI reported');
    assert.equal(record.name, 'cli-image');
    assert.deepEqual(record.mappings.map((m) => [m.deviceName, m.snapshotId]), [['/dev/xvda', snapshotId]]);
    assert.deepEqual(sorted(inRegion()), sorted([...before.Images.map((i) => i.ImageId), imageId]));
  });

  it('delete-snapshot is refused while an image uses the snapshot, and the snapshot stays', async () => {
    assertEc2Error(await aws('ec2', 'delete-snapshot', '--snapshot-id', snapshotId), 'InvalidSnapshot.InUse');
    assert.ok(snapshotRecord(snapshotId));
  });

  it('deregister-image, delete-snapshot (both regions) and delete-volume remove exactly those', async () => {
    const before = records();
    for (const args of [
      ['ec2', 'deregister-image', '--image-id', imageId],
      ['ec2', 'delete-snapshot', '--snapshot-id', snapshotId],
      ['ec2', 'delete-snapshot', '--snapshot-id', copyId, '--region', COPY_REGION],
      ['ec2', 'delete-volume', '--volume-id', restoredId],
    ]) {
      const result = await aws(...args);
      assert.equal(result.code, 0, `${args[1]}: ${result.stderr}`);
    }
    const after = records();
    const gone = (a: { id: string }[], b: { id: string }[]) => sorted(a.map((x) => x.id).filter((id) => !b.some((y) => y.id === id)));
    assert.deepEqual(gone(before.images, after.images), [imageId]);
    assert.deepEqual(gone(before.snapshots, after.snapshots), sorted([snapshotId, copyId]));
    assert.deepEqual(gone(before.volumes, after.volumes), [restoredId]);
    assertEc2Error(await aws('ec2', 'describe-volumes', '--volume-ids', restoredId), 'InvalidVolume.NotFound');
  });
});
