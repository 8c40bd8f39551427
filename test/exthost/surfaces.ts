// What the extension shows through VS Code's own window surfaces (quick picks, input boxes,
// progress titles, notices), recorded through the real API, and the checks the hostile-name
// suites share: no link, no codicon and no hidden character may reach any of them.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { App } from '../../src/ui/app';
import { VscodePrompter } from '../../src/ui/prompter';
import { ICON_PATTERN, LINK_PATTERN, visible } from '../../src/ui/safeText';
import type { Node } from '../../src/ui/tree';
import { HIDDEN_CHARACTERS } from '../fixtures/hostile-names';
import { itemOf, labelOf, prompter } from './harness';

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

/**
 * Runs `run(target)` once per target through VS Code's real quick picks (the App's prompter is the
 * VscodePrompter meanwhile, the scripted one restored after): the pick whose placeholder is
 * `targetPick` is answered with the item carrying the current target's id, a pick named in
 * `byLabel` with the item of that label, any other with its first item. Returns what was shown.
 */
export async function runThroughRealPicks(
  a: App,
  options: { byLabel: Record<string, string>; targetPick: string; targets: Iterable<string> },
  run: (target: string) => Promise<void>,
): Promise<Recorded> {
  let target = '';
  const { recorded, restore } = recordWindow((items, placeHolder) => {
    if (placeHolder === options.targetPick) {
      return items.find((i) => (i.value as { id?: string } | undefined)?.id === target);
    }
    const label = placeHolder === undefined ? undefined : options.byLabel[placeHolder];
    return label === undefined ? FIRST : items.find((i) => i.label === label);
  });
  const previous = a.prompter;
  a.prompter = new VscodePrompter();
  try {
    for (const id of options.targets) {
      target = id;
      await run(id);
    }
  } finally {
    restore();
    a.prompter = previous;
    prompter.expect();
  }
  return recorded;
}

/** Every quick-pick item's label, description and detail: no codicon, nothing hidden (and `more` for each text). */
export function assertPicksPlain(picks: Recorded['picks'], more?: (text: string) => void): void {
  for (const pick of picks) {
    for (const item of pick.items) {
      for (const text of [item.label, item.description ?? '', item.detail ?? '']) {
        assert.deepEqual(iconsIn(text), [], `a codicon in the quick pick "${pick.placeHolder}": ${text.slice(0, 200)}`);
        assert.doesNotMatch(text, HIDDEN_CHARACTERS, text.slice(0, 200));
        more?.(text);
      }
    }
  }
}

/** Every input box's prompt and validation message: no link, no codicon, nothing hidden. */
export function assertInputsPlain(inputs: Recorded['inputs']): void {
  for (const input of inputs) {
    for (const text of [input.prompt ?? '', input.validation ?? '']) {
      assert.deepEqual(linksIn(text), [], `a link in an input box: ${text.slice(0, 200)}`);
      assert.deepEqual(iconsIn(text), [], `a codicon in an input box: ${text.slice(0, 200)}`);
      assert.doesNotMatch(text, HIDDEN_CHARACTERS);
    }
  }
}

/** Every progress title: no link, no codicon, nothing hidden. */
export function assertProgressTitlesPlain(progress: Recorded['progress']): void {
  for (const p of progress) {
    const title = p.title ?? '';
    assert.deepEqual(linksIn(title), [], `a link in a progress title: ${title.slice(0, 200)}`);
    assert.deepEqual(iconsIn(title), [], `a codicon in a progress title: ${title.slice(0, 200)}`);
    assert.doesNotMatch(title, HIDDEN_CHARACTERS);
  }
}

/**
 * Notices (a notification renders links but no codicons: an escape would show its backslash
 * there): no link may form, nothing hidden; `$(…)` stays text.
 */
export function assertNoticesPlain(messages: readonly string[]): void {
  for (const message of messages) {
    assert.deepEqual(linksIn(message), [], message.slice(0, 300));
    assert.doesNotMatch(message, HIDDEN_CHARACTERS);
  }
}

/**
 * A tree item of a resource that carries the untrusted `name`: its label is the name made visible
 * (the id when the name is blank); label, description and the tooltip's Markdown source carry no
 * link, autolink, HTML, codicon or hidden character, and the tooltip is neither trusted nor
 * rendering HTML or icons.
 */
export function assertTreeItemPlain(a: App, node: Extract<Node, { type: 'resource' }>, name: string): void {
  const label = labelOf(a, node);
  assert.equal(label, name.trim() ? visible(name) : node.resourceId);
  assert.doesNotMatch(label, HIDDEN_CHARACTERS);
  assert.doesNotMatch(String(itemOf(a, node).description), HIDDEN_CHARACTERS);
  const tip = itemOf(a, node).tooltip as vscode.MarkdownString;
  assert.ok(!tip.isTrusted && !tip.supportHtml && !tip.supportThemeIcons);
  assert.doesNotMatch(tip.value, /\]\(|\]\[|https?:\/\/|www\.|@|<[a-z!/]|\$\(|`/i, `${node.resourceId}: ${tip.value.slice(0, 300)}`);
  assert.doesNotMatch(tip.value.replace(/\n/g, ''), HIDDEN_CHARACTERS);
}
