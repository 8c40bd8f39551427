/**
 * The Azure sandbox state's store: tenant, subscriptions, resource groups and the Compute
 * records by id, lookups, computed (time-driven) states, long-running operations, settings, and the
 * builders the operations share. The operations are layered on top by resource: disks.ts,
 * snapshots.ts (incremental snapshots, CopyStart), access.ts (SAS grants); state.ts adds counts and
 * persistence. VMs and images are in compute.ts.
 */
import { randomUUID } from 'node:crypto';
import { BLOCKS_PER_GIB, BlockStore } from '../blocks';
import { StateKit, transferMs } from '../state-kit';
import { ArmError, badRequest, checkName, injectedFailure, invalidParameter, resourceGroupNotFound, resourceNotFound, subscriptionNotFound } from './errors';
import { findLocation, type LocationInfo } from './locations';
import {
  type AccessGrant,
  type AzureTiming,
  type BaseRecord,
  DEFAULT_AZURE_TIMING,
  type DiskEncryptionSetRecord,
  type DiskRecord,
  type Encryption,
  type GalleryImageRecord,
  type GalleryImageVersionRecord,
  type GalleryRecord,
  type ImageRecord,
  type OperationRecord,
  type OperationStatus,
  type ResourceGroupRecord,
  type SnapshotRecord,
  type SubscriptionRecord,
  type Tags,
  type TenantRecord,
  type VmRecord,
} from './records';
import { type LroStyle, LRO_STYLES, SANDBOX_TENANT_ID, type AzureSettings, type AzureStateOptions, parseId, computeId } from './refs';

/** Where a PUT lands (see `AzureStore.placeOf`). */
export interface Place<R> {
  rg: ResourceGroupRecord;
  /** The full ARM id. */
  id: string;
  name: string;
  /** The record of that id, when the PUT updates one. */
  existing: R | undefined;
}

/** The fields of a new record that `AzureStore.newRecord` fills. */
export type NewRecord = Pick<BaseRecord, 'id' | 'name' | 'subscriptionId' | 'resourceGroup' | 'location' | 'tags' | 'createdAt'>;

export abstract class AzureStore extends StateKit {
  readonly timing: AzureTiming;
  readonly blocks: BlockStore;
  tenant: TenantRecord = { id: SANDBOX_TENANT_ID, displayName: 'Snapkeeper Sandbox', defaultDomain: 'snapkeepersandbox.onmicrosoft.com' };
  subscriptions: SubscriptionRecord[] = [];
  readonly resourceGroups = new Map<string, ResourceGroupRecord>();
  readonly disks = new Map<string, DiskRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly vms = new Map<string, VmRecord>();
  readonly images = new Map<string, ImageRecord>();
  readonly galleries = new Map<string, GalleryRecord>();
  readonly galleryImages = new Map<string, GalleryImageRecord>();
  readonly galleryImageVersions = new Map<string, GalleryImageVersionRecord>();
  readonly diskEncryptionSets = new Map<string, DiskEncryptionSetRecord>();
  readonly operations = new Map<string, OperationRecord>();
  readonly grants = new Map<string, AccessGrant>();
  settings: AzureSettings;

  constructor(options: AzureStateOptions = {}, blocks?: BlockStore) {
    super(options.now);
    this.timing = { ...DEFAULT_AZURE_TIMING, ...options.timing };
    this.blocks = blocks ?? new BlockStore();
    this.settings = { pageSize: options.pageSize ?? 100, lroStyles: {} };
  }

  subscription(id: string): SubscriptionRecord {
    const sub = this.subscriptions.find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!sub) {
      throw subscriptionNotFound(id);
    }
    return sub;
  }

  group(subscriptionId: string, name: string): ResourceGroupRecord {
    const sub = this.subscription(subscriptionId);
    const rg = this.resourceGroups.get(`${sub.id}/${name}`.toLowerCase());
    if (!rg) {
      throw resourceGroupNotFound(name);
    }
    return rg;
  }

  groupsOf(subscriptionId: string): ResourceGroupRecord[] {
    const sub = this.subscription(subscriptionId);
    return [...this.resourceGroups.values()].filter((rg) => rg.subscriptionId === sub.id);
  }

  /** Creates or updates a resource group (PUT by name). */
  putGroup(subscriptionId: string, name: string, location: string, tags: Tags | undefined): { record: ResourceGroupRecord; created: boolean } {
    const sub = this.subscription(subscriptionId);
    if (!/^[-\w.()]{1,90}$/.test(name) || name.endsWith('.')) {
      throw new ArmError(400, 'InvalidResourceGroupName', `The resource group name '${name}' is invalid.`);
    }
    const existing = this.resourceGroups.get(`${sub.id}/${name}`.toLowerCase());
    if (existing) {
      if (tags) {
        existing.tags = { ...tags };
      }
      this.touch();
      return { record: existing, created: false };
    }
    const loc = this.location(location, 'resourceGroups');
    const record = { subscriptionId: sub.id, name, location: loc.name, tags: { ...tags } };
    this.resourceGroups.set(`${sub.id}/${name}`.toLowerCase(), record);
    this.touch();
    return { record, created: true };
  }

  location(name: string | undefined, type: string): LocationInfo {
    if (!name) {
      throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
    }
    const loc = findLocation(name);
    if (!loc) {
      throw new ArmError(
        400,
        'LocationNotAvailableForResourceType',
        `The provided location '${name}' is not available for resource type 'Microsoft.Compute/${type}'.`,
      );
    }
    return loc;
  }

  /** A record of one type by subscription, group and name (case-insensitive). */
  find<T extends BaseRecord>(map: Map<string, T>, type: string, subscriptionId: string, resourceGroup: string, name: string): T {
    const rg = this.group(subscriptionId, resourceGroup);
    const record = map.get(computeId(rg.subscriptionId, rg.name, type, name).toLowerCase());
    if (!record) {
      throw resourceNotFound(type, name, resourceGroup);
    }
    return record;
  }

  /** The records of one type in a subscription (and resource group), in creation order. */
  list<T extends BaseRecord>(map: Map<string, T>, subscriptionId: string, resourceGroup?: string): T[] {
    const sub = this.subscription(subscriptionId);
    const rg = resourceGroup === undefined ? undefined : this.group(sub.id, resourceGroup);
    const result: T[] = [];
    for (const record of map.values()) {
      if (record.subscriptionId === sub.id && (!rg || record.resourceGroup.toLowerCase() === rg.name.toLowerCase())) {
        result.push(record);
      }
    }
    return result.sort((a, b) => a.seq - b.seq);
  }

  /** A disk or snapshot by full id (the source of a copy, an image, …). */
  byId<T extends BaseRecord>(map: Map<string, T>, id: string, type: string, target: string): T {
    const parsed = parseId(id);
    if (!parsed || parsed.type.toLowerCase() !== type.toLowerCase()) {
      throw invalidParameter(`'${id}' is not a valid ${type} resource id.`, target);
    }
    return this.find(map, type, parsed.subscriptionId, parsed.resourceGroup, parsed.name);
  }

  disk(id: string): DiskRecord {
    return this.byId(this.disks, id, 'disks', 'diskId');
  }

  snapshot(id: string): SnapshotRecord {
    return this.byId(this.snapshots, id, 'snapshots', 'snapshotId');
  }

  provisioningState(record: BaseRecord): string {
    if (this.now() < record.readyAt) {
      return record.updating ? 'Updating' : 'Creating';
    }
    return record.failed ? 'Failed' : 'Succeeded';
  }

  activeGrant(resourceId: string): AccessGrant | undefined {
    const now = this.now();
    const key = resourceId.toLowerCase();
    for (const grant of this.grants.values()) {
      if (grant.resourceId.toLowerCase() === key && grant.revokedAt === undefined && now < grant.expiresAt) {
        return grant;
      }
    }
    return undefined;
  }

  diskState(disk: DiskRecord): string {
    if (this.activeGrant(disk.id)) {
      return 'ActiveSAS';
    }
    if (disk.managedBy) {
      const vm = this.vms.get(disk.managedBy.toLowerCase());
      return vm && this.powerState(vm) === 'deallocated' ? 'Reserved' : 'Attached';
    }
    return 'Unattached';
  }

  snapshotState(snap: SnapshotRecord): string {
    return this.activeGrant(snap.id) ? 'ActiveSAS' : 'Unattached';
  }

  /** 0–100 for a CopyStart snapshot, undefined for others. */
  completionPercent(snap: SnapshotRecord): number | undefined {
    const copy = snap.copy;
    if (!copy) {
      return undefined;
    }
    const end = copy.failedAt ?? this.now();
    if (end >= copy.doneAt && !copy.error) {
      return 100;
    }
    const total = Math.max(1, copy.doneAt - snap.createdAt);
    return Math.min(99, Math.max(0, Math.floor(((end - snap.createdAt) / total) * 100)));
  }

  copyInProgress(snap: SnapshotRecord): boolean {
    return snap.copy !== undefined && !snap.copy.error && this.now() < snap.copy.doneAt;
  }

  powerState(vm: VmRecord): string {
    const t = vm.transition;
    if (t && this.now() < t.endAt) {
      return t.to === 'running' ? 'starting' : t.to === 'deallocated' ? 'deallocating' : 'stopping';
    }
    return vm.power;
  }

  operationStatus(op: OperationRecord): OperationStatus {
    if (this.now() < op.endAt) {
      return 'InProgress';
    }
    return op.error ? 'Failed' : 'Succeeded';
  }

  startOperation(spec: {
    name: string;
    subscriptionId: string;
    location: string;
    provider?: 'disk' | 'compute';
    method: string;
    resourceId?: string;
    durationMs: number;
    fail?: boolean;
    output?: unknown;
  }): OperationRecord {
    const now = this.now();
    const op: OperationRecord = {
      id: randomUUID(),
      name: spec.name,
      subscriptionId: spec.subscriptionId,
      location: spec.location,
      provider: spec.provider ?? 'disk',
      method: spec.method,
      resourceId: spec.resourceId,
      startAt: now,
      endAt: now + Math.max(0, spec.durationMs),
      output: spec.output,
    };
    if (spec.fail) {
      op.error = { status: 500, ...injectedFailure() };
    }
    this.operations.set(op.id, op);
    this.pruneOperations();
    this.touch();
    return op;
  }

  operation(subscriptionId: string, id: string): OperationRecord {
    const op = this.operations.get(id.toLowerCase()) ?? this.operations.get(id);
    if (!op || op.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      throw new ArmError(404, 'NotFound', `The operation '${id}' was not found.`);
    }
    return op;
  }

  /**
   * An operation on `record` (in its subscription and location, with its id), lasting
   * `timing.operationMs` unless `more.durationMs` says otherwise.
   */
  operationOn(
    record: Pick<BaseRecord, 'id' | 'subscriptionId' | 'location'>,
    name: string,
    method: string,
    more: { durationMs?: number; fail?: boolean; provider?: 'disk' | 'compute'; output?: unknown } = {},
  ): OperationRecord {
    return this.startOperation({
      name,
      subscriptionId: record.subscriptionId,
      location: record.location,
      provider: more.provider,
      method,
      resourceId: record.id,
      durationMs: more.durationMs ?? this.timing.operationMs,
      fail: more.fail,
      output: more.output,
    });
  }

  /** A completed (instant) operation, e.g. for an update that changes nothing. */
  instantOperation(name: string, record: BaseRecord, method: string): OperationRecord {
    return this.operationOn(record, name, method, { durationMs: 0 });
  }

  /**
   * Where a PUT of `type` named `name` lands: the name checked, the resource group (which must
   * exist), the full id, and the record of that id in `records` when there is one (an update).
   */
  placeOf<R>(records: ReadonlyMap<string, R>, type: string, subscriptionId: string, resourceGroup: string, name: string): Place<R> {
    checkName(type, name);
    const rg = this.group(subscriptionId, resourceGroup);
    const id = computeId(rg.subscriptionId, rg.name, type, name);
    return { rg, id, name, existing: records.get(id.toLowerCase()) };
  }

  /** The fields a new record at `place` starts with: id, name, group, location, a copy of `tags`, created `now`. */
  newRecord(place: Place<unknown>, location: string, tags: Tags | undefined, now: number): NewRecord {
    const { rg, id, name } = place;
    return { id, name, subscriptionId: rg.subscriptionId, resourceGroup: rg.name, location, tags: { ...tags }, createdAt: now };
  }

  setLroStyle(style: LroStyle, operation?: string): void {
    if (!LRO_STYLES.includes(style)) {
      throw new TypeError(`unknown LRO style "${String(style)}" (one of ${LRO_STYLES.join(', ')})`);
    }
    if (operation === undefined) {
      this.settings.lroStyles = style === 'default' ? {} : { '*': style };
    } else {
      this.settings.lroStyles[operation] = style;
    }
    this.touch();
  }

  lroStyle(operation: string): LroStyle {
    return this.settings.lroStyles[operation] ?? this.settings.lroStyles['*'] ?? 'default';
  }

  setPageSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > 10000) {
      throw new TypeError('pageSize must be a whole number between 1 and 10000');
    }
    this.settings.pageSize = size;
    this.touch();
  }

  encryption(input: { type?: string; diskEncryptionSetId?: string } | undefined, location: string): Encryption {
    if (!input || (!input.diskEncryptionSetId && (!input.type || input.type === 'EncryptionAtRestWithPlatformKey'))) {
      return { type: 'EncryptionAtRestWithPlatformKey' };
    }
    if (!input.diskEncryptionSetId) {
      throw badRequest(`Encryption type '${String(input.type)}' needs a diskEncryptionSetId.`, 'encryption.diskEncryptionSetId');
    }
    const des = this.byId(this.diskEncryptionSets, input.diskEncryptionSetId, 'diskEncryptionSets', 'encryption.diskEncryptionSetId');
    if (des.location !== location) {
      throw badRequest(`The disk encryption set '${des.name}' is in '${des.location}', not '${location}'.`, 'encryption.diskEncryptionSetId');
    }
    const type = (input.type as Encryption['type'] | undefined) ?? des.encryptionType;
    return { type, diskEncryptionSetId: des.id };
  }

  diskSku(name: string): string {
    const known = ['Standard_LRS', 'Premium_LRS', 'StandardSSD_LRS', 'UltraSSD_LRS', 'Premium_ZRS', 'StandardSSD_ZRS', 'PremiumV2_LRS'];
    const match = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!match) {
      throw invalidParameter(`The value '${name}' of parameter 'sku.name' is invalid.`, 'sku.name');
    }
    return match;
  }

  snapshotSku(name: string): string {
    const known = ['Standard_LRS', 'Premium_LRS', 'Standard_ZRS'];
    const match = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!match) {
      throw invalidParameter(`The value '${name}' of parameter 'sku.name' is invalid for snapshots (Standard_LRS, Premium_LRS, Standard_ZRS).`, 'sku.name');
    }
    return match;
  }

  snapshotDuration(storedBytes: number): number {
    const t = this.timing;
    return transferMs(storedBytes, { baseMs: t.snapshotBaseMs, msPerGiB: t.snapshotMsPerGiB, maxMs: t.snapshotMaxMs });
  }

  /** The block-model disk of a new disk: empty, or a copy of a snapshot or disk (own lineage). */
  createDiskBlocks(record: DiskRecord, fromSnapshot?: SnapshotRecord, fromDisk?: DiskRecord): void {
    const sizeBlocks = record.sizeGB * BLOCKS_PER_GIB;
    if (fromSnapshot) {
      this.blocks.createDisk(record.uniqueId, sizeBlocks, fromSnapshot.uniqueId);
    } else if (fromDisk) {
      const temporary = `copy-of-${record.uniqueId}`;
      this.blocks.fullSnapshot(fromDisk.uniqueId, temporary);
      this.blocks.createDisk(record.uniqueId, sizeBlocks, temporary);
      this.blocks.deleteSnapshot(temporary);
    } else {
      this.blocks.createDisk(record.uniqueId, sizeBlocks);
    }
    // An Azure disk is an independent copy: its first incremental snapshot stores all its data.
    const blocks = this.blocks.getDisk(record.uniqueId);
    if (blocks) {
      blocks.lineageParent = undefined;
      blocks.lineageId = `azure-disk-${record.uniqueId}`;
    }
  }

  /** Keeps the operation table bounded (old finished operations go first). */
  protected pruneOperations(): void {
    const limit = 5000;
    if (this.operations.size <= limit) {
      return;
    }
    const now = this.now();
    for (const [id, op] of this.operations) {
      if (this.operations.size <= limit * 0.8) {
        break;
      }
      if (op.endAt < now - 3600_000) {
        this.operations.delete(id);
      }
    }
  }
}
