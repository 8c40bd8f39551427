// The sandbox's clouds are plug-ins: one backend per folder src/sandbox/<kind>/backend.ts, found by
// the build; the shared modules (src/sandbox/*.ts) only loop over them and name no cloud.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { backendKinds, SANDBOX_KEY, SANDBOX_KEY_HEADER, startSandbox } from '../../src/sandbox';
import { sandboxBackends } from '../../src/sandbox/registry';

const root = resolve(__dirname, '..', '..', '..');
const sandboxDir = join(root, 'src', 'sandbox');

describe('sandbox backends', () => {
  it('the build takes exactly the folders that hold a backend.ts (each a cloud of the registry), each exporting its own kind', () => {
    const folders = readdirSync(sandboxDir).filter((name) => existsSync(join(sandboxDir, name, 'backend.ts'))).sort();
    assert.ok(folders.length > 0, 'no backend folder found');
    assert.deepEqual([...backendKinds()].sort(), folders);
    assert.deepEqual(
      sandboxBackends().map((b) => b.kind),
      [...backendKinds()],
    );
  });

  it('the shared modules name no cloud (comments included)', () => {
    const words = /aws|azure|gcp|google|amazon|microsoft|ec2|ebs|entra|arm\b/i;
    const offending: string[] = [];
    for (const file of readdirSync(sandboxDir).filter((name) => name.endsWith('.ts'))) {
      readFileSync(join(sandboxDir, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (words.test(line)) {
            offending.push(`${file}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    assert.deepEqual(offending, []);
  });

  it('a running sandbox has one info, one control, one summary member and one state-file member per backend', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-backends-'));
    const statePath = join(dir, 'state.json');
    const sandbox = await startSandbox({ seed: false, statePath });
    try {
      const kinds = [...backendKinds()];
      assert.deepEqual(Object.keys(sandbox.info), kinds);
      assert.deepEqual(Object.keys(sandbox.clouds), kinds);
      for (const kind of kinds) {
        const info = (sandbox.info as Record<string, { endpoint: string }>)[kind];
        // The base URL to point a client at: an origin, or an origin and the API's path.
        assert.match(info.endpoint, /^https?:\/\/127\.0\.0\.1:\d+(\/[\w/-]+)?$/, `${kind}'s endpoint`);
      }
      // The shared listener: the plain-HTTP endpoint the clouds on it report.
      const plain = Object.values(sandbox.info as Record<string, { endpoint: string }>).find((i) => i.endpoint.startsWith('http:'))?.endpoint;
      const main = plain === undefined ? undefined : new URL(plain).origin;
      assert.ok(main, 'no cloud on the shared listener');
      const summary = (await (await fetch(`${main}/_sandbox/state-summary`, { headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY } })).json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(summary), kinds);
      const unknown = await fetch(`${main}/_sandbox/no-such-cloud/writes`, { method: 'POST', headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY } });
      assert.equal(unknown.status, 404);
      await sandbox.close();
      const saved = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(saved), ['version', 'clockOffsetMs', ...kinds]);
    } finally {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
