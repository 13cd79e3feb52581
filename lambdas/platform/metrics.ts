import { maskPhone, type Logger } from './logger.js';

/**
 * Counts as CloudWatch embedded metric format (EMF) log lines: CloudWatch Logs turns each line into
 * metrics in namespace `SendblueGroups`, no PutMetricData call, no extra permission, no library.
 * The `Line` dimension is the line masked as the logs mask it (`+1555***0000`): logs never hold a
 * whole phone number, and a line's masked form is stable, so alarms and dashboards can name it
 * (`lineDimension(line)`). A stack total carries `FunctionName`, the Lambda that wrote it, so two
 * stacks in one account and region never add up into one total.
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
  /** Sender: a command became `sent` (or was found already sent). */
  commandsSent: 'CommandsSent',
  /** Sender: a command became `failed` (invalid, refused by Sendblue, out of attempts, its id reused): on the DLQ. */
  commandsFailed: 'CommandsFailed',
  /** Sender: Sendblue answered 429 (to a call or to a check); the command waits and goes on. */
  sendblueThrottled: 'SendblueThrottled',
  /** Sender: a call whose outcome is unclear (timeout, connection cut): checked in Sendblue before anything is sent again. */
  sendblueUnclear: 'SendblueUnclear',
  /**
   * Sender: how long a line has been paused by an outage, seconds (its breaker open), written by
   * each failed probe: a gauge, read as its Maximum. No data: not paused (or nothing waits on it).
   */
  linePausedSeconds: 'LinePausedSeconds',
  /** Sender: calls made as a paused line's probe (at most one every few seconds per line). */
  lineProbes: 'LineProbes',
  /** Ingest: a webhook answered 200 (stored, or already stored). */
  webhookStored: 'WebhookStored',
  /** Ingest: a webhook answered 401 (missing or wrong secret or token). */
  webhookUnauthorized: 'WebhookUnauthorized',
  /** Ingest: a webhook answered 5xx (not stored; Sendblue retries it). */
  webhookNotStored: 'WebhookNotStored',
  /** Ingest: a new inbound message stored, per line (the payload's `sendblue_number`). */
  inboundMessages: 'InboundMessages',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];
export type MetricCounts = Partial<Record<MetricName, number>>;

/** The dimensions the metrics are published under. */
export const METRIC_DIMENSIONS = { line: 'Line', functionName: 'FunctionName' } as const;
type Dimension = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];
type DimensionSets = readonly (readonly Dimension[])[];

const PER_LINE: DimensionSets = [[METRIC_DIMENSIONS.line]];
const STACK_TOTAL: DimensionSets = [[METRIC_DIMENSIONS.functionName]];
const PER_LINE_AND_TOTAL: DimensionSets = [...PER_LINE, ...STACK_TOTAL];

/**
 * Which dimension sets each metric is published under; each name with each dimension value is
 * one custom metric (billed per hour it gets data). The alarms (lib/constructs/operations.ts)
 * read their dimensions from here too.
 */
export const METRIC_DIMENSION_SETS: Readonly<Record<MetricName, DimensionSets>> = {
  BackfillFound: PER_LINE,
  BackfillStored: PER_LINE,
  BackfillAlreadyThere: PER_LINE,
  BackfillIncomplete: PER_LINE,
  UnknownSettledSent: PER_LINE,
  UnknownSettledNeverSent: PER_LINE,
  // A command's line is known once it is valid; the total also covers those without one.
  CommandsSent: PER_LINE_AND_TOTAL,
  CommandsFailed: PER_LINE_AND_TOTAL,
  SendblueThrottled: PER_LINE_AND_TOTAL,
  SendblueUnclear: PER_LINE_AND_TOTAL,
  // An outage pauses lines one by one: per line only (the alarm watches each configured line).
  LinePausedSeconds: PER_LINE,
  LineProbes: PER_LINE,
  // A webhook's line is not trusted before it is authenticated: totals only.
  WebhookStored: STACK_TOTAL,
  WebhookUnauthorized: STACK_TOTAL,
  WebhookNotStored: STACK_TOTAL,
  // Per line: the "no inbound message for N hours" alarm watches each line.
  InboundMessages: PER_LINE,
};

/** The unit each metric is published with: counts, but for the one gauge of seconds. */
export const METRIC_UNITS: Readonly<Partial<Record<MetricName, 'Seconds'>>> = { LinePausedSeconds: 'Seconds' };
const unitOf = (name: MetricName): 'Count' | 'Seconds' => METRIC_UNITS[name] ?? 'Count';

/** The value of the `Line` dimension for a Sendblue line. */
export const lineDimension = (line: string): string => maskPhone(line);

/**
 * One EMF line: the given counts (unit Count; Seconds for the gauge in METRIC_UNITS), each under those of its dimension sets whose values
 * are known (`line`, `functionName`); a count with none is left out.
 */
export function metricLine(
  line: string | undefined,
  counts: MetricCounts,
  timestampMs: number,
  functionName?: string,
): string {
  const values: Partial<Record<Dimension, string>> = {
    ...(line !== undefined ? { [METRIC_DIMENSIONS.line]: lineDimension(line) } : {}),
    ...(functionName ? { [METRIC_DIMENSIONS.functionName]: functionName } : {}),
  };
  const directives = new Map<string, { sets: Dimension[][]; names: MetricName[] }>();
  for (const name of Object.keys(counts) as MetricName[]) {
    const sets = METRIC_DIMENSION_SETS[name]
      .filter((set) => set.every((dimension) => values[dimension] !== undefined))
      .map((set) => [...set]);
    if (sets.length === 0) continue;
    const key = JSON.stringify(sets);
    const directive = directives.get(key) ?? { sets, names: [] };
    directive.names.push(name);
    directives.set(key, directive);
  }
  const written = [...directives.values()].flatMap((directive) => directive.names);
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [...directives.values()].map(({ sets, names }) => ({
        Namespace: METRIC_NAMESPACE,
        Dimensions: sets,
        Metrics: names.map((Name) => ({ Name, Unit: unitOf(Name) })),
      })),
    },
    ...values,
    ...Object.fromEntries(written.map((name) => [name, counts[name]])),
  });
}

/** Receives counts for one line (undefined: no line is known, e.g. an invalid command). */
export type MetricSink = (line: string | undefined, counts: MetricCounts) => void;

/**
 * Writes EMF lines (to stdout in Lambda, where CloudWatch Logs picks them up). `functionName`
 * gives the stack totals their dimension; Lambda sets AWS_LAMBDA_FUNCTION_NAME.
 */
export function emfSink(
  write: (text: string) => void = (text) => console.log(text),
  now: () => number = Date.now,
  functionName: string | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME,
): MetricSink {
  return (line, counts) => {
    if (Object.keys(counts).length) write(metricLine(line, counts, now(), functionName));
  };
}

/** The sandbox's sink: no CloudWatch there, so the counts go to the log at debug level. */
export function logSink(logger: Pick<Logger, 'debug'>, message: string): MetricSink {
  return (line, counts) => {
    if (Object.keys(counts).length) logger.debug(message, { line: line ?? null, ...counts });
  };
}

/**
 * Adds counts up over a batch and writes them with one `flush()`: one EMF line per line (and one
 * for counts without a line), instead of one per record, keeps the log volume low.
 */
export interface MetricTally {
  count(line: string | undefined, name: MetricName, amount?: number): void;
  /** A gauge: the batch keeps the largest value (e.g. LinePausedSeconds). */
  gauge(line: string | undefined, name: MetricName, value: number): void;
  /** Writes what was counted since the last flush and starts over. */
  flush(): void;
}

export function createMetricTally(sink: MetricSink): MetricTally {
  let byLine = new Map<string | undefined, MetricCounts>();
  return {
    count(line, name, amount = 1) {
      const counts = byLine.get(line) ?? {};
      counts[name] = (counts[name] ?? 0) + amount;
      byLine.set(line, counts);
    },
    gauge(line, name, value) {
      const counts = byLine.get(line) ?? {};
      counts[name] = Math.max(counts[name] ?? Number.NEGATIVE_INFINITY, value);
      byLine.set(line, counts);
    },
    flush() {
      const pending = byLine;
      byLine = new Map();
      for (const [line, counts] of pending) sink(line, counts);
    },
  };
}
