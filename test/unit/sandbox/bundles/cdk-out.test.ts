/**
 * When bundles mode synthesizes first: cdk.out missing, or older than any source it is made from.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSynthesizedStack, staleness, synthCommand } from '../../../../sandbox/bundles/cdk-out.js';

const root = mkdtempSync(path.join(tmpdir(), 'repo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (file: string, text: string, when: number) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
  utimesSync(path.join(root, file), when, when);
};

describe('staleness', () => {
  it('missing, older than a source (named), then up to date', () => {
    const out = path.join(root, 'cdk.out');
    write('lambdas/handlers/sender.ts', 'x', 1_000);
    write('lib/app.ts', 'x', 2_000);
    expect(staleness(root, out)).toBe('cdk.out is missing');
    write('cdk.out/manifest.json', '{}', 1_500);
    expect(staleness(root, out)).toBe(`cdk.out is older than ${path.join('lib', 'app.ts')}`);
    write('cdk.out/manifest.json', '{}', 3_000);
    expect(staleness(root, out)).toBeUndefined();
    write('node_modules/lib/ignored.ts', 'x', 9_000);
    expect(staleness(root, out)).toBeUndefined();
  });

  it('names the one command to run', () => {
    expect(synthCommand(root, path.join(root, 'cdk.out'))).toBe('npx cdk synth');
    expect(synthCommand(root, path.join(root, 'out', 'x'))).toBe(`npx cdk synth -o ${path.join('out', 'x')}`);
  });

  it('reads the one stack of a cloud assembly', () => {
    write(
      'asm/manifest.json',
      JSON.stringify({
        artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } },
      }),
      1,
    );
    write('asm/S.template.json', '{"Resources":{}}', 1);
    expect(readSynthesizedStack(path.join(root, 'asm'))).toMatchObject({ stackName: 'S', template: { Resources: {} } });
    expect(() => readSynthesizedStack(path.join(root, 'nothing'))).toThrow('holds no cloud assembly');
  });
});
