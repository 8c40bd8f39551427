/**
 * The Azure driver of the contract suite and the fault battery: the Azure sandbox (started here
 * and nowhere else), or a real subscription when SNAPKEEPER_LIVE_AZURE=<subscription id> is set
 * (Azure CLI login; the suite makes a 1 GiB empty disk tagged snapkeeper-test in
 * SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP, snapshots, copies and images of it, and deletes them).
 */
import { AzureCliCredential } from '@azure/identity';
import { ComputeManagementClient } from '@azure/arm-compute';
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../../src/adapters/azure';
import { toCloudError } from '../../../src/adapters/azure/errors';
import type { AzureAdapter } from '../../../src/adapters/azure/adapter';
import type { AdapterContext, CloudAdapter, Memento } from '../../../src/model/adapter';
import type { AccountConfig, Disk, Scope, Snapshot, Tag } from '../../../src/model/types';
import { AZURE_SEEDED, type AzureSandboxControl, type AzureTiming } from '../../../src/sandbox/azure/backend';
import { act, byId, type CloudDriver, type CloudSandbox, type ContractKind, deleteNewestFirst, listingOracle, listScope, liveTarget, type Oracle, sandboxTarget, type Settings, startCloudSandbox, type Target } from '../driver';
import { track } from '../tracking';

export const LIVE_AZURE = 'SNAPKEEPER_LIVE_AZURE';
export const TEST_TAG: Tag = { key: 'snapkeeper-test', value: 'contract' };
const DEV = AZURE_SEEDED.devSubscriptionId;

/** The Azure part of a running sandbox: the only handle the Azure tests hold on it. */
export type AzureSandbox = CloudSandbox<'azure'>;

const TIMING: Record<'contract' | 'battery', Partial<AzureTiming>> = {
  contract: { operationMs: 150, snapshotBaseMs: 200, snapshotMsPerGiB: 0, snapshotMaxMs: 300, copyBaseMs: 900, copyMsPerGiB: 0, copyMaxMs: 900, vmPowerMs: 200, imageMs: 200, retryAfterSeconds: 0 },
  battery: { operationMs: 300, snapshotBaseMs: 300, snapshotMsPerGiB: 0, snapshotMaxMs: 400, retryAfterSeconds: 0 },
};

/** Starts a sandbox for the Azure tests (the one place they call startSandbox). */
export function startAzureSandbox(profile: 'contract' | 'battery' = 'contract'): Promise<AzureSandbox> {
  return startCloudSandbox('azure', { timing: TIMING[profile] });
}

export function memento(): Memento {
  const m = new Map<string, unknown>();
  return { get: <T>(k: string) => m.get(k) as T | undefined, update: async (k, v) => void (v === undefined ? m.delete(k) : m.set(k, v)) };
}

export function azureContext(sandbox: unknown, log: string[], settings: Settings = {}, mem: Memento = memento()): AdapterContext {
  return {
    log: (l) => log.push(l),
    setting: <T>(k: string, f: T) => (k in settings ? (settings[k] as T) : f),
    sandbox,
    maxConcurrency: 16,
    memento: mem,
  };
}

export interface AzureTarget extends Target {
  /** The sandbox, when the target is one. */
  readonly sandbox?: AzureSandbox;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const userTags = (tags: Record<string, string>): Tag[] => Object.entries(tags).filter(([k]) => !k.startsWith('snapkeeper:')).map(([key, value]) => ({ key, value }));

function sandboxOracle(control: AzureSandboxControl): Oracle {
  const state = () => control.state;
  const named = <T extends { name: string }>(records: Map<string, T>, name: string): T[] => [...records.values()].filter((r) => r.name === name);
  const mapOf = (kind: ContractKind) => ({ vm: state().vms, disk: state().disks, snapshot: state().snapshots, image: state().images })[kind] as Map<string, { tags: Record<string, string> }>;
  return {
    snapshots: async (marker) => {
      const made = named(state().snapshots, marker);
      return { count: made.length, ready: made.some((s) => state().provisioningState(s) === 'Succeeded' && !state().copyInProgress(s)) };
    },
    disks: async (marker) => {
      const made = named(state().disks, marker);
      return { count: made.length, ready: made.some((d) => state().provisioningState(d) === 'Succeeded') };
    },
    images: async (marker) => {
      const made = named(state().images, marker);
      return { count: made.length, ready: made.some((i) => state().provisioningState(i) === 'Succeeded') };
    },
    exists: async (kind, id) => mapOf(kind).has(id.toLowerCase()),
    tags: async (kind, id) => userTags(mapOf(kind).get(id.toLowerCase())?.tags ?? {}),
    snapshotIds: async (scope) => {
      const [sub, location] = scope.id.split('/');
      const ids = [...state().snapshots.values()].filter((s) => same(s.subscriptionId, sub) && s.location === location).map((s) => s.id);
      return { ids, complete: true };
    },
  };
}


/** The scopes of the subscription, as the tree gets them. */
async function locations(adapter: CloudAdapter, subscription: string): Promise<Scope[]> {
  const sub = (await adapter.listScopes()).find((s) => s.id === subscription);
  if (!sub) {
    throw new Error(`subscription ${subscription} is not visible`);
  }
  return adapter.listScopes(sub);
}

async function sandboxAzureTarget(profile: 'contract' | 'battery'): Promise<AzureTarget> {
  const sandbox = await startAzureSandbox(profile);
  const log: string[] = [];
  const account: AccountConfig = { id: 'acct-azure', cloud: 'azure', label: 'Azure sandbox', sandbox: true, settings: {} };
  const mem = memento();
  const adapter = (settings: Settings = {}): CloudAdapter => createAdapter(account, azureContext(sandbox.info, log, { 'azure.lroIntervalMs': 50, ...settings }, mem));
  const a = adapter();
  let scopes: Scope[];
  try {
    scopes = await locations(a, DEV);
  } finally {
    a.dispose();
  }
  const scope = scopes.find((s) => s.id === `${DEV}/eastus`) as Scope;
  let lister: AzureAdapter | undefined;
  const fixture = async <T extends Disk | Snapshot>(kind: 'disks' | 'snapshots', id: string): Promise<T> => {
    lister ??= adapter() as AzureAdapter;
    lister.invalidate(DEV);
    return byId((await listScope(lister, scope))[kind] as T[], id) as T;
  };
  return sandboxTarget(
    {
      sandbox,
      log,
      adapter,
      scope,
      scopes,
      disk: () => fixture<Disk>('disks', AZURE_SEEDED.unattachedDiskId),
      snapshot: () => fixture<Snapshot>('snapshots', AZURE_SEEDED.chainSnapshotIds[0]),
      oracle: sandboxOracle(sandbox.control),
      bulkSnapshots: (disk, count) => sandbox.control.bulkSnapshots(disk.id, count),
      pollMs: 60,
      timeoutMs: 20_000,
      release: () => lister?.dispose(),
    },
    { sandbox },
  );
}

async function liveAzureTarget(subscription: string): Promise<AzureTarget> {
  const group = process.env.SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP as string;
  const location = process.env.SNAPKEEPER_LIVE_AZURE_LOCATION ?? 'eastus';
  const tenantId = process.env.SNAPKEEPER_LIVE_AZURE_TENANT ?? '';
  const log: string[] = [];
  const account: AccountConfig = { id: 'acct-live-azure', cloud: 'azure', label: 'live', settings: { auth: 'cli', tenantId } };
  const mem = memento();
  const adapter = (settings: Settings = {}): CloudAdapter => createAdapter(account, azureContext(undefined, log, settings, mem));
  const raw = new ComputeManagementClient(new AzureCliCredential(tenantId ? { tenantId } : {}), subscription);
  const a = adapter();
  let scopes: Scope[];
  try {
    scopes = await locations(a, subscription);
  } finally {
    a.dispose();
  }
  const scope = scopes.find((s) => s.id === `${subscription}/${location}`);
  if (!scope) {
    throw new Error(`location ${location} of subscription ${subscription} is not listed`);
  }
  const created: { kind: ContractKind; id: string }[] = [];
  const stamp = Date.now().toString(36);

  /** A 1 GiB empty Standard_LRS disk tagged as a test resource, with one incremental snapshot. */
  async function make(): Promise<{ disk: Disk; snapshot: Snapshot }> {
    const made = await raw.disks.beginCreateOrUpdateAndWait(group, `snapkeeper-contract-${stamp}`, {
      location,
      sku: { name: 'Standard_LRS' },
      diskSizeGB: 1,
      creationData: { createOption: 'Empty' },
      tags: { [TEST_TAG.key]: stamp },
    });
    created.push({ kind: 'disk', id: made.id as string });
    const l = adapter();
    try {
      let inv = await listScope(l, scope as Scope);
      const disk = byId(inv.disks, made.id as string) as Disk;
      const res = await l.execute('createSnapshot', disk, { name: `snapkeeper-contract-base-${stamp}`, incremental: true, sku: 'Standard_LRS', encryption: 'source', tags: [{ key: TEST_TAG.key, value: stamp }] }, { inventory: inv, scopes });
      created.push({ kind: 'snapshot', id: res.operations[0].resourceId });
      await track(l, res.operations[0], { pollMs: 5000, timeoutMs: 900_000 });
      inv = await listScope(l, scope as Scope);
      return { disk, snapshot: byId(inv.snapshots, res.operations[0].resourceId) as Snapshot };
    } finally {
      l.dispose();
    }
  }

  return liveTarget(
    {
      log,
      adapter,
      scope,
      scopes,
      fixture: make,
      oracle: listingOracle(adapter, () => scopes, (s) => s.name),
      made: (kind, id) => void created.push({ kind, id }),
      close: () =>
        deleteNewestFirst(created, async (r) => {
          const [, , , , rg, , , , name] = r.id.split('/');
          if (r.kind === 'snapshot') {
            await raw.snapshots.beginDeleteAndWait(rg, name);
          } else if (r.kind === 'disk') {
            await raw.disks.beginDeleteAndWait(rg, name);
          } else if (r.kind === 'image') {
            await raw.images.beginDeleteAndWait(rg, name);
          }
        }),
    },
    {},
  );
}

export const azureDriver: CloudDriver<AzureTarget> = {
  cloud: 'azure',
  name: 'Azure',
  sandbox: sandboxAzureTarget,
  live: () => {
    const subscription = process.env[LIVE_AZURE];
    if (!subscription) {
      return { lacks: `set ${LIVE_AZURE}=<subscription id> and SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP (Azure CLI login) to run it against a real subscription` };
    }
    if (!process.env.SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP) {
      return { lacks: `${LIVE_AZURE} is set, but SNAPKEEPER_LIVE_AZURE_RESOURCE_GROUP (an existing group the suite may create its test disk in) is not` };
    }
    return { title: `live Azure, subscription ${subscription}`, start: () => liveAzureTarget(subscription) };
  },
  // The adapter reuses a subscription's listing for a few seconds: drop it so the request is sent.
  probe: (adapter, scope, signal) => {
    (adapter as AzureAdapter).invalidate(scope.id.split('/')[0]);
    return listScope(adapter, scope, signal);
  },
  snapshotAnswers: (marker, tags = []) => ({ name: marker, incremental: true, tags: [...tags, TEST_TAG] }),
  restoreAnswers: (marker, snapshot) => ({ name: marker, sizeGiB: snapshot.sizeGiB }),
  copy: (target, purpose) => {
    if (purpose === 'battery') {
      // Azure copies one disk's snapshots to another location one at a time: the battery's many copies stay in the location (full copies).
      return { destination: target.scope.id, answers: (marker) => ({ destination: target.scope.id, name: marker }) };
    }
    // Another location: CopyStart, followed by its completion percent.
    const dest = target.scopes.find((s) => s.id !== target.scope.id && s.id.endsWith('/westeurope'))?.id ?? target.scopes.find((s) => s.id !== target.scope.id)?.id;
    if (!dest) {
      return { lacks: 'the subscription has only one location' };
    }
    return { destination: dest, answers: (marker) => ({ destination: dest, name: marker }) };
  },
  image: async (target, adapter) => {
    if (target.live) {
      return { lacks: 'Azure makes managed images only from an OS disk or snapshot; the live run makes only an empty data disk' };
    }
    const inv = await listScope(adapter, target.scope);
    const source = inv.snapshots.find((s) => s.name === 'web-01-os-snap-1') as Snapshot;
    return { action: 'createImageFromSnapshot', source, scope: target.scope, answers: (marker) => ({ name: marker, osState: 'Specialized' }) };
  },
  dependency: async (target, adapter) => {
    // An open export (a read SAS on the snapshot): ARM refuses the delete while it lasts.
    const inv = await listScope(adapter, target.scope);
    const source = target.live ? await target.snapshot() : (byId(inv.snapshots, AZURE_SEEDED.chainSnapshotIds[1]) as Snapshot);
    const related = { inventory: inv, scopes: target.scopes };
    await act(target, adapter, 'exportSnapshot', source, { duration: '3600', format: 'VHD' }, related);
    (adapter as AzureAdapter).invalidate(target.scope.id.split('/')[0]);
    const open = byId((await listScope(adapter, target.scope)).snapshots, source.id) as Snapshot;
    return {
      snapshot: open,
      refusal: /open export/,
      release: async () => void (await act(target, adapter, 'revokeExport', open, {}, related)),
    };
  },
  awkwardTags: 'kept',
  battery: { title: 'Azure (status polls included)', faults: {}, seed: 20 },
  faults: {
    list: 'Snapshots_List',
    createSnapshot: 'Snapshots_CreateOrUpdate',
    deleteSnapshot: 'Snapshots_Delete',
    // One SDK retry: enough to get past one fault, short for a persistent 500.
    settings: { 'azure.maxRetries': 1 },
    retryHint: true,
    throttleNoHint: 'surfaced',
    expired: /sign in|Retry/i,
  },
  unknown: {
    ghost: (real) => ({ ...real, id: real.id.replace(/[^/]+$/, 'no-such-snapshot'), name: 'no-such-snapshot', export: undefined }),
    // As on AWS and Google Cloud: ARM answers 404 for "deleted" and "never existed" alike.
    delete: 'deleted',
  },
  checks: {
    unknownDeleted: (message) => {
      assert.match(message, /^Deleted snapshot no-such-snapshot \(.*\) \(it was already gone\)$/);
    },
    // The same failure says how to sign in for each kind of account.
    expired: (e) => {
      const scope = 'https://management.core.windows.net//.default';
      const vs = toCloudError(e.cause, { mode: 'vscode', scope });
      assert.equal(vs.kind, 'expired');
      assert.match(vs.message, /Sign in to Microsoft in VS Code/);
      assert.ok(vs.signInProvider);
      const cli = toCloudError(e.cause, { mode: 'cli', tenantId: 't-1', scope });
      assert.match(cli.message, /az login --tenant t-1/);
      assert.equal(cli.signInCommand, 'az login --tenant t-1');
    },
  },
};
