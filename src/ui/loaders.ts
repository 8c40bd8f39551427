import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterModule, EditorSignIn } from '../model/adapter';
import { ADAPTER_CLOUDS, CLOUD_LABELS, type CloudKind } from '../model/clouds';
import { CloudError } from '../model/errors';
import type { Sandbox, SandboxOptions } from '../sandbox';

/**
 * Lazily loads the bundles that sit beside the main one (dist/adapters/<cloud>.js, dist/sandbox.js)
 * with a plain `require`, so esbuild keeps them out of the main bundle and a user of one cloud
 * never loads another's SDK. Which clouds have an adapter bundle comes from the cloud registry
 * (model/clouds.ts), as does esbuild's list of bundles.
 */
const here = __dirname;

export { CLOUD_LABELS };

/** The adapter modules loaded so far, by cloud. */
const loaded = new Map<CloudKind, AdapterModule>();

/** Clouds whose adapter bundle is present in this build. */
export function availableClouds(): CloudKind[] {
  return ADAPTER_CLOUDS.filter((c) => existsSync(join(here, 'adapters', `${c}.js`)));
}

export function loadAdapterModule(cloud: CloudKind): AdapterModule {
  const known = loaded.get(cloud);
  if (known) {
    return known;
  }
  const file = join(here, 'adapters', `${cloud}.js`);
  if (!existsSync(file)) {
    throw new CloudError('unknown', `${CLOUD_LABELS[cloud]} support is not part of this version of Snapkeeper.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as AdapterModule;
  if (mod.cloud !== cloud || typeof mod.createAdapter !== 'function') {
    throw new CloudError('unknown', `The ${CLOUD_LABELS[cloud]} adapter bundle is damaged (${file}).`);
  }
  loaded.set(cloud, mod);
  return mod;
}

/**
 * The editor sign-in declared by a loaded adapter module for that VS Code authentication
 * provider ("Sign In" on an error naming it: the module that raised it is loaded).
 */
export function loadedEditorSignIn(providerId: string): EditorSignIn | undefined {
  return [...loaded.values()].map((m) => m.editorSignIn).find((s) => s?.providerId === providerId);
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
