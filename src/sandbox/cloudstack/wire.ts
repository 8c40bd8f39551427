/**
 * CloudStack's API commands on the sandbox state: parameters in (names matched lower-cased,
 * values as sent), the body of `<command>response` out. Lists answer `{count, <key>: [...]}` and
 * `{}` when nothing matches; paging is `page`/`pagesize` with `default.page.size` as the largest
 * and default page. Async commands answer `{jobid}` (and `id` for the ones that create something)
 * at once; the job runs on the sandbox clock (store.ts).
 */
import { badId, invalid, missing } from './errors';
import {
  jobShape,
  snapshotShape,
  tagShape,
  templateShape,
  vmShape,
  vmSnapshotShape,
  volumeShape,
  zoneShape,
  ACCOUNT,
  CLOUDSTACK_VERSION,
} from './shapes';
import type { CsState, JobRecord, ResourceType, SnapshotPolicyRecord } from './state';
import { CsStore } from './store';

/** A request's parameters, looked up by lower-cased name. */
export class Params {
  private readonly values = new Map<string, string>();

  constructor(readonly command: string, entries: Iterable<[string, string]>) {
    for (const [name, value] of entries) {
      const key = name.toLowerCase();
      if (!this.values.has(key)) {
        this.values.set(key, value);
      }
    }
  }

  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.get(name);
    if (value === undefined) {
      throw missing(this.command, name);
    }
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : value.toLowerCase() === 'true';
  }

  int(name: string): number | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : CsStore.integer(value, name);
  }

  /** A comma-separated list parameter (`zoneids`, `ids`). */
  list(name: string): string[] | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  }

  /** A map parameter: `tags[0].key=k&tags[0].value=v` → Map k → v (value undefined when absent). */
  map(name: string): Map<string, string | undefined> {
    const entries = new Map<number, { key?: string; value?: string }>();
    const pattern = new RegExp(`^${name}\\[(\\d+)\\]\\.(key|value)$`);
    for (const [param, value] of this.values) {
      const match = pattern.exec(param);
      if (match) {
        const entry = entries.get(Number(match[1])) ?? {};
        entry[match[2] as 'key' | 'value'] = value;
        entries.set(Number(match[1]), entry);
      }
    }
    const result = new Map<string, string | undefined>();
    for (const index of [...entries.keys()].sort((a, b) => a - b)) {
      const entry = entries.get(index);
      if (entry?.key) {
        result.set(entry.key, entry.value);
      }
    }
    return result;
  }
}

export interface CommandContext {
  state: CsState;
  params: Params;
  /** The `lroFailure` fault fired: the job this command starts fails when it would end. */
  failJob: boolean;
}

interface Command {
  /** Changes state (the state file is saved after it). */
  mutating: boolean;
  run(ctx: CommandContext): Record<string, unknown>;
}

/** The zone a request is about (for the `regions` fault), when it names one. */
export function requestZone(params: Params): string | undefined {
  return params.get('zoneid');
}

// ---- lists ------------------------------------------------------------------------------------

function page<T>(ctx: CommandContext, key: string, items: T[], shape: (item: T) => unknown): Record<string, unknown> {
  const { params, state } = ctx;
  const max = state.pageSize;
  const pageSize = params.int('pagesize');
  const pageNo = params.int('page');
  if (pageSize !== undefined && pageSize > max) {
    throw invalid(`Page size can't exceed max allowed page size value: ${max}`);
  }
  if (pageSize === -1 && pageNo !== undefined) {
    throw invalid("Can't specify page parameter when pagesize is -1 (Unlimited)");
  }
  if (pageSize !== undefined && pageSize < -1) {
    throw invalid(`Invalid pagesize value: ${pageSize}`);
  }
  const size = pageSize === -1 ? items.length : pageSize === undefined || pageSize === 0 ? max : pageSize;
  const start = pageNo !== undefined && pageNo > 0 ? (pageNo - 1) * size : 0;
  const slice = items.slice(start, start + size);
  if (items.length === 0) {
    return {};
  }
  return slice.length === 0 ? { count: items.length } : { count: items.length, [key]: slice.map(shape) };
}

/** Whether a resource's tags hold every `tags[n].key`/`value` asked for. */
function tagsMatch(ctx: CommandContext, type: ResourceType, id: string): boolean {
  const wanted = ctx.params.map('tags');
  if (wanted.size === 0) {
    return true;
  }
  const have = ctx.state.tagsOf(type, id);
  return [...wanted].every(([key, value]) => have.some((t) => t.key === key && (value === undefined || t.value === value)));
}

/** `keyword` (a substring of the name) and `name` (exact) filters. */
function nameMatch(ctx: CommandContext, name: string): boolean {
  const exact = ctx.params.get('name');
  const keyword = ctx.params.get('keyword');
  return (exact === undefined || exact === name) && (keyword === undefined || name.toLowerCase().includes(keyword.toLowerCase()));
}

/** An `id` filter: a known id narrows the list, an unknown one is the dispatcher's 431. */
function idFilter<T>(ctx: CommandContext, map: ReadonlyMap<string, T>, param = 'id'): string | undefined {
  const id = ctx.params.get(param);
  if (id !== undefined && !map.has(id)) {
    throw badId(ctx.params.command, param, id);
  }
  return id;
}

function zoneFilter(ctx: CommandContext): string | undefined {
  const zoneId = ctx.params.get('zoneid');
  if (zoneId !== undefined) {
    ctx.state.zone(zoneId, ctx.params.command);
  }
  return zoneId;
}

/** Oldest first; records created at the same time keep their creation order (the sort is stable). */
const byCreated = <T extends { createdAt: number }>(a: T, b: T) => a.createdAt - b.createdAt;

// ---- async answers ----------------------------------------------------------------------------

const started = (job: JobRecord, id?: string) => (id === undefined ? { jobid: job.id } : { id, jobid: job.id });

// ---- the commands -----------------------------------------------------------------------------

const read = (run: Command['run']): Command => ({ mutating: false, run });
const write = (run: Command['run']): Command => ({ mutating: true, run });

const COMMANDS: Record<string, Command> = {
  listCapabilities: read(() => ({
    capability: {
      cloudstackversion: CLOUDSTACK_VERSION,
      securitygroupsenabled: false,
      userpublictemplateenabled: true,
      supportELB: 'false',
      projectinviterequired: false,
      allowusercreateprojects: true,
      customdiskofferingminsize: 1,
      customdiskofferingmaxsize: 1024,
      kvmsnapshotenabled: true,
      allowuserviewdestroyedvm: false,
      allowuserexpungerecovervm: false,
      apilimitinterval: 1,
      apilimitmax: 25,
      defaultuipagesize: 20,
      instancesstatsuseronly: false,
    },
  })),

  listZones: read((ctx) => {
    const id = ctx.params.get('id');
    const name = ctx.params.get('name');
    const zones = ctx.state.zones.filter((z) => (id === undefined || z.id === id) && (name === undefined || z.name === name));
    return page(ctx, 'zone', zones, zoneShape);
  }),

  listDiskOfferings: read((ctx) => {
    const id = ctx.params.get('id');
    const offerings = ctx.state.diskOfferings.filter((o) => (id === undefined || o.id === id) && nameMatch(ctx, o.name));
    return page(ctx, 'diskoffering', offerings, (o) => ({
      id: o.id,
      name: o.name,
      displaytext: o.displaytext,
      disksize: o.disksizeGb,
      iscustomized: o.iscustomized,
      storagetype: 'shared',
      provisioningtype: 'thin',
      created: '2024-01-01T00:00:00+0000',
    }));
  }),

  listServiceOfferings: read((ctx) => {
    const id = ctx.params.get('id');
    const offerings = ctx.state.serviceOfferings.filter((o) => (id === undefined || o.id === id) && nameMatch(ctx, o.name));
    return page(ctx, 'serviceoffering', offerings, (o) => ({
      id: o.id,
      name: o.name,
      displaytext: o.displaytext,
      cpunumber: o.cpunumber,
      cpuspeed: o.cpuspeed,
      memory: o.memory,
      storagetype: 'shared',
      provisioningtype: 'thin',
      created: '2024-01-01T00:00:00+0000',
    }));
  }),

  listOsTypes: read((ctx) => {
    const id = ctx.params.get('id');
    const description = ctx.params.get('description');
    const types = ctx.state.osTypes.filter((o) => (id === undefined || o.id === id) && (description === undefined || o.description === description));
    return page(ctx, 'ostype', types, (o) => ({ id: o.id, description: o.description, oscategoryid: o.oscategoryid, isuserdefined: false }));
  }),

  listVirtualMachines: read((ctx) => {
    const { state, params } = ctx;
    const id = idFilter(ctx, state.vms);
    const ids = params.list('ids');
    const zoneId = zoneFilter(ctx);
    const wantState = params.get('state');
    const vms = [...state.vms.values()]
      .filter(
        (vm) =>
          (id === undefined || vm.id === id) &&
          (ids === undefined || ids.includes(vm.id)) &&
          (zoneId === undefined || vm.zoneId === zoneId) &&
          (wantState === undefined || state.vmState(vm).toLowerCase() === wantState.toLowerCase()) &&
          nameMatch(ctx, vm.name) &&
          tagsMatch(ctx, 'UserVm', vm.id),
      )
      .sort(byCreated);
    return page(ctx, 'virtualmachine', vms, (vm) => vmShape(state, vm));
  }),

  listVolumes: read((ctx) => {
    const { state, params } = ctx;
    const id = idFilter(ctx, state.volumes);
    const ids = params.list('ids');
    const zoneId = zoneFilter(ctx);
    const vmId = idFilter(ctx, state.vms, 'virtualmachineid');
    const type = params.get('type')?.toUpperCase();
    const volumes = [...state.volumes.values()]
      .filter(
        (v) =>
          (id === undefined || v.id === id) &&
          (ids === undefined || ids.includes(v.id)) &&
          (zoneId === undefined || v.zoneId === zoneId) &&
          (vmId === undefined || v.vmId === vmId) &&
          (type === undefined || v.type === type) &&
          nameMatch(ctx, v.name) &&
          tagsMatch(ctx, 'Volume', v.id),
      )
      .sort(byCreated);
    return page(ctx, 'volume', volumes, (v) => volumeShape(state, v));
  }),

  listSnapshots: read((ctx) => {
    const { state, params } = ctx;
    const id = idFilter(ctx, state.snapshots);
    const ids = params.list('ids');
    const zoneId = zoneFilter(ctx);
    const volumeId = params.get('volumeid');
    const intervalType = params.get('intervaltype')?.toUpperCase();
    const snapshotType = params.get('snapshottype')?.toUpperCase();
    const unique = params.bool('showunique') === true;
    const entries = [...state.snapshots.values()]
      .filter(
        (s) =>
          (id === undefined || s.id === id) &&
          (ids === undefined || ids.includes(s.id)) &&
          (volumeId === undefined || s.volumeId === volumeId) &&
          (intervalType === undefined || s.intervalType === intervalType) &&
          (snapshotType === undefined || (s.intervalType === 'MANUAL' ? 'MANUAL' : 'RECURRING') === snapshotType) &&
          nameMatch(ctx, s.name) &&
          tagsMatch(ctx, 'Snapshot', s.id),
      )
      .sort(byCreated)
      .flatMap((s) => {
        const zones = s.copies.map((c) => c.zoneId).filter((z) => zoneId === undefined || z === zoneId);
        return (unique ? zones.slice(0, 1) : zones).map((z) => ({ snap: s, zoneId: z }));
      });
    return page(ctx, 'snapshot', entries, (e) => snapshotShape(state, e.snap, e.zoneId));
  }),

  listVMSnapshot: read((ctx) => {
    const { state, params } = ctx;
    const id = idFilter(ctx, state.vmSnapshots, 'vmsnapshotid');
    const vmId = idFilter(ctx, state.vms, 'virtualmachineid');
    const wantState = params.get('state');
    const snaps = [...state.vmSnapshots.values()]
      .filter(
        (s) =>
          (id === undefined || s.id === id) &&
          (vmId === undefined || s.vmId === vmId) &&
          (wantState === undefined || state.vmSnapshotState(s).toLowerCase() === wantState.toLowerCase()) &&
          nameMatch(ctx, s.name) &&
          tagsMatch(ctx, 'VMSnapshot', s.id),
      )
      .sort(byCreated);
    return page(ctx, 'vmSnapshot', snaps, (s) => vmSnapshotShape(state, s));
  }),

  listTemplates: read((ctx) => {
    const { state, params } = ctx;
    const filter = params.required('templatefilter').toLowerCase();
    const known = ['featured', 'self', 'selfexecutable', 'sharedexecutable', 'executable', 'community', 'all'];
    if (!known.includes(filter)) {
      throw invalid(`Invalid template filter ${filter}; valid values are: ${known.join(', ')}`);
    }
    const id = idFilter(ctx, state.templates);
    const zoneId = zoneFilter(ctx);
    const templates = [...state.templates.values()]
      .filter(
        (t) =>
          (filter === 'self' || filter === 'selfexecutable' ? t.self : filter === 'featured' ? t.isfeatured : filter === 'community' ? t.ispublic && !t.isfeatured : true) &&
          (id === undefined || t.id === id) &&
          (zoneId === undefined || t.zoneId === zoneId) &&
          nameMatch(ctx, t.name) &&
          tagsMatch(ctx, 'Template', t.id),
      )
      .sort(byCreated);
    return page(ctx, 'template', templates, (t) => templateShape(state, t));
  }),

  listTags: read((ctx) => {
    const { params } = ctx;
    const type = params.get('resourcetype')?.toLowerCase();
    const resourceId = params.get('resourceid');
    const key = params.get('key');
    const value = params.get('value');
    const tags = ctx.state.tags.filter(
      (t) =>
        (type === undefined || t.resourceType.toLowerCase() === type) &&
        (resourceId === undefined || t.resourceId === resourceId) &&
        (key === undefined || t.key === key) &&
        (value === undefined || t.value === value),
    );
    return page(ctx, 'tag', tags, tagShape);
  }),

  listAsyncJobs: read((ctx) => {
    const jobs = [...ctx.state.jobs.values()].sort(byCreated);
    return page(ctx, 'asyncjobs', jobs, (j) => jobShape(ctx.state, j, false));
  }),

  queryAsyncJobResult: write((ctx) => {
    const job = ctx.state.poll(ctx.params.required('jobid'), ctx.params.command);
    return jobShape(ctx.state, job, true);
  }),

  createSnapshot: write((ctx) => {
    const { params } = ctx;
    const { job, snapshot } = ctx.state.createSnapshot(
      params.required('volumeid'),
      { name: params.get('name'), quiescevm: params.bool('quiescevm'), zoneIds: params.list('zoneids') },
      ctx.failJob,
    );
    const tags = params.map('tags');
    for (const [key, value] of tags) {
      ctx.state.setTag('Snapshot', snapshot.id, key, value ?? '');
    }
    return started(job, snapshot.id);
  }),

  deleteSnapshot: write((ctx) => started(ctx.state.deleteSnapshot(ctx.params.required('id'), ctx.params.get('zoneid'), ctx.failJob))),

  revertSnapshot: write((ctx) => started(ctx.state.revertSnapshot(ctx.params.required('id'), ctx.failJob))),

  copySnapshot: write((ctx) => {
    const { params } = ctx;
    const zones = params.list('destzoneids') ?? (params.get('destzoneid') === undefined ? undefined : [params.required('destzoneid')]);
    if (zones === undefined) {
      throw invalid('Please specify either destzoneid or destzoneids');
    }
    return started(ctx.state.copySnapshot(params.required('id'), zones, ctx.failJob));
  }),

  createVolume: write((ctx) => {
    const { params } = ctx;
    const { job, volume } = ctx.state.createVolume(
      {
        name: params.get('name'),
        zoneId: params.get('zoneid'),
        diskOfferingId: params.get('diskofferingid'),
        snapshotId: params.get('snapshotid'),
        sizeGb: params.int('size'),
        vmId: params.get('virtualmachineid'),
      },
      ctx.failJob,
    );
    return started(job, volume.id);
  }),

  attachVolume: write((ctx) =>
    started(ctx.state.attachVolume(ctx.params.required('id'), ctx.params.required('virtualmachineid'), ctx.params.int('deviceid'), ctx.failJob)),
  ),

  detachVolume: write((ctx) => started(ctx.state.detachVolume(ctx.params.required('id'), ctx.failJob))),

  startVirtualMachine: write((ctx) => started(ctx.state.powerVm(ctx.params.required('id'), 'Running', ctx.failJob))),

  stopVirtualMachine: write((ctx) => started(ctx.state.powerVm(ctx.params.required('id'), 'Stopped', ctx.failJob))),

  createVMSnapshot: write((ctx) => {
    const { params } = ctx;
    const { job, vmSnapshot } = ctx.state.createVmSnapshot(
      params.required('virtualmachineid'),
      { name: params.get('name'), description: params.get('description'), snapshotmemory: params.bool('snapshotmemory'), quiescevm: params.bool('quiescevm') },
      ctx.failJob,
    );
    return started(job, vmSnapshot.id);
  }),

  revertToVMSnapshot: write((ctx) => started(ctx.state.revertToVmSnapshot(ctx.params.required('vmsnapshotid'), ctx.failJob))),

  deleteVMSnapshot: write((ctx) => started(ctx.state.deleteVmSnapshot(ctx.params.required('vmsnapshotid'), ctx.failJob))),

  createSnapshotFromVMSnapshot: write((ctx) => {
    const { params } = ctx;
    const { job, snapshot } = ctx.state.createSnapshotFromVmSnapshot(params.required('vmsnapshotid'), params.required('volumeid'), params.get('name'), ctx.failJob);
    return started(job, snapshot.id);
  }),

  createTemplate: write((ctx) => {
    const { params } = ctx;
    const { job, template } = ctx.state.createTemplate(
      {
        name: params.required('name'),
        displaytext: params.get('displaytext'),
        osTypeId: params.required('ostypeid'),
        snapshotId: params.get('snapshotid'),
        volumeId: params.get('volumeid'),
        ispublic: params.bool('ispublic'),
        isfeatured: params.bool('isfeatured'),
      },
      ctx.failJob,
    );
    return started(job, template.id);
  }),

  deleteTemplate: write((ctx) => started(ctx.state.deleteTemplate(ctx.params.required('id'), ctx.failJob))),

  createTags: write((ctx) => {
    const { params } = ctx;
    return started(ctx.state.tagJob('createTags', params.required('resourcetype'), params.list('resourceids') ?? [], params.map('tags')));
  }),

  deleteTags: write((ctx) => {
    const { params } = ctx;
    return started(ctx.state.tagJob('deleteTags', params.required('resourcetype'), params.list('resourceids') ?? [], params.map('tags')));
  }),

  createSnapshotPolicy: write((ctx) => {
    const { params } = ctx;
    const policy = ctx.state.createSnapshotPolicy({
      volumeId: params.required('volumeid'),
      intervalType: params.required('intervaltype'),
      schedule: params.required('schedule'),
      timezone: params.required('timezone'),
      maxsnaps: CsStore.integer(params.required('maxsnaps'), 'maxsnaps'),
      zoneIds: params.list('zoneids'),
      tags: Object.fromEntries([...params.map('tags')].map(([k, v]) => [k, v ?? ''])),
      fordisplay: params.bool('fordisplay'),
    });
    return { snapshotpolicy: policyShape(ctx.state, policy) };
  }),

  listSnapshotPolicies: read((ctx) => {
    const id = idFilter(ctx, ctx.state.policies);
    const volumeId = ctx.params.get('volumeid');
    if (id === undefined && volumeId === undefined) {
      throw invalid('Either volumeid or id must be specified');
    }
    const policies = [...ctx.state.policies.values()].filter((p) => (id === undefined || p.id === id) && (volumeId === undefined || p.volumeId === volumeId));
    return page(ctx, 'snapshotpolicy', policies, (p) => policyShape(ctx.state, p));
  }),

  deleteSnapshotPolicies: write((ctx) => {
    const ids = ctx.params.list('ids') ?? (ctx.params.get('id') === undefined ? [] : [ctx.params.required('id')]);
    ctx.state.deleteSnapshotPolicies(ids);
    return { success: true };
  }),
};

function policyShape(state: CsState, p: SnapshotPolicyRecord) {
  return {
    id: p.id,
    volumeid: p.volumeId,
    schedule: p.schedule,
    intervaltype: ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY'].indexOf(p.intervalType),
    maxsnaps: p.maxsnaps,
    timezone: p.timezone,
    fordisplay: p.fordisplay,
    ...(p.zoneIds.length > 0 ? { zone: p.zoneIds.map((z) => ({ id: z, name: state.zoneName(z) })) } : {}),
    tags: Object.entries(p.tags).map(([key, value]) => ({ key, value, resourcetype: 'SnapshotPolicy', resourceid: p.id, account: ACCOUNT.account })),
  };
}

/** The command by its name as sent (CloudStack's command names are case-sensitive). */
export function findCommand(name: string): Command | undefined {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** Every command the sandbox serves (README, tests). */
export const COMMAND_NAMES = Object.keys(COMMANDS);
