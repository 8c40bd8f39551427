/**
 * Tags: the `tags` field's text form, TagSpecifications for creates, and the CreateTags /
 * DeleteTags difference for "Edit Tags". Tag text is untrusted and passed through exactly.
 */
import type { ResourceType, Tag as Ec2Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { tagsAnswer } from '../../model/answers';
import type { FieldValue, Tag, TagRules } from '../../model/types';

/**
 * EC2's tag rules: keys 1–128 characters, values up to 256, any characters (EC2 accepts commas,
 * `=`, spaces and quotes in both), keys starting with "aws:" reserved, 50 tags per resource.
 */
export const AWS_TAG_RULES: TagRules = {
  noun: 'tag',
  max: 50,
  checkKey: (key) => {
    if (key === '') {
      return 'A tag key cannot be empty';
    }
    if ([...key].length > 128) {
      return `Tag key "${key.slice(0, 60)}…" is longer than 128 characters, the most EC2 accepts`;
    }
    if (key.toLowerCase().startsWith('aws:')) {
      return `Tag keys starting with "aws:" are reserved by AWS ("${key.slice(0, 60)}")`;
    }
    return undefined;
  },
  checkValue: (value, key) =>
    [...value].length > 256 ? `The value of tag "${key.slice(0, 60)}" is longer than 256 characters, the most EC2 accepts` : undefined,
};

/** The tags the user answered, exactly as given, checked against EC2's rules. */
export function tagsValue(v: FieldValue | undefined): Tag[] {
  return tagsAnswer(v, AWS_TAG_RULES);
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
