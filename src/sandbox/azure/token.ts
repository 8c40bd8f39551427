/**
 * The sandbox's Microsoft Entra token endpoint (client credentials) and the bearer check of ARM
 * requests. Tokens are JWT-shaped and HMAC-signed with a fixed sandbox key, so they survive a
 * restart; `exp` decides expiry.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { SANDBOX_TENANT_ID } from './state';

/** Fixed sandbox app registration: not secrets, they only open the local sandbox. */
export const SANDBOX_AZURE_TENANT_ID = SANDBOX_TENANT_ID;
export const SANDBOX_AZURE_CLIENT_ID = '0c5a1f7e-2b3d-4c6e-8f90-a1b2c3d4e5f6';
export const SANDBOX_AZURE_CLIENT_SECRET = 'snapkeeper~sandbox~client~secret~not~a~real~secret';

const SIGNING_KEY = 'snapkeeper/sandbox/azure/token-signing-key';
/** The long-lived token reported as info.azure.accessToken (for curl / az rest): expires 2099-12-31. */
const FIXED_EXPIRY = Date.UTC(2099, 11, 31) / 1000;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(data: string): string {
  return createHmac('sha256', SIGNING_KEY).update(data).digest('base64url');
}

/** A token valid for `lifetimeSeconds` from `nowMs`. */
export function issueToken(nowMs: number, lifetimeSeconds: number, id: string = randomUUID()): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { typ: 'JWT', alg: 'HS256', kid: 'snapkeeper-sandbox' };
  const claims = {
    aud: 'https://management.azure.com/',
    iss: `https://sts.windows.net/${SANDBOX_AZURE_TENANT_ID}/`,
    iat,
    nbf: iat - 300,
    exp: iat + lifetimeSeconds,
    appid: SANDBOX_AZURE_CLIENT_ID,
    idtyp: 'app',
    oid: '6d1f0a3b-9c7e-4b25-8e41-f2a3b4c5d6e7',
    sub: '6d1f0a3b-9c7e-4b25-8e41-f2a3b4c5d6e7',
    tid: SANDBOX_AZURE_TENANT_ID,
    uti: id,
    ver: '1.0',
  };
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${sign(body)}`;
}

/** The fixed long-lived token (always the same text). */
export function fixedToken(): string {
  return issueToken((FIXED_EXPIRY - 3599) * 1000, 3599, '00000000-0000-4000-8000-000000000000');
}

export type TokenCheck = { ok: true } | { ok: false; kind: 'missing' | 'invalid' | 'expired'; message: string };

/** Checks an Authorization header as ARM does. */
export function checkBearer(header: string | undefined, nowMs: number): TokenCheck {
  if (!header) {
    return { ok: false, kind: 'missing', message: "Authentication failed. The 'Authorization' header is missing." };
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) {
    return { ok: false, kind: 'missing', message: "Authentication failed. The 'Authorization' header is provided in an invalid format." };
  }
  const parts = m[1].split('.');
  const invalid = { ok: false as const, kind: 'invalid' as const, message: 'The access token is invalid.' };
  if (parts.length !== 3) {
    return invalid;
  }
  const expected = Buffer.from(sign(`${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, kind: 'invalid', message: 'The access token is invalid: its signature could not be verified.' };
  }
  let claims: { exp?: unknown; aud?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown; aud?: unknown };
  } catch {
    return invalid;
  }
  if (typeof claims.exp !== 'number') {
    return invalid;
  }
  const now = Math.floor(nowMs / 1000);
  if (claims.exp <= now) {
    const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d+Z$/, '');
    return {
      ok: false,
      kind: 'expired',
      message: `The access token expiry UTC time '${iso(claims.exp)}' is earlier than current UTC time '${iso(now)}'.`,
    };
  }
  return { ok: true };
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

function aadError(status: number, error: string, code: number, description: string): TokenAnswer {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    },
  };
}

/** POST /{tenant}/oauth2/v2.0/token (also /oauth2/token, v1) with a form body. */
export function tokenRequest(tenant: string, form: URLSearchParams, nowMs: number, lifetimeSeconds: number): TokenAnswer {
  if (tenant.toLowerCase() !== SANDBOX_AZURE_TENANT_ID && tenant.toLowerCase() !== 'organizations' && tenant !== 'snapkeepersandbox.onmicrosoft.com') {
    return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${String(grant)}'.`);
  }
  const clientId = form.get('client_id');
  if (clientId !== SANDBOX_AZURE_CLIENT_ID) {
    return aadError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${String(clientId)}' was not found in the directory 'Snapkeeper Sandbox'.`,
    );
  }
  if (form.get('client_secret') !== SANDBOX_AZURE_CLIENT_SECRET) {
    return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.');
  }
  const scope = form.get('scope') ?? form.get('resource');
  if (!scope) {
    return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
  }
  const expiresIn = lifetimeSeconds;
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: issueToken(nowMs, expiresIn) },
  };
}

/** GET /{tenant}/v2.0/.well-known/openid-configuration, for MSAL (authorityHost = the sandbox). */
export function openIdConfiguration(base: string, tenant: string): Record<string, unknown> {
  return {
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
  };
}
