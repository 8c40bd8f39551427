/**
 * Compute Engine v1 JSON as the real service writes it: int64 fields as strings, RFC 3339
 * timestamps with the Pacific offset, absolute selfLinks on the request's host, `kind`s.
 */
import {
  diskPathOf,
  type DiskRecord,
  type GcpState,
  imagePathOf,
  type ImageRecord,
  instancePathOf,
  type InstanceRecord,
  labelFingerprint,
  type Labels,
  machineImagePathOf,
  type MachineImageRecord,
  type OperationRecord,
  type ProjectRecord,
  snapshotPathOf,
  type SnapshotRecord,
} from './state';
import { GCP_REGIONS, GCP_ZONES, MACHINE_TYPES, type RegionInfo, type ZoneInfo } from './records';

export type Json = Record<string, unknown>;

/** Turns relative paths into absolute URLs: `http://127.0.0.1:PORT/compute/v1/` + path. */
export interface Links {
  base: string;
  url(path: string): string;
}

export function links(base: string): Links {
  return { base, url: (path) => `${base}${path}` };
}

let pacific: Intl.DateTimeFormat | undefined;

/** RFC 3339 with the America/Los_Angeles offset, as Compute Engine writes timestamps. */
/** Pacific offset in minutes, per hour (it only changes at a daylight-saving switch). */
const offsets = new Map<number, number>();

function pacificOffsetMinutes(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    pacific ??= new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', timeZoneName: 'longOffset' });
    const name = pacific.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT-08:00';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    const sign = m ? (m[1] === '-' ? -1 : 1) : -1;
    offset = m ? sign * (Number(m[2]) * 60 + Number(m[3])) : -480;
    if (offsets.size > 10_000) {
      offsets.clear();
    }
    offsets.set(hour, offset);
  }
  return offset;
}

export function rfc3339(ms: number): string {
  const offsetMin = pacificOffsetMinutes(ms);
  const local = new Date(ms + offsetMin * 60000).toISOString().replace('Z', '');
  const abs = Math.abs(offsetMin);
  return `${local}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function labelFields(labels: Labels): Json {
  return { ...(Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}), labelFingerprint: labelFingerprint(labels) };
}

function optional(fields: Record<string, unknown>): Json {
  const result: Json = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) {
      result[key] = value;
    }
  }
  return result;
}

export function projectJson(l: Links, p: ProjectRecord): Json {
  return {
    kind: 'compute#project',
    id: p.number,
    creationTimestamp: rfc3339(p.createdAt),
    name: p.id,
    commonInstanceMetadata: { kind: 'compute#metadata', fingerprint: 'kV3R8tA7Vn8=' },
    selfLink: l.url(`projects/${p.id}`),
    defaultServiceAccount: `${p.number}-compute@developer.gserviceaccount.com`,
    xpnProjectStatus: 'UNSPECIFIED_XPN_PROJECT_STATUS',
    defaultNetworkTier: 'PREMIUM',
    vmDnsSetting: 'ZONAL_ONLY',
  };
}

export function zoneJson(l: Links, project: string, z: ZoneInfo): Json {
  return {
    kind: 'compute#zone',
    id: z.id,
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: z.name,
    description: z.name,
    status: 'UP',
    region: l.url(`projects/${project}/regions/${z.region}`),
    selfLink: l.url(`projects/${project}/zones/${z.name}`),
    availableCpuPlatforms: ['Intel Broadwell', 'Intel Cascade Lake', 'AMD Milan'],
    supportsPzs: false,
  };
}

export function regionJson(l: Links, project: string, r: RegionInfo): Json {
  return {
    kind: 'compute#region',
    id: r.id,
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: r.name,
    description: r.description,
    status: 'UP',
    zones: GCP_ZONES.filter((z) => z.region === r.name).map((z) => l.url(`projects/${project}/zones/${z.name}`)),
    quotas: [
      { metric: 'CPUS', limit: 24, usage: 0 },
      { metric: 'DISKS_TOTAL_GB', limit: 4096, usage: 0 },
      { metric: 'SSD_TOTAL_GB', limit: 500, usage: 0 },
    ],
    selfLink: l.url(`projects/${project}/regions/${r.name}`),
    supportsPzs: false,
  };
}

export function machineTypeJson(l: Links, project: string, zone: string, name: string): Json {
  const m = MACHINE_TYPES.find((t) => t.name === name) ?? MACHINE_TYPES[0];
  return {
    kind: 'compute#machineType',
    id: m.id,
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: m.name,
    description: `${m.guestCpus} vCPUs, ${m.memoryMb / 1024} GB RAM`,
    guestCpus: m.guestCpus,
    memoryMb: m.memoryMb,
    maximumPersistentDisks: 128,
    maximumPersistentDisksSizeGb: '263168',
    zone,
    selfLink: l.url(`projects/${project}/zones/${zone}/machineTypes/${m.name}`),
    isSharedCpu: m.name === 'e2-micro',
    architecture: 'X86_64',
  };
}

export function diskJson(l: Links, state: GcpState, d: DiskRecord): Json {
  const path = diskPathOf(d);
  const users = state.users(path);
  const typePath = d.zone !== undefined ? `projects/${d.project}/zones/${d.zone}/diskTypes/${d.type}` : `projects/${d.project}/regions/${d.region}/diskTypes/${d.type}`;
  return optional({
    kind: 'compute#disk',
    id: d.id,
    creationTimestamp: rfc3339(d.createdAt),
    name: d.name,
    description: d.description,
    sizeGb: String(d.sizeGb),
    zone: d.zone !== undefined ? l.url(`projects/${d.project}/zones/${d.zone}`) : undefined,
    region: d.region !== undefined ? l.url(`projects/${d.project}/regions/${d.region}`) : undefined,
    replicaZones: d.replicaZones?.map((z) => l.url(`projects/${d.project}/zones/${z}`)),
    status: state.diskStatus(d),
    sourceSnapshot: d.sourceSnapshot ? l.url(d.sourceSnapshot) : undefined,
    sourceSnapshotId: d.sourceSnapshotId,
    sourceImage: d.sourceImage ? l.url(d.sourceImage) : undefined,
    sourceImageId: d.sourceImageId,
    selfLink: l.url(path),
    type: l.url(typePath),
    users: users.length > 0 ? users.map((u) => l.url(u)) : undefined,
    ...labelFields(d.labels),
    lastAttachTimestamp: d.lastAttachAt !== undefined ? rfc3339(d.lastAttachAt) : undefined,
    lastDetachTimestamp: d.lastDetachAt !== undefined ? rfc3339(d.lastDetachAt) : undefined,
    guestOsFeatures: d.guestOsFeatures.length > 0 ? d.guestOsFeatures.map((type) => ({ type })) : undefined,
    physicalBlockSizeBytes: String(d.physicalBlockSizeBytes),
    resourcePolicies: d.resourcePolicies.length > 0 ? d.resourcePolicies.map((p) => l.url(p)) : undefined,
    diskEncryptionKey: d.kmsKeyName ? { kmsKeyName: d.kmsKeyName } : undefined,
    architecture: d.architecture,
    satisfiesPzi: false,
    enableConfidentialCompute: false,
  });
}

export function snapshotJson(l: Links, state: GcpState, s: SnapshotRecord): Json {
  const status = state.snapshotStatus(s);
  const has = state.blocks.hasSnapshot(s.id);
  const stored = has ? state.blocks.storedBytes(s.id) : 0;
  const full = has ? state.blocks.fullBytes(s.id) : 0;
  const policyId = s.sourceSnapshotSchedulePolicy ? state.resourcePolicies.get(s.sourceSnapshotSchedulePolicy)?.id : undefined;
  return optional({
    kind: 'compute#snapshot',
    id: s.id,
    creationTimestamp: rfc3339(s.createdAt),
    name: s.name,
    description: s.description,
    status,
    sourceDisk: s.sourceDisk ? l.url(s.sourceDisk) : undefined,
    sourceDiskId: s.sourceDiskId,
    diskSizeGb: String(s.diskSizeGb),
    storageBytes: String(status === 'FAILED' ? 0 : stored),
    storageBytesStatus: status === 'READY' || status === 'FAILED' ? 'UP_TO_DATE' : 'UPDATING',
    selfLink: l.url(snapshotPathOf(s)),
    ...labelFields(s.labels),
    storageLocations: [...s.storageLocations],
    downloadBytes: String(full),
    creationSizeBytes: String(full),
    snapshotType: s.snapshotType,
    autoCreated: s.autoCreated ? true : undefined,
    chainName: s.chainName,
    guestFlush: s.guestFlush ? true : undefined,
    sourceSnapshotSchedulePolicy: s.sourceSnapshotSchedulePolicy ? l.url(s.sourceSnapshotSchedulePolicy) : undefined,
    sourceSnapshotSchedulePolicyId: policyId,
    snapshotEncryptionKey: s.kmsKeyName ? { kmsKeyName: s.kmsKeyName } : undefined,
    architecture: s.architecture,
    satisfiesPzi: false,
    enableConfidentialCompute: false,
  });
}

export function instanceJson(l: Links, state: GcpState, vm: InstanceRecord): Json {
  return optional({
    kind: 'compute#instance',
    id: vm.id,
    creationTimestamp: rfc3339(vm.createdAt),
    name: vm.name,
    description: vm.description ?? '',
    tags: { fingerprint: '42WmSpB8rSM=' },
    machineType: l.url(`projects/${vm.project}/zones/${vm.zone}/machineTypes/${vm.machineType}`),
    status: state.instanceStatus(vm),
    zone: l.url(`projects/${vm.project}/zones/${vm.zone}`),
    canIpForward: false,
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        network: l.url(`projects/${vm.project}/global/networks/default`),
        subnetwork: l.url(`projects/${vm.project}/regions/${vm.zone.replace(/-[a-z]$/, '')}/subnetworks/default`),
        networkIP: vm.networkIp,
        name: 'nic0',
        fingerprint: 'Xq9TK2g9Yd0=',
        stackType: 'IPV4_ONLY',
      },
    ],
    disks: vm.disks.map((a) => {
      const disk = state.disks.get(a.source);
      return optional({
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: a.mode,
        source: l.url(a.source),
        deviceName: a.deviceName,
        index: a.index,
        boot: a.boot,
        autoDelete: a.autoDelete,
        interface: a.interface,
        diskSizeGb: disk ? String(disk.sizeGb) : undefined,
        guestOsFeatures: disk && a.boot && disk.guestOsFeatures.length > 0 ? disk.guestOsFeatures.map((type) => ({ type })) : undefined,
        architecture: disk?.architecture,
      });
    }),
    metadata: { kind: 'compute#metadata', fingerprint: 'cbGyZUcHrbs=' },
    serviceAccounts: [
      {
        email: `${state.projects.find((p) => p.id === vm.project)?.number ?? '0'}-compute@developer.gserviceaccount.com`,
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      },
    ],
    selfLink: l.url(instancePathOf(vm)),
    scheduling: { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD' },
    cpuPlatform: state.instanceStatus(vm) === 'RUNNING' ? vm.cpuPlatform : 'Unknown CPU Platform',
    ...labelFields(vm.labels),
    startRestricted: false,
    deletionProtection: false,
    shieldedInstanceConfig: { enableSecureBoot: false, enableVtpm: true, enableIntegrityMonitoring: true },
    fingerprint: 'Jq4CzS7XWqE=',
    lastStartTimestamp: vm.lastStartAt !== undefined ? rfc3339(vm.lastStartAt) : undefined,
    lastStopTimestamp: vm.lastStopAt !== undefined ? rfc3339(vm.lastStopAt) : undefined,
    satisfiesPzi: false,
  });
}

export function imageJson(l: Links, state: GcpState, i: ImageRecord): Json {
  return optional({
    kind: 'compute#image',
    id: i.id,
    creationTimestamp: rfc3339(i.createdAt),
    name: i.name,
    description: i.description,
    sourceType: 'RAW',
    status: state.imageStatus(i),
    archiveSizeBytes: String(i.archiveSizeBytes),
    diskSizeGb: String(i.diskSizeGb),
    sourceSnapshot: i.sourceSnapshot ? l.url(i.sourceSnapshot) : undefined,
    sourceSnapshotId: i.sourceSnapshotId,
    sourceDisk: i.sourceDisk ? l.url(i.sourceDisk) : undefined,
    sourceDiskId: i.sourceDiskId,
    family: i.family,
    selfLink: l.url(imagePathOf(i)),
    ...labelFields(i.labels),
    guestOsFeatures: i.guestOsFeatures.length > 0 ? i.guestOsFeatures.map((type) => ({ type })) : undefined,
    storageLocations: [...i.storageLocations],
    architecture: i.architecture,
    satisfiesPzi: false,
    enableConfidentialCompute: false,
  });
}

export function machineImageJson(l: Links, state: GcpState, m: MachineImageRecord): Json {
  const status = state.machineImageStatus(m);
  const bytesStatus = status === 'READY' ? 'UP_TO_DATE' : 'UPDATING';
  const zone = /\/zones\/([^/]+)\//.exec(m.sourceInstance)?.[1] ?? '';
  const stored = (blocksId: string) => (state.blocks.hasSnapshot(blocksId) ? state.blocks.storedBytes(blocksId) : 0);
  return optional({
    kind: 'compute#machineImage',
    id: m.id,
    creationTimestamp: rfc3339(m.createdAt),
    name: m.name,
    description: m.description,
    sourceInstance: l.url(m.sourceInstance),
    status,
    instanceProperties: {
      machineType: m.machineType,
      canIpForward: false,
      networkInterfaces: [{ kind: 'compute#networkInterface', network: l.url(`projects/${m.project}/global/networks/default`), name: 'nic0', stackType: 'IPV4_ONLY' }],
      disks: m.savedDisks.map((d) => ({
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: d.mode,
        deviceName: d.deviceName,
        index: d.index,
        boot: d.boot,
        autoDelete: d.autoDelete,
        interface: d.interface,
        diskSizeGb: String(d.diskSizeGb),
        architecture: d.architecture,
      })),
      scheduling: { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD' },
    },
    sourceInstanceProperties: {
      machineType: m.machineType,
      canIpForward: false,
      deletionProtection: false,
      disks: m.savedDisks.map((d) => ({
        kind: 'compute#savedAttachedDisk',
        type: 'PERSISTENT',
        mode: d.mode,
        source: l.url(d.sourceDisk),
        deviceName: d.deviceName,
        index: d.index,
        boot: d.boot,
        autoDelete: d.autoDelete,
        interface: d.interface,
        diskSizeGb: String(d.diskSizeGb),
        diskType: l.url(`projects/${m.project}/zones/${zone}/diskTypes/${d.diskType}`),
        storageBytes: String(stored(d.blocksId)),
        storageBytesStatus: bytesStatus,
      })),
    },
    savedDisks: m.savedDisks.map((d) => ({
      kind: 'compute#savedDisk',
      sourceDisk: l.url(d.sourceDisk),
      storageBytes: String(stored(d.blocksId)),
      storageBytesStatus: bytesStatus,
      architecture: d.architecture,
    })),
    selfLink: l.url(machineImagePathOf(m)),
    totalStorageBytes: String(state.machineImageStoredBytes(m)),
    storageLocations: [...m.storageLocations],
    guestFlush: m.guestFlush,
    ...labelFields(m.labels),
    satisfiesPzi: false,
  });
}

export function operationJson(l: Links, state: GcpState, op: OperationRecord): Json {
  const status = state.operationStatus(op);
  const scopePath = op.scope.kind === 'global' ? 'global' : `${op.scope.kind}s/${op.scope.name}`;
  const done = status === 'DONE';
  return optional({
    kind: 'compute#operation',
    id: op.id,
    name: op.name,
    zone: op.scope.kind === 'zone' ? l.url(`projects/${op.project}/zones/${op.scope.name}`) : undefined,
    region: op.scope.kind === 'region' ? l.url(`projects/${op.project}/regions/${op.scope.name}`) : undefined,
    clientOperationId: op.requestId,
    operationType: op.operationType,
    targetLink: l.url(op.targetLink),
    targetId: op.targetId,
    status,
    user: op.user,
    progress: state.operationProgress(op),
    insertTime: rfc3339(op.insertAt),
    startTime: status === 'PENDING' ? undefined : rfc3339(op.startAt),
    endTime: done ? rfc3339(op.endAt) : undefined,
    error: done && op.error ? { errors: [{ code: op.error.code, message: op.error.message }] } : undefined,
    httpErrorStatusCode: done && op.error ? op.error.httpStatus : undefined,
    httpErrorMessage: done && op.error ? op.error.httpMessage : undefined,
    selfLink: l.url(`projects/${op.project}/${scopePath}/operations/${op.name}`),
  });
}

/** A scope's key in aggregated lists, and the scopes of a project in the order Compute lists them. */
export function aggregatedScopes(kind: 'zones' | 'zonesAndRegions' | 'all'): string[] {
  const zones = GCP_ZONES.map((z) => `zones/${z.name}`);
  const regions = GCP_REGIONS.map((r) => `regions/${r.name}`);
  const scopes = kind === 'zones' ? zones : kind === 'zonesAndRegions' ? [...regions, ...zones] : ['global', ...regions, ...zones];
  return scopes.sort();
}

export function noResultsWarning(scope: string): Json {
  return { code: 'NO_RESULTS_ON_PAGE', message: `There are no results for scope '${scope}' on this page.`, data: [{ key: 'scope', value: scope }] };
}

