/**
 * The sandbox account: `ctx.sandbox` is the sandbox's `info.cloudstack` (its API endpoint and
 * keys; the client signs with them as with any account). Simulate Writes is the one
 * sandbox-only call, made on the sandbox's control route with its control key.
 */
import { LOCAL_ENDPOINT, postSandboxWrites } from '../sandbox-writes';

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
  if (typeof r.endpoint !== 'string' || !LOCAL_ENDPOINT.test(r.endpoint) || typeof r.apiKey !== 'string' || typeof r.secretKey !== 'string') {
    return undefined;
  }
  return { endpoint: r.endpoint, apiKey: r.apiKey, secretKey: r.secretKey };
}

/** Asks the sandbox to write `mib` MiB of new data to a volume; resolves with the bytes it changed. */
export async function simulateWrites(info: CsSandboxInfo, volumeId: string, mib: number): Promise<number> {
  return postSandboxWrites(new URL(`/_sandbox/cloudstack/volumes/${encodeURIComponent(volumeId)}/writes`, info.endpoint), mib);
}
