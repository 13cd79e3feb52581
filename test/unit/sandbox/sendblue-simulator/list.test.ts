/**
 * GET /api/v2/messages on the simulator through the SDK: filters, order and offset paging.
 */
import type SendblueAPI from 'sendblue';
import { APIError } from 'sendblue';
import { beforeAll, describe, expect, it } from 'vitest';
import { A, B, C, D, LINE, LINE2, useSimulator } from './support.js';

// One set of messages for every test: sent once, never reset.
const fx = useSimulator({ lines: [LINE, LINE2], resetAfterEach: false });
let g1: string;
let g2: string;
/** Every stored message, oldest first. */
let all: Array<{ handle: string; group: string; outbound: boolean; created: string }>;
let cutoff: string;

beforeAll(async () => {
  const send = (body: Record<string, unknown>) =>
    fx.client.groups.sendMessage({ content: 'x', from_number: LINE, ...body } as never);
  g1 = ((await send({ numbers: [A, B], content: 'g1 first' })) as { group_id: string }).group_id;
  await send({ group_id: g1, content: 'g1 second' });
  g2 = ((await send({ numbers: [C, D], from_number: LINE2, content: 'g2 first' })) as { group_id: string }).group_id;
  // Later messages get a later creation time than everything before the cutoff.
  await new Promise((resolve) => setTimeout(resolve, 5));
  cutoff = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await send({ group_id: g2, from_number: LINE2, content: 'g2 second' });
  await fx.sim.memberReply(g1, 'reply in g1');
  await send({ group_id: g1, content: 'g1 third' });
  await fx.sim.idle();
  all = fx.sim
    .messages()
    .map((m) => ({ handle: m.message_handle, group: m.group_id, outbound: m.is_outbound, created: m.date_created }));
});

const handles = (list: Awaited<ReturnType<SendblueAPI['messages']['list']>>) => list.data?.map((m) => m.message_handle);
const newestFirst = (filter: (m: (typeof all)[number]) => boolean) =>
  all
    .filter(filter)
    .map((m) => m.handle)
    .reverse();

describe('GET /api/v2/messages', () => {
  it('lists everything newest first by default, with group_id, participants and message_type on each record', async () => {
    const list = await fx.client.messages.list();
    expect(list.status).toBe('OK');
    expect(handles(list)).toEqual(newestFirst(() => true));
    expect(list.pagination).toEqual({ hasMore: false, limit: 50, offset: 0, total: 6 });
    const reply = list.data?.find((m) => m.content === 'reply in g1');
    expect(reply).toMatchObject({
      group_id: g1,
      participants: [A, B, LINE],
      message_type: 'group',
      is_outbound: false,
      status: 'RECEIVED',
    });
    expect(list.data?.find((m) => m.content === 'g2 first')).toMatchObject({
      group_id: g2,
      participants: [C, D, LINE2],
      sendblue_number: LINE2,
    });
  });

  it('filters by group_id, direction, lines and numbers', async () => {
    expect(handles(await fx.client.messages.list({ group_id: g1 }))).toEqual(newestFirst((m) => m.group === g1));
    expect(handles(await fx.client.messages.list({ is_outbound: 'false' }))).toEqual(newestFirst((m) => !m.outbound));
    expect(handles(await fx.client.messages.list({ is_outbound: 'true', group_id: g1 }))).toEqual(
      newestFirst((m) => m.outbound && m.group === g1),
    );
    expect(handles(await fx.client.messages.list({ from_number: LINE2 }))).toEqual(newestFirst((m) => m.group === g2));
    expect(handles(await fx.client.messages.list({ sendblue_number: LINE }))).toEqual(
      newestFirst((m) => m.group === g1),
    );
    expect(handles(await fx.client.messages.list({ number: C }))).toEqual(newestFirst((m) => m.group === g2));
    expect(handles(await fx.client.messages.list({ from_number: A }))).toEqual(newestFirst((m) => !m.outbound));
    expect(handles(await fx.client.messages.list({ group_id: 'sb_group_other' }))).toEqual([]);
  });

  it('filters by creation time', async () => {
    const after = await fx.client.messages.list({ created_at_gte: cutoff });
    expect(handles(after)).toEqual(newestFirst((m) => m.created >= cutoff));
    expect(after.data).toHaveLength(3);
    expect(handles(await fx.client.messages.list({ created_at_lte: cutoff }))).toEqual(
      newestFirst((m) => m.created <= cutoff),
    );
    expect(handles(await fx.client.messages.list({ created_at_gte: '2100-01-01T00:00:00Z' }))).toEqual([]);
  });

  it('orders ascending on request and pages with limit and offset', async () => {
    const ascending = await fx.client.messages.list({ order_by: 'createdAt', order_direction: 'asc' });
    expect(handles(ascending)).toEqual(all.map((m) => m.handle));

    const seen: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = await fx.client.messages.list({ limit: 2, offset, order_direction: 'asc' });
      seen.push(...(page.data ?? []).map((m) => m.message_handle ?? ''));
      expect(page.pagination).toMatchObject({ limit: 2, offset, total: 6 });
      if (!page.pagination?.hasMore) break;
    }
    expect(seen).toEqual(all.map((m) => m.handle));
    expect((await fx.client.messages.list({ offset: 10 })).data).toEqual([]);
    expect((await fx.client.messages.list({ limit: 500 })).pagination?.limit).toBe(100);
  });

  it.each([
    ['is_outbound', { is_outbound: 'yes' }],
    ['limit', { limit: 'many' }],
    ['offset', { offset: -1 }],
    ['order_direction', { order_direction: 'sideways' }],
    ['order_by', { order_by: 'size' }],
    ['created_at_gte', { created_at_gte: 'last tuesday' }],
  ])('answers 400 naming %s when it is not valid', async (field, query) => {
    let error: unknown;
    await fx.client.messages.list(query as never).catch((caught: unknown) => (error = caught));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect(((error as APIError).error as { error_message: string }).error_message).toContain(field);
  });
});
