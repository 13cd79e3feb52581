import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { domainEventFor, type DomainEvent } from './domain-events.js';
import type { EventPublisher } from './ports.js';
import type { Logger } from '../platform/logger.js';
import { tableChangeOf } from './table-change.js';

export interface EventsDeps {
  publisher: EventPublisher;
  logger: Logger;
}

/** Tries per batch for events EventBridge did not take (throttling, a passing error) before the batch is retried. */
const PUBLISH_TRIES = 2;

/**
 * One batch of the table's stream: each record maps to zero or one event (domain-events.ts); the
 * events are published together; a record whose event could not be published is reported (with
 * every later record, since the stream mapping resumes from the earliest one named). A record
 * that is not understood is logged and skipped, never retried: it would block its shard.
 *
 * At least once: when a batch is retried, its events that were already published are published
 * again, with the same `event_id`.
 */
export function createEventsProcessor({ publisher, logger }: EventsDeps) {
  return async function processBatch(records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
    const pending: Array<{ sequenceNumber: string; event: DomainEvent }> = [];
    for (const record of records) {
      try {
        const change = tableChangeOf(record);
        const event = domainEventFor(change);
        if (event) pending.push({ sequenceNumber: change.sequenceNumber, event });
      } catch (error) {
        logger.error('stream record not understood; skipped', { error, event_id: record.eventID ?? null });
      }
    }
    let unpublished = pending.map((_, index) => index);
    for (let tries = 0; tries < PUBLISH_TRIES && unpublished.length; tries += 1) {
      const attempt = unpublished;
      let failed: number[];
      try {
        failed = await publisher.publish(attempt.map((index) => pending[index]!.event));
      } catch (error) {
        logger.warn('publishing failed', { error });
        failed = attempt.map((_, position) => position);
      }
      unpublished = failed.map((position) => attempt[position]!);
    }
    const published = pending.length - unpublished.length;
    if (published) logger.info('events published', { published, records: records.length });
    if (!unpublished.length) return { batchItemFailures: [] };
    const first = pending[Math.min(...unpublished)]!;
    logger.error('events not published; the batch is retried from the first of them', {
      unpublished: unpublished.length,
      detail_type: first.event.detailType,
      event_id: first.event.detail.event_id,
    });
    return { batchItemFailures: [{ itemIdentifier: first.sequenceNumber }] };
  };
}
