/**
 * CloudStack figures of `npm run bench` (issue 12): the adapter bundle, and the inventory —
 * 5 zones × 1,000 volume snapshots at 100 ms injected latency per request, listed through the real
 * CloudStack adapter and client (signed API) against a sandbox in its own process.
 *
 * CloudStack's list commands cover every zone at once, so the adapter lists the account ONCE and
 * serves every zone from it. Its cost is compared with the slowest zone's own page chain: what
 * listing that zone alone takes (its VMs, volumes, volume snapshots, VM snapshots and templates,
 * `zoneid=` set, each paged in sequence), as a per-zone design would for each zone.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createAdapter } from '../src/adapters/cloudstack';
import { createClient } from '../src/adapters/cloudstack/client';
import { AccountSession } from '../src/core/session';
import type { AdapterContext, CloudAdapter } from '../src/model/adapter';
import type { AccountConfig, Scope } from '../src/model/types';
import { setLatency, startCloud } from './cloud';

const ZONES = 5;
const SNAPSHOTS_EACH = 1000;
const LATENCY_MS = 100;
export const CLOUDSTACK_BUNDLE = 'dist/adapters/cloudstack.js';

export function cloudstackBundleFigures(): void {
  const size = statSync(CLOUDSTACK_BUNDLE).size;
  console.log(`CloudStack adapter bundle (lazy, loaded when a CloudStack account is expanded): ${(size / 1024).toFixed(0)} KiB (${size} bytes) as built here`);
}

export async function cloudstackInventoryFigures(): Promise<void> {
  const cloud = await startCloud(['--cloudstack', String(ZONES), String(SNAPSHOTS_EACH)]);
  const info = cloud.info.cloudstack;
  try {
    await setLatency(cloud.info, LATENCY_MS);
    const account: AccountConfig = { id: 'bench-cloudstack', cloud: 'cloudstack', label: 'bench', sandbox: true, settings: {} };
    const ctx: AdapterContext = {
      // SNAPKEEPER_BENCH_LOG=1 prints what the client logs (to see where a run waits).
      log: (m) => {
        if (process.env.SNAPKEEPER_BENCH_LOG) {
          console.log(m);
        }
      },
      setting: <T>(_k: string, f: T) => f,
      maxConcurrency: Number(process.env.SNAPKEEPER_BENCH_CONCURRENCY ?? 128),
      sandbox: info,
    };
    const fresh = (): { adapter: CloudAdapter; session: AccountSession } => {
      const adapter = createAdapter(account, ctx);
      return { adapter, session: new AccountSession(account, async () => adapter, () => undefined) };
    };
    // Warm-up: the first connection and the zones are not what this measures.
    const warm = fresh();
    const zones: Scope[] = await warm.session.scopes();
    warm.adapter.dispose();
    console.log(`CloudStack inventory: ${zones.length} zones × ${SNAPSHOTS_EACH} volume snapshots, ${LATENCY_MS} ms latency per request, page size 500`);

    // (a) each zone alone: its own page chain, the lists filtered by zoneid (as many requests in
    // flight as the adapter's client allows).
    const api = createClient({ endpoint: info.endpoint, apiKey: info.apiKey, secretKey: info.secretKey, maxConcurrency: Math.min(16, ctx.maxConcurrency) });
    const alone: number[] = [];
    let snapshotChain = 0;
    let pages = 0;
    try {
      for (const zone of zones) {
        const zoneid = zone.id;
        const t = performance.now();
        await Promise.all([
          api.list('listVirtualMachines', 'virtualmachine', { zoneid }),
          api.list('listVolumes', 'volume', { zoneid }),
          api.list('listSnapshots', 'snapshot', { zoneid }),
          api.list('listVMSnapshot', 'vmSnapshot', { zoneid }),
          api.list('listTemplates', 'template', { templatefilter: 'self', zoneid }),
        ]);
        alone.push(performance.now() - t);
      }
      // What dominates the account listing: the volume snapshots of every zone (the first page, then the rest at once).
      const t = performance.now();
      await api.list('listSnapshots', 'snapshot', {}, undefined, () => pages++);
      snapshotChain = performance.now() - t;
    } finally {
      api.dispose();
    }
    const slowest = Math.max(...alone);

    // (b) every zone at once, as the tree does when the account is expanded: one account listing.
    const all = fresh();
    const scopes = await all.session.scopes();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(scopes.map((s) => all.session.load(s)));
    const parallel = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const listed = scopes.reduce((n, s) => n + all.session.inventory(s.id).snapshots.length, 0);
    all.adapter.dispose();

    console.log(`  slowest single zone's page chain (zoneid set): ${slowest.toFixed(0)} ms (of ${alone.map((x) => x.toFixed(0)).join(', ')} ms)`);
    console.log(`  all ${scopes.length} zones, from one account listing: ${parallel.toFixed(0)} ms, ${listed} volume snapshots listed`);
    console.log(`  client CPU during that listing: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    console.log(`  ratio all zones / slowest zone: ${(parallel / slowest).toFixed(2)}×`);
    console.log(`  of which the account's listSnapshots alone, ${pages} pages (the first, then the rest at once): ${snapshotChain.toFixed(0)} ms`);
  } finally {
    cloud.stop();
  }
}
