import type { AwsCredentialIdentity } from '@smithy/types';
import { createS3LinkSigner } from '../adapters/s3-link-signer.js';
import { ENV } from '../contract/env.js';
import { MEDIA_SETTINGS } from '../media/media-rules.js';
import type { Logger } from '../platform/logger.js';
import type { MediaLinker, ReadStore } from '../reads/ports.js';
import type { ReadDeps } from '../reads/read-handler.js';
import { loggerFromEnv, tableStoreFromEnv } from './lambda-deps.js';

export interface ReadWiring {
  store: ReadStore;
  logger: Logger;
  /** Presigned links to archived media. @default none (the stack keeps no media) */
  mediaLinks?: MediaLinker;
  /**
   * Checks storage for GET /health. @default none: /health answers without touching DynamoDB (in
   * AWS the route is open to anyone, who must not spend read units); the sandbox passes one.
   */
  checkHealth?: () => Promise<void>;
}

/**
 * The read handler's dependencies: the Lambda (below) and the sandbox build them the same way.
 * Everything arrives built today; a new read adapter is added here, once, for both.
 */
export function createReadDeps(wiring: ReadWiring): ReadDeps {
  return { ...wiring };
}

/** The Lambda's own role credentials, from the environment the runtime sets. */
function lambdaCredentials(): AwsCredentialIdentity {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) throw new Error('no AWS credentials in the environment');
  return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN };
}

/** The read Lambda's links to archived media, when the stack keeps media (MEDIA_BUCKET_NAME is set). */
export function mediaLinksFromEnv(): MediaLinker | undefined {
  const bucket = process.env[ENV.mediaBucketName];
  const region = process.env.AWS_REGION;
  if (!bucket || !region) return undefined;
  return createS3LinkSigner({
    bucket,
    region,
    credentials: async () => lambdaCredentials(),
    expiresInSeconds: MEDIA_SETTINGS.linkTtlSeconds,
    // Where the SDK's own S3 client would send calls: unset in AWS (S3 itself); the sandbox's
    // bundles mode sets it to its S3 stand-in.
    endpoint: process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined,
  });
}

/** The read Lambda's adapters, built from the environment the stack sets. */
export function readDepsFromEnv(): ReadDeps {
  return createReadDeps({ store: tableStoreFromEnv(), logger: loggerFromEnv('read'), mediaLinks: mediaLinksFromEnv() });
}
