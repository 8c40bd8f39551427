// The non-action commands on the view: Refresh (title bar) and Remove Account (declined here:
// the journal suite still needs the account).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { accountNode, prompter, waitFor, world } from './harness';

export function commandTests(): void {
  describe('View commands', function () {
    this.timeout(30_000);

    it('Refresh reloads every region that was listed', async () => {
      const { app: a, accountId } = await world();
      const session = a.session(accountId)!;
      const listed = ['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => ({ r, at: session.state(r)?.loadedAt ?? 0 }));
      for (const { r, at } of listed) {
        assert.ok(at > 0, `${r} was never listed`);
      }
      await vscode.commands.executeCommand('snapkeeper.refresh');
      for (const { r, at } of listed) {
        await waitFor(`${r} to be listed again`, () => (session.state(r)?.loadedAt ?? 0) > at && session.state(r)?.status === 'loaded');
      }
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
      assert.equal(a.accounts.list().filter((x) => x.sandbox).length, 3, 'the account was removed although declined');
    });
  });
}
