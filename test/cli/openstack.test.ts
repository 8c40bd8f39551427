/**
 * The official `openstack` client (Debian package python3-openstackclient, /usr/bin/openstack)
 * against the sandbox's Keystone, Nova, Cinder and Glance, configured only by the clouds.yaml the
 * sandbox writes (`OS_CLIENT_CONFIG_FILE`, cloud `snapkeeper-sandbox`): its own token request,
 * catalog lookup, version discovery and microversion headers. Every answer is checked against the
 * sandbox's own state (read in-process).
 */
import assert from 'node:assert/strict';
import { INSTANT_OS_TIMING, OPENSTACK_SEEDED as S } from '../../src/sandbox/openstack/backend';
import { clientAt, clientSuite, jsonOf, sorted } from './client';

const OPENSTACK = clientAt(process.env.SNAPKEEPER_OPENSTACK_CLI ?? '/usr/bin/openstack', 'Debian package python3-openstackclient: apt-get install python3-openstackclient');

describe('openstack (Debian python3-openstackclient) against the sandbox', function () {
  this.timeout(120_000);
  const w = clientSuite(OPENSTACK, 'the openstack CLI workflow', {
    tmpPrefix: 'snapkeeper-openstack-',
    sandbox: { clouds: { openstack: { timing: INSTANT_OS_TIMING } } },
    env: (sandbox, home) => ({ HOME: home, OS_CLIENT_CONFIG_FILE: sandbox.info.openstack.cloudsYamlPath }),
  });

  async function openstack<T>(cloud: string, ...args: string[]): Promise<T> {
    return jsonOf<T>(await w.run(['--os-cloud', cloud, ...args, '-f', 'json']), `openstack ${args.slice(0, 3).join(' ')}`);
  }
  const os = () => w.sandbox.clouds.openstack;

  it('lists the servers of each region (password auth from clouds.yaml)', async () => {
    const one = await openstack<{ ID: string; Name: string; Status: string }[]>('snapkeeper-sandbox', 'server', 'list');
    const expected = os()
      .servers()
      .filter((s) => s.region === 'RegionOne');
    assert.deepEqual(sorted(one.map((s) => s.ID)), sorted(expected.map((s) => s.id)));
    assert.equal(one.find((s) => s.ID === S.webServer)?.Status, 'ACTIVE');
    const two = await openstack<{ ID: string }[]>('snapkeeper-sandbox', '--os-region-name', 'RegionTwo', 'server', 'list');
    assert.deepEqual(two.map((s) => s.ID), [S.edgeServer]);
  });

  it('lists the servers with the application credential', async () => {
    const servers = await openstack<{ ID: string }[]>('snapkeeper-sandbox-appcred', 'server', 'list');
    assert.ok(servers.some((s) => s.ID === S.dbServer));
    assert.ok(os().state.appCredentials.length === 1);
  });

  it('lists the images the project sees (its own and the public ones)', async () => {
    const images = await openstack<{ ID: string; Name: string; Status: string }[]>('snapkeeper-sandbox', 'image', 'list');
    const expected = os()
      .images()
      .filter((i) => i.region === 'RegionOne' && (i.visibility === 'public' || i.owner === S.projectId));
    assert.deepEqual(sorted(images.map((i) => i.ID)), sorted(expected.map((i) => i.id)));
    assert.ok(images.some((i) => i.ID === S.webSnapshots[0] && i.Status === 'active'));
  });

  it('creates an instance snapshot (server image create) that Glance lists with its instance_uuid', async () => {
    const image = await openstack<{ id: string; name: string }>('snapkeeper-sandbox', 'server', 'image', 'create', '--name', 'cli-image', S.webServer);
    const record = os()
      .images()
      .find((i) => i.id === image.id);
    assert.equal(record?.instanceUuid, S.webServer);
    assert.equal(record?.name, 'cli-image');
    assert.equal(record?.status, 'active');
    assert.ok(os().diskMatchesImage(S.webServer, image.id));
  });

  it('rebuilds a server from an instance snapshot: the root disk gets the image blocks', async () => {
    os().writeMiB(S.webServer, 5);
    assert.ok(!os().diskMatchesImage(S.webServer, S.webSnapshots[0]));
    const result = await w.run(['--os-cloud', 'snapkeeper-sandbox', 'server', 'rebuild', '--image', S.webSnapshots[0], S.webServer, '-f', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(os().diskMatchesImage(S.webServer, S.webSnapshots[0]));
    assert.equal(
      os()
        .servers()
        .find((s) => s.id === S.webServer)?.imageId,
      S.webSnapshots[0],
    );
  });

  it('creates a volume snapshot of the detached volume', async () => {
    const snap = await openstack<{ id: string; volume_id: string; name: string }>('snapkeeper-sandbox', 'volume', 'snapshot', 'create', '--volume', S.detachedVolume, 'cli-snap');
    const record = os()
      .snapshots()
      .find((s) => s.id === snap.id);
    assert.equal(record?.volumeId, S.detachedVolume);
    assert.equal(record?.name, 'cli-snap');
    assert.equal(snap.volume_id, S.detachedVolume);
  });

  it('creates an incremental backup of an in-use volume with --force, on top of the seeded chain', async () => {
    os().writeMiB(S.dbDataVolume, 6);
    const backup = await openstack<{ id: string; name: string }>('snapkeeper-sandbox', 'volume', 'backup', 'create', '--name', 'cli-backup', '--incremental', '--force', S.dbDataVolume);
    const facts = os().backupFacts(backup.id);
    assert.equal(facts.incremental, true);
    assert.equal(facts.parentId, S.backupChain[2]);
    assert.ok(facts.storedBytes > 0 && facts.storedBytes < os().backupFacts(S.backupChain[0]).storedBytes);
    const listed = await openstack<{ ID: string; Name: string }[]>('snapkeeper-sandbox', 'volume', 'backup', 'list');
    assert.deepEqual(sorted(listed.map((b) => b.ID)), sorted(os().backups().map((b) => b.id)));
  });
});
