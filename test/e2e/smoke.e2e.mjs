#!/usr/bin/env node
// Browser end-to-end smoke test: the Snapkeeper extension in a real VS Code (code-server) driven
// by Playwright through Debian's Chromium, as a person would use it. Plain Node ESM, not mocha.
//
//   node test/e2e/smoke.e2e.mjs [--build] [--vsix path] [--keep] [--headed]
//
// Needs: dist/ built (or --build), the harness (node scripts/harness/setup.mjs) and
// playwright-core. Screenshots of every step go to test-results/smoke/ together with the
// extension host log, the Snapkeeper output channel and the browser console. Prints PASS/FAIL per
// step and a closing "N passed, N failed" line; exits 1 on any failure.
/* global document -- used only in functions that run in the page */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { launchChromium, loadPlaywright, VIEWPORT } from '../../scripts/harness/browser.mjs';
import { findLogs, startCodeServer } from '../../scripts/harness/server.mjs';


const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const outDir = resolve(process.env.SNAPKEEPER_E2E_OUT ?? join(root, 'test-results', 'smoke'));
const VIEW_TITLE = 'Snapkeeper';
const SANDBOX_ACCOUNT = process.env.SNAPKEEPER_E2E_ACCOUNT ?? 'Sandbox (AWS)';
const T = { workbench: 90_000, ui: 15_000, load: 60_000 };

// --- step bookkeeping -----------------------------------------------------------------------------

const results = [];
let shotNo = 0;
let page;

async function screenshot(name) {
  if (!page) return undefined;
  const file = join(outDir, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
  try {
    await page.screenshot({ path: file, timeout: 10_000, animations: 'disabled' });
    return file;
  } catch {
    return undefined;
  }
}

/** Runs one step: PASS/FAIL line, a screenshot either way. Later steps are skipped after a failure. */
async function step(name, fn, { always = false } = {}) {
  // Steps build on each other; `always` steps (checks that stand alone) run after a failure too.
  if (results.some((r) => r.status === 'FAIL') && !(always && page)) {
    results.push({ name, status: 'SKIP' });
    console.log(`SKIP  ${name}`);
    return undefined;
  }
  const t0 = Date.now();
  try {
    const detail = await fn();
    const shot = await screenshot(slug(name));
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    results.push({ name, status: 'PASS', seconds: Number(s), detail, shot });
    console.log(`PASS  ${name} (${s} s)${detail ? ` — ${detail}` : ''}${shot ? `  [${basename(shot)}]` : ''}`);
    return detail;
  } catch (e) {
    const shot = await screenshot(`${slug(name)}-FAILED`);
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    const msg = (e && e.message ? e.message : String(e)).split('\n').slice(0, 6).join('\n      ');
    results.push({ name, status: 'FAIL', seconds: Number(s), error: msg, shot });
    console.log(`FAIL  ${name} (${s} s)\n      ${msg}${shot ? `\n      screenshot: ${shot}` : ''}`);
    return undefined;
  }
}

function slug(s) {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

// --- workbench helpers ----------------------------------------------------------------------------

const sidebar = () => page.locator('.part.sidebar');

/** Tree rows of the side bar at a depth (1 = accounts). */
const rowsAt = (level) => sidebar().locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`);

/** The side-bar row at `level` whose label is exactly `label`. */
const rowByLabel = (level, label) =>
  rowsAt(level).filter({ has: page.locator('.label-name').getByText(label, { exact: true }) });

async function labelOf(row) {
  return (await row.locator('.label-name').first().innerText()).trim();
}

async function descriptionOf(row) {
  const d = row.locator('.label-description');
  return (await d.count()) ? (await d.first().innerText()).trim() : '';
}

/**
 * Waits for `locator`, but fails at once (with the message) when an error notification shows up
 * meanwhile, instead of running into the timeout.
 */
async function waitOrError(locator, timeout = T.load) {
  const errorToast = page.locator('.notification-toast').filter({ has: page.locator('.codicon-error') }).first();
  const which = await Promise.race([
    locator.waitFor({ timeout }).then(() => 'ok'),
    errorToast.waitFor({ timeout }).then(() => 'error', () => new Promise(() => {})),
  ]);
  if (which === 'error') {
    const text = (await errorToast.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
    throw new Error(`error notification: ${text}`);
  }
}

/** Expands a collapsed row (click) and waits until it says so and its first child is drawn. */
async function expand(row, childLevel) {
  await row.scrollIntoViewIfNeeded();
  if ((await row.getAttribute('aria-expanded')) !== 'true') {
    await row.click();
  }
  await page.waitForFunction(
    (el) => el.getAttribute('aria-expanded') === 'true',
    await row.elementHandle(),
    { timeout: T.ui },
  );
  await waitOrError(rowsAt(childLevel).first());
}

/** Text of rows at a level, "label — description" each. */
async function listRows(level) {
  const out = [];
  for (const r of await rowsAt(level).all()) {
    out.push(`${await labelOf(r)}${(await descriptionOf(r)) ? ` — ${await descriptionOf(r)}` : ''}`);
  }
  return out;
}

/** Waits until no row at `level` says "Loading…". */
async function waitLoaded(level) {
  await page.waitForFunction(
    (lvl) =>
      ![...document.querySelectorAll(`.part.sidebar .monaco-list-row[aria-level="${lvl}"]`)].some((r) =>
        /Loading…|loading…/.test(r.textContent ?? ''),
      ),
    level,
    { timeout: T.load },
  );
}

/** Drags the side bar's edge so long descriptions are readable in screenshots (best effort). */
async function widenSidebar(width) {
  const sash = page.locator('.monaco-sash.primary-sidebar-sash');
  const box = await sash.boundingBox().catch(() => null);
  const side = await sidebar().boundingBox();
  if (!box || !side || side.width >= width) return;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - side.width), y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(5, 500);
}

/**
 * Right-clicks a row, returns the context menu's items, screenshots it as `shot`, closes it.
 * About 1 right-click in 16 is dropped while the workbench is busy: right-click again only while
 * no menu is showing.
 */
async function contextMenuOf(row, shot, { mayBeEmpty = false } = {}) {
  const menu = page.locator('.context-view .monaco-menu');
  await row.scrollIntoViewIfNeeded();
  for (let attempt = 0; ; attempt++) {
    await row.click({ button: 'right' });
    try {
      await menu.waitFor({ timeout: attempt < 2 ? 3_000 : T.ui });
      break;
    } catch (e) {
      // A row without any context menu entry shows no menu at all.
      if (mayBeEmpty && attempt >= 1) {
        if (shot) await screenshot(`${shot}-none`);
        return [];
      }
      if (attempt >= 2) throw e;
    }
  }
  const items = (await menu.getByRole('menuitem').allInnerTexts()).map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (shot) await screenshot(shot);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: T.ui });
  return items;
}

/** Runs a command from the palette by its title. */
async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: T.ui });
  await input.fill(`>${title}`);
  // The exact entry: Enter would run whichever fuzzy match is on top.
  const row = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name').getByText(title, { exact: true }) })
    .first();
  await row.waitFor({ timeout: T.ui });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: T.ui });
}

// --- the run --------------------------------------------------------------------------------------

async function main() {
  const tAll = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const vsixPath = option('--vsix');
  if (flag('--build')) {
    const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed (node esbuild.mjs)');
  }
  if (!vsixPath && !existsSync(join(root, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: build first (node esbuild.mjs) or pass --build');
  }
  await loadPlaywright(); // fail early, before starting anything, when it is missing

  let cs;
  let browser;
  const consoleLines = [];
  try {
    await step('start code-server with the extension installed', async () => {
      cs = await startCodeServer({
        ...(vsixPath ? { vsixPath } : { extensionDir: root }),
        runDir: process.env.SNAPKEEPER_E2E_RUN_DIR,
        quiet: true,
      });
      return `${cs.url} in ${cs.startSeconds.toFixed(1)} s, run folder ${cs.runDir}`;
    });
    if (!cs) return;

    browser = await launchChromium({ dir: join(cs.runDir, 'browser'), headed: flag('--headed') });
    const context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`[${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    page.on('requestfailed', (r) => consoleLines.push(`[requestfailed] ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) consoleLines.push(`[http ${r.status()}] ${r.url()}`);
    });

    await step('open the workbench', async () => {
      await page.goto(cs.url, { waitUntil: 'domcontentloaded' });
      await page.locator('.monaco-workbench').waitFor({ timeout: T.workbench });
      await page.locator('.part.activitybar').waitFor({ timeout: T.workbench });
    });

    await step('open the Snapkeeper view (welcome content)', async () => {
      const tab = page.getByRole('tab', { name: VIEW_TITLE });
      await tab.waitFor({ timeout: T.workbench });
      await tab.click();
      await sidebar().getByRole('button', { name: 'Try the Sandbox' }).waitFor({ timeout: T.load });
      await sidebar().getByRole('button', { name: 'Add AWS Account' }).waitFor({ timeout: T.ui });
      const text = (await sidebar().locator('.welcome-view-content').innerText()).replace(/\s+/g, ' ').trim();
      await widenSidebar(620);
      return `welcome: "${text}"`;
    });

    await step(`click "Try the Sandbox" → "${SANDBOX_ACCOUNT}" account row`, async () => {
      await sidebar().getByRole('button', { name: 'Try the Sandbox' }).click();
      await waitOrError(rowByLabel(1, SANDBOX_ACCOUNT));
      return (await listRows(1)).join(' | ');
    });

    const picked = {};
    await step('expand the account → regions', async () => {
      await expand(rowByLabel(1, SANDBOX_ACCOUNT), 2);
      // Regions are prefetched: wait until each shows its counts (or an error), then take one
      // that has VMs.
      await waitLoaded(2);
      const withVms = rowsAt(2)
        .filter({ has: page.locator('.label-description', { hasText: /^\s*[1-9]\d* VMs?\b/ }) })
        .first();
      await withVms.waitFor({ timeout: T.load });
      picked.region = await labelOf(withVms);
      return `regions: ${(await listRows(2)).join(' | ')}; picked ${picked.region}`;
    });

    await step('expand a region → VMs and folders', async () => {
      await expand(rowByLabel(2, picked.region), 3);
      await waitLoaded(3);
      const folders = new Set(['Images', 'Detached disks', 'Snapshots of deleted disks']);
      for (const r of await rowsAt(3).all()) {
        const l = await labelOf(r);
        if (!folders.has(l) && (await r.getAttribute('aria-expanded')) !== null) {
          picked.vm = l;
          break;
        }
      }
      if (!picked.vm) throw new Error(`no expandable VM row under ${picked.region}: ${(await listRows(3)).join(' | ')}`);
      return `rows: ${(await listRows(3)).join(' | ')}; picked ${picked.vm}`;
    });

    await step('expand a VM → disks', async () => {
      await expand(rowByLabel(3, picked.vm), 4);
      for (const r of await rowsAt(4).all()) {
        if ((await r.getAttribute('aria-expanded')) !== null) {
          picked.disk = await labelOf(r);
          break;
        }
      }
      if (!picked.disk) throw new Error(`no disk with snapshots under ${picked.vm}: ${(await listRows(4)).join(' | ')}`);
      return `disks: ${(await listRows(4)).join(' | ')}; picked ${picked.disk}`;
    });

    await step('expand a disk → snapshots', async () => {
      await expand(rowByLabel(4, picked.disk), 5);
      picked.snapshot = await labelOf(rowsAt(5).first());
      return `snapshots: ${(await listRows(5)).join(' | ')}`;
    });

    await step('hover a snapshot → tooltip', async () => {
      // Hovers are kept off in the harness (delay 60 s) so tooltips never cover the next row;
      // "Show Hover" (Ctrl+K Ctrl+I, list.showHover) shows the focused row's tooltip at once.
      const row = rowByLabel(5, picked.snapshot);
      await row.click();
      await page.mouse.move(5, 500);
      await page.waitForFunction((el) => el.classList.contains('focused'), await row.elementHandle(), { timeout: T.ui });
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.workbench-hover-container .monaco-hover:visible').first();
      await hover.waitFor({ timeout: T.ui });
      const text = (await hover.innerText()).replace(/\n+/g, ' ⏎ ').trim();
      await screenshot('hover-tooltip');
      await page.keyboard.press('Escape');
      await hover.waitFor({ state: 'hidden', timeout: T.ui });
      if (!/^Snapshot\b/.test(text) || !/\bID\b/.test(text)) throw new Error(`tooltip lacks "Snapshot"/"ID": ${text}`);
      return `tooltip: ${text}`;
    });

    await step('right-click the disk → context menu', async () => {
      const items = await contextMenuOf(rowByLabel(4, picked.disk), 'disk-context-menu');
      if (!items.some((i) => /^Create Snapshot/.test(i))) throw new Error(`no "Create Snapshot…" in: ${items.join(' | ')}`);
      return `menu items: ${items.join(' | ')}`;
    });

    await step('right-click the snapshot → context menu', async () => {
      const items = await contextMenuOf(rowByLabel(5, picked.snapshot), 'snapshot-context-menu');
      if (!items.some((i) => /^Restore to New Disk/.test(i))) throw new Error(`no "Restore to New Disk…" in: ${items.join(' | ')}`);
      return `menu items: ${items.join(' | ')}`;
    });

    await step('context menus of account, region, VM and Images folder', async () => {
      const out = [];
      out.push(`account: ${(await contextMenuOf(rowByLabel(1, SANDBOX_ACCOUNT), 'account-context-menu')).join(' | ')}`);
      out.push(`region: ${(await contextMenuOf(rowByLabel(2, picked.region), 'region-context-menu')).join(' | ')}`);
      out.push(`VM: ${(await contextMenuOf(rowByLabel(3, picked.vm), 'vm-context-menu')).join(' | ')}`);
      out.push(`Images folder: ${(await contextMenuOf(rowByLabel(3, 'Images'), 'images-folder-context-menu', { mayBeEmpty: true })).join(' | ') || '(no menu items)'}`);
      return out.join('; ');
    });

    await step('expand the Images folder → image context menu', async () => {
      // Collapse the VM first so the image rows are the only level-4 rows besides its disks.
      await expand(rowByLabel(3, 'Images'), 4);
      const images = [];
      const folderIndex = Number(await rowByLabel(3, 'Images').getAttribute('data-index'));
      for (const r of await rowsAt(4).all()) {
        if (Number(await r.getAttribute('data-index')) > folderIndex) images.push(r);
      }
      if (!images.length) return 'no image rows';
      const label = await labelOf(images[0]);
      const items = await contextMenuOf(images[0], 'image-context-menu');
      return `image ${label} — ${await descriptionOf(images[0])}; menu: ${items.join(' | ')}`;
    });

    await step('view title actions and "More Actions…" menu', async () => {
      const labels = await sidebar()
        .locator('.composite.title .title-actions .action-label')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.getAttribute('title') || '').filter(Boolean));
      const more = sidebar().getByRole('button', { name: /More Actions/ }).first();
      let items = [];
      if (await more.count()) {
        await more.click();
        const menu = page.locator('.context-view .monaco-menu');
        await menu.waitFor({ timeout: T.ui });
        items = (await menu.getByRole('menuitem').allInnerTexts()).map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean);
        await screenshot('view-more-actions-menu');
        await page.keyboard.press('Escape');
        await menu.waitFor({ state: 'hidden', timeout: T.ui });
      }
      return `title actions: ${labels.join(' | ')}; more: ${items.join(' | ')}`;
    });

    await step('expand an empty region', async () => {
      const empty = rowsAt(2)
        .filter({ has: page.locator('.label-description', { hasText: /^\s*0 VMs · 0 disks · 0 snapshots/ }) })
        .first();
      if (!(await empty.count())) return 'no empty region';
      const label = await labelOf(empty);
      await expand(empty, 3);
      const idx = Number(await empty.getAttribute('data-index'));
      const kids = [];
      for (const r of await rowsAt(3).all()) {
        const i = Number(await r.getAttribute('data-index'));
        if (i === idx + 1 || (kids.length && i === idx + 1 + kids.length)) {
          kids.push(`${await labelOf(r)}${(await descriptionOf(r)) ? ` — ${await descriptionOf(r)}` : ''}`);
        }
      }
      return `${label} → ${kids.join(' | ')}`;
    });

    await step('snapshots of a data disk and of a deleted disk offer no "Restore in Place"', async () => {
      const out = [];
      // Another disk of the VM (not the boot disk picked above), if it has snapshots.
      for (const r of await rowsAt(4).all()) {
        const l = await labelOf(r);
        if (l === picked.disk || (await r.getAttribute('aria-expanded')) === null) continue;
        if (/\bboot\b/.test(await descriptionOf(r))) continue;
        await expand(r, 5);
        const idx = Number(await r.getAttribute('data-index'));
        const snap = rowsAt(5).and(page.locator(`[data-index="${idx + 1}"]`));
        const items = await contextMenuOf(snap, 'data-disk-snapshot-context-menu');
        out.push({ what: `snapshot ${await labelOf(snap)} of data disk ${l}`, items });
        break;
      }
      const orphans = rowByLabel(3, 'Snapshots of deleted disks');
      if (await orphans.count()) {
        await expand(orphans, 4);
        const idx = Number(await orphans.getAttribute('data-index'));
        const snap = rowsAt(4).and(page.locator(`[data-index="${idx + 1}"]`));
        const items = await contextMenuOf(snap, 'orphan-snapshot-context-menu');
        out.push({ what: `snapshot ${await labelOf(snap)} of a deleted disk`, items });
      }
      const text = out.map((o) => `${o.what}: ${o.items.join(' | ')}`).join('; ');
      const wrong = out.filter((o) => o.items.some((i) => /Restore in Place/.test(i)));
      if (wrong.length) throw new Error(`"Restore in Place" offered where it cannot work — ${text}`);
      return text || 'nothing to check';
    }, { always: true });

    await step('"Snapkeeper: Show Log" shows the output channel', async () => {
      await runCommand('Snapkeeper: Show Log');
      const panel = page.locator('.part.panel');
      await panel.waitFor({ timeout: T.ui });
      await panel.locator('.view-lines').filter({ hasText: /\S/ }).first().waitFor({ timeout: T.ui });
      const lines = (await panel.locator('.view-lines').first().innerText()).split('\n').filter(Boolean);
      return `${lines.length} visible lines; last: ${lines.slice(-1)[0] ?? ''}`;
    }, { always: true });

    await step('no errors in the extension host log or the Snapkeeper output', async () => {
      const logs = findLogs(cs.logsDir, /exthost\d*\/(remoteexthost|exthost)\.log$/);
      const bad = [];
      for (const f of logs) {
        copyFileSync(f, join(outDir, basename(f)));
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          if (/\[error\]/i.test(line) && /snapkeeper/i.test(line)) bad.push(line);
        }
      }
      if (!logs.length) throw new Error(`no extension host log under ${cs.logsDir}`);
      for (const f of findLogs(cs.logsDir, /Snapkeeper\.log$/)) {
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          if (/\[error\]/.test(line)) bad.push(`Snapkeeper output: ${line}`);
        }
      }
      if (bad.length) throw new Error(`extension host errors:\n${bad.slice(0, 10).join('\n')}`);
      return `${logs.length} log file(s) clean`;
    }, { always: true });
  } finally {
    // Artefacts: the Snapkeeper output channel, extension host logs, browser console.
    if (cs) {
      for (const f of findLogs(cs.logsDir, /Snapkeeper\.log$|exthost\.log$|remoteagent\.log$/)) {
        try {
          copyFileSync(f, join(outDir, basename(f)));
        } catch {
          /* best effort */
        }
      }
    }
    writeFileSync(join(outDir, 'browser-console.log'), consoleLines.join('\n'));
    if (browser) await browser.close().catch(() => undefined);
    if (cs && !flag('--keep')) await cs.stop();
  }

  const passed = results.filter((r) => r.status === 'PASS').length;
  const failed = results.filter((r) => r.status === 'FAIL').length;
  const skipped = results.filter((r) => r.status === 'SKIP').length;
  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ passed, failed, skipped, seconds: (Date.now() - tAll) / 1000, steps: results }, null, 2));
  console.log(`\ne2e: artefacts in ${outDir} (${((Date.now() - tAll) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed || !passed ? 1 : 0;
  if (cs && flag('--keep')) {
    // Leave the workbench up for a look by hand; Ctrl-C stops code-server's group.
    console.log(`kept running: ${cs.folderUrl()} (run folder ${cs.runDir}); Ctrl-C to stop`);
    setInterval(() => {}, 1 << 30);
    await new Promise(() => {});
  }
}

main().catch((e) => {
  console.error(`e2e: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
