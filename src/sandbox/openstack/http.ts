/**
 * Serves OpenStack on the sandbox's shared listener: Keystone at `/identity`, Nova at `/compute`,
 * Cinder at `/volume`, Glance at `/image`, Neutron at `/networking` (the paths of a devstack);
 * the regions after the first under `/<region>/…`. Every service request needs a valid
 * `X-Auth-Token` (keystonemiddleware's 401 otherwise); Nova and Cinder take a microversion in
 * `OpenStack-API-Version` (Nova also `X-OpenStack-Nova-API-Version`); faults are answered in the
 * service's words, with `Retry-After` on 413/429/503.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockModelError } from '../blocks';
import type { FaultInjector } from '../faults';
import { delay, send, truncate } from '../http';
import { OsError, type OsService, unauthorized } from './errors';
import type { OsSite } from './shapes';
import type { OsState, TokenRecord } from './state';
import { type Answer, type RouteContext, ROUTES } from './wire';

/** The wait a throttling fault names (short: tests wait it out). */
const THROTTLE_RETRY_AFTER_S = 1;

export const OPENSTACK_SERVICE_PATHS: Record<string, OsService> = {
  identity: 'identity',
  compute: 'compute',
  volume: 'volume',
  image: 'image',
  networking: 'network',
};

export interface OsRuntime {
  readonly os: OsState;
  readonly faults: FaultInjector;
  site(): OsSite;
  changed(): void;
}

/** The region, service and the path inside the service of a request, or undefined when it is not OpenStack's. */
export function parseOsPath(regions: readonly string[], pathname: string): { region: string; service: OsService; prefix: string; rest: string } | undefined {
  const segments = pathname.split('/');
  let region = regions[0];
  let index = 1;
  if (regions.slice(1).includes(segments[1])) {
    region = segments[1];
    index = 2;
  }
  const service = OPENSTACK_SERVICE_PATHS[segments[index] ?? ''];
  if (service === undefined || region === undefined) {
    return undefined;
  }
  return { region, service, prefix: segments.slice(0, index + 1).join('/'), rest: `/${segments.slice(index + 1).join('/')}` };
}

/** A microversion header's value for a service: `compute 2.60`, `volume 3.40`, `latest`. */
function requestedMicroversion(req: IncomingMessage, service: 'compute' | 'volume'): string | undefined {
  const header = req.headers['openstack-api-version'];
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, version] = part.trim().split(/\s+/);
    if (name?.toLowerCase() === service && version !== undefined) {
      return version;
    }
  }
  if (service === 'compute') {
    const legacy = req.headers['x-openstack-nova-api-version'];
    return typeof legacy === 'string' ? legacy : undefined;
  }
  return undefined;
}

/** The minor version asked for (Nova's and Cinder's 400 / 406 refusals when it is malformed or outside their range). */
export function negotiate(asked: string | undefined, min: string, max: string): number {
  const minor = (v: string) => Number(v.split('.')[1]);
  if (asked === undefined) {
    return minor(min);
  }
  if (asked.toLowerCase() === 'latest') {
    return minor(max);
  }
  if (!/^\d+\.\d+$/.test(asked)) {
    throw new OsError(400, `API Version String ${asked} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  const [major, asked_minor] = asked.split('.').map(Number);
  if (major !== Number(min.split('.')[0]) || asked_minor < minor(min) || asked_minor > minor(max)) {
    throw new OsError(406, `Version ${asked} is not supported by the API. Minimum is ${min} and maximum is ${max}.`);
  }
  return asked_minor;
}

/** A fault as the service says it: throttled (429 with Retry-After), a server error (500), or unavailable (503). */
function faultError(service: OsService, kind: 'throttle' | 'throttleNoRetryAfter' | 'serverError'): OsError {
  if (kind === 'serverError') {
    const message =
      service === 'compute'
        ? 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.'
        : 'The server has either erred or is incapable of performing the requested operation.';
    return new OsError(500, message);
  }
  return new OsError(429, 'This request was rate-limited.', kind === 'throttle' ? THROTTLE_RETRY_AFTER_S : undefined);
}

export async function serveOpenStack(runtime: OsRuntime, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
  const state = runtime.os;
  const site = runtime.site();
  const where = parseOsPath(state.regions, url.pathname);
  if (!where) {
    send(res, 404, { 'content-type': 'text/plain' }, 'Not Found');
    return;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  const fail = (error: OsError, cut = false) => {
    // A 401 comes from keystonemiddleware in front of every service, in Keystone's words.
    const { type, text } = error.render(error.status === 401 ? 'identity' : where.service);
    const extra: Record<string, string> = { ...headers, 'content-type': type };
    if (error.retryAfter !== undefined) {
      extra['retry-after'] = String(error.retryAfter);
    }
    if (error.status === 401) {
      extra['www-authenticate'] = `Keystone uri="${site.origin}/identity"`;
    }
    send(res, error.status, extra, cut ? truncate(text) : text);
  };
  const before = state.revision;
  state.sweep();
  if (state.revision !== before) {
    runtime.changed();
  }

  const route = ROUTES[where.service].find((r) => r.method === method && r.pattern.test(where.rest));
  if (!route) {
    const known = ROUTES[where.service].some((r) => r.pattern.test(where.rest));
    return fail(new OsError(known ? 405 : 404, known ? 'The method is not allowed for the requested URL.' : 'The resource could not be found.'));
  }
  let token: TokenRecord | undefined;
  let minor = 0;
  try {
    if (route.auth) {
      const given = req.headers['x-auth-token'];
      token = state.validToken(typeof given === 'string' ? given : undefined);
      if (!token) {
        throw unauthorized();
      }
    }
    if (where.service === 'compute' || where.service === 'volume') {
      const service = where.service;
      minor = negotiate(requestedMicroversion(req, service), service === 'compute' ? '2.1' : '3.0', state.maxMicroversion[service]);
      const version = `${service === 'compute' ? 2 : 3}.${minor}`;
      headers['openstack-api-version'] = `${service} ${version}`;
      headers.vary = 'OpenStack-API-Version';
      if (service === 'compute') {
        headers['x-openstack-nova-api-version'] = version;
        headers.vary += ', X-OpenStack-Nova-API-Version';
      }
    }
  } catch (error) {
    return fail(error as OsError);
  }
  headers['x-openstack-request-id'] = `req-${state.newId()}`;

  let decision: ReturnType<FaultInjector['decide']> = { kind: 'none' };
  if (route.auth) {
    // Keystone is not a region's: only the services of a region take its own delay.
    await delay(runtime.faults.latencyMs() + (where.service === 'identity' ? 0 : (state.regionLatencyMs[where.region] ?? 0)));
    decision = runtime.faults.decide(route.action, [where.region]);
  }
  switch (decision.kind) {
    case 'expired':
      return fail(unauthorized());
    case 'region':
      return fail(new OsError(decision.fault.status, decision.fault.message, decision.fault.status === 503 ? THROTTLE_RETRY_AFTER_S : undefined));
    case 'drop':
      res.socket?.destroy();
      return;
    case 'throttle':
    case 'throttleNoRetryAfter':
    case 'serverError':
      return fail(faultError(where.service, decision.kind));
    default:
      break;
  }

  let answer: Answer;
  const match = route.pattern.exec(where.rest) ?? [];
  const ctx: RouteContext = { state, site, region: where.region, url, body, req, minor, token, match: [...match].map((m) => m ?? ''), prefix: where.prefix, lagMs: runtime.faults.visibilityLagMs() };
  try {
    answer = route.run(ctx);
  } catch (error) {
    if (error instanceof OsError) {
      return fail(error);
    }
    if (error instanceof BlockModelError) {
      return fail(new OsError(400, error.message));
    }
    return fail(new OsError(500, `Unexpected error: ${(error as Error).message}`));
  } finally {
    if (method !== 'GET' || route.mutating) {
      runtime.changed();
    }
  }
  if (decision.kind === 'dropAfterCommit') {
    res.socket?.destroy();
    return;
  }
  const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  const type: Record<string, string> = answer.body === undefined ? {} : { 'content-type': typeof answer.body === 'string' ? 'text/plain; charset=UTF-8' : 'application/json' };
  send(res, answer.status, { ...headers, ...type, ...(answer.headers ?? {}) }, decision.kind === 'malformed' ? truncate(text) : text);
}
