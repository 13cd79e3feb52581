/**
 * Starts the whole sandbox in-process (DESIGN.md §6) and returns how to reach and stop it.
 * Each part that starts registers its stop; stop() runs them in reverse order, and a failure
 * half-way through startup stops whatever had already started before rethrowing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createIngestHandler } from '../lambdas/handlers/ingest';
import { createReadHandler } from '../lambdas/handlers/read';
import { createLogger, type Logger } from '../lambdas/shared/logger';
import { staticSecretSource } from '../lambdas/shared/secrets';
import { createDocumentClient, createTableStore } from '../lambdas/shared/table';
import { PORT_ENV_VARS, SANDBOX_CREDENTIALS, SANDBOX_REGION, SANDBOX_TABLE, type SandboxConfig } from './config';
import { ensureTable } from './create-table';
import { startDynamoDbLocal } from './dynamodb-local';
import { createApiServer } from './http-adapter';

export interface SandboxUrls {
  api: string;
  health: string;
  receiveWebhook: string;
  statusWebhook: string;
  dynamoDb: string;
}

export interface RunningSandbox {
  urls: SandboxUrls;
  tableName: string;
  /** Stops everything started, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  /** Called with progress lines ("DynamoDB Local ready in 2.1 s"). */
  onProgress?: (line: string) => void;
  /** The logger of each component (ingest, read, sandbox-api); default: JSON lines on stdout. */
  loggerFor?: (component: string) => Logger;
}

type Stopper = { name: string; stop: () => Promise<void> | void };

export async function startSandbox(config: SandboxConfig, options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const progress = options.onProgress ?? (() => {});
  const loggerFor = options.loggerFor ?? ((component: string) => createLogger({ base: { component } }));
  const started: Stopper[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopAll(started));

  try {
    const t0 = Date.now();
    const dynamo = await startDynamoDbLocal({ port: config.dynamoDbPort });
    started.push({ name: 'DynamoDB Local', stop: dynamo.stop });
    progress(`DynamoDB Local ready on ${dynamo.endpoint} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const clientConfig = { endpoint: dynamo.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
    const adminClient = new DynamoDBClient(clientConfig);
    try {
      await ensureTable(adminClient, SANDBOX_TABLE);
    } finally {
      adminClient.destroy();
    }
    const documentClient = createDocumentClient(clientConfig);
    started.push({ name: 'DynamoDB client', stop: () => documentClient.destroy() });
    const store = createTableStore({ documentClient, tableName: SANDBOX_TABLE });

    // Later here: the SQS emulator (fauxqs on config.sqsPort, queue SANDBOX_QUEUE_NAME with
    // SANDBOX_DLQ_NAME), the Sendblue simulator (config.simulatorPort, unless config.sendblueBaseUrl),
    // and the poller that feeds the sender like Lambda's event source mapping. Each one pushes its
    // stop onto `started` right after it starts.

    const secrets = staticSecretSource({
      webhookSecret: config.webhookSecret,
      apiKeyId: config.apiKeyId,
      apiSecretKey: config.apiSecretKey,
    });
    const api = createApiServer({
      handlers: {
        ingest: createIngestHandler({ store, secrets, logger: loggerFor('ingest') }),
        read: createReadHandler({ store, logger: loggerFor('read') }),
      },
      logger: loggerFor('sandbox-api'),
    });
    const apiUrl = await api.listen(config.port).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(
        `Port ${config.port} on 127.0.0.1 is already in use, so the sandbox API cannot start there. ` +
          `Stop what uses it, or pick another port with ${PORT_ENV_VARS.port}=<port>.`,
      );
    });
    started.push({ name: 'HTTP API', stop: () => api.close() });

    return {
      urls: {
        api: apiUrl,
        health: `${apiUrl}/health`,
        receiveWebhook: `${apiUrl}/webhooks/receive`,
        statusWebhook: `${apiUrl}/webhooks/status`,
        dynamoDb: dynamo.endpoint,
      },
      tableName: SANDBOX_TABLE,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {}); // the startup error is the one worth reporting
    throw error;
  }
}

async function stopAll(started: Stopper[]): Promise<void> {
  const failures: string[] = [];
  for (const part of [...started].reverse()) {
    try {
      await part.stop();
    } catch (error) {
      failures.push(`${part.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`Some sandbox parts did not stop cleanly:\n${failures.join('\n')}`);
}
