import { idProblem } from './ids.js';
import { isE164 } from './sendblue-rules.js';
import { TABLE_SCHEMA } from './table-schema.js';

/** Key builders for every item type (layout documented in table-schema.ts and docs/table-design.md). */
const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const { partitionKey: GSI1PK, sortKey: GSI1SK } = TABLE_SCHEMA.groupTimelineIndex;

export const MESSAGE_SK = 'MSG';
export const STATUS_SK_PREFIX = 'STATUS#';
/** The one item holding a message's reactions (contract/reactions.ts), beside the message. */
export const REACTIONS_SK = 'REACTIONS';

export const messageKey = (handle: string) => ({ [PK]: `MSG#${handle}`, [SK]: MESSAGE_SK });
export const statusKey = (handle: string, status: string) => ({
  [PK]: `MSG#${handle}`,
  [SK]: `${STATUS_SK_PREFIX}${status}`,
});
/** A per-member refusal of an outbound message (one member opted out): beside the statuses, never the message's own. */
export const memberStatusKey = (handle: string, status: string, member: string) =>
  statusKey(handle, `${status}${MEMBER_STATUS_SEPARATOR}${member}`);
export const MEMBER_STATUS_SEPARATOR = '#';
export const reactionsKey = (handle: string) => ({ [PK]: `MSG#${handle}`, [SK]: REACTIONS_SK });
export const groupKey = (groupId: string) => ({ [PK]: `GROUP#${groupId}`, [SK]: 'GROUP' });
export const commandKey = (commandId: string) => ({ [PK]: `CMD#${commandId}`, [SK]: 'CMD' });
/** A number we have seen (a member, a sender, a command's recipient): its contact record (items.ts ContactItem). */
export const CONTACT_SK = 'CONTACT';
export const contactKey = (number: string) => ({ [PK]: `CONTACT#${number}`, [SK]: CONTACT_SK });
/**
 * The sparse list of opted-out contacts in GSI1: a contact record carries these keys only while it
 * is opted out (never a group partition, so never in a timeline).
 */
export const OPTED_OUT_PARTITION = 'OPTED_OUT';
export const optedOutKeys = (since: string, number: string) => ({
  [GSI1PK]: OPTED_OUT_PARTITION,
  [GSI1SK]: `${since}#${number}`,
});
/** The attributes of an opted-out list entry's LastEvaluatedKey (GSI1), used to validate cursors. */
export const CONTACT_CURSOR_KEYS = [PK, SK, GSI1PK, GSI1SK] as const;
/** True when a decoded cursor is a position in the opted-out list as the table builds it. */
export function isOptedOutCursor(key: Record<string, string>): boolean {
  const number = (key[PK] ?? '').startsWith('CONTACT#') ? (key[PK] ?? '').slice('CONTACT#'.length) : '';
  const sortKey = key[GSI1SK] ?? '';
  return (
    isE164(number) &&
    key[SK] === CONTACT_SK &&
    key[GSI1PK] === OPTED_OUT_PARTITION &&
    sortKey.endsWith(`#${number}`) &&
    sortKey.length - number.length - 1 >= 1 &&
    sortKey.length <= 100
  );
}
/** A Sendblue line's pacing state (its send slots), shared by every sender invocation. */
export const linePaceKey = (line: string) => ({ [PK]: `LINE#${line}`, [SK]: 'PACE' });
/** A line's new-contact quota record: its spends of the last day (sending/new-contact-quota.ts). */
export const lineQuotaKey = (line: string) => ({ [PK]: `LINE#${line}`, [SK]: 'QUOTA' });
/** A number the line has messaged (not a new contact for it within Sendblue's 30 days). */
export const LINE_CONTACT_SK_PREFIX = 'KNOWN#';
export const lineContactKey = (line: string, number: string) => ({
  [PK]: `LINE#${line}`,
  [SK]: `${LINE_CONTACT_SK_PREFIX}${number}`,
});

export type ItemKind = 'message' | 'status' | 'reactions' | 'group' | 'command' | 'line' | 'contact' | 'other';

/** What an item is, from its keys alone (a stream record carries them even without images). */
export function itemKindOf(pk: string, sk: string): ItemKind {
  if (pk.startsWith('MSG#')) {
    if (sk === MESSAGE_SK) return 'message';
    if (sk === REACTIONS_SK) return 'reactions';
    return sk.startsWith(STATUS_SK_PREFIX) ? 'status' : 'other';
  }
  if (pk.startsWith('GROUP#') && sk === 'GROUP') return 'group';
  if (pk.startsWith('CMD#') && sk === 'CMD') return 'command';
  if (pk.startsWith('LINE#')) return 'line';
  if (pk.startsWith('CONTACT#') && sk === CONTACT_SK) return 'contact';
  return 'other';
}
/** How far the backfill has read Sendblue's message list for a line (table-backfill.ts). */
export const backfillWatermarkKey = (line: string) => ({ [PK]: `BACKFILL#${line}`, [SK]: 'WATERMARK' });
/**
 * The sparse list of `unknown` commands in GSI1 (the sweep settles those whose queue message is
 * gone): a ledger entry carries these keys only while it is `unknown`. Never a group partition.
 */
export const UNSETTLED_PARTITION = 'UNSETTLED';
export const unsettledKeys = (updatedAt: string, commandId: string) => ({
  [GSI1PK]: UNSETTLED_PARTITION,
  [GSI1SK]: `${updatedAt}#${commandId}`,
});

export const timelinePartition = (groupId: string) => `GROUP#${groupId}`;
/** ISO dates sort as strings; the handle breaks ties between messages sent in the same millisecond. */
export const timelineKeys = (groupId: string, dateSent: string, handle: string) => ({
  [GSI1PK]: timelinePartition(groupId),
  [GSI1SK]: `${dateSent}#${handle}`,
});

/** The attributes of a timeline index entry's LastEvaluatedKey, used to validate cursors. */
export const TIMELINE_CURSOR_KEYS = [PK, SK, GSI1PK, GSI1SK] as const;

/**
 * True when a decoded cursor is a position in this group's timeline as the table builds it:
 * `MSG#<handle>`, `MSG`, `GROUP#<group_id>`, `<date>#<handle>` with a valid handle. A forged cursor
 * with empty or mismatched keys would otherwise reach DynamoDB and fail there (a 5xx, not a 400).
 */
export function isTimelineCursorFor(groupId: string, key: Record<string, string>): boolean {
  const messagePk = key[PK] ?? '';
  const handle = messagePk.startsWith('MSG#') ? messagePk.slice('MSG#'.length) : '';
  const sortKey = key[GSI1SK] ?? '';
  const datePart = sortKey.slice(0, Math.max(0, sortKey.length - handle.length - 1));
  return (
    idProblem(handle) === undefined &&
    key[SK] === MESSAGE_SK &&
    key[GSI1PK] === timelinePartition(groupId) &&
    sortKey === `${datePart}#${handle}` &&
    datePart.length >= 1 &&
    datePart.length <= 64
  );
}
