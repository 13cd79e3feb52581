/** The sandbox's SQS emulator (fauxqs) and its queues, over the real SQS API. */
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_QUEUE_SETTINGS } from '../../../lambdas/contract/command-queue-settings.js';
import { SANDBOX_CREDENTIALS, SANDBOX_DLQ_NAME, SANDBOX_QUEUE_NAME, SANDBOX_REGION } from '../../../sandbox/config.js';
import { findFreePort, isPortFree } from '../../../sandbox/ports.js';
import { startSqsEmulator, type RunningSqsEmulator } from '../../../sandbox/sqs-emulator.js';

const running: Array<{ emulator: RunningSqsEmulator; sqs: SQSClient }> = [];
afterEach(async () => {
  for (const { emulator, sqs } of running.splice(0)) {
    sqs.destroy();
    await emulator.stop();
  }
});

async function start(options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {}) {
  const emulator = await startSqsEmulator({ port: await findFreePort(), ...options });
  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  running.push({ emulator, sqs });
  return { emulator, sqs };
}

async function attributes(sqs: SQSClient, queueUrl: string, names: Array<'All' | 'RedriveAllowPolicy'> = ['All']) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }));
  return Attributes ?? {};
}

/** Whether a TCP connection to host:port is accepted (within a second). */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

describe('startSqsEmulator', () => {
  it('hands out loopback queue URLs that work with or without the SDK endpoint setting', async () => {
    const { emulator, sqs } = await start();
    const port = new URL(emulator.endpoint).port;
    expect(emulator.queueUrl).toBe(`http://127.0.0.1:${port}/000000000000/${SANDBOX_QUEUE_NAME}`);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: SANDBOX_QUEUE_NAME }));
    expect(QueueUrl).toBe(emulator.queueUrl);
    // No endpoint: the SDK sends to the queue URL's own host, as it does with real SQS URLs.
    const plain = new SQSClient({ region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
    try {
      await plain.send(
        new SendMessageCommand({ QueueUrl: emulator.queueUrl, MessageBody: 'via url', MessageGroupId: 'g' }),
      );
    } finally {
      plain.destroy();
    }
    // fauxqs's own form of the URL is accepted too.
    const internal = `http://sqs.${SANDBOX_REGION}.localhost:${port}/000000000000/${SANDBOX_QUEUE_NAME}`;
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: internal, MaxNumberOfMessages: 1 }));
    expect(Messages?.[0]?.Body).toBe('via url');
  });

  it('creates the FIFO command queue and FIFO DLQ like the stack, with the sandbox defaults', async () => {
    const { emulator, sqs } = await start();
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.queueUrl).toMatch(new RegExp(`/${SANDBOX_QUEUE_NAME.replace('.', '\\.')}$`));
    expect(emulator.dlqUrl).toMatch(new RegExp(`/${SANDBOX_DLQ_NAME.replace('.', '\\.')}$`));
    expect(emulator.queueArn).toBe(`arn:aws:sqs:${SANDBOX_REGION}:000000000000:${SANDBOX_QUEUE_NAME}`);
    expect(emulator.dlqArn).toBe(`arn:aws:sqs:${SANDBOX_REGION}:000000000000:${SANDBOX_DLQ_NAME}`);

    const queue = await attributes(sqs, emulator.queueUrl);
    expect(queue).toMatchObject({
      QueueArn: emulator.queueArn,
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      VisibilityTimeout: String(COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds),
    });
    expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: emulator.dlqArn,
      maxReceiveCount: COMMAND_QUEUE_SETTINGS.maxReceiveCount,
    });

    const dlq = await attributes(sqs, emulator.dlqUrl);
    expect(dlq).toMatchObject({ QueueArn: emulator.dlqArn, FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    expect(dlq.RedrivePolicy).toBeUndefined();
    // fauxqs leaves RedriveAllowPolicy out of "All": it must be asked for by name.
    const { RedriveAllowPolicy } = await attributes(sqs, emulator.dlqUrl, ['RedriveAllowPolicy']);
    expect(JSON.parse(RedriveAllowPolicy ?? '{}')).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [emulator.queueArn],
    });
  });

  it('takes the visibility timeout and maxReceiveCount it is given', async () => {
    const { emulator, sqs } = await start({ visibilityTimeoutSeconds: 2, maxReceiveCount: 3 });
    const queue = await attributes(sqs, emulator.queueUrl);
    expect(queue.VisibilityTimeout).toBe('2');
    expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 3 });
  });

  it('drops a second identical message in the same group (content-based deduplication)', async () => {
    const { emulator, sqs } = await start();
    const send = (body: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: emulator.queueUrl, MessageBody: body, MessageGroupId: 'group-1' }));
    const first = await send('{"command":"send","text":"hello"}');
    const second = await send('{"command":"send","text":"hello"}');
    expect(second.MessageId).toBe(first.MessageId);
    await send('{"command":"send","text":"something else"}');
    expect((await attributes(sqs, emulator.queueUrl)).ApproximateNumberOfMessages).toBe('2');
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount receives', async () => {
    const { emulator, sqs } = await start({ maxReceiveCount: 2 });
    await sqs.send(new SendMessageCommand({ QueueUrl: emulator.queueUrl, MessageBody: 'poison', MessageGroupId: 'g' }));
    // VisibilityTimeout 0 on receive: the message is visible again at once, like a failed attempt.
    const receive = (queueUrl: string) =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
        }),
      );
    const counts: Array<string | undefined> = [];
    for (let i = 0; i < 2; i++) {
      const { Messages = [] } = await receive(emulator.queueUrl);
      expect(Messages.map((m) => m.Body)).toEqual(['poison']);
      counts.push(Messages[0]?.Attributes?.ApproximateReceiveCount);
    }
    expect(counts).toEqual(['1', '2']);
    expect((await receive(emulator.queueUrl)).Messages).toBeUndefined(); // the third receive redrives it
    const { Messages: dead = [] } = await receive(emulator.dlqUrl);
    expect(dead.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([['poison', 'g']]);
    expect((await attributes(sqs, emulator.queueUrl)).ApproximateNumberOfMessages).toBe('0');
  });

  it('listens on 127.0.0.1 only, and stop() frees the port (twice is harmless)', async () => {
    const port = await findFreePort();
    const emulator = await startSqsEmulator({ port });
    try {
      expect((await fetch(`${emulator.endpoint}/health`)).status).toBe(200);
      expect(await connects('127.0.0.1', port)).toBe(true);
      // Other addresses of this machine: fauxqs's own startFauxqs() would answer on them (0.0.0.0).
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((address) => address?.family === 'IPv4' && !address.internal)
        .map((address) => address?.address as string);
      if (process.platform === 'linux') others.push('127.0.0.2'); // all of 127/8 reaches lo there
      expect(others.length).toBeGreaterThan(0);
      for (const host of others) expect(await connects(host, port), host).toBe(false);
    } finally {
      await emulator.stop();
      await emulator.stop();
    }
    expect(await isPortFree(port)).toBe(true);
  });

  it('refuses a taken port with one line naming the port and SANDBOX_SQS_PORT', async () => {
    const port = await findFreePort();
    const blocker: Server = await new Promise((resolve) => {
      const server = createServer().listen(port, '127.0.0.1', () => resolve(server));
    });
    try {
      const error: unknown = await startSqsEmulator({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        `Port ${port} is already in use, so the SQS emulator cannot start there. ` +
          `Stop what uses it, or pick another port with SANDBOX_SQS_PORT=<port>.`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
