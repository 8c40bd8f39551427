/**
 * The Azure sandbox's HTTPS listener on 127.0.0.1: the Entra token endpoint (and the metadata
 * MSAL asks for), ARM (bearer check, api-version, fault injection, request-id headers) and the
 * SAS blob URLs that beginGetAccess hands out.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { BLOCK_SIZE, BlockModelError } from '../blocks';
import type { FaultDecision, FaultInjector } from '../faults';
import { decodePath, delay, readBody } from '../http';
import { SANDBOX_KEY_HEADER } from '../backend';
import { ArmError } from './errors';
import type { AzureState } from './state';
import { checkBearer, openIdConfiguration, tokenRequest } from './token';
import type { ArmRequest, ArmResponse } from './answers';
import { routeArm } from './wire';

/** What the listener works on; `state` may be replaced (reset) while it runs. */
export interface ArmRuntime {
  readonly azure: AzureState;
  readonly faults: FaultInjector;
  /** The control API's key (accepted by /_sandbox/azure/writes in the key header). */
  readonly credentials?: { accessKeyId: string };
  changed(): void;
}

const MAX_BODY = 4 * 1024 * 1024;




export class ArmServer {
  private readonly server: Server;
  private base = '';

  constructor(
    private readonly runtime: ArmRuntime,
    tls: { certPem: string; keyPem: string },
  ) {
    this.server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('[snapkeeper sandbox] Azure request failed', error);
        if (!res.headersSent) {
          this.json(res, 500, { error: { code: 'InternalServerError', message: 'An internal error has occurred.' } }, {});
        } else {
          res.destroy();
        }
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  get endpoint(): string {
    return this.base;
  }

  async listen(port: number): Promise<number> {
    const actual = await new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
    this.base = `https://127.0.0.1:${actual}`;
    return actual;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The SAS URL of a grant (https://127.0.0.1:PORT/_blob/<id>.vhd?…). */
  sasUrl(grant: { id: string; expiresAt: number; sig: string; fileFormat: string }): string {
    const se = new Date(grant.expiresAt).toISOString().replace(/\.\d+Z$/, 'Z');
    const q = new URLSearchParams({ sv: '2018-03-28', sr: 'b', si: grant.id, sp: 'r', se, sig: grant.sig });
    return `${this.base}/_blob/${grant.id}.${grant.fileFormat.toLowerCase()}?${q.toString()}`;
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...headers,
      'content-length': String(data.length),
    });
    res.end(data);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base || 'https://127.0.0.1');
    const body = await readBody(req, MAX_BODY);
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    const clientRequestId = req.headers['x-ms-client-request-id'];
    const correlation = req.headers['x-ms-correlation-request-id'];
    const headers: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': typeof correlation === 'string' ? correlation : randomUUID(),
      'x-ms-routing-request-id': `SANDBOX:${new Date().toISOString().replace(/[-:.]/g, '')}:${requestId}`,
      'cache-control': 'no-cache',
      ...(typeof clientRequestId === 'string' ? { 'x-ms-client-request-id': clientRequestId } : {}),
    };
    if (body === undefined) {
      return this.json(res, 413, { error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } }, headers);
    }
    const path = decodePath(url.pathname);
    if (path.startsWith('/_blob/')) {
      return this.blob(req, res, method, path, url.searchParams, headers);
    }
    if (this.identity(res, method, path, body, headers)) {
      return;
    }
    if (path === '/_sandbox/azure/writes') {
      return this.writes(req, res, method, body, headers);
    }
    return this.arm(req, res, { method, path, query: url.searchParams, body }, headers);
  }

  // ---- control: Simulate Writes ----------------------------------------------------------------

  /**
   * `POST /_sandbox/azure/writes {diskId, mib}` → `{blocksWritten}` on the ARM listener, so an
   * Azure client that knows only `info.azure` can reach it: authenticated like ARM (a bearer token
   * of the sandbox's issuer) or like the control API (the sandbox key header). Never faulted.
   */
  private writes(req: IncomingMessage, res: ServerResponse, method: string, body: Buffer, headers: Record<string, string>): void {
    const state = this.runtime.azure;
    const key = this.runtime.credentials?.accessKeyId;
    const keyed = key !== undefined && req.headers[SANDBOX_KEY_HEADER] === key;
    const auth = checkBearer(req.headers.authorization, state.now());
    if (!keyed && !auth.ok) {
      return this.json(res, 401, { error: { code: 'AuthenticationFailed', message: auth.message } }, headers);
    }
    if (method !== 'POST') {
      return this.json(res, 405, { error: { code: 'MethodNotAllowed', message: `Use POST for /_sandbox/azure/writes` } }, headers);
    }
    let input: { diskId?: unknown; mib?: unknown };
    try {
      input = (body.length ? JSON.parse(body.toString('utf8')) : {}) as typeof input;
    } catch {
      return this.json(res, 400, { error: { code: 'BadRequest', message: 'The body must be JSON: {diskId, mib}' } }, headers);
    }
    if (typeof input?.diskId !== 'string' || typeof input.mib !== 'number') {
      return this.json(res, 400, { error: { code: 'BadRequest', message: '"diskId" must be a string and "mib" a number' } }, headers);
    }
    try {
      const blocksWritten = state.writeMiB(input.diskId, input.mib);
      this.runtime.changed();
      return this.json(res, 200, { blocksWritten }, headers);
    } catch (error) {
      if (error instanceof ArmError) {
        return this.json(res, error.status, error.body(), headers);
      }
      if (error instanceof BlockModelError) {
        return this.json(res, 400, { error: { code: 'BadRequest', message: error.message } }, headers);
      }
      throw error;
    }
  }

  // ---- identity (token endpoint) ---------------------------------------------------------------

  private identity(res: ServerResponse, method: string, path: string, body: Buffer, headers: Record<string, string>): boolean {
    const state = this.runtime.azure;
    let m = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token$/.exec(path);
    if (m && method === 'POST') {
      const answer = tokenRequest(m[1], new URLSearchParams(body.toString('utf8')), state.now(), state.timing.tokenLifetimeSeconds);
      this.json(res, answer.status, answer.body, headers);
      return true;
    }
    m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (m && method === 'GET') {
      this.json(res, 200, openIdConfiguration(this.base, m[1]), headers);
      return true;
    }
    if (path === '/common/discovery/instance' && method === 'GET') {
      const host = this.base.replace(/^https:\/\//, '');
      this.json(
        res,
        200,
        {
          tenant_discovery_endpoint: `${this.base}/${state.tenant.id}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        },
        headers,
      );
      return true;
    }
    return false;
  }

  // ---- ARM -----------------------------------------------------------------------------------

  private async arm(req: IncomingMessage, res: ServerResponse, request: ArmRequest, headers: Record<string, string>): Promise<void> {
    const state = this.runtime.azure;
    const fail = (error: ArmError) => this.json(res, error.status, error.body(), { ...headers, ...error.headers });
    const authority = `${this.base}/${state.tenant.id}`;
    const challenge = (description: string) =>
      `Bearer authorization_uri="${authority}", error="invalid_token", error_description="${description}"`;
    const auth = checkBearer(req.headers.authorization, state.now());
    if (!auth.ok) {
      const code = auth.kind === 'missing' ? 'AuthenticationFailed' : auth.kind === 'expired' ? 'ExpiredAuthenticationToken' : 'InvalidAuthenticationToken';
      const description =
        auth.kind === 'missing'
          ? "The authentication failed because of missing 'Authorization' header."
          : auth.kind === 'expired'
            ? 'The access token has expired.'
            : 'The access token is invalid.';
      return fail(new ArmError(401, code, auth.message, undefined, { 'www-authenticate': challenge(description) }));
    }
    if (!request.query.get('api-version')) {
      return fail(new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'));
    }
    let route;
    try {
      route = routeArm({ state, base: this.base, sasUrl: (grant) => this.sasUrl(grant) }, request);
    } catch (error) {
      if (error instanceof ArmError) {
        return fail(error);
      }
      throw error;
    }
    await delay(this.runtime.faults.latencyMs());
    const decision: FaultDecision = this.runtime.faults.decide(route.operation, route.scopes.map((s) => s.toLowerCase()));
    switch (decision.kind) {
      case 'expired':
        return fail(
          new ArmError(401, 'ExpiredAuthenticationToken', `The access token expiry UTC time '${new Date(state.now() - 60000).toISOString().replace(/\.\d+Z$/, '')}' is earlier than current UTC time '${new Date(state.now()).toISOString().replace(/\.\d+Z$/, '')}'.`, undefined, {
            'www-authenticate': challenge('The access token has expired.'),
          }),
        );
      case 'region':
        return fail(new ArmError(decision.fault.status, decision.fault.code, decision.fault.message));
      case 'drop':
        res.socket?.destroy();
        return;
      case 'throttle':
      case 'throttleNoRetryAfter': {
        const message = `The request is being throttled as the limit has been reached for operation type - ${route.mutating ? 'Write' : 'Read'}_30Min. For more information, see - https://aka.ms/rps-not-found`;
        return fail(new ArmError(429, 'TooManyRequests', message, undefined, decision.kind === 'throttle' ? { 'retry-after': '1' } : {}));
      }
      case 'serverError':
        return fail(new ArmError(500, 'InternalServerError', 'Encountered internal server error. Diagnostic information: timestamp ' + new Date().toISOString() + '.'));
      default:
        break;
    }
    let response: ArmResponse;
    try {
      response = route.run(decision.kind === 'lroFailure');
    } catch (error) {
      if (error instanceof ArmError) {
        return fail(error);
      }
      if (error instanceof BlockModelError) {
        return fail(new ArmError(400, 'BadRequest', error.message));
      }
      throw error;
    } finally {
      if (route.mutating) {
        this.runtime.changed();
      }
    }
    if (decision.kind === 'dropAfterCommit') {
      res.socket?.destroy();
      return;
    }
    if (decision.kind === 'malformed') {
      const text = Buffer.from(JSON.stringify(response.body ?? { value: [] }), 'utf8');
      const cut = text.subarray(0, Math.max(1, Math.floor(text.length * 0.6)));
      res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(cut.length) });
      res.end(cut);
      return;
    }
    this.json(res, response.status, response.body, { ...headers, ...response.headers });
  }

  // ---- SAS blobs -----------------------------------------------------------------------------

  private async blob(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams, headers: Record<string, string>): Promise<void> {
    const state = this.runtime.azure;
    const m = /^\/_blob\/([0-9a-f]+)\.(vhd|vhdx)$/i.exec(path);
    const grant = m ? state.grant(m[1]) : undefined;
    const now = state.now();
    const denied = (detail: string) => {
      const xml =
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. ' +
        `Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:${headers['x-ms-request-id']}\nTime:${new Date(now).toISOString()}</Message>` +
        `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail></Error>`;
      const data = Buffer.from(xml, 'utf8');
      res.writeHead(403, { ...headers, 'content-type': 'application/xml', 'x-ms-error-code': 'AuthenticationFailed', 'content-length': String(data.length) });
      res.end(method === 'HEAD' ? undefined : data);
    };
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { ...headers, 'content-length': '0' });
      res.end();
      return;
    }
    if (!grant || query.get('sig') !== grant.sig) {
      return denied('Signature did not match. String to sign used was r');
    }
    if (grant.revokedAt !== undefined) {
      return denied('Access is denied: the SAS was revoked (endGetAccess).');
    }
    if (now >= grant.expiresAt) {
      return denied(`Signed expiry time [${new Date(grant.expiresAt).toUTCString()}] must be after signed start time [${new Date(now).toUTCString()}]`);
    }
    const source = state.exportSource(grant);
    if (!source) {
      return denied('Access is denied: the resource no longer exists.');
    }
    const footer = grant.fileFormat === 'VHD' ? vhdFooter(source.sizeBytes) : Buffer.alloc(0);
    const total = source.sizeBytes + footer.length;
    const common = {
      ...headers,
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-ms-blob-type': 'PageBlob',
      'x-ms-version': '2018-03-28',
      etag: `"0x8DC${grant.id.slice(0, 12).toUpperCase()}"`,
      'last-modified': new Date(grant.grantedAt).toUTCString(),
    };
    let start = 0;
    let end = total - 1;
    let status = 200;
    const range = req.headers.range ?? req.headers['x-ms-range'];
    if (typeof range === 'string') {
      const r = /^bytes=(\d+)-(\d*)$/.exec(range.trim());
      if (!r || Number(r[1]) >= total) {
        res.writeHead(416, { ...common, 'content-range': `bytes */${total}`, 'content-length': '0' });
        res.end();
        return;
      }
      start = Number(r[1]);
      end = r[2] ? Math.min(total - 1, Number(r[2])) : total - 1;
      status = 206;
    }
    res.writeHead(status, {
      ...common,
      'content-length': String(end - start + 1),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${end}/${total}` } : {}),
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await streamRange(res, start, end, source.sizeBytes, footer, source.blockContent);
  }
}

/** The bytes of one 512 KiB block: a pattern of its content id (zeros when unwritten). */
function blockBytes(content: number | undefined, index: number): Buffer {
  const buf = Buffer.alloc(BLOCK_SIZE);
  if (content !== undefined) {
    const pattern = Buffer.alloc(16);
    pattern.writeUInt32BE(content >>> 0, 0);
    pattern.writeUInt32BE(index >>> 0, 4);
    pattern.write('SNAPKEEP', 8, 'latin1');
    buf.fill(pattern);
  }
  return buf;
}

/** A fixed-VHD footer (cookie "conectix", disk size, CHS and type "fixed"). */
function vhdFooter(sizeBytes: number): Buffer {
  const f = Buffer.alloc(512);
  f.write('conectix', 0, 'latin1');
  f.writeUInt32BE(2, 8); // features
  f.writeUInt32BE(0x00010000, 12); // version
  f.writeBigUInt64BE(0xffffffffffffffffn, 16); // data offset: none (fixed)
  f.write('snpk', 28, 'latin1');
  f.write('Wi2k', 36, 'latin1');
  f.writeBigUInt64BE(BigInt(sizeBytes), 40);
  f.writeBigUInt64BE(BigInt(sizeBytes), 48);
  f.writeUInt32BE(2, 60); // fixed disk
  let sum = 0;
  for (const byte of f) {
    sum += byte;
  }
  f.writeUInt32BE(~sum >>> 0, 64);
  return f;
}

async function streamRange(
  res: ServerResponse,
  start: number,
  end: number,
  dataBytes: number,
  footer: Buffer,
  blockContent: (index: number) => number | undefined,
): Promise<void> {
  let offset = start;
  while (offset <= end) {
    let chunk: Buffer;
    if (offset >= dataBytes) {
      chunk = footer.subarray(offset - dataBytes, end - dataBytes + 1);
    } else {
      const index = Math.floor(offset / BLOCK_SIZE);
      const within = offset - index * BLOCK_SIZE;
      const last = Math.min(end, (index + 1) * BLOCK_SIZE - 1, dataBytes - 1);
      chunk = blockBytes(blockContent(index), index).subarray(within, within + (last - offset + 1));
    }
    offset += chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => res.once('drain', resolve));
    }
    if (res.destroyed) {
      return;
    }
  }
  res.end();
}
