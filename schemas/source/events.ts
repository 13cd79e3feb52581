/**
 * The events on the stack's EventBridge bus (lambdas/events/domain-events.ts): what a rule's target
 * receives, the envelope with each detail-type's `detail`. Names and the source come from the
 * contract's constants. Like the read answers, objects are open in the published files (events may
 * gain fields) and closed in the tests.
 */
import { DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../../lambdas/events/domain-events.js';
import { dateTime, fileHeader, millisDateTime, nullable, type Schema, shape, stringArray } from './common.js';
import { REACTIONS } from '../../lambdas/contract/sendblue-rules.js';
import { COMMAND_PROPERTIES, MESSAGE_PROPERTIES, text } from './views.js';

const EVENT_ID: Schema = {
  type: 'string',
  minLength: 1,
  description: 'The same on every delivery of one change: drop an event whose event_id you have seen.',
};

/** The envelope's fields around a given `detail`, as EventBridge delivers it. */
export function envelopeProperties(overrides: Record<string, Schema>) {
  return {
    version: { const: '0' },
    id: { type: 'string', description: "EventBridge's id of this delivery (differs between deliveries)." },
    'detail-type': { type: 'string' },
    source: { const: EVENT_SOURCE },
    account: { type: 'string' },
    time: dateTime(
      "When the change happened (each detail-type's schema says which time it is); EventBridge delivers it to the second, the sandbox's log with milliseconds. detail.occurred_at has the milliseconds everywhere.",
    ),
    region: { type: 'string' },
    resources: stringArray(),
    detail: { type: 'object' },
    ...overrides,
  };
}

/** What every event's time says after its own (`when`), in the envelope's `time` and in `detail.occurred_at`. */
const TIME_PRECISION =
  'EventBridge delivers time to the second (the sandbox logs it with milliseconds); detail.occurred_at is the same time to the millisecond. An item stored without such a time (none is written that way today) takes the time the table stream recorded the change (whole seconds).';

/** `detail.occurred_at`: the event's time, to the millisecond, in every detail. */
const occurredAt = (when: string): Schema =>
  nullable(
    millisDateTime(
      `${when}, to the millisecond (UTC): the envelope's time with its milliseconds. null only if neither the item nor the stream record had a time.`,
    ),
  );

function envelope(detailType: DetailType, detail: Schema, description: string, when: string): Schema {
  return shape(
    envelopeProperties({
      'detail-type': { const: detailType },
      time: dateTime(`${when}. ${TIME_PRECISION}`),
      detail,
    }),
    description,
    { 'replay-name': { type: 'string', description: 'Set on events replayed from the archive.' } },
  );
}

/** What each detail-type's time is: the time of the change itself, read from the changed item (lambdas/events/event-time.ts). */
const WHEN: Record<DetailType, string> = {
  [DETAIL_TYPES.messageReceived]:
    'When the message was sent: detail.date_sent (else its date_updated, else when it was stored)',
  [DETAIL_TYPES.statusChanged]: 'When Sendblue stamped the status: detail.date_updated (else when it was received)',
  [DETAIL_TYPES.commandSettled]: "When the command took this state (its ledger entry's updated_at)",
  [DETAIL_TYPES.groupChanged]:
    'When the change was seen: detail.updated_at, the date of the message that showed it (or when a modify_group command made it)',
  [DETAIL_TYPES.reactionReceived]: 'When the member reacted: detail.date_sent',
  [DETAIL_TYPES.contactOptedOut]:
    'When the evidence of the opt-out was true: detail.at (the STOP message, the refusal, the command as queued)',
  [DETAIL_TYPES.contactOptedIn]: 'When the evidence of the opt-in was true: detail.at',
};

const DETAILS: Record<DetailType, { file: string; description: string; detail: Schema }> = {
  [DETAIL_TYPES.messageReceived]: {
    file: 'group-message-received.json',
    description: 'An inbound group message was stored (once per message_handle).',
    detail: shape(
      {
        event_id: EVENT_ID,
        occurred_at: occurredAt(WHEN[DETAIL_TYPES.messageReceived]),
        ...MESSAGE_PROPERTIES,
        participants: nullable(stringArray()),
        group_display_name: text,
      },
      undefined,
      {
        content_omitted: {
          const: true,
          description:
            'Present when the text was too large for EventBridge (content is then null; GET /messages/{handle} has it).',
        },
      },
    ),
  },
  [DETAIL_TYPES.statusChanged]: {
    file: 'message-status-changed.json',
    description: 'A status of a message was recorded for the first time (each distinct status once).',
    detail: shape({
      event_id: EVENT_ID,
      occurred_at: occurredAt(WHEN[DETAIL_TYPES.statusChanged]),
      message_handle: { type: 'string' },
      group_id: text,
      status: text,
      date_updated: nullable(dateTime('When Sendblue stamped the status (else when it was received).')),
      error_code: text,
      error_message: text,
    }),
  },
  [DETAIL_TYPES.commandSettled]: {
    file: 'command-settled.json',
    description:
      'A command became sent or failed, or unknown when an attempt ended unclear (with next_attempt_at null: for good, a send_reaction that may have been sent).',
    detail: shape({
      event_id: EVENT_ID,
      occurred_at: occurredAt(WHEN[DETAIL_TYPES.commandSettled]),
      ...COMMAND_PROPERTIES,
      state: { enum: ['sent', 'failed', 'unknown'] },
    }),
  },
  [DETAIL_TYPES.groupChanged]: {
    file: 'group-changed.json',
    description: "A group's members or name changed (the first time they are known included).",
    detail: shape({
      event_id: EVENT_ID,
      occurred_at: occurredAt(WHEN[DETAIL_TYPES.groupChanged]),
      group_id: { type: 'string' },
      members: stringArray(),
      name: text,
      previous_members: stringArray(),
      previous_name: text,
      added_members: stringArray(),
      removed_members: stringArray(),
      created_at: nullable(dateTime()),
      updated_at: nullable(dateTime()),
    }),
  },
  [DETAIL_TYPES.reactionReceived]: {
    file: 'group-reaction-received.json',
    description:
      "A member's tapback on a group message was stored (once per tapback; our own are told by Command Settled).",
    detail: shape({
      event_id: EVENT_ID,
      occurred_at: occurredAt(WHEN[DETAIL_TYPES.reactionReceived]),
      group_id: { type: 'string' },
      message_handle: { type: 'string', description: 'The message reacted to (it may not be stored yet).' },
      reaction_handle: { type: 'string', description: "The tapback's own message_handle in Sendblue." },
      reaction: { enum: [...REACTIONS] },
      from_number: text,
      date_sent: dateTime('When the member reacted (UTC).'),
      part_index: { type: 'integer', minimum: 0 },
    }),
  },
  [DETAIL_TYPES.contactOptedOut]: {
    file: 'contact-opted-out.json',
    description:
      "A contact opted out: it texted STOP (or another opt-out keyword), Sendblue flagged it opted_out or refused a group message for it, or an operator's set_contact_opt command (`cli contacts opt-out`).",
    detail: contactOptDetail(true, WHEN[DETAIL_TYPES.contactOptedOut]),
  },
  [DETAIL_TYPES.contactOptedIn]: {
    file: 'contact-opted-in.json',
    description:
      "A contact that had opted out opted back in: it texted START, or an operator's set_contact_opt command (`cli contacts opt-in`).",
    detail: contactOptDetail(false, WHEN[DETAIL_TYPES.contactOptedIn]),
  },
};

function contactOptDetail(optedOut: boolean, when: string): Schema {
  return shape({
    event_id: EVENT_ID,
    occurred_at: occurredAt(when),
    number: { type: 'string', description: 'The contact (E.164).' },
    opted_out: { const: optedOut },
    by: nullable({
      enum: optedOut ? ['keyword', 'webhook_flag', 'declined', 'command', 'cli'] : ['keyword', 'command', 'cli'],
      description:
        "What said so: keyword (the member wrote it), webhook_flag (Sendblue's opted_out), declined (a per-member DECLINED), command (an operator's set_contact_opt); cli is never written (kept for readers that know it).",
    }),
    at: nullable(
      dateTime(
        'When the evidence was true (the message or status date, or when the set_contact_opt command was queued).',
      ),
    ),
  });
}

/** One envelope schema per detail-type, without a file header (for unions). */
export const EVENT_ENVELOPES: Record<DetailType, Schema> = Object.fromEntries(
  Object.entries(DETAILS).map(([type, { detail, description }]) => [
    type,
    envelope(type as DetailType, detail, description, WHEN[type as DetailType]),
  ]),
) as Record<DetailType, Schema>;

/** `events/<name>.json`: one per detail-type, and `event.json`, any of them. */
export const EVENT_TYPE_FILES: Record<string, Schema> = Object.fromEntries(
  Object.entries(DETAILS).map(([type, { file, description }]) => [
    file,
    {
      ...fileHeader(`events/${file}`, type, `${description} source "${EVENT_SOURCE}", detail-type "${type}".`),
      ...EVENT_ENVELOPES[type as DetailType],
    },
  ]),
);

export function eventUnionFile(): Schema {
  const types = Object.keys(EVENT_ENVELOPES) as DetailType[];
  return {
    ...fileHeader(
      'events/event.json',
      'event',
      `Any event on the sendblue-groups bus (source "${EVENT_SOURCE}"): ${types.join(', ')}.`,
    ),
    oneOf: types.map((type) => ({ $ref: `#/$defs/${DETAILS[type].file.replace(/\.json$/, '')}` })),
    $defs: Object.fromEntries(types.map((type) => [DETAILS[type].file.replace(/\.json$/, ''), EVENT_ENVELOPES[type]])),
  };
}
