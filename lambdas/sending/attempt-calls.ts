import type { Attempt, AttemptDeps } from './attempt.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import { isPacingOn } from './line-pacing.js';
import { noteAnswer, noteWayFailure } from './line-gate.js';
import { classifySendblueError } from './sendblue-errors.js';
import { noteSendblueQuotaLimit } from './contact-gate.js';

export { attemptFromLedger, type Attempt, type AttemptDeps, type AttemptMode } from './attempt.js';

/**
 * A failed call to Sendblue, as an outcome. Its line's breaker learns of it: a failure of the way
 * to Sendblue is logged there (and may pause the line), any answer resets it; a 429 on a send also
 * pauses the line's slots for everyone.
 */
export async function callFailed(
  deps: AttemptDeps,
  error: unknown,
  action: string,
  calledAt: string,
  attempt: Attempt,
  line: string,
  paced: boolean,
): Promise<AttemptOutcome> {
  const failure = classifySendblueError(error, action);
  if (failure.wayToSendblue) {
    const pause = await noteWayFailure(deps, line, attempt, failure.reason);
    if (failure.kind === 'unreachable') return { kind: 'unreachable', reason: failure.reason, pause };
    attempt.state.maybeSent = true;
    return { kind: 'unclear', reason: failure.reason, calledAt, way: true, pause };
  }
  // Our own setup stopped the call before it left (no credentials): no news about Sendblue.
  if (failure.status !== undefined) await noteAnswer(deps, line, attempt);
  switch (failure.kind) {
    case 'rejected':
      return { kind: 'rejected', reason: failure.reason, status: failure.status };
    case 'retryable':
    case 'unreachable':
      return { kind: 'not-sent', reason: failure.reason, answered: failure.status !== undefined };
    case 'unclear':
      attempt.state.maybeSent = true;
      return { kind: 'unclear', reason: failure.reason, calledAt, way: false };
    case 'throttled': {
      if (failure.newContactLimit) {
        // The line's new-contact quota, not its rate: this send waits, the line's other sends go on.
        const wait = await noteSendblueQuotaLimit(deps, line, attempt, failure.newContactLimit.nextSlotAt);
        return wait ?? { kind: 'rejected', reason: failure.reason };
      }
      const { pacing } = deps.settings;
      const seconds = failure.retryAfterSeconds ?? pacing.throttlePauseMs / 1000;
      if (paced && isPacingOn(pacing)) {
        await deps.store
          .pauseLine(line, deps.now().getTime() + seconds * 1000, pacing)
          .catch((cause: unknown) => deps.logger.warn('could not pause the line after a 429', { error: cause }));
      }
      return { kind: 'throttled', reason: failure.reason, retryAfterSeconds: seconds };
    }
  }
}

/** A check in Sendblue that could not be made: the command stays unclear. */
export async function checkFailed(
  deps: AttemptDeps,
  error: unknown,
  action: string,
  attempt: Attempt,
  line: string,
): Promise<AttemptOutcome> {
  const failure = classifySendblueError(error, action);
  const reason = `could not check: ${failure.reason}`;
  if (failure.wayToSendblue) {
    const pause = await noteWayFailure(deps, line, attempt, failure.reason);
    return { kind: 'check-failed', reason, way: true, pause };
  }
  if (failure.status !== undefined) await noteAnswer(deps, line, attempt);
  return {
    kind: 'check-failed',
    reason,
    retryAfterSeconds: failure.kind === 'throttled' ? (failure.retryAfterSeconds ?? 1) : undefined,
  };
}

/** Sendblue answered a call or a check: the line's breaker learns the way is open. */
export const answered = (deps: AttemptDeps, line: string, attempt: Attempt) => noteAnswer(deps, line, attempt);
