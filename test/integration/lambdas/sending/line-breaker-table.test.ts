/**
 * The line's breaker in the table (adapters/table-pacing.ts) against DynamoDB Local: a healthy
 * reservation writes nothing of it; every change is conditional on the version it was computed
 * from; both shapes of slot reservation refuse while it is open and take no slot; racing probers
 * get exactly one lease; racing failures of different commands open it; a line can be paused for
 * a reason of its own (the seam for a line Sendblue reports OFFLINE).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { AttemptDeps } from '../../../../lambdas/sending/attempt.js';
import { linePaceKey } from '../../../../lambdas/contract/keys.js';
import { TABLE_SCHEMA } from '../../../../lambdas/contract/table-schema.js';
import {
  afterAnswer,
  CLOSED_BREAKER,
  DEFAULT_BREAKER,
  isOpen,
  withProbeLease,
} from '../../../../lambdas/sending/line-breaker.js';
import { noteWayFailure, pauseLineFor } from '../../../../lambdas/sending/line-gate.js';
import { DEFAULT_PACING } from '../../../../lambdas/sending/line-pacing.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { freshTable } from '../../../support/table-for-test.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const PACING = { ...DEFAULT_PACING, ratePerSecond: 1, burst: 10 };

describe("a line's breaker in the table", () => {
  it('a healthy reservation writes none of it, and reports it closed', async () => {
    const { store, documentClient, tableName } = await freshTable();
    const line = '+15550000101';
    const slot = await store.reserveLineSlot(line, NOW, PACING);
    expect(slot).toEqual({ kind: 'slot', slotAt: NOW, breaker: CLOSED_BREAKER });
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: linePaceKey(line) }));
    const { partitionKey, sortKey } = TABLE_SCHEMA;
    expect(Object.keys(Item!).sort()).toEqual([partitionKey, sortKey, 'line', 'tat'].sort());
  });

  it('writes only from the version it saw; a stale write changes nothing and returns the breaker as it is', async () => {
    const { store } = await freshTable();
    const line = '+15550000102';
    const first = { ...CLOSED_BREAKER, failures: { a: NOW }, version: 1 };
    expect(await store.writeLineBreaker(line, first, 0)).toEqual({ written: true });
    const stale = await store.writeLineBreaker(line, { ...CLOSED_BREAKER, failures: { b: NOW }, version: 1 }, 0);
    expect(stale).toEqual({ written: false, current: first });
    expect(await store.readLineBreaker(line)).toEqual(first);
    expect(await store.readLineBreaker('+15550000199')).toEqual(CLOSED_BREAKER);
  });

  it('while open, both shapes of reservation refuse (no slot taken, tat unchanged); closed again, slots resume', async () => {
    const { store } = await freshTable();
    const line = '+15550000103';
    // Busy: 12 slots taken at once (the burst and two more).
    for (let i = 0; i < 12; i += 1) await store.reserveLineSlot(line, NOW, PACING);
    expect(await pauseLineFor(store, line, 'Sendblue reports the line OFFLINE', NOW, DEFAULT_BREAKER)).toBe(true);
    expect(await pauseLineFor(store, line, 'again', NOW + 1, DEFAULT_BREAKER)).toBe(false);
    const paused = await store.reserveLineSlot(line, NOW + 10, PACING);
    expect(paused).toMatchObject({
      kind: 'paused',
      breaker: { openSince: NOW, reason: 'Sendblue reports the line OFFLINE', probeAt: NOW + 2_000 },
    });
    // Idle (long after): refused too.
    expect((await store.reserveLineSlot(line, NOW + 600_000, PACING)).kind).toBe('paused');
    const open = await store.readLineBreaker(line);
    expect(await store.writeLineBreaker(line, afterAnswer(open)!, open.version)).toEqual({ written: true });
    expect(await store.reserveLineSlot(line, NOW + 600_000, PACING)).toMatchObject({
      kind: 'slot',
      slotAt: NOW + 600_000,
    });
  });

  it('20 commands racing for the probe: exactly one gets the lease', async () => {
    const { store } = await freshTable();
    const line = '+15550000104';
    await pauseLineFor(store, line, 'down', NOW, DEFAULT_BREAKER);
    const seen = await store.readLineBreaker(line);
    const at = NOW + DEFAULT_BREAKER.firstProbeGapMs;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.writeLineBreaker(line, withProbeLease(seen, `c${i}`, at, DEFAULT_BREAKER)!, seen.version),
      ),
    );
    expect(results.filter((result) => result.written)).toHaveLength(1);
    const after = await store.readLineBreaker(line);
    expect(after.probeBy).toMatch(/^c\d+$/);
    expect(after.probeLeaseUntil).toBe(at + DEFAULT_BREAKER.probeLeaseMs);
  });

  it('failures of 5 different commands at once (conflicting writes retried) open it; one command alone does not', async () => {
    const { store } = await freshTable();
    const deps = {
      store,
      logger: silentLogger,
      settings: { breaker: DEFAULT_BREAKER },
      now: () => new Date(NOW),
    } as unknown as AttemptDeps;
    const attempt = (commandId: string) => ({
      commandId,
      state: { maybeSent: false, failures: 0, checkFailures: 0, outageFailures: 0 },
      checkSince: '',
    });
    const alone = '+15550000105';
    for (let i = 0; i < 5; i += 1)
      expect(await noteWayFailure(deps, alone, attempt('same'), 'refused')).toBeUndefined();
    expect(isOpen(await store.readLineBreaker(alone))).toBe(false);

    const line = '+15550000106';
    const pauses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => noteWayFailure(deps, line, attempt(`c${i}`), `refused ${i}`)),
    );
    const breaker = await store.readLineBreaker(line);
    expect(isOpen(breaker)).toBe(true);
    expect(breaker.openSince).toBe(NOW);
    // Those that saw it open were told when to come back: the first probe.
    expect(pauses.filter(Boolean).every((pause) => pause!.retryAt === NOW + 2_000)).toBe(true);
    expect(pauses.filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });
});
