/**
 * ARM's JSON for each record, with the property names of the REST spec (and of the SDK's
 * serializers in @azure/arm-compute): computed states are read from the state at call time.
 */
import { GIB as GiB } from '../state-kit';
import type { LocationInfo } from './locations';
import type {
  AzureState,
  DiskEncryptionSetRecord,
  DiskRecord,
  GalleryImageRecord,
  GalleryImageVersionRecord,
  GalleryRecord,
  ImageDisk,
  ImageRecord,
  OperationRecord,
  ResourceGroupRecord,
  SnapshotRecord,
  SubscriptionRecord,
  TenantRecord,
  VmRecord,
} from './state';

type Json = Record<string, unknown>;


export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '0000+00:00');
}

function tier(sku: string): string {
  if (sku.startsWith('Premium')) {
    return 'Premium';
  }
  return sku.startsWith('UltraSSD') ? 'Ultra' : 'Standard';
}

function tagsOf(tags: Record<string, string>): Json | undefined {
  return Object.keys(tags).length > 0 ? { ...tags } : undefined;
}

function creationData(data: DiskRecord['creationData']): Json {
  return {
    createOption: data.createOption,
    ...(data.sourceResourceId ? { sourceResourceId: data.sourceResourceId } : {}),
    ...(data.sourceUniqueId ? { sourceUniqueId: data.sourceUniqueId } : {}),
    ...(data.imageReference ? { imageReference: data.imageReference } : {}),
  };
}

export function diskJson(state: AzureState, d: DiskRecord): Json {
  return {
    id: d.id,
    name: d.name,
    type: 'Microsoft.Compute/disks',
    location: d.location,
    tags: tagsOf(d.tags),
    managedBy: d.managedBy,
    sku: { name: d.skuName, tier: tier(d.skuName) },
    zones: d.zones,
    properties: {
      osType: d.osType,
      hyperVGeneration: d.hyperVGeneration,
      creationData: creationData(d.creationData),
      diskSizeGB: d.sizeGB,
      diskSizeBytes: d.sizeGB * GiB,
      uniqueId: d.uniqueId,
      encryption: { ...d.encryption },
      networkAccessPolicy: 'AllowAll',
      publicNetworkAccess: 'Enabled',
      timeCreated: iso(d.timeCreatedAt),
      provisioningState: state.provisioningState(d),
      diskState: state.diskState(d),
      diskIOPSReadWrite: d.skuName.startsWith('Premium') ? 500 : 500,
      diskMBpsReadWrite: d.skuName.startsWith('Premium') ? 100 : 60,
      tier: d.skuName.startsWith('Premium') ? 'P10' : undefined,
    },
  };
}

export function snapshotJson(state: AzureState, s: SnapshotRecord): Json {
  const percent = state.completionPercent(s);
  const copying = s.copy !== undefined && state.copyInProgress(s);
  return {
    id: s.id,
    name: s.name,
    type: 'Microsoft.Compute/snapshots',
    location: s.location,
    tags: tagsOf(s.tags),
    sku: { name: s.skuName, tier: 'Standard' },
    properties: {
      osType: s.osType,
      hyperVGeneration: s.hyperVGeneration,
      creationData: creationData(s.creationData),
      diskSizeGB: s.sizeGB,
      diskSizeBytes: s.sizeGB * GiB,
      uniqueId: s.uniqueId,
      encryption: { ...s.encryption },
      incremental: s.incremental,
      ...(s.incremental && s.familyId ? { incrementalSnapshotFamilyId: s.familyId } : {}),
      networkAccessPolicy: 'AllowAll',
      publicNetworkAccess: 'Enabled',
      timeCreated: iso(s.createdAt),
      provisioningState: state.provisioningState(s),
      diskState: state.snapshotState(s),
      ...(percent !== undefined ? { completionPercent: percent } : {}),
      ...(s.copy?.error ? { copyCompletionError: { ...s.copy.error } } : {}),
      ...(s.incremental ? { snapshotAccessState: copying || s.copy?.error ? 'Pending' : 'Available' } : {}),
    },
  };
}

function powerDisplay(code: string): string {
  const map: Record<string, string> = {
    running: 'VM running',
    deallocated: 'VM deallocated',
    stopped: 'VM stopped',
    deallocating: 'VM deallocating',
    starting: 'VM starting',
    stopping: 'VM stopping',
  };
  return map[code] ?? code;
}

export function vmInstanceView(state: AzureState, vm: VmRecord): Json {
  const prov = state.provisioningState(vm);
  const power = state.powerState(vm);
  const statuses: Json[] = [
    {
      code: `ProvisioningState/${prov.toLowerCase()}`,
      level: prov === 'Failed' ? 'Error' : 'Info',
      displayStatus: `Provisioning ${prov.toLowerCase()}`,
      time: iso(Math.max(vm.createdAt, vm.transition?.endAt ?? vm.createdAt)),
    },
  ];
  if (vm.generalized) {
    statuses.push({ code: 'OSState/generalized', level: 'Info', displayStatus: 'VM generalized' });
  }
  statuses.push({ code: `PowerState/${power}`, level: 'Info', displayStatus: powerDisplay(power) });
  const disks = [vm.osDiskName, ...vm.dataDisks.map((d) => d.name)].map((name) => ({
    name,
    statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: iso(vm.createdAt) }],
  }));
  return {
    computerName: power === 'running' ? vm.computerName : undefined,
    osName: power === 'running' ? (vm.osType === 'Windows' ? 'Windows Server 2022 Datacenter' : 'ubuntu') : undefined,
    hyperVGeneration: state.disks.get(vm.osDiskId.toLowerCase())?.hyperVGeneration ?? 'V1',
    disks,
    statuses,
  };
}

export function vmJson(state: AzureState, vm: VmRecord, expandInstanceView: boolean): Json {
  const osDisk = state.disks.get(vm.osDiskId.toLowerCase());
  return {
    id: vm.id,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: tagsOf(vm.tags),
    zones: vm.zones,
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: {
        ...(vm.imageReference ? { imageReference: { ...vm.imageReference, exactVersion: vm.imageReference.version } } : {}),
        osDisk: {
          osType: vm.osType,
          name: vm.osDiskName,
          createOption: vm.osDiskCreateOption,
          caching: 'ReadWrite',
          managedDisk: { id: vm.osDiskId, storageAccountType: osDisk?.skuName ?? 'Standard_LRS' },
          deleteOption: 'Detach',
          diskSizeGB: osDisk?.sizeGB,
        },
        dataDisks: vm.dataDisks.map((d) => {
          const disk = state.disks.get(d.diskId.toLowerCase());
          return {
            lun: d.lun,
            name: d.name,
            createOption: d.createOption,
            caching: d.caching,
            managedDisk: { id: d.diskId, storageAccountType: disk?.skuName ?? 'Standard_LRS' },
            deleteOption: 'Detach',
            diskSizeGB: disk?.sizeGB,
            toBeDetached: false,
          };
        }),
        diskControllerType: 'SCSI',
      },
      osProfile:
        vm.osDiskCreateOption === 'FromImage'
          ? { computerName: vm.computerName, adminUsername: 'azureuser', allowExtensionOperations: true, requireGuestProvisionSignal: true }
          : undefined,
      networkProfile: {
        networkInterfaces: [
          { id: `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Network/networkInterfaces/${vm.name}-nic` },
        ],
      },
      provisioningState: state.provisioningState(vm),
      timeCreated: iso(vm.createdAt),
      ...(expandInstanceView ? { instanceView: vmInstanceView(state, vm) } : {}),
    },
  };
}

function imageDiskJson(d: ImageDisk): Json {
  return {
    ...(d.lun !== undefined ? { lun: d.lun } : {}),
    ...(d.snapshotId ? { snapshot: { id: d.snapshotId } } : {}),
    ...(d.managedDiskId ? { managedDisk: { id: d.managedDiskId } } : {}),
    ...(d.blobUri ? { blobUri: d.blobUri } : {}),
    caching: 'ReadWrite',
    diskSizeGB: d.sizeGB,
    storageAccountType: d.storageAccountType,
  };
}

export function imageJson(state: AzureState, im: ImageRecord): Json {
  return {
    id: im.id,
    name: im.name,
    type: 'Microsoft.Compute/images',
    location: im.location,
    tags: tagsOf(im.tags),
    properties: {
      ...(im.sourceVmId ? { sourceVirtualMachine: { id: im.sourceVmId } } : {}),
      storageProfile: {
        osDisk: { osType: im.osType, osState: im.osState, ...imageDiskJson(im.osDisk) },
        dataDisks: im.dataDisks.map(imageDiskJson),
        zoneResilient: im.zoneResilient,
      },
      provisioningState: state.provisioningState(im),
      hyperVGeneration: im.hyperVGeneration,
    },
  };
}

export function galleryJson(g: GalleryRecord): Json {
  return {
    id: g.id,
    name: g.name,
    type: 'Microsoft.Compute/galleries',
    location: g.location,
    tags: tagsOf(g.tags),
    properties: { description: g.description, identifier: { uniqueName: g.uniqueName }, provisioningState: 'Succeeded' },
  };
}

export function galleryImageJson(i: GalleryImageRecord): Json {
  return {
    id: i.id,
    name: i.name,
    type: 'Microsoft.Compute/galleries/images',
    location: i.location,
    tags: tagsOf(i.tags),
    properties: {
      osType: i.osType,
      osState: i.osState,
      hyperVGeneration: i.hyperVGeneration,
      identifier: { ...i.identifier },
      provisioningState: 'Succeeded',
    },
  };
}

export function galleryImageVersionJson(v: GalleryImageVersionRecord, locations: readonly LocationInfo[]): Json {
  const display = (name: string) => locations.find((l) => l.name === name)?.displayName ?? name;
  return {
    id: v.id,
    name: v.name,
    type: 'Microsoft.Compute/galleries/images/versions',
    location: v.location,
    tags: tagsOf(v.tags),
    properties: {
      publishingProfile: {
        targetRegions: v.targetRegions.map((t) => ({ ...t, name: display(t.name) })),
        replicaCount: 1,
        excludeFromLatest: false,
        publishedDate: iso(v.createdAt),
        storageAccountType: 'Standard_LRS',
      },
      storageProfile: {
        source: { id: v.sourceId },
        osDiskImage: { sizeInGB: v.sizeGB, hostCaching: 'ReadWrite', source: { id: v.sourceId } },
      },
      provisioningState: 'Succeeded',
      replicationStatus: {
        aggregatedState: 'Completed',
        summary: v.targetRegions.map((t) => ({ region: display(t.name), state: 'Completed', progress: 100 })),
      },
    },
  };
}

export function diskEncryptionSetJson(d: DiskEncryptionSetRecord, tenantId: string): Json {
  return {
    id: d.id,
    name: d.name,
    type: 'Microsoft.Compute/diskEncryptionSets',
    location: d.location,
    tags: tagsOf(d.tags),
    identity: { type: 'SystemAssigned', principalId: d.principalId, tenantId },
    properties: {
      encryptionType: d.encryptionType,
      activeKey: { sourceVault: { id: d.vaultId }, keyUrl: d.keyUrl },
      previousKeys: [],
      provisioningState: 'Succeeded',
      rotationToLatestKeyVersionEnabled: false,
    },
  };
}

export function resourceGroupJson(rg: ResourceGroupRecord): Json {
  return {
    id: `/subscriptions/${rg.subscriptionId}/resourceGroups/${rg.name}`,
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
    tags: tagsOf(rg.tags),
    properties: { provisioningState: 'Succeeded' },
  };
}

export function subscriptionJson(s: SubscriptionRecord, tenantId: string): Json {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

export function tenantJson(t: TenantRecord): Json {
  return {
    id: `/tenants/${t.id}`,
    tenantId: t.id,
    countryCode: 'GB',
    displayName: t.displayName,
    domains: [t.defaultDomain],
    tenantCategory: 'Home',
    defaultDomain: t.defaultDomain,
    tenantType: 'AAD',
  };
}

export function locationJson(subscriptionId: string, l: LocationInfo): Json {
  return {
    id: `/subscriptions/${subscriptionId}/locations/${l.name}`,
    name: l.name,
    type: 'Region',
    displayName: l.displayName,
    regionalDisplayName: l.regionalDisplayName,
    metadata: {
      regionType: 'Physical',
      regionCategory: l.zones.length > 0 ? 'Recommended' : 'Other',
      geography: l.geography,
      geographyGroup: l.geographyGroup,
      longitude: l.longitude,
      latitude: l.latitude,
      physicalLocation: l.physicalLocation,
      ...(l.pairedRegion
        ? { pairedRegion: [{ name: l.pairedRegion, id: `/subscriptions/${subscriptionId}/locations/${l.pairedRegion}` }] }
        : {}),
    },
    availabilityZoneMappings: l.zones.map((z) => ({ logicalZone: z, physicalZone: `${l.name}-az${z}` })),
  };
}

/** The body of the Azure-AsyncOperation status endpoint. */
export function operationJson(state: AzureState, op: OperationRecord): Json {
  const status = state.operationStatus(op);
  return {
    name: op.id,
    status,
    startTime: iso(op.startAt),
    ...(status !== 'InProgress' ? { endTime: iso(op.endAt) } : {}),
    ...(status === 'Failed' && op.error ? { error: { code: op.error.code, message: op.error.message } } : {}),
    ...(status === 'Succeeded' && op.output !== undefined ? { properties: { output: op.output } } : {}),
  };
}
