/**
 * What a cloud of the sandbox is: a backend in `src/sandbox/<kind>/backend.ts` (see registry.ts).
 * The sandbox (index.ts), its HTTP listener (server.ts) and its command line (cli.ts) only loop
 * over backends; everything a cloud speaks lives in its own folder.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from './faults';

/** The header that carries the control API's key. */
export const SANDBOX_KEY_HEADER = 'x-snapkeeper-sandbox-key';
/** The control API's key (not a secret: it opens only the local sandbox); a cloud may take it as its access key id. */
export const SANDBOX_KEY = 'AKIASNAPKEEPERSANDBOX';

/**
 * The clouds compiled in, by kind: each backend adds itself to this interface (declaration
 * merging: `declare module '../backend' { interface SandboxClouds { <kind>: CloudTypes<…> } }`),
 * which types `Sandbox.info`, `Sandbox.clouds` and `SandboxOptions.clouds`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SandboxClouds {}

/** The public types of one cloud of the sandbox. */
export interface CloudTypes<Options, Info extends CloudInfo, Control> {
  /** Its part of `SandboxOptions.clouds`. */
  options: Options;
  /** Its part of `Sandbox.info` (and of `GET /_sandbox/info`). */
  info: Info;
  /** Its in-process control (`Sandbox.clouds[kind]`). */
  control: Control;
}

/** What every cloud's info carries. */
export interface CloudInfo {
  /** Where its API answers (the base URL to point a client at). */
  endpoint: string;
}

/** A number option of the command line that lands in the cloud's options (e.g. a port). */
export interface CliFlag {
  /** `--name`. */
  flag: string;
  /** The option of the cloud's option bag it sets. */
  option: string;
  /** What the value is, for the usage line (e.g. `N`). */
  arg: string;
  min: number;
  max: number;
}

/** What the sandbox hands a backend. */
export interface CloudContext {
  /** The cloud's option bag (`SandboxOptions.clouds[kind]`, `{}` when absent). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Clock for time-driven states (tests). */
  readonly now?: () => number;
  /** The state file, when the sandbox keeps one (a backend may keep files beside it). */
  readonly statePath?: string;
  /** The control API's key (the `x-snapkeeper-sandbox-key` header). */
  readonly key: string;
  /** Fault injection, shared by every cloud. */
  readonly faults: FaultInjector;
  /** Marks the state changed: the state file is saved soon after. */
  changed(): void;
  /** Marks the state replaced (a reset): the state file is saved soon after, whatever the revisions say. */
  replaced(): void;
}

/** The sandbox's shared HTTP listener, once it listens. */
export interface SharedListener {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
}

/** Answers one request of the shared listener (its body already read). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<void>;

/** An error of a control route, as the cloud writes it. */
export interface ErrorAnswer {
  status: number;
  body: unknown;
}

/** One running cloud: its state, its routes, its listeners. */
export interface SandboxCloud {
  /** Bumped by every change of its state (the state file is written when any cloud's moved). */
  revision(): number;
  /** Its part of the state file (read back by `SandboxBackend.open`). */
  toJSON(): unknown;
  /** Drops the state and starts again: seeded, or an empty account. */
  reset(seed: boolean): void;
  /** Its part of `GET /_sandbox/state-summary` and of `POST /_sandbox/reset`'s answer. */
  summary(): unknown;
  /** Starts its own listeners, if any (before `info` is asked for). */
  listen(): Promise<void>;
  /** Stops its own listeners and removes what it made on disk (the state file aside). */
  close(): Promise<void>;
  /** The handler of a request on the shared listener that this cloud serves, else undefined. */
  route(method: string, url: URL): RequestHandler | undefined;
  /** `/_sandbox/<kind>/…` (input: the JSON body): the answer, or undefined when no endpoint matches. */
  controlRoute(method: string, url: URL, input: unknown): unknown;
  /** Whether a control request carries this cloud's own credentials (beside the key header). */
  controlAuthorized(req: IncomingMessage): boolean;
  /** An error a control route threw, in the cloud's words; undefined when it is not the cloud's. */
  errorAnswer(error: unknown): ErrorAnswer | undefined;
  /** Its info, given the shared listener. */
  info(listener: SharedListener): CloudInfo;
  /**
   * Does what the sandbox's clock has made due: the snapshots a scheduled policy takes at each
   * of its times since the last tick (each at that time), and what the policy's retention
   * deletes. Called before every request the cloud serves and after the clock is advanced, so a
   * client sees exactly what the cloud would have done by now. Answers what it did (for the
   * clock control's answer), or undefined when nothing was due. Clouds without schedules leave
   * it out.
   */
  tick?(): unknown;
  /** The in-process control (`Sandbox.clouds[kind]`). */
  readonly control: unknown;
}

/** A cloud of the sandbox: `src/sandbox/<kind>/backend.ts` exports one as `backend`. */
export interface SandboxBackend {
  /** The cloud kind (the folder's name, the key of `info`, `clouds` and the state file). */
  readonly kind: string;
  /** Number options of the command line that land in this cloud's options. */
  readonly cliFlags: readonly CliFlag[];
  /** Its member of the command line's `--json` line, from its info. */
  cliJson(info: CloudInfo): unknown;
  /** Its paragraph of the command line's text, from its info (title first, then indented lines). */
  cliText(info: CloudInfo): string[];
  /**
   * The cloud with the state it saved (its member of the state file), or fresh (seeded unless
   * `seed` is false) when there is none. Throws when `saved` cannot be read. Starts nothing.
   */
  open(context: CloudContext, saved: unknown, seed: boolean): SandboxCloud;
}

/** Reads a field of a control request's JSON body, or throws a TypeError naming it. */
export function field<T extends 'string' | 'number' | 'boolean'>(
  input: unknown,
  name: string,
  type: T,
): T extends 'string' ? string : T extends 'number' ? number : boolean {
  const value = (input as Record<string, unknown> | null)?.[name];
  if (typeof value !== type) {
    throw new TypeError(`"${name}" must be a ${type}`);
  }
  return value as T extends 'string' ? string : T extends 'number' ? number : boolean;
}
