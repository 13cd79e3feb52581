import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWebhookPayload } from '../../../../lambdas/webhooks/webhook-payload.js';

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const receive = example('receive-group.json');
const status = example('status-callback.json');

describe('parseWebhookPayload', () => {
  it('reads a group receive webhook', () => {
    const result = parseWebhookPayload(receive, 'inbound');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toMatchObject({
      messageHandle: receive.message_handle,
      direction: 'inbound',
      status: 'RECEIVED',
      groupId: receive.group_id,
      content: receive.content,
      fromNumber: receive.from_number,
      participants: receive.participants,
      groupDisplayName: 'Ops on-call',
      dateSent: '2026-11-20T17:04:11.512Z',
    });
    expect(result.event.mediaUrl).toBeUndefined(); // "" means none
    expect(result.event.sendStyle).toBeUndefined();
  });

  it('keeps fields it does not map in extra', () => {
    const result = parseWebhookPayload({ ...receive, brand_new_field: { a: 1 } }, 'inbound');
    expect(result.ok && result.event.extra).toMatchObject({
      accountEmail: 'owner@example.com',
      plan: 'dedicated',
      brand_new_field: { a: 1 },
    });
  });

  it('reads a status callback as outbound and takes is_outbound over the route default', () => {
    const result = parseWebhookPayload(status, 'inbound');
    expect(result.ok && result.event).toMatchObject({ direction: 'outbound', status: 'DELIVERED' });
  });

  it('treats "" and null as absent, including group_id (a 1:1 message)', () => {
    const result = parseWebhookPayload({ ...receive, group_id: '', participants: null, content: null }, 'inbound');
    expect(result.ok && result.event.groupId).toBeUndefined();
    expect(result.ok && result.event.participants).toBeUndefined();
    expect(result.ok && result.event.content).toBeUndefined();
  });

  it.each([
    [{ ...receive, message_handle: undefined }, 'message_handle is required'],
    [{ ...receive, message_handle: 42 }, 'message_handle must be a string'],
    [{ ...receive, content: 42 }, 'content must be a string'],
    [{ ...receive, participants: '+14155550123' }, 'participants must be an array of strings'],
    [{ ...receive, participants: [1, 2] }, 'participants must be an array of strings'],
    [{ ...receive, is_outbound: 'no' }, 'is_outbound must be a boolean'],
    [
      { ...receive, date_sent: 'yesterday' },
      'date_sent must be an ISO-8601 date with a time zone, such as 2026-11-20T17:04:11.512Z',
    ],
    [
      { ...receive, date_sent: 'hello 7' },
      'date_sent must be an ISO-8601 date with a time zone, such as 2026-11-20T17:04:11.512Z',
    ],
    [
      { ...receive, date_sent: '2026-11-20' },
      'date_sent must be an ISO-8601 date with a time zone, such as 2026-11-20T17:04:11.512Z',
    ],
    [
      { ...receive, date_sent: '2026-13-01T00:00:00Z' },
      'date_sent must be an ISO-8601 date with a time zone, such as 2026-11-20T17:04:11.512Z',
    ],
    [{ ...receive, date_updated: '2100-01-01T00:00:00.000Z' }, 'date_updated must be between 2000 and 2100'],
    [{ ...receive, group_id: 'x'.repeat(257) }, 'group_id must be 1 to 256 characters'],
    [{ ...receive, message_handle: '😀'.repeat(129) }, 'message_handle must be 1 to 256 characters'],
    [{ ...receive, message_handle: '   ' }, 'message_handle must not be blank'],
    [{ ...receive, message_handle: 'a\nb' }, 'message_handle must not contain control characters'],
    [{ ...receive, content: 'half an emoji \ud83d' }, 'content must be valid Unicode text (it holds a lone surrogate)'],
    [
      { ...receive, extra: { list: ['ok', '\udc00'] } },
      'extra.list[1] must be valid Unicode text (it holds a lone surrogate)',
    ],
    [{ ...receive, 'k\ud800': 1 }, 'a field name must be valid Unicode text (it holds a lone surrogate)'],
    [{ ...status, status: 'DELIVERED'.repeat(100) }, 'status must be a Sendblue status such as SENT or DELIVERED'],
    [{ ...status, status: 'SENT#1' }, 'status must be a Sendblue status such as SENT or DELIVERED'],
    [{ ...status, status: undefined }, 'status is required for an outbound message status'],
  ])('rejects a wrong field with a message that names it (%#)', (body, message) => {
    expect(parseWebhookPayload(body, 'inbound')).toEqual({ ok: false, error: message });
  });

  it.each([[null], [[]], ['text'], [42]])('rejects a body that is not an object: %j', (body) => {
    const result = parseWebhookPayload(body, 'inbound');
    expect(result.ok).toBe(false);
  });

  it('accepts ids of 256 characters, emoji pairs included, and nesting up to 64 levels', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 63; i += 1) deep = [deep];
    const result = parseWebhookPayload(
      { ...receive, message_handle: '😀'.repeat(128), group_id: 'g'.repeat(256), deep },
      'inbound',
    );
    expect(result.ok).toBe(true);
    expect(parseWebhookPayload({ ...receive, deep: [deep] }, 'inbound')).toEqual({
      ok: false,
      error: 'the payload is nested deeper than 64 levels',
    });
  });

  it('accepts a numeric error_code as text', () => {
    const result = parseWebhookPayload({ ...status, status: 'ERROR', error_code: 10001 }, 'outbound');
    expect(result.ok && result.event.errorCode).toBe('10001');
  });

  describe("a member's tapback (reaction, reaction_to: the simulator's shape; Sendblue documents none)", () => {
    const tapback = {
      ...receive,
      message_handle: 'tapback-1',
      content: 'Loved “Running late”',
      reaction: 'love',
      reaction_to: { message_handle: 'msg-1', part_index: 1 },
    };

    it('reads the reaction and the message it is on; the two fields are not kept in extra', () => {
      const result = parseWebhookPayload(tapback, 'inbound');
      expect(result.ok && result.event.reaction).toEqual({ reaction: 'love', messageHandle: 'msg-1', partIndex: 1 });
      expect(result.ok && result.event.extra).not.toHaveProperty('reaction');
      expect(result.ok && result.event.extra).not.toHaveProperty('reaction_to');
      const noPart = parseWebhookPayload({ ...tapback, reaction_to: { message_handle: 'msg-1' } }, 'inbound');
      expect(noPart.ok && noPart.event.reaction?.partIndex).toBe(0);
    });

    it.each([
      ['an emoji tapback Apple added later', { reaction: '👍' }],
      ['a removal', { reaction: '-love' }],
      ['no reaction_to', { reaction_to: undefined }],
      ['reaction_to not an object', { reaction_to: 'msg-1' }],
      ['a handle we could not store', { reaction_to: { message_handle: 'x\u0000y' } }],
      ['a blank handle', { reaction_to: { message_handle: ' ' } }],
      ['a part index out of range', { reaction_to: { message_handle: 'msg-1', part_index: -1 } }],
      ['a part index that is not whole', { reaction_to: { message_handle: 'msg-1', part_index: 0.5 } }],
    ])('%s: kept as the plain message it also is, the fields in extra (nothing refused, nothing lost)', (_, change) => {
      const result = parseWebhookPayload({ ...tapback, ...change }, 'inbound');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.event.reaction).toBeUndefined();
      expect(result.event.content).toBe('Loved “Running late”');
      for (const [field, value] of Object.entries(change))
        if (value !== undefined) expect(result.event.extra[field]).toEqual(value);
    });

    it('an outbound event with the fields is a status event, never a reaction', () => {
      const result = parseWebhookPayload({ ...tapback, is_outbound: true, status: 'SENT' }, 'outbound');
      expect(result.ok && result.event.reaction).toBeUndefined();
    });
  });
});
