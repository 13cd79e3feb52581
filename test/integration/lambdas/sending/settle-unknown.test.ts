/**
 * The sweep of unknown commands whose queue message is gone (docs/sending.md "Exactly once"), through the
 * whole sandbox: the real sender leaves a command `unknown` (its call was cut and every check in
 * Sendblue fails), then its queue message is lost (taken off the queue, as if SQS dropped it).
 * The backfill run's sweep then only checks, never sends: found -> sent (stored, in the timeline);
 * provably not sent -> failed and on the DLQ, from where a redrive sends it once; the check
 * failed -> still unknown, settled by a later run.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listDeadLetters, redriveDeadLetters } from '../../../../client/dead-letters.js';
import { sandboxTarget, type Target } from '../../../../client/target.js';
import type { BackfillReport } from '../../../../lambdas/backfill/backfill-job.js';
import type { SweepReport } from '../../../../lambdas/sending/settle-unknown.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEND = '/api/send-group-message';
const MODIFY = '/api/modify-group';
const uid = () => Math.random().toString(36).slice(2, 10);

let h: Harness;
let target: Target;
beforeAll(async () => {
  // Checks back off 1-2 s, so a command waits `unknown` between them; the sweep takes any age.
  h = await startHarness({ sender: { retry: { baseSeconds: 1, maxSeconds: 2 } }, backfill: { unsettledMinAgeMs: 0 } });
  target = sandboxTarget({
    SANDBOX_PORT: new URL(h.sandbox.urls.api).port,
    SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port,
  });
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

const sweepOf = (report: BackfillReport) => report.sweep as SweepReport;
const sendsOf = (content: string) =>
  h.sim.requests.filter((r) => r.path === SEND && (r.body as { content?: string }).content === content).length;

/** Pushes a command whose call is unclear and whose every check fails, and waits until it is `unknown`. */
async function leaveUnknown(
  command: Record<string, unknown>,
  callFault: 'accept-then-cut' | 'cut',
  route: 'send' | 'modify' = 'send',
) {
  h.sim.injectFault({ kind: callFault, route });
  h.sim.injectFault({ kind: '500', route: 'read', count: 10_000 });
  await h.push(command);
  const waiting = await h.waitForCommand(String(command.command_id), ['unknown']);
  expect(waiting.error).toMatch(/Sendblue may have it/);
}

/** The command's queue message is lost: the poller is paused, the message taken off the queue. */
async function loseQueueMessage(): Promise<void> {
  await h.sandbox.poller.stop();
  let removed = 0;
  const deadline = Date.now() + 10_000;
  while (removed === 0 && Date.now() < deadline) {
    // It is invisible until its next check is due (1-2 s).
    const out = await h.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: h.sandbox.urls.commandQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of out.Messages ?? []) {
      await h.sqs.send(
        new DeleteMessageCommand({ QueueUrl: h.sandbox.urls.commandQueue, ReceiptHandle: message.ReceiptHandle }),
      );
      removed += 1;
    }
  }
  expect(removed).toBe(1);
  h.sim.clearFaults();
  h.sandbox.poller.start();
}

describe('an unknown command whose queue message is gone', () => {
  it('Sendblue has it: the sweep finds it and records it sent (stored, in the timeline), with no second send', async () => {
    const id = `swept-sent-${uid()}`;
    await leaveUnknown(
      { type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id },
      'accept-then-cut',
    );
    await loseQueueMessage();
    expect((await h.command(id)).body.state).toBe('unknown');

    const report = await h.sandbox.backfill.runNow();
    expect(sweepOf(report)).toMatchObject({ examined: 1, sent: { [LINE]: 1 }, neverSent: {}, stillUnknown: 0 });
    const done = (await h.command(id)).body;
    const [copy] = h.sim.sentMessages().filter((m) => m.content === id);
    expect(done).toMatchObject({ state: 'sent', message_handle: copy!.message_handle, group_id: copy!.group_id });
    expect(sendsOf(id)).toBe(1);
    const page = await h.get(`/groups/${encodeURIComponent(copy!.group_id)}/messages`);
    expect(page.body.messages.map((m: { message_handle: string }) => m.message_handle)).toContain(copy!.message_handle);
    expect(h.logs.some((line) => line.includes('"backfill metrics"') && line.includes('"UnknownSettledSent":1'))).toBe(
      true,
    );

    // Settled: off the unsettled list, so the next run does not look at it again.
    expect(sweepOf(await h.sandbox.backfill.runNow()).examined).toBe(0);
  });

  it('Sendblue does not have it: failed with the reason and put on the DLQ; a redrive then sends it once', async () => {
    const id = `swept-never-${uid()}`;
    await leaveUnknown({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id }, 'cut');
    await loseQueueMessage();

    const report = await h.sandbox.backfill.runNow();
    expect(sweepOf(report)).toMatchObject({ examined: 1, sent: {}, neverSent: { [LINE]: 1 } });
    const failed = (await h.command(id)).body;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(
      /^not sent: Sendblue's message list has no such message since .*queue message was gone; moved to the DLQ \(redrive it to send it\)$/,
    );
    expect(h.sim.sentMessages().filter((m) => m.content === id)).toEqual([]);
    expect(sendsOf(id)).toBe(1); // the cut call, never processed; the sweep called nothing

    const letters = await listDeadLetters(h.sqs, target);
    const letter = letters.find((l) => l.command_id === id);
    // In its group's FIFO order once redriven: the group of a new group's command is its sorted numbers.
    expect(letter).toMatchObject({ reason: failed.error, message_group_id: [...MEMBERS].sort().join(',') });
    expect(JSON.parse(letter!.body)).toMatchObject({ command_id: id, content: id });

    await redriveDeadLetters(h.sqs, target);
    expect((await h.waitForCommand(id, ['sent'])).state).toBe('sent');
    expect(h.sim.sentMessages().filter((m) => m.content === id)).toHaveLength(1);
  });

  it('the check fails in the sweep too: still unknown (never sent, never failed); a later run settles it', async () => {
    const id = `swept-later-${uid()}`;
    await leaveUnknown(
      { type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id },
      'accept-then-cut',
    );
    await loseQueueMessage();

    h.sim.injectFault({ kind: '500', route: 'read', count: 100 });
    const failedCheck = await h.sandbox.backfill.runNow();
    expect(sweepOf(failedCheck)).toMatchObject({ examined: 1, stillUnknown: 1, sent: {}, neverSent: {} });
    expect((await h.command(id)).body).toMatchObject({
      state: 'unknown',
      error: expect.stringMatching(/could not check/),
    });
    expect(sendsOf(id)).toBe(1);

    h.sim.clearFaults();
    expect(sweepOf(await h.sandbox.backfill.runNow())).toMatchObject({ sent: { [LINE]: 1 } });
    expect((await h.command(id)).body.state).toBe('sent');
    expect(h.sim.sentMessages().filter((m) => m.content === id)).toHaveLength(1);
  });

  it('a group change Sendblue applied (answer cut, reads failing): the sweep reads the group and records it sent', async () => {
    const group = h.sim.createGroup([...MEMBERS, '+15551230004']);
    const id = `swept-remove-${uid()}`;
    await leaveUnknown(
      {
        type: 'modify_group',
        command_id: id,
        group_id: group.group_id,
        modify_type: 'remove_recipient',
        number: MEMBERS[0],
      },
      'accept-then-cut',
      'modify',
    );
    await loseQueueMessage();

    const report = await h.sandbox.backfill.runNow();
    expect(sweepOf(report)).toMatchObject({ sent: { [LINE]: 1 } });
    expect((await h.command(id)).body.state).toBe('sent');
    expect(
      h.sim.requests.filter((r) => r.path === MODIFY && (r.body as { group_id?: string }).group_id === group.group_id),
    ).toHaveLength(1);
  });
});
