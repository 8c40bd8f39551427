// Types of nested-npm.mjs for the TypeScript unit tests.
export declare const KEPT_NPM_SETTINGS: Set<string>;
export declare function nestedNpmEnv(opts?: {
  base?: NodeJS.ProcessEnv;
  nodeBinDir?: string;
  nodeDir?: string;
}): Record<string, string>;
export interface ShownResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}
export declare function runShown(
  cmd: string,
  args: string[],
  opts?: { cwd?: string; env?: NodeJS.ProcessEnv; keepLines?: number; echo?: boolean },
): Promise<ShownResult>;
export interface InstallContext {
  nodeVersion?: string;
  nodePath?: string;
  inheritedUserAgent?: string;
}
export declare function explainInstallFailure(output: string, ctx?: InstallContext): { causes: string[]; lines: string[] };
export declare function installFailureMessage(
  what: string,
  result: { status: number | null; signal?: NodeJS.Signals | null; output?: string },
  ctx?: InstallContext,
): string;
