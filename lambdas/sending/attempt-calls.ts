import type { AttemptOutcome, AttemptState, SenderPolicy } from './attempt-outcome.js';
import { isPacingOn, isSlotUsable, type PacingSettings } from './line-pacing.js';
import type { Logger } from '../platform/logger.js';
import type { AttemptStore, SendblueApi } from './ports.js';
import { classifySendblueError } from './sendblue-errors.js';
import type { StatusRelay } from '../webhooks/ports.js';
import type { CommandItem, CommandState } from '../contract/items.js';

/** What a send or group-change attempt needs; built once per sender (sending/command-processor.ts). */
export interface AttemptDeps {
  store: AttemptStore;
  sendblue: SendblueApi;
  relay: StatusRelay;
  logger: Logger;
  settings: {
    fromNumber: string;
    statusCallbackUrl: () => Promise<string>;
    policy: SenderPolicy;
    pacing: PacingSettings;
  };
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** One attempt at one command, holding its lease. `state` changes as the attempt learns. */
export interface Attempt {
  commandId: string;
  state: AttemptState;
  /** Unclear calls are looked up in Sendblue's list from here (minus clock skew). */
  checkSince: string;
  /** Sendblue accepted it earlier but recording failed: look it up by handle. */
  knownHandle?: string;
  /** A slot reserved by an earlier delivery. */
  keptSlot?: { at?: number; line?: string };
  /** The ledger's state before this claim (`sending`: an earlier attempt stopped mid-way). */
  previousState?: CommandState;
}

/**
 * `full`: check first when needed, then call. `check-only`: only the check, never a call (the
 * sweep of unknown commands whose queue message is gone, docs/sending.md "Exactly once").
 */
export type AttemptMode = 'full' | 'check-only';

/** The attempt a claim starts, from what the ledger entry held before it. */
export function attemptFromLedger(
  commandId: string,
  previous: CommandItem | undefined,
  mustCheck: boolean,
  nowIso: string,
): Attempt {
  return {
    commandId,
    state: {
      maybeSent: mustCheck,
      failures: previous?.failures ?? 0,
      checkFailures: previous?.check_failures ?? 0,
      lastFailure: previous?.last_failure,
    },
    checkSince: previous?.check_since ?? previous?.first_attempt_at ?? nowIso,
    knownHandle: previous?.message_handle,
    keptSlot: { at: previous?.slot_at, line: previous?.slot_line },
    previousState: previous?.state,
  };
}

/** A failed call to Sendblue, as an outcome (a 429 on a send also pauses the line for everyone). */
export async function callFailed(
  deps: AttemptDeps,
  error: unknown,
  action: string,
  calledAt: string,
  attempt: Attempt,
  line?: string,
): Promise<AttemptOutcome> {
  const failure = classifySendblueError(error, action);
  switch (failure.kind) {
    case 'rejected':
      return { kind: 'rejected', reason: failure.reason };
    case 'retryable':
      return { kind: 'not-sent', reason: failure.reason };
    case 'unclear':
      attempt.state.maybeSent = true;
      return { kind: 'unclear', reason: failure.reason, calledAt };
    case 'throttled': {
      const { pacing } = deps.settings;
      const seconds = failure.retryAfterSeconds ?? pacing.throttlePauseMs / 1000;
      if (line && isPacingOn(pacing)) {
        await deps.store
          .pauseLine(line, deps.now().getTime() + seconds * 1000, pacing)
          .catch((cause: unknown) => deps.logger.warn('could not pause the line after a 429', { error: cause }));
      }
      return { kind: 'throttled', reason: failure.reason, retryAfterSeconds: seconds };
    }
  }
}

/** A check in Sendblue that could not be made: the command stays unclear. */
export function checkFailed(error: unknown, action: string): AttemptOutcome {
  const failure = classifySendblueError(error, action);
  return {
    kind: 'check-failed',
    reason: `could not check: ${failure.reason}`,
    retryAfterSeconds: failure.kind === 'throttled' ? (failure.retryAfterSeconds ?? 1) : undefined,
  };
}

/**
 * Waits for the line's next send slot when it is near (in the invocation), or says when to come
 * back (the command waits on the queue). Undefined: go ahead and call now.
 */
export async function waitForSlot(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
): Promise<AttemptOutcome | undefined> {
  const { pacing } = deps.settings;
  if (!isPacingOn(pacing)) return undefined;
  const nowMs = deps.now().getTime();
  let slotAt: number;
  if (attempt.keptSlot && isSlotUsable(attempt.keptSlot, line, nowMs, pacing)) {
    slotAt = attempt.keptSlot.at!;
  } else {
    const reservation = await deps.store.reserveLineSlot(line, nowMs, pacing);
    if (reservation.kind === 'beyond-horizon') return { kind: 'line-busy', retryAt: reservation.retryAt };
    slotAt = reservation.slotAt;
  }
  const waitMs = slotAt - nowMs;
  if (waitMs > pacing.maxInProcessWaitMs) return { kind: 'wait-for-slot', slotAt, line };
  if (waitMs > 0) await deps.sleep(waitMs);
  return undefined;
}
