/**
 * The sandbox's stream path: a poller per consumer over DynamoDB Local's stream of the table, like
 * Lambda's event source mappings in AWS, feeding the very contacts, events and media handlers the
 * Lambdas run. Events go to the local event log (event-feed.ts) instead of EventBridge; media
 * copies to a bucket in the S3 stand-in that also runs the SQS emulator (fauxqs), with links
 * presigned exactly as in AWS (the stand-in does not check signatures or expiry; S3 does).
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createEventsHandler } from '../lambdas/events/events-handler.js';
import { createMediaHandler } from '../lambdas/media/media-handler.js';
import type { Logger } from '../lambdas/platform/logger.js';
import { createS3LinkSigner } from '../lambdas/adapters/s3-link-signer.js';
import type { MediaLinker } from '../lambdas/reads/ports.js';
import { createMediaDeps } from '../lambdas/wiring/media-deps.js';
import { STREAM_CONSUMER_SETTINGS } from '../lambdas/contract/stream-consumer-settings.js';
import {
  CONTACTS_STREAM_FILTERS,
  EVENTS_STREAM_FILTERS,
  MEDIA_STREAM_FILTERS,
  type FilterPattern,
} from '../lambdas/events/stream-filters.js';
import { createContactsHandler } from '../lambdas/contacts/contacts-handler.js';
import { createDocumentClient } from '../lambdas/adapters/table.js';
import { createContactTable } from '../lambdas/adapters/table-contacts.js';
import type { TableStore } from '../lambdas/adapters/table.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from './config.js';
import { createEventFeed, type EventFeed } from './event-feed.js';
import { createStreamPoller, type StreamPoller } from './stream-poller.js';

export const SANDBOX_MEDIA_BUCKET = 'sendblue-groups-media';
/** The S3 stand-in takes bodies up to 11 MiB; AWS's default cap is 100 MB (MEDIA_SETTINGS). */
const SANDBOX_MEDIA_MAX_BYTES = 10 * 1024 * 1024;

export interface StreamPathOptions {
  /** Pause between reads of a quiet stream, ms. @default 250 (Lambda's 4 polls a second) */
  pollIntervalMs?: number;
  /** Retries of a failing batch before it is given up. @default STREAM_CONSUMER_SETTINGS (as in AWS) */
  retryAttempts?: number;
  /** @default SANDBOX_MEDIA_MAX_BYTES */
  mediaMaxBytes?: number;
  /** @default 15000 */
  mediaTimeoutMs?: number;
}

export interface StreamPathInput {
  events: boolean;
  media: boolean;
  dynamoDbEndpoint: string;
  tableName: string;
  store: TableStore;
  /** The sandbox's lines: never contacts. */
  ourLines?: readonly string[];
  /** The S3 stand-in (the SQS emulator's endpoint). */
  s3Endpoint: string;
  loggerFor: (component: string) => Logger;
  onStarted: (name: string, stop: () => Promise<void> | void) => void;
  options?: StreamPathOptions;
  bundle?: StreamBundle;
}

/**
 * Bundles mode: the contacts, events and media bundles' handlers instead of the source ones; each consumer's
 * event source mapping reads the stream with its function's role (credentials, through the
 * recording endpoint); the events bundle's PutEvents reach the event log through `ready`.
 */
export interface StreamBundle {
  handler(name: 'events' | 'media' | 'contacts'): Parameters<typeof createStreamPoller>[0]['handler'];
  awsEndpoint: string;
  credentials(name: 'events' | 'media' | 'contacts'): { accessKeyId: string; secretAccessKey: string };
  /** Told the stream and the event log, before the first batch. */
  ready(parts: { streamArn: string; feed?: EventFeed }): void;
}

export interface StreamPath {
  /** The local event log (when events are on). */
  feed?: EventFeed;
  /** Presigned links to media copies (when media is on). */
  mediaLinks?: MediaLinker;
  mediaBucket?: string;
  pollers: StreamPoller[];
  /** Resolves once every consumer has handled every change written before the call. */
  caughtUp(): Promise<void>;
}

export async function startStreamPath(input: StreamPathInput): Promise<StreamPath> {
  const { loggerFor, onStarted, options = {} } = input;
  const pollers: StreamPoller[] = [];
  const path: StreamPath = {
    pollers,
    caughtUp: async () => void (await Promise.all(pollers.map((poller) => poller.caughtUp()))),
  };
  // Always: the contacts ledger reads the stream (pre-flight's opt-outs depend on it).

  const clientConfig = { endpoint: input.dynamoDbEndpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
  const admin = new DynamoDBClient(clientConfig);
  let streamArn: string | undefined;
  try {
    streamArn = (await admin.send(new DescribeTableCommand({ TableName: input.tableName }))).Table?.LatestStreamArn;
  } finally {
    admin.destroy();
  }
  if (!streamArn)
    throw new Error(`Table ${input.tableName} has no stream: it was created without one (see sandbox/create-table.ts)`);
  const sharedStreams = new DynamoDBStreamsClient(clientConfig);
  onStarted('DynamoDB Streams client', () => sharedStreams.destroy());
  const { bundle } = input;
  // Bundles mode: each mapping polls with its own function's role, through the recording endpoint.
  const streamsFor = (name: 'events' | 'media' | 'contacts') => {
    if (!bundle) return sharedStreams;
    const client = new DynamoDBStreamsClient({
      endpoint: bundle.awsEndpoint,
      region: SANDBOX_REGION,
      credentials: bundle.credentials(name),
    });
    onStarted(`DynamoDB Streams client (${name} event source mapping)`, () => client.destroy());
    return client;
  };

  const startPoller = (
    name: 'events' | 'media' | 'contacts',
    handler: Parameters<typeof createStreamPoller>[0]['handler'],
    filters: readonly FilterPattern[],
  ) => {
    const settings = STREAM_CONSUMER_SETTINGS[name];
    const poller = createStreamPoller({
      streams: streamsFor(name),
      streamArn: streamArn!,
      handler,
      name,
      batchSize: settings.batchSize,
      filters,
      logger: loggerFor('stream'),
      pollIntervalMs: options.pollIntervalMs,
      retryAttempts: options.retryAttempts ?? settings.retryAttempts,
    });
    poller.start();
    onStarted(`${name} stream poller`, () => poller.stop());
    pollers.push(poller);
  };

  if (input.events) {
    const feed = createEventFeed();
    // Followers' streams end before the API server closes (stops run in reverse order).
    onStarted('event log', () => feed.close());
    path.feed = feed;
  }
  bundle?.ready({ streamArn, feed: path.feed });
  // The contacts Lambda's own client, as in AWS: its writes are not the handlers' (tests count those).
  const contactsClient = bundle ? undefined : createDocumentClient(clientConfig);
  if (contactsClient) onStarted('DynamoDB client (contacts)', () => contactsClient.destroy());
  startPoller(
    'contacts',
    bundle?.handler('contacts') ??
      createContactsHandler({
        ledger: createContactTable(contactsClient!, input.tableName),
        logger: loggerFor('contacts'),
        ourLines: input.ourLines,
      }),
    CONTACTS_STREAM_FILTERS,
  );
  if (path.feed) {
    startPoller(
      'events',
      bundle?.handler('events') ?? createEventsHandler({ publisher: path.feed.publisher, logger: loggerFor('events') }),
      EVENTS_STREAM_FILTERS,
    );
  }

  if (input.media) {
    const s3 = new S3Client({
      endpoint: input.s3Endpoint,
      forcePathStyle: true,
      region: SANDBOX_REGION,
      credentials: SANDBOX_CREDENTIALS,
    });
    onStarted('S3 client', () => s3.destroy());
    await s3.send(new CreateBucketCommand({ Bucket: SANDBOX_MEDIA_BUCKET }));
    startPoller(
      'media',
      bundle?.handler('media') ??
        createMediaHandler(
          createMediaDeps({
            s3,
            bucket: SANDBOX_MEDIA_BUCKET,
            table: input.store,
            logger: loggerFor('media'),
            maxBytes: options.mediaMaxBytes ?? SANDBOX_MEDIA_MAX_BYTES,
            fetchTimeoutMs: options.mediaTimeoutMs ?? 15_000,
            // Loopback http too: the simulator serves media on 127.0.0.1. Private addresses stay refused.
            allowLoopbackHttp: true,
          }),
        ),
      MEDIA_STREAM_FILTERS,
    );
    path.mediaLinks = createS3LinkSigner({
      bucket: SANDBOX_MEDIA_BUCKET,
      region: SANDBOX_REGION,
      credentials: SANDBOX_CREDENTIALS,
      endpoint: input.s3Endpoint,
    });
    path.mediaBucket = SANDBOX_MEDIA_BUCKET;
  }
  return path;
}
