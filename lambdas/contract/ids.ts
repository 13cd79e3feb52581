/**
 * The one rule for ids that become table keys: `message_handle` and `group_id` in webhooks and
 * commands, and every id read back through the API (groups, messages, commands). One rule, checked
 * at the door, so that nothing can be stored that cannot be read back.
 *
 * 256 characters as JavaScript counts them (UTF-16 code units: an emoji counts 2). That bounds an
 * id to 768 UTF-8 bytes, so every key built from it (`MSG#<id>`, `<date>#<id>`) stays under
 * DynamoDB's 1,024-byte sort-key limit.
 */
export const MAX_ID_CHARS = 256;

// A high surrogate not followed by a low one, or a low one not preceded by a high one. Such a
// string is not Unicode text: it cannot be URL-encoded, and UTF-8 storage turns it into another
// character, so two different ids could land on the same key.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls, DEL and C1 controls: invisible, and they break URLs and log lines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export const hasLoneSurrogate = (text: string): boolean => LONE_SURROGATE.test(text);

/** What is wrong with an id ("must be ...", to follow the field's name), or undefined when it is fine. */
export function idProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_ID_CHARS) return `must be 1 to ${MAX_ID_CHARS} characters`;
  if (!value.trim()) return 'must not be blank';
  if (hasLoneSurrogate(value)) return 'must be valid Unicode text (it holds a lone surrogate)';
  if (CONTROL_CHARACTER.test(value)) return 'must not contain control characters';
  return undefined;
}
