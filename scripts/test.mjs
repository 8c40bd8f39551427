#!/usr/bin/env node
// The README's test command (`npm test`): builds the extension and the test bundles, then runs
// every suite — unit, adapter contract (real SDKs against the sandbox) — in one mocha run, and
// ends with one summary line `N passed, N failed, N skipped`.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ensureDeps } from './ensure-deps.mjs';

ensureDeps();
const require = createRequire(import.meta.url);
const { Mocha } = require('mocha');

execFileSync(process.execPath, ['esbuild.mjs', '--tests'], { stdio: 'inherit' });

function find(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) {
      out = out.concat(find(p));
    } else if (p.endsWith('.test.js')) {
      out.push(p);
    }
  }
  return out;
}

const suites = process.argv.slice(2);
const dirs = suites.length ? suites.map((s) => join('dist/test', s)) : ['dist/test/unit', 'dist/test/contract'];
const files = dirs.flatMap(find);
if (files.length === 0) {
  console.error(`No test files under ${dirs.join(', ')}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const mocha = new Mocha({ timeout: 30000, reporter: 'spec' });
for (const f of files) {
  mocha.addFile(join(process.cwd(), f));
}
let passed = 0;
let failed = 0;
let skipped = 0;
const runner = mocha.run((failures) => {
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = failures > 0 || passed === 0 ? 1 : 0;
  // A test that leaks a socket must not hang CI: leave once the summary is out.
  setTimeout(() => process.exit(), 2000).unref();
});
runner.on('pass', () => passed++);
runner.on('fail', () => failed++);
runner.on('pending', () => skipped++);
