// Activation, contributed commands and the view, seen from inside the real extension host.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { app, extension, waitFor } from './harness';

interface Contributes {
  commands: { command: string }[];
  views: Record<string, { id: string; name: string }[]>;
}

export function activationTests(): void {
  describe('Activation', () => {
    it('activates and activate() returns { app }', async () => {
      const ext = extension();
      const api = await ext.activate();
      assert.ok(ext.isActive, 'the extension is not active after activate()');
      assert.ok(api && api.app, 'activate() returned no { app }');
      assert.equal(ext.exports, api, 'ext.exports is not what activate() returned');
      for (const part of ['tree', 'tracker', 'accounts', 'statusBar', 'view', 'log'] as const) {
        assert.ok(api.app[part], `the App has no ${part}`);
      }
      // Nothing runs yet: the status-bar item is empty (hidden).
      assert.equal(api.app.statusBar.text, '');
    });

    it('registers every command of package.json contributes.commands', async () => {
      await app();
      const contributes = extension().packageJSON.contributes as Contributes;
      const declared = contributes.commands.map((c) => c.command);
      assert.ok(declared.length >= 20, `only ${declared.length} commands declared`);
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = declared.filter((c) => !registered.has(c));
      assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
      // And nothing registered under our prefix that package.json does not declare (view commands
      // VS Code generates for snapkeeper.resources aside).
      const undeclared = [...registered].filter(
        (c) => c.startsWith('snapkeeper.') && !c.startsWith('snapkeeper.resources.') && !declared.includes(c),
      );
      assert.deepEqual(undeclared, [], `registered but not declared: ${undeclared.join(', ')}`);
    });

    it('contributes the snapkeeper.resources view, which opens and is backed by the App tree view', async () => {
      const a = await app();
      const contributes = extension().packageJSON.contributes as Contributes;
      const view = Object.values(contributes.views)
        .flat()
        .find((v) => v.id === 'snapkeeper.resources');
      assert.ok(view, 'package.json declares no snapkeeper.resources view');
      const registered = await vscode.commands.getCommands(true);
      assert.ok(registered.includes('snapkeeper.resources.focus'), 'VS Code knows no snapkeeper.resources view (no .focus command)');
      await vscode.commands.executeCommand('snapkeeper.resources.focus');
      await waitFor('the Snapkeeper view to become visible', () => a.view.visible, 10_000);
    });
  });
}
