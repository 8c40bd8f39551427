/**
 * The main-thread side of the worker (worker.ts): a GcpApi that posts each call to the worker.
 * The worker is spawned on the first call (so listing an account's projects is the first moment
 * the SDK loads, off this thread), `unref`ed (it never keeps the process alive), terminated on
 * dispose. If it dies, the calls in flight reject with a clear WireError and the next call
 * spawns a new one. An aborted listing sends a cancel message and rejects at once.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AggregatedKind, GcpApi, GcpConnection, GetKind, GlobalKind, Json, ListOptions, Mutation, OperationRef, ProjectInfo, ResourceRef, WireError } from './api';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** Where the worker bundle is: beside this bundle (dist/adapters/gcp-worker.js), or found upwards (tests). */
export function defaultWorkerPath(): string {
  const candidates = [join(__dirname, 'gcp-worker.js'), join(__dirname, 'adapters', 'gcp-worker.js')];
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    candidates.push(join(dir, 'dist', 'adapters', 'gcp-worker.js'));
    dir = dirname(dir);
  }
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export class WorkerApi implements GcpApi {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** How many workers were started (tests: a dead worker is replaced). */
  spawned = 0;

  constructor(
    private readonly conn: GcpConnection,
    private readonly workerPath: string = defaultWorkerPath(),
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The live worker's thread id (tests kill it to prove the respawn). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Terminates the worker as if it had crashed (tests). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  private spawn(): Worker {
    if (this.worker) {
      return this.worker;
    }
    if (!existsSync(this.workerPath)) {
      throw { message: `The Google Cloud worker (${this.workerPath}) is missing from this build of Snapkeeper`, code: 'WORKER_MISSING' } satisfies WireError;
    }
    const w = new Worker(this.workerPath, { workerData: { conn: this.conn }, stdout: false, stderr: false });
    this.spawned++;
    w.unref();
    const gone = (why: string): void => {
      if (this.worker !== w) {
        return;
      }
      this.worker = undefined;
      const err: WireError = { message: `The Google Cloud worker stopped (${why}); Retry starts it again`, code: 'WORKER_EXITED' };
      for (const p of this.pending.values()) {
        p.reject(err);
      }
      this.pending.clear();
      if (!this.disposed) {
        this.log(`GCP: worker stopped (${why})`);
      }
    };
    w.on('message', (msg: { id: number; result?: unknown; error?: WireError }) => {
      const p = this.pending.get(msg.id);
      if (!p) {
        return;
      }
      this.pending.delete(msg.id);
      if (msg.error) {
        p.reject(msg.error);
      } else {
        p.resolve(msg.result);
      }
    });
    w.on('error', (e) => gone(e instanceof Error ? e.message : String(e)));
    w.on('exit', (code) => gone(`exit code ${code}`));
    this.worker = w;
    return w;
  }

  private call<T>(method: keyof GcpApi, args: unknown[], signal?: AbortSignal): Promise<T> {
    if (this.disposed) {
      return Promise.reject({ message: 'The Google Cloud account was closed', code: 'DISPOSED' } satisfies WireError);
    }
    if (signal?.aborted) {
      return Promise.reject(abortReason(signal));
    }
    let worker: Worker;
    try {
      worker = this.spawn();
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.delete(id)) {
          worker.postMessage({ cancel: id });
          reject(abortReason(signal as AbortSignal));
        }
      };
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as T);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ id, method, args });
    });
  }

  listProjects(signal?: AbortSignal): Promise<ProjectInfo[]> {
    return this.call('listProjects', [], signal);
  }
  listZones(project: string, signal?: AbortSignal): Promise<Json[]> {
    return this.call('listZones', [project], signal);
  }
  listRegions(project: string, signal?: AbortSignal): Promise<Json[]> {
    return this.call('listRegions', [project], signal);
  }
  aggregatedList(kind: AggregatedKind, project: string, opts: ListOptions, signal?: AbortSignal): Promise<Record<string, Json[]>> {
    return this.call('aggregatedList', [kind, project, opts], signal);
  }
  list(kind: GlobalKind, project: string, opts: ListOptions, signal?: AbortSignal): Promise<Json[]> {
    return this.call('list', [kind, project, opts], signal);
  }
  get(kind: GetKind, ref: ResourceRef): Promise<Json> {
    return this.call('get', [kind, ref]);
  }
  mutate(m: Mutation): Promise<Json> {
    return this.call('mutate', [m]);
  }
  getOperation(ref: OperationRef): Promise<Json> {
    return this.call('getOperation', [ref]);
  }
  waitOperation(ref: OperationRef): Promise<Json> {
    return this.call('waitOperation', [ref]);
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) {
      p.reject({ message: 'The Google Cloud account was closed', code: 'DISPOSED' } satisfies WireError);
    }
    this.pending.clear();
    void w?.terminate();
  }
}
