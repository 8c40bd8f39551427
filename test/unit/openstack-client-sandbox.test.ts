// The OpenStack client against the OpenStack sandbox (src/sandbox/openstack/), over real HTTP:
// two implementations written apart agree. Keystone authenticates the sandbox account (password
// and application credential, and the clouds.yaml the sandbox writes, found through
// OS_CLIENT_CONFIG_FILE), the catalog leads to Nova, Cinder and Glance in both regions, lists
// match the sandbox's state, a token expired mid-operation is renewed, a catalog without Cinder
// and a Cinder microversion the cloud lacks are said as such.
import assert from 'node:assert/strict';
import { connect, discoverAccounts } from '../../src/adapters/openstack/accounts';
import type { OpenStackApi } from '../../src/adapters/openstack/api';
import type { AdapterContext } from '../../src/model/adapter';
import type { AccountConfig } from '../../src/model/types';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { INSTANT_OS_TIMING, OPENSTACK_SEEDED as S } from '../../src/sandbox/openstack/backend';
import { assertKind, failure } from './fakes';

describe('openstack client against the sandbox', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  const apis: OpenStackApi[] = [];

  before(async () => {
    sandbox = await startSandbox({ clouds: { openstack: { timing: INSTANT_OS_TIMING } } });
  });

  after(async () => {
    for (const api of apis) {
      api.dispose();
    }
    await sandbox.close();
  });

  beforeEach(() => sandbox.clouds.openstack.reset());

  const logs: string[] = [];
  const ctx = (over: Partial<AdapterContext> = {}): AdapterContext => ({
    log: (m) => void logs.push(m),
    setting: <T>(_k: string, f: T) => f,
    maxConcurrency: 4,
    sandbox: sandbox.info.openstack,
    ...over,
  });
  const sandboxAccount: AccountConfig = { id: 'sb', cloud: 'openstack' as AccountConfig['cloud'], label: 'sandbox', sandbox: true, settings: {} };

  async function api(): Promise<OpenStackApi> {
    const a = await connect(sandboxAccount, ctx(), { sleep: async () => undefined });
    apis.push(a);
    return a;
  }

  it('authenticates with the password, and lists servers, volumes and images through the catalog as the sandbox holds them', async () => {
    const os = await api();
    assert.deepEqual(await os.regions(), S.regions);
    assert.equal((await os.project()).id, S.projectId);
    const servers = await os.list<{ id: string }>('compute', '/servers/detail', 'servers');
    const held = sandbox.clouds.openstack.servers().filter((s) => s.region === os.region);
    assert.deepEqual(servers.map((s) => s.id).sort(), held.map((s) => s.id).sort());
    assert.ok(servers.some((s) => s.id === S.webServer));
    const volumes = await os.list<{ id: string }>('volumev3', '/volumes/detail', 'volumes', undefined, undefined);
    const paged = await (async () => {
      const small = await connect(sandboxAccount, ctx({ setting: <T>(k: string, f: T) => (k === 'openstack.pageSize' ? (1 as T) : f) }), { sleep: async () => undefined });
      apis.push(small);
      return small.list<{ id: string }>('volumev3', '/volumes/detail', 'volumes');
    })();
    assert.ok(volumes.length > 1, `${volumes.length} volumes`);
    assert.deepEqual(paged.map((v) => v.id).sort(), volumes.map((v) => v.id).sort());
    const images = await os.list<{ id: string }>('image', '/images', 'images');
    assert.ok(images.length > 0);
    assert.ok((await os.maxMicroversion('compute')) !== undefined);
    assert.ok((await os.maxMicroversion('volumev3')) !== undefined);
  });

  it('authenticates with the application credential of the clouds.yaml the sandbox writes (OS_CLIENT_CONFIG_FILE)', async () => {
    const places = { env: { OS_CLIENT_CONFIG_FILE: sandbox.info.openstack.cloudsYamlPath }, cwd: '/nonexistent', home: '/nonexistent' };
    const choices = await discoverAccounts({ ...ctx(), places });
    assert.deepEqual(choices.map((c) => c.label).sort(), ['snapkeeper-sandbox', 'snapkeeper-sandbox-appcred']);
    for (const choice of choices) {
      const os = await connect({ id: choice.label, cloud: 'openstack' as AccountConfig['cloud'], label: choice.label, settings: choice.settings }, { ...ctx({ sandbox: undefined }), places });
      apis.push(os);
      assert.equal((await os.project()).id, S.projectId);
      assert.ok((await os.list('compute', '/servers', 'servers')).length > 0);
    }
  });

  it('a token expired mid-operation is renewed and the read goes through', async () => {
    const os = await api();
    await os.list('compute', '/servers', 'servers');
    sandbox.clouds.openstack.expireTokens();
    logs.length = 0;
    assert.ok((await os.list('compute', '/servers', 'servers')).length > 0);
    assert.ok(logs.some((l) => /the token was refused \(401\); renewing it/.test(l)), logs.join('\n'));
  });

  it('a catalog without Cinder, and a Cinder microversion the cloud lacks, are said as such', async () => {
    sandbox.clouds.openstack.setMaxMicroversion({ volume: '3.30' });
    const os = await api();
    assertKind(
      await failure(os.request('volumev3', 'POST', `/volumes/${S.dbDataVolume}/action`, { body: { revert: { snapshot_id: 'x' } }, microversion: '3.40', purpose: 'revert' })),
      'invalid',
      /^Needs Cinder microversion 3\.40 for revert; this cloud offers up to 3\.30\.$/,
    );
    sandbox.clouds.openstack.removeServices(['volumev3', 'block-storage', 'volume']);
    const without = await api();
    assertKind(await failure(without.list('volumev3', '/volumes', 'volumes')), 'invalid', /has no block-storage service \(Cinder\): backups and volume snapshots are not available/);
  });
});
