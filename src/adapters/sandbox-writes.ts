/**
 * "Simulate Writes" of a sandbox account: asks the running sandbox (its control route on
 * 127.0.0.1, with its control key) to write N MiB of new data to a disk. Shared by the adapters
 * that speak to the sandbox over HTTP themselves; the route is the cloud's own.
 */
import { sandboxRefusedWrites, sandboxUnreachable, sandboxUnreadable } from '../model/errors';
import { SANDBOX_KEY, SANDBOX_KEY_HEADER } from '../sandbox/backend';

/** Only a local sandbox endpoint is accepted (`ctx.sandbox` is typed unknown by the contract). */
export const LOCAL_ENDPOINT = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//;

/** POSTs `{ mib }` to the control route `url`; resolves with the bytes the sandbox changed. */
export async function postSandboxWrites(url: URL, mib: number): Promise<number> {
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
