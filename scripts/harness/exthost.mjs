#!/usr/bin/env node
// Runs a test file inside the real VS Code extension host (code-server), with the real `vscode`
// API — the route harness.md describes, since code-server ignores the server-side
// --extensionDevelopmentPath/--extensionTestsPath flags:
//   1. code-server with --vscode-option enable-smoke-test-driver;
//   2. Chromium page with codeAutomationExit/codeAutomationLog exposed before navigation;
//   3. open /?folder=<ws>&payload=[[extensionDevelopmentPath, vscode-remote://…],
//      [extensionTestsPath, vscode-remote://…], [extensionEnvironment, JSON of env vars]].
// The tests file must lie inside the extension folder. The verdict comes from the results file
// the tests write ($RESULT_FILE: { passes, failures }), not from the exit code alone (a host that
// dies still reports 0).
//
//   node scripts/harness/exthost.mjs [testsFile]   (default test/e2e/exthost/trivial.cjs)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { launchChromium, loadPlaywright, VIEWPORT } from './browser.mjs';
import { startCodeServer } from './server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs `testsPath` (inside `extensionDir`) in the extension host. Resolves to
 * { ok, exitCode, results, seconds, runDir, logFile }.
 */
export async function runExtensionHostTests({
  extensionDir = root,
  testsPath,
  workspace,
  env = {},
  timeoutMs = 180_000,
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
  const logLines = [];

  await loadPlaywright();
  const cs = await startCodeServer({ smokeTestDriver: true, workspace, quiet });
  let browser;
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
    let results;
    try {
      results = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch {
      results = undefined;
    }
    const ok = exitCode === 0 && !!results && results.failures === 0 && results.passes > 0;
    const logFile = join(outDir, 'exthost-console.log');
    writeFileSync(logFile, logLines.join('\n'));
    return { ok, exitCode, results, seconds: (Date.now() - t0) / 1000, runDir: cs.runDir, logFile };
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await cs.stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const testsPath = process.argv[2] ?? join(root, 'test', 'e2e', 'exthost', 'trivial.cjs');
  runExtensionHostTests({ testsPath }).then(
    (r) => {
      console.log(JSON.stringify(r.results, null, 2));
      console.log(`[exthost] exit code ${r.exitCode}, ${r.ok ? 'OK' : 'FAILED'} in ${r.seconds.toFixed(1)} s (run folder ${r.runDir})`);
      const p = r.results?.passes ?? 0;
      const f = r.results?.failures ?? (r.ok ? 0 : 1);
      console.log(`${p} passed, ${f} failed`);
      process.exitCode = r.ok ? 0 : 1;
    },
    (e) => {
      console.error(`[exthost] ${e.message}`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
