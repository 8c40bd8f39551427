/**
 * The OpenStack sandbox's seeded estate: two regions (RegionOne, RegionTwo), one project and user
 * (password and application credential), flavors, networks, key pairs, public base images, and in
 * RegionOne a boot-from-image server with two instance snapshots, a boot-from-volume server with a
 * data volume, volume snapshots, a backup chain (full + two incrementals storing different
 * amounts), a detached volume with a hostile name, and other images the project owns; RegionTwo a
 * stopped server. Ids are stable UUIDs, so `OPENSTACK_SEEDED` names them for tests and docs.
 */
import { BLOCK_SIZE } from '../blocks';
import { GIB } from '../state-kit';
import { type ImageRecord, type OsState, uuidFrom } from './state';

const DAY = 24 * 60 * 60 * 1000;
const id = (name: string) => uuidFrom(`snapkeeper-sandbox-openstack/${name}`);

/** Ids, names and credentials of the seeded resources the tests and docs refer to. */
export const SEEDED = {
  regions: ['RegionOne', 'RegionTwo'],
  domain: { id: 'default', name: 'Default' },
  projectId: id('project/snapkeeper'),
  projectName: 'snapkeeper-demo',
  userId: id('user/demo'),
  userName: 'demo',
  password: 'snapkeeper-sandbox-openstack-password-not-a-real-secret',
  applicationCredentialId: id('appcred/snapkeeper'),
  applicationCredentialName: 'snapkeeper-sandbox',
  applicationCredentialSecret: 'snapkeeper-sandbox-openstack-app-secret-not-a-real-secret',
  flavors: { small: id('flavor/m1.small'), medium: id('flavor/m1.medium') },
  networks: { one: id('net/private-one'), two: id('net/private-two') },
  keypair: 'snapkeeper-key',
  /** Public base images (owned by the admin project). */
  baseImages: { ubuntu: id('image/ubuntu-24.04'), debian: id('image/debian-12') },
  /** RegionOne, ACTIVE, boot from image (ubuntu): local root disk; two instance snapshots. */
  webServer: id('server/web-1'),
  webSnapshots: [id('image/web-1-before-upgrade'), id('image/web-1-after-upgrade')],
  /** RegionOne, ACTIVE, boot from volume: root volume db-1-root and data volume db-1-data. */
  dbServer: id('server/db-1'),
  dbRootVolume: id('volume/db-1-root'),
  dbDataVolume: id('volume/db-1-data'),
  /** Snapshots of db-1-data (the second is the latest). */
  dbDataSnapshots: [id('snapshot/db-1-data-1'), id('snapshot/db-1-data-2')],
  /** Backups of db-1-data: full, then two incrementals (200, 40, 8 MiB changed). */
  backupChain: [id('backup/db-1-data-full'), id('backup/db-1-data-incr-1'), id('backup/db-1-data-incr-2')],
  backupChainMiB: [200, 40, 8],
  /** Detached volume (its name is hostile markup) with one snapshot. */
  detachedVolume: id('volume/scratch'),
  detachedVolumeName: 'scratch <img src=x onerror=alert(1)>',
  detachedSnapshot: id('snapshot/scratch-1'),
  /** An image the project uploaded itself (not an instance snapshot). */
  projectImage: id('image/golden-app'),
  /** RegionTwo, SHUTOFF, boot from image (debian). */
  edgeServer: id('server/edge-1'),
  adminProjectId: id('project/admin'),
} as const;

/** What the account sees before it has anything: identity, regions, flavors, networks, key pairs, the public images. */
export function emptyOpenStack(state: OsState): void {
  const S = SEEDED;
  state.regions = [...S.regions];
  state.projects = [
    { id: S.projectId, name: S.projectName, domain: { ...S.domain } },
    { id: S.adminProjectId, name: 'admin', domain: { ...S.domain } },
  ];
  state.users = [
    { id: S.userId, name: S.userName, domain: { ...S.domain }, password: S.password, roles: [{ id: id('role/member'), name: 'member' }, { id: id('role/reader'), name: 'reader' }] },
  ];
  state.appCredentials = [{ id: S.applicationCredentialId, name: S.applicationCredentialName, secret: S.applicationCredentialSecret, userId: S.userId, projectId: S.projectId }];
  state.flavors = [
    { id: S.flavors.small, name: 'm1.small', vcpus: 1, ramMiB: 2048, diskGiB: 20 },
    { id: S.flavors.medium, name: 'm1.medium', vcpus: 2, ramMiB: 4096, diskGiB: 40 },
  ];
  state.networks = [
    { id: S.networks.one, name: 'private', region: 'RegionOne', cidr: '10.0.0.0/24' },
    { id: S.networks.two, name: 'private', region: 'RegionTwo', cidr: '10.1.0.0/24' },
  ];
  const publicKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISnapkeeperSandboxKeyNotARealKey snapkeeper@sandbox';
  state.keypairs = S.regions.map((region) => ({ name: S.keypair, region, publicKey, fingerprint: 'SHA256:c25hcGtlZXBlci1zYW5kYm94LWtleQ', createdAt: state.now() - 90 * DAY }));
  for (const region of S.regions) {
    baseImage(state, region === 'RegionOne' ? S.baseImages.ubuntu : id(`image/ubuntu-24.04/${region}`), 'ubuntu-24.04', region, 600);
    baseImage(state, region === 'RegionOne' ? S.baseImages.debian : id(`image/debian-12/${region}`), 'debian-12', region, 450);
  }
}

/** A public image with `mib` MiB of data (a full block-model copy of a scratch disk). */
function baseImage(state: OsState, imageId: string, name: string, region: string, mib: number): ImageRecord {
  const scratch = `seed-scratch/${imageId}`;
  state.blocks.createDisk(scratch, (10 * GIB) / BLOCK_SIZE);
  state.blocks.writeMiB(scratch, mib);
  const blockId = `image/${imageId}`;
  state.blocks.fullSnapshot(scratch, blockId);
  state.blocks.deleteDisk(scratch);
  return state.at(state.now() - 120 * DAY, () =>
    state.addImage(
      {
        id: imageId,
        name,
        region,
        owner: SEEDED.adminProjectId,
        visibility: 'public',
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        sizeBytes: state.blocks.fullBytes(blockId),
        minDisk: 10,
        minRam: 0,
        blockId,
        tags: [],
        properties: { os_distro: name.split('-')[0], hw_disk_bus: 'virtio' },
        protected: true,
      },
      true,
    ),
  );
}

/** Runs `action` at `time`, then lets every status step it started end (the seed leaves nothing moving). */
function settled<T>(state: OsState, time: number, action: () => T): T {
  const result = state.at(time, action);
  state.at(time + 60 * 60 * 1000, () => state.sweep());
  return result;
}

/** Gives the newest record of a map a stable id. */
function rekey<T extends { id: string }>(map: Map<string, T>, from: string, to: string): T {
  const record = map.get(from);
  if (!record) {
    throw new Error(`seed: no record ${from}`);
  }
  map.delete(from);
  record.id = to;
  map.set(to, record);
  return record;
}

export function seedOpenStack(state: OsState): void {
  emptyOpenStack(state);
  const S = SEEDED;
  const ago = (days: number) => state.now() - days * DAY;

  // web-1: boot from image, local root disk; two instance snapshots with writes between them.
  settled(state, ago(60), () =>
    state.createServer({ id: S.webServer, region: 'RegionOne', name: 'web-1', imageId: S.baseImages.ubuntu, flavorId: S.flavors.small, networkId: S.networks.one, keyName: S.keypair, metadata: { role: 'web' } }),
  );
  state.writeMiB(S.webServer, 300);
  for (const [index, imageId] of S.webSnapshots.entries()) {
    const image = settled(state, ago(30 - index * 20), () => state.createServerImage(S.webServer, 'RegionOne', index === 0 ? 'web-1-before-upgrade' : 'web-1-after-upgrade', {}));
    rekey(state.images, image.id, imageId);
    state.writeMiB(S.webServer, 120);
  }

  // db-1: boot from volume (root volume from the debian image), with a data volume.
  settled(state, ago(50), () => {
    state.createVolume({ id: S.dbRootVolume, region: 'RegionOne', name: 'db-1-root', imageId: S.baseImages.debian, sizeGiB: 20, az: 'nova' });
    state.createVolume({ id: S.dbDataVolume, region: 'RegionOne', name: 'db-1-data', sizeGiB: 50, volumeType: 'ssd', az: 'nova', metadata: { purpose: 'postgres' } });
  });
  state.at(ago(50), () => {
    const now = state.now();
    state.servers.set(S.dbServer, {
      id: S.dbServer,
      name: 'db-1',
      region: 'RegionOne',
      az: 'nova',
      status: 'ACTIVE',
      flavorId: S.flavors.medium,
      imageId: '',
      rootVolumeId: S.dbRootVolume,
      keyName: S.keypair,
      networkId: S.networks.one,
      address: '10.0.0.21',
      metadata: { role: 'database' },
      createdAt: now,
      updatedAt: now,
    });
  });
  for (const [volumeId, device] of [
    [S.dbRootVolume, '/dev/vda'],
    [S.dbDataVolume, '/dev/vdb'],
  ] as const) {
    const volume = state.volumes.get(volumeId);
    if (volume) {
      volume.status = 'in-use';
      volume.attachment = { serverId: S.dbServer, device, attachedAt: ago(50) };
    }
  }
  state.writeMiB(S.dbRootVolume, 100);
  for (const [index, mib] of S.backupChainMiB.entries()) {
    state.writeMiB(S.dbDataVolume, mib);
    const backup = settled(state, ago(40 - index * 10), () =>
      state.createBackup({ region: 'RegionOne', volumeId: S.dbDataVolume, name: `db-1-data-${index === 0 ? 'full' : `incr-${index}`}`, incremental: index > 0, force: true }),
    );
    rekey(state.backups, backup.id, S.backupChain[index]);
  }
  for (const [index, snapId] of S.dbDataSnapshots.entries()) {
    state.writeMiB(S.dbDataVolume, 30);
    const snap = settled(state, ago(8 - index * 4), () => state.createSnapshot({ region: 'RegionOne', volumeId: S.dbDataVolume, name: `db-1-data-snap-${index + 1}`, force: true, microversion: 0 }));
    rekey(state.snapshots, snap.id, snapId);
  }

  // A detached volume with a hostile name and a snapshot.
  settled(state, ago(20), () => {
    state.createVolume({ id: S.detachedVolume, region: 'RegionOne', name: S.detachedVolumeName, description: '"><script>alert(1)</script>', sizeGiB: 10, az: 'nova' });
  });
  state.writeMiB(S.detachedVolume, 64);
  const scratchSnap = settled(state, ago(19), () => state.createSnapshot({ region: 'RegionOne', volumeId: S.detachedVolume, name: 'scratch-1 ${jndi:ldap://x}', microversion: 0 }));
  rekey(state.snapshots, scratchSnap.id, S.detachedSnapshot);

  // An image the project uploaded (from the detached volume).
  const golden = settled(state, ago(15), () => state.uploadVolumeImage(S.detachedVolume, 'RegionOne', 'golden-app'));
  rekey(state.images, golden.id, S.projectImage);
  golden.tags = ['golden', 'app'];

  // RegionTwo: a stopped server booted from debian.
  const edge = settled(state, ago(10), () =>
    state.createServer({ id: S.edgeServer, region: 'RegionTwo', name: 'edge-1', imageId: id('image/debian-12/RegionTwo'), flavorId: S.flavors.small, networkId: S.networks.two, keyName: S.keypair }),
  );
  edge.status = 'SHUTOFF';
  state.tokens.clear();
  state.touch();
}

/**
 * Regions beyond the seeded two (benchmarks, a larger estate): each gets a network `private`, the
 * key pair and the public base images, like RegionTwo. Regions already there are left alone.
 */
export function addRegions(state: OsState, names: readonly string[]): void {
  for (const [index, region] of names.entries()) {
    if (state.regions.includes(region)) {
      continue;
    }
    // In place: the HTTP side reads the same array.
    state.regions.push(region);
    state.networks.push({ id: id(`net/private/${region}`), name: 'private', region, cidr: `10.${10 + index}.0.0/24` });
    const [keypair] = state.keypairs;
    if (keypair) {
      state.keypairs.push({ ...keypair, region });
    }
    baseImage(state, id(`image/ubuntu-24.04/${region}`), 'ubuntu-24.04', region, 600);
    baseImage(state, id(`image/debian-12/${region}`), 'debian-12', region, 450);
  }
  state.touch();
}

export interface BenchmarkEstate {
  /** Volume snapshots in each region (spread evenly over its volumes). */
  snapshotsEach: number;
  /** Detached volumes in each region (10 GiB, 8 MiB of data), `bench-volume-<region>-N`. */
  volumesEach?: number;
}

/**
 * Benchmarks: in every region, `volumesEach` detached volumes holding `snapshotsEach` available
 * volume snapshots between them, made at once (no status steps, one block-model snapshot each, a
 * second apart so newest-first is one order). A region's volumes are made once; missing snapshots
 * are added. Returns each region's snapshot count.
 */
export function benchmarkEstate(state: OsState, estate: BenchmarkEstate): Record<string, number> {
  const { snapshotsEach } = estate;
  const volumesEach = estate.volumesEach ?? 10;
  if (!Number.isInteger(snapshotsEach) || snapshotsEach < 0 || snapshotsEach > 100000) {
    throw new TypeError('snapshotsEach must be a whole number between 0 and 100000');
  }
  if (!Number.isInteger(volumesEach) || volumesEach < 1 || volumesEach > 1000) {
    throw new TypeError('volumesEach must be a whole number between 1 and 1000');
  }
  const counts: Record<string, number> = {};
  const start = state.now() - (snapshotsEach + 1) * 1000;
  for (const region of state.regions) {
    const volumes = Array.from({ length: volumesEach }, (_, n) => {
      const volumeId = id(`volume/bench/${region}/${n + 1}`);
      const volume = state.volumes.get(volumeId);
      if (volume) {
        return volume;
      }
      const made = state.at(start - 1000, () =>
        state.addVolume({
          id: volumeId,
          name: `bench-volume-${region}-${n + 1}`,
          description: '',
          region,
          az: 'nova',
          sizeGiB: 10,
          status: 'available',
          volumeType: '__DEFAULT__',
          bootable: false,
          metadata: {},
        }),
      );
      state.blocks.writeMiB(volumeId, 8);
      return made;
    });
    const ids = new Set(volumes.map((v) => v.id));
    let have = [...state.snapshots.values()].filter((s) => ids.has(s.volumeId)).length;
    for (let n = have; n < snapshotsEach; n++) {
      const volume = volumes[n % volumes.length];
      const snapId = state.newId();
      const blockId = `snap/${snapId}`;
      state.blocks.snapshot(volume.id, blockId);
      const at = start + n * 1000;
      state.snapshots.set(snapId, {
        id: snapId,
        name: `${volume.name}-snap-${Math.floor(n / volumes.length) + 1}`,
        description: '',
        region,
        volumeId: volume.id,
        sizeGiB: volume.sizeGiB,
        status: 'available',
        blockId,
        metadata: {},
        createdAt: at,
        updatedAt: at,
      });
      have++;
    }
    counts[region] = have;
  }
  state.touch();
  return counts;
}
