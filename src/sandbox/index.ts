/**
 * The Snapkeeper sandbox: a local emulator of the clouds' own APIs, reached through the same SDKs
 * as a real account. Each cloud is a backend in its own folder (registry.ts); this module starts
 * them on one shared HTTP listener (server.ts) plus whatever listeners of their own they need,
 * keeps their state in one file and offers them to the extension and the tests.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CloudContext, SANDBOX_KEY, type SandboxCloud, type SandboxClouds } from './backend';
import { SandboxClock } from './clock';
import { type FaultConfig, FaultInjector, normaliseFaults } from './faults';
import { sandboxBackends } from './registry';
import { SandboxServer, type SandboxRuntime } from './server';

export type { CloudInfo, CloudTypes, SandboxClouds } from './backend';
export { SANDBOX_KEY, SANDBOX_KEY_HEADER } from './backend';
export type { DeleteImpact } from './blocks';
export { BLOCK_SIZE } from './blocks';
export type { FaultConfig, OneShotFaults, RegionFault } from './faults';
export { backendKinds } from './registry';

/** Each cloud's options, by kind (see the cloud's backend.ts). */
export type SandboxCloudOptions = { [K in keyof SandboxClouds]?: SandboxClouds[K]['options'] };

export interface SandboxOptions {
  /** Port of the shared listener on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** JSON file: loaded if present, saved (debounced, and on close). */
  statePath?: string;
  faults?: FaultConfig;
  /** Seed the estates when starting without saved state (default true). */
  seed?: boolean;
  /** Clock for time-driven states (tests). */
  now?: () => number;
  /** Options of each cloud, by kind: `{ clouds: { <kind>: {…} } }`. */
  clouds?: SandboxCloudOptions;
}

/** Each cloud's info, by kind: where its API answers and the credentials it takes. */
export type SandboxInfo = { [K in keyof SandboxClouds]: SandboxClouds[K]['info'] };

/** Each cloud's in-process control, by kind. */
export type SandboxControls = { readonly [K in keyof SandboxClouds]: SandboxClouds[K]['control'] };

export interface Sandbox {
  readonly info: SandboxInfo;
  /** In-process access to each cloud (tests, "Simulate Writes", benchmarks). */
  readonly clouds: SandboxControls;
  setFaults(faults: FaultConfig): void;
  /** The sandbox's time (ms since the epoch): the real clock plus how far it was advanced. */
  now(): number;
  /**
   * Moves the sandbox's time forward by `ms`: every cloud then does what its scheduled policies
   * would have done meanwhile (each snapshot taken at its scheduled time, retention applied).
   * Answers what each cloud did, by kind.
   */
  advanceClock(ms: number): Record<string, unknown>;
  /** Writes the state file now (no-op without statePath). */
  save(): void;
  /** Stops the listeners and saves the state. */
  close(): Promise<void>;
}

const SAVE_DELAY_MS = 500;

/** Each cloud's member of the state file, or undefined when there is none (or it cannot be read). */
function readStateFile(path: string | undefined): Record<string, unknown> | undefined {
  if (!path) {
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** The state file's members, undefined without one, or the error that kept it from being read. */
function readSaved(path: string | undefined): Record<string, unknown> | Error | undefined {
  try {
    return readStateFile(path);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** How far the saved sandbox's clock was ahead (0 for a state file written before the clock moved). */
function clockOffsetOf(saved: Record<string, unknown> | Error | undefined): number {
  const offset = saved instanceof Error ? undefined : saved?.clockOffsetMs;
  return typeof offset === 'number' && Number.isFinite(offset) && offset > 0 ? offset : 0;
}

/** Lets every cloud do what its clock made due; what each did, by kind (those that did nothing left out). */
export function tickAll(clouds: ReadonlyMap<string, SandboxCloud>): Record<string, unknown> {
  const done: Record<string, unknown> = {};
  for (const [kind, cloud] of clouds) {
    const result = cloud.tick?.();
    if (result !== undefined) {
      done[kind] = result;
    }
  }
  return done;
}

/** Keeps an unreadable state file for inspection; the sandbox starts afresh rather than not at all. */
function setAside(path: string, error: unknown): void {
  const aside = `${path}.unreadable-${Date.now()}`;
  renameSync(path, aside);
  console.warn(`[snapkeeper sandbox] could not load ${path} (${String(error)}); moved it to ${aside}`);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const statePath = options.statePath;
  const seed = options.seed ?? true;
  const faults = new FaultInjector(options.faults ? normaliseFaults(options.faults) : undefined);
  let savedRevision = '';
  let saveTimer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    if (statePath && !saveTimer) {
      saveTimer = setTimeout(save, SAVE_DELAY_MS);
      saveTimer.unref();
    }
  };
  const replaced = (): void => {
    savedRevision = '';
    changed();
  };
  const cloudOptions = (options.clouds ?? {}) as Record<string, Readonly<Record<string, unknown>> | undefined>;
  const saved = readSaved(statePath);
  const clock = new SandboxClock(options.now, clockOffsetOf(saved));
  const contextOf = (kind: string): CloudContext => ({
    options: cloudOptions[kind] ?? {},
    now: clock.now,
    statePath,
    key: SANDBOX_KEY,
    faults,
    changed,
    replaced,
  });
  const openAll = (saved: Record<string, unknown> | undefined): Map<string, SandboxCloud> =>
    new Map(sandboxBackends().map((backend) => [backend.kind, backend.open(contextOf(backend.kind), saved?.[backend.kind], seed)]));

  let clouds: Map<string, SandboxCloud>;
  try {
    if (saved instanceof Error) {
      throw saved;
    }
    clouds = openAll(saved);
  } catch (error) {
    setAside(statePath as string, error);
    clouds = openAll(undefined);
  }
  const revision = () => [clock.offsetMs, ...[...clouds.values()].map((cloud) => cloud.revision())].join('/');

  function save(): void {
    if (saveTimer) {
      clearTimeout(saveTimer);
      saveTimer = undefined;
    }
    const current = revision();
    if (!statePath || current === savedRevision) {
      return;
    }
    mkdirSync(dirname(statePath), { recursive: true });
    const temporary = `${statePath}.${process.pid}.tmp`;
    const members = [...clouds].map(([kind, cloud]) => [kind, cloud.toJSON()]);
    writeFileSync(temporary, JSON.stringify({ version: 1, clockOffsetMs: clock.offsetMs, ...Object.fromEntries(members) }));
    renameSync(temporary, statePath);
    savedRevision = current;
  }

  const info: Record<string, unknown> = {};
  const advanceClock = (ms: number): Record<string, unknown> => {
    clock.advance(ms);
    changed();
    return tickAll(clouds);
  };
  const runtime: SandboxRuntime = { key: SANDBOX_KEY, clouds, faults, changed, replaced, info: () => info, clock, advanceClock };
  const server = new SandboxServer(runtime);
  const listening: SandboxCloud[] = [];
  try {
    const port = await server.listen(options.port ?? 0);
    for (const cloud of clouds.values()) {
      await cloud.listen();
      listening.push(cloud);
    }
    for (const [kind, cloud] of clouds) {
      info[kind] = cloud.info({ endpoint: `http://127.0.0.1:${port}`, port });
    }
  } catch (error) {
    await Promise.all([server.close(), ...listening.map((cloud) => cloud.close())]);
    throw error;
  }
  if (statePath) {
    save();
  }

  let closed = false;
  return {
    info: info as SandboxInfo,
    clouds: Object.fromEntries([...clouds].map(([kind, cloud]) => [kind, cloud.control])) as SandboxControls,
    setFaults: (config) => faults.set(normaliseFaults(config)),
    now: clock.now,
    advanceClock,
    save,
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await Promise.all([server.close(), ...[...clouds.values()].map((cloud) => cloud.close())]);
      save();
    },
  };
}
