// apt and dpkg take fcntl locks on a few files; while another apt runs (unattended-upgrades at
// boot, someone's `apt-get install`), a second apt-get fails at once with "Could not get lock".
// Before installing Debian packages the harness says which process holds them and waits.
// The holders come from /proc/locks (pid, device, inode of every held lock), matched to the lock
// files by device and inode. `aptGet` is the one way the scripts run apt-get: that wait first,
// then apt-get with its own lock timeout.
import { readFileSync, statSync } from 'node:fs';
import { runShown } from './nested-npm.mjs';

/** The locks apt-get update / install take. */
export const APT_LOCK_FILES = [
  '/var/lib/dpkg/lock-frontend',
  '/var/lib/dpkg/lock',
  '/var/lib/apt/lists/lock',
  '/var/cache/apt/archives/lock',
];

/** How long to wait for another apt before giving up (also passed to apt-get as DPkg::Lock::Timeout). */
export const APT_LOCK_TIMEOUT_S = 600;

/**
 * Parses /proc/locks: `[{ pid, major, minor, inode }]` (major/minor as numbers; /proc/locks
 * writes them in hex). Lines of blocked waiters ("->") are skipped: they hold nothing.
 */
export function parseProcLocks(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s+(?!->)\S+\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/i.exec(line);
    if (m && Number(m[1]) > 0) {
      out.push({ pid: Number(m[1]), major: parseInt(m[2], 16), minor: parseInt(m[3], 16), inode: Number(m[4]) });
    }
  }
  return out;
}

/** glibc's major()/minor() of a dev_t. */
function devParts(dev) {
  const d = BigInt(dev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}

function commandOf(pid) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').replace(/\s+/g, ' ');
    return cmd.length > 160 ? `${cmd.slice(0, 160)}…` : cmd;
  } catch {
    return '';
  }
}

/**
 * The processes holding a lock on any of `files`: `[{ file, pid, command }]`. Files that do not
 * exist are skipped; without /proc/locks (not Linux) the answer is empty.
 */
export function aptLockHolders(files = APT_LOCK_FILES, { procLocks } = {}) {
  let locks;
  try {
    locks = parseProcLocks(procLocks ?? readFileSync('/proc/locks', 'utf8'));
  } catch {
    return [];
  }
  const holders = [];
  for (const file of files) {
    let st;
    try {
      st = statSync(file, { bigint: true });
    } catch {
      continue;
    }
    const { major, minor } = devParts(st.dev);
    const inode = Number(st.ino);
    for (const l of locks) {
      if (l.inode === inode && l.major === major && l.minor === minor && !holders.some((h) => h.pid === l.pid && h.file === file)) {
        holders.push({ file, pid: l.pid, command: commandOf(l.pid) });
      }
    }
  }
  return holders;
}

/**
 * What to tell the user about `holders` (from aptLockHolders): which process holds which lock,
 * and that we wait (or, with gaveUp, that we waited `timeoutS` and stop).
 */
export function aptLockMessage(holders, { gaveUp = false, timeoutS = APT_LOCK_TIMEOUT_S } = {}) {
  if (holders.length === 0) {
    return 'the apt/dpkg locks are free';
  }
  const byPid = new Map();
  for (const h of holders) {
    const e = byPid.get(h.pid) ?? { command: h.command, files: [] };
    e.files.push(h.file);
    byPid.set(h.pid, e);
  }
  const who = [...byPid].map(([pid, e]) => `pid ${pid} (${e.command || 'command unknown'}) holds ${e.files.join(', ')}`).join('; ');
  const minutes = Math.round(timeoutS / 60);
  return gaveUp
    ? `another apt/dpkg is still running after ${minutes} min: ${who}. Let it finish (or stop it), then run this again.`
    : `another apt/dpkg is running: ${who}. Waiting for it to finish (up to ${minutes} min)…`;
}

/**
 * Waits until no process holds the apt/dpkg locks, saying once who holds them. Resolves true when
 * free, false after `timeoutS`.
 */
export async function waitForAptLocks({ log = console.log, timeoutS = APT_LOCK_TIMEOUT_S, pollMs = 2000, files, procLocks } = {}) {
  const deadline = Date.now() + timeoutS * 1000;
  let said = '';
  for (;;) {
    const holders = aptLockHolders(files, { procLocks });
    if (holders.length === 0) {
      return true;
    }
    const msg = aptLockMessage(holders, { timeoutS });
    if (msg !== said) {
      log(msg);
      said = msg;
    }
    if (Date.now() >= deadline) {
      return false;
    }
    await new Promise((res) => setTimeout(res, pollMs));
  }
}

/**
 * Runs `apt-get ...args` the way every script here should: first waits for another apt/dpkg to
 * let go of the locks (naming it; see waitForAptLocks), then runs apt-get with
 * DPkg::Lock::Timeout, so apt itself waits for a lock taken between that check and its start.
 * The output is shown live and kept (runShown). Resolves `{ status, signal, output }`, with
 * `gaveUp: true` and the message saying who still holds the locks (status null, apt-get not run)
 * when the wait timed out. `run`, `files` and `procLocks` are for tests.
 */
export async function aptGet(args, { log = console.log, env, timeoutS = APT_LOCK_TIMEOUT_S, pollMs, run = runShown, files, procLocks } = {}) {
  if (!(await waitForAptLocks({ log, timeoutS, pollMs, files, procLocks }))) {
    return { status: null, signal: null, output: aptLockMessage(aptLockHolders(files, { procLocks }), { gaveUp: true, timeoutS }), gaveUp: true };
  }
  return run('apt-get', ['-o', `DPkg::Lock::Timeout=${Math.ceil(timeoutS)}`, ...args], { env });
}
