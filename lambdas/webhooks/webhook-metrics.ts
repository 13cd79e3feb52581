import type { IngestOutcome } from './ingest-service.js';
import { METRIC_NAMES, type MetricCounts } from '../platform/metrics.js';
import { isE164 } from '../contract/sendblue-rules.js';
import type { WebhookEvent } from './webhook-payload.js';

/** The counts of one webhook answered 200, and the line they belong to (docs/operations.md). */
export interface WebhookCounts {
  line?: string;
  counts: MetricCounts;
}

/**
 * Every 200 is `WebhookStored` (a duplicate too: it is stored). A new inbound message is also
 * `InboundMessages` on its line, the payload's `sendblue_number`, when that is an E.164 number:
 * a missing or odd value never becomes a dimension value (each would be another custom metric).
 */
export function storedWebhookCounts(event: WebhookEvent, outcome: IngestOutcome): WebhookCounts {
  const counts: MetricCounts = { [METRIC_NAMES.webhookStored]: 1 };
  const newInbound = event.direction === 'inbound' && outcome.kind === 'message' && outcome.result === 'stored';
  if (!newInbound || !isE164(event.sendblueNumber)) return { counts };
  return { line: event.sendblueNumber, counts: { ...counts, [METRIC_NAMES.inboundMessages]: 1 } };
}
