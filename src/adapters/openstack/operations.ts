/**
 * Operations: OpenStack answers a change at once (202) and does it in the background, so each
 * operation is followed by polling the resource's own status — a volume `creating`,
 * `restoring-backup`, `reverting` → `available`; a snapshot `creating` → `available`; a backup
 * `creating`/`restoring` → `available`; a Glance image `queued`/`saving` → `active` (or `killed`);
 * a server `BUILD`/`REBUILD` → `ACTIVE` (or `ERROR`, with Nova's fault message). The journal keeps
 * what is followed (its kind and id; the region is the operation's scope) in `OperationStart.data`,
 * so a window reload resumes the polls with nothing else. A delete is followed until the resource
 * is gone (404).
 */
import { CloudError, isCloudError, untrusted } from '../../model/errors';
import type { OperationRecord, OperationStart, OperationStatus } from '../../model/types';
import type { OpenStackApi } from './api';
import type { OsCore } from './core';
import type { OsBackup, OsImage, OsServer, OsSnapshot } from './wire';

/** What an operation follows. */
export type Watched = 'volume' | 'snapshot' | 'backup' | 'image' | 'server';

export interface OpData {
  watch: Watched;
  id: string;
  /** Done when the resource is gone (a delete). */
  gone?: boolean;
}

export const OP_KIND = 'openstack';

export function opStart(start: Omit<OperationStart, 'kind' | 'data' | 'resourceId'>, data: OpData): OperationStart {
  return { ...start, kind: OP_KIND, resourceId: data.id, data: JSON.stringify(data) };
}

const WATCHED: readonly Watched[] = ['volume', 'snapshot', 'backup', 'image', 'server'];

function parseData(op: OperationRecord): OpData {
  let d: unknown;
  try {
    d = JSON.parse(op.data ?? '');
  } catch {
    throw new CloudError('malformed', `The saved state of "${op.title}" could not be read`);
  }
  const data = d as OpData;
  if (typeof d !== 'object' || d === null || !WATCHED.includes(data.watch) || typeof data.id !== 'string' || data.id === '') {
    throw new CloudError('malformed', `The saved state of "${op.title}" names no OpenStack resource to follow`);
  }
  return data;
}

export async function pollOperation(core: OsCore, op: OperationRecord): Promise<OperationStatus> {
  const status = await core.polls.guard(op.id, async () => {
    if (op.kind !== OP_KIND) {
      throw new CloudError('malformed', `Unknown OpenStack operation kind "${op.kind}"`);
    }
    const data = parseData(op);
    return pollResource(await core.api(op.scopeId), data);
  });
  if (status.done) {
    core.invalidate(op.scopeId);
  }
  return status;
}

const PATHS: Record<Watched, { service: 'compute' | 'volumev3' | 'image'; path: (id: string) => string; key?: string; noun: string }> = {
  volume: { service: 'volumev3', path: (id) => `/volumes/${encodeURIComponent(id)}`, key: 'volume', noun: 'Volume' },
  snapshot: { service: 'volumev3', path: (id) => `/snapshots/${encodeURIComponent(id)}`, key: 'snapshot', noun: 'Volume snapshot' },
  backup: { service: 'volumev3', path: (id) => `/backups/${encodeURIComponent(id)}`, key: 'backup', noun: 'Backup' },
  image: { service: 'image', path: (id) => `/images/${encodeURIComponent(id)}`, noun: 'Image' },
  server: { service: 'compute', path: (id) => `/servers/${encodeURIComponent(id)}`, key: 'server', noun: 'Server' },
};

/** The resource as its service shows it now, or undefined when it answers 404. */
export async function fetchResource<T>(api: OpenStackApi, watch: Watched, id: string): Promise<T | undefined> {
  const p = PATHS[watch];
  try {
    const { body } = await api.request<Record<string, unknown>>(p.service, 'GET', p.path(id));
    const item = p.key ? body?.[p.key] : body;
    if (typeof item !== 'object' || item === null) {
      throw new CloudError('malformed', `${p.noun} ${id}: the answer holds no ${p.key ?? 'image'}`);
    }
    return item as T;
  } catch (e) {
    if (isCloudError(e) && e.kind === 'notFound') {
      return undefined;
    }
    throw e;
  }
}

/** One poll of the followed resource, as a status (pure after the fetch). */
export async function pollResource(api: OpenStackApi, data: OpData): Promise<OperationStatus> {
  const r = await fetchResource<Record<string, unknown>>(api, data.watch, data.id);
  const noun = PATHS[data.watch].noun;
  if (!r) {
    return data.gone ? { done: true, progress: 100, message: 'Deleted' } : { done: true, failed: true, message: `${noun} ${data.id} no longer exists` };
  }
  return statusOf(data, r);
}

/** A listed resource's status as the operation's (pure; unit-tested). */
export function statusOf(data: OpData, r: Record<string, unknown>): OperationStatus {
  const word = typeof r.status === 'string' ? r.status : 'unknown';
  const noun = PATHS[data.watch].noun;
  const failed = (message: string): OperationStatus => ({ done: true, failed: true, message });
  if (data.gone) {
    return /^error/.test(word) ? failed(`${noun} ${data.id} is ${word}: Cinder could not delete it`) : { done: false, message: word };
  }
  switch (data.watch) {
    case 'volume': {
      if (word === 'available' || word === 'in-use') {
        return { done: true, progress: 100, message: word };
      }
      return word.startsWith('error') ? failed(`Cinder reports volume ${data.id} ${word}`) : { done: false, message: word };
    }
    case 'snapshot': {
      const s = r as unknown as OsSnapshot;
      if (word === 'available') {
        return { done: true, progress: 100, message: word };
      }
      const pct = /^(\d{1,3})%$/.exec(s['os-extended-snapshot-attributes:progress'] ?? '');
      return word.startsWith('error') ? failed(`Cinder reports volume snapshot ${data.id} ${word}`) : { done: false, message: word, progress: pct ? Number(pct[1]) : undefined };
    }
    case 'backup': {
      const b = r as unknown as OsBackup;
      if (word === 'available') {
        return { done: true, progress: 100, message: word };
      }
      return word.startsWith('error') ? failed(`Cinder reports backup ${data.id} ${word}${b.fail_reason ? `: ${untrusted(b.fail_reason)}` : ''}`) : { done: false, message: word };
    }
    case 'image': {
      const i = r as unknown as OsImage;
      if (word === 'active') {
        return { done: true, progress: 100, message: word };
      }
      if (word === 'killed' || word === 'deleted' || word === 'pending_delete') {
        return failed(`Glance image ${untrusted(i.name ?? data.id, 120)} ended ${word}: its data could not be saved (Glance gives no reason; the Nova or Cinder log of the cloud has it). Delete it and try again.`);
      }
      return { done: false, message: word };
    }
    case 'server': {
      const s = r as unknown as OsServer;
      const task = s['OS-EXT-STS:task_state'];
      if (word === 'ERROR') {
        return failed(`Nova reports server ${untrusted(s.name ?? data.id, 120)} ERROR${s.fault?.message ? `: ${untrusted(s.fault.message)}` : ' (no fault message)'}`);
      }
      if ((word === 'ACTIVE' || word === 'SHUTOFF') && !task) {
        return { done: true, progress: 100, message: word };
      }
      return { done: false, message: task ? `${word} (${task})` : word };
    }
  }
}
