/**
 * The fields the read answers and the events share (lambdas/contract/views.ts): a message and a
 * command as the API shows them. Each `satisfies` the view's type, so a field added to or dropped
 * from a view does not compile until the schema follows.
 */
import type { CommandItem, CommandState, MessageItem } from '../../lambdas/contract/items.js';
import type { ReactionView } from '../../lambdas/contract/reactions.js';
import { REACTIONS } from '../../lambdas/contract/sendblue-rules.js';
import type { CommandView, MessageView, TimelineMessageView } from '../../lambdas/contract/views.js';
import { dateTime, nullable, type Schema, shape, stringArray } from './common.js';

export type Props<T> = Record<keyof T, Schema>;

/** Every direction and state, checked both ways against the contract's types. */
export const DIRECTIONS = ['inbound', 'outbound'] as const satisfies readonly MessageItem['direction'][];
const COMMAND_STATES = ['queued', 'sending', 'sent', 'failed', 'unknown'] as const satisfies readonly CommandState[];
type AllListed<Union, Listed> = Exclude<Union, Listed> extends never ? true : never;
const allDirections: AllListed<MessageItem['direction'], (typeof DIRECTIONS)[number]> = true;
const allStates: AllListed<CommandItem['state'], (typeof COMMAND_STATES)[number]> = true;
void [allDirections, allStates];

export const text = nullable({ type: 'string' });
export const when = (description: string) => nullable(dateTime(description));

export const MESSAGE_PROPERTIES = {
  message_handle: { type: 'string', description: "Sendblue's id of the message." },
  group_id: nullable({ type: 'string', description: 'null for a 1:1 message.' }),
  direction: { enum: [...DIRECTIONS] },
  status: {
    type: 'string',
    description:
      "Sendblue's status: REGISTERED, PENDING, QUEUED, ACCEPTED, SENT, DELIVERED, READ, ERROR, DECLINED; RECEIVED for inbound messages.",
  },
  content: text,
  media_url: text,
  from_number: text,
  date_sent: when('When the message was sent (UTC).'),
  date_updated: when('When its status last changed (UTC).'),
  send_style: text,
} satisfies Props<MessageView>;

const REACTION_PROPERTIES = {
  reaction: { description: "One of Sendblue's tapbacks.", enum: [...REACTIONS] },
  from_number: nullable({ type: 'string', description: 'Who reacted: a member, or our line.' }),
  date_sent: dateTime('When it was sent (UTC).'),
  part_index: { type: 'integer', minimum: 0, description: 'Which part of a multi-part message.' },
  direction: {
    enum: [...DIRECTIONS],
    description: "inbound: a member's (receive webhook); outbound: ours (a send_reaction command, once sent).",
  },
} satisfies Props<ReactionView>;

/** The tapbacks on a message, oldest first (an extension of docs/contract.md §4). */
export const REACTIONS_LIST: Schema = {
  type: 'array',
  description: 'The tapbacks on the message, oldest first; [] when none.',
  items: shape(REACTION_PROPERTIES),
};

export const TIMELINE_MESSAGE_PROPERTIES = {
  ...MESSAGE_PROPERTIES,
  reactions: REACTIONS_LIST,
} satisfies Props<TimelineMessageView>;

export const COMMAND_PROPERTIES = {
  command_id: { type: 'string' },
  type: { type: 'string', description: 'The command type, or "invalid" for a body that was not a command.' },
  state: { enum: [...COMMAND_STATES] },
  group_id: text,
  message_handle: text,
  error: nullable({ type: 'string', description: 'Why it failed (state failed).' }),
  fingerprint: nullable({ type: 'string', description: 'Whose command this id is (commandFingerprint).' }),
  refused_reuses: { ...stringArray(), description: 'Fingerprints of other commands refused this id.' },
  failures: { type: 'integer', minimum: 0, description: 'Failed attempts so far.' },
  next_attempt_at: when(
    'When the next attempt is due, while queued or unknown. unknown with null: settled for good (a send_reaction that may have been sent; never repeated).',
  ),
  outage_since: when(
    'While queued or unknown because Sendblue is unreachable (or its line is paused by an outage): since when. Past the outage budget (1 h by default) the command is failed, unless Sendblue may have it.',
  ),
  updated_at: when(
    'When the sender last wrote the entry: an attempt began or ended (a redriven command that fails again has a later one than its first failure).',
  ),
} satisfies Props<CommandView>;
