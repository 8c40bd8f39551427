/**
 * Azure error translation and sign-in: RestErrors (as the SDK throws them) → CloudError kinds,
 * request ids, the permission a 403 names, Sign In actions, and no secret in any message or log.
 */
import * as assert from 'node:assert/strict';
import { RestError } from '@azure/arm-compute';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { discoverChoices, VsCodeCredential } from '../../src/adapters/azure/auth';
import { logPath } from '../../src/adapters/azure/clients';
import { redact, toCloudError, type AuthInfo } from '../../src/adapters/azure/errors';
import { isCloudError } from '../../src/model/errors';

const VSCODE: AuthInfo = { mode: 'vscode', tenantId: 'tenant-1', scope: 'https://management.core.windows.net//.default' };
const CLI: AuthInfo = { mode: 'cli', tenantId: 'tenant-1', scope: 'https://management.core.windows.net//.default' };

function rest(status: number, code: string | undefined, message: string, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/x' });
  return new RestError(message, { statusCode: status, code, request, response: { status, headers: createHttpHeaders({ 'x-ms-request-id': 'req-123', ...headers }), request } });
}

describe('azure errors', () => {
  const cases: [number, string | undefined, string][] = [
    [401, 'ExpiredAuthenticationToken', 'expired'],
    [401, 'InvalidAuthenticationToken', 'expired'],
    [403, 'AuthorizationFailed', 'auth'],
    [404, 'ResourceNotFound', 'notFound'],
    [404, 'ResourceGroupNotFound', 'notFound'],
    [409, 'OperationNotAllowed', 'inUse'],
    [409, 'Conflict', 'inUse'],
    [400, 'InvalidParameter', 'invalid'],
    [400, 'OperationNotAllowed', 'invalid'],
    [429, 'TooManyRequests', 'throttled'],
    [500, 'InternalServerError', 'server'],
    [503, undefined, 'server'],
  ];
  for (const [status, code, kind] of cases) {
    it(`HTTP ${status} ${code ?? ''} → ${kind}`, () => {
      const e = toCloudError(rest(status, code, 'message'), VSCODE);
      assert.equal(e.kind, kind);
      assert.equal(e.requestId, 'req-123');
    });
  }

  it('names the missing permission of AuthorizationFailed', () => {
    const e = toCloudError(
      rest(403, 'AuthorizationFailed', "The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Compute/snapshots/write' over scope '/subscriptions/s'"),
      CLI,
    );
    assert.match(e.message, /Microsoft\.Compute\/snapshots\/write/);
  });

  it('expired VS Code sign-in offers the provider; the CLI offers az login --tenant', () => {
    const v = toCloudError(rest(401, 'ExpiredAuthenticationToken', 'expired'), VSCODE);
    assert.deepEqual(v.signInProvider, { provider: 'microsoft', scopes: [VSCODE.scope], tenantId: 'tenant-1' });
    const c = toCloudError(rest(401, 'ExpiredAuthenticationToken', 'expired'), CLI);
    assert.equal(c.signInCommand, 'az login --tenant tenant-1');
  });

  it('connection errors → network; unparsable bodies → malformed', () => {
    assert.equal(toCloudError(Object.assign(new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'REQUEST_SEND_ERROR' })), VSCODE).kind, 'network');
    assert.equal(toCloudError(new RestError('Error "SyntaxError" occurred while parsing the response body', { code: 'PARSE_ERROR', statusCode: 200 }), VSCODE).kind, 'malformed');
  });

  it('never puts a SAS signature or a bearer token in a message', () => {
    const e = toCloudError(rest(400, 'InvalidParameter', 'bad https://md-x.blob.core.windows.net/abc?sv=2018&sig=SECRETSIG&se=2026 Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc'), VSCODE);
    assert.doesNotMatch(e.message, /SECRETSIG|eyJhbGci/);
    assert.equal(redact('x?sig=abc&sv=1'), 'x?sig=***&sv=***');
    assert.equal(logPath('https://h/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/a?api-version=1&sig=x'), '/resourceGroups/rg/snapshots/a');
  });
});

describe('azure sign-in', () => {
  it('a VS Code credential asks silently and turns no session into expired with a Sign In provider', async () => {
    const asked: unknown[] = [];
    const cred = new VsCodeCredential({ getToken: async (r) => { asked.push(r); throw new Error('no session'); } }, VSCODE);
    await assert.rejects(cred.getToken(VSCODE.scope), (e: unknown) => isCloudError(e) && e.kind === 'expired' && e.signInProvider?.provider === 'microsoft');
    assert.deepEqual(asked, [{ provider: 'microsoft', scopes: [VSCODE.scope], tenantId: 'tenant-1', silent: true }]);
    const ok = new VsCodeCredential({ getToken: async () => ({ token: 'tok', expiresOnTimestamp: 1 }) }, VSCODE);
    assert.equal((await ok.getToken(VSCODE.scope))?.token, 'tok');
  });

  it('discovers one choice per tenant of the VS Code sign-in and of the CLI, never logging tokens', async () => {
    const log: string[] = [];
    const ctx = {
      log: (l: string) => log.push(l),
      setting: <T>(_k: string, f: T) => f,
      maxConcurrency: 4,
      getToken: async (r: { silent?: boolean }) => {
        assert.equal(r.silent, false);
        return { token: 'SECRET-TOKEN', expiresOnTimestamp: Date.now() + 1000, accountLabel: 'me@example.com' };
      },
    };
    const choices = await discoverChoices(
      ctx,
      async () => [{ tenantId: 't1', displayName: 'Contoso', defaultDomain: 'contoso.com' }, { tenantId: 't2' }],
      () => ({ getToken: () => Promise.reject(new Error('Please run az login')) }),
    );
    assert.equal(choices.length, 2);
    assert.deepEqual(choices[0].settings, { auth: 'vscode', tenantId: 't1', tenantLabel: 'Contoso' });
    assert.equal(choices[0].chooseScopes, true);
    assert.equal(choices[0].scopeNoun, 'subscription');
    assert.ok(log.some((l) => /Azure CLI login not used/.test(l)));
    assert.ok(!log.join('\n').includes('SECRET-TOKEN'));
  });

  it('returns no choice when neither sign-in works', async () => {
    const choices = await discoverChoices(
      { log: () => undefined, setting: <T>(_k: string, f: T) => f, maxConcurrency: 1 },
      async () => [],
      () => ({ getToken: () => Promise.reject(new Error('az not found')) }),
    );
    assert.deepEqual(choices, []);
  });
});
