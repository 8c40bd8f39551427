/**
 * Azure in the sandbox: Resource Manager (Microsoft.Compute) and its token endpoint on an HTTPS
 * listener of its own with a self-signed certificate (server.ts), the `/_sandbox/azure/…`
 * control endpoints, and its in-process control.
 */
import type { CloudContext, SandboxBackend, SandboxCloud } from '../backend';
import type { DeleteImpact } from '../blocks';
import { CloudKit, type StateControl } from '../cloud-kit';
import { loadOrCreateCertificate, type SandboxCertificate } from './cert';
import { azureControlRoute, azureErrorAnswer, azureSummary } from './control';
import { benchmarkEstate, emptyAzure, seedAzure } from './seed';
import { ArmServer } from './server';
import { type AzureCounts, AzureState, type AzureStateJson, type AzureTiming, type LroStyle } from './state';
import { fixedToken, issueToken, SANDBOX_AZURE_CLIENT_ID, SANDBOX_AZURE_CLIENT_SECRET, SANDBOX_AZURE_TENANT_ID } from './token';

export type { AzureCounts, AzureState, AzureTiming, LroStyle } from './state';
export { DEFAULT_AZURE_TIMING, LRO_STYLES } from './state';
export { SEEDED as AZURE_SEEDED } from './seed';
export { SANDBOX_AZURE_CLIENT_ID, SANDBOX_AZURE_CLIENT_SECRET, SANDBOX_AZURE_TENANT_ID } from './token';

export interface AzureSandboxOptions {
  /** Port of the ARM (HTTPS) listener on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  timing?: Partial<AzureTiming>;
  /** Items per page of lists (default 100). */
  pageSize?: number;
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

/** In-process access to the Azure sandbox. Ids are full ARM ids (matched case-insensitively). */
export interface AzureSandboxControl extends StateControl<AzureState> {
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
}

declare module '../backend' {
  interface SandboxClouds {
    azure: CloudTypes<AzureSandboxOptions, AzureSandboxInfo, AzureSandboxControl>;
  }
}

function open(context: CloudContext, saved: unknown, seed: boolean): SandboxCloud {
  const options = context.options as AzureSandboxOptions;
  const stateOptions = { timing: options.timing, now: context.now, pageSize: options.pageSize };
  const kit = new CloudKit<AzureState>(
    context,
    {
      create: () => new AzureState(stateOptions),
      seed: seedAzure,
      empty: emptyAzure,
      load: (json) => AzureState.fromJSON(json as AzureStateJson, stateOptions),
      summary: azureSummary,
      controlRoute: azureControlRoute,
    },
    saved,
    seed,
  );
  let certificate: SandboxCertificate | undefined;
  let server: ArmServer | undefined;
  let port = 0;
  const { changed } = kit;
  const control = kit.control<AzureSandboxControl>({
    writeMiB: (diskId, mib) => changed(kit.state.writeMiB(diskId, mib)),
    bulkSnapshots: (diskId, count) => changed(kit.state.bulkSnapshots(diskId, count)),
    storedBytes: (snapshotId) => kit.state.storedBytes(snapshotId),
    deleteImpact: (snapshotId) => kit.state.deleteImpact(snapshotId),
    changedBlocks: (first, second) => kit.state.changedBlocks(first, second),
    setLroStyle: (style, operation) => changed(kit.state.setLroStyle(style, operation)),
    setPageSize: (size) => changed(kit.state.setPageSize(size)),
    setSubscriptionCount: (count, snapshotsEach = 0) => changed(benchmarkEstate(kit.state, count, snapshotsEach)),
    issueToken: (lifetimeSeconds) => issueToken(kit.state.now(), lifetimeSeconds ?? kit.state.timing.tokenLifetimeSeconds),
    counts: () => kit.state.counts(),
  });
  return kit.cloud(control, {
    listen: async () => {
      certificate = loadOrCreateCertificate(context.statePath);
      const runtime = {
        get azure() {
          return kit.state;
        },
        faults: context.faults,
        credentials: { accessKeyId: context.key },
        changed: () => context.changed(),
      };
      server = new ArmServer(runtime, certificate);
      try {
        port = await server.listen(options.port ?? 0);
      } catch (error) {
        certificate.cleanup?.();
        throw error;
      }
    },
    close: async () => {
      await server?.close();
      certificate?.cleanup?.();
    },
    route: () => undefined,
    controlAuthorized: () => false,
    errorAnswer: azureErrorAnswer,
    info: (): AzureSandboxInfo => {
      const endpoint = `https://127.0.0.1:${port}`;
      return {
        endpoint,
        authorityHost: endpoint,
        tenantId: SANDBOX_AZURE_TENANT_ID,
        clientId: SANDBOX_AZURE_CLIENT_ID,
        clientSecret: SANDBOX_AZURE_CLIENT_SECRET,
        accessToken: fixedToken(),
        get subscriptions() {
          return kit.state.subscriptions.map((s) => ({ subscriptionId: s.id, displayName: s.displayName }));
        },
        caCertPath: certificate?.certPath ?? '',
        caCert: certificate?.certPem ?? '',
      };
    },
  });
}

export const backend: SandboxBackend = {
  kind: 'azure',
  cliFlags: [{ flag: '--azure-port', option: 'port', arg: 'N', min: 0, max: 65535 }],
  open,
  cliJson: (info) => {
    const az = info as AzureSandboxInfo;
    return {
      endpoint: az.endpoint,
      subscriptions: az.subscriptions.map((s) => s.subscriptionId),
      caCertPath: az.caCertPath,
      tenantId: az.tenantId,
      clientId: az.clientId,
      clientSecret: az.clientSecret,
      accessToken: az.accessToken,
    };
  },
  cliText: (info) => {
    const az = info as AzureSandboxInfo;
    const subscriptions = az.subscriptions.map((s) => s.subscriptionId);
    return [
      'Azure (Resource Manager, Microsoft.Compute; HTTPS with a self-signed CA)',
      `  endpoint:          ${az.endpoint}`,
      `  tenant id:         ${az.tenantId}`,
      `  client id:         ${az.clientId}`,
      `  client secret:     ${az.clientSecret}`,
      `  subscriptions:     ${subscriptions.join(', ')}`,
      `  CA certificate:    ${az.caCertPath}`,
      '',
      'Try it with curl:',
      `  curl --cacert ${az.caCertPath} -H "Authorization: Bearer $TOKEN" ` +
        `"${az.endpoint}/subscriptions/${subscriptions[0] ?? ''}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02"`,
      '  (TOKEN: the accessToken of --json, or POST a client-credentials form to ' + `${az.endpoint}/${az.tenantId}/oauth2/v2.0/token)`,
    ];
  },
};
