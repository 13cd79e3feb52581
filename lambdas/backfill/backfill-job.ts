import type { BackfillReport } from '../contract/backfill-report.js';
import type { SenderPolicy } from '../sending/attempt-outcome.js';
import { createLineBackfill, type LineReport } from './backfill-service.js';
import type { Logger } from '../platform/logger.js';
import { METRIC_NAMES, type MetricSink } from '../platform/metrics.js';
import type { DeadLetterSink, SendblueApi, SweepStore } from '../sending/ports.js';
import { createUnknownSweep } from '../sending/settle-unknown.js';
import type { IngestStore, StatusRelay } from '../webhooks/ports.js';
import type { BackfillStore, LineMessages } from './ports.js';

/**
 * One backfill run, as the scheduled Lambda and the sandbox's timer (and `cli backfill`) start it:
 * each line's missed webhooks, then the sweep of unknown commands whose queue message is gone.
 * A 429 from Sendblue ends the whole run (the next one goes on from the watermark). Counts are
 * reported and written as metrics (metrics.ts). Never throws: a failure is in the report.
 */
export interface BackfillJobSettings {
  /** The lines to read (the stack's line first). */
  lines: string[];
  fromNumber: string;
  overlapMs: number;
  lookbackMs: number;
  pageSize: number;
  maxPagesPerRun: number;
  /** No new list page after this long into the run. */
  listBudgetMs: number;
  /** No new sweep check after this long into the run. */
  runBudgetMs: number;
  unsettledMinAgeMs: number;
  sweepMaxPerRun: number;
  leaseMs: number;
  policy: SenderPolicy;
}

export interface BackfillJobDeps {
  store: BackfillStore & IngestStore & SweepStore;
  sendblue: SendblueApi & LineMessages;
  relay: StatusRelay;
  deadLetter: DeadLetterSink;
  logger: Logger;
  metrics: MetricSink;
  now?: () => Date;
  settings: BackfillJobSettings;
}

export type { BackfillReport };

export type BackfillJob = () => Promise<BackfillReport>;

export function createBackfillJob(deps: BackfillJobDeps): BackfillJob {
  const { settings, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const backfillLine = createLineBackfill({ ...deps, now, settings });
  const sweep = createUnknownSweep({
    ...deps,
    now,
    settings: {
      fromNumber: settings.fromNumber,
      leaseMs: settings.leaseMs,
      minAgeMs: settings.unsettledMinAgeMs,
      maxPerRun: settings.sweepMaxPerRun,
      policy: settings.policy,
    },
  });

  return async function runBackfill(): Promise<BackfillReport> {
    const startedMs = now().getTime();
    const budget = { pagesLeft: settings.maxPagesPerRun, deadlineMs: startedMs + settings.listBudgetMs };
    const lines: LineReport[] = [];
    let throttled = false;
    for (const line of settings.lines) {
      if (throttled) break;
      try {
        const report = await backfillLine(line, budget);
        lines.push(report);
        throttled = report.stoppedBy === 'throttled';
      } catch (error) {
        // The watermark could not be read or written: nothing moved, the next run starts over.
        logger.error('backfill of a line failed', { line, error });
        lines.push({
          line,
          from: '',
          pages: 0,
          stoppedBy: 'error',
          error: error instanceof Error ? error.name : 'error',
          found: 0,
          stored: 0,
          alreadyThere: 0,
          skipped: 0,
        });
      }
    }
    let sweepReport: BackfillReport['sweep'];
    if (throttled) {
      sweepReport = { error: 'not run: Sendblue answered 429 to the message list' };
    } else {
      try {
        sweepReport = await sweep(startedMs + settings.runBudgetMs);
      } catch (error) {
        logger.error('sweep of unknown commands failed', { error });
        sweepReport = { error: `sweep failed: ${error instanceof Error ? error.name : 'error'}` };
      }
    }
    emitMetrics(deps.metrics, settings.lines, lines, sweepReport);
    const report: BackfillReport = {
      started_at: new Date(startedMs).toISOString(),
      duration_ms: now().getTime() - startedMs,
      lines,
      sweep: sweepReport,
      found: sum(lines, 'found'),
      stored: sum(lines, 'stored'),
      already_there: sum(lines, 'alreadyThere'),
    };
    // A quiet run (nothing missed, nothing to settle) is a debug line: the metrics carry its counts.
    const settledAny = 'examined' in sweepReport && sweepReport.examined > 0;
    const quiet = report.stored === 0 && !settledAny && lines.every((line) => line.stoppedBy === 'done');
    (quiet ? logger.debug : logger.info)('backfill run finished', {
      found: report.found,
      stored: report.stored,
      already_there: report.already_there,
      stopped: lines.filter((l) => l.stoppedBy !== 'done').map((l) => `${l.line}: ${l.stoppedBy}`),
      ...('examined' in sweepReport
        ? { unknown_examined: sweepReport.examined, unknown_still: sweepReport.stillUnknown }
        : {}),
    });
    return report;
  };
}

const sum = (lines: LineReport[], key: 'found' | 'stored' | 'alreadyThere') =>
  lines.reduce((total, line) => total + line[key], 0);

/** One EMF line per line: every configured line gets its counts (zeros too, so alarms see data). */
function emitMetrics(
  metrics: MetricSink,
  configured: string[],
  lines: LineReport[],
  sweep: BackfillReport['sweep'],
): void {
  const settled =
    'examined' in sweep ? sweep : { sent: {} as Record<string, number>, neverSent: {} as Record<string, number> };
  const all = new Set([...configured, ...Object.keys(settled.sent), ...Object.keys(settled.neverSent)]);
  for (const line of all) {
    // A configured line the run did not reach (a 429 ended it first) counts as incomplete.
    const report = lines.find((entry) => entry.line === line);
    metrics(line, {
      ...(configured.includes(line)
        ? {
            [METRIC_NAMES.backfillFound]: report?.found ?? 0,
            [METRIC_NAMES.backfillStored]: report?.stored ?? 0,
            [METRIC_NAMES.backfillAlreadyThere]: report?.alreadyThere ?? 0,
            [METRIC_NAMES.backfillIncomplete]: report?.stoppedBy === 'done' ? 0 : 1,
          }
        : {}),
      [METRIC_NAMES.unknownSettledSent]: settled.sent[line] ?? 0,
      [METRIC_NAMES.unknownSettledNeverSent]: settled.neverSent[line] ?? 0,
    });
  }
}
