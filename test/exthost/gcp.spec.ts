// The Google Cloud sandbox account inside the real extension host: projects → zones/regions →
// VMs → disks → snapshots through the real @google-cloud/compute, which runs in a worker thread
// (the extension host never parses its protos), and a snapshot created from the tree, tracked to
// DONE, whose stored bytes are the sandbox's exact incremental figure.
import assert from 'node:assert/strict';
import type { Snapshot } from '../../src/model/types';
import type { Node } from '../../src/ui/tree';
import { ENTER } from './prompter';
import {
  accountNode,
  child,
  childrenOf,
  contextOf,
  itemOf,
  labelOf,
  prompter,
  resourceOf,
  runAction,
  shownSince,
  trackerIdle,
  waitFor,
  world,
} from './harness';

/** The node of project `projectId` under the Google Cloud sandbox account. */
async function project(a: Awaited<ReturnType<typeof world>>['app'], projectId: string): Promise<Node> {
  const account = await accountNode(a, 'gcp');
  return waitFor(`project ${projectId}`, async () =>
    (await childrenOf(a, account)).find((n) => String(itemOf(a, n).description ?? '').startsWith(projectId)),
  );
}

async function walk(a: Awaited<ReturnType<typeof world>>['app'], from: Node, ...labels: string[]): Promise<Node> {
  let node = from;
  for (const l of labels) {
    node = await child(a, node, l, 20_000);
  }
  return node;
}

export function gcpTests(): void {
  describe('Google Cloud sandbox account (real @google-cloud/compute in a worker thread)', function () {
    this.timeout(45_000);

    it('lists projects, then zones and regions with counts; empty ones are grouped', async () => {
      const { app: a } = await world();
      const dev = await project(a, 'snapkeeper-dev');
      await project(a, 'snapkeeper-prod');
      const zone = await child(a, dev, 'us-central1-a', 30_000);
      await waitFor('us-central1-a counts', () => /\d+ VMs? · \d+ disks?/.test(String(itemOf(a, zone).description ?? '')), 30_000);
      const empty = await child(a, dev, 'Empty regions', 30_000);
      assert.ok((await childrenOf(a, empty)).length > 3, 'no empty zones grouped');
    });

    it('shows VM → disks → snapshot chain with the stored bytes Google reports', async () => {
      const { app: a, sandbox } = await world();
      const data = await walk(a, await project(a, 'snapkeeper-dev'), 'us-central1-a', 'web-1', 'web-1-data');
      assert.match(String(itemOf(a, data).description), /^us-central1-a · \d+ GiB · pd-/);
      const snaps = (await childrenOf(a, data)).map((n) => labelOf(a, n));
      for (const s of ['web-1-data-snap-1', 'web-1-data-snap-2', 'web-1-data-snap-3']) {
        assert.ok(snaps.includes(s), `${s} missing: ${snaps.join(', ')}`);
      }
      const node = await child(a, data, 'web-1-data-snap-2');
      const snap = resourceOf(a, node) as Snapshot;
      assert.equal(snap.storedBytes, sandbox.clouds.gcp.storedBytes(snap.id), 'stored bytes differ from the sandbox');
      assert.equal(snap.storedBytes, 50 * 1024 * 1024);
      const actions = contextOf(a, node);
      for (const x of ['restoreToNewDisk', 'restoreInPlace', 'createImageFromSnapshot', 'deleteSnapshot']) {
        assert.ok(actions.includes(x), `${x} not offered: ${actions.join(' ')}`);
      }
      assert.ok(!actions.includes('copySnapshot'), 'copy offered although GCP snapshots are global');
    });

    it('Create Snapshot of web-1-data: tracked to DONE, listed with its exact stored bytes', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const data = await walk(a, await project(a, 'snapkeeper-dev'), 'us-central1-a', 'web-1', 'web-1-data');
      sandbox.clouds.gcp.writeMiB(resourceOf(a, data).id, 4);
      const before = new Set(a.tracker.list().map((r) => r.id));
      prompter.expect({ fields: { name: 'exthost-gcp-snap', snapshotType: 'STANDARD', storageLocation: ENTER, tags: [{ key: 'purpose', value: 'exthost' }] } });
      const mark = await runAction('createSnapshot', data);
      assert.deepEqual(prompter.leftovers(), []);
      const ops = a.tracker.list().filter((r) => !before.has(r.id));
      assert.equal(ops.length, 1, `one operation expected; shown: ${JSON.stringify(shownSince(mark))}`);
      await trackerIdle(a, 40_000);
      assert.ok(
        shownSince(mark, 'info').some((s) => /completed/.test(s.message)),
        `no completion notice: ${JSON.stringify(shownSince(mark))}`,
      );
      const snap = await waitFor(
        'the new snapshot listed as ready with its stored bytes',
        async () => {
          const parent = await walk(a, await project(a, 'snapkeeper-dev'), 'us-central1-a', 'web-1', 'web-1-data');
          const s = resourceOf(a, await child(a, parent, 'exthost-gcp-snap', 20_000)) as Snapshot;
          return s.phase === 'ready' && s.storedBytes !== undefined ? s : undefined;
        },
        30_000,
      );
      assert.equal(snap.storedBytes, sandbox.clouds.gcp.storedBytes(snap.id));
      // The 4 MiB written here plus the 10 MiB the seed left after web-1-data-snap-3.
      assert.equal(snap.storedBytes, 14 * 1024 * 1024);
      assert.ok(snap.tags.some((t) => t.key === 'purpose' && t.value === 'exthost'));
    });
  });
}
