/**
 * The sandbox's SQS: fauxqs (an in-process SQS emulator speaking the AWS JSON protocol, and through
 * sqs-query-protocol.ts the older Query protocol for the calls producers make) on 127.0.0.1, with the FIFO command queue and its FIFO dead-letter queue set up the way the stack
 * sets them up (content-based deduplication, visibility timeout, redrive after maxReceiveCount).
 *
 * fauxqs's own `startFauxqs()` always binds 0.0.0.0 (its `host` option only names the host used in
 * queue URLs), so this builds the same app with `buildApp()` and listens on loopback itself.
 * The queues are created through the SQS API, not fauxqs's shortcuts, so the emulator validates
 * them as it would a client's.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { COMMAND_QUEUE_SETTINGS } from '../lambdas/contract/command-queue-settings.js';
import { PORT_ENV_VARS, SANDBOX_CREDENTIALS, SANDBOX_DLQ_NAME, SANDBOX_QUEUE_NAME, SANDBOX_REGION } from './config.js';
import { isPortFree } from './ports.js';
import { acceptQueryProtocol } from './sqs-query-protocol.js';

export interface SqsEmulatorOptions {
  port: number;
  /** @default SANDBOX_QUEUE_NAME */
  queueName?: string;
  /** @default SANDBOX_DLQ_NAME */
  dlqName?: string;
  /** @default COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds */
  visibilityTimeoutSeconds?: number;
  /** @default COMMAND_QUEUE_SETTINGS.maxReceiveCount */
  maxReceiveCount?: number;
}

export interface RunningSqsEmulator {
  /** `http://127.0.0.1:<port>`: pass it as `endpoint` to SQSClient (the queue URLs' host does not resolve). */
  endpoint: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
  /**
   * SANDBOX ONLY: every message on the DLQ, read through fauxqs's own inspection (nothing is
   * received, so no message is hidden from `cli dlq` or a redrive meanwhile). SQS has no such call.
   */
  peekDeadLetters(): Promise<PeekedMessage[]>;
  /** Closes the server (pending long polls return empty). Safe to call more than once. */
  stop(): Promise<void>;
}

/** A message as fauxqs's inspection shows it: its body and its string attributes. */
export interface PeekedMessage {
  body: string;
  attributes: Record<string, string>;
  sentAt: string;
}

const LOOPBACK = '127.0.0.1';

/**
 * SQS accepts #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF in a body. fauxqs
 * 1.9's check lacks the regex `u` flag, so it refuses every character beyond U+FFFF (emoji) as
 * two "invalid" surrogates. Its check is one shared RegExp object: give it the correct test.
 * A lone surrogate is still refused, as SQS does.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: SQS's allowed-character list starts at tab
const SQS_INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
let bodyCheckPatched: Promise<void> | undefined;

function patchFauxqsBodyCheck(): Promise<void> {
  bodyCheckPatched ??= (async () => {
    // Not exported by the package: loaded by file URL, the very module fauxqs's actions import.
    const appUrl =
      typeof import.meta.resolve === 'function'
        ? import.meta.resolve('fauxqs')
        : new URL('../node_modules/fauxqs/dist/app.js', import.meta.url).href;
    const types = (await import(new URL('./sqs/sqsTypes.js', appUrl).href)) as { INVALID_MESSAGE_BODY_CHAR?: RegExp };
    const check = types.INVALID_MESSAGE_BODY_CHAR;
    if (!(check instanceof RegExp))
      throw new Error('fauxqs changed: its message body check was not found; see sandbox/sqs-emulator.ts');
    check.test = (value: string) => SQS_INVALID_BODY_CHAR.test(value);
  })();
  return bodyCheckPatched;
}

function portTakenError(port: number): Error {
  return new Error(
    `Port ${port} is already in use, so the SQS emulator cannot start there. ` +
      `Stop what uses it, or pick another port with ${PORT_ENV_VARS.sqsPort}=<port>.`,
  );
}

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<RunningSqsEmulator> {
  const {
    port,
    queueName = SANDBOX_QUEUE_NAME,
    dlqName = SANDBOX_DLQ_NAME,
    visibilityTimeoutSeconds = COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds,
    maxReceiveCount = COMMAND_QUEUE_SETTINGS.maxReceiveCount,
  } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`SQS emulator port must be an integer from 1 to 65535 (got ${port})`);
  }
  if (!(await isPortFree(port))) throw portTakenError(port);

  await patchFauxqsBodyCheck();
  const app = buildApp({ logger: false, defaultRegion: SANDBOX_REGION });
  useLoopbackQueueUrls(app, port);
  // Producers on older SDKs (Debian's boto3, the Debian AWS CLI) speak SQS's Query protocol.
  acceptQueryProtocol(app);
  try {
    await app.listen({ port, host: LOOPBACK });
  } catch (error) {
    await app.close().catch(() => {});
    // Someone took the port between the check and the listen.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portTakenError(port);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= app.close().then(() => undefined));

  const endpoint = `http://${LOOPBACK}:${port}`;
  const sqs = new SQSClient({ endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  try {
    const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'true' };
    // Command queue first, so the DLQ's RedriveAllowPolicy can name its real ARN; then the
    // redrive policy, as SQS checks the target's allow policy when a source names it.
    const queueUrl = await createQueue(sqs, queueName, {
      ...fifo,
      VisibilityTimeout: String(visibilityTimeoutSeconds),
    });
    const queueArn = await getQueueArn(sqs, queueUrl);
    const dlqUrl = await createQueue(sqs, dlqName, {
      ...fifo,
      // fauxqs accepts this only at creation (SetQueueAttributes rejects the name), returns it only
      // when asked for by name (not under "All"), and does not enforce it.
      RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [queueArn] }),
    });
    const dlqArn = await getQueueArn(sqs, dlqUrl);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
      }),
    );
    const peekDeadLetters = () => peekQueue(app, dlqName);
    return { endpoint, queueUrl, queueArn, dlqUrl, dlqArn, peekDeadLetters, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  } finally {
    sqs.destroy();
  }
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/<account>/<name>`, a host that does not
 * resolve here, and finds them by that exact string. Real SQS accepts any form of a queue's URL.
 * So the emulator hands out `http://127.0.0.1:<port>/<account>/<name>` (which works with or without
 * the SDK's `endpoint` setting) and maps any URL with that path back to fauxqs's own form.
 */
function useLoopbackQueueUrls(app: ReturnType<typeof buildApp>, port: number): void {
  const internalPrefix = `http://sqs.${SANDBOX_REGION}.localhost:${port}/`;
  const loopbackPrefix = `http://${LOOPBACK}:${port}/`;
  app.addHook('preHandler', async (request: { body: unknown }) => {
    const body = request.body as { QueueUrl?: unknown } | undefined;
    if (body && typeof body.QueueUrl === 'string') {
      const path = body.QueueUrl.replace(/^https?:\/\/[^/]+\//, '');
      if (/^\d{12}\/[\w.-]+$/.test(path)) body.QueueUrl = `${internalPrefix}${path}`;
    }
  });
  app.addHook('onSend', async (_request: unknown, _reply: unknown, payload: unknown) =>
    typeof payload === 'string' ? payload.split(internalPrefix).join(loopbackPrefix) : payload,
  );
}

type InspectedMessage = {
  body: string;
  sentTimestamp: number;
  messageAttributes?: Record<string, { StringValue?: string }>;
};

/** fauxqs's non-destructive inspection (`GET /_fauxqs/queues/<name>`), asked in-process. */
async function peekQueue(app: ReturnType<typeof buildApp>, name: string): Promise<PeekedMessage[]> {
  const response = await app.inject({ method: 'GET', url: `/_fauxqs/queues/${encodeURIComponent(name)}` });
  if (response.statusCode !== 200)
    throw new Error(`the SQS emulator could not show queue ${name} (${response.statusCode})`);
  const { messages } = response.json() as {
    messages: { ready: InspectedMessage[]; delayed: InspectedMessage[]; inflight: { message: InspectedMessage }[] };
  };
  return [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)].map(
    (message) => ({
      body: message.body,
      attributes: Object.fromEntries(
        Object.entries(message.messageAttributes ?? {}).flatMap(([key, value]) =>
          value.StringValue === undefined ? [] : [[key, value.StringValue]],
        ),
      ),
      sentAt: new Date(message.sentTimestamp).toISOString(),
    }),
  );
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`The SQS emulator created queue ${name} but returned no URL`);
  return QueueUrl;
}

async function getQueueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`The SQS emulator returned no QueueArn for ${queueUrl}`);
  return arn;
}
