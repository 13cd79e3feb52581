/**
 * The sweep of unknown commands whose queue message is gone, in memory: the real sender leaves a
 * command `unknown` (its call was cut, every check failed), SQS loses its message, and the sweep
 * (createUnknownSweep) only checks: found -> sent, with no second send; provably not sent ->
 * failed and on the DLQ. The same over DynamoDB Local and HTTP:
 * test/integration/lambdas/sending/settle-unknown.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDeadLetterSink } from '../../../../lambdas/adapters/sqs-command-queue.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { createUnknownSweep } from '../../../../lambdas/sending/settle-unknown.js';
import { LOOP_LINE, type SenderLoop, startSenderLoop } from '../../../support/in-memory/sender-loop.js';

const MEMBERS = ['+15551230001', '+15551230002', '+15551230003'];

let loop: SenderLoop;
afterEach(() => loop?.stop());

/** A send left `unknown` by the sender, its queue message then lost; answers the sweep to run. */
async function unknownWithoutMessage(id: string, callFault: 'accept-then-cut' | 'cut') {
  loop = startSenderLoop({ seed: 3 });
  const group = loop.sendblue.createGroup(MEMBERS);
  loop.sendblue.faults.inject({ kind: callFault, route: 'send' });
  loop.sendblue.faults.inject({ kind: '500', route: 'read', count: 10_000 });
  loop.push({ type: 'send_group_message', command_id: id, group_id: group.group_id, content: id });
  await loop.clock.runUntil(() => loop.table.command(id)?.state === 'unknown', { limitMs: 3_600_000 });
  loop.stop();
  loop.sqs.purgeQueue(loop.queueUrl);
  loop.sendblue.faults.clear();
  // A minute later: the sweep lists entries last written before its own `now`.
  const later = loop.clock.nowMs() + 60_000;
  loop.clock.at(later);
  await loop.clock.runUntil(() => loop.clock.nowMs() >= later, { limitMs: 120_000 });
  return createUnknownSweep({
    store: loop.table,
    sendblue: loop.sendblue.api,
    relay: async () => {},
    deadLetter: createDeadLetterSink({ sqs: loop.sqs.client(), deadLetterQueueUrl: loop.deadLetterQueueUrl }),
    logger: silentLogger,
    now: loop.clock.now,
    settings: {
      fromNumber: LOOP_LINE,
      leaseMs: 40_000,
      minAgeMs: 0,
      maxPerRun: 100,
      policy: {
        maxAttempts: 5,
        retry: { baseSeconds: 5, maxSeconds: 300 },
        settleDelaySeconds: 30,
        outageBudgetMs: 3_600_000,
        maxReceiveCount: 1_000,
      },
    },
  });
}

describe('the sweep of unknown commands whose queue message is gone', () => {
  it('Sendblue has it: recorded sent and stored, never sent again', async () => {
    const sweep = await unknownWithoutMessage('swept-sent', 'accept-then-cut');
    const report = await sweep(Number.POSITIVE_INFINITY);
    expect(report).toMatchObject({ examined: 1, sent: { [LOOP_LINE]: 1 }, stoppedBy: 'done' });
    const copies = loop.sendblue.sentMessages().filter((m) => m.content === 'swept-sent');
    expect(copies).toHaveLength(1);
    expect(loop.table.command('swept-sent')).toMatchObject({
      state: 'sent',
      message_handle: copies[0]!.message_handle,
    });
    expect((await loop.table.getMessageWithHistory(copies[0]!.message_handle))?.message.command_id).toBe('swept-sent');
    expect(loop.sendblue.calls.filter((call) => call.route === 'send')).toHaveLength(1);
  });

  it('Sendblue does not have it: failed and on the DLQ (a redrive sends it), nothing sent', async () => {
    const sweep = await unknownWithoutMessage('swept-unsent', 'cut');
    const report = await sweep(Number.POSITIVE_INFINITY);
    expect(report).toMatchObject({ examined: 1, neverSent: { [LOOP_LINE]: 1 } });
    expect(loop.sendblue.sentMessages()).toEqual([]);
    expect(loop.table.command('swept-unsent')).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/not sent/),
    });
    const letters = loop.deadLetters();
    expect(letters.map((letter) => letter.attributes[DEAD_LETTER_ATTRIBUTES.commandId])).toEqual(['swept-unsent']);
    expect(JSON.parse(letters[0]!.body)).toMatchObject({ command_id: 'swept-unsent' });
  });
});
