/**
 * The sandbox's stand-in for Lambda's DynamoDB Streams event source mapping, over DynamoDB Local's
 * real stream: order, batch item failures, bisect, the retry limit and the on-failure record,
 * filters, and the events and media handlers it feeds (with the SQS/S3 emulator for media).
 * EventBridge has no local stand-in: where a publisher must fail, a test publisher does (said so there).
 */
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../../lambdas/events/events-handler.js';
import { createMediaHandler } from '../../../lambdas/media/media-handler.js';
import type { DomainEvent } from '../../../lambdas/events/domain-events.js';
import type { EventPublisher } from '../../../lambdas/events/ports.js';
import { silentLogger } from '../../../lambdas/platform/logger.js';
import { createMediaFetcher } from '../../../lambdas/adapters/media-fetch.js';
import { createS3MediaStore } from '../../../lambdas/adapters/media-store.js';
import { EVENTS_STREAM_FILTERS } from '../../../lambdas/events/stream-filters.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../../sandbox/config.js';
import { createEventFeed } from '../../../sandbox/event-feed.js';
import { findFreePort } from '../../../sandbox/ports.js';
import { startSqsEmulator, type RunningSqsEmulator } from '../../../sandbox/sqs-emulator.js';
import { createStreamPoller, type StreamBatchHandler, type StreamPoller } from '../../../sandbox/stream-poller.js';
import { createTestTable, testDynamoDbConfig, type TestTable } from '../../support/dynamodb.js';
import { inboundPayload } from '../../support/http-events.js';
import { parseWebhookPayload, type WebhookEvent } from '../../../lambdas/webhooks/webhook-payload.js';

const streams = new DynamoDBStreamsClient(testDynamoDbConfig());
const pollers: StreamPoller[] = [];
const tables: TestTable[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});
afterAll(async () => {
  await Promise.all(tables.map((table) => table.drop().catch(() => {})));
  streams.destroy();
});

async function tableWithStream() {
  const table = await createTestTable('stream');
  tables.push(table);
  const admin = new DynamoDBClient(testDynamoDbConfig());
  const streamArn = (await admin.send(new DescribeTableCommand({ TableName: table.tableName }))).Table!
    .LatestStreamArn!;
  admin.destroy();
  const put = (pk: string, extra: Record<string, unknown> = {}) =>
    table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { PK: pk, SK: 'X', ...extra } }));
  return { ...table, streamArn, put };
}

function poll(
  streamArn: string,
  handler: StreamBatchHandler,
  options: Partial<Parameters<typeof createStreamPoller>[0]> = {},
) {
  const poller = createStreamPoller({
    streams,
    streamArn,
    handler,
    name: 'test',
    pollIntervalMs: 20,
    retryDelayMs: 5,
    logger: silentLogger,
    ...options,
  });
  poller.start();
  pollers.push(poller);
  return poller;
}

const keysOf = (event: DynamoDBStreamEvent) => event.Records.map((record) => record.dynamodb!.Keys!.PK!.S!);
const event = (raw: Record<string, unknown>): WebhookEvent => {
  const parsed = parseWebhookPayload(raw, 'inbound');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.event;
};

describe('stream poller (Lambda event source mapping for DynamoDB Streams)', () => {
  it('hands every change once, in order, as Lambda records (DynamoDB JSON, epoch seconds, the stream ARN)', async () => {
    const t = await tableWithStream();
    for (let i = 0; i < 25; i += 1) await t.put(`K${String(i).padStart(2, '0')}`, { n: i });
    const seen: string[] = [];
    let sample: DynamoDBStreamEvent['Records'][number] | undefined;
    const poller = poll(
      t.streamArn,
      async (batch) => {
        seen.push(...keysOf(batch));
        sample ??= batch.Records[0];
        return { batchItemFailures: [] };
      },
      { batchSize: 10 },
    );
    await poller.caughtUp();
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `K${String(i).padStart(2, '0')}`));
    expect(sample).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: SANDBOX_REGION,
      eventSourceARN: t.streamArn,
      dynamodb: {
        Keys: { PK: { S: 'K00' }, SK: { S: 'X' } },
        NewImage: { n: { N: '0' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof sample!.dynamodb!.ApproximateCreationDateTime).toBe('number');
    // Later changes come through too (the poller keeps reading the open shard).
    await t.put('LATE');
    await poller.caughtUp();
    expect(seen.at(-1)).toBe('LATE');
  });

  it('a batch item failure: the records before it are done, the batch is retried from it', async () => {
    const t = await tableWithStream();
    for (const key of ['A', 'B', 'C', 'D']) await t.put(key);
    const calls: string[][] = [];
    let failedOnce = false;
    const poller = poll(t.streamArn, async (batch) => {
      calls.push(keysOf(batch));
      const c = batch.Records.find((record) => record.dynamodb!.Keys!.PK!.S === 'C');
      if (c && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: c.dynamodb!.SequenceNumber! }] };
      }
      return { batchItemFailures: [] };
    });
    await poller.caughtUp();
    expect(calls).toEqual([
      ['A', 'B', 'C', 'D'],
      ['C', 'D'],
    ]);
    expect(poller.failures).toEqual([]);
  });

  it('a handler that throws: the batch is halved (bisect) and retried; after the retry limit it is given up to the on-failure record', async () => {
    const t = await tableWithStream();
    for (const key of ['A', 'B', 'POISON', 'C']) await t.put(key);
    const calls: string[][] = [];
    const given: unknown[] = [];
    const poller = poll(
      t.streamArn,
      async (batch) => {
        calls.push(keysOf(batch));
        if (keysOf(batch).includes('POISON')) throw new Error('cannot handle POISON');
        return { batchItemFailures: [] };
      },
      { retryAttempts: 2, onFailure: (failure) => given.push(failure) },
    );
    await poller.caughtUp();
    // [A,B,POISON,C] fails -> halved: [A,B] done -> [POISON,C] fails -> halved: [POISON] fails, is retried twice,
    // then given up -> [C]. Splitting uses no retry.
    expect(calls).toEqual([
      ['A', 'B', 'POISON', 'C'],
      ['A', 'B'],
      ['POISON', 'C'],
      ['POISON'],
      ['POISON'],
      ['POISON'],
      ['C'],
    ]);
    expect(given).toEqual([
      expect.objectContaining({
        consumer: 'test',
        batchSize: 1,
        attempts: 3,
        reason: 'the handler threw: cannot handle POISON',
        shardId: expect.any(String),
        startSequenceNumber: expect.any(String),
        endSequenceNumber: expect.any(String),
      }),
    ]);
    expect(poller.failures).toEqual(given);
  });

  it('an answer Lambda would reject (an unknown itemIdentifier) fails the whole batch', async () => {
    const t = await tableWithStream();
    await t.put('A');
    let calls = 0;
    const poller = poll(
      t.streamArn,
      async () => {
        calls += 1;
        return { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] };
      },
      { retryAttempts: 1 },
    );
    await poller.caughtUp();
    expect(calls).toBe(2);
    expect(poller.failures[0]?.reason).toMatch(/not in the batch/);
  });

  it('skips records that match none of the filter patterns, as Lambda does', async () => {
    const t = await tableWithStream();
    await t.store.putInboundMessage(event(inboundPayload({ group_id: 'g-filter' })));
    await t.put('LINE#+15550000000', { tat: 1 });
    const seen: string[] = [];
    const poller = poll(
      t.streamArn,
      async (batch) => {
        seen.push(...keysOf(batch));
        return { batchItemFailures: [] };
      },
      { filters: EVENTS_STREAM_FILTERS },
    );
    await poller.caughtUp();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^MSG#in-/);
  });
});

describe('the events handler on the real stream', () => {
  it('publishes one event per change; a duplicate write publishes nothing', async () => {
    const t = await tableWithStream();
    const feed = createEventFeed();
    const poller = poll(t.streamArn, createEventsHandler({ publisher: feed.publisher, logger: silentLogger }), {
      filters: EVENTS_STREAM_FILTERS,
    });
    const message = event(inboundPayload({ group_id: 'g-once' }));
    expect(await t.store.putInboundMessage(message)).toBe('stored');
    expect(await t.store.putInboundMessage(message)).toBe('duplicate');
    await t.store.syncGroup({ groupId: 'g-once', members: ['+1', '+2'], asOf: '2026-11-20T17:00:00.000Z' });
    await t.store.syncGroup({ groupId: 'g-once', members: ['+2', '+1'], asOf: '2026-11-20T17:00:01.000Z' }); // same members: no write
    await poller.caughtUp();
    expect(feed.list().map((entry) => entry.event['detail-type'])).toEqual(['Group Message Received', 'Group Changed']);
  });

  it('events EventBridge did not take: the batch is retried from the first of them; a re-published event keeps its event_id', async () => {
    const t = await tableWithStream();
    // EventBridge has no local stand-in: this publisher refuses the second event twice, then takes everything.
    const published: DomainEvent[] = [];
    let refusals = 0;
    const flaky: EventPublisher = {
      async publish(events) {
        const failed: number[] = [];
        events.forEach((e, index) => {
          if (e.detail.message_handle === 'm-2' && refusals < 2) {
            refusals += 1;
            failed.push(index);
          } else published.push(e);
        });
        return failed;
      },
    };
    // Written first, so that the three arrive in one batch.
    for (const handle of ['m-1', 'm-2', 'm-3'])
      await t.store.putInboundMessage(event(inboundPayload({ message_handle: handle, group_id: 'g-flaky' })));
    const poller = poll(t.streamArn, createEventsHandler({ publisher: flaky, logger: silentLogger }), {
      filters: EVENTS_STREAM_FILTERS,
    });
    await poller.caughtUp();
    const handles = published.map((e) => e.detail.message_handle);
    // m-1 once; m-2 once it was taken; m-3 again with the retried batch (at least once), same event_id.
    expect(handles).toEqual(['m-1', 'm-3', 'm-2', 'm-3']);
    const m3 = published.filter((e) => e.detail.message_handle === 'm-3');
    expect(m3[0]!.detail.event_id).toBe(m3[1]!.detail.event_id);
    expect(poller.failures).toEqual([]);
  });

  it('a record it does not understand is skipped, not retried (it would block its shard)', async () => {
    const feed = createEventFeed();
    const handler = createEventsHandler({ publisher: feed.publisher, logger: silentLogger });
    expect(await handler({ Records: [{ eventID: 'x', dynamodb: {} }] } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });
    expect(feed.list()).toEqual([]);
  });
});

describe('the media handler on the real stream (S3 stand-in, media over local HTTP)', () => {
  let emulator: RunningSqsEmulator;
  let s3: S3Client;
  let origin: Server;
  let originUrl: string;
  let failNext = 0;
  beforeAll(async () => {
    emulator = await startSqsEmulator({ port: await findFreePort() });
    s3 = new S3Client({
      endpoint: emulator.endpoint,
      forcePathStyle: true,
      region: SANDBOX_REGION,
      credentials: SANDBOX_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'media-test' }));
    origin = createServer((req, res) => {
      if (failNext > 0) {
        failNext -= 1;
        return void res.writeHead(503).end();
      }
      res
        .writeHead(req.url === '/gone.png' ? 404 : 200, { 'content-type': 'image/png' })
        .end(Buffer.from(`bytes of ${req.url}`));
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    s3?.destroy();
    await emulator?.stop();
    await new Promise<void>((resolve) => origin.close(() => resolve()));
  });

  const media = (t: TestTable, bucket = 'media-test') =>
    createMediaHandler({
      fetchMedia: createMediaFetcher({ maxBytes: 1024, timeoutMs: 2_000, allowLoopbackHttp: true }),
      store: createS3MediaStore({ client: s3, bucket }),
      table: t.store,
      logger: silentLogger,
    });

  it('copies the media of a new inbound message, records it on the message, and refuses a missing file for good', async () => {
    const t = await tableWithStream();
    const poller = poll(t.streamArn, media(t));
    const withMedia = event(inboundPayload({ group_id: 'g-media', media_url: `${originUrl}/pic.png` }));
    const gone = event(inboundPayload({ group_id: 'g-media', media_url: `${originUrl}/gone.png` }));
    await t.store.putInboundMessage(withMedia);
    await t.store.putInboundMessage(gone);
    await poller.caughtUp();
    const stored = await t.store.getMessageWithHistory(withMedia.messageHandle);
    expect(stored?.message.media_archive).toEqual({
      key: `media/g-media/${withMedia.messageHandle}/pic.png`,
      content_type: 'image/png',
      bytes: 'bytes of /pic.png'.length,
      archived_at: expect.any(String),
    });
    const object = await s3.send(
      new GetObjectCommand({ Bucket: 'media-test', Key: `media/g-media/${withMedia.messageHandle}/pic.png` }),
    );
    expect(await object.Body!.transformToString()).toBe('bytes of /pic.png');
    expect((await t.store.getMessageWithHistory(gone.messageHandle))?.message.media_archive).toEqual({
      error: 'the media origin answered 404',
      failed_at: expect.any(String),
    });
    expect(poller.failures).toEqual([]);
  });

  it('a failure that may pass (origin 503, storage unavailable) is retried from that message; nothing is recorded until it works', async () => {
    const t = await tableWithStream();
    failNext = 2;
    const poller = poll(t.streamArn, media(t));
    const message = event(inboundPayload({ group_id: 'g-retry', media_url: `${originUrl}/later.png` }));
    await t.store.putInboundMessage(message);
    await poller.caughtUp();
    expect((await t.store.getMessageWithHistory(message.messageHandle))?.message.media_archive).toMatchObject({
      bytes: 'bytes of /later.png'.length,
    });

    // A bucket that does not exist: every retry fails, the batch is given up, the message has no record.
    await poller.stop();
    const broken = poll(t.streamArn, media(t, 'no-such-bucket'), { retryAttempts: 1 });
    const other = event(inboundPayload({ group_id: 'g-retry', media_url: `${originUrl}/never.png` }));
    await t.store.putInboundMessage(other);
    await broken.caughtUp();
    expect(broken.failures.length).toBeGreaterThan(0);
    expect((await t.store.getMessageWithHistory(other.messageHandle))?.message.media_archive).toBeUndefined();
  });
});
