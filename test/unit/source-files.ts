// Reading the project's TypeScript sources as text: the files of a folder and what each imports.
// Shared by the tests of the import graph (import-cycles, adapter-boundaries).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every .ts file under `dir`, depth first. */
export function tsFiles(dir: string, out: string[] = []): string[] {
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
export function localImports(file: string, text: string): string[] {
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
