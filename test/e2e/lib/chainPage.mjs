// The chain webview's restore-point section in a real browser: the extension's own webview bundle
// (dist/webview/chain.js + chain.css, as packaged) loaded into a Chromium page with a stand-in for
// VS Code's webview API, sent the message the extension sends for a volume of a cloud whose
// restore points are "VM snapshots" (its words, its sentences on what each kind is for, hostile
// names on the VM snapshots, their parents and the VM). What the page draws is checked: a section
// of its own (never rows of the volume's chain), memory, current and its parent marked, parents
// linked, every name as text (no element, link or script made of it), and a link posts `reveal`.
/* global document, window -- used only in functions that run in the page */
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
