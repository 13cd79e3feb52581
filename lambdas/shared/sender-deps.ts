import { SQSClient } from '@aws-sdk/client-sqs';
import { COMMAND_QUEUE_SETTINGS } from './command-queue-settings';
import { ENV, requireEnv } from './env';
import { loggerFromEnv, secretsFromEnv, tableStoreFromEnv } from './lambda-deps';
import { createSqsCommandQueue } from './queue-adapter';
import { createSendblueClient } from './sendblue-client';
import type { SenderDeps } from './sender-service';
import { createStatusRelay } from './status-relay';
import { withCallbackToken } from './webhook-auth';

/** The sender Lambda's adapters, built from the environment the stack sets. */
export function senderDepsFromEnv(): SenderDeps {
  const secrets = secretsFromEnv();
  const logger = loggerFromEnv('sender');
  const statusUrl = requireEnv(ENV.statusWebhookUrl);
  const settings = COMMAND_QUEUE_SETTINGS;
  return {
    store: tableStoreFromEnv(),
    sendblue: createSendblueClient({
      credentials: secrets.apiCredentials,
      baseUrl: requireEnv(ENV.sendblueBaseUrl),
      timeoutMs: Number(process.env[ENV.sendblueTimeoutMs]) || settings.sendblueTimeoutMs,
    }),
    queue: createSqsCommandQueue({
      sqs: new SQSClient({}),
      queueUrl: requireEnv(ENV.commandQueueUrl),
      deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
    }),
    relay: createStatusRelay(logger),
    logger,
    settings: {
      fromNumber: requireEnv(ENV.fromNumber),
      statusCallbackUrl: async () => withCallbackToken(statusUrl, await secrets.callbackToken()),
      maxReceiveCount: Number(process.env[ENV.maxReceiveCount]) || settings.maxReceiveCount,
      // Longer than the function can run: an attempt cut off by the timeout is never overlapped.
      leaseMs: (settings.senderTimeoutSeconds + 10) * 1000,
      retry: { baseSeconds: settings.retryBaseDelaySeconds, maxSeconds: settings.retryMaxDelaySeconds },
    },
  };
}
