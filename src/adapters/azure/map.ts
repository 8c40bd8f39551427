/**
 * Mapping of ARM Compute objects (as the SDK deserializes them: properties flattened) onto the
 * provider-neutral model. Pure functions: no SDK calls. References between resources are
 * resolved case-insensitively onto the ids the resources themselves carry (see ids.ts).
 */
import type {
  Disk as ArmDisk,
  GalleryImageVersion,
  Image as ArmImage,
  Snapshot as ArmSnapshot,
  VirtualMachine,
  VirtualMachineInstanceView,
} from '@azure/arm-compute';
import type { Detail, Disk, DiskAttachment, Image, Phase, Snapshot, Tag, Vm } from '../../model/types';
import { IdIndex, leafScopeId, normLocation, parseArmId, resourceGroupOf, subscriptionOf } from './ids';

/** Facts the Azure adapter keeps on each resource for actionsFor / plan / execute. */
export interface AzureFacts {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** OS type (Linux / Windows) of OS disks, their snapshots and VMs. */
  osType?: string;
  hyperVGeneration?: string;
}

export interface VmFacts extends AzureFacts {
  /** PowerState/<x> word, when known. */
  power?: string;
  provisioningState?: string;
  /** True when the instance view says OSState/generalized. */
  generalized?: boolean;
  osDiskId?: string;
  /** Data disks: id → lun. */
  dataDiskLuns: Record<string, number>;
}

export interface DiskFacts extends AzureFacts {
  provisioningState?: string;
  diskState?: string;
  encryptionType?: string;
  diskEncryptionSetId?: string;
}

export interface SnapshotFacts extends AzureFacts {
  provisioningState?: string;
  diskState?: string;
  encryptionType?: string;
  diskEncryptionSetId?: string;
  sourceResourceId?: string;
  createOption?: string;
  completionPercent?: number;
  /** Copies (CopyStart) of this snapshot's family still in progress: id and name. Set by the listing. */
  copiesInProgress?: { id: string; name: string }[];
  /** VMs the source disk is attached to (restore in place), with the disk's role. Set by the listing. */
  attachedTo?: { vmId: string; vmName: string; boot: boolean; lun?: number; running: boolean }[];
  /** A copy of this snapshot is being made from it right now (delete is refused). Set by the listing. */
  copyFromInProgress?: string[];
}

export interface ImageFacts extends AzureFacts {
  gallery?: boolean;
  provisioningState?: string;
}

export type AzureVm = Vm & { az: VmFacts };
export type AzureDisk = Disk & { az: DiskFacts };
export type AzureSnapshot = Snapshot & { az: SnapshotFacts };
export type AzureImage = Image & { az: ImageFacts };
export type AzureResource = AzureVm | AzureDisk | AzureSnapshot | AzureImage;

export function mapTags(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value: value ?? '' }));
}

function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) {
    return undefined;
  }
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function detail(out: Detail[], label: string, value: string | number | boolean | undefined): void {
  if (value !== undefined && value !== '') {
    out.push({ label, value: String(value) });
  }
}

/** Provisioning states of ARM resources → phase. */
export function provisioningPhase(state: string | undefined): Phase {
  switch ((state ?? 'Succeeded').toLowerCase()) {
    case 'succeeded':
      return 'ready';
    case 'failed':
    case 'canceled':
      return 'error';
    case 'deleting':
      return 'deleting';
    default:
      return 'pending'; // Creating, Updating, Migrating, Accepted…
  }
}

const ENCRYPTION_LABELS: Record<string, string> = {
  encryptionatrestwithplatformkey: 'Platform-managed key',
  encryptionatrestwithcustomerkey: 'Customer-managed key',
  encryptionatrestwithplatformandcustomerkeys: 'Platform and customer-managed keys (double encryption)',
};

export function encryptionLabel(type: string | undefined): string {
  return ENCRYPTION_LABELS[(type ?? 'EncryptionAtRestWithPlatformKey').toLowerCase()] ?? type ?? 'Platform-managed key';
}

/** The name of the resource an id points to (`…/diskEncryptionSets/des-1` → des-1). */
export function nameOfId(id: string | undefined): string | undefined {
  return id ? parseArmId(id)?.children.at(-1)?.[1] ?? parseArmId(id)?.name ?? id.split('/').filter(Boolean).at(-1) : undefined;
}

/** The power state of an instance view: `PowerState/running` → running. */
export function powerState(view: VirtualMachineInstanceView | undefined): string | undefined {
  const s = view?.statuses?.find((x) => x.code?.toLowerCase().startsWith('powerstate/'));
  return s?.code ? s.code.slice('PowerState/'.length).toLowerCase() : undefined;
}

function generalizedIn(view: VirtualMachineInstanceView | undefined): boolean {
  return (view?.statuses ?? []).some((x) => x.code?.toLowerCase() === 'osstate/generalized');
}

function vmPhase(power: string | undefined, provisioning: string | undefined): Phase {
  const p = provisioningPhase(provisioning);
  if (p === 'deleting' || p === 'error') {
    return p;
  }
  switch (power) {
    case 'running':
    case 'stopped':
    case 'deallocated':
      return p === 'pending' ? 'pending' : 'ready';
    case 'starting':
    case 'stopping':
    case 'deallocating':
      return 'pending';
    default:
      return p;
  }
}

export function mapVm(vm: VirtualMachine, view: VirtualMachineInstanceView | undefined, ids: IdIndex): AzureVm {
  const id = vm.id ?? '';
  const location = normLocation(vm.location);
  const subscriptionId = subscriptionOf(id) ?? '';
  const os = vm.storageProfile?.osDisk;
  const osDiskId = ids.canonical(os?.managedDisk?.id);
  const dataDiskLuns: Record<string, number> = {};
  const dataIds: string[] = [];
  for (const d of [...(vm.storageProfile?.dataDisks ?? [])].sort((a, b) => a.lun - b.lun)) {
    const did = ids.canonical(d.managedDisk?.id);
    if (did) {
      dataIds.push(did);
      dataDiskLuns[did] = d.lun;
    }
  }
  const statusView = view ?? vm.instanceView;
  const power = powerState(statusView);
  const provisioningState = vm.provisioningState;
  const state = power ?? (provisioningState ?? 'unknown').toLowerCase();
  const details: Detail[] = [];
  detail(details, 'Resource group', resourceGroupOf(id));
  detail(details, 'Size', vm.hardwareProfile?.vmSize);
  detail(details, 'OS', os?.osType);
  detail(details, 'Provisioning state', provisioningState);
  if (generalizedIn(statusView)) {
    detail(details, 'OS state', 'Generalized');
  }
  return {
    kind: 'vm',
    id,
    name: vm.name,
    scopeId: leafScopeId(subscriptionId, location),
    state,
    phase: vmPhase(power, provisioningState),
    tags: mapTags(vm.tags),
    createdAt: iso(vm.timeCreated),
    zone: vm.zones?.[0],
    idLabel: resourceGroupOf(id),
    details,
    machineType: vm.hardwareProfile?.vmSize,
    diskIds: osDiskId ? [osDiskId, ...dataIds] : dataIds,
    bootDiskId: osDiskId,
    platform: os?.osType,
    az: {
      subscriptionId,
      resourceGroup: resourceGroupOf(id) ?? '',
      location,
      osType: os?.osType,
      power,
      provisioningState,
      generalized: generalizedIn(statusView),
      osDiskId,
      dataDiskLuns,
    },
  };
}

/** Attachments of every disk, from the VMs' storage profiles (boot for the OS disk). */
export function attachmentsFromVms(vms: readonly AzureVm[]): Map<string, DiskAttachment[]> {
  const out = new Map<string, DiskAttachment[]>();
  const add = (diskId: string, a: DiskAttachment): void => {
    const key = diskId.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), a]);
  };
  for (const vm of vms) {
    if (vm.az.osDiskId) {
      add(vm.az.osDiskId, { vmId: vm.id, device: 'OS disk', boot: true });
    }
    for (const [diskId, lun] of Object.entries(vm.az.dataDiskLuns)) {
      add(diskId, { vmId: vm.id, device: `LUN ${lun}`, boot: false });
    }
  }
  return out;
}

function isType(id: string | undefined, type: string): boolean {
  return parseArmId(id)?.type.toLowerCase() === type.toLowerCase() && (parseArmId(id)?.children.length ?? 0) === 0;
}

export function mapDisk(d: ArmDisk, ids: IdIndex, fromVms: ReadonlyMap<string, DiskAttachment[]>): AzureDisk {
  const id = d.id ?? '';
  const location = normLocation(d.location);
  const subscriptionId = subscriptionOf(id) ?? '';
  const attachments: DiskAttachment[] = [...(fromVms.get(id.toLowerCase()) ?? [])];
  // managedBy names the VM even when the VM is not in the listing (another location, no access).
  for (const owner of [d.managedBy, ...(d.managedByExtended ?? [])]) {
    const vmId = ids.canonical(owner);
    if (vmId && !attachments.some((a) => a.vmId.toLowerCase() === vmId.toLowerCase())) {
      attachments.push({ vmId, boot: d.osType !== undefined && d.managedBy === owner });
    }
  }
  const source = d.creationData?.sourceResourceId;
  const provisioningState = d.provisioningState;
  const des = d.encryption?.diskEncryptionSetId;
  const details: Detail[] = [];
  detail(details, 'Resource group', resourceGroupOf(id));
  detail(details, 'SKU', d.sku?.name);
  detail(details, 'Encryption type', encryptionLabel(d.encryption?.type));
  detail(details, 'Disk encryption set', nameOfId(des));
  detail(details, 'Disk state', d.diskState);
  detail(details, 'OS type', d.osType);
  detail(details, 'Created from', d.creationData?.createOption && source ? `${d.creationData.createOption}: ${nameOfId(source)}` : d.creationData?.createOption);
  const phase = provisioningPhase(provisioningState);
  return {
    kind: 'disk',
    id,
    name: d.name,
    scopeId: leafScopeId(subscriptionId, location),
    state: phase === 'ready' ? d.diskState ?? 'Succeeded' : provisioningState ?? 'unknown',
    phase,
    tags: mapTags(d.tags),
    createdAt: iso(d.timeCreated),
    zone: d.zones?.[0],
    idLabel: resourceGroupOf(id),
    details,
    sizeGiB: d.diskSizeGB ?? (d.diskSizeBytes ? Math.ceil(d.diskSizeBytes / 2 ** 30) : 0),
    diskType: d.sku?.name,
    encrypted: true, // Azure encrypts every managed disk at rest
    kmsKeyId: des,
    iops: d.diskIopsReadWrite,
    throughputMiBps: d.diskMBpsReadWrite,
    attachments,
    sourceSnapshotId: isType(source, 'snapshots') ? ids.canonical(source) : undefined,
    az: {
      subscriptionId,
      resourceGroup: resourceGroupOf(id) ?? '',
      location,
      osType: d.osType,
      hyperVGeneration: d.hyperVGeneration,
      provisioningState,
      diskState: d.diskState,
      encryptionType: d.encryption?.type,
      diskEncryptionSetId: des,
    },
  };
}

export function isExportOpen(diskState: string | undefined): boolean {
  const s = (diskState ?? '').toLowerCase();
  return s === 'activesas' || s === 'activesasfrozen';
}

/** True while a CopyStart copy is still filling (completionPercent below 100). */
export function isCopying(s: { completionPercent?: number; provisioningState?: string }): boolean {
  return s.completionPercent !== undefined && s.completionPercent < 100 && provisioningPhase(s.provisioningState) !== 'error';
}

/**
 * Maps a snapshot. `locationOf` gives the location of another snapshot of the subscription (for
 * the scope of a copy's source); `exportUntil` the remembered expiry of an open export.
 */
export function mapSnapshot(
  s: ArmSnapshot,
  ids: IdIndex,
  locationOf: (id: string) => string | undefined = () => undefined,
  exportUntil?: string,
): AzureSnapshot {
  const id = s.id ?? '';
  const location = normLocation(s.location);
  const subscriptionId = subscriptionOf(id) ?? '';
  const source = s.creationData?.sourceResourceId;
  const fromDisk = isType(source, 'disks');
  const fromSnapshot = isType(source, 'snapshots');
  const provisioningState = s.provisioningState;
  const copying = isCopying({ completionPercent: s.completionPercent, provisioningState });
  const exportOpen = isExportOpen(s.diskState);
  const phase = copying ? 'pending' : provisioningPhase(provisioningState);
  let state: string;
  if (phase !== 'ready' && !copying) {
    state = provisioningState ?? 'unknown';
  } else if (copying) {
    state = 'Copying';
  } else {
    state = exportOpen ? (s.diskState as string) : 'Succeeded';
  }
  const des = s.encryption?.diskEncryptionSetId;
  const details: Detail[] = [];
  detail(details, 'Resource group', resourceGroupOf(id));
  // SKU and incremental/full show as the tooltip's own "Storage tier" and "Kind" rows.
  detail(details, 'Incremental family', s.incrementalSnapshotFamilyId);
  detail(details, 'Encryption type', encryptionLabel(s.encryption?.type));
  detail(details, 'Disk encryption set', nameOfId(des));
  detail(details, 'Disk state', s.diskState);
  detail(details, 'OS type', s.osType);
  if (s.completionPercent !== undefined) {
    detail(details, 'Copy progress', `${Math.round(s.completionPercent)}%`);
  }
  if (s.copyCompletionError) {
    detail(details, 'Copy error', `${s.copyCompletionError.errorCode}: ${s.copyCompletionError.errorMessage}`);
  }
  if (exportOpen) {
    detail(details, 'Export', exportUntil ? `open (SAS) until ${exportUntil}` : 'open (SAS)');
  }
  const copiedFromId = fromSnapshot ? ids.canonical(source) : undefined;
  const sourceLocation = copiedFromId ? locationOf(copiedFromId) : undefined;
  const snap: AzureSnapshot = {
    kind: 'snapshot',
    id,
    name: s.name,
    scopeId: leafScopeId(subscriptionId, location),
    state,
    phase,
    tags: mapTags(s.tags),
    createdAt: iso(s.timeCreated),
    idLabel: resourceGroupOf(id),
    details,
    diskId: fromDisk ? ids.canonical(source) : undefined,
    sizeGiB: s.diskSizeGB ?? (s.diskSizeBytes ? Math.ceil(s.diskSizeBytes / 2 ** 30) : 0),
    progress: copying ? Math.max(0, Math.min(99, Math.floor(s.completionPercent ?? 0))) : phase === 'ready' ? 100 : undefined,
    encrypted: true,
    kmsKeyId: des,
    storageTier: s.sku?.name,
    incremental: s.incremental ?? false,
    chainId: s.incrementalSnapshotFamilyId,
    az: {
      subscriptionId,
      resourceGroup: resourceGroupOf(id) ?? '',
      location,
      osType: s.osType,
      hyperVGeneration: s.hyperVGeneration,
      provisioningState,
      diskState: s.diskState,
      encryptionType: s.encryption?.type,
      diskEncryptionSetId: des,
      sourceResourceId: source,
      createOption: s.creationData?.createOption,
      completionPercent: s.completionPercent,
    },
  };
  if (copiedFromId) {
    snap.copiedFromId = copiedFromId;
    const sourceSub = subscriptionOf(copiedFromId);
    if (sourceSub && sourceLocation) {
      snap.copiedFromScopeId = leafScopeId(sourceSub, sourceLocation);
    }
  }
  if (exportOpen) {
    snap.export = exportUntil ? { until: exportUntil } : {};
  }
  return snap;
}

export function mapImage(i: ArmImage, ids: IdIndex): AzureImage {
  const id = i.id ?? '';
  const location = normLocation(i.location);
  const subscriptionId = subscriptionOf(id) ?? '';
  const os = i.storageProfile?.osDisk;
  const snapshotIds = [os?.snapshot?.id, ...(i.storageProfile?.dataDisks ?? []).map((d) => d.snapshot?.id)]
    .filter((x): x is string => Boolean(x))
    .map((x) => ids.canonical(x) as string);
  const details: Detail[] = [];
  detail(details, 'Resource group', resourceGroupOf(id));
  detail(details, 'Type', 'Managed image');
  detail(details, 'OS', os ? `${os.osType} (${os.osState})` : undefined);
  detail(details, 'Hyper-V generation', i.hyperVGeneration);
  detail(details, 'Source VM', nameOfId(i.sourceVirtualMachine?.id));
  detail(details, 'Source disk', nameOfId(os?.managedDisk?.id));
  return {
    kind: 'image',
    id,
    name: i.name,
    scopeId: leafScopeId(subscriptionId, location),
    state: i.provisioningState ?? 'Succeeded',
    phase: provisioningPhase(i.provisioningState),
    tags: mapTags(i.tags),
    idLabel: resourceGroupOf(id),
    details,
    description: 'Managed image',
    snapshotIds,
    architecture: undefined,
    rootDevice: undefined,
    public: false,
    az: {
      subscriptionId,
      resourceGroup: resourceGroupOf(id) ?? '',
      location,
      osType: os?.osType,
      hyperVGeneration: i.hyperVGeneration,
      provisioningState: i.provisioningState,
    },
  };
}

/** A gallery image version (read-only here); its name is `gallery/image/version`. */
export function mapGalleryVersion(v: GalleryImageVersion, ids: IdIndex, osType?: string): AzureImage {
  const id = v.id ?? '';
  const parsed = parseArmId(id);
  const location = normLocation(v.location);
  const subscriptionId = subscriptionOf(id) ?? '';
  const sp = v.storageProfile;
  const sources = [sp?.source?.id, sp?.osDiskImage?.source?.id, ...(sp?.dataDiskImages ?? []).map((d) => d.source?.id)];
  const snapshotIds = [...new Set(sources.filter((x): x is string => Boolean(x) && isType(x, 'snapshots')).map((x) => ids.canonical(x) as string))];
  const imageName = parsed?.children.find(([t]) => t.toLowerCase() === 'images')?.[1];
  const name = parsed ? [parsed.name, imageName, v.name].filter(Boolean).join('/') : v.name;
  const details: Detail[] = [];
  detail(details, 'Resource group', resourceGroupOf(id));
  detail(details, 'Type', 'Azure Compute Gallery image version (read-only here)');
  detail(details, 'Gallery', parsed?.name);
  detail(details, 'Image definition', imageName);
  detail(details, 'OS', osType);
  detail(details, 'Source', nameOfId(sp?.source?.id ?? sp?.osDiskImage?.source?.id));
  return {
    kind: 'image',
    id,
    name,
    scopeId: leafScopeId(subscriptionId, location),
    state: v.provisioningState ?? 'Succeeded',
    phase: provisioningPhase(v.provisioningState),
    tags: mapTags(v.tags),
    idLabel: resourceGroupOf(id),
    details,
    description: 'Gallery image version',
    snapshotIds,
    az: { subscriptionId, resourceGroup: resourceGroupOf(id) ?? '', location, osType, gallery: true, provisioningState: v.provisioningState },
  };
}

/** `Name (resource group)` or the id, for titles and messages. */
export function label(r: { id: string; name?: string }): string {
  if (!r.name) {
    return r.id;
  }
  const rg = resourceGroupOf(r.id);
  return rg ? `${r.name} (${rg})` : r.name;
}
