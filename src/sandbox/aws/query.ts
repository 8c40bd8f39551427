/**
 * Describe-call semantics shared by the EC2 sandbox: `Filter.N` matching (with EC2's `*` and
 * `?` wildcards), tag filters, and MaxResults/NextToken paging with opaque tokens.
 */
import { Ec2Error } from './errors';

export interface Filter {
  name: string;
  values: string[];
}

export interface Tag {
  key: string;
  value: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** The values a resource has for one of its type's filter names (tag filters are handled here). */
export type FilterFields<T> = (item: T, name: string) => readonly string[];

function wildcardPattern(value: string): RegExp {
  let source = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length && '*?\\'.includes(value[i + 1])) {
      source += `\\${value[++i]}`;
    } else if (c === '*') {
      source += '[\\s\\S]*';
    } else if (c === '?') {
      source += '[\\s\\S]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function isTagFilter(name: string): boolean {
  return /^tag:.+$|^tag-key$|^tag-value$/.test(name);
}

function tagValues(tags: readonly Tag[], name: string): readonly string[] {
  if (name === 'tag-key') {
    return tags.map((t) => t.key);
  }
  if (name === 'tag-value') {
    return tags.map((t) => t.value);
  }
  const key = name.slice(4);
  return tags.filter((t) => t.key === key).map((t) => t.value);
}

/**
 * Keeps the items matching every filter (a filter matches when any of its values matches any
 * of the item's values). Filter names outside `known` (and the tag filters) are refused.
 */
export function applyFilters<T extends { tags: Tag[] }>(
  items: readonly T[],
  filters: readonly Filter[],
  known: readonly string[],
  fields: FilterFields<T>,
): T[] {
  const compiled = filters.map((f) => {
    if (!isTagFilter(f.name) && !known.includes(f.name)) {
      throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
    if (f.values.length === 0) {
      throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' requires at least one value`);
    }
    return { name: f.name, tag: isTagFilter(f.name), patterns: f.values.map(wildcardPattern) };
  });
  return items.filter((item) =>
    compiled.every((filter) => {
      const values = filter.tag ? tagValues(item.tags, filter.name) : fields(item, filter.name);
      return values.some((v) => filter.patterns.some((p) => p.test(v)));
    }),
  );
}

export interface PageBounds {
  min: number;
  max: number;
}

interface TokenBody {
  op: string;
  after: number;
}

/** Pages items ordered by `seq`, continuing after the last seq of the previous page. */
export function paginate<T extends { seq: number }>(
  items: readonly T[],
  op: string,
  maxResults: number | undefined,
  nextToken: string | undefined,
  bounds: PageBounds,
): Page<T> {
  if (maxResults !== undefined) {
    if (maxResults < bounds.min) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than or equal to ${bounds.min}.`,
      );
    }
    if (maxResults > bounds.max) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value less than or equal to ${bounds.max}.`,
      );
    }
  }
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const after = decodeToken(nextToken, op);
    start = sorted.findIndex((item) => item.seq > after);
    if (start < 0) {
      start = sorted.length;
    }
  }
  if (maxResults === undefined && (nextToken === undefined || nextToken === '')) {
    return { items: sorted };
  }
  const size = maxResults ?? bounds.max;
  const page = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  return { items: page, nextToken: more ? encodeToken({ op, after: page[page.length - 1].seq }) : undefined };
}

function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeToken(token: string, op: string): number {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
    if (body.op === op && typeof body.after === 'number') {
      return body.after;
    }
  } catch {
    // fall through to the error
  }
  throw new Ec2Error('InvalidPaginationToken', `Invalid pagination token: ${token.slice(0, 64)}`);
}
