/**
 * One error type for every adapter. Adapters translate SDK/HTTP errors into a CloudError with a
 * kind the UI understands; the message is already fit to show (no secrets, no stack).
 */
export type ErrorKind =
  | 'auth' // credentials missing or rejected
  | 'expired' // credentials expired: sign in again
  | 'throttled' // throttling persisted past the retries
  | 'notFound'
  | 'inUse' // a dependent blocks the action
  | 'invalid' // bad parameter / state
  | 'network' // connection dropped / refused
  | 'server' // 5xx persisted past the retries
  | 'malformed' // the response could not be parsed
  | 'unknown';

/** A session to ask of the editor's own sign-in: provider id, scopes, and the directory (tenant) when there is one. */
export interface SignInProvider {
  provider: string;
  scopes: string[];
  tenantId?: string;
}

export class CloudError extends Error {
  readonly kind: ErrorKind;
  /** The cloud's own error code (InvalidSnapshot.NotFound…). */
  readonly code?: string;
  readonly requestId?: string;
  /**
   * For 'expired' and 'auth': a shell command that signs the user in again (the cloud CLI's
   * login for that profile), offered as a "Sign In" action.
   */
  readonly signInCommand?: string;
  /**
   * For 'expired' and 'auth' with the editor's own sign-in: "Sign In" asks that VS Code
   * authentication provider (the one the adapter module declares) for a session instead of
   * running a command.
   */
  readonly signInProvider?: SignInProvider;

  constructor(
    kind: ErrorKind,
    message: string,
    opts: {
      code?: string;
      requestId?: string;
      cause?: unknown;
      signInCommand?: string;
      signInProvider?: SignInProvider;
    } = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'CloudError';
    this.kind = kind;
    this.code = opts.code;
    this.requestId = opts.requestId;
    this.signInCommand = opts.signInCommand;
    this.signInProvider = opts.signInProvider;
  }

  /** A message fit for a notification: `message (code)`. */
  get display(): string {
    return this.code && !this.message.includes(this.code) ? `${this.message} (${this.code})` : this.message;
  }
}

export function isCloudError(e: unknown): e is CloudError {
  return e instanceof Error && (e as CloudError).name === 'CloudError' && typeof (e as CloudError).kind === 'string';
}

/** Best-effort text of any thrown value, for logs and messages. */
export function errorText(e: unknown): string {
  if (isCloudError(e)) {
    return e.display;
  }
  if (e instanceof Error) {
    return e.message || e.name;
  }
  return String(e);
}

/** Simulate Writes (sandbox only): the sandbox's control route could not be reached. */
export function sandboxUnreachable(e: unknown): CloudError {
  return new CloudError('network', `Could not reach the sandbox (${e instanceof Error ? e.message : String(e)})`, { cause: e });
}

/** Simulate Writes (sandbox only): the sandbox answered HTTP `status`; its `body` (untrusted) is quoted, cut to 300 characters. */
export function sandboxRefusedWrites(status: number, body: string): CloudError {
  const kind = status === 404 ? 'notFound' : status >= 500 ? 'server' : 'invalid';
  return new CloudError(kind, `The sandbox refused the writes (HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''})`);
}

/** Simulate Writes (sandbox only): the sandbox's answer could not be read. */
export function sandboxUnreadable(): CloudError {
  return new CloudError('malformed', 'The sandbox answered Simulate Writes with something unreadable');
}

const UNTRUSTED_MAX = 300;

/**
 * Text a cloud sent (an error's text, a name, an id), safe to put in a CloudError's message: one
 * line, no control characters, at most `max` characters; '' when it is not a string. It is only
 * ever quoted, never followed or rendered (the UI escapes messages again when it shows them).
 */
export function untrusted(text: unknown, max = UNTRUSTED_MAX): string {
  if (typeof text !== 'string') {
    return '';
  }
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** An endpoint's host, for messages (the endpoint itself when it is not a URL). */
export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host || endpoint;
  } catch {
    return endpoint;
  }
}
