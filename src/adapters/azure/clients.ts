/**
 * ARM clients: one ComputeManagementClient per subscription and one SubscriptionClient, created on
 * first use and cached. Every request goes through the adapter's one Limiter (per attempt, so a
 * retry's back-off holds no slot), carries the listing's AbortSignal (the SDK drops it on
 * `nextLink` page requests, so a policy adds it back), and is logged once as
 * `ARM GET …/snapshots 200 123ms` — the path without its query string, never a header or body.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ComputeManagementClient } from '@azure/arm-compute';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createPipelineRequest, type HttpClient, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Limiter } from '../../model/limit';

/** Where and how the clients reach ARM. */
export interface ArmConnection {
  credential: TokenCredential;
  /** ARM endpoint, e.g. https://management.azure.com or the sandbox's https://127.0.0.1:PORT. */
  endpoint: string;
  /** The token scope (the ARM audience of the chosen cloud). */
  scope: string;
  /** PEM of a CA to trust (the sandbox's self-signed certificate). */
  ca?: string;
}

/** The AbortSignal of the listing a request belongs to (set around each listing). */
export const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** The request path without the subscription GUID's noise and without the query string. */
export function logPath(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0];
  }
  return path.replace(/^\/subscriptions\/[^/]+/i, '').replace(/\/providers\/Microsoft\.Compute/i, '') || '/';
}

export class ArmClients {
  private readonly compute = new Map<string, ComputeManagementClient>();
  private subs?: SubscriptionClient;
  private http?: HttpClient;
  /**
   * One TLS settings object for every client: the SDK keeps one keep-alive agent per settings
   * object, so sharing it lets all subscriptions reuse the same connections.
   */
  private readonly tls?: { ca: string };

  constructor(
    private readonly connection: ArmConnection,
    private readonly limiter: Limiter,
    private readonly maxRetries: number,
    private readonly log: (line: string) => void,
  ) {
    this.tls = connection.ca ? { ca: connection.ca } : undefined;
  }

  private options(): Record<string, unknown> {
    const log = this.log;
    const limiter = this.limiter;
    const limit: PipelinePolicy = {
      name: 'snapkeeperLimiter',
      sendRequest: (request, next) => limiter.run(() => next(request)),
    };
    const signal: PipelinePolicy = {
      name: 'snapkeeperAbort',
      sendRequest: (request, next) => {
        const s = requestSignal.getStore();
        if (s && !request.abortSignal) {
          request.abortSignal = s;
        }
        return next(request);
      },
    };
    const logging: PipelinePolicy = {
      name: 'snapkeeperCallLog',
      sendRequest: async (request, next) => {
        const started = Date.now();
        const what = `ARM ${request.method} ${logPath(request.url)}`;
        try {
          const res = await next(request);
          log(`${what} ${res.status} ${Date.now() - started}ms`);
          return res;
        } catch (e) {
          const err = e as { statusCode?: number; code?: string; name?: string };
          log(`${what} ${err.statusCode ?? '-'} ${err.code ?? err.name ?? 'Error'} ${Date.now() - started}ms`);
          throw e;
        }
      },
    };
    const opts: Record<string, unknown> = {
      endpoint: this.connection.endpoint,
      credentials: { scopes: [this.connection.scope] },
      retryOptions: { maxRetries: this.maxRetries, retryDelayInMs: 800, maxRetryDelayInMs: 20_000 },
      additionalPolicies: [
        { policy: signal, position: 'perCall' },
        { policy: logging, position: 'perCall' },
        { policy: limit, position: 'perRetry' },
      ],
      userAgentOptions: { userAgentPrefix: 'snapkeeper' },
    };
    if (this.tls) {
      opts.tlsOptions = this.tls;
    }
    return opts;
  }

  /** The Compute client of one subscription. */
  computeClient(subscriptionId: string): ComputeManagementClient {
    let c = this.compute.get(subscriptionId);
    if (!c) {
      c = new ComputeManagementClient(this.connection.credential, subscriptionId, this.options());
      this.compute.set(subscriptionId, c);
    }
    return c;
  }

  /**
   * GETs an ARM list (`path` under the endpoint, with its api-version) through a subscription's
   * pipeline (the same credential, limiter, retries and log), following nextLink to the end.
   */
  async list(subscriptionId: string, path: string): Promise<unknown[]> {
    const pipeline = this.computeClient(subscriptionId).pipeline;
    this.http ??= createDefaultHttpClient();
    const out: unknown[] = [];
    for (let url: string | undefined = `${this.connection.endpoint.replace(/\/$/, '')}${path}`; url; ) {
      const res = await pipeline.sendRequest(this.http, createPipelineRequest({ url, method: 'GET' }));
      let body: { value?: unknown[]; nextLink?: string };
      try {
        body = JSON.parse(res.bodyAsText ?? '') as { value?: unknown[]; nextLink?: string };
      } catch {
        throw Object.assign(new Error(`ARM answered ${path} with a body that is not JSON`), { statusCode: res.status });
      }
      if (res.status >= 400) {
        throw Object.assign(new Error((body as { error?: { message?: string } }).error?.message ?? `ARM answered ${res.status}`), { statusCode: res.status, code: (body as { error?: { code?: string } }).error?.code });
      }
      out.push(...(Array.isArray(body.value) ? body.value : []));
      url = typeof body.nextLink === 'string' && body.nextLink ? body.nextLink : undefined;
    }
    return out;
  }

  subscriptionClient(): SubscriptionClient {
    this.subs ??= new SubscriptionClient(this.connection.credential, this.options());
    return this.subs;
  }

  destroy(): void {
    this.compute.clear();
    this.subs = undefined;
  }
}
