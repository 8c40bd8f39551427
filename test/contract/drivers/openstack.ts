/**
 * The OpenStack driver of the contract suite and the fault battery: the OpenStack sandbox (started
 * here and nowhere else), or a real cloud when SNAPKEEPER_LIVE_OPENSTACK names a cloud of the
 * clouds.yaml that OS_CLIENT_CONFIG_FILE points to (SNAPKEEPER_LIVE_OPENSTACK_REGION picks its
 * region, else the account's first). The adapter reaches the sandbox through its own client,
 * with a Keystone token, like any account.
 *
 * A live run makes only resources whose names start with `snapkeeper-test-` — its own 1 GiB
 * volume to snapshot, tag and restore, and what the cases make of it — and deletes them at the
 * end, also when a case failed: what it recorded, newest first, then whatever else named
 * `snapkeeper-test-…` it made since it started (found by name and time).
 */
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../../src/adapters/openstack';
import { connect } from '../../../src/adapters/openstack/accounts';
import type { OpenStackAdapter } from '../../../src/adapters/openstack/adapter';
import type { OpenStackApi } from '../../../src/adapters/openstack/api';
import { isCloudError } from '../../../src/model/errors';
import type { AdapterContext } from '../../../src/model/adapter';
import type { AccountConfig, Disk, Scope, Snapshot } from '../../../src/model/types';
import { OPENSTACK_SEEDED, type OpenStackSandboxControl, type OsTiming } from '../../../src/sandbox/openstack/backend';
import { byId, type CloudDriver, type CloudSandbox, type ContractKind, deleteNewestFirst, leaf, listingOracle, listScope, liveTarget, type Oracle, sandboxTarget, type Settings, startCloudSandbox, type Target } from '../driver';
import { sleep, track } from '../tracking';

export const LIVE_OPENSTACK = 'SNAPKEEPER_LIVE_OPENSTACK';
/** Every name a live run gives starts with this (the suite's markers do: driver.ts `marker`). */
export const LIVE_PREFIX = 'snapkeeper-test-';
const S = OPENSTACK_SEEDED;

/** The OpenStack part of a running sandbox: the only handle the OpenStack tests hold on it. */
export type OpenStackSandbox = CloudSandbox<'openstack'>;

/**
 * Status step durations. The battery's snapshots, backups, images and server steps end at once:
 * Cinder refuses a backup of a volume while another runs (`backing-up`) and Nova an instance
 * snapshot while one is saving, and the battery makes two dozen at a time (their polls still go
 * through the faults).
 */
export const OS_TIMING: Record<'contract' | 'battery', Partial<OsTiming>> = {
  contract: { volumeMs: 150, snapshotMs: 200, backupMs: 200, backupMsPerGiB: 0, imageMs: 300, serverMs: 200 },
  battery: { volumeMs: 300, snapshotMs: 0, backupMs: 0, backupMsPerGiB: 0, imageMs: 0, serverMs: 0 },
};

/** Starts a sandbox for the OpenStack tests (the one place they call startSandbox). */
export function startOpenStackSandbox(profile: 'contract' | 'battery' = 'contract'): Promise<OpenStackSandbox> {
  return startCloudSandbox('openstack', { timing: OS_TIMING[profile] });
}

export function openStackContext(sandbox: unknown, log: string[], settings: Settings = {}): AdapterContext {
  return { log: (l) => log.push(l), setting: <T>(k: string, f: T) => (k in settings ? (settings[k] as T) : f), sandbox, maxConcurrency: 16 };
}

export const SANDBOX_ACCOUNT: AccountConfig = { id: 'openstack-sandbox', cloud: 'openstack', label: 'Sandbox (OpenStack)', sandbox: true, settings: {} };

export interface OpenStackTarget extends Target {
  readonly sandbox?: OpenStackSandbox;
  /** A fresh OpenStack adapter (the caller disposes it). */
  osAdapter(settings?: Settings): OpenStackAdapter;
  /** What the cloud lacks for a case needing Cinder backups or a Cinder microversion, or undefined when it has it. */
  lacksBackups(): Promise<string | undefined>;
  lacksVolumeMicroversion(version: string, purpose: string): Promise<string | undefined>;
}

/** The sandbox's own state as the oracle. */
function sandboxOracle(control: OpenStackSandboxControl): Oracle {
  const tagsOf = (metadata: Record<string, string> | undefined) => Object.entries(metadata ?? {}).map(([key, value]) => ({ key, value }));
  return {
    snapshots: async (marker) => {
      const made = control.snapshots().filter((s) => s.name === marker);
      return { count: made.length, ready: made.some((s) => s.status === 'available') };
    },
    disks: async (marker) => {
      const made = control.volumes().filter((v) => v.name === marker);
      return { count: made.length, ready: made.some((v) => v.status === 'available') };
    },
    images: async (marker) => {
      const made = control.images().filter((i) => i.name === marker);
      return { count: made.length, ready: made.some((i) => i.status === 'active') };
    },
    exists: async (kind, id) => {
      switch (kind) {
        case 'vm':
          return control.servers().some((s) => s.id === id);
        case 'disk':
          return control.volumes().some((v) => v.id === id);
        case 'snapshot':
          return control.snapshots().some((s) => s.id === id);
        case 'image':
          return control.images().some((i) => i.id === id);
      }
    },
    tags: async (kind: ContractKind, id) => {
      switch (kind) {
        case 'vm':
          return tagsOf(control.state.servers.get(id)?.metadata);
        case 'disk':
          return tagsOf(control.state.volumes.get(id)?.metadata);
        case 'snapshot':
          return tagsOf(control.state.snapshots.get(id)?.metadata);
        case 'image':
          return tagsOf(control.state.images.get(id)?.properties);
      }
    },
    snapshotIds: async (scope) => ({ ids: control.snapshots().filter((s) => s.region === scope.id).map((s) => s.id), complete: true }),
  };
}

/**
 * Adds `count` available snapshots of a volume at once, made a minute ago (snapshots that were
 * there already: older than the battery's list lag), their status steps ended.
 */
function bulkSnapshots(control: OpenStackSandboxControl, disk: Disk, count: number, restore: Partial<OsTiming>): string[] {
  control.setTiming({ snapshotMs: 0 });
  const made = Date.now() - 60_000;
  try {
    return Array.from({ length: count }, (_, i) => {
      const snap = control.state.at(made + i, () => control.state.createSnapshot({ region: disk.scopeId, volumeId: disk.id, name: `bulk-${made.toString(36)}-${i}`, force: true, microversion: 0 }));
      control.state.sweep();
      return snap.id;
    });
  } finally {
    control.setTiming(restore);
  }
}

/** What the cloud lacks for a case needing Cinder backups: no Cinder, or a backups API that answers with an error. */
async function backupsLacking(api: () => Promise<OpenStackApi>): Promise<string | undefined> {
  try {
    await (await api()).request('volumev3', 'GET', '/backups', { query: { limit: 1 } });
    return undefined;
  } catch (e) {
    return `the cloud offers no Cinder backups here (${isCloudError(e) ? e.message : String(e)})`;
  }
}

/** What the cloud lacks for a case needing Cinder at `version`: its maximum, when lower. */
async function microversionLacking(api: () => Promise<OpenStackApi>, version: string, purpose: string): Promise<string | undefined> {
  try {
    const max = await (await api()).maxMicroversion('volumev3');
    const minor = (v: string) => Number(v.split('.')[1]);
    if (max === undefined || minor(max) < minor(version)) {
      return `${purpose} needs Cinder microversion ${version}; this cloud offers ${max ?? 'none'}`;
    }
    return undefined;
  } catch (e) {
    return `${purpose} needs Cinder, which does not answer here (${isCloudError(e) ? e.message : String(e)})`;
  }
}

/** The account of a cloud of a clouds.yaml (the live run's). */
function liveAccount(cloud: string, configFile: string | undefined): AccountConfig {
  return { id: 'live-openstack', cloud: 'openstack', label: `live ${cloud}`, settings: { cloud, ...(configFile ? { configFile } : {}) } };
}

/**
 * What a cloud of a clouds.yaml lacks for OpenStack's own cases (backups, a Cinder microversion),
 * asked through a connection of its own to its first region (or SNAPKEEPER_LIVE_OPENSTACK_REGION).
 */
export async function liveCloudLacks(cloud: string, configFile = process.env.OS_CLIENT_CONFIG_FILE): Promise<{ backups(): Promise<string | undefined>; volumeMicroversion(version: string, purpose: string): Promise<string | undefined>; dispose(): void }> {
  const root = await connect(liveAccount(cloud, configFile), openStackContext(undefined, []));
  const regions = await root.regions();
  const api = root.inRegion(process.env.SNAPKEEPER_LIVE_OPENSTACK_REGION ?? regions[0] ?? '');
  return { backups: () => backupsLacking(async () => api), volumeMicroversion: (version, purpose) => microversionLacking(async () => api, version, purpose), dispose: () => root.dispose() };
}

async function sandboxOpenStackTarget(profile: 'contract' | 'battery'): Promise<OpenStackTarget> {
  const sandbox = await startOpenStackSandbox(profile);
  const log: string[] = [];
  const osAdapter = (settings: Settings = {}) => createAdapter(SANDBOX_ACCOUNT, openStackContext(sandbox.info, log, settings)) as OpenStackAdapter;
  const scopes = sandbox.info.regions.map(leaf);
  let lister: OpenStackAdapter | undefined;
  const fixture = async <T extends Disk | Snapshot>(kind: 'disks' | 'snapshots', id: string): Promise<T> => {
    lister ??= osAdapter();
    lister.invalidate(scopes[0].id);
    return byId((await listScope(lister, scopes[0]))[kind] as T[], id) as T;
  };
  const api = async () => {
    lister ??= osAdapter();
    return lister.api(scopes[0].id);
  };
  return sandboxTarget(
    {
      sandbox,
      log,
      adapter: (settings) => osAdapter(settings),
      scope: scopes[0],
      scopes,
      // The detached volume (its name is hostile markup) and its one snapshot.
      disk: () => fixture<Disk>('disks', S.detachedVolume),
      snapshot: () => fixture<Snapshot>('snapshots', S.detachedSnapshot),
      oracle: sandboxOracle(sandbox.control),
      bulkSnapshots: (disk, count) => bulkSnapshots(sandbox.control, disk, count, OS_TIMING[profile]),
      pollMs: 40,
      timeoutMs: 20_000,
      release: () => lister?.dispose(),
    },
    {
      sandbox,
      osAdapter,
      lacksBackups: () => backupsLacking(api),
      lacksVolumeMicroversion: (version: string, purpose: string) => microversionLacking(api, version, purpose),
    },
  );
}

/** Something the live run made (its volume, what the cases made), deleted through the client at the end. */
type Made = { kind: ContractKind | 'backup'; id: string; scopeId: string };

/** Where the client finds each kind the live run makes: its service and collection path. */
const WHERE: Record<Made['kind'], { service: 'volumev3' | 'image' | 'compute'; path: string }> = {
  disk: { service: 'volumev3', path: '/volumes' },
  snapshot: { service: 'volumev3', path: '/snapshots' },
  backup: { service: 'volumev3', path: '/backups' },
  image: { service: 'image', path: '/images' },
  vm: { service: 'compute', path: '/servers' },
};

/** A resource's status word, as shown by its service (`undefined` once it is gone). */
async function statusOf(api: OpenStackApi, r: Made): Promise<string | undefined> {
  const { service, path } = WHERE[r.kind];
  try {
    const answer = await api.request<Record<string, unknown>>(service, 'GET', `${path}/${r.id}`);
    const body = answer.body;
    // Cinder and Nova wrap it ({"volume": {...}}); Glance does not.
    const inner = (r.kind === 'image' ? body : Object.values(body)[0]) as { status?: unknown } | undefined;
    return typeof inner?.status === 'string' ? inner.status : '';
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return undefined;
    }
    throw e;
  }
}

/** Polls until `done` says so or ten minutes pass. */
async function until(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (!(await done()) && Date.now() < deadline) {
    await sleep(3000);
  }
}

/**
 * The live cloud: a cloud of the clouds.yaml that OS_CLIENT_CONFIG_FILE (or `configFile`) points
 * to; the run's own volume; what the run made, deleted at the end.
 */
export async function liveOpenStackTarget(cloud: string, configFile = process.env.OS_CLIENT_CONFIG_FILE, timing = { pollMs: 5000, timeoutMs: 1_800_000 }): Promise<OpenStackTarget> {
  const log: string[] = [];
  const account = liveAccount(cloud, configFile);
  const ctx = (settings: Settings = {}) => openStackContext(undefined, log, settings);
  const osAdapter = (settings: Settings = {}) => createAdapter(account, ctx(settings)) as OpenStackAdapter;
  const first = osAdapter();
  const scopes: Scope[] = await first.listScopes().finally(() => first.dispose());
  const wanted = process.env.SNAPKEEPER_LIVE_OPENSTACK_REGION;
  const found = wanted ? scopes.find((s) => s.id === wanted) : scopes[0];
  if (!found) {
    throw new Error(`${LIVE_OPENSTACK}: the cloud ${cloud} has no region ${wanted ?? ''} (its regions: ${scopes.map((s) => s.id).join(', ')})`);
  }
  const region: Scope = found;
  const started = Date.now();
  const stamp = started.toString(36);
  const created: Made[] = [];
  let client: OpenStackApi | undefined;
  const api = async (): Promise<OpenStackApi> => (client ??= (await connect(account, ctx())).inRegion(region.id));

  async function make(): Promise<{ disk: Disk; snapshot: Snapshot }> {
    const c = await api();
    const name = `${LIVE_PREFIX}volume-${stamp}`;
    const answer = await c.request<{ volume: { id: string } }>('volumev3', 'POST', '/volumes', { body: { volume: { size: 1, name, description: 'Snapkeeper contract suite: deleted at the end of the run' } } });
    const volumeId = answer.body.volume.id;
    created.push({ kind: 'disk', id: volumeId, scopeId: region.id });
    for (let status = ''; status !== 'available'; ) {
      const shown = await c.request<{ volume: { status: string } }>('volumev3', 'GET', `/volumes/${volumeId}`);
      status = shown.body.volume.status;
      assert.ok(!status.startsWith('error'), `the run's volume ${volumeId} went ${status}`);
      if (status !== 'available') {
        await sleep(2000);
      }
    }
    const a = osAdapter();
    try {
      let inv = await listScope(a, region);
      const disk = byId(inv.disks, volumeId) as Disk;
      const res = await a.execute('createSnapshot', disk, { name: `${LIVE_PREFIX}base-${stamp}`, tags: [] }, { inventory: inv, scopes });
      created.push({ kind: 'snapshot', id: res.operations[0].resourceId, scopeId: region.id });
      await track(a, res.operations[0], timing);
      a.invalidate();
      inv = await listScope(a, region);
      return { disk, snapshot: byId(inv.snapshots, res.operations[0].resourceId) as Snapshot };
    } finally {
      a.dispose();
    }
  }

  /** Deletes one thing the run made once it has settled (Cinder deletes only available or failed ones), and waits until it is gone. */
  async function remove(r: Made): Promise<void> {
    const c = await api();
    await until(async () => !/ing$|^queued$/.test((await statusOf(c, r)) ?? ''));
    try {
      await c.request(WHERE[r.kind].service, 'DELETE', `${WHERE[r.kind].path}/${r.id}`);
    } catch (e) {
      if (!(isCloudError(e) && e.kind === 'notFound')) {
        throw e;
      }
    }
    await until(async () => (await statusOf(c, r)) === undefined);
  }

  /** Whatever else named `snapkeeper-test-…` the run made in its region since it started (a case that failed before recording it). */
  async function strays(): Promise<Made[]> {
    const c = await api();
    const since = (at: string | undefined) => at !== undefined && Date.parse(/Z$/.test(at) ? at : `${at}Z`) >= started - 60_000;
    const ours = (x: { name?: string | null; created_at?: string }) => (x.name ?? '').startsWith(LIVE_PREFIX) && since(x.created_at);
    const known = new Set(created.map((r) => r.id));
    const found: Made[] = [];
    const add = (kind: Made['kind'], items: { id: string; name?: string | null; created_at?: string }[]) =>
      found.push(...items.filter((x) => ours(x) && !known.has(x.id)).map((x) => ({ kind, id: x.id, scopeId: region.id })));
    const project = await c.project();
    type Listed = { id: string; name?: string | null; created_at?: string };
    // A service the cloud lacks lists nothing.
    const listOf = (service: 'image' | 'volumev3', path: string, key: string, query?: Record<string, string>) => c.list<Listed>(service, path, key, query).catch((): Listed[] => []);
    add('image', await listOf('image', '/images', 'images', { owner: project.id }));
    add('backup', await listOf('volumev3', '/backups/detail', 'backups'));
    add('snapshot', await listOf('volumev3', '/snapshots/detail', 'snapshots'));
    add('disk', await listOf('volumev3', '/volumes/detail', 'volumes'));
    // Images and backups first, then snapshots, then volumes (Cinder refuses a volume with snapshots).
    return found;
  }

  const target = liveTarget(
    {
      log,
      adapter: (settings) => osAdapter(settings),
      scope: region,
      scopes,
      fixture: make,
      oracle: listingOracle(osAdapter, () => [region], (s) => s.name),
      made: (kind, id, scopeId) => void created.push({ kind, id, scopeId }),
      close: async () => {
        try {
          await deleteNewestFirst(created, remove, (r) => ` (${r.kind}) in ${r.scopeId}`);
          for (const r of await strays()) {
            await remove(r).catch((e: unknown) => console.warn(`live clean-up: could not delete ${r.kind} ${r.id}: ${String(e)}`));
          }
        } finally {
          client?.dispose();
        }
      },
    },
    {
      osAdapter,
      lacksBackups: () => backupsLacking(api),
      lacksVolumeMicroversion: (version: string, purpose: string) => microversionLacking(api, version, purpose),
      /** For the OpenStack cases: what the run made besides the shared cases (a backup…), deleted at the end. */
      remember: (r: Made) => void created.push(r),
    },
  );
  // The run's volume and snapshot are made now, so the suite's first listing holds them; what a
  // failure here left behind is deleted before the failure is reported.
  try {
    await target.disk();
  } catch (e) {
    await target.close();
    throw e;
  }
  return { ...target, pollMs: timing.pollMs, timeoutMs: timing.timeoutMs };
}

export const openstackDriver: CloudDriver<OpenStackTarget> = {
  cloud: 'openstack',
  name: 'OpenStack',
  sandbox: sandboxOpenStackTarget,
  live: () => {
    const cloud = process.env[LIVE_OPENSTACK];
    if (!cloud) {
      return {
        lacks: `set ${LIVE_OPENSTACK}=<cloud name> and OS_CLIENT_CONFIG_FILE=<its clouds.yaml> to run it against a real OpenStack (it makes and deletes only resources named ${LIVE_PREFIX}…)`,
      };
    }
    return { title: `live OpenStack, cloud ${cloud} of ${process.env.OS_CLIENT_CONFIG_FILE ?? 'clouds.yaml'}`, start: () => liveOpenStackTarget(cloud) };
  },
  // The adapter reuses a region's listing for a few seconds: drop it so the requests are sent.
  probe: (adapter, scope, signal) => {
    // By region: invalidate() alone forgets only the regions listScopes has listed.
    (adapter as OpenStackAdapter).invalidate(scope.id);
    return listScope(adapter, scope, signal);
  },
  snapshotAnswers: (marker, tags = []) => ({ name: marker, tags }),
  restoreAnswers: (marker) => ({ name: marker }),
  copy: () => ({ lacks: 'OpenStack has no native copy of a volume snapshot to another region (Copy Snapshot is never offered)' }),
  image: async (target, adapter) => {
    // A Glance image of the suite's volume (os-volume_upload_image).
    const disk = await target.disk();
    const inv = await listScope(adapter, leaf(disk.scopeId));
    return { action: 'createImageFromDisk', source: byId(inv.disks, disk.id) as Disk, scope: leaf(disk.scopeId), answers: (marker) => ({ name: marker }) };
  },
  dependency: async (target) => {
    const t = target as OpenStackTarget;
    if (!t.sandbox) {
      return { lacks: 'making something depend on a snapshot needs the sandbox (a volume made from it)' };
    }
    const control = t.sandbox.control;
    const snapshot = await target.snapshot();
    const volume = control.state.createVolume({ region: snapshot.scopeId, name: `dep-${Date.now().toString(36)}`, snapshotId: snapshot.id });
    return {
      snapshot,
      refusal: /depend on it/,
      release: async () => {
        for (let i = 0; i < 100 && control.volumes().some((v) => v.id === volume.id && v.status !== 'available'); i++) {
          await sleep(50);
        }
        control.state.deleteVolume(volume.id, volume.region);
      },
    };
  },
  battery: { title: 'OpenStack (status polls and eventual consistency included)', faults: { visibilityLagMs: 1_500 }, seed: 50 },
  // Cinder keeps metadata values as given (commas, `=` and spaces).
  awkwardTags: 'kept',
  schedules: { lacks: "OpenStack's core services have no snapshot scheduler (n/a, never faked)" },
  faults: {
    list: 'volume.listSnapshots',
    createSnapshot: 'volume.createSnapshot',
    deleteSnapshot: 'volume.deleteSnapshot',
    settings: {},
    retryHint: true,
    throttleNoHint: 'retried',
    expired: /password or credential/,
  },
  unknown: {
    ghost: (real) => ({ ...real, id: '00000000-0000-4000-8000-00000000dead', name: 'no-such-snap' }),
    delete: 'deleted',
  },
  checks: {
    deleteConfirm: (text) => assert.match(text, /volume snapshot/i),
    unknownDeleted: (message) => assert.match(message, /already gone/),
    server: (e) => assert.match(e.message, /Cinder/),
  },
};

/** The live target's extra member (the OpenStack cases record what they make beyond the shared cases). */
export function rememberLive(target: Target, r: Made): void {
  (target as Target & { remember?: (r: Made) => void }).remember?.(r);
}
