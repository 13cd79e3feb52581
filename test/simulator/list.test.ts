/**
 * GET /api/v2/messages on the simulator through the SDK: filters, order and offset paging.
 */
import type SendblueAPI from 'sendblue';
import { APIError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, B, C, D, KEY, LINE, LINE2, SECRET, sdkClient } from './support.js';
import { startSendblueSimulator, type RunningSimulator } from '../../sandbox/sendblue-simulator/index.js';

let sim: RunningSimulator;
let client: SendblueAPI;
let g1: string;
let g2: string;
/** Every stored message, oldest first. */
let all: Array<{ handle: string; group: string; outbound: boolean; created: string }>;
let cutoff: string;

beforeAll(async () => {
  sim = await startSendblueSimulator({ apiKeyId: KEY, apiSecretKey: SECRET, lines: [LINE, LINE2] });
  client = sdkClient(sim);
  const send = (body: Record<string, unknown>) =>
    client.groups.sendMessage({ content: 'x', from_number: LINE, ...body } as never);
  g1 = ((await send({ numbers: [A, B], content: 'g1 first' })) as { group_id: string }).group_id;
  await send({ group_id: g1, content: 'g1 second' });
  g2 = ((await send({ numbers: [C, D], from_number: LINE2, content: 'g2 first' })) as { group_id: string }).group_id;
  // Later messages get a later creation time than everything before the cutoff.
  await new Promise((resolve) => setTimeout(resolve, 5));
  cutoff = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await send({ group_id: g2, from_number: LINE2, content: 'g2 second' });
  await sim.memberReply(g1, 'reply in g1');
  await send({ group_id: g1, content: 'g1 third' });
  await sim.idle();
  all = sim
    .messages()
    .map((m) => ({ handle: m.message_handle, group: m.group_id, outbound: m.is_outbound, created: m.date_created }));
});
afterAll(() => sim.stop());

const handles = (list: Awaited<ReturnType<SendblueAPI['messages']['list']>>) => list.data?.map((m) => m.message_handle);
const newestFirst = (filter: (m: (typeof all)[number]) => boolean) =>
  all
    .filter(filter)
    .map((m) => m.handle)
    .reverse();

describe('GET /api/v2/messages', () => {
  it('lists everything newest first by default, with group_id, participants and message_type on each record', async () => {
    const list = await client.messages.list();
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
    expect(handles(await client.messages.list({ group_id: g1 }))).toEqual(newestFirst((m) => m.group === g1));
    expect(handles(await client.messages.list({ is_outbound: 'false' }))).toEqual(newestFirst((m) => !m.outbound));
    expect(handles(await client.messages.list({ is_outbound: 'true', group_id: g1 }))).toEqual(
      newestFirst((m) => m.outbound && m.group === g1),
    );
    expect(handles(await client.messages.list({ from_number: LINE2 }))).toEqual(newestFirst((m) => m.group === g2));
    expect(handles(await client.messages.list({ sendblue_number: LINE }))).toEqual(newestFirst((m) => m.group === g1));
    expect(handles(await client.messages.list({ number: C }))).toEqual(newestFirst((m) => m.group === g2));
    expect(handles(await client.messages.list({ from_number: A }))).toEqual(newestFirst((m) => !m.outbound));
    expect(handles(await client.messages.list({ group_id: 'sb_group_other' }))).toEqual([]);
  });

  it('filters by creation time', async () => {
    const after = await client.messages.list({ created_at_gte: cutoff });
    expect(handles(after)).toEqual(newestFirst((m) => m.created >= cutoff));
    expect(after.data).toHaveLength(3);
    expect(handles(await client.messages.list({ created_at_lte: cutoff }))).toEqual(
      newestFirst((m) => m.created <= cutoff),
    );
    expect(handles(await client.messages.list({ created_at_gte: '2100-01-01T00:00:00Z' }))).toEqual([]);
  });

  it('orders ascending on request and pages with limit and offset', async () => {
    const ascending = await client.messages.list({ order_by: 'createdAt', order_direction: 'asc' });
    expect(handles(ascending)).toEqual(all.map((m) => m.handle));

    const seen: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = await client.messages.list({ limit: 2, offset, order_direction: 'asc' });
      seen.push(...(page.data ?? []).map((m) => m.message_handle ?? ''));
      expect(page.pagination).toMatchObject({ limit: 2, offset, total: 6 });
      if (!page.pagination?.hasMore) break;
    }
    expect(seen).toEqual(all.map((m) => m.handle));
    expect((await client.messages.list({ offset: 10 })).data).toEqual([]);
    expect((await client.messages.list({ limit: 500 })).pagination?.limit).toBe(100);
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
    await client.messages.list(query as never).catch((caught: unknown) => (error = caught));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect(((error as APIError).error as { error_message: string }).error_message).toContain(field);
  });
});
