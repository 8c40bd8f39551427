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

/**
 * How one Describe action treats `MaxResults`, as EC2 does:
 * - below `min`: InvalidParameterValue "Value ( 1 ) for parameter maxResults is invalid. Expecting
 *   a value greater than 5." (the text EC2 answers; aws/aws-sdk-ruby#2575);
 * - above `max`: `cap` answers `max` items (DescribeVolumes/DescribeSnapshots, see below); `reject`
 *   refuses with InvalidParameterValue;
 * - `idsParam`: the id list that may not be combined with MaxResults (InvalidParameterCombination,
 *   "The parameter volumeSet cannot be used with the parameter maxResults").
 */
export interface PageRule {
  min: number;
  max: number;
  above: 'cap' | 'reject';
  /** The request list EC2 names in the combination error, e.g. `volumeSet`. */
  idsParam?: string;
}

/**
 * Sources: botocore `data/ec2/2016-11-15/service-2.json` (as shipped with awscli 2.9, whose
 * documentation still states the ranges), the EC2 API Reference of each action, and awscli's
 * `customizations/ec2/paginate.py`, which sends MaxResults=1000 to DescribeVolumes and
 * DescribeSnapshots whenever no ids or filters are given (so EC2 must accept 1000 for both).
 */
export const PAGE_RULES: Readonly<Record<string, PageRule>> = {
  // "This value can be between 5 and 1000. You cannot specify this parameter and the instance IDs
  // parameter in the same call."
  DescribeInstances: { min: 5, max: 1000, above: 'reject', idsParam: 'instancesSet' },
  // "This value can be between 5 and 500; if MaxResults is given a value larger than 500, only 500
  // results are returned. [...] You cannot specify this parameter and the volume IDs parameter in
  // the same request."
  DescribeVolumes: { min: 5, max: 500, above: 'cap', idsParam: 'volumeSet' },
  // "This value can be between 5 and 1,000; if MaxResults is given a value larger than 1,000, only
  // 1,000 results are returned. [...] You cannot specify this parameter and the snapshot IDs
  // parameter in the same request."
  DescribeSnapshots: { min: 5, max: 1000, above: 'cap', idsParam: 'snapshotSet' },
  // Neither the model nor the reference gives a range or forbids ImageIds with MaxResults: the
  // sandbox keeps 1–1000 (not checked against EC2) and accepts both together.
  DescribeImages: { min: 1, max: 1000, above: 'reject' },
  // Shape DescribeReplaceRootVolumeTasksMaxResults: min 1, max 50 (a modelled constraint).
  DescribeReplaceRootVolumeTasks: { min: 1, max: 50, above: 'reject' },
};

function pageRule(op: string): PageRule {
  const rule = PAGE_RULES[op] as PageRule | undefined;
  if (!rule) {
    throw new Error(`no MaxResults rule for ${op}`);
  }
  return rule;
}

/** Refuses MaxResults together with explicit ids where EC2 does. */
export function checkPagingWithIds(op: string, ids: readonly string[], maxResults: number | undefined): void {
  const rule = pageRule(op);
  if (rule.idsParam && ids.length > 0 && maxResults !== undefined) {
    throw new Ec2Error(
      'InvalidParameterCombination',
      `The parameter ${rule.idsParam} cannot be used with the parameter maxResults`,
    );
  }
}

/** The page size for a request's MaxResults (refused or capped by the action's rule). */
export function pageSize(op: string, maxResults: number): number {
  const rule = pageRule(op);
  if (maxResults < rule.min) {
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than ${rule.min}.`,
    );
  }
  if (maxResults > rule.max) {
    if (rule.above === 'cap') {
      return rule.max;
    }
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value less than or equal to ${rule.max}.`,
    );
  }
  return maxResults;
}

interface TokenBody {
  op: string;
  after: number;
}

/**
 * Pages items ordered by `seq`, continuing after the last seq of the previous page. Without
 * MaxResults and NextToken everything is returned (EC2: "If this parameter is not used, then
 * DescribeVolumes returns all results").
 */
export function paginate<T extends { seq: number }>(
  items: readonly T[],
  op: string,
  maxResults: number | undefined,
  nextToken: string | undefined,
): Page<T> {
  const size = maxResults === undefined ? pageRule(op).max : pageSize(op, maxResults);
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
