/**
 * AWS in the sandbox: EC2 Query and the EBS direct APIs on the shared HTTP listener (SigV4 with
 * the sandbox's access key), the `/_sandbox/aws/…` control endpoints, and its in-process control.
 */
import type { CloudContext, SandboxBackend, SandboxCloud } from '../backend';
import type { DeleteImpact } from '../blocks';
import { CloudKit, type StateControl } from '../cloud-kit';
import { awsControlRoute, awsErrorAnswer, awsSummary } from './control';
import { awsRoute } from './listener';
import { seedEstate } from './seed';
import { AwsState, type AwsStateJson, OWNER_ID, type RegionCounts, type Timing } from './state';

export { DEFAULT_TIMING } from './state';
export type { AwsState, RegionCounts, Timing } from './state';

/** The secret access key that goes with the sandbox key as access key id (not a secret: it opens only the local sandbox). */
export const SANDBOX_SECRET_ACCESS_KEY = 'snapkeeper/sandbox/secret/key/not-a-real-secret';
export const SANDBOX_OWNER_ID = OWNER_ID;

export interface AwsSandboxOptions {
  timing?: Partial<Timing>;
  /** Overrides the region list (e.g. 20 regions for benchmarks); the estate goes into the first 3 enabled. */
  regions?: string[];
  /** Keeps `regionCount` enabled regions (as `setRegionCount`), applied to a loaded state too. */
  regionCount?: number;
}

export interface AwsSandboxInfo {
  /** http://127.0.0.1:PORT (the shared listener). */
  endpoint: string;
  /** The first enabled region. */
  region: string;
  /** The sandbox key. */
  accessKeyId: string;
  secretAccessKey: string;
  ownerId: string;
}

/** In-process access to the AWS sandbox, for tests and the "Simulate Writes" command. */
export interface AwsSandboxControl extends StateControl<AwsState> {
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
}

declare module '../backend' {
  interface SandboxClouds {
    aws: CloudTypes<AwsSandboxOptions, AwsSandboxInfo, AwsSandboxControl>;
  }
}

function open(context: CloudContext, saved: unknown, seed: boolean): SandboxCloud {
  const options = context.options as AwsSandboxOptions;
  const stateOptions = { timing: options.timing, regions: options.regions, now: context.now };
  const kit = new CloudKit<AwsState>(
    context,
    {
      create: () => new AwsState(stateOptions),
      seed: seedEstate,
      load: (json) => AwsState.fromJSON(json as AwsStateJson, stateOptions),
      summary: awsSummary,
      controlRoute: awsControlRoute,
    },
    saved,
    seed,
  );
  if (options.regionCount !== undefined) {
    kit.state.setRegionCount(options.regionCount);
  }
  const credentials = { accessKeyId: context.key, secretAccessKey: SANDBOX_SECRET_ACCESS_KEY };
  const runtime = { state: () => kit.state, credentials, faults: context.faults, changed: () => context.changed() };
  const { changed } = kit;
  const control = kit.control<AwsSandboxControl>({
    writeMiB: (region, volumeId, mib) => changed(kit.state.writeMiB(region, volumeId, mib)),
    bulkSnapshots: (region, volumeId, count) => changed(kit.state.bulkSnapshots(region, volumeId, count)),
    storedBytes: (region, snapshotId) => kit.state.storedBytes(region, snapshotId),
    deleteImpact: (region, snapshotId) => kit.state.deleteImpact(region, snapshotId),
    changedBlocks: (region, first, second) =>
      kit.state.blocks.changedBlocks(kit.state.snapshot(region, first).id, kit.state.snapshot(region, second).id),
    setRegionCount: (count) => changed(kit.state.setRegionCount(count)),
    counts: () => kit.state.counts(),
  });
  return kit.cloud(control, {
    route: (method, url) => awsRoute(runtime, method, url),
    controlAuthorized: () => false,
    errorAnswer: awsErrorAnswer,
    info: (listener): AwsSandboxInfo => ({
      endpoint: listener.endpoint,
      region: kit.state.regions.find((r) => r.optInStatus !== 'not-opted-in')?.name ?? 'us-east-1',
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ownerId: OWNER_ID,
    }),
  });
}

export const backend: SandboxBackend = {
  kind: 'aws',
  cliFlags: [{ flag: '--regions', option: 'regionCount', arg: 'N', min: 1, max: 200 }],
  open,
  cliJson: (info) => {
    const { endpoint, region, accessKeyId, secretAccessKey } = info as AwsSandboxInfo;
    return { endpoint, region, accessKeyId, secretAccessKey };
  },
  cliText: (info) => {
    const { endpoint, region, accessKeyId, secretAccessKey } = info as AwsSandboxInfo;
    return [
      'AWS (EC2 + EBS direct APIs)',
      `  endpoint:          ${endpoint}`,
      `  region:            ${region}`,
      `  access key id:     ${accessKeyId}`,
      `  secret access key: ${secretAccessKey}`,
      '',
      'Try it with the AWS CLI:',
      `  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} ` +
        `aws ec2 describe-snapshots --owner-ids self --endpoint-url ${endpoint} --region ${region}`,
    ];
  },
};
