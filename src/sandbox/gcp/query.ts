/**
 * Compute Engine list parameters: `filter` expressions (`name = "x"`, `labels.env != prod`,
 * `sourceDisk = "…/disks/d"`, `name eq 'snap-.*'`, `labels.k:*`, `(a) AND (b)`, `(a) OR (b)`),
 * `orderBy` (`name`, `creationTimestamp desc`) and `maxResults`/`pageToken` paging.
 */
import { invalid } from './errors';

type Node =
  | { kind: 'cmp'; field: string; op: string; value: string }
  | { kind: 'and' | 'or'; items: Node[] }
  | { kind: 'not'; item: Node };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          j++;
        }
        value += text[j];
        j++;
      }
      if (j >= text.length) {
        throw invalid(`Invalid value for field 'filter': '${text}'. Invalid list filter expression.`);
      }
      tokens.push(`\u0000${value}`);
      i = j + 1;
    } else if (text.startsWith('!=', i)) {
      tokens.push('!=');
      i += 2;
    } else if (c === '=' || c === ':' || c === '<' || c === '>') {
      const two = text.slice(i, i + 2);
      if (two === '<=' || two === '>=') {
        tokens.push(two);
        i += 2;
      } else {
        tokens.push(c);
        i++;
      }
    } else {
      let j = i;
      while (j < text.length && !/[\s()=!:<>]/.test(text[j])) {
        j++;
      }
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const OPS = new Set(['=', '!=', ':', '<', '>', '<=', '>=', 'eq', 'ne']);

function parse(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const fail = (): never => {
    throw invalid(`Invalid value for field 'filter': '${text}'. Invalid list filter expression.`);
  };
  const literal = (token: string | undefined): string => {
    if (token === undefined || token === '(' || token === ')') {
      return fail();
    }
    return token.startsWith('\u0000') ? token.slice(1) : token;
  };
  const term = (): Node => {
    const token = tokens[pos];
    if (token === '(') {
      pos++;
      const inner = expr();
      if (tokens[pos] !== ')') {
        fail();
      }
      pos++;
      return inner;
    }
    if (token === 'NOT' || token === '-') {
      pos++;
      return { kind: 'not', item: term() };
    }
    const field = literal(tokens[pos++]);
    const op = tokens[pos++];
    if (op === undefined || !OPS.has(op)) {
      return fail();
    }
    const value = literal(tokens[pos++]);
    return { kind: 'cmp', field, op, value };
  };
  const expr = (): Node => {
    let node = term();
    while (pos < tokens.length && tokens[pos] !== ')') {
      let kind: 'and' | 'or' = 'and';
      if (tokens[pos] === 'AND' || tokens[pos] === 'OR') {
        kind = tokens[pos] === 'AND' ? 'and' : 'or';
        pos++;
      }
      const next = term();
      node = node.kind === kind ? { kind, items: [...node.items, next] } : { kind, items: [node, next] };
    }
    return node;
  };
  const node = expr();
  if (pos !== tokens.length) {
    fail();
  }
  return node;
}

function values(item: unknown, path: string[]): unknown[] {
  if (path.length === 0) {
    return Array.isArray(item) ? item : [item];
  }
  if (Array.isArray(item)) {
    return item.flatMap((x) => values(x, path));
  }
  if (item === null || typeof item !== 'object') {
    return [];
  }
  return values((item as Record<string, unknown>)[path[0]], path.slice(1));
}

/** URLs compare by their `projects/…` part, so a filter may name a resource on any host. */
function normalise(text: string): string {
  const at = text.indexOf('projects/');
  return at > 0 && text[at - 1] === '/' ? text.slice(at) : text;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function compare(node: Extract<Node, { kind: 'cmp' }>, item: unknown): boolean {
  const found = values(item, node.field.split('.'));
  const target = normalise(node.value);
  switch (node.op) {
    case ':':
      return node.value === '*' ? found.some((v) => v !== undefined && v !== null) : found.some((v) => wildcard(target).test(normalise(String(v))));
    case '=':
      return found.some((v) => wildcard(target).test(normalise(String(v))));
    case '!=':
      return !found.some((v) => wildcard(target).test(normalise(String(v))));
    case 'eq':
    case 'ne': {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${node.value})$`);
      } catch {
        throw invalid(`Invalid value for field 'filter': '${node.value}'. Invalid regular expression.`);
      }
      const match = found.some((v) => re.test(String(v)) || re.test(normalise(String(v))));
      return node.op === 'eq' ? match : !match;
    }
    default: {
      const n = Number(node.value);
      return found.some((v) => {
        const x = Number(v);
        const [a, b] = Number.isFinite(x) && Number.isFinite(n) ? [x, n] : [String(v), node.value];
        return node.op === '<' ? a < b : node.op === '>' ? a > b : node.op === '<=' ? a <= b : a >= b;
      });
    }
  }
}

function evaluate(node: Node, item: unknown): boolean {
  switch (node.kind) {
    case 'cmp':
      return compare(node, item);
    case 'and':
      return node.items.every((n) => evaluate(n, item));
    case 'or':
      return node.items.some((n) => evaluate(n, item));
    default:
      return !evaluate(node.item, item);
  }
}

/** A predicate for a `filter` parameter (everything passes without one). */
export function listFilter(filter: string | null): (item: unknown) => boolean {
  if (!filter || filter.trim() === '') {
    return () => true;
  }
  const node = parse(filter);
  return (item) => evaluate(node, item);
}

/** Sorts by `orderBy` (`name` or `creationTimestamp desc`); others are refused as by Compute. */
export function applyOrder<T extends Record<string, unknown>>(items: T[], orderBy: string | null): T[] {
  if (!orderBy) {
    return items;
  }
  const m = /^\s*(name|creationTimestamp)(\s+(asc|desc))?\s*$/.exec(orderBy);
  if (!m) {
    throw invalid(`Invalid value for field 'orderBy': '${orderBy}'. Sorting is only supported by 'name' or 'creationTimestamp desc'.`);
  }
  const key = m[1];
  const sign = m[3] === 'desc' ? -1 : 1;
  // Timestamps carry one offset, so their text sorts as their time does (within a second's precision).
  return [...items].sort((a, b) => (String(a[key]) < String(b[key]) ? -sign : String(a[key]) > String(b[key]) ? sign : 0));
}

export interface Page {
  offset: number;
  size: number;
}

/**
 * maxResults and the offset a pageToken stands for. Compute Engine's discovery document (e.g.
 * snapshots.list, as in gcloud's generated `compute_v1_messages.py`): "Acceptable values are `0`
 * to `500`, inclusive. (Default: `500`)" — a value outside is a 400 `invalid`; gcloud itself
 * clamps its page size to 500 before sending (`api_lib/compute/base_classes.py`,
 * `constants.MAX_RESULTS_PER_PAGE`). 0 means the default. The sandbox's `pageSize` (500 unless a
 * test lowers it) caps the page further, as the service may answer fewer items than asked.
 */
export function pageOf(query: URLSearchParams, pageSize: number): Page {
  const raw = query.get('maxResults');
  let size = pageSize;
  if (raw !== null && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw invalid(`Invalid value for field 'maxResults': '${raw}'. Must be a non-negative integer.`);
    }
    if (n > 500) {
      throw invalid(`Invalid value for field 'maxResults': '${raw}'. Must be less than or equal to 500`);
    }
    size = n === 0 ? pageSize : Math.min(n, pageSize);
  }
  const token = query.get('pageToken');
  let offset = 0;
  if (token) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const m = /^sandbox-page:(\d+)$/.exec(decoded);
    if (!m) {
      throw invalid(`Invalid value for field 'pageToken': '${token}'. Invalid page token.`);
    }
    offset = Number(m[1]);
  }
  return { offset, size };
}

export function pageToken(offset: number): string {
  return Buffer.from(`sandbox-page:${offset}`, 'utf8').toString('base64url');
}
