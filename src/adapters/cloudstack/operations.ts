/**
 * Operations: every CloudStack command that changes something is async — it answers a job id,
 * followed here with `queryAsyncJobResult` (jobstatus 0 pending, 1 succeeded, 2 failed with
 * `jobresult.errortext`, shown as CloudStack wrote it: untrusted text, never interpreted). The
 * journal keeps the job id and any next step in `OperationStart.data`, so a window reload
 * resumes the polls. Restore to New Volume with an attach has a second step (attachVolume),
 * started by the poll that sees the first job succeed; its job is found again from the cloud
 * after a reload (the volume attached, or an attach job pending on it) and never started twice.
 * A create or a delete whose answer was lost is followed on its resource instead of a job.
 */
import { CloudError, isCloudError } from '../../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../../model/types';
import type { CloudStackApi, JobResult } from './api';
import type { CsCore } from './core';
import { jobFailureMessage } from './errors';
import type { CsAsyncJob, CsSnapshot, CsTemplate, CsVmSnapshot, CsVolume } from './wire';

/** What a tracked resource is, for following it without its job. */
export type Followed = 'snapshot' | 'volume' | 'template' | 'vmSnapshot';

export interface OpData {
  /** The async command that started it, CloudStack's name (`createSnapshot`). */
  command: string;
  /** Its job; absent when the command's answer was lost but its effect was found (see `follow`/`gone`). */
  job?: string;
  /** Follow this resource to ready (a create whose answer was lost). */
  follow?: { kind: Followed; id: string };
  /** Done when this resource is gone (a delete whose answer was lost). */
  gone?: { kind: Followed; id: string };
  /** The second step: attach the new volume to this VM once it exists. */
  attach?: { vmId: string; vmName: string };
  /** Report the VM's state from the job's answer (Revert VM to VM Snapshot). */
  reportVm?: boolean;
}

export function opStart(start: Omit<OperationStart, 'kind' | 'data'>, data: OpData): OperationStart {
  return { ...start, kind: 'job', data: JSON.stringify(data) };
}

function parseData(op: OperationRecord): OpData {
  let d: unknown;
  try {
    d = JSON.parse(op.data ?? '');
  } catch {
    throw new CloudError('malformed', `The saved state of "${op.title}" could not be read`);
  }
  const data = d as OpData;
  if (typeof d !== 'object' || d === null || typeof data.command !== 'string' || (data.job === undefined && !data.follow && !data.gone)) {
    throw new CloudError('malformed', `The saved state of "${op.title}" names no CloudStack job to follow`);
  }
  return data;
}

export async function pollOperation(core: CsCore, op: OperationRecord): Promise<OperationStatus> {
  const status = await core.polls.guard(op.id, async () => {
    if (op.kind !== 'job') {
      throw new CloudError('malformed', `Unknown CloudStack operation kind "${op.kind}"`);
    }
    return pollData(core, op, parseData(op));
  });
  if (status.done) {
    core.steps.delete(op.id);
    core.invalidate();
  }
  return status;
}

async function pollData(core: CsCore, op: OperationRecord, data: OpData): Promise<OperationStatus> {
  const api = await core.api();
  if (data.gone) {
    return pollGone(api, data.gone);
  }
  if (!data.job) {
    const followed = await pollFollowed(api, data.follow as NonNullable<OpData['follow']>, data);
    // A restore whose answer was lost still attaches the volume once it is made.
    return followed.done && !followed.failed && data.attach && data.follow ? attachStep(core, api, op.id, data.follow.id, data.attach) : followed;
  }
  const r = await api.job(data.job);
  const decided = jobOutcome(r);
  if (!decided.done || decided.failed) {
    return decided;
  }
  if (data.attach) {
    const volumeId = objectOf(r, 'volume')?.id ?? op.resourceId;
    return attachStep(core, api, op.id, typeof volumeId === 'string' ? volumeId : op.resourceId, data.attach);
  }
  if (data.reportVm) {
    const vm = objectOf(r, 'virtualmachine');
    const state = typeof vm?.state === 'string' ? vm.state : undefined;
    const name = typeof vm?.displayname === 'string' ? vm.displayname : typeof vm?.name === 'string' ? vm.name : undefined;
    return {
      done: true,
      progress: 100,
      message: state ? `Reverted. CloudStack reports the VM${name ? ` ${name}` : ''} ${state}` : 'Reverted (CloudStack did not report the VM state)',
    };
  }
  return decided;
}

/** One job answer as a status: pending, succeeded, or failed with CloudStack's error text. */
export function jobOutcome(r: JobResult): OperationStatus {
  switch (r?.jobstatus) {
    case 0:
      return { done: false, message: 'In progress' };
    case 1:
      return { done: true, progress: 100, message: 'Succeeded' };
    case 2:
      // CloudStack's errortext, bounded and stripped of control characters (untrusted text, shown as text).
      return { done: true, failed: true, message: jobFailureMessage(r) };
    default:
      throw new CloudError('malformed', `CloudStack answered job ${String(r?.jobid ?? '')} with the status "${String(r?.jobstatus)}", which Snapkeeper does not know`);
  }
}

/** The object a succeeded job answered (`jobresult.<key>`). */
function objectOf(r: JobResult, key: string): Record<string, unknown> | undefined {
  const o = r.jobresult?.[key];
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : undefined;
}

/** Attaches the new volume (the second step), at most once: the cloud says whether it is attached or being attached. */
async function attachStep(core: CsCore, api: CloudStackApi, opId: string, volumeId: string, to: NonNullable<OpData['attach']>): Promise<OperationStatus> {
  const attaching = `Volume created; attaching it to VM ${to.vmName}`;
  let job = core.steps.get(opId);
  if (!job) {
    const volume = await findOne(api, 'volume', volumeId);
    if (!volume) {
      return { done: true, failed: true, message: `The new volume ${volumeId} no longer exists` };
    }
    const on = (volume as unknown as CsVolume).virtualmachineid;
    if (on === to.vmId) {
      return { done: true, progress: 100, message: `Volume created and attached to VM ${to.vmName}` };
    }
    if (on) {
      return { done: true, failed: true, message: `Volume created, but it is attached to another VM (${on}), not ${to.vmName}` };
    }
    const pending = (await api.list<CsAsyncJob>('listAsyncJobs', 'asyncjobs', {})).find((j) => j.jobstatus === 0 && j.jobinstanceid === volumeId && /attachvolume/i.test(j.cmd ?? ''));
    job = pending?.jobid ?? (await api.start('attachVolume', { id: volumeId, virtualmachineid: to.vmId })).jobid;
    core.steps.set(opId, job);
    return { done: false, progress: 50, message: attaching };
  }
  const r = await api.job(job);
  const out = jobOutcome(r);
  if (!out.done) {
    return { done: false, progress: 50, message: attaching };
  }
  if (out.failed) {
    return { ...out, message: `Volume created, but attaching it to VM ${to.vmName} failed: ${out.message}` };
  }
  return { done: true, progress: 100, message: `Volume created and attached to VM ${to.vmName}` };
}

const LISTS: Record<Followed, { command: string; key: string; idParam: string; extra?: Record<string, string> }> = {
  snapshot: { command: 'listSnapshots', key: 'snapshot', idParam: 'id' },
  volume: { command: 'listVolumes', key: 'volume', idParam: 'id' },
  template: { command: 'listTemplates', key: 'template', idParam: 'id', extra: { templatefilter: 'self' } },
  vmSnapshot: { command: 'listVMSnapshot', key: 'vmSnapshot', idParam: 'vmsnapshotid' },
};

/** The resource with this id, or undefined when CloudStack lists none (or answers that it does not exist). */
export async function findOne(api: CloudStackApi, kind: Followed, id: string): Promise<Record<string, unknown> | undefined> {
  const l = LISTS[kind];
  try {
    const found = await api.list<Record<string, unknown>>(l.command, l.key, { [l.idParam]: id, ...l.extra });
    return found.find((x) => x.id === id);
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return undefined;
    }
    throw e;
  }
}

/** Whether a listed resource is ready, failed, or still on its way. */
function resourceState(kind: Followed, r: Record<string, unknown>): 'ready' | 'failed' | 'pending' {
  switch (kind) {
    case 'snapshot': {
      const s = (r as unknown as CsSnapshot).state;
      return s === 'BackedUp' ? 'ready' : s === 'Error' ? 'failed' : 'pending';
    }
    case 'volume': {
      const s = (r as unknown as CsVolume).state;
      return s === 'Ready' || s === 'Allocated' ? 'ready' : s === 'Error' ? 'failed' : 'pending';
    }
    case 'template': {
      const t = r as unknown as CsTemplate;
      return t.isready === true ? 'ready' : /error|fail/i.test(t.status ?? '') ? 'failed' : 'pending';
    }
    case 'vmSnapshot': {
      const s = (r as unknown as CsVmSnapshot).state;
      return s === 'Ready' ? 'ready' : s === 'Error' ? 'failed' : 'pending';
    }
  }
}

/** A create whose answer was lost: followed on its resource. */
async function pollFollowed(api: CloudStackApi, follow: NonNullable<OpData['follow']>, data: OpData): Promise<OperationStatus> {
  const r = await findOne(api, follow.kind, follow.id);
  if (!r) {
    return { done: true, failed: true, message: `${follow.id} no longer exists` };
  }
  const state = resourceState(follow.kind, r);
  const word = typeof r.state === 'string' ? r.state : typeof r.status === 'string' ? r.status : state;
  if (state === 'failed') {
    return { done: true, failed: true, message: `${data.command} ended in ${word}` };
  }
  return state === 'ready' ? { done: true, progress: 100, message: word } : { done: false, message: word };
}

/** A delete whose answer was lost: done when the resource is gone. */
async function pollGone(api: CloudStackApi, gone: NonNullable<OpData['gone']>): Promise<OperationStatus> {
  const r = await findOne(api, gone.kind, gone.id);
  if (!r || r.state === 'Destroyed' || r.state === 'Removed' || r.state === 'Expunged') {
    return { done: true, progress: 100, message: 'Deleted' };
  }
  return { done: false, message: typeof r.state === 'string' ? r.state : 'Deleting' };
}
