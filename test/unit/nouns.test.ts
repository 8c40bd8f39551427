// The UI's words for disks, snapshots and restore points come from the account's cloud, so a
// volume snapshot and a VM snapshot are never called by the same name: tree groups, tooltips'
// headings and sentences, the palette's questions, action titles and confirmations, the counts
// beside a scope and the chain panel's words. Clouds that give no such noun keep today's words.
import assert from 'node:assert/strict';
import { chainView } from '../../src/core/chainView';
import { ACTIONS, ALL_ACTIONS, confirmationFor } from '../../src/model/actions';
import { buildChain } from '../../src/model/chain';
import type { Disk, Inventory, Resource, RestorePoint, Snapshot, Vm } from '../../src/model/types';
import { aboutKind, inNouns, kindLabel, kindNoun, titleCased } from '../../src/ui/nouns';
import { describe as describeResource, tooltipRows } from '../../src/ui/resourceText';
import { countsText, emptyScopesText, folderLabel, folderTooltip, restorePointMark, restorePointParent } from '../../src/ui/treeShape';
import { isChainView, parseToWebview, encodeToWebview } from '../../src/webview/protocol';
import { HIDDEN_CHARACTERS, HOSTILE_NAMES } from '../fixtures/hostile-names';
import { fakeNouns, twoKindChainWords, twoKindNouns } from './fakes';

const base = { scopeId: 'zone-1', phase: 'ready' as const, tags: [] };
const vm: Vm = { ...base, kind: 'vm', id: 'vm-1', name: 'web-1', state: 'Running', diskIds: ['vol-1'] };
const volume: Disk = { ...base, kind: 'disk', id: 'vol-1', name: 'ROOT-1', state: 'Ready', sizeGiB: 20, encrypted: false, attachments: [{ vmId: 'vm-1', boot: true }] };
const snap: Snapshot = { ...base, kind: 'snapshot', id: 'snap-1', name: 'nightly', state: 'BackedUp', diskId: 'vol-1', sizeGiB: 20, encrypted: false, createdAt: '2026-11-01T00:00:00Z' };
const EVIL = HOSTILE_NAMES.find((h) => /\n/.test(h.text) && /\]\(/.test(h.text))?.text ?? 'x\n[run](command:x) $(alert)';
/** first ← second (current) ← nothing; third is a sibling branch off first. */
const first: RestorePoint = { ...base, kind: 'restorePoint', id: 'vmsnap-1', name: EVIL, state: 'Ready', vmId: 'vm-1', memory: true, createdAt: '2026-11-02T00:00:00Z' };
const second: RestorePoint = { ...first, id: 'vmsnap-2', name: 'before-upgrade', memory: false, current: true, parentId: 'vmsnap-1', createdAt: '2026-11-03T00:00:00Z' };
const third: RestorePoint = { ...first, id: 'vmsnap-3', name: 'sibling', memory: false, parentId: 'vmsnap-1', createdAt: '2026-11-04T00:00:00Z' };
const inv: Inventory = { vms: [vm], disks: [volume], snapshots: [snap], images: [], restorePoints: [first, second, third] };
const AWS_LIKE = { topScope: 'region', leafScope: 'region', image: 'AMI' };

describe('nouns: what the UI calls disks, snapshots and restore points', () => {
  it('tree groups: "Templates", "VM snapshots", "Detached volumes", "Other volume snapshots"; today’s words without nouns', () => {
    assert.deepEqual(
      (['images', 'detached', 'orphans', 'schedules', 'restorePoints'] as const).map((f) => folderLabel(f, twoKindNouns)),
      ['Templates', 'Detached volumes', 'Other volume snapshots', 'Schedules', 'VM snapshots'],
    );
    assert.deepEqual(
      (['images', 'detached', 'orphans', 'schedules', 'restorePoints'] as const).map((f) => folderLabel(f, AWS_LIKE)),
      ['AMIs', 'Detached disks', 'Other snapshots', 'Schedules', 'Restore points'],
    );
    assert.equal(folderLabel('images', { topScope: 'project', leafScope: 'zone', image: 'image' }), 'Images');
    const tip = folderTooltip('restorePoints', twoKindNouns);
    assert.match(tip, /^VM snapshots of this VM: its volumes \(and its memory, where marked\)/);
    assert.ok(tip.endsWith(`at one moment.\n${twoKindNouns.about?.restorePoint}`), tip);
    assert.equal(folderTooltip('restorePoints', fakeNouns), 'Restore points of this VM: its disks (and its memory, where marked) as they were at one moment');
    assert.equal(folderTooltip('orphans', twoKindNouns), 'Volume snapshots whose volume is not in this zone: the volume was deleted, or the volume snapshot was copied from another zone');
    assert.equal(folderTooltip('schedules', twoKindNouns), 'Volume snapshot schedules in this zone; each volume says which protect it');
    assert.equal(emptyScopesText(twoKindNouns).tooltip, 'Zones where nothing was listed: no VMs, volumes, volume snapshots or images');
  });

  it('tooltip headings and sentences: a volume snapshot and a VM snapshot are named apart and say what each is for', () => {
    assert.deepEqual(
      (['vm', 'disk', 'snapshot', 'image', 'policy', 'restorePoint'] as const).map((k) => kindLabel(k, twoKindNouns)),
      ['VM', 'Volume', 'Volume snapshot', 'Template', 'Schedule', 'VM snapshot'],
    );
    assert.deepEqual(
      (['vm', 'disk', 'snapshot', 'image', 'policy', 'restorePoint'] as const).map((k) => kindLabel(k, AWS_LIKE)),
      ['VM', 'Disk', 'Snapshot', 'AMI', 'Schedule', 'Restore point'],
    );
    assert.equal(aboutKind('snapshot', twoKindNouns), twoKindNouns.about?.snapshot);
    assert.equal(aboutKind('restorePoint', twoKindNouns), twoKindNouns.about?.restorePoint);
    assert.equal(aboutKind('disk', twoKindNouns), undefined);
    assert.equal(aboutKind('snapshot', AWS_LIKE), undefined);
    // The palette's question: "Which VM snapshot?", "Which VM?" (not "vm").
    assert.equal(`Which ${kindNoun('restorePoint', twoKindNouns)}?`, 'Which VM snapshot?');
    assert.equal(`Which ${kindNoun('vm', AWS_LIKE)}?`, 'Which VM?');
    assert.equal(titleCased('VM snapshot'), 'VM Snapshot');
  });

  it('action titles and confirmations in the cloud’s nouns; unchanged for a cloud without them', () => {
    const titles = Object.fromEntries(ALL_ACTIONS.map((id) => [id, inNouns(ACTIONS[id].title, twoKindNouns)]));
    assert.equal(titles.createRestorePoint, 'Create VM Snapshot');
    assert.equal(titles.revertToRestorePoint, 'Revert VM to VM Snapshot');
    assert.equal(titles.snapshotFromRestorePoint, 'Create Volume Snapshot from VM Snapshot');
    assert.equal(titles.deleteRestorePoint, 'Delete VM Snapshot');
    assert.equal(titles.createSnapshot, 'Create Volume Snapshot');
    assert.equal(titles.deleteSnapshot, 'Delete Volume Snapshot');
    assert.equal(titles.restoreToNewDisk, 'Restore to New Volume');
    assert.equal(titles.snapshotVm, 'Snapshot All Volumes');
    for (const id of ALL_ACTIONS) {
      assert.equal(inNouns(ACTIONS[id].title, AWS_LIKE), ACTIONS[id].title, id);
      assert.equal(inNouns(ACTIONS[id].title, fakeNouns), ACTIONS[id].title, id);
    }
    const words = (t: string) => inNouns(t, twoKindNouns);
    assert.deepEqual(confirmationFor('deleteRestorePoint', undefined, EVIL, words), {
      message: `Delete VM Snapshot: ${EVIL}?`,
      detail: 'The VM snapshot is deleted. This cannot be undone.',
      button: 'Delete VM Snapshot',
      keep: 'Keep VM Snapshot',
    });
    assert.equal(
      confirmationFor('revertToRestorePoint', undefined, 'x', words)?.detail,
      'The VM goes back to the VM snapshot: every change made since is lost.',
    );
    // The adapter's own confirmation is kept as it is; only a missing Keep button is named.
    const asked = { message: 'Revert web-1 to before-upgrade?', detail: 'names the VM', button: 'Revert' };
    assert.deepEqual(confirmationFor('revertToRestorePoint', asked, 'x', words), { ...asked, keep: 'Keep the VM as It Is' });
  });

  it('counts beside a scope: volumes, volume snapshots and VM snapshots counted apart', () => {
    const items = new Map<string, Resource>([vm, volume, snap, first, second, third].map((r) => [r.id, r]));
    assert.equal(countsText({ items }, twoKindNouns), '1 VM · 1 volume · 1 volume snapshot · 3 VM snapshots');
    assert.equal(countsText({ items }, AWS_LIKE), '1 VM · 1 disk · 1 snapshot · 3 restore points');
    const aws = new Map<string, Resource>([vm, volume, snap, { ...snap, id: 'snap-2' }].map((r) => [r.id, r]));
    assert.equal(countsText({ items: aws }, AWS_LIKE), '1 VM · 1 disk · 2 snapshots');
    // A VM's local root disk is not one of the volumes.
    const withLocal = new Map<string, Resource>([vm, volume, { ...volume, id: 'vm-1/root', local: true }].map((r) => [r.id, r]));
    assert.equal(countsText({ items: withLocal }, twoKindNouns), '1 VM · 1 volume');
    const image: Resource = { kind: 'image', id: 'img-1', scopeId: 'z', state: 'Ready', phase: 'ready', tags: [], snapshotIds: [] };
    const withImage = new Map<string, Resource>([vm, image].map((r) => [r.id, r]));
    assert.equal(countsText({ items: withImage }, twoKindNouns), '1 VM · 1 template');
    assert.equal(countsText({ items: withImage }, AWS_LIKE), '1 VM · 1 AMI');
    assert.equal(countsText({ items: withImage }, { topScope: 'project', leafScope: 'zone', image: 'image' }), '1 VM · 1 image');
  });
});

describe('restore points: current and its parent marked, parents named', () => {
  it('marks the current one and the one it was taken after; a sibling is neither', () => {
    assert.equal(restorePointMark(inv, second), 'current');
    assert.equal(restorePointMark(inv, first), 'parent of current');
    assert.equal(restorePointMark(inv, third), undefined);
    // Another VM's current point does not make this VM's point a parent.
    const other: RestorePoint = { ...second, id: 'vmsnap-9', vmId: 'vm-2', parentId: 'vmsnap-3' };
    assert.equal(restorePointMark({ ...inv, restorePoints: [first, third, other] }, third), undefined);
  });

  it('names the parent (hidden characters shown), else its id; the tooltip says it, and what "parent of current" means', () => {
    const parent = restorePointParent(inv, second) ?? '';
    assert.ok(parent.endsWith(' (vmsnap-1)'), parent);
    assert.doesNotMatch(parent, HIDDEN_CHARACTERS);
    assert.equal(restorePointParent(inv, first), undefined);
    assert.equal(restorePointParent({ ...inv, restorePoints: [second] }, second), 'vmsnap-1');
    const rows = new Map(tooltipRows(first, [], { mark: restorePointMark(inv, first), parent: restorePointParent(inv, first) }));
    assert.equal(rows.get('Current'), 'no: the current one was taken right after this one');
    assert.equal(rows.get('Memory'), 'included (restoring resumes the running VM)');
    const current = new Map(tooltipRows(second, [], { mark: 'current', parent }));
    assert.equal(current.get('Current'), 'the VM runs from this point');
    assert.equal(current.get('Taken after'), parent);
    assert.match(describeResource(second), /^vmsnap-2 · current · Ready · /);
    assert.match(describeResource(first), / · with memory · /);
  });
});

describe('chain panel: restore points in a section of their own, in the cloud’s words', () => {
  const all: Resource[] = [vm, volume, snap, first, second, third];
  const ctx = {
    accountLabel: 'test',
    scopeLabel: (id: string) => id,
    actionsFor: () => [],
    loading: false,
    nouns: twoKindNouns,
    nameOf: (id: string) => all.find((r) => r.id === id)?.name,
  };

  it('sends the nouns, the about sentences, current/parent marks, parents by name and the VM’s name', () => {
    const chain = buildChain(all, 'vol-1');
    assert.ok(chain);
    assert.deepEqual(chain.snapshots.map((s) => s.id), ['snap-1'], 'a VM snapshot is never a row of the volume’s chain');
    const view = chainView(chain, undefined, ctx);
    assert.deepEqual(view.words, twoKindChainWords);
    assert.deepEqual(
      view.restorePoints?.map((p) => [p.id, p.memory, p.current ?? false, p.parentOfCurrent ?? false, p.parentId, p.parentName, p.vmName]),
      [
        ['vmsnap-3', false, false, false, 'vmsnap-1', EVIL, 'web-1'],
        ['vmsnap-2', false, true, false, 'vmsnap-1', EVIL, 'web-1'],
        ['vmsnap-1', true, false, true, undefined, undefined, 'web-1'],
      ],
    );
    // What crosses to the webview is valid, hostile names and all.
    assert.deepEqual(parseToWebview(encodeToWebview({ type: 'chain', view })), { type: 'chain', view: JSON.parse(JSON.stringify(view)) });
    // Without nouns (today's clouds) no words are sent: the webview keeps its neutral ones.
    assert.equal(chainView(chain, undefined, { ...ctx, nouns: undefined }).words, undefined);
  });

  it('refuses malformed words and restore points', () => {
    const chain = buildChain(all, 'vol-1');
    assert.ok(chain);
    const view = JSON.parse(JSON.stringify(chainView(chain, undefined, ctx))) as Record<string, unknown>;
    assert.equal(isChainView(view), true);
    const words = view.words as Record<string, unknown>;
    const points = view.restorePoints as Record<string, unknown>[];
    for (const bad of [
      { ...view, words: { ...words, restorePoint: undefined } },
      { ...view, words: { ...words, snapshot: 'x'.repeat(65) } },
      { ...view, words: { ...words, aboutRestorePoint: 42 } },
      { ...view, words: 'volume' },
      { ...view, restorePoints: [{ ...points[0], parentOfCurrent: 'yes' }] },
      { ...view, restorePoints: [{ ...points[0], parentName: { text: 'x' } }] },
      { ...view, restorePoints: [{ ...points[0], vmName: 7 }] },
    ]) {
      assert.equal(isChainView(bad), false, JSON.stringify(bad).slice(0, 200));
    }
  });
});
