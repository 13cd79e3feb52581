/**
 * Tapbacks on a message (docs/reading.md "Reactions"): a member's, from the receive webhook
 * (`reaction`, `reaction_to`), and our own, from a `send_reaction` command once Sendblue took it.
 * All of a message's reactions live in one item beside it (`MSG#<handle>` / `REACTIONS`, keys.ts),
 * written by one conditional update each, so the webhook keeps its one write request.
 */
import type { MessageItem } from './items.js';
import { isReaction, MAX_PART_INDEX, type Reaction } from './sendblue-rules.js';

type Direction = MessageItem['direction'];

/**
 * Reactions one message keeps (ours: a group has at most 25 members and a few of our lines, so
 * this is far beyond real use; it bounds the item, which each new reaction rewrites). A reaction
 * past it is kept as the plain message Sendblue sent (its text, `Loved “…”`), not lost.
 */
export const MAX_REACTIONS_PER_MESSAGE = 200;

/** One reaction as stored in the message's `REACTIONS` item (snake_case, like the API). */
export interface ReactionEntry {
  /** What makes it one: the reaction's own message_handle (a member's), or `command:<id>` (ours). */
  id: string;
  reaction: Reaction;
  /** Who reacted: the member, or our line. */
  from_number?: string;
  date_sent: string;
  part_index: number;
  /** inbound: a member's tapback (receive webhook); outbound: ours (a send_reaction command). */
  direction: Direction;
}

/** The `REACTIONS` item of a message (keys.ts `reactionsKey`). */
export interface ReactionsItem {
  /** The message reacted to (it may not be stored yet: a reaction is kept before its message). */
  message_handle: string;
  group_id?: string;
  reactions?: ReactionEntry[];
  /** The ids in `reactions`: the write's condition refuses one already there. */
  reaction_ids?: Set<string> | string[];
  updated_at?: string;
}

/** A reaction to write (the ingest from a webhook, the sender after Sendblue took ours). */
export interface NewReaction {
  /** The message reacted to. */
  targetHandle: string;
  groupId?: string;
  entry: ReactionEntry;
}

/**
 * How a tapback is shown to people (the CLI's history, the sandbox page): one table, so the two
 * never disagree. Apple's glyphs: heart, thumbs up and down, "ha ha", "!!", "?".
 */
export const REACTION_MARKS: Readonly<Record<Reaction, string>> = {
  love: '❤️',
  like: '👍',
  dislike: '👎',
  laugh: '😂',
  emphasize: '‼️',
  question: '❓',
};

/** The id our own reaction is kept under: one per command, so a retry never adds it twice. */
export const ownReactionId = (commandId: string) => `command:${commandId}`;

/** A reaction as the read API shows it (GET /messages/{handle}, timeline pages). */
export interface ReactionView {
  reaction: Reaction;
  from_number: string | null;
  date_sent: string;
  part_index: number;
  direction: Direction;
}

/** The reactions of a message, oldest first (a tie: by id, so every read gives one order). */
export function reactionViews(entries: readonly ReactionEntry[] | undefined): ReactionView[] {
  return [...(entries ?? [])]
    .filter((entry) => isReaction(entry.reaction))
    .sort((a, b) => a.date_sent.localeCompare(b.date_sent) || a.id.localeCompare(b.id))
    .map((entry) => ({
      reaction: entry.reaction,
      from_number: entry.from_number ?? null,
      date_sent: entry.date_sent,
      part_index: entry.part_index,
      direction: entry.direction,
    }));
}

/** A `part_index` we take, in a command or a webhook's `reaction_to`: a whole number from 0 to MAX_PART_INDEX. */
export function isPartIndex(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_PART_INDEX;
}
