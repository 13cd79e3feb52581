import type { Attempt, AttemptDeps } from './attempt.js';
import type { AttemptOutcome, LinePause } from './attempt-outcome.js';
import {
  afterAnswer,
  afterWayFailure,
  gateFor,
  isOpen,
  openedFor,
  withProbeLease,
  type BreakerSettings,
  type LineBreaker,
} from './line-breaker.js';
import type { LineSlots } from './ports.js';
import { isPacingOn, isSlotUsable } from './line-pacing.js';
import { METRIC_NAMES } from '../platform/metrics.js';

/**
 * The line a call goes out on, before and after the call: its send slot (line-pacing.ts) and its
 * circuit breaker (line-breaker.ts). The breaker only ever changes *when* a call may be made; what
 * is checked in Sendblue before a resend is the attempt's business, as without it.
 *
 * Costs: a healthy send takes its slot with one conditional write that also returns the breaker,
 * and nothing more is written. A command that is not paced (a group change, pacing off), that uses
 * a slot kept from an earlier delivery, or that was waiting out an outage reads the breaker first
 * (a GetItem). Failures, probes and the answer that ends an outage each cost one more write.
 */

/** While waiting in the invocation for a probe in flight, the breaker is read this often. */
const POLL_MS = 250;
/** Enough for any honest race; past it the command just waits on the queue. */
const MAX_LOOKS = 40;

/**
 * Before a call on `line`: undefined to make it now (with a send slot when `paced` and pacing is
 * on; as the line's probe when `attempt.probing` is set), or the outcome that ends the attempt
 * (waiting for a slot, the line's backlog, or the line paused by an outage). A wait of up to
 * `pacing.maxInProcessWaitMs` for a slot, or `breaker.probeWaitMs` for a probe, is spent here.
 */
export async function passLine(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
  paced: boolean,
): Promise<AttemptOutcome | undefined> {
  const { breaker: settings, pacing } = deps.settings;
  const pacedHere = paced && isPacingOn(pacing);
  if (!settings) {
    if (!pacedHere) return undefined;
    const taken = await takeSlot(deps, line, attempt);
    return taken.kind === 'done' ? taken.outcome : undefined;
  }
  if (attempt.probing) return undefined;
  // Sendblue's own word on the line (cached, advice only): OFFLINE pauses it without a probe.
  const view = deps.lineAdvice ? await deps.lineAdvice.forLine(line) : undefined;
  if (view?.status === LINE_OFFLINE) return offlinePause(deps, line, attempt, settings);
  const deadline = deps.now().getTime() + settings.probeWaitMs;
  const keptSlot = attempt.keptSlot && isSlotUsable(attempt.keptSlot, line, deps.now().getTime(), pacing);
  let known: LineBreaker | undefined =
    !pacedHere || keptSlot || attempt.waitedOnLine ? await deps.store.readLineBreaker(line) : undefined;

  for (let look = 0; look < MAX_LOOKS; look += 1) {
    if (known === undefined || !isOpen(known)) {
      if (known) attempt.breaker = known;
      if (!pacedHere) return undefined;
      // The reservation itself refuses while the breaker is open, and says so.
      const taken = await takeSlot(deps, line, attempt);
      if (taken.kind === 'done') return taken.outcome;
      known = taken.breaker;
      continue;
    }
    attempt.breaker = known;
    if (known.reason === LINE_OFFLINE_REASON && view?.status !== undefined) {
      // Paused because Sendblue said OFFLINE, and it no longer does: the line is back, no probe needed.
      known = await closeAfterOffline(deps, line, attempt, known);
      continue;
    }
    const nowMs = deps.now().getTime();
    const gate = gateFor(known, nowMs, settings);
    if (gate.kind === 'go') continue; // not reached: `known` is open
    if (gate.kind === 'probe') {
      const leased = withProbeLease(known, attempt.commandId, nowMs, settings)!;
      const result = await deps.store.writeLineBreaker(line, leased, known.version);
      if (result.written) {
        attempt.breaker = leased;
        attempt.probing = true;
        deps.metrics?.count(line, METRIC_NAMES.lineProbes);
        deps.logger.info('line paused by an outage: this command probes it', {
          command_id: attempt.commandId,
          line,
          paused_s: Math.round((nowMs - known.openSince!) / 1000),
        });
        return undefined;
      }
      known = result.current; // another command took the lease first, or the breaker moved on
      continue;
    }
    // A probe in flight: its result is near, look again soon; a probe due shortly: wait for it.
    const lookAt = gate.kind === 'wait' ? gate.untilMs : Math.min(gate.leaseUntil, nowMs + POLL_MS);
    if (lookAt <= deadline) {
      await deps.sleep(Math.max(0, Math.min(lookAt, nowMs + POLL_MS * 4) - nowMs));
      known = await deps.store.readLineBreaker(line);
      continue;
    }
    return { kind: 'line-paused', pause: pauseOf(line, known, settings, nowMs) };
  }
  // The breaker kept changing under us: wait on the queue like any paused command.
  const nowMs = deps.now().getTime();
  if (known && isOpen(known)) return { kind: 'line-paused', pause: pauseOf(line, known, settings, nowMs) };
  return { kind: 'line-busy', retryAt: nowMs + settings.firstProbeGapMs };
}

/**
 * Sendblue answered a call on the line (sent, refused, 408/409, 429, a check answered): the way is
 * open. Closes the breaker and forgets logged failures, when the attempt saw any (else no write).
 */
export async function noteAnswer(deps: AttemptDeps, line: string, attempt: Attempt): Promise<void> {
  const settings = deps.settings.breaker;
  const wasProbe = attempt.probing === true;
  attempt.probing = false;
  let seen = attempt.breaker;
  if (!settings || !seen) return;
  try {
    for (let tries = 0; tries < 4; tries += 1) {
      const next = afterAnswer(seen);
      if (!next) return;
      const result = await deps.store.writeLineBreaker(line, next, seen.version);
      if (result.written) {
        attempt.breaker = next;
        if (isOpen(seen)) {
          deps.logger.info('line back: Sendblue answered, the outage pause is over', {
            command_id: attempt.commandId,
            line,
            by_probe: wasProbe,
            paused_s: Math.round((deps.now().getTime() - seen.openSince!) / 1000),
          });
        }
        return;
      }
      seen = result.current;
    }
  } catch (error) {
    // The next answer (or probe) resets it; the breaker only ever delays calls.
    deps.logger.warn('could not record that the line answered', { line, error });
  }
}

/**
 * A failure of the way to Sendblue on the line: logged on its breaker (which may open), or the
 * failed probe moves the next probe on. Returns the pause to wait out when the line is paused now.
 */
export async function noteWayFailure(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
  reason: string,
): Promise<LinePause | undefined> {
  const settings = deps.settings.breaker;
  const probe = attempt.probing === true;
  attempt.probing = false;
  if (!settings) return undefined;
  try {
    let seen = attempt.breaker ?? (await deps.store.readLineBreaker(line));
    for (let tries = 0; tries < 4; tries += 1) {
      const nowMs = deps.now().getTime();
      const next = afterWayFailure(seen, { commandId: attempt.commandId, nowMs, reason, probe }, settings);
      if (!next) break; // open already, and this was no probe: the probes decide
      const result = await deps.store.writeLineBreaker(line, next, seen.version);
      if (!result.written) {
        seen = result.current;
        continue;
      }
      if (!isOpen(seen) && isOpen(next)) {
        deps.logger.warn('line paused: Sendblue unreachable from several commands; probing it, sends wait', {
          command_id: attempt.commandId,
          line,
          reason,
          first_probe_in_ms: next.probeGapMs,
        });
      }
      if (probe && next.openSince !== undefined) {
        deps.metrics?.gauge(line, METRIC_NAMES.linePausedSeconds, Math.round((nowMs - next.openSince) / 1000));
      }
      seen = next;
      break;
    }
    attempt.breaker = seen;
    return isOpen(seen) ? pauseOf(line, seen, settings, deps.now().getTime()) : undefined;
  } catch (error) {
    deps.logger.warn('could not record a failure of the way to Sendblue on the line', { line, error });
    return undefined;
  }
}

/**
 * Pauses `line` for a reason of its own (e.g. Sendblue reports the line OFFLINE): its breaker opens
 * as after failures, commands wait, and probes decide when it closes. False when it was paused
 * already (its reason is left as it is).
 */
export async function pauseLineFor(
  store: Pick<LineSlots, 'readLineBreaker' | 'writeLineBreaker'>,
  line: string,
  reason: string,
  nowMs: number,
  settings: BreakerSettings,
): Promise<boolean> {
  let seen = await store.readLineBreaker(line);
  for (let tries = 0; tries < 4; tries += 1) {
    const next = openedFor(seen, nowMs, reason, settings);
    if (!next) return false;
    const result = await store.writeLineBreaker(line, next, seen.version);
    if (result.written) return true;
    seen = result.current;
  }
  throw new Error('could not pause the line: its breaker changed on every try');
}

/** What a line's breaker says when it was opened because Sendblue reported the line OFFLINE. */
export const LINE_OFFLINE_REASON = 'Sendblue reports the line OFFLINE (lines/state)';
const LINE_OFFLINE = 'OFFLINE';

/** Sendblue reports the line OFFLINE: its breaker opens (once), and this command waits without a call. */
async function offlinePause(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
  settings: BreakerSettings,
): Promise<AttemptOutcome> {
  const nowMs = deps.now().getTime();
  if (await pauseLineFor(deps.store, line, LINE_OFFLINE_REASON, nowMs, settings)) {
    deps.logger.warn('line paused: Sendblue reports it OFFLINE; sends wait until it is back', {
      command_id: attempt.commandId,
      line,
    });
  }
  const breaker = await deps.store.readLineBreaker(line);
  attempt.breaker = breaker;
  return { kind: 'line-paused', pause: pauseOf(line, breaker, settings, nowMs) };
}

/** Closes a breaker opened for OFFLINE; returns the breaker to decide on (the one written, or the current one). */
async function closeAfterOffline(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
  seen: LineBreaker,
): Promise<LineBreaker> {
  const next = afterAnswer(seen) ?? seen;
  const result = await deps.store.writeLineBreaker(line, next, seen.version);
  if (!result.written) return result.current;
  deps.logger.info('line back: Sendblue reports it online again, the pause is over', {
    command_id: attempt.commandId,
    line,
    paused_s: Math.round((deps.now().getTime() - (seen.openSince ?? deps.now().getTime())) / 1000),
  });
  return next;
}

/** When a command waiting on an open breaker comes back: the next probe, or one gap on while one is in flight. */
function pauseOf(line: string, breaker: LineBreaker, settings: BreakerSettings, nowMs: number): LinePause {
  const gate = gateFor(breaker, nowMs, settings);
  const gapMs = breaker.probeGapMs ?? settings.firstProbeGapMs;
  return {
    line,
    since: breaker.openSince ?? nowMs,
    retryAt: gate.kind === 'wait' ? gate.untilMs : nowMs + gapMs,
    gapMs,
    reason: breaker.reason,
  };
}

type Taken = { kind: 'done'; outcome?: AttemptOutcome } | { kind: 'paused'; breaker: LineBreaker };

/**
 * The line's next send slot: a slot kept from an earlier delivery when still usable, else a new
 * one (refused while the breaker is open). A slot at most `maxInProcessWaitMs` away is waited for
 * here; a later one ends the attempt (the command waits for it on the queue).
 */
async function takeSlot(deps: AttemptDeps, line: string, attempt: Attempt): Promise<Taken> {
  const { pacing } = deps.settings;
  const nowMs = deps.now().getTime();
  let slotAt: number;
  if (attempt.keptSlot && isSlotUsable(attempt.keptSlot, line, nowMs, pacing)) {
    slotAt = attempt.keptSlot.at!;
  } else {
    const reservation = await deps.store.reserveLineSlot(line, nowMs, pacing);
    if (reservation.kind === 'beyond-horizon')
      return { kind: 'done', outcome: { kind: 'line-busy', retryAt: reservation.retryAt } };
    if (reservation.kind === 'paused') return { kind: 'paused', breaker: reservation.breaker };
    attempt.breaker = reservation.breaker;
    slotAt = reservation.slotAt;
  }
  const waitMs = slotAt - nowMs;
  if (waitMs > pacing.maxInProcessWaitMs) return { kind: 'done', outcome: { kind: 'wait-for-slot', slotAt, line } };
  if (waitMs > 0) await deps.sleep(waitMs);
  return { kind: 'done' };
}
