/**
 * The AWS adapter contract suite. `awsContract(title, setup)` runs the same cases against any
 * EC2 endpoint: the sandbox (started in-process, fresh state, fast timing) and, when
 * SNAPKEEPER_LIVE_AWS_PROFILE is set, a real AWS account (the suite creates and deletes its own
 * small volume, snapshots, copies and images there).
 *
 * Cases that need the sandbox's seeded estate (instances, AMIs) or its fault injection are
 * marked with `seeded` / `faults` and skipped against AWS.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createAdapter } from '../../src/adapters/aws';
import { CLIENT_TOKEN_TAG } from '../../src/adapters/aws/create';
import { isAsked, validateField } from '../../src/core/fields';
import type { AdapterContext, CloudAdapter, RelatedResources } from '../../src/model/adapter';
import { isCloudError, type CloudError, type ErrorKind } from '../../src/model/errors';
import type {
  AccountConfig,
  ActionId,
  ActionResult,
  Disk,
  FieldValues,
  Image,
  Inventory,
  OperationStart,
  OperationStatus,
  Resource,
  ResourceKind,
  Scope,
  Snapshot,
  Tag,
  Vm,
} from '../../src/model/types';
import { startSandbox, type Sandbox } from '../../src/sandbox';

// ---------------------------------------------------------------------------------------------
// The environment a setup provides
// ---------------------------------------------------------------------------------------------

/** Per-adapter overrides: settings, account fields, sandbox connection. */
interface AdapterOptions {
  settings?: Record<string, unknown>;
  account?: Partial<AccountConfig>;
  sandbox?: unknown;
}

interface ContractEnv {
  /** A fresh adapter (its calls are logged into `calls`). */
  adapter(opts?: AdapterOptions): CloudAdapter;
  /** Every log line of every adapter made by `adapter()`. */
  calls: string[];
  /** The profile name errors must name. */
  profile: string;
  /** The main test region and another enabled region (copy destination). */
  region: string;
  otherRegion: string;
  /** A plain SDK client for checking what the adapter did, independently of it. */
  raw(region: string): EC2Client;
  /** A disk the suite may snapshot, tag and restore (seeded in the sandbox, created live). */
  disk(): Promise<Disk>;
  /** Resources the suite made, to delete at the end (live only). */
  created: { region: string; id: string }[];
  /** The sandbox, when the suite runs against it. */
  sandbox?: Sandbox;
  /** The sandbox's seeded estate is there (instances, AMIs, KMS-encrypted volumes). */
  seeded: boolean;
  /** Poll interval for operations. */
  pollMs: number;
  teardown(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface Listing {
  inv: Inventory;
  calls: { kind: ResourceKind; count: number; done: boolean }[];
}

async function list(adapter: CloudAdapter, region: string, signal = new AbortController().signal): Promise<Listing> {
  const inv: Inventory = { vms: [], disks: [], snapshots: [], images: [] };
  const calls: Listing['calls'] = [];
  const key = { vm: 'vms', disk: 'disks', snapshot: 'snapshots', image: 'images' } as const;
  await adapter.listInventory(scopeOf(region), { add: (kind, items, done) => {
    calls.push({ kind, count: items.length, done });
    (inv[key[kind]] as Resource[]).push(...items);
  } }, signal);
  return { inv, calls };
}

function scopeOf(region: string): Scope {
  return { id: region, label: region, leaf: true };
}

function related(l: Listing, scopes: Scope[] = []): RelatedResources {
  return { inventory: l.inv, scopes };
}

function byName<T extends Resource>(items: T[], name: string): T {
  const found = items.find((r) => r.name === name);
  assert.ok(found, `no resource named ${name}`);
  return found;
}

function byId<T extends Resource>(items: T[], id: string): T | undefined {
  return items.find((r) => r.id === id);
}

async function rejects(p: Promise<unknown>, kind: ErrorKind): Promise<CloudError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isCloudError(e), `expected a CloudError, got ${String(e)}`);
    assert.equal(e.kind, kind, `expected ${kind}, got ${e.kind}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a CloudError of kind ${kind}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until done; returns every status seen. */
async function track(adapter: CloudAdapter, op: OperationStart, pollMs: number, timeoutMs = 30_000): Promise<OperationStatus[]> {
  const record = { ...op, id: `op-${Math.random()}`, accountId: adapter.account.id, startedAt: Date.now() };
  const seen: OperationStatus[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await adapter.pollOperation(record);
    seen.push(s);
    if (s.done) {
      return seen;
    }
    assert.ok(Date.now() < deadline, `operation ${op.kind} ${op.resourceId} did not finish`);
    await sleep(pollMs);
  }
}

async function run(
  adapter: CloudAdapter,
  action: ActionId,
  target: Resource,
  values: FieldValues,
  rel: RelatedResources,
): Promise<ActionResult> {
  assert.ok(adapter.actionsFor(target).includes(action), `${action} not offered for ${target.id}`);
  const plan = await adapter.plan(action, target, rel);
  assert.equal(plan.refusal, undefined, `refused: ${plan.refusal}`);
  return adapter.execute(action, target, values, rel);
}

function tagValue(tags: Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

async function snapshotsWithTag(client: EC2Client, key: string, value: string): Promise<string[]> {
  const out = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${key}`, Values: [value] }] }));
  return (out.Snapshots ?? []).map((s) => s.SnapshotId as string);
}

async function allSnapshotIds(client: EC2Client): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 1000, NextToken: token }));
    ids.push(...(out.Snapshots ?? []).map((s) => s.SnapshotId as string));
    token = out.NextToken;
  } while (token);
  return ids;
}

const HOSTILE = `<img src=x onerror="alert('x')"> & ]]> </Value><Key>Injected</Key> ; DROP TABLE --, k=v ü 😀 \u202e`;

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

function awsContract(title: string, setup: () => Promise<ContractEnv>, timeoutMs = 60_000): void {
  describe(title, function () {
    this.timeout(timeoutMs);
    let env: ContractEnv;
    let adapter: CloudAdapter;

    before(async () => {
      env = await setup();
      adapter = env.adapter();
    });

    after(async () => {
      adapter?.dispose();
      await env?.teardown();
    });

    const seeded = (name: string, fn: () => Promise<void>): void => {
      it(name, async function () {
        if (!env.seeded) {
          this.skip();
        }
        await fn();
      });
    };
    const faults = (name: string, fn: () => Promise<void>): void => {
      it(name, async function () {
        if (!env.sandbox) {
          this.skip();
        }
        await fn();
      });
    };

    // ---- scopes ------------------------------------------------------------------------------

    it('lists enabled regions as leaf scopes, skipping not-opted-in regions', async () => {
      const scopes = await adapter.listScopes();
      const all = await env.raw(env.region).send(new DescribeRegionsCommand({ AllRegions: true }));
      const optedOut = (all.Regions ?? []).filter((r) => r.OptInStatus === 'not-opted-in').map((r) => r.RegionName ?? '');
      const ids = scopes.map((s) => s.id);
      assert.ok(ids.includes(env.region));
      assert.ok(scopes.every((s) => s.leaf));
      for (const r of optedOut) {
        assert.ok(!ids.includes(r), `${r} is not opted in but listed`);
      }
      if (env.sandbox) {
        assert.ok(optedOut.length > 0, 'the sandbox should have a not-opted-in region');
      }
    });

    it('limits regions to the aws.regions setting', async () => {
      const limited = env.adapter({ settings: { 'aws.regions': [env.otherRegion, env.region] } });
      try {
        const ids = (await limited.listScopes()).map((s) => s.id).sort();
        assert.deepEqual(ids, [env.region, env.otherRegion].sort());
      } finally {
        limited.dispose();
      }
    });

    // ---- inventory ---------------------------------------------------------------------------

    it('streams inventory pages (page size 5) with every snapshot exactly once', async () => {
      const paged = env.adapter({ settings: { 'aws.pageSize': 5 } });
      try {
        const { inv, calls } = await list(paged, env.region);
        const expected = await allSnapshotIds(env.raw(env.region));
        const ids = inv.snapshots.map((s) => s.id);
        assert.equal(new Set(ids).size, ids.length, 'duplicate snapshot ids');
        assert.deepEqual([...ids].sort(), [...expected].sort());
        for (const kind of ['vm', 'disk', 'snapshot', 'image'] as const) {
          const mine = calls.filter((c) => c.kind === kind);
          assert.ok(mine.length >= 1, `no ${kind} pages`);
          assert.equal(mine.filter((c) => c.done).length, 1, `${kind}: exactly one page ends the listing`);
          assert.ok(mine[mine.length - 1].done, `${kind}: the last page is marked done`);
          assert.ok(mine.every((c) => c.count <= 5));
        }
        if (expected.length > 5) {
          assert.ok(calls.filter((c) => c.kind === 'snapshot').length >= 2, 'snapshots came in one page');
        }
        const logged = env.calls.filter((l) => / DescribeSnapshots /.test(l));
        assert.ok(logged.length >= 2);
        assert.match(logged[0], /^EC2 [a-z0-9-]+ DescribeSnapshots \d{3} \d+ms/);
      } finally {
        paged.dispose();
      }
    });

    seeded('maps instances, volumes, snapshots and images faithfully', async () => {
      const { inv } = await list(adapter, env.region);
      const web = byName(inv.vms as Vm[], 'web-prod-1');
      const root = byName(inv.disks as Disk[], 'web-prod-1-root');
      const data = byName(inv.disks as Disk[], 'web-prod-1-data');
      assert.equal(web.state, 'running');
      assert.equal(web.phase, 'ready');
      assert.equal(web.bootDiskId, root.id);
      assert.deepEqual(web.diskIds, [root.id, data.id], 'root disk first');
      assert.equal(web.machineType, 't3.medium');
      assert.ok(web.zone);
      assert.deepEqual(root.attachments, [{ vmId: web.id, device: '/dev/xvda', boot: true }]);
      assert.deepEqual(data.attachments, [{ vmId: web.id, device: '/dev/sdf', boot: false }]);
      assert.equal(data.sizeGiB, 100);
      assert.equal(data.diskType, 'gp3');
      const detached = byName(inv.disks as Disk[], 'web-data-restore-test');
      assert.deepEqual(detached.attachments, []);
      assert.equal(detached.state, 'available');
      const dataSnaps = (inv.snapshots as Snapshot[]).filter((s) => s.diskId === data.id);
      assert.ok(dataSnaps.some((s) => s.id === detached.sourceSnapshotId), 'restored volume names its source snapshot');
      const snap = byName(inv.snapshots as Snapshot[], 'web-prod-1-root-1');
      assert.equal(snap.diskId, root.id);
      assert.equal(snap.state, 'completed');
      assert.equal(snap.phase, 'ready');
      assert.equal(snap.progress, 100);
      assert.equal(snap.sizeGiB, 8);
      assert.equal(snap.storageTier, 'standard');
      assert.equal(tagValue(snap.tags, 'Team'), 'web');
      const ami = (inv.images as Image[]).find((i) => i.snapshotIds[0] === snap.id);
      assert.ok(ami, 'the golden AMI lists its root snapshot first');
      assert.equal(ami.rootDevice, '/dev/xvda');
      assert.equal(ami.architecture, 'x86_64');
      assert.equal(ami.phase, 'ready');

      // The encrypted database volume, with its customer-managed KMS key, in the other region.
      const other = await list(adapter, env.otherRegion);
      const db = byName(other.inv.disks as Disk[], 'db-primary-data');
      assert.equal(db.encrypted, true);
      assert.match(db.kmsKeyId ?? '', /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
      assert.equal(db.diskType, 'io2');
      const dbSnap = (other.inv.snapshots as Snapshot[]).find((s) => s.diskId === db.id);
      assert.ok(dbSnap?.encrypted);
      assert.equal(dbSnap?.kmsKeyId, db.kmsKeyId);
    });

    seeded('offers actions by state and root lineage', async () => {
      const { inv } = await list(adapter, env.region);
      const rootSnap = byName(inv.snapshots as Snapshot[], 'web-prod-1-root-2');
      const dataSnap = byName(inv.snapshots as Snapshot[], 'web-prod-1-data-1');
      assert.ok(adapter.actionsFor(rootSnap).includes('restoreInPlace'));
      assert.ok(adapter.actionsFor(rootSnap).includes('createImageFromSnapshot'));
      assert.ok(!adapter.actionsFor(dataSnap).includes('restoreInPlace'));
      assert.ok(!adapter.actionsFor(dataSnap).includes('createImageFromSnapshot'));
      const disk = byName(inv.disks as Disk[], 'web-prod-1-data');
      assert.deepEqual(adapter.actionsFor(disk), ['createSnapshot', 'editTags', 'simulateWrites']);
      const vm = byName(inv.vms as Vm[], 'web-prod-1');
      assert.deepEqual(adapter.actionsFor(vm), ['snapshotVm', 'createImageFromVm', 'editTags']);
    });

    // ---- snapshots ---------------------------------------------------------------------------

    it('creates a snapshot and polls it to completed with rising progress', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const plan = await adapter.plan('createSnapshot', disk, related(l));
      const desc = plan.fields.find((f) => f.id === 'description');
      assert.ok(desc && desc.kind === 'text');
      assert.equal(desc.default, `Snapkeeper snapshot of ${disk.name ?? disk.id}`);
      const result = await run(adapter, 'createSnapshot', disk, { description: 'contract', tags: [{ key: 'Suite', value: 'contract' }] }, related(l));
      assert.equal(result.operations.length, 1);
      const op = result.operations[0];
      assert.equal(op.kind, 'snapshot');
      assert.equal(op.scopeId, disk.scopeId);
      assert.ok(op.refreshScopeIds.includes(disk.scopeId));
      env.created.push({ region: disk.scopeId, id: op.resourceId });
      const seen = await track(adapter, op, env.pollMs, 600_000);
      const last = seen[seen.length - 1];
      assert.equal(last.done, true);
      assert.ok(!last.failed, last.message);
      assert.equal(last.progress, 100);
      const progress = seen.map((s) => s.progress).filter((p): p is number => p !== undefined);
      for (let i = 1; i < progress.length; i++) {
        assert.ok(progress[i] >= progress[i - 1], `progress went down: ${progress.join(',')}`);
      }
      if (env.sandbox) {
        assert.ok(progress.some((p) => p > 0 && p < 100), `no intermediate progress: ${progress.join(',')}`);
      }
      const after = await list(adapter, disk.scopeId);
      const made = byId(after.inv.snapshots as Snapshot[], op.resourceId);
      assert.ok(made);
      assert.equal(made.diskId, disk.id);
      assert.equal(made.description, 'contract');
      assert.equal(tagValue(made.tags, 'Suite'), 'contract');
      assert.ok(tagValue(made.tags, CLIENT_TOKEN_TAG), 'the create carries its client token tag');
    });

    seeded('snapshots a VM as a crash-consistent set, with and without the boot volume', async () => {
      const l = await list(adapter, env.region);
      const vm = byName(l.inv.vms as Vm[], 'web-prod-1');
      const plan = await adapter.plan('snapshotVm', vm, related(l));
      assert.match(plan.fields.find((f) => f.id === 'description')?.title ?? '', /crash-consistent/);
      assert.ok(plan.fields.some((f) => f.id === 'excludeBoot' && f.kind === 'boolean'));

      const all = await run(adapter, 'snapshotVm', vm, { description: 'set', excludeBoot: false, tags: [] }, related(l));
      assert.equal(all.operations.length, vm.diskIds.length);
      const raw = env.raw(env.region);
      const allSnaps = await raw.send(new DescribeSnapshotsCommand({ SnapshotIds: all.operations.map((o) => o.resourceId) }));
      assert.deepEqual((allSnaps.Snapshots ?? []).map((s) => s.VolumeId).sort(), [...vm.diskIds].sort());

      const data = await run(adapter, 'snapshotVm', vm, { description: 'data only', excludeBoot: true, tags: [] }, related(l));
      assert.equal(data.operations.length, vm.diskIds.length - 1);
      const dataSnaps = await raw.send(new DescribeSnapshotsCommand({ SnapshotIds: data.operations.map((o) => o.resourceId) }));
      assert.ok((dataSnaps.Snapshots ?? []).every((s) => s.VolumeId !== vm.bootDiskId));
      for (const op of [...all.operations, ...data.operations]) {
        const seen = await track(adapter, op, env.pollMs);
        assert.ok(!seen[seen.length - 1].failed);
      }
    });

    it('restores a snapshot to a new disk (plan min = snapshot size; the API refuses smaller)', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const snap = (l.inv.snapshots as Snapshot[]).find((s) => s.diskId === disk.id && s.state === 'completed');
      assert.ok(snap, 'a completed snapshot of the test disk');
      const plan = await adapter.plan('restoreToNewDisk', snap, related(l));
      const size = plan.fields.find((f) => f.id === 'sizeGiB');
      assert.ok(size && size.kind === 'number');
      assert.equal(size.min, snap.sizeGiB);
      assert.equal(size.integer, true);
      const zone = plan.fields.find((f) => f.id === 'zone');
      assert.ok(zone && zone.kind === 'pick');
      assert.equal(zone.default, disk.zone, 'defaults to the source volume zone');
      const type = plan.fields.find((f) => f.id === 'volumeType');
      assert.ok(type && type.kind === 'pick');
      assert.deepEqual(type.options.map((o) => o.value).sort(), ['gp2', 'gp3', 'io1', 'io2', 'sc1', 'st1', 'standard']);
      if (snap.sizeGiB > 1) {
        const calls = env.calls.length;
        await rejects(adapter.execute('restoreToNewDisk', snap, { zone: disk.zone as string, volumeType: 'gp3', sizeGiB: snap.sizeGiB - 1 }, related(l)), 'invalid');
        assert.ok(env.calls.slice(calls).some((c) => / CreateVolume 400 InvalidParameterValue/.test(c)), 'the API itself refused');
      }
      const result = await adapter.execute('restoreToNewDisk', snap, { zone: zone.default as string, volumeType: 'gp3', sizeGiB: snap.sizeGiB + 1, name: 'restored-by-contract' }, related(l));
      const op = result.operations[0];
      assert.equal(op.kind, 'volume');
      env.created.push({ region: disk.scopeId, id: op.resourceId });
      const seen = await track(adapter, op, env.pollMs);
      assert.ok(!seen[seen.length - 1].failed);
      const after = await list(adapter, disk.scopeId);
      const vol = byId(after.inv.disks as Disk[], op.resourceId);
      assert.ok(vol);
      assert.equal(vol.sourceSnapshotId, snap.id);
      assert.equal(vol.sizeGiB, snap.sizeGiB + 1);
      assert.equal(vol.name, 'restored-by-contract');
      assert.equal(vol.zone, zone.default);
    });

    it('restores to io2 and gp3 volumes with the IOPS and throughput asked for (asked only for the types that take them)', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const snap = (l.inv.snapshots as Snapshot[]).find((s) => s.diskId === disk.id && s.state === 'completed');
      assert.ok(snap, 'a completed snapshot of the test disk');
      const plan = await adapter.plan('restoreToNewDisk', snap, related(l));
      const iopsFor = (type: string) => plan.fields.find((f) => f.id === 'iops' && isAsked(f, { volumeType: type }));
      const throughputFor = (type: string) => plan.fields.find((f) => f.id === 'throughputMiBps' && isAsked(f, { volumeType: type }));
      for (const type of ['gp2', 'st1', 'sc1', 'standard']) {
        assert.equal(iopsFor(type), undefined, `no IOPS question for ${type}`);
      }
      const io2 = iopsFor('io2');
      assert.ok(io2?.kind === 'number');
      assert.deepEqual([io2.min, io2.max], [100, 256000]);
      assert.match(validateField(io2, String(500 * snap.sizeGiB + 1), { volumeType: 'io2', sizeGiB: snap.sizeGiB }) ?? '', /at most \d+ IOPS \(500 per GiB\)/);
      assert.equal(throughputFor('io2'), undefined, 'io2 has no throughput setting');
      const gp3 = throughputFor('gp3');
      assert.ok(gp3?.kind === 'number');
      assert.deepEqual([gp3.min, gp3.max, gp3.default], [125, 1000, 125]);

      const make = async (values: FieldValues) => {
        const result = await adapter.execute('restoreToNewDisk', snap, { zone: disk.zone as string, sizeGiB: snap.sizeGiB, ...values }, related(l));
        const op = result.operations[0];
        env.created.push({ region: disk.scopeId, id: op.resourceId });
        const seen = await track(adapter, op, env.pollMs);
        assert.ok(!seen[seen.length - 1].failed);
        const raw = await env.raw(disk.scopeId).send(new DescribeVolumesCommand({ VolumeIds: [op.resourceId] }));
        return raw.Volumes?.[0];
      };
      const a = await make({ volumeType: 'io2', iops: 400, sizeGiB: Math.max(4, snap.sizeGiB) });
      assert.equal(a?.VolumeType, 'io2');
      assert.equal(a?.Iops, 400, 'the volume has the IOPS asked for');
      const b = await make({ volumeType: 'gp3', iops: 4000, throughputMiBps: 250 });
      assert.equal(b?.Iops, 4000);
      assert.equal(b?.Throughput, 250, 'the volume has the throughput asked for');
      const refused = await rejects(adapter.execute('restoreToNewDisk', snap, { zone: disk.zone as string, sizeGiB: snap.sizeGiB, volumeType: 'gp3', throughputMiBps: 2000 }, related(l)), 'invalid');
      assert.match(refused.message, /125–1000/);
    });

    it('copy: the KMS key is asked only for an encrypted copy, and ignored for an unencrypted one', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const snap = (l.inv.snapshots as Snapshot[]).find((s) => s.diskId === disk.id && s.state === 'completed' && !s.encrypted);
      assert.ok(snap);
      const plan = await adapter.plan('copySnapshot', snap, related(l, await adapter.listScopes()));
      const kms = plan.fields.find((f) => f.id === 'kmsKeyId');
      assert.ok(kms);
      assert.equal(isAsked(kms, { encrypted: false }), false, 'no KMS question for "Not encrypted"');
      assert.equal(isAsked(kms, { encrypted: true }), true);
    });

    seeded('refuses Replace Root Volume for a snapshot outside the root lineage', async () => {
      const l = await list(adapter, env.region);
      const dataSnap = byName(l.inv.snapshots as Snapshot[], 'web-prod-1-data-2');
      const plan = await adapter.plan('restoreInPlace', dataSnap, related(l));
      assert.ok(plan.refusal, 'expected a refusal');
      assert.match(plan.refusal, /root volume/);
    });

    seeded('replaces the root volume from a root snapshot: task succeeds, old root kept detached', async () => {
      const l = await list(adapter, env.region);
      const vm = byName(l.inv.vms as Vm[], 'web-prod-1');
      const oldRoot = vm.bootDiskId as string;
      const snap = byName(l.inv.snapshots as Snapshot[], 'web-prod-1-root-2');
      const plan = await adapter.plan('restoreInPlace', snap, related(l));
      assert.equal(plan.refusal, undefined);
      const confirm = plan.confirm?.({});
      assert.ok(confirm, 'a destructive action asks for confirmation');
      const text = `${confirm.message} ${confirm.detail}`;
      for (const must of [vm.id, 'web-prod-1', oldRoot, snap.id]) {
        assert.ok(text.includes(must), `confirmation does not name ${must}: ${text}`);
      }
      assert.match(text, /restart/);
      assert.match(text, /detached \(not deleted\)/);
      const result = await adapter.execute('restoreInPlace', snap, {}, related(l));
      const op = result.operations[0];
      assert.equal(op.kind, 'replaceRoot');
      assert.equal(op.revealId, vm.id);
      const seen = await track(adapter, op, env.pollMs);
      assert.equal(seen[seen.length - 1].message, 'succeeded');
      assert.ok(!seen[seen.length - 1].failed);

      const after = await list(adapter, env.region);
      const vm2 = byId(after.inv.vms as Vm[], vm.id) as Vm;
      assert.notEqual(vm2.bootDiskId, oldRoot);
      const newRoot = byId(after.inv.disks as Disk[], vm2.bootDiskId as string) as Disk;
      assert.equal(newRoot.sourceSnapshotId, snap.id);
      const kept = byId(after.inv.disks as Disk[], oldRoot);
      assert.ok(kept, 'the old root volume still exists');
      assert.deepEqual(kept.attachments, []);
      // The old root's snapshots are still in the instance's root lineage (through the new root).
      const older = byName(after.inv.snapshots as Snapshot[], 'web-prod-1-root-3');
      assert.ok(adapter.actionsFor(older).includes('restoreInPlace'));
      const again = await adapter.plan('restoreInPlace', older, related(after));
      assert.equal(again.refusal, undefined);
    });

    seeded('creates an image from a VM (confirming the reboot) and polls it to available', async () => {
      const l = await list(adapter, env.region);
      const vm = byName(l.inv.vms as Vm[], 'web-prod-1');
      const plan = await adapter.plan('createImageFromVm', vm, related(l));
      const name = plan.fields.find((f) => f.id === 'name');
      assert.ok(name && name.kind === 'text' && name.pattern);
      assert.match(name.default ?? '', new RegExp(`^(?:${name.pattern.source})$`));
      assert.doesNotMatch('ab', new RegExp(`^(?:${name.pattern.source})$`));
      const reboot = plan.confirm?.({ name: 'x', noReboot: false });
      assert.ok(reboot);
      assert.match(`${reboot.message} ${reboot.detail}`, /WILL reboot/);
      assert.ok(`${reboot.message}`.includes(vm.id));
      assert.equal(plan.confirm?.({ name: 'x', noReboot: true }), undefined);
      const result = await adapter.execute('createImageFromVm', vm, { name: 'contract-vm-image', description: 'd', noReboot: true }, related(l));
      const op = result.operations[0];
      assert.equal(op.kind, 'image');
      const seen = await track(adapter, op, env.pollMs);
      assert.ok(!seen[seen.length - 1].failed, seen[seen.length - 1].message);
      const after = await list(adapter, env.region);
      const img = byId(after.inv.images as Image[], op.resourceId);
      assert.ok(img);
      assert.equal(img.snapshotIds.length, vm.diskIds.length);
    });

    seeded('registers an image from a root snapshot', async () => {
      const l = await list(adapter, env.otherRegion);
      const snap = byName(l.inv.snapshots as Snapshot[], 'build-runner-root-1');
      assert.ok(adapter.actionsFor(snap).includes('createImageFromSnapshot'));
      const plan = await adapter.plan('createImageFromSnapshot', snap, related(l));
      const arch = plan.fields.find((f) => f.id === 'architecture');
      assert.ok(arch && arch.kind === 'pick');
      assert.deepEqual(arch.options.map((o) => o.value), ['x86_64', 'arm64']);
      const dev = plan.fields.find((f) => f.id === 'rootDevice');
      assert.equal(dev?.kind === 'text' ? dev.default : undefined, '/dev/xvda');
      const result = await adapter.execute('createImageFromSnapshot', snap, { name: 'contract-registered', architecture: 'arm64', rootDevice: '/dev/xvda' }, related(l));
      const op = result.operations[0];
      const seen = await track(adapter, op, env.pollMs);
      assert.ok(!seen[seen.length - 1].failed, seen[seen.length - 1].message);
      const after = await list(adapter, env.otherRegion);
      const img = byId(after.inv.images as Image[], op.resourceId) as Image;
      assert.deepEqual(img.snapshotIds, [snap.id]);
      assert.equal(img.architecture, 'arm64');
      assert.equal(img.rootDevice, '/dev/xvda');
    });

    it('copies a snapshot to another region, completed there', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const snap = (l.inv.snapshots as Snapshot[]).find((s) => s.diskId === disk.id && s.state === 'completed');
      assert.ok(snap);
      const scopes = await adapter.listScopes();
      const plan = await adapter.plan('copySnapshot', snap, related(l, scopes));
      const dest = plan.fields.find((f) => f.id === 'destination');
      assert.ok(dest && dest.kind === 'pick');
      assert.ok(dest.options.some((o) => o.value === env.otherRegion));
      assert.notEqual(dest.default, snap.scopeId);
      const result = await adapter.execute('copySnapshot', snap, { destination: env.otherRegion, description: 'contract copy', encrypted: false, kmsKeyId: '' }, related(l, scopes));
      const op = result.operations[0];
      assert.equal(op.scopeId, env.otherRegion);
      assert.deepEqual([...op.refreshScopeIds].sort(), [disk.scopeId, env.otherRegion].sort());
      env.created.push({ region: env.otherRegion, id: op.resourceId });
      const seen = await track(adapter, op, env.pollMs, 1_800_000);
      assert.ok(!seen[seen.length - 1].failed, seen[seen.length - 1].message);
      const there = await list(adapter, env.otherRegion);
      const copy = byId(there.inv.snapshots as Snapshot[], op.resourceId);
      assert.ok(copy, 'the copy is listed in the destination region');
      assert.equal(copy.state, 'completed');
      assert.equal(copy.copiedFromId, snap.id);
    });

    seeded('copy of an encrypted snapshot is forced encrypted and explained', async () => {
      const l = await list(adapter, env.otherRegion);
      const snap = (l.inv.snapshots as Snapshot[]).find((s) => s.encrypted && s.state === 'completed');
      assert.ok(snap);
      const plan = await adapter.plan('copySnapshot', snap, related(l, await adapter.listScopes()));
      const enc = plan.fields.find((f) => f.id === 'encrypted');
      assert.ok(enc && enc.kind === 'boolean');
      assert.equal(enc.default, true);
      assert.match(enc.title, /source .*encrypted/);
    });

    it('edits tags: add, change, remove', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const target = byId(l.inv.disks as Disk[], disk.id) as Disk;
      const own = target.tags.filter((t) => !t.key.startsWith('aws:'));
      await run(adapter, 'editTags', target, { tags: [...own, { key: 'Temp', value: 'one' }, { key: 'Keep', value: 'k' }] }, related(l));
      let now = byId((await list(adapter, disk.scopeId)).inv.disks as Disk[], disk.id) as Disk;
      assert.equal(tagValue(now.tags, 'Temp'), 'one');
      const plan = await adapter.plan('editTags', now, related(l));
      const field = plan.fields[0];
      assert.ok(field.kind === 'tags');
      assert.deepEqual(field.default?.find((t) => t.key === 'Temp'), { key: 'Temp', value: 'one' });
      const next = now.tags.filter((t) => t.key !== 'Temp' && !t.key.startsWith('aws:')).map((t) => (t.key === 'Keep' ? { key: 'Keep', value: 'changed' } : t));
      const result = await adapter.execute('editTags', now, { tags: next }, related(l));
      assert.match(result.message ?? '', /1 set, 1 removed/);
      now = byId((await list(adapter, disk.scopeId)).inv.disks as Disk[], disk.id) as Disk;
      assert.equal(tagValue(now.tags, 'Temp'), undefined);
      assert.equal(tagValue(now.tags, 'Keep'), 'changed');
      assert.equal(now.name, disk.name, 'other tags untouched');
    });

    it('deletes a snapshot after confirming what is lost', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const made = await run(adapter, 'createSnapshot', disk, { description: 'to delete', tags: [] }, related(l));
      const op = made.operations[0];
      await track(adapter, op, env.pollMs, 600_000);
      const after = await list(adapter, disk.scopeId);
      const snap = byId(after.inv.snapshots as Snapshot[], op.resourceId) as Snapshot;
      const plan = await adapter.plan('deleteSnapshot', snap, related(after));
      assert.equal(plan.refusal, undefined);
      const c = plan.confirm?.({});
      assert.ok(c);
      const text = `${c.message} ${c.detail}`;
      for (const must of [snap.id, disk.id, `${snap.sizeGiB} GiB`, 'cannot be undone']) {
        assert.ok(text.includes(must), `confirmation lacks ${must}: ${text}`);
      }
      const res = await adapter.execute('deleteSnapshot', snap, {}, related(after));
      assert.deepEqual(res.operations, []);
      assert.ok(res.refreshScopeIds.includes(disk.scopeId));
      const gone = await list(adapter, disk.scopeId);
      assert.equal(byId(gone.inv.snapshots as Snapshot[], snap.id), undefined);
      // Long after the create (past aws.visibilityGraceMs, EC2's eventual consistency), a missing snapshot is gone.
      const poll = await adapter.pollOperation({ ...op, id: 'x', accountId: adapter.account.id, startedAt: Date.now() - 10 * 60_000 });
      assert.deepEqual({ done: poll.done, failed: poll.failed }, { done: true, failed: true });
      assert.match(poll.message ?? '', /no longer exists/);
    });

    seeded('refuses to delete a snapshot an AMI uses, naming the AMI, without calling DeleteSnapshot', async () => {
      const l = await list(adapter, env.region);
      const snap = byName(l.inv.snapshots as Snapshot[], 'web-prod-1-root-1');
      const ami = (l.inv.images as Image[]).find((i) => i.snapshotIds.includes(snap.id)) as Image;
      const from = env.calls.length;
      const plan = await adapter.plan('deleteSnapshot', snap, related(l));
      assert.ok(plan.refusal);
      assert.ok(plan.refusal.includes(ami.id), plan.refusal);
      assert.match(plan.refusal, /Deregister/);
      // Even if the UI ignored the refusal, execute checks again and never sends DeleteSnapshot.
      await rejects(adapter.execute('deleteSnapshot', snap, {}, related(l)), 'inUse');
      const calls = env.calls.slice(from);
      assert.ok(calls.some((c) => / DescribeImages /.test(c)));
      assert.ok(!calls.some((c) => /DeleteSnapshot/.test(c)), calls.join('\n'));
      const still = await env.raw(env.region).send(new DescribeSnapshotsCommand({ SnapshotIds: [snap.id] }));
      assert.equal(still.Snapshots?.length, 1);
    });

    seeded('deregisters an image, optionally deleting its snapshots', async () => {
      const l = await list(adapter, env.region);
      const vm = byName(l.inv.vms as Vm[], 'batch-worker');
      const made = await adapter.execute('createImageFromVm', vm, { name: 'contract-to-delete', noReboot: true }, related(l));
      await track(adapter, made.operations[0], env.pollMs);
      const after = await list(adapter, env.region);
      const img = byId(after.inv.images as Image[], made.operations[0].resourceId) as Image;
      const plan = await adapter.plan('deleteImage', img, related(after));
      const f = plan.fields.find((x) => x.id === 'deleteSnapshots');
      assert.ok(f && f.kind === 'boolean');
      assert.equal(f.yes, `Also delete its ${img.snapshotIds.length} snapshots`);
      const c = plan.confirm?.({ deleteSnapshots: true });
      assert.ok(c && c.detail.includes(img.snapshotIds[0]) && c.message.includes(img.id));
      await adapter.execute('deleteImage', img, { deleteSnapshots: true }, related(after));
      const gone = await list(adapter, env.region);
      assert.equal(byId(gone.inv.images as Image[], img.id), undefined);
      for (const s of img.snapshotIds) {
        assert.equal(byId(gone.inv.snapshots as Snapshot[], s), undefined);
      }
    });

    // ---- bad input and faults ------------------------------------------------------------------

    it('an unknown snapshot id → notFound for a restore; a delete finds it gone, which is what was asked', async () => {
      const disk = await env.disk();
      const fake: Snapshot = {
        kind: 'snapshot',
        id: 'snap-0123456789abcdef0',
        scopeId: disk.scopeId,
        state: 'completed',
        phase: 'ready',
        tags: [],
        sizeGiB: 1,
        encrypted: false,
      };
      const none = { inventory: { vms: [], disks: [], snapshots: [], images: [] }, scopes: [] };
      await rejects(adapter.execute('restoreToNewDisk', fake, { zone: disk.zone as string, volumeType: 'gp3', sizeGiB: 1 }, none), 'notFound');
      const from = env.calls.length;
      const res = await adapter.execute('deleteSnapshot', fake, {}, none);
      assert.deepEqual(res.operations, []);
      assert.match(res.message ?? '', /^Deleted snapshot snap-0123456789abcdef0/);
      assert.ok(env.calls.slice(from).some((c) => /DeleteSnapshot .*InvalidSnapshot\.NotFound/.test(c)), 'AWS answered NotFound');
    });

    faults('a reset after DeleteSnapshot was performed: the retry finds it gone → reported deleted', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const made = await run(adapter, 'createSnapshot', disk, { description: 'reset delete', tags: [] }, related(l));
      await track(adapter, made.operations[0], env.pollMs);
      const snap = byId((await list(adapter, disk.scopeId)).inv.snapshots as Snapshot[], made.operations[0].resourceId) as Snapshot;
      env.sandbox?.setFaults({ next: { dropAfterCommit: 1, actions: ['DeleteSnapshot'] } });
      try {
        const res = await adapter.execute('deleteSnapshot', snap, {}, related(l));
        assert.match(res.message ?? '', /^Deleted snapshot/);
      } finally {
        env.sandbox?.setFaults({});
      }
      const still = await allSnapshotIds(env.raw(disk.scopeId));
      assert.ok(!still.includes(snap.id), 'the sandbox has no such snapshot');
    });

    faults('EC2 eventual consistency: a new snapshot Describe does not show yet is waited for, not "no longer exists"; a lost create answer is adopted, not repeated', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const lagged = env.adapter({ settings: { 'aws.retryBaseMs': 20, 'aws.consistencyWindowMs': 3_000 } });
      const plain = `lagged-${Date.now()}`;
      const dropped = `lagged-dropped-${Date.now()}`;
      const from = env.calls.length;
      env.sandbox?.setFaults({ visibilityLagMs: 800 });
      try {
        const made = await run(lagged, 'createSnapshot', disk, { description: plain, tags: [] }, related(l));
        const seen = await track(lagged, made.operations[0], env.pollMs);
        assert.ok(seen[0].done === false && /not visible yet/.test(seen[0].message ?? ''), JSON.stringify(seen[0]));
        assert.equal(seen.at(-1)?.failed, undefined, seen.at(-1)?.message);
        assert.equal(seen.at(-1)?.message, 'completed');

        env.sandbox?.setFaults({ visibilityLagMs: 800, next: { dropAfterCommit: 1, actions: ['CreateSnapshot'] } });
        const again = await run(lagged, 'createSnapshot', disk, { description: dropped, tags: [] }, related(l));
        assert.equal((await track(lagged, again.operations[0], env.pollMs)).at(-1)?.message, 'completed');
        assert.ok(env.calls.slice(from).some((c) => /adopted the result of an earlier attempt/.test(c)), 'adopted');
      } finally {
        env.sandbox?.setFaults({});
        lagged.dispose();
      }
      for (const description of [plain, dropped]) {
        const raw = await env.raw(disk.scopeId).send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'description', Values: [description] }] }));
        assert.equal(raw.Snapshots?.length, 1, `exactly one snapshot "${description}"`);
      }
    });

    faults('malformed XML → malformed on listInventory', async () => {
      env.sandbox?.setFaults({ next: { malformed: 1, actions: ['DescribeVolumes'] } });
      try {
        const e = await rejects(list(adapter, env.region), 'malformed');
        assert.equal(e.message, 'AWS returned a response that could not be read');
      } finally {
        env.sandbox?.setFaults({});
      }
    });

    faults('persistent throttling → throttled after the retries', async () => {
      env.sandbox?.setFaults({ throttleRate: 1 });
      const from = env.calls.length;
      try {
        const e = await rejects(adapter.listScopes(), 'throttled');
        assert.equal(e.message, 'AWS is throttling requests (RequestLimitExceeded); tried 3 times');
        assert.equal(e.code, 'RequestLimitExceeded');
        assert.ok(env.calls.slice(from).some((c) => /DescribeRegions 503 RequestLimitExceeded .*\(3 attempts\)/.test(c)));
      } finally {
        env.sandbox?.setFaults({});
      }
    });

    faults('a connection dropped after CreateSnapshot committed → one snapshot, adopted, no duplicate', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const from = env.calls.length;
      env.sandbox?.setFaults({ next: { dropAfterCommit: 1, actions: ['CreateSnapshot'] } });
      let result: ActionResult;
      try {
        result = await run(adapter, 'createSnapshot', disk, { description: 'dropped', tags: [] }, related(l));
      } finally {
        env.sandbox?.setFaults({});
      }
      const id = result.operations[0].resourceId;
      const raw = env.raw(disk.scopeId);
      const described = await raw.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
      const token = tagValue((described.Snapshots?.[0]?.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })), CLIENT_TOKEN_TAG);
      assert.ok(token);
      assert.deepEqual(await snapshotsWithTag(raw, CLIENT_TOKEN_TAG, token), [id], 'exactly one snapshot carries the token');
      const calls = env.calls.slice(from);
      assert.equal(calls.filter((c) => /^EC2 \S+ CreateSnapshot /.test(c)).length, 1, calls.join('\n'));
      assert.ok(calls.some((c) => /adopted/.test(c)), calls.join('\n'));
    });

    faults('a dropped CreateSnapshot that did not commit is retried once, making one snapshot', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const before = (await allSnapshotIds(env.raw(disk.scopeId))).length;
      const from = env.calls.length;
      env.sandbox?.setFaults({ next: { drop: 1, actions: ['CreateSnapshot'] } });
      try {
        await run(adapter, 'createSnapshot', disk, { description: 'retried', tags: [] }, related(l));
      } finally {
        env.sandbox?.setFaults({});
      }
      assert.equal((await allSnapshotIds(env.raw(disk.scopeId))).length, before + 1);
      assert.equal(env.calls.slice(from).filter((c) => /^EC2 \S+ CreateSnapshot /.test(c)).length, 2);
    });

    faults('expired credentials → expired (a sandbox account names the sandbox, not a profile)', async () => {
      env.sandbox?.setFaults({ expired: true });
      try {
        const e = await rejects(adapter.listScopes(), 'expired');
        // Profile accounts name their profile: see the "through a profile" suite below.
        assert.match(e.message, /sandbox .*expired/i);
        assert.ok(!e.message.includes(env.profile), e.message);
      } finally {
        env.sandbox?.setFaults({});
      }
    });

    faults('a wrong secret key → auth', async () => {
      const info = env.sandbox?.info.aws as { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
      const wrong = env.adapter({ sandbox: { ...info, secretAccessKey: `${info.secretAccessKey}-wrong` } });
      try {
        const e = await rejects(wrong.listScopes(), 'auth');
        assert.ok(!e.message.includes(info.secretAccessKey), 'the secret never appears in a message');
      } finally {
        wrong.dispose();
      }
    });

    faults('simulateWrites posts to the sandbox control API', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const plan = await adapter.plan('simulateWrites', disk, related(l));
      const mib = plan.fields[0];
      assert.ok(mib.kind === 'number' && mib.min === 1 && mib.max === 1024);
      const res = await adapter.execute('simulateWrites', disk, { mib: 8 }, related(l));
      assert.match(res.message ?? '', /8 MiB/);
      await rejects(adapter.execute('simulateWrites', disk, { mib: 0 }, related(l)), 'invalid');
    });

    faults('pages over 1,000+ snapshots, returning every id exactly once', async () => {
      const sandbox = env.sandbox as Sandbox;
      const disk = await env.disk();
      const info = sandbox.info.aws as { endpoint: string; accessKeyId: string };
      const res = await fetch(`${info.endpoint}/_sandbox/aws/bulk-snapshots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-snapkeeper-sandbox-key': info.accessKeyId },
        body: JSON.stringify({ region: disk.scopeId, volumeId: disk.id, count: 1100 }),
      });
      assert.ok(res.ok, `bulk-snapshots answered ${res.status}`);
      const expected = await allSnapshotIds(env.raw(disk.scopeId));
      assert.ok(expected.length >= 1100);
      const { inv, calls } = await list(adapter, disk.scopeId);
      const ids = inv.snapshots.map((s) => s.id);
      assert.equal(ids.length, expected.length);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual([...ids].sort(), [...expected].sort());
      assert.ok(calls.filter((c) => c.kind === 'snapshot').length >= 3, 'paged at 500 per page');
    });

    it('honours an AbortSignal', async () => {
      const ctrl = new AbortController();
      ctrl.abort();
      await assert.rejects(list(adapter, env.region, ctrl.signal), (e: unknown) => e instanceof Error && e.name === 'AbortError');
    });

    faults('an abort during a slow listing stops it at once', async () => {
      env.sandbox?.setFaults({ latencyMs: 2_000 });
      const ctrl = new AbortController();
      const started = Date.now();
      try {
        setTimeout(() => ctrl.abort(), 50);
        await assert.rejects(list(adapter, env.region, ctrl.signal), (e: unknown) => e instanceof Error && e.name === 'AbortError');
        assert.ok(Date.now() - started < 1_500, 'the requests in flight were aborted');
      } finally {
        env.sandbox?.setFaults({});
      }
    });

    // Last on purpose: a response the SDK cannot parse would break every later listing of the region.
    it('a hostile Name tag round-trips as exact text', async () => {
      const disk = await env.disk();
      const l = await list(adapter, disk.scopeId);
      const result = await run(adapter, 'createSnapshot', disk, { description: HOSTILE.slice(0, 200), tags: [{ key: 'Name', value: HOSTILE }] }, related(l));
      const id = result.operations[0].resourceId;
      env.created.push({ region: disk.scopeId, id });
      const snap = byId((await list(adapter, disk.scopeId)).inv.snapshots as Snapshot[], id);
      assert.ok(snap);
      assert.equal(snap.name, HOSTILE);
      assert.equal(snap.description, HOSTILE.slice(0, 200));
      assert.equal(snap.tags.find((t) => t.key === 'Injected'), undefined);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Setups
// ---------------------------------------------------------------------------------------------


function makeEnvBase(account: AccountConfig, ctxSandbox: unknown, calls: string[]): ContractEnv['adapter'] {
  return (opts: AdapterOptions = {}) => {
    const settings: Record<string, unknown> = { 'aws.retryBaseMs': 20, ...opts.settings };
    const ctx: AdapterContext = {
      log: (m) => calls.push(m),
      setting: <T>(key: string, fallback: T): T => (key in settings ? (settings[key] as T) : fallback),
      maxConcurrency: 4,
      sandbox: opts.sandbox ?? ctxSandbox,
    };
    return createAdapter({ ...account, ...opts.account }, ctx);
  };
}

awsContract('aws adapter contract (sandbox)', async () => {
  const sandbox = await startSandbox({
    port: 0,
    clouds: { aws: { timing: { snapshotBaseMs: 150, snapshotMsPerGiB: 2, volumeMs: 60, imageMs: 150, taskMs: 150 } } },
  });
  const info = sandbox.info.aws as { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  const calls: string[] = [];
  const account: AccountConfig = { id: 'acct-sandbox', cloud: 'aws', label: 'Sandbox', sandbox: true, settings: { profile: 'sandbox-profile' } };
  const raws = new Map<string, EC2Client>();
  const region = 'us-east-1';
  const adapterOf = makeEnvBase(account, info, calls);
  let disk: Disk | undefined;
  const env: ContractEnv = {
    adapter: adapterOf,
    calls,
    profile: 'sandbox-profile',
    region,
    otherRegion: 'us-west-2',
    raw: (r) => {
      let c = raws.get(r);
      if (!c) {
        c = new EC2Client({ region: r, endpoint: info.endpoint, credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey } });
        raws.set(r, c);
      }
      return c;
    },
    disk: async () => {
      if (!disk) {
        const a = adapterOf();
        try {
          const { inv } = await list(a, region);
          disk = byName(inv.disks as Disk[], 'web-data-restore-test');
        } finally {
          a.dispose();
        }
      }
      return disk;
    },
    created: [],
    sandbox,
    seeded: true,
    pollMs: 20,
    teardown: async () => {
      for (const c of raws.values()) {
        c.destroy();
      }
      await sandbox.close();
    },
  };
  return env;
});

/**
 * The non-sandbox path: an account with a profile, credentials from the SDK's own chain
 * (fromNodeProviderChain), pointed at the sandbox by the profile's `endpoint_url`.
 */
describe('aws adapter through a profile (SDK credential chain) against the sandbox', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'HOME', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_EC2'];
  const calls: string[] = [];

  const adapterFor = (profile: string): CloudAdapter =>
    createAdapter(
      { id: `acct-${profile}`, cloud: 'aws', label: `profile ${profile}`, settings: { profile } },
      { log: (m) => calls.push(m), setting: <T>(_k: string, f: T): T => f, maxConcurrency: 2 },
    );

  before(async () => {
    sandbox = await startSandbox({ port: 0 });
    const info = sandbox.info.aws;
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-aws-chain-'));
    mkdirSync(join(dir, '.aws', 'sso', 'cache'), { recursive: true });
    writeFileSync(
      join(dir, '.aws', 'config'),
      [
        '[profile sbx]',
        `region = ${info.region}`,
        `endpoint_url = ${info.endpoint}`,
        '',
        '[profile sbx-wrong]',
        `region = ${info.region}`,
        'services = local',
        '',
        '[services local]',
        'ec2 =',
        `  endpoint_url = ${info.endpoint}`,
        '',
        '[profile corp-sso]',
        'sso_session = corp',
        'sso_account_id = 111122223333',
        'sso_role_name = Developer',
        `region = ${info.region}`,
        `endpoint_url = ${info.endpoint}`,
        '',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = us-east-1',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, '.aws', 'credentials'),
      `[sbx]\naws_access_key_id = ${info.accessKeyId}\naws_secret_access_key = ${info.secretAccessKey}\n\n` +
        `[sbx-wrong]\naws_access_key_id = ${info.accessKeyId}\naws_secret_access_key = not-the-secret\n`,
    );
    // An SSO token cache entry that expired an hour ago, as `aws sso login` leaves it.
    const cacheName = createHash('sha1').update('corp').digest('hex');
    writeFileSync(
      join(dir, '.aws', 'sso', 'cache', `${cacheName}.json`),
      JSON.stringify({ accessToken: 'expired-token', expiresAt: new Date(Date.now() - 3_600_000).toISOString(), region: 'us-east-1', startUrl: 'https://corp.awsapps.com/start' }),
    );
    for (const k of ENV) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    process.env.HOME = dir;
    process.env.AWS_CONFIG_FILE = join(dir, '.aws', 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, '.aws', 'credentials');
  });

  after(async () => {
    for (const k of ENV) {
      if (saved[k] === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = saved[k];
      }
    }
    await sandbox?.close();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists regions and inventory with keys from the credentials file and the profile endpoint', async () => {
    const a = adapterFor('sbx');
    try {
      const scopes = await a.listScopes();
      assert.ok(scopes.some((s) => s.id === sandbox.info.aws.region));
      const { inv } = await list(a, sandbox.info.aws.region);
      assert.ok(inv.vms.length > 0);
      assert.ok(calls.some((c) => /endpoint .* from its config/.test(c)));
    } finally {
      a.dispose();
    }
  });

  it('wrong keys in the profile → auth, naming the profile, no secret in the message', async () => {
    const a = adapterFor('sbx-wrong');
    try {
      const e = await rejects(a.listScopes(), 'auth');
      assert.match(e.message, /"sbx-wrong"/);
      assert.ok(!e.message.includes('not-the-secret'));
    } finally {
      a.dispose();
    }
  });

  it('an expired SSO session → expired, telling to run aws sso login --profile', async () => {
    const a = adapterFor('corp-sso');
    try {
      const e = await rejects(a.listScopes(), 'expired');
      assert.match(e.message, /aws sso login --profile corp-sso/);
      // The tree's "Sign In" action runs exactly this in a terminal.
      assert.equal(e.signInCommand, 'aws sso login --profile corp-sso');
    } finally {
      a.dispose();
    }
  });
});

const LIVE_PROFILE = process.env.SNAPKEEPER_LIVE_AWS_PROFILE;
if (!LIVE_PROFILE) {
  describe('aws adapter contract (live AWS)', () => {
    it.skip('live AWS suite skipped: set SNAPKEEPER_LIVE_AWS_PROFILE (and optionally SNAPKEEPER_LIVE_AWS_REGION, SNAPKEEPER_LIVE_AWS_OTHER_REGION)', () => undefined);
  });
} else {
  awsContract(`aws adapter contract (live AWS, profile ${LIVE_PROFILE})`, async () => {
    const profile = LIVE_PROFILE;
    const region = process.env.SNAPKEEPER_LIVE_AWS_REGION ?? 'us-east-1';
    const otherRegion = process.env.SNAPKEEPER_LIVE_AWS_OTHER_REGION ?? (region === 'us-west-2' ? 'us-east-1' : 'us-west-2');
    const calls: string[] = [];
    const account: AccountConfig = { id: 'acct-live', cloud: 'aws', label: `live ${profile}`, settings: { profile } };
    const credentials = fromNodeProviderChain({ profile });
    const raws = new Map<string, EC2Client>();
    const raw = (r: string): EC2Client => {
      let c = raws.get(r);
      if (!c) {
        c = new EC2Client({ region: r, credentials });
        raws.set(r, c);
      }
      return c;
    };
    const created: { region: string; id: string }[] = [];
    const adapterOf = makeEnvBase(account, undefined, calls);
    const stamp = Date.now().toString(36);
    let disk: Disk | undefined;

    /** A 1 GiB gp3 volume with one completed snapshot, made for the suite. */
    async function makeDisk(): Promise<Disk> {
      const zones = await raw(region).send(new DescribeAvailabilityZonesCommand({}));
      const zone = zones.AvailabilityZones?.find((z) => z.State === 'available')?.ZoneName as string;
      const vol = await raw(region).send(
        new CreateVolumeCommand({
          AvailabilityZone: zone,
          Size: 1,
          VolumeType: 'gp3',
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: `snapkeeper-contract-${stamp}` }, { Key: 'snapkeeper:contract', Value: stamp }] }],
        }),
      );
      const volumeId = vol.VolumeId as string;
      created.push({ region, id: volumeId });
      for (let i = 0; i < 60; i++) {
        const d = await raw(region).send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
        if (d.Volumes?.[0]?.State === 'available') {
          break;
        }
        await sleep(2000);
      }
      const a = adapterOf();
      try {
        let { inv } = await list(a, region);
        const d = byId(inv.disks as Disk[], volumeId) as Disk;
        const res = await a.execute('createSnapshot', d, { description: 'contract base', tags: [] }, { inventory: inv, scopes: [] });
        created.push({ region, id: res.operations[0].resourceId });
        await track(a, res.operations[0], 5000, 900_000);
        ({ inv } = await list(a, region));
        return byId(inv.disks as Disk[], volumeId) as Disk;
      } finally {
        a.dispose();
      }
    }

    return {
      adapter: adapterOf,
      calls,
      profile,
      region,
      otherRegion,
      raw,
      disk: async () => (disk ??= await makeDisk()),
      created,
      seeded: false,
      pollMs: 5000,
      teardown: async () => {
        // Newest first: copies and snapshots before the volume they came from.
        for (const r of [...created].reverse()) {
          try {
            if (r.id.startsWith('snap-')) {
              await raw(r.region).send(new DeleteSnapshotCommand({ SnapshotId: r.id }));
            } else if (r.id.startsWith('vol-')) {
              await raw(r.region).send(new DeleteVolumeCommand({ VolumeId: r.id }));
            } else if (r.id.startsWith('ami-')) {
              await raw(r.region).send(new DeregisterImageCommand({ ImageId: r.id }));
            }
          } catch (e) {
            console.warn(`live cleanup: could not delete ${r.id} in ${r.region}: ${String(e)}`);
          }
        }
        for (const c of raws.values()) {
          c.destroy();
        }
      },
    };
  }, 2_400_000);
}
