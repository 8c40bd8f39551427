/**
 * Keystone v3 authentication: `POST <auth_url>/v3/auth/tokens` with a password (user by name and
 * domain, or id; scoped to a project by name and domain, or id) or an application credential (id
 * and secret, or name, secret and its user). The token comes back in `X-Subject-Token`, its
 * expiry in the body's `token.expires_at`, with the catalog and the project.
 *
 * `TokenSource` keeps the token and renews it a margin before it expires, so a long operation
 * never sends one that runs out on the way; a token refused anyway (revoked, a clock off) is
 * renewed once by the client (client.ts). The password and secret live only in this module's
 * request body, which is never logged.
 */
import { CloudError, hostOf, untrusted } from '../../model/errors';
import type { CatalogEntry } from './catalog';
import { faultOf } from './errors';

export interface Credentials {
  /** Keystone's URL as clouds.yaml's `auth_url` writes it (with or without `/v3`). */
  authUrl: string;
  /** Password auth. */
  password?: {
    userName?: string;
    userId?: string;
    userDomainName?: string;
    userDomainId?: string;
    password: string;
  };
  /** Application-credential auth: its id and secret, or its name, secret and user. */
  applicationCredential?: {
    id?: string;
    name?: string;
    secret: string;
    userName?: string;
    userId?: string;
    userDomainName?: string;
    userDomainId?: string;
  };
  /** The project to scope to (password auth; an application credential carries its own). */
  project?: { name?: string; id?: string; domainName?: string; domainId?: string };
}

export interface Token {
  value: string;
  /** ms since the epoch. */
  expiresAt: number;
  project: { id: string; name?: string };
  catalog: CatalogEntry[];
}

/** `POST /v3/auth/tokens` of Keystone at `authUrl`, whatever form the URL takes (`…:5000`, `…/v3`, `…/identity/v3`, `…/v2.0`). */
export function tokensUrl(authUrl: string): string {
  const trimmed = authUrl.trim().replace(/\/+$/, '');
  const base = /\/v3$/.test(trimmed) ? trimmed : /\/v2\.0$/.test(trimmed) ? trimmed.replace(/\/v2\.0$/, '/v3') : `${trimmed}/v3`;
  return `${base}/auth/tokens`;
}

function domain(name?: string, id?: string): { domain: { id: string } | { name: string } } | Record<string, never> {
  return id ? { domain: { id } } : name ? { domain: { name } } : {};
}

function user(name?: string, id?: string, domainName?: string, domainId?: string): Record<string, unknown> {
  return id ? { id } : { name, ...domain(domainName ?? (domainId ? undefined : 'Default'), domainId) };
}

/** The body of the token request. Throws `invalid` when the credentials are incomplete. */
export function authBody(c: Credentials): unknown {
  if (c.applicationCredential) {
    const a = c.applicationCredential;
    if (!a.secret || !(a.id || (a.name && (a.userId || a.userName)))) {
      throw new CloudError('invalid', 'An application credential needs its secret and its id (or its name and its user).');
    }
    return {
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: a.id ? { id: a.id, secret: a.secret } : { name: a.name, secret: a.secret, user: user(a.userName, a.userId, a.userDomainName, a.userDomainId) },
        },
      },
    };
  }
  const p = c.password;
  if (!p || !p.password || !(p.userId || p.userName)) {
    throw new CloudError('invalid', 'Password authentication needs a user (name or id) and a password.');
  }
  const project = c.project;
  if (!project || !(project.id || project.name)) {
    throw new CloudError('invalid', 'Password authentication needs a project (project_name or project_id) to scope the token to: without one Keystone gives no service catalog.');
  }
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...user(p.userName, p.userId, p.userDomainName, p.userDomainId), password: p.password } } },
      scope: { project: project.id ? { id: project.id } : { name: project.name, ...domain(project.domainName ?? (project.domainId ? undefined : 'Default'), project.domainId) } },
    },
  };
}

/** Who is authenticating, for messages (never the password). */
export function whoOf(c: Credentials): string {
  if (c.applicationCredential) {
    return `the application credential ${untrusted(c.applicationCredential.id ?? c.applicationCredential.name, 80)}`;
  }
  const p = c.password;
  const project = c.project?.name ?? c.project?.id;
  return `the user ${untrusted(p?.userName ?? p?.userId, 80)}${project ? ` in the project ${untrusted(project, 80)}` : ''}`;
}

/** Keystone's answer to a token request → the token, or throws `malformed`. */
export function parseToken(headers: Record<string, string | undefined>, body: string, authUrl: string): Token {
  const bad = (why: string) => new CloudError('malformed', `Keystone at ${hostOf(authUrl)} answered the token request with something that could not be read: ${why}.`);
  const value = headers['x-subject-token'];
  if (!value) {
    throw bad('no X-Subject-Token header');
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw bad('it is not JSON (cut short?)');
  }
  const token = (json as { token?: Record<string, unknown> } | null)?.token;
  if (typeof token !== 'object' || token === null) {
    throw bad('no "token"');
  }
  const expiresAt = typeof token.expires_at === 'string' ? Date.parse(token.expires_at) : NaN;
  if (Number.isNaN(expiresAt)) {
    throw bad('no readable expires_at');
  }
  const project = token.project as { id?: unknown; name?: unknown } | undefined;
  if (typeof project?.id !== 'string') {
    throw new CloudError('auth', `Keystone at ${hostOf(authUrl)} gave a token that is not scoped to a project: name the project (project_name or project_id, and its domain).`);
  }
  const catalog = Array.isArray(token.catalog) ? (token.catalog as unknown[]).filter(isEntry) : [];
  return { value, expiresAt, project: { id: project.id, ...(typeof project.name === 'string' ? { name: project.name } : {}) }, catalog };
}

function isEntry(x: unknown): x is CatalogEntry {
  const e = x as CatalogEntry | null;
  return typeof e === 'object' && e !== null && typeof e.type === 'string' && Array.isArray(e.endpoints) && e.endpoints.every((p) => typeof p?.url === 'string' && typeof p.interface === 'string');
}

/** Keystone refused the token request: what is wrong, in words (the password, the project, the user's domain). */
export function keystoneError(status: number, body: string, c: Credentials, authUrl: string): CloudError {
  const { fault, message } = faultOf(body);
  const host = hostOf(authUrl);
  const said = message ? ` Keystone said: ${message}` : '';
  const project = c.project?.name ?? c.project?.id;
  if (status === 401) {
    if (/project/i.test(message) && project) {
      return new CloudError('auth', `Keystone at ${host} refused to scope the token to the project ${untrusted(project, 80)}: check project_name / project_id and its domain, and that ${whoOf({ ...c, project: undefined })} has a role in it.${said}`, { code: '401' });
    }
    return new CloudError(
      'auth',
      c.applicationCredential
        ? `Keystone at ${host} refused ${whoOf(c)} (HTTP 401): check its id and secret, and that it has not expired or been deleted.${said}`
        : `Keystone at ${host} refused the password of ${whoOf(c)} (HTTP 401): check the password, the user name and the user's domain (user_domain_name), and the project and its domain.${said}`,
      { code: '401' },
    );
  }
  if (status === 404 && fault) {
    return new CloudError('auth', `Keystone at ${host} found no ${/domain/i.test(message) ? 'such domain' : /user/i.test(message) ? 'such user' : `project ${untrusted(project, 80)}`}: check the names and domains of the account.${said}`, { code: '404' });
  }
  if (status === 403) {
    return new CloudError('auth', `Keystone at ${host} refused ${whoOf(c)} (HTTP 403).${said}`, { code: '403' });
  }
  if (status === 400) {
    return new CloudError('invalid', `Keystone at ${host} refused the token request as malformed (HTTP 400): check the account's auth settings.${said}`, { code: '400' });
  }
  if (status === 404 || status === 405 || (status >= 300 && status < 400)) {
    return new CloudError('invalid', `${authUrl} is not Keystone v3 (HTTP ${status}): check the auth URL.`, { code: String(status) });
  }
  return new CloudError(status >= 500 ? 'server' : 'invalid', `Keystone at ${host} failed the token request (HTTP ${status}).${said}`, { code: String(status) });
}

/** How the client sends the token request (its transport, with its errors mapped): status, headers, body. */
export type SendAuth = (url: string, body: string, signal?: AbortSignal) => Promise<{ status: number; headers: Record<string, string | undefined>; body: string }>;

/** A token renewed this long before it expires (Keystone's default life is an hour). */
export const RENEW_MARGIN_MS = 5 * 60_000;

/** The token of one set of credentials: issued on first use, renewed before it expires or when refused. */
export class TokenSource {
  private current?: Token;
  private pending?: Promise<Token>;

  constructor(
    private readonly credentials: Credentials,
    private readonly send: SendAuth,
    private readonly now: () => number = Date.now,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** A token valid for at least the margin (or half its life, for short-lived ones). */
  async get(signal?: AbortSignal): Promise<Token> {
    const t = this.current;
    if (t && this.now() < t.expiresAt - Math.min(RENEW_MARGIN_MS, (t.expiresAt - this.issuedAt) / 2)) {
      return t;
    }
    if (t) {
      this.log(`OpenStack: the token for ${whoOf(this.credentials)} expires soon; renewing it.`);
    }
    return this.issue(signal);
  }

  /** Forgets `value` (a service refused it) so the next `get` issues another; a newer token is kept. */
  invalidate(value: string): void {
    if (this.current?.value === value) {
      this.current = undefined;
    }
  }

  private issuedAt = 0;

  private issue(signal?: AbortSignal): Promise<Token> {
    // Concurrent requests share one token request.
    this.pending ??= this.request(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async request(signal?: AbortSignal): Promise<Token> {
    const url = tokensUrl(this.credentials.authUrl);
    const body = JSON.stringify(authBody(this.credentials));
    const sentAt = this.now();
    const answer = await this.send(url, body, signal);
    if (answer.status !== 201 && answer.status !== 200) {
      throw keystoneError(answer.status, answer.body, this.credentials, url);
    }
    const token = parseToken(answer.headers, answer.body, url);
    this.current = token;
    this.issuedAt = sentAt;
    return token;
  }
}
