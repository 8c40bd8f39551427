// No module of the adapters, model, core, sandbox, ui or webview imports itself back through
// another one (issue 11: adapters/gcp/operations.ts ⇄ restore.ts, ui/app.ts ⇄ chainPanel.ts).
// A cycle makes load order matter and a module's exports undefined while the other half loads.
// Type-only imports count too: they still tie the two files' designs together.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { localImports, tsFiles } from './source-files';

const ROOT = resolve(__dirname, '..', '..', '..');
const CHECKED = ['src/adapters', 'src/model', 'src/core', 'src/sandbox', 'src/ui', 'src/webview'];

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
