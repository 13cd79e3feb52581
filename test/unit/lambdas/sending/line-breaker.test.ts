/**
 * The line's circuit breaker as pure decisions (lambdas/sending/line-breaker.ts): when it opens,
 * who probes, how the gap grows, what closes it; and the settings' arithmetic against SQS's
 * maxReceiveCount. A seeded run drives one breaker with many commands and checks the promises:
 * at most one probe in flight, probes never closer than the gap, closed by any answer.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_QUEUE_SETTINGS } from '../../../../lambdas/contract/command-queue-settings.js';
import {
  afterAnswer,
  afterWayFailure,
  breakerForBudget,
  CLOSED_BREAKER,
  DEFAULT_BREAKER,
  gateFor,
  isOpen,
  nextGap,
  openedFor,
  receivesToRideOut,
  withProbeLease,
  type LineBreaker,
} from '../../../../lambdas/sending/line-breaker.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
const S = DEFAULT_BREAKER;
const fail = (breaker: LineBreaker, commandId: string, nowMs: number, probe = false) =>
  afterWayFailure(breaker, { commandId, nowMs, reason: `refused (${commandId})`, probe }, S);

describe('opening', () => {
  it('opens on failures from 3 different commands within 30 s, with the first probe 2 s later', () => {
    const one = fail(CLOSED_BREAKER, 'a', T0)!;
    const two = fail(one, 'b', T0 + 10_000)!;
    expect(isOpen(two)).toBe(false);
    expect(Object.keys(two.failures).sort()).toEqual(['a', 'b']);
    const three = fail(two, 'c', T0 + 29_000)!;
    expect(three).toEqual({
      failures: {},
      openSince: T0 + 29_000,
      reason: 'refused (c)',
      probeAt: T0 + 31_000,
      probeGapMs: 2_000,
      version: 3,
    });
  });

  it('one command failing again and again is not an outage; failures older than the window are forgotten', () => {
    let breaker = CLOSED_BREAKER;
    for (let i = 0; i < 10; i += 1) breaker = fail(breaker, 'same', T0 + i * 1_000)!;
    expect(isOpen(breaker)).toBe(false);
    breaker = fail(breaker, 'b', T0 + 40_000)!;
    breaker = fail(breaker, 'c', T0 + 41_000)!;
    // `same` failed last at T0 + 9 s, more than 30 s before: only 2 commands in the window.
    expect(isOpen(breaker)).toBe(false);
    expect(Object.keys(breaker.failures).sort()).toEqual(['b', 'c']);
  });

  it('any answer between resets the count (no write when there is nothing to reset)', () => {
    const two = fail(fail(CLOSED_BREAKER, 'a', T0)!, 'b', T0 + 1)!;
    const answered = afterAnswer(two)!;
    expect(answered).toEqual({ failures: {}, version: two.version + 1 });
    expect(isOpen(fail(answered, 'c', T0 + 2)!)).toBe(false);
    expect(afterAnswer(CLOSED_BREAKER)).toBeUndefined();
  });

  it('keeps its map small: at most as many entries as it takes to open', () => {
    let breaker: LineBreaker = { ...CLOSED_BREAKER, failures: { x: T0 - 100_000, y: T0 - 90_000 } };
    breaker = fail(breaker, 'a', T0)!;
    expect(Object.keys(breaker.failures)).toEqual(['a']);
  });

  it('opens for a reason of its own (a line Sendblue reports OFFLINE), once', () => {
    const opened = openedFor(CLOSED_BREAKER, T0, 'Sendblue reports the line OFFLINE', S)!;
    expect(opened).toMatchObject({ openSince: T0, reason: 'Sendblue reports the line OFFLINE', probeAt: T0 + 2_000 });
    expect(openedFor(opened, T0 + 5, 'again', S)).toBeUndefined();
    expect(isOpen(afterAnswer(opened)!)).toBe(false);
  });
});

describe('while open', () => {
  const open = fail(fail(fail(CLOSED_BREAKER, 'a', T0)!, 'b', T0)!, 'c', T0)!;

  it('nobody calls before the probe time; then one command takes the lease and probes', () => {
    expect(gateFor(open, T0 + 1_999, S)).toEqual({ kind: 'wait', untilMs: T0 + 2_000, gapMs: 2_000 });
    expect(withProbeLease(open, 'd', T0 + 1_999, S)).toBeUndefined();
    expect(gateFor(open, T0 + 2_000, S)).toEqual({ kind: 'probe' });
    const leased = withProbeLease(open, 'd', T0 + 2_000, S)!;
    expect(leased).toMatchObject({ probeBy: 'd', probeLeaseUntil: T0 + 2_000 + S.probeLeaseMs });
    expect(gateFor(leased, T0 + 2_100, S)).toEqual({
      kind: 'probe-in-flight',
      leaseUntil: T0 + 2_000 + S.probeLeaseMs,
      gapMs: 2_000,
    });
    expect(withProbeLease(leased, 'e', T0 + 2_100, S)).toBeUndefined();
    // A prober that died: its lease runs out and another may probe.
    expect(gateFor(leased, T0 + 2_000 + S.probeLeaseMs, S)).toEqual({ kind: 'probe' });
  });

  it('a failed probe moves the next one on by a growing gap: 2, 4, 8, 8 s', () => {
    let breaker = open;
    let now = T0;
    const gaps: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      now = breaker.probeAt!;
      breaker = withProbeLease(breaker, 'p', now, S)!;
      breaker = fail(breaker, 'p', now + 5, true)!;
      gaps.push(breaker.probeAt! - (now + 5));
      expect(breaker.openSince).toBe(T0);
      expect(breaker.probeLeaseUntil).toBeUndefined();
    }
    expect(gaps).toEqual([4_000, 8_000, 8_000, 8_000]);
    expect(nextGap(undefined, S)).toBe(2_000);
  });

  it('a call already under way when it opened changes nothing (no write); the probe answer closes it', () => {
    expect(fail(open, 'late', T0 + 100)).toBeUndefined();
    const closed = afterAnswer(withProbeLease(open, 'p', T0 + 2_000, S)!)!;
    expect(closed).toEqual({ failures: {}, version: open.version + 2 });
    expect(gateFor(closed, T0 + 2_001, S)).toEqual({ kind: 'go' });
  });
});

describe('settings against SQS', () => {
  it("an hour's outage costs a waiting command far fewer receives than the queue's maxReceiveCount", () => {
    const hour = COMMAND_QUEUE_SETTINGS.outageBudgetSeconds * 1000;
    const settings = breakerForBudget(DEFAULT_BREAKER, hour, COMMAND_QUEUE_SETTINGS.maxReceiveCount);
    expect(settings.maxProbeGapMs).toBe(8_000);
    const receives = receivesToRideOut(settings, hour);
    // The first (it found the line paused), after 2 s and 4 s, then every 8 s: 1 + 2 + 450.
    expect(receives).toBe(453);
    expect(receives).toBeLessThanOrEqual(COMMAND_QUEUE_SETTINGS.maxReceiveCount / 2);
  });

  it('a longer budget stretches the probe gap so that a whole budget still fits in about half the receives', () => {
    for (const hours of [0.25, 1, 2, 6, 24]) {
      const budget = hours * 3_600_000;
      const settings = breakerForBudget(DEFAULT_BREAKER, budget, COMMAND_QUEUE_SETTINGS.maxReceiveCount);
      expect(receivesToRideOut(settings, budget), `${hours} h`).toBeLessThanOrEqual(
        // Half, and the few shorter gaps before the cap is reached.
        COMMAND_QUEUE_SETTINGS.maxReceiveCount / 2 + 10,
      );
      expect(settings.maxProbeGapMs).toBe(hours <= 1 ? 8_000 : Math.ceil(budget / 500));
    }
  });
});

describe('seeded: many commands against one breaker', () => {
  const SEED = Number(process.env.BREAKER_SEED) || 20261216;
  it(`probes at most one at a time, never closer than the gap, and every answer closes it (seed ${SEED}, BREAKER_SEED to replay)`, () => {
    console.log(`line-breaker seeded run: seed ${SEED}`);
    const random = seededRandom(SEED);
    let breaker = CLOSED_BREAKER;
    let now = T0;
    let down = false;
    let lastProbeAt: number | undefined;
    let probes = 0;
    let opened = 0;
    for (let event = 0; event < 20_000; event += 1) {
      now += Math.floor(random() * 700);
      if (random() < 0.002) down = !down;
      const commandId = `c${Math.floor(random() * 30)}`;
      const gate = gateFor(breaker, now, S);
      const where = () => `seed ${SEED} event ${event}: ${JSON.stringify({ gate, breaker, now, down })}`;
      if (gate.kind === 'wait' || gate.kind === 'probe-in-flight') continue; // no call
      let probe = false;
      if (gate.kind === 'probe') {
        const leased = withProbeLease(breaker, commandId, now, S);
        if (!leased) expect.fail(where());
        if (lastProbeAt !== undefined && breaker.probeGapMs !== undefined && now - lastProbeAt < breaker.probeGapMs - 1)
          expect.fail(`probes too close: ${where()}`);
        breaker = leased;
        lastProbeAt = now;
        probe = true;
        probes += 1;
      }
      const failed = down || random() < 0.05;
      if (failed) {
        const wasOpen = isOpen(breaker);
        breaker = afterWayFailure(breaker, { commandId, nowMs: now, reason: 'x', probe }, S) ?? breaker;
        if (!wasOpen && isOpen(breaker)) opened += 1;
        if (probe && !isOpen(breaker)) expect.fail(`a failed probe closed it: ${where()}`);
      } else {
        breaker = afterAnswer(breaker) ?? breaker;
        if (isOpen(breaker) || Object.keys(breaker.failures).length) expect.fail(`an answer left it open: ${where()}`);
        lastProbeAt = undefined;
      }
    }
    expect(opened).toBeGreaterThan(2);
    expect(probes).toBeGreaterThan(10);
  });
});
