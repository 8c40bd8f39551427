/**
 * The fault battery: per cloud, create snapshot, restore to a new disk, copy (where the cloud has
 * it) and delete run through the adapters' real code paths (plan → execute → polls, as the
 * tracker follows them) against the sandbox on 127.0.0.1 while about a fifth of the requests
 * fail — throttling, 5xx, connections reset before and after the server acted, 200 answers with
 * a truncated body, on the actions and on their status polls alike — and, on AWS, new resources
 * stay invisible to Describe* for 1.5 s (EC2's eventual consistency). Each reported outcome is
 * then judged from the sandbox's OWN state: no duplicates, nothing lost, no false failure, no
 * false success. Honest failures (nothing happened and the user was told so) are allowed and
 * counted. The fault sequence is seeded; the counts are printed.
 */
import * as assert from 'node:assert/strict';
import { createAdapter as createAws } from '../../src/adapters/aws';
import { createAdapter as createAzure } from '../../src/adapters/azure';
import { createAdapter as createGcp } from '../../src/adapters/gcp';
import type { AdapterContext, CloudAdapter, RelatedResources } from '../../src/model/adapter';
import type { AccountConfig, ActionId, FieldValues, Inventory, Resource, ResourceKind, Scope } from '../../src/model/types';
import { startSandbox, type FaultConfig, type Sandbox } from '../../src/sandbox';
import { AZURE_SEEDED } from '../../src/sandbox/azure/backend';
import { GCP_SEEDED } from '../../src/sandbox/gcp/backend';
import { emptyTally, judge, line, perform, pool, type Tally, type Truth } from './battery';

/** Operations per action per cloud, and how many run at once. */
const OPS = 24;
const PARALLEL = 12;
const POLL_MS = 80;
/** Each action's operations must all have an outcome within this (ms). */
const ACTION_DEADLINE_MS = 45_000;

/** ≈ 20 % of the requests fail, seeded so a run is reproducible. */
function faultMix(seed: number, extra: FaultConfig = {}): FaultConfig {
  return { seed, throttleRate: 0.05, serverErrorRate: 0.04, dropRate: 0.03, dropAfterCommitRate: 0.04, malformedRate: 0.04, ...extra };
}

function ctx(sandbox: unknown, settings: Record<string, unknown>): AdapterContext {
  return { log: () => undefined, setting: <T>(k: string, f: T) => (k in settings ? (settings[k] as T) : f), sandbox, maxConcurrency: 16 };
}

async function list(adapter: CloudAdapter, scope: string): Promise<Inventory> {
  const inv: Inventory = { vms: [], disks: [], snapshots: [], images: [] };
  const key = { vm: 'vms', disk: 'disks', snapshot: 'snapshots', image: 'images' } as const;
  await adapter.listInventory({ id: scope, label: scope, leaf: true }, { add: (kind: ResourceKind, items: Resource[]) => void (inv[key[kind]] as Resource[]).push(...items) }, new AbortController().signal);
  return inv;
}

function byId(items: Resource[], id: string): Resource {
  const r = items.find((x) => x.id.toLowerCase() === id.toLowerCase());
  assert.ok(r, `${id} is listed`);
  return r;
}

/** One action of the battery: the targets and answers of its operations, and how to read the truth. */
interface Case {
  action: ActionId;
  kind: 'create' | 'delete';
  /** The i-th operation: its target, answers and a marker (a unique name or description). */
  op(i: number): { target: Resource; given: FieldValues; marker: string };
  truth(marker: string): Truth;
}

/** Runs one case under the fault mix and asserts the four zeros from the sandbox's state. */
async function battery(cloud: string, sandbox: Sandbox, adapter: CloudAdapter, related: RelatedResources, c: Case, faults: FaultConfig): Promise<Tally> {
  const ops = Array.from({ length: OPS }, (_, i) => ({ i, ...c.op(i) }));
  const outcomes = new Map<number, Awaited<ReturnType<typeof perform>>>();
  const started = Date.now();
  const deadline = started + ACTION_DEADLINE_MS;
  sandbox.setFaults(faults);
  try {
    await pool(ops, PARALLEL, async (o) => {
      outcomes.set(o.i, await perform(adapter, c.action, o.target, o.given, related, { deadline, pollMs: POLL_MS }));
    });
  } finally {
    sandbox.setFaults({});
  }
  const tally = emptyTally();
  for (const o of ops) {
    judge(tally, c.kind, `${c.action} #${o.i} (${o.marker})`, outcomes.get(o.i) ?? { kind: 'none', message: 'not run' }, c.truth(o.marker));
  }
  console.log(`    ${line(cloud, c.action, tally, Date.now() - started)}`);
  return tally;
}

function assertClean(t: Tally): void {
  assert.deepEqual(
    { duplicates: t.duplicates, lost: t.lost, falseFailures: t.falseFailures, falseSuccesses: t.falseSuccesses },
    { duplicates: 0, lost: 0, falseFailures: 0, falseSuccesses: 0 },
    t.examples.join('\n'),
  );
  // Honest failures are allowed (e.g. the AWS SDK's retry quota runs dry under this mix), but most must get through.
  assert.ok(t.ok >= t.ops / 3, `only ${t.ok} of ${t.ops} succeeded: the fault mix is too harsh to prove anything`);
}

// ---------------------------------------------------------------------------------------------
// AWS
// ---------------------------------------------------------------------------------------------

describe('fault battery (one sandbox for the three clouds, ≈20 % faults)', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({
      clouds: {
        aws: { timing: { snapshotBaseMs: 300, snapshotMsPerGiB: 0, snapshotMaxMs: 300, volumeMs: 300 } },
        azure: { timing: { operationMs: 300, snapshotBaseMs: 300, snapshotMsPerGiB: 0, snapshotMaxMs: 400, retryAfterSeconds: 0 } },
        gcp: { timing: { operationMs: 300, diskMs: 300, snapshotBaseMs: 300, snapshotMsPerGiB: 0, snapshotMaxMs: 400, deleteMs: 200, waitMaxMs: 300 } },
      },
    });
  });
  after(async () => {
    await sandbox?.close();
  });

describe('AWS (1.5 s Describe visibility lag)', function () {
  const region = 'us-east-1';
  const dest = 'us-west-2';
  const LAG = 1500;
  let adapter: CloudAdapter;
  let related: RelatedResources;
  let disk: Resource;
  let source: Resource;

  before(async () => {
    const account: AccountConfig = { id: 'battery-aws', cloud: 'aws', label: 'Sandbox (AWS)', sandbox: true, settings: {} };
    // The lookup window before a create is sent again must outlast the visibility lag.
    adapter = createAws(account, ctx(sandbox.info.aws, { 'aws.retryBaseMs': 100, 'aws.consistencyWindowMs': 3_000 }));
    const inv = await list(adapter, region);
    disk = inv.disks.find((d) => d.name === 'web-data-restore-test') as Resource;
    assert.ok(disk);
    source = inv.snapshots.find((s) => (s as { diskId?: string }).diskId === disk.id && s.state === 'completed') as Resource;
    assert.ok(source);
    related = { inventory: inv, scopes: [region, dest].map((id): Scope => ({ id, label: id, leaf: true })) };
  });
  after(() => adapter?.dispose());

  const records = () => sandbox.clouds.aws.state.toJSON();

  it('createSnapshot', async () => {
    const t = await battery('aws', sandbox, adapter, related, {
      action: 'createSnapshot',
      kind: 'create',
      op: (i) => ({ target: disk, given: { description: `battery-create-${i}` }, marker: `battery-create-${i}` }),
      truth: (marker) => {
        const made = records().snapshots.filter((s) => s.description === marker);
        return { count: made.length, ready: made.some((s) => sandbox.clouds.aws.state.snapshotStatus(s).status === 'completed') };
      },
    }, faultMix(11, { visibilityLagMs: LAG }));
    assertClean(t);
  });

  it('restoreToNewDisk', async () => {
    const t = await battery('aws', sandbox, adapter, related, {
      action: 'restoreToNewDisk',
      kind: 'create',
      op: (i) => ({ target: source, given: { name: `battery-restore-${i}` }, marker: `battery-restore-${i}` }),
      truth: (marker) => {
        const made = records().volumes.filter((v) => v.tags.some((tag) => tag.key === 'Name' && tag.value === marker));
        return { count: made.length, ready: made.some((v) => sandbox.clouds.aws.state.volumeStatus(v) === 'available') };
      },
    }, faultMix(12, { visibilityLagMs: LAG }));
    assertClean(t);
  });

  it('copySnapshot', async () => {
    const t = await battery('aws', sandbox, adapter, related, {
      action: 'copySnapshot',
      kind: 'create',
      op: (i) => ({ target: source, given: { destination: dest, description: `battery-copy-${i}`, encrypted: false, kmsKeyId: '' }, marker: `battery-copy-${i}` }),
      truth: (marker) => {
        const made = records().snapshots.filter((s) => s.description === marker && s.region === dest);
        return { count: made.length, ready: made.some((s) => sandbox.clouds.aws.state.snapshotStatus(s).status === 'completed') };
      },
    }, faultMix(13, { visibilityLagMs: LAG }));
    assertClean(t);
  });

  it('deleteSnapshot', async () => {
    const ids = sandbox.clouds.aws.bulkSnapshots(region, disk.id, OPS);
    const inv = await list(adapter, region);
    const rel: RelatedResources = { ...related, inventory: inv };
    const t = await battery('aws', sandbox, adapter, rel, {
      action: 'deleteSnapshot',
      kind: 'delete',
      op: (i) => ({ target: byId(inv.snapshots, ids[i]), given: {}, marker: ids[i] }),
      truth: (id) => ({ count: records().snapshots.some((s) => s.id === id) ? 1 : 0, ready: true }),
    }, faultMix(14, { visibilityLagMs: LAG }));
    assertClean(t);
  });
});

// ---------------------------------------------------------------------------------------------
// Azure
// ---------------------------------------------------------------------------------------------

describe('Azure (status polls included)', function () {
  const DEV = AZURE_SEEDED.devSubscriptionId;
  const scope = `${DEV}/eastus`;
  let adapter: CloudAdapter;
  let related: RelatedResources;
  let disk: Resource;
  let source: Resource;

  before(async () => {
    const account: AccountConfig = { id: 'battery-azure', cloud: 'azure', label: 'Sandbox (Azure)', sandbox: true, settings: {} };
    adapter = createAzure(account, ctx(sandbox.info.azure, { 'azure.lroIntervalMs': 50 }));
    const subs = await adapter.listScopes();
    const scopes = await adapter.listScopes(subs.find((s) => s.id === DEV));
    const inv = await list(adapter, scope);
    disk = byId(inv.disks, AZURE_SEEDED.chainDiskId);
    source = byId(inv.snapshots, AZURE_SEEDED.chainSnapshotIds[0]);
    related = { inventory: inv, scopes };
  });
  after(() => adapter?.dispose());

  const state = () => sandbox.clouds.azure.state;
  const named = <T extends { name: string }>(records: Map<string, T>, name: string): T[] => [...records.values()].filter((r) => r.name === name);
  const snapshotTruth = (marker: string): Truth => {
    const made = named(state().snapshots, marker);
    return { count: made.length, ready: made.some((s) => state().provisioningState(s) === 'Succeeded' && !state().copyInProgress(s)) };
  };

  it('createSnapshot', async () => {
    const t = await battery('azure', sandbox, adapter, related, {
      action: 'createSnapshot',
      kind: 'create',
      op: (i) => ({ target: disk, given: { name: `battery-create-${i}` }, marker: `battery-create-${i}` }),
      truth: snapshotTruth,
    }, faultMix(21));
    assertClean(t);
  });

  it('restoreToNewDisk', async () => {
    const t = await battery('azure', sandbox, adapter, related, {
      action: 'restoreToNewDisk',
      kind: 'create',
      op: (i) => ({ target: source, given: { name: `battery-restore-${i}` }, marker: `battery-restore-${i}` }),
      truth: (marker) => {
        const made = named(state().disks, marker);
        return { count: made.length, ready: made.some((d) => state().provisioningState(d) === 'Succeeded') };
      },
    }, faultMix(22));
    assertClean(t);
  });

  it('copySnapshot', async () => {
    const t = await battery('azure', sandbox, adapter, related, {
      action: 'copySnapshot',
      kind: 'create',
      op: (i) => ({ target: source, given: { destination: scope, name: `battery-copy-${i}` }, marker: `battery-copy-${i}` }),
      truth: snapshotTruth,
    }, faultMix(23));
    assertClean(t);
  });

  it('deleteSnapshot', async () => {
    const ids = sandbox.clouds.azure.bulkSnapshots(AZURE_SEEDED.chainDiskId, OPS);
    const inv = await list(adapter, scope);
    const rel: RelatedResources = { ...related, inventory: inv };
    const t = await battery('azure', sandbox, adapter, rel, {
      action: 'deleteSnapshot',
      kind: 'delete',
      op: (i) => ({ target: byId(inv.snapshots, ids[i]), given: {}, marker: ids[i] }),
      truth: (id) => ({ count: state().snapshots.has(id.toLowerCase()) ? 1 : 0, ready: true }),
    }, faultMix(24));
    assertClean(t);
  });
});

// ---------------------------------------------------------------------------------------------
// Google Cloud
// ---------------------------------------------------------------------------------------------

describe('Google Cloud (operation polls included; snapshots are global: no copy)', function () {
  const DEV = GCP_SEEDED.devProject;
  const zone = `${DEV}/us-central1-a`;
  const global = `${DEV}/global`;
  let adapter: CloudAdapter;
  let related: RelatedResources;
  let disk: Resource;
  let source: Resource;

  before(async () => {
    const account: AccountConfig = { id: 'battery-gcp', cloud: 'gcp', label: 'Sandbox (Google Cloud)', sandbox: true, settings: {} };
    adapter = createGcp(account, ctx(sandbox.info.gcp, { 'gcp.retryBaseMs': 50 }));
    const inv = await both();
    disk = byId(inv.disks, GCP_SEEDED.scratchDisk);
    source = byId(inv.snapshots, GCP_SEEDED.chainSnapshots[0]);
    related = { inventory: inv, scopes: [zone, global].map((id): Scope => ({ id, label: id, leaf: true })) };
  });
  after(() => adapter?.dispose());

  /** The zone and the global scope together (a snapshot is shown beside its disk, or globally). */
  async function both(): Promise<Inventory> {
    const [z, g] = [await list(adapter, zone), await list(adapter, global)];
    return { vms: z.vms, disks: z.disks, snapshots: [...z.snapshots, ...g.snapshots], images: [...z.images, ...g.images] };
  }
  const state = () => sandbox.clouds.gcp.state;
  const named = <T extends { name: string; project: string; deleteAt?: number }>(records: Map<string, T>, name: string): T[] =>
    [...records.values()].filter((r) => r.name === name && r.project === DEV && r.deleteAt === undefined);

  it('createSnapshot', async () => {
    const t = await battery('gcp', sandbox, adapter, related, {
      action: 'createSnapshot',
      kind: 'create',
      op: (i) => ({ target: disk, given: { name: `battery-create-${i}` }, marker: `battery-create-${i}` }),
      truth: (marker) => {
        const made = named(state().snapshots, marker);
        return { count: made.length, ready: made.some((s) => state().snapshotStatus(s) === 'READY') };
      },
    }, faultMix(31));
    assertClean(t);
  });

  it('restoreToNewDisk', async () => {
    const t = await battery('gcp', sandbox, adapter, related, {
      action: 'restoreToNewDisk',
      kind: 'create',
      op: (i) => ({ target: source, given: { name: `battery-restore-${i}`, zone: 'us-central1-a' }, marker: `battery-restore-${i}` }),
      truth: (marker) => {
        const made = named(state().disks, marker);
        return { count: made.length, ready: made.some((d) => state().diskStatus(d) === 'READY') };
      },
    }, faultMix(32));
    assertClean(t);
  });

  it('deleteSnapshot', async () => {
    const paths = sandbox.clouds.gcp.bulkSnapshots(GCP_SEEDED.scratchDisk, OPS);
    const inv = await both();
    const rel: RelatedResources = { ...related, inventory: inv };
    const t = await battery('gcp', sandbox, adapter, rel, {
      action: 'deleteSnapshot',
      kind: 'delete',
      op: (i) => ({ target: byId(inv.snapshots, paths[i]), given: {}, marker: paths[i] }),
      truth: (path) => ({ count: named(state().snapshots, path.split('/').at(-1) as string).length, ready: true }),
    }, faultMix(33));
    assertClean(t);
  });
});
});
