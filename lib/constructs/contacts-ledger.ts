import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/env.js';
import { CONTACTS_STREAM_FILTERS } from '../../lambdas/events/stream-filters.js';
import { DEFAULTS } from '../defaults.js';
import { StreamConsumer } from './stream-consumer.js';
import type { SendblueGroupsTable } from './table.js';

export interface ContactsLedgerProps {
  /** The table whose new messages and per-member refusals are read, and whose contact records are written. */
  readonly table: SendblueGroupsTable;
  /**
   * Our lines (E.164): never recorded as contacts.
   * @default - none (a message's own line is left out in any case)
   */
  readonly lines?: readonly string[];
  /**
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The contacts ledger (docs/table-design.md "Contacts"): a Lambda on the table's stream that keeps a
 * record per number seen (first and last seen, the lines that contacted it, opted out or in), so
 * the webhook path stays one write per message. Its role may update the table's items, plus what
 * reading the stream needs.
 */
export class ContactsLedger extends Construct {
  readonly consumer: StreamConsumer;

  constructor(scope: Construct, id: string, props: ContactsLedgerProps) {
    super(scope, id);
    this.consumer = new StreamConsumer(this, 'Projector', {
      table: props.table,
      handler: 'contacts',
      description: 'Table stream -> the contacts ledger (seen, contacted, opted out)',
      batchSize: DEFAULTS.contacts.batchSize,
      retryAttempts: DEFAULTS.contacts.retryAttempts,
      filters: CONTACTS_STREAM_FILTERS,
      logRetention: props.logRetention,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.ourLines]: (props.lines ?? []).join(','),
      },
    });
    this.consumer.addToRolePolicy(
      new PolicyStatement({
        // Conditional UpdateItems of CONTACT#<number> records only (keys are only known per number).
        sid: 'RecordContacts',
        effect: Effect.ALLOW,
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );
  }
}
