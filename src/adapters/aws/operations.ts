/**
 * One poll of a tracked operation: a single DescribeX call for the resource the operation made.
 * A resource that no longer exists ends the operation as failed.
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

const gone = (id: string): OperationStatus => ({ done: true, failed: true, message: `${id} no longer exists` });

export async function pollOperation(core: AwsCore, op: OperationRecord): Promise<OperationStatus> {
  try {
    return await pollOnce(core, op);
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return gone(op.resourceId);
    }
    throw e;
  }
}

async function pollOnce(core: AwsCore, op: OperationRecord): Promise<OperationStatus> {
  const region = op.scopeId;
  const id = op.resourceId;
  switch (op.kind as AwsOperationKind) {
    case 'snapshot': {
      const out = await core.send(region, new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
      const s = out.Snapshots?.find((x) => x.SnapshotId === id);
      if (!s) {
        return gone(id);
      }
      switch (s.State) {
        case 'completed':
          return { done: true, progress: 100, message: 'completed' };
        case 'error':
          return { done: true, failed: true, message: s.StateMessage || 'the snapshot failed (error)' };
        default:
          return { done: false, progress: parseProgress(s.Progress), message: s.State };
      }
    }
    case 'volume': {
      const out = await core.send(region, new DescribeVolumesCommand({ VolumeIds: [id] }));
      const v = out.Volumes?.find((x) => x.VolumeId === id);
      if (!v) {
        return gone(id);
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
        default:
          return { done: false, message: v.State };
      }
    }
    case 'image': {
      const out = await core.send(region, new DescribeImagesCommand({ ImageIds: [id] }));
      const i = out.Images?.find((x) => x.ImageId === id);
      if (!i) {
        return gone(id);
      }
      switch (i.State) {
        case 'available':
          return { done: true, progress: 100, message: 'available' };
        case 'failed':
        case 'error':
        case 'invalid':
        case 'deregistered':
          return { done: true, failed: true, message: i.StateReason?.Message || `the image is ${i.State}` };
        default:
          return { done: false, message: i.State };
      }
    }
    case 'replaceRoot': {
      const out = await core.send(region, new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [id] }));
      const t = out.ReplaceRootVolumeTasks?.find((x) => x.ReplaceRootVolumeTaskId === id);
      if (!t) {
        return gone(id);
      }
      switch (t.TaskState) {
        case 'succeeded':
          return { done: true, progress: 100, message: 'succeeded' };
        case 'failed':
        case 'failed-detached':
          return { done: true, failed: true, message: `replacing the root volume ${t.TaskState}` };
        default:
          return { done: false, message: t.TaskState }; // pending, in-progress, failing
      }
    }
    default:
      throw new CloudError('invalid', `Unknown AWS operation kind "${op.kind}"`);
  }
}
