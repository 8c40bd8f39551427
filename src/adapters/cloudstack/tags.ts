/**
 * CloudStack's tags (createTags / deleteTags, resource tags of VMs, volumes, snapshots,
 * templates and VM snapshots): a key and a value, both required (CloudStack refuses an empty
 * value), each at most 255 characters; commas, `=` and spaces are kept. Tag text is untrusted and
 * passed through exactly.
 */
import { tagsAnswer } from '../../model/answers';
import type { FieldValue, ResourceKind, Tag, TagRules } from '../../model/types';
import type { Params } from './api';

const MAX = 255;

export const CS_TAG_RULES: TagRules = {
  noun: 'tag',
  // CloudStack sets no per-resource limit; the editor needs one, and no one keeps more.
  max: 100,
  checkKey: (key) => {
    if (key === '') {
      return 'A tag key cannot be empty';
    }
    if ([...key].length > MAX) {
      return `Tag key "${key.slice(0, 60)}…" is longer than ${MAX} characters, the most CloudStack keeps`;
    }
    return undefined;
  },
  checkValue: (value, key) => {
    if (value === '') {
      return `CloudStack needs a value for the tag "${key.slice(0, 60)}" (it refuses an empty one)`;
    }
    return [...value].length > MAX ? `The value of tag "${key.slice(0, 60)}" is longer than ${MAX} characters, the most CloudStack keeps` : undefined;
  },
};

/** The tags the user answered, exactly as given, checked against CloudStack's rules. */
export function tagsValue(v: FieldValue | undefined): Tag[] {
  return tagsAnswer(v, CS_TAG_RULES);
}

/** CloudStack's `resourcetype` of each kind that has tags. */
export const RESOURCE_TYPE: Partial<Record<ResourceKind, string>> = {
  vm: 'UserVm',
  disk: 'Volume',
  snapshot: 'Snapshot',
  image: 'Template',
  restorePoint: 'VMSnapshot',
};

/** `tags[0].key=…&tags[0].value=…` (values left out for a delete). */
export function tagParams(tags: readonly Tag[], withValues = true): Params {
  const out: Params = {};
  tags.forEach((t, i) => {
    out[`tags[${i}].key`] = t.key;
    if (withValues) {
      out[`tags[${i}].value`] = t.value;
    }
  });
  return out;
}

/** What Edit Tags changes: the tags to create (new keys and changed values) and the keys to delete. */
export function tagChanges(before: readonly Tag[], after: readonly Tag[]): { create: Tag[]; remove: Tag[] } {
  const now = new Map(after.map((t) => [t.key, t.value]));
  const was = new Map(before.map((t) => [t.key, t.value]));
  // A changed value is a delete of the old tag, then a create (createTags refuses an existing key).
  const remove = before.filter((t) => now.get(t.key) !== t.value);
  const create = after.filter((t) => was.get(t.key) !== t.value);
  return { create, remove };
}
