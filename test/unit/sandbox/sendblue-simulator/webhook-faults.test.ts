/**
 * Lost webhooks (the simulator's dropWebhooks and /__simulator/webhook-faults): the next N, or a
 * seeded random share, of status callbacks and member replies are never posted, and show as
 * dropped in `callbacks`; the messages stay in the simulator and its message list. Also the
 * `after` option of API faults (let N matching calls through first).
 */
import type { APIError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, LINE, useSimulator } from './support.js';

const fx = useSimulator({
  receivePath: '/receive',
  webhookSecret: 'hook-secret',
  statusDelaysMs: { sent: 2, delivered: 4 },
});
const control = fx.control;
const send = () =>
  fx.client.groups.sendMessage({
    numbers: [A, B],
    content: 'hi',
    from_number: LINE,
    status_callback: `${fx.receiver.url}/status`,
  } as never);

describe('dropped webhooks', () => {
  it('drop N: the next N webhooks are not posted at all (no retries), are recorded as dropped, and the messages stay listed', async () => {
    fx.sim.dropWebhooks({ drop: 2 });
    await send();
    await fx.sim.idle();
    const group = fx.sim.sentMessages()[0]!.group_id;
    await fx.sim.memberReply(group, 'kept');
    expect(fx.sim.callbacks.map((c) => [c.kind, c.payload.status, c.dropped ?? false, c.attempts])).toEqual([
      ['status', 'SENT', true, 0],
      ['status', 'DELIVERED', true, 0],
      ['reply', 'RECEIVED', false, 1],
    ]);
    expect(fx.receiver.received.map((r) => r.path)).toEqual(['/receive']);
    const listed = await fx.client.messages.list({
      sendblue_number: LINE,
      order_by: 'updatedAt',
      order_direction: 'asc',
    });
    expect(listed.data?.map((m) => m.status)).toEqual(['DELIVERED', 'RECEIVED']);
  });

  it('a seeded rate drops the same webhooks for the same seed, about that share of them', async () => {
    const run = async (seed: number) => {
      fx.sim.reset();
      fx.sim.dropWebhooks({ rate: 0.5, seed });
      const group = fx.sim.createGroup([A, B]);
      for (let i = 0; i < 40; i += 1) await fx.sim.memberReply(group.group_id, `m${i}`);
      return fx.sim.callbacks.map((c) => c.dropped === true);
    };
    const first = await run(3);
    expect(await run(3)).toEqual(first);
    expect(await run(4)).not.toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(10);
    expect(first.filter(Boolean).length).toBeLessThan(30);
    fx.sim.clearWebhookFaults();
    const group = fx.sim.createGroup([A, B]);
    await fx.sim.memberReply(group.group_id, 'after clear');
    expect(fx.sim.callbacks.at(-1)!.dropped).toBeUndefined();
  });

  it('is set, shown and cleared over the control endpoint, which checks it', async () => {
    expect(await control('webhook-faults', { method: 'POST', body: JSON.stringify({ drop: 3 }) })).toEqual({
      status: 200,
      body: { status: 'OK', webhook_faults: { drop: 3, rate: null, seed: null } },
    });
    expect(
      (await control('webhook-faults', { method: 'POST', body: JSON.stringify({ rate: 0.25, seed: 9 }) })).body
        .webhook_faults,
    ).toEqual({ drop: 3, rate: 0.25, seed: 9 });
    expect((await control('webhook-faults')).body.webhook_faults).toEqual({ drop: 3, rate: 0.25, seed: 9 });
    for (const bad of [
      {},
      { drop: 0 },
      { drop: 1.5 },
      { rate: 2, seed: 1 },
      { rate: 0.5 },
      { drop: 1, rate: 0.5, seed: 1 },
      [],
      'x',
    ]) {
      expect(
        (await control('webhook-faults', { method: 'POST', body: JSON.stringify(bad) })).status,
        JSON.stringify(bad),
      ).toBe(400);
    }
    expect((await control('webhook-faults', { method: 'DELETE' })).body.webhook_faults).toEqual({
      drop: 0,
      rate: null,
      seed: null,
    });
    expect(() => fx.sim.dropWebhooks({ drop: -1 })).toThrow(/drop must be an integer/);
  });

  it('reset forgets them', async () => {
    fx.sim.dropWebhooks({ drop: 5 });
    fx.sim.reset();
    const group = fx.sim.createGroup([A, B]);
    await fx.sim.memberReply(group.group_id, 'delivered');
    expect(fx.sim.callbacks.map((c) => c.dropped)).toEqual([undefined]);
  });
});

describe('a fault after N calls', () => {
  it('lets the first N matching calls through, then applies to count calls', async () => {
    fx.sim.injectFault({ kind: '429', route: 'read', after: 2, count: 1 });
    const outcomes: number[] = [];
    for (let i = 0; i < 4; i += 1)
      outcomes.push(
        await fx.client.messages.list().then(
          () => 200,
          (error: APIError) => error.status ?? 0,
        ),
      );
    expect(outcomes).toEqual([200, 200, 429, 200]);
  });

  it('is shown with what is left, and checked', async () => {
    const shown = await control('faults', {
      method: 'POST',
      body: JSON.stringify({ kind: '500', route: 'read', after: 1 }),
    });
    expect(shown.body.faults).toEqual([{ kind: '500', route: 'read', count: 1, after: 1 }]);
    expect((await control('faults', { method: 'POST', body: JSON.stringify({ kind: '500', after: -1 }) })).status).toBe(
      400,
    );
  });
});
