/**
 * The AWS driver of the contract suite and the fault battery: the AWS sandbox (started here and
 * nowhere else), or a real account when SNAPKEEPER_LIVE_AWS=<profile> is set (the suite makes a
 * 1 GiB gp3 volume tagged snapkeeper-test, snapshots, copies and images of it, and deletes them).
 */
import {
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeAvailabilityZonesCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import * as assert from 'node:assert/strict';
import { createAdapter } from '../../../src/adapters/aws';
import { CLIENT_TOKEN_TAG } from '../../../src/adapters/aws/create';
import type { AdapterContext, CloudAdapter } from '../../../src/model/adapter';
import type { AccountConfig, Disk, Image, Snapshot, Tag } from '../../../src/model/types';
import type { AwsSandboxControl, Timing } from '../../../src/sandbox/aws/backend';
import { byId, type CloudDriver, type CloudSandbox, type ContractKind, deleteNewestFirst, leaf, listingOracle, listScope, liveTarget, type Oracle, sandboxTarget, type Settings, startCloudSandbox, type Target } from '../driver';
import { sleep, track } from '../tracking';

export const LIVE_AWS = 'SNAPKEEPER_LIVE_AWS';
/** Every resource a live run makes carries this tag. */
export const TEST_TAG: Tag = { key: 'snapkeeper-test', value: 'contract' };

/** The connection details an adapter is given (another secret… for the credential cases). */
export type AwsSandboxInfo = Pick<CloudSandbox<'aws'>['info'], 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>;

/** The AWS part of a running sandbox: the only handle the AWS tests hold on it. */
export type AwsSandbox = CloudSandbox<'aws'>;

const TIMING: Record<'contract' | 'battery' | 'default', Partial<Timing> | undefined> = {
  contract: { snapshotBaseMs: 150, snapshotMsPerGiB: 2, volumeMs: 60, imageMs: 150, taskMs: 150 },
  // Long enough that polls meet the faults too.
  battery: { snapshotBaseMs: 300, snapshotMsPerGiB: 0, snapshotMaxMs: 300, volumeMs: 300 },
  default: undefined,
};

/** Starts a sandbox for the AWS tests (the one place they call startSandbox). */
export function startAwsSandbox(profile: 'contract' | 'battery' | 'default' = 'contract'): Promise<AwsSandbox> {
  return startCloudSandbox('aws', { timing: TIMING[profile] });
}

/** An AWS target: the shared one, plus what the AWS-specific cases check with. */
export interface AwsTarget extends Target {
  /** The profile errors must name. */
  readonly profile: string;
  /** The main region and another enabled region (copy destination). */
  readonly region: string;
  readonly otherRegion: string;
  /** A plain SDK client, to check what the adapter did independently of it. */
  raw(region: string): EC2Client;
  /** The sandbox, when the target is one. */
  readonly sandbox?: AwsSandbox;
  /** The sandbox's seeded estate is there (instances, AMIs, KMS-encrypted volumes). */
  readonly seeded: boolean;
  /** A fresh adapter given other sandbox connection details (a wrong secret…). */
  adapterWith(sandbox: AwsSandboxInfo): CloudAdapter;
}

function adapterFactory(account: AccountConfig, sandbox: unknown, log: string[], base: Settings, maxConcurrency: number): (settings?: Settings) => CloudAdapter {
  return (settings = {}) => {
    const all: Settings = { ...base, ...settings };
    const ctx: AdapterContext = {
      log: (m) => log.push(m),
      setting: <T>(key: string, fallback: T): T => (key in all ? (all[key] as T) : fallback),
      maxConcurrency,
      sandbox,
    };
    return createAdapter(account, ctx);
  };
}

/** A cache of plain EC2 clients, one per region. */
function rawClients(make: (region: string) => EC2Client): { raw(region: string): EC2Client; destroy(): void } {
  const clients = new Map<string, EC2Client>();
  return {
    raw: (region) => {
      let c = clients.get(region);
      if (!c) {
        c = make(region);
        clients.set(region, c);
      }
      return c;
    },
    destroy: () => {
      for (const c of clients.values()) {
        c.destroy();
      }
    },
  };
}

/** The sandbox's own records: the oracle. */
function sandboxOracle(control: AwsSandboxControl): Oracle {
  const records = () => control.state.toJSON();
  const nameOf = (tags: Tag[]) => tags.find((t) => t.key === 'Name')?.value;
  return {
    snapshots: async (marker) => {
      const made = records().snapshots.filter((s) => s.description === marker);
      return { count: made.length, ready: made.some((s) => control.state.snapshotStatus(s).status === 'completed') };
    },
    disks: async (marker) => {
      const made = records().volumes.filter((v) => nameOf(v.tags) === marker);
      return { count: made.length, ready: made.some((v) => control.state.volumeStatus(v) === 'available') };
    },
    images: async (marker) => {
      const made = records().images.filter((i) => i.name === marker);
      return { count: made.length, ready: made.some((i) => control.state.imageState(i) === 'available') };
    },
    exists: async (kind, id) => recordOf(records(), kind, id) !== undefined,
    tags: async (kind, id) => (recordOf(records(), kind, id)?.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
    snapshotIds: async (scope) => ({ ids: records().snapshots.filter((s) => s.region === scope.id).map((s) => s.id), complete: true }),
  };
}

function recordOf(json: ReturnType<AwsSandboxControl['state']['toJSON']>, kind: ContractKind, id: string): { tags: Tag[] } | undefined {
  const all = { vm: json.instances, disk: json.volumes, snapshot: json.snapshots, image: json.images }[kind] as { id: string; tags: Tag[] }[];
  return all.find((r) => r.id === id);
}


async function sandboxAwsTarget(profile: 'contract' | 'battery'): Promise<AwsTarget> {
  const sandbox = await startAwsSandbox(profile);
  const { info } = sandbox;
  const log: string[] = [];
  const account: AccountConfig = { id: 'acct-sandbox', cloud: 'aws', label: 'Sandbox', sandbox: true, settings: { profile: 'sandbox-profile' } };
  const settings: Settings = profile === 'battery' ? { 'aws.retryBaseMs': 100, 'aws.consistencyWindowMs': 3_000 } : { 'aws.retryBaseMs': 20 };
  const adapter = adapterFactory(account, info, log, settings, profile === 'battery' ? 16 : 4);
  const clients = rawClients((r) => new EC2Client({ region: r, endpoint: info.endpoint, credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey } }));
  const region = 'us-east-1';
  let disk: Disk | undefined;
  let lister: CloudAdapter | undefined;
  const fixtures = async (): Promise<{ disk: Disk; snapshot: Snapshot }> => {
    lister ??= adapter();
    const inv = await listScope(lister, region);
    disk ??= inv.disks.find((d) => d.name === 'web-data-restore-test') as Disk;
    const snapshot = inv.snapshots.find((s) => s.diskId === disk?.id && s.state === 'completed' && !s.encrypted);
    if (!disk || !snapshot) {
      throw new Error('the seeded volume web-data-restore-test and a completed snapshot of it are not listed');
    }
    return { disk, snapshot };
  };
  return sandboxTarget(
    {
      sandbox,
      log,
      adapter,
      scope: leaf(region),
      scopes: [leaf(region), leaf('us-west-2')],
      disk: async () => (await fixtures()).disk,
      snapshot: async () => (await fixtures()).snapshot,
      oracle: sandboxOracle(sandbox.control),
      bulkSnapshots: (disk, count) => sandbox.control.bulkSnapshots(disk.scopeId, disk.id, count),
      pollMs: 20,
      timeoutMs: 30_000,
      release: () => {
        lister?.dispose();
        clients.destroy();
      },
    },
    {
      profile: 'sandbox-profile',
      region,
      otherRegion: 'us-west-2',
      raw: clients.raw,
      sandbox,
      seeded: true,
      adapterWith: (other: AwsSandboxInfo) => adapterFactory(account, other, log, settings, 4)(),
    },
  );
}

async function liveAwsTarget(profile: string): Promise<AwsTarget> {
  const region = process.env.SNAPKEEPER_LIVE_AWS_REGION ?? 'us-east-1';
  const otherRegion = process.env.SNAPKEEPER_LIVE_AWS_OTHER_REGION ?? (region === 'us-west-2' ? 'us-east-1' : 'us-west-2');
  const log: string[] = [];
  const account: AccountConfig = { id: 'acct-live', cloud: 'aws', label: `live ${profile}`, settings: { profile } };
  const adapter = adapterFactory(account, undefined, log, {}, 4);
  const credentials = fromNodeProviderChain({ profile });
  const clients = rawClients((r) => new EC2Client({ region: r, credentials }));
  const created: { region: string; id: string }[] = [];
  const stamp = Date.now().toString(36);

  /** A 1 GiB gp3 volume tagged as a test resource, with one completed snapshot. */
  async function make(): Promise<{ disk: Disk; snapshot: Snapshot }> {
    const raw = clients.raw(region);
    const zones = await raw.send(new DescribeAvailabilityZonesCommand({}));
    const zone = zones.AvailabilityZones?.find((z) => z.State === 'available')?.ZoneName as string;
    const vol = await raw.send(
      new CreateVolumeCommand({
        AvailabilityZone: zone,
        Size: 1,
        VolumeType: 'gp3',
        TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: `snapkeeper-contract-${stamp}` }, { Key: TEST_TAG.key, Value: stamp }] }],
      }),
    );
    const volumeId = vol.VolumeId as string;
    created.push({ region, id: volumeId });
    for (let i = 0; i < 60; i++) {
      const d = await raw.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
      if (d.Volumes?.[0]?.State === 'available') {
        break;
      }
      await sleep(2000);
    }
    const a = adapter();
    try {
      let inv = await listScope(a, region);
      const d = byId(inv.disks, volumeId) as Disk;
      const res = await a.execute('createSnapshot', d, { description: 'contract base', tags: [{ key: TEST_TAG.key, value: stamp }] }, { inventory: inv, scopes: [] });
      created.push({ region, id: res.operations[0].resourceId });
      await track(a, res.operations[0], { pollMs: 5000, timeoutMs: 900_000 });
      inv = await listScope(a, region);
      return { disk: byId(inv.disks, volumeId) as Disk, snapshot: byId(inv.snapshots, res.operations[0].resourceId) as Snapshot };
    } finally {
      a.dispose();
    }
  }

  return liveTarget(
    {
      log,
      adapter,
      scope: leaf(region),
      scopes: [leaf(region), leaf(otherRegion)],
      fixture: make,
      oracle: listingOracle(adapter, () => [leaf(region), leaf(otherRegion)], (s) => s.description),
      made: (_kind, id, scopeId) => void created.push({ region: scopeId, id }),
      close: async () => {
        await deleteNewestFirst(
          created,
          async (r) => {
            const raw = clients.raw(r.region);
            if (r.id.startsWith('snap-')) {
              await raw.send(new DeleteSnapshotCommand({ SnapshotId: r.id }));
            } else if (r.id.startsWith('vol-')) {
              await raw.send(new DeleteVolumeCommand({ VolumeId: r.id }));
            } else if (r.id.startsWith('ami-')) {
              await raw.send(new DeregisterImageCommand({ ImageId: r.id }));
            }
          },
          (r) => ` in ${r.region}`,
        );
        clients.destroy();
      },
    },
    {
      profile,
      region,
      otherRegion,
      raw: clients.raw,
      seeded: false,
      adapterWith: (): CloudAdapter => {
        throw new Error('a live account has no sandbox connection');
      },
    },
  );
}

export const awsDriver: CloudDriver<AwsTarget> = {
  cloud: 'aws',
  name: 'AWS',
  sandbox: sandboxAwsTarget,
  live: () => {
    const profile = process.env[LIVE_AWS];
    if (!profile) {
      return { lacks: `set ${LIVE_AWS}=<profile> (optionally SNAPKEEPER_LIVE_AWS_REGION, SNAPKEEPER_LIVE_AWS_OTHER_REGION) to run it against a real account` };
    }
    return { title: `live AWS, profile ${profile}`, start: () => liveAwsTarget(profile) };
  },
  // EC2 keeps no listing cache in the adapter: every listing is sent.
  probe: (adapter, scope, signal) => listScope(adapter, scope, signal),
  snapshotAnswers: (marker, tags = []) => ({ description: marker, tags: [...tags, TEST_TAG] }),
  restoreAnswers: (marker, snapshot) => ({ name: marker, sizeGiB: snapshot.sizeGiB }),
  copy: (target) => {
    // Another region, in the contract and the battery alike.
    const dest = (target as AwsTarget).otherRegion;
    return { destination: dest, answers: (marker) => ({ destination: dest, description: marker, encrypted: false, kmsKeyId: '' }) };
  },
  image: async (target, adapter) => {
    const t = target as AwsTarget;
    if (!t.seeded) {
      return { lacks: 'AWS registers an AMI only from a root-volume snapshot; the live run makes only an empty data volume' };
    }
    const inv = await listScope(adapter, t.otherRegion);
    const source = inv.snapshots.find((s) => s.name === 'build-runner-root-1') as Snapshot;
    return { action: 'createImageFromSnapshot', source, scope: leaf(t.otherRegion), answers: (marker) => ({ name: marker, architecture: 'arm64', rootDevice: '/dev/xvda' }) };
  },
  dependency: async (target, adapter) => {
    const t = target as AwsTarget;
    if (!t.seeded) {
      return { lacks: 'the dependency (an AMI using the snapshot) needs a root-volume snapshot; the live run makes only an empty data volume' };
    }
    const inv = await listScope(adapter, t.region);
    const snapshot = inv.snapshots.find((s) => s.name === 'web-prod-1-root-1') as Snapshot;
    const ami = inv.images.find((i: Image) => i.snapshotIds.includes(snapshot.id)) as Image;
    return { snapshot, refusal: new RegExp(`${ami.id}[\\s\\S]*Deregister|Deregister[\\s\\S]*${ami.id}`), release: async () => undefined };
  },
  awkwardTags: 'kept',
  battery: { title: 'AWS (1.5 s Describe visibility lag)', faults: { visibilityLagMs: 1500 }, seed: 10 },
  faults: {
    list: 'DescribeVolumes',
    createSnapshot: 'CreateSnapshot',
    deleteSnapshot: 'DeleteSnapshot',
    settings: { 'aws.retryBaseMs': 20 },
    retryHint: { lacks: "EC2's throttling answer (503 RequestLimitExceeded) carries no retry hint: the SDK backs off on its own" },
    throttleNoHint: 'retried',
    // A sandbox account names the sandbox, not a profile (profile accounts: aws.contract.test.ts).
    expired: /sandbox .*expired/i,
  },
  unknown: {
    ghost: (real) => ({ ...real, id: 'snap-0123456789abcdef0', name: undefined, tags: [] }),
    // Gone is what was asked.
    delete: 'deleted',
  },
  checks: {
    snapshotMade: (made, seen, op, live) => {
      assert.equal(op.kind, 'snapshot');
      assert.equal(seen.at(-1)?.progress, 100);
      const progress = seen.map((s) => s.progress).filter((p): p is number => p !== undefined);
      if (!live) {
        assert.ok(progress.some((p) => p > 0 && p < 100), `no intermediate progress: ${progress.join(',')}`);
      }
      assert.ok(made.tags.some((t) => t.key === CLIENT_TOKEN_TAG && t.value), 'the create carries its client token tag');
      // The suite marks AWS snapshots by their description.
      assert.match(made.description ?? '', /^snapkeeper-test-ct-snap-/);
    },
    restored: (disk, plan, op) => {
      assert.equal(op.kind, 'volume');
      const zone = plan.fields.find((f) => f.id === 'zone');
      assert.equal(disk.zone, zone?.default, 'restored in the zone offered first: the source volume\'s');
    },
    // The API itself refused, not only the plan.
    restoreTooSmall: (log) => assert.ok(log.some((c) => / CreateVolume 400 InvalidParameterValue/.test(c)), log.join('\n')),
    imageMade: (image, plan, source) => {
      const arch = plan.fields.find((f) => f.id === 'architecture');
      assert.ok(arch && arch.kind === 'pick');
      assert.deepEqual(arch.options.map((o) => o.value), ['x86_64', 'arm64']);
      const dev = plan.fields.find((f) => f.id === 'rootDevice');
      assert.equal(dev?.kind === 'text' ? dev.default : undefined, '/dev/xvda');
      assert.deepEqual(image.snapshotIds, [source.id]);
      assert.equal(image.architecture, 'arm64');
      assert.equal(image.rootDevice, '/dev/xvda');
    },
    copied: (copy, plan, source) => {
      const dest = plan.fields.find((f) => f.id === 'destination');
      assert.ok(dest && dest.kind === 'pick');
      assert.notEqual(dest.default, source.scopeId, 'another region is offered first');
      assert.equal(copy.state, 'completed');
      assert.equal(copy.copiedFromId, source.id);
    },
    tagsChanged: (message) => assert.match(message, /1 set, 1 removed/),
    deleteConfirm: (text, snapshot, disk) => {
      for (const must of [snapshot.id, disk.id, `${snapshot.sizeGiB} GiB`]) {
        assert.ok(text.includes(must), `confirmation lacks ${must}: ${text}`);
      }
    },
    deleted: (result, disk) => {
      // DeleteSnapshot is done when it answers: nothing to follow.
      assert.deepEqual(result.operations, []);
      assert.ok(result.refreshScopeIds.includes(disk.scopeId));
    },
    // execute looked the AMIs up again and never sent DeleteSnapshot.
    deleteRefused: (log) => {
      assert.ok(log.some((c) => / DescribeImages /.test(c)), log.join('\n'));
      assert.ok(!log.some((c) => /DeleteSnapshot/.test(c)), log.join('\n'));
    },
    unknownDeleted: (message, log) => {
      assert.match(message, /^Deleted snapshot snap-0123456789abcdef0/);
      assert.ok(log.some((c) => /DeleteSnapshot .*InvalidSnapshot\.NotFound/.test(c)), 'AWS answered NotFound');
    },
    throttled: (e, log) => {
      assert.equal(e.message, 'AWS is throttling requests (RequestLimitExceeded); tried 3 times');
      assert.equal(e.code, 'RequestLimitExceeded');
      assert.ok(log.some((c) => / 503 RequestLimitExceeded .*\(3 attempts\)/.test(c)), log.join('\n'));
    },
    resetCreate: (log, made) => {
      assert.equal(log.filter((c) => /^EC2 \S+ CreateSnapshot /.test(c)).length, 1, log.join('\n'));
      assert.ok(log.some((c) => /adopted/.test(c)), log.join('\n'));
      assert.ok(made.tags.some((t) => t.key === CLIENT_TOKEN_TAG && t.value), 'the adopted snapshot carries the client token');
    },
    resetDelete: (message) => assert.match(message, /^Deleted snapshot/),
    // Profile accounts name their profile (aws.contract.test.ts, "through a profile").
    expired: (e) => assert.ok(!e.message.includes('sandbox-profile'), e.message),
    malformed: (e) => assert.equal(e.message, 'AWS returned a response that could not be read'),
  },
};


