// The Azure sandbox account inside the real extension host: subscriptions → locations → VMs →
// disks → snapshots through the real @azure/arm-compute over HTTPS, the subscription choice, a
// snapshot created from the tree and tracked to completion, and an export whose URL lands on the
// clipboard (never in the log) and stops working when revoked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as vscode from 'vscode';
import { isCloudError } from '../../src/model/errors';
import type { Snapshot } from '../../src/model/types';
import { BLOCK_SIZE } from '../../src/sandbox/blocks';
import { editorSignIn } from '../../src/adapters/azure/signIn';
import { editorToken } from '../../src/ui/auth';
import { ENTER } from './prompter';
import {
  accountNode,
  child,
  childrenOf,
  contextOf,
  itemOf,
  labelOf,
  nodeFrom,
  prompter,
  readLog,
  resourceOf,
  runAction,
  shownSince,
  tooltipText,
  trackerIdle,
  waitFor,
  world,
} from './harness';

const DEV = 'Snapkeeper Dev';
const PROD = 'Snapkeeper Prod';

/** Status of a GET of `url`, trusting the sandbox's own certificate. */
function statusOf(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca, headers: { range: 'bytes=0-511' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

export function azureTests(): void {
  describe('Azure sandbox account (real @azure/arm-compute over HTTPS)', function () {
    this.timeout(40_000);

    it('lists subscriptions, then locations with counts; empty locations are grouped', async () => {
      const { app: a } = await world();
      const account = await accountNode(a, 'azure');
      await waitFor('both subscriptions', async () => {
        const labels = (await childrenOf(a, account)).map((n) => labelOf(a, n));
        return labels.includes(DEV) && labels.includes(PROD);
      });
      const dev = await child(a, account, DEV);
      assert.match(String(itemOf(a, dev).description ?? ''), /^3f2c8b1a-/);
      const eastUs = await child(a, dev, 'East US');
      await waitFor('East US counts', () => /\d+ VMs? · \d+ disks?/.test(String(itemOf(a, eastUs).description ?? '')));
      const empty = await child(a, dev, 'Empty regions', 30_000);
      const emptyLabels = (await childrenOf(a, empty)).map((n) => labelOf(a, n));
      assert.ok(emptyLabels.length > 10, `only ${emptyLabels.length} empty locations`);
      assert.ok(!emptyLabels.includes('East US') && !emptyLabels.includes('West Europe'), emptyLabels.join(', '));
    });

    it('shows VM → disks → incremental snapshot chain, with the resource group instead of the ARM id', async () => {
      const { app: a } = await world();
      const vm = await nodeFrom(a, 'azure', DEV, 'East US', 'web-01');
      assert.match(String(itemOf(a, vm).description), /^rg-web · running · Standard_D2s_v5$/);
      const disks = (await childrenOf(a, vm)).map((n) => labelOf(a, n));
      assert.deepEqual(disks, ['web-01_OsDisk_1', 'web-01-data'], 'OS disk first');
      const data = await child(a, vm, 'web-01-data');
      const dataTip = tooltipText(itemOf(a, data));
      assert.match(dataTip, /Resource group: rg-web/);
      assert.match(dataTip, /Encryption type: Customer-managed key/);
      assert.match(dataTip, /Disk encryption set: des-cmk/);
      const snaps = (await childrenOf(a, data)).map((n) => labelOf(a, n));
      for (const s of ['web-01-data-snap-1', 'web-01-data-snap-2', 'web-01-data-snap-3']) {
        assert.ok(snaps.includes(s), `${s} missing: ${snaps.join(', ')}`);
      }
      const snap = resourceOf(a, await child(a, data, 'web-01-data-snap-2')) as Snapshot;
      assert.equal(snap.incremental, true);
      assert.ok(snap.chainId, 'no incremental family id');
      assert.equal(snap.diskId, resourceOf(a, data).id);
      const actions = contextOf(a, await child(a, data, 'web-01-data-snap-2'));
      for (const x of ['restoreToNewDisk', 'restoreInPlace', 'copySnapshot', 'exportSnapshot', 'deleteSnapshot']) {
        assert.ok(actions.includes(x), `${x} not offered: ${actions.join(' ')}`);
      }
    });

    it('Choose Subscriptions / Regions to Show: one ticked, only it is listed; none ticked shows all again', async () => {
      const { app: a, azureAccountId } = await world();
      const account = await accountNode(a, 'azure');
      prompter.expect({ multiPicks: [[DEV]] });
      await vscode.commands.executeCommand('snapkeeper.chooseScopes', account);
      assert.deepEqual(prompter.leftovers(), []);
      const [asked] = prompter.interactions.filter((i) => i.type === 'chooseMany');
      assert.ok(asked && asked.type === 'chooseMany');
      assert.deepEqual([...asked.labels].sort(), [DEV, PROD]);
      assert.equal(a.accounts.get(azureAccountId)?.settings.scopes, '3f2c8b1a-6d4e-4a7b-9e05-1c2d3e4f5a60');
      const shown = await waitFor('only Dev listed', async () => {
        const labels = (await childrenOf(a, await accountNode(a, 'azure'))).map((n) => labelOf(a, n));
        return labels.length === 1 ? labels : undefined;
      });
      assert.deepEqual(shown, [DEV]);

      prompter.expect({ multiPicks: [[]] });
      await vscode.commands.executeCommand('snapkeeper.chooseScopes', await accountNode(a, 'azure'));
      assert.equal(a.accounts.get(azureAccountId)?.settings.scopes, undefined);
      await waitFor('both subscriptions again', async () => (await childrenOf(a, await accountNode(a, 'azure'))).length === 2);
    });

    it('Create Snapshot of web-01-data: incremental, tracked to completion, shown under the disk', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const data = await nodeFrom(a, 'azure', DEV, 'East US', 'web-01', 'web-01-data');
      const diskId = resourceOf(a, data).id;
      sandbox.clouds.azure.writeMiB(diskId, 8);
      const before = new Set(a.tracker.list().map((r) => r.id));
      prompter.expect({ fields: { name: 'exthost-azure-snap', incremental: true, sku: ENTER, encryption: ENTER, tags: [{ key: 'purpose', value: 'exthost' }] } });
      const mark = await runAction('createSnapshot', data);
      assert.deepEqual(prompter.leftovers(), []);
      const ops = a.tracker.list().filter((r) => !before.has(r.id));
      assert.equal(ops.length, 1, `one operation expected; shown: ${JSON.stringify(shownSince(mark))}`);
      await trackerIdle(a);
      assert.ok(
        shownSince(mark, 'info').some((s) => /completed/.test(s.message)),
        `no completion notice: ${JSON.stringify(shownSince(mark))}`,
      );
      // The tree reloads the location after the notice; wait for the listing that shows it ready.
      const snap = await waitFor('the new snapshot listed as ready', async () => {
        const node = await child(a, await nodeFrom(a, 'azure', DEV, 'East US', 'web-01', 'web-01-data'), 'exthost-azure-snap', 20_000);
        const s = resourceOf(a, node) as Snapshot;
        return s.phase === 'ready' ? s : undefined;
      });
      assert.equal(snap.incremental, true);
      assert.ok(snap.tags.some((t) => t.key === 'purpose' && t.value === 'exthost'));
      // The sandbox stores exactly the blocks changed since the disk's previous snapshot (the 8 MiB
      // written here, plus whatever the seed wrote after web-01-data-snap-3).
      const previous = resourceOf(a, await child(a, await nodeFrom(a, 'azure', DEV, 'East US', 'web-01', 'web-01-data'), 'web-01-data-snap-3'));
      const changed = sandbox.clouds.azure.changedBlocks(previous.id, snap.id).length * BLOCK_SIZE;
      assert.ok(changed >= 8 * 1024 * 1024, `only ${changed} bytes changed`);
      assert.equal(sandbox.clouds.azure.storedBytes(snap.id), changed);
    });

    it('Export Snapshot puts a working URL on the clipboard (never in the log); Revoke Export makes it fail', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const ca = readFileSync(sandbox.info.azure.caCertPath, 'utf8');
      const path = [DEV, 'East US', 'web-01', 'web-01-data', 'web-01-data-snap-1'];
      await vscode.env.clipboard.writeText('');
      prompter.expect({ fields: { duration: '3600', format: 'VHD' }, confirms: [true] });
      const mark = await runAction('exportSnapshot', await nodeFrom(a, 'azure', ...path));
      assert.deepEqual(prompter.leftovers(), []);
      assert.match(prompter.confirmations[0].confirmation.detail, /Anyone holding the URL/);
      const url = await waitFor('the export URL on the clipboard', async () => {
        const text = await vscode.env.clipboard.readText();
        return text.startsWith('https://') ? text : undefined;
      });
      assert.ok(
        shownSince(mark, 'info').some((s) => /copied to the clipboard/.test(s.message) && !s.message.includes(url)),
        JSON.stringify(shownSince(mark)),
      );
      assert.equal(await statusOf(url, ca), 206);
      const sig = new URL(url).searchParams.get('sig');
      assert.ok(sig, 'no signature in the URL');

      // The tree marks the open export with its remaining time; the menu now offers Revoke.
      await trackerIdle(a);
      const exported = await waitFor('the snapshot marked as exported', async () => {
        const n = await nodeFrom(a, 'azure', ...path);
        return /export open · \d+ min left/.test(String(itemOf(a, n).description)) ? n : undefined;
      });
      const actions = contextOf(a, exported);
      assert.ok(actions.includes('revokeExport') && !actions.includes('exportSnapshot'), actions.join(' '));

      prompter.expect({ confirms: [true] });
      await runAction('revokeExport', exported);
      assert.deepEqual(prompter.leftovers(), []);
      await trackerIdle(a);
      await waitFor('the URL refused after the revoke', async () => (await statusOf(url, ca)) === 403);
      await waitFor('the export mark gone', async () => {
        const n = await nodeFrom(a, 'azure', ...path);
        return !/export open/.test(String(itemOf(a, n).description));
      });

      // The signed URL never reached the log channel's file (which did log the export).
      const logged = await waitFor('the export in the Snapkeeper log', () => {
        const text = readLog(a.context.logUri.fsPath);
        return /Export Snapshot on .*web-01-data-snap-1/.test(text) ? text : undefined;
      });
      assert.ok(!logged.includes(sig), 'the SAS signature was written to the log');
    });

    it("VS Code's Microsoft sign-in: with no provider or no session, a silent request fails as 'sign in needed'", async () => {
      try {
        await editorToken(editorSignIn, { provider: 'microsoft', scopes: ['https://management.core.windows.net//.default'], tenantId: 't-1', silent: true });
        assert.fail('a token came back although no Microsoft session exists in this VS Code');
      } catch (e) {
        assert.ok(isCloudError(e), String(e));
        assert.ok(e.kind === 'expired' || e.kind === 'auth', e.kind);
        if (e.kind === 'expired') {
          assert.deepEqual(e.signInProvider?.tenantId, 't-1');
        } else {
          assert.match(e.message, /az login/);
        }
      }
    });
  });
}
