/**
 * The Google Cloud sandbox's seeded estate (two projects, VMs with boot and data disks, a
 * regional disk, snapshot chains, an ARCHIVE snapshot, images with a family, a machine image)
 * and the benchmark estates.
 */
import { DEV_PROJECT, diskPath, type GcpState, type Location, PROD_PROJECT } from './state';

const DAY = 24 * 60 * 60 * 1000;

const DEV = DEV_PROJECT;
const PROD = PROD_PROJECT;
const zonal = (project: string, zone: string, name: string) => diskPath(project, { zone }, name);

/** Paths of the seeded resources the tests and docs refer to. */
export const SEEDED = {
  devProject: DEV,
  prodProject: PROD,
  /** Running VM in us-central1-a: boot disk web-1, data disk web-1-data (with a snapshot schedule). */
  webInstance: `projects/${DEV}/zones/us-central1-a/instances/web-1`,
  webBootDisk: zonal(DEV, 'us-central1-a', 'web-1'),
  /** The chain: web-1-data-snap-1..3 store 200, 50 and 20 MiB; 10 MiB written since. */
  chainDisk: zonal(DEV, 'us-central1-a', 'web-1-data'),
  chainSnapshots: [1, 2, 3].map((n) => `projects/${DEV}/global/snapshots/web-1-data-snap-${n}`),
  archiveSnapshot: `projects/${DEV}/global/snapshots/web-1-boot-archive`,
  scratchDisk: zonal(DEV, 'us-central1-a', 'scratch-1'),
  /** Stopped VM in us-central1-b. */
  dbInstance: `projects/${DEV}/zones/us-central1-b/instances/db-1`,
  dbDataDisk: zonal(DEV, 'us-central1-b', 'db-1-data'),
  /** Regional disk in us-central1 (replicas in -a and -f). */
  regionalDisk: `projects/${DEV}/regions/us-central1/disks/shared-data`,
  /** Windows VM (guest flush supported) in us-central1-f. */
  winInstance: `projects/${DEV}/zones/us-central1-f/instances/win-1`,
  machineImage: `projects/${DEV}/global/machineImages/web-1-machine-image`,
  imageFamily: 'web-base',
  images: [`projects/${DEV}/global/images/web-base-v1`, `projects/${DEV}/global/images/web-base-v2`],
  resourcePolicy: `projects/${DEV}/regions/us-central1/resourcePolicies/daily-backup`,
  prodInstance: `projects/${PROD}/zones/us-east1-b/instances/app-prod-1`,
} as const;

/** Makes every record created so far READY, created `ageDays` ago (so nothing is still running). */
function settle(state: GcpState, names: { path: string; ageDays: number }[]): void {
  const now = state.now();
  for (const { path, ageDays } of names) {
    const record = state.disks.get(path) ?? state.snapshots.get(path) ?? state.images.get(path) ?? state.machineImages.get(path);
    if (!record) {
      continue;
    }
    const created = now - ageDays * DAY;
    record.createdAt = created;
    record.readyAt = created + 60000;
    if ('uploadAt' in record) {
      record.uploadAt = created + 30000;
    }
  }
}

function disk(state: GcpState, project: string, where: Location, name: string, spec: { sizeGb: number; type: string; writeMiB?: number; labels?: Record<string, string>; extra?: Record<string, unknown> }): string {
  state.insertDisk(project, where, { name, sizeGb: String(spec.sizeGb), type: spec.type, labels: spec.labels, ...spec.extra }, { seedText: `${project}/${name}` });
  const path = diskPath(project, where, name);
  const record = state.disk(path);
  record.readyAt = state.now() - 1;
  if (spec.writeMiB) {
    state.writeMiB(path, spec.writeMiB);
  }
  return path;
}

function snapshot(state: GcpState, project: string, diskPathValue: string, name: string, input: Record<string, unknown> = {}): string {
  state.createSnapshot(project, diskPathValue, { name, ...input }, { completed: true, seedText: `${project}/snapshot/${name}${input.scheduled ? '#scheduled' : ''}` });
  return `projects/${project}/global/snapshots/${name}`;
}

export function seedGcp(state: GcpState): void {
  state.addProject(DEV, 'Snapkeeper Dev');
  state.addProject(PROD, 'Snapkeeper Prod');
  const now = state.now();
  state.resourcePolicies.set(SEEDED.resourcePolicy, {
    path: SEEDED.resourcePolicy,
    id: '4416221771583617215',
    description: 'Daily snapshots at 04:00, kept 14 days',
    createdAt: now - 90 * DAY,
  });
  const settled: { path: string; ageDays: number }[] = [];
  const at = (path: string, ageDays: number) => {
    settled.push({ path, ageDays });
    return path;
  };

  // ---- dev, us-central1-a: web-1 (running), its chain, an archive snapshot, a scratch disk
  const a = { zone: 'us-central1-a' };
  at(disk(state, DEV, a, 'web-1', { sizeGb: 20, type: 'pd-balanced', writeMiB: 600, labels: { app: 'web', env: 'dev' }, extra: { guestOsFeatures: [{ type: 'VIRTIO_SCSI_MULTIQUEUE' }, { type: 'UEFI_COMPATIBLE' }, { type: 'GVNIC' }] } }), 60);
  at(disk(state, DEV, a, 'web-1-data', { sizeGb: 100, type: 'pd-ssd', labels: { app: 'web', env: 'dev' }, extra: { resourcePolicies: [SEEDED.resourcePolicy] } }), 60);
  state.addInstance(DEV, 'us-central1-a', 'web-1', {
    machineType: 'e2-medium',
    running: true,
    disks: [{ disk: SEEDED.webBootDisk, boot: true, deviceName: 'web-1' }, { disk: SEEDED.chainDisk, deviceName: 'data' }],
    labels: { app: 'web', env: 'dev' },
    seedText: 'web-1',
  });
  state.writeMiB(SEEDED.chainDisk, 200);
  at(snapshot(state, DEV, SEEDED.chainDisk, 'web-1-data-snap-1', { labels: { app: 'web' }, storageLocations: ['us'] }), 21);
  state.writeMiB(SEEDED.chainDisk, 50);
  at(snapshot(state, DEV, SEEDED.chainDisk, 'web-1-data-snap-2', { labels: { app: 'web' }, storageLocations: ['us'], scheduled: true }), 14);
  state.writeMiB(SEEDED.chainDisk, 20);
  at(snapshot(state, DEV, SEEDED.chainDisk, 'web-1-data-snap-3', { labels: { app: 'web' }, storageLocations: ['us-central1'], chainName: 'web-data' }), 7);
  state.writeMiB(SEEDED.chainDisk, 10);
  at(snapshot(state, DEV, SEEDED.webBootDisk, 'web-1-boot-snap-1', { storageLocations: ['us'] }), 30);
  at(snapshot(state, DEV, SEEDED.webBootDisk, 'web-1-boot-archive', { snapshotType: 'ARCHIVE', storageLocations: ['us'], description: 'Quarterly archive' }), 45);
  at(disk(state, DEV, a, 'scratch-1', { sizeGb: 50, type: 'pd-standard', writeMiB: 16, labels: { purpose: 'scratch' } }), 10);

  // ---- dev, us-central1-b: db-1 (stopped)
  const b = { zone: 'us-central1-b' };
  at(disk(state, DEV, b, 'db-1', { sizeGb: 50, type: 'pd-ssd', writeMiB: 300, extra: { guestOsFeatures: [{ type: 'VIRTIO_SCSI_MULTIQUEUE' }] } }), 120);
  at(
    disk(state, DEV, b, 'db-1-data', {
      sizeGb: 200,
      type: 'pd-ssd',
      writeMiB: 120,
      labels: { app: 'db' },
      // Encrypted with a customer-managed key (its snapshots say so in snapshotEncryptionKey).
      extra: { diskEncryptionKey: { kmsKeyName: `projects/${DEV}/locations/us-central1/keyRings/snapkeeper/cryptoKeys/db-disks/cryptoKeyVersions/1` } },
    }),
    120,
  );
  state.addInstance(DEV, 'us-central1-b', 'db-1', {
    machineType: 'n2-standard-8',
    running: false,
    disks: [{ disk: zonal(DEV, 'us-central1-b', 'db-1'), boot: true }, { disk: SEEDED.dbDataDisk, deviceName: 'db-data' }],
    labels: { app: 'db' },
    seedText: 'db-1',
  });
  at(snapshot(state, DEV, SEEDED.dbDataDisk, 'db-1-data-snap-1', { labels: { app: 'db' } }), 5);

  // ---- dev, regional disk in us-central1 (unattached) with a snapshot in a regional location
  at(
    disk(state, DEV, { region: 'us-central1' }, 'shared-data', {
      sizeGb: 200,
      type: 'pd-balanced',
      writeMiB: 64,
      extra: { replicaZones: ['projects/snapkeeper-dev/zones/us-central1-a', 'projects/snapkeeper-dev/zones/us-central1-f'] },
    }),
    40,
  );
  at(snapshot(state, DEV, SEEDED.regionalDisk, 'shared-data-snap-1', { storageLocations: ['us-central1'] }), 3);

  // ---- dev, us-central1-f: win-1 (Windows: guest flush works)
  at(disk(state, DEV, { zone: 'us-central1-f' }, 'win-1', { sizeGb: 64, type: 'pd-balanced', writeMiB: 900, extra: { guestOsFeatures: [{ type: 'WINDOWS' }, { type: 'VIRTIO_SCSI_MULTIQUEUE' }, { type: 'MULTI_IP_SUBNET' }] } }), 50);
  state.addInstance(DEV, 'us-central1-f', 'win-1', { machineType: 'e2-standard-4', running: true, disks: [{ disk: zonal(DEV, 'us-central1-f', 'win-1'), boot: true }], labels: { os: 'windows' }, seedText: 'win-1' });

  // ---- dev, europe-west1-b: eu-app-1 (running) with a snapshot in "eu"
  at(disk(state, DEV, { zone: 'europe-west1-b' }, 'eu-app-1', { sizeGb: 30, type: 'pd-balanced', writeMiB: 250 }), 20);
  state.addInstance(DEV, 'europe-west1-b', 'eu-app-1', { machineType: 'e2-medium', running: true, disks: [{ disk: zonal(DEV, 'europe-west1-b', 'eu-app-1'), boot: true }], seedText: 'eu-app-1' });
  at(snapshot(state, DEV, zonal(DEV, 'europe-west1-b', 'eu-app-1'), 'eu-app-1-snap-1', { storageLocations: ['eu'] }), 2);

  // ---- dev: a snapshot whose disk was deleted
  const old = disk(state, DEV, a, 'old-app', { sizeGb: 10, type: 'pd-standard', writeMiB: 40 });
  at(snapshot(state, DEV, old, 'old-app-snap', { description: 'Before decommissioning old-app' }), 200);
  state.disks.delete(old);
  state.blocks.deleteDisk(state.snapshot(`projects/${DEV}/global/snapshots/old-app-snap`).sourceDiskId as string);

  // ---- dev: images (family web-base) and a machine image of web-1
  state.insertImage(DEV, { name: 'web-base-v1', family: SEEDED.imageFamily, sourceSnapshot: 'global/snapshots/web-1-boot-snap-1', labels: { family: 'web-base' } }, { seedText: 'image/web-base-v1' });
  at(SEEDED.images[0], 29);
  state.insertImage(DEV, { name: 'web-base-v2', family: SEEDED.imageFamily, sourceDisk: zonal(DEV, 'us-central1-b', 'db-1'), description: 'From the stopped db-1 boot disk' }, { seedText: 'image/web-base-v2' });
  at(SEEDED.images[1], 4);
  state.insertMachineImage(DEV, { name: 'web-1-machine-image', sourceInstance: SEEDED.webInstance, labels: { app: 'web' } }, { seedText: 'machine-image/web-1' });
  at(SEEDED.machineImage, 8);

  // ---- prod, us-east1-b: app-prod-1 (running) with a data snapshot; asia-east1-a: an archived disk
  const east = { zone: 'us-east1-b' };
  at(disk(state, PROD, east, 'app-prod-1', { sizeGb: 50, type: 'pd-balanced', writeMiB: 400, labels: { env: 'prod' } }), 300);
  at(disk(state, PROD, east, 'app-prod-1-data', { sizeGb: 500, type: 'pd-ssd', writeMiB: 1024, labels: { env: 'prod' } }), 300);
  state.addInstance(PROD, 'us-east1-b', 'app-prod-1', {
    machineType: 'n2-standard-8',
    running: true,
    disks: [{ disk: zonal(PROD, 'us-east1-b', 'app-prod-1'), boot: true }, { disk: zonal(PROD, 'us-east1-b', 'app-prod-1-data'), deviceName: 'data' }],
    labels: { env: 'prod' },
    seedText: 'app-prod-1',
  });
  at(snapshot(state, PROD, zonal(PROD, 'us-east1-b', 'app-prod-1-data'), 'app-prod-1-data-snap-1', { labels: { env: 'prod' } }), 1);
  const asia = disk(state, PROD, { zone: 'asia-east1-a' }, 'asia-archive', { sizeGb: 100, type: 'pd-standard', writeMiB: 80 });
  at(asia, 400);
  at(snapshot(state, PROD, asia, 'asia-archive-2026', { snapshotType: 'ARCHIVE', storageLocations: ['asia'] }), 100);

  settle(state, settled);
  for (const vm of state.instances.values()) {
    vm.createdAt = now - 60 * DAY;
    vm.lastStartAt = now - 6 * DAY;
    if (vm.power === 'TERMINATED') {
      vm.lastStopAt = now - 2 * DAY;
    }
  }
  // The seed's own operations are not history anyone asked for.
  state.operations.clear();
  state.touch();
}

/** Without the estate: the two projects, empty. */
export function emptyGcp(state: GcpState): void {
  state.addProject(DEV, 'Snapkeeper Dev');
  state.addProject(PROD, 'Snapkeeper Prod');
}

/**
 * Benchmarks: exactly `count` projects (the seeded ones first, then snapkeeper-bench-N), each
 * with a disk bench-disk in us-central1-a and `snapshotsEach` READY snapshots of it.
 * Returns the project ids.
 */
export function benchmarkProjects(state: GcpState, count: number, snapshotsEach: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    throw new TypeError('count must be a whole number between 1 and 500');
  }
  if (!Number.isInteger(snapshotsEach) || snapshotsEach < 0 || snapshotsEach > 100000) {
    throw new TypeError('snapshotsEach must be a whole number between 0 and 100000');
  }
  state.trimProjects(count);
  for (let i = state.projects.length; i < count; i++) {
    state.addProject(`snapkeeper-bench-${i + 1}`, `Snapkeeper Bench ${i + 1}`);
  }
  for (const project of state.projects) {
    const path = zonal(project.id, 'us-central1-a', 'bench-disk');
    if (!state.disks.has(path)) {
      disk(state, project.id, { zone: 'us-central1-a' }, 'bench-disk', { sizeGb: 64, type: 'pd-balanced', writeMiB: 8, labels: { purpose: 'benchmark' } });
    }
    const have = [...state.snapshots.values()].filter((s) => s.sourceDisk === path).length;
    if (have < snapshotsEach) {
      state.bulkSnapshots(path, snapshotsEach - have);
    }
  }
  // Bench operations would only crowd the operation lists.
  for (const [name, op] of state.operations) {
    if (op.targetLink.endsWith('/bench-disk')) {
      state.operations.delete(name);
    }
  }
  state.touch();
  return state.projects.map((p) => p.id);
}
