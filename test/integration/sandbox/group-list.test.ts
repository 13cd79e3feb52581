/** The sandbox-only group list (the web page's sidebar), on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { parseWebhookPayload } from '../../../lambdas/webhooks/webhook-payload.js';
import { inboundPayload, statusPayload } from '../../support/http-events.js';
import { sandboxGroupList } from '../../../sandbox/group-list.js';
import { freshTable } from '../../support/table-for-test.js';

const event = (payload: Record<string, unknown>, direction: 'inbound' | 'outbound') => {
  const parsed = parseWebhookPayload(payload, direction);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.event;
};

describe('listGroupsForSandbox', () => {
  it("lists each group once with its record's members and name, message count and newest message, newest first; 1:1 messages and commands stay out", async () => {
    const { store, documentClient, tableName } = await freshTable();
    const listGroupsForSandbox = sandboxGroupList(documentClient, tableName);
    expect(await listGroupsForSandbox()).toEqual([]);
    await store.putInboundMessage(
      event(inboundPayload({ group_id: 'g-old', date_sent: '2026-01-01T00:00:00.000Z' }), 'inbound'),
    );
    await store.putInboundMessage(
      event(inboundPayload({ group_id: 'g-new', date_sent: '2026-02-01T00:00:00.000Z' }), 'inbound'),
    );
    await store.putInboundMessage(
      event(inboundPayload({ group_id: 'g-new', date_sent: '2026-02-02T00:00:00.000Z' }), 'inbound'),
    );
    await store.putInboundMessage(
      event(inboundPayload({ group_id: undefined, message_handle: 'direct-1' }), 'inbound'),
    );
    await store.syncGroup({
      groupId: 'g-new',
      members: ['+15551230002', '+15551230001'],
      name: 'Team',
      asOf: '2026-02-02T00:00:00.000Z',
    });
    // A status for a message never seen still creates it in its group.
    await store.applyStatusEvent(
      event(
        statusPayload({ message_handle: 'late-1', group_id: 'g-old', date_sent: '2026-01-05T00:00:00.000Z' }),
        'outbound',
      ),
    );
    await store.syncGroup({ groupId: 'g-empty', members: ['+15551230003'], asOf: '2026-03-01T00:00:00.000Z' });
    // A group we created by sending: no record yet, members from the message (as GET /groups/{id}).
    await store.putOutboundMessage({
      messageHandle: 'sent-1',
      groupId: 'g-sent',
      commandId: 'c-1',
      status: 'QUEUED',
      content: 'hi',
      dateSent: '2026-01-10T00:00:00.000Z',
      participants: ['+15551230005', '+15551230004'],
    });

    // Opted-out contacts are marked in their groups; one opted back in is not; contacts list no group.
    await store.recordOptChange({
      number: '+15551230002',
      at: '2026-02-03T00:00:00.000Z',
      optedOut: true,
      by: 'keyword',
    });
    await store.recordOptChange({
      number: '+15551230001',
      at: '2026-02-03T00:00:00.000Z',
      optedOut: true,
      by: 'keyword',
    });
    await store.recordOptChange({
      number: '+15551230001',
      at: '2026-02-04T00:00:00.000Z',
      optedOut: false,
      by: 'keyword',
    });

    const groups = await listGroupsForSandbox();
    expect(groups.map((g) => g.group_id)).toEqual(['g-new', 'g-sent', 'g-old', 'g-empty']);
    expect(groups[1]).toMatchObject({
      group_id: 'g-sent',
      members: ['+15551230004', '+15551230005'],
      message_count: 1,
    });
    expect(groups[0]).toEqual({
      group_id: 'g-new',
      name: 'Team',
      members: ['+15551230001', '+15551230002'],
      opted_out: ['+15551230002'],
      last_message_at: '2026-02-02T00:00:00.000Z',
      message_count: 2,
      // The newest message, for the page's preview line.
      last_message: {
        direction: 'inbound',
        from_number: expect.any(String),
        content: expect.any(String),
        media_url: null,
        date_sent: '2026-02-02T00:00:00.000Z',
      },
    });
    expect(groups[1]!.last_message).toMatchObject({ direction: 'outbound', content: 'hi', from_number: null });
    expect(groups[2]).toMatchObject({
      group_id: 'g-old',
      message_count: 2,
      last_message_at: '2026-01-05T00:00:00.000Z',
    });
    expect(groups[3]).toMatchObject({
      group_id: 'g-empty',
      message_count: 0,
      last_message_at: null,
      members: ['+15551230003'],
      opted_out: [],
      last_message: null,
    });
  });
});
