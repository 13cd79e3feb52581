/**
 * Issue 16, at its own numbers: Sendblue's address refuses connections for 150 s (DNS trouble, a
 * load balancer gone) while 30 commands in 10 groups are pushed. Before, all 30 ended `failed` on
 * the DLQ after 5 attempts. Now the line's breaker pauses it: no command spends a budget, at most
 * one probe goes out every few seconds, and once Sendblue is back every command is sent exactly
 * once, in order per group, at the line's pace (Sendblue's 1/s, bursts of 10, enforced by the
 * simulator). Seeded (OUTAGE_SEED=<n> to replay); about 4 minutes, most of it waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENDBLUE_LINE_LIMITS } from '../../../../lambdas/sending/line-pacing.js';
import { countRequestsTo, planSends, pushSends, reportOn, settleAll } from '../../../support/outage.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEED = Number(process.env.OUTAGE_SEED) || 20261216;
const OUTAGE_MS = 150_000;
const COMMANDS = 30;
const GROUPS = 10;

let h: Harness;
beforeAll(async () => {
  const { ratePerSecond, burst } = SENDBLUE_LINE_LIMITS;
  h = await startHarness({
    config: { lineRatePerSecond: ratePerSecond, lineBurst: burst },
    simulator: { lineRateLimit: { perSecond: ratePerSecond, burst } },
    // The sandbox's own backoff (the harness's default retries at once).
    sender: { retry: { baseSeconds: 1, maxSeconds: 30 } },
  });
});
afterAll(() => h?.stop());

describe(`Sendblue refuses connections for ${OUTAGE_MS / 1000} s (seed ${SEED})`, () => {
  it(`${COMMANDS} commands in ${GROUPS} groups pushed meanwhile: all sent once within 2 minutes of recovery, in order, none on the DLQ, at most one call every 2 s on average`, async () => {
    console.log(`outage (connections refused ${OUTAGE_MS / 1000} s): seed ${SEED}`);
    const sends = planSends(h, { seed: SEED, count: COMMANDS, groups: GROUPS, line: LINE, prefix: 'refused' });
    const calls = countRequestsTo(h.sim.url);
    const outageStart = Date.now();
    await h.sim.refuseConnectionsFor(OUTAGE_MS);
    let recoveredAt = 0;
    const back = h.sim.listening().then(() => {
      recoveredAt = Date.now();
    });
    await pushSends(h, sends);

    // Meanwhile: nothing fails, nothing is dead-lettered; the commands wait, saying why.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const waiting = await Promise.all(sends.map((send) => h.sandbox.store.getCommand(send.id)));
    expect(waiting.filter((item) => item?.state === 'failed')).toEqual([]);
    const paused = waiting.filter((item) => item?.error?.startsWith('Sendblue unreachable on this line since'));
    expect(paused.length, 'commands waiting on the paused line say so').toBeGreaterThan(0);
    expect(waiting.every((item) => (item?.failures ?? 0) === 0)).toBe(true);

    await back;
    const duringOutage = calls.at.filter((at) => at >= outageStart && at < recoveredAt).length;
    const settled = await settleAll(
      h,
      sends.map((send) => send.id),
      180_000,
    );
    calls.stop();
    const report = await reportOn(h, sends, settled, recoveredAt);
    const outageSeconds = (recoveredAt - outageStart) / 1000;
    console.log(
      `outage refused, seed ${SEED}: ${duringOutage} calls during ${outageSeconds.toFixed(0)} s ` +
        `(${(duringOutage / outageSeconds).toFixed(2)}/s, ${(duringOutage / COMMANDS).toFixed(2)} per command); ` +
        `last send ${report.drainSeconds.toFixed(1)} s after recovery; ${JSON.stringify(report)}`,
    );
    expect(report.notSent, `seed ${SEED}`).toEqual({});
    expect(report.notOnce, `seed ${SEED}: sent other than once`).toEqual([]);
    expect(report.deadLetters).toBe(0);
    expect(report.outOfOrder, `seed ${SEED}: groups out of order`).toEqual([]);
    expect(report.drainSeconds).toBeLessThanOrEqual(120);
    // At most one call every 2 s on average, the first ones (before the breaker opened) included.
    expect(duringOutage).toBeGreaterThan(0);
    expect(duringOutage / outageSeconds).toBeLessThanOrEqual(0.5);
    // None of it counted against maxAttempts.
    expect([...settled.values()].map((item) => item.failures ?? 0)).toEqual(sends.map(() => 0));
  }, 400_000);
});
