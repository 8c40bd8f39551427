/**
 * AWS on the sandbox's shared HTTP listener: EC2 Query requests (POST /, or GET with `Action`) and
 * the EBS direct APIs (/snapshots/…), each checked with SigV4 against the sandbox's access key,
 * faults injected in each service's own words.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from '../backend';
import type { FaultDecision, FaultInjector } from '../faults';
import { decodePath, delay, send, truncate } from '../http';
import { ebsErrorResponse, EbsError, ebsOperation, handleEbs } from './ebs';
import { Ec2Error } from './errors';
import { QueryParams } from './params';
import { isEnabled } from './regions';
import { parseAmzDate, parseAuthorization, verifySignature, type SigV4Authorization } from './sigv4';
import type { AwsState } from './state';
import { ec2ErrorResponse, handleEc2, MUTATING_ACTIONS, newRequestId } from './wire';

/** What the listener works on; the state may be replaced (reset) while it runs. */
export interface AwsRuntime {
  state(): AwsState;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly faults: FaultInjector;
  changed(): void;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

type Service = 'ec2' | 'ebs';

/** An authentication failure, in the service's own words. */
interface AuthFailure {
  code: string;
  message: string;
  status: number;
}

type Fail = (code: string, message: string, status: number, reason?: string) => void;

/** The handler of an AWS request, or undefined when the request is not AWS's. */
export function awsRoute(runtime: AwsRuntime, method: string, url: URL): RequestHandler | undefined {
  if (url.pathname === '/' && (method === 'POST' || url.searchParams.has('Action'))) {
    return (req, res, _url, body) => ec2(runtime, req, res, method, url, body);
  }
  if (url.pathname.startsWith('/snapshots/')) {
    return (req, res, _url, body) => ebs(runtime, req, res, method, url, body);
  }
  return undefined;
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? values[0] : values;
  }
  return record;
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

async function authenticate(
  runtime: AwsRuntime,
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
  if (auth.accessKeyId !== runtime.credentials.accessKeyId) {
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
    runtime.credentials.secretAccessKey,
  );
  if (!valid) {
    return { failure: authFailure(service, 'badSignature') };
  }
  const region = runtime.state().region(auth.region);
  if (!region || !isEnabled(region)) {
    // What AWS answers for a region the account has not enabled.
    return { failure: authFailure(service, 'unknownKey') };
  }
  return { auth };
}

async function ec2(runtime: AwsRuntime, req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer): Promise<void> {
  const requestId = newRequestId();
  const headers = { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, server: 'AmazonEC2' };
  const fail: Fail = (code, message, status) => send(res, status, headers, ec2ErrorResponse(new Ec2Error(code, message, status), requestId).body);

  const authResult = await authenticate(runtime, req, method, url, body, 'ec2');
  if ('failure' in authResult) {
    const { code, message, status } = authResult.failure;
    return fail(code, message, status);
  }
  const region = authResult.auth.region;
  const params = QueryParams.fromEntries([...url.searchParams, ...(method === 'POST' ? new URLSearchParams(body.toString('utf8')) : [])]);
  const action = params.str('Action') ?? '';

  await delay(runtime.faults.latencyMs());
  const decision = runtime.faults.decide(action, region);
  if (preHandleFault(decision, res, fail, 'ec2')) {
    return;
  }
  const state = runtime.state();
  state.visibilityLagMs = runtime.faults.visibilityLagMs();
  const response = handleEc2(state, region, params, requestId);
  if (MUTATING_ACTIONS.has(action)) {
    runtime.changed();
  }
  postHandle(decision, res, response.status, headers, response.body);
}

async function ebs(runtime: AwsRuntime, req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer): Promise<void> {
  const requestId = newRequestId();
  const fail: Fail = (code, message, status, reason) => {
    const response = ebsErrorResponse(new EbsError(code, status, message, reason), requestId);
    send(res, response.status, response.headers, response.body);
  };
  const authResult = await authenticate(runtime, req, method, url, body, 'ebs');
  if ('failure' in authResult) {
    const { code, message, status } = authResult.failure;
    return fail(code, message, status);
  }
  const region = authResult.auth.region;
  const path = decodePath(url.pathname);
  const operation = ebsOperation(method, path) ?? 'Unknown';

  await delay(runtime.faults.latencyMs());
  const decision = runtime.faults.decide(operation, region);
  if (preHandleFault(decision, res, fail, 'ebs')) {
    return;
  }
  const response = handleEbs(runtime.state(), region, method, path, url.searchParams, requestId);
  postHandle(decision, res, response.status, response.headers, response.body);
}

/** Answers (or drops) a request whose fault fires before handling; true when it did. */
function preHandleFault(decision: FaultDecision, res: ServerResponse, fail: Fail, service: Service): boolean {
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
function postHandle(decision: FaultDecision, res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  if (decision.kind === 'dropAfterCommit') {
    res.socket?.destroy();
  } else if (decision.kind === 'malformed') {
    send(res, 200, headers, truncate(body));
  } else {
    send(res, status, headers, body);
  }
}
