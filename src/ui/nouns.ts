/**
 * What the UI calls each kind of thing, in the account's cloud's own words (CloudNouns): a disk
 * may be a "volume", a snapshot a "volume snapshot", a restore point a "VM snapshot". Where a
 * cloud has both disk snapshots and VM-wide restore points (and its users mix them up), every
 * label, question and title says which one it is, and the module's `about` sentences say what
 * each is for. Clouds that give no such noun keep the neutral words. vscode-free (unit tests run
 * it); only the extension's own text goes through here, never a cloud's.
 */
import type { CloudNouns } from '../model/adapter';
import type { ResourceKind } from '../model/types';

/** "regions" from "region": every noun of `CloudNouns` takes -s. */
export function plural(noun: string): string {
  return `${noun}s`;
}

/** "VM snapshot" → "VM snapshot", "volume snapshot" → "Volume snapshot". */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "volume snapshot" → "Volume Snapshot", as in a command's title. */
export function titleCased(text: string): string {
  return text.replace(/(^|\s)(\S)/g, (_, space: string, c: string) => `${space}${c.toUpperCase()}`);
}

/** Every word for the things a chain holds, as the chain panel is sent them. */
export type ThingWords = Required<Pick<CloudNouns, 'disk' | 'snapshot' | 'restorePoint'>>;

/** A disk: "disk", or the cloud's word ("volume"). */
export function diskNoun(nouns: Pick<CloudNouns, 'disk'>): string {
  return nouns.disk ?? 'disk';
}

/** A snapshot of one disk: "snapshot", or the cloud's word ("volume snapshot"). */
export function snapshotNoun(nouns: Pick<CloudNouns, 'snapshot'>): string {
  return nouns.snapshot ?? 'snapshot';
}

/** A restore point of a whole VM: "restore point", or the cloud's word ("VM snapshot"). */
export function restorePointNoun(nouns: Pick<CloudNouns, 'restorePoint'>): string {
  return nouns.restorePoint ?? 'restore point';
}

/** What a resource of this kind is called in running text: "VM", "volume", "VM snapshot"… */
export function kindNoun(kind: ResourceKind, nouns: CloudNouns): string {
  switch (kind) {
    case 'vm':
      return 'VM';
    case 'disk':
      return diskNoun(nouns);
    case 'snapshot':
      return snapshotNoun(nouns);
    case 'image':
      return nouns.image;
    case 'policy':
      return 'schedule';
    case 'restorePoint':
      return restorePointNoun(nouns);
    case 'backup':
      return 'backup';
  }
}

/** What a tooltip's heading calls a resource of this kind: "Disk", "Volume snapshot", "VM snapshot"… */
export function kindLabel(kind: ResourceKind, nouns: CloudNouns): string {
  return capitalised(kindNoun(kind, nouns));
}

/** The cloud's sentence on what this kind is for (snapshots, restore points and backups, where it gives one). */
export function aboutKind(kind: ResourceKind, nouns: CloudNouns): string | undefined {
  switch (kind) {
    case 'snapshot':
      return nouns.about?.snapshot;
    case 'restorePoint':
      return nouns.about?.restorePoint;
    case 'backup':
      return nouns.about?.backup;
    default:
      return undefined;
  }
}

/**
 * The extension's own words for disks, snapshots and restore points (an action's title, its
 * confirmation) in the cloud's nouns: "Delete Restore Point" → "Delete VM Snapshot", "Create
 * Snapshot" → "Create Volume Snapshot", "the disk" → "the volume"; a title's leading verb stays
 * ("Snapshot All Disks" → "Snapshot All Volumes"). Words the cloud does not rename stay. One pass,
 * so a replacement is never replaced again. Never give it a cloud's text.
 */
export function inNouns(text: string, nouns: CloudNouns | ThingWords): string {
  if (!nouns.disk && !nouns.snapshot && !nouns.restorePoint) {
    return text;
  }
  const disk = diskNoun(nouns);
  const snapshot = snapshotNoun(nouns);
  const restorePoint = restorePointNoun(nouns);
  return text.replace(/\b(Disk Snapshot|Restore Point|restore point|Snapshot|snapshot|Disk|disk)(s?)\b/g, (whole: string, word: string, s: string, at: number) => {
    switch (word) {
      case 'Snapshot':
        // A title's first word is its verb ("Snapshot All Disks"), not the noun.
        return at === 0 ? whole : titleCased(snapshot) + s;
      case 'Disk Snapshot':
        return titleCased(snapshot) + s;
      case 'Restore Point':
        return titleCased(restorePoint) + s;
      case 'restore point':
        return restorePoint + s;
      case 'snapshot':
        return snapshot + s;
      case 'Disk':
        return titleCased(disk) + s;
      default:
        return disk + s;
    }
  });
}
