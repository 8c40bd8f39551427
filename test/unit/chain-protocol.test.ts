/**
 * The chain webview's messages: both directions validated, anything malformed dropped.
 */
import * as assert from 'node:assert/strict';
import { encodeToWebview, isChainView, parseFromWebview, parseToWebview, type ChainView } from '../../src/webview/protocol';

const view: ChainView = {
  title: 'web-prod-1-data',
  accountLabel: 'Sandbox (AWS)',
  scope: 'us-east-1',
  diskId: 'vol-1',
  snapshots: [
    {
      id: 'snap-1',
      name: '<img src=x onerror=window.__pwned=1>',
      state: 'completed',
      phase: 'ready',
      encrypted: false,
      sizeGiB: 100,
      tags: [{ key: 'Name', value: '[x](command:workbench.action.quit)' }],
      stored: 1024,
      storedExact: true,
      impact: { kind: 'exact', freedBytes: 1024, moved: [], blockers: [], affected: [] },
      actions: ['deleteSnapshot'],
    },
  ],
  branches: [{ kind: 'image', id: 'ami-1', name: 'img', fromSnapshotId: 'snap-1', scope: 'us-east-1', state: 'available' }],
  totals: { count: 1, storedBytes: 1024, storedKnown: 1, fullCopyBytes: 100 * 1024 ** 3 },
  source: 'test',
  loading: false,
};

describe('chain webview messages', () => {
  it('accepts every valid webview → extension message', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromWebview({ type: 'refresh' }), { type: 'refresh' });
    assert.deepEqual(parseFromWebview({ type: 'select', snapshotId: 'snap-1' }), { type: 'select', snapshotId: 'snap-1' });
    assert.deepEqual(parseFromWebview({ type: 'reveal', resourceId: 'ami-1' }), { type: 'reveal', resourceId: 'ami-1' });
    assert.deepEqual(parseFromWebview({ type: 'action', action: 'deleteSnapshot', resourceId: 'snap-1' }), {
      type: 'action',
      action: 'deleteSnapshot',
      resourceId: 'snap-1',
    });
    assert.deepEqual(parseFromWebview({ type: 'painted', ms: 12.5, rows: 4 }), { type: 'painted', ms: 12.5, rows: 4 });
  });

  it('drops malformed webview → extension messages', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'ready',
      42,
      [],
      { type: 'nope' },
      { type: 'ready', extra: 1 },
      { type: 'select' },
      { type: 'select', snapshotId: 7 },
      { type: 'reveal', resourceId: 'x'.repeat(5000) },
      // Only the panel's four actions: not arbitrary commands.
      { type: 'action', action: 'restoreInPlace', resourceId: 'snap-1' },
      { type: 'action', action: 'workbench.action.terminal.new', resourceId: 'snap-1' },
      { type: 'action', action: 'deleteSnapshot' },
      { type: 'action', action: 'deleteSnapshot', resourceId: 'snap-1', confirm: false },
      { type: 'painted', ms: -1, rows: 1 },
      { type: 'painted', ms: Number.NaN, rows: 1 },
      { type: { toString: () => 'ready' } },
    ];
    for (const m of bad) {
      assert.equal(parseFromWebview(m), undefined, JSON.stringify(m) ?? String(m));
    }
  });

  it('accepts a valid chain view and drops malformed extension → webview messages', () => {
    assert.ok(isChainView(view));
    assert.deepEqual(parseToWebview(encodeToWebview({ type: 'chain', view })), { type: 'chain', view });
    assert.deepEqual(parseToWebview({ type: 'chain', json: JSON.stringify(view) }), { type: 'chain', view });
    assert.deepEqual(parseToWebview({ type: 'select', snapshotId: 'snap-1' }), { type: 'select', snapshotId: 'snap-1' });
    const broken = (patch: (v: Record<string, unknown>) => void): unknown => {
      const copy = JSON.parse(JSON.stringify(view)) as Record<string, unknown>;
      patch(copy);
      return { type: 'chain', json: JSON.stringify(copy) };
    };
    const bad: unknown[] = [
      { type: 'chain' },
      { type: 'chain', view },
      { type: 'chain', json: JSON.stringify(view), extra: true },
      { type: 'chain', json: '{"title": ' },
      { type: 'chain', json: 42 },
      { type: 'html', html: '<b>x</b>' },
      broken((v) => delete v.title),
      broken((v) => (v.totals = { count: 1 })),
      broken((v) => ((v.snapshots as Record<string, unknown>[])[0].stored = -5)),
      broken((v) => ((v.snapshots as Record<string, unknown>[])[0].phase = 'exploded')),
      broken((v) => ((v.snapshots as Record<string, unknown>[])[0].tags = [{ key: 1, value: 'x' }])),
      broken((v) => ((v.snapshots as Record<string, unknown>[])[0].actions = ['restoreInPlace'])),
      broken((v) => ((v.snapshots as Record<string, unknown>[])[0].impact = { kind: 'exact', moved: 'all' })),
      broken((v) => ((v.branches as Record<string, unknown>[])[0].kind = 'vm')),
      broken((v) => (v.loading = 'no')),
    ];
    for (const m of bad) {
      assert.equal(parseToWebview(m), undefined, JSON.stringify(m).slice(0, 200));
    }
  });
});
