import { refusalKind, type DeadLetterKind } from '../contract/dead-letters.js';
import type { CommandFinish } from './ports.js';

/**
 * The command state machine after an attempt, free of I/O (docs/sending.md "Exactly once"):
 *
 *   queued  --attempt--> sending --accepted-----------------------------> sent
 *                           |----Sendblue refused (4xx) -----------------> failed (DLQ)
 *                           |----not taken (408/409) --------------------> queued (failure counted)
 *                           |----unreachable (refused, DNS) -------------> queued (outage clock)
 *                           |----429 / waiting for a line slot ---------> queued (not counted)
 *                           |----the line's new-contact quota is used --> queued (not counted, no outage clock)
 *                           |----its line paused (breaker open) --------> queued (outage clock)
 *                           '----no answer, 5xx, crash -----------------> unknown (outage clock)
 *   unknown --attempt--> ask Sendblue first: found -> sent; not found -> as queued;
 *                        the check failed -> unknown again (never queued, never failed)
 *   unknown, its queue message gone --sweep (check only)--> found -> sent;
 *                        not found -> failed (DLQ: a redrive sends it); the check failed -> unknown
 *   send_reaction: nothing in Sendblue can be checked (no handle, no list of reactions), so a
 *                  call that may have reached it ends `unknown` for good ('unverifiable'), never repeated
 *
 * Two budgets, one per kind of failure (docs/sending.md "When Sendblue is down: an outage, not a
 * failure"): the command's own failures (Sendblue answered about this request and did not take it: 408/409) are counted
 * against `maxAttempts`; failures of the way to Sendblue (the request never left, no answer, a
 * 5xx) and waits on a paused line are bounded by time instead, `outageBudgetMs` from the first of
 * the current streak. An answer from Sendblue to the command's own call ends the streak.
 *
 * `failed` is written only when Sendblue refused, or a successful check proved that nothing was
 * sent (and a budget is spent, or no queue message is left to send it), or no call was ever made
 * since the last such proof; so an accepted command never ends failed.
 */

/** A line paused by an outage (its breaker open), as an attempt saw it. */
export interface LinePause {
  line: string;
  /** When the breaker opened (epoch ms). */
  since: number;
  /** When to come back (epoch ms): the next probe, or a little later when one is in flight. */
  retryAt: number;
  /** The current gap between probes, ms. */
  gapMs: number;
  /** The failure that opened it, or the last probe's. */
  reason?: string;
}

export type AttemptOutcome =
  | { kind: 'sent'; how: 'sent' | 'found'; groupId?: string; messageHandle?: string; note?: string }
  /** A send slot on the line is reserved for later: the command waits for it on the queue. */
  | { kind: 'wait-for-slot'; slotAt: number; line: string }
  /** The line's backlog is longer than the pacing horizon: come back at `retryAt`. */
  | { kind: 'line-busy'; retryAt: number }
  /** The line is paused by an outage: no call was made; come back at `pause.retryAt`. */
  | { kind: 'line-paused'; pause: LinePause }
  /**
   * The send needs new contacts its line's quota cannot take now (ours, or Sendblue's 429
   * `new_contact_limit`): no call made or nothing taken; back at `retryAt`. Not a failure.
   */
  | { kind: 'quota-wait'; retryAt: number; reason: string }
  /** Sendblue answered 429 to the call. */
  | { kind: 'throttled'; reason: string; retryAfterSeconds: number }
  /**
   * The check in Sendblue (after an unclear attempt) could not be made. `way`: it failed on the
   * way to Sendblue (and `pause` when the line is paused now).
   */
  | { kind: 'check-failed'; reason: string; retryAfterSeconds?: number; way?: boolean; pause?: LinePause }
  /**
   * The call provably did not take effect, and it is the command's own failure: Sendblue answered
   * 408/409 (`answered`), or our setup stopped it (no API credentials). Counted.
   */
  | { kind: 'not-sent'; reason: string; answered?: boolean }
  /** The request never left (connection refused, DNS): not sent, not counted. */
  | { kind: 'unreachable'; reason: string; pause?: LinePause }
  /**
   * The call may have taken effect. `way`: no answer or a 5xx (not counted); else Sendblue
   * answered something unusable (counted).
   */
  | { kind: 'unclear'; reason: string; calledAt: string; way?: boolean; pause?: LinePause }
  /** Sendblue refused the call (4xx other than 408/409/429); `status`: its HTTP status. */
  | { kind: 'rejected'; reason: string; status?: number }
  /** A check proved nothing was sent (or no call was made), and a budget is spent. */
  | { kind: 'gave-up'; reason: string }
  /**
   * A check-only attempt (the sweep of unknown commands whose queue message is gone) proved that
   * nothing was sent. Nothing may be sent from there, so the command goes to the DLQ.
   */
  | { kind: 'never-sent'; reason: string }
  /** Our own storage failed (before the call, or after Sendblue accepted: then with its handle). */
  | { kind: 'not-recorded'; reason: string; messageHandle?: string }
  /**
   * A call may have reached Sendblue and nothing can ever tell (a send_reaction): the command ends
   * `unknown` for good, never called again. `counted`: this attempt's own failure (an unclear
   * call, or an earlier attempt that stopped without recording one), so it counts once.
   */
  | { kind: 'unverifiable'; reason: string; counted: boolean; calledAt?: string };

/** What the attempt knew about the command when it ended. */
export interface AttemptState {
  /** An earlier call may have reached Sendblue and no check has proved otherwise yet. */
  maybeSent: boolean;
  /** The command's own failures (408/409, no credentials): the failure budget. */
  failures: number;
  checkFailures: number;
  /** The last of its own failures, for "gave up after N attempts: ...". */
  lastFailure?: string;
  /** The current streak of failures of the way to Sendblue (or waits on a paused line): when it began (ISO). */
  outageSince?: string;
  /** Failures of the way to Sendblue in the streak (the backoff; never a reason to give up). */
  outageFailures: number;
  /** The last of them, or the paused line's reason. */
  outageReason?: string;
  /** Deliveries of the command's queue message so far (SQS ApproximateReceiveCount), when known. */
  receives?: number;
}

export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

export interface SenderPolicy {
  /** The command's own failed attempts (408/409, no credentials) before it is given up. */
  maxAttempts: number;
  retry: RetryPolicy;
  /** After an unclear attempt, wait at least this long before asking Sendblue (its list may lag). */
  settleDelaySeconds: number;
  /** How long a command may ride out failures of the way to Sendblue, from the first of a streak, ms. */
  outageBudgetMs: number;
  /**
   * The queue's maxReceiveCount: a command waiting out an outage is failed with its reason before
   * SQS would move it to the DLQ by itself, without one.
   */
  maxReceiveCount: number;
}

export type QueueStep =
  | { action: 'done' }
  | { action: 'retry'; seconds: number }
  /** `kind`: what the DLQ's `failure_kind` says (whether a redrive can help: contract/dead-letters.ts). */
  | { action: 'dead-letter'; reason: string; kind: DeadLetterKind };

export interface NextStep {
  finish: CommandFinish;
  queue: QueueStep;
}

/** Longest wait SQS allows for a message (ChangeMessageVisibility). */
const MAX_QUEUE_WAIT_SECONDS = 43_200;

/** Exponential backoff on a count: base, 2x base, 4x base... capped. */
export function retryDelaySeconds(count: number, policy: RetryPolicy): number {
  const attempt = Math.max(1, Math.floor(count) || 1);
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(attempt - 1, 20));
}

/** What the sender writes while a command waits on a paused line (the CLI and the page read the prefix). */
export const LINE_PAUSED_PREFIX = 'Sendblue unreachable on this line since ';

/** `3600000` -> `1 h`, `90000` -> `90 s`: budgets and gaps as people read them. */
export function shortDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 600 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A command waits this close to SQS's maxReceiveCount at most (then it is failed, with its reason). */
export const receiveLimitFor = (policy: SenderPolicy) => Math.floor(policy.maxReceiveCount * 0.9);

/**
 * Why no further call may be made, if a budget is spent: the command's own failures, or the time
 * it has been riding out an outage (or the receives that cost). Asked only where nothing can have
 * been sent (no call yet, or a check just proved it), so failing then sends nothing twice.
 */
export function givingUpReason(state: AttemptState, policy: SenderPolicy, nowMs: number): string | undefined {
  if (state.failures >= policy.maxAttempts)
    return `gave up after ${state.failures} attempts: ${state.lastFailure ?? 'no reason recorded'}`;
  if (state.outageSince === undefined) return undefined;
  const last = state.outageReason ?? 'no reason recorded';
  if (nowMs - Date.parse(state.outageSince) > policy.outageBudgetMs)
    return `Sendblue unreachable since ${state.outageSince} (over ${shortDuration(policy.outageBudgetMs)}): ${last}; redrive to try again`;
  if (state.receives !== undefined && state.receives >= receiveLimitFor(policy))
    return (
      `Sendblue unreachable since ${state.outageSince}: this command came back ${state.receives} times while it waited, ` +
      `near the queue's limit of ${policy.maxReceiveCount} (SQS would then move it to the DLQ without a reason): ${last}; redrive to try again`
    );
  return undefined;
}

/** Which budget givingUpReason found spent: the command's own failures, or the outage's time (or receives). */
const spentKind = (state: AttemptState, policy: SenderPolicy): DeadLetterKind =>
  state.failures >= policy.maxAttempts ? 'out-of-attempts' : 'outage';

export function nextStep(outcome: AttemptOutcome, state: AttemptState, policy: SenderPolicy, nowMs: number): NextStep {
  const nowIso = new Date(nowMs).toISOString();
  const streak = {
    outageSince: state.outageSince,
    outageFailures: state.outageFailures,
    outageReason: state.outageReason,
  };
  const counts = { failures: state.failures, checkFailures: state.checkFailures, lastFailure: state.lastFailure };
  /** The command's own call was answered: the outage streak is over. */
  const answered = { ...counts, outageSince: undefined, outageFailures: 0, outageReason: undefined };
  const kept = { ...counts, ...streak };
  /** A failure of the way to Sendblue (or a wait on a paused line: `failed` false). */
  const onTheWay = (reason: string | undefined, failed: boolean) => ({
    ...counts,
    outageSince: state.outageSince ?? nowIso,
    outageFailures: state.outageFailures + (failed ? 1 : 0),
    outageReason: reason ?? state.outageReason,
  });
  const retry = (seconds: number): QueueStep => ({
    action: 'retry',
    seconds: Math.min(MAX_QUEUE_WAIT_SECONDS, Math.max(0, Math.floor(seconds))),
  });
  const dueAt = (seconds: number) => new Date(nowMs + seconds * 1000).toISOString();
  const secondsUntil = (atMs: number) => Math.max(1, Math.ceil((atMs - nowMs) / 1000));
  const stillUnclear = state.maybeSent ? 'unknown' : 'queued';
  /** Nothing can have been sent (no call since the last proof): a spent budget fails it now. */
  const failIfSpent = (next: ReturnType<typeof onTheWay>): NextStep | undefined => {
    if (state.maybeSent) return undefined;
    const reason = givingUpReason({ ...state, ...next }, policy, nowMs);
    if (reason === undefined) return undefined;
    return {
      finish: { state: 'failed', ...next, error: reason },
      queue: { action: 'dead-letter', reason, kind: spentKind({ ...state, ...next }, policy) },
    };
  };
  const budgetNote = (since: string) =>
    `waiting up to ${shortDuration(policy.outageBudgetMs)} from ${since}, not counted as a failure`;

  switch (outcome.kind) {
    case 'sent':
      return {
        finish: {
          state: 'sent',
          groupId: outcome.groupId,
          messageHandle: outcome.messageHandle,
          error: outcome.note,
          ...answered,
          checkFailures: 0,
        },
        queue: { action: 'done' },
      };
    case 'wait-for-slot': {
      // Back at (or just before) the slot; the rest is waited for in the invocation.
      const seconds = Math.max(0, Math.floor((outcome.slotAt - nowMs) / 1000));
      return {
        finish: {
          state: 'queued',
          ...kept,
          slot: { at: outcome.slotAt, line: outcome.line },
          nextAttemptAt: new Date(outcome.slotAt).toISOString(),
          error: `line busy: waiting for its send slot in ${Math.ceil((outcome.slotAt - nowMs) / 1000)} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'line-busy': {
      const seconds = Math.ceil((outcome.retryAt - nowMs) / 1000);
      return {
        finish: {
          state: 'queued',
          ...kept,
          nextAttemptAt: dueAt(seconds),
          error: `line busy: its backlog is longer than the pacing horizon; asking again in ${seconds} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'line-paused': {
      const next = onTheWay(outcome.pause.reason, false);
      const spent = failIfSpent(next);
      if (spent) return spent;
      const seconds = secondsUntil(outcome.pause.retryAt);
      return {
        finish: {
          state: stillUnclear,
          ...next,
          nextAttemptAt: dueAt(seconds),
          error: pausedText(outcome.pause),
        },
        queue: retry(seconds),
      };
    }
    case 'quota-wait': {
      // A wait of its own, not an outage: the outage clock stops (its budget bounds outages only).
      const seconds = secondsUntil(outcome.retryAt);
      return {
        finish: { state: stillUnclear, ...answered, nextAttemptAt: dueAt(seconds), error: outcome.reason },
        queue: retry(seconds),
      };
    }
    case 'throttled': {
      const seconds = Math.ceil(outcome.retryAfterSeconds);
      return {
        finish: {
          state: stillUnclear,
          ...answered,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; back-pressure (not a failure): again in ${seconds} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'check-failed': {
      const checkFailures = state.checkFailures + (outcome.retryAfterSeconds === undefined ? 1 : 0);
      const seconds =
        outcome.retryAfterSeconds !== undefined
          ? Math.ceil(outcome.retryAfterSeconds)
          : outcome.pause
            ? secondsUntil(outcome.pause.retryAt)
            : retryDelaySeconds(checkFailures, policy.retry);
      // A check answered (a 429) says nothing about the command's own call: the streak goes on.
      const next = outcome.way ? onTheWay(outcome.reason, false) : kept;
      return {
        finish: {
          state: 'unknown',
          ...next,
          checkFailures,
          nextAttemptAt: dueAt(seconds),
          error: outcome.pause
            ? `${pausedText(outcome.pause)}; Sendblue may have it: checked before anything is sent`
            : `${outcome.reason}; Sendblue may have it: checking again in ${seconds} s before anything is sent`,
        },
        queue: retry(seconds),
      };
    }
    case 'not-sent': {
      const failures = state.failures + 1;
      const next = { ...(outcome.answered ? answered : kept), failures, lastFailure: outcome.reason };
      if (failures >= policy.maxAttempts) {
        const reason = givingUpReason({ ...state, ...next }, policy, nowMs)!;
        return {
          finish: { state: 'failed', ...next, error: reason },
          queue: { action: 'dead-letter', reason, kind: 'out-of-attempts' },
        };
      }
      const seconds = retryDelaySeconds(failures, policy.retry);
      return {
        finish: {
          state: 'queued',
          ...next,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; retry ${failures + 1} of ${policy.maxAttempts} in ${seconds} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'unreachable': {
      const next = onTheWay(outcome.reason, true);
      const spent = failIfSpent(next);
      if (spent) return spent;
      const seconds = outcome.pause
        ? secondsUntil(outcome.pause.retryAt)
        : retryDelaySeconds(next.outageFailures, policy.retry);
      return {
        finish: {
          state: stillUnclear,
          ...next,
          nextAttemptAt: dueAt(seconds),
          error: outcome.pause
            ? pausedText(outcome.pause)
            : `${outcome.reason}; again in ${seconds} s (${budgetNote(next.outageSince)})`,
        },
        queue: retry(seconds),
      };
    }
    case 'unclear': {
      const way = outcome.way ?? true;
      const failures = state.failures + (way ? 0 : 1);
      const next = way ? onTheWay(outcome.reason, true) : { ...answered, failures, lastFailure: outcome.reason };
      const wait = outcome.pause
        ? secondsUntil(outcome.pause.retryAt)
        : retryDelaySeconds(way ? next.outageFailures : failures, policy.retry);
      const seconds = Math.max(wait, policy.settleDelaySeconds);
      return {
        finish: {
          state: 'unknown',
          ...next,
          checkSince: outcome.calledAt,
          nextAttemptAt: dueAt(seconds),
          error: outcome.pause
            ? `${pausedText(outcome.pause)}; Sendblue may have the last call (${outcome.reason}): checked before anything is sent`
            : `${outcome.reason}; Sendblue may have it: checking in ${seconds} s before anything is sent`,
        },
        queue: retry(seconds),
      };
    }
    case 'rejected':
      return {
        finish: { state: 'failed', ...answered, error: outcome.reason },
        queue: { action: 'dead-letter', reason: outcome.reason, kind: refusalKind(outcome.status) },
      };
    case 'gave-up':
      return {
        finish: { state: 'failed', ...kept, error: outcome.reason },
        queue: { action: 'dead-letter', reason: outcome.reason, kind: spentKind(state, policy) },
      };
    case 'never-sent':
      return {
        finish: { state: 'failed', ...kept, error: outcome.reason },
        queue: { action: 'dead-letter', reason: outcome.reason, kind: 'never-sent' },
      };
    case 'unverifiable': {
      const failures = state.failures + (outcome.counted ? 1 : 0);
      return {
        finish: {
          state: 'unknown',
          final: true,
          ...counts,
          failures,
          lastFailure: outcome.counted ? outcome.reason : state.lastFailure,
          checkSince: outcome.calledAt,
          error: outcome.reason,
        },
        queue: { action: 'done' },
      };
    }
    case 'not-recorded': {
      const seconds = retryDelaySeconds(Math.max(1, state.failures), policy.retry);
      const unclear = state.maybeSent || outcome.messageHandle !== undefined;
      return {
        finish: {
          state: unclear ? 'unknown' : 'queued',
          ...kept,
          messageHandle: outcome.messageHandle,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; will retry in ${seconds} s${unclear ? ', checking Sendblue first' : ''}`,
        },
        queue: retry(seconds),
      };
    }
  }
}

/** "Sendblue unreachable on this line since <t> (<why>): waiting for it to come back (probe every N s)". */
export function pausedText(pause: LinePause): string {
  const why = pause.reason ? ` (${pause.reason})` : '';
  return `${LINE_PAUSED_PREFIX}${new Date(pause.since).toISOString()}${why}: waiting for it to come back (probe every ${shortDuration(pause.gapMs)})`;
}
