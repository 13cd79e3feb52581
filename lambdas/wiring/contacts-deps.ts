import { createDocumentClient } from '../adapters/table.js';
import { createContactTable } from '../adapters/table-contacts.js';
import type { ContactsDeps } from '../contacts/contacts-service.js';
import { ENV, requireEnv } from '../contract/env.js';
import { createLogger } from '../platform/logger.js';

/**
 * The contacts Lambda's adapters, from the environment the stack sets: only the contacts part of
 * the table module (no Secrets Manager, SQS or EventBridge client in this bundle).
 */
export function contactsDepsFromEnv(): ContactsDeps {
  return {
    ledger: createContactTable(createDocumentClient(), requireEnv(ENV.tableName)),
    logger: createLogger({ base: { service: 'contacts' } }),
    ourLines: (process.env[ENV.ourLines] ?? '')
      .split(',')
      .map((line) => line.trim())
      .filter(Boolean),
  };
}
