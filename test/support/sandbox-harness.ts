/**
 * A whole sandbox for sender tests: the run's DynamoDB Local (a fresh table), the SQS emulator,
 * the Sendblue simulator over HTTP, the sandbox API (webhooks, reads) and the poller feeding the
 * real sender handler. Nothing is mocked; only timings are shortened (retries are immediate
 * unless a test asks otherwise).
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createLogger } from '../../lambdas/platform/logger.js';
import {
  DEFAULT_SANDBOX_CONFIG,
  SANDBOX_CREDENTIALS,
  SANDBOX_REGION,
  type SandboxConfig,
} from '../../sandbox/config.js';
import type { SandboxSenderOptions, SandboxSimulatorOptions } from '../../sandbox/command-path.js';
import type { BackfillJobSettings } from '../../lambdas/backfill/backfill-job.js';
import { findFreePort } from '../../sandbox/ports.js';
import type { RunningSimulator } from '../../sandbox/sendblue-simulator/index.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/start.js';
import type { StreamPathOptions } from '../../sandbox/stream-path.js';

export const LINE = DEFAULT_SANDBOX_CONFIG.fromNumber;
export const MEMBERS = ['+15551230001', '+15551230002', '+15551230003'];
/** The line limit tests use unless they test pacing (the simulator enforces it like Sendblue). */
const FAST_LINE = { perSecond: 20, burst: 20 } as const;

export interface HarnessOptions {
  sender?: SandboxSenderOptions;
  simulator?: SandboxSimulatorOptions;
  streams?: StreamPathOptions;
  /** Backfill settings; its timer is off unless `config.backfillSeconds` is set (tests call `sandbox.backfill.runNow()`). */
  backfill?: Partial<BackfillJobSettings>;
  config?: Partial<SandboxConfig>;
  onDocumentClient?: (client: DynamoDBDocumentClient) => void;
}

export interface DeadLetter {
  body: string;
  attributes: Record<string, string | undefined>;
}

export interface Harness {
  sandbox: RunningSandbox;
  sim: RunningSimulator;
  sqs: SQSClient;
  /** Every log line the sandbox's components wrote (JSON), to check what never reaches logs. */
  logs: string[];
  /** Puts a command on the queue like a producer; MessageGroupId defaults to its group_id or "new-group". */
  push(command: Record<string, unknown>, options?: { groupId?: string; dedupId?: string }): Promise<void>;
  /** GET /commands/{id} through the sandbox API. */
  command(id: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Waits until the command reaches one of the states (polling the read API). */
  waitForCommand(id: string, states: string[], timeoutMs?: number): Promise<Record<string, unknown>>;
  /** GET through the sandbox API. */
  get(path: string): Promise<{ status: number; body: any }>;
  /** Everything that reached the DLQ so far (taken off the queue and remembered here). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Sendblue API calls the simulator answered or cut, for one route path. */
  calls(path: string): number;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const logs: string[] = [];
  // The real logger (with its redaction), writing into `logs` instead of stdout.
  const loggerFor = (component: string) =>
    createLogger({ base: { component }, level: 'debug', write: (line) => logs.push(line) });

  const config: SandboxConfig = {
    ...DEFAULT_SANDBOX_CONFIG,
    port: await findFreePort(),
    sqsPort: await findFreePort(),
    simulatorPort: await findFreePort(),
    // A faster line than Sendblue's (1/s, bursts of 10) so tests of other things do not wait for it;
    // the pacing tests set Sendblue's own limits.
    lineRatePerSecond: FAST_LINE.perSecond,
    lineBurst: FAST_LINE.burst,
    // No timer: a backfill run in the middle of a test would add list calls the test counts.
    backfillSeconds: 0,
    ...options.config,
  };
  const sandbox = await startSandbox(config, {
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tableName: `sender-${randomUUID()}`,
    loggerFor,
    onDocumentClient: options.onDocumentClient,
    backfill: options.backfill,
    sender: {
      retry: { baseSeconds: 0, maxSeconds: 0 },
      leaseMs: 5_000,
      sendblueTimeoutMs: 1_500,
      // Off unless a test turns them on: tests of other things send to many new numbers, and count calls.
      newContacts: false,
      lineAdvice: false,
      ...options.sender,
      pacing: { throttlePauseMs: 200, ...options.sender?.pacing },
    },
    simulator: {
      replyEvery: 0,
      statusDelaysMs: { sent: 5, delivered: 15 },
      lineRateLimit: FAST_LINE,
      newContactQuota: false,
      ...options.simulator,
    },
    streams: options.streams,
  });
  const sqs = new SQSClient({ endpoint: sandbox.urls.sqs, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  const seenDeadLetters: DeadLetter[] = [];

  const get = async (path: string): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${sandbox.urls.api}${path}`);
    return { status: response.status, body: await response.json() };
  };

  return {
    sandbox,
    sim: sandbox.simulator!,
    sqs,
    logs,
    async push(command, { groupId, dedupId } = {}) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: sandbox.urls.commandQueue,
          MessageBody: JSON.stringify(command),
          MessageGroupId: groupId ?? (typeof command.group_id === 'string' ? command.group_id : 'new-group'),
          ...(dedupId ? { MessageDeduplicationId: dedupId } : {}),
        }),
      );
    },
    command: (id) => get(`/commands/${encodeURIComponent(id)}`),
    async waitForCommand(id, states, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: { status: number; body: Record<string, unknown> } | undefined;
      while (Date.now() < deadline) {
        last = await get(`/commands/${encodeURIComponent(id)}`);
        if (last.status === 200 && states.includes(String(last.body.state))) return last.body;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(
        `command ${id} did not reach ${states.join('|')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
      );
    },
    get,
    async deadLetters() {
      // Drained into `seenDeadLetters`: a FIFO queue shows only the head of each message group
      // until it is deleted (fauxqs even returns one message per group per receive).
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: sandbox.urls.deadLetterQueue,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 30,
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
          }),
        );
        if (!out.Messages?.length) return [...seenDeadLetters];
        for (const message of out.Messages) {
          seenDeadLetters.push({
            body: message.Body ?? '',
            attributes: Object.fromEntries(
              Object.entries(message.MessageAttributes ?? {}).map(([key, value]: [string, MessageAttributeValue]) => [
                key,
                value.StringValue,
              ]),
            ),
          });
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: sandbox.urls.deadLetterQueue, ReceiptHandle: message.ReceiptHandle }),
          );
        }
      }
    },
    calls: (path) => sandbox.simulator!.requests.filter((request) => request.path === path).length,
    async stop() {
      sqs.destroy();
      await sandbox.stop();
    },
  };
}
