/**
 * The DLQ: list what the sender put there (with its failure_reason) and move it back to the
 * command queue. A moved message keeps its body, its MessageGroupId and its attributes (the
 * sender retries a failed command only when it still carries failure_reason, i.e. was redriven
 * on purpose) and gets a new deduplication id, as the queues deduplicate on content.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../lambdas/contract/dead-letters.js';
import type { Target } from './target.js';

export interface DeadLetter {
  message_id: string;
  command_id: string | null;
  reason: string | null;
  failed_at: string | null;
  receive_count: string | null;
  message_group_id: string | null;
  body: string;
}

const MAX_ROUNDS = 100;

function toDeadLetter(message: Message): DeadLetter {
  const attr = (name: string) => message.MessageAttributes?.[name]?.StringValue ?? null;
  return {
    message_id: message.MessageId ?? '',
    command_id: attr(DEAD_LETTER_ATTRIBUTES.commandId),
    reason: attr(DEAD_LETTER_ATTRIBUTES.reason),
    failed_at: attr(DEAD_LETTER_ATTRIBUTES.failedAt),
    receive_count: attr(DEAD_LETTER_ATTRIBUTES.receiveCount),
    message_group_id: message.Attributes?.MessageGroupId ?? null,
    body: message.Body ?? '',
  };
}

async function receive(sqs: SQSClient, queueUrl: string, visibility: number): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: visibility,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
    }),
  );
  return out.Messages ?? [];
}

/** How many messages the DLQ holds (approximate, as SQS counts). */
export async function countDeadLetters(sqs: SQSClient, target: Target): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.deadLetterQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Peeks at the DLQ without removing anything: messages are received, then made visible again at
 * once. A FIFO queue only shows the oldest message of each message group while that one is
 * received, so later failures of the same group appear once the earlier ones are redriven.
 */
export async function listDeadLetters(sqs: SQSClient, target: Target): Promise<DeadLetter[]> {
  const seen: Message[] = [];
  try {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const batch = await receive(sqs, target.deadLetterQueueUrl, 30);
      if (!batch.length) break;
      seen.push(...batch);
    }
  } finally {
    await Promise.all(
      seen.map((message) =>
        sqs
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: target.deadLetterQueueUrl,
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            }),
          )
          .catch(() => {}),
      ),
    ); // at worst a message stays hidden for 30 s
  }
  return seen.map(toDeadLetter);
}

const copyAttributes = (attributes: Record<string, MessageAttributeValue> | undefined) =>
  Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
      },
    ]),
  );

function withCommandId(attributes: Record<string, MessageAttributeValue> | undefined, commandId: string | undefined) {
  if (!commandId || attributes?.[DEAD_LETTER_ATTRIBUTES.commandId]) return attributes;
  return { ...attributes, [DEAD_LETTER_ATTRIBUTES.commandId]: { DataType: 'String', StringValue: commandId } };
}

/**
 * Moves every message on the DLQ back to the command queue, in order within each group: each
 * one is sent to the command queue first and deleted from the DLQ only after that succeeded.
 */
export async function redriveDeadLetters(sqs: SQSClient, target: Target): Promise<DeadLetter[]> {
  const moved: DeadLetter[] = [];
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const batch = await receive(sqs, target.deadLetterQueueUrl, 60);
    if (!batch.length) break;
    for (const message of batch) {
      const letter = toDeadLetter(message);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: target.commandQueueUrl,
          MessageBody: letter.body,
          MessageGroupId: letter.message_group_id ?? letter.command_id ?? 'redrive',
          MessageDeduplicationId: `redrive-${letter.message_id}`.slice(0, 128),
          // The command keeps its identity: a body without command_id was known by its original
          // deduplication id, and this send needs a new one (content-based dedup would drop it).
          MessageAttributes: withCommandId(
            copyAttributes(message.MessageAttributes),
            letter.command_id ?? message.Attributes?.MessageDeduplicationId,
          ),
        }),
      );
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: target.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      moved.push(letter);
    }
  }
  return moved;
}
