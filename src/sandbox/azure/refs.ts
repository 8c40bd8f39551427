/**
 * The Azure sandbox state's vocabulary: the tenant and seeded subscription ids, LRO styles and
 * settings, the state file's shape, Compute resource ids, and the request inputs the operations take.
 */
import { createHash } from 'node:crypto';
import type { BlockStoreJson } from '../blocks';
import type { AccessGrant, AzureTiming, DiskEncryptionSetRecord, DiskRecord, GalleryImageRecord, GalleryImageVersionRecord, GalleryRecord, HyperVGeneration, ImageRecord, OperationRecord, OsType, ResourceGroupRecord, SnapshotRecord, SubscriptionRecord, Tags, TenantRecord, VmRecord } from './records';

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

export const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/([^/]+)\/([^/]+)$/i;

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
