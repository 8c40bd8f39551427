// Types of demo-instance.mjs for the TypeScript unit tests.
export interface DemoClaim {
  pid: number;
  startedAt?: string;
  url?: string;
  port?: number;
  codeServerPid?: number;
  runDir?: string;
}
export declare function pidAlive(pid: number): boolean;
export declare function runningDemo(file: string, alive?: (pid: number) => boolean): DemoClaim | undefined;
export declare function runningDemoMessage(info: DemoClaim, file: string): string;
export declare function claimDemo(
  file: string,
  opts?: { log?: (msg: string) => void; pollMs?: number; alive?: (pid: number) => boolean },
): Promise<{ update(fields: Partial<DemoClaim>): void; release(): void }>;
