/**
 * The outage budget (docs/sending.md "When Sendblue is down: an outage, not a failure"): a command
 * rides out failures of the way to Sendblue for `outageBudgetSeconds` from the first of a streak,
 * then ends `failed` with a reason that says so, on the DLQ, and nothing was sent. Shortened to 3 s
 * against 10 s outages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { planSends, pushSends, settleAll } from '../../../support/outage.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEED = Number(process.env.OUTAGE_SEED) || 20261216;
const BUDGET = /^Sendblue unreachable since \S+ \(over 3 s\): .+; redrive to try again$/;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sender: { outageBudgetSeconds: 3, retry: { baseSeconds: 1, maxSeconds: 2 } } });
});
afterAll(() => h?.stop());

const accepted = (content: string) => h.sim.sentMessages().filter((m) => m.content === content);

describe(`a budget of 3 s (seed ${SEED})`, () => {
  it('connections refused for 10 s: three commands (the line paused) fail with the budget reason, on the DLQ, none sent', async () => {
    const sends = planSends(h, { seed: SEED, count: 3, groups: 3, line: LINE, prefix: 'budget-refused' });
    await h.sim.refuseConnectionsFor(10_000);
    await pushSends(h, sends);
    const settled = await settleAll(
      h,
      sends.map((send) => send.id),
      20_000,
    );
    await h.sim.listening();
    for (const send of sends) {
      const item = settled.get(send.id);
      expect(item?.state, send.id).toBe('failed');
      expect(item?.error).toMatch(BUDGET);
      expect(item?.failures).toBe(0);
    }
    const letters = await h.deadLetters();
    expect(letters.map((letter) => letter.attributes[DEAD_LETTER_ATTRIBUTES.commandId]).sort()).toEqual(
      sends.map((send) => send.id).sort(),
    );
    expect(letters.every((letter) => BUDGET.test(letter.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? ''))).toBe(true);
    // Back up: still nothing sent for them (a failed command waits for a redrive).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const send of sends) expect(accepted(send.content)).toEqual([]);
  }, 60_000);

  it('503 for 10 s: unknown while Sendblue may have it, then a check proves it was not sent: failed with the budget reason', async () => {
    const [send] = planSends(h, { seed: SEED + 7, count: 1, groups: 1, line: LINE, prefix: 'budget-503' });
    await h.sim.unavailableFor(10_000);
    const outageEnds = Date.now() + 10_000;
    await pushSends(h, [send!]);
    const unknown = await h.waitForCommand(send!.id, ['unknown', 'failed']);
    expect(unknown.state).toBe('unknown');
    const done = await h.waitForCommand(send!.id, ['failed', 'sent'], 30_000);
    // Never failed before a check could be made: only after the outage ended.
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(BUDGET);
    expect(accepted(send!.content)).toEqual([]);
    const checks = h.sim.requests.filter(
      (request) =>
        request.path === '/api/v2/messages' && request.status === 200 && Date.parse(request.at) >= outageEnds - 1_000,
    );
    expect(checks.length, 'the proof: a check Sendblue answered').toBeGreaterThan(0);
    const letters = await h.deadLetters();
    expect(letters.map((letter) => letter.attributes[DEAD_LETTER_ATTRIBUTES.reason])).toContain(done.error);
  }, 60_000);
});
