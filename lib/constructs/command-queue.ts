import { type Duration, Names, Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS } from '../defaults.js';

export interface CommandQueueProps {
  /**
   * How long a received command stays invisible to other consumers. Keep it at least 6x the
   * sender's timeout (the sender construct refuses less).
   * @default DEFAULTS.commandQueue.visibilityTimeout (COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds, 180 seconds)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before SQS itself moves a command to the dead-letter queue. Only a safety net: the
   * sender moves failed commands there itself, and a command waiting for its line is received often.
   * @default DEFAULTS.commandQueue.maxReceiveCount (COMMAND_QUEUE_SETTINGS.maxReceiveCount, 1,000)
   */
  readonly maxReceiveCount?: number;
  /**
   * How long an unconsumed command is kept (a command waiting for a busy line stays on the queue).
   * @default DEFAULTS.commandQueue.retentionPeriod (14 days, SQS's maximum)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long a dead-lettered command is kept for inspection and redrive.
   * @default DEFAULTS.commandQueue.deadLetterRetentionPeriod (14 days, SQS's maximum)
   */
  readonly deadLetterRetentionPeriod?: Duration;
}

/**
 * The SQS FIFO queue producers push commands onto, and its FIFO dead-letter queue.
 *
 * - Both queues: FIFO with content-based deduplication (the sender can put a failed command on the
 *   DLQ without inventing a deduplication id), SQS-managed server-side encryption (SSE-SQS: no KMS
 *   key, so neither producers nor the sender need a KMS grant), and a queue policy that denies every
 *   request not made over TLS (`aws:SecureTransport`).
 * - The DLQ only accepts dead letters from this command queue (redrive allow policy `byQueue`).
 *   That policy names the command queue by ARN, and the command queue's redrive policy names the
 *   DLQ: to avoid a reference cycle the command queue has a deterministic name derived from its
 *   construct path (stack name included, e.g. `SendblueGroups-CommandQueue-1a2b3c4d.fifo`).
 * - The DLQ's alarm is in the Operations construct (lib/constructs/operations.ts), with the others.
 */
export class CommandQueue extends Construct {
  /** The FIFO command queue (producers set `MessageGroupId`; the sender consumes it). */
  readonly queue: Queue;
  /** The FIFO dead-letter queue: commands that failed for good, or exceeded `maxReceiveCount` receives. */
  readonly deadLetterQueue: Queue;
  /** Receives before SQS moves a command to `deadLetterQueue`. */
  readonly maxReceiveCount: number;
  /** The command queue's visibility timeout (the sender checks it against its own timeout). */
  readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: CommandQueueProps = {}) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? DEFAULTS.commandQueue.maxReceiveCount;
    this.visibilityTimeout = props.visibilityTimeout ?? DEFAULTS.commandQueue.visibilityTimeout;

    // Known before the queue exists, so the DLQ's redrive allow policy can name it without a cycle.
    // 75 characters + '.fifo' = SQS's 80-character limit, whatever the stack name.
    const queueName = `${Names.uniqueResourceName(this, { maxLength: 75, separator: '-' })}.fifo`;
    const queueArn = Stack.of(this).formatArn({ service: 'sqs', resource: queueName });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true,
      contentBasedDeduplication: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetentionPeriod ?? DEFAULTS.commandQueue.deadLetterRetentionPeriod,
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [Queue.fromQueueAttributes(this, 'SourceQueueRef', { queueArn, fifo: true })],
      },
    });

    this.queue = new Queue(this, 'Queue', {
      queueName,
      fifo: true,
      contentBasedDeduplication: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? DEFAULTS.commandQueue.retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }
}
