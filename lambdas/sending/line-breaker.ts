/**
 * A circuit breaker per Sendblue line, free of I/O (docs/sending.md "When Sendblue is down: an
 * outage, not a failure").
 *
 * An outage is not a command's fault: when several different commands fail the same way (the
 * request never left, no answer, a 5xx) within a short window with no answer between, the line's
 * breaker opens. While it is open no command calls on that line; the first one that comes back at
 * or after `probeAt` takes the probe lease and makes its own next call (its send, or its check) as
 * the probe. Any answer from Sendblue that is not a 5xx closes the breaker; another failure of the
 * way to Sendblue moves `probeAt` on by a growing gap (2 s, 4 s, 8 s by default). So a line costs
 * at most one call every few seconds during an outage, never one per waiting command.
 *
 * The state lives on the line's pacing item (adapters/table-pacing.ts), shared by every sender
 * invocation; every change is one conditional write that compares `version`. This module says
 * what each change is; line-gate.ts does the reads and writes.
 */

export interface BreakerSettings {
  /** Failures from this many different commands within `windowMs`, with no answer between, open the breaker. */
  openAfterCommands: number;
  windowMs: number;
  /** The first probe comes this long after the breaker opens. */
  firstProbeGapMs: number;
  /** Each failed probe multiplies the gap by this... */
  probeGapFactor: number;
  /** ...up to this. */
  maxProbeGapMs: number;
  /** How long a prober holds the line's probe lease: longer than one call (then another may probe). */
  probeLeaseMs: number;
  /** A command that finds a probe in flight waits this long in the invocation for its result. */
  probeWaitMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  openAfterCommands: 3,
  windowMs: 30_000,
  firstProbeGapMs: 2_000,
  probeGapFactor: 2,
  maxProbeGapMs: 8_000,
  // One Sendblue call (10 s in AWS) and a little more.
  probeLeaseMs: 15_000,
  probeWaitMs: 2_000,
};

/** The breaker part of a line's pacing item. */
export interface LineBreaker {
  /** Failures of the way to Sendblue not yet answered by a success: command id -> when (epoch ms). */
  failures: Record<string, number>;
  /** When the breaker opened (epoch ms); absent while it is closed. */
  openSince?: number;
  /** The failure that opened it, or the last probe's: safe to show (no request data). */
  reason?: string;
  /** No call on the line before this while open (epoch ms). */
  probeAt?: number;
  probeGapMs?: number;
  /** A probe is in flight until this (epoch ms), by `probeBy`. */
  probeLeaseUntil?: number;
  probeBy?: string;
  /** Raised by every change: a write is conditional on the version it was computed from. */
  version: number;
}

export const CLOSED_BREAKER: LineBreaker = { failures: {}, version: 0 };

export const isOpen = (breaker: LineBreaker): boolean => breaker.openSince !== undefined;
export const hasFailures = (breaker: LineBreaker): boolean => Object.keys(breaker.failures).length > 0;

/** What a command may do on the line now. */
export type Gate =
  | { kind: 'go' }
  /** Open, and it is time for a probe: take the lease, then make this call as the probe. */
  | { kind: 'probe' }
  /** Open, and another command's probe is in flight: its result is worth waiting for briefly. */
  | { kind: 'probe-in-flight'; leaseUntil: number; gapMs: number }
  /** Open: no call before `untilMs`. */
  | { kind: 'wait'; untilMs: number; gapMs: number };

export function gateFor(breaker: LineBreaker, nowMs: number, settings: BreakerSettings): Gate {
  if (!isOpen(breaker)) return { kind: 'go' };
  const gapMs = breaker.probeGapMs ?? settings.firstProbeGapMs;
  if (breaker.probeLeaseUntil !== undefined && breaker.probeLeaseUntil > nowMs)
    return { kind: 'probe-in-flight', leaseUntil: breaker.probeLeaseUntil, gapMs };
  const probeAt = breaker.probeAt ?? 0;
  if (probeAt <= nowMs) return { kind: 'probe' };
  return { kind: 'wait', untilMs: probeAt, gapMs };
}

/** The breaker with `commandId` holding the probe lease, or undefined when it is not time for a probe. */
export function withProbeLease(
  breaker: LineBreaker,
  commandId: string,
  nowMs: number,
  settings: BreakerSettings,
): LineBreaker | undefined {
  if (gateFor(breaker, nowMs, settings).kind !== 'probe') return undefined;
  return {
    ...breaker,
    probeLeaseUntil: nowMs + settings.probeLeaseMs,
    probeBy: commandId,
    version: breaker.version + 1,
  };
}

export interface WayFailure {
  commandId: string;
  nowMs: number;
  /** Safe to store and show. */
  reason: string;
  /** The call was the line's probe (its maker held the probe lease). */
  probe: boolean;
}

/**
 * After a failure of the way to Sendblue: the breaker to write, or undefined when nothing changes
 * (a call that was already under way when the breaker opened: the probes decide from here).
 */
export function afterWayFailure(
  breaker: LineBreaker,
  failure: WayFailure,
  settings: BreakerSettings,
): LineBreaker | undefined {
  const { commandId, nowMs, reason, probe } = failure;
  if (isOpen(breaker)) {
    if (!probe) return undefined;
    const gap = nextGap(breaker.probeGapMs, settings);
    return {
      failures: {},
      openSince: breaker.openSince,
      reason,
      probeAt: nowMs + gap,
      probeGapMs: gap,
      version: breaker.version + 1,
    };
  }
  const failures = recentFailures({ ...breaker.failures, [commandId]: nowMs }, nowMs, settings);
  if (Object.keys(failures).length >= settings.openAfterCommands) return opened(breaker, nowMs, reason, settings);
  return { ...breaker, failures, version: breaker.version + 1 };
}

/**
 * After an answer from Sendblue that is not a 5xx (sent, refused, 408/409, 429, a check answered):
 * the way is open. Closes the breaker and forgets the failures; undefined when there is nothing to
 * reset (a healthy line: no write).
 */
export function afterAnswer(breaker: LineBreaker): LineBreaker | undefined {
  if (!isOpen(breaker) && !hasFailures(breaker)) return undefined;
  return { failures: {}, version: breaker.version + 1 };
}

/**
 * Opens the breaker for a reason of its own (e.g. Sendblue reports the line OFFLINE): probes then
 * decide when it closes, as after failures. Undefined when it is open already.
 */
export function openedFor(
  breaker: LineBreaker,
  nowMs: number,
  reason: string,
  settings: BreakerSettings,
): LineBreaker | undefined {
  return isOpen(breaker) ? undefined : opened(breaker, nowMs, reason, settings);
}

function opened(breaker: LineBreaker, nowMs: number, reason: string, settings: BreakerSettings): LineBreaker {
  return {
    failures: {},
    openSince: nowMs,
    reason,
    probeAt: nowMs + settings.firstProbeGapMs,
    probeGapMs: settings.firstProbeGapMs,
    version: breaker.version + 1,
  };
}

export function nextGap(gapMs: number | undefined, settings: BreakerSettings): number {
  if (gapMs === undefined) return settings.firstProbeGapMs;
  return Math.min(settings.maxProbeGapMs, Math.max(settings.firstProbeGapMs, gapMs * settings.probeGapFactor));
}

/** Failures within the window, the newest `openAfterCommands` at most (the map stays small). */
function recentFailures(
  failures: Record<string, number>,
  nowMs: number,
  settings: BreakerSettings,
): Record<string, number> {
  const recent = Object.entries(failures)
    .filter(([, at]) => Number.isFinite(at) && at > nowMs - settings.windowMs)
    .sort(([, a], [, b]) => b - a)
    .slice(0, Math.max(1, settings.openAfterCommands));
  return Object.fromEntries(recent);
}

/**
 * The breaker settings for an outage budget: a command waiting out an outage comes back once per
 * probe gap, and SQS moves a message to the DLQ by itself after `maxReceiveCount` receives (without
 * a reason). So the gap's cap grows with the budget where needed, keeping a whole budget's waits
 * within half of that count: 8 s for the default hour.
 */
export function breakerForBudget(
  settings: BreakerSettings,
  outageBudgetMs: number,
  maxReceiveCount: number,
): BreakerSettings {
  const floor = Math.ceil(outageBudgetMs / (maxReceiveCount / 2));
  return { ...settings, maxProbeGapMs: Math.max(settings.maxProbeGapMs, floor) };
}

/**
 * The receives a command costs waiting a whole outage budget on an open breaker: one per probe gap,
 * plus the first one that found the breaker open.
 */
export function receivesToRideOut(settings: BreakerSettings, outageBudgetMs: number): number {
  let waited = 0;
  let gap: number | undefined;
  let receives = 1;
  while (waited < outageBudgetMs) {
    gap = nextGap(gap, settings);
    waited += gap;
    receives += 1;
  }
  return receives;
}
