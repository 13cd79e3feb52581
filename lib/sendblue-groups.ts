import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROUTES } from '../lambdas/contract/routes.js';
import type { OptedOutMembersPolicy } from '../lambdas/sending/preflight.js';
import { type AppConfig, readConfig } from './config.js';
import { Backfill } from './constructs/backfill.js';
import { CommandQueue } from './constructs/command-queue.js';
import { ContactsLedger } from './constructs/contacts-ledger.js';
import { DomainEvents } from './constructs/domain-events.js';
import { SendblueHttpApi } from './constructs/http-api.js';
import { MediaArchive } from './constructs/media-archive.js';
import { logicalIdPrefixOf, namePrefixOf } from './constructs/naming.js';
import { nagResourceId } from './constructs/nag-ids.js';
import { Operations } from './constructs/operations.js';
import { ReadApi } from './constructs/read-api.js';
import { SendblueSecrets } from './constructs/secrets.js';
import { CommandSender } from './constructs/sender.js';
import { SendblueGroupsTable } from './constructs/table.js';
import { WebhookIngest } from './constructs/webhook-ingest.js';

/**
 * Settings of a SendblueGroups construct. Only `fromNumber` is required; every default is the
 * one this repository's stack deploys with (lib/defaults.ts), and each prop is the CDK context
 * key of the same name there (`lines` is `backfillLines`, `logRetention` is `logRetentionDays`).
 * Values are checked at synth: a wrong one throws naming the prop.
 */
export interface SendblueGroupsProps {
  /** Your Sendblue line (E.164, e.g. `+14155550123`): it sends commands without `from_number`, and the backfill reads it. */
  readonly fromNumber: string;
  /**
   * Further Sendblue lines (E.164) that the backfill reads and the alarms watch, besides `fromNumber`.
   * @default [] (only `fromNumber`)
   */
  readonly lines?: readonly string[];
  /**
   * Sendblue API base URL: https (http only for localhost), no trailing slash needed.
   * @default 'https://api.sendblue.co'
   */
  readonly sendblueBaseUrl?: string;
  /**
   * Largest webhook body accepted, bytes (larger: 413); at most 6 MB, Lambda's payload limit.
   * @default 262144 (256 KB)
   */
  readonly maxBodyBytes?: number;
  /**
   * The HTTP API stage's steady-state rate limit, requests per second.
   * @default 50
   */
  readonly throttleRateLimit?: number;
  /**
   * The HTTP API stage's burst limit, requests.
   * @default 100
   */
  readonly throttleBurstLimit?: number;
  /**
   * Retention of every Lambda's log group and of the API's access logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Sends per second per Sendblue line (the sender's pacing, shared by all its invocations).
   * @default 1 (Sendblue's published limit)
   */
  readonly lineRatePerSecond?: number;
  /**
   * Sends a line may make at once after being idle.
   * @default 10 (Sendblue's published limit)
   */
  readonly lineBurst?: number;
  /**
   * How long a command may ride out an outage of Sendblue (unreachable, or 5xx for everyone on its
   * line), seconds from the first failure of the streak; past it the command ends `failed` on the
   * DLQ with a reason that says so (docs/sending.md "When Sendblue is down: an outage, not a failure"). At most 86400 (a day).
   * @default 3600 (1 hour)
   */
  readonly outageBudgetSeconds?: number;
  /**
   * New contacts (numbers a line never messaged in 30 days) each Sendblue line may start
   * conversations with per rolling hour; a send that would exceed it waits `queued` with the reason
   * until it fits (docs/sending.md "The line's new-contact quota: a send waits until it fits"). 0 (with `newContactsPerDay` 0) = not counted.
   * @default 15 (Sendblue's published limit)
   */
  readonly newContactsPerHour?: number;
  /**
   * New contacts each line may start conversations with per day (the day resets at 3am New York,
   * as Sendblue's). 0 (with `newContactsPerHour` 0) = not counted.
   * @default 50 (Sendblue's published limit)
   */
  readonly newContactsPerDay?: number;
  /**
   * Domain events on an EventBridge bus, with an archive (docs/events.md).
   * @default true
   */
  readonly events?: boolean;
  /**
   * Days the event archive keeps events for replay; 0 keeps them for ever.
   * @default 30
   */
  readonly eventArchiveDays?: number;
  /**
   * Copies of inbound media in an S3 bucket (docs/media.md).
   * @default true
   */
  readonly media?: boolean;
  /**
   * Days a media copy is kept; 0 keeps copies for ever.
   * @default 365
   */
  readonly mediaRetentionDays?: number;
  /**
   * Minutes between backfill runs (docs/backfill.md); 0 = no schedule (the function stays, to run by hand).
   * @default 5
   */
  readonly backfillIntervalMinutes?: number;
  /**
   * CloudWatch alarms and their SNS topic (docs/operations.md).
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * The CloudWatch dashboard.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * An email address subscribed to the alarm topic (SNS mails it a confirmation link first). Needs `alarms`.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * A command this old on the queue alarms, seconds (at most 14 days, the queue's retention).
   * @default 3600
   */
  readonly commandAgeAlarmSeconds?: number;
  /**
   * Hours without a new inbound message on a line before its alarm fires; 0 = no such alarm (at most 168).
   * @default 24
   */
  readonly inboundSilenceHours?: number;
  /**
   * A line paused by an outage (its circuit breaker open) this long alarms, seconds; 0 = no such
   * alarm (at most `outageBudgetSeconds`' limit).
   * @default 300
   */
  readonly linePausedAlarmSeconds?: number;
  /**
   * Sends that reach members who opted out (texted STOP): `refuse` (no Sendblue call, the command
   * ends failed with the reason) or `send` (called anyway: Sendblue skips them per recipient; a
   * warning is kept on the command). docs/sending.md "Pre-flight".
   * @default - refuse a new group given by numbers, send to an existing group_id with a warning
   */
  readonly optedOutMembers?: OptedOutMembersPolicy;
}

/** The validated settings a SendblueGroups construct was built with (props with their defaults). */
export type SendblueGroupsSettings = Omit<AppConfig, 'stackName'>;

/** The seven Lambda functions. `events` and `media` exist only when those features are on. */
export interface SendblueGroupsFunctions {
  readonly ingest: IFunction;
  readonly read: IFunction;
  readonly sender: IFunction;
  readonly backfill: IFunction;
  /** The contacts ledger on the table's stream (always on: pre-flight's opt-outs depend on it). */
  readonly contacts: IFunction;
  readonly events?: IFunction;
  readonly media?: IFunction;
}

/** The smaller constructs a SendblueGroups is made of, for what the props do not cover. */
export interface SendblueGroupsParts {
  readonly table: SendblueGroupsTable;
  readonly secrets: SendblueSecrets;
  readonly ingest: WebhookIngest;
  readonly reads: ReadApi;
  readonly api: SendblueHttpApi;
  readonly commandQueue: CommandQueue;
  readonly sender: CommandSender;
  readonly events?: DomainEvents;
  readonly media?: MediaArchive;
  readonly backfill: Backfill;
  readonly contacts: ContactsLedger;
  readonly operations: Operations;
}

export class SendblueGroupsPropsError extends Error {
  constructor(
    path: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid SendblueGroups props (${path}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'SendblueGroupsPropsError';
  }
}

/** Context keys (lib/config.ts) whose prop has another name. */
const PROP_OF_CONTEXT_KEY: Readonly<Record<string, keyof SendblueGroupsProps>> = {
  backfillLines: 'lines',
  logRetentionDays: 'logRetention',
};
const propOf = (key: string): string => PROP_OF_CONTEXT_KEY[key] ?? key;

/**
 * Sendblue group messaging in your stack: an HTTP API for Sendblue's webhooks and IAM-authorized
 * reads, a FIFO command queue (and its DLQ) that the sender Lambda turns into Sendblue calls exactly
 * once, one DynamoDB table, the secrets, domain events on an EventBridge bus, media copies in S3,
 * the backfill of missed webhooks, alarms and a dashboard. Works in any stack; cdk-nag's
 * AwsSolutions findings are acknowledged on the resources they concern, each with its reason.
 *
 * ```ts
 * const messaging = new SendblueGroups(this, 'Messaging', { fromNumber: '+14155550123' });
 * messaging.grantSend(producerFunction);   // put commands on the queue
 * messaging.grantRead(dashboardRole);       // GET /groups/..., /messages/..., /commands/...
 * ```
 */
export class SendblueGroups extends Construct {
  /** The validated props, defaults filled in. */
  readonly settings: SendblueGroupsSettings;
  /** The one DynamoDB table (conversations, statuses, commands). Retained when the stack is deleted. */
  readonly table: SendblueGroupsTable;
  /** The FIFO command queue producers send to (grantSend). */
  readonly commandQueue: Queue;
  /** The FIFO dead-letter queue: commands that failed for good, with their reason. */
  readonly deadLetterQueue: Queue;
  /** The HTTP API: webhooks, reads and /health. */
  readonly httpApi: HttpApi;
  /** `https://{api-id}.execute-api.{region}.amazonaws.com` (no trailing slash). */
  readonly apiUrl: string;
  /** Paste into Sendblue's receive webhook (or let `sendblue-groups setup` register it). */
  readonly receiveWebhookUrl: string;
  /** Sendblue's outbound webhook and every message's status callback. */
  readonly statusWebhookUrl: string;
  /** `{"apiKeyId","apiSecretKey"}`: created empty, you put your Sendblue keys there. */
  readonly apiCredentialsSecret: Secret;
  /** The `sb-signing-secret` Sendblue sends with webhooks, generated at deploy time. */
  readonly webhookSecret: Secret;
  /** The token on status callback URLs, generated at deploy time. */
  readonly statusCallbackTokenSecret: Secret;
  /** The domain events bus (source `sendblue-groups`); undefined when `events` is false. */
  readonly eventBus?: EventBus;
  /** The media copies; undefined when `media` is false. */
  readonly mediaBucket?: Bucket;
  /** Every alarm notifies here; undefined when `alarms` is false. */
  readonly alarmTopic?: Topic;
  readonly functions: SendblueGroupsFunctions;
  /** The building blocks, for what the props do not cover. */
  readonly parts: SendblueGroupsParts;

  constructor(scope: Construct, id: string, props: SendblueGroupsProps) {
    super(scope, id);
    this.settings = validatedSettings(this.node.path, props);
    const settings = this.settings;
    const namePrefix = namePrefixOf(this);

    // The stream is always on: the contacts ledger reads it (pre-flight's opt-outs depend on it).
    const table = new SendblueGroupsTable(this, 'Table', { stream: true });
    const secrets = new SendblueSecrets(this, 'Secrets', { logicalIdPrefix: logicalIdPrefixOf(this) });

    // Ids as when the stack made these functions itself: a deployed stack keeps its logical ids.
    const ingest = new WebhookIngest(this, 'IngestFunction', {
      table,
      webhookSecret: secrets.webhookSecret,
      statusCallbackToken: secrets.statusCallbackToken,
      maxBodyBytes: settings.maxBodyBytes,
      logRetention: settings.logRetention,
    });
    const reads = new ReadApi(this, 'ReadFunction', { table, logRetention: settings.logRetention });

    const api = new SendblueHttpApi(this, 'HttpApi', {
      handlers: { ingest: ingest.function, read: reads.function },
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      accessLogRetention: settings.logRetention,
      apiName: namePrefix,
    });

    const commandQueue = new CommandQueue(this, 'CommandQueue');
    const sender = new CommandSender(this, 'Sender', {
      commands: commandQueue,
      table,
      apiCredentials: secrets.apiCredentials,
      statusCallbackToken: secrets.statusCallbackToken,
      statusWebhookUrl: api.urlOf('/webhooks/status'),
      fromNumber: settings.fromNumber,
      sendblueBaseUrl: settings.sendblueBaseUrl,
      lineRatePerSecond: settings.lineRatePerSecond,
      lineBurst: settings.lineBurst,
      newContacts: { perHour: settings.newContactsPerHour, perDay: settings.newContactsPerDay },
      outageBudget: Duration.seconds(settings.outageBudgetSeconds),
      optedOutMembers: settings.optedOutMembers,
      extraLines: settings.backfillLines,
      logRetention: settings.logRetention,
    });
    const contacts = new ContactsLedger(this, 'Contacts', {
      table,
      lines: [settings.fromNumber, ...settings.backfillLines],
      logRetention: settings.logRetention,
    });

    // Issue 11: both read the table's change stream, so ingest stays one write per message.
    const events = settings.events
      ? new DomainEvents(this, 'Events', {
          table,
          archiveDays: settings.eventArchiveDays,
          logRetention: settings.logRetention,
        })
      : undefined;
    const media = settings.media
      ? new MediaArchive(this, 'Media', {
          table,
          retentionDays: settings.mediaRetentionDays,
          logRetention: settings.logRetention,
        })
      : undefined;
    media?.allowLinks(reads);

    const backfill = new Backfill(this, 'Backfill', {
      table,
      apiCredentials: secrets.apiCredentials,
      deadLetterQueue: commandQueue.deadLetterQueue,
      fromNumber: settings.fromNumber,
      extraLines: settings.backfillLines,
      sendblueBaseUrl: settings.sendblueBaseUrl,
      intervalMinutes: settings.backfillIntervalMinutes,
      logRetention: settings.logRetention,
    });

    const operations = new Operations(this, 'Operations', {
      commandQueue,
      httpApi: api.httpApi,
      sender: sender.function,
      ingest,
      functions: {
        ingest,
        read: reads,
        sender: sender.function,
        backfill: backfill.function,
        contacts: contacts.consumer.function,
        ...(events ? { events: events.consumer.function } : {}),
        ...(media ? { media: media.consumer.function } : {}),
      },
      failureQueues: {
        contacts: contacts.consumer.failureQueue,
        ...(events ? { events: events.consumer.failureQueue } : {}),
        ...(media ? { media: media.consumer.failureQueue } : {}),
      },
      lines: [settings.fromNumber, ...settings.backfillLines],
      alarms: settings.alarms,
      dashboard: settings.dashboard,
      alarmEmail: settings.alarmEmail,
      commandAgeAlarmSeconds: settings.commandAgeAlarmSeconds,
      inboundSilenceHours: settings.inboundSilenceHours,
      linePausedAlarmSeconds: settings.linePausedAlarmSeconds,
      backfillIntervalMinutes: settings.backfillIntervalMinutes,
      namePrefix,
    });

    this.parts = {
      table,
      secrets,
      ingest,
      reads,
      api,
      commandQueue,
      sender,
      events,
      media,
      backfill,
      contacts,
      operations,
    };
    this.table = table;
    this.commandQueue = commandQueue.queue;
    this.deadLetterQueue = commandQueue.deadLetterQueue;
    this.httpApi = api.httpApi;
    this.apiUrl = api.url;
    this.receiveWebhookUrl = api.urlOf('/webhooks/receive');
    this.statusWebhookUrl = api.urlOf('/webhooks/status');
    this.apiCredentialsSecret = secrets.apiCredentials;
    this.webhookSecret = secrets.webhookSecret;
    this.statusCallbackTokenSecret = secrets.statusCallbackToken;
    this.eventBus = events?.bus;
    this.mediaBucket = media?.bucket;
    this.alarmTopic = operations.alarmTopic;
    this.functions = {
      ingest: ingest.function,
      read: reads.function,
      sender: sender.function.function,
      backfill: backfill.function.function,
      contacts: contacts.consumer.function.function,
      ...(events ? { events: events.consumer.function.function } : {}),
      ...(media ? { media: media.consumer.function.function } : {}),
    };
  }

  /**
   * Lets `grantee` put commands on the command queue: `sqs:SendMessage` on that queue, nothing
   * else (give your code `commandQueue.queueUrl`; no `GetQueueUrl`). The queue uses SSE-SQS, so
   * no KMS permission is needed.
   */
  grantSend(grantee: IGrantable): Grant {
    return this.parts.commandQueue.queue.grant(grantee, 'sqs:SendMessage');
  }

  /**
   * Lets `grantee` call the IAM-authorized read routes (`GET /groups/{group_id}`,
   * `/groups/{group_id}/messages`, `/messages/{message_handle}`, `/commands/{command_id}`,
   * `/contacts/{number}`, `/contacts`):
   * `execute-api:Invoke` on exactly those routes of this API, a path parameter being `*`.
   * Those wildcards are acknowledged for cdk-nag (AwsSolutions-IAM5) on the grantee, one by one,
   * when the grantee is in this construct's stack.
   */
  grantRead(grantee: IGrantable): Grant {
    const iamRoutes = ROUTES.filter((route) => route.auth === 'iam');
    const resourceArns = iamRoutes.map((route) =>
      this.httpApi.arnForExecuteApi(route.method, route.path.replace(/\{[^}]+\}/g, '*'), '$default'),
    );
    const grant = Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns });
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal) && Stack.of(principal) === Stack.of(this)) {
      // Only a route with a path parameter has a wildcard to acknowledge (`/contacts` has none).
      for (const arn of resourceArns.filter((_, index) => iamRoutes[index]!.path.includes('{'))) {
        Validations.of(principal).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResourceId(Stack.of(this), arn)}]`,
          reason:
            'sendblue-groups grantRead: the * stands for one path parameter (a group id, message handle or command id) ' +
            'of one read route of this API; callers may read any group through these routes by design.',
        });
      }
    }
    return grant;
  }

  /**
   * Adds the stack outputs the CLI and the client read (`--stack NAME`): ApiUrl, ReceiveWebhookUrl,
   * StatusWebhookUrl, CommandQueueUrl, DeadLetterQueueUrl, TableName, ApiCredentialsSecretArn,
   * WebhookSecretArn, BackfillFunctionName, SendblueBaseUrl, and EventBusName, EventBusArn,
   * MediaBucketName, AlarmTopicArn when those exist. Once per stack: the names are fixed.
   */
  addStackOutputs(): void {
    const stack = Stack.of(this);
    const { events, media, operations, secrets, backfill } = this.parts;
    if (events) {
      new CfnOutput(stack, 'EventBusName', {
        value: events.bus.eventBusName,
        description: 'Subscribe with an EventBridge rule on this bus (source sendblue-groups)',
      });
      new CfnOutput(stack, 'EventBusArn', { value: events.bus.eventBusArn });
    }
    if (media) {
      new CfnOutput(stack, 'MediaBucketName', {
        value: media.bucket.bucketName,
        description: 'Copies of inbound media (media/<group_id>/<message_handle>/<file>)',
      });
    }
    if (operations.alarmTopic) {
      new CfnOutput(stack, 'AlarmTopicArn', {
        value: operations.alarmTopic.topicArn,
        description:
          'Every alarm notifies here (subscribe by email with -c alarmEmail=..., or add your own subscription)',
      });
    }
    new CfnOutput(stack, 'ApiUrl', { value: this.apiUrl, description: 'HTTP API base URL' });
    new CfnOutput(stack, 'ReceiveWebhookUrl', {
      value: this.receiveWebhookUrl,
      description: "Paste into Sendblue's receive webhook setting",
    });
    new CfnOutput(stack, 'StatusWebhookUrl', {
      value: this.statusWebhookUrl,
      description: "Paste into Sendblue's outbound webhook setting (per-message callbacks get a token appended)",
    });
    new CfnOutput(stack, 'CommandQueueUrl', {
      value: this.commandQueue.queueUrl,
      description:
        'Send commands here (FIFO: set MessageGroupId to the group_id, or the sorted numbers of a new group)',
    });
    new CfnOutput(stack, 'DeadLetterQueueUrl', {
      value: this.deadLetterQueue.queueUrl,
      description: 'Commands that failed for good (alarmed when alarms are on): inspect, then redrive or delete them',
    });
    new CfnOutput(stack, 'TableName', { value: this.table.tableName });
    new CfnOutput(stack, 'ApiCredentialsSecretArn', {
      value: secrets.apiCredentials.secretArn,
      description: 'Put {"apiKeyId":"...","apiSecretKey":"..."} here',
    });
    new CfnOutput(stack, 'BackfillFunctionName', {
      value: backfill.function.function.functionName,
      description: 'Run the backfill now: npm run cli -- backfill --aws',
    });
    new CfnOutput(stack, 'WebhookSecretArn', {
      value: secrets.webhookSecret.secretArn,
      description: "Generated; paste its value into Sendblue's webhook secret",
    });
    new CfnOutput(stack, 'SendblueBaseUrl', {
      value: this.settings.sendblueBaseUrl,
      description: 'The Sendblue API the sender calls; `npm run cli -- setup --aws` registers the webhooks there',
    });
  }
}

/** The props through the same parser as the CDK context (lib/config.ts), problems named by prop. */
function validatedSettings(path: string, props: SendblueGroupsProps): SendblueGroupsSettings {
  const given = props as unknown as Record<string, unknown>;
  const { config, problems } = readConfig((key) => (key === 'stackName' ? undefined : given[propOf(key)]), propOf);
  if (typeof props.fromNumber !== 'string' || props.fromNumber.trim() === '') {
    problems.unshift('fromNumber is required: your Sendblue line, E.164 (e.g. +14155550123)');
  }
  if (problems.length > 0) throw new SendblueGroupsPropsError(path, problems);
  const { stackName: _, ...settings } = config;
  return settings;
}
