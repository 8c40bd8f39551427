// Types of apt-lock.mjs for the TypeScript unit tests.
export declare const APT_LOCK_FILES: string[];
export declare const APT_LOCK_TIMEOUT_S: number;
export interface ProcLock {
  pid: number;
  major: number;
  minor: number;
  inode: number;
}
export interface LockHolder {
  file: string;
  pid: number;
  command: string;
}
export declare function parseProcLocks(text: string): ProcLock[];
export declare function aptLockHolders(files?: string[], opts?: { procLocks?: string }): LockHolder[];
export declare function aptLockMessage(holders: LockHolder[], opts?: { gaveUp?: boolean; timeoutS?: number }): string;
export declare function waitForAptLocks(opts?: {
  log?: (msg: string) => void;
  timeoutS?: number;
  pollMs?: number;
  files?: string[];
  procLocks?: string;
}): Promise<boolean>;
export interface AptGetResult {
  status: number | null;
  signal: string | null;
  output: string;
  /** The locks stayed held for the whole wait: apt-get was not run; `output` says who holds them. */
  gaveUp?: boolean;
}
export declare function aptGet(
  args: string[],
  opts?: {
    log?: (msg: string) => void;
    env?: NodeJS.ProcessEnv;
    timeoutS?: number;
    pollMs?: number;
    run?: (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv }) => Promise<{ status: number | null; signal: string | null; output: string }>;
    files?: string[];
    procLocks?: string;
  },
): Promise<AptGetResult>;
