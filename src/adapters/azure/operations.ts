/**
 * Long-running operations. `execute` starts an ARM LRO through the SDK (the request is sent, the
 * answer's Azure-AsyncOperation / Location / provisioningState decides how it is followed), keeps
 * the poller's serialized state in OperationStart.data, and returns. Each `pollOperation`
 * restores that poller (`restorePoller`) and polls it once — exact ARM semantics, and it survives
 * a window reload. Creates are then followed on the resource itself until CopyStart's
 * `completionPercent` reaches 100. Restore in place is a multi-step operation whose step is read
 * from the cloud's state at each poll (see restore.ts).
 *
 * Only a definitive answer decides an operation: the status saying Succeeded / Failed / Canceled,
 * or a 4xx error body from a Location monitor. A poll that fails (throttled, 5xx after the SDK's
 * retries, a reset, a truncated body) never does — the SDK marks its own state failed on any such
 * error, so that state is ignored — and the resource itself is asked instead: a create shows its
 * provisioningState, a delete whether it is gone. What neither can tell is polled again (bounded).
 */
import { restorePoller, type ComputeManagementClient } from '@azure/arm-compute';
import type { OperationState, PollerLike } from '@azure/core-lro';
import { CloudError, errorText, isCloudError } from '../../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../../model/types';
import type { AzureCore } from './core';
import { parseArmId, splitScopeId } from './ids';
import { provisioningPhase } from './map';
import { pollRestoreInPlace, type RestoreData } from './restore';

/** What an 'lro' operation keeps in `data`. */
export interface LroData {
  sub: string;
  /** The SDK poller's serialized state (absent when the LRO ended with its first answer). */
  poller?: string;
  /**
   * After the LRO: follow the resource (`resource`: provisioningState + completionPercent), check
   * that it is gone (`gone`: deletes), or nothing (`none`: revoke export). The same check answers
   * when the operation's status URL has expired (ARM keeps it for a limited time).
   */
  then: 'resource' | 'gone' | 'none';
}

/** Anything with the PollerLike surface we use (never awaited directly: it is a thenable). */
type AnyPoller = Pick<PollerLike<OperationState<unknown>, unknown>, 'submitted' | 'serialize' | 'isDone' | 'operationState' | 'poll'>;

export interface Started {
  /** True when the first answer already ended the operation. */
  done: boolean;
  data: LroData;
}

/** Sends the LRO's first request and returns its resume data. Rejects with a CloudError. */
export async function startLro(core: AzureCore, sub: string, poller: AnyPoller, then: LroData['then']): Promise<Started> {
  await core.call(() => poller.submitted());
  const state = poller.operationState;
  if (state?.status === 'failed' || state?.status === 'canceled') {
    throw new CloudError('invalid', state.error ? errorText(state.error) : `The operation was ${state.status}`);
  }
  if (poller.isDone) {
    return { done: true, data: { sub, then } };
  }
  return { done: false, data: { sub, poller: await poller.serialize(), then } };
}

export function lroOperation(start: Omit<OperationStart, 'kind' | 'data'>, started: Started): OperationStart {
  return { ...start, kind: 'lro', data: JSON.stringify(started.data) };
}

function parseData<T>(op: OperationRecord): T {
  try {
    return JSON.parse(op.data ?? '') as T;
  } catch {
    throw new CloudError('malformed', `The saved state of "${op.title}" could not be read`);
  }
}

export async function pollOperation(core: AzureCore, op: OperationRecord): Promise<OperationStatus> {
  const status = await core.polls.guard(op.id, async () => {
    switch (op.kind) {
      case 'lro':
        return pollLro(core, op, parseData<LroData>(op));
      case 'restoreInPlace':
        return pollRestoreInPlace(core, op, parseData<RestoreData>(op));
      default:
        throw new CloudError('malformed', `Unknown Azure operation kind "${op.kind}"`);
    }
  });
  if (status.done) {
    for (const s of [op.scopeId, ...op.refreshScopeIds]) {
      core.invalidate(splitScopeId(s).subscriptionId);
    }
  }
  return status;
}

async function pollLro(core: AzureCore, op: OperationRecord, data: LroData): Promise<OperationStatus> {
  const client = core.compute(data.sub);
  if (data.poller) {
    let poller: AnyPoller;
    try {
      poller = restorePoller(client, data.poller, noop) as unknown as AnyPoller;
    } catch (e) {
      throw new CloudError('invalid', `The saved state of "${op.title}" could not be resumed (${errorText(e)})`, { cause: e });
    }
    let statusGone = false;
    try {
      await core.call(() => poller.poll());
    } catch (e) {
      const err = isCloudError(e) ? e : core.translate(e);
      if (err.kind === 'notFound') {
        // The operation's status URL is gone (ARM keeps it for a limited time): judge by the resource.
        statusGone = true;
      } else if (err.kind === 'invalid' || err.kind === 'inUse') {
        // A 4xx with an error body from the Location monitor: ARM's own word that it failed.
        return { done: true, failed: true, message: err.display };
      } else {
        return judgeByResource(core, client, op, data, err);
      }
    }
    const state = poller.operationState;
    if (!statusGone && (state?.status === 'failed' || state?.status === 'canceled')) {
      return { done: true, failed: true, message: lroError(state) };
    }
    if (!poller.isDone && !statusGone) {
      // Still running: the resource's own state adds nothing yet (one request per poll, not two).
      return { done: false, message: 'InProgress' };
    }
    if (data.then === 'none') {
      return statusGone
        ? { done: true, message: 'The operation’s status is no longer kept by Azure; check the resource' }
        : { done: true, progress: 100, message: 'Succeeded' };
    }
    if (data.then === 'gone') {
      // A delete that ARM says succeeded is gone; with its status expired, look for the resource.
      return statusGone ? pollGone(core, client, op.resourceId) : { done: true, progress: 100, message: 'Succeeded' };
    }
  } else if (data.then === 'none' || data.then === 'gone') {
    return { done: true, progress: 100, message: 'Succeeded' };
  }
  return pollResource(core, client, op.resourceId);
}

function lroError(state: OperationState<unknown>): string {
  if (state.status === 'canceled') {
    return 'The operation was canceled';
  }
  return state.error ? errorText(state.error) : 'The operation failed';
}

/**
 * The status poll failed (throttled, 5xx after the SDK's retries, reset, unreadable): it decides
 * nothing. Ask the resource instead: a create answers with its own provisioningState (Failed,
 * Succeeded and copied, or still in progress), a delete is done when the resource is gone. When
 * the resource cannot tell (a delete whose resource is still there, a revoke), the poll counts as
 * undecidable: polled again, a bounded number of times (`core.polls`).
 */
async function judgeByResource(core: AzureCore, client: ComputeManagementClient, op: OperationRecord, data: LroData, err: CloudError): Promise<OperationStatus> {
  if (data.then === 'resource') {
    return pollResource(core, client, op.resourceId);
  }
  if (data.then === 'gone' && !(await getResource(core, client, op.resourceId))) {
    return { done: true, progress: 100, message: 'Deleted' };
  }
  throw new CloudError('malformed', `the operation's status could not be read (${err.display})`, { code: err.code, cause: err });
}

function noop(): never {
  throw new Error('not called');
}

type Followed = { provisioningState?: string; completionPercent?: number; copyCompletionError?: { errorCode: string; errorMessage: string } };

/** One GET of the resource an operation is about; undefined when it does not exist. */
async function getResource(core: AzureCore, client: ComputeManagementClient, id: string): Promise<Followed | undefined> {
  const parsed = parseArmId(id);
  if (!parsed) {
    throw new CloudError('invalid', `Not an Azure resource id: ${id}`);
  }
  const rg = parsed.resourceGroup;
  try {
    switch (parsed.type.toLowerCase()) {
      case 'snapshots':
        return await core.call(() => client.snapshots.get(rg, parsed.name));
      case 'disks':
        return await core.call(() => client.disks.get(rg, parsed.name));
      case 'images':
        return await core.call(() => client.images.get(rg, parsed.name));
      case 'virtualmachines':
        return await core.call(() => client.virtualMachines.get(rg, parsed.name));
      default:
        throw new CloudError('invalid', `Cannot follow a ${parsed.type} (${id})`);
    }
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return undefined;
    }
    throw e;
  }
}

/** A delete whose status ARM no longer keeps: done when the resource is gone. */
async function pollGone(core: AzureCore, client: ComputeManagementClient, id: string): Promise<OperationStatus> {
  const r = await getResource(core, client, id);
  if (!r) {
    return { done: true, progress: 100, message: 'Deleted' };
  }
  // Still there: say so rather than follow it for ever.
  return { done: true, failed: true, message: `Azure no longer keeps the delete's status and the resource still exists (${r.provisioningState ?? 'present'})` };
}

/** provisioningStates of a resource still being made or changed. */
const IN_PROGRESS = new Set(['creating', 'updating', 'accepted', 'migrating', 'running', 'inprogress', 'provisioning']);

/** One GET of a created resource: provisioningState, and completionPercent for CopyStart copies. */
async function pollResource(core: AzureCore, client: ComputeManagementClient, id: string): Promise<OperationStatus> {
  const r = await getResource(core, client, id);
  if (!r) {
    return { done: true, failed: true, message: `${parseArmId(id)?.name ?? id} no longer exists` };
  }
  const phase = provisioningPhase(r.provisioningState);
  if (phase === 'error') {
    return { done: true, failed: true, message: `Provisioning ${r.provisioningState}` };
  }
  if (r.copyCompletionError) {
    return { done: true, failed: true, message: `${r.copyCompletionError.errorCode}: ${r.copyCompletionError.errorMessage}` };
  }
  if (phase === 'deleting') {
    return { done: true, failed: true, message: `${parseArmId(id)?.name ?? id} is being deleted` };
  }
  if (phase !== 'ready') {
    if (!IN_PROGRESS.has((r.provisioningState ?? '').toLowerCase())) {
      throw new CloudError('malformed', `Azure reported the provisioningState "${r.provisioningState ?? ''}", which Snapkeeper does not know`);
    }
    return { done: false, message: r.provisioningState };
  }
  if (r.completionPercent !== undefined && r.completionPercent < 100) {
    return { done: false, progress: Math.max(0, Math.floor(r.completionPercent)), message: `Copying ${Math.floor(r.completionPercent)}%` };
  }
  return { done: true, progress: 100, message: 'Succeeded' };
}
