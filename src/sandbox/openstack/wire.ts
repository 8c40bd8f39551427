/**
 * The OpenStack sandbox's routes: each service's paths (inside the service, after its prefix),
 * the request bodies they take, their answers and their lists' paging (`limit` / `marker` with
 * `*_links` for Nova and Cinder, `next` for Glance).
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, OsError, type OsService } from './errors';
import {
  backupBody,
  catalog,
  computeVersion,
  flavorBody,
  identityVersion,
  imageBody,
  isoCinder,
  type OsSite,
  regionPrefix,
  serverBody,
  snapshotBody,
  tokenBody,
  volumeBody,
  volumeVersion,
} from './shapes';
import type { AuthRequest, ImageRecord, OsState, TokenRecord } from './state';

export interface RouteContext {
  state: OsState;
  site: OsSite;
  region: string;
  url: URL;
  body: Buffer;
  req: IncomingMessage;
  /** The negotiated microversion's minor number (Nova, Cinder). */
  minor: number;
  token?: TokenRecord;
  /** The path pattern's groups. */
  match: string[];
  /** The path up to the service (e.g. `/RegionTwo/compute`). */
  prefix: string;
  /** Eventual consistency (the faults' visibilityLagMs): lists leave out what was made less than this long ago. */
  lagMs: number;
}

export interface Answer {
  status: number;
  /** JSON (an object) or plain text (a string); absent for an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** The name faults' `actions` match (`compute.createImage`, `volume.listSnapshots`, …). */
  action: string;
  auth: boolean;
  mutating?: boolean;
  run(ctx: RouteContext): Answer;
}

const ID = '([^/]+)';
const ok = (body: unknown, status = 200, headers?: Record<string, string>): Answer => ({ status, body, headers });

/** The request's JSON body (an object), or Nova's and Cinder's 400. */
function json(ctx: RouteContext): Record<string, unknown> {
  if (ctx.body.length === 0) {
    throw badRequest('The server could not comply with the request since it is either malformed or otherwise incorrect.');
  }
  try {
    const value: unknown = JSON.parse(ctx.body.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('not an object');
    }
    return value as Record<string, unknown>;
  } catch {
    throw badRequest('Malformed request body');
  }
}

function member(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = body[name];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`Missing required element '${name}' in request body.`);
  }
  return value as Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const bool = (value: unknown): boolean => value === true || (typeof value === 'string' && ['true', '1', 'yes', 'on'].includes(value.toLowerCase()));
function strings(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw badRequest('Invalid input for field/attribute metadata.');
  }
  return value as Record<string, string>;
}

/** Nova's and Cinder's `limit` (≤ 1000, osapi_max_limit) and `marker`: a page and whether a next link is due. */
function markerPage<T extends { id: string }>(ctx: RouteContext, items: T[], notFound: (marker: string) => OsError, defaultLimit = 1000, maxLimit = 1000): { page: T[]; next?: string } {
  const params = ctx.url.searchParams;
  const rawLimit = params.get('limit');
  let limit = defaultLimit;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit)) {
      throw badRequest(`Invalid input received: limit param must be an integer`);
    }
    limit = Math.min(Number(rawLimit), maxLimit);
  }
  const marker = params.get('marker');
  let start = 0;
  if (marker !== null) {
    const index = items.findIndex((i) => i.id === marker);
    if (index < 0) {
      throw notFound(marker);
    }
    start = index + 1;
  }
  const page = items.slice(start, start + limit);
  const last = page.at(-1);
  // A full page gets a next link (Nova's and Cinder's _get_collection_links), even when nothing follows.
  return { page, next: limit > 0 && page.length === limit ? last?.id : undefined };
}

/** `{rel: next}` with the same query and the new marker (Nova's servers_links, Cinder's *_links). */
function nextLinks(ctx: RouteContext, marker: string | undefined) {
  if (marker === undefined) {
    return {};
  }
  const next = new URL(ctx.url.href);
  next.searchParams.set('marker', marker);
  return { links: [{ rel: 'next', href: `${ctx.site.origin}${next.pathname}${next.search}` }] };
}

const newestFirst = <T extends { createdAt: number; id: string }>(a: T, b: T) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** Whether a list shows an item yet: under the eventual-consistency fault a list read lags behind what was just made (shown by id meanwhile). */
const visible = (ctx: RouteContext, item: { createdAt: number }): boolean => ctx.lagMs <= 0 || item.createdAt <= ctx.state.now() - ctx.lagMs;

// ---- Keystone ------------------------------------------------------------------------------

function parseAuth(body: Record<string, unknown>): AuthRequest {
  const auth = member(body, 'auth');
  const identity = member(auth, 'identity');
  const methods = Array.isArray(identity.methods) ? identity.methods.filter((m): m is string => typeof m === 'string') : [];
  const request: AuthRequest = { methods };
  const userOf = (value: unknown) => {
    const user = (value ?? {}) as Record<string, unknown>;
    const domain = (user.domain ?? {}) as Record<string, unknown>;
    return { id: str(user.id), name: str(user.name), domainId: str(domain.id), domainName: str(domain.name), password: str(user.password) };
  };
  if (identity.password !== undefined) {
    const user = userOf((identity.password as Record<string, unknown>).user);
    request.password = { userId: user.id, userName: user.name, domainId: user.domainId, domainName: user.domainName, password: user.password };
  }
  if (identity.application_credential !== undefined) {
    const credential = identity.application_credential as Record<string, unknown>;
    const user = userOf(credential.user);
    request.appCredential = { id: str(credential.id), name: str(credential.name), secret: str(credential.secret), userId: user.id, userName: user.name, domainId: user.domainId, domainName: user.domainName };
  }
  const scope = auth.scope as Record<string, unknown> | undefined;
  if (scope?.project !== undefined) {
    const project = scope.project as Record<string, unknown>;
    const domain = (project.domain ?? {}) as Record<string, unknown>;
    request.scope = { projectId: str(project.id), projectName: str(project.name), domainId: str(domain.id), domainName: str(domain.name) };
  }
  return request;
}

const IDENTITY: Route[] = [
  {
    method: 'GET',
    pattern: /^\/?$/,
    action: 'identity.versions',
    auth: false,
    run: (ctx) => ok({ versions: { values: [identityVersion(ctx.site)] } }, 300),
  },
  { method: 'GET', pattern: /^\/v3\/?$/, action: 'identity.version', auth: false, run: (ctx) => ok({ version: identityVersion(ctx.site) }) },
  {
    method: 'POST',
    pattern: /^\/v3\/auth\/tokens\/?$/,
    action: 'identity.issueToken',
    auth: false,
    mutating: true,
    run: (ctx) => {
      const token = ctx.state.issueToken(parseAuth(json(ctx)));
      return ok(tokenBody(ctx.state, ctx.site, token), 201, { 'x-subject-token': token.id });
    },
  },
  {
    method: 'GET',
    pattern: /^\/v3\/auth\/tokens\/?$/,
    action: 'identity.validateToken',
    auth: true,
    run: (ctx) => {
      const subject = ctx.req.headers['x-subject-token'];
      const token = ctx.state.validToken(typeof subject === 'string' ? subject : undefined);
      if (!token) {
        throw new OsError(404, `Could not find token: ${typeof subject === 'string' ? subject : ''}.`);
      }
      return ok(tokenBody(ctx.state, ctx.site, token), 200, { 'x-subject-token': token.id });
    },
  },
  { method: 'GET', pattern: /^\/v3\/auth\/catalog\/?$/, action: 'identity.catalog', auth: true, run: (ctx) => ok({ catalog: catalog(ctx.state, ctx.site, ctx.token?.projectId ?? '') }) },
  {
    method: 'GET',
    pattern: /^\/v3\/auth\/projects\/?$/,
    action: 'identity.projects',
    auth: true,
    run: (ctx) => {
      const project = ctx.state.project(ctx.token?.projectId ?? '');
      return ok({ projects: [{ id: project.id, name: project.name, domain_id: project.domain.id, enabled: true, is_domain: false, description: '', links: {} }], links: {} });
    },
  },
];

// ---- Nova ----------------------------------------------------------------------------------

function serverList(ctx: RouteContext, detail: boolean): Answer {
  const params = ctx.url.searchParams;
  const status = params.get('status')?.toUpperCase();
  const name = params.get('name');
  let nameRegex: RegExp | undefined;
  try {
    nameRegex = name === null ? undefined : new RegExp(name);
  } catch {
    throw badRequest(`Invalid regular expression in name filter: ${name}`);
  }
  const servers = [...ctx.state.servers.values()]
    .filter((s) => s.region === ctx.region && visible(ctx, s) && (status === undefined || s.status === status) && (nameRegex === undefined || nameRegex.test(s.name)))
    .sort(newestFirst);
  const { page, next } = markerPage(ctx, servers, (m) => badRequest(`marker [${m}] not found`));
  const links = nextLinks(ctx, next);
  return ok({
    servers: page.map((s) => (detail ? serverBody(ctx.state, ctx.site, s, ctx.minor) : { id: s.id, name: s.name, links: serverBody(ctx.state, ctx.site, s, ctx.minor).links })),
    ...(links.links ? { servers_links: links.links } : {}),
  });
}

/**
 * A resource's metadata: GET it, PUT replaces it whole, POST merges keys into it (Nova's
 * `/servers/{id}/metadata`, Cinder's `/volumes|snapshots/{id}/metadata`); each answers `{"metadata"}`.
 */
function metadataRoutes(pattern: RegExp, action: string, find: (ctx: RouteContext) => { metadata: Record<string, string> }, wrap = (run: (ctx: RouteContext) => Answer) => run): Route[] {
  const write = (merge: boolean) =>
    wrap((ctx) => {
      const given = json(ctx).metadata;
      if (given === undefined) {
        throw badRequest('Malformed request body: metadata is a required property');
      }
      const metadata = strings(given) ?? {};
      const record = find(ctx);
      record.metadata = merge ? { ...record.metadata, ...metadata } : { ...metadata };
      ctx.state.touch();
      return ok({ metadata: record.metadata });
    });
  return [
    { method: 'GET', pattern, action: `${action}Metadata`, auth: true, run: wrap((ctx) => ok({ metadata: find(ctx).metadata })) },
    { method: 'PUT', pattern, action: `${action}ReplaceMetadata`, auth: true, run: write(false) },
    { method: 'POST', pattern, action: `${action}UpdateMetadata`, auth: true, run: write(true) },
  ];
}

function serverAction(ctx: RouteContext): Answer {
  const { state, region } = ctx;
  const id = ctx.match[1];
  const body = json(ctx);
  const action = Object.keys(body)[0];
  switch (action) {
    case 'createImage': {
      const input = member(body, 'createImage');
      const name = str(input.name);
      if (!name) {
        throw badRequest("Invalid input for field/attribute createImage. Value: {}. 'name' is a required property");
      }
      const image = state.createServerImage(id, region, name, strings(input.metadata) ?? {});
      const location = `${ctx.site.origin}${regionPrefix(ctx.site, region)}/image/v2/images/${image.id}`;
      // 2.45: the image id in the body, no Location header.
      return ctx.minor >= 45 ? ok({ image_id: image.id }, 202) : ok(undefined, 202, { location });
    }
    case 'rebuild': {
      const input = member(body, 'rebuild');
      const imageRef = str(input.imageRef);
      if (!imageRef) {
        throw badRequest("Invalid input for field/attribute rebuild. Value: {}. 'imageRef' is a required property");
      }
      const server = state.rebuild(id, region, imageRef, str(input.name), ctx.minor);
      return ok({ server: serverBody(state, ctx.site, server, ctx.minor) }, 202);
    }
    case 'os-start':
      state.power(id, region, 'ACTIVE');
      return ok(undefined, 202);
    case 'os-stop':
      state.power(id, region, 'SHUTOFF');
      return ok(undefined, 202);
    default:
      throw badRequest(`There is no such action: ${action ?? ''}`);
  }
}

const COMPUTE: Route[] = [
  {
    method: 'GET',
    pattern: /^\/?$/,
    action: 'compute.versions',
    auth: false,
    run: (ctx) => ok({ versions: [computeVersion(ctx.site, ctx.region, ctx.state.maxMicroversion.compute)] }),
  },
  { method: 'GET', pattern: /^\/v2\.1\/?$/, action: 'compute.version', auth: false, run: (ctx) => ok({ version: computeVersion(ctx.site, ctx.region, ctx.state.maxMicroversion.compute) }) },
  { method: 'GET', pattern: /^\/v2\.1\/servers\/?$/, action: 'compute.listServers', auth: true, run: (ctx) => serverList(ctx, false) },
  { method: 'GET', pattern: /^\/v2\.1\/servers\/detail\/?$/, action: 'compute.listServersDetail', auth: true, run: (ctx) => serverList(ctx, true) },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2\\.1/servers/${ID}/?$`),
    action: 'compute.showServer',
    auth: true,
    run: (ctx) => ok({ server: serverBody(ctx.state, ctx.site, ctx.state.server(ctx.match[1], ctx.region), ctx.minor) }),
  },
  ...metadataRoutes(new RegExp(`^/v2\\.1/servers/${ID}/metadata/?$`), 'compute.server', (ctx) => ctx.state.server(ctx.match[1], ctx.region)),
  {
    method: 'POST',
    pattern: /^\/v2\.1\/servers\/?$/,
    action: 'compute.createServer',
    auth: true,
    run: (ctx) => {
      const input = member(json(ctx), 'server');
      const name = str(input.name);
      const imageRef = str(input.imageRef);
      const flavorRef = str(input.flavorRef);
      if (!name || !imageRef || !flavorRef) {
        throw badRequest(`Invalid input for field/attribute server. 'name', 'imageRef' and 'flavorRef' are required properties`);
      }
      const networks = Array.isArray(input.networks) ? (input.networks as Record<string, unknown>[]) : [];
      const server = ctx.state.createServer({
        region: ctx.region,
        name,
        imageId: imageRef,
        flavorId: flavorRef,
        networkId: str(networks[0]?.uuid),
        keyName: str(input.key_name),
        az: str(input.availability_zone),
        metadata: strings(input.metadata),
      });
      const links = serverBody(ctx.state, ctx.site, server, ctx.minor).links;
      return ok({ server: { id: server.id, links, 'OS-DCF:diskConfig': 'MANUAL', security_groups: [{ name: 'default' }], adminPass: 'snapkeeper-sandbox' } }, 202, {
        location: links[0].href,
      });
    },
  },
  { method: 'POST', pattern: new RegExp(`^/v2\\.1/servers/${ID}/action/?$`), action: 'compute.serverAction', auth: true, run: serverAction },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2\\.1/servers/${ID}/os-volume_attachments/?$`),
    action: 'compute.listVolumeAttachments',
    auth: true,
    run: (ctx) => {
      const server = ctx.state.server(ctx.match[1], ctx.region);
      return ok({
        volumeAttachments: ctx.state.attachedVolumes(server.id).map((v) => ({ id: v.id, volumeId: v.id, serverId: server.id, device: v.attachment?.device })),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/v2\.1\/flavors(\/detail)?\/?$/,
    action: 'compute.listFlavors',
    auth: true,
    run: (ctx) => ok({ flavors: ctx.state.flavors.map((f) => (ctx.match[1] ? flavorBody(ctx.site, ctx.region, f) : { id: f.id, name: f.name, links: flavorBody(ctx.site, ctx.region, f).links })) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2\\.1/flavors/${ID}/?$`),
    action: 'compute.showFlavor',
    auth: true,
    run: (ctx) => ok({ flavor: flavorBody(ctx.site, ctx.region, ctx.state.flavor(ctx.match[1])) }),
  },
  {
    method: 'GET',
    pattern: /^\/v2\.1\/os-keypairs\/?$/,
    action: 'compute.listKeypairs',
    auth: true,
    run: (ctx) =>
      ok({
        keypairs: ctx.state.keypairs
          .filter((k) => k.region === ctx.region)
          .map((k) => ({ keypair: { name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint, ...(ctx.minor >= 2 ? { type: 'ssh' } : {}) } })),
      }),
  },
  {
    method: 'GET',
    pattern: /^\/v2\.1\/os-availability-zone\/?$/,
    action: 'compute.listAvailabilityZones',
    auth: true,
    run: () => ok({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] }),
  },
];

// ---- Cinder --------------------------------------------------------------------------------

const PROJECT = '/v3/([^/]+)';

/** Cinder's project in the path must be the token's. */
function cinder(run: (ctx: RouteContext) => Answer): (ctx: RouteContext) => Answer {
  return (ctx) => {
    if (ctx.match[1] !== ctx.token?.projectId) {
      throw new OsError(403, `Policy doesn't allow this operation on project ${ctx.match[1]}.`);
    }
    return run(ctx);
  };
}

export type CinderResource = 'volume' | 'snapshot' | 'backup';

/** The filters a non-admin may use on each list: Cinder's default `resource_filters.json`. */
export const CINDER_RESOURCE_FILTERS: Record<CinderResource, readonly string[]> = {
  volume: ['name', 'status', 'metadata', 'bootable', 'migration_status', 'availability_zone', 'group_id', 'size', 'created_at', 'updated_at'],
  backup: ['name', 'status', 'volume_id'],
  snapshot: ['name', 'status', 'volume_id', 'metadata', 'availability_zone'],
};

/** Query keys that are not filters (Cinder takes paging and sorting out first; `all_tenants` is let through). */
const CINDER_NON_FILTERS = new Set(['limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir', 'with_count', 'all_tenants']);

/** The microversion of generalized resource filters (3.33): from it an unknown filter is refused, before it is dropped unseen. */
const RESOURCE_FILTER_MINOR = 33;

/**
 * A list's filters, as Cinder treats a non-admin's: from 3.33 a key outside the resource's
 * filters is refused with 400 (`reject_invalid_filters`); before, it is silently dropped
 * (`remove_invalid_filter_options`) and the list comes unfiltered by it.
 */
export function cinderFilters(params: URLSearchParams, resource: CinderResource, minor: number): [string, string][] {
  const allowed = CINDER_RESOURCE_FILTERS[resource];
  const given = [...params].filter(([key]) => !CINDER_NON_FILTERS.has(key));
  if (given.some(([key]) => !/^[\x20-\x7e]*$/.test(key))) {
    throw badRequest('Filter keys can only contain ASCII characters.');
  }
  const invalid = [...new Set(given.map(([key]) => key).filter((key) => !allowed.includes(key)))];
  if (invalid.length > 0 && minor >= RESOURCE_FILTER_MINOR) {
    throw badRequest(`Invalid filters ${invalid.join(',')} are found in query options.`);
  }
  return given.filter(([key]) => allowed.includes(key));
}

/** Whether a shown item (its detail body) passes one filter: exact on the member, `metadata` a subset, times with Cinder's `gt:`/`lte:`… operators. */
function passes(body: Record<string, unknown>, key: string, value: string): boolean {
  const member = body[key];
  if (key === 'metadata') {
    let wanted: unknown;
    try {
      // Cinder takes a Python-literal dict (`{'k': 'v'}`) as well as JSON.
      wanted = JSON.parse(value.replace(/'/g, '"'));
    } catch {
      throw badRequest(`Invalid input received: metadata filter ${value} is not a dict.`);
    }
    const have = (member ?? {}) as Record<string, unknown>;
    return typeof wanted === 'object' && wanted !== null && Object.entries(wanted).every(([k, v]) => have[k] === String(v));
  }
  if (key === 'created_at' || key === 'updated_at') {
    const [, op = 'eq', when = value] = /^(gt|gte|lt|lte|eq|neq):(.*)$/.exec(value) ?? [];
    const a = Date.parse(`${String(member)}Z`);
    const b = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(when) ? when : `${when}Z`);
    if (Number.isNaN(b)) {
      throw badRequest(`Invalid input received: ${key} ${value} is not a time.`);
    }
    return { gt: a > b, gte: a >= b, lt: a < b, lte: a <= b, eq: a === b, neq: a !== b }[op as 'eq'];
  }
  return member !== null && member !== undefined && typeof member !== 'object' && String(member).toLowerCase() === value.toLowerCase();
}

/** Cinder's lists: the region's items newest first, filtered (see `cinderFilters`), paged, summary or `detail`. */
function cinderList<T extends { id: string; createdAt: number; region: string }>(
  ctx: RouteContext,
  resource: CinderResource,
  items: T[],
  show: (item: T) => Record<string, unknown>,
  summary: (item: T) => unknown,
): Answer {
  const key = `${resource}s`;
  const filters = cinderFilters(ctx.url.searchParams, resource, ctx.minor);
  const kept = (item: T) => {
    if (filters.length === 0) {
      return true;
    }
    const body = show(item);
    return filters.every(([k, v]) => passes(body, k, v));
  };
  const sorted = items.filter((i) => i.region === ctx.region && visible(ctx, i) && kept(i)).sort(newestFirst);
  const { page, next } = markerPage(ctx, sorted, (m) => new OsError(404, `Marker ${m} could not be found.`));
  const detail = ctx.url.pathname.replace(/\/$/, '').endsWith('/detail');
  const links = nextLinks(ctx, next);
  return ok({ [key]: page.map((i) => (detail ? show(i) : summary(i))), ...(links.links ? { [`${key}_links`]: links.links } : {}) });
}

function volumeAction(ctx: RouteContext): Answer {
  const { state, region } = ctx;
  const id = ctx.match[2];
  const body = json(ctx);
  const action = Object.keys(body)[0];
  const input = (body[action] ?? {}) as Record<string, unknown>;
  switch (action) {
    case 'revert': {
      if (ctx.minor < 40) {
        throw new OsError(404, 'The resource could not be found.');
      }
      const snapshotId = str(input.snapshot_id);
      if (!snapshotId) {
        throw badRequest("Invalid input for field/attribute revert. 'snapshot_id' is a required property");
      }
      state.revert(id, snapshotId, region);
      return ok(undefined, 202);
    }
    case 'os-set_bootable':
      state.setBootable(id, region, bool(input.bootable));
      return ok(undefined, 200);
    case 'os-volume_upload_image': {
      const name = str(input.image_name);
      if (!name) {
        throw badRequest('No image_name was specified in request.');
      }
      const image = state.uploadVolumeImage(id, region, name, str(input.disk_format), str(input.container_format), bool(input.force));
      const volume = state.volume(id, region);
      return ok(
        {
          'os-volume_upload_image': {
            id: volume.id,
            updated_at: isoCinder(volume.updatedAt),
            status: volume.status,
            display_description: volume.description,
            size: volume.sizeGiB,
            volume_type: { name: volume.volumeType },
            image_id: image.id,
            container_format: image.containerFormat,
            disk_format: image.diskFormat,
            image_name: image.name,
          },
        },
        202,
      );
    }
    default:
      throw badRequest(`There is no such action: ${action ?? ''}`);
  }
}

const VOLUME: Route[] = [
  { method: 'GET', pattern: /^\/?$/, action: 'volume.versions', auth: false, run: (ctx) => ok({ versions: [volumeVersion(ctx.site, ctx.region, ctx.state.maxMicroversion.volume)] }, 300) },
  { method: 'GET', pattern: /^\/v3\/?$/, action: 'volume.version', auth: false, run: (ctx) => ok({ versions: [volumeVersion(ctx.site, ctx.region, ctx.state.maxMicroversion.volume)] }) },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/volumes(/detail)?/?$`),
    action: 'volume.listVolumes',
    auth: true,
    run: cinder((ctx) =>
      cinderList(ctx, 'volume', [...ctx.state.volumes.values()], (v) => volumeBody(ctx.state, ctx.site, v), (v) => ({ id: v.id, name: v.name, links: volumeBody(ctx.state, ctx.site, v).links })),
    ),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/volumes/${ID}/?$`),
    action: 'volume.showVolume',
    auth: true,
    run: cinder((ctx) => ok({ volume: volumeBody(ctx.state, ctx.site, ctx.state.volume(ctx.match[2], ctx.region)) })),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${PROJECT}/volumes/?$`),
    action: 'volume.createVolume',
    auth: true,
    run: cinder((ctx) => {
      const input = member(json(ctx), 'volume');
      const size = input.size === undefined || input.size === null ? undefined : Number(input.size);
      const volume = ctx.state.createVolume({
        region: ctx.region,
        name: str(input.name),
        description: str(input.description),
        sizeGiB: size,
        snapshotId: str(input.snapshot_id),
        imageId: str(input.imageRef),
        volumeType: str(input.volume_type),
        az: str(input.availability_zone),
        metadata: strings(input.metadata),
      });
      return ok({ volume: volumeBody(ctx.state, ctx.site, volume) }, 202);
    }),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${PROJECT}/volumes/${ID}/?$`),
    action: 'volume.deleteVolume',
    auth: true,
    run: cinder((ctx) => {
      ctx.state.deleteVolume(ctx.match[2], ctx.region);
      return ok(undefined, 202);
    }),
  },
  { method: 'POST', pattern: new RegExp(`^${PROJECT}/volumes/${ID}/action/?$`), action: 'volume.volumeAction', auth: true, run: cinder(volumeAction) },
  {
    method: 'PUT',
    pattern: new RegExp(`^${PROJECT}/volumes/${ID}/?$`),
    action: 'volume.updateVolume',
    auth: true,
    run: cinder((ctx) => {
      const input = member(json(ctx), 'volume');
      const volume = ctx.state.volume(ctx.match[2], ctx.region);
      volume.name = str(input.name) ?? volume.name;
      volume.description = str(input.description) ?? volume.description;
      volume.metadata = strings(input.metadata) ?? volume.metadata;
      ctx.state.touch();
      return ok({ volume: volumeBody(ctx.state, ctx.site, volume) });
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/snapshots(/detail)?/?$`),
    action: 'volume.listSnapshots',
    auth: true,
    run: cinder((ctx) => {
      return cinderList(ctx, 'snapshot', [...ctx.state.snapshots.values()], (s) => ({ ...snapshotBody(s), availability_zone: ctx.state.volumes.get(s.volumeId)?.az ?? 'nova' }), snapshotBody);
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/snapshots/${ID}/?$`),
    action: 'volume.showSnapshot',
    auth: true,
    run: cinder((ctx) => ok({ snapshot: snapshotBody(ctx.state.snapshot(ctx.match[2], ctx.region)) })),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${PROJECT}/snapshots/?$`),
    action: 'volume.createSnapshot',
    auth: true,
    run: cinder((ctx) => {
      const input = member(json(ctx), 'snapshot');
      const volumeId = str(input.volume_id);
      if (!volumeId) {
        throw badRequest("Invalid input for field/attribute snapshot. 'volume_id' is a required property");
      }
      const snap = ctx.state.createSnapshot({
        region: ctx.region,
        volumeId,
        name: str(input.name),
        description: str(input.description),
        force: bool(input.force),
        metadata: strings(input.metadata),
        microversion: ctx.minor,
      });
      return ok({ snapshot: snapshotBody(snap) }, 202);
    }),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${PROJECT}/snapshots/${ID}/?$`),
    action: 'volume.deleteSnapshot',
    auth: true,
    run: cinder((ctx) => {
      ctx.state.deleteSnapshot(ctx.match[2], ctx.region);
      return ok(undefined, 202);
    }),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^${PROJECT}/snapshots/${ID}/?$`),
    action: 'volume.updateSnapshot',
    auth: true,
    run: cinder((ctx) => {
      const input = member(json(ctx), 'snapshot');
      const snap = ctx.state.snapshot(ctx.match[2], ctx.region);
      snap.name = str(input.name) ?? snap.name;
      snap.description = str(input.description) ?? snap.description;
      ctx.state.touch();
      return ok({ snapshot: snapshotBody(snap) });
    }),
  },
  ...metadataRoutes(new RegExp(`^${PROJECT}/snapshots/${ID}/metadata/?$`), 'volume.snapshot', (ctx) => ctx.state.snapshot(ctx.match[2], ctx.region), cinder),
  ...metadataRoutes(new RegExp(`^${PROJECT}/volumes/${ID}/metadata/?$`), 'volume.volume', (ctx) => ctx.state.volume(ctx.match[2], ctx.region), cinder),
  {
    method: 'PUT',
    pattern: new RegExp(`^${PROJECT}/backups/${ID}/?$`),
    action: 'volume.updateBackup',
    auth: true,
    run: cinder((ctx) => {
      // Backup update is 3.9 (name, description); its metadata 3.43.
      if (ctx.minor < 9) {
        throw new OsError(404, 'The resource could not be found.');
      }
      const input = member(json(ctx), 'backup');
      if (input.metadata !== undefined && ctx.minor < 43) {
        throw badRequest("Invalid input for field/attribute backup. Additional properties are not allowed ('metadata' was unexpected)");
      }
      const backup = ctx.state.backup(ctx.match[2], ctx.region);
      backup.name = str(input.name) ?? backup.name;
      backup.description = str(input.description) ?? backup.description;
      backup.metadata = strings(input.metadata) ?? backup.metadata;
      backup.updatedAt = ctx.state.now();
      ctx.state.touch();
      return ok({ backup: backupBody(ctx.state, ctx.site, backup, ctx.minor) });
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/backups(/detail)?/?$`),
    action: 'volume.listBackups',
    auth: true,
    run: cinder((ctx) => {
      // A backup shows no parent, and `parent_id` is no filter a non-admin may use: a client finds
      // an incremental backup's parent as Cinder picked it (the volume's latest data_timestamp before it).
      return cinderList(ctx, 'backup', [...ctx.state.backups.values()], (b) => backupBody(ctx.state, ctx.site, b, ctx.minor), (b) => ({ id: b.id, name: b.name, links: backupBody(ctx.state, ctx.site, b, ctx.minor).links }));
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/backups/${ID}/?$`),
    action: 'volume.showBackup',
    auth: true,
    run: cinder((ctx) => ok({ backup: backupBody(ctx.state, ctx.site, ctx.state.backup(ctx.match[2], ctx.region), ctx.minor) })),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${PROJECT}/backups/?$`),
    action: 'volume.createBackup',
    auth: true,
    run: cinder((ctx) => {
      const input = member(json(ctx), 'backup');
      const volumeId = str(input.volume_id);
      if (!volumeId) {
        throw badRequest("Invalid input for field/attribute backup. 'volume_id' is a required property");
      }
      const backup = ctx.state.createBackup({
        region: ctx.region,
        volumeId,
        name: str(input.name),
        description: str(input.description),
        incremental: bool(input.incremental),
        force: bool(input.force),
        snapshotId: str(input.snapshot_id),
        metadata: strings(input.metadata),
      });
      return ok({ backup: { id: backup.id, name: backup.name, links: backupBody(ctx.state, ctx.site, backup, ctx.minor).links } }, 202);
    }),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${PROJECT}/backups/${ID}/?$`),
    action: 'volume.deleteBackup',
    auth: true,
    run: cinder((ctx) => {
      ctx.state.deleteBackup(ctx.match[2], ctx.region);
      return ok(undefined, 202);
    }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${PROJECT}/backups/${ID}/restore/?$`),
    action: 'volume.restoreBackup',
    auth: true,
    run: cinder((ctx) => {
      const input = member(json(ctx), 'restore');
      const volume = ctx.state.restoreBackup(ctx.match[2], ctx.region, str(input.volume_id), str(input.name));
      return ok({ restore: { backup_id: ctx.match[2], volume_id: volume.id, volume_name: volume.name } }, 202);
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/types/?$`),
    action: 'volume.listTypes',
    auth: true,
    run: cinder(() =>
      ok({
        volume_types: ['__DEFAULT__', 'ssd'].map((name) => ({ id: name === 'ssd' ? 'ssd' : 'default', name, is_public: true, extra_specs: {}, description: null })),
      }),
    ),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/os-availability-zone/?$`),
    action: 'volume.listAvailabilityZones',
    auth: true,
    run: cinder(() => ok({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] })),
  },
];

// ---- Glance --------------------------------------------------------------------------------

function imageList(ctx: RouteContext): Answer {
  const params = ctx.url.searchParams;
  const owner = params.get('owner');
  const visibility = params.get('visibility');
  const status = params.get('status');
  const name = params.get('name');
  const project = ctx.token?.projectId;
  const rawLimit = params.get('limit');
  if (rawLimit !== null && !/^\d+$/.test(rawLimit)) {
    throw badRequest('limit param must be an integer');
  }
  const images = [...ctx.state.images.values()]
    .filter(
      (i) =>
        i.region === ctx.region &&
        visible(ctx, i) &&
        (visibility === null || visibility === 'all' ? i.visibility === 'public' || i.owner === project : i.visibility === visibility && (i.visibility === 'public' || i.owner === project)) &&
        (owner === null || i.owner === owner) &&
        (status === null || i.status === status) &&
        (name === null || i.name === name),
    )
    .sort(newestFirst);
  const { page, next } = markerPage(ctx, images, (m) => badRequest(`Invalid marker. Image ${m} could not be found.`), 25, 1000);
  const query = new URLSearchParams(params);
  query.delete('marker');
  const first = `/v2/images${query.size > 0 ? `?${query.toString()}` : ''}`;
  if (next !== undefined) {
    query.set('marker', next);
  }
  return ok({ images: page.map(imageBody), schema: '/v2/schemas/images', first, ...(next !== undefined ? { next: `/v2/images?${query.toString()}` } : {}) });
}

/** Glance's PATCH: JSON patch (`application/openstack-images-v2.1-json-patch`) on the image's members and properties. */
function patchImage(ctx: RouteContext, image: ImageRecord): void {
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0].trim();
  if (type !== 'application/openstack-images-v2.1-json-patch' && type !== 'application/openstack-images-v2.0-json-patch') {
    throw new OsError(415, `Unsupported Content-Type`);
  }
  let ops: unknown;
  try {
    ops = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    throw badRequest('Malformed JSON in request body.');
  }
  if (!Array.isArray(ops)) {
    throw badRequest('Request body must be a JSON array of operation objects.');
  }
  const readOnly = new Set(['id', 'status', 'owner', 'size', 'checksum', 'created_at', 'updated_at', 'self', 'file', 'schema', 'virtual_size', 'os_hash_value']);
  for (const raw of ops as Record<string, unknown>[]) {
    const op = str(raw.op);
    const path = str(raw.path);
    if (!op || !path || !['add', 'replace', 'remove'].includes(op) || !path.startsWith('/')) {
      throw badRequest(`Unable to find '${op ?? ''}' operation or invalid path '${path ?? ''}'.`);
    }
    const key = path.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
    if (readOnly.has(key)) {
      throw forbiddenProperty(key);
    }
    const value = raw.value;
    if (key === 'name') {
      image.name = op === 'remove' ? '' : String(value);
    } else if (key === 'tags') {
      if (op !== 'remove' && (!Array.isArray(value) || !value.every((t) => typeof t === 'string'))) {
        throw badRequest('Invalid value for tags.');
      }
      image.tags = op === 'remove' ? [] : [...new Set(value as string[])];
    } else if (key === 'min_disk' || key === 'min_ram') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) {
        throw badRequest(`Invalid value for ${key}.`);
      }
      image[key === 'min_disk' ? 'minDisk' : 'minRam'] = n;
    } else if (key === 'visibility') {
      if (!['public', 'private', 'shared', 'community'].includes(String(value))) {
        throw badRequest(`Invalid visibility value: ${String(value)}`);
      }
      image.visibility = value as ImageRecord['visibility'];
    } else if (key === 'protected') {
      image.protected = value === true;
    } else if (op === 'remove') {
      if (!(key in image.properties)) {
        throw new OsError(409, `Property ${key} does not exist.`);
      }
      delete image.properties[key];
    } else {
      if (typeof value !== 'string') {
        throw badRequest(`Invalid value for property ${key}: additional properties must be strings.`);
      }
      if (op === 'replace' && !(key in image.properties)) {
        throw new OsError(409, `Property ${key} does not exist.`);
      }
      image.properties[key] = value;
    }
  }
  image.updatedAt = ctx.state.now();
  ctx.state.touch();
}

const forbiddenProperty = (key: string) => new OsError(403, `Attribute '${key}' is read-only.`);

const IMAGE: Route[] = [
  { method: 'GET', pattern: /^\/?$/, action: 'image.versions', auth: false, run: (ctx) => ok(glanceVersions(ctx), 300) },
  { method: 'GET', pattern: /^\/versions\/?$/, action: 'image.versions', auth: false, run: (ctx) => ok(glanceVersions(ctx)) },
  { method: 'GET', pattern: /^\/v2\/images\/?$/, action: 'image.listImages', auth: true, run: imageList },
  { method: 'GET', pattern: new RegExp(`^/v2/images/${ID}/?$`), action: 'image.showImage', auth: true, run: (ctx) => ok(imageBody(ctx.state.image(ctx.match[1], ctx.region))) },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/v2/images/${ID}/?$`),
    action: 'image.deleteImage',
    auth: true,
    run: (ctx) => {
      ctx.state.deleteImage(ctx.match[1], ctx.region);
      return ok(undefined, 204);
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/v2/images/${ID}/?$`),
    action: 'image.updateImage',
    auth: true,
    run: (ctx) => {
      const image = ctx.state.image(ctx.match[1], ctx.region);
      patchImage(ctx, image);
      return ok(imageBody(image));
    },
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/v2/images/${ID}/tags/${ID}/?$`),
    action: 'image.addTag',
    auth: true,
    run: (ctx) => {
      const image = ctx.state.image(ctx.match[1], ctx.region);
      if (!image.tags.includes(ctx.match[2])) {
        image.tags.push(ctx.match[2]);
      }
      ctx.state.touch();
      return ok(undefined, 204);
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/v2/images/${ID}/tags/${ID}/?$`),
    action: 'image.deleteTag',
    auth: true,
    run: (ctx) => {
      const image = ctx.state.image(ctx.match[1], ctx.region);
      if (!image.tags.includes(ctx.match[2])) {
        throw new OsError(404, `Tag ${ctx.match[2]} not found`);
      }
      image.tags = image.tags.filter((t) => t !== ctx.match[2]);
      ctx.state.touch();
      return ok(undefined, 204);
    },
  },
];

function glanceVersions(ctx: RouteContext) {
  const href = `${ctx.site.origin}${ctx.prefix}/v2/`;
  return { versions: ['2.16', '2.15', '2.9'].map((v, i) => ({ id: `v${v}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href }] })) };
}

// ---- Neutron -------------------------------------------------------------------------------

const NETWORK: Route[] = [
  {
    method: 'GET',
    pattern: /^\/?$/,
    action: 'network.versions',
    auth: false,
    run: (ctx) => ok({ versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${ctx.site.origin}${ctx.prefix}/v2.0/` }] }] }),
  },
  {
    method: 'GET',
    pattern: /^\/v2\.0\/networks\/?$/,
    action: 'network.listNetworks',
    auth: true,
    run: (ctx) => {
      const name = ctx.url.searchParams.get('name');
      const id = ctx.url.searchParams.get('id');
      return ok({
        networks: ctx.state.networks
          .filter((n) => n.region === ctx.region && (name === null || n.name === name) && (id === null || n.id === id))
          .map((n) => ({ id: n.id, name: n.name, status: 'ACTIVE', admin_state_up: true, shared: false, 'router:external': false, subnets: [], project_id: ctx.token?.projectId, tenant_id: ctx.token?.projectId, mtu: 1450 })),
      });
    },
  },
];

export const ROUTES: Record<OsService, Route[]> = { identity: IDENTITY, compute: COMPUTE, volume: VOLUME, image: IMAGE, network: NETWORK };
