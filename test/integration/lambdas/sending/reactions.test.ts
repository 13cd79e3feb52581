/**
 * send_reaction through the whole command path (the sandbox's queue, the real sender, the Sendblue
 * simulator over HTTP, DynamoDB Local): sent once and kept on the message; refused -> failed on
 * the DLQ with Sendblue's reason; an unclear call -> `unknown` for good, never called again
 * (Sendblue lists no reactions, so nothing can check it: docs/sending.md "Reactions").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { isCommandSettled } from '../../../../lambdas/contract/views.js';
import { countRequests } from '../../../support/table-for-test.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const REACT = '/api/send-reaction';
const uid = () => Math.random().toString(36).slice(2, 10);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sender: { maxAttempts: 5 } });
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

/** A member's message in a fresh group, stored by our receive webhook: something to react to. */
async function memberMessage(text = `react to me ${uid()}`) {
  const group = h.sim.createGroup(MEMBERS);
  const message = await h.sim.memberReply(group.group_id, text);
  await h.sim.idle();
  return { groupId: group.group_id, handle: message.message_handle };
}

/** Our line's tapbacks on a message, as the simulator (Sendblue's side) keeps them. */
const ourReactions = (handle: string) =>
  (h.sim.messages().find((m) => m.message_handle === handle)?.reactions ?? []).filter((r) => r.from_number === LINE);
const reactCalls = (handle: string) =>
  h.sim.requests.filter((r) => r.path === REACT && (r.body as { message_handle?: string }).message_handle === handle);

/** Waits until nothing more will happen to the command by itself (isCommandSettled). */
async function settled(id: string, timeoutMs = 15_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await h.command(id);
    if (status === 200 && isCommandSettled(body as never)) return body;
    if (Date.now() > deadline) throw new Error(`command ${id} did not settle: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('send_reaction through the queue', () => {
  it('makes one correct Sendblue call, is sent once, and shows on the message in the read API', async () => {
    const { groupId, handle } = await memberMessage();
    const id = `react-${uid()}`;
    await h.push({ type: 'send_reaction', command_id: id, message_handle: handle, reaction: 'love', part_index: 0 });
    const done = await settled(id);
    expect(done).toMatchObject({
      state: 'sent',
      type: 'send_reaction',
      group_id: groupId,
      message_handle: handle,
      error: null,
      next_attempt_at: null,
    });
    expect(reactCalls(handle).map((r) => r.body)).toEqual([
      { from_number: LINE, message_handle: handle, reaction: 'love', part_index: 0 },
    ]);
    expect(ourReactions(handle)).toHaveLength(1);

    const detail = (await h.get(`/messages/${handle}`)).body;
    expect(detail.reactions).toEqual([
      { reaction: 'love', from_number: LINE, date_sent: expect.any(String), part_index: 0, direction: 'outbound' },
    ]);
    const page = (await h.get(`/groups/${groupId}/messages`)).body;
    expect(page.messages.find((m: { message_handle: string }) => m.message_handle === handle).reactions).toEqual(
      detail.reactions,
    );
  });

  it('never reacts twice: an SQS redelivery, a producer repeat past the dedup window', async () => {
    const { handle } = await memberMessage();
    const id = `react-dup-${uid()}`;
    const command = { type: 'send_reaction', command_id: id, message_handle: handle, reaction: 'laugh' };
    await h.push(command, { dedupId: `${id}-a` });
    await settled(id);
    await h.push(command, { dedupId: `${id}-b` });
    await h.push({ ...command, reaction: 'like' }, { dedupId: `${id}-c` }); // same id, another command: refused
    await h.sandbox.poller.drained();
    await h.sandbox.poller.drained();
    expect(reactCalls(handle)).toHaveLength(1);
    expect(ourReactions(handle).map((r) => r.reaction)).toEqual(['laugh']);
    expect((await h.get(`/messages/${handle}`)).body.reactions).toHaveLength(1);
  });

  it('a 429 is back-pressure: waited out, never counted, then sent once', async () => {
    const { handle } = await memberMessage();
    const id = `react-429-${uid()}`;
    h.sim.injectFault({ kind: '429', route: 'react', count: 2 });
    await h.push({ type: 'send_reaction', command_id: id, message_handle: handle, reaction: 'like' });
    expect(await settled(id)).toMatchObject({ state: 'sent', failures: 0 });
    expect(reactCalls(handle)).toHaveLength(3);
    expect(ourReactions(handle)).toHaveLength(1);
  });

  it("refused by Sendblue (an unknown message, a line not in the group): failed, on the DLQ with Sendblue's reason, one call", async () => {
    const missing = `no-such-message-${uid()}`;
    const id = `react-404-${uid()}`;
    await h.push({ type: 'send_reaction', command_id: id, message_handle: missing, reaction: 'love' });
    const failed = await settled(id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/HTTP 404/);
    expect(reactCalls(missing)).toHaveLength(1);

    const { handle } = await memberMessage();
    const otherLine = '+15550009999';
    const wrongLineId = `react-line-${uid()}`;
    await h.push({
      type: 'send_reaction',
      command_id: wrongLineId,
      message_handle: handle,
      reaction: 'love',
      from_number: otherLine,
    });
    const wrongLine = await settled(wrongLineId);
    expect(wrongLine.state).toBe('failed');
    expect(wrongLine.error).toMatch(/HTTP 400.*(not registered|line_not_registered)/);

    const dead = new Map((await h.deadLetters()).map((m) => [m.attributes[DEAD_LETTER_ATTRIBUTES.commandId], m]));
    expect(dead.get(id)?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe(failed.error);
    expect(dead.get(wrongLineId)?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe(wrongLine.error);
    expect(ourReactions(handle)).toEqual([]);
  });

  it.each([
    ['accept-then-cut', 1],
    ['accept-then-hang', 1],
    ['500', 0],
    ['hang', 0],
    ['cut', 0],
  ] as const)(
    'an unclear call (%s): unknown for good with the reason, never called again (%i kept in Sendblue)',
    async (kind, kept) => {
      const { handle } = await memberMessage();
      const id = `react-${kind}-${uid()}`;
      h.sim.injectFault({ kind, route: 'react' });
      await h.push({ type: 'send_reaction', command_id: id, message_handle: handle, reaction: 'emphasize' });
      const done = await settled(id);
      expect(done).toMatchObject({ state: 'unknown', failures: 1, next_attempt_at: null });
      expect(done.error).toMatch(/may have been sent; not repeated/);
      // A redelivery (a producer repeat) changes nothing and calls nothing.
      await h.push(
        { type: 'send_reaction', command_id: id, message_handle: handle, reaction: 'emphasize' },
        {
          dedupId: `${id}-again`,
        },
      );
      await h.sandbox.poller.drained();
      expect(reactCalls(handle)).toHaveLength(1);
      expect(ourReactions(handle)).toHaveLength(kept);
      expect((await h.command(id)).body).toMatchObject({ state: 'unknown', failures: 1, next_attempt_at: null });
      // Not for the DLQ (it may have been sent; a redrive would send it again) and not for the sweep.
      expect((await h.deadLetters()).map((m) => m.attributes.command_id)).not.toContain(id);
    },
  );

  it('costs 4 DynamoDB write requests (claim, line slot, the reaction, mark sent) and one Query of the reacted-to message', async () => {
    let writes: string[] = [];
    const reads: string[] = [];
    const quiet = await startHarness({
      onDocumentClient: (client) => {
        writes = countRequests(client);
        client.middlewareStack.add(
          (next, context) => async (args) => {
            if (/Get|Query|Scan/.test(String(context.commandName))) reads.push(String(context.commandName));
            return next(args);
          },
          { step: 'initialize', name: 'countReads' },
        );
      },
    });
    try {
      const group = quiet.sim.createGroup(MEMBERS);
      const message = await quiet.sim.memberReply(group.group_id, 'count me');
      await quiet.sim.idle();
      const id = `react-cost-${uid()}`;
      writes.length = 0;
      reads.length = 0;
      await quiet.push({
        type: 'send_reaction',
        command_id: id,
        message_handle: message.message_handle,
        reaction: 'like',
      });
      await quiet.sandbox.poller.drained();
      expect(writes).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
      expect(reads).toEqual(['QueryCommand']);
      expect((await quiet.command(id)).body.state).toBe('sent');
    } finally {
      await quiet.stop();
    }
  });
});
