/**
 * lambdas/events/event-time.ts: an event's time is its change's own, read from the changed item to
 * the millisecond; the stream record's time only for an item without one. Seeded
 * (EVENT_TIME_SEED=<n> replays a run).
 */
import { describe, expect, it } from 'vitest';
import {
  CHANGE_TIME_FIELDS,
  changeTime,
  isoMillis,
  type TimedItemKind,
} from '../../../../lambdas/events/event-time.js';
import { mulberry32, pick } from '../../../support/fuzz.js';

/** The stream record's time as DynamoDB Local gives it: rounded down to the minute. */
const STREAM_AT = '2026-11-20T17:04:00.000Z';

/** The order the docs promise (docs/events.md "Time"), written out here rather than read from the module. */
const PROMISED: Record<TimedItemKind, string[]> = {
  message: ['date_sent', 'date_updated', 'received_at'],
  status: ['date_updated', 'received_at'],
  command: ['updated_at'],
  group: ['updated_at'],
  reactions: ['updated_at'],
  contact: ['opt_changed_at', 'last_seen'],
};

describe('an event time from the changed item (event-time.ts)', () => {
  it('reads each kind of item by the fields docs/events.md names, in that order', () => {
    expect(CHANGE_TIME_FIELDS).toEqual(PROMISED);
    expect(changeTime('message', { date_sent: '2026-11-20T17:04:11.512Z', received_at: 'x' }, STREAM_AT)).toEqual({
      time: '2026-11-20T17:04:11.512Z',
      source: 'item',
    });
    expect(changeTime('status', { received_at: '2026-11-20T17:05:05.031Z' }, STREAM_AT)?.time).toBe(
      '2026-11-20T17:05:05.031Z',
    );
    expect(changeTime('command', { updated_at: '2026-11-20T17:04:58.306Z', created_at: 'x' }, STREAM_AT)?.time).toBe(
      '2026-11-20T17:04:58.306Z',
    );
  });

  it("an event's own time (a tapback's date) comes before the item's", () => {
    const item = { updated_at: '2026-11-20T17:06:31.002Z' };
    expect(changeTime('reactions', item, STREAM_AT, ['2026-11-20T17:06:30.104Z'])?.time).toBe(
      '2026-11-20T17:06:30.104Z',
    );
    expect(changeTime('reactions', item, STREAM_AT, [undefined])?.time).toBe('2026-11-20T17:06:31.002Z');
  });

  it('falls back to the stream record time for an item without one; no time without either', () => {
    expect(changeTime('command', { state: 'sent' }, STREAM_AT)).toEqual({ time: STREAM_AT, source: 'stream' });
    expect(changeTime('group', undefined, STREAM_AT)).toEqual({ time: STREAM_AT, source: 'stream' });
    expect(changeTime('command', { state: 'sent' }, undefined)).toBeUndefined();
    expect(changeTime('command', { updated_at: 'soon' }, 'not a date either')).toBeUndefined();
  });

  it('normalises to toISOString (UTC, milliseconds) and skips values that are not ISO dates', () => {
    expect(isoMillis('2026-11-20T18:04:11.512+01:00')).toBe('2026-11-20T17:04:11.512Z');
    expect(isoMillis('2026-11-20T17:04:11Z')).toBe('2026-11-20T17:04:11.000Z');
    expect(isoMillis('2026-11-20T17:04:11.5129Z')).toBe('2026-11-20T17:04:11.512Z');
    for (const odd of ['hello 7', '', '1795194251512', '2026-13-01T00:00:00Z', '1999-12-31T23:59:59.999Z', 12, null])
      expect(isoMillis(odd), String(odd)).toBeUndefined();
    expect(changeTime('message', { date_sent: 'hello 7', received_at: '2026-11-20T17:04:12.001Z' }, STREAM_AT)).toEqual(
      { time: '2026-11-20T17:04:12.001Z', source: 'item' },
    );
  });

  it('seeded: the first field holding an ISO date wins, to the millisecond; else the stream record time', () => {
    const seed = Number(process.env.EVENT_TIME_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    const garbage = [undefined, null, '', 'x', 17, '2026-11-20', '2026-11-20T25:00:00Z', { at: 1 }];
    for (let n = 0; n < 2_000; n += 1) {
      const kind = pick(random, Object.keys(PROMISED) as TimedItemKind[]);
      const item: Record<string, unknown> = { state: 'sent' };
      let expected: string | undefined;
      for (const field of PROMISED[kind]) {
        if (random() < 0.5) {
          item[field] = pick(random, garbage);
          continue;
        }
        // Any millisecond of 2000-2099; Date.UTC keeps it exact.
        const time = new Date(
          Date.UTC(2000 + Math.floor(random() * 100), 0, 1) + Math.floor(random() * 364 * 86_400_000),
        );
        item[field] = time.toISOString();
        expected ??= time.toISOString();
      }
      const streamAt = random() < 0.8 ? STREAM_AT : undefined;
      const got = changeTime(kind, item, streamAt);
      const want = expected
        ? { time: expected, source: 'item' }
        : streamAt
          ? { time: streamAt, source: 'stream' }
          : undefined;
      expect(got, `seed ${seed} (EVENT_TIME_SEED=${seed}), case ${n}: ${kind} ${JSON.stringify(item)}`).toEqual(want);
    }
  });
});
