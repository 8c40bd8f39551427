/**
 * The sandbox account: `ctx.sandbox` is the sandbox's `info.cloudstack` (its API endpoint and
 * keys; the client signs with them as with any account). Simulate Writes is the one
 * sandbox-only call, made on the sandbox's control route with its control key.
 */
import { sandboxRefusedWrites, sandboxUnreachable, sandboxUnreadable } from '../../model/errors';
import { SANDBOX_KEY, SANDBOX_KEY_HEADER } from '../../sandbox/backend';

export interface CsSandboxInfo {
  /** http://127.0.0.1:PORT/client/api */
  endpoint: string;
  apiKey: string;
  secretKey: string;
}

/** Validates `ctx.sandbox` (typed unknown by the contract): only a local endpoint is accepted. */
export function sandboxInfo(raw: unknown): CsSandboxInfo | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.endpoint !== 'string' || !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(r.endpoint) || typeof r.apiKey !== 'string' || typeof r.secretKey !== 'string') {
    return undefined;
  }
  return { endpoint: r.endpoint, apiKey: r.apiKey, secretKey: r.secretKey };
}

/** Asks the sandbox to write `mib` MiB of new data to a volume; resolves with the bytes it changed. */
export async function simulateWrites(info: CsSandboxInfo, volumeId: string, mib: number): Promise<number> {
  const url = new URL(`/_sandbox/cloudstack/volumes/${encodeURIComponent(volumeId)}/writes`, info.endpoint);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SANDBOX_KEY_HEADER]: SANDBOX_KEY }, body: JSON.stringify({ mib }) });
  } catch (e) {
    throw sandboxUnreachable(e);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    throw sandboxRefusedWrites(res.status, text);
  }
  try {
    const changed = (JSON.parse(text) as { changedBytes?: unknown }).changedBytes;
    return typeof changed === 'number' && changed >= 0 ? changed : 0;
  } catch {
    throw sandboxUnreadable();
  }
}
