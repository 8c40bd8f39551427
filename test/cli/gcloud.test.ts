/**
 * Google's own gcloud (Debian package `google-cloud-cli`, /usr/bin/gcloud) against the sandbox's
 * Compute Engine API, through a snapshot workflow. Every answer is checked against the sandbox's
 * own state (read in-process).
 */
import assert from 'node:assert/strict';
import { GCP_SEEDED } from '../../src/sandbox/gcp/backend';
import { type ClientResult, clientAt, clientSuite, jsonOf, sorted } from './client';

const GCLOUD = clientAt(
  process.env.SNAPKEEPER_GCLOUD ?? '/usr/bin/gcloud',
  "package google-cloud-cli from Google's apt repository, see cloud.google.com/sdk/docs/install",
);
const PROJECT = GCP_SEEDED.devProject;
/** Long enough that gcloud waits on its operations rather than finding them done. */
const TIMING = { operationMs: 300, diskMs: 1200, snapshotBaseMs: 1500, snapshotMsPerGiB: 0, snapshotMaxMs: 1500, deleteMs: 300, waitMaxMs: 500 };

describe('gcloud (Debian google-cloud-cli) against the sandbox', function () {
  this.timeout(90_000);
  const w = clientSuite(GCLOUD, 'the gcloud workflow', {
    tmpPrefix: 'snapkeeper-gcloud-',
    sandbox: { clouds: { gcp: { timing: TIMING } } },
    env: (sandbox, config) => ({
      HOME: config,
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${sandbox.info.gcp.endpoint}/compute/v1/`,
      CLOUDSDK_AUTH_ACCESS_TOKEN: sandbox.info.gcp.accessToken,
      CLOUDSDK_CORE_PROJECT: PROJECT,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    }),
  });

  function gcloud(...args: string[]): Promise<ClientResult> {
    return w.run(['compute', ...args, '--format=json']);
  }

  async function gcloudJson<T>(...args: string[]): Promise<T> {
    return jsonOf<T>(await gcloud(...args), `gcloud compute ${args.slice(0, 2).join(' ')}`);
  }

  // ---- the oracle: the sandbox's own records ------------------------------------------------

  const snapshotNames = () =>
    sorted([...w.sandbox.clouds.gcp.state.snapshots.values()].filter((s) => s.project === PROJECT).map((s) => s.name));
  const snapshotNamed = (name: string) =>
    [...w.sandbox.clouds.gcp.state.snapshots.values()].find((s) => s.project === PROJECT && s.name === name);
  const diskNamed = (name: string) =>
    [...w.sandbox.clouds.gcp.state.disks.values()].find((d) => d.project === PROJECT && d.name === name);

  it('snapshots list follows every page of a small page size', async () => {
    w.sandbox.clouds.gcp.setPageSize(3);
    try {
      const out = await gcloudJson<{ name: string }[]>('snapshots', 'list');
      assert.ok(out.length > 3, 'more than one page');
      assert.deepEqual(sorted(out.map((s) => s.name)), snapshotNames());
    } finally {
      w.sandbox.clouds.gcp.setPageSize(500);
    }
  });

  it('disks list (aggregated over every zone and region) lists every disk', async () => {
    const out = await gcloudJson<{ name: string }[]>('disks', 'list');
    const disks = [...w.sandbox.clouds.gcp.state.disks.values()].filter((d) => d.project === PROJECT).map((d) => d.name);
    assert.deepEqual(sorted(out.map((d) => d.name)), sorted(disks));
  });

  it('snapshots describe of a name that does not exist fails as not found', async () => {
    const result = await gcloud('snapshots', 'describe', 'no-such-snapshot');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /was not found/);
  });

  const disk = GCP_SEEDED.chainDisk.split('/').pop() ?? '';
  const zone = GCP_SEEDED.chainDisk.split('/')[3];

  it('snapshots create waits for the operation; the sandbox holds a READY snapshot of the disk', async () => {
    const result = await gcloud(
      'snapshots', 'create', 'cli-snap-1', '--source-disk', disk, '--source-disk-zone', zone,
      '--description', 'cli: nightly', '--labels', 'env=cli,owner=alice',
    );
    assert.equal(result.code, 0, result.stderr);
    const record = snapshotNamed('cli-snap-1');
    assert.ok(record, 'the sandbox holds the snapshot gcloud created');
    assert.equal(record.sourceDisk, GCP_SEEDED.chainDisk);
    assert.equal(record.description, 'cli: nightly');
    assert.deepEqual(record.labels, { env: 'cli', owner: 'alice' });
    assert.equal(w.sandbox.clouds.gcp.state.snapshotStatus(record), 'READY', 'gcloud returned once the operation was done');
  });

  it('disks create --source-snapshot restores it into another zone', async () => {
    const result = await gcloud('disks', 'create', 'cli-restored', '--zone', 'us-central1-b', '--source-snapshot', 'cli-snap-1');
    assert.equal(result.code, 0, result.stderr);
    const record = diskNamed('cli-restored');
    assert.ok(record, 'the sandbox holds the disk gcloud created');
    assert.equal(record.zone, 'us-central1-b');
    assert.equal(record.sourceSnapshot, `projects/${PROJECT}/global/snapshots/cli-snap-1`);
    assert.equal(record.sizeGb, snapshotNamed('cli-snap-1')?.diskSizeGb);
  });

  it('snapshots list --filter finds it by label', async () => {
    const out = await gcloudJson<{ name: string; labels: Record<string, string> }[]>('snapshots', 'list', '--filter', 'labels.env=cli');
    assert.deepEqual(out.map((s) => s.name), ['cli-snap-1']);
  });

  it('disks delete and snapshots delete remove exactly those', async () => {
    const before = snapshotNames();
    for (const args of [
      ['disks', 'delete', 'cli-restored', '--zone', 'us-central1-b', '--quiet'],
      ['snapshots', 'delete', 'cli-snap-1', '--quiet'],
    ]) {
      const result = await gcloud(...args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    }
    assert.equal(diskNamed('cli-restored'), undefined);
    assert.deepEqual(snapshotNames(), before.filter((n) => n !== 'cli-snap-1'));
  });
});
