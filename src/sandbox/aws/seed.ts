/**
 * The seeded AWS estate: the same ids, histories and sizes every time. Built through the state's
 * own operations with the clock set to past dates, so chains really are incremental.
 */
import { isEnabled } from './regions';
import { type AwsState, defaultKmsKey, OWNER_ID, type VolumeRecord } from './state';

const DAY = 24 * 60 * 60 * 1000;
/** Seeded history starts here (a Monday, 09:00 UTC). */
const EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);
/** Public AMIs the instances were launched from (not owned by the account). */
const PUBLIC_AMI = 'ami-0c02fb55956c7d316';
const PUBLIC_AMI_ARM = 'ami-0f9fc25dd2506cf6d';

/** The customer-managed KMS key the seeded database volume is encrypted with. */
export function kmsKeyFor(region: string): string {
  return `arn:aws:kms:${region}:${OWNER_ID}:key/1f2e3d4c-5b6a-4789-8abc-0123456789ab`;
}

/**
 * A chain of snapshots: before each one, write that many MiB. Each snapshot is `day` days after
 * EPOCH plus its position, completing a few minutes later.
 */
function chain(
  state: AwsState,
  volume: VolumeRecord,
  startDay: number,
  writes: number[],
  label: string,
  tags: { key: string; value: string }[] = [],
): string[] {
  const ids: string[] = [];
  writes.forEach((mib, i) => {
    const time = EPOCH + (startDay + i * 7) * DAY;
    const snap = state.at(time, () => {
      state.writeMiB(volume.region, volume.id, mib);
      return state.createSnapshot(volume.region, {
        volumeId: volume.id,
        description: `${label} #${i + 1}`,
        tagSpecs: [{ resourceType: 'snapshot', tags: [{ key: 'Name', value: `${label}-${i + 1}` }, ...tags] }],
      });
    });
    state.finishSnapshotAt(snap.id, time + (4 + i) * 60 * 1000);
    ids.push(snap.id);
  });
  return ids;
}

/** Seeds instances, volumes, snapshot chains and images into the first three enabled regions. */
export function seedEstate(state: AwsState): void {
  const regions = state.regions.filter(isEnabled).slice(0, 3);
  const [a, b, c] = regions.map((r) => r.name);
  const zone = (region: string, i: number) => {
    const zones = state.region(region)?.zones ?? [];
    return zones[i % zones.length];
  };

  if (a) {
    const env = [{ key: 'Environment', value: 'production' }, { key: 'Team', value: 'web' }];
    const web = state.at(EPOCH, () =>
      state.addInstance({
        region: a,
        zone: zone(a, 0),
        instanceType: 't3.medium',
        state: 'running',
        imageId: PUBLIC_AMI,
        name: 'web-prod-1',
        tags: env,
        volumes: [
          { device: '/dev/xvda', size: 8, volumeType: 'gp3', name: 'web-prod-1-root' },
          { device: '/dev/sdf', size: 100, volumeType: 'gp3', name: 'web-prod-1-data' },
        ],
      }),
    );
    const [root, data] = web.volumes;
    const rootSnaps = chain(state, root, 0, [1200, 40, 12], 'web-prod-1-root', env);
    // The golden AMI, registered from the root baseline: that snapshot is "in use".
    const ami = state.at(EPOCH + 1 * DAY, () =>
      state.registerImage(a, {
        name: 'web-base-2025-01',
        description: 'Web tier base image (Amazon Linux 2023, nginx)',
        rootDeviceName: '/dev/xvda',
        architecture: 'x86_64',
        virtualizationType: 'hvm',
        enaSupport: true,
        mappings: [{ deviceName: '/dev/xvda', snapshotId: rootSnaps[0], volumeType: 'gp3', deleteOnTermination: true }],
        tagSpecs: [{ resourceType: 'image', tags: [{ key: 'Name', value: 'web-base' }, ...env] }],
      }),
    );
    // The instance was relaunched from it, so its launch state is that AMI.
    web.instance.imageId = ami.id;
    const dataSnaps = chain(state, data, 1, [500, 120, 30, 75], 'web-prod-1-data', env);

    const batch = state.at(EPOCH + 2 * DAY, () =>
      state.addInstance({
        region: a,
        zone: zone(a, 1),
        instanceType: 'm5.large',
        state: 'stopped',
        imageId: PUBLIC_AMI,
        name: 'batch-worker',
        tags: [{ key: 'Team', value: 'data' }],
        volumes: [
          { device: '/dev/xvda', size: 8, volumeType: 'gp2', name: 'batch-worker-root' },
          { device: '/dev/sdg', size: 200, volumeType: 'st1', name: 'batch-worker-scratch' },
        ],
      }),
    );
    chain(state, batch.volumes[0], 2, [1100], 'batch-worker-root');
    chain(state, batch.volumes[1], 3, [800, 60], 'batch-worker-scratch');

    // A detached volume restored from the data chain, written to and snapshotted once.
    const restored = state.at(EPOCH + 20 * DAY, () =>
      state.createVolume(a, {
        availabilityZone: zone(a, 2),
        snapshotId: dataSnaps[1],
        volumeType: 'gp3',
        tagSpecs: [{ resourceType: 'volume', tags: [{ key: 'Name', value: 'web-data-restore-test' }] }],
      }),
    );
    restored.readyAt = restored.createTime;
    chain(state, restored, 21, [10], 'web-data-restore-test');
  }

  if (b) {
    const key = kmsKeyFor(b);
    const db = state.at(EPOCH + 3 * DAY, () =>
      state.addInstance({
        region: b,
        zone: zone(b, 0),
        instanceType: 'r6i.large',
        state: 'running',
        imageId: PUBLIC_AMI,
        name: 'db-primary',
        tags: [{ key: 'Environment', value: 'production' }, { key: 'Team', value: 'platform' }],
        volumes: [
          { device: '/dev/xvda', size: 8, volumeType: 'gp3', name: 'db-primary-root' },
          { device: '/dev/sdf', size: 500, volumeType: 'io2', iops: 16000, encrypted: true, kmsKeyId: key, name: 'db-primary-data' },
        ],
      }),
    );
    chain(state, db.volumes[0], 3, [1100, 20], 'db-primary-root');
    chain(state, db.volumes[1], 4, [2000, 300, 250, 180, 90], 'db-primary-data', [{ key: 'Backup', value: 'nightly' }]);

    const arm = state.at(EPOCH + 5 * DAY, () =>
      state.addInstance({
        region: b,
        zone: zone(b, 1),
        instanceType: 't4g.small',
        state: 'running',
        imageId: PUBLIC_AMI_ARM,
        architecture: 'arm64',
        name: 'build-runner',
        volumes: [{ device: '/dev/xvda', size: 8, volumeType: 'gp3', name: 'build-runner-root' }],
      }),
    );
    chain(state, arm.volumes[0], 5, [900], 'build-runner-root');
  }

  if (c) {
    const analytics = state.at(EPOCH + 6 * DAY, () =>
      state.addInstance({
        region: c,
        zone: zone(c, 0),
        instanceType: 'c6i.xlarge',
        state: 'running',
        imageId: PUBLIC_AMI,
        name: 'analytics-eu',
        tags: [{ key: 'Team', value: 'analytics' }],
        volumes: [
          { device: '/dev/xvda', size: 8, volumeType: 'gp3', name: 'analytics-eu-root' },
          { device: '/dev/sdf', size: 250, volumeType: 'gp3', encrypted: true, kmsKeyId: defaultKmsKey(c), name: 'analytics-eu-data' },
        ],
      }),
    );
    chain(state, analytics.volumes[0], 6, [1000, 25], 'analytics-eu-root');
    chain(state, analytics.volumes[1], 6, [700, 50, 20], 'analytics-eu-data');
    const imageTime = EPOCH + 30 * DAY;
    const image = state.at(imageTime, () =>
      state.createImage(c, {
        instanceId: analytics.instance.id,
        name: 'analytics-golden-2025-02',
        description: 'Analytics node, both volumes',
        noReboot: true,
        tagSpecs: [
          { resourceType: 'image', tags: [{ key: 'Name', value: 'analytics-golden' }] },
          { resourceType: 'snapshot', tags: [{ key: 'Name', value: 'analytics-golden-part' }] },
        ],
      }),
    );
    for (const m of image.mappings) {
      state.finishSnapshotAt(m.snapshotId, imageTime + 5 * 60 * 1000);
    }
    image.availableAt = imageTime + 6 * 60 * 1000;

    if (a) {
      // A disaster-recovery copy of the web root baseline.
      const source = state.describeSnapshots(a, { filters: [{ name: 'tag:Name', values: ['web-prod-1-root-1'] }] }).items[0];
      if (source) {
        const copyTime = EPOCH + 31 * DAY;
        const copy = state.at(copyTime, () =>
          state.copySnapshot(c, {
            sourceRegion: a,
            sourceSnapshotId: source.id,
            tagSpecs: [{ resourceType: 'snapshot', tags: [{ key: 'Name', value: 'web-root-dr-copy' }] }],
          }),
        );
        state.finishSnapshotAt(copy.id, copyTime + 10 * 60 * 1000);
      }
    }
  }
}
