/**
 * Runs the sandbox (AWS, Azure, Google Cloud) on its own:
 *   node dist/sandbox-cli.js [--port N] [--azure-port N] [--json] [--state FILE] [--latency MS]
 *                            [--throttle-rate R] [--error-rate R] [--visibility-lag MS] [--regions N]
 * Stays up until SIGINT/SIGTERM, then saves its state and exits 0.
 */
import type { FaultConfig } from './faults';
import { startSandbox } from './index';

interface CliOptions {
  port: number;
  azurePort: number;
  json: boolean;
  statePath?: string;
  faults: FaultConfig;
  regions?: number;
}

const USAGE =
  'usage: sandbox-cli [--port N] [--azure-port N] [--json] [--state FILE] [--latency MS] ' +
  '[--throttle-rate R] [--error-rate R] [--visibility-lag MS] [--regions N]';

function number(flag: string, value: string | undefined, min: number, max: number): number {
  const n = value === undefined ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${flag} needs a number between ${min} and ${max}`);
  }
  return n;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { port: 0, azurePort: 0, json: false, faults: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--port':
        options.port = number(flag, value(), 0, 65535);
        break;
      case '--azure-port':
        options.azurePort = number(flag, value(), 0, 65535);
        break;
      case '--json':
        options.json = true;
        break;
      case '--state': {
        const path = value();
        if (!path) {throw new Error('--state needs a file path');}
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
      case '--regions':
        options.regions = number(flag, value(), 1, 200);
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
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
    azurePort: options.azurePort,
    statePath: options.statePath,
    faults: options.faults,
  });
  if (options.regions !== undefined) {
    sandbox.aws.setRegionCount(options.regions);
  }
  const { endpoint, region, accessKeyId, secretAccessKey } = sandbox.info.aws;
  const az = sandbox.info.azure;
  const subscriptions = az.subscriptions.map((s) => s.subscriptionId);
  const gc = sandbox.info.gcp;
  if (options.json) {
    const azure = {
      endpoint: az.endpoint,
      subscriptions,
      caCertPath: az.caCertPath,
      tenantId: az.tenantId,
      clientId: az.clientId,
      clientSecret: az.clientSecret,
      accessToken: az.accessToken,
    };
    const gcp = { endpoint: gc.endpoint, projects: gc.projects, accessToken: gc.accessToken };
    process.stdout.write(`${JSON.stringify({ aws: { endpoint, region, accessKeyId, secretAccessKey }, azure, gcp })}\n`);
  } else {
    process.stdout.write(
      [
        'Snapkeeper sandbox is running (Ctrl+C to stop).',
        '',
        'AWS (EC2 + EBS direct APIs)',
        `  endpoint:          ${endpoint}`,
        `  region:            ${region}`,
        `  access key id:     ${accessKeyId}`,
        `  secret access key: ${secretAccessKey}`,
        options.statePath ? `  state file:        ${options.statePath}` : '  state:             in memory (use --state FILE to keep it)',
        '',
        'Try it with the AWS CLI:',
        `  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} ` +
          `aws ec2 describe-snapshots --owner-ids self --endpoint-url ${endpoint} --region ${region}`,
        '',
        'Azure (Resource Manager, Microsoft.Compute; HTTPS with a self-signed CA)',
        `  endpoint:          ${az.endpoint}`,
        `  tenant id:         ${az.tenantId}`,
        `  client id:         ${az.clientId}`,
        `  client secret:     ${az.clientSecret}`,
        `  subscriptions:     ${subscriptions.join(', ')}`,
        `  CA certificate:    ${az.caCertPath}`,
        '',
        'Try it with curl:',
        `  curl --cacert ${az.caCertPath} -H "Authorization: Bearer $TOKEN" ` +
          `"${az.endpoint}/subscriptions/${subscriptions[0] ?? ''}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02"`,
        '  (TOKEN: the accessToken of --json, or POST a client-credentials form to ' + `${az.endpoint}/${az.tenantId}/oauth2/v2.0/token)`,
        '',
        'Google Cloud (Compute Engine v1 REST under /compute/v1/)',
        `  endpoint:          ${gc.endpoint}/compute/v1/`,
        `  projects:          ${gc.projects.join(', ')}`,
        `  access token:      ${gc.accessToken}`,
        '',
        'Try it with gcloud:',
        `  CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=${gc.endpoint}/compute/v1/ CLOUDSDK_AUTH_ACCESS_TOKEN=${gc.accessToken} ` +
          `CLOUDSDK_CORE_PROJECT=${gc.projects[0] ?? ''} gcloud compute snapshots list`,
        '',
      ].join('\n'),
    );
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) {return;}
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
