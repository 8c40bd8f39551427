/**
 * Reading the user's answers (FieldValues) in an adapter's `execute`: the UI validated them
 * against the fields, but execute also runs from tests and the palette, so every reader checks
 * again and fails with a CloudError that names the field.
 */
import { CloudError } from './errors';
import type { FieldValues, Tag } from './types';

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

/** The `key=value, key=value` text of a tags field's default. */
export function formatTags(tags: readonly Tag[]): string {
  return tags.map((t) => `${t.key}=${t.value}`).join(', ');
}

/** Parses `key=value, key=value` (a key alone means an empty value). */
export function parseTagText(source: string): Tag[] {
  const out: Tag[] = [];
  for (const part of source.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (key) {
      out.push({ key, value: eq < 0 ? '' : part.slice(eq + 1).trim() });
    }
  }
  return out;
}

/** The tags answered (the UI gives Tag[]; `key=value, …` text is accepted too). Each cloud checks its own rules on top. */
export function tagsAnswer(v: unknown, what = 'Tags'): Tag[] {
  if (v === undefined || v === '') {
    return [];
  }
  if (Array.isArray(v)) {
    return v.map((t: { key?: unknown; value?: unknown }) => ({ key: String(t.key ?? ''), value: String(t.value ?? '') }));
  }
  if (typeof v === 'string') {
    return parseTagText(v);
  }
  throw new CloudError('invalid', `${what} must be key=value pairs`);
}
