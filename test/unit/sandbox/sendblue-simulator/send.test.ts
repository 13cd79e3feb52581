/**
 * The simulator's send route and read-backs, driven by the official SDK as the sender drives it.
 */
import SendblueAPI, { AuthenticationError, BadRequestError, NotFoundError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, KEY, LINE, LINE2, SECRET, apiError, sdkClient, useSimulator } from './support.js';
import { MAX_CONTENT_CHARS } from '../../../../lambdas/contract/sendblue-rules.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';

const fx = useSimulator({ lines: [LINE, LINE2] });
const clientWith = (apiKey: string, apiSecret: string) => sdkClient(fx.sim, { apiKey, apiSecret });
const raw = fx.raw;

describe('authentication', () => {
  it('answers 401 JSON when either header is wrong or missing, stores nothing, and never records the secret', async () => {
    const wrongSecret = await apiError(
      clientWith(KEY, 'guessed-secret').groups.sendMessage({ numbers: [A, B], content: 'hi', from_number: LINE }),
    );
    expect(wrongSecret).toBeInstanceOf(AuthenticationError);
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.error).toMatchObject({ status: 'ERROR', message: expect.any(String) });

    const wrongKey = await apiError(clientWith('other-key', SECRET).messages.list());
    expect(wrongKey.status).toBe(401);

    const noHeaders = await raw('/api/v2/messages', { auth: false });
    expect(noHeaders.status).toBe(401);
    expect(noHeaders.body.status).toBe('ERROR');

    expect(fx.sim.sentMessages()).toEqual([]);
    expect(fx.sim.requests.map((request) => request.status)).toEqual([401, 401, 401]);
    const log = JSON.stringify(fx.sim.requests);
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('guessed-secret');
    expect(fx.sim.requests[0]?.headers['sb-api-secret-key']).toBe('[redacted]');
  });
});

describe('POST /api/send-group-message rules', () => {
  const valid = { numbers: [A, B], content: 'hello', from_number: LINE };
  const tooMany = Array.from({ length: 26 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['from_number missing', { ...valid, from_number: undefined }, 'from_number'],
    ['from_number not a line', { ...valid, from_number: '+15559999999' }, 'line_not_registered'],
    ['neither numbers nor group_id', { content: 'hello', from_number: LINE }, 'numbers or group_id'],
    ['numbers empty', { ...valid, numbers: [] }, 'numbers'],
    ['numbers not a list', { ...valid, numbers: A }, 'numbers'],
    ['a number not E.164', { ...valid, numbers: [A, '4155550102'] }, 'numbers[1]'],
    ['26 distinct numbers', { ...valid, numbers: tooMany }, 'at most 25'],
    ['group_id empty', { content: 'hello', from_number: LINE, group_id: '' }, 'group_id'],
    ['neither content nor media_url', { numbers: [A, B], from_number: LINE }, 'content or media_url'],
    ['content too long', { ...valid, content: 'x'.repeat(MAX_CONTENT_CHARS) }, 'content'],
    ['content not a string', { ...valid, content: 42 }, 'content'],
    ['media_url without a file extension', { ...valid, media_url: 'https://cdn.example.com/picture' }, 'media_url'],
    ['media_url over plain http', { ...valid, media_url: 'http://cdn.example.com/a.jpg' }, 'media_url'],
    ['send_style not in the list', { ...valid, send_style: 'wiggle' }, 'send_style'],
    ['status_callback not a URL', { ...valid, status_callback: 'not a url' }, 'status_callback'],
    ['status_callback over plain http', { ...valid, status_callback: 'http://example.com/hook' }, 'status_callback'],
    ['reply_to an unknown message', { ...valid, reply_to: { message_handle: 'nope' } }, 'reply_to'],
  ];

  it.each(cases)('%s: 400 naming the rule, nothing stored', async (_name, body, field) => {
    const error = await apiError(fx.client.groups.sendMessage(body as never));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error).toMatchObject({ status: 'ERROR', error_message: expect.stringContaining(field) });
    expect((error.error as { message: string }).message).toContain(field);
    expect(fx.sim.sentMessages()).toEqual([]);
    expect((await fx.client.messages.list()).data).toEqual([]);
  });

  it('accepts the limits themselves: 25 distinct numbers (duplicates ignored), content just under the cap, media only', async () => {
    const members = Array.from({ length: 25 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
    const big = await fx.client.groups.sendMessage({
      numbers: [...members, members[0]!],
      content: 'x'.repeat(MAX_CONTENT_CHARS - 1),
      from_number: LINE,
    });
    expect(big.status).toBe('QUEUED');
    expect((big as { number?: string[] }).number).toEqual(members);
    const media = await fx.client.groups.sendMessage({
      numbers: [A, B],
      media_url: 'https://cdn.example.com/a.png',
      from_number: LINE2,
      send_style: 'confetti',
    } as never);
    expect(media).toMatchObject({
      content: '',
      media_url: 'https://cdn.example.com/a.png',
      send_style: 'confetti',
      from_number: LINE2,
    });
    expect(fx.sim.sentMessages()).toHaveLength(2);
  });

  it('answers 404 for an unknown group_id', async () => {
    const error = await apiError(
      fx.client.groups.sendMessage({ group_id: 'sb_group_unknown', content: 'hi', from_number: LINE }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.error).toMatchObject({ status: 'ERROR', error_message: expect.stringContaining('sb_group_unknown') });
  });
});

describe('groups and the send answer', () => {
  it('creates a group for a new member set, reuses it for the same set in any order, and answers the message record', async () => {
    const first = await fx.client.groups.sendMessage({
      numbers: [A, B],
      content: 'one',
      from_number: LINE,
      status_callback: 'https://example.com/hook',
    } as never);
    expect(first).toEqual({
      account_email: expect.any(String),
      message_handle: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'QUEUED',
      content: 'one',
      media_url: '',
      from_number: LINE,
      date_sent: expect.any(String),
      date_created: expect.any(String),
      date_updated: expect.any(String),
      is_outbound: true,
      message_type: 'group',
      group_id: expect.stringMatching(/^sb_group_[0-9a-f-]{36}$/),
      number: [A, B],
      send_style: '',
      error_code: null,
      error_message: null,
    });
    expect(new Date(first.date_created!).toISOString()).toBe(first.date_created);
    const groupId = (first as { group_id: string }).group_id;

    const again = await fx.client.groups.sendMessage({ numbers: [B, A], content: 'two', from_number: LINE });
    expect((again as { group_id: string }).group_id).toBe(groupId);
    const byId = await fx.client.groups.sendMessage({ group_id: groupId, content: 'three', from_number: LINE });
    expect(byId).toMatchObject({ group_id: groupId, number: [A, B] });
    const other = await fx.client.groups.sendMessage({ numbers: [A, B, C], content: 'four', from_number: LINE });
    expect((other as { group_id: string }).group_id).not.toBe(groupId);

    expect(fx.sim.group(groupId)?.members).toEqual([A, B]);
    expect(fx.sim.sentMessages().map((m) => m.content)).toEqual(['one', 'two', 'three', 'four']);
    const group = await fx.client.v2.groups.retrieve(groupId);
    expect(group.data).toMatchObject({
      group_id: groupId,
      participant_numbers: [A, B],
      latest_message_id: byId.message_handle,
    });
  });

  it('reads a message back by status handle and by id; unknown handles are 404', async () => {
    const sent = await fx.client.groups.sendMessage({ numbers: [A, B], content: 'hello', from_number: LINE });
    const status = await fx.client.messages.getStatus({ handle: sent.message_handle! });
    expect(status).toMatchObject({
      message_handle: sent.message_handle,
      status: expect.stringMatching(/QUEUED|SENT|DELIVERED/),
      content: 'hello',
    });
    const retrieved = await fx.client.messages.retrieve(sent.message_handle!);
    expect(retrieved).toMatchObject({
      status: 'OK',
      data: {
        message_handle: sent.message_handle,
        group_id: (sent as { group_id: string }).group_id,
        participants: [A, B, LINE],
        message_type: 'group',
        is_outbound: true,
      },
    });
    expect((await apiError(fx.client.messages.getStatus({ handle: 'missing' }))).status).toBe(404);
    expect((await apiError(fx.client.messages.retrieve('missing'))).status).toBe(404);
    expect((await raw('/api/status')).status).toBe(400);
  });

  it('leaves group_id out of the send answer when told to mimic the current schema; it can be resolved by id', async () => {
    const quiet = await startSendblueSimulator({
      apiKeyId: KEY,
      apiSecretKey: SECRET,
      lines: [LINE],
      omitGroupIdInSendResponse: true,
    });
    try {
      const quietClient = new SendblueAPI({
        apiKey: KEY,
        apiSecret: SECRET,
        baseURL: quiet.url,
        maxRetries: 0,
        timeout: 2000,
      });
      const sent = await quietClient.groups.sendMessage({ numbers: [A, B], content: 'hi', from_number: LINE });
      expect(sent).not.toHaveProperty('group_id');
      const resolved = await quietClient.messages.retrieve(sent.message_handle!);
      expect(resolved.data?.group_id).toBe(quiet.sentMessages()[0]?.group_id);
    } finally {
      await quiet.stop();
    }
  });
});

describe('bad requests never crash it', () => {
  it('answers 4xx JSON to bad JSON, odd bodies, unknown routes and bad encodings, then still works', async () => {
    const post = (body: string) =>
      raw('/api/send-group-message', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect((await post('{not json')).status).toBe(400);
    expect((await post('')).status).toBe(400);
    for (const body of [
      'null',
      '[]',
      '"text"',
      '{"numbers":"x"}',
      '{"numbers":[1,2],"content":"x","from_number":"+15550000000"}',
      '{"content":{},"numbers":["+14155550101"],"from_number":"+15550000000"}',
    ]) {
      const answer = await post(body);
      expect(answer.status, body).toBe(400);
      expect(answer.body.status).toBe('ERROR');
    }
    expect((await raw('/api/nothing-here')).status).toBe(404);
    expect((await raw('/elsewhere', { auth: false })).status).toBe(404);
    expect((await raw('/api/send-group-message')).status).toBe(405);
    expect((await raw('/api/v2/messages?limit=%zz')).status).toBe(400);
    expect((await raw('/api/v2/groups/%zz')).status).toBe(400);
    expect((await raw('/api/modify-group', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) })).status).toBe(413);
    const ok = await fx.client.groups.sendMessage({ numbers: [A, B], content: 'still here', from_number: LINE });
    expect(ok.status).toBe('QUEUED');
    expect(fx.sim.sentMessages()).toHaveLength(1);
  });
});
