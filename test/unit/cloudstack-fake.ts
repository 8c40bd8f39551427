/**
 * A scripted CloudStack for the adapter's unit tests: a `CloudStackApi` that answers from plain
 * collections in CloudStack's own JSON shapes (lower-case fields, `created` as
 * `2026-12-03T10:00:00+0000`, sizes in bytes), filters lists the way CloudStack does by the
 * parameters the adapter sends, and records every async command it is asked to start.
 */
import type { CloudStackApi, JobResult, JobStart, Params } from '../../src/adapters/cloudstack/api';
import { CloudStackAdapter } from '../../src/adapters/cloudstack/adapter';
import { CloudError } from '../../src/model/errors';
import type { AccountConfig } from '../../src/model/types';
import type { CsAsyncJob, CsDiskOffering, CsOsType, CsSnapshot, CsSnapshotPolicy, CsTemplate, CsVm, CsVmSnapshot, CsVolume, CsZone } from '../../src/adapters/cloudstack/wire';

export const GIB = 1024 ** 3;
export const ZONE_A = 'z-a';
export const ZONE_B = 'z-b';

export class FakeCloudStack implements CloudStackApi {
  zones: CsZone[] = [
    { id: ZONE_A, name: 'gva-1', networktype: 'Advanced', allocationstate: 'Enabled' },
    { id: ZONE_B, name: 'zrh-1', networktype: 'Advanced', allocationstate: 'Enabled' },
  ];
  vms: CsVm[] = [];
  volumes: CsVolume[] = [];
  snapshots: CsSnapshot[] = [];
  vmSnapshots: CsVmSnapshot[] = [];
  templates: CsTemplate[] = [];
  policies: CsSnapshotPolicy[] = [];
  jobs: CsAsyncJob[] = [];
  osTypes: CsOsType[] = [{ id: 'os-ubuntu', description: 'Ubuntu 22.04 (64-bit)' }, { id: 'os-debian', description: 'Debian GNU/Linux 12 (64-bit)' }];
  diskOfferings: CsDiskOffering[] = [
    { id: 'do-small', name: 'Small', disksize: 10, iscustomized: false },
    { id: 'do-custom', name: 'Custom', disksize: 0, iscustomized: true },
  ];
  version = '4.19.1.0';
  /** Every async command started, in order. */
  started: { command: string; params: Params }[] = [];
  /** Every command called or listed, in order. */
  calls: string[] = [];
  /** Answers of queryAsyncJobResult, by job id: each poll takes the next (the last one repeats). */
  jobAnswers = new Map<string, JobResult[]>();
  /** Makes `start` of this command fail with this error (once), after recording it. */
  failStart?: { command: string; error: CloudError; after?: () => void };
  /** The `id` each start answered, in order. */
  madeIds: string[] = [];
  private nextJob = 1;

  async call<T>(command: string): Promise<T> {
    this.calls.push(command);
    if (command === 'listCapabilities') {
      return { capability: { cloudstackversion: this.version } } as T;
    }
    throw new CloudError('invalid', `fake: no synchronous ${command}`);
  }

  async list<T>(command: string, _key: string, params: Params = {}, _signal?: AbortSignal, onPage?: (items: T[]) => void): Promise<T[]> {
    this.calls.push(command);
    const by = <X>(items: X[], field: keyof X, param: string): X[] => (params[param] === undefined ? items : items.filter((x) => x[field] === params[param]));
    let out: unknown[];
    switch (command) {
      case 'listZones':
        out = this.zones;
        break;
      case 'listVirtualMachines':
        out = by(this.vms, 'id', 'id');
        break;
      case 'listVolumes':
        out = by(by(by(by(this.volumes, 'id', 'id'), 'virtualmachineid', 'virtualmachineid'), 'zoneid', 'zoneid'), 'name', 'name');
        break;
      case 'listSnapshots':
        out = by(by(this.snapshots, 'id', 'id'), 'volumeid', 'volumeid');
        break;
      case 'listVMSnapshot':
        out = by(by(this.vmSnapshots, 'id', 'vmsnapshotid'), 'virtualmachineid', 'virtualmachineid');
        break;
      case 'listTemplates':
        out = by(by(this.templates, 'id', 'id'), 'name', 'name');
        break;
      case 'listSnapshotPolicies':
        out = by(this.policies, 'volumeid', 'volumeid');
        break;
      case 'listAsyncJobs':
        out = this.jobs;
        break;
      case 'listOsTypes':
        out = this.osTypes;
        break;
      case 'listDiskOfferings':
        out = by(this.diskOfferings, 'id', 'id');
        break;
      default:
        throw new CloudError('invalid', `fake: no list ${command}`);
    }
    onPage?.(out as T[]);
    return out as T[];
  }

  async start(command: string, params: Params = {}): Promise<JobStart> {
    this.started.push({ command, params });
    if (this.failStart?.command === command) {
      const { error, after } = this.failStart;
      this.failStart = undefined;
      after?.();
      throw error;
    }
    const id = typeof params.id === 'string' ? params.id : `new-${this.nextJob}`;
    this.madeIds.push(id);
    return { jobid: `job-${this.nextJob++}`, id };
  }

  async job(jobId: string): Promise<JobResult> {
    this.calls.push('queryAsyncJobResult');
    const answers = this.jobAnswers.get(jobId);
    if (!answers?.length) {
      return { jobid: jobId, jobstatus: 1, jobresult: {} };
    }
    return (answers.length > 1 ? answers.shift() : answers[0]) as JobResult;
  }

  dispose(): void {}
}

export const csTime = (iso: string): string => iso.replace(/\.\d{3}Z$/, '+0000').replace(/Z$/, '+0000');

/** A small estate: a running VM with ROOT + DATADISK, a stopped VM, a detached volume, snapshots, a VM snapshot, a template. */
export function seeded(): FakeCloudStack {
  const cs = new FakeCloudStack();
  cs.vms = [
    { id: 'vm-web', name: 'web-1', displayname: 'web-1', state: 'Running', zoneid: ZONE_A, zonename: 'gva-1', serviceofferingname: 'Medium Instance', hypervisor: 'KVM', ostypeid: 'os-ubuntu', osdisplayname: 'Ubuntu 22.04 (64-bit)', created: '2026-11-01T10:00:00+0000' },
    { id: 'vm-db', name: 'db-1', displayname: 'db-1', state: 'Stopped', zoneid: ZONE_A, zonename: 'gva-1', serviceofferingname: 'Large Instance', hypervisor: 'KVM', ostypeid: 'os-debian', created: '2026-11-02T10:00:00+0000' },
  ];
  cs.volumes = [
    { id: 'vol-web-root', name: 'ROOT-1', type: 'ROOT', state: 'Ready', zoneid: ZONE_A, zonename: 'gva-1', size: 20 * GIB, deviceid: 0, virtualmachineid: 'vm-web', vmname: 'web-1', vmstate: 'Running', diskofferingname: 'Medium', diskofferingid: 'do-medium', storage: 'gva-nfs', created: '2026-11-01T10:00:00+0000' },
    { id: 'vol-web-data', name: 'web-data', type: 'DATADISK', state: 'Ready', zoneid: ZONE_A, zonename: 'gva-1', size: 50 * GIB, deviceid: 1, virtualmachineid: 'vm-web', vmname: 'web-1', diskofferingname: 'Custom', diskofferingid: 'do-custom', quiescevm: true, created: '2026-11-01T10:01:00+0000' },
    { id: 'vol-db-root', name: 'ROOT-2', type: 'ROOT', state: 'Ready', zoneid: ZONE_A, zonename: 'gva-1', size: 20 * GIB, deviceid: 0, virtualmachineid: 'vm-db', vmname: 'db-1', diskofferingname: 'Medium', created: '2026-11-02T10:00:00+0000' },
    { id: 'vol-spare', name: 'spare', type: 'DATADISK', state: 'Ready', zoneid: ZONE_B, zonename: 'zrh-1', size: 10 * GIB, diskofferingname: 'Small', created: '2026-11-03T10:00:00+0000' },
  ];
  const snap = (id: string, volumeid: string, volumetype: string, created: string, extra: Partial<CsSnapshot> = {}): CsSnapshot => ({
    id,
    name: id,
    volumeid,
    volumename: cs.volumes.find((v) => v.id === volumeid)?.name ?? 'gone-volume',
    volumetype,
    snapshottype: 'MANUAL',
    intervaltype: 'MANUAL',
    state: 'BackedUp',
    zoneid: ZONE_A,
    zonename: 'gva-1',
    physicalsize: 3 * GIB,
    virtualsize: 20 * GIB,
    revertable: true,
    ostypeid: 'os-ubuntu',
    created,
    ...extra,
  });
  cs.snapshots = [
    snap('snap-root-1', 'vol-web-root', 'ROOT', '2026-12-01T10:00:00+0000'),
    snap('snap-data-1', 'vol-web-data', 'DATADISK', '2026-12-01T11:00:00+0000', { virtualsize: 50 * GIB, physicalsize: 7 * GIB }),
    snap('snap-db-1', 'vol-db-root', 'ROOT', '2026-12-01T12:00:00+0000', { snapshottype: 'RECURRING', intervaltype: 'DAILY' }),
    snap('snap-orphan', 'vol-deleted', 'DATADISK', '2026-11-20T12:00:00+0000', { volumename: 'old-data', revertable: false }),
  ];
  cs.vmSnapshots = [
    { id: 'vms-1', name: 'i-2-3-VM_VS_1', displayname: 'before-upgrade', type: 'DiskAndMemory', state: 'Ready', current: false, virtualmachineid: 'vm-web', zoneid: ZONE_A, created: '2026-12-02T09:00:00+0000' },
    { id: 'vms-2', name: 'i-2-3-VM_VS_2', displayname: 'after-upgrade', type: 'Disk', state: 'Ready', current: true, parent: 'vms-1', parentName: 'before-upgrade', virtualmachineid: 'vm-web', zoneid: ZONE_A, created: '2026-12-02T10:00:00+0000' },
  ];
  cs.templates = [{ id: 'tpl-1', name: 'web-golden', displaytext: 'golden', zoneid: ZONE_A, zonename: 'gva-1', isready: true, status: 'Download Complete', ostypename: 'Ubuntu 22.04 (64-bit)', format: 'QCOW2', size: 20 * GIB, created: '2026-11-15T10:00:00+0000' }];
  cs.policies = [{ id: 'pol-1', volumeid: 'vol-db-root', schedule: '30:03', intervaltype: 1, maxsnaps: 7, timezone: 'Europe/Zurich' }];
  return cs;
}

export const SANDBOX_ACCOUNT: AccountConfig = { id: 'cs-1', cloud: 'cloudstack', label: 'test', settings: {} };

/** An adapter over the fake (no sandbox). */
export function adapterOver(cs: CloudStackApi, log: string[] = []): CloudStackAdapter {
  return new CloudStackAdapter(SANDBOX_ACCOUNT, { log: (l) => log.push(l), setting: <T>(_k: string, f: T) => f, maxConcurrency: 4 }, async () => cs);
}
