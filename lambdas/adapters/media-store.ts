import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MediaStore } from '../media/ports.js';

/** The media copies in the stack's S3 bucket (the sandbox points the same client at its S3 stand-in). */
export function createS3MediaStore({ client, bucket }: { client: S3Client; bucket: string }): MediaStore {
  return {
    async put({ key, body, contentType, contentDisposition }) {
      // Same key for the same message: a redelivered stream record overwrites, never duplicates.
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentDisposition: contentDisposition,
        }),
      );
    },
  };
}
