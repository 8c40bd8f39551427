// Installs the project's npm dependencies when they are missing or older than package-lock.json,
// so the README's commands work on a fresh clone. Uses only Node's own modules.
//
// `npm ci` runs on Node 22 from the harness cache (installed there on first use, ~10 s): the Node
// of VS Code's extension host, and what the pinned cloud SDKs declare (engines node >= 22), so the
// install prints no EBADENGINE warning whatever Node (20 or newer) started us. It gets the clean
// environment of scripts/lib/nested-npm.mjs (nothing inherited from an outer `npm run`).
//
//   node scripts/ensure-deps.mjs     install if needed (what `npm run demo` and `npm test` do first)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPS_NODE_MAJOR, ensureDepsNode, installContext } from './harness/setup.mjs';
import { depsStale } from './lib/deps-state.mjs';
import { installFailureMessage, nestedNpmEnv, runShown } from './lib/nested-npm.mjs';

/** `npm ci` on Node 22 when needed; throws (after printing why) when it fails. */
export async function ensureDeps() {
  if (!depsStale()) {
    return;
  }
  if (existsSync('node_modules') && lstatSync('node_modules').isSymbolicLink()) {
    // npm ci empties node_modules through the link: the other checkout would lose its packages.
    const err = new Error(
      `node_modules is a link to ${realpathSync('node_modules')}, which does not match package-lock.json; ` +
        'not reinstalling through the link (npm ci would empty the folder it points to). ' +
        'Install in that checkout, or replace the link with a folder of your own.',
    );
    err.exitCode = 1;
    throw err;
  }
  const node = await ensureDepsNode();
  const version = spawnSync(node.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`Installing dependencies (npm ci on Node ${version} from ${node.nodeBinDir})…`);
  const t0 = Date.now();
  const env = nestedNpmEnv({ nodeBinDir: node.nodeBinDir, nodeDir: node.nodePkg });
  const r = await runShown('npm', ['ci', '--no-audit', '--no-fund'], { env });
  if (r.status !== 0) {
    const err = new Error(installFailureMessage('npm ci', r, installContext(node)));
    err.exitCode = 1;
    throw err;
  }
  console.log(`Dependencies installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** ensureDeps for a command-line script: on failure print the reason and exit 1. */
export async function ensureDepsOrExit(prefix = '') {
  try {
    await ensureDeps();
  } catch (e) {
    console.error(`${prefix}${e.message}`);
    process.exit(e.exitCode ?? 1);
  }
}

/**
 * Runs the calling script again on Node 22 from the cache (installed on first use) unless it
 * already runs on Node 22, and exits with its exit code; signals are passed on. `npm test` and
 * `npm run demo` start with this, so the tests, esbuild and vsce run on the extension host's Node.
 */
export async function continueOnDepsNode() {
  if (Number(process.versions.node.split('.')[0]) === DEPS_NODE_MAJOR || process.env.SNAPKEEPER_ON_DEPS_NODE) {
    return;
  }
  let node;
  try {
    node = await ensureDepsNode();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
  const child = spawn(node.node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${node.nodeBinDir}:${process.env.PATH ?? ''}`, SNAPKEEPER_ON_DEPS_NODE: node.node },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => child.kill(sig));
  }
  const code = await new Promise((res) => {
    child.on('exit', (status, signal) => res(status ?? 128 + (constants.signals[signal] ?? 1)));
  });
  process.exit(code);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureDepsOrExit();
}
