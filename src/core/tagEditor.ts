/**
 * The tag editor's logic (vscode-free, so unit tests drive it): a list of tags edited one at a
 * time — add one, change a value, remove one, done. Keys and values are kept exactly as typed
 * (commas, `=`, spaces and quotes included); the cloud's rules (`TagRules`) refuse what the
 * cloud would refuse, saying why, and nothing is rewritten.
 */
import { tagsProblem } from '../model/answers';
import type { Tag, TagRules } from '../model/types';

/** What a line of the editor's list does. */
export type TagStep = { step: 'done' } | { step: 'add' } | { step: 'edit'; key: string };

export interface TagLine {
  label: string;
  description?: string;
  detail?: string;
  step: TagStep;
}

/** A value as one readable line: quoted, so spaces at either end and an empty value show. */
export function shownValue(value: string): string {
  return JSON.stringify(value);
}

/** The editor's list: "Done" first (Enter keeps the tags as they are), then "Add", then each tag. */
export function tagLines(tags: readonly Tag[], rules: TagRules): TagLine[] {
  const n = tags.length;
  const plural = `${rules.noun}${n === 1 ? '' : 's'}`;
  const lines: TagLine[] = [
    { label: n ? `Done: keep these ${n} ${plural}` : `Done: no ${rules.noun}s`, step: { step: 'done' } },
  ];
  if (n < rules.max) {
    lines.push({ label: `Add a ${rules.noun}…`, step: { step: 'add' } });
  }
  for (const t of tags) {
    lines.push({ label: t.key, description: `= ${shownValue(t.value)}`, detail: `Change the value of ${rules.noun} "${t.key}" or remove it`, step: { step: 'edit', key: t.key } });
  }
  return lines;
}

/** Why `key` cannot be added to `tags`: the cloud's rule, or a key already there. */
export function newKeyProblem(tags: readonly Tag[], key: string, rules: TagRules): string | undefined {
  const why = rules.checkKey(key);
  if (why) {
    return why;
  }
  const same = (a: string) => (rules.caseInsensitiveKeys ? a.toLowerCase() === key.toLowerCase() : a === key);
  const existing = tags.find((t) => same(t.key));
  return existing ? `There is already a ${rules.noun} "${existing.key}": pick it in the list to change its value` : undefined;
}

/** `tags` with `key` added (or its value replaced), keeping the order; throws when the rules refuse it. */
export function withTag(tags: readonly Tag[], key: string, value: string, rules: TagRules): Tag[] {
  const i = tags.findIndex((t) => t.key === key);
  const next = i < 0 ? [...tags, { key, value }] : tags.map((t, j) => (j === i ? { key, value } : t));
  const why = tagsProblem(next, rules);
  if (why) {
    throw new Error(why);
  }
  return next;
}

export function withoutTag(tags: readonly Tag[], key: string): Tag[] {
  return tags.filter((t) => t.key !== key);
}
