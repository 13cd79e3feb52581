import { parseIsoDate } from '../contract/iso-date.js';

/**
 * When the change an event tells of happened, to the millisecond (docs/events.md "Time"). It is
 * read from the item the change wrote (the stream record's new image), not from the stream record:
 * a record's ApproximateCreationDateTime is whole seconds at best, and DynamoDB Local (the sandbox)
 * rounds it down to the minute, so events of a minute's changes all said `…:00.000Z`. Reading the
 * item gives the same time in the sandbox and in AWS, on every redelivery of the record.
 *
 * Each kind of item already holds a millisecond time of its change, written with it by the table
 * module (adapters/table*.ts); the first of its fields below that holds an ISO date wins:
 *
 * - message: `date_sent`, Sendblue's date of the message; else `date_updated` (the same fallback
 *   the group record's `updated_at` takes from a webhook without `date_sent`); else `received_at`,
 *   when it was stored;
 * - status (history entry): `date_updated`, when Sendblue stamped the status; else `received_at`;
 * - command (ledger entry): `updated_at`, written by each write that changes its state;
 * - group: `updated_at`, the date of the message (or the time of the command) that showed the
 *   change;
 * - reactions: the added tapback's own `date_sent` (`own`), else the item's `updated_at`;
 * - contact (an opt change): `opt_changed_at`, when the evidence was true (the STOP message's date,
 *   the refusal's time, the operator's command as queued); else `last_seen`.
 *
 * **Fallback.** An item without any of them, or with none that is an ISO date (none is written
 * that way today; this keeps an odd or older item readable), takes the stream record's time
 * (`TableChange.at`: whole seconds or minutes, not the change's own time); a change without that
 * either has no time (EventBridge then stamps the event when it is put; the sandbox's log, when it
 * is logged).
 */
export const CHANGE_TIME_FIELDS = {
  message: ['date_sent', 'date_updated', 'received_at'],
  status: ['date_updated', 'received_at'],
  command: ['updated_at'],
  group: ['updated_at'],
  reactions: ['updated_at'],
  contact: ['opt_changed_at', 'last_seen'],
} as const satisfies Record<string, readonly string[]>;

export type TimedItemKind = keyof typeof CHANGE_TIME_FIELDS;

/** Where an event's time came from: the changed item (the change's own time) or the stream record (the fallback). */
export interface ChangeTime {
  /** ISO, UTC, milliseconds (`toISOString()`). */
  time: string;
  source: 'item' | 'stream';
}

/** A value as a millisecond ISO date (`toISOString()`), when it is an ISO date at all (iso-date.ts). */
export function isoMillis(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseIsoDate(value);
  return parsed.ok ? parsed.iso : undefined;
}

/**
 * The time of a change of an item of `kind`: `own` first (a value the event itself is about, such
 * as the added tapback's date), then the item's fields in CHANGE_TIME_FIELDS order, then the
 * stream record's time `streamAt`.
 */
export function changeTime(
  kind: TimedItemKind,
  item: Readonly<Record<string, unknown>> | undefined,
  streamAt: string | undefined,
  own: readonly unknown[] = [],
): ChangeTime | undefined {
  for (const value of [...own, ...CHANGE_TIME_FIELDS[kind].map((field) => item?.[field])]) {
    const time = isoMillis(value);
    if (time) return { time, source: 'item' };
  }
  const time = isoMillis(streamAt);
  return time ? { time, source: 'stream' } : undefined;
}
