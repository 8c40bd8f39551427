/**
 * The seam between the GCP adapter (main thread) and the Compute Engine SDK (a worker thread).
 * Everything that crosses it is plain JSON: requests and answers as the REST API writes them
 * (int64 as strings, absolute selfLinks), errors as {@link WireError}. No protobuf class, no
 * function, no SDK type: the main side never loads `@google-cloud/compute` or `google-gax`.
 */

/** A Compute Engine resource or answer, as REST JSON. */
export type Json = Record<string, unknown>;

/** How the SDK side connects: the sandbox (a fixed bearer token) or Application Default Credentials. */
export type GcpConnection =
  | {
      mode: 'sandbox';
      /** http://127.0.0.1:PORT (Compute under /compute/v1/, Resource Manager under /v1/projects). */
      endpoint: string;
      apiEndpoint: string;
      port: number;
      protocol: 'http';
      accessToken: string;
    }
  | {
      mode: 'adc';
      /** Quota / billing project (x-goog-user-project), when set. */
      quotaProject?: string;
      /** A credentials file to use instead of the ADC search (GOOGLE_APPLICATION_CREDENTIALS style). */
      keyFile?: string;
    };

/** The global (per project) collections listed with `list`. */
export type GlobalKind = 'snapshots' | 'images' | 'machineImages';
/** Collections listed per project with `aggregatedList`. */
export type AggregatedKind = 'instances' | 'disks';
/** What `get` can read. */
export type GetKind = 'instance' | 'disk' | 'snapshot' | 'image' | 'machineImage';

/** Where a zonal / regional / global resource or operation lives. */
export interface Place {
  project: string;
  zone?: string;
  region?: string;
}

export interface ResourceRef extends Place {
  name: string;
}

export interface OperationRef extends Place {
  /** The operation's name (`operation-…`), as `latestResponse.name` gives it. */
  operation: string;
}

export interface ProjectInfo {
  projectId: string;
  name?: string;
  projectNumber?: string;
  lifecycleState?: string;
}

export interface ListOptions {
  /** Page size (maxResults); the listing follows every page. */
  pageSize?: number;
  filter?: string;
}

/** Every mutation the adapter makes; each answers the Operation (REST JSON). `requestId` is the caller's. */
export type Mutation =
  | { method: 'createSnapshot'; disk: ResourceRef; snapshot: Json; guestFlush?: boolean; requestId: string }
  | { method: 'insertDisk'; place: Place; disk: Json; requestId: string }
  | { method: 'deleteDisk'; disk: ResourceRef; requestId: string }
  | { method: 'insertImage'; project: string; image: Json; forceCreate?: boolean; requestId: string }
  | { method: 'insertMachineImage'; project: string; machineImage: Json; requestId: string }
  | { method: 'deleteSnapshot' | 'deleteImage' | 'deleteMachineImage'; ref: ResourceRef; requestId: string }
  | { method: 'stopInstance' | 'startInstance'; instance: ResourceRef; requestId: string }
  | { method: 'attachDisk'; instance: ResourceRef; attachedDisk: Json; requestId: string }
  | { method: 'detachDisk'; instance: ResourceRef; deviceName: string; requestId: string }
  | { method: 'setLabels'; kind: GetKind; ref: ResourceRef; labels: Record<string, string>; labelFingerprint?: string; requestId: string };

/** An error as it crosses the seam (becomes a CloudError on the main side, errors.ts). */
export interface WireError {
  /** HTTP status when the service answered. */
  status?: number;
  /** gRPC code number (GoogleError.code). */
  grpcCode?: number;
  /** ErrorInfo reason (SERVICE_DISABLED…) or the Compute error reason, when known. */
  reason?: string;
  /** Node / socket error code (ECONNREFUSED…), or ABORT_ERR. */
  code?: string;
  /** The service's message (no token, no header). */
  message: string;
  /** The error's class name (GoogleError, SyntaxError, GaxiosError…). */
  name?: string;
  /** Service-disabled activation URL, when the error carries it. */
  activationUrl?: string;
}

/** Plain-data access to Compute Engine and Resource Manager. Every method rejects with a WireError. */
export interface GcpApi {
  listProjects(signal?: AbortSignal): Promise<ProjectInfo[]>;
  listZones(project: string, signal?: AbortSignal): Promise<Json[]>;
  listRegions(project: string, signal?: AbortSignal): Promise<Json[]>;
  /** An aggregated list: scope key (`zones/x`, `regions/y`) → items; empty scopes appear with []. */
  aggregatedList(kind: AggregatedKind, project: string, opts: ListOptions, signal?: AbortSignal): Promise<Record<string, Json[]>>;
  list(kind: GlobalKind, project: string, opts: ListOptions, signal?: AbortSignal): Promise<Json[]>;
  get(kind: GetKind, ref: ResourceRef): Promise<Json>;
  mutate(m: Mutation): Promise<Json>;
  getOperation(ref: OperationRef): Promise<Json>;
  /** Blocks (server-side, about 2 minutes at most) until the operation is DONE or time runs out. */
  waitOperation(ref: OperationRef): Promise<Json>;
  dispose(): void;
}

/** True for a value shaped like a WireError. */
export function isWireError(e: unknown): e is WireError {
  return typeof e === 'object' && e !== null && typeof (e as WireError).message === 'string' && !(e instanceof Error);
}
