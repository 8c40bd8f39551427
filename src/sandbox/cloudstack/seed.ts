/**
 * The CloudStack sandbox's seeded estate: two zones (gva-1 on NFS primary storage, where volume
 * snapshots are incremental; zrh-1 on Ceph RBD, where each is a full copy), VMs running and
 * stopped, ROOT and DATADISK volumes with disk offerings, a chain of snapshots with differing
 * physical sizes, VM snapshots with and without memory, a template the account owns, a detached
 * volume, a snapshot whose volume is gone, a snapshot policy, and untrusted-looking names.
 * Ids are stable UUIDs (`uuidFrom`), so `CLOUDSTACK_SEEDED` names them for tests and docs.
 */
import { GIB } from '../state-kit';
import { type CsState, uuidFrom } from './state';

const DAY = 24 * 60 * 60 * 1000;
const id = (name: string) => uuidFrom(`snapkeeper-sandbox-cloudstack/${name}`);

/** Ids and names of the seeded resources the tests and docs refer to. */
export const SEEDED = {
  zones: { gva: id('zone/gva-1'), zrh: id('zone/zrh-1') },
  zoneNames: { gva: 'gva-1', zrh: 'zrh-1' },
  diskOfferings: { small: id('do/small'), medium: id('do/medium'), large: id('do/large'), custom: id('do/custom') },
  serviceOfferings: { medium: id('so/medium'), large: id('so/large') },
  osTypes: { ubuntu: id('os/ubuntu-22.04'), debian: id('os/debian-12'), rocky: id('os/rocky-9') },
  /** gva-1, Running: ROOT web-1-root, DATADISK web-1-data with the chain; VM snapshot web-1-pre-upgrade (with memory, current). */
  webVm: id('vm/web-1'),
  webRootVolume: id('vol/web-1-root'),
  webDataVolume: id('vol/web-1-data'),
  /** web-1-data-snap-1..3: 200, 50 and 20 MiB stored (the first full), 10 MiB written since. */
  chainSnapshots: [id('snap/web-1-data-1'), id('snap/web-1-data-2'), id('snap/web-1-data-3')],
  chainStoredMiB: [200, 50, 20],
  webRootSnapshot: id('snap/web-1-root-1'),
  webVmSnapshot: id('vmsnap/web-1-pre-upgrade'),
  /** gva-1, Stopped: db-1-root, db-1-data; VM snapshots db-1-before-maintenance (memory) ← db-1-cold (disk only, current). */
  dbVm: id('vm/db-1'),
  dbRootVolume: id('vol/db-1-root'),
  dbDataVolume: id('vol/db-1-data'),
  dbDataSnapshot: id('snap/db-1-data-nightly'),
  dbMemoryVmSnapshot: id('vmsnap/db-1-before-maintenance'),
  dbDiskVmSnapshot: id('vmsnap/db-1-cold'),
  dbPolicy: id('policy/db-1-data-daily'),
  /** gva-1, Stopped, no VM snapshots: app-1-data's snapshot can be reverted. */
  appVm: id('vm/app-1'),
  appRootVolume: id('vol/app-1-root'),
  appDataVolume: id('vol/app-1-data'),
  appDataSnapshot: id('snap/app-1-data-1'),
  /** zrh-1 (Ceph RBD: full copies, not revertable), Running: files-1-data with two full snapshots, the first copied to gva-1. */
  filesVm: id('vm/files-1'),
  filesDataVolume: id('vol/files-1-data'),
  filesSnapshots: [id('snap/files-1-data-1'), id('snap/files-1-data-2')],
  /** Detached DATADISK in gva-1 (its name is hostile markup). */
  detachedVolume: id('vol/scratch'),
  detachedVolumeName: 'scratch <img src=x onerror=alert(1)>',
  /** A snapshot whose volume was deleted. */
  orphanSnapshot: id('snap/old-app-data'),
  /** The account's template, made from web-1-root-snap-1. */
  template: id('tpl/web-golden'),
  /** A featured system template (not the account's). */
  systemTemplate: id('tpl/ubuntu-22.04'),
} as const;

/** Runs `action` at `time` and ends every job it started then (the seed leaves no job behind). */
function settled<T>(state: CsState, time: number, action: () => T): T {
  const result = state.at(time, action);
  state.at(time + 60 * 60 * 1000, () => state.sweep());
  for (const [jobId, job] of state.jobs) {
    if (job.status !== 0) {
      state.jobs.delete(jobId);
    }
  }
  return result;
}

/** Renames the newest record of a map to a stable id (seeded records keep the ids SEEDED names). */
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

function snapshot(state: CsState, time: number, volumeId: string, name: string, stableId: string, extra: { zoneIds?: string[]; intervalType?: 'DAILY' } = {}): void {
  settled(state, time, () => state.createSnapshot(volumeId, { id: stableId, name, zoneIds: extra.zoneIds, intervalType: extra.intervalType }));
}

function vmSnapshot(state: CsState, time: number, vmId: string, name: string, stableId: string, memory: boolean): void {
  const { vmSnapshot: snap } = settled(state, time, () => state.createVmSnapshot(vmId, { name, description: memory ? 'with memory' : 'disk only', snapshotmemory: memory }));
  rekey(state.vmSnapshots, snap.id, stableId);
  for (const other of state.vmSnapshots.values()) {
    if (other.parentId === snap.id) {
      other.parentId = stableId;
    }
  }
}

/** What an account sees before it has anything: the zones, offerings, OS types and the featured template. */
export function emptyCloudStack(state: CsState): void {
  const ago = (days: number) => state.now() - days * DAY;
  const S = SEEDED;
  state.zones = [
    { id: S.zones.gva, name: 'gva-1', description: 'Geneva, NFS primary storage', storageType: 'NetworkFilesystem', storageName: 'gva-1-primary-nfs' },
    { id: S.zones.zrh, name: 'zrh-1', description: 'Zurich, Ceph RBD primary storage', storageType: 'RBD', storageName: 'zrh-1-ceph-rbd' },
  ];
  state.diskOfferings = [
    { id: S.diskOfferings.small, name: 'Small', displaytext: 'Small Disk, 10 GB', disksizeGb: 10, iscustomized: false },
    { id: S.diskOfferings.medium, name: 'Medium', displaytext: 'Medium Disk, 20 GB', disksizeGb: 20, iscustomized: false },
    { id: S.diskOfferings.large, name: 'Large', displaytext: 'Large Disk, 100 GB', disksizeGb: 100, iscustomized: false },
    { id: S.diskOfferings.custom, name: 'Custom', displaytext: 'Custom Disk', disksizeGb: 0, iscustomized: true },
  ];
  state.serviceOfferings = [
    { id: S.serviceOfferings.medium, name: 'Medium Instance', displaytext: 'Medium Instance, 2 vCPU, 2 GB', cpunumber: 2, cpuspeed: 2000, memory: 2048 },
    { id: S.serviceOfferings.large, name: 'Large Instance', displaytext: 'Large Instance, 4 vCPU, 8 GB', cpunumber: 4, cpuspeed: 2000, memory: 8192 },
  ];
  state.osTypes = [
    { id: S.osTypes.ubuntu, description: 'Ubuntu 22.04 LTS', oscategoryid: id('oscat/ubuntu') },
    { id: S.osTypes.debian, description: 'Debian GNU/Linux 12 (64-bit)', oscategoryid: id('oscat/debian') },
    { id: S.osTypes.rocky, description: 'Rocky Linux 9', oscategoryid: id('oscat/rocky') },
  ];
  state.templates.set(S.systemTemplate, {
    id: S.systemTemplate,
    name: 'Ubuntu 22.04',
    displaytext: 'Ubuntu 22.04 LTS (featured)',
    zoneId: S.zones.gva,
    osTypeId: S.osTypes.ubuntu,
    ispublic: true,
    isfeatured: true,
    sizeBytes: 10 * GIB,
    createdAt: ago(400),
    self: false,
  });
  state.touch();
}

export function seedCloudStack(state: CsState): void {
  emptyCloudStack(state);
  const now = state.now();
  const ago = (days: number) => now - days * DAY;
  const S = SEEDED;
  const vm = (vmId: string, name: string, zoneId: string, running: boolean, offering: string, os: string, ip: string, days: number) =>
    state.addVm({ id: vmId, name, displayname: name, zoneId, state: running ? 'Running' : 'Stopped', serviceOfferingId: offering, templateId: S.systemTemplate, osTypeId: os, ipaddress: ip, createdAt: ago(days) });
  const volume = (volumeId: string, name: string, zoneId: string, type: 'ROOT' | 'DATADISK', vmId: string | undefined, deviceId: number | undefined, offering: string, gb: number, days: number, writeMiB: number) => {
    state.addVolume({ id: volumeId, name, zoneId, type, vmId, deviceId, diskOfferingId: offering, sizeBytes: gb * GIB, createdAt: ago(days) });
    if (writeMiB > 0) {
      state.writeMiB(volumeId, writeMiB);
    }
  };

  // ---- gva-1 (NFS): web-1, running, with the incremental chain on its data volume
  vm(S.webVm, 'web-1', S.zones.gva, true, S.serviceOfferings.medium, S.osTypes.ubuntu, '10.1.1.11', 90);
  volume(S.webRootVolume, 'web-1-root', S.zones.gva, 'ROOT', S.webVm, 0, S.diskOfferings.medium, 20, 90, 300);
  volume(S.webDataVolume, 'web-1-data', S.zones.gva, 'DATADISK', S.webVm, 1, S.diskOfferings.large, 100, 90, 0);
  S.chainStoredMiB.forEach((mib, i) => {
    state.writeMiB(S.webDataVolume, mib);
    snapshot(state, ago(30 - i * 7), S.webDataVolume, `web-1-data-snap-${i + 1}`, S.chainSnapshots[i]);
  });
  state.writeMiB(S.webDataVolume, 10);
  snapshot(state, ago(40), S.webRootVolume, 'web-1-root-snap-1', S.webRootSnapshot);
  state.setTag('Snapshot', S.chainSnapshots[0], 'owner', "ops'; DROP TABLE snapshots; --");
  state.setTag('Snapshot', S.chainSnapshots[2], 'purpose', 'before upgrade ‮gnp.exe');
  const { template } = settled(state, ago(39), () =>
    state.createTemplate({ name: 'web-golden-2026', displaytext: 'web-1 golden image', osTypeId: S.osTypes.ubuntu, snapshotId: S.webRootSnapshot }),
  );
  rekey(state.templates, template.id, S.template);
  vmSnapshot(state, ago(2), S.webVm, 'web-1-pre-upgrade', S.webVmSnapshot, true);

  // ---- gva-1: db-1, stopped, VM snapshots with memory (taken while it ran) and disk only, parented
  vm(S.dbVm, 'db-1', S.zones.gva, true, S.serviceOfferings.large, S.osTypes.debian, '10.1.1.12', 120);
  volume(S.dbRootVolume, 'db-1-root', S.zones.gva, 'ROOT', S.dbVm, 0, S.diskOfferings.medium, 20, 120, 400);
  volume(S.dbDataVolume, 'db-1-data', S.zones.gva, 'DATADISK', S.dbVm, 1, S.diskOfferings.large, 100, 120, 500);
  snapshot(state, ago(1), S.dbDataVolume, 'db-1-data-nightly', S.dbDataSnapshot, { intervalType: 'DAILY' });
  vmSnapshot(state, ago(10), S.dbVm, 'db-1-before-maintenance', S.dbMemoryVmSnapshot, true);
  const db = state.vms.get(S.dbVm);
  if (db) {
    db.state = 'Stopped';
  }
  state.writeMiB(S.dbDataVolume, 30);
  vmSnapshot(state, ago(9), S.dbVm, 'db-1-cold', S.dbDiskVmSnapshot, false);
  state.policies.set(S.dbPolicy, {
    id: S.dbPolicy,
    volumeId: S.dbDataVolume,
    intervalType: 'DAILY',
    schedule: '30:02',
    timezone: 'Europe/Zurich',
    maxsnaps: 7,
    zoneIds: [],
    tags: {},
    fordisplay: true,
  });

  // ---- gva-1: app-1, stopped, no VM snapshots (its data snapshot can be reverted)
  vm(S.appVm, 'app-1', S.zones.gva, false, S.serviceOfferings.medium, S.osTypes.rocky, '10.1.1.13', 60);
  volume(S.appRootVolume, 'app-1-root', S.zones.gva, 'ROOT', S.appVm, 0, S.diskOfferings.medium, 20, 60, 250);
  volume(S.appDataVolume, 'app-1-data', S.zones.gva, 'DATADISK', S.appVm, 1, S.diskOfferings.small, 10, 60, 64);
  snapshot(state, ago(5), S.appDataVolume, 'app-1-data-snap-1', S.appDataSnapshot);
  state.writeMiB(S.appDataVolume, 8);

  // ---- gva-1: a detached volume, and a snapshot whose volume is gone
  volume(S.detachedVolume, S.detachedVolumeName, S.zones.gva, 'DATADISK', undefined, undefined, S.diskOfferings.small, 10, 20, 40);
  const oldVolume = id('vol/old-app-data');
  volume(oldVolume, 'old-app-data', S.zones.gva, 'DATADISK', undefined, undefined, S.diskOfferings.small, 10, 200, 120);
  snapshot(state, ago(150), oldVolume, 'old-app-data-final', S.orphanSnapshot);
  state.volumes.delete(oldVolume);
  state.blocks.deleteDisk(oldVolume);

  // ---- zrh-1 (Ceph RBD): files-1, running; full copies, the first also in gva-1
  vm(S.filesVm, 'files-1', S.zones.zrh, true, S.serviceOfferings.medium, S.osTypes.debian, '10.2.1.21', 45);
  volume(id('vol/files-1-root'), 'files-1-root', S.zones.zrh, 'ROOT', S.filesVm, 0, S.diskOfferings.medium, 20, 45, 200);
  volume(S.filesDataVolume, 'files-1-data', S.zones.zrh, 'DATADISK', S.filesVm, 1, S.diskOfferings.large, 100, 45, 100);
  snapshot(state, ago(20), S.filesDataVolume, 'files-1-data-snap-1', S.filesSnapshots[0], { zoneIds: [S.zones.gva] });
  state.writeMiB(S.filesDataVolume, 16);
  snapshot(state, ago(6), S.filesDataVolume, 'files-1-data-snap-2', S.filesSnapshots[1]);
  state.touch();
}

/**
 * Benchmarks: the two seeded zones, then `bench-N` zones (NFS) up to `count`, each with a detached
 * volume `bench-volume-N` holding `snapshotsEach` BackedUp snapshots (a zone's volume is made once;
 * missing snapshots are added). Zones past `count` are not removed. Returns every zone id.
 */
export function benchmarkZones(state: CsState, count: number, snapshotsEach: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new TypeError('count must be a whole number between 1 and 100');
  }
  if (!Number.isInteger(snapshotsEach) || snapshotsEach < 0 || snapshotsEach > 100000) {
    throw new TypeError('snapshotsEach must be a whole number between 0 and 100000');
  }
  for (let n = state.zones.length + 1; n <= count; n++) {
    state.zones.push({ id: id(`zone/bench-${n}`), name: `bench-${n}`, description: `Benchmark zone ${n}`, storageType: 'NetworkFilesystem', storageName: `bench-${n}-nfs` });
  }
  state.zones.slice(0, count).forEach((zone, index) => {
    const volumeId = id(`vol/bench-${index + 1}/${zone.id}`);
    if (!state.volumes.has(volumeId)) {
      state.addVolume({ id: volumeId, name: `bench-volume-${index + 1}`, zoneId: zone.id, type: 'DATADISK', diskOfferingId: SEEDED.diskOfferings.small, sizeBytes: 10 * GIB });
      state.writeMiB(volumeId, 8);
    }
    const have = [...state.snapshots.values()].filter((s) => s.volumeId === volumeId).length;
    if (have < snapshotsEach) {
      state.bulkSnapshots(volumeId, snapshotsEach - have);
    }
  });
  state.touch();
  return state.zones.map((z) => z.id);
}
