/**
 * Seeded hostile input against the simulator's new routes and controls (send-reaction,
 * contacts/opt-out, evaluate-service, modify and send with several lines, the react/reply/opt-out/
 * outage/line controls): every answer is JSON under 500, and the simulator works after it all.
 * Replay a run with SIM_FUZZ_SEED=<seed> (SIM_FUZZ_TRACE=1 prints each case).
 */
import { describe, expect, it } from 'vitest';
import { A, B, C, D, KEY, LINE, LINE2, SECRET, useSimulator } from './support.js';
import { hostileString, hostileValue, int, mulberry32, pick, type Random } from '../../../support/fuzz.js';

const fx = useSimulator({ lines: [LINE, LINE2], lineRateLimit: false, newContactQuota: true });
const CASES = 400;

interface Case {
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  body?: string;
  control?: boolean;
}

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) goes as the bytes of one, itself hostile. */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** A field from the valid value, a hostile one, or absent. */
const field = (random: Random, valid: unknown): unknown => pick(random, [valid, hostileValue(random), undefined]);

function aCase(random: Random, handle: string, groupId: string): Case {
  const json = (value: unknown) => (int(random, 20) === 0 ? `${JSON.stringify(value)}}` : JSON.stringify(value));
  switch (int(random, 10)) {
    case 0:
      return {
        path: '/api/send-reaction',
        method: 'POST',
        body: json({
          from_number: field(random, LINE),
          message_handle: field(random, handle),
          reaction: field(random, 'love'),
          part_index: field(random, 1),
        }),
      };
    case 1:
      return {
        path: '/api/v2/contacts/opt-out',
        method: 'POST',
        body: json({ number: field(random, C), opted_out: field(random, false) }),
      };
    case 2:
      return { path: `/api/evaluate-service?number=${encoded(hostileString(random))}`, method: 'GET' };
    case 3:
      return {
        path: '/api/modify-group',
        method: 'POST',
        body: json({
          group_id: field(random, groupId),
          modify_type: field(random, 'remove_recipient'),
          number: field(random, D),
          from_number: field(random, LINE2),
        }),
      };
    case 4:
      return {
        path: '/api/send-group-message',
        method: 'POST',
        body: json({
          group_id: field(random, groupId),
          content: field(random, 'hi'),
          from_number: hostileValue(random),
        }),
      };
    case 5:
      return {
        path: '/__simulator/react',
        method: 'POST',
        control: true,
        body: json({
          message_handle: field(random, handle),
          reaction: hostileValue(random),
          from_number: field(random, A),
          part_index: field(random, 0),
        }),
      };
    case 6:
      return {
        path: '/__simulator/reply',
        method: 'POST',
        control: true,
        body: json({
          group_id: field(random, groupId),
          from_number: hostileValue(random),
          content: field(random, 'x'),
        }),
      };
    case 7:
      return {
        path: '/__simulator/outage',
        method: 'POST',
        control: true,
        // Never a valid kind: a real outage would stop the run.
        body: json({ kind: hostileValue(random), ms: field(random, 10), line: field(random, LINE) }),
      };
    case 8:
      return {
        path: `/__simulator/lines/${pick(random, [LINE, encoded(hostileString(random)), '%E0%A4%A', '+1'])}/${pick(random, ['state', 'usage', 'x'])}`,
        method: pick(random, ['POST', 'DELETE', 'GET'] as const),
        control: true,
        body: json({ state: hostileValue(random) }),
      };
    default:
      return {
        path: '/__simulator/opt-out',
        method: 'POST',
        control: true,
        body: json({ number: hostileValue(random), opted_out: hostileValue(random) }),
      };
  }
}

describe('hostile input to the new routes and controls', () => {
  it('never answers 5xx or non-JSON, never takes a line down, and the simulator works after', async () => {
    const seed = Number(process.env.SIM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`simulator hostile-input seed ${seed} (replay: SIM_FUZZ_SEED=${seed})`);
    const random = mulberry32(seed);
    const group = fx.sim.createGroup([A, B, C, D], 'Fuzz', { lines: [LINE, LINE2] });
    const handle = (await fx.client.groups.sendMessage({ group_id: group.group_id, content: 'x', from_number: LINE }))
      .message_handle!;

    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i += 1) {
      const test = aCase(random, handle, group.group_id);
      if (process.env.SIM_FUZZ_TRACE) console.log(i, test.method, test.path, test.body);
      const answer = await fetch(`${fx.sim.url}${test.path}`, {
        method: test.method,
        headers: test.control ? {} : { 'sb-api-key-id': KEY, 'sb-api-secret-key': SECRET },
        ...(test.method !== 'GET' && test.body ? { body: test.body } : {}),
      });
      const text = await answer.text();
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const context = `${test.method} ${test.path} ${test.body ?? ''}`.slice(0, 300);
      expect(answer.status, context).toBeLessThan(500);
      expect(() => JSON.parse(text), context).not.toThrow();
      // Errors in Sendblue's shape; successes as each route answers (evaluate-service has no status field).
      if (answer.status >= 400) expect(JSON.parse(text).status, context).toBe('ERROR');
    }
    console.log(`answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(statuses.get(400)).toBeGreaterThan(CASES / 4);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);

    expect(fx.sim.lineState(LINE)).toBe('ONLINE');
    expect((await fx.control('outage')).body.outage).toEqual({ refuse: null, unavailable: [] });
    fx.sim.clearNewContactUsage();
    for (const number of [A, B, C, D]) fx.sim.optOut(number, false);
    const sent = await fx.client.groups.sendMessage({ numbers: [A, B], content: 'still fine', from_number: LINE });
    expect(sent.status).toBe('QUEUED');
  });
});
