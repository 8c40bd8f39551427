/**
 * The CloudStack sandbox state: tags and snapshot policies on top of the VM layer (vms.ts, itself
 * on volumes.ts and store.ts), what each async job does when it ends (or fails), counts and
 * persistence. Wire-neutral: wire.ts turns API commands into these calls.
 */
import { BlockStore, type BlockStoreJson } from '../blocks';
import { CsError, invalid } from './errors';
import {
  type JobRecord,
  type JobResult,
  type ResourceType,
  type SnapshotPolicyRecord,
  type SnapshotRecord,
  type TagRecord,
  type TemplateRecord,
  type VmRecord,
  type VmSnapshotRecord,
  type VolumeRecord,
  type ZoneRecord,
  type DiskOfferingRecord,
  type ServiceOfferingRecord,
  type OsTypeRecord,
} from './records';
import type { CsStateOptions, PlannedFailure } from './store';
import { CsVms } from './vms';

export * from './records';
export type { CsStateOptions, PlannedFailure } from './store';
export type { CreateVmSnapshotInput } from './vms';

const CMD = 'org.apache.cloudstack.api.command.user';

export interface CsCounts {
  zones: number;
  vms: number;
  volumes: number;
  snapshots: number;
  vmSnapshots: number;
  templates: number;
  jobs: number;
  snapshotPolicies: number;
}

export interface CsStateJson {
  version: 1;
  zones: ZoneRecord[];
  diskOfferings: DiskOfferingRecord[];
  serviceOfferings: ServiceOfferingRecord[];
  osTypes: OsTypeRecord[];
  vms: VmRecord[];
  volumes: VolumeRecord[];
  snapshots: SnapshotRecord[];
  vmSnapshots: VmSnapshotRecord[];
  templates: TemplateRecord[];
  jobs: JobRecord[];
  policies: SnapshotPolicyRecord[];
  tags: TagRecord[];
  pageSize: number;
  deltaMax: number;
  clockSkewMs: number;
  plannedFailure?: PlannedFailure;
  nextSeq: number;
  blocks: BlockStoreJson;
}

export interface SnapshotPolicyInput {
  volumeId: string;
  intervalType: string;
  schedule: string;
  timezone: string;
  maxsnaps: number;
  zoneIds?: string[];
  tags?: Record<string, string>;
  fordisplay?: boolean;
}

/** The resource of a tag, checked (createTags/deleteTags name them by type and id). */
const TAG_MAPS: Record<ResourceType, (state: CsState) => ReadonlyMap<string, unknown>> = {
  Volume: (s) => s.volumes,
  Snapshot: (s) => s.snapshots,
  UserVm: (s) => s.vms,
  Template: (s) => s.templates,
  VMSnapshot: (s) => s.vmSnapshots,
};

export class CsState extends CsVms {
  // ---- tags -----------------------------------------------------------------------------------

  /** createTags / deleteTags: checks the resources now, applies the change when the job ends. */
  tagJob(command: 'createTags' | 'deleteTags', resourceType: string, resourceIds: string[], tags: Map<string, string | undefined>): JobRecord {
    const type = (Object.keys(TAG_MAPS) as ResourceType[]).find((t) => t.toLowerCase() === resourceType.toLowerCase());
    if (!type) {
      throw invalid(`Unable to find resource by id ${resourceIds[0] ?? ''} and type ${resourceType}`);
    }
    if (resourceIds.length === 0) {
      throw invalid(`Unable to execute API command ${command.toLowerCase()} due to missing parameter resourceids`);
    }
    for (const id of resourceIds) {
      if (!TAG_MAPS[type](this).has(id)) {
        throw invalid(`Unable to find resource by id ${id} and type ${type}`);
      }
    }
    if (command === 'createTags') {
      if (tags.size === 0) {
        throw invalid('Unable to execute API command createtags due to missing parameter tags');
      }
      for (const [key, value] of tags) {
        if (!key || value === undefined) {
          throw invalid('Key and value must be specified for each tag');
        }
        for (const id of resourceIds) {
          const existing = this.tagsOf(type, id).find((t) => t.key === key);
          if (existing) {
            throw invalid(`tag ${key} already on ${type} with id ${id}`);
          }
        }
      }
    }
    return this.startJob(command, `${CMD}.tag.${command === 'createTags' ? 'CreateTagsCmd' : 'DeleteTagsCmd'}`, this.timing.jobMs, {
      params: { resourceType: type, resourceIds: JSON.stringify(resourceIds), tags: JSON.stringify([...tags]) },
    });
  }

  // ---- snapshot policies (stored; the schedules run them) ---------------------------------------

  createSnapshotPolicy(input: SnapshotPolicyInput): SnapshotPolicyRecord {
    const volume = this.lookup(this.volumes, input.volumeId, 'createSnapshotPolicy', 'volumeid');
    const intervalType = input.intervalType.toUpperCase();
    if (intervalType !== 'HOURLY' && intervalType !== 'DAILY' && intervalType !== 'WEEKLY' && intervalType !== 'MONTHLY') {
      throw invalid(`Unsupported interval type ${input.intervalType}`);
    }
    checkSchedule(intervalType, input.schedule);
    if (!Number.isInteger(input.maxsnaps) || input.maxsnaps < 1) {
      throw invalid('maxsnaps exceeds limit: 0 for interval type: ' + intervalType);
    }
    for (const zoneId of input.zoneIds ?? []) {
      this.zone(zoneId, 'createSnapshotPolicy', 'zoneids');
    }
    // One policy per interval type and volume: a new one replaces it, as CloudStack does.
    const existing = [...this.policies.values()].find((p) => p.volumeId === volume.id && p.intervalType === intervalType);
    const policy: SnapshotPolicyRecord = {
      id: existing?.id ?? this.newId(),
      volumeId: volume.id,
      intervalType,
      schedule: input.schedule,
      timezone: input.timezone,
      maxsnaps: input.maxsnaps,
      zoneIds: input.zoneIds ?? [],
      tags: input.tags ?? {},
      fordisplay: input.fordisplay !== false,
    };
    this.policies.set(policy.id, policy);
    this.touch();
    return policy;
  }

  deleteSnapshotPolicies(ids: string[]): void {
    if (ids.length === 0) {
      throw invalid('No policy id (or list of ids) is specified.');
    }
    for (const id of ids) {
      this.lookup(this.policies, id, 'deleteSnapshotPolicies', 'id');
    }
    for (const id of ids) {
      this.policies.delete(id);
    }
    this.touch();
  }

  // ---- jobs: what each does when it ends, and undoes when it fails ----------------------------

  protected finishJob(job: JobRecord): JobResult {
    const p = job.params;
    switch (job.command) {
      case 'createSnapshot': {
        const snap = this.snapshots.get(p.snapshotId);
        if (!snap) {
          throw new CsError(530, `Snapshot ${p.snapshotId} was removed while it was being backed up`, 4250);
        }
        this.addCopies(snap, p.zoneIds ? p.zoneIds.split(',') : []);
        return this.recordResult('snapshot', snap.id, snap);
      }
      case 'createSnapshotFromVMSnapshot':
      case 'revertSnapshot': {
        const snap = this.snapshots.get(p.snapshotId);
        if (job.command === 'revertSnapshot' && snap) {
          this.restoreBlocks(p.volumeId, snap.copies[0].blockId);
        }
        return this.recordResult('snapshot', p.snapshotId, snap);
      }
      case 'copySnapshot': {
        const snap = this.snapshots.get(p.snapshotId);
        if (!snap) {
          throw new CsError(530, `Snapshot ${p.snapshotId} does not exist any more`, 4250);
        }
        this.addCopies(snap, p.zoneIds.split(','));
        return this.recordResult('snapshot', snap.id, snap);
      }
      case 'deleteSnapshot':
        this.removeSnapshot(p.snapshotId, p.zoneId || undefined);
        return {};
      case 'createVolume': {
        const volume = this.volumes.get(p.volumeId);
        if (volume && p.vmId) {
          volume.vmId = p.vmId;
          volume.deviceId = this.nextDevice(p.vmId);
        }
        return this.recordResult('volume', p.volumeId, volume);
      }
      case 'attachVolume': {
        const volume = this.volumes.get(p.volumeId);
        if (volume) {
          volume.vmId = p.vmId;
          volume.deviceId = p.deviceId ? Number(p.deviceId) : this.nextDevice(p.vmId);
          volume.allocated = undefined;
        }
        return this.recordResult('volume', p.volumeId, volume);
      }
      case 'detachVolume': {
        const volume = this.volumes.get(p.volumeId);
        if (volume) {
          volume.vmId = undefined;
          volume.deviceId = undefined;
        }
        return this.recordResult('volume', p.volumeId, volume);
      }
      case 'createTemplate':
        return this.recordResult('template', p.templateId, this.templates.get(p.templateId));
      case 'deleteTemplate':
        this.templates.delete(p.templateId);
        this.dropTags('Template', p.templateId);
        return {};
      case 'startVirtualMachine':
      case 'stopVirtualMachine': {
        const vm = this.vms.get(p.vmId);
        if (vm) {
          vm.state = p.to === 'Running' ? 'Running' : 'Stopped';
          vm.transition = undefined;
        }
        return this.recordResult('virtualmachine', p.vmId, vm);
      }
      case 'createVMSnapshot': {
        const snap = this.vmSnapshots.get(p.vmSnapshotId);
        if (snap) {
          for (const other of this.vmSnapshots.values()) {
            if (other.vmId === snap.vmId) {
              other.current = other === snap;
            }
          }
        }
        return this.recordResult('vmsnapshot', p.vmSnapshotId, snap);
      }
      case 'revertToVMSnapshot': {
        const snap = this.vmSnapshots.get(p.vmSnapshotId);
        const vm = this.vms.get(p.vmId);
        if (snap && vm) {
          for (const volume of snap.volumes) {
            if (this.volumes.has(volume.volumeId) && this.blocks.hasSnapshot(volume.blockId)) {
              this.restoreBlocks(volume.volumeId, volume.blockId);
            }
          }
          for (const other of this.vmSnapshots.values()) {
            if (other.vmId === vm.id) {
              other.current = other === snap;
            }
          }
          vm.state = snap.type === 'DiskAndMemory' ? 'Running' : 'Stopped';
        }
        return this.recordResult('virtualmachine', p.vmId, vm);
      }
      case 'deleteVMSnapshot': {
        const snap = this.vmSnapshots.get(p.vmSnapshotId);
        if (snap) {
          this.removeVmSnapshot(snap);
        }
        return {};
      }
      case 'createTags':
      case 'deleteTags': {
        const type = p.resourceType as ResourceType;
        const ids = JSON.parse(p.resourceIds) as string[];
        // A tag named without a value (deleteTags by key) was stored as null.
        const tags = new Map((JSON.parse(p.tags) as [string, string | null][]).map(([key, value]) => [key, value ?? undefined]));
        for (const id of ids) {
          if (job.command === 'createTags') {
            for (const [key, value] of tags) {
              this.setTag(type, id, key, value ?? '');
            }
          } else {
            this.dropTags(type, id, tags.size > 0 ? tags : undefined);
          }
        }
        return {};
      }
      default:
        return {};
    }
  }

  protected undoJob(job: JobRecord): void {
    const p = job.params;
    switch (job.command) {
      case 'createSnapshot':
      case 'createSnapshotFromVMSnapshot': {
        const snap = this.snapshots.get(p.snapshotId);
        if (snap) {
          // The data never reached secondary storage: the snapshot stays, in Error, storing nothing.
          for (const copy of snap.copies) {
            if (this.blocks.hasSnapshot(copy.blockId)) {
              this.blocks.deleteSnapshot(copy.blockId);
            }
          }
          snap.failed = true;
          for (const child of this.snapshots.values()) {
            if (child.parentId === snap.id) {
              child.parentId = snap.parentId;
            }
          }
        }
        break;
      }
      case 'createVolume':
        this.volumes.delete(p.volumeId);
        this.blocks.deleteDisk(p.volumeId);
        break;
      case 'createTemplate': {
        const template = this.templates.get(p.templateId);
        if (template) {
          template.failed = true;
        }
        break;
      }
      case 'createVMSnapshot': {
        const snap = this.vmSnapshots.get(p.vmSnapshotId);
        if (snap) {
          snap.failed = true;
        }
        break;
      }
      case 'startVirtualMachine':
      case 'stopVirtualMachine': {
        const vm = this.vms.get(p.vmId);
        if (vm) {
          vm.transition = undefined;
        }
        break;
      }
      default:
        break;
    }
  }

  private recordResult(key: NonNullable<JobResult['key']>, id: string, record: unknown): JobResult {
    return { key, id, record: record === undefined ? undefined : structuredClone(record) };
  }

  // ---- counts and persistence -----------------------------------------------------------------

  counts(): CsCounts {
    return {
      zones: this.zones.length,
      vms: this.vms.size,
      volumes: this.volumes.size,
      snapshots: this.snapshots.size,
      vmSnapshots: this.vmSnapshots.size,
      templates: [...this.templates.values()].filter((t) => t.self).length,
      jobs: this.jobs.size,
      snapshotPolicies: this.policies.size,
    };
  }

  toJSON(): CsStateJson {
    return {
      version: 1,
      zones: this.zones,
      diskOfferings: this.diskOfferings,
      serviceOfferings: this.serviceOfferings,
      osTypes: this.osTypes,
      vms: [...this.vms.values()],
      volumes: [...this.volumes.values()],
      snapshots: [...this.snapshots.values()],
      vmSnapshots: [...this.vmSnapshots.values()],
      templates: [...this.templates.values()],
      jobs: [...this.jobs.values()],
      policies: [...this.policies.values()],
      tags: this.tags,
      pageSize: this.pageSize,
      deltaMax: this.deltaMax,
      clockSkewMs: this.clockSkewMs,
      plannedFailure: this.plannedFailure,
      nextSeq: this.nextSeq,
      blocks: this.blocks.toJSON(),
    };
  }

  static fromJSON(json: CsStateJson, options: CsStateOptions = {}): CsState {
    if (json.version !== 1) {
      throw new Error(`unsupported CloudStack state version ${String(json.version)}`);
    }
    const state = new CsState({ ...options, pageSize: options.pageSize ?? json.pageSize }, BlockStore.fromJSON(json.blocks));
    state.zones = json.zones;
    state.diskOfferings = json.diskOfferings;
    state.serviceOfferings = json.serviceOfferings;
    state.osTypes = json.osTypes;
    const fill = <T extends { id: string }>(map: Map<string, T>, records: T[]) => records.forEach((r) => map.set(r.id, r));
    fill(state.vms, json.vms);
    fill(state.volumes, json.volumes);
    fill(state.snapshots, json.snapshots);
    fill(state.vmSnapshots, json.vmSnapshots);
    fill(state.templates, json.templates);
    fill(state.jobs, json.jobs);
    fill(state.policies, json.policies);
    state.tags = json.tags;
    state.deltaMax = json.deltaMax;
    state.clockSkewMs = json.clockSkewMs;
    state.plannedFailure = json.plannedFailure;
    state.nextSeq = json.nextSeq;
    return state;
  }
}

/** CloudStack's schedule formats: `MM` hourly, `MM:HH` daily, `MM:HH:D` weekly (1–7), `MM:HH:DD` monthly (1–28). */
function checkSchedule(intervalType: string, schedule: string): void {
  const parts = schedule.split(':').map((p) => (/^\d{1,2}$/.test(p) ? Number(p) : NaN));
  const want = intervalType === 'HOURLY' ? 1 : intervalType === 'DAILY' ? 2 : 3;
  const [minute, hour, day] = parts;
  const ok =
    parts.length === want &&
    minute >= 0 &&
    minute < 60 &&
    (want < 2 || (hour >= 0 && hour < 24)) &&
    (want < 3 || (intervalType === 'WEEKLY' ? day >= 1 && day <= 7 : day >= 1 && day <= 28));
  if (!ok) {
    throw invalid(`Invalid schedule: ${schedule} for interval type: ${intervalType}`);
  }
}
