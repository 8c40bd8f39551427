// Builds the extension: a small main bundle, one lazily loaded bundle per cloud adapter, the
// sandbox (in-process and stand-alone), and — with --tests — the test and benchmark bundles.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');
const quiet = args.has('--quiet');

const registry = await cloudRegistry();

// The sandbox's clouds (src/sandbox/registry.ts): every cloud of the registry, in its order, whose
// folder src/sandbox/<kind>/ has a backend.ts.
const sandboxBackends = Object.keys(registry).filter((kind) => existsSync(join('src/sandbox', kind, 'backend.ts')));

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

/**
 * The cloud registry (src/model/clouds.ts), read from its TypeScript source: the file is plain
 * data without imports, so esbuild transpiles it alone and Node imports the result. One list for
 * the extension and the build, kept typed and commented, with no generated JSON beside it.
 */
async function cloudRegistry() {
  const { code } = await esbuild.transform(readFileSync('src/model/clouds.ts', 'utf8'), { loader: 'ts', format: 'esm' });
  const { CLOUD_REGISTRY } = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  return CLOUD_REGISTRY;
}

/**
 * One bundle per cloud with an adapter, loaded the first time an account of that cloud is used:
 * dist/adapters/<id>.js (with its metafile: what went into it), and each extra entry of its folder
 * as dist/adapters/<id>-<name>.js (Google Cloud's worker thread, which hosts @google-cloud/compute:
 * its first load costs ~1 s of CPU, so the adapter's own bundle holds no SDK code).
 */
function adapterBundles(registry) {
  return Object.entries(registry).flatMap(([id, cloud]) =>
    cloud.adapter
      ? [
          { entryPoints: { [`adapters/${id}`]: `src/adapters/${id}/${cloud.adapter}` }, outdir: 'dist', metafile: true },
          ...Object.entries(cloud.extraBundles ?? {}).map(([name, file]) => ({
            entryPoints: { [`adapters/${id}-${name}`]: `src/adapters/${id}/${file}` },
            outdir: 'dist',
          })),
        ]
      : [],
  );
}

const products = [
  // The main bundle: no cloud SDK may end up in here (checked by the benchmark).
  { entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', metafile: true },
  ...adapterBundles(registry),
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
      // dist/extension.meta.json, dist/adapters/<id>.meta.json
      const entry = Object.keys(result.metafile.outputs).find((o) => o.endsWith('.js')) ?? 'dist/extension.js';
      writeFileSync(entry.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile));
    }
    await c.dispose();
  }
}
