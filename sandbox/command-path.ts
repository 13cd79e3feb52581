/**
 * The sandbox's command path (docs/contract.md §6): the SQS emulator with the command queue and its DLQ,
 * the Sendblue simulator (unless SENDBLUE_BASE_URL points elsewhere), and a poller that feeds
 * the very sender handler the Lambda runs, the way Lambda's event source mapping does.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSenderHandler } from '../lambdas/sending/sender-handler.js';
import { COMMAND_QUEUE_SETTINGS, SENDER_LEASE_MS } from '../lambdas/contract/command-queue-settings.js';
import type { Logger } from '../lambdas/platform/logger.js';
import { breakerSettingsFor, createSenderDeps } from '../lambdas/wiring/sender-deps.js';
import type { OptedOutMembersPolicy } from '../lambdas/sending/preflight.js';
import type { BreakerSettings } from '../lambdas/sending/line-breaker.js';
import type { SecretSource } from '../lambdas/adapters/secrets.js';
import type { RetryPolicy } from '../lambdas/sending/attempt-outcome.js';
import { DEFAULT_PACING, type PacingSettings } from '../lambdas/sending/line-pacing.js';
import { DEFAULT_LINE_ADVICE, type LineAdviceSettings } from '../lambdas/sending/line-advice.js';
import { DEFAULT_NEW_CONTACT_LIMITS, type NewContactLimits } from '../lambdas/sending/new-contact-quota.js';
import type { TableStore } from '../lambdas/adapters/table.js';
import { logSink } from '../lambdas/platform/metrics.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION, type SandboxConfig } from './config.js';
import { createQueuePoller, type QueuePoller, type SqsBatchHandler } from './queue-poller.js';
import { startSendblueSimulator, type RunningSimulator, type SimulatorOptions } from './sendblue-simulator/index.js';
import { startSqsEmulator, type RunningSqsEmulator } from './sqs-emulator.js';

/** Sandbox timings: shorter than in AWS so that retries are seen in seconds, not minutes. */
const SANDBOX_SENDER_DEFAULTS = {
  /** A batch the poller lost (the sandbox stopped mid-way) comes back after this, seconds. */
  visibilityTimeoutSeconds: 30,
  /** SQS's own redrive: a safety net only (the sender dead-letters failed commands itself). */
  maxReceiveCount: COMMAND_QUEUE_SETTINGS.maxReceiveCount,
  maxAttempts: COMMAND_QUEUE_SETTINGS.maxAttempts,
  /** As in AWS: an outage of up to an hour is ridden out. */
  outageBudgetSeconds: COMMAND_QUEUE_SETTINGS.outageBudgetSeconds,
  retry: { baseSeconds: 1, maxSeconds: 30 },
  settleDelaySeconds: 1,
  sendblueTimeoutMs: COMMAND_QUEUE_SETTINGS.sendblueTimeoutMs,
  leaseMs: SENDER_LEASE_MS,
  /** Batches run side by side, like concurrent Lambda invocations. */
  concurrency: 2,
  newContacts: DEFAULT_NEW_CONTACT_LIMITS as NewContactLimits | false,
  lineAdvice: { ...DEFAULT_LINE_ADVICE, maxAgeMs: 5_000 } as LineAdviceSettings | false,
};

export interface SandboxSenderOptions {
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  maxAttempts?: number;
  /** How long a command may ride out an outage of Sendblue, seconds. */
  outageBudgetSeconds?: number;
  retry?: RetryPolicy;
  settleDelaySeconds?: number;
  sendblueTimeoutMs?: number;
  leaseMs?: number;
  concurrency?: number;
  /** Overrides of the pacing settings (rate and burst come from the sandbox config). */
  pacing?: Partial<PacingSettings>;
  /** Overrides of the lines' circuit breaker settings. */
  breaker?: Partial<BreakerSettings>;
  /**
   * The lines' new-contact quota; false = not counted.
   * @default Sendblue's (15 an hour, 50 a day), as the simulator's quota (on in the sandbox)
   */
  newContacts?: NewContactLimits | false;
  /**
   * How often the sender reads the simulator's lines/state and lines/usage; false = never.
   * @default every 5 s (AWS: 20 s), so an OFFLINE line shows within seconds
   */
  lineAdvice?: LineAdviceSettings | false;
  /** Sends that reach opted-out members (sending/preflight.ts). @default refuse a new group, warn for a group_id */
  optedOutMembers?: OptedOutMembersPolicy;
}

/** Simulator settings a caller may change (tests: delays, replies, faults-friendly timings). */
export type SandboxSimulatorOptions = Partial<
  Omit<SimulatorOptions, 'apiKeyId' | 'apiSecretKey' | 'lines' | 'receiveWebhookUrl' | 'webhookSecret' | 'port'>
> & {
  /** The account's lines besides the sandbox's own (`fromNumber`): commands may name them as `from_number`. */
  extraLines?: readonly string[];
};

export interface CommandPath {
  sqsEndpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** SANDBOX ONLY: what the DLQ holds, without receiving it (the page shows failed commands). */
  peekDeadLetters: RunningSqsEmulator['peekDeadLetters'];
  /** The Sendblue API the sender calls. */
  sendblueUrl: string;
  simulator?: RunningSimulator;
  poller: QueuePoller;
}

/**
 * Bundles mode: the sender bundle's handler instead of the source one, and what Lambda's event
 * source mapping polls the queue with (the sender's role: its credentials, through the recording endpoint).
 */
export interface SenderBundle {
  handler: SqsBatchHandler;
  awsEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Told where the queues and Sendblue are, before the first batch. */
  ready(parts: { sqsEndpoint: string; sendblueUrl: string }): void;
}

export interface CommandPathInput {
  config: SandboxConfig;
  store: TableStore;
  secrets: SecretSource;
  apiUrl: string;
  loggerFor: (component: string) => Logger;
  /** Each part registers its stop here right after it starts. */
  onStarted: (name: string, stop: () => Promise<void> | void) => void;
  sender?: SandboxSenderOptions;
  simulator?: SandboxSimulatorOptions;
  bundle?: SenderBundle;
}

/** The sender's sandbox settings: the defaults above with the caller's overrides. */
type SandboxSenderSettings = Required<Omit<SandboxSenderOptions, 'pacing' | 'breaker' | 'optedOutMembers'>> &
  SandboxSenderOptions;

export async function startCommandPath(input: CommandPathInput): Promise<CommandPath> {
  const { config, apiUrl, loggerFor, onStarted } = input;
  const settings = { ...SANDBOX_SENDER_DEFAULTS, ...input.sender };

  const emulator = await startSqsEmulator({
    port: config.sqsPort,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    maxReceiveCount: settings.maxReceiveCount,
  });
  onStarted('SQS emulator', emulator.stop);

  let simulator: RunningSimulator | undefined;
  if (!config.sendblueBaseUrl) {
    const { extraLines = [], ...simulatorOptions } = input.simulator ?? {};
    simulator = await startSendblueSimulator({
      replyEvery: 3,
      // The sandbox shows the new-contact quota (docs/sandbox.md); the sender counts it the same way.
      newContactQuota: true,
      ...simulatorOptions,
      port: config.simulatorPort,
      apiKeyId: config.apiKeyId,
      apiSecretKey: config.apiSecretKey,
      lines: [...new Set([config.fromNumber, ...extraLines])],
      receiveWebhookUrl: `${apiUrl}/webhooks/receive`,
      webhookSecret: config.webhookSecret,
      logger: loggerFor('simulator'),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(
        `Port ${config.simulatorPort} on 127.0.0.1 is already in use, so the Sendblue simulator cannot start there. ` +
          'Stop what uses it, or pick another port with SANDBOX_SIMULATOR_PORT=<port>.',
      );
    });
    onStarted('Sendblue simulator', simulator.stop);
  }
  const sendblueUrl = config.sendblueBaseUrl ?? simulator!.url;

  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  onStarted('SQS client', () => sqs.destroy());
  let handler: SqsBatchHandler;
  let pollerSqs = sqs;
  if (input.bundle) {
    input.bundle.ready({ sqsEndpoint: emulator.endpoint, sendblueUrl });
    handler = input.bundle.handler;
    pollerSqs = new SQSClient({
      endpoint: input.bundle.awsEndpoint,
      region: SANDBOX_REGION,
      credentials: input.bundle.credentials,
    });
    onStarted('SQS client (event source mapping)', () => pollerSqs.destroy());
  } else {
    handler = sourceSenderHandler(input, settings, {
      sqs,
      queueUrl: emulator.queueUrl,
      dlqUrl: emulator.dlqUrl,
      sendblueUrl,
    });
  }
  const poller = createQueuePoller({
    sqs: pollerSqs,
    queueUrl: emulator.queueUrl,
    queueArn: emulator.queueArn,
    handler,
    logger: loggerFor('poller'),
    concurrency: settings.concurrency,
  });
  poller.start();
  onStarted('queue poller', () => poller.stop());

  return {
    sqsEndpoint: emulator.endpoint,
    queueUrl: emulator.queueUrl,
    deadLetterQueueUrl: emulator.dlqUrl,
    peekDeadLetters: emulator.peekDeadLetters,
    sendblueUrl,
    simulator,
    poller,
  };
}

/** The sender from source: the very handler the Lambda runs, with the sandbox's adapters and timings. */
function sourceSenderHandler(
  input: CommandPathInput,
  settings: SandboxSenderSettings,
  parts: { sqs: SQSClient; queueUrl: string; dlqUrl: string; sendblueUrl: string },
): SqsBatchHandler {
  const { config, store, secrets, apiUrl, loggerFor } = input;
  const outageBudgetMs = settings.outageBudgetSeconds * 1000;
  return createSenderHandler(
    createSenderDeps({
      store,
      secrets,
      sqs: parts.sqs,
      logger: loggerFor('sender'),
      queueUrl: parts.queueUrl,
      deadLetterQueueUrl: parts.dlqUrl,
      sendblueBaseUrl: parts.sendblueUrl,
      sendblueTimeoutMs: settings.sendblueTimeoutMs,
      statusWebhookUrl: `${apiUrl}/webhooks/status`,
      metrics: logSink(loggerFor('sender'), 'sender metrics'),
      settings: {
        fromNumber: config.fromNumber,
        leaseMs: settings.leaseMs,
        policy: {
          maxAttempts: settings.maxAttempts,
          retry: settings.retry,
          settleDelaySeconds: settings.settleDelaySeconds,
          outageBudgetMs,
          maxReceiveCount: settings.maxReceiveCount,
        },
        pacing: {
          ...DEFAULT_PACING,
          ratePerSecond: config.lineRatePerSecond,
          burst: config.lineBurst,
          ...input.sender?.pacing,
        },
        breaker: breakerSettingsFor(
          {
            sendblueTimeoutMs: settings.sendblueTimeoutMs,
            outageBudgetMs,
            maxReceiveCount: settings.maxReceiveCount,
          },
          input.sender?.breaker,
        ),
        ...(settings.newContacts === false ? {} : { newContacts: settings.newContacts }),
        ...(settings.lineAdvice === false ? {} : { lineAdvice: settings.lineAdvice }),
        // The account's other lines are ours too: pre-flight tells them from members.
        preflight: { optedOutMembers: settings.optedOutMembers, lines: input.simulator?.extraLines ?? [] },
      },
    }),
  );
}
