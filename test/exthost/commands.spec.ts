// The non-action commands on the view: Refresh (title bar) and Remove Account (declined here:
// the journal suite still needs the account).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { VscodePrompter } from '../../src/ui/prompter';
import { accountNode, prompter, waitFor, world } from './harness';

export function commandTests(): void {
  describe('View commands', function () {
    this.timeout(30_000);

    it('Refresh reloads every region that was listed, and loads no adapter of an account never expanded', async () => {
      const { app: a, accountId, cloudstackAccountId, openstackAccountId } = await world();
      const session = a.session(accountId)!;
      const listed = ['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => ({ r, at: session.state(r)?.loadedAt ?? 0 }));
      for (const { r, at } of listed) {
        assert.ok(at > 0, `${r} was never listed`);
      }
      await vscode.commands.executeCommand('snapkeeper.refresh');
      for (const { r, at } of listed) {
        await waitFor(`${r} to be listed again`, () => (session.state(r)?.loadedAt ?? 0) > at && session.state(r)?.status === 'loaded');
      }
      // The CloudStack and OpenStack sandbox accounts are not expanded before their own suites
      // (cloudstack.spec.ts, openstack.spec.ts): Refresh leaves their adapter bundles unloaded.
      for (const id of [cloudstackAccountId, openstackAccountId]) {
        assert.equal(a.session(id)?.loadedAdapter, undefined, `Refresh loaded the adapter of ${a.accounts.get(id)?.label}, never expanded`);
      }
    });

    it('a destructive confirmation is modal and Enter keeps things: the first (default) button is the one that keeps', async () => {
      // VS Code's modal dialog makes the first item its primary, focused button (Enter presses it)
      // and adds "Cancel" after the items: see Dialog.show in VS Code's base/browser/ui/dialog.
      const w = vscode.window as unknown as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
      const original = w.showWarningMessage;
      const calls: unknown[][] = [];
      let press: 'first' | 'second' = 'first';
      w.showWarningMessage = (...args: unknown[]) => {
        calls.push(args);
        return Promise.resolve(args[press === 'first' ? 2 : 3]);
      };
      try {
        const c = { message: 'Delete snapshot s?', detail: 'Frees 1.0 MiB.', button: 'Delete Snapshot', keep: 'Keep Snapshot' };
        assert.equal(await new VscodePrompter().confirm(c), false, 'Enter (the default button) deleted');
        press = 'second';
        assert.equal(await new VscodePrompter().confirm(c), true, 'the destructive button did not go ahead');
      } finally {
        w.showWarningMessage = original;
      }
      const [message, options, first, second] = calls[0] as [string, { modal?: boolean; detail?: string }, { title: string }, { title: string }];
      assert.equal(message, 'Delete snapshot s?');
      assert.deepEqual(options, { modal: true, detail: 'Frees 1.0 MiB.' });
      assert.equal(first.title, 'Keep Snapshot');
      assert.equal(second.title, 'Delete Snapshot');
    });

    it('Remove Account asks first, naming the account; declining keeps it', async () => {
      const { app: a } = await world();
      const node = await accountNode(a);
      prompter.expect({ confirms: [false] });
      await vscode.commands.executeCommand('snapkeeper.removeAccount', node);
      assert.deepEqual(prompter.leftovers(), []);
      const [c] = prompter.confirmations;
      assert.equal(c.confirmation.message, 'Remove "Sandbox (AWS)" from Snapkeeper?');
      assert.match(c.confirmation.detail, /Nothing in the cloud is deleted/);
      assert.equal(c.confirmation.button, 'Remove Account');
      assert.equal(a.accounts.list().filter((x) => x.sandbox).length, 5, 'the account was removed although declined');
    });
  });
}
