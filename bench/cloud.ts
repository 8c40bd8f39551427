/**
 * The benchmarks' cloud: a sandbox in its own process (bench/sandbox-child.ts), as a real cloud
 * would be, so its CPU is not counted as the client's; and its injected latency.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SandboxInfo } from '../src/sandbox';

export async function startCloud(args: string[]): Promise<{ info: SandboxInfo; stop: () => void }> {
  const child = spawn(process.execPath, [join('dist', 'bench', 'sandbox-child.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return { info: JSON.parse(line) as SandboxInfo, stop: () => child.kill('SIGTERM') };
}

/** Delay before every cloud API request of that sandbox (its control API). */
export async function setLatency(info: SandboxInfo, latencyMs: number): Promise<void> {
  const res = await fetch(`${info.aws.endpoint}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-snapkeeper-sandbox-key': info.aws.accessKeyId },
    body: JSON.stringify({ latencyMs }),
  });
  if (!res.ok) {
    throw new Error(`could not set the latency: ${res.status}`);
  }
}
