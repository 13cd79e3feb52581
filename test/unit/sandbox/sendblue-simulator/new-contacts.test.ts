/**
 * New-contact quotas per line: over HTTP with the SDK (a group send that needs more new contacts
 * than the line has left is answered 429 naming the quota), and the ledger itself on a clock the
 * test moves (the rolling hour, the day that resets at 3am New York time), including a seeded
 * randomized run checked against the rules. Replay a run with SIM_QUOTA_SEED=<seed>.
 */
import { RateLimitError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, D, E, LINE, LINE2, apiError, sdkClient, useSimulator } from './support.js';
import { NEW_CONTACT_LIMITS } from '../../../../lambdas/contract/sendblue-rules.js';
import {
  lastDailyReset,
  NewContactLedger,
  nextDailyReset,
} from '../../../../sandbox/sendblue-simulator/new-contacts.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/random.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';

const fx = useSimulator({ lines: [LINE, LINE2], newContactQuota: true, lineRateLimit: false });
const person = (n: number) => `+1212555${String(n).padStart(4, '0')}`;
const HOUR = 3_600_000;

describe('a group send over the quota (newContactQuota: true, Sendblue 15 an hour, 50 a day)', () => {
  it('takes up to 15 new contacts an hour on a line, then answers 429 naming the hourly quota; known numbers still go out', async () => {
    expect(NEW_CONTACT_LIMITS).toEqual({ perHour: 15, perDay: 50 });
    const first = await fx.client.groups.sendMessage({
      numbers: Array.from({ length: 14 }, (_, i) => person(i)),
      content: 'fourteen',
      from_number: LINE,
    });
    expect(first.status).toBe('QUEUED');
    const over = await apiError(
      fx.client.groups.sendMessage({ numbers: [person(0), person(100), person(101)], content: 'x', from_number: LINE }),
    );
    expect(over).toBeInstanceOf(RateLimitError);
    expect(over.status).toBe(429);
    expect(over.error).toMatchObject({
      status: 'ERROR',
      error: 'new_contact_limit',
      error_code: 4001,
      quota: 'hourly',
      limit: 15,
      used: 14,
      needed: 2,
      line: LINE,
      next_slot_at: expect.any(String),
      error_message: expect.stringContaining('new contact'),
    });
    expect(over.headers?.get('retry-after')).toBeNull(); // Sendblue documents none
    // The 15th fits; the same numbers again cost nothing; the other line has its own quota.
    await fx.client.groups.sendMessage({ numbers: [person(0), person(100)], content: 'x', from_number: LINE });
    await fx.client.groups.sendMessage({
      numbers: Array.from({ length: 14 }, (_, i) => person(i)),
      content: 'again',
      from_number: LINE,
    });
    await fx.client.groups.sendMessage({ numbers: [person(200), person(201)], content: 'x', from_number: LINE2 });
    expect(fx.sim.sentMessages()).toHaveLength(4);

    const { body } = await fx.raw('/api/v2/lines/usage');
    expect(body.enabled).toBe(true);
    expect(body.lines[0]).toMatchObject({
      state: 'limited',
      hourly: { used: 15, remaining: 0 },
      availableAt: body.lines[0].hourly.nextSlotAt,
    });
    expect(body.lines[1]).toMatchObject({ state: 'available', hourly: { used: 2 }, availableAt: null });
  });

  it('refuses a send naming more new numbers than a whole hour allows, with no next slot', async () => {
    const error = await apiError(
      fx.client.groups.sendMessage({
        numbers: Array.from({ length: 16 }, (_, i) => person(300 + i)),
        content: 'too many',
        from_number: LINE,
      }),
    );
    expect(error.error).toMatchObject({ quota: 'hourly', needed: 16, next_slot_at: null });
    expect(fx.sim.sentMessages()).toEqual([]);
  });

  it('clearNewContactUsage (and DELETE lines/<n>/usage) lets the line take new contacts again; known numbers stay known', async () => {
    await fx.client.groups.sendMessage({
      numbers: Array.from({ length: 15 }, (_, i) => person(i)),
      content: 'full',
      from_number: LINE,
    });
    expect(
      (await apiError(fx.client.groups.sendMessage({ numbers: [A], content: 'x', from_number: LINE }))).status,
    ).toBe(429);
    expect((await fx.control(`lines/${LINE}/usage`, { method: 'DELETE' })).status).toBe(200);
    await fx.client.groups.sendMessage({ numbers: [A], content: 'x', from_number: LINE });
    fx.sim.clearNewContactUsage();
    await fx.client.groups.sendMessage({
      numbers: [A, ...Array.from({ length: 15 }, (_, i) => person(i))],
      content: 'x',
      from_number: LINE,
    });
    const { body } = await fx.raw('/api/v2/lines/usage');
    expect(body.lines[0].hourly.used).toBe(0); // all of them were known
    expect(() => fx.sim.clearNewContactUsage('+15559999999')).toThrow(/not a line/);
  });

  it('members who opted out are not messaged, so they take no quota', async () => {
    fx.sim.optOut(E);
    await fx.client.groups.sendMessage({ numbers: [D, E], content: 'x', from_number: LINE });
    expect((await fx.raw('/api/v2/lines/usage')).body.lines[0].hourly.used).toBe(1);
  });
});

describe('quota settings', () => {
  it('is off by default: counted and reported (enabled: false), never refused', async () => {
    const sim = await startSendblueSimulator({ apiKeyId: 'k', apiSecretKey: 's', lines: [LINE], lineRateLimit: false });
    try {
      const client = sdkClient(sim, { apiKey: 'k', apiSecret: 's' });
      await client.groups.sendMessage({
        numbers: Array.from({ length: 25 }, (_, i) => person(i)),
        content: 'x',
        from_number: LINE,
      });
      await client.groups.sendMessage({ numbers: [A, B, C], content: 'x', from_number: LINE });
      const usage = (await fetch(`${sim.url}/api/v2/lines/usage`, {
        headers: { 'sb-api-key-id': 'k', 'sb-api-secret-key': 's' },
      }).then((r) => r.json())) as Record<string, any>;
      expect(usage.enabled).toBe(false);
      expect(usage.lines[0]).toMatchObject({
        state: 'available',
        hourly: { used: 28, remaining: 0 },
        availableAt: null,
      });
    } finally {
      await sim.stop();
    }
  });

  it('takes custom limits (a daily quota under the hourly one answers 429 daily) and refuses nonsense', async () => {
    const sim = await startSendblueSimulator({
      apiKeyId: 'k',
      apiSecretKey: 's',
      lines: [LINE],
      newContactQuota: { perHour: 100, perDay: 3 },
    });
    try {
      const client = sdkClient(sim, { apiKey: 'k', apiSecret: 's' });
      await client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE });
      const error = await apiError(client.groups.sendMessage({ numbers: [C, D], content: 'x', from_number: LINE }));
      expect(error.error).toMatchObject({ quota: 'daily', limit: 3, used: 2, needed: 2 });
      expect(Date.parse((error.error as { next_slot_at: string }).next_slot_at)).toBe(nextDailyReset(Date.now()));
    } finally {
      await sim.stop();
    }
    for (const newContactQuota of [{ perHour: 0 }, { perDay: 1.5 }, { hourWindowMs: -1 }]) {
      await expect(
        startSendblueSimulator({ apiKeyId: 'k', apiSecretKey: 's', lines: [LINE], newContactQuota }),
      ).rejects.toThrow(/positive integer/);
    }
  });
});

describe('the ledger on a clock the test moves', () => {
  const limits = { perHour: 3, perDay: 5, hourWindowMs: HOUR };

  it('frees a slot of the rolling hour an hour after it was taken, and the day at 3am New York time', () => {
    let now = Date.parse('2026-10-06T12:00:00Z'); // 8am in New York (EDT)
    const ledger = new NewContactLedger(limits, true, () => now);
    ledger.record(LINE, [A, B]);
    now += 20 * 60_000;
    ledger.record(LINE, [C]);
    expect(ledger.refusal(LINE, 1)).toEqual({
      quota: 'hourly',
      limit: 3,
      used: 3,
      needed: 1,
      fitsAt: Date.parse('2026-10-06T13:00:00Z'),
    });
    expect(ledger.refusal(LINE, 2)?.fitsAt).toBe(Date.parse('2026-10-06T13:00:00Z'));
    expect(ledger.refusal(LINE, 3)?.fitsAt).toBe(Date.parse('2026-10-06T13:20:00Z'));
    expect(ledger.usage(LINE)).toMatchObject({
      hourly: { used: 3, remaining: 0, nextSlotAt: '2026-10-06T13:00:00.000Z' },
      daily: { used: 3, remaining: 2, resetsAt: '2026-10-07T07:00:00.000Z' },
      availableAt: '2026-10-06T13:00:00.000Z',
    });
    now = Date.parse('2026-10-06T13:00:00.001Z');
    expect(ledger.refusal(LINE, 2)).toBeUndefined();
    ledger.record(LINE, [D, E]);
    // 5 today: the day is full although the hour is not.
    now = Date.parse('2026-10-06T15:00:00Z');
    expect(ledger.refusal(LINE, 1)).toEqual({
      quota: 'daily',
      limit: 5,
      used: 5,
      needed: 1,
      fitsAt: Date.parse('2026-10-07T07:00:00Z'),
    });
    expect(ledger.usage(LINE).availableAt).toBe('2026-10-07T07:00:00.000Z');
    now = Date.parse('2026-10-07T07:00:00Z');
    expect(ledger.refusal(LINE, 3)).toBeUndefined();
    expect(ledger.usage(LINE)).toMatchObject({ hourly: { used: 0 }, daily: { used: 0 }, availableAt: null });
    expect(ledger.newContacts(LINE, [A, B, C, D, E, person(1)])).toEqual([person(1)]);
  });

  it('resets at 3am in New York summer and winter time, across the clock changes', () => {
    const cases: Array<[string, string, string]> = [
      ['2026-10-06T17:00:00Z', '2026-10-06T07:00:00.000Z', '2026-10-07T07:00:00.000Z'],
      ['2026-12-05T07:59:00Z', '2026-12-04T08:00:00.000Z', '2026-12-05T08:00:00.000Z'],
      ['2026-12-05T08:00:00Z', '2026-12-05T08:00:00.000Z', '2026-12-06T08:00:00.000Z'],
      ['2026-03-08T06:30:00Z', '2026-03-07T08:00:00.000Z', '2026-03-08T07:00:00.000Z'],
      ['2026-11-01T06:59:00Z', '2026-10-31T07:00:00.000Z', '2026-11-01T08:00:00.000Z'],
      ['2026-12-31T23:00:00Z', '2026-12-31T08:00:00.000Z', '2027-01-01T08:00:00.000Z'],
    ];
    for (const [at, last, next] of cases) {
      expect([
        new Date(lastDailyReset(Date.parse(at))).toISOString(),
        new Date(nextDailyReset(Date.parse(at))).toISOString(),
      ]).toEqual([last, next]);
    }
  });

  it('seeded: whatever the sends, no window ever holds more than its limit, and every refusal is owed to one', () => {
    const seed = Number(process.env.SIM_QUOTA_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`new-contact quota seed ${seed} (replay: SIM_QUOTA_SEED=${seed})`);
    const random = seededRandom(seed);
    const int = (n: number) => Math.floor(random() * n);
    let now = Date.parse('2026-06-01T00:00:00Z') + int(86_400_000);
    const ledger = new NewContactLedger(limits, true, () => now);
    const lines = [LINE, LINE2];
    const pool = Array.from({ length: 40 }, (_, i) => person(i));
    /** What the test saw taken: per line, [time, number] of each first message. */
    const taken = new Map<string, Array<[number, string]>>(lines.map((line) => [line, []]));
    /** Per line: members who wrote before the line messaged them. */
    const wroteFirst = new Map<string, Set<string>>(lines.map((line) => [line, new Set()]));
    let refused = 0;
    for (let step = 0; step < 2_000; step += 1) {
      now += int(4) === 0 ? int(3 * HOUR) : int(10 * 60_000);
      const line = lines[int(lines.length)] as string;
      const numbers = Array.from({ length: 1 + int(4) }, () => pool[int(pool.length)] as string);
      if (int(10) === 0) {
        const writer = pool[int(pool.length)] as string;
        ledger.wroteFirst(line, writer);
        wroteFirst.get(line)!.add(writer);
      }
      const fresh = ledger.newContacts(line, numbers);
      const history = taken.get(line)!;
      const known = new Set([...history.map(([, number]) => number), ...wroteFirst.get(line)!]);
      // New exactly when neither messaged by the line nor a member who wrote to it first.
      expect(fresh.sort()).toEqual([...new Set(numbers.filter((number) => !known.has(number)))].sort());
      const refusal = ledger.refusal(line, fresh.length);
      const inHour = history.filter(([at]) => at > now - HOUR).length;
      const today = history.filter(([at]) => at >= lastDailyReset(now)).length;
      if (refusal) {
        refused += 1;
        // Owed to the window it names, and taking it would overflow that window.
        const used = refusal.quota === 'hourly' ? inHour : today;
        expect(refusal.used).toBe(used);
        expect(used + fresh.length).toBeGreaterThan(refusal.quota === 'hourly' ? limits.perHour : limits.perDay);
        if (refusal.fitsAt !== null) expect(refusal.fitsAt).toBeGreaterThan(now);
        continue;
      }
      expect(inHour + fresh.length).toBeLessThanOrEqual(limits.perHour);
      expect(today + fresh.length).toBeLessThanOrEqual(limits.perDay);
      ledger.record(line, numbers);
      for (const number of fresh) history.push([now, number]);
      const usage = ledger.usage(line);
      expect(usage.hourly.used).toBe(inHour + fresh.length);
      expect(usage.daily.used).toBe(today + fresh.length);
    }
    expect(refused).toBeGreaterThan(0);
    expect([...taken.values()].flat().length).toBeGreaterThan(10);
  });
});
