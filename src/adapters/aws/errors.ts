/**
 * Translation of everything the AWS SDK can throw (service errors, credential-provider errors,
 * socket errors, deserialization failures) into the model's CloudError. Messages are fit to show:
 * they name the profile and the fix, never a credential, header or stack.
 */
import { CloudError, isCloudError, type ErrorKind } from '../../model/errors';

/** What the translation needs to know about the account to word its messages. */
export interface ErrorContext {
  /** The profile name (or the account label for accounts without a profile). */
  profile: string;
  /** True when the profile signs in through IAM Identity Center (SSO). */
  sso: boolean;
  /** True for the built-in sandbox account (no profile: messages say "the sandbox"). */
  sandbox?: boolean;
}

const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);

const EXPIRED_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

const AUTH_CODES = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'Blocked',
  'OptInRequired',
  'PendingVerification',
]);

const INVALID_CODES = new Set([
  'InvalidParameterValue',
  'InvalidParameter',
  'InvalidParameterCombination',
  'MissingParameter',
  'UnknownParameter',
  'IncorrectState',
  'IncorrectInstanceState',
  'InvalidRequest',
  'InvalidState',
  'ValidationError',
  'UnsupportedOperation',
  'OperationNotPermitted',
  'IdempotentParameterMismatch',
]);

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
]);

/** The fields of an SDK error we read; every one optional because anything can be thrown. */
interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $response?: unknown;
  RequestID?: string;
  RequestId?: string;
}

function asSdkError(e: unknown): SdkErrorLike {
  return typeof e === 'object' && e !== null ? (e as SdkErrorLike) : { message: String(e) };
}

/** True for the error an aborted request rejects with; these are passed through untranslated. */
export function isAbortError(e: unknown): boolean {
  const name = asSdkError(e).name;
  return name === 'AbortError';
}

/** The "fix it" sentence for expired credentials of this account. */
export function expiredFix(ctx: ErrorContext): string {
  return ctx.sso
    ? `Sign in again: aws sso login --profile ${ctx.profile}`
    : `Refresh the credentials of profile ${ctx.profile}`;
}

function expiredError(ctx: ErrorContext, code: string | undefined, requestId: string | undefined, cause: unknown): CloudError {
  if (ctx.sandbox) {
    return new CloudError('expired', 'The sandbox answered that the credentials have expired (an injected fault); clear it and Retry.', {
      code,
      requestId,
      cause,
    });
  }
  const what = ctx.sso ? `The SSO session of AWS profile "${ctx.profile}" has expired` : `The credentials of AWS profile "${ctx.profile}" have expired`;
  return new CloudError('expired', `${what}. ${expiredFix(ctx)}.`, {
    code,
    requestId,
    cause,
    signInCommand: ctx.sso ? `aws sso login --profile ${ctx.profile}` : undefined,
  });
}

/** True when the SDK failed to parse a response body (XML parse / deserialization error). */
function isDeserializationError(err: SdkErrorLike): boolean {
  const msg = err.message ?? '';
  return (
    err.name === 'SerializationException' ||
    /Deserialization error|XML parse error|Unable to parse|Expected closing tag|Unexpected (token|end)/i.test(msg)
  );
}

function isNetworkError(err: SdkErrorLike): boolean {
  const msg = err.message ?? '';
  return (
    (err.code !== undefined && NETWORK_CODES.has(err.code)) ||
    NETWORK_CODES.has(err.name ?? '') ||
    err.name === 'TimeoutError' ||
    err.name === 'RequestTimeout' ||
    err.name === 'RequestTimeoutException' ||
    /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|connect (ECONN|EHOST)|network/i.test(msg)
  );
}

/** The error code, or undefined for errors that do not carry an AWS code. */
function awsCode(err: SdkErrorLike): string | undefined {
  if (typeof err.Code === 'string' && err.Code) {
    return err.Code;
  }
  if (err.$fault && err.name && err.name !== 'Error') {
    return err.name;
  }
  return undefined;
}

/**
 * Classifies an AWS error code (and HTTP status) into an ErrorKind. Exported for unit tests and
 * for the adapter's own retry of non-idempotent creates.
 */
export function kindOfCode(code: string | undefined, status: number | undefined): ErrorKind {
  if (code) {
    if (THROTTLING_CODES.has(code) || /Throttl/i.test(code)) {
      return 'throttled';
    }
    if (EXPIRED_CODES.has(code)) {
      return 'expired';
    }
    if (AUTH_CODES.has(code) || code.startsWith('AuthFailure')) {
      return 'auth';
    }
    if (code.endsWith('.NotFound') || code === 'NotFound' || code.endsWith('.Unavailable')) {
      return 'notFound';
    }
    if (code.endsWith('.InUse') || code === 'VolumeInUse' || code === 'DependencyViolation') {
      return 'inUse';
    }
    if (
      INVALID_CODES.has(code) ||
      code.endsWith('.Malformed') ||
      code.endsWith('.Duplicate') ||
      code.startsWith('Invalid') ||
      code.startsWith('Incorrect') ||
      code.startsWith('Missing') ||
      code.endsWith('LimitExceeded')
    ) {
      return 'invalid';
    }
  }
  if (status === 429) {
    return 'throttled';
  }
  if (status !== undefined && status >= 500) {
    return 'server';
  }
  if (status === 401 || status === 403) {
    return 'auth';
  }
  return 'unknown';
}

/**
 * Translates anything thrown by the SDK into a CloudError. CloudErrors pass through unchanged.
 * `attempts` is reported in the throttling message ("tried N times").
 */
export function toCloudError(e: unknown, ctx: ErrorContext, attemptsOverride?: number): CloudError {
  if (isCloudError(e)) {
    return e;
  }
  const err = asSdkError(e);
  const status = err.$metadata?.httpStatusCode;
  const requestId = err.$metadata?.requestId ?? err.RequestID ?? err.RequestId;
  const attempts = attemptsOverride ?? err.$metadata?.attempts ?? 1;
  const code = awsCode(err);
  const times = attempts === 1 ? 'once' : `${attempts} times`;

  // Errors of the credential chain (SSO, process, ini…) never reach AWS.
  if (err.name === 'CredentialsProviderError' || err.name === 'TokenProviderError') {
    const msg = err.message ?? '';
    const ssoNeedsLogin = ctx.sso && /is invalid|was not found|sso login|SSO session/i.test(msg);
    if (/expired/i.test(msg) || ssoNeedsLogin) {
      return expiredError(ctx, err.name, undefined, e);
    }
    return new CloudError(
      'auth',
      `Could not load the credentials of AWS profile "${ctx.profile}": ${firstSentence(msg)}`,
      { code: err.name, cause: e },
    );
  }

  if (isDeserializationError(err)) {
    if (status !== undefined && status >= 500) {
      return new CloudError('server', `AWS answered HTTP ${status} (tried ${times})`, { requestId, cause: e });
    }
    return new CloudError('malformed', 'AWS returned a response that could not be read', { requestId, cause: e });
  }

  if (!code && isNetworkError(err)) {
    const detail = err.code ?? (err.message || err.name || 'connection failed');
    return new CloudError('network', `Could not reach AWS (${detail}; tried ${times})`, {
      code: err.code,
      cause: e,
    });
  }

  const kind = kindOfCode(code, status);
  const awsMessage = err.message && err.message !== code ? err.message : undefined;
  switch (kind) {
    case 'throttled':
      return new CloudError('throttled', `AWS is throttling requests (${code ?? `HTTP ${status}`}); tried ${times}`, {
        code,
        requestId,
        cause: e,
      });
    case 'expired':
      return expiredError(ctx, code, requestId, e);
    case 'auth':
      return new CloudError(
        'auth',
        `${ctx.sandbox ? 'The sandbox refused the credentials' : `AWS refused the credentials of profile "${ctx.profile}"`}${awsMessage ? `: ${awsMessage}` : ''}`,
        { code, requestId, cause: e },
      );
    case 'server':
      return new CloudError('server', `${status === 503 ? 'AWS is unavailable' : 'AWS had an internal error'}${awsMessage ? `: ${awsMessage}` : ''} (tried ${times})`, {
        code,
        requestId,
        cause: e,
      });
    default:
      return new CloudError(kind, awsMessage ?? code ?? err.name ?? 'AWS request failed', { code, requestId, cause: e });
  }
}

function firstSentence(msg: string): string {
  const line = msg.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/** True for failures after which a create may or may not have happened on the server. */
export function isAmbiguous(e: CloudError): boolean {
  return e.kind === 'network' || e.kind === 'server' || e.kind === 'throttled' || e.kind === 'malformed';
}

/** The same error, saying it was tried `attempts` times (for the adapter's own retries). */
export function withAttempts(e: CloudError, attempts: number): CloudError {
  if (!/tried (once|\d+ times)/.test(e.message)) {
    return e;
  }
  const times = attempts === 1 ? 'once' : `${attempts} times`;
  return new CloudError(e.kind, e.message.replace(/tried (once|\d+ times)/, `tried ${times}`), {
    code: e.code,
    requestId: e.requestId,
    cause: e.cause,
  });
}
