/**
 * The simulator's account webhooks (/api/account/webhooks), driven by the official SDK's
 * `client.webhooks` over HTTP, and what it delivers to them: member replies to every receive
 * webhook and status changes to every outbound webhook, each with its own secret, received by a
 * real HTTP server.
 */
import { describe, expect, it } from 'vitest';
import { A, B, apiError, KEY, LINE, SECRET, sdkClient, useSimulator } from './support.js';
import { SIGNING_HEADER } from '../../../../lambdas/webhooks/webhook-auth.js';

const SEEDED_SECRET = 'seeded-webhook-secret-do-not-leak';
const OTHER_SECRET = 'another-apps-secret-do-not-leak';

const fx = useSimulator({
  // The webhook the account "starts with", as if set in Sendblue's dashboard.
  receivePath: '/seeded',
  webhookSecret: SEEDED_SECRET,
  statusDelaysMs: { sent: 5, delivered: 15 },
});
const control = async (path: string) => (await fx.control(path)).body;

describe('GET, POST, DELETE and PUT /api/account/webhooks', () => {
  it('lists the configured receive webhook; POST appends (the same URL twice is two registrations); DELETE removes by type and URL', async () => {
    expect(await fx.client.webhooks.list()).toEqual({
      status: 'OK',
      webhooks: { receive: [{ url: `${fx.receiver.url}/seeded`, secret: SEEDED_SECRET }] },
    });

    await fx.client.webhooks.create({
      type: 'outbound',
      webhooks: [{ url: 'https://example.com/status', secret: 's1' }],
    });
    await fx.client.webhooks.create({
      type: 'outbound',
      webhooks: [{ url: 'https://example.com/status', secret: 's1' }],
    });
    await fx.client.webhooks.create({ webhooks: ['https://other.example.net/in'] }); // no type: receive
    expect((await fx.client.webhooks.list()).webhooks).toEqual({
      receive: [{ url: `${fx.receiver.url}/seeded`, secret: SEEDED_SECRET }, 'https://other.example.net/in'],
      outbound: [
        { url: 'https://example.com/status', secret: 's1' },
        { url: 'https://example.com/status', secret: 's1' },
      ],
    });

    // The same URL under another type stays; both registrations of it under outbound go.
    await fx.client.webhooks.create({ type: 'receive', webhooks: ['https://example.com/status'] });
    expect(
      await fx.client.webhooks.delete({ type: 'outbound', webhooks: ['https://example.com/status'] }),
    ).toMatchObject({
      status: 'OK',
    });
    expect((await fx.client.webhooks.list()).webhooks).toEqual({
      receive: [
        { url: `${fx.receiver.url}/seeded`, secret: SEEDED_SECRET },
        'https://other.example.net/in',
        'https://example.com/status',
      ],
    });
  });

  it('PUT replaces every webhook of the account (which is why our code never calls it)', async () => {
    await fx.client.webhooks.create({ type: 'outbound', webhooks: ['https://example.com/status'] });
    await fx.client.webhooks.update({
      webhooks: { typing_indicator: ['https://example.com/typing'], globalSecret: 'g' },
    });
    expect((await fx.client.webhooks.list()).webhooks).toEqual({
      typing_indicator: ['https://example.com/typing'],
      globalSecret: 'g',
    });
  });

  it('refuses bad bodies with 400 and changes nothing', async () => {
    const before = await fx.client.webhooks.list();
    const bad: Array<Record<string, unknown>> = [
      { webhooks: [] },
      { webhooks: ['not a url'] },
      { webhooks: ['ftp://example.com/x'] },
      { webhooks: [{ secret: 'no url' }] },
      { webhooks: ['https://example.com'], type: 'everything' },
      { webhooks: [{ url: 'https://example.com', secret: 42 }] },
      { webhooks: [{ url: 'https://example.com' }], type: 'contact_created' },
      { webhooks: [{ url: 'https://example.com', sendblue_numbers: [LINE] }], type: 'outbound' },
    ];
    for (const body of bad) expect((await apiError(fx.client.webhooks.create(body as never))).status).toBe(400);
    expect((await apiError(fx.client.webhooks.delete({ webhooks: [] }))).status).toBe(400);
    expect((await apiError(fx.client.webhooks.update({ webhooks: { receive: 'x' } } as never))).status).toBe(400);
    expect(await fx.client.webhooks.list()).toEqual(before);
  });

  it('needs the API keys like every other route', async () => {
    expect((await apiError(sdkClient(fx.sim, { apiSecret: 'wrong' }).webhooks.list())).status).toBe(401);
  });

  it('never shows a secret in /__simulator/requests; /__simulator/webhooks shows the registrations redacted', async () => {
    await fx.client.webhooks.create({
      type: 'outbound',
      webhooks: [{ url: 'https://example.com/status', secret: OTHER_SECRET }],
      globalSecret: OTHER_SECRET,
    });
    await fetch(`${fx.sim.url}/api/account/webhooks`, {
      method: 'POST',
      headers: { 'sb-api-key-id': KEY, 'sb-api-secret-key': SECRET, 'content-type': 'application/json' },
      body: `{"webhooks":[{"url":"https://x.example","secret":"${OTHER_SECRET}"}] broken`,
    });
    const recorded = JSON.stringify(await control('requests'));
    expect(recorded).toContain('https://example.com/status');
    expect(recorded).not.toContain(OTHER_SECRET);
    expect(recorded).not.toContain(SECRET);
    const shown = await control('webhooks');
    expect(shown.webhooks).toEqual({
      receive: [{ url: `${fx.receiver.url}/seeded`, secret: '[redacted]' }],
      outbound: [{ url: 'https://example.com/status', secret: '[redacted]' }],
      globalSecret: '[redacted]',
    });
    // In-process (tests) the registrations keep their secrets.
    expect(fx.sim.accountWebhooks().globalSecret).toBe(OTHER_SECRET);
  });

  it('reset() brings back the webhook the account started with', async () => {
    await fx.client.webhooks.delete({ webhooks: [`${fx.receiver.url}/seeded`] });
    expect((await fx.client.webhooks.list()).webhooks).toEqual({});
    fx.sim.reset();
    expect((await fx.client.webhooks.list()).webhooks).toEqual({
      receive: [{ url: `${fx.receiver.url}/seeded`, secret: SEEDED_SECRET }],
    });
  });
});

describe('deliveries to registered webhooks', () => {
  it('a member reply goes to every receive webhook, each with its own secret (or the global one, or none)', async () => {
    await fx.client.webhooks.create({
      type: 'receive',
      webhooks: [{ url: `${fx.receiver.url}/second`, secret: OTHER_SECRET }],
    });
    await fx.client.webhooks.create({ type: 'receive', webhooks: [`${fx.receiver.url}/plain`] });
    await fx.client.webhooks.create({
      type: 'receive',
      webhooks: [{ url: `${fx.receiver.url}/other-line`, sendblue_numbers: ['+15559999999'] }],
    });
    const group = fx.sim.createGroup([A, B]);
    const reply = await fx.sim.memberReply(group.group_id, 'hi all');
    const byPath = Object.fromEntries(fx.receiver.received.map((r) => [r.path, r]));
    expect(Object.keys(byPath).sort()).toEqual(['/plain', '/second', '/seeded']); // not the webhook of another line
    expect(byPath['/seeded']!.headers[SIGNING_HEADER]).toBe(SEEDED_SECRET);
    expect(byPath['/second']!.headers[SIGNING_HEADER]).toBe(OTHER_SECRET);
    expect(byPath['/plain']!.headers[SIGNING_HEADER]).toBeUndefined();
    for (const r of fx.receiver.received)
      expect(r.body).toMatchObject({ message_handle: reply.message_handle, content: 'hi all', status: 'RECEIVED' });

    await fx.client.webhooks.create({
      type: 'receive',
      webhooks: [`${fx.receiver.url}/global-only`],
      globalSecret: 'global-1',
    });
    fx.receiver.received.length = 0;
    await fx.sim.memberReply(group.group_id, 'again');
    expect(fx.receiver.received.find((r) => r.path === '/plain')!.headers[SIGNING_HEADER]).toBe('global-1');
  });

  it("status changes go to every outbound webhook (with its secret) besides the message's status_callback (without)", async () => {
    await fx.client.webhooks.create({
      type: 'outbound',
      webhooks: [{ url: `${fx.receiver.url}/outbound`, secret: OTHER_SECRET }],
    });
    const sent = await fx.client.groups.sendMessage({
      numbers: [A, B],
      content: 'hello',
      from_number: LINE,
      status_callback: `${fx.receiver.url}/callback?token=t`,
    } as never);
    await fx.sim.idle();
    const seen = fx.receiver.received.map((r) => [
      r.path,
      (r.body as { status: string }).status,
      r.headers[SIGNING_HEADER] ?? null,
    ]);
    expect(seen.filter(([path]) => path === '/callback?token=t')).toEqual([
      ['/callback?token=t', 'SENT', null],
      ['/callback?token=t', 'DELIVERED', null],
    ]);
    expect(seen.filter(([path]) => path === '/outbound')).toEqual([
      ['/outbound', 'SENT', OTHER_SECRET],
      ['/outbound', 'DELIVERED', OTHER_SECRET],
    ]);
    for (const r of fx.receiver.received)
      expect(r.body).toMatchObject({
        message_handle: (sent as { message_handle: string }).message_handle,
        is_outbound: true,
      });
    expect(fx.sim.callbacks.map((c) => c.kind).sort()).toEqual(['outbound', 'outbound', 'status', 'status']);
  });

  it('with no receive webhook left, a reply is stored in the simulator and posted nowhere', async () => {
    await fx.client.webhooks.delete({ type: 'receive', webhooks: [`${fx.receiver.url}/seeded`] });
    const group = fx.sim.createGroup([A, B]);
    await fx.sim.memberReply(group.group_id, 'anyone?');
    expect(fx.receiver.received).toEqual([]);
    expect(fx.sim.messages().some((m) => m.content === 'anyone?')).toBe(true);
  });
});
