import { maskPhone } from './logger';

/**
 * Counts as CloudWatch embedded metric format (EMF) log lines: CloudWatch Logs turns each line into
 * metrics in namespace `SendblueGroups`, no PutMetricData call, no extra permission, no library.
 * The `Line` dimension is the line masked as the logs mask it (`+1555***0000`): logs never hold a
 * whole phone number, and a line's masked form is stable, so alarms and dashboards can name it
 * (`lineDimension(line)`).
 */
export const METRIC_NAMESPACE = 'SendblueGroups';

/** The metric names (part of the contract: alarms and dashboards refer to them). */
export const METRIC_NAMES = {
  backfillFound: 'BackfillFound',
  backfillStored: 'BackfillStored',
  backfillAlreadyThere: 'BackfillAlreadyThere',
  backfillIncomplete: 'BackfillIncomplete',
  unknownSettledSent: 'UnknownSettledSent',
  unknownSettledNeverSent: 'UnknownSettledNeverSent',
} as const;

/** The value of the `Line` dimension for a Sendblue line. */
export const lineDimension = (line: string): string => maskPhone(line);

/** One EMF line: the given counts (unit Count) under the dimension `Line`. */
export function metricLine(line: string, counts: Record<string, number>, timestampMs: number): string {
  const names = Object.keys(counts);
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Line']], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    Line: lineDimension(line),
    ...counts,
  });
}

export type MetricSink = (line: string, counts: Record<string, number>) => void;

/** Writes EMF lines (to stdout in Lambda, where CloudWatch Logs picks them up). */
export function emfSink(write: (text: string) => void = (text) => console.log(text), now: () => number = Date.now): MetricSink {
  return (line, counts) => {
    if (Object.keys(counts).length) write(metricLine(line, counts, now()));
  };
}
