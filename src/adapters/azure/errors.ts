/**
 * Translation of everything the Azure SDK can throw (RestError with ARM error bodies, credential
 * errors, socket errors, unreadable bodies) into the model's CloudError. Messages are fit to show:
 * they name the account and the fix, never a token, SAS, header or stack.
 */
import { CloudError, isCloudError, type ErrorKind } from '../../model/errors';
import { editorSignIn } from './signIn';

/** How an account signs in, to word "sign in again" and offer the right Sign In action. */
export interface AuthInfo {
  mode: 'vscode' | 'cli' | 'sandbox';
  tenantId?: string;
  /** The ARM scope the tokens are for (for VS Code's sign-in). */
  scope: string;
}

interface RestErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  response?: { status?: number; headers?: { get(name: string): string | undefined } };
  details?: unknown;
}

function asErr(e: unknown): RestErrorLike {
  return typeof e === 'object' && e !== null ? (e as RestErrorLike) : { message: String(e) };
}

/** True for the error an aborted request rejects with; passed through untranslated. */
export function isAbortError(e: unknown): boolean {
  const err = asErr(e);
  return err.name === 'AbortError' || err.code === 'ABORT_ERR';
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'REQUEST_SEND_ERROR',
  'UND_ERR_SOCKET',
]);

/** SAS query strings and bearer tokens never reach a message. */
export function redact(text: string): string {
  return text
    .replace(/([?&](sig|se|sv|sp|sr|st|skoid|sktid|skt|ske|sks|skv)=)[^&\s"']*/gi, '$1***')
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***')
    .replace(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, '***');
}

function shorten(msg: string): string {
  const line = redact(msg.split('\n')[0].trim());
  return line.length > 400 ? `${line.slice(0, 397)}…` : line;
}

/** ARM error codes → kinds (those not decided by the HTTP status alone). */
export function kindOf(code: string | undefined, status: number | undefined): ErrorKind {
  const c = (code ?? '').toLowerCase();
  if (c === 'expiredauthenticationtoken' || c === 'invalidauthenticationtokenaudience' || c === 'invalidauthenticationtoken' || c === 'authenticationfailed') {
    return c === 'invalidauthenticationtokenaudience' ? 'auth' : 'expired';
  }
  if (c === 'authorizationfailed' || c === 'linkedauthorizationfailed' || c === 'invalidauthenticationtokentenant' || c === 'subscriptionnotfound' && status === 403) {
    return 'auth';
  }
  if (c === 'toomanyrequests' || c.includes('throttl') || c === 'operationnotallowed' && status === 429) {
    return 'throttled';
  }
  if (c === 'resourcenotfound' || c === 'notfound' || c === 'resourcegroupnotfound' || c === 'parentresourcenotfound' || c === 'subscriptionnotfound') {
    return 'notFound';
  }
  if (c === 'conflict' || c === 'operationnotallowed' || c === 'propertychangenotallowed' || c === 'inuse' || c.endsWith('inuse') || c === 'resourceinuse') {
    return status === 400 || c === 'propertychangenotallowed' ? 'invalid' : 'inUse';
  }
  if (status === 401) {
    return 'expired';
  }
  if (status === 403) {
    return 'auth';
  }
  if (status === 404) {
    return 'notFound';
  }
  if (status === 409) {
    return 'inUse';
  }
  if (status === 429) {
    return 'throttled';
  }
  if (status !== undefined && status >= 500) {
    return 'server';
  }
  if (status !== undefined && status >= 400) {
    return 'invalid';
  }
  return 'unknown';
}

function signIn(auth: AuthInfo): { signInCommand?: string; signInProvider?: CloudError['signInProvider'] } {
  if (auth.mode === 'vscode') {
    return { signInProvider: { provider: editorSignIn.providerId, scopes: [auth.scope], tenantId: auth.tenantId } };
  }
  if (auth.mode === 'cli') {
    return { signInCommand: auth.tenantId ? `az login --tenant ${auth.tenantId}` : 'az login' };
  }
  return {};
}

/** The "signed out" error of an account (no token, refused or expired token). */
export function signedOut(auth: AuthInfo, detail?: string, opts: { code?: string; requestId?: string; cause?: unknown } = {}): CloudError {
  if (auth.mode === 'sandbox') {
    return new CloudError('expired', `The sandbox refused the token${detail ? ` (${detail})` : ''}; Retry.`, opts);
  }
  const what =
    auth.mode === 'vscode'
      ? `Sign in to Microsoft in VS Code${auth.tenantId ? ` (directory ${auth.tenantId})` : ''} to see this Azure account`
      : `The Azure CLI is not signed in${auth.tenantId ? ` to directory ${auth.tenantId}` : ''}: run az login${auth.tenantId ? ` --tenant ${auth.tenantId}` : ''}`;
  return new CloudError('expired', detail ? `${what} (${shorten(detail)})` : what, { ...opts, ...signIn(auth) });
}

/** The permission an AuthorizationFailed message names ("…perform action 'Microsoft.Compute/snapshots/write' over scope…"). */
export function missingPermission(message: string | undefined): string | undefined {
  return /action '([^']+)'/i.exec(message ?? '')?.[1];
}

/** Translates anything thrown into a CloudError. CloudErrors pass through unchanged. */
export function toCloudError(e: unknown, auth: AuthInfo): CloudError {
  if (isCloudError(e)) {
    return e;
  }
  const err = asErr(e);
  const status = err.statusCode ?? err.response?.status;
  const requestId = err.response?.headers?.get('x-ms-request-id') ?? err.response?.headers?.get('x-ms-correlation-request-id') ?? undefined;
  const message = err.message ?? '';

  // Credential errors (@azure/identity) never reached ARM.
  if (err.name === 'CredentialUnavailableError' || err.name === 'AuthenticationRequiredError') {
    return signedOut(auth, message, { code: err.name, cause: e });
  }
  if (err.name === 'AuthenticationError') {
    return signedOut(auth, message, { code: err.name, cause: e });
  }

  if (err.code === 'PARSE_ERROR' || (status !== undefined && status < 400 && (err.name === 'SyntaxError' || /Couldn't paginate|should be a string|Unexpected token|JSON/i.test(message)))) {
    return new CloudError('malformed', 'Azure returned a response that could not be read', { requestId, cause: e });
  }
  if (e instanceof TypeError && status === undefined) {
    // A deserializer met a body of the wrong shape.
    return new CloudError('malformed', 'Azure returned a response that could not be read', { cause: e });
  }

  if (status === undefined && ((err.code !== undefined && NETWORK_CODES.has(err.code)) || /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|network|fetch failed|certificate/i.test(message))) {
    const detail = err.code && err.code !== 'REQUEST_SEND_ERROR' ? err.code : shorten(message) || 'connection failed';
    return new CloudError('network', `Could not reach Azure (${detail})`, { code: err.code, cause: e });
  }

  const code = err.code && !NETWORK_CODES.has(err.code) ? err.code : undefined;
  const kind = kindOf(code, status);
  const armMessage = message ? shorten(message) : undefined;
  switch (kind) {
    case 'expired':
      return signedOut(auth, armMessage, { code, requestId, cause: e });
    case 'auth': {
      const perm = missingPermission(message);
      const text = perm
        ? `Azure refused the request: the signed-in identity lacks the permission ${perm}`
        : `Azure refused the request${armMessage ? `: ${armMessage}` : ''}`;
      return new CloudError('auth', text, { code, requestId, cause: e, ...signIn(auth) });
    }
    case 'throttled':
      return new CloudError('throttled', `Azure is throttling requests (${code ?? `HTTP ${status}`})${armMessage ? `: ${armMessage}` : ''}`, {
        code,
        requestId,
        cause: e,
      });
    case 'server':
      return new CloudError('server', `${status === 503 ? 'Azure is unavailable' : 'Azure had an internal error'} (HTTP ${status})${armMessage ? `: ${armMessage}` : ''}`, {
        code,
        requestId,
        cause: e,
      });
    default:
      return new CloudError(kind, armMessage || code || `Azure request failed${status ? ` (HTTP ${status})` : ''}`, { code, requestId, cause: e });
  }
}

/** True for failures after which a create may or may not have happened. */
export function isAmbiguous(e: CloudError): boolean {
  return e.kind === 'network' || e.kind === 'server' || e.kind === 'throttled' || e.kind === 'malformed';
}
