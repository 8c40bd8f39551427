/**
 * CloudStack's request signature, checked as ApiServer.verifyRequest does: every parameter but
 * `signature`, in the order of their names (Java's String order), each `name=value` with the
 * value encoded as java.net.URLEncoder does (spaces as `%20`), joined with `&`, the whole string
 * lower-cased, HMAC-SHA1 with the secret key, base64. With `signatureversion=3` the request needs
 * `expires` (ISO-8601 with a zone) later than the server's clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** java.net.URLEncoder (UTF-8): letters, digits and `.-*_` stay; space is `+`; the rest `%XX`. */
export function javaUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(ch)) {
      out += ch;
    } else if (ch === ' ') {
      out += '+';
    } else {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** The string CloudStack signs: sorted names, URLEncoder values with `+` as `%20`, lower-cased. */
export function stringToSign(params: ReadonlyMap<string, string>): string {
  const names = [...params.keys()].filter((name) => name.toLowerCase() !== 'signature').sort();
  return names
    .map((name) => `${name}=${javaUrlEncode(params.get(name) ?? '').replace(/\+/g, '%20')}`)
    .join('&')
    .toLowerCase();
}

export function sign(params: ReadonlyMap<string, string>, secretKey: string): string {
  return createHmac('sha1', secretKey).update(stringToSign(params)).digest('base64');
}

/**
 * `yyyy-MM-dd'T'HH:mm:ssZ` (CloudStack's DateUtil.parseTZDateString: `+0000`), also with a
 * colon in the offset, `Z`, or milliseconds; undefined when it is not such a date.
 */
export function parseExpires(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!match) {
    return undefined;
  }
  const zone = match[3] === 'Z' ? 'Z' : `${match[3].slice(0, 3)}:${match[3].slice(-2)}`;
  const time = Date.parse(`${match[1]}${match[2] ?? ''}${zone}`);
  return Number.isNaN(time) ? undefined : time;
}

export type SignatureVerdict = 'ok' | 'missing' | 'unknownKey' | 'badSignature' | 'expired' | 'badExpires';

/** Whether the request's parameters carry a valid signature by `apiKey`/`secretKey`, judged at `now`. */
export function verifySignature(params: ReadonlyMap<string, string>, keys: { apiKey: string; secretKey: string }, now: number): SignatureVerdict {
  const find = (wanted: string) => [...params.entries()].find(([name]) => name.toLowerCase() === wanted)?.[1];
  const signature = find('signature');
  const apiKey = find('apikey');
  if (signature === undefined || apiKey === undefined) {
    return 'missing';
  }
  if (find('signatureversion') === '3') {
    const expires = find('expires');
    if (expires === undefined) {
      return 'badExpires';
    }
    const at = parseExpires(expires);
    if (at === undefined) {
      return 'badExpires';
    }
    if (at < now) {
      return 'expired';
    }
  }
  if (apiKey !== keys.apiKey) {
    return 'unknownKey';
  }
  const computed = Buffer.from(sign(params, keys.secretKey));
  const given = Buffer.from(signature);
  return computed.length === given.length && timingSafeEqual(computed, given) ? 'ok' : 'badSignature';
}
