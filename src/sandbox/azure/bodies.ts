/**
 * ARM request bodies read into the state's inputs (disks, snapshots, VMs, images), refused as ARM
 * refuses malformed content.
 */
import { ArmError } from './errors';
import type { ImageInput, VmInput } from './compute';
import type { DiskInput, SnapshotInput, Tags } from './state';

export type Json = Record<string, unknown>;

export function invalidContent(detail: string): ArmError {
  return new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${detail}'.`);
}

export function parseBody(body: Buffer): Json {
  if (body.length === 0) {
    throw invalidContent('The request body is empty');
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidContent((error as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidContent('The request body must be a JSON object');
  }
  return value as Json;
}

export function obj(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidContent(`Error converting value to type 'object'. Path '${path}'`);
  }
  return value as Json;
}

export function str(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalidContent(`Error converting value ${JSON.stringify(value)} to type 'System.String'. Path '${path}'`);
  }
  return value;
}

export function num(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidContent(`Could not convert ${JSON.stringify(value)} to integer. Path '${path}'`);
  }
  return value;
}

export function bool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'boolean') {
    throw invalidContent(`Could not convert ${JSON.stringify(value)} to boolean. Path '${path}'`);
  }
  return value;
}

export function tags(value: unknown): Tags | undefined {
  const t = obj(value, 'tags');
  if (!t) {
    return undefined;
  }
  const out: Tags = {};
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'string') {
      throw invalidContent(`Error converting value ${JSON.stringify(v)} to type 'System.String'. Path 'tags.${k}'`);
    }
    if (k.length > 512 || v.length > 256) {
      throw new ArmError(400, 'InvalidTag', `The tag name '${k.slice(0, 40)}' or its value exceeds the maximum length.`);
    }
    out[k] = v;
  }
  if (Object.keys(out).length > 50) {
    throw new ArmError(400, 'InvalidTagCount', 'A resource can have at most 50 tags.');
  }
  return out;
}

export function stringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalidContent(`Error converting value to type 'System.String[]'. Path '${path}'`);
  }
  return value as string[];
}

export function encryptionInput(props: Json | undefined): { type?: string; diskEncryptionSetId?: string } | undefined {
  const e = obj(props?.encryption, 'properties.encryption');
  return e
    ? { type: str(e.type, 'properties.encryption.type'), diskEncryptionSetId: str(e.diskEncryptionSetId, 'properties.encryption.diskEncryptionSetId') }
    : undefined;
}

export function creationInput(props: Json | undefined): { createOption?: string; sourceResourceId?: string } | undefined {
  const c = obj(props?.creationData, 'properties.creationData');
  return c
    ? { createOption: str(c.createOption, 'properties.creationData.createOption'), sourceResourceId: str(c.sourceResourceId, 'properties.creationData.sourceResourceId') }
    : undefined;
}

export function diskInput(body: Json): DiskInput {
  const props = obj(body.properties, 'properties');
  const sku = obj(body.sku, 'sku');
  const osType = str(props?.osType, 'properties.osType');
  const gen = str(props?.hyperVGeneration, 'properties.hyperVGeneration');
  return {
    location: str(body.location, 'location'),
    tags: tags(body.tags),
    sizeGB: num(props?.diskSizeGB, 'properties.diskSizeGB'),
    skuName: str(sku?.name, 'sku.name'),
    zones: stringList(body.zones, 'zones'),
    osType: osType === undefined ? undefined : /^windows$/i.test(osType) ? 'Windows' : 'Linux',
    hyperVGeneration: gen === undefined ? undefined : gen.toUpperCase() === 'V2' ? 'V2' : 'V1',
    encryption: encryptionInput(props),
    creationData: creationInput(props),
  };
}

export function snapshotInput(body: Json): SnapshotInput {
  const props = obj(body.properties, 'properties');
  const sku = obj(body.sku, 'sku');
  return {
    location: str(body.location, 'location'),
    tags: tags(body.tags),
    incremental: bool(props?.incremental, 'properties.incremental'),
    skuName: str(sku?.name, 'sku.name'),
    encryption: encryptionInput(props),
    creationData: creationInput(props),
  };
}

export function idOf(value: unknown, path: string): string | undefined {
  return str(obj(value, path)?.id, `${path}.id`);
}

export function vmInput(body: Json): VmInput {
  const props = obj(body.properties, 'properties');
  const storage = obj(props?.storageProfile, 'properties.storageProfile');
  const os = obj(storage?.osDisk, 'properties.storageProfile.osDisk');
  const data = storage?.dataDisks;
  if (data !== undefined && !Array.isArray(data)) {
    throw invalidContent("Error converting value to type 'DataDisk[]'. Path 'properties.storageProfile.dataDisks'");
  }
  return {
    location: str(body.location, 'location'),
    tags: tags(body.tags),
    vmSize: str(obj(props?.hardwareProfile, 'properties.hardwareProfile')?.vmSize, 'properties.hardwareProfile.vmSize'),
    zones: stringList(body.zones, 'zones'),
    osDisk: os
      ? {
          managedDiskId: idOf(os.managedDisk, 'properties.storageProfile.osDisk.managedDisk'),
          osType: str(os.osType, 'properties.storageProfile.osDisk.osType'),
          createOption: str(os.createOption, 'properties.storageProfile.osDisk.createOption'),
          name: str(os.name, 'properties.storageProfile.osDisk.name'),
        }
      : undefined,
    dataDisks: (data as unknown[] | undefined)?.map((d, i) => {
      const path = `properties.storageProfile.dataDisks[${i}]`;
      const disk = obj(d, path) ?? {};
      return {
        lun: num(disk.lun, `${path}.lun`) ?? -1,
        managedDiskId: idOf(disk.managedDisk, `${path}.managedDisk`),
        createOption: str(disk.createOption, `${path}.createOption`),
        caching: str(disk.caching, `${path}.caching`),
        name: str(disk.name, `${path}.name`),
      };
    }),
  };
}

export function imageInput(body: Json): ImageInput {
  const props = obj(body.properties, 'properties');
  const storage = obj(props?.storageProfile, 'properties.storageProfile');
  const os = obj(storage?.osDisk, 'properties.storageProfile.osDisk');
  const data = storage?.dataDisks;
  const diskOf = (d: Json, path: string) => ({
    snapshotId: idOf(d.snapshot, `${path}.snapshot`),
    managedDiskId: idOf(d.managedDisk, `${path}.managedDisk`),
    blobUri: str(d.blobUri, `${path}.blobUri`),
    diskSizeGB: num(d.diskSizeGB, `${path}.diskSizeGB`),
    storageAccountType: str(d.storageAccountType, `${path}.storageAccountType`),
  });
  return {
    location: str(body.location, 'location'),
    tags: tags(body.tags),
    sourceVirtualMachineId: idOf(props?.sourceVirtualMachine, 'properties.sourceVirtualMachine'),
    osDisk: os
      ? {
          ...diskOf(os, 'properties.storageProfile.osDisk'),
          osType: str(os.osType, 'properties.storageProfile.osDisk.osType'),
          osState: str(os.osState, 'properties.storageProfile.osDisk.osState'),
        }
      : undefined,
    dataDisks: Array.isArray(data)
      ? data.map((d, i) => {
          const path = `properties.storageProfile.dataDisks[${i}]`;
          const disk = obj(d, path) ?? {};
          return { lun: num(disk.lun, `${path}.lun`) ?? i, ...diskOf(disk, path) };
        })
      : undefined,
    zoneResilient: bool(storage?.zoneResilient, 'properties.storageProfile.zoneResilient'),
    hyperVGeneration: str(props?.hyperVGeneration, 'properties.hyperVGeneration'),
  };
}
