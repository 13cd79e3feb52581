import { S3Client } from '@aws-sdk/client-s3';
import { ENV, numberFromEnv, requireEnv } from '../contract/env';
import { createLogger } from '../platform/logger';
import { createMediaFetcher } from '../adapters/media-fetch';
import { MEDIA_SETTINGS } from '../media/media-rules';
import type { MediaDeps } from '../media/media-service';
import { createS3MediaStore } from '../adapters/media-store';
import { createDocumentClient } from '../adapters/table';
import { createMediaTable } from '../adapters/table-media';

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
