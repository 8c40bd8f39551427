// The HTTP plumbing the SDK-less adapters share (src/adapters/http.ts), for what their clients'
// tests do not reach: a timed-out attempt counts as sent (never repeated as a write), the caller's
// abort is passed through, the Node transport says whether a request left, the bound on requests
// in flight gives up a waiting slot on abort, the back-off's bounds, and reading a CA file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backoffMs, clampInt, NodeTransport, readCaFile, sendOnce, Slots, type Transport } from '../../src/adapters/http';
import { hostOf, isCloudError, untrusted } from '../../src/model/errors';

/** A transport that answers only when its request's signal aborts (then it rejects with the reason). */
const hanging: Transport = (request) =>
  new Promise((_, reject) => {
    request.signal.addEventListener('abort', () => reject(request.signal.reason as Error), { once: true });
  });

describe('adapters/http', () => {
  it('sendOnce: a request that outlives its time fails as TIMEOUT, counted as sent', async () => {
    const attempt = await sendOnce(hanging, { method: 'POST', url: 'http://127.0.0.1:9/x', headers: {} }, 5);
    assert.deepEqual(attempt, { ok: false, failure: { code: 'TIMEOUT', sent: true }, sent: true });
  });

  it("sendOnce: the caller's abort rejects with its reason, not a failure", async () => {
    const caller = new AbortController();
    const reason = new Error('stopped by the user');
    const pending = sendOnce(hanging, { method: 'GET', url: 'http://127.0.0.1:9/x', headers: {} }, 60_000, caller.signal);
    caller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
  });

  it('sendOnce: a failure marked sent: false stays unsent; any other counts as sent', async () => {
    const refused: Transport = () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', sent: false }));
    const reset: Transport = () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const a = await sendOnce(refused, { method: 'POST', url: 'http://h/x', headers: {} }, 60_000);
    const b = await sendOnce(reset, { method: 'POST', url: 'http://h/x', headers: {} }, 60_000);
    assert.equal(a.ok || a.sent, false);
    assert.equal(!b.ok && b.sent, true);
  });

  describe('NodeTransport (a real local server)', () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/cut') {
          // Promises 100 bytes, sends 5, then drops the connection.
          res.writeHead(200, { 'content-length': '100', 'x-two': ['a', 'b'] });
          res.write('hello');
          setImmediate(() => res.socket?.destroy());
          return;
        }
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => {
          res.writeHead(201, { 'content-type': 'text/plain', 'x-two': ['a', 'b'] });
          res.end(`${req.method} ${req.url} ${body}`);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('sends the method, headers and body, and gives status, lower-case headers (repeated ones joined) and body', async () => {
      const node = new NodeTransport(2);
      try {
        const res = await node.send({ method: 'PUT', url: `${base}/echo?a=1`, headers: { 'X-Test': '1' }, body: 'payload', signal: new AbortController().signal });
        assert.equal(res.status, 201);
        assert.equal(res.body, 'PUT /echo?a=1 payload');
        assert.equal(res.headers['content-type'], 'text/plain');
        assert.equal(res.headers['x-two'], 'a, b');
      } finally {
        node.dispose();
      }
    });

    it('a refused connection fails with sent: false; a body cut short fails with sent: true', async () => {
      const node = new NodeTransport(2);
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      try {
        await assert.rejects(node.send({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers: {}, signal: new AbortController().signal }), (e: { code?: string; sent?: boolean }) => {
          assert.equal(e.code, 'ECONNREFUSED');
          assert.equal(e.sent, false);
          return true;
        });
        await assert.rejects(node.send({ method: 'GET', url: `${base}/cut`, headers: {}, signal: new AbortController().signal }), (e: { sent?: boolean }) => {
          assert.equal(e.sent, true);
          return true;
        });
      } finally {
        node.dispose();
      }
    });
  });

  it('Slots: a waiter that aborts gives up its place; the freed slot goes to the next one', async () => {
    const slots = new Slots(1);
    const first = await slots.take();
    const quitter = new AbortController();
    const quitting = slots.take(quitter.signal);
    let secondHasIt = false;
    const second = slots.take().then((release) => {
      secondHasIt = true;
      return release;
    });
    quitter.abort(new Error('gave up'));
    await assert.rejects(quitting, /gave up/);
    assert.equal(secondHasIt, false);
    first();
    first(); // a second release of the same slot frees nothing more
    (await second)();
    await assert.rejects(slots.take(AbortSignal.abort(new Error('already'))), /already/);
    // Two free slots now would mean the double release counted: take one, and the next must wait.
    const one = await slots.take();
    let third = false;
    const waiting = slots.take().then((r) => {
      third = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(third, false);
    one();
    (await waiting)();
  });

  it('backoffMs: between half the cap and the cap, doubling from 300 ms to 30 s, never below Retry-After (capped at 30 s)', () => {
    assert.equal(backoffMs(1, () => 0), 150);
    assert.equal(backoffMs(1, () => 0.999999), 300);
    assert.equal(backoffMs(3, () => 0), 600);
    assert.equal(backoffMs(20, () => 0.999999), 30_000);
    assert.equal(backoffMs(1, () => 0, 5_000), 5_000);
    assert.equal(backoffMs(1, () => 0, 120_000), 30_000);
    assert.equal(clampInt(undefined, 1, 10, 4), 4);
    assert.equal(clampInt(Number.NaN, 1, 10, 4), 4);
    assert.equal(clampInt(99.7, 1, 10, 4), 10);
    assert.equal(clampInt(2.9, 1, 10, 4), 2);
  });

  it('untrusted and hostOf (model/errors): one bounded line of text, and an endpoint’s host', () => {
    assert.equal(untrusted('a\u0000b\r\nc\u2028d\u009b  e'), 'a b c d e');
    assert.equal(untrusted(42), '');
    assert.equal(untrusted('x'.repeat(400)).length, 300);
    assert.equal(untrusted('abcdefgh', 5), 'abcd…');
    assert.equal(hostOf('https://cloud.example.org:8443/client/api?x=1'), 'cloud.example.org:8443');
    assert.equal(hostOf('not a url'), 'not a url');
  });

  it('readCaFile: the PEM text; a file without a certificate, or none at all, is invalid naming the file and where it was set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-ca-'));
    try {
      const pem = join(dir, 'ca.pem');
      const text = join(dir, 'notes.txt');
      writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      writeFileSync(text, 'not a certificate');
      assert.match(await readCaFile(pem, 'the setting'), /^-----BEGIN CERTIFICATE-----/);
      await assert.rejects(readCaFile(text, 'the setting'), (e) => isCloudError(e) && e.kind === 'invalid' && e.message === `The CA file ${text} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
      const missing = join(dir, 'missing.pem');
      await assert.rejects(readCaFile(missing, 'the setting'), (e) => isCloudError(e) && e.kind === 'invalid' && e.message === `The CA file ${missing} could not be read (ENOENT): check the setting.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
