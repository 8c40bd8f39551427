/**
 * The ARM wire of the Azure sandbox: routes requests (ids matched case-insensitively, stored
 * casing echoed); bodies.ts parses JSON bodies into state inputs, answers.ts pages lists with
 * absolute nextLinks and answers long-running operations in the configured style:
 *
 * - `azure-async-operation`: 202 (ComputeRP PUT: 200/201 with the body) with `Azure-AsyncOperation`
 *   (status endpoint), `Location` (monitor endpoint) and `Retry-After`;
 * - `location`: 202 with `Location` and `Retry-After` only; the monitor answers 202 until done,
 *   then 200 with the result (204 for DELETE), or the error's status and body;
 * - `provisioning-state`: PUT answers 201/200 with `properties.provisioningState` Creating/Updating
 *   and no header (the client polls the resource); other methods fall back to `location`;
 * - `default`: what Azure does per operation (DiskRP/ComputeRP PUT, PATCH, POST: azure-async-operation;
 *   DELETE: location; Images_CreateOrUpdate: provisioning-state).
 */
import { ArmError, type ArmErrorBody } from './errors';
import { deleteImage, generalize, powerAction, putImage, putVm } from './compute';
import { LOCATIONS } from './locations';
import * as shapes from './shapes';
import { type AzureState, type BaseRecord, type ComputeType, computeId, type OperationRecord } from './state';
import { type ArmRequest, type ArmResponse, type ArmRoute, page, lroAnswer, monitorAnswer } from './answers';
import { type Json, parseBody, str, num, tags, diskInput, snapshotInput, vmInput, imageInput } from './bodies';

interface TypeInfo {
  type: ComputeType;
  op: string;
}

const TYPES: Record<string, TypeInfo> = {
  disks: { type: 'disks', op: 'Disks' },
  snapshots: { type: 'snapshots', op: 'Snapshots' },
  virtualmachines: { type: 'virtualMachines', op: 'VirtualMachines' },
  images: { type: 'images', op: 'Images' },
  galleries: { type: 'galleries', op: 'Galleries' },
  diskencryptionsets: { type: 'diskEncryptionSets', op: 'DiskEncryptionSets' },
};

// ---- routing -----------------------------------------------------------------------------------

function methodNotAllowed(method: string): ArmError {
  return new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
}

export interface WireContext {
  state: AzureState;
  /** https://127.0.0.1:PORT */
  base: string;
  /** The SAS URL of a grant. */
  sasUrl: (grant: { id: string; expiresAt: number; sig: string; fileFormat: string }) => string;
}

/** Routes one ARM request (api-version and auth already checked). Throws ArmError. */
export function routeArm(ctx: WireContext, req: ArmRequest): ArmRoute {
  const { state, base } = ctx;
  const apiVersion = req.query.get('api-version') ?? '';
  const seg = req.path.split('/').filter((s) => s.length > 0);
  const low = seg.map((s) => s.toLowerCase());
  const m = req.method;
  const get = (operation: string, scopes: string[], produce: () => ArmResponse): ArmRoute => {
    if (m !== 'GET') {
      throw methodNotAllowed(m);
    }
    return { operation, scopes, mutating: false, run: produce };
  };
  const pageOf = (items: unknown[]) => page(items, req, base, state.settings.pageSize);

  if (low.length === 1 && low[0] === 'subscriptions') {
    return get('Subscriptions_List', [], () => pageOf(state.subscriptions.map((s) => shapes.subscriptionJson(s, state.tenant.id))));
  }
  if (low.length === 1 && low[0] === 'tenants') {
    return get('Tenants_List', [], () => pageOf([shapes.tenantJson(state.tenant)]));
  }
  if (low[0] !== 'subscriptions' || seg.length < 2) {
    throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
  }
  const subId = seg[1];
  const scopes = [subId.toLowerCase()];
  if (low.length === 2) {
    return get('Subscriptions_Get', scopes, () => ({ status: 200, body: shapes.subscriptionJson(state.subscription(subId), state.tenant.id) }));
  }
  if (low.length === 3 && low[2] === 'locations') {
    return get('Subscriptions_ListLocations', scopes, () => {
      state.subscription(subId);
      return { status: 200, body: { value: LOCATIONS.map((l) => shapes.locationJson(state.subscription(subId).id, l)) } };
    });
  }
  if (low[2] === 'resourcegroups') {
    return routeGroups(ctx, req, seg, low, scopes);
  }
  if (low[2] === 'providers' && low.length >= 5) {
    if (low[3] !== 'microsoft.compute') {
      throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${seg[3]}' is invalid.`);
    }
    // Operation status and monitor endpoints.
    if (low.length === 8 && low[4] === 'locations' && (low[6] === 'diskoperations' || low[6] === 'operations')) {
      const monitor = req.query.get('monitor') === 'true';
      return get(monitor ? 'AsyncOperation_Monitor' : 'AsyncOperation_Get', [...scopes, low[5]], () => {
        state.subscription(subId);
        const op = state.operation(subId, seg[7]);
        return monitor ? monitorAnswer(state, op, base, apiVersion) : { status: 200, body: shapes.operationJson(state, op) };
      });
    }
    if (low.length === 5) {
      const info = TYPES[low[4]];
      if (!info) {
        throw invalidType(seg[4], apiVersion);
      }
      const op = info.type === 'virtualMachines' ? 'VirtualMachines_ListAll' : `${info.op}_List`;
      return get(op, scopes, () => pageOf(listJson(state, info.type, subId, undefined, statusOnly(req))));
    }
  }
  throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
}

function invalidType(type: string, apiVersion: string): ArmError {
  return new ArmError(
    404,
    'InvalidResourceType',
    `The resource type '${type}' could not be found in the namespace 'Microsoft.Compute' for api version '${apiVersion}'.`,
  );
}

/** `statusOnly=true` on a VM list: ARM returns each VM with its instance view (power state). */
function statusOnly(req: ArmRequest): boolean {
  return (req.query.get('statusOnly') ?? '').toLowerCase() === 'true';
}

function listJson(state: AzureState, type: ComputeType, subId: string, rg?: string, withInstanceView = false): Json[] {
  switch (type) {
    case 'disks':
      return state.list(state.disks, subId, rg).map((d) => shapes.diskJson(state, d));
    case 'snapshots':
      return state.list(state.snapshots, subId, rg).map((s) => shapes.snapshotJson(state, s));
    case 'virtualMachines':
      return state.list(state.vms, subId, rg).map((v) => shapes.vmJson(state, v, withInstanceView));
    case 'images':
      return state.list(state.images, subId, rg).map((i) => shapes.imageJson(state, i));
    case 'galleries':
      return state.list(state.galleries, subId, rg).map((g) => shapes.galleryJson(g));
    default:
      return state.list(state.diskEncryptionSets, subId, rg).map((d) => shapes.diskEncryptionSetJson(d, state.tenant.id));
  }
}

function routeGroups(ctx: WireContext, req: ArmRequest, seg: string[], low: string[], scopes: string[]): ArmRoute {
  const { state, base } = ctx;
  const subId = seg[1];
  const m = req.method;
  const pageOf = (items: unknown[]) => page(items, req, base, state.settings.pageSize);
  if (low.length === 3) {
    if (m !== 'GET') {
      throw methodNotAllowed(m);
    }
    return {
      operation: 'ResourceGroups_List',
      scopes,
      mutating: false,
      run: () => page(state.groupsOf(subId).map(shapes.resourceGroupJson), req, base, state.settings.pageSize, true),
    };
  }
  const rgName = seg[3];
  if (low.length === 4) {
    if (m === 'GET' || m === 'HEAD') {
      return {
        operation: m === 'GET' ? 'ResourceGroups_Get' : 'ResourceGroups_CheckExistence',
        scopes,
        mutating: false,
        run: () => {
          const rg = state.group(subId, rgName);
          return m === 'GET' ? { status: 200, body: shapes.resourceGroupJson(rg) } : { status: 204 };
        },
      };
    }
    if (m === 'PUT') {
      return {
        operation: 'ResourceGroups_CreateOrUpdate',
        scopes,
        mutating: true,
        run: () => {
          const body = parseBody(req.body);
          const { record, created } = state.putGroup(subId, rgName, str(body.location, 'location') ?? '', tags(body.tags));
          return { status: created ? 201 : 200, body: shapes.resourceGroupJson(record) };
        },
      };
    }
    throw methodNotAllowed(m);
  }
  if (low[4] !== 'providers' || low.length < 7) {
    throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
  }
  if (low[5] !== 'microsoft.compute') {
    throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${seg[5]}' is invalid.`);
  }
  const apiVersion = req.query.get('api-version') ?? '';
  const info = TYPES[low[6]];
  if (!info) {
    throw invalidType(seg[6], apiVersion);
  }
  if (low.length === 7) {
    if (m !== 'GET') {
      throw methodNotAllowed(m);
    }
    const op = info.type === 'virtualMachines' ? 'VirtualMachines_List' : `${info.op}_ListByResourceGroup`;
    return { operation: op, scopes, mutating: false, run: () => pageOf(listJson(state, info.type, subId, rgName, statusOnly(req))) };
  }
  if (info.type === 'galleries' && low.length > 8) {
    return routeGallery(ctx, req, seg, low, scopes);
  }
  const name = seg[7];
  if (low.length === 8) {
    return routeResource(ctx, req, info, subId, rgName, name, scopes);
  }
  if (low.length === 9) {
    return routeAction(ctx, req, info, subId, rgName, name, low[8], scopes);
  }
  throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
}

/** The location of an existing record (for per-region faults); none when it does not exist. */
function locationOf(state: AzureState, info: TypeInfo, subId: string, rg: string, name: string): string[] {
  const record = mapOf(state, info.type).get(computeId(subId, rg, info.type, name).toLowerCase());
  return record ? [record.location] : [];
}

function mapOf(state: AzureState, type: ComputeType): Map<string, BaseRecord> {
  switch (type) {
    case 'disks':
      return state.disks;
    case 'snapshots':
      return state.snapshots;
    case 'virtualMachines':
      return state.vms;
    case 'images':
      return state.images;
    case 'galleries':
      return state.galleries;
    default:
      return state.diskEncryptionSets;
  }
}

function bodyLocation(req: ArmRequest): string[] {
  try {
    const value = (JSON.parse(req.body.toString('utf8')) as { location?: unknown }).location;
    return typeof value === 'string' ? [value.replace(/\s+/g, '').toLowerCase()] : [];
  } catch {
    return [];
  }
}

function routeResource(ctx: WireContext, req: ArmRequest, info: TypeInfo, subId: string, rg: string, name: string, scopes: string[]): ArmRoute {
  const { state, base } = ctx;
  const apiVersion = req.query.get('api-version') ?? '';
  const m = req.method;
  const where = [...scopes, ...locationOf(state, info, subId, rg, name)];
  const find = () => state.find(mapOf(state, info.type), info.type, subId, rg, name);
  if (m === 'GET') {
    const expand = (req.query.get('$expand') ?? '').toLowerCase() === 'instanceview';
    return {
      operation: `${info.op}_Get`,
      scopes: where,
      mutating: false,
      run: () => ({ status: 200, body: recordJson(state, info.type, find(), expand) }),
    };
  }
  const writable = info.type === 'disks' || info.type === 'snapshots' || info.type === 'virtualMachines' || info.type === 'images';
  if (!writable) {
    throw methodNotAllowed(m);
  }
  if (m === 'PUT' || m === 'PATCH') {
    const operation = m === 'PUT' ? `${info.op}_CreateOrUpdate` : `${info.op}_Update`;
    return {
      operation,
      scopes: [...where, ...bodyLocation(req)],
      mutating: true,
      run: (fail) => {
        const body = parseBody(req.body);
        let change: { record: BaseRecord; created: boolean; operation: OperationRecord };
        switch (info.type) {
          case 'disks':
            change = m === 'PUT' ? state.putDisk(subId, rg, name, diskInput(body), fail) : state.updateDisk(state.find(state.disks, 'disks', subId, rg, name), diskInput(body), fail, operation, 'PATCH');
            break;
          case 'snapshots':
            change =
              m === 'PUT'
                ? state.putSnapshot(subId, rg, name, snapshotInput(body), fail)
                : state.updateSnapshot(state.find(state.snapshots, 'snapshots', subId, rg, name), snapshotInput(body), fail, operation, 'PATCH');
            break;
          case 'virtualMachines':
            change = putVm(state, subId, rg, name, vmInput(body), m, fail);
            break;
          default:
            if (m === 'PATCH') {
              const image = state.find(state.images, 'images', subId, rg, name);
              change = putImage(state, subId, rg, name, { ...imageInput(body), location: image.location }, fail);
            } else {
              change = putImage(state, subId, rg, name, imageInput(body), fail);
            }
        }
        state.touch();
        return lroAnswer(state, change.operation, change.created, recordJson(state, info.type, change.record, false), base, apiVersion);
      },
    };
  }
  if (m === 'DELETE') {
    return {
      operation: `${info.op}_Delete`,
      scopes: where,
      mutating: true,
      run: (fail) => {
        let record: BaseRecord;
        try {
          record = find();
        } catch (error) {
          // ARM answers 204 for a DELETE of something that is not there (the group must exist).
          if (error instanceof ArmError && error.code === 'ResourceNotFound') {
            return { status: 204 };
          }
          throw error;
        }
        let op: OperationRecord;
        switch (info.type) {
          case 'disks':
            op = state.deleteDisk(record as never, fail);
            break;
          case 'snapshots':
            op = state.deleteSnapshot(record as never, fail);
            break;
          case 'images':
            op = deleteImage(state, record as never, fail);
            break;
          default:
            throw methodNotAllowed(m);
        }
        return lroAnswer(state, op, false, undefined, base, apiVersion);
      },
    };
  }
  throw methodNotAllowed(m);
}

function recordJson(state: AzureState, type: ComputeType, record: BaseRecord, expand: boolean): Json {
  switch (type) {
    case 'disks':
      return shapes.diskJson(state, record as never);
    case 'snapshots':
      return shapes.snapshotJson(state, record as never);
    case 'virtualMachines':
      return shapes.vmJson(state, record as never, expand);
    case 'images':
      return shapes.imageJson(state, record as never);
    case 'galleries':
      return shapes.galleryJson(record as never);
    default:
      return shapes.diskEncryptionSetJson(record as never, state.tenant.id);
  }
}

const ACTIONS: Record<string, Record<string, string>> = {
  disks: { begingetaccess: 'GrantAccess', endgetaccess: 'RevokeAccess' },
  snapshots: { begingetaccess: 'GrantAccess', endgetaccess: 'RevokeAccess' },
  virtualMachines: { deallocate: 'Deallocate', start: 'Start', poweroff: 'PowerOff', generalize: 'Generalize', instanceview: 'InstanceView' },
};

function routeAction(ctx: WireContext, req: ArmRequest, info: TypeInfo, subId: string, rg: string, name: string, action: string, scopes: string[]): ArmRoute {
  const { state, base } = ctx;
  const apiVersion = req.query.get('api-version') ?? '';
  const verb = ACTIONS[info.type]?.[action];
  if (!verb) {
    throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
  }
  const operation = `${info.op}_${verb}`;
  const where = [...scopes, ...locationOf(state, info, subId, rg, name)];
  if (verb === 'InstanceView') {
    if (req.method !== 'GET') {
      throw methodNotAllowed(req.method);
    }
    return {
      operation,
      scopes: where,
      mutating: false,
      run: () => ({ status: 200, body: shapes.vmInstanceView(state, state.find(state.vms, 'virtualMachines', subId, rg, name)) }),
    };
  }
  if (req.method !== 'POST') {
    throw methodNotAllowed(req.method);
  }
  return {
    operation,
    scopes: where,
    mutating: true,
    run: (fail) => {
      let op: OperationRecord;
      if (info.type === 'virtualMachines') {
        const vm = state.find(state.vms, 'virtualMachines', subId, rg, name);
        if (verb === 'Generalize') {
          generalize(state, vm);
          return { status: 200 };
        }
        op = powerAction(state, vm, verb === 'Deallocate' ? 'deallocate' : verb === 'Start' ? 'start' : 'powerOff', fail);
      } else {
        const kind = info.type as 'disks' | 'snapshots';
        const record = kind === 'disks' ? state.find(state.disks, 'disks', subId, rg, name) : state.find(state.snapshots, 'snapshots', subId, rg, name);
        if (verb === 'GrantAccess') {
          const body = parseBody(req.body);
          op = state.grantAccess(
            record,
            kind,
            {
              access: str(body.access, 'access'),
              durationInSeconds: num(body.durationInSeconds, 'durationInSeconds'),
              fileFormat: str(body.fileFormat, 'fileFormat'),
            },
            ctx.sasUrl,
            fail,
          );
        } else {
          op = state.revokeAccess(record, kind, fail);
        }
      }
      return lroAnswer(state, op, false, undefined, base, apiVersion);
    },
  };
}

function routeGallery(ctx: WireContext, req: ArmRequest, seg: string[], low: string[], scopes: string[]): ArmRoute {
  const { state, base } = ctx;
  const subId = seg[1];
  const rg = seg[3];
  const gallery = seg[7];
  if (req.method !== 'GET' || low[8] !== 'images') {
    if (req.method !== 'GET') {
      throw methodNotAllowed(req.method);
    }
    throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
  }
  const pageOf = (items: unknown[]) => page(items, req, base, state.settings.pageSize);
  const galleryRecord = () => state.find(state.galleries, 'galleries', subId, rg, gallery);
  const notFound = (type: string, name: string) =>
    new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/${type}/${name}' under resource group '${rg}' was not found.`);
  if (low.length === 9) {
    return {
      operation: 'GalleryImages_ListByGallery',
      scopes,
      mutating: false,
      run: () => {
        const g = galleryRecord();
        const prefix = `${g.id}/images/`.toLowerCase();
        return pageOf([...state.galleryImages.values()].filter((i) => i.id.toLowerCase().startsWith(prefix)).map(shapes.galleryImageJson));
      },
    };
  }
  const image = seg[9];
  const imageRecord = () => {
    const g = galleryRecord();
    const record = state.galleryImages.get(`${g.id}/images/${image}`.toLowerCase());
    if (!record) {
      throw notFound(`galleries/${gallery}/images`, image);
    }
    return record;
  };
  if (low.length === 10) {
    return { operation: 'GalleryImages_Get', scopes, mutating: false, run: () => ({ status: 200, body: shapes.galleryImageJson(imageRecord()) }) };
  }
  if (low[10] === 'versions' && low.length === 11) {
    return {
      operation: 'GalleryImageVersions_ListByGalleryImage',
      scopes,
      mutating: false,
      run: () => {
        const i = imageRecord();
        const prefix = `${i.id}/versions/`.toLowerCase();
        return pageOf(
          [...state.galleryImageVersions.values()]
            .filter((v) => v.id.toLowerCase().startsWith(prefix))
            .map((v) => shapes.galleryImageVersionJson(v, LOCATIONS)),
        );
      },
    };
  }
  if (low[10] === 'versions' && low.length === 12) {
    return {
      operation: 'GalleryImageVersions_Get',
      scopes,
      mutating: false,
      run: () => {
        const i = imageRecord();
        const v = state.galleryImageVersions.get(`${i.id}/versions/${seg[11]}`.toLowerCase());
        if (!v) {
          throw notFound(`galleries/${gallery}/images/${image}/versions`, seg[11]);
        }
        return { status: 200, body: shapes.galleryImageVersionJson(v, LOCATIONS) };
      },
    };
  }
  throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${base}${req.path}'.`);
}

export type { ArmErrorBody };
