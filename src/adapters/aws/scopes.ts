/**
 * Regions as scopes: DescribeRegions (enabled regions only; not-opted-in ones skipped), limited
 * by the `aws.regions` setting when it is not empty.
 */
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { Scope } from '../../model/types';
import type { AwsCore } from './core';

/** AWS's names of its regions (DescribeRegions does not return them), shown beside the code. */
const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'eu-central-1': 'Europe (Frankfurt)',
  'eu-north-1': 'Europe (Stockholm)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (São Paulo)',
  'ap-east-1': 'Asia Pacific (Hong Kong)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'ap-south-2': 'Asia Pacific (Hyderabad)',
  'ap-southeast-3': 'Asia Pacific (Jakarta)',
  'ap-southeast-4': 'Asia Pacific (Melbourne)',
  'ap-southeast-5': 'Asia Pacific (Malaysia)',
  'ap-southeast-7': 'Asia Pacific (Thailand)',
  'ca-west-1': 'Canada West (Calgary)',
  'eu-central-2': 'Europe (Zurich)',
  'eu-south-1': 'Europe (Milan)',
  'eu-south-2': 'Europe (Spain)',
  'il-central-1': 'Israel (Tel Aviv)',
  'me-central-1': 'Middle East (UAE)',
  'me-south-1': 'Middle East (Bahrain)',
  'af-south-1': 'Africa (Cape Town)',
  'mx-central-1': 'Mexico (Central)',
};

export async function listRegions(core: AwsCore, homeRegion: string): Promise<Scope[]> {
  const out = await core.send(homeRegion, new DescribeRegionsCommand({}));
  const wanted = core.setting<string[]>('aws.regions', []);
  const limit = Array.isArray(wanted) && wanted.length > 0 ? new Set(wanted) : undefined;
  return (out.Regions ?? [])
    .filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in')
    .filter((r) => !limit || limit.has(r.RegionName as string))
    .map((r) => r.RegionName as string)
    .sort()
    .map((id) => {
      const scope: Scope = { id, label: id, leaf: true };
      if (REGION_NAMES[id]) {
        scope.name = REGION_NAMES[id];
        scope.description = REGION_NAMES[id];
      }
      return scope;
    });
}
