import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { isPlaceholderFromNumber, type AppConfig } from './config.js';
import type { Backfill } from './constructs/backfill.js';
import type { CommandQueue } from './constructs/command-queue.js';
import type { ContactsLedger } from './constructs/contacts-ledger.js';
import type { DomainEvents } from './constructs/domain-events.js';
import type { SendblueHttpApi } from './constructs/http-api.js';
import type { MediaArchive } from './constructs/media-archive.js';
import type { Operations } from './constructs/operations.js';
import type { ReadApi } from './constructs/read-api.js';
import type { SendblueSecrets } from './constructs/secrets.js';
import type { CommandSender } from './constructs/sender.js';
import type { SendblueGroupsTable } from './constructs/table.js';
import type { WebhookIngest } from './constructs/webhook-ingest.js';
import { SendblueGroups } from './sendblue-groups.js';

export interface SendblueGroupsStackProps extends StackProps {
  /** Validated settings from lib/config.ts (`parseConfig`). */
  readonly config: AppConfig;
}

/**
 * This repository's deployable stack: the SendblueGroups construct configured from CDK context
 * (lib/config.ts), with the stack outputs the contract names. The construct sits under the id
 * `Default`, which CDK leaves out of logical ids and generated names, so every resource keeps the
 * logical id (and the queue its name) it had when the stack created them itself
 * (test/unit/lib/logical-ids.test.ts).
 */
export class SendblueGroupsStack extends Stack {
  readonly messaging: SendblueGroups;
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
    const { stackName: _, backfillLines, ...settings } = props.config;

    this.messaging = new SendblueGroups(this, 'Default', { ...settings, lines: backfillLines });
    this.messaging.addStackOutputs();
    ({
      table: this.table,
      secrets: this.secrets,
      ingest: this.ingest,
      reads: this.reads,
      api: this.api,
      commandQueue: this.commandQueue,
      sender: this.sender,
      events: this.events,
      media: this.media,
      backfill: this.backfill,
      contacts: this.contacts,
      operations: this.operations,
    } = this.messaging.parts);

    if (isPlaceholderFromNumber(props.config)) {
      Annotations.of(this).addWarningV2(
        'sendblue-groups:placeholder-from-number',
        `fromNumber is the placeholder ${props.config.fromNumber}: set your Sendblue line in cdk.json or with -c fromNumber=+1...`,
      );
    }
  }
}
