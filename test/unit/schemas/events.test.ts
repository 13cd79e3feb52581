/**
 * events/*.json against events the events code really makes: table changes through
 * `domainEventFor` (the events Lambda's mapping), published to the sandbox's event feed, which keeps
 * them in the envelope an EventBridge rule's target receives. Validated against the closed copy
 * (a field the code writes but the schema does not describe fails), per detail-type and as the
 * union; the README's examples validate too. The sandbox's live event log is checked in
 * test/integration/schemas/python-producer.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { entrySize, PUT_EVENTS_MAX_BYTES } from '../../../lambdas/adapters/event-publisher.js';
import { DETAIL_TYPES, domainEventFor, fitToSize } from '../../../lambdas/events/domain-events.js';
import type { TableChange } from '../../../lambdas/events/table-change.js';
import { createEventFeed } from '../../../sandbox/event-feed.js';
import { jsonObjectsInMarkdown, readme } from '../../support/markdown-json.js';
import { expectValid, loadSchema, newAjv, validatorFor } from '../../support/schemas.js';

let sequence = 0;
function change(
  kind: TableChange['kind'],
  pk: string,
  sk: string,
  newImage: Record<string, unknown>,
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

/** Table changes that publish, at least one of each detail-type, with nulls and odd values where they can be. */
const CHANGES: TableChange[] = [
  change('INSERT', 'MSG#m-1', 'MSG', inbound),
  change('INSERT', 'MSG#m-2', 'MSG', {
    message_handle: 'm-2',
    group_id: 'g-1',
    direction: 'inbound',
    status: 'RECEIVED',
    status_rank: 0,
  }),
  change('INSERT', 'MSG#m-9', 'STATUS#DELIVERED', {
    group_id: 'g-1',
    status: 'DELIVERED',
    date_updated: '2026-11-20T17:05:04.877Z',
    received_at: '2026-11-20T17:05:05.000Z',
  }),
  change('INSERT', 'MSG#m-9', 'STATUS#ERROR', {
    status: 'ERROR',
    received_at: '2026-11-20T17:05:05.000Z',
    error_code: '4001',
    error_message: 'rate limit',
  }),
  change('MODIFY', 'CMD#c-1', 'CMD', command('sent', { group_id: 'g-1', message_handle: 'm-9' }), command('sending')),
  change(
    'MODIFY',
    'CMD#c-1',
    'CMD',
    command('failed', { error: 'invalid command: content or media_url is required', refused_fingerprints: ['a', 'b'] }),
    command('sending'),
  ),
  change(
    'MODIFY',
    'CMD#c-1',
    'CMD',
    command('unknown', { failures: 1, next_attempt_at: '2026-11-20T17:06:00.000Z' }),
    command('sending'),
  ),
  change('INSERT', 'GROUP#g-1', 'GROUP', group({ members: ['+15551230002', '+15551230001'], group_name: 'Ops' })),
  change(
    'MODIFY',
    'GROUP#g-1',
    'GROUP',
    group({ members: ['+15551230001', '+15551230003'], group_name: 'Weekend' }),
    group({ members: ['+15551230001', '+15551230002'], group_name: 'Ops' }),
  ),
  change('INSERT', 'GROUP#g-2', 'GROUP', group({ group_id: 'g-2', group_name: 'Renamed first' })),
  change(
    'MODIFY',
    'CMD#c-2',
    'CMD',
    command('unknown', { type: 'send_reaction', failures: 1, error: 'may have been sent; not repeated' }),
    command('sending', { type: 'send_reaction' }),
  ),
  change('INSERT', 'MSG#m-1', 'REACTIONS', {
    message_handle: 'm-1',
    group_id: 'g-1',
    reactions: [
      {
        id: 'tapback-1',
        reaction: 'question',
        date_sent: '2026-11-20T17:06:30.104Z',
        part_index: 2,
        direction: 'inbound',
      },
    ],
    reaction_ids: new Set(['tapback-1']),
  }),
  change('INSERT', 'CONTACT#+14155550123', 'CONTACT', {
    number: '+14155550123',
    first_seen: '2026-11-20T17:04:11.512Z',
    last_seen: '2026-11-20T17:04:11.512Z',
    opted_out: true,
    opted_out_at: '2026-11-20T17:04:11.512Z',
    opted_out_by: 'keyword',
    opt_changed_at: '2026-11-20T17:04:11.512Z',
  }),
  change(
    'MODIFY',
    'CONTACT#+14155550123',
    'CONTACT',
    { number: '+14155550123', opted_out: false, opted_in_by: 'cli', opt_changed_at: '2026-11-21T09:00:00.000Z' },
    { number: '+14155550123', opted_out: true },
  ),
];

const closedUnion = validatorFor('events/event.json', { closed: true });
const FILES: Record<string, string> = {
  [DETAIL_TYPES.messageReceived]: 'events/group-message-received.json',
  [DETAIL_TYPES.statusChanged]: 'events/message-status-changed.json',
  [DETAIL_TYPES.commandSettled]: 'events/command-settled.json',
  [DETAIL_TYPES.groupChanged]: 'events/group-changed.json',
  [DETAIL_TYPES.reactionReceived]: 'events/group-reaction-received.json',
  [DETAIL_TYPES.contactOptedOut]: 'events/contact-opted-out.json',
  [DETAIL_TYPES.contactOptedIn]: 'events/contact-opted-in.json',
};
const closedByType = Object.fromEntries(
  Object.entries(FILES).map(([type, path]) => [type, validatorFor(path, { closed: true })]),
);

describe('events the events code makes match their schemas', () => {
  it('every detail-type, as the sandbox feed delivers it (EventBridge envelope)', async () => {
    const feed = createEventFeed();
    const events = CHANGES.map((tableChange) => domainEventFor(tableChange));
    expect(events.every((event) => event !== undefined)).toBe(true);
    await feed.publisher.publish(events.map((event) => event!));
    const envelopes = feed.list().map((entry) => entry.event);
    expect(new Set(envelopes.map((envelope) => envelope['detail-type']))).toEqual(new Set(Object.keys(FILES)));
    for (const envelope of envelopes) {
      // The envelope's time again, to the millisecond, in the detail (EventBridge drops the milliseconds of time).
      expect(envelope.detail.occurred_at).toBe(envelope.time);
      expect(envelope.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expectValid(closedByType[envelope['detail-type']]!, envelope, envelope['detail-type']);
      expectValid(closedUnion, envelope, `${envelope['detail-type']} (event.json)`);
      // One file per detail-type: an envelope of another type is refused by it.
      for (const [type, check] of Object.entries(closedByType))
        if (type !== envelope['detail-type'])
          expect(check(envelope), `${envelope['detail-type']} as ${type}`).toBe(false);
    }
    feed.close();
  });

  it('a message too large for EventBridge: content null and content_omitted', () => {
    const event = domainEventFor(change('INSERT', 'MSG#m-3', 'MSG', { ...inbound, content: '\u0001'.repeat(50_000) }))!;
    const fitted = fitToSize(event, PUT_EVENTS_MAX_BYTES, entrySize);
    expect(fitted.detail.content_omitted).toBe(true);
    const envelope = {
      version: '0',
      id: 'x',
      'detail-type': fitted.detailType,
      source: 'sendblue-groups',
      account: '1',
      time: fitted.time,
      region: 'us-east-1',
      resources: [],
      detail: fitted.detail,
    };
    expectValid(closedByType[DETAIL_TYPES.messageReceived]!, envelope, 'content omitted');
  });

  it("the README's example envelope and details match", () => {
    const { objects } = jsonObjectsInMarkdown(readme());
    const envelope = objects.find((object) => object.source === 'sendblue-groups' && 'detail' in object);
    expect(envelope).toBeDefined();
    expectValid(closedUnion, envelope, 'README envelope');
    // A millisecond example: the detail's occurred_at and date_sent are its time.
    expect(envelope!.time).toMatch(/\.\d{3}Z$/);
    expect((envelope!.detail as Record<string, unknown>).occurred_at).toBe(envelope!.time);
    expect((envelope!.detail as Record<string, unknown>).date_sent).toBe(envelope!.time);
    const ajv = newAjv();
    for (const path of Object.values(FILES)) ajv.addSchema(loadSchema(path));
    const detailOf = (type: string) =>
      ajv.getSchema(`https://sendblue-groups.dev/schemas/${FILES[type]}#/properties/detail`)!;
    const details = objects.filter((object) => 'event_id' in object && !('detail' in object));
    expect(details.length).toBeGreaterThanOrEqual(3);
    for (const detail of details) {
      const matching = Object.keys(FILES).filter((type) => detailOf(type)(detail));
      expect(matching, JSON.stringify(detail).slice(0, 100)).toHaveLength(1);
    }
  });
});
