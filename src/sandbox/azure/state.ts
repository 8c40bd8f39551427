/**
 * The Azure sandbox state: tenant, subscriptions, resource groups and the Microsoft.Compute
 * resources (disks, snapshots, VMs, images, galleries, disk encryption sets), long-running
 * operations and SAS grants, on top of the cloud-neutral block model. Wire-neutral: wire.ts
 * turns ARM requests into these operations and records into ARM's JSON.
 *
 * Time-driven states (provisioningState, completionPercent, PowerState, operation status) are
 * computed from timestamps when read; nothing runs on a timer.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BLOCKS_PER_GIB, BLOCK_SIZE, BlockStore, type BlockStoreJson, type DeleteImpact } from '../blocks';
import { GIB, StateKit, transferMs } from '../state-kit';
import {
  ArmError,
  badRequest,
  checkName,
  invalidParameter,
  notAllowed,
  resourceGroupNotFound,
  resourceNotFound,
  subscriptionNotFound,
} from './errors';
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
  type HyperVGeneration,
  type ImageRecord,
  type OperationRecord,
  type OperationStatus,
  type OsType,
  type ResourceGroupRecord,
  type SnapshotRecord,
  type SubscriptionRecord,
  type Tags,
  type TenantRecord,
  type VmRecord,
} from './records';

export * from './records';

/** How long-running operations answer (see wire.ts). */
export type LroStyle = 'default' | 'azure-async-operation' | 'location' | 'provisioning-state';
export const LRO_STYLES: readonly LroStyle[] = ['default', 'azure-async-operation', 'location', 'provisioning-state'];

export const SANDBOX_TENANT_ID = '5a9d1c3e-7f2b-4e8a-9c61-0d4b8e2f7a10';
export const DEV_SUBSCRIPTION_ID = '3f2c8b1a-6d4e-4a7b-9e05-1c2d3e4f5a60';
export const PROD_SUBSCRIPTION_ID = '8e7d6c5b-4a39-4281-b7f6-0a1b2c3d4e5f';

/** The resource types of Microsoft.Compute the sandbox serves, in ARM's casing. */
export type ComputeType = 'disks' | 'snapshots' | 'virtualMachines' | 'images' | 'galleries' | 'diskEncryptionSets';
export const COMPUTE_TYPES: readonly ComputeType[] = ['disks', 'snapshots', 'virtualMachines', 'images', 'galleries', 'diskEncryptionSets'];

export interface AzureSettings {
  /** Items per list page (nextLink after that many). */
  pageSize: number;
  /** LRO style per operationId; "*" applies to all the others. */
  lroStyles: Record<string, LroStyle>;
}

export interface AzureStateJson {
  version: 1;
  tenant: TenantRecord;
  subscriptions: SubscriptionRecord[];
  resourceGroups: ResourceGroupRecord[];
  disks: DiskRecord[];
  snapshots: SnapshotRecord[];
  vms: VmRecord[];
  images: ImageRecord[];
  galleries: GalleryRecord[];
  galleryImages: GalleryImageRecord[];
  galleryImageVersions: GalleryImageVersionRecord[];
  diskEncryptionSets: DiskEncryptionSetRecord[];
  operations: OperationRecord[];
  grants: AccessGrant[];
  settings: AzureSettings;
  nextSeq: number;
  blocks: BlockStoreJson;
}

export interface AzureStateOptions {
  timing?: Partial<AzureTiming>;
  now?: () => number;
  pageSize?: number;
}

export interface AzureCounts {
  subscriptionId: string;
  displayName: string;
  resourceGroups: number;
  disks: number;
  snapshots: number;
  virtualMachines: number;
  images: number;
}

/** Parts of a Compute resource id. */
export interface ParsedId {
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  name: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/([^/]+)\/([^/]+)$/i;

export function parseId(id: string): ParsedId | undefined {
  const m = ID.exec(id.trim());
  return m ? { subscriptionId: m[1], resourceGroup: m[2], type: m[3], name: m[4] } : undefined;
}

export function computeId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/${type}/${name}`;
}

/** A GUID derived from a text (seeded estates stay the same run after run). */
export function guidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}


export interface DiskInput {
  location?: string;
  tags?: Tags;
  sizeGB?: number;
  skuName?: string;
  zones?: string[];
  osType?: OsType;
  hyperVGeneration?: HyperVGeneration;
  encryption?: { type?: string; diskEncryptionSetId?: string };
  creationData?: { createOption?: string; sourceResourceId?: string };
}

export interface SnapshotInput {
  location?: string;
  tags?: Tags;
  incremental?: boolean;
  skuName?: string;
  encryption?: { type?: string; diskEncryptionSetId?: string };
  creationData?: { createOption?: string; sourceResourceId?: string };
}

/** What a create-or-update did: the record, whether it is new, and its operation. */
export interface Change<T> {
  record: T;
  created: boolean;
  operation: OperationRecord;
}

export class AzureState extends StateKit {
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

  // ---- lookups -------------------------------------------------------------------------------

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

  // ---- computed states -----------------------------------------------------------------------

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

  // ---- operations ----------------------------------------------------------------------------

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
      op.error = { status: 500, code: 'InternalOperationError', message: 'The sandbox failed this operation on purpose (fault injection).' };
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

  /** A completed (instant) operation, e.g. for an update that changes nothing. */
  instantOperation(name: string, record: BaseRecord, method: string): OperationRecord {
    return this.startOperation({ name, subscriptionId: record.subscriptionId, location: record.location, method, resourceId: record.id, durationMs: 0 });
  }

  // ---- disks ---------------------------------------------------------------------------------

  putDisk(subscriptionId: string, resourceGroup: string, name: string, input: DiskInput, fail = false): Change<DiskRecord> {
    checkName('disks', name);
    const rg = this.group(subscriptionId, resourceGroup);
    const id = computeId(rg.subscriptionId, rg.name, 'disks', name);
    const existing = this.disks.get(id.toLowerCase());
    if (existing) {
      return this.updateDisk(existing, input, fail, 'Disks_CreateOrUpdate', 'PUT');
    }
    const loc = this.location(input.location, 'disks');
    const creation = input.creationData ?? {};
    const createOption = creation.createOption ?? '';
    const uniqueId = randomUUID();
    let sizeGB = input.sizeGB;
    let osType = input.osType;
    let hyperVGeneration = input.hyperVGeneration;
    let source: { id: string; uniqueId: string } | undefined;
    let fromSnapshot: SnapshotRecord | undefined;
    let fromDisk: DiskRecord | undefined;
    if (/^empty$/i.test(createOption)) {
      if (sizeGB === undefined) {
        throw invalidParameter("Required parameter 'diskSizeGB' is missing (null).", 'diskSizeGB');
      }
    } else if (/^copy$/i.test(createOption)) {
      const sourceId = creation.sourceResourceId;
      if (!sourceId) {
        throw invalidParameter("Required parameter 'creationData.sourceResourceId' is missing (null).", 'creationData.sourceResourceId');
      }
      const parsed = parseId(sourceId);
      if (parsed?.type.toLowerCase() === 'snapshots') {
        fromSnapshot = this.snapshot(sourceId);
        if (this.copyInProgress(fromSnapshot)) {
          throw notAllowed(`The snapshot '${fromSnapshot.name}' is still being copied (completionPercent < 100); a disk cannot be created from it yet.`);
        }
      } else if (parsed?.type.toLowerCase() === 'disks') {
        fromDisk = this.disk(sourceId);
      } else {
        throw invalidParameter(`'${sourceId}' is neither a disk nor a snapshot.`, 'creationData.sourceResourceId');
      }
      const src = (fromSnapshot ?? fromDisk) as SnapshotRecord | DiskRecord;
      if (src.location !== loc.name) {
        throw badRequest(
          `The source resource '${src.id}' is in location '${src.location}', but the disk is being created in '${loc.name}'. ` +
            'A disk must be created in the location of its source.',
          'creationData.sourceResourceId',
        );
      }
      if (sizeGB !== undefined && sizeGB < src.sizeGB) {
        throw badRequest(
          `The specified disk size ${sizeGB} GB is smaller than the size of the corresponding source ${src.sizeGB} GB.`,
          'diskSizeGB',
        );
      }
      sizeGB = sizeGB ?? src.sizeGB;
      osType = osType ?? src.osType;
      hyperVGeneration = hyperVGeneration ?? src.hyperVGeneration;
      source = { id: src.id, uniqueId: src.uniqueId };
    } else {
      throw invalidParameter(
        `The value '${createOption}' of parameter 'creationData.createOption' is not supported by the sandbox (Empty or Copy).`,
        'creationData.createOption',
      );
    }
    if (!Number.isInteger(sizeGB) || (sizeGB as number) < 1 || (sizeGB as number) > 65536) {
      throw invalidParameter(`The value '${String(sizeGB)}' of parameter 'diskSizeGB' is out of range (1–65536).`, 'diskSizeGB');
    }
    const encryption = this.encryption(input.encryption, loc.name);
    const now = this.now();
    const duration = this.timing.operationMs;
    const record: DiskRecord = {
      id,
      name,
      subscriptionId: rg.subscriptionId,
      resourceGroup: rg.name,
      location: loc.name,
      tags: { ...input.tags },
      createdAt: now,
      readyAt: now + duration,
      seq: this.seq(),
      uniqueId,
      sizeGB: sizeGB as number,
      skuName: this.diskSku(input.skuName ?? 'Standard_LRS'),
      zones: input.zones && input.zones.length > 0 ? [...input.zones] : undefined,
      osType,
      hyperVGeneration: hyperVGeneration ?? (osType ? 'V1' : undefined),
      encryption,
      creationData: source
        ? { createOption: 'Copy', sourceResourceId: source.id, sourceUniqueId: source.uniqueId }
        : { createOption: 'Empty' },
      familyId: randomUUID(),
      timeCreatedAt: now,
      failed: fail ? { code: 'InternalOperationError', message: 'The sandbox failed this operation on purpose (fault injection).' } : undefined,
    };
    this.createDiskBlocks(record, fromSnapshot, fromDisk);
    this.disks.set(id.toLowerCase(), record);
    const operation = this.startOperation({
      name: 'Disks_CreateOrUpdate',
      subscriptionId: record.subscriptionId,
      location: record.location,
      method: 'PUT',
      resourceId: id,
      durationMs: duration,
      fail,
    });
    return { record, created: true, operation };
  }

  /** PATCH (or PUT of an existing disk): tags, sku, a larger size. */
  updateDisk(disk: DiskRecord, input: DiskInput, fail: boolean, name: string, method: string): Change<DiskRecord> {
    const option = input.creationData?.createOption;
    if (option !== undefined && option.toLowerCase() !== disk.creationData.createOption.toLowerCase()) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'creationData.createOption' is not allowed.", 'creationData.createOption');
    }
    if (input.location !== undefined && findLocation(input.location)?.name !== disk.location) {
      throw new ArmError(409, 'InvalidResourceLocation', `The resource '${disk.name}' already exists in location '${disk.location}'. A resource with the same name cannot be created in location '${input.location}'.`);
    }
    if (input.sizeGB !== undefined && input.sizeGB < disk.sizeGB) {
      throw badRequest(`Disk size can only be increased: the disk '${disk.name}' is ${disk.sizeGB} GB.`, 'diskSizeGB');
    }
    const operation = this.startOperation({
      name,
      subscriptionId: disk.subscriptionId,
      location: disk.location,
      method,
      resourceId: disk.id,
      durationMs: this.timing.operationMs,
      fail,
    });
    if (!fail) {
      if (input.tags) {
        disk.tags = { ...input.tags };
      }
      if (input.skuName) {
        disk.skuName = this.diskSku(input.skuName);
      }
      if (input.sizeGB !== undefined && input.sizeGB > disk.sizeGB) {
        disk.sizeGB = input.sizeGB;
        this.blocks.resizeDisk(disk.uniqueId, disk.sizeGB * BLOCKS_PER_GIB);
      }
      if (input.encryption) {
        disk.encryption = this.encryption(input.encryption, disk.location);
      }
      disk.updating = true;
      disk.readyAt = operation.endAt;
    }
    return { record: disk, created: false, operation };
  }

  deleteDisk(disk: DiskRecord, fail = false): OperationRecord {
    if (disk.managedBy) {
      throw notAllowed(`Disk ${disk.name} is attached to VM ${disk.managedBy}.`);
    }
    if (this.activeGrant(disk.id)) {
      throw notAllowed(`Disk ${disk.name} has an active SAS URI (diskState ActiveSAS). Call endGetAccess before deleting it.`);
    }
    const op = this.startOperation({
      name: 'Disks_Delete',
      subscriptionId: disk.subscriptionId,
      location: disk.location,
      method: 'DELETE',
      resourceId: disk.id,
      durationMs: this.timing.operationMs,
      fail,
    });
    if (!fail) {
      this.disks.delete(disk.id.toLowerCase());
      this.blocks.deleteDisk(disk.uniqueId);
    }
    return op;
  }

  writeMiB(diskId: string, mib: number): number {
    const disk = this.disk(diskId);
    const written = this.blocks.writeMiB(disk.uniqueId, mib);
    this.touch();
    return written;
  }

  // ---- snapshots -----------------------------------------------------------------------------

  putSnapshot(subscriptionId: string, resourceGroup: string, name: string, input: SnapshotInput, fail = false): Change<SnapshotRecord> {
    checkName('snapshots', name);
    const rg = this.group(subscriptionId, resourceGroup);
    const id = computeId(rg.subscriptionId, rg.name, 'snapshots', name);
    const existing = this.snapshots.get(id.toLowerCase());
    if (existing) {
      return this.updateSnapshot(existing, input, fail, 'Snapshots_CreateOrUpdate', 'PUT');
    }
    const loc = this.location(input.location, 'snapshots');
    const creation = input.creationData ?? {};
    const createOption = (creation.createOption ?? '').toLowerCase();
    const sourceId = creation.sourceResourceId;
    if (createOption !== 'copy' && createOption !== 'copystart') {
      throw invalidParameter(
        `The value '${creation.createOption ?? ''}' of parameter 'creationData.createOption' is not supported by the sandbox for snapshots (Copy or CopyStart).`,
        'creationData.createOption',
      );
    }
    if (!sourceId) {
      throw invalidParameter("Required parameter 'creationData.sourceResourceId' is missing (null).", 'creationData.sourceResourceId');
    }
    const incremental = input.incremental === true;
    const parsed = parseId(sourceId);
    const sourceType = parsed?.type.toLowerCase();
    if (sourceType !== 'disks' && sourceType !== 'snapshots') {
      throw invalidParameter(`'${sourceId}' is neither a disk nor a snapshot.`, 'creationData.sourceResourceId');
    }
    const now = this.now();
    const uniqueId = randomUUID();
    const base = {
      id,
      name,
      subscriptionId: rg.subscriptionId,
      resourceGroup: rg.name,
      location: loc.name,
      tags: { ...input.tags },
      createdAt: now,
      seq: 0,
      uniqueId,
      incremental,
      skuName: this.snapshotSku(input.skuName ?? (incremental ? 'Standard_LRS' : 'Standard_LRS')),
      failed: fail ? { code: 'InternalOperationError', message: 'The sandbox failed this operation on purpose (fault injection).' } : undefined,
    };
    let record: SnapshotRecord;
    let duration: number;
    if (sourceType === 'disks') {
      if (createOption === 'copystart') {
        throw badRequest("createOption 'CopyStart' copies a snapshot to another region; its source must be a snapshot, not a disk.", 'creationData.createOption');
      }
      const disk = this.disk(sourceId);
      if (disk.location !== loc.name) {
        throw badRequest(
          `The snapshot must be created in the location of its source disk '${disk.name}' ('${disk.location}'), not '${loc.name}'.`,
          'location',
        );
      }
      const blocks = incremental ? this.blocks.snapshot(disk.uniqueId, uniqueId) : this.blocks.fullSnapshot(disk.uniqueId, uniqueId);
      duration = this.snapshotDuration(blocks.owned.size * BLOCK_SIZE);
      record = {
        ...base,
        readyAt: now + duration,
        familyId: incremental ? disk.familyId : undefined,
        sizeGB: disk.sizeGB,
        osType: disk.osType,
        hyperVGeneration: disk.hyperVGeneration,
        encryption: input.encryption ? this.encryption(input.encryption, loc.name) : { ...disk.encryption },
        creationData: { createOption: 'Copy', sourceResourceId: disk.id, sourceUniqueId: disk.uniqueId },
        sourceDiskId: disk.id,
      };
    } else {
      const source = this.snapshot(sourceId);
      if (createOption === 'copy') {
        if (source.location !== loc.name) {
          throw badRequest(
            `The source snapshot '${source.name}' is in '${source.location}'. To copy a snapshot to another region ('${loc.name}') use createOption 'CopyStart'.`,
            'creationData.createOption',
          );
        }
        if (incremental) {
          throw badRequest(
            `A snapshot copied from a snapshot within a region is a full snapshot: set 'incremental' to false (or use createOption 'CopyStart' to copy an incremental snapshot to another region).`,
            'incremental',
          );
        }
        if (this.copyInProgress(source)) {
          throw notAllowed(`The snapshot '${source.name}' is still being copied (completionPercent < 100).`);
        }
        const blocks = this.blocks.copySnapshot(source.uniqueId, uniqueId);
        duration = this.snapshotDuration(blocks.owned.size * BLOCK_SIZE);
        record = {
          ...base,
          readyAt: now + duration,
          sizeGB: source.sizeGB,
          osType: source.osType,
          hyperVGeneration: source.hyperVGeneration,
          encryption: input.encryption ? this.encryption(input.encryption, loc.name) : { ...source.encryption },
          creationData: { createOption: 'Copy', sourceResourceId: source.id, sourceUniqueId: source.uniqueId },
          sourceDiskId: source.sourceDiskId,
        };
      } else {
        record = this.copyStart(base, source, loc, incremental, input);
        duration = record.readyAt - now;
      }
    }
    record.seq = this.seq();
    this.snapshots.set(id.toLowerCase(), record);
    const operation = this.startOperation({
      name: 'Snapshots_CreateOrUpdate',
      subscriptionId: record.subscriptionId,
      location: record.location,
      method: 'PUT',
      resourceId: id,
      durationMs: duration,
      fail,
    });
    return { record, created: true, operation };
  }

  /** The rules and block accounting of a cross-region copy (createOption CopyStart). */
  private copyStart(
    base: Omit<SnapshotRecord, 'readyAt' | 'sizeGB' | 'encryption' | 'creationData'>,
    source: SnapshotRecord,
    loc: LocationInfo,
    incremental: boolean,
    input: SnapshotInput,
  ): SnapshotRecord {
    if (source.location === loc.name) {
      throw badRequest(
        `createOption 'CopyStart' copies a snapshot to another region, but the source snapshot '${source.name}' is already in '${loc.name}'. Use createOption 'Copy' within a region.`,
        'creationData.createOption',
      );
    }
    if (!source.incremental || !incremental) {
      throw badRequest(
        'Copying a snapshot to another region (createOption CopyStart) is supported only from an incremental snapshot to an incremental snapshot: ' +
          `the source '${source.name}' is ${source.incremental ? 'incremental' : 'a full snapshot'} and 'incremental' is ${String(incremental)}.`,
        'incremental',
      );
    }
    if (this.copyInProgress(source) || this.now() < source.readyAt) {
      throw notAllowed(`The source snapshot '${source.name}' is not ready yet (provisioning or being copied); try again when it has completed.`);
    }
    const family = source.familyId;
    const running = [...this.snapshots.values()].find((s) => s.familyId === family && s.copy && this.copyInProgress(s));
    if (running) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Another cross-region copy of a snapshot of the incremental snapshot family '${String(family)}' is in progress ('${running.id}', ` +
          `${String(this.completionPercent(running))}% complete). Only one copy per disk can run at a time: wait for it to reach 100% and try again.`,
      );
    }
    const copies = [...this.snapshots.values()].filter(
      (s) => s.familyId === family && s.copy && !s.copy.error && s.location === loc.name,
    );
    const sourceBlockSeq = this.blocks.getSnapshot(source.uniqueId)?.seq ?? 0;
    // Copies of a family must reach a region in creation order: the base is the latest copy there.
    let baseCopy: SnapshotRecord | undefined;
    let baseSeq = -1;
    for (const c of copies) {
      const seq = c.copySourceSeq ?? 0;
      if (seq > sourceBlockSeq) {
        throw badRequest(
          `Snapshots of an incremental family must be copied to a region in the order they were created: the newer snapshot ` +
            `copied as '${c.id}' has already been copied to '${loc.name}'.`,
          'creationData.sourceResourceId',
        );
      }
      if (seq > baseSeq) {
        baseSeq = seq;
        baseCopy = c;
      }
    }
    const blocks = this.blocks.copySnapshotIncremental(source.uniqueId, base.uniqueId, baseCopy?.uniqueId);
    const now = this.now();
    const bytes = blocks.owned.size * BLOCK_SIZE;
    const t = this.timing;
    const copyMs = transferMs(bytes, { baseMs: t.copyBaseMs, msPerGiB: t.copyMsPerGiB, maxMs: t.copyMaxMs });
    return {
      ...base,
      readyAt: now + t.operationMs,
      familyId: family,
      sizeGB: source.sizeGB,
      osType: source.osType,
      hyperVGeneration: source.hyperVGeneration,
      encryption: input.encryption ? this.encryption(input.encryption, loc.name) : { type: 'EncryptionAtRestWithPlatformKey' },
      creationData: { createOption: 'CopyStart', sourceResourceId: source.id, sourceUniqueId: source.uniqueId },
      sourceDiskId: source.sourceDiskId,
      copy: { sourceId: source.id, doneAt: now + t.operationMs + copyMs },
      copySourceSeq: sourceBlockSeq,
    };
  }

  updateSnapshot(snap: SnapshotRecord, input: SnapshotInput, fail: boolean, name: string, method: string): Change<SnapshotRecord> {
    const source = input.creationData?.sourceResourceId;
    if (source !== undefined && source.toLowerCase() !== (snap.creationData.sourceResourceId ?? '').toLowerCase()) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'creationData.sourceResourceId' is not allowed.", 'creationData.sourceResourceId');
    }
    if (input.incremental !== undefined && input.incremental !== snap.incremental) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'incremental' is not allowed.", 'incremental');
    }
    const operation = this.startOperation({
      name,
      subscriptionId: snap.subscriptionId,
      location: snap.location,
      method,
      resourceId: snap.id,
      durationMs: this.timing.operationMs,
      fail,
    });
    if (!fail) {
      if (input.tags) {
        snap.tags = { ...input.tags };
      }
      if (input.skuName) {
        snap.skuName = this.snapshotSku(input.skuName);
      }
      if (this.now() >= snap.readyAt) {
        snap.updating = true;
        snap.readyAt = operation.endAt;
      }
    }
    return { record: snap, created: false, operation };
  }

  deleteSnapshot(snap: SnapshotRecord, fail = false): OperationRecord {
    if (this.activeGrant(snap.id)) {
      throw notAllowed(`Snapshot ${snap.name} has an active SAS URI (diskState ActiveSAS). Call endGetAccess before deleting it.`);
    }
    const op = this.startOperation({
      name: 'Snapshots_Delete',
      subscriptionId: snap.subscriptionId,
      location: snap.location,
      method: 'DELETE',
      resourceId: snap.id,
      durationMs: this.timing.operationMs,
      fail,
    });
    if (!fail) {
      const now = this.now();
      for (const other of this.snapshots.values()) {
        if (other.copy && other.copy.sourceId.toLowerCase() === snap.id.toLowerCase() && this.copyInProgress(other)) {
          other.copy.error = {
            errorCode: 'CopySourceNotFound',
            errorMessage: `The source snapshot '${snap.id}' was deleted before the copy completed.`,
          };
          other.copy.failedAt = now;
        }
      }
      this.snapshots.delete(snap.id.toLowerCase());
      this.blocks.deleteSnapshot(snap.uniqueId);
    }
    return op;
  }

  storedBytes(snapshotId: string): number {
    return this.blocks.storedBytes(this.snapshot(snapshotId).uniqueId);
  }

  deleteImpact(snapshotId: string): DeleteImpact {
    const snap = this.snapshot(snapshotId);
    const impact = this.blocks.deleteImpact(snap.uniqueId);
    // Report ARM ids rather than the block model's unique ids.
    const byUnique = new Map([...this.snapshots.values()].map((s) => [s.uniqueId, s.id]));
    return {
      ...impact,
      snapshotId: snap.id,
      moved: impact.moved.map((m) => ({ ...m, snapshotId: byUnique.get(m.snapshotId) ?? m.snapshotId })),
    };
  }

  changedBlocks(firstSnapshotId: string, secondSnapshotId: string): number[] {
    return this.blocks.changedBlocks(this.snapshot(firstSnapshotId).uniqueId, this.snapshot(secondSnapshotId).uniqueId);
  }

  /** `count` completed incremental snapshots of a disk at once (benchmarks); returns their ids. */
  bulkSnapshots(diskId: string, count: number): string[] {
    if (!Number.isInteger(count) || count < 0 || count > 100000) {
      throw new TypeError('count must be a whole number between 0 and 100000');
    }
    const disk = this.disk(diskId);
    const ids: string[] = [];
    const now = this.now();
    for (let i = 0; i < count; i++) {
      const seq = this.seq();
      const name = `${disk.name}-bulk-${seq}`;
      const id = computeId(disk.subscriptionId, disk.resourceGroup, 'snapshots', name);
      const uniqueId = randomUUID();
      this.blocks.snapshot(disk.uniqueId, uniqueId);
      this.snapshots.set(id.toLowerCase(), {
        id,
        name,
        subscriptionId: disk.subscriptionId,
        resourceGroup: disk.resourceGroup,
        location: disk.location,
        tags: { bulk: 'true' },
        createdAt: now,
        readyAt: now,
        seq,
        uniqueId,
        incremental: true,
        familyId: disk.familyId,
        sizeGB: disk.sizeGB,
        skuName: 'Standard_LRS',
        osType: disk.osType,
        hyperVGeneration: disk.hyperVGeneration,
        encryption: { ...disk.encryption },
        creationData: { createOption: 'Copy', sourceResourceId: disk.id, sourceUniqueId: disk.uniqueId },
        sourceDiskId: disk.id,
      });
      ids.push(id);
    }
    this.touch();
    return ids;
  }

  // ---- access (SAS) --------------------------------------------------------------------------

  grantAccess(
    record: DiskRecord | SnapshotRecord,
    kind: 'disks' | 'snapshots',
    input: { access?: string; durationInSeconds?: number; fileFormat?: string },
    sasUrl: (grant: AccessGrant) => string,
    fail = false,
  ): OperationRecord {
    const opName = kind === 'disks' ? 'Disks_GrantAccess' : 'Snapshots_GrantAccess';
    if (input.access !== 'Read') {
      throw invalidParameter(
        `The value '${String(input.access)}' of parameter 'access' is not supported by the sandbox: only 'Read' (export) is.`,
        'access',
      );
    }
    const duration = input.durationInSeconds;
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > 5 * 24 * 3600) {
      throw invalidParameter(`The value '${String(duration)}' of parameter 'durationInSeconds' is invalid.`, 'durationInSeconds');
    }
    const format = input.fileFormat === undefined ? 'VHD' : input.fileFormat.toUpperCase();
    if (format !== 'VHD' && format !== 'VHDX') {
      throw invalidParameter(`The value '${String(input.fileFormat)}' of parameter 'fileFormat' is invalid (VHD or VHDX).`, 'fileFormat');
    }
    if (this.now() < record.readyAt) {
      throw notAllowed(`The ${kind === 'disks' ? 'disk' : 'snapshot'} '${record.name}' is still being provisioned.`);
    }
    if (kind === 'snapshots' && this.copyInProgress(record as SnapshotRecord)) {
      throw notAllowed(`The snapshot '${record.name}' is still being copied (completionPercent < 100) and cannot be exported yet.`);
    }
    if (this.activeGrant(record.id)) {
      throw notAllowed(
        `The ${kind === 'disks' ? 'disk' : 'snapshot'} '${record.name}' already has an active SAS URI (diskState ActiveSAS). Call endGetAccess first.`,
      );
    }
    if (kind === 'disks' && (record as DiskRecord).managedBy) {
      const vm = this.vms.get(((record as DiskRecord).managedBy ?? '').toLowerCase());
      if (vm && this.powerState(vm) !== 'deallocated') {
        throw notAllowed(`Disk ${record.name} is attached to a VM that is not deallocated: deallocate VM '${vm.name}' before exporting the disk.`);
      }
    }
    const now = this.now();
    const grant: AccessGrant = {
      id: randomUUID().replace(/-/g, ''),
      resourceId: record.id,
      fileFormat: format,
      grantedAt: now,
      expiresAt: now + duration * 1000,
      sig: randomBytes(24).toString('base64url'),
    };
    const output = { accessSAS: sasUrl(grant) };
    const op = this.startOperation({
      name: opName,
      subscriptionId: record.subscriptionId,
      location: record.location,
      method: 'POST',
      resourceId: record.id,
      durationMs: this.timing.operationMs,
      fail,
      output,
    });
    if (!fail) {
      this.grants.set(grant.id, grant);
    }
    return op;
  }

  revokeAccess(record: DiskRecord | SnapshotRecord, kind: 'disks' | 'snapshots', fail = false): OperationRecord {
    const op = this.startOperation({
      name: kind === 'disks' ? 'Disks_RevokeAccess' : 'Snapshots_RevokeAccess',
      subscriptionId: record.subscriptionId,
      location: record.location,
      method: 'POST',
      resourceId: record.id,
      durationMs: this.timing.operationMs,
      fail,
    });
    if (!fail) {
      const now = this.now();
      for (const grant of this.grants.values()) {
        if (grant.resourceId.toLowerCase() === record.id.toLowerCase() && grant.revokedAt === undefined) {
          grant.revokedAt = now;
        }
      }
    }
    return op;
  }

  /** The SAS grant of a blob URL, with what it exports; undefined when unknown. */
  grant(id: string): AccessGrant | undefined {
    return this.grants.get(id);
  }

  /** The block map behind a grant's resource (undefined for an empty disk). */
  exportSource(grant: AccessGrant): { sizeBytes: number; blockContent: (index: number) => number | undefined } | undefined {
    const key = grant.resourceId.toLowerCase();
    const disk = this.disks.get(key);
    const snap = this.snapshots.get(key);
    const record = disk ?? snap;
    if (!record) {
      return undefined;
    }
    const sizeBytes = record.sizeGB * GIB;
    if (disk) {
      const blocks = this.blocks.getDisk(disk.uniqueId)?.blocks;
      return { sizeBytes, blockContent: (i) => blocks?.get(i) };
    }
    const uid = (snap as SnapshotRecord).uniqueId;
    return { sizeBytes, blockContent: (i) => this.blocks.blockContent(uid, i) };
  }

  // ---- settings ------------------------------------------------------------------------------

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

  // ---- helpers -------------------------------------------------------------------------------

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
  private pruneOperations(): void {
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

  counts(): AzureCounts[] {
    return this.subscriptions.map((sub) => {
      const n = (map: Map<string, BaseRecord>) => [...map.values()].filter((r) => r.subscriptionId === sub.id).length;
      return {
        subscriptionId: sub.id,
        displayName: sub.displayName,
        resourceGroups: this.groupsOf(sub.id).length,
        disks: n(this.disks),
        snapshots: n(this.snapshots),
        virtualMachines: n(this.vms),
        images: n(this.images),
      };
    });
  }

  // ---- persistence ---------------------------------------------------------------------------

  toJSON(): AzureStateJson {
    return {
      version: 1,
      tenant: this.tenant,
      subscriptions: this.subscriptions,
      resourceGroups: [...this.resourceGroups.values()],
      disks: [...this.disks.values()],
      snapshots: [...this.snapshots.values()],
      vms: [...this.vms.values()],
      images: [...this.images.values()],
      galleries: [...this.galleries.values()],
      galleryImages: [...this.galleryImages.values()],
      galleryImageVersions: [...this.galleryImageVersions.values()],
      diskEncryptionSets: [...this.diskEncryptionSets.values()],
      operations: [...this.operations.values()],
      grants: [...this.grants.values()],
      settings: this.settings,
      nextSeq: this.nextSeq,
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: AzureStateJson, options: AzureStateOptions = {}): AzureState {
    if (json.version !== 1) {
      throw new Error(`unsupported Azure state version ${String(json.version)}`);
    }
    const state = new AzureState(options, BlockStore.fromJSON(json.blocks));
    state.tenant = json.tenant;
    state.subscriptions = json.subscriptions;
    const byId = <T extends { id: string }>(map: Map<string, T>, items: T[]) => {
      for (const item of items) {
        map.set(item.id.toLowerCase(), item);
      }
    };
    for (const rg of json.resourceGroups) {
      state.resourceGroups.set(`${rg.subscriptionId}/${rg.name}`.toLowerCase(), rg);
    }
    byId(state.disks, json.disks);
    byId(state.snapshots, json.snapshots);
    byId(state.vms, json.vms);
    byId(state.images, json.images);
    byId(state.galleries, json.galleries);
    byId(state.galleryImages, json.galleryImages);
    byId(state.galleryImageVersions, json.galleryImageVersions);
    byId(state.diskEncryptionSets, json.diskEncryptionSets);
    for (const op of json.operations) {
      state.operations.set(op.id, op);
    }
    for (const grant of json.grants) {
      state.grants.set(grant.id, grant);
    }
    state.settings = json.settings;
    state.nextSeq = json.nextSeq;
    return state;
  }
}
