/**
 * Issue 20 part 2 through a whole sandbox (DynamoDB Local and its stream, the stream poller feeding
 * the events handler, the simulator over HTTP): every event's time is its change's own, to the
 * millisecond, equal to the time stored on the item the change wrote, not the stream record's
 * time (which DynamoDB Local rounds down to the minute). The times a webhook carries are seeded,
 * at random milliseconds (EVENT_TIME_SEED=<n> replays a run).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../lambdas/contract/sandbox.js';
import type { ReactionEntry } from '../../../lambdas/contract/reactions.js';
import { DETAIL_TYPES } from '../../../lambdas/events/domain-events.js';
import { SIGNING_HEADER } from '../../../lambdas/webhooks/webhook-auth.js';
import { int, mulberry32, pick } from '../../support/fuzz.js';
import { inboundPayload, statusPayload } from '../../support/http-events.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

const SEED = Number(process.env.EVENT_TIME_SEED ?? Date.now() % 1_000_000);
const random = mulberry32(SEED);
const replay = `seed ${SEED} (EVENT_TIME_SEED=${SEED})`;
const MILLIS_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A seeded time in the last two days, at a millisecond that is not 0 (so never a whole second or minute). */
const seededTime = () =>
  new Date(
    Math.floor((Date.now() - 2 * 86_400_000 + int(random, 86_400_000)) / 1000) * 1000 + 1 + int(random, 999),
  ).toISOString();

let h: Harness;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  console.log(`event time ${replay}`);
  h = await startHarness({ streams: { pollIntervalMs: 50 }, onDocumentClient: (client) => (db = client) });
});
afterAll(async () => {
  await h?.stop();
});

async function events(): Promise<EventEnvelope[]> {
  await h.sim.idle();
  await h.sandbox.poller.drained();
  await h.sandbox.streams.caughtUp();
  const { status, body } = await h.get('/__sandbox/events');
  expect(status).toBe(200);
  return body.events as EventEnvelope[];
}

async function item(pk: string, sk: string): Promise<Record<string, any>> {
  const out = await db.send(new GetCommand({ TableName: h.sandbox.tableName, Key: { PK: pk, SK: sk } }));
  expect(out.Item, `${pk} ${sk} stored`).toBeDefined();
  return out.Item!;
}

async function postWebhook(url: string, payload: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNING_HEADER]: 'sandbox-webhook-secret' },
    body: JSON.stringify(payload),
  });
  expect(response.status, await response.text()).toBe(200);
}

/** The time stored on the item this event's change wrote, read back from the table. */
async function storedTimeOf(event: EventEnvelope): Promise<string> {
  const d = event.detail as Record<string, any>;
  switch (event['detail-type']) {
    case DETAIL_TYPES.messageReceived:
      return (await item(`MSG#${d.message_handle}`, 'MSG')).date_sent;
    case DETAIL_TYPES.statusChanged:
      return (await item(`MSG#${d.message_handle}`, `STATUS#${d.status}`)).date_updated;
    case DETAIL_TYPES.commandSettled: {
      const entry = await item(`CMD#${d.command_id}`, 'CMD');
      expect(entry.state).toBe(d.state); // settled once: the entry still holds that change
      return entry.updated_at;
    }
    case DETAIL_TYPES.reactionReceived: {
      const entries = (await item(`MSG#${d.message_handle}`, 'REACTIONS')).reactions as ReactionEntry[];
      return entries.find((entry) => entry.id === d.reaction_handle)!.date_sent;
    }
    case DETAIL_TYPES.groupChanged:
      // A group record is rewritten by its next change: its current updated_at is its last event's.
      return (await item(`GROUP#${d.group_id}`, 'GROUP')).updated_at;
    default:
      throw new Error(`unexpected ${event['detail-type']}`);
  }
}

describe('event times through the sandbox: the change itself, to the millisecond', () => {
  it('a send, its statuses, a member reply and tapback, seeded webhooks, a rename and a refused command', async () => {
    const before = (await events()).length;
    const words = ['lunch', 'deploy', 'standup', 'release', 'ping', 'review'];
    const text = () => `${pick(random, words)} ${pick(random, words)} ${randomUUID().slice(0, 8)}`;

    // A send: Command Settled, then the simulator's SENT and DELIVERED callbacks, a Group Changed later.
    const sendId = `evtime-send-${randomUUID()}`;
    await h.push(
      {
        type: 'send_group_message',
        command_id: sendId,
        numbers: MEMBERS.slice(0, 1 + int(random, 3)),
        content: text(),
      },
      { groupId: sendId },
    );
    const sent = await h.waitForCommand(sendId, ['sent']);
    const groupId = String(sent.group_id);
    const handle = String(sent.message_handle);
    // A member's reply and a member's tapback on our message, at the simulator's own (millisecond) times.
    const reply = await h.sim.memberReply(groupId, text());
    const tapback = await h.sim.memberReacts(handle, pick(random, ['love', 'like', 'laugh'] as const));
    // A status of our message with a seeded date (READ moves it on), and a reply in a new group with a seeded date_sent.
    const readAt = seededTime();
    await postWebhook(
      h.sandbox.urls.statusWebhook,
      statusPayload({ message_handle: handle, group_id: groupId, status: 'READ', date_updated: readAt }),
    );
    const seededGroup = `evtime-group-${randomUUID()}`;
    const seededReply = inboundPayload({
      group_id: seededGroup,
      participants: MEMBERS.slice(0, 2 + int(random, 2)),
      date_sent: seededTime(),
      date_updated: seededTime(),
      content: text(),
    });
    await postWebhook(h.sandbox.urls.receiveWebhook, seededReply);
    // A rename (Command Settled and Group Changed at the command's time) and a command refused at once.
    const renameId = `evtime-rename-${randomUUID()}`;
    await h.push(
      { type: 'modify_group', command_id: renameId, group_id: groupId, modify_type: 'rename', name: text() },
      { groupId },
    );
    await h.waitForCommand(renameId, ['sent']);
    const refusedId = `evtime-refused-${randomUUID()}`;
    await h.push({ type: 'send_group_message', command_id: refusedId, group_id: groupId }, { groupId });
    await h.waitForCommand(refusedId, ['failed']);

    const all = (await events()).slice(before);
    const ours = all.filter((event) => {
      const d = event.detail as Record<string, any>;
      return (
        [groupId, seededGroup].includes(d.group_id) ||
        [handle, reply.message_handle].includes(d.message_handle) ||
        [sendId, renameId, refusedId].includes(d.command_id)
      );
    });
    const kinds = (type: string) => ours.filter((event) => event['detail-type'] === type);
    // Every kind of event, each change once (what events.test.ts holds in detail).
    expect(
      kinds(DETAIL_TYPES.commandSettled)
        .map((e) => `${e.detail.command_id} ${e.detail.state}`)
        .sort(),
    ).toEqual([`${sendId} sent`, `${renameId} sent`, `${refusedId} failed`].sort());
    expect(
      kinds(DETAIL_TYPES.statusChanged)
        .map((e) => e.detail.status)
        .sort(),
    ).toEqual(['DELIVERED', 'READ', 'SENT']);
    expect(
      kinds(DETAIL_TYPES.messageReceived)
        .map((e) => e.detail.message_handle)
        .sort(),
    ).toEqual([reply.message_handle, seededReply.message_handle].sort());
    expect(kinds(DETAIL_TYPES.reactionReceived).map((e) => e.detail.reaction_handle)).toEqual([tapback.message_handle]);
    expect(kinds(DETAIL_TYPES.groupChanged).length).toBeGreaterThanOrEqual(3); // both groups, then the rename

    // Each group's last Group Changed is the record's current state; earlier ones were overwritten.
    const lastOfGroup = new Map(kinds(DETAIL_TYPES.groupChanged).map((event) => [event.detail.group_id, event]));
    for (const event of ours) {
      const d = event.detail as Record<string, any>;
      const what = `${event['detail-type']} ${JSON.stringify(d).slice(0, 160)}; ${replay}`;
      expect(event.time, what).toMatch(MILLIS_ISO);
      if (event['detail-type'] === DETAIL_TYPES.groupChanged) expect(event.time, what).toBe(d.updated_at);
      if (event['detail-type'] !== DETAIL_TYPES.groupChanged || lastOfGroup.get(d.group_id) === event) {
        const stored = await storedTimeOf(event);
        expect(stored, what).toMatch(MILLIS_ISO);
        expect(event.time, what).toBe(stored);
      }
      // The detail carries the same time (EventBridge in AWS keeps only whole seconds of `time`).
      expect(d.occurred_at, what).toBe(event.time);
    }

    // The seeded ones to the very millisecond given, none cut to the minute (or the second).
    const timeOf = (type: string, key: string, value: unknown) =>
      kinds(type).find((event) => event.detail[key] === value)?.time;
    expect(timeOf(DETAIL_TYPES.statusChanged, 'status', 'READ'), replay).toBe(readAt);
    expect(timeOf(DETAIL_TYPES.messageReceived, 'message_handle', seededReply.message_handle), replay).toBe(
      seededReply.date_sent,
    );
    expect(timeOf(DETAIL_TYPES.groupChanged, 'group_id', seededGroup), replay).toBe(seededReply.date_sent);
    for (const seeded of [readAt, seededReply.date_sent as string]) expect(Date.parse(seeded) % 1000).not.toBe(0);
    // Times the sandbox took itself (the simulator's, the ledger's) are not cut to the minute either: one
    // may fall on a whole minute by chance (1 in 60,000), not two.
    expect(ours.filter((event) => Date.parse(event.time) % 60_000 === 0).length, replay).toBeLessThanOrEqual(1);
  });
});
