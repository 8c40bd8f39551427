/** The `/_sandbox/openstack/…` control endpoints, the OpenStack part of the state summary, and the facts tests read. */
import { field } from '../backend';
import { benchmarkEstate } from './seed';
import { MAX_MICROVERSION, type OsState } from './state';

/** Counts and the controls in force. */
export function osSummary(os: OsState) {
  return {
    ...os.counts(),
    tokenLifetimeMs: os.tokenLifetimeMs,
    removedServices: os.removedServices,
    maxMicroversion: os.maxMicroversion,
    killNextImage: os.killNextImage,
    failNextRebuild: os.failNextRebuild,
    regionLatencyMs: os.regionLatencyMs,
  };
}

export interface OsBackupFacts {
  id: string;
  volumeId: string;
  incremental: boolean;
  parentId: string | null;
  /** Bytes the backup really stores on the backup backend (incremental: the blocks changed since its parent). */
  storedBytes: number;
  /** Bytes of data on the volume as of the backup. */
  fullBytes: number;
}

export function osBackupFacts(os: OsState, backupId: string): OsBackupFacts {
  const backup = os.backups.get(backupId);
  if (!backup) {
    throw new RangeError(`no backup ${backupId}`);
  }
  const live = os.blocks.hasSnapshot(backup.blockId);
  return {
    id: backup.id,
    volumeId: backup.volumeId,
    incremental: backup.incremental,
    parentId: backup.parentId ?? null,
    storedBytes: os.backupStoredBytes(backup),
    fullBytes: live ? os.blocks.fullBytes(backup.blockId) : 0,
  };
}

/** Whether a server's root disk (or a volume) holds exactly an image's blocks. */
export function diskMatchesImage(os: OsState, diskOwnerId: string, imageId: string): boolean {
  const server = os.servers.get(diskOwnerId);
  const disk = os.blocks.getDisk(server?.rootDisk ?? server?.rootVolumeId ?? diskOwnerId);
  const blockId = os.images.get(imageId)?.blockId;
  const image = blockId === undefined ? undefined : os.blocks.getSnapshot(blockId);
  if (!disk || !image) {
    return false;
  }
  if (disk.blocks.size !== image.full.size) {
    return false;
  }
  for (const [index, content] of image.full) {
    if (disk.blocks.get(index) !== content) {
      return false;
    }
  }
  return true;
}

/** Tokens issued from now on live `seconds` (1 s to 7 days). */
export function setTokenLifetime(os: OsState, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 7 * 24 * 3600) {
    throw new TypeError('seconds must be between 1 and 604800');
  }
  os.tokenLifetimeMs = Math.round(seconds * 1000);
  os.touch();
  return seconds;
}

/** Leaves these service types out of the catalog (e.g. `volumev3` and `block-storage`: a catalog without Cinder). */
export function setRemovedServices(os: OsState, types: unknown): string[] {
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
    throw new TypeError('"remove" must be an array of service types');
  }
  os.removedServices = [...new Set(types as string[])];
  os.touch();
  return os.removedServices;
}

/** Lowers (or restores) the highest microversion Nova and Cinder accept. */
export function setMaxMicroversion(os: OsState, input: { compute?: string; volume?: string }): { compute: string; volume: string } {
  for (const service of ['compute', 'volume'] as const) {
    const value = input[service];
    if (value === undefined) {
      continue;
    }
    const major = service === 'compute' ? '2' : '3';
    if (!new RegExp(`^${major}\\.\\d+$`).test(value) || Number(value.split('.')[1]) > Number(MAX_MICROVERSION[service].split('.')[1])) {
      throw new TypeError(`${service} must be ${major}.N, at most ${MAX_MICROVERSION[service]}`);
    }
    os.maxMicroversion[service] = value;
  }
  os.touch();
  return { ...os.maxMicroversion };
}

/**
 * Sets each named region's own delay (ms, 0–60000) before its service requests, on top of the
 * faults' latency; a region left out has none. Returns the regions' delays.
 */
export function setRegionLatency(os: OsState, input: unknown): Record<string, number> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError('"latencyMs" must be an object of region → milliseconds');
  }
  const latency: Record<string, number> = {};
  for (const [region, ms] of Object.entries(input as Record<string, unknown>)) {
    if (!os.regions.includes(region)) {
      throw new RangeError(`no region ${region}`);
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60000) {
      throw new TypeError(`the latency of ${region} must be between 0 and 60000 ms`);
    }
    latency[region] = ms;
  }
  os.regionLatencyMs = latency;
  os.touch();
  return { ...latency };
}

const optionalString = (input: unknown, name: string): string | undefined => {
  const value = (input as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/** Handles /_sandbox/openstack/… (undefined when no endpoint matches). */
export function osControlRoute(os: OsState, method: string, url: URL, input: unknown, changed: <T>(value: T) => T): unknown {
  const path = url.pathname;
  os.sweep();
  const writes = /^\/_sandbox\/openstack\/(?:volumes|servers)\/([^/]+)\/writes$/.exec(path);
  if (method === 'POST' && writes) {
    const id = decodeURIComponent(writes[1]);
    const mib = field(input, 'mib', 'number');
    return changed({ id, changedBytes: os.writeMiB(id, mib) });
  }
  const backup = /^\/_sandbox\/openstack\/backups\/([^/]+)$/.exec(path);
  if (method === 'GET' && backup) {
    return osBackupFacts(os, decodeURIComponent(backup[1]));
  }
  if (method === 'POST' && path === '/_sandbox/openstack/expire-tokens') {
    return changed({ expired: os.expireTokens() });
  }
  if (method === 'PUT' && path === '/_sandbox/openstack/token-lifetime') {
    return changed({ seconds: setTokenLifetime(os, field(input, 'seconds', 'number')) });
  }
  if (method === 'PUT' && path === '/_sandbox/openstack/catalog') {
    return changed({ removedServices: setRemovedServices(os, (input as Record<string, unknown> | null)?.remove) });
  }
  if (method === 'PUT' && path === '/_sandbox/openstack/max-microversion') {
    return changed({ maxMicroversion: setMaxMicroversion(os, { compute: optionalString(input, 'compute'), volume: optionalString(input, 'volume') }) });
  }
  if (method === 'PUT' && path === '/_sandbox/openstack/region-latency') {
    return changed({ regionLatencyMs: setRegionLatency(os, (input as Record<string, unknown> | null)?.latencyMs) });
  }
  if (method === 'POST' && path === '/_sandbox/openstack/bench-estate') {
    const volumesEach = (input as Record<string, unknown> | null)?.volumesEach;
    return changed({ snapshots: benchmarkEstate(os, { snapshotsEach: field(input, 'snapshotsEach', 'number'), volumesEach: typeof volumesEach === 'number' ? volumesEach : undefined }) });
  }
  if (method === 'POST' && path === '/_sandbox/openstack/kill-next-image') {
    os.killNextImage = true;
    os.touch();
    return changed({ killNextImage: true });
  }
  if (method === 'POST' && path === '/_sandbox/openstack/fail-next-rebuild') {
    os.failNextRebuild = true;
    os.touch();
    return changed({ failNextRebuild: true });
  }
  return undefined;
}
