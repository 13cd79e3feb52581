/**
 * What a failed Sendblue call means for the command (DESIGN.md §5):
 * - `rejected`: Sendblue answered and refused (4xx other than 408/409/429): never retried.
 * - `retryable`: Sendblue answered "not now" (408, 409, 429, 5xx), or the request never left
 *   (connection refused, DNS): retried with backoff, nothing to reconcile.
 * - `unclear`: the request may have reached Sendblue but no answer came back (timeout, connection
 *   cut): Sendblue may have accepted it, so its message list is checked before any re-send.
 */
export type FailureKind = 'rejected' | 'retryable' | 'unclear';

export class SendblueCallError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** Safe to store and show: Sendblue's own error text, never our credentials. */
    readonly reason: string,
    readonly status?: number,
  ) {
    super(reason);
    this.name = 'SendblueCallError';
  }
}

/** Connection errors that prove the request was never sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const MAX_REASON_CHARS = 300;

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Sendblue's error bodies vary: read `error_message`, `message` or `error`. */
export function sendblueErrorText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['error_message', 'message', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/** Maps an error thrown by the SDK (or by fetch) to its kind; the reason never carries request data. */
export function classifySendblueError(error: unknown, action: string): SendblueCallError {
  if (error instanceof SendblueCallError) return error;
  const err = error as { status?: unknown; error?: unknown; name?: string };
  if (typeof err?.status === 'number') {
    const text = sendblueErrorText(err.error) ?? 'no error message';
    const reason = `Sendblue refused to ${action}: HTTP ${err.status}: ${text}`.slice(0, MAX_REASON_CHARS);
    return new SendblueCallError(isRetryableStatus(err.status) ? 'retryable' : 'rejected', reason, err.status);
  }
  const code = connectionErrorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return new SendblueCallError('retryable', `could not reach Sendblue to ${action} (${code})`);
  }
  const what = err?.name === 'APIConnectionTimeoutError' ? 'timed out' : `connection failed${code ? ` (${code})` : ''}`;
  return new SendblueCallError('unclear', `no answer from Sendblue to ${action}: ${what}`);
}

/** The first `code` along the error's cause chain (undici nests it: fetch failed -> cause). */
function connectionErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
