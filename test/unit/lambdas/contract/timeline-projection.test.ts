/**
 * GSI1 projects only some attributes (TABLE_SCHEMA.groupTimelineIndex.projectedAttributes). A
 * timeline entry must still give the same message view and group summary as the whole item, or a
 * field added to a view but not to the projection would silently read as null from the timeline.
 */
import { describe, expect, it } from 'vitest';
import { timelineKeys, messageKey } from '../../../../lambdas/contract/keys.js';
import type { GroupItem, MessageItem } from '../../../../lambdas/contract/items.js';
import { TABLE_SCHEMA } from '../../../../lambdas/contract/table-schema.js';
import { groupView, messageView } from '../../../../lambdas/contract/views.js';

const KEYS = [
  TABLE_SCHEMA.partitionKey,
  TABLE_SCHEMA.sortKey,
  TABLE_SCHEMA.groupTimelineIndex.partitionKey,
  TABLE_SCHEMA.groupTimelineIndex.sortKey,
];

/** What a Query on GSI1 returns for an item: its keys and the projected attributes. */
const asTimelineEntry = (item: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(item).filter(
      ([key]) =>
        (KEYS as readonly string[]).includes(key) ||
        (TABLE_SCHEMA.groupTimelineIndex.projectedAttributes as readonly string[]).includes(key),
    ),
  );

function fullMessage(i: number): MessageItem & Record<string, unknown> {
  const handle = `h-${i}`;
  const dateSent = `2026-11-20T10:00:0${i}.000Z`;
  return {
    ...messageKey(handle),
    ...timelineKeys('g', dateSent, handle),
    message_handle: handle,
    group_id: 'g',
    direction: i % 2 ? 'outbound' : 'inbound',
    status: 'DELIVERED',
    status_rank: 6,
    content: `hello ${i}`,
    media_url: 'https://cdn.example.com/a.png',
    from_number: '+14155550123',
    date_sent: dateSent,
    date_updated: dateSent,
    send_style: 'confetti',
    participants: ['+14155550123', `+1212555010${i}`],
    group_display_name: `Team ${i}`,
    error_code: '4000',
    error_message: 'x',
    relay_url: 'https://example.com/hook',
    command_id: 'c',
    extra_json: '{"a":1}',
    received_at: dateSent,
    service: 'iMessage',
    sendblue_number: '+13055550100',
  };
}

describe('group timeline projection', () => {
  it('gives the same message view and group summary as the whole items', () => {
    const items = [3, 2, 1].map(fullMessage);
    const entries = items.map(asTimelineEntry) as unknown as MessageItem[];
    expect(entries.map(messageView)).toEqual(items.map(messageView));
    const record: GroupItem = {
      group_id: 'g',
      members: ['+1'],
      group_name: 'Old',
      created_at: '2026-11-19T00:00:00.000Z',
      updated_at: '2026-11-19T00:00:00.000Z',
    };
    expect(groupView('g', record, entries)).toEqual(groupView('g', record, items));
    expect(groupView('g', undefined, entries)).toEqual(groupView('g', undefined, items));
  });

  it("leaves the unmapped payload and the sender's bookkeeping out of the index", () => {
    expect(Object.keys(asTimelineEntry(fullMessage(1)))).not.toContain('extra_json');
    for (const attribute of ['extra_json', 'relay_url', 'command_id', 'received_at', 'status_rank']) {
      expect(TABLE_SCHEMA.groupTimelineIndex.projectedAttributes).not.toContain(attribute);
    }
  });
});
