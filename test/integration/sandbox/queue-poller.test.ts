/**
 * The poller that feeds a handler like Lambda's SQS event source mapping, against a real fauxqs
 * (the sandbox's emulator) with a 1 s visibility timeout and maxReceiveCount 3.
 *
 * fauxqs hands out at most one message per message group per receive (real SQS may return
 * several of one group), so a batch with several records needs several groups.
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type DeleteMessageBatchRequest,
  type ReceiveMessageRequest,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../lambdas/platform/logger.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../../sandbox/config.js';
import { findFreePort } from '../../../sandbox/ports.js';
import {
  createQueuePoller,
  type BatchInfo,
  type QueuePoller,
  type QueuePollerOptions,
} from '../../../sandbox/queue-poller.js';
import { startSqsEmulator, type RunningSqsEmulator } from '../../../sandbox/sqs-emulator.js';

const MAX_RECEIVE_COUNT = 3;

let emulator: RunningSqsEmulator;
let sqs: SQSClient;
/** Receipt handles sent in DeleteMessageBatch calls, in order. */
let deletedHandles: string[];
/** ReceiveMessage requests as sent (fauxqs returns message attributes even when not asked for). */
let receiveRequests: ReceiveMessageRequest[];
let pollers: QueuePoller[];

beforeEach(async () => {
  emulator = await startSqsEmulator({
    port: await findFreePort(),
    visibilityTimeoutSeconds: 1,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
  // maxAttempts 1: when afterEach closes the emulator under a long poll, the poller's receive
  // fails at once instead of being retried by the SDK for a second or so.
  sqs = new SQSClient({
    endpoint: emulator.endpoint,
    region: SANDBOX_REGION,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
  });
  // fauxqs ignores a delete whose receipt handle is no longer in flight (say, after the handler
  // set its visibility to 0), so "what did the poller try to delete" is watched on the wire.
  deletedHandles = [];
  receiveRequests = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteMessageBatchCommand') {
        const input = args.input as DeleteMessageBatchRequest;
        deletedHandles.push(...(input.Entries ?? []).map((entry) => entry.ReceiptHandle ?? ''));
      }
      if (context.commandName === 'ReceiveMessageCommand')
        receiveRequests.push({ ...(args.input as ReceiveMessageRequest) });
      return next(args);
    },
    { step: 'initialize', name: 'recordDeletes' },
  );
  pollers = [];
});

afterEach(async () => {
  // Stopping the emulator too ends the pollers' pending long polls at once (not after up to 1 s).
  const stopping = pollers.map((poller) => poller.stop());
  await emulator.stop();
  await Promise.all(stopping);
  sqs.destroy();
});

function poll(handler: QueuePollerOptions['handler'], options: Partial<QueuePollerOptions> = {}) {
  const batches: BatchInfo[] = [];
  const poller = createQueuePoller({
    sqs,
    queueUrl: emulator.queueUrl,
    queueArn: emulator.queueArn,
    handler,
    onBatch: (info) => batches.push(info),
    ...options,
  });
  pollers.push(poller);
  poller.start();
  return { poller, batches };
}

function send(body: string, groupId: string, attributes?: Record<string, MessageAttributeValue>) {
  return sqs.send(
    new SendMessageCommand({
      QueueUrl: emulator.queueUrl,
      MessageBody: body,
      MessageGroupId: groupId,
      MessageAttributes: attributes,
    }),
  );
}

/** Messages on the command queue: visible, and in flight or waiting for their visibility to end. */
async function queueCounts(queueUrl = emulator.queueUrl) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 6000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that records each event and answers with `respond` (default: all succeeded). */
function recordingHandler(
  // biome-ignore lint/suspicious/noConfusingVoidType: the shape of Lambda's handler type, which may return nothing
  respond: (event: SQSEvent, call: number) => Promise<SQSBatchResponse | void> | SQSBatchResponse | void = () => {},
) {
  const events: SQSEvent[] = [];
  const handler = async (event: SQSEvent) => {
    events.push(event);
    return respond(event, events.length);
  };
  return { handler, events, records: () => events.flatMap((event) => event.Records) };
}

/** [body, ApproximateReceiveCount] of every record in these events, sorted. */
const counts = (events: SQSEvent[]) =>
  events.flatMap((event) => event.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).sort();

const receiptHandles = (events: SQSEvent[]) =>
  events.flatMap((event) => event.Records.map((r) => r.receiptHandle)).sort();

/** Until both records of the first batch were delivered again (in one batch or two) and handled. */
const waitForRedelivery = (events: SQSEvent[], batches: BatchInfo[]) =>
  waitFor(
    () => counts(events.slice(1)).length >= 2 && batches.length === events.length,
    'the redelivery (after the 1 s visibility timeout)',
  );

const setVisibility = (record: SQSRecord, seconds: number) =>
  sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: emulator.queueUrl,
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );

describe('createQueuePoller', () => {
  it("hands the handler Lambda's SQS records, and deletes them when it succeeds", async () => {
    const body = JSON.stringify({ command: 'send', text: 'hello' });
    const sent = await send(body, 'group-a', {
      kind: { DataType: 'String', StringValue: 'send' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3, 250]) },
    });
    const { handler, events } = recordingHandler();
    const { poller, batches } = poll(handler);
    await poller.drained();

    expect(events).toHaveLength(1);
    expect(events[0]?.Records).toEqual([
      {
        messageId: sent.MessageId,
        receiptHandle: expect.stringMatching(/.+/),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: expect.stringMatching(/^\d{13}$/),
          SenderId: expect.stringMatching(/.+/),
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
          SequenceNumber: sent.SequenceNumber,
          MessageGroupId: 'group-a',
          // content-based deduplication: the SHA-256 of the body
          MessageDeduplicationId: createHash('sha256').update(body).digest('hex'),
        },
        messageAttributes: {
          kind: { stringValue: 'send', stringListValues: [], binaryListValues: [], dataType: 'String' },
          attempt: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
          blob: {
            binaryValue: Buffer.from([1, 2, 3, 250]).toString('base64'),
            stringListValues: [],
            binaryListValues: [],
            dataType: 'Binary',
          },
        },
        md5OfMessageAttributes: sent.MD5OfMessageAttributes,
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: emulator.queueArn,
        awsRegion: 'us-east-1',
      },
    ]);
    expect(batches).toEqual([{ received: 1, failed: 0 }]);
    expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });
    // Asked like the event source mapping asks: a batch, every system and message attribute.
    expect(receiveRequests[0]).toEqual({
      QueueUrl: emulator.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
  });

  it('receives up to batchSize messages per batch', async () => {
    for (const group of ['g1', 'g2', 'g3']) await send(`m-${group}`, group);
    const { handler, events } = recordingHandler();
    const { poller } = poll(handler, { batchSize: 2 });
    await poller.drained();
    expect(events.map((event) => event.Records.length)).toEqual([2, 1]);
    expect(() =>
      createQueuePoller({ sqs, queueUrl: emulator.queueUrl, queueArn: emulator.queueArn, handler, batchSize: 11 }),
    ).toThrow('batchSize must be an integer from 1 to 10 (got 11)');
  });

  it('on a partial failure deletes only the successes; the failed record comes back with ApproximateReceiveCount 2', async () => {
    for (const [body, group] of [
      ['ok-1', 'g1'],
      ['fail-me', 'g2'],
      ['ok-2', 'g3'],
    ] as const)
      await send(body, group);
    const { handler, events, records } = recordingHandler(async (event, call) => {
      if (call > 1) return;
      const failed = event.Records.filter((record) => record.body === 'fail-me');
      // Retry at once instead of after the queue's visibility timeout, as the sender may.
      for (const record of failed) await setVisibility(record, 0);
      return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    const { poller, batches } = poll(handler);
    await poller.drained();
    expect(records().some((r) => r.body === 'fail-me' && r.attributes.ApproximateReceiveCount === '2')).toBe(true);

    const first = events[0]?.Records ?? [];
    expect(first.map((record) => record.body).sort()).toEqual(['fail-me', 'ok-1', 'ok-2']);
    const failedFirst = first.find((record) => record.body === 'fail-me');
    const again = events[1]?.Records ?? [];
    expect(again.map((record) => [record.messageId, record.attributes.ApproximateReceiveCount])).toEqual([
      [failedFirst?.messageId, '2'],
    ]);
    // Deleted: the two successes of the first batch, then the redelivered record.
    expect(deletedHandles).toEqual([
      ...first.filter((record) => record.body !== 'fail-me').map((record) => record.receiptHandle),
      again[0]?.receiptHandle,
    ]);
    expect(events).toHaveLength(2);
    expect(batches).toEqual([
      { received: 3, failed: 1 },
      { received: 1, failed: 0 },
    ]);
    expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps FIFO order within each group over several sends, one batch at a time', async () => {
    const { handler, records } = recordingHandler();
    let active = 0;
    let maxActive = 0;
    const { poller } = poll(async (event) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(10);
      active--;
      return handler(event);
    });
    const sent: Record<string, string[]> = { a: [], b: [] };
    for (let i = 1; i <= 5; i++) {
      for (const group of i <= 3 ? ['a', 'b'] : ['a']) {
        await send(`${group}-${i}`, group);
        sent[group]?.push(`${group}-${i}`);
      }
    }
    await poller.drained();
    const bodiesOf = (group: string) =>
      records()
        .filter((record) => record.attributes.MessageGroupId === group)
        .map((record) => record.body);
    expect(bodiesOf('a')).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
    expect(bodiesOf('b')).toEqual(['b-1', 'b-2', 'b-3']);
    expect(maxActive).toBe(1);
  });

  it('redelivers the whole batch when the handler throws', async () => {
    await send('first', 'g1');
    await send('second', 'g2');
    const boom = new Error('handler crashed');
    const { handler, events } = recordingHandler((_event, call) => {
      if (call === 1) throw boom;
    });
    const { batches } = poll(handler);
    await waitForRedelivery(events, batches);

    expect(counts(events.slice(0, 1))).toEqual([
      ['first', '1'],
      ['second', '1'],
    ]);
    expect(counts(events.slice(1))).toEqual([
      ['first', '2'],
      ['second', '2'],
    ]);
    expect(batches[0]).toEqual({ received: 2, failed: 2, error: boom });
    // Nothing from the failed batch was deleted; the redelivered records were.
    expect(deletedHandles.sort()).toEqual(receiptHandles(events.slice(1)));
  });

  it.each([
    ['an empty itemIdentifier', ''],
    ['an itemIdentifier that is not a messageId of the batch', 'not-a-message-id'],
  ])('redelivers the whole batch when the response names %s', async (_what, itemIdentifier) => {
    await send('first', 'g1');
    await send('second', 'g2');
    const { handler, events } = recordingHandler((_event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier }] } : undefined,
    );
    const { batches } = poll(handler);
    await waitForRedelivery(events, batches);

    expect(counts(events.slice(0, 1))).toEqual([
      ['first', '1'],
      ['second', '1'],
    ]);
    expect(counts(events.slice(1))).toEqual([
      ['first', '2'],
      ['second', '2'],
    ]);
    expect(batches[0]).toMatchObject({ received: 2, failed: 2, error: expect.any(Error) });
    expect(String((batches[0]!.error as Error).message)).toMatch(
      /^Invalid batch response: .*itemIdentifier|not a messageId/,
    );
    expect(deletedHandles.sort()).toEqual(receiptHandles(events.slice(1)));
  });

  it('leaves a message on the DLQ after maxReceiveCount failed deliveries', async () => {
    const sent = await send('poison', 'g1');
    const { handler, records } = recordingHandler(async (event) => {
      for (const record of event.Records) await setVisibility(record, 0);
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    const { poller } = poll(handler);
    await poller.drained(); // the receive after the last failure moves it to the DLQ and comes back empty

    expect(records().map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulator.dlqUrl, MessageSystemAttributeNames: ['MessageGroupId'] }),
    );
    expect(Messages.map((m) => [m.MessageId, m.Body, m.Attributes?.MessageGroupId])).toEqual([
      [sent.MessageId, 'poison', 'g1'],
    ]);
    expect(deletedHandles).toEqual([]);
  });

  it('stop() waits for the running batch (and its delete), then polls no more', async () => {
    await send('slow', 'g1');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { handler, events } = recordingHandler(() => gate);
    const { poller } = poll(handler);
    await waitFor(() => events.length === 1, 'the handler to start');

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await sleep(200);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });

    await send('after stop', 'g1');
    await sleep(300);
    expect(events).toHaveLength(1);
    expect(await queueCounts()).toEqual({ visible: 1, inFlight: 0 });
    await expect(poller.drained()).rejects.toThrow('stopped');
  });

  it('drained() resolves only once what was sent before it has been handled', async () => {
    const { handler, records } = recordingHandler(async () => {
      await sleep(20);
    });
    const poller = createQueuePoller({ sqs, queueUrl: emulator.queueUrl, queueArn: emulator.queueArn, handler });
    pollers.push(poller);
    const emptyAtStart = poller.drained(); // asked before start(): waits for it
    await sleep(50);
    poller.start();
    await emptyAtStart;

    // Two per group: fauxqs needs two receives at least, so a single empty receive is not enough.
    for (const [body, group] of [
      ['a-1', 'a'],
      ['b-1', 'b'],
      ['a-2', 'a'],
      ['b-2', 'b'],
    ] as const)
      await send(body, group);
    await poller.drained();
    expect(
      records()
        .map((record) => record.body)
        .sort(),
    ).toEqual(['a-1', 'a-2', 'b-1', 'b-2']);
    expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });

    // A drained() pending when the poller stops is rejected rather than left hanging.
    const { poller: idle } = poll(handler, { queueUrl: `${emulator.queueUrl}-missing`, retryPauseMs: 20 });
    const pending = idle.drained();
    await idle.stop();
    await expect(pending).rejects.toThrow('stopped before the queue was drained');
  });

  it('logs receive errors and retries without crashing; stop() still resolves', async () => {
    const entries: Array<{ level: string; message: string; data?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug: (message, data) => entries.push({ level: 'debug', message, data }),
      info: (message, data) => entries.push({ level: 'info', message, data }),
      warn: (message, data) => entries.push({ level: 'warn', message, data }),
      error: (message, data) => entries.push({ level: 'error', message, data }),
    };
    const { handler, events } = recordingHandler();
    const { poller } = poll(handler, { queueUrl: `${emulator.queueUrl}-missing`, retryPauseMs: 20, logger });
    const receiveErrors = () => entries.filter((entry) => entry.message === 'sqs poller: receive failed, retrying');
    await waitFor(() => receiveErrors().length >= 3, 'three failed receives');
    expect(receiveErrors()[0]?.level).toBe('error');
    expect(String((receiveErrors()[0]!.data!.error as Error).name)).toMatch(/QueueDoesNotExist/);
    await poller.stop();
    expect(events).toEqual([]);
  });
});
