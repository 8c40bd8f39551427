/**
 * Compute Engine's naming rules (RFC 1035: `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`) and label rules
 * (keys: lower-case letters, digits, `_` and `-`, starting with a letter, ≤ 63 characters; values
 * the same characters, may be empty or start with a digit, ≤ 63; at most 64 labels).
 */
import { formatTags, tagsAnswer } from '../../model/answers';
import { CloudError } from '../../model/errors';
import type { Tag } from '../../model/types';

export const NAME_PATTERN = {
  source: '[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?',
  message: '1–63 characters: lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen',
};

const NAME_RE = new RegExp(`^(?:${NAME_PATTERN.source})$`);

export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

/** `20261122-0930` in UTC. */
export function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** A valid name from untrusted text and a suffix: `<base>-<suffix>`. */
export function validName(base: string | undefined, suffix: string, fallback = 'snapkeeper'): string {
  let clean = (base ?? '').toLowerCase().replace(/[^-a-z0-9]/g, '-').replace(/-{2,}/g, '-').replace(/^[^a-z]+/, '');
  if (!clean) {
    clean = fallback;
  }
  const max = 63 - suffix.length - 1;
  clean = clean.slice(0, Math.max(1, max)).replace(/-+$/, '') || fallback.slice(0, Math.max(1, max));
  const out = `${clean}-${suffix}`.replace(/-+$/, '');
  return isValidName(out) ? out : `${fallback}-${suffix}`.slice(0, 63).replace(/-+$/, '');
}

export function checkName(name: string, what: string): string {
  const n = name.trim();
  if (!isValidName(n)) {
    throw new CloudError('invalid', `${what} name "${n.slice(0, 80)}": ${NAME_PATTERN.message}`);
  }
  return n;
}

const LABEL_KEY = /^[a-z][-_a-z0-9]{0,62}$/;
const LABEL_VALUE = /^[-_a-z0-9]{0,63}$/;

/** Labels as Compute takes them, checked against its rules (errors name the offending label). */
export function toLabels(tags: Tag[]): Record<string, string> {
  if (tags.length > 64) {
    throw new CloudError('invalid', 'Google Cloud allows at most 64 labels per resource');
  }
  const out: Record<string, string> = {};
  for (const t of tags) {
    const key = t.key.trim();
    const value = t.value.trim();
    if (!LABEL_KEY.test(key)) {
      throw new CloudError('invalid', `Label key "${key.slice(0, 70)}": 1–63 lower-case letters, digits, _ or -, starting with a letter`);
    }
    if (!LABEL_VALUE.test(value)) {
      throw new CloudError('invalid', `The value of label "${key}" ("${value.slice(0, 70)}"): at most 63 lower-case letters, digits, _ or -`);
    }
    out[key] = value;
  }
  return out;
}



/** The tags the user answered (the UI gives Tag[]; `key=value, …` text is accepted too). */
export function tagsValue(v: unknown): Tag[] {
  return tagsAnswer(v, 'Labels');
}

export { formatTags };
