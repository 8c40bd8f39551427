/**
 * Run by bench/run.ts in a fresh process: loads dist/extension.js with a fake `vscode` module and
 * prints, as JSON, how long `require` (module evaluation) and `activate()` took, and which
 * modules the activation loaded.
 */
import Module from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fakeVscode } from './fake-vscode';

type Resolver = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolver; _cache: Record<string, unknown> };
const original = mod._resolveFilename;
mod._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') {
    return 'vscode';
  }
  return original.call(this, request, ...rest);
};
mod._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fakeVscode };

const before = new Set(Object.keys(mod._cache));
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require(join(process.cwd(), 'dist', 'extension.js')) as { activate(ctx: unknown): unknown };
const t1 = performance.now();
ext.activate(fakeVscode.context());
const t2 = performance.now();
const loaded = Object.keys(mod._cache).filter((k) => !before.has(k) && k !== 'vscode');
console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, loaded }));
process.exit(0);
