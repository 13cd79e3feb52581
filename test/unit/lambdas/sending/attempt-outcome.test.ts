import { describe, expect, it } from 'vitest';
import {
  nextStep,
  retryDelaySeconds,
  type AttemptOutcome,
  type AttemptState,
  type SenderPolicy,
} from '../../../../lambdas/sending/attempt-outcome.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const POLICY: SenderPolicy = { maxAttempts: 5, retry: { baseSeconds: 5, maxSeconds: 300 }, settleDelaySeconds: 30 };
const fresh: AttemptState = { maybeSent: false, failures: 0, checkFailures: 0 };
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

  it("refused by Sendblue: failed and dead-lettered with Sendblue's reason", () => {
    expect(step({ kind: 'rejected', reason: 'HTTP 400: bad' })).toEqual({
      finish: expect.objectContaining({ state: 'failed', error: 'HTTP 400: bad' }),
      queue: { action: 'dead-letter', reason: 'HTTP 400: bad' },
    });
  });

  it('a 429 is back-pressure: waited out as asked, never counted, and an unclear command stays unknown', () => {
    const throttled: AttemptOutcome = { kind: 'throttled', reason: 'HTTP 429', retryAfterSeconds: 7.2 };
    const plain = step(throttled, { failures: 4 });
    expect(plain.queue).toEqual({ action: 'retry', seconds: 8 });
    expect(plain.finish).toMatchObject({ state: 'queued', failures: 4 });
    expect(plain.finish.error).toMatch(/back-pressure/);
    expect(step(throttled, { maybeSent: true }).finish.state).toBe('unknown');
  });

  it('not sent (408/409, unreachable): counted, retried with growing delays, given up at the budget', () => {
    const notSent: AttemptOutcome = { kind: 'not-sent', reason: 'could not reach Sendblue' };
    expect(step(notSent)).toMatchObject({
      finish: { state: 'queued', failures: 1, lastFailure: 'could not reach Sendblue' },
      queue: { action: 'retry', seconds: 5 },
    });
    expect(step(notSent, { failures: 2 }).queue).toEqual({ action: 'retry', seconds: 20 });
    expect(step(notSent, { failures: 4 })).toEqual({
      finish: expect.objectContaining({
        state: 'failed',
        failures: 5,
        error: 'gave up after 5 attempts: could not reach Sendblue',
      }),
      queue: { action: 'dead-letter', reason: 'gave up after 5 attempts: could not reach Sendblue' },
    });
  });

  it('unclear: unknown (never queued, never failed, even past the budget), checked after the settle delay', () => {
    const unclear: AttemptOutcome = { kind: 'unclear', reason: 'no answer', calledAt: '2026-12-01T11:59:59.000Z' };
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

  it('gave up only after a check proved nothing was sent: failed with the last real failure', () => {
    expect(step({ kind: 'gave-up' }, { failures: 5, lastFailure: 'HTTP 500: down' })).toEqual({
      finish: expect.objectContaining({ state: 'failed', error: 'gave up after 5 attempts: HTTP 500: down' }),
      queue: { action: 'dead-letter', reason: 'gave up after 5 attempts: HTTP 500: down' },
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
        queue: { action: 'dead-letter', reason },
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
      { kind: 'unclear', reason: 'r', calledAt: '' },
      { kind: 'not-recorded', reason: 'r' },
      { kind: 'unverifiable', reason: 'r', counted: true },
      { kind: 'unverifiable', reason: 'r', counted: false },
    ];
    for (const outcome of outcomes) {
      for (const failures of [0, 4, 5, 9]) {
        for (const maybeSent of [false, true]) {
          expect(
            step(outcome, { failures, maybeSent }).finish.state,
            `${outcome.kind} at ${failures} failures`,
          ).not.toBe('failed');
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
