/**
 * What operations (docs/operations.md) put in an account, counted from the synthesized template
 * of the real app (lib/app.ts): alarms, dashboards, KMS keys; and what the counts add to the logs,
 * measured on the very EMF lines the handlers write (lambdas/platform/metrics.ts) with function
 * names as long as CloudFormation generates them. No AWS, no timing.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../lib/app.js';
import {
  METRIC_DIMENSION_SETS,
  METRIC_NAMES,
  metricLine,
  type MetricCounts,
  type MetricName,
} from '../lambdas/platform/metrics.js';

/** What Lambda's Node.js runtime puts before a console.log line: an ISO time, the request id and INFO, tab-separated. */
export const LAMBDA_LOG_PREFIX = `${new Date(0).toISOString()}\t${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}\tINFO\t`;
/** A function name as CloudFormation generates it: `<stack>-<logical id, cut>-<12 random characters>` (64 at most). */
const FUNCTION_NAME = 'SendblueGroups-SenderFunctionHandlerC54A347A-AbCdEfGhIjKl';

export interface OperationsFigures {
  /** By context: the defaults (one line), two lines, alarms off, dashboard off. */
  resources: Record<string, { alarms: number; dashboards: number; kmsKeys: number; topics: number }>;
  /** Bytes of one EMF log event, the Lambda prefix and newline included. */
  emfBytes: { newInboundWebhook: number; otherWebhook: number; sentCommandBatch: number };
  /** Custom metric names the sender and ingest code publish: each name with each dimension value is one metric. */
  newMetrics: { perLine: number; stackTotals: number };
}

function count(context: Record<string, unknown>) {
  const { stack } = buildApp({
    nag: false,
    appProps: { builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], ...context } },
  });
  const resources = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>);
  const of = (type: string) => resources.filter((resource) => resource.Type === type).length;
  return {
    alarms: of('AWS::CloudWatch::Alarm'),
    dashboards: of('AWS::CloudWatch::Dashboard'),
    kmsKeys: of('AWS::KMS::Key'),
    topics: of('AWS::SNS::Topic'),
  };
}

/** Load it with `await import()` after any cold-start timing: aws-cdk-lib is large. */
export function measureOperations(): OperationsFigures {
  const line = '+14155550123';
  const bytes = (counts: MetricCounts, withLine: boolean) =>
    Buffer.byteLength(
      `${LAMBDA_LOG_PREFIX}${metricLine(withLine ? line : undefined, counts, Date.now(), FUNCTION_NAME)}\n`,
    );
  const senderAndIngest: MetricName[] = [
    METRIC_NAMES.commandsSent,
    METRIC_NAMES.commandsFailed,
    METRIC_NAMES.sendblueThrottled,
    METRIC_NAMES.sendblueUnclear,
    // Only while a line is paused by an outage (issue 16).
    METRIC_NAMES.linePausedSeconds,
    METRIC_NAMES.lineProbes,
    METRIC_NAMES.webhookStored,
    METRIC_NAMES.webhookUnauthorized,
    METRIC_NAMES.webhookNotStored,
    METRIC_NAMES.inboundMessages,
  ];
  const setsOf = (dimension: string) =>
    senderAndIngest.filter((name) => METRIC_DIMENSION_SETS[name].some((set) => set.includes(dimension as never)))
      .length;
  return {
    resources: {
      defaults: count({}),
      'two lines': count({ backfillLines: ['+14155550124'] }),
      'alarms off': count({ alarms: false }),
      'dashboard off': count({ dashboard: false }),
    },
    emfBytes: {
      newInboundWebhook: bytes({ [METRIC_NAMES.webhookStored]: 1, [METRIC_NAMES.inboundMessages]: 1 }, true),
      otherWebhook: bytes({ [METRIC_NAMES.webhookStored]: 1 }, false),
      sentCommandBatch: bytes({ [METRIC_NAMES.commandsSent]: 1 }, true),
    },
    newMetrics: { perLine: setsOf('Line'), stackTotals: setsOf('FunctionName') },
  };
}
