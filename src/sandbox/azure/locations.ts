/** The Azure locations the sandbox lists (real names and display names, a stable order). */

export interface LocationInfo {
  name: string;
  displayName: string;
  regionalDisplayName: string;
  geographyGroup: string;
  geography: string;
  physicalLocation: string;
  latitude: string;
  longitude: string;
  pairedRegion?: string;
  /** Availability zones ("1", "2", "3"), empty when the location has none. */
  zones: string[];
}

/** [name, display name, geography group, geography, physical location, lat, long, paired, zoned] */
const CATALOGUE: readonly [string, string, string, string, string, string, string, string | undefined, boolean][] = [
  ['eastus', 'East US', 'US', 'United States', 'Virginia', '37.3719', '-79.8164', 'westus', true],
  ['westeurope', 'West Europe', 'Europe', 'Europe', 'Netherlands', '52.3667', '4.9', 'northeurope', true],
  ['uksouth', 'UK South', 'Europe', 'United Kingdom', 'London', '50.941', '-0.799', 'ukwest', true],
  ['eastus2', 'East US 2', 'US', 'United States', 'Virginia', '36.6681', '-78.3889', 'centralus', true],
  ['westus2', 'West US 2', 'US', 'United States', 'Washington', '47.233', '-119.852', 'westcentralus', true],
  ['westus3', 'West US 3', 'US', 'United States', 'Phoenix', '33.448376', '-112.074036', 'eastus', true],
  ['centralus', 'Central US', 'US', 'United States', 'Iowa', '41.5908', '-93.6208', 'eastus2', true],
  ['northeurope', 'North Europe', 'Europe', 'Europe', 'Ireland', '53.3478', '-6.2597', 'westeurope', true],
  ['swedencentral', 'Sweden Central', 'Europe', 'Sweden', 'Gävle', '60.67488', '17.14127', 'swedensouth', true],
  ['francecentral', 'France Central', 'Europe', 'France', 'Paris', '46.3772', '2.373', 'francesouth', true],
  ['germanywestcentral', 'Germany West Central', 'Europe', 'Germany', 'Frankfurt', '50.110924', '8.682127', 'germanynorth', true],
  ['switzerlandnorth', 'Switzerland North', 'Europe', 'Switzerland', 'Zurich', '47.451542', '8.564572', 'switzerlandwest', true],
  ['norwayeast', 'Norway East', 'Europe', 'Norway', 'Norway', '59.913868', '10.752245', 'norwaywest', true],
  ['southeastasia', 'Southeast Asia', 'Asia Pacific', 'Asia Pacific', 'Singapore', '1.283', '103.833', 'eastasia', true],
  ['eastasia', 'East Asia', 'Asia Pacific', 'Asia Pacific', 'Hong Kong', '22.267', '114.188', 'southeastasia', true],
  ['australiaeast', 'Australia East', 'Asia Pacific', 'Australia', 'New South Wales', '-33.86', '151.2094', 'australiasoutheast', true],
  ['japaneast', 'Japan East', 'Asia Pacific', 'Japan', 'Tokyo, Saitama', '35.68', '139.77', 'japanwest', true],
  ['koreacentral', 'Korea Central', 'Asia Pacific', 'Korea', 'Seoul', '37.5665', '126.978', 'koreasouth', true],
  ['centralindia', 'Central India', 'Asia Pacific', 'India', 'Pune', '18.5822', '73.9197', 'southindia', true],
  ['canadacentral', 'Canada Central', 'Canada', 'Canada', 'Toronto', '43.653', '-79.383', 'canadaeast', true],
  ['brazilsouth', 'Brazil South', 'South America', 'Brazil', 'Sao Paulo State', '-23.55', '-46.633', 'southcentralus', true],
  ['southafricanorth', 'South Africa North', 'Africa', 'South Africa', 'Johannesburg', '-25.73134', '28.21837', 'southafricawest', true],
  ['uaenorth', 'UAE North', 'Middle East', 'UAE', 'Dubai', '25.266666', '55.316666', 'uaecentral', true],
  ['southcentralus', 'South Central US', 'US', 'United States', 'Texas', '29.4167', '-98.5', 'northcentralus', true],
  ['northcentralus', 'North Central US', 'US', 'United States', 'Illinois', '41.8819', '-87.6278', 'southcentralus', false],
  ['westus', 'West US', 'US', 'United States', 'California', '37.783', '-122.417', 'eastus', false],
  ['westcentralus', 'West Central US', 'US', 'United States', 'Wyoming', '40.89', '-110.234', 'westus2', false],
  ['ukwest', 'UK West', 'Europe', 'United Kingdom', 'Cardiff', '53.427', '-3.084', 'uksouth', false],
  ['australiasoutheast', 'Australia Southeast', 'Asia Pacific', 'Australia', 'Victoria', '-37.8136', '144.9631', 'australiaeast', false],
  ['japanwest', 'Japan West', 'Asia Pacific', 'Japan', 'Osaka', '34.6939', '135.5022', 'japaneast', false],
  ['canadaeast', 'Canada East', 'Canada', 'Canada', 'Quebec', '46.817', '-71.217', 'canadacentral', false],
  ['southindia', 'South India', 'Asia Pacific', 'India', 'Chennai', '12.9822', '80.1636', 'centralindia', false],
];

function build(entry: (typeof CATALOGUE)[number]): LocationInfo {
  const [name, displayName, geographyGroup, geography, physicalLocation, latitude, longitude, pairedRegion, zoned] = entry;
  return {
    name,
    displayName,
    regionalDisplayName: `(${geographyGroup}) ${displayName}`,
    geographyGroup,
    geography,
    physicalLocation,
    latitude,
    longitude,
    pairedRegion,
    zones: zoned ? ['1', '2', '3'] : [],
  };
}

export const LOCATIONS: readonly LocationInfo[] = CATALOGUE.map(build);

/** A location by name, case- and space-insensitively ("East US" = "eastus"). */
export function findLocation(name: string | undefined): LocationInfo | undefined {
  if (!name) {
    return undefined;
  }
  const key = name.replace(/\s+/g, '').toLowerCase();
  return LOCATIONS.find((l) => l.name === key);
}
