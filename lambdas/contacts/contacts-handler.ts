import type { StreamBatchHandler } from '../events/events-handler.js';
import { createContactsProcessor, type ContactsDeps } from './contacts-service.js';

/**
 * The table's change stream -> the contacts ledger (event source mapping with
 * reportBatchItemFailures). Never throws. The Lambda (handlers/contacts.ts) and the sandbox run it.
 */
export function createContactsHandler(deps: ContactsDeps): StreamBatchHandler {
  const processBatch = createContactsProcessor(deps);
  return (event) => processBatch(event.Records ?? []);
}
