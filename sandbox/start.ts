/**
 * Starts the whole sandbox in-process (docs/contract.md §6) and returns how to reach and stop it.
 * Each part that starts registers its stop; stop() runs them in reverse order, and a failure
 * half-way through startup stops whatever had already started before rethrowing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createReadHandler } from '../lambdas/reads/read-handler.js';
import { createIngestHandler } from '../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../lambdas/wiring/ingest-deps.js';
import { createReadDeps } from '../lambdas/wiring/read-deps.js';
import { createLogger, type Logger } from '../lambdas/platform/logger.js';
import { staticSecretSource } from './static-secrets.js';
import { createDocumentClient, createTableStore } from '../lambdas/adapters/table.js';
import { logSink } from '../lambdas/platform/metrics.js';
import {
  PORT_ENV_VARS,
  SANDBOX_CREDENTIALS,
  SANDBOX_DLQ_NAME,
  SANDBOX_QUEUE_NAME,
  SANDBOX_REGION,
  SANDBOX_TABLE,
  type SandboxConfig,
} from './config.js';
import { startBundles, type SandboxBundles } from './bundles/bundles.js';
import { awsCallsRoute } from './bundles/aws-calls-route.js';
import { normalizeStreamArn } from './bundles/resources.js';
import { ensureTable } from './create-table.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { createApiServer } from './http-adapter.js';
import { sandboxCliPrefix } from './cli-prefix.js';
import { sandboxFailedCommands } from './failed-commands.js';
import { sandboxGroupChanges } from './group-changes.js';
import { sandboxGroupList } from './group-list.js';
import { sandboxPageRoutes } from './page/routes.js';
import { sandboxPausedLines } from './line-pauses.js';
import {
  startCommandPath,
  type CommandPath,
  type SandboxSenderOptions,
  type SandboxSimulatorOptions,
} from './command-path.js';
import { sandboxBackfillRoute, startSandboxBackfill, type SandboxBackfill } from './backfill.js';
import type { BackfillJobSettings, BackfillReport } from '../lambdas/backfill/backfill-job.js';
import type { RunningSimulator } from './sendblue-simulator/index.js';
import type { QueuePoller } from './queue-poller.js';
import type { TableStore } from '../lambdas/adapters/table.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MediaLinker } from '../lambdas/reads/ports.js';
import { SANDBOX_EVENTS_PATH } from '../lambdas/contract/sandbox.js';
import { SANDBOX_MEDIA_BUCKET, startStreamPath, type StreamPath, type StreamPathOptions } from './stream-path.js';

/** The repository: where `cdk synth` runs and cdk.out is. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SandboxUrls {
  api: string;
  /** The web page: groups and conversations, live. */
  page: string;
  health: string;
  receiveWebhook: string;
  statusWebhook: string;
  dynamoDb: string;
  /** SQS endpoint (pass it as `endpoint` to the AWS SDK's SQSClient). */
  sqs: string;
  commandQueue: string;
  deadLetterQueue: string;
  /** The Sendblue API the sender calls: the built-in simulator unless SENDBLUE_BASE_URL is set. */
  sendblue: string;
}

export interface RunningSandbox {
  urls: SandboxUrls;
  /** Set when the sandbox's DynamoDB Local listens on every interface, with the reason. */
  dynamoDbExposure?: string;
  tableName: string;
  /** The table the handlers use (tests read through it). */
  store: TableStore;
  /** The built-in simulator, when it runs. */
  simulator?: RunningSimulator;
  /** Feeds the sender; `drained()` tells when the queue is empty. */
  poller: QueuePoller;
  /** The table's stream consumers (events, media); `caughtUp()` tells when they have seen every change. */
  streams: StreamPath;
  /** The backfill job on its timer; `runNow()` is what `POST /__sandbox/backfill` does. */
  backfill: SandboxBackfill;
  /** With `code: 'bundles'`: the Lambdas' bundles, their template and the AWS calls they made. */
  bundles?: SandboxBundles;
  /** Stops everything started, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  /** Called with progress lines ("DynamoDB Local ready in 2.1 s"). */
  onProgress?: (line: string) => void;
  /** The logger of each component (ingest, read, sandbox-api); default: JSON lines on stdout. */
  loggerFor?: (component: string) => Logger;
  /** Use this DynamoDB instead of starting DynamoDB Local (tests share one). */
  dynamoDbEndpoint?: string;
  /** @default SANDBOX_TABLE */
  tableName?: string;
  /** Sees the handlers' DynamoDB client once (tests and benchmarks count requests with middleware). */
  onDocumentClient?: (client: DynamoDBDocumentClient) => void;
  /** Sender timings (tests shorten retries and leases). */
  sender?: SandboxSenderOptions;
  /** Simulator settings (tests choose replies and delays). */
  simulator?: SandboxSimulatorOptions;
  /** Stream consumer settings (tests shorten retries). */
  streams?: StreamPathOptions;
  /** Backfill settings (tests shorten the sweep's minimum age). */
  backfill?: Partial<BackfillJobSettings>;
  /**
   * Called once when a part the sandbox cannot run without dies (DynamoDB Local's Java process),
   * with one plain sentence; `npm start` prints it and stops. Default: logged as an error.
   */
  onFatal?: (message: string) => void;
  /** With `code: 'bundles'`: the cloud assembly to run (synthesized first when missing or stale). @default <repository>/cdk.out */
  cdkOut?: string;
}

/** How long GET /health waits for DynamoDB before it answers 503. */
const HEALTH_TIMEOUT_MS = 2_000;

type Stopper = { name: string; stop: () => Promise<void> | void };

export async function startSandbox(config: SandboxConfig, options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const progress = options.onProgress ?? (() => {});
  const loggerFor = options.loggerFor ?? ((component: string) => createLogger({ base: { component } }));
  const started: Stopper[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopAll(started));
  let backfill: SandboxBackfill | undefined; // started with the command path, after the API

  try {
    // First, so that a failing synth starts nothing.
    const bundles =
      config.code === 'bundles'
        ? await startBundles({
            config,
            root: PROJECT_ROOT,
            cdkOut: options.cdkOut ?? path.join(PROJECT_ROOT, 'cdk.out'),
            loggerFor,
            onProgress: progress,
          })
        : undefined;
    if (bundles) started.push({ name: 'Lambda bundles', stop: bundles.stop });
    const t0 = Date.now();
    let dynamoDbEndpoint = options.dynamoDbEndpoint;
    let dynamoDbExposure: string | undefined;
    if (!dynamoDbEndpoint) {
      const dynamo = await startDynamoDbLocal({ port: config.dynamoDbPort });
      started.push({ name: 'DynamoDB Local', stop: dynamo.stop });
      dynamoDbEndpoint = dynamo.endpoint;
      dynamoDbExposure = dynamo.exposure;
      // Every request would fail from now on: say why, once, instead of a 503 per request.
      const onFatal = options.onFatal ?? ((message: string) => loggerFor('sandbox').error(message));
      dynamo.onUnexpectedExit((how) => onFatal(`DynamoDB Local stopped unexpectedly (${how})`));
      progress(`DynamoDB Local ready on ${dynamo.endpoint} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const tableName = options.tableName ?? SANDBOX_TABLE;

    const clientConfig = { endpoint: dynamoDbEndpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
    const adminClient = new DynamoDBClient(clientConfig);
    try {
      await ensureTable(adminClient, tableName);
    } finally {
      adminClient.destroy();
    }
    const documentClient = createDocumentClient(clientConfig);
    options.onDocumentClient?.(documentClient);
    started.push({ name: 'DynamoDB client', stop: () => documentClient.destroy() });
    const store = createTableStore({ documentClient, tableName });
    bundles?.provide({ dynamoDbEndpoint, tableName, mediaBucketName: SANDBOX_MEDIA_BUCKET });

    const secrets = staticSecretSource({
      webhookSecret: config.webhookSecret,
      apiKeyId: config.apiKeyId,
      apiSecretKey: config.apiSecretKey,
    });
    // The stream path starts after the S3 stand-in (below); the read handler and the event log
    // routes reach it through this.
    let streams: StreamPath | undefined;
    const mediaLinks: MediaLinker | undefined = config.media ? (key) => streams!.mediaLinks!(key) : undefined;
    // The DLQ is there once the command path runs (below); until then the page sees none.
    let peekDeadLetters: CommandPath['peekDeadLetters'] = async () => [];
    const pageRoutes = sandboxPageRoutes({
      listGroups: sandboxGroupList(documentClient, tableName),
      listFailedCommands: sandboxFailedCommands({
        db: documentClient,
        tableName,
        peekDeadLetters: () => peekDeadLetters(),
      }),
      listGroupChanges: sandboxGroupChanges({ feed: () => streams?.feed, store }),
      listPausedLines: sandboxPausedLines(documentClient, tableName),
      page: { cliPrefix: sandboxCliPrefix(config), ownLines: [config.fromNumber] },
      logger: loggerFor('page'),
    });
    const api = createApiServer({
      handlers: bundles
        ? { ingest: bundles.handler('ingest'), read: bundles.handler('read') }
        : {
            ingest: createIngestHandler(
              createIngestDeps({
                store,
                secrets,
                logger: loggerFor('ingest'),
                metrics: logSink(loggerFor('ingest'), 'webhook metrics'),
              }),
            ),
            // Unlike in AWS, /health asks the table: locally, "ok" must mean the sandbox can store.
            read: createReadHandler(
              createReadDeps({
                store,
                logger: loggerFor('read'),
                checkHealth: () => withTimeout(store.checkReachable(), HEALTH_TIMEOUT_MS),
                mediaLinks,
              }),
            ),
          },
      logger: loggerFor('sandbox-api'),
      // The sandbox's web page (GET /), the group list it needs, the event log and "run the backfill
      // now"; not part of the deployed API.
      extraRoutes: sandboxBackfillRoute(
        () => backfill,
        loggerFor('backfill'),
        (req, res) =>
          pageRoutes(req, res) ||
          (bundles !== undefined && awsCallsRoute(bundles)(req, res)) ||
          (streams?.feed?.routes(req, res) ?? eventsOff(req, res)),
      ),
    });
    const apiUrl = await api.listen(config.port).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(
        `Port ${config.port} on 127.0.0.1 is already in use, so the sandbox API cannot start there. ` +
          `Stop what uses it, or pick another port with ${PORT_ENV_VARS.port}=<port>.`,
      );
    });
    started.push({ name: 'HTTP API', stop: () => api.close() });
    bundles?.provide({ apiUrl });

    const commands: CommandPath = await startCommandPath({
      config,
      store,
      secrets,
      apiUrl,
      loggerFor,
      onStarted: (name, stopPart) => started.push({ name, stop: stopPart }),
      sender: options.sender,
      simulator: options.simulator,
      bundle: bundles && {
        handler: bundles.handler('sender'),
        awsEndpoint: bundles.awsEndpoint,
        credentials: bundles.eventSourceCredentials('sender'),
        ready: ({ sqsEndpoint, sendblueUrl }) =>
          bundles.provide({
            sqsEndpoint,
            sendblueUrl,
            commandQueueName: SANDBOX_QUEUE_NAME,
            deadLetterQueueName: SANDBOX_DLQ_NAME,
          }),
      },
    });
    peekDeadLetters = commands.peekDeadLetters;
    progress(`SQS emulator ready on ${commands.sqsEndpoint}; sender polling ${commands.queueUrl}`);
    backfill = startSandboxBackfill({
      store,
      secrets,
      logger: loggerFor('backfill'),
      sendblueUrl: commands.sendblueUrl,
      sqsEndpoint: commands.sqsEndpoint,
      deadLetterQueueUrl: commands.deadLetterQueueUrl,
      fromNumber: config.fromNumber,
      intervalSeconds: config.backfillSeconds,
      settings: options.backfill,
      bundleJob: bundles && (() => bundles.handler<object, BackfillReport>('backfill')({})),
    });
    started.push({ name: 'backfill', stop: backfill.stop });

    streams = await startStreamPath({
      events: config.events,
      media: config.media,
      dynamoDbEndpoint,
      tableName,
      store,
      ourLines: [config.fromNumber, ...(options.simulator?.extraLines ?? [])],
      s3Endpoint: commands.sqsEndpoint,
      loggerFor,
      onStarted: (name, stopPart) => started.push({ name, stop: stopPart }),
      options: options.streams,
      bundle: bundles && {
        handler: (name) => bundles.handler(name),
        awsEndpoint: bundles.awsEndpoint,
        credentials: (name) => bundles.eventSourceCredentials(name),
        ready: ({ streamArn, feed }) =>
          bundles.provide({
            streamArn: normalizeStreamArn(streamArn),
            publishEvents: (events) => void feed?.publisher.publish(events),
          }),
      },
    });

    return {
      dynamoDbExposure,
      urls: {
        api: apiUrl,
        page: `${apiUrl}/`,
        health: `${apiUrl}/health`,
        receiveWebhook: `${apiUrl}/webhooks/receive`,
        statusWebhook: `${apiUrl}/webhooks/status`,
        dynamoDb: dynamoDbEndpoint,
        sqs: commands.sqsEndpoint,
        commandQueue: commands.queueUrl,
        deadLetterQueue: commands.deadLetterQueueUrl,
        sendblue: commands.sendblueUrl,
      },
      tableName,
      store,
      simulator: commands.simulator,
      poller: commands.poller,
      streams,
      backfill,
      bundles,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {}); // the startup error is the one worth reporting
    throw error;
  }
}

/** `/__sandbox/events` while events are off: say so rather than a bare 404. */
function eventsOff(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.url ?? '').split('?')[0] !== SANDBOX_EVENTS_PATH) return false;
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'events are off in this sandbox (SANDBOX_EVENTS=off)' }));
  return true;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
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
