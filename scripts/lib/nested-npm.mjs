// Running npm (and what npm installs) from inside another npm command, e.g. `npm run demo`
// installing code-server, or `npm test` running `npm ci`.
//
// The outer `npm run` exports its whole configuration to its script as `npm_config_*` variables,
// plus `npm_package_*`, `npm_lifecycle_*`, `INIT_CWD`, `NODE` and its own folders on PATH. A nested
// npm reads those variables as configuration: `npm_config_user_agent` ("npm/11 node/v20 …") then
// overrides the user agent the nested npm would compute for the Node it runs on, and
// code-server's postinstall reads the Node version from exactly that string ("requires node v24 …
// you are on node v20" although Node 24 is first on PATH). `npm_config_nodedir` points native
// builds at the outer Node's headers. So every nested npm (and every program it installs) gets
// the environment built by `nestedNpmEnv`: the outer npm's variables dropped, then only what is
// needed set. Only Node's own modules here (this runs before `npm ci`).
import { spawn } from 'node:child_process';

/**
 * npm settings kept from the outer environment (lower-case, after `npm_config_`): where packages
 * come from and where they are cached — what a person or CI sets on purpose (a mirror, a proxy, a
 * throw-away cache) and the nested npm could not find in the .npmrc files it reads itself.
 */
export const KEPT_NPM_SETTINGS = new Set([
  'cache',
  'registry',
  'userconfig',
  'globalconfig',
  'cafile',
  'ca',
  'proxy',
  'https_proxy',
  'http_proxy',
  'noproxy',
  'strict_ssl',
]);

/** Variables that npm sets for the script it runs (beside `npm_*`), or that change how Node runs. */
const DROPPED = new Set(['INIT_CWD', 'NODE', 'NODE_OPTIONS', 'NODE_PATH', 'COLOR']);

/** True for a PATH entry that npm prepended for the script it runs (the project's .bin folders, its node-gyp shim). */
function addedByNpm(dir) {
  return /[/\\]node_modules[/\\]\.bin[/\\]?$/.test(dir) || /[/\\]@npmcli[/\\]run-script[/\\]lib[/\\]node-gyp-bin[/\\]?$/.test(dir);
}

/**
 * The environment for a nested npm (or a program it installed), built from `base`:
 *   - every `npm_*` / `NPM_*` variable dropped (npm_config_*, npm_package_*, npm_lifecycle_*,
 *     npm_execpath, …) except the settings in KEPT_NPM_SETTINGS; INIT_CWD, NODE, NODE_OPTIONS,
 *     NODE_PATH and COLOR dropped; npm's own entries removed from PATH;
 *   - `nodeBinDir` (a Node's bin folder) put first on PATH, so npm and its scripts run on that Node;
 *   - `npm_config_nodedir` set to `nodeDir` (that Node's folder with include/node), so native
 *     modules build against its headers, whatever nodedir the user's .npmrc names.
 */
export function nestedNpmEnv({ base = process.env, nodeBinDir, nodeDir } = {}) {
  const env = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || DROPPED.has(key)) {
      continue;
    }
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_')) {
      const setting = lower.startsWith('npm_config_') ? lower.slice('npm_config_'.length) : undefined;
      if (setting === undefined || !KEPT_NPM_SETTINGS.has(setting)) {
        continue;
      }
    }
    env[key] = value;
  }
  const path = (base.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter((d) => d && !addedByNpm(d));
  env.PATH = (nodeBinDir ? [nodeBinDir, ...path.filter((d) => d !== nodeBinDir)] : path).join(':');
  if (nodeDir) {
    env.npm_config_nodedir = nodeDir;
  }
  return env;
}

/**
 * Runs a command with its output shown live (stdout to stdout, stderr to stderr; not with
 * echo: false) and also kept:
 * resolves `{ status, signal, output }` where `output` holds the last `keepLines` lines of both
 * streams, in order, so a failure can be explained from what the command printed.
 */
export function runShown(cmd, args, { cwd, env, keepLines = 400, echo = true } = {}) {
  return new Promise((resolve) => {
    const lines = [];
    let partial = '';
    const keep = (chunk) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > keepLines) {
        lines.splice(0, lines.length - keepLines);
      }
    };
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c) => {
      if (echo) {
        process.stdout.write(c);
      }
      keep(c);
    });
    child.stderr.on('data', (c) => {
      if (echo) {
        process.stderr.write(c);
      }
      keep(c);
    });
    child.on('error', (e) => {
      lines.push(`${cmd}: ${e.message}`);
      resolve({ status: null, signal: null, output: lines.join('\n') });
    });
    child.on('close', (status, signal) => {
      if (partial) {
        lines.push(partial);
      }
      resolve({ status, signal, output: lines.join('\n') });
    });
  });
}

/** Known causes of a failed install, each: a pattern over the output and what it means. */
const CAUSES = [
  {
    re: /requires node v?(\d+)[\s\S]*?(?:you are on|detected that you are on) node v?(\d*)/i,
    say: (m, ctx) =>
      `the package's install script wants Node ${m[1]} but was told it runs on Node ${m[2] || '(unknown)'}` +
      (ctx.nodeVersion ? ` (the Node first on PATH for this install is ${ctx.nodeVersion}${ctx.nodePath ? ` at ${ctx.nodePath}` : ''})` : '') +
      '. It reads the version from npm_config_user_agent, so an outer npm\'s user agent reached it' +
      (ctx.inheritedUserAgent ? ` (the calling npm's was "${ctx.inheritedUserAgent}")` : '') +
      ': the install must run with the environment from nestedNpmEnv().',
  },
  {
    re: /EBADENGINE[\s\S]*?required:\s*\{[^}]*node:\s*'([^']+)'[\s\S]*?current:\s*\{[^}]*node:\s*'([^']+)'/i,
    say: (m) => `a package requires Node ${m[1]}; npm ran on Node ${m[2]}.`,
  },
  {
    re: /(?:fatal error: )?(gssapi\/gssapi\.h|krb5\.h)[^\n]*No such file/i,
    say: (m) => `a native module needs ${m[1]}: install the Debian package libkrb5-dev.`,
  },
  {
    re: /gyp ERR! (?:stack )?Error: not found: (make|g\+\+|python3?)|(make|g\+\+|cc|gcc): (?:command )?not found|Could not find any Python installation/i,
    say: (m) => `a native build tool is missing (${m[1] || m[2] || 'python3'}): install build-essential and python3.`,
  },
  {
    re: /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT)\b[^\n]*?(https?:\/\/[^\s'"]+)?/,
    say: (m) => `the npm registry could not be reached (${m[1]}${m[2] ? ` for ${m[2]}` : ''}): check the network, proxy and registry settings.`,
  },
  {
    re: /\bENOSPC\b|No space left on device/,
    say: () => 'the disk is full (ENOSPC).',
  },
  {
    re: /\bEACCES\b[^\n]*?(\/[^\s'"]+)?/,
    say: (m) => `permission denied${m[1] ? ` on ${m[1]}` : ''} (EACCES).`,
  },
];

/** Lines of `output` that look like the error itself (npm ERR!/error, gyp ERR!, ERROR:). */
function errorLines(output, max = 12) {
  const picked = output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => /^(npm (ERR!|error)|gyp ERR!|ERROR\b|Error\b|error\b|fatal error)|requires node|you are on node|EBADENGINE/i.test(l.trim()))
    .filter((l) => !/^npm (ERR!|error) (A complete log|\s*$)/i.test(l));
  return picked.slice(-max);
}

/**
 * Why an install failed, from its output: `{ causes, lines }` where `causes` are sentences for the
 * recognised reasons (in CAUSES order) and `lines` the output's own error lines (at most 12).
 * `ctx`: `{ nodeVersion, nodePath, inheritedUserAgent }` — the Node the install was given and the
 * user agent of the npm that started us (if any), to say which Node the failing step saw and why.
 */
export function explainInstallFailure(output, ctx = {}) {
  const causes = [];
  for (const { re, say } of CAUSES) {
    const m = re.exec(output);
    if (m) {
      causes.push(say(m, ctx));
    }
  }
  return { causes, lines: errorLines(output) };
}

/** The message for a failed install step: what failed, then the causes found, then the evidence. */
export function installFailureMessage(what, result, ctx = {}) {
  const how = result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
  const { causes, lines } = explainInstallFailure(result.output ?? '', ctx);
  const parts = [`${what} failed (${how}).`];
  if (causes.length) {
    parts.push(...causes.map((c) => `  Cause: ${c}`));
  } else {
    parts.push('  Cause not recognised; the command\'s own error lines follow (full output above).');
  }
  if (lines.length) {
    parts.push('  Its output said:', ...lines.map((l) => `    ${l}`));
  }
  return parts.join('\n');
}
