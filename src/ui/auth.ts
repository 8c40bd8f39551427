import * as vscode from 'vscode';
import type { AccessToken, EditorSignIn, TokenRequest } from '../model/adapter';
import { CloudError, type SignInProvider } from '../model/errors';

/**
 * Access tokens from the editor's own sign-in: the VS Code authentication provider an adapter
 * module declares (`AdapterModule.editorSignIn`). VS Code keeps and refreshes the session; we
 * ask again whenever the adapter wants a token, so the expiry we report is short on purpose.
 * Tokens are never logged.
 */
const REASK_MS = 5 * 60_000;

export async function editorToken(signIn: EditorSignIn, req: TokenRequest): Promise<AccessToken> {
  const scopes = signIn.scopes(req);
  // Silent requests never pop a dialog: without a session VS Code puts a sign-in request on the
  // Accounts menu, and the tree shows "Sign in needed" with a Sign In action.
  let session: vscode.AuthenticationSession | undefined;
  try {
    session = await vscode.authentication.getSession(signIn.providerId, scopes, req.silent ? {} : { createIfNone: true });
  } catch (e) {
    // No such provider (code-server ships without some), or the dialog was dismissed.
    throw new CloudError(
      'auth',
      `VS Code's ${signIn.providerLabel} sign-in is not available or was cancelled (${e instanceof Error ? e.message : String(e)}). ` + signIn.otherwise,
      { code: 'NoAuthenticationProvider' },
    );
  }
  if (!session) {
    throw new CloudError('expired', signIn.signedOut, {
      code: 'NoSession',
      signInProvider: { provider: req.provider, scopes: req.scopes, tenantId: req.tenantId },
    });
  }
  return { token: session.accessToken, expiresOnTimestamp: Date.now() + REASK_MS, accountLabel: session.account.label };
}

/** "Sign In" on an error that names the editor's provider: asks VS Code for a session (a dialog). */
export async function signInWithProvider(signIn: EditorSignIn, p: SignInProvider): Promise<boolean> {
  const session = await vscode.authentication.getSession(signIn.providerId, signIn.scopes(p), { createIfNone: true });
  return !!session;
}
