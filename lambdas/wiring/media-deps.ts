import { S3Client } from '@aws-sdk/client-s3';
import { ENV, numberFromEnv, requireEnv } from '../contract/env.js';
import { createLogger } from '../platform/logger.js';
import { createMediaFetcher } from '../adapters/media-fetch.js';
import { MEDIA_SETTINGS } from '../media/media-rules.js';
import type { MediaDeps } from '../media/media-service.js';
import { createS3MediaStore } from '../adapters/media-store.js';
import { createDocumentClient } from '../adapters/table.js';
import { createMediaTable } from '../adapters/table-media.js';

/**
 * The media Lambda's adapters, from the environment the stack sets (apart, so no other bundle
 * carries the S3 client, and this one no Secrets Manager client).
 */
export function mediaDepsFromEnv(): MediaDeps {
  return {
    fetchMedia: createMediaFetcher({
      maxBytes: numberFromEnv(ENV.mediaMaxBytes, MEDIA_SETTINGS.maxBytes),
      timeoutMs: numberFromEnv(ENV.mediaFetchTimeoutMs, MEDIA_SETTINGS.fetchTimeoutMs),
    }),
    store: createS3MediaStore({ client: new S3Client({}), bucket: requireEnv(ENV.mediaBucketName) }),
    table: createMediaTable(createDocumentClient(), requireEnv(ENV.tableName)),
    logger: createLogger({ base: { service: 'media' } }),
  };
}
