import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, fitToSize, type DomainEvent } from '../events/domain-events.js';
import type { EventPublisher } from '../events/ports.js';
import { silentLogger, type Logger } from '../platform/logger.js';

/** EventBridge's limits: 10 entries per PutEvents, 256 KB per request (and so per entry). */
const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** An entry's size as EventBridge counts it: Time (14 bytes), Source, DetailType and Detail in UTF-8. */
export function entrySize(event: DomainEvent, source = EVENT_SOURCE): number {
  return (
    (event.time ? 14 : 0) +
    Buffer.byteLength(source) +
    Buffer.byteLength(event.detailType) +
    Buffer.byteLength(JSON.stringify(event.detail))
  );
}

/** Consecutive runs of at most 10 entries and 256 KB, as positions into `events`. */
export function putEventsChunks(events: DomainEvent[], sizeOf: (event: DomainEvent) => number = entrySize): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  events.forEach((event, index) => {
    const size = sizeOf(event);
    if (current.length && (current.length === PUT_EVENTS_MAX_ENTRIES || bytes + size > PUT_EVENTS_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length) chunks.push(current);
  return chunks;
}

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** The bus's name or ARN. */
  eventBusName: string;
  /** @default EVENT_SOURCE */
  source?: string;
  /** Told why entries were not published (error codes and names only). */
  logger?: Logger;
}

export function createEventBridgePublisher(options: EventBridgePublisherOptions): EventPublisher {
  const { client, eventBusName, source = EVENT_SOURCE, logger = silentLogger } = options;
  const sized = (event: DomainEvent) => fitToSize(event, PUT_EVENTS_MAX_BYTES, (e) => entrySize(e, source));
  return {
    async publish(events) {
      const fitted = events.map(sized);
      const failed: number[] = [];
      for (const chunk of putEventsChunks(fitted, (event) => entrySize(event, source))) {
        const entries: PutEventsRequestEntry[] = chunk.map((index) => {
          const event = fitted[index]!;
          return {
            EventBusName: eventBusName,
            Source: source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: event.time ? new Date(event.time) : undefined,
          };
        });
        try {
          const out = await client.send(new PutEventsCommand({ Entries: entries }));
          // Entries answer in request order; an entry with an ErrorCode was not published.
          (out.Entries ?? []).forEach((entry, position) => {
            if (!entry.ErrorCode) return;
            failed.push(chunk[position]!);
            logger.warn('EventBridge refused an event', {
              error_code: entry.ErrorCode,
              detail_type: entries[position]!.DetailType,
            });
          });
          if ((out.Entries?.length ?? 0) < chunk.length) failed.push(...chunk.slice(out.Entries?.length ?? 0));
        } catch (error) {
          failed.push(...chunk);
          logger.warn('PutEvents failed', { error, entries: chunk.length });
        }
      }
      return failed.sort((a, b) => a - b);
    },
  };
}
