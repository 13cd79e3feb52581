import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PACING,
  isSlotUsable,
  pausedTat,
  slotFor,
  tatAfter,
  toleranceMs,
  type PacingSettings,
} from '../../../../lambdas/sending/line-pacing.js';
import { LineLimiter, seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';

const SENDBLUE: PacingSettings = { ...DEFAULT_PACING, ratePerSecond: 1, burst: 10 };

/** Reserves a slot per request time, the way table-pacing.ts does (one shared tat). */
function reserveAll(requestTimes: number[], settings: PacingSettings): number[] {
  let tat: number | undefined;
  return requestTimes.map((now) => {
    const slot = slotFor(tat, now, settings);
    tat = tatAfter(tat, now, settings);
    return slot;
  });
}

describe('GCRA slots', () => {
  it('an idle line sends a burst at once, then one per interval', () => {
    const slots = reserveAll(
      Array.from({ length: 13 }, () => 0),
      { ...SENDBLUE, jitterMarginMs: 0 },
    );
    expect(slots).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000, 2_000, 3_000]);
  });

  it('keeps a margin for network jitter: the end of the burst and what follows come 250 ms later', () => {
    const slots = reserveAll(
      Array.from({ length: 12 }, () => 0),
      SENDBLUE,
    );
    expect(slots).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 250, 1_250, 2_250]);
  });

  it('a line idle long enough has its whole burst again', () => {
    const slots = reserveAll([...Array.from({ length: 12 }, () => 0), ...Array.from({ length: 10 }, () => 60_000)], {
      ...SENDBLUE,
      jitterMarginMs: 0,
    });
    expect(slots.slice(12)).toEqual(Array.from({ length: 10 }, () => 60_000));
  });

  it.each([
    ['exact (no margin)', 0],
    ['with the jitter margin', SENDBLUE.jitterMarginMs],
  ])(
    "never hands out slots that Sendblue's token bucket would refuse, %s (seeded random arrivals)",
    (_name, jitterMarginMs) => {
      const settings = { ...SENDBLUE, jitterMarginMs };
      for (const seed of [1, 2, 3, 42, 20261201]) {
        const random = seededRandom(seed);
        let t = 0;
        const requests = Array.from(
          { length: 400 },
          () => (t += Math.floor(random() < 0.7 ? random() * 200 : random() * 5_000)),
        );
        const slots = reserveAll(requests, settings);
        // The simulator's limiter, fed the sends at their slot times, in slot order.
        let clock = 0;
        const limiter = new LineLimiter({ perSecond: 1, burst: 10 }, () => clock);
        for (const [index, slot] of slots.entries()) {
          expect(slot, `seed ${seed}, request ${index}`).toBeGreaterThanOrEqual(requests[index]!);
          clock = slot;
          expect(limiter.take('+15550000000'), `seed ${seed}: slot ${index} at ${slot} ms refused`).toBe(true);
        }
        // And, without the margin, it is not wasteful: a slot later than its request means the bucket was empty then.
        for (const [index, slot] of slots.entries()) {
          if (jitterMarginMs > 0 || slot === requests[index]) continue;
          const before = new LineLimiter({ perSecond: 1, burst: 10 }, () => clock);
          for (const earlier of slots.slice(0, index)) {
            clock = earlier;
            before.take('+1');
          }
          clock = slot - 5;
          expect(before.take('+1'), `seed ${seed}: slot ${index} could have been earlier`).toBe(false);
        }
      }
    },
  );

  it('a 429 pauses the whole burst: the next slot is not before the pause ends', () => {
    const tat = pausedTat(5_000, SENDBLUE);
    expect(slotFor(tat, 0, SENDBLUE)).toBe(5_000);
    expect(toleranceMs(SENDBLUE)).toBe(8_750);
  });

  it('a kept slot is used on the same line until it is stale', () => {
    expect(isSlotUsable({ at: 10_000, line: '+1' }, '+1', 12_000, SENDBLUE)).toBe(true);
    expect(isSlotUsable({ at: 10_000, line: '+1' }, '+1', 10_000 + SENDBLUE.slotGraceMs + 1, SENDBLUE)).toBe(false);
    expect(isSlotUsable({ at: 10_000, line: '+1' }, '+2', 10_000, SENDBLUE)).toBe(false);
    expect(isSlotUsable({}, '+1', 10_000, SENDBLUE)).toBe(false);
  });
});
