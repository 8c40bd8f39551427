/**
 * The benchmark's cloud: a sandbox in its own process (as a real cloud would be). Prints its
 * SandboxInfo as one JSON line, then serves until killed. Latency is set by the parent through
 * the control API.
 *
 *   sandbox-child '["us-east-1",…]' 1000      AWS: these regions, N snapshots each
 *   sandbox-child --azure 10 500              Azure: N subscriptions, M snapshots each
 *   sandbox-child --gcp 5 1000                Google Cloud: N projects, M snapshots each
 *   sandbox-child --cloudstack 5 1000         CloudStack: N zones, M volume snapshots each
 *   sandbox-child --openstack 3 1000 100      OpenStack: N regions, M volume snapshots each, L ms latency in each region
 */
import { startSandbox } from '../src/sandbox';
import { uuidFrom } from '../src/sandbox/cloudstack/records';
import type { CsState } from '../src/sandbox/cloudstack/state';

/** `zones` CloudStack zones, each with a VM, its ROOT volume and `each` volume snapshots of it. */
function cloudstackEstate(cs: CsState, zones: number, each: number): void {
  const id = (name: string) => uuidFrom(`snapkeeper-bench-cloudstack/${name}`);
  cs.zones = Array.from({ length: zones }, (_, i) => ({
    id: id(`zone/${i + 1}`),
    name: `bench-${i + 1}`,
    description: 'bench zone, NFS primary storage',
    storageType: 'NetworkFilesystem' as const,
    storageName: `bench-${i + 1}-nfs`,
  }));
  const [offering] = cs.serviceOfferings;
  const [diskOffering] = cs.diskOfferings;
  const [template] = cs.templates.values();
  for (const zone of cs.zones) {
    const vm = cs.addVm({
      id: id(`vm/${zone.name}`),
      name: `${zone.name}-vm`,
      displayname: `${zone.name}-vm`,
      zoneId: zone.id,
      state: 'Running',
      serviceOfferingId: offering.id,
      templateId: template.id,
      osTypeId: template.osTypeId,
      ipaddress: '10.9.9.9',
    });
    const volume = cs.addVolume({ id: id(`vol/${zone.name}`), name: `${zone.name}-root`, zoneId: zone.id, type: 'ROOT', vmId: vm.id, deviceId: 0, diskOfferingId: diskOffering.id, sizeBytes: 8 * 1024 ** 3 });
    cs.writeMiB(volume.id, 1);
    cs.bulkSnapshots(volume.id, each);
  }
  cs.touch();
}

/** Regions past the sandbox's RegionOne and RegionTwo, as OpenStack deployments name them. */
const MORE_REGIONS = ['RegionThree', 'RegionFour', 'RegionFive', 'RegionSix', 'RegionSeven', 'RegionEight'];

async function main(): Promise<void> {
  if (process.argv[2] === '--openstack') {
    const regions = Number(process.argv[3] ?? '3');
    const latencyMs = Number(process.argv[5] ?? '100');
    const sandbox = await startSandbox({ seed: false, clouds: { aws: { regions: ['us-east-1'] }, openstack: { extraRegions: MORE_REGIONS.slice(0, Math.max(0, regions - 2)) } } });
    const os = sandbox.clouds.openstack;
    os.benchmarkEstate({ snapshotsEach: Number(process.argv[4] ?? '1000'), volumesEach: 10 });
    // Each region's own latency (Keystone's token requests are not delayed).
    os.setRegionLatency(Object.fromEntries(os.state.regions.map((r) => [r, latencyMs])));
    console.log(JSON.stringify(sandbox.info));
    process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
    return;
  }
  if (process.argv[2] === '--cloudstack') {
    const sandbox = await startSandbox({ seed: false, clouds: { aws: { regions: ['us-east-1'] } } });
    cloudstackEstate(sandbox.clouds.cloudstack.state, Number(process.argv[3] ?? '5'), Number(process.argv[4] ?? '1000'));
    console.log(JSON.stringify(sandbox.info));
    process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
    return;
  }
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
