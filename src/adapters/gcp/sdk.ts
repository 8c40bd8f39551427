/**
 * The GcpApi over the official SDK (`@google-cloud/compute` 7.8, REST fallback): DEEP imports of
 * the v1 clients only (the package root pulls 29 MiB), clients created on first use, every
 * answer turned into plain REST JSON. This module is what the worker thread hosts (worker.ts);
 * tests and the benchmark may also run it in-process (`DirectApi`). The SDK's own retries are
 * off (`retry: null`): the main side retries 429/503 a bounded number of times, with the same
 * `requestId` for mutations, so a retried create can never make two resources.
 */
import { DisksClient } from '@google-cloud/compute/build/src/v1/disks_client';
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import { ImagesClient } from '@google-cloud/compute/build/src/v1/images_client';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client';
import { MachineImagesClient } from '@google-cloud/compute/build/src/v1/machine_images_client';
import { RegionDisksClient } from '@google-cloud/compute/build/src/v1/region_disks_client';
import { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client';
import { RegionsClient } from '@google-cloud/compute/build/src/v1/regions_client';
import { SnapshotsClient } from '@google-cloud/compute/build/src/v1/snapshots_client';
import { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client';
import { ZonesClient } from '@google-cloud/compute/build/src/v1/zones_client';
import { GoogleAuth, googleAuthLibrary } from 'google-gax';
import type { AggregatedKind, GcpApi, GcpConnection, GetKind, GlobalKind, Json, ListOptions, Mutation, OperationRef, ProjectInfo, ResourceRef, WireError } from './api';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
/** The SDK retries nothing: the adapter decides (bounded, with the same requestId). */
const CALL = { retry: null, autoPaginate: false } as const;

// The SDK's client classes differ only in their methods; they are used through this loose shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = any;

const CLIENTS = {
  disks: DisksClient,
  regionDisks: RegionDisksClient,
  instances: InstancesClient,
  snapshots: SnapshotsClient,
  images: ImagesClient,
  machineImages: MachineImagesClient,
  zoneOperations: ZoneOperationsClient,
  regionOperations: RegionOperationsClient,
  globalOperations: GlobalOperationsClient,
  zones: ZonesClient,
  regions: RegionsClient,
} as const;
type ClientName = keyof typeof CLIENTS;

/** A protobuf.js-decoded message as plain REST JSON: without the `_field` oneof markers. */
export function plain(x: unknown): unknown {
  if (Array.isArray(x)) {
    return x.map(plain);
  }
  if (x === null || typeof x !== 'object') {
    return x;
  }
  if (typeof (x as { toJSON?: unknown }).toJSON === 'function' && !(x instanceof Date)) {
    const j = (x as { toJSON(): unknown }).toJSON();
    if (j !== x) {
      return plain(j);
    }
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(x as Json)) {
    if (k.startsWith('_') && typeof v === 'string') {
      continue;
    }
    if (v === undefined || v === null) {
      continue;
    }
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) {
      continue;
    }
    out[k] = plain(v);
  }
  return out;
}

interface ErrLike {
  name?: string;
  message?: string;
  code?: number | string;
  httpStatusCode?: number;
  status?: number;
  reason?: string;
  errorInfoMetadata?: Record<string, string>;
  statusDetails?: unknown[];
  response?: { status?: number; data?: unknown };
}

/** Anything the SDK, gaxios or a socket throws, as plain data (no stack, no headers, no token). */
export function toWire(e: unknown): WireError {
  if (typeof e !== 'object' || e === null) {
    return { message: String(e) };
  }
  const err = e as ErrLike;
  const out: WireError = { message: (err.message ?? '').split('\n')[0].slice(0, 1000), name: err.name ?? (e as object).constructor?.name };
  if (typeof err.code === 'string') {
    out.code = err.code;
  } else if (typeof err.code === 'number') {
    if (err.name === 'GoogleError' || err.httpStatusCode !== undefined || (e as object).constructor?.name === 'GoogleError') {
      out.grpcCode = err.code;
    }
  }
  const status = err.httpStatusCode ?? err.response?.status ?? (typeof err.status === 'number' ? err.status : undefined);
  if (status !== undefined) {
    out.status = status;
  }
  if (err.reason) {
    out.reason = err.reason;
  }
  const activation = err.errorInfoMetadata?.activationUrl;
  if (activation) {
    out.activationUrl = activation;
  }
  // Resource Manager through gaxios: the body's error.status / errors[0].reason.
  const data = err.response?.data as { error?: { message?: string; status?: string; errors?: { reason?: string }[] } } | undefined;
  if (data?.error) {
    out.message = data.error.message ?? out.message;
    out.reason = out.reason ?? data.error.errors?.[0]?.reason ?? data.error.status;
  }
  return out;
}

function abortWire(): WireError {
  return { name: 'AbortError', code: 'ABORT_ERR', message: 'The request was aborted' };
}

/** The GcpApi over the SDK, in whatever thread loads this module. */
export class SdkApi implements GcpApi {
  private readonly clients = new Map<ClientName, AnyClient>();
  private readonly auth: InstanceType<typeof GoogleAuth> | InstanceType<typeof googleAuthLibrary.OAuth2Client>;

  constructor(private readonly conn: GcpConnection) {
    if (conn.mode === 'sandbox') {
      const client = new googleAuthLibrary.OAuth2Client();
      // A far expiry: the sandbox's token never lapses, and nothing may try to refresh it.
      client.setCredentials({ access_token: conn.accessToken, expiry_date: Date.now() + 10 * 365 * 24 * 3600_000 });
      this.auth = client;
    } else {
      this.auth = new GoogleAuth({ scopes: SCOPES, ...(conn.keyFile ? { keyFilename: conn.keyFile } : {}), ...(conn.quotaProject ? { clientOptions: { quotaProjectId: conn.quotaProject } } : {}) });
    }
  }

  private client(name: ClientName): AnyClient {
    let c = this.clients.get(name);
    if (!c) {
      const Ctor = CLIENTS[name] as unknown as new (opts: unknown) => AnyClient;
      const conn = this.conn;
      c =
        conn.mode === 'sandbox'
          ? new Ctor({ apiEndpoint: conn.apiEndpoint, port: conn.port, protocol: conn.protocol, fallback: true, authClient: this.auth })
          : new Ctor({ fallback: true, authClient: this.auth });
      this.clients.set(name, c);
    }
    return c;
  }

  private async call<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) {
      throw abortWire();
    }
    try {
      const v = await fn();
      if (signal?.aborted) {
        throw abortWire();
      }
      return v;
    } catch (e) {
      throw signal?.aborted ? abortWire() : typeof e === 'object' && e !== null && 'message' in e && !(e instanceof Error) ? e : toWire(e);
    }
  }

  async listProjects(signal?: AbortSignal): Promise<ProjectInfo[]> {
    const url = this.conn.mode === 'sandbox' ? `${this.conn.endpoint}/v1/projects` : 'https://cloudresourcemanager.googleapis.com/v1/projects';
    const out: ProjectInfo[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call(
        () => (this.auth as { request<T>(o: unknown): Promise<{ data: T }> }).request<{ projects?: ProjectInfo[]; nextPageToken?: string }>({ url, params: { pageToken, filter: 'lifecycleState:ACTIVE' }, signal }),
        signal,
      );
      const data = res.data ?? {};
      for (const p of data.projects ?? []) {
        if (p && typeof p.projectId === 'string') {
          out.push({ projectId: p.projectId, name: p.name, projectNumber: p.projectNumber !== undefined ? String(p.projectNumber) : undefined, lifecycleState: p.lifecycleState });
        }
      }
      pageToken = data.nextPageToken || undefined;
    } while (pageToken);
    return out;
  }

  private async pages(name: ClientName, request: Json, opts: ListOptions, signal?: AbortSignal): Promise<Json[]> {
    const out: Json[] = [];
    let req: Json | null = { ...request, ...(opts.pageSize ? { maxResults: opts.pageSize } : {}), ...(opts.filter ? { filter: opts.filter } : {}) };
    while (req) {
      const [items, next] = (await this.call(() => this.client(name).list(req, CALL), signal)) as [unknown[], Json | null];
      out.push(...(items ?? []).map((x) => plain(x) as Json));
      req = next && next.pageToken ? next : null;
    }
    return out;
  }

  listZones(project: string, signal?: AbortSignal): Promise<Json[]> {
    return this.pages('zones', { project }, {}, signal);
  }

  listRegions(project: string, signal?: AbortSignal): Promise<Json[]> {
    return this.pages('regions', { project }, {}, signal);
  }

  list(kind: GlobalKind, project: string, opts: ListOptions, signal?: AbortSignal): Promise<Json[]> {
    return this.pages(kind, { project }, opts, signal);
  }

  async aggregatedList(kind: AggregatedKind, project: string, opts: ListOptions, signal?: AbortSignal): Promise<Record<string, Json[]>> {
    const field = kind;
    const out: Record<string, Json[]> = {};
    await this.call(async () => {
      const iter = this.client(kind).aggregatedListAsync({ project, returnPartialSuccess: false, ...(opts.pageSize ? { maxResults: opts.pageSize } : {}), ...(opts.filter ? { filter: opts.filter } : {}) }, CALL) as AsyncIterable<[string, Json]>;
      for await (const [scope, scoped] of iter) {
        if (signal?.aborted) {
          throw abortWire();
        }
        const items = ((scoped?.[field] as unknown[]) ?? []).map((x) => plain(x) as Json);
        (out[scope] ??= []).push(...items);
      }
    }, signal);
    return out;
  }

  async get(kind: GetKind, ref: ResourceRef): Promise<Json> {
    const { project, zone, region, name } = ref;
    let p: Promise<unknown[]>;
    switch (kind) {
      case 'instance':
        p = this.client('instances').get({ project, zone, instance: name }, CALL);
        break;
      case 'disk':
        p = region ? this.client('regionDisks').get({ project, region, disk: name }, CALL) : this.client('disks').get({ project, zone, disk: name }, CALL);
        break;
      case 'snapshot':
        p = this.client('snapshots').get({ project, snapshot: name }, CALL);
        break;
      case 'image':
        p = this.client('images').get({ project, image: name }, CALL);
        break;
      case 'machineImage':
        p = this.client('machineImages').get({ project, machineImage: name }, CALL);
        break;
    }
    const [r] = await this.call(() => p);
    return plain(r) as Json;
  }

  async mutate(m: Mutation): Promise<Json> {
    const op = (await this.call(() => this.start(m))) as [{ latestResponse?: unknown }];
    return plain(op[0]?.latestResponse ?? op[0]) as Json;
  }

  private start(m: Mutation): Promise<unknown> {
    const requestId = m.requestId;
    switch (m.method) {
      case 'createSnapshot': {
        const { project, zone, region, name } = m.disk;
        const extra = m.guestFlush ? { guestFlush: true } : {};
        return region
          ? this.client('regionDisks').createSnapshot({ project, region, disk: name, snapshotResource: m.snapshot, requestId }, CALL)
          : this.client('disks').createSnapshot({ project, zone, disk: name, snapshotResource: m.snapshot, requestId, ...extra }, CALL);
      }
      case 'insertDisk': {
        const { project, zone, region } = m.place;
        return region
          ? this.client('regionDisks').insert({ project, region, diskResource: m.disk, requestId }, CALL)
          : this.client('disks').insert({ project, zone, diskResource: m.disk, requestId }, CALL);
      }
      case 'deleteDisk': {
        const { project, zone, region, name } = m.disk;
        return region ? this.client('regionDisks').delete({ project, region, disk: name, requestId }, CALL) : this.client('disks').delete({ project, zone, disk: name, requestId }, CALL);
      }
      case 'insertImage':
        return this.client('images').insert({ project: m.project, imageResource: m.image, requestId, ...(m.forceCreate ? { forceCreate: true } : {}) }, CALL);
      case 'insertMachineImage':
        return this.client('machineImages').insert({ project: m.project, machineImageResource: m.machineImage, requestId }, CALL);
      case 'deleteSnapshot':
        return this.client('snapshots').delete({ project: m.ref.project, snapshot: m.ref.name, requestId }, CALL);
      case 'deleteImage':
        return this.client('images').delete({ project: m.ref.project, image: m.ref.name, requestId }, CALL);
      case 'deleteMachineImage':
        return this.client('machineImages').delete({ project: m.ref.project, machineImage: m.ref.name, requestId }, CALL);
      case 'stopInstance':
        return this.client('instances').stop({ project: m.instance.project, zone: m.instance.zone, instance: m.instance.name, requestId }, CALL);
      case 'startInstance':
        return this.client('instances').start({ project: m.instance.project, zone: m.instance.zone, instance: m.instance.name, requestId }, CALL);
      case 'attachDisk':
        return this.client('instances').attachDisk({ project: m.instance.project, zone: m.instance.zone, instance: m.instance.name, attachedDiskResource: m.attachedDisk, requestId }, CALL);
      case 'detachDisk':
        return this.client('instances').detachDisk({ project: m.instance.project, zone: m.instance.zone, instance: m.instance.name, deviceName: m.deviceName, requestId }, CALL);
      case 'setLabels':
        return this.setLabels(m);
    }
  }

  private setLabels(m: Extract<Mutation, { method: 'setLabels' }>): Promise<unknown> {
    const { project, zone, region, name } = m.ref;
    const body = { labels: m.labels, ...(m.labelFingerprint ? { labelFingerprint: m.labelFingerprint } : {}) };
    const requestId = m.requestId;
    switch (m.kind) {
      case 'disk':
        return region
          ? this.client('regionDisks').setLabels({ project, region, resource: name, regionSetLabelsRequestResource: body, requestId }, CALL)
          : this.client('disks').setLabels({ project, zone, resource: name, zoneSetLabelsRequestResource: body, requestId }, CALL);
      case 'instance':
        return this.client('instances').setLabels({ project, zone, instance: name, instancesSetLabelsRequestResource: body, requestId }, CALL);
      case 'snapshot':
        return this.client('snapshots').setLabels({ project, resource: name, globalSetLabelsRequestResource: body }, CALL);
      case 'image':
        return this.client('images').setLabels({ project, resource: name, globalSetLabelsRequestResource: body }, CALL);
      case 'machineImage':
        return this.client('machineImages').setLabels({ project, resource: name, globalSetLabelsRequestResource: body }, CALL);
    }
  }

  private operationCall(verb: 'get' | 'wait', ref: OperationRef): Promise<unknown[]> {
    const { project, zone, region, operation } = ref;
    if (zone) {
      return this.client('zoneOperations')[verb]({ project, zone, operation }, CALL);
    }
    if (region) {
      return this.client('regionOperations')[verb]({ project, region, operation }, CALL);
    }
    return this.client('globalOperations')[verb]({ project, operation }, CALL);
  }

  async getOperation(ref: OperationRef): Promise<Json> {
    const [r] = await this.call(() => this.operationCall('get', ref));
    return plain(r) as Json;
  }

  async waitOperation(ref: OperationRef): Promise<Json> {
    const [r] = await this.call(() => this.operationCall('wait', ref));
    return plain(r) as Json;
  }

  dispose(): void {
    for (const c of this.clients.values()) {
      void Promise.resolve(c.close?.()).catch(() => undefined);
    }
    this.clients.clear();
  }
}

/** The SDK in the caller's own thread (tests, the benchmark's comparison). */
export class DirectApi extends SdkApi {}
