/**
 * An outage of one line is that line's: Sendblue answers 503 to every call about line A for 30 s
 * (shortened from the two minutes: outage-503.test.ts and outage-refused.test.ts run the
 * full durations) while commands are pushed to A and to line B. A's breaker pauses A only: B's
 * commands go out at B's pace, none of them waits on a probe, and B meets no 503; A's commands are
 * all sent once after it is back, in order, with at most one call every 2 s on A meanwhile.
 * Seeded (OUTAGE_SEED=<n> to replay).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENDBLUE_LINE_LIMITS } from '../../../../lambdas/sending/line-pacing.js';
import { planSends, pushSends, reportOn, settleAll } from '../../../support/outage.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEED = Number(process.env.OUTAGE_SEED) || 20261216;
const OUTAGE_MS = 30_000;
const LINE_B = '+15550000001';
const PER_LINE = 15;

let h: Harness;
beforeAll(async () => {
  const { ratePerSecond, burst } = SENDBLUE_LINE_LIMITS;
  h = await startHarness({
    config: { lineRatePerSecond: ratePerSecond, lineBurst: burst },
    simulator: { lineRateLimit: { perSecond: ratePerSecond, burst }, extraLines: [LINE_B] },
    sender: { retry: { baseSeconds: 1, maxSeconds: 30 } },
  });
});
afterAll(() => h?.stop());

describe(`line A answers 503 for ${OUTAGE_MS / 1000} s, line B is fine (seed ${SEED})`, () => {
  it('B is not held up by A: sent at its pace without waiting on a probe; A is sent once it is back', async () => {
    console.log(`outage of one line of two: seed ${SEED}`);
    const onA = planSends(h, { seed: SEED, count: PER_LINE, groups: 5, line: LINE, prefix: 'line-a' });
    const onB = planSends(h, { seed: SEED + 1, count: PER_LINE, groups: 5, line: LINE_B, prefix: 'line-b' });
    const outageStart = Date.now();
    await h.sim.unavailableFor(OUTAGE_MS, { line: LINE });
    const recoveredAt = outageStart + OUTAGE_MS;
    // Interleaved, as producers of both lines would push them.
    const pushed = Date.now();
    await pushSends(
      h,
      onA.flatMap((send, i) => [send, onB[i]!]),
    );

    const settledB = await settleAll(
      h,
      onB.map((send) => send.id),
      OUTAGE_MS - (Date.now() - outageStart),
    );
    const bDoneAt = Date.now();
    const reportB = await reportOn(h, onB, settledB, pushed);
    // B: all sent while A was still down, each on its first or second delivery (a slot to wait
    // for comes back once; a command that waited on a probe would have come back more often).
    expect(bDoneAt).toBeLessThan(recoveredAt);
    expect(reportB.notSent, `seed ${SEED}: B`).toEqual({});
    expect(reportB.notOnce).toEqual([]);
    expect(reportB.outOfOrder).toEqual([]);
    expect([...settledB.values()].map((item) => item.attempts)).toEqual(onB.map(() => expect.any(Number)));
    expect(Math.max(...[...settledB.values()].map((item) => item.attempts))).toBeLessThanOrEqual(2);
    const { ratePerSecond, burst } = SENDBLUE_LINE_LIMITS;
    const bPhysical = (PER_LINE - burst) / ratePerSecond;
    const bTimes = h.sim
      .sentMessages()
      .filter((m) => m.line === LINE_B)
      .map((m) => Date.parse(m.date_created));
    const bSpan = (Math.max(...bTimes) - Math.min(...bTimes)) / 1000;

    const settledA = await settleAll(
      h,
      onA.map((send) => send.id),
      150_000,
    );
    const reportA = await reportOn(h, onA, settledA, recoveredAt);
    const answered503 = h.sim.requests.filter((request) => request.outage === '503');
    console.log(
      `one line of two, seed ${SEED}: B's last send ${reportB.drainSeconds.toFixed(1)} s after the push began, ` +
        `its sends spanning ${bSpan.toFixed(1)} s (its pace: ${bPhysical} s after the first burst); A: ${answered503.length} calls answered 503 in ${OUTAGE_MS / 1000} s, ` +
        `last send ${reportA.drainSeconds.toFixed(1)} s after recovery; ${JSON.stringify({ reportA, reportB })}`,
    );
    expect(reportA.notSent, `seed ${SEED}: A`).toEqual({});
    expect(reportA.notOnce).toEqual([]);
    expect(reportA.outOfOrder).toEqual([]);
    expect(reportA.drainSeconds).toBeLessThanOrEqual(120);
    expect(await h.deadLetters()).toEqual([]);
    // Every 503 was about A (B met none), at most one every 2 s on average.
    expect(answered503.length).toBeGreaterThan(0);
    expect(answered503.filter((request) => request.line !== LINE)).toEqual([]);
    expect(answered503.length / (OUTAGE_MS / 1000)).toBeLessThanOrEqual(0.5);
    expect(h.sim.requests.filter((request) => request.line === LINE_B && request.status !== 200)).toEqual([]);
  }, 300_000);
});
