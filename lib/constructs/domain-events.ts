import { Duration } from 'aws-cdk-lib';
import { type Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambdas/events/domain-events.js';
import { ENV } from '../../lambdas/contract/env.js';
import { EVENTS_STREAM_FILTERS } from '../../lambdas/events/stream-filters.js';
import { DEFAULTS } from '../defaults.js';
import { StreamConsumer } from './stream-consumer.js';
import type { SendblueGroupsTable } from './table.js';

export interface DomainEventsProps {
  /** The table whose changes become events. */
  readonly table: SendblueGroupsTable;
  /**
   * Days the archive keeps every event for replay; 0 keeps them for ever.
   * @default DEFAULTS.events.archiveDays (30)
   */
  readonly archiveDays?: number;
  /**
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * Domain events for the user's app (docs/events.md): a custom EventBridge bus with an archive
 * of everything this stack publishes (replayable), and the events Lambda on the table's stream
 * that publishes `Group Message Received`, `Message Status Changed`, `Command Settled` and
 * `Group Changed` (source `sendblue-groups`). Its role may put events on this bus only, plus
 * what reading the stream needs (StreamConsumer). Subscribe with an EventBridge rule on `bus`.
 */
export class DomainEvents extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  readonly consumer: StreamConsumer;

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    const archiveDays = props.archiveDays ?? DEFAULTS.events.archiveDays;

    this.bus = new EventBus(this, 'Bus', { description: 'sendblue-groups domain events (source sendblue-groups)' });
    this.archive = this.bus.archive('Archive', {
      description: 'Every sendblue-groups event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: archiveDays > 0 ? Duration.days(archiveDays) : undefined,
    });

    this.consumer = new StreamConsumer(this, 'Publisher', {
      table: props.table,
      handler: 'events',
      description: 'Table stream -> domain events on the EventBridge bus',
      batchSize: DEFAULTS.events.batchSize,
      retryAttempts: DEFAULTS.events.retryAttempts,
      timeout: DEFAULTS.events.timeout,
      filters: EVENTS_STREAM_FILTERS,
      logRetention: props.logRetention,
      environment: { [ENV.eventBusName]: this.bus.eventBusName },
    });
    this.consumer.addToRolePolicy(
      new PolicyStatement({
        sid: 'PutDomainEvents',
        effect: Effect.ALLOW,
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
      }),
    );
  }
}
