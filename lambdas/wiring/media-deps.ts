import { S3Client } from '@aws-sdk/client-s3';
import { createMediaFetcher } from '../adapters/media-fetch.js';
import { createS3MediaStore } from '../adapters/media-store.js';
import { createDocumentClient } from '../adapters/table.js';
import { createMediaTable } from '../adapters/table-media.js';
import { ENV, numberFromEnv, requireEnv } from '../contract/env.js';
import { MEDIA_SETTINGS } from '../media/media-rules.js';
import type { MediaDeps } from '../media/media-service.js';
import type { MediaTable } from '../media/ports.js';
import { createLogger, type Logger } from '../platform/logger.js';

export interface MediaWiring {
  s3: S3Client;
  bucket: string;
  table: MediaTable;
  logger: Logger;
  /** Largest copy, bytes. */
  maxBytes: number;
  /** The whole download, ms. */
  fetchTimeoutMs: number;
  /** SANDBOX ONLY: plain http to loopback too (the simulator serves media on 127.0.0.1). @default false */
  allowLoopbackHttp?: boolean;
}

/** The media handler's adapters from plain values: the Lambda (below) and the sandbox build them the same way. */
export function createMediaDeps(wiring: MediaWiring): MediaDeps {
  return {
    fetchMedia: createMediaFetcher({
      maxBytes: wiring.maxBytes,
      timeoutMs: wiring.fetchTimeoutMs,
      allowLoopbackHttp: wiring.allowLoopbackHttp,
    }),
    store: createS3MediaStore({ client: wiring.s3, bucket: wiring.bucket }),
    table: wiring.table,
    logger: wiring.logger,
  };
}

/**
 * The media Lambda's adapters, from the environment the stack sets (apart, so no other bundle
 * carries the S3 client, and this one no Secrets Manager client).
 */
export function mediaDepsFromEnv(): MediaDeps {
  return createMediaDeps({
    s3: new S3Client({}),
    bucket: requireEnv(ENV.mediaBucketName),
    table: createMediaTable(createDocumentClient(), requireEnv(ENV.tableName)),
    logger: createLogger({ base: { service: 'media' } }),
    maxBytes: numberFromEnv(ENV.mediaMaxBytes, MEDIA_SETTINGS.maxBytes),
    fetchTimeoutMs: numberFromEnv(ENV.mediaFetchTimeoutMs, MEDIA_SETTINGS.fetchTimeoutMs),
    allowLoopbackHttp: sandboxLoopbackMedia(),
  });
}

/**
 * The sandbox's bundles mode runs this very bundle against the simulator's http://127.0.0.1 media:
 * allowed only when asked (ENV.sandboxLoopbackMedia) and every AWS call goes to 127.0.0.1 as well,
 * which no Lambda in AWS can work with, so a stray setting there changes nothing.
 */
export function sandboxLoopbackMedia(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[ENV.sandboxLoopbackMedia] !== 'allow') return false;
  return /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(env.AWS_ENDPOINT_URL ?? '');
}
