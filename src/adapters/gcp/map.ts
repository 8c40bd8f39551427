/**
 * Compute Engine REST JSON → the provider-neutral model. Pure functions. Each resource carries
 * `gcp` facts (its place, fingerprint, attachments…) that plans and actions use.
 */
import type { Detail, Disk, DiskAttachment, Image, Phase, Snapshot, Tag, Vm } from '../../model/types';
import type { Json } from './api';
import { GLOBAL, leafId, parsePath, pathOf, shortName } from './ids';

export interface GcpFacts {
  project: string;
  zone?: string;
  region?: string;
  labelFingerprint?: string;
}

export interface VmFacts extends GcpFacts {
  status: string;
  disks: { diskId: string; deviceName?: string; boot: boolean; mode?: string }[];
  /** The boot disk has the WINDOWS guest OS feature (guest flush works). */
  windows: boolean;
}

export interface DiskFacts extends GcpFacts {
  status: string;
  users: string[];
  replicaZones: string[];
  guestOsFeatures: string[];
}

export interface SnapshotFacts extends GcpFacts {
  status: string;
  storageLocations: string[];
  storageBytes?: number;
  storageBytesStatus?: string;
  createdMs?: number;
  /** Set by the listing: the VMs the source disk is attached to (restore in place). */
  attachedTo?: { vmId: string; vmName: string; deviceName?: string; boot: boolean; running: boolean; status: string }[];
  /** Set by the listing: the next snapshot of the same disk (deleting this one moves data to it). */
  next?: { id: string; name: string; storageBytes?: number };
  /** Set by the listing: images made from this snapshot. */
  images?: string[];
}

export interface ImageFacts extends GcpFacts {
  machineImage: boolean;
  status: string;
}

export type GcpVm = Vm & { gcp: VmFacts };
export type GcpDisk = Disk & { gcp: DiskFacts };
export type GcpSnapshot = Snapshot & { gcp: SnapshotFacts };
export type GcpImage = Image & { gcp: ImageFacts };
export type GcpResource = GcpVm | GcpDisk | GcpSnapshot | GcpImage;

const MiB = 1024 * 1024;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function mapLabels(labels: unknown): Tag[] {
  if (typeof labels !== 'object' || labels === null) {
    return [];
  }
  return Object.entries(labels as Record<string, unknown>).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : String(value ?? '') }));
}

function iso(v: unknown): string | undefined {
  const s = str(v);
  if (!s) {
    return undefined;
  }
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function detail(out: Detail[], label: string, value: string | number | undefined): void {
  if (value !== undefined && value !== '') {
    out.push({ label, value: String(value) });
  }
}

export function mib(bytes: number): string {
  return bytes >= 1024 * MiB ? `${(bytes / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

/** Place and scope of a resource from its selfLink (zone / region / global). */
function placeOf(x: Json): { project: string; zone?: string; region?: string; id: string } {
  const id = pathOf(x.selfLink) ?? '';
  const p = parsePath(id);
  return { project: p?.project ?? '', zone: p?.zone, region: p?.region, id };
}

export function phaseOf(status: string | undefined): Phase {
  switch ((status ?? '').toUpperCase()) {
    case 'READY':
    case 'RUNNING':
    case 'TERMINATED':
    case 'STOPPED':
    case 'SUSPENDED':
      return 'ready';
    case 'FAILED':
    case 'UNAVAILABLE':
      return 'error';
    case 'DELETING':
      return 'deleting';
    default:
      return 'pending';
  }
}

export function mapVm(x: Json): GcpVm {
  const place = placeOf(x);
  const status = str(x.status) ?? 'UNKNOWN';
  const attached = arr(x.disks).map((d) => d as Json);
  const disks = attached
    .map((d) => ({ diskId: pathOf(d.source) ?? '', deviceName: str(d.deviceName), boot: d.boot === true, mode: str(d.mode), features: arr(d.guestOsFeatures).map((f) => str((f as Json).type)) }))
    .filter((d) => d.diskId)
    .sort((a, b) => Number(b.boot) - Number(a.boot));
  const boot = disks.find((d) => d.boot);
  const windows = boot?.features.includes('WINDOWS') ?? false;
  const details: Detail[] = [];
  detail(details, 'Zone', place.zone);
  detail(details, 'Machine type', shortName(x.machineType));
  detail(details, 'CPU platform', str(x.cpuPlatform));
  detail(details, 'Last started', iso(x.lastStartTimestamp));
  return {
    kind: 'vm',
    id: place.id,
    name: str(x.name),
    scopeId: leafId(place.project, place.zone ?? GLOBAL),
    state: status.toLowerCase(),
    phase: phaseOf(status),
    tags: mapLabels(x.labels),
    createdAt: iso(x.creationTimestamp),
    zone: place.zone,
    idLabel: place.zone,
    details,
    machineType: shortName(x.machineType),
    diskIds: disks.map((d) => d.diskId),
    bootDiskId: boot?.diskId,
    platform: windows ? 'windows' : undefined,
    gcp: {
      project: place.project,
      zone: place.zone,
      labelFingerprint: str(x.labelFingerprint),
      status,
      disks: disks.map(({ diskId, deviceName, boot: b, mode }) => ({ diskId, deviceName, boot: b, mode })),
      windows,
    },
  };
}

export function mapDisk(x: Json, vms: Map<string, GcpVm>): GcpDisk {
  const place = placeOf(x);
  const status = str(x.status) ?? 'UNKNOWN';
  const users = arr(x.users).map(pathOf).filter((u): u is string => !!u);
  const attachments: DiskAttachment[] = users.map((u) => {
    const vm = vms.get(u);
    const a = vm?.gcp.disks.find((d) => d.diskId === place.id);
    return { vmId: u, device: a?.deviceName, boot: a?.boot ?? false };
  });
  const replicaZones = arr(x.replicaZones).map(shortName).filter((z): z is string => !!z);
  const kms = str((x.diskEncryptionKey as Json | undefined)?.kmsKeyName);
  const policies = arr(x.resourcePolicies).map(shortName).filter((p): p is string => !!p);
  const details: Detail[] = [];
  detail(details, place.zone ? 'Zone' : 'Region', place.zone ?? place.region);
  if (replicaZones.length) {
    detail(details, 'Replica zones', replicaZones.join(', '));
  }
  detail(details, 'Encryption key', kms ? `Customer-managed key (CMEK): ${kms}` : 'Google-managed');
  for (const p of policies) {
    detail(details, 'Snapshot schedule', p);
  }
  detail(details, 'Source snapshot', shortName(x.sourceSnapshot));
  detail(details, 'Source image', shortName(x.sourceImage));
  const features = arr(x.guestOsFeatures).map((f) => str((f as Json).type)).filter((f): f is string => !!f);
  return {
    kind: 'disk',
    id: place.id,
    name: str(x.name),
    scopeId: leafId(place.project, place.zone ?? place.region ?? GLOBAL),
    state: status.toLowerCase(),
    phase: phaseOf(status),
    tags: mapLabels(x.labels),
    createdAt: iso(x.creationTimestamp),
    zone: place.zone,
    idLabel: place.zone ?? place.region,
    details,
    sizeGiB: num(x.sizeGb) ?? 0,
    diskType: shortName(x.type),
    encrypted: true,
    kmsKeyId: kms,
    attachments,
    sourceSnapshotId: pathOf(x.sourceSnapshot),
    gcp: { project: place.project, zone: place.zone, region: place.region, labelFingerprint: str(x.labelFingerprint), status, users, replicaZones, guestOsFeatures: features },
  };
}

export function mapSnapshot(x: Json): GcpSnapshot {
  const place = placeOf(x);
  const status = str(x.status) ?? 'UNKNOWN';
  const source = parsePath(pathOf(x.sourceDisk));
  const where = source?.zone ?? source?.region ?? GLOBAL;
  const bytesStatus = str(x.storageBytesStatus);
  const storageBytes = num(x.storageBytes);
  const updating = bytesStatus === 'UPDATING';
  const locations = arr(x.storageLocations).map(str).filter((l): l is string => !!l);
  const type = (str(x.snapshotType) ?? 'STANDARD').toUpperCase();
  const kms = str((x.snapshotEncryptionKey as Json | undefined)?.kmsKeyName);
  const details: Detail[] = [];
  // The type shows as the tooltip's "Storage tier" row; archive's terms are worth saying.
  if (type === 'ARCHIVE') {
    detail(details, 'Archive', 'cheaper storage, 90-day minimum, slower restore');
  }
  detail(details, 'Storage location', locations.join(', '));
  // The figure itself shows as the tooltip's "Stored" row (storedBytes); say why it is missing.
  if (updating) {
    detail(details, 'Stored bytes', 'updating (Google is still computing the size)');
  }
  detail(details, 'Encryption key', kms ? `Customer-managed key (CMEK): ${kms}` : 'Google-managed');
  if (x.autoCreated === true) {
    detail(details, 'Created by', `snapshot schedule${x.sourceSnapshotSchedulePolicy ? ` ${shortName(x.sourceSnapshotSchedulePolicy)}` : ''}`);
  }
  if (x.guestFlush === true) {
    detail(details, 'Guest flush', 'application-consistent (VSS)');
  }
  const created = str(x.creationTimestamp);
  return {
    kind: 'snapshot',
    id: place.id,
    name: str(x.name),
    scopeId: leafId(place.project, where),
    state: status.toLowerCase(),
    phase: phaseOf(status),
    tags: mapLabels(x.labels),
    createdAt: iso(x.creationTimestamp),
    zone: source?.zone,
    idLabel: where === GLOBAL ? 'global' : where,
    details,
    diskId: source ? pathOf(x.sourceDisk) : undefined,
    sizeGiB: num(x.diskSizeGb) ?? 0,
    description: str(x.description),
    encrypted: true,
    kmsKeyId: kms,
    storageTier: type.toLowerCase(),
    storedBytes: updating ? undefined : storageBytes,
    incremental: type === 'STANDARD',
    chainId: str(x.sourceDiskId),
    gcp: {
      project: place.project,
      labelFingerprint: str(x.labelFingerprint),
      status,
      storageLocations: locations,
      storageBytes,
      storageBytesStatus: bytesStatus,
      createdMs: created ? Date.parse(created) : undefined,
    },
  };
}

/** An image's scope: its source disk's or snapshot's (when that is known), else global. */
export function mapImage(x: Json, snapshotScope: (path: string) => string | undefined): GcpImage {
  const place = placeOf(x);
  const status = str(x.status) ?? 'UNKNOWN';
  const disk = parsePath(pathOf(x.sourceDisk));
  const snap = pathOf(x.sourceSnapshot);
  const scopeId = disk ? leafId(disk.project, disk.zone ?? disk.region ?? GLOBAL) : (snap && snapshotScope(snap)) || leafId(place.project, GLOBAL);
  const details: Detail[] = [];
  detail(details, 'Family', str(x.family));
  detail(details, 'Source snapshot', shortName(x.sourceSnapshot));
  detail(details, 'Source disk', disk ? `${disk.name} (${disk.zone ?? disk.region})` : undefined);
  detail(details, 'Disk size', num(x.diskSizeGb) !== undefined ? `${num(x.diskSizeGb)} GiB` : undefined);
  const archive = num(x.archiveSizeBytes);
  detail(details, 'Archive size', archive !== undefined ? mib(archive) : undefined);
  detail(details, 'Storage location', arr(x.storageLocations).map(str).filter(Boolean).join(', '));
  return {
    kind: 'image',
    id: place.id,
    name: str(x.name),
    scopeId,
    state: status.toLowerCase(),
    phase: phaseOf(status),
    tags: mapLabels(x.labels),
    createdAt: iso(x.creationTimestamp),
    idLabel: 'image',
    details,
    description: str(x.description),
    snapshotIds: snap ? [snap] : [],
    architecture: str(x.architecture)?.toLowerCase(),
    gcp: { project: place.project, labelFingerprint: str(x.labelFingerprint), machineImage: false, status },
  };
}

/** A machine image: under its source VM's zone; its details list the machine type and every saved disk. */
export function mapMachineImage(x: Json): GcpImage {
  const place = placeOf(x);
  const status = str(x.status) ?? 'UNKNOWN';
  const inst = parsePath(pathOf(x.sourceInstance));
  const props = (x.sourceInstanceProperties ?? x.instanceProperties ?? {}) as Json;
  const saved = arr(x.savedDisks).map((d) => d as Json);
  const details: Detail[] = [];
  detail(details, 'Kind', 'Machine image (configuration and every disk)');
  detail(details, 'Source VM', inst ? `${inst.name} (${inst.zone})` : undefined);
  detail(details, 'Machine type', shortName(props.machineType));
  const updating = str(x.status) !== 'READY';
  arr(props.disks).forEach((raw, i) => {
    const d = raw as Json;
    const src = pathOf(d.source) ?? pathOf(saved[i]?.sourceDisk);
    const stored = num(d.storageBytes ?? saved[i]?.storageBytes);
    detail(
      details,
      `Disk ${d.deviceName ?? shortName(src) ?? i}${d.boot === true ? ' (boot)' : ''}`,
      `${shortName(src) ?? 'disk'}, ${num(d.diskSizeGb) ?? '?'} GiB${stored !== undefined && !updating ? `, ${mib(stored)} stored` : ''}`,
    );
  });
  const total = num(x.totalStorageBytes);
  detail(details, 'Total stored', total !== undefined && !updating ? mib(total) : updating ? 'updating' : undefined);
  detail(details, 'Storage location', arr(x.storageLocations).map(str).filter(Boolean).join(', '));
  return {
    kind: 'image',
    id: place.id,
    name: str(x.name),
    scopeId: inst?.zone ? leafId(inst.project, inst.zone) : leafId(place.project, GLOBAL),
    state: status.toLowerCase(),
    phase: phaseOf(status),
    tags: mapLabels(x.labels),
    createdAt: iso(x.creationTimestamp),
    idLabel: 'machine image',
    details,
    description: str(x.description),
    snapshotIds: [],
    gcp: { project: place.project, labelFingerprint: str(x.labelFingerprint), machineImage: true, status },
  };
}

export function label(r: { id: string; name?: string }): string {
  return r.name ?? shortName(r.id) ?? r.id;
}
