// Types of demo-instance.mjs for the TypeScript unit tests.
export interface DemoClaim {
  pid: number;
  startedAt?: string;
  url?: string;
  port?: number;
  codeServerPid?: number;
  runDir?: string;
  /** Set by runningDemo when the demo died but its code-server still runs. */
  orphaned?: boolean;
}
export declare function pidAlive(pid: number): boolean;
export declare function groupAlive(pgid: number): boolean;
export declare function runningDemo(
  file: string,
  alive?: (pid: number) => boolean,
  aliveGroup?: (pgid: number) => boolean,
): DemoClaim | undefined;
export declare function runningDemoMessage(info: DemoClaim, file: string): string;
export declare function claimDemo(
  file: string,
  opts?: {
    log?: (msg: string) => void;
    pollMs?: number;
    alive?: (pid: number) => boolean;
    aliveGroup?: (pgid: number) => boolean;
  },
): Promise<{ update(fields: Partial<DemoClaim>): void; release(): void }>;
