#!/usr/bin/env node
// The `cli` test layer: the official cloud clients from Debian packages drive the sandbox through a
// whole snapshot workflow (test/cli/*.test.ts, built by `node esbuild.mjs --tests`), checked against
// the sandbox's own state.
//   AWS CLI   Debian package `awscli` (/usr/bin/aws): installed with apt-get when missing (as root).
//   cs        Debian package `cs` (/usr/bin/cloudstack, the Python CloudStack client python3-cs):
//             installed with apt-get when missing (as root).
//   openstack Debian package `python3-openstackclient` (/usr/bin/openstack): installed with apt-get
//             when missing (as root).
//   gcloud    Debian package `google-cloud-cli` (/usr/bin/gcloud): used when present; it comes from
//             Google's apt repository, not Debian's, so it is not installed here.
// A client that is not there and cannot be installed is skipped, and the output says so and why.
// Writes test-results/cli/results.json ({passes, failures, pending}) for scripts/test.mjs.
//
//   node scripts/cli-tests.mjs          (after `node esbuild.mjs --tests`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { aptGet } from './lib/apt-lock.mjs';

const RESULTS = 'test-results/cli/results.json';
const AWS_CLI = '/usr/bin/aws';
const CLOUDSTACK_CS = '/usr/bin/cloudstack';
const OPENSTACK_CLI = '/usr/bin/openstack';

const log = (message) => console.log(`[cli tests] ${message}`);

/** Installs a Debian package with apt-get when its binary is missing; resolves why not, or ''. */
async function ensureDebianPackage(pkg, binary) {
  if (existsSync(binary)) {
    return '';
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return `${binary} is missing and this is not root (install it with: sudo apt-get install -y ${pkg})`;
  }
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
    return `${binary} is missing and there is no apt-get here (install the ${pkg} package)`;
  }
  // Another apt holding the locks is named and waited for (scripts/lib/apt-lock.mjs), not a failure.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '--no-install-recommends', pkg];
  log(`installing the Debian package ${pkg} (for ${binary})`);
  let r = await aptGet(install, { log, env });
  if (r.status !== 0 && !r.gaveUp) {
    log('apt-get install failed; running apt-get update and trying again');
    r = await aptGet(['update'], { log, env });
    if (r.status === 0) {
      r = await aptGet(install, { log, env });
    }
  }
  if (r.gaveUp) {
    return r.output;
  }
  if (r.status !== 0) {
    return `apt-get could not install ${pkg} (see the apt-get output above)`;
  }
  return existsSync(binary) ? '' : `${pkg} installed, but ${binary} is still missing`;
}

function testFiles() {
  const dir = 'dist/test/cli';
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort().map((n) => resolve(dir, n));
}

async function main() {
  mkdirSync('test-results/cli', { recursive: true });
  const awsMissing = await ensureDebianPackage('awscli', AWS_CLI);
  if (awsMissing) {
    log(`AWS CLI part SKIPPED: ${awsMissing}`);
  }
  const csMissing = await ensureDebianPackage('cs', CLOUDSTACK_CS);
  if (csMissing) {
    log(`CloudStack cs part SKIPPED: ${csMissing}`);
  }
  const openstackMissing = await ensureDebianPackage('python3-openstackclient', OPENSTACK_CLI);
  if (openstackMissing) {
    log(`OpenStack CLI part SKIPPED: ${openstackMissing}`);
  }
  const files = testFiles();
  if (files.length === 0) {
    log('no test files in dist/test/cli (run `node esbuild.mjs --tests` first)');
    writeFileSync(RESULTS, JSON.stringify({ passes: 0, failures: 1, pending: 0 }));
    process.exitCode = 1;
    return;
  }
  const require = createRequire(import.meta.url);
  const { Mocha } = require('mocha');
  const mocha = new Mocha({ timeout: 90_000, reporter: 'spec' });
  for (const f of files) {
    mocha.addFile(f);
  }
  const counts = { passes: 0, failures: 0, pending: 0 };
  await new Promise((done) => {
    const runner = mocha.run(() => done());
    runner.on('pass', () => counts.passes++);
    runner.on('fail', () => counts.failures++);
    runner.on('pending', () => counts.pending++);
  });
  writeFileSync(RESULTS, JSON.stringify(counts));
  log(`${counts.passes} passed, ${counts.failures} failed, ${counts.pending} skipped (results in ${join(RESULTS)})`);
  process.exitCode = counts.failures > 0 ? 1 : 0;
}

await main();
// Leave once the results are written, even if a client left a socket open.
setTimeout(() => process.exit(), 2000).unref();
