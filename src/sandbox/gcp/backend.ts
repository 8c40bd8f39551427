/**
 * Google Cloud in the sandbox: Compute Engine v1 REST (under /compute/v1/) and Resource Manager's
 * project list (/v1/projects) on the shared HTTP listener with a fixed bearer token, the
 * `/_sandbox/gcp/…` control endpoints, and its in-process control.
 */
import type { IncomingMessage } from 'node:http';
import type { CloudContext, SandboxBackend, SandboxCloud } from '../backend';
import type { DeleteImpact } from '../blocks';
import { CloudKit, type StateControl } from '../cloud-kit';
import { gcpControlRoute, gcpSummary } from './control';
import { GcpError } from './errors';
import { CRM_PROJECTS_PATH, GCP_PATH_PREFIX, type GcpRuntime, SANDBOX_GCP_ACCESS_TOKEN, serveGcp, serveResourceManager } from './http';
import { benchmarkProjects, emptyGcp, seedGcp } from './seed';
import { type GcpCounts, GcpState, type GcpStateJson, type GcpTiming } from './state';

export type { GcpCounts, GcpState, GcpTiming } from './state';
export { DEFAULT_GCP_TIMING } from './state';
export { SEEDED as GCP_SEEDED } from './seed';
export { SANDBOX_GCP_ACCESS_TOKEN } from './http';

export interface GcpSandboxOptions {
  timing?: Partial<GcpTiming>;
  /** Largest page of Compute Engine lists (default 500, as the real service). */
  pageSize?: number;
}

export interface GcpSandboxInfo {
  /** http://127.0.0.1:PORT: Compute Engine v1 is under /compute/v1/ (the sandbox's shared listener). */
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

/**
 * In-process access to the Google Cloud sandbox. Disks and snapshots are named by relative path
 * (`projects/p/zones/z/disks/d`, `projects/p/global/snapshots/s`), absolute URL or numeric id.
 */
export interface GcpSandboxControl extends StateControl<GcpState> {
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
}

declare module '../backend' {
  interface SandboxClouds {
    gcp: CloudTypes<GcpSandboxOptions, GcpSandboxInfo, GcpSandboxControl>;
  }
}

/** `/_sandbox/gcp/…` also takes the sandbox's bearer token (a GCP adapter knows only `info.gcp`). */
function bearerAuthorized(req: IncomingMessage): boolean {
  return req.headers.authorization === `Bearer ${SANDBOX_GCP_ACCESS_TOKEN}`;
}

function open(context: CloudContext, saved: unknown, seed: boolean): SandboxCloud {
  const options = context.options as GcpSandboxOptions;
  const stateOptions = { timing: options.timing, now: context.now, pageSize: options.pageSize };
  const kit = new CloudKit<GcpState>(
    context,
    {
      create: () => new GcpState(stateOptions),
      seed: seedGcp,
      empty: emptyGcp,
      load: (json) => GcpState.fromJSON(json as GcpStateJson, stateOptions),
      summary: gcpSummary,
      controlRoute: gcpControlRoute,
    },
    saved,
    seed,
  );
  const runtime: GcpRuntime = {
    get gcp() {
      return kit.state;
    },
    faults: context.faults,
    changed: () => context.changed(),
  };
  const { changed } = kit;
  const control = kit.control<GcpSandboxControl>({
    writeMiB: (disk, mib) => changed(kit.state.writeMiB(disk, mib)),
    bulkSnapshots: (disk, count) => changed(kit.state.bulkSnapshots(disk, count)),
    storedBytes: (snapshot) => kit.state.storedBytes(snapshot),
    deleteImpact: (snapshot) => kit.state.deleteImpact(snapshot),
    changedBlocks: (first, second) => kit.state.changedBlocks(first, second),
    setProjectCount: (count, snapshotsEach = 0) => changed(benchmarkProjects(kit.state, count, snapshotsEach)),
    setApiEnabled: (project, enabled) => {
      kit.state.project(project).apiEnabled = enabled;
      kit.state.touch();
      context.changed();
    },
    setPageSize: (size) => {
      kit.state.pageSize = size;
      kit.state.touch();
      context.changed();
    },
    counts: () => kit.state.counts(),
  });
  return kit.cloud(control, {
    route: (_method, url) => {
      if (url.pathname.startsWith(GCP_PATH_PREFIX)) {
        return (req, res, _url, body) => serveGcp(runtime, req, res, url, body);
      }
      if (url.pathname === CRM_PROJECTS_PATH || url.pathname === `${CRM_PROJECTS_PATH}/`) {
        return (req, res) => serveResourceManager(runtime, req, res, url);
      }
      return undefined;
    },
    controlAuthorized: bearerAuthorized,
    errorAnswer: (error) => (error instanceof GcpError ? { status: error.status, body: error.body() } : undefined),
    info: (listener): GcpSandboxInfo => ({
      endpoint: listener.endpoint,
      apiEndpoint: '127.0.0.1',
      port: listener.port,
      protocol: 'http',
      get projects() {
        return kit.state.projects.map((p) => p.id);
      },
      accessToken: SANDBOX_GCP_ACCESS_TOKEN,
    }),
  });
}

export const backend: SandboxBackend = {
  kind: 'gcp',
  cliFlags: [],
  open,
  cliJson: (info) => {
    const gc = info as GcpSandboxInfo;
    return { endpoint: gc.endpoint, projects: gc.projects, accessToken: gc.accessToken };
  },
  cliText: (info) => {
    const gc = info as GcpSandboxInfo;
    return [
      'Google Cloud (Compute Engine v1 REST under /compute/v1/)',
      `  endpoint:          ${gc.endpoint}/compute/v1/`,
      `  projects:          ${gc.projects.join(', ')}`,
      `  access token:      ${gc.accessToken}`,
      '',
      'Try it with gcloud:',
      `  CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=${gc.endpoint}/compute/v1/ CLOUDSDK_AUTH_ACCESS_TOKEN=${gc.accessToken} ` +
        `CLOUDSDK_CORE_PROJECT=${gc.projects[0] ?? ''} gcloud compute snapshots list`,
    ];
  },
};
