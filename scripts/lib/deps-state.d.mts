// Types of deps-state.mjs for the TypeScript unit tests.
export declare function depsStale(dir?: string): boolean;
