/**
 * SQS messages as Lambda's SQS event source mapping hands them to a function: the record shape
 * (camelCase keys, system attributes as strings, message attributes with empty list values and
 * base64 binaries) and the rules by which Lambda reads a partial batch response.
 */
import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type {
  SQSBatchResponse,
  SQSMessageAttribute,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

/** The region of an ARN (`arn:aws:sqs:<region>:<account>:<name>`), if it has one. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}

export function toLambdaSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const body = message.Body ?? '';
  const system = message.Attributes ?? {};
  const now = String(Date.now());
  // SQS always returns these four when asked for "All"; the fallbacks only keep the record well
  // typed for an emulator that omits one (a received message was received at least once).
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? now,
    SenderId: system.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? now,
  };
  // The optional ones (FIFO's SequenceNumber, MessageGroupId, MessageDeduplicationId, and
  // AWSTraceHeader, DeadLetterQueueSourceArn) appear only when SQS sent them, as in Lambda.
  for (const [name, value] of Object.entries(system)) {
    if (typeof value === 'string') (attributes as unknown as Record<string, string>)[name] = value;
  }

  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = toLambdaMessageAttribute(value);
  }

  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes,
    messageAttributes,
    // Lambda sends it (as null when the message has no attributes; the aws-lambda type has no null).
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function toLambdaMessageAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  // Lambda's shape: the value that is set, both (always empty) list values, then dataType.
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export type BatchOutcome =
  | { kind: 'ok'; failedIds: ReadonlySet<string> }
  /** Lambda treats the whole batch as failed: nothing is deleted. */
  | { kind: 'invalid'; reason: string };

/**
 * Reads a handler's return value as Lambda does with ReportBatchItemFailures: undefined/null, an
 * empty object or a null/empty `batchItemFailures` mean "all succeeded"; an itemIdentifier that
 * is missing, empty, not a string or not a messageId of this batch, or a response that is not a
 * batch response at all, fails the whole batch.
 */
export function readBatchResponse(response: unknown, messageIds: ReadonlySet<string>): BatchOutcome {
  if (response === undefined || response === null) return { kind: 'ok', failedIds: new Set() };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'invalid', reason: `the handler returned ${describe(response)}, not a batch response` };
  }
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures as unknown;
  if (failures === undefined || failures === null) return { kind: 'ok', failedIds: new Set() };
  if (!Array.isArray(failures)) {
    return { kind: 'invalid', reason: `batchItemFailures is ${describe(failures)}, not a list` };
  }
  const failedIds = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id =
      typeof failure === 'object' && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'invalid', reason: `a batchItemFailures entry has itemIdentifier ${describe(id)}` };
    }
    if (!messageIds.has(id)) {
      return {
        kind: 'invalid',
        reason: `batchItemFailures names ${JSON.stringify(id)}, which is not a messageId of this batch`,
      };
    }
    failedIds.add(id);
  }
  return { kind: 'ok', failedIds };
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (value === '') return 'an empty string';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
