import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createEventsProcessor, type EventsDeps } from './events-service.js';

export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The table's change stream -> domain events on the EventBridge bus (event source mapping with
 * reportBatchItemFailures). Never throws: a failure names the first record to retry. The Lambda
 * (handlers/events.ts) and the sandbox run it.
 */
export function createEventsHandler(deps: EventsDeps): StreamBatchHandler {
  const processBatch = createEventsProcessor(deps);
  return (event) => processBatch(event.Records ?? []);
}
