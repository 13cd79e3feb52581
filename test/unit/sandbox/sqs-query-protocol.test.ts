/**
 * SQS's Query protocol on the sandbox's SQS endpoint (sandbox/sqs-query-protocol.ts): the
 * translation alone, then a real emulator (fauxqs in-process, no Java) asked over HTTP in form
 * encoding, read back with the JSON-protocol SDK, and Debian's boto3 1.26 (which speaks Query) when
 * it is installed.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, SANDBOX_QUEUE_NAME, SANDBOX_REGION } from '../../../sandbox/config.js';
import { findFreePort } from '../../../sandbox/ports.js';
import { type RunningSqsEmulator, startSqsEmulator } from '../../../sandbox/sqs-emulator.js';
import {
  jsonRequestFor,
  QueryParameterError,
  queryAnswerFor,
  queryError,
} from '../../../sandbox/sqs-query-protocol.js';
import { pythonMissing, runPython } from '../../support/python.js';

describe('the translation', () => {
  it('turns a SendMessage form into the JSON request, attributes and numbers included', () => {
    expect(
      jsonRequestFor('SendMessage', {
        Action: 'SendMessage',
        QueueUrl: 'http://127.0.0.1:9324/000000000000/q.fifo',
        MessageBody: '{"a":1}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
        DelaySeconds: '0',
        'MessageAttribute.1.Name': 'command_id',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'c-1',
        'MessageAttribute.2.Name': 'blob',
        'MessageAttribute.2.Value.DataType': 'Binary',
        'MessageAttribute.2.Value.BinaryValue': 'AAE=',
        'MessageSystemAttribute.1.Name': 'AWSTraceHeader',
        'MessageSystemAttribute.1.Value.DataType': 'String',
        'MessageSystemAttribute.1.Value.StringValue': 'Root=1-x',
      }),
    ).toEqual({
      QueueUrl: 'http://127.0.0.1:9324/000000000000/q.fifo',
      MessageBody: '{"a":1}',
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd',
      DelaySeconds: 0,
      MessageAttributes: {
        command_id: { DataType: 'String', StringValue: 'c-1' },
        blob: { DataType: 'Binary', BinaryValue: 'AAE=' },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-x' } },
    });
  });

  it('keeps batch entries in their numbered order (10 after 2), and takes the queue from the path when the form has none', () => {
    const form: Record<string, string> = {};
    for (const n of [10, 2, 1]) {
      form[`SendMessageBatchRequestEntry.${n}.Id`] = `e${n}`;
      form[`SendMessageBatchRequestEntry.${n}.MessageBody`] = `body ${n}`;
    }
    const request = jsonRequestFor('SendMessageBatch', form, 'http://127.0.0.1:1/000000000000/q.fifo');
    expect(request.QueueUrl).toBe('http://127.0.0.1:1/000000000000/q.fifo');
    expect((request.Entries as Array<{ Id: string }>).map((entry) => entry.Id)).toEqual(['e1', 'e2', 'e10']);
    expect(jsonRequestFor('GetQueueAttributes', { 'AttributeName.2': 'B', 'AttributeName.1': 'A' })).toEqual({
      AttributeNames: ['A', 'B'],
    });
    expect(jsonRequestFor('GetQueueAttributes', {})).toEqual({ AttributeNames: ['All'] });
  });

  it('refuses what is not a parameter of SQS', () => {
    expect(() => jsonRequestFor('SendMessage', { DelaySeconds: 'soon' })).toThrow(QueryParameterError);
    expect(() => jsonRequestFor('SendMessage', { 'MessageAttribute.1.Name': 'x' })).toThrow(/DataType/);
  });

  it('writes errors with the Query code and fault, escaped', () => {
    const missing = queryAnswerFor(
      'GetQueueUrl',
      400,
      JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }),
      'AWS.SimpleQueueService.NonExistentQueue;Sender',
    );
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
    expect(missing.xml).toContain('<Type>Sender</Type>');
    const plain = queryAnswerFor(
      'SendMessage',
      400,
      JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: '<b>&' }),
    );
    expect(plain.xml).toContain('<Code>InvalidAction</Code><Message>&lt;b&gt;&amp;</Message>');
    expect(queryError(503, 'X', 'y').xml).toContain('<Type>Receiver</Type>');
    expect(queryAnswerFor('SendMessage', 200, 'not json').status).toBe(500);
  });
});

describe('on a running emulator', () => {
  let emulator: RunningSqsEmulator;
  let sqs: SQSClient;
  beforeAll(async () => {
    emulator = await startSqsEmulator({ port: await findFreePort() });
    sqs = new SQSClient({ endpoint: emulator.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulator?.stop();
  });

  const post = async (params: Record<string, string>, path = '/') => {
    const response = await fetch(`${emulator.endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
    });
    return { status: response.status, type: response.headers.get('content-type'), xml: await response.text() };
  };

  /** Takes every message off the command queue (JSON protocol), as the sender's poller would. */
  async function drain(): Promise<Array<{ body: string; attributes: Record<string, string | undefined> }>> {
    const seen: Array<{ body: string; attributes: Record<string, string | undefined> }> = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: emulator.queueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      if (!out.Messages?.length) return seen;
      for (const message of out.Messages) {
        seen.push({
          body: message.Body ?? '',
          attributes: Object.fromEntries(
            Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
          ),
        });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: emulator.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }

  it('GetQueueUrl, SendMessage and SendMessageBatch in form encoding: XML answers, and the messages arrive intact', async () => {
    const url = await post({ Action: 'GetQueueUrl', QueueName: SANDBOX_QUEUE_NAME });
    expect(url.status).toBe(200);
    expect(url.type).toBe('text/xml');
    expect(url.xml).toContain(`<QueueUrl>${emulator.queueUrl}</QueueUrl>`);

    const body = '{"text":"é 😀 <b> & + %"}';
    const sent = await post({
      Action: 'SendMessage',
      QueueUrl: emulator.queueUrl,
      MessageBody: body,
      MessageGroupId: 'g-1',
      MessageDeduplicationId: 'form-1',
      'MessageAttribute.1.Name': 'origin',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'query',
    });
    expect(sent.status).toBe(200);
    expect(sent.xml).toMatch(
      /^<\?xml version="1.0"\?><SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><MessageId>[^<]+<\/MessageId><SequenceNumber>\d+<\/SequenceNumber><\/SendMessageResult>/,
    );

    // Posted to the queue's own URL, as some older SDKs do: the queue comes from the path.
    const batch = await post(
      {
        Action: 'SendMessageBatch',
        'SendMessageBatchRequestEntry.1.Id': 'ok',
        'SendMessageBatchRequestEntry.1.MessageBody': 'second',
        'SendMessageBatchRequestEntry.1.MessageGroupId': 'g-1',
        'SendMessageBatchRequestEntry.1.MessageDeduplicationId': 'form-2',
        'SendMessageBatchRequestEntry.2.Id': 'no-group',
        'SendMessageBatchRequestEntry.2.MessageBody': 'third',
      },
      new URL(emulator.queueUrl).pathname,
    );
    expect(batch.status).toBe(200);
    expect(batch.xml).toContain('<SendMessageBatchResultEntry><Id>ok</Id>');
    expect(batch.xml).toContain(
      '<BatchResultErrorEntry><Id>no-group</Id><SenderFault>true</SenderFault><Code>MissingParameter</Code>',
    );

    const arrived = await drain();
    expect(arrived).toEqual([
      { body, attributes: { origin: 'query' } },
      { body: 'second', attributes: {} },
    ]);
  });

  it('answers errors as SQS does: no such queue, an action it only takes in JSON; SNS forms still reach fauxqs', async () => {
    const missing = await post({ Action: 'GetQueueUrl', QueueName: 'no-such-queue.fifo' });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
    const receive = await post({ Action: 'ReceiveMessage', QueueUrl: emulator.queueUrl });
    expect(receive.status).toBe(400);
    expect(receive.xml).toContain('<Code>InvalidAction</Code>');
    expect(receive.xml).toContain('JSON protocol');
    const badDelay = await post({
      Action: 'SendMessage',
      QueueUrl: emulator.queueUrl,
      MessageBody: 'x',
      DelaySeconds: 'x',
    });
    expect(badDelay.status).toBe(400);
    expect(badDelay.xml).toContain('<Code>InvalidParameterValue</Code>');
    const sns = await post({ Action: 'ListTopics' });
    expect(sns.status).toBe(200);
    expect(sns.xml).toContain('ListTopicsResponse');
  });

  const missing = pythonMissing(['boto3']);
  if (missing) console.warn(`sqs-query-protocol.test.ts: the boto3 check is skipped: ${missing}`);
  it.skipIf(missing !== undefined)(
    "Debian's boto3 (Query protocol) sends, batches and gets its exceptions",
    async () => {
      const script = `
import json, sys, boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
out = {"botocore": __import__("botocore").__version__}
url = sqs.get_queue_url(QueueName=sys.argv[2])["QueueUrl"]
out["url"] = url
out["sent"] = sqs.send_message(QueueUrl=url, MessageBody='{"from":"boto3 \\u00e9"}', MessageGroupId="g-py",
    MessageDeduplicationId="py-1", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})["MessageId"]
batch = sqs.send_message_batch(QueueUrl=url, Entries=[
    {"Id": "a", "MessageBody": "py batch", "MessageGroupId": "g-py", "MessageDeduplicationId": "py-2"},
    {"Id": "b", "MessageBody": "no group"}])
out["batch"] = {"ok": [e["Id"] for e in batch.get("Successful", [])], "failed": [e["Code"] for e in batch.get("Failed", [])]}
try:
    sqs.get_queue_url(QueueName="no-such-queue.fifo")
except sqs.exceptions.QueueDoesNotExist:
    out["missing"] = "QueueDoesNotExist"
print(json.dumps(out))
`;
      const run = await runPython(['-c', script, emulator.endpoint, SANDBOX_QUEUE_NAME]);
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const out = JSON.parse(run.stdout) as Record<string, unknown>;
      console.log(`boto3 against the sandbox's SQS: botocore ${out.botocore}`);
      expect(out).toMatchObject({
        url: emulator.queueUrl,
        sent: expect.any(String),
        batch: { ok: ['a'], failed: ['MissingParameter'] },
        missing: 'QueueDoesNotExist',
      });
      expect(await drain()).toEqual([
        { body: '{"from":"boto3 é"}', attributes: { k: 'v' } },
        { body: 'py batch', attributes: {} },
      ]);
    },
  );
});
