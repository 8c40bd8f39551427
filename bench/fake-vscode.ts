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

/** A Memento (globalState, workspaceState) kept in memory. */
export class Memento {
  protected readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get(key: string): unknown {
    return this.values.get(key);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      this.values.delete(key);
    } else {
      this.values.set(key, value);
    }
  }
}

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
    createTreeView: () => ({
      ...disposable,
      reveal: async () => undefined,
      onDidExpandElement: () => disposable,
      onDidCollapseElement: () => disposable,
    }),
    createStatusBarItem: () => ({ ...disposable, show() {}, hide() {} }),
    registerWebviewPanelSerializer: () => disposable,
  },
  commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
  workspace: { getConfiguration: () => ({ get: <T>(_k: string, d: T) => d }) },
  /** A fake ExtensionContext. */
  context(): unknown {
    return {
      subscriptions: [] as { dispose(): void }[],
      globalState: new Memento(),
      workspaceState: new Memento(),
      globalStorageUri: { fsPath: '/tmp/snapkeeper-bench-storage' },
      extensionPath: process.cwd(),
    };
  },
};
