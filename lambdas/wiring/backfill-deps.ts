import { SQSClient } from '@aws-sdk/client-sqs';
import type { BackfillJobDeps, BackfillJobSettings } from '../backfill/backfill-job.js';
import { BACKFILL_ENV, BACKFILL_SETTINGS } from '../contract/backfill-settings.js';
import { COMMAND_QUEUE_SETTINGS } from '../contract/command-queue-settings.js';
import { ENV, numberFromEnv, requireEnv } from '../contract/env.js';
import { loggerFromEnv, secretsFromEnv, tableStoreFromEnv } from './lambda-deps.js';
import type { Logger } from '../platform/logger.js';
import { emfSink, type MetricSink } from '../platform/metrics.js';
import { createDeadLetterSink } from '../adapters/sqs-command-queue.js';
import type { SecretSource } from '../adapters/secrets.js';
import { createSendblueClient } from '../adapters/sendblue-client.js';
import { createStatusRelay } from '../adapters/status-relay.js';

export interface BackfillWiring {
  store: BackfillJobDeps['store'];
  secrets: SecretSource;
  logger: Logger;
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  sendblueBaseUrl: string;
  metrics: MetricSink;
  settings: BackfillJobSettings;
}

/** The backfill job's adapters from plain values: the Lambda (below) and the sandbox build them the same way. */
export function createBackfillDeps(wiring: BackfillWiring): BackfillJobDeps {
  return {
    store: wiring.store,
    sendblue: createSendblueClient({
      credentials: wiring.secrets.apiCredentials,
      baseUrl: wiring.sendblueBaseUrl,
      timeoutMs: BACKFILL_SETTINGS.sendblueTimeoutMs,
      listCallsPerSecond: BACKFILL_SETTINGS.listCallsPerSecond,
    }),
    // The relay posts to a command's own status_callback: no token needed.
    relay: createStatusRelay(wiring.logger),
    deadLetter: createDeadLetterSink({ sqs: wiring.sqs, deadLetterQueueUrl: wiring.deadLetterQueueUrl }),
    logger: wiring.logger,
    metrics: wiring.metrics,
    settings: wiring.settings,
  };
}

const MINUTE_MS = 60_000;

/** The settings both the Lambda and the sandbox start from (the sandbox shortens some). */
export function defaultBackfillSettings(lines: string[], fromNumber: string): BackfillJobSettings {
  const s = BACKFILL_SETTINGS;
  const q = COMMAND_QUEUE_SETTINGS;
  return {
    lines,
    fromNumber,
    overlapMs: s.overlapMinutes * MINUTE_MS,
    lookbackMs: s.lookbackMinutes * MINUTE_MS,
    pageSize: s.pageSize,
    maxPagesPerRun: s.maxPagesPerRun,
    listBudgetMs: s.listBudgetSeconds * 1000,
    runBudgetMs: s.runBudgetSeconds * 1000,
    unsettledMinAgeMs: s.unsettledMinAgeMinutes * MINUTE_MS,
    sweepMaxPerRun: s.sweepMaxPerRun,
    // Longer than the function can run: a sweep cut off by the timeout is never overlapped.
    leaseMs: (s.timeoutSeconds + 10) * 1000,
    policy: {
      maxAttempts: q.maxAttempts,
      retry: { baseSeconds: q.retryBaseDelaySeconds, maxSeconds: q.retryMaxDelaySeconds },
      settleDelaySeconds: q.settleDelaySeconds,
      outageBudgetMs: q.outageBudgetSeconds * 1000,
      maxReceiveCount: q.maxReceiveCount,
    },
  };
}

/** Lines to read: the stack's line, then BACKFILL_LINES (comma-separated), each once. */
export function backfillLines(fromNumber: string, listed: string | undefined): string[] {
  return [
    ...new Set([
      fromNumber,
      ...(listed ?? '')
        .split(',')
        .map((line) => line.trim())
        .filter(Boolean),
    ]),
  ];
}

/** The backfill Lambda's adapters, built from the environment the stack sets. */
export function backfillDepsFromEnv(): BackfillJobDeps {
  // 0 is a valid number of minutes (no overlap); the defaults are already in milliseconds.
  const minutes = (name: string, fallbackMs: number) => {
    const value = numberFromEnv(name, Number.NaN, (given) => given >= 0);
    return Number.isNaN(value) ? fallbackMs : value * MINUTE_MS;
  };
  const fromNumber = requireEnv(ENV.fromNumber);
  const defaults = defaultBackfillSettings(backfillLines(fromNumber, process.env[BACKFILL_ENV.lines]), fromNumber);
  return createBackfillDeps({
    store: tableStoreFromEnv(),
    secrets: secretsFromEnv(),
    logger: loggerFromEnv('backfill'),
    sqs: new SQSClient({}),
    deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
    sendblueBaseUrl: requireEnv(ENV.sendblueBaseUrl),
    metrics: emfSink(),
    settings: {
      ...defaults,
      overlapMs: minutes(BACKFILL_ENV.overlapMinutes, defaults.overlapMs),
      lookbackMs: minutes(BACKFILL_ENV.lookbackMinutes, defaults.lookbackMs),
      unsettledMinAgeMs: minutes(BACKFILL_ENV.unsettledMinAgeMinutes, defaults.unsettledMinAgeMs),
    },
  });
}
