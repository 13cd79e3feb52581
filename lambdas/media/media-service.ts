import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../platform/logger.js';
import { MediaFetchError, type MediaFetcher, type MediaStore, type MediaTable } from './ports.js';
import {
  contentDispositionFor,
  contentTypeOf,
  fileNameFromUrl,
  mediaCopyFor,
  mediaObjectKey,
  type MediaCopy,
} from './media-rules.js';
import { tableChangeOf } from '../events/table-change.js';

export interface MediaDeps {
  fetchMedia: MediaFetcher;
  store: MediaStore;
  table: MediaTable;
  logger: Logger;
  now?: () => Date;
}

/**
 * One batch of the table's stream: each new inbound message with a `media_url` is downloaded
 * (guarded: media-fetch.ts), put in the bucket under its message's key and recorded on the
 * message. Records run in order; the first one that fails for a reason that may pass (a timeout,
 * a 5xx at the origin, S3 or DynamoDB unavailable) is reported and the batch resumes from it. A
 * copy refused for good is recorded with its reason and never retried. URLs are never logged:
 * a CDN link may carry a token.
 */
export function createMediaProcessor(deps: MediaDeps) {
  const { logger } = deps;
  const now = () => (deps.now ? deps.now() : new Date()).toISOString();

  async function archive(copy: MediaCopy): Promise<void> {
    const key = mediaObjectKey(copy);
    const context = { message_handle: copy.messageHandle, group_id: copy.groupId ?? null };
    try {
      const media = await deps.fetchMedia(copy.mediaUrl);
      const contentType = contentTypeOf(media.contentType);
      await deps.store.put({
        key,
        body: media.body,
        contentType,
        contentDisposition: contentDispositionFor(contentType, fileNameFromUrl(copy.mediaUrl)),
      });
      await deps.table.recordMediaArchive(copy.messageHandle, {
        key,
        content_type: contentType,
        bytes: media.body.length,
        archived_at: now(),
      });
      logger.info('media archived', { ...context, bytes: media.body.length, content_type: contentType });
    } catch (error) {
      if (!(error instanceof MediaFetchError && error.permanent)) throw error;
      await deps.table.recordMediaArchive(copy.messageHandle, { error: error.message, failed_at: now() });
      logger.warn('media not archived', { ...context, reason: error.message });
    }
  }

  return async function processBatch(records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
    for (const record of records) {
      let copy: MediaCopy | undefined;
      try {
        copy = mediaCopyFor(tableChangeOf(record));
      } catch (error) {
        logger.error('stream record not understood; skipped', { error, event_id: record.eventID ?? null });
        continue;
      }
      if (!copy) continue;
      try {
        await archive(copy);
      } catch (error) {
        logger.warn('media copy failed; the batch is retried from this message', {
          message_handle: copy.messageHandle,
          error,
        });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
