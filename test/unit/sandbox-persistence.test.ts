/** The sandbox's state file, its control API and its command line. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { EBSClient, ListChangedBlocksCommand } from '@aws-sdk/client-ebs';
import { SANDBOX_KEY_HEADER, type Sandbox, startSandbox } from '../../src/sandbox';

const FAST = { snapshotBaseMs: 50, snapshotMsPerGiB: 0, snapshotMaxMs: 50, volumeMs: 20, imageMs: 20, taskMs: 100 };

function client(sandbox: Sandbox, region = 'us-east-1'): EC2Client {
  const { endpoint, accessKeyId, secretAccessKey } = sandbox.info.aws;
  return new EC2Client({ region, endpoint, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

async function control(sandbox: Sandbox, method: string, path: string, body?: unknown, key?: string) {
  const response = await fetch(`${sandbox.info.aws.endpoint}${path}`, {
    method,
    headers: { [SANDBOX_KEY_HEADER]: key ?? sandbox.info.aws.accessKeyId, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('sandbox persistence, control API and CLI', function () {
  this.timeout(20000);
  let dir: string;
  /** Whatever a test started, stopped even when the test fails (else mocha never exits). */
  const running: { close(): Promise<void> | void }[] = [];

  async function start(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
    const sandbox = await startSandbox(options);
    running.push(sandbox); // closing twice is harmless
    return sandbox;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-sandbox-'));
  });

  afterEach(async () => {
    for (const item of running.splice(0)) {
      await item.close();
    }
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves its state to statePath and reloads it', async () => {
    const statePath = join(dir, 'nested', 'state.json');
    const first = await start({ statePath, clouds: { aws: { timing: FAST } } });
    const ec2 = client(first);
    const volumes = first.clouds.aws.state.describeVolumes('us-east-1', {}).items;
    const volumeId = volumes[0].id;
    first.clouds.aws.writeMiB('us-east-1', volumeId, 9);
    const created = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const snapId = created.SnapshotId ?? '';
    await ec2.send(new CreateTagsCommand({ Resources: [snapId], Tags: [{ Key: 'Name', Value: 'kept <across> restarts' }] }));
    const stored = first.clouds.aws.storedBytes('us-east-1', snapId);
    assert.equal(stored, 9 * 1024 * 1024);
    const previous = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapId] }))).Snapshots?.[0];
    ec2.destroy();
    await first.close();
    assert.ok(existsSync(statePath));
    assert.ok(JSON.parse(readFileSync(statePath, 'utf8')).aws);

    const second = await start({ statePath, clouds: { aws: { timing: FAST } } });
    try {
      const again = client(second);
      const described = await again.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapId] }));
      const snap = described.Snapshots?.[0];
      assert.deepEqual(snap?.Tags, [{ Key: 'Name', Value: 'kept <across> restarts' }]);
      assert.equal(snap?.VolumeId, volumeId);
      assert.equal(snap?.StartTime?.getTime(), previous?.StartTime?.getTime());
      assert.equal(second.clouds.aws.storedBytes('us-east-1', snapId), stored);
      // The block model came back too: the EBS direct APIs still see the 18 changed blocks.
      await new Promise((r) => setTimeout(r, 60));
      const parent = second.clouds.aws.state.blocks.getSnapshot(snapId)?.parent ?? '';
      const { endpoint, accessKeyId, secretAccessKey } = second.info.aws;
      const ebs = new EBSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId, secretAccessKey } });
      const changed = await ebs.send(new ListChangedBlocksCommand({ FirstSnapshotId: parent, SecondSnapshotId: snapId }));
      assert.equal(changed.ChangedBlocks?.length, 18);
      ebs.destroy();
      again.destroy();
    } finally {
      await second.close();
    }
  });

  it('serves the control API behind the sandbox key header', async () => {
    const sandbox = await start({ clouds: { aws: { timing: FAST } } });
    try {
      const denied = await control(sandbox, 'GET', '/_sandbox/state-summary', undefined, 'wrong');
      assert.equal(denied.status, 403);

      const summary = await control(sandbox, 'GET', '/_sandbox/state-summary');
      assert.equal(summary.status, 200);
      const aws = summary.json.aws as { totals: { instances: number; snapshots: number }; regions: { region: string }[] };
      assert.ok(aws.totals.instances >= 5);
      assert.ok(aws.totals.snapshots >= 20);

      const volumeId = sandbox.clouds.aws.state.describeVolumes('us-east-1', {}).items[0].id;
      const writes = await control(sandbox, 'POST', '/_sandbox/aws/writes', { region: 'us-east-1', volumeId, mib: 50 });
      assert.deepEqual(writes.json, { blocksWritten: 100 });
      const bulk = await control(sandbox, 'POST', '/_sandbox/aws/bulk-snapshots', { region: 'us-east-1', volumeId, count: 3 });
      const ids = bulk.json.snapshotIds as string[];
      assert.equal(ids.length, 3);
      const facts = await control(sandbox, 'GET', `/_sandbox/aws/snapshots/${ids[0]}?region=us-east-1`);
      assert.equal(facts.json.storedBytes, 50 * 1024 * 1024);
      const bad = await control(sandbox, 'POST', '/_sandbox/aws/writes', { region: 'us-east-1', volumeId });
      assert.equal(bad.status, 400);
      const missing = await control(sandbox, 'POST', '/_sandbox/aws/writes', { region: 'us-east-1', volumeId: 'vol-0123456789abcdef0', mib: 1 });
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json.error, { code: 'InvalidVolume.NotFound', message: "The volume 'vol-0123456789abcdef0' does not exist." });

      const faults = await control(sandbox, 'PUT', '/_sandbox/faults', { next: { throttle: 1 } });
      assert.equal(faults.status, 200);
      const ec2 = client(sandbox);
      await assert.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'RequestLimitExceeded' });
      await ec2.send(new DescribeRegionsCommand({}));

      const regions = await control(sandbox, 'POST', '/_sandbox/aws/regions', { count: 20 });
      assert.equal((regions.json.regions as string[]).filter((r) => !['af-south-1', 'me-south-1'].includes(r)).length, 20);
      const listed = await ec2.send(new DescribeRegionsCommand({}));
      assert.equal(listed.Regions?.length, 20);
      ec2.destroy();
    } finally {
      await sandbox.close();
    }
  });

  it('starts with a given region list, seeding only the first three', async () => {
    const names = Array.from({ length: 20 }, (_, i) => (i < 4 ? ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'][i] : `sandbox-${i + 1}`));
    const sandbox = await start({ clouds: { aws: { regions: names, timing: FAST } } });
    try {
      const counts = sandbox.clouds.aws.counts();
      assert.equal(counts.length, 20);
      assert.deepEqual(
        counts.filter((c) => c.instances > 0).map((c) => c.region),
        ['us-east-1', 'us-west-2', 'eu-west-1'],
      );
      const unseeded = await start({ seed: false });
      assert.equal(unseeded.clouds.aws.counts().reduce((n, c) => n + c.instances + c.snapshots, 0), 0);
      await unseeded.close();
    } finally {
      await sandbox.close();
    }
  });

  it('runs from the command line, prints one JSON line and exits 0 on SIGTERM', async () => {
    const cli = resolve(__dirname, '..', '..', 'sandbox-cli.js');
    const statePath = join(dir, 'cli-state.json');
    const child = spawn(process.execPath, [cli, '--json', '--port', '0', '--state', statePath, '--regions', '5'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running.push({ close: () => void (child.exitCode === null && child.kill('SIGKILL')) });
    const line = await new Promise<string>((resolveLine, reject) => {
      createInterface({ input: child.stdout }).once('line', resolveLine);
      child.once('error', reject);
    });
    const info = JSON.parse(line) as { aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string } };
    assert.deepEqual(Object.keys(info.aws), ['endpoint', 'region', 'accessKeyId', 'secretAccessKey']);
    const ec2 = new EC2Client({ region: info.aws.region, endpoint: info.aws.endpoint, credentials: info.aws });
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    assert.equal(regions.Regions?.length, 5);
    ec2.destroy();
    const code = await new Promise<number | null>((resolveExit) => {
      child.once('exit', resolveExit);
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
    assert.ok(existsSync(statePath));
  });
});
