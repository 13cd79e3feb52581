/**
 * Backfill of missed webhooks through the whole sandbox (docs/backfill.md): the simulator loses
 * webhooks (status callbacks and member replies) at random while commands are sent and members
 * reply; then one backfill run (the sandbox route `POST /__sandbox/backfill`, the same job the
 * scheduled Lambda runs) brings every message the simulator holds into our table, readable and in
 * its timeline with its current status. A second run stores nothing new; a late real webhook is a
 * duplicate. Nothing is mocked: DynamoDB Local, the SQS emulator, the simulator over HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackfillReport } from '../../../../lambdas/backfill/backfill-job.js';
import { SIGNING_HEADER } from '../../../../lambdas/webhooks/webhook-auth.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../sandbox/sendblue-simulator/receiver.js';
import type { SimMessage } from '../../../../sandbox/sendblue-simulator/index.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../../sandbox/config.js';
import { waitFor } from '../../../support/processes.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const LIST = '/api/v2/messages';
const SECRET = DEFAULT_SANDBOX_CONFIG.webhookSecret;
const uid = () => Math.random().toString(36).slice(2, 10);
const number = (n: number) => `+1555${String(8_000_000 + n).padStart(7, '0')}`;

let h: Harness;
let receiver: WebhookReceiver;
/** Every DynamoDB request the sandbox's handlers and jobs make, by command name. */
const requests: string[] = [];
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  h = await startHarness({
    simulator: { replyEvery: 2, replyDelayMs: 5 },
    onDocumentClient: (client) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          requests.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      ),
  });
});
afterAll(async () => {
  await h?.stop();
  await receiver?.stop();
});
beforeEach(() => {
  h.sim.clearFaults();
  h.sim.clearWebhookFaults();
});

async function backfillNow(): Promise<BackfillReport> {
  const response = await fetch(`${h.sandbox.urls.api}/__sandbox/backfill`, { method: 'POST' });
  expect(response.status).toBe(200);
  return (await response.json()) as BackfillReport;
}

const postWebhook = (route: 'receive' | 'status', payload: unknown) =>
  fetch(`${h.sandbox.urls.api}/webhooks/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNING_HEADER]: SECRET },
    body: JSON.stringify(payload),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

/** What our read API holds for a simulator message: GET /messages/{handle}, or undefined on 404. */
async function stored(message: SimMessage): Promise<Record<string, any> | undefined> {
  const read = await h.get(`/messages/${encodeURIComponent(message.message_handle)}`);
  return read.status === 200 ? read.body : undefined;
}

/** Every handle in a group's timeline, oldest first, through the read API (all pages). */
async function timeline(groupId: string): Promise<string[]> {
  const handles: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await h.get(
      `/groups/${encodeURIComponent(groupId)}/messages?order=asc&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    handles.push(...page.body.messages.map((m: { message_handle: string }) => m.message_handle));
    cursor = page.body.next_cursor;
  } while (cursor);
  return handles;
}

describe('webhooks lost at random are recovered by backfill', () => {
  it('many sends and replies with about 40% of webhooks dropped: after one run, 0 lost; a second run stores nothing new', async () => {
    const groups = Array.from({ length: 6 }, (_, g) => [number(g * 10 + 1), number(g * 10 + 2), number(g * 10 + 3)]);
    h.sim.dropWebhooks({ rate: 0.4, seed: 20261201 });
    const ids: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(
        groups.map(async (numbers, g) => {
          const id = `bf-${uid()}`;
          ids.push(id);
          await h.push(
            { type: 'send_group_message', command_id: id, numbers, content: `round ${round} to group ${g}` },
            { groupId: numbers.join(',') },
          );
        }),
      );
    }
    for (const id of ids) expect((await h.waitForCommand(id, ['sent', 'failed'], 30_000)).state).toBe('sent');
    // Members also write on their own (some of these are lost too).
    const groupIds = [...new Set(h.sim.sentMessages().map((m) => m.group_id))];
    for (const groupId of groupIds) await h.sim.memberReply(groupId, `unprompted in ${groupId.slice(-4)}`);
    await h.sim.idle();
    h.sim.clearWebhookFaults();

    const simMessages = h.sim.messages();
    const dropped = h.sim.callbacks.filter((c) => c.dropped);
    const droppedReplies = dropped.filter((c) => c.kind === 'reply');
    const droppedFinal = dropped.filter((c) => c.kind === 'status' && c.payload.status === 'DELIVERED');
    expect(simMessages.filter((m) => m.is_outbound)).toHaveLength(30);
    expect(simMessages.filter((m) => !m.is_outbound).length).toBeGreaterThanOrEqual(15 + groupIds.length);
    expect(droppedReplies.length).toBeGreaterThan(3);
    expect(droppedFinal.length).toBeGreaterThan(3);

    // Before: the table really misses what was dropped (the test can fail).
    const before = await Promise.all(simMessages.map(stored));
    expect(before.filter((item) => item === undefined)).toHaveLength(droppedReplies.length);
    expect(simMessages.filter((m, i) => m.is_outbound && before[i]?.status !== 'DELIVERED')).toHaveLength(
      droppedFinal.length,
    );

    const lists = h.calls(LIST);
    const first = await backfillNow();
    expect(first.lines).toEqual([expect.objectContaining({ line: LINE, stoppedBy: 'done', skipped: 0 })]);
    expect(first.found).toBe(simMessages.length);
    // Stored: exactly the replies whose webhook was lost and the sends whose final status was lost.
    expect(first.stored).toBe(droppedReplies.length + droppedFinal.length);
    expect(first.already_there).toBe(simMessages.length - first.stored);
    expect(h.calls(LIST) - lists).toBe(1); // under 100 records: one page

    // After: every message the simulator holds is readable, with its current status, in its group's timeline.
    for (const message of simMessages) {
      const item = await stored(message);
      expect(item, message.message_handle).toBeDefined();
      expect(item).toMatchObject({
        group_id: message.group_id,
        direction: message.is_outbound ? 'outbound' : 'inbound',
        status: message.status,
        content: message.content,
      });
      if (message.is_outbound)
        expect(item!.status_history.map((e: { status: string }) => e.status)).toContain('DELIVERED');
    }
    for (const groupId of groupIds) {
      const expected = simMessages
        .filter((m) => m.group_id === groupId)
        .map((m) => m.message_handle)
        .sort();
      expect((await timeline(groupId)).sort()).toEqual(expected);
      const group = await h.get(`/groups/${encodeURIComponent(groupId)}`);
      expect(group.body.members).toEqual([...h.sim.group(groupId)!.members, LINE].sort());
    }

    requests.length = 0;
    const second = await backfillNow();
    expect(second).toMatchObject({ found: simMessages.length, stored: 0, already_there: simMessages.length });
    // What is already there is read (one BatchGetItem for the page), never written again.
    expect(requests.filter((name) => /Put|Update|Delete|Write/.test(name))).toEqual([]);
    expect(requests.filter((name) => name === 'BatchGetItemCommand').length).toBeGreaterThanOrEqual(1);
    expect(requests.filter((name) => name === 'BatchGetItemCommand').length).toBeLessThanOrEqual(
      Math.ceil((2 * simMessages.length) / 100),
    );

    // A late real webhook of what backfill stored is a duplicate (the final status, a reply).
    expect(await postWebhook('receive', droppedReplies[0]!.payload)).toEqual({
      status: 200,
      body: { ok: true, kind: 'message', result: 'duplicate' },
    });
    expect(await postWebhook('status', droppedFinal[0]!.payload)).toEqual({
      status: 200,
      body: { ok: true, kind: 'status', result: 'duplicate' },
    });
    // A late SENT is kept as history and does not move the status back.
    const lateSent = dropped.find((c) => c.kind === 'status' && c.payload.status === 'SENT');
    if (lateSent) {
      expect((await postWebhook('status', lateSent.payload)).body).toMatchObject({ result: 'history-only' });
      expect((await h.get(`/messages/${lateSent.payload.message_handle}`)).body.status).toBe('DELIVERED');
    }
  }, 90_000); // 6 s alone; it waits up to 30 s for each of 30 sends, and a loaded CI machine is slower

  it("a command's own status_callback gets the recovered status once, as from a webhook", async () => {
    const id = `relay-${uid()}`;
    h.sim.dropWebhooks({ rate: 1, seed: 1 }); // every webhook: its SENT and DELIVERED (and a reply, if one comes)
    await h.push({
      type: 'send_group_message',
      command_id: id,
      numbers: [number(101), number(102)],
      content: id,
      status_callback: `${receiver.url}/hook`,
    });
    const sent = await h.waitForCommand(id, ['sent', 'failed']);
    await h.sim.idle();
    h.sim.clearWebhookFaults();
    expect(
      h.sim.callbacks.filter((c) => c.payload.message_handle === sent.message_handle).map((c) => c.dropped),
    ).toEqual([true, true]);
    expect((await h.get(`/messages/${sent.message_handle}`)).body.status).toBe('QUEUED');

    await backfillNow();
    expect((await h.get(`/messages/${sent.message_handle}`)).body.status).toBe('DELIVERED');
    const relayed = () =>
      receiver.received.filter((r) => (r.body as { message_handle?: string }).message_handle === sent.message_handle);
    expect(relayed().map((r) => (r.body as { status: string }).status)).toEqual(['DELIVERED']);
    await backfillNow();
    expect(relayed()).toHaveLength(1);
  });

  it("a member's tapback whose webhook was lost: kept on its message by the next run, once; the run after finds it there", async () => {
    const group = h.sim.createGroup([number(201), number(202), number(203)]);
    const message = await h.sim.memberReply(group.group_id, { content: 'tap this', from: number(201) });
    await h.sim.idle();
    h.sim.dropWebhooks({ rate: 1, seed: 2 });
    const tapback = await h.sim.memberReacts(message.message_handle, 'dislike', { from: number(202) });
    await h.sim.idle();
    h.sim.clearWebhookFaults();
    expect(h.sim.callbacks.find((c) => c.payload.message_handle === tapback.message_handle)?.dropped).toBe(true);
    expect((await h.get(`/messages/${message.message_handle}`)).body.reactions).toEqual([]);

    const first = await backfillNow();
    expect(first.stored).toBeGreaterThanOrEqual(1);
    const reactions = (await h.get(`/messages/${message.message_handle}`)).body.reactions;
    expect(reactions).toEqual([
      {
        reaction: 'dislike',
        from_number: number(202),
        date_sent: tapback.date_sent,
        part_index: 0,
        direction: 'inbound',
      },
    ]);
    // Not a message of the timeline: on the message it reacts to.
    expect(await timeline(group.group_id)).toEqual([message.message_handle]);
    const second = await backfillNow();
    expect(second.stored).toBe(0);
    expect((await h.get(`/messages/${message.message_handle}`)).body.reactions).toHaveLength(1);
  });
});

describe('paging, budget and the list limit', () => {
  /** A fresh sandbox with small pages and no overlap, so each run's window is exact. */
  async function pagingHarness() {
    return startHarness({
      simulator: { replyEvery: 0, lineRateLimit: false },
      backfill: { pageSize: 5, overlapMs: 0 },
    });
  }

  /** Messages stored only in the simulator (their webhooks all lost). */
  async function lostMessages(p: Harness, count: number) {
    p.sim.dropWebhooks({ drop: 10_000 });
    const group = p.sim.createGroup([number(201), number(202)]);
    // A few ms apart: a run restarts at the watermark, and records sharing its very date are read again.
    for (let i = 0; i < count; i += 1) {
      await p.sim.memberReply(group.group_id, `lost ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    return group;
  }

  it('reads every page (date-keyed), stores each record once, and moves the watermark to the newest stored', async () => {
    const p = await pagingHarness();
    try {
      await lostMessages(p, 12);
      const report = await p.sandbox.backfill.runNow();
      expect(report.lines[0]).toMatchObject({ found: 12, stored: 12, alreadyThere: 0, pages: 3, stoppedBy: 'done' });
      const newest = p.sim
        .messages()
        .map((m) => m.date_updated)
        .sort()
        .pop();
      expect(await p.sandbox.store.getBackfillWatermark(LINE)).toBe(newest);
      const offsets = p.sim.requests.filter((r) => r.path === LIST).map((r) => r.query);
      expect(
        offsets.every(
          (q) =>
            q.sendblue_number === LINE &&
            q.order_by === 'updatedAt' &&
            q.order_direction === 'asc' &&
            q.message_type === 'group',
        ),
      ).toBe(true);
    } finally {
      await p.stop();
    }
  });

  it('a 429 on the list ends the run: what was stored stays, the watermark does not pass it, the next run goes on', async () => {
    const p = await pagingHarness();
    try {
      await lostMessages(p, 12);
      p.sim.injectFault({ kind: '429', route: 'read', after: 1 }); // the second page
      const cut = await p.sandbox.backfill.runNow();
      expect(cut.lines[0]).toMatchObject({ found: 5, stored: 5, pages: 1, stoppedBy: 'throttled' });
      expect(cut.sweep).toEqual({ error: 'not run: Sendblue answered 429 to the message list' });
      const firstPage = p.sim
        .messages()
        .slice(0, 5)
        .map((m) => m.date_updated)
        .sort()
        .pop();
      expect(await p.sandbox.store.getBackfillWatermark(LINE)).toBe(firstPage);

      const rest = await p.sandbox.backfill.runNow();
      expect(rest.lines[0]).toMatchObject({ stored: 7, stoppedBy: 'done' });
      for (const message of p.sim.messages()) {
        expect((await p.get(`/messages/${message.message_handle}`)).status).toBe(200);
      }
    } finally {
      await p.stop();
    }
  });

  it('the per-run page budget ends a run early; the next run continues from the watermark', async () => {
    const p = await startHarness({
      simulator: { replyEvery: 0, lineRateLimit: false },
      backfill: { pageSize: 5, overlapMs: 0, maxPagesPerRun: 2 },
    });
    try {
      await lostMessages(p, 12);
      const partial = await p.sandbox.backfill.runNow();
      expect(partial.lines[0]).toMatchObject({ stored: 10, pages: 2, stoppedBy: 'budget' });
      let stored = partial.stored;
      let watermark = partial.lines[0]!.watermark;
      // The next runs start at the watermark (no overlap here) and not over: until the window is covered.
      for (let run = 0; run < 3 && stored < 12; run += 1) {
        const next = await p.sandbox.backfill.runNow();
        expect(next.lines[0]!.from).toBe(watermark);
        expect(next.lines[0]!.found).toBeLessThan(12);
        stored += next.stored;
        watermark = next.lines[0]!.watermark;
      }
      expect(stored).toBe(12);
    } finally {
      await p.stop();
    }
  });
});

describe('in the sandbox', () => {
  it('the timer runs it on its own (SANDBOX_BACKFILL_SECONDS)', async () => {
    const timed = await startHarness({ config: { backfillSeconds: 1 } });
    try {
      timed.sim.dropWebhooks({ drop: 1 });
      const group = timed.sim.createGroup([number(301), number(302)]);
      const reply = await timed.sim.memberReply(group.group_id, 'written while we were down');
      expect(timed.sim.callbacks[0]!.dropped).toBe(true);
      // The run logs what it stored once it has stored it (the message is readable a moment before).
      await waitFor(
        () => timed.logs.some((line) => line.includes('"backfill stored a missed event"')),
        10_000,
        "the timer's backfill run",
      );
      expect((await timed.get(`/messages/${reply.message_handle}`)).status).toBe(200);
    } finally {
      await timed.stop();
    }
  });

  it('the route answers POST only', async () => {
    expect((await fetch(`${h.sandbox.urls.api}/__sandbox/backfill`)).status).toBe(404);
  });
});
