/**
 * EC2 Query request parameters: a flat `Name.N.Sub` form, read through typed accessors.
 * Lists are 1-based (`SnapshotId.1`, `Filter.2.Value.1`) and read in numeric order.
 */
import { Ec2Error } from './errors';

export class QueryParams {
  private constructor(
    private readonly values: ReadonlyMap<string, string>,
    private readonly prefix: string,
  ) {}

  static fromForm(text: string): QueryParams {
    const values = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(text)) {
      values.set(key, value);
    }
    return new QueryParams(values, '');
  }

  static fromEntries(entries: Iterable<[string, string]>): QueryParams {
    return new QueryParams(new Map(entries), '');
  }

  has(name: string): boolean {
    return this.values.has(this.prefix + name);
  }

  str(name: string): string | undefined {
    return this.values.get(this.prefix + name);
  }

  bool(name: string): boolean | undefined {
    const raw = this.str(name);
    if (raw === undefined) {
      return undefined;
    }
    const lower = raw.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new Ec2Error('InvalidParameterValue', `Invalid value '${raw}' for ${name}: expecting true or false`);
    }
    return lower === 'true';
  }

  int(name: string): number | undefined {
    const raw = this.str(name);
    if (raw === undefined) {
      return undefined;
    }
    if (!/^-?\d+$/.test(raw.trim())) {
      throw new Ec2Error('InvalidParameterValue', `Invalid value '${raw}' for ${name}`);
    }
    return Number(raw.trim());
  }

  /** The distinct top-level parameter names (`Filter` for `Filter.1.Name`), in request order. */
  names(): string[] {
    const names = new Set<string>();
    for (const key of this.values.keys()) {
      if (key.startsWith(this.prefix)) {
        names.add(key.slice(this.prefix.length).split('.')[0]);
      }
    }
    return [...names];
  }

  /** The values of `Name.1`, `Name.2`, … in numeric order. */
  list(name: string): string[] {
    return this.indices(name)
      .map((n) => this.str(`${name}.${n}`))
      .filter((v): v is string => v !== undefined);
  }

  /** Views of `Name.1.…`, `Name.2.…`, … in numeric order. */
  structs(name: string): QueryParams[] {
    return this.indices(name).map((n) => this.sub(`${name}.${n}`));
  }

  /** A view of `Name.…`. */
  sub(name: string): QueryParams {
    return new QueryParams(this.values, `${this.prefix}${name}.`);
  }

  private indices(name: string): number[] {
    const head = `${this.prefix}${name}.`;
    const found = new Set<number>();
    for (const key of this.values.keys()) {
      if (key.startsWith(head)) {
        const match = /^(\d+)(\.|$)/.exec(key.slice(head.length));
        if (match) {
          found.add(Number(match[1]));
        }
      }
    }
    return [...found].sort((a, b) => a - b);
  }
}
