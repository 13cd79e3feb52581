/**
 * Small HTTP helpers for the simulator: bounded body reading, query parsing, JSON answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readBodyUpTo, TOO_LARGE } from '../read-body.js';
import { SIGNING_HEADER } from '../../lambdas/webhooks/webhook-auth.js';

export const MAX_BODY_BYTES = 1024 * 1024;
export { TOO_LARGE };

/** Headers whose values are never recorded or logged. */
const SECRET_HEADERS = new Set(['sb-api-secret-key', SIGNING_HEADER, 'authorization', 'cookie', 'proxy-authorization']);

/** Reads the whole body, or TOO_LARGE past the limit (the sandbox API's reader, with the simulator's limit). */
export const readBody = (req: IncomingMessage, limit = MAX_BODY_BYTES) => readBodyUpTo(req, limit);

/**
 * Query string to a record (the last value wins). A literal `+` stays a `+`, so phone numbers
 * typed unencoded (`?number=+1415...`, as in Sendblue's docs) still match; the SDK sends `%2B`.
 * Returns undefined for malformed percent-encoding.
 */
export function parseQuery(raw: string): Record<string, string> | undefined {
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  try {
    for (const part of raw.split('&')) {
      if (!part) continue;
      const equals = part.indexOf('=');
      const key = decodeURIComponent(equals === -1 ? part : part.slice(0, equals));
      query[key] = equals === -1 ? '' : decodeURIComponent(part.slice(equals + 1));
    }
  } catch {
    return undefined;
  }
  return { ...query };
}

/** Request headers for the log, secret values replaced. */
export function safeHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

// `token=<value>` in a URL's query: the stack's status callback URL carries its token that way.
const TOKEN_IN_URL = /([?&]token=)[^&#\s"'\\]*/gi;

/**
 * A text with the value of every `token` URL parameter replaced by `[redacted]`. The recorded
 * requests and callbacks (/__simulator/requests, /__simulator/callbacks) show URLs, and the status
 * callback token lets anyone who has it post status events to the stack.
 */
export const redactUrlTokens = (text: string): string => text.replace(TOKEN_IN_URL, '$1[redacted]');

/** Field names whose values are never recorded (webhook registrations carry `secret` and `globalSecret`). */
const SECRET_FIELD = /secret/i;
const SECRET_PAIR_IN_TEXT = /("[^"]*secret[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"?/gi;

/** A copy of a JSON value with every value under a secret-looking field name replaced by '[redacted]'. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_FIELD.test(key) ? '[redacted]' : redactSecrets(inner)]),
  ) as T;
}

/**
 * The body as recorded: parsed JSON when it is JSON, else the text (bounded), undefined when
 * empty; URL tokens and secret fields redacted.
 */
export function recordedBody(body: Buffer): unknown {
  if (!body.length) return undefined;
  // Redacted in the text, before parsing: it reaches every string however deeply it is nested.
  const text = redactUrlTokens(body.toString('utf8'));
  try {
    return redactSecrets(JSON.parse(text) as unknown);
  } catch {
    // Not JSON (a broken request): still no "...secret...": "value" pair in the clear.
    const redacted = text.replace(SECRET_PAIR_IN_TEXT, '$1"[redacted]"');
    return redacted.length > 10_000 ? `${redacted.slice(0, 10_000)}…` : redacted;
  }
}

export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): number {
  if (res.headersSent || res.destroyed) return status;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return status;
}

export const errorBody = (message: string, error: string) => ({
  status: 'ERROR',
  error,
  error_message: message,
  message,
});

/** Decodes one path segment; undefined for malformed percent-encoding. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
export const isLoopback = (req: IncomingMessage): boolean => LOOPBACK.has(req.socket.remoteAddress ?? '');
