/**
 * The sandbox's shared HTTP server on 127.0.0.1: the JSON control API (/_sandbox/…) and every
 * request a cloud's backend claims (its `route`). Authentication and fault injection of the
 * cloud APIs are the backends' own; the control API takes the sandbox key (or a cloud's own
 * credentials for that cloud's endpoints).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_KEY_HEADER, type SandboxCloud } from './backend';
import { BlockModelError } from './blocks';
import { advanceOf, type SandboxClock } from './clock';
import { FaultInjector, normaliseFaults } from './faults';
import { readBody, sendJson } from './http';

export { SANDBOX_KEY_HEADER } from './backend';

/** What the server works on. */
export interface SandboxRuntime {
  /** The control API's key. */
  readonly key: string;
  /** The running clouds by kind, in the order they are asked to route. */
  readonly clouds: ReadonlyMap<string, SandboxCloud>;
  readonly faults: FaultInjector;
  /** Called after every request that may have changed state. */
  changed(): void;
  /** Called after a reset replaced the states. */
  replaced(): void;
  /** The info object reported by GET /_sandbox/info. */
  info(): unknown;
  /** The sandbox's clock (GET /_sandbox/clock). */
  readonly clock: SandboxClock;
  /** Moves the clock forward and lets every cloud do what became due (POST /_sandbox/clock): what each did. */
  advanceClock(ms: number): Record<string, unknown>;
}

const MAX_BODY = 16 * 1024 * 1024;

export class SandboxServer {
  private readonly server: Server;

  constructor(private readonly runtime: SandboxRuntime) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('[snapkeeper sandbox] request failed', error);
        if (!res.headersSent) {
          sendJson(res, 500, { error: { code: 'InternalError', message: 'An internal error has occurred.' } });
        } else {
          res.destroy();
        }
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req, MAX_BODY);
    if (body === undefined) {
      sendJson(res, 413, { error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } });
      return;
    }
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/_sandbox/')) {
      return this.control(req, res, method, url, body);
    }
    for (const cloud of this.runtime.clouds.values()) {
      const handler = cloud.route(method, url);
      if (handler) {
        // What the cloud's schedules made due by now happens before the request sees the state.
        cloud.tick?.();
        return handler(req, res, url, body);
      }
    }
    sendJson(res, 404, { error: { code: 'NotFound', message: `Nothing is served at ${method} ${url.pathname}` } });
  }

  // ---- control API ---------------------------------------------------------------------------

  /** The cloud whose control endpoints a path names (/_sandbox/<kind>/…). */
  private cloudOf(path: string): SandboxCloud | undefined {
    const kind = /^\/_sandbox\/([^/]+)\//.exec(path)?.[1];
    return kind === undefined ? undefined : this.runtime.clouds.get(kind);
  }

  private control(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer): void {
    const cloud = this.cloudOf(url.pathname);
    if (req.headers[SANDBOX_KEY_HEADER] !== this.runtime.key && !cloud?.controlAuthorized(req)) {
      return sendJson(res, 403, {
        error: { code: 'Forbidden', message: `The ${SANDBOX_KEY_HEADER} header must carry the sandbox access key id.` },
      });
    }
    try {
      const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as unknown) : {};
      const result = cloud ? cloud.controlRoute(method, url, input) : this.route(method, url, input);
      if (result === undefined) {
        return sendJson(res, 404, { error: { code: 'NotFound', message: `No control endpoint ${method} ${url.pathname}` } });
      }
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof TypeError || error instanceof BlockModelError) {
        return sendJson(res, 400, { error: { code: 'BadRequest', message: error.message } });
      }
      for (const each of this.runtime.clouds.values()) {
        const answer = each.errorAnswer(error);
        if (answer) {
          return sendJson(res, answer.status, answer.body);
        }
      }
      throw error;
    }
  }

  /** The sandbox-wide control endpoints; undefined when none matches. */
  private route(method: string, url: URL, input: unknown): unknown {
    const rt = this.runtime;
    const path = url.pathname;
    if (method === 'GET' && path === '/_sandbox/info') {
      return rt.info();
    }
    if (method === 'GET' && path === '/_sandbox/state-summary') {
      return this.summary();
    }
    if (method === 'GET' && path === '/_sandbox/faults') {
      return rt.faults.get();
    }
    if (method === 'PUT' && path === '/_sandbox/faults') {
      rt.faults.set(normaliseFaults(input));
      return rt.faults.get();
    }
    if (method === 'GET' && path === '/_sandbox/clock') {
      return this.clockAnswer();
    }
    if (method === 'POST' && path === '/_sandbox/clock') {
      const done = rt.advanceClock(advanceOf(input));
      return { ...this.clockAnswer(), done };
    }
    if (method === 'POST' && path === '/_sandbox/reset') {
      const seed = (input as { seed?: unknown }).seed !== false;
      for (const cloud of rt.clouds.values()) {
        cloud.reset(seed);
      }
      rt.faults.set({});
      rt.replaced();
      return this.summary();
    }
    return undefined;
  }

  /** The sandbox's time, and how far it is ahead of the real clock. */
  private clockAnswer(): { now: string; offsetMs: number } {
    return { now: new Date(this.runtime.clock.now()).toISOString(), offsetMs: this.runtime.clock.offsetMs };
  }

  /** Each cloud's summary under its kind. */
  private summary(): Record<string, unknown> {
    return Object.fromEntries([...this.runtime.clouds].map(([kind, cloud]) => [kind, cloud.summary()]));
  }
}
