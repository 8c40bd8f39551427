/**
 * The provider-neutral model. The tree, commands, operation tracker and webview speak only
 * these types; each cloud adapter maps its API onto them. Nothing here imports a cloud SDK.
 *
 * How the five clouds map (see shared/design/product.md):
 *   scope    AWS region · Azure subscription → location · GCP project → zone/region ·
 *            CloudStack zone · OpenStack region
 *   vm       EC2 instance · Azure VM · GCE instance · CloudStack VM · Nova server
 *   disk     EBS volume · managed disk · persistent disk · CloudStack volume · Cinder volume
 *   snapshot EBS snapshot · disk snapshot · GCE snapshot · volume snapshot · Cinder snapshot
 *   image    AMI · managed image / gallery version · image / machine image · template · Glance image
 */

import type { CloudKind } from './clouds';

/** The clouds are listed once, in the cloud registry (model/clouds.ts). */
export type { CloudKind };

/** A saved account. Never holds a secret: credentials come from the cloud's own chain or SecretStorage. */
export interface AccountConfig {
  /** Stable local id (a UUID). */
  id: string;
  cloud: CloudKind;
  label: string;
  /** True for the built-in sandbox account of this cloud. */
  sandbox?: boolean;
  /** Cloud-specific, non-secret settings read only by that cloud's adapter (AWS: `profile`). */
  settings: Record<string, string>;
}

/**
 * A place resources live. Scopes nest (Azure subscription → location); resources are listed
 * only at leaf scopes. `id` is unique within the account.
 */
export interface Scope {
  id: string;
  label: string;
  /**
   * The place's human name when `label` is a code ("US East (N. Virginia)" for us-east-1, "Iowa"
   * for us-central1-a): the tree shows it beside the code, also once counts are shown.
   */
  name?: string;
  description?: string;
  leaf: boolean;
  /** Parent scope id, for nested scopes. */
  parentId?: string;
}

/**
 * `policy`: a schedule that takes snapshots by itself, attached to disks (not an item of a chain);
 * `restorePoint`: a restore point of a whole VM (its disks, and its memory where the cloud keeps it);
 * `backup`: a copy of one disk kept on a separate backup store (full, or incremental against a
 * parent backup), apart from the disk's snapshots.
 */
export type ResourceKind = 'vm' | 'disk' | 'snapshot' | 'image' | 'policy' | 'restorePoint' | 'backup';

/** The provider-neutral life-cycle phase; `state` keeps the cloud's own word. */
export type Phase = 'pending' | 'ready' | 'error' | 'deleting';

export interface Tag {
  key: string;
  value: string;
}

export interface ResourceBase {
  kind: ResourceKind;
  /** The cloud's own id (vol-…, snap-…, a resource URI…). Unique within the account. */
  id: string;
  /** The user-facing name (Name tag, resource name); untrusted text. */
  name?: string;
  /** The leaf scope the resource lives in. */
  scopeId: string;
  /** The cloud's own state word, shown as is. */
  state: string;
  phase: Phase;
  tags: Tag[];
  /** ISO-8601 creation time. */
  createdAt?: string;
  /** Zone / availability zone where that applies. */
  zone?: string;
  /**
   * What the tree line shows beside a named resource instead of the full id, when the id is long
   * (an Azure resource id shows its resource group). Defaults to `id`.
   */
  idLabel?: string;
  /** Cloud-specific facts for the tooltip (resource group, encryption set, SKU…), in order. */
  details?: Detail[];
}

/** One labelled fact of a resource, shown as text (never interpreted). */
export interface Detail {
  label: string;
  value: string;
}

export interface Vm extends ResourceBase {
  kind: 'vm';
  /** e.g. t3.micro, Standard_D2s_v5, e2-medium. */
  machineType?: string;
  /** Disk ids attached to this VM, boot disk first. */
  diskIds: string[];
  bootDiskId?: string;
  platform?: string;
}

export interface DiskAttachment {
  vmId: string;
  device?: string;
  boot: boolean;
}

export interface Disk extends ResourceBase {
  kind: 'disk';
  sizeGiB: number;
  /** gp3, Premium_LRS, pd-balanced… */
  diskType?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  iops?: number;
  throughputMiBps?: number;
  attachments: DiskAttachment[];
  /** The snapshot this disk was restored from, if any (starts a new lineage from it). */
  sourceSnapshotId?: string;
  /** Ids of the schedules (`Policy`) that snapshot this disk, however the cloud ties them (on the disk, or by its tags). */
  policyIds?: string[];
  /**
   * A VM's local disk on its host rather than a volume of the cloud's block storage (a
   * boot-from-image server's root disk): shown under its VM, not counted among the volumes.
   */
  local?: boolean;
}

export interface Snapshot extends ResourceBase {
  kind: 'snapshot';
  /** The disk it was taken from (may no longer exist). */
  diskId?: string;
  /** Size of the source disk at snapshot time. */
  sizeGiB: number;
  /** 0–100 while pending. */
  progress?: number;
  description?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  /** standard / archive / … */
  storageTier?: string;
  /** Bytes this snapshot really stores, when the list API says so (GCP storageBytes). */
  storedBytes?: number;
  /** For copies: the snapshot it was copied from (id in another scope, when known). */
  copiedFromId?: string;
  /** For copies: the scope (region…) of the original, when known. */
  copiedFromScopeId?: string;
  /** True when the cloud says the snapshot stores only the blocks changed since the previous one. */
  incremental?: boolean;
  /** Ties one disk's chain of snapshots together (Azure incrementalSnapshotFamilyId…). */
  chainId?: string;
  /** An open export (read access granted, e.g. an Azure SAS); `until` when the expiry is known. */
  export?: { until?: string };
  /**
   * Taken by a schedule rather than by hand: the policy's id (and its name, when the snapshot or
   * the listing says it), however the cloud marks it (a tag, a flag, a snapshot type).
   */
  byPolicy?: { id?: string; name?: string };
  /**
   * When the schedule's retention will delete it (ISO-8601), where the cloud determines that
   * date (an age-based retention); absent when it depends on later snapshots (keep the last N).
   */
  deleteAfter?: string;
}

export interface Image extends ResourceBase {
  kind: 'image';
  description?: string;
  /** Snapshots the image is made of (AMI block-device mappings…). */
  snapshotIds: string[];
  architecture?: string;
  rootDevice?: string;
  public?: boolean;
}

/**
 * A snapshot schedule listed in a scope and attached to disks (each disk names it in `policyIds`):
 * a lifecycle policy, a snapshot schedule resource policy, a volume snapshot policy. Snapshots it
 * takes are ordinary snapshots of the disk's chain; the policy itself is not in the chain.
 */
export interface Policy extends ResourceBase {
  kind: 'policy';
  /** When it runs, in words, times in UTC or the policy's own time zone ("daily at 03:00 UTC"). */
  schedule?: string;
  /** What it keeps, in words ("keeps 7", "keeps 14 days"). */
  retention?: string;
  /** What it keeps, as numbers: the newest `count` snapshots of each disk, or each for `days`. */
  keeps?: { count?: number; days?: number };
  /**
   * The next time it takes snapshots (ISO-8601), when its schedule determines it: the UI shows
   * it in the user's time zone. Absent for a disabled policy.
   */
  nextRunAt?: string;
  /**
   * How a disk comes under it, in the cloud's words, when that is not by attaching it to the disk
   * ("volumes tagged backup=nightly").
   */
  selects?: string;
  /** False when the cloud says it is disabled (it takes no snapshots then). */
  enabled?: boolean;
  description?: string;
}

/**
 * A restore point of a whole VM: its disks taken together and, where the cloud keeps it, its
 * memory (a VM snapshot with memory; a VM restore point). Restore points of one VM form a tree:
 * each names the one it was taken after, and one may be the point the VM currently runs from.
 */
export interface RestorePoint extends ResourceBase {
  kind: 'restorePoint';
  vmId: string;
  /** True when it holds the VM's memory (restoring resumes the running VM). */
  memory: boolean;
  /** The VM currently runs from this point (its later changes are relative to it). */
  current?: boolean;
  /** The restore point it was taken after. */
  parentId?: string;
  /** The disks it holds, when the cloud says (else: every disk of the VM). */
  diskIds?: string[];
  description?: string;
}

/**
 * A backup of one disk on a backup store apart from the disk's own storage (a Cinder backup). A
 * disk's backups form their own chain: the first is full, each incremental one stores only the
 * blocks changed since its parent. Restoring needs the whole chain up to it, so a backup with
 * incremental backups after it cannot be deleted.
 */
export interface Backup extends ResourceBase {
  kind: 'backup';
  /** The disk it was taken from (may no longer exist). */
  diskId?: string;
  /** Size of the disk at backup time. */
  sizeGiB: number;
  /** True when it stores only the blocks changed since `parentId`. */
  incremental: boolean;
  /** The backup it is incremental against. */
  parentId?: string;
  /** True when incremental backups depend on it (it cannot be deleted before them). */
  hasDependents?: boolean;
  /** The snapshot it was taken from, when it was made from a snapshot rather than the live disk. */
  snapshotId?: string;
  /** Bytes the backup really stores, when the cloud says so. */
  storedBytes?: number;
  /**
   * How many objects (chunks of the backup store's object size, a deployment setting) it stores,
   * when the cloud says so: a full backup stores the whole written disk, an incremental one only
   * the changed chunks.
   */
  objectCount?: number;
  /** 0–100 while pending. */
  progress?: number;
  description?: string;
}

export type Resource = Vm | Disk | Snapshot | Image | Policy | RestorePoint | Backup;

/** Everything listed at one leaf scope. Clouds without schedules, VM restore points or backups leave those out. */
export interface Inventory {
  vms: Vm[];
  disks: Disk[];
  snapshots: Snapshot[];
  images: Image[];
  policies?: Policy[];
  restorePoints?: RestorePoint[];
  backups?: Backup[];
}

/** Where each kind goes in an `Inventory`. */
export const INVENTORY_KEY = {
  vm: 'vms',
  disk: 'disks',
  snapshot: 'snapshots',
  image: 'images',
  policy: 'policies',
  restorePoint: 'restorePoints',
  backup: 'backups',
} as const satisfies Record<ResourceKind, keyof Inventory>;

/** What an inventory listing streams, one page at a time. */
export interface InventorySink {
  /** Called once per page as it arrives; `done` marks the end of that resource kind's listing. */
  add(kind: ResourceKind, items: Resource[], done: boolean): void;
}

// ---------------------------------------------------------------------------------------------
// What actions ask and answer. The actions themselves (ids, targets, titles, menus) are one
// table in actions.ts.
// ---------------------------------------------------------------------------------------------

export interface PickOption {
  value: string;
  label: string;
  description?: string;
  detail?: string;
}

/**
 * A cloud's rules for tags (labels), given with a tags field so the editor can refuse a key or
 * value as it is typed, saying why, instead of changing it. The adapter checks them again.
 */
export interface TagRules {
  /** What the cloud calls them: "tag", "label". */
  noun: string;
  /** At most this many (user) tags per resource. */
  max: number;
  /** True when keys differing only in case are the same key (Azure tag names). */
  caseInsensitiveKeys?: boolean;
  /** Why a key is refused, or undefined when the cloud accepts it. */
  checkKey(key: string): string | undefined;
  /** Why a value is refused, or undefined when the cloud accepts it. */
  checkValue(value: string, key: string): string | undefined;
}

/**
 * Ask a field only when an earlier field's answer is one of `in` (a KMS key only for an
 * encrypted copy, IOPS only for volume types that take them). Unasked fields have no answer.
 */
export interface AskIf {
  field: string;
  in: readonly (string | number | boolean)[];
}

/** One question the UI asks before running an action (a quick pick or an input box). */
export type Field = (
  | {
      id: string;
      kind: 'text';
      title: string;
      prompt?: string;
      placeholder?: string;
      default?: string;
      optional?: boolean;
      /** A regular expression the answer must match (whole string), with the message when not. */
      pattern?: { source: string; message: string };
      /** A secret (a password, an API secret key): typed into a masked box, never shown or logged. */
      secret?: boolean;
    }
  | {
      id: string;
      kind: 'number';
      title: string;
      prompt?: string;
      default?: number;
      min?: number;
      max?: number;
      integer?: boolean;
      /** A rule that depends on earlier answers (IOPS per GiB of the size chosen): why not, or undefined. */
      check?: (n: number, earlier: FieldValues) => string | undefined;
    }
  | {
      id: string;
      kind: 'pick';
      title: string;
      placeholder?: string;
      options: PickOption[];
      default?: string;
    }
  | { id: string; kind: 'boolean'; title: string; yes: string; no: string; default?: boolean }
  /** Tags edited one at a time (add, change a value, remove): keys and values are kept exactly. */
  | { id: string; kind: 'tags'; title: string; prompt?: string; default?: Tag[]; rules: TagRules }
) & { askIf?: AskIf };

export type FieldValue = string | number | boolean | Tag[];
export type FieldValues = Record<string, FieldValue>;

/** A modal confirmation naming what will be lost or replaced. */
export interface Confirmation {
  message: string;
  detail: string;
  /** The label of the button that goes ahead, e.g. "Delete Snapshot". */
  button: string;
  /**
   * The label of the button that keeps things as they are (e.g. "Keep Snapshot"). The UI makes it
   * the default so Enter never runs the destructive action; "Cancel" when absent.
   */
  keep?: string;
  /**
   * A snapshot this action deletes: the UI adds what deleting it frees and moves, in bytes, from
   * the snapshot chain (the figures the chain panel shows).
   */
  deletesSnapshotId?: string;
}

/** How the UI writes values inside confirmations: dates in the user's locale. */
export interface Formats {
  /** An ISO-8601 time as the user reads dates ("3 Dec 2026, 09:30"); the text as is when unreadable. */
  date(iso: string): string;
}

/** What the adapter wants before an action runs. */
export interface ActionPlan {
  /** The cloud's own name for the action, shown in the prompts (e.g. "Replace Root Volume"). */
  title?: string;
  /** When set the action must not run; the message says why (e.g. the AMIs using a snapshot). */
  refusal?: string;
  fields: Field[];
  /**
   * Asked after the fields are answered (so it can name what was chosen); `undefined` when the
   * action needs no confirmation.
   */
  confirm?: (values: FieldValues, formats?: Formats) => Confirmation | undefined;
}

/** A long-running operation the tracker should follow. Plain data: it is journaled. */
export interface OperationStart {
  /** Adapter-defined kind used by `pollOperation` (e.g. "snapshot", "volume", "image"). */
  kind: string;
  /** Shown in the status bar and notifications, e.g. `Snapshot of data-disk (vol-0a1)`. */
  title: string;
  /** The leaf scope to poll in. */
  scopeId: string;
  /** The cloud id of what to poll. */
  resourceId: string;
  /** The resource to reveal when done (defaults to resourceId). */
  revealId?: string;
  /** Leaf scopes whose inventory to refresh when the operation ends. */
  refreshScopeIds: string[];
  /**
   * The adapter's own resume data, opaque to the rest (e.g. a serialized SDK poller, or the steps
   * of a multi-step operation). Plain text, journaled: never a secret.
   */
  data?: string;
}

/** What an action returns: operations to track, and/or a message when it completed at once. */
export interface ActionResult {
  operations: OperationStart[];
  /** Shown when the action completed synchronously (tags edited, snapshot deleted…). */
  message?: string;
  /** Leaf scopes to refresh right away. */
  refreshScopeIds: string[];
  /**
   * Text the UI puts on the clipboard when the action completes (an export URL). It may be a
   * secret: the UI never logs it or shows it, only `label` (e.g. "Export URL").
   */
  clipboard?: { text: string; label: string };
}

export interface OperationStatus {
  done: boolean;
  failed?: boolean;
  /**
   * With `done` and `failed`: polling could not decide how it ended (model/polls.ts); the cloud
   * operation may have succeeded. The tracker stops following it rather than announce a failure.
   */
  undecided?: boolean;
  /** 0–100 when the cloud reports it. */
  progress?: number;
  /** The cloud's state word or error message. */
  message?: string;
}

/** A tracked operation, as journaled. */
export interface OperationRecord extends OperationStart {
  id: string;
  accountId: string;
  startedAt: number;
  progress?: number;
}
