/**
 * CloudStack's request signature, as its API server checks it (apache/cloudstack,
 * server/.../api/ApiServer.java, `verifyRequest`):
 * 1. every request parameter except `signature`, its names sorted as Java sorts strings (UTF-16
 *    code units, so `Name` before `name`);
 * 2. each as `name=value`, the name as sent and the value encoded by `java.net.URLEncoder.encode(value,
 *    "UTF-8")` with `+` replaced by `%20` (see `encodeValue`);
 * 3. joined with `&`, and the whole string lower-cased;
 * 4. HMAC-SHA1 of that with the secret key, in base64: the `signature` parameter.
 * Signature version 3 adds `signatureversion=3` and `expires` (a time with its offset); the server
 * refuses the request once that time has passed by its own clock, and — when it enforces
 * timestamps — one that expires more than 15 minutes ahead.
 *
 * The server decodes what it receives before it re-encodes it, so the query on the wire only has to
 * decode to the same values; we send it encoded the same way, which also keeps `+` (a space, once
 * decoded) and the signature's own `+`, `/` and `=` intact.
 */
import { createHmac } from 'node:crypto';
import { CloudError } from '../../model/errors';
import type { Params } from './api';

export interface Keys {
  apiKey: string;
  secretKey: string;
}

/** How long a signed request stays valid: well inside the 15 minutes a strict server allows. */
export const SIGNATURE_TTL_MS = 10 * 60_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A value as `java.net.URLEncoder.encode(value, "UTF-8")` writes it, with `%20` for a space:
 * letters, digits and `.-*_` stay, everything else is percent-encoded UTF-8 (upper-case hex).
 * `encodeURIComponent` leaves `!'()~` as they are, which Java encodes: those are encoded here.
 * (Python's `quote` and Go's `QueryEscape` leave `~`, so clients built on them sign `~` wrongly.)
 */
export function encodeValue(value: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new CloudError('invalid', 'A request parameter holds text that is not valid Unicode (a lone surrogate)');
  }
  return encodeURIComponent(value).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Request parameters as the strings CloudStack receives: undefined ones left out, the rest as text. */
export function toStrings(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) {
      out[name] = String(value);
    }
  }
  return out;
}

/** The names to sign, in the server's order (Java's String.compareTo: UTF-16 code units). */
function sortedNames(params: Record<string, string>): string[] {
  return Object.keys(params)
    .filter((name) => name.toLowerCase() !== 'signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What is signed: the sorted `name=encoded value` pairs, joined with `&`, lower-cased. */
export function stringToSign(params: Record<string, string>): string {
  return sortedNames(params)
    .map((name) => `${name}=${encodeValue(params[name])}`)
    .join('&')
    .toLowerCase();
}

/** The signature of `params` with the secret key: base64 HMAC-SHA1 of `stringToSign`. */
export function signatureOf(params: Record<string, string>, secretKey: string): string {
  return createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(stringToSign(params), 'utf8').digest('base64');
}

/** `yyyy-MM-ddTHH:mm:ss+0000`: the format CloudStack's DateUtil has always parsed for `expires`. */
export function expiresText(at: Date): string {
  return `${at.toISOString().slice(0, 19)}+0000`;
}

export interface SignedQuery {
  /** Every parameter sent, `signature` included (for a POST form). */
  params: Record<string, string>;
  /** The query string (or form body): the signed parameters in order, then `signature`. */
  query: string;
}

/**
 * Signs `command` with `params` (version 3: `signatureversion` and `expires`, `now` + the TTL).
 * Adds `command`, `apiKey` and `response=json`; the caller's own values for those are replaced.
 */
export function signRequest(command: string, params: Params, keys: Keys, now: Date, ttlMs = SIGNATURE_TTL_MS): SignedQuery {
  const given = toStrings(params);
  for (const name of Object.keys(given)) {
    if (['command', 'apikey', 'response', 'signature', 'signatureversion', 'expires'].includes(name.toLowerCase())) {
      delete given[name];
    }
  }
  const all: Record<string, string> = {
    ...given,
    command,
    apiKey: keys.apiKey,
    response: 'json',
    signatureversion: '3',
    expires: expiresText(new Date(now.getTime() + ttlMs)),
  };
  const signature = signatureOf(all, keys.secretKey);
  const query = [...sortedNames(all).map((name) => `${encodeValue(name)}=${encodeValue(all[name])}`), `signature=${encodeValue(signature)}`].join('&');
  return { params: { ...all, signature }, query };
}
