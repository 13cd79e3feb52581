import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/**
 * Largest webhook body accepted. Sendblue's content limit is 18,995 characters: up to 76 KB of
 * UTF-8 (4 bytes per emoji), or 228 KB when a sender escapes each emoji as two `\uXXXX` in JSON.
 * 256 KB holds that and the other fields, and nothing much more.
 */
export const DEFAULT_MAX_BODY_BYTES = 262_144;

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export const errorResponse = (statusCode: number, message: string): HttpResult => json(statusCode, { error: message });

export type Decoded<T> = { ok: true; value: T } | { ok: false; response: HttpResult };

/** Decodes and size-checks a request body without interpreting it (cheap; runs before authentication). */
export function decodeBody(event: APIGatewayProxyEventV2, maxBytes: number): Decoded<string> {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    return { ok: false, response: errorResponse(413, `body is larger than ${maxBytes} bytes`) };
  }
  return { ok: true, value: bytes.toString('utf8') };
}

export function parseJson(text: string): Decoded<unknown> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, response: errorResponse(400, 'body is empty; expected a JSON Sendblue payload') };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false, response: errorResponse(400, 'body is not valid JSON') };
  }
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // API Gateway v2 lower-cases header names; the sandbox does the same.
  return event.headers?.[name.toLowerCase()];
}
