import { Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, type IScheduleTarget } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BACKFILL_ENV } from '../../lambdas/contract/backfill-settings.js';
import { ENV } from '../../lambdas/contract/env.js';
import { DEFAULTS } from '../defaults.js';
import { readablePath } from './naming.js';
import { NodeFunction } from './node-function.js';
import type { SendblueGroupsTable } from './table.js';

/** Lambda's longest maximum event age for asynchronous invocations. */
const MAX_LAMBDA_EVENT_AGE_SECONDS = 6 * 3600;

export interface BackfillProps {
  /** Where missed events are stored, the watermarks kept and unknown commands settled. */
  readonly table: SendblueGroupsTable;
  /** Sendblue API credentials `{"apiKeyId","apiSecretKey"}` (the message list, the checks). */
  readonly apiCredentials: ISecret;
  /** The command DLQ: an unknown command proved never sent is put there, to be redriven. */
  readonly deadLetterQueue: IQueue;
  /** The stack's Sendblue line (E.164): always read, and the line of commands without from_number. */
  readonly fromNumber: string;
  /**
   * Further lines to read (E.164).
   * @default DEFAULTS.backfill.extraLines (none)
   */
  readonly extraLines?: readonly string[];
  /** Sendblue API base URL, no trailing slash. */
  readonly sendblueBaseUrl: string;
  /**
   * Minutes between scheduled runs; 0 = no schedule (the function stays, for `cli backfill --aws`).
   * @default DEFAULTS.backfill.intervalMinutes (5)
   */
  readonly intervalMinutes?: number;
  /**
   * Each run re-reads this far before the watermark, minutes.
   * @default DEFAULTS.backfill.overlapMinutes (10)
   */
  readonly overlapMinutes?: number;
  /**
   * The first run on a line reads this far back, minutes.
   * @default DEFAULTS.backfill.lookbackMinutes (10)
   */
  readonly lookbackMinutes?: number;
  /**
   * An unknown command is swept once unwritten this long, minutes.
   * @default DEFAULTS.backfill.unsettledMinAgeMinutes (60)
   */
  readonly unsettledMinAgeMinutes?: number;
  /**
   * Retention of the function's log group.
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The backfill Lambda (docs/backfill.md) and its EventBridge Scheduler schedule. The function's
 * role allows exactly what its code calls: BatchGetItem, GetItem, PutItem and UpdateItem on the
 * table (what is already stored, the webhook writes, the watermark, the ledger), Query on the table (a message and its history) and
 * on the group timeline index (the unsettled list, a group's newest messages), the API
 * credentials (not the webhook secret, not the callback token: a relay needs none), and
 * SendMessage to the DLQ. The schedule's own role may invoke this function only.
 */
export class Backfill extends Construct {
  readonly function: NodeFunction;
  /** Undefined when `intervalMinutes` is 0. */
  readonly schedule?: Schedule;
  readonly schedulerRole?: Role;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    const { table } = props;
    const intervalMinutes = props.intervalMinutes ?? DEFAULTS.backfill.intervalMinutes;
    const lines = [...new Set([props.fromNumber, ...(props.extraLines ?? DEFAULTS.backfill.extraLines)])];

    this.function = new NodeFunction(this, 'Function', {
      code: 'backfill',
      description: 'Sendblue message list -> missed webhooks into DynamoDB; settles unknown commands',
      timeout: DEFAULTS.backfill.timeout,
      logRetention: props.logRetention,
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.apiCredentialsSecretArn]: props.apiCredentials.secretArn,
        [ENV.sendblueBaseUrl]: props.sendblueBaseUrl,
        [ENV.fromNumber]: props.fromNumber,
        [ENV.deadLetterQueueUrl]: props.deadLetterQueue.queueUrl,
        [BACKFILL_ENV.lines]: lines.join(','),
        [BACKFILL_ENV.overlapMinutes]: String(props.overlapMinutes ?? DEFAULTS.backfill.overlapMinutes),
        [BACKFILL_ENV.lookbackMinutes]: String(props.lookbackMinutes ?? DEFAULTS.backfill.lookbackMinutes),
        [BACKFILL_ENV.unsettledMinAgeMinutes]: String(
          props.unsettledMinAgeMinutes ?? DEFAULTS.backfill.unsettledMinAgeMinutes,
        ),
      },
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        // Webhook writes (conditional puts and updates), the watermark, the ledger's claim and finish;
        // BatchGetItem: which listed events are already stored (one read per page, before any write).
        sid: 'StoreEventsAndSettleCommands',
        effect: Effect.ALLOW,
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        // Table: a message with its status history. Index: the unsettled list, a group's newest messages.
        sid: 'QueryMessagesAndUnsettledCommands',
        effect: Effect.ALLOW,
        actions: ['dynamodb:Query'],
        resources: [table.tableArn, table.groupTimelineIndexArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadApiCredentials',
        effect: Effect.ALLOW,
        // Default aws/secretsmanager key: no kms:Decrypt statement needed.
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.apiCredentials.secretArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'DeadLetterNeverSentCommands',
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [props.deadLetterQueue.queueArn],
      }),
    );
    // Scheduler invokes asynchronously: a failed run is not retried by Lambda (the next run reads
    // the same window again), and an invocation older than one interval is dropped (Lambda keeps
    // an event 6 hours at most, Scheduler a day).
    const interval = Duration.minutes(Math.max(1, intervalMinutes));
    this.function.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.min(interval.toSeconds(), MAX_LAMBDA_EVENT_AGE_SECONDS)),
    });

    if (intervalMinutes > 0) {
      const stack = Stack.of(this);
      this.schedulerRole = new Role(this, 'SchedulerRole', {
        description: `Lets EventBridge Scheduler start ${readablePath(this)}/Function`,
        // Only schedules of this account's default group (AWS's confused-deputy guard for Scheduler).
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: {
              'aws:SourceAccount': stack.account,
              'aws:SourceArn': stack.formatArn({
                service: 'scheduler',
                resource: 'schedule-group',
                resourceName: 'default',
              }),
            },
          },
        }),
      });
      this.schedulerRole.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'InvokeBackfill',
          effect: Effect.ALLOW,
          actions: ['lambda:InvokeFunction'],
          // The function itself, not `:*` (its versions and aliases): nothing else is invoked.
          resources: [this.function.function.functionArn],
        }),
      );
      const role = this.schedulerRole;
      const functionArn = this.function.function.functionArn;
      const target: IScheduleTarget = {
        bind: () => ({
          arn: functionArn,
          role,
          retryPolicy: {
            maximumRetryAttempts: DEFAULTS.backfill.schedulerRetryAttempts,
            maximumEventAgeInSeconds: interval.toSeconds(),
          },
        }),
      };
      this.schedule = new Schedule(this, 'Schedule', {
        schedule: ScheduleExpression.rate(Duration.minutes(intervalMinutes)),
        target,
        description: `Backfill of missed Sendblue webhooks every ${intervalMinutes} minute(s)`,
      });
    }
  }
}
