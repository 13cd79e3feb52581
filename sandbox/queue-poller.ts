/**
 * Feeds an SQS batch handler the way Lambda's SQS event source mapping (with
 * ReportBatchItemFailures) does for a FIFO queue, for the sandbox's single "Lambda instance":
 *
 * - ReceiveMessage with all system and message attributes, up to `batchSize` messages;
 * - the handler gets Lambda's SQSEvent; `concurrency` batches at a time (like concurrent invocations;
 *   FIFO groups stay exclusive because the queue hides a group while one of its messages is in flight);
 * - afterwards every record NOT named in `batchItemFailures` is deleted; failed ones are left
 *   alone, so they come back when their visibility ends (the queue's timeout, or whatever the
 *   handler set with ChangeMessageVisibility) and SQS moves them to the DLQ after maxReceiveCount;
 * - a handler that throws, or a response Lambda would reject (an empty itemIdentifier, one that is
 *   not a messageId of the batch), fails the whole batch: nothing is deleted.
 *
 * Receive and delete errors are logged and retried after a short pause; the loop never rejects.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { COMMAND_QUEUE_SETTINGS } from '../lambdas/contract/command-queue-settings.js';
import { silentLogger, type Logger } from '../lambdas/platform/logger.js';
import { SANDBOX_REGION } from './config.js';
import { readBatchResponse, regionOfArn, toLambdaSqsRecord } from './lambda-sqs-event.js';
import { createPollLoop } from './poll-loop.js';

// biome-ignore lint/suspicious/noConfusingVoidType: the shape of Lambda's handler type, which may return nothing
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface BatchInfo {
  received: number;
  /** Records left on the queue: those in batchItemFailures, or all of them when the batch failed. */
  failed: number;
  /** Why the whole batch failed: what the handler threw, or an Error describing its invalid response. */
  error?: unknown;
}

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** The records' awsRegion. @default the region in queueArn, else SANDBOX_REGION */
  region?: string;
  handler: SqsBatchHandler;
  /** 1 to 10 (Lambda's maximum for FIFO queues). @default COMMAND_QUEUE_SETTINGS.batchSize */
  batchSize?: number;
  /** Long-poll wait per receive, 0 to 20 s; short so that stop() is prompt. @default 1 */
  waitTimeSeconds?: number;
  logger?: Logger;
  /** Called after each batch (its delete included). */
  onBatch?: (info: BatchInfo) => void;
  /** Pause before retrying a failed receive or delete, ms. @default 500 */
  retryPauseMs?: number;
  /** Batches run side by side (Lambda's concurrent invocations), 1 to 10. @default 1 */
  concurrency?: number;
}

export interface QueuePoller {
  /** Starts polling (a no-op while already polling). */
  start(): void;
  /** Stops polling; resolves once the receive in progress and the running batch have finished. */
  stop(): Promise<void>;
  /**
   * Resolves once a receive issued after this call came back empty (no visible message; messages
   * in flight or waiting for their visibility to end do not count) while no batch was running.
   * Polling goes on. Rejects if the poller is stopped first.
   */
  drained(): Promise<void>;
}

const DELETE_ATTEMPTS = 3;

export function createQueuePoller(options: QueuePollerOptions): QueuePoller {
  const {
    sqs,
    queueUrl,
    queueArn,
    handler,
    batchSize = COMMAND_QUEUE_SETTINGS.batchSize,
    waitTimeSeconds = 1,
    logger = silentLogger,
    onBatch,
    retryPauseMs = 500,
    concurrency = 1,
  } = options;
  const region = options.region ?? regionOfArn(queueArn) ?? SANDBOX_REGION;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new Error(`batchSize must be an integer from 1 to 10 (got ${batchSize})`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) {
    throw new Error(`concurrency must be an integer from 1 to 10 (got ${concurrency})`);
  }
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) {
    throw new Error(`waitTimeSeconds must be an integer from 0 to 20 (got ${waitTimeSeconds})`);
  }

  async function receive(waitSeconds: number): Promise<Message[] | undefined> {
    try {
      const response = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          AttributeNames: ['All'], // the pre-2024 name, for emulators that only know it
          MessageAttributeNames: ['All'],
        }),
      );
      return response.Messages ?? [];
    } catch (error) {
      logger.error('sqs poller: receive failed, retrying', { queueUrl, error, retryInMs: retryPauseMs });
      return undefined;
    }
  }

  async function runBatch(messages: Message[]): Promise<void> {
    const records = messages.map((message) => toLambdaSqsRecord(message, queueArn, region));
    const ids = new Set(records.map((record) => record.messageId));
    let failedIds: ReadonlySet<string> = ids;
    let error: unknown;
    try {
      const outcome = readBatchResponse(await Promise.resolve().then(() => handler({ Records: records })), ids);
      if (outcome.kind === 'ok') failedIds = outcome.failedIds;
      else error = new Error(`Invalid batch response: ${outcome.reason}; the whole batch failed`);
    } catch (thrown) {
      error = thrown;
    }
    if (error !== undefined) {
      logger.warn('sqs poller: batch failed, nothing deleted', { received: records.length, error });
    } else if (failedIds.size > 0) {
      logger.info('sqs poller: partial batch failure', { received: records.length, failed: [...failedIds] });
    } else {
      logger.debug('sqs poller: batch succeeded', { received: records.length });
    }

    const toDelete = records.filter((record) => !failedIds.has(record.messageId));
    if (toDelete.length > 0)
      await deleteRecords(toDelete.map((r) => ({ id: r.messageId, receiptHandle: r.receiptHandle })));

    try {
      onBatch?.({ received: records.length, failed: failedIds.size, ...(error !== undefined ? { error } : {}) });
    } catch (callbackError) {
      logger.error('sqs poller: onBatch threw', { error: callbackError });
    }
  }

  async function deleteRecords(entries: Array<{ id: string; receiptHandle: string }>): Promise<void> {
    // Batch entry ids may only hold [A-Za-z0-9_-]: use the position, report by messageId.
    let pending = entries.map((entry, index) => ({
      Id: String(index),
      ReceiptHandle: entry.receiptHandle,
      messageId: entry.id,
    }));
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      try {
        const { Failed = [] } = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map(({ Id, ReceiptHandle }) => ({ Id, ReceiptHandle })),
          }),
        );
        // A sender fault (say, a receipt handle whose visibility is over) cannot succeed on retry.
        const refused = Failed.filter((failure) => failure.SenderFault);
        if (refused.length > 0) {
          const refusedIds = new Set(refused.map((failure) => failure.Id));
          logger.error('sqs poller: delete refused; these messages will be delivered again', {
            messageIds: pending.filter((entry) => refusedIds.has(entry.Id)).map((entry) => entry.messageId),
            reasons: refused.map((failure) => failure.Code),
          });
        }
        const retryIds = new Set(Failed.filter((failure) => !failure.SenderFault).map((failure) => failure.Id));
        pending = pending.filter((entry) => retryIds.has(entry.Id));
      } catch (thrown) {
        error = thrown;
      }
      if (pending.length === 0) return;
      const messageIds = pending.map((entry) => entry.messageId);
      if (attempt >= DELETE_ATTEMPTS) {
        logger.error('sqs poller: delete failed; these messages will be delivered again', { messageIds, error });
        return;
      }
      logger.error('sqs poller: delete failed, retrying', { messageIds, error, retryInMs: retryPauseMs });
      // Not cut short by stop(): the batch is still running, and stop() waits for it.
      await new Promise((resolve) => setTimeout(resolve, retryPauseMs));
    }
  }

  /**
   * One receiver (like the event source's poller) hands batches to up to `concurrency` runners
   * (like invocations); receives never overlap, so "came back empty while no batch ran" is exact.
   */
  const inFlight = new Set<Promise<void>>();
  const loop = createPollLoop({
    name: 'sqs poller',
    logger,
    async poll(someoneWaits) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        return { idle: false };
      }
      // Someone waits for "empty": ask without long polling, so that the answer comes at once.
      const messages = await receive(someoneWaits ? 0 : waitTimeSeconds);
      if (messages === undefined) return { idle: false, pauseMs: retryPauseMs };
      if (messages.length === 0) {
        if (inFlight.size === 0) return { idle: true };
        // Empty, but a running batch may still give records back: look again soon.
        if (someoneWaits) await Promise.race([loop.pause(50), ...inFlight]);
        return { idle: false };
      }
      // A batch received while stop() was being requested still runs: the messages are in
      // flight already, and stop() waits for it like for any running batch.
      const batch: Promise<void> = runBatch(messages).finally(() => inFlight.delete(batch));
      inFlight.add(batch);
      return { idle: false };
    },
    drain: async () => void (await Promise.all(inFlight)),
  });

  return {
    start: loop.start,
    stop: loop.stop,
    drained() {
      if (loop.stopRequested && !loop.running) return Promise.reject(new Error('The queue poller is stopped'));
      return loop.idle('The queue poller stopped before the queue was drained');
    },
  };
}
