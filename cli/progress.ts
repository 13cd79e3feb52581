/**
 * Where a waited-for command is, in words: one line per change for `--wait` on a terminal, and the
 * state a timeout reports. Built only from the read API's CommandView (state, failures,
 * next_attempt_at, error).
 */
import { LINE_PAUSED_PREFIX } from '../lambdas/sending/attempt-outcome.js';
import { shortTime, type CommandView } from './format.js';

/** What the sender puts in `error` while a command waits for its line (attempt-outcome.ts). */
const LINE_BUSY = 'line busy';

/**
 * E.g. `queued, retrying in 3 s: Sendblue answered 429`, `queued, waiting for a send slot on the
 * line (in 2 s)`, `sending, after 1 failed attempt`, `sent ✓`, `failed ✗: <why>`, `unknown ?: <why>`
 * (a tapback that may have been sent: settled for good, never repeated). `undefined`: the
 * read API does not know the command yet (the sender has not picked it up).
 */
export function describeProgress(view: CommandView | undefined, nowMs: number): string {
  if (!view) return 'queued, not picked up by the sender yet';
  const due = view.next_attempt_at ? Math.max(0, Math.ceil((Date.parse(view.next_attempt_at) - nowMs) / 1000)) : 0;
  const failed = view.failures ? `${view.failures} failed attempt${view.failures === 1 ? '' : 's'}` : '';
  switch (view.state) {
    case 'sent':
      return 'sent ✓';
    case 'failed':
      return `failed ✗${view.error ? `: ${view.error}` : ''}`;
    case 'sending':
      return `sending${failed ? `, after ${failed}` : ''}`;
  }
  if (view.error?.startsWith(LINE_BUSY)) return `${view.state}, waiting for a send slot on the line (in ${due} s)`;
  if (view.error?.startsWith(LINE_PAUSED_PREFIX)) return pausedProgress(view, due);
  const reason = waitReason(view.error);
  const outage = view.outage_since ? `Sendblue unreachable since ${shortTime(view.outage_since)}` : '';
  const why = [reason, outage, failed].filter(Boolean).join('; ');
  if (view.state === 'unknown' && !view.next_attempt_at)
    return `unknown ?: ${view.error ?? 'may have been sent; not repeated'}`;
  if (view.state === 'unknown')
    return `unknown, Sendblue may have it: checking in ${due} s before anything is sent${why ? ` (${why})` : ''}`;
  if (view.next_attempt_at) return `${view.state}, retrying in ${due} s${why ? `: ${why}` : ''}`;
  return [view.state, why].filter(Boolean).join(': ');
}

/**
 * Its line is paused by an outage (the breaker, line-breaker.ts): since when, and when it looks
 * again. E.g. `queued, line paused: Sendblue unreachable since 2026-11-28 20:51:10 (…); next look
 * in 4 s`.
 */
function pausedProgress(view: CommandView, due: number): string {
  const text = view.error!.slice(LINE_PAUSED_PREFIX.length);
  const since = /^\S+/.exec(text)?.[0];
  const why = /^\S+ \((.*)\): waiting/.exec(text)?.[1];
  const unsure = view.state === 'unknown' ? '; Sendblue may have it: checked before anything is sent' : '';
  return `${view.state}, line paused: Sendblue unreachable since ${shortTime(since)}${why ? ` (${why})` : ''}; next look in ${due} s${unsure}`;
}

/**
 * The sender writes `<reason>; <what happens next>` while a command waits (attempt-outcome.ts);
 * the next step is said from next_attempt_at, so only the reason is kept.
 */
function waitReason(error: string | null): string {
  if (!error) return '';
  const cut = error.lastIndexOf('; ');
  return cut > 0 ? error.slice(0, cut) : error;
}

/**
 * Follows a command's views: returns a line when something changed that a person waiting would
 * notice (state, reason, failures, when the next attempt is), undefined otherwise.
 */
export function progressTracker(): (view: CommandView | undefined, nowMs: number) => string | undefined {
  let last: string | undefined;
  return (view, nowMs) => {
    const key = JSON.stringify(
      view
        ? [view.state, view.error, view.failures, view.next_attempt_at, view.message_handle, view.outage_since]
        : null,
    );
    if (key === last) return undefined;
    last = key;
    return describeProgress(view, nowMs);
  };
}
