/**
 * Google Cloud figures of `npm run bench` (issue 5):
 * 1. The start-up trap: the longest stall of this (the extension host's) thread while a fresh
 *    adapter lists the projects, a project's zones and a zone's inventory — with the SDK in its
 *    worker thread (what ships) and, for comparison, in-process.
 * 2. Inventory fan-out: 5 projects × 1,000 snapshots at 100 ms injected latency per request,
 *    all projects in parallel against the slowest project's own page chain.
 * The sandbox runs in its own process, as a real cloud would.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAdapter } from '../src/adapters/gcp';
import { setLatency, startCloud } from './cloud';
import { AccountSession } from '../src/core/session';
import type { AdapterContext, CloudAdapter } from '../src/model/adapter';
import type { AccountConfig, Scope } from '../src/model/types';
import type { SandboxInfo } from '../src/sandbox';

const PROJECTS = 5;
const SNAPSHOTS_EACH = 1000;
const LATENCY_MS = 100;

export function gcpBundleFigures(): void {
  const main = statSync('dist/adapters/gcp.js').size;
  const worker = statSync('dist/adapters/gcp-worker.js').size;
  console.log(
    `Google Cloud adapter bundles (lazy): ${(main / 1024).toFixed(0)} KiB on the extension host's thread (no SDK code), ${(worker / 1024 / 1024).toFixed(1)} MiB in the worker thread (@google-cloud/compute, deep imports)`,
  );
}

const account: AccountConfig = { id: 'bench-gcp', cloud: 'gcp', label: 'bench', sandbox: true, settings: {} };

function context(info: SandboxInfo): AdapterContext {
  return { log: () => undefined, setting: <T>(_k: string, f: T) => f, maxConcurrency: 128, sandbox: info.gcp };
}

/** Lists every leaf scope of the given projects; resolves when all are loaded. */
async function listAll(session: AccountSession, projects: Scope[]): Promise<number> {
  let snapshots = 0;
  await Promise.all(
    projects.map(async (p) => {
      const leaves = await session.scopes(p);
      await Promise.all(leaves.map((l) => session.load(l)));
      snapshots += leaves.reduce((n, l) => n + session.inventory(l.id).snapshots.length, 0);
    }),
  );
  return snapshots;
}

/** The longest gap of a 5 ms interval on this thread while `work` runs. */
async function longestStall(work: () => Promise<void>): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  worst = Math.max(worst, end - last - 5);
  return { stallMs: Math.max(0, worst), totalMs: end - t0 };
}

/** Figure 1, in a fresh process each time (`--gcp-stall worker|direct`): nothing of the SDK loaded before. */
export async function gcpStallProbe(mode: 'worker' | 'direct'): Promise<void> {
  const cloud = await startCloud(['--gcp', '2', '0']);
  try {
    const ctx = context(cloud.info);
    const { stallMs, totalMs } = await longestStall(async () => {
      const sdk = mode === 'direct' ? await import('../src/adapters/gcp/sdk') : undefined;
      const options = sdk ? { api: (c: ConstructorParameters<typeof sdk.DirectApi>[0]) => new sdk.DirectApi(c) } : undefined;
      const adapter: CloudAdapter = createAdapter(account, ctx, options);
      const projects = await adapter.listScopes();
      const leaves = await adapter.listScopes(projects[0]);
      const zone = leaves.find((l) => l.label === 'us-central1-a') ?? leaves[0];
      await adapter.listInventory(zone, { add: () => undefined }, new AbortController().signal);
      adapter.dispose();
    });
    console.log(JSON.stringify({ mode, stallMs, totalMs }));
  } finally {
    cloud.stop();
  }
}

export async function gcpStallFigures(): Promise<void> {
  const runs: Record<string, { stallMs: number; totalMs: number }[]> = { worker: [], direct: [] };
  for (let i = 0; i < 3; i++) {
    for (const mode of ['worker', 'direct'] as const) {
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, [join('dist', 'bench', 'run.js'), '--gcp-stall', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        p.stdout.on('data', (d: Buffer) => (text += d.toString()));
        p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`stall probe exited ${code}`))));
      });
      runs[mode].push(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
    }
  }
  const show = (mode: string) =>
    `${runs[mode].map((r) => r.stallMs.toFixed(0)).join(' / ')} ms longest stall (whole first expansion ${runs[mode].map((r) => r.totalMs.toFixed(0)).join(' / ')} ms)`;
  console.log('Google Cloud first expansion (projects, zones, a zone\'s inventory), 3 fresh processes each:');
  console.log(`  SDK in its worker thread (what ships): ${show('worker')} — budget: no stall over 100 ms`);
  console.log(`  SDK on the extension host's thread (for comparison): ${show('direct')}`);
}

export async function gcpInventoryFigures(): Promise<void> {
  const cloud = await startCloud(['--gcp', String(PROJECTS), String(SNAPSHOTS_EACH)]);
  try {
    await setLatency(cloud.info, 0);
    const ctx = context(cloud.info);
    const fresh = (): { adapter: CloudAdapter; session: AccountSession } => {
      const adapter = createAdapter(account, ctx);
      return { adapter, session: new AccountSession(account, async () => adapter, () => undefined) };
    };
    // Warm-up: the worker and the SDK's first client are not what this measures.
    const warm = fresh();
    const projects = await warm.session.scopes();
    await listAll(warm.session, projects.slice(0, 1));
    await setLatency(cloud.info, LATENCY_MS);
    console.log(`Google Cloud inventory: ${projects.length} projects × ${SNAPSHOTS_EACH} snapshots, ${LATENCY_MS} ms latency per request`);

    // Each adapter keeps its worker warm; a new session has no listing cache.
    const session = () => new AccountSession(account, async () => warm.adapter, () => undefined);
    const alone: number[] = [];
    for (const p of projects.slice(0, 3)) {
      await new Promise((r) => setTimeout(r, 3_100)); // past the adapter's 3 s listing reuse
      const t = performance.now();
      await listAll(session(), [p]);
      alone.push(performance.now() - t);
    }
    const slowest = Math.max(...alone);
    await new Promise((r) => setTimeout(r, 3_100));
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const listed = await listAll(session(), projects);
    const parallel = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    console.log(`  slowest single project (zones + lists): ${slowest.toFixed(0)} ms (of ${alone.map((x) => x.toFixed(0)).join(', ')} ms)`);
    console.log(`  all ${projects.length} projects in parallel: ${parallel.toFixed(0)} ms, ${listed} snapshots listed`);
    console.log(
      `  CPU during it: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms for the whole process, of which the extension host's thread was busy ${elu.active.toFixed(0)} ms (the rest is the SDK decoding in its worker)`,
    );
    console.log(`  ratio parallel / slowest project: ${(parallel / slowest).toFixed(2)}× (budget 1.2×)`);
    warm.adapter.dispose();
  } finally {
    cloud.stop();
  }
}
