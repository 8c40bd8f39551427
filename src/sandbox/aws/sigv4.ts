/**
 * AWS Signature Version 4 verification for the sandbox. The signature is recomputed with
 * `@smithy/signature-v4` (the signer the JS SDK itself uses) over the request as received:
 * same method, path, query, body and exactly the headers the client listed in SignedHeaders.
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SigV4Authorization {
  accessKeyId: string;
  /** yyyymmdd from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface ReceivedRequest {
  method: string;
  /** The path, percent-decoded. */
  path: string;
  query: Record<string, string | string[]>;
  /** Header values by lower-case name. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/** Parses an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  const match = header === undefined ? null : AUTH_PATTERN.exec(header.trim());
  if (!match) {
    return undefined;
  }
  return {
    accessKeyId: match[1],
    scopeDate: match[2],
    region: match[3],
    service: match[4],
    signedHeaders: match[5].split(';'),
    signature: match[6],
  };
}

/** Parses an ISO-8601 basic timestamp such as 20250106T090000Z. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const match = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') {
    return Buffer.from(data, 'utf8');
  }
  if (ArrayBuffer.isView(data)) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return Buffer.from(data);
}

/** SHA-256 (or HMAC-SHA256 with a secret) in the shape the smithy signer expects. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Recomputes the request's signature with `secretAccessKey` and compares it with the one sent.
 * Requires the client to have signed `x-amz-date` (every AWS SDK and the CLI do).
 */
export async function verifySignature(
  request: ReceivedRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
): Promise<boolean> {
  const signingDate = parseAmzDate(headerValue(request.headers['x-amz-date']));
  if (!signingDate || !auth.signedHeaders.includes('host')) {
    return false;
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headerValue(request.headers[name]);
    if (value === undefined) {
      return false;
    }
    headers[name] = value;
  }
  const sessionToken = headerValue(request.headers['x-amz-security-token']);
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey, sessionToken },
    region: auth.region,
    service: auth.service,
    sha256: NodeSha256,
    uriEscapePath: true,
    // Sign only what the client signed: never add an x-amz-content-sha256 header of our own.
    applyChecksum: false,
  });
  const toSign: Parameters<SignatureV4['sign']>[0] = {
    method: request.method,
    protocol: 'http:',
    hostname: (headers.host ?? '').replace(/:\d+$/, ''),
    path: request.path,
    query: request.query,
    headers,
    body: request.body.length > 0 ? request.body : undefined,
  };
  const signed = await signer.sign(toSign, {
    signingDate,
    signingRegion: auth.region,
    signingService: auth.service,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const computed = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
  const expectedHeaders = /SignedHeaders=([^,\s]+)/.exec(String(signed.headers.authorization ?? ''))?.[1];
  if (!computed || expectedHeaders !== auth.signedHeaders.join(';')) {
    return false;
  }
  return timingSafeEqual(Buffer.from(computed, 'hex'), Buffer.from(auth.signature, 'hex'));
}
