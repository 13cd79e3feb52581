/**
 * A busy line delays, it never fails: the simulator enforces Sendblue's published per-line limit
 * (1 message per second, bursts of 10, 429 beyond) and 100 commands in 50 groups are pushed at
 * once onto one line. The sender paces them through the line's shared slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENDBLUE_LINE_LIMITS } from '../../../../lambdas/sending/line-pacing.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const COMMANDS = 100;
const GROUPS = 50;
const SEND = '/api/send-group-message';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: { lineRatePerSecond: SENDBLUE_LINE_LIMITS.ratePerSecond, lineBurst: SENDBLUE_LINE_LIMITS.burst },
    simulator: { lineRateLimit: { perSecond: SENDBLUE_LINE_LIMITS.ratePerSecond, burst: SENDBLUE_LINE_LIMITS.burst } },
    sender: { concurrency: 2 },
  });
});
afterAll(() => h?.stop());

describe("per-line pacing against Sendblue's limit", () => {
  it(`${COMMANDS} commands in ${GROUPS} groups on one line: all sent, none dead-lettered, order kept, hardly a 429, near the line's rate`, async () => {
    const groups = Array.from(
      { length: GROUPS },
      (_, i) => h.sim.createGroup([`+1555800${String(i).padStart(4, '0')}`, '+15558100000']).group_id,
    );
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < COMMANDS; i += 1) {
      const groupId = groups[i % GROUPS]!;
      const id = `pace-${i}`;
      ids.push(id);
      await h.push({
        type: 'send_group_message',
        command_id: id,
        group_id: groupId,
        content: `#${Math.floor(i / GROUPS)} in ${groupId}`,
      });
    }
    for (const id of ids) await h.waitForCommand(id, ['sent', 'failed'], 150_000);
    const elapsedSeconds = (Date.now() - started) / 1000;

    const states = await Promise.all(ids.map(async (id) => (await h.command(id)).body.state));
    expect(states.filter((state) => state !== 'sent')).toEqual([]);
    expect(await h.deadLetters()).toEqual([]);
    const sent = h.sim.sentMessages().filter((message) => message.line === LINE);
    expect(sent).toHaveLength(COMMANDS);
    for (const groupId of groups) {
      expect(
        sent
          .filter((m) => m.group_id === groupId)
          .sort((a, b) => a.seq - b.seq)
          .map((m) => m.content),
      ).toEqual([`#0 in ${groupId}`, `#1 in ${groupId}`]);
    }
    const throttled = h.sim.requests.filter((request) => request.path === SEND && request.status === 429).length;
    expect(throttled, 'a handful of 429s at most').toBeLessThanOrEqual(5);
    // The line's physical limit: 100 commands at 1 per second (the first 10 may go at once).
    const physicalSeconds = COMMANDS / SENDBLUE_LINE_LIMITS.ratePerSecond;
    console.log(
      `pacing: ${COMMANDS} commands in ${elapsedSeconds.toFixed(1)} s (physical limit ${physicalSeconds} s, ratio ${(elapsedSeconds / physicalSeconds).toFixed(2)}); ${throttled} 429s`,
    );
    expect(elapsedSeconds).toBeLessThanOrEqual(1.2 * physicalSeconds);
  }, 200_000);
});
