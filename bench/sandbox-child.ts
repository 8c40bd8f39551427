/**
 * The benchmark's cloud: a sandbox in its own process (as a real cloud would be), with
 * REGIONS regions of SNAPSHOTS snapshots each. Prints its SandboxInfo as one JSON line, then
 * serves until killed. Latency is set by the parent through the control API.
 */
import { startSandbox } from '../src/sandbox';

async function main(): Promise<void> {
  const regions = JSON.parse(process.argv[2] ?? '[]') as string[];
  const perRegion = Number(process.argv[3] ?? '1000');
  const sandbox = await startSandbox({ awsRegions: regions, seed: false });
  for (const region of regions) {
    const vol = sandbox.aws.state.createVolume(region, { availabilityZone: `${region}a`, size: 8, volumeType: 'gp3' });
    sandbox.aws.bulkSnapshots(region, vol.id, perRegion);
  }
  console.log(JSON.stringify(sandbox.info));
  process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
}

void main();
