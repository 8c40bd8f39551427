/**
 * OpenStack in the sandbox: Keystone v3, Nova v2.1, Cinder v3, Glance v2 (and Neutron's network
 * list) on the shared HTTP listener at devstack's paths (`/identity/v3`, `/compute/v2.1`,
 * `/volume/v3/{project}`, `/image/v2`, `/networking/v2.0`), status steps on the sandbox clock, the
 * `/_sandbox/openstack/…` control endpoints, its in-process control, and a `clouds.yaml` naming
 * the sandbox as the cloud `snapkeeper-sandbox`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudContext, SandboxBackend, SandboxCloud, SharedListener } from '../backend';
import { CloudKit, type StateControl } from '../cloud-kit';
import { diskMatchesImage, osBackupFacts, type OsBackupFacts, osControlRoute, osSummary, setMaxMicroversion, setRegionLatency, setRemovedServices, setTokenLifetime } from './control';
import { OsError } from './errors';
import { type OsRuntime, parseOsPath, serveOpenStack } from './http';
import { addRegions, benchmarkEstate, type BenchmarkEstate, emptyOpenStack, SEEDED, seedOpenStack } from './seed';
import type { OsSite } from './shapes';
import { type BackupRecord, type ImageRecord, type OsCounts, OsState, type OsStateJson, type OsTiming, type ServerRecord, type SnapshotRecord, type VolumeRecord } from './state';

export type { OsCounts, OsState, OsTiming } from './state';
export { DEFAULT_OS_TIMING, INSTANT_OS_TIMING } from './state';
export { SEEDED as OPENSTACK_SEEDED } from './seed';
export type { OsBackupFacts } from './control';

/** The clouds.yaml entry the sandbox writes (password auth; `-appcred` beside it uses the application credential). */
export const SANDBOX_CLOUD_NAME = 'snapkeeper-sandbox';

export interface OpenStackSandboxOptions {
  /** Status step durations (ms); `INSTANT_OS_TIMING` ends every step at once. */
  timing?: Partial<OsTiming>;
  /** Regions besides RegionOne and RegionTwo (benchmarks): each with a network, the key pair and the public images; in clouds.yaml and `regions` too. */
  extraRegions?: string[];
}

export interface OpenStackSandboxInfo {
  /** http://127.0.0.1:PORT/identity/v3 */
  endpoint: string;
  /** The same: Keystone's v3 URL (`auth_url`). */
  authUrl: string;
  regions: string[];
  projectName: string;
  projectDomain: string;
  userName: string;
  userDomain: string;
  password: string;
  applicationCredentialId: string;
  applicationCredentialSecret: string;
  /** The clouds.yaml naming the sandbox as `snapkeeper-sandbox` (point `OS_CLIENT_CONFIG_FILE` at it). */
  cloudsYamlPath: string;
}

/** In-process access to the OpenStack sandbox (tests' oracle, "Simulate Writes", benchmarks). */
export interface OpenStackSandboxControl extends StateControl<OsState> {
  servers(): ServerRecord[];
  volumes(): VolumeRecord[];
  snapshots(): SnapshotRecord[];
  backups(): BackupRecord[];
  images(): ImageRecord[];
  /** What the block model says about a backup (bytes stored, parent). */
  backupFacts(backupId: string): OsBackupFacts;
  /** Whether a server's root disk (or a volume) holds exactly an image's blocks. */
  diskMatchesImage(serverOrVolumeId: string, imageId: string): boolean;
  /** Writes N MiB of new data to a volume or a server's root disk; returns the bytes changed. */
  writeMiB(serverOrVolumeId: string, mib: number): number;
  setTiming(timing: Partial<OsTiming>): void;
  /** Ends every token issued so far (token expiry mid-operation). */
  expireTokens(): void;
  /** Tokens issued from now on live this long. */
  setTokenLifetime(seconds: number): void;
  /** Leaves these service types out of the catalog (`['volumev3', 'block-storage']`: no Cinder). */
  removeServices(types: string[]): void;
  /** Lowers the highest microversion Nova (`compute: '2.40'`) or Cinder (`volume: '3.30'`) accepts. */
  setMaxMicroversion(max: { compute?: string; volume?: string }): void;
  /** The next image a server snapshot or a volume upload makes ends `killed`. */
  killNextImage(): void;
  /** The next rebuild leaves the server in ERROR. */
  failNextRebuild(): void;
  /** Each named region's own delay (ms) before its service requests, besides the faults' latency; others have none. */
  setRegionLatency(latencyMs: Record<string, number>): void;
  /** Benchmarks: detached volumes and `snapshotsEach` available volume snapshots in every region, made at once; each region's snapshot count. */
  benchmarkEstate(estate: BenchmarkEstate): Record<string, number>;
  counts(): OsCounts;
}

declare module '../backend' {
  interface SandboxClouds {
    openstack: CloudTypes<OpenStackSandboxOptions, OpenStackSandboxInfo, OpenStackSandboxControl>;
  }
}

/** clouds.yaml for the sandbox (values as YAML double-quoted strings). */
function cloudsYaml(authUrl: string, regions: readonly string[]): string {
  const q = (value: string) => JSON.stringify(value);
  const S = SEEDED;
  return [
    '# Written by the Snapkeeper sandbox: OS_CLIENT_CONFIG_FILE=<this file> openstack --os-cloud snapkeeper-sandbox server list',
    'clouds:',
    `  ${SANDBOX_CLOUD_NAME}:`,
    '    auth:',
    `      auth_url: ${q(authUrl)}`,
    `      username: ${q(S.userName)}`,
    `      password: ${q(S.password)}`,
    `      project_name: ${q(S.projectName)}`,
    `      user_domain_name: ${q(S.domain.name)}`,
    `      project_domain_name: ${q(S.domain.name)}`,
    '    regions:',
    ...regions.map((region) => `      - ${q(region)}`),
    '    interface: public',
    '    identity_api_version: 3',
    `  ${SANDBOX_CLOUD_NAME}-appcred:`,
    '    auth_type: v3applicationcredential',
    '    auth:',
    `      auth_url: ${q(authUrl)}`,
    `      application_credential_id: ${q(S.applicationCredentialId)}`,
    `      application_credential_secret: ${q(S.applicationCredentialSecret)}`,
    '    regions:',
    ...regions.map((region) => `      - ${q(region)}`),
    '    interface: public',
    '    identity_api_version: 3',
    '',
  ].join('\n');
}

function open(context: CloudContext, saved: unknown, seed: boolean): SandboxCloud {
  const options = context.options as OpenStackSandboxOptions;
  const stateOptions = { timing: options.timing, now: context.now };
  const kit = new CloudKit<OsState>(
    context,
    {
      create: () => new OsState(stateOptions),
      seed: (state) => {
        seedOpenStack(state);
        addRegions(state, options.extraRegions ?? []);
      },
      empty: (state) => {
        emptyOpenStack(state);
        addRegions(state, options.extraRegions ?? []);
      },
      load: (json) => OsState.fromJSON(json as OsStateJson, stateOptions),
      summary: osSummary,
      controlRoute: osControlRoute,
    },
    saved,
    seed,
  );
  let origin: string | undefined;
  let tempDir: string | undefined;
  let yamlPath: string | undefined;
  const runtime: OsRuntime = {
    get os() {
      return kit.state;
    },
    faults: context.faults,
    // The state's regions as they are now (a reset or a loaded state file brings its own).
    site: (): OsSite => ({ origin: origin ?? 'http://127.0.0.1', regions: kit.state.regions }),
    changed: () => context.changed(),
  };
  const { changed } = kit;
  const swept = (): OsState => {
    const before = kit.state.revision;
    kit.state.sweep();
    if (kit.state.revision !== before) {
      context.changed();
    }
    return kit.state;
  };
  const control = kit.control<OpenStackSandboxControl>({
    servers: () => [...swept().servers.values()],
    volumes: () => [...swept().volumes.values()],
    snapshots: () => [...swept().snapshots.values()],
    backups: () => [...swept().backups.values()],
    images: () => [...swept().images.values()],
    backupFacts: (backupId) => osBackupFacts(swept(), backupId),
    diskMatchesImage: (id, imageId) => diskMatchesImage(swept(), id, imageId),
    writeMiB: (id, mib) => changed(swept().writeMiB(id, mib)),
    setTiming: (timing) => {
      Object.assign(kit.state.timing, timing);
      changed(undefined);
    },
    expireTokens: () => changed(void kit.state.expireTokens()),
    setTokenLifetime: (seconds) => changed(void setTokenLifetime(kit.state, seconds)),
    removeServices: (types) => changed(void setRemovedServices(kit.state, types)),
    setMaxMicroversion: (max) => changed(void setMaxMicroversion(kit.state, max)),
    killNextImage: () => {
      kit.state.killNextImage = true;
      changed(kit.state.touch());
    },
    failNextRebuild: () => {
      kit.state.failNextRebuild = true;
      changed(kit.state.touch());
    },
    setRegionLatency: (latencyMs) => changed(void setRegionLatency(kit.state, latencyMs)),
    benchmarkEstate: (estate) => changed(benchmarkEstate(kit.state, estate)),
    counts: () => swept().counts(),
  });
  return kit.cloud(control, {
    route: (_method, url) =>
      parseOsPath(kit.state.regions, url.pathname) ? (req, res, _url, body) => serveOpenStack(runtime, req, res, url, body) : undefined,
    controlAuthorized: () => false,
    // A control call naming no such resource is a 404; other refusals keep the service's status.
    errorAnswer: (error) =>
      error instanceof OsError
        ? { status: error.status, body: { error: { code: error.status, message: error.message } } }
        : error instanceof RangeError
          ? { status: 404, body: { error: { code: 404, message: error.message } } }
          : undefined,
    info: (listener: SharedListener): OpenStackSandboxInfo => {
      origin = listener.endpoint;
      const authUrl = `${listener.endpoint}/identity/v3`;
      if (yamlPath === undefined) {
        if (context.statePath !== undefined) {
          yamlPath = `${context.statePath}.clouds.yaml`;
        } else {
          tempDir = mkdtempSync(join(tmpdir(), 'snapkeeper-openstack-'));
          yamlPath = join(tempDir, 'clouds.yaml');
        }
        writeFileSync(yamlPath, cloudsYaml(authUrl, kit.state.regions), { mode: 0o600 });
      }
      const S = SEEDED;
      return {
        endpoint: authUrl,
        authUrl,
        regions: [...kit.state.regions],
        projectName: S.projectName,
        projectDomain: S.domain.name,
        userName: S.userName,
        userDomain: S.domain.name,
        password: S.password,
        applicationCredentialId: S.applicationCredentialId,
        applicationCredentialSecret: S.applicationCredentialSecret,
        cloudsYamlPath: yamlPath,
      };
    },
    close: async () => {
      if (tempDir !== undefined) {
        rmSync(tempDir, { recursive: true, force: true });
        tempDir = undefined;
      }
    },
  });
}

export const backend: SandboxBackend = {
  kind: 'openstack',
  cliFlags: [],
  open,
  cliJson: (info) => {
    const os = info as OpenStackSandboxInfo;
    return { ...os };
  },
  cliText: (info) => {
    const os = info as OpenStackSandboxInfo;
    return [
      'OpenStack (Keystone v3, Nova, Cinder, Glance)',
      `  auth URL:          ${os.authUrl}`,
      `  regions:           ${os.regions.join(', ')}`,
      `  project:           ${os.projectName} (domain ${os.projectDomain})`,
      `  user / password:   ${os.userName} (domain ${os.userDomain}) / ${os.password}`,
      `  app credential:    ${os.applicationCredentialId} / ${os.applicationCredentialSecret}`,
      `  clouds.yaml:       ${os.cloudsYamlPath}`,
      '',
      'Try it with the openstack CLI (Debian package python3-openstackclient):',
      `  OS_CLIENT_CONFIG_FILE=${os.cloudsYamlPath} openstack --os-cloud ${SANDBOX_CLOUD_NAME} server list`,
    ];
  },
};
