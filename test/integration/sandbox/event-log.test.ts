/**
 * `npm start`'s readable log: one line per event, numbers masked, secrets dropped, noise left out.
 * The harness's sandbox logs JSON through the shared logger; readableLoggerFor formats exactly
 * those entries, so the lines of a real send and reply are checked here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogEntry, readableLoggerFor } from '../../../sandbox/event-log.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

describe('sandbox event log', () => {
  it('a send and a reply: "command sent", "status changed" (SENT, DELIVERED), "webhook stored", each one line, numbers masked', async () => {
    await h.push({ type: 'send_group_message', command_id: 'log-1', numbers: MEMBERS.slice(0, 2), content: 'log me' });
    const { group_id: groupId, message_handle: handle } = await h.waitForCommand('log-1', ['sent']);
    await h.sim.memberReply(String(groupId), 'a reply to log');
    await h.sim.idle();
    const lines = h.logs
      .map((json) => formatLogEntry(JSON.parse(json)))
      .filter((line): line is string => line !== undefined);

    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^\\d\\d:\\d\\d:\\d\\d  sender      command sent  command_id=log-1 type=send_group_message group_id=${groupId} message_handle=${handle}$`,
        ),
      ),
    );
    for (const status of ['SENT', 'DELIVERED']) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`ingest +status changed  group_id=${groupId} message_handle=${handle} status=${status}$`),
        ),
      );
    }
    const stored = lines.find((line) => line.includes('webhook stored'));
    expect(stored).toMatch(
      /ingest +webhook stored {2}group_id=\S+ message_handle=\S+ status=RECEIVED from_number=\+1555\*\*\*000[12] kind=group$/,
    );
    for (const line of lines) {
      expect(line).not.toContain('\n');
      for (const number of MEMBERS) expect(line).not.toContain(number);
    }
    // Successful API requests (the page polls every second) stay out.
    expect(h.logs.some((json) => JSON.parse(json).message === 'api request')).toBe(true);
    expect(lines.filter((line) => /sandbox-api +api request/.test(line))).toEqual([]);
  });

  it('formatLogEntry: a control character in a value cannot start a new line or hide text', () => {
    const line = formatLogEntry({
      level: 'warn',
      message: 'webhook rejected\nFAKE',
      component: 'ingest',
      time: '2026-11-28T20:56:28.000Z',
      group_id: 'g\n20:56:29  ingest      webhook stored  group_id=forged',
      reason: 'a\rb\u001b[31mred\u2028c\u202ed',
      nested: { x: 'y\nz' },
    });
    expect(line).toBe(
      '20:56:28  ingest      WARN  webhook rejected\\nFAKE  group_id=g\\n20:56:29  ingest      webhook stored  group_id=forged reason=a\\rb\\u001b[31mred\\u2028c\\u202ed nested={"x":"y\\nz"}',
    );
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  });

  it('readableLoggerFor: warnings marked, secrets dropped, debug below the level left out', () => {
    const lines: string[] = [];
    const logger = readableLoggerFor('sender', { write: (line) => lines.push(line) });
    logger.debug('noise');
    logger.warn('command failed; moved to the DLQ', {
      command_id: 'c-1',
      reason: 'bad number +14155550123',
      apiSecretKey: 'hunter2',
    });
    logger.info('api request', { method: 'POST', path: '/webhooks/receive', status: 401 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}sender {6}WARN {2}command failed; moved to the DLQ {2}command_id=c-1 reason=bad number \+1415\*\*\*0123 apiSecretKey=\[redacted\]$/,
    );
    expect(lines[1]).toContain('api request  status=401 method=POST path=/webhooks/receive');
  });
});
