/**
 * The producer client against a whole sandbox (SQS emulator, sender, simulator over HTTP,
 * DynamoDB Local): what it puts on the queue, and what the sender then does with it.
 */
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandValidationError,
  createGroupsProducer,
  listDeadLetters,
  redriveDeadLetters,
  sandboxTarget,
  type GroupsProducer,
  type Target,
} from '../../../client/index.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lambdas/contract/dead-letters.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

let h: Harness;
let target: Target;
let producer: GroupsProducer;
const port = (url: string) => new URL(url).port;
beforeAll(async () => {
  h = await startHarness();
  // The client finds the sandbox through the env vars `npm start` reads.
  target = sandboxTarget({ SANDBOX_PORT: port(h.sandbox.urls.api), SANDBOX_SQS_PORT: port(h.sandbox.urls.sqs) });
  producer = createGroupsProducer(target);
});
afterAll(async () => {
  producer?.close();
  await h?.stop();
});

const uid = () => Math.random().toString(36).slice(2, 10);

describe('producer client on the sandbox', () => {
  it("finds the sandbox's queues by its ports", () => {
    expect(target.commandQueueUrl).toBe(h.sandbox.urls.commandQueue);
    expect(target.deadLetterQueueUrl).toBe(h.sandbox.urls.deadLetterQueue);
    expect(target.apiUrl).toBe(h.sandbox.urls.api);
  });

  it('sendGroupMessage returns a generated command_id that the sender sends once, even when repeated', async () => {
    const content = `hello ${uid()}`;
    const queued = await producer.sendGroupMessage({ numbers: [MEMBERS[1]!, MEMBERS[0]!], content });
    expect(queued.command_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(queued.message_group_id).toBe([MEMBERS[0], MEMBERS[1]].join(','));
    const done = await h.waitForCommand(queued.command_id, ['sent', 'failed']);
    expect(done).toMatchObject({ state: 'sent', type: 'send_group_message' });
    await producer.sendGroupMessage({ command_id: queued.command_id, numbers: [MEMBERS[1]!, MEMBERS[0]!], content });
    await h.sandbox.poller.drained();
    expect(h.sim.sentMessages().filter((m) => m.content === content)).toHaveLength(1);
  });

  it('addRecipient, removeRecipient and renameGroup change the group', async () => {
    const sent = await producer.sendGroupMessage({ numbers: [MEMBERS[0]!, MEMBERS[1]!], content: `start ${uid()}` });
    const groupId = String((await h.waitForCommand(sent.command_id, ['sent'])).group_id);
    for (const queued of [
      await producer.addRecipient({ group_id: groupId, number: MEMBERS[2]! }),
      await producer.removeRecipient({ group_id: groupId, number: MEMBERS[0]! }),
      await producer.renameGroup({ group_id: groupId, name: 'Renamed by the client' }),
    ]) {
      expect(queued.message_group_id).toBe(groupId);
      expect(await h.waitForCommand(queued.command_id, ['sent', 'failed'])).toMatchObject({ state: 'sent' });
    }
    expect(h.sim.group(groupId)).toMatchObject({ name: 'Renamed by the client' });
    const group = (await h.get(`/groups/${groupId}`)).body;
    expect(group.members).toContain(MEMBERS[2]);
    expect(group.members).not.toContain(MEMBERS[0]);
  });

  it('refuses an invalid command before anything reaches the queue', async () => {
    const before = h.sim.requests.length;
    await expect(
      producer.sendGroupMessage({ numbers: ['555-0101'], content: 'x', command_id: 'never-queued' }),
    ).rejects.toThrow(CommandValidationError);
    await expect(producer.renameGroup({ group_id: 'g', name: '' })).rejects.toThrow(/name is required for rename/);
    await h.sandbox.poller.drained();
    expect((await h.command('never-queued')).status).toBe(404);
    expect(h.sim.requests.length).toBe(before);
  });

  it('sets MessageGroupId and MessageDeduplicationId on the real queue (read back from a spare FIFO queue)', async () => {
    const { QueueUrl } = await h.sqs.send(
      new CreateQueueCommand({
        QueueName: `spare-${uid()}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const spare = createGroupsProducer({ ...target, commandQueueUrl: QueueUrl! });
    try {
      await spare.sendGroupMessage({ command_id: 'spare-1', group_id: 'sb_group_spare', content: 'x' });
      await spare.sendGroupMessage({ command_id: 'spare-1', group_id: 'sb_group_spare', content: 'x' }); // a repeat: dropped by SQS
      const out = await h.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
      );
      expect(out.Messages).toHaveLength(1);
      expect(out.Messages![0]!.Attributes).toMatchObject({
        MessageGroupId: 'sb_group_spare',
        MessageDeduplicationId: 'spare-1',
      });
    } finally {
      spare.close();
    }
  });

  it('redrive keeps body, MessageGroupId and failure_reason, with a new deduplication id, and empties the DLQ', async () => {
    const { QueueUrl: commands } = await h.sqs.send(
      new CreateQueueCommand({
        QueueName: `commands-${uid()}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const { QueueUrl: dlq } = await h.sqs.send(
      new CreateQueueCommand({
        QueueName: `dlq-${uid()}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const spareTarget = { ...target, commandQueueUrl: commands!, deadLetterQueueUrl: dlq! };
    const body = JSON.stringify({ type: 'send_group_message', command_id: 'dead-1', group_id: 'g-dead', content: 'x' });
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: body,
        MessageGroupId: 'g-dead',
        MessageDeduplicationId: 'm-1',
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.reason]: text('HTTP 400'),
          [DEAD_LETTER_ATTRIBUTES.commandId]: text('dead-1'),
        },
      }),
    );

    const listed = await listDeadLetters(h.sqs, spareTarget);
    expect(listed).toEqual([
      expect.objectContaining({ command_id: 'dead-1', reason: 'HTTP 400', message_group_id: 'g-dead', body }),
    ]);
    expect(await listDeadLetters(h.sqs, spareTarget)).toHaveLength(1); // listing removes nothing

    const moved = await redriveDeadLetters(h.sqs, spareTarget);
    expect(moved.map((m) => m.command_id)).toEqual(['dead-1']);
    const out = await h.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: commands,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const message = out.Messages![0]!;
    expect(message.Body).toBe(body);
    expect(message.Attributes).toMatchObject({
      MessageGroupId: 'g-dead',
      MessageDeduplicationId: `redrive-${listed[0]!.message_id}`,
    });
    expect(message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue).toBe('HTTP 400');
    expect(await listDeadLetters(h.sqs, spareTarget)).toEqual([]);
  });

  it('redrive keeps the identity of a command moved by SQS itself, whose body has no command_id', async () => {
    const { QueueUrl: commands } = await h.sqs.send(
      new CreateQueueCommand({
        QueueName: `commands-${uid()}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const { QueueUrl: dlq } = await h.sqs.send(
      new CreateQueueCommand({
        QueueName: `dlq-${uid()}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const spareTarget = { ...target, commandQueueUrl: commands!, deadLetterQueueUrl: dlq! };
    const body = JSON.stringify({ type: 'send_group_message', group_id: 'g-native', content: 'x' });
    // As SQS's own redrive after maxReceiveCount leaves it: no attributes, the original dedup id.
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: body,
        MessageGroupId: 'g-native',
        MessageDeduplicationId: 'native-1',
      }),
    );
    await redriveDeadLetters(h.sqs, spareTarget);
    const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: commands, MessageAttributeNames: ['All'] }));
    expect(out.Messages?.[0]?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.commandId]?.StringValue).toBe('native-1');
  });

  it('a failed command without command_id, redriven, is retried under the same id and sent', async () => {
    const dedupId = `no-id-${uid()}`;
    h.sim.injectFault({ kind: '400', route: 'send' });
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.sandbox.urls.commandQueue,
        MessageGroupId: 'no-id',
        MessageDeduplicationId: dedupId,
        MessageBody: JSON.stringify({ type: 'send_group_message', numbers: MEMBERS, content: dedupId }),
      }),
    );
    expect((await h.waitForCommand(dedupId, ['failed'])).error).toMatch(/HTTP 400/);
    const moved = await redriveDeadLetters(h.sqs, target);
    expect(moved.map((m) => m.command_id)).toContain(dedupId);
    expect((await h.waitForCommand(dedupId, ['sent'])).state).toBe('sent');
    expect(h.sim.sentMessages().filter((m) => m.content === dedupId)).toHaveLength(1);
    const redriveId = `redrive-${moved.find((m) => m.command_id === dedupId)!.message_id}`;
    expect((await h.command(redriveId)).status).toBe(404);
  });
});
