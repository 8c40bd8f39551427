/**
 * The actions, in one table: what each applies to, its title, its place in the tree's context
 * menu, and whether it destroys or replaces something. `ActionId`, the commands
 * (`snapkeeper.<id>`), the tree items' contextValues and the menus' `when` clauses all come from
 * here. package.json must stay static for VS Code: test/unit/manifest-actions.test.ts checks that
 * its commands and menus say what this table says.
 *
 * The UI asks the adapter which actions a resource supports right now (`actionsFor`), what to ask
 * the user (`plan`), and then runs them (`execute`). No cloud-specific branch lives outside the
 * adapter. Every action is also offered in the command palette, where the target is picked
 * account → scope → resource.
 */
import type { Confirmation, ResourceKind } from './types';

export interface ActionSpec {
  /** The resource kinds it applies to. */
  readonly targets: readonly ResourceKind[];
  /** In prompts, progress and error messages ("Create Snapshot"). */
  readonly title: string;
  /** The command's title in menus and the palette, when it is not `title…`. */
  readonly commandTitle?: string;
  /** The codicon of the command (package.json `icon`: `$(name)`). */
  readonly icon: string;
  /** Where the tree's context menu shows it: `group@order`; `inline` also as a button on the item. */
  readonly menu: { readonly group: string; readonly order: number; readonly inline?: boolean };
  /**
   * Destroys or replaces something in the cloud. Such an action never runs without a
   * confirmation, and its Keep button (`keep`, unless the adapter names it more exactly) is the
   * dialog's default, so Enter never runs it. `consequence` is the confirmation's detail when the
   * adapter gave none.
   */
  readonly destructive?: { readonly keep: string; readonly consequence: string };
  /** Offered in the chain panel too: a button under the selected snapshot or backup (whichever it targets). */
  readonly panel?: true;
}

const SNAPSHOT = ['snapshot'] as const;

export const ACTIONS = {
  createSnapshot: { targets: ['disk'], title: 'Create Snapshot', icon: 'device-camera', menu: { group: '1_snapshot', order: 1, inline: true } },
  snapshotVm: { targets: ['vm'], title: 'Snapshot All Disks', icon: 'versions', menu: { group: '1_snapshot', order: 1 } },
  createImageFromVm: { targets: ['vm'], title: 'Create Image', icon: 'file-media', menu: { group: '1_snapshot', order: 2 } },
  restoreToNewDisk: { targets: SNAPSHOT, title: 'Restore to New Disk', icon: 'debug-restart', menu: { group: '2_restore', order: 1 }, panel: true },
  restoreInPlace: {
    targets: SNAPSHOT,
    title: 'Restore in Place',
    icon: 'replace-all',
    menu: { group: '2_restore', order: 2 },
    destructive: { keep: 'Keep the Current Disk', consequence: "The VM's disk is replaced by a new disk restored from the snapshot." },
  },
  createImageFromSnapshot: { targets: SNAPSHOT, title: 'Create Image from Snapshot', icon: 'file-media', menu: { group: '3_image', order: 1 }, panel: true },
  createImageFromDisk: { targets: ['disk'], title: 'Create Image from Disk', icon: 'file-media', menu: { group: '3_image', order: 1 } },
  copySnapshot: { targets: SNAPSHOT, title: 'Copy Snapshot', icon: 'copy', menu: { group: '3_image', order: 2 }, panel: true },
  editTags: { targets: ['vm', 'disk', 'snapshot', 'image', 'backup'], title: 'Edit Tags', icon: 'tag', menu: { group: '5_tags', order: 1 } },
  deleteSnapshot: {
    targets: SNAPSHOT,
    title: 'Delete Snapshot',
    icon: 'trash',
    menu: { group: '9_delete', order: 1 },
    destructive: { keep: 'Keep Snapshot', consequence: 'The snapshot is deleted. This cannot be undone.' },
    panel: true,
  },
  deleteImage: {
    targets: ['image'],
    title: 'Delete Image',
    icon: 'trash',
    menu: { group: '9_delete', order: 1 },
    destructive: { keep: 'Keep Image', consequence: 'The image is deleted. This cannot be undone.' },
  },
  exportSnapshot: {
    targets: SNAPSHOT,
    title: 'Export Snapshot',
    commandTitle: 'Export Snapshot (Download URL)…',
    icon: 'cloud-download',
    menu: { group: '4_export', order: 1 },
  },
  revokeExport: {
    targets: SNAPSHOT,
    title: 'Revoke Export',
    icon: 'circle-slash',
    menu: { group: '4_export', order: 2 },
    destructive: { keep: 'Keep the Export Open', consequence: 'The download URL stops working at once; downloads in progress fail.' },
  },
  /** A restore point of the whole VM (a VM snapshot, with or without memory, where the cloud has them). */
  createRestorePoint: { targets: ['vm'], title: 'Create Restore Point', icon: 'milestone', menu: { group: '1_snapshot', order: 3 } },
  revertToRestorePoint: {
    targets: ['restorePoint'],
    title: 'Revert VM to Restore Point',
    icon: 'history',
    menu: { group: '2_restore', order: 1 },
    destructive: { keep: 'Keep the VM as It Is', consequence: 'The VM goes back to the restore point: every change made since is lost.' },
  },
  snapshotFromRestorePoint: {
    targets: ['restorePoint'],
    title: 'Create Disk Snapshot from Restore Point',
    icon: 'device-camera',
    menu: { group: '1_snapshot', order: 1 },
  },
  deleteRestorePoint: {
    targets: ['restorePoint'],
    title: 'Delete Restore Point',
    icon: 'trash',
    menu: { group: '9_delete', order: 1 },
    destructive: { keep: 'Keep Restore Point', consequence: 'The restore point is deleted. This cannot be undone.' },
  },
  /**
   * Boots a new VM from a restore point that can start one (an instance snapshot): the
   * "duplicate an instance" move. The source VM is left as it is.
   */
  launchCopy: { targets: ['restorePoint'], title: 'Launch Copy', icon: 'rocket', menu: { group: '2_restore', order: 2 } },
  /** A backup of one disk on the cloud's backup store: full, or incremental against the disk's latest backup. */
  createBackup: { targets: ['disk'], title: 'Create Backup', icon: 'archive', menu: { group: '1_snapshot', order: 2 } },
  restoreBackupToNewDisk: { targets: ['backup'], title: 'Restore Backup to New Disk', icon: 'debug-restart', menu: { group: '2_restore', order: 1 }, panel: true },
  restoreBackupInPlace: {
    targets: ['backup'],
    title: 'Restore Backup in Place',
    icon: 'replace-all',
    menu: { group: '2_restore', order: 2 },
    destructive: { keep: 'Keep the Current Disk', consequence: "The disk's contents are overwritten with the backup's: everything written since the backup is lost." },
    panel: true,
  },
  deleteBackup: {
    targets: ['backup'],
    title: 'Delete Backup',
    icon: 'trash',
    menu: { group: '9_delete', order: 1 },
    destructive: { keep: 'Keep Backup', consequence: 'The backup is deleted. This cannot be undone.' },
    panel: true,
  },
  /**
   * Puts a disk (or every disk of a VM) under a schedule the cloud runs itself: an existing
   * policy, or a new one with the cloud's own fields. Snapkeeper never runs a timer of its own.
   */
  protectWithSchedule: { targets: ['disk', 'vm'], title: 'Protect with Schedule', icon: 'shield', menu: { group: '6_schedule', order: 1 } },
  changeSchedule: { targets: ['policy'], title: 'Change Schedule', icon: 'edit', menu: { group: '6_schedule', order: 1 } },
  detachSchedule: {
    targets: ['disk'],
    title: 'Detach Schedule',
    icon: 'debug-disconnect',
    menu: { group: '6_schedule', order: 2 },
    destructive: { keep: 'Keep the Schedule', consequence: 'The schedule takes no new snapshots of this disk. The snapshots it already took stay.' },
  },
  deleteSchedule: {
    targets: ['policy'],
    title: 'Delete Schedule',
    icon: 'trash',
    menu: { group: '9_delete', order: 1 },
    destructive: { keep: 'Keep the Schedule', consequence: 'The schedule is deleted: the disks it covers get no new snapshots from it.' },
  },
  /** Sandbox only: changes N MiB of a disk, so the next snapshot stores exactly that much. */
  simulateWrites: {
    targets: ['disk'],
    title: 'Simulate Writes',
    commandTitle: 'Simulate Writes (Sandbox)…',
    icon: 'edit',
    menu: { group: '8_sandbox', order: 1 },
  },
} as const satisfies Record<string, ActionSpec>;

export type ActionId = keyof typeof ACTIONS;

/** Every action, in the table's order. */
export const ALL_ACTIONS = Object.keys(ACTIONS) as ActionId[];

/** The actions the chain panel offers on a snapshot or a backup (`panel: true`), as a type. */
export type PanelActionId = { [K in ActionId]: (typeof ACTIONS)[K] extends { readonly panel: true } ? K : never }[ActionId];

/** The chain panel's actions, in the table's order. */
export const PANEL_ACTION_IDS: readonly PanelActionId[] = ALL_ACTIONS.filter((id): id is PanelActionId => 'panel' in ACTIONS[id]);

/** True for an action that destroys or replaces something (it always asks first). */
export function isDestructive(id: ActionId): boolean {
  return actionSpec(id).destructive !== undefined;
}

export function actionSpec(id: ActionId): ActionSpec {
  return ACTIONS[id];
}

/** True when `id` is one of the table's actions (a command argument, a contextValue word…). */
export function isActionId(id: string): id is ActionId {
  return Object.hasOwn(ACTIONS, id);
}

/** Whether the action applies to a resource of this kind at all (the adapter decides if it is available now). */
export function appliesTo(id: ActionId, kind: ResourceKind): boolean {
  return actionSpec(id).targets.includes(kind);
}

/** The command that runs it: `snapkeeper.createSnapshot`. */
export function actionCommand(id: ActionId): string {
  return `snapkeeper.${id}`;
}

/** The command's title in menus and the palette: "Create Snapshot…". */
export function actionCommandTitle(id: ActionId): string {
  const spec = actionSpec(id);
  return spec.commandTitle ?? `${spec.title}…`;
}

/**
 * What an adapter module's menus call some actions, where its cloud's word differs from the
 * table's title ("Roll Back (Rebuild)" for revertToRestorePoint): `AdapterModule.menuTitles`.
 */
export type MenuTitles = Partial<Record<ActionId, string>>;

/**
 * A cloud's own title for an action in the tree's context menu. package.json is static, so each
 * distinct (action, title) of every adapter module has its own command there,
 * `snapkeeper.<word>`, shown where an item's contextValue carries `word` instead of the action's
 * id (and hidden from the palette, whose neutral command already asks in the cloud's words).
 */
export interface MenuVariant {
  readonly action: ActionId;
  readonly title: string;
  /** `<action>.<title in camelCase>`: "revertToRestorePoint.rollBackRebuild". */
  readonly word: string;
}

export function menuVariant(action: ActionId, title: string): MenuVariant {
  const words = title.match(/[A-Za-z0-9]+/g) ?? [];
  const slug = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return { action, title, word: `${action}.${slug}` };
}

/** Only the titles that differ from the table's: what a module declares as its `menuTitles`. */
export function menuTitlesFrom(titles: MenuTitles): MenuTitles {
  return Object.fromEntries(Object.entries(titles).filter(([id, title]) => isActionId(id) && title !== actionSpec(id).title));
}

/** Every distinct variant the modules' menu titles imply, in the table's order, then by word. */
export function menuVariants(modules: readonly MenuTitles[]): MenuVariant[] {
  const byWord = new Map<string, MenuVariant>();
  for (const titles of modules) {
    for (const [id, title] of Object.entries(titles)) {
      if (isActionId(id) && title !== undefined) {
        const v = menuVariant(id, title);
        byWord.set(v.word, v);
      }
    }
  }
  const order = (v: MenuVariant): number => ALL_ACTIONS.indexOf(v.action);
  return [...byWord.values()].sort((a, b) => order(a) - order(b) || a.word.localeCompare(b.word));
}

/**
 * The action a command or contextValue word names: `revertToRestorePoint` and its variants
 * (`revertToRestorePoint.rollBackRebuild`); undefined for anything else.
 */
export function actionOfWord(word: string): ActionId | undefined {
  const id = word.split('.')[0];
  return isActionId(id) ? id : undefined;
}

/** The variant's command: `snapkeeper.revertToRestorePoint.rollBackRebuild`. */
export function variantCommand(variant: MenuVariant): string {
  return `snapkeeper.${variant.word}`;
}

/**
 * A tree item's contextValue: its kind, then the actions available on it
 * (`snapkeeper.snapshot restoreToNewDisk copySnapshot …`), which the menus' `when` clauses match.
 * An action its cloud titles otherwise (`menuTitles`) is written as its variant's word, so the
 * menu shows the variant's command instead of the neutral one.
 */
export function contextValue(kind: string, actions: readonly ActionId[], menuTitles: MenuTitles = {}): string {
  const word = (id: ActionId): string => {
    const title = menuTitles[id];
    return title === undefined ? id : menuVariant(id, title).word;
  };
  return [`snapkeeper.${kind}`, ...actions.map(word)].join(' ');
}

/**
 * The `when` clause of the context-menu entries of an action (its id) or of a variant (its
 * word): that word, whole, in the item's contextValue. The action's clause does not match its
 * variants' words (`( |$)` follows the id, and a variant's word goes on with `.`).
 */
export function actionWhen(word: string): string {
  return `view == snapkeeper.resources && viewItem =~ /(^| )${word.replace(/\./g, '\\.')}( |$)/`;
}

/**
 * The confirmation to ask before running `id` on `target` (a display name), given the one the
 * adapter's plan asked for. A destructive action always gets one, with its Keep button named;
 * other actions ask only what the adapter asked. `words` puts the table's own text (title, Keep
 * button, consequence) in the cloud's nouns ("Keep Restore Point" → "Keep VM Snapshot"); it is
 * never given the target or the adapter's text.
 */
export function confirmationFor(
  id: ActionId,
  given: Confirmation | undefined,
  target: string,
  words: (text: string) => string = (text) => text,
): Confirmation | undefined {
  const destructive = actionSpec(id).destructive;
  if (!destructive) {
    return given;
  }
  if (!given) {
    const title = words(actionSpec(id).title);
    return { message: `${title}: ${target}?`, detail: words(destructive.consequence), button: title, keep: words(destructive.keep) };
  }
  return given.keep ? given : { ...given, keep: words(destructive.keep) };
}
