import { runBackfill, type BackfillReport } from '../client/backfill.js';
import { CliError, EXIT } from './context.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

export const backfillCommand: CliCommand = {
  name: 'backfill',
  summary: "run the backfill now: missed webhooks from Sendblue's message list, unknown commands settled",
  options: {},
  help: `Usage: cli backfill [--stack NAME | --aws]

Runs the backfill now, as its schedule does (docs/backfill.md): reads Sendblue's message list
for each line since its watermark (minus the overlap) and stores every group message and status
the webhooks missed; then settles unknown commands whose queue message is gone (found in
Sendblue: sent; provably not sent: failed and on the DLQ, to redrive). Prints what was found,
stored and already there. Sandbox: POST /__sandbox/backfill. --aws / --stack: invokes the stack's
backfill function (output BackfillFunctionName; needs lambda:InvokeFunction on it).
Exit 2 when a line could not be read or stored (the next run goes on from its watermark).

${GLOBAL_HELP}`,
  async run(ctx) {
    const target = await ctx.target();
    const report = await runBackfill(target);
    ctx.print(report, () => reportLines(report, target.label, ctx.hint));
    const failed = report.lines.filter((line) => line.stoppedBy === 'error');
    if (failed.length)
      throw new CliError(
        `the backfill of ${failed.map((line) => line.line).join(', ')} stopped on an error: ${failed[0]!.error ?? 'see the log'}`,
        EXIT.remote,
        ctx.json,
      );
  },
};

const STOPS: Record<string, string> = {
  done: 'all read',
  throttled: 'stopped early: Sendblue answered 429 (the next run goes on)',
  budget: "stopped early: the run's page or time budget (the next run goes on)",
  error: 'stopped on an error',
};

function reportLines(report: BackfillReport, label: string, hint: (...args: string[]) => string): string[] {
  const lines = [
    `backfill of ${label}: ${report.found} found, ${report.stored} stored (missed by the webhooks), ${report.already_there} already there`,
  ];
  for (const line of report.lines) {
    lines.push(
      `  ${line.line}  ${line.found} found, ${line.stored} stored, ${line.alreadyThere} already there${line.skipped ? `, ${line.skipped} skipped` : ''}; ${line.pages} page(s); ${STOPS[line.stoppedBy] ?? line.stoppedBy}${line.error ? ` (${line.error})` : ''}`,
    );
    lines.push(`      read from ${line.from || '-'}; watermark ${line.watermark ?? 'none yet'}`);
  }
  const sweep = report.sweep;
  if ('error' in sweep) {
    lines.push(`  unknown commands: ${sweep.error}`);
  } else {
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
    lines.push(
      `  unknown commands: ${sweep.examined} examined, ${total(sweep.sent)} found sent, ${total(sweep.neverSent)} never sent (on the DLQ: ${hint('dlq')}), ${sweep.stillUnknown} still unknown`,
    );
  }
  return lines;
}
