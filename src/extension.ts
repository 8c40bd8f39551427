import * as vscode from 'vscode';
import { App } from './ui/app';
import { addSandbox, registerCommands } from './ui/commands';

/** What activate returns: used by the extension-host tests, not a public API. */
export interface SnapkeeperApi {
  app: App;
}

/**
 * Wires things up and does nothing else: no cloud SDK, no sandbox and no network here. Adapters
 * load when an account is expanded; the sandbox starts when a sandbox account is used.
 */
export function activate(context: vscode.ExtensionContext): SnapkeeperApi {
  const app = new App(context);
  context.subscriptions.push(app, ...registerCommands(app));
  if (app.setting('sandbox.addOnStartup', false) && !app.accounts.list().some((a) => a.sandbox)) {
    // After activation returns: starting the sandbox is not activation work.
    setTimeout(() => void addSandbox(app, true).catch((e: unknown) => app.log.error(`Sandbox: ${String(e)}`)), 0);
  }
  return { app };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
