import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventsDepsFromEnv } from '../wiring/events-deps.js';
import { createEventsProcessor, type EventsDeps } from '../events/events-service.js';
import { lambdaEntry } from '../platform/lambda-entry.js';

export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The table's change stream -> domain events on the EventBridge bus (event source mapping with
 * reportBatchItemFailures). Never throws: a failure names the first record to retry.
 */
export function createEventsHandler(deps: EventsDeps): StreamBatchHandler {
  const processBatch = createEventsProcessor(deps);
  return (event) => processBatch(event.Records ?? []);
}

export const handler = lambdaEntry(() => createEventsHandler(eventsDepsFromEnv()));
