/**
 * What the CloudStack adapter needs from its API client (client.ts): CloudStack's signed query
 * API reduced to four calls. The adapter (inventory, plans, actions, polls) speaks only this; the
 * client owns signing, transport, paging, retries and the mapping of CloudStack's errors to
 * CloudError. Field names are CloudStack's own (lower case, as its JSON answers them).
 */

/** Request parameters, as CloudStack names them (`zoneid`, `virtualmachineid`, `tags[0].key`…). */
export type Params = Record<string, string | number | boolean | undefined>;

/** An async command's immediate answer: its job, and the id of what it acts on when CloudStack says. */
export interface JobStart {
  jobid: string;
  /** The id of the resource the job creates or acts on (CloudStack answers `id` beside `jobid`). */
  id?: string;
}

/**
 * One answer of `queryAsyncJobResult`. `jobstatus`: 0 pending, 1 succeeded, 2 failed. On success
 * `jobresult` holds the created or changed object under its own key (`{ snapshot: {...} }`); on
 * failure `{ errorcode, errortext }`.
 */
export interface JobResult {
  jobid: string;
  jobstatus: 0 | 1 | 2;
  jobresultcode?: number;
  jobresulttype?: string;
  jobresult?: Record<string, unknown> & { errorcode?: number; errortext?: string };
  jobinstancetype?: string;
  jobinstanceid?: string;
  jobprocstatus?: number;
  cmd?: string;
  created?: string;
}

export interface CloudStackApi {
  /**
   * A synchronous command: the object inside `<command>response` (lower-cased command name).
   * Throws CloudError (auth, invalid for 431, notFound, throttled, server, network, malformed,
   * and `unknown` with code `ClockSkew` for a signature refused because this computer's clock is
   * off: see errors.ts); retries only what is safe to retry.
   */
  call<T>(command: string, params?: Params, signal?: AbortSignal): Promise<T>;
  /**
   * A list command, every page (`page`/`pagesize`, until `count` items or a short page), with
   * `listall=true` where it applies. A response without the list key is an empty list.
   * `onPage` receives each page as it arrives.
   */
  list<T>(command: string, key: string, params?: Params, signal?: AbortSignal, onPage?: (items: T[]) => void): Promise<T[]>;
  /** Starts an async command: its job id (never retried blindly once the server may have acted). */
  start(command: string, params?: Params, signal?: AbortSignal): Promise<JobStart>;
  /** One poll of `queryAsyncJobResult` for the job. */
  job(jobId: string, signal?: AbortSignal): Promise<JobResult>;
  /** Frees sockets and timers. */
  dispose(): void;
}
