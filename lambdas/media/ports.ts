import type { MediaArchive } from '../contract/items.js';

/**
 * What the media Lambda needs from the world: a guarded download (adapters/media-fetch.ts), the
 * bucket (adapters/media-store.ts) and one write on the message item (adapters/table-media.ts).
 */

/** A download that failed; `permanent`: trying again cannot help (refused URL or address, too large, gone at the origin). */
export class MediaFetchError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MediaFetchError';
  }
}

export interface FetchedMedia {
  body: Buffer;
  /** The origin's Content-Type header, as sent. */
  contentType?: string;
}

/** Downloads a media URL; throws MediaFetchError when it cannot. */
export type MediaFetcher = (url: string) => Promise<FetchedMedia>;

/** Where media copies are kept: the stack's S3 bucket (the sandbox points the same client at its S3 stand-in). */
export interface MediaStore {
  put(object: { key: string; body: Buffer; contentType: string; contentDisposition: string }): Promise<void>;
}

/** Records where the copy of a message's media is (or why there is none) on the message item. */
export interface MediaTable {
  /** Resolves false when the message is not there (nothing is created). */
  recordMediaArchive(messageHandle: string, archive: MediaArchive): Promise<boolean>;
}
