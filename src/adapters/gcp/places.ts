/**
 * Where Google Cloud's regions are (Compute Engine's regions.list returns only codes such as
 * `us-central1`): the names Google's "Regions and zones" page gives, shown beside the codes.
 */
import { regionOfZone } from './ids';

const REGION_PLACES: Record<string, string> = {
  'africa-south1': 'Johannesburg, South Africa',
  'asia-east1': 'Changhua County, Taiwan',
  'asia-east2': 'Hong Kong',
  'asia-northeast1': 'Tokyo, Japan',
  'asia-northeast2': 'Osaka, Japan',
  'asia-northeast3': 'Seoul, South Korea',
  'asia-south1': 'Mumbai, India',
  'asia-south2': 'Delhi, India',
  'asia-southeast1': 'Jurong West, Singapore',
  'asia-southeast2': 'Jakarta, Indonesia',
  'australia-southeast1': 'Sydney, Australia',
  'australia-southeast2': 'Melbourne, Australia',
  'europe-central2': 'Warsaw, Poland',
  'europe-north1': 'Hamina, Finland',
  'europe-north2': 'Stockholm, Sweden',
  'europe-southwest1': 'Madrid, Spain',
  'europe-west1': 'St. Ghislain, Belgium',
  'europe-west2': 'London, England',
  'europe-west3': 'Frankfurt, Germany',
  'europe-west4': 'Eemshaven, Netherlands',
  'europe-west6': 'Zurich, Switzerland',
  'europe-west8': 'Milan, Italy',
  'europe-west9': 'Paris, France',
  'europe-west10': 'Berlin, Germany',
  'europe-west12': 'Turin, Italy',
  'me-central1': 'Doha, Qatar',
  'me-central2': 'Dammam, Saudi Arabia',
  'me-west1': 'Tel Aviv, Israel',
  'northamerica-northeast1': 'Montréal, Québec',
  'northamerica-northeast2': 'Toronto, Ontario',
  'northamerica-south1': 'Querétaro, Mexico',
  'southamerica-east1': 'Osasco, São Paulo, Brazil',
  'southamerica-west1': 'Santiago, Chile',
  'us-central1': 'Council Bluffs, Iowa',
  'us-east1': 'Moncks Corner, South Carolina',
  'us-east4': 'Ashburn, Virginia',
  'us-east5': 'Columbus, Ohio',
  'us-south1': 'Dallas, Texas',
  'us-west1': 'The Dalles, Oregon',
  'us-west2': 'Los Angeles, California',
  'us-west3': 'Salt Lake City, Utah',
  'us-west4': 'Las Vegas, Nevada',
};

/** The place of a region, or of a zone's region (`us-central1-a` → "Council Bluffs, Iowa"). */
export function placeOf(regionOrZone: string): string | undefined {
  return REGION_PLACES[regionOrZone] ?? REGION_PLACES[regionOfZone(regionOrZone)];
}
