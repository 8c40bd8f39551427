/**
 * OpenStack's error bodies, each service in its own words:
 * - Nova and Cinder (their wsgi `Fault`): `{"<name>": {"code": N, "message": "…"}}` (plus
 *   `retryAfter` on a 413 or 429 that has a Retry-After) with the name
 *   by status (badRequest, itemNotFound, conflictingRequest, forbidden, overLimit, …; `computeFault`
 *   for any other, e.g. the 406 of an unsupported microversion);
 * - Keystone and keystonemiddleware's token check in front of every service:
 *   `{"error": {"code": N, "title": "…", "message": "…"}}`;
 * - Glance (webob): plain text, `<status line>\n\n<explanation>\n\n   `;
 * - Neutron: `{"NeutronError": {"type", "message", "detail"}}`.
 */

export type OsService = 'identity' | 'compute' | 'volume' | 'image' | 'network';

const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** keystonemiddleware's (and Keystone's) answer to a missing, wrong or expired token or password. */
export const UNAUTHORIZED_MESSAGE = 'The request you have made requires authentication.';

export class OsError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds for `Retry-After` (413, 429, 503). */
    readonly retryAfter?: number,
    /** Neutron's error type (e.g. NetworkNotFound). */
    readonly neutronType?: string,
  ) {
    super(message);
  }

  /** The answer as `service` writes it: content type and body text. */
  render(service: OsService): { type: string; text: string } {
    if (service === 'image') {
      return { type: 'text/plain; charset=UTF-8', text: `${this.status} ${statusTitle(this.status)}\n\n${this.message}\n\n   ` };
    }
    if (service === 'identity') {
      return json({ error: { code: this.status, title: statusTitle(this.status), message: this.message } });
    }
    if (service === 'network') {
      return json({ NeutronError: { type: this.neutronType ?? statusTitle(this.status).replace(/ /g, ''), message: this.message, detail: '' } });
    }
    // Nova's and Cinder's Fault repeats a 413's or 429's Retry-After in the body.
    const retry = (this.status === 413 || this.status === 429) && this.retryAfter !== undefined ? { retryAfter: String(this.retryAfter) } : {};
    return json({ [FAULT_NAMES[this.status] ?? 'computeFault']: { code: this.status, message: this.message, ...retry } });
  }
}

function json(value: unknown): { type: string; text: string } {
  return { type: 'application/json', text: JSON.stringify(value) };
}

export const badRequest = (message: string) => new OsError(400, message);
export const notFound = (message: string) => new OsError(404, message);
export const conflict = (message: string) => new OsError(409, message);
export const forbidden = (message: string) => new OsError(403, message);
export const unauthorized = () => new OsError(401, UNAUTHORIZED_MESSAGE);
