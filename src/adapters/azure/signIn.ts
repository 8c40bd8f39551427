/**
 * VS Code's own Microsoft sign-in, as this adapter module declares it (`editorSignIn`): the
 * extension asks that authentication provider for sessions on the adapter's behalf
 * (`ctx.getToken`). No SDK here: the extension-host tests import it.
 */
import type { EditorSignIn } from '../../model/adapter';

export const editorSignIn: EditorSignIn = {
  providerId: 'microsoft',
  providerLabel: 'Microsoft',
  // VS Code's Microsoft provider takes the directory (tenant) as a pseudo-scope.
  scopes: (req) => (req.tenantId ? [...req.scopes, `VSCODE_TENANT:${req.tenantId}`] : [...req.scopes]),
  otherwise: 'Sign in with the Azure CLI (az login) and add the account through it instead.',
  signedOut: 'Sign in to Microsoft in VS Code to use this Azure account.',
};
