/**
 * Where a Lambda's code comes from. Two ways, one function configuration (NodeFunction):
 *
 * - **Prebuilt**: the npm package ships each handler bundled at build time (`npm run build`,
 *   bin/build.ts: esbuild with lib/bundling.ts's options) as `dist/assets/<name>/index.mjs`, and
 *   the construct uses `Code.fromAsset` on it. A consumer's CDK app needs neither esbuild nor
 *   this repository's TypeScript sources.
 * - **Source**: run from this repository's TypeScript (tsx), NodejsFunction bundles
 *   `lambdas/handlers/<name>.ts` with the same options on every synth, so `cdk synth` here never
 *   deploys a stale bundle.
 *
 * Compiled JavaScript (the package) always takes the prebuilt bundles next to it; TypeScript
 * sources take their own handlers, unless the context key PREBUILT_ASSETS_CONTEXT names a
 * directory of bundles (tests use it to compare both ways; it also deploys bundles built elsewhere).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IConstruct } from 'constructs';
import { handlerEntry, type HandlerName } from './paths.js';

/** Context key: a directory holding `<name>/index.mjs` for each handler, used instead of the sources. */
export const PREBUILT_ASSETS_CONTEXT = 'sendblue-groups:prebuilt-assets';

/** The file name of a prebuilt bundle in its asset directory (the Lambda handler is `index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/** True when this module is the compiled JavaScript of the package, not TypeScript run through tsx. */
const COMPILED = import.meta.url.endsWith('.js');

/** `dist/assets/` of the package (from `dist/lib/lambda-code.js`). Meaningless from the sources. */
export const PACKAGED_ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

export type LambdaCodeSource =
  | { readonly kind: 'prebuilt'; readonly assetDir: string }
  | { readonly kind: 'source'; readonly entry: string };

/** Where the code of handler `name` comes from, for a function created under `scope`. */
export function lambdaCodeSource(scope: IConstruct, name: HandlerName): LambdaCodeSource {
  const override = scope.node.tryGetContext(PREBUILT_ASSETS_CONTEXT) as unknown;
  if (typeof override === 'string' && override !== '') return prebuilt(path.resolve(override), name, 'context');
  if (COMPILED) return prebuilt(PACKAGED_ASSETS_DIR, name, 'package');
  return { kind: 'source', entry: handlerEntry(name) };
}

function prebuilt(root: string, name: HandlerName, from: 'context' | 'package'): LambdaCodeSource {
  const assetDir = path.join(root, name);
  if (!existsSync(path.join(assetDir, BUNDLE_FILE))) {
    const fix =
      from === 'package'
        ? 'the package was packed without its build: run `npm run build` in sendblue-groups before `npm pack`'
        : `context ${PREBUILT_ASSETS_CONTEXT} must name a directory with <handler>/${BUNDLE_FILE} for each handler`;
    throw new Error(`sendblue-groups: no prebuilt Lambda bundle ${path.join(assetDir, BUNDLE_FILE)} (${fix})`);
  }
  return { kind: 'prebuilt', assetDir };
}
