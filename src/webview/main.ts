/// <reference lib="dom" />
/**
 * The snapshot chain webview (bundled by esbuild for the browser into dist/webview/chain.js).
 * A list, not a graph: the chain is a line in time with side branches, so a virtualised list of
 * rows with DOM/CSS bars (width ∝ bytes stored) says it more plainly than a layout library would,
 * and draws 5,000 rows as fast as 50 (only the rows in view exist in the DOM).
 *
 * Every name, tag and description is untrusted: text goes in with textContent only. Messages
 * from the extension are validated (protocol.ts) and dropped when malformed.
 */
import { actionCommandTitle, isDestructive } from '../model/actions';
import { inNouns } from '../ui/nouns';
import { formatBytes } from '../model/units';
import './chain.css';
import {
  NEUTRAL_WORDS,
  readToWebview,
  type ChainView,
  type FromWebview,
  type PanelAction,
  type ViewBackup,
  type ViewBranch,
  type ViewRestorePoint,
  type ViewSnapshot,
  type ViewWords,
} from './protocol';

interface VsCodeApi {
  postMessage(m: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode: VsCodeApi =
  typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };

const ROW_HEIGHT = 28;
const OVERSCAN = 8;
/** The branch, restore-point and backup lists show at most this many rows, then "…and N more". */
const LIST_MAX = 500;

// --- text helpers -----------------------------------------------------------------------------------

/** The cloud's words for this view ("volume snapshot", "VM snapshot"), or the neutral ones. */
function words(v: ChainView | undefined): ViewWords {
  return v?.words ?? NEUTRAL_WORDS;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function age(iso: string | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) {
    return '';
  }
  const minutes = Math.max(0, Math.round((now - t) / 60_000));
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.round(minutes / 60);
  if (hours < 48) {
    return `${hours} h`;
  }
  const days = Math.round(hours / 24);
  return days < 60 ? `${days} d` : days < 730 ? `${Math.round(days / 30)} mo` : `${(days / 365).toFixed(1)} y`;
}

function date(iso: string | undefined): string {
  const d = iso ? new Date(iso) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    return iso ?? '';
  }
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** An element with a class and text (always textContent: never parsed as HTML). */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) {
    e.className = cls;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

function stateText(s: ViewSnapshot | ViewBackup): string {
  return s.phase === 'pending' && s.progress !== undefined ? `${s.state} ${s.progress}%` : s.state;
}

function storedText(s: ViewSnapshot): string {
  return s.stored !== undefined ? formatBytes(s.stored) : 'n/a';
}

// --- state ------------------------------------------------------------------------------------------

let view: ChainView | undefined;
let selected = -1;
let active = 0;
let maxStored = 0;
/** The backups' list (drawn whole, up to LIST_MAX): its selected and keyboard-active rows, its bar scales. */
let backupSelected = -1;
let backupActive = 0;
let maxBackupBytes = 0;
let maxBackupObjects = 0;
let backupList: HTMLElement | undefined;
let backupDetail: HTMLElement | undefined;
let firstPaintSent = false;
const now = Date.now();

const app = document.getElementById('app') as HTMLElement;
let list: HTMLElement | undefined;
let viewport: HTMLElement | undefined;
let spacer: HTMLElement | undefined;
let detail: HTMLElement | undefined;
let drawn = { from: -1, to: -1 };

/** Keeps what VS Code needs to restore this panel after a reload (see PanelState), and the selection. */
function saveState(selectedId: string | undefined): void {
  vscode.setState({ ...view?.restore, ...(selectedId ? { selectedId } : {}) });
}

function post(m: FromWebview): void {
  vscode.postMessage(m);
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = readToWebview(event.data);
  if (typeof m === 'string') {
    console.warn(`snapkeeper chain: dropped a message: ${m}`);
    if (!view) {
      // Nothing drawn yet: say so on the page rather than spin forever.
      const alert = el('p', 'warn', `This panel could not draw the chain it was sent (${m}). Refresh, or reopen it from the tree.`);
      alert.id = 'malformed';
      alert.setAttribute('role', 'alert');
      app.replaceChildren(alert);
      app.setAttribute('aria-busy', 'false');
    }
    return;
  }
  if (m.type === 'chain') {
    const t0 = performance.now();
    render(m.view);
    if (!firstPaintSent) {
      firstPaintSent = true;
      requestAnimationFrame(() =>
        setTimeout(() => {
          const ms = performance.now() - t0;
          (window as unknown as { __chainPainted?: number }).__chainPainted = performance.now();
          post({ type: 'painted', ms, rows: m.view.snapshots.length });
        }, 0),
      );
    }
  } else {
    selectById(m.snapshotId);
  }
});

// --- rendering --------------------------------------------------------------------------------------

function render(next: ChainView): void {
  const previousId = view && selected >= 0 ? view.snapshots[selected]?.id : undefined;
  const keepScroll = viewport?.scrollTop ?? 0;
  view = next;
  maxStored = 0;
  for (const s of next.snapshots) {
    if (s.stored !== undefined && s.stored > maxStored) {
      maxStored = s.stored;
    }
  }
  const previousBackup = view && backupSelected >= 0 ? view.backups?.[backupSelected]?.id : undefined;
  const saved = (vscode.getState() as { selectedId?: unknown } | undefined)?.selectedId;
  const wanted = next.selectedId ?? (typeof saved === 'string' ? saved : undefined);
  saveState(typeof saved === 'string' ? saved : undefined);
  const wantedSnapshot = previousId ?? wanted;
  selected = wantedSnapshot ? next.snapshots.findIndex((s) => s.id === wantedSnapshot) : -1;
  if (selected < 0 && next.snapshots.length) {
    selected = next.snapshots.length - 1;
  }
  active = Math.max(0, Math.min(selected, next.snapshots.length - 1));
  const backups = next.backups ?? [];
  const wantedBackup = previousBackup ?? wanted;
  backupSelected = wantedBackup ? backups.findIndex((b) => b.id === wantedBackup) : -1;
  if (backupSelected < 0 && backups.length) {
    backupSelected = backups.length - 1;
  }
  backupActive = Math.max(0, backupSelected);

  app.replaceChildren();
  app.setAttribute('aria-busy', String(next.loading));
  const w = words(next);
  // A disk protected only by backups: no snapshot list, totals or branches to speak of.
  const backupsOnly = !next.snapshots.length && backups.length > 0;
  list = viewport = spacer = detail = undefined;
  backupList = backupDetail = undefined;
  if (backupsOnly) {
    app.append(header(next), el('p', 'muted', `This ${w.disk} has no ${w.snapshot}s: its backups are below.`));
  } else {
    app.append(header(next), totals(next), snapshotBody(next, w));
  }
  if (next.backups?.length && next.backupTotals) {
    app.append(backupSection(next, next.backups, next.backupTotals));
  }
  if (!backupsOnly) {
    app.append(branches(next));
  }
  if (next.restorePoints?.length) {
    app.append(restorePoints(next.restorePoints, w));
  }
  // Scrolled once in the page (a detached element keeps no scroll position). snapshotBody set it.
  const port = viewport as HTMLElement | undefined;
  if (port && keepScroll) {
    port.scrollTop = keepScroll;
  } else if (port && selected >= 0) {
    port.scrollTop = Math.max(0, selected * ROW_HEIGHT - ROW_HEIGHT * 4);
  }
  drawn = { from: -1, to: -1 };
  drawRows();
  drawDetail();
}

/** The snapshot chain: its virtualised listbox (oldest first) and the selected snapshot's detail. */
function snapshotBody(next: ChainView, w: ViewWords): HTMLElement {
  const body = el('div', 'body');
  const left = el('section', 'chain');
  left.setAttribute('aria-label', `${cap(w.snapshot)}s, oldest first`);
  left.append(listHeader(w));
  const port = el('div', 'viewport');
  const rows = el('div', 'rows');
  rows.id = 'snapshot-list';
  rows.tabIndex = 0;
  rows.setAttribute('role', 'listbox');
  rows.setAttribute('aria-label', `${cap(w.snapshot)}s of ${next.title}, oldest first. Arrow keys move, Enter selects.`);
  spacer = el('div', 'spacer');
  spacer.style.height = `${next.snapshots.length * ROW_HEIGHT}px`;
  rows.append(spacer);
  port.append(rows);
  left.append(port);
  if (!next.snapshots.length) {
    left.append(el('p', 'muted', `This ${w.disk} has no ${w.snapshot}s yet.`));
  }
  detail = el('section', 'detail');
  detail.setAttribute('aria-live', 'polite');
  detail.setAttribute('aria-label', 'Selected snapshot');
  body.append(left, detail);
  port.addEventListener('scroll', () => drawRows());
  rows.addEventListener('keydown', onKey);
  rows.addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
    if (row?.dataset.index) {
      active = Number(row.dataset.index);
      select(active);
      rows.focus();
    }
  });
  list = rows;
  viewport = port;
  return body;
}

function header(v: ChainView): HTMLElement {
  const h = el('header', 'head');
  const w = words(v);
  h.append(el('h1', undefined, `${v.snapshots.length || !v.backups?.length ? cap(w.snapshot) : 'Backup'} chain: ${v.title}`));
  const facts = [v.diskId, v.scope, v.accountLabel, v.diskSizeGiB !== undefined ? `${v.diskSizeGiB} GiB ${w.disk}` : undefined, v.diskState]
    .filter((x): x is string => !!x)
    .join(' · ');
  const p = el('p', 'muted', facts);
  h.append(p);
  if (w.aboutSnapshot) {
    // Where a cloud's users mix up its two kinds of backup, say which this chain is.
    const about = el('p', 'about', w.aboutSnapshot);
    about.id = 'about-snapshots';
    h.append(about);
  }
  if (v.origin) {
    const o = el('p', 'origin', 'Restored from ');
    o.append(linkButton(v.origin.name, v.origin.id));
    h.append(o);
  }
  if (v.schedules?.length) {
    // Schedules are attached to the disk: they take the snapshots, they are not in the chain.
    const p = el('p', 'schedules', 'Protected by ');
    v.schedules.forEach((s, i) => {
      const when = [s.schedule, s.enabled === false ? 'disabled' : undefined].filter(Boolean).join(', ');
      p.append(...(i ? [document.createTextNode(', ')] : []), linkButton(s.name, s.id), ...(when ? [document.createTextNode(` (${when})`)] : []));
    });
    h.append(p);
  }
  const tools = el('div', 'tools');
  const refresh = el('button', 'secondary', 'Refresh');
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  tools.append(refresh);
  if (v.diskId) {
    tools.append(linkButton(`Reveal ${w.disk} in tree`, v.diskId));
  }
  h.append(tools);
  return h;
}

function totals(v: ChainView): HTMLElement {
  const t = el('section', 'totals');
  t.setAttribute('aria-label', 'Chain totals');
  const { count, storedBytes, storedKnown, fullCopyBytes } = v.totals;
  const line = el('p', 'total-line');
  line.id = 'totals';
  const parts: string[] = [count === 1 ? `1 ${words(v).snapshot}` : `${count} ${words(v).snapshot}s`];
  if (storedKnown === 0) {
    parts.push(v.loading ? 'stored: fetching…' : 'stored: not available');
  } else {
    parts.push(`stored: ${storedKnown < count ? 'at least ' : ''}${formatBytes(storedBytes)}`);
  }
  parts.push(`full copies would take ${formatBytes(fullCopyBytes)}`);
  if (storedKnown === count && count > 0 && fullCopyBytes > 0) {
    parts.push(`incremental storage saves ${(100 * (1 - storedBytes / fullCopyBytes)).toFixed(1)}%`);
  }
  line.textContent = parts.join(' · ');
  t.append(line);
  const src = el('p', 'muted source', `${v.loading ? 'Fetching… ' : ''}Figures: ${v.source}`);
  src.id = 'source';
  t.append(src);
  if (storedKnown > 0 && storedKnown < count) {
    t.append(el('p', 'muted', `${count - storedKnown} ${words(v).snapshot}(s) without a figure: select one to see why.`));
  }
  return t;
}

function listHeader(w: ViewWords): HTMLElement {
  const h = el('div', 'row head-row');
  h.setAttribute('aria-hidden', 'true');
  for (const [cls, text] of [
    ['c-no', '#'],
    ['c-name', cap(w.snapshot)],
    ['c-bar', 'Stored'],
    ['c-bytes', 'Bytes'],
    ['c-state', 'State'],
    ['c-age', 'Age'],
    ['c-tier', 'Tier'],
    ['c-enc', 'Enc.'],
  ]) {
    h.append(el('span', cls, text));
  }
  return h;
}

function drawRows(): void {
  if (!view || !viewport || !list) {
    return;
  }
  const n = view.snapshots.length;
  const top = viewport.scrollTop;
  const height = viewport.clientHeight || 600;
  const from = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const to = Math.min(n, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  if (from === drawn.from && to === drawn.to) {
    return;
  }
  drawn = { from, to };
  const frag = document.createDocumentFragment();
  for (let i = from; i < to; i++) {
    frag.append(row(view.snapshots[i], i));
  }
  list.replaceChildren(spacer as HTMLElement, frag);
  list.setAttribute('aria-activedescendant', `row-${active}`);
}

function row(s: ViewSnapshot, i: number): HTMLElement {
  const r = el('div', `row${i === selected ? ' selected' : ''}${i === active ? ' active' : ''}`);
  r.id = `row-${i}`;
  r.dataset.index = String(i);
  r.dataset.id = s.id;
  r.setAttribute('role', 'option');
  r.setAttribute('aria-selected', String(i === selected));
  r.setAttribute('aria-setsize', String(view?.snapshots.length ?? 0));
  r.setAttribute('aria-posinset', String(i + 1));
  r.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
  r.append(el('span', 'c-no', String(i + 1)));
  const nameCell = el('span', 'c-name', s.name);
  nameCell.title = s.name === s.id ? s.id : `${s.name} (${s.id})`;
  r.append(nameCell);
  const bar = el('span', 'c-bar');
  const fill = el('span', s.stored !== undefined ? 'fill' : 'fill unknown');
  if (s.stored !== undefined) {
    fill.style.width = `${maxStored > 0 ? Math.max(s.stored > 0 ? 0.5 : 0, (100 * s.stored) / maxStored) : 0}%`;
    if (!s.storedExact) {
      fill.classList.add('reported');
    }
  } else {
    fill.textContent = s.storedMissing ?? 'not reported';
  }
  bar.append(fill);
  r.append(bar);
  r.append(el('span', 'c-bytes', storedText(s)));
  r.append(el('span', `c-state phase-${s.phase}`, stateText(s)));
  r.append(el('span', 'c-age', age(s.createdAt, now)));
  r.append(el('span', 'c-tier', s.tier ?? ''));
  r.append(el('span', 'c-enc', s.encrypted ? 'yes' : 'no'));
  const label = `${i + 1}. ${s.name}, ${s.stored !== undefined ? `stores ${formatBytes(s.stored)}` : `stored bytes not available: ${s.storedMissing ?? ''}`}, ${stateText(s)}`;
  r.setAttribute('aria-label', label);
  return r;
}

/**
 * Where a listbox key moves the active row of a list of `n` rows (`page` rows per page):
 * the row's index, `'select'` for Enter and Space, or undefined for a key the list does not use.
 */
function listKey(key: string, active: number, n: number, page: number): number | 'select' | undefined {
  switch (key) {
    case 'ArrowDown':
      return Math.min(n - 1, active + 1);
    case 'ArrowUp':
      return Math.max(0, active - 1);
    case 'PageDown':
      return Math.min(n - 1, active + page);
    case 'PageUp':
      return Math.max(0, active - page);
    case 'Home':
      return 0;
    case 'End':
      return n - 1;
    case 'Enter':
    case ' ':
      return 'select';
    default:
      return undefined;
  }
}

function onKey(e: KeyboardEvent): void {
  if (!view || !view.snapshots.length) {
    return;
  }
  const page = Math.max(1, Math.floor((viewport?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
  const next = listKey(e.key, active, view.snapshots.length, page);
  if (next === undefined) {
    return;
  }
  e.preventDefault();
  if (next === 'select') {
    select(active);
  } else {
    setActive(next);
  }
}

function setActive(i: number): void {
  active = i;
  scrollIntoView(i);
  drawn = { from: -1, to: -1 };
  drawRows();
}

function scrollIntoView(i: number): void {
  if (!viewport) {
    return;
  }
  const top = i * ROW_HEIGHT;
  if (top < viewport.scrollTop) {
    viewport.scrollTop = top;
  } else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) {
    viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
  }
}

function select(i: number): void {
  if (!view || i < 0 || i >= view.snapshots.length) {
    return;
  }
  selected = i;
  active = i;
  const id = view.snapshots[i].id;
  saveState(id);
  post({ type: 'select', snapshotId: id });
  scrollIntoView(i);
  drawn = { from: -1, to: -1 };
  drawRows();
  drawDetail();
}

function selectById(id: string): void {
  const i = view ? view.snapshots.findIndex((s) => s.id === id) : -1;
  if (i >= 0) {
    select(i);
    return;
  }
  const b = view?.backups ? view.backups.findIndex((x) => x.id === id) : -1;
  if (b >= 0) {
    selectBackup(b);
  }
}

function linkButton(text: string, id: string): HTMLButtonElement {
  const b = el('button', 'link', text);
  b.title = `Reveal ${id} in the Snapkeeper tree`;
  b.addEventListener('click', () => post({ type: 'reveal', resourceId: id }));
  return b;
}

function fact(dl: HTMLElement, k: string, v: string | undefined): void {
  if (v === undefined || v === '') {
    return;
  }
  dl.append(el('dt', undefined, k), el('dd', undefined, v));
}

function drawDetail(): void {
  if (!detail || !view) {
    return;
  }
  detail.replaceChildren();
  const s = view.snapshots[selected];
  if (!s) {
    detail.append(el('p', 'muted', `Select a ${words(view).snapshot} to see what deleting it would free.`));
    return;
  }
  const title = el('h2', undefined, s.name);
  title.id = 'detail-name';
  detail.append(title);
  const dl = el('dl', 'facts');
  fact(dl, 'ID', s.id);
  fact(dl, 'Position', `${selected + 1} of ${view.snapshots.length}`);
  fact(dl, 'State', stateText(s));
  fact(dl, 'Created', s.createdAt ? `${date(s.createdAt)} (${age(s.createdAt, now)} ago)` : undefined);
  fact(dl, 'Disk size', `${s.sizeGiB} GiB`);
  fact(
    dl,
    'Stores',
    s.stored !== undefined
      ? `${formatBytes(s.stored)}${s.storedExact ? ' (block accounting)' : ''}${s.storedNote ? ` — ${s.storedNote}` : ''}`
      : `not available: ${s.storedMissing ?? 'not reported'}`,
  );
  fact(dl, 'Kind', s.incremental === undefined ? undefined : s.incremental ? 'incremental' : 'full');
  fact(dl, 'Tier', s.tier);
  fact(dl, 'Encryption', s.encrypted ? `encrypted${s.kmsKeyId ? ` (${s.kmsKeyId})` : ''}` : 'not encrypted');
  fact(dl, 'Description', s.description);
  detail.append(dl, ...tagList(s.tags), impactSection(s), actionButtons(s.actions, s.id, words(view)));
}

/** A row's tags (heading and list), or nothing. */
function tagList(tags: { key: string; value: string }[]): HTMLElement[] {
  if (!tags.length) {
    return [];
  }
  const ul = el('ul', 'tags');
  for (const t of tags) {
    const li = el('li');
    li.append(el('span', 'tag-key', t.key), document.createTextNode(' = '), el('span', 'tag-value', t.value));
    ul.append(li);
  }
  return [el('h3', undefined, 'Tags'), ul];
}

/** The panel's buttons for a selected row: its actions (each posts `action`), then Reveal in tree. */
function actionButtons(list: PanelAction[], id: string, w: ViewWords): HTMLElement {
  const actions = el('div', 'actions');
  for (const a of list) {
    // In the cloud's words: "Restore to New Volume…", "Delete Volume Snapshot…".
    const b = el('button', isDestructive(a) ? 'danger' : undefined, inNouns(actionCommandTitle(a), w));
    b.dataset.action = a;
    b.addEventListener('click', () => post({ type: 'action', action: a, resourceId: id }));
    actions.append(b);
  }
  actions.append(linkButton('Reveal in tree', id));
  return actions;
}

function impactSection(s: ViewSnapshot): HTMLElement {
  const sec = el('section', 'impact');
  sec.id = 'impact';
  sec.setAttribute('aria-label', 'If deleted');
  sec.append(el('h3', undefined, 'If deleted'));
  const im = s.impact;
  if (im.kind === 'unavailable') {
    sec.append(el('p', 'warn', `No preview: ${im.note ?? 'not available'}`));
  } else {
    const freed = el('p', 'freed');
    freed.id = 'impact-freed';
    freed.textContent = `${im.kind === 'bound' ? 'Frees at most' : 'Frees'} ${formatBytes(im.freedBytes ?? 0)}`;
    sec.append(freed);
    if (im.moved.length) {
      for (const m of im.moved) {
        const p = el('p', 'moved', `Moves ${formatBytes(m.bytes)} to ${m.name}`);
        p.title = m.snapshotId;
        sec.append(p);
      }
    } else if (im.kind === 'exact') {
      sec.append(el('p', 'muted moved', 'Moves nothing: no later snapshot needs its blocks.'));
    }
    if (im.note) {
      sec.append(el('p', im.kind === 'bound' ? 'warn' : 'muted', im.note));
    }
  }
  if (im.blockers.length) {
    sec.append(el('h4', undefined, 'Blocks the delete'));
    const ul = el('ul', 'blockers');
    for (const b of im.blockers) {
      ul.append(el('li', undefined, b));
    }
    sec.append(ul);
  }
  if (im.affected.length) {
    sec.append(el('h4', undefined, 'Also made from it'));
    const ul = el('ul', 'affected');
    for (const b of im.affected) {
      ul.append(el('li', undefined, b));
    }
    sec.append(ul);
  }
  return sec;
}

// --- backups ----------------------------------------------------------------------------------------

/** What a backup stores, as reported: bytes, else objects of the backup store; "n/a" when neither. */
function backupStoredText(b: ViewBackup): string {
  return b.stored !== undefined ? formatBytes(b.stored) : b.storedObjects !== undefined ? objectsText(b.storedObjects) : 'n/a';
}

function objectsText(n: number): string {
  return `${n} object${n === 1 ? '' : 's'}`;
}

/** "after #2 full-1": the parent an incremental backup stores the changes since (its id when not listed). */
function parentText(b: ViewBackup, index: ReadonlyMap<string, number>): string | undefined {
  if (!b.parentId) {
    return b.incremental ? 'parent not reported' : undefined;
  }
  const i = index.get(b.parentId);
  return i === undefined ? `after ${b.parentName ?? b.parentId} (not listed)` : `after #${i + 1} ${b.parentName ?? b.parentId}`;
}

/**
 * The disk's backups: a section of their own beside the snapshot chain (they live on a separate
 * store and chain by parent, not in time). Parents come before their dependents; a branch (a
 * second backup on the same parent) is drawn one step in, and every incremental row names its
 * parent. A listbox like the snapshots' (arrow keys, Home/End, Enter), with the selected backup's
 * facts, what deleting it would do (the cloud's rule), and its actions below.
 */
function backupSection(v: ChainView, backups: ViewBackup[], t: NonNullable<ChainView['backupTotals']>): HTMLElement {
  const w = words(v);
  const sec = el('section', 'backups');
  sec.id = 'backups';
  const heading = `Backups of ${v.title} (${backups.length})`;
  sec.setAttribute('aria-label', heading);
  sec.append(el('h2', undefined, heading));
  if (w.aboutBackup) {
    sec.append(el('p', 'about', w.aboutBackup));
  }
  sec.append(
    el(
      'p',
      'muted',
      `Each is a copy of this ${w.disk} on a separate backup store, apart from its ${w.snapshot}s: a full backup, then incremental ones that store only what changed since their parent. A backup can be deleted only when no other depends on it.`,
    ),
  );
  const parts = [t.count === 1 ? '1 backup' : `${t.count} backups`];
  const of = (n: number) => (n < t.count ? ` in ${n} of them` : '');
  if (t.storedKnown > 0) {
    parts.push(`stored: ${formatBytes(t.storedBytes)}${of(t.storedKnown)}`);
  }
  if (t.objectsKnown > 0) {
    parts.push(`${t.storedKnown > 0 ? '' : 'stored: '}${objectsText(t.objects)} of the backup store${of(t.objectsKnown)}`);
  }
  if (t.storedKnown === 0 && t.objectsKnown === 0) {
    parts.push('stored: not reported');
  }
  parts.push(`full copies would take ${formatBytes(t.fullCopyBytes)}`);
  const line = el('p', 'total-line', parts.join(' · '));
  line.id = 'backup-totals';
  sec.append(line);

  maxBackupBytes = backups.reduce((m, b) => Math.max(m, b.stored ?? 0), 0);
  maxBackupObjects = backups.reduce((m, b) => Math.max(m, b.storedObjects ?? 0), 0);
  const body = el('div', 'body');
  const left = el('div', 'backup-chain');
  const head = el('div', 'brow head-row');
  head.setAttribute('aria-hidden', 'true');
  for (const [cls, text] of [
    ['c-no', '#'],
    ['b-name', 'Backup'],
    ['b-kind', 'Kind'],
    ['c-bar', 'Stored'],
    ['c-bytes', 'Stores'],
    ['b-size', 'Size'],
    ['c-state', 'State'],
    ['c-age', 'Age'],
  ]) {
    head.append(el('span', cls, text));
  }
  backupList = el('div', 'brows');
  backupList.id = 'backup-list';
  backupList.tabIndex = 0;
  backupList.setAttribute('role', 'listbox');
  backupList.setAttribute('aria-label', `Backups of ${v.title}, each parent before the backups that depend on it. Arrow keys move, Enter selects.`);
  backupList.addEventListener('keydown', onBackupKey);
  backupList.addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.brow');
    if (row?.dataset.index) {
      selectBackup(Number(row.dataset.index));
      backupList?.focus();
    }
  });
  left.append(head, backupList);
  if (backups.length > LIST_MAX) {
    left.append(el('p', 'muted', `…and ${backups.length - LIST_MAX} more (not drawn).`));
  }
  backupDetail = el('section', 'detail');
  backupDetail.id = 'backup-detail';
  backupDetail.setAttribute('aria-live', 'polite');
  backupDetail.setAttribute('aria-label', 'Selected backup');
  body.append(left, backupDetail);
  sec.append(body);
  drawBackupRows();
  drawBackupDetail();
  return sec;
}

function drawBackupRows(): void {
  const backups = view?.backups;
  if (!backups || !backupList) {
    return;
  }
  const index = new Map(backups.map((b, i) => [b.id, i]));
  const shown = backups.slice(0, LIST_MAX);
  backupList.replaceChildren(...shown.map((b, i) => backupRow(b, i, shown.length, index)));
  backupList.setAttribute('aria-activedescendant', `brow-${backupActive}`);
}

function backupRow(b: ViewBackup, i: number, n: number, index: ReadonlyMap<string, number>): HTMLElement {
  const r = el('div', `brow${i === backupSelected ? ' selected' : ''}${i === backupActive ? ' active' : ''}`);
  r.id = `brow-${i}`;
  r.dataset.index = String(i);
  r.dataset.id = b.id;
  r.dataset.level = String(b.level);
  r.setAttribute('role', 'option');
  r.setAttribute('aria-selected', String(i === backupSelected));
  r.setAttribute('aria-setsize', String(n));
  r.setAttribute('aria-posinset', String(i + 1));
  r.append(el('span', 'c-no', String(i + 1)));
  // The chain drawn as text: a branch steps in; an incremental backup hangs off its parent (↳).
  const name = el('span', 'b-name');
  name.style.paddingLeft = `${Math.min(b.level, 12) * 1.25}em`;
  name.append(el('span', 'b-link', b.incremental ? '↳ ' : '● '), el('span', 'b-label', b.name));
  name.title = b.name === b.id ? b.id : `${b.name} (${b.id})`;
  const parent = parentText(b, index);
  if (parent) {
    name.append(el('span', 'muted b-parent', ` ${parent}`));
  }
  r.append(name, el('span', 'b-kind', b.incremental ? 'incremental' : 'full'));
  const bar = el('span', 'c-bar');
  const known = b.stored !== undefined || b.storedObjects !== undefined;
  const fill = el('span', known ? 'fill reported' : 'fill unknown');
  if (b.stored !== undefined) {
    fill.style.width = `${maxBackupBytes > 0 ? Math.max(b.stored > 0 ? 0.5 : 0, (100 * b.stored) / maxBackupBytes) : 0}%`;
  } else if (b.storedObjects !== undefined) {
    fill.classList.add('objects');
    fill.style.width = `${maxBackupObjects > 0 ? Math.max(b.storedObjects > 0 ? 0.5 : 0, (100 * b.storedObjects) / maxBackupObjects) : 0}%`;
  } else {
    fill.textContent = b.storedMissing ?? 'not reported';
  }
  bar.append(fill);
  r.append(bar, el('span', 'c-bytes', backupStoredText(b)), el('span', 'b-size', `${b.sizeGiB} GiB`));
  r.append(el('span', `c-state phase-${b.phase}`, stateText(b)), el('span', 'c-age', age(b.createdAt, now)));
  const stores = known ? `stores ${backupStoredText(b)}` : `stored figure not available: ${b.storedMissing ?? ''}`;
  r.setAttribute('aria-label', `${i + 1}. ${b.name}, ${b.incremental ? 'incremental' : 'full'} backup${parent ? `, ${parent}` : ''}, ${stores}, ${b.sizeGiB} GiB, ${stateText(b)}`);
  return r;
}

function onBackupKey(e: KeyboardEvent): void {
  const n = Math.min(view?.backups?.length ?? 0, LIST_MAX);
  if (!n) {
    return;
  }
  const next = listKey(e.key, backupActive, n, 10);
  if (next === undefined) {
    return;
  }
  e.preventDefault();
  if (next === 'select') {
    selectBackup(backupActive);
    return;
  }
  backupActive = next;
  drawBackupRows();
  document.getElementById(`brow-${next}`)?.scrollIntoView({ block: 'nearest' });
}

function selectBackup(i: number): void {
  const backups = view?.backups;
  if (!backups || i < 0 || i >= Math.min(backups.length, LIST_MAX)) {
    return;
  }
  backupSelected = i;
  backupActive = i;
  const id = backups[i].id;
  saveState(id);
  post({ type: 'select', snapshotId: id });
  drawBackupRows();
  document.getElementById(`brow-${i}`)?.scrollIntoView({ block: 'nearest' });
  drawBackupDetail();
}

function drawBackupDetail(): void {
  if (!backupDetail || !view?.backups) {
    return;
  }
  backupDetail.replaceChildren();
  const b = view.backups[backupSelected];
  if (!b) {
    backupDetail.append(el('p', 'muted', 'Select a backup to see what it holds and whether it can be deleted.'));
    return;
  }
  const title = el('h2', undefined, b.name);
  title.id = 'backup-detail-name';
  const dl = el('dl', 'facts');
  fact(dl, 'ID', b.id);
  fact(dl, 'Kind', b.incremental ? 'incremental: stores what changed since its parent' : 'full: stores the whole disk');
  if (b.parentId) {
    dl.append(el('dt', undefined, 'Parent'));
    const dd = el('dd');
    dd.append(linkButton(b.parentName ?? b.parentId, b.parentId));
    dl.append(dd);
  }
  if (b.snapshotId) {
    dl.append(el('dt', undefined, `Made from ${words(view).snapshot}`));
    const dd = el('dd');
    dd.append(linkButton(b.snapshotName ?? b.snapshotId, b.snapshotId));
    dl.append(dd);
  }
  fact(dl, 'State', stateText(b));
  fact(dl, 'Created', b.createdAt ? `${date(b.createdAt)} (${age(b.createdAt, now)} ago)` : undefined);
  fact(dl, 'Disk size', `${b.sizeGiB} GiB`);
  fact(
    dl,
    'Stores',
    b.stored !== undefined
      ? `${formatBytes(b.stored)} (as reported by the cloud)`
      : b.storedObjects !== undefined
        ? `${objectsText(b.storedObjects)} of the backup store (the cloud reports no bytes)`
        : `not available: ${b.storedMissing ?? 'not reported'}`,
  );
  fact(dl, 'Description', b.description);
  backupDetail.append(title, dl, ...tagList(b.tags), backupImpact(b), actionButtons(b.actions, b.id, words(view)));
}

/** "If deleted", by the cloud's rule: refused while others depend on it, else frees all it stores. */
function backupImpact(b: ViewBackup): HTMLElement {
  const sec = el('section', 'impact');
  sec.id = 'backup-impact';
  sec.setAttribute('aria-label', 'If deleted');
  sec.append(el('h3', undefined, 'If deleted'));
  if (b.impact.blockers.length) {
    sec.append(el('p', 'warn', 'The cloud refuses to delete it now:'));
    const ul = el('ul', 'blockers');
    for (const x of b.impact.blockers) {
      ul.append(el('li', undefined, x));
    }
    sec.append(ul);
    return sec;
  }
  const freed = el('p', 'freed');
  freed.id = 'backup-impact-freed';
  freed.textContent =
    b.impact.freedBytes !== undefined
      ? `Frees ${formatBytes(b.impact.freedBytes)}`
      : b.impact.freedObjects !== undefined
        ? `Frees ${objectsText(b.impact.freedObjects)} of the backup store`
        : 'Frees all it stores (the cloud reports no figure)';
  sec.append(freed, el('p', 'muted', 'Nothing moves: no other backup depends on it.'));
  return sec;
}

function branches(v: ChainView): HTMLElement {
  const sec = el('section', 'branches');
  sec.setAttribute('aria-label', 'Branches');
  sec.append(el('h2', undefined, `Branches (${v.branches.length})`));
  if (!v.branches.length) {
    sec.append(el('p', 'muted', `No ${words(v).disk}, image or copy was made from these ${words(v).snapshot}s.`));
    return sec;
  }
  const index = new Map(v.snapshots.map((s, i) => [s.id, i]));
  const kinds: Record<ViewBranch['kind'], string> = { disk: 'Disk restored', image: 'Image', copy: 'Copy' };
  const shown = v.branches.slice(0, LIST_MAX);
  const ul = el('ul', 'branch-list');
  for (const b of shown) {
    const li = el('li', `branch kind-${b.kind}`);
    const from = index.get(b.fromSnapshotId);
    li.append(el('span', 'branch-kind', kinds[b.kind]), linkButton(b.name, b.id));
    li.append(el('span', 'muted', ` · ${b.state} · ${b.scope} · from #${from !== undefined ? from + 1 : '?'} ${from !== undefined ? v.snapshots[from].name : b.fromSnapshotId}`));
    ul.append(li);
  }
  sec.append(ul);
  if (v.branches.length > shown.length) {
    sec.append(el('p', 'muted', `…and ${v.branches.length - shown.length} more.`));
  }
  return sec;
}

/**
 * The VM's restore points that hold this disk, newest first: a section of their own, after the
 * chain, never rows of it (they are the whole VM, not this disk's snapshots). Each says whether it
 * holds the memory, marks the current one and its parent, and links the point it was taken after.
 */
function restorePoints(points: ViewRestorePoint[], w: ViewWords): HTMLElement {
  const sec = el('section', 'restore-points');
  sec.id = 'restore-points';
  const vms = new Set(points.map((p) => p.vmName ?? ''));
  const vm = vms.size === 1 ? points[0].vmName : undefined;
  const heading = `${cap(w.restorePoint)}s${vm ? ` of ${vm}` : ' of its VM'} (${points.length})`;
  sec.setAttribute('aria-label', heading);
  sec.append(el('h2', undefined, heading));
  if (w.aboutRestorePoint) {
    sec.append(el('p', 'about', w.aboutRestorePoint));
  }
  sec.append(
    el('p', 'muted', `Each holds the whole VM: this ${w.disk} together with its other ${w.disk}s. They are not ${w.snapshot}s and not part of the chain above.`),
  );
  const ul = el('ul', 'branch-list');
  const shown = points.slice(0, LIST_MAX);
  for (const p of shown) {
    const li = el('li', `restore-point${p.current ? ' current' : ''}`);
    li.dataset.id = p.id;
    li.append(linkButton(p.name, p.id));
    const mark = p.current ? 'current' : p.parentOfCurrent ? 'parent of current' : undefined;
    if (mark) {
      li.append(document.createTextNode(' '), el('span', `rp-mark${p.current ? ' current' : ''}`, mark));
    }
    const facts = [p.memory ? 'with memory' : 'disks only', p.state, p.createdAt ? date(p.createdAt) : undefined].filter(Boolean).join(' · ');
    li.append(el('span', 'muted rp-facts', ` · ${facts}`));
    if (p.parentId) {
      li.append(el('span', 'muted', ' · taken after '), linkButton(p.parentName ?? p.parentId, p.parentId));
    }
    if (p.description) {
      li.append(el('div', 'muted rp-description', p.description));
    }
    ul.append(li);
  }
  sec.append(ul);
  if (points.length > shown.length) {
    sec.append(el('p', 'muted', `…and ${points.length - shown.length} more.`));
  }
  return sec;
}

post({ type: 'ready' });
