/**
 * Opt-outs on the simulator: a member who texts a STOP keyword in a group is opted out for the
 * account (`opted_out: true` on that receive webhook) until START; POST /api/v2/contacts/opt-out
 * through the official SDK; a send to a group with an opted-out member reaches the others and
 * reports that member in a DECLINED status callback; a send that reaches nobody is refused.
 */
import { BadRequestError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, LINE, apiError, useSimulator } from './support.js';
import { OPT_OUT_KEYWORDS, optOutKeyword } from '../../../../lambdas/contract/sendblue-rules.js';

const fx = useSimulator({ receivePath: '/receive', webhookSecret: 'hook', statusDelaysMs: { sent: 5, delivered: 10 } });

type Payload = Record<string, unknown>;
const received = (path: string): Payload[] =>
  fx.receiver.received.filter((r) => r.path.startsWith(path)).map((r) => r.body as Payload);

describe('the opt-out keywords', () => {
  it('are the whole message, trimmed, in any case; START opts back in; anything else is no keyword', () => {
    expect(OPT_OUT_KEYWORDS).toEqual(['STOP', 'QUIT', 'END', 'REVOKE', 'OPT OUT', 'CANCEL', 'UNSUBSCRIBE']);
    for (const word of [...OPT_OUT_KEYWORDS, 'stop', ' Stop\n', 'opt  out', 'Unsubscribe', '\tcancel '])
      expect(optOutKeyword(word)).toBe('opt-out');
    for (const word of ['START', 'start', '  Start  ']) expect(optOutKeyword(word)).toBe('opt-in');
    for (const text of ['stop please', 'STOP.', 'please stop', 'optout', 'the end', 'STARTED', '', '   ', 'ＳＴＯＰ'])
      expect(optOutKeyword(text)).toBeUndefined();
  });
});

describe('a member who writes STOP', () => {
  it('is opted out: opted_out true on that webhook, the sends skip them with a DECLINED callback, START undoes it', async () => {
    const group = fx.sim.createGroup([A, B, C]);
    await fx.sim.memberReply(group.group_id, { from: B, content: 'Sounds fine' });
    await fx.sim.memberReply(group.group_id, { from: B, content: ' stop ' });
    expect(received('/receive').map((p) => [p.from_number, p.content, p.opted_out])).toEqual([
      [B, 'Sounds fine', false],
      [B, ' stop ', true],
    ]);
    expect(fx.sim.optedOut()).toEqual([B]);

    const sent = await fx.client.groups.sendMessage({
      group_id: group.group_id,
      content: 'Dinner at 8',
      from_number: LINE,
      status_callback: `${fx.receiver.url}/status`,
    } as never);
    expect(sent.status).toBe('QUEUED');
    await fx.sim.idle();
    const statuses = received('/status').map((p) => [p.status, p.number, p.opted_out, p.error_code]);
    expect(statuses).toEqual([
      ['DECLINED', B, true, 4002],
      ['SENT', A, false, null],
      ['DELIVERED', A, false, null],
    ]);
    const declined = received('/status')[0]!;
    expect(declined).toMatchObject({
      message_handle: sent.message_handle,
      to_number: B,
      error_reason: 'opted_out',
      error_message: expect.stringContaining('opted out'),
      group_id: group.group_id,
      is_outbound: true,
    });
    expect(fx.sim.sentMessages()[0]).toMatchObject({ declined: [B], participants: [A, B, C], status: 'DELIVERED' });
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, B, C]); // still in the group

    await fx.sim.memberReply(group.group_id, { from: B, content: 'START' });
    expect(received('/receive').at(-1)).toMatchObject({ from_number: B, content: 'START', opted_out: false });
    expect(fx.sim.optedOut()).toEqual([]);
    fx.receiver.received.length = 0;
    await fx.client.groups.sendMessage({
      group_id: group.group_id,
      content: 'Welcome back',
      from_number: LINE,
      status_callback: `${fx.receiver.url}/status`,
    } as never);
    await fx.sim.idle();
    expect(received('/status').map((p) => p.status)).toEqual(['SENT', 'DELIVERED']);
  });

  it('every keyword opts out, for the whole account (another group too); other text changes nothing', async () => {
    const group = fx.sim.createGroup([A, B]);
    const other = fx.sim.createGroup([A, C]);
    for (const word of OPT_OUT_KEYWORDS) {
      const message = await fx.sim.memberReply(group.group_id, { from: A, content: word.toLowerCase() });
      expect(message.opted_out).toBe(true);
      await fx.sim.memberReply(group.group_id, { from: A, content: 'Start' });
    }
    await fx.sim.memberReply(group.group_id, { from: A, content: 'please stop sending so many' });
    expect(fx.sim.optedOut()).toEqual([]);
    await fx.sim.memberReply(group.group_id, { from: A, content: 'QUIT' });
    await fx.client.groups.sendMessage({ group_id: other.group_id, content: 'hi', from_number: LINE });
    expect(fx.sim.sentMessages()[0]!.declined).toEqual([A]);
  });

  it('a reply can be made through the control endpoint with from_number; a non-member cannot write', async () => {
    const group = fx.sim.createGroup([A, B]);
    const reply = await fx.control('reply', {
      method: 'POST',
      body: JSON.stringify({ group_id: group.group_id, from_number: B, content: 'UNSUBSCRIBE' }),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.message).toMatchObject({ from_number: B, opted_out: true });
    expect((await fx.control('contacts')).body.opted_out).toEqual([B]);
    const stranger = await fx.control('reply', {
      method: 'POST',
      body: JSON.stringify({ group_id: group.group_id, from_number: C, content: 'hi' }),
    });
    expect(stranger.status).toBe(409);
    expect(
      (
        await fx.control('reply', {
          method: 'POST',
          body: JSON.stringify({ group_id: group.group_id, from_number: 5 }),
        })
      ).status,
    ).toBe(400);
    await expect(fx.sim.memberReply(group.group_id, { from: C })).rejects.toThrow(/member/);
  });
});

describe('sends nobody can receive', () => {
  it('a new group (or a group) whose every member opted out is refused 400 recipient_opted_out; nothing is created', async () => {
    fx.sim.optOut(A);
    fx.sim.optOut(B);
    const error = await apiError(fx.client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error).toMatchObject({
      error: 'recipient_opted_out',
      error_code: 4002,
      opted_out_numbers: [A, B],
    });
    const oneToOne = await apiError(fx.client.groups.sendMessage({ numbers: [A], content: 'x', from_number: LINE }));
    expect(oneToOne.status).toBe(400);
    const group = fx.sim.createGroup([A, B]);
    expect(
      (await apiError(fx.client.groups.sendMessage({ group_id: group.group_id, content: 'x', from_number: LINE })))
        .status,
    ).toBe(400);
    expect(fx.sim.sentMessages()).toEqual([]);
    // A new group with someone still reachable is created and sent.
    const mixed = await fx.client.groups.sendMessage({ numbers: [A, C], content: 'x', from_number: LINE });
    expect(mixed.status).toBe('QUEUED');
  });
});

describe('POST /api/v2/contacts/opt-out', () => {
  it('opts a number out (default) and back in (opted_out: false), answering the state; checks its body', async () => {
    expect(await fx.client.contacts.optOut({ number: C })).toEqual({ status: 'OK', number: C, opted_out: true });
    expect(fx.sim.optedOut()).toEqual([C]);
    expect(await fx.client.contacts.optOut({ number: C, opted_out: false })).toEqual({
      status: 'OK',
      number: C,
      opted_out: false,
    });
    expect(fx.sim.optedOut()).toEqual([]);
    for (const body of [{ number: '555' }, {}, { number: C, opted_out: 'yes' }]) {
      expect((await apiError(fx.client.contacts.optOut(body as never))).status).toBe(400);
    }
    expect(fx.sim.optedOut()).toEqual([]);
    // The control endpoint does the same without credentials.
    expect((await fx.control('opt-out', { method: 'POST', body: JSON.stringify({ number: A }) })).body).toEqual({
      status: 'OK',
      number: A,
      opted_out: true,
    });
    expect((await fx.control('opt-out', { method: 'POST', body: '{"number":"x"}' })).status).toBe(400);
    fx.sim.reset();
    expect(fx.sim.optedOut()).toEqual([]);
  });
});
