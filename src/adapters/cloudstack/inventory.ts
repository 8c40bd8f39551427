/**
 * Listing: the whole account is listed ONCE — VMs, volumes, volume snapshots, VM snapshots, the
 * templates the account owns (`templatefilter=self`), each volume's snapshot policies, and the
 * cloud's version — and every zone is served from that one listing (CloudStack's list commands
 * cover every zone at once, paged by the client). Concurrent listings share the run; a finished
 * one is reused for a few seconds and forgotten after any action or operation end.
 */
import { setMaxListeners } from 'node:events';
import { SharedListings, type WideInventory } from '../../model/listings';
import { Limiter } from '../../model/limit';
import type { Resource, Scope } from '../../model/types';
import type { CloudStackApi } from './api';
import {
  mapPolicy,
  mapSnapshot,
  mapTemplates,
  mapVm,
  mapVmSnapshot,
  mapVolume,
  markZoneCopies,
  orderSnapshots,
  type CsDiskResource,
  type CsImageResource,
  type CsRestorePointResource,
  type CsSnapshotResource,
  type CsVmResource,
} from './map';
import type { CsCapability, CsZone, CsSnapshot, CsSnapshotPolicy, CsTemplate, CsVm, CsVmSnapshot, CsVolume } from './wire';

export const REUSE_MS = 3000;
/** The one key of an account's listing. */
export const ACCOUNT = 'account';

export interface AccountInventory extends WideInventory {
  vms: CsVmResource[];
  disks: CsDiskResource[];
  snapshots: CsSnapshotResource[];
  images: CsImageResource[];
  restorePoints: CsRestorePointResource[];
  policies: Resource[];
  /** `cloudstackversion` of listCapabilities, when it answered. */
  version?: string;
  /** The zones, as leaf scopes. */
  zones: Scope[];
}

/** What the listing needs of the adapter. */
export interface ListingCore {
  api(): Promise<CloudStackApi>;
  log(line: string): void;
  /** Policies are listed per volume: this many at once. */
  readonly policyConcurrency: number;
}

export class InventoryCache extends SharedListings<AccountInventory> {
  constructor(core: ListingCore) {
    super((_key, signal) => listAccount(core, signal), REUSE_MS);
  }
}

export async function listAccount(core: ListingCore, signal: AbortSignal): Promise<AccountInventory> {
  // Every request of the listing (pages, a policy listing per volume) watches this one signal.
  setMaxListeners(0, signal);
  const api = await core.api();
  const volumesListed = api.list<CsVolume>('listVolumes', 'volume', {}, signal);
  const [zones, vms, volumes, snapshots, vmSnapshots, templates, version, policies] = await Promise.all([
    listZones(api, signal),
    api.list<CsVm>('listVirtualMachines', 'virtualmachine', {}, signal),
    volumesListed,
    api.list<CsSnapshot>('listSnapshots', 'snapshot', {}, signal),
    api.list<CsVmSnapshot>('listVMSnapshot', 'vmSnapshot', {}, signal),
    api.list<CsTemplate>('listTemplates', 'template', { templatefilter: 'self' }, signal),
    cloudVersion(api, signal, core.log),
    // Policies are asked per volume as soon as the volumes are in, while the snapshots still page.
    volumesListed.then((v) => listPolicies(api, v, core, signal)),
  ]);
  return { ...buildInventory(vms, volumes, snapshots, vmSnapshots, templates, policies), version, zones };
}

/** The zones as flat leaf scopes (CloudStack has no region level), by name. */
export async function listZones(api: CloudStackApi, signal?: AbortSignal): Promise<Scope[]> {
  // `available`: the zones this account may use (an admin's list would include the others).
  const zones = await api.list<CsZone>('listZones', 'zone', { available: true }, signal);
  return zones
    .map((z) => ({
      id: z.id,
      label: z.name || z.id,
      description: [z.networktype ? `${z.networktype} networking` : undefined, z.allocationstate && z.allocationstate !== 'Enabled' ? z.allocationstate : undefined].filter(Boolean).join(' · ') || undefined,
      leaf: true,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** `cloudstackversion` from listCapabilities; undefined (logged) when it does not answer. */
export async function cloudVersion(api: CloudStackApi, signal: AbortSignal, log: (line: string) => void): Promise<string | undefined> {
  try {
    const r = await api.call<{ capability?: CsCapability }>('listCapabilities', {}, signal);
    return typeof r?.capability?.cloudstackversion === 'string' ? r.capability.cloudstackversion : undefined;
  } catch (e) {
    if (signal.aborted) {
      throw e;
    }
    log(`CloudStack: listCapabilities did not answer (${e instanceof Error ? e.message : String(e)}); features of newer versions are not offered`);
    return undefined;
  }
}

/** Snapshot policies are listed per volume (CloudStack's listSnapshotPolicies takes a volume id). */
async function listPolicies(api: CloudStackApi, volumes: CsVolume[], core: ListingCore, signal: AbortSignal): Promise<CsSnapshotPolicy[]> {
  const limiter = new Limiter(Math.max(1, core.policyConcurrency));
  const live = volumes.filter((v) => v.state !== 'Destroy' && v.state !== 'Expunged' && v.state !== 'Expunging');
  const lists = await Promise.all(
    live.map((v) =>
      limiter.run(async () => {
        try {
          const list = await api.list<CsSnapshotPolicy>('listSnapshotPolicies', 'snapshotpolicy', { volumeid: v.id }, signal);
          return list.map((p) => ({ ...p, volumeid: p.volumeid ?? v.id }));
        } catch (e) {
          if (signal.aborted) {
            throw e;
          }
          core.log(`CloudStack: snapshot policies of volume ${v.id} not listed (${e instanceof Error ? e.message : String(e)})`);
          return [];
        }
      }),
    ),
  );
  return lists.flat();
}

/** Maps the account's raw lists and adds the facts that need several of them (pure; unit-tested). */
export function buildInventory(
  rawVms: CsVm[],
  rawVolumes: CsVolume[],
  rawSnapshots: CsSnapshot[],
  rawVmSnapshots: CsVmSnapshot[],
  rawTemplates: CsTemplate[],
  rawPolicies: CsSnapshotPolicy[],
): Omit<AccountInventory, 'version' | 'zones'> {
  const vms = rawVms.map(mapVm);
  const vmById = new Map(vms.map((v) => [v.id, v]));
  const disks = rawVolumes.map(mapVolume);
  const diskById = new Map(disks.map((d) => [d.id, d]));
  // Each VM's volumes, ROOT first then by device id.
  for (const vm of vms) {
    const mine = disks.filter((d) => d.cs.vmId === vm.id).sort((a, b) => Number(b.cs.type === 'ROOT') - Number(a.cs.type === 'ROOT') || deviceOf(a) - deviceOf(b));
    vm.diskIds = mine.map((d) => d.id);
    vm.bootDiskId = mine.find((d) => d.cs.type === 'ROOT')?.id;
    for (const d of mine) {
      d.cs.vmState = vm.state;
      d.cs.vmName = vm.name ?? d.cs.vmName;
    }
  }
  const snapshots = rawSnapshots.map(mapSnapshot);
  const vmSnapshotCount = new Map<string, number>();
  for (const v of rawVmSnapshots) {
    if (v.virtualmachineid) {
      vmSnapshotCount.set(v.virtualmachineid, (vmSnapshotCount.get(v.virtualmachineid) ?? 0) + 1);
    }
  }
  for (const s of snapshots) {
    const d = s.diskId ? diskById.get(s.diskId) : undefined;
    s.cs.volumeListed = d !== undefined;
    if (d?.cs.vmId) {
      s.cs.vmId = d.cs.vmId;
      s.cs.vmName = d.cs.vmName;
      s.cs.vmState = vmById.get(d.cs.vmId)?.state ?? d.cs.vmState;
      s.cs.vmSnapshots = vmSnapshotCount.get(d.cs.vmId) ?? 0;
    }
    if (!s.scopeId && d) {
      s.scopeId = d.scopeId;
    }
  }
  markZoneCopies(snapshots, (volumeId) => (volumeId ? diskById.get(volumeId)?.scopeId : undefined));
  orderSnapshots(
    snapshots,
    new Map(rawSnapshots.map((s, i) => [s.id, i])),
    new Map(rawSnapshots.filter((s) => s.parent).map((s) => [s.id, s.parent as string])),
  );
  const policies = rawPolicies.map((p) => mapPolicy(p, p.volumeid ? diskById.get(p.volumeid) : undefined));
  for (const p of rawPolicies) {
    const d = p.volumeid ? diskById.get(p.volumeid) : undefined;
    if (d) {
      d.policyIds = [...(d.policyIds ?? []), p.id];
    }
  }
  const restorePoints = rawVmSnapshots.map((v) => mapVmSnapshot(v, v.virtualmachineid ? vmById.get(v.virtualmachineid) : undefined));
  return { vms, disks, snapshots, images: mapTemplates(rawTemplates), restorePoints, policies };
}

const deviceOf = (d: CsDiskResource): number => Number(/\d+/.exec(d.attachments[0]?.device ?? '')?.[0] ?? 99);
