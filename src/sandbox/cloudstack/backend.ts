/**
 * Apache CloudStack in the sandbox: the signed query API at `/client/api` on the shared HTTP
 * listener (JSON or XML), its async job table on the sandbox clock, the `/_sandbox/cloudstack/…`
 * control endpoints, and its in-process control.
 */
import type { IncomingMessage } from 'node:http';
import { type CloudContext, type SandboxBackend, type SandboxCloud, SANDBOX_KEY_HEADER } from '../backend';
import { CloudKit, type StateControl } from '../cloud-kit';
import { csControlRoute, csSnapshotFacts, type CsSnapshotFacts, csSummary, failNextJob, setClockSkew, setPageSize } from './control';
import { CsError } from './errors';
import { CLOUDSTACK_API_PATH, type CsRuntime, SANDBOX_CLOUDSTACK_KEYS, serveCloudStack } from './http';
import { benchmarkZones, emptyCloudStack, seedCloudStack } from './seed';
import { type CsCounts, CsState, type CsStateJson, type CsTiming, type JobRecord, type SnapshotRecord, type TemplateRecord, type VmSnapshotRecord, type VolumeRecord } from './state';

export type { CsCounts, CsState, CsTiming } from './state';
export { DEFAULT_CS_TIMING, INSTANT_CS_TIMING } from './state';
export { SEEDED as CLOUDSTACK_SEEDED } from './seed';
export { SANDBOX_CLOUDSTACK_KEYS } from './http';
export type { CsSnapshotFacts } from './control';

export interface CloudStackSandboxOptions {
  /** Job durations (ms); `INSTANT_CS_TIMING` ends every job at once. */
  timing?: Partial<CsTiming>;
  /** `default.page.size`: the largest `pagesize` and the page a list answers without one (default 500). */
  pageSize?: number;
}

export interface CloudStackSandboxInfo {
  /** http://127.0.0.1:PORT/client/api */
  endpoint: string;
  apiKey: string;
  secretKey: string;
}

/** In-process access to the CloudStack sandbox (tests' oracle, "Simulate Writes", benchmarks). */
export interface CloudStackSandboxControl extends StateControl<CsState> {
  volumes(): VolumeRecord[];
  /** Volume snapshots (one record per snapshot; its zone copies in `copies`). */
  snapshots(): SnapshotRecord[];
  vmSnapshots(): VmSnapshotRecord[];
  /** The account's templates. */
  templates(): TemplateRecord[];
  jobs(): JobRecord[];
  /** What the block model says about a snapshot (physical bytes per zone, parent, delete impact). */
  snapshotFacts(snapshotId: string): CsSnapshotFacts;
  /** Writes N MiB of new data to a volume; returns the bytes changed. */
  writeMiB(volumeId: string, mib: number): number;
  setTiming(timing: Partial<CsTiming>): void;
  setPageSize(size: number): void;
  /** The server's clock runs `ms` ahead (negative: behind) when judging a signature's `expires`. */
  setClockSkew(ms: number): void;
  /** The next async job (of `command`, if given) answers jobstatus 0 to `afterPolls` polls, then 2 with `errortext`. */
  failNextJob(afterPolls: number, errortext: string, command?: string): void;
  /** Adds `count` BackedUp snapshots of a volume at once; returns their ids. */
  bulkSnapshots(volumeId: string, count: number): string[];
  /** Benchmarks: `count` zones (the seeded ones, then bench-N), each with a volume holding `snapshotsEach` snapshots; returns the zone ids. */
  setZoneCount(count: number, snapshotsEach?: number): string[];
  counts(): CsCounts;
}

declare module '../backend' {
  interface SandboxClouds {
    cloudstack: CloudTypes<CloudStackSandboxOptions, CloudStackSandboxInfo, CloudStackSandboxControl>;
  }
}

/** `/_sandbox/cloudstack/…` also takes the CloudStack API key in the key header (an adapter knows only `info.cloudstack`). */
function apiKeyAuthorized(req: IncomingMessage): boolean {
  return req.headers[SANDBOX_KEY_HEADER] === SANDBOX_CLOUDSTACK_KEYS.apiKey;
}

function open(context: CloudContext, saved: unknown, seed: boolean): SandboxCloud {
  const options = context.options as CloudStackSandboxOptions;
  const stateOptions = { timing: options.timing, now: context.now, pageSize: options.pageSize };
  const kit = new CloudKit<CsState>(
    context,
    {
      create: () => new CsState(stateOptions),
      seed: seedCloudStack,
      empty: emptyCloudStack,
      load: (json) => CsState.fromJSON(json as CsStateJson, stateOptions),
      summary: csSummary,
      controlRoute: csControlRoute,
    },
    saved,
    seed,
  );
  const runtime: CsRuntime = {
    get cs() {
      return kit.state;
    },
    faults: context.faults,
    changed: () => context.changed(),
  };
  const { changed } = kit;
  const swept = (): CsState => {
    const before = kit.state.revision;
    kit.state.sweep();
    if (kit.state.revision !== before) {
      context.changed();
    }
    return kit.state;
  };
  const control = kit.control<CloudStackSandboxControl>({
    volumes: () => [...swept().volumes.values()],
    snapshots: () => [...swept().snapshots.values()],
    vmSnapshots: () => [...swept().vmSnapshots.values()],
    templates: () => [...swept().templates.values()].filter((t) => t.self),
    jobs: () => [...swept().jobs.values()],
    snapshotFacts: (snapshotId) => csSnapshotFacts(swept(), snapshotId),
    writeMiB: (volumeId, mib) => changed(swept().writeMiB(volumeId, mib)),
    setTiming: (timing) => {
      Object.assign(kit.state.timing, timing);
      changed(undefined);
    },
    setPageSize: (size) => changed(setPageSize(kit.state, size)),
    setClockSkew: (ms) => changed(setClockSkew(kit.state, ms)),
    failNextJob: (afterPolls, errortext, command) => changed(failNextJob(kit.state, afterPolls, errortext, command)),
    bulkSnapshots: (volumeId, count) => changed(swept().bulkSnapshots(volumeId, count)),
    setZoneCount: (count, snapshotsEach = 0) => changed(benchmarkZones(swept(), count, snapshotsEach)),
    counts: () => swept().counts(),
  });
  return kit.cloud(control, {
    route: (_method, url) =>
      url.pathname === CLOUDSTACK_API_PATH || url.pathname === `${CLOUDSTACK_API_PATH}/`
        ? (req, res, _url, body) => serveCloudStack(runtime, req, res, url, body)
        : undefined,
    controlAuthorized: apiKeyAuthorized,
    // A control call naming no such resource is a 404 (with CloudStack's words); other refusals keep CloudStack's status.
    errorAnswer: (error) =>
      error instanceof CsError ? { status: error.missingEntity ? 404 : error.status, body: { error: { code: error.errorcode, message: error.errortext } } } : undefined,
    info: (listener): CloudStackSandboxInfo => ({
      endpoint: `${listener.endpoint}${CLOUDSTACK_API_PATH}`,
      apiKey: SANDBOX_CLOUDSTACK_KEYS.apiKey,
      secretKey: SANDBOX_CLOUDSTACK_KEYS.secretKey,
    }),
  });
}

export const backend: SandboxBackend = {
  kind: 'cloudstack',
  cliFlags: [],
  open,
  cliJson: (info) => {
    const cs = info as CloudStackSandboxInfo;
    return { endpoint: cs.endpoint, apiKey: cs.apiKey, secretKey: cs.secretKey };
  },
  cliText: (info) => {
    const cs = info as CloudStackSandboxInfo;
    return [
      'Apache CloudStack (signed query API, JSON or XML)',
      `  endpoint:          ${cs.endpoint}`,
      `  API key:           ${cs.apiKey}`,
      `  secret key:        ${cs.secretKey}`,
      '',
      'Try it with the Python cs client (Debian package cs: `cloudstack`; from pip: `cs`) or CloudMonkey:',
      `  CLOUDSTACK_ENDPOINT=${cs.endpoint} CLOUDSTACK_KEY=${cs.apiKey} CLOUDSTACK_SECRET=${cs.secretKey} cloudstack listZones`,
      `  cmk set profile snapkeeper-sandbox; cmk set url ${cs.endpoint}; cmk set apikey ${cs.apiKey}; cmk set secretkey ${cs.secretKey}; cmk list zones`,
    ];
  },
};
