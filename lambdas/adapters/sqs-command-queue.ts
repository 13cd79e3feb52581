import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../contract/dead-letters.js';
import type { CommandQueue, DeadLetterSink } from '../sending/ports.js';

const MAX_ATTRIBUTE_CHARS = 1_000;

/**
 * Puts a command on the DLQ with its reason as message attributes (DEAD_LETTER_ATTRIBUTES). Each
 * letter is a message group of its own (its deduplication id), so a letter left on the DLQ never
 * hides a later one of the same conversation from `cli dlq` or a selective redrive; the command's
 * own group goes in an attribute, where the redrive reads it.
 */
export function createDeadLetterSink(options: {
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  now?: () => Date;
}): DeadLetterSink {
  const now = options.now ?? (() => new Date());
  const text = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, MAX_ATTRIBUTE_CHARS) });
  return async (letter) => {
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.deadLetterQueueUrl,
        MessageBody: letter.body,
        MessageGroupId: letter.deduplicationId,
        MessageDeduplicationId: letter.deduplicationId,
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.reason]: text(letter.reason || 'unknown reason'),
          [DEAD_LETTER_ATTRIBUTES.kind]: text(letter.kind),
          [DEAD_LETTER_ATTRIBUTES.commandId]: text(letter.commandId),
          [DEAD_LETTER_ATTRIBUTES.groupId]: text(letter.messageGroupId),
          [DEAD_LETTER_ATTRIBUTES.failedAt]: text(now().toISOString()),
          [DEAD_LETTER_ATTRIBUTES.receiveCount]: text(letter.receiveCount),
        },
      }),
    );
  };
}

/** The sender's queue: a delayed retry changes the message's visibility; a failure goes to the DLQ. */
export function createSqsCommandQueue(options: {
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  now?: () => Date;
}): CommandQueue {
  const { sqs } = options;
  const deadLetter = createDeadLetterSink(options);
  return {
    async retryLater(receiptHandle, delaySeconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(delaySeconds))),
        }),
      );
    },

    async moveToDeadLetter(record, failure) {
      await deadLetter({
        body: record.body,
        commandId: failure.commandId,
        reason: failure.reason,
        kind: failure.kind,
        // A redriven command keeps the group it came from in an attribute (an SQS-side redrive of a
        // letter gives it the letter's own group).
        messageGroupId:
          record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.groupId]?.stringValue ??
          record.attributes.MessageGroupId ??
          failure.commandId.slice(0, 128),
        // The SQS message id: a second attempt to move the same message within 5 minutes is dropped.
        deduplicationId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount ?? '1',
      });
    },
  };
}
