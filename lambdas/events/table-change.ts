import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { TABLE_SCHEMA } from '../contract/table-schema.js';

/**
 * One change of the table as its stream reports it, in plain values: what the events and media
 * Lambdas decide on (domain-events.ts, media-rules.ts) without any AWS type. The sandbox's stream
 * poller builds the same Lambda records, so both read changes through this one function.
 */
export interface TableChange {
  /** The stream record's id: unique per change, the same on every redelivery of it. */
  eventId: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
  /** The item after the change (absent for REMOVE). */
  newImage?: Record<string, unknown>;
  /** The item before the change (absent for INSERT). */
  oldImage?: Record<string, unknown>;
  /**
   * When DynamoDB wrote the stream record (ISO): whole seconds at best, and DynamoDB Local rounds
   * it down to the minute. Only a fallback for an event's time (event-time.ts reads the item's).
   */
  at?: string;
  /** Position in its shard: what a batch item failure names. */
  sequenceNumber: string;
}

// Lambda's records carry DynamoDB JSON: the same shape as the SDK's AttributeValue (binary
// values as base64 text, which this table never stores).
const plain = (image: unknown): Record<string, unknown> | undefined =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

/** Throws on a record that is not a table change (no keys, no sequence number). */
export function tableChangeOf(record: DynamoDBRecord): TableChange {
  const data = record.dynamodb;
  const keys = plain(data?.Keys) ?? {};
  const pk = keys[TABLE_SCHEMA.partitionKey];
  const sk = keys[TABLE_SCHEMA.sortKey];
  const kind = record.eventName;
  if (typeof pk !== 'string' || typeof sk !== 'string' || !data?.SequenceNumber || !kind) {
    throw new Error('stream record without the table keys, a sequence number or an event name');
  }
  const seconds = data.ApproximateCreationDateTime;
  return {
    eventId: record.eventID ?? data.SequenceNumber,
    kind,
    pk,
    sk,
    newImage: plain(data.NewImage),
    oldImage: plain(data.OldImage),
    at: typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined,
    sequenceNumber: data.SequenceNumber,
  };
}
