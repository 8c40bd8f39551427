/**
 * Runs the sandbox (every cloud it emulates) on its own:
 *   node dist/sandbox-cli.js [--port N] [--json] [--state FILE] [--latency MS] [--throttle-rate R]
 *                            [--error-rate R] [--visibility-lag MS] [each cloud's own flags]
 * Stays up until SIGINT/SIGTERM, then saves its state and exits 0.
 */
import type { CliFlag, CloudInfo } from './backend';
import type { FaultConfig } from './faults';
import { type SandboxCloudOptions, startSandbox } from './index';
import { sandboxBackends } from './registry';

interface CliOptions {
  port: number;
  json: boolean;
  statePath?: string;
  faults: FaultConfig;
  clouds: Record<string, Record<string, number>>;
}

/** The clouds' own flags, each with the kind whose options it sets. */
function cloudFlags(): Map<string, { kind: string; flag: CliFlag }> {
  return new Map(sandboxBackends().flatMap((backend) => backend.cliFlags.map((flag) => [flag.flag, { kind: backend.kind, flag }] as const)));
}

function usage(): string {
  const own = [...cloudFlags().values()].map(({ flag }) => ` [${flag.flag} ${flag.arg}]`).join('');
  return (
    'usage: sandbox-cli [--port N] [--json] [--state FILE] [--latency MS] ' +
    `[--throttle-rate R] [--error-rate R] [--visibility-lag MS]${own}`
  );
}

function number(flag: string, value: string | undefined, min: number, max: number): number {
  const n = value === undefined ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${flag} needs a number between ${min} and ${max}`);
  }
  return n;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { port: 0, json: false, faults: {}, clouds: {} };
  const own = cloudFlags();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    const cloud = own.get(flag);
    if (cloud) {
      const { kind, flag: spec } = cloud;
      options.clouds[kind] = { ...options.clouds[kind], [spec.option]: number(flag, value(), spec.min, spec.max) };
      continue;
    }
    switch (flag) {
      case '--port':
        options.port = number(flag, value(), 0, 65535);
        break;
      case '--json':
        options.json = true;
        break;
      case '--state': {
        const path = value();
        if (!path) {
          throw new Error('--state needs a file path');
        }
        options.statePath = path;
        break;
      }
      case '--latency':
        options.faults.latencyMs = number(flag, value(), 0, 600000);
        break;
      case '--throttle-rate':
        options.faults.throttleRate = number(flag, value(), 0, 1);
        break;
      case '--error-rate':
        options.faults.serverErrorRate = number(flag, value(), 0, 1);
        break;
      case '--visibility-lag':
        options.faults.visibilityLagMs = number(flag, value(), 0, 600000);
        break;
      case '--help':
      case '-h':
        throw new Error(usage());
      default:
        throw new Error(`unknown option ${flag}\n${usage()}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox({
    port: options.port,
    statePath: options.statePath,
    faults: options.faults,
    clouds: options.clouds as SandboxCloudOptions,
  });
  const infos = sandbox.info as Record<string, unknown>;
  const backends = sandboxBackends().map((backend) => ({ backend, info: infos[backend.kind] as CloudInfo }));
  if (options.json) {
    const line = Object.fromEntries(backends.map(({ backend, info }) => [backend.kind, backend.cliJson(info)]));
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const state = options.statePath ? `  state file:        ${options.statePath}` : '  state:             in memory (use --state FILE to keep it)';
    const paragraphs = backends.map(({ backend, info }) => [...backend.cliText(info), ''].join('\n'));
    process.stdout.write(['Snapkeeper sandbox is running (Ctrl+C to stop).', state, '', ...paragraphs].join('\n'));
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`failed to save the sandbox state: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
