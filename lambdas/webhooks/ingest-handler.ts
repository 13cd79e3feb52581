import {
  decodeBody,
  DEFAULT_MAX_BODY_BYTES,
  errorResponse,
  header,
  json,
  parseJson,
  type HttpHandler,
} from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { METRIC_NAMES, type MetricSink } from '../platform/metrics.js';
import { createIngestService } from './ingest-service.js';
import type { IngestStore, StatusRelay, WebhookSecrets } from './ports.js';
import { limitToStatusToken, SIGNING_HEADER, webhookCredential, type WebhookCredential } from './webhook-auth.js';
import { storedWebhookCounts } from './webhook-metrics.js';
import { parseWebhookPayload } from './webhook-payload.js';

export interface IngestDeps {
  store: IngestStore;
  secrets: WebhookSecrets;
  logger: Logger;
  /** Where a stored status event is relayed to its command's own status_callback (wiring/ingest-deps.ts). */
  relay: StatusRelay;
  /** @default DEFAULT_MAX_BODY_BYTES (256 KB) */
  maxBodyBytes?: number;
  /** One count line per webhook answered 200, 401 or 5xx (docs/operations.md). @default none */
  metrics?: MetricSink;
}

/** POST /webhooks/receive and POST /webhooks/status: authenticate, validate, store, then answer 200. */
export function createIngestHandler(deps: IngestDeps): HttpHandler {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const ingest = createIngestService(deps);
  const count: MetricSink = deps.metrics ?? (() => undefined);

  return async (event) => {
    const route = (event.routeKey ?? event.rawPath).endsWith('/webhooks/status') ? 'status' : 'receive';
    const body = decodeBody(event, maxBodyBytes);
    if (!body.ok) return body.response;

    const credentials = { signingHeader: header(event, SIGNING_HEADER), token: event.queryStringParameters?.token };
    let credential: WebhookCredential | undefined;
    try {
      credential = await webhookCredential(route, credentials, deps.secrets);
    } catch (error) {
      deps.logger.error('webhook secret unavailable', { error });
      count(undefined, { [METRIC_NAMES.webhookNotStored]: 1 });
      return errorResponse(503, 'webhook secret unavailable; retry later');
    }
    if (!credential) {
      deps.logger.warn('webhook rejected: missing or wrong secret', { route });
      count(undefined, { [METRIC_NAMES.webhookUnauthorized]: 1 });
      return errorResponse(
        401,
        route === 'status'
          ? `missing or wrong ${SIGNING_HEADER} header or token`
          : `missing or wrong ${SIGNING_HEADER} header`,
      );
    }

    const parsedJson = parseJson(body.value);
    if (!parsedJson.ok) return parsedJson.response;
    const parsed = parseWebhookPayload(parsedJson.value, route === 'receive' ? 'inbound' : 'outbound');
    if (!parsed.ok) return errorResponse(400, parsed.error);
    const allowed = credential === 'status-token' ? limitToStatusToken(parsed.event) : parsed;
    if (!allowed.ok) return errorResponse(403, allowed.error);

    try {
      const outcome = await ingest(allowed.event, body.value);
      if (outcome.kind === 'refused') return errorResponse(409, outcome.error);
      const stored = storedWebhookCounts(allowed.event, outcome);
      count(stored.line, stored.counts);
      return json(200, { ok: true, ...outcome });
    } catch (error) {
      // Not (wholly) stored: answer 5xx so that Sendblue delivers the event again. A retry is safe
      // after a partial write (the message first, then the group record: see ingest-service.ts).
      deps.logger.error('webhook not stored', { error, message_handle: parsed.event.messageHandle });
      count(undefined, { [METRIC_NAMES.webhookNotStored]: 1 });
      return errorResponse(503, 'event not stored; retry later');
    }
  };
}
