import { mediaDepsFromEnv } from '../wiring/media-deps.js';
import { createMediaProcessor, type MediaDeps } from '../media/media-service.js';
import type { StreamBatchHandler } from './events.js';
import { lambdaEntry } from '../platform/lambda-entry.js';

/**
 * The table's change stream -> a copy of each inbound message's media in the S3 bucket (event
 * source mapping with reportBatchItemFailures). Never throws: a failure names the record to retry.
 */
export function createMediaHandler(deps: MediaDeps): StreamBatchHandler {
  const processBatch = createMediaProcessor(deps);
  return (event) => processBatch(event.Records ?? []);
}

export const handler = lambdaEntry(() => createMediaHandler(mediaDepsFromEnv()));
