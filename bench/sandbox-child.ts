/**
 * The benchmark's cloud: a sandbox in its own process (as a real cloud would be). Prints its
 * SandboxInfo as one JSON line, then serves until killed. Latency is set by the parent through
 * the control API.
 *
 *   sandbox-child '["us-east-1",…]' 1000      AWS: these regions, N snapshots each
 *   sandbox-child --azure 10 500              Azure: N subscriptions, M snapshots each
 *   sandbox-child --gcp 5 1000                Google Cloud: N projects, M snapshots each
 */
import { startSandbox } from '../src/sandbox';

async function main(): Promise<void> {
  if (process.argv[2] === '--gcp') {
    const sandbox = await startSandbox({ seed: process.argv[4] === '0', clouds: { aws: { regions: ['us-east-1'] } } });
    if (process.argv[4] !== '0') {
      sandbox.clouds.gcp.setProjectCount(Number(process.argv[3] ?? '5'), Number(process.argv[4] ?? '1000'));
    }
    console.log(JSON.stringify(sandbox.info));
    process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
    return;
  }
  if (process.argv[2] === '--azure') {
    const subscriptions = Number(process.argv[3] ?? '10');
    const each = Number(process.argv[4] ?? '500');
    const sandbox = await startSandbox({ seed: false, clouds: { aws: { regions: ['us-east-1'] } } });
    sandbox.clouds.azure.setSubscriptionCount(subscriptions, each);
    console.log(JSON.stringify(sandbox.info));
    process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
    return;
  }
  const regions = JSON.parse(process.argv[2] ?? '[]') as string[];
  const perRegion = Number(process.argv[3] ?? '1000');
  const sandbox = await startSandbox({ clouds: { aws: { regions } }, seed: false });
  for (const region of regions) {
    const vol = sandbox.clouds.aws.state.createVolume(region, { availabilityZone: `${region}a`, size: 8, volumeType: 'gp3' });
    sandbox.clouds.aws.bulkSnapshots(region, vol.id, perRegion);
  }
  console.log(JSON.stringify(sandbox.info));
  process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
}

void main();
