/**
 * OpenStack's error answers and transport failures → the model's CloudError, with messages fit to
 * show: they name the service and what to fix, never a token, a password or a secret.
 *
 * Each service writes its errors its own way:
 * - Nova and Cinder: one key naming the fault, `{"itemNotFound": {"code": 404, "message": …}}`,
 *   `badRequest`, `conflictingRequest`, `forbidden`, `overLimit`, `computeFault`…;
 * - Keystone: `{"error": {"code": 401, "title": "Unauthorized", "message": …}}`;
 * - Neutron: `{"NeutronError": {"type": …, "message": …, "detail": …}}`;
 * - webob's JSON variants: `{"message": …, "code": …}` (and `title`/`description`);
 * - Glance (and any proxy): plain text or an HTML page, `404 Not Found\n\nNo image found with ID …`.
 *
 * | status | kind                                  | why                                                    |
 * |--------|---------------------------------------|--------------------------------------------------------|
 * | 400    | invalid                               | badRequest                                             |
 * | 401    | expired (a service), auth (Keystone)  | the token ran out, or the password / credential        |
 * | 403    | auth; invalid for "quota exceeded"    | policy refuses it; Nova's quota refusal is a 403       |
 * | 404    | notFound                              | itemNotFound                                           |
 * | 409    | inUse when a dependent blocks it, else invalid (a state conflict) | conflictingRequest         |
 * | 413    | throttled; invalid for a quota        | overLimit: a rate limit (Retry-After) or a quota       |
 * | 429    | throttled                             |                                                        |
 * | 5xx    | server                                | computeFault, a proxy's 502/503/504                    |
 *
 * The service's message is untrusted: stripped of control characters and markup, cut to a
 * bounded length before it joins a message, and only ever matched, never followed.
 */
import { isUntrustedCertificate, type TransportFailure } from '../http';
import { CloudError, hostOf, untrusted, type ErrorKind } from '../../model/errors';

/** The setting a TLS failure points to (besides clouds.yaml's `cacert`). */
export const CA_FILE_SETTING = 'snapkeeper.openstack.caFile';

/** Where a request went: for messages. */
export interface Where {
  /** The service's name in messages: Nova, Cinder, Glance, Neutron, Keystone. */
  service: string;
  url: string;
  /** The method and path, e.g. `POST /servers/x/action`. */
  what: string;
  /** True when a CA file is configured (a TLS failure then names it). */
  caConfigured?: boolean;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The readable text of an HTML or plain-text body (Glance, proxies): tags and the repeated status line removed. */
function plainText(body: string): string {
  const text = body
    .replace(/<(script|style|title)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return untrusted(text.replace(/^\s*\d{3} [A-Za-z][A-Za-z -]*\s*\n/, ''), 400);
}

/** What a service said in its error body: the fault's name (`itemNotFound`) and message, untrusted and bounded. */
export function faultOf(body: string): { fault?: string; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { message: plainText(body) };
  }
  if (!isObject(json)) {
    return { message: '' };
  }
  const keys = Object.keys(json);
  // Nova, Cinder ({"badRequest": {...}}), Keystone ({"error": {...}}), Neutron ({"NeutronError": {...}}).
  if (keys.length === 1 && isObject(json[keys[0]])) {
    const inner = json[keys[0]] as Record<string, unknown>;
    const message = [inner.message, inner.detail, inner.description, inner.title].find((x) => typeof x === 'string' && x.trim() !== '');
    return { fault: keys[0] === 'error' ? untrusted(inner.title, 60) || undefined : untrusted(keys[0], 60), message: untrusted(message) };
  }
  // webob's JSON formatter: {"message": ..., "code": ..., "title": ...}; Glance's own {"message": ...}.
  const message = [json.message, json.description, json.explanation, json.title].find((x) => typeof x === 'string' && x.trim() !== '');
  return { message: untrusted(message) };
}

/** Text that says a dependent blocks the action (a 409's in-use sense). */
const IN_USE = /in[- ]use|attached|has (dependent|snapshot|backup)|dependent (backup|snapshot|volume)|depend|still (has|in)|being used|busy/i;
const QUOTA = /quota|exceed(s|ed)? .*(allowed|limit|maximum)|limit exceeded/i;

/** The kind of an error answer of a service (not Keystone's auth: see `keystoneAuthError`). */
export function kindOf(status: number, message: string, retryAfter: boolean): ErrorKind {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'expired';
    case 403:
      return QUOTA.test(message) ? 'invalid' : 'auth';
    case 404:
      return 'notFound';
    case 409:
      return IN_USE.test(message) ? 'inUse' : 'invalid';
    case 413:
      return !retryAfter && QUOTA.test(message) ? 'invalid' : 'throttled';
    case 429:
      return 'throttled';
  }
  if (status >= 500) {
    return 'server';
  }
  return status >= 400 ? 'invalid' : 'unknown';
}

/** A Retry-After header (seconds, or an HTTP date) in ms, or undefined. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return seconds >= 0 ? seconds * 1000 : undefined;
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An error answer of a service (Nova, Cinder, Glance, Neutron) → CloudError. */
export function answerError(status: number, body: string, headers: Record<string, string | undefined>, where: Where): CloudError {
  const { fault, message } = faultOf(body);
  const retryAfter = headers['retry-after'];
  const kind = kindOf(status, message, retryAfter !== undefined);
  const opts = { code: fault ?? String(status), requestId: untrusted(headers['x-openstack-request-id'] ?? headers['x-compute-request-id'], 80) || undefined };
  const said = message ? `: ${message}` : '';
  switch (kind) {
    case 'expired':
      return new CloudError('expired', `${where.service} refused the token for ${where.what} (HTTP 401: expired or revoked): Retry; if it is refused again, check the account's password or credential${said}`, opts);
    case 'auth':
      return new CloudError('auth', `${where.service} refused ${where.what} to this project (HTTP ${status}: not allowed by the cloud's policy)${said}`, opts);
    case 'throttled': {
      const wait = retryAfterMs(retryAfter);
      return new CloudError('throttled', `${where.service} at ${hostOf(where.url)} is limiting requests${wait !== undefined ? ` (retry after ${Math.ceil(wait / 1000)} s)` : ''}${said}`, opts);
    }
    case 'server':
      return new CloudError('server', `${where.service} at ${hostOf(where.url)} failed ${where.what} (HTTP ${status})${said}`, opts);
    case 'notFound':
      return new CloudError('notFound', message || `${where.service} found nothing at ${where.what} (HTTP 404)`, opts);
    default:
      return new CloudError(kind, message || `${where.service} refused ${where.what} (HTTP ${status})`, opts);
  }
}

/** A failure to reach a service or Keystone (refused, DNS, TLS, reset, timeout) → CloudError 'network', naming the URL and what to check. */
export function transportError(e: unknown, where: Where): CloudError {
  const f: TransportFailure = isObject(e) ? (e as TransportFailure) : { message: String(e) };
  const code = f.code ?? '';
  const host = hostOf(where.url);
  const opts = { code: code || undefined, cause: e };
  if (code === 'ECONNREFUSED') {
    return new CloudError('network', `Nothing answers at ${where.url} (${where.service}, connection refused): check the URL (the auth_url of clouds.yaml for Keystone) and that the cloud is reachable from this computer.`, opts);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CloudError('network', `The host ${host} of ${where.url} (${where.service}) could not be found (DNS): check the URL.`, opts);
  }
  if (isUntrustedCertificate(code)) {
    return new CloudError(
      'network',
      where.caConfigured
        ? `The TLS certificate of ${host} (${where.service}) is not signed by the CA file configured for this cloud (${code}): check that the file (clouds.yaml's cacert, or ${CA_FILE_SETTING}) holds the CA that signed the server's certificate.`
        : `The TLS certificate of ${host} (${where.service}) is not signed by a certificate authority this computer trusts (${code}). If the cloud uses its own CA, set cacert in its clouds.yaml entry (or ${CA_FILE_SETTING}, or the account's CA file) to that CA's PEM file.`,
      opts,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new CloudError('network', `The TLS certificate of ${host} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'} (${code}): check the server's certificate, or this computer's clock.`, opts);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new CloudError('network', `The TLS certificate of ${host} is for another host name: use the host name the certificate names.`, opts);
  }
  if (code === 'ETIMEDOUT' || code === 'TIMEOUT') {
    return new CloudError('network', `${where.service} at ${where.url} did not answer ${where.what} in time.`, opts);
  }
  if (code === 'EPROTO' || /wrong version number|ssl3_get_record|packet length too long/i.test(f.message ?? '')) {
    return new CloudError('network', `${where.url} does not speak the protocol of its URL (http:// or https://?): check the URL.`, opts);
  }
  const detail = code || untrusted(f.message, 120) || 'connection failed';
  return new CloudError('network', `The connection to ${where.service} at ${host} failed during ${where.what} (${detail}).`, opts);
}

/** Secrets never reach a log line or message: token headers and password / secret fields of JSON are masked. */
export function redact(text: string): string {
  return text
    .replace(/(x-(?:auth|subject)-token["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1***')
    .replace(/("(?:password|secret|token|id_token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"***"');
}
