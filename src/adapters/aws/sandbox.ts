/**
 * The sandbox account: where its EC2 endpoint is and which static keys it accepts. The AWS
 * adapter talks to the sandbox through the same SDK as to AWS; the only sandbox-specific call is
 * the control API behind the sandbox-only "Simulate Writes" action.
 */
import { sandboxRefusedWrites, sandboxUnreachable } from '../../model/errors';

export interface SandboxInfo {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Validates `ctx.sandbox` (typed `unknown` by the contract). */
export function sandboxInfo(raw: unknown): SandboxInfo | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const { endpoint, region, accessKeyId, secretAccessKey } = r;
  if (typeof endpoint !== 'string' || typeof region !== 'string' || typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') {
    return undefined;
  }
  return { endpoint: endpoint.replace(/\/+$/, ''), region, accessKeyId, secretAccessKey };
}

/** Asks the sandbox to change `mib` MiB of a volume's blocks (so the next snapshot has a delta). */
export async function simulateWrites(info: SandboxInfo, region: string, volumeId: string, mib: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${info.endpoint}/_sandbox/aws/writes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-snapkeeper-sandbox-key': info.accessKeyId },
      body: JSON.stringify({ region, volumeId, mib }),
    });
  } catch (e) {
    throw sandboxUnreachable(e);
  }
  if (!res.ok) {
    throw sandboxRefusedWrites(res.status, await res.text().catch(() => ''));
  }
}
