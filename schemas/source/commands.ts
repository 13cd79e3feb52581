/**
 * The command schemas: one per command type, and their union (`command.json`). Every limit and list
 * comes from the contract (lambdas/contract/*), the same values `validateCommand` checks; what a
 * pattern cannot say exactly is in schemas/README.md ("Where the schema and the sender differ").
 */
import { COMMAND_ID, type CommandType } from '../../lambdas/contract/commands.js';
import { CONTROL_CHARACTER, MAX_ID_CHARS } from '../../lambdas/contract/ids.js';
import {
  LOOPBACK_HOSTNAMES,
  MAX_CONTENT_CHARS,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_NAME_CHARS,
  MAX_PART_INDEX,
  MAX_URL_CHARS,
  MEDIA_EXTENSION,
  MODIFY_TYPES,
  REACTIONS,
  SEND_STYLES,
} from '../../lambdas/contract/sendblue-rules.js';
import {
  e164,
  fileHeader,
  LINE_BREAK,
  LONE_SURROGATE,
  NOT_BLANK,
  type Schema,
  utf16Length,
  wholeString,
} from './common.js';

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });

/** Text people write (content, a group name): not blank, valid Unicode, at most `max` characters. */
const text = (description: string, maxCodePoints: number): Schema => ({
  type: 'string',
  description,
  maxLength: maxCodePoints,
  pattern: NOT_BLANK,
  not: { type: 'string', pattern: LONE_SURROGATE },
});

// URLs. The sender parses with WHATWG URL, which also takes odd spellings (`https:host`, a tab in the
// middle, `\` for `/`, IDN hosts, IPv6); the schema takes one plain ASCII form of them, every one of
// which the sender takes too (README: "Where the schema and the sender differ").
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** The last label starts with a letter: WHATWG reads a numeric last label as an IPv4 address. */
const TOP_LABEL = '[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const HOST = `(?:(?:${LABEL}\\.)*${TOP_LABEL}|${OCTET}(?:\\.${OCTET}){3})`;
const PORT = '(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?';
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LOOPBACK = `(?:${LOOPBACK_HOSTNAMES.map(escapeRegex).join('|')})`;
const ORIGIN = `(?:https://${HOST}|http://${LOOPBACK})${PORT}`;
/** A path segment's characters: printable ASCII but `/`, `?`, `#` and `\`. */
const SEGMENT = '[\\u0021\\u0022\\u0024-\\u002e\\u0030-\\u003e\\u0040-\\u005b\\u005d-\\u007e]';
/** Query and fragment: printable ASCII but `\`. */
const QUERY_AND_FRAGMENT = '(?:[?#][\\u0021-\\u005b\\u005d-\\u007e]*)?';
const EXTENSION = MEDIA_EXTENSION.source.replace(/\$$/, '');
/** Punycode (`xn--`) labels are left out: only a full IDNA decoding can tell a valid one. */
const NOT_IN_URL = `${LINE_BREAK}|^https?://(?:[^/?#]*\\.)?[xX][nN]--`;

const url = (description: string, pattern: string): Schema => ({
  type: 'string',
  description,
  maxLength: MAX_URL_CHARS,
  pattern,
  not: { type: 'string', pattern: NOT_IN_URL },
});

/** The definitions every command schema carries (each file stands alone: no reference leaves it). */
export const COMMAND_DEFS: Record<string, Schema> = {
  command_id: {
    type: 'string',
    description:
      'The idempotency key: 1-128 printable ASCII characters, no spaces (like an SQS deduplication id). Default: the SQS deduplication id.',
    ...wholeString(COMMAND_ID),
  },
  id: {
    type: 'string',
    description: `A group id or message handle: 1 to ${MAX_ID_CHARS} UTF-16 code units (an emoji counts 2), not blank, no control characters, valid Unicode.`,
    minLength: 1,
    pattern: NOT_BLANK,
    not: { type: 'string', pattern: `${CONTROL_CHARACTER.source}|${LONE_SURROGATE}` },
    ...utf16Length(MAX_ID_CHARS),
  },
  e164: e164(),
  content: text(
    `The message text: not blank, valid Unicode, under ${MAX_CONTENT_CHARS} characters (code points: an emoji is one).`,
    MAX_CONTENT_CHARS - 1,
  ),
  group_name: text(
    `The new name: not blank, valid Unicode, at most ${MAX_GROUP_NAME_CHARS} characters.`,
    MAX_GROUP_NAME_CHARS,
  ),
  callable_url: url(
    `A URL we may call: https, or plain http on ${LOOPBACK_HOSTNAMES.join(', ')} (the sandbox); no credentials; at most ${MAX_URL_CHARS} characters.`,
    `^${ORIGIN}(?:/${SEGMENT}*)*${QUERY_AND_FRAGMENT}$`,
  ),
  media_url: url(
    'A public file URL (as callable_url) whose last path segment ends in a file extension such as .jpg or .png.',
    `^${ORIGIN}(?:/${SEGMENT}*)*/${SEGMENT}*${EXTENSION}${QUERY_AND_FRAGMENT}$`,
  ),
};

const SEND_GROUP_MESSAGE: Schema = {
  type: 'object',
  description:
    'Send a message to a group: to an existing group by group_id, or to new members by numbers (Sendblue makes the group). numbers or group_id; content or media_url.',
  required: ['type'],
  properties: {
    type: { const: 'send_group_message' },
    command_id: ref('command_id'),
    group_id: ref('id'),
    numbers: {
      type: 'array',
      description: `The members (our line not counted): E.164, no repeats, at most ${MAX_GROUP_MEMBERS}.`,
      minItems: 1,
      maxItems: MAX_GROUP_MEMBERS,
      uniqueItems: true,
      items: ref('e164'),
    },
    content: ref('content'),
    media_url: ref('media_url'),
    send_style: { description: "One of Sendblue's expressive styles.", enum: [...SEND_STYLES] },
    from_number: { ...ref('e164'), description: "The Sendblue line to send from. Default: the stack's line." },
    status_callback: {
      ...ref('callable_url'),
      description: 'Your own URL: each status event of this message is relayed there after it is stored.',
    },
  },
  additionalProperties: false,
  allOf: [
    { anyOf: [{ required: ['numbers'] }, { required: ['group_id'] }] },
    { anyOf: [{ required: ['content'] }, { required: ['media_url'] }] },
  ],
};

const CHANGES = MODIFY_TYPES.filter((type) => type !== 'leave');

const MODIFY_GROUP: Schema = {
  type: 'object',
  description: `Change a group: ${CHANGES.join(', ')}. rename needs name (and no number); the others need number (and no name). "leave" is refused: Sendblue has no endpoint for it.`,
  required: ['type', 'group_id', 'modify_type'],
  properties: {
    type: { const: 'modify_group' },
    command_id: ref('command_id'),
    group_id: ref('id'),
    modify_type: { enum: CHANGES },
    number: { ...ref('e164'), description: 'The member to add or remove.' },
    name: ref('group_name'),
    from_number: { ...ref('e164'), description: "The Sendblue line to act from. Default: the stack's line." },
  },
  additionalProperties: false,
  // Two cases, told apart by modify_type (oneOf rather than if/then/else: plainer for code generators).
  oneOf: [
    {
      properties: { modify_type: { const: 'rename' } },
      required: ['name'],
      not: { required: ['number'] },
    },
    {
      properties: { modify_type: { enum: CHANGES.filter((type) => type !== 'rename') } },
      required: ['number'],
      not: { required: ['name'] },
    },
  ],
};

const SEND_REACTION: Schema = {
  type: 'object',
  description:
    "Send a tapback from one of our lines on a message (Sendblue's POST /api/send-reaction). Sendblue cannot be asked whether it took one, so a call that may have reached it is never repeated: the command then ends unknown.",
  required: ['type', 'message_handle', 'reaction'],
  properties: {
    type: { const: 'send_reaction' },
    command_id: ref('command_id'),
    message_handle: { ...ref('id'), description: "Sendblue's message_handle of the message to react to." },
    reaction: { description: "One of Sendblue's tapbacks.", enum: [...REACTIONS] },
    part_index: {
      type: 'integer',
      description: 'Which part of a multi-part message (text and pictures). Default 0.',
      minimum: 0,
      maximum: MAX_PART_INDEX,
    },
    from_number: { ...ref('e164'), description: "The Sendblue line to react from. Default: the stack's line." },
  },
  additionalProperties: false,
};

const SET_CONTACT_OPT: Schema = {
  type: 'object',
  description:
    'Mark a contact opted out (opted_out true) or back in (false) in the contacts ledger. No Sendblue call (Sendblue has no opt-out API); dated when it is queued, so a STOP or START the number texts later still wins. One of our own lines is refused (failed).',
  required: ['type', 'number', 'opted_out'],
  properties: {
    type: { const: 'set_contact_opt' },
    command_id: ref('command_id'),
    number: { ...ref('e164'), description: 'The contact.' },
    opted_out: {
      type: 'boolean',
      description: 'true: opted out (kept from new groups by pre-flight); false: back in.',
    },
  },
  additionalProperties: false,
};

/**
 * Every command type and its schema. Typed by CommandType: a command added to the contract's
 * GroupCommand union does not compile until it has a schema here (schemas/README.md).
 */
export const COMMAND_TYPE_SCHEMAS: Record<CommandType, Schema> = {
  send_group_message: SEND_GROUP_MESSAGE,
  modify_group: MODIFY_GROUP,
  send_reaction: SEND_REACTION,
  set_contact_opt: SET_CONTACT_OPT,
};

/** `commands/<type>.json`: one command type, standing alone. */
export function commandTypeFile(type: CommandType): Schema {
  return {
    ...fileHeader(`commands/${type}.json`, type, `The SQS message body of a ${type} command (sendblue-groups).`),
    ...COMMAND_TYPE_SCHEMAS[type],
    $defs: COMMAND_DEFS,
  };
}

/** `command.json`: any command (the body of a message on the command queue). */
export function commandUnionFile(): Schema {
  const types = Object.keys(COMMAND_TYPE_SCHEMAS) as CommandType[];
  return {
    ...fileHeader(
      'command.json',
      'command',
      `The SQS message body of any command on the sendblue-groups command queue: ${types.join(', ')}.`,
    ),
    type: 'object',
    required: ['type'],
    properties: { type: { enum: types } },
    oneOf: types.map((type) => ref(type)),
    $defs: { ...COMMAND_DEFS, ...COMMAND_TYPE_SCHEMAS },
  };
}
