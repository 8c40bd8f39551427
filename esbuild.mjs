// Builds the extension: a small main bundle, one lazily loaded bundle per cloud adapter, the
// sandbox (in-process and stand-alone), and — with --tests — the test and benchmark bundles.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');
const quiet = args.has('--quiet');

// The sandbox's clouds: every folder src/sandbox/<kind>/ with a backend.ts (src/sandbox/registry.ts).
const sandboxBackends = readdirSync('src/sandbox').filter((name) => existsSync(join('src/sandbox', name, 'backend.ts'))).sort();

/** Options shared by every Node bundle. */
const node = {
  define: { SANDBOX_BACKEND_KINDS: JSON.stringify(sandboxBackends) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  // The AWS SDK ships ES modules beside CommonJS; taking them first halves its bundle.
  mainFields: ['module', 'main'],
  external: ['vscode'],
  logLevel: quiet ? 'error' : 'warning',
  legalComments: 'none',
};

const products = [
  // The main bundle: no cloud SDK may end up in here (checked by the benchmark).
  { entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', metafile: true },
  // One bundle per cloud adapter, loaded the first time an account of that cloud is expanded.
  { entryPoints: { 'adapters/aws': 'src/adapters/aws/index.ts' }, outdir: 'dist' },
  ...(existsSync('src/adapters/azure/index.ts')
    ? [{ entryPoints: { 'adapters/azure': 'src/adapters/azure/index.ts' }, outdir: 'dist' }]
    : []),
  // Google Cloud: the adapter (main thread, no SDK code: checked with its metafile) and the
  // worker thread that hosts @google-cloud/compute (its first load costs ~1 s of CPU).
  ...(existsSync('src/adapters/gcp/index.ts')
    ? [
        { entryPoints: { 'adapters/gcp': 'src/adapters/gcp/index.ts' }, outdir: 'dist', metafile: true },
        { entryPoints: { 'adapters/gcp-worker': 'src/adapters/gcp/worker.ts' }, outdir: 'dist' },
      ]
    : []),
  // The sandbox: loaded in-process when the sandbox account is used, and its command line.
  { entryPoints: { sandbox: 'src/sandbox/index.ts', 'sandbox-cli': 'src/sandbox/cli.ts' }, outdir: 'dist' },
];

function walk(dir, pred, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      walk(p, pred, out);
    } else if (pred(p)) {
      out.push(p);
    }
  }
  return out;
}

if (withTests) {
  const entries = {};
  for (const f of walk('test', (p) => p.endsWith('.test.ts'))) {
    entries[join('test', relative('test', f)).replace(/\.ts$/, '')] = f;
  }
  for (const f of walk('bench', (p) => p.endsWith('.ts'))) {
    entries[join('bench', relative('bench', f)).replace(/\.ts$/, '')] = f;
  }
  // Tests load the SDKs from node_modules, as the adapters' bundles contain them.
  products.push({ entryPoints: entries, outdir: 'dist', packages: 'external' });
  // The extension-host suite runs inside VS Code, from the extension folder: mocha is bundled in,
  // only `vscode` stays external. (Its parallel mode, never used there, trips a resolve warning.)
  products.push({
    entryPoints: { 'test/exthost/index': 'test/exthost/index.ts' },
    outdir: 'dist',
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}

if (withTests && !watch) {
  rmSync('dist/test', { recursive: true, force: true });
}

// The snapshot chain webview: browser code, its own bundle (dist/webview/chain.js + chain.css),
// the only folder the webview may load from (localResourceRoots).
const webview = {
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  sourcemap: false,
  minify: production,
  logLevel: quiet ? 'error' : 'warning',
  legalComments: 'none',
  entryPoints: { 'webview/chain': 'src/webview/main.ts' },
  outdir: 'dist',
};

const contexts = await Promise.all([...products.map((p) => esbuild.context({ ...node, ...p })), esbuild.context(webview)]);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching…');
} else {
  for (const c of contexts) {
    const result = await c.rebuild();
    if (result.metafile) {
      const { writeFileSync } = await import('node:fs');
      // dist/extension.meta.json, dist/adapters/gcp.meta.json
      const entry = Object.keys(result.metafile.outputs).find((o) => o.endsWith('.js')) ?? 'dist/extension.js';
      writeFileSync(entry.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile));
    }
    await c.dispose();
  }
}
