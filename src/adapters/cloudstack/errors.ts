/**
 * CloudStack's answers and transport failures → the model's CloudError, with messages fit to show:
 * they name the endpoint and say what to fix (the URL, the keys, the clock, the CA file), never a
 * key, a signature or a query string.
 *
 * CloudStack answers an error as `{ "<command>response": { errorcode, cserrorcode, errortext } }`
 * with the HTTP status equal to `errorcode`, one of apache/cloudstack's ApiErrorCode:
 *
 * | errorcode | ApiErrorCode                  | kind                 | why                                                   |
 * |-----------|-------------------------------|----------------------|-------------------------------------------------------|
 * | 401       | UNAUTHORIZED                  | auth, or unknown (clock) | keys refused; see `clockSkewMs` for the clock case |
 * | 411       | UNAUTHORIZED2FA               | auth                 | the user must pass two-factor authentication          |
 * | 405       | METHOD_NOT_ALLOWED            | invalid              | (the client first resends a refused GET as a POST)    |
 * | 429       | API_LIMIT_EXCEED              | throttled            | the API rate-limit plugin; "retry after N ms"         |
 * | 430       | MALFORMED_PARAMETER_ERROR     | invalid              |                                                       |
 * | 431       | PARAM_ERROR                   | notFound or invalid  | notFound when the text says the id names nothing      |
 * | 432       | UNSUPPORTED_ACTION_ERROR      | invalid or notFound  | a command this server/role lacks is `invalid` (not a missing resource) |
 * | 530       | INTERNAL_ERROR                | server               |                                                       |
 * | 531       | ACCOUNT_ERROR                 | auth                 | permission denied to this account                     |
 * | 532       | ACCOUNT_RESOURCE_LIMIT_ERROR  | invalid              | the account's limit is reached: retrying cannot help  |
 * | 533       | INSUFFICIENT_CAPACITY_ERROR   | server               | the cloud lacks capacity                              |
 * | 534       | RESOURCE_UNAVAILABLE_ERROR    | server               |                                                       |
 * | 535       | RESOURCE_ALLOCATION_ERROR     | invalid              | an allocation limit                                   |
 * | 536       | RESOURCE_IN_USE_ERROR         | inUse                |                                                       |
 * | 537       | NETWORK_RULE_CONFLICT_ERROR   | invalid              |                                                       |
 * | other 4xx / 5xx (a proxy's) | —               | invalid / server     | 404 without a CloudStack body: the endpoint URL       |
 *
 * `errortext` is untrusted: it is only matched (never rendered as markup or followed), stripped of
 * control characters and cut to a bounded length before it joins a message.
 */
import { isUntrustedCertificate, type TransportFailure } from '../http';
import { CloudError, hostOf, untrusted, type ErrorKind } from '../../model/errors';
import type { JobResult } from './api';

/** The fields of a CloudStack error answer (inside `<command>response`, or a failed job's `jobresult`). */
export interface ErrorBody {
  errorcode?: unknown;
  cserrorcode?: unknown;
  errortext?: unknown;
}

/** Where a request went: for messages. */
export interface Where {
  endpoint: string;
  command: string;
  /** True when a CA file is configured (a TLS failure then names that file, not the setting). */
  caConfigured?: boolean;
}

/** The setting a TLS failure points to. */
export const CA_FILE_SETTING = 'snapkeeper.cloudstack.caFile';

/** Text that says the id (or name) given names nothing. */
const NOT_FOUND = /does not exist|doesn't exist|unable to find|could not find|couldn't find|not found|no such|invalid parameter id value|entity does not exist|has been removed|is already deleted|was not found/i;
/** A 432 about the command itself (not offered by this CloudStack version, or not to this role). */
const COMMAND_UNAVAILABLE = /given command .* (either )?does not exist|not available for user|unknown api command/i;
/** The API rate-limit plugin's refusal, whatever its status. */
const THROTTLED = /too many requests|reached (his\/her )?account api limit/i;

/** The kind of a CloudStack error code (its ApiErrorCode, or a proxy's HTTP status), refined by its text. */
export function kindOf(code: number, text: string): ErrorKind {
  if (code === 429 || THROTTLED.test(text)) {
    return 'throttled';
  }
  switch (code) {
    case 401:
    case 411:
    case 531:
      return 'auth';
    case 431:
      return NOT_FOUND.test(text) ? 'notFound' : 'invalid';
    case 432:
      return !COMMAND_UNAVAILABLE.test(text) && NOT_FOUND.test(text) ? 'notFound' : 'invalid';
    case 536:
      return 'inUse';
    case 530:
    case 533:
    case 534:
      return 'server';
    case 532:
    case 535:
    case 537:
      return 'invalid';
  }
  if (code >= 500) {
    return 'server';
  }
  return code >= 400 ? 'invalid' : 'unknown';
}

/** The wait the rate-limit plugin asks for ("please retry after [1234] ms"), or a Retry-After header's, in ms. */
export function retryAfterMs(text: string, retryAfterHeader?: string): number | undefined {
  const m = /retry after \[?(\d+)\]?\s*ms/i.exec(text);
  if (m) {
    return Number(m[1]);
  }
  const seconds = retryAfterHeader !== undefined ? Number(retryAfterHeader) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** How far the server's clock is from ours when a signature was refused (server minus local, ms). */
export interface ClockCheck {
  /** Undefined when the answer had no usable Date header. */
  skewMs?: number;
  /** How long our signatures stay valid. */
  ttlMs: number;
}

/** A strict server (enforce.post.requests.and.timestamps) refuses `expires` more than this far ahead. */
const STRICT_AHEAD_MS = 15 * 60_000;

/** The clock explains a refused signature: ours is so far behind that `expires` had passed, or so far ahead that a strict server refuses it. */
export function clockExplains(clock: ClockCheck): 'behind' | 'ahead' | undefined {
  if (clock.skewMs === undefined) {
    return undefined;
  }
  if (clock.skewMs >= clock.ttlMs - 60_000) {
    return 'behind';
  }
  return clock.ttlMs - clock.skewMs > STRICT_AHEAD_MS ? 'ahead' : undefined;
}

function minutes(ms: number): string {
  const n = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  return `${n} minute${n === 1 ? '' : 's'}`;
}

/**
 * An error answer of CloudStack (or of a proxy in front of it) → CloudError.
 * `status` is the HTTP status; `body` the object inside `<command>response` when it was JSON.
 */
export function answerError(status: number, body: ErrorBody | undefined, where: Where, clock?: ClockCheck, retryAfterHeader?: string): CloudError {
  const code = typeof body?.errorcode === 'number' ? body.errorcode : status;
  const text = untrusted(body?.errortext);
  const host = hostOf(where.endpoint);
  const opts = { code: String(code) };
  const kind = kindOf(code, text);

  if (code === 401) {
    const off = clock ? clockExplains(clock) : undefined;
    if (off && clock?.skewMs !== undefined) {
      // Not 'auth' or 'expired': the keys are right and no sign-in helps (the UI would say "Sign in
      // needed"); and not 'invalid', which a poll counts as an undecidable answer. 'unknown' shows
      // the message with Retry, which is the fix once the clock is right.
      return new CloudError(
        'unknown',
        off === 'behind'
          ? `CloudStack at ${host} refused the request's signature as expired: this computer's clock is ${minutes(clock.skewMs)} behind the server's. Correct the clock (set the time automatically), then Retry.`
          : `CloudStack at ${host} refused the request's signature: this computer's clock is ${minutes(clock.skewMs)} ahead of the server's, and a server that enforces timestamps refuses signatures that expire more than 15 minutes ahead. Correct the clock (set the time automatically), then Retry; if it is still refused, check the API key and secret key.`,
        { code: 'ClockSkew' },
      );
    }
    return new CloudError(
      'auth',
      `CloudStack at ${host} refused the API key and signature (HTTP 401): check the API key and secret key — keys that were regenerated or removed, or a disabled user, are refused the same way.`,
      opts,
    );
  }
  if (code === 411) {
    return new CloudError('auth', `CloudStack at ${host} asks this user for two-factor authentication, which API keys cannot answer${text ? `: ${text}` : ''}`, opts);
  }
  if (body?.errorcode === undefined && (status === 404 || status === 405)) {
    // A page, not CloudStack's API: the URL is not the API's.
    return new CloudError('invalid', `${where.endpoint} answered HTTP ${status}: check the endpoint URL (CloudStack's API is usually at http(s)://<server>:8080/client/api).`, { code: String(status) });
  }
  switch (kind) {
    case 'throttled': {
      const wait = retryAfterMs(text, retryAfterHeader);
      return new CloudError('throttled', `CloudStack at ${host} is limiting the rate of API requests${wait !== undefined ? ` (retry after ${Math.ceil(wait / 1000)} s)` : ''}${text ? `: ${text}` : ''}`, opts);
    }
    case 'auth':
      return new CloudError('auth', `CloudStack refused ${where.command} to this account${text ? `: ${text}` : ''}`, opts);
    case 'server':
      return new CloudError('server', `CloudStack at ${host} failed ${where.command} (${code === 533 ? 'insufficient capacity' : `HTTP ${code}`})${text ? `: ${text}` : ''}`, opts);
    case 'invalid':
      if (code === 432 && COMMAND_UNAVAILABLE.test(text)) {
        return new CloudError('invalid', `CloudStack at ${host} does not offer ${where.command} to this account (not in its version, or not allowed for its role)`, { code: String(code) });
      }
      return new CloudError('invalid', text || `CloudStack refused ${where.command} (HTTP ${code})`, opts);
    default:
      return new CloudError(kind, text || `CloudStack ${where.command} failed (HTTP ${code})`, opts);
  }
}

/** A failure to reach the endpoint (refused, DNS, TLS, reset, timeout) → CloudError 'network', naming what to check. */
export function transportError(e: unknown, where: Where): CloudError {
  const f: TransportFailure = typeof e === 'object' && e !== null ? (e as TransportFailure) : { message: String(e) };
  const code = f.code ?? '';
  const host = hostOf(where.endpoint);
  const opts = { code: code || undefined, cause: e };
  if (code === 'ECONNREFUSED') {
    return new CloudError('network', `Nothing answers at ${where.endpoint} (connection refused): check the endpoint URL and that CloudStack is running.`, opts);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CloudError('network', `The host ${host} of the endpoint ${where.endpoint} could not be found (DNS): check the endpoint URL.`, opts);
  }
  if (isUntrustedCertificate(code)) {
    return new CloudError(
      'network',
      where.caConfigured
        ? `The TLS certificate of ${host} is not signed by the CA file configured for this account (${code}): check that the CA file holds the CA that signed the server's certificate.`
        : `The TLS certificate of ${host} is not signed by a certificate authority this computer trusts (${code}). If the endpoint uses its own CA, set ${CA_FILE_SETTING} (or the account's CA file) to that CA's PEM file.`,
      opts,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new CloudError('network', `The TLS certificate of ${host} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'} (${code}): check the server's certificate, or this computer's clock.`, opts);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new CloudError('network', `The TLS certificate of ${host} is for another host name: use the host name the certificate names in the endpoint URL.`, opts);
  }
  if (code === 'ETIMEDOUT' || code === 'TIMEOUT') {
    return new CloudError('network', `${where.endpoint} did not answer ${where.command} in time.`, opts);
  }
  if (code === 'EPROTO' || /wrong version number|ssl3_get_record|packet length too long/i.test(f.message ?? '')) {
    return new CloudError('network', `${where.endpoint} does not speak the protocol of its URL (http:// or https://?): check the endpoint URL.`, opts);
  }
  const detail = code || redactQuery(untrusted(f.message, 120)) || 'connection failed';
  return new CloudError('network', `The connection to ${host} failed during ${where.command} (${detail}).`, opts);
}

/** A failed job's message: CloudStack's `jobresult.errortext` (untrusted, bounded), or its error code. */
export function jobFailureMessage(result: JobResult): string {
  const text = untrusted(result.jobresult?.errortext);
  if (text) {
    return text;
  }
  const code = result.jobresult?.errorcode ?? result.jobresultcode;
  return `The CloudStack job ${untrusted(result.jobid, 80)} failed${code !== undefined ? ` (error ${untrusted(String(code), 20)})` : ''}.`;
}

/** A failed job as a CloudError, its kind from its error code as for a synchronous answer. */
export function jobError(result: JobResult): CloudError {
  const code = typeof result.jobresult?.errorcode === 'number' ? result.jobresult.errorcode : 530;
  const message = jobFailureMessage(result);
  return new CloudError(kindOf(code, message), message, { code: String(code) });
}

/** Key material never reaches a log line or message: `apiKey=`, `signature=`, `secretkey=` values are masked. */
export function redactQuery(text: string): string {
  return text.replace(/((?:^|[?&\s"'])(?:apikey|signature|secretkey|sessionkey|password)=)[^&\s"']*/gi, '$1***');
}
