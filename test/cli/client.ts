/**
 * Runs an official cloud client (the Debian packages' `aws`, `gcloud`) as a child process against
 * the in-process sandbox. Always asynchronous: the sandbox answers from this very process, so a
 * synchronous spawn would block it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

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
