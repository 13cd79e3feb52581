/**
 * The new-contact quota as pure decisions (lambdas/sending/new-contact-quota.ts): the rolling
 * hour, the 3am New York day, one spend per command, Sendblue's word (its 429's next slot, its
 * usage), the text a user reads; Sendblue's lines answers read defensively; a 429
 * `new_contact_limit` told from a rate 429. A seeded run spends from one record with many commands
 * on a clock and checks the promises: never more than the quota in any hour or day, a wait ends
 * when the send fits, no command spends twice. QUOTA_SEED=<n> replays one run.
 */
import { describe, expect, it } from 'vitest';
import { lineStatesFrom, lineUsageFrom } from '../../../../lambdas/adapters/sendblue-lines.js';
import { lastDailyReset, nextDailyReset } from '../../../../lambdas/contract/new-contact-day.js';
import { adviceOf } from '../../../../lambdas/sending/line-advice.js';
import {
  blockedBySendblue,
  type ContactQuota,
  decideQuota,
  DEFAULT_NEW_CONTACT_LIMITS,
  EMPTY_QUOTA,
  holdText,
  KNOWN_CONTACT_MS,
  newContactsOf,
  type QuotaRequest,
} from '../../../../lambdas/sending/new-contact-quota.js';
import { classifySendblueError } from '../../../../lambdas/sending/sendblue-errors.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';

// 10:00Z is 5am in New York (winter): the day began at 08:00Z and resets at 08:00Z tomorrow.
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const LIMITS = { perHour: 3, perDay: 5, hourWindowMs: 60_000 };
const ask = (
  quota: ContactQuota,
  commandId: string,
  needed: number,
  nowMs: number,
  extra: Partial<QuotaRequest> = {},
) => decideQuota(quota, { commandId, needed, nowMs, limits: LIMITS, ...extra });

/** Spends for `commandId` and returns the record written (fails the test when it does not fit). */
function spend(quota: ContactQuota, commandId: string, needed: number, nowMs: number): ContactQuota {
  const decision = ask(quota, commandId, needed, nowMs);
  if (decision.kind !== 'spend') throw new Error(`expected a spend, got ${JSON.stringify(decision)}`);
  return decision.next;
}

describe('the rolling hour and the day', () => {
  it('spends up to the hour, then waits until enough of the oldest spends have left it', () => {
    let quota = spend(EMPTY_QUOTA, 'a', 1, T0);
    quota = spend(quota, 'b', 1, T0 + 10_000);
    const full = ask(quota, 'c', 2, T0 + 20_000);
    // 2 used, 2 needed, 3 an hour: the first spend must leave (at T0 + 60 s).
    expect(full).toEqual({ kind: 'wait', hold: { window: 'hour', needed: 2, left: 1, untilMs: T0 + 60_000 } });
    expect(ask(quota, 'c', 2, T0 + 60_001)).toMatchObject({ kind: 'spend' });
    // Needing 3 waits for both to leave.
    expect(ask(quota, 'c', 3, T0 + 20_000)).toMatchObject({ kind: 'wait', hold: { untilMs: T0 + 70_000 } });
  });

  it('counts the day from 3am New York, and waits for the next 3am when the day is used', () => {
    let quota = EMPTY_QUOTA;
    for (let i = 0; i < 5; i += 1) quota = spend(quota, `c${i}`, 1, T0 + i * 61_000);
    expect(ask(quota, 'x', 1, T0 + 400_000)).toEqual({
      kind: 'wait',
      hold: { window: 'day', needed: 1, left: 0, untilMs: Date.parse('2026-12-02T08:00:00.000Z') },
    });
    expect(ask(quota, 'x', 1, Date.parse('2026-12-02T08:00:00.001Z'))).toMatchObject({ kind: 'spend' });
    expect(lastDailyReset(T0)).toBe(Date.parse('2026-12-01T08:00:00.000Z'));
    expect(nextDailyReset(T0)).toBe(Date.parse('2026-12-02T08:00:00.000Z'));
  });

  it('never: more new contacts than a whole window allows, with a reason that says what to do', () => {
    expect(ask(EMPTY_QUOTA, 'big', 4, T0)).toEqual({
      kind: 'never',
      reason: expect.stringContaining("needs 4 new contacts on its line, more than the line's quota of 3 an hour"),
    });
    expect(ask(EMPTY_QUOTA, 'big', 6, T0, { limits: { ...LIMITS, perHour: 10 } })).toMatchObject({
      kind: 'never',
      reason: expect.stringContaining('5 a day'),
    });
  });

  it('a command spends once: its redelivery or retry goes without spending again, whatever is left', () => {
    let quota = spend(EMPTY_QUOTA, 'a', 3, T0);
    expect(ask(quota, 'a', 3, T0 + 1_000)).toEqual({ kind: 'go' });
    expect(ask(quota, 'b', 1, T0 + 1_000)).toMatchObject({ kind: 'wait' });
    quota = { ...quota, version: 7 };
    expect(ask(quota, 'none', 0, T0)).toEqual({ kind: 'go' });
  });

  it('drops spends older than both windows from the record it writes', () => {
    const old = { spends: [{ command: 'old', at: T0 - 86_400_000, count: 2 }], version: 4 };
    const decision = ask(old, 'new', 1, T0);
    expect(decision).toEqual({
      kind: 'spend',
      next: { spends: [{ command: 'new', at: T0, count: 1 }], blockedUntil: undefined, version: 5 },
    });
  });
});

describe("Sendblue's word", () => {
  it('its new_contact_limit blocks every new-contact spend on the line until its next slot', () => {
    const blocked = blockedBySendblue(EMPTY_QUOTA, T0 + 30_000)!;
    expect(blocked).toEqual({ spends: [], blockedUntil: T0 + 30_000, version: 1 });
    expect(blockedBySendblue(blocked, T0 + 10_000)).toBeUndefined();
    expect(ask(blocked, 'a', 1, T0)).toEqual({
      kind: 'wait',
      hold: { window: 'sendblue', needed: 1, left: 0, untilMs: T0 + 30_000 },
    });
    // Past it, the spend goes and the stale block is dropped.
    expect(ask(blocked, 'a', 1, T0 + 30_001)).toMatchObject({ kind: 'spend', next: { blockedUntil: undefined } });
  });

  it('its usage, less what we spent since it was read, holds a send it cannot take', () => {
    const advice = { sampledAt: T0, hourlyRemaining: 2, dailyRemaining: 40, hourlyNextSlotAt: T0 + 45_000 };
    const quota = spend(EMPTY_QUOTA, 'a', 1, T0 + 1_000);
    // Sendblue had 2 left at T0; we spent 1 since: 1 left, 2 needed.
    expect(ask(quota, 'b', 2, T0 + 2_000, { advice })).toEqual({
      kind: 'wait',
      hold: { window: 'sendblue', needed: 2, left: 1, untilMs: T0 + 45_000 },
    });
    expect(ask(quota, 'b', 1, T0 + 2_000, { advice })).toMatchObject({ kind: 'spend' });
    expect(ask(EMPTY_QUOTA, 'b', 1, T0, { advice: { sampledAt: T0, availableAt: T0 + 5_000 } })).toMatchObject({
      kind: 'wait',
      hold: { untilMs: T0 + 5_000 },
    });
  });

  it('reads lines/usage and lines/state defensively; a quota not enforced gives no advice', () => {
    const usage = lineUsageFrom({
      status: 'OK',
      enabled: true,
      lines: [
        {
          phone: '+15550000000',
          state: 'limited',
          sampledAt: '2026-12-01T10:00:00.000Z',
          hourly: { used: 15, limit: 15, remaining: 0, nextSlotAt: '2026-12-01T10:30:00.000Z' },
          daily: { used: 15, limit: 50, remaining: 35, resetsAt: '2026-12-02T08:00:00.000Z', nextSlotAt: null },
          availableAt: '2026-12-01T10:30:00.000Z',
        },
        { state: 'no phone' },
        'nonsense',
        { phone: '+15550000001', hourly: { used: 'x' } },
      ],
    });
    expect(usage).toEqual([
      {
        line: '+15550000000',
        state: 'limited',
        enabled: true,
        sampledAt: '2026-12-01T10:00:00.000Z',
        hourly: { used: 15, limit: 15, remaining: 0, nextSlotAt: '2026-12-01T10:30:00.000Z' },
        daily: { used: 15, limit: 50, remaining: 35, resetsAt: '2026-12-02T08:00:00.000Z' },
        availableAt: '2026-12-01T10:30:00.000Z',
      },
      { line: '+15550000001', enabled: true, hourly: {} },
    ]);
    expect(adviceOf(usage[0]!, 0)).toEqual({
      usage: {
        sampledAt: T0,
        hourlyRemaining: 0,
        dailyRemaining: 35,
        hourlyNextSlotAt: Date.parse('2026-12-01T10:30:00.000Z'),
        dailyResetsAt: Date.parse('2026-12-02T08:00:00.000Z'),
        availableAt: Date.parse('2026-12-01T10:30:00.000Z'),
      },
    });
    expect(adviceOf({ ...usage[0]!, enabled: false }, 0)).toEqual({});
    expect(lineUsageFrom(null)).toEqual([]);
    expect(
      lineStatesFrom({ data: [{ sendblue_number: '+1555', status: 'OFFLINE' }, { status: 'ONLINE' }, 7] }),
    ).toEqual([{ line: '+1555', status: 'OFFLINE' }]);
    expect(lineStatesFrom('<html>')).toEqual([]);
  });

  it("tells Sendblue's new_contact_limit 429 from a rate 429", () => {
    const body = {
      status: 'ERROR',
      error: 'new_contact_limit',
      message: 'quota',
      next_slot_at: '2026-12-01T10:30:00Z',
    };
    const quota = classifySendblueError({ status: 429, error: body, headers: {} }, 'send the group message');
    expect(quota).toMatchObject({ kind: 'throttled', newContactLimit: { nextSlotAt: Date.parse(body.next_slot_at) } });
    const never = classifySendblueError({ status: 429, error: { ...body, next_slot_at: null } }, 'send');
    expect(never.newContactLimit).toEqual({});
    const rate = classifySendblueError({ status: 429, error: { error: 'rate_limited' } }, 'send');
    expect(rate.kind).toBe('throttled');
    expect(rate.newContactLimit).toBeUndefined();
  });
});

describe('who is new, and what the user reads', () => {
  it('a number is new unless the line messaged it within 30 days', () => {
    const known = new Map([
      ['+1a', T0 - 1_000],
      ['+1b', T0 - KNOWN_CONTACT_MS - 1],
    ]);
    expect(newContactsOf(['+1a', '+1b', '+1c', '+1c'], known, T0)).toEqual(['+1b', '+1c']);
  });

  it('says how many it needs, how many are left, and when it goes next', () => {
    expect(holdText({ window: 'hour', needed: 3, left: 1, untilMs: Date.parse('2026-12-01T14:05:00Z') }, T0)).toBe(
      "waiting for the line's new-contact quota: 3 new contacts, 1 left this hour; next at 14:05:00Z (not a failure)",
    );
    expect(holdText({ window: 'day', needed: 1, left: 0, untilMs: T0 + 2 * 86_400_000 }, T0)).toContain(
      '1 new contact, 0 left today; next at 2026-12-03T10:00:00.000Z',
    );
  });
});

describe('seeded: many commands spend from one record', () => {
  const seed = Number(process.env.QUOTA_SEED) || 20261205;
  it(`never more than the quota in any hour or day, waits end when the send fits, one spend per command (seed ${seed})`, () => {
    console.log(`new-contact quota run: seed ${seed} (QUOTA_SEED=${seed} replays it)`);
    const random = seededRandom(seed);
    const limits = { perHour: 15, perDay: 50, hourWindowMs: 3_600_000 };
    let quota = EMPTY_QUOTA;
    let nowMs = T0;
    const log: Array<{ at: number; count: number; command: string }> = [];
    const waiting = new Map<string, { needed: number; untilMs: number }>();
    let fitted = 0;
    for (let step = 0; step < 3_000; step += 1) {
      nowMs += Math.floor(random() * 600_000);
      // A waiting command comes back at its time (or later), else a new one arrives.
      const due = [...waiting].find(([, wait]) => wait.untilMs <= nowMs);
      const [command, needed] = due ? [due[0], due[1].needed] : [`cmd-${step}`, 1 + Math.floor(random() * 5)];
      const decision = decideQuota(quota, { commandId: command, needed, nowMs, limits });
      if (decision.kind === 'spend') {
        // A spend's record is the old one's window plus this spend, one version on.
        expect(decision.next.version).toBe(quota.version + 1);
        quota = decision.next;
        log.push({ at: nowMs, count: needed, command });
        waiting.delete(command);
      } else if (decision.kind === 'wait') {
        expect(decision.hold.untilMs).toBeGreaterThan(nowMs);
        // Nothing else spent meanwhile: at its time it fits, or (an hour's wait that ran into the
        // day's reset) it waits again for later, never for the same time.
        const then = decideQuota(quota, { commandId: command, needed, nowMs: decision.hold.untilMs, limits });
        if (then.kind === 'spend') fitted += 1;
        else expect(then.kind === 'wait' && then.hold.untilMs > decision.hold.untilMs, `seed ${seed}`).toBe(true);
        waiting.set(command, { needed, untilMs: decision.hold.untilMs });
      } else {
        throw new Error(`seed ${seed}: unexpected ${decision.kind}`);
      }
    }
    expect(new Set(log.map((entry) => entry.command)).size).toBe(log.length);
    expect(log.length).toBeGreaterThan(150);
    expect(fitted).toBeGreaterThan(30);
    for (const entry of log) {
      const hour = log.filter((other) => other.at > entry.at - limits.hourWindowMs && other.at <= entry.at);
      expect(
        hour.reduce((total, other) => total + other.count, 0),
        `seed ${seed}`,
      ).toBeLessThanOrEqual(15);
      const day = log.filter((other) => other.at >= lastDailyReset(entry.at) && other.at <= entry.at);
      expect(
        day.reduce((total, other) => total + other.count, 0),
        `seed ${seed}`,
      ).toBeLessThanOrEqual(50);
    }
    expect(DEFAULT_NEW_CONTACT_LIMITS).toEqual({ perHour: 15, perDay: 50, hourWindowMs: 3_600_000 });
  });
});
