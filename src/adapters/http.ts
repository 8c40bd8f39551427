/**
 * HTTP plumbing shared by the adapters that speak a cloud's REST API themselves, without an SDK:
 * the request and answer shapes of an injectable transport, the default transport over Node's
 * http/https (fetch cannot be given a CA file) that trusts an explicit CA besides the system's,
 * one attempt bounded by a timeout, a bound on requests in flight, and the waits between retries.
 *
 * What a cloud says and when a request may be repeated stay in that cloud's own client: this
 * module only moves bytes, measures time and names no cloud.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { CloudError } from '../model/errors';

/** One request; `M` narrows the methods a client sends. */
export interface HttpRequest<M extends string = string> {
  method: M;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * Sends one request. Rejects with an error carrying a Node `code` (ECONNREFUSED, a TLS code…) and
 * `sent: false` when the request certainly never left; with the signal's reason when aborted.
 */
export type Transport<M extends string = string> = (request: HttpRequest<M>) => Promise<HttpResponse>;

/**
 * The options every client built on this module takes, besides its cloud's own (credentials, page
 * size…): the CA, the bounds, the retries and, for tests, the clock, the waits and the transport.
 */
export interface HttpClientOptions<M extends string = string> {
  /** PEM text of a CA to trust over https, besides the system's (a self-signed endpoint's CA). */
  ca?: string;
  /** Requests in flight at once; 4 by default. */
  maxConcurrency?: number;
  /** How long one request may take; 60 s by default. */
  timeoutMs?: number;
  /** Attempts of a retryable request, the first included; 4 by default. */
  maxAttempts?: number;
  /** Diagnostics (the output channel). The client redacts its secrets from every line first. */
  log?: (message: string) => void;
  /** The clock, in ms since the epoch. */
  now?: () => number;
  /** Waits between attempts (tests pass one that does not wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** [0, 1): the jitter of back-off. */
  random?: () => number;
  /** How requests are sent; Node's http/https (`NodeTransport`) by default. */
  transport?: Transport<M>;
}

/** What a transport failure carries: a Node system error code, and whether the request may have reached the server. */
export interface TransportFailure {
  code?: string;
  message?: string;
  /** False only when the request certainly never left (the connection was not made). */
  sent?: boolean;
}

/** The Node TLS codes of a certificate no trusted authority signed (a self-signed endpoint without its CA file). */
const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** True when a transport failure's code says the server's certificate is not signed by a trusted authority. */
export function isUntrustedCertificate(code: string): boolean {
  return TLS_UNTRUSTED.has(code);
}

/**
 * The PEM text of the CA file at `path`, for `HttpClientOptions.ca`. A file that cannot be read
 * or holds no certificate is CloudError 'invalid' naming it; `check` ends that message with where
 * the path was set (e.g. "the account's CA file or snapkeeper.<cloud>.caFile").
 */
export async function readCaFile(path: string, check: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CloudError('invalid', `The CA file ${path} could not be read (${(e as { code?: string }).code ?? 'error'}): check ${check}.`, { cause: e });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CloudError('invalid', `The CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return text;
}

/** The largest answer read; a larger one fails as `ERESPONSETOOLARGE`. */
export const MAX_BODY_BYTES = 128 * 1024 * 1024;

/**
 * The default transport: Node's http/https, keep-alive, at most `maxSockets` sockets per protocol,
 * and over https the system's CAs plus `ca` (PEM text) when given. An agent is made when its
 * protocol is first used. A failure before the connection was made carries `sent: false` (the
 * request never left); after it, the request may have reached the server.
 */
export class NodeTransport {
  private plain?: http.Agent;
  private secure?: https.Agent;

  constructor(
    private readonly maxSockets: number,
    private readonly ca?: string,
  ) {}

  readonly send: Transport = (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const tls = url.protocol === 'https:';
      let connected = false;
      const req = (tls ? https : http).request(url, { method: request.method, headers: request.headers, agent: this.agent(tls), signal: request.signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(Object.assign(new Error('response too large'), { code: 'ERESPONSETOOLARGE' }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => reject(Object.assign(e, { sent: true })));
        // A body cut short by a dropped connection closes the response before it is complete.
        res.on('close', () => {
          if (!res.complete) {
            reject(Object.assign(new Error('the response was cut short'), { code: 'ECONNRESET', sent: true }));
          }
        });
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) {
          // A reused keep-alive socket: the request may reach the server.
          connected = true;
        } else {
          socket.once(tls ? 'secureConnect' : 'connect', () => {
            connected = true;
          });
        }
      });
      req.on('error', (e) => reject(Object.assign(e, { sent: connected })));
      req.end(request.body);
    });

  /** Closes the kept-alive sockets. */
  dispose(): void {
    this.plain?.destroy();
    this.secure?.destroy();
  }

  private agent(tls: boolean): http.Agent {
    if (tls) {
      this.secure ??= new https.Agent({ keepAlive: true, maxSockets: this.maxSockets, ...(this.ca ? { ca: [...rootCertificates, this.ca] } : {}) });
      return this.secure;
    }
    this.plain ??= new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
    return this.plain;
  }
}

/** One attempt's end: the answer (whatever its status), or the transport's failure and whether the request may have reached the server. */
export type Attempt = { ok: true; response: HttpResponse } | { ok: false; failure: unknown; sent: boolean };

/**
 * Sends `request` once, cut off after `timeoutMs` (a failure `{ code: 'TIMEOUT', sent: true }`).
 * Throws the signal's reason when `signal` aborts it: an abort is the caller's, never a failure.
 */
export async function sendOnce<M extends string>(transport: Transport<M>, request: Omit<HttpRequest<M>, 'signal'>, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), timeoutMs);
  const onAbort = () => timeout.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return { ok: true, response: await transport({ ...request, signal: timeout.signal }) };
  } catch (e) {
    if (signal?.aborted) {
      throw signal.reason;
    }
    const failure = timeout.signal.aborted ? { code: 'TIMEOUT', sent: true } : e;
    return { ok: false, failure, sent: (failure as TransportFailure | undefined)?.sent !== false };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

const BASE_DELAY_MS = 300;
const MAX_DELAY_MS = 30_000;

/**
 * The wait before attempt `attempt + 1`: exponential from 300 ms, capped at 30 s, with jitter
 * (`random()` in [0, 1) picks between half the cap and the cap), and never shorter than the
 * server's `retryAfterMs` (itself capped at 30 s).
 */
export function backoffMs(attempt: number, random: () => number, retryAfterMs?: number): number {
  const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  const jittered = Math.round(cap / 2 + (random() * cap) / 2);
  return Math.min(MAX_DELAY_MS, Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * What a client makes of its `HttpClientOptions`: the bounds (clamped to sane ranges), the clock,
 * the waits, the bound on requests in flight, and the transport (Node's unless one is given).
 * `dispose` closes the Node transport's kept-alive sockets.
 */
export class HttpBasics<M extends string = string> {
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly slots: Slots;
  readonly transport: Transport<M>;
  private readonly random: () => number;
  private readonly node?: NodeTransport;

  constructor(options: HttpClientOptions<M>) {
    this.maxAttempts = clampInt(options.maxAttempts, 1, 10, 4);
    this.timeoutMs = clampInt(options.timeoutMs, 1_000, 600_000, 60_000);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    const maxConcurrency = clampInt(options.maxConcurrency, 1, 64, 4);
    this.slots = new Slots(maxConcurrency);
    if (options.transport) {
      this.transport = options.transport;
    } else {
      this.node = new NodeTransport(maxConcurrency, options.ca);
      this.transport = this.node.send;
    }
  }

  /** The wait before attempt `attempt + 1` (see `backoffMs`). */
  backoff(attempt: number, retryAfterMs?: number): number {
    return backoffMs(attempt, this.random, retryAfterMs);
  }

  dispose(): void {
    this.node?.dispose();
  }
}

/** A whole number option within [min, max]; `fallback` when it is absent or not a finite number. */
export function clampInt(value: number | undefined, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : fallback;
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A bound on requests in flight: `take` waits for a free slot and gives back its release. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** A slot, once one is free; rejects with the signal's reason when it aborts first (the slot is then not taken). */
  async take(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.free > 0) {
      this.free--;
    } else {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(wake);
          if (i >= 0) {
            this.waiting.splice(i, 1);
          }
          reject(signal?.reason);
        };
        this.waiting.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.waiting.shift();
      if (next) {
        next();
      } else {
        this.free++;
      }
    };
  }
}
