// A scripted OpenStack for the client's unit tests: Keystone's token answer (with a catalog of
// three regions), and per-test routes for the services. Every request is recorded.
import type { HttpRequest, HttpResponse, Transport } from '../../src/adapters/openstack/client';

export const PROJECT = 'a6944d763bf64ee6a275f1263fae0352';
export const PASSWORD = 'pw-Sekr1t-never-logged';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The catalog: RegionOne has everything; RegionTwo's endpoints sit under path prefixes; RegionThree has Nova only. */
export function catalog(): unknown[] {
  const ep = (region: string, iface: string, url: string) => ({ id: `${region}-${iface}-${url}`, interface: iface, region, region_id: region, url });
  return [
    { type: 'identity', name: 'keystone', endpoints: [ep('RegionOne', 'public', 'http://keystone.test:5000/v3')] },
    {
      type: 'compute',
      name: 'nova',
      endpoints: [
        ep('RegionOne', 'public', 'http://nova.test:8774/v2.1'),
        ep('RegionOne', 'internal', 'http://nova-internal.test:8774/v2.1'),
        ep('RegionTwo', 'public', 'https://two.test/compute/v2.1'),
        ep('RegionThree', 'public', 'http://three.test:8774/v2.1'),
      ],
    },
    { type: 'block-storage', name: 'cinder', endpoints: [ep('RegionOne', 'public', `http://cinder.test:8776/v3/${PROJECT}`)] },
    { type: 'volumev3', name: 'cinderv3', endpoints: [ep('RegionTwo', 'public', 'https://two.test/volume/v3')] },
    { type: 'image', name: 'glance', endpoints: [ep('RegionOne', 'public', 'http://glance.test:9292'), ep('RegionTwo', 'public', 'https://two.test/image')] },
    { type: 'network', name: 'neutron', endpoints: [ep('RegionOne', 'public', 'http://neutron.test:9696/')] },
  ];
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export type Route = (req: Recorded) => HttpResponse | Promise<HttpResponse | undefined> | undefined;

export interface FakeCloud {
  transport: Transport;
  calls: Recorded[];
  /** Token requests answered so far. */
  issued: number;
  /** The token the next token request issues is `tok-<issued+1>`; it expires `life` ms after `now()`. */
  life: number;
}

/**
 * A transport answering Keystone's token requests itself (tokens `tok-1`, `tok-2`…, valid for
 * `life` ms from `now()`), and every other request with the first route that answers (else 404).
 */
export function fakeCloud(routes: Route[], now: () => number = Date.now): FakeCloud {
  const fake: FakeCloud = {
    calls: [],
    issued: 0,
    life: 3_600_000,
    transport: async (req: HttpRequest) => {
      const rec: Recorded = { method: req.method, url: req.url, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}) };
      fake.calls.push(rec);
      req.signal.throwIfAborted();
      if (req.method === 'POST' && req.url.endsWith('/v3/auth/tokens')) {
        for (const route of routes) {
          const answer = await route(rec);
          if (answer) {
            return answer;
          }
        }
        fake.issued++;
        const expires = new Date(now() + fake.life).toISOString();
        return json(
          201,
          { token: { methods: ['password'], expires_at: expires, issued_at: new Date(now()).toISOString(), project: { id: PROJECT, name: 'demo', domain: { id: 'default', name: 'Default' } }, catalog: catalog() } },
          { 'x-subject-token': `tok-${fake.issued}` },
        );
      }
      for (const route of routes) {
        const answer = await route(rec);
        if (answer) {
          return answer;
        }
      }
      return json(404, { itemNotFound: { code: 404, message: `no route for ${req.method} ${req.url}` } });
    },
  };
  return fake;
}

/** Calls other than token requests. */
export function serviceCalls(fake: FakeCloud): Recorded[] {
  return fake.calls.filter((c) => !c.url.endsWith('/v3/auth/tokens'));
}
