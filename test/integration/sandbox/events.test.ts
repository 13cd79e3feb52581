/**
 * Issue 11 parts 3 and 4 through a whole sandbox (DynamoDB Local and its stream, the SQS and S3
 * emulator, the simulator over HTTP, the stream pollers feeding the events and media handlers):
 * each real change publishes its event once, a duplicate webhook publishes nothing, and a media
 * reply gets an archived copy whose presigned link returns the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_PICTURE } from '../../../sandbox/sendblue-simulator/control.js';
import type { EventEnvelope } from '../../../lambdas/contract/sandbox.js';
import { SIGNING_HEADER } from '../../../lambdas/webhooks/webhook-auth.js';
import { inboundPayload } from '../../support/http-events.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ streams: { pollIntervalMs: 50 } });
});
afterAll(async () => {
  await h?.stop();
});

/** Every event the sandbox published so far, once the stream consumers have seen every change. */
async function events(): Promise<EventEnvelope[]> {
  await h.sim.idle();
  await h.sandbox.poller.drained();
  await h.sandbox.streams.caughtUp();
  const { status, body } = await h.get('/__sandbox/events');
  expect(status).toBe(200);
  return body.events as EventEnvelope[];
}

const summary = (list: EventEnvelope[]) =>
  list
    .map((event) => {
      const d = event.detail as Record<string, any>;
      const what = {
        'Group Message Received': d.message_handle,
        'Message Status Changed': `${d.message_handle} ${d.status}`,
        'Command Settled': `${d.command_id} ${d.state}`,
        'Group Changed': `${d.group_id} [${d.added_members}] -[${d.removed_members}] ${d.name}`,
      }[event['detail-type']];
      return `${event['detail-type']}: ${what}`;
    })
    .sort();

async function postReceive(payload: Record<string, unknown>) {
  const response = await fetch(h.sandbox.urls.receiveWebhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNING_HEADER]: 'sandbox-webhook-secret' },
    body: JSON.stringify(payload),
  });
  expect(response.status).toBe(200);
}

describe('events from the table stream, once per change', () => {
  it('a send, its statuses, a reply and a rename: exactly the expected events, each once', async () => {
    const before = (await events()).length;
    await h.push(
      { type: 'send_group_message', command_id: 'ev-send-1', numbers: MEMBERS.slice(0, 2), content: 'Hello events' },
      { groupId: 'ev-1' },
    );
    const sent = await h.waitForCommand('ev-send-1', ['sent']);
    const groupId = String(sent.group_id);
    const handle = String(sent.message_handle);
    const reply = await h.sim.memberReply(groupId, 'Count me in');
    await h.push(
      { type: 'modify_group', command_id: 'ev-rename-1', group_id: groupId, modify_type: 'rename', name: 'Weekend' },
      { groupId },
    );
    await h.waitForCommand('ev-rename-1', ['sent']);

    const all = await events();
    const members = [...MEMBERS.slice(0, 2), '+15550000000'].sort();
    expect(summary(all.slice(before))).toEqual(
      [
        'Command Settled: ev-rename-1 sent',
        'Command Settled: ev-send-1 sent',
        `Group Changed: ${groupId} [${members}] -[] null`,
        `Group Changed: ${groupId} [] -[] Weekend`,
        `Group Message Received: ${reply.message_handle}`,
        `Message Status Changed: ${handle} DELIVERED`,
        `Message Status Changed: ${handle} SENT`,
      ].sort(),
    );

    // The envelope an EventBridge rule's target gets, with the read API's shapes in detail.
    const received = all.find(
      (event) =>
        event['detail-type'] === 'Group Message Received' && event.detail.message_handle === reply.message_handle,
    )!;
    expect(received).toMatchObject({
      version: '0',
      source: 'sendblue-groups',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
    });
    expect(received.detail).toMatchObject({
      group_id: groupId,
      direction: 'inbound',
      content: 'Count me in',
      from_number: reply.from_number,
    });
    expect(Date.parse(received.time)).not.toBeNaN();
    const ids = all.map((event) => event.detail.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a duplicate webhook (the same payload posted twice) publishes nothing more', async () => {
    const payload = inboundPayload({ group_id: 'ev-dup-group', participants: ['+14155550123', '+12125550177'] });
    const before = (await events()).length;
    await postReceive(payload);
    const afterFirst = await events();
    expect(summary(afterFirst.slice(before))).toEqual([
      'Group Changed: ev-dup-group [+12125550177,+14155550123] -[] Ops on-call',
      `Group Message Received: ${payload.message_handle}`,
    ]);
    await postReceive(payload);
    await postReceive({ ...payload, content: 'a retry that differs changes nothing either' });
    expect((await events()).length).toBe(afterFirst.length);
  });

  it('follows events as they happen (server-sent events), from a given position', async () => {
    const start = ((await h.get('/__sandbox/events')).body as { last_seq: number }).last_seq;
    const controller = new AbortController();
    const response = await fetch(`${h.sandbox.urls.api}/__sandbox/events?follow=1&after=${start}`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const payload = inboundPayload({
      group_id: 'ev-follow-group',
      participants: ['+14155550123', '+12125550177'],
      group_display_name: '',
    });
    await postReceive(payload);
    let text = '';
    while (!text.includes(String(payload.message_handle)))
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(new RegExp(`^id: ${start + 1}\ndata: \\{"version":"0"`));
  });

  it('answers 400 for a position that is not a number', async () => {
    expect((await h.get('/__sandbox/events?after=-1')).status).toBe(400);
  });
});

describe('media kept', () => {
  it('a member reply with media gets an archived copy; its presigned link returns the same bytes', async () => {
    const sent = await h
      .push(
        { type: 'send_group_message', command_id: 'ev-media-1', numbers: MEMBERS, content: 'Send a photo' },
        { groupId: 'ev-media' },
      )
      .then(() => h.waitForCommand('ev-media-1', ['sent']));
    const mediaUrl = h.sim.mediaUrlFor('photo.png');
    const reply = await h.sim.memberReply(String(sent.group_id), undefined, mediaUrl);
    await events();
    const { status, body } = await h.get(`/messages/${encodeURIComponent(reply.message_handle)}`);
    expect(status).toBe(200);
    expect(body.media_url).toBe(mediaUrl);
    expect(body.media_archive).toMatchObject({ content_type: 'image/png', bytes: SIMULATOR_PICTURE.length });
    expect(Date.parse(body.media_archive.link_expires_at) - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(body.media_archive_url).toMatch(
      new RegExp(
        `/sendblue-groups-media/media/${sent.group_id}/${reply.message_handle}/photo\\.png\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&`,
      ),
    );
    const copy = await fetch(body.media_archive_url);
    expect(copy.status).toBe(200);
    expect(Buffer.from(await copy.arrayBuffer()).equals(SIMULATOR_PICTURE)).toBe(true);
    // The timeline keeps its shape (the index does not project the archive).
    const page = await h.get(`/groups/${sent.group_id}/messages`);
    expect(page.body.messages.find((m: any) => m.message_handle === reply.message_handle)).not.toHaveProperty(
      'media_archive_url',
    );
  });

  it('a media_url pointing inside the network is refused and recorded, never fetched', async () => {
    const payload = inboundPayload({ group_id: 'ev-ssrf', media_url: 'http://169.254.169.254/latest/meta-data/iam/' });
    await postReceive(payload);
    await events();
    const { body } = await h.get(`/messages/${encodeURIComponent(String(payload.message_handle))}`);
    expect(body.media_archive_url).toBeNull();
    expect(body.media_archive).toEqual({
      error: expect.stringMatching(/not on the public internet/),
      failed_at: expect.any(String),
    });
  });

  it('messages without media and outbound messages have no archive', async () => {
    const payload = inboundPayload({ group_id: 'ev-plain' });
    await postReceive(payload);
    await events();
    const { body } = await h.get(`/messages/${encodeURIComponent(String(payload.message_handle))}`);
    expect(body).toMatchObject({ media_archive_url: null, media_archive: null });
    expect(h.sandbox.streams.pollers.flatMap((poller) => poller.failures)).toEqual([]);
  });
});

describe('switched off (SANDBOX_EVENTS=off, SANDBOX_MEDIA=off)', () => {
  it('only the contacts ledger reads the stream; the event log says it is off; a media message keeps its URL only', async () => {
    const off = await startHarness({ config: { events: false, media: false } });
    try {
      expect(off.sandbox.streams.pollers).toHaveLength(1); // the contacts ledger's
      expect(await off.get('/__sandbox/events')).toEqual({
        status: 404,
        body: { error: 'events are off in this sandbox (SANDBOX_EVENTS=off)' },
      });
      const payload = inboundPayload({ group_id: 'off-group', media_url: off.sim.mediaUrlFor('x.png') });
      const response = await fetch(off.sandbox.urls.receiveWebhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNING_HEADER]: 'sandbox-webhook-secret' },
        body: JSON.stringify(payload),
      });
      expect(response.status).toBe(200);
      const { body } = await off.get(`/messages/${encodeURIComponent(String(payload.message_handle))}`);
      expect(body).toMatchObject({ media_url: payload.media_url, media_archive_url: null, media_archive: null });
    } finally {
      await off.stop();
    }
  });
});
