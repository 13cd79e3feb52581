import { statusRank } from './status.js';
import type { CommandItem, GroupItem, MessageItem, StatusHistoryItem, ContactItem } from './items.js';
import { reactionViews, type ReactionEntry } from './reactions.js';

/** Public shapes of docs/contract.md §4, built from stored items. Absent values are `null`, never missing. */
export function messageView(item: MessageItem) {
  return {
    message_handle: item.message_handle,
    group_id: item.group_id ?? null,
    direction: item.direction,
    status: item.status,
    content: item.content ?? null,
    media_url: item.media_url ?? null,
    from_number: item.from_number ?? null,
    date_sent: item.date_sent ?? null,
    date_updated: item.date_updated ?? null,
    send_style: item.send_style ?? null,
  };
}

/**
 * A message as a timeline page shows it: `messageView` and its reactions (read beside the page:
 * the timeline index does not hold them).
 */
export function timelineMessageView(item: MessageItem, reactions: readonly ReactionEntry[] | undefined) {
  return { ...messageView(item), reactions: reactionViews(reactions) };
}

/** A presigned link to a message's archived media (adapters/s3-link-signer.ts), as GET /messages/{handle} shows it. */
export interface MediaLink {
  url: string;
  /** When the link stops working (ISO). */
  expires_at: string;
}

/**
 * `mediaLink`: a presigned link to the archived copy of `media_url`, when there is one (media-links.ts);
 * `reactions`: the tapbacks kept beside the message (contract/reactions.ts).
 */
export function messageDetailView(
  item: MessageItem,
  history: StatusHistoryItem[],
  mediaLink?: MediaLink,
  reactions: readonly ReactionEntry[] = [],
) {
  const statusHistory = history.length
    ? history.map((entry) => ({
        status: entry.status,
        date_updated: entry.date_updated ?? entry.received_at,
        // A per-member refusal names its member: it is not the message's own status.
        ...(entry.member ? { member: entry.member } : {}),
      }))
    : [{ status: item.status, date_updated: item.date_updated ?? null }];
  // By time; a tie (Sendblue may stamp two statuses alike) goes to the status order.
  statusHistory.sort(
    (a, b) =>
      String(a.date_updated).localeCompare(String(b.date_updated)) || statusRank(a.status) - statusRank(b.status),
  );
  const archive = item.media_archive;
  return {
    ...messageView(item),
    media_archive_url: mediaLink?.url ?? null,
    media_archive: !archive
      ? null
      : 'key' in archive
        ? {
            content_type: archive.content_type,
            bytes: archive.bytes,
            archived_at: archive.archived_at,
            link_expires_at: mediaLink?.expires_at ?? null,
          }
        : { error: archive.error, failed_at: archive.failed_at },
    error_code: item.error_code ?? null,
    error_message: item.error_message ?? null,
    participants: item.participants ?? null,
    extra: item.extra_json ? (JSON.parse(item.extra_json) as Record<string, unknown>) : {},
    status_history: statusHistory,
    reactions: reactionViews(reactions),
  };
}

/** How many of a group's newest messages the summary reads (one timeline query page). */
export const GROUP_SUMMARY_WINDOW = 10;

/**
 * The group summary. `last_message_at` comes from the newest message rather than from the group
 * record, so the record is not rewritten on every message. Members and name come from whichever
 * is newer: the record, or the newest recent message that carries them. That keeps the answer right
 * even when a Lambda container skipped a record write it believed redundant (its cache is per
 * container), and for groups seen only through messages sent outside this stack.
 */
export function groupView(groupId: string, record: GroupItem | undefined, recent: MessageItem[]) {
  const newest = recent[0];
  const isNewer = (message: MessageItem | undefined) =>
    message !== undefined && (!record || (message.date_sent ?? '') > record.updated_at);
  const withMembers = recent.find((message) => message.participants?.length);
  const withName = recent.find((message) => message.group_display_name);
  return {
    group_id: groupId,
    members: isNewer(withMembers) ? [...new Set(withMembers!.participants)].sort() : (record?.members ?? []),
    name: isNewer(withName) ? withName!.group_display_name! : (record?.group_name ?? null),
    // The record may be written after the group's first messages (a send to new numbers writes
    // none; the first webhook with members does), so the oldest message seen can be earlier.
    created_at: earliest(record?.created_at, recent[recent.length - 1]?.date_sent),
    updated_at: isNewer(withMembers) ? withMembers!.date_sent! : (record?.updated_at ?? newest?.date_sent ?? null),
    last_message_at: newest?.date_sent ?? null,
  };
}

const earliest = (a: string | undefined, b: string | undefined): string | null =>
  a && b ? (a < b ? a : b) : (a ?? b ?? null);

export function commandView(item: CommandItem) {
  return {
    command_id: item.command_id,
    type: item.type,
    state: item.state,
    group_id: item.group_id ?? null,
    message_handle: item.message_handle ?? null,
    error: item.error ?? null,
    /** Whose command this id is (commandFingerprint): a producer compares it with its own. */
    fingerprint: item.fingerprint ?? null,
    /** Fingerprints of other commands that reused this id: refused, never sent. */
    refused_reuses: item.refused_fingerprints ? [...item.refused_fingerprints].sort() : [],
    /** Failed attempts so far (429s and waits for the line are not failures). */
    failures: item.failures ?? 0,
    /**
     * When the next attempt is due, while the command waits (line slot, retry, Retry-After). An
     * `unknown` command without one is settled for good (isCommandSettled).
     */
    next_attempt_at: item.state === 'queued' || item.state === 'unknown' ? (item.next_attempt_at ?? null) : null,
    /**
     * While it rides out an outage of Sendblue (unreachable, no answer, 5xx, or its line paused):
     * since when. Past the outage budget (1 h by default) it is failed, unless Sendblue may have it.
     */
    outage_since: item.state === 'queued' || item.state === 'unknown' ? (item.outage_since ?? null) : null,
    /**
     * When the sender last wrote the entry (an attempt began or ended, a refusal recorded). A
     * redriven command that fails again is told apart from its earlier failure by it (`cli dlq
     * --redrive --wait`).
     */
    updated_at: item.updated_at ?? null,
  };
}

/**
 * Whether nothing more will happen to a command by itself: `sent`, `failed`, or `unknown` with no
 * attempt due (a send_reaction whose call may have reached Sendblue: nothing can check it, so it
 * is never repeated). Other `unknown` commands are checked again at `next_attempt_at`.
 */
export function isCommandSettled(view: Pick<ReturnType<typeof commandView>, 'state' | 'next_attempt_at'>): boolean {
  return view.state === 'sent' || view.state === 'failed' || (view.state === 'unknown' && !view.next_attempt_at);
}

/** The read API's answers as types (the client library and the CLI read them with these). */
export type MessageView = ReturnType<typeof messageView>;
export type TimelineMessageView = ReturnType<typeof timelineMessageView>;
export type MessageDetailView = ReturnType<typeof messageDetailView>;
export type GroupView = ReturnType<typeof groupView>;
export type CommandView = ReturnType<typeof commandView>;
export interface MessagePageView {
  messages: TimelineMessageView[];
  next_cursor: string | null;
}

/** A contact as `GET /contacts/{number}` shows it (docs/table-design.md "Contacts"). */
export function contactView(item: ContactItem) {
  const contacted = Object.entries(item)
    .filter(([name, value]) => name.startsWith('contacted:') && typeof value === 'string')
    .map(([name, at]) => ({ line: name.slice('contacted:'.length), first_at: at as string }))
    .sort((a, b) => a.line.localeCompare(b.line));
  return {
    number: item.number,
    first_seen: item.first_seen ?? null,
    last_seen: item.last_seen ?? null,
    /** Our lines that messaged it, and when each first did. */
    contacted,
    opted_out: item.opted_out === true,
    opted_out_at: item.opted_out_at ?? null,
    opted_out_by: item.opted_out_by ?? null,
    opted_in_at: item.opted_in_at ?? null,
    opted_in_by: item.opted_in_by ?? null,
  };
}
export type ContactView = ReturnType<typeof contactView>;
