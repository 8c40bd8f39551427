/**
 * The messages between the extension and the snapshot chain webview, and their validators. Both
 * sides validate everything they receive and drop (and log) anything malformed. No `vscode`, no
 * DOM: the extension, the webview bundle and the unit tests all import this file.
 *
 * Every string here is untrusted text (resource names, tags, descriptions): the webview renders
 * it with textContent only.
 */

import { appliesTo, PANEL_ACTION_IDS, type PanelActionId } from '../model/actions';

export type Phase = 'pending' | 'ready' | 'error' | 'deleting';
/** The actions the panel offers on a snapshot or a backup: those marked `panel` in the action table. */
export const PANEL_ACTIONS = PANEL_ACTION_IDS;
export type PanelAction = PanelActionId;

export interface ViewImpact {
  /** exact: block accounting; bound: at most freedBytes; unavailable: see note. */
  kind: 'exact' | 'bound' | 'unavailable';
  freedBytes?: number;
  moved: { snapshotId: string; name: string; bytes: number }[];
  note?: string;
  blockers: string[];
  affected: string[];
}

export interface ViewSnapshot {
  id: string;
  name: string;
  state: string;
  phase: Phase;
  progress?: number;
  createdAt?: string;
  tier?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  /** false: a full snapshot, outside the incremental chain. */
  incremental?: boolean;
  sizeGiB: number;
  description?: string;
  tags: { key: string; value: string }[];
  /** Bytes it really stores, when known. */
  stored?: number;
  storedExact?: boolean;
  storedNote?: string;
  /** Why there is no stored figure. */
  storedMissing?: string;
  impact: ViewImpact;
  actions: PanelAction[];
}

export interface ViewBranch {
  kind: 'disk' | 'image' | 'copy';
  id: string;
  name: string;
  fromSnapshotId: string;
  scope: string;
  state: string;
}

/** A schedule that snapshots the chain's disk. */
export interface ViewSchedule {
  id: string;
  name: string;
  schedule?: string;
  enabled?: boolean;
}

/** A restore point of the disk's VM that holds the disk. */
export interface ViewRestorePoint {
  id: string;
  name: string;
  state: string;
  createdAt?: string;
  memory: boolean;
  current?: boolean;
  /** The current one was taken right after it. */
  parentOfCurrent?: boolean;
  /** The restore point it was taken after, and its name (its id when it is not listed). */
  parentId?: string;
  parentName?: string;
  /** The VM it belongs to, by name. */
  vmName?: string;
  description?: string;
}

/**
 * One backup of the disk (a separate store, its own chain by parent): drawn beside the snapshot
 * chain, parents before their dependents (model/chain.ts `backupFigures`).
 */
export interface ViewBackup {
  id: string;
  name: string;
  state: string;
  phase: Phase;
  progress?: number;
  createdAt?: string;
  sizeGiB: number;
  /** false: a full backup (starts a chain). */
  incremental: boolean;
  /** How far in it is drawn: 0 unless it starts a branch (a second backup on the same parent). */
  level: number;
  /** The backup it is incremental against, and its name (its id when it is not listed). */
  parentId?: string;
  parentName?: string;
  /** The snapshot it was made from, and its name (its id when it is not listed). */
  snapshotId?: string;
  snapshotName?: string;
  description?: string;
  tags: { key: string; value: string }[];
  /** What it stores, as the cloud reports it: bytes, else a count of the store's objects. */
  stored?: number;
  storedObjects?: number;
  /** Why there is neither. */
  storedMissing?: string;
  /** The cloud's rule: it can be deleted only when `blockers` is empty, and then frees all it stores. */
  impact: { blockers: string[]; freedBytes?: number; freedObjects?: number };
  actions: PanelAction[];
}

/** The backups' totals (see model/chain.ts BackupFigures). */
export interface ViewBackupTotals {
  count: number;
  storedBytes: number;
  storedKnown: number;
  objects: number;
  objectsKnown: number;
  fullCopyBytes: number;
}

/**
 * The cloud's own words for what the panel shows (CloudNouns): lower case, singular. `about*`:
 * its sentence on what each kind is for, where it gives one. Absent: the neutral words.
 */
export interface ViewWords {
  disk: string;
  snapshot: string;
  restorePoint: string;
  aboutSnapshot?: string;
  aboutRestorePoint?: string;
  aboutBackup?: string;
}

/** The words of a view without its own. */
export const NEUTRAL_WORDS: ViewWords = { disk: 'disk', snapshot: 'snapshot', restorePoint: 'restore point' };

export interface ChainView {
  title: string;
  accountLabel: string;
  scope: string;
  diskId?: string;
  diskName?: string;
  diskState?: string;
  diskSizeGiB?: number;
  origin?: { id: string; name: string };
  snapshots: ViewSnapshot[];
  branches: ViewBranch[];
  /** Schedules attached to the disk (absent: none listed). */
  schedules?: ViewSchedule[];
  /** VM-level restore points holding the disk (absent: none listed). */
  restorePoints?: ViewRestorePoint[];
  /** The disk's backups, parents before dependents, with their totals (both absent: none listed). */
  backups?: ViewBackup[];
  backupTotals?: ViewBackupTotals;
  /** What the cloud calls disks, snapshots and restore points (absent: NEUTRAL_WORDS). */
  words?: ViewWords;
  totals: { count: number; storedBytes: number; storedKnown: number; fullCopyBytes: number };
  /** Where the figures come from, or why there are none. */
  source: string;
  /** Figures are still being fetched. */
  loading: boolean;
  /** The snapshot or backup to select first (the one the panel was opened on). */
  selectedId?: string;
  /** What the webview keeps (setState) so VS Code can restore the panel after a window reload. */
  restore?: PanelState;
}

/**
 * The chain panel's saved state: the webview keeps it with setState, VS Code hands it back to
 * the panel serializer after a window reload.
 */
export interface PanelState {
  accountId: string;
  /** The disk, snapshot or backup the panel was opened on. */
  anchorId: string;
  /** The snapshot or backup selected last. */
  selectedId?: string;
}

/** The saved state of a chain panel, or what is wrong with it. */
export function readPanelState(raw: unknown): PanelState | string {
  if (!isObj(raw)) {
    return `no saved state (${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw})`;
  }
  if (!str(raw.accountId, MAX_ID) || raw.accountId === '') {
    return 'the saved state names no account';
  }
  if (!str(raw.anchorId, MAX_ID) || raw.anchorId === '') {
    return 'the saved state names no disk, snapshot or backup';
  }
  if (!optStr(raw.selectedId, MAX_ID)) {
    return 'the saved selection is unreadable';
  }
  return { accountId: raw.accountId, anchorId: raw.anchorId, ...(typeof raw.selectedId === 'string' ? { selectedId: raw.selectedId } : {}) };
}

export type ToWebview = { type: 'chain'; view: ChainView } | { type: 'select'; snapshotId: string };

/**
 * What actually crosses to the webview: the chain view as JSON text. One string is copied in a
 * blink where a structured clone of 5,000 snapshots' objects takes most of the first-paint budget
 * (and VS Code serialises messages to JSON on the way anyway).
 */
export type ToWebviewWire = { type: 'chain'; json: string } | { type: 'select'; snapshotId: string };

export function encodeToWebview(m: ToWebview): ToWebviewWire {
  return m.type === 'chain' ? { type: 'chain', json: JSON.stringify(m.view) } : m;
}

/** `select` names the snapshot or backup selected (`snapshotId` for either, as the panel saves it). */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'select'; snapshotId: string }
  | { type: 'action'; action: PanelAction; resourceId: string }
  | { type: 'reveal'; resourceId: string }
  | { type: 'refresh' }
  | { type: 'painted'; ms: number; rows: number };

// --- validation -----------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const MAX_TEXT = 64 * 1024;
const MAX_ID = 2048;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown, max = MAX_TEXT): v is string {
  return typeof v === 'string' && v.length <= max;
}
function optStr(v: unknown, max = MAX_TEXT): boolean {
  return v === undefined || str(v, max);
}
function num(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
function optNum(v: unknown): boolean {
  return v === undefined || num(v);
}
function optBool(v: unknown): boolean {
  return v === undefined || typeof v === 'boolean';
}
function arr<T>(v: unknown, each: (x: unknown) => x is T, max = 1_000_000): v is T[] {
  return Array.isArray(v) && v.length <= max && v.every(each);
}
function strs(v: unknown): v is string[] {
  return arr(v, (x): x is string => str(x), 1000);
}
function isAction(v: unknown): v is PanelAction {
  return typeof v === 'string' && (PANEL_ACTIONS as readonly string[]).includes(v);
}
/** A panel action for a row of this kind: a snapshot row offers no backup action, nor the reverse. */
function actionOn(kind: 'snapshot' | 'backup'): (v: unknown) => v is PanelAction {
  return (v: unknown): v is PanelAction => isAction(v) && appliesTo(v, kind);
}
function tags(v: unknown): v is { key: string; value: string }[] {
  return arr(v, (t): t is { key: string; value: string } => isObj(t) && str(t.key) && str(t.value), 1000);
}
const PHASES: readonly string[] = ['pending', 'ready', 'error', 'deleting'];

function isImpact(v: unknown): v is ViewImpact {
  return (
    isObj(v) &&
    (v.kind === 'exact' || v.kind === 'bound' || v.kind === 'unavailable') &&
    optNum(v.freedBytes) &&
    arr(v.moved, (m): m is ViewImpact['moved'][number] => isObj(m) && str(m.snapshotId, MAX_ID) && str(m.name) && num(m.bytes), 1000) &&
    optStr(v.note) &&
    strs(v.blockers) &&
    strs(v.affected)
  );
}

function isSnapshot(v: unknown): v is ViewSnapshot {
  return (
    isObj(v) &&
    str(v.id, MAX_ID) &&
    str(v.name) &&
    str(v.state) &&
    typeof v.phase === 'string' &&
    PHASES.includes(v.phase) &&
    optNum(v.progress) &&
    optStr(v.createdAt) &&
    optStr(v.tier) &&
    typeof v.encrypted === 'boolean' &&
    optStr(v.kmsKeyId) &&
    optBool(v.incremental) &&
    num(v.sizeGiB) &&
    optStr(v.description) &&
    tags(v.tags) &&
    optNum(v.stored) &&
    optBool(v.storedExact) &&
    optStr(v.storedNote) &&
    optStr(v.storedMissing) &&
    isImpact(v.impact) &&
    arr(v.actions, actionOn('snapshot'), PANEL_ACTIONS.length)
  );
}

/** Deeper than any real chain draws (a branch per level); bounds what the webview indents. */
const MAX_LEVEL = 1000;

/** Each field of a backup row and what it must be: a key not listed here is refused too. */
const BACKUP_FIELDS: Record<keyof ViewBackup, [(x: unknown) => boolean, string]> = {
  id: [(x) => str(x, MAX_ID) && x !== '', 'a non-empty id'],
  name: [(x) => str(x), 'text'],
  state: [(x) => str(x), 'text'],
  phase: [(x) => typeof x === 'string' && PHASES.includes(x), `one of ${PHASES.join(', ')}`],
  progress: [optNum, 'a number ≥ 0, or absent'],
  createdAt: [(x) => optStr(x), 'text, or absent'],
  sizeGiB: [num, 'a number ≥ 0'],
  incremental: [(x) => typeof x === 'boolean', 'true or false'],
  level: [(x) => num(x) && Number.isInteger(x) && x <= MAX_LEVEL, `a whole number from 0 to ${MAX_LEVEL}`],
  parentId: [(x) => optStr(x, MAX_ID), 'an id, or absent'],
  parentName: [(x) => optStr(x), 'text, or absent'],
  snapshotId: [(x) => optStr(x, MAX_ID), 'an id, or absent'],
  snapshotName: [(x) => optStr(x), 'text, or absent'],
  description: [(x) => optStr(x), 'text, or absent'],
  tags: [tags, 'a list of { key, value } texts'],
  stored: [optNum, 'a number of bytes ≥ 0, or absent'],
  storedObjects: [optNum, 'a number of objects ≥ 0, or absent'],
  storedMissing: [(x) => optStr(x), 'text, or absent'],
  impact: [
    (x) => isObj(x) && strs(x.blockers) && optNum(x.freedBytes) && optNum(x.freedObjects) && Object.keys(x).every((k) => ['blockers', 'freedBytes', 'freedObjects'].includes(k)),
    '{ blockers: texts, freedBytes?, freedObjects? }',
  ],
  actions: [(x) => arr(x, actionOn('backup'), PANEL_ACTIONS.length), "a list of the panel's backup actions"],
};

/** What is wrong with a backup row (its first wrong field), or undefined when it is right. */
function backupProblem(v: unknown): string | undefined {
  if (!isObj(v)) {
    return 'not an object';
  }
  for (const key of Object.keys(v)) {
    if (!Object.hasOwn(BACKUP_FIELDS, key)) {
      return `unknown field ${JSON.stringify(key.slice(0, 40))}`;
    }
  }
  for (const [key, [ok, what]] of Object.entries(BACKUP_FIELDS)) {
    if (!ok(v[key])) {
      return `${key} must be ${what}`;
    }
  }
  return undefined;
}

/** What is wrong with a chain view's backups, or undefined when they are right (or absent). */
function backupsProblem(v: Obj): string | undefined {
  if ((v.backups === undefined) !== (v.backupTotals === undefined)) {
    return 'backups and backupTotals come together';
  }
  if (v.backups === undefined) {
    return undefined;
  }
  if (!Array.isArray(v.backups) || v.backups.length > 100_000) {
    return 'backups must be a list (of at most 100,000)';
  }
  for (let i = 0; i < v.backups.length; i++) {
    const p = backupProblem(v.backups[i]);
    if (p) {
      return `backups[${i}]: ${p}`;
    }
  }
  return isBackupTotals(v.backupTotals) ? undefined : 'backupTotals must hold count, storedBytes, storedKnown, objects, objectsKnown and fullCopyBytes (numbers ≥ 0)';
}

function isBackupTotals(v: unknown): v is ViewBackupTotals {
  return isObj(v) && num(v.count) && num(v.storedBytes) && num(v.storedKnown) && num(v.objects) && num(v.objectsKnown) && num(v.fullCopyBytes);
}

function isBranch(v: unknown): v is ViewBranch {
  return (
    isObj(v) &&
    (v.kind === 'disk' || v.kind === 'image' || v.kind === 'copy') &&
    str(v.id, MAX_ID) &&
    str(v.name) &&
    str(v.fromSnapshotId, MAX_ID) &&
    str(v.scope) &&
    str(v.state)
  );
}

function isSchedule(v: unknown): v is ViewSchedule {
  return isObj(v) && str(v.id, MAX_ID) && str(v.name) && optStr(v.schedule) && optBool(v.enabled);
}

function isRestorePoint(v: unknown): v is ViewRestorePoint {
  return (
    isObj(v) &&
    str(v.id, MAX_ID) &&
    str(v.name) &&
    str(v.state) &&
    optStr(v.createdAt) &&
    typeof v.memory === 'boolean' &&
    optBool(v.current) &&
    optBool(v.parentOfCurrent) &&
    optStr(v.parentId, MAX_ID) &&
    optStr(v.parentName) &&
    optStr(v.vmName) &&
    optStr(v.description)
  );
}

/** A noun is a short word or two; an `about` sentence a line. */
const MAX_NOUN = 64;
const MAX_ABOUT = 1000;

function isWords(v: unknown): v is ViewWords {
  return (
    isObj(v) &&
    str(v.disk, MAX_NOUN) &&
    str(v.snapshot, MAX_NOUN) &&
    str(v.restorePoint, MAX_NOUN) &&
    optStr(v.aboutSnapshot, MAX_ABOUT) &&
    optStr(v.aboutRestorePoint, MAX_ABOUT) &&
    optStr(v.aboutBackup, MAX_ABOUT)
  );
}

export function isChainView(v: unknown): v is ChainView {
  if (!isObj(v)) {
    return false;
  }
  const t = v.totals;
  return (
    str(v.title) &&
    str(v.accountLabel) &&
    str(v.scope) &&
    optStr(v.diskId, MAX_ID) &&
    optStr(v.diskName) &&
    optStr(v.diskState) &&
    optNum(v.diskSizeGiB) &&
    (v.origin === undefined || (isObj(v.origin) && str(v.origin.id, MAX_ID) && str(v.origin.name))) &&
    arr(v.snapshots, isSnapshot) &&
    arr(v.branches, isBranch, 100_000) &&
    (v.schedules === undefined || arr(v.schedules, isSchedule, 1000)) &&
    (v.restorePoints === undefined || arr(v.restorePoints, isRestorePoint, 100_000)) &&
    backupsProblem(v) === undefined &&
    (v.words === undefined || isWords(v.words)) &&
    isObj(t) &&
    num(t.count) &&
    num(t.storedBytes) &&
    num(t.storedKnown) &&
    num(t.fullCopyBytes) &&
    str(v.source) &&
    typeof v.loading === 'boolean' &&
    optStr(v.selectedId, MAX_ID) &&
    (v.restore === undefined || typeof readPanelState(v.restore) !== 'string')
  );
}

/** Most JSON text a chain message may carry (about 40,000 snapshots). */
const MAX_JSON = 32 * 1024 * 1024;

/** What is wrong with a chain view (naming the field where it can), or undefined when it is valid. */
export function chainViewProblem(v: unknown): string | undefined {
  if (!isObj(v)) {
    return 'the chain is not an object';
  }
  const backups = backupsProblem(v);
  if (backups) {
    return backups;
  }
  return isChainView(v) ? undefined : 'a field of the chain is missing or of the wrong type';
}

/**
 * The message, typed, when it is a valid extension → webview message (wire form); else what is
 * wrong with it (one line, for the webview's console and its page).
 */
export function readToWebview(m: unknown): ToWebview | string {
  if (!isObj(m)) {
    return 'not a message';
  }
  if (m.type === 'chain' && Object.keys(m).length === 2 && typeof m.json === 'string' && m.json.length <= MAX_JSON) {
    let view: unknown;
    try {
      view = JSON.parse(m.json);
    } catch {
      return 'the chain is not JSON';
    }
    const problem = chainViewProblem(view);
    return problem === undefined ? { type: 'chain', view: view as ChainView } : `malformed chain: ${problem}`;
  }
  if (m.type === 'select' && Object.keys(m).length === 2 && str(m.snapshotId, MAX_ID)) {
    return { type: 'select', snapshotId: m.snapshotId };
  }
  return `unknown message ${describeMessage(m)}`;
}

/** The message, typed, when it is a valid extension → webview message (wire form); else undefined. */
export function parseToWebview(m: unknown): ToWebview | undefined {
  const read = readToWebview(m);
  return typeof read === 'string' ? undefined : read;
}

/** The message, typed, when it is a valid webview → extension message; else undefined. */
export function parseFromWebview(m: unknown): FromWebview | undefined {
  if (!isObj(m) || typeof m.type !== 'string') {
    return undefined;
  }
  const keys = Object.keys(m).length;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return keys === 1 ? { type: m.type } : undefined;
    case 'select':
      return keys === 2 && str(m.snapshotId, MAX_ID) ? { type: 'select', snapshotId: m.snapshotId } : undefined;
    case 'reveal':
      return keys === 2 && str(m.resourceId, MAX_ID) ? { type: 'reveal', resourceId: m.resourceId } : undefined;
    case 'action':
      return keys === 3 && isAction(m.action) && str(m.resourceId, MAX_ID)
        ? { type: 'action', action: m.action, resourceId: m.resourceId }
        : undefined;
    case 'painted':
      return keys === 3 && num(m.ms) && num(m.rows) ? { type: 'painted', ms: m.ms, rows: m.rows } : undefined;
    default:
      return undefined;
  }
}

/** A short description of a dropped message for the log (never its full content). */
export function describeMessage(m: unknown): string {
  if (!isObj(m)) {
    return typeof m;
  }
  const type = typeof m.type === 'string' ? m.type.slice(0, 40) : typeof m.type;
  return `{type: ${JSON.stringify(type)}, keys: ${Object.keys(m).slice(0, 8).join(',')}}`;
}
