import { describe, expect, it } from 'vitest';
import {
  addResult,
  asWebhookPayload,
  emptyCounts,
  isAlreadyStored,
  isLater,
  itemId,
  newestUpdate,
  nextCursor,
  presenceKeys,
  updatedAtMs,
  windowStart,
  type StoredItem,
} from '../../../../lambdas/backfill/backfill-rules.js';
import { messageKey, reactionsKey, statusKey } from '../../../../lambdas/contract/keys.js';
import type { WebhookEvent } from '../../../../lambdas/webhooks/webhook-payload.js';
import { createCallPacer } from '../../../../lambdas/adapters/call-pacer.js';
import {
  emfSink,
  lineDimension,
  metricLine,
  METRIC_NAMES,
  METRIC_NAMESPACE,
} from '../../../../lambdas/platform/metrics.js';
import { parseWebhookPayload } from '../../../../lambdas/webhooks/webhook-payload.js';
import receiveFixture from '../../../fixtures/receive-group.json' with { type: 'json' };
import statusFixture from '../../../fixtures/status-callback.json' with { type: 'json' };

const MIN = 60_000;
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const SETTINGS = { overlapMs: 10 * MIN, lookbackMs: 10 * MIN };
const at = (iso: string) => ({ date_updated: iso });

describe('where a run starts', () => {
  it('the first run (no watermark) looks back from now; later runs read from the watermark minus the overlap', () => {
    expect(windowStart(undefined, NOW, SETTINGS)).toBe('2026-12-01T11:50:00.000Z');
    expect(windowStart(undefined, NOW, { overlapMs: 10 * MIN, lookbackMs: 24 * 60 * MIN })).toBe(
      '2026-11-30T12:00:00.000Z',
    );
    expect(windowStart('2026-12-01T09:00:00.000Z', NOW, SETTINGS)).toBe('2026-12-01T08:50:00.000Z');
  });

  it('a lookback shorter than the overlap still covers the overlap', () => {
    expect(windowStart(undefined, NOW, { overlapMs: 10 * MIN, lookbackMs: MIN })).toBe('2026-12-01T11:50:00.000Z');
  });
});

describe('paging by date_updated', () => {
  const since = '2026-12-01T11:50:00.000Z';

  it('moves since to the newest date of the page and skips the records at that date already read', () => {
    const page = [at('2026-12-01T11:51:00.000Z'), at('2026-12-01T11:52:00.000Z'), at('2026-12-01T11:52:00.000Z')];
    expect(nextCursor({ since, skip: 0 }, page)).toEqual({ since: '2026-12-01T11:52:00.000Z', skip: 2 });
  });

  it('a page that shares one date with since (or has no usable date) only grows skip: never a loop', () => {
    const same = Array.from({ length: 100 }, () => at(since));
    expect(nextCursor({ since, skip: 0 }, same)).toEqual({ since, skip: 100 });
    expect(nextCursor({ since, skip: 100 }, same)).toEqual({ since, skip: 200 });
    expect(nextCursor({ since, skip: 3 }, [{}, { date_updated: 'yesterday' }])).toEqual({ since, skip: 5 });
  });

  it('an older date in the page (a record listed out of order) never moves since back', () => {
    expect(nextCursor({ since, skip: 4 }, [at('2026-12-01T11:40:00.000Z')])).toEqual({ since, skip: 5 });
  });

  it('reads dates as the webhook parser does (offsets normalised, nonsense ignored)', () => {
    expect(updatedAtMs({ date_updated: '2026-12-01T13:00:00+01:00' })).toBe(NOW);
    expect(updatedAtMs({ date_updated: 'hello 7' })).toBeUndefined();
    expect(updatedAtMs({ date_updated: 17 })).toBeUndefined();
    expect(
      newestUpdate([at('2026-12-01T11:00:00Z'), {}, at('2026-12-01T11:30:00.5Z'), at('2026-12-01T11:10:00Z')]),
    ).toBe('2026-12-01T11:30:00.500Z');
    expect(newestUpdate([{}, { date_updated: null }])).toBeUndefined();
  });
});

describe('the watermark', () => {
  it('only moves forward', () => {
    expect(isLater('2026-12-01T11:00:00.001Z', '2026-12-01T11:00:00.000Z')).toBe(true);
    expect(isLater('2026-12-01T11:00:00.000Z', '2026-12-01T11:00:00.000Z')).toBe(false);
    expect(isLater('2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z')).toBe(false);
    expect(isLater('2026-12-01T10:00:00.000Z', undefined)).toBe(true);
    expect(isLater(undefined, undefined)).toBe(false);
  });
});

describe('a listed record as the webhook it stands for', () => {
  it('an inbound list record parses into exactly the event its receive webhook gives', () => {
    const listed = { ...receiveFixture, date_created: receiveFixture.date_sent };
    const { payload, direction } = asWebhookPayload(listed);
    expect(direction).toBe('inbound');
    expect(payload).toEqual(receiveFixture);
    expect(parseWebhookPayload(payload, direction)).toEqual(parseWebhookPayload(receiveFixture, 'inbound'));
  });

  it('an outbound list record parses into the event of its status callback', () => {
    const listed = { ...statusFixture, date_created: '2026-11-20T17:04:11.000Z' };
    const { payload, direction } = asWebhookPayload(listed);
    expect(direction).toBe('outbound');
    expect(parseWebhookPayload(payload, direction)).toEqual(parseWebhookPayload(statusFixture, 'outbound'));
  });

  it('keeps date_created when date_sent is missing (the parser then takes it as the send date)', () => {
    const { payload } = asWebhookPayload({
      message_handle: 'h',
      status: 'SENT',
      is_outbound: true,
      date_sent: '',
      date_created: '2026-11-20T17:04:11.000Z',
    });
    expect(payload.date_created).toBe('2026-11-20T17:04:11.000Z');
    const parsed = parseWebhookPayload(payload, 'outbound');
    expect(parsed.ok && parsed.event.dateSent).toBe('2026-11-20T17:04:11.000Z');
  });

  it('without is_outbound, RECEIVED means inbound and anything else outbound', () => {
    expect(asWebhookPayload({ status: 'received' }).direction).toBe('inbound');
    expect(asWebhookPayload({ status: 'DELIVERED' }).direction).toBe('outbound');
    expect(asWebhookPayload({}).direction).toBe('outbound');
  });
});

describe('already stored? (the one read per page before any write)', () => {
  const inbound: WebhookEvent = {
    messageHandle: 'in-1',
    direction: 'inbound',
    status: 'RECEIVED',
    groupId: 'g',
    extra: {},
  };
  const outbound: WebhookEvent = {
    messageHandle: 'out-1',
    direction: 'outbound',
    status: 'DELIVERED',
    groupId: 'g',
    extra: {},
  };
  const found = (...items: Array<[Record<string, string>, StoredItem]>) =>
    new Map(items.map(([key, item]) => [itemId(key), item]));

  it('reads the message for an inbound event; the message and the status entry for an outbound one', () => {
    expect(presenceKeys(inbound)).toEqual([messageKey('in-1')]);
    expect(presenceKeys(outbound)).toEqual([messageKey('out-1'), statusKey('out-1', 'DELIVERED')]);
  });

  it('an inbound message is there once its item exists', () => {
    expect(isAlreadyStored(inbound, found())).toBe(false);
    expect(isAlreadyStored(inbound, found([messageKey('in-1'), { status: 'RECEIVED' }]))).toBe(true);
  });

  it('an outbound status is there when it is in the history, or is the current status (a send the sender stored as QUEUED)', () => {
    expect(isAlreadyStored(outbound, found())).toBe(false);
    expect(isAlreadyStored(outbound, found([messageKey('out-1'), { status: 'SENT' }]))).toBe(false);
    expect(
      isAlreadyStored(
        outbound,
        found([messageKey('out-1'), { status: 'SENT' }], [statusKey('out-1', 'DELIVERED'), { status: 'DELIVERED' }]),
      ),
    ).toBe(true);
    expect(isAlreadyStored({ ...outbound, status: 'QUEUED' }, found([messageKey('out-1'), { status: 'QUEUED' }]))).toBe(
      true,
    );
    // A lower status missing from the history is still written (kept as history, never moving the status back).
    expect(
      isAlreadyStored({ ...outbound, status: 'SENT' }, found([messageKey('out-1'), { status: 'DELIVERED' }])),
    ).toBe(false);
  });
});

describe("already stored? a member's tapback", () => {
  const tapback: WebhookEvent = {
    messageHandle: 'r-1',
    direction: 'inbound',
    status: 'RECEIVED',
    groupId: 'g',
    reaction: { reaction: 'love', messageHandle: 'in-1', partIndex: 0 },
    extra: {},
  };
  const found = (...items: Array<[Record<string, string>, StoredItem]>) =>
    new Map(items.map(([key, item]) => [itemId(key), item]));

  it("reads the reacted-to message's reactions (and the tapback as a message, where a full message keeps it)", () => {
    expect(presenceKeys(tapback)).toEqual([reactionsKey('in-1'), messageKey('r-1')]);
  });

  it('is there once its id is among the reactions kept, or it was kept as a message', () => {
    expect(isAlreadyStored(tapback, found())).toBe(false);
    expect(isAlreadyStored(tapback, found([reactionsKey('in-1'), { reactionIds: new Set(['r-0']) }]))).toBe(false);
    expect(isAlreadyStored(tapback, found([reactionsKey('in-1'), { reactionIds: new Set(['r-0', 'r-1']) }]))).toBe(
      true,
    );
    expect(isAlreadyStored(tapback, found([messageKey('r-1'), { status: 'RECEIVED' }]))).toBe(true);
  });
});

describe('counts', () => {
  it('found = stored + already there + skipped', () => {
    const counts = emptyCounts();
    for (const result of ['stored', 'already-there', 'already-there', 'skipped'] as const) addResult(counts, result);
    expect(counts).toEqual({ found: 4, stored: 1, alreadyThere: 2, skipped: 1 });
  });
});

describe('list call pacing', () => {
  function fakeClock() {
    let now = 1_000;
    const waits: number[] = [];
    return { waits, clock: { now: () => now, sleep: async (ms: number) => void (waits.push(ms), (now += ms)) } };
  }

  it('spaces calls 1/rate apart; a call after a pause goes at once', async () => {
    const { waits, clock } = fakeClock();
    const pace = createCallPacer(8, clock);
    for (let i = 0; i < 4; i += 1) await pace();
    expect(waits).toEqual([125, 125, 125]);
  });

  it('concurrent callers line up instead of going together', async () => {
    const waits: number[] = [];
    // Time stands still while they are all waiting.
    const pace = createCallPacer(4, { now: () => 1_000, sleep: async (ms) => void waits.push(ms) });
    await Promise.all([pace(), pace(), pace()]);
    expect(waits.sort((a, b) => a - b)).toEqual([250, 500]);
  });

  it('rate 0 is unpaced', async () => {
    const { waits, clock } = fakeClock();
    const pace = createCallPacer(0, clock);
    await Promise.all([pace(), pace()]);
    expect(waits).toEqual([]);
  });
});

describe('metrics (CloudWatch embedded metric format)', () => {
  it('one line per Line: namespace SendblueGroups, dimension Line (masked like the logs), each count a Count metric', () => {
    const line = metricLine('+15550001111', { [METRIC_NAMES.backfillFound]: 3, [METRIC_NAMES.backfillStored]: 1 }, NOW);
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: NOW,
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['Line']],
            Metrics: [
              { Name: 'BackfillFound', Unit: 'Count' },
              { Name: 'BackfillStored', Unit: 'Count' },
            ],
          },
        ],
      },
      Line: '+1555***1111',
      BackfillFound: 3,
      BackfillStored: 1,
    });
    expect(line).not.toContain('15550001111');
    expect(lineDimension('+15550001111')).toBe('+1555***1111');
  });

  it('the names are the plain ones alarms and dashboards use', () => {
    expect(Object.values(METRIC_NAMES)).toEqual([
      'BackfillFound',
      'BackfillStored',
      'BackfillAlreadyThere',
      'BackfillIncomplete',
      'UnknownSettledSent',
      'UnknownSettledNeverSent',
      'CommandsSent',
      'CommandsFailed',
      'SendblueThrottled',
      'SendblueUnclear',
      'LinePausedSeconds',
      'LineProbes',
      'WebhookStored',
      'WebhookUnauthorized',
      'WebhookNotStored',
      'InboundMessages',
    ]);
  });

  it('the sink writes one line per call and nothing for no counts', () => {
    const lines: string[] = [];
    const sink = emfSink(
      (text) => lines.push(text),
      () => NOW,
    );
    sink('+15550001111', {});
    sink('+15550001111', { UnknownSettledSent: 2 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ UnknownSettledSent: 2, Line: '+1555***1111' });
  });
});
