#!/usr/bin/env node
// `npm run demo`: Snapkeeper in a real VS Code in your browser, on a fresh machine.
//   1. installs what it needs: the project's npm dependencies, Debian packages (as root), Node 24
//      and code-server in a cache outside the project (~/.cache/snapkeeper-harness, or
//      $SNAPKEEPER_HARNESS_CACHE) — reused on the next run;
//   2. builds the extension and packages it (vsce → a .vsix in the cache); --dev loads it from
//      this folder instead (an extension development folder, no packaging);
//   3. installs it into an isolated code-server profile with the sandbox account already added,
//      starts code-server on 127.0.0.1 with no auth on a demo workspace, and prints the URL.
// Ctrl-C stops code-server's whole process group. Everything it writes stays in the run folder
// (<cache>/demo) and the cache. It runs on Node 22 from the cache (re-running itself there), like
// `npm test`. One demo per cache at a time: a second one names the running demo (URL, pid) and
// waits until it stops (<cache>/demo.json holds the claim).
//
//   node scripts/demo.mjs [--port N] [--dev] [--no-build] [--workspace DIR]
//   port: --port, else $SNAPKEEPER_DEMO_PORT, else $PORT, else 8080 (a free one if that is busy)
//
// Desktop VS Code instead: `npm run package`, then `code --install-extension dist/snapkeeper.vsix`;
// or `npm start` for an Extension Development Host from this folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { continueOnDepsNode, ensureDepsOrExit } from './ensure-deps.mjs';
import { cacheDir, ensureHarness } from './harness/setup.mjs';
import { startCodeServer } from './harness/server.mjs';
import { claimDemo } from './lib/demo-instance.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const t0 = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

function run(cmd, args, what) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`demo: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`demo: ${what} done in ${secs(t)}`);
}

// 1. what it needs
await continueOnDepsNode();
mkdirSync(cacheDir(), { recursive: true });
const claim = await claimDemo(join(cacheDir(), 'demo.json'), { log: (m) => console.log(`demo: ${m}`) });
process.on('exit', () => claim.release());
await ensureDepsOrExit('demo: ');
try {
  await ensureHarness();
} catch (e) {
  console.error(`demo: ${e.message}`);
  process.exit(e.exitCode ?? 1);
}

// 2. build (or package)
const runDir = join(cacheDir(), 'demo');
let vsixPath;
if (!argv.includes('--dev')) {
  mkdirSync(runDir, { recursive: true });
  vsixPath = join(cacheDir(), 'snapkeeper-demo.vsix');
  // The normal build: a --production build would rewrite dist/ under colleagues' feet.
  run(process.execPath, ['esbuild.mjs'], 'build');
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsixPath], 'vsce package');
} else if (!argv.includes('--no-build')) {
  run(process.execPath, ['esbuild.mjs'], 'build');
}
if (!vsixPath && !existsSync(join(root, 'dist', 'extension.js'))) {
  console.error('demo: dist/extension.js is missing (build failed?)');
  process.exit(1);
}

// 3. start code-server
const workspace = resolve(option('--workspace') ?? join(runDir, 'workspace'));
const wantedPort = Number(option('--port') ?? process.env.SNAPKEEPER_DEMO_PORT ?? process.env.PORT ?? 8080);
let cs;
try {
  cs = await startCodeServer({
    ...(vsixPath ? { vsixPath } : { extensionDir: root }),
    runDir,
    workspace,
    port: wantedPort,
    setup: false,
    handleSignals: false,
    // A person is looking: tooltips should show at the usual speed.
    userSettings: { 'workbench.hover.delay': 500, 'snapkeeper.sandbox.addOnStartup': true },
  });
} catch (e) {
  console.error(`demo: ${e.message}`);
  process.exit(1);
}
if (!option('--workspace') && !existsSync(join(workspace, 'README.md'))) {
  writeFileSync(
    join(workspace, 'README.md'),
    '# Snapkeeper demo\n\nOpen the Snapkeeper view in the activity bar: the "Sandbox (AWS)", "Sandbox (Azure)" and "Sandbox (Google Cloud)" accounts are a local cloud, no account needed.\n',
  );
}

const url = cs.folderUrl(workspace);
claim.update({ url, port: cs.port, codeServerPid: cs.pid, runDir: cs.runDir });
console.log(`
  Snapkeeper demo is running (ready in ${secs(t0)}${cs.port !== wantedPort ? `; port ${wantedPort} was busy` : ''}).

    Open:  ${url}

  In the activity bar choose Snapkeeper: the sandbox accounts (AWS, Azure, Google Cloud, Apache CloudStack, OpenStack) are already there.
  Listening on 127.0.0.1 only; from another machine use  ssh -L ${cs.port}:127.0.0.1:${cs.port} <this host>.
  Logs and profile: ${cs.runDir}
  Press Ctrl-C to stop.
`);

let stopping = false;
const shutdown = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\ndemo: ${signal}: stopping code-server…`);
  await cs.stop();
  process.exit(0);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void shutdown(sig));
// If code-server dies on its own, say so, clean up its group and leave.
void cs.exited.then(async (how) => {
  if (stopping) return;
  stopping = true;
  console.error(`demo: code-server exited unexpectedly (${JSON.stringify(how)}); see ${cs.logFile}`);
  await cs.stop();
  process.exit(1);
});
