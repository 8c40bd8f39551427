/**
 * ARM answers: the request/response/route shapes, list paging with absolute nextLinks ($top
 * where it applies), and long-running operations in the configured style (see wire.ts).
 */
import { ArmError } from './errors';
import * as shapes from './shapes';
import type { AzureState, LroStyle, OperationRecord } from './state';
import type { Json } from './bodies';

export interface ArmRequest {
  method: string;
  /** The decoded path. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A routed request: its operationId (for faults) and what to run. */
export interface ArmRoute {
  operation: string;
  /** Locations and subscription ids the request concerns (per-region faults). */
  scopes: string[];
  /** True when running it may change state. */
  mutating: boolean;
  /** Runs it; `fail` makes its long-running operation end Failed (fault injection). */
  run(fail: boolean): ArmResponse;
}
// ---- paging ------------------------------------------------------------------------------------

/**
 * `$top` exists only where an operation's spec declares it. Of the lists served here that is
 * ResourceGroups_List (azure-rest-api-specs, `Microsoft.Resources/stable/<version>/resources.json`:
 * `$filter`, `$top`); the Compute lists (`Disks_List`, `Snapshots_List`, …) and Subscriptions_List
 * declare none, and ARM ignores a query parameter an operation does not take (the providers list
 * with `$top` answers everything: Azure/azure-rest-api-specs#1129). Where it applies, `$top` sizes
 * each page and the nextLink keeps it (Azure/azure-sdk-for-python#541); ARM refuses a `$top`
 * above 1000 with 400 InvalidTopInQueryString (Azure/azure-sdk-for-js#18535, the same front door);
 * the sandbox refuses a value that is not a whole number from 1 to 1000 the same way (the message
 * is the sandbox's own).
 */
export const MAX_TOP = 1000;

export function topOf(req: ArmRequest): number | undefined {
  const raw = req.query.get('$top');
  if (raw === null) {
    return undefined;
  }
  const top = /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(top >= 1 && top <= MAX_TOP)) {
    throw new ArmError(
      400,
      'InvalidTopInQueryString',
      `The value '${raw.slice(0, 40)}' of the query parameter '$top' is invalid: it must be a whole number from 1 to ${MAX_TOP}.`,
    );
  }
  return top;
}

/** One page of a list; `withTop` for the operations that declare `$top`. */
export function page(items: unknown[], req: ArmRequest, base: string, pageSize: number, withTop = false): ArmResponse {
  const token = req.query.get('$skiptoken');
  let offset = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) {
      throw new ArmError(400, 'InvalidSkipToken', `The skip token '${token}' is invalid.`);
    }
    offset = decoded;
  }
  const top = withTop ? topOf(req) : undefined;
  const size = top === undefined ? pageSize : Math.min(top, pageSize);
  const value = items.slice(offset, offset + size);
  const body: Json = { value };
  if (offset + size < items.length) {
    const apiVersion = encodeURIComponent(req.query.get('api-version') ?? '');
    const token = Buffer.from(`o:${offset + size}`).toString('base64url');
    const keepTop = top === undefined ? '' : `&$top=${top}`;
    body.nextLink = `${base}${encodePath(req.path)}?api-version=${apiVersion}${keepTop}&$skiptoken=${token}`;
  }
  return { status: 200, body };
}

export function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

// ---- long-running operations ----------------------------------------------------------------

export function defaultStyle(operation: string, method: string): Exclude<LroStyle, 'default'> {
  if (method === 'DELETE') {
    return 'location';
  }
  if (operation === 'Images_CreateOrUpdate') {
    return 'provisioning-state';
  }
  return 'azure-async-operation';
}

export function operationUrls(op: OperationRecord, base: string, apiVersion: string): { status: string; monitor: string } {
  const kind = op.provider === 'disk' ? 'DiskOperations' : 'operations';
  const status = `${base}/subscriptions/${op.subscriptionId}/providers/Microsoft.Compute/locations/${op.location}/${kind}/${op.id}?p=${encodeURIComponent(op.name)}&api-version=${encodeURIComponent(apiVersion)}`;
  return { status, monitor: `${status}&monitor=true` };
}

export function lroAnswer(
  state: AzureState,
  op: OperationRecord,
  created: boolean,
  body: Json | undefined,
  base: string,
  apiVersion: string,
): ArmResponse {
  const configured = state.lroStyle(op.name);
  let style = configured === 'default' ? defaultStyle(op.name, op.method) : configured;
  if (style === 'provisioning-state' && op.method !== 'PUT') {
    style = 'location';
  }
  const urls = operationUrls(op, base, apiVersion);
  const retryAfter = String(state.timing.retryAfterSeconds);
  const isWrite = op.method === 'PUT' || op.method === 'PATCH';
  switch (style) {
    case 'provisioning-state':
      return { status: created ? 201 : 200, body };
    case 'location':
      return { status: 202, headers: { location: urls.monitor, 'retry-after': retryAfter } };
    default: {
      const headers = { 'azure-asyncoperation': urls.status, location: urls.monitor, 'retry-after': retryAfter };
      if (isWrite && op.provider === 'compute') {
        return { status: created ? 201 : 200, headers, body };
      }
      return { status: 202, headers, body: isWrite ? body : undefined };
    }
  }
}

/** GET of the monitor URL (`Location`): 202 while running, then the result or the error. */
export function monitorAnswer(state: AzureState, op: OperationRecord, base: string, apiVersion: string): ArmResponse {
  const status = state.operationStatus(op);
  if (status === 'InProgress') {
    const urls = operationUrls(op, base, apiVersion);
    return { status: 202, headers: { location: urls.monitor, 'retry-after': String(state.timing.retryAfterSeconds) } };
  }
  if (status === 'Failed' && op.error) {
    const { status: code, ...error } = op.error;
    return { status: code, body: { error } };
  }
  if (op.method === 'DELETE') {
    return { status: 204 };
  }
  if (op.method === 'POST') {
    return { status: 200, body: op.output };
  }
  return { status: 200, body: op.resourceId ? resourceJsonById(state, op.resourceId) : undefined };
}

export function resourceJsonById(state: AzureState, id: string): Json | undefined {
  const key = id.toLowerCase();
  const disk = state.disks.get(key);
  if (disk) {
    return shapes.diskJson(state, disk);
  }
  const snap = state.snapshots.get(key);
  if (snap) {
    return shapes.snapshotJson(state, snap);
  }
  const vm = state.vms.get(key);
  if (vm) {
    return shapes.vmJson(state, vm, false);
  }
  const image = state.images.get(key);
  return image ? shapes.imageJson(state, image) : undefined;
}
