/**
 * The AWS sandbox through the real SDKs: EC2Client (Query/XML) and EBSClient (REST JSON), signed
 * with SigV4 against 127.0.0.1, as the extension's AWS adapter uses them.
 */
import assert from 'node:assert/strict';
import {
  CopySnapshotCommand,
  CreateImageCommand,
  CreateReplaceRootVolumeTaskCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Instance,
  paginateDescribeSnapshots,
  RegisterImageCommand,
  type Snapshot,
  waitUntilSnapshotCompleted,
} from '@aws-sdk/client-ec2';
import { EBSClient, GetSnapshotBlockCommand, ListChangedBlocksCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { createHash } from 'node:crypto';
import { type Sandbox, startSandbox } from '../../src/sandbox';

const MiB = 1024 * 1024;
const FAST = { snapshotBaseMs: 150, snapshotMsPerGiB: 0, snapshotMaxMs: 150, volumeMs: 60, imageMs: 60, taskMs: 300 };

let sandbox: Sandbox;
const clients = new Map<string, EC2Client>();

function ec2(region = 'us-east-1', overrides: Partial<ConstructorParameters<typeof EC2Client>[0]> = {}): EC2Client {
  const key = `${region}:${JSON.stringify(overrides)}`;
  let client = clients.get(key);
  if (!client) {
    const { endpoint, accessKeyId, secretAccessKey } = sandbox.info.aws;
    client = new EC2Client({ region, endpoint, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1, ...overrides });
    clients.set(key, client);
  }
  return client;
}

function ebs(region = 'us-east-1'): EBSClient {
  const { endpoint, accessKeyId, secretAccessKey } = sandbox.info.aws;
  return new EBSClient({ region, endpoint, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

interface SdkError extends Error {
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    const e = error as SdkError;
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) {
      assert.match(e.message, message);
    }
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() - start > timeoutMs) {
      assert.fail(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

async function instanceNamed(name: string, region = 'us-east-1'): Promise<Instance> {
  const out = await ec2(region).send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  assert.ok(instance, `no instance named ${name}`);
  return instance;
}

function rootVolumeId(instance: Instance): string {
  const root = instance.BlockDeviceMappings?.find((m) => m.DeviceName === instance.RootDeviceName);
  assert.ok(root?.Ebs?.VolumeId);
  return root.Ebs.VolumeId;
}

async function snapshot(id: string, region = 'us-east-1'): Promise<Snapshot> {
  const out = await ec2(region).send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
  assert.equal(out.Snapshots?.length, 1);
  return out.Snapshots[0];
}

async function completed(id: string, region = 'us-east-1'): Promise<Snapshot> {
  return until(() => snapshot(id, region), (s) => s.State === 'completed');
}

async function newVolume(region = 'us-east-1', size = 8): Promise<string> {
  const out = await ec2(region).send(
    new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: size, VolumeType: 'gp3' }),
  );
  assert.ok(out.VolumeId);
  await until(
    () => ec2(region).send(new DescribeVolumesCommand({ VolumeIds: [out.VolumeId as string] })),
    (v) => v.Volumes?.[0]?.State === 'available',
  );
  return out.VolumeId;
}

describe('sandbox AWS through the SDKs', function () {
  this.timeout(20000);

  before(async () => {
    sandbox = await startSandbox({ clouds: { aws: { timing: FAST } } });
  });

  after(async () => {
    for (const client of clients.values()) {
      client.destroy();
    }
    await sandbox.close();
  });

  afterEach(() => sandbox.setFaults({}));

  describe('describe calls over the seeded estate', () => {
    it('lists enabled regions, and the opt-in ones with AllRegions', async () => {
      const enabled = await ec2().send(new DescribeRegionsCommand({}));
      const names = enabled.Regions?.map((r) => r.RegionName) ?? [];
      for (const name of ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2']) {
        assert.ok(names.includes(name), name);
      }
      assert.ok(!names.includes('af-south-1'));
      const all = await ec2().send(new DescribeRegionsCommand({ AllRegions: true }));
      const africa = all.Regions?.find((r) => r.RegionName === 'af-south-1');
      assert.equal(africa?.OptInStatus, 'not-opted-in');
      assert.equal(all.Regions?.find((r) => r.RegionName === 'us-east-1')?.OptInStatus, 'opt-in-not-required');
      const one = await ec2().send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] }));
      assert.deepEqual(one.Regions?.map((r) => r.RegionName), ['eu-west-1']);
    });

    it('lists the availability zones of the request region', async () => {
      const out = await ec2('us-west-2').send(new DescribeAvailabilityZonesCommand({}));
      assert.deepEqual(
        out.AvailabilityZones?.map((z) => z.ZoneName),
        ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d'],
      );
      assert.equal(out.AvailabilityZones?.[0]?.State, 'available');
    });

    it('lists instances in three regions, a stopped one included', async () => {
      for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) {
        const out = await ec2(region).send(new DescribeInstancesCommand({}));
        assert.ok((out.Reservations?.length ?? 0) >= 1, region);
      }
      const stopped = await ec2().send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] }),
      );
      const batch = stopped.Reservations?.[0]?.Instances?.[0];
      assert.equal(batch?.State?.Name, 'stopped');
      assert.equal(batch?.State?.Code, 80);
      const web = await instanceNamed('web-prod-1');
      assert.equal(web.State?.Name, 'running');
      assert.equal(web.RootDeviceName, '/dev/xvda');
      assert.equal(web.BlockDeviceMappings?.length, 2);
      assert.equal(web.Placement?.AvailabilityZone, 'us-east-1a');
      assert.match(web.InstanceId ?? '', /^i-[0-9a-f]{17}$/);
    });

    it('lists volumes: root 8 GiB, data, a detached one and an encrypted one with its KMS key', async () => {
      const web = await instanceNamed('web-prod-1');
      const attached = await ec2().send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [web.InstanceId ?? ''] }] }),
      );
      assert.equal(attached.Volumes?.length, 2);
      const root = attached.Volumes?.find((v) => v.VolumeId === rootVolumeId(web));
      assert.equal(root?.Size, 8);
      assert.equal(root?.State, 'in-use');
      assert.equal(root?.Attachments?.[0]?.Device, '/dev/xvda');
      const available = await ec2().send(new DescribeVolumesCommand({ Filters: [{ Name: 'status', Values: ['available'] }] }));
      assert.ok((available.Volumes?.length ?? 0) >= 1);
      assert.ok(available.Volumes?.[0]?.SnapshotId?.startsWith('snap-'));
      const encrypted = await ec2('us-west-2').send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'encrypted', Values: ['true'] }] }),
      );
      const db = encrypted.Volumes?.[0];
      assert.equal(db?.VolumeType, 'io2');
      assert.equal(db?.Iops, 16000);
      assert.match(db?.KmsKeyId ?? '', /^arn:aws:kms:us-west-2:111122223333:key\//);
    });

    it('lists snapshot chains of the account with their statuses', async () => {
      const web = await instanceNamed('web-prod-1');
      const dataVolume = web.BlockDeviceMappings?.find((m) => m.DeviceName === '/dev/sdf')?.Ebs?.VolumeId ?? '';
      const out = await ec2().send(
        new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [dataVolume] }] }),
      );
      assert.equal(out.Snapshots?.length, 4);
      for (const s of out.Snapshots ?? []) {
        assert.equal(s.State, 'completed');
        assert.equal(s.Progress, '100%');
        assert.equal(s.OwnerId, '111122223333');
        assert.equal(s.StorageTier, 'standard');
        assert.ok(s.StartTime instanceof Date);
      }
      // The chain's snapshots store different amounts: 500, 120, 30 and 75 MiB.
      const stored = (out.Snapshots ?? []).map((s) => sandbox.clouds.aws.storedBytes('us-east-1', s.SnapshotId ?? '') / MiB);
      assert.deepEqual(stored, [500, 120, 30, 75]);
      const others = await ec2().send(new DescribeSnapshotsCommand({ OwnerIds: ['amazon'] }));
      assert.equal(others.Snapshots?.length, 0);
    });

    it('lists images with their block device mappings', async () => {
      const out = await ec2().send(new DescribeImagesCommand({ Owners: ['self'] }));
      const image = out.Images?.find((i) => i.Name === 'web-base-2025-01');
      assert.ok(image);
      assert.equal(image.State, 'available');
      assert.equal(image.RootDeviceName, '/dev/xvda');
      const snapshotId = image.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
      assert.match(snapshotId, /^snap-/);
      const bySnapshot = await ec2().send(
        new DescribeImagesCommand({ Filters: [{ Name: 'block-device-mapping.snapshot-id', Values: [snapshotId] }] }),
      );
      assert.deepEqual(bySnapshot.Images?.map((i) => i.ImageId), [image.ImageId]);
      const eu = await ec2('eu-west-1').send(new DescribeImagesCommand({ Owners: ['self'] }));
      assert.equal(eu.Images?.[0]?.BlockDeviceMappings?.length, 2);
    });

    it('answers unknown ids with the NotFound codes', async () => {
      await rejects(
        ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] })),
        'InvalidSnapshot.NotFound',
        /snap-0123456789abcdef0/,
      );
      await rejects(ec2().send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })), 'InvalidVolume.NotFound');
      await rejects(
        ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
        'InvalidInstanceID.NotFound',
      );
      await rejects(ec2().send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })), 'InvalidAMIID.NotFound');
      await rejects(ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: ['nonsense'] })), 'InvalidSnapshotID.Malformed');
      // A resource of another region is not found here.
      const web = await instanceNamed('web-prod-1');
      await rejects(
        ec2('us-west-2').send(new DescribeInstancesCommand({ InstanceIds: [web.InstanceId ?? ''] })),
        'InvalidInstanceID.NotFound',
      );
      await rejects(ec2().send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })), 'InvalidParameterValue');
    });
  });

  describe('snapshots', () => {
    it('creates a snapshot: pending with rising progress, then completed', async () => {
      const web = await instanceNamed('web-prod-1');
      const volumeId = rootVolumeId(web);
      const created = await ec2().send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          Description: 'before upgrade',
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Name', Value: 'pre-upgrade' }] }],
        }),
      );
      assert.equal(created.State, 'pending');
      assert.match(created.Progress ?? '', /^\d{1,2}%$/);
      assert.equal(created.VolumeId, volumeId);
      assert.equal(created.VolumeSize, 8);
      assert.deepEqual(created.Tags, [{ Key: 'Name', Value: 'pre-upgrade' }]);
      const id = created.SnapshotId ?? '';
      await new Promise((resolve) => setTimeout(resolve, 60));
      const later = await snapshot(id);
      if (later.State === 'pending') {
        assert.ok(parseInt(later.Progress ?? '', 10) >= parseInt(created.Progress ?? '', 10));
      }
      const done = await completed(id);
      assert.equal(done.Progress, '100%');
      assert.equal(done.Description, 'before upgrade');
      // Nothing was written since the last seeded snapshot: it stores nothing.
      assert.equal(sandbox.clouds.aws.storedBytes('us-east-1', id), 0);
    });

    it('works with the SDK waiter', async () => {
      const volumeId = await newVolume();
      const created = await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      const result = await waitUntilSnapshotCompleted(
        { client: ec2(), maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
        { SnapshotIds: [created.SnapshotId ?? ''] },
      );
      assert.equal(result.state, 'SUCCESS');
    });

    it('creates crash-consistent multi-volume snapshots, reported with <state>', async () => {
      const web = await instanceNamed('web-prod-1');
      const out = await ec2().send(
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: web.InstanceId, ExcludeBootVolume: false },
          Description: 'nightly',
          CopyTagsFromSource: 'volume',
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Backup', Value: 'nightly' }] }],
        }),
      );
      assert.equal(out.Snapshots?.length, 2);
      for (const s of out.Snapshots ?? []) {
        assert.equal(s.State, 'pending');
        assert.equal(s.Description, 'nightly');
        assert.ok(s.Tags?.some((t) => t.Key === 'Name' && t.Value?.startsWith('web-prod-1-')));
        assert.ok(s.Tags?.some((t) => t.Key === 'Backup' && t.Value === 'nightly'));
      }
      const dataOnly = await ec2().send(
        new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: web.InstanceId, ExcludeBootVolume: true } }),
      );
      assert.equal(dataOnly.Snapshots?.length, 1);
      assert.notEqual(dataOnly.Snapshots?.[0]?.VolumeId, rootVolumeId(web));
    });

    it('refuses to delete a snapshot an AMI uses, naming the AMI', async () => {
      const volumeId = await newVolume();
      sandbox.clouds.aws.writeMiB('us-east-1', volumeId, 4);
      const created = await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      const snapId = created.SnapshotId ?? '';
      await completed(snapId);
      const registered = await ec2().send(
        new RegisterImageCommand({
          Name: 'sandbox-test-image',
          RootDeviceName: '/dev/xvda',
          Architecture: 'arm64',
          VirtualizationType: 'hvm',
          EnaSupport: true,
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapId, VolumeType: 'gp3' } }],
        }),
      );
      const amiId = registered.ImageId ?? '';
      assert.match(amiId, /^ami-/);
      const image = await until(
        () => ec2().send(new DescribeImagesCommand({ ImageIds: [amiId] })),
        (o) => o.Images?.[0]?.State === 'available',
      );
      assert.equal(image.Images?.[0]?.Architecture, 'arm64');
      await rejects(
        ec2().send(new DeleteSnapshotCommand({ SnapshotId: snapId })),
        'InvalidSnapshot.InUse',
        new RegExp(`^The snapshot ${snapId} is currently in use by ${amiId}$`),
      );
      await ec2().send(new DeregisterImageCommand({ ImageId: amiId }));
      await ec2().send(new DeleteSnapshotCommand({ SnapshotId: snapId }));
      await rejects(ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: [snapId] })), 'InvalidSnapshot.NotFound');
      await rejects(
        ec2().send(new RegisterImageCommand({ Name: 'x', BlockDeviceMappings: [] })),
        'InvalidAMIName.Malformed',
      );
    });

    it('pages 1,200 snapshots in three pages of at most 500, each id once', async () => {
      const volumeId = await newVolume();
      const ids = sandbox.clouds.aws.bulkSnapshots('us-east-1', volumeId, 1200);
      const filter = [{ Name: 'volume-id', Values: [volumeId] }];
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const out = await ec2().send(
          new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: filter, MaxResults: 500, NextToken: token }),
        );
        pages.push((out.Snapshots ?? []).map((s) => s.SnapshotId ?? ''));
        token = out.NextToken;
      } while (token);
      assert.deepEqual(pages.map((p) => p.length), [500, 500, 200]);
      const seen = pages.flat();
      assert.equal(new Set(seen).size, 1200);
      assert.deepEqual([...seen].sort(), [...ids].sort());

      let viaPaginator = 0;
      for await (const page of paginateDescribeSnapshots({ client: ec2(), pageSize: 500 }, { Filters: filter })) {
        viaPaginator += page.Snapshots?.length ?? 0;
      }
      assert.equal(viaPaginator, 1200);

      await rejects(ec2().send(new DescribeSnapshotsCommand({ MaxResults: 4 })), 'InvalidParameterValue', /maxResults/);
      // Above 1,000 EC2 answers 1,000 (botocore's documentation of DescribeSnapshots' MaxResults).
      const capped = await ec2().send(new DescribeSnapshotsCommand({ MaxResults: 5000 }));
      assert.equal(capped.Snapshots?.length, 1000);
      assert.ok(capped.NextToken);
      await rejects(ec2().send(new DescribeSnapshotsCommand({ MaxResults: 5, NextToken: 'garbage' })), 'InvalidPaginationToken');
    });

    it('copies a snapshot to another region (request sent to the destination)', async () => {
      const source = await ec2().send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-prod-1-data-2'] }] }),
      );
      const sourceId = source.Snapshots?.[0]?.SnapshotId ?? '';
      const copy = await ec2('us-west-2').send(
        new CopySnapshotCommand({
          SourceRegion: 'us-east-1',
          SourceSnapshotId: sourceId,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Name', Value: 'dr-copy' }] }],
        }),
      );
      const copyId = copy.SnapshotId ?? '';
      assert.match(copyId, /^snap-/);
      assert.deepEqual(copy.Tags, [{ Key: 'Name', Value: 'dr-copy' }]);
      const described = await completed(copyId, 'us-west-2');
      assert.equal(described.Description, `[Copied ${sourceId} from us-east-1]`);
      assert.equal(described.VolumeSize, 100);
      await rejects(ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: [copyId] })), 'InvalidSnapshot.NotFound');
      // A copy is a full one: it stores every block of the source.
      const ebsFull = await ebs('us-west-2').send(new ListSnapshotBlocksCommand({ SnapshotId: copyId }));
      assert.equal(sandbox.clouds.aws.storedBytes('us-west-2', copyId), (ebsFull.Blocks?.length ?? 0) * 512 * 1024);
      assert.deepEqual(
        ebsFull.Blocks?.map((b) => b.BlockIndex),
        sandbox.clouds.aws.state.blocks.nonZeroBlocks(sourceId),
      );
    });
  });

  describe('volumes', () => {
    it('creates a volume from a snapshot, creating then available', async () => {
      const source = await ec2().send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-prod-1-root-2'] }] }),
      );
      const snap = source.Snapshots?.[0];
      const out = await ec2().send(
        new CreateVolumeCommand({
          SnapshotId: snap?.SnapshotId,
          AvailabilityZone: 'us-east-1b',
          VolumeType: 'gp3',
          Iops: 4000,
          Throughput: 250,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'restored' }] }],
        }),
      );
      assert.equal(out.State, 'creating');
      assert.equal(out.Size, 8);
      assert.equal(out.SnapshotId, snap?.SnapshotId);
      assert.equal(out.Iops, 4000);
      assert.equal(out.Throughput, 250);
      const ready = await until(
        () => ec2().send(new DescribeVolumesCommand({ VolumeIds: [out.VolumeId ?? ''] })),
        (v) => v.Volumes?.[0]?.State === 'available',
      );
      assert.equal(ready.Volumes?.[0]?.Tags?.[0]?.Value, 'restored');
      // The restored volume's first snapshot is incremental against the source snapshot.
      sandbox.clouds.aws.writeMiB('us-east-1', out.VolumeId ?? '', 3);
      const first = await ec2().send(new CreateSnapshotCommand({ VolumeId: out.VolumeId }));
      assert.equal(sandbox.clouds.aws.storedBytes('us-east-1', first.SnapshotId ?? ''), 3 * MiB);

      await ec2().send(new DeleteVolumeCommand({ VolumeId: out.VolumeId }));
      await rejects(ec2().send(new DescribeVolumesCommand({ VolumeIds: [out.VolumeId ?? ''] })), 'InvalidVolume.NotFound');
    });

    it('refuses a size below the snapshot size, and checks its inputs', async () => {
      const source = await ec2().send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-prod-1-data-1'] }] }),
      );
      const snapId = source.Snapshots?.[0]?.SnapshotId;
      await rejects(
        ec2().send(new CreateVolumeCommand({ SnapshotId: snapId, Size: 50, AvailabilityZone: 'us-east-1a' })),
        'InvalidParameterValue',
        /smaller than snapshot/,
      );
      await rejects(ec2().send(new CreateVolumeCommand({ Size: 10 })), 'MissingParameter', /AvailabilityZone/);
      await rejects(
        ec2().send(new CreateVolumeCommand({ Size: 10, AvailabilityZone: 'us-west-2a' })),
        'InvalidParameterValue',
        /availability zone/,
      );
      await rejects(
        ec2().send(new CreateVolumeCommand({ Size: 10, AvailabilityZone: 'us-east-1a', VolumeType: 'io2' })),
        'MissingParameter',
      );
      await rejects(
        ec2().send(new CreateVolumeCommand({ SnapshotId: 'snap-0123456789abcdef0', AvailabilityZone: 'us-east-1a' })),
        'InvalidSnapshot.NotFound',
      );
    });

    it('refuses a volume from a snapshot that is still pending', async () => {
      const volumeId = await newVolume();
      const pending = await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      await rejects(
        ec2().send(new CreateVolumeCommand({ SnapshotId: pending.SnapshotId, AvailabilityZone: 'us-east-1a' })),
        'IncorrectState',
        /pending/,
      );
    });

    it('makes one volume per ClientToken', async () => {
      const input = { Size: 12, AvailabilityZone: 'us-east-1c', VolumeType: 'gp2' as const, ClientToken: 'retry-token-1' };
      const first = await ec2().send(new CreateVolumeCommand(input));
      const second = await ec2().send(new CreateVolumeCommand(input));
      assert.equal(second.VolumeId, first.VolumeId);
      const all = await ec2().send(new DescribeVolumesCommand({ Filters: [{ Name: 'size', Values: ['12'] }] }));
      assert.equal(all.Volumes?.length, 1);
      await rejects(ec2().send(new CreateVolumeCommand({ ...input, Size: 13 })), 'IdempotentParameterMismatch');
    });

    it('refuses to delete an attached volume', async () => {
      const web = await instanceNamed('web-prod-1');
      await rejects(
        ec2().send(new DeleteVolumeCommand({ VolumeId: rootVolumeId(web) })),
        'VolumeInUse',
        new RegExp(web.InstanceId ?? ''),
      );
    });
  });

  describe('images', () => {
    it('creates an image of an instance: pending until its snapshots complete', async () => {
      const batch = await instanceNamed('batch-worker');
      const out = await ec2().send(
        new CreateImageCommand({
          InstanceId: batch.InstanceId,
          Name: 'batch-worker-image',
          Description: 'both volumes',
          NoReboot: true,
          TagSpecifications: [
            { ResourceType: 'image', Tags: [{ Key: 'Name', Value: 'batch-image' }] },
            { ResourceType: 'snapshot', Tags: [{ Key: 'Part', Value: 'batch-image' }] },
          ],
        }),
      );
      const imageId = out.ImageId ?? '';
      const pending = await ec2().send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      const image = pending.Images?.[0];
      assert.equal(image?.State, 'pending');
      assert.equal(image?.BlockDeviceMappings?.length, 2);
      assert.deepEqual(image?.Tags, [{ Key: 'Name', Value: 'batch-image' }]);
      const snapIds = image?.BlockDeviceMappings?.map((m) => m.Ebs?.SnapshotId ?? '') ?? [];
      const snaps = await ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: snapIds }));
      for (const s of snaps.Snapshots ?? []) {
        assert.equal(s.Description, `Created by CreateImage(${batch.InstanceId}) for ${imageId}`);
        assert.deepEqual(s.Tags, [{ Key: 'Part', Value: 'batch-image' }]);
      }
      await until(
        () => ec2().send(new DescribeImagesCommand({ ImageIds: [imageId] })),
        (o) => o.Images?.[0]?.State === 'available',
      );
      const statuses = await ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: snapIds }));
      assert.ok(statuses.Snapshots?.every((s) => s.State === 'completed'));
      await rejects(
        ec2().send(new CreateImageCommand({ InstanceId: batch.InstanceId, Name: 'batch-worker-image' })),
        'InvalidAMIName.Duplicate',
      );
    });
  });

  describe('replace root volume', () => {
    it('restores the root volume from its own snapshot and refuses a foreign one', async () => {
      const region = 'us-west-2';
      const runner = await instanceNamed('build-runner', region);
      const oldRoot = rootVolumeId(runner);
      sandbox.clouds.aws.writeMiB(region, oldRoot, 2);
      const snap = await ec2(region).send(new CreateSnapshotCommand({ VolumeId: oldRoot }));
      const snapId = snap.SnapshotId ?? '';
      await completed(snapId, region);

      const db = await instanceNamed('db-primary', region);
      const foreignVolume = db.BlockDeviceMappings?.find((m) => m.DeviceName === '/dev/sdf')?.Ebs?.VolumeId ?? '';
      const foreign = await ec2(region).send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: [foreignVolume] }] }),
      );
      await rejects(
        ec2(region).send(
          new CreateReplaceRootVolumeTaskCommand({ InstanceId: runner.InstanceId, SnapshotId: foreign.Snapshots?.[0]?.SnapshotId }),
        ),
        'InvalidParameterValue',
        /lineage/,
      );

      const created = await ec2(region).send(
        new CreateReplaceRootVolumeTaskCommand({
          InstanceId: runner.InstanceId,
          SnapshotId: snapId,
          DeleteReplacedRootVolume: false,
          TagSpecifications: [{ ResourceType: 'replace-root-volume-task', Tags: [{ Key: 'Reason', Value: 'test' }] }],
        }),
      );
      const task = created.ReplaceRootVolumeTask;
      assert.equal(task?.TaskState, 'pending');
      assert.equal(task?.SnapshotId, snapId);
      assert.match(task?.ReplaceRootVolumeTaskId ?? '', /^replacevol-/);
      const seen = new Set<string>();
      const done = await until(
        () => ec2(region).send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [task?.ReplaceRootVolumeTaskId ?? ''] })),
        (o) => {
          seen.add(o.ReplaceRootVolumeTasks?.[0]?.TaskState ?? '');
          return o.ReplaceRootVolumeTasks?.[0]?.TaskState === 'succeeded';
        },
      );
      assert.ok(seen.has('in-progress'));
      assert.ok(done.ReplaceRootVolumeTasks?.[0]?.CompleteTime);

      const after = await instanceNamed('build-runner', region);
      const newRoot = rootVolumeId(after);
      assert.notEqual(newRoot, oldRoot);
      const volumes = await ec2(region).send(new DescribeVolumesCommand({ VolumeIds: [newRoot, oldRoot] }));
      const byId = new Map(volumes.Volumes?.map((v) => [v.VolumeId, v]));
      assert.equal(byId.get(newRoot)?.SnapshotId, snapId);
      assert.equal(byId.get(newRoot)?.State, 'in-use');
      assert.equal(byId.get(oldRoot)?.State, 'available');

      // A snapshot of the replaced volume's lineage is still acceptable; this time drop the old root.
      const again = await ec2(region).send(
        new CreateReplaceRootVolumeTaskCommand({ InstanceId: runner.InstanceId, SnapshotId: snapId, DeleteReplacedRootVolume: true }),
      );
      await until(
        () =>
          ec2(region).send(
            new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [again.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId ?? ''] }),
          ),
        (o) => o.ReplaceRootVolumeTasks?.[0]?.TaskState === 'succeeded',
      );
      await rejects(ec2(region).send(new DescribeVolumesCommand({ VolumeIds: [newRoot] })), 'InvalidVolume.NotFound');
    });

    it('refuses a stopped instance', async () => {
      const batch = await instanceNamed('batch-worker');
      await rejects(
        ec2().send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: batch.InstanceId })),
        'IncorrectState',
      );
    });
  });

  describe('tags', () => {
    it('round-trips hostile tag text exactly through XML', async () => {
      const volumeId = await newVolume();
      const hostile = `<img src=x onerror=alert(1)>&"'`;
      const odd = ` spaced ]]> &amp; ünïcödé 😀 line\r\nbreak `;
      await ec2().send(
        new CreateTagsCommand({
          Resources: [volumeId],
          Tags: [
            { Key: 'Name', Value: hostile },
            { Key: 'odd<key>', Value: odd },
          ],
        }),
      );
      const out = await ec2().send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'tag:Name', Values: [hostile] }] }),
      );
      assert.equal(out.Volumes?.length, 1);
      assert.deepEqual(out.Volumes?.[0]?.Tags, [
        { Key: 'Name', Value: hostile },
        { Key: 'odd<key>', Value: odd },
      ]);
      await ec2().send(new DeleteTagsCommand({ Resources: [volumeId], Tags: [{ Key: 'odd<key>' }] }));
      const after = await ec2().send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
      assert.deepEqual(after.Volumes?.[0]?.Tags, [{ Key: 'Name', Value: hostile }]);
      await rejects(
        ec2().send(new CreateTagsCommand({ Resources: [volumeId], Tags: [{ Key: 'aws:reserved', Value: 'x' }] })),
        'InvalidParameterValue',
      );
      await rejects(
        ec2().send(new CreateTagsCommand({ Resources: ['snap-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })),
        'InvalidSnapshot.NotFound',
      );
    });
  });

  describe('EBS direct APIs', () => {
    it('lists snapshot blocks and changed blocks matching the block model', async () => {
      const volumeId = await newVolume('us-east-1', 2);
      sandbox.clouds.aws.writeMiB('us-east-1', volumeId, 50);
      const first = await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      sandbox.clouds.aws.writeMiB('us-east-1', volumeId, 30);
      const second = await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      const firstId = first.SnapshotId ?? '';
      const secondId = second.SnapshotId ?? '';
      await completed(secondId);
      assert.equal(sandbox.clouds.aws.storedBytes('us-east-1', firstId), 50 * MiB);
      assert.equal(sandbox.clouds.aws.storedBytes('us-east-1', secondId), 30 * MiB);

      const blocks: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await ebs().send(new ListSnapshotBlocksCommand({ SnapshotId: firstId, MaxResults: 100, NextToken: token }));
        assert.equal(page.BlockSize, 512 * 1024);
        assert.equal(page.VolumeSize, 2);
        assert.ok(page.ExpiryTime instanceof Date);
        blocks.push(...(page.Blocks ?? []).map((b) => b.BlockIndex ?? -1));
        token = page.NextToken;
        pages++;
      } while (token);
      assert.equal(blocks.length, 100);
      assert.equal(pages, 1);
      assert.deepEqual(blocks, sandbox.clouds.aws.state.blocks.nonZeroBlocks(firstId));

      const changed = await ebs().send(new ListChangedBlocksCommand({ FirstSnapshotId: firstId, SecondSnapshotId: secondId }));
      const indices = (changed.ChangedBlocks ?? []).map((b) => b.BlockIndex);
      assert.equal(indices.length, 60);
      assert.deepEqual(indices, sandbox.clouds.aws.changedBlocks('us-east-1', firstId, secondId));
      for (const block of changed.ChangedBlocks ?? []) {
        assert.ok(block.SecondBlockToken);
      }

      const one = changed.ChangedBlocks?.[0];
      const data = await ebs().send(
        new GetSnapshotBlockCommand({ SnapshotId: secondId, BlockIndex: one?.BlockIndex, BlockToken: one?.SecondBlockToken }),
      );
      const bytes = await data.BlockData?.transformToByteArray();
      assert.equal(bytes?.length, 512 * 1024);
      assert.equal(data.Checksum, createHash('sha256').update(bytes ?? new Uint8Array()).digest('base64'));
    });

    it('answers EBS errors in its own shape', async () => {
      await rejects(ebs().send(new ListSnapshotBlocksCommand({ SnapshotId: 'snap-0123456789abcdef0' })), 'ResourceNotFoundException');
      const web = await ec2().send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-prod-1-root-1', 'web-prod-1-data-1'] }] }));
      const [a, b] = (web.Snapshots ?? []).map((s) => s.SnapshotId);
      await rejects(ebs().send(new ListChangedBlocksCommand({ FirstSnapshotId: a, SecondSnapshotId: b })), 'ValidationException');
      await rejects(ebs().send(new ListSnapshotBlocksCommand({ SnapshotId: a, MaxResults: 10 })), 'ValidationException');
    });
  });

  describe('authentication and faults', () => {
    it('refuses an unknown access key with AuthFailure (401)', async () => {
      const client = ec2('us-east-1', { credentials: { accessKeyId: 'AKIAEXAMPLEUNKNOWN00', secretAccessKey: 'x' } });
      const error = await rejects(client.send(new DescribeSnapshotsCommand({})), 'AuthFailure', /not able to validate/);
      assert.equal(error.$metadata?.httpStatusCode, 401);
    });

    it('refuses a bad signature', async () => {
      const client = ec2('us-east-1', {
        credentials: { accessKeyId: sandbox.info.aws.accessKeyId, secretAccessKey: 'not-the-sandbox-secret' },
      });
      const error = await rejects(client.send(new DescribeSnapshotsCommand({})), 'SignatureDoesNotMatch');
      assert.equal(error.$metadata?.httpStatusCode, 403);
      const ebsClient = new EBSClient({
        region: 'us-east-1',
        endpoint: sandbox.info.aws.endpoint,
        credentials: { accessKeyId: sandbox.info.aws.accessKeyId, secretAccessKey: 'wrong' },
        maxAttempts: 1,
      });
      await rejects(ebsClient.send(new ListSnapshotBlocksCommand({ SnapshotId: 'snap-0123456789abcdef0' })), 'InvalidSignatureException');
    });

    it('refuses a region the account has not opted in to', async () => {
      await rejects(ec2('af-south-1').send(new DescribeInstancesCommand({})), 'AuthFailure');
    });

    it('throttles with RequestLimitExceeded (503), only for the named actions', async () => {
      sandbox.setFaults({ next: { throttle: 1, actions: ['CreateSnapshot'] } });
      await ec2().send(new DescribeSnapshotsCommand({ MaxResults: 5 }));
      const volumeId = await newVolume();
      const error = await rejects(ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId })), 'RequestLimitExceeded');
      assert.equal(error.$metadata?.httpStatusCode, 503);
      await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      sandbox.setFaults({ next: { throttle: 1 } });
      await rejects(ebs().send(new ListSnapshotBlocksCommand({ SnapshotId: 'snap-0123456789abcdef0' })), 'RequestThrottledException');
    });

    it('fails with InternalError (500)', async () => {
      sandbox.setFaults({ next: { serverError: 1 } });
      const error = await rejects(ec2().send(new DescribeVolumesCommand({})), 'InternalError');
      assert.equal(error.$metadata?.httpStatusCode, 500);
      await ec2().send(new DescribeVolumesCommand({}));
    });

    it('drops the connection before handling', async () => {
      const volumeId = await newVolume();
      const before = sandbox.clouds.aws.counts().find((c) => c.region === 'us-east-1')?.snapshots;
      sandbox.setFaults({ next: { drop: 1 } });
      const error = await rejects(ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId })), 'TimeoutError');
      assert.equal(error.code, 'ECONNRESET');
      assert.equal(sandbox.clouds.aws.counts().find((c) => c.region === 'us-east-1')?.snapshots, before);
    });

    it('performs the action, then drops the connection (dropAfterCommit)', async () => {
      const volumeId = await newVolume();
      sandbox.setFaults({ next: { dropAfterCommit: 1 } });
      const error = await rejects(ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId })), 'TimeoutError');
      assert.equal(error.code, 'ECONNRESET');
      const made = await ec2().send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: [volumeId] }] }));
      assert.equal(made.Snapshots?.length, 1);
    });

    it('answers a truncated body: a parse error in the SDK', async () => {
      sandbox.setFaults({ next: { malformed: 1 } });
      const error = await rejects(ec2().send(new DescribeSnapshotsCommand({})), 'Error', /XML parse error/);
      assert.equal(error.$metadata?.httpStatusCode, 200);
      sandbox.setFaults({ next: { malformed: 1 } });
      await rejects(ebs().send(new ListSnapshotBlocksCommand({ SnapshotId: 'snap-0123456789abcdef0' })), 'SyntaxError');
    });

    it('visibilityLagMs: a new snapshot is missing from Describe by id and by filter until the lag has passed (EC2 eventual consistency)', async () => {
      const volumeId = await newVolume();
      sandbox.setFaults({ visibilityLagMs: 400 });
      const { SnapshotId } = await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId, TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'k', Value: 'lag' }] }] }));
      assert.ok(SnapshotId);
      await rejects(ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId] })), 'InvalidSnapshot.NotFound');
      const byTag = await ec2().send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:k', Values: ['lag'] }] }));
      assert.deepEqual(byTag.Snapshots, []);
      // Older resources (the seeded estate) stay visible.
      assert.ok(((await ec2().send(new DescribeVolumesCommand({}))).Volumes?.length ?? 0) > 0);
      const seen = await until(
        () => ec2().send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:k', Values: ['lag'] }] })),
        (out) => (out.Snapshots?.length ?? 0) > 0,
      );
      assert.equal(seen.Snapshots?.[0]?.SnapshotId, SnapshotId);
      assert.equal((await snapshot(SnapshotId)).SnapshotId, SnapshotId);
    });

    it('fails every request of a faulty region', async () => {
      sandbox.setFaults({
        regions: { 'eu-west-1': { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 } },
      });
      const error = await rejects(ec2('eu-west-1').send(new DescribeInstancesCommand({})), 'UnauthorizedOperation');
      assert.equal(error.$metadata?.httpStatusCode, 403);
      await ec2('us-east-1').send(new DescribeInstancesCommand({}));
    });

    it('answers RequestExpired when credentials have expired', async () => {
      sandbox.setFaults({ expired: true });
      const error = await rejects(ec2().send(new DescribeRegionsCommand({})), 'RequestExpired', /expired/);
      assert.equal(error.$metadata?.httpStatusCode, 400);
      await rejects(ebs().send(new ListSnapshotBlocksCommand({ SnapshotId: 'snap-0123456789abcdef0' })), 'ExpiredTokenException');
      sandbox.setFaults({});
      await ec2().send(new DescribeRegionsCommand({}));
    });

    it('delays requests by the configured latency', async () => {
      sandbox.setFaults({ latencyMs: 120 });
      const start = Date.now();
      await ec2().send(new DescribeRegionsCommand({}));
      assert.ok(Date.now() - start >= 110);
    });
  });
});
