/**
 * Ids: every resource's id is the relative path of its selfLink (`projects/p/zones/z/disks/d`):
 * unique, stable, and what Compute accepts as a reference. Leaf scopes are `<project>/<zone>`,
 * `<project>/<region>` and `<project>/global`.
 */
import { CloudError } from '../../model/errors';
import type { Place, ResourceRef } from './api';

export const GLOBAL = 'global';

/** `http://host/compute/v1/projects/p/…` or `projects/p/…` → `projects/p/…` (undefined for anything else). */
export function pathOf(link: unknown): string | undefined {
  if (typeof link !== 'string' || !link) {
    return undefined;
  }
  const i = link.indexOf('projects/');
  if (i < 0) {
    return undefined;
  }
  return link.slice(i).replace(/[?#].*$/, '').replace(/\/+$/, '');
}

export interface ParsedPath extends ResourceRef {
  /** disks, instances, snapshots, images, machineImages, resourcePolicies… */
  collection: string;
}

/** `projects/p/(zones/z|regions/r|global)/<collection>/<name>` → its parts. */
export function parsePath(path: string | undefined): ParsedPath | undefined {
  const m = /^projects\/([^/]+)\/(?:(zones|regions)\/([^/]+)|global)\/([A-Za-z]+)\/([^/]+)$/.exec(pathOf(path) ?? '');
  if (!m) {
    return undefined;
  }
  const [, project, where, scope, collection, name] = m;
  return { project, ...(where === 'zones' ? { zone: scope } : where === 'regions' ? { region: scope } : {}), collection, name };
}

export function mustParse(path: string, what = 'resource'): ParsedPath {
  const p = parsePath(path);
  if (!p) {
    throw new CloudError('invalid', `Not a Google Cloud ${what} path: ${path.slice(0, 200)}`);
  }
  return p;
}

/** Last segment of a URL or path (`…/machineTypes/e2-medium` → e2-medium). */
export function shortName(link: unknown): string | undefined {
  return typeof link === 'string' && link ? link.replace(/\/+$/, '').split('/').at(-1) : undefined;
}

export function leafId(project: string, where: string): string {
  return `${project}/${where}`;
}

/** `<project>/<zone|region|global>` → parts. */
export function splitScope(scopeId: string): { project: string; where?: string } {
  const i = scopeId.indexOf('/');
  return i < 0 ? { project: scopeId } : { project: scopeId.slice(0, i), where: scopeId.slice(i + 1) };
}

/** The leaf scope a zonal/regional/global place belongs to. */
export function scopeOfPlace(p: Place): string {
  return leafId(p.project, p.zone ?? p.region ?? GLOBAL);
}

/** A zone's region (`us-central1-a` → `us-central1`). */
export function regionOfZone(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** The multi-region of a region (`europe-west1` → eu). */
export function multiRegionOf(region: string): string | undefined {
  if (/^(us|northamerica|southamerica)-/.test(region)) {
    return region.startsWith('us-') ? 'us' : undefined;
  }
  if (region.startsWith('europe-')) {
    return 'eu';
  }
  if (region.startsWith('asia-')) {
    return 'asia';
  }
  return undefined;
}
