import { itemKindOf } from '../contract/keys.js';
import { changeTime, type TimedItemKind } from './event-time.js';
import type { TableChange } from './table-change.js';
import type { CommandItem, ContactItem, GroupItem, MessageItem } from '../contract/items.js';
import type { ReactionEntry } from '../contract/reactions.js';
import { commandView, messageView } from '../contract/views.js';

/**
 * What the stack tells the user's app, decided from the table's change stream alone (no I/O):
 * each change maps to zero or one domain event. Every rule below fires once per real change of
 * the table, and a duplicate webhook changes nothing in the table, so it publishes nothing.
 * Schema and examples: docs/events.md.
 */
export const EVENT_SOURCE = 'sendblue-groups';

export const DETAIL_TYPES = {
  messageReceived: 'Group Message Received',
  statusChanged: 'Message Status Changed',
  commandSettled: 'Command Settled',
  groupChanged: 'Group Changed',
  reactionReceived: 'Group Reaction Received',
  contactOptedOut: 'Contact Opted Out',
  contactOptedIn: 'Contact Opted In',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export interface DomainEvent {
  detailType: DetailType;
  /**
   * snake_case like the read API, with `event_id` (the stream record's id) first, then
   * `occurred_at`: `time` again (null without one), since EventBridge delivers an event's `time`
   * to the second and the detail is where a rule's target finds the milliseconds.
   */
  detail: { event_id: string } & Record<string, unknown>;
  /**
   * When the change happened (ISO, milliseconds), read from the changed item (event-time.ts); the
   * stream record's time for an item without one; absent without either.
   */
  time?: string;
}

/** States a command settles in (docs/sending.md "Exactly once"); `queued` and `sending` are on the way. */
const SETTLED = new Set(['sent', 'failed', 'unknown']);

export function domainEventFor(change: TableChange): DomainEvent | undefined {
  if (change.kind === 'REMOVE' || !change.newImage) return undefined; // TTL expiries, deletions
  // Each event's time is its change's own, read from the item (event-time.ts).
  const event =
    (kind: TimedItemKind): Build =>
    (detailType, detail, own) => {
      const time = changeTime(kind, change.newImage, change.at, own)?.time;
      return {
        detailType,
        detail: { event_id: change.eventId, occurred_at: time ?? null, ...detail },
        ...(time ? { time } : {}),
      };
    };
  switch (itemKindOf(change.pk, change.sk)) {
    case 'message':
      return change.kind === 'INSERT'
        ? messageReceived(change.newImage as unknown as MessageItem, event('message'))
        : undefined;
    case 'status':
      // One history item per distinct status, written once (a conditional put): never a duplicate.
      // A per-member refusal is not the message's status: it is told as the member's opt-out (contacts).
      if (change.newImage?.member !== undefined) return undefined;
      return change.kind === 'INSERT' ? event('status')(DETAIL_TYPES.statusChanged, statusDetail(change)) : undefined;
    case 'command':
      return commandSettled(change, event('command'));
    case 'group':
      return groupChanged(change, event('group'));
    case 'reactions':
      return reactionReceived(change, event('reactions'));
    case 'contact':
      return contactOptChanged(change, event('contact'));
    default:
      return undefined; // pacing records, anything else
  }
}

/** An event of this change; `own`: times the event is about, before the item's (a tapback's date). */
type Build = (detailType: DetailType, detail: Record<string, unknown>, own?: readonly unknown[]) => DomainEvent;

function messageReceived(item: MessageItem, event: Build): DomainEvent | undefined {
  // Outbound messages are INSERTed by the sender (and by a status that came first): they are
  // told by Command Settled and Message Status Changed. 1:1 messages belong to no group.
  if (item.direction !== 'inbound' || !item.group_id) return undefined;
  return event(DETAIL_TYPES.messageReceived, {
    ...messageView(item),
    participants: item.participants ?? null,
    group_display_name: item.group_display_name ?? null,
  });
}

/**
 * A member's tapback kept on a group message: the one reaction this change added (each write adds
 * one; a retry adds none, so publishes nothing). Our own tapbacks are told by Command Settled.
 */
function reactionReceived({ newImage, oldImage }: TableChange, event: Build): DomainEvent | undefined {
  const entries = (image: Record<string, unknown> | undefined) =>
    Array.isArray(image?.reactions) ? (image.reactions as ReactionEntry[]) : [];
  const before = new Set(entries(oldImage).map((entry) => entry.id));
  const added = entries(newImage).filter((entry) => !before.has(entry.id));
  const entry = added[added.length - 1];
  const groupId = newImage?.group_id;
  if (entry?.direction !== 'inbound' || typeof groupId !== 'string') return undefined;
  return event(
    DETAIL_TYPES.reactionReceived,
    {
      group_id: groupId,
      message_handle: String(newImage?.message_handle ?? ''),
      reaction_handle: entry.id,
      reaction: entry.reaction,
      from_number: entry.from_number ?? null,
      date_sent: entry.date_sent,
      part_index: entry.part_index,
    },
    [entry.date_sent],
  );
}

/**
 * A contact's opt state changed (the contacts ledger, contacts/contact-projection.ts): out, or back
 * in. A record that only gained a sighting, or newer evidence of the same state, publishes nothing.
 */
function contactOptChanged({ newImage, oldImage }: TableChange, event: Build): DomainEvent | undefined {
  const now = newImage as unknown as ContactItem;
  const optedOut = now.opted_out === true;
  if (typeof now.opted_out !== 'boolean' || optedOut === (oldImage?.opted_out === true)) return undefined;
  return event(optedOut ? DETAIL_TYPES.contactOptedOut : DETAIL_TYPES.contactOptedIn, {
    number: now.number,
    opted_out: optedOut,
    by: (optedOut ? now.opted_out_by : now.opted_in_by) ?? null,
    at: now.opt_changed_at ?? null,
  });
}

function statusDetail({ pk, newImage }: TableChange): Record<string, unknown> {
  const item = newImage as Record<string, unknown>;
  const text = (key: string) => (typeof item[key] === 'string' ? item[key] : null);
  return {
    message_handle: pk.slice('MSG#'.length),
    group_id: text('group_id'),
    status: text('status'),
    date_updated: text('date_updated') ?? text('received_at'),
    error_code: text('error_code'),
    error_message: text('error_message'),
  };
}

/**
 * Into sent or failed: always (a redriven command that fails again is a new outcome). Into
 * unknown: only when an attempt ended unclear (a counted failure: the call may have reached
 * Sendblue), not each time a later check in Sendblue could not be made, nor after the lease
 * bookkeeping in between (`sending` is never published).
 */
function commandSettled({ newImage, oldImage }: TableChange, event: Build): DomainEvent | undefined {
  const now = newImage as unknown as CommandItem;
  const before = oldImage as unknown as CommandItem | undefined;
  if (!SETTLED.has(now.state) || before?.state === now.state) return undefined;
  if (now.state === 'unknown' && (now.failures ?? 0) <= (before?.failures ?? 0)) return undefined;
  return event(DETAIL_TYPES.commandSettled, commandView(now));
}

function groupChanged({ newImage, oldImage }: TableChange, event: Build): DomainEvent | undefined {
  const now = newImage as unknown as GroupItem;
  const before = oldImage as unknown as GroupItem | undefined;
  const members = [...(now.members ?? [])].sort();
  const previous = [...(before?.members ?? [])].sort();
  const name = now.group_name ?? null;
  const previousName = before?.group_name ?? null;
  const membersChanged = members.join(',') !== previous.join(',');
  if (before && !membersChanged && name === previousName) return undefined; // e.g. only updated_at
  // A record that does not know its members yet (a rename came first) adds or removes nobody.
  const known = (list: string[], item?: GroupItem) => (item?.members ? list : []);
  return event(DETAIL_TYPES.groupChanged, {
    group_id: now.group_id,
    members,
    name,
    previous_members: previous,
    previous_name: previousName,
    added_members: known(members, now).filter((member) => !previous.includes(member)),
    removed_members: before?.members && now.members ? previous.filter((member) => !members.includes(member)) : [],
    created_at: now.created_at ?? null,
    updated_at: now.updated_at ?? null,
  });
}

/**
 * An event as small as EventBridge takes (256 KB per entry, `sizeOf` below): a message text too
 * long for it (only text full of escaped control characters can be) is left out, with
 * `content_omitted: true`; GET /messages/{handle} has it.
 */
export function fitToSize(event: DomainEvent, maxBytes: number, sizeOf: (event: DomainEvent) => number): DomainEvent {
  if (sizeOf(event) <= maxBytes || typeof event.detail.content !== 'string') return event;
  return { ...event, detail: { ...event.detail, content: null, content_omitted: true } };
}
