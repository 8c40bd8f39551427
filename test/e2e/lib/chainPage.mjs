// The chain webview's restore-point section in a real browser: the extension's own webview bundle
// (dist/webview/chain.js + chain.css, as packaged) loaded into a Chromium page with a stand-in for
// VS Code's webview API, sent the message the extension sends for a volume of a cloud whose
// restore points are "VM snapshots" (its words, its sentences on what each kind is for, hostile
// names on the VM snapshots, their parents and the VM). What the page draws is checked: a section
// of its own (never rows of the volume's chain), memory, current and its parent marked, parents
// linked, every name as text (no element, link or script made of it), and a link posts `reveal`.
/* global document, window, getComputedStyle -- used only in functions that run in the page */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Markup, a command link with a codicon, a bidi override: what a cloud may hand back as a name. */
export const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1">',
  link: '[run](command:workbench.action.terminal.new) $(alert)',
  bidi: 'before\u202Eedargpu',
  vm: '<b>web-1</b> [x](https://evil.example)',
};

const ABOUT_SNAPSHOT = 'A volume snapshot copies one volume to secondary storage: durable, and it can become a template or a new volume.';
const ABOUT_RESTORE_POINT = 'A VM snapshot captures the whole VM on primary storage, optionally with its memory, for a quick rollback; it cannot become a template.';

/** The ChainView the extension would send (src/webview/protocol.ts), as plain JSON. */
export function restorePointView() {
  const snapshot = (i) => ({
    id: `snap-${i}`,
    name: `ROOT-1-snap-${i}`,
    state: 'BackedUp',
    phase: 'ready',
    createdAt: `2026-11-0${i}T00:00:00Z`,
    encrypted: false,
    sizeGiB: 20,
    tags: [],
    stored: i * 1024 * 1024,
    storedExact: false,
    impact: { kind: 'bound', freedBytes: i * 1024 * 1024, moved: [], blockers: [], affected: [] },
    actions: [],
  });
  return {
    title: 'ROOT-1',
    accountLabel: 'Sandbox (test)',
    scope: 'zone-1',
    diskId: 'vol-1',
    diskName: 'ROOT-1',
    diskState: 'Ready',
    diskSizeGiB: 20,
    snapshots: [snapshot(1), snapshot(2)],
    branches: [],
    restorePoints: [
      { id: 'vmsnap-3', name: HOSTILE.link, state: 'Ready', memory: false, parentId: 'vmsnap-1', parentName: HOSTILE.img, vmName: HOSTILE.vm, createdAt: '2026-11-05T00:00:00Z' },
      { id: 'vmsnap-2', name: HOSTILE.bidi, state: 'Ready', memory: false, current: true, parentId: 'vmsnap-1', parentName: HOSTILE.img, vmName: HOSTILE.vm, createdAt: '2026-11-04T00:00:00Z', description: HOSTILE.link },
      { id: 'vmsnap-1', name: HOSTILE.img, state: 'Ready', memory: true, parentOfCurrent: true, vmName: HOSTILE.vm, createdAt: '2026-11-03T00:00:00Z' },
    ],
    words: { disk: 'volume', snapshot: 'volume snapshot', restorePoint: 'VM snapshot', aboutSnapshot: ABOUT_SNAPSHOT, aboutRestorePoint: ABOUT_RESTORE_POINT },
    totals: { count: 2, storedBytes: 3 * 1024 * 1024, storedKnown: 2, fullCopyBytes: 40 * 1024 ** 3 },
    source: 'the physical size CloudStack reports for each volume snapshot',
    loading: false,
  };
}

const clean = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/**
 * Draws `restorePointView()` with the bundle in `webviewDir` on a new page of `browser` and checks
 * the restore-point section; throws on the first thing wrong. `shot(page)` saves a screenshot.
 * Resolves to a one-line account of what was seen.
 */
export async function checkRestorePointSection(browser, webviewDir, shot) {
  const js = readFileSync(join(webviewDir, 'chain.js'), 'utf8');
  const css = readFileSync(join(webviewDir, 'chain.css'), 'utf8');
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><main id="app"></main></body></html>`);
    // VS Code's webview API, recording what the webview posts (set before the bundle runs).
    await page.evaluate(() => {
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => (window.__posted ??= []).push(m),
        getState: () => undefined,
        setState: () => undefined,
      });
    });
    await page.addScriptTag({ content: js });
    const view = restorePointView();
    await page.evaluate((json) => window.postMessage({ type: 'chain', json }, '*'), JSON.stringify(view));
    const section = page.locator('section#restore-points');
    await section.waitFor({ timeout: 10_000 });
    await shot?.(page);

    const h1 = clean(await page.locator('h1').innerText());
    if (h1 !== 'Volume snapshot chain: ROOT-1') throw new Error(`the heading says "${h1}"`);
    const about = clean(await page.locator('#about-snapshots').innerText());
    if (about !== ABOUT_SNAPSHOT) throw new Error(`the chain's sentence says "${about}"`);
    const totals = clean(await page.locator('#totals').innerText());
    if (!totals.startsWith('2 volume snapshots ·')) throw new Error(`the totals say "${totals}"`);
    const heading = await section.locator('h2').innerText();
    if (heading !== `VM snapshots of ${HOSTILE.vm} (3)`) throw new Error(`the section's heading says "${heading}"`);
    const sectionText = clean(await section.innerText());
    if (!sectionText.includes(ABOUT_RESTORE_POINT)) throw new Error(`the section does not say what VM snapshots are for: ${sectionText}`);
    if (!/They are not volume snapshots and not part of the chain above\./.test(sectionText)) throw new Error(`the section does not set them apart from the chain: ${sectionText}`);

    // One row per VM snapshot, newest first, none of them in the volume's chain.
    const rows = section.locator('li.restore-point');
    const ids = await rows.evaluateAll((els) => els.map((e) => e.dataset.id));
    if (ids.join(',') !== 'vmsnap-3,vmsnap-2,vmsnap-1') throw new Error(`rows ${ids.join(',')}`);
    const chainRows = await page.locator('.rows .row[data-id]').evaluateAll((els) => els.map((e) => e.dataset.id));
    if (chainRows.join(',') !== 'snap-1,snap-2') throw new Error(`the chain's rows are ${chainRows.join(',')}`);
    const names = await rows.evaluateAll((els) => els.map((e) => e.querySelector('button.link')?.textContent));
    if (names.join('|') !== [HOSTILE.link, HOSTILE.bidi, HOSTILE.img].join('|')) throw new Error(`names drawn as ${JSON.stringify(names)}`);
    const marks = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.rp-mark')?.textContent ?? ''));
    if (marks.join('|') !== '|current|parent of current') throw new Error(`marks ${JSON.stringify(marks)}`);
    const current = await section.locator('li.restore-point.current').evaluateAll((els) => els.map((e) => e.dataset.id));
    if (current.join(',') !== 'vmsnap-2') throw new Error(`current rows ${current.join(',')}`);
    const facts = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.rp-facts')?.textContent ?? ''));
    if (!/^ · disks only · Ready · /.test(facts[0]) || !/^ · with memory · Ready · /.test(facts[2])) throw new Error(`facts ${JSON.stringify(facts)}`);
    const parents = await rows.evaluateAll((els) => els.map((e) => [...e.querySelectorAll('button.link')].slice(1).map((b) => b.textContent).join('')));
    if (parents.join('|') !== `${HOSTILE.img}|${HOSTILE.img}|`) throw new Error(`parent links ${JSON.stringify(parents)}`);

    // Nothing of the names became markup, a link or ran.
    const made = await page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      bold: document.querySelectorAll('#restore-points b').length,
      links: document.querySelectorAll('[href]').length,
      pwned: window.__pwned ?? null,
    }));
    if (made.img || made.bold || made.links || made.pwned !== null) throw new Error(`names were interpreted: ${JSON.stringify(made)}`);

    // A link to a VM snapshot asks the extension to reveal it (the extension checks it is known).
    await rows.first().locator('button.link').nth(1).click();
    const posted = await page.evaluate(() => window.__posted ?? []);
    if (posted[0]?.type !== 'ready') throw new Error(`the webview did not say it was ready: ${JSON.stringify(posted)}`);
    const reveal = posted.find((m) => m.type === 'reveal');
    if (!reveal || reveal.resourceId !== 'vmsnap-1') throw new Error(`posted ${JSON.stringify(posted)}`);
    return `"${heading}"; rows ${ids.join(', ')}; marks ${marks.filter(Boolean).join(', ')}; names drawn as text; the parent link posts reveal ${reveal.resourceId}`;
  } finally {
    await page.close();
  }
}

// --- backups ---------------------------------------------------------------------------------------

const ABOUT_BACKUP = 'A backup is a durable copy of one volume on a separate backup store: full, then incremental against its parent.';
const MiB = 1024 * 1024;

/**
 * The ChainView the extension would send for a volume protected only by backups (no snapshots):
 * a full backup (hostile name) ← inc-1 (hostile name) ← inc-2, and a branch inc-2b on inc-1 that
 * reports only objects; inc-2 and inc-2b have nothing depending on them.
 */
export function backupView() {
  const row = (id, over) => ({
    id,
    state: 'available',
    phase: 'ready',
    sizeGiB: 50,
    incremental: true,
    level: 0,
    tags: [],
    actions: ['restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup'],
    ...over,
  });
  return {
    title: 'logs-volume',
    accountLabel: 'Sandbox (test)',
    scope: 'RegionOne',
    diskId: 'vol-logs',
    diskName: 'logs-volume',
    diskState: 'in-use',
    diskSizeGiB: 50,
    snapshots: [],
    branches: [],
    backups: [
      row('bk-full', { name: HOSTILE.img, incremental: false, createdAt: '2026-11-01T00:00:00Z', stored: 200 * MiB, impact: { blockers: [`incremental backup ${HOSTILE.link} (bk-inc-1) depends on it`], freedBytes: 200 * MiB }, description: HOSTILE.vm, tags: [{ key: 'owner', value: HOSTILE.bidi }] }),
      row('bk-inc-1', { name: HOSTILE.link, parentId: 'bk-full', parentName: HOSTILE.img, createdAt: '2026-11-02T00:00:00Z', stored: 40 * MiB, impact: { blockers: ['incremental backup inc-2 (bk-inc-2) depends on it', 'incremental backup inc-2b (bk-inc-2b) depends on it'], freedBytes: 40 * MiB } }),
      row('bk-inc-2', { name: 'inc-2', parentId: 'bk-inc-1', parentName: HOSTILE.link, createdAt: '2026-11-03T00:00:00Z', stored: 8 * MiB, impact: { blockers: [], freedBytes: 8 * MiB } }),
      row('bk-inc-2b', { name: 'inc-2b', level: 1, parentId: 'bk-inc-1', parentName: HOSTILE.link, createdAt: '2026-11-04T00:00:00Z', storedObjects: 12, impact: { blockers: [], freedObjects: 12 } }),
    ],
    backupTotals: { count: 4, storedBytes: 248 * MiB, storedKnown: 3, objects: 12, objectsKnown: 1, fullCopyBytes: 200 * 1024 ** 3 },
    words: { disk: 'volume', snapshot: 'volume snapshot', restorePoint: 'instance snapshot', aboutBackup: ABOUT_BACKUP },
    totals: { count: 0, storedBytes: 0, storedKnown: 0, fullCopyBytes: 0 },
    source: 'the sizes the cloud reports',
    loading: false,
  };
}

/** A page with the packaged bundle and a stand-in for VS Code's webview API (recording posts). */
async function bundlePage(browser, webviewDir) {
  const js = readFileSync(join(webviewDir, 'chain.js'), 'utf8');
  const css = readFileSync(join(webviewDir, 'chain.css'), 'utf8');
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><main id="app"></main></body></html>`);
  await page.evaluate(() => {
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => (window.__posted ??= []).push(m),
      getState: () => undefined,
      setState: () => undefined,
    });
  });
  await page.addScriptTag({ content: js });
  return page;
}

/**
 * Draws `backupView()` with the bundle in `webviewDir` and checks the backup section: rows
 * parents first with the branch stepped in and each incremental naming its parent, bars in
 * proportion (bytes; objects on their own scale), the keyboard (End, Enter, ArrowUp) selecting
 * rows, the selected backup's delete rule and buttons (which post `action`), names as text. Then
 * a malformed chain on a fresh page is refused saying what is wrong. Throws on the first thing
 * wrong; resolves to a one-line account.
 */
export async function checkBackupSection(browser, webviewDir, shot) {
  const page = await bundlePage(browser, webviewDir);
  try {
    await page.evaluate((json) => window.postMessage({ type: 'chain', json }, '*'), JSON.stringify(backupView()));
    const section = page.locator('section#backups');
    await section.waitFor({ timeout: 10_000 });
    await shot?.(page);

    const h1 = clean(await page.locator('h1').innerText());
    if (h1 !== 'Backup chain: logs-volume') throw new Error(`the heading says "${h1}"`);
    const heading = clean(await section.locator('h2').first().innerText());
    if (heading !== 'Backups of logs-volume (4)') throw new Error(`the section's heading says "${heading}"`);
    const text = clean(await section.innerText());
    if (!text.includes(ABOUT_BACKUP)) throw new Error(`the section does not say what backups are for: ${text.slice(0, 300)}`);
    const totals = clean(await page.locator('#backup-totals').innerText());
    if (totals !== '4 backups · stored: 248 MiB in 3 of them · 12 objects of the backup store in 1 of them · full copies would take 200 GiB') throw new Error(`the totals say "${totals}"`);

    const rows = page.locator('#backup-list .brow');
    const shape = await rows.evaluateAll((els) => els.map((e) => `${e.dataset.id}@${e.dataset.level}`));
    if (shape.join(',') !== 'bk-full@0,bk-inc-1@0,bk-inc-2@0,bk-inc-2b@1') throw new Error(`rows ${shape.join(',')}`);
    const names = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.b-label')?.textContent));
    if (names.join('|') !== [HOSTILE.img, HOSTILE.link, 'inc-2', 'inc-2b'].join('|')) throw new Error(`names drawn as ${JSON.stringify(names)}`);
    const kinds = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.b-kind')?.textContent));
    if (kinds.join(',') !== 'full,incremental,incremental,incremental') throw new Error(`kinds ${kinds.join(',')}`);
    const parents = await rows.evaluateAll((els) => els.map((e) => (e.querySelector('.b-parent')?.textContent ?? '').trim()));
    const wantParents = ['', `after #1 ${HOSTILE.img}`, `after #2 ${HOSTILE.link}`, `after #2 ${HOSTILE.link}`];
    if (parents.join('|') !== wantParents.join('|')) throw new Error(`parents ${JSON.stringify(parents)}`);
    // The branch is drawn further in than the line it branches off.
    const indents = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.b-name').getBoundingClientRect().left + parseFloat(getComputedStyle(e.querySelector('.b-name')).paddingLeft)));
    if (!(indents[3] > indents[2] && indents[2] === indents[1])) throw new Error(`indents ${indents.join(',')}`);
    // Bars: bytes in proportion to the largest; the objects-only row on its own scale.
    const widths = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.fill').getBoundingClientRect().width / e.querySelector('.c-bar').getBoundingClientRect().width));
    const near = (a, b) => Math.abs(a - b) < 0.02;
    if (!(near(widths[0], 1) && near(widths[1], 0.2) && near(widths[2], 0.04) && near(widths[3], 1))) throw new Error(`bar widths ${widths.map((w) => w.toFixed(3)).join(',')}`);
    const figures = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.c-bytes')?.textContent));
    if (figures.join(',') !== '200 MiB,40.0 MiB,8.0 MiB,12 objects') throw new Error(`figures ${figures.join(',')}`);

    // The keyboard: the list is a listbox; End moves to the last row, Enter selects it, ArrowUp + Enter the one before.
    const role = await page.locator('#backup-list').getAttribute('role');
    if (role !== 'listbox') throw new Error(`the backup list's role is ${role}`);
    await page.locator('#backup-list').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    let selected = await rows.evaluateAll((els) => els.filter((e) => e.getAttribute('aria-selected') === 'true').map((e) => e.dataset.id));
    if (selected.join(',') !== 'bk-inc-2b') throw new Error(`after End, Enter: selected ${selected.join(',')}`);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    selected = await rows.evaluateAll((els) => els.filter((e) => e.getAttribute('aria-selected') === 'true').map((e) => e.dataset.id));
    if (selected.join(',') !== 'bk-full') throw new Error(`after ArrowUp ×3, Enter: selected ${selected.join(',')}`);
    const detailName = await page.locator('#backup-detail-name').textContent();
    if (detailName !== HOSTILE.img) throw new Error(`the detail names "${detailName}"`);
    // The full backup has a dependent: the cloud refuses its delete, and the panel says why.
    const impact = clean(await page.locator('#backup-impact').innerText());
    if (!impact.includes('The cloud refuses to delete it now:') || !impact.includes(`incremental backup ${HOSTILE.link} (bk-inc-1) depends on it`)) throw new Error(`the delete rule reads "${impact}"`);
    const label = await rows.first().getAttribute('aria-label');
    if (!label?.startsWith(`1. ${HOSTILE.img}, full backup, stores 200 MiB, 50 GiB, available`)) throw new Error(`the first row's label is "${label}"`);
    await shot?.(page, 'selected');

    // inc-2 can go: what it frees; its buttons post the action for it (Delete marked dangerous).
    await rows.nth(2).click();
    const freed = await page.locator('#backup-impact-freed').textContent();
    if (freed !== 'Frees 8.0 MiB') throw new Error(`inc-2's delete frees "${freed}"`);
    const buttons = await page.locator('#backup-detail .actions button[data-action]').evaluateAll((els) => els.map((e) => `${e.dataset.action}:${e.textContent}:${e.className}`));
    if (buttons.join('|') !== 'restoreBackupToNewDisk:Restore Backup to New Volume…:|restoreBackupInPlace:Restore Backup in Place…:danger|deleteBackup:Delete Backup…:danger') throw new Error(`buttons ${JSON.stringify(buttons)}`);
    await page.locator('#backup-detail button[data-action="deleteBackup"]').click();
    // The parent link in the detail reveals the parent.
    await page.locator('#backup-detail dd button.link').first().click();
    const posted = await page.evaluate(() => window.__posted ?? []);
    if (posted[0]?.type !== 'ready') throw new Error(`the webview did not say it was ready: ${JSON.stringify(posted)}`);
    const selects = posted.filter((m) => m.type === 'select').map((m) => m.snapshotId);
    if (selects.join(',') !== 'bk-inc-2b,bk-full,bk-inc-2') throw new Error(`selections posted ${selects.join(',')}`);
    const action = posted.find((m) => m.type === 'action');
    if (action?.action !== 'deleteBackup' || action.resourceId !== 'bk-inc-2') throw new Error(`posted ${JSON.stringify(posted)}`);
    const reveal = posted.find((m) => m.type === 'reveal');
    if (reveal?.resourceId !== 'bk-inc-1') throw new Error(`the parent link posted ${JSON.stringify(reveal)}`);

    const made = await page.evaluate(() => ({ img: document.querySelectorAll('img').length, links: document.querySelectorAll('[href]').length, bold: document.querySelectorAll('#backups b').length, pwned: window.__pwned ?? null }));
    if (made.img || made.links || made.bold || made.pwned !== null) throw new Error(`names were interpreted: ${JSON.stringify(made)}`);
  } finally {
    await page.close();
  }

  // A chain of the wrong shape is refused, and the page says what is wrong.
  const bad = await bundlePage(browser, webviewDir);
  try {
    const view = backupView();
    view.backups[2].level = 2.5;
    await bad.evaluate((json) => window.postMessage({ type: 'chain', json }, '*'), JSON.stringify(view));
    const alert = bad.locator('#malformed[role="alert"]');
    await alert.waitFor({ timeout: 10_000 });
    const said = clean(await alert.innerText());
    if (!said.includes('backups[2]: level must be a whole number from 0 to 1000')) throw new Error(`a malformed chain was refused saying "${said}"`);
    if (await bad.locator('section#backups').count()) throw new Error('a malformed chain was drawn');
    return `rows parents first (branch stepped in), bars in proportion, End/Enter/ArrowUp select, delete refused with its dependent named, buttons and the parent link post, names as text; a malformed chain refused: "${said}"`;
  } finally {
    await bad.close();
  }
}
