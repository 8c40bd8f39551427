/**
 * The Google Cloud driver of the contract suite and the fault battery: the Compute Engine
 * sandbox (started here and nowhere else), or a real project when SNAPKEEPER_LIVE_GCP=<project>
 * is set (Application Default Credentials; the suite makes a 1 GiB disk labelled
 * snapkeeper-test in SNAPKEEPER_LIVE_GCP_ZONE, snapshots and images of it, and deletes them).
 * The adapter runs the SDK in its worker thread, as the extension does.
 */
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../../src/adapters/gcp';
import type { GcpAdapter, GcpAdapterOptions } from '../../../src/adapters/gcp/adapter';
import type { AdapterContext, CloudAdapter } from '../../../src/model/adapter';
import type { AccountConfig, Disk, Snapshot, Tag } from '../../../src/model/types';
import { GCP_SEEDED, type GcpSandboxControl, type GcpTiming } from '../../../src/sandbox/gcp/backend';
import { allOf, byId, type CloudDriver, type CloudSandbox, type ContractKind, deleteNewestFirst, leaf, listingOracle, listScope, liveTarget, type Oracle, sandboxTarget, type Settings, startCloudSandbox, type Target } from '../driver';
import { sleep, track } from '../tracking';

export const LIVE_GCP = 'SNAPKEEPER_LIVE_GCP';
export const TEST_TAG: Tag = { key: 'snapkeeper-test', value: 'contract' };
const DEV = GCP_SEEDED.devProject;

/** The Google Cloud part of a running sandbox: the only handle the Google Cloud tests hold on it. */
export type GcpSandbox = CloudSandbox<'gcp'>;

const TIMING: Record<'contract' | 'battery', Partial<GcpTiming>> = {
  contract: { operationMs: 150, diskMs: 150, snapshotBaseMs: 200, snapshotMsPerGiB: 0, snapshotMaxMs: 300, instanceMs: 200, imageMs: 200, machineImageMs: 300, deleteMs: 100, waitMaxMs: 300 },
  battery: { operationMs: 300, diskMs: 300, snapshotBaseMs: 300, snapshotMsPerGiB: 0, snapshotMaxMs: 400, deleteMs: 200, waitMaxMs: 300 },
};

/** Starts a sandbox for the Google Cloud tests (the one place they call startSandbox). */
export function startGcpSandbox(profile: 'contract' | 'battery' = 'contract'): Promise<GcpSandbox> {
  return startCloudSandbox('gcp', { timing: TIMING[profile] });
}

export function gcpContext(sandbox: unknown, log: string[], settings: Settings = {}): AdapterContext {
  const all: Settings = { 'gcp.retryBaseMs': 20, ...settings };
  return { log: (l) => log.push(l), setting: <T>(k: string, f: T) => (k in all ? (all[k] as T) : f), sandbox, maxConcurrency: 16 };
}

export interface GcpTarget extends Target {
  readonly sandbox?: GcpSandbox;
  /** A fresh adapter with adapter options (an in-process SDK: `{ api: (c) => new DirectApi(c) }`). */
  adapterWith(options: GcpAdapterOptions, settings?: Settings): GcpAdapter;
}

const pathName = (path: string): string => path.split('/').at(-1) as string;

function sandboxOracle(control: GcpSandboxControl): Oracle {
  const state = () => control.state;
  const live = <T extends { name: string; project: string; deleteAt?: number }>(records: Map<string, T>): T[] => [...records.values()].filter((r) => r.deleteAt === undefined);
  const ready = (status: string) => status === 'READY';
  /** The record an adapter id (a relative path) names. */
  const recordOf = (kind: ContractKind, id: string): { labels: Record<string, string> } | undefined => {
    const [, project] = id.split('/');
    const name = pathName(id);
    const zone = /\/(?:zones|regions)\/([^/]+)\//.exec(id)?.[1];
    const pool: { name: string; project: string; deleteAt?: number; zone?: string; region?: string; labels: Record<string, string> }[] =
      kind === 'vm' ? live(state().instances) : kind === 'disk' ? live(state().disks) : kind === 'snapshot' ? live(state().snapshots) : id.includes('/machineImages/') ? live(state().machineImages) : live(state().images);
    return pool.find((r) => r.project === project && r.name === name && (!zone || (r.zone ?? r.region) === zone));
  };
  return {
    snapshots: async (marker) => {
      const made = live(state().snapshots).filter((s) => s.name === marker && s.project === DEV);
      return { count: made.length, ready: made.some((s) => ready(state().snapshotStatus(s))) };
    },
    disks: async (marker) => {
      const made = live(state().disks).filter((d) => d.name === marker && d.project === DEV);
      return { count: made.length, ready: made.some((d) => ready(state().diskStatus(d))) };
    },
    images: async (marker) => {
      const made = live(state().images).filter((i) => i.name === marker && i.project === DEV);
      return { count: made.length, ready: made.some((i) => ready(state().imageStatus(i))) };
    },
    exists: async (kind, id) => recordOf(kind, id) !== undefined,
    tags: async (kind, id) => Object.entries(recordOf(kind, id)?.labels ?? {}).map(([key, value]) => ({ key, value })),
    snapshotIds: async (scope) => {
      // A snapshot is listed beside its source disk's zone (kept after the disk is deleted).
      const [project, place] = scope.id.split('/');
      const ids = live(state().snapshots)
        .filter((s) => s.project === project && (s.sourceDisk ?? '').includes(`/zones/${place}/`))
        .map((s) => `projects/${project}/global/snapshots/${s.name}`);
      return { ids, complete: true };
    },
  };
}


async function sandboxGcpTarget(profile: 'contract' | 'battery'): Promise<GcpTarget> {
  const sandbox = await startGcpSandbox(profile);
  const log: string[] = [];
  const account: AccountConfig = { id: 'gcp-sandbox', cloud: 'gcp', label: 'Sandbox (Google Cloud)', sandbox: true, settings: {} };
  const base: Settings = profile === 'battery' ? { 'gcp.retryBaseMs': 50 } : {};
  const adapterWith = (options: GcpAdapterOptions, settings: Settings = {}) => createAdapter(account, gcpContext(sandbox.info, log, { ...base, ...settings }), options) as GcpAdapter;
  const adapter = (settings: Settings = {}): CloudAdapter => adapterWith({}, settings);
  const zone = `${DEV}/us-central1-a`;
  // The zone, and the project's other places (restore offers their zones; snapshots and images are global).
  const scopes = [zone, `${DEV}/us-central1-b`, `${DEV}/us-central1-f`, `${DEV}/us-central1`, `${DEV}/global`].map(leaf);
  // One adapter (one worker thread) finds the fixtures.
  let lister: GcpAdapter | undefined;
  const fixture = async <T extends Disk | Snapshot>(kind: 'disks' | 'snapshots', id: string): Promise<T> => {
    lister ??= adapterWith({});
    lister.invalidate(DEV);
    return byId((await listScope(lister, zone))[kind] as T[], id) as T;
  };
  return sandboxTarget(
    {
      sandbox,
      log,
      adapter,
      scope: leaf(zone),
      scopes,
      disk: () => fixture<Disk>('disks', GCP_SEEDED.scratchDisk),
      snapshot: () => fixture<Snapshot>('snapshots', GCP_SEEDED.chainSnapshots[2]),
      oracle: sandboxOracle(sandbox.control),
      bulkSnapshots: (disk, count) => sandbox.control.bulkSnapshots(disk.id, count),
      pollMs: 60,
      timeoutMs: 20_000,
      release: () => lister?.dispose(),
    },
    { sandbox, adapterWith },
  );
}

async function liveGcpTarget(project: string): Promise<GcpTarget> {
  const zoneName = process.env.SNAPKEEPER_LIVE_GCP_ZONE ?? 'us-central1-a';
  const log: string[] = [];
  const account: AccountConfig = { id: 'live', cloud: 'gcp', label: 'live', settings: { auth: 'adc' } };
  const adapterWith = (options: GcpAdapterOptions, settings: Settings = {}) => createAdapter(account, gcpContext(undefined, log, settings), options) as GcpAdapter;
  const adapter = (settings: Settings = {}): CloudAdapter => adapterWith({}, settings);
  const zone = leaf(`${project}/${zoneName}`);
  const scopes = [zone, leaf(`${project}/global`)];
  const created: { kind: ContractKind; id: string }[] = [];
  const stamp = Date.now().toString(36);

  /** A 1 GiB pd-standard disk labelled as a test resource, with one snapshot. */
  async function make(): Promise<{ disk: Disk; snapshot: Snapshot }> {
    // Loaded here only: the SDK is large, and the sandbox runs never need it in-process.
    const { DisksClient } = await import('@google-cloud/compute/build/src/v1/disks_client');
    const disks = new DisksClient();
    const name = `snapkeeper-contract-${stamp}`;
    try {
      await disks.insert({ project, zone: zoneName, diskResource: { name, sizeGb: '1', type: `zones/${zoneName}/diskTypes/pd-standard`, labels: { [TEST_TAG.key]: stamp } } });
      const id = `projects/${project}/zones/${zoneName}/disks/${name}`;
      created.push({ kind: 'disk', id });
      for (let i = 0; i < 60; i++) {
        const [d] = await disks.get({ project, zone: zoneName, disk: name });
        if (d.status === 'READY') {
          break;
        }
        await sleep(2000);
      }
      const a = adapter();
      try {
        let inv = await listScope(a, zone);
        const disk = byId(inv.disks, id) as Disk;
        const res = await a.execute('createSnapshot', disk, { name: `snapkeeper-contract-base-${stamp}`, snapshotType: 'STANDARD', tags: [{ key: TEST_TAG.key, value: stamp }] }, { inventory: inv, scopes });
        created.push({ kind: 'snapshot', id: res.operations[0].resourceId });
        await track(a, res.operations[0], { pollMs: 5000, timeoutMs: 900_000 });
        inv = await listScope(a, zone);
        return { disk, snapshot: byId(inv.snapshots, res.operations[0].resourceId) as Snapshot };
      } finally {
        a.dispose();
      }
    } finally {
      await disks.close();
    }
  }

  return liveTarget(
    {
      log,
      adapter,
      scope: zone,
      scopes,
      fixture: make,
      oracle: listingOracle(adapter, () => scopes, (s) => s.name),
      made: (kind, id) => void created.push({ kind, id }),
      close: async () => {
        // Through the adapter's own deletes where it has them; the disk through the SDK.
        const a = adapter();
        try {
          await deleteNewestFirst(created, async (r) => {
            if (r.kind === 'disk') {
              const { DisksClient } = await import('@google-cloud/compute/build/src/v1/disks_client');
              const disks = new DisksClient();
              await disks.delete({ project, zone: zoneName, disk: pathName(r.id) });
              await disks.close();
              return;
            }
            const inv = await listScope(a, r.kind === 'image' ? scopes[1] : zone);
            const resource = byId(allOf(inv), r.id);
            if (resource) {
              const res = await a.execute(r.kind === 'image' ? 'deleteImage' : 'deleteSnapshot', resource, {}, { inventory: inv, scopes });
              for (const op of res.operations) {
                await track(a, op, { pollMs: 5000, timeoutMs: 600_000 });
              }
            }
          });
        } finally {
          a.dispose();
        }
      },
    },
    { adapterWith },
  );
}

/** The zone a disk path names (`projects/p/zones/z/disks/d` → z). */
const zoneOf = (path: string | undefined): string | undefined => (path ? /\/zones\/([^/]+)\//.exec(path)?.[1] : undefined);

export const gcpDriver: CloudDriver<GcpTarget> = {
  cloud: 'gcp',
  name: 'Google Cloud',
  sandbox: sandboxGcpTarget,
  live: () => {
    const project = process.env[LIVE_GCP];
    if (!project) {
      return { lacks: `set ${LIVE_GCP}=<project> (Application Default Credentials; optionally SNAPKEEPER_LIVE_GCP_ZONE) to run it against a real project` };
    }
    return { title: `live Google Cloud, project ${project}`, start: () => liveGcpTarget(project) };
  },
  // The adapter reuses a project's listing for a few seconds: drop it so the request is sent.
  probe: (adapter, scope, signal) => {
    (adapter as GcpAdapter).invalidate(scope.id.split('/')[0]);
    return listScope(adapter, scope, signal);
  },
  snapshotAnswers: (marker, tags = []) => ({ name: marker, tags: [...tags, TEST_TAG] }),
  restoreAnswers: (marker, snapshot) => ({ name: marker, sizeGiB: snapshot.sizeGiB, ...(zoneOf(snapshot.diskId) ? { zone: zoneOf(snapshot.diskId) } : {}) }),
  copy: () => ({ lacks: 'Google Cloud snapshots are global: any zone or region of the project restores them, so there is no copy' }),
  image: async (target) => {
    const source = await target.snapshot();
    return { action: 'createImageFromSnapshot', source, scope: target.scope, answers: (marker) => ({ name: marker, family: '' }) };
  },
  dependency: async () => ({
    lacks: 'Google Cloud refuses no snapshot delete: an image made from a snapshot is an independent copy, and the next snapshot of a chain takes over its data (gcp.contract.test.ts checks the chain)',
  }),
  battery: { title: 'Google Cloud (operation polls included)', faults: {}, seed: 30 },
  awkwardTags: { refused: /lower-case letters, digits, _ and -/ },
  faults: {
    list: 'compute.snapshots.list',
    createSnapshot: 'compute.disks.createSnapshot',
    deleteSnapshot: 'compute.snapshots.delete',
    settings: {},
    retryHint: { lacks: "Compute Engine's throttling answer (429 rateLimitExceeded) carries no retry hint: the adapter backs off on its own" },
    throttleNoHint: 'retried',
    // The sandbox's token cannot be renewed by signing in: the message says so and offers Retry.
    expired: /sandbox refused the token.*Retry/,
  },
  unknown: {
    ghost: (real) => ({ ...real, id: `projects/${real.id.split('/')[1]}/global/snapshots/no-such-snap`, name: 'no-such-snap' }),
    // Gone is what was asked.
    delete: 'deleted',
  },
  checks: {
    // The create was sent again with the same requestId: Compute Engine made it once.
    resetCreate: (log) => assert.ok(log.some((l) => /retry 1/.test(l)), log.join('\n')),
    server: (e) => assert.match(e.message, /unavailable/),
  },
};
