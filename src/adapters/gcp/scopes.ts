/**
 * Scopes: projects at the top (Cloud Resource Manager; the UI asks which to show), and under each
 * its zones and regions (regional disks live in regions) plus `<project>/global` — "Global
 * (snapshots and images)" — for snapshots without a source disk and images without a known
 * source. Empty ones the UI groups under "Empty regions".
 */
import type { Scope } from '../../model/types';
import type { Json } from './api';
import type { GcpCore } from './core';
import { GLOBAL, leafId } from './ids';
import { placeOf } from './places';

export async function listProjects(core: GcpCore): Promise<Scope[]> {
  const projects = await core.call((api) => api.listProjects());
  return projects
    .filter((p) => !p.lifecycleState || p.lifecycleState === 'ACTIVE')
    .map((p) => ({ id: p.projectId, label: p.name || p.projectId, description: p.projectId, leaf: false }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

const nameOf = (x: Json): string | undefined => (typeof x.name === 'string' ? x.name : undefined);

export async function listPlaces(core: GcpCore, project: string): Promise<Scope[]> {
  const [zones, regions] = await Promise.all([core.call((api) => api.listZones(project), { project }), core.call((api) => api.listRegions(project), { project })]);
  const out: Scope[] = [];
  for (const r of regions) {
    const name = nameOf(r);
    if (name) {
      out.push({ id: leafId(project, name), label: name, name: placeOf(name), description: `region${typeof r.description === 'string' && r.description !== name ? ` · ${r.description}` : ''} (regional disks)`, leaf: true, parentId: project });
    }
  }
  for (const z of zones) {
    const name = nameOf(z);
    if (name) {
      out.push({ id: leafId(project, name), label: name, name: placeOf(name), description: `zone${z.status && z.status !== 'UP' ? ` · ${String(z.status)}` : ''}`, leaf: true, parentId: project });
    }
  }
  out.sort((a, b) => a.label.localeCompare(b.label));
  out.push({ id: leafId(project, GLOBAL), label: 'Global (snapshots and images)', description: 'snapshots without a source disk, images without a known source', leaf: true, parentId: project });
  return out;
}
