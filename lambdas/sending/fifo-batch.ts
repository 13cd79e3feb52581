import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../platform/logger.js';

export type RecordResult = { done: true } | { done: false; retryAfterSeconds: number };

/**
 * Runs a FIFO batch the way order requires: the records of one message group one after another,
 * different groups side by side. When a record must be retried, the later records of its group in
 * this batch are not run (they would overtake it) and come back with it; other groups go on.
 * Returns the message ids to report as batch item failures, in batch order.
 */
export async function runFifoBatch(
  records: SQSRecord[],
  processRecord: (record: SQSRecord) => Promise<RecordResult>,
  retryLater: (receiptHandle: string, delaySeconds: number) => Promise<void>,
  logger: Logger,
): Promise<string[]> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const key = record.attributes.MessageGroupId ?? `no-group:${record.messageId}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (groupRecords) => {
      for (let index = 0; index < groupRecords.length; index += 1) {
        const result = await processRecord(groupRecords[index]!);
        if (result.done) continue;
        const held = groupRecords.slice(index);
        for (const record of held) {
          failed.add(record.messageId);
          // The whole rest of the group comes back together, after the delay the failed one asked for.
          await retryLater(record.receiptHandle, result.retryAfterSeconds).catch((error: unknown) =>
            logger.warn('could not delay a retry; it comes back after the visibility timeout', {
              message_id: record.messageId,
              error,
            }),
          );
        }
        if (held.length > 1)
          logger.info('later commands of the group held back to keep their order', { held: held.length - 1 });
        return;
      }
    }),
  );
  return records.filter((record) => failed.has(record.messageId)).map((record) => record.messageId);
}
