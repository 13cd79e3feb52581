import { parseIsoDate } from '../contract/iso-date.js';
import { messageKey, reactionsKey, statusKey } from '../contract/keys.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { Direction, WebhookEvent } from '../webhooks/webhook-payload.js';
import type { LineCounts } from '../contract/backfill-report.js';

/**
 * The backfill's decisions, free of I/O (docs/backfill.md): where a run starts reading Sendblue's
 * message list, how it pages, what a listed record becomes, and how far the watermark may move.
 */

/** Where a run starts: the watermark minus the overlap; the first run looks back from now. */
export function windowStart(
  watermark: string | undefined,
  nowMs: number,
  settings: { overlapMs: number; lookbackMs: number },
): string {
  const from =
    watermark === undefined
      ? nowMs - Math.max(settings.lookbackMs, settings.overlapMs)
      : Date.parse(watermark) - settings.overlapMs;
  return new Date(from).toISOString();
}

/**
 * A position in the list ordered by `date_updated` ascending: records updated at or after `since`,
 * skipping the first `skip` of them (those already read that share the newest date seen).
 * Paging by date rather than by a growing offset keeps a record updated while the run pages (it
 * moves to the end of the order) from shifting the pages under the run: it is simply read again.
 */
export interface ListCursor {
  since: string;
  skip: number;
}

/** `date_updated` as epoch ms, or undefined when missing or not a date. */
export function updatedAtMs(record: Record<string, unknown>): number | undefined {
  const value = record.date_updated;
  if (typeof value !== 'string') return undefined;
  const parsed = parseIsoDate(value);
  return parsed.ok ? Date.parse(parsed.iso) : undefined;
}

/** The newest `date_updated` of a page (ISO), or undefined when no record carries a usable one. */
export function newestUpdate(page: readonly Record<string, unknown>[]): string | undefined {
  let newest: number | undefined;
  for (const record of page) {
    const at = updatedAtMs(record);
    if (at !== undefined && (newest === undefined || at > newest)) newest = at;
  }
  return newest === undefined ? undefined : new Date(newest).toISOString();
}

/**
 * The cursor after a page. Moves `since` to the page's newest date and skips the records at that
 * very date already read; when the whole page shares one date (or has none), only `skip` grows,
 * so a run never loops on a page of identical dates.
 */
export function nextCursor(cursor: ListCursor, page: readonly Record<string, unknown>[]): ListCursor {
  const newest = newestUpdate(page);
  if (newest === undefined || Date.parse(newest) <= Date.parse(cursor.since)) {
    return { since: cursor.since, skip: cursor.skip + page.length };
  }
  const at = Date.parse(newest);
  return { since: newest, skip: page.filter((record) => updatedAtMs(record) === at).length };
}

/** The watermark only moves forward. */
export const isLater = (candidate: string | undefined, current: string | undefined): candidate is string =>
  candidate !== undefined && (current === undefined || Date.parse(candidate) > Date.parse(current));

/**
 * A record of `GET /api/v2/messages` as the webhook payload Sendblue would have posted: the list
 * record has the webhook's fields, plus `date_created`, which the webhook carries as `date_sent`
 * (dropped when `date_sent` is there, so the stored message has no field a webhook would not give).
 * Direction: `is_outbound` when present (the parser reads it), else RECEIVED means inbound.
 */
export function asWebhookPayload(record: Record<string, unknown>): {
  payload: Record<string, unknown>;
  direction: Direction;
} {
  const { date_created: created, ...rest } = record;
  const hasDateSent = rest.date_sent !== undefined && rest.date_sent !== null && rest.date_sent !== '';
  const payload = hasDateSent || created === undefined ? rest : { ...rest, date_created: created };
  const status = typeof record.status === 'string' ? record.status.toUpperCase() : '';
  return { payload, direction: status === 'RECEIVED' ? 'inbound' : 'outbound' };
}

/** A stored item as the pre-read sees it: its key and current status, or the reactions it holds. */
export interface StoredItem {
  status?: string;
  /** A message's `REACTIONS` item: the ids of the reactions kept. */
  reactionIds?: ReadonlySet<string>;
}
type Key = Record<string, string>;
export const itemId = (key: Key): string => `${key[TABLE_SCHEMA.partitionKey]}\u0000${key[TABLE_SCHEMA.sortKey]}`;

/**
 * The items whose presence shows an event is already stored: an inbound message's item (for a
 * member's tapback, the reacted-to message's reactions); for an outbound status, its history entry
 * and the message (the sender stores a send as QUEUED without a history entry). Read once per page before any write: a read of an item costs a tenth of the
 * failed conditional write that would otherwise tell "already there" (docs/backfill.md).
 */
export function presenceKeys(event: WebhookEvent): Key[] {
  // A tapback kept as a plain message (its message held the most reactions) shows as the message.
  if (event.reaction) return [reactionsKey(event.reaction.messageHandle), messageKey(event.messageHandle)];
  return event.direction === 'inbound'
    ? [messageKey(event.messageHandle)]
    : [messageKey(event.messageHandle), statusKey(event.messageHandle, event.status)];
}

/**
 * Already stored, so the record needs no write: the inbound message exists (under any group: a
 * webhook naming another group would change nothing either); the outbound status is in the
 * history, or is the message's current status.
 */
export function isAlreadyStored(event: WebhookEvent, found: ReadonlyMap<string, StoredItem>): boolean {
  const message = found.get(itemId(messageKey(event.messageHandle)));
  if (event.reaction) {
    const reactions = found.get(itemId(reactionsKey(event.reaction.messageHandle)));
    return reactions?.reactionIds?.has(event.messageHandle) === true || message !== undefined;
  }
  if (event.direction === 'inbound') return message !== undefined;
  return found.has(itemId(statusKey(event.messageHandle, event.status))) || message?.status === event.status;
}

/** What storing one listed record did, as the run counts it. */
export type StoreResult = 'stored' | 'already-there' | 'skipped';

export type { LineCounts };

export const emptyCounts = (): LineCounts => ({ found: 0, stored: 0, alreadyThere: 0, skipped: 0 });

export function addResult(counts: LineCounts, result: StoreResult): void {
  counts.found += 1;
  if (result === 'stored') counts.stored += 1;
  else if (result === 'already-there') counts.alreadyThere += 1;
  else counts.skipped += 1;
}
