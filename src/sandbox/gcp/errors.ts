/** Compute Engine errors, in the shape the real service answers them. */

export interface GcpErrorBody {
  error: {
    code: number;
    message: string;
    errors: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
    status?: string;
    details?: unknown[];
  };
}

export class GcpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: { domain?: string; grpcStatus?: string; headers?: Record<string, string>; details?: unknown[]; location?: string; locationType?: string } = {},
  ) {
    super(message);
  }

  body(): GcpErrorBody {
    const item: GcpErrorBody['error']['errors'][number] = { message: this.message, domain: this.extra.domain ?? 'global', reason: this.reason };
    if (this.extra.location) {
      item.location = this.extra.location;
      item.locationType = this.extra.locationType ?? 'parameter';
    }
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [item],
        ...(this.extra.grpcStatus ? { status: this.extra.grpcStatus } : {}),
        ...(this.extra.details ? { details: this.extra.details } : {}),
      },
    };
  }
}

export const notFound = (path: string) => new GcpError(404, 'notFound', `The resource '${path}' was not found`);

export const alreadyExists = (path: string) => new GcpError(409, 'alreadyExists', `The resource '${path}' already exists`);

export const invalid = (message: string) => new GcpError(400, 'invalid', message);

export const badRequest = (message: string) => new GcpError(400, 'badRequest', message);

export const required = (field: string) => new GcpError(400, 'required', `Required field '${field}' not specified`);

export const notReady = (path: string) => new GcpError(400, 'resourceNotReady', `The resource '${path}' is not ready`);

export const inUse = (path: string, by: string) =>
  new GcpError(400, 'resourceInUseByAnotherResource', `The disk resource '${path}' is already being used by '${by}'`);

export const conditionNotMet = (message: string) => new GcpError(412, 'conditionNotMet', message, { grpcStatus: 'FAILED_PRECONDITION' });

export const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid ' +
  'authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export function unauthenticated(): GcpError {
  return new GcpError(401, 'authError', UNAUTHENTICATED_MESSAGE, {
    grpcStatus: 'UNAUTHENTICATED',
    location: 'Authorization',
    locationType: 'header',
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}

/** The API is not enabled for a project (the 403 every call then answers). */
export function accessNotConfigured(projectNumber: string): GcpError {
  const message =
    `Compute Engine API has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ` +
    `https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=${projectNumber} then retry. ` +
    'If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.';
  return new GcpError(403, 'accessNotConfigured', message, {
    domain: 'usageLimits',
    grpcStatus: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: { service: 'compute.googleapis.com', consumer: `projects/${projectNumber}` },
      },
    ],
  });
}

export function forbidden(message: string): GcpError {
  return new GcpError(403, 'forbidden', message);
}

export function rateLimited(projectNumber: string): GcpError {
  return new GcpError(
    429,
    'rateLimitExceeded',
    `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:${projectNumber}'.`,
    { domain: 'usageLimits', grpcStatus: 'RESOURCE_EXHAUSTED' },
  );
}

export function backendError(): GcpError {
  const code = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  return new GcpError(503, 'backendError', `Internal error. Please try again or contact Google Support. (Code: '${code}')`, { grpcStatus: 'UNAVAILABLE' });
}

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Compute Engine's name rule: 400 invalid otherwise. */
export function checkName(name: unknown, field = 'resource.name'): string {
  if (typeof name !== 'string' || name === '') {
    throw required(field);
  }
  if (!NAME.test(name)) {
    throw invalid(`Invalid value for field '${field}': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})'`);
  }
  return name;
}

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/** Label rules: keys start lower-case, ≤ 63 characters of [a-z0-9_-]; at most 64 labels. */
export function checkLabels(labels: unknown, field = 'resource.labels'): Record<string, string> {
  if (labels === undefined || labels === null) {
    return {};
  }
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw invalid(`Invalid value for field '${field}'.`);
  }
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > 64) {
    throw invalid(`Invalid value for field '${field}': too many labels (${entries.length}); at most 64 are allowed.`);
  }
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      throw invalid(`Invalid value for field '${field}': '${key}'. Label keys must start with a lowercase letter and contain only lowercase letters, numeric characters, underscores and dashes (at most 63).`);
    }
    const text = value === null || value === undefined ? '' : String(value);
    if (!LABEL_VALUE.test(text)) {
      throw invalid(`Invalid value for field '${field}.${key}': '${text}'. Label values may contain only lowercase letters, numeric characters, underscores and dashes (at most 63).`);
    }
    result[key] = text;
  }
  return result;
}
