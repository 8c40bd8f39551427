/**
 * The small typed CloudStack client behind `CloudStackApi` (api.ts): signed requests (signing.ts),
 * CloudStack's paging, async job polls, the mapping of its answers to CloudError (errors.ts),
 * retries where they are safe, a bound on requests in flight, and TLS that trusts an explicit CA
 * file for self-signed endpoints (never "ignore TLS").
 *
 * Retries: a read (`list*`, `queryAsyncJobResult`) is retried with back-off and jitter when it is
 * throttled, when the server or a proxy answers a passing 5xx, or when the connection fails. A
 * command that may change something is retried only when it certainly did not run: a throttled
 * answer (CloudStack's API limit refuses before dispatching the command), a GET refused with 405
 * (sent again as a POST), or a connection that was never made. A reset or timeout after the
 * request went out is reported, never repeated: the command may have started.
 */
import { clampInt, HttpBasics, sendOnce, type HttpClientOptions, type HttpRequest as AnyRequest, type HttpResponse, type Transport as AnyTransport } from '../http';
import { CloudError, hostOf, isCloudError, untrusted } from '../../model/errors';
import type { CloudStackApi, JobResult, JobStart, Params } from './api';
import { answerError, redactQuery, retryAfterMs, transportError, type ErrorBody, type Where } from './errors';
import { signRequest, SIGNATURE_TTL_MS, type Keys } from './signing';

/** A request of this client: CloudStack takes GET, and POST for long or enforced ones. */
export type HttpRequest = AnyRequest<'GET' | 'POST'>;
export type Transport = AnyTransport<'GET' | 'POST'>;
export type { HttpResponse };

export interface CloudStackClientOptions extends HttpClientOptions<'GET' | 'POST'> {
  /** The API's full URL, e.g. `https://cloud.example.org/client/api`. */
  endpoint: string;
  apiKey: string;
  secretKey: string;
  /** Items per page of a list (CloudStack's `pagesize`); 500 by default. */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 500;
/** Longer queries go as a POST form (CloudStack takes both; proxies limit URL lengths). */
const MAX_GET_QUERY = 2000;
/** A list that never ends (a server ignoring `page`) stops here. */
const MAX_PAGES = 10_000;

/**
 * List commands that take `listall=true` (CloudStack's BaseListDomainResourcesCmd and its
 * subclasses): without it they list only the caller's own resources, not those of its projects
 * or, for an admin, of the accounts it manages.
 */
const LISTALL_COMMANDS = new Set(
  ['listVirtualMachines', 'listVolumes', 'listSnapshots', 'listVMSnapshot', 'listTemplates', 'listIsos', 'listTags', 'listAsyncJobs', 'listNetworks', 'listEvents'].map((c) =>
    c.toLowerCase(),
  ),
);

/** Commands that only read: safe to repeat. */
function isRead(command: string): boolean {
  return /^(list|query)/i.test(command);
}

type Mode = 'read' | 'write';

/** Creates the client of one endpoint and key pair. */
export function createClient(options: CloudStackClientOptions): CloudStackApi {
  return new CloudStackClient(options);
}

class CloudStackClient implements CloudStackApi {
  private readonly keys: Keys;
  /** Items per page: the option, lowered to the server's largest page when it refuses ours. */
  private pageSize: number;
  private readonly net: HttpBasics<'GET' | 'POST'>;
  private disposed = false;
  /** The server refused a GET of a command that changes things (it enforces POST for those): POST them from then on. */
  private postWrites = false;

  constructor(private readonly options: CloudStackClientOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new CloudError('invalid', `"${untrusted(options.endpoint, 120)}" is not a URL: the endpoint is CloudStack's API URL, e.g. https://cloud.example.org/client/api`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
      throw new CloudError('invalid', `The endpoint must be an http:// or https:// URL without a query, e.g. https://cloud.example.org/client/api (got ${untrusted(options.endpoint, 120)})`);
    }
    this.keys = { apiKey: options.apiKey, secretKey: options.secretKey };
    this.pageSize = clampInt(options.pageSize, 1, 500, DEFAULT_PAGE_SIZE);
    this.net = new HttpBasics(options);
  }

  async call<T>(command: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
    return (await this.send(command, params, isRead(command) ? 'read' : 'write', signal)) as T;
  }

  /**
   * Every page of a list. The first answer's `count` says how many pages there are: the rest are
   * asked at once (bounded by the client's concurrency), so an account of many pages takes about
   * as long as its slowest few pages, not their sum; they are handed to `onPage` in page order.
   * Items created meanwhile (a full last page and a larger `count`) are read on, page by page.
   */
  async list<T>(command: string, key: string, params: Params = {}, signal?: AbortSignal, onPage?: (items: T[]) => void): Promise<T[]> {
    const base: Params = { ...(LISTALL_COMMANDS.has(command.toLowerCase()) ? { listall: true } : {}), ...params };
    const items: T[] = [];
    /** Adds one page; true when the listing is complete. */
    const take = (answer: Record<string, unknown>): boolean => {
      const found = listOf(answer, key);
      if (found === undefined) {
        // CloudStack leaves the list key out when there is nothing (`{"listvolumesresponse":{}}`).
        return true;
      }
      if (!Array.isArray(found)) {
        throw this.malformed(command, `its "${untrusted(key, 60)}" is not a list`);
      }
      items.push(...(found as T[]));
      onPage?.(found as T[]);
      const count = typeof answer.count === 'number' ? answer.count : undefined;
      return found.length < this.pageSize || (count !== undefined && items.length >= count);
    };
    const first = await this.page(command, base, 1, signal);
    if (take(first)) {
      return items;
    }
    let next = 2;
    const count = typeof first.count === 'number' ? first.count : undefined;
    if (count !== undefined) {
      const last = Math.min(MAX_PAGES, Math.ceil(count / this.pageSize));
      const pages: number[] = [];
      for (let page = 2; page <= last; page++) {
        pages.push(page);
      }
      const answers = pages.map((page) => this.page(command, base, page, signal));
      // A failed page fails the listing; the others' answers are still awaited so none is left unhandled.
      const settled = await Promise.allSettled(answers);
      for (const result of settled) {
        if (result.status === 'rejected') {
          throw result.reason;
        }
      }
      for (const result of settled) {
        next++;
        if (take((result as PromiseFulfilledResult<Record<string, unknown>>).value)) {
          return items;
        }
      }
    }
    for (; next <= MAX_PAGES; next++) {
      if (take(await this.page(command, base, next, signal))) {
        return items;
      }
    }
    throw this.malformed(command, `it did not end after ${MAX_PAGES} pages`);
  }

  /**
   * One page. A server whose `default.page.size` is below ours refuses the page size ("Page size
   * can't exceed max allowed page size value: 200"): this client then pages with the server's.
   */
  private async page(command: string, params: Params, page: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
    for (;;) {
      try {
        return await this.send(command, { ...params, page, pagesize: this.pageSize }, 'read', signal);
      } catch (e) {
        const max = isCloudError(e) && e.kind === 'invalid' ? /max allowed page size value:?\s*(\d+)/i.exec(e.message) : null;
        const allowed = max ? Number(max[1]) : NaN;
        if (page !== 1 || !(allowed >= 1 && allowed < this.pageSize)) {
          throw e;
        }
        this.log(`CloudStack ${command}: the server's largest page is ${allowed} items; paging with that.`);
        this.pageSize = allowed;
      }
    }
  }

  async start(command: string, params: Params = {}, signal?: AbortSignal): Promise<JobStart> {
    const answer = await this.send(command, params, 'write', signal);
    if (typeof answer.jobid !== 'string' || answer.jobid === '') {
      throw this.malformed(command, 'it has no job id');
    }
    return { jobid: answer.jobid, ...(typeof answer.id === 'string' ? { id: answer.id } : {}) };
  }

  async job(jobId: string, signal?: AbortSignal): Promise<JobResult> {
    const answer = await this.send('queryAsyncJobResult', { jobid: jobId }, 'read', signal);
    const status = answer.jobstatus;
    if (status !== 0 && status !== 1 && status !== 2) {
      throw this.malformed('queryAsyncJobResult', 'its jobstatus is not 0, 1 or 2');
    }
    if (answer.jobresult !== undefined && (typeof answer.jobresult !== 'object' || answer.jobresult === null || Array.isArray(answer.jobresult))) {
      throw this.malformed('queryAsyncJobResult', 'its jobresult is not an object');
    }
    return { ...(answer as unknown as JobResult), jobid: typeof answer.jobid === 'string' ? answer.jobid : jobId, jobstatus: status };
  }

  dispose(): void {
    this.disposed = true;
    this.net.dispose();
  }

  // --- one command, with its retries ----------------------------------------------------------

  private async send(command: string, params: Params, mode: Mode, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (this.disposed) {
      throw new CloudError('unknown', 'This CloudStack connection was closed (its account was removed or reloaded); Retry.');
    }
    const where: Where = { endpoint: this.options.endpoint, command, caConfigured: Boolean(this.options.ca) };
    let post = mode === 'write' && this.postWrites;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let outcome: Outcome;
      const release = await this.net.slots.take(signal);
      try {
        outcome = await this.attempt(command, params, post, where, signal);
      } finally {
        release();
      }
      if (outcome.ok) {
        return outcome.answer;
      }
      const { error } = outcome;
      if (error.code === '405' && !post) {
        // A server enforcing POST for commands that change things refused the GET before running it.
        post = true;
        this.postWrites ||= mode === 'write';
        this.log(`CloudStack ${command}: GET refused (405); sending it as a POST${mode === 'write' ? ', and the next commands that change things too' : ''}.`);
        continue;
      }
      const retry = attempt < this.net.maxAttempts && this.mayRetry(error, mode, outcome.sent);
      if (!retry) {
        if (attempt > 1) {
          this.log(`CloudStack ${command} failed (${error.kind}${error.code ? ` ${error.code}` : ''}): ${redactQuery(error.message)}`);
        }
        throw error;
      }
      const delay = this.net.backoff(attempt, outcome.retryAfterMs);
      this.log(`CloudStack ${command}: ${error.kind}${error.code ? ` (${error.code})` : ''}; attempt ${attempt + 1} of ${this.net.maxAttempts} in ${delay} ms.`);
      await this.net.sleep(delay, signal);
    }
  }

  /** Reads may be repeated after any passing failure; other commands only when they certainly did not run. */
  private mayRetry(error: CloudError, mode: Mode, sent: boolean): boolean {
    if (error.kind === 'throttled') {
      return true;
    }
    if (error.kind === 'network') {
      return mode === 'read' || !sent;
    }
    // A passing 5xx: CloudStack's internal error or an unavailable resource, a proxy's 502/503/504.
    // Not the answers that will not change (no capacity, a limit reached, in use: 533, 532, 535–537).
    return mode === 'read' && error.kind === 'server' && error.code !== '533';
  }

  /** One signed request and its answer, decoded: the object inside `<command>response`, or why not. */
  private async attempt(command: string, params: Params, post: boolean, where: Where, signal?: AbortSignal): Promise<Outcome> {
    signal?.throwIfAborted();
    const signed = signRequest(command, params, this.keys, new Date(this.net.now()), SIGNATURE_TTL_MS);
    const asPost = post || signed.query.length > MAX_GET_QUERY;
    const sent = await sendOnce(
      this.net.transport,
      {
        method: asPost ? 'POST' : 'GET',
        url: asPost ? this.options.endpoint : `${this.options.endpoint}?${signed.query}`,
        headers: {
          accept: 'application/json',
          'user-agent': 'snapkeeper',
          ...(asPost ? { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } : {}),
        },
        ...(asPost ? { body: signed.query } : {}),
      },
      this.net.timeoutMs,
      signal,
    );
    if (!sent.ok) {
      return { ok: false, error: transportError(sent.failure, where), sent: sent.sent };
    }
    return this.decode(command, sent.response, where);
  }

  private decode(command: string, response: HttpResponse, where: Where): Outcome {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    const inner = json === undefined ? undefined : unwrap(json, command);
    const failed = response.status !== 200 || (inner !== undefined && inner.errorcode !== undefined && inner.errortext !== undefined);
    if (failed) {
      const body: ErrorBody | undefined = inner;
      const date = Date.parse(response.headers.date ?? '');
      const error = answerError(response.status, body, where, { skewMs: Number.isNaN(date) ? undefined : date - this.net.now(), ttlMs: SIGNATURE_TTL_MS }, response.headers['retry-after']);
      return { ok: false, error, sent: true, retryAfterMs: retryAfterMs(untrusted(body?.errortext), response.headers['retry-after']) };
    }
    if (inner === undefined) {
      const page = /^\s*</.test(response.body) || /text\/html/i.test(response.headers['content-type'] ?? '');
      return {
        ok: false,
        sent: true,
        error: page
          ? new CloudError('malformed', `${this.options.endpoint} answered with a web page, not CloudStack's API: check the endpoint URL (CloudStack's API is usually at http(s)://<server>:8080/client/api).`)
          : this.malformed(command, json === undefined ? 'it is not JSON (cut short?)' : `it has no "${command.toLowerCase()}response"`),
      };
    }
    return { ok: true, answer: inner };
  }

  private malformed(command: string, why: string): CloudError {
    return new CloudError('malformed', `CloudStack at ${hostOf(this.options.endpoint)} answered ${command} with a response that could not be read: ${why}.`);
  }

  private log(message: string): void {
    this.options.log?.(redactQuery(message));
  }
}

type Outcome = { ok: true; answer: Record<string, unknown> } | { ok: false; error: CloudError; sent: boolean; retryAfterMs?: number };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The object inside `<command>response`. CloudStack names most answers after the command; some
 * differ (and an error may come as `errorresponse`): then the one key ending in `response`.
 */
function unwrap(json: unknown, command: string): Record<string, unknown> | undefined {
  if (!isObject(json)) {
    return undefined;
  }
  const named = json[`${command.toLowerCase()}response`];
  if (isObject(named)) {
    return named;
  }
  const others = Object.keys(json).filter((k) => k.toLowerCase().endsWith('response') && isObject(json[k]));
  return others.length === 1 ? (json[others[0]] as Record<string, unknown>) : undefined;
}

/** The list under `key` (CloudStack's own spelling first, then any case), or undefined when absent. */
function listOf(answer: Record<string, unknown>, key: string): unknown {
  if (key in answer) {
    return answer[key];
  }
  const other = Object.keys(answer).find((k) => k.toLowerCase() === key.toLowerCase());
  return other === undefined ? undefined : answer[other];
}

/** For tests and callers: true when `e` is the abort of a request (passed through untranslated). */
export function isAbortError(e: unknown): boolean {
  return !isCloudError(e) && typeof e === 'object' && e !== null && (e as { name?: string }).name === 'AbortError';
}
