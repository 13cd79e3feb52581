import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, domainEventFor, fitToSize, type DomainEvent } from '../../../../lambdas/events/domain-events.js';
import { entrySize, putEventsChunks, PUT_EVENTS_MAX_BYTES } from '../../../../lambdas/adapters/event-publisher.js';
import type { TableChange } from '../../../../lambdas/events/table-change.js';

let sequence = 0;
function change(
  kind: TableChange['kind'],
  pk: string,
  sk: string,
  newImage?: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
): TableChange {
  sequence += 1;
  return {
    eventId: `evt-${sequence}`,
    kind,
    pk,
    sk,
    newImage,
    oldImage,
    at: '2026-11-20T17:04:12.000Z',
    sequenceNumber: String(sequence).padStart(21, '0'),
  };
}

const inbound = {
  PK: 'MSG#m-1',
  SK: 'MSG',
  message_handle: 'm-1',
  group_id: 'g-1',
  direction: 'inbound',
  status: 'RECEIVED',
  status_rank: 0,
  content: 'Running late',
  media_url: 'https://cdn.example.com/a.png',
  from_number: '+14155550123',
  date_sent: '2026-11-20T17:04:11.512Z',
  date_updated: '2026-11-20T17:04:11.640Z',
  participants: ['+14155550123', '+12125550177'],
  group_display_name: 'Ops',
  extra_json: '{"plan":"dedicated"}',
  received_at: '2026-11-20T17:04:12.001Z',
};
const command = (state: string, extra: Record<string, unknown> = {}) => ({
  PK: 'CMD#c-1',
  SK: 'CMD',
  command_id: 'c-1',
  type: 'send_group_message',
  state,
  fingerprint: 'fp',
  failures: 0,
  attempts: 1,
  ...extra,
});
const group = (extra: Record<string, unknown>) => ({
  PK: 'GROUP#g-1',
  SK: 'GROUP',
  group_id: 'g-1',
  created_at: '2026-11-20T17:00:00.000Z',
  updated_at: '2026-11-20T17:00:00.000Z',
  ...extra,
});

describe('domain events from table changes (domain-events.ts)', () => {
  describe('Group Message Received', () => {
    it('an inbound group message inserted: the read API message shape, members and name, the event id', () => {
      const event = domainEventFor(change('INSERT', 'MSG#m-1', 'MSG', inbound));
      expect(event).toEqual({
        detailType: 'Group Message Received',
        // The message's own date, not the stream record's (whole seconds or minutes).
        time: '2026-11-20T17:04:11.512Z',
        detail: {
          event_id: `evt-${sequence}`,
          occurred_at: '2026-11-20T17:04:11.512Z',
          message_handle: 'm-1',
          group_id: 'g-1',
          direction: 'inbound',
          status: 'RECEIVED',
          content: 'Running late',
          media_url: 'https://cdn.example.com/a.png',
          from_number: '+14155550123',
          date_sent: '2026-11-20T17:04:11.512Z',
          date_updated: '2026-11-20T17:04:11.640Z',
          send_style: null,
          participants: ['+14155550123', '+12125550177'],
          group_display_name: 'Ops',
        },
      });
      // Internal bookkeeping never leaves the table.
      expect(JSON.stringify(event)).not.toMatch(/extra_json|received_at|status_rank|"PK"/);
    });

    it('nothing for an outbound message, a 1:1 message, or a later change of the message (status, media copy)', () => {
      expect(domainEventFor(change('INSERT', 'MSG#m-2', 'MSG', { ...inbound, direction: 'outbound' }))).toBeUndefined();
      const { group_id: _ignored, ...direct } = inbound;
      expect(domainEventFor(change('INSERT', 'MSG#m-3', 'MSG', direct))).toBeUndefined();
      expect(
        domainEventFor(
          change('MODIFY', 'MSG#m-1', 'MSG', { ...inbound, media_archive: { key: 'media/g-1/m-1/a.png' } }, inbound),
        ),
      ).toBeUndefined();
    });
  });

  describe('Message Status Changed', () => {
    it('a status history entry inserted (each distinct status is inserted once)', () => {
      const event = domainEventFor(
        change('INSERT', 'MSG#m-9', 'STATUS#DELIVERED', {
          PK: 'MSG#m-9',
          SK: 'STATUS#DELIVERED',
          group_id: 'g-1',
          status: 'DELIVERED',
          date_updated: '2026-11-20T17:05:04.877Z',
          received_at: '2026-11-20T17:05:05.000Z',
        }),
      );
      expect(event?.detailType).toBe(DETAIL_TYPES.statusChanged);
      expect(event?.time).toBe('2026-11-20T17:05:04.877Z');
      expect(event?.detail).toEqual({
        event_id: expect.any(String),
        occurred_at: '2026-11-20T17:05:04.877Z',
        message_handle: 'm-9',
        group_id: 'g-1',
        status: 'DELIVERED',
        date_updated: '2026-11-20T17:05:04.877Z',
        error_code: null,
        error_message: null,
      });
    });

    it('carries the error of a failure status; group_id null when the callback had none', () => {
      const event = domainEventFor(
        change('INSERT', 'MSG#m-9', 'STATUS#ERROR', {
          status: 'ERROR',
          received_at: '2026-11-20T17:05:05.000Z',
          error_code: '4001',
          error_message: 'rate limit',
        }),
      );
      expect(event?.time).toBe('2026-11-20T17:05:05.000Z');
      expect(event?.detail).toMatchObject({
        occurred_at: '2026-11-20T17:05:05.000Z',
        group_id: null,
        status: 'ERROR',
        date_updated: '2026-11-20T17:05:05.000Z',
        error_code: '4001',
        error_message: 'rate limit',
      });
    });

    it('nothing for a history entry rewritten or removed (it never is, but it would not be a new status)', () => {
      const item = { status: 'SENT', received_at: 'x' };
      expect(domainEventFor(change('MODIFY', 'MSG#m-9', 'STATUS#SENT', item, item))).toBeUndefined();
      expect(domainEventFor(change('REMOVE', 'MSG#m-9', 'STATUS#SENT', undefined, item))).toBeUndefined();
    });
  });

  describe('Command Settled', () => {
    it('sending -> sent: the GET /commands/{id} shape', () => {
      const event = domainEventFor(
        change(
          'MODIFY',
          'CMD#c-1',
          'CMD',
          command('sent', { group_id: 'g-1', message_handle: 'm-1', updated_at: '2026-11-20T17:04:58.306Z' }),
          command('sending', { lease_id: 'l', updated_at: '2026-11-20T17:04:57.990Z' }),
        ),
      );
      expect(event?.detailType).toBe('Command Settled');
      // When it became sent: the ledger entry's updated_at, written with the change of state.
      expect(event?.time).toBe('2026-11-20T17:04:58.306Z');
      expect(event?.detail).toEqual({
        event_id: expect.any(String),
        occurred_at: '2026-11-20T17:04:58.306Z',
        command_id: 'c-1',
        type: 'send_group_message',
        state: 'sent',
        group_id: 'g-1',
        message_handle: 'm-1',
        error: null,
        fingerprint: 'fp',
        refused_reuses: [],
        failures: 0,
        next_attempt_at: null,
        outage_since: null,
        updated_at: '2026-11-20T17:04:58.306Z',
      });
    });

    it('failed: from a refusal, and again after a redrive that fails again; an invalid command recorded at once', () => {
      expect(
        domainEventFor(change('MODIFY', 'CMD#c-1', 'CMD', command('failed', { error: 'HTTP 400' }), command('sending')))
          ?.detail,
      ).toMatchObject({ state: 'failed', error: 'HTTP 400' });
      // recordRejectedCommand creates the entry already failed: an INSERT.
      expect(
        domainEventFor(
          change('INSERT', 'CMD#c-2', 'CMD', {
            command_id: 'c-2',
            type: 'unknown',
            state: 'failed',
            error: 'not JSON',
          }),
        )?.detail,
      ).toMatchObject({ command_id: 'c-2', state: 'failed' });
    });

    it('unknown: once when an attempt ends unclear, not when a later check in Sendblue fails, a 429 waits or the lease is taken', () => {
      const unclear = domainEventFor(
        change(
          'MODIFY',
          'CMD#c-1',
          'CMD',
          command('unknown', { failures: 1, check_since: 't' }),
          command('sending', { failures: 0 }),
        ),
      );
      expect(unclear?.detail).toMatchObject({ state: 'unknown', failures: 1 });
      const checkFailed = change(
        'MODIFY',
        'CMD#c-1',
        'CMD',
        command('unknown', { failures: 1, check_failures: 1 }),
        command('sending', { failures: 1 }),
      );
      expect(domainEventFor(checkFailed)).toBeUndefined();
      const claimed = change(
        'MODIFY',
        'CMD#c-1',
        'CMD',
        command('sending', { failures: 1 }),
        command('unknown', { failures: 1 }),
      );
      expect(domainEventFor(claimed)).toBeUndefined();
      // A second unclear attempt is a new counted failure: published again.
      expect(
        domainEventFor(
          change('MODIFY', 'CMD#c-1', 'CMD', command('unknown', { failures: 2 }), command('sending', { failures: 1 })),
        ),
      ).toBeDefined();
    });

    it('nothing on the way (queued, sending), for a change that keeps the state (a refused reuse), or a TTL expiry', () => {
      expect(domainEventFor(change('INSERT', 'CMD#c-1', 'CMD', command('sending')))).toBeUndefined();
      expect(
        domainEventFor(change('MODIFY', 'CMD#c-1', 'CMD', command('queued', { failures: 1 }), command('sending'))),
      ).toBeUndefined();
      expect(
        domainEventFor(
          change(
            'MODIFY',
            'CMD#c-1',
            'CMD',
            command('sent', { refused_fingerprints: new Set(['x']) }),
            command('sent'),
          ),
        ),
      ).toBeUndefined();
      expect(domainEventFor(change('REMOVE', 'CMD#c-1', 'CMD', undefined, command('sent')))).toBeUndefined();
    });
  });

  describe('Group Changed', () => {
    it('a group record inserted: its members and name, all of them added', () => {
      const event = domainEventFor(
        change(
          'INSERT',
          'GROUP#g-1',
          'GROUP',
          group({ members: ['+2', '+1'], members_key: '+1,+2', group_name: 'Ops' }),
        ),
      );
      expect(event?.detailType).toBe('Group Changed');
      expect(event?.time).toBe('2026-11-20T17:00:00.000Z');
      expect(event?.detail).toEqual({
        event_id: expect.any(String),
        occurred_at: '2026-11-20T17:00:00.000Z',
        group_id: 'g-1',
        members: ['+1', '+2'],
        name: 'Ops',
        previous_members: [],
        previous_name: null,
        added_members: ['+1', '+2'],
        removed_members: [],
        created_at: '2026-11-20T17:00:00.000Z',
        updated_at: '2026-11-20T17:00:00.000Z',
      });
    });

    it('members changed: who was added and who removed; a rename: the old and new name', () => {
      const before = group({ members: ['+1', '+2', '+3'], group_name: 'Ops' });
      const membership = domainEventFor(
        change('MODIFY', 'GROUP#g-1', 'GROUP', group({ members: ['+1', '+3', '+4'], group_name: 'Ops' }), before),
      );
      expect(membership?.detail).toMatchObject({
        added_members: ['+4'],
        removed_members: ['+2'],
        name: 'Ops',
        previous_name: 'Ops',
      });
      const rename = domainEventFor(
        change('MODIFY', 'GROUP#g-1', 'GROUP', group({ members: ['+1', '+2', '+3'], group_name: 'Weekend' }), before),
      );
      expect(rename?.detail).toMatchObject({
        name: 'Weekend',
        previous_name: 'Ops',
        added_members: [],
        removed_members: [],
      });
    });

    it('a record that learns its name before its members adds and removes nobody; its first members are all added', () => {
      const nameOnly = group({ group_name: 'Ops' });
      expect(domainEventFor(change('INSERT', 'GROUP#g-1', 'GROUP', nameOnly))?.detail).toMatchObject({
        members: [],
        added_members: [],
        removed_members: [],
      });
      expect(
        domainEventFor(change('MODIFY', 'GROUP#g-1', 'GROUP', group({ group_name: 'Ops', members: ['+1'] }), nameOnly))
          ?.detail,
      ).toMatchObject({ added_members: ['+1'], removed_members: [] });
    });

    it('nothing when neither members nor name changed (only updated_at moved)', () => {
      const before = group({ members: ['+1', '+2'], group_name: 'Ops' });
      expect(
        domainEventFor(
          change('MODIFY', 'GROUP#g-1', 'GROUP', { ...before, updated_at: '2026-11-21T00:00:00.000Z' }, before),
        ),
      ).toBeUndefined();
    });
  });

  describe('Group Reaction Received', () => {
    const love = {
      id: 'r-1',
      reaction: 'love',
      from_number: '+14155550123',
      date_sent: '2026-11-20T17:05:00.000Z',
      part_index: 0,
      direction: 'inbound',
    };
    const ours = { ...love, id: 'command:c-9', reaction: 'like', from_number: '+15550000000', direction: 'outbound' };
    const reactions = (entries: unknown[], extra: Record<string, unknown> = { group_id: 'g-1' }) => ({
      PK: 'MSG#m-1',
      SK: 'REACTIONS',
      message_handle: 'm-1',
      reactions: entries,
      reaction_ids: new Set(entries.map((entry) => (entry as { id: string }).id)),
      ...extra,
    });

    it("a member's tapback added: the reacted-to message, the tapback's own handle, who, when, which part", () => {
      expect(domainEventFor(change('INSERT', 'MSG#m-1', 'REACTIONS', reactions([love])))).toEqual({
        detailType: 'Group Reaction Received',
        time: '2026-11-20T17:05:00.000Z',
        detail: {
          event_id: `evt-${sequence}`,
          occurred_at: '2026-11-20T17:05:00.000Z',
          group_id: 'g-1',
          message_handle: 'm-1',
          reaction_handle: 'r-1',
          reaction: 'love',
          from_number: '+14155550123',
          date_sent: '2026-11-20T17:05:00.000Z',
          part_index: 0,
        },
      });
      const second = { ...love, id: 'r-2', reaction: 'laugh', part_index: 1 };
      expect(
        domainEventFor(change('MODIFY', 'MSG#m-1', 'REACTIONS', reactions([love, second]), reactions([love])))?.detail,
      ).toMatchObject({ reaction_handle: 'r-2', reaction: 'laugh', part_index: 1 });
    });

    it('nothing for our own tapback (Command Settled tells it), a write that added none, or a 1:1 message', () => {
      expect(domainEventFor(change('INSERT', 'MSG#m-1', 'REACTIONS', reactions([ours])))).toBeUndefined();
      expect(
        domainEventFor(change('MODIFY', 'MSG#m-1', 'REACTIONS', reactions([love, ours]), reactions([love]))),
      ).toBeUndefined();
      expect(
        domainEventFor(change('MODIFY', 'MSG#m-1', 'REACTIONS', reactions([love]), reactions([love]))),
      ).toBeUndefined();
      expect(domainEventFor(change('INSERT', 'MSG#m-1', 'REACTIONS', reactions([love], {})))).toBeUndefined();
      expect(domainEventFor(change('REMOVE', 'MSG#m-1', 'REACTIONS', undefined, reactions([love])))).toBeUndefined();
    });
  });

  describe("each event's time: its change's own, to the millisecond (event-time.ts)", () => {
    it('is the detail time it tells of, in time and occurred_at alike; not the stream record time', () => {
      const first = {
        id: 'r-1',
        reaction: 'love',
        date_sent: '2026-11-20T17:06:30.104Z',
        part_index: 0,
        direction: 'inbound',
      };
      const second = { ...first, id: 'r-2', date_sent: '2026-11-20T17:07:02.719Z' };
      const item = (entries: unknown[]) => ({
        message_handle: 'm-1',
        group_id: 'g-1',
        reactions: entries,
        updated_at: '2026-11-20T17:07:03.005Z',
      });
      const events = [
        domainEventFor(change('INSERT', 'MSG#m-1', 'MSG', inbound)),
        domainEventFor(
          change('INSERT', 'MSG#m-9', 'STATUS#READ', {
            status: 'READ',
            date_updated: '2026-11-20T17:09:41.093Z',
            received_at: '2026-11-20T17:09:41.410Z',
          }),
        ),
        domainEventFor(
          change(
            'MODIFY',
            'GROUP#g-1',
            'GROUP',
            group({ members: ['+1'], updated_at: '2026-11-20T17:08:13.377Z' }),
            group({}),
          ),
        ),
        // The tapback this write added (the second), not the first one the item holds.
        domainEventFor(change('MODIFY', 'MSG#m-1', 'REACTIONS', item([first, second]), item([first]))),
      ];
      expect(events.map((event) => [event?.time, event?.detail.occurred_at])).toEqual([
        ['2026-11-20T17:04:11.512Z', '2026-11-20T17:04:11.512Z'],
        ['2026-11-20T17:09:41.093Z', '2026-11-20T17:09:41.093Z'],
        ['2026-11-20T17:08:13.377Z', '2026-11-20T17:08:13.377Z'],
        ['2026-11-20T17:07:02.719Z', '2026-11-20T17:07:02.719Z'],
      ]);
      expect([
        events[0]?.detail.date_sent,
        events[1]?.detail.date_updated,
        events[2]?.detail.updated_at,
        events[3]?.detail.date_sent,
      ]).toEqual(events.map((event) => event?.time));
    });

    it('an item without a time of its change takes the stream record time; without either, none (occurred_at null)', () => {
      const fallback = domainEventFor(change('MODIFY', 'CMD#c-1', 'CMD', command('sent'), command('sending')));
      expect(fallback?.time).toBe('2026-11-20T17:04:12.000Z');
      expect(fallback?.detail.occurred_at).toBe('2026-11-20T17:04:12.000Z');
      const none = domainEventFor({
        ...change('MODIFY', 'CMD#c-1', 'CMD', command('failed'), command('sending')),
        at: undefined,
      });
      expect(none).toBeDefined();
      expect(none).not.toHaveProperty('time');
      expect(none?.detail.occurred_at).toBeNull();
    });

    it("does not depend on the stream record's time (rounded to the second by DynamoDB, to the minute by DynamoDB Local)", () => {
      const once = change(
        'MODIFY',
        'CMD#c-1',
        'CMD',
        command('sent', { updated_at: '2026-11-20T17:04:58.306Z' }),
        command('sending'),
      );
      const again = { ...once, at: '2026-11-20T17:05:00.000Z' };
      expect(domainEventFor(again)).toEqual(domainEventFor(once));
    });
  });

  it('nothing for pacing records, unknown items and removals', () => {
    expect(domainEventFor(change('MODIFY', 'LINE#+15550000000', 'PACE', { tat: 2 }, { tat: 1 }))).toBeUndefined();
    expect(domainEventFor(change('INSERT', 'LINE#+15550000000', 'PACE', { tat: 1 }))).toBeUndefined();
    expect(domainEventFor(change('INSERT', 'HEALTH', 'HEALTH', {}))).toBeUndefined();
    expect(domainEventFor(change('REMOVE', 'MSG#m-1', 'MSG', undefined, inbound))).toBeUndefined();
  });
});

describe('fitting events into EventBridge (event-publisher.ts)', () => {
  const event = (content: string): DomainEvent => ({
    detailType: 'Group Message Received',
    detail: { event_id: 'e', content },
    time: '2026-11-20T17:04:12.000Z',
  });

  it('counts an entry as EventBridge does: time, source, detail-type and detail in UTF-8', () => {
    const e = event('héllo');
    expect(entrySize(e)).toBe(
      14 + 'sendblue-groups'.length + 'Group Message Received'.length + Buffer.byteLength(JSON.stringify(e.detail)),
    );
  });

  it('leaves the text out of an event too large for one entry, and says so', () => {
    const huge = event('\u0001'.repeat(50_000)); // JSON escapes each as 6 bytes: 300 KB
    expect(entrySize(huge)).toBeGreaterThan(PUT_EVENTS_MAX_BYTES);
    const fitted = fitToSize(huge, PUT_EVENTS_MAX_BYTES, entrySize);
    expect(fitted.detail).toEqual({ event_id: 'e', content: null, content_omitted: true });
    expect(fitToSize(event('short'), PUT_EVENTS_MAX_BYTES, entrySize)).toEqual(event('short'));
  });

  it('chunks requests by 10 entries and 256 KB, in order', () => {
    const small = Array.from({ length: 23 }, () => event('x'));
    expect(putEventsChunks(small).map((chunk) => chunk.length)).toEqual([10, 10, 3]);
    const big = Array.from({ length: 5 }, () => event('y'.repeat(100_000)));
    const chunks = putEventsChunks(big);
    expect(chunks).toEqual([[0, 1], [2, 3], [4]]);
  });
});

describe('contact opt events take the time of their evidence', () => {
  const contact = (extra: Record<string, unknown>) => ({
    PK: 'CONTACT#+14155550123',
    SK: 'CONTACT',
    number: '+14155550123',
    first_seen: '2026-11-01T09:00:00.000Z',
    last_seen: '2026-11-20T17:04:30.250Z',
    ...extra,
  });

  it('an opt-out is timed by opt_changed_at (the STOP), not by last_seen or the stream record', () => {
    const out = domainEventFor(
      change(
        'MODIFY',
        'CONTACT#+14155550123',
        'CONTACT',
        contact({ opted_out: true, opted_out_by: 'keyword', opt_changed_at: '2026-11-20T17:04:09.073Z' }),
        contact({}),
      ),
    );
    expect(out?.detailType).toBe(DETAIL_TYPES.contactOptedOut);
    expect(out?.time).toBe('2026-11-20T17:04:09.073Z');
    expect(out?.detail.occurred_at).toBe('2026-11-20T17:04:09.073Z');
  });

  it('without opt_changed_at, last_seen', () => {
    const out = domainEventFor(
      change(
        'MODIFY',
        'CONTACT#+14155550123',
        'CONTACT',
        contact({ opted_out: false, opted_in_by: 'command' }),
        contact({ opted_out: true }),
      ),
    );
    expect(out?.detailType).toBe(DETAIL_TYPES.contactOptedIn);
    expect(out?.detail.occurred_at).toBe('2026-11-20T17:04:30.250Z');
  });
});
