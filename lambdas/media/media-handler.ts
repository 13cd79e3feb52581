import type { StreamBatchHandler } from '../events/events-handler.js';
import { createMediaProcessor, type MediaDeps } from './media-service.js';

/**
 * The table's change stream -> a copy of each inbound message's media in the S3 bucket (event
 * source mapping with reportBatchItemFailures). Never throws: a failure names the record to retry.
 * The Lambda (handlers/media.ts) and the sandbox run it.
 */
export function createMediaHandler(deps: MediaDeps): StreamBatchHandler {
  const processBatch = createMediaProcessor(deps);
  return (event) => processBatch(event.Records ?? []);
}
