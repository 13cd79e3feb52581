import type { LineBreaker } from './line-breaker.js';

/**
 * Per-line pacing, free of I/O: Sendblue lets a line send about 1 message per second with bursts
 * of 10, and answers 429 beyond. Every sender invocation takes its send slots from one shared
 * record per line (table-pacing.ts), using GCRA (the "virtual scheduling" form of a token bucket):
 * the record holds the line's theoretical arrival time `tat`; a request at `now` gets the slot
 * `max(now, tat - tolerance)` and moves `tat` to `max(tat, now) + interval`. Slots are handed out
 * ahead of time, so a command whose slot is far off waits on the queue, not in a Lambda.
 */
export interface PacingSettings {
  /** Sends per second per line; 0 turns pacing off. Sendblue: about 1. */
  ratePerSecond: number;
  /** Sends a line may make at once after being idle. Sendblue: 10. */
  burst: number;
  /** A slot at most this far off is waited for inside the invocation; a later one on the queue. */
  maxInProcessWaitMs: number;
  /** Slots are handed out at most this far ahead; a command facing a longer backlog comes back later. */
  horizonMs: number;
  /** A reserved slot is still used when the command returns up to this late (else a new one is taken). */
  slotGraceMs: number;
  /** Without a Retry-After, a 429 pauses the line this long. */
  throttlePauseMs: number;
  /**
   * Taken off the burst allowance: a send reaches Sendblue a little after its slot, and the first
   * of a burst (a cold connection) may arrive later than the next, so Sendblue's bucket starts a
   * little behind ours. Without it the first send after a burst may meet a 429.
   */
  jitterMarginMs: number;
}

export const SENDBLUE_LINE_LIMITS = { ratePerSecond: 1, burst: 10 } as const;

export const DEFAULT_PACING: PacingSettings = {
  ...SENDBLUE_LINE_LIMITS,
  maxInProcessWaitMs: 2_000,
  horizonMs: 3_600_000,
  slotGraceMs: 5_000,
  throttlePauseMs: 2_000,
  jitterMarginMs: 250,
};

export const isPacingOn = (settings: PacingSettings) => settings.ratePerSecond > 0;
export const intervalMs = (settings: PacingSettings) => 1000 / settings.ratePerSecond;
/** How far `tat` may run ahead of now while a send is still allowed at once (the burst, less the margin). */
export const toleranceMs = (settings: PacingSettings) =>
  Math.max(0, (Math.floor(settings.burst) - 1) * intervalMs(settings) - settings.jitterMarginMs);

/** The slot a request at `nowMs` gets given the line's `tat` (absent: an idle line). */
export function slotFor(tat: number | undefined, nowMs: number, settings: PacingSettings): number {
  return Math.max(nowMs, (tat ?? 0) - toleranceMs(settings));
}

/** The line's `tat` after a reservation at `nowMs`. */
export function tatAfter(tat: number | undefined, nowMs: number, settings: PacingSettings): number {
  return Math.max(tat ?? 0, nowMs) + intervalMs(settings);
}

/** A 429 means no send may reach the line before `untilMs`: the `tat` that says so. */
export const pausedTat = (untilMs: number, settings: PacingSettings) => untilMs + toleranceMs(settings);

/** Whether a slot kept in the ledger can still be used now (same line, not too stale). */
export function isSlotUsable(
  slot: { at?: number; line?: string },
  line: string,
  nowMs: number,
  settings: PacingSettings,
): boolean {
  return slot.line === line && typeof slot.at === 'number' && nowMs <= slot.at + settings.slotGraceMs;
}

export type Reservation =
  /** `breaker`: the line's breaker as the reservation found it (closed; failures may be logged). */
  | { kind: 'slot'; slotAt: number; breaker: LineBreaker }
  /** The line's backlog is beyond the horizon: come back at `retryAt` and ask again. */
  | { kind: 'beyond-horizon'; retryAt: number }
  /** The line's breaker is open: no slot was taken. */
  | { kind: 'paused'; breaker: LineBreaker };
