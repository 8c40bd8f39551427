/**
 * Compute Engine v1 REST routing: `/compute/v1/projects/{project}/…` requests in, the JSON the
 * real service answers out (lists with `pageToken` paging, aggregated lists with
 * `NO_RESULTS_ON_PAGE` warnings, Operations for every mutation, `requestId` deduplication).
 * Action names (for fault `actions`) are the REST method ids, e.g. `compute.disks.createSnapshot`.
 */
import { GcpError, invalid, notFound } from './errors';
import { GCP_REGIONS, GCP_ZONES, MACHINE_TYPES, regionInfo, zoneInfo } from './records';
import {
  aggregatedScopes,
  diskJson,
  imageJson,
  instanceJson,
  type Json,
  links,
  type Links,
  machineImageJson,
  machineTypeJson,
  noResultsWarning,
  operationJson,
  projectJson,
  regionJson,
  snapshotJson,
  zoneJson,
} from './shapes';
import { applyOrder, listFilter, pageOf, pageToken } from './query';
import { diskPath, type GcpState, type Location, type OperationRecord, type OperationScope, relativePath } from './state';

export interface GcpRequest {
  method: string;
  /** The decoded path after `/compute/v1/`. */
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body (undefined without one). */
  body: unknown;
  /** `http://host:port/compute/v1/`: the prefix of every selfLink. */
  base: string;
}

export interface GcpResponse {
  status: number;
  body: Json;
}

export interface GcpRoute {
  /** The REST method id, e.g. compute.snapshots.list. */
  action: string;
  project: string;
  /** Names a scope fault may match: the project, and the zone/region (and a zone's region). */
  scopes: string[];
  mutating: boolean;
  /** For operations.wait: the operation to wait for (the server sleeps, then runs). */
  waitFor?: OperationRecord;
  /** Answers; `fail` makes a mutation's operation end DONE with an error; `unreachable` names aggregated scopes a fault takes out. */
  run(fail: boolean, unreachable: (scope: string) => GcpError | undefined): GcpResponse;
}

const ok = (body: Json): GcpResponse => ({ status: 200, body });

/** A boolean query parameter (`true`/`false` in any case, as gcloud sends `False`); undefined when absent. */
export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    return undefined;
  }
  const lower = raw.toLowerCase();
  if (lower !== 'true' && lower !== 'false') {
    throw invalid(`Invalid value for field '${name}': '${raw}'. Must be a boolean.`);
  }
  return lower === 'true';
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new GcpError(400, 'parseError', 'Invalid JSON payload received. Expected an object.', { grpcStatus: 'INVALID_ARGUMENT' });
  }
  return body as Record<string, unknown>;
}

function scopeNames(project: string, where?: Location): string[] {
  if (!where) {
    return [project];
  }
  if (where.zone !== undefined) {
    const region = zoneInfo(where.zone)?.region;
    return region ? [project, where.zone, region] : [project, where.zone];
  }
  return [project, where.region];
}

/** A plain list answer: filter, order, page. */
function listAnswer(l: Links, query: URLSearchParams, pageSize: number, kind: string, listPath: string, items: Json[]): GcpResponse {
  const filtered = applyOrder(items.filter(listFilter(query.get('filter'))), query.get('orderBy'));
  const page = pageOf(query, pageSize);
  const slice = filtered.slice(page.offset, page.offset + page.size);
  const next = page.offset + page.size < filtered.length ? pageToken(page.offset + page.size) : undefined;
  return ok({
    kind,
    id: listPath,
    ...(slice.length > 0 ? { items: slice } : {}),
    ...(next ? { nextPageToken: next } : {}),
    selfLink: l.url(listPath),
  });
}

/** An aggregated list: every scope of the project, empty ones with a NO_RESULTS_ON_PAGE warning. */
function aggregatedAnswer(
  l: Links,
  query: URLSearchParams,
  pageSize: number,
  kind: string,
  field: string,
  listPath: string,
  scopes: string[],
  itemsOf: (scope: string) => Json[],
  unreachable: (scope: string) => GcpError | undefined,
): GcpResponse {
  const partial = boolParam(query, 'returnPartialSuccess') ?? false;
  const filter = listFilter(query.get('filter'));
  const unreachables: string[] = [];
  const entries: { scope: string; item?: Json }[] = [];
  for (const scope of scopes) {
    const error = unreachable(scope.replace(/^(zones|regions)\//, ''));
    if (error) {
      if (!partial) {
        throw error;
      }
      unreachables.push(scope);
      continue;
    }
    const items = itemsOf(scope).filter(filter);
    if (items.length === 0) {
      entries.push({ scope });
    }
    for (const item of items) {
      entries.push({ scope, item });
    }
  }
  const page = pageOf(query, pageSize);
  const result: Record<string, Json> = {};
  let index = page.offset;
  let taken = 0;
  while (index < entries.length) {
    const entry = entries[index];
    if (entry.item !== undefined && taken >= page.size) {
      break;
    }
    index++;
    if (entry.item === undefined) {
      result[entry.scope] = { warning: noResultsWarning(entry.scope) };
      continue;
    }
    taken++;
    const scoped = (result[entry.scope] ??= { [field]: [] });
    (scoped[field] as Json[]).push(entry.item);
  }
  return ok({
    kind,
    id: listPath,
    items: result,
    ...(index < entries.length ? { nextPageToken: pageToken(index) } : {}),
    selfLink: l.url(listPath),
    ...(unreachables.length > 0 && page.offset === 0 ? { unreachables } : {}),
  });
}

function where(kind: string, name: string): Location {
  return kind === 'zones' ? { zone: name } : { region: name };
}

function scopeOf(kind: string, name: string): OperationScope {
  return kind === 'zones' ? { kind: 'zone', name } : kind === 'regions' ? { kind: 'region', name } : { kind: 'global' };
}

/** Routes one request (throws GcpError for an unknown path, project or scope). */
export function routeGcp(state: GcpState, request: GcpRequest): GcpRoute {
  const { method, query } = request;
  const l = links(request.base);
  const parts = request.path.split('/').filter((p) => p !== '');
  if (parts[0] !== 'projects' || parts.length < 2) {
    throw notFound(request.path);
  }
  const projectId = parts[1];
  const project = state.project(projectId).id;
  const rest = parts.slice(2);
  const requestId = query.get('requestId') ?? undefined;
  const pageSize = state.pageSize;
  const body = () => bodyObject(request.body);
  const route = (action: string, scopes: string[], mutating: boolean, run: GcpRoute['run'], waitFor?: OperationRecord): GcpRoute => ({
    action: `compute.${action}`,
    project,
    scopes,
    mutating,
    run,
    waitFor,
  });
  const mutation = (action: string, scopes: string[], make: (fail: boolean) => OperationRecord): GcpRoute =>
    route(action, scopes, true, (fail) => ok(operationJson(l, state, state.idempotent(project, requestId, () => make(fail)))));
  const unknown = (): never => {
    throw notFound(request.path);
  };

  // projects/{p}
  if (rest.length === 0) {
    return method === 'GET' ? route('projects.get', [project], false, () => ok(projectJson(l, state.project(project)))) : unknown();
  }
  const [collection, scopeName, resource, name, verb, extra] = rest;

  // zones, regions
  if ((collection === 'zones' || collection === 'regions') && rest.length <= 2 && method === 'GET') {
    const isZone = collection === 'zones';
    if (rest.length === 1) {
      const items = isZone ? GCP_ZONES.map((z) => zoneJson(l, project, z)) : GCP_REGIONS.map((r) => regionJson(l, project, r));
      return route(`${collection}.list`, [project], false, () =>
        listAnswer(l, query, pageSize, isZone ? 'compute#zoneList' : 'compute#regionList', `projects/${project}/${collection}`, items),
      );
    }
    const z = isZone ? zoneInfo(scopeName) : undefined;
    const r = isZone ? undefined : regionInfo(scopeName);
    if (!z && !r) {
      throw notFound(`projects/${project}/${collection}/${scopeName}`);
    }
    return route(`${collection}.get`, scopeNames(project, where(collection, scopeName)), false, () =>
      ok(z ? zoneJson(l, project, z) : regionJson(l, project, r as (typeof GCP_REGIONS)[number])),
    );
  }

  // aggregated lists
  if (collection === 'aggregated' && rest.length === 2 && method === 'GET') {
    const type = scopeName;
    const listPath = `projects/${project}/aggregated/${type}`;
    const run = (kind: string, field: string, scopes: string[], itemsOf: (scope: string) => Json[]): GcpRoute['run'] =>
      (_fail, unreachable) => aggregatedAnswer(l, query, pageSize, kind, field, listPath, scopes, itemsOf, unreachable);
    const byScope = (scope: string): Location => (scope.startsWith('zones/') ? { zone: scope.slice(6) } : { region: scope.slice(8) });
    switch (type) {
      case 'disks':
        return route('disks.aggregatedList', [project], false, run('compute#diskAggregatedList', 'disks', aggregatedScopes('zonesAndRegions'), (s) =>
          state.list(state.disks, project, byScope(s)).map((d) => diskJson(l, state, d)),
        ));
      case 'instances':
        return route('instances.aggregatedList', [project], false, run('compute#instanceAggregatedList', 'instances', aggregatedScopes('zones'), (s) =>
          state.list(state.instances, project, byScope(s)).map((vm) => instanceJson(l, state, vm)),
        ));
      case 'machineTypes':
        return route('machineTypes.aggregatedList', [project], false, run('compute#machineTypeAggregatedList', 'machineTypes', aggregatedScopes('zones'), (s) =>
          MACHINE_TYPES.map((m) => machineTypeJson(l, project, s.slice(6), m.name)),
        ));
      case 'operations':
        return route('globalOperations.aggregatedList', [project], false, run('compute#operationAggregatedList', 'operations', aggregatedScopes('all'), (s) =>
          [...state.operations.values()]
            .filter((op) => op.project === project && (op.scope.kind === 'global' ? 'global' : `${op.scope.kind}s/${op.scope.name}`) === s)
            .map((op) => operationJson(l, state, op)),
        ));
      default:
        return unknown();
    }
  }

  // operations: (zones/{z}|regions/{r})/operations[/{op}[/wait]] and global/operations[...]
  const opsAt = collection === 'global' ? 1 : 2;
  if ((collection === 'global' || collection === 'zones' || collection === 'regions') && rest[opsAt] === 'operations') {
    const scope = scopeOf(collection, scopeName);
    if (scope.kind === 'zone') {
      state.checkZone(scope.name);
    } else if (scope.kind === 'region') {
      state.checkRegion(scope.name);
    }
    const family = scope.kind === 'zone' ? 'zoneOperations' : scope.kind === 'region' ? 'regionOperations' : 'globalOperations';
    const scopes = scope.kind === 'global' ? [project] : scopeNames(project, where(collection, scope.name));
    const opName = rest[opsAt + 1];
    const opVerb = rest[opsAt + 2];
    const scopePath = scope.kind === 'global' ? 'global' : `${collection}/${scopeName}`;
    if (opName === undefined && method === 'GET') {
      const ops = [...state.operations.values()].filter((op) => op.project === project && JSON.stringify(op.scope) === JSON.stringify(scope));
      ops.sort((a, b) => a.seq - b.seq);
      return route(`${family}.list`, scopes, false, () =>
        listAnswer(l, query, pageSize, 'compute#operationList', `projects/${project}/${scopePath}/operations`, ops.map((op) => operationJson(l, state, op))),
      );
    }
    if (opName !== undefined && rest.length === opsAt + 2) {
      if (method === 'GET') {
        return route(`${family}.get`, scopes, false, () => ok(operationJson(l, state, state.operation(project, scope, opName))));
      }
      if (method === 'DELETE') {
        return route(`${family}.delete`, scopes, true, () => {
          const op = state.operation(project, scope, opName);
          state.operations.delete(op.name);
          state.touch();
          return ok({});
        });
      }
    }
    if (opName !== undefined && opVerb === 'wait' && rest.length === opsAt + 3 && method === 'POST') {
      const op = state.operation(project, scope, opName);
      return route(`${family}.wait`, scopes, false, () => ok(operationJson(l, state, state.operation(project, scope, opName))), op);
    }
    return unknown();
  }

  // machine types (zonal)
  if (collection === 'zones' && resource === 'machineTypes' && method === 'GET') {
    state.checkZone(scopeName);
    const scopes = scopeNames(project, { zone: scopeName });
    if (name === undefined) {
      return route('machineTypes.list', scopes, false, () =>
        listAnswer(l, query, pageSize, 'compute#machineTypeList', `projects/${project}/zones/${scopeName}/machineTypes`, MACHINE_TYPES.map((m) => machineTypeJson(l, project, scopeName, m.name))),
      );
    }
    if (!MACHINE_TYPES.some((m) => m.name === name)) {
      throw notFound(`projects/${project}/zones/${scopeName}/machineTypes/${name}`);
    }
    return route('machineTypes.get', scopes, false, () => ok(machineTypeJson(l, project, scopeName, name)));
  }

  // instances
  if (collection === 'zones' && resource === 'instances') {
    state.checkZone(scopeName);
    const scopes = scopeNames(project, { zone: scopeName });
    if (name === undefined && method === 'GET') {
      return route('instances.list', scopes, false, () =>
        listAnswer(l, query, pageSize, 'compute#instanceList', `projects/${project}/zones/${scopeName}/instances`, state.list(state.instances, project, { zone: scopeName }).map((vm) => instanceJson(l, state, vm))),
      );
    }
    const path = state.canonical('instances', `projects/${project}/zones/${scopeName}/instances/${name}`);
    if (verb === undefined && method === 'GET') {
      return route('instances.get', scopes, false, () => ok(instanceJson(l, state, state.instance(path))));
    }
    if (verb !== undefined && extra === undefined && method === 'POST') {
      switch (verb) {
        case 'stop':
          return mutation('instances.stop', scopes, (fail) => state.stopInstance(path, fail));
        case 'start':
          return mutation('instances.start', scopes, (fail) => state.startInstance(path, fail));
        case 'attachDisk':
          return mutation('instances.attachDisk', scopes, (fail) => state.attachDisk(path, body(), fail));
        case 'detachDisk':
          return mutation('instances.detachDisk', scopes, (fail) => state.detachDisk(path, query.get('deviceName') ?? undefined, fail));
        case 'setLabels':
          return mutation('instances.setLabels', scopes, () => state.setLabels('instances', path, body()));
        default:
          return unknown();
      }
    }
    return unknown();
  }

  // disks: zones/{z}/disks, regions/{r}/disks
  if ((collection === 'zones' || collection === 'regions') && resource === 'disks') {
    const loc = where(collection, scopeName);
    if (loc.zone !== undefined) {
      state.checkZone(loc.zone);
    } else {
      state.checkRegion(loc.region);
    }
    const family = collection === 'zones' ? 'disks' : 'regionDisks';
    const scopes = scopeNames(project, loc);
    if (name === undefined) {
      if (method === 'GET') {
        return route(`${family}.list`, scopes, false, () =>
          listAnswer(l, query, pageSize, 'compute#diskList', `projects/${project}/${collection}/${scopeName}/disks`, state.list(state.disks, project, loc).map((d) => diskJson(l, state, d))),
        );
      }
      if (method === 'POST') {
        return mutation(`${family}.insert`, scopes, (fail) =>
          state.insertDisk(project, loc, body(), { sourceImage: query.get('sourceImage') ?? undefined, fail }),
        );
      }
      return unknown();
    }
    const path = state.canonical('disks', diskPath(project, loc, name));
    if (verb === undefined) {
      if (method === 'GET') {
        return route(`${family}.get`, scopes, false, () => ok(diskJson(l, state, state.disk(path))));
      }
      if (method === 'DELETE') {
        return mutation(`${family}.delete`, scopes, () => state.deleteDisk(path));
      }
      return unknown();
    }
    if (extra === undefined && method === 'POST') {
      if (verb === 'createSnapshot') {
        const guestFlush = boolParam(query, 'guestFlush') ?? false;
        return mutation(`${family}.createSnapshot`, scopes, (fail) => state.createSnapshot(project, path, body(), { guestFlush, fail }));
      }
      if (verb === 'setLabels') {
        return mutation(`${family}.setLabels`, scopes, () => state.setLabels('disks', path, body()));
      }
    }
    return unknown();
  }

  // global: snapshots, images, machineImages
  if (collection === 'global') {
    const type = scopeName;
    const item = resource;
    const action = verb ?? name;
    const scopes = [project];
    const globalPath = (t: string, n: string) => `projects/${project}/global/${t}/${n}`;
    if (type === 'snapshots') {
      if (item === undefined) {
        if (method === 'GET') {
          return route('snapshots.list', scopes, false, () =>
            listAnswer(l, query, pageSize, 'compute#snapshotList', `projects/${project}/global/snapshots`, state.list(state.snapshots, project).map((s) => snapshotJson(l, state, s))),
          );
        }
        if (method === 'POST') {
          return mutation('snapshots.insert', scopes, (fail) => {
            const input = body();
            const source = typeof input.sourceDisk === 'string' ? input.sourceDisk : '';
            if (!source) {
              throw new GcpError(400, 'required', "Required field 'resource.sourceDisk' not specified");
            }
            return state.createSnapshot(project, relativePath(project, source), input, { fail, viaInsert: true });
          });
        }
        return unknown();
      }
      const path = state.canonical('snapshots', globalPath('snapshots', item));
      if (name === undefined) {
        if (method === 'GET') {
          return route('snapshots.get', scopes, false, () => ok(snapshotJson(l, state, state.snapshot(path))));
        }
        if (method === 'DELETE') {
          return mutation('snapshots.delete', scopes, () => state.deleteSnapshot(path));
        }
      } else if (action === 'setLabels' && rest.length === 4 && method === 'POST') {
        return mutation('snapshots.setLabels', scopes, () => state.setLabels('snapshots', path, body()));
      }
      return unknown();
    }
    if (type === 'images') {
      if (item === undefined) {
        if (method === 'GET') {
          return route('images.list', scopes, false, () =>
            listAnswer(l, query, pageSize, 'compute#imageList', `projects/${project}/global/images`, state.list(state.images, project).map((i) => imageJson(l, state, i))),
          );
        }
        if (method === 'POST') {
          return mutation('images.insert', scopes, (fail) => state.insertImage(project, body(), { forceCreate: boolParam(query, 'forceCreate') ?? false, fail }));
        }
        return unknown();
      }
      if (item === 'family' && name !== undefined && rest.length === 4 && method === 'GET') {
        return route('images.getFromFamily', scopes, false, () => ok(imageJson(l, state, state.imageFromFamily(project, name))));
      }
      const path = state.canonical('images', globalPath('images', item));
      if (name === undefined) {
        if (method === 'GET') {
          return route('images.get', scopes, false, () => ok(imageJson(l, state, state.image(path))));
        }
        if (method === 'DELETE') {
          return mutation('images.delete', scopes, () => state.deleteImage(path));
        }
      } else if (action === 'setLabels' && rest.length === 4 && method === 'POST') {
        return mutation('images.setLabels', scopes, () => state.setLabels('images', path, body()));
      }
      return unknown();
    }
    if (type === 'machineImages') {
      if (item === undefined) {
        if (method === 'GET') {
          return route('machineImages.list', scopes, false, () =>
            listAnswer(l, query, pageSize, 'compute#machineImageList', `projects/${project}/global/machineImages`, state.list(state.machineImages, project).map((m) => machineImageJson(l, state, m))),
          );
        }
        if (method === 'POST') {
          return mutation('machineImages.insert', scopes, (fail) => {
            const input = body();
            const source = typeof input.sourceInstance === 'string' ? input.sourceInstance : query.get('sourceInstance') ?? undefined;
            return state.insertMachineImage(project, { ...input, sourceInstance: source }, { fail });
          });
        }
        return unknown();
      }
      const path = state.canonical('machineImages', globalPath('machineImages', item));
      if (name === undefined) {
        if (method === 'GET') {
          return route('machineImages.get', scopes, false, () => ok(machineImageJson(l, state, state.machineImage(path))));
        }
        if (method === 'DELETE') {
          return mutation('machineImages.delete', scopes, () => state.deleteMachineImage(path));
        }
      } else if (action === 'setLabels' && rest.length === 4 && method === 'POST') {
        return mutation('machineImages.setLabels', scopes, () => state.setLabels('machineImages', path, body()));
      }
      return unknown();
    }
  }
  return unknown();
}
