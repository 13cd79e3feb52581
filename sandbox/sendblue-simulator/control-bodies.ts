/**
 * The bodies of the control endpoints that make members write, react and opt out and that switch
 * lines: each check names what is wrong, so a shell user sees why a call was refused.
 */
import {
  isE164,
  isLineStatus,
  isReaction,
  LINE_STATUSES,
  type LineStatus,
  REACTIONS,
  type Reaction,
} from '../../lambdas/contract/sendblue-rules.js';
import { decodeSegment } from './http-util.js';
import type { MemberMessage, MemberReaction } from './types.js';

export type ControlAnswer =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; status: number; message: string };
type Checked<T> = ({ ok: true } & T) | { ok: false; error: string };

export const failure = (message: string, status = 400): ControlAnswer => ({ ok: false, status, message });

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const absent = (value: unknown): value is null | undefined => value === undefined || value === null;

/** `lines/<number>/<action>` routes: the line (percent-decoded; a `+` may be typed as is) and `METHOD action`. */
export function lineRoute(route: string): { line: string | undefined; action: string } | undefined {
  const match = /^(GET|POST|PUT|DELETE) lines\/([^/]+)\/([a-z-]+)$/.exec(route);
  if (!match) return undefined;
  return { line: decodeSegment(match[2] as string), action: `${match[1]} ${match[3]}` };
}

/** `{group_id, content?, media_url?, from_number?}`: a member writes (from_number: which one). */
export function checkReply(body: unknown): Checked<{ groupId: string; message: MemberMessage }> {
  const fields = isObject(body) ? body : {};
  const { group_id: groupId, content, media_url: mediaUrl, from_number: from } = fields;
  if (typeof groupId !== 'string' || !groupId) return { ok: false, error: 'group_id is required' };
  if (!absent(content) && typeof content !== 'string') return { ok: false, error: 'content must be a string' };
  if (!absent(mediaUrl) && typeof mediaUrl !== 'string') return { ok: false, error: 'media_url must be a string' };
  if (!absent(from) && !isE164(from)) return { ok: false, error: 'from_number must be a member, in E.164' };
  return {
    ok: true,
    groupId,
    message: {
      ...(typeof content === 'string' ? { content } : {}),
      ...(typeof mediaUrl === 'string' ? { mediaUrl } : {}),
      ...(typeof from === 'string' ? { from } : {}),
    },
  };
}

/** `{message_handle, reaction, from_number?, part_index?}`: a member taps back on a message. */
export function checkReact(body: unknown): Checked<{ handle: string; reaction: Reaction; options: MemberReaction }> {
  const fields = isObject(body) ? body : {};
  const { message_handle: handle, reaction, from_number: from, part_index: partIndex } = fields;
  if (typeof handle !== 'string' || !handle) return { ok: false, error: 'message_handle is required' };
  if (!isReaction(reaction)) return { ok: false, error: `reaction must be one of ${REACTIONS.join(', ')}` };
  if (!absent(from) && !isE164(from)) return { ok: false, error: 'from_number must be a member, in E.164' };
  if (!absent(partIndex) && !(Number.isInteger(partIndex) && (partIndex as number) >= 0))
    return { ok: false, error: 'part_index must be a non-negative integer' };
  return {
    ok: true,
    handle,
    reaction,
    options: {
      ...(typeof from === 'string' ? { from } : {}),
      ...(typeof partIndex === 'number' ? { partIndex } : {}),
    },
  };
}

/** `{number, opted_out?}` (as Sendblue's contacts/opt-out): opted_out defaults to true. */
export function checkOptOut(body: unknown): Checked<{ number: string; optedOut: boolean }> {
  const fields = isObject(body) ? body : {};
  const { number, opted_out: optedOut } = fields;
  if (!isE164(number)) return { ok: false, error: 'number must be an E.164 phone number' };
  if (!absent(optedOut) && typeof optedOut !== 'boolean')
    return { ok: false, error: 'opted_out must be true or false' };
  return { ok: true, number, optedOut: optedOut !== false };
}

/** `{state}` (`status` is accepted too, the field's name in lines/state). */
export function checkLineState(body: unknown): Checked<{ state: LineStatus }> {
  const fields = isObject(body) ? body : {};
  const state = fields.state ?? fields.status;
  if (!isLineStatus(state)) return { ok: false, error: `state must be one of ${LINE_STATUSES.join(', ')}` };
  return { ok: true, state };
}
