/**
 * Building blocks of the JSON Schemas (draft 2020-12) in schemas/. Every pattern is written so that
 * ECMAScript (ajv, with the `u` flag), Python's `re` and Java's `Pattern` read it alike:
 * - `\uXXXX` escapes and plain classes only: no `\d`/`\s`/`\w` (Python's take other scripts' digits
 *   and spaces), no lookaround (Go's RE2 has none), no `\u{...}`.
 * - `$` is never trusted alone: Python and Java also let it match before a final line break, so a
 *   pattern anchored with `$` comes with a `not` that refuses line breaks where the value may not
 *   hold them.
 * - "Code points" are what `maxLength` counts everywhere (ajv, Python, Java); JavaScript's
 *   `.length` counts UTF-16 units, so rules written with `.length` are restated (see `utf16Length`).
 */
import { E164 } from '../../lambdas/contract/sendblue-rules.js';

export type Schema = { [key: string]: unknown };

export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
/** `$id`s are names, not addresses: nothing is served there. Stable across versions of the files. */
export const SCHEMA_BASE = 'https://sendblue-groups.dev/schemas/';

/** A line break as `$` understands one in Python (`\n`) and Java (also `\r`, U+0085, U+2028, U+2029). */
export const LINE_BREAK = '[\\n\\r\\u0085\\u2028\\u2029]';

/**
 * What `String.prototype.trim()` removes: ECMAScript's WhiteSpace and LineTerminator. A value is
 * blank when it holds nothing else. (test/unit/schemas/patterns.test.ts checks the list against
 * `trim()` for every BMP character.)
 */
export const TRIMMED_CLASS =
  '\\u0009\\u000a\\u000b\\u000c\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** Holds at least one character `trim()` keeps: not blank. */
export const NOT_BLANK = `[^${TRIMMED_CLASS}]`;
/**
 * A surrogate code unit that is not half of a pair. With the `u` flag (ajv), in Python and in Java
 * a pair is one code point outside this range, so only a lone half matches.
 */
export const LONE_SURROGATE = '[\\ud800-\\udfff]';

/** A pattern that must match the whole string, with `$`'s looseness about a final line break closed. */
export const wholeString = (pattern: RegExp | string): Schema => ({
  pattern: typeof pattern === 'string' ? pattern : pattern.source,
  not: { type: 'string', pattern: LINE_BREAK },
});

/**
 * At most `max` UTF-16 code units (JavaScript's `.length`; an emoji counts 2), said in code points:
 * with k characters beyond U+FFFF, at most `max - k` characters. One branch per k, since JSON Schema
 * has no other way to weigh characters. `[\u0000-\uffff]` is a character of the Basic Multilingual
 * Plane in every dialect; anything else is beyond it.
 */
export function utf16Length(max: number): Schema {
  const bmp = '[\\u0000-\\uffff]';
  const beyond = '[^\\u0000-\\uffff]';
  return {
    anyOf: Array.from({ length: Math.floor(max / 2) + 1 }, (_, k) => ({
      maxLength: max - k,
      pattern: k === 0 ? `^${bmp}*$` : `^${bmp}*(?:${beyond}${bmp}*){0,${k}}$`,
    })),
  };
}

export const e164 = (): Schema => ({
  type: 'string',
  description: 'An E.164 phone number: a plus, a non-zero country digit, 7 to 15 digits in all (+15551230001).',
  ...wholeString(E164),
  examples: ['+15551230001'],
});

/** `null` allowed beside the given schema (a plain `type` list when that is all the schema says). */
export function nullable(schema: Schema): Schema {
  const { type, description, ...rest } = schema;
  const said = description ? { description } : {};
  if (typeof type === 'string' && Object.keys(rest).length === 0) return { type: [type, 'null'], ...said };
  return { ...said, anyOf: [{ ...(type === undefined ? {} : { type }), ...rest }, { type: 'null' }] };
}

/** A date-time as the API writes them (RFC 3339; stored ones are UTC with milliseconds). */
export const DATE_TIME =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})$';
export const dateTime = (description?: string): Schema => ({
  type: 'string',
  ...(description ? { description } : {}),
  ...wholeString(DATE_TIME),
});

/** A date-time exactly as `toISOString()` writes it: UTC, with milliseconds (`2026-11-20T17:04:11.512Z`). */
export const MILLIS_DATE_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$';
export const millisDateTime = (description?: string): Schema => ({
  type: 'string',
  ...(description ? { description } : {}),
  ...wholeString(MILLIS_DATE_TIME),
});

export const stringArray = (items: Schema = { type: 'string' }): Schema => ({ type: 'array', items });

/**
 * An object: every property in `required` must be there (the API writes absent values as null);
 * those in `optional` may be. Objects stay open here (see reads.ts).
 */
export function shape(
  required: Record<string, Schema>,
  description?: string,
  optional: Record<string, Schema> = {},
): Schema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    required: Object.keys(required),
    properties: { ...required, ...optional },
  };
}

/** The file header: `$schema`, `$id`, title, description. */
export function fileHeader(path: string, title: string, description: string): Schema {
  return { $schema: DRAFT_2020_12, $id: `${SCHEMA_BASE}${path}`, title, description };
}
