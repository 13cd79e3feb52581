import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/**
 * What the sender does to the queue besides what the event source does (deleting successes):
 * delay a retry by changing a message's visibility, and put a command that will never succeed
 * on the DLQ itself, with the reason as message attributes.
 */
export interface CommandQueueAdapter {
  retryLater(receiptHandle: string, delaySeconds: number): Promise<void>;
  moveToDeadLetter(record: SQSRecord, failure: { commandId: string; reason: string }): Promise<void>;
}

/** Message attributes the sender puts on what it moves to the DLQ (the CLI's `dlq` lists them). */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'failure_reason',
  commandId: 'command_id',
  failedAt: 'failed_at',
  receiveCount: 'receive_count',
} as const;

/** A record that still carries a failure reason came back from the DLQ on purpose (a redrive). */
export const isRedrive = (record: SQSRecord): boolean =>
  record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason] !== undefined;

const MAX_ATTRIBUTE_CHARS = 1_000;

/** A command to put on the DLQ, with what `cli dlq` shows and a redrive keeps. */
export interface DeadLetter {
  body: string;
  commandId: string;
  reason: string;
  messageGroupId: string;
  /** A second attempt to put the same letter there within 5 minutes is dropped by SQS. */
  deduplicationId: string;
  receiveCount: string;
}

/** Puts a command on the DLQ itself (no queue message at hand: the sweep of unknown commands). */
export type DeadLetterSink = (letter: DeadLetter) => Promise<void>;

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
        MessageGroupId: letter.messageGroupId,
        MessageDeduplicationId: letter.deduplicationId,
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.reason]: text(letter.reason || 'unknown reason'),
          [DEAD_LETTER_ATTRIBUTES.commandId]: text(letter.commandId),
          [DEAD_LETTER_ATTRIBUTES.failedAt]: text(now().toISOString()),
          [DEAD_LETTER_ATTRIBUTES.receiveCount]: text(letter.receiveCount),
        },
      }),
    );
  };
}

export function createSqsCommandQueue(options: {
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  now?: () => Date;
}): CommandQueueAdapter {
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
        messageGroupId: record.attributes.MessageGroupId ?? failure.commandId.slice(0, 128),
        // The SQS message id: a second attempt to move the same message within 5 minutes is dropped.
        deduplicationId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount ?? '1',
      });
    },
  };
}
