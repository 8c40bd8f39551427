// package.json is static (VS Code reads it before any code runs): its action commands and
// menus must say what the action table (src/model/actions.ts) says. Each difference is named.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ACTIONS,
  ALL_ACTIONS,
  actionCommand,
  actionCommandTitle,
  actionWhen,
  appliesTo,
  confirmationFor,
  contextValue,
  isActionId,
  isDestructive,
  type ActionId,
} from '../../src/model/actions';
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

/** What package.json must say for the table's actions, as `where: what` lines. */
function expected(): string[] {
  const out: string[] = [];
  for (const id of ALL_ACTIONS) {
    const spec = ACTIONS[id];
    const cmd = actionCommand(id);
    out.push(`commands: ${cmd} "${actionCommandTitle(id)}" category Snapkeeper icon $(${spec.icon})`);
    out.push(`view/item/context: ${cmd} group ${spec.menu.group}@${spec.menu.order} when ${actionWhen(id)}`);
    if ('inline' in spec.menu && spec.menu.inline) {
      out.push(`view/item/context: ${cmd} group inline when ${actionWhen(id)}`);
    }
  }
  return out.sort();
}

/** What package.json says for every command named like an action (and every command the table has). */
function actual(m: Manifest): string[] {
  const isAction = (command: string): boolean => command.startsWith('snapkeeper.') && isActionId(command.slice('snapkeeper.'.length));
  const out: string[] = [];
  for (const c of m.contributes.commands.filter((x) => isAction(x.command))) {
    out.push(`commands: ${c.command} "${c.title}" category ${c.category ?? '(none)'} icon ${c.icon ?? '(none)'}`);
  }
  for (const e of (m.contributes.menus['view/item/context'] ?? []).filter((x) => isAction(x.command))) {
    out.push(`view/item/context: ${e.command} group ${e.group ?? '(none)'} when ${e.when ?? '(none)'}`);
  }
  // Every action is offered in the palette (the target is picked there): none is hidden.
  for (const e of (m.contributes.menus.commandPalette ?? []).filter((x) => isAction(x.command))) {
    out.push(`commandPalette: ${e.command} when ${e.when ?? '(none)'}`);
  }
  return out.sort();
}

/** The lines missing from package.json and those it has that the table does not say. */
function differences(m: Manifest): string[] {
  const want = expected();
  const have = actual(m);
  return [
    ...want.filter((w) => !have.includes(w)).map((w) => `package.json lacks ${w}`),
    ...have.filter((h) => !want.includes(h)).map((h) => `package.json has, but the action table does not say, ${h}`),
  ];
}

describe('package.json agrees with the action table', () => {
  it('every action: its command, title, icon, context-menu entries; none hidden from the palette', () => {
    const problems = differences(manifest);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });

  it('names exactly what is missing or different (the check itself works)', () => {
    const broken = JSON.parse(JSON.stringify(manifest)) as Manifest;
    const cmd = broken.contributes.commands.find((c) => c.command === 'snapkeeper.deleteImage');
    assert.ok(cmd);
    cmd.title = 'Delete Image';
    broken.contributes.menus['view/item/context'] = broken.contributes.menus['view/item/context'].filter(
      (e) => !(e.command === 'snapkeeper.createSnapshot' && e.group === 'inline'),
    );
    broken.contributes.menus.commandPalette.push({ command: 'snapkeeper.copySnapshot', when: 'false' });
    assert.deepEqual(differences(broken), [
      'package.json lacks commands: snapkeeper.deleteImage "Delete Image…" category Snapkeeper icon $(trash)',
      `package.json lacks view/item/context: snapkeeper.createSnapshot group inline when ${actionWhen('createSnapshot')}`,
      'package.json has, but the action table does not say, commandPalette: snapkeeper.copySnapshot when false',
      'package.json has, but the action table does not say, commands: snapkeeper.deleteImage "Delete Image" category Snapkeeper icon $(trash)',
    ]);
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
