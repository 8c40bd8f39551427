// One `npm run demo` at a time per cache: a second one would start another code-server on the
// same profile folder (user-data-dir) and wipe it under the first. The running demo claims a file
// (<cache>/demo.json: its pid, later its URL and code-server's process group); a second demo reads
// it, says which demo runs where and how to stop it, and waits until it has stopped. A claim whose
// process is gone (killed with -9, machine rebooted) is stale and taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** True when a process `pid` exists (EPERM: it exists but is someone else's). */
export function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** True when process group `pgid` still has a member (code-server runs in its own group). */
export function groupAlive(pgid) {
  if (!Number.isInteger(pgid) || pgid <= 0) {
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readClaim(file) {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8'));
    return info && typeof info === 'object' ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The demo that holds `file`, when its process still runs — or when it died (kill -9) but left
 * its code-server running, still serving the profile; else undefined.
 */
export function runningDemo(file, alive = pidAlive, aliveGroup = groupAlive) {
  const info = readClaim(file);
  if (!info) {
    return undefined;
  }
  if (alive(Number(info.pid))) {
    return info;
  }
  return info.codeServerPid && aliveGroup(Number(info.codeServerPid)) ? { ...info, orphaned: true } : undefined;
}

/** What to tell someone who starts a demo while `info`'s demo runs. */
export function runningDemoMessage(info, file) {
  const where = info.url ? `at ${info.url}` : '(still starting, no URL yet)';
  if (info.orphaned) {
    return (
      `a previous Snapkeeper demo (pid ${info.pid}) ended without stopping its code-server (process group ${info.codeServerPid}), still serving ${info.url ?? 'its profile'}.\n` +
      `  Stop it:  kill -- -${info.codeServerPid}\n` +
      `  Waiting for it to stop… (claim file ${file})`
    );
  }
  const group = info.codeServerPid ? `, code-server process group ${info.codeServerPid}` : '';
  return (
    `a Snapkeeper demo is already running ${where} (demo pid ${info.pid}${group}, started ${info.startedAt ?? '?'}).\n` +
    `  Open that URL, or stop it: Ctrl-C in its terminal, or  kill ${info.pid}\n` +
    `  Waiting for it to stop… (claim file ${file})`
  );
}

/**
 * Claims `file` for this process: resolves once no other live demo holds it, after saying (once,
 * through `log`) which one runs and how to stop it. Returns `{ update(fields), release() }`:
 * update adds fields (url, codeServerPid…) to the claim; release removes it if it is still ours.
 */
export async function claimDemo(file, { log = console.log, pollMs = 1000, alive = pidAlive, aliveGroup = groupAlive } = {}) {
  let said = false;
  const mine = { pid: process.pid, startedAt: new Date().toISOString() };
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') {
        throw e;
      }
    }
    const other = runningDemo(file, alive, aliveGroup);
    if (!other) {
      // Stale (its process is gone) or unreadable: take it over, unless someone else just did.
      const read = () => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      };
      const before = read();
      await new Promise((res) => setTimeout(res, 50));
      if (before !== undefined && read() === before && !runningDemo(file, alive, aliveGroup)) {
        rmSync(file, { force: true });
      }
      continue;
    }
    if (!said) {
      log(runningDemoMessage(other, file));
      said = true;
    }
    await new Promise((res) => setTimeout(res, pollMs));
  }
  let current = mine;
  return {
    update(fields) {
      current = { ...current, ...fields };
      writeFileSync(file, JSON.stringify(current));
    },
    release() {
      if (readClaim(file)?.pid === process.pid) {
        rmSync(file, { force: true });
      }
    },
  };
}
