/**
 * Operations: every mutation answers a Compute Operation (zonal, regional or global). The
 * tracker's record keeps the operation's real name and place in `data`; each poll GETs it.
 * DONE with `error` is a failure (never success); after DONE a create is followed on the resource
 * until it is READY (and a snapshot's storageBytesStatus UP_TO_DATE, so its stored bytes are final).
 * Restore in place is a multi-step operation whose step is read from the cloud (restore.ts).
 */
import { randomUUID } from 'node:crypto';
import { CloudError, isCloudError } from '../../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../../model/types';
import type { GetKind, Json, Mutation, OperationRef, ResourceRef } from './api';
import type { GcpCore } from './core';
import { pathOf, parsePath, shortName, splitScope } from './ids';
import { pollRestoreInPlace, type RestoreData } from './restore';

export interface OpData {
  op: OperationRef;
  /** After DONE, follow this resource until READY. */
  then?: { kind: GetKind; ref: ResourceRef };
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

/** The message of an operation that ended DONE with an error. */
export function operationError(op: Json): string | undefined {
  const errors = ((op.error as Json | undefined)?.errors as Json[] | undefined) ?? [];
  if (op.status !== 'DONE' || (!errors.length && op.httpErrorStatusCode === undefined)) {
    return undefined;
  }
  const text = errors.map((e) => `${typeof e.message === 'string' ? e.message : ''}${typeof e.code === 'string' ? ` (${e.code})` : ''}`).filter(Boolean).join('; ');
  return text || (typeof op.httpErrorMessage === 'string' ? op.httpErrorMessage : 'The operation failed');
}

/** Sends a mutation (retried safely: same requestId) and returns its Operation; a DONE-with-error answer throws. */
export async function mutate(core: GcpCore, m: Mutation, project: string): Promise<Json> {
  const op = await core.call((api) => api.mutate(m), { project });
  const failed = operationError(op);
  if (failed) {
    const status = typeof op.httpErrorStatusCode === 'number' ? op.httpErrorStatusCode : 400;
    throw new CloudError(status === 409 ? 'invalid' : status >= 500 ? 'server' : /in use|being used/i.test(failed) ? 'inUse' : 'invalid', failed, { code: 'operationFailed' });
  }
  return op;
}

export function opStart(start: Omit<OperationStart, 'kind' | 'data'>, op: Json, project: string, then?: OpData['then']): OperationStart {
  const data: OpData = { op: operationRef(op, project), ...(then ? { then } : {}) };
  return { ...start, kind: 'op', data: JSON.stringify(data) };
}

function parseData<T>(op: OperationRecord): T {
  try {
    return JSON.parse(op.data ?? '') as T;
  } catch {
    throw new CloudError('invalid', `The saved state of "${op.title}" could not be read`);
  }
}

export async function pollOperation(core: GcpCore, op: OperationRecord): Promise<OperationStatus> {
  let status: OperationStatus;
  switch (op.kind) {
    case 'op':
      status = await pollOp(core, parseData<OpData>(op));
      break;
    case 'restoreInPlace':
      status = await pollRestoreInPlace(core, parseData<RestoreData>(op));
      break;
    default:
      throw new CloudError('invalid', `Unknown Google Cloud operation kind "${op.kind}"`);
  }
  if (status.done) {
    for (const s of [op.scopeId, ...op.refreshScopeIds]) {
      core.invalidate(splitScope(s).project);
    }
  }
  return status;
}

async function pollOp(core: GcpCore, data: OpData): Promise<OperationStatus> {
  if (!data?.op?.operation || !data.op.project) {
    throw new CloudError('invalid', 'The saved operation names no Google Cloud operation');
  }
  let op: Json | undefined;
  try {
    op = await core.call((api) => api.getOperation(data.op), { project: data.op.project });
  } catch (e) {
    // Operations are kept a limited time: judge a create by its resource.
    if (!(isCloudError(e) && e.kind === 'notFound' && data.then)) {
      throw e;
    }
  }
  if (op) {
    if (op.status !== 'DONE') {
      const progress = typeof op.progress === 'number' ? Math.max(0, Math.min(99, op.progress)) : undefined;
      return { done: false, progress, message: String(op.status ?? 'RUNNING') };
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
  let r: Json;
  try {
    r = await core.call((api) => api.get(then.kind, then.ref), { project: then.ref.project });
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return { done: true, failed: true, message: `${then.ref.name} no longer exists` };
    }
    throw e;
  }
  const status = String(r.status ?? '');
  if (status === 'FAILED') {
    return { done: true, failed: true, message: `${then.ref.name} failed (FAILED)` };
  }
  if (status !== 'READY') {
    return { done: false, progress: 99, message: status || 'PENDING' };
  }
  if (then.kind === 'snapshot' && r.storageBytesStatus === 'UPDATING') {
    return { done: false, progress: 99, message: 'READY; stored bytes still updating' };
  }
  return { done: true, progress: 100, message: 'READY' };
}
