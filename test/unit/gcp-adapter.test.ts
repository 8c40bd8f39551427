/** Pure parts of the GCP adapter: mapping, ids, names/labels, error translation, discovery. */
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverAdc } from '../../src/adapters/gcp/auth';
import { toCloudError, SIGN_IN_COMMAND } from '../../src/adapters/gcp/errors';
import { multiRegionOf, parsePath, pathOf } from '../../src/adapters/gcp/ids';
import { buildInventory } from '../../src/adapters/gcp/inventory';
import { checkName, stamp, toLabels, validName } from '../../src/adapters/gcp/names';
import { operationError } from '../../src/adapters/gcp/requests';

const H = 'https://compute.googleapis.com/compute/v1/';

describe('gcp adapter: ids and names', () => {
  it('paths from selfLinks and their parts', () => {
    assert.equal(pathOf(`${H}projects/p/zones/z-a/disks/d`), 'projects/p/zones/z-a/disks/d');
    assert.deepEqual(parsePath('projects/p/regions/r1/disks/d'), { project: 'p', region: 'r1', collection: 'disks', name: 'd' });
    assert.deepEqual(parsePath('projects/p/global/snapshots/s'), { project: 'p', collection: 'snapshots', name: 's' });
    assert.equal(parsePath('../../etc/passwd'), undefined);
    assert.equal(multiRegionOf('europe-west1'), 'eu');
    assert.equal(multiRegionOf('us-east1'), 'us');
  });

  it('names follow RFC 1035; default snapshot names are <disk>-<yyyymmdd-hhmm>', () => {
    assert.equal(stamp(new Date(Date.UTC(2026, 10, 22, 9, 5))), '20261122-0905');
    assert.equal(validName('Web_1 Data', '20261122-0905'), 'web-1-data-20261122-0905');
    assert.equal(validName('9lives', 'x'), 'lives-x');
    assert.ok(validName('a'.repeat(100), '20261122-0905').length <= 63);
    assert.throws(() => checkName('Bad_Name', 'Snapshot'), /lower-case/);
    assert.throws(() => checkName('ends-', 'Snapshot'));
  });

  it('labels: lower-case keys starting with a letter, ≤ 63 characters', () => {
    assert.deepEqual(toLabels([{ key: 'env', value: 'prod' }, { key: 'empty', value: '' }]), { env: 'prod', empty: '' });
    assert.throws(() => toLabels([{ key: 'Env', value: 'x' }]), /Label key/);
    assert.throws(() => toLabels([{ key: '1x', value: 'x' }]), /Label key/);
    assert.throws(() => toLabels([{ key: 'k', value: 'A' }]), /at most 63/);
    assert.throws(() => toLabels([{ key: 'k'.repeat(64), value: '' }]), /Label key/);
  });
});

describe('gcp adapter: mapping', () => {
  const vm = {
    name: 'web-1',
    selfLink: `${H}projects/p/zones/us-central1-a/instances/web-1`,
    status: 'RUNNING',
    machineType: `${H}projects/p/zones/us-central1-a/machineTypes/e2-medium`,
    disks: [
      { source: `${H}projects/p/zones/us-central1-a/disks/data`, deviceName: 'data', boot: false },
      { source: `${H}projects/p/zones/us-central1-a/disks/boot`, deviceName: 'boot', boot: true, guestOsFeatures: [{ type: 'WINDOWS' }] },
    ],
  };
  const disks = [
    { name: 'data', selfLink: `${H}projects/p/zones/us-central1-a/disks/data`, sizeGb: '100', status: 'READY', type: `${H}projects/p/zones/us-central1-a/diskTypes/pd-ssd`, users: [vm.selfLink], resourcePolicies: [`${H}projects/p/regions/us-central1/resourcePolicies/daily-backup`] },
    { name: 'boot', selfLink: `${H}projects/p/zones/us-central1-a/disks/boot`, sizeGb: '20', status: 'READY', users: [vm.selfLink], diskEncryptionKey: { kmsKeyName: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' } },
    { name: 'shared', selfLink: `${H}projects/p/regions/us-central1/disks/shared`, sizeGb: '200', status: 'READY', replicaZones: [`${H}projects/p/zones/us-central1-a`, `${H}projects/p/zones/us-central1-f`] },
  ];
  const snaps = [
    { name: 's1', selfLink: `${H}projects/p/global/snapshots/s1`, sourceDisk: disks[0].selfLink, sourceDiskId: '1', diskSizeGb: '100', storageBytes: '1048576', storageBytesStatus: 'UP_TO_DATE', status: 'READY', creationTimestamp: '2026-11-01T00:00:00.000-07:00', snapshotType: 'STANDARD', storageLocations: ['us'] },
    { name: 's2', selfLink: `${H}projects/p/global/snapshots/s2`, sourceDisk: disks[0].selfLink, sourceDiskId: '1', diskSizeGb: '100', storageBytes: '0', storageBytesStatus: 'UPDATING', status: 'UPLOADING', creationTimestamp: '2026-11-02T00:00:00.000-07:00', snapshotType: 'STANDARD' },
    { name: 'orphan', selfLink: `${H}projects/p/global/snapshots/orphan`, diskSizeGb: '10', storageBytes: '5', status: 'READY', snapshotType: 'ARCHIVE' },
  ];

  it('VMs, disks, snapshots: boot first, attachments, encryption, schedule, stored bytes (undefined while UPDATING), scopes', () => {
    const inv = buildInventory([vm], disks, snaps, [], []);
    const v = inv.vms[0];
    assert.deepEqual(v.diskIds, ['projects/p/zones/us-central1-a/disks/boot', 'projects/p/zones/us-central1-a/disks/data']);
    assert.equal(v.platform, 'windows');
    assert.equal(v.state, 'running');
    assert.equal(v.scopeId, 'p/us-central1-a');
    const [data, boot, shared] = inv.disks;
    assert.equal(data.sizeGiB, 100);
    assert.equal(data.diskType, 'pd-ssd');
    assert.deepEqual(data.attachments, [{ vmId: 'projects/p/zones/us-central1-a/instances/web-1', device: 'data', boot: false }]);
    assert.ok(data.details?.some((d) => d.label === 'Snapshot schedule' && d.value === 'daily-backup'));
    assert.equal(boot.kmsKeyId, 'projects/p/locations/l/keyRings/r/cryptoKeys/k');
    assert.equal(shared.scopeId, 'p/us-central1');
    assert.ok(shared.details?.some((d) => d.value === 'us-central1-a, us-central1-f'));
    const [s1, s2, orphan] = inv.snapshots;
    assert.equal(s1.storedBytes, 1048576);
    assert.equal(s1.scopeId, 'p/us-central1-a');
    assert.equal(s1.gcp.next?.name, 's2');
    assert.equal(s2.storedBytes, undefined);
    assert.ok(s2.details?.some((d) => /updating/.test(d.value)));
    assert.equal(s2.phase, 'pending');
    assert.equal(orphan.scopeId, 'p/global');
    assert.equal(orphan.storageTier, 'archive');
    assert.equal(s1.gcp.attachedTo?.[0]?.deviceName, 'data');
  });
});

describe('gcp adapter: errors', () => {
  const adc = { mode: 'adc' as const };
  it('maps HTTP statuses and reasons to kinds with helpful messages', () => {
    const e401 = toCloudError({ status: 401, message: 'Request had invalid authentication credentials' }, adc);
    assert.equal(e401.kind, 'expired');
    assert.equal(e401.signInCommand, SIGN_IN_COMMAND);
    const off = toCloudError({ status: 403, reason: 'SERVICE_DISABLED', message: 'Compute Engine API has not been used in project 123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=123 then retry.' }, adc, 'p');
    assert.equal(off.kind, 'auth');
    assert.match(off.message, /not enabled for project p.*https:\/\/console\.developers\.google\.com/);
    const perm = toCloudError({ status: 403, message: "Required 'compute.snapshots.create' permission for 'projects/p/global/snapshots/s'" }, adc);
    assert.match(perm.message, /compute\.snapshots\.create/);
    assert.equal(toCloudError({ grpcCode: 5, message: 'not found' }, adc).kind, 'notFound');
    assert.equal(toCloudError({ status: 409, message: 'already exists' }, adc).kind, 'invalid');
    assert.equal(toCloudError({ status: 400, message: "The disk resource 'x' is already being used by 'y'" }, adc).kind, 'inUse');
    assert.equal(toCloudError({ status: 429, message: 'Rate Limit Exceeded' }, adc).kind, 'throttled');
    assert.equal(toCloudError({ status: 503, message: 'Backend Error' }, adc).kind, 'server');
    assert.equal(toCloudError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, adc).kind, 'network');
    assert.equal(toCloudError({ name: 'SyntaxError', message: 'Unexpected end of JSON input' }, adc).kind, 'malformed');
    assert.equal(toCloudError({ message: 'Could not load the default credentials.' }, adc).kind, 'expired');
    assert.doesNotMatch(toCloudError({ status: 400, message: 'Bearer ya29.secret-token' }, adc).message, /secret/);
  });

  it('an operation DONE with an error is an error; DONE without one is not', () => {
    assert.match(operationError({ status: 'DONE', error: { errors: [{ code: 'INTERNAL_ERROR', message: 'boom' }] } }) ?? '', /boom \(INTERNAL_ERROR\)/);
    assert.equal(operationError({ status: 'DONE' }), undefined);
    assert.equal(operationError({ status: 'RUNNING' }), undefined);
  });
});

describe('gcp adapter: account discovery', () => {
  it('offers ADC with who is signed in, or nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcloud-'));
    assert.deepEqual(discoverAdc({ CLOUDSDK_CONFIG: dir }), []);
    writeFileSync(join(dir, 'application_default_credentials.json'), JSON.stringify({ type: 'authorized_user', client_id: 'x', refresh_token: 'secret', quota_project_id: 'qp' }));
    mkdirSync(join(dir, 'configurations'));
    writeFileSync(join(dir, 'active_config'), 'work');
    writeFileSync(join(dir, 'configurations', 'config_work'), '[core]\naccount = ada@example.com\nproject = p1\n');
    const [c] = discoverAdc({ CLOUDSDK_CONFIG: dir });
    assert.equal(c.description, 'ada@example.com');
    assert.deepEqual(c.settings, { auth: 'adc', project: 'qp' });
    assert.equal(c.chooseScopes, true);
    assert.equal(c.scopeNoun, 'project');
    assert.doesNotMatch(JSON.stringify(c), /secret/);
    const sa = join(dir, 'sa.json');
    writeFileSync(sa, JSON.stringify({ type: 'service_account', client_email: 'bot@p.iam.gserviceaccount.com', private_key: 'secret' }));
    assert.equal(discoverAdc({ CLOUDSDK_CONFIG: dir, GOOGLE_APPLICATION_CREDENTIALS: sa })[0].description, 'bot@p.iam.gserviceaccount.com');
  });
});
