import { lastDailyReset, nextDailyReset } from '../contract/new-contact-day.js';
import { NEW_CONTACT_LIMITS } from '../contract/sendblue-rules.js';

/**
 * A line's new-contact quota, free of I/O (docs/sending.md "The line's new-contact quota: a send waits until it fits").
 *
 * Sendblue lets a line start conversations with about 15 new contacts an hour and 50 a day (its
 * limits page): a new contact is a number the line never messaged (in 30 days). A member who wrote
 * to the line first counts against Sendblue's separate inbound limit, not this one.
 *
 * Every sender invocation spends from one record per line (adapters/table-line-contacts.ts): the spends
 * of the last day, each with its command, and a `version`; a spend is one conditional write on the
 * version it was computed from, so two commands never both take the last slot. A command that has
 * spent already (a redelivery, a retry) never spends again. Windows: a rolling hour, and a day that
 * resets at 3am New York time (contract/new-contact-day.ts), as Sendblue counts them.
 */

export interface NewContactLimits {
  perHour: number;
  perDay: number;
  /** The rolling "hour" (shorter in tests). */
  hourWindowMs: number;
}

export const DEFAULT_NEW_CONTACT_LIMITS: NewContactLimits = { ...NEW_CONTACT_LIMITS, hourWindowMs: 3_600_000 };

/** Sendblue looks back this far for "never messaged": a number not messaged for longer is new again. */
export const KNOWN_CONTACT_MS = 30 * 86_400_000;
/** A known contact's record is rewritten (its 30 days renewed) at most this often. */
export const KNOWN_REFRESH_MS = 86_400_000;

export interface QuotaSpend {
  command: string;
  /** When it was spent (epoch ms). */
  at: number;
  count: number;
}

/** The counter part of a line's quota record. */
export interface ContactQuota {
  spends: QuotaSpend[];
  /** Sendblue answered `new_contact_limit` (or its usage says the quota is used up): no spend before this. */
  blockedUntil?: number;
  version: number;
}

export const EMPTY_QUOTA: ContactQuota = { spends: [], version: 0 };

/** What Sendblue's `lines/usage` said about the line (line-advice.ts), when it was read. */
export interface UsageAdvice {
  sampledAt: number;
  hourlyRemaining?: number;
  dailyRemaining?: number;
  /** When the hour's oldest counted contact leaves it (epoch ms). */
  hourlyNextSlotAt?: number;
  /** When the day resets (epoch ms). */
  dailyResetsAt?: number;
  /** When a used-up quota frees (epoch ms); absent while it has room. */
  availableAt?: number;
}

/** Why a send waits: which window, how many it needs, how many are left there, and when it fits. */
export interface QuotaHold {
  window: 'hour' | 'day' | 'sendblue';
  needed: number;
  left: number;
  untilMs: number;
}

export type QuotaDecision =
  /** Nothing to spend: no new contact, or this command spent already. */
  | { kind: 'go' }
  /** Write `next` (conditional on the version `quota` had), then call. */
  | { kind: 'spend'; next: ContactQuota }
  | { kind: 'wait'; hold: QuotaHold }
  /** More new contacts than a whole window allows: it never fits. */
  | { kind: 'never'; reason: string };

export interface QuotaRequest {
  commandId: string;
  /** New contacts the send would make. */
  needed: number;
  nowMs: number;
  limits: NewContactLimits;
  advice?: UsageAdvice;
}

const sum = (spends: readonly QuotaSpend[]) => spends.reduce((total, spend) => total + spend.count, 0);

/** Spends still inside one of the windows, oldest first (older ones are dropped from the record). */
export function recentSpends(quota: ContactQuota, nowMs: number, limits: NewContactLimits): QuotaSpend[] {
  const since = Math.min(nowMs - limits.hourWindowMs, lastDailyReset(nowMs));
  return quota.spends.filter((spend) => spend.at >= since).sort((a, b) => a.at - b.at);
}

/** Whether `needed` new contacts fit now, and the record to write if they do. */
export function decideQuota(quota: ContactQuota, request: QuotaRequest): QuotaDecision {
  const { commandId, needed, nowMs, limits } = request;
  if (needed <= 0 || quota.spends.some((spend) => spend.command === commandId)) return { kind: 'go' };
  if (needed > limits.perHour || needed > limits.perDay) {
    const [limit, per] = needed > limits.perHour ? [limits.perHour, 'an hour'] : [limits.perDay, 'a day'];
    return {
      kind: 'never',
      reason: `this send needs ${needed} new contacts on its line, more than the line's quota of ${limit} ${per}: it can never go out at once (send to fewer new numbers, or split the group)`,
    };
  }
  const spends = recentSpends(quota, nowMs, limits);
  // The day first: its count only falls at the reset, so an hour's wait would end in a day's wait.
  const dayUsed = sum(spends.filter((spend) => spend.at >= lastDailyReset(nowMs)));
  if (dayUsed + needed > limits.perDay) {
    return {
      kind: 'wait',
      hold: { window: 'day', needed, left: Math.max(0, limits.perDay - dayUsed), untilMs: nextDailyReset(nowMs) },
    };
  }
  const inHour = spends.filter((spend) => spend.at > nowMs - limits.hourWindowMs);
  const hourUsed = sum(inHour);
  if (hourUsed + needed > limits.perHour) {
    // It fits once enough of the oldest spends have left the rolling hour.
    let freed = 0;
    let untilMs = nowMs + limits.hourWindowMs;
    for (const spend of inHour) {
      freed += spend.count;
      if (hourUsed - freed + needed <= limits.perHour) {
        untilMs = spend.at + limits.hourWindowMs;
        break;
      }
    }
    return { kind: 'wait', hold: { window: 'hour', needed, left: Math.max(0, limits.perHour - hourUsed), untilMs } };
  }
  const sendblueWait = sendblueHold(quota, spends, request);
  if (sendblueWait) return { kind: 'wait', hold: sendblueWait };
  return {
    kind: 'spend',
    next: {
      spends: [...spends, { command: commandId, at: nowMs, count: needed }],
      blockedUntil: quota.blockedUntil !== undefined && quota.blockedUntil > nowMs ? quota.blockedUntil : undefined,
      version: quota.version + 1,
    },
  };
}

/**
 * Sendblue's own word, when it is stricter than our count (other senders on the account, a lower
 * limit than ours): its `new_contact_limit` answer, or its usage less what we spent since it was read.
 */
function sendblueHold(quota: ContactQuota, spends: QuotaSpend[], request: QuotaRequest): QuotaHold | undefined {
  const { needed, nowMs, advice } = request;
  const later = (atMs: number | undefined) => (atMs !== undefined && atMs > nowMs ? atMs : undefined);
  const blocked = later(quota.blockedUntil) ?? later(advice?.availableAt);
  if (blocked !== undefined) return { window: 'sendblue', needed, left: 0, untilMs: blocked };
  if (!advice) return undefined;
  const spentSince = sum(spends.filter((spend) => spend.at >= advice.sampledAt));
  const hourLeft = advice.hourlyRemaining === undefined ? undefined : advice.hourlyRemaining - spentSince;
  const dayLeft = advice.dailyRemaining === undefined ? undefined : advice.dailyRemaining - spentSince;
  // A window whose next slot has passed since the sample has freed: the advice is out of date there.
  // Without a time from Sendblue, a minute after the sample (the advice is fresh again by then).
  const short = [
    hourLeft !== undefined && needed > hourLeft ? { left: hourLeft, at: advice.hourlyNextSlotAt } : undefined,
    dayLeft !== undefined && needed > dayLeft ? { left: dayLeft, at: advice.dailyResetsAt } : undefined,
  ].flatMap((entry) => {
    const at = entry && later(entry.at ?? advice.sampledAt + 60_000);
    return entry && at !== undefined ? [{ left: entry.left, at }] : [];
  });
  if (!short.length) return undefined;
  const untilMs = Math.max(...short.map((entry) => entry.at));
  return { window: 'sendblue', needed, left: Math.max(0, Math.min(...short.map((entry) => entry.left))), untilMs };
}

/**
 * After Sendblue answered `new_contact_limit` with `next_slot_at`: no spend on the line before then.
 * Undefined when the record says so already.
 */
export function blockedBySendblue(quota: ContactQuota, untilMs: number): ContactQuota | undefined {
  if (quota.blockedUntil !== undefined && quota.blockedUntil >= untilMs) return undefined;
  return { ...quota, blockedUntil: untilMs, version: quota.version + 1 };
}

/** What the sender writes while a send waits for the quota (the CLI's --wait shows it as is). */
export const QUOTA_HOLD_PREFIX = "waiting for the line's new-contact quota: ";

/** "waiting for the line's new-contact quota: 3 new contacts, 1 left this hour; next at 14:05:00Z". */
export function holdText(hold: QuotaHold, nowMs: number): string {
  const where = { hour: 'left this hour', day: 'left today', sendblue: 'left as Sendblue counts them' }[hold.window];
  const at = new Date(hold.untilMs).toISOString();
  const when = hold.untilMs - nowMs < 86_400_000 ? `${at.slice(11, 19)}Z` : at;
  const contacts = hold.needed === 1 ? '1 new contact' : `${hold.needed} new contacts`;
  return `${QUOTA_HOLD_PREFIX}${contacts}, ${hold.left} ${where}; next at ${when} (not a failure)`;
}

/** The recipients of a send the line has not messaged within Sendblue's look-back (`known`: number -> last messaged). */
export function newContactsOf(
  recipients: readonly string[],
  known: ReadonlyMap<string, number>,
  nowMs: number,
): string[] {
  return [...new Set(recipients)].filter((number) => {
    const at = known.get(number);
    return at === undefined || at <= nowMs - KNOWN_CONTACT_MS;
  });
}
