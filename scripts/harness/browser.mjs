// Launches Debian's Chromium through playwright-core with the flags harness.md settled on, its
// profile, crash-report and dconf folders kept inside `dir` (not in the home folder).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHROMIUM } from './setup.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const VIEWPORT = { width: 1600, height: 1000 };

/** playwright-core from the project's devDependencies (or $SNAPKEEPER_PLAYWRIGHT_CORE). */
export async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch {
    const alt = process.env.SNAPKEEPER_PLAYWRIGHT_CORE;
    if (alt) return import(resolve(alt, 'index.mjs'));
    throw new Error('playwright-core is not installed: it belongs in devDependencies (npm install --save-dev playwright-core)');
  }
}

/** Launches Chromium headless (or headed) with its writable folders under `dir`. */
export async function launchChromium({ dir, headed = false } = {}) {
  const { chromium } = await loadPlaywright();
  const home = resolve(dir ?? join(process.cwd(), 'test-results', 'browser'));
  for (const d of ['config', 'cache']) mkdirSync(join(home, d), { recursive: true });
  return chromium.launch({
    executablePath: process.env.SNAPKEEPER_CHROMIUM ?? CHROMIUM,
    headless: !headed,
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_CACHE_HOME: join(home, 'cache'),
      // Not TMPDIR: Chromium's singleton socket lives there and a Unix socket path must stay
      // under 108 bytes. Its temporary profile is removed when the browser closes.
    },
  });
}
