#!/usr/bin/env node
// Checks that a URL serves the VS Code workbench page (status 200 and the workbench HTML, not
// only /healthz): `node scripts/harness/check-workbench.mjs URL`. Exit 0 when it does, else 1 with
// what was missing. Used by .ci/run on the URL `npm run demo` prints.
import { checkWorkbench } from './server.mjs';

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/harness/check-workbench.mjs URL');
  process.exit(2);
}
const r = await checkWorkbench(url, 30_000);
if (r.ok) {
  console.log(`${url} serves the VS Code workbench (${r.bytes} bytes)`);
} else {
  console.error(`${url} does not serve the workbench: status ${r.status}${r.error ? `, ${r.error}` : ''}; missing ${r.missing.join(', ')}`);
  process.exit(1);
}
