import { lambdaEntry } from '../platform/lambda-entry.js';
import { createIngestHandler } from '../webhooks/ingest-handler.js';
import { ingestDepsFromEnv } from '../wiring/ingest-deps.js';

/** The ingest Lambda: POST /webhooks/receive and /webhooks/status (webhooks/ingest-handler.ts). */
export const handler = lambdaEntry(() => createIngestHandler(ingestDepsFromEnv()));
