/**
 * Tapbacks on the simulator: POST /api/send-reaction over plain HTTP (SDK 3.17 has no method for
 * it) with Sendblue's fields, answer and error texts; a member's tapback posted to the receive
 * webhook (our documented shape: `reaction`, `reaction_to`, Apple's text as content), by method
 * and by control endpoint.
 */
import { describe, expect, it } from 'vitest';
import { A, B, C, LINE, LINE2, useSimulator } from './support.js';
import { REACTIONS } from '../../../../lambdas/contract/sendblue-rules.js';
import { SIGNING_HEADER } from '../../../../lambdas/webhooks/webhook-auth.js';

const fx = useSimulator({
  lines: [LINE, LINE2],
  receivePath: '/receive',
  webhookSecret: 'hook',
  lineRateLimit: { perSecond: 1, burst: 3 },
});

const react = (body: Record<string, unknown>) =>
  fx.raw('/api/send-reaction', { method: 'POST', body: JSON.stringify(body) });

async function aMessage(): Promise<{ groupId: string; handle: string }> {
  const sent = await fx.client.groups.sendMessage({ numbers: [A, B, C], content: 'Dinner at 8?', from_number: LINE });
  return { groupId: (sent as { group_id: string }).group_id, handle: sent.message_handle! };
}

describe('POST /api/send-reaction', () => {
  it('answers like Sendblue and keeps the tapback on the message', async () => {
    const { groupId } = await aMessage();
    const reply = await fx.sim.memberReply(groupId, { from: B, content: 'Yes!' });
    const answer = await react({ from_number: LINE, message_handle: reply.message_handle, reaction: 'love' });
    expect(answer).toEqual({
      status: 200,
      body: { status: 'OK', message: 'Reaction request sent', message_handle: reply.message_handle, reaction: 'love' },
    });
    await react({ from_number: LINE, message_handle: reply.message_handle, reaction: 'laugh', part_index: 1 });
    const stored = fx.sim.messages().find((m) => m.message_handle === reply.message_handle)!;
    expect(stored.reactions).toEqual([
      { reaction: 'love', from_number: LINE, part_index: 0, date: expect.any(String) },
      { reaction: 'laugh', from_number: LINE, part_index: 1, date: expect.any(String) },
    ]);
    expect(fx.sim.requests.at(-1)).toMatchObject({ path: '/api/send-reaction', line: LINE, status: 200 });
  });

  it.each([
    ['no from_number', { from_number: undefined }, 400, 'You must specify a valid `from_number` in the request body.'],
    ['a from_number not E.164', { from_number: '555' }, 400, 'You must specify a valid `from_number`'],
    ['a from_number not ours', { from_number: '+15559999999' }, 400, 'The from_number is not registered'],
    ['no message_handle', { message_handle: undefined }, 400, 'You must specify `message_handle` in the request body.'],
    ['an unknown reaction', { reaction: 'wow' }, 400, `Invalid reaction. Must be one of: ${REACTIONS.join(', ')}`],
    ['a negative part_index', { part_index: -1 }, 400, '`part_index` must be a non-negative integer.'],
    ['a fractional part_index', { part_index: 0.5 }, 400, '`part_index` must be a non-negative integer.'],
    ['an unknown message_handle', { message_handle: 'no-such-handle' }, 404, 'no-such-handle'],
    ['a line not in the conversation', { from_number: LINE2 }, 400, 'line_not_registered'],
  ])('refuses %s and keeps nothing', async (_name, fields, status, text) => {
    const { handle } = await aMessage();
    const answer = await react({ from_number: LINE, message_handle: handle, reaction: 'like', ...fields });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ status: 'ERROR', message: expect.stringContaining(text) });
    expect(fx.sim.messages().every((m) => !m.reactions)).toBe(true);
  });

  it('refuses a body that is not an object, and takes a token of the line rate like a send', async () => {
    const { handle } = await aMessage();
    expect((await fx.raw('/api/send-reaction', { method: 'POST', body: '[1]' })).status).toBe(400);
    expect((await react({ from_number: LINE, message_handle: handle, reaction: 'like' })).status).toBe(200);
    expect((await react({ from_number: LINE, message_handle: handle, reaction: 'love' })).status).toBe(200);
    const limited = await react({ from_number: LINE, message_handle: handle, reaction: 'like' });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('rate_limited');
  });
});

describe('a member taps back', () => {
  it('posts a receive webhook with reaction, reaction_to and Apple’s text; the tapback is kept on the message', async () => {
    const { groupId, handle } = await aMessage();
    const tapback = await fx.sim.memberReacts(handle, 'emphasize', { from: C, partIndex: 0 });
    expect(tapback).toMatchObject({
      group_id: groupId,
      is_outbound: false,
      from_number: C,
      content: 'Emphasized “Dinner at 8?”',
      reaction: 'emphasize',
      reaction_to: { message_handle: handle, part_index: 0 },
    });
    const webhook = fx.receiver.received.at(-1)!;
    expect(webhook.headers[SIGNING_HEADER]).toBe('hook');
    expect(webhook.body).toMatchObject({
      message_handle: tapback.message_handle,
      status: 'RECEIVED',
      from_number: C,
      group_id: groupId,
      content: 'Emphasized “Dinner at 8?”',
      reaction: 'emphasize',
      reaction_to: { message_handle: handle, part_index: 0 },
      opted_out: false,
    });
    const target = fx.sim.messages().find((m) => m.message_handle === handle)!;
    expect(target.reactions).toEqual([
      { reaction: 'emphasize', from_number: C, part_index: 0, date: tapback.date_created },
    ]);
    // It is a message of the group, so the message list (and a backfill) sees it.
    const listed = await fx.client.messages.list({ group_id: groupId });
    expect(listed.data?.find((m) => m.message_handle === tapback.message_handle)).toMatchObject({
      reaction: 'emphasize',
      reaction_to: { message_handle: handle, part_index: 0 },
    });
  });

  it('by default the next member in turn who did not write the message; each reaction reads as Apple writes it', async () => {
    const { groupId } = await aMessage();
    const fromB = await fx.sim.memberReply(groupId, { from: B, content: 'a photo', mediaUrl: '' });
    const verbs: string[] = [];
    for (const reaction of REACTIONS) {
      const tapback = await fx.sim.memberReacts(fromB.message_handle, reaction);
      expect(tapback.from_number).not.toBe(B);
      verbs.push(tapback.content);
    }
    expect(verbs).toEqual([
      'Loved “a photo”',
      'Liked “a photo”',
      'Disliked “a photo”',
      'Laughed at “a photo”',
      'Emphasized “a photo”',
      'Questioned “a photo”',
    ]);
    const picture = await fx.sim.memberReply(groupId, { from: A, mediaUrl: fx.sim.mediaUrlFor('p.png') });
    expect((await fx.sim.memberReacts(picture.message_handle, 'love')).content).toBe('Loved an image');
    // A typed STOP opts out; a tapback whose text quotes "STOP" does not.
    const stop = await fx.sim.memberReply(groupId, { from: A, content: 'STOP' });
    await fx.sim.memberReacts(stop.message_handle, 'like', { from: B });
    expect(fx.sim.optedOut()).toEqual([A]);
  });

  it('is driven by POST /__simulator/react, which checks its body', async () => {
    const { handle } = await aMessage();
    const answer = await fx.control('react', {
      method: 'POST',
      body: JSON.stringify({ message_handle: handle, reaction: 'question', from_number: A, part_index: 2 }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.message).toMatchObject({
      reaction: 'question',
      from_number: A,
      reaction_to: { message_handle: handle, part_index: 2 },
    });
    const bad: Array<[Record<string, unknown>, number]> = [
      [{ reaction: 'love' }, 400],
      [{ message_handle: handle, reaction: 'wow' }, 400],
      [{ message_handle: handle, reaction: 'love', from_number: 'x' }, 400],
      [{ message_handle: handle, reaction: 'love', part_index: -2 }, 400],
      [{ message_handle: 'nope', reaction: 'love' }, 404],
      [{ message_handle: handle, reaction: 'love', from_number: '+14155550999' }, 409],
    ];
    for (const [body, status] of bad)
      expect((await fx.control('react', { method: 'POST', body: JSON.stringify(body) })).status).toBe(status);
    await expect(fx.sim.memberReacts('nope', 'love')).rejects.toThrow(/No simulated message/);
  });
});
