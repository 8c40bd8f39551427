import * as vscode from 'vscode';
import { logLine } from './safeText';

/**
 * The Snapkeeper output channel, with every entry passed through `logLine`: one entry is one
 * line whatever a cloud put in a name or an error (newlines, ANSI escapes, bidi marks are shown
 * as escapes; a 10 KB string is cut with its length). Everything that logs — commands, the
 * tracker, the adapters — writes through this one channel.
 */
export class SafeLogChannel implements vscode.LogOutputChannel {
  constructor(private readonly channel: vscode.LogOutputChannel) {}

  get name(): string {
    return this.channel.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.channel.logLevel;
  }

  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.channel.onDidChangeLogLevel;
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(entry(message, args));
  }

  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(entry(message, args));
  }

  info(message: string, ...args: unknown[]): void {
    this.channel.info(entry(message, args));
  }

  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(entry(message, args));
  }

  error(error: string | Error, ...args: unknown[]): void {
    this.channel.error(entry(error instanceof Error ? error.message || error.name : error, args));
  }

  append(value: string): void {
    this.channel.append(logLine(value));
  }

  appendLine(value: string): void {
    this.channel.appendLine(logLine(value));
  }

  replace(value: string): void {
    this.channel.replace(logLine(value));
  }

  clear(): void {
    this.channel.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(a?: boolean | vscode.ViewColumn, b?: boolean): void {
    this.channel.show(typeof a === 'boolean' ? a : b);
  }

  hide(): void {
    this.channel.hide();
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** The message and any extra values (as VS Code would print them), as one line. */
function entry(message: string, args: unknown[]): string {
  const extra = args.map((a) => {
    if (typeof a === 'string') {
      return a;
    }
    try {
      return JSON.stringify(a) ?? String(a);
    } catch {
      return String(a);
    }
  });
  return logLine([message, ...extra].join(' '));
}
