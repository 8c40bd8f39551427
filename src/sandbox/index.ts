/**
 * The Snapkeeper sandbox: a local emulator of the clouds' APIs (AWS so far: EC2 Query + EBS
 * direct APIs), reached through the same SDKs as a real account. The extension and the tests
 * import exactly this module.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeleteImpact } from './blocks';
import { seedEstate } from './aws/seed';
import { AwsState, type AwsStateJson, OWNER_ID, type RegionCounts, type Timing } from './aws/state';
import { type FaultConfig, FaultInjector, normaliseFaults } from './faults';
import { SandboxServer, type SandboxRuntime } from './server';

export type { DeleteImpact } from './blocks';
export { BLOCK_SIZE } from './blocks';
export type { FaultConfig, OneShotFaults, RegionFault } from './faults';
export type { AwsState, RegionCounts, Timing } from './aws/state';
export { DEFAULT_TIMING } from './aws/state';
export { SANDBOX_KEY_HEADER } from './server';

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
  /** Clock for time-driven states (tests). */
  now?: () => number;
}

export interface SandboxInfo {
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; ownerId: string };
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
  setFaults(faults: FaultConfig): void;
  /** Writes the state file now (no-op without statePath). */
  save(): void;
  /** Stops the server and saves the state. */
  close(): Promise<void>;
}

const SAVE_DELAY_MS = 500;

function loadState(path: string | undefined, options: SandboxOptions): AwsState | undefined {
  if (!path) {
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const json = JSON.parse(text) as { aws?: AwsStateJson };
    if (!json.aws) {
      return undefined;
    }
    return AwsState.fromJSON(json.aws, { timing: options.timing, regions: options.awsRegions, now: options.now });
  } catch (error) {
    // Keep the unreadable file for inspection and start afresh rather than not at all.
    const aside = `${path}.unreadable-${Date.now()}`;
    renameSync(path, aside);
    console.warn(`[snapkeeper sandbox] could not load ${path} (${String(error)}); moved it to ${aside}`);
    return undefined;
  }
}

function freshState(options: SandboxOptions, seed: boolean): AwsState {
  const state = new AwsState({ timing: options.timing, regions: options.awsRegions, now: options.now });
  if (seed) {
    seedEstate(state);
  }
  return state;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const statePath = options.statePath;
  let aws = loadState(statePath, options) ?? freshState(options, options.seed ?? true);
  const faults = new FaultInjector(options.faults ? normaliseFaults(options.faults) : undefined);
  let savedRevision = -1;
  let saveTimer: NodeJS.Timeout | undefined;

  const save = (): void => {
    if (saveTimer) {
      clearTimeout(saveTimer);
      saveTimer = undefined;
    }
    if (!statePath || aws.revision === savedRevision) {
      return;
    }
    mkdirSync(dirname(statePath), { recursive: true });
    const temporary = `${statePath}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: 1, aws: aws.toJSON() }));
    renameSync(temporary, statePath);
    savedRevision = aws.revision;
  };

  const runtime: SandboxRuntime = {
    credentials: { accessKeyId: SANDBOX_ACCESS_KEY_ID, secretAccessKey: SANDBOX_SECRET_ACCESS_KEY },
    get aws() {
      return aws;
    },
    set aws(next: AwsState) {
      aws = next;
      savedRevision = -1;
    },
    faults,
    freshAws: (seed) => freshState(options, seed),
    changed: () => {
      if (statePath && !saveTimer) {
        saveTimer = setTimeout(save, SAVE_DELAY_MS);
        saveTimer.unref();
      }
    },
    // Only asked for while serving, by which time `info` is set.
    info: () => info,
  };

  const server = new SandboxServer(runtime);
  const port = await server.listen(options.port ?? 0);
  const firstRegion = aws.regions.find((r) => r.optInStatus !== 'not-opted-in')?.name ?? 'us-east-1';
  const info: SandboxInfo = {
    aws: {
      endpoint: `http://127.0.0.1:${port}`,
      region: firstRegion,
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      secretAccessKey: SANDBOX_SECRET_ACCESS_KEY,
      ownerId: OWNER_ID,
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

  return {
    info,
    aws: control,
    setFaults: (config) => faults.set(normaliseFaults(config)),
    save,
    close: async () => {
      await server.close();
      save();
    },
  };
}
