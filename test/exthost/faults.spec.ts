// Failures injected into the sandbox cloud: a failing region shows an error node with Retry under
// that region (keeping the last listing), and Retry recovers once the fault is cleared; expired
// credentials show a sign-in error at the account.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Node } from '../../src/ui/tree';
import { accountNode, childrenOf, contextOf, itemOf, labelOf, nodeAt, trackerIdle, waitFor, world } from './harness';

const MESSAGE = 'Injected by the extension-host tests: eu-west-1 is down';

export function faultTests(): void {
  describe('Failures: error nodes and Retry', function () {
    this.timeout(30_000);

    afterEach(async () => {
      (await world()).sandbox.setFaults({});
    });

    it('a failing region shows an error node with Retry; Retry recovers once the fault is cleared', async () => {
      const { app: a, sandbox, accountId } = await world();
      await trackerIdle(a);
      const region = await nodeAt(a, 'eu-west-1');
      await nodeAt(a, 'eu-west-1', 'analytics-eu');
      const session = a.session(accountId)!;

      sandbox.setFaults({ regions: { 'eu-west-1': { code: 'Unavailable', message: MESSAGE, status: 503 } } });
      await vscode.commands.executeCommand('snapkeeper.refreshNode', region);
      await waitFor('eu-west-1 to fail', () => session.state('eu-west-1')?.status === 'error', 20_000);

      const kids = await childrenOf(a, region);
      const error = kids[0];
      assert.equal(error?.type, 'error', `first child is not an error node: ${kids.map((k) => labelOf(a, k)).join(', ')}`);
      const item = itemOf(a, error);
      assert.ok(contextOf(a, error).includes('retry'), `contextValue "${item.contextValue}" has no retry`);
      assert.ok(labelOf(a, error).includes(MESSAGE), `error label: ${labelOf(a, error)}`);
      // The last good listing stays visible under the error.
      assert.ok(kids.some((k) => labelOf(a, k) === 'analytics-eu'), 'the last listing was dropped');
      const regionItem = itemOf(a, region);
      assert.equal(regionItem.description, 'Europe (Ireland) · failed to load');
      assert.equal((regionItem.iconPath as vscode.ThemeIcon).id, 'warning');
      // Other regions are unaffected.
      await nodeAt(a, 'us-east-1', 'web-prod-1');

      // Retry while the fault lasts: still failing (Retry really asks again).
      await vscode.commands.executeCommand('snapkeeper.retry', error);
      await waitFor('the retry to fail again', () => session.state('eu-west-1')?.status === 'error', 20_000);

      sandbox.setFaults({});
      await vscode.commands.executeCommand('snapkeeper.retry', error);
      await waitFor('eu-west-1 to load again', () => session.state('eu-west-1')?.status === 'loaded', 20_000);
      const after = await childrenOf(a, region);
      assert.ok(!after.some((k) => k.type === 'error'), 'the error node stayed after a successful retry');
      assert.ok(after.some((k) => labelOf(a, k) === 'analytics-eu'));
      assert.doesNotMatch(String(itemOf(a, region).description), /failed to load/);
    });

    it('expired credentials show a sign-in error at the account; Retry lists the regions again', async () => {
      const { app: a, sandbox } = await world();
      await trackerIdle(a);
      const account = await accountNode(a);
      sandbox.setFaults({ expired: true });
      await vscode.commands.executeCommand('snapkeeper.refreshNode', account);
      const error = await waitFor('an error node under the account', async () => (await childrenOf(a, account)).find((k: Node) => k.type === 'error'));
      assert.ok(contextOf(a, error).includes('retry'));
      assert.match(labelOf(a, error), /^Sign in needed: .*expired/);
      assert.equal((itemOf(a, error).iconPath as vscode.ThemeIcon).id, 'key');

      sandbox.setFaults({});
      await vscode.commands.executeCommand('snapkeeper.retry', error);
      const regions = await waitFor('the regions again', async () => {
        const kids = await childrenOf(a, account);
        return kids.some((k) => k.type === 'error') ? undefined : kids.map((k) => labelOf(a, k));
      });
      assert.ok(regions.includes('us-east-1') && regions.includes('eu-west-1'), regions.join(', '));
    });
  });
}
