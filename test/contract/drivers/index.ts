/** One driver per cloud, shared by the contract suite and the fault battery. A new cloud adds its driver here. */
import type { CloudDriver } from '../driver';
import { awsDriver } from './aws';
import { azureDriver } from './azure';
import { cloudstackDriver } from './cloudstack';
import { gcpDriver } from './gcp';
import { openstackDriver } from './openstack';

export const DRIVERS: CloudDriver[] = [awsDriver, azureDriver, gcpDriver, cloudstackDriver, openstackDriver];
