import { Validations, type Duration } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping, FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FilterPattern } from '../../lambdas/events/stream-filters.js';
import { DEFAULTS } from '../defaults.js';
import type { HandlerName } from '../paths.js';
import { NodeFunction } from './node-function.js';
import type { SendblueGroupsTable } from './table.js';

export interface StreamConsumerProps {
  /** The table whose change stream is read (it must have one). */
  readonly table: SendblueGroupsTable;
  /** The handler in lambdas/handlers/. */
  readonly handler: HandlerName;
  readonly description: string;
  /** Records per invocation. */
  readonly batchSize: number;
  /** Retries of a failing batch before it goes to the failure queue. */
  readonly retryAttempts: number;
  /** Only records matching one of these reach the function (lambdas/events/stream-filters.ts). */
  readonly filters: readonly FilterPattern[];
  /**
   * Environment variables (names from lambdas/contract/env.ts).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * @default DEFAULTS.lambda.memorySize (256)
   */
  readonly memorySize?: number;
  /**
   * @default DEFAULTS.lambda.timeout (10 seconds)
   */
  readonly timeout?: Duration;
  /**
   * A change older than this is not retried any more but goes to the failure queue.
   * @default DEFAULTS.streamMaxRecordAge (one day, the stream's own retention)
   */
  readonly maxRecordAge?: Duration;
  /**
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * A Lambda on the table's change stream, as Lambda's event source mapping for DynamoDB Streams
 * runs it: from the oldest record (TRIM_HORIZON, so nothing written while the stack deploys is
 * missed), one batch per shard at a time (order kept), `reportBatchItemFailures` (a retry starts
 * at the failed record), bisect on error, a retry limit and a maximum record age; a batch given up
 * is described (shard and sequence numbers, not the records) on an SQS failure queue that is
 * encrypted (SSE-SQS) and TLS-only. Its role may read the table's stream and send to that queue,
 * nothing else; add what the handler calls with `addToRolePolicy`.
 */
export class StreamConsumer extends Construct {
  readonly function: NodeFunction;
  readonly mapping: EventSourceMapping;
  /** Where Lambda describes batches it gave up (on-failure destination). */
  readonly failureQueue: Queue;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error(`${this.node.path}: the table has no stream (SendblueGroupsTable's stream is off)`);

    this.function = new NodeFunction(this, 'Function', {
      code: props.handler,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      environment: props.environment,
    });

    this.failureQueue = new Queue(this, 'FailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEFAULTS.streamFailureRetention,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the stream mapping: it holds descriptions of batches ' +
        'Lambda gave up (shard and sequence numbers). Nothing consumes it automatically, so there is nothing to dead-letter.',
    });

    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadTableStream',
        effect: Effect.ALLOW,
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        // Lambda checks it when it creates the mapping. ListStreams has no resource-level permission.
        sid: 'ListTableStreams',
        effect: Effect.ALLOW,
        actions: ['dynamodb:ListStreams'],
        resources: ['*'],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReportGivenUpBatches',
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [this.failureQueue.queueArn],
      }),
    );
    Validations.of(this.function.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams supports no resource-level permission (it lists stream ARNs, never data); Lambda needs it ' +
        "to create the event source mapping. Reading records is allowed on this table's stream ARN only.",
    });

    const queueArn = this.failureQueue.queueArn;
    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: this.function.function,
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize,
      parallelizationFactor: 1,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts,
      maxRecordAge: props.maxRecordAge ?? DEFAULTS.streamMaxRecordAge,
      // The send right is the explicit statement above, not a grant of more (GetQueueAttributes, GetQueueUrl).
      onFailure: { bind: () => ({ destination: queueArn }) },
      filters: props.filters.map((pattern) => FilterCriteria.filter(pattern as Record<string, unknown>)),
    });
  }

  /** Adds an explicit statement to the function's own role. */
  addToRolePolicy(statement: PolicyStatement): void {
    this.function.addToRolePolicy(statement);
  }
}
