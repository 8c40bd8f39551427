/**
 * The sandbox's clouds: one backend per folder `src/sandbox/<kind>/` holding a `backend.ts` that
 * exports `backend` (a SandboxBackend). The build (esbuild.mjs) lists those folders in
 * SANDBOX_BACKEND_KINDS, and esbuild bundles every file the template `require` below can name,
 * so a new cloud is its folder and nothing else here.
 */
import type { SandboxBackend } from './backend';

/** Set by the build: the kinds whose folder has a backend.ts, sorted. */
declare const SANDBOX_BACKEND_KINDS: readonly string[];

/** The cloud kinds the sandbox emulates, in the order they are served and printed. */
export function backendKinds(): readonly string[] {
  if (typeof SANDBOX_BACKEND_KINDS === 'undefined') {
    throw new Error('The sandbox was bundled without esbuild.mjs, which lists its backends (SANDBOX_BACKEND_KINDS).');
  }
  return SANDBOX_BACKEND_KINDS;
}

let loaded: readonly SandboxBackend[] | undefined;

/** Every backend, loaded once. */
export function sandboxBackends(): readonly SandboxBackend[] {
  loaded ??= backendKinds().map((kind) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const backend = (require(`./${kind}/backend.ts`) as { backend?: SandboxBackend }).backend;
    if (backend?.kind !== kind) {
      throw new Error(`src/sandbox/${kind}/backend.ts must export a backend of kind "${kind}".`);
    }
    return backend;
  });
  return loaded;
}
