import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createCommandProcessor, type SenderDeps } from './command-processor.js';
import { runFifoBatch } from './fifo-batch.js';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * The command queue's consumer (SQS event source with reportBatchItemFailures): runs each command
 * to an outcome and reports only the records to deliver again. Never throws, so one bad command
 * never makes the whole batch run twice. The Lambda (handlers/sender.ts) and the sandbox run it.
 */
export function createSenderHandler(deps: SenderDeps): SqsBatchHandler {
  const processRecord = createCommandProcessor(deps);
  return async (event) => {
    const failed = await runFifoBatch(event.Records ?? [], processRecord, deps.queue.retryLater, deps.logger);
    deps.metrics?.flush(); // one metric line per line per batch, not one per record
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
