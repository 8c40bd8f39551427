#!/usr/bin/env node
// Runs a test file inside the real VS Code extension host (code-server), with the real `vscode`
// API — the route harness.md describes, since code-server ignores the server-side
// --extensionDevelopmentPath/--extensionTestsPath flags:
//   1. code-server with --vscode-option enable-smoke-test-driver;
//   2. Chromium page with codeAutomationExit/codeAutomationLog exposed before navigation;
//   3. open /?folder=<ws>&payload=[[extensionDevelopmentPath, vscode-remote://…],
//      [extensionTestsPath, vscode-remote://…], [extensionEnvironment, JSON of env vars]].
// The tests file must lie inside the extension folder. The verdict comes from the results file
// the tests write ($RESULT_FILE: { passes, failures, pending, tests: [{ title, state,
// durationMs, error? }] }), not from the exit code alone (a host that dies still reports 0).
//
//   node scripts/harness/exthost.mjs [--build] [--timeout SECONDS] [--quiet] [testsFile]
//     testsFile  default test/e2e/exthost/trivial.cjs; the mocha suite is
//                dist/test/exthost/index.js (from test/exthost/, built by `node esbuild.mjs --tests`)
//     --build    run `node esbuild.mjs --tests` first
//     --timeout  give up on the run after this long (default 240 s)
//     --quiet    no live host log lines (the per-test list and the summary still print)
// Prints one line per test and ends with `N passed, N failed, N skipped`; exits non-zero on any
// failure, a missing results file, or no passing test. Artefacts in test-results/exthost/:
// results.json, remoteexthost.log, Snapkeeper*.log, exthost-console.log, exthost-final.png.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { launchChromium, loadPlaywright, VIEWPORT } from './browser.mjs';
import { findLogs, startCodeServer } from './server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Artefacts copied from the run's logs folder into outDir (old copies are removed first). */
const LOG_ARTEFACTS = [
  { re: /exthost\d*\/remoteexthost\.log$/, name: () => 'remoteexthost.log' },
  // The Snapkeeper output channel (a re-activation within the run makes a second one).
  { re: /snapkeeper\.snapkeeper\/[^/]*\.log$/, name: (p) => basename(p) },
  { re: /remoteagent\.log$/, name: () => 'remoteagent.log' },
];

/**
 * Runs `testsPath` (inside `extensionDir`) in the extension host. Resolves to
 * { ok, exitCode, results, resultFile, seconds, runDir, logFile, artefacts }.
 */
export async function runExtensionHostTests({
  extensionDir = root,
  testsPath,
  workspace,
  env = {},
  timeoutMs = 240_000,
  outDir = join(root, 'test-results', 'exthost'),
  quiet = false,
} = {}) {
  const t0 = Date.now();
  const ext = resolve(extensionDir);
  const tests = resolve(testsPath);
  if (relative(ext, tests).startsWith('..')) {
    throw new Error(`the tests file must be inside the extension folder (${ext}): ${tests}`);
  }
  if (!existsSync(tests)) throw new Error(`no tests file ${tests}`);
  mkdirSync(outDir, { recursive: true });
  const resultFile = join(outDir, 'results.json');
  rmSync(resultFile, { force: true });
  for (const f of ['remoteexthost.log', 'remoteagent.log', 'Snapkeeper.log', 'exthost-console.log', 'code-server.log']) {
    rmSync(join(outDir, f), { force: true });
  }
  const logLines = [];

  await loadPlaywright();
  const cs = await startCodeServer({ smokeTestDriver: true, workspace, quiet });
  let browser;
  let outcome;
  try {
    browser = await launchChromium({ dir: join(cs.runDir, 'browser') });
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    let exited;
    const done = new Promise((res) => {
      exited = res;
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = `[${type}] ${Array.isArray(args) ? args.map(String).join(' ') : String(args)}`;
      logLines.push(line);
      if (!quiet) console.log(`  host ${line}`);
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      if (Array.isArray(logs)) {
        for (const l of logs) logLines.push(`[exit-log] ${JSON.stringify(l)}`);
      }
      exited(code);
    });
    page.on('pageerror', (e) => logLines.push(`[pageerror] ${e.message}`));
    const payload = [
      ['extensionDevelopmentPath', cs.remoteUri(ext)],
      ['extensionTestsPath', cs.remoteUri(tests)],
      ['extensionEnvironment', JSON.stringify({ ...env, RESULT_FILE: resultFile })],
    ];
    const url = cs.folderUrl(cs.workspace, payload);
    if (!quiet) console.log(`[exthost] ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    let timer;
    const exitCode = await Promise.race([
      done,
      new Promise((res) => {
        timer = setTimeout(() => res('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await page.screenshot({ path: join(outDir, 'exthost-final.png') }).catch(() => undefined);
    outcome = { exitCode };
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await cs.stop();
  }

  // After the stop, so the logs are complete.
  const artefacts = [];
  for (const { re, name } of LOG_ARTEFACTS) {
    for (const p of findLogs(cs.logsDir, re)) {
      const dest = join(outDir, name(p));
      try {
        copyFileSync(p, dest);
        artefacts.push(dest);
      } catch {
        /* a log that vanished is not a test failure */
      }
    }
  }
  try {
    copyFileSync(cs.logFile, join(outDir, 'code-server.log'));
  } catch {
    /* ditto */
  }
  const logFile = join(outDir, 'exthost-console.log');
  writeFileSync(logFile, logLines.join('\n'));

  let results;
  try {
    results = JSON.parse(readFileSync(resultFile, 'utf8'));
  } catch {
    results = undefined;
  }
  const { exitCode } = outcome;
  const ok = exitCode === 0 && !!results && results.failures === 0 && results.passes > 0;
  return { ok, exitCode, results, resultFile, seconds: (Date.now() - t0) / 1000, runDir: cs.runDir, logFile, artefacts };
}

/** One line per test (mocha suite: `tests`; the trivial file: `checks`). */
function testLines(results) {
  if (Array.isArray(results?.tests)) {
    return results.tests.map((t) => {
      const mark = t.state === 'passed' ? '✔' : t.state === 'pending' ? '-' : '✖';
      const line = `  ${mark} ${t.title}${t.state === 'pending' ? ' (skipped)' : ` (${t.durationMs} ms)`}`;
      return t.error ? `${line}\n${t.error.split('\n').map((l) => `      ${l}`).join('\n')}` : line;
    });
  }
  if (Array.isArray(results?.checks)) {
    return results.checks.map((c) => `  ${c.ok ? '✔' : '✖'} ${c.name}${c.ok ? '' : `\n      ${c.error}`}`);
  }
  return [];
}

function parseArgs(argv) {
  const opts = { build: false, quiet: false, timeoutMs: undefined, testsPath: undefined, grep: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--build') opts.build = true;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--timeout') opts.timeoutMs = Number(argv[++i]) * 1000;
    // Only the tests whose full title matches (the suite reads SNAPKEEPER_EXTHOST_GREP).
    else if (a === '--grep') opts.grep = argv[++i];
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.testsPath = a;
  }
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new Error('--timeout needs a number of seconds');
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`[exthost] ${e.message}`);
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(2);
  }
  if (opts.build) {
    const b = spawnSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) {
      console.error('[exthost] the build failed');
      console.log('0 passed, 1 failed, 0 skipped');
      process.exit(1);
    }
  }
  const testsPath = opts.testsPath ?? join(root, 'test', 'e2e', 'exthost', 'trivial.cjs');
  const env = opts.grep ? { SNAPKEEPER_EXTHOST_GREP: opts.grep } : {};
  runExtensionHostTests({ testsPath, quiet: opts.quiet, env, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) }).then(
    (r) => {
      const lines = testLines(r.results);
      console.log(`\nExtension-host tests (${relative(root, resolve(testsPath))}):`);
      for (const l of lines) console.log(l);
      if (!r.results) {
        console.log(`  ✖ no results file: the tests did not run or the extension host died (exit code ${r.exitCode})`);
      } else if (r.results.finished === false) {
        console.log(`  ✖ the suite did not finish (exit code ${r.exitCode})`);
      }
      console.log(`[exthost] exit code ${r.exitCode}, ${r.ok ? 'OK' : 'FAILED'} in ${r.seconds.toFixed(1)} s (run folder ${r.runDir})`);
      const files = [...(r.results ? [r.resultFile] : []), ...r.artefacts];
      console.log(`[exthost] artefacts: ${files.map((a) => relative(root, a)).join(', ') || 'none'}`);
      const passed = r.results?.passes ?? 0;
      const failed = Math.max(r.results?.failures ?? 0, r.ok ? 0 : 1);
      const skipped = r.results?.pending ?? 0;
      console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
      process.exitCode = r.ok ? 0 : 1;
    },
    (e) => {
      console.error(`[exthost] ${e.stack ?? e.message}`);
      console.log('0 passed, 1 failed, 0 skipped');
      process.exit(1);
    },
  );
}
