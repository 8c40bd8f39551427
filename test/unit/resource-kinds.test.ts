// Schedules (policies attached to disks) and VM restore points: no adapter lists them yet, so a
// fake adapter does, through the real session, tree shape, resource text, listings and chain.
// Every name is hostile text. And the tree's and palette's words come from the adapter module.
import assert from 'node:assert/strict';
import { chainView } from '../../src/core/chainView';
import { AccountSession } from '../../src/core/session';
import { buildChain } from '../../src/model/chain';
import { sendScope } from '../../src/model/listings';
import type { Disk, Inventory, Policy, Resource, ResourceKind, RestorePoint, Scope, Snapshot, Vm } from '../../src/model/types';
import { describe as describeResource, tooltipRows } from '../../src/ui/resourceText';
import { markdownText } from '../../src/ui/safeText';
import {
  emptyScopesText,
  folderItems,
  folderTooltip,
  hasChildren,
  leafFolders,
  noScopesText,
  policiesOf,
  protectionText,
  protectsText,
  scopeQuestion,
  vmChildren,
} from '../../src/ui/treeShape';
import { isChainView } from '../../src/webview/protocol';
import { HIDDEN_CHARACTERS } from '../fixtures/hostile-names';
import { fakeAccount, fakeAdapter, fakeNouns } from './fakes';

const SCOPE: Scope = { id: 'z1', label: 'z1', leaf: true };
/** A newline, a bidi override, a codicon and a command link: what a cloud may hand back as a name. */
const EVIL = 'nightly\n\u202E[run](command:workbench.action.terminal.new) $(alert)';
const base = { scopeId: SCOPE.id, phase: 'ready' as const, tags: [] };

const vm: Vm = { ...base, kind: 'vm', id: 'vm-1', name: 'web', state: 'running', diskIds: ['d-1'] };
const disk: Disk = {
  ...base,
  kind: 'disk',
  id: 'd-1',
  name: 'web-root',
  state: 'in-use',
  sizeGiB: 8,
  encrypted: false,
  attachments: [{ vmId: 'vm-1', boot: true }],
  policyIds: ['pol-1', 'pol-gone'],
};
const other: Disk = { ...disk, id: 'd-2', name: 'spare', attachments: [], policyIds: [] };
const policy: Policy = { ...base, kind: 'policy', id: 'pol-1', name: EVIL, state: 'ENABLED', schedule: 'daily 03:00 UTC', retention: '7 snapshots', enabled: true };
const older: RestorePoint = { ...base, kind: 'restorePoint', id: 'rp-1', name: EVIL, state: 'Ready', vmId: 'vm-1', memory: true, createdAt: '2026-11-01T00:00:00Z' };
const newer: RestorePoint = {
  ...base,
  kind: 'restorePoint',
  id: 'rp-2',
  name: 'after-upgrade',
  state: 'Ready',
  vmId: 'vm-1',
  memory: false,
  current: true,
  parentId: 'rp-1',
  diskIds: ['d-1'],
  createdAt: '2026-11-02T00:00:00Z',
};
const elsewhere: RestorePoint = { ...older, id: 'rp-3', vmId: 'vm-9', name: 'other VM' };
const snap: Snapshot = { ...base, kind: 'snapshot', id: 's-1', name: 'snap', state: 'completed', diskId: 'd-1', sizeGiB: 8, encrypted: false, createdAt: '2026-11-03T00:00:00Z' };

/** A session whose fake adapter lists the estate as an adapter with schedules and restore points would. */
async function listed(): Promise<Inventory> {
  const adapter = fakeAdapter({
    listInventory: async (_scope, sink) => {
      sink.add('vm', [vm], true);
      sink.add('disk', [disk, other], true);
      sink.add('snapshot', [snap], true);
      sink.add('image', [], true);
      sink.add('policy', [policy], true);
      sink.add('restorePoint', [older, newer, elsewhere], true);
    },
  });
  const session = new AccountSession(fakeAccount, async () => adapter, () => undefined);
  await session.load(SCOPE);
  assert.equal(session.state(SCOPE.id)?.status, 'loaded');
  return session.inventory(SCOPE.id);
}

describe('schedules and VM restore points', () => {
  it('a VM shows its disks, then a Restore points group with its own points, newest first', async () => {
    const inv = await listed();
    assert.deepEqual(inv.policies?.map((p) => p.id), ['pol-1']);
    const children = vmChildren(inv, vm);
    assert.deepEqual(children.disks.map((d) => d.id), ['d-1']);
    assert.equal(children.restorePoints, true);
    assert.equal(hasChildren(inv, vm), true);
    assert.deepEqual(folderItems(inv, 'restorePoints', 'vm-1').map((r) => r.id), ['rp-2', 'rp-1']);
    assert.deepEqual(folderItems(inv, 'restorePoints', 'vm-9').map((r) => r.id), ['rp-3']);
    // A VM without disks but with restore points still opens.
    const bare: Vm = { ...vm, id: 'vm-9', diskIds: [] };
    assert.deepEqual(vmChildren(inv, bare), { disks: [], restorePoints: true });
    assert.equal(hasChildren(inv, bare), true);
    assert.equal(hasChildren({ ...inv, restorePoints: [] }, bare), false);
  });

  it("a restore point's line and tooltip: current, memory, what it was taken after; its name as text", async () => {
    const inv = await listed();
    const [current, first] = folderItems(inv, 'restorePoints', 'vm-1');
    assert.match(describeResource(current), /^rp-2 · current · Ready · 2026-11-0\d \d\d:\d\d$/);
    const rows = new Map(tooltipRows(current));
    assert.equal(rows.get('Memory'), 'not included (disks only)');
    assert.equal(rows.get('Current'), 'the VM runs from this point');
    assert.equal(rows.get('Taken after'), 'rp-1');
    assert.equal(new Map(tooltipRows(first)).get('Memory'), 'included (restoring resumes the running VM)');
    assert.match(describeResource(first), / · with memory · /);
    assert.doesNotMatch(describeResource(first), HIDDEN_CHARACTERS);
  });

  it('a disk says which schedules protect it (names escaped); the scope lists them under Schedules', async () => {
    const inv = await listed();
    assert.deepEqual(leafFolders(inv), ['images', 'detached', 'schedules']);
    assert.deepEqual(folderItems(inv, 'schedules').map((r) => r.id), ['pol-1']);
    const text = protectionText(policiesOf(inv, disk));
    // Hidden characters shown as escapes; an unlisted schedule by its id.
    assert.equal(text, 'protected by nightly\\n\\u202E[run](command:workbench.action.terminal.new) $(alert), pol-gone');
    assert.doesNotMatch(text ?? '', HIDDEN_CHARACTERS);
    assert.equal(protectionText(policiesOf(inv, other)), undefined);
    assert.equal(protectsText(inv, policy), 'protects 1 disk');
    // In a tooltip (Markdown) the name is text: no link, no codicon survives.
    const md = markdownText(policy.name ?? '');
    assert.doesNotMatch(md, /\]\(|\$\(|command:/);
    assert.equal(new Map(tooltipRows(policy)).get('Keeps'), '7 snapshots');
    assert.equal(describeResource(policy), 'pol-1 · daily 03:00 UTC');
  });

  it('a subscription-wide listing sends schedules and restore points to their leaf scope, only when it has them', () => {
    const calls: [ResourceKind, string[]][] = [];
    const sink = { add: (kind: ResourceKind, items: Resource[]) => void calls.push([kind, items.map((r) => r.id)]) };
    sendScope({ vms: [vm], disks: [disk], snapshots: [], images: [], policies: [policy], restorePoints: [older, { ...newer, scopeId: 'z2' }] }, 'z1', sink);
    assert.deepEqual(calls, [
      ['vm', ['vm-1']],
      ['disk', ['d-1']],
      ['snapshot', []],
      ['image', []],
      ['policy', ['pol-1']],
      ['restorePoint', ['rp-1']],
    ]);
    calls.length = 0;
    sendScope({ vms: [], disks: [], snapshots: [], images: [] }, 'z1', sink);
    assert.deepEqual(calls.map(([k]) => k), ['vm', 'disk', 'snapshot', 'image']);
  });

  it("the chain panel shows the disk's schedules and its VM's restore points beside the chain, not in it", async () => {
    const inv = await listed();
    const all: Resource[] = [...inv.vms, ...inv.disks, ...inv.snapshots, ...(inv.policies ?? []), ...(inv.restorePoints ?? [])];
    const chain = buildChain(all, 'd-1');
    assert.ok(chain);
    assert.deepEqual(chain.snapshots.map((s) => s.id), ['s-1']);
    assert.deepEqual(chain.policies.map((p) => p.id), ['pol-1']);
    // rp-3 belongs to another VM; rp-2 names the disk; rp-1 names no disks (all of the VM's).
    assert.deepEqual(chain.restorePoints.map((p) => p.id), ['rp-2', 'rp-1']);
    const view = chainView(chain, undefined, { accountLabel: 'test', scopeLabel: (id) => id, actionsFor: () => [], loading: false });
    assert.deepEqual(view.schedules, [{ id: 'pol-1', name: EVIL, schedule: 'daily 03:00 UTC', enabled: true }]);
    assert.deepEqual(view.restorePoints?.map((p) => [p.id, p.memory, p.current ?? false]), [
      ['rp-2', false, true],
      ['rp-1', true, false],
    ]);
    assert.equal(isChainView(JSON.parse(JSON.stringify(view))), true);
    assert.equal(isChainView({ ...view, restorePoints: [{ id: 'rp', name: 'x', state: 'Ready' }] }), false, 'a restore point without its memory flag is refused');
    // The detached disk has neither.
    const spare = buildChain(all, 'd-2');
    assert.deepEqual([spare?.policies, spare?.restorePoints], [[], []]);
    assert.equal(chainView(spare!, undefined, { accountLabel: 'test', scopeLabel: (id) => id, actionsFor: () => [], loading: false }).schedules, undefined);
  });
});

describe("the tree's and palette's words come from the adapter module", () => {
  it('the scope question, the empty group, the no-scope line and the folder tooltips use its nouns', () => {
    assert.equal(scopeQuestion(fakeNouns), 'Which zone?');
    assert.deepEqual(emptyScopesText(fakeNouns), { label: 'Empty zones', tooltip: 'Zones where nothing was listed: no VMs, disks, snapshots or images' });
    assert.equal(noScopesText(fakeNouns, false), 'No sites available');
    assert.equal(noScopesText(fakeNouns, true), 'No zones available');
    assert.equal(folderTooltip('images', fakeNouns), 'Images (templates) owned by the account in this zone');
    assert.equal(folderTooltip('orphans', fakeNouns), 'Snapshots whose disk is not in this zone: the disk was deleted, or the snapshot was copied from another zone');
    assert.equal(folderTooltip('images', { ...fakeNouns, image: 'image' }), 'Images owned by the account in this zone');
  });

  it("each adapter module names its own words; today's questions stay as the browser and extension-host tests answer them", async () => {
    const modules = await Promise.all([import('../../src/adapters/aws/index'), import('../../src/adapters/azure/index'), import('../../src/adapters/gcp/index')]);
    assert.deepEqual(
      modules.map((m) => [m.cloud, m.nouns.topScope, scopeQuestion(m.nouns), emptyScopesText(m.nouns).label, m.nouns.image]),
      [
        ['aws', 'region', 'Which region?', 'Empty regions', 'AMI'],
        ['azure', 'subscription', 'Which region?', 'Empty regions', 'image'],
        ['gcp', 'project', 'Which region?', 'Empty regions', 'image'],
      ],
    );
  });
});
