/**
 * Running the actions. Each first finds the resource as OpenStack lists it now and asks the plan
 * again (the plan's refusals are the rules: only the latest snapshot reverts, a backup with
 * dependents is not deleted…), then sends the service's request and hands what it started to the
 * tracker (operations.ts), which follows the resource's own status.
 *
 * OpenStack takes no idempotency key: a request that creates something is never sent twice. When
 * its answer is lost after the service may have acted (a reset connection, a 5xx, a body cut
 * short), what it would have made is looked for — by its name (and its source: the volume, the
 * server) made since the request — and followed instead of reporting a failure or making a
 * duplicate. A request that changes a resource in place (revert, rebuild, restore onto a volume)
 * is followed when the resource shows it started (reverting, REBUILD, restoring-backup); a delete
 * is done when the resource is gone.
 */
import { bool, num, pick, requiredText, text } from '../../model/answers';
import type { RelatedResources } from '../../model/adapter';
import { CloudError, errorText, isCloudError } from '../../model/errors';
import type { ActionId } from '../../model/actions';
import { persistently } from '../persistently';
import type { ActionResult, FieldValues, OperationStart, Resource } from '../../model/types';
import type { OpenStackApi } from './api';
import type { OsCore } from './core';
import { isoTime, label, type OsBackupResource, type OsDiskResource, type OsImageResource, type OsRestorePointResource, type OsSnapshotResource, type OsVmResource } from './map';
import { buildInventory, listRaw, microversionUpTo, type RawRegion } from './inventory';
import { fetchResource, opStart, type OpData, type Watched } from './operations';
import { BACKUP_METADATA_MICROVERSION, planAction, refusalFor, refusalKind, REVERT_MICROVERSION, type OfferContext } from './plans';
import { simulateWrites } from './sandbox';
import { metadataOf, propertyPatch, tagsValue } from './tags';
import type { OsBackup, OsImage, OsServer, OsSnapshot, OsVolume } from './wire';

/** Nova's createImage answers the image id in its body from 2.45 (in the Location header before). */
const CREATE_IMAGE_MICROVERSION = '2.45';

export async function executeAction(core: OsCore, action: ActionId, given: Resource, values: FieldValues, related: RelatedResources, ctx: OfferContext): Promise<ActionResult> {
  const region = given.scopeId;
  const api = await core.api(region);
  const target = await lookup(core, api, given);
  if (!target) {
    const deleted = DELETED[action];
    if (deleted) {
      return { operations: [], message: `Deleted ${deleted.noun} ${label(given)} (it was already gone)`, refreshScopeIds: [region] };
    }
    throw new CloudError('notFound', `OpenStack no longer has ${label(given)} in ${region}`);
  }
  // The plan's rules hold for execute too (the palette and tests call it directly).
  const plan = await planAction(core, action, target, related, ctx);
  if (plan.refusal) {
    throw new CloudError(refusalKind(plan), plan.refusal);
  }
  const run = new Run(core, api, region);
  switch (action) {
    case 'createSnapshot':
      return run.createSnapshot(target as OsDiskResource, values);
    case 'restoreToNewDisk':
      return run.restoreToNewVolume(target as OsSnapshotResource, values);
    case 'restoreInPlace':
      return run.revertVolume(target as OsSnapshotResource);
    case 'createImageFromDisk':
      return run.uploadVolume(target as OsDiskResource, values);
    case 'deleteSnapshot':
      return run.remove('snapshot', target, `volume snapshot ${label(target)}`);
    case 'deleteImage':
    case 'deleteRestorePoint':
      return run.remove('image', target, `${action === 'deleteImage' ? 'image' : 'instance snapshot'} ${label(target)}`);
    case 'createRestorePoint':
      return run.createInstanceSnapshot(target as OsVmResource, values);
    case 'revertToRestorePoint':
      return run.rollBack(target as OsRestorePointResource);
    case 'launchCopy':
      return run.launchCopy(target as OsRestorePointResource, values, plan.fields);
    case 'createBackup':
      return run.createBackup(target as OsDiskResource, values);
    case 'restoreBackupToNewDisk':
      return run.restoreBackup(target as OsBackupResource, { name: requiredText(values, 'name') });
    case 'restoreBackupInPlace':
      return run.restoreBackup(target as OsBackupResource, { volumeId: (target as OsBackupResource).diskId as string });
    case 'deleteBackup':
      return run.remove('backup', target, `backup ${label(target)}`);
    case 'editTags':
      return run.editMetadata(target, values);
    case 'simulateWrites': {
      if (!core.sandbox) {
        throw new CloudError('invalid', refusalFor('simulateWrites', target, ctx));
      }
      const mib = num(values, 'mib') ?? 64;
      if (!Number.isInteger(mib) || mib < 1 || mib > 1024) {
        throw new CloudError('invalid', 'MiB must be a whole number from 1 to 1024');
      }
      const d = target as OsDiskResource;
      await simulateWrites(core.sandbox, d.os.local ? { server: d.os.serverId as string } : { volume: d.id }, mib);
      return { operations: [], message: `Wrote ${mib} MiB to ${label(target)} (sandbox)`, refreshScopeIds: [region] };
    }
    default:
      throw new CloudError('invalid', refusalFor(action, target, ctx));
  }
}

/** The deletes, and what each deletes: one that finds its target gone already is done. */
const DELETED: Partial<Record<ActionId, { noun: string }>> = {
  deleteSnapshot: { noun: 'volume snapshot' },
  deleteImage: { noun: 'image' },
  deleteRestorePoint: { noun: 'instance snapshot' },
  deleteBackup: { noun: 'backup' },
};

/** Where each kind is shown by id, and in which raw list of a region it goes. */
const BY_ID: Record<Exclude<Resource['kind'], 'policy'>, { watch: Watched; list: keyof Omit<RawRegion, 'flavors'> }> = {
  vm: { watch: 'server', list: 'servers' },
  disk: { watch: 'volume', list: 'volumes' },
  snapshot: { watch: 'snapshot', list: 'snapshots' },
  backup: { watch: 'backup', list: 'backups' },
  image: { watch: 'image', list: 'images' },
  restorePoint: { watch: 'image', list: 'images' },
};

/**
 * The resource as OpenStack has it now, with the facts `actionsFor` and the plan need: the region
 * listed again, and the resource read by its id when the lists do not show it yet (a list may
 * lag behind what was just made; a read by id does not). Undefined when its service answers that
 * it does not exist (404); a service missing from the catalog, or failing, throws.
 */
async function lookup(core: OsCore, api: OpenStackApi, given: Resource): Promise<Resource | undefined> {
  const region = given.scopeId;
  core.invalidate(region);
  const raw = await listRaw({ api: () => Promise.resolve(api), log: (l) => core.log(l) }, region, new AbortController().signal);
  const by = given.kind === 'policy' ? undefined : BY_ID[given.kind];
  const local = given.kind === 'disk' && (given as OsDiskResource).os?.local;
  // A local root disk is its server's: read the server.
  const id = local ? ((given as OsDiskResource).os.serverId as string) : given.id;
  const list = local ? 'servers' : by?.list;
  const watch = local ? 'server' : by?.watch;
  if (list && watch && !(raw[list] as { id: string }[]).some((x) => x.id === id)) {
    const found = await fetchResource<{ id: string }>(api, watch, id);
    if (found) {
      (raw[list] as { id: string }[]).push(found);
    }
  }
  const inv = buildInventory(region, raw);
  return [...inv.vms, ...inv.disks, ...inv.snapshots, ...inv.images, ...inv.restorePoints, ...inv.backups].find((r) => r.id === given.id && r.kind === given.kind);
}

/**
 * How long the result of a create whose answer was lost is looked for: the services' lists may
 * show what was just made a moment late (a replica, a cache), and giving up early would report a
 * failure — or invite a second create — for something the cloud made.
 */
export const FIND_WINDOW_MS = 5000;

/** Whether an error may come after the service acted (its answer lost): then its effect is looked for. */
export const mayHaveActed = (e: unknown): boolean => isCloudError(e) && (e.kind === 'network' || e.kind === 'server' || e.kind === 'malformed');

/** A name that the service lists at or after `since` (ms; a minute of clock skew allowed). */
const madeSince = (created: string | undefined, since: number): boolean => Date.parse(isoTime(created) ?? '') >= since - 60_000;

/** `find` again (reads only) until it finds, within FIND_WINDOW_MS. */
async function lookFor(find: () => Promise<string | undefined>): Promise<string | undefined> {
  const end = Date.now() + FIND_WINDOW_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 1000)) {
    const id = await persistently(find);
    if (id || Date.now() + wait > end) {
      return id;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** One action's requests in one region. */
class Run {
  constructor(
    private readonly core: OsCore,
    private readonly api: OpenStackApi,
    private readonly region: string,
  ) {}

  private tracked(title: string, data: OpData, revealId?: string): ActionResult {
    const op: OperationStart = opStart({ title, scopeId: this.region, revealId: revealId ?? data.id, refreshScopeIds: [this.region] }, data);
    return { operations: [op], refreshScopeIds: [this.region] };
  }

  /**
   * Sends a create and answers the id of what it made. When its answer is lost after the service
   * may have acted, `find` looks for it (then it is followed); nothing found: the error stands.
   */
  private async createOrFind(what: string, send: () => Promise<string | undefined>, find: () => Promise<string | undefined>): Promise<string> {
    let sent: string | undefined;
    try {
      sent = await send();
    } catch (e) {
      if (!mayHaveActed(e)) {
        throw e;
      }
      let id: string | undefined;
      try {
        id = await lookFor(find);
      } catch (lookup) {
        this.core.log(`OpenStack ${what}: its answer was lost (${errorText(e)}), and looking for what it made failed too (${errorText(lookup)})`);
        throw e;
      }
      if (!id) {
        this.core.log(`OpenStack ${what}: its answer was lost (${errorText(e)}); nothing was made`);
        throw e;
      }
      this.core.log(`OpenStack ${what}: its answer was lost (${errorText(e)}), but ${id} was made; following it`);
      return id;
    }
    if (!sent) {
      throw new CloudError('malformed', `OpenStack ${what}: the answer names no id of what it made`);
    }
    return sent;
  }

  /**
   * Sends a change of a resource in place. When its answer is lost, `started` reads the resource:
   * true when it shows the change under way (then it is followed); else the error stands.
   */
  private async changeOrFollow(what: string, send: () => Promise<unknown>, started: () => Promise<boolean>): Promise<void> {
    try {
      await send();
    } catch (e) {
      if (!mayHaveActed(e) || !(await persistently(started).catch(() => false))) {
        throw e;
      }
      this.core.log(`OpenStack ${what}: its answer was lost (${errorText(e)}), but the change is under way; following it`);
    }
  }

  /** What a Cinder list shows by this name, made since `since` and matching `mine`. */
  private async cinderNamed<T extends { id: string; created_at?: string }>(path: string, key: string, name: string, since: number, mine: (x: T) => boolean): Promise<string | undefined> {
    const found = await this.api.list<T>('volumev3', path, key, { name });
    return found.find((x) => mine(x) && madeSince(x.created_at, since))?.id;
  }

  /** A Glance image of the project by this name, made since `since` and matching `mine`. */
  private async imageNamed(name: string, since: number, mine: (i: OsImage) => boolean): Promise<string | undefined> {
    const project = await this.api.project();
    const found = await this.api.list<OsImage>('image', '/images', 'images', { name, owner: project.id });
    return found.find((i) => mine(i) && madeSince(i.created_at, since))?.id;
  }

  async createSnapshot(d: OsDiskResource, values: FieldValues): Promise<ActionResult> {
    const name = requiredText(values, 'name');
    const force = d.state === 'in-use';
    if (force && !bool(values, 'force')) {
      throw new CloudError('invalid', `No snapshot taken: volume ${label(d)} is in use, and Cinder snapshots an attached volume only when you confirm forcing it.`);
    }
    const metadata = metadataOf(tagsValue(values.tags, 'snapshot'));
    const since = Date.now();
    const id = await this.createOrFind(
      'create volume snapshot',
      async () =>
        (await this.api.request<{ snapshot?: OsSnapshot }>('volumev3', 'POST', '/snapshots', { body: { snapshot: { volume_id: d.id, name, metadata, ...(force ? { force: true } : {}) } } })).body?.snapshot?.id,
      () => this.cinderNamed<OsSnapshot>('/snapshots/detail', 'snapshots', name, since, (s) => s.volume_id === d.id),
    );
    return this.tracked(`Volume snapshot ${name} of ${label(d)}`, { watch: 'snapshot', id });
  }

  async restoreToNewVolume(s: OsSnapshotResource, values: FieldValues): Promise<ActionResult> {
    const name = requiredText(values, 'name');
    const size = num(values, 'sizeGiB') ?? Math.ceil(s.sizeGiB);
    if (!Number.isInteger(size) || size < s.sizeGiB) {
      throw new CloudError('invalid', `The size must be a whole number of GiB, at least the snapshot's ${s.sizeGiB} GiB`);
    }
    const volumeType = text(values, 'volumeType');
    const zone = text(values, 'zone');
    const since = Date.now();
    const id = await this.createOrFind(
      'restore to new volume',
      async () =>
        (
          await this.api.request<{ volume?: OsVolume }>('volumev3', 'POST', '/volumes', {
            body: { volume: { name, size, snapshot_id: s.id, ...(volumeType ? { volume_type: volumeType } : {}), ...(zone ? { availability_zone: zone } : {}) } },
          })
        ).body?.volume?.id,
      () => this.cinderNamed<OsVolume>('/volumes/detail', 'volumes', name, since, (v) => v.snapshot_id === s.id),
    );
    return this.tracked(`Volume ${name} from snapshot ${label(s)}`, { watch: 'volume', id });
  }

  async revertVolume(s: OsSnapshotResource): Promise<ActionResult> {
    const volumeId = s.diskId as string;
    await this.changeOrFollow(
      'revert volume to snapshot',
      () =>
        this.api.request('volumev3', 'POST', `/volumes/${encodeURIComponent(volumeId)}/action`, {
          body: { revert: { snapshot_id: s.id } },
          microversion: REVERT_MICROVERSION,
          purpose: 'Revert Volume to Snapshot',
        }),
      async () => (await fetchResource<OsVolume>(this.api, 'volume', volumeId))?.status === 'reverting',
    );
    return this.tracked(`Revert volume ${s.os.volumeName ?? volumeId} to snapshot ${label(s)}`, { watch: 'volume', id: volumeId });
  }

  async uploadVolume(d: OsDiskResource, values: FieldValues): Promise<ActionResult> {
    const name = requiredText(values, 'name');
    const diskFormat = pick(values, 'diskFormat', ['raw', 'qcow2'], 'raw');
    const since = Date.now();
    const id = await this.createOrFind(
      'create image from volume',
      async () =>
        (
          await this.api.request<{ 'os-volume_upload_image'?: { image_id?: string } }>('volumev3', 'POST', `/volumes/${encodeURIComponent(d.id)}/action`, {
            body: { 'os-volume_upload_image': { image_name: name, disk_format: diskFormat, container_format: 'bare', force: false } },
          })
        ).body?.['os-volume_upload_image']?.image_id,
      () => this.imageNamed(name, since, () => true),
    );
    return this.tracked(`Image ${name} from volume ${label(d)}`, { watch: 'image', id });
  }

  async createInstanceSnapshot(vm: OsVmResource, values: FieldValues): Promise<ActionResult> {
    const name = requiredText(values, 'name');
    const metadata = metadataOf(tagsValue(values.tags, 'image'));
    const microversion = await microversionUpTo(this.api, 'compute', CREATE_IMAGE_MICROVERSION);
    const since = Date.now();
    const id = await this.createOrFind(
      'create instance snapshot',
      async () => {
        const answer = await this.api.request<{ image_id?: string }>('compute', 'POST', `/servers/${encodeURIComponent(vm.id)}/action`, { body: { createImage: { name, metadata } }, microversion });
        // Before 2.45 the image is named by the Location header (…/images/<id>).
        return answer.body?.image_id ?? /\/images\/([^/?#]+)\/?$/.exec(answer.headers.location ?? '')?.[1];
      },
      () => this.imageNamed(name, since, (i) => i.instance_uuid === vm.id),
    );
    const volumes = vm.os.bootFromVolume ? ' (its volumes are snapshotted in Cinder; refresh to see them)' : '';
    return this.tracked(`Instance snapshot ${name} of ${label(vm)}${volumes}`, { watch: 'image', id });
  }

  async rollBack(p: OsRestorePointResource): Promise<ActionResult> {
    const before = Date.now();
    await this.changeOrFollow(
      'roll back (rebuild)',
      () => this.api.request('compute', 'POST', `/servers/${encodeURIComponent(p.vmId)}/action`, { body: { rebuild: { imageRef: p.id } } }),
      async () => {
        const s = await fetchResource<OsServer & { updated?: string }>(this.api, 'server', p.vmId);
        return s?.status === 'REBUILD' || (s?.['OS-EXT-STS:task_state'] ?? '').startsWith('rebuild') || (s?.status === 'ACTIVE' && madeSince(s.updated, before) && serverImage(s) === p.id);
      },
    );
    return this.tracked(`Roll back server ${p.os.serverName ?? p.vmId} to instance snapshot ${label(p)}`, { watch: 'server', id: p.vmId });
  }

  async launchCopy(p: OsRestorePointResource, values: FieldValues, fields: { id: string; kind: string; options?: { value: string }[] }[]): Promise<ActionResult> {
    const options = (id: string) => fields.find((f) => f.id === id)?.options?.map((o) => o.value) ?? [];
    const name = requiredText(values, 'name');
    const flavor = pick(values, 'flavor', options('flavor'), options('flavor')[0] ?? '');
    const network = pick(values, 'network', options('network'), options('network')[0] ?? '');
    const keyName = pick(values, 'keyName', options('keyName'), '');
    const since = Date.now();
    const id = await this.createOrFind(
      'launch copy',
      async () =>
        (
          await this.api.request<{ server?: { id?: string } }>('compute', 'POST', '/servers', {
            body: { server: { name, imageRef: p.id, flavorRef: flavor, networks: [{ uuid: network }], ...(keyName ? { key_name: keyName } : {}) } },
          })
        ).body?.server?.id,
      async () => {
        // Nova's name filter is a regular expression: the exact name, escaped.
        const found = await this.api.list<OsServer>('compute', '/servers/detail', 'servers', { name: `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` });
        return found.find((s) => s.name === name && serverImage(s) === p.id && madeSince(s.created, since))?.id ?? found.find((s) => s.name === name && madeSince(s.created, since))?.id;
      },
    );
    return this.tracked(`Launch copy ${name} from instance snapshot ${label(p)}`, { watch: 'server', id });
  }

  async createBackup(d: OsDiskResource, values: FieldValues): Promise<ActionResult> {
    const name = requiredText(values, 'name');
    const incremental = d.os.incrementalParentId !== undefined && pick(values, 'mode', ['incremental', 'full'], 'incremental') === 'incremental';
    const force = d.state === 'in-use';
    if (force && !bool(values, 'force')) {
      throw new CloudError('invalid', `No backup taken: volume ${label(d)} is in use, and Cinder backs up an attached volume only when you confirm forcing it.`);
    }
    const since = Date.now();
    const id = await this.createOrFind(
      'create backup',
      async () =>
        (await this.api.request<{ backup?: { id?: string } }>('volumev3', 'POST', '/backups', { body: { backup: { volume_id: d.id, name, incremental, ...(force ? { force: true } : {}) } } })).body
          ?.backup?.id,
      () => this.cinderNamed<OsBackup>('/backups/detail', 'backups', name, since, (b) => b.volume_id === d.id),
    );
    const based = incremental ? `, incremental on ${d.os.incrementalParentName ?? d.os.incrementalParentId}` : ', full';
    return this.tracked(`Backup ${name} of ${label(d)}${based}`, { watch: 'backup', id });
  }

  async restoreBackup(b: OsBackupResource, to: { name: string } | { volumeId: string }): Promise<ActionResult> {
    const path = `/backups/${encodeURIComponent(b.id)}/restore`;
    const send = async () => (await this.api.request<{ restore?: { volume_id?: string } }>('volumev3', 'POST', path, { body: { restore: 'name' in to ? { name: to.name } : { volume_id: to.volumeId } } })).body?.restore?.volume_id;
    if ('volumeId' in to) {
      await this.changeOrFollow('restore backup onto its volume', send, async () => (await fetchResource<OsVolume>(this.api, 'volume', to.volumeId))?.status === 'restoring-backup');
      return this.tracked(`Restore backup ${label(b)} onto volume ${b.os.volumeName ?? to.volumeId}`, { watch: 'volume', id: to.volumeId });
    }
    const since = Date.now();
    const id = await this.createOrFind('restore backup to new volume', send, () => this.cinderNamed<OsVolume>('/volumes/detail', 'volumes', to.name, since, () => true));
    return this.tracked(`Volume ${to.name} restored from backup ${label(b)}`, { watch: 'volume', id });
  }

  /** Deletes; a Glance image is gone at once (204), a Cinder snapshot or backup is followed until it is. */
  async remove(watch: 'snapshot' | 'image' | 'backup', r: Resource, what: string): Promise<ActionResult> {
    const service = watch === 'image' ? 'image' : 'volumev3';
    const path = `/${watch === 'image' ? 'images' : watch === 'snapshot' ? 'snapshots' : 'backups'}/${encodeURIComponent(r.id)}`;
    try {
      await this.api.request(service, 'DELETE', path);
    } catch (e) {
      if (isCloudError(e) && e.kind === 'notFound') {
        return { operations: [], message: `Deleted ${what} (it was already gone)`, refreshScopeIds: [this.region] };
      }
      if (!mayHaveActed(e)) {
        throw e;
      }
      const now = await persistently(() => fetchResource<{ status?: string }>(this.api, watch, r.id)).catch(() => ({ status: 'unknown' }));
      if (now !== undefined && now.status !== 'deleting') {
        throw e;
      }
      this.core.log(`OpenStack delete ${what}: its answer was lost (${errorText(e)}), but it is ${now === undefined ? 'gone' : 'being deleted'}`);
    }
    if (watch === 'image') {
      return { operations: [], message: `Deleted ${what}`, refreshScopeIds: [this.region] };
    }
    return this.tracked(`Delete ${what}`, { watch, id: r.id, gone: true });
  }

  async editMetadata(r: Resource, values: FieldValues): Promise<ActionResult> {
    const tags = tagsValue(values.tags, r.kind);
    const metadata = metadataOf(tags);
    const id = encodeURIComponent(r.id);
    switch (r.kind) {
      case 'vm':
        await this.api.request('compute', 'PUT', `/servers/${id}/metadata`, { body: { metadata } });
        break;
      case 'disk':
        await this.api.request('volumev3', 'PUT', `/volumes/${id}/metadata`, { body: { metadata } });
        break;
      case 'snapshot':
        await this.api.request('volumev3', 'PUT', `/snapshots/${id}/metadata`, { body: { metadata } });
        break;
      case 'backup':
        await this.api.request('volumev3', 'PUT', `/backups/${id}`, { body: { backup: { metadata } }, microversion: BACKUP_METADATA_MICROVERSION, purpose: "a backup's metadata" });
        break;
      case 'image': {
        const patch = propertyPatch((r as OsImageResource).tags, tags);
        if (patch.length) {
          await this.api.request('image', 'PATCH', `/images/${id}`, { body: patch, headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' } });
        }
        break;
      }
      default:
        throw new CloudError('invalid', `OpenStack keeps no metadata Snapkeeper edits on a ${r.kind}`);
    }
    return { operations: [], message: `Metadata of ${label(r)} saved (${tags.length} item${tags.length === 1 ? '' : 's'})`, refreshScopeIds: [this.region] };
  }
}

const serverImage = (s: OsServer): string | undefined => (typeof s.image === 'object' && s.image !== null ? s.image.id : undefined);
