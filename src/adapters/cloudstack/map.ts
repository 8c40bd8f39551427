/**
 * Mapping CloudStack's objects onto the provider-neutral model. Pure functions, no calls.
 * Each mapped resource keeps, under `cs`, the few facts of CloudStack's that the synchronous
 * `actionsFor` needs (a volume's type, a snapshot's revertability, a VM's state…); the rest of
 * the extension ignores them. Names, tags and every other string stay untrusted text: they are
 * passed on as data, never interpreted.
 */
import type { Detail, Disk, Image, Phase, Policy, Resource, ResourceBase, RestorePoint, Snapshot, Tag, Vm } from '../../model/types';
import type { CsSnapshot, CsSnapshotPolicy, CsTag, CsTemplate, CsVm, CsVmSnapshot, CsVolume } from './wire';

const GIB = 1024 ** 3;

export type CsVmResource = Vm & { cs: { hypervisor?: string; ostypeid?: string } };
export type CsDiskResource = Disk & {
  cs: { type: string; vmId?: string; vmName?: string; vmState?: string; quiesce: boolean; offeringId?: string; offeringName?: string };
};
export type CsSnapshotResource = Snapshot & {
  cs: {
    volumeType?: string;
    volumeName?: string;
    revertable: boolean;
    /** Filled in by `buildInventory`: the volume is listed (not deleted). */
    volumeListed?: boolean;
    /** Filled in by `buildInventory`: the VM the volume is attached to, and its state. */
    vmId?: string;
    vmName?: string;
    vmState?: string;
    /** Filled in by `buildInventory`: how many VM snapshots that VM has (CloudStack reverts no volume of such a VM). */
    vmSnapshots?: number;
    ostypeid?: string;
    /** The snapshot's zone's name (for refusals and titles). */
    zoneName?: string;
    /** Filled in by `buildInventory`: every zone the snapshot is stored in (CloudStack 4.19+ lists it once per zone). */
    zoneIds: string[];
  };
};
export type CsImageResource = Image & { cs: { zoneIds: string[] } };
export type CsRestorePointResource = RestorePoint & { cs: { vmName?: string; vmState?: string; hypervisor?: string } };

/** A resource as the messages name it: `name (id)`, or the id alone. */
export function label(r: Pick<Resource, 'id' | 'name'>): string {
  return r.name && r.name.trim() ? `${r.name} (${r.id})` : r.id;
}

/**
 * CloudStack's time (`2026-12-03T15:14:19+0000`, no colon in the offset) as ISO-8601 UTC, or
 * undefined when it cannot be read.
 */
export function isoTime(t: string | undefined): string | undefined {
  if (!t) {
    return undefined;
  }
  const ms = Date.parse(t.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function mapTags(tags: CsTag[] | undefined): Tag[] {
  return (tags ?? []).filter((t) => typeof t.key === 'string').map((t) => ({ key: t.key as string, value: typeof t.value === 'string' ? t.value : '' }));
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bytes = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
const gib = (b: number | undefined): number => (b === undefined ? 0 : Math.round((b / GIB) * 100) / 100);

function details(pairs: [string, string | number | boolean | undefined][]): Detail[] {
  return pairs.filter((p): p is [string, string | number | boolean] => p[1] !== undefined && p[1] !== '').map(([label, value]) => ({ label, value: String(value) }));
}

/** Phases by CloudStack's state words; unknown words are shown as they are, as pending. */
function phaseOf(state: string, ready: string[], error: string[], deleting: string[]): Phase {
  if (ready.includes(state)) {
    return 'ready';
  }
  if (error.includes(state)) {
    return 'error';
  }
  return deleting.includes(state) ? 'deleting' : 'pending';
}

/** What a VM, a volume and a volume snapshot say alike: id, zone, state (and its phase), tags, creation time. */
function inZone(r: CsVm | CsVolume | CsSnapshot, phase: (state: string) => Phase): Pick<ResourceBase, 'id' | 'scopeId' | 'zone' | 'state' | 'phase' | 'tags' | 'createdAt'> {
  const state = text(r.state) ?? 'Unknown';
  return {
    id: r.id,
    scopeId: text(r.zoneid) ?? '',
    zone: text(r.zonename),
    state,
    phase: phase(state),
    tags: mapTags(r.tags),
    createdAt: isoTime(r.created),
  };
}

export function mapVm(v: CsVm): CsVmResource {
  const name = text(v.displayname) ?? text(v.name);
  return {
    kind: 'vm',
    ...inZone(v, (state) => phaseOf(state, ['Running', 'Stopped'], ['Error'], ['Destroyed', 'Expunging'])),
    name,
    machineType: text(v.serviceofferingname),
    diskIds: [],
    platform: text(v.osdisplayname),
    details: details([
      ['Service offering', text(v.serviceofferingname)],
      ['Hypervisor', text(v.hypervisor)],
      ['Template', text(v.templatename)],
      ['Name', v.displayname && v.name && v.displayname !== v.name ? v.name : undefined],
      ['Instance name', text(v.instancename)],
    ]),
    cs: { hypervisor: text(v.hypervisor), ostypeid: text(v.ostypeid) },
  };
}

export function mapVolume(v: CsVolume): CsDiskResource {
  const type = text(v.type) ?? 'DATADISK';
  const offering = text(v.diskofferingname);
  const vmId = text(v.virtualmachineid);
  return {
    kind: 'disk',
    ...inZone(v, (state) => phaseOf(state, ['Ready', 'Allocated'], ['Error', 'UploadError'], ['Destroy', 'Expunging', 'Expunged'])),
    name: text(v.name),
    sizeGiB: gib(bytes(v.size)),
    diskType: offering ? `${type} · ${offering}` : type,
    encrypted: text(v.encryptformat) !== undefined,
    iops: typeof v.maxiops === 'number' && v.maxiops > 0 ? v.maxiops : undefined,
    attachments: vmId ? [{ vmId, device: v.deviceid !== undefined ? `device ${v.deviceid}` : undefined, boot: type === 'ROOT' }] : [],
    sourceSnapshotId: text(v.snapshotid),
    details: details([
      ['Type', type],
      ['Disk offering', offering],
      ['VM', vmId ? `${text(v.vmdisplayname) ?? text(v.vmname) ?? vmId}${v.vmstate ? ` (${v.vmstate})` : ''}` : 'not attached'],
      ['Device id', v.deviceid],
      ['Primary storage', text(v.storage)],
      ['Storage type', text(v.storagetype)],
      ['Provisioning', text(v.provisioningtype)],
      ['Hypervisor', text(v.hypervisor)],
      ['Encryption', text(v.encryptformat)],
      ['Created from snapshot', text(v.snapshotid)],
    ]),
    cs: { type, vmId, vmName: text(v.vmdisplayname) ?? text(v.vmname), vmState: text(v.vmstate), quiesce: v.quiescevm === true, offeringId: text(v.diskofferingid), offeringName: offering },
  };
}

/** Snapshot states: BackedUp is usable; Creating, BackingUp (and Allocated, Copying) are on the way. */
export function snapshotPhase(state: string): Phase {
  return phaseOf(state, ['BackedUp'], ['Error'], ['Destroying', 'Destroyed']);
}

export function mapSnapshot(s: CsSnapshot): CsSnapshotResource {
  const interval = text(s.intervaltype);
  const byPolicy = s.snapshottype === 'RECURRING' || (interval !== undefined && interval !== 'MANUAL');
  const physical = bytes(s.physicalsize);
  const virtual = bytes(s.virtualsize);
  const parent = text(s.parent);
  return {
    kind: 'snapshot',
    ...inZone(s, snapshotPhase),
    name: text(s.name),
    diskId: text(s.volumeid),
    sizeGiB: gib(virtual),
    encrypted: false,
    storedBytes: physical,
    // Only when CloudStack says so: a snapshot that names the one it is incremental against.
    incremental: parent ? true : undefined,
    chainId: text(s.volumeid),
    details: details([
      ['Volume', text(s.volumename) ? `${s.volumename}${s.volumetype ? ` (${s.volumetype})` : ''}` : text(s.volumetype)],
      ['Taken', byPolicy ? `by a snapshot policy (${interval ?? s.snapshottype})` : 'by hand (MANUAL)'],
      ['Stored on secondary storage (physicalsize)', physical],
      ['Volume size (virtualsize)', virtual],
      ['Location', text(s.locationtype)],
      ['Incremental against', parent ? (text(s.parentname) ?? parent) : undefined],
      ['Revertable', s.revertable === undefined ? undefined : s.revertable ? 'yes: the volume can be reverted to it' : 'no: the storage cannot revert to it'],
      ['OS type', text(s.osdisplayname)],
    ]),
    cs: { volumeType: text(s.volumetype), volumeName: text(s.volumename), revertable: s.revertable === true, ostypeid: text(s.ostypeid), zoneName: text(s.zonename), zoneIds: [] },
  };
}

export function mapVmSnapshot(v: CsVmSnapshot, vm: CsVmResource | undefined): CsRestorePointResource {
  const state = text(v.state) ?? 'Unknown';
  const memory = v.type === 'DiskAndMemory';
  return {
    kind: 'restorePoint',
    id: v.id,
    name: text(v.displayname) ?? text(v.name),
    scopeId: text(v.zoneid) ?? vm?.scopeId ?? '',
    state,
    phase: phaseOf(state, ['Ready'], ['Error'], ['Expunging', 'Removed']),
    tags: mapTags(v.tags),
    createdAt: isoTime(v.created),
    vmId: text(v.virtualmachineid) ?? '',
    memory,
    current: v.current === true ? true : undefined,
    parentId: text(v.parent),
    description: text(v.description),
    details: details([
      ['Type', memory ? 'DiskAndMemory: disks and memory' : text(v.type) ? `${v.type}: disks only` : undefined],
      ['VM', vm ? label(vm) : text(v.virtualmachinename) ?? text(v.virtualmachineid)],
      ['Current', v.current === true ? 'yes: the VM runs from this VM snapshot' : undefined],
      ['Taken after', text(v.parentName) ?? text(v.parent)],
      ['Name', v.displayname && v.name && v.displayname !== v.name ? v.name : undefined],
      ['Hypervisor', text(v.hypervisor)],
    ]),
    cs: { vmName: vm ? (vm.name ?? vm.id) : text(v.virtualmachinename), vmState: vm?.state, hypervisor: text(v.hypervisor) ?? vm?.cs.hypervisor },
  };
}

/**
 * Templates: CloudStack lists a template once per zone it is in. One image per template, in the
 * first zone listed, naming every zone (deleteTemplate without a zone removes it from all).
 */
export function mapTemplates(list: CsTemplate[]): CsImageResource[] {
  const byId = new Map<string, { t: CsTemplate; zones: string[]; zoneNames: string[] }>();
  for (const t of list) {
    const e = byId.get(t.id) ?? { t, zones: [], zoneNames: [] };
    if (t.zoneid && !e.zones.includes(t.zoneid)) {
      e.zones.push(t.zoneid);
      e.zoneNames.push(text(t.zonename) ?? t.zoneid);
    }
    byId.set(t.id, e);
  }
  return [...byId.values()].map(({ t, zones, zoneNames }) => {
    const ready = t.isready === true;
    const status = text(t.status);
    const state = ready ? 'Ready' : (status ?? 'Not ready');
    return {
      kind: 'image',
      id: t.id,
      name: text(t.name),
      scopeId: zones[0] ?? '',
      state,
      phase: ready ? 'ready' : /error|fail/i.test(status ?? '') ? 'error' : 'pending',
      tags: mapTags(t.tags),
      createdAt: isoTime(t.created),
      description: text(t.displaytext),
      snapshotIds: text(t.snapshotid) ? [t.snapshotid as string] : [],
      architecture: text(t.arch),
      public: t.ispublic === true,
      details: details([
        ['OS type', text(t.ostypename)],
        ['Format', text(t.format)],
        ['Hypervisor', text(t.hypervisor)],
        ['Size', bytes(t.size) !== undefined ? `${gib(bytes(t.size))} GiB` : undefined],
        ['Zones', t.crossZones ? 'all zones (cross-zone)' : zoneNames.join(', ')],
        ['Public', t.ispublic === true ? 'yes' : 'no'],
        ['Featured', t.isfeatured === true ? 'yes' : 'no'],
        ['Made from snapshot', text(t.snapshotid)],
        ['Made from volume', text(t.volumeid)],
      ]),
      cs: { zoneIds: zones },
    };
  });
}

const INTERVALS = ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A policy's interval as CloudStack's word (the number 0–3 or the word itself). */
export function intervalWord(v: number | string | undefined): (typeof INTERVALS)[number] | undefined {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d$/.test(v))) {
    return INTERVALS[Number(v)];
  }
  const w = typeof v === 'string' ? v.toUpperCase() : undefined;
  return INTERVALS.find((i) => i === w);
}

/** A policy's schedule in words ("daily at 03:30 Europe/Paris"), or CloudStack's own text when unreadable. */
export function scheduleWords(p: CsSnapshotPolicy): string | undefined {
  const interval = intervalWord(p.intervaltype);
  const parts = (p.schedule ?? '').split(':').map((x) => (/^\d{1,2}$/.test(x) ? Number(x) : NaN));
  const tz = text(p.timezone) ? ` ${p.timezone}` : '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  const [mm, hh, dd] = parts;
  const ok = (n: number | undefined, max: number, min = 0): n is number => n !== undefined && Number.isInteger(n) && n >= min && n <= max;
  switch (interval) {
    case 'HOURLY':
      return ok(mm, 59) ? `hourly at minute ${pad(mm)}` : undefined;
    case 'DAILY':
      return ok(mm, 59) && ok(hh, 23) ? `daily at ${pad(hh)}:${pad(mm)}${tz}` : undefined;
    case 'WEEKLY':
      return ok(mm, 59) && ok(hh, 23) && ok(dd, 7, 1) ? `weekly on ${WEEKDAYS[dd - 1]} at ${pad(hh)}:${pad(mm)}${tz}` : undefined;
    case 'MONTHLY':
      return ok(mm, 59) && ok(hh, 23) && ok(dd, 31, 1) ? `monthly on day ${dd} at ${pad(hh)}:${pad(mm)}${tz}` : undefined;
    default:
      return text(p.schedule);
  }
}

export function mapPolicy(p: CsSnapshotPolicy, volume: CsDiskResource | undefined): Policy {
  const interval = intervalWord(p.intervaltype);
  const schedule = scheduleWords(p) ?? text(p.schedule);
  return {
    kind: 'policy',
    id: p.id,
    name: `${interval ? `${interval[0]}${interval.slice(1).toLowerCase()}` : 'Snapshot'} policy${volume ? ` of ${volume.name ?? volume.id}` : ''}`,
    scopeId: volume?.scopeId ?? '',
    state: 'Active',
    phase: 'ready',
    tags: mapTags(p.tags),
    schedule,
    retention: typeof p.maxsnaps === 'number' ? `the last ${p.maxsnaps} snapshot${p.maxsnaps === 1 ? '' : 's'}` : undefined,
    details: details([
      ['Interval', interval],
      ['Schedule (CloudStack)', text(p.schedule)],
      ['Time zone', text(p.timezone)],
      ['Volume', volume ? label(volume) : text(p.volumeid)],
    ]),
  };
}

/**
 * A volume's snapshots in the order they were taken. CloudStack's `created` has one-second
 * resolution, so snapshots taken within a second tie: they are ordered by their parent links
 * where CloudStack gives them, else by CloudStack's own listing order (newest first), and the
 * tied ones get millisecond offsets so that every later sort by time (the chain) keeps that order.
 */
export function orderSnapshots(snaps: CsSnapshotResource[], listed: Map<string, number>, parents: Map<string, string>): void {
  const byVolume = new Map<string, CsSnapshotResource[]>();
  for (const s of snaps) {
    if (s.diskId && s.createdAt && !s.copiedFromId) {
      byVolume.set(s.diskId, [...(byVolume.get(s.diskId) ?? []), s]);
    }
  }
  const depth = (id: string): number => {
    let n = 0;
    for (let p = parents.get(id); p && n < 10_000; p = parents.get(p)) {
      n++;
    }
    return n;
  };
  for (const list of byVolume.values()) {
    list.sort((a, b) => (a.createdAt as string).localeCompare(b.createdAt as string) || depth(a.id) - depth(b.id) || (listed.get(b.id) ?? 0) - (listed.get(a.id) ?? 0));
    let run: CsSnapshotResource[] = [];
    const flush = (): void => {
      if (run.length > 1) {
        const base = Date.parse(run[0].createdAt as string);
        run.forEach((s, i) => (s.createdAt = new Date(base + i).toISOString()));
      }
      run = [];
    };
    for (const s of list) {
      if (run.length && run[0].createdAt !== s.createdAt) {
        flush();
      }
      run.push(s);
    }
    flush();
  }
  // The copies in other zones keep the time of the snapshot they are.
  const primary = new Map(snaps.filter((s) => !s.copiedFromId).map((s) => [s.id, s]));
  for (const s of snaps) {
    if (s.copiedFromId) {
      s.createdAt = primary.get(s.id)?.createdAt ?? s.createdAt;
    }
  }
}

/**
 * CloudStack (4.19+) lists a snapshot stored in several zones once per zone, with the same id.
 * Each zone shows its entry; the one in the volume's zone (else the first listed) is the
 * snapshot of the volume's chain, the others are its copies there (`copiedFromId` = the same id),
 * so the chain counts it once.
 */
export function markZoneCopies(snaps: CsSnapshotResource[], volumeZone: (volumeId: string | undefined) => string | undefined): void {
  const byId = new Map<string, CsSnapshotResource[]>();
  for (const s of snaps) {
    byId.set(s.id, [...(byId.get(s.id) ?? []), s]);
  }
  for (const entries of byId.values()) {
    const zoneIds = entries.map((e) => e.scopeId);
    const home = volumeZone(entries[0].diskId);
    const primary = entries.find((e) => e.scopeId === home) ?? entries[0];
    for (const e of entries) {
      e.cs.zoneIds = zoneIds;
      if (e !== primary) {
        e.copiedFromId = primary.id;
        e.copiedFromScopeId = primary.scopeId;
      }
      if (entries.length > 1) {
        const others = entries.filter((x) => x !== e).map((x) => x.cs.zoneName ?? x.scopeId);
        e.details = [...(e.details ?? []), { label: 'Also stored in', value: others.join(', ') }];
      }
    }
  }
}
