#!/usr/bin/env node
// Browser end-to-end suite: the PACKAGED Snapkeeper extension (.vsix) installed into an isolated
// code-server profile, driven through Debian's Chromium by Playwright as a person would use it.
// Plain Node ESM (not mocha). Fourteen scenarios against the built-in sandbox clouds:
//
//   1. open the Snapkeeper view, "Try the Sandbox", expand Sandbox (AWS) → us-east-1 → web-prod-1 → disk
//   2. right-click the disk → Create Snapshot: status bar, completion toast, new snapshot + tooltip
//   3. palette "Snapkeeper: Restore to New Disk…" through its quick picks → new detached disk
//   4. Delete Snapshot on the snapshot an AMI uses → refusal naming the AMI, snapshot kept
//   5. a region fault injected through the sandbox control API → error node with Retry → recovery
//   6. Azure: Sandbox (Azure) → Snapkeeper Dev → East US → web-01 → web-01-data → Create Snapshot
//      (incremental), then Export Snapshot (modal, URL to the clipboard, "export open") and Revoke
//   7. Open Snapshot Chain on web-prod-1-data: figures against the sandbox's block accounting,
//      keyboard selection → "If deleted" preview, hostile names/tags shown as plain text
//   8. Google Cloud: Sandbox (Google Cloud) → snapkeeper-dev → us-central1-a → web-1 → web-1-data:
//      stored bytes in the tooltip, Create Snapshot tracked to DONE (the SDK runs in a worker)
//   9. a volume named with a command link and a codicon: the palette's quick pick, the input box
//      and the completion notification show the name as text (no <a>, no codicon element)
//  10. a window reload (Developer: Reload Window) brings back the tree as it was expanded and
//      the open snapshot chain panel (restored by the extension's webview serializer)
//  11. the chain webview's restore-point section: the packaged webview bundle in its own page,
//      sent a volume's chain in the words of a cloud whose restore points are "VM snapshots",
//      hostile names on them: a section of its own, memory/current/parent marks, names as text
//  12. Apache CloudStack (run before the reload of 10): "Add Apache CloudStack Account…" typed in
//      (endpoint, API key, the secret key in a masked box) against the sandbox's CloudStack API;
//      the secret in neither the settings file nor the log; expand zone → VM → volumes and the VM
//      snapshots group; a VM snapshot's menu says "Revert VM to VM Snapshot…" (CloudStack's title,
//      not the neutral one); Create Snapshot tracked to done; the chain panel draws the volume's
//      snapshots with CloudStack's physicalsize and the VM snapshots section
//  13. the chain webview's backups: the packaged bundle in its own page, sent a volume protected
//      only by backups (a full one, an incremental line and a branch, hostile names): rows parents
//      first with the branch stepped in, bars in proportion, keyboard selection, the delete rule,
//      buttons and the parent link posting; a malformed chain refused saying what is wrong
//  14. OpenStack (run before the reload of 10): Sandbox (OpenStack) → RegionOne → web-1 (its local
//      root disk and its instance snapshots); "Create Instance Snapshot…" from the context menu
//      (OpenStack's titles, not "Create Restore Point…" / "Revert VM to Restore Point…")
//      tracked to done (status bar, notification, listed active); "Roll Back (Rebuild)…" on an
//      instance snapshot: the modal names the server, what is lost and what stays, Enter keeps
//      (Nova untouched), then Roll Back rebuilds it (REBUILD → ACTIVE on Nova's API); the chain
//      panel of db-1-data: its backup rows against the sandbox's backups (count, parents, objects)
//
//   node test/e2e/browser.e2e.mjs [--vsix F] [--keep] [--headed] [--only 1,14]
//
// --only runs the listed scenarios only, in the usual order (while working on one: scenario 1
// opens the view and adds the sandbox accounts, which the others start from).
// Without --vsix it packages the extension first (npm run package → dist/snapkeeper.vsix).
// Artefacts go to test-results/e2e/ ($SNAPKEEPER_E2E_OUT): a PNG per step (b<scenario>-<step>-…),
// results.json {passes, failures, tests:[{title,state,error?}]}, the extension host log, the
// Snapkeeper output channel and the browser console. Prints PASS/FAIL per scenario and ends with
// exactly one line "N passed, N failed"; exits 1 on any failure.
/* global document, getComputedStyle -- used only in functions that run in the page */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { launchChromium, loadPlaywright, VIEWPORT } from '../../scripts/harness/browser.mjs';
import { findLogs, freePort, startCodeServer } from '../../scripts/harness/server.mjs';
import { checkBackupSection, checkRestorePointSection } from './lib/chainPage.mjs';
import { clean, reEscape, TIMEOUT, Workbench } from './lib/workbench.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const outDir = resolve(process.env.SNAPKEEPER_E2E_OUT ?? join(root, 'test-results', 'e2e'));

const ACCOUNT = 'Sandbox (AWS)';
const REGION = 'us-east-1';
const VM = 'web-prod-1';
const DISK = 'web-prod-1-data';
const ROOT_DISK = 'web-prod-1-root';
/** The root chain's first snapshot: AMI web-base-2025-01 is registered from it. */
const SNAPSHOT_IN_USE = 'web-prod-1-root-1';
const AMI_NAME = 'web-base-2025-01';
/** A seeded completed snapshot to restore from the palette. */
const RESTORE_FROM = 'web-prod-1-data-4';
const FAULT_REGION = 'eu-west-1';
const FAULT_VM = 'analytics-eu';
const SANDBOX_KEY = 'AKIASNAPKEEPERSANDBOX';
const FAULT = { code: 'Unavailable', message: `Service unavailable in ${FAULT_REGION}`, status: 503 };

const AZ_ACCOUNT = 'Sandbox (Azure)';
const AZ_SUBSCRIPTION = 'Snapkeeper Dev';
const AZ_LOCATION = 'East US';
const AZ_VM = 'web-01';
const AZ_DISK = 'web-01-data';

const GCP_ACCOUNT = 'Sandbox (Google Cloud)';
const GCP_PROJECT = 'snapkeeper-dev';
const GCP_ZONE = 'us-central1-a';
const GCP_VM = 'web-1';
const GCP_DISK = 'web-1-data';

const CS_ZONE = 'gva-1';
const CS_VM = 'web-1';
const CS_VOLUME = 'web-1-data';
const CS_VM_SNAPSHOT = 'web-1-pre-upgrade';
/** The sandbox's CloudStack keys (src/sandbox/cloudstack/http.ts SANDBOX_CLOUDSTACK_KEYS), typed in as a user would. */
const CS_KEYS = { apiKey: 'snapkeeper-sandbox-cloudstack-api-key-not-a-real-key', secretKey: 'snapkeeper-sandbox-cloudstack-secret-key-not-a-real-secret' };

const OS_ACCOUNT = 'Sandbox (OpenStack)';
const OS_REGION = 'RegionOne';
const OS_SERVER = 'web-1';
const OS_DB = 'db-1';
const OS_VOLUME = 'db-1-data';
/** The older of web-1's seeded instance snapshots: Roll Back rebuilds web-1 from it. */
const OS_POINT = 'web-1-before-upgrade';
/** The sandbox's OpenStack user (src/sandbox/openstack/seed.ts SEEDED), to read Nova and Cinder as the oracle. */
const OS_USER = { name: 'demo', password: 'snapkeeper-sandbox-openstack-password-not-a-real-secret', project: 'snapkeeper-demo', domain: 'Default' };

const SCENARIOS = 14;
/** `--only 1,14`: the scenarios to run (all when absent). */
const ONLY = option('--only') ? new Set(option('--only').split(',').map(Number)) : undefined;
const EXPECTED = ONLY ? ONLY.size : SCENARIOS;
const RUN = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');

// --- scenario bookkeeping --------------------------------------------------------------------

/** @type {import('playwright-core').Page} */
let page;
/** @type {Workbench} */
let wb;
/** @type {import('playwright-core').Browser} */
let chromium;
/** The installed extension's folder (its packaged files). */
let installedExtension;
/** The code-server run's folders: its user settings file and its logs. */
let runFolders;
const tests = [];

function slug(s) {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

async function screenshot(file) {
  if (!page) return undefined;
  try {
    await page.screenshot({ path: join(outDir, file), timeout: 10_000, animations: 'disabled' });
    return file;
  } catch {
    return undefined;
  }
}

/**
 * One scenario: its steps each leave a screenshot, its outcome is a PASS/FAIL line. A failed
 * scenario does not stop the next (each starts from what a person would see: no menus, pickers
 * or toasts left open).
 */
async function scenario(no, title, fn) {
  if (ONLY && !ONLY.has(no)) return;
  const t0 = Date.now();
  let stepNo = 0;
  const notes = [];
  const ctx = {
    /** A step: runs fn, then saves b<no>-<step>-<name>.png. */
    step: async (name, fn2) => {
      const prefix = `b${no}-${String(++stepNo).padStart(2, '0')}-${slug(name)}`;
      ctx.current = name;
      const detail = await fn2({ shot: (suffix) => screenshot(`${prefix}${suffix ? `-${slug(suffix)}` : ''}.png`) });
      await screenshot(`${prefix}.png`);
      if (detail) notes.push(`${name}: ${detail}`);
      if (process.env.SNAPKEEPER_E2E_VERBOSE) console.log(`      · ${name}${detail ? ` — ${detail}` : ''}`);
      return detail;
    },
    note: (s) => notes.push(s),
    current: '',
  };
  let error;
  try {
    if (!page) throw new Error('the workbench did not open (see above)');
    await fn(ctx);
  } catch (e) {
    error = `${ctx.current ? `[${ctx.current}] ` : ''}${(e?.message ?? String(e)).split('\n').slice(0, 8).join('\n')}`;
    await screenshot(`b${no}-${String(stepNo + 1).padStart(2, '0')}-FAILED-${slug(ctx.current || 'setup')}.png`);
  }
  const seconds = Number(((Date.now() - t0) / 1000).toFixed(1));
  tests.push({ title, state: error ? 'failed' : 'passed', ...(error ? { error } : {}), seconds, notes });
  console.log(`${error ? 'FAIL' : 'PASS'}  ${no}. ${title} (${seconds} s)`);
  if (error) console.log(`      ${error.replace(/\n/g, '\n      ')}`);
  for (const n of notes) console.log(`      · ${n}`);
  if (page) await tidy().catch(() => undefined);
}

/** Leaves the workbench as a person would start the next task: nothing open, no toasts. */
async function tidy() {
  await wb.closeMenu().catch(() => undefined);
  await wb.closeQuickInput();
  await page.keyboard.press('Escape');
  await wb.clearNotifications();
}

// --- the sandbox control API -------------------------------------------------------------------

async function putFaults(port, body) {
  const res = await fetch(`http://127.0.0.1:${port}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-snapkeeper-sandbox-key': SANDBOX_KEY },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`PUT /_sandbox/faults answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

// --- packaging -----------------------------------------------------------------------------------

function packageVsix() {
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, encoding: 'utf8' });
  const vsix = join(root, 'dist', 'snapkeeper.vsix');
  if (r.status !== 0 || !existsSync(vsix)) {
    throw new Error(`npm run package failed (exit ${r.status}):\n${(r.stderr || r.stdout || '').trim().split('\n').slice(-15).join('\n')}`);
  }
  console.log(`packaged ${vsix} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return vsix;
}

// --- the scenarios -------------------------------------------------------------------------------

async function s1OpenAndExpand(s) {
  await s.step('open the Snapkeeper view', async () => {
    const tab = page.getByRole('tab', { name: 'Snapkeeper' });
    await tab.waitFor({ timeout: TIMEOUT.workbench });
    await tab.click();
    await wb.sidebar().getByRole('button', { name: 'Try the Sandbox' }).waitFor({ timeout: TIMEOUT.load });
    await wb.widenSidebar(640);
    return `welcome: "${clean(await wb.sidebar().locator('.welcome-view-content').innerText())}"`;
  });
  await s.step('click "Try the Sandbox"', async () => {
    await wb.sidebar().getByRole('button', { name: 'Try the Sandbox' }).click();
    const account = wb.row(1, ACCOUNT);
    await wb.waitOrError(account);
    return `${ACCOUNT} — ${await wb.descriptionOf(account)}`;
  });
  await s.step(`expand ${ACCOUNT}`, async () => {
    await wb.expand(wb.row(1, ACCOUNT));
    const region = wb.row(2, REGION);
    await wb.waitOrError(wb.rowsAt(2).first());
    await wb.reveal(region, TIMEOUT.load);
    // Regions are listed in parallel as the account opens: wait for this one's counts.
    const desc = await wb.waitDescription(region, /\d+ VMs?\b/, TIMEOUT.load);
    const top = await wb.childrenOf(wb.row(1, ACCOUNT));
    return `${top.map((c) => `${c.label} (${c.description})`).join(' | ')}; ${REGION} — ${desc}`;
  });
  await s.step(`expand ${REGION}`, async () => {
    const region = wb.row(2, REGION);
    await wb.expand(region);
    await wb.waitOrError(wb.row(3, VM));
    return (await wb.childrenOf(region)).map((c) => `${c.label} (${c.description})`).join(' | ');
  });
  await s.step(`expand ${VM}`, async () => {
    const vm = wb.row(3, VM);
    await wb.expand(vm);
    await wb.waitOrError(wb.row(4, DISK));
    return (await wb.childrenOf(vm)).map((c) => `${c.label} (${c.description})`).join(' | ');
  });
  await s.step(`expand ${DISK}`, async () => {
    const disk = wb.row(4, DISK);
    await wb.expand(disk);
    await wb.waitOrError(wb.rowsAt(5).first());
    const kids = await wb.childrenOf(disk);
    if (!kids.length) throw new Error(`${DISK} shows no snapshots`);
    return kids.map((c) => `${c.label} (${c.description})`).join(' | ');
  });
}

async function s2CreateSnapshot(s) {
  const name = `e2e-${RUN}`;
  const description = `e2e snapshot ${RUN}`;
  const disk = wb.row(4, DISK);
  let opTitle;
  await s.step(`right-click ${DISK} → Create Snapshot…`, async ({ shot }) => {
    await wb.expand(wb.row(1, ACCOUNT));
    await wb.expand(wb.row(2, REGION));
    await wb.expand(wb.row(3, VM));
    await wb.reveal(disk);
    const items = await wb.contextCommand(disk, /^Create Snapshot/, { before: () => shot('menu') });
    return `menu: ${items.join(' | ')}`;
  });
  await s.step('answer the description', async ({ shot }) => {
    const box = await wb.answer({ title: /^Create Snapshot: .*\(1\/2\)/ }, description, { shot: () => shot('typed') });
    return `"${box.title}" — ${box.message || box.placeholder} (default "${box.value}")`;
  });
  // Everything that follows the last answer is watched from the moment it is given: the status
  // bar item lives only while the snapshot is pending (3–8 s in the sandbox).
  const running = wb.statusItem(/Snapkeeper: 1 running/);
  const done = wb.toast(/Snapshot of .*completed\./);
  let runningSeen;
  let doneSeen;
  await s.step(`answer the tags Name=${name}`, async ({ shot }) => {
    const box = await answerTags(/^Create Snapshot: .*\(2\/2\)/, [['Name', name], ['Purpose', 'e2e']], 'tag', shot);
    runningSeen = running.waitFor({ timeout: TIMEOUT.ui }).then(
      async () => ({ text: clean(await running.innerText()), shot: await shot('status-bar-running') }),
      (e) => ({ error: e }),
    );
    doneSeen = wb.waitOrError(done, { timeout: TIMEOUT.operation }).then(
      () => ({}),
      (e) => ({ error: e }),
    );
    return `"${box.title}" — ${box.message || box.placeholder}`;
  });
  await s.step('status bar shows "Snapkeeper: 1 running"', async () => {
    const r = await runningSeen;
    if (r.error) throw new Error(`no "Snapkeeper: 1 running" in the status bar: ${r.error.message.split('\n')[0]}`);
    return `status bar: "${r.text}"`;
  });
  await s.step('completion notification', async () => {
    const r = await doneSeen;
    if (r.error) throw r.error;
    opTitle = await wb.toastText(done);
    if (!new RegExp(`Snapshot of ${reEscape(DISK)} \\(vol-[0-9a-f]+\\) completed\\.`).test(opTitle)) {
      throw new Error(`unexpected completion message: ${opTitle}`);
    }
    await running.waitFor({ state: 'hidden', timeout: TIMEOUT.ui });
    return `toast: "${opTitle}"; status-bar item gone`;
  });
  const snap = wb.row(5, name);
  await s.step(`snapshot ${name} listed under ${DISK}`, async () => {
    await wb.expand(disk);
    await wb.reveal(snap, TIMEOUT.ui);
    // Listed as pending first; the tree is refreshed when the operation ends.
    await wb.waitDescription(snap, /\bcompleted\b/);
    const kids = await wb.childrenOf(disk);
    if (!kids.some((k) => k.label === name)) {
      throw new Error(`${name} is not among ${DISK}'s children: ${kids.map((k) => k.label).join(', ')}`);
    }
    return `${name} — ${await wb.descriptionOf(snap)}`;
  });
  await s.step('tooltip of the new snapshot (Ctrl+K Ctrl+I)', async ({ shot }) => {
    const text = await wb.tooltipOf(snap, { shot: () => shot('hover') });
    const want = [
      [/^Snapshot\b/m, 'the kind "Snapshot"'],
      [new RegExp(reEscape(name)), `its name ${name}`],
      [/\bID: snap-[0-9a-f]+/, 'ID: snap-…'],
      [/\bState: completed\b/, 'State: completed'],
      [new RegExp(`Description: ${reEscape(description)}`), `Description: ${description}`],
      [new RegExp(`Name = ${reEscape(name)}`), `tag Name = ${name}`],
      [/Purpose = e2e/, 'tag Purpose = e2e'],
      [/Source disk: vol-[0-9a-f]+/, 'Source disk: vol-…'],
    ];
    const missing = want.filter(([re]) => !re.test(text)).map(([, what]) => what);
    if (missing.length) throw new Error(`tooltip lacks ${missing.join(', ')}:\n${text}`);
    return `tooltip: ${text.replace(/\n/g, ' ⏎ ')}`;
  });
}

async function s3RestoreFromPalette(s) {
  const name = `e2e-restore-${RUN}`;
  const size = 120;
  const title = 'Restore to New Disk';
  await s.step('palette: "Snapkeeper: Restore to New Disk…"', async ({ shot }) => {
    await wb.runCommand('Snapkeeper: Restore to New Disk…', { shot: () => shot('palette') });
  });
  const steps = [];
  await s.step(`pick the region ${REGION}`, async ({ shot }) => {
    // One account: no account question. Otherwise it comes first.
    const first = await wb.waitQuickInput({ placeholder: /^Which (account|region)\?/ });
    if (/account/.test(first.placeholder)) {
      steps.push(`account: ${ACCOUNT}`);
      await wb.pick({ placeholder: /^Which account\?/ }, ACCOUNT);
    }
    await wb.pick({ title: new RegExp(`^${title}$`), placeholder: /^Which region\?/ }, REGION, { filter: REGION, shot });
    steps.push(`region: ${REGION}`);
  });
  await s.step(`pick the snapshot ${RESTORE_FROM}`, async ({ shot }) => {
    await wb.waitQuickInput({ placeholder: /^Which snapshot\?/ }, TIMEOUT.load);
    const offered = await wb.quickPickRows();
    await wb.pick({ placeholder: /^Which snapshot\?/ }, RESTORE_FROM, { filter: RESTORE_FROM, shot });
    return `${offered.length} snapshot(s) offered in view, e.g. ${offered.slice(0, 3).map((o) => `${o.label} (${o.description})`).join(' | ')}`;
  });
  // gp3 asks for its IOPS and throughput (steps 4 and 5) before the name.
  const stepTitle = (n) => new RegExp(`^${title}: ${reEscape(RESTORE_FROM)} \\(${n}/6\\)`);
  let zone;
  await s.step('pick the zone (the source volume\'s is offered first)', async ({ shot }) => {
    await wb.waitQuickInput({ title: stepTitle(1) }, TIMEOUT.load);
    const rows = await wb.quickPickRows();
    const first = rows[0];
    if (!first || !/zone of the source volume/.test(first.description)) {
      throw new Error(`the source volume's zone is not offered first: ${rows.map((r) => `${r.label} (${r.description})`).join(' | ')}`);
    }
    zone = first.label;
    await wb.pick({ title: stepTitle(1) }, zone, { shot: () => shot('zones') });
    return `zones: ${rows.map((r) => `${r.label} (${r.description})`).join(' | ')}; picked ${zone}`;
  });
  await s.step('pick the volume type gp3', async ({ shot }) => {
    await wb.waitQuickInput({ title: stepTitle(2) });
    const rows = await wb.quickPickRows();
    await wb.pick({ title: stepTitle(2) }, 'gp3', { shot: () => shot('types') });
    return `types: ${rows.map((r) => r.label).join(', ')}`;
  });
  await s.step(`size ${size} GiB`, async ({ shot }) => {
    const box = await wb.answer({ title: stepTitle(3) }, String(size), { shot: () => shot('typed') });
    return `"${box.message || box.placeholder}" (default ${box.value})`;
  });
  await s.step('gp3 IOPS 4000 and throughput 250 MiB/s', async ({ shot }) => {
    const iops = await wb.answer({ title: stepTitle(4) }, '4000', { shot: () => shot('iops') });
    const throughput = await wb.answer({ title: stepTitle(5) }, '250', { shot: () => shot('throughput') });
    return `"${iops.message || iops.placeholder}" (default ${iops.value}); "${throughput.message || throughput.placeholder}" (default ${throughput.value})`;
  });
  const done = wb.toast(new RegExp(`Volume .* from snapshot ${reEscape(RESTORE_FROM)}.*completed\\.`));
  let doneSeen;
  await s.step(`name ${name}`, async ({ shot }) => {
    const box = await wb.answer({ title: stepTitle(6) }, name, { shot: () => shot('typed') });
    doneSeen = wb.waitOrError(done, { timeout: TIMEOUT.operation }).then(
      () => ({}),
      (e) => ({ error: e }),
    );
    return `"${box.message || box.placeholder}" (default "${box.value}")`;
  });
  await s.step('completion notification', async () => {
    const r = await doneSeen;
    if (r.error) throw r.error;
    return `toast: "${await wb.toastText(done)}"`;
  });
  await s.step(`"Reveal in Tree" → ${name} under Detached disks`, async () => {
    // Fold the VM first so the reveal has to open the Detached disks folder by itself.
    await wb.collapse(wb.row(3, VM));
    await done.getByRole('button', { name: 'Reveal in Tree' }).click();
    const folder = wb.row(3, 'Detached disks');
    const disk = wb.row(4, name);
    await wb.poll(async () => /\bselected\b/.test((await disk.getAttribute('class', { timeout: 1_000 })) ?? ''), {
      what: `${name} to be revealed and selected in the tree`,
    });
    await wb.reveal(disk, TIMEOUT.ui);
    if ((await folder.getAttribute('aria-expanded')) !== 'true') throw new Error('Detached disks was not expanded by the reveal');
    // The description names the state only while it is not ready ("creating").
    const desc = await wb.waitDescription(disk, /^(?!.*\b(creating|pending)\b)/);
    if (!new RegExp(`\\b${size} GiB\\b`).test(desc) || !/\bgp3\b/.test(desc)) throw new Error(`${name}: unexpected description "${desc}"`);
    const kids = await wb.childrenOf(folder);
    return `Detached disks: ${kids.map((k) => `${k.label} (${k.description})`).join(' | ')}`;
  });
  await s.step(`tooltip of ${name}`, async ({ shot }) => {
    const text = await wb.tooltipOf(wb.row(4, name), { shot: () => shot('hover') });
    const missing = [
      [/\bID: vol-[0-9a-f]+/, 'ID: vol-…'],
      [/\bState: available\b/, 'State: available'],
      [new RegExp(`Size: ${size} GiB`), `Size: ${size} GiB`],
      [/Type: gp3/, 'Type: gp3'],
      [/Restored from: snap-[0-9a-f]+/, 'Restored from: snap-…'],
      [new RegExp(`Zone: ${reEscape(zone)}`), `Zone: ${zone}`],
      [/Attached to: not attached/, 'Attached to: not attached'],
    ]
      .filter(([re]) => !re.test(text))
      .map(([, w]) => w);
    if (missing.length) throw new Error(`tooltip lacks ${missing.join(', ')}:\n${text}`);
    return `tooltip: ${text.replace(/\n/g, ' ⏎ ')}`;
  });
}

async function s4DeleteInUse(s) {
  const snap = wb.row(5, SNAPSHOT_IN_USE);
  await s.step(`expand ${ROOT_DISK}`, async () => {
    await wb.expand(wb.row(1, ACCOUNT));
    await wb.expand(wb.row(2, REGION));
    await wb.expand(wb.row(3, VM));
    const disk = wb.row(4, ROOT_DISK);
    await wb.expand(disk);
    await wb.reveal(snap);
    return (await wb.childrenOf(disk)).map((c) => `${c.label} (${c.description})`).join(' | ');
  });
  const refusal = wb.toast(/Snapkeeper: AMI .* uses snapshot/, 'error');
  await s.step(`right-click ${SNAPSHOT_IN_USE} → Delete Snapshot…`, async ({ shot }) => {
    const items = await wb.contextCommand(snap, /^Delete Snapshot/, { before: () => shot('menu') });
    return `menu: ${items.join(' | ')}`;
  });
  await s.step('the refusal names the AMI', async ({ shot }) => {
    await refusal.waitFor({ timeout: TIMEOUT.ui });
    await shot('as-shown');
    // The toast shows one truncated line; a person expands it to read which AMI.
    await wb.expandToast(refusal);
    const text = await wb.toastText(refusal);
    if (!/\bami-[0-9a-f]+\b/.test(text) || !text.includes(AMI_NAME)) throw new Error(`the refusal does not name ami-… (${AMI_NAME}): ${text}`);
    if (!text.includes(SNAPSHOT_IN_USE)) throw new Error(`the refusal does not name the snapshot: ${text}`);
    // A refusal, not a question: no confirmation dialog.
    if (await page.locator('.monaco-dialog-box').isVisible()) throw new Error('a confirmation dialog opened although the deletion is refused');
    return `error toast: "${text}"`;
  });
  await s.step(`${SNAPSHOT_IN_USE} still listed`, async () => {
    await wb.clearNotifications();
    await wb.runCommand('Snapkeeper: Refresh');
    await wb.waitNotLoading();
    const region = wb.row(2, REGION);
    await wb.reveal(region);
    await wb.waitDescription(region, /^[^·]* · \d+ VMs?\b/, TIMEOUT.load);
    await wb.expand(wb.row(3, VM));
    await wb.expand(wb.row(4, ROOT_DISK));
    await wb.reveal(snap);
    return `${SNAPSHOT_IN_USE} — ${await wb.descriptionOf(snap)} (after Refresh)`;
  });
}

async function s5RegionFault(s, sandboxPort) {
  let cleared = false;
  try {
    await s5Steps(s, sandboxPort, () => (cleared = true));
  } finally {
    if (!cleared) await putFaults(sandboxPort, {}).catch(() => undefined);
  }
}

async function s5Steps(s, sandboxPort, markCleared) {
  const region = wb.row(2, FAULT_REGION);
  const errorRow = wb.row(3, new RegExp(reEscape(FAULT.message)));
  await s.step(`inject a fault for ${FAULT_REGION} (control API on port ${sandboxPort})`, async () => {
    await wb.expand(wb.row(1, ACCOUNT));
    // Scenario 4 ended with a Refresh: let the regions finish redrawing before clicking.
    await wb.waitTreeStable();
    // Fold us-east-1 so eu-west-1's rows are in view.
    await wb.collapse(wb.row(2, REGION));
    await wb.reveal(region);
    const now = await putFaults(sandboxPort, { regions: { [FAULT_REGION]: FAULT } });
    return `faults now: ${JSON.stringify(now)}`;
  });
  await s.step(`right-click ${FAULT_REGION} → Refresh`, async ({ shot }) => {
    const items = await wb.contextCommand(region, /^Refresh$/, { before: () => shot('menu') });
    await wb.expand(region);
    return `menu: ${items.join(' | ')}`;
  });
  await s.step('error node with the message and Retry', async ({ shot }) => {
    // The SDK retries a 503 a few times before the listing fails.
    const desc = await wb.waitDescription(region, /failed/, TIMEOUT.load);
    await wb.reveal(errorRow, TIMEOUT.ui);
    // A failed region stays failed until Retry: it must not reload by itself (a reload loop shows
    // as the row flickering between "loading…" and "failed to load").
    const seen = new Set();
    for (const end = Date.now() + 1_500; Date.now() < end; ) {
      seen.add(await wb.descriptionOf(region).catch(() => '?'));
      await page.waitForTimeout(100);
    }
    if ([...seen].some((d) => /loading/.test(d))) throw new Error(`${FAULT_REGION} reloads by itself while failed: ${[...seen].join(' / ')}`);
    const kids = await wb.childrenOf(region);
    // Inline Retry (shown on hover/selection) and in the context menu.
    await errorRow.hover();
    const inline = errorRow.getByRole('button', { name: 'Retry' });
    await inline.waitFor({ timeout: TIMEOUT.ui });
    await shot('inline-retry');
    const items = await wb.openContextMenu(errorRow);
    await shot('context-menu');
    await wb.closeMenu();
    if (!items.some((i) => /^Retry/.test(i))) throw new Error(`no Retry in the error node's context menu: ${items.join(' | ')}`);
    const tip = await wb.tooltipOf(errorRow, { shot: () => shot('tooltip') });
    return `${FAULT_REGION} — ${desc}; rows: ${kids.map((k) => k.label).join(' | ')}; context menu: ${items.join(' | ')}; tooltip: ${tip.replace(/\n/g, ' ⏎ ')}`;
  });
  await s.step('clear the fault, click Retry', async () => {
    await putFaults(sandboxPort, {});
    markCleared();
    await wb.reveal(errorRow);
    await errorRow.hover();
    await errorRow.getByRole('button', { name: 'Retry' }).click();
    await wb.waitOrError(errorRow, { state: 'detached', timeout: TIMEOUT.load });
  });
  await s.step(`${FAULT_REGION} lists ${FAULT_VM} again`, async () => {
    await wb.waitDescription(region, /^[^·]* · \d+ VMs?\b/, TIMEOUT.load);
    const vm = wb.row(3, FAULT_VM);
    await wb.reveal(vm);
    const kids = await wb.childrenOf(region);
    if (kids.some((k) => k.label.includes(FAULT.message))) throw new Error('the error node is still there');
    return `${FAULT_REGION} — ${await wb.descriptionOf(region)}; rows: ${kids.map((k) => `${k.label} (${k.description})`).join(' | ')}`;
  });
}

// --- the run ---------------------------------------------------------------------------------------

/**
 * Answers a tags field in the tag editor as a person does: "Add a tag…", the key, the value, for
 * each tag, then "Done". Returns what the list showed first.
 */
async function answerTags(title, tags, noun = 'tag', shot) {
  const first = await wb.waitQuickInput({ title });
  for (const [key, value] of tags) {
    await wb.pick({ title }, `Add a ${noun}…`);
    await wb.answer({ title, placeholder: new RegExp(`^${noun} key$`) }, key);
    await wb.answer({ title, placeholder: new RegExp(`^${noun} value$`) }, value);
  }
  // The list again (its placeholder says "one at a time", or "one item at a time"): Done is first, naming how many there are.
  await wb.waitQuickInput({ title, placeholder: /\bat a time\b/ });
  const done = (await wb.quickPickRows()).find((r) => r.label.startsWith('Done: '));
  if (!done) throw new Error(`no Done in the tag editor: ${JSON.stringify(await wb.quickPickRows())}`);
  await wb.pick({ title }, done.label, { shot: shot ? () => shot('tags') : undefined });
  return first;
}

/** Presses the button of the open modal dialog (VS Code's own dialog in the browser). */
async function pressDialogButton(name, shot) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: TIMEOUT.ui });
  const text = clean(await dialog.innerText());
  if (shot) await shot('dialog');
  await dialog.getByRole('button', { name, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT.ui });
  return text;
}

// --- the snapshot chain webview -----------------------------------------------------------------

/** As the webview prints bytes. */
function bytesText(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

async function control(port, method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-snapkeeper-sandbox-key': SANDBOX_KEY },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** The webview's content frame (inside code-server's webview iframe), once it drew the chain. */
/** Relative luminance of a CSS rgb()/rgba() colour (WCAG). */
function luminance(rgb) {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

async function chainFrame(what = 'the chain webview') {
  return wb.poll(
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        if (await f.locator('#snapshot-list').count().catch(() => 0)) return f;
      }
      return undefined;
    },
    { timeout: TIMEOUT.load, what },
  );
}

const HOSTILE_TAG = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_NAME = `[click me](command:workbench.action.closeWindow) **bold** <b>x</b> e2e-${RUN}`;

async function s7Chain(s, sandboxPort) {
  const disk = wb.row(4, DISK);
  let frame;
  let volumeId;
  await s.step(`right-click ${DISK} → Open Snapshot Chain`, async ({ shot }) => {
    await wb.collapse(wb.row(1, AZ_ACCOUNT)).catch(() => undefined);
    await wb.expand(wb.row(1, ACCOUNT));
    await wb.expand(wb.row(2, REGION));
    await wb.expand(wb.row(3, VM));
    await wb.reveal(disk);
    const items = await wb.contextCommand(disk, /^Open Snapshot Chain/, { before: () => shot('menu') });
    frame = await chainFrame();
    await frame.locator('#totals').waitFor();
    await wb.poll(async () => !/Fetching/.test(await frame.locator('#source').innerText()), { timeout: TIMEOUT.load, what: 'the figures' });
    const tab = page.locator('.tab', { hasText: `Chain: ${DISK}` });
    if (!(await tab.count())) throw new Error(`no editor tab "Chain: ${DISK}"`);
    return `menu: ${items.join(' | ')}; ${clean(await frame.locator('#totals').innerText())}`;
  });
  await s.step('every figure equals the sandbox block accounting', async () => {
    const rows = frame.locator('.rows .row[data-id]');
    const n = await rows.count();
    if (n < 4) throw new Error(`only ${n} snapshot rows drawn`);
    const seen = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = await rows.nth(i).getAttribute('data-id');
      const shown = clean(await rows.nth(i).locator('.c-bytes').innerText());
      const facts = await control(sandboxPort, 'GET', `/_sandbox/aws/snapshots/${id}?region=${REGION}`);
      volumeId ??= facts.volumeId;
      total += facts.storedBytes;
      if (shown !== bytesText(facts.storedBytes)) throw new Error(`${id} shows "${shown}", the sandbox stores ${bytesText(facts.storedBytes)}`);
      seen.push(`${clean(await rows.nth(i).locator('.c-name').innerText())}=${shown}`);
    }
    const first = seen.slice(0, 4).map((x) => x.split('=')[1]);
    if (first.join(',') !== '500 MiB,120 MiB,30.0 MiB,75.0 MiB') throw new Error(`the seeded chain shows ${first.join(', ')}`);
    const totals = clean(await frame.locator('#totals').innerText());
    if (!totals.includes(`stored: ${bytesText(total)}`)) throw new Error(`totals "${totals}" do not say stored: ${bytesText(total)}`);
    if (!/full copies would take/.test(totals)) throw new Error(`no full-copy cost in "${totals}"`);
    const branches = clean(await frame.locator('.branches').innerText());
    if (!/web-data-restore-test/.test(branches)) throw new Error(`the restored disk is not a branch: ${branches}`);
    return `${seen.join(' | ')}; ${totals}`;
  });
  await s.step('keyboard: Home, ↓, ↓, Enter selects #3 → "If deleted" preview', async ({ shot }) => {
    const list = frame.locator('#snapshot-list');
    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await shot('active');
    await page.keyboard.press('Enter');
    const third = frame.locator('.rows .row[data-id]').nth(2);
    if ((await third.getAttribute('aria-selected')) !== 'true') throw new Error('Enter did not select the third snapshot');
    const id = await third.getAttribute('data-id');
    const name = clean(await frame.locator('#detail-name').innerText());
    if (name !== `${DISK}-3`) throw new Error(`the detail shows ${name}`);
    const { deleteImpact } = await control(sandboxPort, 'GET', `/_sandbox/aws/snapshots/${id}?region=${REGION}`);
    const freed = clean(await frame.locator('#impact-freed').innerText());
    if (freed !== `Frees ${bytesText(deleteImpact.freedBytes)}`) throw new Error(`"${freed}" but the sandbox would free ${bytesText(deleteImpact.freedBytes)}`);
    const impact = clean(await frame.locator('#impact').innerText());
    for (const m of deleteImpact.moved) {
      if (!impact.includes(`Moves ${bytesText(m.bytes)} to`)) throw new Error(`the preview does not move ${bytesText(m.bytes)}: ${impact}`);
    }
    const actions = await frame.locator('.detail .actions button').allInnerTexts();
    if (!actions.some((a) => /^Delete Snapshot/.test(a)) || !actions.some((a) => /^Restore to New Disk/.test(a))) throw new Error(`actions: ${actions.join(' | ')}`);
    return `${impact}; actions: ${actions.join(' | ')}`;
  });
  await s.step('hostile name and tag via the sandbox, shown as plain text, nothing runs', async ({ shot }) => {
    await control(sandboxPort, 'POST', '/_sandbox/aws/writes', { region: REGION, volumeId, mib: 3 });
    const { snapshotIds } = await control(sandboxPort, 'POST', '/_sandbox/aws/bulk-snapshots', { region: REGION, volumeId, count: 1 });
    const { EC2Client, CreateTagsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = new EC2Client({
      region: REGION,
      endpoint: `http://127.0.0.1:${sandboxPort}`,
      credentials: { accessKeyId: SANDBOX_KEY, secretAccessKey: 'snapkeeper/sandbox/secret/key/not-a-real-secret' },
    });
    await ec2.send(new CreateTagsCommand({ Resources: snapshotIds, Tags: [{ Key: 'Name', Value: HOSTILE_NAME }, { Key: 'Note', Value: HOSTILE_TAG }] }));
    ec2.destroy();
    await frame.locator('.tools button', { hasText: 'Refresh' }).click();
    const row = frame.locator(`.rows .row[data-id="${snapshotIds[0]}"]`);
    await wb.poll(async () => (await row.count()) > 0 && /MiB/.test(await row.locator('.c-bytes').innerText()), { timeout: TIMEOUT.load, what: 'the hostile snapshot with its figure' });
    await row.click();
    await shot('selected');
    const title = await frame.locator('#detail-name').innerText();
    if (title !== HOSTILE_NAME) throw new Error(`the name is not shown as plain text: "${title}"`);
    const tags = await frame.locator('.detail .tags').innerText();
    if (!tags.includes(HOSTILE_TAG)) throw new Error(`the tag is not shown as plain text: ${tags}`);
    const stored = clean(await row.locator('.c-bytes').innerText());
    if (stored !== '3.0 MiB') throw new Error(`the new snapshot shows ${stored}, not 3.0 MiB`);
    const imgs = await frame.locator('img, a, b').count();
    const pwned = await frame.evaluate(() => globalThis.__pwned);
    const topPwned = await page.evaluate(() => globalThis.__pwned);
    if (imgs || pwned !== undefined || topPwned !== undefined) throw new Error(`markup was interpreted: ${imgs} img/a/b element(s), __pwned=${pwned}/${topPwned}`);
    if (!(await page.locator('.monaco-workbench').count())) throw new Error('the workbench is gone');
    return `name "${title}"; tags ${clean(tags)}; no element made from them, __pwned undefined`;
  });
  await s.step('follows the VS Code theme: dark, high contrast, light — readable text in each', async ({ shot }) => {
    const notes = [];
    let before = '';
    for (const [theme, dark] of [['Dark Modern', true], ['Dark High Contrast', true], ['Light Modern', false]]) {
      // As a person does: Preferences: Color Theme, then the theme.
      await wb.runCommand('Preferences: Color Theme');
      await wb.pick({ placeholder: /Color Theme/ }, theme, { filter: theme });
      const colours = await wb.poll(
        async () => {
          const c = await frame.evaluate(() => {
            const body = getComputedStyle(document.body);
            const name = document.querySelector('.rows .row[data-id] .c-name');
            return { bg: body.backgroundColor, fg: name ? getComputedStyle(name).color : body.color };
          });
          // The panel repainted in this theme: dark or light as it should be, and not the last theme's colours.
          return luminance(c.bg) < 0.2 === dark && `${c.bg}/${c.fg}` !== before ? c : undefined;
        },
        { timeout: TIMEOUT.ui, what: `the panel in ${theme}` },
      );
      await page.mouse.move(1, 1); // no hover on the buttons
      await shot(theme.toLowerCase().replace(/\s+/g, '-'));
      const ratio = contrast(colours.bg, colours.fg);
      if (ratio < 4.5) throw new Error(`${theme}: snapshot names ${colours.fg} on ${colours.bg} have a contrast of ${ratio.toFixed(1)}:1 (< 4.5:1)`);
      // The action buttons' labels too (a transparent button shows the panel's background).
      const buttons = await frame.evaluate(() =>
        [...document.querySelectorAll('.detail .actions button')].map((b) => {
          const st = getComputedStyle(b);
          return { label: b.textContent ?? '', fg: st.color, bg: st.backgroundColor };
        }),
      );
      const weak = buttons
        .map((b) => ({ ...b, ratio: contrast(/rgba\(.*, 0\)$/.test(b.bg) ? colours.bg : b.bg, b.fg) }))
        .filter((b) => b.ratio < 4.5);
      if (weak.length) throw new Error(`${theme}: ${weak.map((b) => `"${b.label}" ${b.fg} on ${b.bg} (${b.ratio.toFixed(1)}:1)`).join(', ')}`);
      notes.push(`${theme}: ${colours.fg} on ${colours.bg} (${ratio.toFixed(1)}:1), ${buttons.length} buttons ≥ 4.5:1`);
      before = `${colours.bg}/${colours.fg}`;
    }
    return notes.join('; ');
  });
}

async function s10Reload(s) {
  const disk = wb.row(4, DISK);
  await s.step(`expand ${ACCOUNT} → ${REGION} → ${VM} → ${DISK} and open its chain`, async () => {
    await wb.expand(wb.row(1, ACCOUNT));
    await wb.expand(wb.row(2, REGION));
    await wb.expand(wb.row(3, VM));
    await wb.expand(disk);
    await wb.contextCommand(disk, /^Open Snapshot Chain/);
    const frame = await chainFrame();
    await frame.locator('#snapshot-list').waitFor();
    return `${(await wb.childrenOf(disk)).length} snapshot row(s) under ${DISK}; chain panel open`;
  });
  await s.step('Developer: Reload Window', async () => {
    // The workbench's own reload (it saves its state first, as a person's reload does).
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: TIMEOUT.workbench });
    await wb.runCommand('Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: TIMEOUT.workbench });
  });
  await s.step(`the tree comes back expanded down to ${DISK}'s snapshots`, async () => {
    // Nothing is clicked: the rows appear because the extension reports them expanded.
    await wb.waitOrError(disk, { timeout: TIMEOUT.load });
    await wb.reveal(disk, TIMEOUT.load);
    await wb.poll(async () => (await disk.getAttribute('aria-expanded', { timeout: 1_000 })) === 'true', { timeout: TIMEOUT.load, what: `${DISK} expanded` });
    const kids = await wb.poll(async () => {
      const k = await wb.childrenOf(disk);
      return k.length ? k : undefined;
    }, { timeout: TIMEOUT.load, what: `snapshots under ${DISK}` });
    return kids.map((c) => c.label).join(' | ');
  });
  await s.step('the chain panel comes back with its chain', async () => {
    const tab = page.locator('.tab', { hasText: `Chain: ${DISK}` });
    await wb.poll(async () => (await tab.count()) > 0, { timeout: TIMEOUT.load, what: `the editor tab "Chain: ${DISK}"` });
    await tab.first().click();
    const frame = await chainFrame('the restored chain webview');
    const rows = frame.locator('.rows .row[data-id]');
    await wb.poll(async () => (await rows.count()) > 0, { timeout: TIMEOUT.load, what: 'snapshot rows in the restored panel' });
    const page0 = clean(await frame.locator('#totals').innerText());
    return `${await rows.count()} row(s); ${page0}`;
  });
}

async function s11RestorePointSection(s) {
  await s.step('the packaged chain webview draws VM snapshots in a section of their own, names as text', async () => {
    if (!chromium || !installedExtension) throw new Error('no browser or no installed extension');
    return checkRestorePointSection(chromium, join(installedExtension, 'dist', 'webview'), (webview) =>
      webview.screenshot({ path: join(outDir, 'b11-00-restore-point-section.png'), fullPage: true }),
    );
  });
}

async function s13BackupSection(s) {
  await s.step('the packaged chain webview draws a volume’s backups: parents, branch, bars, keyboard, delete rule, buttons; names as text', async () => {
    if (!chromium || !installedExtension) throw new Error('no browser or no installed extension');
    return checkBackupSection(chromium, join(installedExtension, 'dist', 'webview'), (webview, suffix) =>
      webview.screenshot({ path: join(outDir, `b13-00-backup-section${suffix ? `-${suffix}` : ''}.png`), fullPage: true }),
    );
  });
}

/** The chain webview frame whose heading is `heading` (several chain panels may be open). */
async function chainFrameTitled(heading) {
  return wb.poll(
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        const h1 = f.locator('header h1');
        if ((await h1.count().catch(() => 0)) && clean(await h1.first().innerText().catch(() => '')) === heading) return f;
      }
      return undefined;
    },
    { timeout: TIMEOUT.load, what: `the chain webview "${heading}"` },
  );
}

/** Every file of the run's logs that holds `text`. */
function logsHolding(text) {
  return findLogs(runFolders.logs, /\.log$/).filter((f) => {
    try {
      return readFileSync(f, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

/**
 * A context menu's items say the cloud's own titles (its adapter module's menuTitles), not the
 * action table's neutral ones: each of `shows` is an item, none of `hides` is.
 */
function expectMenu(items, shows, hides) {
  const missing = shows.filter((t) => !items.includes(t));
  const neutral = hides.filter((t) => items.includes(t));
  if (missing.length || neutral.length) {
    throw new Error(`the menu lacks ${missing.map((t) => `"${t}"`).join(', ') || 'nothing'} and shows ${neutral.map((t) => `"${t}"`).join(', ') || 'nothing it should not'}: ${items.join(' | ')}`);
  }
}

async function s12CloudStack(s, sandboxPort) {
  const endpoint = `http://127.0.0.1:${sandboxPort}/client/api`;
  const account = wb.row(1, `CloudStack 127.0.0.1:${sandboxPort}`);
  const vm = wb.row(3, CS_VM);
  const volume = wb.row(4, CS_VOLUME);
  const name = `e2e-cs-${RUN}`;
  await s.step('palette "Add Apache CloudStack Account…": endpoint and API key typed in', async ({ shot }) => {
    for (const a of [ACCOUNT, AZ_ACCOUNT, GCP_ACCOUNT]) await wb.collapse(wb.row(1, a)).catch(() => undefined);
    await wb.closeQuickInput();
    await wb.clearNotifications();
    await wb.runCommand('Snapkeeper: Add Apache CloudStack Account…');
    const first = await wb.answer({ title: /^Add Apache CloudStack Account \(1\/4\)/ }, endpoint, { shot: () => shot('endpoint') });
    const second = await wb.answer({ title: /\(2\/4\)/ }, CS_KEYS.apiKey);
    return `"${first.title}": ${endpoint}; "${second.title}"`;
  });
  await s.step('the secret key box is masked (type=password): the typed key is never shown', async ({ shot }) => {
    const box = await wb.waitQuickInput({ title: /\(3\/4\)/ });
    const input = wb.quickInputBox();
    const type = await input.getAttribute('type');
    if (type !== 'password') throw new Error(`the secret key box is type="${type}", not a masked password box`);
    await input.fill(CS_KEYS.secretKey);
    await shot('masked');
    // What the page shows (text, and every input's visible rendering) never holds the key.
    const shown = await page.evaluate((secret) => document.body.innerText.includes(secret), CS_KEYS.secretKey);
    if (shown) throw new Error('the secret key is shown as text on the page');
    await input.press('Enter');
    await wb.answer({ title: /\(4\/4\)/ }, '');
    return `"${box.title}": type=${type}; CA file left empty`;
  });
  await s.step('the keys are tested, the account is added; the secret is in neither the settings file nor the log', async () => {
    await wb.waitOrError(account, { timeout: TIMEOUT.load });
    const desc = await wb.descriptionOf(account);
    const settings = readFileSync(runFolders.settings, 'utf8');
    if (settings.includes(CS_KEYS.secretKey)) throw new Error(`the secret key is in ${runFolders.settings}`);
    if (!settings.includes('"snapkeeper.sandbox.port"')) throw new Error(`${runFolders.settings} is not the user settings file`);
    // Give the log a moment to be written, then look in every log of the run.
    await page.waitForTimeout(1_500);
    const leaked = logsHolding(CS_KEYS.secretKey);
    if (leaked.length) throw new Error(`the secret key is in the log: ${leaked.join(', ')}`);
    const added = logsHolding('(1 secret(s) kept in VS Code\'s secret storage)');
    if (!added.length) throw new Error('the log does not say the account was added with its secret kept in the secret storage');
    return `${await wb.labelOf(account)} — ${desc}; settings.json and ${findLogs(runFolders.logs, /\.log$/).length} log files hold no secret`;
  });
  await s.step(`expand it → ${CS_ZONE} → ${CS_VM}: volumes and the VM snapshots group (memory, current)`, async () => {
    await wb.expand(account);
    const zone = wb.row(2, CS_ZONE);
    await wb.waitOrError(zone, { timeout: TIMEOUT.load });
    const zoneDesc = await wb.waitDescription(zone, /\d+ volumes · \d+ volume snapshots · \d+ VM snapshots/, TIMEOUT.load);
    await wb.expand(zone);
    await wb.waitOrError(vm);
    const vmDesc = await wb.descriptionOf(vm);
    if (!/Running/.test(vmDesc)) throw new Error(`${CS_VM} shows "${vmDesc}"`);
    await wb.expand(vm);
    const group = wb.row(4, 'VM snapshots');
    await wb.waitOrError(group);
    const kids = (await wb.childrenOf(vm)).map((c) => c.label);
    if (kids.join(',') !== `web-1-root,${CS_VOLUME},VM snapshots`) throw new Error(`${CS_VM} holds ${kids.join(', ')}`);
    await wb.expand(group);
    const point = wb.row(5, CS_VM_SNAPSHOT);
    await wb.waitOrError(point);
    const pointDesc = await wb.descriptionOf(point);
    if (!/current · with memory/.test(pointDesc)) throw new Error(`${CS_VM_SNAPSHOT} shows "${pointDesc}"`);
    await wb.collapse(group);
    return `${CS_ZONE} — ${zoneDesc}; ${CS_VM} — ${vmDesc}; ${CS_VM_SNAPSHOT} — ${pointDesc}`;
  });
  await s.step(`right-click ${CS_VM_SNAPSHOT}: the menu says CloudStack's "Revert VM to VM Snapshot…", not "Revert VM to Restore Point…"`, async ({ shot }) => {
    const group = wb.row(4, 'VM snapshots');
    await wb.expand(group);
    const point = wb.row(5, CS_VM_SNAPSHOT);
    await wb.waitOrError(point);
    const items = await wb.openContextMenu(point);
    await shot('menu');
    await wb.closeMenu();
    await wb.collapse(group);
    expectMenu(items, ['Revert VM to VM Snapshot…', 'Delete VM Snapshot…'], ['Revert VM to Restore Point…', 'Delete Restore Point…']);
    return `menu: ${items.join(' | ')}`;
  });
  await s.step(`right-click ${CS_VOLUME} → Create Snapshot… → tracked to done, listed`, async ({ shot }) => {
    const items = await wb.contextCommand(volume, /^Create Snapshot/, { before: () => shot('menu') });
    await wb.answer({ title: new RegExp(`^Create Snapshot: ${CS_VOLUME} \\(1\\/3\\)`) }, name);
    await wb.pick({ title: /\(2\/3\)/ }, 'No other zone');
    await answerTags(/\(3\/3\)/, [['purpose', 'e2e']]);
    const done = wb.toast(new RegExp(`${reEscape(name)}.*completed\\.`));
    await wb.waitOrError(done, { timeout: TIMEOUT.operation });
    const toast = await wb.toastText(done);
    await wb.expand(volume);
    const row = wb.row(5, name);
    await wb.reveal(row, TIMEOUT.ui);
    const desc = await wb.waitDescription(row, /\bBackedUp\b/, TIMEOUT.operation);
    return `menu: ${items.join(' | ')}; toast: "${toast}"; ${name} — ${desc}`;
  });
  await s.step(`Open Snapshot Chain on ${CS_VOLUME}: physicalsize per volume snapshot, and the VM snapshots section`, async ({ shot }) => {
    await wb.runCommand('View: Close All Editors');
    await wb.contextCommand(volume, /^Open Snapshot Chain/);
    const frame = await chainFrameTitled(`Volume snapshot chain: ${CS_VOLUME}`);
    await wb.poll(async () => !/Fetching/.test(await frame.locator('#source').innerText()), { timeout: TIMEOUT.load, what: 'the figures' });
    const rows = frame.locator('.rows .row[data-id]');
    const n = await rows.count();
    if (n < 4) throw new Error(`only ${n} volume snapshot rows drawn`);
    const seen = [];
    for (let i = 0; i < n; i++) {
      const id = await rows.nth(i).getAttribute('data-id');
      const shown = clean(await rows.nth(i).locator('.c-bytes').innerText());
      const facts = await control(sandboxPort, 'GET', `/_sandbox/cloudstack/snapshots/${encodeURIComponent(id)}`);
      const physical = Object.values(facts.physicalBytes)[0];
      if (shown !== bytesText(physical)) throw new Error(`${id} shows "${shown}", the sandbox's physicalsize is ${bytesText(physical)}`);
      seen.push(`${clean(await rows.nth(i).locator('.c-name').innerText())}=${shown}`);
    }
    const source = clean(await frame.locator('#source').innerText());
    if (!/physicalsize/.test(source)) throw new Error(`the figures' source says "${source}"`);
    // The selected volume snapshot's buttons speak CloudStack's words, not "disk" / "snapshot".
    await rows.nth(n - 1).click();
    await frame.locator('.actions button').first().waitFor({ timeout: TIMEOUT.ui });
    const buttons = (await frame.locator('.actions button').allInnerTexts()).map(clean);
    if (!buttons.includes('Restore to New Volume…') || !buttons.includes('Delete Volume Snapshot…') || buttons.some((b) => /\bDisk\b|^Delete Snapshot/.test(b))) {
      throw new Error(`the selected volume snapshot's buttons read ${buttons.join(' | ')}`);
    }
    const section = frame.locator('section#restore-points');
    await section.waitFor({ timeout: TIMEOUT.ui });
    const heading = clean(await section.locator('h2').innerText());
    if (!/^VM snapshots of web-1 \(\d+\)$/.test(heading)) throw new Error(`the VM snapshots section is headed "${heading}"`);
    const point = section.locator('li.restore-point', { hasText: CS_VM_SNAPSHOT });
    const pointText = clean(await point.innerText());
    if (!/with memory/.test(pointText)) throw new Error(`${CS_VM_SNAPSHOT} reads "${pointText}"`);
    const current = await section.locator('li.restore-point.current').count();
    if (current !== 1) throw new Error(`${current} VM snapshots marked current`);
    await section.scrollIntoViewIfNeeded();
    await shot('vm-snapshots');
    return `${seen.join(' | ')}; buttons: ${buttons.join(' | ')}; "${heading}": ${pointText}`;
  });
}

/**
 * The sandbox's Nova and Cinder of one region, read through their own APIs with a Keystone token
 * (as the openstack CLI would): `get('compute', '/servers/detail')`.
 */
async function openstackApi(port, region) {
  const res = await fetch(`http://127.0.0.1:${port}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: OS_USER.name, domain: { name: OS_USER.domain }, password: OS_USER.password } } },
        scope: { project: { name: OS_USER.project, domain: { name: OS_USER.domain } } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`Keystone answered ${res.status}: ${await res.text()}`);
  const token = res.headers.get('x-subject-token');
  const { catalog } = (await res.json()).token;
  const endpoint = (type) => {
    const url = catalog.find((c) => c.type === type)?.endpoints.find((e) => e.region === region && e.interface === 'public')?.url;
    if (!url) throw new Error(`no ${type} endpoint in ${region}`);
    return url.replace(/\/$/, '');
  };
  return {
    async get(type, path) {
      const r = await fetch(`${endpoint(type)}${path}`, { headers: { 'x-auth-token': token } });
      if (!r.ok) throw new Error(`GET ${type} ${path} answered ${r.status}: ${await r.text()}`);
      return r.json();
    },
  };
}

async function s14OpenStack(s, sandboxPort) {
  const account = wb.row(1, OS_ACCOUNT);
  const region = wb.row(2, OS_REGION);
  const server = wb.row(3, OS_SERVER);
  const group = wb.row(4, 'Instance snapshots');
  const name = `e2e-os-${RUN}`;
  const os = await openstackApi(sandboxPort, OS_REGION);
  const webServer = async () => (await os.get('compute', '/servers/detail')).servers.find((x) => x.name === OS_SERVER);
  await s.step(`expand ${OS_ACCOUNT} → ${OS_REGION} → ${OS_SERVER}: its local root disk and its instance snapshots`, async () => {
    for (const a of [ACCOUNT, AZ_ACCOUNT, GCP_ACCOUNT, `CloudStack 127.0.0.1:${sandboxPort}`, 'Sandbox (Apache CloudStack)']) await wb.collapse(wb.row(1, a)).catch(() => undefined);
    await wb.closeQuickInput();
    await wb.clearNotifications();
    await wb.expand(account);
    await wb.waitOrError(region, { timeout: TIMEOUT.load });
    const regionDesc = await wb.waitDescription(region, /\d+ volumes · \d+ volume snapshots · \d+ instance snapshots · \d+ backups/, TIMEOUT.load);
    await wb.expand(region);
    await wb.waitOrError(server);
    const serverDesc = await wb.descriptionOf(server);
    if (!/\bACTIVE\b/.test(serverDesc)) throw new Error(`${OS_SERVER} shows "${serverDesc}"`);
    await wb.expand(server);
    await wb.waitOrError(group);
    const kids = (await wb.childrenOf(server)).map((c) => c.label);
    if (kids.join(',') !== `${OS_SERVER} root disk,Instance snapshots`) throw new Error(`${OS_SERVER} holds ${kids.join(', ')}`);
    await wb.expand(group);
    await wb.waitOrError(wb.row(5, OS_POINT));
    const points = await wb.childrenOf(group);
    return `${OS_REGION} — ${regionDesc}; ${OS_SERVER} — ${serverDesc}: ${kids.join(' | ')}; instance snapshots: ${points.map((p) => `${p.label} (${p.description})`).join(' | ')}`;
  });
  await s.step(`right-click ${OS_SERVER} → Create Instance Snapshot… → tracked to done, listed active`, async ({ shot }) => {
    const items = await wb.contextCommand(server, /^Create Instance Snapshot…$/, { before: () => shot('menu') });
    expectMenu(items, ['Create Instance Snapshot…'], ['Create Restore Point…']);
    await wb.answer({ title: new RegExp(`^Create Instance Snapshot: ${reEscape(OS_SERVER)} \\(1\\/2\\)`) }, name, { shot: () => shot('name') });
    const running = wb.statusItem(/Snapkeeper: 1 running/);
    const done = wb.toast(new RegExp(`Instance snapshot ${reEscape(name)} of ${reEscape(OS_SERVER)} .*completed\\.`));
    await answerTags(/\(2\/2\)/, [['purpose', 'e2e']], 'property');
    const runningSeen = running.waitFor({ timeout: TIMEOUT.ui }).then(
      async () => ({ text: clean(await running.innerText()), shot: await shot('status-bar-running') }),
      (e) => ({ error: e }),
    );
    await wb.waitOrError(done, { timeout: TIMEOUT.operation });
    const toast = await wb.toastText(done);
    const r = await runningSeen;
    if (r.error) throw new Error(`no "Snapkeeper: 1 running" in the status bar while Glance saved the image: ${r.error.message.split('\n')[0]}`);
    const image = (await os.get('image', `/v2/images?name=${encodeURIComponent(name)}`)).images[0];
    if (image?.status !== 'active' || image.instance_uuid !== (await webServer()).id) throw new Error(`Glance holds ${JSON.stringify(image)}`);
    await wb.expand(group);
    const row = wb.row(5, name);
    await wb.reveal(row, TIMEOUT.ui);
    const desc = await wb.waitDescription(row, /\bactive\b/, TIMEOUT.operation);
    return `menu: ${items.join(' | ')}; status bar: "${r.text}"; toast: "${toast}"; ${name} — ${desc}; Glance: ${image.status}, instance_uuid ${image.instance_uuid}`;
  });
  await s.step(`Roll Back (Rebuild) on ${OS_POINT}: the modal names the server, what is lost and what stays; Enter keeps the server`, async ({ shot }) => {
    const before = await webServer();
    const point = wb.row(5, OS_POINT);
    await wb.reveal(point, TIMEOUT.ui);
    const items = await wb.contextCommand(point, /^Roll Back \(Rebuild\)…$/, { before: () => shot('menu') });
    expectMenu(items, ['Roll Back (Rebuild)…', 'Delete Instance Snapshot…'], ['Revert VM to Restore Point…', 'Delete Restore Point…']);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: TIMEOUT.ui });
    const text = clean(await dialog.innerText());
    const want = [
      [new RegExp(`Roll back server ${reEscape(OS_SERVER)} \\(${before.id}\\) to instance snapshot ${reEscape(OS_POINT)} \\(`), 'the server and the instance snapshot'],
      [/everything written to its root disk since is lost/, 'what is lost'],
      [/What stays: its attached volumes/, 'what stays'],
    ];
    const missing = want.filter(([re]) => !re.test(text)).map(([, what]) => what);
    if (missing.length) throw new Error(`the confirmation does not say ${missing.join(', ')}: ${text}`);
    const buttons = (await dialog.locator('.dialog-buttons a, .dialog-buttons button').allInnerTexts()).map(clean);
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    await shot('dialog-default');
    if (focused !== 'Keep the Server as It Is') throw new Error(`the focused (Enter) button is "${focused}"; buttons: ${buttons.join(' | ')}`);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT.ui });
    const after = await webServer();
    if (after.status !== 'ACTIVE' || after.updated !== before.updated) throw new Error(`Enter changed the server: ${before.status} ${before.updated} → ${after.status} ${after.updated}`);
    return `menu: ${items.join(' | ')}; dialog: "${text}"; buttons: ${buttons.join(' | ')}; focused: "${focused}"; after Enter: Nova ${after.status}, updated ${after.updated} (unchanged)`;
  });
  await s.step('Roll Back confirmed: Nova rebuilds web-1 (REBUILD) and the tracker follows it to ACTIVE', async ({ shot }) => {
    const point = wb.row(5, OS_POINT);
    await wb.contextCommand(point, /^Roll Back \(Rebuild\)…$/);
    const done = wb.toast(new RegExp(`Roll back server ${reEscape(OS_SERVER)} to instance snapshot ${reEscape(OS_POINT)} .*completed\\.`));
    // Nova's own status from before the button is pressed until the notice, read through the
    // sandbox's Nova API: ACTIVE → REBUILD → ACTIVE.
    const seen = [];
    let watch = true;
    const watching = (async () => {
      while (watch) {
        const now = await webServer();
        const word = `${now.status}${now['OS-EXT-STS:task_state'] ? ` (${now['OS-EXT-STS:task_state']})` : ''}`;
        if (seen[seen.length - 1] !== word) seen.push(word);
        await page.waitForTimeout(100);
      }
    })();
    try {
      await pressDialogButton('Roll Back', shot);
      await wb.waitOrError(done, { timeout: TIMEOUT.operation });
    } finally {
      watch = false;
      await watching;
    }
    const toast = await wb.toastText(done);
    const after = await webServer();
    const pointId = (await os.get('image', `/v2/images?name=${encodeURIComponent(OS_POINT)}`)).images[0]?.id;
    if (!seen.some((w) => w.startsWith('REBUILD'))) throw new Error(`Nova was never seen in REBUILD: ${seen.join(' → ')}`);
    if (after.status !== 'ACTIVE' || after.image?.id !== pointId) throw new Error(`after the rebuild Nova holds ${after.status} from image ${after.image?.id} (wanted ACTIVE from ${pointId})`);
    const desc = await wb.waitDescription(server, /\bACTIVE\b/, TIMEOUT.operation);
    return `Nova: ${seen.join(' → ')} → ${after.status} from image ${OS_POINT}; toast: "${toast}"; ${OS_SERVER} — ${desc}`;
  });
  await s.step(`Open Snapshot Chain on ${OS_VOLUME}: the backup rows are the sandbox's backups, with their parents and object counts`, async ({ shot }) => {
    await wb.collapse(server);
    const db = wb.row(3, OS_DB);
    await wb.expand(db);
    const volume = wb.row(4, OS_VOLUME);
    await wb.waitOrError(volume);
    await wb.runCommand('View: Close All Editors');
    await wb.contextCommand(volume, /^Open Snapshot Chain/);
    const frame = await chainFrameTitled(`Volume snapshot chain: ${OS_VOLUME}`);
    const section = frame.locator('section#backups');
    await section.waitFor({ timeout: TIMEOUT.load });
    const rows = section.locator('.brow[data-id]');
    await section.scrollIntoViewIfNeeded();
    await shot('backups');
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const volumeId = (await os.get('volumev3', '/volumes/detail')).volumes.find((v) => v.name === OS_VOLUME)?.id;
    const theirs = (await os.get('volumev3', '/backups/detail')).backups.filter((b) => b.volume_id === volumeId);
    if (!theirs.length) throw new Error('the sandbox has no backups of the volume');
    if (ids.length !== theirs.length || [...ids].sort().join() !== theirs.map((b) => b.id).sort().join()) {
      throw new Error(`${ids.length} backup rows drawn (${ids.join(', ')}); Cinder has ${theirs.length} (${theirs.map((b) => b.id).join(', ')})`);
    }
    const heading = clean(await section.locator('h2').first().innerText());
    if (heading !== `Backups of ${OS_VOLUME} (${theirs.length})`) throw new Error(`the section is headed "${heading}"`);
    const headSpill = await section.locator('.brow.head-row').evaluate((e) => {
      const list = e.closest('.backup-chain').getBoundingClientRect();
      return [...e.children].filter((c) => getComputedStyle(c).display !== 'none' && c.getBoundingClientRect().right > list.right + 1).map((c) => c.textContent).join(', ');
    });
    if (headSpill) throw new Error(`the backup list's headings ${headSpill} spill out of the list`);
    const seen = [];
    for (let i = 0; i < ids.length; i++) {
      const row = rows.nth(i);
      const facts = await control(sandboxPort, 'GET', `/_sandbox/openstack/backups/${encodeURIComponent(ids[i])}`);
      const cinderRow = theirs.find((b) => b.id === ids[i]);
      const label = clean(await row.locator('.b-label').innerText());
      const parent = clean(await row.locator('.b-parent').innerText().catch(() => ''));
      const kind = clean(await row.locator('.b-kind').innerText());
      const stores = clean(await row.locator('.c-bytes').innerText());
      if (label !== cinderRow.name) throw new Error(`row ${i + 1} is named "${label}", Cinder's backup "${cinderRow.name}"`);
      if (kind !== (facts.incremental ? 'incremental' : 'full')) throw new Error(`${label} reads "${kind}"`);
      if (facts.parentId) {
        const p = ids.indexOf(facts.parentId);
        const parentName = theirs.find((b) => b.id === facts.parentId)?.name;
        if (p < 0 || p >= i) throw new Error(`${label}'s parent ${parentName} is not drawn before it`);
        if (parent !== `after #${p + 1} ${parentName}`) throw new Error(`${label} reads "${parent}", its parent is #${p + 1} ${parentName}`);
      } else if (parent) {
        throw new Error(`${label} (full) reads "${parent}"`);
      }
      // Drawn means readable: the name cell (the name and its parent) is not cut off.
      const cut = await row.locator('.b-name').evaluate((e) => (e.scrollWidth > e.clientWidth + 1 ? `${e.clientWidth} of ${e.scrollWidth} px shown` : ''));
      if (cut) throw new Error(`row ${i + 1} "${label}${parent ? ` ${parent}` : ''}" is cut off in the panel (${cut}): its parent cannot be read`);
      // No column spills out of the list (a row wider than the list hides its last columns).
      const spill = await row.evaluate((e) => {
        const list = e.closest('.backup-chain').getBoundingClientRect();
        const over = [...e.children].filter((c) => getComputedStyle(c).display !== 'none' && c.getBoundingClientRect().right > list.right + 1);
        return over.map((c) => c.className).join(', ');
      });
      if (spill) throw new Error(`row ${i + 1} "${label}": its columns ${spill} spill out of the backup list`);
      const objects = `${cinderRow.object_count} object${cinderRow.object_count === 1 ? '' : 's'}`;
      if (stores !== objects) throw new Error(`${label} shows "${stores}", Cinder reports ${objects}`);
      seen.push(`#${i + 1} ${label} ${kind}${parent ? ` ${parent}` : ''} = ${stores}`);
    }
    const totals = clean(await section.locator('#backup-totals').innerText());
    if (!totals.startsWith(`${theirs.length} backups · `)) throw new Error(`the backup totals read "${totals}"`);
    await wb.runCommand('View: Close All Editors');
    await wb.collapse(account);
    return `"${heading}": ${seen.join(' | ')}; ${totals}`;
  });
}

async function s6Azure(s) {
  const name = `e2e-az-${RUN}`;
  const disk = wb.row(5, AZ_DISK);
  const snap = wb.row(6, name);
  await s.step(`expand ${AZ_ACCOUNT} → ${AZ_SUBSCRIPTION} → ${AZ_LOCATION}`, async () => {
    await wb.collapse(wb.row(1, ACCOUNT));
    await wb.expand(wb.row(1, AZ_ACCOUNT));
    const sub = wb.row(2, AZ_SUBSCRIPTION);
    await wb.waitOrError(sub);
    await wb.expand(sub);
    const location = wb.row(3, AZ_LOCATION);
    await wb.reveal(location, TIMEOUT.load);
    const desc = await wb.waitDescription(location, /\d+ VMs?\b/, TIMEOUT.load);
    await wb.waitTreeStable();
    const subs = await wb.childrenOf(wb.row(1, AZ_ACCOUNT));
    return `${subs.map((c) => `${c.label} (${c.description})`).join(' | ')}; ${AZ_LOCATION} — ${desc}`;
  });
  await s.step(`expand ${AZ_LOCATION} → ${AZ_VM} → ${AZ_DISK}`, async () => {
    await wb.expand(wb.row(3, AZ_LOCATION));
    await wb.waitOrError(wb.row(4, AZ_VM));
    const vmDesc = await wb.descriptionOf(wb.row(4, AZ_VM));
    if (!/^rg-web · running\b/.test(vmDesc)) throw new Error(`${AZ_VM} shows "${vmDesc}", not its resource group and power state`);
    await wb.expand(wb.row(4, AZ_VM));
    await wb.waitOrError(disk);
    await wb.expand(disk);
    await wb.waitOrError(wb.rowsAt(6).first());
    return (await wb.childrenOf(disk)).map((c) => `${c.label} (${c.description})`).join(' | ');
  });
  await s.step(`right-click ${AZ_DISK} → Create Snapshot…, answer the five questions`, async ({ shot }) => {
    const items = await wb.contextCommand(disk, /^Create Snapshot/, { before: () => shot('menu') });
    await wb.answer({ title: /^Create Snapshot.*: web-01-data \(1\/5\)/ }, name);
    const kind = await wb.waitQuickInput({ title: /\(2\/5\)/ });
    const rows = await wb.quickPickRows();
    if (!/^Incremental: the first incremental snapshot of a disk holds a full copy/.test(rows[0]?.label ?? '')) {
      throw new Error(`the first choice does not explain incremental snapshots: ${JSON.stringify(rows)}`);
    }
    await shot('incremental-or-full');
    await page.keyboard.press('Enter');
    await wb.waitQuickInput({ title: /\(3\/5\)/ });
    await page.keyboard.press('Enter');
    await wb.waitQuickInput({ title: /\(4\/5\)/ });
    const encryption = (await wb.quickPickRows()).map((r) => r.label);
    await page.keyboard.press('Enter');
    await answerTags(/\(5\/5\)/, [['purpose', 'e2e']]);
    return `menu: ${items.join(' | ')}; "${kind.title}" first: ${rows[0].label}; encryption choices: ${encryption.join(' | ')}`;
  });
  await s.step('completion notification, snapshot listed under the disk', async () => {
    const done = wb.toast(new RegExp(`${reEscape(name)}.*completed\\.`));
    await wb.waitOrError(done, { timeout: TIMEOUT.operation });
    const text = await wb.toastText(done);
    await wb.expand(disk);
    await wb.reveal(snap, TIMEOUT.ui);
    const desc = await wb.waitDescription(snap, /\bSucceeded\b/);
    return `toast: "${text}"; ${name} — ${desc}`;
  });
  await s.step('tooltip: incremental, resource group, encryption', async ({ shot }) => {
    const text = await wb.tooltipOf(snap, { shot: () => shot('hover') });
    const want = [/Kind: incremental/, /Resource group: rg-web/, /Source disk: .*\/disks\/web-01-data/, /purpose = e2e/];
    const missing = want.filter((re) => !re.test(text));
    if (missing.length) throw new Error(`tooltip lacks ${missing.map(String).join(', ')}:\n${text}`);
    return `tooltip: ${text.replace(/\n/g, ' ⏎ ')}`;
  });
  await s.step('Export Snapshot: duration, format, confirmation naming the risk → URL copied, "export open"', async ({ shot }) => {
    await wb.contextCommand(snap, /^Export Snapshot/);
    await wb.pick({ title: new RegExp(`^Export.*: ${reEscape(name)} .*\\(1\\/2\\)`) }, '1 hour');
    await wb.pick({ title: /\(2\/2\)/ }, 'VHD');
    const dialog = await pressDialogButton('Grant Access', shot);
    if (!/Anyone holding the URL can read the whole disk image/.test(dialog)) throw new Error(`the confirmation does not name the risk: ${dialog}`);
    const copied = wb.toast(/Export URL \(SAS\).*copied to the clipboard/);
    await wb.waitOrError(copied, { timeout: TIMEOUT.operation });
    const toast = await wb.toastText(copied);
    if (/sig=|https:\/\//.test(toast)) throw new Error(`the notification shows the secret URL: ${toast}`);
    const desc = await wb.waitDescription(snap, /export open · \d+ min left/, TIMEOUT.operation);
    return `dialog: "${dialog}"; toast: "${toast}"; ${name} — ${desc}`;
  });
  await s.step('Revoke Export: Enter on the dialog keeps the export (the default button is not the destructive one)', async ({ shot }) => {
    await wb.contextCommand(snap, /^Revoke Export/);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: TIMEOUT.ui });
    const buttons = await dialog.locator('.dialog-buttons a, .dialog-buttons button').allInnerTexts();
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    await shot('dialog-default');
    if (focused !== 'Keep the Export Open') throw new Error(`the focused (Enter) button is "${focused}"; buttons: ${buttons.join(' | ')}`);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT.ui });
    const desc = await wb.descriptionOf(snap);
    if (!/export open/.test(desc)) throw new Error(`Enter revoked the export: ${desc}`);
    return `buttons: ${buttons.map(clean).join(' | ')}; focused: "${focused}"; after Enter: ${name} — ${desc}`;
  });
  await s.step('Revoke Export: confirmed → the export mark is gone', async ({ shot }) => {
    await wb.contextCommand(snap, /^Revoke Export/);
    const dialog = await pressDialogButton('Revoke Access', shot);
    await wb.poll(async () => !/export open/.test(await wb.descriptionOf(snap)), { timeout: TIMEOUT.operation, what: 'the export mark to go' });
    return `dialog: "${dialog}"; ${name} — ${await wb.descriptionOf(snap)}`;
  });
}

async function s8Gcp(s) {
  const name = `e2e-gcp-${RUN}`.toLowerCase();
  const disk = wb.row(5, GCP_DISK);
  let projectLabel;
  await s.step(`expand ${GCP_ACCOUNT} → ${GCP_PROJECT} → ${GCP_ZONE}`, async () => {
    await wb.collapse(wb.row(1, AZ_ACCOUNT)).catch(() => undefined);
    await wb.collapse(wb.row(1, ACCOUNT)).catch(() => undefined);
    await wb.expand(wb.row(1, GCP_ACCOUNT));
    await wb.waitOrError(wb.rowsAt(2).first(), { timeout: TIMEOUT.load });
    const projects = await wb.poll(async () => {
      const kids = await wb.childrenOf(wb.row(1, GCP_ACCOUNT));
      return kids.some((k) => k.description.startsWith(GCP_PROJECT)) ? kids : undefined;
    }, { timeout: TIMEOUT.load, what: `project ${GCP_PROJECT}` });
    projectLabel = projects.find((k) => k.description.startsWith(GCP_PROJECT)).label;
    await wb.expand(wb.row(2, projectLabel));
    const zone = wb.row(3, GCP_ZONE);
    await wb.reveal(zone, TIMEOUT.load);
    const desc = await wb.waitDescription(zone, /\d+ VMs?\b/, TIMEOUT.load);
    await wb.waitTreeStable();
    return `${projects.map((c) => `${c.label} (${c.description})`).join(' | ')}; ${GCP_ZONE} — ${desc}`;
  });
  await s.step(`expand ${GCP_ZONE} → ${GCP_VM} → ${GCP_DISK}; tooltip of a snapshot shows its stored bytes`, async ({ shot }) => {
    await wb.expand(wb.row(3, GCP_ZONE));
    await wb.waitOrError(wb.row(4, GCP_VM));
    await wb.expand(wb.row(4, GCP_VM));
    await wb.waitOrError(disk);
    await wb.expand(disk);
    const snap = wb.row(6, 'web-1-data-snap-2');
    await wb.waitOrError(snap);
    const text = await wb.tooltipOf(snap, { shot: () => shot('hover') });
    if (!/Stored: 50(\.0)? MiB/.test(text)) throw new Error(`the tooltip does not show the 50 MiB the snapshot stores:\n${text}`);
    return `tooltip: ${text.replace(/\n/g, ' ⏎ ')}`;
  });
  await s.step(`right-click ${GCP_DISK} → Create Snapshot… → tracked to DONE, listed`, async ({ shot }) => {
    const items = await wb.contextCommand(disk, /^Create Snapshot/, { before: () => shot('menu') });
    await wb.answer({ title: /^Create Snapshot.*: web-1-data.*\(1\/4\)/ }, name);
    await wb.pick({ title: /\(2\/4\)/ }, 'Standard');
    await wb.waitQuickInput({ title: /\(3\/4\)/ });
    const locations = (await wb.quickPickRows()).map((r) => r.label);
    await page.keyboard.press('Enter');
    await answerTags(/\(4\/4\)/, [['purpose', 'e2e']], 'label');
    const done = wb.toast(new RegExp(`Snapshot ${reEscape(name)} of .*completed\\.`));
    await wb.waitOrError(done, { timeout: TIMEOUT.operation });
    const toast = await wb.toastText(done);
    const row = wb.row(6, name);
    await wb.expand(disk);
    await wb.reveal(row, TIMEOUT.ui);
    const desc = await wb.waitDescription(row, /\bready\b/i, TIMEOUT.operation);
    return `menu: ${items.join(' | ')}; storage locations offered: ${locations.join(' | ')}; toast: "${toast}"; ${name} — ${desc}`;
  });
}

/** A volume name that would be a command link in a notification and a codicon in a quick pick. */
const LINK_AND_ICON_NAME = `[Retry](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D) $(alert) e2e-${RUN}`;

/**
 * Links and codicon elements inside `locator` (the name must produce neither). A link is an
 * element with an href (a quick-pick row's own action buttons are <a> without one).
 */
async function interpreted(locator) {
  return { links: await locator.locator('[href]').count(), icons: await locator.locator('.codicon-alert').count() };
}

async function s9HostileName(s, sandboxPort) {
  await s.step('EC2 CreateVolume with that Name tag; once it is available, Refresh', async () => {
    const { EC2Client, CreateVolumeCommand, waitUntilVolumeAvailable } = await import('@aws-sdk/client-ec2');
    const ec2 = new EC2Client({
      region: REGION,
      endpoint: `http://127.0.0.1:${sandboxPort}`,
      credentials: { accessKeyId: SANDBOX_KEY, secretAccessKey: 'snapkeeper/sandbox/secret/key/not-a-real-secret' },
    });
    let out;
    try {
      out = await ec2.send(
        new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 1, TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: LINK_AND_ICON_NAME }] }] }),
      );
      // A new volume is "creating" for a while (2 s in the sandbox) and Create Snapshot is offered
      // only for an available or in-use disk: a listing made before then leaves it out of the
      // "Which disk?" pick. The sandbox says when it is available, as EC2 would to a person.
      await waitUntilVolumeAvailable({ client: ec2, maxWaitTime: TIMEOUT.load / 1000, minDelay: 1, maxDelay: 2 }, { VolumeIds: [out.VolumeId] });
    } finally {
      ec2.destroy();
    }
    await wb.closeQuickInput();
    await wb.clearNotifications();
    await wb.runCommand('Snapkeeper: Refresh');
    await wb.waitNotLoading();
    return `${out.VolumeId} named "${LINK_AND_ICON_NAME}"`;
  });
  await s.step('palette "Create Snapshot…": the disk pick shows the name as text', async ({ shot }) => {
    await wb.runCommand('Snapkeeper: Create Snapshot…');
    const first = await wb.waitQuickInput({ placeholder: /^Which (account|region)\?/ });
    if (/account/.test(first.placeholder)) await wb.pick({ placeholder: /^Which account\?/ }, ACCOUNT);
    await wb.pick({ placeholder: /^Which region\?/ }, REGION, { filter: REGION });
    await wb.waitQuickInput({ placeholder: /^Which disk\?/ }, TIMEOUT.load);
    await wb.quickInputBox().fill(`e2e-${RUN}`);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: `e2e-${RUN}` }).first();
    await row.waitFor({ timeout: TIMEOUT.load });
    await shot('pick');
    const label = clean(await row.locator('.label-name').first().innerText());
    const found = await interpreted(row);
    if (label !== LINK_AND_ICON_NAME) throw new Error(`the quick pick shows "${label}"`);
    if (found.links || found.icons) throw new Error(`the quick-pick row made ${found.links} link(s) and ${found.icons} $(alert) icon(s) of the name`);
    await row.click();
    return `row: "${label}", no link, no icon`;
  });
  const done = wb.toast(new RegExp(`e2e-${RUN}.*completed\\.`));
  await s.step('the input box prompt names the disk as text; answer it', async ({ shot }) => {
    await wb.waitQuickInput({ title: /\(1\/2\)/ });
    const message = page.locator('.quick-input-widget .quick-input-message');
    const text = clean(await message.innerText());
    const found = await interpreted(message);
    if (!text.includes(`e2e-${RUN}`) || found.links || found.icons) throw new Error(`prompt "${text}": ${found.links} link(s), ${found.icons} icon(s)`);
    await wb.answer({ title: /\(1\/2\)/ }, 'e2e hostile name', { shot: () => shot('prompt') });
    // The tags question is the tag editor (a list): no tags, Done.
    await answerTags(/\(2\/2\)/, []);
    return `prompt: "${text}"`;
  });
  await s.step('the completion notification shows the name as text: no link, no icon, nothing ran', async ({ shot }) => {
    await wb.waitOrError(done, { timeout: TIMEOUT.operation });
    await wb.expandToast(done);
    await shot('toast');
    const message = done.locator('.notification-list-item-message');
    const text = clean(await message.innerText());
    const found = await interpreted(message);
    if (!text.includes('[Retry]') || !text.includes('$(alert)')) throw new Error(`the notice does not show the name: "${text}"`);
    if (found.links || found.icons) throw new Error(`the notice made ${found.links} link(s) and ${found.icons} icon(s): "${text}"`);
    if (await page.locator('.terminal-wrapper, .xterm').count()) throw new Error('a terminal opened: the command ran');
    return `toast: "${text}"`;
  });
}

async function main() {
  const tAll = Date.now();
  mkdirSync(outDir, { recursive: true });
  // Only this suite's artefacts are replaced (the smoke test writes here too).
  for (const f of readdirSync(outDir)) {
    if (/^b\d+-.*\.png$/.test(f) || f === 'results.json') rmSync(join(outDir, f), { force: true });
  }
  await loadPlaywright(); // fail early, before starting anything, when it is missing
  const vsixPath = resolve(option('--vsix') ?? packageVsix());
  if (!existsSync(vsixPath)) throw new Error(`no such .vsix: ${vsixPath}`);

  let cs;
  let browser;
  const consoleLines = [];
  const sandboxPort = await freePort();
  try {
    try {
      cs = await startCodeServer({
        vsixPath,
        runDir: process.env.SNAPKEEPER_E2E_RUN_DIR,
        quiet: true,
        // No CloudMonkey config: "Add Apache CloudStack Account" asks for an endpoint and keys.
        userSettings: { 'snapkeeper.sandbox.port': sandboxPort, 'snapkeeper.cloudstack.cmkConfig': '/nonexistent/snapkeeper-e2e/cmk-config' },
      });
      console.log(`code-server ${cs.url} up in ${cs.startSeconds.toFixed(1)} s (run folder ${cs.runDir}); sandbox port ${sandboxPort}`);
      browser = await launchChromium({ dir: join(cs.runDir, 'browser'), headed: flag('--headed') });
      chromium = browser;
      installedExtension = cs.extensionPath;
      runFolders = { settings: join(cs.runDir, 'user-data', 'User', 'settings.json'), logs: cs.logsDir };
      const context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce' });
      page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT.ui);
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`[${m.type()}] ${m.text()}`);
      });
      page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
      wb = new Workbench(page);
      const t0 = Date.now();
      await page.goto(cs.url, { waitUntil: 'domcontentloaded' });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: TIMEOUT.workbench });
      console.log(`workbench open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await screenshot('b0-workbench.png');
    } catch (e) {
      console.log(`e2e: could not start: ${e.message}`);
      page = undefined;
    }

    await scenario(1, `open the view, add the sandbox, expand ${ACCOUNT} → ${REGION} → ${VM} → ${DISK}`, s1OpenAndExpand);
    await scenario(2, `right-click ${DISK} → Create Snapshot: status bar, notification, snapshot and tooltip`, s2CreateSnapshot);
    await scenario(3, 'palette "Restore to New Disk…" through the quick picks → new detached disk', s3RestoreFromPalette);
    await scenario(4, `Delete Snapshot on ${SNAPSHOT_IN_USE} (used by ${AMI_NAME}) is refused, naming the AMI`, s4DeleteInUse);
    await scenario(5, `fault in ${FAULT_REGION} → error node with Retry → Retry recovers once cleared`, (s) => s5RegionFault(s, sandboxPort));
    await scenario(6, `Azure: ${AZ_DISK} → Create Snapshot (incremental) → Export Snapshot → Revoke Export`, s6Azure);
    await scenario(7, `Open Snapshot Chain on ${DISK}: figures, delete preview, hostile names as plain text`, (s) => s7Chain(s, sandboxPort));
    await scenario(8, `Google Cloud: ${GCP_DISK} stored bytes → Create Snapshot tracked to DONE`, s8Gcp);
    await scenario(9, 'a name with a command link and a codicon: quick pick and notification show it as text', (s) => s9HostileName(s, sandboxPort));
    await scenario(12, 'Apache CloudStack: account typed in (masked secret, kept out of settings and log), expand, Create Snapshot tracked to done, chain with VM snapshots', (s) => s12CloudStack(s, sandboxPort));
    await scenario(14, 'OpenStack: expand to web-1, Create Instance Snapshot tracked to done, Roll Back (Rebuild) with Keep as the default then rebuilt, backup chain in the panel', (s) => s14OpenStack(s, sandboxPort));
    await scenario(10, 'a window reload brings back the expanded tree and the open chain panel', s10Reload);
    await scenario(11, 'the chain webview’s VM snapshots section: its own section, marks, hostile names as text', s11RestorePointSection);
    await scenario(13, 'the chain webview’s backups: a volume protected only by backups, its chain by parent, keyboard, delete rule, hostile names as text', s13BackupSection);
  } finally {
    if (cs) {
      for (const f of findLogs(cs.logsDir, /Snapkeeper\.log$|exthost\.log$/)) {
        try {
          copyFileSync(f, join(outDir, `browser-${basename(f)}`));
        } catch {
          /* best effort */
        }
      }
    }
    writeFileSync(join(outDir, 'browser-console.log'), consoleLines.join('\n'));
    if (browser && !flag('--keep')) await browser.close().catch(() => undefined);
    if (cs && !flag('--keep')) await cs.stop();
  }

  // Errors the extension logged (the injected fault's are expected).
  if (cs) {
    const logged = [];
    for (const f of findLogs(cs.logsDir, /Snapkeeper\.log$|exthost\d*\/remoteexthost\.log$/)) {
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (/\[error\]/i.test(line) && (/snapkeeper/i.test(line) || /Snapkeeper\.log$/.test(f)) && !line.includes(FAULT.message)) logged.push(line);
      }
    }
    if (logged.length) console.log(`note: ${logged.length} unexpected [error] line(s) in the logs:\n  ${logged.slice(0, 5).join('\n  ')}`);
  }

  const passes = tests.filter((t) => t.state === 'passed').length;
  const failures = tests.length - passes;
  if (tests.length !== EXPECTED) throw new Error(`internal: ${tests.length} scenarios ran, expected ${EXPECTED}`);
  writeFileSync(
    join(outDir, 'results.json'),
    JSON.stringify({ passes, failures, seconds: (Date.now() - tAll) / 1000, vsix: vsixPath, tests }, null, 2),
  );
  console.log(`e2e: artefacts in ${outDir} (${((Date.now() - tAll) / 1000).toFixed(1)} s)`);
  console.log(`${passes} passed, ${failures} failed`);
  process.exitCode = failures ? 1 : 0;
  if (cs && flag('--keep')) {
    console.log(`kept running: ${cs.url} (run folder ${cs.runDir}); Ctrl-C to stop`);
    setInterval(() => {}, 1 << 30);
    await new Promise(() => {});
  }
}

main().catch((e) => {
  console.error(`e2e: ${e.message}`);
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, 'results.json'),
      JSON.stringify({ passes: 0, failures: EXPECTED, tests: Array.from({ length: EXPECTED }, (_, i) => ({ title: `scenario ${i + 1}`, state: 'failed', error: `setup: ${e.message}` })) }, null, 2),
    );
  } catch {
    /* best effort */
  }
  console.log(`0 passed, ${EXPECTED} failed`);
  process.exit(1);
});
