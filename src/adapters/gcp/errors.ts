/**
 * WireErrors (what the SDK side throws, as plain data) → the model's CloudError, with messages fit
 * to show: the fix for an expired login, the link that enables the Compute Engine API, the
 * permission a 403 names. Never a token or a header.
 */
import { CloudError, isCloudError, type ErrorKind } from '../../model/errors';
import type { WireError } from './api';

export const SIGN_IN_COMMAND = 'gcloud auth application-default login';

/** gRPC status codes (as GoogleError.code carries them) → the HTTP status they stand for. */
const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 13: 500, 14: 503, 16: 401 };

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export function redact(text: string): string {
  return text.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***').replace(/ya29\.[A-Za-z0-9._-]+/g, 'ya29.***');
}

function short(msg: string): string {
  const line = redact((msg ?? '').split('\n')[0].trim());
  return line.length > 400 ? `${line.slice(0, 397)}…` : line;
}

/** True for the abort of a listing (passed through untranslated). */
export function isAbortError(e: unknown): boolean {
  const err = e as { name?: string; code?: string } | undefined;
  return typeof e === 'object' && e !== null && (err?.name === 'AbortError' || err?.code === 'ABORT_ERR');
}

export interface AuthInfo {
  mode: 'adc' | 'sandbox';
}

function statusOf(w: WireError): number | undefined {
  return w.status ?? (w.grpcCode !== undefined ? GRPC_TO_HTTP[w.grpcCode] : undefined);
}

/** The Compute Engine API is off for a project: the enable link from the message or ErrorInfo. */
export function enableLink(w: WireError): string | undefined {
  return w.activationUrl ?? /https:\/\/console\.(?:developers|cloud)\.google\.com\/apis\/api\/compute\.googleapis\.com\/overview\?project=[\w-]+/.exec(w.message)?.[0];
}

function isApiDisabled(w: WireError): boolean {
  return /SERVICE_DISABLED|accessNotConfigured/i.test(w.reason ?? '') || /API has not been used in project|it is disabled/i.test(w.message);
}

/** The permission a 403 names ("Required 'compute.snapshots.create' permission for …"). */
export function missingPermission(message: string): string | undefined {
  return /Required '([\w.]+)' permission/i.exec(message)?.[1] ?? /permission '?([a-z]+\.[\w.]+)'?/i.exec(message)?.[1];
}

/** Anything thrown on either side → CloudError (CloudErrors pass unchanged). */
export function toCloudError(e: unknown, auth: AuthInfo, project?: string): CloudError {
  if (isCloudError(e)) {
    return e;
  }
  const w: WireError =
    typeof e === 'object' && e !== null && typeof (e as WireError).message === 'string'
      ? (e as WireError)
      : { message: e instanceof Error ? e.message : String(e) };
  const msg = short(w.message);
  const status = statusOf(w);
  const signIn = auth.mode === 'adc' ? { signInCommand: SIGN_IN_COMMAND } : {};
  const opts = { code: w.reason ?? w.code, cause: e };

  if (w.code === 'WORKER_EXITED' || w.code === 'WORKER_MISSING' || w.code === 'DISPOSED') {
    return new CloudError('unknown', msg, opts);
  }
  if (status === undefined) {
    if ((w.code && NETWORK_CODES.has(w.code)) || /ECONNREFUSED|ECONNRESET|socket hang up|network|fetch failed|other side closed|EPIPE|ETIMEDOUT/i.test(w.message)) {
      return new CloudError('network', `Could not reach Google Cloud (${w.code ?? msg})`, opts);
    }
    if (w.name === 'SyntaxError' || /JSON|Unexpected (token|end)|Unterminated|invalid json/i.test(w.message)) {
      return new CloudError('malformed', 'Google Cloud returned a response that could not be read', opts);
    }
    if (/Could not load the default credentials|Could not refresh access token|invalid_grant|reauth|No refresh token|unable to impersonate/i.test(w.message)) {
      return new CloudError('expired', `Google Cloud credentials are missing or expired: run ${SIGN_IN_COMMAND} (${msg})`, { ...opts, ...signIn });
    }
  }
  let kind: ErrorKind = 'unknown';
  if (status === 401) {
    kind = 'expired';
  } else if (status === 403) {
    kind = 'auth';
  } else if (status === 404) {
    kind = 'notFound';
  } else if (status === 409) {
    kind = 'invalid';
  } else if (status === 412) {
    kind = 'invalid';
  } else if (status === 429) {
    kind = 'throttled';
  } else if (status !== undefined && status >= 500) {
    kind = 'server';
  } else if (status === 400) {
    kind = /already being used by|resourceInUseByAnotherResource|is in use|in use by/i.test(w.message + (w.reason ?? '')) ? 'inUse' : 'invalid';
  } else if (status !== undefined && status >= 400) {
    kind = 'invalid';
  }
  switch (kind) {
    case 'expired':
      return new CloudError(
        'expired',
        auth.mode === 'sandbox' ? `The sandbox refused the token (${msg}); Retry.` : `Google Cloud refused the credentials: sign in again with ${SIGN_IN_COMMAND}`,
        { ...opts, ...signIn },
      );
    case 'auth': {
      if (isApiDisabled(w)) {
        const link = enableLink(w) ?? `https://console.cloud.google.com/apis/library/compute.googleapis.com${project ? `?project=${project}` : ''}`;
        return new CloudError('auth', `The Compute Engine API is not enabled for project ${project ?? ''}`.trim() + `. Enable it at ${link} (then wait a few minutes) and Retry.`, { ...opts, code: 'accessNotConfigured' });
      }
      const perm = missingPermission(w.message);
      return new CloudError('auth', perm ? `Google Cloud refused the request: the signed-in account lacks the permission ${perm}` : `Google Cloud refused the request${msg ? `: ${msg}` : ''}`, { ...opts, ...signIn });
    }
    case 'throttled':
      return new CloudError('throttled', `Google Cloud is rate-limiting requests${msg ? `: ${msg}` : ''}`, opts);
    case 'server':
      return new CloudError('server', `${status === 503 ? 'Google Cloud is unavailable' : 'Google Cloud had an internal error'} (HTTP ${status})${msg ? `: ${msg}` : ''}`, opts);
    default:
      return new CloudError(kind, msg || `Google Cloud request failed${status ? ` (HTTP ${status})` : ''}`, opts);
  }
}

/**
 * True for failures that may be retried: reads are idempotent, and every mutation carries its
 * requestId, so a repeat (after a reset, or a 200 whose body was cut short) answers the operation
 * the first one started instead of starting another.
 */
export function isRetryable(e: CloudError): boolean {
  return e.kind === 'throttled' || e.kind === 'server' || e.kind === 'network' || e.kind === 'malformed';
}
