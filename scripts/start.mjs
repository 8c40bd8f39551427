#!/usr/bin/env node
// `npm start`: installs what is missing, builds, and opens VS Code with Snapkeeper loaded from this
// folder (an Extension Development Host) on a demo workspace. In the Snapkeeper view choose
// "Try the Sandbox": a local cloud, no account needed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDepsOrExit } from './ensure-deps.mjs';

await ensureDepsOrExit();
const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  process.exit(build.status ?? 1);
}
const workspace = resolve('.demo-workspace');
mkdirSync(workspace, { recursive: true });
if (!existsSync(join(workspace, 'README.md'))) {
  writeFileSync(join(workspace, 'README.md'), '# Snapkeeper demo\n\nOpen the Snapkeeper view in the activity bar and choose "Try the Sandbox".\n');
}
const code = process.env.SNAPKEEPER_CODE ?? 'code';
const args = ['--new-window', `--extensionDevelopmentPath=${resolve('.')}`, workspace];
const child = spawn(code, args, { stdio: 'inherit' });
child.on('error', () => {
  console.error(
    `Could not run "${code}". Install VS Code and put "code" on PATH (or set SNAPKEEPER_CODE to its path), ` +
      `or package the extension with "npm run package" and install dist/snapkeeper.vsix.`,
  );
  process.exit(1);
});
child.on('exit', (status) => process.exit(status ?? 0));
