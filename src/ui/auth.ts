import * as vscode from 'vscode';
import type { AccessToken, TokenRequest } from '../model/adapter';
import { CloudError } from '../model/errors';

/**
 * Access tokens from VS Code's built-in Microsoft authentication, for adapters that sign in with
 * it (Azure). VS Code keeps and refreshes the session; we ask again whenever the SDK wants a
 * token, so the expiry we report is short on purpose. Tokens are never logged.
 */
const REASK_MS = 5 * 60_000;

function scopesFor(req: TokenRequest): string[] {
  // VS Code's Microsoft provider takes the directory (tenant) as a pseudo-scope.
  return req.tenantId ? [...req.scopes, `VSCODE_TENANT:${req.tenantId}`] : [...req.scopes];
}

export async function microsoftToken(req: TokenRequest): Promise<AccessToken> {
  const scopes = scopesFor(req);
  // Silent requests never pop a dialog: without a session VS Code puts a sign-in request on the
  // Accounts menu, and the tree shows "Sign in needed" with a Sign In action.
  let session: vscode.AuthenticationSession | undefined;
  try {
    session = await vscode.authentication.getSession(req.provider, scopes, req.silent ? {} : { createIfNone: true });
  } catch (e) {
    // No such provider (code-server ships without Microsoft sign-in), or the dialog was dismissed.
    throw new CloudError(
      'auth',
      `VS Code's Microsoft sign-in is not available or was cancelled (${e instanceof Error ? e.message : String(e)}). ` +
        'Sign in with the Azure CLI (az login) and add the account through it instead.',
      { code: 'NoAuthenticationProvider' },
    );
  }
  if (!session) {
    throw new CloudError('expired', 'Sign in to Microsoft in VS Code to use this Azure account.', {
      code: 'NoSession',
      signInProvider: { provider: req.provider, scopes: req.scopes, tenantId: req.tenantId },
    });
  }
  return { token: session.accessToken, expiresOnTimestamp: Date.now() + REASK_MS, accountLabel: session.account.label };
}

/** "Sign In" on an error that names the editor's provider: asks VS Code for a session (a dialog). */
export async function signInWithProvider(p: { provider: 'microsoft'; scopes: string[]; tenantId?: string }): Promise<boolean> {
  const session = await vscode.authentication.getSession(p.provider, scopesFor(p), { createIfNone: true });
  return !!session;
}
