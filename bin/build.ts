/**
 * `npm run build` (also run by `npm pack` through `prepack`): the package's contents in dist/.
 *
 * 1. tsc -p tsconfig.build.json: the client, the construct, the CLI and what they import, as ESM
 *    JavaScript with .d.ts types.
 * 2. The seven Lambda handlers bundled by esbuild with the options the stack bundles with
 *    (lib/bundling.ts) into dist/assets/<name>/index.mjs, which the construct deploys with
 *    `Code.fromAsset` when it runs compiled (lib/lambda-code.ts): a consumer needs no esbuild.
 * 3. dist/bin/cli.js executable, so `npx sendblue-groups` runs it with plain node.
 */
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions } from '../lib/bundling.js';
import { BUNDLE_FILE } from '../lib/lambda-code.js';
import { HANDLER_NAMES, handlerEntry, PROJECT_ROOT } from '../lib/paths.js';

const DIST = path.join(PROJECT_ROOT, 'dist');
const CLI = path.join(DIST, 'bin', 'cli.js');
const started = Date.now();
const say = (line: string) => process.stdout.write(`[build] ${line}\n`);

// Nothing stale: a file deleted from the sources must not live on in the package.
rmSync(DIST, { recursive: true, force: true });

say('tsc -p tsconfig.build.json');
try {
  await promisify(execFile)(
    process.execPath,
    [path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: PROJECT_ROOT },
  );
} catch (error) {
  const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
  process.stderr.write(`${stdout}${stderr}`);
  say('tsc failed');
  process.exit(1);
}

say(`bundling ${HANDLER_NAMES.join(', ')} (lib/bundling.ts)`);
for (const name of HANDLER_NAMES) {
  const outfile = path.join(DIST, 'assets', name, BUNDLE_FILE);
  await build(esbuildOptions(handlerEntry(name), outfile));
  say(`  dist/assets/${name}/${BUNDLE_FILE}: ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}

if (!readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')) {
  say('dist/bin/cli.js must start with #!/usr/bin/env node (bin/cli.ts sets it)');
  process.exit(1);
}
chmodSync(CLI, 0o755);
say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
