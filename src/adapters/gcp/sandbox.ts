/**
 * The sandbox account: `ctx.sandbox` is the sandbox's `info.gcp`. The SDK reaches it with its
 * fixed bearer token; Simulate Writes is the one sandbox-only call (its control route accepts the
 * same token), made here with node:http — no SDK needed.
 */
import { request } from 'node:http';
import { sandboxRefusedWrites, sandboxUnreachable, sandboxUnreadable } from '../../model/errors';

export interface GcpSandboxInfo {
  endpoint: string;
  apiEndpoint: string;
  port: number;
  protocol: 'http';
  projects: string[];
  accessToken: string;
}

/** Validates `ctx.sandbox` (typed unknown by the contract). */
export function sandboxInfo(raw: unknown): GcpSandboxInfo | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.endpoint !== 'string' || !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(r.endpoint) || typeof r.accessToken !== 'string') {
    return undefined;
  }
  const url = new URL(r.endpoint);
  const port = typeof r.port === 'number' ? r.port : Number(url.port);
  return {
    endpoint: r.endpoint.replace(/\/+$/, ''),
    apiEndpoint: typeof r.apiEndpoint === 'string' ? r.apiEndpoint : url.hostname,
    port,
    protocol: 'http',
    projects: Array.isArray(r.projects) ? r.projects.filter((p): p is string => typeof p === 'string') : [],
    accessToken: r.accessToken,
  };
}

/** Asks the sandbox to write `mib` MiB of new data to a disk (path `projects/p/zones/z/disks/d`). */
export function simulateWrites(info: GcpSandboxInfo, disk: string, mib: number): Promise<number> {
  const body = JSON.stringify({ disk, mib });
  return new Promise<number>((resolve, reject) => {
    const req = request(
      new URL('/_sandbox/gcp/writes', `${info.endpoint}/`),
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${info.accessToken}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(sandboxRefusedWrites(status, text));
            return;
          }
          try {
            resolve(Number((JSON.parse(text) as { blocksWritten?: unknown }).blocksWritten) || 0);
          } catch {
            reject(sandboxUnreadable());
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (e) => reject(sandboxUnreachable(e)));
    req.end(body);
  });
}
