/**
 * Fault injection for the sandbox's cloud APIs (never the control API): latency, random
 * throttling / server errors / dropped connections (before or after the request was performed) /
 * truncated answers, deterministic one-shot faults, failing regions, expired credentials, and
 * eventual consistency: newly created resources hidden from listings for a while. Each cloud's
 * backend answers a fault in its own words (see the sandbox README).
 */
import { seededRandom } from './blocks';

export interface RegionFault {
  /** The error code to answer with, e.g. "UnauthorizedOperation". */
  code: string;
  message: string;
  /** HTTP status, e.g. 403. */
  status: number;
}

export interface OneShotFaults {
  /** The next n matching requests are throttled (with a retry hint where the cloud gives one). */
  throttle?: number;
  /** The next n matching requests are throttled without a retry hint (as `throttle` where the cloud never gives one). */
  throttleNoRetryAfter?: number;
  /** The next n matching requests fail with 500 InternalError. */
  serverError?: number;
  /** The next n matching requests have their connection destroyed before being handled. */
  drop?: number;
  /** The next n matching requests are performed, then the connection is destroyed unanswered. */
  dropAfterCommit?: number;
  /** The next n matching requests are performed and answered 200 with a truncated body. */
  malformed?: number;
  /**
   * The next n matching long-running operations are accepted, then end failed (in the cloud's
   * way of reporting it). Ignored by clouds without such operations.
   */
  lroFailure?: number;
  /** Only requests for these actions (e.g. "CreateSnapshot", "ListChangedBlocks", "Snapshots_CreateOrUpdate") count. */
  actions?: string[];
}

export interface FaultConfig {
  /** Delay before every cloud API request is handled. */
  latencyMs?: number;
  /** Probability (0–1) that a request is throttled. */
  throttleRate?: number;
  /** Probability (0–1) that a request fails with a server error. */
  serverErrorRate?: number;
  /** Probability (0–1) that a request's connection is destroyed before it is handled. */
  dropRate?: number;
  /** Probability (0–1) that a request is performed, then its connection destroyed unanswered. */
  dropAfterCommitRate?: number;
  /** Probability (0–1) that a request is performed and answered 200 with a truncated body. */
  malformedRate?: number;
  /** Restricts the five rates above to these actions. */
  actions?: string[];
  /**
   * Eventual consistency: a resource created less than this long ago (ms) is missing from
   * listings (by id: not found; by filter or listing: left out). Clouds that do not model it ignore it.
   */
  visibilityLagMs?: number;
  /** Seed of the PRNG behind the rates (default 1), so a run is reproducible. */
  seed?: number;
  /** Deterministic one-shot faults, consumed as they fire. */
  next?: OneShotFaults;
  /** Every request for these regions fails with the given error. */
  regions?: Record<string, RegionFault>;
  /** Answer every request as if the caller's credentials had expired. */
  expired?: boolean;
}

/** What to do with one request, decided before it is handled. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'expired' }
  | { kind: 'region'; fault: RegionFault }
  | { kind: 'drop' }
  | { kind: 'throttle' }
  | { kind: 'throttleNoRetryAfter' }
  | { kind: 'serverError' }
  | { kind: 'dropAfterCommit' }
  | { kind: 'malformed' }
  | { kind: 'lroFailure' };

function clampRate(rate: number | undefined): number {
  return typeof rate === 'number' && Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0;
}

/** Validates and normalises a fault config received from outside (JSON). */
export function normaliseFaults(input: unknown): FaultConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError('the fault config must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const num = (key: string, value: unknown): number | undefined => {
    if (value === undefined) {return undefined;}
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`${key} must be a non-negative number`);
    }
    return value;
  };
  const strings = (key: string, value: unknown): string[] | undefined => {
    if (value === undefined) {return undefined;}
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new TypeError(`${key} must be an array of strings`);
    }
    return value as string[];
  };
  const config: FaultConfig = {
    latencyMs: num('latencyMs', raw.latencyMs),
    throttleRate: num('throttleRate', raw.throttleRate),
    serverErrorRate: num('serverErrorRate', raw.serverErrorRate),
    dropRate: num('dropRate', raw.dropRate),
    dropAfterCommitRate: num('dropAfterCommitRate', raw.dropAfterCommitRate),
    malformedRate: num('malformedRate', raw.malformedRate),
    actions: strings('actions', raw.actions),
    visibilityLagMs: num('visibilityLagMs', raw.visibilityLagMs),
    seed: num('seed', raw.seed),
    expired: raw.expired === undefined ? undefined : raw.expired === true,
  };
  if (raw.next !== undefined) {
    if (raw.next === null || typeof raw.next !== 'object') {
      throw new TypeError('next must be an object');
    }
    const next = raw.next as Record<string, unknown>;
    config.next = {
      throttle: num('next.throttle', next.throttle),
      throttleNoRetryAfter: num('next.throttleNoRetryAfter', next.throttleNoRetryAfter),
      serverError: num('next.serverError', next.serverError),
      drop: num('next.drop', next.drop),
      dropAfterCommit: num('next.dropAfterCommit', next.dropAfterCommit),
      malformed: num('next.malformed', next.malformed),
      lroFailure: num('next.lroFailure', next.lroFailure),
      actions: strings('next.actions', next.actions),
    };
  }
  if (raw.regions !== undefined) {
    if (raw.regions === null || typeof raw.regions !== 'object') {
      throw new TypeError('regions must be an object');
    }
    config.regions = {};
    for (const [region, fault] of Object.entries(raw.regions as Record<string, unknown>)) {
      const f = (fault ?? {}) as Record<string, unknown>;
      config.regions[region] = {
        code: typeof f.code === 'string' ? f.code : 'Unavailable',
        message: typeof f.message === 'string' ? f.message : 'The service is unavailable in this region.',
        status: typeof f.status === 'number' ? f.status : 503,
      };
    }
  }
  return config;
}

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = seededRandom(1);

  constructor(config?: FaultConfig) {
    if (config) {
      this.set(config);
    }
  }

  /** Replaces the whole configuration (one-shot counters included). */
  set(config: FaultConfig): void {
    this.config = structuredClone(config);
    this.random = seededRandom(config.seed ?? 1);
  }

  /** The current configuration, with the one-shot counters that are left. */
  get(): FaultConfig {
    return structuredClone(this.config);
  }

  latencyMs(): number {
    return Math.max(0, this.config.latencyMs ?? 0);
  }

  /** How long (ms) a new resource stays out of listings (0: at once). */
  visibilityLagMs(): number {
    return Math.max(0, this.config.visibilityLagMs ?? 0);
  }

  /**
   * Decides the fault (if any) for a request; consumes a one-shot counter when one fires.
   * `region` may list several names (e.g. a location and the account or project it belongs to).
   */
  decide(action: string, region: string | readonly string[]): FaultDecision {
    const c = this.config;
    if (c.expired) {
      return { kind: 'expired' };
    }
    const names = typeof region === 'string' ? [region] : region;
    const regionFault = names.map((name) => c.regions?.[name]).find((fault) => fault !== undefined);
    if (regionFault) {
      return { kind: 'region', fault: regionFault };
    }
    const next = c.next;
    if (next && (!next.actions || next.actions.includes(action))) {
      const kinds = ['drop', 'throttle', 'throttleNoRetryAfter', 'serverError', 'dropAfterCommit', 'malformed', 'lroFailure'] as const;
      for (const kind of kinds) {
        const left = next[kind] ?? 0;
        if (left > 0) {
          next[kind] = left - 1;
          return { kind };
        }
      }
    }
    if (!c.actions || c.actions.includes(action)) {
      if (this.random() < clampRate(c.dropRate)) {
        return { kind: 'drop' };
      }
      if (this.random() < clampRate(c.throttleRate)) {
        return { kind: 'throttle' };
      }
      if (this.random() < clampRate(c.serverErrorRate)) {
        return { kind: 'serverError' };
      }
      // Drawn only when set, so the sequence of the three rates above stays what it was.
      if (clampRate(c.dropAfterCommitRate) > 0 && this.random() < clampRate(c.dropAfterCommitRate)) {
        return { kind: 'dropAfterCommit' };
      }
      if (clampRate(c.malformedRate) > 0 && this.random() < clampRate(c.malformedRate)) {
        return { kind: 'malformed' };
      }
    }
    return { kind: 'none' };
  }
}
