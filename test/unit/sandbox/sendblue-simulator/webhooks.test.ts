/**
 * What the simulator posts: status callbacks (SENT then DELIVERED, no signing header, retried)
 * and member replies (receive webhook with sb-signing-secret), received by a real HTTP server.
 */
import SendblueAPI from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, KEY, LINE, SECRET, useSimulator } from './support.js';
import { createLogger } from '../../../../lambdas/platform/logger.js';
import { SIGNING_HEADER } from '../../../../lambdas/webhooks/webhook-auth.js';
import { CANNED_REPLIES } from '../../../../sandbox/sendblue-simulator/index.js';
import { startWebhookReceiver } from '../../../../sandbox/sendblue-simulator/receiver.js';

const WEBHOOK_SECRET = 'sim-webhook-secret-do-not-leak';

const logLines: string[] = [];
const fx = useSimulator({
  receivePath: '/receive',
  webhookSecret: WEBHOOK_SECRET,
  replyEvery: 2,
  replyDelayMs: 10,
  statusDelaysMs: { sent: 5, delivered: 15 },
  logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
});

const send = (body: Record<string, unknown>) =>
  fx.client.groups.sendMessage({ from_number: LINE, content: 'hello', ...body } as never);

describe('status callbacks', () => {
  it('posts SENT then DELIVERED to status_callback, without the signing header, in the Sendblue status shape', async () => {
    const sent = await send({ numbers: [A, B], status_callback: `${fx.receiver.url}/status?token=abc` });
    await fx.sim.idle();
    expect(fx.receiver.received.map((r) => [r.path, (r.body as { status: string }).status])).toEqual([
      ['/status?token=abc', 'SENT'],
      ['/status?token=abc', 'DELIVERED'],
    ]);
    for (const delivery of fx.receiver.received) expect(delivery.headers[SIGNING_HEADER]).toBeUndefined();
    expect(fx.receiver.received[1]?.body).toEqual({
      accountEmail: expect.any(String),
      content: 'hello',
      is_outbound: true,
      status: 'DELIVERED',
      error_code: null,
      error_message: null,
      error_reason: null,
      error_detail: null,
      message_handle: sent.message_handle,
      date_sent: sent.date_created,
      date_updated: expect.any(String),
      from_number: LINE,
      number: A,
      to_number: A,
      was_downgraded: false,
      plan: 'blue',
      media_url: '',
      message_type: 'group',
      group_id: (sent as { group_id: string }).group_id,
      participants: [A, B, LINE], // our line too, as in Sendblue's receive payloads
      send_style: '',
      opted_out: false,
      sendblue_number: LINE,
      service: 'iMessage',
      group_display_name: '',
    });
    expect(fx.sim.callbacks.map((c) => [c.kind, c.attempts, c.lastStatus, c.delivered])).toEqual([
      ['status', 1, 200, true],
      ['status', 1, 200, true],
    ]);
    expect((await fx.client.messages.getStatus({ handle: sent.message_handle! })).status).toBe('DELIVERED');
    expect(fx.sim.sentMessages()[0]?.status_history.map((h) => h.status)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
  });

  it('retries a callback the receiver answered 500, and keeps the order SENT, SENT, DELIVERED', async () => {
    fx.receiver.answerNext(500);
    await send({ numbers: [A, B], status_callback: `${fx.receiver.url}/status` });
    await fx.sim.idle();
    expect(fx.receiver.received.map((r) => [(r.body as { status: string }).status, r.answeredWith])).toEqual([
      ['SENT', 500],
      ['SENT', 200],
      ['DELIVERED', 200],
    ]);
    expect(fx.sim.callbacks[0]).toMatchObject({ kind: 'status', attempts: 2, lastStatus: 200, delivered: true });
  });

  it('gives up after 3 retries, on error answers and on a receiver that is gone', async () => {
    fx.receiver.answerNext(500, 502, 503, 500);
    await send({ numbers: [A, B], status_callback: `${fx.receiver.url}/status` });
    await fx.sim.idle();
    expect(fx.sim.callbacks.map((c) => [c.payload.status, c.attempts, c.lastStatus, c.delivered])).toEqual([
      ['SENT', 4, 500, false],
      ['DELIVERED', 1, 200, true],
    ]);

    fx.sim.reset();
    const gone = await startWebhookReceiver();
    await gone.stop();
    await send({ numbers: [A, B], status_callback: `${gone.url}/status` });
    await fx.sim.idle();
    expect(fx.sim.callbacks.map((c) => [c.attempts, c.lastStatus, c.delivered])).toEqual([
      [4, 'error', false],
      [4, 'error', false],
    ]);
  });

  it('advances the stored status the same way when no status_callback was given', async () => {
    const sent = await send({ numbers: [A, B] });
    expect(sent.status).toBe('QUEUED');
    await fx.sim.idle();
    expect((await fx.client.messages.getStatus({ handle: sent.message_handle! })).status).toBe('DELIVERED');
    expect(fx.sim.callbacks.filter((c) => c.kind === 'status')).toEqual([]);
  });
});

describe('member replies', () => {
  it('every 2nd accepted send gets one reply: a receive webhook with the signing header and the full payload', async () => {
    const first = await send({ numbers: [A, B, C] });
    await fx.sim.idle();
    expect(fx.receiver.received).toEqual([]);
    const groupId = (first as { group_id: string }).group_id;
    await fx.client.v2.groups.rename(groupId, { group_name: 'Ops' });
    await send({ group_id: groupId });
    await fx.sim.idle();
    expect(fx.receiver.received).toHaveLength(1);
    const reply = fx.receiver.received[0]!;
    expect(reply.path).toBe('/receive');
    expect(reply.headers[SIGNING_HEADER]).toBe(WEBHOOK_SECRET);
    expect(reply.body).toEqual({
      accountEmail: expect.any(String),
      content: CANNED_REPLIES[0],
      is_outbound: false,
      status: 'RECEIVED',
      error_code: null,
      error_message: null,
      error_reason: null,
      error_detail: null,
      message_handle: expect.stringMatching(/^[0-9a-f-]{36}$/),
      date_sent: expect.any(String),
      date_updated: expect.any(String),
      from_number: A,
      number: A,
      to_number: LINE,
      was_downgraded: false,
      plan: 'blue',
      media_url: '',
      message_type: 'group',
      group_id: groupId,
      participants: [A, B, C, LINE],
      send_style: '',
      opted_out: false,
      sendblue_number: LINE,
      service: 'iMessage',
      group_display_name: 'Ops',
    });
    // The reply is stored as an inbound message too.
    const inbound = await fx.client.messages.list({ group_id: groupId, is_outbound: 'false' });
    expect(inbound.data?.map((m) => [m.message_handle, m.status, m.from_number])).toEqual([
      [(reply.body as { message_handle: string }).message_handle, 'RECEIVED', A],
    ]);
  });

  it('memberReply() makes members write in turn, with canned or given content, and retries a failed delivery', async () => {
    const group = fx.sim.createGroup([A, B, C]);
    fx.receiver.answerNext(503);
    const first = await fx.sim.memberReply(group.group_id);
    await fx.sim.memberReply(group.group_id, 'Custom words');
    await fx.sim.memberReply(group.group_id);
    await fx.sim.memberReply(group.group_id);
    expect(first).toMatchObject({ is_outbound: false, status: 'RECEIVED', from_number: A, group_id: group.group_id });
    const bodies = fx.receiver.received.map((r) => r.body as { from_number: string; content: string });
    expect(bodies.map((b) => [b.from_number, b.content])).toEqual([
      [A, CANNED_REPLIES[0]],
      [A, CANNED_REPLIES[0]], // the retry of the delivery answered 503
      [B, 'Custom words'],
      [C, CANNED_REPLIES[2]],
      [A, CANNED_REPLIES[3]],
    ]);
    expect(fx.sim.callbacks[0]).toMatchObject({ kind: 'reply', attempts: 2, lastStatus: 200, delivered: true });
    expect(fx.sim.messages().filter((m) => !m.is_outbound)).toHaveLength(4);
    expect(fx.sim.sentMessages()).toEqual([]);
    await expect(fx.sim.memberReply('sb_group_nope')).rejects.toThrow(/sb_group_nope/);
  });
});

describe('secrets', () => {
  it('redacts the status callback token in /__simulator/requests and /__simulator/callbacks, yet delivers with it', async () => {
    const token = `tok-${crypto.randomUUID()}`;
    await send({ numbers: [A, B], status_callback: `${fx.receiver.url}/status?a=1&token=${token}` });
    await fx.sim.idle();
    expect(fx.receiver.received.map((r) => r.path)).toEqual([
      `/status?a=1&token=${token}`,
      `/status?a=1&token=${token}`,
    ]);
    const shown = await Promise.all(
      ['requests', 'callbacks'].map(async (what) => (await fetch(`${fx.sim.url}/__simulator/${what}`)).text()),
    );
    for (const text of [...shown, JSON.stringify([fx.sim.requests, fx.sim.callbacks])]) {
      expect(text).not.toContain(token);
      expect(text).toContain('/status?a=1&token=[redacted]');
    }
  });

  it('never logs or records the API secret or the webhook secret, whatever happened', async () => {
    logLines.length = 0;
    const stranger = new SendblueAPI({ apiKey: KEY, apiSecret: `${SECRET}-wrong`, baseURL: fx.sim.url, maxRetries: 0 });
    await expect(stranger.messages.list()).rejects.toThrow();
    fx.receiver.answerNext(500);
    const sent = await send({ numbers: [A, B], status_callback: `${fx.receiver.url}/status?token=t` });
    await fx.sim.memberReply((sent as { group_id: string }).group_id);
    fx.sim.injectFault({ kind: '500' });
    await expect(send({ numbers: [A, B] })).rejects.toThrow();
    await fx.sim.idle();
    expect(logLines.length).toBeGreaterThan(5);
    const everything = JSON.stringify([logLines, fx.sim.requests, fx.sim.callbacks]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(WEBHOOK_SECRET);
  });
});
