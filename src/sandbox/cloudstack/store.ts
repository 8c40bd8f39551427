/**
 * The CloudStack sandbox state's base: the records, lookups, tags, and the async job table.
 * Wire-neutral. Jobs end on the sandbox clock: `sweep()` (run before every request) finishes the
 * jobs whose time has come, applying what they do; a job set to fail after N polls stays pending
 * until its polls run out (`poll`), then fails and undoes what it began.
 */
import { randomUUID } from 'node:crypto';
import { BlockStore } from '../blocks';
import { StateKit } from '../state-kit';
import { badId, CsError, invalid } from './errors';
import {
  type CsTiming,
  DEFAULT_CS_TIMING,
  DEFAULT_DELTA_MAX,
  DEFAULT_PAGE_SIZE,
  type DiskOfferingRecord,
  type JobRecord,
  type JobResult,
  type OsTypeRecord,
  type ResourceType,
  type ServiceOfferingRecord,
  type SnapshotPolicyRecord,
  type SnapshotRecord,
  type TagRecord,
  type TemplateRecord,
  type VmRecord,
  type VmSnapshotRecord,
  type VolumeRecord,
  type ZoneRecord,
} from './records';

export interface CsStateOptions {
  timing?: Partial<CsTiming>;
  now?: () => number;
  pageSize?: number;
}

/** A failure planned for the next async job (the control's `failNextJob`). */
export interface PlannedFailure {
  afterPolls: number;
  errortext: string;
  /** Only a job of this command takes it (any command when absent). */
  command?: string;
}

export abstract class CsStore extends StateKit {
  readonly timing: CsTiming;
  readonly blocks: BlockStore;
  /** `default.page.size`. */
  pageSize: number;
  /** `snapshot.delta.max`: deltas before the next full snapshot. */
  deltaMax = DEFAULT_DELTA_MAX;
  /** How far the server's clock is ahead of the sandbox clock (ms; negative: behind) when judging `expires`. */
  clockSkewMs = 0;
  plannedFailure: PlannedFailure | undefined;

  zones: ZoneRecord[] = [];
  diskOfferings: DiskOfferingRecord[] = [];
  serviceOfferings: ServiceOfferingRecord[] = [];
  osTypes: OsTypeRecord[] = [];
  readonly vms = new Map<string, VmRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly vmSnapshots = new Map<string, VmSnapshotRecord>();
  readonly templates = new Map<string, TemplateRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly policies = new Map<string, SnapshotPolicyRecord>();
  tags: TagRecord[] = [];

  constructor(options: CsStateOptions = {}, blocks?: BlockStore) {
    super(options.now);
    this.timing = { ...DEFAULT_CS_TIMING, ...options.timing };
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.blocks = blocks ?? new BlockStore();
  }

  /** The server's clock (the sandbox clock plus the skew). */
  serverNow(): number {
    return this.now() + this.clockSkewMs;
  }

  newId(): string {
    return randomUUID();
  }

  // ---- lookups ------------------------------------------------------------------------------

  zone(id: string, command = 'api', param = 'zoneid'): ZoneRecord {
    const zone = this.zones.find((z) => z.id === id);
    if (!zone) {
      throw badId(command, param, id);
    }
    return zone;
  }

  zoneName(id: string): string {
    return this.zones.find((z) => z.id === id)?.name ?? '';
  }

  /** A record of `map` by id, or the dispatcher's 431 for `param`. */
  lookup<T>(map: ReadonlyMap<string, T>, id: string, command: string, param: string): T {
    const record = map.get(id);
    if (!record) {
      throw badId(command, param, id);
    }
    return record;
  }

  diskOffering(id: string, command: string): DiskOfferingRecord {
    const offering = this.diskOfferings.find((o) => o.id === id);
    if (!offering) {
      throw badId(command, 'diskofferingid', id);
    }
    return offering;
  }

  serviceOffering(id: string): ServiceOfferingRecord | undefined {
    return this.serviceOfferings.find((o) => o.id === id);
  }

  osType(id: string): OsTypeRecord | undefined {
    return this.osTypes.find((o) => o.id === id);
  }

  /** The VM's state now: Starting / Stopping while a start or stop runs. */
  vmState(vm: VmRecord): 'Running' | 'Stopped' | 'Starting' | 'Stopping' {
    if (vm.transition && vm.transition.endAt > this.now()) {
      return vm.transition.to === 'Running' ? 'Starting' : 'Stopping';
    }
    return vm.state;
  }

  /** Whether the job that creates a record is still running. */
  pending(jobId: string | undefined): boolean {
    return jobId !== undefined && this.jobs.get(jobId)?.status === 0;
  }

  /** Creating while its job runs; Allocated when it has no data yet; else Ready. */
  volumeState(volume: VolumeRecord): 'Ready' | 'Allocated' | 'Creating' {
    if (this.pending(volume.jobId)) {
      return 'Creating';
    }
    return volume.allocated ? 'Allocated' : 'Ready';
  }

  volumesOf(vmId: string): VolumeRecord[] {
    return [...this.volumes.values()].filter((v) => v.vmId === vmId).sort((a, b) => (a.deviceId ?? 0) - (b.deviceId ?? 0));
  }

  // ---- tags -----------------------------------------------------------------------------------

  tagsOf(resourceType: ResourceType, resourceId: string): TagRecord[] {
    return this.tags.filter((t) => t.resourceType === resourceType && t.resourceId === resourceId);
  }

  setTag(resourceType: ResourceType, resourceId: string, key: string, value: string): void {
    this.tags = this.tags.filter((t) => !(t.resourceType === resourceType && t.resourceId === resourceId && t.key === key));
    this.tags.push({ resourceType, resourceId, key, value });
    this.touch();
  }

  dropTags(resourceType: ResourceType, resourceId: string, keys?: ReadonlyMap<string, string | undefined>): void {
    this.tags = this.tags.filter((t) => {
      if (t.resourceType !== resourceType || t.resourceId !== resourceId) {
        return true;
      }
      if (!keys) {
        return false;
      }
      if (!keys.has(t.key)) {
        return true;
      }
      const value = keys.get(t.key);
      return value !== undefined && value !== t.value;
    });
    this.touch();
  }

  // ---- jobs -------------------------------------------------------------------------------------

  /** A new async job that ends `durationMs` from now (or as a planned failure / fault says). */
  startJob(
    command: string,
    cmdClass: string,
    durationMs: number,
    spec: { params?: Record<string, string>; instanceType?: JobRecord['instanceType']; instanceId?: string; failAtEnd?: boolean },
  ): JobRecord {
    const now = this.now();
    const job: JobRecord = {
      id: this.newId(),
      command,
      cmdClass,
      createdAt: now,
      endAt: now + Math.max(0, Math.round(durationMs)),
      status: 0,
      instanceType: spec.instanceType,
      instanceId: spec.instanceId,
      params: spec.params ?? {},
      polls: 0,
      failAtEnd: spec.failAtEnd || undefined,
    };
    const planned = this.plannedFailure;
    if (planned && (planned.command === undefined || planned.command.toLowerCase() === command.toLowerCase())) {
      job.failAfterPolls = planned.afterPolls;
      job.failText = planned.errortext;
      this.plannedFailure = undefined;
    }
    this.jobs.set(job.id, job);
    this.touch();
    return job;
  }

  /** A job by id (queryAsyncJobResult), counting the poll; a job set to fail does so once its polls are used up. */
  poll(jobId: string, command: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) {
      throw badId(command, 'jobid', jobId);
    }
    if (job.status === 0) {
      job.polls++;
      if (job.failAfterPolls !== undefined && job.polls > job.failAfterPolls) {
        this.failJob(job, new CsError(530, job.failText ?? 'Job failed', 4250));
      }
      this.touch();
    }
    return job;
  }

  /** Finishes the jobs whose time has come (their effects applied in order of their end). */
  sweep(): void {
    const now = this.now();
    const due = [...this.jobs.values()].filter((j) => j.status === 0 && j.failAfterPolls === undefined && j.endAt <= now).sort((a, b) => a.endAt - b.endAt);
    for (const job of due) {
      if (job.failAtEnd) {
        this.failJob(job, new CsError(530, 'Internal error executing command, please contact your system administrator', 4250));
        continue;
      }
      try {
        const result = this.finishJob(job);
        this.at(job.endAt, () => this.endJob(job, result));
      } catch (error) {
        if (!(error instanceof CsError)) {
          throw error;
        }
        this.failJob(job, error);
      }
    }
  }

  /** Whether a job of `command` about `instanceId` (or with a param naming it) is still running. */
  runningJob(predicate: (job: JobRecord) => boolean): JobRecord | undefined {
    return [...this.jobs.values()].find((j) => j.status === 0 && predicate(j));
  }

  private endJob(job: JobRecord, result: JobResult): void {
    job.status = 1;
    job.completedAt = Math.max(job.endAt, job.createdAt);
    job.result = result;
    this.touch();
  }

  private failJob(job: JobRecord, error: CsError): void {
    this.undoJob(job);
    job.status = 2;
    job.completedAt = this.now();
    job.error = { code: error.errorcode, text: error.errortext };
    this.touch();
  }

  /** Applies what a job does when it ends; returns its result (throws a CsError to fail it). */
  protected abstract finishJob(job: JobRecord): JobResult;

  /** Undoes what a failing job began (e.g. a snapshot ends in Error). */
  protected abstract undoJob(job: JobRecord): void;

  // ---- checks ---------------------------------------------------------------------------------

  /** A whole number from a parameter, or 431. */
  static integer(value: string, name: string): number {
    if (!/^-?\d+$/.test(value)) {
      throw invalid(`Unable to execute API command due to invalid value. Invalid parameter ${name} value=${value} due to incorrect long value format.`);
    }
    return Number(value);
  }
}
