/**
 * Where a Lambda's code comes from (lib/lambda-code.ts): this repository bundles the handlers from
 * source, the package deploys its prebuilt bundles. Everything but the code must be identical
 * either way: the same stack synthesized both ways (prebuilt through the context key, with seven
 * stand-in bundles) differs in the functions' Code and nothing else. The package itself is
 * synthesized from its compiled JavaScript in test/integration/package/package.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSystem } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, PREBUILT_ASSETS_CONTEXT } from '../../../lib/lambda-code.js';
import { HANDLER_NAMES } from '../../../lib/paths.js';
import { resourcesOfType, synthStack } from '../../support/cdk.js';

const assets = mkdtempSync(path.join(tmpdir(), 'prebuilt-'));
afterAll(() => rmSync(assets, { recursive: true, force: true }));
for (const name of HANDLER_NAMES) {
  mkdirSync(path.join(assets, name));
  writeFileSync(path.join(assets, name, BUNDLE_FILE), `export const handler = async () => '${name}';\n`);
}

const fromSource = synthStack().template.toJSON();
const prebuilt = synthStack({ [PREBUILT_ASSETS_CONTEXT]: assets });
const fromBundles = prebuilt.template.toJSON();

/** The template without what depends on the code: each function's Code, and CDK's metadata. */
function withoutCode(template: any) {
  const copy = structuredClone(template);
  for (const resource of Object.values(copy.Resources) as any[]) {
    delete resource.Metadata;
    if (resource.Type === 'AWS::Lambda::Function') delete resource.Properties.Code;
  }
  return copy;
}

describe('source or prebuilt bundles', () => {
  it('give the same template but for the code: runtime, arch, memory, timeout, env, log group, role, handler', () => {
    expect(withoutCode(fromBundles)).toEqual(withoutCode(fromSource));
    const functions = resourcesOfType(prebuilt.template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(7);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
      });
      expect(fn.Properties!.LoggingConfig.LogGroup).toBeDefined();
    }
  });

  it('the prebuilt code of each function is the asset of its own bundle directory', () => {
    // An asset is uploaded as <fingerprint of the directory>.zip: each function names its own handler's.
    const expected = Object.fromEntries(
      HANDLER_NAMES.map((name) => [`${FileSystem.fingerprint(path.join(assets, name))}.zip`, name]),
    );
    const deployed = resourcesOfType(prebuilt.template, 'AWS::Lambda::Function').map(
      ([, fn]) => expected[fn.Properties!.Code.S3Key as string],
    );
    expect(deployed.sort()).toEqual([...HANDLER_NAMES].sort());
    const { stack } = prebuilt;
    expect(stack.resolve((stack.sender.function.function.node.defaultChild as any).code).s3Key).toBe(
      `${FileSystem.fingerprint(path.join(assets, 'sender'))}.zip`,
    );
  });

  it('a directory without a bundle fails the synth and says what is missing', () => {
    rmSync(path.join(assets, 'media', BUNDLE_FILE));
    try {
      expect(() => synthStack({ [PREBUILT_ASSETS_CONTEXT]: assets })).toThrow(
        new RegExp(`no prebuilt Lambda bundle .*media.*${BUNDLE_FILE}.*${PREBUILT_ASSETS_CONTEXT}`),
      );
    } finally {
      writeFileSync(path.join(assets, 'media', BUNDLE_FILE), 'export const handler = async () => 1;\n');
    }
  });
});
