import * as assert from 'node:assert/strict';
import { DeleteSnapshotCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { executeAction } from '../../src/adapters/aws/actions';
import type { AwsCore } from '../../src/adapters/aws/core';
import { createWithToken } from '../../src/adapters/aws/create';
import { toCloudError } from '../../src/adapters/aws/errors';
import { CloudError, isCloudError } from '../../src/model/errors';
import type { Snapshot } from '../../src/model/types';

/** A core whose `send` is scripted per command; records the commands sent. */
function fakeCore(send: (command: object) => unknown): AwsCore & { sent: string[]; lines: string[] } {
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
    setting: <T>(key: string, fallback: T): T => (key === 'aws.maxAttempts' ? (3 as T) : fallback),
    log: (l: string) => lines.push(l),
    snapshotVolumes: () => new Map<string, string | null>(),
    retryDelay: () => 1,
  };
  return core as unknown as AwsCore & { sent: string[]; lines: string[] };
}

const network = (): CloudError => new CloudError('network', 'Could not reach AWS (ECONNRESET; tried once)');

describe('aws createWithToken (no duplicates on retry)', () => {
  it('adopts the resource an ambiguous attempt made instead of creating again', async () => {
    const core = fakeCore(() => undefined);
    let creates = 0;
    let lookups = 0;
    const id = await createWithToken(core, {
      what: 'CreateSnapshot vol-1',
      create: async () => {
        creates++;
        throw network(); // committed on the server, answer lost
      },
      adopt: async () => {
        lookups++;
        return 'snap-made';
      },
    });
    assert.equal(id, 'snap-made');
    assert.equal(creates, 1);
    assert.equal(lookups, 1);
  });

  it('creates again only after a lookup proves nothing was made', async () => {
    const core = fakeCore(() => undefined);
    let creates = 0;
    const id = await createWithToken(core, {
      what: 'x',
      create: async () => {
        creates++;
        if (creates === 1) {
          throw new CloudError('server', 'AWS had an internal error (tried once)');
        }
        return 'snap-2';
      },
      adopt: async () => undefined,
    });
    assert.equal(id, 'snap-2');
    assert.equal(creates, 2);
  });

  it('does not retry a definite failure', async () => {
    const core = fakeCore(() => undefined);
    let lookups = 0;
    await assert.rejects(
      createWithToken(core, {
        what: 'x',
        create: async () => {
          throw new CloudError('invalid', 'bad volume');
        },
        adopt: async () => {
          lookups++;
          return undefined;
        },
      }),
      (e: unknown) => isCloudError(e) && e.kind === 'invalid',
    );
    assert.equal(lookups, 0);
  });

  it('stops (never creates again) when the lookup itself fails', async () => {
    const core = fakeCore(() => undefined);
    let creates = 0;
    await assert.rejects(
      createWithToken(core, {
        what: 'x',
        create: async () => {
          creates++;
          throw network();
        },
        adopt: async () => {
          throw new CloudError('network', 'lookup failed');
        },
      }),
      (e: unknown) => isCloudError(e) && e.kind === 'network' && e.message.startsWith('Could not reach AWS'),
    );
    assert.equal(creates, 1);
  });

  it('after the last attempt still looks once more, and reports the attempts', async () => {
    const core = fakeCore(() => undefined);
    let creates = 0;
    let lookups = 0;
    await assert.rejects(
      createWithToken(core, {
        what: 'x',
        create: async () => {
          creates++;
          throw new CloudError('throttled', 'AWS is throttling requests (RequestLimitExceeded); tried once');
        },
        adopt: async () => {
          lookups++;
          return undefined;
        },
      }),
      (e: unknown) => isCloudError(e) && e.kind === 'throttled' && /tried 3 times/.test(e.message),
    );
    assert.equal(creates, 3);
    assert.equal(lookups, 3);
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
