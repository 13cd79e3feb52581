/**
 * A line Sendblue reports OFFLINE (`lines/state`) is paused like an outage, read from the cached
 * state (every 1 s here): the simulator's line A is switched OFFLINE, commands are pushed to A and
 * to line B; A gets no send call while OFFLINE, B's are sent meanwhile; A switched back ONLINE ->
 * every A command is sent exactly once, in order, none on the DLQ. Seeded (OFFLINE_SEED=<n>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSends, pushSends, reportOn, settleAll } from '../../../support/outage.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEED = Number(process.env.OFFLINE_SEED) || 20261207;
const LINE_B = '+15550000001';
const ADVICE_MS = 1_000;
const OFFLINE_MS = 8_000;
const B_SETTLE_MS = 40_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    simulator: { extraLines: [LINE_B] },
    sender: { lineAdvice: { maxAgeMs: ADVICE_MS, waitMs: 500 }, retry: { baseSeconds: 1, maxSeconds: 5 } },
  });
});
afterAll(() => h?.stop());

const sendsOn = (line: string, since: number) =>
  h.sim.requests.filter(
    (request) =>
      request.path === '/api/send-group-message' &&
      Date.parse(request.at) >= since &&
      (request.body as { from_number?: string } | undefined)?.from_number === line,
  );

describe(`line A reported OFFLINE for ${OFFLINE_MS / 1000} s, line B ONLINE (seed ${SEED})`, () => {
  it('A gets no send call while OFFLINE and every command once after; B is not held up', async () => {
    console.log(`OFFLINE line: seed ${SEED} (OFFLINE_SEED=${SEED} replays it)`);
    const onA = planSends(h, { seed: SEED, count: 8, groups: 3, line: LINE, prefix: 'offline-a' });
    const onB = planSends(h, { seed: SEED + 1, count: 8, groups: 3, line: LINE_B, prefix: 'offline-b' });
    h.sim.setLineState(LINE, 'OFFLINE');
    // Let the sender's cached state learn it (one read age and a little).
    await new Promise((resolve) => setTimeout(resolve, 2 * ADVICE_MS + 500));
    const offlineFrom = Date.now();
    await pushSends(
      h,
      onA.flatMap((send, i) => [send, onB[i]!]),
    );
    // B is sent while A is still OFFLINE (A stays so until B has settled, at least OFFLINE_MS):
    // 8 s is plenty alone, but a loaded machine running files side by side needs more.
    const settledB = await settleAll(
      h,
      onB.map((send) => send.id),
      B_SETTLE_MS,
    );
    const reportB = await reportOn(h, onB, settledB, offlineFrom);
    expect(reportB.notSent, `seed ${SEED}: B`).toEqual({});

    const remaining = OFFLINE_MS - (Date.now() - offlineFrom);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    // While OFFLINE: A's commands wait queued, with the reason, and no send reached Sendblue for A.
    const waiting = await h.command(onA[0]!.id);
    // Queued with the reason; `sending` with it when read while a redelivery holds its lease to look
    // at the line again; or, on a loaded machine, `unknown` when an attempt outran its lease (the
    // ledger cannot tell then whether it called; the check after the pause says it did not).
    expect(['queued', 'sending', 'unknown'], JSON.stringify(waiting.body)).toContain(waiting.body.state);
    if (waiting.body.state !== 'unknown')
      expect(String(waiting.body.error)).toContain('Sendblue reports the line OFFLINE');
    expect(sendsOn(LINE, offlineFrom), `seed ${SEED}: calls on A while OFFLINE`).toHaveLength(0);

    const backAt = Date.now();
    h.sim.setLineState(LINE, 'ONLINE');
    const settledA = await settleAll(
      h,
      onA.map((send) => send.id),
      60_000,
    );
    const reportA = await reportOn(h, onA, settledA, backAt);
    console.log(
      `OFFLINE seed ${SEED}: A drained ${reportA.drainSeconds.toFixed(1)} s after ONLINE; ${JSON.stringify(reportA)}`,
    );
    expect(reportA.notSent, `seed ${SEED}: A`).toEqual({});
    expect(reportA.notOnce).toEqual([]);
    expect(reportA.outOfOrder).toEqual([]);
    expect(reportA.deadLetters).toBe(0);
    expect(sendsOn(LINE, offlineFrom).every((request) => request.status === 200)).toBe(true);
    expect(h.calls('/api/v2/lines/state')).toBeGreaterThan(0);
  }, 120_000);
});
