/**
 * The DLQ redrive (client/dead-letters.ts) on the in-memory SQS, which keeps SQS's rules that
 * matter here: FIFO groups, visibility, receipt handles (a delete with an older handle of a
 * message received again deletes nothing, and is no error), several messages of a group per
 * receive. Issue 20: `dlq --redrive` moved a command again each time it failed again during
 * the pass, and a message could be moved twice in one pass. Every DLQ message must be moved at
 * most once per pass.
 */
import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteDeadLetters,
  listDeadLetters,
  moveDeadLetters,
  redriveDeadLetters,
} from '../../../client/dead-letters.js';
import type { Target } from '../../../client/target.js';
import { createDeadLetterSink } from '../../../lambdas/adapters/sqs-command-queue.js';
import { DEAD_LETTER_ATTRIBUTES, type DeadLetterKind } from '../../../lambdas/contract/dead-letters.js';
import { InMemorySqs } from '../../support/in-memory/sqs.js';

let nowMs: number;
let mem: InMemorySqs;
let target: Target;
/** Runs before each DeleteMessage on the DLQ / after each SendMessage to the command queue. */
let beforeDlqDelete: (() => void) | undefined;
let afterRedriveSend: ((input: SendMessageCommandInput, messageId: string) => Promise<void>) | undefined;
let sqs: SQSClient;

beforeEach(() => {
  nowMs = Date.UTC(2026, 11, 1);
  mem = new InMemorySqs(() => nowMs);
  const dlq = mem.createQueue('commands-dlq.fifo', { visibilityTimeoutSeconds: 30 });
  const queue = mem.createQueue('commands.fifo', { visibilityTimeoutSeconds: 30 });
  target = {
    kind: 'sandbox',
    label: 'in memory',
    region: 'us-east-1',
    commandQueueUrl: queue.url,
    deadLetterQueueUrl: dlq.url,
    apiUrl: 'http://unused',
    signReads: false,
  };
  beforeDlqDelete = undefined;
  afterRedriveSend = undefined;
  const inner = mem.client();
  sqs = {
    async send(command: { constructor: { name: string }; input: any }) {
      const name = command.constructor.name;
      if (name === 'DeleteMessageCommand' && command.input.QueueUrl === target.deadLetterQueueUrl) beforeDlqDelete?.();
      const out = (await inner.send(command as never)) as { MessageId?: string };
      if (name === 'SendMessageCommand' && command.input.QueueUrl === target.commandQueueUrl)
        await afterRedriveSend?.(command.input, out.MessageId!);
      return out;
    },
  } as unknown as SQSClient;
});

const sink = () => createDeadLetterSink({ sqs: mem.client(), deadLetterQueueUrl: target.deadLetterQueueUrl });
const REASONS: Record<string, [DeadLetterKind, string]> = {
  invalid: ['invalid', 'invalid command: numbers must be a non-empty array of E.164 numbers'],
  attempts: ['out-of-attempts', 'gave up after 5 attempts: Sendblue refused to send the group message: HTTP 409: busy'],
  refused: ['refused', 'Sendblue refused to send the group message: HTTP 404: Group g not found'],
};

/** A letter as the sender puts it on the DLQ now (a group of its own, the command's group as an attribute). */
async function letter(commandId: string, why: keyof typeof REASONS, group = `g-${commandId}`) {
  nowMs += 1_000;
  const [kind, reason] = REASONS[why]!;
  await sink()({
    body: JSON.stringify({ type: 'send_group_message', command_id: commandId, group_id: group, content: commandId }),
    commandId,
    reason,
    kind,
    messageGroupId: group,
    deduplicationId: `m-${commandId}`,
    receiveCount: '1',
  });
}

/** A letter as an older sender put it there: in the command's own group, no kind. */
async function oldLetter(commandId: string, why: keyof typeof REASONS, group: string) {
  nowMs += 1_000;
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  await mem.client().send(
    new SendMessageCommand({
      QueueUrl: target.deadLetterQueueUrl,
      MessageBody: JSON.stringify({
        type: 'send_group_message',
        command_id: commandId,
        group_id: group,
        content: commandId,
      }),
      MessageGroupId: group,
      MessageDeduplicationId: `old-${commandId}`,
      MessageAttributes: {
        [DEAD_LETTER_ATTRIBUTES.reason]: text(REASONS[why]![1]),
        [DEAD_LETTER_ATTRIBUTES.commandId]: text(commandId),
      },
    }),
  );
}

const onDlq = () => mem.peek(target.deadLetterQueueUrl);
const onQueue = () => mem.peek(target.commandQueueUrl);
const commandIdOf = (body: string | undefined) => JSON.parse(body ?? '{}').command_id as string;

/** The sender's answer to an invalid command: straight back to the DLQ, as the sender moves it. */
function invalidCommandsFailAgainAtOnce() {
  afterRedriveSend = async (input, messageId) => {
    if (!JSON.parse(input.MessageBody!).command_id.startsWith('bad-')) return;
    const [kind, reason] = REASONS.invalid!;
    await sink()({
      body: input.MessageBody!,
      commandId: JSON.parse(input.MessageBody!).command_id,
      reason,
      kind,
      messageGroupId: input.MessageGroupId!,
      deduplicationId: messageId, // the sender's move: the failed queue message's id
      receiveCount: '1',
    });
  };
}

describe('DLQ redrive: each message moved at most once per pass', () => {
  it('a command that fails again at once while the pass is still reading is not moved again (issue 20)', async () => {
    await letter('bad-1', 'invalid');
    await letter('ok-1', 'attempts');
    await letter('bad-2', 'invalid');
    invalidCommandsFailAgainAtOnce();

    const moved = await redriveDeadLetters(sqs, target);

    // Before the fix: the pass read until the DLQ was empty and moved bad-1 and bad-2 on every round.
    expect(moved.map((m) => m.command_id)).toEqual(['bad-1', 'ok-1', 'bad-2']);
    expect(onQueue().map((m) => commandIdOf(m.Body))).toEqual(['bad-1', 'ok-1', 'bad-2']);
    // Their new failures are on the DLQ, once each, visible (not held by the pass).
    expect(
      onDlq()
        .map((m) => commandIdOf(m.Body))
        .sort(),
    ).toEqual(['bad-1', 'bad-2']);
    expect((await listDeadLetters(sqs, target)).map((m) => m.command_id).sort()).toEqual(['bad-1', 'bad-2']);
  });

  it('says which letters failed again during the pass and leaves them on the DLQ', async () => {
    await letter('bad-1', 'invalid');
    invalidCommandsFailAgainAtOnce();
    const outcome = await moveDeadLetters(sqs, target);
    expect(outcome.moved.map((m) => m.command_id)).toEqual(['bad-1']);
    expect(outcome.left).toEqual([expect.objectContaining({ command_id: 'bad-1', refailed: true })]);
    // The re-failure's source is the message the pass sent.
    expect(onDlq()[0]!.Attributes?.MessageDeduplicationId).toBe(outcome.moved[0]!.redriven_message_id);
  });

  it('a slow pass whose messages another reader received meanwhile (stale receipt handles) still moves each once', async () => {
    for (const id of ['a', 'b', 'c']) await letter(id, 'attempts');
    let once = true;
    beforeDlqDelete = () => {
      if (!once) return;
      once = false;
      // The pass took longer than its visibility timeout, and a `cli dlq` received everything:
      // the pass's handles are stale now, so its deletes delete nothing (as SQS does, silently).
      nowMs += 301_000;
      mem.receiveMessage({ QueueUrl: target.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    };
    const moved = await redriveDeadLetters(sqs, target);
    expect(moved.map((m) => m.command_id)).toEqual(['a', 'b', 'c']);
    expect(onQueue()).toHaveLength(3);
    // Deleted with the handle the pass got when it saw them again, not moved again.
    expect(onDlq()).toEqual([]);
  });

  it('a message SQS hands out twice in one pass is moved once', async () => {
    for (const id of ['a', 'b']) await letter(id, 'attempts');
    const inner = sqs;
    let last: unknown;
    sqs = {
      async send(command: { constructor: { name: string } }) {
        const out = (await inner.send(command as never)) as { Messages?: unknown[] };
        if (command.constructor.name !== 'ReceiveMessageCommand') return out;
        // Each answer repeats the previous one's messages (at-least-once delivery).
        const answer = { ...out, Messages: [...((last as unknown[]) ?? []), ...(out.Messages ?? [])] };
        last = out.Messages;
        return answer;
      },
    } as unknown as SQSClient;
    expect((await redriveDeadLetters(sqs, target)).map((m) => m.command_id)).toEqual(['a', 'b']);
    expect(onQueue()).toHaveLength(2);
  });
});

describe('DLQ redrive: selective', () => {
  it('moves only what it is asked to, oldest first, into each command group; the rest is visible again at once', async () => {
    await letter('c1', 'attempts', 'conversation');
    await letter('p1', 'refused', 'conversation');
    await letter('c2', 'attempts', 'conversation');
    await letter('bad-1', 'invalid', 'elsewhere');
    const outcome = await moveDeadLetters(sqs, target, { only: (m) => m.redrive_helps });
    expect(outcome.moved.map((m) => [m.command_id, m.kind])).toEqual([
      ['c1', 'out-of-attempts'],
      ['c2', 'out-of-attempts'],
    ]);
    expect(outcome.left.map((m) => [m.command_id, m.kind, m.redrive_helps])).toEqual([
      ['p1', 'refused', false],
      ['bad-1', 'invalid', false],
    ]);
    const queued = onQueue();
    expect(queued.map((m) => [commandIdOf(m.Body), m.Attributes?.MessageGroupId])).toEqual([
      ['c1', 'conversation'],
      ['c2', 'conversation'],
    ]);
    // Kept: failure_reason (a redrive on purpose) and the kind.
    expect(queued[0]!.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue).toMatch(/^gave up/);
    // Released: receivable now, not in 5 minutes.
    expect(
      mem
        .receiveMessage({ QueueUrl: target.deadLetterQueueUrl, MaxNumberOfMessages: 10 })
        .map((m) => commandIdOf(m.Body)),
    ).toEqual(['p1', 'bad-1']);
  });

  it('letters of an older sender (one group per conversation, no kind): classified by their reason; those behind one left are reached where SQS shows them', async () => {
    await oldLetter('p1', 'refused', 'conversation');
    await oldLetter('c1', 'attempts', 'conversation');
    const outcome = await moveDeadLetters(sqs, target, { only: (m) => m.redrive_helps });
    expect(outcome.moved.map((m) => m.command_id)).toEqual(['c1']);
    expect(outcome.left.map((m) => [m.command_id, m.kind])).toEqual([['p1', 'refused']]);
    expect(onQueue()[0]!.Attributes?.MessageGroupId).toBe('conversation');
  });

  it('deletes one command by its id, and nothing else', async () => {
    await letter('a', 'invalid');
    await letter('b', 'invalid');
    const deleted = await deleteDeadLetters(sqs, target, (m) => m.command_id === 'a');
    expect(deleted.map((m) => m.command_id)).toEqual(['a']);
    expect(onDlq().map((m) => commandIdOf(m.Body))).toEqual(['b']);
    expect(await deleteDeadLetters(sqs, target, (m) => m.command_id === 'nope')).toEqual([]);
    expect(onDlq()).toHaveLength(1);
  });

  it('lists each message once, oldest first, with its kind and the group it goes back to; listing removes nothing', async () => {
    await letter('a', 'attempts', 'g1');
    await letter('b', 'invalid', 'g1');
    const listed = await listDeadLetters(sqs, target);
    expect(listed.map((m) => [m.command_id, m.kind, m.redrive_helps, m.message_group_id])).toEqual([
      ['a', 'out-of-attempts', true, 'g1'],
      ['b', 'invalid', false, 'g1'],
    ]);
    expect(await listDeadLetters(sqs, target)).toHaveLength(2);
  });
});
