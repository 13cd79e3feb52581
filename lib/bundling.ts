/**
 * How every Lambda is bundled, as plain data: NodeFunction (lib/constructs/node-function.ts) hands
 * it to NodejsFunction, and the benchmarks (bench/cold-start.ts) hand the same options to esbuild
 * directly, so the measured bundle is the one the stack deploys. No aws-cdk-lib import here.
 */
import type { BuildOptions } from 'esbuild';

export const LAMBDA_BUNDLING = {
  format: 'esm',
  target: 'node24',
  platform: 'node',
  // ESM builds of the AWS SDK v3 come first; CommonJS dependencies still get `require` via the banner.
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  minify: true,
  // No source maps: `--enable-source-maps` costs cold-start time on every invocation environment.
  sourceMap: false,
  // Bundle everything, the AWS SDK included.
  externalModules: [] as string[],
} as const;

/** The same options in esbuild's own shape (what NodejsFunction passes on the esbuild command line). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: LAMBDA_BUNDLING.format,
    target: LAMBDA_BUNDLING.target,
    platform: LAMBDA_BUNDLING.platform,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    external: [...LAMBDA_BUNDLING.externalModules],
    logLevel: 'warning',
  };
}
