#!/usr/bin/env node
// Runs the browser end-to-end suite N times in a row (sequentially, no retries) to measure its
// flakiness, and prints how many runs passed.
//
//   node test/e2e/repeat.mjs [N=20] [--vsix F] [--keep-all]
//
// The extension is packaged once (or --vsix F) and that .vsix is copied aside, so every run tests
// the same build even while the tree changes. Each run's output, results.json and logs go to
// test-results/e2e-repeat/run-NN/; screenshots are kept only for failed runs (all with
// --keep-all). Exits 1 unless every run passed.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const n = Number(argv.find((a) => /^\d+$/.test(a)) ?? 20);
const vsixArg = argv.includes('--vsix') ? argv[argv.indexOf('--vsix') + 1] : undefined;
const keepAll = argv.includes('--keep-all');
const outRoot = join(root, 'test-results', 'e2e-repeat');

rmSync(outRoot, { recursive: true, force: true });
mkdirSync(outRoot, { recursive: true });

let vsix = vsixArg && resolve(vsixArg);
if (!vsix) {
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`npm run package failed:\n${r.stderr || r.stdout}`);
    process.exit(1);
  }
  vsix = join(root, 'dist', 'snapkeeper.vsix');
}
if (!existsSync(vsix)) {
  console.error(`no such .vsix: ${vsix}`);
  process.exit(1);
}
const frozen = join(outRoot, 'snapkeeper.vsix');
copyFileSync(vsix, frozen);

function runOnce(i) {
  const dir = join(outRoot, `run-${String(i).padStart(2, '0')}`);
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(root, 'test', 'e2e', 'browser.e2e.mjs'), '--vsix', frozen], {
      cwd: root,
      env: { ...process.env, SNAPKEEPER_E2E_OUT: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      writeFileSync(join(dir, 'output.log'), out);
      const seconds = (Date.now() - t0) / 1000;
      const last = out.trim().split('\n').pop() ?? '';
      let results;
      try {
        results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      } catch {
        results = undefined;
      }
      const ok = code === 0 && results?.failures === 0 && results?.passes > 0;
      if (ok && !keepAll) {
        for (const f of readdirSync(dir)) if (f.endsWith('.png')) rmSync(join(dir, f));
      }
      const failed = (results?.tests ?? []).filter((t) => t.state !== 'passed').map((t) => `${t.title}: ${t.error ?? ''}`.split('\n')[0]);
      res({ i, ok, code, seconds, last, failed, dir });
    });
  });
}

const runs = [];
for (let i = 1; i <= n; i++) {
  const r = await runOnce(i);
  runs.push(r);
  console.log(`run ${String(i).padStart(2)}/${n}: ${r.ok ? 'PASS' : 'FAIL'} ${r.last} (${r.seconds.toFixed(1)} s)${r.failed.length ? `\n    ${r.failed.join('\n    ')}\n    artefacts: ${r.dir}` : ''}`);
}
const passed = runs.filter((r) => r.ok).length;
const secs = runs.map((r) => r.seconds).sort((a, b) => a - b);
writeFileSync(
  join(outRoot, 'summary.json'),
  JSON.stringify({ runs: n, passed, failed: n - passed, seconds: { min: secs[0], median: secs[Math.floor(secs.length / 2)], max: secs.at(-1) }, details: runs }, null, 2),
);
console.log(`${passed}/${n} runs passed (min ${secs[0].toFixed(1)} s, median ${secs[Math.floor(secs.length / 2)].toFixed(1)} s, max ${secs.at(-1).toFixed(1)} s)`);
process.exitCode = passed === n ? 0 : 1;
