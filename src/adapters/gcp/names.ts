/**
 * Compute Engine's naming rules (RFC 1035: `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`) and label rules
 * (keys: lower-case letters, digits, `_` and `-`, starting with a letter, ≤ 63 characters; values
 * the same characters, may be empty or start with a digit, ≤ 63; at most 64 labels).
 */
import { tagsAnswer, tagsProblem } from '../../model/answers';
import { CloudError } from '../../model/errors';
import type { Tag, TagRules } from '../../model/types';

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

/** Characters Compute Engine takes in label keys and values: lower-case letters (any script), digits, _ and -. */
const LABEL_CHAR = /[\p{Ll}\p{Lo}\p{N}_-]/u;

/** The first character of `text` labels do not allow, described for a person. */
function badLabelChar(text: string): string | undefined {
  const c = [...text].find((ch) => !LABEL_CHAR.test(ch));
  if (c === undefined) {
    return undefined;
  }
  return c === ' ' ? 'a space' : /\p{Lu}/u.test(c) ? `the capital "${c}"` : /[\p{Cc}\p{Cf}]/u.test(c) ? 'a control character' : `"${c}"`;
}

const ONLY = 'labels take only lower-case letters, digits, _ and -';

/**
 * Compute Engine's label rules: keys 1–63 characters starting with a lower-case letter, values
 * 0–63 characters, both only lower-case letters (international ones too), digits, _ and -;
 * 64 labels per resource. A value such as "alice,bob" is refused, saying why, never rewritten.
 */
export const GCP_LABEL_RULES: TagRules = {
  noun: 'label',
  max: 64,
  checkKey: (key) => {
    const bad = badLabelChar(key);
    if (key === '' || [...key].length > 63 || bad || !/^\p{Ll}|^\p{Lo}/u.test(key)) {
      const why = key === '' ? 'it is empty' : bad ? `${bad} is not allowed` : [...key].length > 63 ? 'it is longer than 63 characters' : 'it must start with a lower-case letter';
      return `Label key "${key.slice(0, 60)}": ${why}; Google Cloud label keys are 1–63 characters, start with a lower-case letter, and ${ONLY}`;
    }
    return undefined;
  },
  checkValue: (value, key) => {
    const bad = badLabelChar(value);
    if (bad || [...value].length > 63) {
      const why = bad ? `${bad} is not allowed` : 'it is longer than 63 characters';
      return `The value of label "${key.slice(0, 60)}" ("${value.slice(0, 60)}"): ${why}; Google Cloud label values are at most 63 characters and ${ONLY}`;
    }
    return undefined;
  },
};

/** Labels as Compute takes them, exactly as given, checked against its rules (errors say why). */
export function toLabels(tags: Tag[]): Record<string, string> {
  const why = tagsProblem(tags, GCP_LABEL_RULES);
  if (why) {
    throw new CloudError('invalid', why);
  }
  const out: Record<string, string> = {};
  for (const t of tags) {
    out[t.key] = t.value;
  }
  return out;
}

/** The labels the user answered (a list of { key, value }), checked against Compute's rules. */
export function tagsValue(v: unknown): Tag[] {
  return tagsAnswer(v, GCP_LABEL_RULES);
}
