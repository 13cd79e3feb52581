import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { isPlaceholderFromNumber, type AppConfig } from './config.js';
import { Backfill } from './constructs/backfill.js';
import { CommandQueue } from './constructs/command-queue.js';
import { ContactsLedger } from './constructs/contacts-ledger.js';
import { SendblueHttpApi } from './constructs/http-api.js';
import { SendblueSecrets } from './constructs/secrets.js';
import { DomainEvents } from './constructs/domain-events.js';
import { MediaArchive } from './constructs/media-archive.js';
import { Operations } from './constructs/operations.js';
import { ReadApi } from './constructs/read-api.js';
import { CommandSender } from './constructs/sender.js';
import { SendblueGroupsTable } from './constructs/table.js';
import { WebhookIngest } from './constructs/webhook-ingest.js';

export interface SendblueGroupsStackProps extends StackProps {
  /** Validated settings from lib/config.ts (`parseConfig`). */
  readonly config: AppConfig;
}

/**
 * Wires the small constructs together; every resource setting lives in its construct, every
 * default in lib/defaults.ts.
 */
export class SendblueGroupsStack extends Stack {
  readonly table: SendblueGroupsTable;
  readonly secrets: SendblueSecrets;
  /** The ingest Lambda behind the webhook routes. */
  readonly ingest: WebhookIngest;
  /** The read Lambda behind the read routes. */
  readonly reads: ReadApi;
  readonly api: SendblueHttpApi;
  readonly commandQueue: CommandQueue;
  readonly sender: CommandSender;
  /** The event bus and its publisher (context `events`, on by default). */
  readonly events?: DomainEvents;
  /** The media bucket and its copier (context `media`, on by default). */
  readonly media?: MediaArchive;
  readonly backfill: Backfill;
  /** The contacts ledger on the table's stream (always on). */
  readonly contacts: ContactsLedger;
  /** Alarms with their SNS topic and the dashboard (contexts `alarms`, `dashboard`, on by default). */
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: SendblueGroupsStackProps) {
    super(scope, id, props);
    const { config } = props;

    // The stream is always on: the contacts ledger reads it (pre-flight's opt-outs depend on it).
    this.table = new SendblueGroupsTable(this, 'Table', { stream: true });
    this.secrets = new SendblueSecrets(this, 'Secrets');

    // Ids as when the stack made these functions itself: a deployed stack keeps its logical ids.
    this.ingest = new WebhookIngest(this, 'IngestFunction', {
      table: this.table,
      webhookSecret: this.secrets.webhookSecret,
      statusCallbackToken: this.secrets.statusCallbackToken,
      maxBodyBytes: config.maxBodyBytes,
      logRetention: config.logRetention,
    });
    this.reads = new ReadApi(this, 'ReadFunction', { table: this.table, logRetention: config.logRetention });

    this.api = new SendblueHttpApi(this, 'HttpApi', {
      handlers: { ingest: this.ingest.function, read: this.reads.function },
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      accessLogRetention: config.logRetention,
    });

    this.commandQueue = new CommandQueue(this, 'CommandQueue');
    this.sender = new CommandSender(this, 'Sender', {
      commands: this.commandQueue,
      table: this.table,
      apiCredentials: this.secrets.apiCredentials,
      statusCallbackToken: this.secrets.statusCallbackToken,
      statusWebhookUrl: this.api.urlOf('/webhooks/status'),
      fromNumber: config.fromNumber,
      sendblueBaseUrl: config.sendblueBaseUrl,
      lineRatePerSecond: config.lineRatePerSecond,
      lineBurst: config.lineBurst,
      outageBudget: Duration.seconds(config.outageBudgetSeconds),
      optedOutMembers: config.optedOutMembers,
      extraLines: config.backfillLines,
      logRetention: config.logRetention,
    });
    this.contacts = new ContactsLedger(this, 'Contacts', {
      table: this.table,
      lines: [config.fromNumber, ...config.backfillLines],
      logRetention: config.logRetention,
    });

    // Issue 11: both read the table's change stream, so ingest stays one write per message.
    if (config.events) {
      this.events = new DomainEvents(this, 'Events', {
        table: this.table,
        archiveDays: config.eventArchiveDays,
        logRetention: config.logRetention,
      });
      new CfnOutput(this, 'EventBusName', {
        value: this.events.bus.eventBusName,
        description: 'Subscribe with an EventBridge rule on this bus (source sendblue-groups)',
      });
      new CfnOutput(this, 'EventBusArn', { value: this.events.bus.eventBusArn });
    }
    if (config.media) {
      this.media = new MediaArchive(this, 'Media', {
        table: this.table,
        retentionDays: config.mediaRetentionDays,
        logRetention: config.logRetention,
      });
      this.media.allowLinks(this.reads);
      new CfnOutput(this, 'MediaBucketName', {
        value: this.media.bucket.bucketName,
        description: 'Copies of inbound media (media/<group_id>/<message_handle>/<file>)',
      });
    }
    this.backfill = new Backfill(this, 'Backfill', {
      table: this.table,
      apiCredentials: this.secrets.apiCredentials,
      deadLetterQueue: this.commandQueue.deadLetterQueue,
      fromNumber: config.fromNumber,
      extraLines: config.backfillLines,
      sendblueBaseUrl: config.sendblueBaseUrl,
      intervalMinutes: config.backfillIntervalMinutes,
      logRetention: config.logRetention,
    });

    this.operations = new Operations(this, 'Operations', {
      commandQueue: this.commandQueue,
      httpApi: this.api.httpApi,
      sender: this.sender.function,
      ingest: this.ingest,
      functions: {
        ingest: this.ingest,
        read: this.reads,
        sender: this.sender.function,
        backfill: this.backfill.function,
        contacts: this.contacts.consumer.function,
        ...(this.events ? { events: this.events.consumer.function } : {}),
        ...(this.media ? { media: this.media.consumer.function } : {}),
      },
      failureQueues: {
        contacts: this.contacts.consumer.failureQueue,
        ...(this.events ? { events: this.events.consumer.failureQueue } : {}),
        ...(this.media ? { media: this.media.consumer.failureQueue } : {}),
      },
      lines: [config.fromNumber, ...config.backfillLines],
      alarms: config.alarms,
      dashboard: config.dashboard,
      alarmEmail: config.alarmEmail,
      commandAgeAlarmSeconds: config.commandAgeAlarmSeconds,
      inboundSilenceHours: config.inboundSilenceHours,
      linePausedAlarmSeconds: config.linePausedAlarmSeconds,
      backfillIntervalMinutes: config.backfillIntervalMinutes,
    });
    if (this.operations.alarmTopic) {
      new CfnOutput(this, 'AlarmTopicArn', {
        value: this.operations.alarmTopic.topicArn,
        description:
          'Every alarm notifies here (subscribe by email with -c alarmEmail=..., or add your own subscription)',
      });
    }

    if (isPlaceholderFromNumber(config)) {
      Annotations.of(this).addWarningV2(
        'sendblue-groups:placeholder-from-number',
        `fromNumber is the placeholder ${config.fromNumber}: set your Sendblue line in cdk.json or with -c fromNumber=+1...`,
      );
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'ReceiveWebhookUrl', {
      value: this.api.urlOf('/webhooks/receive'),
      description: "Paste into Sendblue's receive webhook setting",
    });
    new CfnOutput(this, 'StatusWebhookUrl', {
      value: this.api.urlOf('/webhooks/status'),
      description: "Paste into Sendblue's outbound webhook setting (per-message callbacks get a token appended)",
    });
    new CfnOutput(this, 'CommandQueueUrl', {
      value: this.commandQueue.queue.queueUrl,
      description:
        'Send commands here (FIFO: set MessageGroupId to the group_id, or the sorted numbers of a new group)',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.commandQueue.deadLetterQueue.queueUrl,
      description: 'Commands that failed for good (alarmed when alarms are on): inspect, then redrive or delete them',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ApiCredentialsSecretArn', {
      value: this.secrets.apiCredentials.secretArn,
      description: 'Put {"apiKeyId":"...","apiSecretKey":"..."} here',
    });
    new CfnOutput(this, 'BackfillFunctionName', {
      value: this.backfill.function.function.functionName,
      description: 'Run the backfill now: npm run cli -- backfill --aws',
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      value: this.secrets.webhookSecret.secretArn,
      description: "Generated; paste its value into Sendblue's webhook secret",
    });
    new CfnOutput(this, 'SendblueBaseUrl', {
      value: config.sendblueBaseUrl,
      description: 'The Sendblue API the sender calls; `npm run cli -- setup --aws` registers the webhooks there',
    });
  }
}
