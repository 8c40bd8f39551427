/**
 * Edit Tags is OpenStack's metadata, key/value pairs kept exactly:
 * - a server's metadata (Nova: keys of letters, digits and `-_:. `, at most 255 characters; values
 *   at most 255; 128 items, Nova's default metadata_items quota), replaced whole with
 *   PUT /servers/{id}/metadata;
 * - a volume's and a volume snapshot's metadata (Cinder: keys 1–255 characters, values ≤ 255),
 *   replaced whole with PUT /volumes|snapshots/{id}/metadata;
 * - a backup's metadata (Cinder 3.43+), replaced with PUT /backups/{id};
 * - an image's additional properties (Glance's key/value metadata; not Glance's `tags`, which are
 *   values without keys), changed with a JSON patch; the properties Nova and Glance manage
 *   (`image_type`, `instance_uuid`…) are not offered and refused.
 */
import { tagsAnswer } from '../../model/answers';
import type { FieldValue, ResourceKind, Tag, TagRules } from '../../model/types';
import { isManagedProperty } from './map';

const MAX = 255;
/** Nova's metadata key (nova/api/validation/parameter_types.py `metadata`). */
const NOVA_KEY = /^[a-zA-Z0-9\-_:. ]{1,255}$/;

function lengthRules(noun: string, checkKey: (key: string) => string | undefined): TagRules {
  return {
    noun,
    max: 128,
    checkKey: (key) => {
      if (key === '') {
        return 'A metadata key cannot be empty';
      }
      if ([...key].length > MAX) {
        return `Metadata key "${key.slice(0, 60)}…" is longer than ${MAX} characters, the most OpenStack keeps`;
      }
      return checkKey(key);
    },
    checkValue: (value, key) => ([...value].length > MAX ? `The value of "${key.slice(0, 60)}" is longer than ${MAX} characters, the most OpenStack keeps` : undefined),
  };
}

export const NOVA_METADATA_RULES = lengthRules('metadata item', (key) =>
  NOVA_KEY.test(key) ? undefined : `Nova takes metadata keys of letters, digits, spaces and - _ : . only: "${key.slice(0, 60)}" has another character`,
);
export const CINDER_METADATA_RULES = lengthRules('metadata item', () => undefined);
export const GLANCE_PROPERTY_RULES = lengthRules('property', (key) =>
  isManagedProperty(key) ? `"${key.slice(0, 60)}" is a property Glance or Nova manages itself: it cannot be edited here` : undefined,
);

export function tagRules(kind: ResourceKind): TagRules {
  return kind === 'vm' ? NOVA_METADATA_RULES : kind === 'image' || kind === 'restorePoint' ? GLANCE_PROPERTY_RULES : CINDER_METADATA_RULES;
}

/** The metadata the user answered, exactly as given, checked against the service's rules. */
export function tagsValue(v: FieldValue | undefined, kind: ResourceKind): Tag[] {
  return tagsAnswer(v, tagRules(kind));
}

export function metadataOf(tags: readonly Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}

/** Glance's JSON patch from the properties `before` to `after` (`/` and `~` escaped in paths). */
export function propertyPatch(before: readonly Tag[], after: readonly Tag[]): { op: 'add' | 'replace' | 'remove'; path: string; value?: string }[] {
  const path = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const was = new Map(before.map((t) => [t.key, t.value]));
  const now = new Map(after.map((t) => [t.key, t.value]));
  return [
    ...before.filter((t) => !now.has(t.key)).map((t) => ({ op: 'remove' as const, path: path(t.key) })),
    ...after.filter((t) => was.get(t.key) !== t.value).map((t) => ({ op: was.has(t.key) ? ('replace' as const) : ('add' as const), path: path(t.key), value: t.value })),
  ];
}
