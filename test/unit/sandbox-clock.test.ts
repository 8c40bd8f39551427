/**
 * The sandbox's clock: the real (or test) clock plus an offset that only moves forward, moved by
 * the control API, kept in the state file, and seen by every cloud.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_KEY, SANDBOX_KEY_HEADER, startSandbox } from '../../src/sandbox';
import { advanceOf, SandboxClock } from '../../src/sandbox/clock';

const DAY = 86_400_000;

async function control(endpoint: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${new URL(endpoint).origin}${path}`, {
    method,
    headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('sandbox clock', () => {
  it('moves forward only, by a bounded amount', () => {
    let real = 1_000;
    const clock = new SandboxClock(() => real, 0);
    clock.advance(500);
    real += 10;
    assert.equal(clock.now(), 1_510);
    assert.throws(() => clock.advance(0), /forward only/);
    assert.throws(() => clock.advance(-5), /forward only/);
    assert.throws(() => clock.advance(400 * DAY), /366 days/);
    assert.equal(clock.offsetMs, 500);
    // A saved offset that is not a positive number is no offset.
    assert.equal(new SandboxClock(() => 0, -3).offsetMs, 0);
    assert.equal(new SandboxClock(() => 0, Number.NaN).offsetMs, 0);
  });

  it('reads one unit of an advance request and refuses anything else', () => {
    assert.equal(advanceOf({ days: 2 }), 2 * DAY);
    assert.equal(advanceOf({ hours: 1.5 }), 5_400_000);
    assert.equal(advanceOf({ minutes: 3 }), 180_000);
    assert.equal(advanceOf({ ms: 42 }), 42);
    assert.throws(() => advanceOf({}), /exactly one/);
    assert.throws(() => advanceOf({ days: 1, hours: 1 }), /exactly one/);
    assert.throws(() => advanceOf({ days: '1' }), /"days" must be a number/);
    assert.throws(() => advanceOf({ hours: -1 }), /"hours" must be a number > 0/);
    assert.throws(() => advanceOf(null), /exactly one/);
  });

  it('is moved by POST /_sandbox/clock, read by GET, kept in the state file, and refuses a bad body with 400', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-clock-'));
    const statePath = join(dir, 'state.json');
    const start = Date.UTC(2026, 11, 3, 12, 0, 0);
    const sandbox = await startSandbox({ seed: false, statePath, now: () => start });
    const endpoint = Object.values(sandbox.info as Record<string, { endpoint: string }>).find((i) => i.endpoint.startsWith('http:'))?.endpoint ?? '';
    try {
      assert.equal(sandbox.now(), start);
      const read = await control(endpoint, 'GET', '/_sandbox/clock');
      assert.deepEqual(read.json, { now: new Date(start).toISOString(), offsetMs: 0 });
      const moved = await control(endpoint, 'POST', '/_sandbox/clock', { days: 3 });
      assert.equal(moved.status, 200);
      assert.equal(moved.json.now, new Date(start + 3 * DAY).toISOString());
      assert.equal(moved.json.offsetMs, 3 * DAY);
      assert.equal(typeof moved.json.done, 'object');
      assert.equal(sandbox.now(), start + 3 * DAY);
      const bad = await control(endpoint, 'POST', '/_sandbox/clock', { weeks: 1 });
      assert.equal(bad.status, 400);
      assert.match(String((bad.json.error as { message: string }).message), /exactly one/);
      const backwards = await control(endpoint, 'POST', '/_sandbox/clock', { ms: -1 });
      assert.equal(backwards.status, 400);
      const unkeyed = await fetch(`${new URL(endpoint).origin}/_sandbox/clock`, { method: 'POST', body: '{"days":1}' });
      assert.equal(unkeyed.status, 403);
      sandbox.advanceClock(DAY);
      await sandbox.close();
      const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { clockOffsetMs: number };
      assert.equal(saved.clockOffsetMs, 4 * DAY);
    } finally {
      await sandbox.close();
    }
    // Restarted on the same state file, the sandbox's time does not go back.
    const again = await startSandbox({ seed: false, statePath, now: () => start + 1_000 });
    try {
      assert.equal(again.now(), start + 1_000 + 4 * DAY);
    } finally {
      await again.close();
    }
  });
});
