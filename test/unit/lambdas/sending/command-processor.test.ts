/**
 * The command processor's scripted cases, in memory (test/support/in-memory/sender-loop.ts): the
 * real runFifoBatch + createCommandProcessor fed by a simulated SQS FIFO queue and Lambda event
 * source on a virtual clock, with production timings (a 180 s visibility, a 30 s settle delay, a
 * 40 s lease) that cost no real time. The same cases over DynamoDB Local and HTTP:
 * test/integration/lambdas/sending/ (send, unclear, order-and-concurrency, failures).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { type SenderLoop, type SenderLoopOptions, startSenderLoop } from '../../../support/in-memory/sender-loop.js';

const MEMBERS = ['+15551230001', '+15551230002', '+15551230003'];
const START = Date.UTC(2026, 11, 1, 12);

let loop: SenderLoop;
afterEach(() => loop?.stop());

function start(options: Partial<SenderLoopOptions> = {}) {
  loop = startSenderLoop({ seed: 7, ...options });
  const group = loop.sendblue.createGroup(MEMBERS);
  const send = (id: string, extra: Record<string, unknown> = {}) => ({
    type: 'send_group_message',
    command_id: id,
    group_id: group.group_id,
    content: id,
    ...extra,
  });
  const copies = (content: string) => loop.sendblue.sentMessages().filter((m) => m.content === content);
  const calls = (route: string) => loop.sendblue.calls.filter((call) => call.route === route).length;
  return { group, send, copies, calls };
}

describe('sending once', () => {
  it("sends each command once, in its group's order, and ignores the same command queued again", async () => {
    const { send, copies, group } = start();
    const ids = Array.from({ length: 25 }, (_, i) => `order-${i}`);
    for (const id of ids) loop.push(send(id));
    loop.push(send('order-3'), { dedupId: 'order-3-again' });
    const settled = await loop.settle(ids);
    expect([...settled.values()].map((item) => item.state)).toEqual(ids.map(() => 'sent'));
    expect(loop.sendblue.sentMessages().map((m) => m.content)).toEqual(ids);
    expect(copies('order-3')).toHaveLength(1);
    // Paced like Sendblue's line: a burst of 10, then 1 a second.
    expect(loop.clock.nowMs() - START).toBeGreaterThanOrEqual(14_000);
    const stored = await loop.table.getMessageWithHistory(settled.get('order-0')!.message_handle!);
    expect(stored?.message).toMatchObject({ group_id: group.group_id, command_id: 'order-0', content: 'order-0' });
  });

  it('sends a command two producers queued at once (two message groups) once', async () => {
    const { send, copies } = start();
    loop.push(send('twice'), { groupId: 'producer-1', dedupId: 'twice-1' });
    loop.push(send('twice'), { groupId: 'producer-2', dedupId: 'twice-2' });
    const settled = await loop.settle(['twice']);
    expect(settled.get('twice')?.state).toBe('sent');
    expect(copies('twice')).toHaveLength(1);
    expect(loop.stats.records).toBeGreaterThanOrEqual(2);
  });
});

describe('a delivery that dies or is cut off', () => {
  it('dies right after Sendblue accepted: the redelivery finds the message and sends nothing', async () => {
    const { send, copies, calls } = start({
      crashPlan: (n) => (n === 1 ? { at: 'sendGroupMessage', afterIt: true } : undefined),
    });
    loop.push(send('crashed'));
    const settled = await loop.settle(['crashed']);
    expect(loop.stats.crashed).toBe(1);
    expect(calls('send')).toBe(1);
    expect(calls('read')).toBeGreaterThanOrEqual(1);
    expect(copies('crashed')).toHaveLength(1);
    expect(settled.get('crashed')).toMatchObject({
      state: 'sent',
      message_handle: copies('crashed')[0]!.message_handle,
    });
    // It came back once its visibility (180 s) ended, and the lease it held (40 s) had expired.
    expect(loop.clock.nowMs() - START).toBeGreaterThanOrEqual(180_000);
  });

  it('dies just before the call: the redelivery checks, finds nothing, and sends once', async () => {
    const { send, copies, calls } = start({
      crashPlan: (n) => (n === 1 ? { at: 'sendGroupMessage', afterIt: false } : undefined),
    });
    loop.push(send('never-called'));
    expect((await loop.settle(['never-called'])).get('never-called')?.state).toBe('sent');
    expect(calls('send')).toBe(1);
    expect(calls('read')).toBeGreaterThanOrEqual(1);
    expect(copies('never-called')).toHaveLength(1);
  });

  it('accepted and cut: unknown until a check after the settle delay finds it', async () => {
    const { send, copies, calls } = start();
    loop.sendblue.faults.inject({ kind: 'accept-then-cut', route: 'send' });
    loop.sendblue.faults.inject({ kind: '500', route: 'read' });
    loop.push(send('cut'));
    const settled = await loop.settle(['cut']);
    expect(settled.get('cut')).toMatchObject({ state: 'sent', message_handle: copies('cut')[0]?.message_handle });
    expect(copies('cut')).toHaveLength(1);
    expect(calls('send')).toBe(1);
    expect(calls('read')).toBe(2);
    expect(loop.clock.nowMs() - START).toBeGreaterThanOrEqual(30_000);
  });

  it('a call that hangs past the Lambda timeout: the invocation is stopped, and the command sent once', async () => {
    for (const kind of ['hang', 'accept-then-hang'] as const) {
      const { send, copies } = start({ sendblueTimeoutMs: 45_000 });
      loop.sendblue.faults.inject({ kind, route: 'send' });
      loop.push(send(kind));
      expect((await loop.settle([kind])).get(kind)?.state).toBe('sent');
      expect(loop.stats.timedOut).toBe(1);
      expect(copies(kind)).toHaveLength(1);
      loop.stop();
    }
  });
});

describe('refusals and the DLQ', () => {
  it('a command Sendblue refuses fails to the DLQ with the reason; its group goes on', async () => {
    const { send, copies } = start();
    loop.sendblue.faults.inject({ kind: '400', route: 'send' });
    for (const id of ['refused', 'after']) loop.push(send(id));
    const settled = await loop.settle(['refused', 'after']);
    expect(settled.get('refused')).toMatchObject({ state: 'failed', error: expect.stringMatching(/HTTP 400/) });
    expect(settled.get('after')?.state).toBe('sent');
    expect(copies('refused')).toHaveLength(0);
    expect(loop.deadLetters().map((letter) => letter.attributes[DEAD_LETTER_ATTRIBUTES.commandId])).toEqual([
      'refused',
    ]);
  });

  it('a different command reusing a sent command’s id is refused to the DLQ, never sent', async () => {
    const { send, copies } = start();
    loop.push(send('taken'));
    loop.push(send('taken', { content: 'something else' }), { dedupId: 'taken-reused' });
    const settled = await loop.settle(['taken']);
    expect(settled.get('taken')?.state).toBe('sent');
    expect(copies('something else')).toHaveLength(0);
    const [letter] = loop.deadLetters();
    expect(letter?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/already used by a different command/);
    expect((await loop.table.getCommand('taken'))?.refused_fingerprints).toBeDefined();
  });

  it('a body that is not JSON fails to the DLQ and does not hold its group', async () => {
    const { send, group } = start();
    loop.sqs.sendMessage({
      QueueUrl: loop.queueUrl,
      MessageBody: '{not json',
      MessageGroupId: group.group_id,
      MessageDeduplicationId: 'broken-1',
    });
    loop.push(send('behind'));
    const settled = await loop.settle(['behind', 'broken-1']);
    expect(settled.get('behind')?.state).toBe('sent');
    expect(settled.get('broken-1')).toMatchObject({ state: 'failed', error: expect.stringMatching(/not JSON/) });
    expect(loop.deadLetters().map((letter) => letter.body)).toEqual(['{not json']);
  });
});

describe('back-pressure', () => {
  it('a 429 pauses the line; the group waits for it and keeps its order', async () => {
    const { send } = start();
    loop.sendblue.faults.inject({ kind: '429', route: 'send', count: 2 });
    const ids = ['first', 'second', 'third'];
    for (const id of ids) loop.push(send(id));
    const settled = await loop.settle(ids);
    expect([...settled.values()].every((item) => item.state === 'sent')).toBe(true);
    expect(loop.sendblue.sentMessages().map((m) => m.content)).toEqual(ids);
    // Two 429s without Retry-After: two pauses of the pacing's 2 s.
    expect(loop.clock.nowMs() - START).toBeGreaterThanOrEqual(4_000);
  });
});
