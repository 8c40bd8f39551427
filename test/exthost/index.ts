// Entry point VS Code calls (`extensionTestsPath`): runs the extension-host suite with mocha,
// bundled in (nothing is loaded from node_modules at run time), inside the real extension host.
//
// The verdict is the results file ($RESULT_FILE), never the exit code alone: it is written before
// the first test (as a failure: "the suite did not finish"), after every test, and at the end.
// A host that dies mid-run therefore leaves a file that reads as a failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Mocha from 'mocha';
import { actionTests } from './actions.spec';
import { activationTests } from './activation.spec';
import { azureTests } from './azure.spec';
import { backupTests } from './backups.spec';
import { chainTests } from './chain.spec';
import { cloudstackTests } from './cloudstack.spec';
import { commandTests } from './commands.spec';
import { credentialTests } from './credentials.spec';
import { faultTests } from './faults.spec';
import { gcpTests } from './gcp.spec';
import { installNotificationSpy } from './harness';
import { hostileNameTests } from './hostile.spec';
import { journalTests } from './journal.spec';
import { openstackTests } from './openstack.spec';
import { operationTests } from './operations.spec';
import { paletteTests } from './palette.spec';
import { restoreTests } from './restore.spec';
import { restorePointTests } from './restorePoints.spec';
import { treeTests } from './tree.spec';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

interface Results {
  passes: number;
  failures: number;
  pending: number;
  /** False until mocha has finished: a crashed run counts one extra failure. */
  finished: boolean;
  startedAt: string;
  durationMs: number;
  tests: TestResult[];
}

/** The suites, in the order they run (the journal suite replaces the App: it goes last). */
function defineSuites(): void {
  activationTests();
  treeTests();
  operationTests();
  actionTests();
  paletteTests();
  commandTests();
  credentialTests();
  faultTests();
  azureTests();
  gcpTests();
  cloudstackTests();
  openstackTests();
  chainTests();
  hostileNameTests();
  restorePointTests();
  backupTests();
  restoreTests();
  journalTests();
}

/**
 * Spec-like lines, each printed whole with one console.log (the extension host forwards console
 * output as it is, without printf formatting, to the log the harness reads).
 */
class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const failed: { title: string; error: string }[] = [];
    let depth = 0;
    const pad = () => '  '.repeat(depth);
    runner.on('suite', (suite) => {
      if (!suite.root) {
        console.log(`${pad()}${suite.title}`);
        depth++;
      }
    });
    runner.on('suite end', (suite) => {
      if (!suite.root) {
        depth--;
      }
    });
    runner.on('pass', (test) => console.log(`${pad()}✔ ${test.title} (${test.duration ?? 0} ms)`));
    runner.on('pending', (test) => console.log(`${pad()}- ${test.title} (skipped)`));
    runner.on('fail', (test, err) => {
      failed.push({ title: test.fullTitle(), error: errorText(err) });
      console.log(`${pad()}✖ ${failed.length}) ${test.title}`);
    });
    runner.once('end', () => {
      failed.forEach((f, i) => console.log(`${i + 1}) ${f.title}\n${f.error}`));
    });
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.stack ?? `${err.name}: ${err.message}`;
  }
  return String(err);
}

export async function run(): Promise<void> {
  const t0 = Date.now();
  const resultFile = process.env.RESULT_FILE;
  const results: Results = {
    passes: 0,
    failures: 0,
    pending: 0,
    finished: false,
    startedAt: new Date(t0).toISOString(),
    durationMs: 0,
    tests: [],
  };
  const write = (): void => {
    results.durationMs = Date.now() - t0;
    if (!resultFile) {
      return;
    }
    const out = results.finished ? results : { ...results, failures: results.failures + 1, note: 'the suite did not finish' };
    try {
      mkdirSync(dirname(resultFile), { recursive: true });
      writeFileSync(resultFile, JSON.stringify(out, null, 2));
    } catch (e) {
      console.error(`[exthost] cannot write ${resultFile}: ${errorText(e)}`);
    }
  };
  write();

  try {
    installNotificationSpy();
    // `exthost.mjs --grep <text>`: only the tests whose full title matches (a focused run).
    const grep = process.env.SNAPKEEPER_EXTHOST_GREP;
    const mocha = new Mocha({ ui: 'bdd', reporter: LineReporter, color: false, timeout: 30_000, slow: 5_000, ...(grep ? { grep } : {}) });
    // Defines describe/it/before… as globals, as `mocha` does before loading test files.
    mocha.suite.emit('pre-require', globalThis, 'exthost', mocha);
    defineSuites();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => {
        results.passes++;
        results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
        write();
      });
      runner.on('fail', (test, err) => {
        results.failures++;
        results.tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error: errorText(err) });
        write();
      });
      runner.on('pending', (test) => {
        results.pending++;
        results.tests.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 });
        write();
      });
    });
  } catch (e) {
    results.failures++;
    results.tests.push({ title: 'extension-host suite setup', state: 'failed', durationMs: Date.now() - t0, error: errorText(e) });
  }
  results.finished = true;
  write();
  console.log(`${results.passes} passed, ${results.failures} failed, ${results.pending} skipped`);
  if (results.failures > 0 || results.passes === 0) {
    throw new Error(`${results.failures} extension-host test(s) failed, ${results.passes} passed`);
  }
}
