/**
 * cfn-lint (AWS's CloudFormation linter, preinstalled with the machine's Python) on the synthesized
 * template: errors fail verify:deploy, warnings are printed. Its JSON report is read, not its exit
 * code (a bit mask of the levels found).
 */
import { execFile } from 'node:child_process';

export interface LintFinding {
  level: 'Error' | 'Warning' | 'Informational';
  rule: string;
  message: string;
  /** `Resources/<id>/...`, as cfn-lint names the place. */
  path: string;
  line?: number;
}

export type LintOutcome = { ok: true; version: string; findings: LintFinding[] } | { ok: false; problem: string };

/** Known warnings CDK itself causes (CDK's DependsOn on a function's role), kept in the report but named. */
export const EXPLAINED_WARNINGS: Record<string, string> = {
  W3005: "CDK's own DependsOn from each function to its role (already implied by the Role's Fn::GetAtt): harmless",
};

const run = (command: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string; missing: boolean }>((resolve) => {
    execFile(command, args, { maxBuffer: 32 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
      resolve({ code: error ? ((error as { code?: unknown }).code as number | null) : 0, stdout, stderr, missing });
    });
  });

/** Parses cfn-lint's `--format json` report. */
export function parseCfnLintJson(text: string): LintFinding[] {
  const report = JSON.parse(text || '[]') as Array<{
    Level: LintFinding['level'];
    Message: string;
    Rule: { Id: string };
    Location?: { Path?: Array<string | number>; Start?: { LineNumber?: number } };
  }>;
  return report.map((entry) => ({
    level: entry.Level,
    rule: entry.Rule.Id,
    message: entry.Message,
    path: (entry.Location?.Path ?? []).join('/'),
    line: entry.Location?.Start?.LineNumber,
  }));
}

/** Runs `cfn-lint` (the command's name can be changed for tests) on one template. */
export async function runCfnLint(templateFile: string, command = 'cfn-lint'): Promise<LintOutcome> {
  const version = await run(command, ['--version']);
  if (version.missing) {
    return {
      ok: false,
      problem:
        `${command} is not installed (not on PATH). verify:deploy needs cfn-lint 1.x: it comes with this ` +
        "project's machine image (pip); elsewhere install it with `pip install cfn-lint` (PyPI) and run again.",
    };
  }
  const linted = await run(command, ['--format', 'json', templateFile]);
  try {
    return { ok: true, version: version.stdout.trim(), findings: parseCfnLintJson(linted.stdout) };
  } catch {
    return {
      ok: false,
      problem: `${command} did not report in JSON (exit ${linted.code}): ${linted.stderr.trim().slice(0, 500)}`,
    };
  }
}
