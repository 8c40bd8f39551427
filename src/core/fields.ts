import type { Field, FieldValues, OperationRecord } from '../model/types';

/** Whether `field` is asked, given the answers so far (its `askIf` condition). */
export function isAsked(field: Field, earlier: FieldValues): boolean {
  if (!field.askIf) {
    return true;
  }
  const answer = earlier[field.askIf.field];
  return answer !== undefined && !Array.isArray(answer) && field.askIf.in.includes(answer);
}

/** Validates a text answer against a field; returns the message to show, or undefined. */
export function validateField(field: Field, text: string, earlier: FieldValues = {}): string | undefined {
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
      return field.check?.(n, earlier);
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
