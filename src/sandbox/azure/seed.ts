/**
 * The seeded Azure estate: one tenant, two subscriptions ("Snapkeeper Dev", "Snapkeeper Prod"),
 * resource groups in eastus / westeurope / uksouth, VMs (running, deallocated, generalized) with
 * OS and data disks, an unattached disk, an incremental snapshot chain with different amounts of
 * data between snapshots, a full snapshot, a cross-region copy, a snapshot whose disk was
 * deleted, a managed image, a gallery with an image version and a disk encrypted with a
 * customer-managed key. Everything is complete (dated in the past) when seeding returns.
 */
import { generalize, powerAction, putImage, putVm } from './compute';
import {
  type AzureState,
  type BaseRecord,
  computeId,
  DEV_SUBSCRIPTION_ID,
  type DiskInput,
  guidFrom,
  PROD_SUBSCRIPTION_ID,
} from './state';

const HOUR = 3600_000;

/** Ids worth knowing (tests, docs). */
export const SEEDED = {
  devSubscriptionId: DEV_SUBSCRIPTION_ID,
  prodSubscriptionId: PROD_SUBSCRIPTION_ID,
  /** The data disk of web-01 with the snapshot chain web-01-data-snap-1…3. */
  chainDiskId: computeId(DEV_SUBSCRIPTION_ID, 'rg-web', 'disks', 'web-01-data'),
  chainSnapshotIds: [1, 2, 3].map((i) => computeId(DEV_SUBSCRIPTION_ID, 'rg-web', 'snapshots', `web-01-data-snap-${i}`)),
  runningVmId: computeId(DEV_SUBSCRIPTION_ID, 'rg-web', 'virtualMachines', 'web-01'),
  deallocatedVmId: computeId(DEV_SUBSCRIPTION_ID, 'rg-data', 'virtualMachines', 'db-01'),
  generalizedVmId: computeId(DEV_SUBSCRIPTION_ID, 'rg-images', 'virtualMachines', 'build-template'),
  unattachedDiskId: computeId(DEV_SUBSCRIPTION_ID, 'rg-web', 'disks', 'scratch-disk'),
  diskEncryptionSetId: computeId(DEV_SUBSCRIPTION_ID, 'rg-security', 'diskEncryptionSets', 'des-cmk'),
};

function disk(state: AzureState, sub: string, rg: string, name: string, input: DiskInput): string {
  return state.putDisk(sub, rg, name, { creationData: { createOption: 'Empty' }, skuName: 'Premium_LRS', ...input }).record.id;
}

function snapshot(state: AzureState, sub: string, rg: string, name: string, source: string, location: string, incremental = true, tags?: Record<string, string>): string {
  return state.putSnapshot(sub, rg, name, { location, incremental, tags, creationData: { createOption: 'Copy', sourceResourceId: source } }).record.id;
}

/** Ends every transition and operation now (so a seeded VM can be generalized, …). */
function settle(state: AzureState): void {
  const now = state.now();
  const done = (r: BaseRecord) => {
    r.readyAt = Math.min(r.readyAt, now - 1);
    r.updating = false;
  };
  for (const map of [state.disks, state.snapshots, state.vms, state.images] as Map<string, BaseRecord>[]) {
    map.forEach(done);
  }
  for (const vm of state.vms.values()) {
    if (vm.transition) {
      vm.transition.endAt = Math.min(vm.transition.endAt, now - 1);
    }
  }
  for (const snap of state.snapshots.values()) {
    if (snap.copy) {
      snap.copy.doneAt = Math.min(snap.copy.doneAt, now - 1);
    }
  }
  for (const op of state.operations.values()) {
    op.endAt = Math.min(op.endAt, now - 1);
  }
}

/** Dates the seeded records over the last 30 days, in creation order. */
function backdate(state: AzureState): void {
  const now = state.now();
  const all = [state.disks, state.snapshots, state.vms, state.images, state.galleries, state.galleryImages, state.galleryImageVersions, state.diskEncryptionSets] as Map<string, BaseRecord>[];
  const records = all.flatMap((m) => [...m.values()]).sort((a, b) => a.seq - b.seq);
  const start = now - 30 * 24 * HOUR;
  const step = Math.floor((29 * 24 * HOUR) / Math.max(1, records.length));
  records.forEach((r, i) => {
    r.createdAt = start + i * step;
    r.readyAt = r.createdAt + 60_000;
    if ('timeCreatedAt' in r) {
      (r as { timeCreatedAt: number }).timeCreatedAt = r.createdAt;
    }
  });
  for (const vm of state.vms.values()) {
    if (vm.transition) {
      vm.transition.startAt = vm.createdAt;
      vm.transition.endAt = vm.readyAt;
    }
  }
  for (const snap of state.snapshots.values()) {
    if (snap.copy) {
      snap.copy.doneAt = snap.readyAt + 60_000;
    }
  }
  state.operations.clear();
}

export function seedAzure(state: AzureState): void {
  state.subscriptions = [
    { id: DEV_SUBSCRIPTION_ID, displayName: 'Snapkeeper Dev', state: 'Enabled' },
    { id: PROD_SUBSCRIPTION_ID, displayName: 'Snapkeeper Prod', state: 'Enabled' },
  ];
  const dev = DEV_SUBSCRIPTION_ID;
  const prod = PROD_SUBSCRIPTION_ID;
  state.putGroup(dev, 'rg-web', 'eastus', { env: 'dev', owner: 'web-team' });
  state.putGroup(dev, 'rg-data', 'westeurope', { env: 'dev', owner: 'data-team' });
  state.putGroup(dev, 'rg-images', 'eastus', { env: 'dev' });
  state.putGroup(dev, 'rg-security', 'eastus', { env: 'dev' });
  state.putGroup(dev, 'rg-dr', 'uksouth', { env: 'dev', purpose: 'disaster-recovery' });
  state.putGroup(prod, 'rg-prod', 'uksouth', { env: 'prod' });

  // A disk encryption set with a customer-managed key.
  const desId = SEEDED.diskEncryptionSetId;
  state.diskEncryptionSets.set(desId.toLowerCase(), {
    id: desId,
    name: 'des-cmk',
    subscriptionId: dev,
    resourceGroup: 'rg-security',
    location: 'eastus',
    tags: { purpose: 'cmk' },
    createdAt: state.now(),
    readyAt: state.now(),
    seq: state.seq(),
    encryptionType: 'EncryptionAtRestWithCustomerKey',
    vaultId: `/subscriptions/${dev}/resourceGroups/rg-security/providers/Microsoft.KeyVault/vaults/kv-snapkeeper`,
    keyUrl: 'https://kv-snapkeeper.vault.azure.net/keys/disk-key/0f4c2b7e9a1d4c3b8e6f5a4b3c2d1e0f',
    principalId: guidFrom('des-cmk-principal'),
  });

  // web-01: running, eastus, zone 1; its data disk is encrypted with the customer-managed key.
  const webOs = disk(state, dev, 'rg-web', 'web-01_OsDisk_1', { location: 'eastus', sizeGB: 30, osType: 'Linux', hyperVGeneration: 'V2', zones: ['1'], tags: { role: 'os' } });
  const webData = disk(state, dev, 'rg-web', 'web-01-data', {
    location: 'eastus',
    sizeGB: 128,
    zones: ['1'],
    tags: { role: 'data', backup: 'daily' },
    encryption: { type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: desId },
  });
  putVm(state, dev, 'rg-web', 'web-01', {
    location: 'eastus',
    vmSize: 'Standard_D2s_v5',
    zones: ['1'],
    tags: { env: 'dev', app: 'web' },
    osDisk: { managedDiskId: webOs, createOption: 'Attach', osType: 'Linux' },
    dataDisks: [{ lun: 0, managedDiskId: webData, createOption: 'Attach', caching: 'ReadOnly' }],
  }, 'PUT');
  // The chain: 200 MiB, then 50 MiB, then 20 MiB of new data between snapshots.
  state.writeMiB(webOs, 600);
  state.writeMiB(webData, 200);
  snapshot(state, dev, 'rg-web', 'web-01-os-snap-1', webOs, 'eastus', true, { kind: 'os' });
  snapshot(state, dev, 'rg-web', 'web-01-data-snap-1', webData, 'eastus', true, { chain: 'web-01-data' });
  state.writeMiB(webData, 50);
  snapshot(state, dev, 'rg-web', 'web-01-data-snap-2', webData, 'eastus', true, { chain: 'web-01-data' });
  state.writeMiB(webData, 20);
  snapshot(state, dev, 'rg-web', 'web-01-data-snap-3', webData, 'eastus', true, { chain: 'web-01-data' });
  state.writeMiB(webData, 10);

  // An unattached disk.
  const scratch = disk(state, dev, 'rg-web', 'scratch-disk', { location: 'eastus', sizeGB: 64, skuName: 'StandardSSD_LRS', tags: { temp: 'true' } });
  state.writeMiB(scratch, 16);

  // A snapshot whose disk was deleted.
  const old = disk(state, dev, 'rg-web', 'old-app-disk', { location: 'eastus', sizeGB: 32, skuName: 'Standard_LRS' });
  state.writeMiB(old, 40);
  snapshot(state, dev, 'rg-web', 'old-app-disk-snap', old, 'eastus', true, { note: 'disk deleted' });

  // db-01: deallocated, westeurope, with a full snapshot of its OS disk.
  const dbOs = disk(state, dev, 'rg-data', 'db-01-os', { location: 'westeurope', sizeGB: 64, osType: 'Linux', hyperVGeneration: 'V2' });
  const dbData = disk(state, dev, 'rg-data', 'db-01-data', { location: 'westeurope', sizeGB: 256, tags: { role: 'data' } });
  putVm(state, dev, 'rg-data', 'db-01', {
    location: 'westeurope',
    vmSize: 'Standard_E4s_v5',
    tags: { env: 'dev', app: 'db' },
    osDisk: { managedDiskId: dbOs, createOption: 'Attach', osType: 'Linux' },
    dataDisks: [{ lun: 0, managedDiskId: dbData, createOption: 'Attach', caching: 'None' }],
  }, 'PUT');
  state.writeMiB(dbOs, 300);
  state.writeMiB(dbData, 120);
  snapshot(state, dev, 'rg-data', 'db-01-os-full', dbOs, 'westeurope', false, { kind: 'full' });
  snapshot(state, dev, 'rg-data', 'db-01-data-snap-1', dbData, 'westeurope', true);

  // build-template: a generalized Windows VM (deallocated), and an image of it.
  const buildOs = disk(state, dev, 'rg-images', 'build-template-os', { location: 'eastus', sizeGB: 127, osType: 'Windows', hyperVGeneration: 'V1' });
  state.writeMiB(buildOs, 900);
  putVm(state, dev, 'rg-images', 'build-template', {
    location: 'eastus',
    vmSize: 'Standard_B2s',
    tags: { env: 'dev', role: 'template' },
    osDisk: { managedDiskId: buildOs, createOption: 'Attach', osType: 'Windows' },
  }, 'PUT');
  settle(state);
  state.deleteDisk(state.disk(old));
  powerAction(state, state.find(state.vms, 'virtualMachines', dev, 'rg-data', 'db-01'), 'deallocate');
  const build = state.find(state.vms, 'virtualMachines', dev, 'rg-images', 'build-template');
  powerAction(state, build, 'deallocate');
  settle(state);
  generalize(state, build);
  putImage(state, dev, 'rg-images', 'build-template-image', { location: 'eastus', sourceVirtualMachineId: build.id, tags: { os: 'windows' } });

  // A cross-region copy (complete) of the first chain snapshot in uksouth.
  state.putSnapshot(dev, 'rg-dr', 'web-01-data-snap-1-uksouth', {
    location: 'uksouth',
    incremental: true,
    tags: { copyOf: 'web-01-data-snap-1' },
    creationData: { createOption: 'CopyStart', sourceResourceId: SEEDED.chainSnapshotIds[0] },
  });

  // A gallery with one image definition and one version (from web-01's OS snapshot).
  const galleryId = computeId(dev, 'rg-images', 'galleries', 'snapkeeper_gallery');
  const base = { subscriptionId: dev, resourceGroup: 'rg-images', location: 'eastus', tags: {}, createdAt: state.now(), readyAt: state.now() };
  state.galleries.set(galleryId.toLowerCase(), { ...base, id: galleryId, name: 'snapkeeper_gallery', seq: state.seq(), description: 'Sandbox images', uniqueName: `${guidFrom('gallery').slice(0, 8)}-SNAPKEEPER_GALLERY` });
  const imageId = `${galleryId}/images/ubuntu-web`;
  state.galleryImages.set(imageId.toLowerCase(), {
    ...base,
    id: imageId,
    name: 'ubuntu-web',
    seq: state.seq(),
    galleryName: 'snapkeeper_gallery',
    osType: 'Linux',
    osState: 'Generalized',
    hyperVGeneration: 'V2',
    identifier: { publisher: 'Snapkeeper', offer: 'ubuntu-web', sku: '22_04' },
  });
  const versionId = `${imageId}/versions/1.0.0`;
  state.galleryImageVersions.set(versionId.toLowerCase(), {
    ...base,
    id: versionId,
    name: '1.0.0',
    seq: state.seq(),
    galleryName: 'snapkeeper_gallery',
    imageName: 'ubuntu-web',
    sourceId: computeId(dev, 'rg-web', 'snapshots', 'web-01-os-snap-1'),
    sizeGB: 30,
    targetRegions: [
      { name: 'eastus', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' },
      { name: 'westeurope', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' },
    ],
  });

  // Prod: one running VM in uksouth with a snapshot of its data disk.
  const appOs = disk(state, prod, 'rg-prod', 'app-prod-01-os', { location: 'uksouth', sizeGB: 64, osType: 'Linux', hyperVGeneration: 'V2', zones: ['2'] });
  const appData = disk(state, prod, 'rg-prod', 'app-prod-01-data', { location: 'uksouth', sizeGB: 512, zones: ['2'], skuName: 'Premium_ZRS', tags: { role: 'data', tier: 'gold' } });
  putVm(state, prod, 'rg-prod', 'app-prod-01', {
    location: 'uksouth',
    vmSize: 'Standard_D4s_v5',
    zones: ['2'],
    tags: { env: 'prod' },
    osDisk: { managedDiskId: appOs, createOption: 'Attach', osType: 'Linux' },
    dataDisks: [{ lun: 0, managedDiskId: appData, createOption: 'Attach', caching: 'ReadOnly' }],
  }, 'PUT');
  state.writeMiB(appOs, 400);
  state.writeMiB(appData, 1024);
  snapshot(state, prod, 'rg-prod', 'app-prod-01-data-snap-1', appData, 'uksouth', true, { backup: 'nightly' });
  settle(state);
  backdate(state);
  state.touch();
}

/** Without the estate: still the tenant and the two subscriptions (empty). */
export function emptyAzure(state: AzureState): void {
  state.subscriptions = [
    { id: DEV_SUBSCRIPTION_ID, displayName: 'Snapkeeper Dev', state: 'Enabled' },
    { id: PROD_SUBSCRIPTION_ID, displayName: 'Snapkeeper Prod', state: 'Enabled' },
  ];
}

/**
 * Benchmarks: exactly `count` subscriptions (the seeded ones first, then "Snapkeeper Bench N"),
 * each with a resource group rg-bench (eastus) holding a disk bench-disk with `snapshotsEach`
 * completed incremental snapshots. Returns the subscription ids.
 */
export function benchmarkEstate(state: AzureState, count: number, snapshotsEach: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    throw new TypeError('count must be a whole number between 1 and 500');
  }
  if (!Number.isInteger(snapshotsEach) || snapshotsEach < 0 || snapshotsEach > 100000) {
    throw new TypeError('snapshotsEach must be a whole number between 0 and 100000');
  }
  const kept = state.subscriptions.slice(0, count);
  const dropped = new Set(state.subscriptions.slice(count).map((s) => s.id));
  for (let i = kept.length; i < count; i++) {
    kept.push({ id: guidFrom(`bench-subscription-${i + 1}`), displayName: `Snapkeeper Bench ${i + 1}`, state: 'Enabled' });
  }
  state.subscriptions = kept;
  if (dropped.size > 0) {
    for (const map of [state.disks, state.snapshots, state.vms, state.images, state.galleries, state.galleryImages, state.galleryImageVersions, state.diskEncryptionSets] as Map<string, BaseRecord>[]) {
      for (const [key, record] of map) {
        if (dropped.has(record.subscriptionId)) {
          map.delete(key);
        }
      }
    }
    for (const [key, rg] of state.resourceGroups) {
      if (dropped.has(rg.subscriptionId)) {
        state.resourceGroups.delete(key);
      }
    }
  }
  for (const sub of kept) {
    state.putGroup(sub.id, 'rg-bench', 'eastus', { purpose: 'benchmark' });
    const diskId = computeId(sub.id, 'rg-bench', 'disks', 'bench-disk');
    if (!state.disks.has(diskId.toLowerCase())) {
      const record = state.putDisk(sub.id, 'rg-bench', 'bench-disk', { location: 'eastus', sizeGB: 64, creationData: { createOption: 'Empty' } }).record;
      record.readyAt = state.now() - 1;
      state.writeMiB(diskId, 8);
    }
    const have = state.list(state.snapshots, sub.id, 'rg-bench').filter((s) => s.sourceDiskId?.toLowerCase() === diskId.toLowerCase()).length;
    if (have < snapshotsEach) {
      state.bulkSnapshots(diskId, snapshotsEach - have);
    }
  }
  state.touch();
  return kept.map((s) => s.id);
}
