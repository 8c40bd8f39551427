import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { Ec2Pool } from '../../src/adapters/aws/clients';
import { Limiter } from '../../src/model/limit';

const SECRET = 'very-secret-key-that-must-not-be-logged';

describe('aws clients (Ec2Pool)', () => {
  let server: Server;
  let endpoint = '';
  let inFlight = 0;
  let maxInFlight = 0;
  let status = 200;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        if (status === 200) {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end('<DescribeRegionsResponse><requestId>r</requestId><regionInfo><item><regionName>us-east-1</regionName></item></regionInfo></DescribeRegionsResponse>');
        } else {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end('<Response><Errors><Error><Code>AuthFailure</Code><Message>no</Message></Error></Errors><RequestID>r</RequestID></Response>');
        }
      }, 25);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  it('keeps at most maxConcurrency requests in flight across regions', async () => {
    const lines: string[] = [];
    const pool = new Ec2Pool({ endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } }, new Limiter(2), 3, (l) => lines.push(l));
    try {
      maxInFlight = 0;
      const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
      await Promise.all(Array.from({ length: 9 }, (_, i) => pool.send(regions[i % 3], new DescribeRegionsCommand({}))));
      assert.equal(maxInFlight, 2);
      assert.equal(lines.length, 9);
    } finally {
      pool.destroy();
    }
  });

  it('logs one line per call with region, operation, status and time; never credentials', async () => {
    const lines: string[] = [];
    const pool = new Ec2Pool({ endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } }, new Limiter(4), 3, (l) => lines.push(l));
    try {
      status = 200;
      await pool.send('eu-west-1', new DescribeRegionsCommand({}));
      status = 401;
      await assert.rejects(pool.send('eu-west-1', new DescribeRegionsCommand({})));
      assert.match(lines[0], /^EC2 eu-west-1 DescribeRegions 200 \d+ms$/);
      assert.match(lines[1], /^EC2 eu-west-1 DescribeRegions 401 AuthFailure \d+ms$/);
      for (const l of lines) {
        assert.ok(!l.includes(SECRET) && !l.includes('AKIDEXAMPLE'), l);
      }
    } finally {
      status = 200;
      pool.destroy();
    }
  });
});
