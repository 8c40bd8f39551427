/** The shared contract suite (suite.ts), once per cloud: the sandbox, and a real account when its live variable is set. */
import { DRIVERS } from './drivers';
import { contractSuite } from './suite';

for (const driver of DRIVERS) {
  contractSuite(driver);
}
