/**
 * What the OpenStack adapter needs from its API client (client.ts): Keystone v3 auth, the service
 * catalog, Nova/Cinder/Glance/Neutron requests with microversions, paging, retries and the
 * mapping of each service's errors to CloudError, reduced to a few calls. The adapter speaks only
 * this; paths and field names are the services' own (`/servers/detail`, `volume_id`…).
 */

/**
 * The services the adapter uses, named by their catalog type: `compute` (Nova v2.1),
 * `volumev3` (Cinder v3; the catalog may call it `block-storage`, `volumev3` or `volume`),
 * `image` (Glance v2), `network` (Neutron v2.0).
 */
export type Service = 'compute' | 'volumev3' | 'image' | 'network';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query parameters (`limit`, `marker`, `status`…); undefined values are left out. */
export type Params = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  /** Sent as JSON (Glance's PATCH takes `application/openstack-images-v2.1-json-patch` via `headers`). */
  body?: unknown;
  /** The microversion the call needs (`2.45`, `3.40`): refused with `invalid` (code MicroversionUnsupported) when the cloud offers less. */
  microversion?: string;
  /** What the microversion is for, in that refusal ("for revert"). */
  purpose?: string;
  query?: Params;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A service's answer: status, headers (names in lower case) and the JSON body (undefined when empty). */
export interface Answer<T> {
  status: number;
  headers: Record<string, string | undefined>;
  body: T;
}

export interface OpenStackApi {
  /**
   * The region this client's requests go to (`RegionOne`…): the one asked for, else the account's
   * first (clouds.yaml's `region_name`), else the catalog's first — '' until the first request
   * authenticates when neither names one.
   */
  readonly region: string;
  /** The regions of the account (those clouds.yaml names, else every region of the catalog), once authenticated. */
  regions(signal?: AbortSignal): Promise<string[]>;
  /** The project the token is scoped to. */
  project(signal?: AbortSignal): Promise<{ id: string; name?: string }>;
  /**
   * One request to a service of this region, `path` relative to its versioned endpoint
   * (`/servers/detail`, `/volumes/{id}/action`). Throws CloudError (auth, expired, notFound,
   * inUse, invalid, throttled, server, network, malformed: see errors.ts); retries only what is
   * safe to retry; an expired token is renewed once. A 2xx answer is returned.
   */
  request<T>(service: Service, method: Method, path: string, options?: RequestOptions): Promise<Answer<T>>;
  /**
   * Every page of a list: `limit` and the `marker` of the next link (`<key>_links` with rel=next,
   * or Glance's `next`), until there is none. `onPage` receives each page as it arrives. Every
   * page is asked at `microversion` when given (refused like `request`'s when the cloud lacks it).
   */
  list<T>(service: Service, path: string, key: string, params?: Params, signal?: AbortSignal, onPage?: (items: T[]) => void, microversion?: string): Promise<T[]>;
  /** The service's largest microversion (`2.96`, `3.71`) from its version document; undefined when it has none (Glance, Neutron, or a cloud without microversions). */
  maxMicroversion(service: Service, signal?: AbortSignal): Promise<string | undefined>;
  /** A client of another region of the same account, sharing its token. */
  inRegion(region: string): OpenStackApi;
  /** Frees sockets and timers (of every region's client). */
  dispose(): void;
}
