import { ENV, requireEnv } from './env';
import { createLogger } from './logger';
import { secretsManagerSource } from './secrets';
import { createDocumentClient, createTableStore } from './table';

/** Adapters for the deployed Lambdas, built from the environment the stack sets. */
export const tableStoreFromEnv = () =>
  createTableStore({ documentClient: createDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const secretsFromEnv = () =>
  secretsManagerSource({
    webhookSecretArn: process.env[ENV.webhookSecretArn],
    callbackTokenSecretArn: process.env[ENV.callbackTokenSecretArn],
    apiCredentialsSecretArn: process.env[ENV.apiCredentialsSecretArn],
  });

export const loggerFromEnv = (service: string) => createLogger({ base: { service } });
