/**
 * Azure's naming rules for managed disks, snapshots and images (1–80 characters: letters, digits,
 * underscores, periods and hyphens; starting with a letter or digit; ending with a letter, digit
 * or underscore), and tag rules (names ≤ 512 characters without < > % & \ ? /, values ≤ 256).
 */
import { tagsAnswer, tagsProblem } from '../../model/answers';
import { CloudError } from '../../model/errors';
import type { Tag, TagRules } from '../../model/types';

export const NAME_PATTERN = {
  source: '[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?',
  message: '1–80 letters, digits, _ . -; starting with a letter or digit, ending with a letter, digit or _',
};

export function isValidName(name: string): boolean {
  return new RegExp(`^(?:${NAME_PATTERN.source})$`).test(name);
}

/** `20261122-0930` in UTC. */
export function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** A valid name made from untrusted text and a suffix: `<base>-<suffix>`. */
export function validName(base: string | undefined, suffix: string, fallback = 'snapkeeper'): string {
  let clean = (base ?? '').replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/-{2,}/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  if (!clean) {
    clean = fallback;
  }
  const max = 80 - suffix.length - 1;
  clean = clean.slice(0, Math.max(1, max)).replace(/[.-]+$/, '') || fallback.slice(0, max);
  const out = `${clean}-${suffix}`.replace(/[.-]+$/, '');
  return isValidName(out) ? out : `${fallback}-${suffix}`.slice(0, 80);
}

export function checkName(name: string, what: string): string {
  const n = name.trim();
  if (!isValidName(n)) {
    throw new CloudError('invalid', `${what} name "${n}": ${NAME_PATTERN.message}`);
  }
  return n;
}

const BAD_TAG_KEY = /[<>%&\\?/]/;

/**
 * Azure's tag rules: names 1–512 characters without < > % & \\ ? /, case-insensitive; values up
 * to 256 characters (commas, `=`, spaces and quotes are fine); 50 tags per resource.
 */
export const AZURE_TAG_RULES: TagRules = {
  noun: 'tag',
  max: 50,
  caseInsensitiveKeys: true,
  checkKey: (key) => {
    if (key === '') {
      return 'A tag name cannot be empty';
    }
    if (key.length > 512) {
      return `Tag name "${key.slice(0, 60)}…" is longer than 512 characters, the most Azure accepts`;
    }
    const bad = BAD_TAG_KEY.exec(key);
    return bad ? `Tag name "${key.slice(0, 60)}": Azure does not allow "${bad[0]}" in tag names (none of < > % & \\ ? /)` : undefined;
  },
  checkValue: (value, key) => (value.length > 256 ? `The value of tag "${key.slice(0, 60)}" is longer than 256 characters, the most Azure accepts` : undefined),
};

/** Tags as ARM takes them (an object), exactly as given, checked against Azure's rules. */
export function toArmTags(tags: Tag[]): Record<string, string> {
  const why = tagsProblem(tags, AZURE_TAG_RULES);
  if (why) {
    throw new CloudError('invalid', why);
  }
  const out: Record<string, string> = {};
  for (const t of tags) {
    out[t.key] = t.value;
  }
  return out;
}

/** Tags of ours (create tokens) that the Edit Tags prompt hides and keeps. */
export function isInternalTag(key: string): boolean {
  return key.startsWith('snapkeeper:');
}

/** The tags the user answered (a list of { key, value }), checked against Azure's rules. */
export function tagsValue(v: unknown): Tag[] {
  return tagsAnswer(v, AZURE_TAG_RULES);
}
