/**
 * A member's tapback on the receive webhook (the simulator's shape: `reaction`, `reaction_to`;
 * Sendblue documents none), through a whole sandbox over HTTP: kept on the message it reacts to in
 * one write, once however often it is delivered, kept before that message is stored, shown by the
 * read API (the message and the timeline page), published once as Group Reaction Received, and
 * kept as a plain message when it is not a reaction we can keep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../../lambdas/contract/sandbox.js';
import { MAX_REACTIONS_PER_MESSAGE } from '../../../../lambdas/contract/reactions.js';
import { SIGNING_HEADER } from '../../../../lambdas/webhooks/webhook-auth.js';
import { inboundPayload } from '../../../support/http-events.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';
import { countRequests } from '../../../support/table-for-test.js';

let h: Harness;
let writes: string[] = [];
beforeAll(async () => {
  h = await startHarness({
    streams: { pollIntervalMs: 50 },
    onDocumentClient: (client) => {
      writes = countRequests(client);
    },
  });
});
afterAll(() => h?.stop());

const uid = () => Math.random().toString(36).slice(2, 10);

async function postReceive(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(h.sandbox.urls.receiveWebhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNING_HEADER]: 'sandbox-webhook-secret' },
    body: JSON.stringify(payload),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** The receive webhook the simulator posted for a member's tapback (what Sendblue would retry). */
function postedPayload(handle: string): Record<string, unknown> {
  const delivery = h.sim.callbacks.find((c) => c.kind === 'reply' && c.payload.message_handle === handle);
  if (!delivery) throw new Error(`no receive webhook for ${handle}`);
  return delivery.payload;
}

async function events(): Promise<EventEnvelope[]> {
  await h.sim.idle();
  await h.sandbox.streams.caughtUp();
  return (await h.get('/__sandbox/events')).body.events as EventEnvelope[];
}

describe("a member's tapback on the receive webhook", () => {
  it('is kept on the message it reacts to, once, however often it is delivered; shown by the read API', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const message = await h.sim.memberReply(group.group_id, { content: 'Dinner at 8?', from: MEMBERS[0] });
    await h.sim.idle();
    const tapback = await h.sim.memberReacts(message.message_handle, 'love', { from: MEMBERS[1], partIndex: 0 });
    await h.sim.idle();
    const payload = postedPayload(tapback.message_handle);
    expect(payload).toMatchObject({ reaction: 'love', reaction_to: { message_handle: message.message_handle } });

    // Sendblue retries: three more deliveries of the same webhook change nothing.
    for (let i = 0; i < 3; i += 1)
      expect(await postReceive(payload)).toEqual({ ok: true, kind: 'reaction', result: 'duplicate' });

    const detail = (await h.get(`/messages/${message.message_handle}`)).body;
    expect(detail.reactions).toEqual([
      { reaction: 'love', from_number: MEMBERS[1], date_sent: tapback.date_sent, part_index: 0, direction: 'inbound' },
    ]);
    const page = (await h.get(`/groups/${group.group_id}/messages`)).body;
    const handles = page.messages.map((m: { message_handle: string }) => m.message_handle);
    // The tapback is not a message of the timeline: it is on the message it reacts to.
    expect(handles).toEqual([message.message_handle]);
    expect(page.messages[0].reactions).toEqual(detail.reactions);
    expect((await h.get(`/messages/${tapback.message_handle}`)).status).toBe(404);

    const published = (await events()).filter((e) => e['detail-type'] === 'Group Reaction Received');
    expect(published.map((e) => e.detail)).toEqual([
      {
        event_id: expect.any(String),
        // The tapback's own date, to the millisecond (docs/events.md "Time").
        occurred_at: tapback.date_sent,
        group_id: group.group_id,
        message_handle: message.message_handle,
        reaction_handle: tapback.message_handle,
        reaction: 'love',
        from_number: MEMBERS[1],
        date_sent: tapback.date_sent,
        part_index: 0,
      },
    ]);
  });

  it('costs one write request (in a container that already wrote the group record)', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const message = await h.sim.memberReply(group.group_id, 'count the tapback');
    await h.sim.idle();
    writes.length = 0;
    await h.sim.memberReacts(message.message_handle, 'like');
    await h.sim.idle();
    expect(writes).toEqual(['UpdateItemCommand']);
  });

  it('on a message not stored yet: kept, and shown once the message arrives', async () => {
    const groupId = `sb_group_${uid()}`;
    const target = `late-${uid()}`;
    const reaction = inboundPayload({
      group_id: groupId,
      message_handle: `tapback-${uid()}`,
      content: 'Laughed at “late”',
      from_number: MEMBERS[2],
      reaction: 'laugh',
      reaction_to: { message_handle: target, part_index: 1 },
      date_sent: '2026-11-20T18:00:00.000Z',
    });
    expect(await postReceive(reaction)).toEqual({ ok: true, kind: 'reaction', result: 'stored' });
    expect((await h.get(`/messages/${target}`)).status).toBe(404);
    await postReceive(
      inboundPayload({
        group_id: groupId,
        message_handle: target,
        content: 'late',
        date_sent: '2026-11-20T17:59:00.000Z',
      }),
    );
    const detail = (await h.get(`/messages/${target}`)).body;
    expect(detail.content).toBe('late');
    expect(detail.reactions).toEqual([
      {
        reaction: 'laugh',
        from_number: MEMBERS[2],
        date_sent: '2026-11-20T18:00:00.000Z',
        part_index: 1,
        direction: 'inbound',
      },
    ]);
  });

  it("our own tapbacks and the members' show together, oldest first", async () => {
    const group = h.sim.createGroup(MEMBERS);
    const message = await h.sim.memberReply(group.group_id, { content: 'vote?', from: MEMBERS[0] });
    await h.sim.idle();
    await h.sim.memberReacts(message.message_handle, 'like', { from: MEMBERS[1] });
    const id = `ours-${uid()}`;
    await h.push({ type: 'send_reaction', command_id: id, message_handle: message.message_handle, reaction: 'love' });
    await h.waitForCommand(id, ['sent']);
    await h.sim.memberReacts(message.message_handle, 'question', { from: MEMBERS[2] });
    await h.sim.idle();
    const reactions = (await h.get(`/messages/${message.message_handle}`)).body.reactions;
    expect(reactions.map((r: Record<string, unknown>) => [r.reaction, r.from_number, r.direction])).toEqual([
      ['like', MEMBERS[1], 'inbound'],
      ['love', LINE, 'outbound'],
      ['question', MEMBERS[2], 'inbound'],
    ]);
    // Only the members' tapbacks are Group Reaction Received; ours is told by Command Settled.
    const published = (await events()).filter(
      (e) =>
        e['detail-type'] === 'Group Reaction Received' &&
        (e.detail as { message_handle: string }).message_handle === message.message_handle,
    );
    expect(published.map((e) => (e.detail as { reaction: string }).reaction).sort()).toEqual(['like', 'question']);
  });

  it('a tapback we cannot keep as one (an unknown kind, a removal) is kept as the message it also is', async () => {
    const groupId = `sb_group_${uid()}`;
    for (const reaction of ['-love', '👍']) {
      const handle = `odd-${uid()}`;
      const answer = await postReceive(
        inboundPayload({
          group_id: groupId,
          message_handle: handle,
          content: `Reacted ${reaction} to “hi”`,
          reaction,
          reaction_to: { message_handle: 'm-hi' },
        }),
      );
      expect(answer).toEqual({ ok: true, kind: 'message', result: 'stored' });
      const stored = (await h.get(`/messages/${handle}`)).body;
      expect(stored.content).toBe(`Reacted ${reaction} to “hi”`);
      expect(stored.extra).toMatchObject({ reaction, reaction_to: { message_handle: 'm-hi' } });
    }
  });

  it(`a message keeps ${MAX_REACTIONS_PER_MESSAGE} tapbacks; one more is kept as its own message, not lost`, async () => {
    const groupId = `sb_group_${uid()}`;
    const target = `busy-${uid()}`;
    const tapback = (i: number) =>
      inboundPayload({
        group_id: groupId,
        message_handle: `busy-tapback-${i}-${target}`,
        content: 'Liked “busy”',
        reaction: 'like',
        reaction_to: { message_handle: target },
      });
    for (let i = 0; i < MAX_REACTIONS_PER_MESSAGE; i += 1) await postReceive(tapback(i));
    const extra = tapback(MAX_REACTIONS_PER_MESSAGE);
    expect(await postReceive(extra)).toEqual({ ok: true, kind: 'message', result: 'stored' });
    expect(await postReceive(extra)).toEqual({ ok: true, kind: 'message', result: 'duplicate' });
    await postReceive(inboundPayload({ group_id: groupId, message_handle: target, content: 'busy' }));
    expect((await h.get(`/messages/${target}`)).body.reactions).toHaveLength(MAX_REACTIONS_PER_MESSAGE);
    expect((await h.get(`/messages/${extra.message_handle}`)).body.content).toBe('Liked “busy”');
  }, 60_000);
});
