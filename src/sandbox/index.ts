/**
 * The Snapkeeper sandbox: a local emulator of the clouds' APIs (AWS: EC2 Query + EBS direct APIs
 * over HTTP; Azure: Resource Manager / Microsoft.Compute over HTTPS with a self-signed CA),
 * reached through the same SDKs as a real account. The extension and the tests import exactly
 * this module.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeleteImpact } from './blocks';
import { seedEstate } from './aws/seed';
import { AwsState, type AwsStateJson, OWNER_ID, type RegionCounts, type Timing } from './aws/state';
import { type FaultConfig, FaultInjector, normaliseFaults } from './faults';
import { SandboxServer, type SandboxRuntime } from './server';
import { loadOrCreateCertificate } from './azure/cert';
import { benchmarkEstate, seedAzure } from './azure/seed';
import { ArmServer } from './azure/server';
import {
  AzureState,
  type AzureCounts,
  type AzureStateJson,
  type AzureTiming,
  DEV_SUBSCRIPTION_ID,
  type LroStyle,
  PROD_SUBSCRIPTION_ID,
} from './azure/state';

const AZURE_SEEDED_IDS = { dev: DEV_SUBSCRIPTION_ID, prod: PROD_SUBSCRIPTION_ID };
import { benchmarkProjects, emptyGcp, seedGcp } from './gcp/seed';
import { SANDBOX_GCP_ACCESS_TOKEN } from './gcp/http';
import { GcpState, type GcpCounts, type GcpStateJson, type GcpTiming } from './gcp/state';
import { fixedToken, issueToken, SANDBOX_AZURE_CLIENT_ID, SANDBOX_AZURE_CLIENT_SECRET, SANDBOX_AZURE_TENANT_ID } from './azure/token';

export type { DeleteImpact } from './blocks';
export { BLOCK_SIZE } from './blocks';
export type { FaultConfig, OneShotFaults, RegionFault } from './faults';
export type { AwsState, RegionCounts, Timing } from './aws/state';
export { DEFAULT_TIMING } from './aws/state';
export { SANDBOX_KEY_HEADER } from './server';
export type { AzureCounts, AzureState, AzureTiming, LroStyle } from './azure/state';
export { DEFAULT_AZURE_TIMING, LRO_STYLES } from './azure/state';
export { SEEDED as AZURE_SEEDED } from './azure/seed';
export { SANDBOX_AZURE_CLIENT_ID, SANDBOX_AZURE_CLIENT_SECRET, SANDBOX_AZURE_TENANT_ID } from './azure/token';
export type { GcpCounts, GcpState, GcpTiming } from './gcp/state';
export { DEFAULT_GCP_TIMING } from './gcp/state';
export { SEEDED as GCP_SEEDED } from './gcp/seed';
export { SANDBOX_GCP_ACCESS_TOKEN } from './gcp/http';

/** Fixed sandbox credentials: not secrets, they only open the local sandbox. */
export const SANDBOX_ACCESS_KEY_ID = 'AKIASNAPKEEPERSANDBOX';
export const SANDBOX_SECRET_ACCESS_KEY = 'snapkeeper/sandbox/secret/key/not-a-real-secret';
export const SANDBOX_OWNER_ID = OWNER_ID;

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** JSON file: loaded if present, saved (debounced, and on close). */
  statePath?: string;
  timing?: Partial<Timing>;
  faults?: FaultConfig;
  /** Overrides the region list (e.g. 20 regions for benchmarks); the estate goes into the first 3 enabled. */
  awsRegions?: string[];
  /** Seed the estate when starting without saved state (default true). */
  seed?: boolean;
  /** Port of the Azure (ARM, HTTPS) listener on 127.0.0.1; 0 (the default) picks a free one. */
  azurePort?: number;
  azureTiming?: Partial<AzureTiming>;
  /** Items per page of Azure lists (default 100). */
  azurePageSize?: number;
  gcpTiming?: Partial<GcpTiming>;
  /** Largest page of Compute Engine lists (default 500, as the real service). */
  gcpPageSize?: number;
  /** Clock for time-driven states (tests). */
  now?: () => number;
}

export interface AzureSandboxInfo {
  /** ARM endpoint, https://127.0.0.1:PORT (pass as the SDK's `endpoint`). */
  endpoint: string;
  /** Entra authority host for @azure/identity (`authorityHost`): the same listener. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** A long-lived token ARM accepts (for curl / az rest: `Authorization: Bearer …`). */
  accessToken: string;
  subscriptions: { subscriptionId: string; displayName: string }[];
  /** The self-signed certificate to trust (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, tlsOptions.ca). */
  caCertPath: string;
  caCert: string;
}

export interface GcpSandboxInfo {
  /** http://127.0.0.1:PORT: Compute Engine v1 is under /compute/v1/ (the sandbox's main listener). */
  endpoint: string;
  /** For @google-cloud/compute: `{ apiEndpoint, port, protocol: 'http', fallback: true, authClient }`. */
  apiEndpoint: string;
  port: number;
  protocol: 'http';
  /** Project ids. */
  projects: string[];
  /** The bearer token Compute accepts (`Authorization: Bearer …`, CLOUDSDK_AUTH_ACCESS_TOKEN). */
  accessToken: string;
}

export interface SandboxInfo {
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; ownerId: string };
  azure: AzureSandboxInfo;
  gcp: GcpSandboxInfo;
}

/**
 * In-process access to the Google Cloud sandbox. Disks and snapshots are named by relative path
 * (`projects/p/zones/z/disks/d`, `projects/p/global/snapshots/s`), absolute URL or numeric id.
 */
export interface GcpSandboxControl {
  /** The whole state (records, block model); replaced by reset(). */
  readonly state: GcpState;
  /** Writes N MiB of new data to a disk; returns the blocks written (2 per MiB). */
  writeMiB(disk: string, mib: number): number;
  /** Adds `count` READY snapshots of a disk at once; returns their paths. */
  bulkSnapshots(disk: string, count: number): string[];
  /** Bytes a snapshot really stores (its `storageBytes`). */
  storedBytes(snapshot: string): number;
  /** What deleting a snapshot would free and hand over to the next snapshot of its chain. */
  deleteImpact(snapshot: string): DeleteImpact;
  /** Block indices that differ between two snapshots. */
  changedBlocks(firstSnapshot: string, secondSnapshot: string): number[];
  /** Benchmarks: `count` projects, each with bench-disk and `snapshotsEach` snapshots; returns their ids. */
  setProjectCount(count: number, snapshotsEach?: number): string[];
  /** Turns the Compute Engine API of a project off (403 accessNotConfigured) or on. */
  setApiEnabled(project: string, enabled: boolean): void;
  /** Largest list page (maxResults is capped at it). */
  setPageSize(size: number): void;
  /** Resource counts per project. */
  counts(): GcpCounts[];
  /** Drops the GCP state and starts again (seeded unless `seed` is false). */
  reset(seed?: boolean): void;
}

/** In-process access to the Azure sandbox. Ids are full ARM ids (matched case-insensitively). */
export interface AzureSandboxControl {
  /** The whole state (records, block model); replaced by reset(). */
  readonly state: AzureState;
  /** Writes N MiB of new data to a disk; returns the blocks written (2 per MiB). */
  writeMiB(diskId: string, mib: number): number;
  /** Adds `count` completed incremental snapshots of a disk at once; returns their ids. */
  bulkSnapshots(diskId: string, count: number): string[];
  /** Bytes a snapshot really stores (its own blocks). */
  storedBytes(snapshotId: string): number;
  /** What deleting a snapshot would free and hand over to later snapshots of its family. */
  deleteImpact(snapshotId: string): DeleteImpact;
  /** Block indices that differ between two snapshots. */
  changedBlocks(firstSnapshotId: string, secondSnapshotId: string): number[];
  /** How long-running operations answer: for one operationId (e.g. Snapshots_CreateOrUpdate) or all. */
  setLroStyle(style: LroStyle, operation?: string): void;
  /** Items per list page. */
  setPageSize(size: number): void;
  /** Benchmarks: `count` subscriptions, each with `snapshotsEach` snapshots; returns their ids. */
  setSubscriptionCount(count: number, snapshotsEach?: number): string[];
  /** A fresh token from the sandbox's issuer (e.g. a short-lived one to test expiry). */
  issueToken(lifetimeSeconds?: number): string;
  /** Resource counts per subscription. */
  counts(): AzureCounts[];
  /** Drops the Azure state and starts again (seeded unless `seed` is false). */
  reset(seed?: boolean): void;
}

/** In-process access to the AWS sandbox, for tests and the "Simulate Writes" command. */
export interface AwsSandboxControl {
  /** The whole state (records, block model); replaced by reset(). */
  readonly state: AwsState;
  /** Writes N MiB of new data to a volume; returns the blocks written (2 per MiB). */
  writeMiB(region: string, volumeId: string, mib: number): number;
  /** Adds `count` completed snapshots of a volume at once; returns their ids. */
  bulkSnapshots(region: string, volumeId: string, count: number): string[];
  /** Bytes a snapshot really stores (its own blocks). */
  storedBytes(region: string, snapshotId: string): number;
  /** What deleting a snapshot would free and hand over to its children. */
  deleteImpact(region: string, snapshotId: string): DeleteImpact;
  /** Block indices that differ between two snapshots. */
  changedBlocks(region: string, firstSnapshotId: string, secondSnapshotId: string): number[];
  /** Replaces the region list with `count` enabled regions; returns their names. */
  setRegionCount(count: number): string[];
  /** Resource counts per region. */
  counts(): RegionCounts[];
  /** Drops everything and starts again (seeded unless `seed` is false). */
  reset(seed?: boolean): void;
}

export interface Sandbox {
  readonly info: SandboxInfo;
  readonly aws: AwsSandboxControl;
  readonly azure: AzureSandboxControl;
  readonly gcp: GcpSandboxControl;
  setFaults(faults: FaultConfig): void;
  /** Writes the state file now (no-op without statePath). */
  save(): void;
  /** Stops the server and saves the state. */
  close(): Promise<void>;
}

const SAVE_DELAY_MS = 500;

interface LoadedState {
  aws?: AwsState;
  azure?: AzureState;
  gcp?: GcpState;
}

function loadState(path: string | undefined, options: SandboxOptions): LoadedState {
  if (!path) {
    return {};
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const json = JSON.parse(text) as { aws?: AwsStateJson; azure?: AzureStateJson; gcp?: GcpStateJson };
    return {
      aws: json.aws ? AwsState.fromJSON(json.aws, { timing: options.timing, regions: options.awsRegions, now: options.now }) : undefined,
      azure: json.azure ? AzureState.fromJSON(json.azure, azureOptions(options)) : undefined,
      gcp: json.gcp ? GcpState.fromJSON(json.gcp, gcpOptions(options)) : undefined,
    };
  } catch (error) {
    // Keep the unreadable file for inspection and start afresh rather than not at all.
    const aside = `${path}.unreadable-${Date.now()}`;
    renameSync(path, aside);
    console.warn(`[snapkeeper sandbox] could not load ${path} (${String(error)}); moved it to ${aside}`);
    return {};
  }
}

function freshState(options: SandboxOptions, seed: boolean): AwsState {
  const state = new AwsState({ timing: options.timing, regions: options.awsRegions, now: options.now });
  if (seed) {
    seedEstate(state);
  }
  return state;
}

function azureOptions(options: SandboxOptions) {
  return { timing: options.azureTiming, now: options.now, pageSize: options.azurePageSize };
}

function freshAzure(options: SandboxOptions, seed: boolean): AzureState {
  const state = new AzureState(azureOptions(options));
  if (seed) {
    seedAzure(state);
  } else {
    // Without the estate, still one tenant and the two subscriptions (empty).
    state.subscriptions = [
      { id: AZURE_SEEDED_IDS.dev, displayName: 'Snapkeeper Dev', state: 'Enabled' },
      { id: AZURE_SEEDED_IDS.prod, displayName: 'Snapkeeper Prod', state: 'Enabled' },
    ];
  }
  return state;
}

function gcpOptions(options: SandboxOptions) {
  return { timing: options.gcpTiming, now: options.now, pageSize: options.gcpPageSize };
}

function freshGcp(options: SandboxOptions, seed: boolean): GcpState {
  const state = new GcpState(gcpOptions(options));
  if (seed) {
    seedGcp(state);
  } else {
    emptyGcp(state);
  }
  return state;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const statePath = options.statePath;
  const loaded = loadState(statePath, options);
  let aws = loaded.aws ?? freshState(options, options.seed ?? true);
  let azure = loaded.azure ?? freshAzure(options, options.seed ?? true);
  let gcp = loaded.gcp ?? freshGcp(options, options.seed ?? true);
  const faults = new FaultInjector(options.faults ? normaliseFaults(options.faults) : undefined);
  let savedRevision = '';
  let saveTimer: NodeJS.Timeout | undefined;
  const revision = () => `${aws.revision}/${azure.revision}/${gcp.revision}`;

  const save = (): void => {
    if (saveTimer) {
      clearTimeout(saveTimer);
      saveTimer = undefined;
    }
    if (!statePath || revision() === savedRevision) {
      return;
    }
    mkdirSync(dirname(statePath), { recursive: true });
    const temporary = `${statePath}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: 1, aws: aws.toJSON(), azure: azure.toJSON(), gcp: gcp.toJSON() }));
    renameSync(temporary, statePath);
    savedRevision = revision();
  };

  const runtime: SandboxRuntime = {
    credentials: { accessKeyId: SANDBOX_ACCESS_KEY_ID, secretAccessKey: SANDBOX_SECRET_ACCESS_KEY },
    get aws() {
      return aws;
    },
    set aws(next: AwsState) {
      aws = next;
      savedRevision = '';
    },
    get azure() {
      return azure;
    },
    set azure(next: AzureState) {
      azure = next;
      savedRevision = '';
    },
    get gcp() {
      return gcp;
    },
    set gcp(next: GcpState) {
      gcp = next;
      savedRevision = '';
    },
    faults,
    freshAws: (seed) => freshState(options, seed),
    freshAzure: (seed) => freshAzure(options, seed),
    freshGcp: (seed) => freshGcp(options, seed),
    changed: () => {
      if (statePath && !saveTimer) {
        saveTimer = setTimeout(save, SAVE_DELAY_MS);
        saveTimer.unref();
      }
    },
    // Only asked for while serving, by which time `info` is set.
    info: () => info,
  };

  const certificate = loadOrCreateCertificate(statePath);
  const server = new SandboxServer(runtime);
  const armServer = new ArmServer(runtime, certificate);
  let port: number;
  let azurePort: number;
  try {
    port = await server.listen(options.port ?? 0);
    azurePort = await armServer.listen(options.azurePort ?? 0);
  } catch (error) {
    await server.close();
    certificate.cleanup?.();
    throw error;
  }
  const firstRegion = aws.regions.find((r) => r.optInStatus !== 'not-opted-in')?.name ?? 'us-east-1';
  const azureEndpoint = `https://127.0.0.1:${azurePort}`;
  const info: SandboxInfo = {
    aws: {
      endpoint: `http://127.0.0.1:${port}`,
      region: firstRegion,
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      secretAccessKey: SANDBOX_SECRET_ACCESS_KEY,
      ownerId: OWNER_ID,
    },
    azure: {
      endpoint: azureEndpoint,
      authorityHost: azureEndpoint,
      tenantId: SANDBOX_AZURE_TENANT_ID,
      clientId: SANDBOX_AZURE_CLIENT_ID,
      clientSecret: SANDBOX_AZURE_CLIENT_SECRET,
      accessToken: fixedToken(),
      get subscriptions() {
        return azure.subscriptions.map((s) => ({ subscriptionId: s.id, displayName: s.displayName }));
      },
      caCertPath: certificate.certPath,
      caCert: certificate.certPem,
    },
    gcp: {
      endpoint: `http://127.0.0.1:${port}`,
      apiEndpoint: '127.0.0.1',
      port,
      protocol: 'http',
      get projects() {
        return gcp.projects.map((p) => p.id);
      },
      accessToken: SANDBOX_GCP_ACCESS_TOKEN,
    },
  };
  if (statePath) {
    save();
  }

  const control: AwsSandboxControl = {
    get state() {
      return aws;
    },
    writeMiB: (region, volumeId, mib) => {
      const written = aws.writeMiB(region, volumeId, mib);
      runtime.changed();
      return written;
    },
    bulkSnapshots: (region, volumeId, count) => {
      const ids = aws.bulkSnapshots(region, volumeId, count);
      runtime.changed();
      return ids;
    },
    storedBytes: (region, snapshotId) => aws.storedBytes(region, snapshotId),
    deleteImpact: (region, snapshotId) => aws.deleteImpact(region, snapshotId),
    changedBlocks: (region, first, second) =>
      aws.blocks.changedBlocks(aws.snapshot(region, first).id, aws.snapshot(region, second).id),
    setRegionCount: (count) => {
      const names = aws.setRegionCount(count);
      runtime.changed();
      return names;
    },
    counts: () => aws.counts(),
    reset: (seed = true) => {
      runtime.aws = freshState(options, seed);
      runtime.changed();
    },
  };

  const changed = <T>(value: T): T => {
    runtime.changed();
    return value;
  };
  const azureControl: AzureSandboxControl = {
    get state() {
      return azure;
    },
    writeMiB: (diskId, mib) => changed(azure.writeMiB(diskId, mib)),
    bulkSnapshots: (diskId, count) => changed(azure.bulkSnapshots(diskId, count)),
    storedBytes: (snapshotId) => azure.storedBytes(snapshotId),
    deleteImpact: (snapshotId) => azure.deleteImpact(snapshotId),
    changedBlocks: (first, second) => azure.changedBlocks(first, second),
    setLroStyle: (style, operation) => changed(azure.setLroStyle(style, operation)),
    setPageSize: (size) => changed(azure.setPageSize(size)),
    setSubscriptionCount: (count, snapshotsEach = 0) => changed(benchmarkEstate(azure, count, snapshotsEach)),
    issueToken: (lifetimeSeconds) => issueToken(azure.now(), lifetimeSeconds ?? azure.timing.tokenLifetimeSeconds),
    counts: () => azure.counts(),
    reset: (seed = true) => {
      runtime.azure = freshAzure(options, seed);
      runtime.changed();
    },
  };

  const gcpControl: GcpSandboxControl = {
    get state() {
      return gcp;
    },
    writeMiB: (disk, mib) => changed(gcp.writeMiB(disk, mib)),
    bulkSnapshots: (disk, count) => changed(gcp.bulkSnapshots(disk, count)),
    storedBytes: (snapshot) => gcp.storedBytes(snapshot),
    deleteImpact: (snapshot) => gcp.deleteImpact(snapshot),
    changedBlocks: (first, second) => gcp.changedBlocks(first, second),
    setProjectCount: (count, snapshotsEach = 0) => changed(benchmarkProjects(gcp, count, snapshotsEach)),
    setApiEnabled: (project, enabled) => {
      gcp.project(project).apiEnabled = enabled;
      gcp.touch();
      runtime.changed();
    },
    setPageSize: (size) => {
      gcp.pageSize = size;
      gcp.touch();
      runtime.changed();
    },
    counts: () => gcp.counts(),
    reset: (seed = true) => {
      runtime.gcp = freshGcp(options, seed);
      runtime.changed();
    },
  };

  let closed = false;
  return {
    info,
    aws: control,
    azure: azureControl,
    gcp: gcpControl,
    setFaults: (config) => faults.set(normaliseFaults(config)),
    save,
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await Promise.all([server.close(), armServer.close()]);
      save();
      certificate.cleanup?.();
    },
  };
}
