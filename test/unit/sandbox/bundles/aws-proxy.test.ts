/**
 * The recording endpoint of bundles mode, driven by the real AWS SDK clients the bundles carry
 * (no Java: DynamoDB and S3 are a small local server here, the stand-ins are the real ones): each
 * call is recorded with the function whose key signed it, the IAM action(s) and resource ARN(s)
 * AWS would authorize, and passed on; Secrets Manager and EventBridge are answered by the stand-ins.
 * A seeded run of hostile requests never breaks the proxy and is recorded as unclassified.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../../lambdas/events/domain-events.js';
import { createEventBridgePublisher } from '../../../../lambdas/adapters/event-publisher.js';
import { createS3LinkSigner } from '../../../../lambdas/adapters/s3-link-signer.js';
import { type AwsProxy, startAwsProxy } from '../../../../sandbox/bundles/aws-proxy.js';
import { eventBridgeStandIn, secretsManagerStandIn } from '../../../../sandbox/bundles/local-aws.js';
import { mulberry32 } from '../../../support/fuzz.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:WebhookSecret-AbCdEf';
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/t';
const published: DomainEvent[] = [];
let backend: Server;
let proxy: AwsProxy;
const seen: string[] = [];

beforeAll(async () => {
  // DynamoDB, Streams, SQS and S3's stand-in: answers what the SDK needs to parse, remembers what reached it.
  backend = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    seen.push(target || `${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const answers: Record<string, unknown> = {
        'DynamoDBStreams_20120810.GetShardIterator': { ShardIterator: 'iterator-1' },
        'DynamoDBStreams_20120810.GetRecords': { Records: [], NextShardIterator: 'iterator-2' },
        'AmazonSQS.SendMessageBatch': { Successful: [], Failed: [] },
        'AmazonSQS.DeleteMessageBatch': { Successful: [], Failed: [] },
      };
      if (!target) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(req.method === 'PUT' && req.headers['x-amz-copy-source'] ? '<CopyObjectResult/>' : '');
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answers[target] ?? {}));
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  proxy = await startAwsProxy({
    callerOf: (key) =>
      ({
        SANDBOXCODESENDER: { function: 'sender', via: 'code' as const },
        SANDBOXESMEVENTS: { function: 'events', via: 'event source mapping' as const },
      })[key],
    targets: () => ({
      dynamodb: url,
      sqs: url,
      s3: url,
      secretsmanager: secretsManagerStandIn(() => new Map([[SECRET_ARN, 'the-secret']])),
      events: eventBridgeStandIn(
        { name: 'bus', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/bus' },
        (events) => published.push(...events),
      ),
    }),
  });
});
afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => backend?.close(resolve));
});

const as = (accessKeyId: string) => ({
  endpoint: proxy.url,
  region: 'us-east-1',
  credentials: { accessKeyId, secretAccessKey: 'x' },
  maxAttempts: 1,
});
const recorded = (fn: string) =>
  proxy
    .calls()
    .filter((call) => call.function === fn)
    .map((call) => `${call.action} ${call.resource}`)
    .sort();

describe('calls of the AWS SDK through the proxy', () => {
  it('DynamoDB: one check per table, index or transaction item, as IAM authorizes them', async () => {
    const db = new DynamoDBClient(as('SANDBOXCODESENDER'));
    await db.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }));
    await db.send(
      new QueryCommand({
        TableName: 't',
        IndexName: 'GSI1',
        KeyConditionExpression: 'a = :a',
        ExpressionAttributeValues: { ':a': { S: 'x' } },
      }),
    );
    await db.send(
      new BatchGetItemCommand({
        RequestItems: { t: { Keys: [{ pk: { S: 'a' } }] }, u: { Keys: [{ pk: { S: 'b' } }] } },
      }),
    );
    await db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { ConditionCheck: { TableName: 't', Key: { pk: { S: 'a' } }, ConditionExpression: 'attribute_exists(pk)' } },
          {
            Update: {
              TableName: 'u',
              Key: { pk: { S: 'b' } },
              UpdateExpression: 'SET a = :a',
              ExpressionAttributeValues: { ':a': { S: '1' } },
            },
          },
        ],
      }),
    );
    db.destroy();
    expect(recorded('sender')).toEqual(
      [
        `dynamodb:PutItem ${TABLE}`,
        `dynamodb:Query ${TABLE}/index/GSI1`,
        `dynamodb:BatchGetItem ${TABLE}`,
        'dynamodb:BatchGetItem arn:aws:dynamodb:us-east-1:000000000000:table/u',
        `dynamodb:ConditionCheckItem ${TABLE}`,
        'dynamodb:UpdateItem arn:aws:dynamodb:us-east-1:000000000000:table/u',
      ].sort(),
    );
  });

  it("SQS's batch calls as their single actions, on the queue named by its URL; Streams' GetRecords on the iterator's stream", async () => {
    const sqs = new SQSClient(as('SANDBOXCODESENDER'));
    const QueueUrl = `${proxy.url}/000000000000/dlq.fifo`;
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: 'x', MessageGroupId: 'g' }] }),
    );
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', ReceiptHandle: 'r' }] }));
    sqs.destroy();
    expect(recorded('sender')).toEqual(
      expect.arrayContaining([
        'sqs:SendMessage arn:aws:sqs:us-east-1:000000000000:dlq.fifo',
        'sqs:DeleteMessage arn:aws:sqs:us-east-1:000000000000:dlq.fifo',
      ]),
    );

    const streams = new DynamoDBStreamsClient(as('SANDBOXESMEVENTS'));
    const StreamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000';
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn, ShardId: 'shard-1', ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const { NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    await streams.send(new GetRecordsCommand({ ShardIterator: NextShardIterator }));
    streams.destroy();
    const normalized = StreamArn.replace('ddblocal', 'us-east-1');
    expect(proxy.calls().filter((call) => call.function === 'events')).toEqual([
      expect.objectContaining({
        action: 'dynamodb:GetShardIterator',
        resource: normalized,
        via: 'event source mapping',
        count: 1,
      }),
      expect.objectContaining({ action: 'dynamodb:GetRecords', resource: normalized, count: 2 }),
    ]);
  });

  it('S3: objects path-style (PutObject, GetObject, CopyObject reads its source), and a presigned link by its signer', async () => {
    const s3 = new S3Client({ ...as('SANDBOXCODESENDER'), forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'media/g/h/a b.png', Body: 'x' }));
    await s3.send(new CopyObjectCommand({ Bucket: 'media', Key: 'copy.png', CopySource: 'media/media/g/h/a b.png' }));
    s3.destroy();
    const link = await createS3LinkSigner({
      bucket: 'media',
      region: 'us-east-1',
      credentials: { accessKeyId: 'SANDBOXCODESENDER', secretAccessKey: 'x' },
      endpoint: proxy.url,
    })('media/g/h/a b.png');
    expect((await fetch(link.url)).status).toBe(200);
    expect(recorded('sender')).toEqual(
      expect.arrayContaining([
        's3:PutObject arn:aws:s3:::media/media/g/h/a b.png',
        's3:PutObject arn:aws:s3:::media/copy.png',
        's3:GetObject arn:aws:s3:::media/media/g/h/a b.png',
      ]),
    );
    expect(proxy.calls().find((call) => call.action === 's3:GetObject')!.count).toBe(2); // the copy's source, the link
  });

  it('Secrets Manager and EventBridge are answered by their stand-ins', async () => {
    const secrets = new SecretsManagerClient(as('SANDBOXCODESENDER'));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }))).SecretString).toBe('the-secret');
    // By name too, as Secrets Manager allows; an unknown one is ResourceNotFoundException.
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'WebhookSecret' }))).SecretString).toBe(
      'the-secret',
    );
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    secrets.destroy();

    const events = new EventBridgeClient(as('SANDBOXCODESENDER'));
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'bus',
            Source: 'sendblue-groups',
            DetailType: 'Group Changed',
            Detail: '{"event_id":"e1"}',
            Time: new Date('2026-12-05T00:00:00Z'),
          },
          { EventBusName: 'other', Source: 'sendblue-groups', DetailType: 'Group Changed', Detail: '{}' },
        ],
      }),
    );
    events.destroy();
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![1]!.ErrorCode).toBe('NotFoundException');
    expect(published).toEqual([
      { detailType: 'Group Changed', detail: { event_id: 'e1' }, time: '2026-12-05T00:00:00.000Z' },
    ]);
    expect(recorded('sender')).toEqual(
      expect.arrayContaining([
        `secretsmanager:GetSecretValue ${SECRET_ARN}`,
        'secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:000000000000:secret:WebhookSecret-??????',
        'events:PutEvents arn:aws:events:us-east-1:000000000000:event-bus/bus',
        'events:PutEvents arn:aws:events:us-east-1:000000000000:event-bus/other',
      ]),
    );
  });

  it("the events publisher's times reach the event log to the millisecond, as the SDK sends them (seeded)", async () => {
    const seed = Number(process.env.PROXY_FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    const client = new EventBridgeClient(as('SANDBOXESMEVENTS'));
    const publisher = createEventBridgePublisher({ client, eventBusName: 'bus' });
    const events: DomainEvent[] = Array.from({ length: 40 }, (_, i) => {
      // Any millisecond of 2000-2099 (the dates a webhook may carry).
      const time = new Date(946_684_800_000 + Math.floor(random() * 3_155_760_000_000)).toISOString();
      return { detailType: 'Command Settled', detail: { event_id: `e${i}`, occurred_at: time }, time };
    });
    const before = published.length;
    expect(await publisher.publish(events)).toEqual([]);
    client.destroy();
    expect(
      published.slice(before).map((event) => event.time),
      `seed ${seed} (PROXY_FUZZ_SEED=${seed})`,
    ).toEqual(events.map((event) => event.time));
  });

  it('a key no function has, or a call it cannot tell, is kept as unclassified (the IAM check fails on it)', async () => {
    const db = new DynamoDBClient(as('SOMEONEELSE'));
    await db.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }));
    db.destroy();
    expect(proxy.unclassified()).toContainEqual({
      function: undefined,
      operation: 'dynamodb:PutItem',
      problem: 'signed with an access key no function has (SOMEONEELSE)',
    });
    expect(recorded('SOMEONEELSE')).toEqual([]);
  });

  it('hostile requests (seeded) never break it: each is answered and, with a known key, recorded as unclassified or classified', async () => {
    const seed = Number(process.env.PROXY_FUZZ_SEED ?? Date.now() % 1_000_000);
    console.log(`aws-proxy fuzz seed ${seed} (replay: PROXY_FUZZ_SEED=${seed})`);
    const random = mulberry32(seed);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const before = proxy.unclassified().length;
    for (let i = 0; i < 200; i += 1) {
      const service = pick(['dynamodb', 'sqs', 's3', 'secretsmanager', 'events', 'nosuch', '']);
      const headers: Record<string, string> = {
        authorization: service
          ? `AWS4-HMAC-SHA256 Credential=SANDBOXCODESENDER/20261205/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`
          : pick(['', 'garbage', 'Credential=/']),
      };
      if (random() < 0.7)
        headers['x-amz-target'] = pick([
          'DynamoDB_20120810.GetItem',
          'AmazonSQS.SendMessage',
          'secretsmanager.GetSecretValue',
          'AWSEvents.PutEvents',
          'DynamoDBStreams_20120810.GetRecords',
          'Nope.Nope',
          '.',
          'x',
        ]);
      const body = pick([
        '',
        '{',
        'null',
        '[]',
        '{"TableName":5}',
        '{"QueueUrl":"/"}',
        '{"SecretId":{}}',
        '{"Entries":"x"}',
        JSON.stringify({ TableName: 'x'.repeat(5000) }),
        '\u0000\uffff',
      ]);
      const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      const response = await fetch(`${proxy.url}/${pick(['', 'b', 'b/k', '%zz', 'b/k?uploads'])}`, {
        method,
        headers,
        body: method === 'GET' ? undefined : body,
      }).catch(() => undefined);
      expect(response, `request ${i}`).toBeDefined();
      expect(response!.status, `request ${i}`).toBeLessThan(600);
    }
    expect(proxy.unclassified().length).toBeGreaterThan(before);
    // Still serving.
    const secrets = new SecretsManagerClient(as('SANDBOXCODESENDER'));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }))).SecretString).toBe('the-secret');
    secrets.destroy();
  });
});
