// package.json is static (VS Code reads it before any code runs), so this test keeps its cloud
// entries in line with the cloud registry (src/model/clouds.ts): one "Add <cloud> Account…"
// command per cloud with an adapter, its link in the view's welcome, no menu or setting for a
// cloud the registry does not have, and the adapter bundles esbuild made. A failure names
// exactly what is missing or extra. (Action commands and menus are checked beside the action table.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADAPTER_CLOUDS, addAccountCommand, CLOUD_KINDS, CLOUD_LABELS, CLOUD_REGISTRY, isCloudKind, type CloudEntry } from '../../src/model/clouds';

const ROOT = resolve(__dirname, '..', '..', '..');

/** Setting groups of the extension itself (`snapkeeper.<group>.*`), not of a cloud. */
const CORE_SETTING_GROUPS = ['sandbox'];

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    viewsWelcome: { view: string; contents: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, unknown> };
  };
}

/** The registry's view of one cloud's add-account command. */
const expectedTitle = (cloud: (typeof ADAPTER_CLOUDS)[number]) => `Add ${CLOUD_LABELS[cloud]} Account…`;
const expectedLink = (cloud: (typeof ADAPTER_CLOUDS)[number]) => `[Add ${CLOUD_LABELS[cloud]} Account](command:${addAccountCommand(cloud)})`;

/** An add-account command id of any cloud, registered or not (`snapkeeper.addAccount` itself excluded). */
const ADD_ACCOUNT = /^snapkeeper\.add[A-Z]\w*Account$/;

/**
 * Where package.json disagrees with the registry, one line each. `adapterSources` gives, per cloud
 * with an adapter, the text of its adapter folder (for the settings it reads).
 */
function cloudManifestProblems(pkg: Manifest, adapterSources: (cloud: string) => string): string[] {
  const problems: string[] = [];
  const c = pkg.contributes;
  const wanted = new Map(ADAPTER_CLOUDS.map((cloud) => [addAccountCommand(cloud), cloud]));

  // Commands: one per cloud with an adapter, titled with its label; none for another cloud.
  for (const [id, cloud] of wanted) {
    const cmd = c.commands.find((x) => x.command === id);
    if (!cmd) {
      problems.push(`missing: contributes.commands has no ${id} ("${expectedTitle(cloud)}", category "Snapkeeper") for the registry's cloud "${cloud}"`);
    } else if (cmd.title !== expectedTitle(cloud) || cmd.category !== 'Snapkeeper') {
      problems.push(`wrong: contributes.commands ${id} is "${cmd.category}: ${cmd.title}", expected "Snapkeeper: ${expectedTitle(cloud)}"`);
    }
  }
  for (const cmd of c.commands.filter((x) => ADD_ACCOUNT.test(x.command) && !wanted.has(x.command))) {
    problems.push(`extra: contributes.commands declares ${cmd.command}, but no cloud with an adapter in the registry has that command`);
  }

  // The welcome of the tree view: a link per cloud, in the registry's order, and no other.
  const welcome = c.viewsWelcome.find((w) => w.view === 'snapkeeper.resources')?.contents ?? '';
  const links = [...welcome.matchAll(/\[[^\]]*\]\(command:(snapkeeper\.\w+)\)/g)].filter((m) => ADD_ACCOUNT.test(m[1]));
  for (const [id, cloud] of wanted) {
    if (!welcome.includes(expectedLink(cloud))) {
      problems.push(`missing: viewsWelcome of snapkeeper.resources has no link ${expectedLink(cloud)}`);
    } else if (links.findIndex((m) => m[1] === id) !== [...wanted.keys()].indexOf(id)) {
      problems.push(`order: viewsWelcome of snapkeeper.resources should list ${expectedLink(cloud)} in the registry's order (${[...wanted.values()].join(', ')})`);
    }
  }
  for (const m of links.filter((x) => !wanted.has(x[1]))) {
    problems.push(`extra: viewsWelcome of snapkeeper.resources links ${m[0]}, a cloud without an adapter in the registry`);
  }

  // Menus: an add-account command in a menu is one of the registry's, and the palette shows them all.
  for (const [menu, items] of Object.entries(c.menus)) {
    for (const item of items.filter((x) => ADD_ACCOUNT.test(x.command) && !wanted.has(x.command))) {
      problems.push(`extra: menus.${menu} names ${item.command}, a cloud without an adapter in the registry`);
    }
  }
  for (const item of (c.menus.commandPalette ?? []).filter((x) => wanted.has(x.command) && x.when === 'false')) {
    problems.push(`wrong: menus.commandPalette hides ${item.command}; every cloud's "Add Account" is a palette command`);
  }

  // Settings: snapkeeper.<cloud>.* only for clouds with an adapter, and only settings it reads.
  for (const key of Object.keys(c.configuration.properties)) {
    const parts = key.split('.');
    if (parts.length < 3 || parts[0] !== 'snapkeeper' || CORE_SETTING_GROUPS.includes(parts[1])) {
      continue;
    }
    const [, group, ...rest] = parts;
    if (!isCloudKind(group) || !ADAPTER_CLOUDS.includes(group)) {
      problems.push(`extra: setting ${key} belongs to "${group}", which is no cloud with an adapter in the registry (nor one of ${CORE_SETTING_GROUPS.join(', ')})`);
    } else if (!adapterSources(group).includes(`'${group}.${rest.join('.')}'`)) {
      problems.push(`extra: setting ${key} is never read by src/adapters/${group}/ (ctx.setting('${group}.${rest.join('.')}', …))`);
    }
  }
  return problems;
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
}

function folderText(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((p) => (statSync(p).isDirectory() ? folderText(p) : p.endsWith('.ts') ? readFileSync(p, 'utf8') : ''))
    .join('\n');
}

const adapterSources = (cloud: string) => folderText(join(ROOT, 'src', 'adapters', cloud));

describe('package.json and the cloud registry', () => {
  it('agree: add-account commands, welcome links, menus and cloud settings', () => {
    assert.deepEqual(cloudManifestProblems(manifest(), adapterSources), []);
  });

  it('a disagreement is named exactly: missing, wrong, extra, out of order', () => {
    const pkg = manifest();
    const last = ADAPTER_CLOUDS[ADAPTER_CLOUDS.length - 1];
    const first = ADAPTER_CLOUDS[0];
    const lastId = addAccountCommand(last);
    const c = pkg.contributes;
    c.commands = c.commands.filter((x) => x.command !== lastId);
    c.commands.push({ command: 'snapkeeper.addNimbusAccount', title: 'Add Nimbus Account…', category: 'Snapkeeper' });
    c.commands.find((x) => x.command === addAccountCommand(first))!.title = 'Add Cloud Account…';
    const welcome = c.viewsWelcome.find((w) => w.view === 'snapkeeper.resources')!;
    welcome.contents = welcome.contents.replace(expectedLink(last), '[Add Nimbus Account](command:snapkeeper.addNimbusAccount)');
    c.menus['view/title'].push({ command: 'snapkeeper.addNimbusAccount' });
    c.menus.commandPalette.push({ command: addAccountCommand(first), when: 'false' });
    c.configuration.properties['snapkeeper.nimbus.regions'] = {};
    c.configuration.properties[`snapkeeper.${first}.neverRead`] = {};
    c.configuration.properties['snapkeeper.sandbox.somethingNew'] = {};

    const problems = cloudManifestProblems(pkg, adapterSources);
    assert.deepEqual(problems, [
      `wrong: contributes.commands ${addAccountCommand(first)} is "Snapkeeper: Add Cloud Account…", expected "Snapkeeper: ${expectedTitle(first)}"`,
      `missing: contributes.commands has no ${lastId} ("${expectedTitle(last)}", category "Snapkeeper") for the registry's cloud "${last}"`,
      'extra: contributes.commands declares snapkeeper.addNimbusAccount, but no cloud with an adapter in the registry has that command',
      `missing: viewsWelcome of snapkeeper.resources has no link ${expectedLink(last)}`,
      'extra: viewsWelcome of snapkeeper.resources links [Add Nimbus Account](command:snapkeeper.addNimbusAccount), a cloud without an adapter in the registry',
      'extra: menus.view/title names snapkeeper.addNimbusAccount, a cloud without an adapter in the registry',
      `wrong: menus.commandPalette hides ${addAccountCommand(first)}; every cloud's "Add Account" is a palette command`,
      'extra: setting snapkeeper.nimbus.regions belongs to "nimbus", which is no cloud with an adapter in the registry (nor one of sandbox)',
      `extra: setting snapkeeper.${first}.neverRead is never read by src/adapters/${first}/ (ctx.setting('${first}.neverRead', …))`,
    ]);
  });

  it('names welcome links out of the registry order', () => {
    const pkg = manifest();
    const welcome = pkg.contributes.viewsWelcome.find((w) => w.view === 'snapkeeper.resources')!;
    const [a, b] = ADAPTER_CLOUDS;
    welcome.contents = welcome.contents.replace(expectedLink(a), '@@A@@').replace(expectedLink(b), expectedLink(a)).replace('@@A@@', expectedLink(b));
    const problems = cloudManifestProblems(pkg, adapterSources);
    assert.ok(problems.length > 0 && problems.every((p) => p.startsWith('order: ')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes(expectedLink(a))), problems.join('\n'));
  });

  it('esbuild made every adapter bundle of the registry (dist/adapters)', () => {
    const built = new Set(readdirSync(join(ROOT, 'dist', 'adapters')));
    const missing = ADAPTER_CLOUDS.flatMap((cloud) => bundlesOf(cloud)).filter((b) => !built.has(b.bundle));
    assert.deepEqual(missing, []);
  });
});

/** The bundles the registry asks for a cloud: dist/adapters/<id>.js and <id>-<name>.js, with their source files. */
function bundlesOf(cloud: (typeof ADAPTER_CLOUDS)[number]): { bundle: string; source: string }[] {
  const entry: CloudEntry = CLOUD_REGISTRY[cloud];
  const folder = join('src', 'adapters', cloud);
  return [
    { bundle: `${cloud}.js`, source: join(folder, entry.adapter ?? '') },
    ...Object.entries(entry.extraBundles ?? {}).map(([name, file]) => ({ bundle: `${cloud}-${name}.js`, source: join(folder, file) })),
  ];
}

describe('the cloud registry', () => {
  it("names each adapter's files as they are in src/adapters/<id>/", () => {
    const absent = ADAPTER_CLOUDS.flatMap((cloud) => bundlesOf(cloud)).filter((b) => !existsSync(join(ROOT, b.source)));
    assert.deepEqual(absent, []);
  });

  it('derives kinds, labels and command ids; planned clouds are kinds without an adapter', () => {
    assert.ok(ADAPTER_CLOUDS.length > 0 && ADAPTER_CLOUDS.every((c) => CLOUD_KINDS.includes(c)));
    for (const planned of CLOUD_KINDS.filter((c) => !ADAPTER_CLOUDS.includes(c))) {
      assert.equal((CLOUD_REGISTRY[planned] as CloudEntry).adapter, undefined);
    }
    assert.equal(CLOUD_LABELS.gcp, 'Google Cloud');
    assert.equal(addAccountCommand('gcp'), 'snapkeeper.addGcpAccount');
    assert.equal(addAccountCommand('cloudstack'), 'snapkeeper.addCloudstackAccount');
    assert.ok(isCloudKind('openstack') && !isCloudKind('nimbus') && !isCloudKind('toString') && !isCloudKind(undefined));
  });
});
