/** Unit tests of the AWS sandbox's pieces: XML, parameters, filters, paging, timing, SigV4, faults. */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Ec2Error } from '../../src/sandbox/aws/errors';
import { QueryParams } from '../../src/sandbox/aws/params';
import { applyFilters, checkPagingWithIds, paginate, pageSize } from '../../src/sandbox/aws/query';
import { parseAmzDate, parseAuthorization, verifySignature } from '../../src/sandbox/aws/sigv4';
import { AwsState } from '../../src/sandbox/aws/state';
import { seedEstate } from '../../src/sandbox/aws/seed';
import { actionParameters, handleEc2, SUPPORTED_ACTIONS } from '../../src/sandbox/aws/wire';
import { el, errorDocument, escapeXml, itemSet } from '../../src/sandbox/aws/xml';
import { FaultInjector, normaliseFaults } from '../../src/sandbox/faults';

describe('sandbox internals', () => {
  describe('XML', () => {
    it('escapes every markup character, and carriage returns', () => {
      assert.equal(escapeXml(`<a href="x">&'\r`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;');
      assert.equal(el('name', `<script>`), '<name>&lt;script&gt;</name>');
      assert.equal(el('empty', ''), '<empty/>');
      assert.equal(el('missing', undefined), '');
      assert.equal(itemSet('tagSet', []), '<tagSet/>');
      assert.equal(
        errorDocument('X', 'a<b', 'r-1'),
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>X</Code><Message>a&lt;b</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
      );
    });
  });

  describe('query parameters', () => {
    it('reads 1-based lists and nested structures in numeric order', () => {
      const p = QueryParams.fromForm(
        'Action=DescribeSnapshots&SnapshotId.10=s10&SnapshotId.2=s2&SnapshotId.1=s1' +
          '&Filter.1.Name=tag%3AName&Filter.1.Value.1=a+b&Filter.1.Value.2=c&Filter.2.Name=status&Filter.2.Value.1=pending' +
          '&InstanceSpecification.InstanceId=i-1&InstanceSpecification.ExcludeBootVolume=true&MaxResults=5',
      );
      assert.deepEqual(p.list('SnapshotId'), ['s1', 's2', 's10']);
      const filters = p.structs('Filter').map((f) => ({ name: f.str('Name'), values: f.list('Value') }));
      assert.deepEqual(filters, [
        { name: 'tag:Name', values: ['a b', 'c'] },
        { name: 'status', values: ['pending'] },
      ]);
      assert.equal(p.sub('InstanceSpecification').str('InstanceId'), 'i-1');
      assert.equal(p.sub('InstanceSpecification').bool('ExcludeBootVolume'), true);
      assert.equal(p.int('MaxResults'), 5);
      assert.throws(() => QueryParams.fromForm('MaxResults=five').int('MaxResults'), Ec2Error);
    });
  });

  describe('filters and paging', () => {
    const items = [
      { seq: 1, name: 'alpha', tags: [{ key: 'Name', value: 'web-1' }] },
      { seq: 2, name: 'beta', tags: [{ key: 'Name', value: 'db?1' }] },
      { seq: 3, name: 'gamma', tags: [] },
    ];
    const fields = (item: (typeof items)[number]) => [item.name];

    it('matches wildcards, tag filters and escaped wildcard characters', () => {
      assert.deepEqual(applyFilters(items, [{ name: 'name', values: ['*a'] }], ['name'], fields).map((i) => i.seq), [1, 2, 3]);
      assert.deepEqual(applyFilters(items, [{ name: 'name', values: ['?eta'] }], ['name'], fields).map((i) => i.seq), [2]);
      assert.deepEqual(applyFilters(items, [{ name: 'tag:Name', values: ['web-*'] }], [], fields).map((i) => i.seq), [1]);
      assert.deepEqual(applyFilters(items, [{ name: 'tag:Name', values: ['db\\?1'] }], [], fields).map((i) => i.seq), [2]);
      assert.deepEqual(applyFilters(items, [{ name: 'tag-key', values: ['Name'] }], [], fields).map((i) => i.seq), [1, 2]);
      assert.throws(() => applyFilters(items, [{ name: 'size', values: ['1'] }], ['name'], fields), /The filter 'size' is invalid/);
    });

    it('pages with opaque tokens tied to their action', () => {
      const many = Array.from({ length: 12 }, (_, i) => ({ seq: i + 1 }));
      const first = paginate(many, 'DescribeSnapshots', 5, undefined);
      assert.deepEqual(first.items.map((i) => i.seq), [1, 2, 3, 4, 5]);
      const second = paginate(many, 'DescribeSnapshots', 5, first.nextToken);
      const third = paginate(many, 'DescribeSnapshots', 5, second.nextToken);
      assert.deepEqual(third.items.map((i) => i.seq), [11, 12]);
      assert.equal(third.nextToken, undefined);
      assert.throws(() => paginate(many, 'DescribeVolumes', 5, first.nextToken), { code: 'InvalidPaginationToken' });
      assert.equal(paginate(many, 'DescribeSnapshots', undefined, undefined).items.length, 12);
    });

    // Each rule as PAGE_RULES cites it (botocore's documentation of MaxResults, awscli's page size).
    it('caps MaxResults above the maximum where EC2 caps, refuses it where EC2 refuses', () => {
      const many = Array.from({ length: 1200 }, (_, i) => ({ seq: i + 1 }));
      const volumes = paginate(many, 'DescribeVolumes', 1000, undefined);
      assert.equal(volumes.items.length, 500, 'DescribeVolumes: "only 500 results are returned"');
      assert.ok(volumes.nextToken);
      assert.equal(paginate(many, 'DescribeVolumes', 1000, volumes.nextToken).items[0].seq, 501);
      assert.equal(paginate(many, 'DescribeSnapshots', 5000, undefined).items.length, 1000, 'DescribeSnapshots caps at 1,000');
      assert.equal(pageSize('DescribeSnapshots', 1000), 1000);
      assert.throws(() => pageSize('DescribeInstances', 1001), { code: 'InvalidParameterValue', message: /less than or equal to 1000/ });
      assert.throws(() => pageSize('DescribeImages', 1001), { code: 'InvalidParameterValue' });
      assert.throws(() => pageSize('DescribeReplaceRootVolumeTasks', 51), { code: 'InvalidParameterValue' });
      assert.equal(pageSize('DescribeReplaceRootVolumeTasks', 50), 50);
    });

    it('refuses MaxResults below the minimum with EC2\'s message', () => {
      for (const op of ['DescribeInstances', 'DescribeVolumes', 'DescribeSnapshots']) {
        assert.throws(() => pageSize(op, 4), {
          code: 'InvalidParameterValue',
          message: 'Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
        });
        assert.equal(pageSize(op, 5), 5);
      }
      assert.throws(() => pageSize('DescribeImages', 0), { code: 'InvalidParameterValue' });
      assert.equal(pageSize('DescribeImages', 1), 1);
    });

    it('refuses MaxResults with explicit ids for instances, volumes and snapshots only', () => {
      for (const [op, list] of [['DescribeInstances', 'instancesSet'], ['DescribeVolumes', 'volumeSet'], ['DescribeSnapshots', 'snapshotSet']]) {
        assert.throws(() => checkPagingWithIds(op, ['x-1'], 5), {
          code: 'InvalidParameterCombination',
          message: `The parameter ${list} cannot be used with the parameter maxResults`,
        });
        checkPagingWithIds(op, ['x-1'], undefined);
        checkPagingWithIds(op, [], 5);
      }
      checkPagingWithIds('DescribeImages', ['ami-1'], 5);
    });
  });

  describe('time-driven states', () => {
    it('reports rising progress, completion and volume/task states from the clock', () => {
      let now = Date.UTC(2025, 5, 1);
      const state = new AwsState({
        now: () => now,
        timing: { snapshotBaseMs: 1000, snapshotMsPerGiB: 4000, snapshotMaxMs: 3000, volumeMs: 500, taskMs: 2000 },
      });
      seedEstate(state);
      const volume = state.describeVolumes('us-east-1', {}).items[0];
      state.writeMiB('us-east-1', volume.id, 256); // 0.25 GiB → 1000 + 1000 ms
      const snap = state.createSnapshot('us-east-1', { volumeId: volume.id });
      assert.equal(snap.completeAt - snap.startTime, 2000);
      assert.deepEqual(state.snapshotStatus(snap), { status: 'pending', progress: '0%' });
      now += 1000;
      assert.deepEqual(state.snapshotStatus(snap), { status: 'pending', progress: '49%' });
      now += 1000;
      assert.deepEqual(state.snapshotStatus(snap), { status: 'completed', progress: '100%' });
      // Durations are clamped to the maximum.
      state.writeMiB('us-east-1', volume.id, 2048);
      const big = state.createSnapshot('us-east-1', { volumeId: volume.id });
      assert.equal(big.completeAt - big.startTime, 3000);

      const created = state.createVolume('us-east-1', { availabilityZone: 'us-east-1a', size: 1 });
      assert.equal(state.volumeStatus(created), 'creating');
      now += 500;
      assert.equal(state.volumeStatus(created), 'available');
    });

    it('answers DryRun with DryRunOperation', () => {
      const state = new AwsState();
      seedEstate(state);
      const response = handleEc2(state, 'us-east-1', QueryParams.fromForm('Action=DescribeVolumes&DryRun=true'), 'req');
      assert.equal(response.status, 412);
      assert.match(response.body, /<Code>DryRunOperation<\/Code>/);
      const unknown = handleEc2(state, 'us-east-1', QueryParams.fromForm('Action=RunInstances'), 'req');
      assert.match(unknown.body, /<Code>InvalidAction<\/Code>/);
    });

    // EC2 API Reference, error codes: UnknownParameter; the parameter lists come from botocore's model.
    it('refuses a parameter the action does not have, accepts every modelled one', () => {
      const state = new AwsState();
      seedEstate(state);
      const ask = (form: string) => handleEc2(state, 'us-east-1', QueryParams.fromForm(form), 'req');
      const typo = ask('Action=DescribeVolumes&Version=2016-11-15&VolumeIds.1=vol-1');
      assert.equal(typo.status, 400);
      assert.match(typo.body, /<Code>UnknownParameter<\/Code><Message>The parameter VolumeIds is not recognized<\/Message>/);
      assert.match(ask('Action=DeleteSnapshot&SnapshotId=snap-1&Force=true').body, /The parameter Force is not recognized/);
      // Modelled but unused here, and query-string authentication: accepted.
      const ok = ask(
        'Action=DescribeVolumes&Version=2016-11-15&IncludeManagedResources=true&Filter.1.Name=status&Filter.1.Value.1=available' +
          '&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20250101T000000Z',
      );
      assert.equal(ok.status, 200, ok.body);
      for (const action of SUPPORTED_ACTIONS) {
        assert.ok(actionParameters(action), `${action} has its parameter list`);
      }
    });

    it('creates a volume in a zone named by its id, refuses both or an unknown id', () => {
      const state = new AwsState();
      seedEstate(state);
      const ask = (form: string) => handleEc2(state, 'us-east-1', QueryParams.fromForm(`Action=CreateVolume&Size=1&${form}`), 'req');
      const info = state.region('us-east-1');
      assert.ok(info);
      const byId = ask(`AvailabilityZoneId=${info.zoneIds[1]}`);
      assert.equal(byId.status, 200, byId.body);
      assert.match(byId.body, new RegExp(`<availabilityZone>${info.zones[1]}</availabilityZone>`));
      assert.match(ask(`AvailabilityZoneId=${info.zoneIds[1]}&AvailabilityZone=${info.zones[1]}`).body, /<Code>InvalidParameterCombination<\/Code>/);
      assert.match(ask('AvailabilityZoneId=nowhere-az9').body, /<Code>InvalidParameterValue<\/Code>/);
      assert.match(ask('VolumeType=gp3').body, /<Code>MissingParameter<\/Code>/);
    });

    it('answers MaxResults=1000 on DescribeVolumes with 500 (what the AWS CLI sends)', () => {
      const state = new AwsState();
      seedEstate(state);
      for (let i = 0; i < 6; i++) {
        state.createVolume('us-east-1', { availabilityZone: 'us-east-1a', size: 1 });
      }
      const all = handleEc2(state, 'us-east-1', QueryParams.fromForm('Action=DescribeVolumes&MaxResults=1000'), 'req');
      assert.equal(all.status, 200, all.body);
      assert.doesNotMatch(all.body, /<nextToken>/);
      const five = handleEc2(state, 'us-east-1', QueryParams.fromForm('Action=DescribeVolumes&MaxResults=5'), 'req');
      assert.equal((five.body.match(/<createTime>/g) ?? []).length, 5);
      assert.match(five.body, /<nextToken>/);
      const withIds = handleEc2(state, 'us-east-1', QueryParams.fromForm('Action=DescribeVolumes&MaxResults=5&VolumeId.1=vol-1'), 'req');
      assert.match(withIds.body, /<Code>InvalidParameterCombination<\/Code>/);
    });

    it('seeds the same estate every time', () => {
      const a = new AwsState();
      const b = new AwsState();
      seedEstate(a);
      seedEstate(b);
      const ids = (s: AwsState) => s.describeSnapshots('us-west-2', {}).items.map((x) => [x.id, s.storedBytes('us-west-2', x.id)]);
      assert.deepEqual(ids(a), ids(b));
      assert.ok(ids(a).length >= 5);
    });
  });

  describe('SigV4 header parsing', () => {
    it('reads the credential scope and signed headers', () => {
      const auth = parseAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250106/eu-west-1/ec2/aws4_request, ' +
          'SignedHeaders=content-type;host;x-amz-date, Signature=' + 'a'.repeat(64),
      );
      assert.deepEqual(auth, {
        accessKeyId: 'AKIDEXAMPLE',
        scopeDate: '20250106',
        region: 'eu-west-1',
        service: 'ec2',
        signedHeaders: ['content-type', 'host', 'x-amz-date'],
        signature: 'a'.repeat(64),
      });
      assert.equal(parseAuthorization('Bearer x'), undefined);
      assert.equal(parseAmzDate('20250106T090102Z')?.toISOString(), '2025-01-06T09:01:02.000Z');
    });
  });

  describe('SigV4 verification', () => {
    const secret = 'snapkeeper/sandbox/secret/key/not-a-real-secret';
    const body = 'Action=DescribeRegions&Version=2016-11-15';
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

    /** Signs like botocore (the AWS CLI): no x-amz-content-sha256 header, written out by hand. */
    function cliRequest() {
      const headers: Record<string, string> = {
        host: '127.0.0.1:45999',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-amz-date': '20261122T032137Z',
        'user-agent': 'aws-cli/1.45.11',
      };
      const canonical = [
        'POST',
        '/',
        '',
        `content-type:${headers['content-type']}`,
        `host:${headers.host}`,
        `x-amz-date:${headers['x-amz-date']}`,
        '',
        'content-type;host;x-amz-date',
        sha(body),
      ].join('\n');
      const scope = '20261122/us-east-1/ec2/aws4_request';
      const toSign = ['AWS4-HMAC-SHA256', headers['x-amz-date'], scope, sha(canonical)].join('\n');
      let key = hmac(`AWS4${secret}`, '20261122');
      for (const part of ['us-east-1', 'ec2', 'aws4_request']) {
        key = hmac(key, part);
      }
      const signature = hmac(key, toSign).toString('hex');
      headers.authorization =
        `AWS4-HMAC-SHA256 Credential=AKIASNAPKEEPERSANDBOX/${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`;
      return headers;
    }

    it('accepts a request signed by another SigV4 implementation, and only the exact request', async () => {
      const headers = cliRequest();
      const auth = parseAuthorization(headers.authorization);
      assert.ok(auth);
      const request = { method: 'POST', path: '/', query: {}, headers, body: Buffer.from(body) };
      assert.equal(await verifySignature(request, auth, secret), true);
      assert.equal(await verifySignature({ ...request, body: Buffer.from(`${body}&DryRun=true`) }, auth, secret), false);
      assert.equal(await verifySignature({ ...request, headers: { ...headers, host: 'elsewhere' } }, auth, secret), false);
      assert.equal(await verifySignature(request, auth, 'another-secret'), false);
      assert.equal(await verifySignature(request, { ...auth, region: 'eu-west-1' }, secret), false);
    });
  });

  describe('faults', () => {
    it('fires one-shot faults in order, for the named actions only', () => {
      const faults = new FaultInjector({ next: { throttle: 1, malformed: 1, actions: ['CreateSnapshot'] } });
      assert.equal(faults.decide('DescribeSnapshots', 'us-east-1').kind, 'none');
      assert.equal(faults.decide('CreateSnapshot', 'us-east-1').kind, 'throttle');
      assert.equal(faults.decide('CreateSnapshot', 'us-east-1').kind, 'malformed');
      assert.equal(faults.decide('CreateSnapshot', 'us-east-1').kind, 'none');
      assert.deepEqual(faults.get().next, { throttle: 0, malformed: 0, actions: ['CreateSnapshot'] });
    });

    it('draws rates from a seeded generator', () => {
      const run = () => {
        const faults = new FaultInjector({ throttleRate: 0.5, seed: 42 });
        return Array.from({ length: 20 }, () => faults.decide('X', 'r').kind);
      };
      const first = run();
      assert.deepEqual(run(), first);
      assert.ok(first.includes('throttle') && first.includes('none'));
    });

    it('rates for resets after the action and truncated answers; drawn only when set, so older seeded runs keep their sequence', () => {
      const kinds = (config: object) => {
        const faults = new FaultInjector({ seed: 7, ...config });
        return Array.from({ length: 40 }, () => faults.decide('X', 'r').kind);
      };
      const after = kinds({ dropAfterCommitRate: 1 });
      assert.ok(after.every((k) => k === 'dropAfterCommit'));
      assert.ok(kinds({ malformedRate: 1 }).every((k) => k === 'malformed'));
      assert.deepEqual(kinds({ throttleRate: 0.3, dropAfterCommitRate: 0, malformedRate: 0 }), kinds({ throttleRate: 0.3 }));
      const faults = new FaultInjector(normaliseFaults({ visibilityLagMs: 1500, dropAfterCommitRate: 0.1, malformedRate: 0.2 }));
      assert.equal(faults.visibilityLagMs(), 1500);
      assert.throws(() => normaliseFaults({ visibilityLagMs: -1 }), TypeError);
      assert.throws(() => normaliseFaults({ malformedRate: 'x' }), TypeError);
    });

    it('validates a config received as JSON', () => {
      assert.throws(() => normaliseFaults({ latencyMs: -1 }), TypeError);
      assert.throws(() => normaliseFaults([]), TypeError);
      assert.deepEqual(normaliseFaults({ regions: { 'eu-west-1': { code: 'X' } } }).regions, {
        'eu-west-1': { code: 'X', message: 'The service is unavailable in this region.', status: 503 },
      });
    });
  });
});
