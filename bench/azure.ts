/**
 * Azure figures of `npm run bench` (issue 4): the adapter bundle, and the inventory fan-out —
 * 10 subscriptions × 500 snapshots at 100 ms injected latency per request, listed through the
 * real Azure adapter and @azure/arm-compute over HTTPS against a sandbox in its own process.
 * Every location of a subscription is served by one subscription-wide listing, so "a
 * subscription's page chain" is: its locations, then its lists (snapshot pages in sequence).
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createAdapter } from '../src/adapters/azure';
import { setLatency, startCloud } from './cloud';
import { AccountSession } from '../src/core/session';
import type { AdapterContext, CloudAdapter } from '../src/model/adapter';
import type { AccountConfig, Scope } from '../src/model/types';

const SUBSCRIPTIONS = 10;
const SNAPSHOTS_EACH = 500;
const LATENCY_MS = 100;

export function azureBundleFigures(): void {
  const size = statSync('dist/adapters/azure.js').size;
  console.log(`Azure adapter bundle (lazy, loaded when an Azure account is expanded): ${(size / 1024).toFixed(0)} KiB as built here`);
}

/** Lists every location of the given subscriptions; resolves when all are loaded. */
async function listAll(session: AccountSession, subs: Scope[]): Promise<number> {
  let snapshots = 0;
  await Promise.all(
    subs.map(async (sub) => {
      const leaves = await session.scopes(sub);
      await Promise.all(leaves.map((l) => session.load(l)));
      snapshots += leaves.reduce((n, l) => n + session.inventory(l.id).snapshots.length, 0);
    }),
  );
  return snapshots;
}

export async function azureInventoryFigures(): Promise<void> {
  const cloud = await startCloud(['--azure', String(SUBSCRIPTIONS), String(SNAPSHOTS_EACH)]);
  const info = cloud.info;
  try {
    await setLatency(info, LATENCY_MS);
    const account: AccountConfig = { id: 'bench-azure', cloud: 'azure', label: 'bench', sandbox: true, settings: {} };
    const ctx: AdapterContext = {
      // SNAPKEEPER_BENCH_LOG=1 prints every ARM call with its time (to see where a run waits).
      log: (m) => {
        if (process.env.SNAPKEEPER_BENCH_LOG && /^ARM /.test(m)) {
          console.log(m);
        }
      },
      setting: <T>(_k: string, f: T) => f,
      maxConcurrency: Number(process.env.SNAPKEEPER_BENCH_CONCURRENCY ?? 128),
      sandbox: info.azure,
    };
    const fresh = (): { adapter: CloudAdapter; session: AccountSession } => {
      const adapter = createAdapter(account, ctx);
      return { adapter, session: new AccountSession(account, async () => adapter, () => undefined) };
    };
    // Warm-up: the token, TLS and the SDK's first-call set-up are not what this measures.
    const warm = fresh();
    const subs = await warm.session.scopes();
    await listAll(warm.session, subs.slice(0, 1));
    warm.adapter.dispose();
    console.log(
      `Azure inventory: ${subs.length} subscriptions × ${SNAPSHOTS_EACH} snapshots, ${LATENCY_MS} ms latency per request, concurrency bound ${ctx.maxConcurrency}`,
    );

    // (a) each subscription alone (a fresh adapter each time: no shared listing cache).
    const alone: number[] = [];
    for (const sub of subs.slice(0, 3)) {
      const one = fresh();
      const t = performance.now();
      await listAll(one.session, [sub]);
      alone.push(performance.now() - t);
      one.adapter.dispose();
    }
    const slowest = Math.max(...alone);

    // (b) every subscription at once, as the tree does when the account is expanded.
    const all = fresh();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const listed = await listAll(all.session, subs);
    const parallel = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    all.adapter.dispose();

    // (c) one subscription after another.
    const serial = fresh();
    const t1 = performance.now();
    for (const sub of subs) {
      await listAll(serial.session, [sub]);
    }
    const sequential = performance.now() - t1;
    serial.adapter.dispose();

    console.log(`  slowest single subscription (locations + lists): ${slowest.toFixed(0)} ms (of ${alone.map((x) => x.toFixed(0)).join(', ')} ms)`);
    console.log(`  all ${subs.length} subscriptions in parallel: ${parallel.toFixed(0)} ms, ${listed} snapshots listed`);
    console.log(`  client CPU during the parallel listing: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    console.log(`  ratio parallel / slowest subscription: ${(parallel / slowest).toFixed(2)}× (budget 1.2×)`);
    console.log(`  one subscription after another: ${sequential.toFixed(0)} ms — ratio sequential / parallel: ${(sequential / parallel).toFixed(1)}×`);
  } finally {
    cloud.stop();
  }
}
