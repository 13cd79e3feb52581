import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where media copies are kept: the stack's S3 bucket (the sandbox points the same client at its S3 stand-in). */
export interface MediaStore {
  put(object: { key: string; body: Buffer; contentType: string; contentDisposition: string }): Promise<void>;
}

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
