// Backups (a disk's copies on a separate backup store, full or incremental against a parent): no
// adapter on this branch lists them yet, so a fake adapter does, through the real session, tree
// shape, resource text, chain maths, chain view and the webview's protocol. Names are hostile text.
import assert from 'node:assert/strict';
import { chainView, type ViewContext } from '../../src/core/chainView';
import { AccountSession } from '../../src/core/session';
import type { ActionId } from '../../src/model/actions';
import { backupFigures, buildChain } from '../../src/model/chain';
import type { Backup, Disk, Inventory, Resource, Scope, Snapshot, Vm } from '../../src/model/types';
import { describe as describeResource, displayName, tooltipRows } from '../../src/ui/resourceText';
import { ICON_PATTERN, markdownText, pickText } from '../../src/ui/safeText';
import { backupRelated, countsText, diskChildren, folderItems, folderLabel, folderTooltip, hasChildren, leafFolders } from '../../src/ui/treeShape';
import { chainViewProblem, isChainView, parseFromWebview, readToWebview, type ChainView } from '../../src/webview/protocol';
import { HIDDEN_CHARACTERS, HOSTILE_NAMES } from '../fixtures/hostile-names';
import { fakeAccount, fakeAdapter, twoKindNouns } from './fakes';

const SCOPE: Scope = { id: 'r1', label: 'r1', leaf: true };
/** A newline, a bidi override, a command link and a codicon: what a cloud may hand back as a name. */
const EVIL = 'full\n\u202E[run](command:workbench.action.terminal.new) $(alert)';
const base = { scopeId: SCOPE.id, phase: 'ready' as const, tags: [] };
const GiB = 1024 ** 3;

const vm: Vm = { ...base, kind: 'vm', id: 'vm-1', name: 'db', state: 'ACTIVE', diskIds: ['vol-1'] };
const disk: Disk = { ...base, kind: 'disk', id: 'vol-1', name: 'db-data', state: 'in-use', sizeGiB: 20, encrypted: false, attachments: [{ vmId: 'vm-1', boot: false }] };
/** A volume whose only protection is backups. */
const bare: Disk = { ...disk, id: 'vol-2', name: 'logs', attachments: [] };
const snap: Snapshot = { ...base, kind: 'snapshot', id: 'snap-1', name: 'before-upgrade', state: 'available', diskId: 'vol-1', sizeGiB: 20, encrypted: false, createdAt: '2026-11-01T00:00:00Z' };

function backup(id: string, over: Partial<Backup>): Backup {
  return { ...base, kind: 'backup', id, state: 'available', sizeGiB: 20, incremental: true, diskId: 'vol-1', ...over };
}
/**
 * vol-1's backups: a full one, two incrementals in a line, and a branch (b-4, taken after b-3 was
 * deleted and b-2 became the latest again, so b-2 has two dependents); b-5 is still being made.
 */
const b1 = backup('b-1', { name: EVIL, incremental: false, createdAt: '2026-11-02T00:00:00Z', storedBytes: 12 * GiB, hasDependents: true, snapshotId: 'snap-1' });
const b2 = backup('b-2', { name: 'inc-1', parentId: 'b-1', createdAt: '2026-11-03T00:00:00Z', storedBytes: 2 * GiB, hasDependents: true });
const b3 = backup('b-3', { name: 'inc-2', parentId: 'b-2', createdAt: '2026-11-04T00:00:00Z', storedBytes: GiB });
const b4 = backup('b-4', { name: 'inc-2b', parentId: 'b-2', createdAt: '2026-11-05T00:00:00Z', storedBytes: 512 * 1024 ** 2 });
const b5 = backup('b-5', { name: 'inc-3', parentId: 'b-4', createdAt: '2026-11-06T00:00:00Z', phase: 'pending', state: 'creating', progress: 40 });
/** vol-2: a full backup reporting only objects, and an incremental one reporting nothing. */
const c1 = backup('c-1', { diskId: 'vol-2', name: 'logs-full', incremental: false, createdAt: '2026-11-02T00:00:00Z', objectCount: 40, hasDependents: true });
const c2 = backup('c-2', { diskId: 'vol-2', name: 'logs-inc', parentId: 'c-1', createdAt: '2026-11-03T00:00:00Z', hasDependents: false });
/** A backup whose volume was deleted. */
const gone = backup('o-1', { diskId: 'vol-gone', name: 'old-full', incremental: false, createdAt: '2026-10-01T00:00:00Z', storedBytes: GiB });

/** The estate as an adapter with backups would list it, through the real session. */
async function listed(backups: Backup[] = [b3, b1, b5, b2, b4, c1, c2, gone]): Promise<Inventory> {
  const adapter = fakeAdapter({
    listInventory: async (_scope, sink) => {
      sink.add('vm', [vm], true);
      sink.add('disk', [disk, bare], true);
      sink.add('snapshot', [snap], true);
      sink.add('image', [], true);
      sink.add('backup', backups, true);
    },
  });
  const session = new AccountSession(fakeAccount, async () => adapter, () => undefined);
  await session.load(SCOPE);
  assert.equal(session.state(SCOPE.id)?.status, 'loaded');
  return session.inventory(SCOPE.id);
}

function all(inv: Inventory): Resource[] {
  return [...inv.vms, ...inv.disks, ...inv.snapshots, ...inv.images, ...(inv.backups ?? [])];
}

/** What the adapter offers: every panel action of the kind (and a snapshot action everywhere, which the view must sort out). */
const offered = (r: Resource): ActionId[] =>
  r.kind === 'backup' ? ['restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup', 'deleteSnapshot', 'editTags'] : r.kind === 'snapshot' ? ['deleteSnapshot', 'deleteBackup'] : [];

function ctx(over: Partial<ViewContext> = {}): ViewContext {
  return { accountLabel: 'test', scopeLabel: (id) => id, actionsFor: offered, loading: false, nouns: twoKindNouns, ...over };
}

describe('backups in the tree', () => {
  it("a disk shows its snapshots, then a Backups group with that disk's backups, newest first", async () => {
    const inv = await listed();
    assert.deepEqual(diskChildren(inv, disk), { snapshots: [snap], backups: true });
    assert.deepEqual(folderItems(inv, 'backups', 'vol-1').map((b) => b.id), ['b-5', 'b-4', 'b-3', 'b-2', 'b-1']);
    assert.deepEqual(folderItems(inv, 'backups', 'vol-2').map((b) => b.id), ['c-2', 'c-1']);
    // A volume protected only by backups still opens; one with neither does not.
    assert.deepEqual(diskChildren(inv, bare), { snapshots: [], backups: true });
    assert.equal(hasChildren(inv, bare), true);
    assert.equal(hasChildren({ ...inv, backups: [] }, bare), false);
    assert.equal(folderLabel('backups', twoKindNouns), 'Backups');
    assert.equal(
      folderTooltip('backups', { ...twoKindNouns, about: { backup: 'A backup is durable.' } }),
      'Backups of this volume on a separate backup store, newest first: a full backup, then incremental ones that store only what changed since their parent.\nA backup is durable.',
    );
  });

  it('backups whose disk is gone go to the scope group of things whose disk is not here, named for what it holds', async () => {
    const inv = await listed();
    assert.deepEqual(leafFolders(inv), ['images', 'detached', 'orphans']);
    assert.deepEqual(folderItems(inv, 'orphans').map((r) => r.id), ['o-1']);
    assert.equal(folderLabel('orphans', twoKindNouns, inv), 'Other backups');
    assert.equal(folderTooltip('orphans', twoKindNouns, inv), 'Backups whose volume is not in this zone: the volume was deleted');
    const orphanSnap: Snapshot = { ...snap, id: 'snap-9', diskId: 'vol-gone', createdAt: '2026-12-01T00:00:00Z' };
    const both = { ...inv, snapshots: [...inv.snapshots, orphanSnap] };
    assert.deepEqual(folderItems(both, 'orphans').map((r) => r.id), ['snap-9', 'o-1']);
    assert.equal(folderLabel('orphans', twoKindNouns, both), 'Other volume snapshots and backups');
    assert.match(folderTooltip('orphans', twoKindNouns, both), /^Volume snapshots whose volume is not in this zone: .*; and backups whose volume is not in this zone: the volume was deleted$/);
    const snapsOnly = { ...both, backups: [] };
    assert.equal(folderLabel('orphans', twoKindNouns, snapsOnly), 'Other volume snapshots');
    // Without a listing at hand: the words it always had.
    assert.equal(folderLabel('orphans', twoKindNouns), 'Other volume snapshots');
  });

  it('the scope counts include backups', async () => {
    const inv = await listed();
    const items = new Map(all(inv).map((r) => [r.id, r]));
    assert.equal(countsText({ items }, twoKindNouns), '1 VM · 2 volumes · 1 volume snapshot · 8 backups');
  });

  it("a backup's line says full or incremental; its tooltip names its parent, its snapshot, what it stores and its dependents", async () => {
    const inv = await listed();
    const pick = (id: string) => inv.backups?.find((b) => b.id === id) as Backup;
    assert.match(describeResource(pick('b-2')), /^b-2 · incremental · available · 2026-11-0\d \d\d:\d\d$/);
    assert.match(describeResource(pick('b-5')), /^b-5 · incremental · creating 40% · /);
    assert.match(describeResource(pick('b-1')), /^b-1 · full · available · /);
    const inc = new Map(tooltipRows(pick('b-2'), [], backupRelated(inv, pick('b-2'))));
    // The parent's hostile name with its hidden characters shown as escapes.
    assert.equal(inc.get('Incremental after'), 'full\\n\\u202E[run](command:workbench.action.terminal.new) $(alert) (b-1)');
    assert.equal(inc.get('Kind'), 'incremental (stores what changed since its parent)');
    assert.equal(inc.get('Stored'), '2.0 GiB');
    assert.equal(inc.get('Dependents'), 'incremental backups depend on it: it cannot be deleted before them');
    assert.equal(inc.get('Source disk'), 'vol-1');
    const full = new Map(tooltipRows(pick('b-1'), [], backupRelated(inv, pick('b-1'))));
    assert.equal(full.get('From snapshot'), 'before-upgrade (snap-1)');
    assert.equal(full.get('Incremental after'), undefined);
    assert.equal(new Map(tooltipRows(pick('b-5'))).get('State'), 'creating (40%)');
    // Only objects reported: objects, never bytes made up; nothing reported: no Stored row.
    assert.equal(new Map(tooltipRows(pick('c-1'))).get('Stored'), '40 objects of the backup store');
    assert.equal(new Map(tooltipRows(pick('c-2'))).get('Stored'), undefined);
    assert.equal(new Map(tooltipRows(pick('c-2'))).get('Dependents'), 'none: it can be deleted');
    // An unlisted parent is named by its id.
    assert.equal(new Map(tooltipRows(pick('c-2'), [], backupRelated({ ...inv, backups: [pick('c-2')] }, pick('c-2')))).get('Incremental after'), 'c-1');
  });
});

describe('backups in the chain', () => {
  it("a disk's chain holds its backups, oldest first, beside its snapshots; from a backup the same chain", async () => {
    const inv = await listed();
    const chain = buildChain(all(inv), 'vol-1');
    assert.ok(chain);
    assert.deepEqual(chain.snapshots.map((s) => s.id), ['snap-1']);
    assert.deepEqual(chain.backups.map((b) => b.id), ['b-1', 'b-2', 'b-3', 'b-4', 'b-5']);
    const fromBackup = buildChain(all(inv), 'b-3');
    assert.equal(fromBackup?.key, chain.key);
    assert.deepEqual(fromBackup?.backups.map((b) => b.id), ['b-1', 'b-2', 'b-3', 'b-4', 'b-5']);
    assert.deepEqual(fromBackup?.snapshots.map((s) => s.id), ['snap-1']);
    // A volume with backups and no snapshots; a backup whose volume is gone.
    assert.deepEqual(buildChain(all(inv), 'vol-2')?.backups.map((b) => b.id), ['c-1', 'c-2']);
    const orphan = buildChain(all(inv), 'o-1');
    assert.deepEqual([orphan?.key, orphan?.disk, orphan?.backups.map((b) => b.id)], ['disk:vol-gone', undefined, ['o-1']]);
    // A backup without a disk id: its family by parent links.
    const loose = [backup('x-1', { diskId: undefined, incremental: false }), backup('x-2', { diskId: undefined, parentId: 'x-1' }), backup('y-1', { diskId: undefined, incremental: false })];
    assert.deepEqual(buildChain(loose, 'x-2')?.backups.map((b) => b.id), ['x-1', 'x-2']);
    assert.equal(buildChain(loose, 'x-2')?.key, 'backup:x-2');
  });

  it('rows: parents before dependents, a branch one step in, the chain going on at its level', () => {
    const fig = backupFigures([b1, b2, b3, b4, b5]);
    assert.deepEqual(
      fig.rows.map((r) => [r.backup.id, r.level, r.parent?.id, r.dependents.map((d) => d.id)]),
      [
        ['b-1', 0, undefined, ['b-2']],
        ['b-2', 0, 'b-1', ['b-3', 'b-4']],
        ['b-3', 0, 'b-2', []],
        ['b-4', 1, 'b-2', ['b-5']],
        ['b-5', 1, 'b-4', []],
      ],
    );
    // A parent not listed starts its own row at 0; a cycle in the data is drawn once, not forever.
    const cyc = backupFigures([backup('p', { parentId: 'q' }), backup('q', { parentId: 'p' }), backup('r', { parentId: 'missing' })]);
    assert.deepEqual(cyc.rows.map((r) => [r.backup.id, r.level]), [['r', 0], ['p', 0], ['q', 0]]);
    const self = backupFigures([backup('s', { parentId: 's' })]);
    assert.deepEqual(self.rows.map((r) => [r.backup.id, r.parent?.id, r.dependents.length]), [['s', undefined, 0]]);
    // A long chain does not overflow the stack.
    const long = Array.from({ length: 20_000 }, (_, i) => backup(`l-${i}`, { parentId: i ? `l-${i - 1}` : undefined, incremental: i > 0 }));
    const rows = backupFigures(long).rows;
    assert.equal(rows.length, 20_000);
    assert.equal(rows[19_999].backup.id, 'l-19999');
    assert.equal(rows[19_999].level, 0);
  });

  it("the delete rule is the cloud's: only a backup nothing depends on can go, and it frees all it stores", () => {
    const fig = backupFigures([b1, b2, b3, b4, b5, c1, c2]);
    assert.deepEqual(fig.impact.get('b-1'), { blockers: ['incremental backup inc-1 (b-2) depends on it'], freedBytes: 12 * GiB });
    assert.deepEqual(fig.impact.get('b-2')?.blockers, ['incremental backup inc-2 (b-3) depends on it', 'incremental backup inc-2b (b-4) depends on it']);
    assert.deepEqual(fig.impact.get('b-3'), { blockers: [], freedBytes: GiB });
    assert.deepEqual(fig.impact.get('b-4')?.blockers, ['incremental backup inc-3 (b-5) depends on it']);
    assert.deepEqual(fig.impact.get('b-5'), { blockers: ['it is still being made'] });
    // The cloud says others depend on it although none is listed: still refused.
    assert.deepEqual(backupFigures([c1]).impact.get('c-1'), {
      blockers: ['incremental backups depend on it (the cloud says so; they are not listed here)'],
      freedObjects: 40,
    });
    // Objects only: objects, never bytes; nothing reported: nothing freed is claimed.
    assert.deepEqual(fig.impact.get('c-2'), { blockers: [] });
    // Deleting the newest of a branch (b-3) leaves b-2 with one dependent: still refused; then b-4's line.
    const after = backupFigures([b1, { ...b2 }, b4, b5]);
    assert.deepEqual(after.impact.get('b-2')?.blockers, ['incremental backup inc-2b (b-4) depends on it']);
    assert.deepEqual(after.rows.map((r) => [r.backup.id, r.level]), [['b-1', 0], ['b-2', 0], ['b-4', 0], ['b-5', 0]]);
    assert.deepEqual(fig.totals, { count: 7, storedBytes: 12 * GiB + 2 * GiB + GiB + 512 * 1024 ** 2, storedKnown: 4, objects: 40, objectsKnown: 1, fullCopyBytes: 7 * 20 * GiB });
  });

  it('the chain view carries every backup with its level, parent, snapshot, figure, delete rule and only backup actions', async () => {
    const inv = await listed();
    const chain = buildChain(all(inv), 'b-2');
    assert.ok(chain);
    const view = chainView(chain, undefined, ctx({ selectedId: 'b-2', progress: new Map([['b-5', 55]]) }));
    assert.equal(view.selectedId, 'b-2');
    assert.equal(view.words?.aboutBackup, undefined);
    const rows = view.backups ?? [];
    assert.deepEqual(rows.map((b) => [b.id, b.level, b.incremental, b.parentId ?? null]), [
      ['b-1', 0, false, null],
      ['b-2', 0, true, 'b-1'],
      ['b-3', 0, true, 'b-2'],
      ['b-4', 1, true, 'b-2'],
      ['b-5', 1, true, 'b-4'],
    ]);
    // Names as they are (the webview writes them as text); the parent's and the snapshot's too.
    assert.equal(rows[0].name, EVIL);
    assert.equal(rows[1].parentName, EVIL);
    assert.deepEqual([rows[0].snapshotId, rows[0].snapshotName], ['snap-1', 'before-upgrade']);
    assert.deepEqual([rows[0].stored, rows[0].storedObjects, rows[0].storedMissing], [12 * GiB, undefined, undefined]);
    assert.deepEqual([rows[4].progress, rows[4].storedMissing], [55, 'not completed yet']);
    assert.deepEqual(rows[2].impact, { blockers: [], freedBytes: GiB });
    assert.deepEqual(rows[0].impact.blockers, ['incremental backup inc-1 (b-2) depends on it']);
    // Each row offers only its own kind's panel buttons (never Edit Tags, never the other kind's).
    assert.deepEqual(rows[0].actions, ['restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup']);
    assert.deepEqual(view.snapshots[0].actions, ['deleteSnapshot']);
    assert.deepEqual(view.backupTotals?.count, 5);
    assert.equal(isChainView(JSON.parse(JSON.stringify(view))), true);
    // The cloud's sentence on backups reaches the panel.
    const about = chainView(chain, undefined, ctx({ nouns: { ...twoKindNouns, about: { backup: 'Durable, on a separate store.' } } }));
    assert.equal(about.words?.aboutBackup, 'Durable, on a separate store.');
    // A chain without backups sends none (and no totals).
    const noBackups = chainView(buildChain(all({ ...inv, backups: [] }), 'vol-1')!, undefined, ctx());
    assert.deepEqual([noBackups.backups, noBackups.backupTotals], [undefined, undefined]);
  });

  it('a volume protected only by backups opens its chain; objects-only and unreported figures stay so', async () => {
    const inv = await listed();
    const chain = buildChain(all(inv), 'vol-2');
    assert.ok(chain);
    const view = chainView(chain, undefined, ctx());
    assert.deepEqual(view.snapshots, []);
    assert.equal(view.title, 'logs');
    assert.deepEqual(
      view.backups?.map((b) => [b.id, b.stored, b.storedObjects, b.storedMissing, b.impact]),
      [
        ['c-1', undefined, 40, undefined, { blockers: ['incremental backup logs-inc (c-2) depends on it'], freedObjects: 40 }],
        ['c-2', undefined, undefined, 'not reported by the cloud', { blockers: [] }],
      ],
    );
    assert.deepEqual(view.backupTotals, { count: 2, storedBytes: 0, storedKnown: 0, objects: 40, objectsKnown: 1, fullCopyBytes: 40 * GiB });
    assert.equal(chainViewProblem(JSON.parse(JSON.stringify(view))), undefined);
    // A deleted volume's backups: the chain is titled by the volume id.
    const orphan = chainView(buildChain(all(inv), 'o-1')!, undefined, ctx({ selectedId: 'o-1' }));
    assert.deepEqual([orphan.title, orphan.diskState, orphan.selectedId, orphan.scope], ['vol-gone', 'deleted or not listed', 'o-1', 'r1']);
  });
});

describe('backups in the webview protocol: every field checked, a wrong shape refused saying what is wrong', () => {
  let view: ChainView;
  before(async () => {
    const inv = await listed();
    view = JSON.parse(JSON.stringify(chainView(buildChain(all(inv), 'vol-1')!, undefined, ctx()))) as ChainView;
  });
  const withBackup = (over: Record<string, unknown>, i = 1): unknown => ({ ...view, backups: view.backups?.map((b, j) => (j === i ? { ...b, ...over } : b)) });

  it('accepts the view, and the backup actions from the webview', () => {
    assert.equal(chainViewProblem(view), undefined);
    const read = readToWebview({ type: 'chain', json: JSON.stringify(view) });
    assert.ok(typeof read !== 'string' && read.type === 'chain' && read.view.backups?.length === 5);
    for (const action of ['restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup']) {
      assert.deepEqual(parseFromWebview({ type: 'action', action, resourceId: 'b-3' }), { type: 'action', action, resourceId: 'b-3' });
    }
    // Not every backup action is the panel's.
    assert.equal(parseFromWebview({ type: 'action', action: 'createBackup', resourceId: 'vol-1' }), undefined);
    assert.equal(parseFromWebview({ type: 'action', action: 'editTags', resourceId: 'b-3' }), undefined);
  });

  const wrong: [string, () => unknown, string][] = [
    ['backups without their totals', () => ({ ...view, backupTotals: undefined }), 'backups and backupTotals come together'],
    ['totals without backups', () => ({ ...view, backups: undefined }), 'backups and backupTotals come together'],
    ['backups not a list', () => ({ ...view, backups: { 0: view.backups?.[0] } }), 'backups must be a list (of at most 100,000)'],
    ['a row that is not an object', () => ({ ...view, backups: ['b-1'] }), 'backups[0]: not an object'],
    ['an unknown field', () => withBackup({ onclick: 'alert(1)' }), 'backups[1]: unknown field "onclick"'],
    ['no id', () => withBackup({ id: '' }), 'backups[1]: id must be a non-empty id'],
    ['a name that is not text', () => withBackup({ name: 7 }), 'backups[1]: name must be text'],
    ['an unknown phase', () => withBackup({ phase: 'gone' }), 'backups[1]: phase must be one of pending, ready, error, deleting'],
    ['incremental as text', () => withBackup({ incremental: 'yes' }), 'backups[1]: incremental must be true or false'],
    ['a fractional level', () => withBackup({ level: 1.5 }), 'backups[1]: level must be a whole number from 0 to 1000'],
    ['a negative level', () => withBackup({ level: -1 }), 'backups[1]: level must be a whole number from 0 to 1000'],
    ['a level past any real chain', () => withBackup({ level: 1_000_000 }), 'backups[1]: level must be a whole number from 0 to 1000'],
    ['a parent id too long', () => withBackup({ parentId: 'x'.repeat(5000) }), 'backups[1]: parentId must be an id, or absent'],
    ['negative stored bytes', () => withBackup({ stored: -1 }), 'backups[1]: stored must be a number of bytes ≥ 0, or absent'],
    ['objects as text', () => withBackup({ storedObjects: '40' }), 'backups[1]: storedObjects must be a number of objects ≥ 0, or absent'],
    ['an impact without blockers', () => withBackup({ impact: { freedBytes: 1 } }), 'backups[1]: impact must be { blockers: texts, freedBytes?, freedObjects? }'],
    ['an impact with an extra field', () => withBackup({ impact: { blockers: [], moved: [] } }), 'backups[1]: impact must be { blockers: texts, freedBytes?, freedObjects? }'],
    ['a snapshot action on a backup', () => withBackup({ actions: ['deleteSnapshot'] }), "backups[1]: actions must be a list of the panel's backup actions"],
    ['an arbitrary command', () => withBackup({ actions: ['workbench.action.quit'] }), "backups[1]: actions must be a list of the panel's backup actions"],
    ['tags of the wrong shape', () => withBackup({ tags: [{ key: 'k' }] }), 'backups[1]: tags must be a list of { key, value } texts'],
    ['totals missing a figure', () => ({ ...view, backupTotals: { ...view.backupTotals, objects: undefined } }), 'backupTotals must hold count, storedBytes, storedKnown, objects, objectsKnown and fullCopyBytes (numbers ≥ 0)'],
    ['a backup action on a snapshot', () => ({ ...view, snapshots: [{ ...view.snapshots[0], actions: ['deleteBackup'] }] }), 'a field of the chain is missing or of the wrong type'],
    ['an about sentence that is not text', () => ({ ...view, words: { ...view.words, aboutBackup: 42 } }), 'a field of the chain is missing or of the wrong type'],
  ];
  for (const [what, make, problem] of wrong) {
    it(`refuses ${what}`, () => {
      const v = make();
      assert.equal(chainViewProblem(v), problem);
      assert.equal(isChainView(v), false);
      assert.equal(readToWebview({ type: 'chain', json: JSON.stringify(v) }), `malformed chain: ${problem}`);
    });
  }

  it('says what is wrong with a message that is not a chain at all', () => {
    assert.equal(readToWebview({ type: 'chain', json: '{' }), 'the chain is not JSON');
    assert.equal(readToWebview({ type: 'chain', json: '[]' }), 'malformed chain: the chain is not an object');
    assert.equal(readToWebview(null), 'not a message');
    assert.equal(readToWebview({ type: 'nope', x: 1 }), 'unknown message {type: "nope", keys: type,x}');
  });
});

describe('backups: hostile names (50) reach every surface as text', () => {
  it('tree label, line, tooltip, quick pick and the panel carry them visibly, with no link, codicon or hidden character', async () => {
    const hostile = HOSTILE_NAMES.map(({ text }, i) =>
      backup(`h-${i}`, { name: text, description: text, parentId: i ? `h-${i - 1}` : undefined, incremental: i > 0, tags: [{ key: 'Owner', value: text }], createdAt: `2026-11-01T00:00:${String(i).padStart(2, '0')}Z` }),
    );
    const inv = await listed(hostile);
    for (const b of inv.backups ?? []) {
      const label = displayName(b);
      assert.doesNotMatch(label, HIDDEN_CHARACTERS, b.id);
      assert.doesNotMatch(describeResource(b), HIDDEN_CHARACTERS, b.id);
      for (const [k, v] of tooltipRows(b, [], backupRelated(inv, b))) {
        // What format.ts writes into the Markdown tooltip: nothing of it is syntax.
        assert.doesNotMatch(`${markdownText(k)}: ${markdownText(v)}`, /\]\(|\$\(|<[a-z!/]|https?:|`|[\n\r\u202E]/i, `${b.id} ${k}`);
      }
      const icons = [...pickText(label).matchAll(new RegExp(ICON_PATTERN.source, 'g'))].filter((m) => !m[1]);
      assert.deepEqual(icons, [], `${b.id}: a codicon in the quick pick`);
    }
    const chain = buildChain(all(inv), 'vol-1');
    assert.ok(chain);
    const view = chainView(chain, undefined, ctx());
    // The panel gets the names exactly (it writes them with textContent), parents named too.
    assert.deepEqual(view.backups?.map((b) => b.name), HOSTILE_NAMES.map((h, i) => (h.text.trim() ? h.text : `h-${i}`)));
    assert.equal(view.backups?.[1].parentName, HOSTILE_NAMES[0].text);
    assert.equal(chainViewProblem(JSON.parse(JSON.stringify(view))), undefined);
  });
});
