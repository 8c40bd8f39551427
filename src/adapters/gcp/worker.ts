/**
 * The worker thread that hosts the SDK (bundled as dist/adapters/gcp-worker.js). Loading
 * `@google-cloud/compute` and parsing its 12.7 MB proto description take about a second of CPU:
 * here it never stalls the extension host. Protocol (plain data both ways):
 *   in:  {id, method, args}  → out: {id, result} | {id, error: WireError}
 *   in:  {cancel: id}        → aborts that call's listing between pages
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GcpApi, GcpConnection } from './api';
import { SdkApi, toWire } from './sdk';

/** Methods whose last parameter is an AbortSignal (the worker supplies it). */
export const SIGNAL_METHODS = new Set(['listProjects', 'listZones', 'listRegions', 'aggregatedList', 'list']);

interface Call {
  id: number;
  method: keyof GcpApi;
  args: unknown[];
}

const port = parentPort;
if (port) {
  const api = new SdkApi((workerData as { conn: GcpConnection }).conn);
  const running = new Map<number, AbortController>();
  port.on('message', (msg: Call | { cancel: number }) => {
    if ('cancel' in msg) {
      running.get(msg.cancel)?.abort();
      return;
    }
    const { id, method, args } = msg;
    const controller = new AbortController();
    running.set(id, controller);
    void (async () => {
      try {
        if (method === 'dispose' || typeof api[method] !== 'function') {
          throw { message: `Unknown method ${String(method)}` };
        }
        const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
        const result = await fn.apply(api, SIGNAL_METHODS.has(method) ? [...args, controller.signal] : args);
        port.postMessage({ id, result });
      } catch (e) {
        const error = typeof e === 'object' && e !== null && !(e instanceof Error) && typeof (e as { message?: unknown }).message === 'string' ? e : toWire(e);
        port.postMessage({ id, error });
      } finally {
        running.delete(id);
      }
    })();
  });
}
