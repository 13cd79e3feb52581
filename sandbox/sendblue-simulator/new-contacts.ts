/**
 * New contacts per line, as Sendblue counts them (docs.sendblue.com/api-v2/line-usage, /limits):
 * a number the line never messaged is a new contact when the line first sends to it; a number
 * that wrote to the line first is not (it counts against Sendblue's separate, larger inbound
 * limit, which the simulator does not model). Two windows: a rolling hour and a day that resets
 * at 3am Eastern. Sendblue looks back 30 days for "never messaged"; the simulator never forgets
 * (it lives for minutes).
 */
import { lastDailyReset, nextDailyReset } from '../../lambdas/contract/new-contact-day.js';
import { NEW_CONTACT_LIMITS } from '../../lambdas/contract/sendblue-rules.js';

/** The day's reset, shared with the sender's quota (lambdas/contract/new-contact-day.ts). */
export { lastDailyReset, nextDailyReset };

export interface NewContactLimits {
  perHour: number;
  perDay: number;
  /** The rolling "hour" (shorter in tests). */
  hourWindowMs: number;
}

export const DEFAULT_NEW_CONTACT_LIMITS: NewContactLimits = { ...NEW_CONTACT_LIMITS, hourWindowMs: 3_600_000 };

/** Why a send may not take its new contacts now: the first window it would overflow. */
export interface QuotaRefusal {
  quota: 'hourly' | 'daily';
  limit: number;
  used: number;
  /** New contacts the send needs. */
  needed: number;
  /** When it would fit (ms since the epoch); null when it never can (more than the whole quota). */
  fitsAt: number | null;
}

export interface QuotaWindow {
  used: number;
  limit: number;
  remaining: number;
  /** When the next counted contact leaves the window (ISO); null when none is counted. */
  nextSlotAt: string | null;
}

/** `GET /api/v2/lines/usage`'s per-line counts, in Sendblue's field names. */
export interface LineContactUsage {
  hourly: QuotaWindow;
  daily: QuotaWindow & { resetsAt: string };
  /** When the line can take a new contact again (ISO); null while it can (or while the quota is off). */
  availableAt: string | null;
}

export class NewContactLedger {
  /** Per line: every number it messaged or that wrote to it first (never new again). */
  private readonly known = new Map<string, Set<string>>();
  /** Per line: when each counted new contact was first messaged, oldest first. */
  private readonly counted = new Map<string, number[]>();

  constructor(
    readonly limits: NewContactLimits,
    /** Off: counted and reported, never refused. */
    readonly enforced: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The numbers that would be new contacts for this line. */
  newContacts(line: string, numbers: readonly string[]): string[] {
    const known = this.known.get(line);
    return [...new Set(numbers)].filter((number) => !known?.has(number));
  }

  /** Why `needed` new contacts cannot go out on this line now; undefined when they can (or the quota is off). */
  refusal(line: string, needed: number): QuotaRefusal | undefined {
    if (!this.enforced || needed === 0) return undefined;
    const now = this.now();
    const times = this.recent(line, now);
    const hourly = times.filter((at) => at > now - this.limits.hourWindowMs);
    if (hourly.length + needed > this.limits.perHour) {
      // It fits once enough of the oldest have left the rolling hour.
      const mustLeave = hourly.length + needed - this.limits.perHour;
      const leaving = hourly[mustLeave - 1];
      return {
        quota: 'hourly',
        limit: this.limits.perHour,
        used: hourly.length,
        needed,
        fitsAt: needed > this.limits.perHour || leaving === undefined ? null : leaving + this.limits.hourWindowMs,
      };
    }
    const daily = times.filter((at) => at >= lastDailyReset(now));
    if (daily.length + needed > this.limits.perDay) {
      return {
        quota: 'daily',
        limit: this.limits.perDay,
        used: daily.length,
        needed,
        fitsAt: needed > this.limits.perDay ? null : nextDailyReset(now),
      };
    }
    return undefined;
  }

  /** The line messaged these numbers: the ones it never had are counted now. */
  record(line: string, numbers: readonly string[]): void {
    const fresh = this.newContacts(line, numbers);
    if (!fresh.length) return;
    const known = this.knownOf(line);
    for (const number of fresh) known.add(number);
    const now = this.now();
    this.counted.set(line, [...this.recent(line, now), ...fresh.map(() => now)]);
  }

  /** The number wrote to the line before the line ever messaged it: known, not counted. */
  wroteFirst(line: string, number: string): void {
    this.knownOf(line).add(number);
  }

  usage(line: string): LineContactUsage {
    const now = this.now();
    const times = this.recent(line, now);
    const inHour = times.filter((at) => at > now - this.limits.hourWindowMs);
    const today = times.filter((at) => at >= lastDailyReset(now));
    const resetsAt = nextDailyReset(now);
    const hourly = window(inHour.length, this.limits.perHour, inHour[0], this.limits.hourWindowMs);
    const daily = window(today.length, this.limits.perDay, today.length ? resetsAt : undefined, 0);
    const waits: number[] = [];
    if (this.enforced && hourly.remaining === 0 && inHour[0] !== undefined)
      waits.push(inHour[0] + this.limits.hourWindowMs);
    if (this.enforced && daily.remaining === 0) waits.push(resetsAt);
    return {
      hourly,
      daily: { ...daily, resetsAt: new Date(resetsAt).toISOString() },
      availableAt: waits.length ? new Date(Math.max(...waits)).toISOString() : null,
    };
  }

  /** Forgets the counted contacts of one line or all (as if the windows had passed); known numbers stay known. */
  forget(line?: string): void {
    if (line === undefined) this.counted.clear();
    else this.counted.delete(line);
  }

  clear(): void {
    this.known.clear();
    this.counted.clear();
  }

  private knownOf(line: string): Set<string> {
    const known = this.known.get(line) ?? new Set<string>();
    this.known.set(line, known);
    return known;
  }

  /** Counted times still inside one of the windows (older ones are dropped). */
  private recent(line: string, now: number): number[] {
    const since = Math.min(now - this.limits.hourWindowMs, lastDailyReset(now));
    const kept = (this.counted.get(line) ?? []).filter((at) => at >= since);
    this.counted.set(line, kept);
    return kept;
  }
}

function window(used: number, limit: number, oldest: number | undefined, lengthMs: number): QuotaWindow {
  return {
    used,
    limit,
    remaining: Math.max(0, limit - used),
    nextSlotAt: oldest === undefined ? null : new Date(oldest + lengthMs).toISOString(),
  };
}
