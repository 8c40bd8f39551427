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
import { NEUTRAL_WORDS, parseToWebview, type ChainView, type FromWebview, type ViewBranch, type ViewRestorePoint, type ViewSnapshot, type ViewWords } from './protocol';

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
/** The branch and restore-point lists show at most this many rows, then "…and N more". */
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

function stateText(s: ViewSnapshot): string {
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
  const m = parseToWebview(event.data);
  if (!m) {
    console.warn('snapkeeper chain: dropped a malformed message');
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
  const saved = (vscode.getState() as { selectedId?: unknown } | undefined)?.selectedId;
  const wanted = previousId ?? next.selectedId ?? (typeof saved === 'string' ? saved : undefined);
  saveState(typeof saved === 'string' ? saved : undefined);
  selected = wanted ? next.snapshots.findIndex((s) => s.id === wanted) : -1;
  if (selected < 0 && next.snapshots.length) {
    selected = next.snapshots.length - 1;
  }
  active = Math.max(0, Math.min(selected, next.snapshots.length - 1));

  app.replaceChildren();
  app.setAttribute('aria-busy', String(next.loading));
  app.append(header(next), totals(next));
  const body = el('div', 'body');
  const w = words(next);
  const left = el('section', 'chain');
  left.setAttribute('aria-label', `${cap(w.snapshot)}s, oldest first`);
  left.append(listHeader(w));
  viewport = el('div', 'viewport');
  list = el('div', 'rows');
  list.id = 'snapshot-list';
  list.tabIndex = 0;
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', `${cap(w.snapshot)}s of ${next.title}, oldest first. Arrow keys move, Enter selects.`);
  spacer = el('div', 'spacer');
  spacer.style.height = `${next.snapshots.length * ROW_HEIGHT}px`;
  list.append(spacer);
  viewport.append(list);
  left.append(viewport);
  if (!next.snapshots.length) {
    left.append(el('p', 'muted', `This ${w.disk} has no ${w.snapshot}s yet.`));
  }
  detail = el('section', 'detail');
  detail.setAttribute('aria-live', 'polite');
  detail.setAttribute('aria-label', 'Selected snapshot');
  body.append(left, detail);
  app.append(body, branches(next));
  if (next.restorePoints?.length) {
    app.append(restorePoints(next.restorePoints, w));
  }

  viewport.addEventListener('scroll', () => drawRows());
  list.addEventListener('keydown', onKey);
  list.addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
    if (row?.dataset.index) {
      active = Number(row.dataset.index);
      select(active);
      list?.focus();
    }
  });
  drawn = { from: -1, to: -1 };
  if (keepScroll) {
    viewport.scrollTop = keepScroll;
  } else if (selected >= 0) {
    viewport.scrollTop = Math.max(0, selected * ROW_HEIGHT - ROW_HEIGHT * 4);
  }
  drawRows();
  drawDetail();
}

function header(v: ChainView): HTMLElement {
  const h = el('header', 'head');
  const w = words(v);
  h.append(el('h1', undefined, `${cap(w.snapshot)} chain: ${v.title}`));
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

function onKey(e: KeyboardEvent): void {
  if (!view || !view.snapshots.length) {
    return;
  }
  const n = view.snapshots.length;
  const page = Math.max(1, Math.floor((viewport?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
  let next: number;
  switch (e.key) {
    case 'ArrowDown':
      next = Math.min(n - 1, active + 1);
      break;
    case 'ArrowUp':
      next = Math.max(0, active - 1);
      break;
    case 'PageDown':
      next = Math.min(n - 1, active + page);
      break;
    case 'PageUp':
      next = Math.max(0, active - page);
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = n - 1;
      break;
    case 'Enter':
    case ' ':
      e.preventDefault();
      select(active);
      return;
    default:
      return;
  }
  e.preventDefault();
  setActive(next);
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
  detail.append(dl);
  if (s.tags.length) {
    detail.append(el('h3', undefined, 'Tags'));
    const ul = el('ul', 'tags');
    for (const t of s.tags) {
      const li = el('li');
      li.append(el('span', 'tag-key', t.key), document.createTextNode(' = '), el('span', 'tag-value', t.value));
      ul.append(li);
    }
    detail.append(ul);
  }
  detail.append(impactSection(s));
  const actions = el('div', 'actions');
  for (const a of s.actions) {
    // In the cloud's words: "Restore to New Volume…", "Delete Volume Snapshot…".
    const b = el('button', isDestructive(a) ? 'danger' : undefined, inNouns(actionCommandTitle(a), words(view)));
    b.dataset.action = a;
    b.addEventListener('click', () => post({ type: 'action', action: a, resourceId: s.id }));
    actions.append(b);
  }
  actions.append(linkButton('Reveal in tree', s.id));
  detail.append(actions);
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
