/**
 * Runs an official cloud client (the Debian packages' `aws`, `gcloud`) as a child process against
 * the in-process sandbox. Always asynchronous: the sandbox answers from this very process, so a
 * synchronous spawn would block it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox';

export interface ClientResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The client binary at `path`, or why it cannot be used (`install`: how to get it). */
export function clientAt(path: string, install: string): { path: string } | { missing: string } {
  try {
    accessSync(path, constants.X_OK);
    return { path };
  } catch {
    return { missing: `${path} is not installed (${install})` };
  }
}

/**
 * Only what a client needs: PATH/HOME/locale, plus `env`. Nothing from the caller's environment
 * reaches the client (no profile, no real credentials, no proxy).
 */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    ...env,
  };
}

export function runClient(binary: string, args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The client's JSON output; fails with its stderr when it did not succeed. */
export function jsonOf<T>(result: ClientResult, what: string): T {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${String(result.code)}: ${result.stderr.trim().slice(0, 2000)}`);
  }
  return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
}

export const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** What a client suite works with; filled in by the suite's `before` hook (see clientSuite). */
export interface ClientWorld {
  sandbox: Sandbox;
  /** A fresh folder for the client's home and configuration, removed after the suite. */
  home: string;
  env: Record<string, string>;
  /** Runs the client with `args` in `env`. */
  run(args: readonly string[]): Promise<ClientResult>;
}

/**
 * Registers a client suite's hooks: when the client is missing, skips the suite saying why;
 * otherwise starts a sandbox on a free port and a fresh home folder, builds the client's
 * environment (`env`) and lets `prepare` seed the sandbox; after the suite, closes the sandbox
 * and removes the folder.
 */
export function clientSuite(
  client: ReturnType<typeof clientAt>,
  what: string,
  setup: {
    tmpPrefix: string;
    sandbox: Omit<SandboxOptions, 'port'>;
    env: (sandbox: Sandbox, home: string) => Record<string, string>;
    prepare?: (sandbox: Sandbox) => void;
  },
): ClientWorld {
  const world = {
    run: (args: readonly string[]) => runClient('path' in client ? client.path : '', args, world.env),
  } as ClientWorld;
  before(async function () {
    if ('missing' in client) {
      console.log(`    SKIPPED: ${what}, because ${client.missing}`);
      this.skip();
    }
    world.sandbox = await startSandbox({ ...setup.sandbox, port: 0 });
    world.home = mkdtempSync(join(tmpdir(), setup.tmpPrefix));
    world.env = setup.env(world.sandbox, world.home);
    setup.prepare?.(world.sandbox);
  });
  after(async () => {
    await world.sandbox?.close();
    if (world.home) {
      rmSync(world.home, { recursive: true, force: true });
    }
  });
  return world;
}
