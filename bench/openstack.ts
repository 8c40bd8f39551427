/**
 * OpenStack figures of `npm run bench` (issue 13): the adapter bundle, and the first expansion of
 * an account with 3 regions × 1,000 volume snapshots (10 volumes each) at 100 ms injected latency
 * per request in every region, listed through the real OpenStack adapter and client (a Keystone
 * token, the catalog, microversions, Cinder's marker/limit paging) against a sandbox in its own
 * process.
 *
 * OpenStack's APIs are per region, so the adapter lists each region on its own (servers, flavors,
 * volumes, volume snapshots, backups, images at once, each list paged in sequence). The expansion
 * is compared with the slowest region's own page chain: that region listed alone by a fresh
 * adapter. Also: when the first region's counts arrive, and the client CPU of reading and mapping
 * 1,000 volume snapshots (one page of Cinder's JSON: JSON.parse and the adapter's mapping).
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createAdapter } from '../src/adapters/openstack';
import { mapSnapshot } from '../src/adapters/openstack/map';
import type { OsSnapshot } from '../src/adapters/openstack/wire';
import { AccountSession } from '../src/core/session';
import type { AdapterContext, CloudAdapter } from '../src/model/adapter';
import type { AccountConfig, Scope } from '../src/model/types';
import type { OpenStackSandboxInfo } from '../src/sandbox/openstack/backend';
import { startCloud } from './cloud';
import { median } from './stats';

export const OPENSTACK_REGIONS = 3;
export const OPENSTACK_SNAPSHOTS_EACH = 1000;
const LATENCY_MS = 100;
export const OPENSTACK_BUNDLE = 'dist/adapters/openstack.js';

export function openstackBundleFigures(): void {
  const size = statSync(OPENSTACK_BUNDLE).size;
  console.log(`OpenStack adapter bundle (lazy, loaded when an OpenStack account is expanded): ${(size / 1024).toFixed(0)} KiB (${size} bytes) as built here`);
}

export async function openstackInventoryFigures(): Promise<void> {
  const cloud = await startCloud(['--openstack', String(OPENSTACK_REGIONS), String(OPENSTACK_SNAPSHOTS_EACH), String(LATENCY_MS)]);
  const info = cloud.info.openstack;
  try {
    const account: AccountConfig = { id: 'bench-openstack', cloud: 'openstack', label: 'bench', sandbox: true, settings: {} };
    const ctx: AdapterContext = {
      // SNAPKEEPER_BENCH_LOG=1 prints what the client logs (to see where a run waits).
      log: (m) => {
        if (process.env.SNAPKEEPER_BENCH_LOG) {
          console.log(m);
        }
      },
      // Overridable to explore: SNAPKEEPER_BENCH_PAGE_SIZE (Cinder's limit, ≤ 1000), SNAPKEEPER_BENCH_CONCURRENCY.
      setting: <T>(k: string, f: T) => (k === 'openstack.pageSize' && process.env.SNAPKEEPER_BENCH_PAGE_SIZE ? (Number(process.env.SNAPKEEPER_BENCH_PAGE_SIZE) as T) : f),
      maxConcurrency: Number(process.env.SNAPKEEPER_BENCH_CONCURRENCY ?? 128),
      sandbox: info,
    };
    const fresh = (): { adapter: CloudAdapter; session: AccountSession } => {
      const adapter = createAdapter(account, ctx);
      return { adapter, session: new AccountSession(account, async () => adapter, () => undefined) };
    };
    // Warm-up: the first connection (a token) and the regions are not what this measures.
    const warm = fresh();
    const regions: Scope[] = await warm.session.scopes();
    warm.adapter.dispose();
    console.log(
      `OpenStack inventory: ${regions.length} regions × ${OPENSTACK_SNAPSHOTS_EACH} volume snapshots (10 volumes each), ${LATENCY_MS} ms latency per request in every region, page size ${ctx.setting('openstack.pageSize', 500)}`,
    );

    // (a) each region alone, as its own first expansion (a fresh adapter: its token, version documents and lists).
    const alone: number[] = [];
    for (const region of regions) {
      const one = fresh();
      await one.session.scopes();
      const t = performance.now();
      await one.session.load(region);
      alone.push(performance.now() - t);
      one.adapter.dispose();
    }
    const slowest = Math.max(...alone);

    // (b) the account's first expansion: every region at once, as the tree does.
    const all = fresh();
    const scopes = await all.session.scopes();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let first = 0;
    await Promise.all(
      scopes.map((s) =>
        all.session.load(s).then(() => {
          first ||= performance.now() - t0;
        }),
      ),
    );
    const whole = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const listed = scopes.reduce((n, s) => n + all.session.inventory(s.id).snapshots.length, 0);
    all.adapter.dispose();

    console.log(`  each region alone (its own page chain): ${alone.map((x) => x.toFixed(0)).join(', ')} ms — the slowest ${slowest.toFixed(0)} ms`);
    console.log(`  first expansion of the account: the first region's counts after ${first.toFixed(0)} ms, all ${scopes.length} regions after ${whole.toFixed(0)} ms, ${listed} volume snapshots listed`);
    console.log(`  ratio all regions / slowest region's page chain: ${(whole / slowest).toFixed(2)}×`);
    console.log(`  client CPU during the expansion: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (${(((cpu.user + cpu.system) / 1000 / listed) * 1000).toFixed(0)} ms per 1,000 volume snapshots, everything included)`);
    await parseFigures(info);
  } finally {
    cloud.stop();
  }
}

/** CPU of reading one page of 1,000 volume snapshots: JSON.parse of Cinder's answer and the adapter's mapping (median of 15). */
async function parseFigures(info: OpenStackSandboxInfo): Promise<void> {
  const auth = await fetch(`${info.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: info.userName, domain: { name: 'Default' }, password: info.password } } },
        scope: { project: { name: info.projectName, domain: { name: 'Default' } } },
      },
    }),
  });
  const token = auth.headers.get('x-subject-token') ?? '';
  const catalog = ((await auth.json()) as { token: { catalog: { type: string; endpoints: { region: string; interface: string; url: string }[] }[] } }).token.catalog;
  const cinder = catalog.find((s) => s.type === 'volumev3')?.endpoints.find((e) => e.region === info.regions[0] && e.interface === 'public')?.url;
  const text = await (await fetch(`${cinder}/snapshots/detail?limit=${OPENSTACK_SNAPSHOTS_EACH}`, { headers: { 'x-auth-token': token, 'openstack-api-version': 'volume 3.60' } })).text();
  const runs: number[] = [];
  let count = 0;
  for (let i = 0; i < 15; i++) {
    const c0 = process.cpuUsage();
    const page = (JSON.parse(text) as { snapshots: OsSnapshot[] }).snapshots;
    count = page.map((s) => mapSnapshot(s, info.regions[0])).length;
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / 1000);
  }
  console.log(`  parse CPU of one page of ${count} volume snapshots (${(text.length / 1024).toFixed(0)} KiB of JSON: JSON.parse + mapping, median of 15): ${median(runs).toFixed(1)} ms — ${((median(runs) / count) * 1000).toFixed(1)} ms per 1,000`);
}
