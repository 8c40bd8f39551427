/**
 * The Apache CloudStack driver of the contract suite and the fault battery: the CloudStack
 * sandbox (started here and nowhere else), or a real cloud when SNAPKEEPER_LIVE_CLOUDSTACK names
 * a CloudMonkey profile (its url, apikey and secretkey; SNAPKEEPER_LIVE_CLOUDSTACK_VOLUME names a
 * volume the suite may snapshot, tag and restore — its snapshots, volumes and templates are
 * deleted again at the end). The adapter reaches the sandbox through its own client, signed
 * like any account.
 */
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../../src/adapters/cloudstack';
import type { CloudStackAdapter } from '../../../src/adapters/cloudstack/adapter';
import type { AdapterContext } from '../../../src/model/adapter';
import type { AccountConfig, Disk, Snapshot } from '../../../src/model/types';
import { CLOUDSTACK_SEEDED, type CloudStackSandboxControl, type CsTiming } from '../../../src/sandbox/cloudstack/backend';
import { allOf, byId, type CloudDriver, type CloudSandbox, type ContractKind, deleteNewestFirst, leaf, listingOracle, listScope, liveTarget, type Oracle, sandboxTarget, type Settings, startCloudSandbox, type Target } from '../driver';
import { sleep, track } from '../tracking';

export const LIVE_CLOUDSTACK = 'SNAPKEEPER_LIVE_CLOUDSTACK';
const S = CLOUDSTACK_SEEDED;

/** The CloudStack part of a running sandbox: the only handle the CloudStack tests hold on it. */
export type CloudStackSandbox = CloudSandbox<'cloudstack'>;

/**
 * Job durations. The battery's volume snapshots end at once: CloudStack refuses a volume
 * snapshot while another one of the same VM runs, and the battery takes two dozen of one volume
 * at a time (their polls still go through the faults).
 */
export const CS_TIMING: Record<'contract' | 'battery', Partial<CsTiming>> = {
  contract: { jobMs: 100, snapshotBaseMs: 200, snapshotMsPerGiB: 0, snapshotMaxMs: 300, volumeMs: 150, templateMs: 200, vmSnapshotMs: 200, vmMs: 150, copyMs: 200 },
  battery: { jobMs: 200, snapshotBaseMs: 0, snapshotMsPerGiB: 0, snapshotMaxMs: 0, volumeMs: 300, templateMs: 300, vmSnapshotMs: 300, vmMs: 200, copyMs: 300 },
};

/** Starts a sandbox for the CloudStack tests (the one place they call startSandbox). */
export function startCloudStackSandbox(profile: 'contract' | 'battery' = 'contract'): Promise<CloudStackSandbox> {
  return startCloudSandbox('cloudstack', { timing: CS_TIMING[profile] });
}

export function cloudStackContext(sandbox: unknown, log: string[], settings: Settings = {}): AdapterContext {
  return { log: (l) => log.push(l), setting: <T>(k: string, f: T) => (k in settings ? (settings[k] as T) : f), sandbox, maxConcurrency: 16 };
}

export interface CloudStackTarget extends Target {
  readonly sandbox?: CloudStackSandbox;
  /** A fresh CloudStack adapter (the caller disposes it). */
  csAdapter(settings?: Settings): CloudStackAdapter;
  /** Copies the suite asked for, by marker (the oracle's way to find them: a copy keeps the snapshot's name). */
  readonly copies: Map<string, { snapshotId: string; zoneId: string }>;
}

const RESOURCE_TYPE: Record<ContractKind, 'UserVm' | 'Volume' | 'Snapshot' | 'Template'> = { vm: 'UserVm', disk: 'Volume', snapshot: 'Snapshot', image: 'Template' };

/**
 * The sandbox's own state as the oracle. A copy to another zone is the same snapshot stored
 * there too (CloudStack keeps its id and name): `copies` remembers which copy a marker asked for.
 */
function sandboxOracle(control: CloudStackSandboxControl, copies: Map<string, { snapshotId: string; zoneId: string }>): Oracle {
  const state = () => control.state;
  return {
    snapshots: async (marker) => {
      const copy = copies.get(marker);
      if (copy) {
        const held = control.snapshots().find((s) => s.id === copy.snapshotId)?.copies.some((c) => c.zoneId === copy.zoneId) ?? false;
        return { count: held ? 1 : 0, ready: held };
      }
      const made = control.snapshots().filter((s) => s.name === marker);
      return { count: made.length, ready: made.some((s) => state().snapshotState(s) === 'BackedUp') };
    },
    disks: async (marker) => {
      const made = control.volumes().filter((v) => v.name === marker);
      return { count: made.length, ready: made.some((v) => state().volumeState(v) === 'Ready') };
    },
    images: async (marker) => {
      const made = control.templates().filter((t) => t.name === marker);
      return { count: made.length, ready: made.some((t) => state().templateReady(t)) };
    },
    exists: async (kind, id) => {
      switch (kind) {
        case 'vm':
          return state().vms.has(id);
        case 'disk':
          return control.volumes().some((v) => v.id === id);
        case 'snapshot':
          return control.snapshots().some((s) => s.id === id);
        case 'image':
          return control.templates().some((t) => t.id === id);
      }
    },
    tags: async (kind, id) => state().tagsOf(RESOURCE_TYPE[kind], id).map((t) => ({ key: t.key, value: t.value })),
    snapshotIds: async (scope) => ({ ids: control.snapshots().filter((s) => s.copies.some((c) => c.zoneId === scope.id)).map((s) => s.id), complete: true }),
  };
}

/** Adds `count` backed-up snapshots of a volume at once (jobs end at once while they are made). */
function bulkSnapshots(control: CloudStackSandboxControl, volumeId: string, count: number, restore: Partial<CsTiming>): string[] {
  control.setTiming({ jobMs: 0, snapshotBaseMs: 0, snapshotMsPerGiB: 0, snapshotMaxMs: 0 });
  try {
    return Array.from({ length: count }, (_, i) => {
      const { snapshot } = control.state.createSnapshot(volumeId, { name: `bulk-${Date.now().toString(36)}-${i}` });
      control.state.sweep();
      return snapshot.id;
    });
  } finally {
    control.setTiming(restore);
  }
}

async function sandboxCloudStackTarget(profile: 'contract' | 'battery'): Promise<CloudStackTarget> {
  const sandbox = await startCloudStackSandbox(profile);
  const log: string[] = [];
  const account: AccountConfig = { id: 'cloudstack-sandbox', cloud: 'cloudstack', label: 'Sandbox (Apache CloudStack)', sandbox: true, settings: {} };
  const csAdapter = (settings: Settings = {}) => createAdapter(account, cloudStackContext(sandbox.info, log, settings)) as CloudStackAdapter;
  const scopes = [leaf(S.zones.gva), leaf(S.zones.zrh)];
  const copies = new Map<string, { snapshotId: string; zoneId: string }>();
  let lister: CloudStackAdapter | undefined;
  const fixture = async <T extends Disk | Snapshot>(kind: 'disks' | 'snapshots', id: string): Promise<T> => {
    lister ??= csAdapter();
    lister.invalidate();
    return byId((await listScope(lister, S.zones.gva))[kind] as T[], id) as T;
  };
  return sandboxTarget(
    {
      sandbox,
      log,
      adapter: (settings) => csAdapter(settings),
      scope: scopes[0],
      scopes,
      // app-1's data volume: its VM is stopped and has no VM snapshots, its storage (NFS) reverts.
      disk: () => fixture<Disk>('disks', S.appDataVolume),
      snapshot: () => fixture<Snapshot>('snapshots', S.appDataSnapshot),
      oracle: sandboxOracle(sandbox.control, copies),
      bulkSnapshots: (disk, count) => bulkSnapshots(sandbox.control, disk.id, count, CS_TIMING[profile]),
      pollMs: 40,
      timeoutMs: 20_000,
      release: () => lister?.dispose(),
    },
    { sandbox, csAdapter, copies },
  );
}

/** The live cloud: a CloudMonkey profile, the volume the suite may use, and what the run made (deleted at the end). */
async function liveCloudStackTarget(profile: string): Promise<CloudStackTarget> {
  const volumeId = process.env.SNAPKEEPER_LIVE_CLOUDSTACK_VOLUME ?? '';
  if (!volumeId) {
    throw new Error('Set SNAPKEEPER_LIVE_CLOUDSTACK_VOLUME to the id of a volume the suite may snapshot, tag and restore');
  }
  const log: string[] = [];
  const account: AccountConfig = { id: 'live', cloud: 'cloudstack', label: 'live', settings: { profile } };
  const csAdapter = (settings: Settings = {}) => createAdapter(account, cloudStackContext(undefined, log, settings)) as CloudStackAdapter;
  const first = csAdapter();
  const scopes = (await first.listScopes()).filter((s) => s.leaf);
  const inv0 = await first.inventory();
  first.dispose();
  const volume = inv0.disks.find((d) => d.id === volumeId);
  if (!volume) {
    throw new Error(`${LIVE_CLOUDSTACK}: the volume ${volumeId} is not listed for this account`);
  }
  const zone = leaf(volume.scopeId);
  const created: { kind: ContractKind; id: string; scopeId: string }[] = [];
  const stamp = Date.now().toString(36);

  async function make(): Promise<{ disk: Disk; snapshot: Snapshot }> {
    const a = csAdapter();
    try {
      let inv = await listScope(a, zone);
      const disk = byId(inv.disks, volumeId) as Disk;
      const res = await a.execute('createSnapshot', disk, { name: `snapkeeper-contract-base-${stamp}` }, { inventory: inv, scopes });
      created.push({ kind: 'snapshot', id: res.operations[0].resourceId, scopeId: zone.id });
      await track(a, res.operations[0], { pollMs: 5000, timeoutMs: 1_800_000 });
      a.invalidate();
      inv = await listScope(a, zone);
      return { disk, snapshot: byId(inv.snapshots, res.operations[0].resourceId) as Snapshot };
    } finally {
      a.dispose();
    }
  }

  return liveTarget(
    {
      log,
      adapter: (settings) => csAdapter(settings),
      scope: zone,
      scopes,
      fixture: make,
      oracle: listingOracle(csAdapter, () => scopes, (s) => s.name),
      made: (kind, id, scopeId) => void created.push({ kind, id, scopeId }),
      close: async () => {
        const a = csAdapter();
        try {
          await deleteNewestFirst(created, async (r) => {
            a.invalidate();
            const inv = await listScope(a, r.scopeId);
            const resource = byId(allOf(inv), r.id);
            if (!resource || r.kind === 'vm') {
              return;
            }
            if (r.kind === 'disk') {
              // Volumes are not deleted by any action of Snapkeeper: say so, and leave it.
              console.warn(`live clean-up: delete the volume ${r.id} (${resource.name ?? ''}) yourself (deleteVolume)`);
              return;
            }
            const res = await a.execute(r.kind === 'image' ? 'deleteImage' : 'deleteSnapshot', resource, {}, { inventory: inv, scopes });
            for (const op of res.operations) {
              await track(a, op, { pollMs: 5000, timeoutMs: 600_000 });
            }
          }, (r) => ` in ${r.scopeId}`);
        } finally {
          a.dispose();
        }
      },
    },
    { csAdapter, copies: new Map() },
  );
}

/** The other zone of the suite's (copies go there). */
const otherZone = (target: Target): string | undefined => target.scopes.find((s) => s.id !== target.scope.id)?.id;

export const cloudstackDriver: CloudDriver<CloudStackTarget> = {
  cloud: 'cloudstack',
  name: 'Apache CloudStack',
  sandbox: sandboxCloudStackTarget,
  live: () => {
    const profile = process.env[LIVE_CLOUDSTACK];
    if (!profile) {
      return { lacks: `set ${LIVE_CLOUDSTACK}=<CloudMonkey profile> and SNAPKEEPER_LIVE_CLOUDSTACK_VOLUME=<volume id> to run it against a real CloudStack` };
    }
    return { title: `live Apache CloudStack, CloudMonkey profile ${profile}`, start: () => liveCloudStackTarget(profile) };
  },
  // The adapter reuses the account's listing for a few seconds: drop it so the requests are sent.
  probe: (adapter, scope, signal) => {
    (adapter as CloudStackAdapter).invalidate();
    return listScope(adapter, scope, signal);
  },
  snapshotAnswers: (marker, tags = []) => ({ name: marker, zones: '', tags }),
  // A larger volume than the snapshot takes a disk offering of custom size (CloudStack's rule).
  restoreAnswers: (marker, snapshot) => ({ name: marker, zone: snapshot.scopeId, diskOffering: S.diskOfferings.custom, attach: '' }),
  copy: (target, purpose) => {
    const destination = otherZone(target);
    if (!destination) {
      return { lacks: 'the account has one zone only' };
    }
    if (purpose === 'battery') {
      return { lacks: 'CloudStack stores a snapshot in a zone once (copySnapshot keeps its id; a second copy to the same zone is refused), so two dozen copies of one snapshot cannot run: the contract suite copies once' };
    }
    return {
      destination,
      answers: (marker) => {
        (target as CloudStackTarget).copies.set(marker, { snapshotId: S.appDataSnapshot, zoneId: destination });
        return { zones: destination };
      },
    };
  },
  image: async (target, adapter) => {
    // A template from a ROOT volume snapshot (web-1's), in the suite's zone.
    if (target.live) {
      return { lacks: 'the live run snapshots a volume it is given, which need not be a ROOT volume' };
    }
    const inv = await listScope(adapter, target.scope);
    const source = byId(inv.snapshots, S.webRootSnapshot) as Snapshot;
    return { action: 'createImageFromSnapshot', source, scope: target.scope, answers: (marker) => ({ name: marker, displayText: marker, osType: S.osTypes.ubuntu }) };
  },
  dependency: async (target) => {
    const t = target as CloudStackTarget;
    if (!t.sandbox) {
      return { lacks: 'making something depend on a snapshot needs the sandbox (a volume being created from it)' };
    }
    const control = t.sandbox.control;
    const snapshot = await target.snapshot();
    // A volume being created from the snapshot for a few seconds.
    control.setTiming({ volumeMs: 4000 });
    const { job } = control.state.createVolume({ name: `dep-${Date.now().toString(36)}`, snapshotId: snapshot.id, zoneId: snapshot.scopeId });
    control.setTiming(CS_TIMING.contract);
    return {
      snapshot,
      refusal: /is being created from it/,
      release: async () => {
        for (let i = 0; i < 100 && control.jobs().some((j) => j.id === job.id && j.status === 0); i++) {
          await sleep(100);
        }
      },
    };
  },
  battery: { title: 'Apache CloudStack (job polls included)', faults: {}, seed: 40 },
  // CloudStack keeps commas, `=` and spaces in tag values.
  awkwardTags: 'kept',
  faults: {
    list: 'listSnapshots',
    createSnapshot: 'createSnapshot',
    deleteSnapshot: 'deleteSnapshot',
    settings: {},
    // CloudStack's rate-limit plugin words its wait ("please retry after [N] ms", honoured by the
    // client: cloudstack-client.test.ts); the sandbox's throttling fault answers without one.
    retryHint: true,
    throttleNoHint: 'retried',
    expired: { lacks: 'CloudStack API keys do not expire: a refused key is an auth error (HTTP 401), and a signature refused for the clock says so (cloudstack.contract.test.ts checks both)' },
  },
  unknown: {
    ghost: (real) => ({ ...real, id: '00000000-0000-4000-8000-00000000dead', name: 'no-such-snap' }),
    // Gone is what was asked.
    delete: 'deleted',
  },
  checks: {
    // The answer was lost after CloudStack made it: found by its name, followed without its job.
    resetCreate: (log) => assert.ok(log.some((l) => /createSnapshot: its answer was lost .* was made; following it/.test(l)), log.join('\n')),
    // The delete job is found again in listAsyncJobs and followed (or the snapshot is already gone).
    resetDelete: (message) => assert.match(message, /^Delet(ing|ed) snapshot snapkeeper-test-ct-reset-del/),
    unknownDeleted: (message) => assert.match(message, /already gone/),
    deleteConfirm: (text) => assert.match(text, /volume snapshot/i),
    server: (e) => assert.match(e.message, /HTTP 530/),
  },
};
