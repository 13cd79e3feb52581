/**
 * Outages a test causes. `503`: every API call, or each call naming one line, answers 503 until
 * a time (checked per request, no timer). `refuse`: the port itself is closed (listener.ts); this
 * only remembers until when, for `GET /__simulator/outage`.
 */
import type { Outage } from './types.js';

/** A day: longer outages are a typo, not a test. */
export const MAX_OUTAGE_MS = 86_400_000;

export interface OutageState {
  refuse: { until: string } | null;
  unavailable: Array<{ until: string; line: string | null }>;
}

export class Outages {
  private windows: Array<{ until: number; line?: string }> = [];
  private refusingUntil: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  unavailableFor(ms: number, line?: string): void {
    this.windows.push({ until: this.now() + ms, ...(line ? { line } : {}) });
  }

  refusing(until: number | null): void {
    this.refusingUntil = until;
  }

  /** Whether an account-wide 503 outage is on. */
  accountDown(): boolean {
    return this.active().some((window) => window.line === undefined);
  }

  /** Whether a call naming these lines is caught by a 503 outage (account-wide, or of one of them). */
  blocks(lines: readonly string[]): boolean {
    return this.active().some((window) => window.line === undefined || lines.includes(window.line));
  }

  state(): OutageState {
    return {
      refuse: this.refusingUntil !== null ? { until: new Date(this.refusingUntil).toISOString() } : null,
      unavailable: this.active().map((window) => ({
        until: new Date(window.until).toISOString(),
        line: window.line ?? null,
      })),
    };
  }

  clear(): void {
    this.windows = [];
    this.refusingUntil = null;
  }

  private active(): Array<{ until: number; line?: string }> {
    const now = this.now();
    this.windows = this.windows.filter((window) => window.until > now);
    return this.windows;
  }
}

/** Checks an outage from a caller (control endpoint or code); `lines` are the account's. */
export function checkOutage(
  value: unknown,
  lines: readonly string[],
): { ok: true; outage: Outage } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'the outage must be a JSON object {kind, ms, line?}' };
  const { kind, ms, line } = value as Record<string, unknown>;
  if (kind !== 'refuse' && kind !== '503') return { ok: false, error: 'kind must be refuse or 503' };
  if (!(Number.isInteger(ms) && (ms as number) >= 1 && (ms as number) <= MAX_OUTAGE_MS))
    return { ok: false, error: `ms must be an integer from 1 to ${MAX_OUTAGE_MS}` };
  if (line !== undefined && line !== null) {
    if (kind !== '503')
      return { ok: false, error: 'line applies to 503 outages only (a refused port refuses every line)' };
    if (typeof line !== 'string' || !lines.includes(line))
      return { ok: false, error: 'line must be one of the account lines' };
  }
  return {
    ok: true,
    outage: { kind, ms: ms as number, ...(typeof line === 'string' ? { line } : {}) },
  };
}
