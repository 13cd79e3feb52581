/**
 * verify:deploy's limits on the real stack (synthesized without bundling) and on templates made to
 * cross them: each row's value, limit and headroom, and only the limits that apply fail.
 */
import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../../../sandbox/bundles/template.js';
import { formatLimits, LIMITS, measureLimits, overLimit } from '../../../../scripts/verify-deploy/limits.js';
import { synthStack } from '../../../support/cdk.js';

const template = synthStack().template.toJSON() as CfnTemplate;
const bytes = Buffer.byteLength(JSON.stringify(template, null, 1));

describe('measureLimits', () => {
  it('measures the real stack: counts, each function environment and role, all within the limits', () => {
    const rows = measureLimits({ template, templateBytes: bytes, stackName: 'SendblueGroups' });
    const row = (what: string) => rows.find((candidate) => candidate.what === what)!;
    expect(row('resources').value).toBe(Object.keys(template.Resources).length);
    expect(row('outputs').value).toBe(Object.keys(template.Outputs ?? {}).length);
    expect(row('template size (bytes, uploaded via S3)')).toMatchObject({
      value: bytes,
      limit: LIMITS.templateBytesViaS3,
    });
    for (const name of ['ingest', 'read', 'sender', 'events', 'media', 'backfill']) {
      expect(row(`${name}: environment (bytes, as JSON)`).value).toBeGreaterThan(10);
      expect(row(`${name}: role's inline policies (characters)`).value).toBeGreaterThan(100);
    }
    // The sender's environment holds two queue URLs and two secret ARNs at CloudFormation's lengths.
    expect(row('sender: environment (bytes, as JSON)').value).toBeGreaterThan(600);
    expect(overLimit(rows)).toEqual([]);
  });

  it('fails a limit that applies, shows one that does not (a template passed directly)', () => {
    const many: CfnTemplate = { Resources: {} };
    for (let i = 0; i < 501; i += 1) many.Resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic' };
    many.Resources.Fn = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Tags: [{ Key: 'sendblue-groups:handler', Value: 'sender' }],
        Environment: { Variables: { BIG: 'x'.repeat(4_100) } },
      },
    };
    const rows = measureLimits({ template: many, templateBytes: 60_000, stackName: 'S' });
    expect(overLimit(rows).map((row) => row.what)).toEqual(['resources', 'sender: environment (bytes, as JSON)']);
    const table = formatLimits(rows);
    expect(table).toMatch(/^resources\s+502\s+500\s+OVER$/m);
    expect(table).toMatch(
      /^template size \(bytes, if passed directly\)\s+60,000\s+51,200\s+over \(n\/a\)\s+cdk deploy uploads/m,
    );
    expect(table).toMatch(/^template size \(bytes, uploaded via S3\)\s+60,000\s+1,048,576\s+94% left$/m);
  });
});
