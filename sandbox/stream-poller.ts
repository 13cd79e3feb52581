/**
 * Feeds a DynamoDB stream handler the way Lambda's event source mapping for DynamoDB Streams
 * (ReportBatchItemFailures, bisect on error, a retry limit, an on-failure destination) does, from
 * DynamoDB Local's stream, for the sandbox's single "Lambda instance" per handler:
 *
 * - every shard is read from its start (TRIM_HORIZON), in order; a child shard after its parent;
 * - records that match none of the mapping's filter patterns are skipped, as Lambda does;
 * - the handler gets Lambda's DynamoDBStreamEvent, up to `batchSize` records of one shard;
 * - `batchItemFailures` naming a record: the records before it are done, the batch is retried
 *   from it; a handler that throws (or answers what Lambda would reject) fails the whole batch,
 *   which is then halved (bisect, which does not count as a retry) until it is one record;
 * - after `retryAttempts` retries the batch is given up: described to `onFailure` (Lambda's
 *   on-failure destination receives the same: shard, first and last sequence number) and skipped,
 *   so one bad record never blocks its shard for good.
 *
 * Read errors are logged and retried after a short pause; the loop never rejects.
 */
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { silentLogger, type Logger } from '../lambdas/platform/logger.js';
import { matchesFilters, type FilterPattern } from '../lambdas/events/stream-filters.js';
import { SANDBOX_REGION } from './config.js';
import { createPollLoop } from './poll-loop.js';

// biome-ignore lint/suspicious/noConfusingVoidType: the shape of Lambda's handler type, which may return nothing
export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

/** What Lambda's on-failure destination is told about a batch it gave up (the records stay in the stream). */
export interface StreamBatchFailure {
  consumer: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  attempts: number;
  reason: string;
  at: string;
}

export interface StreamPollerOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  handler: StreamBatchHandler;
  /** Names the consumer in logs and failures (`events`, `media`). */
  name: string;
  /** @default 100 */
  batchSize?: number;
  /** The mapping's filter patterns (stream-filters.ts): other records never reach the handler. @default every record */
  filters?: readonly FilterPattern[];
  /** Retries of a failing batch before it is given up. @default 3 */
  retryAttempts?: number;
  /** Halve a batch whose handler threw. @default true */
  bisectOnError?: boolean;
  /** Pause between reads of a shard with nothing new, ms (Lambda polls 4 times a second). @default 250 */
  pollIntervalMs?: number;
  /** Pause before a retry, ms; grows 2x per retry up to 2 s. @default 100 */
  retryDelayMs?: number;
  logger?: Logger;
  /** The on-failure destination's stand-in. Failures are also kept in `failures`. */
  onFailure?: (failure: StreamBatchFailure) => void;
}

export interface StreamPoller {
  start(): void;
  /** Stops reading; resolves once the running batch has finished. */
  stop(): Promise<void>;
  /**
   * Resolves once every change written before this call has been handled (or given up): a full
   * pass over the shards, begun after the call, found nothing new. Rejects if the poller stops first.
   */
  caughtUp(): Promise<void>;
  /** Batches given up so far. */
  readonly failures: StreamBatchFailure[];
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  /** The last record handled (or given up): where a fresh iterator resumes. */
  lastSequenceNumber?: string;
  /** Read, not yet handled. */
  buffer: StreamRecord[];
  /** The shard has no more records to read (its iterator ran out). */
  closed: boolean;
}

const SHARD_REFRESH_MS = 5_000;

export function createStreamPoller(options: StreamPollerOptions): StreamPoller {
  const {
    streams,
    streamArn,
    handler,
    name,
    batchSize = 100,
    retryAttempts = 3,
    bisectOnError = true,
    pollIntervalMs = 250,
    retryDelayMs = 100,
    logger = silentLogger,
  } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000)
    throw new Error(`batchSize must be 1 to 1000 (got ${batchSize})`);
  const shards = new Map<string, ShardState>();
  const failures: StreamBatchFailure[] = [];
  let lastRefresh = 0;
  const loop = createPollLoop({
    name: `stream poller (${name})`,
    logger,
    async poll() {
      let seen: number | undefined;
      try {
        seen = await pass();
      } catch (error) {
        logger.error(`stream poller (${name}): reading the stream failed, retrying`, { error });
      }
      // Quiet (or failing): look again after the poll interval; busy: at once.
      return { idle: seen === 0, pauseMs: seen ? 0 : pollIntervalMs };
    },
  });

  async function refreshShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const out = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of out.StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !shards.has(shard.ShardId)) {
          shards.set(shard.ShardId, { id: shard.ShardId, parentId: shard.ParentShardId, buffer: [], closed: false });
        }
      }
      exclusiveStartShardId = out.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    lastRefresh = Date.now();
  }

  /** A child shard waits until its parent (when we know it) is read to the end. */
  const ready = (shard: ShardState) => {
    const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
    return !parent || (parent.closed && parent.buffer.length === 0);
  };

  async function read(shard: ShardState): Promise<number> {
    if (!shard.iterator) {
      const out = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.id,
          ...(shard.lastSequenceNumber
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequenceNumber }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      shard.iterator = out.ShardIterator;
      if (!shard.iterator) {
        shard.closed = true;
        return 0;
      }
    }
    try {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
      const wanted = (record: StreamRecord) =>
        !options.filters || matchesFilters(options.filters, toLambdaRecord(record, streamArn));
      shard.buffer.push(...(out.Records ?? []).filter(wanted));
      shard.iterator = out.NextShardIterator;
      if (!shard.iterator) shard.closed = true;
      return out.Records?.length ?? 0;
    } catch (error) {
      // An iterator that expired (15 minutes) or points at trimmed records: take a fresh one.
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        shard.iterator = undefined;
        if (error instanceof TrimmedDataAccessException) shard.lastSequenceNumber = undefined;
        return 0;
      }
      throw error;
    }
  }

  /** Hands the shard's buffered records to the handler, batch by batch, with Lambda's retry rules. */
  async function handleBuffered(shard: ShardState): Promise<void> {
    let size = Math.min(batchSize, shard.buffer.length);
    let attempts = 0;
    while (shard.buffer.length && !loop.stopRequested) {
      const batch = shard.buffer.slice(0, size);
      const outcome = await invoke(batch);
      let handled = outcome.handled;
      if (handled === batch.length) {
        attempts = 0;
      } else if (outcome.wholeBatch && bisectOnError && batch.length > 1) {
        // Lambda splits a failing batch in two; splitting does not use up the retry quota.
        size = Math.ceil(batch.length / 2);
      } else {
        attempts += 1;
        if (attempts > retryAttempts) {
          giveUp(shard, batch.slice(handled), attempts, outcome.reason);
          handled = batch.length;
          attempts = 0;
        } else {
          logger.warn(`stream poller (${name}): batch failed, retrying`, {
            attempt: attempts,
            records: batch.length - handled,
            reason: outcome.reason,
          });
        }
      }
      if (handled > 0) {
        shard.lastSequenceNumber = batch[handled - 1]!.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
        shard.buffer.splice(0, handled);
        if (attempts === 0) size = Math.min(batchSize, shard.buffer.length);
        else size = Math.min(size, shard.buffer.length);
      }
      if (attempts > 0) await loop.pause(Math.min(2_000, retryDelayMs * 2 ** (attempts - 1)));
    }
  }

  async function invoke(batch: StreamRecord[]): Promise<{ handled: number; wholeBatch: boolean; reason: string }> {
    const records = batch.map((record) => toLambdaRecord(record, streamArn));
    const sequence = records.map((record) => record.dynamodb!.SequenceNumber!);
    // biome-ignore lint/suspicious/noConfusingVoidType: the shape of Lambda's handler type, which may return nothing
    let response: DynamoDBBatchResponse | void;
    try {
      response = await handler({ Records: records });
    } catch (error) {
      return {
        handled: 0,
        wholeBatch: true,
        reason: `the handler threw: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const failed = response?.batchItemFailures ?? [];
    if (!failed.length) return { handled: batch.length, wholeBatch: false, reason: '' };
    // Lambda resumes from the earliest record named; one it does not know fails the whole batch.
    const positions = failed.map((failure) => sequence.indexOf(String(failure.itemIdentifier ?? '')));
    if (positions.some((position) => position < 0)) {
      return { handled: 0, wholeBatch: true, reason: 'batchItemFailures named a record that is not in the batch' };
    }
    return { handled: Math.min(...positions), wholeBatch: false, reason: 'batchItemFailures' };
  }

  function giveUp(shard: ShardState, records: StreamRecord[], attempts: number, reason: string): void {
    const failure: StreamBatchFailure = {
      consumer: name,
      shardId: shard.id,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: records[records.length - 1]?.dynamodb?.SequenceNumber ?? '',
      batchSize: records.length,
      attempts,
      reason,
      at: new Date().toISOString(),
    };
    failures.push(failure);
    logger.error(`stream poller (${name}): batch given up after its retries (on-failure destination)`, { ...failure });
    try {
      options.onFailure?.(failure);
    } catch (error) {
      logger.error(`stream poller (${name}): onFailure threw`, { error });
    }
  }

  async function pass(): Promise<number> {
    if (Date.now() - lastRefresh > SHARD_REFRESH_MS || [...shards.values()].every((shard) => shard.closed))
      await refreshShards();
    let seen = 0;
    for (const shard of shards.values()) {
      if (loop.stopRequested) break;
      if (!ready(shard) || (shard.closed && !shard.buffer.length)) continue;
      if (!shard.buffer.length) seen += await read(shard);
      else seen += shard.buffer.length;
      await handleBuffered(shard);
    }
    return seen;
  }

  return {
    failures,
    start: loop.start,
    stop: loop.stop,
    caughtUp() {
      if (!loop.running) return Promise.reject(new Error(`The stream poller (${name}) is not running`));
      return loop.idle(`The stream poller (${name}) stopped before it caught up`);
    },
  };
}

/** Lambda's shape of a stream record: epoch seconds for the time, base64 for binary values. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const image = (value?: Record<string, AttributeValue>) => (value ? (lambdaAttributes(value) as never) : undefined);
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: SANDBOX_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created ? Math.floor(new Date(created).getTime() / 1000) : undefined,
      Keys: image(data.Keys),
      NewImage: image(data.NewImage),
      OldImage: image(data.OldImage),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
}

function lambdaAttributes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(lambdaAttributes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, lambdaAttributes(item)]),
    );
  }
  return value;
}
