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
import { VscodePrompter } from '../../src/ui/prompter';
import { ICON_PATTERN, LINK_PATTERN, markdownText, visible } from '../../src/ui/safeText';
import { HIDDEN_CHARACTERS, HOSTILE_NAMES } from '../fixtures/hostile-names';
import { childrenOf, itemOf, labelOf, nodeAt, prompter, readLog, reload, resourceOf, shownSince, sleep, trackerIdle, waitFor, world } from './harness';

const REGION = 'us-east-1';

/** Links VS Code would make of a notification's or prompt's text (newlines are spaces there). */
export function linksIn(text: string): string[] {
  return [...text.replace(/(\r\n|\n|\r)/g, ' ').matchAll(new RegExp(LINK_PATTERN.source, 'gi'))].map((m) => m[0]);
}

/** Codicons VS Code would render (an escaped `\$(x)` is text). */
export function iconsIn(text: string): string[] {
  return [...text.matchAll(new RegExp(ICON_PATTERN.source, 'g'))].filter((m) => !m[1]).map((m) => m[0]);
}


export interface Recorded {
  picks: { title?: string; placeHolder?: string; items: vscode.QuickPickItem[] }[];
  inputs: { title?: string; prompt?: string; validation?: string }[];
  progress: { location: unknown; title?: string }[];
}

/** The answer `recordWindow`'s chooser gives for a question it does not care about: the first item. */
export const FIRST = Symbol('first');

/**
 * Replaces vscode.window.showQuickPick, showInputBox and withProgress (the extension gets the same
 * API object) with recorders that answer as a person would: the item `choose` names (FIRST: the
 * proposed first item; undefined: Escape), the proposed value of an input box (or a plain one if
 * the box refuses it).
 */
export function recordWindow(
  choose: (items: (vscode.QuickPickItem & { value?: unknown })[], placeHolder: string | undefined) => vscode.QuickPickItem | typeof FIRST | undefined,
): { recorded: Recorded; restore: () => void } {
  const w = vscode.window as unknown as Record<string, unknown>;
  const original = { showQuickPick: w.showQuickPick, showInputBox: w.showInputBox, withProgress: w.withProgress };
  const recorded: Recorded = { picks: [], inputs: [], progress: [] };
  w.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
    const list = [...(await items)] as (vscode.QuickPickItem & { value?: unknown })[];
    recorded.picks.push({ title: options?.title, placeHolder: options?.placeHolder, items: list });
    const choice = choose(list, options?.placeHolder);
    return choice === FIRST ? list[0] : choice;
  };
  w.showInputBox = async (options?: vscode.InputBoxOptions) => {
    const entry: Recorded['inputs'][number] = { title: options?.title, prompt: options?.prompt };
    recorded.inputs.push(entry);
    let value = options?.value ?? '';
    const invalid = await options?.validateInput?.(value);
    if (invalid) {
      entry.validation = typeof invalid === 'string' ? invalid : invalid.message;
      value = 'exthost hostile names';
    }
    return value;
  };
  const withProgress = original.withProgress as typeof vscode.window.withProgress;
  w.withProgress = (options: vscode.ProgressOptions, task: Parameters<typeof vscode.window.withProgress>[1]) => {
    recorded.progress.push({ location: options.location, title: options.title });
    return withProgress.call(vscode.window, options, task);
  };
  return { recorded, restore: () => Object.assign(w, original) };
}

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
      let target = '';
      const { recorded, restore } = recordWindow((items, placeHolder) => {
        if (placeHolder === 'Which account?') {
          return items.find((i) => i.label === 'Sandbox (AWS)');
        }
        if (placeHolder === 'Which region?') {
          return items.find((i) => i.label === REGION);
        }
        if (placeHolder === 'Which disk?') {
          return items.find((i) => (i.value as Resource | undefined)?.id === target);
        }
        return FIRST;
      });
      const previous = a.prompter;
      a.prompter = new VscodePrompter();
      try {
        for (const id of named.keys()) {
          target = id;
          const done = await vscode.commands.executeCommand('snapkeeper.createSnapshot');
          assert.equal(done, true, `Create Snapshot of ${id} did not run to the end`);
        }
      } finally {
        restore();
        a.prompter = previous;
        prompter.expect();
      }
      // The disk pick listed every hostile name.
      const diskPicks = recorded.picks.filter((p) => p.placeHolder === 'Which disk?');
      assert.equal(diskPicks.length, named.size);
      const offered = diskPicks[0].items.filter((i) => named.has((i as { value?: Resource }).value?.id ?? ''));
      assert.equal(offered.length, named.size, 'not every hostile volume was offered');
      for (const pick of recorded.picks) {
        for (const item of pick.items) {
          for (const text of [item.label, item.description ?? '', item.detail ?? '']) {
            assert.deepEqual(iconsIn(text), [], `a codicon in the quick pick "${pick.placeHolder}": ${text.slice(0, 200)}`);
            assert.doesNotMatch(text, HIDDEN_CHARACTERS, text.slice(0, 200));
            assert.ok(text.length <= 400, `${text.length} characters in a quick-pick item`);
          }
        }
      }
      for (const input of recorded.inputs) {
        for (const text of [input.prompt ?? '', input.validation ?? '']) {
          assert.deepEqual(linksIn(text), [], `a link in an input box: ${text.slice(0, 200)}`);
          assert.deepEqual(iconsIn(text), [], `a codicon in an input box: ${text.slice(0, 200)}`);
          assert.doesNotMatch(text, HIDDEN_CHARACTERS);
        }
      }
      assert.ok(recorded.progress.length >= named.size * 2, `${recorded.progress.length} progress titles`);
      for (const p of recorded.progress) {
        const title = p.title ?? '';
        assert.deepEqual(linksIn(title), [], `a link in a progress title: ${title.slice(0, 200)}`);
        assert.deepEqual(iconsIn(title), [], `a codicon in a progress title: ${title.slice(0, 200)}`);
        assert.doesNotMatch(title, HIDDEN_CHARACTERS);
      }
      // The sandbox made one snapshot per hostile volume; each completion was announced as text.
      await trackerIdle(a, 120_000);
      const snapshots = sandbox.clouds.aws.state.describeSnapshots(REGION, { owners: ['self'] }).items.filter((s) => named.has(s.volumeId ?? ''));
      assert.equal(snapshots.length, named.size);
      const completed = await waitFor('50 completion notices', () => {
        const c = shownSince(mark, 'info').filter((s) => / completed\.$/.test(s.message));
        return c.length >= named.size ? c : undefined;
      });
      for (const c of completed) {
        assert.deepEqual(linksIn(c.message), [], c.message.slice(0, 300));
        assert.doesNotMatch(c.message, HIDDEN_CHARACTERS);
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
        for (const f of failed) {
          assert.deepEqual(linksIn(f.message), [], f.message.slice(0, 300));
          assert.doesNotMatch(f.message, HIDDEN_CHARACTERS);
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
