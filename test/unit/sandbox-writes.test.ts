// Simulate Writes (the sandbox-only action) when the sandbox's control route fails: each adapter's
// call says the same (src/model/errors.ts: sandboxRefusedWrites, sandboxUnreachable,
// sandboxUnreadable) — the status as a kind, the sandbox's answer quoted and cut to 300
// characters, nothing listening as a network error, an unreadable answer as malformed.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simulateWrites as awsWrites } from '../../src/adapters/aws/sandbox';
import { simulateWrites as csWrites } from '../../src/adapters/cloudstack/sandbox';
import { simulateWrites as gcpWrites } from '../../src/adapters/gcp/sandbox';
import { assertKind, failure } from './fakes';

/** Each adapter's Simulate Writes against a sandbox at `endpoint` (http://127.0.0.1:PORT). */
const CALLS: { name: string; call: (endpoint: string) => Promise<unknown>; readsAnswer: boolean }[] = [
  { name: 'aws', call: (endpoint) => awsWrites({ endpoint, region: 'r', accessKeyId: 'k', secretAccessKey: 's' }, 'r', 'vol-1', 8), readsAnswer: false },
  { name: 'cloudstack', call: (endpoint) => csWrites({ endpoint: `${endpoint}/client/api`, apiKey: 'k', secretKey: 's' }, 'vol-1', 8), readsAnswer: true },
  {
    name: 'gcp',
    call: (endpoint) => gcpWrites({ endpoint, apiEndpoint: '127.0.0.1', port: Number(new URL(endpoint).port), protocol: 'http', projects: [], accessToken: 't' }, 'projects/p/zones/z/disks/d', 8),
    readsAnswer: true,
  },
];

describe('Simulate Writes: a failing sandbox is reported alike by every adapter', () => {
  let server: Server;
  let endpoint = '';
  let answer = { status: 200, body: '' };

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const { name, call, readsAnswer } of CALLS) {
    it(`${name}: 404 → notFound, 5xx → server, other refusals → invalid, the answer quoted and cut to 300 characters`, async () => {
      answer = { status: 404, body: 'no such volume' };
      assertKind(await failure(call(endpoint)), 'notFound', /^The sandbox refused the writes \(HTTP 404: no such volume\)$/);
      answer = { status: 503, body: '' };
      assertKind(await failure(call(endpoint)), 'server', /^The sandbox refused the writes \(HTTP 503\)$/);
      answer = { status: 400, body: 'x'.repeat(1000) };
      const e = await failure(call(endpoint));
      assertKind(e, 'invalid', new RegExp(`^The sandbox refused the writes \\(HTTP 400: x{300}\\)$`));
    });

    it(`${name}: nothing listening → network, with the cause kept`, async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const e = await failure(call(`http://127.0.0.1:${port}`));
      assertKind(e, 'network', /^Could not reach the sandbox \(.+\)$/);
      assert.ok(e.cause, 'the cause is kept');
    });

    if (readsAnswer) {
      it(`${name}: an answer that is not JSON → malformed`, async () => {
        answer = { status: 200, body: '<html>not json' };
        assertKind(await failure(call(endpoint)), 'malformed', /^The sandbox answered Simulate Writes with something unreadable$/);
      });
    }
  }
});
