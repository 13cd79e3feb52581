import { Aws, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  Stats,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../../lambdas/platform/metrics.js';
import { DEFAULTS } from '../defaults.js';
import type { CommandQueue } from './command-queue.js';
import type { NodeFunction } from './node-function.js';
import { everyLine, stackTotal } from './operations-metrics.js';

export interface OperationsDashboardProps {
  readonly commandQueue: CommandQueue;
  readonly httpApi: IHttpApi;
  readonly sender: NodeFunction;
  readonly ingest: NodeFunction;
  /** Every Lambda of the stack by a short name. */
  readonly functions: Readonly<Record<string, NodeFunction>>;
  /**
   * @default - none
   */
  readonly failureQueues?: Readonly<Record<string, IQueue>>;
  /**
   * Shown in an alarm status widget at the top.
   * @default - no alarm widget
   */
  readonly alarms?: readonly IAlarm[];
  /**
   * The dashboard is named `<namePrefix>-<region>`.
   * @default - the stack name
   */
  readonly namePrefix?: string;
}

const WIDE = { width: 24, height: 6 } as const;
const HALF = { width: 12, height: 6 } as const;

/**
 * One CloudWatch dashboard, `<namePrefix>-<region>` (the stack name by default; dashboard names are global to the account),
 * with the signals the alarms watch and what explains them: commands (sent, failed, 429s,
 * unclear) in total and per line, lines paused by an outage and their probes, the queue (depth,
 * age of the oldest command, DLQ), webhooks
 * (stored, 401, not stored, the API's 4xx and 5xx), new inbound messages per line, the backfill
 * per line, every Lambda's errors, throttles and duration, and the stream failure queues.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { period } = DEFAULTS.operations;
    const sender = props.sender.function.functionName;
    const ingest = props.ingest.function.functionName;
    const { queue, deadLetterQueue } = props.commandQueue;
    const fns = Object.entries(props.functions);
    const perFunction = (make: (fn: NodeFunction, label: string) => IMetric, what: string) =>
      fns.map(([name, fn]) => make(fn, `${name} ${what}`));

    const rows: IWidget[][] = [];
    if (props.alarms?.length) {
      rows.push([
        new AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...props.alarms],
          width: 24,
          height: Math.min(6, 2 + Math.ceil(props.alarms.length / 4)),
        }),
      ]);
    }
    rows.push([
      new GraphWidget({
        title: 'Commands (all lines)',
        ...HALF,
        left: [
          stackTotal(METRIC_NAMES.commandsSent, sender, { label: 'sent' }),
          stackTotal(METRIC_NAMES.commandsFailed, sender, { label: 'failed (DLQ)' }),
          stackTotal(METRIC_NAMES.sendblueThrottled, sender, { label: 'Sendblue 429s' }),
          stackTotal(METRIC_NAMES.sendblueUnclear, sender, { label: 'unclear calls (checked before any resend)' }),
        ],
      }),
      new GraphWidget({
        title: 'Commands per line: sent and 429s',
        ...HALF,
        left: [everyLine(METRIC_NAMES.commandsSent), everyLine(METRIC_NAMES.sendblueThrottled)],
      }),
    ]);
    rows.push([
      new GraphWidget({
        title: 'Command queue',
        ...HALF,
        left: [
          queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting', statistic: Stats.MAXIMUM, period }),
          queue.metricApproximateNumberOfMessagesNotVisible({
            label: 'in flight or delayed',
            statistic: Stats.MAXIMUM,
            period,
          }),
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            label: 'on the DLQ',
            statistic: Stats.MAXIMUM,
            period,
          }),
        ],
        right: [
          queue.metricApproximateAgeOfOldestMessage({ label: 'oldest command, s', statistic: Stats.MAXIMUM, period }),
        ],
      }),
      new GraphWidget({
        title: 'Webhooks',
        ...HALF,
        left: [
          stackTotal(METRIC_NAMES.webhookStored, ingest, { label: 'stored (200)' }),
          stackTotal(METRIC_NAMES.webhookUnauthorized, ingest, { label: 'wrong secret (401)' }),
          stackTotal(METRIC_NAMES.webhookNotStored, ingest, { label: 'not stored (5xx)' }),
        ],
        right: [
          props.httpApi.metricClientError({ label: 'API 4xx', statistic: Stats.SUM, period }),
          props.httpApi.metricServerError({ label: 'API 5xx', statistic: Stats.SUM, period }),
        ],
      }),
    ]);
    rows.push([
      new GraphWidget({
        title: 'Lines paused by a Sendblue outage (seconds, max) and their probes',
        ...WIDE,
        left: [everyLine(METRIC_NAMES.linePausedSeconds, DEFAULTS.operations.linePausedPeriod, Stats.MAXIMUM)],
        right: [everyLine(METRIC_NAMES.lineProbes, DEFAULTS.operations.linePausedPeriod)],
        leftYAxis: { label: 'paused, s', min: 0 },
        rightYAxis: { label: 'probes', min: 0 },
      }),
    ]);
    rows.push([
      new GraphWidget({
        title: 'New inbound messages per line',
        ...HALF,
        left: [everyLine(METRIC_NAMES.inboundMessages)],
      }),
      new GraphWidget({
        title: 'Backfill per line: listed, and missed by the webhooks',
        ...HALF,
        left: [everyLine(METRIC_NAMES.backfillFound)],
        right: [everyLine(METRIC_NAMES.backfillStored)],
      }),
    ]);
    rows.push([
      new GraphWidget({
        title: 'Lambda errors and throttles',
        ...HALF,
        left: perFunction((fn, label) => fn.function.metricErrors({ label, statistic: Stats.SUM, period }), 'errors'),
        right: perFunction(
          (fn, label) => fn.function.metricThrottles({ label, statistic: Stats.SUM, period }),
          'throttles',
        ),
      }),
      new GraphWidget({
        title: 'Lambda duration (p99, ms)',
        ...HALF,
        left: perFunction((fn, label) => fn.function.metricDuration({ label, statistic: Stats.p(99), period }), 'p99'),
      }),
    ]);
    const failureQueues = Object.entries(props.failureQueues ?? {});
    if (failureQueues.length) {
      rows.push([
        new GraphWidget({
          title: 'Stream failure queues (batches given up)',
          ...WIDE,
          left: failureQueues.map(([name, q]) =>
            q.metricApproximateNumberOfMessagesVisible({ label: name, statistic: Stats.MAXIMUM, period }),
          ),
        }),
      ]);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix ?? Stack.of(this).stackName}-${Aws.REGION}`,
      widgets: rows,
    });
  }
}
