/**
 * The read API's answers (lambdas/contract/views.ts, lambdas/handlers/read.ts) and the sandbox-only
 * routes (sandbox/page/routes.ts, sandbox/event-feed.ts). Each `properties` object `satisfies` the
 * view's type (views.ts).
 * The published schemas leave objects open (the API may gain fields; it never drops one); the
 * tests validate against a closed copy, so every field the code writes is described.
 */
import type { ContactView, GroupView, MessageDetailView } from '../../lambdas/contract/views.js';
import type { EventEnvelope } from '../../lambdas/contract/sandbox.js';
import type { GroupListEntry } from '../../sandbox/group-list.js';
import type { PageFailedCommand, PageGroupChange, PagePausedLine } from '../../sandbox/page/page-logic.js';
import { dateTime, e164, fileHeader, nullable, type Schema, shape, stringArray } from './common.js';
import { EVENT_ENVELOPES, envelopeProperties } from './events.js';
import {
  COMMAND_PROPERTIES,
  DIRECTIONS,
  MESSAGE_PROPERTIES,
  type Props,
  REACTIONS_LIST,
  TIMELINE_MESSAGE_PROPERTIES,
  text,
  when,
} from './views.js';

const MEDIA_ARCHIVE = nullable({
  description: 'What was kept of media_url (or why nothing was); null when nothing was tried.',
  oneOf: [
    shape({
      content_type: { type: 'string' },
      bytes: { type: 'integer', minimum: 0 },
      archived_at: dateTime(),
      link_expires_at: when('When media_archive_url stops working.'),
    }),
    shape({ error: { type: 'string' }, failed_at: dateTime() }),
  ],
});

const MESSAGE_DETAIL_PROPERTIES = {
  ...MESSAGE_PROPERTIES,
  media_archive_url: nullable({ type: 'string', description: 'A presigned link to the kept copy (one hour).' }),
  media_archive: MEDIA_ARCHIVE,
  error_code: text,
  error_message: text,
  participants: nullable(stringArray()),
  extra: { type: 'object', description: 'Payload fields the stack does not map, as Sendblue sent them.' },
  status_history: {
    type: 'array',
    description: 'Every distinct status once, oldest first.',
    minItems: 1,
    items: shape({ status: { type: 'string' }, date_updated: when('When Sendblue stamped it.') }, undefined, {
      member: {
        type: 'string',
        description:
          "Only on a per-member refusal (DECLINED for one member who opted out): that member. Not the message's own status.",
      },
    }),
  },
  reactions: REACTIONS_LIST,
} satisfies Props<MessageDetailView>;

const GROUP_PROPERTIES = {
  group_id: { type: 'string' },
  members: { ...stringArray(), description: 'E.164 numbers, sorted.' },
  name: text,
  created_at: when('The date of the oldest message or change seen in the group.'),
  updated_at: when('The date of the message or change that showed the current members and name.'),
  last_message_at: when('The date of the newest message.'),
} satisfies Props<GroupView>;

const GROUP_LIST_PROPERTIES = {
  group_id: { type: 'string' },
  name: text,
  members: stringArray(),
  opted_out: { ...stringArray(), description: 'Members who opted out (the contacts ledger): the page marks them.' },
  last_message_at: when('The date of the newest message.'),
  message_count: { type: 'integer', minimum: 0 },
  last_message: nullable(
    shape({
      direction: { enum: [...DIRECTIONS] },
      from_number: text,
      content: text,
      media_url: text,
      date_sent: when('When it was sent.'),
    }),
  ),
} satisfies Props<GroupListEntry>;

const FAILED_COMMAND_PROPERTIES = {
  command_id: { type: 'string' },
  type: { type: 'string' },
  group_id: text,
  numbers: nullable(stringArray()),
  content: text,
  media_url: text,
  modify_type: text,
  number: text,
  name: text,
  message_handle: text,
  reaction: text,
  reason: { type: 'string' },
  at: { type: 'string', description: 'When it was first tried (ISO), or "" when nothing says.' },
} satisfies Props<PageFailedCommand>;

const OPT_SOURCES = ['keyword', 'webhook_flag', 'declined', 'command', 'cli'];
const CONTACT_PROPERTIES = {
  number: e164(),
  first_seen: when('The date of the first message or change that showed it.'),
  last_seen: when('The date of the newest one (exact to 15 minutes).'),
  contacted: {
    type: 'array',
    description: 'Our lines that messaged it, and when each first did.',
    items: shape({ line: e164(), first_at: dateTime() }),
  },
  opted_out: { type: 'boolean' },
  opted_out_at: when('When the latest opt-out evidence was true.'),
  opted_out_by: nullable({ enum: OPT_SOURCES }),
  opted_in_at: when('When the latest opt-in evidence (START, a set_contact_opt command) was true.'),
  opted_in_by: nullable({ enum: OPT_SOURCES }),
} satisfies Props<ContactView>;

const PAUSED_LINE_PROPERTIES = {
  line: e164(),
  since: when('When the line was paused (its circuit breaker opened).'),
  reason: nullable({ type: 'string', description: "The failure that paused it, or the last probe's." }),
  probe_every_s: { type: 'integer', minimum: 0, description: 'Seconds between probes now.' },
  next_probe_at: when('When the next probe may go out.'),
} satisfies Props<PagePausedLine>;

const GROUP_CHANGE: Schema = {
  type: 'object',
  required: ['at', 'added', 'removed'],
  properties: {
    at: { type: 'string' },
    added: stringArray(e164()),
    removed: stringArray(e164()),
    renamed: shape({ to: text }, 'Present when the name changed; to is null when it was cleared.'),
  } satisfies Props<PageGroupChange>,
};

// The sandbox feed holds EventBridge envelopes; the envelope's own fields are events.ts's.
const _envelope: Props<EventEnvelope> = envelopeProperties({});
void _envelope;

/** `reads/<name>.json`: each answer of the read API and of the sandbox's own routes. */
export const READ_FILES: Record<string, Schema> = {
  'group.json': {
    ...fileHeader('reads/group.json', 'GET /groups/{group_id}', 'A group: its members, name and dates.'),
    ...shape(GROUP_PROPERTIES),
  },
  'messages-page.json': {
    ...fileHeader(
      'reads/messages-page.json',
      'GET /groups/{group_id}/messages',
      'One page of a group timeline; follow next_cursor until it is null.',
    ),
    ...shape({
      messages: { type: 'array', items: shape(TIMELINE_MESSAGE_PROPERTIES, 'A message as the timeline shows it.') },
      next_cursor: nullable({ type: 'string', description: 'Pass as ?cursor= for the next page; null on the last.' }),
    }),
  },
  'message.json': {
    ...fileHeader(
      'reads/message.json',
      'GET /messages/{message_handle}',
      'A message with its status history, error, participants, unmapped fields and kept media.',
    ),
    ...shape(MESSAGE_DETAIL_PROPERTIES),
  },
  'command.json': {
    ...fileHeader('reads/command.json', 'GET /commands/{command_id}', "A command's state in the sender's ledger."),
    ...shape(COMMAND_PROPERTIES),
  },
  'contact.json': {
    ...fileHeader(
      'reads/contact.json',
      'GET /contacts/{number}',
      'A contact: when it was first and last seen, the lines that messaged it, and its opt-out state.',
    ),
    ...shape(CONTACT_PROPERTIES),
  },
  'contacts-page.json': {
    ...fileHeader(
      'reads/contacts-page.json',
      'GET /contacts?opted_out=true',
      'One page of the opted-out contacts, newest first; follow next_cursor until it is null.',
    ),
    ...shape({
      contacts: {
        type: 'array',
        items: shape({ number: e164(), opted_out_since: dateTime('When the evidence of the opt-out was true.') }),
      },
      next_cursor: nullable({ type: 'string', description: 'Pass as ?cursor= for the next page; null on the last.' }),
    }),
  },
  'health.json': {
    ...fileHeader('reads/health.json', 'GET /health', '200 {"ok": true}; 503 with ok false and why.'),
    oneOf: [shape({ ok: { const: true } }), shape({ ok: { const: false }, error: { type: 'string' } })],
  },
  'error.json': {
    ...fileHeader(
      'reads/error.json',
      'An error answer',
      'Every 4xx/5xx of the API: {"error": "..."} from the handlers (bad id or parameter, unknown id, storage down); {"message": "..."} from API Gateway itself (no such route, not authorized, throttled, too large).',
    ),
    oneOf: [
      shape({ error: { type: 'string', minLength: 1 } }, 'From a handler.'),
      shape({ message: { type: 'string', minLength: 1 } }, 'From API Gateway (or the sandbox in its place).'),
    ],
  },
  'sandbox-groups.json': {
    ...fileHeader(
      'reads/sandbox-groups.json',
      'GET /__sandbox/groups (sandbox only)',
      'Every group with its newest message, every command that was not done (ledger and DLQ), and the lines paused by a Sendblue outage.',
    ),
    ...shape({
      groups: { type: 'array', items: shape(GROUP_LIST_PROPERTIES) },
      failed: { type: 'array', items: shape(FAILED_COMMAND_PROPERTIES) },
      paused_lines: { type: 'array', items: shape(PAUSED_LINE_PROPERTIES) },
    }),
  },
  'sandbox-group-changes.json': {
    ...fileHeader(
      'reads/sandbox-group-changes.json',
      'GET /__sandbox/groups/{group_id}/changes (sandbox only)',
      "A group's member and name changes from the sandbox's event log; events is false when the log is off.",
    ),
    ...shape({ changes: { type: 'array', items: GROUP_CHANGE }, events: { type: 'boolean' } }),
  },
  'sandbox-events.json': {
    ...fileHeader(
      'reads/sandbox-events.json',
      'GET /__sandbox/events (sandbox only)',
      'The events published so far, as EventBridge envelopes; ?after=<last_seq> for later ones.',
    ),
    ...shape({
      events: { type: 'array', items: { oneOf: Object.values(EVENT_ENVELOPES) } },
      last_seq: { type: 'integer', minimum: 0 },
    }),
  },
};
