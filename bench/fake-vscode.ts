/**
 * Just enough of the `vscode` API for `activate()` to run outside VS Code, so the benchmark can
 * time the extension's own activation work. Every call is a no-op that returns a disposable.
 */
const disposable = { dispose: () => undefined };

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return disposable;
  };
  fire(e: T): void {
    for (const l of this.listeners) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

const memento = new Map<string, unknown>();

export const fakeVscode = {
  EventEmitter,
  ThemeIcon: class {
    constructor(
      readonly id: string,
      readonly color?: unknown,
    ) {}
  },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  MarkdownString: class {
    value = '';
    appendText(t: string) {
      this.value += t;
      return this;
    }
    appendMarkdown(t: string) {
      this.value += t;
      return this;
    }
  },
  TreeItem: class {
    constructor(
      readonly label: string,
      readonly collapsibleState?: number,
    ) {}
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
    createTreeView: () => ({ ...disposable, reveal: async () => undefined }),
    createStatusBarItem: () => ({ ...disposable, show() {}, hide() {} }),
  },
  commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
  workspace: { getConfiguration: () => ({ get: <T>(_k: string, d: T) => d }) },
  /** A fake ExtensionContext. */
  context(): unknown {
    return {
      subscriptions: [] as { dispose(): void }[],
      globalState: { get: (k: string) => memento.get(k), update: async (k: string, v: unknown) => void memento.set(k, v) },
      globalStorageUri: { fsPath: '/tmp/snapkeeper-bench-storage' },
      extensionPath: process.cwd(),
    };
  },
};
