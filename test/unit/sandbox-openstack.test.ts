// The OpenStack sandbox: Keystone tokens and catalog, Nova, Cinder and Glance over HTTP at their
// own paths, microversions, each service's error bodies, paging, status steps on the sandbox
// clock, the block model under images, snapshots and backups, the controls, faults, persistence
// and reset. Every outcome is checked against the sandbox's own state.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_KEY, SANDBOX_KEY_HEADER, type Sandbox, startSandbox } from '../../src/sandbox';
import { OPENSTACK_SEEDED as S } from '../../src/sandbox/openstack/backend';

const MIB = 1024 * 1024;
const START = Date.parse('2026-06-01T10:00:00Z');
const HOUR = 60 * 60 * 1000;
const sorted = (xs: string[]) => [...xs].sort();

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

describe('OpenStack sandbox', function () {
  this.timeout(20000);
  let clock = START;
  let sandbox: Sandbox;
  let token = '';

  before(async () => {
    sandbox = await startSandbox({ now: () => clock });
  });

  after(async () => {
    await sandbox.close();
  });

  beforeEach(async () => {
    clock += HOUR;
    sandbox.setFaults({});
    sandbox.clouds.openstack.reset();
    // Tokens outlive the hours the tests move the clock by (the expiry test sets its own lifetime).
    sandbox.clouds.openstack.setTokenLifetime(7 * 24 * 3600);
    token = (await passwordAuth()).headers.get('x-subject-token') ?? '';
  });

  const os = () => sandbox.clouds.openstack;
  const origin = () => new URL(sandbox.info.openstack.authUrl).origin;
  const project = S.projectId;
  /** The public endpoint of a service in a region, as the catalog gives it. */
  const endpoint = (service: 'compute' | 'volume' | 'image' | 'network', region = 'RegionOne') => {
    const prefix = region === 'RegionOne' ? '' : `/${region}`;
    return {
      compute: `${origin()}${prefix}/compute/v2.1`,
      volume: `${origin()}${prefix}/volume/v3/${project}`,
      image: `${origin()}${prefix}/image`,
      network: `${origin()}${prefix}/networking`,
    }[service];
  };

  async function request(url: string, opts: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token !== null) {
      headers['x-auth-token'] = opts.token ?? token;
    }
    if (opts.body !== undefined && headers['content-type'] === undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    if ((response.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = {}; // a truncated answer (the malformed fault): the test reads `text`
      }
    }
    return { status: response.status, headers: response.headers, text, body };
  }

  function passwordAuth(password: string = S.password, scope: Record<string, unknown> = { project: { name: S.projectName, domain: { name: 'Default' } } }): Promise<Reply> {
    return request(`${sandbox.info.openstack.authUrl}/auth/tokens`, {
      method: 'POST',
      token: null,
      body: { auth: { identity: { methods: ['password'], password: { user: { name: S.userName, domain: { name: 'Default' }, password } } }, scope } },
    });
  }

  const nova = (path: string, version = '2.60', opts: Parameters<typeof request>[1] = {}) =>
    request(`${endpoint('compute')}${path}`, { ...opts, headers: { 'openstack-api-version': `compute ${version}`, ...(opts.headers ?? {}) } });
  const cinder = (path: string, version = '3.60', opts: Parameters<typeof request>[1] = {}) =>
    request(`${endpoint('volume')}${path}`, { ...opts, headers: { 'openstack-api-version': `volume ${version}`, ...(opts.headers ?? {}) } });
  const glance = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${endpoint('image')}${path}`, opts);

  /** Lets every status step end (the control's listing applies them). */
  const settle = () => {
    clock += HOUR;
    os().counts();
  };

  function diskEqualsSnapshot(diskId: string, blockId: string): boolean {
    const state = os().state;
    const disk = state.blocks.getDisk(diskId);
    const snap = state.blocks.getSnapshot(blockId);
    if (!disk || !snap || disk.blocks.size !== snap.full.size) {
      return false;
    }
    return [...snap.full].every(([index, content]) => disk.blocks.get(index) === content);
  }

  describe('Keystone', () => {
    it('serves the v3 version document without a token', async () => {
      const reply = await request(sandbox.info.openstack.authUrl, { token: null });
      assert.equal(reply.status, 200);
      const version = reply.body.version as { id: string; status: string; links: { href: string }[] };
      assert.match(version.id, /^v3\.\d+$/);
      assert.equal(version.status, 'stable');
      assert.equal(version.links[0].href, `${sandbox.info.openstack.authUrl}/`);
    });

    it('issues a project-scoped token for a password, with X-Subject-Token and the catalog of every service per region and interface', async () => {
      const reply = await passwordAuth();
      assert.equal(reply.status, 201);
      const id = reply.headers.get('x-subject-token');
      assert.ok(id && os().state.tokens.has(id));
      const t = reply.body.token as Record<string, unknown> & { catalog: { type: string; endpoints: { region: string; interface: string; url: string }[] }[] };
      assert.deepEqual(t.methods, ['password']);
      assert.deepEqual(t.project, { domain: { id: 'default', name: 'Default' }, id: S.projectId, name: S.projectName });
      assert.equal((t.user as { name: string }).name, S.userName);
      assert.equal(Date.parse(t.expires_at as string) - Date.parse(t.issued_at as string), 7 * 24 * HOUR);
      assert.match(t.expires_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.deepEqual(t.catalog.map((s) => s.type).sort(), ['block-storage', 'compute', 'identity', 'image', 'network', 'volumev3']);
      for (const service of t.catalog) {
        assert.equal(service.endpoints.length, 6, service.type);
        assert.deepEqual([...new Set(service.endpoints.map((e) => e.region))], ['RegionOne', 'RegionTwo']);
        assert.deepEqual([...new Set(service.endpoints.map((e) => e.interface))].sort(), ['admin', 'internal', 'public']);
      }
      const volume = t.catalog.find((s) => s.type === 'volumev3');
      assert.equal(volume?.endpoints.find((e) => e.region === 'RegionTwo')?.url, endpoint('volume', 'RegionTwo'));
    });

    it('scopes by project id, and answers 401 with Keystone body to a wrong password', async () => {
      assert.equal((await passwordAuth(S.password, { project: { id: S.projectId } })).status, 201);
      const wrong = await passwordAuth('not the password');
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
      assert.equal(wrong.headers.get('x-subject-token'), null);
    });

    it('issues a token for an application credential by id and by name with its user', async () => {
      const url = `${sandbox.info.openstack.authUrl}/auth/tokens`;
      const byId = await request(url, {
        method: 'POST',
        token: null,
        body: { auth: { identity: { methods: ['application_credential'], application_credential: { id: S.applicationCredentialId, secret: S.applicationCredentialSecret } } } },
      });
      assert.equal(byId.status, 201);
      const t = byId.body.token as { methods: string[]; project: { id: string }; application_credential: { id: string } };
      assert.deepEqual(t.methods, ['application_credential']);
      assert.equal(t.project.id, S.projectId);
      assert.equal(t.application_credential.id, S.applicationCredentialId);
      const byName = await request(url, {
        method: 'POST',
        token: null,
        body: {
          auth: {
            identity: {
              methods: ['application_credential'],
              application_credential: { name: S.applicationCredentialName, secret: S.applicationCredentialSecret, user: { name: S.userName, domain: { name: 'Default' } } },
            },
          },
        },
      });
      assert.equal(byName.status, 201);
      const wrong = await request(url, {
        method: 'POST',
        token: null,
        body: { auth: { identity: { methods: ['application_credential'], application_credential: { id: S.applicationCredentialId, secret: 'nope' } } } },
      });
      assert.equal(wrong.status, 401);
    });

    it('a token expired early (mid-operation) or by its lifetime answers 401 with keystonemiddleware body on every service', async () => {
      assert.equal((await nova('/servers')).status, 200);
      os().expireTokens();
      for (const reply of [await nova('/servers'), await cinder('/volumes'), await glance('/v2/images')]) {
        assert.equal(reply.status, 401);
        assert.deepEqual(JSON.parse(reply.text), { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
        assert.equal(reply.headers.get('www-authenticate'), `Keystone uri="${origin()}/identity"`);
      }
      os().setTokenLifetime(60);
      token = (await passwordAuth()).headers.get('x-subject-token') ?? '';
      assert.equal((await nova('/servers')).status, 200);
      clock += 61_000;
      assert.equal((await nova('/servers')).status, 401);
      assert.equal((await nova('/servers', '2.60', { token: 'gAAAAAnot-a-token' })).status, 401);
    });

    it('tokens live an hour by default', async () => {
      os().reset();
      const t = (await passwordAuth()).body.token as { issued_at: string; expires_at: string };
      assert.equal(Date.parse(t.expires_at) - Date.parse(t.issued_at), HOUR);
    });

    it('leaves Cinder out of the catalog under the control', async () => {
      os().removeServices(['volumev3', 'block-storage']);
      const types = ((await passwordAuth()).body.token as { catalog: { type: string }[] }).catalog.map((s) => s.type);
      assert.ok(!types.includes('volumev3') && !types.includes('block-storage'));
      assert.ok(types.includes('compute'));
    });
  });

  describe('microversions', () => {
    it('answers the negotiated version in OpenStack-API-Version and refuses one above the maximum with 406, a malformed one with 400', async () => {
      const reply = await nova('/servers', '2.60');
      assert.equal(reply.headers.get('openstack-api-version'), 'compute 2.60');
      assert.equal(reply.headers.get('x-openstack-nova-api-version'), '2.60');
      const legacy = await request(`${endpoint('compute')}/servers`, { headers: { 'x-openstack-nova-api-version': '2.30' } });
      assert.equal(legacy.headers.get('openstack-api-version'), 'compute 2.30');
      const none = await request(`${endpoint('compute')}/servers`);
      assert.equal(none.headers.get('openstack-api-version'), 'compute 2.1');
      const tooHigh = await nova('/servers', '2.200');
      assert.equal(tooHigh.status, 406);
      assert.deepEqual(tooHigh.body, { computeFault: { code: 406, message: 'Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.96.' } });
      const malformed = await nova('/servers', '2.x');
      assert.equal(malformed.status, 400);
      assert.match((malformed.body.badRequest as { message: string }).message, /invalid format/);
    });

    it('a lowered maximum shows in the version documents and refuses what is above it', async () => {
      os().setMaxMicroversion({ compute: '2.40', volume: '3.30' });
      const doc = await request(endpoint('compute'), { token: null });
      assert.equal((doc.body.version as { version: string }).version, '2.40');
      const refused = await nova('/servers', '2.45');
      assert.equal(refused.status, 406);
      assert.match((refused.body.computeFault as { message: string }).message, /maximum is 2\.40/);
      assert.equal((await nova('/servers', 'latest')).headers.get('openstack-api-version'), 'compute 2.40');
      const volumeRefused = await cinder('/volumes', '3.40');
      assert.equal(volumeRefused.status, 406);
    });
  });

  describe('errors and paging', () => {
    it('writes each service in its own words: Nova and Cinder faults, Glance plain text', async () => {
      const missing = '00000000-0000-0000-0000-000000000000';
      const server = await nova(`/servers/${missing}`);
      assert.equal(server.status, 404);
      assert.deepEqual(server.body, { itemNotFound: { code: 404, message: `Instance ${missing} could not be found.` } });
      const volume = await cinder(`/volumes/${missing}`);
      assert.deepEqual(volume.body, { itemNotFound: { code: 404, message: `Volume ${missing} could not be found.` } });
      const image = await glance(`/v2/images/${missing}`);
      assert.equal(image.status, 404);
      assert.match(image.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(image.text, `404 Not Found\n\nNo image found with ID ${missing}\n\n   `);
    });

    it('pages Nova servers with limit and marker and servers_links, and refuses an unknown marker', async () => {
      const first = await nova('/servers/detail?limit=1');
      const servers = first.body.servers as { id: string }[];
      assert.equal(servers.length, 1);
      const links = first.body.servers_links as { rel: string; href: string }[];
      assert.equal(links[0].rel, 'next');
      const next = new URL(links[0].href);
      assert.equal(next.searchParams.get('marker'), servers[0].id);
      assert.equal(next.searchParams.get('limit'), '1');
      const second = await request(links[0].href, { headers: { 'openstack-api-version': 'compute 2.60' } });
      const ids = [servers[0].id, ...(second.body.servers as { id: string }[]).map((s) => s.id)];
      const inRegion = os()
        .servers()
        .filter((s) => s.region === 'RegionOne')
        .map((s) => s.id);
      assert.deepEqual(ids.sort(), inRegion.sort());
      const bad = await nova('/servers/detail?marker=nope');
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, { badRequest: { code: 400, message: 'marker [nope] not found' } });
      const two = await request(`${endpoint('compute', 'RegionTwo')}/servers`);
      assert.deepEqual((two.body.servers as { id: string }[]).map((s) => s.id), [S.edgeServer]);
    });

    it('pages Glance images with limit, marker and next, filtered by owner', async () => {
      const seen: string[] = [];
      let path: string | undefined = `/v2/images?limit=2&owner=${project}`;
      while (path !== undefined) {
        const reply = await glance(path);
        assert.equal(reply.status, 200);
        const images = reply.body.images as { id: string }[];
        assert.ok(images.length <= 2);
        seen.push(...images.map((i) => i.id));
        path = reply.body.next as string | undefined;
      }
      const owned = os()
        .images()
        .filter((i) => i.region === 'RegionOne' && i.owner === project)
        .map((i) => i.id);
      assert.deepEqual(seen.sort(), owned.sort());
      assert.ok(owned.length >= 3);
    });

    it('filters Cinder lists by name and status', async () => {
      const named = (await cinder('/volumes/detail?name=db-1-data')).body.volumes as { id: string }[];
      assert.deepEqual(named.map((v) => v.id), [S.dbDataVolume]);
      const inUse = (await cinder('/volumes?status=in-use')).body.volumes as { id: string }[];
      assert.deepEqual(sorted(inUse.map((v) => v.id)), sorted([S.dbDataVolume, S.dbRootVolume]));
    });

    it('pages Cinder snapshots with snapshots_links', async () => {
      const first = await cinder('/snapshots/detail?limit=2');
      assert.equal((first.body.snapshots as unknown[]).length, 2);
      const href = (first.body.snapshots_links as { href: string }[])[0].href;
      const rest = await request(href, { headers: { 'openstack-api-version': 'volume 3.60' } });
      assert.equal((rest.body.snapshots as unknown[]).length, os().snapshots().length - 2);
    });
  });

  describe('Nova', () => {
    it('createImage of a boot-from-image server: the image id in the body at 2.45+, in Location before; queued → saving → active with instance_uuid', async () => {
      const reply = await nova(`/servers/${S.webServer}/action`, '2.45', { method: 'POST', body: { createImage: { name: 'web-1-now', metadata: { reason: 'test' } } } });
      assert.equal(reply.status, 202);
      const imageId = reply.body.image_id as string;
      const image = os().state.images.get(imageId);
      assert.ok(image);
      assert.equal(image.status, 'queued');
      const during = (await nova(`/servers/${S.webServer}`)).body.server as Record<string, unknown>;
      assert.equal(during['OS-EXT-STS:task_state'], 'image_snapshot');
      const busy = await nova(`/servers/${S.webServer}/action`, '2.45', { method: 'POST', body: { createImage: { name: 'again' } } });
      assert.equal(busy.status, 409);
      assert.match((busy.body.conflictingRequest as { message: string }).message, /task_state image_snapshot/);
      clock += 1500;
      assert.equal(((await glance(`/v2/images/${imageId}`)).body as { status: string }).status, 'saving');
      settle();
      const shown = (await glance(`/v2/images/${imageId}`)).body;
      assert.equal(shown.status, 'active');
      assert.equal(shown.image_type, 'snapshot');
      assert.equal(shown.instance_uuid, S.webServer);
      assert.equal(shown.reason, 'test');
      assert.ok(os().diskMatchesImage(S.webServer, imageId));
      const old = await nova(`/servers/${S.webServer}/action`, '2.1', { method: 'POST', body: { createImage: { name: 'old-style' } } });
      assert.equal(old.status, 202);
      assert.equal(old.text, '');
      const location = old.headers.get('location') ?? '';
      assert.ok(os().state.images.has(location.split('/').at(-1) ?? ''), location);
    });

    it('createImage of a boot-from-volume server: Cinder snapshots of its volumes and an image mapping them', async () => {
      const reply = await nova(`/servers/${S.dbServer}/action`, '2.60', { method: 'POST', body: { createImage: { name: 'db-1-image' } } });
      const image = (await glance(`/v2/images/${reply.body.image_id as string}`)).body;
      const mapping = JSON.parse(image.block_device_mapping as string) as { snapshot_id: string; boot_index: number; source_type: string }[];
      assert.equal(mapping.length, 2);
      const volumes = mapping.map((m) => os().state.snapshots.get(m.snapshot_id)?.volumeId);
      assert.deepEqual(volumes, [S.dbRootVolume, S.dbDataVolume]);
      assert.deepEqual(mapping.map((m) => m.boot_index), [0, -1]);
      assert.equal(image.instance_uuid, S.dbServer);
      assert.equal(image.image_type, 'snapshot');
    });

    it('shows a boot-from-volume server with an empty image and its attached volumes', async () => {
      const server = (await nova(`/servers/${S.dbServer}`)).body.server as Record<string, unknown>;
      assert.equal(server.image, '');
      assert.equal(server['OS-EXT-AZ:availability_zone'], 'nova');
      assert.deepEqual((server['os-extended-volumes:volumes_attached'] as { id: string }[]).map((v) => v.id).sort(), [S.dbDataVolume, S.dbRootVolume].sort());
      const web = (await nova(`/servers/${S.webServer}`)).body.server as { image: { id: string } };
      assert.equal(web.image.id, S.baseImages.ubuntu);
    });

    it('rebuild resets the root disk to the image blocks: REBUILD then ACTIVE, or ERROR under the control', async () => {
      const imageId = S.webSnapshots[0];
      os().writeMiB(S.webServer, 50);
      assert.ok(!os().diskMatchesImage(S.webServer, imageId));
      const reply = await nova(`/servers/${S.webServer}/action`, '2.60', { method: 'POST', body: { rebuild: { imageRef: imageId } } });
      assert.equal(reply.status, 202);
      assert.equal((reply.body.server as { status: string }).status, 'REBUILD');
      assert.ok(os().diskMatchesImage(S.webServer, imageId));
      settle();
      const server = (await nova(`/servers/${S.webServer}`)).body.server as { status: string; image: { id: string } };
      assert.equal(server.status, 'ACTIVE');
      assert.equal(server.image.id, imageId);
      os().failNextRebuild();
      await nova(`/servers/${S.webServer}/action`, '2.60', { method: 'POST', body: { rebuild: { imageRef: S.webSnapshots[1] } } });
      const rebuilding = (await nova(`/servers/${S.webServer}`)).body.server as { status: string; fault?: unknown };
      assert.equal(rebuilding.status, 'REBUILD');
      assert.equal(rebuilding.fault, undefined);
      settle();
      assert.equal(os().state.servers.get(S.webServer)?.status, 'ERROR');
      const failed = (await nova(`/servers/${S.webServer}`)).body.server as { status: string; fault: { code: number; message: string; created: string } };
      assert.equal(failed.status, 'ERROR');
      assert.equal(failed.fault.code, 500);
      assert.match(failed.fault.message, /Failed to rebuild instance/);
      assert.match(failed.fault.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const volumeBacked = await nova(`/servers/${S.dbServer}/action`, '2.60', { method: 'POST', body: { rebuild: { imageRef: imageId } } });
      assert.equal(volumeBacked.status, 400);
    });

    it('os-stop and os-start walk the status; starting an active server is a 409', async () => {
      const conflictReply = await nova(`/servers/${S.webServer}/action`, '2.60', { method: 'POST', body: { 'os-start': null } });
      assert.equal(conflictReply.status, 409);
      assert.equal((await nova(`/servers/${S.webServer}/action`, '2.60', { method: 'POST', body: { 'os-stop': null } })).status, 202);
      settle();
      assert.equal(os().state.servers.get(S.webServer)?.status, 'SHUTOFF');
    });

    it('boots a copy from an instance snapshot (Launch Copy) with a flavor, network and key pair', async () => {
      const reply = await nova('/servers', '2.60', {
        method: 'POST',
        body: { server: { name: 'web-1-copy', imageRef: S.webSnapshots[1], flavorRef: S.flavors.small, networks: [{ uuid: S.networks.one }], key_name: S.keypair } },
      });
      assert.equal(reply.status, 202);
      const id = (reply.body.server as { id: string }).id;
      assert.equal(os().state.servers.get(id)?.status, 'BUILD');
      settle();
      assert.equal(((await nova(`/servers/${id}`)).body.server as { status: string }).status, 'ACTIVE');
      assert.ok(os().diskMatchesImage(id, S.webSnapshots[1]));
      const flavors = (await nova('/flavors/detail')).body.flavors as { name: string }[];
      assert.deepEqual(flavors.map((f) => f.name), ['m1.small', 'm1.medium']);
      const keypairs = (await nova('/os-keypairs')).body.keypairs as { keypair: { name: string } }[];
      assert.equal(keypairs[0].keypair.name, S.keypair);
      const networks = (await request(`${endpoint('network')}/v2.0/networks`)).body.networks as { id: string }[];
      assert.deepEqual(networks.map((n) => n.id), [S.networks.one]);
    });
  });

  describe('Cinder', () => {
    it('refuses a snapshot of an in-use volume without force before 3.66, as Cinder does', async () => {
      const refused = await cinder('/snapshots', '3.60', { method: 'POST', body: { snapshot: { volume_id: S.dbDataVolume, name: 'x' } } });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { badRequest: { code: 400, message: `Invalid volume: Volume ${S.dbDataVolume} status must be available, but current status is: in-use.` } });
      const forced = await cinder('/snapshots', '3.60', { method: 'POST', body: { snapshot: { volume_id: S.dbDataVolume, name: 'forced', force: true } } });
      assert.equal(forced.status, 202);
      assert.equal((forced.body.snapshot as { status: string }).status, 'creating');
      const later = await cinder('/snapshots', '3.66', { method: 'POST', body: { snapshot: { volume_id: S.dbDataVolume, name: 'no-force' } } });
      assert.equal(later.status, 202);
      settle();
      assert.equal(os().state.snapshots.get((forced.body.snapshot as { id: string }).id)?.status, 'available');
    });

    it('reverts only to the latest snapshot (3.40+), and resets the volume blocks', async () => {
      const volumeId = S.detachedVolume;
      os().writeMiB(volumeId, 16);
      const newer = await cinder('/snapshots', '3.60', { method: 'POST', body: { snapshot: { volume_id: volumeId, name: 'newer' } } });
      const newerId = (newer.body.snapshot as { id: string }).id;
      settle();
      const older = await cinder(`/volumes/${volumeId}/action`, '3.40', { method: 'POST', body: { revert: { snapshot_id: S.detachedSnapshot } } });
      assert.equal(older.status, 400);
      assert.deepEqual(older.body, { badRequest: { code: 400, message: `Specified snapshot ${S.detachedSnapshot} is not the latest one of volume ${volumeId}.` } });
      const tooOld = await cinder(`/volumes/${volumeId}/action`, '3.39', { method: 'POST', body: { revert: { snapshot_id: newerId } } });
      assert.equal(tooOld.status, 404);
      os().writeMiB(volumeId, 8);
      const blockId = os().state.snapshots.get(newerId)?.blockId ?? '';
      assert.ok(!diskEqualsSnapshot(volumeId, blockId));
      const reverted = await cinder(`/volumes/${volumeId}/action`, '3.40', { method: 'POST', body: { revert: { snapshot_id: newerId } } });
      assert.equal(reverted.status, 202);
      assert.equal(os().state.volumes.get(volumeId)?.status, 'reverting');
      assert.ok(diskEqualsSnapshot(volumeId, blockId));
      settle();
      assert.equal(((await cinder(`/volumes/${volumeId}`)).body.volume as { status: string }).status, 'available');
    });

    it('creates a volume from a snapshot (size at least the snapshot)', async () => {
      const small = await cinder('/volumes', '3.60', { method: 'POST', body: { volume: { snapshot_id: S.dbDataSnapshots[1], size: 10 } } });
      assert.equal(small.status, 400);
      const reply = await cinder('/volumes', '3.60', { method: 'POST', body: { volume: { snapshot_id: S.dbDataSnapshots[1], size: 60, name: 'restored' } } });
      assert.equal(reply.status, 202);
      const volume = reply.body.volume as { id: string; status: string; size: number; snapshot_id: string };
      assert.equal(volume.status, 'creating');
      assert.equal(volume.size, 60);
      assert.ok(diskEqualsSnapshot(volume.id, os().state.snapshots.get(S.dbDataSnapshots[1])?.blockId ?? ''));
    });

    it('stores the seeded backup chain incrementally: the full then only the changed blocks', async () => {
      const facts = S.backupChain.map((id) => os().backupFacts(id));
      assert.deepEqual(
        facts.map((f) => f.storedBytes),
        S.backupChainMiB.map((mib) => mib * MIB),
      );
      assert.deepEqual(facts.map((f) => f.parentId), [null, S.backupChain[0], S.backupChain[1]]);
      const listed = (await cinder('/backups/detail', '3.60')).body.backups as { id: string; is_incremental: boolean; has_dependent_backups: boolean; object_count: number }[];
      const full = listed.find((b) => b.id === S.backupChain[0]);
      const last = listed.find((b) => b.id === S.backupChain[2]);
      assert.equal(full?.is_incremental, false);
      assert.equal(full?.has_dependent_backups, true);
      assert.equal(last?.is_incremental, true);
      assert.equal(last?.has_dependent_backups, false);
      assert.equal(full?.object_count, 4);
      assert.equal(last?.object_count, 1);
    });

    it('a new incremental backup stores what changed since its parent; one without a full backup is refused', async () => {
      const changed = os().writeMiB(S.dbDataVolume, 12);
      const before = os().state.blocks.getDisk(S.dbDataVolume);
      assert.ok(before);
      const refusedForce = await cinder('/backups', '3.60', { method: 'POST', body: { backup: { volume_id: S.dbDataVolume, incremental: true } } });
      assert.equal(refusedForce.status, 400);
      assert.equal((refusedForce.body.badRequest as { message: string }).message, 'Invalid volume: Backing up an in-use volume must use the force flag.');
      const reply = await cinder('/backups', '3.60', { method: 'POST', body: { backup: { volume_id: S.dbDataVolume, incremental: true, force: true, name: 'incr-3' } } });
      assert.equal(reply.status, 202);
      const id = (reply.body.backup as { id: string }).id;
      const facts = os().backupFacts(id);
      assert.equal(facts.parentId, S.backupChain[2]);
      // The seed wrote 2 × 30 MiB after the last backup (for the snapshots), then 12 MiB here.
      assert.ok(facts.storedBytes >= changed && facts.storedBytes <= changed + 60 * MIB, String(facts.storedBytes));
      assert.ok(facts.storedBytes < os().backupFacts(S.backupChain[0]).storedBytes);
      const none = await cinder('/backups', '3.60', { method: 'POST', body: { backup: { volume_id: S.detachedVolume, incremental: true } } });
      assert.deepEqual(none.body, { badRequest: { code: 400, message: 'Invalid backup: No backups available to do an incremental backup.' } });
    });

    it('refuses a filter outside resource_filters.json from 3.33 (parent_id on backups), and drops it unseen before', async () => {
      const refused = await cinder(`/backups/detail?parent_id=${S.backupChain[1]}`, '3.60');
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { badRequest: { code: 400, message: 'Invalid filters parent_id are found in query options.' } });
      const two = await cinder(`/snapshots?parent_id=x&bogus=1&limit=5`, '3.33');
      assert.deepEqual(two.body, { badRequest: { code: 400, message: 'Invalid filters parent_id,bogus are found in query options.' } });
      // Before 3.33 a non-admin's unknown filter is dropped: the whole list comes back.
      const old = (await cinder(`/backups/detail?parent_id=${S.backupChain[1]}`, '3.32')).body.backups as { id: string }[];
      assert.deepEqual(sorted(old.map((b) => b.id)), sorted(os().backups().filter((b) => b.region === 'RegionOne').map((b) => b.id)));
      // The filters it does take: volume_id, name and status on backups; metadata and volume_id on snapshots; size and bootable on volumes.
      const byVolume = (await cinder(`/backups/detail?volume_id=${S.dbDataVolume}&status=available`, '3.60')).body.backups as { id: string }[];
      assert.deepEqual(sorted(byVolume.map((b) => b.id)), sorted([...S.backupChain]));
      const byName = (await cinder('/backups?name=db-1-data-incr-1', '3.60')).body.backups as { id: string }[];
      assert.deepEqual(byName.map((b) => b.id), [S.backupChain[1]]);
      const bySize = (await cinder('/volumes/detail?size=50&bootable=false', '3.60')).body.volumes as { id: string }[];
      assert.deepEqual(bySize.map((v) => v.id), [S.dbDataVolume]);
      const bySnapVolume = (await cinder(`/snapshots/detail?volume_id=${S.detachedVolume}`, '3.60')).body.snapshots as { id: string }[];
      assert.deepEqual(bySnapVolume.map((v) => v.id), [S.detachedSnapshot]);
      const metadata = await cinder(`/volumes/detail?metadata=${encodeURIComponent("{'purpose': 'postgres'}")}`, '3.60');
      assert.deepEqual((metadata.body.volumes as { id: string }[]).map((v) => v.id), [S.dbDataVolume]);
    });

    it("gives an incremental backup the parent Cinder picks: the volume's available backup with the latest data_timestamp (before the snapshot's, for a backup of a snapshot)", async () => {
      const post = async (backup: Record<string, unknown>) => {
        const reply = await cinder('/backups', '3.60', { method: 'POST', body: { backup: { volume_id: S.dbDataVolume, force: true, ...backup } } });
        assert.equal(reply.status, 202, reply.text);
        settle();
        return (reply.body.backup as { id: string }).id;
      };
      const full = await post({ name: 'full-now' });
      assert.equal(os().backupFacts(full).parentId, null);
      // From the latest seeded snapshot (4 days old): its data predates `full`, so the parent is the seeded chain's last.
      const latestSnap = os().state.snapshots.get(S.dbDataSnapshots[1]);
      assert.ok(latestSnap);
      const ofSnapshot = await post({ name: 'incr-of-snapshot', incremental: true, snapshot_id: latestSnap.id });
      assert.equal(os().backupFacts(ofSnapshot).parentId, S.backupChain[2]);
      const shown = (await cinder(`/backups/${ofSnapshot}`, '3.60')).body.backup as { data_timestamp: string; created_at: string; is_incremental: boolean };
      assert.equal(Date.parse(`${shown.data_timestamp}Z`), latestSnap.createdAt);
      assert.notEqual(shown.data_timestamp, shown.created_at);
      assert.equal(shown.is_incremental, true);
      // Made later, but its data is older than `full`'s: the next incremental's parent is `full`.
      const next = await post({ name: 'incr-after', incremental: true });
      assert.equal(os().backupFacts(next).parentId, full);
      const listed = (await cinder(`/backups/detail?volume_id=${S.dbDataVolume}`, '3.60')).body.backups as { id: string; has_dependent_backups: boolean }[];
      assert.equal(listed.find((b) => b.id === full)?.has_dependent_backups, true);
      assert.equal(listed.find((b) => b.id === ofSnapshot)?.has_dependent_backups, false);
    });

    it('refuses to delete a backup that incremental backups depend on, with Cinder message', async () => {
      const refused = await cinder(`/backups/${S.backupChain[0]}`, '3.60', { method: 'DELETE' });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { badRequest: { code: 400, message: 'Invalid backup: Incremental backups exist for this backup.' } });
      assert.equal((await cinder(`/backups/${S.backupChain[2]}`, '3.60', { method: 'DELETE' })).status, 202);
      assert.ok(!os().state.backups.has(S.backupChain[2]));
      assert.equal((await cinder(`/backups/${S.backupChain[1]}`, '3.60', { method: 'DELETE' })).status, 202);
      assert.equal((await cinder(`/backups/${S.backupChain[0]}`, '3.60', { method: 'DELETE' })).status, 202);
    });

    it('restores a backup to a new volume (restoring-backup → available) with the backup blocks, and refuses an in-use target', async () => {
      const reply = await cinder(`/backups/${S.backupChain[1]}/restore`, '3.60', { method: 'POST', body: { restore: { name: 'from-backup' } } });
      assert.equal(reply.status, 202);
      const restore = reply.body.restore as { backup_id: string; volume_id: string; volume_name: string };
      assert.equal(restore.backup_id, S.backupChain[1]);
      assert.equal(restore.volume_name, 'from-backup');
      assert.equal(os().state.volumes.get(restore.volume_id)?.status, 'restoring-backup');
      assert.equal(os().state.backups.get(S.backupChain[1])?.status, 'restoring');
      assert.ok(diskEqualsSnapshot(restore.volume_id, os().state.backups.get(S.backupChain[1])?.blockId ?? ''));
      settle();
      assert.equal(os().state.volumes.get(restore.volume_id)?.status, 'available');
      const inUse = await cinder(`/backups/${S.backupChain[1]}/restore`, '3.60', { method: 'POST', body: { restore: { volume_id: S.dbRootVolume } } });
      assert.equal(inUse.status, 400);
    });

    it('uploads a volume to Glance (os-volume_upload_image)', async () => {
      const reply = await cinder(`/volumes/${S.detachedVolume}/action`, '3.60', { method: 'POST', body: { 'os-volume_upload_image': { image_name: 'from-volume', disk_format: 'raw' } } });
      assert.equal(reply.status, 202);
      const imageId = (reply.body['os-volume_upload_image'] as { image_id: string }).image_id;
      assert.equal(os().state.volumes.get(S.detachedVolume)?.status, 'uploading');
      settle();
      assert.equal(os().state.images.get(imageId)?.status, 'active');
      assert.ok(os().diskMatchesImage(S.detachedVolume, imageId));
    });
  });

  describe('metadata', () => {
    it("replaces (PUT) and merges (POST) a server's, a volume's and a snapshot's metadata, and reads it back (GET)", async () => {
      const cases = [
        { call: (path: string, opts?: Parameters<typeof request>[1]) => nova(path, '2.60', opts), path: `/servers/${S.webServer}/metadata`, record: () => os().state.servers.get(S.webServer) },
        { call: (path: string, opts?: Parameters<typeof request>[1]) => cinder(path, '3.60', opts), path: `/volumes/${S.dbDataVolume}/metadata`, record: () => os().state.volumes.get(S.dbDataVolume) },
        { call: (path: string, opts?: Parameters<typeof request>[1]) => cinder(path, '3.60', opts), path: `/snapshots/${S.detachedSnapshot}/metadata`, record: () => os().state.snapshots.get(S.detachedSnapshot) },
      ];
      for (const c of cases) {
        const put = await c.call(c.path, { method: 'PUT', body: { metadata: { a: '1', 'b c': 'x,y=z' } } });
        assert.equal(put.status, 200, put.text);
        assert.deepEqual(put.body, { metadata: { a: '1', 'b c': 'x,y=z' } });
        assert.deepEqual(c.record()?.metadata, { a: '1', 'b c': 'x,y=z' });
        const post = await c.call(c.path, { method: 'POST', body: { metadata: { a: '2', d: '4' } } });
        assert.deepEqual(post.body, { metadata: { a: '2', 'b c': 'x,y=z', d: '4' } });
        assert.deepEqual((await c.call(c.path)).body, { metadata: c.record()?.metadata });
        assert.equal((await c.call(c.path, { method: 'PUT', body: { nope: {} } })).status, 400);
      }
      assert.equal((await cinder(`/volumes/00000000-0000-0000-0000-000000000000/metadata`, '3.60', { method: 'PUT', body: { metadata: {} } })).status, 404);
    });

    it("updates a backup's name (3.9) and metadata (3.43), and refuses what its microversion lacks", async () => {
      const id = S.backupChain[0];
      assert.equal((await cinder(`/backups/${id}`, '3.8', { method: 'PUT', body: { backup: { name: 'x' } } })).status, 404);
      const early = await cinder(`/backups/${id}`, '3.42', { method: 'PUT', body: { backup: { metadata: { k: 'v' } } } });
      assert.equal(early.status, 400);
      const reply = await cinder(`/backups/${id}`, '3.43', { method: 'PUT', body: { backup: { name: 'renamed', metadata: { k: 'v' } } } });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual((reply.body.backup as { name: string; metadata: unknown }).metadata, { k: 'v' });
      assert.equal(os().state.backups.get(id)?.name, 'renamed');
      assert.deepEqual(os().state.backups.get(id)?.metadata, { k: 'v' });
    });
  });

  describe('Glance', () => {
    it('an image ends killed under the control', async () => {
      os().killNextImage();
      const reply = await nova(`/servers/${S.webServer}/action`, '2.60', { method: 'POST', body: { createImage: { name: 'doomed' } } });
      const imageId = reply.body.image_id as string;
      clock += 1500;
      assert.equal(((await glance(`/v2/images/${imageId}`)).body as { status: string }).status, 'saving');
      settle();
      assert.equal(((await glance(`/v2/images/${imageId}`)).body as { status: string }).status, 'killed');
      assert.equal(os().state.killNextImage, false);
    });

    it('PATCH takes the JSON-patch media type only; name, tags and properties change; delete answers 204 and a protected image 403', async () => {
      const path = `/v2/images/${S.projectImage}`;
      const wrongType = await glance(path, { method: 'PATCH', body: [{ op: 'replace', path: '/name', value: 'x' }] });
      assert.equal(wrongType.status, 415);
      assert.match(wrongType.text, /^415 Unsupported Media Type\n\n/);
      const patched = await glance(path, {
        method: 'PATCH',
        headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
        body: [
          { op: 'replace', path: '/name', value: 'golden <b>2</b>' },
          { op: 'replace', path: '/tags', value: ['a', 'b'] },
          { op: 'add', path: '/release', value: '2026.1' },
        ],
      });
      assert.equal(patched.status, 200);
      const image = os().state.images.get(S.projectImage);
      assert.equal(image?.name, 'golden <b>2</b>');
      assert.deepEqual(image?.tags, ['a', 'b']);
      assert.equal(image?.properties.release, '2026.1');
      const readOnly = await glance(path, { method: 'PATCH', headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' }, body: [{ op: 'replace', path: '/status', value: 'active' }] });
      assert.equal(readOnly.status, 403);
      assert.equal((await glance(`/v2/images/${S.baseImages.ubuntu}`, { method: 'DELETE' })).status, 403);
      assert.equal((await glance(path, { method: 'DELETE' })).status, 204);
      assert.ok(!os().state.images.has(S.projectImage));
    });
  });

  describe('faults', () => {
    it('throttles with 429 overLimit and Retry-After, fails Glance with plain text, truncates a body', async () => {
      sandbox.setFaults({ next: { throttle: 1, actions: ['compute.listServersDetail'] } });
      const throttled = await nova('/servers/detail');
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers.get('retry-after'), '1');
      assert.deepEqual(throttled.body, { overLimit: { code: 429, message: 'This request was rate-limited.', retryAfter: '1' } });
      assert.equal((await nova('/servers/detail')).status, 200);
      sandbox.setFaults({ next: { serverError: 1, actions: ['image.listImages'] } });
      const failed = await glance('/v2/images');
      assert.equal(failed.status, 500);
      assert.match(failed.text, /^500 Internal Server Error\n\n/);
      sandbox.setFaults({ next: { malformed: 1, actions: ['volume.createSnapshot'] } });
      const cut = await cinder('/snapshots', '3.60', { method: 'POST', body: { snapshot: { volume_id: S.detachedVolume, name: 'cut' } } });
      assert.equal(cut.status, 202);
      assert.throws(() => JSON.parse(cut.text) as unknown);
      assert.ok(os().snapshots().some((s) => s.name === 'cut'));
      sandbox.setFaults({ regions: { RegionTwo: { code: 'Unavailable', message: 'Service Unavailable', status: 503 } } });
      const down = await request(`${endpoint('compute', 'RegionTwo')}/servers`);
      assert.equal(down.status, 503);
      assert.equal(down.headers.get('retry-after'), '1');
      assert.equal((await nova('/servers')).status, 200);
    });
  });

  describe('eventual consistency', () => {
    it('under visibilityLagMs a new snapshot, volume, server or image is left out of lists for that long, and shown by id meanwhile', async () => {
      sandbox.setFaults({ visibilityLagMs: 30_000 });
      const made = await cinder('/snapshots', '3.60', { method: 'POST', body: { snapshot: { volume_id: S.detachedVolume, name: 'lagging' } } });
      const id = (made.body.snapshot as { id: string }).id;
      const listed = async () => ((await cinder('/snapshots/detail', '3.60')).body.snapshots as { id: string }[]).map((x) => x.id);
      assert.ok(!(await listed()).includes(id));
      assert.equal((await cinder(`/snapshots/${id}`, '3.60')).status, 200);
      const image = await nova(`/servers/${S.webServer}/action`, '2.60', { method: 'POST', body: { createImage: { name: 'lagging-image' } } });
      const imageId = (image.body as { image_id: string }).image_id;
      assert.ok(!((await glance('/v2/images')).body.images as { id: string }[]).some((i) => i.id === imageId));
      clock += 31_000;
      assert.ok((await listed()).includes(id));
      assert.ok(((await glance('/v2/images')).body.images as { id: string }[]).some((i) => i.id === imageId));
    });
  });

  describe('control endpoints', () => {
    const control = (path: string, method: string, body?: unknown) =>
      request(`${origin()}/_sandbox/openstack/${path}`, { method, token: null, headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY }, body });

    it('writes to a volume, reads backup facts, and sets the controls over HTTP', async () => {
      const writes = await control(`volumes/${S.detachedVolume}/writes`, 'POST', { mib: 3 });
      assert.equal(writes.status, 200);
      assert.deepEqual(writes.body, { id: S.detachedVolume, changedBytes: 3 * MIB });
      const facts = await control(`backups/${S.backupChain[1]}`, 'GET');
      assert.deepEqual(facts.body, { ...os().backupFacts(S.backupChain[1]) });
      assert.equal((await control('backups/nope', 'GET')).status, 404);
      await control('catalog', 'PUT', { remove: ['image'] });
      assert.deepEqual(os().state.removedServices, ['image']);
      await control('max-microversion', 'PUT', { compute: '2.30' });
      assert.equal(os().state.maxMicroversion.compute, '2.30');
      assert.equal((await control('max-microversion', 'PUT', { compute: '2.999' })).status, 400);
      await control('kill-next-image', 'POST');
      await control('fail-next-rebuild', 'POST');
      assert.deepEqual([os().state.killNextImage, os().state.failNextRebuild], [true, true]);
      await control('expire-tokens', 'POST');
      assert.equal((await nova('/servers', '2.30')).status, 401);
      const withoutKey = await request(`${origin()}/_sandbox/openstack/expire-tokens`, { method: 'POST', token: null });
      assert.equal(withoutKey.status, 403);
    });
  });

  describe('state', () => {
    it('round-trips through the state file and writes clouds.yaml beside it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-os-state-'));
      const statePath = join(dir, 'state.json');
      try {
        const first = await startSandbox({ statePath, now: () => clock });
        const snap = first.clouds.openstack.state.createSnapshot({ region: 'RegionOne', volumeId: S.detachedVolume, name: 'kept', microversion: 60 });
        first.clouds.openstack.writeMiB(S.webServer, 4);
        const facts = first.clouds.openstack.backupFacts(S.backupChain[1]);
        const yaml = readFileSync(`${statePath}.clouds.yaml`, 'utf8');
        assert.match(yaml, /snapkeeper-sandbox:/);
        assert.ok(yaml.includes(`auth_url: "${first.info.openstack.authUrl}"`));
        assert.equal(first.info.openstack.cloudsYamlPath, `${statePath}.clouds.yaml`);
        await first.close();
        const second = await startSandbox({ statePath, now: () => clock });
        try {
          assert.equal(second.clouds.openstack.state.snapshots.get(snap.id)?.name, 'kept');
          assert.deepEqual(second.clouds.openstack.backupFacts(S.backupChain[1]), facts);
          assert.ok(second.clouds.openstack.state.blocks.hasSnapshot(snap.blockId));
        } finally {
          await second.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reset brings back the seeded estate (or an empty account)', async () => {
      const seeded = os().counts();
      await cinder('/snapshots', '3.60', { method: 'POST', body: { snapshot: { volume_id: S.detachedVolume, name: 'gone' } } });
      os().reset();
      assert.deepEqual({ ...os().counts(), tokens: 0 }, { ...seeded, tokens: 0 });
      assert.ok(!os().snapshots().some((s) => s.name === 'gone'));
      os().reset(false);
      assert.deepEqual([os().servers().length, os().volumes().length, os().backups().length], [0, 0, 0]);
      assert.equal(os().state.regions.length, 2);
    });
  });
});

describe('OpenStack sandbox: the benchmark estate and per-region latency', function () {
  this.timeout(60000);
  let sandbox: Sandbox;
  let token = '';
  const regions = ['RegionOne', 'RegionTwo', 'RegionThree'];

  before(async () => {
    sandbox = await startSandbox({ seed: false, clouds: { openstack: { extraRegions: ['RegionThree'] } } });
    const auth = await fetch(`${sandbox.info.openstack.authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: { identity: { methods: ['password'], password: { user: { name: S.userName, domain: { name: 'Default' }, password: S.password } } }, scope: { project: { id: S.projectId } } },
      }),
    });
    token = auth.headers.get('x-subject-token') ?? '';
    assert.equal(auth.status, 201);
  });

  after(async () => {
    await sandbox?.close();
  });

  const os = () => sandbox.clouds.openstack;
  const origin = () => new URL(sandbox.info.openstack.authUrl).origin;
  const cinderUrl = (region: string, path: string) => `${origin()}${region === 'RegionOne' ? '' : `/${region}`}/volume/v3/${S.projectId}${path}`;
  const get = async (url: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const reply = await fetch(url, { headers: { 'x-auth-token': token, 'openstack-api-version': 'volume 3.60' } });
    return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
  };

  it('adds the extra region to the catalog, the info and clouds.yaml, with a network and the public images', async () => {
    assert.deepEqual(sandbox.info.openstack.regions, regions);
    assert.match(readFileSync(sandbox.info.openstack.cloudsYamlPath, 'utf8'), /- "RegionThree"/);
    const catalog = (await (await fetch(`${sandbox.info.openstack.authUrl}/auth/catalog`, { headers: { 'x-auth-token': token } })).json()) as { catalog: { type: string; endpoints: { region: string; url: string }[] }[] };
    const cinder = catalog.catalog.find((s) => s.type === 'volumev3');
    assert.ok(cinder?.endpoints.some((e) => e.region === 'RegionThree' && e.url === cinderUrl('RegionThree', '')));
    assert.ok(os().state.networks.some((n) => n.region === 'RegionThree'));
    assert.equal(os().images().filter((i) => i.region === 'RegionThree' && i.visibility === 'public').length, 2);
  });

  it('makes N available volume snapshots over the volumes of every region at once, and only the missing ones when asked again', () => {
    const counts = os().benchmarkEstate({ snapshotsEach: 1200, volumesEach: 4 });
    assert.deepEqual(counts, { RegionOne: 1200, RegionTwo: 1200, RegionThree: 1200 });
    for (const region of regions) {
      const volumes = os().volumes().filter((v) => v.region === region);
      assert.equal(volumes.length, 4);
      const snaps = os().snapshots().filter((s) => s.region === region);
      assert.equal(snaps.length, 1200);
      assert.ok(snaps.every((s) => s.status === 'available' && volumes.some((v) => v.id === s.volumeId) && os().state.blocks.hasSnapshot(s.blockId)));
      assert.equal(new Set(snaps.map((s) => s.createdAt)).size, 1200);
    }
    assert.deepEqual(os().benchmarkEstate({ snapshotsEach: 1200, volumesEach: 4 }), counts);
    assert.equal(os().snapshots().length, 3600);
  });

  it('takes the estate over the control API too', async () => {
    const reply = await fetch(`${origin()}/_sandbox/openstack/bench-estate`, {
      method: 'POST',
      headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ snapshotsEach: 1200, volumesEach: 4 }),
    });
    assert.deepEqual(await reply.json(), { snapshots: { RegionOne: 1200, RegionTwo: 1200, RegionThree: 1200 } });
    assert.equal(os().snapshots().length, 3600);
    assert.throws(() => os().benchmarkEstate({ snapshotsEach: -1 }), /snapshotsEach/);
  });

  it("pages a region's snapshots as Cinder does: at most osapi_max_limit (1000) a page, snapshots_links while pages are full", async () => {
    const first = await get(cinderUrl('RegionThree', '/snapshots/detail'));
    assert.equal((first.body.snapshots as unknown[]).length, 1000);
    assert.equal((first.body.snapshots_links as { rel: string }[])[0].rel, 'next');
    const capped = await get(cinderUrl('RegionThree', '/snapshots/detail?limit=5000'));
    assert.equal((capped.body.snapshots as unknown[]).length, 1000);
    const seen: string[] = [];
    let url: string | undefined = cinderUrl('RegionThree', '/snapshots/detail?limit=500');
    let pages = 0;
    while (url !== undefined) {
      const page = await get(url);
      assert.equal(page.status, 200);
      seen.push(...(page.body.snapshots as { id: string }[]).map((s) => s.id));
      url = (page.body.snapshots_links as { rel: string; href: string }[] | undefined)?.find((l) => l.rel === 'next')?.href;
      pages++;
    }
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 1200);
    assert.deepEqual(sorted(seen), sorted(os().snapshots().filter((s) => s.region === 'RegionThree').map((s) => s.id)));
  });

  it("delays only the named region's service requests (not Keystone's, not another region's), and refuses an unknown region", async () => {
    os().setRegionLatency({ RegionThree: 2000 });
    try {
      let slowDone = false;
      const slow = get(cinderUrl('RegionThree', '/volumes')).then((r) => {
        slowDone = true;
        return r;
      });
      const fast = await get(cinderUrl('RegionOne', '/volumes'));
      assert.equal(fast.status, 200);
      const catalog = await fetch(`${sandbox.info.openstack.authUrl}/auth/catalog`, { headers: { 'x-auth-token': token } });
      assert.equal(catalog.status, 200);
      assert.equal(slowDone, false, 'RegionThree answered before its own delay');
      assert.equal((await slow).status, 200);
      assert.deepEqual(os().state.regionLatencyMs, { RegionThree: 2000 });
    } finally {
      os().setRegionLatency({});
    }
    assert.throws(() => os().setRegionLatency({ Atlantis: 10 }), /no region Atlantis/);
    const control = await fetch(`${origin()}/_sandbox/openstack/region-latency`, {
      method: 'PUT',
      headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: { RegionTwo: -5 } }),
    });
    assert.equal(control.status, 400);
    const set = await fetch(`${origin()}/_sandbox/openstack/region-latency`, {
      method: 'PUT',
      headers: { [SANDBOX_KEY_HEADER]: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: { RegionTwo: 0 } }),
    });
    assert.deepEqual(await set.json(), { regionLatencyMs: { RegionTwo: 0 } });
  });
});
