/**
 * The sandbox account: `ctx.sandbox` is the sandbox's `info.openstack` ({ endpoint, authUrl,
 * regions, projectName, userName, password, … }); the client authenticates with it at Keystone as
 * with any account (accounts.ts `sandboxCredentials`). Simulate Writes is the one sandbox-only
 * call, made on the sandbox's control route with its control key.
 */
import { LOCAL_ENDPOINT, postSandboxWrites } from '../sandbox-writes';

export interface OsSandboxInfo {
  /** The sandbox's origin (`http://127.0.0.1:PORT`), where its control routes are. */
  origin: string;
}

/** Validates `ctx.sandbox`: only a local Keystone URL is accepted. */
export function sandboxInfo(raw: unknown): OsSandboxInfo | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const url = typeof r.authUrl === 'string' ? r.authUrl : r.endpoint;
  if (typeof url !== 'string' || !LOCAL_ENDPOINT.test(url)) {
    return undefined;
  }
  return { origin: new URL(url).origin };
}

/**
 * Asks the sandbox to write `mib` MiB of new data to a volume, or to a server's local root disk
 * (`server` given); resolves with the bytes it changed.
 */
export function simulateWrites(info: OsSandboxInfo, target: { volume: string } | { server: string }, mib: number): Promise<number> {
  const path = 'volume' in target ? `volumes/${encodeURIComponent(target.volume)}` : `servers/${encodeURIComponent(target.server)}`;
  return postSandboxWrites(new URL(`/_sandbox/openstack/${path}/writes`, info.origin), mib);
}
