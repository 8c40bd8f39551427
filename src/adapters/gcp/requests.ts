/**
 * The two requests every Compute change is made of: send a mutation and read its Operation (a
 * DONE-with-error answer is a failure, never success), and GET a resource that may be gone. Shared
 * by the operation tracking (operations.ts) and the multi-step restore in place (restore.ts).
 */
import { CloudError, isCloudError } from '../../model/errors';
import type { GetKind, Json, Mutation, ResourceRef } from './api';
import type { GcpCore } from './core';

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

/** One GET of a resource; undefined when it does not exist. */
export async function getOrUndefined(core: GcpCore, kind: GetKind, ref: ResourceRef): Promise<Json | undefined> {
  try {
    return await core.call((api) => api.get(kind, ref), { project: ref.project });
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return undefined;
    }
    throw e;
  }
}
