/**
 * Listing, one region at a time: Nova's servers and flavors, Cinder's volumes, snapshots and
 * backups, and the Glance images the project owns, asked at once; the region's inventory is built
 * from them (the facts that need several lists: a server's disks, a snapshot's volume, a backup's
 * parent). Concurrent listings of a region share the run; a finished one is reused for a few
 * seconds and forgotten after any action or operation end. The account's regions are listed apart
 * (from the catalog, or the regions clouds.yaml names).
 */
import { setMaxListeners } from 'node:events';
import { isCloudError } from '../../model/errors';
import { SharedListings, type WideInventory } from '../../model/listings';
import type { Scope } from '../../model/types';
import type { OpenStackApi, Service } from './api';
import { compareMicroversions } from './catalog';
import {
  deriveBackupParents,
  incrementalParent,
  isInstanceSnapshot,
  localRootDisk,
  mapBackup,
  mapImage,
  mapInstanceSnapshot,
  mapServer,
  mapSnapshot,
  mapVolume,
  type FlavorInfo,
  type OsBackupResource,
  type OsDiskResource,
  type OsImageResource,
  type OsRestorePointResource,
  type OsSnapshotResource,
  type OsVmResource,
} from './map';
import type { OsBackup, OsFlavor, OsImage, OsServer, OsSnapshot, OsVolume } from './wire';

export const REUSE_MS = 3000;

/** Microversions the listing asks for when the cloud offers them (the base version otherwise). */
export const LIST_MICROVERSION = {
  /** Servers with their flavor's name and disk (`flavor.original_name`). */
  compute: '2.47',
  /** Backups with their metadata. */
  volumev3: '3.43',
} as const;

export interface RegionInventory extends WideInventory {
  vms: OsVmResource[];
  disks: OsDiskResource[];
  snapshots: OsSnapshotResource[];
  images: OsImageResource[];
  restorePoints: OsRestorePointResource[];
  backups: OsBackupResource[];
}

/** What the listing needs of the adapter. */
export interface ListingCore {
  /** The client of a region. */
  api(region: string): Promise<OpenStackApi>;
  log(line: string): void;
}

export class InventoryCache extends SharedListings<RegionInventory> {
  constructor(core: ListingCore) {
    super((region, signal) => listRegion(core, region, signal), REUSE_MS);
  }
}

/** The regions, as flat leaf scopes (the account's, in their order). */
export async function listRegions(api: OpenStackApi, signal?: AbortSignal): Promise<Scope[]> {
  const regions = await api.regions(signal);
  return regions.map((r) => ({ id: r, label: r, leaf: true }));
}

/** `wanted` when the service offers it, else undefined (the base version). */
export async function microversionUpTo(api: OpenStackApi, service: Service, wanted: string, signal?: AbortSignal): Promise<string | undefined> {
  const max = await api.maxMicroversion(service, signal);
  return max !== undefined && compareMicroversions(wanted, max) <= 0 ? wanted : undefined;
}

export async function listRegion(core: ListingCore, region: string, signal: AbortSignal): Promise<RegionInventory> {
  setMaxListeners(0, signal);
  const api = await core.api(region);
  const [computeMv, volumeMv, project] = await Promise.all([
    microversionUpTo(api, 'compute', LIST_MICROVERSION.compute, signal),
    microversionUpTo(api, 'volumev3', LIST_MICROVERSION.volumev3, signal).catch(() => undefined),
    api.project(signal),
  ]);
  const get = <T>(service: Service, path: string, key: string, microversion?: string, query?: Record<string, string>): Promise<T[]> =>
    api.list<T>(service, path, key, query, signal, undefined, microversion);
  // A region whose catalog has no Cinder still lists its servers and images (said once in the log).
  let noCinder = false;
  const cinder = <T>(listing: Promise<T[]>): Promise<T[]> =>
    listing.catch((e: unknown) => {
      if (!isCloudError(e) || e.code !== 'NoService') {
        throw e;
      }
      if (!noCinder) {
        noCinder = true;
        core.log(`OpenStack ${region}: ${e.message}`);
      }
      return [];
    });
  const [flavors, servers, volumes, snapshots, backups, images] = await Promise.all([
    get<OsFlavor>('compute', '/flavors/detail', 'flavors'),
    get<OsServer>('compute', '/servers/detail', 'servers', computeMv),
    cinder(get<OsVolume>('volumev3', '/volumes/detail', 'volumes')),
    cinder(get<OsSnapshot>('volumev3', '/snapshots/detail', 'snapshots')),
    get<OsBackup>('volumev3', '/backups/detail', 'backups', volumeMv).catch((e: unknown) => {
      if (signal.aborted) {
        throw e;
      }
      // A cloud without the backup service answers the list with an error: no backups there.
      core.log(`OpenStack ${region}: Cinder backups not listed (${e instanceof Error ? e.message : String(e)})`);
      return [];
    }),
    get<OsImage>('image', '/images', 'images', undefined, { owner: project.id }),
  ]);
  return buildInventory(region, { flavors, servers, volumes, snapshots, backups, images });
}

export interface RawRegion {
  flavors: OsFlavor[];
  servers: OsServer[];
  volumes: OsVolume[];
  snapshots: OsSnapshot[];
  backups: OsBackup[];
  images: OsImage[];
}

const deviceOrder = (d: OsDiskResource): string => d.attachments[0]?.device ?? '~';

/** Maps a region's raw lists and adds the facts that need several of them (pure; unit-tested). */
export function buildInventory(region: string, raw: RawRegion): RegionInventory {
  const flavors = new Map<string, FlavorInfo>(raw.flavors.map((f) => [f.id, { name: f.name, diskGiB: f.disk }]));
  const vms = raw.servers.map((s) => mapServer(s, region, flavors));
  const vmById = new Map(vms.map((v) => [v.id, v]));
  const volumes = raw.volumes.map((v) => mapVolume(v, region));
  const disks: OsDiskResource[] = [];
  raw.servers.forEach((s, i) => {
    const vm = vms[i];
    const attached = volumes.filter((d) => d.os.serverId === vm.id).sort((a, b) => Number(b.os.bootable) - Number(a.os.bootable) || deviceOrder(a).localeCompare(deviceOrder(b)));
    if (vm.os.bootFromVolume) {
      // The root volume: bootable, at the first device (Nova shows the root device name to admins only).
      const root = attached[0];
      if (root) {
        root.attachments = root.attachments.map((a) => ({ ...a, boot: true }));
        vm.bootDiskId = root.id;
      }
      vm.diskIds = attached.map((d) => d.id);
    } else {
      const local = localRootDisk(vm, s, flavors);
      disks.push(local);
      vm.bootDiskId = local.id;
      vm.diskIds = [local.id, ...attached.map((d) => d.id)];
    }
  });
  for (const d of volumes) {
    const vm = d.os.serverId ? vmById.get(d.os.serverId) : undefined;
    d.os.serverName = vm?.name;
    d.os.serverStatus = vm?.state;
  }
  disks.push(...volumes);
  const volumeById = new Map(volumes.map((d) => [d.id, d]));

  const snapshots = raw.snapshots.map((s) => mapSnapshot(s, region));
  for (const s of snapshots) {
    const v = s.diskId ? volumeById.get(s.diskId) : undefined;
    s.os.volumeListed = v !== undefined;
    s.os.volumeName = v?.name;
    s.os.volumeStatus = v?.state;
    s.os.volumeSize = v?.sizeGiB;
  }
  // Cinder reverts only to a volume's latest snapshot (Snapshot.get_latest_for_volume: newest created_at).
  for (const v of volumes) {
    const latest = snapshots.filter((s) => s.diskId === v.id).sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
    if (latest) {
      latest.os.latest = true;
      v.os.latestSnapshotId = latest.id;
    }
  }

  const backups = raw.backups.map((b) => mapBackup(b, region));
  deriveBackupParents(backups);
  for (const b of backups) {
    const v = b.diskId ? volumeById.get(b.diskId) : undefined;
    b.os.volumeListed = v !== undefined;
    b.os.volumeName = v?.name;
    b.os.volumeStatus = v?.state;
    b.os.volumeSize = v?.sizeGiB;
  }
  for (const v of volumes) {
    const parent = incrementalParent(backups, v.id);
    v.os.incrementalParentId = parent?.id;
    v.os.incrementalParentName = parent?.name;
  }

  const images: OsImageResource[] = [];
  const restorePoints: OsRestorePointResource[] = [];
  for (const i of raw.images) {
    if (isInstanceSnapshot(i)) {
      restorePoints.push(mapInstanceSnapshot(i, region, vmById.get(i.instance_uuid as string)));
    } else {
      images.push(mapImage(i, region));
    }
  }
  return { vms, disks, snapshots, images, restorePoints, backups };
}
