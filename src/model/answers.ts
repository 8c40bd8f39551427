/**
 * Reading the user's answers (FieldValues) in an adapter's `execute`: the UI validated them
 * against the fields, but execute also runs from tests and the palette, so every reader checks
 * again and fails with a CloudError that names the field.
 */
import { CloudError } from './errors';
import type { FieldValues, Tag, TagRules } from './types';

/** A text answer, trimmed; undefined when empty or absent. Numbers and booleans become text. */
export function text(values: FieldValues, id: string): string | undefined {
  const v = values[id];
  if (v === undefined || v === '') {
    return undefined;
  }
  if (Array.isArray(v)) {
    throw new CloudError('invalid', `The answer to "${id}" must be text`);
  }
  const s = (typeof v === 'string' ? v : String(v)).trim();
  return s === '' ? undefined : s;
}

export function requiredText(values: FieldValues, id: string): string {
  const v = text(values, id);
  if (!v) {
    throw new CloudError('invalid', `"${id}" is required`);
  }
  return v;
}

export function bool(values: FieldValues, id: string, fallback = false): boolean {
  const v = values[id];
  return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : fallback;
}

export function num(values: FieldValues, id: string): number | undefined {
  const v = values[id];
  if (v === undefined || v === '') {
    return undefined;
  }
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) {
    throw new CloudError('invalid', `The answer to "${id}" must be a number`);
  }
  return n;
}

/** One of `allowed` (the options of a pick field), or `fallback` when unanswered. */
export function pick(values: FieldValues, id: string, allowed: readonly string[], fallback: string): string {
  const v = text(values, id) ?? fallback;
  if (!allowed.includes(v)) {
    throw new CloudError('invalid', `"${v.slice(0, 80)}" is not a valid answer for ${id} (one of ${allowed.join(', ')})`);
  }
  return v;
}

/**
 * Why `tags` break `rules` (a key or value the cloud refuses, a key given twice, too many), or
 * undefined. Keys and values are checked exactly as given: nothing is trimmed or rewritten.
 */
export function tagsProblem(tags: readonly Tag[], rules: TagRules): string | undefined {
  const noun = rules.noun;
  if (tags.length > rules.max) {
    return `At most ${rules.max} ${noun}s per resource (${tags.length} given)`;
  }
  const seen = new Set<string>();
  for (const t of tags) {
    const why = rules.checkKey(t.key) ?? rules.checkValue(t.value, t.key);
    if (why) {
      return why;
    }
    const k = rules.caseInsensitiveKeys ? t.key.toLowerCase() : t.key;
    if (seen.has(k)) {
      return `The ${noun} "${t.key.slice(0, 60)}" is given twice${rules.caseInsensitiveKeys ? ' (keys differing only in case are the same key)' : ''}`;
    }
    seen.add(k);
  }
  return undefined;
}

/**
 * The tags answered: a list of `{ key, value }` (what the tag editor gives), kept exactly. Text
 * is refused: `key=value, …` cannot carry a value with a comma or `=` without losing it.
 */
export function tagsAnswer(v: unknown, rules: TagRules): Tag[] {
  if (v === undefined || v === '') {
    return [];
  }
  if (!Array.isArray(v)) {
    throw new CloudError('invalid', `${rules.noun[0].toUpperCase()}${rules.noun.slice(1)}s must be a list of { key, value }`);
  }
  const tags = v.map((t: { key?: unknown; value?: unknown }) => {
    if (typeof t?.key !== 'string' || (t.value !== undefined && typeof t.value !== 'string')) {
      throw new CloudError('invalid', `Each ${rules.noun} must be { key, value } text`);
    }
    return { key: t.key, value: t.value ?? '' };
  });
  const why = tagsProblem(tags, rules);
  if (why) {
    throw new CloudError('invalid', why);
  }
  return tags;
}
