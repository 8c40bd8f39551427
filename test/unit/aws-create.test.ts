import * as assert from 'node:assert/strict';
import { CreateVolumeCommand, DeleteSnapshotCommand, DescribeImagesCommand, DescribeSnapshotsCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { executeAction } from '../../src/adapters/aws/actions';
import type { AwsCore } from '../../src/adapters/aws/core';
import { createWithToken, sendRepeatable } from '../../src/adapters/aws/create';
import { toCloudError } from '../../src/adapters/aws/errors';
import { pollOperation } from '../../src/adapters/aws/operations';
import { CloudError, isCloudError } from '../../src/model/errors';
import { UNDECIDABLE_POLL_LIMIT, UndecidablePolls } from '../../src/model/polls';
import type { OperationRecord, Snapshot } from '../../src/model/types';

/**
 * A core whose `send` is scripted per command; records the commands sent. Settings: maxAttempts 3,
 * no consistency window unless `settings` says otherwise.
 */
function fakeCore(send: (command: object) => unknown, settings: Record<string, unknown> = {}): AwsCore & { sent: string[]; lines: string[] } {
  const all: Record<string, unknown> = { 'aws.maxAttempts': 3, 'aws.consistencyWindowMs': 0, ...settings };
  const sent: string[] = [];
  const lines: string[] = [];
  const core = {
    account: { id: 'a', cloud: 'aws' as const, label: 'test', settings: { profile: 'p' } },
    sent,
    lines,
    async send(_region: string, command: object) {
      sent.push(command.constructor.name);
      return send(command);
    },
    async translate(e: unknown) {
      return toCloudError(e, { profile: 'p', sso: false });
    },
    setting: <T>(key: string, fallback: T): T => (key in all ? (all[key] as T) : fallback),
    log: (l: string) => lines.push(l),
    snapshotVolumes: () => new Map<string, string | null>(),
    retryDelay: () => 1,
    polls: new UndecidablePolls(),
  };
  return core as unknown as AwsCore & { sent: string[]; lines: string[] };
}

const network = (): CloudError => new CloudError('network', 'Could not reach AWS (ECONNRESET; tried once)');

/** What one scripted createWithToken did: the id it resolved or the error it rejected with, and its calls. */
interface Outcome {
  id?: string;
  error?: unknown;
  creates: number;
  lookups: number;
}

/**
 * Runs createWithToken on a core with `settings`, its create and its lookup (adopt) scripted by
 * call number (from 1): each returns, or throws, what the n-th attempt or lookup would.
 */
async function scripted(script: {
  settings?: Record<string, unknown>;
  create: (n: number) => string;
  adopt: (n: number) => string | undefined;
}): Promise<Outcome> {
  const core = fakeCore(() => undefined, script.settings);
  const out: Outcome = { creates: 0, lookups: 0 };
  try {
    out.id = await createWithToken(core, {
      what: 'CreateSnapshot vol-1',
      create: async () => script.create(++out.creates),
      adopt: async () => script.adopt(++out.lookups),
    });
  } catch (e) {
    out.error = e;
  }
  return out;
}

const throttled = (): CloudError => new CloudError('throttled', 'AWS is throttling requests (RequestLimitExceeded); tried once');
const unreadable = (): CloudError => new CloudError('malformed', 'AWS returned a response that could not be read');

describe('aws createWithToken (no duplicates on retry)', () => {
  it('adopts the resource an ambiguous attempt made instead of creating again', async () => {
    const r = await scripted({
      create: () => {
        throw network(); // committed on the server, answer lost
      },
      adopt: () => 'snap-made',
    });
    assert.deepEqual(r, { id: 'snap-made', creates: 1, lookups: 1 });
  });

  it('creates again only after a lookup proves nothing was made', async () => {
    const r = await scripted({
      create: (n) => {
        if (n === 1) {
          throw new CloudError('server', 'AWS had an internal error (tried once)');
        }
        return 'snap-2';
      },
      adopt: () => undefined,
    });
    assert.deepEqual(r, { id: 'snap-2', creates: 2, lookups: 1 });
  });

  it('does not retry a definite failure', async () => {
    const r = await scripted({
      create: () => {
        throw new CloudError('invalid', 'bad volume');
      },
      adopt: () => undefined,
    });
    assert.ok(isCloudError(r.error) && r.error.kind === 'invalid', String(r.error));
    assert.deepEqual({ creates: r.creates, lookups: r.lookups }, { creates: 1, lookups: 0 });
  });

  it('under eventual consistency keeps looking through the window before creating again (no duplicate)', async () => {
    let madeAt = 0;
    const r = await scripted({
      settings: { 'aws.consistencyWindowMs': 2_000 },
      create: () => {
        madeAt = Date.now();
        throw network(); // made on the server, answer lost
      },
      // Describe shows the new snapshot only 300 ms after it was made.
      adopt: () => (Date.now() - madeAt >= 300 ? 'snap-made' : undefined),
    });
    assert.equal(r.id, 'snap-made');
    assert.equal(r.creates, 1);
  });

  it('after a throttled create looks once (EC2 refuses a throttled request before acting) and creates again', async () => {
    const r = await scripted({
      settings: { 'aws.consistencyWindowMs': 60_000 },
      create: (n) => {
        if (n === 1) {
          throw throttled();
        }
        return 'snap-2';
      },
      adopt: () => undefined,
    });
    assert.deepEqual(r, { id: 'snap-2', creates: 2, lookups: 1 });
  });

  it('a lookup that fails is tried again before anything is concluded', async () => {
    const r = await scripted({
      create: () => {
        throw unreadable();
      },
      adopt: (n) => {
        if (n === 1) {
          throw new CloudError('network', 'lookup failed');
        }
        return 'snap-made';
      },
    });
    assert.deepEqual(r, { id: 'snap-made', creates: 1, lookups: 2 });
  });

  it('lookups failing now and then within the window do not end the search (the resource shows up later)', async () => {
    const madeAt = Date.now();
    const r = await scripted({
      settings: { 'aws.consistencyWindowMs': 2_000 },
      create: () => {
        throw unreadable();
      },
      adopt: (n) => {
        if (n % 2 === 1) {
          throw new CloudError('server', 'AWS had an internal error (tried once)');
        }
        return Date.now() - madeAt >= 700 ? 'snap-made' : undefined;
      },
    });
    assert.equal(r.id, 'snap-made');
    assert.equal(r.creates, 1);
    assert.ok(r.lookups >= 4, `${r.lookups} lookups`);
  });

  it('stops (never creates again) when the lookup keeps failing', async () => {
    const r = await scripted({
      create: () => {
        throw network();
      },
      adopt: () => {
        throw new CloudError('network', 'lookup failed');
      },
    });
    assert.ok(isCloudError(r.error) && r.error.kind === 'network' && r.error.message.startsWith('Could not reach AWS'), String(r.error));
    assert.equal(r.id, undefined);
    assert.equal(r.creates, 1);
  });

  it('after the last attempt still looks once more, and reports the attempts', async () => {
    const r = await scripted({
      create: () => {
        throw throttled();
      },
      adopt: () => undefined,
    });
    assert.ok(isCloudError(r.error) && r.error.kind === 'throttled' && /tried 3 times/.test(r.error.message), String(r.error));
    assert.deepEqual({ creates: r.creates, lookups: r.lookups }, { creates: 3, lookups: 3 });
  });
});

describe('aws deleteSnapshot when AWS still answers InvalidSnapshot.InUse', () => {
  it('surfaces inUse naming the AMI from the message', async () => {
    const core = fakeCore((command) => {
      if (command instanceof DescribeImagesCommand) {
        return { Images: [] };
      }
      if (command instanceof DeleteSnapshotCommand) {
        throw new CloudError('inUse', 'The snapshot snap-1 is currently in use by ami-0abc123', { code: 'InvalidSnapshot.InUse' });
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    });
    const snap: Snapshot = { kind: 'snapshot', id: 'snap-1', scopeId: 'us-east-1', state: 'completed', phase: 'ready', tags: [], sizeGiB: 8, encrypted: false };
    await assert.rejects(
      executeAction(core, 'deleteSnapshot', snap, {}, { inventory: { vms: [], disks: [], snapshots: [], images: [] }, scopes: [] }),
      (e: unknown) => isCloudError(e) && e.kind === 'inUse' && e.message.includes('ami-0abc123') && /Deregister ami-0abc123 first/.test(e.message),
    );
    assert.deepEqual(core.sent, ['DescribeImagesCommand', 'DeleteSnapshotCommand', 'DescribeImagesCommand']);
  });

  it('never sends DeleteSnapshot when an AMI uses the snapshot', async () => {
    const core = fakeCore((command) => {
      if (command instanceof DescribeImagesCommand) {
        return { Images: [{ ImageId: 'ami-9', Name: 'golden', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-1' } }] }] };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    });
    const snap: Snapshot = { kind: 'snapshot', id: 'snap-1', scopeId: 'us-east-1', state: 'completed', phase: 'ready', tags: [], sizeGiB: 8, encrypted: false };
    await assert.rejects(
      executeAction(core, 'deleteSnapshot', snap, {}, { inventory: { vms: [], disks: [], snapshots: [], images: [] }, scopes: [] }),
      (e: unknown) => isCloudError(e) && e.kind === 'inUse' && e.message.includes('ami-9 (golden)'),
    );
    assert.deepEqual(core.sent, ['DescribeImagesCommand']);
  });
});

const SNAP: Snapshot = { kind: 'snapshot', id: 'snap-1', scopeId: 'us-east-1', state: 'completed', phase: 'ready', tags: [], sizeGiB: 8, encrypted: false };
const NO_RELATED = { inventory: { vms: [], disks: [], snapshots: [], images: [] }, scopes: [] };
const notFound = (): CloudError => new CloudError('notFound', "The snapshot 'snap-1' does not exist.", { code: 'InvalidSnapshot.NotFound' });

describe('aws requests that are safe to repeat', () => {
  it('sendRepeatable sends again after an unreadable answer, not after a definite failure', async () => {
    const core = fakeCore(() => undefined);
    let n = 0;
    assert.equal(
      await sendRepeatable(core, 'x', async () => {
        if (++n === 1) {
          throw new CloudError('malformed', 'AWS returned a response that could not be read');
        }
        return 'vol-1';
      }),
      'vol-1',
    );
    assert.equal(n, 2);
    n = 0;
    await assert.rejects(
      sendRepeatable(core, 'x', async () => {
        n++;
        throw new CloudError('invalid', 'bad size');
      }),
      (e: unknown) => isCloudError(e) && e.kind === 'invalid',
    );
    assert.equal(n, 1);
  });

  it('restore to a new volume: after an unreadable CreateVolume answer it looks for the token, then sends it again with the same ClientToken', async () => {
    const tokens: (string | undefined)[] = [];
    const core = fakeCore((command) => {
      if (command instanceof DescribeVolumesCommand) {
        assert.deepEqual(command.input.Filters, [{ Name: 'tag:snapkeeper:client-token', Values: [tokens[0]] }]);
        return { Volumes: [] };
      }
      if (command instanceof CreateVolumeCommand) {
        tokens.push(command.input.ClientToken);
        if (tokens.length === 1) {
          throw new CloudError('malformed', 'AWS returned a response that could not be read');
        }
        return { VolumeId: 'vol-made' };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    });
    const res = await executeAction(core, 'restoreToNewDisk', SNAP, { zone: 'us-east-1a', volumeType: 'gp3', sizeGiB: 8 }, NO_RELATED);
    assert.equal(res.operations[0].resourceId, 'vol-made');
    assert.equal(tokens.length, 2);
    assert.ok(tokens[0]);
    assert.equal(tokens[1], tokens[0]);
    assert.deepEqual(core.sent, ['CreateVolumeCommand', 'DescribeVolumesCommand', 'CreateVolumeCommand']);
  });

  it('restore to a new volume: a lost answer whose volume exists is adopted (found by its token tag)', async () => {
    let token: string | undefined;
    const core = fakeCore((command) => {
      if (command instanceof CreateVolumeCommand) {
        token = command.input.ClientToken;
        assert.ok(command.input.TagSpecifications?.[0]?.Tags?.some((t) => t.Key === 'snapkeeper:client-token' && t.Value === token));
        throw network();
      }
      if (command instanceof DescribeVolumesCommand) {
        return { Volumes: [{ VolumeId: 'vol-made', Tags: [{ Key: 'snapkeeper:client-token', Value: token }] }] };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    });
    const res = await executeAction(core, 'restoreToNewDisk', SNAP, { zone: 'us-east-1a', volumeType: 'gp3', sizeGiB: 8 }, NO_RELATED);
    assert.equal(res.operations[0].resourceId, 'vol-made');
    assert.deepEqual(core.sent, ['CreateVolumeCommand', 'DescribeVolumesCommand']);
  });

  it('a delete whose answers were all lost but whose snapshot is gone succeeded', async () => {
    const core = fakeCore((command) => {
      if (command instanceof DescribeImagesCommand) {
        return { Images: [] };
      }
      if (command instanceof DeleteSnapshotCommand) {
        throw network();
      }
      if (command instanceof DescribeSnapshotsCommand) {
        throw notFound();
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    });
    const res = await executeAction(core, 'deleteSnapshot', SNAP, {}, NO_RELATED);
    assert.equal(res.message, 'Deleted snapshot snap-1');
    assert.deepEqual(core.sent, ['DescribeImagesCommand', 'DeleteSnapshotCommand', 'DeleteSnapshotCommand', 'DeleteSnapshotCommand', 'DescribeSnapshotsCommand']);
  });

  it('a delete whose retry finds the snapshot gone (an earlier attempt deleted it) succeeded', async () => {
    let deletes = 0;
    const core = fakeCore((command) => {
      if (command instanceof DescribeImagesCommand) {
        return { Images: [] };
      }
      if (command instanceof DeleteSnapshotCommand) {
        throw ++deletes === 1 ? network() : notFound();
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    });
    const res = await executeAction(core, 'deleteSnapshot', SNAP, {}, NO_RELATED);
    assert.equal(res.message, 'Deleted snapshot snap-1');
    assert.equal(deletes, 2);
  });
});

describe('aws polls (eventual consistency, unknown states, unreadable answers)', () => {
  const record = (startedAt: number, kind = 'snapshot'): OperationRecord => ({
    id: `op-${Math.random()}`,
    accountId: 'a',
    kind,
    title: 't',
    scopeId: 'us-east-1',
    resourceId: kind === 'volume' ? 'vol-1' : 'snap-1',
    refreshScopeIds: [],
    startedAt,
  });

  it('NotFound or an empty answer right after the create: not visible yet, not "no longer exists"', async () => {
    for (const answer of [() => { throw notFound(); }, () => ({ Snapshots: [] })]) {
      const core = fakeCore((command) => {
        assert.ok(command instanceof DescribeSnapshotsCommand);
        return answer();
      });
      const s = await pollOperation(core, record(Date.now()));
      assert.equal(s.done, false);
      assert.match(s.message ?? '', /not visible yet/);
    }
  });

  it('a resource still missing after aws.visibilityGraceMs no longer exists', async () => {
    const core = fakeCore(() => ({ Volumes: [] }), { 'aws.visibilityGraceMs': 1_000 });
    const s = await pollOperation(core, record(Date.now() - 1_001, 'volume'));
    assert.deepEqual(s, { done: true, failed: true, message: 'vol-1 no longer exists' });
  });

  it('an unknown state is polled again, then ends as a failure naming it', async () => {
    const core = fakeCore((command) => {
      assert.ok(command instanceof DescribeVolumesCommand);
      return { Volumes: [{ VolumeId: 'vol-1', State: 'migrating' }] };
    });
    const op = record(Date.now(), 'volume');
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op), (e: unknown) => isCloudError(e) && e.kind === 'malformed' && /"migrating"/.test(e.message));
    }
    const last = await pollOperation(core, op);
    assert.equal(last.done, true);
    assert.equal(last.failed, true);
    assert.equal(last.undecided, true, 'undecided: the tracker stops following it rather than announce a failure');
    assert.match(last.message ?? '', new RegExp(`${UNDECIDABLE_POLL_LIMIT} polls in a row got AWS reported the volume state "migrating"`));
  });

  it('unreadable answers are bounded; a readable one in between starts the count again', async () => {
    let n = 0;
    const core = fakeCore(() => {
      n++;
      if (n === 3) {
        return { Snapshots: [{ SnapshotId: 'snap-1', State: 'pending', Progress: '40%' }] };
      }
      throw new CloudError('malformed', 'AWS returned a response that could not be read');
    });
    const op = record(Date.now());
    await assert.rejects(pollOperation(core, op));
    await assert.rejects(pollOperation(core, op));
    assert.deepEqual(await pollOperation(core, op), { done: false, progress: 40, message: 'pending' });
    for (let i = 1; i < UNDECIDABLE_POLL_LIMIT; i++) {
      await assert.rejects(pollOperation(core, op), (e: unknown) => isCloudError(e) && e.kind === 'malformed');
    }
    const last = await pollOperation(core, op);
    assert.deepEqual({ done: last.done, failed: last.failed }, { done: true, failed: true });
    assert.match(last.message ?? '', /could not be read/);
  });

  it('throttling and 5xx are never counted: they pass through for the tracker to retry', async () => {
    const core = fakeCore(() => {
      throw new CloudError('throttled', 'AWS is throttling requests (RequestLimitExceeded); tried 3 times');
    });
    const op = record(Date.now());
    for (let i = 0; i < UNDECIDABLE_POLL_LIMIT * 2; i++) {
      await assert.rejects(pollOperation(core, op), (e: unknown) => isCloudError(e) && e.kind === 'throttled');
    }
  });
});
