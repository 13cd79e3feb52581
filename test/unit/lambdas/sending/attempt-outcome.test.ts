import { describe, expect, it } from 'vitest';
import {
  givingUpReason,
  LINE_PAUSED_PREFIX,
  nextStep,
  retryDelaySeconds,
  shortDuration,
  type AttemptOutcome,
  type AttemptState,
  type LinePause,
  type SenderPolicy,
} from '../../../../lambdas/sending/attempt-outcome.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const HOUR = 3_600_000;
const POLICY: SenderPolicy = {
  maxAttempts: 5,
  retry: { baseSeconds: 5, maxSeconds: 300 },
  settleDelaySeconds: 30,
  outageBudgetMs: HOUR,
  maxReceiveCount: 1_000,
};
const fresh: AttemptState = { maybeSent: false, failures: 0, checkFailures: 0, outageFailures: 0 };
const step = (outcome: AttemptOutcome, state: Partial<AttemptState> = {}) =>
  nextStep(outcome, { ...fresh, ...state }, POLICY, NOW);

describe('retryDelaySeconds', () => {
  it('doubles from the base on each failure and stops at the cap', () => {
    const policy = { baseSeconds: 5, maxSeconds: 60 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, policy))).toEqual([5, 10, 20, 40, 60]);
    expect(retryDelaySeconds(Number.NaN, policy)).toBe(5);
    expect(retryDelaySeconds(1_000, policy)).toBe(60);
  });
});

describe('after an attempt', () => {
  it('accepted: sent, done', () => {
    expect(step({ kind: 'sent', how: 'sent', groupId: 'g', messageHandle: 'h' })).toMatchObject({
      finish: { state: 'sent', groupId: 'g', messageHandle: 'h' },
      queue: { action: 'done' },
    });
  });

  it("refused by Sendblue: failed and dead-lettered with Sendblue's reason, as a refusal (401/403: the credentials)", () => {
    expect(step({ kind: 'rejected', reason: 'HTTP 400: bad', status: 400 })).toEqual({
      finish: expect.objectContaining({ state: 'failed', error: 'HTTP 400: bad' }),
      queue: { action: 'dead-letter', reason: 'HTTP 400: bad', kind: 'refused' },
    });
    expect(step({ kind: 'rejected', reason: 'HTTP 404: no such group', status: 404 }).queue).toMatchObject({
      kind: 'refused',
    });
    for (const status of [401, 403])
      expect(step({ kind: 'rejected', reason: `HTTP ${status}`, status }).queue).toMatchObject({ kind: 'credentials' });
  });

  it('a 429 is back-pressure: waited out as asked, never counted, and an unclear command stays unknown', () => {
    const throttled: AttemptOutcome = { kind: 'throttled', reason: 'HTTP 429', retryAfterSeconds: 7.2 };
    const plain = step(throttled, { failures: 4 });
    expect(plain.queue).toEqual({ action: 'retry', seconds: 8 });
    expect(plain.finish).toMatchObject({ state: 'queued', failures: 4 });
    expect(plain.finish.error).toMatch(/back-pressure/);
    expect(step(throttled, { maybeSent: true }).finish.state).toBe('unknown');
  });

  it("the command's own failure (408/409): counted, retried with growing delays, given up at the budget", () => {
    const notSent: AttemptOutcome = { kind: 'not-sent', reason: 'HTTP 409: conflict', answered: true };
    expect(step(notSent)).toMatchObject({
      finish: { state: 'queued', failures: 1, lastFailure: 'HTTP 409: conflict' },
      queue: { action: 'retry', seconds: 5 },
    });
    expect(step(notSent, { failures: 2 }).queue).toEqual({ action: 'retry', seconds: 20 });
    expect(step(notSent, { failures: 4 })).toEqual({
      finish: expect.objectContaining({
        state: 'failed',
        failures: 5,
        error: 'gave up after 5 attempts: HTTP 409: conflict',
      }),
      queue: { action: 'dead-letter', reason: 'gave up after 5 attempts: HTTP 409: conflict', kind: 'out-of-attempts' },
    });
    // Sendblue answered the call: an outage streak is over.
    expect(step(notSent, { outageSince: '2026-12-01T11:00:00.000Z', outageFailures: 3 }).finish).toMatchObject({
      outageSince: undefined,
      outageFailures: 0,
    });
  });

  it('unclear with an answer (a 2xx without a handle): counted, unknown, checked after the settle delay', () => {
    const unclear: AttemptOutcome = {
      kind: 'unclear',
      reason: 'no handle',
      calledAt: '2026-12-01T11:59:59.000Z',
      way: false,
    };
    expect(step(unclear)).toMatchObject({
      finish: { state: 'unknown', failures: 1, checkSince: '2026-12-01T11:59:59.000Z' },
      queue: { action: 'retry', seconds: 30 },
    });
    const last = step(unclear, { failures: 4 });
    expect(last.finish.state).toBe('unknown');
    expect(last.queue).toEqual({ action: 'retry', seconds: 80 });
  });

  it('a failed check leaves the command unknown and backs off; a 429 on the check is waited out without counting', () => {
    const failed = step(
      { kind: 'check-failed', reason: 'HTTP 500' },
      { maybeSent: true, checkFailures: 2, failures: 5 },
    );
    expect(failed).toMatchObject({
      finish: { state: 'unknown', checkFailures: 3, failures: 5 },
      queue: { action: 'retry', seconds: 20 },
    });
    const throttled = step(
      { kind: 'check-failed', reason: 'HTTP 429', retryAfterSeconds: 3 },
      { maybeSent: true, checkFailures: 2 },
    );
    expect(throttled).toMatchObject({
      finish: { state: 'unknown', checkFailures: 2 },
      queue: { action: 'retry', seconds: 3 },
    });
  });

  it('gave up only after a check proved nothing was sent: failed with the reason the attempt found', () => {
    const reason = givingUpReason({ ...fresh, failures: 5, lastFailure: 'HTTP 408: timeout' }, POLICY, NOW)!;
    expect(reason).toBe('gave up after 5 attempts: HTTP 408: timeout');
    expect(step({ kind: 'gave-up', reason }, { failures: 5, lastFailure: 'HTTP 408: timeout' })).toEqual({
      finish: expect.objectContaining({ state: 'failed', error: reason }),
      queue: { action: 'dead-letter', reason, kind: 'out-of-attempts' },
    });
  });

  it('waiting for a line slot keeps the slot and comes back at (not after) it', () => {
    const waiting = step({ kind: 'wait-for-slot', slotAt: NOW + 12_700, line: '+15550000000' }, { failures: 1 });
    expect(waiting.finish).toMatchObject({
      state: 'queued',
      failures: 1,
      slot: { at: NOW + 12_700, line: '+15550000000' },
    });
    expect(waiting.queue).toEqual({ action: 'retry', seconds: 12 });
    expect(step({ kind: 'line-busy', retryAt: NOW + 90_000 }).queue).toEqual({ action: 'retry', seconds: 90 });
  });

  it('our storage failed: unknown when Sendblue has it (or may), queued when no call was made', () => {
    expect(step({ kind: 'not-recorded', reason: 'db', messageHandle: 'h' }).finish).toMatchObject({
      state: 'unknown',
      messageHandle: 'h',
    });
    expect(step({ kind: 'not-recorded', reason: 'db' }, { maybeSent: true }).finish.state).toBe('unknown');
    expect(step({ kind: 'not-recorded', reason: 'db' }).finish.state).toBe('queued');
  });

  it('a check-only attempt (the sweep) that proved nothing was sent: failed and dead-lettered with its reason, whatever the budget', () => {
    const reason = "not sent: Sendblue's message list has no such message since 2026-12-01T10:59:55.000Z";
    for (const failures of [0, 1, 4]) {
      expect(step({ kind: 'never-sent', reason }, { failures, maybeSent: false, checkFailures: 2 })).toEqual({
        finish: expect.objectContaining({ state: 'failed', error: reason, failures, checkFailures: 2 }),
        queue: { action: 'dead-letter', reason, kind: 'never-sent' },
      });
    }
  });

  it('only a refusal, a proven give-up or a proof that nothing was sent ever ends failed', () => {
    const outcomes: AttemptOutcome[] = [
      { kind: 'sent', how: 'found' },
      { kind: 'wait-for-slot', slotAt: NOW, line: '+1' },
      { kind: 'line-busy', retryAt: NOW },
      { kind: 'throttled', reason: 'r', retryAfterSeconds: 1 },
      { kind: 'check-failed', reason: 'r' },
      { kind: 'check-failed', reason: 'r', way: true, pause: PAUSE },
      { kind: 'unclear', reason: 'r', calledAt: '' },
      { kind: 'unclear', reason: 'r', calledAt: '', way: true, pause: PAUSE },
      { kind: 'not-recorded', reason: 'r' },
      { kind: 'unverifiable', reason: 'r', counted: true },
      { kind: 'unverifiable', reason: 'r', counted: false },
    ];
    for (const outcome of outcomes) {
      for (const failures of [0, 4, 5, 9]) {
        for (const maybeSent of [false, true]) {
          // Even with the outage budget long spent: only a proof of "not sent" may end it failed.
          for (const outageSince of [undefined, '2026-11-30T00:00:00.000Z']) {
            expect(
              step(outcome, { failures, maybeSent, outageSince, receives: 999 }).finish.state,
              `${outcome.kind} at ${failures} failures`,
            ).not.toBe('failed');
          }
        }
      }
    }
  });

  it('a reaction that may have been sent (nothing can check it): unknown for good, never retried, never on the DLQ', () => {
    const reason = 'no answer from Sendblue to send the reaction: timed out; may have been sent; not repeated';
    const unverifiable = step(
      { kind: 'unverifiable', reason, counted: true, calledAt: '2026-12-01T11:59:59.000Z' },
      { failures: 1, lastFailure: 'HTTP 408' },
    );
    expect(unverifiable).toEqual({
      finish: expect.objectContaining({
        state: 'unknown',
        final: true,
        failures: 2,
        lastFailure: reason,
        checkSince: '2026-12-01T11:59:59.000Z',
        error: reason,
      }),
      queue: { action: 'done' },
    });
    // No attempt is due: the read API's next_attempt_at is null, which says "settled for good".
    expect(unverifiable.finish.nextAttemptAt).toBeUndefined();
    expect(unverifiable.finish.slot).toBeUndefined();
    // A repeat delivery of a command already settled so counts nothing more.
    const again = step({ kind: 'unverifiable', reason, counted: false }, { failures: 2, lastFailure: 'x' });
    expect(again.finish).toMatchObject({ state: 'unknown', final: true, failures: 2, lastFailure: 'x' });
    expect(again.queue).toEqual({ action: 'done' });
  });
});

const PAUSE: LinePause = {
  line: '+15550000000',
  since: NOW - 20_000,
  retryAt: NOW + 4_200,
  gapMs: 4_000,
  reason: 'could not reach Sendblue to send the group message (ECONNREFUSED)',
};

describe('failures of the way to Sendblue: bounded by time, not counted', () => {
  const unreachable: AttemptOutcome = {
    kind: 'unreachable',
    reason: 'could not reach Sendblue to send the group message (ECONNREFUSED)',
  };

  it('unreachable: queued, not counted, the streak starts now and backs off on its own count', () => {
    const first = step(unreachable, { failures: 2 });
    expect(first.finish).toMatchObject({
      state: 'queued',
      failures: 2,
      outageSince: new Date(NOW).toISOString(),
      outageFailures: 1,
      outageReason: unreachable.reason,
    });
    expect(first.queue).toEqual({ action: 'retry', seconds: 5 });
    expect(first.finish.error).toMatch(
      /ECONNREFUSED\); again in 5 s \(waiting up to 1 h from 2026-12-01T12:00:00.000Z/,
    );
    const later = step(unreachable, { outageSince: '2026-12-01T11:40:00.000Z', outageFailures: 3 });
    expect(later.finish).toMatchObject({ outageSince: '2026-12-01T11:40:00.000Z', outageFailures: 4 });
    expect(later.queue).toEqual({ action: 'retry', seconds: 40 });
  });

  it('unreachable on a paused line: comes back for the next probe, and says why in words the CLI reads', () => {
    const paused = step({ ...unreachable, pause: PAUSE });
    expect(paused.queue).toEqual({ action: 'retry', seconds: 5 });
    expect(paused.finish.state).toBe('queued');
    expect(paused.finish.error).toBe(
      `${LINE_PAUSED_PREFIX}2026-12-01T11:59:40.000Z (${PAUSE.reason}): waiting for it to come back (probe every 4 s)`,
    );
    expect(paused.finish.nextAttemptAt).toBe('2026-12-01T12:00:05.000Z');
  });

  it('past the budget: failed with a reason that says so, on the DLQ; nothing was sent', () => {
    const since = '2026-12-01T10:59:59.000Z';
    const spent = step(unreachable, { outageSince: since, outageFailures: 40, failures: 1 });
    const reason = `Sendblue unreachable since ${since} (over 1 h): ${unreachable.reason}; redrive to try again`;
    expect(spent).toEqual({
      finish: expect.objectContaining({ state: 'failed', error: reason, failures: 1 }),
      queue: { action: 'dead-letter', reason, kind: 'outage' },
    });
    // Just within it: waits again.
    expect(step(unreachable, { outageSince: '2026-12-01T11:00:01.000Z' }).finish.state).toBe('queued');
  });

  it('unclear on the way (no answer, 5xx): unknown, not counted, never failed on time alone', () => {
    const unclear: AttemptOutcome = {
      kind: 'unclear',
      reason: 'HTTP 503',
      calledAt: '2026-12-01T11:59:59.000Z',
      way: true,
    };
    const first = step(unclear, { failures: 4 });
    expect(first.finish).toMatchObject({ state: 'unknown', failures: 4, outageFailures: 1 });
    expect(first.queue).toEqual({ action: 'retry', seconds: 30 });
    const long = step(unclear, { outageSince: '2026-11-01T00:00:00.000Z', outageFailures: 500 });
    expect(long.finish.state).toBe('unknown');
    expect(step({ ...unclear, pause: { ...PAUSE, retryAt: NOW + 45_000 } }).queue).toEqual({
      action: 'retry',
      seconds: 45,
    });
  });

  it('the line paused (no call made): waits for the probe, the clock runs from its first wait', () => {
    const waiting = step({ kind: 'line-paused', pause: PAUSE }, { failures: 1 });
    expect(waiting.finish).toMatchObject({
      state: 'queued',
      failures: 1,
      outageSince: new Date(NOW).toISOString(),
      outageFailures: 0,
      outageReason: PAUSE.reason,
    });
    expect(waiting.queue).toEqual({ action: 'retry', seconds: 5 });
    expect(step({ kind: 'line-paused', pause: PAUSE }, { maybeSent: true }).finish.state).toBe('unknown');
    const since = '2026-12-01T10:30:00.000Z';
    expect(step({ kind: 'line-paused', pause: PAUSE }, { outageSince: since }).queue).toMatchObject({
      action: 'dead-letter',
    });
    // Unknown (Sendblue may have it): never failed, however long.
    expect(step({ kind: 'line-paused', pause: PAUSE }, { outageSince: since, maybeSent: true }).finish.state).toBe(
      'unknown',
    );
  });

  it('near the queue receive limit: failed with its reason before SQS would move it without one', () => {
    const since = '2026-12-01T11:50:00.000Z';
    expect(step({ kind: 'line-paused', pause: PAUSE }, { outageSince: since, receives: 899 }).finish.state).toBe(
      'queued',
    );
    const near = step({ kind: 'line-paused', pause: PAUSE }, { outageSince: since, receives: 900 });
    expect(near.queue).toMatchObject({ action: 'dead-letter', kind: 'outage' });
    expect(near.finish.error).toMatch(/came back 900 times while it waited, near the queue's limit of 1000/);
  });

  it('an answer to its own call ends the streak; a check answered, a slot or a storage failure do not', () => {
    const streak = { outageSince: '2026-12-01T11:30:00.000Z', outageFailures: 6, outageReason: 'HTTP 503' };
    for (const outcome of [
      { kind: 'sent', how: 'sent' },
      { kind: 'throttled', reason: 'HTTP 429', retryAfterSeconds: 2 },
      { kind: 'rejected', reason: 'HTTP 400' },
    ] as AttemptOutcome[])
      expect(step(outcome, streak).finish, outcome.kind).toMatchObject({ outageSince: undefined, outageFailures: 0 });
    for (const outcome of [
      { kind: 'check-failed', reason: 'HTTP 429', retryAfterSeconds: 1 },
      { kind: 'wait-for-slot', slotAt: NOW + 5_000, line: '+1' },
      { kind: 'line-busy', retryAt: NOW + 5_000 },
      { kind: 'not-recorded', reason: 'db' },
    ] as AttemptOutcome[])
      expect(
        step(outcome, { ...streak, maybeSent: outcome.kind === 'check-failed' }).finish,
        outcome.kind,
      ).toMatchObject(streak);
  });

  it('a check that fails on the way keeps the streak; a paused line brings it back for the probe', () => {
    const failed = step(
      { kind: 'check-failed', reason: 'could not check: HTTP 503', way: true, pause: PAUSE },
      { maybeSent: true, checkFailures: 1 },
    );
    expect(failed.finish).toMatchObject({
      state: 'unknown',
      checkFailures: 2,
      outageSince: new Date(NOW).toISOString(),
    });
    expect(failed.queue).toEqual({ action: 'retry', seconds: 5 });
    expect(failed.finish.error?.startsWith(LINE_PAUSED_PREFIX)).toBe(true);
  });
});

describe('givingUpReason', () => {
  it('the count, the outage budget, or the receives: whichever is spent first', () => {
    expect(givingUpReason(fresh, POLICY, NOW)).toBeUndefined();
    expect(givingUpReason({ ...fresh, failures: 5, lastFailure: 'HTTP 409' }, POLICY, NOW)).toBe(
      'gave up after 5 attempts: HTTP 409',
    );
    expect(
      givingUpReason({ ...fresh, outageSince: '2026-12-01T10:00:00.000Z', outageReason: 'HTTP 502' }, POLICY, NOW),
    ).toBe('Sendblue unreachable since 2026-12-01T10:00:00.000Z (over 1 h): HTTP 502; redrive to try again');
    expect(givingUpReason({ ...fresh, outageSince: '2026-12-01T11:59:00.000Z', receives: 950 }, POLICY, NOW)).toMatch(
      /came back 950 times/,
    );
    // Receives alone (no outage streak) never give up: waits for slots and 429s are not an outage.
    expect(givingUpReason({ ...fresh, receives: 999 }, POLICY, NOW)).toBeUndefined();
  });

  it('says budgets as people read them', () => {
    expect([3_600_000, 7_200_000, 600_000, 90_000, 3_000].map(shortDuration)).toEqual([
      '1 h',
      '2 h',
      '10 min',
      '90 s',
      '3 s',
    ]);
  });
});

describe('seeded: an outage never fails a command Sendblue may have, and never counts against maxAttempts', () => {
  const SEED = Number(process.env.OUTCOME_SEED) || 20261216;
  it(`1,000 random streaks of outcomes (seed ${SEED}, OUTCOME_SEED to replay)`, () => {
    console.log(`attempt-outcome seeded streaks: seed ${SEED}`);
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    let failedRuns = 0;
    for (let run = 0; run < 1_000; run += 1) {
      let state: AttemptState = { ...fresh, failures: Math.floor(random() * 5) };
      let now = NOW;
      for (let step = 0; step < 40; step += 1) {
        now += Math.floor(random() * 600_000);
        const pause = { ...PAUSE, since: now - 1_000, retryAt: now + 8_000 };
        const outcome = pick<AttemptOutcome>([
          { kind: 'unreachable', reason: 'refused' },
          { kind: 'unreachable', reason: 'refused', pause },
          { kind: 'unclear', reason: 'HTTP 503', calledAt: new Date(now).toISOString(), way: true },
          { kind: 'check-failed', reason: 'HTTP 502', way: true, pause },
          { kind: 'line-paused', pause },
          { kind: 'throttled', reason: '429', retryAfterSeconds: 2 },
          { kind: 'wait-for-slot', slotAt: now + 3_000, line: '+1' },
        ]);
        if (outcome.kind === 'check-failed' && !state.maybeSent) continue;
        const next = nextStep(outcome, state, POLICY, now);
        const failed = next.finish.state === 'failed';
        // The start of the streak this step would have: failing is right exactly when it is over the budget.
        const since = state.outageSince ?? new Date(now).toISOString();
        const spent =
          !state.maybeSent &&
          (outcome.kind === 'unreachable' || outcome.kind === 'line-paused') &&
          now - Date.parse(since) > HOUR;
        if (next.finish.failures !== state.failures || failed !== spent) {
          expect.fail(
            `seed ${SEED} run ${run} step ${step}: ${outcome.kind} after ${JSON.stringify(state)} at ${new Date(now).toISOString()} -> ${JSON.stringify(next)}`,
          );
        }
        if (failed) {
          expect(next.finish.error).toMatch(/^Sendblue unreachable since .* \(over 1 h\): .*; redrive to try again$/);
          failedRuns += 1;
          break;
        }
        state = {
          ...state,
          maybeSent: next.finish.state === 'unknown',
          checkFailures: next.finish.checkFailures ?? 0,
          outageSince: next.finish.outageSince,
          outageFailures: next.finish.outageFailures ?? 0,
          outageReason: next.finish.outageReason,
        };
      }
    }
    // The mix really reached the budget, and really did not always.
    expect(failedRuns).toBeGreaterThan(50);
    expect(failedRuns).toBeLessThan(1_000);
  });
});
