import type { Field, OperationRecord, Tag } from '../model/types';

/** Parses `key=value, key2=value2`; throws with a message a person can act on. */
export function parseTags(text: string): Tag[] {
  const tags: Tag[] = [];
  for (const part of text.split(',')) {
    const p = part.trim();
    if (!p) {
      continue;
    }
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim();
    const value = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (!key) {
      throw new Error(`"${p}" has no key: write key=value`);
    }
    if (tags.some((t) => t.key === key)) {
      throw new Error(`The key "${key}" appears twice`);
    }
    tags.push({ key, value });
  }
  return tags;
}

export function formatTags(tags: Tag[]): string {
  return tags.map((t) => `${t.key}=${t.value}`).join(', ');
}

/** Validates a text answer against a field; returns the message to show, or undefined. */
export function validateField(field: Field, text: string): string | undefined {
  switch (field.kind) {
    case 'text':
      if (!text && !field.optional) {
        return 'A value is required';
      }
      if (text && field.pattern && !new RegExp(`^(?:${field.pattern.source})$`).test(text)) {
        return field.pattern.message;
      }
      return undefined;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) {
        return 'Enter a number';
      }
      if (field.integer && !Number.isInteger(n)) {
        return 'Enter a whole number';
      }
      if (field.min !== undefined && n < field.min) {
        return `At least ${field.min}`;
      }
      if (field.max !== undefined && n > field.max) {
        return `At most ${field.max}`;
      }
      return undefined;
    }
    case 'tags':
      try {
        parseTags(text);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    default:
      return undefined;
  }
}

/** `$(sync~spin) Snapkeeper: 2 running · 45%` — the mean progress of those that report one. */
export function statusText(running: Pick<OperationRecord, 'progress'>[]): string {
  if (running.length === 0) {
    return '';
  }
  const withProgress = running.filter((r) => r.progress !== undefined);
  const mean = withProgress.length
    ? Math.round(withProgress.reduce((a, r) => a + (r.progress ?? 0), 0) / withProgress.length)
    : undefined;
  return `$(sync~spin) Snapkeeper: ${running.length} running${mean !== undefined ? ` · ${mean}%` : ''}`;
}
