import { idProblem } from '../contract/ids.js';
import { EARLIEST_DATE, LATEST_DATE, parseIsoDate } from '../contract/iso-date.js';
import { isPartIndex } from '../contract/reactions.js';
import { isE164, isReaction, type Reaction } from '../contract/sendblue-rules.js';
import { jsonShapeProblem } from './json-shape.js';

/**
 * Parses a Sendblue webhook body (receive webhook, status callback, outbound webhook) into the
 * event we store. Strict on types (a wrong type is a 400 naming the field), on ids (ids.ts), on
 * dates (iso-date.ts) and on shape (json-shape.ts: bounded nesting, valid Unicode), tolerant
 * otherwise: `null` and `""` mean "absent", and fields we do not map are kept in `extra`, not dropped.
 */
export type Direction = 'inbound' | 'outbound';

export interface WebhookEvent {
  messageHandle: string;
  direction: Direction;
  /** Upper-cased Sendblue status (RECEIVED for inbound). */
  status: string;
  /** Absent for 1:1 messages. */
  groupId?: string;
  content?: string;
  mediaUrl?: string;
  fromNumber?: string;
  /** ISO-8601 (normalised to `toISOString()`). */
  dateSent?: string;
  dateUpdated?: string;
  sendStyle?: string;
  participants?: string[];
  groupDisplayName?: string;
  service?: string;
  sendblueNumber?: string;
  errorCode?: string;
  errorMessage?: string;
  /**
   * A member's tapback (inbound only): `reaction` and `reaction_to: {message_handle, part_index}`
   * on the receive webhook. Sendblue documents no such payload; this shape is the simulator's, our
   * documented choice (docs/webhooks.md "Reactions"), `reply_to`'s shape.
   */
  reaction?: { reaction: Reaction; messageHandle: string; partIndex: number };
  /**
   * Sendblue's `opted_out` flag (also left in `extra`): on a member's message, their opt-out state
   * once the message was read; on a per-member refusal, true.
   */
  optedOut?: boolean;
  /**
   * A per-member refusal of an outbound group message: a `DECLINED` status naming one member in
   * `number`/`to_number` because they opted out (`opted_out: true`, `error_reason: 'opted_out'` or
   * `error_code: 4002`). It is that member's evidence, not the message's own status
   * (docs/webhooks.md "Per-member refusals").
   */
  declinedMember?: string;
  /** Every other field of the payload, as given. */
  extra: Record<string, unknown>;
}

export type ParseResult = { ok: true; event: WebhookEvent } | { ok: false; error: string };

/** The payload's fields, remembering which ones were read: whatever was not lands in `extra`. */
class Fields {
  private readonly read = new Set<string>();
  constructor(private readonly record: Record<string, unknown>) {}

  get(field: string): unknown {
    this.read.add(field);
    return this.record[field];
  }

  /** A field's value, left unread (it still lands in `extra` unless `get` reads it later). */
  peek(field: string): unknown {
    return this.record[field];
  }

  unread(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.record).filter(([key]) => !this.read.has(key)));
  }
}

class FieldError extends Error {}

function optionalString(body: Fields, field: string): string | undefined {
  const value = body.get(field);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new FieldError(`${field} must be a string`);
  return value;
}

function optionalId(body: Fields, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  const problem = idProblem(value);
  if (problem) throw new FieldError(`${field} ${problem}`);
  return value;
}

function optionalDate(body: Fields, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  const parsed = parseIsoDate(value);
  if (parsed.ok) return parsed.iso;
  throw new FieldError(
    parsed.problem === 'range'
      ? `${field} must be between ${EARLIEST_DATE.slice(0, 4)} and ${LATEST_DATE.slice(0, 4)}`
      : `${field} must be an ISO-8601 date with a time zone, such as 2026-11-20T17:04:11.512Z`,
  );
}

function optionalStringArray(body: Fields, field: string): string[] | undefined {
  const value = body.get(field);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new FieldError(`${field} must be an array of strings`);
  }
  const items = (value as string[]).filter((item) => item !== '');
  return items.length ? items : undefined;
}

function optionalCode(body: Fields, field: string): string | undefined {
  const value = body.get(field);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return optionalString(body, field);
}

/** `opted_out` when it is a boolean; peeked, so it stays in `extra` as given (anything else is ignored there). */
function optedOutOf(record: Fields): { optedOut?: boolean } {
  const value = record.peek('opted_out');
  return typeof value === 'boolean' ? { optedOut: value } : {};
}

function optionalBoolean(body: Fields, field: string): boolean | undefined {
  const value = body.get(field);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new FieldError(`${field} must be a boolean`);
  return value;
}

/**
 * A member's tapback, when the payload is exactly one: a reaction we know, on a message handle we
 * could store, with a part index we take. Anything else (an emoji tapback Apple added later, a
 * removal, a malformed `reaction_to`) is not read here, so the payload is kept as the message it
 * also is (its text, e.g. `Loved “hi”`), with those fields in `extra`: nothing is refused or lost.
 */
function reactionOf(record: Fields, direction: Direction): WebhookEvent['reaction'] {
  if (direction !== 'inbound') return undefined;
  const reaction = record.peek('reaction');
  const to = record.peek('reaction_to');
  if (!isReaction(reaction) || to === null || typeof to !== 'object' || Array.isArray(to)) return undefined;
  const { message_handle: handle, part_index: part } = to as Record<string, unknown>;
  const partIndex = part === undefined || part === null ? 0 : part;
  if (typeof handle !== 'string' || idProblem(handle) || !isPartIndex(partIndex)) return undefined;
  record.get('reaction');
  record.get('reaction_to');
  return { reaction, messageHandle: handle, partIndex };
}

/** Sendblue's "blacklisted number" code, which a refusal for an opted-out recipient carries (docs/sendblue-api.md). */
export const OPTED_OUT_ERROR_CODE = '4002';

/**
 * The member a DECLINED status of a group message refuses, when it is a per-member opt-out refusal
 * (the fields are only peeked: they stay in `extra` as given).
 */
function declinedMemberOf(
  record: Fields,
  event: Pick<WebhookEvent, 'direction' | 'status' | 'groupId' | 'errorCode' | 'optedOut'>,
): string | undefined {
  if (event.direction !== 'outbound' || event.status !== 'DECLINED' || !event.groupId) return undefined;
  const optedOut =
    event.optedOut === true || record.peek('error_reason') === 'opted_out' || event.errorCode === OPTED_OUT_ERROR_CODE;
  if (!optedOut) return undefined;
  const member = [record.peek('number'), record.peek('to_number')].find(isE164);
  return member;
}

/**
 * @param defaultDirection what the route implies when the payload has no `is_outbound`
 *   (the receive webhook carries inbound messages, the status route outbound ones).
 */
export function parseWebhookPayload(body: unknown, defaultDirection: Direction): ParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'body must be a JSON object (a Sendblue webhook payload)' };
  }
  const record = new Fields(body as Record<string, unknown>);
  try {
    const messageHandle = optionalId(record, 'message_handle');
    if (!messageHandle) throw new FieldError('message_handle is required');
    const isOutbound = optionalBoolean(record, 'is_outbound');
    const direction: Direction = isOutbound === undefined ? defaultDirection : isOutbound ? 'outbound' : 'inbound';
    const status =
      optionalString(record, 'status')?.toUpperCase() ?? (direction === 'inbound' ? 'RECEIVED' : undefined);
    if (!status) throw new FieldError('status is required for an outbound message status');
    if (!/^[A-Z_]{1,40}$/.test(status))
      throw new FieldError('status must be a Sendblue status such as SENT or DELIVERED');
    const reaction = reactionOf(record, direction);
    const event: WebhookEvent = {
      messageHandle,
      direction,
      status,
      groupId: optionalId(record, 'group_id'),
      content: optionalString(record, 'content'),
      mediaUrl: optionalString(record, 'media_url'),
      fromNumber: optionalString(record, 'from_number'),
      dateSent: optionalDate(record, 'date_sent') ?? optionalDate(record, 'date_created'),
      dateUpdated: optionalDate(record, 'date_updated'),
      sendStyle: optionalString(record, 'send_style'),
      participants: optionalStringArray(record, 'participants'),
      groupDisplayName: optionalString(record, 'group_display_name'),
      service: optionalString(record, 'service'),
      sendblueNumber: optionalString(record, 'sendblue_number'),
      errorCode: optionalCode(record, 'error_code'),
      errorMessage: optionalString(record, 'error_message'),
      ...(reaction ? { reaction } : {}),
      ...optedOutOf(record),
      // Properties are evaluated in order, so this runs after every field above was read.
      extra: record.unread(),
    };
    const declinedMember = declinedMemberOf(record, event);
    if (declinedMember) event.declinedMember = declinedMember;
    // After the fields, so that a problem in a known field is reported by its own name first.
    const shape = jsonShapeProblem(body);
    if (shape) throw new FieldError(shape);
    return { ok: true, event };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, error: error.message };
    throw error;
  }
}
