/**
 * The synthesized stack against CloudFormation's, Lambda's and IAM's hard limits, with headroom:
 * the template's size and counts, each function's environment and unzipped bundle, each role's
 * inline policies. Values that depend on deploy-time names (ARNs, queue URLs) are measured on a
 * made-up deployment with physical names as long as CloudFormation's (resources.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fakeAwsContext } from '../../sandbox/bundles/resources.js';
import {
  type CfnTemplate,
  resolveIntrinsics,
  rolePolicies,
  templateFunctions,
} from '../../sandbox/bundles/template.js';

/** The limits (AWS documentation: CloudFormation quotas, Lambda quotas, IAM quotas). */
export const LIMITS = {
  /** A template uploaded through S3, as `cdk deploy` always does (the asset in the bootstrap bucket). */
  templateBytesViaS3: 1_048_576,
  /** A template passed in the API call itself (not how cdk deploys; shown for the record). */
  templateBytesDirect: 51_200,
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  /** All of a function's environment variables together. */
  lambdaEnvironmentBytes: 4_096,
  /** A function's deployment package, unzipped. */
  lambdaUnzippedBytes: 262_144_000,
  /** Inline policies of one role together, whitespace not counted. */
  roleInlinePolicyChars: 10_240,
} as const;

export interface LimitRow {
  what: string;
  value: number;
  limit: number;
  /** false: shown only (a limit that does not apply to how the stack is deployed). */
  gating: boolean;
  note?: string;
}

export interface LimitsInput {
  template: CfnTemplate;
  /** The template file's size in bytes. */
  templateBytes: number;
  stackName: string;
  /** The cloud assembly folder (the functions' bundles are in it). */
  cdkOut?: string;
}

export function measureLimits(input: LimitsInput): LimitRow[] {
  const { template } = input;
  const context = fakeAwsContext(template, { stackName: input.stackName });
  const count = (section: unknown) => Object.keys((section as object | undefined) ?? {}).length;
  const rows: LimitRow[] = [
    {
      what: 'template size (bytes, uploaded via S3)',
      value: input.templateBytes,
      limit: LIMITS.templateBytesViaS3,
      gating: true,
    },
    {
      what: 'template size (bytes, if passed directly)',
      value: input.templateBytes,
      limit: LIMITS.templateBytesDirect,
      gating: false,
      note: 'cdk deploy uploads the template to the bootstrap bucket',
    },
    { what: 'resources', value: count(template.Resources), limit: LIMITS.resources, gating: true },
    { what: 'outputs', value: count(template.Outputs), limit: LIMITS.outputs, gating: true },
    { what: 'parameters', value: count(template.Parameters), limit: LIMITS.parameters, gating: true },
    { what: 'mappings', value: count(template.Mappings), limit: LIMITS.mappings, gating: true },
  ];
  for (const fn of templateFunctions(template)) {
    const variables = resolveIntrinsics(fn.environment, context) as Record<string, string>;
    rows.push({
      what: `${fn.name}: environment (bytes, as JSON)`,
      value: Buffer.byteLength(JSON.stringify(variables)),
      limit: LIMITS.lambdaEnvironmentBytes,
      gating: true,
    });
    if (input.cdkOut && fn.assetPath) {
      rows.push({
        what: `${fn.name}: bundle unzipped (bytes)`,
        value: folderBytes(path.join(input.cdkOut, fn.assetPath)),
        limit: LIMITS.lambdaUnzippedBytes,
        gating: true,
      });
    }
    if (fn.roleLogicalId) {
      const { policies } = rolePolicies(template, fn.roleLogicalId);
      const chars = policies.reduce(
        (sum, policy) => sum + JSON.stringify(resolveIntrinsics(policy.document, context)).length,
        0,
      );
      rows.push({
        what: `${fn.name}: role's inline policies (characters)`,
        value: chars,
        limit: LIMITS.roleInlinePolicyChars,
        gating: true,
      });
    }
  }
  return rows;
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder)) {
    const file = path.join(folder, entry);
    const stat = statSync(file);
    total += stat.isDirectory() ? folderBytes(file) : stat.size;
  }
  return total;
}

export const overLimit = (rows: LimitRow[]) => rows.filter((row) => row.gating && row.value > row.limit);

/** The rows as a small aligned table: value, limit, headroom. */
export function formatLimits(rows: LimitRow[]): string {
  const cells = rows.map((row) => {
    const headroom = ((row.limit - row.value) / row.limit) * 100;
    const state = row.value > row.limit ? (row.gating ? 'OVER' : 'over (n/a)') : `${headroom.toFixed(0)}% left`;
    return [row.what, row.value.toLocaleString('en-US'), row.limit.toLocaleString('en-US'), state, row.note ?? ''];
  });
  const header = ['limit', 'value', 'max', 'headroom', ''];
  const widths = header.map((_, column) => Math.max(...[header, ...cells].map((line) => line[column]!.length)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, column) =>
          column === 1 || column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
