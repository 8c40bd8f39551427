/**
 * Keystone's service catalog: the endpoint of a service in a region and interface, its URL made
 * into the versioned base the client needs, and the version document that says which
 * microversions the service offers.
 *
 * Catalog URLs vary by deployment: `http://nova:8774/v2.1`, `…/v2.1/<project>`, `http://cinder:8776/v3/<project>`,
 * `https://cloud/volume/v3`, `http://glance:9292` (no version), `https://cloud/compute/v2.1` (a path
 * prefix). As keystoneauth does, a version suffix is recognised and replaced with the version the
 * client speaks (Nova v2.1, Cinder v3, Glance v2, Neutron v2.0), keeping a project id that
 * follows it, and the unversioned root left is where the version document lives.
 */
import { CloudError, untrusted } from '../../model/errors';
import type { Service } from './api';

export interface CatalogEndpoint {
  interface: string;
  region_id?: string;
  region?: string;
  url: string;
}

export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export type Interface = 'public' | 'internal' | 'admin';

/** The catalog types that serve each service, preferred first (Cinder's have changed over the years). */
export const SERVICE_TYPES: Record<Service, readonly string[]> = {
  compute: ['compute'],
  volumev3: ['block-storage', 'volumev3', 'volume'],
  image: ['image'],
  network: ['network'],
};

/** The names a user knows the services by, for messages. */
export const SERVICE_NAMES: Record<Service, string> = { compute: 'Nova', volumev3: 'Cinder', image: 'Glance', network: 'Neutron' };

/** What the adapter loses without the service: the message of the missing-service error says it. */
const WITHOUT: Record<Service, string> = {
  compute: 'servers and instance snapshots are not available',
  volumev3: 'backups and volume snapshots are not available',
  image: 'instance snapshots and images are not available',
  network: 'networks cannot be chosen when launching a copy',
};

/** The public names of the services' types in messages. */
const TYPE_WORD: Record<Service, string> = { compute: 'compute', volumev3: 'block-storage', image: 'image', network: 'network' };

/** The version the client speaks, per service, as it appears in a URL. */
const VERSION: Record<Service, string> = { compute: 'v2.1', volumev3: 'v3', image: 'v2', network: 'v2.0' };

/** `interface` as clouds.yaml and OS_INTERFACE write it (`public`, `publicURL`, `internal`…), else undefined. */
export function interfaceOf(value: string | undefined): Interface | undefined {
  const v = value?.trim().toLowerCase().replace(/url$/, '');
  return v === 'public' || v === 'internal' || v === 'admin' ? v : undefined;
}

function regionOf(e: CatalogEndpoint): string | undefined {
  return e.region_id ?? e.region;
}

/** Every region named in the catalog, in order of first appearance. */
export function catalogRegions(catalog: CatalogEntry[]): string[] {
  const regions: string[] = [];
  for (const entry of catalog) {
    for (const e of entry.endpoints) {
      const r = regionOf(e);
      if (r && !regions.includes(r)) {
        regions.push(r);
      }
    }
  }
  return regions;
}

/**
 * The catalog URL of `service` in `region` for `iface`: the first of its types (aliases) that has
 * one. Throws `invalid` with code `NoService` naming the region and what is lost without it (the
 * adapter degrades on that code).
 */
export function endpointOf(catalog: CatalogEntry[], service: Service, region: string, iface: Interface = 'public'): string {
  for (const type of SERVICE_TYPES[service]) {
    for (const entry of catalog.filter((c) => c.type === type)) {
      const found = entry.endpoints.find((e) => interfaceOf(e.interface) === iface && (regionOf(e) === region || (regionOf(e) === undefined && region === '')));
      if (found) {
        return found.url;
      }
    }
  }
  const elsewhere = SERVICE_TYPES[service].some((t) => catalog.some((c) => c.type === t && c.endpoints.some((e) => regionOf(e) === region)));
  throw new CloudError(
    'invalid',
    elsewhere
      ? `The catalog of ${untrusted(region, 80)} has no ${iface} ${TYPE_WORD[service]} endpoint (${SERVICE_NAMES[service]}): ${WITHOUT[service]}. Set interface in clouds.yaml to one it has.`
      : `The catalog of ${untrusted(region, 80)} has no ${TYPE_WORD[service]} service (${SERVICE_NAMES[service]}): ${WITHOUT[service]}.`,
    { code: 'NoService' },
  );
}

/** A version segment of a URL path: `v2`, `v2.1`, `v3`, `v2.0`. */
const VERSION_SEGMENT = /^v\d+(\.\d+)?$/;

export interface ServiceUrls {
  /** Where the requests go: the versioned base, with the project id when the catalog had one (or Cinder needs it). */
  base: string;
  /** The unversioned root: its GET answers the version document. */
  root: string;
  /** The versioned URL without a project id: its GET answers this version's document when the root does not. */
  versioned: string;
}

/**
 * The versioned base and unversioned root of a catalog URL. A version segment (the last or the
 * one before a project id) is replaced with the client's; a URL without one gets it appended.
 * Cinder's v3 takes the project id in the path; it is added when the catalog left it out.
 */
export function serviceUrls(catalogUrl: string, service: Service, projectId: string): ServiceUrls {
  const url = new URL(catalogUrl);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  let at = segments.length - 1;
  if (at >= 0 && !VERSION_SEGMENT.test(segments[at]) && at >= 1 && VERSION_SEGMENT.test(segments[at - 1])) {
    at--;
  }
  const hasVersion = at >= 0 && VERSION_SEGMENT.test(segments[at]);
  const prefix = hasVersion ? segments.slice(0, at) : segments;
  const after = hasVersion ? segments.slice(at + 1) : [];
  // Nova and Cinder keep a project id that followed the version; Cinder's v3 needs one.
  const keepsProject = service === 'compute' || service === 'volumev3';
  const tail = !keepsProject ? [] : after.length > 0 ? after : service === 'volumev3' ? [projectId] : [];
  const origin = `${url.protocol}//${url.host}`;
  const root = `${origin}/${prefix.join('/')}`.replace(/\/$/, '');
  const base = [root, VERSION[service], ...tail].join('/');
  return { base, root, versioned: `${root}/${VERSION[service]}/` };
}

/** One version of a version document. */
interface VersionEntry {
  id?: unknown;
  status?: unknown;
  version?: unknown;
  min_version?: unknown;
}

export interface Versions {
  /** The largest microversion (`2.96`), or undefined when the service has none. */
  max?: string;
  min?: string;
}

/**
 * The microversions of the client's version of `service` from a version document: the root's
 * `{"versions": [...]}` (Nova, Cinder, Glance answer it, Cinder with HTTP 300) or a versioned
 * URL's `{"version": {...}}`. Undefined when the document does not describe that version.
 */
export function versionsOf(document: unknown, service: Service): Versions | undefined {
  if (typeof document !== 'object' || document === null) {
    return undefined;
  }
  const doc = document as { versions?: unknown; version?: unknown };
  const list: VersionEntry[] = Array.isArray(doc.versions)
    ? (doc.versions as VersionEntry[])
    : typeof doc.versions === 'object' && doc.versions !== null && Array.isArray((doc.versions as { values?: unknown }).values)
      ? ((doc.versions as { values: VersionEntry[] }).values)
      : typeof doc.version === 'object' && doc.version !== null
        ? [doc.version as VersionEntry]
        : [];
  const major = VERSION[service].replace(/\..*$/, '');
  const mine = list.filter((v) => typeof v === 'object' && v !== null && typeof v.id === 'string' && (v.id === VERSION[service] || v.id.replace(/\..*$/, '') === major));
  if (mine.length === 0) {
    return undefined;
  }
  const entry = mine.find((v) => v.id === VERSION[service] || v.status === 'CURRENT') ?? mine[0];
  const max = typeof entry.version === 'string' && /^\d+\.\d+$/.test(entry.version) ? entry.version : undefined;
  const min = typeof entry.min_version === 'string' && /^\d+\.\d+$/.test(entry.min_version) ? entry.min_version : undefined;
  return { max, min };
}

/** Compares two microversions (`3.9` < `3.40`): negative, zero or positive. */
export function compareMicroversions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}
