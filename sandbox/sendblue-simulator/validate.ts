/**
 * Sendblue's request rules for group sends, group changes and renames. Each check names the
 * field it is about; the rule values come from lambdas/contract/sendblue-rules.ts.
 */
import {
  characterCount,
  checkCallableUrl,
  checkMediaUrl,
  isE164,
  isSendStyle,
  MAX_CONTENT_CHARS,
  MAX_GROUP_MEMBERS,
  SEND_STYLES,
} from '../../lambdas/contract/sendblue-rules.js';

export interface ApiError {
  status: number;
  /** Machine-readable reason, e.g. `line_not_registered`. */
  error: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const invalid = (message: string, error = 'validation_error'): { ok: false; error: ApiError } => ({
  ok: false,
  error: { status: 400, error, message },
});

const absent = (value: unknown): value is undefined | null => value === undefined || value === null;
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The message when a send names no line. */
export const FROM_NUMBER_REQUIRED = 'from_number is required: one of your Sendblue lines in E.164 format';

/** `from_number`: required for sends, optional elsewhere; when given it must be one of the account's lines. */
function checkLine(value: unknown, lines: readonly string[], required: boolean): Checked<string | undefined> {
  if (absent(value) || value === '') {
    return required ? invalid(FROM_NUMBER_REQUIRED) : { ok: true, value: undefined };
  }
  if (typeof value !== 'string' || !lines.includes(value)) {
    return invalid('line_not_registered: from_number must be one of your Sendblue lines', 'line_not_registered');
  }
  return { ok: true, value };
}

export interface SendInput {
  /** Absent only with a group_id: the group decides (ambiguous_sending_line when it has several lines). */
  fromNumber?: string;
  numbers?: string[];
  groupId?: string;
  content: string;
  mediaUrl: string;
  sendStyle: string;
  statusCallback?: string;
  replyTo?: { message_handle: string; part_index?: number };
}

export function checkSend(body: unknown, lines: readonly string[]): Checked<SendInput> {
  if (!isObject(body)) return invalid('body must be a JSON object');
  const { numbers, group_id: groupId, content, media_url: mediaUrl, send_style: sendStyle } = body;
  // Required (the SDK says so), but a send to a group_id learns first whether the group makes it ambiguous.
  const line = checkLine(body.from_number, lines, absent(groupId));
  if (!line.ok) return line;

  let members: string[] | undefined;
  if (!absent(numbers)) {
    if (!Array.isArray(numbers) || numbers.length === 0)
      return invalid('numbers must be a non-empty array of E.164 phone numbers');
    const bad = numbers.findIndex((number) => !isE164(number));
    if (bad !== -1) return invalid(`numbers[${bad}] must be an E.164 phone number such as +14155550123`);
    members = [...new Set(numbers as string[])];
    if (members.length > MAX_GROUP_MEMBERS)
      return invalid(`numbers must hold at most ${MAX_GROUP_MEMBERS} distinct numbers`);
  }
  if (!absent(groupId) && (typeof groupId !== 'string' || groupId.trim() === '')) {
    return invalid('group_id must be a non-empty string');
  }
  if (!members && absent(groupId)) return invalid('numbers or group_id is required');

  if (!absent(content) && typeof content !== 'string') return invalid('content must be a string');
  if (typeof content === 'string' && characterCount(content) >= MAX_CONTENT_CHARS) {
    return invalid(`content must be under ${MAX_CONTENT_CHARS} characters`);
  }
  if (!absent(mediaUrl) && mediaUrl !== '') {
    if (typeof mediaUrl !== 'string') return invalid('media_url must be a string');
    const problem = checkMediaUrl(mediaUrl);
    if (problem) return invalid(`media_url ${problem}`);
  }
  if (!content && !mediaUrl) return invalid('content or media_url is required');

  if (!absent(sendStyle) && sendStyle !== '' && !isSendStyle(sendStyle)) {
    return invalid(`send_style must be one of ${SEND_STYLES.join(', ')}`);
  }
  const statusCallback = body.status_callback;
  if (!absent(statusCallback) && statusCallback !== '') {
    if (typeof statusCallback !== 'string') return invalid('status_callback must be a string');
    const problem = checkCallableUrl(statusCallback);
    if (problem) return invalid(`status_callback ${problem}`);
  }
  const replyTo = checkReplyTo(body.reply_to);
  if (!replyTo.ok) return replyTo;

  return {
    ok: true,
    value: {
      ...(line.value ? { fromNumber: line.value } : {}),
      ...(members ? { numbers: members } : {}),
      ...(typeof groupId === 'string' ? { groupId } : {}),
      content: (content as string | undefined) ?? '',
      mediaUrl: (mediaUrl as string | undefined) ?? '',
      sendStyle: (sendStyle as string | undefined) ?? '',
      ...(typeof statusCallback === 'string' && statusCallback ? { statusCallback } : {}),
      ...(replyTo.value ? { replyTo: replyTo.value } : {}),
    },
  };
}

function checkReplyTo(value: unknown): Checked<SendInput['replyTo']> {
  if (absent(value)) return { ok: true, value: undefined };
  if (!isObject(value) || typeof value.message_handle !== 'string' || !value.message_handle) {
    return invalid('reply_to must be an object with a message_handle');
  }
  const part = value.part_index;
  if (!absent(part) && !(Number.isInteger(part) && (part as number) >= 0)) {
    return invalid('reply_to.part_index must be a non-negative integer');
  }
  return {
    ok: true,
    value: { message_handle: value.message_handle, ...(absent(part) ? {} : { part_index: part as number }) },
  };
}

export interface ModifyInput {
  groupId: string;
  modifyType: 'add_recipient' | 'remove_recipient';
  number: string;
  fromNumber?: string;
}

export function checkModify(body: unknown, lines: readonly string[]): Checked<ModifyInput> {
  if (!isObject(body)) return invalid('body must be a JSON object');
  const { group_id: groupId, modify_type: modifyType, number } = body;
  if (typeof groupId !== 'string' || groupId.trim() === '') return invalid('group_id is required');
  if (modifyType !== 'add_recipient' && modifyType !== 'remove_recipient') {
    return invalid('modify_type must be add_recipient or remove_recipient');
  }
  if (!isE164(number)) return invalid('number must be an E.164 phone number such as +14155550123');
  const line = checkLine(body.from_number, lines, false);
  if (!line.ok) return line;
  return { ok: true, value: { groupId, modifyType, number, ...(line.value ? { fromNumber: line.value } : {}) } };
}

export interface RenameInput {
  /** null clears the name. */
  name: string | null;
  fromNumber?: string;
}

export function checkRename(body: unknown, lines: readonly string[]): Checked<RenameInput> {
  if (!isObject(body)) return invalid('body must be a JSON object');
  const name = body.group_name;
  if (name === undefined) return invalid('group_name is required (null or "" clears the name)');
  if (name !== null && typeof name !== 'string') return invalid('group_name must be a string or null');
  if (typeof name === 'string' && name !== '' && name.trim() === '')
    return invalid('group_name must not be only whitespace');
  const line = checkLine(body.from_number, lines, false);
  if (!line.ok) return line;
  return { ok: true, value: { name: name ? name : null, ...(line.value ? { fromNumber: line.value } : {}) } };
}
