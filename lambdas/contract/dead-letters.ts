import type { SQSRecord } from 'aws-lambda';

/**
 * Message attributes the sender puts on a command it moves to the DLQ (the CLI's `dlq` and the
 * client list them; a redrive keeps them, which is how the sender knows a redrive).
 */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'failure_reason',
  commandId: 'command_id',
  failedAt: 'failed_at',
  receiveCount: 'receive_count',
} as const;

/** A record that still carries a failure reason came back from the DLQ on purpose (a redrive). */
export const isRedrive = (record: Pick<SQSRecord, 'messageAttributes'>): boolean =>
  record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason] !== undefined;
