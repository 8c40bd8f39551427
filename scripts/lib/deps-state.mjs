// Whether the project's node_modules holds what package-lock.json pins (scripts/ensure-deps.mjs
// reinstalls when it does not). Only Node's own modules here.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

function readJson(p) {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * True when node_modules does not hold what package-lock.json pins: npm's record of what it
 * installed (node_modules/.package-lock.json) is missing, or older than the lock file and
 * different from it (a checkout that only touched the lock file is not a reason to reinstall).
 */
export function depsStale(dir = '.') {
  const markerPath = resolve(dir, 'node_modules/.package-lock.json');
  const lockPath = resolve(dir, 'package-lock.json');
  if (!existsSync(markerPath)) {
    return true;
  }
  if (statSync(markerPath).mtimeMs >= statSync(lockPath).mtimeMs) {
    return false;
  }
  const installed = readJson(markerPath)?.packages;
  const wanted = readJson(lockPath)?.packages;
  if (!installed || !wanted) {
    return true;
  }
  for (const [path, pkg] of Object.entries(wanted)) {
    // npm's record leaves out the root and optional packages for other platforms.
    if (path === '' || (pkg.optional && !installed[path])) {
      continue;
    }
    if (installed[path]?.version !== pkg.version) {
      return true;
    }
  }
  return Object.keys(installed).some((path) => !(path in wanted));
}
