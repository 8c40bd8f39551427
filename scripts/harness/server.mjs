// Starts code-server (VS Code 1.139 served to a browser, on Node 24 from the harness cache) with
// an isolated profile and the Snapkeeper extension installed, and stops it again, whole process
// group included. See shared/design/harness.md for why each flag and setting is there.
//
//   const cs = await startCodeServer({ extensionDir: '/work/main', workspace: '/tmp/ws' });
//   … open cs.url in a browser …
//   await cs.stop();
//
// Everything it writes goes under the run folder (profile, extensions, logs, TMPDIR, XDG_*).
/* global AbortSignal */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { URLSearchParams } from 'node:url';
import { ensureHarness, harnessEnv, harnessPaths } from './setup.mjs';

/** User settings seeded into every run (harness.md explains each). */
export const DEFAULT_USER_SETTINGS = {
  'remote.autoForwardPorts': false,
  'workbench.hover.delay': 60000,
  'workbench.reduceMotion': 'on',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Files of the extension folder that make up the installed extension (as in the .vsix). */
const EXTENSION_FILES = ['package.json', 'dist', 'media', 'README.md', 'LICENSE', 'CHANGELOG.md'];

function log(quiet, msg) {
  if (!quiet) console.log(`[code-server] ${msg}`);
}

/** A free TCP port on 127.0.0.1 (or `preferred` when it is free). */
export async function freePort(preferred, host = '127.0.0.1') {
  const tryListen = (port) =>
    new Promise((res) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', () => res(undefined));
      srv.listen({ port, host, exclusive: true }, () => {
        const p = srv.address().port;
        srv.close(() => res(p));
      });
    });
  if (preferred) {
    const p = await tryListen(preferred);
    if (p) return p;
  }
  const p = await tryListen(0);
  if (!p) throw new Error('no free port');
  return p;
}

function stamp() {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** Keeps the `keep` newest run folders under `dir` (older ones are from finished runs). */
function pruneRuns(dir, keep) {
  let names;
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('run-'));
  } catch {
    return;
  }
  const byAge = names
    .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(keep);
  for (const { n } of byAge) {
    const pidFile = join(dir, n, 'code-server.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    if (pid && groupAlive(pid)) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** The extension's identity from its package.json: publisher.name-version. */
export function extensionFolderName(extensionDir) {
  const pkg = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
}

/**
 * Copies (or symlinks, with link: true) the unpacked extension into `extensionsDir` as
 * `<publisher>.<name>-<version>/`, as the .vsix would install it.
 */
export function installUnpacked(extensionDir, extensionsDir, { link = false } = {}) {
  const src = resolve(extensionDir);
  if (!existsSync(join(src, 'dist', 'extension.js'))) {
    throw new Error(`${src}/dist/extension.js is missing: build the extension first (node esbuild.mjs)`);
  }
  const dest = join(extensionsDir, extensionFolderName(src));
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const f of EXTENSION_FILES) {
    const from = join(src, f);
    if (!existsSync(from)) continue;
    if (link) {
      symlinkSync(from, join(dest, f));
    } else {
      // dist/test and dist/bench are not part of the packaged extension.
      cpSync(from, join(dest, f), {
        recursive: true,
        filter: (p) => !/\/dist\/(test|bench)(\/|$)/.test(p) && !p.endsWith('.meta.json'),
      });
    }
  }
  return dest;
}

/** What code-server's filled-in workbench.html (VS Code's) contains: its configuration and script. */
const WORKBENCH_MARKERS = ['<html', 'id="vscode-workbench-web-configuration"', '/out/vs/code/browser/workbench/workbench.js'];

/**
 * Fetches `url` and checks that it is the VS Code workbench page (not just any answer: /healthz
 * says 200 even when the page fails). Resolves `{ ok, status, missing, bytes, error }`.
 */
export async function checkWorkbench(url, timeoutMs = 5000) {
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    const missing = WORKBENCH_MARKERS.filter((m) => !body.includes(m));
    if (body.includes('{{WORKBENCH_')) {
      missing.push('(template placeholders left unfilled)');
    }
    return { ok: res.status === 200 && missing.length === 0, status: res.status, missing, bytes: body.length };
  } catch (e) {
    return { ok: false, status: 0, missing: WORKBENCH_MARKERS, bytes: 0, error: e.message };
  }
}

async function workbenchUp(url) {
  return (await checkWorkbench(url)).ok;
}

/**
 * Starts code-server. Options:
 *   extensionDir   unpacked extension (package.json + dist/…) to install by copying (or `link`)
 *   vsixPath       a .vsix to install with --install-extension instead
 *   workspace      folder to open (default: an empty one in the run folder)
 *   port           TCP port on 127.0.0.1 (default: a free one); `strictPort` fails if it is busy
 *   smokeTestDriver  start with the smoke-test driver (for extension-host tests)
 *   userSettings   merged over DEFAULT_USER_SETTINGS
 *   runDir         where to put everything (default: <cache>/runs/run-<stamp>-<pid>)
 *   timeoutMs      how long to wait for the workbench page (default 120 s)
 *   handleSignals  on SIGINT/SIGTERM/SIGHUP kill code-server's group, then die (default true;
 *                  pass false when the caller stops it gracefully itself)
 *   link           symlink the extension's files instead of copying them
 * Returns { url, port, runDir, workspace, pid, extensionPath, logFile, userSettingsFile,
 *           logsDir, stop() }.
 */
export async function startCodeServer(opts = {}) {
  const {
    extensionDir,
    vsixPath,
    port: wantedPort,
    strictPort = false,
    smokeTestDriver = false,
    userSettings = {},
    timeoutMs = 120_000,
    quiet = false,
    link = false,
    setup = true,
    extraArgs = [],
    handleSignals = true,
  } = opts;
  const t0 = Date.now();
  const paths = setup ? (await ensureHarness()).paths : harnessPaths();
  if (!existsSync(paths.codeServerEntry)) {
    throw new Error(`code-server is not installed in ${paths.cache}: run node scripts/harness/setup.mjs`);
  }
  const host = '127.0.0.1';
  let port;
  if (wantedPort && strictPort) {
    port = await freePort(wantedPort, host);
    if (port !== wantedPort) throw new Error(`port ${wantedPort} is busy`);
  } else {
    port = await freePort(wantedPort, host);
  }

  // --- the run folder -----------------------------------------------------------------------
  let runDir = opts.runDir;
  if (!runDir) {
    pruneRuns(paths.runs, 8);
    runDir = join(paths.runs, `run-${stamp()}-${process.pid}`);
  }
  runDir = resolve(runDir);
  const oldPid = existsSync(join(runDir, 'code-server.pid')) ? Number(readFileSync(join(runDir, 'code-server.pid'), 'utf8')) : 0;
  if (oldPid && groupAlive(oldPid)) {
    throw new Error(`another code-server (process group ${oldPid}) still runs in ${runDir}: stop it first`);
  }
  rmSync(runDir, { recursive: true, force: true });
  const dirs = {
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    tmp: join(runDir, 'tmp'),
    xdgData: join(runDir, 'xdg', 'data'),
    xdgConfig: join(runDir, 'xdg', 'config'),
    xdgCache: join(runDir, 'xdg', 'cache'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const userDir = join(dirs.userData, 'User');
  mkdirSync(userDir, { recursive: true });
  const userSettingsFile = join(userDir, 'settings.json');
  writeFileSync(userSettingsFile, JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...userSettings }, null, 2));
  const configFile = join(runDir, 'config.yaml');
  writeFileSync(configFile, '');
  const workspace = resolve(opts.workspace ?? join(runDir, 'workspace'));
  mkdirSync(workspace, { recursive: true });

  const env = harnessEnv(paths);
  for (const k of Object.keys(env)) {
    // Variables of an enclosing VS Code (terminal) would make code-server talk to it.
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'PASSWORD' || k === 'HASHED_PASSWORD') {
      delete env[k];
    }
  }
  Object.assign(env, {
    TMPDIR: dirs.tmp,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_CACHE_HOME: dirs.xdgCache,
    // No extension marketplace: this machine cannot reach one, and the workbench would keep
    // querying it (errors in the logs, and a slower start).
    EXTENSIONS_GALLERY: process.env.SNAPKEEPER_HARNESS_GALLERY ?? '{}',
  });

  const common = [
    '--config', configFile,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];

  // --- the extension ------------------------------------------------------------------------
  let extensionPath;
  if (vsixPath) {
    const r = spawnSync(paths.node, [paths.codeServerEntry, ...common, '--install-extension', resolve(vsixPath), '--force'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    writeFileSync(join(runDir, 'install-extension.log'), `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    if (r.status !== 0) {
      throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim()}`);
    }
    const installed = readdirSync(dirs.extensions).filter((n) => !n.startsWith('.') && n !== 'extensions.json');
    extensionPath = installed.length ? join(dirs.extensions, installed[0]) : undefined;
    log(quiet, `installed ${vsixPath} → ${extensionPath}`);
  } else if (extensionDir) {
    extensionPath = installUnpacked(extensionDir, dirs.extensions, { link });
    log(quiet, `installed ${extensionDir} → ${extensionPath}${link ? ' (symlinks)' : ''}`);
  }

  // --- start ----------------------------------------------------------------------------------
  const args = [
    paths.codeServerEntry,
    ...common,
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
    workspace,
  ];
  const logFile = join(runDir, 'code-server.log');
  const out = createWriteStream(logFile);
  // setsid: code-server leads a new session/process group, so stop() can end all of it (its
  // file watcher and extension hosts outlive the main process otherwise).
  const child = spawn('setsid', [paths.node, ...args], {
    cwd: runDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const pgid = child.pid;
  writeFileSync(join(runDir, 'code-server.pid'), String(pgid));
  let exited = null;
  const exitedPromise = new Promise((res) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      res(exited);
    });
  });

  let stopped = false;
  const killNow = () => {
    if (stopped) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  // If the caller dies without stop(), take code-server along: it runs in its own session, so a
  // Ctrl-C in the terminal does not reach it.
  process.on('exit', killNow);
  const onSignal = (sig) => {
    killNow();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    // Then die of the same signal, as without the handler.
    process.kill(process.pid, sig);
  };
  if (handleSignals) {
    for (const s of SIGNALS) process.on(s, onSignal);
  }

  const stop = async () => {
    if (stopped) return;
    process.removeListener('exit', killNow);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const deadline = Date.now() + 5000;
    while (groupAlive(pgid) && Date.now() < deadline) {
      await delay(100);
    }
    if (groupAlive(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
      while (groupAlive(pgid)) await delay(50);
    }
    stopped = true;
    out.end();
    log(quiet, `stopped (process group ${pgid})`);
  };

  const url = `http://${host}:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`code-server exited (${JSON.stringify(exited)}) before serving the workbench; log ${logFile}:\n${tail}`);
    }
    if (await workbenchUp(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not serve the workbench page at ${url} within ${timeoutMs / 1000} s; log ${logFile}`);
    }
    await delay(200);
  }
  const startSeconds = (Date.now() - t0) / 1000;
  log(quiet, `workbench up at ${url} in ${startSeconds.toFixed(1)} s (run folder ${runDir})`);
  return {
    url,
    port,
    host,
    runDir,
    workspace,
    pid: pgid,
    extensionPath,
    logFile,
    logsDir: join(dirs.userData, 'logs'),
    userSettingsFile,
    startSeconds,
    /** `?folder=` URL for a folder (and optional payload) — the smoke-test driver's entry point. */
    folderUrl(folder = workspace, payload) {
      const q = new URLSearchParams({ folder });
      if (payload) q.set('payload', JSON.stringify(payload));
      return `${url}?${q}`;
    },
    /** `vscode-remote://` URI of a path on this server (for extension-host test payloads). */
    remoteUri(p) {
      return `vscode-remote://${host}:${port}${resolve(p)}`;
    },
    /** Resolves with { code, signal } when code-server's main process exits. */
    exited: exitedPromise,
    stop,
  };
}

/** Every file under the run's logs folder whose name matches `re` (e.g. /exthost/). */
export function findLogs(logsDir, re) {
  const out = [];
  const walk = (d) => {
    let names;
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (re.test(p)) out.push(p);
    }
  };
  walk(logsDir);
  return out;
}
