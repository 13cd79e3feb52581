/**
 * What a failed Sendblue call means for the command (docs/contract.md §5, docs/sending.md "Exactly once"):
 * - `rejected`: Sendblue answered and refused (4xx other than 408/409/429): never retried.
 * - `throttled`: Sendblue answered 429: back-pressure, not failure. Waited out (Retry-After when
 *   given); it never consumes the command's failure budget.
 * - `retryable`: the request provably did not take effect and it is this command's own failure:
 *   Sendblue answered 408/409, or our own setup stopped it (no API credentials). Retried with
 *   backoff, nothing to check, counted against the failure budget.
 * - `unreachable`: the request never left (connection refused, DNS): provably not sent, nothing to
 *   check. A failure of the way to Sendblue, not of the command (`wayToSendblue`).
 * - `unclear`: the request may have taken effect: no answer came back (timeout, connection cut),
 *   or a 5xx (a gateway's 502/504, or a server that failed after storing). Sendblue is asked
 *   before anything is sent again.
 *
 * `wayToSendblue` marks the failures that are nobody's command's fault (unreachable, no answer,
 * 5xx): they are bounded by time (the outage budget) instead of the count, and they feed the
 * line's circuit breaker (line-breaker.ts). Any other failure is an answer from Sendblue.
 */
export type FailureKind = 'rejected' | 'throttled' | 'retryable' | 'unreachable' | 'unclear';

export class SendblueCallError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** Safe to store and show: Sendblue's own error text, never our credentials. */
    readonly reason: string,
    readonly status?: number,
    /** From a 429's Retry-After (or retry-after-ms) header, when Sendblue sent one. */
    readonly retryAfterSeconds?: number,
    /**
     * The way to Sendblue failed (unreachable, no answer, 5xx), not this request in particular.
     * @default true for `unreachable`, and for `unclear` without an HTTP status or with a 5xx
     */
    readonly wayToSendblue: boolean = kind === 'unreachable' ||
      (kind === 'unclear' && (status === undefined || status >= 500)),
    /**
     * A 429 `new_contact_limit`: the line's new-contact quota, not its rate. `nextSlotAt` (epoch ms)
     * when it frees; absent when the send needs more than a whole window (it never fits).
     */
    readonly newContactLimit?: { nextSlotAt?: number },
  ) {
    super(reason);
    this.name = 'SendblueCallError';
  }
}

/** Connection errors that prove the request was never sent. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const MAX_REASON_CHARS = 300;
/** A Retry-After beyond this is not believed (SQS cannot hold a message invisible longer than 12 h anyway). */
const MAX_RETRY_AFTER_SECONDS = 3_600;

function kindOfStatus(status: number): FailureKind {
  if (status === 429) return 'throttled';
  if (status === 408 || status === 409) return 'retryable';
  if (status >= 500) return 'unclear';
  return 'rejected';
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

/** Seconds from `retry-after-ms`, or `Retry-After` as seconds or an HTTP date; undefined when absent or silly. */
export function retryAfterSeconds(headers: unknown, nowMs = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    if (!headers || typeof headers !== 'object') return undefined;
    const value =
      typeof (headers as Headers).get === 'function'
        ? (headers as Headers).get(name)
        : (headers as Record<string, unknown>)[name];
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  const ms = Number(get('retry-after-ms'));
  let seconds = Number.isFinite(ms) && get('retry-after-ms') !== undefined ? ms / 1000 : undefined;
  const header = get('retry-after');
  if (seconds === undefined && header !== undefined) {
    seconds = /^\d+(\.\d+)?$/.test(header) ? Number(header) : (Date.parse(header) - nowMs) / 1000;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/** Maps an error thrown by the SDK (or by fetch) to its kind; the reason never carries request data. */
export function classifySendblueError(error: unknown, action: string): SendblueCallError {
  if (error instanceof SendblueCallError) return error;
  const err = error as { status?: unknown; error?: unknown; name?: string; headers?: unknown };
  if (typeof err?.status === 'number') {
    const text = sendblueErrorText(err.error) ?? 'no error message';
    const reason = `Sendblue refused to ${action}: HTTP ${err.status}: ${text}`.slice(0, MAX_REASON_CHARS);
    const kind = kindOfStatus(err.status);
    return new SendblueCallError(
      kind,
      reason,
      err.status,
      kind === 'throttled' ? retryAfterSeconds(err.headers) : undefined,
      undefined,
      kind === 'throttled' ? newContactLimitOf(err.error) : undefined,
    );
  }
  const code = connectionErrorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return new SendblueCallError('unreachable', `could not reach Sendblue to ${action} (${code})`);
  }
  const what = err?.name === 'APIConnectionTimeoutError' ? 'timed out' : `connection failed${code ? ` (${code})` : ''}`;
  return new SendblueCallError('unclear', `no answer from Sendblue to ${action}: ${what}`);
}

/** A 429's body naming Sendblue's new-contact quota (`error: 'new_contact_limit'`, `next_slot_at`). */
function newContactLimitOf(body: unknown): { nextSlotAt?: number } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (record.error !== 'new_contact_limit') return undefined;
  const at = typeof record.next_slot_at === 'string' ? Date.parse(record.next_slot_at) : Number.NaN;
  return Number.isFinite(at) ? { nextSlotAt: at } : {};
}

/** The first `code` along the error's cause chain (undici nests it: fetch failed -> cause). */
export function connectionErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
