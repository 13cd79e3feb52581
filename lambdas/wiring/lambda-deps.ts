import { ENV, requireEnv } from '../contract/env.js';
import { createLogger } from '../platform/logger.js';
import { secretsManagerSource } from '../adapters/secrets.js';
import { createDocumentClient, createTableStore } from '../adapters/table.js';

/**
 * Adapters for the deployed Lambdas, built from the environment the stack sets. The sender's
 * (Sendblue SDK, SQS client) are in ./sender-deps.ts, so the ingest and read bundles do not carry
 * and load them (measured by `npm run bench`).
 */
export const tableStoreFromEnv = () =>
  createTableStore({ documentClient: createDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const secretsFromEnv = () =>
  secretsManagerSource({
    webhookSecretArn: process.env[ENV.webhookSecretArn],
    callbackTokenSecretArn: process.env[ENV.callbackTokenSecretArn],
    apiCredentialsSecretArn: process.env[ENV.apiCredentialsSecretArn],
  });

export const loggerFromEnv = (service: string) => createLogger({ base: { service } });
