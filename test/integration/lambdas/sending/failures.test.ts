import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { findFreePort } from '../../../../sandbox/ports.js';
import { MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const MAX_ATTEMPTS = 4;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sender: { maxAttempts: MAX_ATTEMPTS } });
});
afterAll(() => h?.stop());
// Each test waits for its command's final state, so nothing of it is still in flight afterwards.
beforeEach(() => h.sim.clearFaults());

const SEND = '/api/send-group-message';
const uid = () => Math.random().toString(36).slice(2, 10);
const accepted = (content: string) => h.sim.sentMessages().filter((m) => m.content === content);
const deadLetterFor = async (commandId: string) =>
  (await h.deadLetters()).find((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === commandId);

describe('commands that can never succeed', () => {
  it.each([
    ['not JSON', '{"type": "send_group_message", ', 'the message body is not JSON'],
    ['bad numbers', { type: 'send_group_message', numbers: ['555-0101'], content: 'x' }, 'numbers must be E.164'],
    [
      'leave',
      { type: 'modify_group', group_id: 'sb_group_x', modify_type: 'leave', number: MEMBERS[0] },
      'no endpoint to leave a group',
    ],
    ['unknown type', { type: 'delete_group', group_id: 'g' }, 'type must be'],
  ])('%s: failed with the reason, on the DLQ with it, no Sendblue call', async (_name, body, reason) => {
    const dedupId = `invalid-${uid()}`;
    const before = h.sim.requests.length;
    await h.sqs.send(
      new (await import('@aws-sdk/client-sqs')).SendMessageCommand({
        QueueUrl: h.sandbox.urls.commandQueue,
        MessageGroupId: 'bad',
        MessageDeduplicationId: dedupId,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
    const done = await h.waitForCommand(dedupId, ['failed']);
    expect(done.error).toContain(reason);
    expect(h.sim.requests.length).toBe(before);
    const dead = await deadLetterFor(dedupId);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toContain(reason);
    expect(dead?.body).toBe(typeof body === 'string' ? body : JSON.stringify(body));
  });

  it("a Sendblue 400 is failed once, with Sendblue's reason, and put on the DLQ", async () => {
    const id = `rejected-${uid()}`;
    h.sim.injectFault({ kind: '400', route: 'send' });
    const before = h.calls(SEND);
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['failed']);
    expect(done.error).toMatch(/HTTP 400/);
    await h.sandbox.poller.drained();
    expect(h.calls(SEND)).toBe(before + 1);
    expect((await deadLetterFor(id))?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/HTTP 400/);
  });

  it("a rule Sendblue enforces (unknown group) fails with Sendblue's message", async () => {
    const id = `unknown-group-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: id, group_id: 'sb_group_nobody_knows', content: 'hi' });
    const done = await h.waitForCommand(id, ['failed']);
    expect(done.error).toMatch(/HTTP 404/);
  });
});

describe('retries', () => {
  it('429 then 500 then success: sent exactly once after three calls', async () => {
    const id = `flaky-${uid()}`;
    h.sim.injectFault({ kind: '429', route: 'send' });
    h.sim.injectFault({ kind: '500', route: 'send' });
    const before = h.calls(SEND);
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(h.calls(SEND)).toBe(before + 3);
    expect(accepted(id)).toHaveLength(1);
    expect(await deadLetterFor(id)).toBeUndefined();
  });

  it('gives up after maxAttempts of its own failures (408/409: Sendblue answered and did not take it): failed, on the DLQ', async () => {
    const id = `refused-again-${uid()}`;
    h.sim.injectFault({ kind: '408', route: 'send', count: MAX_ATTEMPTS - 1 });
    h.sim.injectFault({ kind: '409', route: 'send' });
    const before = h.calls(SEND);
    const lists = h.calls('/api/v2/messages');
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['failed']);
    expect(done.error).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
    expect(done.error).toContain('HTTP 409');
    expect(h.calls(SEND)).toBe(before + MAX_ATTEMPTS);
    // Sendblue answered each: not taken, so nothing to look up.
    expect(h.calls('/api/v2/messages')).toBe(lists);
    expect(accepted(id)).toEqual([]);
    expect((await deadLetterFor(id))?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toContain('gave up');
  });

  it('5xx answers are failures of the way to Sendblue: never counted (more than maxAttempts of them), each checked, sent once', async () => {
    const id = `down-${uid()}`;
    h.sim.injectFault({ kind: '500', route: 'send', count: MAX_ATTEMPTS + 1 });
    const before = h.calls(SEND);
    const lists = h.calls('/api/v2/messages');
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed'], 30_000);
    expect(done).toMatchObject({ state: 'sent', failures: 0 });
    expect(h.calls(SEND)).toBe(before + MAX_ATTEMPTS + 2);
    // A 5xx may come from a gateway after Sendblue stored the message: every one is checked.
    expect(h.calls('/api/v2/messages')).toBe(lists + MAX_ATTEMPTS + 1);
    expect(accepted(id)).toHaveLength(1);
    expect(await deadLetterFor(id)).toBeUndefined();
  });

  it('429s are back-pressure: many in a row never use up the failure budget', async () => {
    const id = `busy-${uid()}`;
    h.sim.injectFault({ kind: '429', route: 'send', count: MAX_ATTEMPTS + 2 });
    const before = h.calls(SEND);
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed'], 30_000);
    expect(done).toMatchObject({ state: 'sent', failures: 0 });
    expect(h.calls(SEND)).toBe(before + MAX_ATTEMPTS + 3);
    expect(accepted(id)).toHaveLength(1);
    expect(await deadLetterFor(id)).toBeUndefined();
  });

  it('shows the retry in GET /commands while it waits, with growing delays', async () => {
    const slow = await startHarness({ sender: { retry: { baseSeconds: 1, maxSeconds: 10 } } });
    try {
      const id = `visible-${uid()}`;
      slow.sim.injectFault({ kind: 'cut', route: 'send', count: 2 });
      await slow.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
      const waiting = await slow.waitForCommand(id, ['unknown']);
      expect(waiting.error).toMatch(/no answer from Sendblue.*checking in 1 s before anything is sent/);
      expect(Date.parse(String(waiting.next_attempt_at))).toBeGreaterThan(Date.now() - 1_000);
      await slow.waitForCommand(id, ['sent'], 20_000);
      const attempts = slow.sim.requests.filter((r) => r.path === SEND).map((r) => Date.parse(r.at));
      expect(attempts).toHaveLength(3);
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1_900);
    } finally {
      await slow.stop();
    }
  });
});

describe('unclear outcomes are settled in Sendblue before any re-send', () => {
  it.each([
    ['accepted, then the connection was cut', 'accept-then-cut', 1],
    ['accepted, then no answer until the timeout', 'accept-then-hang', 1],
  ] as const)('%s: sent once, found in the message list', async (_name, kind, sendCalls) => {
    const id = `unclear-${kind}-${uid()}`;
    h.sim.injectFault({ kind, route: 'send' });
    const before = h.calls(SEND);
    const lists = h.calls('/api/v2/messages');
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(h.calls(SEND)).toBe(before + sendCalls);
    expect(h.calls('/api/v2/messages')).toBe(lists + 1);
    expect(accepted(id)).toHaveLength(1);
    expect(done.message_handle).toBe(accepted(id)[0]!.message_handle);
    const history = await h.get(`/groups/${done.group_id}/messages`);
    expect(history.body.messages.map((m: { content: string }) => m.content)).toContain(id);
  });

  it('not accepted and no answer: nothing found, so it is sent again, once', async () => {
    const id = `hang-${uid()}`;
    h.sim.injectFault({ kind: 'hang', route: 'send' });
    const before = h.calls(SEND);
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(h.calls(SEND)).toBe(before + 2);
    expect(accepted(id)).toHaveLength(1);
  });

  it('the same text sent just before by another command is not taken for ours', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const first = `same-1-${uid()}`;
    const second = `same-2-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: first, group_id: group.group_id, content: 'ok' });
    await h.waitForCommand(first, ['sent']);
    h.sim.injectFault({ kind: 'hang', route: 'send' });
    await h.push({ type: 'send_group_message', command_id: second, group_id: group.group_id, content: 'ok' });
    const done = await h.waitForCommand(second, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    const oks = h.sim.sentMessages().filter((m) => m.group_id === group.group_id && m.content === 'ok');
    expect(oks).toHaveLength(2);
    expect(done.message_handle).toBe(oks[1]!.message_handle);
  });

  it('Sendblue unreachable (connection refused) is retried without looking anything up, not counted, until the outage budget', async () => {
    // A free port nobody listens on: the connection is refused before any request leaves.
    const closedPort = await findFreePort();
    const unreachable = await startHarness({
      config: { sendblueBaseUrl: `http://127.0.0.1:${closedPort}` },
      sender: { maxAttempts: 2, outageBudgetSeconds: 3, retry: { baseSeconds: 1, maxSeconds: 1 } },
    });
    try {
      const id = `refused-${uid()}`;
      await unreachable.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: 'x' });
      const waiting = await unreachable.waitForCommand(id, ['queued']);
      expect(waiting.failures).toBe(0);
      const done = await unreachable.waitForCommand(id, ['failed']);
      // More than maxAttempts (2) tries in 3 s, none counted: the budget of time ended it.
      expect(done.failures).toBe(0);
      expect(done.error).toMatch(
        /^Sendblue unreachable since \S+ \(over 3 s\): could not reach Sendblue .*ECONNREFUSED.*; redrive to try again$/,
      );
      const letters = await unreachable.deadLetters();
      expect(letters.map((letter) => letter.attributes[DEAD_LETTER_ATTRIBUTES.reason])).toEqual([done.error]);
    } finally {
      await unreachable.stop();
    }
  });
});

describe('a command_id whose command failed (nothing was sent for it)', () => {
  it('is taken over by a corrected command, which is sent; the failed one repeated stays failed', async () => {
    const id = `corrected-${uid()}`;
    // First use: invalid (a rule broken), so it fails without any call.
    await h.push(
      { type: 'send_group_message', command_id: id, numbers: ['555-0101'], content: 'broken' },
      { dedupId: `${id}-a` },
    );
    expect((await h.waitForCommand(id, ['failed'])).error).toMatch(/numbers must be E.164/);
    // The producer fixes it and reuses the id: it runs.
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id }, { dedupId: `${id}-b` });
    const done = await h.waitForCommand(id, ['sent']);
    expect(done).toMatchObject({ state: 'sent', error: null });
    expect(accepted(id)).toHaveLength(1);

    // A valid command refused by Sendblue, then corrected under the same id.
    const refusedId = `refused-then-fixed-${uid()}`;
    h.sim.injectFault({ kind: '400', route: 'send' });
    await h.push(
      { type: 'send_group_message', command_id: refusedId, numbers: MEMBERS, content: `${refusedId} v1` },
      { dedupId: `${refusedId}-a` },
    );
    await h.waitForCommand(refusedId, ['failed']);
    // The very same refused command again (not a redrive): a duplicate, ignored.
    await h.push(
      { type: 'send_group_message', command_id: refusedId, numbers: MEMBERS, content: `${refusedId} v1` },
      { dedupId: `${refusedId}-b` },
    );
    await h.sandbox.poller.drained();
    expect((await h.command(refusedId)).body.state).toBe('failed');
    expect(accepted(`${refusedId} v1`)).toEqual([]);
    await h.push(
      { type: 'send_group_message', command_id: refusedId, numbers: MEMBERS, content: `${refusedId} v2` },
      { dedupId: `${refusedId}-c` },
    );
    await h.waitForCommand(refusedId, ['sent']);
    expect(accepted(`${refusedId} v2`)).toHaveLength(1);
    expect(accepted(`${refusedId} v1`)).toEqual([]);
  });
});
