// A trivial extension-host test file: proves the harness can run code inside the real extension
// host with the real `vscode` API (code-server + smoke-test driver + payload URL). Not mocha: it
// only checks that the extension is there, activates, and registers its commands. It writes its
// verdict to $RESULT_FILE, because the exit code the driver reports is not trustworthy (a host
// that dies still reports 0).
/* global require, exports, process */
/* eslint-disable @typescript-eslint/no-require-imports -- the extension host loads this with require */
const { writeFileSync } = require('node:fs');
const vscode = require('vscode');

exports.run = async function run() {
  const checks = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      checks.push({ name, ok: true, detail });
    } catch (e) {
      checks.push({ name, ok: false, error: String((e && e.stack) || e) });
    }
  };
  await check('vscode API reachable', () => `${vscode.version}, uiKind ${vscode.env.uiKind}, remoteName ${vscode.env.remoteName}`);
  const ext = vscode.extensions.getExtension('snapkeeper.snapkeeper');
  await check('extension present', () => {
    if (!ext) throw new Error('snapkeeper.snapkeeper not found');
    return ext.extensionPath;
  });
  await check('extension activates', async () => {
    const api = await ext.activate();
    if (!api || !api.app) throw new Error('activate() returned no { app }');
    return 'activated';
  });
  await check('commands registered', async () => {
    const all = await vscode.commands.getCommands(true);
    const ours = all.filter((c) => c.startsWith('snapkeeper.'));
    const declared = ext.packageJSON.contributes.commands.map((c) => c.command);
    const missing = declared.filter((c) => !ours.includes(c));
    if (missing.length) throw new Error(`declared but not registered: ${missing.join(', ')}`);
    return `${ours.length} snapkeeper.* commands`;
  });
  const passes = checks.filter((c) => c.ok).length;
  const failures = checks.length - passes;
  const file = process.env.RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify({ passes, failures, checks }, null, 2));
  if (failures) throw new Error(`${failures} check(s) failed`);
};
