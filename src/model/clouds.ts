/**
 * The cloud registry: the one place a cloud is listed. Everything else is derived from it: the
 * `CloudKind` type, the clouds a saved account may belong to, the names the UI shows, the lazily
 * loaded adapter bundles, the "Add <cloud> Account" commands and the esbuild entries (esbuild.mjs
 * reads this file). package.json is static for VS Code, so test/unit/manifest.test.ts checks its
 * commands, welcome links, menus and settings against this list and names what is missing.
 *
 * A cloud's adapter lives in src/adapters/<id>/: `adapter` names its module descriptor (the
 * `AdapterModule`, model/adapter.ts), bundled as dist/adapters/<id>.js and loaded the first time
 * one of its accounts is used. `extraBundles` are further entry points of that folder, bundled
 * beside it as dist/adapters/<id>-<name>.js (a worker thread that hosts an SDK). A cloud without
 * `adapter` is planned: the model knows it, but no bundle, command or account exists for it yet.
 *
 * Plain data, no imports: esbuild.mjs transpiles this file on its own to read it.
 */
export interface CloudEntry {
  /** The cloud's name as users see it ("Google Cloud"). */
  readonly label: string;
  /** The adapter's module descriptor, a file of src/adapters/<id>/; absent while the cloud is planned. */
  readonly adapter?: string;
  /** More entry points of src/adapters/<id>/, each bundled as dist/adapters/<id>-<name>.js. */
  readonly extraBundles?: Readonly<Record<string, string>>;
}

export const CLOUD_REGISTRY = {
  aws: { label: 'AWS', adapter: 'index.ts' },
  azure: { label: 'Azure', adapter: 'index.ts' },
  gcp: { label: 'Google Cloud', adapter: 'index.ts', extraBundles: { worker: 'worker.ts' } },
  cloudstack: { label: 'Apache CloudStack', adapter: 'index.ts' },
  openstack: { label: 'OpenStack', adapter: 'index.ts' },
} as const satisfies Record<string, CloudEntry>;

/** A cloud's id, as saved with each account ('aws', 'gcp'…). */
export type CloudKind = keyof typeof CLOUD_REGISTRY;

/** Every registered cloud, planned ones included, in the registry's order. */
export const CLOUD_KINDS = Object.keys(CLOUD_REGISTRY) as CloudKind[];

/** The clouds that have an adapter (in the registry's order): those users can add accounts of. */
export const ADAPTER_CLOUDS = CLOUD_KINDS.filter((c) => cloudEntry(c).adapter !== undefined);

export function isCloudKind(x: unknown): x is CloudKind {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(CLOUD_REGISTRY, x);
}

export function cloudEntry(cloud: CloudKind): CloudEntry {
  return CLOUD_REGISTRY[cloud];
}

/** Each cloud's name as users see it ("Google Cloud"). */
export const CLOUD_LABELS = Object.fromEntries(CLOUD_KINDS.map((c) => [c, cloudEntry(c).label])) as Record<CloudKind, string>;

/** The id of the cloud's "Add <label> Account…" command: `snapkeeper.addGcpAccount`. */
export function addAccountCommand(cloud: CloudKind): string {
  return `snapkeeper.add${cloud.charAt(0).toUpperCase()}${cloud.slice(1)}Account`;
}
