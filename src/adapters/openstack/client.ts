/**
 * The small typed OpenStack client behind `OpenStackApi` (api.ts): Keystone tokens (auth.ts), the
 * catalog and version documents (catalog.ts), microversion headers, paging, the mapping of each
 * service's errors (errors.ts), retries where they are safe, a bound on requests in flight, and
 * TLS that trusts an explicit CA file (clouds.yaml's `cacert`) — never "ignore TLS".
 *
 * The transport is fetch-like (a request in, status, headers and body out) and injectable; the
 * default one is Node's https, because fetch cannot be given a CA file.
 *
 * Retries: a read (GET, HEAD) is retried with back-off and jitter, honouring `Retry-After`, when
 * it is throttled (429, 413, 503), when a service or a proxy answers another 5xx, or when the
 * connection fails. A request that changes something is retried only when it certainly did not
 * act: a rate limiter's refusal (429, or 413 with Retry-After) or a connection that was never
 * made. A reset, a timeout or a 5xx after it went out is reported, never repeated.
 *
 * Tokens: renewed before they expire (auth.ts). A 401 mid-operation renews the token once and
 * sends the request again when that is safe: always for a read, and for a request that changes
 * something only when the 401 is Keystone's auth middleware refusing the token (its
 * `WWW-Authenticate: Keystone uri=…` header), which answers before the service acts.
 */
import { clampInt, HttpBasics, sendOnce, type Attempt, type HttpClientOptions, type HttpRequest as AnyRequest, type HttpResponse, type Transport as AnyTransport } from '../http';
import { CloudError, hostOf, untrusted } from '../../model/errors';
import type { Answer, Method, OpenStackApi, Params, RequestOptions, Service } from './api';
import { TokenSource, type Credentials, type Token } from './auth';
import { catalogRegions, compareMicroversions, endpointOf, SERVICE_NAMES, serviceUrls, versionsOf, type Interface, type Versions } from './catalog';
import { answerError, redact, retryAfterMs, transportError, type Where } from './errors';

/** A request of this client, with the methods of `OpenStackApi`. */
export type HttpRequest = AnyRequest<Method>;
export type Transport = AnyTransport<Method>;
export type { HttpResponse };

export interface OpenStackClientOptions extends HttpClientOptions<Method> {
  credentials: Credentials;
  /** The region of this client; else the first of `regions`, else the catalog's first. */
  region?: string;
  /** The regions of the account (clouds.yaml's `region_name` list); else every region of the catalog. */
  regions?: string[];
  /** The catalog interface; `public` by default. */
  interface?: Interface;
  /** Items per page of a list (`limit`); 500 by default. */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 500;
/** A list that never ends (a server ignoring `marker`) stops here. */
const MAX_PAGES = 10_000;

type Mode = 'read' | 'write';

/** Creates the client of one set of credentials (its region's; `inRegion` gives the others). */
export function createClient(options: OpenStackClientOptions): OpenStackApi {
  return new RegionClient(new Connection(options), options.region);
}

/** What the clients of one account's regions share: the token, the transport, the bound, the version documents. */
class Connection {
  readonly tokens: TokenSource;
  readonly net: HttpBasics<Method>;
  readonly pageSize: number;
  readonly iface: Interface;
  /** Version documents by root URL (a failed read is not kept). */
  readonly versions = new Map<string, Promise<Versions | undefined>>();
  disposed = false;

  constructor(readonly options: OpenStackClientOptions) {
    this.pageSize = clampInt(options.pageSize, 1, 1000, DEFAULT_PAGE_SIZE);
    this.iface = options.interface ?? 'public';
    this.net = new HttpBasics(options);
    // A token request may be repeated like a read: another token is harmless.
    this.tokens = new TokenSource(
      options.credentials,
      async (url, body, signal) => this.exchange({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body }, { service: 'Keystone', url, what: 'POST /v3/auth/tokens', caConfigured: Boolean(options.ca) }, 'read', signal),
      this.net.now,
      (m) => this.log(m),
    );
  }

  log(message: string): void {
    this.options.log?.(redact(message));
  }

  dispose(): void {
    this.disposed = true;
    this.net.dispose();
  }

  /**
   * One request and its retries (see the module's comment); the last answer, whatever its status,
   * or throws `network` (or the signal's reason).
   */
  async exchange(request: Omit<HttpRequest, 'signal'>, where: Where, mode: Mode, signal?: AbortSignal): Promise<HttpResponse> {
    if (this.disposed) {
      throw new CloudError('unknown', 'This OpenStack connection was closed (its account was removed or reloaded); Retry.');
    }
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const release = await this.net.slots.take(signal);
      let outcome: Attempt;
      try {
        outcome = await sendOnce(this.net.transport, { ...request, headers: { accept: 'application/json', 'user-agent': 'snapkeeper', ...request.headers } }, this.net.timeoutMs, signal);
      } finally {
        release();
      }
      let wait: number | undefined;
      let why: string;
      if (outcome.ok) {
        const { status, headers } = outcome.response;
        wait = retryAfterMs(headers['retry-after'], this.net.now());
        const limited = status === 429 || (status === 413 && wait !== undefined);
        const passing = status === 413 || status === 503 || status >= 500;
        if (!(limited || (mode === 'read' && passing)) || attempt >= this.net.maxAttempts) {
          return outcome.response;
        }
        why = `HTTP ${status}`;
      } else {
        const error = transportError(outcome.failure, where);
        if (!(mode === 'read' || !outcome.sent) || attempt >= this.net.maxAttempts) {
          throw error;
        }
        why = error.code ?? 'connection failed';
      }
      const delay = this.net.backoff(attempt, wait);
      this.log(`OpenStack ${where.service} ${where.what}: ${why}; attempt ${attempt + 1} of ${this.net.maxAttempts} in ${delay} ms.`);
      await this.net.sleep(delay, signal);
    }
  }
}

/** The client of one region. */
class RegionClient implements OpenStackApi {
  constructor(
    private readonly c: Connection,
    private chosen?: string,
  ) {}

  /** The region: the one chosen, else (once authenticated) the account's first; '' before that. */
  get region(): string {
    return this.chosen ?? '';
  }

  inRegion(region: string): OpenStackApi {
    return new RegionClient(this.c, region);
  }

  dispose(): void {
    this.c.dispose();
  }

  async regions(signal?: AbortSignal): Promise<string[]> {
    const token = await this.c.tokens.get(signal);
    return this.c.options.regions?.length ? [...this.c.options.regions] : catalogRegions(token.catalog);
  }

  async project(signal?: AbortSignal): Promise<{ id: string; name?: string }> {
    return { ...(await this.c.tokens.get(signal)).project };
  }

  private regionOf(token: Token): string {
    this.chosen ??= this.c.options.regions?.[0] ?? catalogRegions(token.catalog)[0] ?? '';
    return this.chosen;
  }

  private urls(service: Service, token: Token): { base: string; root: string; versioned: string } {
    const url = endpointOf(token.catalog, service, this.regionOf(token), this.c.iface);
    try {
      return serviceUrls(url, service, token.project.id);
    } catch {
      throw new CloudError('malformed', `The catalog's ${SERVICE_NAMES[service]} endpoint "${untrusted(url, 120)}" is not a URL.`);
    }
  }

  async maxMicroversion(service: Service, signal?: AbortSignal): Promise<string | undefined> {
    return (await this.versions(service, signal))?.max;
  }

  /**
   * The version document of the service (its root's, else its versioned URL's), read once per
   * root; undefined when neither describes the version (a failed read is not kept).
   */
  private async versions(service: Service, signal?: AbortSignal): Promise<Versions | undefined> {
    const token = await this.c.tokens.get(signal);
    const { root, versioned } = this.urls(service, token);
    const cached = this.c.versions.get(root);
    if (cached) {
      return cached;
    }
    const discovery = (async () => {
      for (const url of [`${root}/`, versioned]) {
        const where: Where = { service: SERVICE_NAMES[service], url, what: 'GET (versions)', caConfigured: Boolean(this.c.options.ca) };
        const answer = await this.c.exchange({ method: 'GET', url, headers: { 'x-auth-token': token.value } }, where, 'read', signal);
        // Cinder's root answers 300 Multiple Choices with the document.
        if (answer.status === 200 || answer.status === 300) {
          const found = versionsOf(parseJson(answer.body), service);
          if (found) {
            return found;
          }
        }
      }
      this.c.log(`OpenStack ${SERVICE_NAMES[service]} at ${hostOf(root)}: no version document; its microversions are unknown.`);
      return undefined;
    })();
    this.c.versions.set(root, discovery);
    discovery.catch(() => this.c.versions.delete(root));
    return discovery;
  }

  /** Refuses a microversion above the cloud's maximum (or below its minimum), naming both. */
  private async checkMicroversion(service: Service, wanted: string, purpose: string | undefined, signal?: AbortSignal): Promise<void> {
    if (service !== 'compute' && service !== 'volumev3') {
      throw new CloudError('invalid', `${SERVICE_NAMES[service]} has no microversions (asked for ${wanted}).`);
    }
    const v = await this.versions(service, signal);
    const name = SERVICE_NAMES[service];
    const forWhat = purpose ? ` for ${purpose}` : '';
    if (!v) {
      return;
    }
    if (!v.max || compareMicroversions(wanted, v.max) > 0) {
      throw new CloudError(
        'invalid',
        `Needs ${name} microversion ${wanted}${forWhat}; this cloud offers ${v.max ? `up to ${v.max}` : 'no microversions (the base version only)'}.`,
        { code: 'MicroversionUnsupported' },
      );
    }
    if (v.min && compareMicroversions(wanted, v.min) < 0) {
      throw new CloudError('invalid', `Needs ${name} microversion ${wanted}${forWhat}; this cloud offers ${v.min} to ${v.max}.`, { code: 'MicroversionUnsupported' });
    }
  }

  async request<T>(service: Service, method: Method, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const { signal } = options;
    const mode: Mode = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    const name = SERVICE_NAMES[service];
    if (options.microversion) {
      await this.checkMicroversion(service, options.microversion, options.purpose, signal);
    }
    const what = `${method} ${path.replace(/\?.*$/, '')}`;
    for (let renewed = false; ; renewed = true) {
      const token = await this.c.tokens.get(signal);
      const { base } = this.urls(service, token);
      const url = `${base}${path.startsWith('/') ? '' : '/'}${path}${queryOf(options.query, path)}`;
      const where: Where = { service: name, url: base, what, caConfigured: Boolean(this.c.options.ca) };
      const headers: Record<string, string> = { 'x-auth-token': token.value, ...microversionHeaders(service, options.microversion), ...options.headers };
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
      }
      const response = await this.c.exchange({ method, url, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) }, where, mode, signal);
      if (response.status >= 200 && response.status < 300) {
        return { status: response.status, headers: response.headers, body: this.decode<T>(response, where) };
      }
      if (response.status === 401 && !renewed) {
        this.c.tokens.invalidate(token.value);
        const middleware = /^\s*keystone\b/i.test(response.headers['www-authenticate'] ?? '');
        if (mode === 'read' || middleware) {
          this.c.log(`OpenStack ${name} ${what}: the token was refused (401); renewing it and sending the request again.`);
          continue;
        }
        this.c.log(`OpenStack ${name} ${what}: the token was refused (401); it is renewed, but the request is not repeated: it may have acted.`);
      }
      throw answerError(response.status, response.body, response.headers, where);
    }
  }

  private decode<T>(response: HttpResponse, where: Where): T {
    if (response.body.trim() === '') {
      return undefined as T;
    }
    const json = parseJson(response.body);
    if (json === undefined) {
      throw new CloudError('malformed', `${where.service} at ${hostOf(where.url)} answered ${where.what} with a response that could not be read: it is not JSON (cut short?).`);
    }
    return json as T;
  }

  async list<T>(service: Service, path: string, key: string, params: Params = {}, signal?: AbortSignal, onPage?: (items: T[]) => void, microversion?: string): Promise<T[]> {
    const items: T[] = [];
    let query: Params = { limit: this.c.pageSize, ...params };
    const markers = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      const { body } = await this.request<Record<string, unknown> | undefined>(service, 'GET', path, { query, signal, microversion });
      const bad = (why: string) => new CloudError('malformed', `${SERVICE_NAMES[service]} answered the list ${path} with a response that could not be read: ${why}.`);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw bad('it is not an object');
      }
      const found = body[key];
      if (found !== undefined && !Array.isArray(found)) {
        throw bad(`its "${untrusted(key, 60)}" is not a list`);
      }
      const pageItems = (found ?? []) as T[];
      items.push(...pageItems);
      onPage?.(pageItems);
      const next = nextQuery(body, key);
      if (!next || pageItems.length === 0) {
        return items;
      }
      const marker = String(next.marker ?? '');
      if (markers.has(marker)) {
        throw bad(`its next page repeats the marker ${untrusted(marker, 80)}`);
      }
      markers.add(marker);
      query = { limit: this.c.pageSize, ...next };
    }
    throw new CloudError('malformed', `${SERVICE_NAMES[service]} did not end the list ${path} after ${MAX_PAGES} pages.`);
  }
}

/**
 * The query of the next page: from the `rel: next` link of `<key>_links` (Nova, Cinder, Neutron)
 * or Glance's `next` (a path). Only the query is taken, never the host: a link may name an
 * internal host behind the cloud's proxy.
 */
export function nextQuery(body: Record<string, unknown>, key: string): Params | undefined {
  let href: string | undefined;
  const links = body[`${key}_links`];
  if (Array.isArray(links)) {
    const next = links.find((l: unknown) => typeof l === 'object' && l !== null && (l as { rel?: unknown }).rel === 'next') as { href?: unknown } | undefined;
    href = typeof next?.href === 'string' ? next.href : undefined;
  } else if (typeof body.next === 'string') {
    href = body.next;
  }
  if (!href) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(href, 'http://next.invalid/');
  } catch {
    return undefined;
  }
  const query: Params = {};
  url.searchParams.forEach((value, name) => {
    query[name] = value;
  });
  return query.marker === undefined ? undefined : query;
}

function queryOf(params: Params | undefined, path: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined) {
      q.append(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `${path.includes('?') ? '&' : '?'}${s}` : '';
}

/** Nova takes the microversion in both headers (the old one for clouds before 2.27); Cinder in the new one. */
function microversionHeaders(service: Service, microversion: string | undefined): Record<string, string> {
  if (!microversion) {
    return {};
  }
  return service === 'compute'
    ? { 'openstack-api-version': `compute ${microversion}`, 'x-openstack-nova-api-version': microversion }
    : { 'openstack-api-version': `volume ${microversion}` };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
