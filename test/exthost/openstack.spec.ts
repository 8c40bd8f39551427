// The OpenStack sandbox account inside the real extension host, through the real adapter and its
// client over Keystone, Nova, Cinder and Glance, the sandbox's own records being the oracle: the
// adapter bundle loaded only once the account is expanded; Add Account from the clouds.yaml the
// sandbox writes (OS_CLIENT_CONFIG_FILE) and a wrong password refused at add time (./clouds.yaml of
// the workspace folder); region → server (status) → its root disk (local, or a volume) and volumes
// → volume snapshots and Backups, instance snapshots under their server, each named as what it is;
// Create Instance Snapshot followed to the Glance image `active`; Roll Back (Rebuild) with its
// confirmation (Enter keeps) and the rebuild followed REBUILD → ACTIVE, the root disk's blocks the
// image's again; Create Backup (incremental on its parent) followed to `available` and the chain
// panel's backup rows; hostile names on volumes shown as text on every surface.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Resource } from '../../src/model/types';
import { OPENSTACK_SEEDED } from '../../src/sandbox/openstack/backend';
import type { ChainPanel } from '../../src/ui/chainPanel';
import { VscodePrompter } from '../../src/ui/prompter';
import { markdownText, visible } from '../../src/ui/safeText';
import type { Node } from '../../src/ui/tree';
import type { ChainView } from '../../src/webview/protocol';
import { HIDDEN_CHARACTERS } from '../fixtures/hostile-names';
import {
  accountNode,
  child,
  childrenOf,
  contextOf,
  descriptionOf,
  menuTitlesOf,
  extension,
  itemOf,
  labelOf,
  prompter,
  readLog,
  reload,
  resourceOf,
  runAction,
  runCommand,
  shownSince,
  tooltipText,
  trackerIdle,
  waitFor,
  walk,
  world,
} from './harness';
import { assertInputsPlain, assertNoticesPlain, assertPicksPlain, runThroughRealPicks } from './surfaces';
import { ENTER } from './prompter';

const S = OPENSTACK_SEEDED;
const REGION = 'RegionOne';
const MiB = 1024 * 1024;

type TheApp = Awaited<ReturnType<typeof world>>['app'];
type Os = Awaited<ReturnType<typeof world>>['sandbox']['clouds']['openstack'];

/** Walks an OpenStack account's tree by labels (the sandbox account unless `from` is given). */
async function osNode(a: TheApp, ...labels: string[]): Promise<Node> {
  return osNodeFrom(a, await accountNode(a, 'openstack'), ...labels);
}

async function osNodeFrom(a: TheApp, from: Node, ...labels: string[]): Promise<Node> {
  return walk(a, from, labels, 20_000);
}

async function labelsUnder(a: TheApp, node: Node): Promise<string[]> {
  return (await childrenOf(a, node)).map((n) => labelOf(a, n));
}

/** The sandbox's records of one region. */
function inRegion<T extends { region: string }>(records: T[], region = REGION): T[] {
  return records.filter((r) => r.region === region);
}

/** The chain panel showing `diskId`, once one is open. */
function panelOf(a: TheApp, diskId: string): ChainPanel | undefined {
  return [...a.chains.panels.values()].find((p) => p.current.diskId === diskId);
}

/** A clouds.yaml holding one cloud: the sandbox's Keystone, user and project, and `password` when given. */
function cloudsYaml(name: string, authUrl: string, password?: string): string {
  const q = (v: string) => JSON.stringify(v);
  return [
    'clouds:',
    `  ${name}:`,
    '    auth:',
    `      auth_url: ${q(authUrl)}`,
    `      username: ${q(S.userName)}`,
    ...(password === undefined ? [] : [`      password: ${q(password)}`]),
    `      project_name: ${q(S.projectName)}`,
    `      user_domain_name: ${q(S.domain.name)}`,
    `      project_domain_name: ${q(S.domain.name)}`,
    `    region_name: ${q(REGION)}`,
    '',
  ].join('\n');
}

/** Sets (or, with undefined, removes) an environment variable of the extension host while `body` runs. */
async function withEnv<T>(name: string, value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
  try {
    return await body();
  } finally {
    if (saved === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = saved;
    }
  }
}

/** Removes an account as the tree's Remove Account does (its confirmation answered yes). */
async function removeAccount(a: TheApp, accountId: string): Promise<void> {
  const node = (await childrenOf(a)).find((n) => n.type === 'account' && n.accountId === accountId);
  if (!node) {
    return;
  }
  prompter.expect({ confirms: [true] });
  await vscode.commands.executeCommand('snapkeeper.removeAccount', node);
  assert.equal(a.accounts.get(accountId), undefined, `the account was not removed: ${JSON.stringify(prompter.leftovers())}`);
}

/** Every server, volume, volume snapshot, instance snapshot and backup the sandbox has in a region, as the tree counts them. */
function regionCounts(os: Os, region: string): { servers: number; volumes: number; snapshots: number; instanceSnapshots: number; backups: number; images: number } {
  const images = inRegion(os.images(), region).filter((i) => i.owner === S.projectId);
  return {
    servers: inRegion(os.servers(), region).length,
    volumes: inRegion(os.volumes(), region).length,
    snapshots: inRegion(os.snapshots(), region).length,
    instanceSnapshots: images.filter((i) => i.instanceUuid).length,
    backups: inRegion(os.backups(), region).length,
    images: images.filter((i) => !i.instanceUuid).length,
  };
}

/**
 * Refreshes RegionOne (as the refresh button does) until its listing satisfies `done`: the
 * adapter reuses a region's listing for a few seconds, and these tests change the sandbox behind
 * its back.
 */
async function reloadUntil(a: TheApp, accountId: string, what: string, done: (items: ReadonlyMap<string, Resource>) => boolean): Promise<void> {
  await waitFor(
    what,
    async () => {
      await reload(a, accountId, REGION);
      const items = a.session(accountId)?.state(REGION)?.items;
      return items !== undefined && done(items);
    },
    30_000,
    500,
  );
}

const countWords = (n: number, one: string, many = `${one}s`): string => (n ? `${n} ${n === 1 ? one : many}` : '');

export function openstackTests(): void {
  describe('OpenStack sandbox account (Keystone, Nova, Cinder, Glance: instance snapshots, rebuild, volume snapshots, backups)', function () {
    this.timeout(90_000);

    it('its adapter bundle is loaded only when the account is expanded, then lists the regions with counts in OpenStack’s words', async () => {
      const { app: a, sandbox, openstackAccountId } = await world();
      const bundle = join(extension().extensionPath, 'dist', 'adapters', 'openstack.js');
      assert.equal(require.cache[bundle], undefined, 'dist/adapters/openstack.js was loaded before an OpenStack account was expanded');
      assert.equal(a.session(openstackAccountId)?.loadedAdapter, undefined);
      const account = await accountNode(a, 'openstack');
      assert.equal(labelOf(a, account), 'Sandbox (OpenStack)');
      const regions = await waitFor('the regions', async () => {
        const kids = await labelsUnder(a, account);
        return kids.includes(REGION) ? kids : undefined;
      }, 30_000);
      assert.ok(regions.includes('RegionTwo'), regions.join(', '));
      assert.ok(require.cache[bundle], 'the OpenStack bundle is not loaded after expanding the account');
      // The counts are the sandbox's records of each region, in OpenStack's nouns.
      const os = sandbox.clouds.openstack;
      for (const region of S.regions) {
        const node = await osNode(a, region);
        const n = regionCounts(os, region);
        const want = [
          countWords(n.servers, 'VM'),
          countWords(n.volumes, 'volume'),
          countWords(n.snapshots, 'volume snapshot'),
          countWords(n.instanceSnapshots, 'instance snapshot'),
          countWords(n.backups, 'backup'),
          countWords(n.images, 'image'),
        ]
          .filter(Boolean)
          .join(' · ');
        await waitFor(`${region} to be listed (now ${a.session(openstackAccountId)?.state(region)?.status})`, () => a.session(openstackAccountId)?.state(region)?.status === 'loaded', 30_000);
        assert.equal(descriptionOf(a, node), want, `${region}'s counts`);
      }
    });

    it('region → server (status) → root disk (local for web-1, the volume db-1-root for db-1) and volumes → volume snapshots and Backups; instance snapshots under their server, each named as what it is', async () => {
      const { app: a, sandbox } = await world();
      const os = sandbox.clouds.openstack;
      const region = await osNode(a, REGION);
      const kids = await labelsUnder(a, region);
      assert.deepEqual(kids.slice(0, 2), ['db-1', 'web-1'], kids.join(', '));

      // web-1 boots from an image: its root disk is local, with no Cinder action; its instance snapshots are its own group.
      const web = await osNode(a, REGION, 'web-1');
      assert.match(descriptionOf(a, web), /\bACTIVE\b/);
      assert.deepEqual(await labelsUnder(a, web), ['web-1 root disk', 'Instance snapshots']);
      const localRoot = await child(a, web, 'web-1 root disk');
      assert.match(tooltipText(itemOf(a, localRoot)), /local \(ephemeral\) root disk/);
      for (const cinderOnly of ['createSnapshot', 'createBackup', 'createImageFromDisk']) {
        assert.ok(!contextOf(a, localRoot).includes(cinderOnly), `${cinderOnly} offered on the local root disk: ${contextOf(a, localRoot).join(' ')}`);
      }
      assert.ok(contextOf(a, web).includes('createRestorePoint'), contextOf(a, web).join(' '));
      const group = await child(a, web, 'Instance snapshots');
      const points = await childrenOf(a, group);
      const seededPoints = inRegion(os.images()).filter((i) => i.instanceUuid === S.webServer && (S.webSnapshots as readonly string[]).includes(i.id));
      assert.equal(seededPoints.length, 2);
      const pointLabels = points.map((n) => labelOf(a, n));
      assert.deepEqual(pointLabels.filter((l) => l === 'web-1-after-upgrade' || l === 'web-1-before-upgrade'), ['web-1-after-upgrade', 'web-1-before-upgrade'], `newest first: ${pointLabels.join(', ')}`);
      const point = points[pointLabels.indexOf('web-1-before-upgrade')];
      assert.equal(resourceOf(a, point).id, S.webSnapshots[0]);
      const pointTip = tooltipText(itemOf(a, point));
      assert.ok(pointTip.startsWith("**Instance snapshot** web-1-before-upgrade\n\n*An instance snapshot (Nova) is a Glance image of a server's root disk"), pointTip.slice(0, 300));
      for (const action of ['revertToRestorePoint', 'launchCopy', 'deleteRestorePoint']) {
        assert.ok(contextOf(a, point).includes(action), `${action} not offered: ${contextOf(a, point).join(' ')}`);
      }
      // The menus say what OpenStack says (the module's menuTitles), not the neutral titles.
      const pointMenu = menuTitlesOf(a, point);
      for (const title of ['Roll Back (Rebuild)…', 'Launch Copy…', 'Delete Instance Snapshot…']) {
        assert.ok(pointMenu.includes(title), `"${title}" not in the menu: ${pointMenu.join(', ')}`);
      }
      for (const neutral of ['Revert VM to Restore Point…', 'Delete Restore Point…']) {
        assert.ok(!pointMenu.includes(neutral), `"${neutral}" in the menu: ${pointMenu.join(', ')}`);
      }
      assert.ok(menuTitlesOf(a, web).includes('Create Instance Snapshot…') && !menuTitlesOf(a, web).includes('Create Restore Point…'), menuTitlesOf(a, web).join(', '));

      // db-1 boots from a volume: db-1-root is its root disk (a Cinder volume, first), then db-1-data.
      const db = await osNode(a, REGION, 'db-1');
      assert.match(descriptionOf(a, db), /\bACTIVE\b/);
      assert.deepEqual(await labelsUnder(a, db), ['db-1-root', 'db-1-data']);
      const rootVolume = await child(a, db, 'db-1-root');
      assert.equal(resourceOf(a, rootVolume).id, S.dbRootVolume);
      assert.ok(contextOf(a, rootVolume).includes('createSnapshot'), contextOf(a, rootVolume).join(' '));
      const data = await child(a, db, 'db-1-data');
      const dataKids = await labelsUnder(a, data);
      assert.deepEqual(dataKids.slice(-3), ['db-1-data-snap-2', 'db-1-data-snap-1', 'Backups'], dataKids.join(', '));
      const snap = await child(a, data, 'db-1-data-snap-2');
      const snapTip = tooltipText(itemOf(a, snap));
      assert.ok(snapTip.startsWith('**Volume snapshot** db-1-data-snap-2\n\n*A volume snapshot (Cinder) copies one volume'), snapTip.slice(0, 300));
      assert.ok(contextOf(a, snap).includes('restoreToNewDisk'), contextOf(a, snap).join(' '));

      // The backups: the seeded chain, newest first; each says it is a backup, and which it is incremental after.
      const backups = await child(a, data, 'Backups');
      const backupLabels = await labelsUnder(a, backups);
      assert.deepEqual(backupLabels.slice(-3), ['db-1-data-incr-2', 'db-1-data-incr-1', 'db-1-data-full'], backupLabels.join(', '));
      const incr = await child(a, backups, 'db-1-data-incr-2');
      const incrTip = tooltipText(itemOf(a, incr));
      assert.ok(incrTip.startsWith('**Backup** db-1-data-incr-2\n\n*A backup (Cinder) copies one volume to a separate backup store'), incrTip.slice(0, 300));
      assert.equal(os.backupFacts(S.backupChain[2]).parentId, S.backupChain[1]);
      assert.match(incrTip, /- Incremental after: db-1-data-incr-1 \(/);
      const full = await child(a, backups, 'db-1-data-full');
      assert.match(tooltipText(itemOf(a, full)), /- Kind: full/);
    });

    it('Create Instance Snapshot of web-1: followed until the Glance image is active; listed under web-1 as an instance snapshot', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const os = sandbox.clouds.openstack;
      const web = await osNode(a, REGION, 'web-1');
      const name = `exthost-os-instance-snap-${Date.now()}`;
      const before = new Set(a.tracker.list().map((r) => r.id));
      prompter.expect({ fields: { name, tags: [{ key: 'purpose', value: 'exthost' }] } });
      const mark = await runAction('createRestorePoint', web);
      assert.match(prompter.asked[0].title, /^Create Instance Snapshot: web-1$/);
      const made = os.images().find((i) => i.name === name);
      assert.ok(made, 'the sandbox has no such image');
      assert.equal(made.instanceUuid, S.webServer);
      assert.notEqual(made.status, 'active', 'the image was active at once: nothing to follow');
      const ops = a.tracker.list().filter((r) => !before.has(r.id));
      assert.equal(ops.length, 1, `one operation expected; shown: ${JSON.stringify(shownSince(mark))}`);
      assert.match(ops[0].title, new RegExp(`^Instance snapshot ${name} of web-1 \\(`));
      await trackerIdle(a, 60_000);
      assert.equal(os.images().find((i) => i.id === made.id)?.status, 'active');
      assert.ok(shownSince(mark, 'info').some((s) => s.message.includes(name) && /completed/.test(s.message)), `no completion notice: ${JSON.stringify(shownSince(mark))}`);
      const listed = await waitFor('the new instance snapshot under web-1, active', async () => {
        const node = await child(a, await osNode(a, REGION, 'web-1', 'Instance snapshots'), name, 20_000);
        const r = resourceOf(a, node);
        return r.phase === 'ready' ? { r, node } : undefined;
      }, 30_000);
      assert.equal(listed.r.id, made.id);
      assert.equal(listed.r.kind, 'restorePoint');
      assert.ok(listed.r.tags.some((t) => t.key === 'purpose' && t.value === 'exthost'), JSON.stringify(listed.r.tags));
      assert.ok(tooltipText(itemOf(a, listed.node)).startsWith(`**Instance snapshot** ${name}\n`));
    });

    it('Roll Back (Rebuild) web-1 to web-1-before-upgrade: the modal names the server, what is lost and what stays, Enter keeps; going ahead rebuilds it REBUILD → ACTIVE, the root disk the image’s blocks again', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const os = sandbox.clouds.openstack;
      const image = S.webSnapshots[0];
      os.writeMiB(S.webServer, 12);
      assert.equal(os.diskMatchesImage(S.webServer, image), false, 'web-1’s root disk already holds the image');
      const point = await osNode(a, REGION, 'web-1', 'Instance snapshots', 'web-1-before-upgrade');

      // Through the real prompter: the modal's first button is the default one (Enter presses it): it must keep the server.
      const w = vscode.window as unknown as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
      const original = w.showWarningMessage;
      const dialogs: unknown[][] = [];
      w.showWarningMessage = (...args: unknown[]) => {
        dialogs.push(args);
        return Promise.resolve(args[2]);
      };
      const previous = a.prompter;
      a.prompter = new VscodePrompter();
      try {
        const { result } = await runCommand('revertToRestorePoint', point);
        assert.notEqual(result, true, 'Enter on the confirmation went ahead');
      } finally {
        w.showWarningMessage = original;
        a.prompter = previous;
      }
      assert.equal(dialogs.length, 1);
      const [message, options, first, second] = dialogs[0] as [string, { modal?: boolean; detail?: string }, { title: string }, { title: string }];
      assert.equal(options.modal, true);
      assert.match(message, /^Roll back server web-1 \(.+\) to instance snapshot web-1-before-upgrade \(.+\)\?$/);
      assert.match(options.detail ?? '', /Nova rebuilds server web-1 .*everything written to its root disk since is lost/);
      assert.match(options.detail ?? '', /What stays: its attached volumes/);
      assert.equal(first.title, 'Keep the Server as It Is');
      assert.equal(second.title, 'Roll Back');
      assert.equal(os.servers().find((s) => s.id === S.webServer)?.status, 'ACTIVE');
      assert.equal(os.diskMatchesImage(S.webServer, image), false, 'the root disk changed although the user kept the server');
      assert.equal(a.tracker.list().length, 0, 'an operation was started although the user kept the server');

      // Going ahead: Nova rebuilds, the tracker follows REBUILD until ACTIVE.
      prompter.expect({ confirms: [true] });
      const mark = await runAction('revertToRestorePoint', point);
      assert.equal(prompter.confirmations[0].confirmation.button, 'Roll Back');
      assert.equal(os.servers().find((s) => s.id === S.webServer)?.status, 'REBUILD');
      const [op] = a.tracker.list();
      assert.ok(op, 'the rebuild is not followed');
      assert.match(op.title, /^Roll back server web-1 to instance snapshot web-1-before-upgrade \(/);
      await trackerIdle(a, 60_000);
      assert.equal(os.servers().find((s) => s.id === S.webServer)?.status, 'ACTIVE');
      assert.ok(os.diskMatchesImage(S.webServer, image), 'the root disk does not hold the instance snapshot’s blocks after the rebuild');
      assert.ok(shownSince(mark, 'info').some((s) => /^Snapkeeper: Roll back server web-1 to instance snapshot web-1-before-upgrade \(.+\) completed\.$/.test(s.message)), `no completion notice: ${JSON.stringify(shownSince(mark))}`);
      const log = await waitFor('the log to say the rebuild ended ACTIVE', () => {
        const text = readLog(a.context.logUri.fsPath);
        return /Done: Roll back server web-1 to instance snapshot web-1-before-upgrade .* — ACTIVE/.test(text) ? text : undefined;
      });
      assert.ok(log);
      // The instance snapshot is kept.
      assert.ok(os.images().some((i) => i.id === image && i.status === 'active'));
    });

    it('Create Backup of db-1-data (in use): incremental on db-1-data-incr-2, forced, followed to available; the chain panel draws the backup chain with the sandbox’s parents and object counts', async () => {
      const { app: a, sandbox, openstackAccountId } = await world();
      await trackerIdle(a);
      const os = sandbox.clouds.openstack;
      const data = await osNode(a, REGION, 'db-1', 'db-1-data');
      os.writeMiB(S.dbDataVolume, 24);
      const name = `exthost-os-backup-${Date.now()}`;
      prompter.expect({ fields: { name, mode: ENTER, force: true } });
      const mark = await runAction('createBackup', data);
      assert.match(prompter.asked[0].title, /^Create Backup: db-1-data$/);
      const mode = prompter.asked[0].fields.find((f) => f.id === 'mode');
      assert.ok(mode && mode.kind === 'pick', 'no full/incremental question');
      assert.match(mode.options.find((o) => o.value === 'incremental')?.description ?? '', /since backup db-1-data-incr-2 \(/);
      assert.equal(prompter.asked[0].values?.mode, 'incremental');
      await trackerIdle(a, 60_000);
      assert.ok(shownSince(mark, 'info').some((s) => s.message.includes(name) && /completed/.test(s.message)), `no completion notice: ${JSON.stringify(shownSince(mark))}`);
      const made = os.backups().find((b) => b.name === name);
      assert.ok(made, 'the sandbox has no such backup');
      assert.equal(made.status, 'available');
      const facts = os.backupFacts(made.id);
      assert.equal(facts.incremental, true);
      assert.equal(facts.parentId, S.backupChain[2]);
      assert.ok(facts.storedBytes >= 24 * MiB, `the incremental backup stores ${facts.storedBytes} bytes`);

      // The chain panel of db-1-data, opened from the tree: the backups as the sandbox has them.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const dataNode = await osNode(a, REGION, 'db-1', 'db-1-data');
      assert.equal(await vscode.commands.executeCommand('snapkeeper.openChain', dataNode), true);
      const panel = await waitFor('the chain panel of db-1-data', () => panelOf(a, S.dbDataVolume));
      try {
        const view = await waitFor('the backup rows with the new backup', async () => {
          const v = (await panel.figures()) as ChainView | undefined;
          return v?.backups?.some((b) => b.id === made.id) ? v : undefined;
        });
        assert.equal(view.accountLabel, a.accounts.get(openstackAccountId)?.label);
        assert.equal(view.words?.snapshot, 'volume snapshot');
        const theirs = os.backups().filter((b) => b.volumeId === S.dbDataVolume);
        const rows = view.backups ?? [];
        assert.deepEqual(rows.map((b) => b.id).sort(), theirs.map((b) => b.id).sort(), 'the panel’s backups are not the sandbox’s');
        assert.equal(view.backupTotals?.count, theirs.length);
        for (const row of rows) {
          const record = theirs.find((b) => b.id === row.id);
          assert.ok(record);
          const truth = os.backupFacts(row.id);
          assert.equal(row.incremental, truth.incremental, `kind of ${row.name}`);
          assert.equal(row.parentId ?? null, truth.parentId, `parent of ${row.name}`);
          if (truth.parentId) {
            assert.equal(row.parentName, os.backups().find((b) => b.id === truth.parentId)?.name, `parent name of ${row.name}`);
          }
          // Cinder reports what a backup stores as the backup store's objects.
          assert.equal(row.storedObjects, os.state.backupObjectCount(record), `objects of ${row.name}`);
        }
        // Parents come before the backups that depend on them: the seeded chain, then the new one.
        const order = rows.map((b) => b.id);
        assert.deepEqual(order.filter((id) => [...S.backupChain, made.id].includes(id)), [...S.backupChain, made.id]);
        assert.deepEqual(
          rows.filter((b) => (S.backupChain as readonly string[]).includes(b.id)).map((b) => b.storedObjects),
          S.backupChainMiB.map((mib) => Math.ceil(mib / 50)),
        );
        // The full backup cannot be deleted while incremental ones depend on it (Cinder's has_dependent_backups).
        const fullRow = rows.find((b) => b.id === S.backupChain[0]);
        assert.ok(fullRow && fullRow.impact.blockers.length > 0, JSON.stringify(fullRow?.impact));
        const newRow = rows.find((b) => b.id === made.id);
        assert.deepEqual(newRow?.impact.blockers, []);
      } finally {
        panel.dispose();
      }
    });

    it('Add Account → OpenStack offers the clouds of the clouds.yaml OS_CLIENT_CONFIG_FILE names (the sandbox’s), adds one, and it expands to its regions', async () => {
      const { app: a, sandbox } = await world();
      const info = sandbox.info.openstack;
      const before = new Set(a.accounts.list().map((x) => x.id));
      let added: string | undefined;
      try {
        await withEnv('OS_CLIENT_CONFIG_FILE', info.cloudsYamlPath, async () => {
          prompter.expect({ picks: ['snapkeeper-sandbox'] });
          await vscode.commands.executeCommand('snapkeeper.addOpenstackAccount');
          assert.deepEqual(prompter.leftovers(), []);
        });
        const [pick] = prompter.chosen;
        assert.equal(pick.title, 'Add OpenStack Account');
        assert.equal(pick.placeholder, 'Pick a cloud');
        assert.deepEqual(pick.labels.slice(0, 2), ['snapkeeper-sandbox', 'snapkeeper-sandbox-appcred']);
        const host = new URL(info.authUrl).host;
        assert.equal(pick.descriptions[0], `${host} · ${S.projectName}`);
        // Checked at add time (a token and the catalog): it passed, so nothing was asked.
        assert.equal(prompter.confirmations.length, 0, JSON.stringify(prompter.confirmations));
        const account = a.accounts.list().find((x) => !before.has(x.id));
        assert.ok(account, 'no account was added');
        added = account.id;
        assert.equal(account.cloud, 'openstack');
        assert.equal(account.label, `snapkeeper-sandbox (${host})`);
        assert.deepEqual(account.settings, { cloud: 'snapkeeper-sandbox', configFile: info.cloudsYamlPath });
        assert.ok(!JSON.stringify(account).includes(S.password), 'the password from clouds.yaml was copied into the account');
        // It expands: its regions, then RegionOne's servers, as the sandbox has them.
        const node = await waitFor('the new account in the tree', async () => (await childrenOf(a)).find((n) => n.type === 'account' && n.accountId === account.id));
        const regions = await waitFor('its regions', async () => {
          const kids = await labelsUnder(a, node);
          return kids.includes(REGION) && kids.includes('RegionTwo') ? kids : undefined;
        }, 30_000);
        assert.ok(regions);
        const region = await osNodeFrom(a, node, REGION);
        await waitFor(`${REGION} of the new account to be listed`, () => a.session(account.id)?.state(REGION)?.status === 'loaded', 30_000);
        const servers = (await childrenOf(a, region)).filter((n) => n.type === 'resource' && n.kind === 'vm').map((n) => labelOf(a, n));
        assert.deepEqual(servers.sort(), inRegion(sandbox.clouds.openstack.servers()).map((s) => s.name).sort());
      } finally {
        if (added) {
          await removeAccount(a, added);
        }
      }
    });

    it('a wrong password (a cloud in the workspace folder’s ./clouds.yaml without one, typed in): Keystone’s refusal said clearly; Don’t Save leaves no account and no secret', async () => {
      const { app: a, sandbox } = await world();
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the extension host has no workspace folder');
      const file = join(folder, 'clouds.yaml');
      writeFileSync(file, cloudsYaml('exthost-wrong-password', sandbox.info.openstack.authUrl));
      const before = a.accounts.list().map((x) => x.id);
      const wrong = 'exthost-not-the-password-3f9a';
      // Which accounts had secrets stored while this runs (to check they are gone afterwards).
      const secretsSet: string[] = [];
      const set = a.secrets.set.bind(a.secrets);
      a.secrets.set = async (accountId, secrets) => {
        if (Object.keys(secrets).length) {
          secretsSet.push(accountId);
        }
        return set(accountId, secrets);
      };
      try {
        await withEnv('OS_CLIENT_CONFIG_FILE', undefined, async () => {
          prompter.expect({ picks: ['exthost-wrong-password'], fields: { password: wrong }, confirms: [false] });
          await vscode.commands.executeCommand('snapkeeper.addOpenstackAccount');
          assert.deepEqual(prompter.leftovers(), []);
        });
      } finally {
        a.secrets.set = set;
        rmSync(file, { force: true });
      }
      const [pick] = prompter.chosen;
      assert.match(pick.labels.join(' | '), /^exthost-wrong-password \| /);
      // The password was asked for (masked): it is in neither clouds.yaml nor a secure.yaml.
      const field = prompter.asked[0].fields.find((f) => f.id === 'password');
      assert.ok(field && field.kind === 'text' && field.secret === true, JSON.stringify(prompter.asked[0]?.fields));
      const [c] = prompter.confirmations;
      assert.ok(c, 'the failed check asked nothing');
      const host = new URL(sandbox.info.openstack.authUrl).host;
      assert.equal(c.confirmation.message, `Add OpenStack Account: "exthost-wrong-password (${host})" did not answer as it should.`);
      assert.match(c.confirmation.detail ?? '', new RegExp(`Keystone at ${host.replace(/\./g, '\\.')} refused the password of .*${S.userName}.* \\(HTTP 401\\): check the password`));
      assert.ok(!(c.confirmation.detail ?? '').includes(wrong), 'the typed password is in the message');
      assert.equal(c.confirmation.button, 'Save Anyway');
      assert.equal(c.confirmation.keep, "Don't Save");
      // Nothing stays: no account, no password in SecretStorage, nothing in the log.
      assert.deepEqual(a.accounts.list().map((x) => x.id), before, 'an account was kept');
      assert.equal(secretsSet.length, 1, `the password was stored for ${secretsSet.length} account(s)`);
      assert.equal(await a.context.secrets.get(`snapkeeper.account.${secretsSet[0]}.secret.password`), undefined, 'the password stayed in SecretStorage');
      assert.equal(await a.context.secrets.get(`snapkeeper.account.${secretsSet[0]}.secrets`), undefined, 'its secrets index stayed');
      const log = await waitFor('the log to say it was not added', () => {
        const text = readLog(a.context.logUri.fsPath);
        return text.includes('Not added: OpenStack account "exthost-wrong-password') ? text : undefined;
      });
      assert.ok(!log.includes(wrong), 'the typed password is in the log');
    });

    describe('hostile names on OpenStack volumes', () => {
      const HOSTILE = ['[x](command:workbench.action.quit)', '$(alert) urgent $(sync~spin)', 'bell\u0007 esc\u001b[31m new\nline'];
      /** Volume id → its hostile name. */
      const named = new Map<string, string>();

      before(async () => {
        const { app: a, sandbox, openstackAccountId } = await world();
        const os = sandbox.clouds.openstack;
        HOSTILE.forEach((text, i) => {
          const id = `e47a${String(i).padStart(4, '0')}-0000-4000-8000-00000000${String(i).padStart(4, '0')}`;
          // As Cinder keeps a volume made with that name (it takes any Unicode text); available at once.
          os.state.addVolume({ id, name: text, description: text, region: REGION, az: 'nova', sizeGiB: 1, status: 'available', volumeType: '__DEFAULT__', bootable: false, metadata: { owner: text } });
          os.writeMiB(id, 2);
          named.set(id, text);
        });
        await reloadUntil(a, openstackAccountId, 'the hostile volumes listed', (items) => [...named.keys()].every((id) => items.has(id)));
      });

      after(async () => {
        const { app: a, sandbox, openstackAccountId } = await world();
        const os = sandbox.clouds.openstack;
        await trackerIdle(a, 60_000);
        for (const s of os.snapshots().filter((x) => named.has(x.volumeId))) {
          os.state.snapshots.delete(s.id);
        }
        for (const id of named.keys()) {
          os.state.volumes.delete(id);
        }
        os.state.touch();
        await reloadUntil(a, openstackAccountId, 'the hostile volumes gone from the listing', (items) => ![...named.keys()].some((id) => items.has(id)));
      });

      it('tree labels show the hidden characters; tooltips are untrusted Markdown holding the names as text', async () => {
        const { app: a } = await world();
        const folder = await osNode(a, REGION, 'Detached volumes');
        const nodes = await waitFor('the hostile volumes under Detached volumes', async () => {
          const kids = (await childrenOf(a, folder)).filter((n) => n.type === 'resource' && named.has(n.resourceId));
          return kids.length === named.size ? kids : undefined;
        });
        for (const node of nodes) {
          const r: Resource = resourceOf(a, node);
          assert.equal(r.name, named.get(r.id), 'the name did not arrive as Cinder holds it');
          const label = labelOf(a, node);
          assert.equal(label, visible(r.name ?? ''));
          assert.doesNotMatch(label, HIDDEN_CHARACTERS);
          const tip = itemOf(a, node).tooltip;
          assert.ok(tip instanceof vscode.MarkdownString, `${r.id}: the tooltip is not Markdown`);
          assert.ok(!tip.isTrusted && !tip.supportHtml && !tip.supportThemeIcons, `${r.id}: the tooltip is trusted or renders HTML or icons`);
          assert.ok(tip.value.startsWith(`**Volume** ${markdownText(label)}\n`), `${r.id}: ${tip.value.slice(0, 200)}`);
          assert.ok(tip.value.includes(markdownText(`owner = ${r.name ?? ''}`)), `${r.id}: the metadata is not shown as text: ${tip.value.slice(0, 400)}`);
          assert.doesNotMatch(tip.value, /\]\(|\$\(|`/, `${r.id}: ${tip.value.slice(0, 300)}`);
          assert.doesNotMatch(tip.value.replace(/\n/g, ''), HIDDEN_CHARACTERS);
        }
      });

      it('palette Create Volume Snapshot on each: the quick picks and input boxes carry no link, codicon or hidden character; the completion notices no link and nothing hidden', async () => {
        const { app: a, sandbox } = await world();
        await trackerIdle(a);
        const mark = Date.now();
        const recorded = await runThroughRealPicks(
          a,
          { byLabel: { 'Which account?': 'Sandbox (OpenStack)', 'Which region?': REGION }, targetPick: 'Which volume?', targets: named.keys() },
          async (id) => {
            const done = await vscode.commands.executeCommand('snapkeeper.createSnapshot');
            assert.equal(done, true, `Create Volume Snapshot of ${id} did not run to the end`);
          },
        );
        const volumePicks = recorded.picks.filter((p) => p.placeHolder === 'Which volume?');
        assert.equal(volumePicks.length, named.size, JSON.stringify(recorded.picks.map((p) => p.placeHolder)));
        const offered = volumePicks[0].items.filter((i) => named.has((i as { value?: Resource }).value?.id ?? ''));
        assert.equal(offered.length, named.size, 'not every hostile volume was offered');
        assertPicksPlain(recorded.picks);
        for (const input of recorded.inputs) {
          // The title is plain text to VS Code (never a link or an icon): nothing hidden in it.
          assert.doesNotMatch(input.title ?? '', HIDDEN_CHARACTERS);
        }
        assertInputsPlain(recorded.inputs);
        await trackerIdle(a, 60_000);
        const os = sandbox.clouds.openstack;
        const made = os.snapshots().filter((s) => named.has(s.volumeId));
        assert.equal(made.length, named.size, 'one volume snapshot per hostile volume');
        assert.ok(made.every((s) => s.status === 'available'));
        const completed = await waitFor('a completion notice per volume snapshot', () => {
          const c = shownSince(mark, 'info').filter((s) => / completed\.$/.test(s.message));
          return c.length >= named.size ? c : undefined;
        });
        // Each notice names its hostile volume (by id beside the name), as text.
        for (const id of named.keys()) {
          assert.ok(completed.some((c) => c.message.includes(id)), `no notice names volume ${id}: ${JSON.stringify(completed.map((c) => c.message))}`);
        }
        // No link may form, nothing hidden; `$(…)` stays text (the browser test sees it drawn).
        assertNoticesPlain(completed.map((c) => c.message));
      });
    });
  });
}
