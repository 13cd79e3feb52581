import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { contactFactsFor } from '../../../../lambdas/contacts/contact-projection.js';
import { domainEventFor } from '../../../../lambdas/events/domain-events.js';
import { mediaCopyFor } from '../../../../lambdas/media/media-rules.js';
import {
  CONTACTS_STREAM_FILTERS,
  EVENTS_STREAM_FILTERS,
  matchesFilters,
  matchesPattern,
  MEDIA_STREAM_FILTERS,
} from '../../../../lambdas/events/stream-filters.js';
import { tableChangeOf } from '../../../../lambdas/events/table-change.js';

/** A stream record as Lambda delivers it (DynamoDB JSON), for an item change. */
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  newImage?: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
): DynamoDBRecord {
  const item = (newImage ?? oldImage)!;
  const json = (image?: Record<string, unknown>) =>
    image ? (marshall(image, { removeUndefinedValues: true }) as never) : undefined;
  return {
    eventID: `e-${Math.random()}`,
    eventName,
    dynamodb: {
      Keys: json({ PK: item.PK, SK: item.SK }),
      NewImage: json(newImage),
      OldImage: json(oldImage),
      SequenceNumber: '1',
      ApproximateCreationDateTime: 1_790_000_000,
    },
  };
}

const inbound = {
  PK: 'MSG#m',
  SK: 'MSG',
  direction: 'inbound',
  group_id: 'g',
  status: 'RECEIVED',
  content: 'hi',
  from_number: '+15551230001',
  date_sent: '2026-11-20T17:05:00.000Z',
  participants: ['+15551230001', '+15551230002'],
};
const contact = (extra: Record<string, unknown>) => ({
  PK: 'CONTACT#+15551230001',
  SK: 'CONTACT',
  number: '+15551230001',
  first_seen: 'a',
  last_seen: 'b',
  ...extra,
});
const command = (state: string, failures = 0) => ({
  PK: 'CMD#c',
  SK: 'CMD',
  command_id: 'c',
  type: 'send_group_message',
  state,
  failures,
});
const group = (members: string[], name?: string) => ({
  PK: 'GROUP#g',
  SK: 'GROUP',
  group_id: 'g',
  members,
  group_name: name,
  created_at: 'a',
  updated_at: 'b',
});

const tapback = (id: string, direction: string) => ({
  id,
  reaction: 'love',
  from_number: '+1',
  date_sent: '2026-11-20T17:05:00.000Z',
  part_index: 0,
  direction,
});
const reactions = (entries: ReturnType<typeof tapback>[]) => ({
  PK: 'MSG#m',
  SK: 'REACTIONS',
  message_handle: 'm',
  group_id: 'g',
  reactions: entries,
  reaction_ids: new Set(entries.map((entry) => entry.id)),
});

/** Changes the table really makes, with and without an event or a media copy. */
const CHANGES: DynamoDBRecord[] = [
  record('INSERT', inbound),
  record('INSERT', { ...inbound, media_url: 'https://cdn.example.com/a.png' }),
  record('INSERT', { ...inbound, group_id: undefined, media_url: 'https://cdn.example.com/b.png' }),
  record('INSERT', { ...inbound, direction: 'outbound', status: 'QUEUED' }),
  record('MODIFY', { ...inbound, media_archive: { key: 'k' } }, inbound),
  record(
    'MODIFY',
    { ...inbound, direction: 'outbound', status: 'SENT' },
    { ...inbound, direction: 'outbound', status: 'QUEUED' },
  ),
  record('INSERT', { PK: 'MSG#m', SK: 'STATUS#SENT', status: 'SENT', received_at: 'x' }),
  record('INSERT', command('sending')),
  record('INSERT', command('failed')),
  record('MODIFY', command('sent'), command('sending')),
  record('MODIFY', command('unknown', 1), command('sending', 0)),
  record('MODIFY', command('unknown', 1), command('sending', 1)),
  record('MODIFY', command('queued', 1), command('sending')),
  record('MODIFY', command('sending'), command('queued')),
  record('MODIFY', { ...command('sent'), refused_fingerprints: new Set(['x']) }, command('sent')),
  record('REMOVE', undefined, command('sent')),
  record('INSERT', group(['+1', '+2'])),
  record('MODIFY', group(['+1', '+2'], 'Weekend'), group(['+1', '+2'])),
  record('INSERT', reactions([tapback('r-1', 'inbound')])),
  record(
    'MODIFY',
    reactions([tapback('r-1', 'inbound'), tapback('command:c', 'outbound')]),
    reactions([tapback('r-1', 'inbound')]),
  ),
  record('INSERT', {
    PK: 'MSG#m',
    SK: 'STATUS#DECLINED#+15551230002',
    status: 'DECLINED',
    member: '+15551230002',
    opted_out: true,
    date_updated: '2026-11-20T17:05:00.000Z',
  }),
  record('INSERT', contact({ opted_out: true, opted_out_by: 'keyword', opt_changed_at: 'c' })),
  record('MODIFY', contact({ opted_out: false, opted_in_by: 'keyword' }), contact({ opted_out: true })),
  record('MODIFY', contact({ last_seen: 'c' }), contact({})),
  record('INSERT', { PK: 'LINE#+15550000000', SK: 'PACE', tat: 1 }),
  record('MODIFY', { PK: 'LINE#+15550000000', SK: 'PACE', tat: 2 }, { PK: 'LINE#+15550000000', SK: 'PACE', tat: 1 }),
];

describe('stream filter patterns (stream-filters.ts)', () => {
  it('let through every change that publishes an event', () => {
    const publishing = CHANGES.filter((r) => domainEventFor(tableChangeOf(r)));
    expect(publishing).toHaveLength(11);
    for (const r of publishing) expect(matchesFilters(EVENTS_STREAM_FILTERS, r), JSON.stringify(r)).toBe(true);
  });

  it('let through every change that asks for a media copy', () => {
    const copying = CHANGES.filter((r) => mediaCopyFor(tableChangeOf(r)));
    expect(copying).toHaveLength(2);
    for (const r of copying) expect(matchesFilters(MEDIA_STREAM_FILTERS, r)).toBe(true);
  });

  it('let through every change that records a contact, and keep out the rest', () => {
    const recording = CHANGES.filter((r) => {
      const facts = contactFactsFor(tableChangeOf(r));
      return facts.sightings.length + facts.optChanges.length > 0;
    });
    expect(recording).toHaveLength(5); // four messages inserted (members', ours) and a per-member refusal
    for (const r of recording) expect(matchesFilters(CONTACTS_STREAM_FILTERS, r), JSON.stringify(r)).toBe(true);
    const kept = CHANGES.filter((r) => matchesFilters(CONTACTS_STREAM_FILTERS, r));
    expect(kept).toHaveLength(recording.length);
  });

  it('keep out the busy changes that never publish: pacing, leases, queued retries, status updates of a message, removals', () => {
    const kept = CHANGES.filter((r) => matchesFilters(EVENTS_STREAM_FILTERS, r));
    const spared = CHANGES.filter((r) => !matchesFilters(EVENTS_STREAM_FILTERS, r)).map(
      (r) => `${r.eventName} ${r.dynamodb?.Keys?.PK?.S} ${r.dynamodb?.NewImage?.state?.S ?? ''}`,
    );
    expect(spared).toEqual([
      'INSERT MSG#m ',
      'INSERT MSG#m ',
      'MODIFY MSG#m ',
      'MODIFY MSG#m ',
      'INSERT CMD#c sending',
      'MODIFY CMD#c queued',
      'MODIFY CMD#c sending',
      'REMOVE CMD#c ',
      'MODIFY CONTACT#+15551230001 ',
      'INSERT LINE#+15550000000 ',
      'MODIFY LINE#+15550000000 ',
    ]);
    // What passes but publishes nothing is decided by the handler (a state that did not change,
    // our own tapback).
    // A per-member refusal passes (a STATUS# entry) but is told as the member's opt-out instead.
    expect(kept.length - 11).toBe(4);
    expect(CHANGES.filter((r) => matchesFilters(MEDIA_STREAM_FILTERS, r))).toHaveLength(2);
  });

  it('match like EventBridge patterns: all keys, any listed value, prefix and exists', () => {
    const pattern = { a: ['x', 'y'], b: { c: [{ prefix: 'p' }] }, d: [{ exists: false }] };
    expect(matchesPattern(pattern, { a: 'y', b: { c: 'pq' } })).toBe(true);
    expect(matchesPattern(pattern, { a: 'z', b: { c: 'pq' } })).toBe(false);
    expect(matchesPattern(pattern, { a: 'x', b: { c: 'qp' } })).toBe(false);
    expect(matchesPattern(pattern, { a: 'x', b: { c: 'p' }, d: 1 })).toBe(false);
    expect(matchesPattern(pattern, { a: 'x' })).toBe(false);
  });
});
