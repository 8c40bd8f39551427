// The setup scripts behind the README's two commands (scripts/lib/*.mjs): the clean environment
// for nested npm installs, the explanation of a failed install, the apt-lock wait and the
// one-demo-at-a-time claim. Real processes where the behaviour depends on them (npm, fcntl locks,
// pids).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { aptGet, aptLockHolders, aptLockMessage, parseProcLocks, waitForAptLocks } from '../../scripts/lib/apt-lock.mjs';
import { depsStale } from '../../scripts/lib/deps-state.mjs';
import { claimDemo, runningDemo, runningDemoMessage } from '../../scripts/lib/demo-instance.mjs';
import { explainInstallFailure, installFailureMessage, nestedNpmEnv, runShown } from '../../scripts/lib/nested-npm.mjs';

/** What an outer `npm run demo` on Node 20 hands its script (measured with `npm run env`). */
const OUTER_NPM_ENV: NodeJS.ProcessEnv = {
  HOME: '/root',
  LANG: 'C.UTF-8',
  PATH: '/work/p/node_modules/.bin:/work/node_modules/.bin:/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/usr/local/bin:/usr/bin:/bin',
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_nodedir: '/usr',
  npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  npm_config_prefix: '/usr',
  npm_config_local_prefix: '/work/p',
  npm_config_allow_scripts: '',
  npm_config_cache: '/tmp/ci-npm-cache',
  npm_config_registry: 'https://mirror.example/',
  npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
  NPM_CONFIG_LOGLEVEL: 'silly',
  npm_package_name: 'snapkeeper',
  npm_package_json: '/work/p/package.json',
  npm_lifecycle_event: 'demo',
  npm_lifecycle_script: 'node scripts/demo.mjs',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  npm_command: 'run',
  INIT_CWD: '/work/p',
  NODE: '/usr/bin/node',
  NODE_OPTIONS: '--max-old-space-size=128',
  COLOR: '0',
};

describe('setup scripts: nested npm environment', () => {
  it('drops every variable of the outer npm, keeps cache/registry/CA settings, puts the given Node first', () => {
    const env = nestedNpmEnv({ base: OUTER_NPM_ENV, nodeBinDir: '/cache/node-24/bin', nodeDir: '/cache/node-24' });
    for (const gone of [
      'npm_config_user_agent',
      'npm_config_node_gyp',
      'npm_config_prefix',
      'npm_config_local_prefix',
      'npm_config_allow_scripts',
      'NPM_CONFIG_LOGLEVEL',
      'npm_package_name',
      'npm_package_json',
      'npm_lifecycle_event',
      'npm_lifecycle_script',
      'npm_execpath',
      'npm_node_execpath',
      'npm_command',
      'INIT_CWD',
      'NODE',
      'NODE_OPTIONS',
      'COLOR',
    ]) {
      assert.equal(env[gone], undefined, `${gone} leaked into the nested install`);
    }
    assert.equal(env.npm_config_cache, '/tmp/ci-npm-cache');
    assert.equal(env.npm_config_registry, 'https://mirror.example/');
    assert.equal(env.npm_config_cafile, '/etc/ssl/certs/ca-certificates.crt');
    assert.equal(env.npm_config_nodedir, '/cache/node-24', 'native builds use the given Node headers, not /usr');
    assert.equal(env.HOME, '/root');
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.PATH, '/cache/node-24/bin:/usr/local/bin:/usr/bin:/bin');
    // Only npm_* names of the kept settings survive.
    const npmKeys = Object.keys(env).filter((k) => k.toLowerCase().startsWith('npm_')).sort();
    assert.deepEqual(npmKeys, ['npm_config_cache', 'npm_config_cafile', 'npm_config_nodedir', 'npm_config_registry']);
  });

  it('without a Node to put first it keeps PATH (minus npm\'s entries) and sets no nodedir', () => {
    const env = nestedNpmEnv({ base: OUTER_NPM_ENV });
    assert.equal(env.PATH, '/usr/local/bin:/usr/bin:/bin');
    assert.equal(env.npm_config_nodedir, undefined);
  });

  it("a real nested npm tells its scripts the Node it runs on, not the outer npm's", async function () {
    this.timeout(60_000);
    // What code-server's postinstall does: read the Node version from npm_config_user_agent.
    const pkg = mkdtempSync(join(tmpdir(), 'snapkeeper-nested-npm-'));
    try {
      const script = 'node -e "console.log(process.env.npm_config_user_agent)"';
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'probe', private: true, scripts: { ua: script } }));
      const fake = 'npm/0.0.0 node/v0.0.0 linux x64 workspaces/false';
      const outer = { ...process.env, npm_config_user_agent: fake };
      const userAgent = (env: NodeJS.ProcessEnv) =>
        spawnSync('npm', ['run', '--silent', 'ua'], { env, encoding: 'utf8', cwd: pkg, timeout: 30_000 }).stdout.trim();
      // The mechanism of the bug, on this machine's npm: the inherited variable reaches the script…
      assert.equal(userAgent(outer), fake);
      // …and with the clean environment npm describes the Node it really runs on.
      const clean = userAgent(nestedNpmEnv({ base: outer, nodeBinDir: dirname(process.execPath) }));
      assert.ok(!clean.includes('v0.0.0'), clean);
      assert.match(clean, new RegExp(`node/${process.version.replace(/\./g, '\\.')} `));
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});

describe('setup scripts: explaining a failed install', () => {
  const codeServerOutput = [
    'npm warn allowScripts install-scripts not yet covered by allowScripts',
    '> code-server@4.139.1 postinstall',
    '> sh ./postinstall.sh',
    'ERROR: code-server currently requires node v24.',
    'We have detected that you are on node v20',
    'You can override this version check by setting $FORCE_NODE_VERSION,',
    'npm error code 1',
    'npm error path /cache/code-server-4.139.1.tmp-1/node_modules/code-server',
    'npm error command failed',
    'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
  ].join('\n');

  it("code-server's Node check: says which Node npm was told about, which Node it had, and why", () => {
    const ctx = {
      nodeVersion: 'v24.22.3',
      nodePath: '/cache/node-24/bin/node',
      inheritedUserAgent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
    };
    const { causes, lines } = explainInstallFailure(codeServerOutput, ctx);
    assert.equal(causes.length, 1, causes.join('\n'));
    assert.match(causes[0], /wants Node 24 but was told it runs on Node 20/);
    assert.match(causes[0], /v24\.22\.3 at \/cache\/node-24\/bin\/node/);
    assert.match(causes[0], /npm_config_user_agent/);
    assert.match(causes[0], /node\/v20\.20\.2/);
    assert.ok(lines.includes('ERROR: code-server currently requires node v24.'));
    assert.ok(lines.includes('We have detected that you are on node v20'));
    assert.ok(!lines.some((l) => l.includes('A complete log')));
    const msg = installFailureMessage('npm install code-server@4.139.1', { status: 1, output: codeServerOutput }, ctx);
    assert.match(msg, /^npm install code-server@4\.139\.1 failed \(exit 1\)\./);
    assert.doesNotMatch(msg, /build-essential|libkrb5/, 'the generic list of prerequisites is not the cause');
  });

  it('other causes: missing Kerberos headers, a missing build tool, the registry unreachable, a full disk', () => {
    const cases: [string, RegExp][] = [
      ['../src/kerberos.h:4:10: fatal error: gssapi/gssapi.h: No such file or directory', /libkrb5-dev/],
      ['gyp ERR! stack Error: not found: make', /build tool is missing \(make\)/],
      ['npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/code-server failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org', /registry could not be reached \(ENOTFOUND/],
      ['npm error code ENOSPC\nnpm error nospc ENOSPC: no space left on device, write', /disk is full/],
    ];
    for (const [output, want] of cases) {
      const { causes } = explainInstallFailure(output);
      assert.equal(causes.length, 1, `${output} → ${causes.join(' | ')}`);
      assert.match(causes[0], want);
    }
  });

  it('an unknown failure says so and quotes the error lines', () => {
    const msg = installFailureMessage('npm ci', { status: null, signal: 'SIGKILL', output: 'fetching…\nnpm error something odd happened\ndone' });
    assert.match(msg, /npm ci failed \(killed by SIGKILL\)/);
    assert.match(msg, /Cause not recognised/);
    assert.match(msg, / {4}npm error something odd happened/);
    assert.doesNotMatch(msg, /fetching/);
  });

  it('runShown keeps the last lines of both streams and the exit status', async () => {
    const script = 'for (let i = 1; i <= 50; i++) console.log("out " + i); console.error("err last"); process.exit(3)';
    const r = await runShown(process.execPath, ['-e', script], { keepLines: 5, echo: false });
    assert.equal(r.status, 3);
    const lines = r.output.split('\n');
    assert.equal(lines.length, 5);
    assert.ok(lines.includes('out 50'));
    assert.ok(lines.includes('err last'));
    assert.ok(!lines.includes('out 1'));
  });
});

/** A python3 process holding a POSIX (fcntl) write lock on `file`, as apt does, until killed. */
async function holdLock(file: string, holdSeconds = 60): Promise<{ child: ChildProcess; pid: number }> {
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const code = `import fcntl,os,sys,time\nf=open(sys.argv[1],'w')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint(os.getpid(),flush=True)\ntime.sleep(float(sys.argv[2]))`;
  const child = spawn(py, ['-c', code, file, String(holdSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((res, rej) => {
    child.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim())));
    child.once('exit', (c) => rej(new Error(`python3 exited ${c}`)));
  });
  return { child, pid };
}

describe('setup scripts: apt lock held by another process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-aptlock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses /proc/locks (hex device numbers, waiters skipped)', () => {
    const text = [
      '1: POSIX  ADVISORY  WRITE 4242 fd:01:393228 0 EOF',
      '1: -> POSIX  ADVISORY  WRITE 4343 fd:01:393228 0 EOF',
      '2: FLOCK  ADVISORY  WRITE 77 00:1a:12 0 EOF',
      '3: OFDLCK ADVISORY  READ  -1 08:02:5 0 EOF',
    ].join('\n');
    assert.deepEqual(parseProcLocks(text), [
      { pid: 4242, major: 253, minor: 1, inode: 393228 },
      { pid: 77, major: 0, minor: 26, inode: 12 },
    ]);
  });

  it('names the process holding a lock file, and nobody once it is released', async function () {
    this.timeout(20_000);
    const file = join(dir, 'lock-frontend');
    writeFileSync(file, '');
    const { child, pid } = await holdLock(file);
    try {
      const holders = aptLockHolders([file, join(dir, 'absent')]);
      assert.equal(holders.length, 1, JSON.stringify(holders));
      assert.equal(holders[0].pid, pid);
      assert.equal(holders[0].file, file);
      assert.match(holders[0].command, /python3/);
      const msg = aptLockMessage(holders, { timeoutS: 600 });
      assert.match(msg, new RegExp(`pid ${pid} \\(.*python3.*\\) holds ${file}`));
      assert.match(msg, /Waiting for it to finish \(up to 10 min\)/);
      assert.match(aptLockMessage(holders, { gaveUp: true, timeoutS: 600 }), /still running after 10 min.*run this again/);
    } finally {
      child.kill('SIGKILL');
      await new Promise((res) => child.once('exit', res));
    }
    assert.deepEqual(aptLockHolders([file]), []);
  });

  it('waits while the lock is held and goes on once it is released; gives up after the timeout', async function () {
    this.timeout(30_000);
    const file = join(dir, 'lock');
    writeFileSync(file, '');
    const said: string[] = [];
    const short = await holdLock(file, 1.5);
    assert.equal(await waitForAptLocks({ files: [file], timeoutS: 20, pollMs: 100, log: (m) => said.push(m) }), true);
    assert.equal(said.length, 1, 'said once who holds it');
    assert.match(said[0], new RegExp(`pid ${short.pid}`));
    // The holder releases the lock as its interpreter shuts down, a moment before its process ends:
    // what must be true at resolution is that nobody holds the lock any more.
    assert.deepEqual(aptLockHolders([file]), [], 'resolved only once the lock was released');

    const long = await holdLock(file, 60);
    try {
      assert.equal(await waitForAptLocks({ files: [file], timeoutS: 0.3, pollMs: 100, log: () => undefined }), false);
    } finally {
      long.child.kill('SIGKILL');
    }
  });
  it('aptGet (shared by the harness setup and the cli layer): runs apt-get only once the locks are free, with its own lock timeout; never while they stay held', async function () {
    this.timeout(30_000);
    const file = join(dir, 'lock-frontend');
    writeFileSync(file, '');
    const runs: { cmd: string; args: string[]; env?: NodeJS.ProcessEnv; lockHeld: boolean }[] = [];
    const run = async (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv }) => {
      runs.push({ cmd, args, env: opts.env, lockHeld: aptLockHolders([file]).length > 0 });
      return { status: 0, signal: null, output: 'done' };
    };
    const said: string[] = [];
    const short = await holdLock(file, 1.5);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const r = await aptGet(['install', '-y', 'awscli'], { files: [file], timeoutS: 20, pollMs: 100, log: (m) => said.push(m), env, run });
    assert.deepEqual(r, { status: 0, signal: null, output: 'done' });
    assert.equal(runs.length, 1);
    assert.equal(runs[0].cmd, 'apt-get');
    assert.deepEqual(runs[0].args, ['-o', 'DPkg::Lock::Timeout=20', 'install', '-y', 'awscli']);
    assert.equal(runs[0].env, env);
    assert.equal(runs[0].lockHeld, false, 'apt-get started only once the lock was released');
    assert.equal(said.length, 1, 'said once who holds the lock');
    assert.match(said[0], new RegExp(`pid ${short.pid}`));

    const long = await holdLock(file, 60);
    try {
      const gaveUp = await aptGet(['update'], { files: [file], timeoutS: 0.3, pollMs: 100, log: () => undefined, run });
      assert.equal(gaveUp.gaveUp, true);
      assert.equal(gaveUp.status, null);
      assert.match(gaveUp.output, new RegExp(`still running after .* pid ${long.pid} .* holds ${file}`));
      assert.equal(runs.length, 1, 'apt-get was not run while the lock stayed held');
    } finally {
      long.child.kill('SIGKILL');
    }
  });
});

describe('setup scripts: one demo at a time', () => {
  let dir: string;
  let sleeper: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-demo-claim-'));
  });
  afterEach(() => {
    sleeper?.kill('SIGKILL');
    sleeper = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a claim by a live process is a running demo, named with its URL and how to stop it', () => {
    sleeper = spawn('sleep', ['60']);
    const file = join(dir, 'demo.json');
    const info = { pid: sleeper.pid!, url: 'http://127.0.0.1:8080/?folder=/ws', codeServerPid: 999, startedAt: '2026-01-01T00:00:00Z' };
    writeFileSync(file, JSON.stringify(info));
    assert.deepEqual(runningDemo(file), info);
    const msg = runningDemoMessage(info, file);
    assert.match(msg, /already running at http:\/\/127\.0\.0\.1:8080\/\?folder=\/ws/);
    assert.match(msg, new RegExp(`demo pid ${sleeper.pid}, code-server process group 999`));
    assert.match(msg, new RegExp(`kill ${sleeper.pid}`));
    assert.match(msg, /Waiting for it to stop/);
  });

  it('a claim whose process is gone is not a running demo, and is taken over at once', async () => {
    const done = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(done.stdout.trim());
    const file = join(dir, 'demo.json');
    writeFileSync(file, JSON.stringify({ pid: deadPid, url: 'http://127.0.0.1:8080/' }));
    assert.equal(runningDemo(file), undefined);
    const said: string[] = [];
    const claim = await claimDemo(file, { log: (m) => said.push(m), pollMs: 50 });
    assert.deepEqual(said, []);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
    claim.release();
    assert.equal(existsSync(file), false);
  });

  it('a demo killed with -9 whose code-server still runs: named as orphaned, waited for until that group ends', async function () {
    this.timeout(20_000);
    const done = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(done.stdout.trim());
    // A stand-in for code-server: the leader of its own process group, as setsid makes it.
    sleeper = spawn('sleep', ['60'], { detached: true });
    const pgid = sleeper.pid!;
    const file = join(dir, 'demo.json');
    writeFileSync(file, JSON.stringify({ pid: deadPid, url: 'http://127.0.0.1:8080/', codeServerPid: pgid }));
    const info = runningDemo(file);
    assert.equal(info?.orphaned, true);
    const msg = runningDemoMessage(info!, file);
    assert.match(msg, new RegExp(`previous Snapkeeper demo \\(pid ${deadPid}\\) ended without stopping its code-server \\(process group ${pgid}\\)`));
    assert.match(msg, new RegExp(`kill -- -${pgid}`));
    const said: string[] = [];
    let claimed = false;
    const pending = claimDemo(file, { log: (m) => said.push(m), pollMs: 50 }).then((c) => {
      claimed = true;
      return c;
    });
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(claimed, false);
    assert.equal(said.length, 1);
    const exited = new Promise((res) => sleeper!.once('exit', res));
    process.kill(-pgid, 'SIGTERM');
    await exited;
    (await pending).release();
    assert.equal(existsSync(file), false);
  });

  it('a second demo waits for the running one to stop, then takes over', async function () {
    this.timeout(20_000);
    sleeper = spawn('sleep', ['60']);
    const file = join(dir, 'demo.json');
    writeFileSync(file, JSON.stringify({ pid: sleeper.pid, url: 'http://127.0.0.1:8080/' }));
    const said: string[] = [];
    let claimed = false;
    const pending = claimDemo(file, { log: (m) => said.push(m), pollMs: 50 }).then((c) => {
      claimed = true;
      return c;
    });
    await new Promise((res) => setTimeout(res, 400));
    assert.equal(claimed, false, 'did not start while the other demo runs');
    assert.equal(said.length, 1);
    assert.match(said[0], /already running at http:\/\/127\.0\.0\.1:8080\//);
    const exited = new Promise((res) => sleeper!.once('exit', res));
    sleeper.kill('SIGTERM');
    await exited;
    const claim = await pending;
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
    claim.update({ url: 'http://127.0.0.1:8081/', codeServerPid: 1234 });
    assert.equal(runningDemo(file)?.url, 'http://127.0.0.1:8081/');
    claim.release();
    assert.equal(existsSync(file), false);
  });
});

describe('setup scripts: are the dependencies installed?', () => {
  let dir: string;
  const lock = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'p' },
      'node_modules/a': { version: '1.0.0' },
      'node_modules/b': { version: '2.0.0', dev: true },
      'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true },
    },
  };
  const write = (file: string, value: unknown, mtimeS: number) => {
    writeFileSync(join(dir, file), JSON.stringify(value));
    utimesSync(join(dir, file), mtimeS, mtimeS);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapkeeper-deps-'));
    mkdirSync(join(dir, 'node_modules'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('no record of an install: stale', () => {
    write('package-lock.json', lock, 1000);
    assert.equal(depsStale(dir), true);
  });

  it('installed after the lock file was written: not stale', () => {
    write('package-lock.json', lock, 1000);
    write('node_modules/.package-lock.json', { packages: { 'node_modules/a': { version: '0.1.0' } } }, 2000);
    assert.equal(depsStale(dir), false);
  });

  it('lock file newer but the same packages (a checkout touched it; other platforms\' optional packages absent): not stale', () => {
    const installed = { packages: { 'node_modules/a': { version: '1.0.0' }, 'node_modules/b': { version: '2.0.0' } } };
    write('node_modules/.package-lock.json', installed, 1000);
    write('package-lock.json', lock, 2000);
    assert.equal(depsStale(dir), false);
  });

  it('lock file newer with another version, a package added or one removed: stale', () => {
    const cases = [
      { 'node_modules/a': { version: '1.0.1' }, 'node_modules/b': { version: '2.0.0' } },
      { 'node_modules/a': { version: '1.0.0' } },
      { 'node_modules/a': { version: '1.0.0' }, 'node_modules/b': { version: '2.0.0' }, 'node_modules/c': { version: '3.0.0' } },
    ];
    for (const packages of cases) {
      write('node_modules/.package-lock.json', { packages }, 1000);
      write('package-lock.json', lock, 2000);
      assert.equal(depsStale(dir), true, JSON.stringify(packages));
    }
  });
});
