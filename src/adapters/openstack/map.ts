/**
 * Mapping OpenStack's objects onto the provider-neutral model. Pure functions, no calls.
 * - a Nova server is a VM (its status word, its flavor);
 * - a Cinder volume is a disk; a boot-from-volume server's root volume is its boot disk;
 * - a boot-from-image server's root disk is local to the compute host: a Disk of its own
 *   (`<server id>/root`, "local (ephemeral) root disk") on which Cinder can do nothing;
 * - a Cinder snapshot is a snapshot of one volume; a Cinder backup is a Backup;
 * - a Glance image the project owns with `image_type=snapshot` and `instance_uuid` is an instance
 *   snapshot (a RestorePoint of that server); any other image it owns is an Image.
 * Each mapped resource keeps, under `os`, the few facts the synchronous `actionsFor` needs.
 * Names, metadata and every other string stay untrusted text, passed on as data.
 */
import type { Backup, Detail, Disk, Image, Phase, RestorePoint, Snapshot, Tag, Vm } from '../../model/types';
import type { OsBackup, OsImage, OsServer, OsSnapshot, OsVolume } from './wire';

const GIB = 1024 ** 3;

export type OsVmResource = Vm & { os: { bootFromVolume: boolean; imageId?: string; task?: string; fault?: string; az?: string } };
export type OsDiskResource = Disk & {
  os: {
    /** A boot-from-image server's local root disk (no Cinder volume). */
    local: boolean;
    serverId?: string;
    serverName?: string;
    serverStatus?: string;
    bootable: boolean;
    volumeType?: string;
    /** Filled in by `buildInventory`: the volume's newest snapshot (the only one Cinder reverts to). */
    latestSnapshotId?: string;
    /** Filled in by `buildInventory`: the backup an incremental backup would be based on now (Cinder's rule, see `incrementalParent`). */
    incrementalParentId?: string;
    incrementalParentName?: string;
  };
};
export type OsSnapshotResource = Snapshot & { os: { volumeListed: boolean; volumeName?: string; volumeStatus?: string; volumeSize?: number; latest: boolean } };
export type OsBackupResource = Backup & { os: { volumeListed: boolean; volumeName?: string; volumeStatus?: string; volumeSize?: number; dataTimestamp?: string; dependents: string[] } };
export type OsImageResource = Image & { os: { protected: boolean; properties: Record<string, string> } };
export type OsRestorePointResource = RestorePoint & {
  os: {
    serverName?: string;
    serverStatus?: string;
    serverListed: boolean;
    /** The server boots from a volume: the image only maps Cinder snapshots (block_device_mapping). */
    mapsVolumes: boolean;
    /** The Cinder snapshots a boot-from-volume instance snapshot maps. */
    snapshotIds: string[];
    minDiskGiB?: number;
    /** Glance refuses to delete it. */
    protected: boolean;
    properties: Record<string, string>;
  };
};

/** The detail a boot-from-image server's root disk carries. */
export const LOCAL_ROOT_DETAIL = 'local (ephemeral) root disk';

/** The id of a boot-from-image server's local root disk. */
export const localRootId = (serverId: string): string => `${serverId}/root`;

/** A resource as the messages name it: `name (id)`, or the id alone. */
export function label(r: { id: string; name?: string }): string {
  return r.name && r.name.trim() ? `${r.name} (${r.id})` : r.id;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * OpenStack's times as ISO-8601 UTC: Nova's `2026-12-03T15:14:19Z`, Cinder's without a zone
 * (`2026-12-03T15:14:19.000000`, UTC), Glance's with Z. Undefined when unreadable.
 */
export function isoTime(t: string | undefined | null): string | undefined {
  if (!t) {
    return undefined;
  }
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(t) ? t : `${t}Z`;
  const ms = Date.parse(zoned.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function mapMetadata(m: Record<string, unknown> | undefined | null): Tag[] {
  return Object.entries(m ?? {})
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([key, value]) => ({ key, value }));
}

function details(pairs: [string, string | number | boolean | undefined][]): Detail[] {
  return pairs.filter((p): p is [string, string | number | boolean] => p[1] !== undefined && p[1] !== '').map(([label, value]) => ({ label, value: String(value) }));
}

function phaseOf(state: string, ready: string[], error: (s: string) => boolean, deleting: string[]): Phase {
  if (ready.includes(state)) {
    return 'ready';
  }
  if (error(state)) {
    return 'error';
  }
  return deleting.includes(state) ? 'deleting' : 'pending';
}

/** Nova's statuses: ACTIVE and the resting ones are ready; ERROR; DELETED; the rest (BUILD, REBUILD, …) on the way. */
export function serverPhase(status: string, task?: string): Phase {
  const resting = ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED', 'SHELVED', 'SHELVED_OFFLOADED'];
  const p = phaseOf(status, resting, (s) => s === 'ERROR', ['DELETED', 'SOFT_DELETED']);
  return p === 'ready' && task ? 'pending' : p;
}

export const volumePhase = (s: string): Phase => phaseOf(s, ['available', 'in-use'], (x) => x.startsWith('error'), ['deleting']);
export const snapshotPhase = (s: string): Phase => phaseOf(s, ['available'], (x) => x.startsWith('error'), ['deleting']);
export const backupPhase = (s: string): Phase => phaseOf(s, ['available'], (x) => x.startsWith('error'), ['deleting']);
export const imagePhase = (s: string): Phase => phaseOf(s, ['active'], (x) => x === 'killed' || x === 'deactivated', ['deleted', 'pending_delete']);

export interface FlavorInfo {
  name?: string;
  diskGiB?: number;
}

/** The server's image id, or undefined for a boot-from-volume server (Nova answers '' there). */
export function serverImageId(s: OsServer): string | undefined {
  return typeof s.image === 'object' && s.image !== null ? text(s.image.id) : undefined;
}

export function mapServer(s: OsServer, region: string, flavors: Map<string, FlavorInfo>): OsVmResource {
  const status = text(s.status) ?? 'UNKNOWN';
  const task = text(s['OS-EXT-STS:task_state']);
  const flavor = text(s.flavor?.original_name) ?? (s.flavor?.id ? (flavors.get(s.flavor.id)?.name ?? s.flavor.id) : undefined);
  const imageId = serverImageId(s);
  return {
    kind: 'vm',
    id: s.id,
    name: text(s.name),
    scopeId: region,
    zone: text(s['OS-EXT-AZ:availability_zone']),
    state: task ? `${status} (${task})` : status,
    phase: serverPhase(status, task),
    tags: mapMetadata(s.metadata),
    createdAt: isoTime(s.created),
    machineType: flavor,
    diskIds: [],
    details: details([
      ['Flavor', flavor],
      ['Boots from', imageId ? `image ${imageId} (local root disk)` : 'a volume'],
      ['Task', task],
      ['Key pair', text(s.key_name)],
      ['Availability zone', text(s['OS-EXT-AZ:availability_zone'])],
      ['Fault', text(s.fault?.message)],
    ]),
    os: { bootFromVolume: imageId === undefined, imageId, task, fault: text(s.fault?.message), az: text(s['OS-EXT-AZ:availability_zone']) },
  };
}

/** A boot-from-image server's root disk: on the compute host, not a Cinder volume. */
export function localRootDisk(vm: OsVmResource, s: OsServer, flavors: Map<string, FlavorInfo>): OsDiskResource {
  const size = count(s.flavor?.disk) ?? (s.flavor?.id ? flavors.get(s.flavor.id)?.diskGiB : undefined) ?? 0;
  return {
    kind: 'disk',
    id: localRootId(vm.id),
    name: `${vm.name ?? vm.id} root disk`,
    scopeId: vm.scopeId,
    zone: vm.zone,
    state: vm.state,
    phase: vm.phase,
    tags: [],
    createdAt: vm.createdAt,
    sizeGiB: size,
    diskType: LOCAL_ROOT_DETAIL,
    encrypted: false,
    local: true,
    attachments: [{ vmId: vm.id, device: 'root', boot: true }],
    details: details([
      ['Storage', `${LOCAL_ROOT_DETAIL}: on the compute host, not a Cinder volume. Cinder cannot snapshot or back it up; an instance snapshot (Create Instance Snapshot, on the server) copies it to Glance.`],
      ['Image', vm.os.imageId],
      ['Size', size ? `${size} GiB (the flavor's disk)` : undefined],
    ]),
    os: { local: true, serverId: vm.id, serverName: vm.name, serverStatus: vm.state, bootable: true },
  };
}

export function mapVolume(v: OsVolume, region: string): OsDiskResource {
  const status = text(v.status) ?? 'unknown';
  const attachment = (v.attachments ?? []).find((a) => text(a.server_id));
  const bootable = v.bootable === true || v.bootable === 'true';
  const type = text(v.volume_type);
  return {
    kind: 'disk',
    id: v.id,
    name: text(v.name),
    scopeId: region,
    zone: text(v.availability_zone),
    state: status,
    phase: volumePhase(status),
    tags: mapMetadata(v.metadata),
    createdAt: isoTime(v.created_at),
    sizeGiB: count(v.size) ?? 0,
    diskType: type,
    encrypted: v.encrypted === true,
    attachments: attachment ? [{ vmId: attachment.server_id as string, device: text(attachment.device), boot: false }] : [],
    sourceSnapshotId: text(v.snapshot_id),
    details: details([
      ['Volume type', type],
      ['Bootable', bootable ? 'yes' : 'no'],
      ['Attached to', attachment ? `${attachment.server_id}${attachment.device ? ` at ${attachment.device}` : ''}` : 'not attached'],
      ['Availability zone', text(v.availability_zone)],
      ['Description', text(v.description)],
      ['Created from snapshot', text(v.snapshot_id)],
      ['Created from volume', text(v.source_volid)],
      ['Created from image', text(v.volume_image_metadata?.image_id)],
    ]),
    os: { local: false, serverId: attachment?.server_id, bootable, volumeType: type },
  };
}

export function mapSnapshot(s: OsSnapshot, region: string): OsSnapshotResource {
  const status = text(s.status) ?? 'unknown';
  const progress = /^(\d{1,3})%$/.exec(text(s['os-extended-snapshot-attributes:progress']) ?? '');
  return {
    kind: 'snapshot',
    id: s.id,
    name: text(s.name),
    scopeId: region,
    state: status,
    phase: snapshotPhase(status),
    tags: mapMetadata(s.metadata),
    createdAt: isoTime(s.created_at),
    diskId: text(s.volume_id),
    sizeGiB: count(s.size) ?? 0,
    progress: progress && status !== 'available' ? Math.min(100, Number(progress[1])) : undefined,
    description: text(s.description),
    encrypted: false,
    chainId: text(s.volume_id),
    details: details([
      ['Volume', text(s.volume_id)],
      ['Size', count(s.size) !== undefined ? `${s.size} GiB (the volume's size when taken)` : undefined],
      ['Stored', "on the volume's own backend (Cinder reports no stored bytes)"],
      ['Description', text(s.description)],
    ]),
    os: { volumeListed: false, latest: false },
  };
}

export function mapBackup(b: OsBackup, region: string): OsBackupResource {
  const status = text(b.status) ?? 'unknown';
  const incremental = b.is_incremental === true;
  return {
    kind: 'backup',
    id: b.id,
    name: text(b.name),
    scopeId: region,
    zone: text(b.availability_zone),
    state: status,
    phase: backupPhase(status),
    tags: mapMetadata(b.metadata),
    createdAt: isoTime(b.created_at),
    diskId: text(b.volume_id),
    sizeGiB: count(b.size) ?? 0,
    incremental,
    hasDependents: b.has_dependent_backups === true,
    snapshotId: text(b.snapshot_id),
    objectCount: count(b.object_count),
    description: text(b.description),
    details: details([
      ['Kind', incremental ? 'incremental: stores only what changed since its parent' : 'full'],
      ['Volume', text(b.volume_id)],
      ['Made from snapshot', text(b.snapshot_id)],
      ['Objects stored', count(b.object_count)],
      ['Data as of (data_timestamp)', isoTime(b.data_timestamp)],
      ['Incremental backups depend on it', b.has_dependent_backups === true ? 'yes' : undefined],
      ['Failure', text(b.fail_reason)],
      ['Description', text(b.description)],
    ]),
    os: { volumeListed: false, dataTimestamp: isoTime(b.data_timestamp) ?? isoTime(b.created_at), dependents: [] },
  };
}

/**
 * Each incremental backup's parent. Cinder does not report it (no `parent_id` in its answers, and
 * its default resource filters allow no `parent_id` list filter), so it is derived by the rule
 * Cinder itself uses to pick the parent when it makes an incremental backup
 * (cinder/backup/api.py `create`): the same volume's backup with the latest `data_timestamp`.
 * At the time a backup B was made, that is the backup made before B with the latest
 * data_timestamp before B's. Fills `parentId`, the parent's `os.dependents`, and a detail saying
 * the parent is derived.
 */
export function deriveBackupParents(backups: OsBackupResource[]): void {
  const byVolume = new Map<string, OsBackupResource[]>();
  for (const b of backups) {
    if (b.diskId) {
      byVolume.set(b.diskId, [...(byVolume.get(b.diskId) ?? []), b]);
    }
  }
  for (const list of byVolume.values()) {
    for (const b of list) {
      if (!b.incremental) {
        continue;
      }
      const parent = list
        .filter((p) => p !== b && (p.os.dataTimestamp ?? '') < (b.os.dataTimestamp ?? '') && (p.createdAt ?? '') <= (b.createdAt ?? ''))
        .sort((x, y) => (y.os.dataTimestamp ?? '').localeCompare(x.os.dataTimestamp ?? '') || (y.createdAt ?? '').localeCompare(x.createdAt ?? ''))[0];
      if (parent) {
        b.parentId = parent.id;
        parent.os.dependents.push(b.id);
        b.details = [...(b.details ?? []), { label: 'Parent', value: `${label(parent)} (derived from data_timestamp: Cinder does not report a backup's parent)` }];
      }
    }
  }
}

/**
 * The backup Cinder would base an incremental backup of this volume on now: the one with the
 * latest data_timestamp (Cinder refuses when that one is not available). Undefined when the
 * volume has no backup, or its latest is not available.
 */
export function incrementalParent(backups: OsBackupResource[], volumeId: string): OsBackupResource | undefined {
  const latest = backups
    .filter((b) => b.diskId === volumeId)
    .sort((x, y) => (y.os.dataTimestamp ?? '').localeCompare(x.os.dataTimestamp ?? '') || (y.createdAt ?? '').localeCompare(x.createdAt ?? ''))[0];
  return latest?.state === 'available' ? latest : undefined;
}

/** Glance properties Nova and Glance set and manage themselves (not user metadata). */
const MANAGED_PROPERTIES = new Set([
  'image_type',
  'instance_uuid',
  'base_image_ref',
  'owner_project_name',
  'owner_user_name',
  'user_id',
  'block_device_mapping',
  'bdm_v2',
  'root_device_name',
  'image_location',
  'image_state',
  'boot_roles',
  'stores',
  'os_hash_algo',
  'os_hash_value',
]);

/** Glance's own members of an image (not properties). */
const IMAGE_MEMBERS = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'owner',
  'protected',
  'os_hidden',
  'checksum',
  'size',
  'virtual_size',
  'min_disk',
  'min_ram',
  'disk_format',
  'container_format',
  'tags',
  'created_at',
  'updated_at',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
]);

/** An image's additional properties (strings), Glance's members left out. */
export function imageProperties(i: OsImage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(i)) {
    if (!IMAGE_MEMBERS.has(k) && typeof v === 'string') {
      out[k] = v;
    }
  }
  return out;
}

/**
 * The metadata Edit Tags shows and changes on an image: its additional properties (Glance's
 * key/value metadata) except those Nova and Glance manage (`image_type`, `instance_uuid`…).
 * Glance's own `tags` (values without keys) are shown in the details, not edited.
 */
export function imageMetadata(properties: Record<string, string>): Tag[] {
  return Object.entries(properties)
    .filter(([k]) => !MANAGED_PROPERTIES.has(k) && !k.startsWith('os_glance'))
    .map(([key, value]) => ({ key, value }));
}

export const isManagedProperty = (key: string): boolean => MANAGED_PROPERTIES.has(key) || key.startsWith('os_glance') || IMAGE_MEMBERS.has(key);

/** Whether a Glance image is an instance snapshot (Nova createImage). */
export function isInstanceSnapshot(i: OsImage): boolean {
  return i.image_type === 'snapshot' && typeof i.instance_uuid === 'string' && i.instance_uuid !== '';
}

/** The Cinder snapshots a boot-from-volume instance snapshot maps (its block_device_mapping). */
export function mappedSnapshots(i: OsImage): string[] {
  if (typeof i.block_device_mapping !== 'string') {
    return [];
  }
  try {
    const bdm: unknown = JSON.parse(i.block_device_mapping);
    return Array.isArray(bdm) ? bdm.map((m: { snapshot_id?: unknown }) => m?.snapshot_id).filter((x): x is string => typeof x === 'string' && x !== '') : [];
  } catch {
    return [];
  }
}

function imageBase(i: OsImage, region: string) {
  const status = text(i.status) ?? 'unknown';
  const properties = imageProperties(i);
  return {
    id: i.id,
    name: text(i.name),
    scopeId: region,
    state: status,
    phase: imagePhase(status),
    tags: imageMetadata(properties),
    createdAt: isoTime(i.created_at),
    properties,
  };
}

function imageDetails(i: OsImage, extra: [string, string | number | undefined][]): Detail[] {
  const size = count(i.size);
  return details([
    ...extra,
    ['Size', size !== undefined && size > 0 ? `${Math.round((size / GIB) * 100) / 100} GiB` : undefined],
    ['Disk format', text(i.disk_format)],
    ['Minimum disk', count(i.min_disk) ? `${i.min_disk} GiB` : undefined],
    ['Visibility', text(i.visibility)],
    ['Protected', i.protected === true ? 'yes: Glance refuses to delete it' : undefined],
    ['Glance tags', Array.isArray(i.tags) && i.tags.length ? i.tags.filter((t) => typeof t === 'string').join(', ') : undefined],
  ]);
}

export function mapImage(i: OsImage, region: string): OsImageResource {
  const { properties, ...base } = imageBase(i, region);
  return {
    kind: 'image',
    ...base,
    snapshotIds: mappedSnapshots(i),
    architecture: text(properties.architecture) ?? text(properties.hw_architecture),
    public: i.visibility === 'public',
    details: imageDetails(i, [['OS', text(properties.os_distro)]]),
    os: { protected: i.protected === true, properties },
  };
}

export function mapInstanceSnapshot(i: OsImage, region: string, server: OsVmResource | undefined): OsRestorePointResource {
  const { properties, ...base } = imageBase(i, region);
  const snapshotIds = mappedSnapshots(i);
  const mapsVolumes = snapshotIds.length > 0 || typeof i.block_device_mapping === 'string';
  const vmId = properties.instance_uuid;
  return {
    kind: 'restorePoint',
    ...base,
    vmId,
    memory: false,
    description: text(properties.description),
    details: imageDetails(i, [
      ['Instance snapshot of', server ? label(server) : `${vmId} (not listed: deleted?)`],
      [
        'Holds',
        mapsVolumes
          ? `the server's volumes as Cinder snapshots (${snapshotIds.join(', ') || 'none listed'}) and an image mapping them (boot from volume)`
          : "a copy of the server's root disk in Glance (attached volumes are not in it)",
      ],
      ['Base image', text(properties.base_image_ref)],
    ]),
    os: {
      serverName: server?.name,
      serverStatus: server?.state,
      serverListed: server !== undefined,
      mapsVolumes,
      snapshotIds,
      minDiskGiB: count(i.min_disk),
      protected: i.protected === true,
      properties,
    },
  };
}
