/**
 * cfn-lint as verify:deploy runs it: the real linter (preinstalled on this project's machines) on a
 * template with one error and one warning, its JSON report read; a missing linter is a clear failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCfnLint } from '../../../../scripts/verify-deploy/cfn-lint.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runCfnLint', () => {
  it('reports errors and warnings with rule, place and message', async () => {
    const file = path.join(dir, 'template.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: {
          Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } },
          Other: {
            Type: 'AWS::SQS::Queue',
            DependsOn: 'Queue',
            Properties: {
              RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, maxReceiveCount: 3 },
            },
          },
        },
      }),
    );
    const outcome = await runCfnLint(file);
    if (!outcome.ok) throw new Error(outcome.problem);
    expect(outcome.version).toMatch(/^cfn-lint \d+\.\d+/);
    expect(outcome.findings).toContainEqual(
      expect.objectContaining({ level: 'Error', path: 'Resources/Queue/Properties/VisibilityTimeout' }),
    );
    expect(outcome.findings).toContainEqual(expect.objectContaining({ level: 'Warning', rule: 'W3005' }));
  }, 60_000);

  it('says clearly that cfn-lint is missing, and how to get it', async () => {
    const outcome = await runCfnLint(path.join(dir, 'template.json'), 'cfn-lint-not-installed');
    expect(outcome).toEqual({
      ok: false,
      problem: expect.stringContaining('cfn-lint-not-installed is not installed (not on PATH)'),
    });
    expect(!outcome.ok && outcome.problem).toContain('pip install cfn-lint');
  });
});
