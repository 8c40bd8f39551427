/**
 * Tags: the `tags` field's text form, TagSpecifications for creates, and the CreateTags /
 * DeleteTags difference for "Edit Tags". Tag text is untrusted and passed through exactly.
 */
import type { ResourceType, Tag as Ec2Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { tagsAnswer } from '../../model/answers';
import { CloudError } from '../../model/errors';
import type { FieldValue, Tag } from '../../model/types';

export { formatTags, parseTagText as parseTags } from '../../model/answers';

/** The tags the user answered (the UI gives Tag[]; text is accepted too). Validates AWS's rules. */
export function tagsValue(v: FieldValue | undefined): Tag[] {
  const tags = tagsAnswer(v);
  const keys = new Set<string>();
  for (const t of tags) {
    if (!t.key || t.key.length > 128) {
      throw new CloudError('invalid', 'A tag key must be 1–128 characters');
    }
    if (t.value.length > 256) {
      throw new CloudError('invalid', `The value of tag "${t.key}" is longer than 256 characters`);
    }
    if (t.key.toLowerCase().startsWith('aws:')) {
      throw new CloudError('invalid', `Tag keys starting with "aws:" are reserved by AWS ("${t.key}")`);
    }
    if (keys.has(t.key)) {
      throw new CloudError('invalid', `Tag "${t.key}" is given twice`);
    }
    keys.add(t.key);
  }
  if (tags.length > 50) {
    throw new CloudError('invalid', 'AWS allows at most 50 tags per resource');
  }
  return tags;
}

export function toEc2Tags(tags: readonly Tag[]): Ec2Tag[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}

/** A TagSpecification for `type` with `tags`, or nothing when there are none. */
export function tagSpec(type: ResourceType, tags: readonly Tag[]): TagSpecification[] {
  return tags.length ? [{ ResourceType: type, Tags: toEc2Tags(tags) }] : [];
}

/** Tags AWS manages itself; never offered for editing. */
export function isAwsManaged(t: Tag): boolean {
  return t.key.toLowerCase().startsWith('aws:');
}

/** What Edit Tags must send: tags to create or overwrite, and keys to delete. */
export function tagDiff(current: readonly Tag[], wanted: readonly Tag[]): { set: Tag[]; remove: string[] } {
  const now = new Map(current.filter((t) => !isAwsManaged(t)).map((t) => [t.key, t.value]));
  const next = new Map(wanted.map((t) => [t.key, t.value]));
  const set = wanted.filter((t) => now.get(t.key) !== t.value);
  const remove = [...now.keys()].filter((k) => !next.has(k));
  return { set, remove };
}

/** Tags for a copy or image made from `source`: its own tags minus AWS's and Snapkeeper's bookkeeping. */
export function inheritableTags(source: readonly Tag[]): Tag[] {
  return source.filter((t) => !isAwsManaged(t) && !t.key.startsWith('snapkeeper:'));
}

/** Merges tag lists; later lists win for the same key. */
export function mergeTags(...lists: (readonly Tag[])[]): Tag[] {
  const m = new Map<string, string>();
  for (const l of lists) {
    for (const t of l) {
      m.set(t.key, t.value);
    }
  }
  return [...m].map(([key, value]) => ({ key, value }));
}
