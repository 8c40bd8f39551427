/**
 * The sandbox's HTTP server on 127.0.0.1: routes EC2 Query requests (POST /), EBS direct API
 * requests (GET /snapshots/…), Compute Engine v1 REST (/compute/v1/…, see gcp/http.ts) and the
 * JSON control API (/_sandbox/…). Authentication (SigV4, the GCP bearer token) and fault
 * injection apply to the cloud APIs only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlockModelError } from './blocks';
import { ebsErrorResponse, EbsError, ebsOperation, handleEbs } from './aws/ebs';
import { Ec2Error } from './aws/errors';
import { QueryParams } from './aws/params';
import { parseAmzDate, parseAuthorization, verifySignature, type SigV4Authorization } from './aws/sigv4';
import type { AwsState } from './aws/state';
import { ec2ErrorResponse, handleEc2, MUTATING_ACTIONS, newRequestId } from './aws/wire';
import { isEnabled } from './aws/regions';
import { type FaultDecision, FaultInjector, normaliseFaults } from './faults';
import { decodePath, delay } from './http';
import { ArmError } from './azure/errors';
import { benchmarkEstate } from './azure/seed';
import type { AzureState, LroStyle } from './azure/state';
import { gcpControlRoute, gcpSummary } from './gcp/control';
import { GcpError } from './gcp/errors';
import { CRM_PROJECTS_PATH, GCP_PATH_PREFIX, SANDBOX_GCP_ACCESS_TOKEN, serveGcp, serveResourceManager } from './gcp/http';
import type { GcpState } from './gcp/state';

export const SANDBOX_KEY_HEADER = 'x-snapkeeper-sandbox-key';

/** What the server works on; `aws` may be replaced (reset) while it runs. */
export interface SandboxRuntime {
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  aws: AwsState;
  azure: AzureState;
  gcp: GcpState;
  readonly faults: FaultInjector;
  /** Builds a fresh AWS state (for POST /_sandbox/reset). */
  freshAws(seed: boolean): AwsState;
  /** Builds a fresh Azure state (for POST /_sandbox/reset). */
  freshAzure(seed: boolean): AzureState;
  /** Builds a fresh GCP state (for POST /_sandbox/reset). */
  freshGcp(seed: boolean): GcpState;
  /** Called after every request that may have changed state. */
  changed(): void;
  /** The info object reported by GET /_sandbox/info. */
  info(): unknown;
}

const MAX_BODY = 16 * 1024 * 1024;
const MAX_SKEW_MS = 15 * 60 * 1000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(data.length) });
  res.end(data);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify(value));
}

/** The first ~60% of a body: never a well-formed document. */
function truncate(body: string | Buffer): Buffer {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return data.subarray(0, Math.max(1, Math.floor(data.length * 0.6)));
}


function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? values[0] : values;
  }
  return record;
}


type Service = 'ec2' | 'ebs';

/** An authentication failure, in the service's own words. */
interface AuthFailure {
  code: string;
  message: string;
  status: number;
}

function authFailure(service: Service, kind: 'missing' | 'unknownKey' | 'badSignature' | 'skew' | 'scope', detail = ''): AuthFailure {
  const mismatch =
    'The request signature we calculated does not match the signature you provided. ' +
    'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  if (service === 'ec2') {
    switch (kind) {
      case 'missing':
        return { code: 'MissingAuthenticationToken', status: 401, message: 'Request is missing Authentication Token' };
      case 'unknownKey':
        return { code: 'AuthFailure', status: 401, message: 'AWS was not able to validate the provided access credentials' };
      case 'skew':
        return { code: 'RequestExpired', status: 400, message: 'Request has expired.' };
      case 'scope':
        return { code: 'SignatureDoesNotMatch', status: 403, message: detail };
      default:
        return { code: 'SignatureDoesNotMatch', status: 403, message: mismatch };
    }
  }
  switch (kind) {
    case 'missing':
      return { code: 'MissingAuthenticationTokenException', status: 403, message: 'Missing Authentication Token' };
    case 'unknownKey':
      return { code: 'UnrecognizedClientException', status: 403, message: 'The security token included in the request is invalid.' };
    case 'skew':
      return { code: 'InvalidSignatureException', status: 403, message: 'Signature expired: the request time is too skewed.' };
    case 'scope':
      return { code: 'InvalidSignatureException', status: 403, message: detail };
    default:
      return { code: 'InvalidSignatureException', status: 403, message: mismatch };
  }
}

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
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: { code: error.code, message: error.message } });
      }
      return;
    }
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/_sandbox/')) {
      return this.control(req, res, method, url, body);
    }
    if (url.pathname === '/' && (method === 'POST' || url.searchParams.has('Action'))) {
      return this.ec2(req, res, method, url, body);
    }
    if (url.pathname.startsWith('/snapshots/')) {
      return this.ebs(req, res, method, url, body);
    }
    if (url.pathname.startsWith(GCP_PATH_PREFIX)) {
      return serveGcp(this.runtime, req, res, url, body);
    }
    if (url.pathname === CRM_PROJECTS_PATH || url.pathname === `${CRM_PROJECTS_PATH}/`) {
      return serveResourceManager(this.runtime, req, res, url);
    }
    sendJson(res, 404, { error: { code: 'NotFound', message: `Nothing is served at ${method} ${url.pathname}` } });
  }

  // ---- authentication ------------------------------------------------------------------------

  private async authenticate(
    req: IncomingMessage,
    method: string,
    url: URL,
    body: Buffer,
    service: Service,
  ): Promise<{ auth: SigV4Authorization } | { failure: AuthFailure }> {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) {
      return { failure: authFailure(service, 'missing') };
    }
    if (auth.accessKeyId !== this.runtime.credentials.accessKeyId) {
      return { failure: authFailure(service, 'unknownKey') };
    }
    if (auth.service !== service) {
      return { failure: authFailure(service, 'scope', `Credential should be scoped to correct service: '${service}'.`) };
    }
    const date = parseAmzDate(String(req.headers['x-amz-date'] ?? ''));
    if (date && Math.abs(date.getTime() - Date.now()) > MAX_SKEW_MS) {
      return { failure: authFailure(service, 'skew') };
    }
    const valid = await verifySignature(
      { method, path: decodePath(url.pathname), query: queryRecord(url.searchParams), headers: req.headers, body },
      auth,
      this.runtime.credentials.secretAccessKey,
    );
    if (!valid) {
      return { failure: authFailure(service, 'badSignature') };
    }
    const region = this.runtime.aws.region(auth.region);
    if (!region || !isEnabled(region)) {
      // What AWS answers for a region the account has not enabled.
      return { failure: authFailure(service, 'unknownKey') };
    }
    return { auth };
  }

  // ---- EC2 -----------------------------------------------------------------------------------

  private async ec2(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer): Promise<void> {
    const requestId = newRequestId();
    const headers = { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, server: 'AmazonEC2' };
    const reply = (status: number, text: string) => send(res, status, headers, text);
    const fail = (code: string, message: string, status: number) =>
      reply(status, ec2ErrorResponse(new Ec2Error(code, message, status), requestId).body);

    const authResult = await this.authenticate(req, method, url, body, 'ec2');
    if ('failure' in authResult) {
      const { code, message, status } = authResult.failure;
      return fail(code, message, status);
    }
    const region = authResult.auth.region;
    const params = QueryParams.fromEntries([
      ...url.searchParams,
      ...(method === 'POST' ? new URLSearchParams(body.toString('utf8')) : []),
    ]);
    const action = params.str('Action') ?? '';

    await delay(this.runtime.faults.latencyMs());
    const decision = this.runtime.faults.decide(action, region);
    if (this.preHandleFault(decision, res, (code, message, status) => fail(code, message, status), 'ec2')) {
      return;
    }
    const state = this.runtime.aws;
    state.visibilityLagMs = this.runtime.faults.visibilityLagMs();
    const response = handleEc2(state, region, params, requestId);
    if (MUTATING_ACTIONS.has(action)) {
      this.runtime.changed();
    }
    this.postHandle(decision, res, response.status, headers, response.body);
  }

  // ---- EBS -----------------------------------------------------------------------------------

  private async ebs(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer): Promise<void> {
    const requestId = newRequestId();
    const fail = (code: string, message: string, status: number, reason?: string) => {
      const response = ebsErrorResponse(new EbsError(code, status, message, reason), requestId);
      send(res, response.status, response.headers, response.body);
    };
    const authResult = await this.authenticate(req, method, url, body, 'ebs');
    if ('failure' in authResult) {
      const { code, message, status } = authResult.failure;
      return fail(code, message, status);
    }
    const region = authResult.auth.region;
    const path = decodePath(url.pathname);
    const operation = ebsOperation(method, path) ?? 'Unknown';

    await delay(this.runtime.faults.latencyMs());
    const decision = this.runtime.faults.decide(operation, region);
    if (this.preHandleFault(decision, res, fail, 'ebs')) {
      return;
    }
    const response = handleEbs(this.runtime.aws, region, method, path, url.searchParams, requestId);
    this.postHandle(decision, res, response.status, response.headers, response.body);
  }

  /** Answers (or drops) a request whose fault fires before handling; true when it did. */
  private preHandleFault(
    decision: FaultDecision,
    res: ServerResponse,
    fail: (code: string, message: string, status: number, reason?: string) => void,
    service: Service,
  ): boolean {
    switch (decision.kind) {
      case 'expired':
        if (service === 'ec2') {
          fail('RequestExpired', 'Request has expired.', 400);
        } else {
          fail('ExpiredTokenException', 'The security token included in the request is expired', 403);
        }
        return true;
      case 'region':
        fail(decision.fault.code, decision.fault.message, decision.fault.status);
        return true;
      case 'drop':
        res.socket?.destroy();
        return true;
      case 'throttle':
      case 'throttleNoRetryAfter':
        if (service === 'ec2') {
          fail('RequestLimitExceeded', 'Request limit exceeded.', 503);
        } else {
          fail('RequestThrottledException', 'Request limit exceeded.', 400, 'ACCOUNT_THROTTLED');
        }
        return true;
      case 'serverError':
        if (service === 'ec2') {
          fail('InternalError', 'An internal error has occurred', 500);
        } else {
          fail('InternalServerException', 'An internal error has occurred.', 500);
        }
        return true;
      default:
        return false;
    }
  }

  /** Sends a handled request's answer, unless a post-handling fault says otherwise. */
  private postHandle(
    decision: FaultDecision,
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string | Buffer,
  ): void {
    if (decision.kind === 'dropAfterCommit') {
      res.socket?.destroy();
    } else if (decision.kind === 'malformed') {
      send(res, 200, headers, truncate(body));
    } else {
      send(res, status, headers, body);
    }
  }

  // ---- control API ---------------------------------------------------------------------------

  private control(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer): void {
    // /_sandbox/gcp/… also takes the GCP sandbox token (a GCP adapter knows only info.gcp).
    const gcpBearer = url.pathname.startsWith('/_sandbox/gcp/') && req.headers.authorization === `Bearer ${SANDBOX_GCP_ACCESS_TOKEN}`;
    if (req.headers[SANDBOX_KEY_HEADER] !== this.runtime.credentials.accessKeyId && !gcpBearer) {
      return sendJson(res, 403, {
        error: { code: 'Forbidden', message: `The ${SANDBOX_KEY_HEADER} header must carry the sandbox access key id.` },
      });
    }
    try {
      const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as unknown) : {};
      const result = this.route(method, url, input);
      if (result === undefined) {
        return sendJson(res, 404, { error: { code: 'NotFound', message: `No control endpoint ${method} ${url.pathname}` } });
      }
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof TypeError || error instanceof BlockModelError) {
        return sendJson(res, 400, { error: { code: 'BadRequest', message: error.message } });
      }
      if (error instanceof Ec2Error) {
        const status = error.code.endsWith('.NotFound') ? 404 : 400;
        return sendJson(res, status, { error: { code: error.code, message: error.message } });
      }
      if (error instanceof ArmError) {
        return sendJson(res, error.status, error.body());
      }
      if (error instanceof GcpError) {
        return sendJson(res, error.status, error.body());
      }
      throw error;
    }
  }

  /** The control endpoints; undefined when none matches. */
  private route(method: string, url: URL, input: unknown): unknown {
    const rt = this.runtime;
    const path = url.pathname;
    const field = (name: string, type: 'string' | 'number'): string | number => {
      const value = (input as Record<string, unknown> | null)?.[name];
      if (typeof value !== type) {
        throw new TypeError(`"${name}" must be a ${type}`);
      }
      return value as string | number;
    };
    if (method === 'GET' && path === '/_sandbox/info') {
      return rt.info();
    }
    if (method === 'GET' && path === '/_sandbox/state-summary') {
      return { ...summary(rt.aws), ...azureSummary(rt.azure), ...gcpSummary(rt.gcp) };
    }
    if (method === 'GET' && path === '/_sandbox/faults') {
      return rt.faults.get();
    }
    if (method === 'PUT' && path === '/_sandbox/faults') {
      rt.faults.set(normaliseFaults(input));
      return rt.faults.get();
    }
    if (method === 'POST' && path === '/_sandbox/reset') {
      const seed = (input as { seed?: unknown }).seed !== false;
      rt.aws = rt.freshAws(seed);
      rt.azure = rt.freshAzure(seed);
      rt.gcp = rt.freshGcp(seed);
      rt.faults.set({});
      rt.changed();
      return { ...summary(rt.aws), ...azureSummary(rt.azure), ...gcpSummary(rt.gcp) };
    }
    if (path.startsWith('/_sandbox/azure/')) {
      return this.azureRoute(method, url, input, field);
    }
    if (path.startsWith('/_sandbox/gcp/')) {
      return gcpControlRoute(rt.gcp, method, url, input, () => rt.changed());
    }
    if (method === 'POST' && path === '/_sandbox/aws/writes') {
      const blocksWritten = rt.aws.writeMiB(
        field('region', 'string') as string,
        field('volumeId', 'string') as string,
        field('mib', 'number') as number,
      );
      rt.changed();
      return { blocksWritten };
    }
    if (method === 'POST' && path === '/_sandbox/aws/bulk-snapshots') {
      const snapshotIds = rt.aws.bulkSnapshots(
        field('region', 'string') as string,
        field('volumeId', 'string') as string,
        field('count', 'number') as number,
      );
      rt.changed();
      return { snapshotIds };
    }
    if (method === 'POST' && path === '/_sandbox/aws/regions') {
      const regions = rt.aws.setRegionCount(field('count', 'number') as number);
      rt.changed();
      return { regions };
    }
    const snapshotMatch = /^\/_sandbox\/aws\/snapshots\/([^/]+)$/.exec(path);
    if (method === 'GET' && snapshotMatch) {
      const region = url.searchParams.get('region') ?? '';
      return snapshotFacts(rt.aws, region, decodeURIComponent(snapshotMatch[1]));
    }
    return undefined;
  }

  /** The /_sandbox/azure/… control endpoints; undefined when none matches. */
  private azureRoute(method: string, url: URL, input: unknown, field: (name: string, type: 'string' | 'number') => string | number): unknown {
    const rt = this.runtime;
    const azure = rt.azure;
    const path = url.pathname;
    const changed = <T>(value: T): T => {
      rt.changed();
      return value;
    };
    if (method === 'POST' && path === '/_sandbox/azure/writes') {
      return changed({ blocksWritten: azure.writeMiB(field('diskId', 'string') as string, field('mib', 'number') as number) });
    }
    if (method === 'POST' && path === '/_sandbox/azure/bulk-snapshots') {
      return changed({ snapshotIds: azure.bulkSnapshots(field('diskId', 'string') as string, field('count', 'number') as number) });
    }
    if (method === 'POST' && path === '/_sandbox/azure/subscriptions') {
      const each = (input as { snapshotsEach?: unknown }).snapshotsEach;
      return changed({ subscriptionIds: benchmarkEstate(azure, field('count', 'number') as number, typeof each === 'number' ? each : 0) });
    }
    if (method === 'PUT' && path === '/_sandbox/azure/lro-style') {
      const operation = (input as { operation?: unknown }).operation;
      azure.setLroStyle(field('style', 'string') as LroStyle, typeof operation === 'string' ? operation : undefined);
      return changed({ lroStyles: azure.settings.lroStyles });
    }
    if (method === 'PUT' && path === '/_sandbox/azure/page-size') {
      azure.setPageSize(field('pageSize', 'number') as number);
      return changed({ pageSize: azure.settings.pageSize });
    }
    if (method === 'GET' && path === '/_sandbox/azure/snapshots') {
      const id = url.searchParams.get('id') ?? '';
      const snap = azure.snapshot(id);
      const blocks = azure.blocks.getSnapshot(snap.uniqueId);
      const parent = blocks?.parent === undefined ? undefined : [...azure.snapshots.values()].find((s) => s.uniqueId === blocks.parent);
      return {
        snapshotId: snap.id,
        location: snap.location,
        sourceResourceId: snap.creationData.sourceResourceId ?? null,
        incrementalSnapshotFamilyId: snap.familyId ?? null,
        storedBytes: azure.storedBytes(snap.id),
        fullBytes: azure.blocks.fullBytes(snap.uniqueId),
        parentSnapshotId: parent?.id ?? null,
        deleteImpact: azure.deleteImpact(snap.id),
      };
    }
    return undefined;
  }
}

/** Counts per Azure subscription. */
export function azureSummary(azure: AzureState) {
  return { azure: { tenantId: azure.tenant.id, subscriptions: azure.counts(), pageSize: azure.settings.pageSize, lroStyles: azure.settings.lroStyles } };
}

/** Counts per region and in total, plus the bytes all snapshots store. */
export function summary(aws: AwsState) {
  const regions = aws.counts();
  const total = (key: 'instances' | 'volumes' | 'snapshots' | 'images') => regions.reduce((n, r) => n + r[key], 0);
  return {
    aws: {
      ownerId: aws.ownerId,
      regions,
      totals: {
        regions: regions.length,
        instances: total('instances'),
        volumes: total('volumes'),
        snapshots: total('snapshots'),
        images: total('images'),
      },
    },
  };
}

/** What the block model says about one snapshot. */
export function snapshotFacts(aws: AwsState, region: string, snapshotId: string) {
  const snap = aws.snapshot(region, snapshotId);
  const blocks = aws.blocks.getSnapshot(snap.id);
  return {
    snapshotId: snap.id,
    region: snap.region,
    volumeId: snap.volumeId,
    storedBytes: aws.blocks.storedBytes(snap.id),
    fullBytes: aws.blocks.fullBytes(snap.id),
    parentSnapshotId: blocks?.parent ?? null,
    deleteImpact: aws.blocks.deleteImpact(snap.id),
  };
}
