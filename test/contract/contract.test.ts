/** The shared contract suite (suite.ts), once per cloud: the sandbox, and a real account when its live variable is set. */
import * as assert from 'node:assert/strict';
import { ADAPTER_CLOUDS } from '../../src/model/clouds';
import { DRIVERS } from './drivers';
import { contractSuite } from './suite';

describe('adapter contract: every cloud of the registry', () => {
  it('has exactly one driver per cloud with an adapter (a new cloud adds drivers/<cloud>.ts and its line in drivers/index.ts)', () => {
    assert.deepEqual(
      DRIVERS.map((d) => d.cloud),
      ADAPTER_CLOUDS,
      `drivers: ${DRIVERS.map((d) => d.cloud).join(', ')}; clouds with an adapter in src/model/clouds.ts: ${ADAPTER_CLOUDS.join(', ')}`,
    );
  });
});

for (const driver of DRIVERS) {
  contractSuite(driver);
}
