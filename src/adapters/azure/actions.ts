/**
 * Running the actions (`execute`). Creates are PUT by name — ARM's idempotency key: a name
 * already taken is refused before the PUT, unless the resource is one this account made from the
 * same source a moment ago (a retried action adopts it); after an ambiguous failure (connection
 * dropped, 5xx after the SDK's retries) the adapter looks the name up and adopts what its own
 * PUT made. Long operations are started and handed to the tracker (operations.ts).
 */
import { bool, num, pick, requiredText, text } from '../../model/answers';
import { randomUUID } from 'node:crypto';
import type { Disk as ArmDisk, Encryption, Image as ArmImage, OperatingSystemStateTypes, OperatingSystemTypes, Snapshot as ArmSnapshot } from '@azure/arm-compute';
import type { RelatedResources } from '../../model/adapter';
import { CloudError, isCloudError } from '../../model/errors';
import type { ActionId } from '../../model/actions';
import type { ActionResult, FieldValues, OperationStart, Resource, Tag } from '../../model/types';
import { exportKey, type AzureCore } from './core';
import { isAmbiguous } from './errors';
import { armId, leafScopeId, parseArmId, sameId, splitScopeId } from './ids';
import { isExportOpen, label, type AzureDisk, type AzureImage, type AzureSnapshot, type AzureVm } from './map';
import { checkName, isInternalTag, stamp, tagsValue, toArmTags, validName } from './names';
import { lroOperation, startLro, type Started } from './operations';
import { actionsFor, DISK_SKUS, deleteBlocker, EXPORT_DURATIONS, refusalFor, SNAPSHOT_SKUS } from './plans';
import type { RestoreData } from './restore';
import { formatDate } from '../../model/units';
import { simulateWrites } from './sandbox';

/** Tags every create carries: who made it (adopt on retry) and a token for this attempt. */
export const CREATED_BY_TAG = 'snapkeeper:created-by';
export const CREATE_TOKEN_TAG = 'snapkeeper:create-token';
/** A resource of ours with the same source younger than this is adopted by a retried action. */
const ADOPT_WINDOW_MS = 15 * 60_000;
/** PUTs a create sends at most (after an ambiguous failure that made nothing); lookups tried per check. */
const CREATE_ATTEMPTS = 3;
const LOOKUP_TRIES = 3;

function az<T extends { az: unknown }>(r: Resource): T['az'] {
  const f = (r as unknown as T).az;
  if (!f) {
    throw new CloudError('invalid', `${label(r)} was not listed by the Azure adapter; refresh and try again`);
  }
  return f;
}

/** The encryption of a new disk/snapshot from the pick: 'source', 'platform' or a DES id. */
export function encryptionOf(choice: string | undefined, source: { encryptionType?: string; diskEncryptionSetId?: string }): Encryption | undefined {
  if (!choice || choice === 'source') {
    return source.diskEncryptionSetId ? { type: source.encryptionType ?? 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: source.diskEncryptionSetId } : undefined;
  }
  if (choice === 'platform') {
    return { type: 'EncryptionAtRestWithPlatformKey' };
  }
  if (parseArmId(choice)?.type.toLowerCase() !== 'diskencryptionsets') {
    throw new CloudError('invalid', `"${choice}" is not a disk encryption set`);
  }
  return { type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: choice };
}

interface Existing {
  id?: string;
  tags?: Record<string, string>;
  creationData?: { sourceResourceId?: string };
  timeCreated?: Date;
  sourceVirtualMachine?: { id?: string };
  storageProfile?: { osDisk?: { snapshot?: { id?: string } } };
}

/**
 * The cloud says the resource is not there: it, or its resource group, does not exist. A
 * subscription these credentials cannot see (SubscriptionNotFound) says nothing about the
 * resource.
 */
function saysGone(e: unknown): e is CloudError {
  return isCloudError(e) && e.kind === 'notFound' && e.code?.toLowerCase() !== 'subscriptionnotfound';
}

/** Looks a name up; undefined when there is none. */
async function lookup<T extends Existing>(core: AzureCore, get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await core.call(get);
  } catch (e) {
    if (saysGone(e)) {
      return undefined;
    }
    throw e;
  }
}

function sourceOf(x: Existing): string | undefined {
  return x.creationData?.sourceResourceId ?? x.sourceVirtualMachine?.id ?? x.storageProfile?.osDisk?.snapshot?.id;
}

export interface CreateSpec {
  core: AzureCore;
  /** e.g. "snapshot". */
  what: string;
  sub: string;
  rg: string;
  name: string;
  /** The id the source resource has (adoption compares it). */
  sourceId: string;
  get: () => Promise<Existing>;
  /** Starts the PUT (with the given tags merged in). */
  put: (tags: Record<string, string>) => { submitted(): Promise<void>; serialize(): Promise<string>; readonly isDone: boolean; readonly operationState: unknown };
  tags: Record<string, string>;
}

/** A create by name, adopting a retried one and refusing a name already in use. Returns the op's `data`. */
export async function createByName(spec: CreateSpec): Promise<{ id: string; data: string; adopted: boolean }> {
  const { core } = spec;
  const id = armId(spec.sub, spec.rg, `${spec.what === 'image' ? 'images' : spec.what === 'disk' ? 'disks' : 'snapshots'}`, spec.name);
  const ours = (x: Existing): boolean =>
    x.tags?.[CREATED_BY_TAG] === core.account.id && sameId(sourceOf(x), spec.sourceId);
  const existing = await lookup(core, spec.get);
  if (existing) {
    const young = !existing.timeCreated || Date.now() - existing.timeCreated.getTime() < ADOPT_WINDOW_MS;
    if (ours(existing) && young) {
      core.log(`Azure: ${spec.what} ${spec.name} already exists from an earlier attempt of this action; following it`);
      return { id: existing.id ?? id, data: JSON.stringify({ sub: spec.sub, then: 'resource' }), adopted: true };
    }
    throw new CloudError('invalid', `A ${spec.what} named "${spec.name}" already exists in resource group ${spec.rg}. Choose another name.`, { code: 'NameInUse' });
  }
  const token = randomUUID();
  const tags = { ...spec.tags, [CREATED_BY_TAG]: core.account.id, [CREATE_TOKEN_TAG]: token };
  return sendByName<{ id: string; data: string; adopted: boolean }>(
    core,
    `${spec.what} ${spec.name}`,
    async () => {
      const started = await startLro(core, spec.sub, spec.put(tags) as never, 'resource');
      return { id, data: JSON.stringify(started.data), adopted: false };
    },
    spec.get,
    (after, err) => {
      if (after && after.tags?.[CREATE_TOKEN_TAG] === token) {
        core.log(`Azure: ${spec.what} ${spec.name} was created before the failure (${err.display}); following it`);
        return { id: after.id ?? id, data: JSON.stringify({ sub: spec.sub, then: 'resource' }), adopted: true };
      }
      if (after) {
        // The name is taken by something this PUT did not make.
        throw err;
      }
      // Nothing was made: the same PUT again (by name, with the same token: it can only make one).
      return undefined;
    },
  );
}

/**
 * Sends a request addressed by name (a PUT or a DELETE; ARM makes both idempotent). After an
 * ambiguous failure (connection dropped, 5xx after the SDK's retries, a truncated answer) it looks
 * the name up to learn what the request did: `settle` turns what it found into the outcome, or
 * answers undefined when the request evidently did nothing, and the same request is sent again,
 * up to CREATE_ATTEMPTS times. A clear failure, a look that keeps failing (the failure stands:
 * without an answer nothing is known) and the last attempt's failure are thrown.
 */
async function sendByName<T>(
  core: AzureCore,
  what: string,
  send: () => Promise<T>,
  get: () => Promise<Existing>,
  settle: (found: Existing | undefined, err: CloudError) => T | undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const err = isCloudError(e) ? e : core.translate(e);
      if (!isAmbiguous(err)) {
        throw err;
      }
      let found: Existing | undefined;
      try {
        found = await retried(LOOKUP_TRIES, () => lookup(core, get));
      } catch {
        throw err;
      }
      const outcome = settle(found, err);
      if (outcome !== undefined) {
        return outcome;
      }
      if (attempt >= CREATE_ATTEMPTS) {
        throw err;
      }
      core.log(`Azure: ${what}: attempt ${attempt} failed (${err.display}); sending it again`);
    }
  }
}

/** Runs `fn` up to `tries` times while it fails; rethrows the last failure. */
async function retried<T>(tries: number, fn: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (e) {
      if (n >= tries) {
        throw e;
      }
    }
  }
}

function op(title: string, scopeId: string, resourceId: string, data: string, refresh: string[] = [scopeId], kind = 'lro'): OperationStart {
  return { kind, title, scopeId, resourceId, refreshScopeIds: [...new Set(refresh)], data };
}

function userTags(values: FieldValues): Record<string, string> {
  return toArmTags(tagsValue(values.tags));
}

export async function executeAction(core: AzureCore, action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  if (!actionsFor(target, core.sandbox !== undefined).includes(action)) {
    throw new CloudError('invalid', refusalFor(action, target));
  }
  const result = await run(core, action, target, values, related);
  core.invalidate(splitScopeId(target.scopeId).subscriptionId);
  return result;
}

async function run(core: AzureCore, action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  switch (action) {
    case 'createSnapshot':
      return createSnapshot(core, target as AzureDisk, values);
    case 'createImageFromVm':
      return createImageFromVm(core, target as AzureVm, values);
    case 'restoreToNewDisk':
      return restoreToNewDisk(core, target as AzureSnapshot, values);
    case 'restoreInPlace':
      return restoreInPlace(core, target as AzureSnapshot, values, related);
    case 'createImageFromDisk':
      return createImageFromDisk(core, target as AzureDisk, values);
    case 'createImageFromSnapshot':
      return createImageFromSnapshot(core, target as AzureSnapshot, values);
    case 'copySnapshot':
      return copySnapshot(core, target as AzureSnapshot, values);
    case 'exportSnapshot':
      return exportSnapshot(core, target as AzureSnapshot, values);
    case 'revokeExport':
      return revokeExport(core, target as AzureSnapshot);
    case 'editTags':
      return editTags(core, target, values);
    case 'deleteSnapshot':
      return deleteSnapshot(core, target as AzureSnapshot);
    case 'deleteImage':
      return deleteImage(core, target as AzureImage);
    case 'simulateWrites':
      return simulate(core, target as AzureDisk, values);
    default:
      throw new CloudError('invalid', `${action} is not supported for Azure`);
  }
}

async function createSnapshot(core: AzureCore, disk: AzureDisk, values: FieldValues): Promise<ActionResult> {
  const f = az<AzureDisk>(disk);
  const name = checkName(requiredText(values, 'name'), 'Snapshot');
  const incremental = bool(values, 'incremental', true);
  const sku = pick(values, 'sku', SNAPSHOT_SKUS.map((s) => s.value), 'Standard_LRS');
  const client = core.compute(f.subscriptionId);
  const body = (tags: Record<string, string>): ArmSnapshot => ({
    location: f.location,
    sku: { name: sku },
    incremental,
    creationData: { createOption: 'Copy', sourceResourceId: disk.id },
    encryption: encryptionOf(text(values, 'encryption'), f),
    tags,
  });
  const made = await createByName({
    core,
    what: 'snapshot',
    sub: f.subscriptionId,
    rg: f.resourceGroup,
    name,
    sourceId: disk.id,
    get: () => client.snapshots.get(f.resourceGroup, name),
    put: (tags) => client.snapshots.createOrUpdate(f.resourceGroup, name, body(tags)),
    tags: userTags(values),
  });
  return {
    operations: [op(`${incremental ? 'Incremental' : 'Full'} snapshot ${name} of ${label(disk)}`, disk.scopeId, made.id, made.data)],
    refreshScopeIds: [disk.scopeId],
  };
}

async function createImageFromVm(core: AzureCore, vm: AzureVm, values: FieldValues): Promise<ActionResult> {
  const f = az<AzureVm>(vm);
  if (!f.generalized || f.power !== 'deallocated') {
    throw new CloudError('invalid', `VM ${label(vm)} must be generalized and deallocated before an image can be captured`);
  }
  const name = checkName(requiredText(values, 'name'), 'Image');
  const client = core.compute(f.subscriptionId);
  const made = await createByName({
    core,
    what: 'image',
    sub: f.subscriptionId,
    rg: f.resourceGroup,
    name,
    sourceId: vm.id,
    get: () => client.images.get(f.resourceGroup, name),
    put: (tags) => client.images.createOrUpdate(f.resourceGroup, name, { location: f.location, sourceVirtualMachine: { id: vm.id }, tags } as ArmImage),
    tags: userTags(values),
  });
  return { operations: [op(`Image ${name} of ${label(vm)}`, vm.scopeId, made.id, made.data)], refreshScopeIds: [vm.scopeId] };
}

function diskBody(snap: AzureSnapshot, values: FieldValues, tags: Record<string, string>, zoneFallback?: string): ArmDisk {
  const f = snap.az;
  const size = num(values, 'sizeGiB') ?? snap.sizeGiB;
  if (!Number.isInteger(size) || size < Math.max(1, snap.sizeGiB)) {
    throw new CloudError('invalid', `The size must be a whole number of GiB, at least the snapshot's ${snap.sizeGiB} GiB`);
  }
  const sku = pick(values, 'sku', DISK_SKUS.map((s) => s.value), 'Premium_LRS');
  const zone = pick(values, 'zone', ['none', '1', '2', '3'], zoneFallback ?? 'none');
  if (zone !== 'none' && sku.endsWith('_ZRS')) {
    throw new CloudError('invalid', `${sku} disks are zone-redundant and cannot be pinned to zone ${zone}; choose "No zone" or an _LRS SKU`);
  }
  const body: ArmDisk = {
    location: f.location,
    sku: { name: sku },
    diskSizeGB: size,
    creationData: { createOption: 'Copy', sourceResourceId: snap.id },
    encryption: encryptionOf(text(values, 'encryption'), f),
    tags,
  };
  if (f.osType) {
    body.osType = f.osType as OperatingSystemTypes;
  }
  if (f.hyperVGeneration) {
    body.hyperVGeneration = f.hyperVGeneration;
  }
  if (zone !== 'none') {
    body.zones = [zone];
  }
  return body;
}

/** A resource group name as ARM allows it: 1–90 letters, digits, _ ( ) . - (not ending in a period). */
function checkResourceGroup(name: string): string {
  if (!/^[-\w().]{1,90}$/u.test(name) || name.endsWith('.')) {
    throw new CloudError('invalid', `Resource group "${name.slice(0, 90)}": 1–90 letters, digits, _ ( ) . -, not ending in a period`);
  }
  return name;
}

async function restoreToNewDisk(core: AzureCore, snap: AzureSnapshot, values: FieldValues): Promise<ActionResult> {
  const f = az<AzureSnapshot>(snap);
  const name = checkName(requiredText(values, 'name'), 'Disk');
  // The resource group chosen (the snapshot's own by default); ARM refuses one that does not exist.
  const rg = checkResourceGroup(text(values, 'resourceGroup') ?? f.resourceGroup);
  const client = core.compute(f.subscriptionId);
  const made = await createByName({
    core,
    what: 'disk',
    sub: f.subscriptionId,
    rg,
    name,
    sourceId: snap.id,
    get: () => client.disks.get(rg, name),
    put: (tags) => client.disks.createOrUpdate(rg, name, diskBody(snap, values, tags)),
    tags: {},
  });
  return { operations: [op(`Disk ${name} from snapshot ${label(snap)}`, snap.scopeId, made.id, made.data)], refreshScopeIds: [snap.scopeId] };
}

async function restoreInPlace(core: AzureCore, snap: AzureSnapshot, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  const f = az<AzureSnapshot>(snap);
  const targets = f.attachedTo ?? [];
  const wanted = text(values, 'vmId');
  const t = wanted ? targets.find((x) => sameId(x.vmId, wanted)) : targets.length === 1 ? targets[0] : undefined;
  if (!t || !snap.diskId) {
    throw new CloudError('invalid', targets.length > 1 ? 'Choose which VM to restore' : refusalFor('restoreInPlace', snap));
  }
  const vmId = parseArmId(t.vmId);
  if (!vmId) {
    throw new CloudError('invalid', `Not a VM id: ${t.vmId}`);
  }
  const client = core.compute(f.subscriptionId);
  const vm = await core.call(() => client.virtualMachines.get(vmId.resourceGroup, vmId.name, { expand: 'instanceView' }));
  const oldDisk = related.inventory.disks.find((d) => sameId(d.id, snap.diskId)) as AzureDisk | undefined;
  const oldName = oldDisk?.name ?? parseArmId(snap.diskId)?.name ?? 'disk';
  const newName = validName(oldName, `restored-${stamp()}`, 'disk');
  const rg = vmId.resourceGroup;
  const sku = oldDisk?.diskType && DISK_SKUS.some((s) => s.value === oldDisk.diskType) ? oldDisk.diskType : 'Premium_LRS';
  // A zonal VM takes a disk of its zone, or a zone-redundant (ZRS) disk, which names no zone.
  const zone = sku.endsWith('_ZRS') ? 'none' : (vm.zones?.[0] ?? 'none');
  const body = diskBody(
    snap,
    { sizeGiB: Math.max(snap.sizeGiB, oldDisk?.sizeGiB ?? 0), sku, zone, encryption: 'source' },
    { [CREATED_BY_TAG]: core.account.id },
  );
  if (oldDisk?.az.diskEncryptionSetId) {
    body.encryption = { type: oldDisk.az.encryptionType, diskEncryptionSetId: oldDisk.az.diskEncryptionSetId };
  }
  const data: RestoreData = {
    sub: f.subscriptionId,
    rg,
    vmName: vmId.name,
    slot: t.boot ? 'os' : (t.lun ?? 0),
    oldDiskId: snap.diskId,
    newDiskName: newName,
    newDiskId: armId(f.subscriptionId, rg, 'disks', newName),
    disk: body,
    wasRunning: t.running,
  };
  // Both start now; the poll steps wait for each other's effects.
  await core.call(() => client.disks.createOrUpdate(rg, newName, body).submitted());
  if (t.running) {
    await core.call(() => client.virtualMachines.deallocate(rg, vmId.name).submitted());
  }
  return {
    operations: [op(`Restore ${t.boot ? 'OS disk' : `data disk LUN ${t.lun}`} of ${t.vmName} from ${label(snap)}`, snap.scopeId, t.vmId, JSON.stringify(data), [snap.scopeId], 'restoreInPlace')],
    refreshScopeIds: [snap.scopeId],
  };
}

async function createImageFromSnapshot(core: AzureCore, snap: AzureSnapshot, values: FieldValues): Promise<ActionResult> {
  if (!az<AzureSnapshot>(snap).osType) {
    throw new CloudError('invalid', refusalFor('createImageFromSnapshot', snap));
  }
  return createOsImage(core, snap, { snapshot: { id: snap.id } }, values, `from ${label(snap)}`);
}

async function createImageFromDisk(core: AzureCore, disk: AzureDisk, values: FieldValues): Promise<ActionResult> {
  if (!az<AzureDisk>(disk).osType) {
    throw new CloudError('invalid', `Disk ${label(disk)} is not an OS disk (it has no OS type), so an image made from it would not boot.`);
  }
  return createOsImage(core, disk, { managedDisk: { id: disk.id } }, values, `of disk ${label(disk)}`);
}

/** A managed image whose OS disk is `source` (a snapshot or a managed disk with a known OS type). */
async function createOsImage(
  core: AzureCore,
  from: AzureSnapshot | AzureDisk,
  source: { snapshot: { id: string } } | { managedDisk: { id: string } },
  values: FieldValues,
  what: string,
): Promise<ActionResult> {
  const f = az<AzureSnapshot | AzureDisk>(from);
  const name = checkName(requiredText(values, 'name'), 'Image');
  const osState = pick(values, 'osState', ['Generalized', 'Specialized'], 'Generalized');
  const client = core.compute(f.subscriptionId);
  const made = await createByName({
    core,
    what: 'image',
    sub: f.subscriptionId,
    rg: f.resourceGroup,
    name,
    sourceId: from.id,
    get: () => client.images.get(f.resourceGroup, name),
    put: (tags) =>
      client.images.createOrUpdate(f.resourceGroup, name, {
        location: f.location,
        hyperVGeneration: f.hyperVGeneration,
        storageProfile: { osDisk: { osType: f.osType as OperatingSystemTypes, osState: osState as OperatingSystemStateTypes, ...source } },
        tags,
      }),
    tags: userTags(values),
  });
  return { operations: [op(`Image ${name} ${what}`, from.scopeId, made.id, made.data)], refreshScopeIds: [from.scopeId] };
}

/** Why a copy to `destLocation` is refused, or undefined. */
export function copyRefusal(snap: AzureSnapshot, destLocation: string): string | undefined {
  if (destLocation === snap.az.location) {
    return undefined;
  }
  if (!snap.incremental) {
    return (
      `Azure copies snapshots to another region only from incremental snapshots (CopyStart: incremental → incremental). ` +
      `Snapshot ${label(snap)} is a full snapshot: take an incremental snapshot of its disk, or make a full copy in ${snap.az.location}.`
    );
  }
  const busy = snap.az.copiesInProgress ?? [];
  if (busy.length) {
    return `Azure allows one cross-region copy per disk at a time: copy ${busy.map((b) => b.name).join(', ')} of the same disk is still in progress. Wait until it has finished.`;
  }
  return undefined;
}

async function copySnapshot(core: AzureCore, snap: AzureSnapshot, values: FieldValues): Promise<ActionResult> {
  const f = az<AzureSnapshot>(snap);
  const dest = requiredText(values, 'destination');
  const { subscriptionId, location } = splitScopeId(dest);
  if (subscriptionId !== f.subscriptionId || !location) {
    throw new CloudError('invalid', `Copies stay in subscription ${f.subscriptionId}; "${dest}" is not one of its locations`);
  }
  const refusal = copyRefusal(snap, location);
  if (refusal) {
    throw new CloudError('invalid', refusal);
  }
  const name = checkName(requiredText(values, 'name'), 'Snapshot');
  const cross = location !== f.location;
  const client = core.compute(f.subscriptionId);
  const inherited = Object.fromEntries(snap.tags.filter((t) => !isInternalTag(t.key)).map((t) => [t.key, t.value]));
  const made = await createByName({
    core,
    what: 'snapshot',
    sub: f.subscriptionId,
    rg: f.resourceGroup,
    name,
    sourceId: snap.id,
    get: () => client.snapshots.get(f.resourceGroup, name),
    put: (tags) =>
      client.snapshots.createOrUpdate(f.resourceGroup, name, {
        location,
        sku: { name: snap.storageTier ?? 'Standard_LRS' },
        incremental: cross ? true : false,
        creationData: { createOption: cross ? 'CopyStart' : 'Copy', sourceResourceId: snap.id },
        tags,
      }),
    tags: inherited,
  });
  const destScope = leafScopeId(f.subscriptionId, location);
  return {
    operations: [op(`${cross ? 'Copy' : 'Full copy'} of ${label(snap)} to ${location}`, destScope, made.id, made.data, [snap.scopeId, destScope])],
    refreshScopeIds: [...new Set([snap.scopeId, destScope])],
  };
}

async function exportSnapshot(core: AzureCore, snap: AzureSnapshot, values: FieldValues): Promise<ActionResult> {
  const f = az<AzureSnapshot>(snap);
  const seconds = Number(pick(values, 'duration', EXPORT_DURATIONS.map((d) => d.value), '3600'));
  const format = pick(values, 'format', ['VHD', 'VHDX'], 'VHD');
  const name = parseArmId(snap.id)?.name ?? snap.name ?? '';
  const interval = Math.max(50, core.setting<number>('azure.lroIntervalMs', core.sandbox ? 200 : 2000));
  const access = await core.call(() =>
    core.compute(f.subscriptionId).snapshots.grantAccess(f.resourceGroup, name, { access: 'Read', durationInSeconds: seconds, fileFormat: format }, { updateIntervalInMs: interval }).pollUntilDone(),
  );
  const sas = access?.accessSAS;
  if (!sas) {
    throw new CloudError('malformed', 'Azure granted access but returned no URL (accessSAS)');
  }
  const until = new Date(Date.now() + seconds * 1000).toISOString();
  await core.memento?.update(exportKey(snap.id), until);
  core.log(`Azure: export of ${name} granted until ${until} (URL not logged)`);
  return {
    operations: [],
    message: `Export of ${label(snap)} open until ${formatDate(until)} (${format}); Revoke Export ends it sooner.`,
    clipboard: { text: sas, label: 'Export URL (SAS)' },
    refreshScopeIds: [snap.scopeId],
  };
}

async function revokeExport(core: AzureCore, snap: AzureSnapshot): Promise<ActionResult> {
  const f = az<AzureSnapshot>(snap);
  const name = parseArmId(snap.id)?.name ?? snap.name ?? '';
  const started = await startLro(core, f.subscriptionId, core.compute(f.subscriptionId).snapshots.revokeAccess(f.resourceGroup, name), 'none');
  await core.memento?.update(exportKey(snap.id), undefined);
  if (started.done) {
    return { operations: [], message: `Export of ${label(snap)} revoked; its URL no longer works`, refreshScopeIds: [snap.scopeId] };
  }
  return { operations: [lroOperation({ title: `Revoke export of ${label(snap)}`, scopeId: snap.scopeId, resourceId: snap.id, refreshScopeIds: [snap.scopeId] }, started)], refreshScopeIds: [snap.scopeId] };
}

async function editTags(core: AzureCore, target: Resource, values: FieldValues): Promise<ActionResult> {
  const f = az<AzureDisk>(target);
  const kept = target.tags.filter((t) => isInternalTag(t.key));
  const wanted: Tag[] = [...tagsValue(values.tags).filter((t) => !isInternalTag(t.key)), ...kept];
  const tags = toArmTags(wanted);
  const name = parseArmId(target.id)?.name ?? target.name ?? '';
  const client = core.compute(f.subscriptionId);
  let poller: Parameters<typeof startLro>[2];
  switch (target.kind) {
    case 'snapshot':
      poller = client.snapshots.update(f.resourceGroup, name, { tags });
      break;
    case 'disk':
      poller = client.disks.update(f.resourceGroup, name, { tags });
      break;
    case 'vm':
      poller = client.virtualMachines.update(f.resourceGroup, name, { tags });
      break;
    case 'image':
      poller = client.images.update(f.resourceGroup, name, { tags });
      break;
    default:
      throw new CloudError('invalid', `Tags of a ${target.kind} cannot be edited on Azure`);
  }
  const started = await startLro(core, f.subscriptionId, poller, 'resource');
  const message = `Tags of ${label(target)} updated (${Object.keys(tags).length - kept.length} tag${Object.keys(tags).length - kept.length === 1 ? '' : 's'})`;
  if (started.done) {
    return { operations: [], message, refreshScopeIds: [target.scopeId] };
  }
  return { operations: [lroOperation({ title: `Tags of ${label(target)}`, scopeId: target.scopeId, resourceId: target.id, refreshScopeIds: [target.scopeId] }, started)], message, refreshScopeIds: [target.scopeId] };
}

async function deleteSnapshot(core: AzureCore, snap: AzureSnapshot): Promise<ActionResult> {
  const f = az<AzureSnapshot>(snap);
  const blocker = deleteBlocker(snap);
  if (blocker) {
    throw new CloudError('inUse', blocker);
  }
  const name = parseArmId(snap.id)?.name ?? snap.name ?? '';
  const client = core.compute(f.subscriptionId);
  const get = () => client.snapshots.get(f.resourceGroup, name);
  // Read first: the export is checked from the cloud rather than from the listing. A snapshot
  // already gone (deleted elsewhere, or by an attempt whose answer was lost) is what was asked:
  // done, as AWS and Google Cloud report it, saying that nothing was deleted now. The cloud
  // cannot tell "deleted" from "never existed" (404 for both; ARM even answers a DELETE of either
  // with 204), and the UI deletes only what a listing showed, so an id it never knew cannot come
  // from it: a resource the adapter did not list is refused above (`az`).
  const current = await lookup(core, get);
  if (!current) {
    await core.memento?.update(exportKey(snap.id), undefined);
    core.log(`Azure: snapshot ${name} is already gone; no DELETE sent`);
    return { operations: [], message: `Deleted snapshot ${label(snap)} (it was already gone)`, refreshScopeIds: [snap.scopeId] };
  }
  if (isExportOpen(current.diskState)) {
    throw new CloudError('inUse', `Snapshot ${label(snap)} has an open export (SAS URL). Revoke Access first, then delete it.`);
  }
  const started = await startDelete(core, f.subscriptionId, get, () => client.snapshots.delete(f.resourceGroup, name));
  await core.memento?.update(exportKey(snap.id), undefined);
  if (started.done) {
    return { operations: [], message: `Deleted snapshot ${label(snap)}`, refreshScopeIds: [snap.scopeId] };
  }
  return {
    operations: [lroOperation({ title: `Delete snapshot ${label(snap)}`, scopeId: snap.scopeId, resourceId: snap.id, refreshScopeIds: [snap.scopeId] }, started)],
    message: `Deleting snapshot ${label(snap)}`,
    refreshScopeIds: [snap.scopeId],
  };
}

/**
 * Sends a DELETE. After an ambiguous failure (reset, 5xx, a truncated answer) it looks: a
 * resource already gone was deleted (done); one still there gets the DELETE again (ARM deletes
 * are idempotent), up to CREATE_ATTEMPTS times. A failed look is tried again; without an answer
 * the failure stands. A DELETE answered "not found" is done too: gone is what was asked.
 */
async function startDelete(core: AzureCore, sub: string, get: () => Promise<Existing>, del: () => Parameters<typeof startLro>[2]): Promise<Started> {
  const done: Started = { done: true, data: { sub, then: 'gone' } };
  try {
    return await sendByName(core, 'delete', () => startLro(core, sub, del(), 'gone'), get, (still, err) => {
      if (still) {
        return undefined;
      }
      core.log(`Azure: the delete's answer was lost (${err.display}); the resource is gone`);
      return done;
    });
  } catch (e) {
    // A DELETE answered 404 (a retry after a reset, once the first one had acted; a resource
    // group deleted meanwhile): gone is what was asked.
    if (saysGone(e)) {
      core.log(`Azure: the delete found the resource already gone (${e.display})`);
      return done;
    }
    throw e;
  }
}

async function deleteImage(core: AzureCore, image: AzureImage): Promise<ActionResult> {
  const f = az<AzureImage>(image);
  if (f.gallery) {
    throw new CloudError('invalid', refusalFor('deleteImage', image));
  }
  const name = parseArmId(image.id)?.name ?? image.name ?? '';
  const client = core.compute(f.subscriptionId);
  const started = await startDelete(core, f.subscriptionId, () => client.images.get(f.resourceGroup, name), () => client.images.delete(f.resourceGroup, name));
  if (started.done) {
    return { operations: [], message: `Deleted image ${label(image)}`, refreshScopeIds: [image.scopeId] };
  }
  return {
    operations: [lroOperation({ title: `Delete image ${label(image)}`, scopeId: image.scopeId, resourceId: image.id, refreshScopeIds: [image.scopeId] }, started)],
    message: `Deleting image ${label(image)}`,
    refreshScopeIds: [image.scopeId],
  };
}

async function simulate(core: AzureCore, disk: AzureDisk, values: FieldValues): Promise<ActionResult> {
  if (!core.sandbox) {
    throw new CloudError('invalid', 'Simulated writes exist only in the sandbox');
  }
  const mib = num(values, 'mib') ?? 64;
  if (!Number.isInteger(mib) || mib < 1 || mib > 1024) {
    throw new CloudError('invalid', 'MiB must be a whole number from 1 to 1024');
  }
  await simulateWrites(core.sandbox, core.credential, disk.id, mib);
  return { operations: [], message: `Wrote ${mib} MiB to ${label(disk)} (sandbox)`, refreshScopeIds: [disk.scopeId] };
}
