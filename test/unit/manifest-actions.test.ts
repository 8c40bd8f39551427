// package.json is static (VS Code reads it before any code runs): its action commands and
// menus must say what the action table (src/model/actions.ts) says, and what the adapter
// modules' menu titles (`AdapterModule.menuTitles`) imply. Each difference is named.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ACTIONS,
  ALL_ACTIONS,
  actionCommand,
  actionCommandTitle,
  actionOfWord,
  actionWhen,
  appliesTo,
  confirmationFor,
  contextValue,
  isActionId,
  isDestructive,
  menuTitlesFrom,
  menuVariant,
  menuVariants,
  variantCommand,
  type ActionId,
  type MenuTitles,
} from '../../src/model/actions';
import type { AdapterModule } from '../../src/model/adapter';
import { ADAPTER_CLOUDS } from '../../src/model/clouds';
import { PANEL_ACTIONS } from '../../src/webview/protocol';

interface Command {
  command: string;
  title: string;
  category?: string;
  icon?: string;
}
interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
interface Manifest {
  contributes: { commands: Command[]; menus: Record<string, MenuEntry[]> };
}

const manifest = JSON.parse(readFileSync(resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

/** Every adapter module (the bundles' entry points), for their menu titles. */
async function adapterModules(): Promise<Pick<AdapterModule, 'cloud' | 'menuTitles'>[]> {
  return Promise.all([
    import('../../src/adapters/aws/index'),
    import('../../src/adapters/azure/index'),
    import('../../src/adapters/gcp/index'),
    import('../../src/adapters/cloudstack/index'),
    import('../../src/adapters/openstack/index'),
  ]);
}

/** The `view/item/context` lines of a command shown where `word` is in the item's contextValue. */
function menuLines(id: ActionId, command: string, word: string): string[] {
  const menu: { group: string; order: number; inline?: boolean } = ACTIONS[id].menu;
  const out = [`view/item/context: ${command} group ${menu.group}@${menu.order} when ${actionWhen(word)}`];
  if (menu.inline) {
    out.push(`view/item/context: ${command} group inline when ${actionWhen(word)}`);
  }
  return out;
}

/** What package.json must say for the table's actions and the modules' menu titles, as `where: what` lines. */
function expected(menuTitles: readonly MenuTitles[]): string[] {
  const out: string[] = [];
  for (const id of ALL_ACTIONS) {
    const cmd = actionCommand(id);
    out.push(`commands: ${cmd} "${actionCommandTitle(id)}" category Snapkeeper icon $(${ACTIONS[id].icon})`);
    out.push(...menuLines(id, cmd, id));
  }
  // A cloud's own title: its own command, in the menus of items that carry its word, not in the palette.
  for (const v of menuVariants(menuTitles)) {
    const cmd = variantCommand(v);
    out.push(`commands: ${cmd} "${v.title}…" category Snapkeeper icon $(${ACTIONS[v.action].icon})`);
    out.push(...menuLines(v.action, cmd, v.word));
    out.push(`commandPalette: ${cmd} when false`);
  }
  return out.sort();
}

/** What package.json says for every command named like an action or a variant of one. */
function actual(m: Manifest): string[] {
  const isAction = (command: string): boolean => command.startsWith('snapkeeper.') && actionOfWord(command.slice('snapkeeper.'.length)) !== undefined;
  const out: string[] = [];
  for (const c of m.contributes.commands.filter((x) => isAction(x.command))) {
    out.push(`commands: ${c.command} "${c.title}" category ${c.category ?? '(none)'} icon ${c.icon ?? '(none)'}`);
  }
  for (const e of (m.contributes.menus['view/item/context'] ?? []).filter((x) => isAction(x.command))) {
    out.push(`view/item/context: ${e.command} group ${e.group ?? '(none)'} when ${e.when ?? '(none)'}`);
  }
  // Every action is offered in the palette (the target is picked there); only the variants are hidden.
  for (const e of (m.contributes.menus.commandPalette ?? []).filter((x) => isAction(x.command))) {
    out.push(`commandPalette: ${e.command} when ${e.when ?? '(none)'}`);
  }
  return out.sort();
}

/** The lines missing from package.json and those it has that the table and the modules do not say. */
function differences(m: Manifest, menuTitles: readonly MenuTitles[]): string[] {
  const want = expected(menuTitles);
  const have = actual(m);
  return [
    ...want.filter((w) => !have.includes(w)).map((w) => `package.json lacks ${w}`),
    ...have.filter((h) => !want.includes(h)).map((h) => `package.json has, but the action table and menu titles do not say, ${h}`),
  ];
}

/** Whether a `when` clause of package.json's kind (`viewItem =~ /…/`) matches a contextValue. */
function whenMatches(when: string, value: string): boolean {
  const re = /viewItem =~ \/(.*)\/$/.exec(when);
  assert.ok(re, `no viewItem regex in ${when}`);
  return new RegExp(re[1]).test(value);
}

describe('package.json agrees with the action table and the adapter modules', () => {
  it('covers every adapter module of the cloud registry', async () => {
    assert.deepEqual((await adapterModules()).map((m) => m.cloud).sort(), [...ADAPTER_CLOUDS].sort());
  });

  it("every action: its command, title, icon, context-menu entries; every cloud's menu title: its hidden variant", async () => {
    const problems = differences(manifest, (await adapterModules()).map((m) => m.menuTitles ?? {}));
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });

  it('names exactly what is missing or different (the check itself works)', async () => {
    const titles = (await adapterModules()).map((m) => m.menuTitles ?? {});
    const broken = JSON.parse(JSON.stringify(manifest)) as Manifest;
    const cmd = broken.contributes.commands.find((c) => c.command === 'snapkeeper.deleteImage');
    assert.ok(cmd);
    cmd.title = 'Delete Image';
    broken.contributes.menus['view/item/context'] = broken.contributes.menus['view/item/context'].filter(
      (e) => !(e.command === 'snapkeeper.createSnapshot' && e.group === 'inline'),
    );
    broken.contributes.menus.commandPalette.push({ command: 'snapkeeper.copySnapshot', when: 'false' });
    assert.deepEqual(differences(broken, titles), [
      'package.json lacks commands: snapkeeper.deleteImage "Delete Image…" category Snapkeeper icon $(trash)',
      `package.json lacks view/item/context: snapkeeper.createSnapshot group inline when ${actionWhen('createSnapshot')}`,
      'package.json has, but the action table and menu titles do not say, commandPalette: snapkeeper.copySnapshot when false',
      'package.json has, but the action table and menu titles do not say, commands: snapkeeper.deleteImage "Delete Image" category Snapkeeper icon $(trash)',
    ]);
    // A title a module gains without package.json: its command, menu entry and palette line are named.
    const gained = menuVariant('launchCopy', 'Launch Twin');
    assert.deepEqual(differences(manifest, [...titles, { launchCopy: 'Launch Twin' }]), [
      `package.json lacks commandPalette: snapkeeper.launchCopy.launchTwin when false`,
      `package.json lacks commands: snapkeeper.launchCopy.launchTwin "Launch Twin…" category Snapkeeper icon $(rocket)`,
      `package.json lacks view/item/context: snapkeeper.launchCopy.launchTwin group 2_restore@2 when ${actionWhen(gained.word)}`,
    ]);
    // A variant package.json keeps after no module titles it so any more: named too.
    const without = titles.map((t) => Object.fromEntries(Object.entries(t).filter(([id]) => id !== 'revertToRestorePoint')));
    const stale = differences(manifest, without);
    assert.ok(stale.length > 0 && stale.every((line) => line.startsWith('package.json has, but') && line.includes('snapkeeper.revertToRestorePoint.')), stale.join('\n'));
  });

  it("the clouds' own titles are the variants: OpenStack's Roll Back, CloudStack's VM snapshots", async () => {
    const words = menuVariants((await adapterModules()).map((m) => m.menuTitles ?? {})).map((v) => `${v.word} "${v.title}"`);
    for (const want of [
      'createRestorePoint.createInstanceSnapshot "Create Instance Snapshot"',
      'revertToRestorePoint.rollBackRebuild "Roll Back (Rebuild)"',
      'deleteRestorePoint.deleteInstanceSnapshot "Delete Instance Snapshot"',
      'restoreInPlace.revertVolumeToSnapshot "Revert Volume to Snapshot"',
      'revertToRestorePoint.revertVmToVmSnapshot "Revert VM to VM Snapshot"',
      'deleteRestorePoint.deleteVmSnapshot "Delete VM Snapshot"',
    ]) {
      assert.ok(words.includes(want), `${want} is not a menu variant:\n${words.join('\n')}`);
    }
  });
});

describe('menu titles', () => {
  it("a module's menu titles keep only those that differ from the table's", () => {
    assert.deepEqual(menuTitlesFrom({ copySnapshot: 'Copy Snapshot', revertToRestorePoint: 'Roll Back (Rebuild)' }), { revertToRestorePoint: 'Roll Back (Rebuild)' });
  });

  it('one variant per distinct (action, title), whichever modules share it', () => {
    const shared = { restoreInPlace: 'Revert Volume to Snapshot' };
    assert.deepEqual(
      menuVariants([shared, { ...shared, revertToRestorePoint: 'Roll Back (Rebuild)' }]).map((v) => v.word),
      ['restoreInPlace.revertVolumeToSnapshot', 'revertToRestorePoint.rollBackRebuild'],
    );
    assert.equal(actionOfWord('revertToRestorePoint.rollBackRebuild'), 'revertToRestorePoint');
    assert.equal(actionOfWord('snapkeeper'), undefined);
  });

  it("an item of a cloud with its own title carries the variant's word: its menu entry shows, the neutral one does not", () => {
    const titles: MenuTitles = { revertToRestorePoint: 'Roll Back (Rebuild)' };
    const value = contextValue('restorePoint', ['revertToRestorePoint', 'launchCopy', 'deleteRestorePoint'], titles);
    assert.equal(value, 'snapkeeper.restorePoint revertToRestorePoint.rollBackRebuild launchCopy deleteRestorePoint');
    const variant = menuVariant('revertToRestorePoint', 'Roll Back (Rebuild)');
    assert.equal(whenMatches(actionWhen(variant.word), value), true, "the variant's entry");
    assert.equal(whenMatches(actionWhen('revertToRestorePoint'), value), false, "the neutral entry matched the variant's word");
    assert.equal(whenMatches(actionWhen('launchCopy'), value), true);
    // Without the cloud's title, the other way round.
    const neutral = contextValue('restorePoint', ['revertToRestorePoint'], {});
    assert.equal(whenMatches(actionWhen('revertToRestorePoint'), neutral), true);
    assert.equal(whenMatches(actionWhen(variant.word), neutral), false);
    // The dot is literal: no other word of that length matches.
    assert.equal(whenMatches(actionWhen(variant.word), 'snapkeeper.restorePoint revertToRestorePointXrollBackRebuild'), false);
  });

  it("package.json's entries, evaluated as VS Code does, show an OpenStack instance snapshot's Roll Back and not the neutral Revert", async () => {
    const os = (await adapterModules()).find((m) => m.cloud === 'openstack');
    assert.ok(os?.menuTitles);
    const value = contextValue('restorePoint', ['revertToRestorePoint', 'launchCopy', 'deleteRestorePoint'], os.menuTitles);
    const titleOf = new Map(manifest.contributes.commands.map((c) => [c.command, c.title]));
    const shown = manifest.contributes.menus['view/item/context'].filter((e) => e.group !== 'inline' && e.when && whenMatches(e.when, value)).map((e) => titleOf.get(e.command));
    assert.deepEqual(shown.sort(), ['Delete Instance Snapshot…', 'Launch Copy…', 'Roll Back (Rebuild)…']);
  });
});

describe('the action table', () => {
  it("an item's contextValue matches the menu entries of exactly the actions it lists", () => {
    const value = contextValue('snapshot', ['restoreToNewDisk', 'deleteSnapshot']);
    assert.equal(value, 'snapkeeper.snapshot restoreToNewDisk deleteSnapshot');
    const shown = ALL_ACTIONS.filter((id) => new RegExp(/\/(.*)\/$/.exec(actionWhen(id))?.[1] ?? '$^').test(value));
    assert.deepEqual(shown, ['restoreToNewDisk', 'deleteSnapshot']);
  });

  it('a destructive action always asks, with its Keep button named; others ask what the adapter asked', () => {
    const destructive = ALL_ACTIONS.filter((id) => 'destructive' in ACTIONS[id]);
    assert.deepEqual(destructive, [
      'restoreInPlace',
      'deleteSnapshot',
      'deleteImage',
      'revokeExport',
      'revertToRestorePoint',
      'deleteRestorePoint',
      'restoreBackupInPlace',
      'deleteBackup',
      'detachSchedule',
      'deleteSchedule',
    ]);
    // The adapter asked nothing: the table's confirmation, naming the target.
    assert.deepEqual(confirmationFor('deleteImage', undefined, 'web-base'), {
      message: 'Delete Image: web-base?',
      detail: 'The image is deleted. This cannot be undone.',
      button: 'Delete Image',
      keep: 'Keep Image',
    });
    // The adapter's own words are kept; a missing Keep button is named from the table.
    const asked = { message: 'Delete snapshot s?', detail: 'Frees 1 MiB.', button: 'Delete Snapshot' };
    assert.deepEqual(confirmationFor('deleteSnapshot', asked, 's'), { ...asked, keep: 'Keep Snapshot' });
    const exact = { ...asked, keep: 'Keep the Snapshot of web-1' };
    assert.equal(confirmationFor('deleteSnapshot', exact, 's'), exact);
    // Not destructive: exactly what the adapter asked, or nothing.
    assert.equal(confirmationFor('createSnapshot', undefined, 'd'), undefined);
    assert.equal(confirmationFor('createImageFromVm', asked, 'vm'), asked);
  });

  it("the chain panel's buttons come from the table: which, their titles, which one is marked dangerous", () => {
    assert.deepEqual([...PANEL_ACTIONS], ['restoreToNewDisk', 'createImageFromSnapshot', 'copySnapshot', 'deleteSnapshot', 'restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup']);
    assert.deepEqual(PANEL_ACTIONS.map(actionCommandTitle), [
      'Restore to New Disk…',
      'Create Image from Snapshot…',
      'Copy Snapshot…',
      'Delete Snapshot…',
      'Restore Backup to New Disk…',
      'Restore Backup in Place…',
      'Delete Backup…',
    ]);
    assert.deepEqual(PANEL_ACTIONS.filter(isDestructive), ['deleteSnapshot', 'restoreBackupInPlace', 'deleteBackup']);
    // Each row offers only its own kind's buttons.
    assert.deepEqual(PANEL_ACTIONS.filter((a) => appliesTo(a, 'snapshot')), ['restoreToNewDisk', 'createImageFromSnapshot', 'copySnapshot', 'deleteSnapshot']);
    assert.deepEqual(PANEL_ACTIONS.filter((a) => appliesTo(a, 'backup')), ['restoreBackupToNewDisk', 'restoreBackupInPlace', 'deleteBackup']);
  });

  it('only the table names actions', () => {
    const ids: ActionId[] = [...ALL_ACTIONS];
    assert.ok(ids.every(isActionId));
    assert.equal(isActionId('retry'), false);
    assert.equal(isActionId('toString'), false);
  });
});
