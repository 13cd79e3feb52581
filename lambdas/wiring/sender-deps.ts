import { SQSClient } from '@aws-sdk/client-sqs';
import { COMMAND_QUEUE_SETTINGS, SENDER_LEASE_MS } from '../contract/command-queue-settings.js';
import { ENV, numberFromEnv, requireEnv } from '../contract/env.js';
import { DEFAULT_PACING } from '../sending/line-pacing.js';
import { isOptedOutMembersPolicy, type PreflightSettings } from '../sending/preflight.js';
import { breakerForBudget, DEFAULT_BREAKER, type BreakerSettings } from '../sending/line-breaker.js';
import { loggerFromEnv, secretsFromEnv, tableStoreFromEnv } from './lambda-deps.js';
import type { Logger } from '../platform/logger.js';
import { createSqsCommandQueue } from '../adapters/sqs-command-queue.js';
import type { SecretSource } from '../adapters/secrets.js';
import { createSendblueClient } from '../adapters/sendblue-client.js';
import type { SenderDeps, SenderSettings } from '../sending/command-processor.js';
import { createStatusRelay } from '../adapters/status-relay.js';
import { withCallbackToken } from '../webhooks/webhook-auth.js';
import { createMetricTally, emfSink, type MetricSink } from '../platform/metrics.js';
import { createLineAdvice, DEFAULT_LINE_ADVICE } from '../sending/line-advice.js';
import { DEFAULT_NEW_CONTACT_LIMITS, type NewContactLimits } from '../sending/new-contact-quota.js';

export interface SenderWiring {
  store: SenderDeps['store'];
  secrets: SecretSource;
  logger: Logger;
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  sendblueBaseUrl: string;
  sendblueTimeoutMs: number;
  /** The stack's (or sandbox's) POST /webhooks/status URL, without the token. */
  statusWebhookUrl: string;
  /** Where the batch's outcome counts go: EMF in Lambda, the log in the sandbox. */
  metrics: MetricSink;
  settings: Omit<SenderSettings, 'statusCallbackUrl'>;
}

/** The sender's adapters from plain values: the Lambda (below) and the sandbox build them the same way. */
export function createSenderDeps(wiring: SenderWiring): SenderDeps {
  const { secrets, logger } = wiring;
  const sendblue = createSendblueClient({
    credentials: secrets.apiCredentials,
    baseUrl: wiring.sendblueBaseUrl,
    timeoutMs: wiring.sendblueTimeoutMs,
  });
  const { lineAdvice } = wiring.settings;
  return {
    store: wiring.store,
    sendblue,
    lineAdvice: lineAdvice ? createLineAdvice({ sendblue, now: Date.now, logger, settings: lineAdvice }) : undefined,
    queue: createSqsCommandQueue({
      sqs: wiring.sqs,
      queueUrl: wiring.queueUrl,
      deadLetterQueueUrl: wiring.deadLetterQueueUrl,
    }),
    relay: createStatusRelay(logger),
    logger,
    metrics: createMetricTally(wiring.metrics),
    settings: {
      ...wiring.settings,
      statusCallbackUrl: async () => withCallbackToken(wiring.statusWebhookUrl, await secrets.callbackToken()),
    },
  };
}

/**
 * The lines' breaker for a sender: a probe holds its lease a little longer than one Sendblue call,
 * and the probe gap's cap grows with a long outage budget (line-breaker.ts `breakerForBudget`).
 */
export function breakerSettingsFor(
  options: { sendblueTimeoutMs: number; outageBudgetMs: number; maxReceiveCount: number },
  overrides: Partial<BreakerSettings> = {},
): BreakerSettings {
  return breakerForBudget(
    { ...DEFAULT_BREAKER, probeLeaseMs: options.sendblueTimeoutMs + 5_000, ...overrides },
    options.outageBudgetMs,
    options.maxReceiveCount,
  );
}

/** The new-contact quota the stack set (0 = not counted); Sendblue's published limits when unset. */
function newContactsFromEnv(): NewContactLimits | undefined {
  const zeroOrMore = (value: number) => value >= 0 && Number.isInteger(value);
  const perHour = numberFromEnv(ENV.newContactsPerHour, DEFAULT_NEW_CONTACT_LIMITS.perHour, zeroOrMore);
  const perDay = numberFromEnv(ENV.newContactsPerDay, DEFAULT_NEW_CONTACT_LIMITS.perDay, zeroOrMore);
  return perHour > 0 && perDay > 0 ? { ...DEFAULT_NEW_CONTACT_LIMITS, perHour, perDay } : undefined;
}

/** The sender Lambda's adapters, built from the environment the stack sets. */
export function senderDepsFromEnv(): SenderDeps {
  const settings = COMMAND_QUEUE_SETTINGS;
  const sendblueTimeoutMs = numberFromEnv(ENV.sendblueTimeoutMs, settings.sendblueTimeoutMs);
  const outageBudgetMs = numberFromEnv(ENV.outageBudgetSeconds, settings.outageBudgetSeconds) * 1000;
  return createSenderDeps({
    store: tableStoreFromEnv(),
    secrets: secretsFromEnv(),
    logger: loggerFromEnv('sender'),
    sqs: new SQSClient({}),
    queueUrl: requireEnv(ENV.commandQueueUrl),
    deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
    sendblueBaseUrl: requireEnv(ENV.sendblueBaseUrl),
    sendblueTimeoutMs,
    statusWebhookUrl: requireEnv(ENV.statusWebhookUrl),
    metrics: emfSink(),
    settings: {
      fromNumber: requireEnv(ENV.fromNumber),
      leaseMs: SENDER_LEASE_MS,
      policy: {
        maxAttempts: numberFromEnv(ENV.maxAttempts, settings.maxAttempts),
        retry: { baseSeconds: settings.retryBaseDelaySeconds, maxSeconds: settings.retryMaxDelaySeconds },
        settleDelaySeconds: settings.settleDelaySeconds,
        outageBudgetMs,
        maxReceiveCount: settings.maxReceiveCount,
      },
      pacing: {
        ...DEFAULT_PACING,
        ratePerSecond: numberFromEnv(ENV.lineRatePerSecond, DEFAULT_PACING.ratePerSecond),
        burst: numberFromEnv(ENV.lineBurst, DEFAULT_PACING.burst),
      },
      breaker: breakerSettingsFor({ sendblueTimeoutMs, outageBudgetMs, maxReceiveCount: settings.maxReceiveCount }),
      newContacts: newContactsFromEnv(),
      lineAdvice: DEFAULT_LINE_ADVICE,
      preflight: preflightFromEnv(),
    },
  });
}

/** Pre-flight's settings from the environment: an unknown policy value is the default, as unset. */
function preflightFromEnv(): PreflightSettings {
  const policy = process.env[ENV.optedOutMembers];
  const lines = (process.env[ENV.ourLines] ?? '')
    .split(',')
    .map((line) => line.trim())
    .filter(Boolean);
  return { ...(isOptedOutMembersPolicy(policy) ? { optedOutMembers: policy } : {}), lines };
}
