/**
 * The sandbox account: where its ARM endpoint is, the CA to trust, and how to get a token from
 * its token endpoint (client credentials). The adapter reaches the sandbox through the same SDK
 * clients and the same bearer-token policy as real Azure; the only sandbox-specific calls are the
 * token request and the control API behind "Simulate Writes".
 */
import { request } from 'node:https';
import type { AccessToken as AzureAccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { CloudError, sandboxRefusedWrites, sandboxUnreachable } from '../../model/errors';

export interface SandboxInfo {
  endpoint: string;
  tenantId: string;
  subscriptions: string[];
  caCert: string;
  clientId: string;
  clientSecret: string;
  /** A ready token the sandbox accepts (used when the token endpoint cannot be reached). */
  accessToken?: string;
}

/** Validates `ctx.sandbox` (typed `unknown` by the contract). */
export function sandboxInfo(raw: unknown): SandboxInfo | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const { endpoint, tenantId, caCert, clientId, clientSecret, accessToken } = r;
  if (typeof endpoint !== 'string' || !/^https:\/\//.test(endpoint) || typeof tenantId !== 'string' || typeof caCert !== 'string') {
    return undefined;
  }
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    return undefined;
  }
  const subs = Array.isArray(r.subscriptions)
    ? r.subscriptions.map((s) => (typeof s === 'string' ? s : typeof s === 'object' && s !== null ? (s as { subscriptionId?: unknown; id?: unknown }).subscriptionId ?? (s as { id?: unknown }).id : undefined)).filter((s): s is string => typeof s === 'string')
    : [];
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    tenantId,
    subscriptions: subs,
    caCert,
    clientId,
    clientSecret,
    accessToken: typeof accessToken === 'string' ? accessToken : undefined,
  };
}

interface HttpResult {
  status: number;
  body: string;
}

/** One HTTPS request to the sandbox, trusting its CA. */
export function sandboxRequest(info: SandboxInfo, method: string, path: string, body: string, contentType: string, signal?: AbortSignal): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, `${info.endpoint}/`);
    const req = request(
      url,
      { method, ca: info.caCert, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A TokenCredential that asks the sandbox's token endpoint (client credentials), cached until near expiry. */
export class SandboxCredential implements TokenCredential {
  private cached?: AzureAccessToken;

  constructor(private readonly info: SandboxInfo) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AzureAccessToken | null> {
    if (this.cached && this.cached.expiresOnTimestamp - 60_000 > Date.now()) {
      return this.cached;
    }
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.info.clientId,
      client_secret: this.info.clientSecret,
      scope: scope ?? 'https://management.azure.com/.default',
    }).toString();
    let res: HttpResult;
    try {
      res = await sandboxRequest(
        this.info,
        'POST',
        `/${encodeURIComponent(this.info.tenantId)}/oauth2/v2.0/token`,
        form,
        'application/x-www-form-urlencoded',
        options?.abortSignal as AbortSignal | undefined,
      );
    } catch (e) {
      throw new CloudError('network', `Could not reach the sandbox's token endpoint (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    if (res.status !== 200) {
      if (this.info.accessToken) {
        return { token: this.info.accessToken, expiresOnTimestamp: Date.now() + 5 * 60_000 };
      }
      throw new CloudError('auth', `The sandbox's token endpoint refused the client credentials (HTTP ${res.status})`);
    }
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(res.body) as typeof json;
    } catch {
      throw new CloudError('malformed', "The sandbox's token endpoint returned a response that could not be read");
    }
    if (typeof json.access_token !== 'string') {
      throw new CloudError('malformed', "The sandbox's token endpoint returned no access_token");
    }
    const seconds = Number(json.expires_in);
    this.cached = { token: json.access_token, expiresOnTimestamp: Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000 };
    return this.cached;
  }
}

/** Asks the sandbox to change `mib` MiB of a disk's blocks (so the next snapshot has a delta). */
export async function simulateWrites(info: SandboxInfo, credential: TokenCredential, diskId: string, mib: number): Promise<void> {
  const token = await credential.getToken('https://management.azure.com/.default');
  let res: HttpResult;
  try {
    res = await new Promise<HttpResult>((resolve, reject) => {
      const body = JSON.stringify({ diskId, mib });
      const req = request(
        new URL('/_sandbox/azure/writes', `${info.endpoint}/`),
        {
          method: 'POST',
          ca: info.caCert,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token?.token ?? ''}` },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          r.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  } catch (e) {
    throw sandboxUnreachable(e);
  }
  if (res.status < 200 || res.status >= 300) {
    throw sandboxRefusedWrites(res.status, res.body);
  }
}
