// Chain panels after a window reload: VS Code hands each panel that was open back to the
// extension's WebviewPanelSerializer with the state the webview saved. These tests call the
// registered serializer as VS Code does (a fresh WebviewPanel of the chain's view type and the
// saved state): a valid state brings the chain back in that very panel; a state of the wrong
// shape, a removed account or a disk no longer listed leave the panel open with a message.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CHAIN_VIEW_TYPE } from '../../src/ui/chainPanel';
import { nodeAt, resourceOf, trackerIdle, waitFor, world } from './harness';

function freshPanel(): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(CHAIN_VIEW_TYPE, 'Snapshot chain', vscode.ViewColumn.Active, {});
}

export function restoreTests(): void {
  describe('Chain panels restored after a reload (WebviewPanelSerializer)', function () {
    this.timeout(60_000);
    const panels: vscode.WebviewPanel[] = [];

    afterEach(() => {
      for (const p of panels.splice(0)) {
        p.dispose();
      }
    });

    it('the saved state brings the chain back in the panel VS Code restored, with the saved selection', async () => {
      const { app: a, accountId } = await world();
      await trackerIdle(a);
      const diskNode = await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-root');
      const disk = resourceOf(a, diskNode);
      const snap = resourceOf(a, await nodeAt(a, 'us-east-1', 'web-prod-1', 'web-prod-1-root', 'web-prod-1-root-2'));
      // Nothing open on that chain (as after a reload).
      for (const p of [...a.chains.panels.values()].filter((x) => x.current.diskId === disk.id)) {
        p.dispose();
      }
      const panel = freshPanel();
      panels.push(panel);
      await a.chains.deserializeWebviewPanel(panel, { accountId, anchorId: disk.id, selectedId: snap.id });
      const restored = [...a.chains.panels.values()].find((p) => p.current.diskId === disk.id);
      assert.ok(restored, 'no chain panel after deserializing');
      assert.equal(restored.panel, panel, 'the chain was not drawn in the panel VS Code restored');
      assert.equal(panel.title, 'Chain: web-prod-1-root');
      assert.ok(panel.webview.options.enableScripts, 'the restored panel cannot run its script');
      assert.match(panel.webview.html, /Content-Security-Policy/);
      const view = await waitFor('the restored chain view', () => restored.lastView);
      assert.equal(view.selectedId, snap.id, 'the saved selection was not kept');
      // What the webview will save again for the next reload.
      assert.deepEqual(view.restore, { accountId, anchorId: disk.id });
      assert.ok(view.snapshots.some((s) => s.id === snap.id));
    });

    for (const [what, state, reason] of [
      ['no state at all', undefined, /no saved state \(undefined\)/],
      ['a state that is not an object', 'web-prod-1-root', /no saved state \(string\)/],
      ['a state of the wrong shape', { accountId: 42, anchorId: ['x'] }, /names no account/],
      ['a state without a disk', { accountId: 'x' }, /names no account|names no disk/],
    ] as const) {
      it(`${what}: the panel stays open and says it could not be restored`, async () => {
        const { app: a } = await world();
        const before = a.chains.panels.size;
        const panel = freshPanel();
        panels.push(panel);
        await a.chains.deserializeWebviewPanel(panel, state);
        assert.equal(a.chains.panels.size, before, 'a chain panel was made from an unreadable state');
        assert.match(panel.webview.html, /could not be restored after the window reload/);
        assert.match(panel.webview.html, reason);
        assert.ok(!panel.webview.options.enableScripts, 'the message page runs scripts');
        assert.equal(panel.title, 'Snapshot chain (not restored)');
      });
    }

    it('an account that was removed, or a disk no longer listed: the panel says which', async () => {
      const { app: a, accountId } = await world();
      const gone = freshPanel();
      panels.push(gone);
      await a.chains.deserializeWebviewPanel(gone, { accountId: 'no-such-account', anchorId: 'vol-1' });
      assert.match(gone.webview.html, /its account is no longer configured/);
      const missing = freshPanel();
      panels.push(missing);
      await a.chains.deserializeWebviewPanel(missing, { accountId, anchorId: 'vol-0000000000deleted' });
      assert.match(missing.webview.html, /vol-0000000000deleted is not a listed disk, snapshot or backup/);
    });
  });
}
