import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { toCloudError, withAttempts, type ErrorContext } from '../../src/adapters/aws/errors';
import { CloudError } from '../../src/model/errors';

const keys: ErrorContext = { profile: 'work', sso: false };
const sso: ErrorContext = { profile: 'corp-dev', sso: true };

/** An error shaped like the SDK's EC2ServiceException. */
function serviceError(code: string, status: number, message = `${code} happened`, attempts = 1): Error {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-123', attempts },
  });
}

describe('aws error mapping (synthetic SDK errors)', () => {
  const cases: [string, number, CloudError['kind']][] = [
    ['RequestLimitExceeded', 503, 'throttled'],
    ['Throttling', 400, 'throttled'],
    ['SomethingNew', 429, 'throttled'],
    ['ExpiredToken', 400, 'expired'],
    ['RequestExpired', 400, 'expired'],
    ['ExpiredTokenException', 400, 'expired'],
    ['AuthFailure', 401, 'auth'],
    ['UnauthorizedOperation', 403, 'auth'],
    ['InvalidSnapshot.NotFound', 400, 'notFound'],
    ['InvalidVolume.NotFound', 400, 'notFound'],
    ['InvalidAMIID.NotFound', 400, 'notFound'],
    ['InvalidSnapshot.InUse', 400, 'inUse'],
    ['VolumeInUse', 400, 'inUse'],
    ['InvalidParameterValue', 400, 'invalid'],
    ['MissingParameter', 400, 'invalid'],
    ['IncorrectState', 400, 'invalid'],
    ['IncorrectInstanceState', 400, 'invalid'],
    ['InternalError', 500, 'server'],
    ['Unavailable', 503, 'server'],
  ];
  for (const [code, status, kind] of cases) {
    it(`${code} (HTTP ${status}) → ${kind}, keeping code and requestId`, () => {
      const e = toCloudError(serviceError(code, status), keys);
      assert.ok(e instanceof CloudError);
      assert.equal(e.kind, kind);
      assert.equal(e.code, code);
      assert.equal(e.requestId, 'req-123');
    });
  }

  it('throttling says how many times it was tried', () => {
    const e = toCloudError(serviceError('RequestLimitExceeded', 503, 'Request limit exceeded.', 3), keys);
    assert.equal(e.message, 'AWS is throttling requests (RequestLimitExceeded); tried 3 times');
    assert.equal(withAttempts(e, 5).message, 'AWS is throttling requests (RequestLimitExceeded); tried 5 times');
  });

  it('expired credentials name the profile and the fix (keys vs SSO)', () => {
    const k = toCloudError(serviceError('ExpiredToken', 400), keys);
    assert.match(k.message, /"work"/);
    assert.match(k.message, /refresh the credentials of profile work/i);
    const s = toCloudError(serviceError('ExpiredToken', 400), sso);
    assert.match(s.message, /aws sso login --profile corp-dev/);
  });

  it('credential-provider errors: SSO token expired → expired; others → auth', () => {
    const expired = Object.assign(new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login'), {
      name: 'CredentialsProviderError',
    });
    const e1 = toCloudError(expired, sso);
    assert.equal(e1.kind, 'expired');
    assert.match(e1.message, /aws sso login --profile corp-dev/);
    const tokenExpired = Object.assign(new Error('Token is expired. To refresh this SSO session run aws sso login'), { name: 'TokenProviderError' });
    assert.equal(toCloudError(tokenExpired, sso).kind, 'expired');
    const none = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const e2 = toCloudError(none, keys);
    assert.equal(e2.kind, 'auth');
    assert.match(e2.message, /"work"/);
  });

  it('socket errors → network; deserialization → malformed; CloudError passes through', () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: { attempts: 3 } });
    const n = toCloudError(reset, keys);
    assert.equal(n.kind, 'network');
    assert.match(n.message, /ECONNRESET/);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(toCloudError(refused, keys).kind, 'network');
    const bad = Object.assign(new Error('@aws-sdk XML parse error: unexpected end of input.\n  Deserialization error: to see the raw response…'), {
      $metadata: { httpStatusCode: 200 },
    });
    const m = toCloudError(bad, keys);
    assert.equal(m.kind, 'malformed');
    assert.equal(m.message, 'AWS returned a response that could not be read');
    const already = new CloudError('inUse', 'x');
    assert.equal(toCloudError(already, keys), already);
  });

  it('never puts credentials into messages', () => {
    const e = toCloudError(serviceError('AuthFailure', 401, 'AWS was not able to validate the provided access credentials'), keys);
    assert.doesNotMatch(e.message, /AKIA|secret/i);
  });
});

describe('aws error mapping (real SDK errors from a local server)', () => {
  let server: Server;
  let endpoint = '';
  let mode = 'ok';
  let hits = 0;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        switch (mode) {
          case 'malformed':
            res.writeHead(200, { 'content-type': 'text/xml' });
            res.end('<DescribeSnapshotsResponse><snapshotSet><item><snapshotId>snap-1<');
            return;
          case 'throttle':
            res.writeHead(503, { 'content-type': 'text/xml', 'x-amzn-requestid': 'rq-9' });
            res.end('<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>rq-9</RequestID></Response>');
            return;
          case 'drop':
            req.socket.destroy();
            return;
          default:
            res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': 'rq-1' });
            res.end('<Response><Errors><Error><Code>InvalidSnapshot.NotFound</Code><Message>nope</Message></Error></Errors><RequestID>rq-1</RequestID></Response>');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  async function fail(m: string, maxAttempts = 1): Promise<CloudError> {
    mode = m;
    hits = 0;
    const client = new EC2Client({ region: 'us-east-1', endpoint, maxAttempts, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } });
    try {
      await client.send(new DescribeSnapshotsCommand({}));
    } catch (e) {
      return toCloudError(e, keys);
    } finally {
      client.destroy();
    }
    assert.fail('expected a failure');
  }

  it('malformed XML → malformed', async () => {
    const e = await fail('malformed');
    assert.equal(e.kind, 'malformed');
  });

  it('throttling → throttled with the attempts the SDK made', async () => {
    const e = await fail('throttle', 2);
    assert.equal(e.kind, 'throttled');
    assert.equal(hits, 2);
    assert.match(e.message, /tried 2 times/);
    assert.equal(e.code, 'RequestLimitExceeded');
  });

  it('a dropped connection → network', async () => {
    assert.equal((await fail('drop')).kind, 'network');
  });

  it('an EC2 error document → its code, kind and request id', async () => {
    const e = await fail('notfound');
    assert.equal(e.kind, 'notFound');
    assert.equal(e.code, 'InvalidSnapshot.NotFound');
    assert.equal(e.requestId, 'rq-1');
  });
});
