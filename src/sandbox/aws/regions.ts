/** The AWS regions the sandbox knows, with their opt-in status and availability zones. */

export type OptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

export interface RegionInfo {
  name: string;
  optInStatus: OptInStatus;
  /** Zone names, e.g. us-east-1a. */
  zones: string[];
  /** Zone ids in the same order, e.g. use1-az1. */
  zoneIds: string[];
}

/** [name, opt-in status, zone letters, zone-id prefix] — real regions, in a stable order. */
const CATALOGUE: readonly [string, OptInStatus, string, string][] = [
  ['us-east-1', 'opt-in-not-required', 'abcdef', 'use1'],
  ['us-west-2', 'opt-in-not-required', 'abcd', 'usw2'],
  ['eu-west-1', 'opt-in-not-required', 'abc', 'euw1'],
  ['ap-southeast-2', 'opt-in-not-required', 'abc', 'apse2'],
  ['us-east-2', 'opt-in-not-required', 'abc', 'use2'],
  ['us-west-1', 'opt-in-not-required', 'ac', 'usw1'],
  ['ca-central-1', 'opt-in-not-required', 'abd', 'cac1'],
  ['eu-central-1', 'opt-in-not-required', 'abc', 'euc1'],
  ['eu-west-2', 'opt-in-not-required', 'abc', 'euw2'],
  ['eu-west-3', 'opt-in-not-required', 'abc', 'euw3'],
  ['eu-north-1', 'opt-in-not-required', 'abc', 'eun1'],
  ['ap-northeast-1', 'opt-in-not-required', 'acd', 'apne1'],
  ['ap-northeast-2', 'opt-in-not-required', 'abcd', 'apne2'],
  ['ap-northeast-3', 'opt-in-not-required', 'abc', 'apne3'],
  ['ap-southeast-1', 'opt-in-not-required', 'abc', 'apse1'],
  ['ap-south-1', 'opt-in-not-required', 'abc', 'aps1'],
  ['sa-east-1', 'opt-in-not-required', 'abc', 'sae1'],
  ['ap-east-1', 'opted-in', 'abc', 'ape1'],
  ['eu-south-1', 'opted-in', 'abc', 'eus1'],
  ['me-central-1', 'opted-in', 'abc', 'mec1'],
  ['ap-southeast-3', 'opted-in', 'abc', 'apse3'],
  ['eu-central-2', 'opted-in', 'abc', 'euc2'],
  ['ap-south-2', 'opted-in', 'abc', 'aps2'],
  ['eu-south-2', 'opted-in', 'abc', 'eus2'],
  ['ap-southeast-4', 'opted-in', 'abc', 'apse4'],
  ['il-central-1', 'opted-in', 'abc', 'ilc1'],
  ['ca-west-1', 'opted-in', 'abc', 'caw1'],
  ['af-south-1', 'not-opted-in', 'abc', 'afs1'],
  ['me-south-1', 'not-opted-in', 'abc', 'mes1'],
];

function build(name: string, optInStatus: OptInStatus, letters: string, idPrefix: string): RegionInfo {
  const zones = [...letters].map((letter) => `${name}${letter}`);
  const zoneIds = zones.map((_, i) => `${idPrefix}-az${i + 1}`);
  return { name, optInStatus, zones, zoneIds };
}

/** The default region list: every catalogued region (the not-opted-in ones included). */
export function defaultRegions(): RegionInfo[] {
  return CATALOGUE.map(([name, status, letters, prefix]) => build(name, status, letters, prefix));
}

/** Regions by name: catalogued ones keep their facts, others are enabled with zones a–c. */
export function regionsNamed(names: readonly string[]): RegionInfo[] {
  return names.map((name) => {
    const known = CATALOGUE.find(([n]) => n === name);
    if (known) {
      return build(...known);
    }
    const prefix = name.replace(/[^a-z0-9]/g, '').slice(0, 6);
    return build(name, 'opt-in-not-required', 'abc', prefix);
  });
}

/**
 * `count` enabled regions (catalogued first, then synthetic `sandbox-N` names), followed by the
 * catalogue's not-opted-in regions, which DescribeRegions lists only with AllRegions.
 */
export function regionsCount(count: number): RegionInfo[] {
  const enabled = CATALOGUE.filter(([, status]) => status !== 'not-opted-in').map(([name]) => name);
  const names = enabled.slice(0, count);
  for (let i = names.length; i < count; i++) {
    names.push(`sandbox-${i + 1}`);
  }
  const disabled = CATALOGUE.filter(([, status]) => status === 'not-opted-in').map(([name]) => name);
  return regionsNamed([...names, ...disabled]);
}

export function isEnabled(region: RegionInfo): boolean {
  return region.optInStatus !== 'not-opted-in';
}
