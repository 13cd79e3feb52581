import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { lineDimension, METRIC_NAMES } from '../../lambdas/platform/metrics.js';
import { DEFAULTS } from '../defaults.js';
import type { CommandQueue } from './command-queue.js';
import type { NodeFunction } from './node-function.js';
import { OperationsDashboard } from './operations-dashboard.js';
import { perLine, stackTotal } from './operations-metrics.js';

export interface OperationsProps {
  /** The command queue (age of the oldest command) and its DLQ (depth). */
  readonly commandQueue: CommandQueue;
  /** The HTTP API (its 5xx answers). */
  readonly httpApi: IHttpApi;
  /** The sender Lambda: its errors and throttles, and the command counts it writes. */
  readonly sender: NodeFunction;
  /** The ingest Lambda: the webhook counts it writes. */
  readonly ingest: NodeFunction;
  /** Every Lambda of the stack by a short name, for the dashboard's errors and duration widgets. */
  readonly functions: Readonly<Record<string, NodeFunction>>;
  /**
   * The stream consumers' failure queues (events, media) by name: each is alarmed like the DLQ.
   * @default - none
   */
  readonly failureQueues?: Readonly<Record<string, IQueue>>;
  /** The Sendblue lines watched one by one (no inbound for hours, webhooks found missing). */
  readonly lines: readonly string[];
  /**
   * Alarms, their SNS topic and its KMS key.
   * @default DEFAULTS.operations.alarms (true)
   */
  readonly alarms?: boolean;
  /**
   * The CloudWatch dashboard.
   * @default DEFAULTS.operations.dashboard (true)
   */
  readonly dashboard?: boolean;
  /**
   * An email address subscribed to the alarm topic (SNS sends it a confirmation link first).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * A command this old on the queue alarms, seconds.
   * @default DEFAULTS.operations.commandAgeAlarmSeconds (3,600)
   */
  readonly commandAgeAlarmSeconds?: number;
  /**
   * Hours without a new inbound message on a line before its alarm fires; 0 = no such alarm.
   * @default DEFAULTS.operations.inboundSilenceHours (24)
   */
  readonly inboundSilenceHours?: number;
  /**
   * A line paused by a Sendblue outage this long alarms, seconds; 0 = no such alarm.
   * @default DEFAULTS.operations.linePausedAlarmSeconds (300)
   */
  readonly linePausedAlarmSeconds?: number;
  /**
   * Minutes between backfill runs: the period of the "webhooks found missing" alarms (a run's
   * counts arrive once per interval).
   * @default DEFAULTS.backfill.intervalMinutes (5)
   */
  readonly backfillIntervalMinutes?: number;
  /**
   * Alarm names start with it and a dash (CloudWatch may use the topic's key only for alarms named
   * so); the dashboard's name, the topic's display name and the key's description carry it.
   * @default - the stack name
   */
  readonly namePrefix?: string;
}

interface AlarmSpec {
  /** Construct id, and the alarm's name after the stack name. */
  id: string;
  metric: IMetric;
  threshold: number;
  comparison?: ComparisonOperator;
  evaluationPeriods?: number;
  treatMissingData?: TreatMissingData;
  /** What it means and what to do: the first thing an email shows. */
  description: string;
}

/**
 * Operations (docs/operations.md): alarms on what needs a person, all sending to one SNS topic
 * (encrypted with its own KMS key, TLS-only, optionally an email subscription), and one
 * dashboard. Every alarm notifies when it fires and again when it clears.
 *
 * The topic has its own customer managed key because CloudWatch cannot publish to a topic encrypted
 * with the AWS managed `aws/sns` key (its key policy cannot name CloudWatch). CloudWatch may use the
 * key and publish to the topic only for this account's alarms whose names start with the stack name.
 */
export class Operations extends Construct {
  /** Undefined when alarms are off. */
  readonly alarmTopic?: Topic;
  readonly alarmKey?: Key;
  /** Every alarm, by construct id. Empty when alarms are off. */
  readonly alarms: ReadonlyMap<string, Alarm>;
  readonly dashboard?: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const ops = DEFAULTS.operations;
    const alarms = new Map<string, Alarm>();
    this.alarms = alarms;

    if (props.alarms ?? ops.alarms) {
      const stack = Stack.of(this);
      const namePrefix = props.namePrefix ?? stack.stackName;
      const alarmNamePrefix = `${namePrefix}-`;
      const fromOurAlarms = {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: `${alarmNamePrefix}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      };
      const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');

      this.alarmKey = new Key(this, 'AlarmTopicKey', {
        description: `Encrypts the alarm notifications of ${namePrefix}`,
        enableKeyRotation: true,
        // It protects notifications in flight only: nothing is left to decrypt once the stack is gone.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      this.alarmKey.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CloudWatchAlarmsEncryptNotifications',
          effect: Effect.ALLOW,
          principals: [cloudWatch],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: fromOurAlarms,
        }),
      );

      this.alarmTopic = new Topic(this, 'AlarmTopic', {
        // SNS allows 100 characters; the email's sender name.
        displayName: `${namePrefix} alarms`.slice(0, 100),
        masterKey: this.alarmKey,
        enforceSSL: true,
      });
      this.alarmTopic.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          effect: Effect.ALLOW,
          principals: [cloudWatch],
          actions: ['sns:Publish'],
          resources: [this.alarmTopic.topicArn],
          conditions: fromOurAlarms,
        }),
      );
      if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

      const action = new SnsAction(this.alarmTopic);
      for (const spec of this.alarmSpecs(props)) {
        const alarm = new Alarm(this, spec.id, {
          alarmName: `${alarmNamePrefix}${spec.id}`,
          alarmDescription: spec.description,
          metric: spec.metric,
          threshold: spec.threshold,
          comparisonOperator: spec.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: spec.evaluationPeriods ?? 1,
          datapointsToAlarm: spec.evaluationPeriods ?? 1,
          treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        alarms.set(spec.id, alarm);
      }
    }

    if (props.dashboard ?? ops.dashboard) {
      this.dashboard = new OperationsDashboard(this, 'Dashboard', {
        commandQueue: props.commandQueue,
        httpApi: props.httpApi,
        sender: props.sender,
        ingest: props.ingest,
        functions: props.functions,
        failureQueues: props.failureQueues,
        alarms: [...alarms.values()],
        namePrefix: props.namePrefix,
      });
    }
  }

  private alarmSpecs(props: OperationsProps): AlarmSpec[] {
    const ops = DEFAULTS.operations;
    const { queue, deadLetterQueue } = props.commandQueue;
    const sender = props.sender.function.functionName;
    const ingest = props.ingest.function.functionName;
    const queueDepth = (q: IQueue) =>
      q.metricApproximateNumberOfMessagesVisible({ period: ops.queueDepthPeriod, statistic: Stats.MAXIMUM });
    const silenceHours = props.inboundSilenceHours ?? ops.inboundSilenceHours;
    const backfillMinutes = Math.max(5, props.backfillIntervalMinutes ?? DEFAULTS.backfill.intervalMinutes);
    const ageSeconds = props.commandAgeAlarmSeconds ?? ops.commandAgeAlarmSeconds;
    const pausedSeconds = props.linePausedAlarmSeconds ?? ops.linePausedAlarmSeconds;

    const specs: AlarmSpec[] = [
      {
        id: 'DeadLetters',
        metric: queueDepth(deadLetterQueue),
        threshold: 1,
        description:
          'A command is on the dead-letter queue: it failed for good (invalid, refused by Sendblue, out of attempts) ' +
          'or exceeded its receives. `npm run cli -- dlq --aws` shows each with its reason; fix the cause, then redrive or delete it.',
      },
      {
        id: 'OldestCommandAge',
        metric: queue.metricApproximateAgeOfOldestMessage({ period: ops.period, statistic: Stats.MAXIMUM }),
        threshold: ageSeconds,
        description:
          `A command has waited ${ageSeconds} s or more on the command queue. Pacing makes commands wait for their line ` +
          '(about 1 send a second), and 429s and retries add to that: a long backlog on one line, or a command stuck. ' +
          'See the dashboard (commands per line, 429s) and GET /commands/{command_id} of the oldest commands.',
      },
      {
        id: 'SenderErrors',
        metric: props.sender.function.metricErrors({ period: ops.period, statistic: Stats.SUM }),
        threshold: 1,
        description:
          'The sender Lambda failed an invocation (it never throws on its own: a timeout, an out-of-memory or a crash). ' +
          "Its batch is delivered again; nothing is sent twice. Read the sender's log group for the error.",
      },
      {
        id: 'SenderThrottles',
        metric: props.sender.function.metricThrottles({ period: ops.period, statistic: Stats.SUM }),
        threshold: 1,
        description:
          "Lambda throttled the sender: the account's concurrency is used up by other functions. Commands wait on the " +
          'queue (nothing is lost); raise the account limit or reserve concurrency for the sender.',
      },
      {
        id: 'ApiServerErrors',
        metric: props.httpApi.metricServerError({ period: ops.period, statistic: Stats.SUM }),
        threshold: ops.serverErrorThreshold,
        description:
          'The HTTP API answered 5xx: a webhook was not stored (Sendblue retries it a few times; the backfill fetches it ' +
          'later) or a read failed. The dashboard tells webhooks (WebhookNotStored) from reads; the ingest and read logs say why.',
      },
      {
        id: 'WebhooksUnauthorized',
        metric: stackTotal(METRIC_NAMES.webhookUnauthorized, ingest),
        threshold: ops.webhookUnauthorizedThreshold,
        description:
          `${ops.webhookUnauthorizedThreshold} or more webhooks answered 401 in 5 minutes: the secret set in Sendblue is ` +
          "not the stack's WebhookSecret (rotated? another stack's?). Run `npm run cli -- setup --aws` to register the webhooks again.",
      },
      {
        id: 'SendblueThrottling',
        metric: stackTotal(METRIC_NAMES.sendblueThrottled, sender),
        threshold: ops.sendblueThrottledThreshold,
        evaluationPeriods: ops.sendblueThrottledPeriods,
        description:
          `Sendblue answered 429 ${ops.sendblueThrottledThreshold} or more times in each of ${ops.sendblueThrottledPeriods} ` +
          '5-minute periods in a row. Commands wait and go on (a 429 is not a failure), but sending is slower than planned: lower ' +
          'lineRatePerSecond / lineBurst to what your Sendblue plan allows, or check what else uses the API key.',
      },
    ];
    // Lines that mask alike share their metrics (the Line dimension is the masked line): one alarm each.
    const watched = [...new Map(props.lines.map((line) => [lineDimension(line), line])).values()];
    for (const line of watched) {
      const masked = lineDimension(line);
      specs.push({
        id: `WebhooksMissed-${alarmIdOf(line)}`,
        metric: perLine(METRIC_NAMES.backfillStored, line, { period: Duration.minutes(backfillMinutes) }),
        threshold: 1,
        description:
          `The backfill found events on line ${masked} that no webhook had brought: webhooks are being lost (now stored). ` +
          "Check Sendblue's webhook settings (`npm run cli -- setup --aws`), the WebhooksUnauthorized and ApiServerErrors alarms.",
      });
      if (silenceHours > 0) {
        specs.push({
          id: `NoInbound-${alarmIdOf(line)}`,
          metric: perLine(METRIC_NAMES.inboundMessages, line, { period: Duration.hours(1) }),
          threshold: 1,
          comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: silenceHours,
          // No data is exactly the case: no webhook wrote a count.
          treatMissingData: TreatMissingData.BREACHING,
          description:
            `No new inbound message on line ${masked} for ${silenceHours} hour(s). Quiet, or webhooks not arriving: ` +
            'send the line a message; check the receive webhook in Sendblue and the WebhooksUnauthorized alarm. ' +
            'Set inboundSilenceHours (0 = off) to fit your traffic.',
        });
      }
      if (pausedSeconds > 0) {
        specs.push({
          id: `LinePaused-${alarmIdOf(line)}`,
          metric: perLine(METRIC_NAMES.linePausedSeconds, line, {
            period: ops.linePausedPeriod,
            statistic: Stats.MAXIMUM,
          }),
          threshold: pausedSeconds,
          description:
            `Sendblue has been unreachable from line ${masked} for ${pausedSeconds} s or more (connections refused, ` +
            'no answer, or 5xx for several commands): the line is paused, commands on it wait and one probe every few ' +
            's checks whether it is back; nothing fails before the outage budget (outageBudgetSeconds, 1 h by default). ' +
            "Check Sendblue's status, your network and DNS; `npm run cli -- status <command_id> --aws` shows a waiting command. " +
            'It clears when a probe gets an answer.',
        });
      }
    }
    for (const [name, failureQueue] of Object.entries(props.failureQueues ?? {})) {
      specs.push({
        id: `${pascal(name)}FailureQueue`,
        metric: queueDepth(failureQueue),
        threshold: 1,
        description:
          `The ${name} Lambda gave up a batch of table changes (retries and the record age spent): it is described on its ` +
          'failure queue (shard and sequence numbers). Read its log for the error; the changes themselves are in the table.',
      });
    }
    return specs;
  }
}

/** `+14155550123` -> `1415xxx0123`: the masked line, in characters an alarm name and a construct id allow. */
const alarmIdOf = (line: string) => lineDimension(line).replace(/^\+/, '').replace(/\*/g, 'x');
const pascal = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
