import type { CommandFinish } from './ports.js';

/**
 * The command state machine after an attempt, free of I/O (docs/sending.md "Exactly once"):
 *
 *   queued  --attempt--> sending --accepted-----------------------------> sent
 *                           |----Sendblue refused (4xx) -----------------> failed (DLQ)
 *                           |----not sent (408/409, unreachable) -------> queued (failure counted)
 *                           |----429 / waiting for a line slot ---------> queued (not counted)
 *                           '----no answer, 5xx, crash -----------------> unknown (failure counted)
 *   unknown --attempt--> ask Sendblue first: found -> sent; not found -> as queued;
 *                        the check failed -> unknown again (never queued, never failed)
 *   unknown, its queue message gone --sweep (check only)--> found -> sent;
 *                        not found -> failed (DLQ: a redrive sends it); the check failed -> unknown
 *   send_reaction: nothing in Sendblue can be checked (no handle, no list of reactions), so a
 *                  call that may have reached it ends `unknown` for good ('unverifiable'), never repeated
 *
 * `failed` is written only when Sendblue refused, or a successful check proved that nothing was
 * sent (and the failure budget is spent, or no queue message is left to send it), so an accepted
 * command never ends failed.
 */
export type AttemptOutcome =
  | { kind: 'sent'; how: 'sent' | 'found'; groupId?: string; messageHandle?: string; note?: string }
  /** A send slot on the line is reserved for later: the command waits for it on the queue. */
  | { kind: 'wait-for-slot'; slotAt: number; line: string }
  /** The line's backlog is longer than the pacing horizon: come back at `retryAt`. */
  | { kind: 'line-busy'; retryAt: number }
  /** Sendblue answered 429 to the call. */
  | { kind: 'throttled'; reason: string; retryAfterSeconds: number }
  /** The check in Sendblue (after an unclear attempt) could not be made. */
  | { kind: 'check-failed'; reason: string; retryAfterSeconds?: number }
  /** The call provably did not take effect. */
  | { kind: 'not-sent'; reason: string }
  /** The call may have taken effect. */
  | { kind: 'unclear'; reason: string; calledAt: string }
  | { kind: 'rejected'; reason: string }
  /** A check proved nothing was sent, and the failure budget is spent. */
  | { kind: 'gave-up' }
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
  failures: number;
  checkFailures: number;
  lastFailure?: string;
}

export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

export interface SenderPolicy {
  /** Failed attempts (429s and slot waits excluded) before a command is given up. */
  maxAttempts: number;
  retry: RetryPolicy;
  /** After an unclear attempt, wait at least this long before asking Sendblue (its list may lag). */
  settleDelaySeconds: number;
}

export type QueueStep =
  | { action: 'done' }
  | { action: 'retry'; seconds: number }
  | { action: 'dead-letter'; reason: string };

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

/** Whether another call may be made (failures so far are below the budget). */
export const mayTryAgain = (state: AttemptState, policy: SenderPolicy) => state.failures < policy.maxAttempts;

export function nextStep(outcome: AttemptOutcome, state: AttemptState, policy: SenderPolicy, nowMs: number): NextStep {
  const counts = { failures: state.failures, checkFailures: state.checkFailures, lastFailure: state.lastFailure };
  const retry = (seconds: number): QueueStep => ({
    action: 'retry',
    seconds: Math.min(MAX_QUEUE_WAIT_SECONDS, Math.max(0, Math.floor(seconds))),
  });
  const dueAt = (seconds: number) => new Date(nowMs + seconds * 1000).toISOString();
  const stillUnclear = state.maybeSent ? 'unknown' : 'queued';

  switch (outcome.kind) {
    case 'sent':
      return {
        finish: {
          state: 'sent',
          groupId: outcome.groupId,
          messageHandle: outcome.messageHandle,
          error: outcome.note,
          ...counts,
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
          ...counts,
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
          ...counts,
          nextAttemptAt: dueAt(seconds),
          error: `line busy: its backlog is longer than the pacing horizon; asking again in ${seconds} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'throttled': {
      const seconds = Math.ceil(outcome.retryAfterSeconds);
      return {
        finish: {
          state: stillUnclear,
          ...counts,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; back-pressure (not a failure): again in ${seconds} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'check-failed': {
      const checkFailures = state.checkFailures + (outcome.retryAfterSeconds === undefined ? 1 : 0);
      const seconds = Math.ceil(outcome.retryAfterSeconds ?? retryDelaySeconds(checkFailures, policy.retry));
      return {
        finish: {
          state: 'unknown',
          ...counts,
          checkFailures,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; Sendblue may have it: checking again in ${seconds} s before anything is sent`,
        },
        queue: retry(seconds),
      };
    }
    case 'not-sent': {
      const failures = state.failures + 1;
      if (failures >= policy.maxAttempts) return giveUp(failures, outcome.reason, counts);
      const seconds = retryDelaySeconds(failures, policy.retry);
      return {
        finish: {
          state: 'queued',
          ...counts,
          failures,
          lastFailure: outcome.reason,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; retry ${failures + 1} of ${policy.maxAttempts} in ${seconds} s`,
        },
        queue: retry(seconds),
      };
    }
    case 'unclear': {
      const failures = state.failures + 1;
      const seconds = Math.max(retryDelaySeconds(failures, policy.retry), policy.settleDelaySeconds);
      return {
        finish: {
          state: 'unknown',
          ...counts,
          failures,
          lastFailure: outcome.reason,
          checkSince: outcome.calledAt,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; Sendblue may have it: checking in ${seconds} s before anything is sent`,
        },
        queue: retry(seconds),
      };
    }
    case 'rejected':
      return {
        finish: { state: 'failed', ...counts, error: outcome.reason },
        queue: { action: 'dead-letter', reason: outcome.reason },
      };
    case 'gave-up':
      return giveUp(state.failures, state.lastFailure ?? 'no reason recorded', counts);
    case 'never-sent':
      return {
        finish: { state: 'failed', ...counts, error: outcome.reason },
        queue: { action: 'dead-letter', reason: outcome.reason },
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
          ...counts,
          messageHandle: outcome.messageHandle,
          nextAttemptAt: dueAt(seconds),
          error: `${outcome.reason}; will retry in ${seconds} s${unclear ? ', checking Sendblue first' : ''}`,
        },
        queue: retry(seconds),
      };
    }
  }
}

function giveUp(
  failures: number,
  lastReason: string,
  counts: Pick<CommandFinish, 'failures' | 'checkFailures' | 'lastFailure'>,
): NextStep {
  const reason = `gave up after ${failures} attempts: ${lastReason}`;
  return {
    finish: { state: 'failed', ...counts, failures, lastFailure: lastReason, error: reason },
    queue: { action: 'dead-letter', reason },
  };
}
