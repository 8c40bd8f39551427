/**
 * Serves Compute Engine v1 REST on the sandbox's HTTP listener under `/compute/v1/`: bearer
 * check (the fixed sandbox access token), API-enabled check per project, fault injection,
 * `operations/{op}/wait` (blocks until DONE or `waitMaxMs`), error bodies as Google writes them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockModelError } from '../blocks';
import type { FaultInjector, RegionFault } from '../faults';
import { decodePath, delay } from '../http';
import { accessNotConfigured, backendError, GcpError, rateLimited, unauthenticated } from './errors';
import type { GcpState } from './state';
import { type GcpResponse, type GcpRoute, routeGcp } from './wire';

/** The access token the sandbox accepts (not a secret: it opens only the local sandbox). */
export const SANDBOX_GCP_ACCESS_TOKEN = 'ya29.snapkeeper-sandbox-access-token-not-a-real-secret';

export const GCP_PATH_PREFIX = '/compute/v1/';

export interface GcpRuntime {
  readonly gcp: GcpState;
  readonly faults: FaultInjector;
  changed(): void;
}



function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, truncate = false): void {
  let data = Buffer.from(JSON.stringify(body), 'utf8');
  if (truncate) {
    data = data.subarray(0, Math.max(1, Math.floor(data.length * 0.6)));
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    vary: 'Origin, X-Origin, Referer',
    server: 'ESF',
    'x-content-type-options': 'nosniff',
    ...headers,
    'content-length': String(data.length),
  });
  res.end(data);
}

function sendError(res: ServerResponse, error: GcpError): void {
  send(res, error.status, error.body(), error.extra.headers ?? {});
}

/** A scope fault (FaultConfig.regions keyed by project, zone or region) as Google's error. */
export function scopeFaultError(fault: RegionFault, projectNumber: string): GcpError {
  if (fault.code === 'accessNotConfigured') {
    return accessNotConfigured(projectNumber);
  }
  const status = fault.status;
  const grpc = status === 403 ? 'PERMISSION_DENIED' : status === 404 ? 'NOT_FOUND' : status === 429 ? 'RESOURCE_EXHAUSTED' : status >= 500 ? 'UNAVAILABLE' : undefined;
  return new GcpError(status, fault.code, fault.message, grpc ? { grpcStatus: grpc } : {});
}

export async function serveGcp(runtime: GcpRuntime, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
  const auth = req.headers.authorization ?? '';
  const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  if (token !== SANDBOX_GCP_ACCESS_TOKEN) {
    return sendError(res, unauthenticated());
  }
  let parsed: unknown;
  if (body.length > 0) {
    try {
      parsed = JSON.parse(body.toString('utf8')) as unknown;
    } catch (error) {
      return sendError(res, new GcpError(400, 'parseError', `Invalid JSON payload received. ${(error as Error).message}`, { grpcStatus: 'INVALID_ARGUMENT' }));
    }
  }
  const state = runtime.gcp;
  const before = state.revision;
  state.sweep();
  if (state.revision !== before) {
    runtime.changed();
  }
  const host = req.headers.host ?? `127.0.0.1`;
  const method = (req.method ?? 'GET').toUpperCase();
  let route: GcpRoute;
  try {
    route = routeGcp(state, {
      method,
      path: decodePath(url.pathname.slice(GCP_PATH_PREFIX.length)),
      query: url.searchParams,
      body: parsed,
      base: `http://${host}${GCP_PATH_PREFIX}`,
    });
  } catch (error) {
    if (error instanceof GcpError) {
      return sendError(res, error);
    }
    throw error;
  }
  const project = state.project(route.project);
  if (!project.apiEnabled) {
    return sendError(res, accessNotConfigured(project.number));
  }

  await delay(runtime.faults.latencyMs());
  const decision = runtime.faults.decide(route.action, route.scopes);
  switch (decision.kind) {
    case 'expired':
      return sendError(res, unauthenticated());
    case 'region':
      return sendError(res, scopeFaultError(decision.fault, project.number));
    case 'drop':
      res.socket?.destroy();
      return;
    case 'throttle':
    case 'throttleNoRetryAfter':
      return sendError(res, rateLimited(project.number));
    case 'serverError':
      return sendError(res, backendError());
    default:
      break;
  }

  if (route.waitFor) {
    const op = route.waitFor;
    const remaining = op.endAt - state.now();
    await delay(Math.min(state.timing.waitMaxMs, Math.max(0, remaining)));
    runtime.gcp.sweep();
  }

  let response: GcpResponse;
  try {
    const faults = runtime.faults.get().regions ?? {};
    const unreachable = (scope: string) => (faults[scope] ? scopeFaultError(faults[scope], project.number) : undefined);
    response = route.run(decision.kind === 'lroFailure', unreachable);
  } catch (error) {
    if (error instanceof GcpError) {
      return sendError(res, error);
    }
    if (error instanceof BlockModelError) {
      return sendError(res, new GcpError(400, 'invalid', error.message));
    }
    throw error;
  } finally {
    if (route.mutating) {
      runtime.changed();
    }
  }
  if (decision.kind === 'dropAfterCommit') {
    res.socket?.destroy();
    return;
  }
  send(res, response.status, response.body, {}, decision.kind === 'malformed');
}

/** Cloud Resource Manager v1: `GET /v1/projects` (the projects an account sees), on the main listener. */
export const CRM_PROJECTS_PATH = '/v1/projects';

/**
 * `GET /v1/projects[?pageSize=&pageToken=&filter=lifecycleState:ACTIVE]` as Resource Manager
 * answers it: `{projects: [{projectNumber, projectId, lifecycleState, name, createTime}], nextPageToken?}`.
 * Same bearer token and faults (`expired`, the rates; action `cloudresourcemanager.projects.list`).
 * Projects whose Compute API is off are listed too (Resource Manager does not care).
 */
export async function serveResourceManager(runtime: GcpRuntime, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const auth = req.headers.authorization ?? '';
  const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  if (token !== SANDBOX_GCP_ACCESS_TOKEN) {
    return sendError(res, unauthenticated());
  }
  if ((req.method ?? 'GET').toUpperCase() !== 'GET' || url.pathname.replace(/\/+$/, '') !== CRM_PROJECTS_PATH) {
    return sendError(res, new GcpError(404, 'notFound', `Method not found: ${req.method} ${url.pathname}`, { grpcStatus: 'NOT_FOUND' }));
  }
  await delay(runtime.faults.latencyMs());
  const decision = runtime.faults.decide('cloudresourcemanager.projects.list', []);
  switch (decision.kind) {
    case 'expired':
      return sendError(res, unauthenticated());
    case 'drop':
    case 'dropAfterCommit':
      res.socket?.destroy();
      return;
    case 'throttle':
    case 'throttleNoRetryAfter':
      return sendError(res, new GcpError(429, 'rateLimitExceeded', 'Quota exceeded for quota metric \'Read requests\'.', { grpcStatus: 'RESOURCE_EXHAUSTED' }));
    case 'serverError':
      return sendError(res, backendError());
    default:
      break;
  }
  const size = Math.max(1, Math.min(500, Number(url.searchParams.get('pageSize')) || 500));
  const offset = Math.max(0, Number(url.searchParams.get('pageToken') ? Buffer.from(url.searchParams.get('pageToken') as string, 'base64url').toString('utf8') : 0) || 0);
  const all = runtime.gcp.projects.map((p) => ({
    projectNumber: p.number,
    projectId: p.id,
    lifecycleState: 'ACTIVE',
    name: p.name,
    createTime: new Date(p.createdAt).toISOString(),
  }));
  const page = all.slice(offset, offset + size);
  const next = offset + size < all.length ? Buffer.from(String(offset + size), 'utf8').toString('base64url') : undefined;
  send(res, 200, { projects: page, ...(next ? { nextPageToken: next } : {}) }, {}, decision.kind === 'malformed');
}
