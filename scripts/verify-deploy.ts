/**
 * `npm run verify:deploy` (docs/deploy.md "Before you deploy: npm run verify:deploy"): what can be
 * known about a deployment without deploying. (a) the app's normal synth (cdk-nag findings fail it);
 * (b) cfn-lint on the template, 0 errors; (c) CloudFormation's, Lambda's and IAM's limits, with
 * headroom; (d) the IAM check: the sandbox runs the very bundles (SANDBOX_CODE=bundles) through the
 * walkthrough, every AWS call each function made is recorded and evaluated against its role in the
 * template, with the KMS calls encrypted resources imply. Exit 1 when any check fails.
 *
 *   npm run verify:deploy [-- --no-synth] [-- --cdk-out DIR]
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readSynthesizedStack } from '../sandbox/bundles/cdk-out.js';
import { SANDBOX_AWS_CALLS_PATH } from '../sandbox/bundles/aws-calls-route.js';
import { quietNodeSupportWarning } from '../sandbox/node-support.js';
import { EXPLAINED_WARNINGS, runCfnLint } from './verify-deploy/cfn-lint.js';
import { checkIam, type Verdict } from './verify-deploy/iam-check.js';
import { formatLimits, measureLimits, overLimit } from './verify-deploy/limits.js';
import { startSandboxProcess } from './verify-deploy/sandbox-process.js';
import { runWalkthrough } from './verify-deploy/walkthrough.js';

quietNodeSupportWarning();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const outAt = args.indexOf('--cdk-out');
const cdkOut = path.resolve(ROOT, outAt === -1 ? 'cdk.out' : (args[outAt + 1] ?? 'cdk.out'));
const failures: string[] = [];
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function synth(): Promise<void> {
  if (args.includes('--no-synth')) return console.log(`(a) synth: skipped (--no-synth); using ${cdkOut}`);
  const started = Date.now();
  try {
    await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', cdkOut], {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' },
      maxBuffer: 32 * 1024 * 1024,
    });
    console.log(`(a) synth with cdk-nag: ok in ${seconds(started)} (${path.relative(ROOT, cdkOut)})`);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    console.log(`${stdout}${stderr}`.trim());
    throw new Error('(a) synth failed (cdk-nag findings or an error above): nothing else can be checked');
  }
}

async function lint(templateFile: string): Promise<void> {
  const started = Date.now();
  const outcome = await runCfnLint(templateFile);
  if (!outcome.ok) {
    failures.push(`cfn-lint: ${outcome.problem}`);
    return console.log(`(b) cfn-lint: FAILED: ${outcome.problem}`);
  }
  const errors = outcome.findings.filter((finding) => finding.level === 'Error');
  const others = outcome.findings.filter((finding) => finding.level !== 'Error');
  console.log(
    `(b) ${outcome.version}: ${errors.length} errors, ${others.length} warnings/informational (${seconds(started)})`,
  );
  for (const finding of outcome.findings) {
    const why = EXPLAINED_WARNINGS[finding.rule] ? `  [${EXPLAINED_WARNINGS[finding.rule]}]` : '';
    console.log(`    ${finding.level} ${finding.rule} ${finding.path}: ${finding.message}${why}`);
  }
  for (const error of errors) failures.push(`cfn-lint ${error.rule} at ${error.path}: ${error.message}`);
}

function limits(stack: ReturnType<typeof readSynthesizedStack>): void {
  const rows = measureLimits({
    template: stack.template,
    templateBytes: statSync(stack.templateFile).size,
    stackName: stack.stackName,
    cdkOut: stack.dir,
  });
  console.log('(c) limits (values that depend on deploy-time names measured on CloudFormation-length names):');
  console.log(formatLimits(rows).replace(/^/gm, '    '));
  for (const row of overLimit(rows)) failures.push(`limit: ${row.what} is ${row.value}, over ${row.limit}`);
}

async function iam(stack: ReturnType<typeof readSynthesizedStack>): Promise<void> {
  const started = Date.now();
  console.log('(d) IAM: the sandbox runs the bundles (SANDBOX_CODE=bundles) through the walkthrough...');
  const sandbox = await startSandboxProcess({
    code: 'bundles',
    env: { SANDBOX_CDK_OUT: stack.dir, LOG_LEVEL: 'warn', SANDBOX_BACKFILL_SECONDS: '0' },
  });
  let recorded: Omit<Parameters<typeof checkIam>[0], 'template'>;
  try {
    await runWalkthrough(sandbox, (line) => console.log(`  ${line}`));
    recorded = (await (await fetch(`${sandbox.api}${SANDBOX_AWS_CALLS_PATH}`)).json()) as typeof recorded;
  } catch (error) {
    console.log(sandbox.output().split('\n').slice(-30).join('\n'));
    throw error;
  } finally {
    await sandbox.stop();
  }
  const { resources, calls, unclassified } = recorded;
  const result = await checkIam({ template: stack.template, resources, calls, unclassified });
  console.log(
    `    ${result.verdicts.length} distinct calls evaluated against the roles in ${path.relative(ROOT, stack.templateFile)} (${seconds(started)}):`,
  );
  console.log(formatVerdicts(result.verdicts).replace(/^/gm, '    '));
  failures.push(...result.failures.map((failure) => `IAM: ${failure}`));
}

function formatVerdicts(verdicts: Verdict[]): string {
  const sorted = [...verdicts].sort((a, b) => `${a.function}${a.action}`.localeCompare(`${b.function}${b.action}`));
  return sorted
    .map((verdict) => {
      const mark = verdict.decision === 'Allowed' ? 'ok ' : 'NO ';
      const via = verdict.via === 'code' ? '' : ` (${verdict.via})`;
      const kms = verdict.because ? `  <- ${verdict.because}` : '';
      return `${mark} ${`${verdict.function}${via}`.padEnd(32)} ${verdict.action.padEnd(34)} ${verdict.resource}${kms}`;
    })
    .join('\n');
}

const started = Date.now();
try {
  await synth();
  const stack = readSynthesizedStack(cdkOut);
  await lint(stack.templateFile);
  limits(stack);
  await iam(stack);
} catch (error) {
  // A failed check says what failed; anything else (a bug here) shows where.
  const plain = error instanceof Error && ['Error', 'WalkthroughError'].includes(error.name);
  failures.push(plain ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
}
if (failures.length) {
  console.log(`\nverify:deploy FAILED (${failures.length}) in ${seconds(started)}:`);
  for (const failure of failures) console.log(`  - ${failure}`);
  process.exit(1);
}
console.log(`\nverify:deploy passed in ${seconds(started)}: synth + cdk-nag, cfn-lint, limits, IAM.`);
