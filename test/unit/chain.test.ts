/**
 * The snapshot chain maths (src/model/chain.ts) against the sandbox's exact block accounting:
 * AWS through the real adapter and the EBS direct APIs (real SDK, ListSnapshotBlocks and
 * ListChangedBlocks against the sandbox), Azure through its adapter (which reports no stored
 * bytes, and says so) and the stored-bytes-only path checked against Azure's block model.
 * Plus the chain building itself (branches, copies, Azure families) on plain model objects.
 */
import * as assert from 'node:assert/strict';
import { createAdapter as createAws } from '../../src/adapters/aws';
import { createAdapter as createAzure } from '../../src/adapters/azure';
import { chainView } from '../../src/core/chainView';
import type { AdapterContext, CloudAdapter } from '../../src/model/adapter';
import { buildChain, chainFigures, type ChainFacts } from '../../src/model/chain';
import type { AccountConfig, Disk, Image, Resource, Scope, Snapshot } from '../../src/model/types';
import { BLOCK_SIZE, startSandbox, type Sandbox } from '../../src/sandbox';
import { AZURE_SEEDED } from '../../src/sandbox/azure/backend';
import { isChainView } from '../../src/webview/protocol';

const MiB = 1024 * 1024;
const REGION = 'us-east-1';

function ctx(sandbox: unknown, log: string[] = []): AdapterContext {
  return { log: (l) => log.push(l), setting: <T>(_k: string, f: T) => f, sandbox, maxConcurrency: 16 };
}

async function listAll(adapter: CloudAdapter, scopes: Scope[]): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const scope of scopes) {
    await adapter.listInventory(scope, { add: (_k, items) => void out.push(...items) }, new AbortController().signal);
  }
  return out;
}

function byName(resources: Resource[], name: string): Resource {
  const r = resources.find((x) => x.name === name);
  assert.ok(r, `${name} is listed`);
  return r;
}

describe('snapshot chain maths', function () {
  this.timeout(30_000);

  describe('AWS: EBS direct APIs through the adapter, against the sandbox block model', () => {
    let sandbox: Sandbox;
    let clock = Date.UTC(2026, 10, 1);
    let adapter: CloudAdapter;
    const log: string[] = [];
    const account: AccountConfig = { id: 'acct-aws', cloud: 'aws', label: 'AWS sandbox', sandbox: true, settings: {} };
    const scope: Scope = { id: REGION, label: REGION, leaf: true };

    before(async () => {
      sandbox = await startSandbox({ now: () => clock });
    });
    beforeEach(() => {
      sandbox.clouds.aws.reset();
      adapter = createAws(account, ctx(sandbox.info.aws, log));
    });
    afterEach(() => adapter.dispose());
    after(() => sandbox.close());

    async function figuresOf(diskOrSnapshotId: string) {
      const resources = await listAll(adapter, [scope]);
      const chain = buildChain(resources, diskOrSnapshotId);
      assert.ok(chain, `a chain for ${diskOrSnapshotId}`);
      assert.ok(adapter.chainFacts, 'the AWS adapter reports chain facts');
      const facts = await adapter.chainFacts(chain.links, new AbortController().signal);
      return { resources, chain, facts, fig: chainFigures(chain, facts) };
    }

    function assertMatchesSandbox(chain: NonNullable<ReturnType<typeof buildChain>>, fig: ReturnType<typeof chainFigures>): void {
      for (const s of chain.snapshots) {
        const stored = fig.stored.get(s.id);
        assert.ok(stored, `${s.name} has a stored figure (${fig.missing.get(s.id)})`);
        assert.equal(stored.bytes, sandbox.clouds.aws.storedBytes(REGION, s.id), `stored bytes of ${s.name}`);
        assert.equal(stored.exact, true);
        const want = sandbox.clouds.aws.deleteImpact(REGION, s.id);
        const got = fig.impact.get(s.id);
        assert.ok(got, `impact of ${s.name}`);
        assert.equal(got.kind, 'exact', `${s.name}: ${got.note}`);
        assert.equal(got.freedBytes, want.freedBytes, `freed by deleting ${s.name}`);
        const moved = (xs: { snapshotId: string; bytes: number }[]) => [...xs].sort((a, b) => a.snapshotId.localeCompare(b.snapshotId)).map((m) => `${m.snapshotId}=${m.bytes}`);
        assert.deepEqual(moved(got.moved), moved(want.moved), `moved by deleting ${s.name}`);
      }
    }

    it('a long chain reports partial figures as they arrive, newest snapshots first; the rest say they are being fetched', async () => {
      const vol = sandbox.clouds.aws.state.createVolume(REGION, { availabilityZone: `${REGION}a`, size: 8, volumeType: 'gp3' });
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        sandbox.clouds.aws.writeMiB(REGION, vol.id, 1);
        clock += 60_000;
        ids.push(...sandbox.clouds.aws.bulkSnapshots(REGION, vol.id, 1));
      }
      const resources = await listAll(adapter, [scope]);
      const chain = buildChain(resources, vol.id);
      assert.ok(chain && adapter.chainFacts);
      sandbox.setFaults({ latencyMs: 60 });
      const partials: string[][] = [];
      let partialFigures: ReturnType<typeof chainFigures> | undefined;
      const facts = await adapter.chainFacts(chain.links, new AbortController().signal, (partial) => {
        partials.push(Object.keys(partial.snapshots));
        partialFigures ??= chainFigures(chain, partial, 'figures are being fetched', true);
      });
      sandbox.setFaults({});
      assert.ok(partials.length >= 1, 'no partial figures during a 60-snapshot fetch');
      const first = partials[0];
      assert.ok(first.length > 0 && first.length < 60, `the first report has ${first.length} of 60`);
      assert.ok(first.includes(ids[59]), 'the newest snapshot is among the first figures');
      assert.ok(!first.includes(ids[0]), 'the oldest snapshot came before the newest');
      const pending = ids.find((id) => !first.includes(id)) as string;
      assert.equal(partialFigures?.missing.get(pending), 'figures are being fetched');
      assert.equal(Object.keys(facts.snapshots).length, 60, 'the final answer has every snapshot');
    });

    it('write 50 MiB, snapshot, write 30 MiB, snapshot: 50 and 30 MiB, and the delete previews match', async () => {
      const vol = sandbox.clouds.aws.state.createVolume(REGION, { availabilityZone: `${REGION}a`, size: 8, volumeType: 'gp3' });
      sandbox.clouds.aws.writeMiB(REGION, vol.id, 50);
      clock += 60_000;
      const [a] = sandbox.clouds.aws.bulkSnapshots(REGION, vol.id, 1);
      sandbox.clouds.aws.writeMiB(REGION, vol.id, 30);
      clock += 60_000;
      const [b] = sandbox.clouds.aws.bulkSnapshots(REGION, vol.id, 1);
      const { chain, fig } = await figuresOf(vol.id);
      assert.deepEqual(chain.snapshots.map((s) => s.id), [a, b]);
      assert.equal(fig.stored.get(a)?.bytes, 50 * MiB);
      assert.equal(fig.stored.get(b)?.bytes, 30 * MiB);
      assert.equal(fig.totals.storedBytes, 80 * MiB);
      assert.equal(fig.totals.fullCopyBytes, 2 * 8 * 1024 * MiB);
      // The newest frees all it stores; the first frees what the second overwrote and hands the rest on.
      assert.equal(fig.impact.get(b)?.freedBytes, 30 * MiB);
      const first = fig.impact.get(a);
      assert.equal((first?.freedBytes ?? 0) + (first?.moved[0]?.bytes ?? 0), 50 * MiB);
      assertMatchesSandbox(chain, fig);
    });

    it('a delete in the middle: the preview matches, and after it the next snapshot stores what moved', async () => {
      const vol = sandbox.clouds.aws.state.createVolume(REGION, { availabilityZone: `${REGION}a`, size: 1, volumeType: 'gp3' });
      const ids: string[] = [];
      for (const mib of [200, 120, 90, 40]) {
        sandbox.clouds.aws.writeMiB(REGION, vol.id, mib);
        clock += 60_000;
        ids.push(...sandbox.clouds.aws.bulkSnapshots(REGION, vol.id, 1));
      }
      // Zero some blocks before the last one: zeroed blocks are changed but not stored.
      sandbox.clouds.aws.state.blocks.trimMiB(vol.id, 16);
      clock += 60_000;
      ids.push(...sandbox.clouds.aws.bulkSnapshots(REGION, vol.id, 1));
      let { chain, fig } = await figuresOf(ids[2]);
      assert.deepEqual(chain.snapshots.map((s) => s.id), ids);
      assertMatchesSandbox(chain, fig);
      const preview = fig.impact.get(ids[1]);
      assert.ok(preview && preview.moved.length === 1 && preview.moved[0].snapshotId === ids[2]);
      const before = sandbox.clouds.aws.storedBytes(REGION, ids[2]);
      sandbox.clouds.aws.state.deleteSnapshot(REGION, ids[1]);
      ({ chain, fig } = await figuresOf(vol.id));
      assert.deepEqual(chain.snapshots.map((s) => s.id), [ids[0], ...ids.slice(2)]);
      assert.equal(fig.stored.get(ids[2])?.bytes, before + preview.moved[0].bytes, 'the moved blocks are now stored by the next snapshot');
      assertMatchesSandbox(chain, fig);
    });

    it('the seeded web-prod-1-data chain, with the disk restored from its second snapshot as a branch', async () => {
      const resources = await listAll(adapter, [scope]);
      const disk = byName(resources, 'web-prod-1-data') as Disk;
      const { chain, fig, facts } = await figuresOf(disk.id);
      assert.deepEqual(chain.snapshots.map((s) => s.name), ['web-prod-1-data-1', 'web-prod-1-data-2', 'web-prod-1-data-3', 'web-prod-1-data-4']);
      assert.deepEqual(chain.snapshots.map((s) => fig.stored.get(s.id)?.bytes), [500, 120, 30, 75].map((m) => m * MiB));
      const restored = chain.branches.find((b) => b.kind === 'disk');
      assert.equal(restored?.resource.name, 'web-data-restore-test');
      assert.equal(restored?.fromSnapshotId, chain.snapshots[1].id);
      assertMatchesSandbox(chain, fig);
      // Deleting #2 hands blocks to #3 and to the restored disk's snapshot.
      assert.equal(fig.impact.get(chain.snapshots[1].id)?.moved.length, 2);
      assert.match(facts.source, /ListChangedBlocks/);
      // The view the extension sends validates as the webview expects it.
      const view = chainView(chain, facts, { accountLabel: 'a', scopeLabel: (x) => x, actionsFor: (r) => adapter.actionsFor(r), loading: false });
      assert.ok(isChainView(view));
      assert.equal(view.snapshots[0].stored, 500 * MiB);
      assert.ok(view.snapshots[0].actions.includes('deleteSnapshot'));
    });

    it('the root chain: the AMI using the first snapshot blocks its delete', async () => {
      const resources = await listAll(adapter, [scope]);
      const { chain, fig } = await figuresOf(byName(resources, 'web-prod-1-root').id);
      const first = fig.impact.get(chain.snapshots[0].id);
      assert.ok(first?.blockers.some((b) => /image web-base.*uses it/.test(b)), JSON.stringify(first?.blockers));
      assert.ok(chain.branches.some((b) => b.kind === 'image' && b.fromSnapshotId === chain.snapshots[0].id));
    });

    it('AccessDenied from the EBS direct APIs: each snapshot says so, no figure, no preview', async () => {
      const resources = await listAll(adapter, [scope]);
      const chain = buildChain(resources, byName(resources, 'web-prod-1-data').id);
      assert.ok(chain && adapter.chainFacts);
      sandbox.setFaults({ regions: { [REGION]: { code: 'AccessDeniedException', message: 'User is not authorized to perform: ebs:ListChangedBlocks', status: 403 } } });
      try {
        const facts = await adapter.chainFacts(chain.links, new AbortController().signal);
        const fig = chainFigures(chain, facts);
        for (const s of chain.snapshots) {
          assert.equal(fig.stored.get(s.id), undefined);
          assert.match(fig.missing.get(s.id) ?? '', /access denied to the EBS direct APIs.*not authorized/);
          assert.equal(fig.impact.get(s.id)?.kind, 'unavailable');
        }
        assert.equal(fig.totals.storedKnown, 0);
      } finally {
        sandbox.setFaults({});
      }
      // Not cached: once allowed again, the figures come.
      const again = await adapter.chainFacts(chain.links, new AbortController().signal);
      assert.equal(chainFigures(chain, again).stored.size, chain.links.length);
    });

    it('EBS direct API errors become a reason per snapshot, never a zero', async () => {
      const vol = sandbox.clouds.aws.state.createVolume(REGION, { availabilityZone: `${REGION}a`, size: 1, volumeType: 'gp3' });
      sandbox.clouds.aws.writeMiB(REGION, vol.id, 4);
      clock += 60_000;
      sandbox.clouds.aws.bulkSnapshots(REGION, vol.id, 1);
      const resources = await listAll(adapter, [scope]);
      const chain = buildChain(resources, vol.id);
      assert.ok(chain && adapter.chainFacts);
      // An archived snapshot cannot be read: said so without a call.
      const archived: Snapshot = { ...chain.snapshots[0], storageTier: 'archive' };
      const facts = await adapter.chainFacts([{ snapshot: archived }], new AbortController().signal);
      assert.match(facts.snapshots[archived.id].unavailable ?? '', /archive tier/);
      // A snapshot the EBS direct APIs do not find.
      const ghost: Snapshot = { ...chain.snapshots[0], id: 'snap-0123456789abcdef0' };
      const f2 = await adapter.chainFacts([{ snapshot: ghost }], new AbortController().signal);
      assert.match(f2.snapshots[ghost.id].unavailable ?? '', /do not find it/);
      const fig = chainFigures({ ...chain, snapshots: [ghost], links: [{ snapshot: ghost }] }, f2);
      assert.equal(fig.stored.get(ghost.id), undefined);
      assert.match(fig.missing.get(ghost.id) ?? '', /do not find it/);
      assert.equal(fig.impact.get(ghost.id)?.kind, 'unavailable');
    });
  });

  describe('Azure: no stored bytes from the API; the stored-bytes-only path against the block model', () => {
    let sandbox: Sandbox;
    let adapter: CloudAdapter;
    const account: AccountConfig = { id: 'acct-az', cloud: 'azure', label: 'Azure sandbox', sandbox: true, settings: {} };

    before(async () => {
      sandbox = await startSandbox({});
      adapter = createAzure(account, ctx(sandbox.info.azure));
    });
    after(async () => {
      adapter.dispose();
      await sandbox.close();
    });

    async function chainOfSeeded() {
      const subs = await adapter.listScopes();
      const dev = subs.find((s) => s.id === AZURE_SEEDED.devSubscriptionId);
      assert.ok(dev);
      const resources = await listAll(adapter, await adapter.listScopes(dev));
      const chain = buildChain(resources, AZURE_SEEDED.chainDiskId.toLowerCase()) ?? buildChain(resources, resources.find((r) => r.id.toLowerCase() === AZURE_SEEDED.chainDiskId.toLowerCase())?.id ?? '');
      assert.ok(chain, 'the seeded chain disk is found');
      return chain;
    }

    it('the incremental family in order; every figure says Azure does not report stored bytes', async () => {
      const chain = await chainOfSeeded();
      assert.deepEqual(chain.snapshots.map((s) => s.name), ['web-01-data-snap-1', 'web-01-data-snap-2', 'web-01-data-snap-3']);
      assert.ok(chain.snapshots.every((s) => s.chainId && s.chainId === chain.snapshots[0].chainId));
      assert.ok(adapter.chainFacts);
      const facts = await adapter.chainFacts(chain.links, new AbortController().signal);
      const fig = chainFigures(chain, facts);
      assert.equal(fig.stored.size, 0);
      for (const s of chain.snapshots) {
        assert.match(fig.missing.get(s.id) ?? '', /Azure does not report/);
        assert.equal(fig.impact.get(s.id)?.kind, 'unavailable');
      }
      assert.match(facts.source, /source disk size/);
    });

    it('with only stored bytes per snapshot (as GCP storageBytes): totals exact, the newest exact, the rest a bound', async () => {
      const chain = await chainOfSeeded();
      const facts: ChainFacts = { snapshots: {}, source: 'stored bytes' };
      for (const s of chain.snapshots) {
        facts.snapshots[s.id] = { storedBytes: sandbox.clouds.azure.storedBytes(s.id), note: 'reported' };
      }
      const fig = chainFigures(chain, facts);
      const sum = chain.snapshots.reduce((n, s) => n + sandbox.clouds.azure.storedBytes(s.id), 0);
      assert.equal(fig.totals.storedBytes, sum);
      const newest = chain.snapshots[chain.snapshots.length - 1];
      assert.equal(fig.impact.get(newest.id)?.kind, 'exact');
      assert.equal(fig.impact.get(newest.id)?.freedBytes, sandbox.clouds.azure.deleteImpact(newest.id).freedBytes);
      for (const s of chain.snapshots.slice(0, -1)) {
        const im = fig.impact.get(s.id);
        assert.equal(im?.kind, 'bound');
        assert.match(im?.note ?? '', /estimate/);
        assert.ok((im?.freedBytes ?? 0) >= sandbox.clouds.azure.deleteImpact(s.id).freedBytes, 'the bound holds');
      }
    });

    it('with own blocks from the block model: exact, as for AWS', async () => {
      const chain = await chainOfSeeded();
      const facts: ChainFacts = { snapshots: {}, source: 'blocks' };
      let previous: Snapshot | undefined;
      for (const s of chain.snapshots) {
        const own = previous ? sandbox.clouds.azure.changedBlocks(previous.id, s.id) : undefined;
        facts.snapshots[s.id] = own
          ? { ownBlocks: own, blockSize: BLOCK_SIZE }
          : { ownBlocks: Array.from({ length: sandbox.clouds.azure.storedBytes(s.id) / BLOCK_SIZE }, (_, i) => -1 - i), blockSize: BLOCK_SIZE };
        previous = s;
      }
      const fig = chainFigures(chain, facts);
      for (const s of chain.snapshots.slice(1)) {
        assert.equal(fig.stored.get(s.id)?.bytes, sandbox.clouds.azure.storedBytes(s.id));
        assert.equal(fig.impact.get(s.id)?.freedBytes, sandbox.clouds.azure.deleteImpact(s.id).freedBytes, s.name);
      }
    });
  });

  describe('building the chain from model objects', () => {
    const base = { scopeId: 'r1', state: 'completed', phase: 'ready' as const, tags: [] };
    const disk = (id: string, extra: Partial<Disk> = {}): Disk => ({ ...base, kind: 'disk', id, sizeGiB: 10, encrypted: false, attachments: [], ...extra });
    const snap = (id: string, t: number, extra: Partial<Snapshot> = {}): Snapshot => ({
      ...base,
      kind: 'snapshot',
      id,
      diskId: 'vol-1',
      sizeGiB: 10,
      encrypted: false,
      createdAt: new Date(Date.UTC(2026, 0, t)).toISOString(),
      ...extra,
    });

    it('orders by time, finds branches (restored disk, image, copies) and blockers', () => {
      const resources: Resource[] = [
        disk('vol-1'),
        snap('snap-c', 3),
        snap('snap-a', 1),
        snap('snap-b', 2),
        disk('vol-2', { sourceSnapshotId: 'snap-b' }),
        snap('snap-x', 4, { diskId: 'vol-2' }),
        { ...base, kind: 'image', id: 'ami-1', snapshotIds: ['snap-a'] } as Image,
        snap('snap-copy', 5, { diskId: undefined, copiedFromId: 'snap-c', scopeId: 'r2', phase: 'pending', state: 'pending' }),
        snap('snap-other', 2, { diskId: 'vol-9' }),
      ];
      const chain = buildChain(resources, 'snap-b');
      assert.ok(chain);
      assert.equal(chain.key, 'disk:vol-1');
      assert.deepEqual(chain.snapshots.map((s) => s.id), ['snap-a', 'snap-b', 'snap-c']);
      assert.deepEqual(chain.branches.map((b) => `${b.kind}:${b.resource.id}<${b.fromSnapshotId}`).sort(), ['copy:snap-copy<snap-c', 'disk:vol-2<snap-b', 'image:ami-1<snap-a']);
      assert.equal(chain.parentOf.get('snap-x'), 'snap-b', 'the restored disk’s first snapshot is incremental against its source');
      const fig = chainFigures(chain, undefined, 'no adapter');
      assert.ok(fig.impact.get('snap-a')?.blockers.some((b) => /image ami-1/.test(b)));
      assert.ok(fig.impact.get('snap-c')?.blockers.some((b) => /copy is being made/.test(b)));
      assert.equal(fig.missing.get('snap-a'), 'no adapter');
      assert.equal(fig.totals.fullCopyBytes, 3 * 10 * 1024 ** 3);
    });

    it('Azure: the same incremental family, full snapshots stand alone, an open export blocks', () => {
      const resources: Resource[] = [
        disk('d1'),
        snap('s1', 1, { diskId: 'd1', chainId: 'fam', incremental: true }),
        snap('s2', 2, { diskId: 'd1', chainId: 'fam', incremental: true, export: {} }),
        snap('full', 3, { diskId: 'd1', incremental: false }),
        snap('s3', 4, { diskId: 'd1', chainId: 'fam', incremental: true }),
      ];
      const chain = buildChain(resources, 'd1');
      assert.ok(chain);
      assert.deepEqual(chain.snapshots.map((s) => s.id), ['s1', 's2', 'full', 's3']);
      assert.equal(chain.parentOf.get('s3'), 's2', 'the full snapshot is not part of the incremental chain');
      assert.equal(chain.parentOf.get('full'), undefined);
      const fig = chainFigures(chain, { snapshots: {}, source: 'x', unavailable: 'not reported by this cloud' });
      assert.ok(fig.impact.get('s2')?.blockers.some((b) => /export/.test(b)));
      assert.equal(fig.missing.get('s1'), 'not reported by this cloud');
    });

    it('no chainFacts method (Google Cloud): the storedBytes the cloud lists are shown, the source says so', () => {
      const resources: Resource[] = [disk('vol-1'), snap('a', 1, { storedBytes: 5000 }), snap('b', 2, { storedBytes: 700 })];
      const chain = buildChain(resources, 'vol-1');
      assert.ok(chain);
      const view = chainView(chain, undefined, { accountLabel: 'g', scopeLabel: (x) => x, actionsFor: () => [], loading: false });
      assert.ok(isChainView(view));
      assert.deepEqual(view.snapshots.map((s) => s.stored), [5000, 700]);
      assert.equal(view.snapshots[0].storedExact, false);
      assert.match(view.source, /stored bytes the cloud reports/);
      assert.equal(view.snapshots[1].impact.kind, 'exact');
      assert.equal(view.snapshots[1].impact.freedBytes, 700);
      assert.equal(view.snapshots[0].impact.kind, 'bound');
      // And with nothing at all: the reason, never a zero.
      const bare = buildChain([disk('vol-1'), snap('a', 1)], 'vol-1');
      assert.ok(bare);
      const v2 = chainView(bare, undefined, { accountLabel: 'g', scopeLabel: (x) => x, actionsFor: () => [], loading: false });
      assert.equal(v2.snapshots[0].stored, undefined);
      assert.match(v2.snapshots[0].storedMissing ?? '', /not available for this cloud/);
      assert.equal(v2.totals.storedKnown, 0);
    });

    it('a pending snapshot has no figure yet and says so', () => {
      const resources: Resource[] = [disk('vol-1'), snap('a', 1), snap('b', 2, { phase: 'pending', state: 'pending', progress: 40 })];
      const chain = buildChain(resources, 'vol-1');
      assert.ok(chain);
      const fig = chainFigures(chain, { snapshots: { a: { ownBlocks: [1, 2], blockSize: 4 } }, source: 'x' });
      assert.equal(fig.missing.get('b'), 'not completed yet');
      assert.equal(fig.impact.get('a')?.kind, 'unavailable');
      assert.match(fig.impact.get('a')?.note ?? '', /still being taken/);
      assert.ok(fig.impact.get('b')?.blockers.includes('it is still being taken'));
    });
  });
});
