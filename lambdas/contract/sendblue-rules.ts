/**
 * Sendblue's own rules for group sends and changes (docs/sendblue-api.md), in one place: the command
 * validator, the producer client and the simulator all check the same values.
 */

/** Sendblue's API (docs/sendblue-api.md): the stack's `sendblueBaseUrl` default and the SDK's. */
export const SENDBLUE_DEFAULT_BASE_URL = 'https://api.sendblue.co';

/**
 * E.164: a plus, a non-zero country digit, at most 15 digits in all. `[0-9]` rather than `\d`: the
 * JSON Schemas (schemas/) reuse this pattern, and `\d` takes other scripts' digits in Python.
 */
export const E164 = /^\+[1-9][0-9]{6,14}$/;
export const isE164 = (value: unknown): value is string => typeof value === 'string' && E164.test(value);

/** People in a group, our line excluded. */
export const MAX_GROUP_MEMBERS = 25;
/** `content` must be under this many characters. */
export const MAX_CONTENT_CHARS = 18_996;
/**
 * Characters as people count them: Unicode code points, so an emoji is one character (JavaScript's
 * `length` would count it as two UTF-16 units).
 */
export const characterCount = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};
export const MAX_URL_CHARS = 2_048;
/** Longest group name we accept for a rename (Apple truncates long names; Sendblue documents none). */
export const MAX_GROUP_NAME_CHARS = 256;

export const SEND_STYLES = [
  'celebration',
  'shooting_star',
  'fireworks',
  'lasers',
  'love',
  'confetti',
  'balloons',
  'spotlight',
  'echo',
  'invisible',
  'gentle',
  'loud',
  'slam',
] as const;
export type SendStyle = (typeof SEND_STYLES)[number];
export const isSendStyle = (value: unknown): value is SendStyle =>
  typeof value === 'string' && (SEND_STYLES as readonly string[]).includes(value);

/**
 * Sendblue's tapback reactions (`POST /api/send-reaction`, docs.sendblue.com/api-v2/reactions):
 * heart, thumbs up, thumbs down, ha ha, double exclamation, question mark.
 */
export const REACTIONS = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'] as const;
export type Reaction = (typeof REACTIONS)[number];
export const isReaction = (value: unknown): value is Reaction =>
  typeof value === 'string' && (REACTIONS as readonly string[]).includes(value);
/**
 * The highest `part_index` we accept (ours: Sendblue says only "a non-negative integer"; a message
 * has a few parts, text and pictures, so a larger number is a mistake, not a part).
 */
export const MAX_PART_INDEX = 1_000;

/**
 * A message that is exactly one of these (trimmed, any case) opts its writer out of the account's
 * messages; Sendblue then suppresses sends to that number until it writes START
 * (support.sendblue.com, "How does the Opt-Out feature work?").
 */
export const OPT_OUT_KEYWORDS = ['STOP', 'QUIT', 'END', 'REVOKE', 'OPT OUT', 'CANCEL', 'UNSUBSCRIBE'] as const;
export const OPT_IN_KEYWORDS = ['START'] as const;

/**
 * What a member's message does to their opt-out: the whole text, trimmed, any case, runs of
 * spaces as one ("Opt  out" counts; "stop please" or "STOP." do not: a keyword, not a sentence).
 */
export function optOutKeyword(text: string): 'opt-out' | 'opt-in' | undefined {
  const word = text.trim().replace(/\s+/g, ' ').toUpperCase();
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'opt-out';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'opt-in';
  return undefined;
}

/**
 * New contacts a line may take (a number it never messaged before): Sendblue's line usage example
 * and limits page (docs.sendblue.com/api-v2/line-usage, /limits) show 15 an hour and 50 a day;
 * the day resets at 3am Eastern. Accounts may differ: read `GET /api/v2/lines/usage`.
 */
export const NEW_CONTACT_LIMITS = { perHour: 15, perDay: 50 } as const;

/** A line's health in `GET /api/v2/lines/state` (SDK 3.17 `client.lines.getState`; it also knows UNKNOWN). */
export const LINE_STATUSES = ['ONLINE', 'DEGRADED', 'OFFLINE'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];
export const isLineStatus = (value: unknown): value is LineStatus =>
  typeof value === 'string' && (LINE_STATUSES as readonly string[]).includes(value);
/** Webhook types Sendblue knows (SDK 3.17); `cli setup` still shows a listed type outside this list. */
export const WEBHOOK_TYPES = [
  'receive',
  'outbound',
  'typing_indicator',
  'call_log',
  'line_blocked',
  'line_assigned',
  'contact_created',
  'inbound_call',
  'contact_profile',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** Sendblue's modify types plus the two this product adds (`rename` maps to the v2 name endpoint). */
export const MODIFY_TYPES = ['add_recipient', 'remove_recipient', 'rename', 'leave'] as const;
export type ModifyType = (typeof MODIFY_TYPES)[number];

/** `remove_recipient` needs a group of at least this many members (our line included) before the change. */
export const MIN_MEMBERS_FOR_REMOVE = 4;

/** The only hosts plain http may name (the sandbox on this machine), as `URL.hostname` writes them. */
export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;
const LOOPBACK_HOSTS = new Set<string>(LOOPBACK_HOSTNAMES);

/**
 * A URL Sendblue or our relay may call: https anywhere, plain http only on loopback (the sandbox).
 * Returns the reason when it is not acceptable.
 */
export function checkCallableUrl(value: string): string | undefined {
  if (value.length > MAX_URL_CHARS) return `must be at most ${MAX_URL_CHARS} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must be https (plain http only for localhost)';
}

/** How the last path segment of a media URL ends: a file extension. */
export const MEDIA_EXTENSION = /\.[A-Za-z0-9]{2,5}$/;

/** Media must be a public file URL whose last path segment has a file extension (Sendblue infers the type from it). */
export function checkMediaUrl(value: string): string | undefined {
  const problem = checkCallableUrl(value);
  if (problem) return problem;
  const lastSegment = new URL(value).pathname.split('/').pop() ?? '';
  if (!MEDIA_EXTENSION.test(lastSegment)) return 'must end in a file extension such as .jpg or .png';
  return undefined;
}
