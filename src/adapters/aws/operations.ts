/**
 * One poll of a tracked operation: a single DescribeX call for the resource the operation made.
 * EC2 is eventually consistent: right after a create, Describe* may not show the new resource
 * (by id: `*.NotFound`; by filter: an empty answer). Within `aws.visibilityGraceMs` of the
 * operation's start that means "not visible yet" and the poll goes on; after it, a resource that
 * does not exist ends the operation as failed. A state word this adapter does not know, or an
 * answer it cannot read, is polled again a bounded number of times, then ends the operation with a
 * failure naming what it got.
 */
import {
  DescribeImagesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { CloudError, isCloudError } from '../../model/errors';
import type { OperationRecord, OperationStatus } from '../../model/types';
import type { AwsCore } from './core';
import { parseProgress } from './map';

/** The operation kinds `execute` starts. */
export type AwsOperationKind = 'snapshot' | 'volume' | 'image' | 'replaceRoot';

/** How long after an operation starts a missing resource is taken for "not visible yet" (ms). */
export const DEFAULT_VISIBILITY_GRACE_MS = 120_000;

/** What one Describe answered: a decided status, or no such resource. */
type Seen = OperationStatus | { missing: true };

const gone = (id: string): OperationStatus => ({ done: true, failed: true, message: `${id} no longer exists` });

/** A state word this adapter does not know: unreadable data (bounded by `core.polls`). */
function unknownState(what: string, state: string | undefined): CloudError {
  return new CloudError('malformed', `AWS reported the ${what} state "${state ?? '(none)'}", which Snapkeeper does not know`);
}

export function pollOperation(core: AwsCore, op: OperationRecord): Promise<OperationStatus> {
  return core.polls.guard(op.id, async () => {
    let seen: Seen;
    try {
      seen = await pollOnce(core, op);
    } catch (e) {
      if (!(isCloudError(e) && e.kind === 'notFound')) {
        throw e;
      }
      seen = { missing: true };
    }
    if (!('missing' in seen)) {
      return seen;
    }
    const grace = Math.max(0, core.setting<number>('aws.visibilityGraceMs', DEFAULT_VISIBILITY_GRACE_MS));
    if (Date.now() - op.startedAt < grace) {
      return { done: false, message: 'not visible yet (EC2 is eventually consistent)' };
    }
    return gone(op.resourceId);
  });
}

async function pollOnce(core: AwsCore, op: OperationRecord): Promise<Seen> {
  const region = op.scopeId;
  const id = op.resourceId;
  switch (op.kind as AwsOperationKind) {
    case 'snapshot': {
      const out = await core.send(region, new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
      const s = out.Snapshots?.find((x) => x.SnapshotId === id);
      if (!s) {
        return { missing: true };
      }
      switch (s.State) {
        case 'completed':
          return { done: true, progress: 100, message: 'completed' };
        case 'error':
          return { done: true, failed: true, message: s.StateMessage || 'the snapshot failed (error)' };
        case 'pending':
        case 'recoverable':
        case 'recovering':
          return { done: false, progress: parseProgress(s.Progress), message: s.State };
        default:
          throw unknownState('snapshot', s.State);
      }
    }
    case 'volume': {
      const out = await core.send(region, new DescribeVolumesCommand({ VolumeIds: [id] }));
      const v = out.Volumes?.find((x) => x.VolumeId === id);
      if (!v) {
        return { missing: true };
      }
      switch (v.State) {
        case 'available':
        case 'in-use':
          return { done: true, progress: 100, message: v.State };
        case 'error':
          return { done: true, failed: true, message: 'the volume could not be created (error)' };
        case 'deleting':
        case 'deleted':
          return { done: true, failed: true, message: `the volume is ${v.State}` };
        case 'creating':
          return { done: false, message: v.State };
        default:
          throw unknownState('volume', v.State);
      }
    }
    case 'image': {
      const out = await core.send(region, new DescribeImagesCommand({ ImageIds: [id] }));
      const i = out.Images?.find((x) => x.ImageId === id);
      if (!i) {
        return { missing: true };
      }
      switch (i.State) {
        case 'available':
          return { done: true, progress: 100, message: 'available' };
        case 'failed':
        case 'error':
        case 'invalid':
        case 'deregistered':
          return { done: true, failed: true, message: i.StateReason?.Message || `the image is ${i.State}` };
        case 'pending':
        case 'transient':
          return { done: false, message: i.State };
        default:
          throw unknownState('image', i.State);
      }
    }
    case 'replaceRoot': {
      const out = await core.send(region, new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [id] }));
      const t = out.ReplaceRootVolumeTasks?.find((x) => x.ReplaceRootVolumeTaskId === id);
      if (!t) {
        return { missing: true };
      }
      switch (t.TaskState) {
        case 'succeeded':
          return { done: true, progress: 100, message: 'succeeded' };
        case 'failed':
        case 'failed-detached':
          return { done: true, failed: true, message: `replacing the root volume ${t.TaskState}` };
        case 'pending':
        case 'in-progress':
        case 'failing':
          return { done: false, message: t.TaskState };
        default:
          throw unknownState('task', t.TaskState);
      }
    }
    default:
      throw new CloudError('malformed', `Unknown AWS operation kind "${op.kind}"`);
  }
}
