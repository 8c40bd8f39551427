// No module of the adapters, model, core, sandbox, ui or webview imports itself back through
// another one (issue 11: adapters/gcp/operations.ts ⇄ restore.ts, ui/app.ts ⇄ chainPanel.ts).
// A cycle makes load order matter and a module's exports undefined while the other half loads.
// Type-only imports count too: they still tie the two files' designs together.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const CHECKED = ['src/adapters', 'src/model', 'src/core', 'src/sandbox', 'src/ui', 'src/webview'];

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      tsFiles(p, out);
    } else if (p.endsWith('.ts')) {
      out.push(p);
    }
  }
  return out;
}

/** The project files a module imports or re-exports from (relative specifiers only). */
function localImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s+'(\.{1,2}\/[^']*)'/gm)) {
    const base = resolve(dirname(file), m[1]);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
    if (found) {
      out.push(found);
    }
  }
  return out;
}

/** Every import cycle among `files`, each as the chain of files that closes it (a → b → a). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const dep of graph.get(f) ?? []) {
      if (!graph.has(dep)) {
        continue;
      }
      if (state.get(dep) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      } else if (!state.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) {
    if (!state.has(f)) {
      visit(f);
    }
  }
  return cycles;
}

describe('import cycles', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    assert.deepEqual(importCycles(graph), [['a', 'b', 'c', 'a']]);
    assert.deepEqual(importCycles(new Map([['a', ['b']], ['b', []]])), []);
  });

  it('reads import, import type and export … from, and ignores packages', () => {
    const file = join(ROOT, 'src/adapters/gcp/restore.ts');
    const deps = localImports(
      file,
      "import { a } from './requests';\nimport type { Json } from './api';\nexport { x } from '../../model/errors';\nimport * as vscode from 'vscode';\n",
    ).map((p) => relative(ROOT, p));
    assert.deepEqual(deps, ['src/adapters/gcp/requests.ts', 'src/adapters/gcp/api.ts', 'src/model/errors.ts']);
  });

  it(`has none in ${CHECKED.join(', ')}`, () => {
    const graph = new Map<string, string[]>();
    for (const dir of CHECKED) {
      for (const f of tsFiles(join(ROOT, dir))) {
        graph.set(f, localImports(f, readFileSync(f, 'utf8')));
      }
    }
    assert.ok(graph.size > 50, `only ${graph.size} files found under ${CHECKED.join(', ')}`);
    const cycles = importCycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' → '));
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
  });
});
