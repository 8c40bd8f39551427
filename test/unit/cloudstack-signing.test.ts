// CloudStack request signing (src/adapters/cloudstack/signing.ts) against vectors computed by
// other implementations: test/fixtures/cloudstack-signing/make_vectors.py runs the server's own
// algorithm with the JDK calls of ApiServer.verifyRequest (VerifyRequest.java: URLEncoder,
// Collections.sort, HmacSHA1) and a Python standard-library implementation, fails unless they
// agree, checks that each query decodes back to the signed parameters, and records whether the
// `cs` package (python3-cs) agrees: it does not for values with `~` (it leaves `~` unencoded where
// Java writes %7E, so the server would refuse its signature). The first vector is the worked example
// of CloudStack's documentation, with its published signature. To recompute:
//   python3 test/fixtures/cloudstack-signing/make_vectors.py
// and paste its output below.
import assert from 'node:assert/strict';
import { encodeValue, expiresText, signatureOf, signRequest, stringToSign } from '../../src/adapters/cloudstack/signing';
import { isCloudError } from '../../src/model/errors';

interface Vector {
  name: string;
  secretKey: string;
  params: Record<string, string>;
  stringToSign: string;
  signature: string;
  query: string;
  csPackageAgrees: boolean | null;
  command?: string;
  given?: Record<string, string>;
}

const VECTORS: { apiKey: string; now: string; expires: string; vectors: Vector[] } = {
  "apiKey": "ak-Snapkeeper-Test-0123456789",
  "now": "2026-12-03T15:20:00Z",
  "expires": "2026-12-03T15:30:00+0000",
  "vectors": [
    {
      "name": "CloudStack docs worked example",
      "secretKey": "VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ",
      "params": {
        "apiKey": "plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg",
        "command": "listUsers",
        "response": "json"
      },
      "stringToSign": "apikey=plgwjfzk4gys3momtvmjuvg-x-jlwlnfauj9gabbbf9edm-kaymmailqzzq1elzlyq_u38zcm0bewzgudp66mg&command=listusers&response=json",
      "signature": "TTpdDq/7j/J58XCRHomKoQXEQds=",
      "query": "apiKey=plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg&command=listUsers&response=json&signature=TTpdDq%2F7j%2FJ58XCRHomKoQXEQds%3D",
      "csPackageAgrees": true
    },
    {
      "name": "plain list",
      "secretKey": "sk-Vectors_only~not/a+real=secret",
      "params": {
        "available": "true",
        "command": "listZones",
        "apiKey": "ak-Snapkeeper-Test-0123456789",
        "response": "json",
        "signatureversion": "3",
        "expires": "2026-12-03T15:30:00+0000"
      },
      "stringToSign": "apikey=ak-snapkeeper-test-0123456789&available=true&command=listzones&expires=2026-12-03t15%3a30%3a00%2b0000&response=json&signatureversion=3",
      "signature": "HA48n8b8BUe1Mf1Q0DXFqFlYZqc=",
      "query": "apiKey=ak-Snapkeeper-Test-0123456789&available=true&command=listZones&expires=2026-12-03T15%3A30%3A00%2B0000&response=json&signatureversion=3&signature=HA48n8b8BUe1Mf1Q0DXFqFlYZqc%3D",
      "csPackageAgrees": true,
      "command": "listZones",
      "given": {
        "available": "true"
      }
    },
    {
      "name": "reserved characters",
      "secretKey": "sk-Vectors_only~not/a+real=secret",
      "params": {
        "resourcetype": "Snapshot",
        "resourceids": "a,b",
        "tags[0].key": "note",
        "tags[0].value": "a b+c&d=e/f?g*h~i'j(k)l!m%n#o:p@q,r;s$t[u]v\"w<x>y{z}|\\^`",
        "command": "createTags",
        "apiKey": "ak-Snapkeeper-Test-0123456789",
        "response": "json",
        "signatureversion": "3",
        "expires": "2026-12-03T15:30:00+0000"
      },
      "stringToSign": "apikey=ak-snapkeeper-test-0123456789&command=createtags&expires=2026-12-03t15%3a30%3a00%2b0000&resourceids=a%2cb&resourcetype=snapshot&response=json&signatureversion=3&tags[0].key=note&tags[0].value=a%20b%2bc%26d%3de%2ff%3fg*h%7ei%27j%28k%29l%21m%25n%23o%3ap%40q%2cr%3bs%24t%5bu%5dv%22w%3cx%3ey%7bz%7d%7c%5c%5e%60",
      "signature": "FTPR0NhHxlFwPbl504j8Jca5Ejs=",
      "query": "apiKey=ak-Snapkeeper-Test-0123456789&command=createTags&expires=2026-12-03T15%3A30%3A00%2B0000&resourceids=a%2Cb&resourcetype=Snapshot&response=json&signatureversion=3&tags%5B0%5D.key=note&tags%5B0%5D.value=a%20b%2Bc%26d%3De%2Ff%3Fg*h%7Ei%27j%28k%29l%21m%25n%23o%3Ap%40q%2Cr%3Bs%24t%5Bu%5Dv%22w%3Cx%3Ey%7Bz%7D%7C%5C%5E%60&signature=FTPR0NhHxlFwPbl504j8Jca5Ejs%3D",
      "csPackageAgrees": false,
      "command": "createTags",
      "given": {
        "resourcetype": "Snapshot",
        "resourceids": "a,b",
        "tags[0].key": "note",
        "tags[0].value": "a b+c&d=e/f?g*h~i'j(k)l!m%n#o:p@q,r;s$t[u]v\"w<x>y{z}|\\^`"
      }
    },
    {
      "name": "unicode",
      "secretKey": "sk-Vectors_only~not/a+real=secret",
      "params": {
        "volumeid": "5b7f0c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e",
        "name": "\u00dcn\u00efc\u00f8d\u00e9 \u540d\u524d \ud83d\udc31 snapshot",
        "command": "createSnapshot",
        "apiKey": "ak-Snapkeeper-Test-0123456789",
        "response": "json",
        "signatureversion": "3",
        "expires": "2026-12-03T15:30:00+0000"
      },
      "stringToSign": "apikey=ak-snapkeeper-test-0123456789&command=createsnapshot&expires=2026-12-03t15%3a30%3a00%2b0000&name=%c3%9cn%c3%afc%c3%b8d%c3%a9%20%e5%90%8d%e5%89%8d%20%f0%9f%90%b1%20snapshot&response=json&signatureversion=3&volumeid=5b7f0c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e",
      "signature": "RU8n0BKJi5MM9CDyjn9/zJEYUe8=",
      "query": "apiKey=ak-Snapkeeper-Test-0123456789&command=createSnapshot&expires=2026-12-03T15%3A30%3A00%2B0000&name=%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E5%90%8D%E5%89%8D%20%F0%9F%90%B1%20snapshot&response=json&signatureversion=3&volumeid=5b7f0c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e&signature=RU8n0BKJi5MM9CDyjn9%2FzJEYUe8%3D",
      "csPackageAgrees": true,
      "command": "createSnapshot",
      "given": {
        "volumeid": "5b7f0c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e",
        "name": "\u00dcn\u00efc\u00f8d\u00e9 \u540d\u524d \ud83d\udc31 snapshot"
      }
    },
    {
      "name": "names differing only in case",
      "secretKey": "sk-Vectors_only~not/a+real=secret",
      "params": {
        "Name": "Upper",
        "name": "lower",
        "NAME": "Shout",
        "command": "listVolumes",
        "apiKey": "ak-Snapkeeper-Test-0123456789",
        "response": "json",
        "signatureversion": "3",
        "expires": "2026-12-03T15:30:00+0000"
      },
      "stringToSign": "name=shout&name=upper&apikey=ak-snapkeeper-test-0123456789&command=listvolumes&expires=2026-12-03t15%3a30%3a00%2b0000&name=lower&response=json&signatureversion=3",
      "signature": "szFVV4YREk8YwHfv0+PqumYOOIE=",
      "query": "NAME=Shout&Name=Upper&apiKey=ak-Snapkeeper-Test-0123456789&command=listVolumes&expires=2026-12-03T15%3A30%3A00%2B0000&name=lower&response=json&signatureversion=3&signature=szFVV4YREk8YwHfv0%2BPqumYOOIE%3D",
      "csPackageAgrees": true,
      "command": "listVolumes",
      "given": {
        "Name": "Upper",
        "name": "lower",
        "NAME": "Shout"
      }
    },
    {
      "name": "tags[0].key-style names",
      "secretKey": "sk-Vectors_only~not/a+real=secret",
      "params": {
        "tags[0].key": "backup plan",
        "tags[0].value": "daily 03:00",
        "tags[1].key": "owner",
        "tags[1].value": "ops@example.org",
        "page": "2",
        "pagesize": "500",
        "listall": "true",
        "command": "listSnapshots",
        "apiKey": "ak-Snapkeeper-Test-0123456789",
        "response": "json",
        "signatureversion": "3",
        "expires": "2026-12-03T15:30:00+0000"
      },
      "stringToSign": "apikey=ak-snapkeeper-test-0123456789&command=listsnapshots&expires=2026-12-03t15%3a30%3a00%2b0000&listall=true&page=2&pagesize=500&response=json&signatureversion=3&tags[0].key=backup%20plan&tags[0].value=daily%2003%3a00&tags[1].key=owner&tags[1].value=ops%40example.org",
      "signature": "Y6P+UaH8d6ELUtRIzbEZPAmBLD4=",
      "query": "apiKey=ak-Snapkeeper-Test-0123456789&command=listSnapshots&expires=2026-12-03T15%3A30%3A00%2B0000&listall=true&page=2&pagesize=500&response=json&signatureversion=3&tags%5B0%5D.key=backup%20plan&tags%5B0%5D.value=daily%2003%3A00&tags%5B1%5D.key=owner&tags%5B1%5D.value=ops%40example.org&signature=Y6P%2BUaH8d6ELUtRIzbEZPAmBLD4%3D",
      "csPackageAgrees": true,
      "command": "listSnapshots",
      "given": {
        "tags[0].key": "backup plan",
        "tags[0].value": "daily 03:00",
        "tags[1].key": "owner",
        "tags[1].value": "ops@example.org",
        "page": "2",
        "pagesize": "500",
        "listall": "true"
      }
    },
    {
      "name": "empty value",
      "secretKey": "sk-Vectors_only~not/a+real=secret",
      "params": {
        "templatefilter": "self",
        "keyword": "",
        "command": "listTemplates",
        "apiKey": "ak-Snapkeeper-Test-0123456789",
        "response": "json",
        "signatureversion": "3",
        "expires": "2026-12-03T15:30:00+0000"
      },
      "stringToSign": "apikey=ak-snapkeeper-test-0123456789&command=listtemplates&expires=2026-12-03t15%3a30%3a00%2b0000&keyword=&response=json&signatureversion=3&templatefilter=self",
      "signature": "IPXSLhPNs6MCwubHi2BrFzaGS9Y=",
      "query": "apiKey=ak-Snapkeeper-Test-0123456789&command=listTemplates&expires=2026-12-03T15%3A30%3A00%2B0000&keyword=&response=json&signatureversion=3&templatefilter=self&signature=IPXSLhPNs6MCwubHi2BrFzaGS9Y%3D",
      "csPackageAgrees": true,
      "command": "listTemplates",
      "given": {
        "templatefilter": "self",
        "keyword": ""
      }
    }
  ]
};

describe('cloudstack signing: independent vectors', () => {
  it('the docs worked example: string to sign and published signature', () => {
    const docs = VECTORS.vectors[0];
    assert.equal(docs.signature, 'TTpdDq/7j/J58XCRHomKoQXEQds=');
    assert.equal(stringToSign(docs.params), docs.stringToSign);
    assert.equal(signatureOf(docs.params, docs.secretKey), docs.signature);
  });

  for (const v of VECTORS.vectors.slice(1)) {
    it(`${v.name}: string to sign, signature and the signed query (version 3, expires)`, () => {
      assert.ok(v.command && v.given);
      assert.equal(stringToSign(v.params), v.stringToSign);
      assert.equal(signatureOf(v.params, v.secretKey), v.signature);
      const signed = signRequest(v.command, v.given, { apiKey: VECTORS.apiKey, secretKey: v.secretKey }, new Date(VECTORS.now));
      assert.equal(signed.query, v.query);
      assert.deepEqual(signed.params, { ...v.params, signature: v.signature });
      // What the server decodes from the query is exactly what was signed.
      assert.deepEqual(Object.fromEntries(new URLSearchParams(signed.query)), { ...v.params, signature: v.signature });
    });
  }

  it('the vectors cover what they claim: reserved characters, unicode, names differing in case, tags[n].key, expires', () => {
    const all = VECTORS.vectors.map((v) => v.stringToSign).join('\n');
    assert.match(all, /%7e/, '~ is encoded as Java encodes it');
    assert.match(all, /%f0%9f%90%b1/, 'an emoji (UTF-8, 4 bytes)');
    // Sorted as Java sorts the names as sent (NAME < Name < apiKey < … < name), then lower-cased.
    assert.match(all, /^name=shout&name=upper&apikey=[^\n]*&expires=[^&]*&name=lower&response=json/m);
    assert.match(all, /tags\[0\]\.key=backup%20plan/);
    assert.match(all, /expires=2026-12-03t15%3a30%3a00%2b0000/);
    assert.equal(VECTORS.expires, '2026-12-03T15:30:00+0000');
    // The cs package leaves ~ as it is, so it disagrees where a value has one (and only there).
    for (const v of VECTORS.vectors) {
      if (v.csPackageAgrees !== null) {
        assert.equal(v.csPackageAgrees, !Object.values(v.params).some((x) => x.includes('~')), v.name);
      }
    }
  });
});

describe('cloudstack signing: details', () => {
  it('encodes values as java.net.URLEncoder does, with %20 for a space', () => {
    assert.equal(encodeValue("a b*c~d'e(f)g!h.i-j_k+l"), 'a%20b*c%7Ed%27e%28f%29g%21h.i-j_k%2Bl');
    assert.equal(encodeValue('é'), '%C3%A9');
  });

  it('refuses text that is not valid Unicode instead of signing something else', () => {
    assert.throws(() => encodeValue('bad \uD800 text'), (e: unknown) => isCloudError(e) && e.kind === 'invalid');
  });

  it('expires is the time with its offset, ten minutes after the clock by default', () => {
    assert.equal(expiresText(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05+0000');
    const signed = signRequest('listZones', {}, { apiKey: 'k', secretKey: 's' }, new Date('2026-01-02T03:04:05Z'));
    assert.equal(signed.params.expires, '2026-01-02T03:14:05+0000');
    assert.equal(signed.params.signatureversion, '3');
  });

  it('leaves out undefined parameters, writes numbers and booleans as text, and never takes the caller\'s own signing parameters', () => {
    const signed = signRequest(
      'listVolumes',
      { page: 3, listall: true, keyword: undefined, apikey: 'someone-else', signature: 'forged', Expires: 'never' },
      { apiKey: 'mine', secretKey: 's' },
      new Date('2026-01-02T03:04:05Z'),
    );
    assert.deepEqual(Object.keys(signed.params).sort(), ['apiKey', 'command', 'expires', 'listall', 'page', 'response', 'signature', 'signatureversion']);
    assert.equal(signed.params.page, '3');
    assert.equal(signed.params.listall, 'true');
    assert.equal(signed.params.apiKey, 'mine');
    assert.equal(signed.params.signature, signatureOf(signed.params, 's'));
    assert.ok(signed.query.endsWith(`&signature=${encodeURIComponent(signed.params.signature)}`));
  });

  it('a different secret gives a different signature', () => {
    const v = VECTORS.vectors[1];
    assert.notEqual(signatureOf(v.params, `${v.secretKey}x`), v.signature);
  });
});
