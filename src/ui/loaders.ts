import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterModule } from '../model/adapter';
import { CloudError } from '../model/errors';
import type { CloudKind } from '../model/types';
import type { Sandbox, SandboxOptions } from '../sandbox';

/**
 * Lazily loads the bundles that sit beside the main one (dist/adapters/<cloud>.js, dist/sandbox.js)
 * with a plain `require`, so esbuild keeps them out of the main bundle and a user of one cloud
 * never loads another's SDK.
 */
const here = __dirname;

export const CLOUD_LABELS: Record<CloudKind, string> = {
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'Google Cloud',
  cloudstack: 'Apache CloudStack',
  openstack: 'OpenStack',
};

/** Clouds whose adapter bundle is present in this build. */
export function availableClouds(): CloudKind[] {
  return (Object.keys(CLOUD_LABELS) as CloudKind[]).filter((c) => existsSync(join(here, 'adapters', `${c}.js`)));
}

export function loadAdapterModule(cloud: CloudKind): AdapterModule {
  const file = join(here, 'adapters', `${cloud}.js`);
  if (!existsSync(file)) {
    throw new CloudError('unknown', `${CLOUD_LABELS[cloud]} support is not part of this version of Snapkeeper.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as AdapterModule;
  if (mod.cloud !== cloud || typeof mod.createAdapter !== 'function') {
    throw new CloudError('unknown', `The ${CLOUD_LABELS[cloud]} adapter bundle is damaged (${file}).`);
  }
  return mod;
}

/** The sandbox module's entry point. */
export function loadSandboxModule(): { startSandbox(opts?: SandboxOptions): Promise<Sandbox> } {
  const file = join(here, 'sandbox.js');
  if (!existsSync(file)) {
    throw new CloudError('unknown', `The sandbox is not part of this build of Snapkeeper (${file} is missing).`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as { startSandbox(opts?: SandboxOptions): Promise<Sandbox> };
}
