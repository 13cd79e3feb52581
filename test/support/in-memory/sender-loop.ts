/**
 * The sender's whole exactly-once loop in memory, on a virtual clock (test only): the FIFO command
 * queue and its DLQ (sqs.ts), Lambda's event source (lambda-event-source.ts) feeding the real
 * `createSenderHandler` (runFifoBatch + createCommandProcessor), the real SQS queue adapter on the
 * in-memory SQS client, the in-memory table (table.ts) and Sendblue (sendblue.ts). Faults can be
 * injected everywhere: Sendblue's fault mix, storage and queue calls failing before or after
 * taking effect, invocations that crash mid-way or run past their timeout. Nothing waits for
 * real time, so hundreds of commands under faults settle in well under a second.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { createSqsCommandQueue } from '../../../lambdas/adapters/sqs-command-queue.js';
import { breakerSettingsFor } from '../../../lambdas/wiring/sender-deps.js';
import { COMMAND_QUEUE_SETTINGS, SENDER_LEASE_MS } from '../../../lambdas/contract/command-queue-settings.js';
import type { CommandItem } from '../../../lambdas/contract/items.js';
import { silentLogger, type Logger } from '../../../lambdas/platform/logger.js';
import type { SenderPolicy } from '../../../lambdas/sending/attempt-outcome.js';
import { DEFAULT_PACING, type PacingSettings } from '../../../lambdas/sending/line-pacing.js';
import type { CommandQueue } from '../../../lambdas/sending/ports.js';
import { createSenderHandler } from '../../../lambdas/sending/sender-handler.js';
import { seededRandom } from '../../../sandbox/sendblue-simulator/faults.js';
import type { FaultMix, LineRateLimit } from '../../../sandbox/sendblue-simulator/types.js';
import { type InjectedFaults, injectFaults, storageFault } from './intercept.js';
import { type CrashPlan, type EventSource, type EventSourceStats, startEventSource } from './lambda-event-source.js';
import { createInMemorySendblue, type InMemorySendblue } from './sendblue.js';
import { InMemorySqs } from './sqs.js';
import { createInMemoryTable, type InMemoryTable } from './table.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * A command that has ended: sent, failed, or `unknown` for good (a tapback that may have reached
 * Sendblue, which nothing can check: no attempt is due), as `isCommandSettled` reads a command view.
 */
const hasEnded = (item: CommandItem | undefined): boolean =>
  item?.state === 'sent' ||
  item?.state === 'failed' ||
  (item?.state === 'unknown' && item.next_attempt_at === undefined);

export const LOOP_LINE = '+15550001000';
const QUEUE = 'commands.fifo';
const DLQ = 'commands-dlq.fifo';

export interface SenderLoopOptions {
  /** Seeds every random draw of the loop (faults, latencies, crashes). */
  seed: number;
  /** @default COMMAND_QUEUE_SETTINGS (5 attempts, 5 s doubling to 300 s, 30 s settle delay) */
  policy?: SenderPolicy;
  /** @default SENDER_LEASE_MS (the Lambda timeout + 10 s) */
  leaseMs?: number;
  /** @default DEFAULT_PACING (Sendblue's 1/s, bursts of 10) */
  pacing?: Partial<PacingSettings>;
  /** Sendblue's line limit. @default Sendblue's, { perSecond: 1, burst: 10 } */
  lineRateLimit?: LineRateLimit | false;
  /** @default COMMAND_QUEUE_SETTINGS.sendblueTimeoutMs */
  sendblueTimeoutMs?: number;
  /** @default COMMAND_QUEUE_SETTINGS: batches of 10, 5 at once, 30 s timeout, 180 s visibility, 1,000 receives */
  batchSize?: number;
  concurrency?: number;
  lambdaTimeoutMs?: number;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  faults?: {
    /** Sendblue's seeded fault mix (the simulator's FaultMix). */
    sendblue?: Omit<FaultMix, 'seed'>;
    /** Share of table calls that fail, half before and half after taking effect. */
    storage?: number;
    /** The same, for the sender's queue calls (delay a retry, move to the DLQ). */
    queue?: number;
    /** Share of invocations that crash at one of their first port calls. */
    crash?: number;
  };
  /** Decides where the n-th invocation (from 1) crashes, instead of `faults.crash`. @default none */
  crashPlan?: (invocation: number) => CrashPlan | undefined;
  /** Virtual ms each port call takes, drawn up to this. @default 0 */
  maxLatencyMs?: number;
  logger?: Logger;
}

export interface DeadLetterCopy {
  body: string;
  attributes: Record<string, string | undefined>;
}

export interface SenderLoop {
  clock: VirtualClock;
  /** The table itself: no faults, no invocation (for the test's own reads). */
  table: InMemoryTable;
  sendblue: InMemorySendblue;
  sqs: InMemorySqs;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stats: EventSourceStats;
  injected: { storage: InjectedFaults; queue: InjectedFaults };
  /** Puts a command on the queue as a producer does; the message group defaults to its group_id. */
  push(command: Record<string, unknown>, options?: { groupId?: string; dedupId?: string }): void;
  /**
   * Runs the loop until the queue is empty (every command pushed has ended), then answers those of
   * `commandIds` that are `sent` or `failed`. Throws, saying what is open, when the loop is stuck.
   */
  settle(commandIds: readonly string[], options?: { limitMs?: number }): Promise<Map<string, CommandItem>>;
  /** The DLQ's messages (left on it). */
  deadLetters(): DeadLetterCopy[];
  stop(): void;
}

export function startSenderLoop(options: SenderLoopOptions): SenderLoop {
  const random = seededRandom(options.seed);
  const clock = new VirtualClock();
  let leases = 0;
  const table = createInMemoryTable({ now: clock.now, newLeaseId: () => `lease-${(leases += 1)}` });
  const timeoutMs = options.sendblueTimeoutMs ?? COMMAND_QUEUE_SETTINGS.sendblueTimeoutMs;
  const sendblue = createInMemorySendblue({
    lines: [LOOP_LINE],
    now: clock.nowMs,
    sleep: clock.sleep,
    timeoutMs,
    lineRateLimit: options.lineRateLimit,
  });
  const faults = options.faults ?? {};
  if (faults.sendblue) sendblue.faults.setMix({ ...faults.sendblue, seed: options.seed });

  const sqs = new InMemorySqs(clock.nowMs);
  const dlq = sqs.createQueue(DLQ, { visibilityTimeoutSeconds: 30 });
  const queue = sqs.createQueue(QUEUE, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds,
    maxReceiveCount: options.maxReceiveCount ?? COMMAND_QUEUE_SETTINGS.maxReceiveCount,
    deadLetterQueue: DLQ,
  });
  const sqsClient = sqs.client();
  const storage = injectFaults(table, { random, rate: faults.storage ?? 0, error: storageFault });
  const queuePort = injectFaults<CommandQueue>(
    createSqsCommandQueue({ sqs: sqsClient, queueUrl: queue.url, deadLetterQueueUrl: dlq.url, now: clock.now }),
    {
      random,
      rate: faults.queue ?? 0,
      error: () => Object.assign(new Error('injected queue fault'), { name: 'InternalError', $fault: 'server' }),
    },
  );
  storage.faults.on = (faults.storage ?? 0) > 0;
  queuePort.faults.on = (faults.queue ?? 0) > 0;

  const logger = options.logger ?? silentLogger;
  const policy = options.policy ?? {
    maxAttempts: COMMAND_QUEUE_SETTINGS.maxAttempts,
    retry: {
      baseSeconds: COMMAND_QUEUE_SETTINGS.retryBaseDelaySeconds,
      maxSeconds: COMMAND_QUEUE_SETTINGS.retryMaxDelaySeconds,
    },
    settleDelaySeconds: COMMAND_QUEUE_SETTINGS.settleDelaySeconds,
    outageBudgetMs: COMMAND_QUEUE_SETTINGS.outageBudgetSeconds * 1000,
    maxReceiveCount: COMMAND_QUEUE_SETTINGS.maxReceiveCount,
  };
  const maxLatency = options.maxLatencyMs ?? 0;
  const crashRate = faults.crash ?? 0;
  let invocations = 0;

  const source: EventSource = startEventSource({
    sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    clock,
    batchSize: options.batchSize ?? COMMAND_QUEUE_SETTINGS.batchSize,
    concurrency: options.concurrency ?? COMMAND_QUEUE_SETTINGS.maxConcurrency,
    timeoutMs: options.lambdaTimeoutMs ?? COMMAND_QUEUE_SETTINGS.senderTimeoutSeconds * 1000,
    latencyMs: () => (maxLatency > 0 ? Math.floor(random() * maxLatency) : 0),
    // A crash at one of the first 40 port calls: before a claim, after a send, before a finish...
    crashPlan: () => {
      invocations += 1;
      if (options.crashPlan) return options.crashPlan(invocations);
      return crashRate > 0 && random() < crashRate
        ? { at: Math.floor(random() * 40), afterIt: random() < 0.5 }
        : undefined;
    },
    invoke: (event, invocation) =>
      createSenderHandler({
        store: invocation.guard(storage.target),
        sendblue: invocation.guard(sendblue.api),
        queue: invocation.guard(queuePort.target),
        relay: invocation.guardFunction(async () => {}),
        logger,
        now: clock.now,
        sleep: invocation.guardFunction(clock.sleep),
        settings: {
          fromNumber: LOOP_LINE,
          statusCallbackUrl: async () => 'https://stack.example/webhooks/status?token=in-memory',
          leaseMs: options.leaseMs ?? SENDER_LEASE_MS,
          policy,
          pacing: { ...DEFAULT_PACING, ...options.pacing },
          breaker: breakerSettingsFor({
            sendblueTimeoutMs: COMMAND_QUEUE_SETTINGS.sendblueTimeoutMs,
            outageBudgetMs: policy.outageBudgetMs,
            maxReceiveCount: policy.maxReceiveCount,
          }),
        },
      })(event) as Promise<SQSBatchResponse>,
  });

  const deadLetters = (): DeadLetterCopy[] =>
    sqs.peek(dlq.url).map((message) => ({
      body: message.Body ?? '',
      attributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
      ),
    }));

  return {
    clock,
    table,
    sendblue,
    sqs,
    queueUrl: queue.url,
    deadLetterQueueUrl: dlq.url,
    stats: source.stats,
    injected: { storage: storage.faults, queue: queuePort.faults },
    push(command, { groupId, dedupId } = {}) {
      sqs.sendMessage({
        QueueUrl: queue.url,
        MessageBody: JSON.stringify(command),
        MessageGroupId: groupId ?? (typeof command.group_id === 'string' ? command.group_id : 'new-group'),
        ...(dedupId ? { MessageDeduplicationId: dedupId } : {}),
      });
    },
    async settle(commandIds, { limitMs = 24 * 3_600_000 } = {}) {
      // Every command was pushed before: once the queue is empty, each one has ended (or was lost,
      // which the caller sees as a command that is not settled).
      await clock.runUntil(() => sqs.depth(queue.url) === 0, {
        limitMs,
        describe: () => {
          const open = commandIds
            .map((id) => table.command(id))
            .filter((item) => !hasEnded(item))
            .map((item) => `${item?.command_id}: ${item?.state} (${item?.error ?? ''})`);
          return `${sqs.depth(queue.url)} messages on the queue; ${open.length} commands not settled: ${open.slice(0, 5).join('; ')}`;
        },
      });
      const settled = new Map<string, CommandItem>();
      for (const id of commandIds) {
        const item = table.command(id);
        if (item && hasEnded(item)) settled.set(id, item);
      }
      return settled;
    },
    deadLetters,
    stop: () => source.stop(),
  };
}
