import { createHash } from 'node:crypto';
import { hasLoneSurrogate, idProblem } from './ids.js';
import { isPartIndex } from './reactions.js';
import {
  characterCount,
  checkCallableUrl,
  checkMediaUrl,
  isE164,
  isReaction,
  isSendStyle,
  MAX_CONTENT_CHARS,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_NAME_CHARS,
  MAX_PART_INDEX,
  MODIFY_TYPES,
  REACTIONS,
  type ModifyType,
  type Reaction,
  type SendStyle,
} from './sendblue-rules.js';

/**
 * The commands producers put on the queue (docs/contract.md §5) and the one validator the sender and
 * the producer client share. Field names follow Sendblue's.
 */
export interface SendGroupMessageCommand {
  type: 'send_group_message';
  command_id?: string;
  group_id?: string;
  numbers?: string[];
  content?: string;
  media_url?: string;
  send_style?: SendStyle;
  from_number?: string;
  status_callback?: string;
}

export interface ModifyGroupCommand {
  type: 'modify_group';
  command_id?: string;
  group_id: string;
  modify_type: Exclude<ModifyType, 'leave'>;
  number?: string;
  name?: string;
  from_number?: string;
}

/**
 * A tapback from one of our lines on a message (Sendblue's `POST /api/send-reaction`). It names the
 * message, not the group: the producer's MessageGroupId is the message's group when it knows it
 * (fifo-group.ts). Sendblue returns no handle for a tapback and lists none, so an unclear call is
 * never repeated (sending/reaction-attempt.ts).
 */
export interface SendReactionCommand {
  type: 'send_reaction';
  command_id?: string;
  message_handle: string;
  reaction: Reaction;
  /** Which part of a multi-part message (text and pictures): Sendblue's default is 0. */
  part_index?: number;
  from_number?: string;
}

/**
 * An operator's word on a contact: opted out (`opted_out: true`) or back in (`false`). No Sendblue
 * call (Sendblue has no opt-out API): the sender writes the contacts ledger, dated when the command
 * was queued, so a later STOP or START from the number itself still wins (sending/contact-opt.ts,
 * docs/sending.md "Contact opt-outs"). Our own lines are refused.
 */
export interface SetContactOptCommand {
  type: 'set_contact_opt';
  command_id?: string;
  number: string;
  opted_out: boolean;
}

export type GroupCommand = SendGroupMessageCommand | ModifyGroupCommand | SendReactionCommand | SetContactOptCommand;
export type CommandType = GroupCommand['type'];
/** The commands that call Sendblue (every type but set_contact_opt, which only writes the contacts ledger). */
export type SendblueCommand = Exclude<GroupCommand, SetContactOptCommand>;

/**
 * The group a command names itself (a send_reaction names a message; its group is learnt when it
 * is sent; a set_contact_opt names a contact, no group).
 */
export const groupIdOf = (command: GroupCommand): string | undefined =>
  command.type === 'send_reaction' || command.type === 'set_contact_opt' ? undefined : command.group_id;

export type CommandValidation = { ok: true; command: GroupCommand } | { ok: false; error: string };

/** Like an SQS deduplication id: 1–128 printable ASCII characters, no spaces. */
export const COMMAND_ID = /^[\x21-\x7E]{1,128}$/;

const SEND_FIELDS = [
  'type',
  'command_id',
  'group_id',
  'numbers',
  'content',
  'media_url',
  'send_style',
  'from_number',
  'status_callback',
];
const MODIFY_FIELDS = ['type', 'command_id', 'group_id', 'modify_type', 'number', 'name', 'from_number'];
const REACTION_FIELDS = ['type', 'command_id', 'message_handle', 'reaction', 'part_index', 'from_number'];
const CONTACT_OPT_FIELDS = ['type', 'command_id', 'number', 'opted_out'];
const FIELDS: Record<CommandType, string[]> = {
  send_group_message: SEND_FIELDS,
  modify_group: MODIFY_FIELDS,
  send_reaction: REACTION_FIELDS,
  set_contact_opt: CONTACT_OPT_FIELDS,
};
export const COMMAND_TYPES = Object.keys(FIELDS) as CommandType[];
const isCommandType = (value: unknown): value is CommandType =>
  typeof value === 'string' && Object.hasOwn(FIELDS, value);

/** Checks a parsed body; every problem is reported at once, each naming its field. */
export function validateCommand(input: unknown): CommandValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'a command must be a JSON object' };
  }
  const body = input as Record<string, unknown>;
  if (!isCommandType(body.type)) {
    const names = COMMAND_TYPES.map((type) => `"${type}"`);
    return { ok: false, error: `type must be ${names.slice(0, -1).join(', ')} or ${names.at(-1)}` };
  }
  const problems: string[] = [];
  const allowed = FIELDS[body.type];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) problems.push(`unknown field "${key.slice(0, 64)}" for ${body.type}`);
  }
  if (body.command_id !== undefined && !(typeof body.command_id === 'string' && COMMAND_ID.test(body.command_id))) {
    problems.push('command_id must be 1-128 printable characters without spaces');
  }
  // The same id rule as webhooks and reads (ids.ts), so a group a command names can be read back.
  checkOptional(body, 'group_id', problems, idProblem);
  checkOptional(body, 'from_number', problems, (v) =>
    isE164(v) ? undefined : 'must be an E.164 number such as +15551230001',
  );

  if (body.type === 'send_group_message') validateSend(body, problems);
  else if (body.type === 'modify_group') validateModify(body, problems);
  else if (body.type === 'send_reaction') validateReaction(body, problems);
  else validateContactOpt(body, problems);

  if (problems.length) return { ok: false, error: problems.join('; ') };
  return { ok: true, command: body as unknown as GroupCommand };
}

function validateSend(body: Record<string, unknown>, problems: string[]): void {
  if (body.numbers === undefined && body.group_id === undefined) problems.push('numbers or group_id is required');
  if (body.numbers !== undefined) {
    const numbers = body.numbers;
    if (!Array.isArray(numbers) || numbers.length === 0) {
      problems.push('numbers must be a non-empty array of E.164 numbers');
    } else {
      const bad = numbers.filter((n) => !isE164(n));
      if (bad.length)
        problems.push(
          `numbers must be E.164 (such as +15551230001): ${bad
            .slice(0, 3)
            .map((n) => JSON.stringify(n).slice(0, 24))
            .join(', ')}`,
        );
      if (new Set(numbers).size !== numbers.length) problems.push('numbers must not repeat a number');
      if (numbers.length > MAX_GROUP_MEMBERS)
        problems.push(`numbers may hold at most ${MAX_GROUP_MEMBERS} members (got ${numbers.length})`);
    }
  }
  if (body.content === undefined && body.media_url === undefined) problems.push('content or media_url is required');
  checkOptional(body, 'content', problems, (v) => {
    if (!v.trim()) return 'must not be empty';
    if (hasLoneSurrogate(v)) return 'must be valid Unicode text (it has a lone surrogate)';
    return characterCount(v) < MAX_CONTENT_CHARS ? undefined : `must be under ${MAX_CONTENT_CHARS} characters`;
  });
  checkOptional(body, 'media_url', problems, checkMediaUrl);
  checkOptional(body, 'status_callback', problems, checkCallableUrl);
  if (body.send_style !== undefined && !isSendStyle(body.send_style)) {
    problems.push("send_style must be one of Sendblue's styles (celebration, confetti, slam, ...)");
  }
}

function validateModify(body: Record<string, unknown>, problems: string[]): void {
  if (body.group_id === undefined) problems.push('group_id is required');
  const modifyType = body.modify_type;
  if (!MODIFY_TYPES.includes(modifyType as ModifyType)) {
    problems.push(`modify_type must be one of ${MODIFY_TYPES.join(', ')}`);
    return;
  }
  if (modifyType === 'leave') {
    problems.push('modify_type "leave" cannot be done: Sendblue has no endpoint to leave a group, so nothing was sent');
    return;
  }
  if (modifyType === 'rename') {
    if (body.number !== undefined) problems.push('number is not used by rename');
    if (typeof body.name !== 'string' || !body.name.trim())
      problems.push('name is required for rename and must not be blank');
    else if (characterCount(body.name) > MAX_GROUP_NAME_CHARS)
      problems.push(`name must be at most ${MAX_GROUP_NAME_CHARS} characters`);
    else if (hasLoneSurrogate(body.name)) problems.push('name must be valid Unicode text (it has a lone surrogate)');
    return;
  }
  if (body.name !== undefined) problems.push(`name is only used by rename, not ${modifyType}`);
  if (!isE164(body.number))
    problems.push(`number is required for ${modifyType} and must be E.164 (such as +15551230003)`);
}

function validateReaction(body: Record<string, unknown>, problems: string[]): void {
  // The same id rule as webhooks and reads: the handle is read back (GET /messages/{handle}).
  if (body.message_handle === undefined) problems.push('message_handle is required (the message to react to)');
  else checkOptional(body, 'message_handle', problems, idProblem);
  if (!isReaction(body.reaction)) problems.push(`reaction must be one of ${REACTIONS.join(', ')}`);
  if (body.part_index !== undefined && !isPartIndex(body.part_index))
    problems.push(`part_index must be a whole number from 0 to ${MAX_PART_INDEX}`);
}

function validateContactOpt(body: Record<string, unknown>, problems: string[]): void {
  if (body.number === undefined) problems.push('number is required (the contact to opt out or back in)');
  else if (!isE164(body.number)) problems.push('number must be an E.164 number such as +15551230001');
  if (body.opted_out === undefined)
    problems.push('opted_out is required: true to opt the contact out, false to opt it back in');
  else if (typeof body.opted_out !== 'boolean') problems.push('opted_out must be true or false (a JSON boolean)');
}

function checkOptional(
  body: Record<string, unknown>,
  field: string,
  problems: string[],
  check: (value: string) => string | undefined,
): void {
  const value = body[field];
  if (value === undefined) return;
  const problem = typeof value === 'string' ? check(value) : 'must be a string';
  if (problem) problems.push(`${field} ${problem}`);
}

/**
 * A digest of what the command asks for (its id left out), stored in the ledger: a producer
 * that reuses a command_id for a different command is told so instead of silently ignored.
 */
export function commandFingerprint(command: GroupCommand): string {
  const { command_id: _ignored, ...rest } = command as GroupCommand & { numbers?: string[] };
  if (rest.numbers) rest.numbers = [...rest.numbers].sort(); // the same members in another order are the same group
  const canonical = JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((key) => [key, (rest as Record<string, unknown>)[key]]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
