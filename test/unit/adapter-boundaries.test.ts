// Each cloud's adapter is its own folder, src/adapters/<id>/, bundled on its own: no adapter imports
// another cloud's folder, and what they share sits in src/adapters/*.ts (or src/model), which
// names no cloud.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CLOUD_KINDS, CLOUD_REGISTRY } from '../../src/model/clouds';
import { localImports, tsFiles } from './source-files';

const ROOT = resolve(__dirname, '..', '..', '..');
const ADAPTERS = join(ROOT, 'src', 'adapters');

/** The folder under src/adapters a file belongs to ('' for the shared files at its top). */
function cloudOf(file: string): string {
  const parts = relative(ADAPTERS, file).split(sep);
  return parts.length > 1 && !parts[0].startsWith('..') ? parts[0] : '';
}

/** The files under src/adapters that `file` imports (relative specifiers, `export … from` included). */
function adapterImports(file: string): string[] {
  return localImports(file, readFileSync(file, 'utf8')).filter((dep) => !relative(ADAPTERS, dep).startsWith('..'));
}

/** A cloud's id or the words of its label ("Google Cloud" → google), as whole words, any case. */
const CLOUD_WORDS = new RegExp(
  `\\b(${[...CLOUD_KINDS, ...CLOUD_KINDS.flatMap((k) => CLOUD_REGISTRY[k].label.split(/\s+/))]
    .map((w) => w.toLowerCase())
    .filter((w) => !['cloud', 'apache'].includes(w))
    .join('|')}|amazon|microsoft|keystone|nova|cinder|glance)\\b`,
  'i',
);

describe('adapter boundaries', () => {
  it('no adapter imports another cloud’s folder', () => {
    const files = tsFiles(ADAPTERS);
    assert.ok(files.length > 20, `only ${files.length} files under src/adapters`);
    const crossing = files.flatMap((f) =>
      adapterImports(f)
        .filter((dep) => cloudOf(f) !== '' && cloudOf(dep) !== '' && cloudOf(dep) !== cloudOf(f))
        .map((dep) => `${relative(ROOT, f)} → ${relative(ROOT, dep)}`),
    );
    assert.deepEqual(crossing, []);
  });

  it('the check itself works: a file’s cloud folder, and the words that name a cloud', () => {
    assert.equal(cloudOf(join(ADAPTERS, 'openstack', 'errors.ts')), 'openstack');
    assert.equal(cloudOf(join(ADAPTERS, 'http.ts')), '');
    assert.ok(CLOUD_WORDS.test('from the CloudStack client') && CLOUD_WORDS.test('Google') && !CLOUD_WORDS.test('a cloud’s REST API'));
  });

  it('the shared modules (src/adapters/*.ts) import no cloud’s folder and name no cloud (comments included)', () => {
    const shared = readdirSync(ADAPTERS)
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(ADAPTERS, name));
    assert.ok(shared.length > 0, 'no shared module in src/adapters');
    const offending: string[] = [];
    for (const file of shared) {
      for (const dep of adapterImports(file).filter((d) => cloudOf(d) !== '')) {
        offending.push(`${relative(ROOT, file)} imports ${relative(ROOT, dep)}`);
      }
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (CLOUD_WORDS.test(line)) {
            offending.push(`${relative(ROOT, file)}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    assert.deepEqual(offending, []);
  });
});
