import { createStatusRelay } from '../adapters/status-relay.js';
import { ENV, numberFromEnv } from '../contract/env.js';
import { DEFAULT_MAX_BODY_BYTES } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { emfSink, type MetricSink } from '../platform/metrics.js';
import type { IngestDeps } from '../webhooks/ingest-handler.js';
import type { IngestStore, WebhookSecrets } from '../webhooks/ports.js';
import { loggerFromEnv, secretsFromEnv, tableStoreFromEnv } from './lambda-deps.js';

export interface IngestWiring {
  store: IngestStore;
  secrets: WebhookSecrets;
  logger: Logger;
  /** @default DEFAULT_MAX_BODY_BYTES (256 KB) */
  maxBodyBytes?: number;
  /** Where the webhook counts go: EMF in Lambda, the log in the sandbox. @default none */
  metrics?: MetricSink;
}

/** The ingest handler's adapters from plain values: the Lambda (below) and the sandbox build them the same way. */
export function createIngestDeps(wiring: IngestWiring): IngestDeps {
  // The relay posts to a command's own status_callback, bounded (3 s) and never failing the webhook.
  return { ...wiring, relay: createStatusRelay(wiring.logger) };
}

/** The ingest Lambda's adapters, built from the environment the stack sets. */
export function ingestDepsFromEnv(): IngestDeps {
  return createIngestDeps({
    store: tableStoreFromEnv(),
    secrets: secretsFromEnv(),
    logger: loggerFromEnv('ingest'),
    maxBodyBytes: numberFromEnv(ENV.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    metrics: emfSink(),
  });
}
