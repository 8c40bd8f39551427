/**
 * Operations: every mutation answers a Compute Operation (zonal, regional or global). The
 * tracker's record keeps the operation's real name and place in `data`; each poll GETs it.
 * DONE with `error` is a failure (never success); after DONE a create is followed on the resource
 * until it is READY (and a snapshot's storageBytesStatus UP_TO_DATE, so its stored bytes are final).
 * Restore in place is a multi-step operation whose step is read from the cloud (restore.ts).
 * An operation Google no longer keeps is judged by its resource (a create by its status, a delete
 * by the resource being gone); a status word this adapter does not know, or an answer it cannot
 * read, is polled again a bounded number of times (`core.polls`), then reported as what it was.
 */
import { randomUUID } from 'node:crypto';
import { CloudError, isCloudError } from '../../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../../model/types';
import type { GetKind, Json, Mutation, OperationRef, ResourceRef } from './api';
import type { GcpCore } from './core';
import { isRetryable } from './errors';
import { pathOf, parsePath, shortName, splitScope } from './ids';
import { getOrUndefined, mutate, operationError } from './requests';
import { pollRestoreInPlace, type RestoreData } from './restore';

export interface OpData {
  /** Absent when the mutation was performed but its answer never arrived (see `createOrFind`). */
  op?: OperationRef;
  /** After DONE, follow this resource until READY. */
  then?: { kind: GetKind; ref: ResourceRef };
  /** A delete of this resource: once the operation is no longer kept, done when it is gone. */
  deletes?: { kind: GetKind; ref: ResourceRef };
}

export function newRequestId(): string {
  return randomUUID();
}

export function operationRef(op: Json, fallbackProject: string): OperationRef {
  const name = typeof op.name === 'string' ? op.name : undefined;
  if (!name) {
    throw new CloudError('malformed', 'Google Cloud answered a change without an operation name');
  }
  const project = parsePath(`${pathOf(op.selfLink) ?? ''}`)?.project ?? fallbackProject;
  const zone = shortName(op.zone);
  const region = shortName(op.region);
  return { project, operation: name, ...(zone ? { zone } : region ? { region } : {}) };
}

/**
 * Sends a create or a delete (retried with its requestId by `core.call`). When those retries run
 * out on a failure after which an attempt may still have been performed (a reset, a truncated
 * answer, 5xx, throttling), the resource itself is asked before anything is called failed:
 * `performed` says whether the change is there (a new resource made since `since`, or the
 * target gone or going). Resolves with the Operation, or undefined when the change was made but
 * its answer never arrived (then the resource is followed, without its operation).
 */
export async function mutateOrFind(
  core: GcpCore,
  m: Mutation,
  project: string,
  performed: () => Promise<boolean>,
): Promise<Json | undefined> {
  try {
    return await mutate(core, m, project);
  } catch (e) {
    if (!(isCloudError(e) && isRetryable(e))) {
      throw e;
    }
    let found: boolean;
    try {
      found = await performed();
    } catch {
      throw e;
    }
    if (!found) {
      throw e;
    }
    core.log(`GCP ${m.method}: its answer was lost (${e.display}), but the change was made; following the resource`);
    return undefined;
  }
}

/** True when `ref` exists and was created at or after `since` (ms; a minute of clock skew allowed). */
export async function madeSince(core: GcpCore, kind: GetKind, ref: ResourceRef, since: number): Promise<boolean> {
  const r = await getOrUndefined(core, kind, ref);
  const created = typeof r?.creationTimestamp === 'string' ? Date.parse(r.creationTimestamp) : NaN;
  return r !== undefined && Number.isFinite(created) && created >= since - 60_000;
}

/** True when `ref` is gone or being deleted. */
export async function goneOrGoing(core: GcpCore, kind: GetKind, ref: ResourceRef): Promise<boolean> {
  const r = await getOrUndefined(core, kind, ref);
  return r === undefined || r.status === 'DELETING';
}

export function opStart(
  start: Omit<OperationStart, 'kind' | 'data'>,
  op: Json | undefined,
  project: string,
  follow?: Pick<OpData, 'then' | 'deletes'>,
): OperationStart {
  const data: OpData = { ...(op ? { op: operationRef(op, project) } : {}), ...follow };
  return { ...start, kind: 'op', data: JSON.stringify(data) };
}

function parseData<T>(op: OperationRecord): T {
  try {
    return JSON.parse(op.data ?? '') as T;
  } catch {
    throw new CloudError('malformed', `The saved state of "${op.title}" could not be read`);
  }
}

export async function pollOperation(core: GcpCore, op: OperationRecord): Promise<OperationStatus> {
  const status = await core.polls.guard(op.id, async () => {
    switch (op.kind) {
      case 'op':
        return pollOp(core, parseData<OpData>(op));
      case 'restoreInPlace':
        return pollRestoreInPlace(core, parseData<RestoreData>(op));
      default:
        throw new CloudError('malformed', `Unknown Google Cloud operation kind "${op.kind}"`);
    }
  });
  if (status.done) {
    for (const s of [op.scopeId, ...op.refreshScopeIds]) {
      core.invalidate(splitScope(s).project);
    }
  }
  return status;
}

/** A create's resource while it is being made. */
const IN_PROGRESS = new Set(['CREATING', 'UPLOADING', 'RESTORING', 'PENDING', 'PROVISIONING', 'STAGING']);

async function pollOp(core: GcpCore, data: OpData): Promise<OperationStatus> {
  const ref = data?.op;
  if (ref ? !ref.operation || !ref.project : !data?.then && !data?.deletes) {
    throw new CloudError('malformed', 'The saved operation names no Google Cloud operation');
  }
  let op: Json | undefined;
  try {
    if (!ref) {
      // Performed, but its answer (and so its operation) never arrived: the resource tells.
      throw new CloudError('notFound', 'no operation to follow');
    }
    op = await core.call((api) => api.getOperation(ref), { project: ref.project });
  } catch (e) {
    // Operations are kept a limited time: judge a create or a delete by its resource.
    if (!(isCloudError(e) && e.kind === 'notFound')) {
      throw e;
    }
    if (data.deletes) {
      return pollDeleted(core, data.deletes);
    }
    if (!data.then) {
      throw new CloudError('malformed', `Google Cloud no longer keeps the operation ${ref?.operation ?? ''}`);
    }
  }
  if (op) {
    if (op.status !== 'DONE') {
      if (op.status !== 'PENDING' && op.status !== 'RUNNING') {
        throw new CloudError('malformed', `Google Cloud reported the operation status "${String(op.status ?? '')}", which Snapkeeper does not know`);
      }
      const progress = typeof op.progress === 'number' ? Math.max(0, Math.min(99, op.progress)) : undefined;
      return { done: false, progress, message: op.status };
    }
    const failed = operationError(op);
    if (failed) {
      return { done: true, failed: true, message: failed };
    }
    if (!data.then) {
      return { done: true, progress: 100, message: 'DONE' };
    }
  }
  const then = data.then as NonNullable<OpData['then']>;
  const r = await getOrUndefined(core, then.kind, then.ref);
  if (!r) {
    return { done: true, failed: true, message: `${then.ref.name} no longer exists` };
  }
  const status = String(r.status ?? '');
  if (status === 'FAILED') {
    return { done: true, failed: true, message: `${then.ref.name} failed (FAILED)` };
  }
  if (status === 'DELETING') {
    return { done: true, failed: true, message: `${then.ref.name} is being deleted` };
  }
  if (status !== 'READY') {
    if (!IN_PROGRESS.has(status)) {
      throw new CloudError('malformed', `Google Cloud reported the ${then.kind} status "${status}", which Snapkeeper does not know`);
    }
    return { done: false, progress: 99, message: status };
  }
  if (then.kind === 'snapshot' && r.storageBytesStatus === 'UPDATING') {
    return { done: false, progress: 99, message: 'READY; stored bytes still updating' };
  }
  return { done: true, progress: 100, message: 'READY' };
}

/** A delete whose operation is not known (no longer kept, or its answer lost): done when the resource is gone. */
async function pollDeleted(core: GcpCore, target: NonNullable<OpData['deletes']>): Promise<OperationStatus> {
  const r = await getOrUndefined(core, target.kind, target.ref);
  if (!r) {
    return { done: true, progress: 100, message: 'Deleted' };
  }
  if (r.status === 'DELETING') {
    return { done: false, message: 'DELETING' };
  }
  throw new CloudError('malformed', `Google Cloud no longer keeps the delete's operation and ${target.ref.name} still exists (${String(r.status ?? 'present')})`);
}
