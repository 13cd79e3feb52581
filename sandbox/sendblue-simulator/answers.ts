/**
 * What every Sendblue route answers with: a status and a JSON body in Sendblue's error shape
 * (`{status: 'ERROR', error, error_message, message}`; clients read any of the three).
 * A module of its own so that the route modules import it without importing each other.
 */
import type { ApiError } from './validate.js';

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** `extra` adds fields to the error body (e.g. which quota ran out, an error_code). */
export const errorResult = (error: ApiError, extra: Record<string, unknown> = {}): ApiResult => ({
  status: error.status,
  body: { status: 'ERROR', error: error.error, error_message: error.message, message: error.message, ...extra },
});

export const invalidResult = (message: string, error = 'validation_error'): ApiResult =>
  errorResult({ status: 400, error, message });

export const notFound = (what: string): ApiResult =>
  errorResult({ status: 404, error: 'not_found', message: `${what} not found` });

/** The answer to a call over a limit, with Retry-After when the simulator is told to send one. */
export function rateLimited(
  retryAfterSeconds: number | undefined,
  message: string,
  extra: Record<string, unknown> = {},
): ApiResult {
  return {
    ...errorResult({ status: 429, error: 'rate_limited', message }, extra),
    ...(retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {}),
  };
}

/** The answers the status-code faults give (faults.ts): the HTTP server and in-process users of the routes share them. */
export function faultAnswer(
  kind: '429' | '500' | '503' | '400' | '408' | '409',
  retryAfterSeconds: number | undefined,
): ApiResult {
  switch (kind) {
    case '429':
      return rateLimited(retryAfterSeconds, 'Too many requests (simulated)');
    case '500':
      return errorResult({ status: 500, error: 'internal_error', message: 'Internal server error (simulated)' });
    case '503':
      return errorResult({
        status: 503,
        error: 'service_unavailable',
        message: 'Service temporarily unavailable (simulated)',
      });
    case '400':
      return errorResult({ status: 400, error: 'validation_error', message: 'Bad request (simulated)' });
    // Sendblue answered about this request and did not take it (a client may send it again).
    case '408':
      return errorResult({ status: 408, error: 'request_timeout', message: 'Request timeout (simulated)' });
    case '409':
      return errorResult({ status: 409, error: 'conflict', message: 'Conflict (simulated)' });
  }
}
