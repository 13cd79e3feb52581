import type { Duration } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { COMMAND_QUEUE_SETTINGS } from '../../lambdas/contract/command-queue-settings.js';
import { ENV } from '../../lambdas/contract/env.js';
import type { OptedOutMembersPolicy } from '../../lambdas/sending/preflight.js';
import { DEFAULTS } from '../defaults.js';
import type { CommandQueue } from './command-queue.js';
import { NodeFunction } from './node-function.js';
import type { SendblueGroupsTable } from './table.js';

/** AWS advises a visibility timeout of at least 6x the function timeout for an SQS event source. */
const MIN_VISIBILITY_TO_TIMEOUT_RATIO = 6;

export interface CommandSenderProps {
  /** The command queue (consumed) and its DLQ (the sender puts permanently failed commands there). */
  readonly commands: CommandQueue;
  /** Where command states and sent messages are written. */
  readonly table: SendblueGroupsTable;
  /** Sendblue API credentials `{"apiKeyId","apiSecretKey"}`. */
  readonly apiCredentials: ISecret;
  /** Token appended to `statusWebhookUrl` (`?token=`). Never pass the webhook secret here. */
  readonly statusCallbackToken: ISecret;
  /** The stack's own status webhook URL, given to Sendblue as every message's `status_callback`. */
  readonly statusWebhookUrl: string;
  /** Default Sendblue line (E.164) for commands without `from_number`. */
  readonly fromNumber: string;
  /** Sendblue API base URL, no trailing slash. */
  readonly sendblueBaseUrl: string;
  /**
   * Function timeout; the queue's visibility timeout must be at least 6x this.
   * @default DEFAULTS.sender.timeout (COMMAND_QUEUE_SETTINGS.senderTimeoutSeconds, 30 seconds)
   */
  readonly timeout?: Duration;
  /**
   * Concurrent sender invocations (2-1000): bounds the rate of Sendblue calls.
   * @default DEFAULTS.sender.maxConcurrency (COMMAND_QUEUE_SETTINGS.maxConcurrency, 5)
   */
  readonly maxConcurrency?: number;
  /**
   * Sends per second per Sendblue line, shared by every invocation.
   * @default DEFAULTS.line.ratePerSecond (1, Sendblue's published limit)
   */
  readonly lineRatePerSecond?: number;
  /**
   * Sends a line may make at once after being idle.
   * @default DEFAULTS.line.burst (10, Sendblue's published limit)
   */
  readonly lineBurst?: number;
  /**
   * New contacts each Sendblue line may start conversations with per rolling hour and per day; a
   * send that would exceed them waits `queued` until it fits. `{ perHour: 0, perDay: 0 }` = not counted.
   * @default DEFAULTS.newContacts ({ perHour: 15, perDay: 50 }, Sendblue's published limits)
   */
  readonly newContacts?: { perHour: number; perDay: number };
  /**
   * How long a command may ride out an outage of Sendblue (failures of the way to Sendblue, waits
   * on a line paused by one), from the first of a streak; past it, failed with the reason, on the
   * DLQ. Whole seconds, at most a day.
   * @default DEFAULTS.sender.outageBudget (1 hour)
   */
  readonly outageBudget?: Duration;
  /**
   * Sends that reach members who opted out: `refuse` (never called), or `send` (called; Sendblue
   * skips them per recipient; a warning is kept on the command). docs/sending.md "Pre-flight".
   * @default - refuse a new group given by numbers, send to an existing group_id with a warning
   */
  readonly optedOutMembers?: OptedOutMembersPolicy;
  /**
   * Our other lines (besides `fromNumber`), so pre-flight tells them from members.
   * @default - none
   */
  readonly extraLines?: readonly string[];
  /**
   * Retention of the function's log group.
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The sender Lambda fed by the command queue (batches with partial failures, bounded concurrency).
 * Its role allows exactly: the table items it reads and writes, queries of the table (a message
 * and its status history) and of the group timeline index (a membership change reads the group's
 * newest messages), the API credentials and the status callback token (not the webhook secret),
 * sending to the DLQ, and what the event source grants on the command queue (receive, delete,
 * change visibility, get attributes and URL).
 */
export class CommandSender extends Construct {
  readonly function: NodeFunction;

  constructor(scope: Construct, id: string, props: CommandSenderProps) {
    super(scope, id);
    const { commands, table } = props;
    const timeout = props.timeout ?? DEFAULTS.sender.timeout;
    const outageBudget = props.outageBudget ?? DEFAULTS.sender.outageBudget;
    const budgetSeconds = outageBudget.toSeconds();
    if (!(budgetSeconds >= 1 && budgetSeconds <= DEFAULTS.sender.outageBudgetLimit.toSeconds())) {
      throw new Error(
        `${this.node.path}: outageBudget must be from 1 second to ${DEFAULTS.sender.outageBudgetLimit.toHumanString()}, got ${outageBudget.toHumanString()}`,
      );
    }
    if (commands.visibilityTimeout.toSeconds() < MIN_VISIBILITY_TO_TIMEOUT_RATIO * timeout.toSeconds()) {
      throw new Error(
        `${this.node.path}: the command queue's visibility timeout (${commands.visibilityTimeout.toSeconds()} s) must be at least ` +
          `${MIN_VISIBILITY_TO_TIMEOUT_RATIO}x the sender's timeout (${timeout.toSeconds()} s)`,
      );
    }

    this.function = new NodeFunction(this, 'Function', {
      code: 'sender',
      description: 'Command queue -> Sendblue API -> DynamoDB',
      timeout,
      logRetention: props.logRetention,
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.apiCredentialsSecretArn]: props.apiCredentials.secretArn,
        [ENV.callbackTokenSecretArn]: props.statusCallbackToken.secretArn,
        [ENV.statusWebhookUrl]: props.statusWebhookUrl,
        [ENV.fromNumber]: props.fromNumber,
        [ENV.sendblueBaseUrl]: props.sendblueBaseUrl,
        [ENV.sendblueTimeoutMs]: String(DEFAULTS.sender.sendblueTimeoutMs),
        [ENV.commandQueueUrl]: commands.queue.queueUrl,
        [ENV.deadLetterQueueUrl]: commands.deadLetterQueue.queueUrl,
        [ENV.maxAttempts]: String(COMMAND_QUEUE_SETTINGS.maxAttempts),
        [ENV.outageBudgetSeconds]: String(budgetSeconds),
        [ENV.lineRatePerSecond]: String(props.lineRatePerSecond ?? DEFAULTS.line.ratePerSecond),
        [ENV.lineBurst]: String(props.lineBurst ?? DEFAULTS.line.burst),
        [ENV.newContactsPerHour]: String(props.newContacts?.perHour ?? DEFAULTS.newContacts.perHour),
        [ENV.newContactsPerDay]: String(props.newContacts?.perDay ?? DEFAULTS.newContacts.perDay),
        [ENV.ourLines]: [props.fromNumber, ...(props.extraLines ?? [])].join(','),
        ...(props.optedOutMembers ? { [ENV.optedOutMembers]: props.optedOutMembers } : {}),
      },
    });

    this.function.addToRolePolicy(
      new PolicyStatement({
        // Every sender write is a conditional or merging UpdateItem (ledger, outbound message, group,
        // a line's pacing record, a contact's opt state from a set_contact_opt command, read back
        // with GetItem when the write changed nothing): no PutItem.
        sid: 'ReadWriteCommandsAndMessages',
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        // Table: a message with its status history (is an earlier send already ours?).
        // Index: a group's newest messages (its members before a membership change).
        sid: 'QueryMessagesAndGroupTimeline',
        effect: Effect.ALLOW,
        actions: ['dynamodb:Query'],
        resources: [table.tableArn, table.groupTimelineIndexArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        // Pre-flight: who among a command's members opted out (their contact records, read only), and
        // which of them the line already messaged (its new-contact quota).
        sid: 'ReadContactOptOuts',
        effect: Effect.ALLOW,
        actions: ['dynamodb:BatchGetItem'],
        resources: [table.tableArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        // New-contact quota: the numbers a line has now messaged (`LINE#<line>` / `KNOWN#<number>`),
        // written in one BatchWriteItem of puts after Sendblue accepted the send.
        sid: 'RememberLineContacts',
        effect: Effect.ALLOW,
        actions: ['dynamodb:BatchWriteItem'],
        resources: [table.tableArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadSendblueSecrets',
        effect: Effect.ALLOW,
        // Default aws/secretsmanager key: no kms:Decrypt statement needed.
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.apiCredentials.secretArn, props.statusCallbackToken.secretArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'DeadLetterFailedCommands',
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [commands.deadLetterQueue.queueArn],
      }),
    );

    // Also grants consume rights on the command queue (ReceiveMessage, DeleteMessage,
    // ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl); SSE-SQS needs no KMS grant.
    // ChangeMessageVisibility is what the sender uses for retry backoff.
    this.function.function.addEventSource(
      new SqsEventSource(commands.queue, {
        batchSize: DEFAULTS.sender.batchSize,
        maxConcurrency: props.maxConcurrency ?? DEFAULTS.sender.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
