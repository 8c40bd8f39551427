// The fifty hostile names of test/fixtures/hostile-names.ts put into the sandbox as volume names
// (EC2 Name tags), tags and operation titles, then every surface driven in the real VS Code: tree
// labels and tooltips, the palette's quick picks and input boxes through the real VscodePrompter
// (its calls to vscode.window recorded on the way), progress titles, completion and failure
// notifications, and the log file. The strings VS Code receives are checked with its own
// parsing rules (links: linkedText; codicons: renderLabelWithIcons); the browser test checks the
// rendered notification and quick pick.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Resource } from '../../src/model/types';
import { markdownText, visible } from '../../src/ui/safeText';
import { HIDDEN_CHARACTERS, HOSTILE_NAMES } from '../fixtures/hostile-names';
import { childrenOf, itemOf, labelOf, nodeAt, readLog, reload, resourceOf, shownSince, sleep, trackerIdle, waitFor, world } from './harness';
import { assertInputsPlain, assertNoticesPlain, assertPicksPlain, assertProgressTitlesPlain, runThroughRealPicks } from './surfaces';

const REGION = 'us-east-1';

export function hostileNameTests(): void {
  describe('Hostile names (50, test/fixtures) reach every surface as text, never as a link, command or icon', function () {
    this.timeout(240_000);
    /** Volume id → the hostile name it carries. */
    const named = new Map<string, string>();

    before(async () => {
      const { app: a, sandbox, accountId } = await world();
      const state = sandbox.clouds.aws.state;
      const zone = state.region(REGION)?.zones[0];
      for (const { text } of HOSTILE_NAMES) {
        const tags = [
          { key: 'Name', value: text },
          { key: 'Owner', value: text },
        ];
        let volume;
        try {
          // As CreateVolume with TagSpecifications does it (EC2's tag rules apply)…
          volume = state.createVolume(REGION, { availabilityZone: zone, size: 1, tagSpecs: [{ resourceType: 'volume', tags }] });
        } catch {
          // …and what EC2 refuses (over 256 characters; characters XML cannot carry) written into
          // the record: the XML answer carries the 10 KB strings; the others arrive as U+FFFD.
          volume = state.createVolume(REGION, { availabilityZone: zone, size: 1 });
          volume.tags = tags;
        }
        // Available at once (as a seeded volume is), so Create Snapshot is offered on it.
        volume.readyAt = state.now();
        named.set(volume.id, text);
      }
      await reload(a, accountId, REGION);
    });

    after(async () => {
      const { app: a, sandbox, accountId } = await world();
      const state = sandbox.clouds.aws.state;
      for (const id of named.keys()) {
        for (const s of state.describeSnapshots(REGION, { owners: ['self'] }).items.filter((x) => x.volumeId === id)) {
          state.deleteSnapshot(REGION, s.id);
        }
        state.deleteVolume(REGION, id);
      }
      await reload(a, accountId, REGION);
    });

    it('tree: labels are the names with hidden characters shown; tooltips are untrusted Markdown that shows them as text', async () => {
      const { app: a } = await world();
      const folder = await nodeAt(a, REGION, 'Detached disks');
      const nodes = await waitFor('the 50 hostile volumes under Detached disks', async () => {
        const kids = (await childrenOf(a, folder)).filter((n) => n.type === 'resource' && named.has(n.resourceId));
        return kids.length === named.size ? kids : undefined;
      });
      for (const node of nodes) {
        const r: Resource = resourceOf(a, node);
        // What EC2's XML can carry arrived as it is; characters XML cannot carry arrive as U+FFFD.
        // eslint-disable-next-line no-control-regex -- XML 1.0's forbidden characters
        assert.equal(r.name, named.get(r.id)?.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '\uFFFD'));
        const name = r.name ?? '';
        const label = labelOf(a, node);
        assert.equal(label, name.trim() ? visible(name) : r.id);
        assert.doesNotMatch(label, HIDDEN_CHARACTERS);
        const tip = itemOf(a, node).tooltip;
        assert.ok(tip instanceof vscode.MarkdownString, `${r.id}: the tooltip is not Markdown`);
        assert.ok(!tip.isTrusted && !tip.supportHtml && !tip.supportThemeIcons, `${r.id}: the tooltip is trusted or renders HTML or icons`);
        // The name (heading) and the Owner tag, as text.
        assert.ok(tip.value.startsWith(`**Disk** ${markdownText(label)}\n`), `${r.id}: ${tip.value.slice(0, 200)}`);
        assert.ok(tip.value.includes(`- ${markdownText(`Owner = ${name}`)}\n`), `${r.id}: the Owner tag is not shown as text`);
        // Nothing in the Markdown source is a link, an autolink, HTML, an image or a codicon.
        assert.doesNotMatch(tip.value, /\]\(|\]\[|https?:\/\/|www\.|@|<[a-z!/]|\$\(|`/i, `${r.id}: ${tip.value.slice(0, 300)}`);
        // Our own line breaks end the Markdown rows; nothing else hidden.
        assert.doesNotMatch(tip.value.replace(/\n/g, ''), HIDDEN_CHARACTERS);
      }
    });

    it('palette: quick picks, input boxes and progress titles carry no link, no codicon and no hidden character; 50 snapshots made and announced', async () => {
      const { app: a, sandbox } = await world();
      const mark = Date.now();
      const recorded = await runThroughRealPicks(
        a,
        { byLabel: { 'Which account?': 'Sandbox (AWS)', 'Which region?': REGION }, targetPick: 'Which disk?', targets: named.keys() },
        async (id) => {
          const done = await vscode.commands.executeCommand('snapkeeper.createSnapshot');
          assert.equal(done, true, `Create Snapshot of ${id} did not run to the end`);
        },
      );
      // The disk pick listed every hostile name.
      const diskPicks = recorded.picks.filter((p) => p.placeHolder === 'Which disk?');
      assert.equal(diskPicks.length, named.size);
      const offered = diskPicks[0].items.filter((i) => named.has((i as { value?: Resource }).value?.id ?? ''));
      assert.equal(offered.length, named.size, 'not every hostile volume was offered');
      assertPicksPlain(recorded.picks, (text) => assert.ok(text.length <= 400, `${text.length} characters in a quick-pick item`));
      assertInputsPlain(recorded.inputs);
      assert.ok(recorded.progress.length >= named.size * 2, `${recorded.progress.length} progress titles`);
      assertProgressTitlesPlain(recorded.progress);
      // The sandbox made one snapshot per hostile volume; each completion was announced as text.
      await trackerIdle(a, 120_000);
      const snapshots = sandbox.clouds.aws.state.describeSnapshots(REGION, { owners: ['self'] }).items.filter((s) => named.has(s.volumeId ?? ''));
      assert.equal(snapshots.length, named.size);
      const completed = await waitFor('50 completion notices', () => {
        const c = shownSince(mark, 'info').filter((s) => / completed\.$/.test(s.message));
        return c.length >= named.size ? c : undefined;
      });
      assertNoticesPlain(completed.map((c) => c.message));
      for (const c of completed) {
        assert.ok(c.message.length < 1000, 'VS Code would cut the notice');
      }
    });

    it('failure notifications: an operation titled with each name fails as text with our own buttons only', async () => {
      const { app: a, accountId } = await world();
      const mark = Date.now();
      // Volumes that do not exist in the sandbox, past EC2's visibility grace (set to 0 here): the
      // adapter's first poll ends each operation as failed ("… no longer exists"), through the
      // same failure notice a real failed operation gets.
      const config = vscode.workspace.getConfiguration('snapkeeper');
      await config.update('aws.visibilityGraceMs', 0, vscode.ConfigurationTarget.Global);
      try {
        await a.tracker.track(
          accountId,
          HOSTILE_NAMES.map(({ text }, i) => ({ kind: 'volume', title: text, scopeId: REGION, resourceId: `vol-0badc0ffee${String(i).padStart(7, '0')}`, refreshScopeIds: [] })),
        );
        const failed = await waitFor(
          '50 failure notices',
          () => {
            const f = shownSince(mark, 'error').filter((s) => /failed: vol-0badc0ffee\d{7} no longer exists$/.test(s.message));
            return f.length >= HOSTILE_NAMES.length ? f : undefined;
          },
          60_000,
        );
        assertNoticesPlain(failed.map((f) => f.message));
        for (const f of failed) {
          assert.deepEqual(f.items, ['Reveal in Tree', 'Show Log']);
        }
      } finally {
        await config.update('aws.visibilityGraceMs', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('log: one line per entry, nothing hidden, no forged line, long names cut with their length', async () => {
      const { app: a } = await world();
      const marker = `exthost-hostile-${Date.now()}`;
      HOSTILE_NAMES.forEach(({ text }, i) => a.log.info(`${marker} #${i}: ${text}`));
      const text = await waitFor('the hostile entries in the log file', async () => {
        await sleep(200);
        const t = readLog(a.context.logUri.fsPath);
        return t.includes(`${marker} #${HOSTILE_NAMES.length - 1}:`) ? t : undefined;
      });
      const lines = text.split('\n');
      for (let i = 0; i < HOSTILE_NAMES.length; i++) {
        const mine = lines.filter((l) => l.includes(`${marker} #${i}:`));
        assert.equal(mine.length, 1, `entry #${i} (${HOSTILE_NAMES[i].why}) is not exactly one line`);
        assert.match(mine[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[info\] /);
        assert.doesNotMatch(mine[0], HIDDEN_CHARACTERS);
        assert.ok(mine[0].length < 4200, `entry #${i}: ${mine[0].length} characters`);
      }
      // The fixture's forged entry never starts a line of its own, and no line holds a raw escape.
      assert.ok(!lines.some((l) => l.startsWith('2026-12-03 09:00:00.000 [info] Deleted every snapshot.')), 'a forged log line');
      assert.ok(!lines.some((l) => HIDDEN_CHARACTERS.test(l)), 'a raw control character in the log');
      // The names that reached the log through real operations (Tracking: …) are one line too.
      assert.ok(lines.some((l) => /Tracking: .*\\n2026-12-03 09:00:00\.000 \[info\] Deleted every snapshot\./.test(l)));
    });
  });
}
